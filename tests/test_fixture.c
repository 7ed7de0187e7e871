/*
 * test_fixture.c - the fixture builder (tests/support/fixture_repo.c) and the
 * example fixture (fixtures/example) it is used with.
 *
 *  - every step of fixtures/example becomes its branch, with base as parent,
 *    and changes exactly the paths its README entry says;
 *  - the build is deterministic (same commit ids twice);
 *  - PARENT chains, DELETE (files and directories), EMPTY, executable bits
 *    and the error cases, on a small fixture written here;
 *  - every .c file of every branch parses with libclang, given the two
 *    generated headers the tree leaves out on purpose (only the step that
 *    adds broken files has errors, in those files);
 *  - mc_test_run_tool: exit status, large outputs on both streams, crashes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <clang-c/Index.h>
#include <errno.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture_repo.h"

#define EXAMPLE_DIR MC_SOURCE_DIR "/fixtures/example"

/* ---- helpers ---------------------------------------------------------- */

static void check_git(int rc, const char *what)
{
	if (rc < 0) {
		const git_error *e = git_error_last();
		fail_msg("%s: %s", what, e && e->message ? e->message : "?");
	}
}

static char *path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = malloc(n);
	assert_non_null(s);
	snprintf(s, n, "%s/%s", a, b);
	return s;
}

static void mkdir_p(const char *path)
{
	char *p = strdup(path);
	assert_non_null(p);
	for (char *s = p + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				fail_msg("mkdir %s: %s", p, strerror(errno));
			*s = '/';
		}
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", p, strerror(errno));
	free(p);
}

/* Writes root/rel (creating directories); data may hold NULs. */
static void write_file(const char *root, const char *rel, const void *data, size_t len,
		       mode_t mode)
{
	char *path = path_join(root, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	mkdir_p(path);
	*slash = '/';
	FILE *f = fopen(path, "wb");
	if (!f)
		fail_msg("fopen %s: %s", path, strerror(errno));
	if (len)
		assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	free(path);
}

static void write_text(const char *root, const char *rel, const char *text)
{
	write_file(root, rel, text, strlen(text), 0644);
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 256, n = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	size_t r;
	while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (n + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static git_commit *branch_commit(git_repository *repo, const char *branch)
{
	git_reference *ref = NULL;
	git_commit *c = NULL;
	if (git_branch_lookup(&ref, repo, branch, GIT_BRANCH_LOCAL) < 0)
		fail_msg("branch %s is missing", branch);
	check_git(git_commit_lookup(&c, repo, git_reference_target(ref)), branch);
	git_reference_free(ref);
	return c;
}

static git_tree *branch_tree(git_repository *repo, const char *branch)
{
	git_commit *c = branch_commit(repo, branch);
	git_tree *t = NULL;
	check_git(git_commit_tree(&t, c), branch);
	git_commit_free(c);
	return t;
}

/* Blob content of path at branch, or NULL when absent; *len set. */
static char *blob_at(git_repository *repo, const char *branch, const char *path, size_t *len)
{
	git_tree *t = branch_tree(repo, branch);
	git_tree_entry *e = NULL;
	char *data = NULL;
	if (git_tree_entry_bypath(&e, t, path) == 0) {
		git_blob *b = NULL;
		check_git(git_blob_lookup(&b, repo, git_tree_entry_id(e)), path);
		size_t n = (size_t)git_blob_rawsize(b);
		data = malloc(n + 1);
		assert_non_null(data);
		memcpy(data, git_blob_rawcontent(b), n);
		data[n] = '\0';
		if (len)
			*len = n;
		git_blob_free(b);
		git_tree_entry_free(e);
	}
	git_tree_free(t);
	return data;
}

static int diff_file_cb(const git_diff_delta *d, float progress, void *payload)
{
	(void)progress;
	char *buf = payload;
	const char *p = d->new_file.path ? d->new_file.path : d->old_file.path;
	if (buf[0])
		strcat(buf, ",");
	strcat(buf, p);
	return 0;
}

/* Comma-separated paths that differ between two branches, in git order. */
static void changed_paths(git_repository *repo, const char *a, const char *b, char *out,
			  size_t out_size)
{
	git_tree *ta = branch_tree(repo, a), *tb = branch_tree(repo, b);
	git_diff *diff = NULL;
	check_git(git_diff_tree_to_tree(&diff, repo, ta, tb, NULL), "diff");
	assert_true(out_size > 4096);
	out[0] = '\0';
	check_git(git_diff_foreach(diff, diff_file_cb, NULL, NULL, NULL, out), "diff_foreach");
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
}

/* ---- the example fixture ---------------------------------------------- */

typedef struct {
	const char *branch;
	const char *paths;  /* changed paths relative to base, sorted */
	const char *parent; /* parent branch; NULL means base */
} step_spec;

#define BLK_C "hw/block/virtio-blk.c"
#define MACHINE_C "hw/core/machine.c"
#define BLK_H "include/hw/virtio/virtio-blk.h"

static const step_spec example_steps[] = {
	{ "good", BLK_C "," MACHINE_C "," BLK_H, NULL },
	{ "forgot", BLK_C "," BLK_H, NULL },
	{ "wrong-value", BLK_C "," MACHINE_C "," BLK_H, NULL },
	{ "wrong-array", BLK_C "," MACHINE_C "," BLK_H, NULL },
	{ "header-only", BLK_H, NULL },
	{ "refactor", BLK_C "," MACHINE_C ",hw/misc/foo-dev.c,hw/usb/hcd-xhci.c," BLK_H, NULL },
	{ "new-prop-on", BLK_C "," BLK_H, NULL },
	{ "sibling", MACHINE_C ",hw/virtio/virtio-blk-pci.c", NULL },
	{ "dangling", MACHINE_C, NULL },
	{ "syntax-error", "hw/misc/binary.c,hw/misc/broken.c", NULL },
	{ "no-compat", MACHINE_C ",hw/i386/pc.c", NULL },
	{ "empty", NULL, NULL }, /* everything */
	{ "enum", BLK_C "," MACHINE_C, NULL },
	{ "proxy-alias", BLK_C "," MACHINE_C, NULL },
	{ "ancestor", MACHINE_C ",hw/virtio/virtio-pci.c", NULL },
	{ "wrong-array-fixes", BLK_C "," MACHINE_C "," BLK_H, NULL },
	{ "series-1", BLK_C "," BLK_H, NULL },
	{ "series-2", BLK_C "," MACHINE_C "," BLK_H, "series-1" },
	{ "conditional", BLK_C "," MACHINE_C, NULL },
	{ "after-fix", "docs/num-queues.txt," BLK_C "," MACHINE_C "," BLK_H, "wrong-array-fixes" },
	{ "table-types", MACHINE_C ",hw/misc/tnic-defs.h,hw/misc/tnic-queues.h,hw/net/tnic.c", NULL },
	{ "kind-change", MACHINE_C ",hw/pci/pci.c", NULL },
	{ "new-family", "hw/arm/virt.c", NULL },
	{ "machines-deleted", MACHINE_C ",hw/i386/pc.c,hw/i386/pc_piix.c", NULL },
	{ "compat-defaults", "hw/i386/pc_piix.c", NULL },
	{ "dynamic-type", MACHINE_C ",hw/i386/x86-cpu.c", NULL },
	{ "cpu-models", "hw/i386/pc.c,target/arm/cpu-v7m.c,target/arm/cpu.c,target/arm/cpu.h,target/i386/cpu.c", NULL },
	{ "cpu-feature", MACHINE_C ",hw/i386/pc.c,target/arm/cpu-v7m.c,target/arm/cpu.c,target/arm/cpu.h,"
			 "target/i386/cpu.c", "cpu-models" },
	{ "arm-cntfrq", "hw/i386/pc.c,target/arm/cpu-v7m.c,target/arm/cpu.c,target/arm/cpu.h,target/i386/cpu.c",
	  "cpu-models" },
	{ "stream-gate", "hw/usb/hcd-xhci.c,include/migration/vmstate.h", NULL },
	{ "docs-only", "docs/devices/foo-dev.rst,scripts/foo-dev-probe.py", NULL },
	{ "docs-again", "docs/devices/foo-dev.rst,scripts/foo-dev-probe.py", "docs-only" },
	{ "def-include", "hw/misc/foo-dev-defaults.def,hw/misc/foo-dev.c", NULL },
	{ "def-docs", "docs/devices/foo-dev.rst,hw/misc/foo-dev-defaults.def,hw/misc/foo-dev.c", "def-include" },
	{ "def-change", "docs/devices/foo-dev.rst,hw/misc/foo-dev-defaults.def,hw/misc/foo-dev.c", "def-docs" },
	{ "header-unused", BLK_H, NULL },
	{ "qom-props", MACHINE_C ",hw/misc/bar-backend.c,hw/misc/bar-common.c,include/hw/misc/bar-backend.h,"
		       "include/qom/property.h", NULL },
	{ "qom-missing", MACHINE_C ",hw/misc/bar-backend.c,hw/misc/bar-common.c,include/hw/misc/bar-backend.h,"
			 "include/qom/property.h", "qom-props" },
	{ "qom-default", MACHINE_C ",hw/misc/bar-backend.c,hw/misc/bar-common.c,include/hw/misc/bar-backend.h,"
			 "include/qom/property.h", "qom-props" },
};
#define N_STEPS (sizeof(example_steps) / sizeof(example_steps[0]))

typedef struct {
	char *tmp;
	char *repo_dir;
	git_repository *repo;
} example;

static int example_setup(void **state)
{
	example *ex = calloc(1, sizeof(*ex));
	assert_non_null(ex);
	ex->tmp = mc_test_tempdir("fixture");
	assert_non_null(ex->tmp);
	ex->repo_dir = path_join(ex->tmp, "repo");
	if (mc_fixture_repo_build(EXAMPLE_DIR, ex->repo_dir) != 0)
		fail_msg("building %s failed", EXAMPLE_DIR);
	git_libgit2_init();
	check_git(git_repository_open(&ex->repo, ex->repo_dir), "open");
	*state = ex;
	return 0;
}

static int example_teardown(void **state)
{
	example *ex = *state;
	git_repository_free(ex->repo);
	git_libgit2_shutdown();
	mc_test_rmtree(ex->tmp);
	free(ex->repo_dir);
	free(ex->tmp);
	free(ex);
	return 0;
}

static void test_example_head_and_worktree(void **state)
{
	example *ex = *state;

	git_reference *head = NULL;
	check_git(git_reference_lookup(&head, ex->repo, "HEAD"), "HEAD");
	assert_int_equal(git_reference_type(head), GIT_REFERENCE_SYMBOLIC);
	assert_string_equal(git_reference_symbolic_target(head), "refs/heads/base");
	git_reference_free(head);
	assert_false(git_repository_is_bare(ex->repo));

	char *version_path = path_join(ex->repo_dir, "VERSION");
	char *version = read_text(version_path);
	assert_non_null(version);
	assert_string_equal(version, "10.1.50\n");
	free(version);
	free(version_path);

	/* The generated headers are missing on purpose, as in a QEMU checkout. */
	char *p = path_join(ex->repo_dir, "include/config-host.h");
	assert_int_not_equal(access(p, F_OK), 0);
	free(p);
	p = path_join(ex->repo_dir, "hw/core/machine.c");
	assert_int_equal(access(p, F_OK), 0);
	free(p);

	/* Work tree and index match base exactly. */
	git_status_list *st = NULL;
	git_status_options so;
	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
	check_git(git_status_list_new(&st, ex->repo, &so), "status");
	assert_int_equal(git_status_list_entrycount(st), 0);
	git_status_list_free(st);

	/* base is a root commit with the fixture's files. */
	git_commit *base = branch_commit(ex->repo, "base");
	assert_int_equal(git_commit_parentcount(base), 0);
	git_tree *t = NULL;
	check_git(git_commit_tree(&t, base), "base tree");
	git_tree_entry *e = NULL;
	const char *expected[] = { "VERSION", "include/qemu/osdep.h", "include/qom/object.h",
				   "include/hw/core/qdev-properties.h", "include/hw/qdev-core.h",
				   "include/hw/boards.h", "qapi/common.json", "qapi/qapi-schema.json",
				   "hw/core/machine.c", "hw/i386/pc.c", "hw/i386/pc_piix.c",
				   "hw/block/virtio-blk.c", "hw/virtio/virtio.c",
				   "hw/virtio/virtio-pci.c", "hw/virtio/virtio-blk-pci.c",
				   "hw/virtio/virtio-rng.c", "hw/virtio/virtio-rng-pci.c",
				   "hw/s390x/virtio-ccw-blk.c", "hw/pci/pci.c", "hw/usb/hcd-xhci.c",
				   "hw/misc/foo-dev.c" };
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		if (git_tree_entry_bypath(&e, t, expected[i]) < 0)
			fail_msg("base lacks %s", expected[i]);
		git_tree_entry_free(e);
	}
	git_tree_free(t);
	git_commit_free(base);
}

static void test_example_steps(void **state)
{
	example *ex = *state;
	git_commit *base = branch_commit(ex->repo, "base");
	char *buf = malloc(65536);
	assert_non_null(buf);

	for (size_t i = 0; i < N_STEPS; i++) {
		const step_spec *s = &example_steps[i];
		git_commit *c = branch_commit(ex->repo, s->branch);
		git_commit *parent = s->parent ? branch_commit(ex->repo, s->parent) : NULL;
		assert_int_equal(git_commit_parentcount(c), 1);
		if (!git_oid_equal(git_commit_parent_id(c, 0), git_commit_id(parent ? parent : base)))
			fail_msg("the parent of %s is not %s", s->branch, s->parent ? s->parent : "base");
		git_commit_free(parent);
		/* Messages look like QEMU commits: subject, body, sign-off. */
		if (!strstr(git_commit_message(c), "\nSigned-off-by: "))
			fail_msg("%s: no Signed-off-by", s->branch);
		git_commit_free(c);

		if (s->paths) {
			changed_paths(ex->repo, "base", s->branch, buf, 65536);
			if (strcmp(buf, s->paths))
				fail_msg("%s changes %s, expected %s", s->branch, buf, s->paths);
		}
	}

	/* Every branch is one of the steps (or base). */
	git_branch_iterator *it = NULL;
	git_reference *ref = NULL;
	git_branch_t type;
	size_t nbranches = 0;
	check_git(git_branch_iterator_new(&it, ex->repo, GIT_BRANCH_LOCAL), "branches");
	while (git_branch_next(&ref, &type, it) == 0) {
		const char *name = NULL;
		check_git(git_branch_name(&name, ref), "branch name");
		int known = !strcmp(name, "base");
		for (size_t i = 0; i < N_STEPS; i++)
			known |= !strcmp(name, example_steps[i].branch);
		if (!known)
			fail_msg("unexpected branch %s", name);
		nbranches++;
		git_reference_free(ref);
	}
	git_branch_iterator_free(it);
	assert_int_equal(nbranches, N_STEPS + 1);

	free(buf);
	git_commit_free(base);
}

static void test_example_contents(void **state)
{
	example *ex = *state;
	size_t len = 0;

	/* good: the new default and its entry in the newest array. */
	char *h = blob_at(ex->repo, "good", BLK_H, NULL);
	assert_non_null(strstr(h, "#define VIRTIO_BLK_AUTO_NUM_QUEUES UINT16_MAX"));
	free(h);
	char *m = blob_at(ex->repo, "good", MACHINE_C, NULL);
	assert_non_null(strstr(m, "GlobalProperty hw_compat_10_1[] = {\n"
				  "    { \"virtio-blk-device\", \"num-queues\", \"1\" },\n};"));
	free(m);
	m = blob_at(ex->repo, "forgot", MACHINE_C, NULL);
	assert_non_null(strstr(m, "GlobalProperty hw_compat_10_1[] = {};"));
	free(m);
	m = blob_at(ex->repo, "wrong-array", MACHINE_C, NULL);
	assert_non_null(strstr(m, "GlobalProperty hw_compat_10_1[] = {};"));
	assert_non_null(strstr(m, "GlobalProperty hw_compat_10_0[] = {\n"
				  "    { \"virtio-blk-device\", \"num-queues\", \"1\" },"));
	free(m);

	/* header-only: the DEFINE_PROP line is the same as at base. */
	char *c0 = blob_at(ex->repo, "base", BLK_C, NULL);
	char *c1 = blob_at(ex->repo, "header-only", BLK_C, NULL);
	assert_string_equal(c0, c1);
	assert_non_null(strstr(c0, "VIRTIO_BLK_DEFAULT_QUEUE_SIZE),"));
	free(c0);
	free(c1);
	h = blob_at(ex->repo, "header-only", BLK_H, NULL);
	assert_non_null(strstr(h, "#define VIRTIO_BLK_DEFAULT_QUEUE_SIZE 128\n"));
	free(h);

	/* syntax-error: binary.c really is binary. */
	char *bin = blob_at(ex->repo, "syntax-error", "hw/misc/binary.c", &len);
	assert_non_null(bin);
	assert_true(len > 8);
	assert_memory_equal(bin, "\x89PNG\r\n\x1a\n", 8);
	assert_true(memchr(bin, '\0', len) != NULL);
	free(bin);

	/* no-compat and empty. */
	assert_null(blob_at(ex->repo, "no-compat", MACHINE_C, NULL));
	assert_null(blob_at(ex->repo, "no-compat", "hw/i386/pc.c", NULL));
	char *piix = blob_at(ex->repo, "no-compat", "hw/i386/pc_piix.c", NULL);
	assert_non_null(piix);
	free(piix);
	git_tree *t = branch_tree(ex->repo, "empty");
	assert_int_equal(git_tree_entrycount(t), 0);
	git_tree_free(t);

	/* wrong-array-fixes carries the trailers that make the placement deliberate. */
	git_commit *c = branch_commit(ex->repo, "wrong-array-fixes");
	assert_non_null(strstr(git_commit_message(c), "\nFixes: "));
	assert_non_null(strstr(git_commit_message(c), "\nCc: qemu-stable@nongnu.org\n"));
	git_commit_free(c);
	c = branch_commit(ex->repo, "wrong-array");
	assert_null(strstr(git_commit_message(c), "Fixes:"));
	git_commit_free(c);
}

static void collect_branch_ids(git_repository *repo, char *out, size_t size)
{
	out[0] = '\0';
	const char *names[N_STEPS + 1];
	names[0] = "base";
	for (size_t i = 0; i < N_STEPS; i++)
		names[i + 1] = example_steps[i].branch;
	for (size_t i = 0; i < N_STEPS + 1; i++) {
		git_commit *c = branch_commit(repo, names[i]);
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
		assert_true(strlen(out) + strlen(names[i]) + sizeof(hex) + 3 < size);
		strcat(out, names[i]);
		strcat(out, "=");
		strcat(out, hex);
		strcat(out, "\n");
		git_commit_free(c);
	}
}

static void test_example_deterministic(void **state)
{
	example *ex = *state;
	char first[8192], second[8192];
	collect_branch_ids(ex->repo, first, sizeof(first));

	char *dir = path_join(ex->tmp, "again");
	assert_int_equal(mc_fixture_repo_build(EXAMPLE_DIR, dir), 0);
	git_repository *again = NULL;
	check_git(git_repository_open(&again, dir), "open again");
	collect_branch_ids(again, second, sizeof(second));
	git_repository_free(again);
	assert_string_equal(first, second);

	/* An existing, non-empty output directory is refused. */
	assert_int_equal(mc_fixture_repo_build(EXAMPLE_DIR, dir), -1);
	free(dir);
}

/* ---- every .c file of every branch parses ------------------------------ */

typedef struct {
	git_repository *repo;
	const char *root;
	char **c_files;
	size_t n_c_files;
} export_ctx;

static int export_cb(const char *root, const git_tree_entry *entry, void *payload)
{
	export_ctx *x = payload;
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
		return 0;
	git_blob *b = NULL;
	check_git(git_blob_lookup(&b, x->repo, git_tree_entry_id(entry)), "blob");
	size_t n = strlen(root) + strlen(git_tree_entry_name(entry)) + 1;
	char *rel = malloc(n);
	assert_non_null(rel);
	snprintf(rel, n, "%s%s", root, git_tree_entry_name(entry));
	write_file(x->root, rel, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), 0644);
	git_blob_free(b);
	size_t len = strlen(rel);
	if (len > 2 && !strcmp(rel + len - 2, ".c")) {
		x->c_files = realloc(x->c_files, (x->n_c_files + 1) * sizeof(*x->c_files));
		assert_non_null(x->c_files);
		x->c_files[x->n_c_files++] = rel;
	} else {
		free(rel);
	}
	return 0;
}

static char *include_arg(const char *dir)
{
	size_t n = strlen(dir) + 3;
	char *s = malloc(n);
	assert_non_null(s);
	snprintf(s, n, "-I%s", dir);
	return s;
}

static unsigned count_errors(CXIndex index, const char *file, const char *const *args, int nargs)
{
	CXTranslationUnit tu = NULL;
	enum CXErrorCode ec = clang_parseTranslationUnit2(index, file, args, nargs, NULL, 0,
							  CXTranslationUnit_KeepGoing, &tu);
	if (ec != CXError_Success || !tu)
		return 1000; /* could not parse at all */
	unsigned errors = 0, n = clang_getNumDiagnostics(tu);
	for (unsigned i = 0; i < n; i++) {
		CXDiagnostic d = clang_getDiagnostic(tu, i);
		if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error) {
			if (!errors && !strstr(file, "/hw/misc/b")) {
				CXString s = clang_formatDiagnostic(d, clang_defaultDiagnosticDisplayOptions());
				print_message("%s\n", clang_getCString(s));
				clang_disposeString(s);
			}
			errors++;
		}
		clang_disposeDiagnostic(d);
	}
	clang_disposeTranslationUnit(tu);
	return errors;
}

static void test_example_parses(void **state)
{
	example *ex = *state;
	char *stub = path_join(ex->tmp, "stub");
	write_text(stub, "config-host.h", "/* empty: no configure run */\n");
	write_text(stub, "qapi/qapi-types-common.h",
		   "#ifndef QAPI_TYPES_COMMON_H\n#define QAPI_TYPES_COMMON_H\n"
		   "typedef enum OnOffAuto {\n    ON_OFF_AUTO_AUTO,\n    ON_OFF_AUTO_ON,\n"
		   "    ON_OFF_AUTO_OFF,\n    ON_OFF_AUTO__MAX,\n} OnOffAuto;\n#endif\n");

	CXIndex index = clang_createIndex(0, 0);
	const char *branches[N_STEPS + 1];
	branches[0] = "base";
	for (size_t i = 0; i < N_STEPS; i++)
		branches[i + 1] = example_steps[i].branch;

	for (size_t i = 0; i < N_STEPS + 1; i++) {
		char sub[256];
		snprintf(sub, sizeof(sub), "tree-%s", branches[i]);
		char *root = path_join(ex->tmp, sub);
		mkdir_p(root);
		export_ctx x = { ex->repo, root, NULL, 0 };
		git_tree *t = branch_tree(ex->repo, branches[i]);
		check_git(git_tree_walk(t, GIT_TREEWALK_PRE, export_cb, &x), "export");
		git_tree_free(t);

		if (strcmp(branches[i], "empty"))
			assert_true(x.n_c_files >= 15);
		char *inc = path_join(root, "include");
		char *a_stub = include_arg(stub), *a_inc = include_arg(inc), *a_root = include_arg(root);
		const char *args[] = { "-std=gnu11", a_stub, a_inc, a_root, "-ferror-limit=0" };
		for (size_t f = 0; f < x.n_c_files; f++) {
			char *file = path_join(root, x.c_files[f]);
			unsigned errors = count_errors(index, file, args, 5);
			int broken = !strcmp(branches[i], "syntax-error") &&
				     (!strcmp(x.c_files[f], "hw/misc/broken.c") ||
				      !strcmp(x.c_files[f], "hw/misc/binary.c"));
			if (broken && errors == 0)
				fail_msg("%s: %s was expected to have errors", branches[i], x.c_files[f]);
			if (!broken && errors)
				fail_msg("%s: %s has %u errors", branches[i], x.c_files[f], errors);
			free(file);
			free(x.c_files[f]);
		}
		free(x.c_files);
		free(a_stub);
		free(a_inc);
		free(a_root);
		free(inc);
		free(root);
	}
	clang_disposeIndex(index);
	free(stub);
}

/* ---- the builder on a fixture written here ----------------------------- */

static void test_builder_features(void **state)
{
	(void)state;
	char *tmp = mc_test_tempdir("builder");
	assert_non_null(tmp);
	char *fx = path_join(tmp, "fx");

	write_text(fx, "tree/a.txt", "a\n");
	write_text(fx, "tree/dir/b.txt", "b\n");
	write_text(fx, "tree/dir/sub/c.txt", "c\n");
	write_file(fx, "tree/run.sh", "#!/bin/sh\n", 10, 0755);
	write_text(fx, "MESSAGE", "Custom base message\n\nbody\n");
	write_text(fx, "steps/README", "not a step\n");
	/* 01-one: delete a file, add and replace files. */
	write_text(fx, "steps/01-one/PARENT", "base\n");
	write_text(fx, "steps/01-one/MESSAGE", "one\n\nFixes: 0123456789ab (\"x\")\n\n\n");
	write_text(fx, "steps/01-one/DELETE", "# comment\na.txt\n\n");
	write_text(fx, "steps/01-one/files/dir/b.txt", "b2\n");
	write_text(fx, "steps/01-one/files/new/deep/d.txt", "d\n");
	/* 02-two: on top of one, delete a directory. */
	write_text(fx, "steps/02-two/PARENT", "one");
	write_text(fx, "steps/02-two/MESSAGE", "two");
	write_text(fx, "steps/02-two/DELETE", "dir/\n");
	/* 03-three: an empty tree plus one file; no PARENT file means base. */
	write_text(fx, "steps/03-three/EMPTY", "");
	write_text(fx, "steps/03-three/files/only.txt", "only\n");
	/* step names without a numeric prefix are their own slug */
	write_text(fx, "steps/zz/PARENT", "two\n");

	char *out = path_join(tmp, "repo");
	assert_int_equal(mc_fixture_repo_build(fx, out), 0);
	git_libgit2_init();
	git_repository *repo = NULL;
	check_git(git_repository_open(&repo, out), "open");

	git_commit *base = branch_commit(repo, "base");
	assert_string_equal(git_commit_message(base), "Custom base message\n\nbody\n");
	assert_int_equal(git_commit_time(base), 1735732800);
	git_commit_free(base);

	git_tree *t = branch_tree(repo, "base");
	git_tree_entry *e = NULL;
	check_git(git_tree_entry_bypath(&e, t, "run.sh"), "run.sh");
	assert_int_equal(git_tree_entry_filemode(e), GIT_FILEMODE_BLOB_EXECUTABLE);
	git_tree_entry_free(e);
	check_git(git_tree_entry_bypath(&e, t, "a.txt"), "a.txt");
	assert_int_equal(git_tree_entry_filemode(e), GIT_FILEMODE_BLOB);
	git_tree_entry_free(e);
	git_tree_free(t);

	char paths[8192];
	changed_paths(repo, "base", "one", paths, sizeof(paths));
	assert_string_equal(paths, "a.txt,dir/b.txt,new/deep/d.txt");
	size_t len = 0;
	char *b = blob_at(repo, "one", "dir/b.txt", &len);
	assert_string_equal(b, "b2\n");
	free(b);
	git_commit *one = branch_commit(repo, "one");
	assert_string_equal(git_commit_message(one), "one\n\nFixes: 0123456789ab (\"x\")\n");
	git_commit_free(one);

	git_commit *two = branch_commit(repo, "two");
	git_commit *one_again = branch_commit(repo, "one");
	assert_true(git_oid_equal(git_commit_parent_id(two, 0), git_commit_id(one_again)));
	assert_string_equal(git_commit_message(two), "two\n");
	git_commit_free(one_again);
	git_commit_free(two);
	changed_paths(repo, "one", "two", paths, sizeof(paths));
	assert_string_equal(paths, "dir/b.txt,dir/sub/c.txt");
	t = branch_tree(repo, "two");
	assert_int_equal(git_tree_entry_bypath(&e, t, "dir"), GIT_ENOTFOUND);
	git_tree_free(t);

	t = branch_tree(repo, "three");
	assert_int_equal(git_tree_entrycount(t), 1);
	assert_string_equal(git_tree_entry_name(git_tree_entry_byindex(t, 0)), "only.txt");
	git_tree_free(t);

	git_commit *zz = branch_commit(repo, "zz");
	assert_string_equal(git_commit_message(zz), "zz\n");
	git_commit_free(zz);

	/* Checked out at base: the step files are not in the work tree. */
	char *p = path_join(out, "a.txt");
	assert_int_equal(access(p, F_OK), 0);
	free(p);
	p = path_join(out, "new/deep/d.txt");
	assert_int_not_equal(access(p, F_OK), 0);
	free(p);
	p = path_join(out, "run.sh");
	assert_int_equal(access(p, X_OK), 0);
	free(p);
	git_repository_free(repo);

	/* Errors: unknown parent, DELETE of a missing path, no tree/. */
	char *fx2 = path_join(tmp, "fx2");
	write_text(fx2, "tree/a.txt", "a\n");
	write_text(fx2, "steps/01-x/PARENT", "nosuch\n");
	char *out2 = path_join(tmp, "repo2");
	assert_int_equal(mc_fixture_repo_build(fx2, out2), -1);

	char *fx3 = path_join(tmp, "fx3");
	write_text(fx3, "tree/a.txt", "a\n");
	write_text(fx3, "steps/01-x/DELETE", "b.txt\n");
	char *out3 = path_join(tmp, "repo3");
	assert_int_equal(mc_fixture_repo_build(fx3, out3), -1);

	char *fx4 = path_join(tmp, "fx4");
	write_text(fx4, "steps/01-x/MESSAGE", "x\n");
	char *out4 = path_join(tmp, "repo4");
	assert_int_equal(mc_fixture_repo_build(fx4, out4), -1);

	git_libgit2_shutdown();
	free(fx2);
	free(out2);
	free(fx3);
	free(out3);
	free(fx4);
	free(out4);
	free(out);
	free(fx);
	mc_test_rmtree(tmp);
	struct stat st;
	assert_int_not_equal(stat(tmp, &st), 0);
	free(tmp);
}

/* ---- mc_test_run_tool --------------------------------------------------- */

static char *saved_bin;

static int run_tool_setup(void **state)
{
	(void)state;
	const char *b = getenv("MIGCOMPAT_BIN");
	saved_bin = b ? strdup(b) : NULL;
	setenv("MIGCOMPAT_BIN", "/bin/sh", 1);
	return 0;
}

static int run_tool_teardown(void **state)
{
	(void)state;
	if (saved_bin)
		setenv("MIGCOMPAT_BIN", saved_bin, 1);
	else
		unsetenv("MIGCOMPAT_BIN");
	free(saved_bin);
	saved_bin = NULL;
	return 0;
}

static void test_run_tool_status_and_streams(void **state)
{
	(void)state;
	const char *argv[] = { "ignored", "-c", "echo out; echo err >&2; exit 3", NULL };
	char *out = NULL, *err = NULL;
	assert_int_equal(mc_test_run_tool(argv, &out, &err), 3);
	assert_string_equal(out, "out\n");
	assert_string_equal(err, "err\n");
	free(out);
	free(err);

	/* stdin is not inherited: reading it ends at once. */
	const char *argv_in[] = { "x", "-c", "cat; echo done", NULL };
	assert_int_equal(mc_test_run_tool(argv_in, &out, &err), 0);
	assert_string_equal(out, "done\n");
	free(out);
	free(err);

	/* NULL out/err: the output is discarded. */
	const char *argv0[] = { "x", "-c", "echo hidden", NULL };
	assert_int_equal(mc_test_run_tool(argv0, NULL, NULL), 0);
}

static void test_run_tool_large_output(void **state)
{
	(void)state;
	/* Far more than a pipe buffer, on both streams. */
	const char *argv[] = { "x", "-c",
			       "head -c 300000 /dev/zero | tr '\\0' o; "
			       "head -c 400000 /dev/zero | tr '\\0' e >&2; "
			       "head -c 100000 /dev/zero | tr '\\0' o",
			       NULL };
	char *out = NULL, *err = NULL;
	assert_int_equal(mc_test_run_tool(argv, &out, &err), 0);
	assert_int_equal(strlen(out), 400000);
	assert_int_equal(strlen(err), 400000);
	assert_int_equal(out[0], 'o');
	assert_int_equal(err[399999], 'e');
	free(out);
	free(err);
}

static void test_run_tool_crash_and_missing(void **state)
{
	(void)state;
	const char *argv[] = { "x", "-c", "echo before; kill -SEGV $$", NULL };
	char *out = NULL, *err = NULL;
	assert_int_equal(mc_test_run_tool(argv, &out, &err), -1);
	assert_string_equal(out, "before\n");
	free(out);
	free(err);

	setenv("MIGCOMPAT_BIN", "/nonexistent/migcompat", 1);
	const char *argv2[] = { "x", "--version", NULL };
	assert_int_equal(mc_test_run_tool(argv2, &out, &err), 127);
	assert_non_null(strstr(err, "/nonexistent/migcompat"));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest example_tests[] = {
		cmocka_unit_test(test_example_head_and_worktree),
		cmocka_unit_test(test_example_steps),
		cmocka_unit_test(test_example_contents),
		cmocka_unit_test(test_example_deterministic),
		cmocka_unit_test(test_example_parses),
	};
	const struct CMUnitTest builder_tests[] = {
		cmocka_unit_test(test_builder_features),
	};
	const struct CMUnitTest run_tool_tests[] = {
		cmocka_unit_test(test_run_tool_status_and_streams),
		cmocka_unit_test(test_run_tool_large_output),
		cmocka_unit_test(test_run_tool_crash_and_missing),
	};
	int failed = 0;
	failed += cmocka_run_group_tests_name("example", example_tests, example_setup,
					      example_teardown);
	failed += cmocka_run_group_tests_name("builder", builder_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("run_tool", run_tool_tests, run_tool_setup,
					      run_tool_teardown);
	return failed ? 1 : 0;
}
