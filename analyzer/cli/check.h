/*
 * check.h - the last stages of check and audit for loaded revisions: the
 * commit facts (frontend/commit.h), the mentions the rules ask for
 * (frontend/mentions.h), then the rules (rules/rules.h).  The rules see only
 * what these functions hand them.
 */
#ifndef MC_CLI_CHECK_H
#define MC_CLI_CHECK_H

#include "frontend/analysis.h"
#include "frontend/commit.h"
#include "rules/rules.h"
#include "report/report.h"

/*
 * The commit facts of base..head: one commit is judged by its message, a
 * longer range entry by entry (the commits that introduced the entries the
 * range adds).  A head that is not a commit has none (out->known == 0).
 */
int mc_cli_commit_facts(mc_commit_facts *out, mc_repo *repo, const mc_oid *base_commit, const mc_oid *head_commit,
			int head_is_commit, const mc_model *base, const mc_model *head);

/*
 * Runs the rules on one pair, for QEMU built without Rust devices and, when a
 * Rust source registers a type at either side, with them (a cause both
 * builds have is one finding); the findings are labelled with label (a
 * series patch) when given.
 */
void mc_cli_check_pair(const mc_revision *base, const mc_revision *head, const mc_commit_facts *cf,
		       const mc_conv *conv, int audit, const char *label, mc_findings *fs);

/* A revision without compat arrays is not a QEMU tree: an input error. */
int mc_cli_require_compat(const mc_revision *rev);

/*
 * --each-commit: every commit of base..head against the state before the
 * series, each reporting what is new since the commit before it.  Each pair
 * is sliced on its own; *base and *last are the last pair loaded (the caller
 * frees them, and what they held before is freed); *length the number of commits.
 * labels, when not NULL, names each commit in the findings ("[3/7] subject"
 * for a patch from mail); else "[n/N] <id> subject".
 */
int mc_cli_check_series(mc_repo *repo, const mc_oid *base_commit, const mc_oid *head_commit, const mc_conv *conv,
			mc_store *store, const mc_analysis_opts *aopts, mc_revision **base, mc_revision **last,
			mc_findings *fs, size_t *length, const mc_strvec *labels);

/* A series from mail, ready to be checked as one; free with mc_cli_mbox_free. */
typedef struct {
	mc_oid base;
	mc_oid *commits;       /* commits[0..applied): the patches, as commits that exist only in memory */
	size_t applied;
	mc_strvec labels;      /* "[n/N] subject" of every patch, applied or not */
	mc_report_reply reply; /* headers of a reply to the thread root, for --format email */
} mc_cli_mbox;

/*
 * --mbox: reads path ("-": standard input), applies its patches in memory on
 * top of base_rev (NULL: the base-commit: line of the mail, else HEAD).
 * Returns 0, or MC_EINPUT with the message: when a patch does not apply,
 * out->applied still counts the ones before it.
 */
int mc_cli_mbox_series(mc_repo *repo, const char *path, const char *base_rev, mc_cli_mbox *out);
void mc_cli_mbox_free(mc_cli_mbox *m);

#endif
