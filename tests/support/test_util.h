/*
 * test_util.h - helpers shared by the end-to-end tests that run the migcompat
 * binary (test_check, test_cli, test_show, test_cache, test_integrations).
 *
 * They were copied from test to test; one copy here keeps the tests' failure
 * handling and their view of the tool's output the same everywhere.  The
 * functions that report a failure use cmocka's fail_msg(), so they are meant
 * to be called from inside a cmocka test.
 */
#ifndef MC_TEST_UTIL_H
#define MC_TEST_UTIL_H

#include <stddef.h>

#include <jansson.h>

/* The example fixture every end-to-end test builds its repository from. */
#define MC_TEST_EXAMPLE_DIR MC_SOURCE_DIR "/fixtures/example"

/* ---- the example repository of a test program ---------------------------- */

/*
 * For a group set-up: a fresh temporary directory for the test program
 * (mc_test_tempdir(tag), in *tmp) with fixtures/example built into
 * *tmp/repo (in *repo).  Returns 0, or -1.
 */
int mc_test_example_repo(const char *tag, char **tmp, char **repo);

/* For the group teardown: removes *tmp and everything below it, frees and clears both. */
void mc_test_example_repo_remove(char **tmp, char **repo);

/* A fresh fixtures/example repository at parent/name (kept path) that a test may change. */
const char *mc_test_fresh_example_repo(const char *parent, const char *name);

/* ---- the arena ----------------------------------------------------------- */

/*
 * Everything a test allocates is kept here and released by the per-test
 * teardown mc_test_arena_release, which cmocka also runs after a failed
 * assertion: a failing test reports its assertion, not a leak.
 */

/* Keeps p (malloc'd, may be NULL) to be freed at release; returns p. */
void *mc_test_keep(void *p);

/* Keeps a JSON value to be json_decref'd at release; returns j. */
json_t *mc_test_keep_json(json_t *j);

/*
 * Keeps a directory the test made, to be removed (after chmod u+rwx, as a
 * test may have made it read-only) at release, before the kept memory is
 * freed: dir itself may be kept memory.
 */
void mc_test_keep_dir(const char *dir);

/* Removes the kept directories, frees the kept memory and JSON; a cmocka teardown. */
int mc_test_arena_release(void **state);

/* asprintf that aborts on failure; not kept: the caller frees (usable in group set-ups). */
char *mc_test_xsprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* asprintf into kept memory. */
char *mc_test_ksprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- running the tool ---------------------------------------------------- */

/* The binary under test: $MIGCOMPAT_BIN, else MC_BINARY_DIR/migcompat (as mc_test_run_tool). */
const char *mc_test_tool_path(void);

/* mc_test_run_tool with stdout and stderr kept in the arena. */
int mc_test_run_kept(const char *const *argv, char **out, char **err);

/* One run of the tool: exit status, and kept stdout and stderr. */
typedef struct {
	int rc;
	char *out, *err;
} mc_test_result;

/* mc_test_run_kept, as an mc_test_result. */
mc_test_result mc_test_run_result(const char *const *argv);

/* mc_test_run_program (any program, e.g. a script's interpreter), as an mc_test_result. */
mc_test_result mc_test_run_program_result(const char *bin, const char *const *argv);

/* script run by /bin/sh -c, as an mc_test_result. */
mc_test_result mc_test_sh(const char *script);
/* The same, failing the test unless it exits 0; returns its kept standard output. */
const char *mc_test_sh_ok(const char *script);

/* ---- text and files ------------------------------------------------------ */

/* The number of newlines in s. */
size_t mc_test_count_lines(const char *s);

/*
 * The whole file, NUL-terminated, in malloc'd memory the caller frees (not
 * kept); its length in *len if len is not NULL.  NULL if it cannot be opened
 * (errno says why).
 */
char *mc_test_read_file(const char *path, size_t *len);
/* Writes text to path, replacing it: 0, or -1 (errno set). */
int mc_test_write_file(const char *path, const char *text);

/* The 1-based line of the first line of text holding needle, or 0. */
int mc_test_line_of(const char *text, const char *needle);

/*
 * The line of the first line holding needle in a step's version of path in
 * fixtures/example (step_dir NULL: the base tree; a step that does not change
 * path: the base tree too).  Fails the test if there is none: line numbers
 * are read from the fixture, never written into a test.
 */
int mc_test_fixture_line(const char *step_dir, const char *path, const char *needle);

/* ---- JSON ---------------------------------------------------------------- */

/* Parses the tool's JSON output (any JSON value), kept; fails the test on invalid JSON. */
json_t *mc_test_parse_json(const char *text, const char *what);

/* mc_test_parse_json, and fails the test unless the value is an object (a report). */
json_t *mc_test_parse_json_object(const char *text, const char *what);

/* The string member key of o, or NULL (no o, no key, not a string). */
const char *mc_test_jstr(json_t *o, const char *key);

/* A full commit id as the tool prints it: 40 lower-case hex digits. */
int mc_test_is_hex40(const char *s);

/* ---- a directory before and after a run ---------------------------------- */

/*
 * Every path under dir with its type, size and content hash (FNV-1a), sorted,
 * one per line, kept.  Two snapshots are equal when the tool wrote nothing
 * under dir (used on .git and on the work tree: the tool must be read only).
 */
char *mc_test_dir_snapshot(const char *dir);

/* Fails the test, naming the first entry that differs, unless before and after are equal. */
void mc_test_expect_same_snapshot(const char *before, const char *after, const char *what);

#endif
