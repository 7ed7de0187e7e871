/*
 * fix.h - --fix: the compat entries the findings ask for, as a patch.
 *
 * The rules already name the fix of each finding they can fix (the entry
 * text, the array and its file: mc_finding.suggestion*).  This turns those
 * into a unified diff against head's files that `git apply` accepts: each
 * entry goes just before the closing brace of its array, indented like the
 * entries above it.  An entry already in the array is not added twice.
 */
#ifndef MC_FIX_H
#define MC_FIX_H

#include <stdio.h>
#include "rules/findings.h"
#include "git/repo.h"

/* Reads a file of the revision being fixed: NUL-terminated text the caller frees. */
typedef int (*mc_fix_reader)(void *ctx, const char *path, char **text, size_t *len);
/* The reader for a snapshot (ctx is the mc_snapshot). */
int mc_fix_read_snapshot(void *snapshot, const char *path, char **text, size_t *len);

/*
 * Writes the diff to out (nothing when there is nothing to add).  Findings
 * that cannot be fixed this way (no suggestion, an array that does not exist
 * yet, an old macro-style list, odd text) get one line each in skipped,
 * saying why.
 */
int mc_fix_write(FILE *out, const mc_findings *fs, mc_fix_reader read, void *ctx, mc_strvec *skipped);

#endif
