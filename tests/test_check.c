/*
 * test_check.c - `migcompat check` end to end on fixtures/example.
 *
 * The fixture is built once into a temporary git repository (branch base, one
 * branch per step, see fixtures/example/README.md).  For every step the tool
 * runs as `migcompat check --repo DIR --format json base <step>` and the test
 * checks
 *  - the exit status (0 nothing of severity warning/error, 1 such findings,
 *    2 input error with one "migcompat: " line on stderr);
 *  - the JSON contract: base/head {rev, commit}, newest_compat {array,
 *    version, file}, findings [{rule, severity, type, property, old_value,
 *    new_value, file, line, message, notes, suggestion}], coverage {...};
 *  - what the README says a correct tool reports for the step.
 * Then the text format (gcc style, no colour off a terminal or with NO_COLOR),
 * --output, the range syntaxes, determinism (twice, -j1 against -j4) and that
 * a check leaves the repository (.git and work tree) untouched.
 *
 * Commit ids are resolved from the built repository, never written here;
 * line numbers are read from the fixture's files.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture_repo.h"
#include "test_util.h"

#define NEWEST_ARRAY "hw_compat_10_1"
#define NEWEST_VERSION "10.1"
#define MACHINE_C "hw/core/machine.c"
#define VIRTIO_BLK_C "hw/block/virtio-blk.c"

/* ---- the steps -------------------------------------------------------- */

typedef struct {
	const char *dir;      /* fixtures/example/steps/<dir> */
	const char *branch;
	char commit[GIT_OID_HEXSZ + 1];
} step;

static step steps[] = {
	{ "01-good", "good", "" },
	{ "02-forgot", "forgot", "" },
	{ "03-wrong-value", "wrong-value", "" },
	{ "04-wrong-array", "wrong-array", "" },
	{ "05-header-only", "header-only", "" },
	{ "06-refactor", "refactor", "" },
	{ "07-new-prop-on", "new-prop-on", "" },
	{ "08-sibling", "sibling", "" },
	{ "09-dangling", "dangling", "" },
	{ "10-syntax-error", "syntax-error", "" },
	{ "11-no-compat", "no-compat", "" },
	{ "12-empty", "empty", "" },
	{ "13-enum", "enum", "" },
	{ "14-proxy-alias", "proxy-alias", "" },
	{ "15-ancestor", "ancestor", "" },
	{ "16-wrong-array-fixes", "wrong-array-fixes", "" },
	{ "17-series-1", "series-1", "" },
	{ "18-series-2", "series-2", "" },
	{ "19-conditional", "conditional", "" },
	{ "20-after-fix", "after-fix", "" },
	{ "21-table-types", "table-types", "" },
	{ "22-kind-change", "kind-change", "" },
	{ "23-new-family", "new-family", "" },
	{ "24-machines-deleted", "machines-deleted", "" },
	{ "25-compat-defaults", "compat-defaults", "" },
	{ "26-dynamic-type", "dynamic-type", "" },
	{ "27-cpu-models", "cpu-models", "" },
	{ "28-cpu-feature", "cpu-feature", "" },
	{ "29-arm-cntfrq", "arm-cntfrq", "" },
	{ "30-stream-gate", "stream-gate", "" },
	{ "31-docs-only", "docs-only", "" },
	{ "32-docs-again", "docs-again", "" },
	{ "33-def-include", "def-include", "" },
	{ "34-def-docs", "def-docs", "" },
	{ "35-def-change", "def-change", "" },
	{ "36-header-unused", "header-unused", "" },
	{ "37-qom-props", "qom-props", "" },
	{ "38-qom-missing", "qom-missing", "" },
	{ "39-qom-default", "qom-default", "" },
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

static const char *const known_rules[] = {
	"compat-missing", "compat-wrong-value", "compat-wrong-array", "compat-uncovered-type",
	"compat-dangling", "new-property-enabled", "compat-redundant", "default-unknown",
};

static struct {
	char *tmp;
	char *repo;
	char base_commit[GIT_OID_HEXSZ + 1];
	/* coverage of an audit of base, for comparisons */
	int have_base_cov;
	json_int_t base_arrays, base_properties;
} g;

/*
 * The arena (mc_test_keep, released by mc_test_arena_release after every
 * test), running the tool, fixture lines, JSON parsing and the .git
 * snapshots come from tests/support/test_util.h.
 */

static step *find_step(const char *branch)
{
	for (size_t i = 0; i < NSTEPS; i++)
		if (!strcmp(steps[i].branch, branch))
			return &steps[i];
	fail_msg("no step %s", branch);
	return NULL;
}

/* ---- JSON helpers ----------------------------------------------------- */

static int is_str_or_null(json_t *v)
{
	return v && (json_is_string(v) || json_is_null(v));
}

static int is_loud(json_t *f)
{
	const char *sev = mc_test_jstr(f, "severity");
	return sev && (!strcmp(sev, "error") || !strcmp(sev, "warning"));
}

static json_t *findings_of(json_t *root)
{
	return json_object_get(root, "findings");
}

static size_t count_loud(json_t *root)
{
	size_t i, n = 0;
	json_t *f;
	json_array_foreach(findings_of(root), i, f)
		n += is_loud(f);
	return n;
}

static size_t count_rule(json_t *root, const char *rule)
{
	size_t i, n = 0;
	json_t *f;
	json_array_foreach(findings_of(root), i, f) {
		const char *r = mc_test_jstr(f, "rule");
		if (r && !strcmp(r, rule))
			n++;
	}
	return n;
}

/* First finding matching rule, type and property (NULL = any). */
static json_t *find_finding(json_t *root, const char *rule, const char *type, const char *property)
{
	size_t i;
	json_t *f;
	json_array_foreach(findings_of(root), i, f) {
		const char *r = mc_test_jstr(f, "rule"), *t = mc_test_jstr(f, "type"), *p = mc_test_jstr(f, "property");
		if (rule && (!r || strcmp(r, rule)))
			continue;
		if (type && (!t || strcmp(t, type)))
			continue;
		if (property && (!p || strcmp(p, property)))
			continue;
		return f;
	}
	return NULL;
}

/* A compact listing of the findings, for failure messages. */
static const char *summary(json_t *root)
{
	char *s = mc_test_ksprintf("%s", "");
	size_t i;
	json_t *f;
	json_array_foreach(findings_of(root), i, f) {
		s = mc_test_ksprintf("%s  [%s %s] %s.%s at %s:%lld: %s\n", s,
				     mc_test_jstr(f, "rule") ? mc_test_jstr(f, "rule") : "?",
				     mc_test_jstr(f, "severity") ? mc_test_jstr(f, "severity") : "?",
				     mc_test_jstr(f, "type") ? mc_test_jstr(f, "type") : "-",
				     mc_test_jstr(f, "property") ? mc_test_jstr(f, "property") : "-",
				     mc_test_jstr(f, "file") ? mc_test_jstr(f, "file") : "?",
				     (long long)json_integer_value(json_object_get(f, "line")),
				     mc_test_jstr(f, "message") ? mc_test_jstr(f, "message") : "");
	}
	return *s ? s : "  (no findings)\n";
}

static json_t *need_finding(json_t *root, const char *rule, const char *type, const char *property)
{
	json_t *f = find_finding(root, rule, type, property);
	if (!f)
		fail_msg("no %s finding for %s.%s; the report has:\n%s", rule, type ? type : "*",
			 property ? property : "*", summary(root));
	return f;
}

/* message, notes and type of a finding, one text to search. */
static const char *finding_text(json_t *f)
{
	char *s = mc_test_ksprintf("%s\n%s", mc_test_jstr(f, "type") ? mc_test_jstr(f, "type") : "",
				   mc_test_jstr(f, "message") ? mc_test_jstr(f, "message") : "");
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(f, "notes"), i, n)
		if (json_is_string(n))
			s = mc_test_ksprintf("%s\n%s", s, json_string_value(n));
	return s;
}

static int name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

/* Does text name the QOM type (not as part of a longer name)? */
static int mentions(const char *text, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = strstr(text, name); p; p = strstr(p + 1, name))
		if ((p == text || !name_char(p[-1])) && !name_char(p[n]))
			return 1;
	return 0;
}

static void expect_field(json_t *f, const char *key, const char *want)
{
	json_t *v = json_object_get(f, key);
	if (!want) {
		if (!json_is_null(v))
			fail_msg("finding %s: %s should be null, is %s", mc_test_jstr(f, "rule"), key,
				 json_is_string(v) ? json_string_value(v) : "not a string");
		return;
	}
	if (!json_is_string(v) || strcmp(json_string_value(v), want))
		fail_msg("finding %s (%s): %s is '%s', want '%s'", mc_test_jstr(f, "rule"), mc_test_jstr(f, "message"),
			 key, json_is_string(v) ? json_string_value(v) : "(not a string)", want);
}

static void expect_location(json_t *f, const char *file, int line)
{
	expect_field(f, "file", file);
	json_int_t l = json_integer_value(json_object_get(f, "line"));
	if (l != line)
		fail_msg("finding %s (%s): line %lld, want %d", mc_test_jstr(f, "rule"), mc_test_jstr(f, "message"),
			 (long long)l, line);
}

static int at_location(json_t *f, const char *file, int line)
{
	const char *ff = mc_test_jstr(f, "file");
	return ff && !strcmp(ff, file) && json_integer_value(json_object_get(f, "line")) == line;
}

static void expect_suggestion(json_t *f, const char *entry, const char *array, const char *file)
{
	json_t *s = json_object_get(f, "suggestion");
	if (!json_is_object(s))
		fail_msg("finding %s (%s) has no suggestion, want %s in %s", mc_test_jstr(f, "rule"),
			 mc_test_jstr(f, "message"), entry, array);
	const char *e = mc_test_jstr(s, "entry"), *a = mc_test_jstr(s, "array"), *fl = mc_test_jstr(s, "file");
	if (!e || strcmp(e, entry))
		fail_msg("suggestion entry '%s', want '%s'", e ? e : "(null)", entry);
	if (!a || strcmp(a, array))
		fail_msg("suggestion array '%s', want '%s'", a ? a : "(null)", array);
	if (!fl || strcmp(fl, file))
		fail_msg("suggestion file '%s', want '%s'", fl ? fl : "(null)", file);
}

/* ---- the JSON contract ------------------------------------------------ */

static void check_rev(json_t *root, const char *key, const char *rev, const char *commit)
{
	json_t *o = json_object_get(root, key);
	if (!json_is_object(o))
		fail_msg("no '%s' object in the report", key);
	const char *r = mc_test_jstr(o, "rev"), *c = mc_test_jstr(o, "commit");
	if (rev && (!r || strcmp(r, rev)))
		fail_msg("%s.rev is '%s', want '%s'", key, r ? r : "(null)", rev);
	if (!mc_test_is_hex40(c))
		fail_msg("%s.commit '%s' is not 40 lower-case hex digits", key, c ? c : "(null)");
	if (commit && strcmp(c, commit))
		fail_msg("%s.commit is %s, the repository says %s", key, c, commit);
}

static json_int_t cov_int(json_t *root, const char *key)
{
	json_t *v = json_object_get(json_object_get(root, "coverage"), key);
	if (!json_is_integer(v))
		fail_msg("coverage.%s is not an integer", key);
	return json_integer_value(v);
}

static void check_finding_shape(json_t *f, size_t i)
{
	if (!json_is_object(f))
		fail_msg("findings[%zu] is not an object", i);
	const char *rule = mc_test_jstr(f, "rule");
	if (!rule)
		fail_msg("findings[%zu] has no rule", i);
	int known = 0;
	for (size_t k = 0; k < sizeof(known_rules) / sizeof(known_rules[0]); k++)
		known |= !strcmp(rule, known_rules[k]);
	if (!known)
		fail_msg("findings[%zu]: unknown rule '%s'", i, rule);
	const char *sev = mc_test_jstr(f, "severity");
	if (!sev || (strcmp(sev, "error") && strcmp(sev, "warning") && strcmp(sev, "note")))
		fail_msg("findings[%zu] (%s): severity '%s'", i, rule, sev ? sev : "(null)");
	static const char *const nullable[] = { "type", "property", "old_value", "new_value" };
	for (size_t k = 0; k < 4; k++)
		if (!is_str_or_null(json_object_get(f, nullable[k])))
			fail_msg("findings[%zu] (%s): '%s' missing or not a string/null", i, rule, nullable[k]);
	const char *file = mc_test_jstr(f, "file");
	if (!file || !*file)
		fail_msg("findings[%zu] (%s): no file", i, rule);
	json_t *line = json_object_get(f, "line");
	if (!json_is_integer(line) || json_integer_value(line) < 1)
		fail_msg("findings[%zu] (%s): line missing or < 1", i, rule);
	const char *msg = mc_test_jstr(f, "message");
	if (!msg || !*msg || strchr(msg, '\n'))
		fail_msg("findings[%zu] (%s): message missing, empty or multi-line", i, rule);
	json_t *notes = json_object_get(f, "notes");
	if (!json_is_array(notes))
		fail_msg("findings[%zu] (%s): notes is not an array", i, rule);
	size_t k;
	json_t *n;
	json_array_foreach(notes, k, n)
		if (!json_is_string(n))
			fail_msg("findings[%zu] (%s): notes[%zu] is not a string", i, rule, k);
	json_t *s = json_object_get(f, "suggestion");
	if (!s)
		fail_msg("findings[%zu] (%s): no suggestion key", i, rule);
	if (!json_is_null(s)) {
		if (!json_is_object(s) || !mc_test_jstr(s, "entry") || !is_str_or_null(json_object_get(s, "array")) ||
		    !is_str_or_null(json_object_get(s, "file")))
			fail_msg("findings[%zu] (%s): suggestion is not {entry, array, file}", i, rule);
		const char *e = mc_test_jstr(s, "entry");
		if (e[0] != '{')
			fail_msg("findings[%zu] (%s): suggestion entry '%s' is not a C initializer", i, rule, e);
	}
}

/* Everything every check report must satisfy; rc is the exit status. */
static void check_contract(json_t *root, const char *branch, int rc)
{
	check_rev(root, "base", "base", g.base_commit);
	check_rev(root, "head", branch, find_step(branch)->commit);

	json_t *nc = json_object_get(root, "newest_compat");
	if (!json_is_object(nc))
		fail_msg("newest_compat is not an object");
	const char *a = mc_test_jstr(nc, "array"), *v = mc_test_jstr(nc, "version"), *f = mc_test_jstr(nc, "file");
	if (!a || strcmp(a, NEWEST_ARRAY) || !v || strcmp(v, NEWEST_VERSION) || !f || strcmp(f, MACHINE_C))
		fail_msg("newest_compat is {%s, %s, %s}, want {" NEWEST_ARRAY ", " NEWEST_VERSION ", " MACHINE_C "}",
			 a ? a : "null", v ? v : "null", f ? f : "null");

	json_t *findings = findings_of(root);
	if (!json_is_array(findings))
		fail_msg("findings is not an array");
	size_t i;
	json_t *fi;
	json_array_foreach(findings, i, fi)
		check_finding_shape(fi, i);

	json_t *cov = json_object_get(root, "coverage");
	if (!json_is_object(cov))
		fail_msg("coverage is not an object");
	static const char *const ints[] = { "files_parsed", "files_failed", "property_arrays",
					    "property_arrays_unresolved", "properties" };
	for (size_t k = 0; k < 5; k++)
		if (cov_int(root, ints[k]) < 0)
			fail_msg("coverage.%s is negative", ints[k]);
	if (cov_int(root, "property_arrays_unresolved") > cov_int(root, "property_arrays"))
		fail_msg("more unresolved property arrays than property arrays");
	if (cov_int(root, "files_parsed") < 1)
		fail_msg("coverage.files_parsed is 0");
	json_t *un = json_object_get(cov, "unanalysed");
	if (!json_is_array(un))
		fail_msg("coverage.unanalysed is not an array");
	json_array_foreach(un, i, fi)
		if (!json_is_string(fi))
			fail_msg("coverage.unanalysed[%zu] is not a string", i);

	/* The exit status follows the findings. */
	int want = count_loud(root) ? 1 : 0;
	if (rc != want)
		fail_msg("exit status %d, but the report has %zu warning/error findings (want exit %d):\n%s", rc,
			 count_loud(root), want, summary(root));
}

/* Coverage at base, from an audit (cached for the run). */
static void load_base_coverage(void)
{
	if (g.have_base_cov)
		return;
	const char *argv[] = { "migcompat", "audit", "--repo", g.repo, "--format", "json", "base", NULL };
	char *out, *err;
	int rc = mc_test_run_kept(argv, &out, &err);
	if (rc != 0 && rc != 1)
		fail_msg("audit base: exit %d\n%s", rc, err);
	json_t *root = mc_test_parse_json_object(out, "audit base");
	g.base_arrays = cov_int(root, "property_arrays");
	g.base_properties = cov_int(root, "properties");
	g.have_base_cov = 1;
}

/* A step whose files all parse: nothing lost, and property counts as at base (+delta). */
static void expect_full_coverage(json_t *root, int extra_properties)
{
	load_base_coverage();
	if (cov_int(root, "files_failed") != 0)
		fail_msg("files_failed is %lld", (long long)cov_int(root, "files_failed"));
	assert_int_equal(cov_int(root, "property_arrays_unresolved"), 0);
	assert_int_equal(cov_int(root, "property_arrays"), g.base_arrays);
	assert_int_equal(cov_int(root, "properties"), g.base_properties + extra_properties);
	assert_int_equal(json_array_size(json_object_get(json_object_get(root, "coverage"), "unanalysed")), 0);
}

/* Runs the JSON check of base..branch, checks the contract, returns the report. */
static json_t *check_step(const char *branch, int *rc_out)
{
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--full", "--format", "json", "base", branch, NULL };
	char *out, *err;
	int rc = mc_test_run_kept(argv, &out, &err);
	if (rc != 0 && rc != 1)
		fail_msg("check base %s: exit %d\nstdout:\n%s\nstderr:\n%s", branch, rc, out, err);
	if (*err)
		fail_msg("check base %s: unexpected stderr:\n%s", branch, err);
	json_t *root = mc_test_parse_json_object(out, branch);
	check_contract(root, branch, rc);
	if (rc_out)
		*rc_out = rc;
	return root;
}

/* check FROM TO (a step on another step), as JSON; the exit status in *rc_out. */
static json_t *check_pair(const char *from, const char *to, int *rc_out)
{
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--format", "json", from, to, NULL };
	char *out, *err;
	*rc_out = mc_test_run_kept(argv, &out, &err);
	if (*rc_out != 0 && *rc_out != 1)
		fail_msg("check %s %s: exit %d\n%s%s", from, to, *rc_out, out, err);
	return mc_test_parse_json_object(out, to);
}

/* Every finding has this rule and this property. */
static void expect_only(json_t *root, const char *rule, const char *property)
{
	size_t i;
	json_t *f;
	json_array_foreach(findings_of(root), i, f) {
		const char *r = mc_test_jstr(f, "rule"), *p = mc_test_jstr(f, "property");
		if ((rule && strcmp(r, rule)) || (property && (!p || strcmp(p, property))))
			fail_msg("unexpected finding (want only %s on %s):\n%s", rule ? rule : "*",
				 property ? property : "*", summary(root));
	}
}

static void expect_clean(const char *branch)
{
	int rc;
	json_t *root = check_step(branch, &rc);
	if (rc != 0 || count_loud(root))
		fail_msg("%s should be clean (exit 0), got exit %d:\n%s", branch, rc, summary(root));
	expect_full_coverage(root, 0);
}

/* ---- group setup ------------------------------------------------------ */

static int resolve(git_repository *repo, const char *rev, char *hex)
{
	git_object *obj = NULL;
	char spec[256];
	snprintf(spec, sizeof(spec), "refs/heads/%s^{commit}", rev);
	if (git_revparse_single(&obj, repo, spec) < 0) {
		fprintf(stderr, "cannot resolve %s in the fixture repository\n", spec);
		return -1;
	}
	git_oid_tostr(hex, GIT_OID_HEXSZ + 1, git_object_id(obj));
	git_object_free(obj);
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	memset(&g, 0, sizeof(g));
	if (mc_test_example_repo("check", &g.tmp, &g.repo) != 0)
		return -1;
	git_libgit2_init();
	git_repository *repo = NULL;
	int rc = git_repository_open(&repo, g.repo);
	if (rc == 0)
		rc = resolve(repo, "base", g.base_commit);
	for (size_t i = 0; rc == 0 && i < NSTEPS; i++)
		rc = resolve(repo, steps[i].branch, steps[i].commit);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc < 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	mc_test_example_repo_remove(&g.tmp, &g.repo);
	memset(&g, 0, sizeof(g));
	return 0;
}

/* ---- the steps -------------------------------------------------------- */

/* The table above covers every step of the fixture. */
static void test_steps_table_complete(void **state)
{
	(void)state;
	DIR *d = opendir(MC_TEST_EXAMPLE_DIR "/steps");
	assert_non_null(d);
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !isdigit((unsigned char)de->d_name[0]))
			continue;
		int found = 0;
		for (size_t i = 0; i < NSTEPS; i++)
			found |= !strcmp(steps[i].dir, de->d_name);
		if (!found) {
			closedir(d);
			fail_msg("fixture step %s has no expectations in test_check.c", de->d_name);
		}
		n++;
	}
	closedir(d);
	assert_int_equal(n, NSTEPS);
	for (size_t i = 0; i < NSTEPS; i++) {
		assert_true(mc_test_is_hex40(steps[i].commit));
		assert_string_not_equal(steps[i].commit, g.base_commit);
	}
}

static void test_01_good(void **state)
{
	(void)state;
	expect_clean("good");
}

static void test_02_forgot(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_step("forgot", &rc);
	assert_int_equal(rc, 1);
	json_t *f = need_finding(root, "compat-missing", "virtio-blk-device", "num-queues");
	expect_field(f, "severity", "error");
	expect_field(f, "old_value", "1");
	expect_field(f, "new_value", "65535");
	expect_location(f, VIRTIO_BLK_C,
			mc_test_fixture_line("02-forgot", VIRTIO_BLK_C, "DEFINE_PROP_UINT16(\"num-queues\""));
	expect_suggestion(f, "{ \"virtio-blk-device\", \"num-queues\", \"1\" },", NEWEST_ARRAY, MACHINE_C);
	/* The released machines: 9.2 to 10.1, not 10.2 (in development). */
	const char *msg = mc_test_jstr(f, "message");
	if (!strstr(msg, "9.2") || !strstr(msg, "10.1") || strstr(msg, "10.2"))
		fail_msg("message should name machines 9.2 to 10.1 only: %s", msg);
	/* Through the proxies' aliases too. */
	const char *text = finding_text(f);
	static const char *const via[] = { "virtio-blk-pci", "virtio-blk-pci-transitional",
					   "virtio-blk-pci-non-transitional", "virtio-blk-ccw" };
	for (size_t i = 0; i < 4; i++)
		if (!mentions(text, via[i]))
			fail_msg("compat-missing does not say that %s is affected:\n%s", via[i], text);
	/* Nothing else: one mistake, one rule. */
	expect_only(root, "compat-missing", "num-queues");
	expect_full_coverage(root, 0);
}

static void test_03_wrong_value(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_step("wrong-value", &rc);
	assert_int_equal(rc, 1);
	json_t *f = need_finding(root, "compat-wrong-value", "virtio-blk-device", "num-queues");
	expect_field(f, "severity", "error");
	expect_field(f, "old_value", "1");
	if (!strstr(mc_test_jstr(f, "message"), "2"))
		fail_msg("the message should show the entry's value 2: %s", mc_test_jstr(f, "message"));
	int prop_line = mc_test_fixture_line("03-wrong-value", VIRTIO_BLK_C, "DEFINE_PROP_UINT16(\"num-queues\"");
	int entry_line = mc_test_fixture_line("03-wrong-value", MACHINE_C, "\"num-queues\"");
	if (!at_location(f, VIRTIO_BLK_C, prop_line) && !at_location(f, MACHINE_C, entry_line))
		fail_msg("location %s:%lld is neither the property (%s:%d) nor the entry (%s:%d)",
			 mc_test_jstr(f, "file"), (long long)json_integer_value(json_object_get(f, "line")),
			 VIRTIO_BLK_C, prop_line, MACHINE_C, entry_line);
	if (!json_is_null(json_object_get(f, "suggestion")))
		expect_suggestion(f, "{ \"virtio-blk-device\", \"num-queues\", \"1\" },", NEWEST_ARRAY, MACHINE_C);
	/* The entry exists: not also reported as missing. */
	assert_int_equal(count_rule(root, "compat-missing"), 0);
	expect_only(root, NULL, "num-queues");
	expect_full_coverage(root, 0);
}

static void check_wrong_array(const char *dir, const char *branch, const char *severity, int want_rc)
{
	int rc;
	json_t *root = check_step(branch, &rc);
	assert_int_equal(rc, want_rc);
	json_t *f = need_finding(root, "compat-wrong-array", "virtio-blk-device", "num-queues");
	expect_field(f, "severity", severity);
	expect_field(f, "old_value", "1");
	int prop_line = mc_test_fixture_line(dir, VIRTIO_BLK_C, "DEFINE_PROP_UINT16(\"num-queues\"");
	int entry_line = mc_test_fixture_line(dir, MACHINE_C, "\"num-queues\"");
	if (!at_location(f, VIRTIO_BLK_C, prop_line) && !at_location(f, MACHINE_C, entry_line))
		fail_msg("location %s:%lld is neither the property (%s:%d) nor the entry (%s:%d)",
			 mc_test_jstr(f, "file"), (long long)json_integer_value(json_object_get(f, "line")),
			 VIRTIO_BLK_C, prop_line, MACHINE_C, entry_line);
	const char *text = finding_text(f);
	if (!strstr(text, "hw_compat_10_0"))
		fail_msg("compat-wrong-array should say where the entry is (hw_compat_10_0):\n%s", text);
	/* Machine 10.1 is the one still changing; the fix is the newest array. */
	if (!strstr(mc_test_jstr(f, "message"), "10.1"))
		fail_msg("compat-wrong-array should name machine 10.1: %s", mc_test_jstr(f, "message"));
	expect_suggestion(f, "{ \"virtio-blk-device\", \"num-queues\", \"1\" },", NEWEST_ARRAY, MACHINE_C);
	assert_int_equal(count_rule(root, "compat-missing"), 0);
	expect_only(root, NULL, "num-queues");
	expect_full_coverage(root, 0);
}

static void test_04_wrong_array(void **state)
{
	(void)state;
	check_wrong_array("04-wrong-array", "wrong-array", "error", 1);
}

static void test_16_wrong_array_fixes(void **state)
{
	(void)state;
	check_wrong_array("16-wrong-array-fixes", "wrong-array-fixes", "note", 0);
	/* A note only: nothing loud at all. */
	int rc;
	json_t *root = check_step("wrong-array-fixes", &rc);
	assert_int_equal(count_loud(root), 0);
}

/* A two-patch series: the change alone is broken, the series as a whole is not. */
static void test_17_18_series(void **state)
{
	(void)state;
	expect_clean("series-2");
	int rc;
	json_t *root = check_step("series-1", &rc);
	assert_int_equal(rc, 1);
	need_finding(root, "compat-missing", "virtio-blk-device", "num-queues");
}

/* An entry naming a property built only under #ifdef: a warning, not silence. */
static void test_19_conditional(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_step("conditional", &rc);
	assert_int_equal(rc, 1);
	json_t *f = need_finding(root, "compat-dangling", "virtio-blk-device", "seg-max-adjust");
	expect_field(f, "severity", "warning");
	if (!strstr(mc_test_jstr(f, "message"), "__linux__"))
		fail_msg("the finding should name the condition: %s", mc_test_jstr(f, "message"));
	assert_int_equal(count_loud(root), 1);
}

/* show --type T at a branch, as text. */
static const char *show_type(const char *branch, const char *type)
{
	const char *argv[] = { "migcompat", "show", "--repo", g.repo, "--type", type, branch, NULL };
	char *out, *err;
	int rc = mc_test_run_kept(argv, &out, &err);
	if (rc != 0)
		fail_msg("show --type %s %s: exit %d\n%s", type, branch, rc, err);
	return out;
}

/*
 * Types registered in a loop over a table, with the Property array each
 * record names read from class_data, are real types with their own
 * properties; so are arrays attached by a helper the class_init passes its
 * class to; a property and a type both under #ifdef __linux__ are not
 * conditional relative to each other.
 */
static void test_21_table_types(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_step("table-types", &rc);
	if (rc != 0 || count_loud(root))
		fail_msg("table-types should be clean, got exit %d:\n%s", rc, summary(root));
	assert_null(find_finding(root, "compat-dangling", NULL, NULL));
	assert_int_equal(cov_int(root, "property_arrays_unresolved"), 0);
	const char *gen1 = show_type("table-types", "tnic-gen1"), *gen2 = show_type("table-types", "tnic-gen2");
	if (!strstr(gen1, "tnic-gen1.queues = 1") || strstr(gen1, "x-gen2-only"))
		fail_msg("tnic-gen1 should have only the first record's array:\n%s", gen1);
	if (!strstr(gen2, "tnic-gen2.queues = 4") || !strstr(gen2, "tnic-gen2.x-gen2-only = on"))
		fail_msg("tnic-gen2 should have the second record's array:\n%s", gen2);
	const char *host = show_type("table-types", "tnic-host");
	if (!strstr(host, "tnic-host.vhost = on"))
		fail_msg("tnic-host should have the array its class_init helper attaches:\n%s", host);
}

/* A check that must report nothing of severity warning or error. */
static json_t *expect_quiet(const char *branch)
{
	int rc;
	json_t *root = check_step(branch, &rc);
	if (rc != 0 || count_loud(root))
		fail_msg("%s should report nothing loud (exit 0), got exit %d:\n%s", branch, rc, summary(root));
	return root;
}

/* uint32 1 -> bit true: the same value once compared as the property's kind. */
static void test_22_kind_change(void **state)
{
	(void)state;
	json_t *root = expect_quiet("kind-change");
	if (find_finding(root, NULL, NULL, "rombar"))
		fail_msg("rombar keeps its value:\n%s", summary(root));
	const char *shown = show_type("kind-change", "virtio-blk-pci");
	if (!strstr(shown, "virtio-blk-pci.rombar = on  [bool"))
		fail_msg("rombar should be a bit, on, at kind-change:\n%s", shown);
}

/* A family whose arrays appear only at head: none of its machines was released. */
static void test_23_new_family(void **state)
{
	(void)state;
	json_t *root = expect_quiet("new-family");
	assert_null(find_finding(root, NULL, NULL, "num-queues"));
}

/* Machines deleted with their arrays are not compared: their entries' removal changes nothing. */
static void test_24_machines_deleted(void **state)
{
	(void)state;
	json_t *root = expect_quiet("machines-deleted");
	assert_int_equal(count_rule(root, "compat-missing"), 0);
}

/* A *_compat_defaults array applies to every version of its family, and is analysed. */
static void test_25_compat_defaults(void **state)
{
	(void)state;
	const char *argv[] = { "migcompat", "show", "--repo", g.repo, "--family", "pc", "--machine", "9.2",
			       "--type", "foo-dev", "compat-defaults", NULL };
	char *out, *err;
	int rc = mc_test_run_kept(argv, &out, &err);
	if (rc != 0)
		fail_msg("show: exit %d\n%s", rc, err);
	if (!strstr(out, "foo-dev.level = 5"))
		fail_msg("pc 9.2 should see level 5 from pc_piix_compat_defaults:\n%s", out);
	const char *audit[] = { "migcompat", "audit", "--repo", g.repo, "--format", "json", "compat-defaults", NULL };
	rc = mc_test_run_kept(audit, &out, &err);
	if (rc != 0 && rc != 1)
		fail_msg("audit: exit %d\n%s", rc, err);
	json_t *root = mc_test_parse_json_object(out, "audit compat-defaults");
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(json_object_get(root, "coverage"), "unanalysed"), i, u)
		if (json_is_string(u) && strstr(json_string_value(u), "pc_piix_compat_defaults"))
			fail_msg("the defaults array should be analysed: %s", json_string_value(u));
}

/* "EPYC-x86_64-cpu": a model registered at run time on x86_64-cpu; not dangling, a note. */
static void test_26_dynamic_type(void **state)
{
	(void)state;
	json_t *root = expect_quiet("dynamic-type");
	json_t *f = need_finding(root, "compat-dangling", "EPYC-x86_64-cpu", "pmu");
	expect_field(f, "severity", "note");
}

/* Does the coverage list a line holding every one of the words? */
static int cov_lists(json_t *root, const char *a, const char *b)
{
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(json_object_get(root, "coverage"), "unanalysed"), i, u)
		if (json_is_string(u) && strstr(json_string_value(u), a) && strstr(json_string_value(u), b))
			return 1;
	return 0;
}

/* Does show --type know the type at the branch? */
static int type_known(const char *branch, const char *type)
{
	const char *argv[] = { "migcompat", "show", "--repo", g.repo, "--type", type, branch, NULL };
	char *out, *err;
	return mc_test_run_kept(argv, &out, &err) == 0;
}

/*
 * CPU models registered in loops over tables (conv table-type): each x86
 * definition, its versions (v1 without a list; a compound literal or a
 * named array) and their aliases, and the Arm models of a file that names
 * no qdev record; the x86 features (conv table-property) are properties of
 * x86_64-cpu, so the entries naming them or a model are checked, not noted
 * as unanalysed.
 */
static void test_27_cpu_models(void **state)
{
	(void)state;
	json_t *root = expect_quiet("cpu-models");
	if (find_finding(root, "compat-dangling", NULL, NULL))
		fail_msg("the entries name a model and a feature that exist:\n%s", summary(root));
	static const char *const known[] = { "qemu64-x86_64-cpu", "qemu64-v1-x86_64-cpu", "EPYC-x86_64-cpu",
					     "EPYC-v1-x86_64-cpu", "EPYC-v2-x86_64-cpu", "EPYC-IBPB-x86_64-cpu",
					     "EPYC-v3-x86_64-cpu", "qemu32-v2-x86_64-cpu", "qemu32-old-x86_64-cpu",
					     "cortex-m0-arm-cpu", "cortex-m3-arm-cpu" };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!type_known("cpu-models", known[i]))
			fail_msg("%s should be registered at cpu-models", known[i]);
	assert_false(type_known("cpu-models", "EPYC-v4-x86_64-cpu"));
	assert_false(type_known("cpu-models", "EPYC-v0-x86_64-cpu"));
	const char *epyc = show_type("cpu-models", "EPYC-IBPB-x86_64-cpu");
	if (!strstr(epyc, "EPYC-IBPB-x86_64-cpu.arat = (set by each concrete type)  [bool") ||
	    !strstr(epyc, "EPYC-IBPB-x86_64-cpu.pae = ") || !strstr(epyc, "EPYC-IBPB-x86_64-cpu.pmu = off"))
		fail_msg("EPYC-IBPB should have the features and pmu of x86_64-cpu:\n%s", epyc);
	const char *m3 = show_type("cpu-models", "cortex-m3-arm-cpu");
	if (!strstr(m3, "cortex-m3-arm-cpu.cntfrq = 1000000000"))
		fail_msg("cortex-m3 should inherit cntfrq from arm-cpu:\n%s", m3);
	if (!cov_lists(root, "feature_word_info[].feat_names: 6 properties of x86_64-cpu", "not analysed"))
		fail_msg("coverage should count the features whose values are not analysed:\n%s", summary(root));
	assert_int_equal(cov_int(root, "property_arrays_unresolved"), 0);
}

/*
 * An entry for a feature, whose value each CPU model sets: not judged, in
 * one note naming x86_64-cpu, which declares it, and every model.
 */
static void test_28_cpu_feature(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_pair("cpu-models", "cpu-feature", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(count_rule(root, "default-unknown"), 1);
	json_t *f = need_finding(root, "default-unknown", "x86_64-cpu", "vme");
	expect_field(f, "severity", "note");
	json_t *affected = json_object_get(f, "affected");
	assert_int_equal(json_array_size(affected), 12);
	assert_null(find_finding(root, "compat-dangling", NULL, NULL));
}

/*
 * A default of arm-cpu changes with no entry: one compat-missing on arm-cpu,
 * its fix on arm-cpu, naming the models of a table in a file that names
 * neither them nor arm-cpu.
 */
static void test_29_arm_cntfrq(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_pair("cpu-models", "arm-cntfrq", &rc);
	assert_int_equal(rc, 1);
	json_t *f = need_finding(root, "compat-missing", NULL, "cntfrq");
	expect_field(f, "owner", "arm-cpu");
	expect_field(f, "old_value", "1000000000");
	expect_suggestion(f, "{ \"arm-cpu\", \"cntfrq\", \"1000000000\" },", NEWEST_ARRAY, MACHINE_C);
	json_t *affected = json_object_get(f, "affected");
	assert_int_equal(json_array_size(affected), 2);
	assert_int_equal(count_loud(root), 1);
}

/*
 * A new auto property with no entry: a warning only because a VMState .needed
 * function reads its member; without that read (the base's other auto
 * properties) it would be a note.
 */
static void test_30_stream_gate(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_pair("base", "stream-gate", &rc);
	assert_int_equal(rc, 1);
	json_t *f = need_finding(root, "new-property-enabled", "nec-usb-xhci", "x-stream-state");
	expect_field(f, "severity", "warning");
	if (!strstr(finding_text(f), "xhci_stream_needed() reads the member"))
		fail_msg("no VMState evidence:\n%s", finding_text(f));
	assert_int_equal(count_loud(root), 1);
}

/*
 * A backend object (not a device) whose properties are all added by code:
 * in its class_init (a bool with a getter, a generic OnOffAuto, an enum
 * through a header helper whose getter is a parameter), in its instance_init
 * (a *_ptr), and in a helper of another file its instance_init hands the
 * object to.  The entries naming them are checked, not "not analysed"; the
 * defaults the instance_init assigns are values, the others are counted.
 */
static void test_37_qom_props(void **state)
{
	(void)state;
	json_t *root = expect_quiet("qom-props");
	if (find_finding(root, "compat-dangling", NULL, NULL))
		fail_msg("every entry names a property added by code:\n%s", summary(root));
	const char *file = show_type("qom-props", "bar-backend-file");
	static const char *const want[] = { "bar-backend-file.prealloc = on  [bool", "bar-backend-file.level = 5  [uint",
					    "bar-backend-file.x-common-level = 3  [uint",
					    "bar-backend-file.policy = (set by code)  [enum",
					    "bar-backend-file.encoding = (set by code)  [enum" };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(file, want[i]))
			fail_msg("bar-backend-file should inherit %s:\n%s", want[i], file);
	const char *none = show_type("qom-props", "bar-null");
	if (!strstr(none, "bar-null: no property migcompat can see"))
		fail_msg("show --type of a type without properties should say so:\n%s", none);
	assert_int_equal(cov_int(root, "code_properties"), 5);
	assert_int_equal(cov_int(root, "code_defaults_unvalued"), 2);
	if (!cov_lists(root, "encoding: default of a property added by code", "its getter is a parameter"))
		fail_msg("coverage should say why encoding's default is not analysed:\n%s", summary(root));
}

/* An entry naming a property no code adds: QEMU aborts, an error. */
static void test_38_qom_missing(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_pair("qom-props", "qom-missing", &rc);
	assert_int_equal(rc, 1);
	json_t *f = need_finding(root, "compat-dangling", "bar-backend", "no-such-knob");
	expect_field(f, "severity", "error");
	assert_int_equal(count_loud(root), 1);
}

/* The instance_init assigns another value to a *_ptr property's field: a change for released machines. */
static void test_39_qom_default(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_pair("qom-props", "qom-default", &rc);
	assert_int_equal(rc, 1);
	json_t *f = need_finding(root, "compat-missing", "bar-backend", "level");
	expect_field(f, "old_value", "5");
	expect_field(f, "new_value", "7");
	expect_suggestion(f, "{ \"bar-backend\", \"level\", \"5\" },", NEWEST_ARRAY, MACHINE_C);
	assert_int_equal(count_loud(root), 1);
}

/* --each-commit reports the broken patch, labelled, and nothing for the patch that repairs it. */
static void test_each_commit(void **state)
{
	(void)state;
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--format", "json", "--each-commit",
			       "base..series-2", NULL };
	char *out, *err;
	int rc = mc_test_run_kept(argv, &out, &err);
	assert_int_equal(rc, 1);
	json_t *root = mc_test_parse_json_object(out, "--each-commit base..series-2");
	json_t *f = need_finding(root, "compat-missing", "virtio-blk-device", "num-queues");
	const char *commit = mc_test_jstr(f, "commit");
	assert_non_null(commit);
	if (strncmp(commit, "[1/2] ", 6) != 0 || !strstr(commit, "series 1/2"))
		fail_msg("finding labelled '%s', expected [1/2] and the subject of patch 1", commit);
	size_t i;
	json_t *x;
	json_array_foreach(findings_of(root), i, x) {
		const char *c = mc_test_jstr(x, "commit");
		if (c && strncmp(c, "[2/2] ", 6) == 0)
			fail_msg("patch 2 restores the released value but got a finding:\n%s", summary(root));
	}
	/* The text form names the commit before its findings. */
	const char *targv[] = { "migcompat", "check", "--repo", g.repo, "--each-commit", "base..series-2", NULL };
	rc = mc_test_run_kept(targv, &out, &err);
	assert_int_equal(rc, 1);
	if (!strstr(out, "[1/2] "))
		fail_msg("text output does not label the commit:\n%s", out);
}

/* A two-commit range: the note still comes from the trailers of the commit that added the entry. */
static void test_20_range_keeps_stable_note(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_step("after-fix", &rc);
	assert_int_equal(rc, 0);
	json_t *f = need_finding(root, "compat-wrong-array", "virtio-blk-device", "num-queues");
	expect_field(f, "severity", "note");
	assert_int_equal(count_loud(root), 0);
}

static void test_05_header_only(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_step("header-only", &rc);
	assert_int_equal(rc, 1);
	json_t *f = need_finding(root, "compat-missing", "virtio-blk-device", "queue-size");
	expect_field(f, "severity", "error");
	expect_field(f, "old_value", "256");
	expect_field(f, "new_value", "128");
	/* The DEFINE_PROP line did not change; it is still where the finding points (where the
	 * header spells the value is not known), and it says so for code scanning. */
	expect_location(f, VIRTIO_BLK_C,
			mc_test_fixture_line("05-header-only", VIRTIO_BLK_C, "DEFINE_PROP_UINT16(\"queue-size\""));
	assert_true(json_is_false(json_object_get(f, "changed_line")));
	expect_suggestion(f, "{ \"virtio-blk-device\", \"queue-size\", \"256\" },", NEWEST_ARRAY, MACHINE_C);
	expect_only(root, "compat-missing", "queue-size");
	expect_full_coverage(root, 0);
}

static void test_06_refactor(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_step("refactor", &rc);
	assert_int_equal(rc, 0);
	if (json_array_size(findings_of(root)) != 0)
		fail_msg("a pure refactor must give no finding at all:\n%s", summary(root));
	expect_full_coverage(root, 0);
}

static void test_07_new_prop_on(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_step("new-prop-on", &rc);
	assert_int_equal(rc, 1);
	json_t *f = need_finding(root, "new-property-enabled", "virtio-blk-device", "x-new-feature");
	expect_field(f, "severity", "warning");
	expect_location(f, VIRTIO_BLK_C, mc_test_fixture_line("07-new-prop-on", VIRTIO_BLK_C, "\"x-new-feature\""));
	expect_suggestion(f, "{ \"virtio-blk-device\", \"x-new-feature\", \"off\" },", NEWEST_ARRAY, MACHINE_C);
	expect_only(root, "new-property-enabled", "x-new-feature");
	assert_int_equal(count_loud(root), 1);
	expect_full_coverage(root, 1);
}

static void test_08_sibling(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_step("sibling", &rc);
	assert_int_equal(rc, 1);
	need_finding(root, "compat-uncovered-type", NULL, "vectors");
	expect_only(root, "compat-uncovered-type", "vectors");
	int prop_line =
		mc_test_fixture_line("08-sibling", "hw/virtio/virtio-blk-pci.c", "DEFINE_PROP_UINT32(\"vectors\"");
	int entry_line = mc_test_fixture_line("08-sibling", MACHINE_C, "\"vectors\"");
	const char *all = "";
	size_t i;
	json_t *f;
	json_array_foreach(findings_of(root), i, f) {
		expect_field(f, "severity", "error");
		expect_field(f, "old_value", "3");
		expect_field(f, "new_value", "4");
		/* virtio-blk-pci has its entry: it is not the uncovered type. */
		const char *t = mc_test_jstr(f, "type");
		if (t && !strcmp(t, "virtio-blk-pci"))
			fail_msg("virtio-blk-pci is covered by its entry:\n%s", summary(root));
		if (!at_location(f, "hw/virtio/virtio-blk-pci.c", prop_line) && !at_location(f, MACHINE_C, entry_line))
			fail_msg("location %s:%lld is neither the property nor the entry", mc_test_jstr(f, "file"),
				 (long long)json_integer_value(json_object_get(f, "line")));
		/* Both are lines the step wrote: where a review annotation belongs. */
		if (!json_is_true(json_object_get(f, "changed_line")))
			fail_msg("changed_line is not true:\n%s", summary(root));
		json_t *s = json_object_get(f, "suggestion");
		if (json_is_object(s)) {
			if (strcmp(mc_test_jstr(s, "array") ? mc_test_jstr(s, "array") : "", NEWEST_ARRAY) ||
			    !strstr(mc_test_jstr(s, "entry"), "\"vectors\", \"3\""))
				fail_msg("suggestion %s in %s", mc_test_jstr(s, "entry"), mc_test_jstr(s, "array"));
		}
		all = mc_test_ksprintf("%s\n%s", all, finding_text(f));
	}
	if (!mentions(all, "virtio-blk-pci-transitional") || !mentions(all, "virtio-blk-pci-non-transitional"))
		fail_msg("both transitional variants must be reported as uncovered:\n%s", all);
	expect_full_coverage(root, 0);
}

static void test_09_dangling(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_step("dangling", &rc);
	assert_int_equal(rc, 1);
	assert_int_equal(count_rule(root, "compat-dangling"), 2);
	expect_only(root, "compat-dangling", NULL);
	/* Unknown property of a known type: QEMU aborts, an error. */
	json_t *f = need_finding(root, "compat-dangling", "virtio-blk-device", "no-such-prop");
	expect_field(f, "severity", "error");
	expect_location(f, MACHINE_C, mc_test_fixture_line("09-dangling", MACHINE_C, "\"no-such-prop\""));
	/* Unknown type: any severity, but reported at its entry. */
	f = need_finding(root, "compat-dangling", "virtio-nonexistent-device", "foo");
	expect_location(f, MACHINE_C, mc_test_fixture_line("09-dangling", MACHINE_C, "\"virtio-nonexistent-device\""));
	expect_full_coverage(root, 0);
}

static void test_10_syntax_error(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_step("syntax-error", &rc);
	/* No compat finding: a new type has no old machines. */
	size_t i;
	json_t *f;
	json_array_foreach(findings_of(root), i, f) {
		const char *r = mc_test_jstr(f, "rule");
		if (!strncmp(r, "compat-", 7) || !strcmp(r, "new-property-enabled"))
			fail_msg("no compat finding expected for a new broken type:\n%s", summary(root));
	}
	assert_int_equal(rc, 0);
	load_base_coverage();
	if (cov_int(root, "files_failed") < 1)
		fail_msg("hw/misc/broken.c does not parse, yet coverage.files_failed is %lld",
			 (long long)cov_int(root, "files_failed"));
	assert_true(cov_int(root, "property_arrays") >= g.base_arrays);
	json_t *un = json_object_get(json_object_get(root, "coverage"), "unanalysed");
	int broken = 0, binary = 0;
	json_array_foreach(un, i, f) {
		broken |= strstr(json_string_value(f), "hw/misc/broken.c") != NULL;
		binary |= strstr(json_string_value(f), "hw/misc/binary.c") != NULL;
	}
	if (!broken || !binary)
		fail_msg("coverage.unanalysed should list hw/misc/broken.c and hw/misc/binary.c (%s%s)",
			 broken ? "" : "broken.c missing ", binary ? "" : "binary.c missing");
}

/* HEAD without compat arrays, or with nothing at all: an input error, not a crash or a pile of findings. */
static void check_not_qemu(const char *branch)
{
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--format", "json", "base", branch, NULL };
	char *out, *err;
	int rc = mc_test_run_kept(argv, &out, &err);
	if (rc != 2)
		fail_msg("check base %s: exit %d, want 2 (%s)\nstdout:\n%.2000s\nstderr:\n%.4000s", branch, rc,
			 rc < 0 ? "crashed" : "an input error", out, err);
	if (*out)
		fail_msg("check base %s: no report expected on stdout:\n%.2000s", branch, out);
	if (strncmp(err, "migcompat: ", 11) || mc_test_count_lines(err) != 1 || err[strlen(err) - 1] != '\n')
		fail_msg("check base %s: stderr should be one 'migcompat: ' line:\n%.4000s", branch, err);
	if (!strstr(err, "compat") && !strstr(err, "QEMU"))
		fail_msg("check base %s: the diagnostic should say the compat arrays are missing: %s", branch, err);
}

static void test_11_no_compat(void **state)
{
	(void)state;
	check_not_qemu("no-compat");
}

static void test_12_empty(void **state)
{
	(void)state;
	check_not_qemu("empty");
}

static void test_13_enum(void **state)
{
	(void)state;
	expect_clean("enum");
}

static void test_14_proxy_alias(void **state)
{
	(void)state;
	int rc;
	json_t *root = check_step("proxy-alias", &rc);
	assert_int_equal(rc, 1);
	need_finding(root, "compat-uncovered-type", NULL, "max-write-zeroes-sectors");
	expect_only(root, "compat-uncovered-type", "max-write-zeroes-sectors");
	const char *all = "";
	int fix_on_device = 0;
	size_t i;
	json_t *f;
	json_array_foreach(findings_of(root), i, f) {
		expect_field(f, "severity", "error");
		expect_field(f, "old_value", "65535");
		expect_field(f, "new_value", "262143");
		all = mc_test_ksprintf("%s\n%s", all, finding_text(f));
		json_t *s = json_object_get(f, "suggestion");
		if (json_is_object(s) &&
		    !strcmp(mc_test_jstr(s, "entry"),
			    "{ \"virtio-blk-device\", \"max-write-zeroes-sectors\", \"65535\" },") &&
		    mc_test_jstr(s, "array") && !strcmp(mc_test_jstr(s, "array"), NEWEST_ARRAY))
			fix_on_device = 1;
	}
	static const char *const uncovered[] = { "virtio-blk-device", "virtio-blk-pci-transitional",
						 "virtio-blk-pci-non-transitional", "virtio-blk-ccw" };
	for (i = 0; i < 4; i++)
		if (!mentions(all, uncovered[i]))
			fail_msg("%s is not covered by the virtio-blk-pci entry but is not reported:\n%s", uncovered[i], all);
	if (!fix_on_device)
		fail_msg("the fix should be the entry on virtio-blk-device in " NEWEST_ARRAY ":\n%s", summary(root));
	expect_full_coverage(root, 0);
}

static void test_15_ancestor(void **state)
{
	(void)state;
	expect_clean("ancestor");
}

/* check BASE alone compares with HEAD, which is base: nothing. */
static void test_head_default(void **state)
{
	(void)state;
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--format", "json", "base", NULL };
	char *out, *err;
	int rc = mc_test_run_kept(argv, &out, &err);
	assert_int_equal(rc, 0);
	json_t *root = mc_test_parse_json_object(out, "check base");
	check_rev(root, "head", NULL, g.base_commit);
	assert_int_equal(json_array_size(findings_of(root)), 0);
}

/* ---- text format ------------------------------------------------------ */

/* Runs with NO_COLOR set to value (NULL: unset); restores the environment. */
static int run_env(const char *const *argv, const char *no_color, char **out, char **err)
{
	char *saved = getenv("NO_COLOR") ? strdup(getenv("NO_COLOR")) : NULL;
	if (no_color)
		setenv("NO_COLOR", no_color, 1);
	else
		unsetenv("NO_COLOR");
	int rc = mc_test_run_kept(argv, out, err);
	if (saved) {
		setenv("NO_COLOR", saved, 1);
		free(saved);
	} else {
		unsetenv("NO_COLOR");
	}
	return rc;
}

static int line_matches(const char *line, const char *pattern)
{
	regex_t re;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		fail_msg("bad regex %s", pattern);
	int m = regexec(&re, line, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

static char *regex_quote(const char *s)
{
	char *q = malloc(2 * strlen(s) + 1), *d = q;
	if (!q)
		abort();
	for (; *s; s++) {
		if (strchr(".[]{}()\\*+?^$|", *s))
			*d++ = '\\';
		*d++ = *s;
	}
	*d = '\0';
	return mc_test_keep(q);
}

/* Does some line of text match pattern? */
static int has_line(const char *text, const char *pattern)
{
	char *copy = mc_test_keep(strdup(text));
	char *save = NULL;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (line_matches(l, pattern))
			return 1;
	return 0;
}

static void test_text_format(void **state)
{
	(void)state;
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "base", "forgot", NULL };
	char *out, *err;
	int rc = run_env(argv, NULL, &out, &err);
	assert_int_equal(rc, 1);
	if (*err)
		fail_msg("unexpected stderr:\n%s", err);
	if (strchr(out, '\033') || strchr(err, '\033'))
		fail_msg("escape codes in output that is not a terminal:\n%s", out);
	int line = mc_test_fixture_line("02-forgot", VIRTIO_BLK_C, "DEFINE_PROP_UINT16(\"num-queues\"");
	/* gcc style: first the error, then notes, among them the fix. */
	char *first = mc_test_keep(strndup(out, strcspn(out, "\n")));
	char *pat = mc_test_ksprintf(
		"^" VIRTIO_BLK_C ":%d:1: error: .*virtio-blk-device.*num-queues.* \\[compat-missing\\]$", line);
	if (!line_matches(first, pat))
		fail_msg("first line is not a gcc-style error for num-queues:\n%s", out);
	pat = mc_test_ksprintf("^" VIRTIO_BLK_C ":%d:1: note: add %s,? to " NEWEST_ARRAY " in " MACHINE_C "$", line,
			       regex_quote("{ \"virtio-blk-device\", \"num-queues\", \"1\" }"));
	if (!has_line(out, pat))
		fail_msg("no 'note: add { ... } to " NEWEST_ARRAY " in " MACHINE_C "' line:\n%s", out);
	/* Every line is a diagnostic or the final summary. */
	char *copy = mc_test_keep(strdup(out));
	char *save = NULL;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (!line_matches(l, "^[^ :]+:[0-9]+:[0-9]+: (error|warning|note): .") && strncmp(l, "migcompat: ", 11))
			fail_msg("not a gcc-style line: '%s'", l);
}

/* Every JSON finding is a text diagnostic "file:line:1: severity: message [rule]". */
static void test_text_matches_json(void **state)
{
	(void)state;
	static const char *const branches[] = { "forgot", "sibling", "dangling", "proxy-alias", "wrong-array-fixes",
						"new-prop-on" };
	for (size_t b = 0; b < sizeof(branches) / sizeof(branches[0]); b++) {
		const char *tv[] = { "migcompat", "check", "--repo", g.repo, "base", branches[b], NULL };
		char *text, *err;
		int trc = run_env(tv, "1", &text, &err);
		int jrc;
		json_t *root = check_step(branches[b], &jrc);
		if (trc != jrc)
			fail_msg("%s: text exit %d, JSON exit %d", branches[b], trc, jrc);
		size_t i, diagnostics = 0;
		json_t *f;
		json_array_foreach(findings_of(root), i, f) {
			char *want = mc_test_ksprintf("%s:%lld:1: %s: %s [%s]", mc_test_jstr(f, "file"),
						      (long long)json_integer_value(json_object_get(f, "line")),
						      mc_test_jstr(f, "severity"), mc_test_jstr(f, "message"),
						      mc_test_jstr(f, "rule"));
			char *p = strstr(text, want);
			if (!p || (p != text && p[-1] != '\n') || p[strlen(want)] != '\n')
				fail_msg("%s: the text report lacks the line\n%s\n--- text ---\n%s", branches[b], want, text);
		}
		for (const char *l = text; *l; l = strchr(l, '\n') + 1) {
			if (line_matches(mc_test_keep(strndup(l, strcspn(l, "\n"))),
					 "^[^ :]+:[0-9]+:1: (error|warning|note): .* \\[[a-z-]+\\]$"))
				diagnostics++;
			if (!strchr(l, '\n'))
				break;
		}
		/* Notes of a finding are "note:" lines without a [rule]. */
		if (diagnostics != json_array_size(findings_of(root)))
			fail_msg("%s: %zu diagnostics in the text, %zu findings in JSON:\n%s", branches[b], diagnostics,
				 json_array_size(findings_of(root)), text);
	}
}

/* ---- colour ----------------------------------------------------------- */

/*
 * Runs argv with stdout on a pseudo-terminal (stderr to an unlinked file) and
 * NO_COLOR set to no_color (NULL: unset).  Returns the exit status, or -2 when
 * no pseudo-terminal can be had.  Carriage returns added by the terminal are removed.
 */
static int run_on_tty(const char *const *argv, const char *no_color, char **out, char **err)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0)
		return -2;
	if (grantpt(master) < 0 || unlockpt(master) < 0 || !ptsname(master)) {
		close(master);
		return -2;
	}
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (slave < 0) {
		close(master);
		return -2;
	}
	char errpath[] = "/tmp/mc-tty-err-XXXXXX";
	int efd = mkstemp(errpath);
	assert_true(efd >= 0);
	unlink(errpath);

	size_t argc = 0;
	while (argv[argc])
		argc++;
	char **args = calloc(argc + 1, sizeof(*args));
	assert_non_null(args);
	args[0] = (char *)mc_test_tool_path();
	for (size_t i = 1; i < argc; i++)
		args[i] = (char *)argv[i];

	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setsid();
		int nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);
		dup2(slave, 1);
		dup2(efd, 2);
		close(master);
		if (no_color)
			setenv("NO_COLOR", no_color, 1);
		else
			unsetenv("NO_COLOR");
		execv(args[0], args);
		_exit(127);
	}
	free(args);
	close(slave);

	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	for (;;) {
		if (cap - n < 1024) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		ssize_t r = read(master, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* EIO once the child closed the terminal */
		n += (size_t)r;
	}
	buf[n] = '\0';
	close(master);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* "\r\n" from the terminal's output processing back to "\n". */
	char *d = buf;
	for (const char *s = buf; *s; s++)
		if (*s != '\r')
			*d++ = *s;
	*d = '\0';
	*out = mc_test_keep(buf);

	off_t elen = lseek(efd, 0, SEEK_END);
	char *ebuf = malloc((size_t)(elen > 0 ? elen : 0) + 1);
	assert_non_null(ebuf);
	ssize_t got = elen > 0 ? pread(efd, ebuf, (size_t)elen, 0) : 0;
	ebuf[got > 0 ? got : 0] = '\0';
	close(efd);
	*err = mc_test_keep(ebuf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_no_color(void **state)
{
	(void)state;
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "base", "forgot", NULL };
	char *plain, *perr;
	int rc = run_env(argv, NULL, &plain, &perr);
	assert_int_equal(rc, 1);
	assert_null(strchr(plain, '\033'));

	char *tty, *terr;
	rc = run_on_tty(argv, NULL, &tty, &terr);
	if (rc == -2)
		skip();
	if (rc != 1)
		fail_msg("on a terminal: exit %d\n%s\n%s", rc, tty, terr);
	/* On a terminal, colour is allowed (and this tool uses it): the test can see escapes. */
	int tty_has_color = strchr(tty, '\033') != NULL;

	rc = run_on_tty(argv, "1", &tty, &terr);
	assert_int_equal(rc, 1);
	if (strchr(tty, '\033'))
		fail_msg("NO_COLOR=1 on a terminal still gives escape codes:\n%s", tty);
	/* Without colour the terminal shows the same text as a file gets. */
	assert_string_equal(tty, plain);

	/* JSON never has colour, even on a terminal. */
	const char *jargv[] = { "migcompat", "check", "--repo", g.repo, "--format", "json", "base", "forgot", NULL };
	rc = run_on_tty(jargv, NULL, &tty, &terr);
	assert_int_equal(rc, 1);
	assert_null(strchr(tty, '\033'));
	mc_test_parse_json_object(tty, "json on a terminal");
	if (!tty_has_color)
		print_message("note: no colour on a terminal either\n");
}

/* ---- --output, ranges, determinism ------------------------------------ */

static void test_output_file(void **state)
{
	(void)state;
	const char *formats[] = { "json", "text" };
	for (size_t k = 0; k < 2; k++) {
		const char *path = mc_test_ksprintf("%s/report-%s.out", g.tmp, formats[k]);
		unlink(path);
		const char *a1[] = { "migcompat", "check", "--repo", g.repo, "--format", formats[k], "base", "forgot", NULL };
		const char *a2[] = { "migcompat", "check", "--repo", g.repo, "--format", formats[k], "--output", path,
				     "base", "forgot", NULL };
		char *o1, *e1, *o2, *e2;
		int r1 = run_env(a1, NULL, &o1, &e1);
		int r2 = run_env(a2, NULL, &o2, &e2);
		assert_int_equal(r1, 1);
		if (r2 != 1)
			fail_msg("--output %s: exit %d\n%s", path, r2, e2);
		if (*o2)
			fail_msg("--output: the report went to stdout too:\n%s", o2);
		assert_string_equal(e2, "");
		char *written = mc_test_read_file(path, NULL);
		if (!written)
			fail_msg("--output did not create %s", path);
		mc_test_keep(written);
		assert_string_equal(written, o1);
		if (k == 0)
			check_contract(mc_test_parse_json_object(written, "--output"), "forgot", r2);
		unlink(path);
	}
}

static void test_range_syntax(void **state)
{
	(void)state;
	json_t *plain = check_step("forgot", NULL);
	static const char *const ranges[] = { "base..forgot", "base...forgot", "good...forgot" };
	for (size_t i = 0; i < 3; i++) {
		const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--format", "json", ranges[i], NULL };
		char *out, *err;
		int rc = mc_test_run_kept(argv, &out, &err);
		if (rc != 1)
			fail_msg("check %s: exit %d, want 1\n%s%s", ranges[i], rc, out, err);
		json_t *root = mc_test_parse_json_object(out, ranges[i]);
		/* A...B starts from the merge base, which is base for every step. */
		check_rev(root, "base", NULL, g.base_commit);
		check_rev(root, "head", NULL, find_step("forgot")->commit);
		if (!json_equal(findings_of(root), findings_of(plain)))
			fail_msg("check %s reports other findings than check base forgot:\n%s\n--- base forgot ---\n%s",
				 ranges[i], summary(root), summary(plain));
	}
	/* A..B is the change from A itself: good..forgot drops good's compat entry. */
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--format", "json", "good..forgot", NULL };
	char *out, *err;
	int rc = mc_test_run_kept(argv, &out, &err);
	json_t *root = mc_test_parse_json_object(out, "good..forgot");
	check_rev(root, "base", NULL, find_step("good")->commit);
	check_rev(root, "head", NULL, find_step("forgot")->commit);
	if (rc != 1 || !find_finding(root, NULL, "virtio-blk-device", "num-queues"))
		fail_msg("good..forgot removes the num-queues entry, exit %d:\n%s", rc, summary(root));
}

static void expect_same_output(const char *const *a, const char *const *b, const char *what)
{
	char *o1, *e1, *o2, *e2;
	int r1 = run_env(a, NULL, &o1, &e1);
	int r2 = run_env(b, NULL, &o2, &e2);
	if (r1 != r2)
		fail_msg("%s: exit %d then %d", what, r1, r2);
	if (r1 != 0 && r1 != 1)
		fail_msg("%s: exit %d\n%s", what, r1, e1);
	if (strcmp(o1, o2)) {
		size_t k = 0;
		while (o1[k] && o1[k] == o2[k])
			k++;
		fail_msg("%s: outputs differ at byte %zu:\n--- first ---\n%s\n--- second ---\n%s", what, k, o1, o2);
	}
	assert_string_equal(e1, e2);
}

static const char *const busy_branches[] = { "forgot", "sibling", "dangling", "proxy-alias", "syntax-error",
					     "new-prop-on", "wrong-array-fixes" };
#define NBUSY (sizeof(busy_branches) / sizeof(busy_branches[0]))

static void test_deterministic(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBUSY; i++) {
		const char *a[] = { "migcompat", "check", "--repo", g.repo, "--format", "json", "base", busy_branches[i], NULL };
		expect_same_output(a, a, mc_test_ksprintf("json, twice, %s", busy_branches[i]));
	}
	const char *t[] = { "migcompat", "check", "--repo", g.repo, "base", "proxy-alias", NULL };
	expect_same_output(t, t, "text, twice, proxy-alias");
}

static void test_jobs_identical(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBUSY; i++) {
		const char *a[] = { "migcompat", "check", "--repo", g.repo, "--format", "json", "-j1", "base",
				    busy_branches[i], NULL };
		const char *b[] = { "migcompat", "check", "--repo", g.repo, "--format", "json", "-j", "4", "base",
				    busy_branches[i], NULL };
		expect_same_output(a, b, mc_test_ksprintf("json, -j1 vs -j4, %s", busy_branches[i]));
	}
	const char *a[] = { "migcompat", "check", "--repo", g.repo, "-j1", "base", "sibling", NULL };
	const char *b[] = { "migcompat", "check", "--repo", g.repo, "-j4", "base", "sibling", NULL };
	expect_same_output(a, b, "text, -j1 vs -j4, sibling");
}

/* ---- the repository is read only -------------------------------------- */

static void test_repository_untouched(void **state)
{
	(void)state;
	char *gitdir = mc_test_ksprintf("%s/.git", g.repo);
	char *git_before = mc_test_dir_snapshot(gitdir);
	char *tree_before = mc_test_dir_snapshot(g.repo);
	assert_non_null(strstr(git_before, "d / 0 "));
	assert_non_null(strstr(git_before, "f /HEAD "));

	const char *runs[][12] = {
		{ "migcompat", "check", "--repo", g.repo, "--format", "json", "base", "forgot", NULL },
		{ "migcompat", "check", "--repo", g.repo, "base", "sibling", NULL },
		{ "migcompat", "check", "--repo", g.repo, "-j", "4", "base...proxy-alias", NULL },
		{ "migcompat", "check", "--repo", g.repo, "base", "syntax-error", NULL },
		{ "migcompat", "check", "--repo", g.repo, "base", "empty", NULL },
		{ "migcompat", "check", "--repo", g.repo, "--cached", NULL },
		{ "migcompat", "check", "--repo", g.repo, "--worktree", "base", NULL },
		{ "migcompat", "audit", "--repo", g.repo, NULL },
	};
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		char *out, *err;
		int rc = mc_test_run_kept(runs[i], &out, &err);
		if (rc < 0 || rc > 2)
			fail_msg("run %zu (%s) did not run to the end (exit %d):\n%s", i, runs[i][1], rc, err);
		mc_test_expect_same_snapshot(git_before, mc_test_dir_snapshot(gitdir),
					     mc_test_ksprintf("run %zu (%s)", i, runs[i][1]));
	}
	mc_test_expect_same_snapshot(tree_before, mc_test_dir_snapshot(g.repo), "the checks");
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, mc_test_arena_release)
	const struct CMUnitTest tests[] = {
		T(test_steps_table_complete),
		T(test_01_good),
		T(test_02_forgot),
		T(test_03_wrong_value),
		T(test_04_wrong_array),
		T(test_05_header_only),
		T(test_06_refactor),
		T(test_07_new_prop_on),
		T(test_08_sibling),
		T(test_09_dangling),
		T(test_10_syntax_error),
		T(test_11_no_compat),
		T(test_12_empty),
		T(test_13_enum),
		T(test_14_proxy_alias),
		T(test_15_ancestor),
		T(test_16_wrong_array_fixes),
		T(test_17_18_series),
		T(test_each_commit),
		T(test_19_conditional),
		T(test_21_table_types),
		T(test_22_kind_change),
		T(test_23_new_family),
		T(test_24_machines_deleted),
		T(test_25_compat_defaults),
		T(test_26_dynamic_type),
		T(test_27_cpu_models),
		T(test_28_cpu_feature),
		T(test_29_arm_cntfrq),
		T(test_30_stream_gate),
		T(test_37_qom_props),
		T(test_38_qom_missing),
		T(test_39_qom_default),
		T(test_20_range_keeps_stable_note),
		T(test_head_default),
		T(test_text_format),
		T(test_text_matches_json),
		T(test_no_color),
		T(test_output_file),
		T(test_range_syntax),
		T(test_deterministic),
		T(test_jobs_identical),
		T(test_repository_untouched),
	};
#undef T
	return cmocka_run_group_tests_name("check", tests, group_setup, group_teardown) ? 1 : 0;
}
