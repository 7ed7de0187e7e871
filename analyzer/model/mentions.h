/*
 * mentions.h - where a name is written as a C string in a revision's tree.
 *
 * Some properties and types are not DEFINE_PROPs or static TypeInfos (added
 * by code, registered in a loop).  When a compat entry names one, the only
 * sign that it exists is its name written in the tree ("x-foo").  The rules
 * must not read files, so the question goes through this table:
 *
 *   1. a rule runs against a recorder (mc_mentions_recorder): every query is
 *      answered "no" and listed; "no" is the answer that asks the most, so
 *      the list is every question any answer could lead to;
 *   2. the front end answers the listed questions from the tree
 *      (frontend/mentions.h);
 *   3. the rules run on the answers.
 *
 * Memory: the table owns its keys and path lists; a recorder borrows the
 * question lists it fills.
 */
#ifndef MC_MENTIONS_H
#define MC_MENTIONS_H

#include "util/util.h"

typedef struct {
	mc_strvec names;     /* asked: which files of the tree write "name"? */
	mc_strvec pairs;     /* asked: does file path write "name"? as "path\nname" */
} mc_mention_questions;

typedef struct {
	mc_map where;        /* name -> mc_strvec * (owned): every file writing it, for names asked tree-wide */
	mc_map pairs;        /* "path\nname" -> non-NULL when that file writes it */
	mc_mention_questions *recorder; /* non-NULL: a recorder (borrowed), see above */
} mc_mentions;

/* A table that answers "no" to everything and lists the questions in q. */
void mc_mentions_recorder(mc_mentions *m, mc_mention_questions *q);
void mc_mention_questions_free(mc_mention_questions *q);

/* Records the answers: the file path writes "name" (tree-wide when all_files). */
void mc_mentions_add(mc_mentions *m, const char *name, const char *path, int all_files);
/* Records that name was looked up tree-wide (found nowhere unless added). */
void mc_mentions_asked(mc_mentions *m, const char *name);

/* Does file path write "name"? */
int mc_mentions_in_file(const mc_mentions *m, const char *name, const char *path);
/* Does a file of the tree other than those in except write "name"? */
int mc_mentions_elsewhere(const mc_mentions *m, const char *name, const mc_strvec *except);

void mc_mentions_free(mc_mentions *m);

#endif
