/*
 * findings.h - what the rules report, in a stable order.
 */
#ifndef MC_FINDINGS_H
#define MC_FINDINGS_H

#include <stddef.h>
#include "util/util.h"
#include "model/commit.h"

typedef enum { MC_SEV_NOTE = 0, MC_SEV_WARNING, MC_SEV_ERROR } mc_severity;

/* How a finding was accepted: SARIF's suppression kinds. */
typedef enum { MC_SUPPRESS_NONE = 0, MC_SUPPRESS_IN_SOURCE, MC_SUPPRESS_EXTERNAL } mc_suppress_kind;

typedef struct {
	char *rule;
	mc_severity severity;
	char *type;             /* QOM type name */
	char *owner;            /* the type that declares the property, when known */
	char *property;
	char *vmstate;          /* vmstate-* rules: the .name of the description the finding is about */
	char *old_value;        /* effective value before, as a compat string; may be NULL */
	char *new_value;
	char *file;             /* where the property (or the entry) is declared at HEAD */
	int line;
	char *message;          /* one line */
	mc_strvec notes;        /* explanation lines: machines affected, entries considered */
	/*
	 * The concrete subjects the cause changes ("virtio-blk-device inside
	 * virtio-blk-pci"), without repeats, in the order found; one finding per
	 * cause lists them all here rather than repeating itself per type.
	 */
	mc_strvec affected;
	char *suggestion;       /* the compat line to add, or NULL */
	char *suggestion_array; /* e.g. "hw_compat_5_1" */
	char *suggestion_file;  /* e.g. "hw/core/machine.c" */
	char *commit;           /* for --each-commit: the commit the finding belongs to */
	/*
	 * What the change wrote that causes the finding, when that is not where
	 * the finding points (the new type that lacks an entry's property, at its
	 * registration); NULL when the finding's own place is the cause.
	 */
	char *cause_file;
	int cause_line;
	int changed_line;       /* does the finding point at a line the change wrote? 1, 0, -1 unknown */
	mc_suppress_kind suppressed;
	char *suppress_reason;  /* the reviewer's words, when suppressed */
	char *suppress_where;   /* "file:line" of the marker or "<file> #N" of the entry */
} mc_finding;

typedef struct {
	mc_finding *v;
	size_t n, cap;
} mc_findings;

/* Appends a finding with the given fields copied; returns it for notes and suggestion. */
mc_finding *mc_findings_add(mc_findings *fs, const char *rule, mc_severity sev, const char *type,
			    const char *property, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
/* Frees the finding at index i and closes the gap (the order of the others is kept). */
void mc_findings_remove(mc_findings *fs, size_t i);
/* Adds a subject to f->affected unless it is there already. */
void mc_finding_affects(mc_finding *f, const char *who);
/*
 * Replaces control characters in every text field (they come from the
 * analyzed tree and must not reach a terminal or a mail).  Makes one finding
 * per cause: the findings of one rule for one property declared by one owner
 * become one, the most severe (then the first type by name) kept, with every
 * affected subject and a note listing the types; when more than
 * MC_FINDINGS_FAMILY types share it, the finding names the owner instead.
 * Then drops later duplicates of (rule, type, property) and sorts by file,
 * line, rule, type, property.
 */
#define MC_FINDINGS_FAMILY 4
void mc_findings_finish(mc_findings *fs);
/*
 * Adds to into (the findings of the C build of QEMU) those of the same change
 * in another build of the same tree (with Rust devices), both finished, and
 * empties other.  One cause, one finding: a finding of other that into has
 * (rule, type, property, both values, commit; and place, for one about an
 * entry) is dropped, with a note on into's naming where other declares it
 * when that differs; a more severe one raises into's severity.  An entry is
 * redundant only if it is in every build: a compat-redundant finding is kept
 * only when both have it.  Then sorted as mc_findings_finish sorts.
 */
void mc_findings_merge_build(mc_findings *into, mc_findings *other, const char *build);
void mc_findings_free(mc_findings *fs);
/* Frees the findings' contents but not the array (for findings moved elsewhere). */
void mc_findings_free_items(mc_findings *fs);
const char *mc_severity_name(mc_severity s);
/*
 * Points each finding at what the change wrote: a finding whose line the
 * change did not write, with a cause on a written line, moves there (a note
 * keeps its old place); then each says whether it points at a written line,
 * and the findings are sorted again.  changed NULL: nothing is known.
 */
void mc_findings_anchor(mc_findings *fs, const mc_changed_lines *changed);

/* Is the finding about one compat entry (dangling, redundant) rather than a property? */
int mc_finding_is_entry_located(const mc_finding *f);
/* Count of findings of severity warning or error that are not suppressed. */
size_t mc_findings_loud(const mc_findings *fs);
/* Count of suppressed findings. */
size_t mc_findings_suppressed(const mc_findings *fs);

#endif
