/*
 * suppress.h - findings a reviewer has accepted, visibly.
 *
 * Three ways, applied after the rules and before the report:
 *   - an inline marker on the DEFINE_PROP or compat line, or the line just
 *     above it:  migcompat: allow RULE: reason   (in any comment);
 *   - the suppression file MC_SUPPRESSIONS_PATH at the root of the analyzed
 *     tree (or --suppressions FILE), strict JSON:
 *       {"suppressions": [{"rule": R, "type": T, "property": P, "reason": W}]}
 *     "property" may be left out to cover every property of T;
 *   - a baseline: a report saved with --format json; its findings are not
 *     reported again (identity: rule, type, property; lines do not matter).
 *
 * Suppressed findings stay in the list (JSON and SARIF show them with the
 * reason) but no longer count for the exit status.  Being strict is the
 * point: an unknown key, a missing reason, an unknown rule or an entry added
 * by the change that matches nothing is an input error, never silence.
 */
#ifndef MC_SUPPRESS_H
#define MC_SUPPRESS_H

#include "rules/findings.h"
#include "git/repo.h"

#define MC_SUPPRESSIONS_PATH ".migcompat-suppressions.json"
#define MC_MARKER "migcompat: allow "

typedef struct {
	char *rule, *type;
	char *property;        /* NULL: every property of type */
	char *reason;
	size_t index;          /* 1-based position in the file, for messages */
	size_t matched;        /* findings it suppressed */
	int must_match;        /* added by the change: matching nothing is an error */
} mc_suppression;

typedef struct {
	char *origin;          /* the file as messages name it */
	mc_suppression *v;
	size_t n, cap;
} mc_suppressions;

/* Parses and validates a suppression file's text; origin names it in messages. */
int mc_suppressions_parse(mc_suppressions *out, const char *origin, const char *text, size_t len);
/*
 * Reads MC_SUPPRESSIONS_PATH from a snapshot; an absent file gives an empty
 * list.  Entries not present in base (may be NULL) are marked must_match.
 */
int mc_suppressions_from_snapshot(mc_suppressions *out, const mc_snapshot *head, const mc_snapshot *base);
/* Reads a suppression file from disk (--suppressions); every entry must match. */
int mc_suppressions_from_file(mc_suppressions *out, const char *path);
void mc_suppressions_free(mc_suppressions *s);

/*
 * Looks for markers in the comments of one source line (strings do not
 * count): 1 and the reason (caller frees) when one names rule want (any rule
 * when want is NULL), 0 when none does, MC_EPARSE with a message when any
 * marker on the line names no known rule or gives no reason.
 * *only_comment (may be NULL) tells whether the line holds nothing but
 * comments, as a marker on the line above a finding must.
 */
int mc_marker_find(const char *line, size_t len, const char *want, char **reason, int *only_comment);

/*
 * Marks the findings that a marker in head's text or an entry of supps
 * accepts.  Fails (MC_EPARSE) on a malformed marker at a finding's line and
 * on an entry that must match but matched nothing.
 */
int mc_suppress_apply(mc_findings *fs, const mc_snapshot *head, mc_suppressions *supps);

/*
 * Baseline: the identities (rule|type|property) of a saved JSON report, and
 * the findings left after dropping those (returns how many were dropped).
 */
int mc_baseline_load(mc_map *keys, const char *path);
size_t mc_baseline_filter(mc_findings *fs, const mc_map *keys);
/* The identity a baseline and a suppression compare: "rule|type|property"; caller frees. */
char *mc_finding_identity(const mc_finding *f);

#endif
