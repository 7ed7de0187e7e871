/*
 * test_review.c - living with findings, run as a program on the example fixture:
 *
 *  - --fix prints a patch that `git apply` accepts, into an empty array and
 *    into one with entries, and the check after applying it is clean;
 *  - inline markers (on the line or the line above) and the suppression file
 *    accept a finding visibly (JSON and SARIF say so), and every malformed
 *    marker or entry, or a new entry that matches nothing, is an input error;
 *  - --baseline hides what a saved report already has;
 *  - --format email: per patch, the fix, how to suppress;
 *  - --help fits one screen.
 *
 * Each test works in its own clone of the example repository, so editing its
 * work tree cannot disturb another test.
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

#include "fixture_repo.h"
#include "report/suppress.h"
#include "test_util.h"

#define BLK_C "hw/block/virtio-blk.c"
#define MACHINE_C "hw/core/machine.c"

static struct {
	char *tmp, *repo;
	int have_git;
	int clones;
} g;

static int group_setup(void **state)
{
	(void)state;
	memset(&g, 0, sizeof(g));
	g.have_git = system("git --version >/dev/null 2>&1") == 0;
	return mc_test_example_repo("review", &g.tmp, &g.repo);
}

static int group_teardown(void **state)
{
	(void)state;
	mc_test_example_repo_remove(&g.tmp, &g.repo);
	return 0;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = NULL;
	if (vasprintf(&cmd, fmt, ap) < 0)
		fail_msg("out of memory");
	va_end(ap);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

/* A work tree of the example repository at branch, for this test only. */
static const char *clone_at(const char *branch)
{
	if (!g.have_git)
		skip();
	char *dir = mc_test_ksprintf("%s/clone%d", g.tmp, ++g.clones);
	if (sh("git clone -q '%s' '%s' && git -C '%s' checkout -q '%s'", g.repo, dir, dir, branch) != 0)
		fail_msg("cannot clone the example repository at %s", branch);
	mc_test_keep_dir(dir);
	return dir;
}

static void write_file(const char *dir, const char *path, const char *text)
{
	char *full = mc_test_xsprintf("%s/%s", dir, path);
	FILE *f = fopen(full, "w");
	free(full);
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *read_kept(const char *dir, const char *path)
{
	char *full = mc_test_xsprintf("%s/%s", dir, path);
	char *text = mc_test_read_file(full, NULL);
	free(full);
	assert_non_null(text);
	return mc_test_keep(text);
}

/* Replaces the first occurrence of old in a work-tree file. */
static void edit_file(const char *dir, const char *path, const char *old, const char *new_text)
{
	char *text = read_kept(dir, path);
	char *at = strstr(text, old);
	if (!at)
		fail_msg("%s has no '%s'", path, old);
	char *out = mc_test_ksprintf("%.*s%s%s", (int)(at - text), text, new_text, at + strlen(old));
	write_file(dir, path, out);
}

/* The line of the num-queues DEFINE_PROP in 02-forgot's virtio-blk.c. */
static char *num_queues_line(const char *dir)
{
	char *text = read_kept(dir, BLK_C);
	int n = mc_test_line_of(text, "\"num-queues\"");
	assert_true(n > 0);
	char *p = text;
	for (int i = 1; i < n; i++)
		p = strchr(p, '\n') + 1;
	return mc_test_ksprintf("%.*s", (int)(strchr(p, '\n') - p), p);
}

static int run(const char *const *argv, char **out, char **err)
{
	return mc_test_run_kept(argv, out, err);
}

static json_t *first_finding(const char *json_text, const char *rule)
{
	json_t *root = mc_test_parse_json_object(json_text, "the report");
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(root, "findings"), i, f)
		if (strcmp(mc_test_jstr(f, "rule"), rule) == 0)
			return f;
	return NULL;
}

/* ---- --fix ---------------------------------------------------------------- */

/* Applies the patch of `check --fix base` to the work tree and checks again. */
static void fix_and_recheck(const char *dir, const char *expect_line)
{
	char *out, *err;
	const char *fix[] = { "migcompat", "check", "--repo", dir, "--worktree", "--no-cache", "--fix", "base", NULL };
	assert_int_equal(run(fix, &out, &err), 1);
	if (!strstr(out, expect_line))
		fail_msg("the patch lacks '%s':\n%s", expect_line, out);
	assert_non_null(strstr(out, "--- a/" MACHINE_C "\n+++ b/" MACHINE_C "\n@@ "));
	write_file(dir, "../fix.diff", out);
	assert_int_equal(sh("git -C '%s' apply --check ../fix.diff && git -C '%s' apply ../fix.diff", dir, dir), 0);
	const char *again[] = { "migcompat", "check", "--repo", dir, "--worktree", "--no-cache", "base", NULL };
	int rc = run(again, &out, &err);
	if (rc != 0)
		fail_msg("after the fix: exit %d\n%s%s", rc, out, err);
}

static void test_fix_into_empty_array(void **state)
{
	(void)state;
	const char *dir = clone_at("forgot");
	fix_and_recheck(dir, "\n-GlobalProperty hw_compat_10_1[] = {};\n+GlobalProperty hw_compat_10_1[] = {\n"
			     "+    { \"virtio-blk-device\", \"num-queues\", \"1\" },\n+};\n");
}

static void test_fix_into_array_with_entries(void **state)
{
	(void)state;
	const char *dir = clone_at("forgot");
	/* An entry without a trailing comma: the fix must add one. */
	edit_file(dir, MACHINE_C, "GlobalProperty hw_compat_10_1[] = {};",
		  "GlobalProperty hw_compat_10_1[] = {\n\t{ \"virtio-blk-device\", \"seg-max-adjust\", \"on\" }\n};");
	fix_and_recheck(dir, "\n-\t{ \"virtio-blk-device\", \"seg-max-adjust\", \"on\" }\n"
			     "+\t{ \"virtio-blk-device\", \"seg-max-adjust\", \"on\" },\n"
			     "+\t{ \"virtio-blk-device\", \"num-queues\", \"1\" },\n };\n");
}

static void test_fix_for_a_new_property(void **state)
{
	(void)state;
	fix_and_recheck(clone_at("new-prop-on"), "+    { ");
}

static void test_fix_says_what_it_cannot_fix(void **state)
{
	(void)state;
	char *out, *err;
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--fix", "base", "dangling", NULL };
	assert_int_equal(run(argv, &out, &err), 1);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "migcompat: not fixed: "));
	assert_non_null(strstr(err, "compat-dangling"));
}

/* ---- inline markers --------------------------------------------------------- */

static const char *const json_check[] = { "migcompat", "check", "--repo", NULL, "--worktree", "--no-cache",
					  "--format", "json", "base", NULL };

static int check_json(const char *dir, char **out, char **err)
{
	const char *argv[10];
	memcpy(argv, json_check, sizeof(argv));
	argv[3] = dir;
	return run(argv, out, err);
}

static void expect_one_line_error(const char *dir, const char *needle)
{
	char *out, *err;
	assert_int_equal(check_json(dir, &out, &err), 2);
	assert_string_equal(out, "");
	assert_int_equal(mc_test_count_lines(err), 1);
	if (!strstr(err, needle))
		fail_msg("expected '%s' in: %s", needle, err);
}

static void test_marker_on_the_line(void **state)
{
	(void)state;
	const char *dir = clone_at("forgot");
	const char *line = num_queues_line(dir);
	edit_file(dir, BLK_C, line,
		  mc_test_ksprintf("%s /* migcompat: allow compat-missing: queues follow the vCPUs */", line));
	char *out, *err;
	assert_int_equal(check_json(dir, &out, &err), 0);
	json_t *f = first_finding(out, "compat-missing");
	assert_non_null(f);
	json_t *s = json_object_get(f, "suppressed");
	assert_string_equal(mc_test_jstr(s, "kind"), "inSource");
	assert_string_equal(mc_test_jstr(s, "reason"), "queues follow the vCPUs");

	const char *sarif[] = { "migcompat", "check", "--repo", dir, "--worktree", "--no-cache", "--format", "sarif",
				"base", NULL };
	assert_int_equal(run(sarif, &out, &err), 0);
	json_t *root = mc_test_parse_json_object(out, "SARIF");
	json_t *res = json_array_get(json_object_get(json_array_get(json_object_get(root, "runs"), 0), "results"), 0);
	json_t *sup = json_array_get(json_object_get(res, "suppressions"), 0);
	assert_string_equal(mc_test_jstr(sup, "kind"), "inSource");
	assert_string_equal(mc_test_jstr(sup, "justification"), "queues follow the vCPUs");

	const char *text[] = { "migcompat", "check", "--repo", dir, "--worktree", "--no-cache", "base", NULL };
	assert_int_equal(run(text, &out, &err), 0);
	assert_null(strstr(out, "error:"));
	assert_non_null(strstr(out, "1 finding suppressed"));
}

static void test_marker_on_the_line_above(void **state)
{
	(void)state;
	const char *dir = clone_at("forgot");
	const char *line = num_queues_line(dir);
	edit_file(dir, BLK_C, line, mc_test_ksprintf("    // migcompat: allow compat-missing: on purpose\n%s", line));
	char *out, *err;
	assert_int_equal(check_json(dir, &out, &err), 0);
	assert_string_equal(mc_test_jstr(json_object_get(first_finding(out, "compat-missing"), "suppressed"), "reason"),
			    "on purpose");
}

static void test_marker_for_another_rule_does_not_suppress(void **state)
{
	(void)state;
	const char *dir = clone_at("forgot");
	const char *line = num_queues_line(dir);
	edit_file(dir, BLK_C, line, mc_test_ksprintf("%s /* migcompat: allow compat-redundant: no */", line));
	char *out, *err;
	assert_int_equal(check_json(dir, &out, &err), 1);
	assert_null(json_object_get(first_finding(out, "compat-missing"), "suppressed"));
}

static void test_marker_above_must_be_a_comment_line(void **state)
{
	(void)state;
	/* A trailing marker on the line before belongs to that line's code, not to the finding below. */
	const char *dir = clone_at("forgot");
	const char *line = num_queues_line(dir);
	edit_file(dir, BLK_C, mc_test_ksprintf("true),\n%s", line),
		  mc_test_ksprintf("true), /* migcompat: allow compat-missing: for this line */\n%s", line));
	char *out, *err;
	assert_int_equal(check_json(dir, &out, &err), 1);
	assert_null(json_object_get(first_finding(out, "compat-missing"), "suppressed"));
}

static void test_marker_and_file_entry_together(void **state)
{
	(void)state;
	/* A new file entry for a finding a marker already accepts matches it: no "matches no finding". */
	const char *dir = clone_at("forgot");
	const char *line = num_queues_line(dir);
	edit_file(dir, BLK_C, line, mc_test_ksprintf("%s /* migcompat: allow compat-missing: both */", line));
	write_file(dir, MC_SUPPRESSIONS_PATH,
		   "{\"suppressions\": [{\"rule\": \"compat-missing\", \"type\": \"virtio-blk-device\", \"reason\": \"r\"}]}");
	char *out, *err;
	assert_int_equal(check_json(dir, &out, &err), 0);
	assert_string_equal(mc_test_jstr(json_object_get(first_finding(out, "compat-missing"), "suppressed"), "kind"),
			    "inSource");
}

static void test_malformed_markers(void **state)
{
	(void)state;
	const char *dir = clone_at("forgot");
	const char *line = num_queues_line(dir);
	edit_file(dir, BLK_C, line, mc_test_ksprintf("%s /* migcompat: allow compat-mising: typo */", line));
	expect_one_line_error(dir, "unknown rule 'compat-mising'");
	const char *dir2 = clone_at("forgot");
	edit_file(dir2, BLK_C, line, mc_test_ksprintf("%s /* migcompat: allow compat-missing: */", line));
	expect_one_line_error(dir2, "gives no reason");
}

/* ---- the suppression file ---------------------------------------------------- */

static void test_file_suppresses(void **state)
{
	(void)state;
	const char *dir = clone_at("forgot");
	write_file(dir, MC_SUPPRESSIONS_PATH,
		   "{\"suppressions\": [{\"rule\": \"compat-missing\", \"type\": \"virtio-blk-device\",\n"
		   "  \"property\": \"num-queues\", \"reason\": \"reviewed: see the cover letter\"}]}\n");
	char *out, *err;
	assert_int_equal(check_json(dir, &out, &err), 0);
	json_t *s = json_object_get(first_finding(out, "compat-missing"), "suppressed");
	assert_string_equal(mc_test_jstr(s, "kind"), "external");
	assert_string_equal(mc_test_jstr(s, "reason"), "reviewed: see the cover letter");
	assert_non_null(strstr(mc_test_jstr(s, "where"), MC_SUPPRESSIONS_PATH));
}

static void test_file_from_the_command_line(void **state)
{
	(void)state;
	char *path = mc_test_ksprintf("%s/supp-cli.json", g.tmp);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"suppressions\": [{\"rule\": \"compat-missing\", \"type\": \"virtio-blk-device\", \"reason\": \"r\"}]}",
	      f);
	fclose(f);
	char *out, *err;
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--suppressions", path, "base",
			       "forgot", NULL };
	assert_int_equal(run(argv, &out, &err), 0);
	const char *none[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--suppressions", path, "base",
			       "good", NULL };
	assert_int_equal(run(none, &out, &err), 2);
	assert_non_null(strstr(err, "matches no finding"));
}

static void test_file_is_strict(void **state)
{
	(void)state;
	static const struct {
		const char *text, *error;
	} cases[] = {
		{ "{\"suppressions\": [{\"rule\": \"compat-missing\", \"type\": \"virtio-blk-device\", \"reasons\": \"x\"}]}",
		  "unknown key \"reasons\"" },
		{ "{\"suppressions\": [{\"rule\": \"compat-missing\", \"type\": \"virtio-blk-device\"}]}", "has no \"reason\"" },
		{ "{\"suppressions\": [{\"rule\": \"compat-missing\", \"type\": \"virtio-blk-device\", \"reason\": \"\"}]}",
		  "non-empty string" },
		{ "{\"suppressions\": [{\"rule\": \"compat-missing\", \"type\": \"virtio-blk-device\", \"reason\": \" \\t\"}]}",
		  "non-empty string" },
		{ "{\"suppressions\": [{\"rule\": \"compat-missing\", \"type\": 7, \"reason\": \"x\"}]}",
		  "non-empty string" },
		{ "{\"suppressions\": [{\"rule\": \"no-such-rule\", \"type\": \"t\", \"reason\": \"x\"}]}", "unknown rule" },
		{ "{\"suppressions\": [{\"rule\": \"compat-missing\", \"type\": \"foo-dev\", \"reason\": \"x\"}]}",
		  "matches no finding" },
		{ "{\"suppressions\": []", "not valid JSON" },
		{ "{\"suppressions\": [], \"extra\": 1}", "nothing else" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *dir = clone_at("forgot");
		write_file(dir, MC_SUPPRESSIONS_PATH, cases[i].text);
		expect_one_line_error(dir, cases[i].error);
	}
}

static void test_old_entries_need_not_match(void **state)
{
	(void)state;
	/* An entry already at base that matches nothing now is not this change's business. */
	const char *dir = clone_at("base");
	write_file(dir, MC_SUPPRESSIONS_PATH,
		   "{\"suppressions\": [{\"rule\": \"compat-missing\", \"type\": \"foo-dev\", \"reason\": \"old\"}]}");
	assert_int_equal(sh("cd '%s' && git add " MC_SUPPRESSIONS_PATH " && git -c user.name=t -c user.email=t@e "
			    "commit -qm supp",
			    dir),
			 0);
	char *out, *err;
	const char *argv[] = { "migcompat", "check", "--repo", dir, "--worktree", "--no-cache", "HEAD", NULL };
	assert_int_equal(run(argv, &out, &err), 0);
}

/* ---- the baseline -------------------------------------------------------------- */

static void test_baseline(void **state)
{
	(void)state;
	char *out, *err;
	const char *save[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--format", "json", "--output",
			       mc_test_ksprintf("%s/baseline.json", g.tmp), "base", "forgot", NULL };
	assert_int_equal(run(save, &out, &err), 1);
	const char *again[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--baseline",
				mc_test_ksprintf("%s/baseline.json", g.tmp), "base", "forgot", NULL };
	assert_int_equal(run(again, &out, &err), 0);
	assert_non_null(strstr(out, "1 already in the baseline"));
	/* Something else is still reported. */
	const char *other[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--baseline",
				mc_test_ksprintf("%s/baseline.json", g.tmp), "base", "dangling", NULL };
	assert_int_equal(run(other, &out, &err), 1);
	const char *bad[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--baseline",
			      MC_SOURCE_DIR "/README.md", "base", "forgot", NULL };
	assert_int_equal(run(bad, &out, &err), 2);
	assert_non_null(strstr(err, "not a migcompat report"));
}

/* ---- e-mail --------------------------------------------------------------------- */

static void test_email(void **state)
{
	(void)state;
	char *out, *err;
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--format", "email",
			       "--each-commit", "base..series-2", NULL };
	assert_int_equal(run(argv, &out, &err), 1);
	assert_non_null(strstr(out, "(2 patches)"));
	assert_non_null(strstr(out, "\n[1/2] "));
	assert_null(strstr(out, "\n[2/2] "));
	assert_non_null(strstr(out, "fix: add to hw_compat_10_1 in hw/core/machine.c:\n"
				    "        { \"virtio-blk-device\", \"num-queues\", \"1\" },"));
	assert_non_null(strstr(out, MC_MARKER "<rule>: <reason>"));
	assert_non_null(strstr(out, "\n-- \nmigcompat "));
	const char *clean[] = { "migcompat", "check", "--repo", g.repo, "--no-cache", "--format", "email", "base",
				"good", NULL };
	assert_int_equal(run(clean, &out, &err), 0);
	assert_non_null(strstr(out, "no finding"));
}

static void test_no_control_characters_in_output(void **state)
{
	(void)state;
	/* A property name with an escape sequence, as a hostile tree could write it. */
	const char *dir = clone_at("new-prop-on");
	edit_file(dir, BLK_C, "\"x-new-feature\"", "\"x-new\\x1b[31mfeature\"");
	const char *formats[] = { "text", "email", "json", "sarif" };
	for (size_t i = 0; i < 4; i++) {
		char *out, *err;
		const char *argv[] = { "migcompat", "check", "--repo", dir, "--worktree", "--no-cache", "--format",
				       formats[i], "base", NULL };
		assert_int_equal(run(argv, &out, &err), 1);
		assert_non_null(strstr(out, "x-new?[31mfeature"));
		assert_null(strchr(out, '\033'));
		assert_null(strstr(out, "\\u001b"));
	}
	char *out, *err;
	const char *fix[] = { "migcompat", "check", "--repo", dir, "--worktree", "--no-cache", "--fix", "base", NULL };
	run(fix, &out, &err);
	assert_null(strstr(out, "x-new"));
}

/* ---- --help ---------------------------------------------------------------------- */

static void test_help_fits_one_screen(void **state)
{
	(void)state;
	char *out, *err;
	const char *argv[] = { "migcompat", "--help", NULL };
	assert_int_equal(run(argv, &out, &err), 0);
	assert_true(mc_test_count_lines(out) <= 24);
	for (char *line = out; *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (len > 80)
			fail_msg("--help line longer than 80 columns: %.*s", (int)len, line);
		line += len + (nl != NULL);
	}
	assert_non_null(strstr(out, "--fix"));
	assert_non_null(strstr(out, "--baseline"));
}

static void test_show_rejects_review_options(void **state)
{
	(void)state;
	char *out, *err;
	const char *fix[] = { "migcompat", "show", "--repo", g.repo, "--no-cache", "--fix", "base", NULL };
	assert_int_equal(run(fix, &out, &err), 2);
	assert_non_null(strstr(err, "not show"));
	const char *email[] = { "migcompat", "show", "--repo", g.repo, "--no-cache", "--format", "email", "base", NULL };
	assert_int_equal(run(email, &out, &err), 2);
	assert_non_null(strstr(err, "show writes text or json"));
}

/* ---- units ------------------------------------------------------------------------ */

static void test_marker_find(void **state)
{
	(void)state;
	char *reason = NULL;
	int only = -1;
	const char *l1 = "    DEFINE_PROP_BOOL(\"x\", S, x, true), /* migcompat: allow new-property-enabled: host only */";
	assert_int_equal(mc_marker_find(l1, strlen(l1), "new-property-enabled", &reason, &only), 1);
	assert_string_equal(reason, "host only");
	assert_int_equal(only, 0);
	free(reason);
	/* Another rule's marker on the line does not count, but is still checked. */
	assert_int_equal(mc_marker_find(l1, strlen(l1), "compat-missing", &reason, NULL), 0);
	const char *l2 = "{ \"a\", \"b\", \"c\" }, // migcompat:\tallow  compat-dangling:\tregistered by code  ";
	assert_int_equal(mc_marker_find(l2, strlen(l2), "compat-dangling", &reason, NULL), 1);
	assert_string_equal(reason, "registered by code");
	free(reason);
	/* Two markers in two comments of one line. */
	const char *l3 = "x, /* migcompat: allow compat-missing: a */ /* migcompat: allow compat-redundant: b */";
	assert_int_equal(mc_marker_find(l3, strlen(l3), "compat-redundant", &reason, NULL), 1);
	assert_string_equal(reason, "b");
	free(reason);
	/* A comment line, also inside a block comment. */
	const char *l4 = "     * migcompat: allow compat-missing: sentinel";
	assert_int_equal(mc_marker_find(l4, strlen(l4), "compat-missing", &reason, &only), 1);
	assert_int_equal(only, 1);
	free(reason);
	/* Not markers: in a string, or "allowed". */
	const char *l5 = "    printf(\"migcompat: allow compat-missing: no\");";
	assert_int_equal(mc_marker_find(l5, strlen(l5), NULL, &reason, NULL), 0);
	const char *l6 = "/* migcompat: allowed */";
	assert_int_equal(mc_marker_find(l6, strlen(l6), NULL, &reason, NULL), 0);
	/* Malformed: no reason, unknown rule (control characters are not echoed). */
	const char *l7 = "/* migcompat: allow compat-missing */";
	assert_int_equal(mc_marker_find(l7, strlen(l7), "compat-missing", &reason, NULL), MC_EPARSE);
	const char *l8 = "// migcompat: allow compat-\033[31m: x";
	assert_int_equal(mc_marker_find(l8, strlen(l8), NULL, &reason, NULL), MC_EPARSE);
	assert_null(strchr(mc_error_last(), '\033'));
	/* A good marker then a malformed one (found by fuzz_suppress): an error, and no reason left to free. */
	reason = NULL;
	const char *l9 = "x, /* migcompat: allow compat-missing: a */ // migcompat: allow compat-missin: b";
	assert_int_equal(mc_marker_find(l9, strlen(l9), NULL, &reason, NULL), MC_EPARSE);
	assert_null(reason);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_fix_into_empty_array, mc_test_arena_release),
		cmocka_unit_test_teardown(test_fix_into_array_with_entries, mc_test_arena_release),
		cmocka_unit_test_teardown(test_fix_for_a_new_property, mc_test_arena_release),
		cmocka_unit_test_teardown(test_fix_says_what_it_cannot_fix, mc_test_arena_release),
		cmocka_unit_test_teardown(test_marker_on_the_line, mc_test_arena_release),
		cmocka_unit_test_teardown(test_marker_on_the_line_above, mc_test_arena_release),
		cmocka_unit_test_teardown(test_marker_for_another_rule_does_not_suppress, mc_test_arena_release),
		cmocka_unit_test_teardown(test_marker_above_must_be_a_comment_line, mc_test_arena_release),
		cmocka_unit_test_teardown(test_marker_and_file_entry_together, mc_test_arena_release),
		cmocka_unit_test_teardown(test_malformed_markers, mc_test_arena_release),
		cmocka_unit_test_teardown(test_file_suppresses, mc_test_arena_release),
		cmocka_unit_test_teardown(test_file_from_the_command_line, mc_test_arena_release),
		cmocka_unit_test_teardown(test_file_is_strict, mc_test_arena_release),
		cmocka_unit_test_teardown(test_old_entries_need_not_match, mc_test_arena_release),
		cmocka_unit_test_teardown(test_baseline, mc_test_arena_release),
		cmocka_unit_test_teardown(test_email, mc_test_arena_release),
		cmocka_unit_test_teardown(test_no_control_characters_in_output, mc_test_arena_release),
		cmocka_unit_test_teardown(test_help_fits_one_screen, mc_test_arena_release),
		cmocka_unit_test_teardown(test_show_rejects_review_options, mc_test_arena_release),
		cmocka_unit_test_teardown(test_marker_find, mc_test_arena_release),
	};
	return cmocka_run_group_tests_name("review", tests, group_setup, group_teardown);
}
