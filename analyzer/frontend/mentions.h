/*
 * mentions.h - answers the rules' questions of where a name is written
 * (model/mentions.h) from a revision's tree.
 *
 * In:     a loaded revision and the questions mc_rules_mention_questions listed.
 * Out:    the answers, in an mc_mentions the caller frees.  Only the C files
 *         and headers the conventions do not skip are read; a name counts when
 *         it is written quoted ("x-foo").
 */
#ifndef MC_FRONTEND_MENTIONS_H
#define MC_FRONTEND_MENTIONS_H

#include "frontend/analysis.h"
#include "model/mentions.h"

void mc_revision_answer_mentions(const mc_revision *rev, const mc_mention_questions *q, mc_mentions *out);

/*
 * The same for the build model m stands for: the C files it does not compile
 * (m->replaced_files, replaced by Rust devices) are not read, so a name
 * written only in the C device a Rust one replaces is not a sign that it
 * exists there.
 */
void mc_revision_answer_mentions_in(const mc_revision *rev, const mc_model *m, const mc_mention_questions *q,
				    mc_mentions *out);

#endif
