/*
 * test_cli.c - the migcompat command line, run as a program.
 *
 *  - every usage or input error exits 2 with nothing on stdout and exactly one
 *    line on stderr, starting with "migcompat: " and naming what was wrong;
 *  - --help, --version, --list-rules, --explain;
 *  - audit of the example fixture's base (consistent: nothing to report);
 *  - --rules FILE with the tree's own rules/qemu.conv behaves as the built-in;
 *    a malformed one (an unknown directive, a wrong argument) is one line, exit 2.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <git2.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture_repo.h"
#include "test_util.h"

#define QEMU_CONV_PATH MC_SOURCE_DIR "/rules/qemu.conv"

static const char *const rule_ids[] = {
	"compat-missing", "compat-wrong-value", "compat-wrong-array", "compat-uncovered-type",
	"compat-dangling", "new-property-enabled", "compat-redundant",
};
#define NRULES (sizeof(rule_ids) / sizeof(rule_ids[0]))

static struct {
	char *tmp;          /* everything below lives here */
	char *repo;         /* the example fixture as a git repository */
	char *plain;        /* a directory that is not a repository */
	char *bad_rules;    /* conventions with an unknown directive on line 3 */
	int plain_in_repo;  /* $TMPDIR itself is inside some git repository */
	char base_commit[GIT_OID_HEXSZ + 1];
} g;

/* ---- helpers ---------------------------------------------------------- */

/* The arena (released after every test) and running the tool: test_util.h. */

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int resolve(const char *repo_dir, const char *rev, char *hex)
{
	git_repository *repo = NULL;
	git_object *obj = NULL;
	int rc = -1;
	char *spec = mc_test_xsprintf("%s^{commit}", rev);
	if (git_repository_open(&repo, repo_dir) == 0 && git_revparse_single(&obj, repo, spec) == 0) {
		git_oid_tostr(hex, GIT_OID_HEXSZ + 1, git_object_id(obj));
		rc = 0;
	}
	git_object_free(obj);
	git_repository_free(repo);
	free(spec);
	return rc;
}

static int group_setup(void **state)
{
	(void)state;
	memset(&g, 0, sizeof(g));
	if (mc_test_example_repo("cli", &g.tmp, &g.repo) != 0)
		return -1;
	g.plain = mc_test_xsprintf("%s/plain", g.tmp);
	g.bad_rules = mc_test_xsprintf("%s/bad.conv", g.tmp);
	if (mkdir(g.plain, 0755) != 0)
		return -1;
	if (write_text(g.bad_rules, "# conventions\nskip tests/\nfrobnicate hw/ twice\ncompat-array hw hw_compat_\n") != 0)
		return -1;
	git_libgit2_init();
	int rc = resolve(g.repo, "base", g.base_commit);
	git_buf found = { 0 };
	if (git_repository_discover(&found, g.plain, 0, NULL) == 0) {
		g.plain_in_repo = 1;
		fprintf(stderr, "note: %s is inside the repository %s\n", g.plain, found.ptr);
	}
	git_buf_dispose(&found);
	git_libgit2_shutdown();
	return rc;
}

static int group_teardown(void **state)
{
	(void)state;
	mc_test_example_repo_remove(&g.tmp, &g.repo);
	free(g.plain);
	free(g.bad_rules);
	memset(&g, 0, sizeof(g));
	return 0;
}

/* Shows argv in failure messages. */
static char *argv_text(const char *const *argv)
{
	size_t n = 1;
	for (size_t i = 0; argv[i]; i++)
		n += strlen(argv[i]) + 3;
	char *s = calloc(n, 1);
	if (!s)
		abort();
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/*
 * Runs argv and expects a usage/input error: exit 2, empty stdout, exactly one
 * stderr line "migcompat: ..." that mentions each of the NULL-terminated words.
 */
static void expect_input_error(const char *const *argv, ...)
{
	char *out = NULL, *err = NULL;
	int rc = mc_test_run_kept(argv, &out, &err);
	char *cmd = mc_test_keep(argv_text(argv));
	if (rc != 2)
		fail_msg("'%s': exit %d, want 2\nstdout:\n%s\nstderr:\n%s", cmd, rc, out, err);
	if (*out)
		fail_msg("'%s': stdout should be empty on an input error, got:\n%s", cmd, out);
	if (strncmp(err, "migcompat: ", 11) != 0)
		fail_msg("'%s': stderr does not start with 'migcompat: ':\n%s", cmd, err);
	size_t len = strlen(err);
	if (mc_test_count_lines(err) != 1 || err[len - 1] != '\n')
		fail_msg("'%s': stderr should be exactly one line, got %zu:\n%s", cmd, mc_test_count_lines(err), err);
	if (len < 14)
		fail_msg("'%s': empty error message: '%s'", cmd, err);
	va_list ap;
	va_start(ap, argv);
	for (const char *w = va_arg(ap, const char *); w; w = va_arg(ap, const char *))
		if (!strstr(err, w))
			fail_msg("'%s': error '%s' does not mention '%s'", cmd, err, w);
	va_end(ap);
}

/* Runs argv and expects exit 0 with empty stderr; returns stdout. */
static char *expect_ok(const char *const *argv)
{
	char *out = NULL, *err = NULL;
	int rc = mc_test_run_kept(argv, &out, &err);
	if (rc != 0 || *err) {
		char *cmd = mc_test_keep(argv_text(argv));
		fail_msg("'%s': exit %d (want 0)\nstdout:\n%s\nstderr:\n%s", cmd, rc, out, err);
	}
	return out;
}

/* ---- input errors ----------------------------------------------------- */

static void test_not_a_repository(void **state)
{
	(void)state;
	/* (When $TMPDIR is itself in a repository, the tool finds that one: still an input error.) */
	const char *a1[] = { "migcompat", "check", "--repo", g.plain, "base", "forgot", NULL };
	expect_input_error(a1, g.plain_in_repo ? NULL : g.plain, NULL);
	const char *a2[] = { "migcompat", "check", "--repo", "/nonexistent/mc/dir", "base", NULL };
	expect_input_error(a2, "/nonexistent/mc/dir", NULL);
	if (!g.plain_in_repo) {
		const char *a3[] = { "migcompat", "audit", "--repo", g.plain, NULL };
		expect_input_error(a3, g.plain, NULL);
	}
}

static void test_unknown_revision(void **state)
{
	(void)state;
	const char *a1[] = { "migcompat", "check", "--repo", g.repo, "base", "no-such-branch", NULL };
	expect_input_error(a1, "no-such-branch", NULL);
	const char *a2[] = { "migcompat", "check", "--repo", g.repo, "no-such-base", "forgot", NULL };
	expect_input_error(a2, "no-such-base", NULL);
	const char *a3[] = { "migcompat", "check", "--repo", g.repo, "base..no-such-head", NULL };
	expect_input_error(a3, "no-such-head", NULL);
	const char *a4[] = { "migcompat", "audit", "--repo", g.repo, "no-such-rev", NULL };
	expect_input_error(a4, "no-such-rev", NULL);
}

static void test_revision_count(void **state)
{
	(void)state;
	const char *a1[] = { "migcompat", "check", "--repo", g.repo, "base", "forgot", "good", NULL };
	expect_input_error(a1, "good", NULL);
	const char *a2[] = { "migcompat", "check", "--repo", g.repo, NULL };
	expect_input_error(a2, NULL);
	const char *a3[] = { "migcompat", "audit", "--repo", g.repo, "base", "forgot", NULL };
	expect_input_error(a3, NULL);
	const char *a4[] = { "migcompat", "check", "--repo", g.repo, "--cached", "base", "forgot", NULL };
	expect_input_error(a4, NULL);
	const char *a5[] = { "migcompat", "check", "--repo", g.repo, "--cached", "--worktree", NULL };
	expect_input_error(a5, NULL);
}

static void test_unknown_option(void **state)
{
	(void)state;
	const char *a1[] = { "migcompat", "check", "--bogus-option", "--repo", g.repo, "base", "forgot", NULL };
	expect_input_error(a1, "--bogus-option", NULL);
	const char *a2[] = { "migcompat", "check", "--repo", g.repo, "-x", "base", NULL };
	expect_input_error(a2, "-x", NULL);
	/* An option missing its argument. */
	const char *a3[] = { "migcompat", "check", "--repo", g.repo, "base", "forgot", "--format", NULL };
	expect_input_error(a3, "--format", NULL);
}

static void test_unknown_format(void **state)
{
	(void)state;
	const char *a1[] = { "migcompat", "check", "--repo", g.repo, "--format", "xml", "base", "forgot", NULL };
	expect_input_error(a1, "xml", NULL);
	const char *a2[] = { "migcompat", "check", "--repo", g.repo, "--format", "", "base", "forgot", NULL };
	expect_input_error(a2, NULL);
}

static void test_bad_jobs(void **state)
{
	(void)state;
	const char *a1[] = { "migcompat", "check", "--repo", g.repo, "-j", "0", "base", "forgot", NULL };
	expect_input_error(a1, "-j", NULL);
	const char *a2[] = { "migcompat", "check", "--repo", g.repo, "-j", "-3", "base", "forgot", NULL };
	expect_input_error(a2, NULL);
	const char *a3[] = { "migcompat", "check", "--repo", g.repo, "-j", "many", "base", "forgot", NULL };
	expect_input_error(a3, "many", NULL);
	const char *a4[] = { "migcompat", "check", "--repo", g.repo, "--jobs=0", "base", "forgot", NULL };
	expect_input_error(a4, NULL);
	/* No more parsers at once than the tool can watch (worker.c). */
	const char *a5[] = { "migcompat", "check", "--repo", g.repo, "-j", "65", "base", "forgot", NULL };
	expect_input_error(a5, "1 to 64", NULL);
}

static void test_rules_missing_file(void **state)
{
	(void)state;
	char *missing = mc_test_ksprintf("%s/no-such-rules.conv", g.tmp);
	const char *a1[] = { "migcompat", "check", "--repo", g.repo, "--rules", missing, "base", "forgot", NULL };
	expect_input_error(a1, missing, NULL);
}

static void test_rules_malformed(void **state)
{
	(void)state;
	char *where = mc_test_ksprintf("%s:3:", g.bad_rules);
	const char *a1[] = { "migcompat", "check", "--repo", g.repo, "--rules", g.bad_rules, "base", "forgot", NULL };
	expect_input_error(a1, where, "frobnicate", NULL);
	const char *a2[] = { "migcompat", "audit", "--repo", g.repo, "--rules", g.bad_rules, NULL };
	expect_input_error(a2, where, NULL);

	/* Binary data is not a conventions file. */
	char *bin = mc_test_ksprintf("%s/binary.conv", g.tmp);
	FILE *f = fopen(bin, "wb");
	assert_non_null(f);
	fwrite("skip a/\n\0\x01\x02", 1, 11, f);
	fclose(f);
	const char *a3[] = { "migcompat", "check", "--repo", g.repo, "--rules", bin, "base", "forgot", NULL };
	expect_input_error(a3, bin, NULL);

	/* The directives that replaced QEMU names in C are checked as strictly (show too). */
	char *two = mc_test_ksprintf("%s/two-families.conv", g.tmp);
	assert_int_equal(write_text(two, "compat-array hw hw_compat_\ngeneric-family hw pc\n"), 0);
	const char *a4[] = { "migcompat", "show", "--repo", g.repo, "--rules", two, "base", NULL };
	expect_input_error(a4, mc_test_ksprintf("%s:2: wrong number of arguments: generic-family", two), NULL);
	char *kind = mc_test_ksprintf("%s/stub-kind.conv", g.tmp);
	assert_int_equal(write_text(kind, "generated-header trace trace-*.h\n"), 0);
	const char *a5[] = { "migcompat", "audit", "--repo", g.repo, "--rules", kind, NULL };
	expect_input_error(a5, mc_test_ksprintf("%s:1: unknown generated-header kind", kind), NULL);

	/* Conventions naming no generic family: show has no default family to show. */
	char *text = mc_test_keep(mc_test_read_file(QEMU_CONV_PATH, NULL));
	assert_non_null(text);
	char *line = strstr(text, "\ngeneric-family hw\n");
	assert_non_null(line);
	line[1] = '#';
	char *no_generic = mc_test_ksprintf("%s/no-generic.conv", g.tmp);
	assert_int_equal(write_text(no_generic, text), 0);
	const char *a6[] = { "migcompat", "show", "--repo", g.repo, "--rules", no_generic, "base", NULL };
	expect_input_error(a6, "no generic-family: give --family", NULL);
}

static void test_output_unwritable(void **state)
{
	(void)state;
	char *out = mc_test_ksprintf("%s/no-such-dir/report.json", g.tmp);
	const char *a1[] = { "migcompat", "check", "--repo", g.repo, "--format", "json", "--output", out,
			     "base", "forgot", NULL };
	expect_input_error(a1, out, NULL);
}

static void test_no_command(void **state)
{
	(void)state;
	const char *a1[] = { "migcompat", NULL };
	expect_input_error(a1, NULL);
}

static void test_unknown_command(void **state)
{
	(void)state;
	const char *a1[] = { "migcompat", "frobnicate", NULL };
	expect_input_error(a1, "frobnicate", NULL);
	const char *a2[] = { "migcompat", "chek", "--repo", g.repo, "base", NULL };
	expect_input_error(a2, "chek", NULL);
}

/* ---- informational commands ------------------------------------------- */

static void test_help(void **state)
{
	(void)state;
	const char *variants[] = { "--help", "-h", "help" };
	for (size_t i = 0; i < 3; i++) {
		const char *a[] = { "migcompat", variants[i], NULL };
		char *out = expect_ok(a);
		if (strncmp(out, "usage: migcompat", 16) != 0)
			fail_msg("%s: no usage line:\n%s", variants[i], out);
		assert_non_null(strstr(out, "check"));
		assert_non_null(strstr(out, "audit"));
		assert_non_null(strstr(out, "--format"));
		assert_non_null(strstr(out, "--repo"));
	}
}

static void test_version(void **state)
{
	(void)state;
	const char *a[] = { "migcompat", "--version", NULL };
	char *out = expect_ok(a);
	assert_string_equal(out, "migcompat " MC_VERSION "\n");
}

/* The first word of each line of --list-rules, and its second (the severity). */
static int list_has_rule(const char *list, const char *id, const char *severity)
{
	size_t n = strlen(id);
	for (const char *line = list; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, id, n) != 0 || (line[n] != ' ' && line[n] != '\t'))
			continue;
		const char *p = line + n;
		while (*p == ' ' || *p == '\t')
			p++;
		return !severity || (strncmp(p, severity, strlen(severity)) == 0 &&
				     (p[strlen(severity)] == ' ' || p[strlen(severity)] == '\t' ||
				      p[strlen(severity)] == '\n'));
	}
	return 0;
}

static void test_list_rules(void **state)
{
	(void)state;
	const char *a[] = { "migcompat", "--list-rules", NULL };
	char *out = expect_ok(a);
	for (size_t i = 0; i < NRULES; i++)
		if (!list_has_rule(out, rule_ids[i], NULL))
			fail_msg("--list-rules does not list %s:\n%s", rule_ids[i], out);
	/* Severities as documented. */
	assert_true(list_has_rule(out, "compat-missing", "error"));
	assert_true(list_has_rule(out, "compat-wrong-value", "error"));
	assert_true(list_has_rule(out, "compat-wrong-array", "error"));
	assert_true(list_has_rule(out, "compat-uncovered-type", "error"));
	assert_true(list_has_rule(out, "new-property-enabled", "warning"));
	assert_true(list_has_rule(out, "compat-redundant", "note"));
	/* One rule per line, each with a summary. */
	assert_true(mc_test_count_lines(out) >= NRULES);
	for (const char *line = out; *line; line = strchr(line, '\n') + 1) {
		const char *eol = strchr(line, '\n');
		assert_non_null(eol);
		if ((size_t)(eol - line) < 30)
			fail_msg("--list-rules line without a summary: '%.*s'", (int)(eol - line), line);
	}
}

static void test_explain(void **state)
{
	(void)state;
	const char *a[] = { "migcompat", "--explain", "compat-missing", NULL };
	char *out = expect_ok(a);
	if (strncmp(out, "compat-missing", 14) != 0)
		fail_msg("--explain compat-missing does not start with the rule id:\n%s", out);
	assert_non_null(strstr(out, "error"));
	assert_true(strlen(out) > 200);

	/* Every listed rule can be explained. */
	for (size_t i = 0; i < NRULES; i++) {
		const char *b[] = { "migcompat", "--explain", rule_ids[i], NULL };
		out = expect_ok(b);
		if (strncmp(out, rule_ids[i], strlen(rule_ids[i])) != 0)
			fail_msg("--explain %s printed:\n%s", rule_ids[i], out);
		assert_true(mc_test_count_lines(out) >= 3);
	}

	const char *c[] = { "migcompat", "--explain", "nope", NULL };
	expect_input_error(c, "nope", NULL);
	const char *d[] = { "migcompat", "--explain", NULL };
	expect_input_error(d, NULL);
}

/* ---- audit and --rules ------------------------------------------------ */

static void check_audit_json(const char *out, int rc, const char *what)
{
	json_t *root = mc_test_parse_json_object(out, what);
	json_t *head = json_object_get(root, "head");
	if (!json_is_object(head))
		fail_msg("%s: no head object", what);
	const char *commit = json_string_value(json_object_get(head, "commit"));
	if (!mc_test_is_hex40(commit))
		fail_msg("%s: head.commit '%s' is not 40 hex digits", what, commit ? commit : "(null)");
	assert_string_equal(commit, g.base_commit);
	json_t *nc = json_object_get(root, "newest_compat");
	assert_true(json_is_object(nc));
	assert_string_equal(json_string_value(json_object_get(nc, "array")), "hw_compat_10_1");
	json_t *findings = json_object_get(root, "findings");
	if (!json_is_array(findings))
		fail_msg("%s: no findings array", what);
	/* The README: an audit of base finds nothing (no dangling, wrong or redundant entry). */
	size_t i;
	json_t *f;
	int loud = 0;
	json_array_foreach(findings, i, f) {
		const char *rule = json_string_value(json_object_get(f, "rule"));
		const char *sev = json_string_value(json_object_get(f, "severity"));
		assert_non_null(rule);
		assert_non_null(sev);
		if (!strcmp(sev, "error") || !strcmp(sev, "warning"))
			loud = 1;
		if (strncmp(rule, "compat-", 7) == 0)
			fail_msg("%s: audit of the consistent base reports %s (%s): %s", what, rule, sev,
				 json_string_value(json_object_get(f, "message")));
	}
	assert_int_equal(rc, loud ? 1 : 0);
	assert_int_equal(rc, 0);
	json_t *cov = json_object_get(root, "coverage");
	assert_true(json_is_object(cov));
	assert_true(json_integer_value(json_object_get(cov, "files_parsed")) >= 13);
	assert_int_equal(json_integer_value(json_object_get(cov, "files_failed")), 0);
	assert_int_equal(json_integer_value(json_object_get(cov, "property_arrays")), 13);
}

static void test_audit_base(void **state)
{
	(void)state;
	char *out = NULL, *err = NULL;
	const char *a1[] = { "migcompat", "audit", "--repo", g.repo, "--format", "json", "base", NULL };
	int rc = mc_test_run_kept(a1, &out, &err);
	if (rc != 0 && rc != 1)
		fail_msg("audit base: exit %d\n%s%s", rc, out, err);
	check_audit_json(out, rc, "audit base");

	/* Without a revision: HEAD, which is base in the fixture. */
	const char *a2[] = { "migcompat", "audit", "--repo", g.repo, "--format", "json", NULL };
	rc = mc_test_run_kept(a2, &out, &err);
	if (rc != 0 && rc != 1)
		fail_msg("audit HEAD: exit %d\n%s%s", rc, out, err);
	check_audit_json(out, rc, "audit HEAD");

	/* Text format: the summary line, no finding lines. */
	const char *a3[] = { "migcompat", "audit", "--repo", g.repo, "base", NULL };
	out = expect_ok(a3);
	if (strncmp(out, "migcompat: 0 errors, 0 warnings", 31) != 0)
		fail_msg("audit text output:\n%s", out);
}

/* --rules with the tree's own conventions gives exactly the built-in result. */
static void test_rules_file_equals_builtin(void **state)
{
	(void)state;
	const char *a1[] = { "migcompat", "check", "--repo", g.repo, "--format", "json", "base", "forgot", NULL };
	const char *a2[] = { "migcompat", "check", "--repo", g.repo, "--format", "json", "--rules", QEMU_CONV_PATH,
			     "base", "forgot", NULL };
	char *o1, *e1, *o2, *e2;
	int r1 = mc_test_run_kept(a1, &o1, &e1);
	int r2 = mc_test_run_kept(a2, &o2, &e2);
	if (r1 != 1 || r2 != 1)
		fail_msg("exit %d / %d, want 1\n%s\n%s", r1, r2, e1, e2);
	assert_string_equal(o1, o2);
	json_t *root = mc_test_parse_json_object(o2, "--rules qemu.conv");
	assert_true(json_array_size(json_object_get(root, "findings")) >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_not_a_repository, mc_test_arena_release),
		cmocka_unit_test_teardown(test_unknown_revision, mc_test_arena_release),
		cmocka_unit_test_teardown(test_revision_count, mc_test_arena_release),
		cmocka_unit_test_teardown(test_unknown_option, mc_test_arena_release),
		cmocka_unit_test_teardown(test_unknown_format, mc_test_arena_release),
		cmocka_unit_test_teardown(test_bad_jobs, mc_test_arena_release),
		cmocka_unit_test_teardown(test_rules_missing_file, mc_test_arena_release),
		cmocka_unit_test_teardown(test_rules_malformed, mc_test_arena_release),
		cmocka_unit_test_teardown(test_output_unwritable, mc_test_arena_release),
		cmocka_unit_test_teardown(test_no_command, mc_test_arena_release),
		cmocka_unit_test_teardown(test_unknown_command, mc_test_arena_release),
		cmocka_unit_test_teardown(test_help, mc_test_arena_release),
		cmocka_unit_test_teardown(test_version, mc_test_arena_release),
		cmocka_unit_test_teardown(test_list_rules, mc_test_arena_release),
		cmocka_unit_test_teardown(test_explain, mc_test_arena_release),
		cmocka_unit_test_teardown(test_audit_base, mc_test_arena_release),
		cmocka_unit_test_teardown(test_rules_file_equals_builtin, mc_test_arena_release),
	};
	return cmocka_run_group_tests_name("cli", tests, group_setup, group_teardown) ? 1 : 0;
}
