/*
 * check.h - rules-private: the context every check reads, the helpers the
 * checks share (check.c), and the checks themselves (one file each, run by
 * the dispatcher in catalog.c).  Nothing outside rules/ includes this file.
 *
 * Layering inside rules/: catalog.c -> the checks -> check.c; check.c calls
 * no check and the checks do not call the dispatcher.
 */
#ifndef MC_CHECK_H
#define MC_CHECK_H

#include "model/effective.h"
#include "rules/rules.h"

/* What the checks share, derived once from the input by mc_check_init. */
typedef struct {
	const mc_rule_input *in;   /* borrowed */
	const mc_model *bm, *hm;   /* in->base, in->head */
	mc_version *versions;      /* machine versions compared, newest first (owned) */
	size_t nversions;
	mc_strvec families;        /* machine families at both revisions (a new family released nothing) */
	mc_map base_entries;       /* mc_compat_entry_key -> entry of base */
	int released_major, released_minor; /* base's last release, -1 when VERSION is unknown */
} mc_check;

void mc_check_init(mc_check *c, const mc_rule_input *in);
void mc_check_free(mc_check *c);

/* The checks (one file each). */
void mc_rule_invariant(const mc_check *c, mc_findings *out);    /* compat-missing, -wrong-value, -wrong-array, -uncovered-type, default-unknown */
void mc_rule_new_property(const mc_check *c, mc_findings *out); /* new-property-enabled, compat-wrong-array */
void mc_rule_dangling(const mc_check *c, mc_findings *out);     /* compat-dangling */
void mc_rule_redundant(const mc_check *c, mc_findings *out);    /* compat-redundant */
void mc_rule_vmstate(const mc_check *c, mc_findings *out);      /* vmstate-* */

/* ---- helpers shared by the checks ---- */

/* Was this head entry absent at base? */
int mc_check_entry_is_new(const mc_check *c, const mc_compat_set *set, const mc_compat_entry *e);
/*
 * Why an entry in an older array is deliberate: the trailer (Fixes: a released
 * commit, Cc: qemu-stable) of the commit that introduced it, or NULL.  Borrowed
 * from the commit facts.
 */
const char *mc_check_stable_reason(const mc_check *c, const mc_compat_entry *e);

typedef struct {
	const mc_compat_set *set;
	const mc_compat_entry *e;
} mc_entry_ref;

/* Head entries for prop added by the change that apply (applying = 1) or do not apply to s. */
size_t mc_check_added_entries(const mc_check *c, const mc_subject *s, const char *prop, int applying,
			      mc_entry_ref *out, size_t max);
/* Does machine version v of the family exist at both revisions? */
int mc_check_machine_exists(const mc_check *c, const char *family, const mc_version *v);
/* The array for the newest released version of family and its file; *missing when it does not exist yet. */
void mc_check_suggest_array(const mc_check *c, const char *family, char **array, char **file, int *missing);
/*
 * Sets f's suggestion to the entry { type, prop, value } (C literals) in the
 * newest released array, with a note when that array does not exist yet.
 */
void mc_check_suggest_entry(const mc_check *c, mc_finding *f, const char *type, const char *prop, const char *value);
/* "2.6 to 5.1" style summary of versions (newest first); caller frees. */
char *mc_check_versions_text(const mc_version *v, size_t n);
/* Does one of the entries' sets reach machines of family (it is generic, or that family's)? */
int mc_check_refs_reach(const mc_entry_ref *refs, size_t n, const char *family);
/*
 * Is a value one QEMU resolves at run time ("auto", or -1 for a signed
 * property: the sentinel that means "auto")?  Two values of which one is
 * such cannot be compared statically: "auto" may resolve to the other.
 */
int mc_check_resolved_at_run_time(mc_kind kind, const char *shown);
/*
 * Can a machine of family hold the subject?  A type registered in a file of
 * one target's machines (conv machine-only: target/i386/, hw/arm/) exists
 * only in that family's machines, or in no versioned machine at all.  When
 * that family has no versioned arrays of its own, its versioned machines
 * apply only the generic ones: the generic family stands for them.
 */
int mc_check_family_holds(const mc_check *c, const char *family, const mc_subject *s);

#endif
