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

#endif
