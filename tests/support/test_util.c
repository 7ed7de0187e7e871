/*
 * test_util.c - helpers shared by the end-to-end tests; see test_util.h.
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
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture_repo.h"
#include "test_util.h"

/* ---- the example repository of a test program ---------------------------- */

int mc_test_example_repo(const char *tag, char **tmp, char **repo)
{
	*repo = NULL;
	*tmp = mc_test_tempdir(tag);
	if (!*tmp)
		return -1;
	if (asprintf(repo, "%s/repo", *tmp) < 0) {
		*repo = NULL;
		return -1;
	}
	return mc_fixture_repo_build(MC_TEST_EXAMPLE_DIR, *repo) != 0 ? -1 : 0;
}

void mc_test_example_repo_remove(char **tmp, char **repo)
{
	if (*tmp)
		mc_test_rmtree(*tmp);
	free(*tmp);
	free(*repo);
	*tmp = NULL;
	*repo = NULL;
}

const char *mc_test_fresh_example_repo(const char *parent, const char *name)
{
	char *dir = mc_test_ksprintf("%s/%s", parent, name);
	mc_test_rmtree(dir);
	if (mc_fixture_repo_build(MC_TEST_EXAMPLE_DIR, dir) != 0)
		fail_msg("cannot build the fixture repository in %s", dir);
	return dir;
}

/* ---- the arena ----------------------------------------------------------- */

static struct {
	void **ptrs;     /* malloc'd memory */
	size_t n, cap;
	void **json;     /* json_t values */
	size_t nj, capj;
	void **dirs;     /* directories (char *) */
	size_t nd, capd;
} arena;

/* Appends item to a growing array of pointers (aborts when out of memory). */
static void push(void ***items, size_t *n, size_t *cap, size_t first_cap, void *item)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : first_cap;
		*items = realloc(*items, *cap * sizeof(**items));
		if (!*items)
			abort();
	}
	(*items)[(*n)++] = item;
}

void *mc_test_keep(void *p)
{
	push(&arena.ptrs, &arena.n, &arena.cap, 64, p);
	return p;
}

json_t *mc_test_keep_json(json_t *j)
{
	push(&arena.json, &arena.nj, &arena.capj, 16, j);
	return j;
}

void mc_test_keep_dir(const char *dir)
{
	push(&arena.dirs, &arena.nd, &arena.capd, 8, (void *)dir);
}

int mc_test_arena_release(void **state)
{
	(void)state;
	for (size_t i = 0; i < arena.nd; i++) {
		const char *dir = arena.dirs[i];
		chmod(dir, 0700);  /* a test may have made it read-only */
		mc_test_rmtree(dir);
	}
	for (size_t i = 0; i < arena.n; i++)
		free(arena.ptrs[i]);
	for (size_t i = 0; i < arena.nj; i++)
		json_decref((json_t *)arena.json[i]);
	free(arena.ptrs);
	free(arena.json);
	free(arena.dirs);
	memset(&arena, 0, sizeof(arena));
	return 0;
}

static char *vxsprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vxsprintf(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

char *mc_test_xsprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vxsprintf(fmt, ap);
	va_end(ap);
	return s;
}

char *mc_test_ksprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vxsprintf(fmt, ap);
	va_end(ap);
	return mc_test_keep(s);
}

/* ---- running the tool ---------------------------------------------------- */

const char *mc_test_tool_path(void)
{
	const char *bin = getenv("MIGCOMPAT_BIN");
	return bin && *bin ? bin : MC_BINARY_DIR "/migcompat";
}

int mc_test_run_kept(const char *const *argv, char **out, char **err)
{
	int rc = mc_test_run_tool(argv, out, err);
	mc_test_keep(*out);
	mc_test_keep(*err);
	return rc;
}

mc_test_result mc_test_run_result(const char *const *argv)
{
	mc_test_result r;
	r.rc = mc_test_run_kept(argv, &r.out, &r.err);
	return r;
}

mc_test_result mc_test_run_program_result(const char *bin, const char *const *argv)
{
	mc_test_result r;
	r.rc = mc_test_run_program(bin, argv, &r.out, &r.err);
	mc_test_keep(r.out);
	mc_test_keep(r.err);
	return r;
}

/* ---- text and files ------------------------------------------------------ */

size_t mc_test_count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

int mc_test_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t len = strlen(text);
	int ok = fwrite(text, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

char *mc_test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap);
	if (!buf)
		abort();
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 2) {
			cap *= 2;
			if (!(buf = realloc(buf, cap)))
				abort();
		}
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int mc_test_line_of(const char *text, const char *needle)
{
	int line = 1;
	for (const char *p = text; *p; line++) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (memmem(p, len, needle, strlen(needle)))
			return line;
		if (!eol)
			break;
		p = eol + 1;
	}
	return 0;
}

int mc_test_fixture_line(const char *step_dir, const char *path, const char *needle)
{
	char *text = NULL;
	if (step_dir)
		text = mc_test_read_file(mc_test_ksprintf("%s/steps/%s/files/%s", MC_TEST_EXAMPLE_DIR, step_dir, path),
					 NULL);
	if (!text)
		text = mc_test_read_file(mc_test_ksprintf("%s/tree/%s", MC_TEST_EXAMPLE_DIR, path), NULL);
	if (!text)
		fail_msg("fixture file %s not found", path);
	mc_test_keep(text);
	int line = mc_test_line_of(text, needle);
	if (!line)
		fail_msg("'%s' not found in the %s version of %s", needle, step_dir ? step_dir : "base", path);
	return line;
}

/* ---- JSON ---------------------------------------------------------------- */

json_t *mc_test_parse_json(const char *text, const char *what)
{
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr);
	if (!root)
		fail_msg("%s: stdout is not JSON (line %d: %s):\n%s", what, jerr.line, jerr.text, text);
	return mc_test_keep_json(root);
}

json_t *mc_test_parse_json_object(const char *text, const char *what)
{
	json_t *root = mc_test_parse_json(text, what);
	if (!json_is_object(root))
		fail_msg("%s: the JSON report is not an object", what);
	return root;
}

const char *mc_test_jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int mc_test_is_hex40(const char *s)
{
	if (!s || strlen(s) != 40)
		return 0;
	for (int i = 0; i < 40; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	return 1;
}

/* ---- a directory before and after a run ---------------------------------- */

/* nftw has no user pointer: the walk in progress. */
static struct {
	size_t root_len;
	char **lines;
	size_t n, cap;
} snap;

static uint64_t fnv1a(const char *data, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)data[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int snap_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	const char *rel = path + snap.root_len;
	char kind = flag == FTW_D || flag == FTW_DP ? 'd' : flag == FTW_SL ? 'l' : S_ISREG(st->st_mode) ? 'f' : '?';
	uint64_t h = 0;
	long long size = kind == 'd' ? 0 : (long long)st->st_size;
	if (kind == 'f') {
		FILE *f = fopen(path, "rb");
		if (f) {
			char *buf = malloc((size_t)st->st_size + 1);
			if (!buf)
				abort();
			size_t got = fread(buf, 1, (size_t)st->st_size, f);
			fclose(f);
			h = fnv1a(buf, got);
			free(buf);
		}
	} else if (kind == 'l') {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof(target));
		h = n > 0 ? fnv1a(target, (size_t)n) : 0;
	}
	if (snap.n == snap.cap) {
		snap.cap = snap.cap ? 2 * snap.cap : 256;
		snap.lines = realloc(snap.lines, snap.cap * sizeof(*snap.lines));
		if (!snap.lines)
			abort();
	}
	if (asprintf(&snap.lines[snap.n++], "%c %s %lld %016llx", kind, *rel ? rel : "/", size,
		     (unsigned long long)h) < 0)
		abort();
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *mc_test_dir_snapshot(const char *dir)
{
	memset(&snap, 0, sizeof(snap));
	snap.root_len = strlen(dir);
	if (nftw(dir, snap_entry, 32, FTW_PHYS) != 0)
		fail_msg("cannot walk %s", dir);
	qsort(snap.lines, snap.n, sizeof(*snap.lines), cmp_str);
	size_t len = 1;
	for (size_t i = 0; i < snap.n; i++)
		len += strlen(snap.lines[i]) + 1;
	char *s = malloc(len), *p = s;
	if (!s)
		abort();
	for (size_t i = 0; i < snap.n; i++) {
		size_t l = strlen(snap.lines[i]);
		memcpy(p, snap.lines[i], l);
		p[l] = '\n';
		p += l + 1;
		free(snap.lines[i]);
	}
	*p = '\0';
	free(snap.lines);
	memset(&snap, 0, sizeof(snap));
	return mc_test_keep(s);
}

void mc_test_expect_same_snapshot(const char *before, const char *after, const char *what)
{
	if (!strcmp(before, after))
		return;
	/* Name the first entry that differs. */
	const char *a = before, *b = after;
	while (*a && *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
		if (la != lb || memcmp(a, b, la))
			fail_msg("%s changed the repository: before '%.*s', after '%.*s'", what, (int)la, a, (int)lb, b);
		a += la + 1;
		b += lb + 1;
	}
	fail_msg("%s changed the repository: entries %s", what, *a ? "removed" : "added");
}

mc_test_result mc_test_sh(const char *script)
{
	const char *argv[] = { "sh", "-c", script, NULL };
	return mc_test_run_program_result("/bin/sh", argv);
}

const char *mc_test_sh_ok(const char *script)
{
	mc_test_result r = mc_test_sh(script);
	if (r.rc != 0)
		fail_msg("%s: exit %d\n%s%s", script, r.rc, r.out, r.err);
	return r.out;
}
