/*
 * rules.h - the checks, as pure functions of what a change is made of.
 *
 * In:     the base and head models (model/model.h), the commit facts of the
 *         change (model/commit.h), the tree's conventions, and where names are
 *         written in each tree (model/mentions.h); all read-only.
 * Out:    findings appended to an mc_findings, finished (sorted, families
 *         collapsed) by mc_rules_run.
 * Invariants: nothing under rules/ reads git, files, the clock or a global,
 *         or calls libclang: the same input gives the same findings in the
 *         same order.  What was already wrong at base is not reported unless
 *         audit is set; every rule looks at what the change introduced.
 */
#ifndef MC_RULES_H
#define MC_RULES_H

#include "model/commit.h"
#include "model/conv.h"
#include "model/mentions.h"
#include "model/model.h"
#include "rules/findings.h"

typedef struct {
	const mc_model *base, *head;
	const mc_commit_facts *commit;   /* NULL: the change is not commits (the index, the work tree) */
	const mc_conv *conv;             /* the tree's conventions (model names built at run time) */
	const mc_mentions *base_mentions, *head_mentions; /* NULL: no name is written anywhere */
	int audit;                       /* report everything wrong at head, not only what changed */
} mc_rule_input;

/* Runs every check of the catalog and finishes the findings. */
void mc_rules_run(const mc_rule_input *in, mc_findings *out);

/*
 * The questions the checks will ask of the mentions tables, for the front end
 * to answer before mc_rules_run (see model/mentions.h).  in's mentions are
 * not read.
 */
void mc_rules_mention_questions(const mc_rule_input *in, mc_mention_questions *base_q,
				mc_mention_questions *head_q);

#endif
