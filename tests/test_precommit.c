/*
 * test_precommit.c - the pre-commit hook run by the real programs that run it
 * for users, not by /bin/sh alone (test_integrations.c does that):
 *
 *  - Debian's pre-commit framework (`pre-commit validate-manifest`, then
 *    `pre-commit try-repo <this source tree> migcompat` inside a fixture
 *    repository): the manifest must load (pre-commit 3.0 rejected
 *    `stages: [pre-commit]`, issue 19), a staged default change without its
 *    compat entry is blocked with the entry to add, a clean change and a
 *    change with only warnings pass, and the hook is registered for the
 *    commit stage only;
 *  - scripts/pre-commit installed as .git/hooks/pre-commit and driven by
 *    `git commit`: blocked, allowed once the suggested entry is staged, and
 *    skipped by --no-verify.
 *
 * Both programs are required: a missing one fails the test (scripts/lib/deps.sh
 * installs them), as a skipped test would hide the issue this file is for.
 *
 * try-repo clones this source tree with git (its HEAD commit, or a temporary
 * commit of uncommitted changes), so the tests need a git clone of migcompat,
 * as CI has.  Every program runs with HOME, TMPDIR, PRE_COMMIT_HOME and
 * XDG_CACHE_HOME inside the test's temporary directory and without the
 * system's git configuration: nothing is written outside it, and no user
 * setting (core.hooksPath, commit.gpgSign, SKIP) changes what runs.  No step
 * needs the network (language: script installs nothing).
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
#include <fcntl.h>
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
#define VIRTIO_BLK_H "include/hw/virtio/virtio-blk.h"
#define NUM_QUEUES_ENTRY "{ \"virtio-blk-device\", \"num-queues\", \"1\" }"
#define BASE_DEFAULT "conf.num_queues, 1)"
#define EDITED_DEFAULT "conf.num_queues, 4)"
/* The hook's own line when it blocks (scripts/pre-commit). */
#define HOOK_BLOCKS "pre-commit: migcompat found migration-compat errors"
/* The first words of the tool's summary line: the hook ran migcompat. */
#define SUMMARY "migcompat: "

static struct {
	char *tmp;        /* everything below lives here */
	char *home;       /* HOME (and XDG_CONFIG_HOME below it) of every program */
	char *tmpdir;     /* TMPDIR: try-repo's clones */
	char *pc_home;    /* PRE_COMMIT_HOME: the framework's store and log */
	char *xdg_cache;  /* XDG_CACHE_HOME: migcompat's facts cache */
	char *tool;       /* the binary under test, absolute: the hook runs in another directory */
} g;

/* ---- files -------------------------------------------------------------- */

/* Replaces the one occurrence of from by to in the file repo/path (fails on 0 or 2+). */
static void replace_in_file(const char *repo, const char *path, const char *from, const char *to)
{
	const char *full = mc_test_ksprintf("%s/%s", repo, path);
	char *text = mc_test_keep(mc_test_read_file(full, NULL));
	if (!text)
		fail_msg("cannot read %s: %s", full, strerror(errno));
	const char *p = strstr(text, from);
	if (!p)
		fail_msg("'%s' not found in %s", from, full);
	if (strstr(p + 1, from))
		fail_msg("'%s' occurs more than once in %s", from, full);
	if (mc_test_write_file(full, mc_test_ksprintf("%.*s%s%s", (int)(p - text), text, to, p + strlen(from))) != 0)
		fail_msg("cannot write %s", full);
}

/* Does text have a line holding a (and b, if not NULL)? */
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

/* ---- set-up ------------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	memset(&g, 0, sizeof(g));
	g.tmp = mc_test_tempdir("precommit");
	if (!g.tmp)
		return -1;
	g.home = mc_test_xsprintf("%s/home", g.tmp);
	g.tmpdir = mc_test_xsprintf("%s/tmp", g.tmp);
	g.pc_home = mc_test_xsprintf("%s/pre-commit-home", g.tmp);
	g.xdg_cache = mc_test_xsprintf("%s/xdg-cache", g.tmp);
	const char *const dirs[] = { g.home, g.tmpdir, g.pc_home, g.xdg_cache };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdir(dirs[i], 0700) < 0) {
			fprintf(stderr, "mkdir %s: %s\n", dirs[i], strerror(errno));
			return -1;
		}
	g.tool = realpath(mc_test_tool_path(), NULL);
	if (!g.tool) {
		fprintf(stderr, "the binary under test %s: %s\n", mc_test_tool_path(), strerror(errno));
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (g.tmp)
		mc_test_rmtree(g.tmp);
	free(g.tmp);
	free(g.home);
	free(g.tmpdir);
	free(g.pc_home);
	free(g.xdg_cache);
	free(g.tool);
	memset(&g, 0, sizeof(g));
	return 0;
}

/* ---- running programs --------------------------------------------------- */

/*
 * The absolute path of name on PATH; fails the test if there is none: these
 * tests are about the real programs, a stand-in or a skip would prove nothing.
 */
static const char *require_program(const char *name)
{
	const char *path = getenv("PATH");
	for (const char *p = path ? path : ""; *p;) {
		size_t len = strcspn(p, ":");
		if (len > 0) {
			char *cand = mc_test_ksprintf("%.*s/%s", (int)len, p, name);
			struct stat st;
			if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
				return cand;
		}
		p += len;
		if (*p)
			p++;
	}
	fail_msg("%s is not installed (not on PATH): apt-get install %s; scripts/test installs it "
		 "(DEPS in scripts/lib/deps.sh)",
		 name, name);
	return NULL;
}

static int capture_fd(void)
{
	char *path = mc_test_ksprintf("%s/out-XXXXXX", g.tmp);
	int fd = mkstemp(path);
	if (fd < 0)
		fail_msg("mkstemp: %s", strerror(errno));
	unlink(path);
	return fd;
}

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

/*
 * Runs the program name (found on PATH) with argv (argv[0] is the name) in
 * dir, in the environment the file comment describes.  Returns the exit
 * status (-1: no normal exit); stdout and stderr kept.
 */
static mc_test_result run_in(const char *dir, const char *name, const char *const *argv)
{
	const char *bin = require_program(name);
	int ofd = capture_fd(), efd = capture_fd();
	const char *config_home = mc_test_ksprintf("%s/.config", g.home);
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
		/* The binary under test, found by scripts/pre-commit (git and
		 * pre-commit pass the environment on to the hook). */
		setenv("MIGCOMPAT", g.tool, 1);
		setenv("XDG_CACHE_HOME", g.xdg_cache, 1);
		setenv("HOME", g.home, 1);
		setenv("XDG_CONFIG_HOME", config_home, 1);
		setenv("TMPDIR", g.tmpdir, 1);
		setenv("PRE_COMMIT_HOME", g.pc_home, 1);
		setenv("PRE_COMMIT_COLOR", "never", 1);
		/* No /etc/gitconfig (a core.hooksPath there would bypass .git/hooks). */
		setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
		/* git commit needs an identity; the global configuration is gone. */
		setenv("GIT_AUTHOR_NAME", "Test Author", 1);
		setenv("GIT_AUTHOR_EMAIL", "author@example.org", 1);
		setenv("GIT_COMMITTER_NAME", "Test Committer", 1);
		setenv("GIT_COMMITTER_EMAIL", "committer@example.org", 1);
		/* As if run from a shell, not from inside another hook: these would
		 * point git at another repository or index, SKIP would skip the hook. */
		unsetenv("GIT_DIR");
		unsetenv("GIT_WORK_TREE");
		unsetenv("GIT_INDEX_FILE");
		unsetenv("SKIP");
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	mc_test_result r;
	r.out = slurp_fd(ofd);
	r.err = slurp_fd(efd);
	r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return r;
}

/* `git ARGS...` in dir; fails the test unless it exits 0.  Returns stdout. */
static char *git_ok(const char *dir, const char *a1, const char *a2, const char *a3, const char *a4)
{
	const char *argv[] = { "git", a1, a2, a3, a4, NULL };
	mc_test_result r = run_in(dir, "git", argv);
	if (r.rc != 0)
		fail_msg("git %s %s %s %s in %s: exit %d\n%s%s", a1, a2 ? a2 : "", a3 ? a3 : "", a4 ? a4 : "", dir,
			 r.rc, r.out, r.err);
	return r.out;
}

/* The commit id of HEAD in repo. */
static const char *head_of(const char *repo)
{
	char *out = git_ok(repo, "rev-parse", "HEAD", NULL, NULL);
	out[strcspn(out, "\n")] = '\0';
	return out;
}

/* What a program printed, stdout then stderr (a hook's lines may go to either). */
static const char *all_output(mc_test_result r)
{
	return mc_test_ksprintf("%s%s", r.out, r.err);
}

/* num-queues 1 -> 4, staged with git add. */
static void stage_num_queues_change(const char *repo)
{
	replace_in_file(repo, VIRTIO_BLK_C, BASE_DEFAULT, EDITED_DEFAULT);
	git_ok(repo, "add", "--", VIRTIO_BLK_C, NULL);
}

/* ---- the pre-commit framework ------------------------------------------- */

/*
 * The source tree must be the top of a git work tree: try-repo clones it
 * (`git ls-remote PATH HEAD`), which a directory inside another repository
 * or an unpacked tarball is not.  Fails with that explanation rather than
 * with pre-commit's.
 */
static void require_source_repository(void)
{
	const char *argv[] = { "git", "-C", MC_SOURCE_DIR, "rev-parse", "--show-toplevel", NULL };
	mc_test_result r = run_in(g.tmp, "git", argv);
	char *top = r.out;
	top[strcspn(top, "\n")] = '\0';
	char *want = mc_test_keep(realpath(MC_SOURCE_DIR, NULL));
	char *have = r.rc == 0 ? mc_test_keep(realpath(top, NULL)) : NULL;
	if (!want || !have || strcmp(want, have))
		fail_msg("%s is not the top of a git work tree (git rev-parse: exit %d, '%s'): pre-commit try-repo "
			 "installs the hook from a git repository; run the tests in a git clone of migcompat\n%s",
			 MC_SOURCE_DIR, r.rc, top, r.err);
}

/*
 * `pre-commit try-repo <source tree> migcompat [extra...]` in repo: what a
 * .pre-commit-config.yaml with `repo: <migcompat>, hooks: [{id: migcompat}]`
 * runs at `git commit`, on the staged files.
 */
static mc_test_result try_repo(const char *repo, const char *a1, const char *a2)
{
	require_source_repository();
	const char *argv[] = { "pre-commit", "try-repo", MC_SOURCE_DIR, "migcompat", "--color=never", a1, a2, NULL };
	mc_test_result r = run_in(repo, "pre-commit", argv);
	/* pre-commit's own failures (a manifest it rejects, a clone that fails)
	 * are not the hook's verdict; say so instead of "exit 1, want 0". */
	if (strstr(r.out, "An error has occurred") || strstr(r.err, "An error has occurred"))
		fail_msg("pre-commit try-repo %s %s did not get to run the hook:\n%s", a1 ? a1 : "", a2 ? a2 : "",
			 all_output(r));
	return r;
}

/* The manifest as the installed pre-commit loads it: the error of issue 19. */
static void test_manifest_valid(void **state)
{
	(void)state;
	const char *version_argv[] = { "pre-commit", "--version", NULL };
	mc_test_result v = run_in(g.tmp, "pre-commit", version_argv);
	if (v.rc != 0)
		fail_msg("pre-commit --version: exit %d\n%s%s", v.rc, v.out, v.err);
	v.out[strcspn(v.out, "\n")] = '\0';
	const char *argv[] = { "pre-commit", "validate-manifest", HOOKS_YAML, NULL };
	mc_test_result r = run_in(g.tmp, "pre-commit", argv);
	if (r.rc != 0)
		fail_msg("%s rejects %s: exit %d\n%s%s", v.out, HOOKS_YAML, r.rc, r.out, r.err);
}

/* Is line (without its newline) one of the lines of text? */
static int has_line(const char *text, const char *line, size_t len)
{
	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\n");
		if (n == len && !memcmp(l, line, len))
			return 1;
		l += n;
		if (*l)
			l++;
	}
	return 0;
}

/*
 * Every line the tool prints for `check --cached HEAD` in repo, except its
 * summary (which counts parses, and the facts cache changes those), is in
 * what the hook printed: the framework shows the tool's findings unchanged.
 */
static void expect_findings_of_check_cached(const char *repo, const char *hook_output, int want_rc)
{
	const char *argv[] = { "migcompat", "check", "--repo", repo, "--no-cache", "--cached", "HEAD", NULL };
	mc_test_result d = mc_test_run_result(argv);
	if (d.rc != want_rc)
		fail_msg("check --cached HEAD: exit %d, want %d\n%s%s", d.rc, want_rc, d.out, d.err);
	const char *text = all_output(d);
	size_t findings = 0;
	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\n");
		if (n > 0 && strncmp(l, SUMMARY, strlen(SUMMARY))) {
			if (!has_line(hook_output, l, n))
				fail_msg("check --cached prints '%.*s', the hook did not:\n%s", (int)n, l, hook_output);
			findings++;
		}
		l += n;
		if (*l)
			l++;
	}
	if (findings == 0)
		fail_msg("check --cached HEAD printed no finding:\n%s", text);
}

/*
 * The case of issue 19: a staged default change without its compat entry is
 * blocked by the framework, with the entry to add.
 */
static void test_framework_blocks_missing_entry(void **state)
{
	(void)state;
	const char *repo = mc_test_fresh_example_repo(g.tmp, "framework-blocks");
	stage_num_queues_change(repo);
	mc_test_result r = try_repo(repo, NULL, NULL);
	const char *out = all_output(r);
	if (r.rc == 0)
		fail_msg("pre-commit try-repo let the num-queues change without its compat entry through:\n%s", out);
	if (r.rc != 1 || !has_line_with(out, "migcompat", "Failed"))
		fail_msg("pre-commit try-repo: exit %d, want 1 with the migcompat hook failed:\n%s", r.rc, out);
	if (!has_line_with(out, NUM_QUEUES_ENTRY, "hw_compat_10_1"))
		fail_msg("pre-commit try-repo: no line suggests %s in hw_compat_10_1:\n%s", NUM_QUEUES_ENTRY, out);
	if (!has_line_with(out, HOOK_BLOCKS, NULL))
		fail_msg("pre-commit try-repo: scripts/pre-commit did not say why it blocks:\n%s", out);
	expect_findings_of_check_cached(repo, out, 1);

	/* The framework gave the index back as it was: the change is still staged. */
	char *staged = git_ok(repo, "diff", "--cached", "--name-only", NULL);
	if (!has_line(staged, VIRTIO_BLK_C, strlen(VIRTIO_BLK_C)))
		fail_msg("after pre-commit try-repo, %s is no longer staged:\n%s", VIRTIO_BLK_C, staged);
	mc_test_rmtree(repo);
}

/*
 * A clean change and a change with only warnings go through; --verbose shows
 * the hook's output when it passes, so the test sees that migcompat ran (and
 * shows the warning) instead of being skipped.
 */
static void test_framework_lets_through(void **state)
{
	(void)state;
	const char *repo = mc_test_fresh_example_repo(g.tmp, "framework-passes");

	/* good: a default changed with its compat entry. */
	git_ok(repo, "checkout", "good", "--", ".");
	mc_test_result r = try_repo(repo, "--verbose", NULL);
	const char *out = all_output(r);
	if (r.rc != 0 || !has_line_with(out, "migcompat", "Passed"))
		fail_msg("pre-commit try-repo with a clean change staged: exit %d, want 0 with the hook passed:\n%s",
			 r.rc, out);
	if (!has_line_with(out, SUMMARY "0 errors, 0 warnings", NULL))
		fail_msg("pre-commit try-repo with a clean change: no migcompat summary, did the hook run?\n%s", out);

	/* new-prop-on: a new property defaulting to on, a warning only. */
	git_ok(repo, "reset", "--quiet", "--hard", NULL);
	git_ok(repo, "checkout", "new-prop-on", "--", ".");
	r = try_repo(repo, "--verbose", NULL);
	out = all_output(r);
	if (r.rc != 0 || !has_line_with(out, "migcompat", "Passed"))
		fail_msg("pre-commit try-repo with only a warning staged: exit %d, want 0 with the hook passed:\n%s",
			 r.rc, out);
	if (!has_line_with(out, "warning:", "[new-property-enabled]"))
		fail_msg("pre-commit try-repo: the new-property-enabled warning is not shown:\n%s", out);
	expect_findings_of_check_cached(repo, out, 1);
	mc_test_rmtree(repo);
}

/*
 * The manifest names the commit stage, so a checkout that also installs
 * pre-push (or commit-msg, post-checkout, ...) hooks does not check its index
 * there: a push is not blocked by a staged change it does not carry.  try-repo
 * with a hook id says so when the hook has no such stage.
 */
static void test_framework_commit_stage_only(void **state)
{
	(void)state;
	const char *repo = mc_test_fresh_example_repo(g.tmp, "framework-stage");
	stage_num_queues_change(repo);
	mc_test_result r = try_repo(repo, "--hook-stage", "push");
	const char *out = all_output(r);
	if (has_line_with(out, SUMMARY, NULL) || has_line_with(out, HOOK_BLOCKS, NULL))
		fail_msg("pre-commit try-repo --hook-stage push ran migcompat:\n%s", out);
	if (!has_line_with(out, "No hook with id `migcompat` in stage", NULL))
		fail_msg("pre-commit try-repo --hook-stage push: exit %d, want 'No hook with id `migcompat` in "
			 "stage':\n%s",
			 r.rc, out);
	mc_test_rmtree(repo);
}

/* ---- .git/hooks/pre-commit run by git commit ----------------------------- */

/* cp scripts/pre-commit repo/.git/hooks/pre-commit, executable, as the README says. */
static void install_hook(const char *repo)
{
	const char *dir = mc_test_ksprintf("%s/.git/hooks", repo);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", dir, strerror(errno));
	char *script = mc_test_keep(mc_test_read_file(HOOK_SCRIPT, NULL));
	if (!script)
		fail_msg("cannot read %s", HOOK_SCRIPT);
	const char *hook = mc_test_ksprintf("%s/pre-commit", dir);
	if (mc_test_write_file(hook, script) != 0 || chmod(hook, 0755) < 0)
		fail_msg("cannot install %s", hook);
}

static mc_test_result git_commit(const char *repo, const char *message, const char *option)
{
	const char *argv[] = { "git", "commit", "--quiet", "-m", message, option, NULL };
	return run_in(repo, "git", argv);
}

/*
 * The entry migcompat suggests, applied as a developer would: the note line
 * "note: add ENTRY to ARRAY in FILE" of the blocked commit's output; ENTRY
 * goes first into ARRAY in FILE, which is staged.
 */
static void add_suggested_entry(const char *repo, const char *output)
{
	const char *at = strstr(output, "note: add {");
	if (!at)
		fail_msg("no 'note: add {...}' suggestion in:\n%s", output);
	at += strlen("note: add ");
	size_t line_len = strcspn(at, "\n");
	char *line = mc_test_ksprintf("%.*s", (int)line_len, at);
	char *to = strstr(line, " to "), *in = to ? strstr(to, " in ") : NULL;
	if (!to || !in)
		fail_msg("cannot read the suggestion 'add %s'", line);
	*to = '\0';
	*in = '\0';
	const char *entry = line, *array = to + strlen(" to "), *file = in + strlen(" in ");
	replace_in_file(repo, file, mc_test_ksprintf("%s[] = {", array),
			mc_test_ksprintf("%s[] = {\n    %s,\n", array, entry));
	git_ok(repo, "add", "--", file, NULL);
}

static void test_git_commit_runs_hook(void **state)
{
	(void)state;
	const char *repo = mc_test_fresh_example_repo(g.tmp, "git-commit");
	install_hook(repo);
	const char *base = head_of(repo);

	/* The change without its entry: git commit fails, HEAD stays. */
	stage_num_queues_change(repo);
	mc_test_result r = git_commit(repo, "virtio-blk: four queues by default", NULL);
	const char *out = all_output(r);
	if (r.rc == 0)
		fail_msg("git commit let the num-queues change without its compat entry through:\n%s", out);
	if (!has_line_with(out, NUM_QUEUES_ENTRY, "hw_compat_10_1") || !has_line_with(out, HOOK_BLOCKS, NULL))
		fail_msg("git commit (exit %d): the hook did not block with the entry to add:\n%s", r.rc, out);
	if (strcmp(head_of(repo), base))
		fail_msg("git commit failed but HEAD moved");

	/* The suggested entry staged too: the commit is made, and the hook ran. */
	add_suggested_entry(repo, out);
	r = git_commit(repo, "virtio-blk: four queues by default", NULL);
	out = all_output(r);
	if (r.rc != 0)
		fail_msg("git commit with the suggested entry staged: exit %d, want 0:\n%s", r.rc, out);
	if (!has_line_with(out, SUMMARY "0 errors", NULL))
		fail_msg("git commit with the entry: no migcompat summary, did the hook run?\n%s", out);
	const char *fixed = head_of(repo);
	if (!strcmp(fixed, base))
		fail_msg("git commit exited 0 but HEAD did not move");

	/* Another default changed without its entry (queue-size, as in header-only):
	 * blocked, then committed anyway with --no-verify, which skips the hook. */
	git_ok(repo, "checkout", "header-only", "--", VIRTIO_BLK_H);
	r = git_commit(repo, "virtio-blk: smaller rings", NULL);
	out = all_output(r);
	if (r.rc == 0 || !has_line_with(out, HOOK_BLOCKS, NULL) || !has_line_with(out, "queue-size", "[compat-missing]"))
		fail_msg("git commit of the queue-size change: exit %d, want it blocked by the hook:\n%s", r.rc, out);
	if (strcmp(head_of(repo), fixed))
		fail_msg("git commit of the queue-size change failed but HEAD moved");
	r = git_commit(repo, "virtio-blk: smaller rings", "--no-verify");
	out = all_output(r);
	if (r.rc != 0)
		fail_msg("git commit --no-verify: exit %d, want 0:\n%s", r.rc, out);
	if (has_line_with(out, SUMMARY, NULL))
		fail_msg("git commit --no-verify ran the hook:\n%s", out);
	const char *skipped = head_of(repo);
	if (!strcmp(skipped, fixed))
		fail_msg("git commit --no-verify exited 0 but HEAD did not move");
	char *subject = git_ok(repo, "log", "-1", "--format=%s", NULL);
	if (strcmp(subject, "virtio-blk: smaller rings\n"))
		fail_msg("HEAD is '%s', want the queue-size commit", subject);
	mc_test_rmtree(repo);
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, mc_test_arena_release)
	const struct CMUnitTest tests[] = {
		T(test_manifest_valid),
		T(test_framework_blocks_missing_entry),
		T(test_framework_lets_through),
		T(test_framework_commit_stage_only),
		T(test_git_commit_runs_hook),
	};
#undef T
	return cmocka_run_group_tests_name("precommit", tests, group_setup, group_teardown) ? 1 : 0;
}
