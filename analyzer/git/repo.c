/*
 * repo.c - see repo.h.
 *
 * Everything here is read-only: objects are looked up, the index is read and
 * work-tree files are hashed with git_odb_hashfile, which never writes.
 * Only mc_snapshot_read() may be called from several threads at once; its
 * libgit2 calls are serialised by mc_repo.lock.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "git/repo.h"
#include "git/repo_internal.h"
#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct mc_repo {
	git_repository *git;
	char *name;             /* work tree (or git dir when bare), for messages */
	pthread_mutex_t lock;   /* serialises libgit2 calls in mc_snapshot_read */
	int memory_objects;     /* writes go to an in-memory backend (mbox.c) */
	mc_listing_cache listings; /* get NULL: none */
};

void mc_repo_set_listing_cache(mc_repo *repo, const mc_listing_cache *cache)
{
	repo->listings = *cache;
}

git_repository *mc_repo_git(mc_repo *repo)
{
	return repo->git;
}

int mc_repo_memory_objects(const mc_repo *repo)
{
	return repo->memory_objects;
}

void mc_repo_set_memory_objects(mc_repo *repo)
{
	repo->memory_objects = 1;
}

/* ---- small helpers ---------------------------------------------------- */

static const char *git_msg(void)
{
	const git_error *e = git_error_last();
	return e && e->message ? e->message : "unknown libgit2 error";
}

static void oid_to_mc(mc_oid *out, const git_oid *id)
{
	git_oid_tostr(out->hex, sizeof(out->hex), id);
}

static void oid_set_zero(mc_oid *out)
{
	memset(out->hex, '0', 40);
	out->hex[40] = '\0';
}

int mc_oid_is_zero(const mc_oid *oid)
{
	if (oid->hex[0] == '\0')
		return 1;
	for (size_t i = 0; i < 40; i++)
		if (oid->hex[i] != '0')
			return 0;
	return 1;
}

static int oid_from_mc(git_oid *out, const mc_oid *id)
{
	if (strlen(id->hex) != 40 || git_oid_fromstr(out, id->hex) < 0) {
		mc_error_set("invalid object id '%.40s'", id->hex);
		return MC_EINPUT;
	}
	return 0;
}

static int lookup_commit(git_commit **out, mc_repo *repo, const mc_oid *id)
{
	git_oid oid;
	int err = oid_from_mc(&oid, id);
	if (err)
		return err;
	if (git_commit_lookup(out, repo->git, &oid) < 0) {
		mc_error_set("commit %s not found in %s: %s", id->hex, repo->name, git_msg());
		return MC_ENOTFOUND;
	}
	return 0;
}

/* ---- opening ---------------------------------------------------------- */

static char *display_name(git_repository *git)
{
	const char *dir = git_repository_workdir(git);
	if (!dir)
		dir = git_repository_path(git);
	size_t n = strlen(dir);
	if (n > 1 && dir[n - 1] == '/')
		n--;
	return mc_strndup(dir, n);
}

static int open_error(const char *path, int gerr)
{
	if (gerr == GIT_EOWNER) {
		mc_error_set("'%s' is owned by another user; if you trust it, run: "
			     "git config --global --add safe.directory '%s'", path, path);
		return MC_EINPUT;
	}
	if (gerr == GIT_ENOTFOUND) {
		mc_error_set("'%s' is not a git repository (nor is any parent directory)", path);
		return MC_EINPUT;
	}
	mc_error_set("cannot open repository '%s': %s", path, git_msg());
	return MC_EIO;
}

/* Is path (which exists) the directory dir or inside it? */
static int path_is_within(const char *path, const char *dir)
{
	char *rp = realpath(path, NULL), *rd = realpath(dir, NULL);
	int within = 0;

	if (rp && rd) {
		size_t n = strlen(rd);
		within = strncmp(rp, rd, n) == 0 && (rp[n] == '\0' || rp[n] == '/' || n == 1);
	}
	free(rp);
	free(rd);
	return within;
}

/*
 * libgit2 assumes a work tree (the parent directory) when a git directory has
 * no core.bare setting, as in a mirror without a config file.  git treats a
 * git directory it was pointed at as bare; so do we, unless it is a ".git"
 * directory, whose parent really is the work tree.
 */
static int should_be_bare(git_repository *git, const char *path)
{
	const char *gitdir = git_repository_path(git);
	git_config *cfg;
	int bare, gerr;

	if (git_repository_is_bare(git) || git_repository_is_worktree(git) ||
	    mc_str_endswith(gitdir, "/.git/") || !path_is_within(path, gitdir))
		return 0;
	if (git_repository_config_snapshot(&cfg, git) < 0)
		return 0;
	gerr = git_config_get_bool(&bare, cfg, "core.bare");
	git_config_free(cfg);
	return gerr == GIT_ENOTFOUND;
}

static int open_git(git_repository **out, const char *path)
{
	int gerr = git_repository_open_ext(out, path, 0, NULL);
	if (gerr < 0 || !should_be_bare(*out, path))
		return gerr;

	char *gitdir = mc_strdup(git_repository_path(*out));
	git_repository_free(*out);
	gerr = git_repository_open_ext(out, gitdir, GIT_REPOSITORY_OPEN_NO_SEARCH |
				       GIT_REPOSITORY_OPEN_BARE, NULL);
	free(gitdir);
	return gerr;
}

int mc_repo_open(mc_repo **out, const char *path)
{
	struct stat st;
	git_repository *git = NULL;

	*out = NULL;
	if (!path || !*path) {
		mc_error_set("no repository path given");
		return MC_EINPUT;
	}
	if (stat(path, &st) < 0) {
		mc_error_set("repository path '%s': %s", path, strerror(errno));
		return MC_EINPUT;
	}
	if (!S_ISDIR(st.st_mode)) {
		mc_error_set("repository path '%s' is not a directory", path);
		return MC_EINPUT;
	}

	git_libgit2_init();
	/* Searches upward like git and accepts bare and .git directories. */
	int gerr = open_git(&git, path);
	if (gerr < 0) {
		int err = open_error(path, gerr);
		git_libgit2_shutdown();
		return err;
	}

	mc_repo *repo = mc_calloc(1, sizeof(*repo));
	repo->git = git;
	repo->name = display_name(git);
	pthread_mutex_init(&repo->lock, NULL);
	*out = repo;
	return 0;
}

void mc_repo_free(mc_repo *repo)
{
	if (!repo)
		return;
	git_repository_free(repo->git);
	pthread_mutex_destroy(&repo->lock);
	free(repo->name);
	free(repo);
	git_libgit2_shutdown();
}

/* ---- revisions -------------------------------------------------------- */

static int revparse_error(mc_repo *repo, const char *rev, int gerr)
{
	switch (gerr) {
	case GIT_EAMBIGUOUS:
		mc_error_set("ambiguous revision '%s' in %s: the short id matches several "
			     "objects; give more hex digits", rev, repo->name);
		return MC_EINPUT;
	case GIT_ENOTFOUND:
	case GIT_EUNBORNBRANCH:
		if (git_repository_head_unborn(repo->git) == 1 && mc_str_startswith(rev, "HEAD"))
			mc_error_set("unknown revision '%s' in %s: the current branch has no "
				     "commits yet", rev, repo->name);
		else
			mc_error_set("unknown revision '%s' in %s", rev, repo->name);
		return MC_EINPUT;
	default:
		mc_error_set("invalid revision '%s' in %s: %s", rev, repo->name, git_msg());
		return MC_EINPUT;
	}
}

/*
 * Does rev name a reference whose object is not in the repository (a shallow
 * clone, a pruned object)?  Asked before git_revparse_single, which in
 * libgit2 1.5 leaks the reference on that path; the message is clearer too.
 */
static int ref_target_missing(mc_repo *repo, const char *rev, char hex[GIT_OID_HEXSZ + 1])
{
	git_reference *ref = NULL, *resolved = NULL;
	git_odb *odb = NULL;
	int missing = 0;
	if (git_reference_dwim(&ref, repo->git, rev) == 0 && git_reference_resolve(&resolved, ref) == 0 &&
	    git_repository_odb(&odb, repo->git) == 0) {
		missing = !git_odb_exists(odb, git_reference_target(resolved));
		git_oid_tostr(hex, GIT_OID_HEXSZ + 1, git_reference_target(resolved));
	}
	git_odb_free(odb);
	git_reference_free(resolved);
	git_reference_free(ref);
	git_error_clear();
	return missing;
}

int mc_repo_resolve(mc_repo *repo, mc_oid *out, const char *rev)
{
	git_object *obj = NULL, *commit = NULL;
	char missing[GIT_OID_HEXSZ + 1];

	if (!rev || !*rev) {
		mc_error_set("empty revision given for %s", repo->name);
		return MC_EINPUT;
	}
	if (ref_target_missing(repo, rev, missing)) {
		mc_error_set("revision '%s' names %s, which is not in %s (a shallow clone?)", rev, missing, repo->name);
		return MC_EINPUT;
	}
	int gerr = git_revparse_single(&obj, repo->git, rev);
	if (gerr < 0)
		return revparse_error(repo, rev, gerr);

	if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		mc_error_set("revision '%s' in %s names a %s, not a commit", rev, repo->name,
			     git_object_type2string(git_object_type(obj)));
		git_object_free(obj);
		return MC_EINPUT;
	}
	oid_to_mc(out, git_object_id(commit));
	git_object_free(commit);
	git_object_free(obj);
	return 0;
}

/* Resolves one side of a range; an empty side means HEAD, as for git. */
static int resolve_side(mc_repo *repo, mc_oid *out, const char *spec, size_t len)
{
	if (len == 0)
		return mc_repo_resolve(repo, out, "HEAD");
	char *rev = mc_strndup(spec, len);
	int err = mc_repo_resolve(repo, out, rev);
	free(rev);
	return err;
}

static int merge_base(mc_repo *repo, mc_oid *out, const mc_oid *a, const mc_oid *b,
		      const char *spec)
{
	git_oid ga, gb, base;
	int err;

	if ((err = oid_from_mc(&ga, a)) < 0 || (err = oid_from_mc(&gb, b)) < 0)
		return err;
	int gerr = git_merge_base(&base, repo->git, &ga, &gb);
	if (gerr == GIT_ENOTFOUND) {
		mc_error_set("'%s': the two sides have no common ancestor in %s", spec, repo->name);
		return MC_EINPUT;
	}
	if (gerr < 0) {
		mc_error_set("'%s': cannot compute merge base in %s: %s", spec, repo->name, git_msg());
		return MC_EIO;
	}
	oid_to_mc(out, &base);
	return 0;
}

int mc_repo_resolve_range(mc_repo *repo, const char *spec, mc_oid *base,
			  mc_oid *head, int *is_range)
{
	const char *dots;
	size_t ndots;
	int err;

	*is_range = 0;
	oid_set_zero(head);
	if (!spec || !*spec) {
		mc_error_set("empty revision range given for %s", repo->name);
		return MC_EINPUT;
	}
	if ((dots = strstr(spec, "...")) != NULL)
		ndots = 3;
	else if ((dots = strstr(spec, "..")) != NULL)
		ndots = 2;
	else
		return mc_repo_resolve(repo, base, spec);

	const char *right = dots + ndots;
	if ((err = resolve_side(repo, base, spec, (size_t)(dots - spec))) < 0 ||
	    (err = resolve_side(repo, head, right, strlen(right))) < 0)
		return err;
	if (ndots == 3) {
		mc_oid a = *base;
		if ((err = merge_base(repo, base, &a, head, spec)) < 0)
			return err;
	}
	*is_range = 1;
	return 0;
}

/* ---- commits ---------------------------------------------------------- */

int mc_repo_commit_message(mc_repo *repo, const mc_oid *commit, char **out)
{
	git_commit *c;
	int err = lookup_commit(&c, repo, commit);
	*out = NULL;
	if (err)
		return err;
	const char *msg = git_commit_message(c);
	*out = mc_strdup(msg ? msg : "");
	git_commit_free(c);
	return 0;
}

int mc_repo_commit_subject(mc_repo *repo, const mc_oid *commit, char **out)
{
	char *msg;
	int err = mc_repo_commit_message(repo, commit, &msg);
	*out = NULL;
	if (err)
		return err;
	size_t n = strcspn(msg, "\n");
	while (n > 0 && (msg[n - 1] == '\r' || msg[n - 1] == ' ' || msg[n - 1] == '\t'))
		n--;
	*out = mc_strndup(msg, n);
	free(msg);
	return 0;
}

int mc_repo_is_ancestor(mc_repo *repo, const mc_oid *ancestor, const mc_oid *descendant)
{
	git_commit *a, *d;
	int err;

	/* Look both up first so a bad id gets a message naming it. */
	if ((err = lookup_commit(&a, repo, ancestor)) < 0)
		return err;
	if ((err = lookup_commit(&d, repo, descendant)) < 0) {
		git_commit_free(a);
		return err;
	}
	if (git_oid_equal(git_commit_id(a), git_commit_id(d)))
		err = 1;
	else if ((err = git_graph_descendant_of(repo->git, git_commit_id(d), git_commit_id(a))) < 0) {
		mc_error_set("cannot compare %s and %s in %s: %s", ancestor->hex,
			     descendant->hex, repo->name, git_msg());
		err = MC_EIO;
	}
	git_commit_free(a);
	git_commit_free(d);
	return err;
}

static int walk_new(git_revwalk **out, mc_repo *repo, const mc_oid *head,
		    const mc_oid *hide, unsigned sort)
{
	git_oid oid;
	int err;

	if ((err = oid_from_mc(&oid, head)) < 0)
		return err;
	if (git_revwalk_new(out, repo->git) < 0) {
		mc_error_set("cannot walk history of %s: %s", repo->name, git_msg());
		return MC_EIO;
	}
	git_revwalk_sorting(*out, sort);
	if (git_revwalk_push(*out, &oid) < 0) {
		mc_error_set("commit %s not found in %s: %s", head->hex, repo->name, git_msg());
		goto fail;
	}
	if (hide && !mc_oid_is_zero(hide)) {
		if ((err = oid_from_mc(&oid, hide)) < 0)
			goto fail_keep;
		if (git_revwalk_hide(*out, &oid) < 0) {
			mc_error_set("commit %s not found in %s: %s", hide->hex, repo->name, git_msg());
			goto fail;
		}
	}
	return 0;
fail:
	err = MC_ENOTFOUND;
fail_keep:
	git_revwalk_free(*out);
	*out = NULL;
	return err;
}

int mc_repo_walk_range(mc_repo *repo, const mc_oid *base, const mc_oid *head,
		       mc_oid **out, size_t *n)
{
	git_revwalk *walk;
	git_oid oid;
	size_t cap = 0;
	int gerr, err;

	*out = NULL;
	*n = 0;
	if ((err = walk_new(&walk, repo, head, base, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE)) < 0)
		return err;
	git_revwalk_simplify_first_parent(walk);
	while ((gerr = git_revwalk_next(&oid, walk)) == 0)
		oid_to_mc(MC_VEC_PUSH(*out, *n, cap), &oid);
	git_revwalk_free(walk);
	if (gerr != GIT_ITEROVER) {
		mc_error_set("cannot walk %s..%s in %s: %s", base ? base->hex : "",
			     head->hex, repo->name, git_msg());
		free(*out);
		*out = NULL;
		*n = 0;
		return MC_EIO;
	}
	return 0;
}

/* ---- path history ----------------------------------------------------- */

/* What a commit's tree holds at one path: the entry id, or absent. */
typedef struct {
	git_oid commit;
	git_oid id;
	int present;
	int valid;      /* cache slot in use */
} path_state;

static int path_state_at(path_state *out, const git_commit *c, const char *path)
{
	git_tree *tree;
	git_tree_entry *entry;

	git_oid_cpy(&out->commit, git_commit_id(c));
	out->present = 0;
	out->valid = 1;
	if (git_commit_tree(&tree, c) < 0)
		return -1;
	int gerr = git_tree_entry_bypath(&entry, tree, path);
	git_tree_free(tree);
	if (gerr == GIT_ENOTFOUND)
		return 0;
	if (gerr < 0)
		return -1;
	git_oid_cpy(&out->id, git_tree_entry_id(entry));
	out->present = 1;
	git_tree_entry_free(entry);
	return 0;
}

static int path_state_equal(const path_state *a, const path_state *b)
{
	if (a->present != b->present)
		return 0;
	return !a->present || git_oid_equal(&a->id, &b->id);
}

/*
 * Does c change path relative to its parents?  A root commit touches what it
 * adds; a merge touches only what differs from every parent (as git log does),
 * so the side-branch commit, not the merge, is reported.  *cache holds the
 * first parent's state, which is usually the next commit the walk visits.
 */
static int commit_touches(git_commit *c, const char *path, path_state *cache)
{
	path_state self, parent;
	unsigned np = git_commit_parentcount(c);
	int touched = 1;

	if (cache->valid && git_oid_equal(&cache->commit, git_commit_id(c)))
		self = *cache;
	else if (path_state_at(&self, c, path) < 0)
		return -1;
	if (np == 0)
		return self.present;

	for (unsigned i = 0; i < np && touched; i++) {
		git_commit *p;
		if (git_commit_parent(&p, c, i) < 0)
			return -1;
		int gerr = path_state_at(&parent, p, path);
		git_commit_free(p);
		if (gerr < 0)
			return -1;
		if (i == 0)
			*cache = parent;
		touched = !path_state_equal(&self, &parent);
	}
	return touched;
}

int mc_repo_log_path(mc_repo *repo, const mc_oid *head, const mc_oid *stop,
		     const char *path, size_t max, mc_oid **out, size_t *n)
{
	git_revwalk *walk;
	git_oid oid;
	path_state cache = { .valid = 0 };
	size_t cap = 0;
	int gerr = 0, err;

	*out = NULL;
	*n = 0;
	/*
	 * No explicit sorting: libgit2 then streams commits by date; any sort
	 * mode would first walk the whole history (130k commits for QEMU).
	 */
	if ((err = walk_new(&walk, repo, head, stop, GIT_SORT_NONE)) < 0)
		return err;
	while ((max == 0 || *n < max) && (gerr = git_revwalk_next(&oid, walk)) == 0) {
		git_commit *c;
		int touched = -1;
		if (git_commit_lookup(&c, repo->git, &oid) == 0) {
			touched = commit_touches(c, path, &cache);
			git_commit_free(c);
		}
		if (touched < 0) {
			gerr = -1;
			break;
		}
		if (touched)
			oid_to_mc(MC_VEC_PUSH(*out, *n, cap), &oid);
	}
	git_revwalk_free(walk);
	if (gerr < 0 && gerr != GIT_ITEROVER) {
		mc_error_set("cannot read history of '%s' in %s: %s", path, repo->name, git_msg());
		free(*out);
		*out = NULL;
		*n = 0;
		return MC_EIO;
	}
	return 0;
}

/* ---- snapshots -------------------------------------------------------- */

static mc_snapshot *snapshot_new(mc_repo *repo, const char *label)
{
	mc_snapshot *snap = mc_calloc(1, sizeof(*snap));
	snap->repo = repo;
	snap->label = mc_strdup(label);
	oid_set_zero(&snap->commit);
	oid_set_zero(&snap->tree);
	return snap;
}

static void snapshot_add(mc_snapshot *snap, size_t *cap, char *path, const git_oid *id,
			 size_t size)
{
	mc_file *f = MC_VEC_PUSH(snap->files, snap->nfiles, *cap);
	f->path = path;
	oid_to_mc(&f->blob, id);
	f->size = size;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const mc_file *)a)->path, ((const mc_file *)b)->path);
}

static void snapshot_sort(mc_snapshot *snap)
{
	if (snap->nfiles > 1)
		qsort(snap->files, snap->nfiles, sizeof(mc_file), cmp_file);
}

void mc_snapshot_free(mc_snapshot *snap)
{
	if (!snap)
		return;
	for (size_t i = 0; i < snap->nfiles; i++)
		free(snap->files[i].path);
	free(snap->files);
	free(snap->label);
	free(snap->workdir);
	free(snap);
}

/* Only regular files are analyzed: symlinks and submodules are skipped. */
static int is_file_mode(unsigned mode)
{
	return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

typedef struct {
	mc_snapshot *snap;
	size_t cap;
	git_odb *odb;
	char *missing;  /* the path of a blob the object database lacks */
} tree_walk_ctx;

static int tree_walk_cb(const char *root, const git_tree_entry *entry, void *payload)
{
	tree_walk_ctx *ctx = payload;
	if (!is_file_mode(git_tree_entry_filemode(entry)))
		return 0;
	/*
	 * No size yet: reading the header of every blob of a tree costs more
	 * than the rest of a check that reuses its facts; the few files read
	 * get theirs in read_blob.
	 */
	char *path = mc_sprintf("%s%s", root, git_tree_entry_name(entry));
	/* An index lookup, not a read: a lost blob is still an error of the listing, not of a later read. */
	if (!git_odb_exists(ctx->odb, git_tree_entry_id(entry))) {
		ctx->missing = path;
		return -1;
	}
	snapshot_add(ctx->snap, &ctx->cap, path, git_tree_entry_id(entry), MC_FILE_SIZE_UNKNOWN);
	return 0;
}

static int is_hex40(const char *p)
{
	for (int i = 0; i < 40; i++)
		if (!isxdigit((unsigned char)p[i]))
			return 0;
	return 1;
}

/*
 * The files of snap's tree from the listing cache; 0 (snap left empty) when
 * it has none or the text is not a sorted listing.
 */
static int listing_load(mc_snapshot *snap, size_t *cap)
{
	mc_repo *repo = snap->repo;
	char *text = repo->listings.get ? repo->listings.get(repo->listings.arg, &snap->tree) : NULL;
	int ok = text != NULL;
	for (const char *p = text; ok && *p;) {
		const char *eol = strchr(p, '\n');
		ok = eol && eol - p > 41 && is_hex40(p) && p[40] == ' ';
		if (!ok)
			break;
		git_oid id;
		ok = git_oid_fromstrn(&id, p, 40) == 0;
		if (ok)
			snapshot_add(snap, cap, mc_strndup(p + 41, (size_t)(eol - p - 41)), &id, MC_FILE_SIZE_UNKNOWN);
		ok = ok && (snap->nfiles < 2 ||
			    strcmp(snap->files[snap->nfiles - 2].path, snap->files[snap->nfiles - 1].path) < 0);
		p = eol + 1;
	}
	free(text);
	if (!ok) {
		for (size_t i = 0; i < snap->nfiles; i++)
			free(snap->files[i].path);
		snap->nfiles = 0;
	}
	return ok;
}

static void listing_save(const mc_snapshot *snap)
{
	mc_repo *repo = snap->repo;
	if (!repo->listings.put)
		return;
	/* A path with a newline would not read back as one line: such a tree is walked each time. */
	for (size_t i = 0; i < snap->nfiles; i++)
		if (strchr(snap->files[i].path, '\n'))
			return;
	mc_buf b = { 0 };
	for (size_t i = 0; i < snap->nfiles; i++)
		mc_buf_printf(&b, "%s %s\n", snap->files[i].blob.hex, snap->files[i].path);
	repo->listings.put(repo->listings.arg, &snap->tree, b.ptr ? b.ptr : "");
	mc_buf_free(&b);
}

int mc_snapshot_from_commit(mc_snapshot **out, mc_repo *repo, const mc_oid *commit, const char *label)
{
	git_commit *c;
	git_tree *tree = NULL;
	tree_walk_ctx ctx = { 0 };
	int err;

	*out = NULL;
	if ((err = lookup_commit(&c, repo, commit)) < 0)
		return err;
	if (git_commit_tree(&tree, c) < 0 || git_repository_odb(&ctx.odb, repo->git) < 0) {
		mc_error_set("cannot read the tree of %s in %s: %s", commit->hex, repo->name, git_msg());
		err = MC_EIO;
		goto out;
	}
	ctx.snap = snapshot_new(repo, label ? label : commit->hex);
	ctx.snap->commit = *commit;
	oid_to_mc(&ctx.snap->tree, git_tree_id(tree));
	if (listing_load(ctx.snap, &ctx.cap))
		goto listed;
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, tree_walk_cb, &ctx) < 0) {
		if (ctx.missing)
			mc_error_set("cannot list the files of %s in %s: object not found: the blob of %s is missing",
				     commit->hex, repo->name, ctx.missing);
		else
			mc_error_set("cannot list the files of %s in %s: %s", commit->hex, repo->name, git_msg());
		free(ctx.missing);
		mc_snapshot_free(ctx.snap);
		err = MC_EIO;
		goto out;
	}
	snapshot_sort(ctx.snap);
	listing_save(ctx.snap);
listed:
	*out = ctx.snap;
out:
	git_odb_free(ctx.odb);
	git_tree_free(tree);
	git_commit_free(c);
	return err;
}

/*
 * Reads the index as it is on disk now; never writes it back.  Like git, the
 * index named by GIT_INDEX_FILE wins: "git commit -a" and "git commit PATH"
 * run the pre-commit hook with a temporary index there.
 */
static int open_index(git_index **out, mc_repo *repo, const char *what)
{
	*out = NULL;
	if (git_repository_is_bare(repo->git)) {
		mc_error_set("%s is a bare repository: it has no %s", repo->name, what);
		return MC_EINPUT;
	}
	const char *env = getenv("GIT_INDEX_FILE");
	if (env && *env) {
		if (git_index_open(out, env) < 0 || git_index_read(*out, 0) < 0) {
			git_index_free(*out);
			*out = NULL;
			mc_error_set("cannot read the index %s (GIT_INDEX_FILE): %s", env, git_msg());
			return MC_EIO;
		}
		return 0;
	}
	if (git_repository_index(out, repo->git) < 0 || git_index_read(*out, 0) < 0) {
		git_index_free(*out);
		*out = NULL;
		mc_error_set("cannot read the index of %s: %s", repo->name, git_msg());
		return MC_EIO;
	}
	return 0;
}

int mc_snapshot_from_index(mc_snapshot **out, mc_repo *repo)
{
	git_index *index;
	git_odb *odb = NULL;
	size_t cap = 0;
	int err;

	*out = NULL;
	if ((err = open_index(&index, repo, "index")) < 0)
		return err;
	if (git_repository_odb(&odb, repo->git) < 0) {
		mc_error_set("cannot open the object database of %s: %s", repo->name, git_msg());
		git_index_free(index);
		return MC_EIO;
	}
	mc_snapshot *snap = snapshot_new(repo, "index");
	size_t count = git_index_entrycount(index);
	for (size_t i = 0; i < count; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);
		size_t size;
		git_object_t type;

		/* Conflicted paths and intent-to-add entries have no staged content. */
		if (GIT_INDEX_ENTRY_STAGE(e) != 0 || (e->flags_extended & GIT_INDEX_ENTRY_INTENT_TO_ADD) ||
		    !is_file_mode(e->mode))
			continue;
		if (git_odb_read_header(&size, &type, odb, &e->id) < 0) {
			char hex[GIT_OID_HEXSZ + 1];
			mc_error_set("index entry '%s' of %s names a missing blob %s: %s", e->path,
				     repo->name, git_oid_tostr(hex, sizeof(hex), &e->id), git_msg());
			mc_snapshot_free(snap);
			snap = NULL;
			err = MC_EIO;
			break;
		}
		snapshot_add(snap, &cap, mc_strdup(e->path), &e->id, size);
	}
	git_odb_free(odb);
	git_index_free(index);
	if (snap) {
		snapshot_sort(snap);
		*out = snap;
	}
	return err;
}

/*
 * Adds the work-tree file at path if it is a regular file; a path deleted on
 * disk (or replaced by a symlink or directory) is left out.  The id is that of
 * the raw content: no filters, as mc_snapshot_read returns the raw content.
 */
static int worktree_add(mc_snapshot *snap, size_t *cap, const char *path)
{
	struct stat st;
	git_oid id;
	char *full = mc_sprintf("%s%s", snap->workdir, path);
	int err = 0;

	if (lstat(full, &st) < 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			mc_error_set("%s: %s", full, strerror(errno));
			err = MC_EIO;
		}
	} else if (S_ISREG(st.st_mode)) {
		if (git_odb_hashfile(&id, full, GIT_OBJECT_BLOB) < 0) {
			mc_error_set("cannot hash %s: %s", full, git_msg());
			err = MC_EIO;
		} else {
			snapshot_add(snap, cap, mc_strdup(path), &id, (size_t)st.st_size);
		}
	}
	free(full);
	return err;
}

static int worktree_add_tracked(mc_snapshot *snap, size_t *cap, git_index *index)
{
	size_t count = git_index_entrycount(index);
	const char *last = NULL;

	for (size_t i = 0; i < count; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);
		int err;

		/* Conflict stages repeat a path; the index keeps them adjacent. */
		if (last && strcmp(last, e->path) == 0)
			continue;
		last = e->path;
		if (e->mode == GIT_FILEMODE_COMMIT || e->mode == GIT_FILEMODE_LINK)
			continue;
		if ((err = worktree_add(snap, cap, e->path)) < 0)
			return err;
	}
	return 0;
}

static int worktree_add_untracked(mc_snapshot *snap, size_t *cap, mc_repo *repo)
{
	git_status_options opts;
	git_status_list *list;
	int err = 0;

	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);

	/* Without GIT_STATUS_OPT_UPDATE_INDEX the status scan writes nothing. */
	opts.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		     GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&list, repo->git, &opts) < 0) {
		mc_error_set("cannot list untracked files of %s: %s", repo->name, git_msg());
		return MC_EIO;
	}
	size_t count = git_status_list_entrycount(list);
	for (size_t i = 0; i < count && !err; i++) {
		const git_status_entry *s = git_status_byindex(list, i);
		if ((s->status & GIT_STATUS_WT_NEW) && s->index_to_workdir)
			err = worktree_add(snap, cap, s->index_to_workdir->new_file.path);
	}
	git_status_list_free(list);
	return err;
}

int mc_snapshot_from_worktree(mc_snapshot **out, mc_repo *repo)
{
	git_index *index;
	size_t cap = 0;
	int err;

	*out = NULL;
	if ((err = open_index(&index, repo, "work tree")) < 0)
		return err;
	mc_snapshot *snap = snapshot_new(repo, "worktree");
	snap->workdir = mc_strdup(git_repository_workdir(repo->git));
	err = worktree_add_tracked(snap, &cap, index);
	if (!err)
		err = worktree_add_untracked(snap, &cap, repo);
	git_index_free(index);
	if (err) {
		mc_snapshot_free(snap);
		return err;
	}
	snapshot_sort(snap);
	*out = snap;
	return 0;
}

const mc_file *mc_snapshot_find(const mc_snapshot *snap, const char *path)
{
	mc_file key = { .path = (char *)path };
	if (!snap->nfiles)
		return NULL;
	return bsearch(&key, snap->files, snap->nfiles, sizeof(mc_file), cmp_file);
}

/* ---- reading ---------------------------------------------------------- */

static int size_error(const char *path, size_t size, size_t max)
{
	mc_error_set("%s: file is %zu bytes, over the %zu-byte limit", path, size, max);
	return MC_EINPUT;
}

static int read_fd(int fd, const char *full, const char *path, size_t max,
		   char **data, size_t *len)
{
	struct stat st;
	size_t cap, n = 0;

	if (fstat(fd, &st) < 0) {
		mc_error_set("%s: %s", full, strerror(errno));
		return MC_EIO;
	}
	if (!S_ISREG(st.st_mode)) {
		mc_error_set("%s: not a regular file", full);
		return MC_EIO;
	}
	if (max && (size_t)st.st_size > max)
		return size_error(path, (size_t)st.st_size, max);

	/* Read to EOF: the file may have grown since it was hashed. */
	cap = (size_t)st.st_size + 1;
	char *buf = mc_malloc(cap);
	for (;;) {
		if (n + 1 == cap)
			buf = mc_realloc(buf, cap *= 2);
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			mc_error_set("%s: %s", full, strerror(errno));
			free(buf);
			return MC_EIO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (max && n > max) {
			free(buf);
			return size_error(path, n, max);
		}
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

static int read_worktree(const mc_snapshot *snap, const mc_file *file, size_t max,
			 char **data, size_t *len)
{
	char *full = mc_sprintf("%s%s", snap->workdir, file->path);
	int err;
	int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		mc_error_set("%s: %s", full, strerror(errno));
		err = MC_EIO;
	} else {
		err = read_fd(fd, full, file->path, max, data, len);
		close(fd);
	}
	free(full);
	return err;
}

/* The size of a blob from its header, without inflating it. */
static int header_size(mc_repo *repo, const git_oid *oid, size_t *size)
{
	git_odb *odb = NULL;
	git_object_t type;
	pthread_mutex_lock(&repo->lock);
	int rc = git_repository_odb(&odb, repo->git) < 0 || git_odb_read_header(size, &type, odb, oid) < 0 ? -1 : 0;
	git_odb_free(odb);
	pthread_mutex_unlock(&repo->lock);
	return rc;
}

static int read_blob(const mc_snapshot *snap, const mc_file *file, size_t max,
		     char **data, size_t *len)
{
	mc_repo *repo = snap->repo;
	git_blob *blob;
	git_oid oid;
	int err;

	if ((err = oid_from_mc(&oid, &file->blob)) < 0)
		return err;
	/* Cheap check first, so an oversized blob is never inflated. */
	size_t known = file->size;
	if (max && known == MC_FILE_SIZE_UNKNOWN && header_size(repo, &oid, &known) < 0)
		known = 0; /* git_blob_lookup below says why */
	if (max && known != MC_FILE_SIZE_UNKNOWN && known > max)
		return size_error(file->path, known, max);

	pthread_mutex_lock(&repo->lock);
	if (git_blob_lookup(&blob, repo->git, &oid) < 0) {
		mc_error_set("%s: cannot read blob %s in %s: %s", file->path, file->blob.hex,
			     repo->name, git_msg());
		err = MC_EIO;
	} else {
		size_t size = (size_t)git_blob_rawsize(blob);
		if (max && size > max) {
			err = size_error(file->path, size, max);
		} else {
			*data = mc_malloc(size + 1);
			memcpy(*data, git_blob_rawcontent(blob), size);
			(*data)[size] = '\0';
			*len = size;
		}
		git_blob_free(blob);
	}
	pthread_mutex_unlock(&repo->lock);
	return err;
}

int mc_snapshot_read(const mc_snapshot *snap, const mc_file *file, size_t max_size,
		     char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	if (snap->workdir)
		return read_worktree(snap, file, max_size, data, len);
	return read_blob(snap, file, max_size, data, len);
}

/* ---- comparing -------------------------------------------------------- */

int mc_snapshot_changed_paths(const mc_snapshot *a, const mc_snapshot *b, char ***paths, size_t *n)
{
	mc_strvec out = { 0 };
	size_t i = 0, j = 0;

	/* Both file lists are sorted by strcmp, so one merge pass suffices. */
	while (i < a->nfiles || j < b->nfiles) {
		int c;
		if (i == a->nfiles)
			c = 1;
		else if (j == b->nfiles)
			c = -1;
		else
			c = strcmp(a->files[i].path, b->files[j].path);

		if (c < 0) {
			mc_strvec_push(&out, a->files[i++].path);
		} else if (c > 0) {
			mc_strvec_push(&out, b->files[j++].path);
		} else {
			if (strcmp(a->files[i].blob.hex, b->files[j].blob.hex) != 0)
				mc_strvec_push(&out, a->files[i].path);
			i++;
			j++;
		}
	}
	*paths = out.v;
	*n = out.n;
	return 0;
}

int mc_repo_read_path(mc_repo *repo, const mc_oid *commit, const char *path, size_t max_size, char **data,
		      size_t *len)
{
	git_oid id;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int err = MC_ENOTFOUND;
	*data = NULL;
	*len = 0;
	if (oid_from_mc(&id, commit) < 0)
		return MC_EINPUT;
	pthread_mutex_lock(&repo->lock);
	if (git_commit_lookup(&c, repo->git, &id) < 0 || git_commit_tree(&tree, c) < 0) {
		mc_error_set("cannot read commit %s: %s", commit->hex, git_msg());
		err = MC_EIO;
	} else if (git_tree_entry_bypath(&entry, tree, path) < 0 ||
		   git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		mc_error_set("%s: no such file in %.12s", path, commit->hex);
	} else if (git_blob_lookup(&blob, repo->git, git_tree_entry_id(entry)) < 0) {
		mc_error_set("cannot read %s at %.12s: %s", path, commit->hex, git_msg());
		err = MC_EIO;
	} else {
		size_t size = (size_t)git_blob_rawsize(blob);
		if (max_size && size > max_size) {
			mc_error_set("%s: file is %zu bytes, over the %zu-byte limit", path, size, max_size);
			err = MC_EINPUT;
		} else {
			*data = mc_strndup(git_blob_rawcontent(blob), size);
			*len = size;
			err = 0;
		}
	}
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(c);
	pthread_mutex_unlock(&repo->lock);
	return err;
}


typedef struct {
	int *v;
	size_t n, cap; /* pairs */
} line_ranges;

static int added_line(const git_diff_delta *delta, const git_diff_hunk *hunk, const git_diff_line *line, void *payload)
{
	(void)delta;
	(void)hunk;
	line_ranges *r = payload;
	if (line->origin != GIT_DIFF_LINE_ADDITION || line->new_lineno <= 0)
		return 0;
	if (r->n && r->v[2 * r->n - 1] + 1 == line->new_lineno) {
		r->v[2 * r->n - 1] = line->new_lineno;
		return 0;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		r->v = mc_realloc(r->v, 2 * r->cap * sizeof(int));
	}
	r->v[2 * r->n] = r->v[2 * r->n + 1] = line->new_lineno;
	r->n++;
	return 0;
}

int mc_snapshot_changed_lines(const mc_snapshot *a, const mc_snapshot *b, const char *path, size_t max_size,
			      int **ranges, size_t *n)
{
	*ranges = NULL;
	*n = 0;
	const mc_file *fa = mc_snapshot_find(a, path), *fb = mc_snapshot_find(b, path);
	if (!fb || (fa && strcmp(fa->blob.hex, fb->blob.hex) == 0))
		return 0;
	char *old = NULL, *new = NULL;
	size_t old_len = 0, new_len = 0;
	int err = mc_snapshot_read(b, fb, max_size, &new, &new_len);
	if (!err && fa)
		err = mc_snapshot_read(a, fa, max_size, &old, &old_len);
	if (err) {
		free(new);
		return err;
	}
	git_diff_options opts;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = 0;
	line_ranges r = { 0 };
	if (git_diff_buffers(old, old_len, path, new, new_len, path, &opts, NULL, NULL, NULL, added_line, &r) < 0) {
		mc_error_set("%s: cannot compare its two versions: %s", path,
			     git_error_last() ? git_error_last()->message : "libgit2 error");
		err = MC_EINPUT;
	}
	free(old);
	free(new);
	if (err) {
		free(r.v);
		return err;
	}
	*ranges = r.v;
	*n = r.n;
	return 0;
}
