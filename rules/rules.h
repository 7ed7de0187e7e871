/*
 * rules.h - the checks run over (base, head) models.
 *
 * Each rule reads the two revisions and appends findings; none modifies the
 * models.  What was already wrong at base is not reported by check: every rule
 * looks only at what the change between the two revisions introduced.
 */
#ifndef MC_RULES_H
#define MC_RULES_H

#include "frontend/analysis.h"
#include "model/effective.h"
#include "rules/findings.h"
#include "git/repo.h"

typedef struct {
	mc_repo *repo;
	const mc_revision *base, *head;
	const mc_model *bm, *hm;
	int stable_fix;            /* the change says Fixes: <released commit> or Cc: qemu-stable */
	char *stable_reason;       /* the trailer that says so */
	int per_entry_stable;      /* a range of many commits: look per entry (mc_check_stable_reason) */
	mc_map stable_by_entry;    /* "file|property" -> reason or "" */
	mc_version *versions;      /* machine versions compared, newest first */
	size_t nversions;
	mc_strvec families;        /* machine families compared ("hw" = generic machines) */
	mc_map base_entries;       /* identity key -> entry, for "was this entry there before?" */
	int audit;                 /* report everything wrong at head, not only what changed */
} mc_check;

/*
 * Prepares the comparison.  messages is the commit message of a one-commit
 * change (may be NULL); per_entry_stable asks to read, for each entry, the
 * messages of the range's commits that touched its file instead.
 */
int mc_check_init(mc_check *c, mc_repo *repo, const mc_revision *base, const mc_revision *head,
		  const char *messages, int per_entry_stable);
/* Why an entry in an older array is deliberate (a Fixes:/Cc: qemu-stable trailer), or NULL. */
const char *mc_check_stable_reason(mc_check *c, const mc_compat_entry *e);
void mc_check_free(mc_check *c);

/* Runs every rule. */
void mc_check_run(mc_check *c, mc_findings *out);

/* Identity of a compat entry in its set, for comparisons between revisions; caller frees. */
char *mc_check_entry_key(const mc_compat_set *set, const mc_compat_entry *e);
/* Was this head entry absent at base? */
int mc_check_entry_is_new(const mc_check *c, const mc_compat_set *set, const mc_compat_entry *e);

/* The rules (one file each). */
void mc_rule_invariant(mc_check *c, mc_findings *out);     /* compat-missing, -wrong-value, -wrong-array, -uncovered-type */
void mc_rule_new_property(mc_check *c, mc_findings *out);  /* new-property-enabled */
void mc_rule_dangling(mc_check *c, mc_findings *out);      /* compat-dangling */
void mc_rule_redundant(mc_check *c, mc_findings *out);     /* compat-redundant */

/* Rule descriptions, for --list-rules, --explain and SARIF. */
typedef struct {
	const char *id;
	const char *severity;
	const char *summary;
	const char *description;
	const char *example;
	const char *fix;
} mc_rule_info;

extern const mc_rule_info mc_rule_catalog[];
extern const size_t mc_rule_catalog_len;
const mc_rule_info *mc_rule_lookup(const char *id);

/* Shared helpers for rules. */
typedef struct {
	const mc_compat_set *set;
	const mc_compat_entry *e;
} mc_entry_ref;

/* Head entries for prop added by the change that apply (applying = 1) or do not apply to s. */
size_t mc_check_added_entries(const mc_check *c, const mc_subject *s, const char *prop, int applying,
			      mc_entry_ref *out, size_t max);
/* Does machine version v of the family exist at both revisions? */
int mc_check_machine_exists(const mc_check *c, const char *family, const mc_version *v);
/* "hw_compat_5_1" (or the macro-era name) and its file, for the newest released version. */
void mc_check_suggest_array(const mc_check *c, const char *family, char **array, char **file, int *missing);
/* "2.6 to 5.1" style summary of versions; caller frees. */
char *mc_check_versions_text(const mc_version *v, size_t n);

#endif
