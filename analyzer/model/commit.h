/*
 * commit.h - what the commits of a change say about it, as plain data.
 *
 * In:     the commit messages of the change and, for a Fixes: trailer, what
 *         git knows of the commit it names (frontend/commit.h fills these).
 * Out:    trailers the rules read to tell a deliberate placement in an older
 *         compat array (a fix of a regression that already shipped) from a
 *         mistake.  Nothing here reads git: the rules stay pure functions of
 *         (base model, head model, commit facts).
 * Memory: every string and list is owned by the structure that holds it.
 */
#ifndef MC_COMMIT_H
#define MC_COMMIT_H

#include <stddef.h>
#include "util/util.h"

typedef enum { MC_TRAILER_STABLE, MC_TRAILER_FIXES } mc_trailer_kind;

typedef struct {
	mc_trailer_kind kind;
	char *line;         /* the trailer as written: "Fixes: 1234abcd (\"...\")" */
	char *fixed;        /* MC_TRAILER_FIXES: the abbreviated id it names */
	/* MC_TRAILER_FIXES, filled by frontend/commit.h; all -1 (unknown) until then:
	 * the VERSION of the fixed commit, when it is an ancestor of the base. */
	int fixed_major, fixed_minor, fixed_micro;
} mc_trailer;

typedef struct {
	mc_trailer *v;
	size_t n, cap;
} mc_trailers;

/* The Cc: qemu-stable and Fixes: <id> trailers of a commit message, in order. */
void mc_trailers_parse(mc_trailers *out, const char *message);
void mc_trailers_free(mc_trailers *t);

/*
 * Commit facts of a change.  A change of one commit (or one patch of
 * --each-commit) is judged by its own message; a range of many commits judges
 * each compat entry by the message of the commit that introduced it, because
 * one commit's Fixes: says nothing of another's entries.  A change that is
 * not made of commits (the index, the work tree) has no facts: known == 0.
 */
typedef struct {
	int known;
	mc_trailers change;  /* one commit: its trailers */
	int per_entry;       /* a range: look entries up in by_entry */
	mc_map by_entry;     /* mc_commit_entry_key() -> mc_trailers * (owned) */
} mc_commit_facts;

/* The key of an entry in by_entry: its file and property; caller frees. */
char *mc_commit_entry_key(const char *file, const char *property);
/* The trailers of the commit that introduced the entry (or of the change); NULL if none known. */
const mc_trailers *mc_commit_facts_for_entry(const mc_commit_facts *cf, const char *file, const char *property);
void mc_commit_facts_free(mc_commit_facts *cf);

/*
 * The lines a change adds or rewrites, per file, on the head side: where a
 * finding should point (the DEFINE_PROP or entry the change wrote), so that
 * code-scanning annotations land on the diff.  Filled by the front end for
 * the files findings name; a file not in it is unknown, not unchanged.
 */
typedef struct {
	char *path;
	int *ranges;         /* 2 * n ints: inclusive [first, last] line pairs, in order */
	size_t n;
} mc_changed_file;

typedef struct {
	mc_changed_file *v;
	size_t n, cap;
} mc_changed_lines;

/* Records the changed lines of path (ranges is taken over). */
void mc_changed_lines_add(mc_changed_lines *c, const char *path, int *ranges, size_t n);
/* 1: line of path was changed; 0: it was not; -1: path is not known. */
int mc_changed_lines_has(const mc_changed_lines *c, const char *path, int line);
void mc_changed_lines_free(mc_changed_lines *c);

/*
 * Does a trailer make the change a fix of a regression that already shipped?
 * Cc: qemu-stable always does; Fixes: does when the fixed commit was part of a
 * release at or before the base's last release (released_major.minor): a
 * VERSION of X.Y.50 or more is the development of the release after X.Y.
 */
int mc_trailer_is_stable_fix(const mc_trailer *t, int released_major, int released_minor);

#endif
