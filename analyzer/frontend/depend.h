/*
 * depend.h - may a file keep the facts it had, when only headers it includes
 * changed?  Invalidation by what a file reads, not by what it includes
 * (issue 16): a const added to one prototype of a header every device
 * includes re-parses the files that name that function, not all of them.
 *
 * The answer is worked out from C text, with the one scanner every stage
 * shares (util/cscan.h), over the two include closures as tree.c prepared
 * them.  A header is cut into top-level chunks: a directive, or a
 * declaration up to its ';' (a function definition up to its '}').  Between
 * the two versions of each changed header, the chunks outside the common
 * start and end are the changed ones; what they declare is compared with
 * what the file can read: every identifier of the main file and of the
 * conditions of its closure, closed over the chunks that declare one of
 * them (a macro's body, a struct's members' types, a function's body).
 *
 * Every doubt answers "parse again", because a wrong reuse is a wrong
 * answer: a changed #include, #if or #pragma; a closure with other files;
 * a header whose braces do not balance; a changed declaration made by a
 * token-pasting macro (its names are not in the text); facts that point
 * into a changed header (their lines would be stale).  What a chunk
 * declares is over-approximated: every name at file scope, and every
 * argument of a macro invoked there.
 *
 * Ownership: a mc_depend owns the chunked texts it has seen, by blob id, so
 * that the headers of a tree are cut once per run.  Not thread-safe: one
 * caller at a time.
 */
#ifndef MC_DEPEND_H
#define MC_DEPEND_H

#include "frontend/tree.h"

typedef struct mc_depend mc_depend;

void mc_depend_new(mc_depend **out);
void mc_depend_free(mc_depend *d);

/*
 * 1 when facts parsed from `had` hold for `now`, the same main file with the
 * same flags and stubs (the caller checks that: the facts keys without the
 * include closure are equal); 0 when the file must be parsed again, with
 * *why (owned by the caller) saying why in a few words.  facts_json is the
 * JSON of had's facts: a mention of a changed header's path means they
 * carry its lines.
 */
int mc_depend_facts_hold(mc_depend *d, const mc_tu_input *had, const mc_tu_input *now, const char *facts_json,
			 char **why);

/*
 * The second half of mc_depend_facts_hold, for a caller that judged the
 * texts (facts_json NULL) before had's facts existed: 1, with *why, when
 * the facts name a header that differs between the closures.
 */
int mc_depend_facts_name_changed(const mc_tu_input *had, const mc_tu_input *now, const char *facts_json, char **why);

#endif
