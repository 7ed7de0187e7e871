/*
 * repo_internal.h - what the files of analyzer/git share about an mc_repo
 * and no other stage sees: its libgit2 handle.
 */
#ifndef MC_REPO_INTERNAL_H
#define MC_REPO_INTERNAL_H

#include <git2.h>
#include "git/repo.h"

/* Borrowed: owned by the mc_repo. */
git_repository *mc_repo_git(mc_repo *repo);
/* Has mbox.c put an in-memory object backend in front of the repository's objects? */
int mc_repo_memory_objects(const mc_repo *repo);
void mc_repo_set_memory_objects(mc_repo *repo);

#endif
