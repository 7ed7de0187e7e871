/*
 * test_build.c - -p BUILD_DIR: a configured build's flags and generated headers.
 *
 *  - compile commands are split as sh would split them;
 *  - a build's compile_commands.json (relative paths, "command" strings) is
 *    mapped onto the analyzed revision: flags per file, tree paths virtual;
 *  - end to end: a default under #ifdef CONFIG_X, where CONFIG_X comes from
 *    the build's generated config-host.h, is read as the build sees it, and
 *    only with -p;
 *  - a missing, malformed or foreign compile_commands.json is a one-line
 *    input error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "frontend/build.h"
#include "fixture_repo.h"
#include "test_util.h"
#include "frontend/tree.h"

#define BLK_C "hw/block/virtio-blk.c"

static struct {
	char *tmp, *repo;
	int have_git;
} g;

static int group_setup(void **state)
{
	(void)state;
	memset(&g, 0, sizeof(g));
	g.have_git = system("git --version >/dev/null 2>&1") == 0;
	return mc_test_example_repo("build", &g.tmp, &g.repo);
}

static int group_teardown(void **state)
{
	(void)state;
	mc_test_example_repo_remove(&g.tmp, &g.repo);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_split_command(void **state)
{
	(void)state;
	mc_strvec w = {0};
	assert_int_equal(mc_build_split_command("cc  -DX='\"a b\"' -I\"inc dir\" a\\ b.c -DY=\\\"z\\\"", &w), 0);
	assert_int_equal(w.n, 5);
	assert_string_equal(w.v[0], "cc");
	assert_string_equal(w.v[1], "-DX=\"a b\"");
	assert_string_equal(w.v[2], "-Iinc dir");
	assert_string_equal(w.v[3], "a b.c");
	assert_string_equal(w.v[4], "-DY=\"z\"");
	mc_strvec_free(&w);
	assert_int_equal(mc_build_split_command("cc 'open", &w), MC_EPARSE);
	mc_strvec_free(&w);
}

/* A build directory (dir, or g.tmp/name) of src, with one compile command for BLK_C and extra flags. */
static char *make_build_at(const char *dir, const char *src, const char *config_host, const char *extra)
{
	assert_int_equal(mkdir(dir, 0755), 0);
	mc_test_keep_dir(dir);
	char *db = mc_test_xsprintf(
		"[{\"directory\": \"%s\", \"file\": \"%s/" BLK_C "\",\n"
		"  \"command\": \"cc -I. -I%s/include -iquote %s -DCONFIG_MC_BUILD=1 -std=gnu11 %s -o x.o -c %s/" BLK_C
		"\"}]\n",
		dir, src, src, src, extra, src);
	char *path = mc_test_xsprintf("%s/compile_commands.json", dir);
	write_file(path, db);
	free(path);
	free(db);
	if (config_host) {
		path = mc_test_xsprintf("%s/config-host.h", dir);
		write_file(path, config_host);
		free(path);
	}
	return (char *)dir;
}

static char *make_build(const char *name, const char *src, const char *config_host)
{
	return make_build_at(mc_test_ksprintf("%s/%s", g.tmp, name), src, config_host, "");
}

static void test_flags_are_mapped(void **state)
{
	(void)state;
	mc_repo *repo;
	mc_oid commit;
	mc_snapshot *snap;
	assert_int_equal(mc_repo_open(&repo, g.repo), 0);
	assert_int_equal(mc_repo_resolve(repo, &commit, "base"), 0);
	assert_int_equal(mc_snapshot_from_commit(&snap, repo, &commit, "base"), 0);
	char *dir = make_build("build-mapped", g.repo, NULL);
	mc_build *b;
	assert_int_equal(mc_build_open(&b, dir, snap), 0);
	assert_int_equal(mc_build_files(b), 1);
	assert_null(mc_build_flags(b, "hw/core/machine.c"));
	const mc_strvec *f = mc_build_flags(b, BLK_C);
	assert_non_null(f);
	/* -I. is the build directory (left on disk); tree paths become virtual. */
	char *joined = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&joined, &len);
	for (size_t i = 0; i < f->n; i++)
		fprintf(m, "%s|", f->v[i]);
	fclose(m);
	mc_test_keep(joined);
	assert_non_null(strstr(joined, mc_test_ksprintf("-I|%s|", dir)));
	assert_non_null(strstr(joined, "-I|" MC_TREE_ROOT "/include|"));
	assert_non_null(strstr(joined, "-iquote|" MC_TREE_ROOT "|"));
	assert_non_null(strstr(joined, "-DCONFIG_MC_BUILD=1|"));
	assert_non_null(strstr(joined, "-std=gnu11|"));
	assert_null(strstr(joined, "-o|"));
	assert_true(mc_test_is_hex40(mc_build_digest(b)));
	mc_build_free(b);
	mc_snapshot_free(snap);
	mc_repo_free(repo);
}

/* num-queues of virtio-blk-device as show prints it. */
static const char *num_queues(const char *repo, const char *build)
{
	char *out, *err;
	const char *with[] = { "migcompat", "show", "--repo", repo, "--no-cache", "--format", "json", "--type",
			       "virtio-blk-device", "-p", build, "HEAD", NULL };
	const char *without[] = { "migcompat", "show", "--repo", repo, "--no-cache", "--format", "json", "--type",
				  "virtio-blk-device", "HEAD", NULL };
	int rc = mc_test_run_kept(build ? with : without, &out, &err);
	if (rc != 0)
		fail_msg("show exited %d: %s", rc, err);
	json_t *root = mc_test_parse_json_object(out, "show");
	size_t i, k;
	json_t *t, *p;
	json_array_foreach(json_object_get(root, "types"), i, t) {
		if (json_object_get(t, "inside") && !json_is_null(json_object_get(t, "inside")))
			continue;
		json_array_foreach(json_object_get(t, "properties"), k, p)
			if (strcmp(mc_test_jstr(p, "name"), "num-queues") == 0)
				return mc_test_jstr(p, "value");
	}
	fail_msg("no num-queues in show's output");
	return NULL;
}

/*
 * A clone of the example whose num-queues default is 4 under CONFIG_MC_FOUR, 1
 * otherwise, with include/mc-four.h defining it (included by nothing).
 */
static char *four_queues_clone(const char *name)
{
	if (!g.have_git)
		skip();
	char *src = mc_test_ksprintf("%s/%s", g.tmp, name);
	mc_test_keep_dir(src);
	char *cmd = mc_test_xsprintf(
		"git clone -q '%s' '%s' && cd '%s' && "
		"sed -i 's/^\\( *DEFINE_PROP_UINT16(\"num-queues\".*\\), 1),$/#ifdef CONFIG_MC_FOUR\\n\\1, 4),\\n#else\\n\\1, 1),\\n#endif/' " BLK_C
		" && grep -q CONFIG_MC_FOUR " BLK_C " && echo '#define CONFIG_MC_FOUR 1' > include/mc-four.h && git add include/mc-four.h"
		" && git -c user.name=t -c user.email=t@e commit -qam four",
		g.repo, src, src);
	int rc = system(cmd);
	free(cmd);
	assert_int_equal(rc, 0);
	return src;
}

static void test_build_config_decides_the_default(void **state)
{
	(void)state;
	char *src = four_queues_clone("clone");
	assert_string_equal(num_queues(src, NULL), "1");
	char *build = make_build("build-four", src, "#define CONFIG_MC_FOUR 1\n");
	assert_string_equal(num_queues(src, build), "4");
	/* The same build without the define: its config-host.h, not the stub, is read. */
	char *plain = make_build("build-plain", src, "/* nothing */\n");
	assert_string_equal(num_queues(src, plain), "1");
}

static void test_build_dir_inside_the_tree(void **state)
{
	(void)state;
	/* configure's default: <src>/build, with relative paths; its headers are not the tree's. */
	char *src = four_queues_clone("clone-inside");
	char *dir = mc_test_ksprintf("%s/build", src);
	assert_int_equal(mkdir(dir, 0755), 0);
	write_file(mc_test_ksprintf("%s/config-host.h", dir), "#define CONFIG_MC_FOUR 1\n");
	write_file(mc_test_ksprintf("%s/compile_commands.json", dir),
		   "[{\"directory\": \".\", \"file\": \"../" BLK_C "\",\n"
		   "  \"arguments\": [\"cc\", \"-I.\", \"-I../include\", \"-iquote\", \"..\", \"-c\", \"../" BLK_C "\"]}]\n");
	assert_string_equal(num_queues(src, dir), "4");
}

static void test_forced_include_from_the_tree(void **state)
{
	(void)state;
	char *src = four_queues_clone("clone-forced");
	char *dir = make_build_at(mc_test_ksprintf("%s/build-forced", g.tmp), src, "/* nothing */\n",
				  mc_test_ksprintf("-include %s/include/mc-four.h", src));
	assert_string_equal(num_queues(src, dir), "4");
}

static void test_bad_build_dirs(void **state)
{
	(void)state;
	char *out, *err;
	char *empty = mc_test_ksprintf("%s/empty-build", g.tmp);
	assert_int_equal(mkdir(empty, 0755), 0);
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "-p", empty, "base", "forgot", NULL };
	assert_int_equal(mc_test_run_kept(argv, &out, &err), 2);
	assert_int_equal(mc_test_count_lines(err), 1);
	assert_non_null(strstr(err, "compile_commands.json"));

	write_file(mc_test_ksprintf("%s/compile_commands.json", empty), "{\"not\": \"an array\"}");
	assert_int_equal(mc_test_run_kept(argv, &out, &err), 2);
	assert_non_null(strstr(err, "not a compilation database"));
	assert_null(strstr(err, ":-1:"));

	write_file(mc_test_ksprintf("%s/compile_commands.json", empty),
		   "[{\"directory\": \"/elsewhere\", \"file\": \"/elsewhere/main.c\", \"command\": \"cc -c main.c\"}]");
	assert_int_equal(mc_test_run_kept(argv, &out, &err), 2);
	assert_non_null(strstr(err, "names no file of"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_split_command, mc_test_arena_release),
		cmocka_unit_test_teardown(test_flags_are_mapped, mc_test_arena_release),
		cmocka_unit_test_teardown(test_build_config_decides_the_default, mc_test_arena_release),
		cmocka_unit_test_teardown(test_build_dir_inside_the_tree, mc_test_arena_release),
		cmocka_unit_test_teardown(test_forced_include_from_the_tree, mc_test_arena_release),
		cmocka_unit_test_teardown(test_bad_build_dirs, mc_test_arena_release),
	};
	return cmocka_run_group_tests_name("build", tests, group_setup, group_teardown);
}
