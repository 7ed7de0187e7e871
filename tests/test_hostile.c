/*
 * test_hostile.c - hostile input never takes the run down, and is never passed over in silence.
 *
 *  - files of a revision that cannot be analysed (50 MB, binary under a .c
 *    name, invalid C, macros that expand recursively or exponentially, a
 *    compat value of 10,000 characters) are listed in coverage.unanalysed
 *    with the reason, and the run goes on with exit 0 or 1;
 *  - a repository missing an object (a shallow clone, a lost blob) gives one
 *    line and exit 2;
 *  - a full disk under the cache: the same report, without the cache, said once;
 *  - a file whose parse passes the per-file time or memory limit is listed
 *    with the reason and the run goes on; processes and threads agree;
 *  - what the fuzzers found (tests/fuzz), one regression test each.
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
#include <git2.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "model/facts.h"
#include "fixture_repo.h"
#include "frontend/limits.h"
#include "test_util.h"
#include "util/util.h"

static struct {
	char *tmp;
	char *repo;
} g;

static int group_setup(void **state)
{
	(void)state;
	git_libgit2_init();
	return mc_test_example_repo("hostile", &g.tmp, &g.repo);
}

static int group_teardown(void **state)
{
	(void)state;
	mc_test_example_repo_remove(&g.tmp, &g.repo);
	git_libgit2_shutdown();
	return 0;
}

/* ---- the fuzzers' findings ------------------------------------------------ */

/* fuzz_cache_record: a compat array without a name crashed the model (strncmp on NULL). */
static void test_cache_record_compat_without_name(void **state)
{
	(void)state;
	mc_facts *f = NULL;
	const char *record = "{\"path\":\"hw/i386/pc.c\",\"parsed\":1,\"compat\":[{\"fn\":null,\"line\":17,"
			     "\"entries\":[{\"d\":\"qemu-xhci\",\"p\":\"streams\",\"v\":\"off\",\"l\":18}]}]}";
	assert_int_equal(mc_facts_from_json(&f, record), MC_EPARSE);
	assert_null(f);
}

/*
 * fuzz_parse: a string literal with bytes that are not UTF-8 ("\xff") gave
 * facts whose JSON lost the field, so the cache refused its own record.
 */
static void test_non_utf8_text_survives_json(void **state)
{
	(void)state;
	mc_facts f = {0};
	f.path = "hw/misc/caf\xe9.c";
	mc_compat_entry e = { .driver = "dev\xff", .property = "ok-\xc3\xa9", .value = "\xed\xa0\x80", .line = 3 };
	mc_compat_array a = { .name = "hw_compat_9_2", .line = 1, .entries = &e, .nentries = 1 };
	f.compat = &a;
	f.ncompat = 1;
	char *json = mc_facts_to_json(&f);
	mc_facts *back = NULL;
	assert_int_equal(mc_facts_from_json(&back, json), 0);
	assert_string_equal(back->path, "hw/misc/caf?.c");
	assert_string_equal(back->compat[0].entries[0].driver, "dev?");
	assert_string_equal(back->compat[0].entries[0].property, "ok-\xc3\xa9"); /* valid UTF-8 kept */
	assert_string_equal(back->compat[0].entries[0].value, "???");          /* a surrogate is not UTF-8 */
	mc_facts_free(back);
	free(json);

	char overlong[] = "\xc0\xaf|\xf4\x90\x80\x80|\xe2\x82";
	assert_string_equal(mc_utf8_repair(overlong), "??|????|??");
}

/* ---- macro expansion estimate -------------------------------------------- */

static int macros_refused(const char *text)
{
	char *why = NULL;
	int rc = mc_limits_check_macros("t.c", text, strlen(text), MC_MAX_MACRO_TOKENS, &why);
	assert_true(rc == 0 ? why == NULL : why != NULL);
	free(why);
	return rc < 0;
}

static void test_macro_estimate(void **state)
{
	(void)state;
	/* Exponential: 2^26 tokens, object-like and function-like. */
	mc_buf b = {0};
	mc_buf_puts(&b, "#define B0 1\n");
	for (int i = 1; i <= 26; i++)
		mc_buf_printf(&b, "#  define B%d B%d+ \\\n B%d\n", i, i - 1, i - 1);
	assert_true(macros_refused(b.ptr));
	mc_buf_free(&b);
	assert_true(macros_refused("#define X2(x) x x\n#define X4(x) X2(X2(x))\n#define X16(x) X4(X4(x))\n"
				   "#define X256(x) X16(X16(x))\n#define X64K(x) X256(X256(x))\n"
				   "#define X4G(x) X64K(X64K(x))\n"));
	/*
	 * A ten-level type-generic chain, shaped like QEMU_GENERIC10 of the 4.2
	 * development tree (estimated at millions of tokens, expanded by clang in
	 * no time): refusing it emptied every file that includes compiler.h.
	 */
	b = (mc_buf){0};
	mc_buf_puts(&b, "#define GEN_IF(x, type_then, else_) __builtin_choose_expr("
			"__builtin_types_compatible_p(x, type_then), type_then, else_)\n"
			"#define GEN1(x, a0, ...) GEN_IF(x, a0, void)\n");
	for (int i = 2; i <= 10; i++)
		mc_buf_printf(&b, "#define GEN%d(x, a0, ...) GEN_IF(x, a0, GEN%d(x, __VA_ARGS__))\n", i, i - 1);
	assert_false(macros_refused(b.ptr));
	mc_buf_free(&b);
	/* Recursive macros stop where the preprocessor stops: not refused. */
	assert_false(macros_refused("#define A B\n#define B A\n#define F(x) F(x) G(x)\n#define G(x) F(x)\n"));
	/* Ordinary QEMU-style macros (QEMU_GENERIC, glue, DEFINE_PROP_*) are far below the limit. */
	assert_false(macros_refused("#define glue(a, b) xglue(a, b)\n#define xglue(a, b) a##b\n"
				    "#define QEMU_GENERIC_IF(x, type_then, else_) __builtin_choose_expr("
				    "__builtin_types_compatible_p(x, type_then), 1, else_)\n"
				    "#define QEMU_GENERIC2(x, a0, ...) QEMU_GENERIC_IF(x, a0, QEMU_GENERIC1(x, __VA_ARGS__))\n"
				    "#define QEMU_GENERIC1(x, a0, ...) QEMU_GENERIC_IF(x, a0, 0)\n"
				    "#define DEFINE_PROP(_n, _s, _f, _p, _t, ...) { .name = (_n), .info = &(_p), "
				    ".offset = offsetof(_s, _f), __VA_ARGS__ }\n"));
	/* Unterminated things at the end of the text are read safely. */
	assert_false(macros_refused("#define S \"abc\\"));
	assert_false(macros_refused("#define F(a, b"));
	assert_false(macros_refused("#define"));
}

/* ---- a commit of hostile files ------------------------------------------- */

typedef struct {
	const char *path;
	const char *data;
	size_t len;
} blob_file;

/* Commits files on top of branch from as branch to, with libgit2 (an in-memory index). */
static void commit_files(const char *repo_dir, const char *from, const char *to, const blob_file *files, size_t n)
{
	git_repository *repo = NULL;
	git_object *parent = NULL;
	git_tree *tree = NULL;
	git_index *index = NULL;
	git_signature *sig = NULL;
	git_oid tree_id, commit_id;
	int rc = git_repository_open(&repo, repo_dir);
	if (rc == 0)
		rc = git_revparse_single(&parent, repo, mc_test_ksprintf("refs/heads/%s^{commit}", from));
	if (rc == 0)
		rc = git_commit_tree(&tree, (git_commit *)parent);
	if (rc == 0)
		rc = git_index_new(&index);
	if (rc == 0)
		rc = git_index_read_tree(index, tree);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		git_index_entry e = { .mode = GIT_FILEMODE_BLOB, .path = files[i].path };
		rc = git_blob_create_from_buffer(&e.id, repo, files[i].data, files[i].len);
		if (rc == 0)
			rc = git_index_add(index, &e);
	}
	git_tree_free(tree);
	tree = NULL;
	if (rc == 0)
		rc = git_index_write_tree_to(&tree_id, index, repo);
	if (rc == 0)
		rc = git_tree_lookup(&tree, repo, &tree_id);
	if (rc == 0)
		rc = git_signature_new(&sig, "Test", "test@example.com", 1700000000, 0);
	const git_commit *parents[1] = { (const git_commit *)parent };
	if (rc == 0)
		rc = git_commit_create(&commit_id, repo, mc_test_ksprintf("refs/heads/%s", to), sig, sig, NULL,
				       "hostile files\n", tree, 1, parents);
	char *msg = rc < 0 ? mc_test_ksprintf("%s", git_error_last() ? git_error_last()->message : "?") : NULL;
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
	git_object_free(parent);
	git_repository_free(repo);
	if (msg)
		fail_msg("libgit2: committing %s: %s", to, msg);
}

/* The coverage.unanalysed line of path, or NULL. */
static const char *unanalysed_line(json_t *report, const char *path)
{
	size_t i;
	json_t *v;
	size_t n = strlen(path);
	json_array_foreach(json_object_get(json_object_get(report, "coverage"), "unanalysed"), i, v) {
		const char *s = json_string_value(v);
		if (s && strncmp(s, path, n) == 0 && s[n] == ':')
			return s;
	}
	return NULL;
}

static void expect_unanalysed(json_t *report, const char *path, const char *reason)
{
	const char *line = unanalysed_line(report, path);
	if (!line)
		fail_msg("%s is not in coverage.unanalysed:\n%s", path,
			 json_dumps(json_object_get(report, "coverage"), JSON_INDENT(2)));
	if (!strstr(line, reason))
		fail_msg("%s is unanalysed for another reason than '%s': %s", path, reason, line);
}

#define HUGE_SIZE (50u << 20)

static char *huge_c_file(void)
{
	char *s = mc_malloc(HUGE_SIZE + 1);
	const char *head = "/* generated: Property table */\n";
	size_t at = strlen(head);
	memcpy(s, head, at);
	const char *line = "static const int generated_table_entry_0000 = 0;\n";
	size_t ll = strlen(line);
	while (at + ll <= HUGE_SIZE) {
		memcpy(s + at, line, ll);
		at += ll;
	}
	memset(s + at, '\n', HUGE_SIZE - at);
	s[HUGE_SIZE] = '\0';
	return s;
}

/* A device whose default comes from a header that the hostile commit garbles. */
#define GARBLED_USER                                                                                                \
	"#include \"qemu/osdep.h\"\n#include \"hw/core/qdev-properties.h\"\n#include \"hw/qdev-core.h\"\n"      \
	"#include \"hw/misc/garbled.h\"\n#ifndef GARBLED_Z\n#define GARBLED_Z 1\n#endif\n"                              \
	"#define TYPE_GARBLED_DEV \"garbled-dev\"\nOBJECT_DECLARE_SIMPLE_TYPE(GarbledState, GARBLED_DEV)\n"          \
	"struct GarbledState { DeviceState parent_obj; uint32_t z; };\n"                                              \
	"OBJECT_DEFINE_SIMPLE_TYPE(GarbledState, garbled_dev, GARBLED_DEV, DEVICE)\n"                                 \
	"static Property garbled_props[] = {\n    DEFINE_PROP_UINT32(\"z\", GarbledState, z, GARBLED_Z),\n};\n"     \
	"static void garbled_dev_class_init(ObjectClass *oc, const void *data)\n"                                   \
	"{\n    device_class_set_props(DEVICE_CLASS(oc), garbled_props);\n}\n"

static void test_hostile_files(void **state)
{
	(void)state;
	char *huge = mc_test_keep(huge_c_file());
	static const char binary[] = "Property TypeInfo \x7f" "ELF\x02\x01\x01\0\0\0\0\xff\xfe\x00\x01 binary";
	const char *invalid = "#include \"qemu/osdep.h\"\n/* Property */\nstatic Property p[] = { {{{ )) ;; @@ \n"
			      "int int int = ;\n}}}\n";
	const char *recursive = "#include \"qemu/osdep.h\"\n#include \"hw/core/qdev-properties.h\"\n"
				"#define A B\n#define B A\n#define F(x) G(x)\n#define G(x) F(x)\n"
				"static Property rec_props[] = {\n    DEFINE_PROP_UINT32(\"x\", int, A, F(1)),\n};\n";
	const char *garbled_user = GARBLED_USER;
	/* An #include naming a directory (found by fuzz_parse): no unsaved file may be named so. */
	const char *odd_include = "#include \"qemu/osdep.h\"\n#include \"qemu/osdep.h../\"\n"
				  "#include \"hw/core/qdev-properties.h\"\ntypedef struct { unsigned w; } OddState;\n"
				  "static Property odd_props[] = {\n    DEFINE_PROP_UINT32(\"w\", OddState, w, 1),\n};\n";
	mc_buf bomb = {0};
	mc_buf_puts(&bomb, "#include \"qemu/osdep.h\"\n#include \"hw/core/qdev-properties.h\"\n#define B0 1\n");
	for (int i = 1; i <= 40; i++)
		mc_buf_printf(&bomb, "#define B%d B%d+B%d\n", i, i - 1, i - 1);
	mc_buf_puts(&bomb, "typedef struct { unsigned y; } BombState;\nstatic Property bomb_props[] = {\n"
			   "    DEFINE_PROP_UINT32(\"y\", BombState, y, B40),\n};\n");
	mc_test_keep(bomb.ptr);

	/* hw/core/machine.c with a 10,000-character value in the newest compat array. */
	const char *machine_path = MC_TEST_EXAMPLE_DIR "/tree/hw/core/machine.c";
	char *machine = mc_test_keep(mc_test_read_file(machine_path, NULL));
	assert_non_null(machine);
	const char *anchor = "GlobalProperty hw_compat_10_0[] = {\n";
	char *at = strstr(machine, anchor);
	assert_non_null(at);
	char *long_value = mc_test_keep(mc_malloc(10001));
	memset(long_value, 'x', 10000);
	long_value[10000] = '\0';
	size_t pre = (size_t)(at - machine) + strlen(anchor);
	char *edited = mc_test_ksprintf("%.*s    { \"foo-dev\", \"level\", \"%s\" },\n%s", (int)pre, machine,
					long_value, machine + pre);

	const blob_file files[] = {
		{ "hw/misc/huge.c", huge, HUGE_SIZE },
		{ "hw/misc/binary.c", binary, sizeof(binary) - 1 },
		{ "hw/misc/invalid.c", invalid, strlen(invalid) },
		{ "hw/misc/recursive.c", recursive, strlen(recursive) },
		{ "hw/misc/bomb.c", bomb.ptr, bomb.len },
		{ "hw/misc/odd_include.c", odd_include, strlen(odd_include) },
		{ "include/hw/misc/garbled.h", binary, sizeof(binary) - 1 },
		{ "hw/misc/garbled_user.c", garbled_user, strlen(garbled_user) },
		{ "hw/core/machine.c", edited, strlen(edited) },
	};
	commit_files(g.repo, "base", "hostile", files, sizeof(files) / sizeof(files[0]));

	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--format", "json",
			       "base..hostile", NULL };
	mc_test_result r = mc_test_run_result(argv);
	if (r.rc != 0 && r.rc != 1)
		fail_msg("exit %d, want 0 or 1; stderr:\n%s", r.rc, r.err);
	json_t *report = mc_test_parse_json_object(r.out, "check base..hostile");
	expect_unanalysed(report, "hw/misc/huge.c", "limit");
	expect_unanalysed(report, "hw/misc/binary.c", "binary");
	expect_unanalysed(report, "hw/misc/invalid.c", "error");
	expect_unanalysed(report, "hw/misc/bomb.c", "macro B");
	/* The odd #include is an error in the file, not a libclang crash. */
	const char *odd = unanalysed_line(report, "hw/misc/odd_include.c");
	if (odd && strstr(odd, "crash"))
		fail_msg("libclang crashed on an #include naming a directory: %s", odd);
	/* A header refused is named itself, not only through its includers' errors. */
	expect_unanalysed(report, "include/hw/misc/garbled.h", "binary");
	/* The recursive macros are C the preprocessor handles: parsed, its array understood or listed. */
	if (unanalysed_line(report, "hw/misc/recursive.c") &&
	    strstr(unanalysed_line(report, "hw/misc/recursive.c"), ": file:"))
		fail_msg("recursive.c was not parsed: %s", unanalysed_line(report, "hw/misc/recursive.c"));
	/* The 10,000-character value was read: machine.c is not listed, the report was written. */
	assert_null(unanalysed_line(report, "hw/core/machine.c"));
}

/* The default of garbled-dev's "z" that show prints at branch, or NULL. */
static const char *garbled_z(const char *branch, const char *cache)
{
	const char *argv[] = { "migcompat", "show", "--repo", g.repo, "--cache", cache, "--format", "json",
			       "--type", "garbled-dev", branch, NULL };
	mc_test_result r = mc_test_run_result(argv);
	if (r.rc != 0)
		fail_msg("show %s: exit %d; stderr:\n%s", branch, r.rc, r.err);
	json_t *report = mc_test_parse_json_object(r.out, "show garbled-dev");
	size_t i, k;
	json_t *t, *p;
	json_array_foreach(json_object_get(report, "types"), i, t)
		json_array_foreach(json_object_get(t, "properties"), k, p)
			if (strcmp(json_string_value(json_object_get(p, "name")), "z") == 0)
				return mc_test_ksprintf("%s", json_string_value(json_object_get(p, "value")));
	return NULL;
}

/* Mending a refused header changes the facts of the files including it, also through the cache. */
static void test_mended_header(void **state)
{
	(void)state;
	const blob_file mended[] = { { "include/hw/misc/garbled.h", "#define GARBLED_Z 7\n", 20 } };
	commit_files(g.repo, "hostile", "mended", mended, 1);
	const char *cache = mc_test_ksprintf("%s/mended-cache", g.tmp);
	mc_test_rmtree(cache);
	const char *before = garbled_z("hostile", cache);
	const char *after = garbled_z("mended", cache);
	if (!before || strcmp(before, "1") != 0 || !after || strcmp(after, "7") != 0)
		fail_msg("z: want 1 with the garbled header and 7 once mended, got %s and %s", before ? before : "none",
			 after ? after : "none");
	/* Refused again for another reason: the includer's cached facts must not keep the old one. */
	mc_buf bomb = {0};
	mc_buf_puts(&bomb, "#define G0 1\n");
	for (int i = 1; i <= 40; i++)
		mc_buf_printf(&bomb, "#define G%d G%d+G%d\n", i, i - 1, i - 1);
	mc_test_keep(bomb.ptr);
	const blob_file rebroken[] = { { "include/hw/misc/garbled.h", bomb.ptr, bomb.len } };
	commit_files(g.repo, "hostile", "rebroken", rebroken, 1);
	const char *argv[] = { "migcompat", "show", "--repo", g.repo, "--cache", cache, "--format", "json", "rebroken",
			       NULL };
	mc_test_result r = mc_test_run_result(argv);
	assert_int_equal(r.rc, 0);
	expect_unanalysed(mc_test_parse_json_object(r.out, "show rebroken"), "include/hw/misc/garbled.h", "macro G");
}

/* ---- files past the per-file limits (worker.h) ---------------------------- */

/*
 * A header chain where each level includes the next twice, without guards:
 * 2^depth inclusions of leaf, each cheap to read, so the file is small and
 * clang never finishes (depth 30) or fills memory (an initializer).
 */
static void fan_out(blob_file *files, size_t *n, const char *stem, int depth, const char *leaf)
{
	for (int i = 0; i < depth; i++) {
		files[*n].path = mc_test_ksprintf("hw/misc/%s%d.h", stem, i);
		files[*n].data = mc_test_ksprintf("#include \"%s%d.h\"\n#include \"%s%d.h\"\n", stem, i + 1, stem, i + 1);
		files[*n].len = strlen(files[*n].data);
		(*n)++;
	}
	files[*n].path = mc_test_ksprintf("hw/misc/%s%d.h", stem, depth);
	files[*n].data = leaf;
	files[*n].len = strlen(leaf);
	(*n)++;
}

#if defined(MC_TEST_UNDER_VALGRIND)
/* Every parse is tens of times slower under memcheck: a short limit would stop honest files. */
#define LIMIT_SECONDS "60"
#else
#define LIMIT_SECONDS "5"
#endif

static void test_files_past_the_limits(void **state)
{
	(void)state;
	blob_file files[80];
	size_t n = 0;
	const char *head = "#include \"qemu/osdep.h\"\n#include \"hw/core/qdev-properties.h\"\n"
			   "typedef struct { unsigned v; } LimState;\n";
	files[n++] = (blob_file){ "hw/misc/endless.c", NULL, 0 };
	files[0].data = mc_test_ksprintf("%s#include \"endless0.h\"\nstatic Property endless_props[] = {\n"
					 "    DEFINE_PROP_UINT32(\"v\", LimState, v, 1),\n};\n", head);
	files[0].len = strlen(files[0].data);
	fan_out(files, &n, "endless", 30, "extern int endless_leaf;\n");
#ifndef MC_TEST_UNDER_VALGRIND
	/* Not under memcheck: the memory limit would stop valgrind itself, which says so in its report. */
	mc_buf leaf = {0};
	for (int i = 0; i < 1000; i++)
		mc_buf_puts(&leaf, "1,");
	mc_buf_puts(&leaf, "\n");
	mc_test_keep(leaf.ptr);
	files[n] = (blob_file){ "hw/misc/greedy.c", NULL, 0 };
	files[n].data = mc_test_ksprintf("%sstatic const int greedy_table[] = {\n#include \"greedy0.h\"\n};\n"
					 "static Property greedy_props[] = {\n"
					 "    DEFINE_PROP_UINT32(\"v\", LimState, v, 1),\n};\n", head);
	files[n].len = strlen(files[n].data);
	n++;
	fan_out(files, &n, "greedy", 24, leaf.ptr);
	/*
	 * A macro bomb split between a header and the .c file, each half 2^20
	 * tokens (under the per-file estimate's limit), 2^40 together.
	 */
	mc_buf defs = {0}, user = {0};
	mc_buf_puts(&defs, "#define SB0 1\n");
	for (int i = 1; i <= 20; i++)
		mc_buf_printf(&defs, "#define SB%d SB%d+SB%d\n", i, i - 1, i - 1);
	mc_test_keep(defs.ptr);
	files[n++] = (blob_file){ "hw/misc/split_bomb.h", defs.ptr, defs.len };
	mc_buf_printf(&user, "%s#include \"split_bomb.h\"\n#define SC0 SB20\n", head);
	for (int i = 1; i <= 20; i++)
		mc_buf_printf(&user, "#define SC%d SC%d+SC%d\n", i, i - 1, i - 1);
	mc_buf_puts(&user, "static Property split_props[] = {\n    DEFINE_PROP_UINT32(\"v\", LimState, v, SC20),\n};\n");
	mc_test_keep(user.ptr);
	files[n] = (blob_file){ "hw/misc/split_bomb.c", user.ptr, user.len };
	files[n].len = strlen(files[n].data);
	n++;
#endif
	commit_files(g.repo, "forgot", "limits", files, n);

	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--format", "json",
			       "--time-limit", LIMIT_SECONDS, "--memory-limit", "256", "base..limits", NULL };
	mc_test_result r = mc_test_run_result(argv);
	if (r.rc != 1)
		fail_msg("exit %d, want 1 (the findings of base..forgot); stderr:\n%s", r.rc, r.err);
	json_t *report = mc_test_parse_json_object(r.out, "check base..limits");
	/* The reasons are in the report; what a dying libclang prints is not passed on. */
	if (strstr(r.err, "crash detected") || strstr(r.err, "LLVM ERROR"))
		fail_msg("a child's dying words reached standard error:\n%s", r.err);
	expect_unanalysed(report, "hw/misc/endless.c", "longer than the per-file limit of " LIMIT_SECONDS " s");
#if defined(MC_TEST_SANITIZED)
	/*
	 * ASan reserves its heap's address space when it starts, so RLIMIT_AS
	 * does not see small allocations: the time limit stops the file.
	 */
	expect_unanalysed(report, "hw/misc/greedy.c", "per-file");
	expect_unanalysed(report, "hw/misc/split_bomb.c", "limit");
#elif !defined(MC_TEST_UNDER_VALGRIND)
	expect_unanalysed(report, "hw/misc/greedy.c", "per-file memory limit of 256 MiB");
	expect_unanalysed(report, "hw/misc/split_bomb.c", "limit");
#endif
	/* The run went on: the findings are those of base..forgot, the limited files add none. */
	const char *plain[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--format", "json",
				"base..forgot", NULL };
	mc_test_result want = mc_test_run_result(plain);
	json_t *want_report = mc_test_parse_json_object(want.out, "check base..forgot");
	json_t *got = json_object_get(report, "findings"), *expected = json_object_get(want_report, "findings");
	if (json_array_size(expected) == 0 || !json_equal(got, expected))
		fail_msg("findings differ from base..forgot's:\n%s\nwant:\n%s", json_dumps(got, JSON_INDENT(2)),
			 json_dumps(expected, JSON_INDENT(2)));
}

/* The same report whether files are parsed in child processes (limits) or in threads (no limits). */
static void test_processes_and_threads_agree(void **state)
{
	(void)state;
	const char *procs[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--format", "json", "-j", "2",
				"base..forgot", NULL };
	const char *threads[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--format", "json", "-j", "2",
				  "--time-limit", "0", "--memory-limit", "0", "base..forgot", NULL };
	mc_test_result a = mc_test_run_result(procs);
	mc_test_result b = mc_test_run_result(threads);
	assert_int_equal(a.rc, 1);
	assert_int_equal(b.rc, a.rc);
	assert_string_equal(a.out, b.out);
}

static void test_limit_options(void **state)
{
	(void)state;
	const char *bad[][2] = { { "--time-limit", "-1" }, { "--time-limit", "ten" }, { "--memory-limit", "" },
				 { "--memory-limit", "99999999999" } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[] = { "migcompat", "check", "--repo", g.repo, bad[i][0], bad[i][1], "base..forgot", NULL };
		mc_test_result r = mc_test_run_result(argv);
		assert_int_equal(r.rc, 2);
		if (!strstr(r.err, bad[i][0]) || strchr(r.err, '\n') != r.err + strlen(r.err) - 1)
			fail_msg("%s %s: want one line naming the option, got:\n%s", bad[i][0], bad[i][1], r.err);
	}
}

/* ---- a repository missing objects ---------------------------------------- */

/* A copy of the example repository (the shared one stays whole). */
static const char *copy_repo(const char *tag)
{
	const char *dir = mc_test_ksprintf("%s/%s", g.tmp, tag);
	mc_test_rmtree(dir);
	if (mc_fixture_repo_build(MC_TEST_EXAMPLE_DIR, dir) < 0)
		fail_msg("cannot build %s", dir);
	return dir;
}

static const char *object_id(const char *repo_dir, const char *spec)
{
	git_repository *repo = NULL;
	git_object *obj = NULL;
	if (git_repository_open(&repo, repo_dir) < 0 || git_revparse_single(&obj, repo, spec) < 0)
		fail_msg("libgit2: %s: %s", spec, git_error_last() ? git_error_last()->message : "?");
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof(hex), git_object_id(obj));
	git_object_free(obj);
	git_repository_free(repo);
	return mc_test_ksprintf("%s", hex);
}

static void remove_loose_object(const char *repo_dir, const char *hex)
{
	const char *path = mc_test_ksprintf("%s/.git/objects/%.2s/%s", repo_dir, hex, hex + 2);
	if (unlink(path) < 0)
		fail_msg("cannot remove %s: %s", path, strerror(errno));
}

static void expect_one_line_error(const char *const *argv, const char *needle, const char *what)
{
	mc_test_result r = mc_test_run_result(argv);
	if (r.rc != 2)
		fail_msg("%s: exit %d, want 2; stderr:\n%s", what, r.rc, r.err);
	if (*r.out)
		fail_msg("%s: output on stdout:\n%s", what, r.out);
	if (mc_test_count_lines(r.err) != 1 || strncmp(r.err, "migcompat: ", 11) != 0)
		fail_msg("%s: want one line 'migcompat: ...' on stderr, got:\n%s", what, r.err);
	if (!strstr(r.err, needle))
		fail_msg("%s: the error does not say '%s': %s", what, needle, r.err);
}

/* A shallow clone: the history stops at a commit whose parent is not there. */
static void test_shallow_clone(void **state)
{
	(void)state;
	const char *repo = copy_repo("shallow");
	const char *forgot = object_id(repo, "refs/heads/forgot");
	const char *base = object_id(repo, "refs/heads/base");
	remove_loose_object(repo, base);
	FILE *f = fopen(mc_test_ksprintf("%s/.git/shallow", repo), "w");
	assert_non_null(f);
	fprintf(f, "%s\n", forgot);
	fclose(f);
	const char *range[] = { "migcompat", "check", "--repo", repo, "--no-cache", "base..forgot", NULL };
	expect_one_line_error(range, "base", "a range whose base is beyond the shallow boundary");
	const char *parent[] = { "migcompat", "check", "--repo", repo, "--no-cache", "forgot~1..forgot", NULL };
	expect_one_line_error(parent, "forgot~1", "the parent of a shallow commit");
	const char *series[] = { "migcompat", "check", "--repo", repo, "--no-cache", "--each-commit", "base..forgot",
				 NULL };
	expect_one_line_error(series, "base", "--each-commit over a range with a missing base");
}

/* A blob of the revision is missing from the object database. */
static void test_missing_blob(void **state)
{
	(void)state;
	const char *repo = copy_repo("lost-blob");
	remove_loose_object(repo, object_id(repo, "refs/heads/forgot:hw/core/machine.c"));
	const char *check[] = { "migcompat", "check", "--repo", repo, "--no-cache", "base..forgot", NULL };
	expect_one_line_error(check, "object not found", "check with a lost blob");
	const char *show[] = { "migcompat", "show", "--repo", repo, "--no-cache", "forgot", NULL };
	expect_one_line_error(show, "object not found", "show with a lost blob");
}

/* ---- a full disk under the cache ------------------------------------------ */

/*
 * RLIMIT_FSIZE stands in for a full disk: a write past it fails with EFBIG
 * (SIGXFSZ ignored, as the tool inherits it).  kb small: the database cannot
 * even be created; larger: it is, and the writes of the run fail.
 */
static void check_with_file_limit(rlim_t kb, const char *what)
{
	const char *cache = mc_test_ksprintf("%s/full-%lu", g.tmp, (unsigned long)kb);
	mc_test_rmtree(cache);
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--cache", cache, "--format", "json",
			       "base..forgot", NULL };
	const char *plain[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--format", "json",
				"base..forgot", NULL };
	mc_test_result want = mc_test_run_result(plain);
	struct rlimit old, lim;
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = kb * 1024;
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &lim);
	mc_test_result r = mc_test_run_result(argv);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, old_handler);
	if (r.rc != want.rc)
		fail_msg("%s: exit %d, want %d; stderr:\n%s", what, r.rc, want.rc, r.err);
	assert_string_equal(r.out, want.out);
	const char *notice = strstr(r.err, "going on without the cache");
	if (!notice || strstr(notice + 1, "going on without the cache"))
		fail_msg("%s: want one notice 'going on without the cache', stderr:\n%s", what, r.err);
}

static void test_full_disk(void **state)
{
	(void)state;
	check_with_file_limit(8, "a disk too full to create the cache");
	check_with_file_limit(32, "a disk that fills during the run");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_cache_record_compat_without_name, mc_test_arena_release),
		cmocka_unit_test_teardown(test_non_utf8_text_survives_json, mc_test_arena_release),
		cmocka_unit_test_teardown(test_macro_estimate, mc_test_arena_release),
		cmocka_unit_test_teardown(test_hostile_files, mc_test_arena_release),
		cmocka_unit_test_teardown(test_mended_header, mc_test_arena_release),
		cmocka_unit_test_teardown(test_files_past_the_limits, mc_test_arena_release),
		cmocka_unit_test_teardown(test_processes_and_threads_agree, mc_test_arena_release),
		cmocka_unit_test_teardown(test_limit_options, mc_test_arena_release),
		cmocka_unit_test_teardown(test_shallow_clone, mc_test_arena_release),
		cmocka_unit_test_teardown(test_missing_blob, mc_test_arena_release),
		cmocka_unit_test_teardown(test_full_disk, mc_test_arena_release),
	};
	return cmocka_run_group_tests_name("hostile", tests, group_setup, group_teardown) ? 1 : 0;
}
