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
#include "findings.h"
#include "repo.h"

/*
 * Writes the diff to out (nothing when there is nothing to add).  Findings
 * that cannot be fixed this way (no suggestion, an array that does not exist
 * yet, an old macro-style list) get one line each in skipped, saying why.
 */
int mc_fix_write(FILE *out, const mc_findings *fs, const mc_snapshot *head, mc_strvec *skipped);

#endif
