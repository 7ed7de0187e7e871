/*
 * repo.h - read-only access to the analyzed git repository (libgit2).
 *
 * A snapshot is the set of files of one revision: path -> blob id, sorted by
 * path.  It comes from a commit's tree, from the index (--cached) or from the
 * work tree (--worktree).  File contents are always read through
 * mc_snapshot_read(); nothing is checked out and nothing is ever written to
 * the repository (no object database writes, no index writes, no refs).
 */
#ifndef MC_REPO_H
#define MC_REPO_H

#include <stddef.h>

typedef struct mc_repo mc_repo;

/* 40 hex digits plus NUL. */
typedef struct {
	char hex[41];
} mc_oid;

/* Is this the all-zero id (index/worktree snapshots, head of a plain revision)? */
int mc_oid_is_zero(const mc_oid *oid);

/* Opens a repository: a work tree, a .git directory or a bare repository. */
int mc_repo_open(mc_repo **out, const char *path);
void mc_repo_free(mc_repo *repo);

/*
 * Resolves a revision (anything git_revparse_single understands that peels
 * to a commit) to a commit id.  Error message names the revision.
 */
int mc_repo_resolve(mc_repo *repo, mc_oid *out, const char *rev);

/*
 * Splits "A..B" or "A...B" into two commits; for "..." the first becomes the
 * merge base of A and B.  A plain revision gives *is_range = 0 and only base.
 * An empty side ("A.." or "..B") means HEAD, as for git.
 */
int mc_repo_resolve_range(mc_repo *repo, const char *spec, mc_oid *base,
			  mc_oid *head, int *is_range);

/* Full commit message; caller frees. */
int mc_repo_commit_message(mc_repo *repo, const mc_oid *commit, char **out);
/* First line of the message; caller frees. */
int mc_repo_commit_subject(mc_repo *repo, const mc_oid *commit, char **out);

/* Is ancestor an ancestor of (or equal to) descendant? 1 yes, 0 no, <0 error. */
int mc_repo_is_ancestor(mc_repo *repo, const mc_oid *ancestor, const mc_oid *descendant);

/*
 * Commits of base..head in topological order, oldest first, first parent only
 * for merges; *out is an array of n ids the caller frees.
 */
int mc_repo_walk_range(mc_repo *repo, const mc_oid *base, const mc_oid *head,
		       mc_oid **out, size_t *n);

/*
 * Commits from head back (newest first) that touched path, at most max of
 * them, stopping at stop (exclusive, may be NULL).  Used to find the commits
 * that introduced a compat entry.
 */
int mc_repo_log_path(mc_repo *repo, const mc_oid *head, const mc_oid *stop,
		     const char *path, size_t max, mc_oid **out, size_t *n);

/* One file at one commit, NUL-terminated (caller frees); MC_ENOTFOUND when absent. */
int mc_repo_read_path(mc_repo *repo, const mc_oid *commit, const char *path, size_t max_size, char **data,
		      size_t *len);

typedef struct {
	char *path;      /* repository-relative, '/' separated */
	mc_oid blob;     /* for a work-tree file: the id its content would hash to */
	size_t size;     /* MC_FILE_SIZE_UNKNOWN until read: a commit's files are listed without their headers */
} mc_file;

#define MC_FILE_SIZE_UNKNOWN ((size_t)-1)

typedef struct mc_snapshot {
	mc_repo *repo;
	mc_file *files;  /* sorted by path */
	size_t nfiles;
	char *label;     /* the revision as the user gave it, or "index"/"worktree" */
	mc_oid commit;   /* zero hex for index/worktree */
	mc_oid tree;     /* the commit's root tree; zero hex for index/worktree */
	char *workdir;   /* set only for a work-tree snapshot: files are read from disk */
} mc_snapshot;

/*
 * Where the file list of a tree may be kept across runs: listing a tree
 * inflates every tree object of it, a tenth of a second for QEMU, more than
 * the rest of a check whose facts are all known.  get returns the text put
 * earlier for that tree id ("<blob hex> <path>" lines, sorted by path; the
 * caller frees it) or NULL; put keeps it.  Set by a layer above (the facts
 * cache); without it every tree is walked.
 */
typedef struct {
	char *(*get)(void *arg, const mc_oid *tree);
	void (*put)(void *arg, const mc_oid *tree, const char *text);
	void *arg;
} mc_listing_cache;
void mc_repo_set_listing_cache(mc_repo *repo, const mc_listing_cache *cache);

int mc_snapshot_from_commit(mc_snapshot **out, mc_repo *repo, const mc_oid *commit, const char *label);
int mc_snapshot_from_index(mc_snapshot **out, mc_repo *repo);
int mc_snapshot_from_worktree(mc_snapshot **out, mc_repo *repo);
void mc_snapshot_free(mc_snapshot *snap);

/* Binary search by path; NULL when absent. */
const mc_file *mc_snapshot_find(const mc_snapshot *snap, const char *path);

/*
 * Reads a file's content into a NUL-terminated buffer the caller frees.
 * Files larger than max_size fail with MC_EINPUT and a message naming them.
 */
int mc_snapshot_read(const mc_snapshot *snap, const mc_file *file, size_t max_size,
		     char **data, size_t *len);

/*
 * The lines of path that b adds or rewrites against a, as inclusive
 * [first, last] pairs of b's line numbers in order (*ranges holds 2 * *n
 * ints; caller frees).  A path absent from a is all new; absent from b, or
 * the same blob, has none.  A side larger than max_size, or binary, fails
 * with MC_EINPUT.
 */
int mc_snapshot_changed_lines(const mc_snapshot *a, const mc_snapshot *b, const char *path, size_t max_size,
			      int **ranges, size_t *n);

/* Paths whose blob differs (added, removed or modified) between a and b, sorted. */
int mc_snapshot_changed_paths(const mc_snapshot *a, const mc_snapshot *b, char ***paths, size_t *n);

#endif
