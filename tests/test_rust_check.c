/*
 * test_rust_check.c - `migcompat check` and `show` on a tree with a Rust
 * device, end to end (fixtures/rust: a Rust foo-dev beside the example's C
 * one; its README has the verdict of every step).
 *
 * Flagged: a Rust default changed without an entry (through a constant of
 * another file of the crate), and an entry naming a property the Rust device
 * lacks, in the 10.2 style (#[property]) and the 10.0 style
 * (declare_properties!).  Quiet: the Rust device added, its default changed
 * with the entry, spelled otherwise.  One finding when both implementations
 * change the same way.  The slice finds what --full finds, and a facts cache
 * warmed on the parent does not hide a change of lib.rs from device.rs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_repo.h"
#include "test_util.h"

#define RUST_FIXTURE MC_SOURCE_DIR "/fixtures/rust"
#define DEVICE_RS "rust/hw/misc/foo/src/device.rs"
#define MACHINE_C "hw/core/machine.c"
#define RUST_NOTE "only in QEMU built with Rust devices (configure --enable-rust)"

static struct {
	char *tmp, *repo, *cache;
} g;

static int group_setup(void **state)
{
	(void)state;
	g.tmp = mc_test_tempdir("rust-check");
	if (!g.tmp)
		return -1;
	g.repo = mc_test_xsprintf("%s/repo", g.tmp);
	g.cache = mc_test_xsprintf("%s/cache", g.tmp);
	return mc_fixture_repo_build(RUST_FIXTURE, g.repo) != 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(g.repo);
	free(g.cache);
	g.repo = g.cache = NULL;
	mc_test_example_repo_remove(&g.tmp, &g.repo);
	return 0;
}

/* The line of needle in a step's version of a file of fixtures/rust (its step, else the crate's first step). */
static int rust_line(const char *step, const char *path, const char *needle)
{
	const char *dirs[] = { step, "01-rust" };
	for (size_t i = 0; i < 2; i++) {
		char *text = mc_test_read_file(mc_test_ksprintf("%s/steps/%s/files/%s", RUST_FIXTURE, dirs[i], path), NULL);
		if (text) {
			mc_test_keep(text);
			int line = mc_test_line_of(text, needle);
			if (line)
				return line;
		}
	}
	fail_msg("'%s' not found in %s of fixtures/rust", needle, path);
	return 0;
}

/* check base head (extra: one more option or NULL): the report's findings, kept. */
static json_t *check(const char *base, const char *head, const char *extra, int want_rc)
{
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--cache", g.cache, "--format", "json", base,
			       head, extra, NULL };
	mc_test_result r = mc_test_run_result(argv);
	if (r.rc != want_rc)
		fail_msg("check %s %s: exit %d, want %d; stderr: %s", base, head, r.rc, want_rc, r.err);
	json_t *root = mc_test_parse_json_object(r.out, "check report");
	return json_object_get(root, "findings");
}

static int has_note(json_t *f, const char *text)
{
	json_t *notes = json_object_get(f, "notes"), *n;
	size_t i;
	json_array_foreach(notes, i, n)
		if (strstr(json_string_value(n), text))
			return 1;
	return 0;
}

static void expect_one(json_t *fs, const char *rule, const char *file, int line, const char *property)
{
	if (json_array_size(fs) != 1)
		fail_msg("%zu findings, want one %s: %s", json_array_size(fs), rule, json_dumps(fs, 0));
	json_t *f = json_array_get(fs, 0);
	assert_string_equal(mc_test_jstr(f, "rule"), rule);
	assert_string_equal(mc_test_jstr(f, "severity"), "error");
	assert_string_equal(mc_test_jstr(f, "type"), "foo-dev");
	assert_string_equal(mc_test_jstr(f, "property"), property);
	assert_string_equal(mc_test_jstr(f, "file"), file);
	assert_int_equal(json_integer_value(json_object_get(f, "line")), line);
}

static void test_rust_check_quiet(void **state)
{
	(void)state;
	static const char *const pairs[][2] = {
		{ "base", "rust" },          /* the Rust device added: the same defaults */
		{ "rust", "rust-default-compat" }, /* needed by the Rust build: not redundant in the C one */
		{ "rust", "rust-refactor" },
		{ "base", "old-style" },
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		json_t *fs = check(pairs[i][0], pairs[i][1], NULL, 0);
		if (json_array_size(fs))
			fail_msg("%s..%s: %s", pairs[i][0], pairs[i][1], json_dumps(fs, 0));
	}
}

static void test_rust_check_default_changed(void **state)
{
	(void)state;
	/* The cache then holds device.rs as the parent has it: a change of lib.rs must still reach it. */
	const char *argv[] = { "migcompat", "show", "--repo", g.repo, "--cache", g.cache, "rust", NULL };
	assert_int_equal(mc_test_run_result(argv).rc, 0);
	json_t *fs = check("rust", "rust-default", NULL, 1);
	expect_one(fs, "compat-missing", DEVICE_RS, rust_line("02-rust-default", DEVICE_RS, "rename = \"level\""),
		   "level");
	json_t *f = json_array_get(fs, 0);
	assert_string_equal(mc_test_jstr(f, "old_value"), "2");
	assert_string_equal(mc_test_jstr(f, "new_value"), "3");
	assert_true(has_note(f, RUST_NOTE ", where " DEVICE_RS " implements foo-dev"));
	json_t *s = json_object_get(f, "suggestion");
	assert_string_equal(mc_test_jstr(s, "entry"), "{ \"foo-dev\", \"level\", \"2\" },");
	assert_string_equal(mc_test_jstr(s, "array"), "hw_compat_10_1");
}

static void test_rust_check_entry_the_rust_device_lacks(void **state)
{
	(void)state;
	static const char *const pairs[][3] = {
		{ "rust", "rust-dangling", "04-rust-dangling" },
		{ "old-style", "old-style-dangling", "08-old-style-dangling" },
	};
	for (size_t i = 0; i < 2; i++) {
		json_t *fs = check(pairs[i][0], pairs[i][1], NULL, 1), *kept = json_array();
		json_t *f;
		size_t k;
		/* The C build's note on label's default (none: not judged) is the C device's business. */
		json_array_foreach(fs, k, f)
			if (strcmp(mc_test_jstr(f, "severity"), "note") != 0)
				json_array_append(kept, f);
		mc_test_keep_json(kept);
		expect_one(kept, "compat-dangling", MACHINE_C, rust_line(pairs[i][2], MACHINE_C, "\"label\""), "label");
		assert_true(has_note(json_array_get(kept, 0), RUST_NOTE));
	}
}

static void test_rust_check_one_finding_for_both_builds(void **state)
{
	(void)state;
	json_t *fs = check("rust", "both-default", NULL, 1);
	expect_one(fs, "compat-missing", "hw/misc/foo-dev.c",
		   rust_line("05-both-default", "hw/misc/foo-dev.c", "\"level\""), "level");
	char *note = mc_test_ksprintf("the same in QEMU built with Rust devices (configure --enable-rust), declared at "
				      "%s:%d",
				      DEVICE_RS, rust_line("05-both-default", DEVICE_RS, "rename = \"level\""));
	assert_true(has_note(json_array_get(fs, 0), note));
}

/* The slice selects what a change of the crate reaches: the same findings as every file. */
static void test_rust_check_slice_finds_what_full_finds(void **state)
{
	(void)state;
	static const char *const pairs[][2] = {
		{ "rust", "rust-default" }, { "rust", "rust-dangling" }, { "base", "rust-default" }, { "rust", "both-default" }
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		json_t *sliced = check(pairs[i][0], pairs[i][1], NULL, 1);
		json_t *full = check(pairs[i][0], pairs[i][1], "--full", 1);
		char *a = json_dumps(sliced, JSON_SORT_KEYS), *b = json_dumps(full, JSON_SORT_KEYS);
		mc_test_keep(a);
		mc_test_keep(b);
		if (strcmp(a, b) != 0)
			fail_msg("%s..%s: sliced %s\nfull %s", pairs[i][0], pairs[i][1], a, b);
	}
}

/* A marker comment above a #[property] accepts its finding, as above a DEFINE_PROP. */
static void test_rust_check_marker(void **state)
{
	(void)state;
	json_t *fs = check("rust", "rust-marker", NULL, 0);
	assert_int_equal(json_array_size(fs), 1);
	json_t *f = json_array_get(fs, 0);
	assert_string_equal(mc_test_jstr(f, "rule"), "compat-missing");
	assert_string_equal(mc_test_jstr(f, "file"), DEVICE_RS);
	json_t *why = json_object_get(f, "suppressed");
	assert_string_equal(mc_test_jstr(why, "kind"), "inSource");
	assert_string_equal(mc_test_jstr(why, "reason"), "no released machine type has the Rust device yet");
}

static void test_rust_show_both_builds(void **state)
{
	(void)state;
	const char *argv[] = { "migcompat", "show", "--repo", g.repo, "--cache", g.cache, "--type", "foo-dev",
			       "rust-default", NULL };
	mc_test_result r = mc_test_run_result(argv);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "foo-dev.level = 2  [uint, default (hw/misc/foo-dev.c:"));
	char *rust = mc_test_ksprintf("foo-dev.level = 3  [uint, default (%s:%d), built with Rust devices]", DEVICE_RS,
				      rust_line("02-rust-default", DEVICE_RS, "rename = \"level\""));
	assert_non_null(strstr(r.out, rust));
	assert_null(strstr(r.out, "foo-dev.label = (none)  [string, default (rust"));
	const char *json_argv[] = { "migcompat", "show", "--repo", g.repo, "--cache", g.cache, "--type", "foo-dev",
				    "--format", "json", "rust", NULL };
	r = mc_test_run_result(json_argv);
	json_t *types = json_object_get(mc_test_parse_json_object(r.out, "show"), "types");
	assert_int_equal(json_array_size(types), 2);
	assert_null(json_object_get(json_array_get(types, 0), "build"));
	assert_string_equal(mc_test_jstr(json_array_get(types, 1), "build"), "rust");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_rust_check_quiet, mc_test_arena_release),
		cmocka_unit_test_teardown(test_rust_check_default_changed, mc_test_arena_release),
		cmocka_unit_test_teardown(test_rust_check_entry_the_rust_device_lacks, mc_test_arena_release),
		cmocka_unit_test_teardown(test_rust_check_one_finding_for_both_builds, mc_test_arena_release),
		cmocka_unit_test_teardown(test_rust_check_slice_finds_what_full_finds, mc_test_arena_release),
		cmocka_unit_test_teardown(test_rust_check_marker, mc_test_arena_release),
		cmocka_unit_test_teardown(test_rust_show_both_builds, mc_test_arena_release),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
