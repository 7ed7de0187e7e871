/*
 * test_integrations.c - the ways migcompat plugs into other tools.
 *
 *  - --format sarif (SARIF 2.1.0: the rule catalog in tool.driver.rules, one
 *    result per finding with a relative location and a partial fingerprint
 *    that follows the finding, not its line);
 *  - --format codeclimate (GitLab Code Quality: a JSON array of issues);
 *  - check --cached (HEAD against the staged index) and --worktree (HEAD
 *    against the files on disk), on a repository the test edits and stages
 *    with libgit2; the tool must not write to .git;
 *  - scripts/pre-commit run by /bin/sh as git would run it: errors block,
 *    warnings and a clean index pass;
 *  - .pre-commit-hooks.yaml for the pre-commit framework.
 *
 * Every repository is built from fixtures/ with the fixture builder into a
 * temporary directory; every run of the tool uses a cache directory under it.
 * Line numbers are read from the fixture's files, commit ids never written here.
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
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <git2.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture_repo.h"
#include "test_util.h"

#define HOOK_SCRIPT MC_SOURCE_DIR "/scripts/pre-commit"
#define HOOKS_YAML MC_SOURCE_DIR "/.pre-commit-hooks.yaml"

#define VIRTIO_BLK_C "hw/block/virtio-blk.c"
#define NUM_QUEUES_PROP "DEFINE_PROP_UINT16(\"num-queues\""
#define NUM_QUEUES_ENTRY "{ \"virtio-blk-device\", \"num-queues\", \"1\" }"
#define BASE_DEFAULT "conf.num_queues, 1)"
#define EDITED_DEFAULT "conf.num_queues, 4)"
/* Blank lines the "shifted" step puts above the num-queues property. */
#define SHIFT_LINES 3

static struct {
	char *tmp;     /* everything below lives here */
	char *repo;    /* fixtures/example, read only */
	char *fx;      /* a fixture written at test time: forgot, and forgot with moved lines */
	char *fxrepo;  /* ... built */
	char *cache;   /* --cache DIR of every run */
} g;

/*
 * The arena (released after every test), running the tool, fixture lines,
 * JSON parsing and the .git snapshots come from tests/support/test_util.h.
 */

/* ---- files -------------------------------------------------------------- */

/* mkdir -p */
static int make_dirs(const char *path)
{
	char *p = strdup(path);
	if (!p)
		abort();
	int rc = 0;
	for (char *s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			rc = -1;
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

/* Replaces the one occurrence of from by to in text (fails on 0 or 2+). */
static char *replace_once(const char *text, const char *from, const char *to)
{
	const char *p = strstr(text, from);
	if (!p)
		fail_msg("'%s' not found", from);
	if (strstr(p + 1, from))
		fail_msg("'%s' occurs more than once", from);
	return mc_test_ksprintf("%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
}

/* ---- the fixture written at test time ---------------------------------- */

/*
 * fx/tree          -> a symbolic link to fixtures/example/tree
 * fx/steps/01-forgot   the files of fixtures/example/steps/02-forgot
 * fx/steps/02-shifted  the same, with SHIFT_LINES blank lines above num-queues
 */
static struct {
	const char *src, *dst;
	size_t src_len;
	int shift;
} cp;

static int copy_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	const char *rel = path + cp.src_len;
	char *dst;
	if (asprintf(&dst, "%s%s", cp.dst, rel) < 0)
		abort();
	int rc = 0;
	if (flag == FTW_D) {
		rc = make_dirs(dst);
	} else if (flag == FTW_F && S_ISREG(st->st_mode)) {
		char *text = mc_test_read_file(path, NULL);
		if (!text) {
			rc = -1;
		} else {
			char *out = text;
			if (cp.shift && !strcmp(rel, "/" VIRTIO_BLK_C)) {
				const char *at = strstr(text, NUM_QUEUES_PROP);
				if (!at) {
					rc = -1;
				} else {
					while (at > text && at[-1] != '\n')
						at--;
					if (asprintf(&out, "%.*s%.*s%s", (int)(at - text), text, SHIFT_LINES,
						     "\n\n\n\n\n\n\n\n", at) < 0)
						abort();
				}
			}
			if (rc == 0)
				rc = mc_test_write_file(dst, out);
			if (out != text)
				free(out);
			free(text);
		}
	} else {
		rc = -1;
	}
	free(dst);
	return rc;
}

static int copy_tree(const char *src, const char *dst, int shift)
{
	cp.src = src;
	cp.dst = dst;
	cp.src_len = strlen(src);
	cp.shift = shift;
	int rc = nftw(src, copy_entry, 16, FTW_PHYS);
	memset(&cp, 0, sizeof(cp));
	return rc;
}

static int write_fixture(const char *fx)
{
	char *p = NULL;
	int rc = make_dirs(fx);
	if (rc == 0 && asprintf(&p, "%s/tree", fx) >= 0) {
		rc = symlink(MC_TEST_EXAMPLE_DIR "/tree", p);
		free(p);
	}
	static const char *const names[] = { "01-forgot", "02-shifted" };
	for (int i = 0; rc == 0 && i < 2; i++) {
		char *dir, *files;
		if (asprintf(&dir, "%s/steps/%s", fx, names[i]) < 0 || asprintf(&files, "%s/files", dir) < 0)
			abort();
		rc = make_dirs(files);
		if (rc == 0)
			rc = copy_tree(MC_TEST_EXAMPLE_DIR "/steps/02-forgot/files", files, i == 1);
		if (rc == 0 && asprintf(&p, "%s/PARENT", dir) >= 0) {
			rc = mc_test_write_file(p, "base\n");
			free(p);
		}
		if (rc == 0 && asprintf(&p, "%s/MESSAGE", dir) >= 0) {
			rc = mc_test_write_file(p, i ? "virtio-blk: num-queues default, with lines moved\n"
					     : "virtio-blk: num-queues default\n");
			free(p);
		}
		free(dir);
		free(files);
	}
	return rc;
}

/* ---- setup -------------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	memset(&g, 0, sizeof(g));
	if (mc_test_example_repo("integrations", &g.tmp, &g.repo) != 0)
		return -1;
	if (asprintf(&g.fx, "%s/fx", g.tmp) < 0 || asprintf(&g.fxrepo, "%s/fxrepo", g.tmp) < 0 ||
	    asprintf(&g.cache, "%s/cache", g.tmp) < 0)
		return -1;
	if (write_fixture(g.fx) != 0) {
		fprintf(stderr, "cannot write the fixture %s: %s\n", g.fx, strerror(errno));
		return -1;
	}
	if (mc_fixture_repo_build(g.fx, g.fxrepo) != 0)
		return -1;
	git_libgit2_init();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	git_libgit2_shutdown();
	mc_test_example_repo_remove(&g.tmp, &g.repo);
	free(g.fx);
	free(g.fxrepo);
	free(g.cache);
	memset(&g, 0, sizeof(g));
	return 0;
}

/* A fresh copy of the example repository that a test may change. */
static const char *own_repo(const char *name)
{
	return mc_test_fresh_example_repo(g.tmp, name);
}

/* ---- running the tool --------------------------------------------------- */

/* `migcompat check --repo REPO --cache CACHE --format FMT [extra...]`; exit status in *rc. */
static char *check(const char *repo, const char *format, int *rc, const char *a1, const char *a2,
		   const char *a3)
{
	const char *argv[12] = { "migcompat", "check", "--repo", repo, "--cache", g.cache, "--format", format };
	size_t n = 8;
	if (a1)
		argv[n++] = a1;
	if (a2)
		argv[n++] = a2;
	if (a3)
		argv[n++] = a3;
	argv[n] = NULL;
	char *out, *err;
	*rc = mc_test_run_kept(argv, &out, &err);
	if (*rc < 0 || *rc > 2)
		fail_msg("check --format %s %s %s %s: exit %d (crash?)\n%s", format, a1 ? a1 : "", a2 ? a2 : "",
			 a3 ? a3 : "", *rc, err);
	if (*rc == 2)
		fail_msg("check --format %s %s %s %s: input error\n%s", format, a1 ? a1 : "", a2 ? a2 : "",
			 a3 ? a3 : "", err);
	return out;
}

static const char *jpath_str(json_t *o, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n && o; i++)
		o = json_object_get(o, keys[i]);
	return json_string_value(o);
}

static int nonempty(const char *s)
{
	return s && *s;
}

/* Rule ids in the first column of `migcompat --list-rules`. */
static size_t listed_rules(const char ***out)
{
	const char *argv[] = { "migcompat", "--list-rules", NULL };
	char *text, *err;
	int rc = mc_test_run_kept(argv, &text, &err);
	if (rc != 0)
		fail_msg("--list-rules: exit %d\n%s", rc, err);
	const char **ids = mc_test_keep(calloc(64, sizeof(*ids)));
	size_t n = 0;
	for (const char *l = text; *l && n < 64;) {
		size_t len = strcspn(l, "\n");
		size_t w = strcspn(l, " \t\n");
		if (w > 0)
			ids[n++] = mc_test_ksprintf("%.*s", (int)w, l);
		l += len;
		if (*l)
			l++;
	}
	if (n == 0)
		fail_msg("--list-rules printed no rule:\n%s", text);
	*out = ids;
	return n;
}

/* The findings of --format json, to compare other formats with. */
static json_t *json_findings(const char *repo, const char *base, const char *head, int *rc)
{
	json_t *root = mc_test_parse_json(check(repo, "json", rc, base, head, NULL), "json");
	json_t *fs = json_object_get(root, "findings");
	if (!json_is_array(fs))
		fail_msg("--format json has no findings array");
	return fs;
}

/* ---- SARIF -------------------------------------------------------------- */

static json_t *sarif_run(const char *repo, const char *base, const char *head, int want_rc)
{
	int rc;
	char *out = check(repo, "sarif", &rc, base, head, NULL);
	json_t *root = mc_test_parse_json(out, mc_test_ksprintf("sarif %s %s", base, head));
	if (rc != want_rc)
		fail_msg("sarif %s %s: exit %d, want %d\n%s", base, head, rc, want_rc, out);
	if (!json_is_object(root))
		fail_msg("sarif: the log is not an object");
	const char *version = mc_test_jstr(root, "version");
	if (!version || strcmp(version, "2.1.0"))
		fail_msg("sarif: version '%s', want 2.1.0", version ? version : "(none)");
	json_t *runs = json_object_get(root, "runs");
	if (!json_is_array(runs) || json_array_size(runs) < 1 || !json_is_object(json_array_get(runs, 0)))
		fail_msg("sarif: runs is not a non-empty array of objects");
	json_t *r = json_array_get(runs, 0);
	if (!json_is_array(json_object_get(r, "results")))
		fail_msg("sarif: runs[0].results is not an array");
	return r;
}

static json_t *sarif_results(json_t *r)
{
	return json_object_get(r, "results");
}

/* The one non-empty fingerprint value of a result (partialFingerprints). */
static const char *sarif_fingerprint(json_t *res)
{
	json_t *pf = json_object_get(res, "partialFingerprints");
	if (!json_is_object(pf) || json_object_size(pf) == 0)
		fail_msg("sarif result %s has no partialFingerprints", mc_test_jstr(res, "ruleId"));
	const char *key, *fp = NULL;
	json_t *v;
	json_object_foreach(pf, key, v) {
		if (!nonempty(json_string_value(v)))
			fail_msg("partialFingerprints.%s is not a non-empty string", key);
		char *one = mc_test_ksprintf("%s=%s", key, json_string_value(v));
		fp = fp ? mc_test_ksprintf("%s;%s", fp, one) : one;
	}
	return fp;
}

static const char *sarif_uri(json_t *res)
{
	static const char *const k[] = { "physicalLocation", "artifactLocation", "uri" };
	json_t *loc = json_array_get(json_object_get(res, "locations"), 0);
	return jpath_str(loc, k, 3);
}

static json_int_t sarif_line(json_t *res)
{
	json_t *loc = json_array_get(json_object_get(res, "locations"), 0);
	json_t *v = json_object_get(json_object_get(json_object_get(loc, "physicalLocation"), "region"), "startLine");
	if (!json_is_integer(v))
		fail_msg("sarif result %s: region.startLine is not an integer", mc_test_jstr(res, "ruleId"));
	return json_integer_value(v);
}

static void test_sarif_driver(void **state)
{
	(void)state;
	json_t *r = sarif_run(g.repo, "base", "forgot", 1);
	json_t *driver = json_object_get(json_object_get(r, "tool"), "driver");
	if (!json_is_object(driver))
		fail_msg("sarif: no runs[0].tool.driver");
	const char *name = mc_test_jstr(driver, "name");
	if (!name || strcmp(name, "migcompat"))
		fail_msg("sarif: driver.name '%s', want migcompat", name ? name : "(none)");
	json_t *rules = json_object_get(driver, "rules");
	if (!json_is_array(rules))
		fail_msg("sarif: driver.rules is not an array");

	const char **ids;
	size_t n = listed_rules(&ids);
	static const char *const texts[] = { "shortDescription", "fullDescription", "help" };
	for (size_t i = 0; i < n; i++) {
		json_t *found = NULL, *rule;
		size_t k;
		json_array_foreach(rules, k, rule) {
			const char *id = mc_test_jstr(rule, "id");
			if (id && !strcmp(id, ids[i])) {
				if (found)
					fail_msg("sarif: rule %s is described twice", ids[i]);
				found = rule;
			}
		}
		if (!found)
			fail_msg("sarif: driver.rules lacks %s (listed by --list-rules)", ids[i]);
		for (size_t t = 0; t < 3; t++)
			if (!nonempty(mc_test_jstr(json_object_get(found, texts[t]), "text")))
				fail_msg("sarif: rule %s has no %s.text", ids[i], texts[t]);
	}
	/* And nothing the catalog does not list. */
	if (json_array_size(rules) != n)
		fail_msg("sarif: %zu rules in driver.rules, --list-rules prints %zu", json_array_size(rules), n);
}

static void test_sarif_result(void **state)
{
	(void)state;
	json_t *r = sarif_run(g.repo, "base", "forgot", 1);
	json_t *results = sarif_results(r);
	if (json_array_size(results) == 0)
		fail_msg("sarif base forgot: no result");
	json_t *res = json_array_get(results, 0);
	const char *rule = mc_test_jstr(res, "ruleId"), *level = mc_test_jstr(res, "level");
	if (!rule || strcmp(rule, "compat-missing"))
		fail_msg("results[0].ruleId '%s', want compat-missing", rule ? rule : "(none)");
	if (!level || strcmp(level, "error"))
		fail_msg("results[0].level '%s', want error", level ? level : "(none)");
	if (!nonempty(mc_test_jstr(json_object_get(res, "message"), "text")))
		fail_msg("results[0].message.text is empty");
	const char *uri = sarif_uri(res);
	if (!uri || strcmp(uri, VIRTIO_BLK_C))
		fail_msg("results[0] uri '%s', want the relative path %s", uri ? uri : "(none)", VIRTIO_BLK_C);
	int want_line = mc_test_fixture_line("02-forgot", VIRTIO_BLK_C, NUM_QUEUES_PROP);
	if (sarif_line(res) != want_line)
		fail_msg("results[0] startLine %lld, want %d (the num-queues property)", (long long)sarif_line(res),
			 want_line);
	sarif_fingerprint(res);

	/* One result per finding of the JSON report, in the same order, same place. */
	int jrc;
	json_t *fs = json_findings(g.repo, "base", "forgot", &jrc);
	assert_int_equal(jrc, 1);
	if (json_array_size(fs) != json_array_size(results))
		fail_msg("sarif has %zu results, json %zu findings", json_array_size(results), json_array_size(fs));
	size_t i;
	json_t *f;
	json_array_foreach(fs, i, f) {
		json_t *x = json_array_get(results, i);
		if (strcmp(mc_test_jstr(x, "ruleId") ? mc_test_jstr(x, "ruleId") : "",
			   mc_test_jstr(f, "rule") ? mc_test_jstr(f, "rule") : "") ||
		    strcmp(mc_test_jstr(x, "level") ? mc_test_jstr(x, "level") : "",
			   mc_test_jstr(f, "severity") ? mc_test_jstr(f, "severity") : "") ||
		    !sarif_uri(x) || !mc_test_jstr(f, "file") || strcmp(sarif_uri(x), mc_test_jstr(f, "file")) ||
		    sarif_line(x) != json_integer_value(json_object_get(f, "line")))
			fail_msg("sarif results[%zu] (%s %s %s:%lld) differs from json findings[%zu] (%s %s %s:%lld)",
				 i, mc_test_jstr(x, "ruleId"), mc_test_jstr(x, "level"), sarif_uri(x),
				 (long long)sarif_line(x), i, mc_test_jstr(f, "rule"), mc_test_jstr(f, "severity"),
				 mc_test_jstr(f, "file"), (long long)json_integer_value(json_object_get(f, "line")));
	}
}

/* Every result of every busy step: a known rule, a SARIF level, a relative uri. */
static void test_sarif_results_shape(void **state)
{
	(void)state;
	static const char *const heads[] = { "forgot", "new-prop-on", "sibling", "dangling", "proxy-alias",
					     "wrong-array-fixes" };
	for (size_t h = 0; h < sizeof(heads) / sizeof(heads[0]); h++) {
		int jrc;
		json_t *fs = json_findings(g.repo, "base", heads[h], &jrc);
		json_t *r = sarif_run(g.repo, "base", heads[h], jrc);
		json_t *results = sarif_results(r);
		if (json_array_size(results) != json_array_size(fs))
			fail_msg("%s: sarif has %zu results, json %zu findings", heads[h], json_array_size(results),
				 json_array_size(fs));
		json_t *rules = json_object_get(json_object_get(json_object_get(r, "tool"), "driver"), "rules");
		size_t i;
		json_t *res;
		json_array_foreach(results, i, res) {
			const char *rule = mc_test_jstr(res, "ruleId"), *level = mc_test_jstr(res, "level");
			int known = 0;
			size_t k;
			json_t *d;
			json_array_foreach(rules, k, d)
				known |= rule && mc_test_jstr(d, "id") && !strcmp(mc_test_jstr(d, "id"), rule);
			if (!known)
				fail_msg("%s: result %zu names rule '%s', not in driver.rules", heads[h], i,
					 rule ? rule : "(none)");
			if (!level || (strcmp(level, "error") && strcmp(level, "warning") && strcmp(level, "note") &&
				       strcmp(level, "none")))
				fail_msg("%s: result %zu has level '%s'", heads[h], i, level ? level : "(none)");
			const char *uri = sarif_uri(res);
			if (!nonempty(uri) || uri[0] == '/' || strstr(uri, "://"))
				fail_msg("%s: result %zu uri '%s' is not a relative path", heads[h], i, uri ? uri : "(none)");
			if (sarif_line(res) < 1)
				fail_msg("%s: result %zu startLine %lld", heads[h], i, (long long)sarif_line(res));
			if (!nonempty(mc_test_jstr(json_object_get(res, "message"), "text")))
				fail_msg("%s: result %zu has no message text", heads[h], i);
			sarif_fingerprint(res);
		}
	}
	/* A clean change: no result, exit 0. */
	json_t *clean = sarif_run(g.repo, "base", "good", 0);
	assert_int_equal(json_array_size(sarif_results(clean)), 0);
}

/* The fingerprint follows the finding (rule, type, property), not its line. */
static void test_sarif_fingerprint(void **state)
{
	(void)state;
	json_t *forgot = json_array_get(sarif_results(sarif_run(g.repo, "base", "forgot", 1)), 0);
	json_t *series = json_array_get(sarif_results(sarif_run(g.repo, "base", "series-1", 1)), 0);
	assert_non_null(forgot);
	assert_non_null(series);
	const char *fp_forgot = sarif_fingerprint(forgot), *fp_series = sarif_fingerprint(series);
	if (strcmp(fp_forgot, fp_series))
		fail_msg("the same finding in forgot and series-1 has fingerprints %s and %s", fp_forgot, fp_series);

	/* The same change with the property SHIFT_LINES lines lower (fixture written by this test). */
	json_t *fx_plain = json_array_get(sarif_results(sarif_run(g.fxrepo, "base", "forgot", 1)), 0);
	json_t *shifted = json_array_get(sarif_results(sarif_run(g.fxrepo, "base", "shifted", 1)), 0);
	assert_non_null(fx_plain);
	assert_non_null(shifted);
	const char *rule = mc_test_jstr(shifted, "ruleId");
	if (!rule || strcmp(rule, "compat-missing"))
		fail_msg("shifted: ruleId '%s', want compat-missing", rule ? rule : "(none)");
	json_int_t plain_line = sarif_line(fx_plain), shifted_line = sarif_line(shifted);
	int want = mc_test_fixture_line("02-forgot", VIRTIO_BLK_C, NUM_QUEUES_PROP);
	if (plain_line != want || shifted_line != want + SHIFT_LINES)
		fail_msg("startLine %lld and %lld, want %d and %d", (long long)plain_line, (long long)shifted_line,
			 want, want + SHIFT_LINES);
	const char *fp_plain = sarif_fingerprint(fx_plain), *fp_shifted = sarif_fingerprint(shifted);
	if (strcmp(fp_plain, fp_shifted))
		fail_msg("moving the finding %d lines changed its fingerprint: %s, then %s", SHIFT_LINES, fp_plain,
			 fp_shifted);
	if (strcmp(fp_plain, fp_forgot))
		fail_msg("the same finding in two repositories has fingerprints %s and %s", fp_forgot, fp_plain);

	/* Another finding (queue-size, not num-queues) has another fingerprint. */
	json_t *header = json_array_get(sarif_results(sarif_run(g.repo, "base", "header-only", 1)), 0);
	assert_non_null(header);
	const char *fp_header = sarif_fingerprint(header);
	if (!strcmp(fp_header, fp_forgot))
		fail_msg("num-queues and queue-size findings share the fingerprint %s", fp_header);
}

/* ---- Code Climate ------------------------------------------------------- */

static json_t *codeclimate_run(const char *repo, const char *base, const char *head, int *rc)
{
	char *out = check(repo, "codeclimate", rc, base, head, NULL);
	json_t *root = mc_test_parse_json(out, mc_test_ksprintf("codeclimate %s %s", base, head));
	if (!json_is_array(root))
		fail_msg("codeclimate %s %s: the report is not a JSON array:\n%s", base, head, out);
	return root;
}

static void test_codeclimate(void **state)
{
	(void)state;
	const char **ids;
	size_t nids = listed_rules(&ids);
	static const char *const sevs[] = { "info", "minor", "major", "critical", "blocker" };
	static const char *const heads[] = { "forgot", "new-prop-on", "sibling", "dangling", "proxy-alias",
					     "wrong-array-fixes" };
	for (size_t h = 0; h < sizeof(heads) / sizeof(heads[0]); h++) {
		int jrc, rc;
		json_t *fs = json_findings(g.repo, "base", heads[h], &jrc);
		json_t *issues = codeclimate_run(g.repo, "base", heads[h], &rc);
		if (rc != jrc)
			fail_msg("%s: codeclimate exits %d, json %d", heads[h], rc, jrc);
		if (json_array_size(issues) != json_array_size(fs))
			fail_msg("%s: %zu issues, %zu findings in json", heads[h], json_array_size(issues),
				 json_array_size(fs));
		if (json_array_size(issues) == 0)
			fail_msg("%s: no issue", heads[h]);
		size_t i;
		json_t *it;
		json_array_foreach(issues, i, it) {
			if (!json_is_object(it))
				fail_msg("%s: issue %zu is not an object", heads[h], i);
			json_t *f = json_array_get(fs, i);
			if (!nonempty(mc_test_jstr(it, "description")))
				fail_msg("%s: issue %zu has no description", heads[h], i);
			const char *cn = mc_test_jstr(it, "check_name");
			int known = 0;
			for (size_t k = 0; cn && k < nids; k++)
				known |= !strcmp(cn, ids[k]);
			if (!known)
				fail_msg("%s: issue %zu check_name '%s' is not a rule", heads[h], i, cn ? cn : "(none)");
			if (!mc_test_jstr(f, "rule") || strcmp(cn, mc_test_jstr(f, "rule")))
				fail_msg("%s: issue %zu check_name %s, json rule %s", heads[h], i, cn,
					 mc_test_jstr(f, "rule"));
			if (!nonempty(mc_test_jstr(it, "fingerprint")))
				fail_msg("%s: issue %zu has no fingerprint", heads[h], i);
			for (size_t k = 0; k < i; k++)
				if (!strcmp(mc_test_jstr(json_array_get(issues, k), "fingerprint"),
					    mc_test_jstr(it, "fingerprint")))
					fail_msg("%s: issues %zu and %zu share the fingerprint %s", heads[h], k, i,
						 mc_test_jstr(it, "fingerprint"));
			const char *sev = mc_test_jstr(it, "severity");
			int ok = 0;
			for (size_t k = 0; sev && k < 5; k++)
				ok |= !strcmp(sev, sevs[k]);
			if (!ok)
				fail_msg("%s: issue %zu severity '%s'", heads[h], i, sev ? sev : "(none)");
			json_t *loc = json_object_get(it, "location");
			const char *path = mc_test_jstr(loc, "path");
			if (!nonempty(path) || path[0] == '/')
				fail_msg("%s: issue %zu location.path '%s' is not relative", heads[h], i,
					 path ? path : "(none)");
			if (!mc_test_jstr(f, "file") || strcmp(path, mc_test_jstr(f, "file")))
				fail_msg("%s: issue %zu path %s, json file %s", heads[h], i, path,
					 mc_test_jstr(f, "file"));
			json_t *begin = json_object_get(json_object_get(loc, "lines"), "begin");
			if (!json_is_integer(begin) || json_integer_value(begin) < 1)
				fail_msg("%s: issue %zu has no location.lines.begin >= 1", heads[h], i);
			if (json_integer_value(begin) != json_integer_value(json_object_get(f, "line")))
				fail_msg("%s: issue %zu begins at %lld, json line %lld", heads[h], i,
					 (long long)json_integer_value(begin),
					 (long long)json_integer_value(json_object_get(f, "line")));
		}
	}

	/* forgot: the one issue, where the README puts it. */
	int rc;
	json_t *issues = codeclimate_run(g.repo, "base", "forgot", &rc);
	json_t *it = json_array_get(issues, 0);
	assert_string_equal(mc_test_jstr(it, "check_name"), "compat-missing");
	assert_string_equal(mc_test_jstr(json_object_get(it, "location"), "path"), VIRTIO_BLK_C);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(json_object_get(it, "location"), "lines"), "begin")),
		mc_test_fixture_line("02-forgot", VIRTIO_BLK_C, NUM_QUEUES_PROP));

	/* A clean change: an empty array, exit 0. */
	json_t *clean = codeclimate_run(g.repo, "base", "good", &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(json_array_size(clean), 0);
}

/* ---- editing and staging ------------------------------------------------ */

/* num-queues 1 -> 4 in the work tree of repo. */
static void edit_num_queues(const char *repo)
{
	const char *path = mc_test_ksprintf("%s/%s", repo, VIRTIO_BLK_C);
	char *text = mc_test_read_file(path, NULL);
	if (!text)
		fail_msg("cannot read %s", path);
	mc_test_keep(text);
	if (mc_test_write_file(path, replace_once(text, BASE_DEFAULT, EDITED_DEFAULT)) != 0)
		fail_msg("cannot write %s", path);
}

/* git add path, with libgit2, into repo's own index. */
static void stage_path(const char *repo_dir, const char *path)
{
	git_repository *repo = NULL;
	git_index *index = NULL;
	int rc = git_repository_open(&repo, repo_dir);
	if (rc == 0)
		rc = git_repository_index(&index, repo);
	if (rc == 0)
		rc = git_index_add_bypath(index, path);
	if (rc == 0)
		rc = git_index_write(index);
	char *msg = rc < 0
		? mc_test_ksprintf("staging %s: %s", path, git_error_last() ? git_error_last()->message : "?")
		: NULL;
	git_index_free(index);
	git_repository_free(repo);
	if (msg)
		fail_msg("libgit2: %s", msg);
}

/* The index becomes the tree of branch (git read-tree BRANCH). */
static void index_from_branch(const char *repo_dir, const char *branch)
{
	git_repository *repo = NULL;
	git_index *index = NULL;
	git_object *tree = NULL;
	int rc = git_repository_open(&repo, repo_dir);
	if (rc == 0)
		rc = git_revparse_single(&tree, repo, mc_test_ksprintf("refs/heads/%s^{tree}", branch));
	if (rc == 0)
		rc = git_repository_index(&index, repo);
	if (rc == 0)
		rc = git_index_read_tree(index, (git_tree *)tree);
	if (rc == 0)
		rc = git_index_write(index);
	char *msg = rc < 0
		? mc_test_ksprintf("index from %s: %s", branch, git_error_last() ? git_error_last()->message : "?")
		: NULL;
	git_object_free(tree);
	git_index_free(index);
	git_repository_free(repo);
	if (msg)
		fail_msg("libgit2: %s", msg);
}

/* ---- --cached and --worktree -------------------------------------------- */

/*
 * check --worktree or --cached as JSON, with the exit status wanted, .git
 * hashed before and after.  Returns the findings.
 */
static json_t *check_local(const char *repo, const char *mode, int want_rc, const char *when)
{
	const char *gitdir = mc_test_ksprintf("%s/.git", repo);
	char *before = mc_test_dir_snapshot(gitdir);
	int rc;
	char *out = check(repo, "json", &rc, mode, NULL, NULL);
	mc_test_expect_same_snapshot(before, mc_test_dir_snapshot(gitdir),
				     mc_test_ksprintf("check %s (%s)", mode, when));
	json_t *root = mc_test_parse_json(out, mc_test_ksprintf("check %s (%s)", mode, when));
	json_t *fs = json_object_get(root, "findings");
	if (!json_is_array(fs))
		fail_msg("check %s (%s): no findings array", mode, when);
	if (rc != want_rc)
		fail_msg("check %s (%s): exit %d, want %d\n%s", mode, when, rc, want_rc, out);
	return fs;
}

static void expect_num_queues_missing(json_t *fs, const char *what)
{
	int line = mc_test_fixture_line(NULL, VIRTIO_BLK_C, NUM_QUEUES_PROP);
	size_t i;
	json_t *f;
	json_array_foreach(fs, i, f) {
		const char *rule = mc_test_jstr(f, "rule"), *type = mc_test_jstr(f, "type"),
			   *prop = mc_test_jstr(f, "property");
		if (!rule || strcmp(rule, "compat-missing") || !type || strcmp(type, "virtio-blk-device") || !prop ||
		    strcmp(prop, "num-queues"))
			continue;
		const char *oldv = mc_test_jstr(f, "old_value"), *newv = mc_test_jstr(f, "new_value"),
			   *file = mc_test_jstr(f, "file");
		if (!oldv || strcmp(oldv, "1") || !newv || strcmp(newv, "4"))
			fail_msg("%s: num-queues %s -> %s, want 1 -> 4", what, oldv ? oldv : "null", newv ? newv : "null");
		if (!file || strcmp(file, VIRTIO_BLK_C) || json_integer_value(json_object_get(f, "line")) != line)
			fail_msg("%s: at %s:%lld, want %s:%d", what, file ? file : "null",
				 (long long)json_integer_value(json_object_get(f, "line")), VIRTIO_BLK_C, line);
		if (json_array_size(fs) != 1)
			fail_msg("%s: %zu findings, want only compat-missing", what, json_array_size(fs));
		return;
	}
	fail_msg("%s: no compat-missing finding for virtio-blk-device.num-queues (%zu findings)", what,
		 json_array_size(fs));
}

/* Adds a line to hw_compat_9_2 of the work tree. */
static void add_compat_9_2_entry(const char *repo, const char *entry)
{
	const char *path = mc_test_ksprintf("%s/hw/core/machine.c", repo);
	char *text = mc_test_read_file(path, NULL);
	if (!text)
		fail_msg("cannot read %s", path);
	mc_test_keep(text);
	const char *anchor = "GlobalProperty hw_compat_9_2[] = {\n";
	if (mc_test_write_file(path, replace_once(text, anchor, mc_test_ksprintf("%s    %s\n", anchor, entry))) != 0)
		fail_msg("cannot write %s", path);
}

/* Compat-dangling findings among fs. */
static size_t dangling_count(json_t *fs)
{
	size_t i, n = 0;
	json_t *f;
	json_array_foreach(fs, i, f) {
		const char *rule = mc_test_jstr(f, "rule");
		n += rule && strcmp(rule, "compat-dangling") == 0;
	}
	return n;
}

/* { driver, property, value, used, optional }: the fifth positional member is .optional. */
static void test_positional_optional(void **state)
{
	(void)state;
	/* Only virtio-blk-pci (through its alias) has num-queues: optional, so QEMU skips the others. */
	const char *repo = own_repo("positional");
	add_compat_9_2_entry(repo, "{ TYPE_VIRTIO_PCI, \"num-queues\", \"1\", false, true },");
	assert_int_equal(dangling_count(check_local(repo, "--worktree", 0, "positional optional")), 0);
	mc_test_rmtree(repo);

	repo = own_repo("positional-not");
	add_compat_9_2_entry(repo, "{ TYPE_VIRTIO_PCI, \"num-queues\", \"1\", false, false },");
	assert_int_equal(dangling_count(check_local(repo, "--worktree", 1, "positional, not optional")), 1);
	mc_test_rmtree(repo);
}

/*
 * A VERSION of the candidates of a release whose compat array does not exist
 * (QEMU's v6.2.0-rc1 wrote 6.2.91 for 6.1.91) is overruled by the arrays, and
 * the run says so: on stderr, and in the JSON coverage's "release".
 */
static void test_release_from_arrays_when_version_is_wrong(void **state)
{
	(void)state;
	const char *repo = own_repo("wrong-version");
	const char *script = mc_test_ksprintf("cd '%s' && printf '10.2.91\\n' > VERSION && git -c user.name=t -c "
					      "user.email=t@example.org commit -qam 'wrong VERSION'",
					      repo);
	const char *sh_argv[] = { "sh", "-c", script, NULL };
	assert_int_equal(mc_test_run_program_result("/bin/sh", sh_argv).rc, 0);
	const char *argv[] = { "migcompat", "audit", "--repo", repo, "--cache", g.cache, "--format", "json", NULL };
	mc_test_result r = mc_test_run_result(argv);
	assert_in_range(r.rc, 0, 1);
	assert_non_null(strstr(r.err, "VERSION says 10.2.91"));
	assert_non_null(strstr(r.err, "10.1 is the last release"));
	json_t *release = json_object_get(json_object_get(mc_test_parse_json_object(r.out, "audit"), "coverage"), "release");
	assert_string_equal(mc_test_jstr(release, "last_released"), "10.1");
	assert_string_equal(mc_test_jstr(release, "from"), "compat arrays");
	assert_string_equal(mc_test_jstr(release, "version_file"), "10.2.91");
	/* The example's own VERSION (10.1.50) agrees with its arrays: nothing is said. */
	const char *argv_ok[] = { "migcompat", "audit", "--repo", g.repo, "--cache", g.cache, NULL };
	assert_null(strstr(mc_test_run_result(argv_ok).err, "VERSION says"));
	mc_test_rmtree(repo);
}

/* Writes path (relative to repo, its folder made if need be) with text, then commits everything with message. */
static void commit_file(const char *repo, const char *path, const char *text, const char *message)
{
	const char *file = mc_test_ksprintf("%s/%s", repo, path);
	const char *mkdir_argv[] = { "sh", "-c", mc_test_ksprintf("mkdir -p \"$(dirname '%s')\"", file), NULL };
	if (mc_test_run_program_result("/bin/sh", mkdir_argv).rc != 0 || mc_test_write_file(file, text) != 0)
		fail_msg("cannot write %s", file);
	const char *script = mc_test_ksprintf("cd '%s' && git add -A && git -c user.name=t -c user.email=t@example.org "
					      "commit -qm '%s'",
					      repo, message);
	const char *argv[] = { "sh", "-c", script, NULL };
	mc_test_result r = mc_test_run_program_result("/bin/sh", argv);
	if (r.rc != 0)
		fail_msg("%s: exit %d\n%s", script, r.rc, r.err);
}

/* `migcompat show --type TYPE` at HEAD of repo: its standard output; fails unless it exits 0. */
static const char *show_type(const char *repo, const char *type)
{
	const char *argv[] = { "migcompat", "show", "--repo", repo, "--cache", g.cache, "--type", type, NULL };
	mc_test_result r = mc_test_run_result(argv);
	if (r.rc != 0)
		fail_msg("show --type %s: exit %d\n%s", type, r.rc, r.err);
	return r.out;
}

/* The rules and the types of the findings of check BASE HEAD in repo, as "rule type.property" lines. */
static const char *finding_lines(const char *repo, const char *extra)
{
	int rc;
	char *out = check(repo, "json", &rc, extra ? extra : "HEAD~1", extra ? "HEAD~1" : "HEAD",
			  extra ? "HEAD" : NULL);
	json_t *fs = json_object_get(mc_test_parse_json(out, "check"), "findings");
	const char *lines = "";
	size_t i;
	json_t *f;
	json_array_foreach(fs, i, f)
		lines = mc_test_ksprintf("%s%s %s.%s\n", lines, mc_test_jstr(f, "rule"), mc_test_jstr(f, "type"),
					 mc_test_jstr(f, "property"));
	return lines;
}

#define EXT_H                                                                                  \
	"#include \"hw/qdev-core.h\"\n"                                                         \
	"typedef struct ExtState { DeviceState parent_obj; bool x; } ExtState;\n"                  \
	"extern const Property ext_properties[];\n"                                                \
	"extern const size_t ext_properties_count;\n"
#define EXT_PROPS_C(defval)                                                                    \
	"#include \"qemu/osdep.h\"\n#include \"hw/core/qdev-properties.h\"\n#include \"ext.h\"\n" \
	"const Property ext_properties[] = {\n"                                                   \
	"    DEFINE_PROP_BOOL(\"x-ext\", ExtState, x, " defval "),\n"                           \
	"};\n"                                                                                     \
	"const size_t ext_properties_count = ARRAY_SIZE(ext_properties);\n"
#define EXT_DEV_C                                                                              \
	"#include \"qemu/osdep.h\"\n#include \"hw/core/qdev-properties.h\"\n#include \"ext.h\"\n" \
	"static void ext_dev_class_init(ObjectClass *oc, const void *data)\n"                     \
	"{\n    DeviceClass *dc = DEVICE_CLASS(oc);\n    (void)data;\n"                           \
	"    device_class_set_props_n(dc, ext_properties, ext_properties_count);\n}\n"                                     \
	"static const TypeInfo ext_dev_info = {\n    .name = \"ext-dev\",\n"                     \
	"    .parent = TYPE_DEVICE,\n    .instance_size = sizeof(ExtState),\n"                    \
	"    .class_init = ext_dev_class_init,\n};\n"                                             \
	"static void ext_dev_register(void) { type_register_static(&ext_dev_info); }\n"           \
	"type_init(ext_dev_register)\n"

/*
 * A Property array defined in one file and attached by another file's
 * class_init (QEMU's migration_properties, in options.c, used by
 * migration.c): a change to the array alone must still reach its type, so
 * the check reads the file that attaches it, and finds what --full finds.
 */
static void test_array_attached_in_another_file(void **state)
{
	(void)state;
	const char *repo = own_repo("extern-array");
	commit_file(repo, "hw/misc/ext.h", EXT_H, "ext: header");
	commit_file(repo, "hw/misc/ext-dev.c", EXT_DEV_C, "ext: the device");
	commit_file(repo, "hw/misc/ext-props.c", EXT_PROPS_C("false"), "ext: its properties");
	commit_file(repo, "hw/misc/ext-props.c", EXT_PROPS_C("true"), "ext: x-ext on by default");
	const char *sliced = finding_lines(repo, NULL);
	assert_non_null(strstr(sliced, "compat-missing ext-dev.x-ext\n"));
	assert_string_equal(sliced, finding_lines(repo, "--full"));
	mc_test_rmtree(repo);
}

/*
 * QEMU's migration object declares its properties inside QAPI structs
 * (offsetof(MigrationState, parameters.announce_initial)): the QAPI stub
 * defines the structs with their members, so the array parses.
 */
static void test_properties_inside_qapi_structs(void **state)
{
	(void)state;
	const char *repo = own_repo("qapi-structs");
	commit_file(repo, "qapi/migration.json",
		    "{ 'struct': 'AnnounceParameters', 'data': { 'initial': 'int', '*id': 'str' } }\n"
		    "{ 'struct': 'MigrationParameters',\n"
		    "  'data': { '*announce-initial': 'size', '*tls-creds': 'StrOrNull', '*multifd-channels': 'uint8' } }\n"
		    "{ 'alternate': 'StrOrNull', 'data': { 's': 'str', 'n': 'null' } }\n",
		    "qapi: migration");
	commit_file(repo, "migration/options.c",
		    "#include \"qemu/osdep.h\"\n#include \"hw/core/qdev-properties.h\"\n"
		    "#include \"qapi/qapi-types-migration.h\"\n"
		    "typedef struct MigrationState {\n    DeviceState parent_obj;\n    AnnounceParameters announce;\n"
		    "    MigrationParameters parameters;\n} MigrationState;\n"
		    "static const Property migration_properties[] = {\n"
		    "    DEFINE_PROP_SIZE(\"announce-initial\", MigrationState, parameters.announce_initial, 50),\n"
		    "    DEFINE_PROP_UINT8(\"multifd-channels\", MigrationState, parameters.multifd_channels, 2),\n"
		    "};\n"
		    "static void migration_class_init(ObjectClass *oc, const void *data)\n"
		    "{\n    DeviceClass *dc = DEVICE_CLASS(oc);\n    (void)data;\n"
		    "    device_class_set_props(dc, migration_properties);\n}\n"
		    "static const TypeInfo migration_type = {\n    .name = \"migration\",\n    .parent = TYPE_DEVICE,\n"
		    "    .instance_size = sizeof(MigrationState),\n    .class_init = migration_class_init,\n};\n"
		    "static void register_migration_types(void) { type_register_static(&migration_type); }\n"
		    "type_init(register_migration_types)\n",
		    "migration: properties");
	const char *out = show_type(repo, "migration");
	assert_non_null(strstr(out, "migration.announce-initial = 50"));
	assert_non_null(strstr(out, "migration.multifd-channels = 2"));
	mc_test_rmtree(repo);
}

/*
 * QEMU's object_initialize_child is a macro for
 * object_initialize_child_internal(parent, name, child, sizeof(*child), type):
 * a proxy embedding a device that way (isa-serial around serial) aliases its
 * properties when it also calls qdev_alias_all_properties.
 */
static void test_embedding_through_object_initialize_child(void **state)
{
	(void)state;
	const char *repo = own_repo("init-child");
	commit_file(repo, "hw/char/serial-isa.c",
		    "#include \"qemu/osdep.h\"\n#include \"hw/core/qdev-properties.h\"\n"
		    "#define object_initialize_child(parent, propname, child, type) \\\n"
		    "    object_initialize_child_internal((parent), (propname), (child), sizeof(*(child)), (type))\n"
		    "typedef struct SerialState { DeviceState parent_obj; uint32_t baudbase; } SerialState;\n"
		    "typedef struct ISASerialState { DeviceState parent_obj; SerialState state; } ISASerialState;\n"
		    "static const Property serial_properties[] = {\n"
		    "    DEFINE_PROP_UINT32(\"baudbase\", SerialState, baudbase, 115200),\n};\n"
		    "static void serial_class_init(ObjectClass *oc, const void *data)\n"
		    "{\n    (void)data;\n    device_class_set_props(DEVICE_CLASS(oc), serial_properties);\n}\n"
		    "static void serial_isa_init(Object *o)\n{\n    ISASerialState *self = (ISASerialState *)o;\n"
		    "    object_initialize_child(o, \"serial\", &self->state, \"serial\");\n"
		    "    qdev_alias_all_properties(DEVICE(&self->state), o);\n}\n"
		    "static const TypeInfo serial_types[] = {\n"
		    "    { .name = \"serial\", .parent = TYPE_DEVICE, .instance_size = sizeof(SerialState),\n"
		    "      .class_init = serial_class_init },\n"
		    "    { .name = \"isa-serial\", .parent = TYPE_DEVICE, .instance_size = sizeof(ISASerialState),\n"
		    "      .instance_init = serial_isa_init },\n};\n"
		    "DEFINE_TYPES(serial_types)\n",
		    "serial: isa-serial embeds serial");
	const char *out = show_type(repo, "isa-serial");
	if (!strstr(out, "baudbase = 115200"))
		fail_msg("isa-serial does not alias serial's baudbase:\n%s", out);
	mc_test_rmtree(repo);
}

/* In repo's work tree, puts text just before the one occurrence of anchor in path. */
static void insert_before(const char *repo, const char *path, const char *anchor, const char *text)
{
	const char *file = mc_test_ksprintf("%s/%s", repo, path);
	char *old = mc_test_read_file(file, NULL);
	if (!old)
		fail_msg("cannot read %s", file);
	mc_test_keep(old);
	if (mc_test_write_file(file, replace_once(old, anchor, mc_test_ksprintf("%s%s", text, anchor))) != 0)
		fail_msg("cannot write %s", file);
}

/* The new_value of the finding on prop after check --worktree (exit 1), or fails when there is none. */
static const char *new_value_of(const char *repo, const char *prop, const char *what)
{
	/* Exit 0: a new property with a default that is not plainly "on" and no evidence is a note. */
	json_t *fs = check_local(repo, "--worktree", 0, what);
	size_t i;
	json_t *f;
	json_array_foreach(fs, i, f) {
		const char *p = mc_test_jstr(f, "property");
		if (p && strcmp(p, prop) == 0)
			return mc_test_jstr(f, "new_value") ? mc_test_jstr(f, "new_value") : "null";
	}
	fail_msg("%s: no finding for %s", what, prop);
	return NULL;
}

/*
 * A PropertyInfo of the tree's own with an enum table makes an enum property:
 * its default is the member's name ("auto"), not a number.
 */
static void test_custom_enum_property_info(void **state)
{
	(void)state;
	const char *repo = own_repo("custom-enum");
	const char *anchor = "static const Property virtio_blk_properties[] = {\n";
	insert_before(repo, VIRTIO_BLK_C, anchor,
		      "static const PropertyInfo virtio_blk_mode_prop = {\n"
		      "    .type = \"OnOffAuto\",\n"
		      "    .enum_table = &OnOffAuto_lookup,\n"
		      "};\n\n");
	insert_before(repo, VIRTIO_BLK_C, "    DEFINE_PROP_ON_OFF_AUTO(\"x-auto-mode\"",
		      "    DEFINE_PROP(\"x-mode\", VirtIOBlock, conf.auto_mode, virtio_blk_mode_prop, OnOffAuto,\n"
		      "                .set_default = true, .defval.i = ON_OFF_AUTO_AUTO),\n");
	assert_string_equal(new_value_of(repo, "x-mode", "custom enum PropertyInfo"), "auto");
	mc_test_rmtree(repo);

	/* vfio-pci's: a PropertyInfo copied from qdev_prop_on_off_auto at run time, with no
	 * enum table to read; the default, a QAPI enum constant, names the member. */
	repo = own_repo("runtime-enum");
	insert_before(repo, VIRTIO_BLK_C, anchor, "static PropertyInfo virtio_blk_runtime_prop;\n\n");
	insert_before(repo, VIRTIO_BLK_C, "    DEFINE_PROP_ON_OFF_AUTO(\"x-auto-mode\"",
		      "    DEFINE_PROP(\"x-mode\", VirtIOBlock, conf.auto_mode, virtio_blk_runtime_prop, OnOffAuto,\n"
		      "                .set_default = true, .defval.u = ON_OFF_AUTO_AUTO),\n");
	assert_string_equal(new_value_of(repo, "x-mode", "run-time copy of an enum PropertyInfo"), "auto");
	mc_test_rmtree(repo);

	/* DEFINE_PROP_UUID's: .set_default with no value; the info's set_default_value gives "auto". */
	repo = own_repo("info-default");
	insert_before(repo, VIRTIO_BLK_C, anchor, "extern const PropertyInfo qdev_prop_uuid;\n\n");
	insert_before(repo, VIRTIO_BLK_C, "    DEFINE_PROP_ON_OFF_AUTO(\"x-auto-mode\"",
		      "    { .name = \"x-guid\", .info = &qdev_prop_uuid, .set_default = true },\n");
	const char *commit = mc_test_ksprintf("cd '%s' && git -c user.name=t -c user.email=t@example.org commit -qam guid",
					      repo);
	const char *sh_argv[] = { "sh", "-c", commit, NULL };
	assert_int_equal(mc_test_run_program_result("/bin/sh", sh_argv).rc, 0);
	const char *out = show_type(repo, "virtio-blk-device");
	if (!strstr(out, "virtio-blk-device.x-guid = auto"))
		fail_msg("x-guid is not auto:\n%s", out);
	mc_test_rmtree(repo);
}

/*
 * The QType builtin QEMU generates has QTYPE__MAX == 7, which
 * include/qobject/qobject.h checks at build time; a stub with another count
 * made that check fail in every file including it (migration/options.c).
 */
static void test_qtype_stub_count(void **state)
{
	(void)state;
	const char *repo = own_repo("qtype");
	insert_before(repo, VIRTIO_BLK_C, "    DEFINE_PROP_ON_OFF_AUTO(\"x-auto-mode\"",
		      "    DEFINE_PROP_UINT32(\"x-qtypes\", VirtIOBlock, conf.max_discard_sectors, QTYPE__MAX),\n");
	insert_before(repo, VIRTIO_BLK_C, "#include \"hw/core/qdev-properties.h\"", "#include \"qapi/qapi-builtin-types.h\"\n");
	assert_string_equal(new_value_of(repo, "x-qtypes", "QTYPE__MAX as a default"), "7");
	mc_test_rmtree(repo);
}

static void test_cached_and_worktree(void **state)
{
	(void)state;
	const char *repo = own_repo("local");

	/* Nothing changed yet: both clean. */
	assert_int_equal(json_array_size(check_local(repo, "--worktree", 0, "unchanged")), 0);
	assert_int_equal(json_array_size(check_local(repo, "--cached", 0, "unchanged")), 0);

	/* Edited on disk, not staged: the work tree has the change, the index not. */
	edit_num_queues(repo);
	expect_num_queues_missing(check_local(repo, "--worktree", 1, "edited"), "--worktree, edited");
	json_t *fs = check_local(repo, "--cached", 0, "edited, not staged");
	if (json_array_size(fs) != 0)
		fail_msg("check --cached before staging reports %zu findings", json_array_size(fs));

	/* Staged by the test (libgit2 writes .git/index before the hashing). */
	stage_path(repo, VIRTIO_BLK_C);
	expect_num_queues_missing(check_local(repo, "--cached", 1, "staged"), "--cached, staged");
	expect_num_queues_missing(check_local(repo, "--worktree", 1, "staged"), "--worktree, staged");

	/* An explicit base works the same. */
	int rc;
	const char *gitdir = mc_test_ksprintf("%s/.git", repo);
	char *before = mc_test_dir_snapshot(gitdir);
	char *out = check(repo, "json", &rc, "--cached", "base", NULL);
	mc_test_expect_same_snapshot(before, mc_test_dir_snapshot(gitdir), "check --cached base");
	assert_int_equal(rc, 1);
	expect_num_queues_missing(json_object_get(mc_test_parse_json(out, "--cached base"), "findings"),
				  "--cached base");

	mc_test_rmtree(repo);
}

/* ---- scripts/pre-commit ------------------------------------------------- */

static char *slurp_fd(int fd)
{
	off_t len = lseek(fd, 0, SEEK_END);
	char *buf = malloc((size_t)(len > 0 ? len : 0) + 1);
	if (!buf)
		abort();
	ssize_t got = len > 0 ? pread(fd, buf, (size_t)len, 0) : 0;
	buf[got > 0 ? got : 0] = '\0';
	close(fd);
	return mc_test_keep(buf);
}

static int capture_fd(void)
{
	char *path = mc_test_ksprintf("%s/hook-out-XXXXXX", g.tmp);
	int fd = mkstemp(path);
	if (fd < 0)
		fail_msg("mkstemp: %s", strerror(errno));
	unlink(path);
	return fd;
}

/*
 * Runs scripts/pre-commit with /bin/sh in dir, as git runs a hook: MIGCOMPAT
 * is the binary (NULL: the one under test), the cache goes to the test's
 * directory, GIT_INDEX_FILE is index_file (NULL: unset).  Returns the exit
 * status (-1: no normal exit).
 */
static int run_hook_env(const char *dir, const char *migcompat, const char *index_file, char **out, char **err)
{
	int ofd = capture_fd(), efd = capture_fd();
	const char *cache_home = mc_test_ksprintf("%s/xdg-cache", g.tmp);
	const char *tool = migcompat ? migcompat : mc_test_tool_path();
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0)
			dup2(nul, 0);
		dup2(ofd, 1);
		dup2(efd, 2);
		if (chdir(dir) < 0)
			_exit(126);
		setenv("MIGCOMPAT", tool, 1);
		setenv("XDG_CACHE_HOME", cache_home, 1);
		unsetenv("GIT_DIR");
		if (index_file)
			setenv("GIT_INDEX_FILE", index_file, 1);
		else
			unsetenv("GIT_INDEX_FILE");
		unsetenv("GIT_WORK_TREE");
		execl("/bin/sh", "sh", HOOK_SCRIPT, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*out = slurp_fd(ofd);
	*err = slurp_fd(efd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run_hook(const char *dir, const char *migcompat, char **out, char **err)
{
	return run_hook_env(dir, migcompat, NULL, out, err);
}

/* Does text have a line holding needle? (a line = between newlines) */
static int has_line_with(const char *text, const char *a, const char *b)
{
	for (const char *l = text; *l;) {
		size_t len = strcspn(l, "\n");
		if (memmem(l, len, a, strlen(a)) && (!b || memmem(l, len, b, strlen(b))))
			return 1;
		l += len;
		if (*l)
			l++;
	}
	return 0;
}

static void test_pre_commit_hook(void **state)
{
	(void)state;
	const char *repo = own_repo("hook");
	const char *gitdir = mc_test_ksprintf("%s/.git", repo);
	char *out, *err;

	/* Nothing staged: the commit goes through. */
	int rc = run_hook(repo, NULL, &out, &err);
	if (rc != 0)
		fail_msg("pre-commit with nothing staged: exit %d\n%s%s", rc, out, err);

	/* Changed on disk only: the hook looks at the index, the commit goes through. */
	edit_num_queues(repo);
	rc = run_hook(repo, NULL, &out, &err);
	if (rc != 0)
		fail_msg("pre-commit with an unstaged change: exit %d\n%s%s", rc, out, err);

	/* Staged: blocked, with the entry to add. */
	stage_path(repo, VIRTIO_BLK_C);
	char *before = mc_test_dir_snapshot(gitdir);
	rc = run_hook(repo, NULL, &out, &err);
	mc_test_expect_same_snapshot(before, mc_test_dir_snapshot(gitdir), "the pre-commit hook");
	if (rc != 1)
		fail_msg("pre-commit with the staged num-queues change: exit %d, want 1\n%s%s", rc, out, err);
	if (!has_line_with(out, NUM_QUEUES_ENTRY, "hw_compat_10_1"))
		fail_msg("pre-commit: no line suggests %s in hw_compat_10_1:\n%s", NUM_QUEUES_ENTRY, out);
	if (!has_line_with(out, "[compat-missing]", NULL))
		fail_msg("pre-commit: the compat-missing error is not shown:\n%s", out);

	/* Only a warning staged (the tree of new-prop-on): shown, not blocking. */
	index_from_branch(repo, "new-prop-on");
	rc = run_hook(repo, NULL, &out, &err);
	if (rc != 0)
		fail_msg("pre-commit with only a warning staged: exit %d, want 0\n%s%s", rc, out, err);
	if (!has_line_with(out, "warning:", "[new-property-enabled]"))
		fail_msg("pre-commit: the new-property-enabled warning is not shown:\n%s", out);

	/* No binary: an explanation and a blocked commit, not a silent pass. */
	rc = run_hook(repo, mc_test_ksprintf("%s/no-such-migcompat", g.tmp), &out, &err);
	if (rc == 0)
		fail_msg("pre-commit without a migcompat binary lets the commit through\n%s%s", out, err);
	if (!strstr(err, "not found"))
		fail_msg("pre-commit without a binary says:\n%s%s", out, err);

	mc_test_rmtree(repo);
}

/*
 * `git commit -a` (and `git commit PATH`) stage into a temporary index and run
 * the hook with GIT_INDEX_FILE naming it; .git/index still holds the old
 * state.  The hook must check the index the commit is made from.
 */
static void test_pre_commit_hook_commit_all(void **state)
{
	(void)state;
	const char *repo = own_repo("hook-commit-all");
	const char *index = mc_test_ksprintf("%s/.git/index", repo);
	const char *copy = mc_test_ksprintf("%s/.git/index-copy", repo);
	const char *next = mc_test_ksprintf("%s/.git/index.lock", repo);

	/* The temporary index: the broken change staged.  Then .git/index back to HEAD. */
	edit_num_queues(repo);
	stage_path(repo, VIRTIO_BLK_C);
	{
		FILE *in = fopen(index, "rb"), *out = fopen(copy, "wb");
		assert_non_null(in);
		assert_non_null(out);
		char buf[8192];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			assert_int_equal(fwrite(buf, 1, n, out), n);
		fclose(in);
		assert_int_equal(fclose(out), 0);
	}
	index_from_branch(repo, "base");
	if (rename(copy, next) < 0)
		fail_msg("rename %s: %s", copy, strerror(errno));

	char *out, *err;
	int rc = run_hook_env(repo, NULL, NULL, &out, &err);
	if (rc != 0)
		fail_msg("pre-commit, .git/index at HEAD: exit %d, want 0\n%s%s", rc, out, err);
	rc = run_hook_env(repo, NULL, next, &out, &err);
	if (rc != 1 || !has_line_with(out, NUM_QUEUES_ENTRY, "hw_compat_10_1"))
		fail_msg("pre-commit with GIT_INDEX_FILE=%s (as `git commit -a` runs it) holding the num-queues change: "
			 "exit %d, want 1 with the suggestion; migcompat read .git/index instead?\n%s%s",
			 next, rc, out, err);
	unlink(next);
	mc_test_rmtree(repo);
}

/* ---- the pre-commit framework ------------------------------------------- */

static void test_pre_commit_hooks_yaml(void **state)
{
	(void)state;
	char *yaml = mc_test_read_file(HOOKS_YAML, NULL);
	if (!yaml)
		fail_msg("%s is missing", HOOKS_YAML);
	mc_test_keep(yaml);
	int id = 0, entry = 0;
	for (const char *l = yaml; *l;) {
		size_t len = strcspn(l, "\n");
		char *line = mc_test_ksprintf("%.*s", (int)len, l);
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '-') {
			p++;
			while (*p == ' ')
				p++;
		}
		char *end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\r' || end[-1] == '\t'))
			*--end = '\0';
		if (!strcmp(p, "id: migcompat") || !strcmp(p, "id: \"migcompat\"") || !strcmp(p, "id: 'migcompat'"))
			id = 1;
		if (!strcmp(p, "entry: scripts/pre-commit") || !strcmp(p, "entry: \"scripts/pre-commit\"") ||
		    !strcmp(p, "entry: 'scripts/pre-commit'"))
			entry = 1;
		l += len;
		if (*l)
			l++;
	}
	if (!id)
		fail_msg(".pre-commit-hooks.yaml has no 'id: migcompat':\n%s", yaml);
	if (!entry)
		fail_msg(".pre-commit-hooks.yaml has no 'entry: scripts/pre-commit':\n%s", yaml);
	/* The entry exists and can be run (language: script runs it directly). */
	struct stat st;
	if (stat(HOOK_SCRIPT, &st) < 0 || !S_ISREG(st.st_mode))
		fail_msg("%s does not exist", HOOK_SCRIPT);
	if (!(st.st_mode & S_IXUSR))
		fail_msg("%s is not executable", HOOK_SCRIPT);
	char *script = mc_test_read_file(HOOK_SCRIPT, NULL);
	assert_non_null(script);
	mc_test_keep(script);
	if (strncmp(script, "#!", 2))
		fail_msg("%s has no #! line", HOOK_SCRIPT);
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, mc_test_arena_release)
	const struct CMUnitTest tests[] = {
		T(test_sarif_driver),
		T(test_sarif_result),
		T(test_sarif_results_shape),
		T(test_sarif_fingerprint),
		T(test_codeclimate),
		T(test_cached_and_worktree),
		T(test_positional_optional),
		T(test_release_from_arrays_when_version_is_wrong),
		T(test_array_attached_in_another_file),
		T(test_properties_inside_qapi_structs),
		T(test_embedding_through_object_initialize_child),
		T(test_custom_enum_property_info),
		T(test_qtype_stub_count),
		T(test_pre_commit_hook),
		T(test_pre_commit_hook_commit_all),
		T(test_pre_commit_hooks_yaml),
	};
#undef T
	return cmocka_run_group_tests_name("integrations", tests, group_setup, group_teardown) ? 1 : 0;
}
