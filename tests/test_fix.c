/*
 * test_fix.c - --fix patches on arrays written every way C allows.
 *
 * Each case gives a file, the entries the findings ask for, and the file as
 * it must be after `git apply` of the patch (or the reason the fix declines).
 * The patch is applied by git itself, in a scratch directory, so a wrong hunk
 * header or context fails here as it would for the user.
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

#include "report/fix.h"
#include "fixture_repo.h"
#include "test_util.h"

#define FILE_NAME "m.c"

typedef struct {
	const char *name;
	const char *before;
	const char *array;
	const char *entries[3];
	const char *after;          /* NULL: no patch */
	const char *skipped;        /* expected in the skipped lines, or NULL for none */
} fix_case;

static const fix_case cases[] = {
	{ "entries with commas", "int x;\nGlobalProperty hw_compat_1[] = {\n    { \"a\", \"b\", \"c\" },\n};\nint y;\n",
	  "hw_compat_1", { "{ \"d\", \"p\", \"on\" }," },
	  "int x;\nGlobalProperty hw_compat_1[] = {\n    { \"a\", \"b\", \"c\" },\n    { \"d\", \"p\", \"on\" },\n};\nint y;\n",
	  NULL },
	{ "no comma, a comment after the last entry",
	  "GlobalProperty hw_compat_1[] = {\n\t{ \"a\", \"b\", \"c\" } /* last } */\n};\n", "hw_compat_1",
	  { "{ \"d\", \"p\", \"on\" }," },
	  "GlobalProperty hw_compat_1[] = {\n\t{ \"a\", \"b\", \"c\" }, /* last } */\n\t{ \"d\", \"p\", \"on\" },\n};\n", NULL },
	{ "brace on its own line, a decoy in a comment and a string",
	  "/* was: GlobalProperty hw_compat_1[] = { {\"x\"} }; */\nconst char *s = \"hw_compat_1[] = {\";\n"
	  "GlobalProperty hw_compat_1[] =\n{\n    { \"a\", \"}{\", \"c\" },\n};\n",
	  "hw_compat_1", { "{ \"d\", \"p\", \"on\" }," },
	  "/* was: GlobalProperty hw_compat_1[] = { {\"x\"} }; */\nconst char *s = \"hw_compat_1[] = {\";\n"
	  "GlobalProperty hw_compat_1[] =\n{\n    { \"a\", \"}{\", \"c\" },\n    { \"d\", \"p\", \"on\" },\n};\n",
	  NULL },
	{ "empty array on one line, CRLF", "int a;\r\nGlobalProperty hw_compat_1[] = {};\r\nint b;\r\n", "hw_compat_1",
	  { "{ \"d\", \"p\", \"on\" }," },
	  "int a;\r\nGlobalProperty hw_compat_1[] = {\r\n    { \"d\", \"p\", \"on\" },\r\n};\r\nint b;\r\n", NULL },
	{ "array at the end, no newline at end of file", "GlobalProperty hw_compat_1[] = {\n    { \"a\", \"b\", \"c\" },\n};",
	  "hw_compat_1", { "{ \"d\", \"p\", \"on\" }," },
	  "GlobalProperty hw_compat_1[] = {\n    { \"a\", \"b\", \"c\" },\n    { \"d\", \"p\", \"on\" },\n};", NULL },
	{ "commented-out entry does not count",
	  "GlobalProperty hw_compat_1[] = {\n    /* { \"d\", \"p\", \"on\" }, */\n};\n", "hw_compat_1",
	  { "{ \"d\", \"p\", \"on\" }," },
	  "GlobalProperty hw_compat_1[] = {\n    /* { \"d\", \"p\", \"on\" }, */\n    { \"d\", \"p\", \"on\" },\n};\n", NULL },
	{ "entry already there", "GlobalProperty hw_compat_1[] = {\n    {\"d\",\"p\",\"on\"},\n};\n", "hw_compat_1",
	  { "{ \"d\", \"p\", \"on\" }," }, NULL, NULL },
	{ "two entries, repeated once", "GlobalProperty hw_compat_1[] = {\n};\n", "hw_compat_1",
	  { "{ \"d\", \"p\", \"on\" },", "{ \"e\", \"q\", \"1\" },", "{ \"d\", \"p\", \"on\" }," },
	  "GlobalProperty hw_compat_1[] = {\n    { \"d\", \"p\", \"on\" },\n    { \"e\", \"q\", \"1\" },\n};\n", NULL },
	{ "no such array", "int x;\n", "hw_compat_1", { "{ \"d\", \"p\", \"on\" }," }, NULL, "no definition of hw_compat_1[]" },
	{ "one-line array with entries", "GlobalProperty hw_compat_1[] = { { \"a\", \"b\", \"c\" } };\n", "hw_compat_1",
	  { "{ \"d\", \"p\", \"on\" }," }, NULL, "is written on one line" },
	{ "entry with a newline", "GlobalProperty hw_compat_1[] = {\n};\n", "hw_compat_1", { "{ \"d\", \"p\n+x\", \"on\" }," },
	  NULL, "control characters" },
};

static int read_case(void *ctx, const char *path, char **text, size_t *len)
{
	const fix_case *c = ctx;
	assert_string_equal(path, FILE_NAME);
	*text = strdup(c->before);
	*len = strlen(c->before);
	return 0;
}

static void findings_for(const fix_case *c, mc_findings *fs)
{
	memset(fs, 0, sizeof(*fs));
	for (size_t i = 0; i < 3 && c->entries[i]; i++) {
		mc_finding *f = mc_findings_add(fs, "compat-missing", MC_SEV_ERROR, "t", "p", "hw/x.c", 10, "m");
		f->suggestion = mc_strdup(c->entries[i]);
		f->suggestion_array = mc_strdup(c->array);
		f->suggestion_file = mc_strdup(FILE_NAME);
	}
}

static void test_cases(void **state)
{
	(void)state;
	int have_git = system("git --version >/dev/null 2>&1") == 0;
	char *dir = mc_test_tempdir("fix");
	mc_test_keep_dir(mc_test_keep(dir));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const fix_case *c = &cases[i];
		mc_findings fs;
		findings_for(c, &fs);
		char *patch = NULL;
		size_t plen = 0;
		FILE *out = open_memstream(&patch, &plen);
		mc_strvec skipped = {0};
		assert_int_equal(mc_fix_write(out, &fs, read_case, (void *)c, &skipped), 0);
		fclose(out);
		mc_test_keep(patch);
		mc_findings_free(&fs);
		char *skipped_text = mc_test_ksprintf("%s", skipped.n ? skipped.v[0] : "");
		mc_strvec_free(&skipped);
		if (c->skipped ? !strstr(skipped_text, c->skipped) : *skipped_text != '\0')
			fail_msg("%s: skipped '%s', expected '%s'", c->name, skipped_text, c->skipped ? c->skipped : "");
		if (!c->after) {
			if (*patch)
				fail_msg("%s: expected no patch, got\n%s", c->name, patch);
			continue;
		}
		if (!have_git)
			continue;
		char *file = mc_test_ksprintf("%s/" FILE_NAME, dir), *diff = mc_test_ksprintf("%s/p.diff", dir);
		FILE *f = fopen(file, "wb");
		fputs(c->before, f);
		fclose(f);
		f = fopen(diff, "wb");
		fputs(patch, f);
		fclose(f);
		char *cmd = mc_test_ksprintf("cd '%s' && git apply p.diff 2>&1", dir);
		if (system(cmd) != 0)
			fail_msg("%s: git apply refused the patch:\n%s", c->name, patch);
		char *after = mc_test_read_file(file, NULL);
		mc_test_keep(after);
		if (strcmp(after, c->after) != 0)
			fail_msg("%s: after the patch\n%s\nexpected\n%s\npatch:\n%s", c->name, after, c->after, patch);
	}
}

static void test_two_arrays_on_one_line(void **state)
{
	(void)state;
	static const fix_case c = { "two arrays", "GlobalProperty hw_compat_2[] = {}; GlobalProperty hw_compat_1[] = {};\n",
				    NULL, { NULL }, NULL, NULL };
	mc_findings fs = {0};
	const char *arrays[] = { "hw_compat_1", "hw_compat_2" };
	for (int i = 0; i < 2; i++) {
		mc_finding *f = mc_findings_add(&fs, "compat-missing", MC_SEV_ERROR, "t", "p", "hw/x.c", 10, "m");
		f->suggestion = mc_strdup("{ \"d\", \"p\", \"on\" },");
		f->suggestion_array = mc_strdup(arrays[i]);
		f->suggestion_file = mc_strdup(FILE_NAME);
	}
	char *patch = NULL;
	size_t plen = 0;
	FILE *out = open_memstream(&patch, &plen);
	mc_strvec skipped = {0};
	assert_int_equal(mc_fix_write(out, &fs, read_case, (void *)&c, &skipped), 0);
	fclose(out);
	mc_findings_free(&fs);
	assert_int_equal(skipped.n, 1);
	assert_non_null(strstr(skipped.v[0], "two arrays share line 1"));
	mc_strvec_free(&skipped);
	/* One hunk, one array opened up. */
	assert_non_null(strstr(patch, "@@ -1,1 +1,3 @@"));
	free(patch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_cases, mc_test_arena_release),
		cmocka_unit_test_teardown(test_two_arrays_on_one_line, mc_test_arena_release),
	};
	return cmocka_run_group_tests_name("fix", tests, NULL, NULL);
}
