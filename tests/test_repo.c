/*
 * test_repo.c - repo.c against a repository built here with libgit2.
 *
 * History of the fixture (times in seconds, all ids fixed):
 *
 *   c1 (1000) --- c2 (2000) --- c3 (3000) --- m (4000) --- c4 (5000)  main
 *      \                                     /
 *       s1 (2500) -------------------------+                         side
 *
 * c1: README, docs/big.txt (5000 bytes), src/a.c, src/b.c, plus a symlink
 *     and a submodule entry that snapshots must skip.
 * c2: changes src/a.c (annotated tag v1).   c3: adds src/c.c, drops src/b.c.
 * s1: changes README.  m: merges side (README from s1).  c4: changes src/a.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <git2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "git/repo.h"
#include "util/util.h"

#define BIG_SIZE 5000

typedef struct {
	const char *path;
	const char *content;   /* symlink target for GIT_FILEMODE_LINK */
	unsigned mode;         /* 0 means GIT_FILEMODE_BLOB */
} spec_file;

typedef struct {
	char *dir;             /* work tree of the fixture repository */
	char *bare;            /* a bare repository without a config file */
	char *norepo;          /* a plain directory */
	git_repository *git;
	mc_oid c1, c2, c3, s1, m, c4;
	mc_oid bare_head;
	char big[BIG_SIZE + 1];
} fixture;

static fixture fx;

/* ---- helpers ---------------------------------------------------------- */

static void check_git(int rc, const char *what)
{
	if (rc < 0) {
		const git_error *e = git_error_last();
		fail_msg("%s: %s", what, e ? e->message : "?");
	}
}

static void to_mc(mc_oid *out, const git_oid *id)
{
	git_oid_tostr(out->hex, sizeof(out->hex), id);
}

static char *make_tempdir(const char *tag)
{
	char *dir = mc_sprintf("/tmp/mc-test-repo-%s-XXXXXX", tag);
	if (!mkdtemp(dir))
		fail_msg("mkdtemp: %s", strerror(errno));
	return dir;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void rmtree(const char *dir)
{
	if (dir)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void mkdirs_for(const char *path)
{
	char *p = mc_strdup(path);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	free(p);
}

static void write_disk(const char *dir, const char *path, const char *content)
{
	char *full = mc_sprintf("%s/%s", dir, path);
	mkdirs_for(full);
	FILE *f = fopen(full, "wb");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	free(full);
}

static void remove_disk(const char *dir, const char *path)
{
	char *full = mc_sprintf("%s/%s", dir, path);
	unlink(full);
	free(full);
}

static void blob_id(git_oid *out, git_repository *git, const char *content)
{
	check_git(git_blob_create_from_buffer(out, git, content, strlen(content)), "blob");
}

/* Builds a tree holding exactly files (NULL-path terminated). */
static void make_tree(git_oid *out, git_repository *git, const spec_file *files)
{
	git_index *idx;
	check_git(git_index_new(&idx), "index new");
	for (const spec_file *f = files; f->path; f++) {
		git_index_entry e;
		memset(&e, 0, sizeof(e));
		e.path = f->path;
		e.mode = f->mode ? f->mode : GIT_FILEMODE_BLOB;
		if (e.mode == GIT_FILEMODE_COMMIT)
			check_git(git_oid_fromstr(&e.id, "1111111111111111111111111111111111111111"), "oid");
		else
			blob_id(&e.id, git, f->content);
		check_git(git_index_add(idx, &e), f->path);
	}
	check_git(git_index_write_tree_to(out, idx, git), "write tree");
	git_index_free(idx);
}

static void make_commit(mc_oid *out, git_repository *git, const char *ref, const mc_oid **parents,
			size_t np, git_time_t when, const char *msg, const spec_file *files)
{
	git_oid tree_id, id;
	git_tree *tree;
	git_signature *sig;
	git_commit *pc[2] = { NULL, NULL };

	make_tree(&tree_id, git, files);
	check_git(git_tree_lookup(&tree, git, &tree_id), "tree");
	check_git(git_signature_new(&sig, "Test", "test@example.com", when, 0), "sig");
	for (size_t i = 0; i < np; i++) {
		git_oid p;
		check_git(git_oid_fromstr(&p, parents[i]->hex), "parent");
		check_git(git_commit_lookup(&pc[i], git, &p), "parent lookup");
	}
	check_git(git_commit_create(&id, git, ref, sig, sig, NULL, msg, tree, np,
				    (const git_commit **)pc), "commit");
	for (size_t i = 0; i < np; i++)
		git_commit_free(pc[i]);
	git_signature_free(sig);
	git_tree_free(tree);
	to_mc(out, &id);
}

/* Work tree and index as after "git checkout main" (c4). */
static void reset_worktree(void)
{
	git_index *idx;
	git_commit *c;
	git_tree *tree;
	git_oid id;

	write_disk(fx.dir, "README", "hello side\n");
	write_disk(fx.dir, "docs/big.txt", fx.big);
	write_disk(fx.dir, "src/a.c", "int a = 4;\n");
	write_disk(fx.dir, "src/c.c", "int c;\n");
	remove_disk(fx.dir, "new.c");
	remove_disk(fx.dir, "junk.o");
	remove_disk(fx.dir, "conflict.c");
	char *link = mc_sprintf("%s/link", fx.dir);
	unlink(link);
	assert_int_equal(symlink("README", link), 0);
	free(link);

	check_git(git_oid_fromstr(&id, fx.c4.hex), "c4");
	check_git(git_commit_lookup(&c, fx.git, &id), "c4 lookup");
	check_git(git_commit_tree(&tree, c), "c4 tree");
	check_git(git_repository_index(&idx, fx.git), "index");
	check_git(git_index_read_tree(idx, tree), "read tree");
	check_git(git_index_write(idx), "index write");
	git_index_free(idx);
	git_tree_free(tree);
	git_commit_free(c);
}

static void build_main_repo(void)
{
	git_oid id;
	git_object *obj;
	git_signature *sig;

	memset(fx.big, 'x', BIG_SIZE);
	fx.big[BIG_SIZE - 1] = '\n';
	fx.big[BIG_SIZE] = '\0';

	fx.dir = make_tempdir("main");
	check_git(git_repository_init(&fx.git, fx.dir, 0), "init");

	const spec_file f1[] = {
		{ "README", "hello\n", 0 },
		{ "docs/big.txt", fx.big, 0 },
		{ "src/a.c", "int a;\n", 0 },
		{ "src/b.c", "int b;\n", 0 },
		{ "link", "README", GIT_FILEMODE_LINK },
		{ "sub", NULL, GIT_FILEMODE_COMMIT },
		{ NULL, NULL, 0 },
	};
	make_commit(&fx.c1, fx.git, "refs/heads/main", NULL, 0, 1000,
		    "initial import\n\nThe long body\nof the first commit.\n", f1);

	spec_file f2[7];
	memcpy(f2, f1, sizeof(f2));
	f2[2].content = "int a = 2;\n";
	const mc_oid *p1[] = { &fx.c1 };
	make_commit(&fx.c2, fx.git, "refs/heads/main", p1, 1, 2000, "a: change a\n", f2);

	const spec_file f3[] = {
		{ "README", "hello\n", 0 },
		{ "docs/big.txt", fx.big, 0 },
		{ "src/a.c", "int a = 2;\n", 0 },
		{ "src/c.c", "int c;\n", 0 },
		{ "link", "README", GIT_FILEMODE_LINK },
		{ "sub", NULL, GIT_FILEMODE_COMMIT },
		{ NULL, NULL, 0 },
	};
	const mc_oid *p2[] = { &fx.c2 };
	make_commit(&fx.c3, fx.git, "refs/heads/main", p2, 1, 3000, "c: add c, drop b\n", f3);

	spec_file fs[7];
	memcpy(fs, f1, sizeof(fs));
	fs[0].content = "hello side\n";
	make_commit(&fx.s1, fx.git, "refs/heads/side", p1, 1, 2500, "side: readme\n", fs);

	spec_file fm[7];
	memcpy(fm, f3, sizeof(fm));
	fm[0].content = "hello side\n";
	const mc_oid *pm[] = { &fx.c3, &fx.s1 };
	make_commit(&fx.m, fx.git, "refs/heads/main", pm, 2, 4000, "Merge branch 'side'\n", fm);

	spec_file f4[7];
	memcpy(f4, fm, sizeof(f4));
	f4[2].content = "int a = 4;\n";
	const mc_oid *p4[] = { &fx.m };
	make_commit(&fx.c4, fx.git, "refs/heads/main", p4, 1, 5000, "a: four\r\n\r\nbody\n", f4);

	check_git(git_repository_set_head(fx.git, "refs/heads/main"), "set head");

	/* An annotated tag, to check peeling. */
	check_git(git_oid_fromstr(&id, fx.c2.hex), "c2");
	check_git(git_object_lookup(&obj, fx.git, &id, GIT_OBJECT_COMMIT), "c2 obj");
	check_git(git_signature_new(&sig, "Test", "test@example.com", 2100, 0), "sig");
	check_git(git_tag_create(&id, fx.git, "v1", obj, sig, "version 1\n", 0), "tag");
	git_signature_free(sig);
	git_object_free(obj);

	write_disk(fx.dir, ".git/info/exclude", "*.o\n");
	reset_worktree();
}

/* A bare repository with one commit and no config file, like a mirror. */
static void build_bare_repo(void)
{
	git_repository *git;
	fx.bare = make_tempdir("bare");
	check_git(git_repository_init(&git, fx.bare, 1), "init bare");
	const spec_file f[] = { { "file.txt", "bare\n", 0 }, { NULL, NULL, 0 } };
	make_commit(&fx.bare_head, git, "HEAD", NULL, 0, 1000, "bare commit\n", f);
	git_repository_free(git);
	char *cfg = mc_sprintf("%s/config", fx.bare);
	assert_int_equal(unlink(cfg), 0);
	free(cfg);
}

static int group_setup(void **state)
{
	(void)state;
	git_libgit2_init();
	build_main_repo();
	build_bare_repo();
	fx.norepo = make_tempdir("norepo");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	git_repository_free(fx.git);
	rmtree(fx.dir);
	rmtree(fx.bare);
	rmtree(fx.norepo);
	free(fx.dir);
	free(fx.bare);
	free(fx.norepo);
	git_libgit2_shutdown();
	return 0;
}

static mc_repo *open_main(void)
{
	mc_repo *repo = NULL;
	if (mc_repo_open(&repo, fx.dir) < 0)
		fail_msg("open: %s", mc_error_last());
	return repo;
}

static void assert_error_has(const char *needle)
{
	if (!strstr(mc_error_last(), needle))
		fail_msg("error '%s' does not mention '%s'", mc_error_last(), needle);
}

static void assert_paths(const mc_snapshot *snap, const char *const *want, size_t n)
{
	assert_int_equal(snap->nfiles, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(snap->files[i].path, want[i]);
}

static void free_paths(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

static void assert_changed(const mc_snapshot *a, const mc_snapshot *b, const char *const *want,
			   size_t nwant)
{
	char **paths;
	size_t n;
	assert_int_equal(mc_snapshot_changed_paths(a, b, &paths, &n), 0);
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(paths[i], want[i]);
	free_paths(paths, n);
}

static char *read_file(const mc_snapshot *snap, const char *path)
{
	const mc_file *f = mc_snapshot_find(snap, path);
	char *data;
	size_t len;
	if (!f)
		fail_msg("%s not in snapshot", path);
	if (mc_snapshot_read(snap, f, 0, &data, &len) < 0)
		fail_msg("read %s: %s", path, mc_error_last());
	assert_int_equal(strlen(data), len);
	return data;
}

/* ---- open ------------------------------------------------------------- */

static void test_open_worktree_and_subdir(void **state)
{
	(void)state;
	mc_repo *repo;
	mc_oid id;
	char *sub = mc_sprintf("%s/src", fx.dir);
	char *dotgit = mc_sprintf("%s/.git", fx.dir);
	const char *paths[] = { fx.dir, sub, dotgit };

	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(mc_repo_open(&repo, paths[i]), 0);
		assert_int_equal(mc_repo_resolve(repo, &id, "HEAD"), 0);
		assert_string_equal(id.hex, fx.c4.hex);
		mc_repo_free(repo);
	}
	free(sub);
	free(dotgit);
}

static void test_open_bare_without_config(void **state)
{
	(void)state;
	mc_repo *repo;
	mc_snapshot *snap;
	mc_oid id;
	char *refs = mc_sprintf("%s/refs", fx.bare);

	assert_int_equal(mc_repo_open(&repo, fx.bare), 0);
	assert_int_equal(mc_repo_resolve(repo, &id, "HEAD"), 0);
	assert_string_equal(id.hex, fx.bare_head.hex);
	assert_int_equal(mc_snapshot_from_commit(&snap, repo, &id, "HEAD"), 0);
	assert_int_equal(snap->nfiles, 1);
	assert_string_equal(snap->files[0].path, "file.txt");
	mc_snapshot_free(snap);

	/* A mirror has no work tree, even without core.bare. */
	assert_int_equal(mc_snapshot_from_worktree(&snap, repo), MC_EINPUT);
	assert_null(snap);
	assert_error_has("bare");
	assert_int_equal(mc_snapshot_from_index(&snap, repo), MC_EINPUT);
	assert_error_has("bare");
	mc_repo_free(repo);

	assert_int_equal(mc_repo_open(&repo, refs), 0);
	mc_repo_free(repo);
	free(refs);
}

static void test_open_errors(void **state)
{
	(void)state;
	mc_repo *repo = (mc_repo *)&repo;
	char *missing = mc_sprintf("%s/missing", fx.norepo);
	char *file = mc_sprintf("%s/README", fx.dir);

	assert_int_equal(mc_repo_open(&repo, fx.norepo), MC_EINPUT);
	assert_null(repo);
	assert_error_has("is not a git repository");
	assert_error_has(fx.norepo);

	assert_int_equal(mc_repo_open(&repo, missing), MC_EINPUT);
	assert_error_has(missing);
	assert_int_equal(mc_repo_open(&repo, file), MC_EINPUT);
	assert_error_has("not a directory");
	assert_int_equal(mc_repo_open(&repo, ""), MC_EINPUT);
	free(missing);
	free(file);
}

/* ---- revisions -------------------------------------------------------- */

static void test_resolve(void **state)
{
	(void)state;
	mc_repo *repo = open_main();
	mc_oid id;
	char shortid[8];

	assert_int_equal(mc_repo_resolve(repo, &id, "main"), 0);
	assert_string_equal(id.hex, fx.c4.hex);
	assert_int_equal(mc_repo_resolve(repo, &id, "side"), 0);
	assert_string_equal(id.hex, fx.s1.hex);
	assert_int_equal(mc_repo_resolve(repo, &id, "HEAD~1"), 0);
	assert_string_equal(id.hex, fx.m.hex);
	assert_int_equal(mc_repo_resolve(repo, &id, "HEAD^^2"), 0);
	assert_string_equal(id.hex, fx.s1.hex);
	assert_int_equal(mc_repo_resolve(repo, &id, "v1"), 0);   /* annotated tag peels */
	assert_string_equal(id.hex, fx.c2.hex);
	assert_int_equal(mc_repo_resolve(repo, &id, fx.c3.hex), 0);
	assert_string_equal(id.hex, fx.c3.hex);
	snprintf(shortid, sizeof(shortid), "%.7s", fx.c2.hex);
	assert_int_equal(mc_repo_resolve(repo, &id, shortid), 0);
	assert_string_equal(id.hex, fx.c2.hex);
	mc_repo_free(repo);
}

static void test_resolve_errors(void **state)
{
	(void)state;
	mc_repo *repo = open_main();
	mc_oid id;

	assert_int_equal(mc_repo_resolve(repo, &id, "nosuch"), MC_EINPUT);
	assert_error_has("unknown revision 'nosuch'");
	assert_error_has(fx.dir);
	assert_int_equal(mc_repo_resolve(repo, &id, "HEAD~10"), MC_EINPUT);
	assert_error_has("'HEAD~10'");
	assert_int_equal(mc_repo_resolve(repo, &id, "HEAD:README"), MC_EINPUT);
	assert_error_has("not a commit");
	assert_int_equal(mc_repo_resolve(repo, &id, ""), MC_EINPUT);
	mc_repo_free(repo);
}

static void test_resolve_ambiguous(void **state)
{
	(void)state;
	static unsigned char seen[65536];
	char prefix[5] = "";
	git_oid id;
	mc_oid out;

	/* Write blobs until two ids share their first four hex digits. */
	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < 100000 && !prefix[0]; i++) {
		char content[32];
		snprintf(content, sizeof(content), "ambiguous %d\n", i);
		blob_id(&id, fx.git, content);
		unsigned key = (unsigned)id.id[0] << 8 | id.id[1];
		if (seen[key])
			git_oid_tostr(prefix, sizeof(prefix), &id);
		seen[key] = 1;
	}
	assert_true(prefix[0]);

	mc_repo *repo = open_main();
	assert_int_equal(mc_repo_resolve(repo, &out, prefix), MC_EINPUT);
	assert_error_has("ambiguous");
	assert_error_has(prefix);
	mc_repo_free(repo);
}

static void test_resolve_range(void **state)
{
	(void)state;
	mc_repo *repo = open_main();
	mc_oid base, head;
	int is_range = -1;

	assert_int_equal(mc_repo_resolve_range(repo, "main~2..main", &base, &head, &is_range), 0);
	assert_int_equal(is_range, 1);
	assert_string_equal(base.hex, fx.c3.hex);
	assert_string_equal(head.hex, fx.c4.hex);

	/* "..." starts from the merge base. */
	assert_int_equal(mc_repo_resolve_range(repo, "side...main~2", &base, &head, &is_range), 0);
	assert_int_equal(is_range, 1);
	assert_string_equal(base.hex, fx.c1.hex);
	assert_string_equal(head.hex, fx.c3.hex);

	/* An empty side is HEAD. */
	assert_int_equal(mc_repo_resolve_range(repo, "..side", &base, &head, &is_range), 0);
	assert_string_equal(base.hex, fx.c4.hex);
	assert_string_equal(head.hex, fx.s1.hex);
	assert_int_equal(mc_repo_resolve_range(repo, "v1..", &base, &head, &is_range), 0);
	assert_string_equal(base.hex, fx.c2.hex);
	assert_string_equal(head.hex, fx.c4.hex);
	assert_int_equal(mc_repo_resolve_range(repo, "side...", &base, &head, &is_range), 0);
	assert_string_equal(base.hex, fx.s1.hex);
	assert_string_equal(head.hex, fx.c4.hex);

	/* A plain revision. */
	assert_int_equal(mc_repo_resolve_range(repo, "main~1", &base, &head, &is_range), 0);
	assert_int_equal(is_range, 0);
	assert_string_equal(base.hex, fx.m.hex);
	assert_true(mc_oid_is_zero(&head));
	assert_false(mc_oid_is_zero(&base));

	assert_int_equal(mc_repo_resolve_range(repo, "nosuch..main", &base, &head, &is_range), MC_EINPUT);
	assert_error_has("'nosuch'");
	assert_int_equal(mc_repo_resolve_range(repo, "main...gone", &base, &head, &is_range), MC_EINPUT);
	assert_error_has("'gone'");
	assert_int_equal(mc_repo_resolve_range(repo, "", &base, &head, &is_range), MC_EINPUT);
	mc_repo_free(repo);
}

/* ---- commits ---------------------------------------------------------- */

static void test_commit_message(void **state)
{
	(void)state;
	mc_repo *repo = open_main();
	char *s;
	mc_oid bad;

	assert_int_equal(mc_repo_commit_message(repo, &fx.c1, &s), 0);
	assert_string_equal(s, "initial import\n\nThe long body\nof the first commit.\n");
	free(s);
	assert_int_equal(mc_repo_commit_subject(repo, &fx.c1, &s), 0);
	assert_string_equal(s, "initial import");
	free(s);
	assert_int_equal(mc_repo_commit_subject(repo, &fx.c4, &s), 0);
	assert_string_equal(s, "a: four");
	free(s);

	snprintf(bad.hex, sizeof(bad.hex), "%s", "2222222222222222222222222222222222222222");
	assert_int_equal(mc_repo_commit_message(repo, &bad, &s), MC_ENOTFOUND);
	assert_null(s);
	assert_error_has(bad.hex);
	snprintf(bad.hex, sizeof(bad.hex), "%s", "xyz");
	assert_int_equal(mc_repo_commit_subject(repo, &bad, &s), MC_EINPUT);
	mc_repo_free(repo);
}

static void test_is_ancestor(void **state)
{
	(void)state;
	mc_repo *repo = open_main();
	mc_oid bad;

	assert_int_equal(mc_repo_is_ancestor(repo, &fx.c1, &fx.c4), 1);
	assert_int_equal(mc_repo_is_ancestor(repo, &fx.c4, &fx.c4), 1);
	assert_int_equal(mc_repo_is_ancestor(repo, &fx.s1, &fx.c4), 1);
	assert_int_equal(mc_repo_is_ancestor(repo, &fx.s1, &fx.c3), 0);
	assert_int_equal(mc_repo_is_ancestor(repo, &fx.c4, &fx.c1), 0);
	snprintf(bad.hex, sizeof(bad.hex), "%s", "2222222222222222222222222222222222222222");
	assert_true(mc_repo_is_ancestor(repo, &bad, &fx.c4) < 0);
	mc_repo_free(repo);
}

static void assert_ids(const mc_oid *got, size_t n, const mc_oid *const *want, size_t nwant)
{
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(got[i].hex, want[i]->hex);
}

static void test_walk_range(void **state)
{
	(void)state;
	mc_repo *repo = open_main();
	mc_oid *ids;
	size_t n;

	/* First parent only, oldest first: s1 is not listed. */
	assert_int_equal(mc_repo_walk_range(repo, &fx.c1, &fx.c4, &ids, &n), 0);
	const mc_oid *want[] = { &fx.c2, &fx.c3, &fx.m, &fx.c4 };
	assert_ids(ids, n, want, 4);
	free(ids);

	assert_int_equal(mc_repo_walk_range(repo, &fx.c3, &fx.c4, &ids, &n), 0);
	assert_ids(ids, n, want + 2, 2);
	free(ids);

	assert_int_equal(mc_repo_walk_range(repo, &fx.c4, &fx.c4, &ids, &n), 0);
	assert_int_equal(n, 0);
	free(ids);

	/* Only what side adds over main~2. */
	assert_int_equal(mc_repo_walk_range(repo, &fx.c3, &fx.s1, &ids, &n), 0);
	const mc_oid *want_side[] = { &fx.s1 };
	assert_ids(ids, n, want_side, 1);
	free(ids);
	mc_repo_free(repo);
}

static void test_log_path(void **state)
{
	(void)state;
	mc_repo *repo = open_main();
	mc_oid *ids;
	size_t n;

	assert_int_equal(mc_repo_log_path(repo, &fx.c4, NULL, "src/a.c", 10, &ids, &n), 0);
	const mc_oid *want_a[] = { &fx.c4, &fx.c2, &fx.c1 };
	assert_ids(ids, n, want_a, 3);
	free(ids);

	assert_int_equal(mc_repo_log_path(repo, &fx.c4, NULL, "src/a.c", 2, &ids, &n), 0);
	assert_ids(ids, n, want_a, 2);
	free(ids);

	assert_int_equal(mc_repo_log_path(repo, &fx.c4, &fx.c2, "src/a.c", 10, &ids, &n), 0);
	assert_ids(ids, n, want_a, 1);
	free(ids);

	/* The merge takes README from side unchanged: the side commit is listed. */
	assert_int_equal(mc_repo_log_path(repo, &fx.c4, NULL, "README", 0, &ids, &n), 0);
	const mc_oid *want_readme[] = { &fx.s1, &fx.c1 };
	assert_ids(ids, n, want_readme, 2);
	free(ids);

	/* Removal counts as touching. */
	assert_int_equal(mc_repo_log_path(repo, &fx.c4, NULL, "src/b.c", 10, &ids, &n), 0);
	const mc_oid *want_b[] = { &fx.c3, &fx.c1 };
	assert_ids(ids, n, want_b, 2);
	free(ids);

	assert_int_equal(mc_repo_log_path(repo, &fx.c4, NULL, "no/such/file", 10, &ids, &n), 0);
	assert_int_equal(n, 0);
	free(ids);
	mc_repo_free(repo);
}

/* ---- snapshots -------------------------------------------------------- */

static void test_snapshot_commit(void **state)
{
	(void)state;
	mc_repo *repo = open_main();
	mc_snapshot *snap;
	git_oid id;
	char hex[41];

	assert_int_equal(mc_snapshot_from_commit(&snap, repo, &fx.c1, "main~4"), 0);
	/* strcmp order; the symlink and the submodule are left out. */
	const char *want[] = { "README", "docs/big.txt", "src/a.c", "src/b.c" };
	assert_paths(snap, want, 4);
	/* Listed without reading a blob header: the size comes with the read (test_snapshot_read). */
	for (size_t i = 0; i < snap->nfiles; i++)
		assert_true(snap->files[i].size == MC_FILE_SIZE_UNKNOWN);
	blob_id(&id, fx.git, "hello\n");
	assert_string_equal(snap->files[0].blob.hex, git_oid_tostr(hex, sizeof(hex), &id));
	assert_string_equal(snap->label, "main~4");
	assert_string_equal(snap->commit.hex, fx.c1.hex);
	assert_null(snap->workdir);
	assert_ptr_equal(snap->repo, repo);

	assert_ptr_equal(mc_snapshot_find(snap, "src/a.c"), &snap->files[2]);
	assert_null(mc_snapshot_find(snap, "src"));
	assert_null(mc_snapshot_find(snap, "link"));
	assert_null(mc_snapshot_find(snap, "zzz"));
	mc_snapshot_free(snap);

	/* Without a label the id is the label. */
	assert_int_equal(mc_snapshot_from_commit(&snap, repo, &fx.c4, NULL), 0);
	assert_string_equal(snap->label, fx.c4.hex);
	mc_snapshot_free(snap);
	mc_repo_free(repo);
}

static void test_read_path(void **state)
{
	(void)state;
	mc_repo *repo = open_main();
	char *data;
	size_t len;
	assert_int_equal(mc_repo_read_path(repo, &fx.c1, "README", 0, &data, &len), 0);
	assert_string_equal(data, "hello\n");
	assert_int_equal(len, 6);
	free(data);
	/* absent path, a directory, the size limit */
	assert_int_equal(mc_repo_read_path(repo, &fx.c1, "nope.c", 0, &data, &len), MC_ENOTFOUND);
	assert_null(data);
	assert_error_has("nope.c");
	assert_int_equal(mc_repo_read_path(repo, &fx.c1, "src", 0, &data, &len), MC_ENOTFOUND);
	assert_int_equal(mc_repo_read_path(repo, &fx.c1, "docs/big.txt", 10, &data, &len), MC_EINPUT);
	assert_error_has("limit");
	mc_repo_free(repo);
}

static void test_hash_text(void **state)
{
	(void)state;
	char hex[41];
	/* git's id of the blob "hello\n" */
	mc_hash_text("hello\n", 6, hex);
	assert_string_equal(hex, "ce013625030ba8dba906f756967f9e9ca394464a");
}

static void test_snapshot_read(void **state)
{
	(void)state;
	mc_repo *repo = open_main();
	mc_snapshot *snap;
	char *data = (char *)&data;
	size_t len = 99;

	assert_int_equal(mc_snapshot_from_commit(&snap, repo, &fx.c1, NULL), 0);
	const mc_file *readme = mc_snapshot_find(snap, "README");
	const mc_file *big = mc_snapshot_find(snap, "docs/big.txt");

	assert_int_equal(mc_snapshot_read(snap, readme, 6, &data, &len), 0);
	assert_int_equal(len, 6);
	assert_string_equal(data, "hello\n");
	free(data);

	assert_int_equal(mc_snapshot_read(snap, big, 1000, &data, &len), MC_EINPUT);
	assert_null(data);
	assert_string_equal(mc_error_last(), "docs/big.txt: file is 5000 bytes, over the 1000-byte limit");
	assert_int_equal(mc_snapshot_read(snap, big, BIG_SIZE, &data, &len), 0);
	assert_int_equal(len, BIG_SIZE);
	assert_memory_equal(data, fx.big, BIG_SIZE + 1);
	free(data);
	assert_int_equal(mc_snapshot_read(snap, big, 0, &data, &len), 0);
	free(data);
	mc_snapshot_free(snap);
	mc_repo_free(repo);
}

typedef struct {
	const mc_snapshot *snap;
	const size_t *sizes;  /* of each file, read once before the threads start */
	int failures;
} reader_arg;

static void *reader(void *p)
{
	reader_arg *arg = p;
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < arg->snap->nfiles; i++) {
			const mc_file *f = &arg->snap->files[i];
			char *data;
			size_t len;
			if (mc_snapshot_read(arg->snap, f, 0, &data, &len) < 0 || len != arg->sizes[i])
				arg->failures++;
			else
				free(data);
		}
	}
	return NULL;
}

static void test_snapshot_read_threads(void **state)
{
	(void)state;
	mc_repo *repo = open_main();
	mc_snapshot *snap;
	pthread_t t[4];
	reader_arg args[4];

	assert_int_equal(mc_snapshot_from_commit(&snap, repo, &fx.c4, NULL), 0);
	size_t *sizes = calloc(snap->nfiles + 1, sizeof(size_t));
	assert_non_null(sizes);
	for (size_t i = 0; i < snap->nfiles; i++) {
		char *data;
		assert_int_equal(mc_snapshot_read(snap, &snap->files[i], 0, &data, &sizes[i]), 0);
		free(data);
	}
	for (int i = 0; i < 4; i++) {
		args[i].snap = snap;
		args[i].sizes = sizes;
		args[i].failures = 0;
		assert_int_equal(pthread_create(&t[i], NULL, reader, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(args[i].failures, 0);
	}
	free(sizes);
	mc_snapshot_free(snap);
	mc_repo_free(repo);
}

static void test_changed_paths(void **state)
{
	(void)state;
	mc_repo *repo = open_main();
	mc_snapshot *a, *b;

	assert_int_equal(mc_snapshot_from_commit(&a, repo, &fx.c1, NULL), 0);
	assert_int_equal(mc_snapshot_from_commit(&b, repo, &fx.c3, NULL), 0);
	const char *want[] = { "src/a.c", "src/b.c", "src/c.c" };
	assert_changed(a, b, want, 3);
	assert_changed(b, a, want, 3);
	assert_changed(a, a, NULL, 0);
	mc_snapshot_free(a);
	mc_snapshot_free(b);
	mc_repo_free(repo);
}

static void test_snapshot_index(void **state)
{
	(void)state;
	mc_repo *repo = open_main();
	mc_snapshot *head, *snap;
	git_index *idx;
	git_index_entry e;
	git_oid id;

	reset_worktree();
	assert_int_equal(mc_snapshot_from_commit(&head, repo, &fx.c4, NULL), 0);
	assert_int_equal(mc_snapshot_from_index(&snap, repo), 0);
	assert_changed(head, snap, NULL, 0);
	assert_string_equal(snap->label, "index");
	assert_true(mc_oid_is_zero(&snap->commit));
	mc_snapshot_free(snap);

	/* Stage a change and a conflict (stages 1-3 only) in the test repo. */
	check_git(git_repository_index(&idx, fx.git), "index");
	memset(&e, 0, sizeof(e));
	e.mode = GIT_FILEMODE_BLOB;
	e.path = "src/a.c";
	check_git(git_index_add_from_buffer(idx, &e, "int a = 5;\n", 11), "stage");
	git_index_entry anc, ours, theirs;
	memset(&anc, 0, sizeof(anc));
	anc.mode = GIT_FILEMODE_BLOB;
	anc.path = "conflict.c";
	blob_id(&anc.id, fx.git, "base\n");
	ours = theirs = anc;
	blob_id(&ours.id, fx.git, "ours\n");
	blob_id(&theirs.id, fx.git, "theirs\n");
	check_git(git_index_conflict_add(idx, &anc, &ours, &theirs), "conflict");
	check_git(git_index_write(idx), "index write");
	git_index_free(idx);

	assert_int_equal(mc_snapshot_from_index(&snap, repo), 0);
	const char *want[] = { "src/a.c" };
	assert_changed(head, snap, want, 1);
	char *data = read_file(snap, "src/a.c");
	assert_string_equal(data, "int a = 5;\n");
	free(data);
	blob_id(&id, fx.git, "int a = 5;\n");
	char hex[41];
	assert_string_equal(mc_snapshot_find(snap, "src/a.c")->blob.hex,
			    git_oid_tostr(hex, sizeof(hex), &id));
	mc_snapshot_free(snap);
	mc_snapshot_free(head);
	mc_repo_free(repo);
	reset_worktree();
}

static void test_snapshot_worktree(void **state)
{
	(void)state;
	mc_repo *repo = open_main();
	mc_snapshot *head, *snap;

	reset_worktree();
	assert_int_equal(mc_snapshot_from_commit(&head, repo, &fx.c4, NULL), 0);
	assert_int_equal(mc_snapshot_from_worktree(&snap, repo), 0);
	assert_changed(head, snap, NULL, 0);
	assert_string_equal(snap->label, "worktree");
	assert_non_null(snap->workdir);
	assert_true(mc_oid_is_zero(&snap->commit));
	mc_snapshot_free(snap);

	/* Modify, delete, add an untracked and an ignored file. */
	write_disk(fx.dir, "src/a.c", "int a = 6;\n");
	remove_disk(fx.dir, "README");
	write_disk(fx.dir, "new.c", "int n;\n");
	write_disk(fx.dir, "junk.o", "binary\n");

	assert_int_equal(mc_snapshot_from_worktree(&snap, repo), 0);
	const char *want_files[] = { "docs/big.txt", "new.c", "src/a.c", "src/c.c" };
	assert_paths(snap, want_files, 4);
	const char *want[] = { "README", "new.c", "src/a.c" };
	assert_changed(head, snap, want, 3);

	char *data = read_file(snap, "src/a.c");
	assert_string_equal(data, "int a = 6;\n");
	free(data);
	assert_int_equal(mc_snapshot_find(snap, "new.c")->size, 7);

	char *out = (char *)&out;
	size_t len;
	assert_int_equal(mc_snapshot_read(snap, mc_snapshot_find(snap, "docs/big.txt"), 100,
					  &out, &len), MC_EINPUT);
	assert_null(out);
	assert_string_equal(mc_error_last(), "docs/big.txt: file is 5000 bytes, over the 100-byte limit");

	/* The id is what git would store for the content. */
	git_oid id;
	char hex[41];
	blob_id(&id, fx.git, "int a = 6;\n");
	assert_string_equal(mc_snapshot_find(snap, "src/a.c")->blob.hex,
			    git_oid_tostr(hex, sizeof(hex), &id));
	mc_snapshot_free(snap);

	/* Opened through the .git directory, the work tree is its parent. */
	mc_repo *viagit;
	char *dotgit = mc_sprintf("%s/.git", fx.dir);
	assert_int_equal(mc_repo_open(&viagit, dotgit), 0);
	assert_int_equal(mc_snapshot_from_worktree(&snap, viagit), 0);
	assert_paths(snap, want_files, 4);
	mc_snapshot_free(snap);
	mc_repo_free(viagit);
	free(dotgit);

	mc_snapshot_free(head);
	mc_repo_free(repo);
	reset_worktree();
}

/* ---- read-only -------------------------------------------------------- */

static mc_strvec *fp_list;

static int fp_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)flag;
	(void)ftw;
	mc_strvec_push_owned(fp_list, mc_sprintf("%s %o %lld %lld.%09ld", path, st->st_mode,
						 (long long)st->st_size, (long long)st->st_mtim.tv_sec,
						 st->st_mtim.tv_nsec));
	return 0;
}

/* Every path under dir with its mode, size and mtime, one per line, sorted. */
static char *fingerprint(const char *dir)
{
	mc_strvec sv = { 0 };
	mc_buf b = { 0 };

	fp_list = &sv;
	assert_int_equal(nftw(dir, fp_entry, 16, FTW_PHYS), 0);
	fp_list = NULL;
	mc_strvec_sort(&sv);
	for (size_t i = 0; i < sv.n; i++)
		mc_buf_printf(&b, "%s\n", sv.v[i]);
	mc_strvec_free(&sv);
	return mc_buf_detach(&b);
}

static void exercise_everything(const char *path)
{
	mc_repo *repo;
	mc_snapshot *a, *b, *c;
	mc_oid base, head, *ids;
	size_t n;
	int is_range;
	char **paths, *s;

	assert_int_equal(mc_repo_open(&repo, path), 0);
	assert_int_equal(mc_repo_resolve_range(repo, "side...main", &base, &head, &is_range), 0);
	assert_int_equal(mc_repo_resolve(repo, &base, "nosuch"), MC_EINPUT);
	assert_int_equal(mc_repo_resolve(repo, &base, "HEAD~2"), 0);
	assert_int_equal(mc_repo_walk_range(repo, &base, &head, &ids, &n), 0);
	free(ids);
	assert_int_equal(mc_repo_log_path(repo, &head, NULL, "src/a.c", 0, &ids, &n), 0);
	free(ids);
	assert_int_equal(mc_repo_commit_message(repo, &head, &s), 0);
	free(s);
	assert_true(mc_repo_is_ancestor(repo, &base, &head) >= 0);
	assert_int_equal(mc_snapshot_from_commit(&a, repo, &head, NULL), 0);
	for (size_t i = 0; i < a->nfiles; i++) {
		assert_int_equal(mc_snapshot_read(a, &a->files[i], 0, &s, &n), 0);
		free(s);
	}
	if (mc_snapshot_from_index(&b, repo) == 0 && mc_snapshot_from_worktree(&c, repo) == 0) {
		assert_int_equal(mc_snapshot_changed_paths(b, c, &paths, &n), 0);
		free_paths(paths, n);
		for (size_t i = 0; i < c->nfiles; i++) {
			assert_int_equal(mc_snapshot_read(c, &c->files[i], 0, &s, &n), 0);
			free(s);
		}
		mc_snapshot_free(b);
		mc_snapshot_free(c);
	}
	mc_snapshot_free(a);
	mc_repo_free(repo);
}

static void test_nothing_written(void **state)
{
	(void)state;
	char *gitdir = mc_sprintf("%s/.git", fx.dir);

	reset_worktree();
	/* Make the work tree differ from the index, as status would notice. */
	write_disk(fx.dir, "src/a.c", "int a = 7;\n");
	write_disk(fx.dir, "new.c", "int n;\n");
	sleep(1);   /* so that a rewrite of any file would change its mtime */

	char *before = fingerprint(fx.dir);
	char *bare_before = fingerprint(fx.bare);
	exercise_everything(fx.dir);
	exercise_everything(gitdir);
	mc_repo *repo;
	mc_oid id;
	mc_snapshot *snap;
	assert_int_equal(mc_repo_open(&repo, fx.bare), 0);
	assert_int_equal(mc_repo_resolve(repo, &id, "HEAD"), 0);
	assert_int_equal(mc_snapshot_from_commit(&snap, repo, &id, NULL), 0);
	mc_snapshot_free(snap);
	assert_true(mc_snapshot_from_worktree(&snap, repo) < 0);
	mc_repo_free(repo);
	char *after = fingerprint(fx.dir);
	char *bare_after = fingerprint(fx.bare);

	assert_string_equal(before, after);
	assert_string_equal(bare_before, bare_after);
	free(before);
	free(after);
	free(bare_before);
	free(bare_after);
	free(gitdir);
	reset_worktree();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_worktree_and_subdir),
		cmocka_unit_test(test_open_bare_without_config),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_errors),
		cmocka_unit_test(test_resolve_range),
		cmocka_unit_test(test_commit_message),
		cmocka_unit_test(test_is_ancestor),
		cmocka_unit_test(test_walk_range),
		cmocka_unit_test(test_log_path),
		cmocka_unit_test(test_snapshot_commit),
		cmocka_unit_test(test_read_path),
		cmocka_unit_test(test_hash_text),
		cmocka_unit_test(test_snapshot_read),
		cmocka_unit_test(test_snapshot_read_threads),
		cmocka_unit_test(test_changed_paths),
		cmocka_unit_test(test_snapshot_index),
		cmocka_unit_test(test_snapshot_worktree),
		cmocka_unit_test(test_nothing_written),
		cmocka_unit_test(test_resolve_ambiguous),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
