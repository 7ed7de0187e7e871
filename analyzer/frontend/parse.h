/*
 * parse.h - the libclang front end: one file of a revision -> mc_facts.
 *
 * A parser owns one CXIndex and is used by one thread at a time; run one
 * parser per worker.  A file libclang cannot parse still yields facts (with
 * parsed = 0 and the reason) so the run goes on and coverage can say so.
 */
#ifndef MC_PARSE_H
#define MC_PARSE_H

#include "model/facts.h"
#include "frontend/tree.h"

typedef struct mc_parser mc_parser;

int mc_parser_new(mc_parser **out);
void mc_parser_free(mc_parser *p);

/*
 * Parses a file prepared with mc_tree_prepare() and extracts its facts.
 * Always sets *out; a file libclang cannot parse gives facts with parsed = 0
 * and the reason.  Returns 1 when libclang crashed (its crash recovery caught
 * an abort, often a refused allocation): such facts say nothing lasting about
 * the file and are not to be cached.  Otherwise 0.
 */
int mc_parser_run(mc_parser *p, mc_tree *tree, const char *path, const mc_tu_input *in, mc_facts **out);

/*
 * Parses the common headers (in->main_path holds only #include lines) and
 * saves them as a precompiled header at out_path, outside the repository.
 * Later parses add "-include-pch out_path" and skip re-reading those headers.
 */
int mc_parser_save_pch(mc_parser *p, const mc_tu_input *in, const char *out_path);

#endif
