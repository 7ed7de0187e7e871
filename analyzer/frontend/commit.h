/*
 * commit.h - the commit facts of a change, read from git (model/commit.h).
 *
 * In:     the repository, the base and head commits, the compat entries the
 *         change adds (for a range).
 * Out:    an mc_commit_facts the rules read; git is not touched after this.
 * Memory: the facts own everything; free them with mc_commit_facts_free().
 */
#ifndef MC_FRONTEND_COMMIT_H
#define MC_FRONTEND_COMMIT_H

#include "git/repo.h"
#include "model/commit.h"
#include "model/facts.h"

/*
 * The facts of one commit (a one-commit change, a patch of a series): the
 * trailers of its message, each Fixes: resolved against base.
 */
int mc_commit_facts_one(mc_commit_facts *out, mc_repo *repo, const mc_oid *base, const char *message);

/*
 * The facts of a range of many commits: for each entry, the trailers of the
 * commit of base..head that introduced it (the oldest of the unbroken run of
 * commits, newest first, that touched its file and have it).
 */
int mc_commit_facts_range(mc_commit_facts *out, mc_repo *repo, const mc_oid *base, const mc_oid *head,
			  const mc_compat_entry *const *entries, size_t nentries);

/*
 * The lines head adds or rewrites against base in each of paths (the files
 * findings name), for mc_findings_anchor.  A file that cannot be read or
 * compared (too large, binary) is left unknown: it only keeps its findings
 * where they are.
 */
void mc_changed_lines_read(mc_changed_lines *out, const mc_snapshot *base, const mc_snapshot *head,
			   const mc_strvec *paths, size_t max_size);

#endif
