/*
 * test_ci.c - scripts/ci: the merge request check and the CI templates.
 *
 *  - scripts/ci/merge-request-check run by /bin/sh on a repository built from
 *    fixtures/example: the check starts at the merge base of the target and
 *    the head (not at the target's tip), the log reports every commit, the
 *    Code Climate and SARIF reports are valid JSON holding the findings of the
 *    whole change, and the exit status follows the tool's (0, 1, 2);
 *  - scripts/ci/gitlab-ci.yml and scripts/ci/github-workflow.yml call the
 *    script with the arguments it accepts, and publish the files it writes.
 *
 * Branches of the fixture (every step's parent is base unless its README says
 * otherwise): the merge base of two step branches is base.  Line numbers are
 * read from the fixture, commit ids from the repository.
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

#include "fixture_repo.h"
#include "test_util.h"

#define CI_DIR MC_SOURCE_DIR "/scripts/ci"
#define CHECK_SCRIPT CI_DIR "/merge-request-check"
#define GITLAB_YML CI_DIR "/gitlab-ci.yml"
#define GITHUB_YML CI_DIR "/github-workflow.yml"

/* What the script writes into its output directory. */
#define LOG_NAME "migcompat-series.txt"
#define CODECLIMATE_NAME "gl-code-quality-report.json"
#define SARIF_NAME "migcompat.sarif"

#define VIRTIO_BLK_C "hw/block/virtio-blk.c"

static struct {
	char *tmp;   /* everything below lives here */
	char *repo;  /* fixtures/example, read only */
} g;

static int group_setup(void **state)
{
	(void)state;
	git_libgit2_init();
	if (mc_test_example_repo("ci", &g.tmp, &g.repo) != 0)
		return -1;
	/* Every run of the script: the binary under test, a cache of the test's own. */
	char *cache = mc_test_xsprintf("%s/cache", g.tmp);
	setenv("MIGCOMPAT", mc_test_tool_path(), 1);
	setenv("MIGCOMPAT_CACHE", cache, 1);
	unsetenv("MIGCOMPAT_OPTIONS");
	/* The script runs git on --repo; a hook's GIT_DIR would win over it. */
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	free(cache);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	mc_test_example_repo_remove(&g.tmp, &g.repo);
	git_libgit2_shutdown();
	return 0;
}

/* ---- running the script ------------------------------------------------- */

/* A fresh output directory name (the script makes it). */
static const char *new_outdir(const char *name)
{
	const char *dir = mc_test_ksprintf("%s/out-%s", g.tmp, name);
	mc_test_rmtree(dir);
	return dir;
}

/* `sh merge-request-check --repo REPO TARGET HEAD OUTDIR`. */
static mc_test_result run_check(const char *repo, const char *target, const char *head, const char *outdir)
{
	const char *argv[] = { "sh", CHECK_SCRIPT, "--repo", repo, target, head, outdir, NULL };
	mc_test_result r = mc_test_run_program_result("/bin/sh", argv);
	if (r.rc < 0 || r.rc > 2)
		fail_msg("merge-request-check %s %s: exit %d (crash?)\n%s%s", target, head, r.rc, r.out, r.err);
	return r;
}

/* A file the script wrote, kept; fails the test when it is missing. */
static char *output_file(const char *outdir, const char *name)
{
	const char *path = mc_test_ksprintf("%s/%s", outdir, name);
	char *text = mc_test_read_file(path, NULL);
	if (!text)
		fail_msg("merge-request-check did not write %s", path);
	return mc_test_keep(text);
}

static json_t *codeclimate_issues(const char *outdir)
{
	json_t *issues = mc_test_parse_json(output_file(outdir, CODECLIMATE_NAME), CODECLIMATE_NAME);
	if (!json_is_array(issues))
		fail_msg("%s is not a JSON array", CODECLIMATE_NAME);
	return issues;
}

static json_t *sarif_results(const char *outdir)
{
	json_t *sarif = mc_test_parse_json_object(output_file(outdir, SARIF_NAME), SARIF_NAME);
	const char *version = mc_test_jstr(sarif, "version");
	if (!version || strcmp(version, "2.1.0"))
		fail_msg("%s: version %s, want 2.1.0", SARIF_NAME, version ? version : "(none)");
	json_t *results = json_object_get(json_array_get(json_object_get(sarif, "runs"), 0), "results");
	if (!json_is_array(results))
		fail_msg("%s has no runs[0].results array", SARIF_NAME);
	return results;
}

/* The full id of a revision of repo, via libgit2 (not the way the script finds it). */
static const char *rev_id(const char *repo_dir, const char *rev)
{
	git_repository *repo;
	git_object *obj;
	if (git_repository_open(&repo, repo_dir) < 0)
		fail_msg("cannot open %s", repo_dir);
	if (git_revparse_single(&obj, repo, rev) < 0)
		fail_msg("no revision %s in %s", rev, repo_dir);
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof(hex), git_object_id(obj));
	git_object_free(obj);
	git_repository_free(repo);
	return mc_test_ksprintf("%s", hex);
}

static const char *merge_base(const char *repo_dir, const char *a, const char *b)
{
	git_repository *repo;
	git_oid oa, ob, base;
	if (git_repository_open(&repo, repo_dir) < 0 || git_oid_fromstr(&oa, rev_id(repo_dir, a)) < 0 ||
	    git_oid_fromstr(&ob, rev_id(repo_dir, b)) < 0 || git_merge_base(&base, repo, &oa, &ob) < 0)
		fail_msg("no merge base of %s and %s", a, b);
	git_repository_free(repo);
	char hex[GIT_OID_HEXSZ + 1];
	return mc_test_ksprintf("%s", git_oid_tostr(hex, sizeof(hex), &base));
}

/* A copy of the example repository that a test may change. */
static const char *own_repo(const char *name)
{
	return mc_test_fresh_example_repo(g.tmp, name);
}

/* ---- the merge request check -------------------------------------------- */

/*
 * The target branch moved on after the merge request forked (wrong-value:
 * num-queues 1 -> 65535 with an entry of 2).  From the target's tip the
 * feature branch (new-prop-on) would also bring num-queues back to 1, a
 * compat-missing; from the merge base it only adds x-new-feature.
 */
static void test_merge_base_is_the_base(void **state)
{
	(void)state;
	const char *target = "wrong-value", *head = "new-prop-on";
	const char *base = merge_base(g.repo, target, head);
	const char *head_id = rev_id(g.repo, head);
	if (!strcmp(base, rev_id(g.repo, target)))
		fail_msg("fixture: the merge base of %s and %s is %s's tip; the test proves nothing", target, head,
			 target);
	{
		const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--cache", getenv("MIGCOMPAT_CACHE"),
				       target, head, NULL };
		mc_test_result tip = mc_test_run_result(argv);
		if (tip.rc != 1 || !strstr(tip.out, "[compat-missing]"))
			fail_msg("fixture: check %s %s (from the target's tip) should give a compat-missing: exit %d\n%s%s",
				 target, head, tip.rc, tip.out, tip.err);
	}

	const char *out = new_outdir("merge-base");
	const char *gitdir = mc_test_ksprintf("%s/.git", g.repo);
	char *before = mc_test_dir_snapshot(gitdir);
	mc_test_result r = run_check(g.repo, target, head, out);
	mc_test_expect_same_snapshot(before, mc_test_dir_snapshot(gitdir), "merge-request-check");
	if (r.rc != 1)
		fail_msg("merge-request-check %s %s: exit %d, want 1 (a warning)\n%s%s", target, head, r.rc, r.out,
			 r.err);
	const char *said = mc_test_ksprintf("base %s (merge base of %s and %s), head %s", base, target, head, head_id);
	if (!strstr(r.out, said))
		fail_msg("merge-request-check does not say '%s':\n%s", said, r.out);

	/* The log: one commit, its warning; what the target's tip would add is absent. */
	char *log = output_file(out, LOG_NAME);
	if (!strstr(log, mc_test_ksprintf("[1/1] %.12s ", head_id)) || !strstr(log, "[new-property-enabled]"))
		fail_msg("%s lacks [1/1] and the new-property-enabled warning:\n%s", LOG_NAME, log);
	if (strstr(log, "[compat-missing]") || strstr(log, "[2/"))
		fail_msg("%s: the check did not start at the merge base:\n%s", LOG_NAME, log);
	if (!strstr(r.out, log))
		fail_msg("the log is not printed on standard output:\n%s", r.out);

	int line = mc_test_fixture_line("07-new-prop-on", VIRTIO_BLK_C, "\"x-new-feature\"");

	json_t *issues = codeclimate_issues(out);
	if (json_array_size(issues) != 1)
		fail_msg("%s: %zu issues, want 1 (new-property-enabled)", CODECLIMATE_NAME, json_array_size(issues));
	json_t *issue = json_array_get(issues, 0);
	json_t *loc = json_object_get(issue, "location");
	const char *name = mc_test_jstr(issue, "check_name"), *path = mc_test_jstr(loc, "path");
	json_int_t begin = json_integer_value(json_object_get(json_object_get(loc, "lines"), "begin"));
	if (!name || strcmp(name, "new-property-enabled") || !path || strcmp(path, VIRTIO_BLK_C) || begin != line)
		fail_msg("%s: %s at %s:%lld, want new-property-enabled at %s:%d", CODECLIMATE_NAME, name ? name : "?",
			 path ? path : "?", (long long)begin, VIRTIO_BLK_C, line);
	const char *severity = mc_test_jstr(issue, "severity");
	if (!severity || strcmp(severity, "minor"))
		fail_msg("%s: severity %s, want minor (a warning)", CODECLIMATE_NAME, severity ? severity : "?");

	json_t *results = sarif_results(out);
	if (json_array_size(results) != 1)
		fail_msg("%s: %zu results, want 1", SARIF_NAME, json_array_size(results));
	json_t *res = json_array_get(results, 0);
	const char *rule = mc_test_jstr(res, "ruleId"), *level = mc_test_jstr(res, "level");
	if (!rule || strcmp(rule, "new-property-enabled") || !level || strcmp(level, "warning"))
		fail_msg("%s: %s (%s), want new-property-enabled (warning)", SARIF_NAME, rule ? rule : "?",
			 level ? level : "?");
}

/*
 * A series whose patch 1 breaks migration and patch 2 repairs it: the log
 * names patch 1 and the job fails; the reports hold the whole change, which
 * is clean at HEAD (their locations and fingerprints are HEAD's).
 */
static void test_series(void **state)
{
	(void)state;
	const char *out = new_outdir("series");
	mc_test_result r = run_check(g.repo, "base", "series-2", out);
	if (r.rc != 1)
		fail_msg("merge-request-check base series-2: exit %d, want 1 (patch 1 breaks migration)\n%s%s", r.rc,
			 r.out, r.err);
	char *log = output_file(out, LOG_NAME);
	const char *first = strstr(log, "[1/2] ");
	if (!first || !strstr(first, "[compat-missing]"))
		fail_msg("%s: no compat-missing reported for [1/2]:\n%s", LOG_NAME, log);
	if (strstr(log, "[2/2] "))
		fail_msg("%s: [2/2] restores the released value and adds nothing, yet it is reported:\n%s", LOG_NAME,
			 log);
	if (json_array_size(codeclimate_issues(out)) != 0 || json_array_size(sarif_results(out)) != 0)
		fail_msg("the whole change of base..series-2 is clean, yet the reports hold findings");
}

static void test_clean(void **state)
{
	(void)state;
	/* refactor moved the target on; good is clean from the merge base. */
	const char *out = new_outdir("clean");
	mc_test_result r = run_check(g.repo, "refactor", "good", out);
	if (r.rc != 0)
		fail_msg("merge-request-check refactor good: exit %d, want 0\n%s%s", r.rc, r.out, r.err);
	if (!strstr(output_file(out, LOG_NAME), "migcompat: 0 errors, 0 warnings,"))
		fail_msg("the log has no clean summary:\n%s", output_file(out, LOG_NAME));
	if (json_array_size(codeclimate_issues(out)) != 0 || json_array_size(sarif_results(out)) != 0)
		fail_msg("a clean change gives findings in the reports");

	/* Nothing to merge: the head is already in the target. */
	out = new_outdir("merged");
	r = run_check(g.repo, "good", "base", out);
	if (r.rc != 0 || !strstr(r.out, "no commit to check"))
		fail_msg("merge-request-check good base (head already merged): exit %d, want 0 and 'no commit to "
			 "check'\n%s%s",
			 r.rc, r.out, r.err);
	if (json_array_size(codeclimate_issues(out)) != 0 || json_array_size(sarif_results(out)) != 0)
		fail_msg("an empty change gives findings in the reports");
}

/* Exit 2 with one line saying what to do, and no report to publish. */
static void expect_error(mc_test_result r, const char *needle, const char *outdir, const char *what)
{
	if (r.rc != 2)
		fail_msg("%s: exit %d, want 2\n%s%s", what, r.rc, r.out, r.err);
	if (!strstr(r.err, needle))
		fail_msg("%s: stderr does not say '%s':\n%s", what, needle, r.err);
	char *report = outdir ? mc_test_read_file(mc_test_ksprintf("%s/%s", outdir, CODECLIMATE_NAME), NULL) : NULL;
	if (report) {
		free(report);
		fail_msg("%s: a report was written", what);
	}
}

static void test_errors(void **state)
{
	(void)state;
	const char *out = new_outdir("errors");
	expect_error(run_check(g.repo, "no-such-branch", "good", out), "no commit 'no-such-branch'", out,
		     "an unknown target");
	expect_error(run_check(g.repo, "base", "no-such-branch", out), "no commit 'no-such-branch'", out,
		     "an unknown head");
	expect_error(run_check(g.repo, "", "good", out), "the target is empty", out, "an empty target variable");
	/* The tool's own input error: the head is not a QEMU tree. */
	expect_error(run_check(g.repo, "base", "empty", out), "could not check", out, "a head that is no QEMU tree");

	{
		const char *argv[] = { "sh", CHECK_SCRIPT, "base", "good", NULL };
		expect_error(mc_test_run_program_result("/bin/sh", argv), "usage: merge-request-check", NULL,
			     "two arguments");
		const char *argv2[] = { "sh", CHECK_SCRIPT, "--bogus", "base", "good", out, NULL };
		expect_error(mc_test_run_program_result("/bin/sh", argv2), "unknown option '--bogus'", NULL,
			     "an unknown option");
	}

	/* No binary: said, not a silent pass. */
	char *saved = strdup(getenv("MIGCOMPAT"));
	assert_non_null(saved);
	mc_test_keep(saved);
	setenv("MIGCOMPAT", mc_test_ksprintf("%s/no-such-migcompat", g.tmp), 1);
	mc_test_result r = run_check(g.repo, "base", "good", out);
	setenv("MIGCOMPAT", saved, 1);
	expect_error(r, "not found; set MIGCOMPAT", out, "no migcompat binary");
}

/* Histories without a merge base (a shallow or unrelated target) and partial clones. */
static void test_incomplete_clone(void **state)
{
	(void)state;
	const char *dir = own_repo("incomplete");
	git_repository *repo;
	assert_int_equal(git_repository_open(&repo, dir), 0);

	/* An orphan commit on branch "unrelated": no merge base with any step. */
	git_object *tree;
	git_signature *sig;
	git_oid id;
	assert_int_equal(git_revparse_single(&tree, repo, "base^{tree}"), 0);
	assert_int_equal(git_signature_new(&sig, "CI Test", "ci@example.org", 1700000000, 0), 0);
	assert_int_equal(git_commit_create(&id, repo, "refs/heads/unrelated", sig, sig, NULL, "unrelated\n",
					   (git_tree *)tree, 0, NULL),
			 0);
	git_signature_free(sig);
	git_object_free(tree);
	const char *out = new_outdir("incomplete");
	expect_error(run_check(dir, "unrelated", "good", out), "fetch the whole history", out,
		     "a target without a merge base");

	/* What git marks as a partial clone: libgit2 cannot fetch the missing blobs. */
	git_config *cfg;
	assert_int_equal(git_repository_config(&cfg, repo), 0);
	assert_int_equal(git_config_set_string(cfg, "extensions.partialClone", "origin"), 0);
	git_config_free(cfg);
	git_repository_free(repo);
	expect_error(run_check(dir, "base", "good", out), "partial clone", out, "a partial clone");
	mc_test_rmtree(dir);
}

/* ---- the CI templates ---------------------------------------------------- */

/*
 * The shell words of a command line: blanks separate, quotes group, a
 * backslash escapes; no expansion.  Kept; NULL-terminated; *n words.
 */
static char **shell_words(const char *line, size_t *n)
{
	char **v = mc_test_keep(calloc(strlen(line) + 1, sizeof(*v)));
	size_t k = 0;
	const char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			break;
		char *w = mc_test_keep(calloc(strlen(p) + 1, 1)), *o = w;
		char quote = 0;
		for (; *p && (quote || (*p != ' ' && *p != '\t')); p++) {
			if (quote && *p == quote)
				quote = 0;
			else if (!quote && (*p == '"' || *p == '\''))
				quote = *p;
			else if (*p == '\\' && p[1] && quote != '\'')
				*o++ = *++p;
			else
				*o++ = *p;
		}
		v[k++] = w;
	}
	*n = k;
	return v;
}

/*
 * The value of the first "key: value" line of yaml, or NULL: blanks and a
 * trailing comment removed, or what one pair of quotes holds.
 */
static const char *yaml_value(const char *yaml, const char *key)
{
	size_t klen = strlen(key);
	for (const char *l = yaml; *l;) {
		size_t len = strcspn(l, "\n");
		const char *s = l, *end = l + len;
		l += len + (l[len] == '\n');
		while (*s == ' ' || *s == '-')
			s++;
		if (strncmp(s, key, klen) || s[klen] != ':')
			continue;
		s += klen + 1;
		while (*s == ' ')
			s++;
		if (*s == '"' || *s == '\'') {
			const char *close = memchr(s + 1, *s, (size_t)(end - s - 1));
			return close ? mc_test_ksprintf("%.*s", (int)(close - s - 1), s + 1) : NULL;
		}
		char *v = mc_test_ksprintf("%.*s", (int)(end - s), s), *hash = strstr(v, " #");
		if (hash)
			*hash = '\0';
		size_t n = strlen(v);
		while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\r'))
			v[--n] = '\0';
		return v;
	}
	return NULL;
}

/*
 * Every command of yaml that runs merge-request-check: `sh
 * .../scripts/ci/merge-request-check [--repo DIR] TARGET HEAD OUTDIR`, as
 * the script's usage line says.  Returns the only one (its words).
 */
static char **script_call(const char *yaml, const char *what, size_t *nwords)
{
	char **found = NULL;
	for (const char *l = yaml; *l;) {
		size_t len = strcspn(l, "\n");
		char *line = mc_test_ksprintf("%.*s", (int)len, l);
		l += len + (l[len] == '\n');
		char *s = line;
		while (*s == ' ')
			s++;
		if (*s == '#' || !strstr(s, "merge-request-check"))
			continue;
		if (*s == '-')
			s++;
		size_t n;
		char **w = shell_words(s, &n);
		if (found)
			fail_msg("%s runs merge-request-check twice", what);
		if (n < 2 || strcmp(w[0], "sh") || !strstr(w[1], "/scripts/ci/merge-request-check"))
			fail_msg("%s: '%s' does not run `sh .../scripts/ci/merge-request-check`", what, line);
		size_t i = 2;
		while (i < n && w[i][0] == '-') {
			if (strcmp(w[i], "--repo") || i + 1 >= n)
				fail_msg("%s: merge-request-check does not take '%s'", what, w[i]);
			i += 2;
		}
		if (n - i != 3)
			fail_msg("%s: merge-request-check gets %zu arguments, it takes 3 (TARGET HEAD OUTDIR): %s", what,
				 n - i, line);
		found = w;
		*nwords = n;
	}
	if (!found)
		fail_msg("%s does not run scripts/ci/merge-request-check", what);
	return found;
}

/* A template and its call of the script. */
typedef struct {
	const char *yaml;
	char **words;
	size_t nwords;
	const char *outdir;
} template_call;

/* Reads path and checks that its call passes target and head (as written). */
static template_call read_template(const char *path, const char *target, const char *head)
{
	template_call c;
	char *text = mc_test_read_file(path, NULL);
	if (!text)
		fail_msg("cannot read %s", path);
	c.yaml = mc_test_keep(text);
	c.words = script_call(c.yaml, path, &c.nwords);
	const char *const *tail = (const char *const *)c.words + c.nwords - 3;
	if (strcmp(tail[0], target) || strcmp(tail[1], head))
		fail_msg("%s: TARGET and HEAD are %s and %s, want %s and %s", path, tail[0], tail[1], target, head);
	c.outdir = tail[2];
	return c;
}

/* The usage line the script prints is the call the templates make. */
static void test_script_usage(void **state)
{
	(void)state;
	const char *argv[] = { "sh", CHECK_SCRIPT, "--help", NULL };
	mc_test_result r = mc_test_run_program_result("/bin/sh", argv);
	if (r.rc != 0 || strcmp(r.out, "usage: merge-request-check [--repo DIR] TARGET HEAD OUTDIR\n"))
		fail_msg("merge-request-check --help: exit %d\n%s%s", r.rc, r.out, r.err);
}

static void test_gitlab_template(void **state)
{
	(void)state;
	template_call c = read_template(GITLAB_YML, "$target", "$head");
	const char *yaml = c.yaml, *outdir = c.outdir;
	/* Where $target and $head come from. */
	static const char *const sources[] = {
		"target=$CI_MERGE_REQUEST_DIFF_BASE_SHA",
		"target=origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
		"head=${CI_MERGE_REQUEST_SOURCE_BRANCH_SHA:-$CI_COMMIT_SHA}",
		"$CI_PIPELINE_SOURCE == \"merge_request_event\"",
	};
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (!strstr(yaml, sources[i]))
			fail_msg("%s lacks %s", GITLAB_YML, sources[i]);

	/* The output directory is the one published. */
	if (strcmp(outdir, "$MIGCOMPAT_REPORT_DIR"))
		fail_msg("%s: OUTDIR is %s, want $MIGCOMPAT_REPORT_DIR", GITLAB_YML, outdir);
	const char *dir = yaml_value(yaml, "MIGCOMPAT_REPORT_DIR");
	if (!dir)
		fail_msg("%s does not set MIGCOMPAT_REPORT_DIR", GITLAB_YML);
	const char *report = yaml_value(yaml, "codequality");
	if (!report || strcmp(report, mc_test_ksprintf("%s/%s", dir, CODECLIMATE_NAME)))
		fail_msg("%s: codequality is %s, want %s/%s", GITLAB_YML, report ? report : "(none)", dir,
			 CODECLIMATE_NAME);
	if (!strstr(yaml, mc_test_ksprintf("- %s/\n", dir)))
		fail_msg("%s: %s/ is not an artifacts path", GITLAB_YML, dir);

	const char *depth = yaml_value(yaml, "GIT_DEPTH");
	if (!depth || strcmp(depth, "0"))
		fail_msg("%s: GIT_DEPTH is %s, want 0 (the merge base must be fetched)", GITLAB_YML,
			 depth ? depth : "(unset)");
	const char *flags = yaml_value(yaml, "GIT_FETCH_EXTRA_FLAGS");
	if (!flags || strstr(flags, "--filter"))
		fail_msg("%s: GIT_FETCH_EXTRA_FLAGS must be set without --filter (QEMU's template filters blobs)",
			 GITLAB_YML);
}

static void test_github_template(void **state)
{
	(void)state;
	template_call c = read_template(GITHUB_YML, "$BASE_SHA", "$HEAD_SHA");
	const char *yaml = c.yaml, *outdir = c.outdir;
	char **w = c.words;
	const char *base_sha = yaml_value(yaml, "BASE_SHA"), *head_sha = yaml_value(yaml, "HEAD_SHA");
	if (!base_sha || strcmp(base_sha, "${{ github.event.pull_request.base.sha }}") || !head_sha ||
	    strcmp(head_sha, "${{ github.event.pull_request.head.sha }}"))
		fail_msg("%s: BASE_SHA and HEAD_SHA are not the pull request's base.sha and head.sha", GITHUB_YML);
	/* The checkout the script reads: the head itself (not GitHub's merge commit), whole history. */
	if (c.nwords < 5 || strcmp(w[2], "--repo"))
		fail_msg("%s: merge-request-check gets no --repo", GITHUB_YML);
	const char *path = yaml_value(yaml, "path");
	if (!path || strcmp(path, w[3]))
		fail_msg("%s: the first checkout goes to %s, the script reads --repo %s", GITHUB_YML,
			 path ? path : "(none)", w[3]);
	const char *depth = yaml_value(yaml, "fetch-depth"), *ref = yaml_value(yaml, "ref");
	if (!depth || strcmp(depth, "0") || !ref || strcmp(ref, "${{ github.event.pull_request.head.sha }}"))
		fail_msg("%s: the first checkout needs ref: the head sha and fetch-depth: 0", GITHUB_YML);

	const char *sarif = yaml_value(yaml, "sarif_file");
	if (!sarif || strcmp(sarif, mc_test_ksprintf("%s/%s", outdir, SARIF_NAME)))
		fail_msg("%s: sarif_file is %s, want %s/%s", GITHUB_YML, sarif ? sarif : "(none)", outdir, SARIF_NAME);
	if (!strstr(yaml, "uses: github/codeql-action/upload-sarif@") || !strstr(yaml, "security-events: write"))
		fail_msg("%s: no upload-sarif step with security-events: write", GITHUB_YML);
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, mc_test_arena_release)
	const struct CMUnitTest tests[] = {
		T(test_merge_base_is_the_base),
		T(test_series),
		T(test_clean),
		T(test_errors),
		T(test_incomplete_clone),
		T(test_script_usage),
		T(test_gitlab_template),
		T(test_github_template),
	};
#undef T
	return cmocka_run_group_tests_name("ci", tests, group_setup, group_teardown) ? 1 : 0;
}
