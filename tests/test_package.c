/*
 * test_package.c - what a packager, a CI runner or a bot host installs.
 *
 *  - `cmake --install` puts the binary in bin/, the page in share/man/man1/,
 *    and the git hook and the review bot, executable, in share/migcompat/;
 *  - `cpack -G DEB` makes migcompat_VERSION_ARCH.deb with those files under
 *    /usr and Depends on the shared libraries' packages;
 *  - the .deb installs with dpkg into a scratch root (its own dpkg database,
 *    nothing else installed there, so its dependencies are forced), and the
 *    binary installed there runs and prints its version;
 *  - apt, on this host, resolves its dependencies: `apt-get -s install ./x.deb`,
 *    the simulation of what the README tells a bot host to run.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture_repo.h"
#include "test_util.h"

#define MAN_PAGE MC_SOURCE_DIR "/doc/migcompat.1"

static struct {
	char *tmp;
	char *deb; /* built once by the first test that needs it */
} g;


/* A regular, non-empty file; executable when asked. */
static void expect_file(const char *root, const char *path, int executable)
{
	struct stat st;
	const char *file = mc_test_ksprintf("%s/%s", root, path);
	if (stat(file, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		fail_msg("%s: %s is missing or empty", root, path);
	if (executable && !(st.st_mode & S_IXUSR))
		fail_msg("%s: %s is not executable", root, path);
}

static void test_installed(void **state)
{
	(void)state;
	const char *prefix = mc_test_ksprintf("%s/prefix", g.tmp);
	const char *argv[] = { "cmake", "--install", MC_BINARY_DIR, "--prefix", prefix, NULL };
	mc_test_result r = mc_test_run_program_result(MC_CMAKE_COMMAND, argv);
	if (r.rc != 0)
		fail_msg("cmake --install %s --prefix %s: exit %d\n%s%s", MC_BINARY_DIR, prefix, r.rc, r.out, r.err);
	expect_file(prefix, "bin/migcompat", 1);
	expect_file(prefix, "share/man/man1/migcompat.1", 0);
	expect_file(prefix, "share/migcompat/pre-commit", 1);
	expect_file(prefix, "share/migcompat/review-bot", 1);
	char *installed = mc_test_read_file(mc_test_ksprintf("%s/share/man/man1/migcompat.1", prefix), NULL);
	char *page = mc_test_read_file(MAN_PAGE, NULL);
	int same = installed && page && strcmp(installed, page) == 0;
	free(installed);
	free(page);
	if (!same)
		fail_msg("the installed man page is not %s", MAN_PAGE);
}

/* The .deb cpack makes from this build, made once. */
static const char *package(void)
{
	if (g.deb)
		return g.deb;
	const char *out = mc_test_ksprintf("%s/cpack", g.tmp);
	mc_test_result r = mc_test_sh(mc_test_ksprintf("'%s' -G DEB --config '%s/CPackConfig.cmake' -B '%s'", MC_CPACK_COMMAND,
					       MC_BINARY_DIR, out));
	if (r.rc != 0)
		fail_msg("cpack -G DEB: exit %d\n%s%s", r.rc, r.out, r.err);
	const char *arch = mc_test_sh_ok("dpkg --print-architecture | tr -d '\\n'");
	g.deb = mc_test_xsprintf("%s/migcompat_%s_%s.deb", out, MC_PROJECT_VERSION, arch);
	struct stat st;
	if (stat(g.deb, &st) != 0)
		fail_msg("cpack made no %s:\n%s", g.deb, mc_test_sh_ok(mc_test_ksprintf("ls '%s'", out)));
	return g.deb;
}

static void test_deb_metadata(void **state)
{
	(void)state;
	const char *deb = package();
	const char *fields = mc_test_sh_ok(mc_test_ksprintf("dpkg-deb -f '%s' Package Version Depends", deb));
	assert_non_null(strstr(fields, "Package: migcompat\n"));
	assert_non_null(strstr(fields, mc_test_ksprintf("Version: %s\n", MC_PROJECT_VERSION)));
	/* dpkg-shlibdeps found the libraries; clang's headers are named by hand. */
	assert_non_null(strstr(fields, "libgit2"));
	assert_non_null(strstr(fields, "libclang1-14"));
	assert_non_null(strstr(fields, "libjansson"));
	assert_non_null(strstr(fields, "libclang-common-14-dev"));
	const char *files = mc_test_sh_ok(mc_test_ksprintf("dpkg-deb -c '%s'", deb));
	assert_non_null(strstr(files, "./usr/bin/migcompat\n"));
	assert_non_null(strstr(files, "./usr/share/man/man1/migcompat.1"));
	assert_non_null(strstr(files, "./usr/share/migcompat/review-bot\n"));
}

static void test_deb_installs_and_runs(void **state)
{
	(void)state;
	const char *deb = package();
	const char *root = mc_test_ksprintf("%s/root", g.tmp);
	mc_test_sh_ok(mc_test_ksprintf("mkdir -p '%s/var/lib/dpkg/info' '%s/var/lib/dpkg/updates' && "
			       ": > '%s/var/lib/dpkg/status' && : > '%s/var/lib/dpkg/available'",
			       root, root, root, root));
	mc_test_sh_ok(mc_test_ksprintf("dpkg --root='%s' --log=/dev/null --force-not-root --force-depends "
			       "--force-script-chrootless -i '%s'",
			       root, deb));
	assert_non_null(strstr(mc_test_sh_ok(mc_test_ksprintf("dpkg --root='%s' -s migcompat", root)),
			       "Status: install ok installed"));
	const char *version = mc_test_sh_ok(mc_test_ksprintf("'%s/usr/bin/migcompat' --version", root));
	assert_string_equal(version, mc_test_ksprintf("migcompat %s\n", MC_PROJECT_VERSION));
	expect_file(root, "usr/share/migcompat/pre-commit", 1);
	/* What `apt install ./migcompat_*.deb` would do here: every dependency resolves. */
	mc_test_result r = mc_test_sh(mc_test_ksprintf("apt-get -s -o Debug::NoLocking=1 install '%s'", deb));
	if (r.rc != 0 || !strstr(r.out, "Inst migcompat"))
		fail_msg("apt-get -s install %s: exit %d\n%s%s", deb, r.rc, r.out, r.err);
}

static int group_setup(void **state)
{
	(void)state;
	g.tmp = mc_test_tempdir("package");
	return g.tmp ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	if (g.tmp)
		mc_test_rmtree(g.tmp);
	free(g.tmp);
	free(g.deb);
	return 0;
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, mc_test_arena_release)
	const struct CMUnitTest tests[] = {
		T(test_installed),
		T(test_deb_metadata),
		T(test_deb_installs_and_runs),
	};
#undef T
	return cmocka_run_group_tests_name("package", tests, group_setup, group_teardown) ? 1 : 0;
}
