/*
 * test_slice.c - check parses only what a change can affect, with the same
 * findings as the full parse; the progress line shows on a terminal only.
 *
 * On the example fixture (fixtures/example):
 *  - every step: `check --format json base STEP` prints the same findings
 *    as `check --full`;
 *  - a change to a header (05-header-only) selects every file including it;
 *  - a change in one device (02-forgot, virtio-blk) leaves unrelated devices
 *    (hw/usb/hcd-xhci.c, hw/misc/foo-dev.c) unparsed, at both revisions;
 *  - --stats says how many files were selected, parsed and reused;
 *  - "parsing N/M" goes to a terminal (a pseudo-terminal here), never to a pipe;
 *  - a commit touching only documentation and scripts reuses its tree's
 *    selection (the fast path) and prints exactly what a check without a
 *    cache prints; a file of any name that a source file includes
 *    (35-def-change) is not inert, and the slice reaches its includer;
 *  - header macro changes, one feeding a default and one not, give the
 *    findings of --full.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frontend/analysis.h"
#include "fixture_repo.h"
#include "test_util.h"

static struct {
	char *tmp;
	char *repo;
} g;

/* ---- helpers ------------------------------------------------------------ */

/* The findings of check base STEP as JSON text, or the exit status and error of a refused check. */
static char *findings_of_run(const char *step, int full)
{
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--format", "json",
			       full ? "--full" : "--stats", "base", step, NULL };
	char *out, *err;
	int rc = mc_test_run_kept(argv, &out, &err);
	if (rc != 0 && rc != 1)
		return mc_test_ksprintf("exit %d: %s", rc, err);
	json_t *root = mc_test_parse_json_object(out, step);
	json_t *f = json_object_get(root, "findings");
	if (!json_is_array(f))
		fail_msg("%s: no findings array", step);
	return mc_test_keep(json_dumps(f, JSON_SORT_KEYS));
}

/* Loads base and step with the slice; both revisions kept for inspection. */
typedef struct {
	mc_revision *base, *head;
	mc_store *store;
	mc_repo *repo;
	mc_conv conv;
} loaded;

static void load(loaded *l, const char *step, int full)
{
	memset(l, 0, sizeof(*l));
	assert_int_equal(mc_conv_load_builtin(&l->conv), 0);
	assert_int_equal(mc_repo_open(&l->repo, g.repo), 0);
	mc_oid b, h;
	assert_int_equal(mc_repo_resolve(l->repo, &b, "base"), 0);
	assert_int_equal(mc_repo_resolve(l->repo, &h, step), 0);
	mc_snapshot *bs, *hs;
	assert_int_equal(mc_snapshot_from_commit(&bs, l->repo, &b, "base"), 0);
	assert_int_equal(mc_snapshot_from_commit(&hs, l->repo, &h, step), 0);
	mc_store_open(&l->store, NULL);
	mc_analysis_opts opts = { .jobs = 1, .progress = 0, .full = full, .build = NULL };
	assert_int_equal(mc_revision_load_pair(&l->base, &l->head, bs, hs, &l->conv, l->store, &opts), 0);
}

static void unload(loaded *l)
{
	mc_revision_free(l->base);
	mc_revision_free(l->head);
	mc_store_free(l->store);
	mc_repo_free(l->repo);
	mc_conv_free(&l->conv);
}

static int has_facts(const mc_revision *rev, const char *path)
{
	for (size_t i = 0; i < rev->nfacts; i++)
		if (strcmp(rev->facts[i]->path, path) == 0)
			return 1;
	return 0;
}

/* ---- tests -------------------------------------------------------------- */

/* Every step of the fixture: the slice gives exactly the findings of the full parse. */
static void test_findings_equal_full_on_every_step(void **state)
{
	(void)state;
	char *steps_dir = mc_test_ksprintf("%s/fixtures/example/steps", MC_SOURCE_DIR);
	DIR *d = opendir(steps_dir);
	assert_non_null(d);
	struct dirent *e;
	size_t n = 0;
	while ((e = readdir(d))) {
		const char *dash = strchr(e->d_name, '-');
		if (e->d_name[0] == '.' || !dash)
			continue;
		const char *step = dash + 1;
		char *sliced = findings_of_run(step, 0), *full = findings_of_run(step, 1);
		if (strcmp(sliced, full) != 0)
			fail_msg("step %s: sliced findings differ from --full:\n%s\n--- full:\n%s", step, sliced, full);
		n++;
	}
	closedir(d);
	assert_true(n >= 20);
}

/*
 * A change of arm-cpu reaches the models a table registers under it in a
 * file that writes neither their names nor arm-cpu (conv table-type): the
 * slice selects the files naming the table's struct.
 */
static void test_table_types_reached(void **state)
{
	(void)state;
	char *sliced = NULL, *full = NULL;
	for (int k = 0; k < 2; k++) {
		const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--format", "json",
				       k ? "--full" : "--stats", "cpu-models", "arm-cntfrq", NULL };
		char *out, *err;
		int rc = mc_test_run_kept(argv, &out, &err);
		assert_int_equal(rc, 1);
		json_t *root = mc_test_parse_json_object(out, "arm-cntfrq");
		char *text = mc_test_keep(json_dumps(json_object_get(root, "findings"), JSON_SORT_KEYS));
		*(k ? &full : &sliced) = text;
	}
	if (strcmp(sliced, full) != 0)
		fail_msg("sliced findings differ from --full:\n%s\n--- full:\n%s", sliced, full);
	if (!strstr(sliced, "cortex-m3-arm-cpu"))
		fail_msg("the models of the table should be affected:\n%s", sliced);
}

/* A header change re-parses every file that includes it. */
static void test_header_change_selects_includers(void **state)
{
	(void)state;
	loaded l;
	load(&l, "header-only", 0);
	const char *includers[] = { "hw/block/virtio-blk.c", "hw/virtio/virtio-blk-pci.c", "hw/s390x/virtio-ccw-blk.c" };
	for (size_t i = 0; i < sizeof(includers) / sizeof(includers[0]); i++) {
		if (!has_facts(l.base, includers[i]) || !has_facts(l.head, includers[i]))
			fail_msg("%s includes the changed header but was not parsed", includers[i]);
	}
	size_t parsed, reused, selected, candidates;
	mc_store_counts(l.store, &parsed, &reused);
	mc_store_selection(l.store, &selected, &candidates);
	assert_true(selected < candidates);
	/* Files whose key did not change are parsed once for both sides. */
	assert_true(parsed < 2 * selected);
	unload(&l);
}

/* A change in one device does not parse unrelated devices. */
static void test_device_change_skips_unrelated(void **state)
{
	(void)state;
	loaded l;
	load(&l, "forgot", 0);
	assert_true(has_facts(l.head, "hw/block/virtio-blk.c"));
	assert_true(has_facts(l.head, "hw/core/machine.c")); /* compat lists are always needed */
	const char *unrelated[] = { "hw/usb/hcd-xhci.c", "hw/misc/foo-dev.c" };
	for (size_t i = 0; i < sizeof(unrelated) / sizeof(unrelated[0]); i++)
		if (has_facts(l.base, unrelated[i]) || has_facts(l.head, unrelated[i]))
			fail_msg("%s is unrelated to a virtio-blk change but was parsed", unrelated[i]);
	unload(&l);

	/* --full parses them. */
	load(&l, "forgot", 1);
	assert_true(has_facts(l.head, "hw/usb/hcd-xhci.c"));
	size_t selected, candidates;
	mc_store_selection(l.store, &selected, &candidates);
	assert_int_equal(selected, candidates);
	unload(&l);
}

/* --stats: one line with the counts; the slice selects fewer files than --full. */
static void test_stats_line(void **state)
{
	(void)state;
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--stats", "base", "forgot", NULL };
	const char *fargv[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--stats", "--full", "base",
				"forgot", NULL };
	mc_test_result r = mc_test_run_result(argv), f = mc_test_run_result(fargv);
	size_t sel, cand, parsed, reused, fsel, fcand;
	const char *line = strstr(r.err, "migcompat: stats: ");
	const char *fline = strstr(f.err, "migcompat: stats: ");
	assert_non_null(line);
	assert_non_null(fline);
	assert_int_equal(sscanf(line, "migcompat: stats: %zu of %zu files selected, %zu parsed, %zu reused", &sel, &cand,
				&parsed, &reused), 4);
	assert_int_equal(sscanf(fline, "migcompat: stats: %zu of %zu files selected", &fsel, &fcand), 2);
	assert_true(sel < cand);
	assert_int_equal(fsel, fcand);
	assert_int_equal(cand, fcand);
	assert_int_equal(r.rc, f.rc);
}

/* A second check of the same commits reads its selection and facts from the cache: nothing parsed. */
static void test_warm_run_parses_nothing(void **state)
{
	(void)state;
	char *cache = mc_test_ksprintf("%s/cache-warm", g.tmp);
	mc_test_keep_dir(cache);
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--cache", cache, "--stats", "--format", "json",
			       "base", "forgot", NULL };
	mc_test_result cold = mc_test_run_result(argv), warm = mc_test_run_result(argv);
	assert_int_equal(cold.rc, warm.rc);
	assert_string_equal(cold.out, warm.out);
	size_t sel, cand, parsed, reused;
	const char *line = strstr(warm.err, "migcompat: stats: ");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "migcompat: stats: %zu of %zu files selected, %zu parsed, %zu reused", &sel, &cand,
				&parsed, &reused), 4);
	assert_int_equal(parsed, 0);
	assert_true(reused > 0);
	assert_true(sel < cand);
}

/* ---- the progress line ---------------------------------------------------- */

/* Runs the tool with stdout and stderr on a pseudo-terminal; returns what it printed. */
static char *run_on_terminal(const char *const *argv)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	char *slave_name = mc_test_ksprintf("%s", ptsname(master));
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setsid();
		int slave = open(slave_name, O_RDWR);
		if (slave < 0)
			_exit(127);
		dup2(slave, 1);
		dup2(slave, 2);
		close(master);
		execv(mc_test_tool_path(), (char *const *)argv);
		_exit(127);
	}
	mc_buf out = {0};
	char buf[4096];
	for (;;) {
		struct pollfd p = { master, POLLIN, 0 };
		if (poll(&p, 1, 60000) <= 0)
			break;
		ssize_t n = read(master, buf, sizeof(buf));
		if (n <= 0)
			break; /* EIO once the child closed the terminal */
		mc_buf_put(&out, buf, (size_t)n);
	}
	int status;
	waitpid(pid, &status, 0);
	close(master);
	return mc_test_keep(mc_buf_detach(&out));
}

static void test_progress_only_on_terminal(void **state)
{
	(void)state;
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--full", "base", "forgot", NULL };
	char *tty = run_on_terminal(argv);
	if (!strstr(tty, "\rmigcompat: parsing ") || !strstr(tty, " files"))
		fail_msg("no progress line on a terminal:\n%s", tty);
	mc_test_result piped = mc_test_run_result(argv);
	if (strstr(piped.err, "parsing"))
		fail_msg("progress line on a pipe:\n%s", piped.err);
}

/* check --format json BASE HEAD: with the cache in dir (--stats), or with none (--no-cache), or --full. */
static mc_test_result check_json(const char *cache, int full, const char *base, const char *head)
{
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--format", "json",
			       cache ? "--cache" : "--no-cache", cache ? cache : (full ? "--full" : "--stats"),
			       cache ? "--stats" : base, cache ? base : head, cache ? head : NULL, NULL };
	return mc_test_run_result(argv);
}

static char *findings_text(const char *out, const char *what)
{
	json_t *root = mc_test_parse_json_object(out, what);
	return mc_test_keep(json_dumps(json_object_get(root, "findings"), JSON_SORT_KEYS));
}

/*
 * A check with a cache that has seen other pairs prints exactly what a
 * check without a cache prints (findings, coverage, exit status), with the
 * findings of --full; fast says whether it must have reused a tree's
 * selection.  Returns the findings.
 */
static char *expect_same_output(const char *cache, const char *base, const char *head, int fast, int rc)
{
	mc_test_result warm = check_json(cache, 0, base, head);
	mc_test_result cold = check_json(NULL, 0, base, head);
	if (warm.rc != rc || cold.rc != rc)
		fail_msg("%s..%s: exit %d (cached), %d (no cache), expected %d:\n%s", base, head, warm.rc, cold.rc, rc,
			 warm.err);
	if (strcmp(warm.out, cold.out) != 0)
		fail_msg("%s..%s: the cached check prints\n%s\n--- without a cache:\n%s", base, head, warm.out, cold.out);
	char *f = findings_text(warm.out, head);
	/* base..STEP is compared with --full for every step already (test_findings_equal_full_on_every_step). */
	mc_test_result full = strcmp(base, "base") != 0 ? check_json(NULL, 1, base, head) : cold;
	if (full.rc != rc || strcmp(f, findings_text(full.out, head)) != 0)
		fail_msg("%s..%s: findings differ from --full (exit %d)", base, head, full.rc);
	if (fast != (strstr(warm.err, "fast path") != NULL))
		fail_msg("%s..%s: the fast path should%s have been taken:\n%s", base, head, fast ? "" : " not", warm.err);
	return f;
}

static char *private_cache(void)
{
	char *dir = mc_test_keep(mc_test_tempdir("slice-cache"));
	assert_non_null(dir);
	mc_test_keep_dir(dir);
	return dir;
}

/*
 * Commits that touch only documentation and scripts: the first computes the
 * selection and keeps it under both trees; the next one, whose base is the
 * head before (a bot following master), and any pair of those trees reuse it.
 */
static void test_fast_path_same_output(void **state)
{
	(void)state;
	char *cache = private_cache();
	expect_same_output(cache, "base", "docs-only", 0, 0);
	expect_same_output(cache, "docs-only", "docs-again", 1, 0);
	/* Kept under docs-again's tree by the fast path itself: the next commit's base. */
	expect_same_output(cache, "docs-again", "docs-again", 1, 0);
	/* A check that changes a default still finds it after them. */
	char *f = expect_same_output(cache, "docs-again", "forgot", 0, 1);
	if (!strstr(f, "compat-missing"))
		fail_msg("docs-again..forgot: no compat-missing:\n%s", f);
}

/*
 * A file of any name can be #included: foo-dev.c takes its default from
 * foo-dev-defaults.def.  A change to that file alone is not inert, and the
 * slice reaches foo-dev.c through the include line.
 */
static void test_fast_path_not_for_included_file(void **state)
{
	(void)state;
	char *cache = private_cache();
	expect_same_output(cache, "def-include", "def-docs", 0, 0);
	char *f = expect_same_output(cache, "def-docs", "def-change", 0, 1);
	if (!strstr(f, "\"foo-dev\"") || !strstr(f, "compat-missing"))
		fail_msg("def-docs..def-change: no compat-missing on foo-dev:\n%s", f);
}

/*
 * A header macro that feeds a default (05-header-only: queue-size) and one
 * that does not (36-header-unused: the realize-time limit): both give the
 * findings of --full, with a cache that has seen the other.
 */
static void test_header_macro_changes(void **state)
{
	(void)state;
	char *cache = private_cache();
	char *f = expect_same_output(cache, "base", "header-only", 0, 1);
	if (!strstr(f, "queue-size"))
		fail_msg("base..header-only: no finding on queue-size:\n%s", f);
	f = expect_same_output(cache, "base", "header-unused", 0, 0);
	if (strcmp(f, "[]") != 0)
		fail_msg("base..header-unused: findings:\n%s", f);
}

/*
 * Invalidation by what a file reads (depend.h): of the files including
 * virtio-blk.h, only virtio-blk.c reads the macro each step changes; the
 * others keep the facts of the base side instead of being parsed again.
 */
static void test_header_change_reparses_only_readers(void **state)
{
	(void)state;
	static const struct { const char *head, *macro; } steps[] = {
		{ "header-only", "VIRTIO_BLK_DEFAULT_QUEUE_SIZE" },
		{ "header-unused", "VIRTIO_BLK_MAX_QUEUE_SIZE" },
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		mc_test_result r = check_json(NULL, 0, "base", steps[i].head);
		size_t kept = 0, again = 0;
		const char *line = strstr(r.err, "migcompat: stats: ");
		line = line ? strstr(line + 1, "migcompat: stats: ") : NULL;
		if (!line || sscanf(line, "migcompat: stats: %zu files kept their facts (no header change reaches what "
				    "they read), %zu parsed again", &kept, &again) != 2)
			fail_msg("base..%s: no dependency line:\n%s", steps[i].head, r.err);
		char *reason = mc_test_keep(mc_sprintf("parsed again: hw/block/virtio-blk.c: it reads %s,", steps[i].macro));
		if (kept < 2 || again != 1 || !strstr(r.err, reason))
			fail_msg("base..%s: expected virtio-blk.c alone parsed again for %s:\n%s", steps[i].head,
				 steps[i].macro, r.err);
	}
}

static int group_setup(void **state)
{
	(void)state;
	memset(&g, 0, sizeof(g));
	return mc_test_example_repo("slice", &g.tmp, &g.repo);
}

static int group_teardown(void **state)
{
	(void)state;
	mc_test_example_repo_remove(&g.tmp, &g.repo);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_findings_equal_full_on_every_step, mc_test_arena_release),
		cmocka_unit_test_teardown(test_table_types_reached, mc_test_arena_release),
		cmocka_unit_test_teardown(test_header_change_selects_includers, mc_test_arena_release),
		cmocka_unit_test_teardown(test_device_change_skips_unrelated, mc_test_arena_release),
		cmocka_unit_test_teardown(test_stats_line, mc_test_arena_release),
		cmocka_unit_test_teardown(test_warm_run_parses_nothing, mc_test_arena_release),
		cmocka_unit_test_teardown(test_progress_only_on_terminal, mc_test_arena_release),
		cmocka_unit_test_teardown(test_fast_path_same_output, mc_test_arena_release),
		cmocka_unit_test_teardown(test_fast_path_not_for_included_file, mc_test_arena_release),
		cmocka_unit_test_teardown(test_header_macro_changes, mc_test_arena_release),
		cmocka_unit_test_teardown(test_header_change_reparses_only_readers, mc_test_arena_release),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
