/*
 * test_layers.c - the pipeline's one-way flow, checked on the source tree.
 *
 * Each folder of analyzer/ is a stage, and rules/ sits between the model and
 * the report: git -> facts (frontend) -> model -> rules -> report -> cli.  A
 * file may include its own folder's headers and those of the stages below
 * it, never one above; the rules reach no git, libclang, SQLite or file
 * system.  A new include that breaks the flow fails here, before it grows
 * into a loop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

typedef struct {
	const char *folder;        /* relative to the source tree */
	const char *may_include;   /* the stage folders its files may include, space-separated */
	const char *forbidden;     /* system headers and calls its files must not use, space-separated */
} layer;

static const layer layers[] = {
	{ "analyzer/util", "util", "<clang-c/ <sqlite3.h>" },
	{ "analyzer/git", "util git", "<clang-c/ <sqlite3.h>" },
	{ "analyzer/model", "util model", "<clang-c/ <git2.h> <sqlite3.h> fopen( git_ clang_" },
	{ "analyzer/frontend", "util git model frontend", "" },
	{ "rules", "util model rules",
	  "<clang-c/ <git2.h> <sqlite3.h> <unistd.h> <dirent.h> fopen( open( getenv( time( git_ clang_ "
	  "mc_repo_ mc_revision_" },
	{ "analyzer/report", "util git model frontend rules report", "<clang-c/" },
	{ "analyzer/cli", "util git model frontend rules report cli", "<clang-c/" },
};

static int word_in(const char *words, const char *w, size_t len)
{
	for (const char *p = words; *p;) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n == len && strncmp(p, w, len) == 0)
			return 1;
		p += n;
	}
	return 0;
}

/* "#include "model/model.h"" -> "model"; NULL for a system or a same-folder include. */
static int included_stage(const char *line, char *stage, size_t cap)
{
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "#include \"", 10) != 0)
		return 0;
	p += 10;
	size_t n = strcspn(p, "/\"");
	if (p[n] != '/' || n + 1 > cap)
		return 0;
	memcpy(stage, p, n);
	stage[n] = '\0';
	return 1;
}

/* Is token in code, and not the tail of a longer name ("run_time(" is no call of time())? */
static int uses(const char *code, const char *token)
{
	for (const char *p = strstr(code, token); p; p = strstr(p + 1, token)) {
		int ident = p > code && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
		if (!ident || token[0] == '<')
			return 1;
	}
	return 0;
}

typedef struct {
	size_t files;
	mc_strvec problems;
} scan;

static void check_file(scan *s, const layer *l, const char *path, const char *shown)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[4096];
	int lineno = 0, in_comment = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		/* Comments may name anything; only code counts. */
		char *code = line;
		if (in_comment) {
			char *end = strstr(code, "*/");
			if (!end)
				continue;
			code = end + 2;
			in_comment = 0;
		}
		char *open = strstr(code, "/*");
		if (open) {
			in_comment = strstr(open + 2, "*/") == NULL;
			*open = '\0';
		}
		char *slashes = strstr(code, "//");
		if (slashes)
			*slashes = '\0';
		char stage[64];
		if (included_stage(code, stage, sizeof(stage)) && !word_in(l->may_include, stage, strlen(stage)))
			mc_strvec_push_owned(&s->problems,
					     mc_sprintf("%s:%d: %s includes %s/, which is not below it", shown, lineno,
							l->folder, stage));
		for (const char *w = l->forbidden; *w;) {
			while (*w == ' ')
				w++;
			size_t n = strcspn(w, " ");
			if (!n)
				break;
			char token[64];
			snprintf(token, sizeof(token), "%.*s", (int)n, w);
			if (uses(code, token))
				mc_strvec_push_owned(&s->problems,
						     mc_sprintf("%s:%d: %s uses %s", shown, lineno, l->folder, token));
			w += n;
		}
	}
	fclose(f);
	s->files++;
}

static void check_layer(scan *s, const layer *l)
{
	char *dir = mc_sprintf("%s/%s", MC_SOURCE_DIR, l->folder);
	DIR *d = opendir(dir);
	if (!d)
		fail_msg("cannot open %s", dir);
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 3 || de->d_name[n - 2] != '.' || (de->d_name[n - 1] != 'c' && de->d_name[n - 1] != 'h'))
			continue;
		char *path = mc_sprintf("%s/%s", dir, de->d_name);
		char *shown = mc_sprintf("%s/%s", l->folder, de->d_name);
		check_file(s, l, path, shown);
		free(path);
		free(shown);
	}
	closedir(d);
	free(dir);
}

static void test_every_stage_includes_only_below_it(void **state)
{
	(void)state;
	scan s = { 0, { 0 } };
	for (size_t i = 0; i < sizeof(layers) / sizeof(layers[0]); i++)
		check_layer(&s, &layers[i]);
	for (size_t i = 0; i < s.problems.n; i++)
		print_message("%s\n", s.problems.v[i]);
	assert_true(s.files > 40);
	assert_int_equal(s.problems.n, 0);
	mc_strvec_free(&s.problems);
}

/* Every folder of analyzer/ is a stage this test knows: a new one must say where it sits. */
static void test_every_folder_is_a_known_stage(void **state)
{
	(void)state;
	char *dir = mc_sprintf("%s/analyzer", MC_SOURCE_DIR);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	size_t folders = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strchr(de->d_name, '.'))
			continue;
		char *rel = mc_sprintf("analyzer/%s", de->d_name);
		int known = 0;
		for (size_t i = 0; i < sizeof(layers) / sizeof(layers[0]); i++)
			known |= strcmp(layers[i].folder, rel) == 0;
		if (!known)
			fail_msg("%s is not a stage of test_layers.c", rel);
		/* Each stage states its contract where a reader opens the folder. */
		char *readme = mc_sprintf("%s/%s/README.md", MC_SOURCE_DIR, rel);
		FILE *f = fopen(readme, "r");
		if (!f)
			fail_msg("%s has no README.md stating what comes in, what goes out and who owns the memory", rel);
		char text[8192];
		size_t n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
		for (const char *need = "In:\0Out:\0Memory:\0"; *need; need += strlen(need) + 1)
			if (!strstr(text, need))
				fail_msg("%s says no \"%s\"", readme, need);
		free(readme);
		free(rel);
		folders++;
	}
	closedir(d);
	free(dir);
	assert_int_equal(folders, 6);
}

/* The checker itself: an include from above is caught, one from below is not. */
static void test_included_stage_parses_includes(void **state)
{
	(void)state;
	char stage[64];
	assert_true(included_stage("#include \"git/repo.h\"\n", stage, sizeof(stage)));
	assert_string_equal(stage, "git");
	assert_true(included_stage("  #include \"rules/rules.h\"", stage, sizeof(stage)));
	assert_string_equal(stage, "rules");
	assert_false(included_stage("#include <git2.h>", stage, sizeof(stage)));
	assert_false(included_stage("#include \"check.h\"", stage, sizeof(stage)));
	assert_true(uses("t = time(NULL);", "time("));
	assert_false(uses("mc_check_resolved_at_run_time(k, s)", "time("));
	assert_true(uses("#include <git2.h>", "<git2.h>"));
	assert_false(word_in("util model rules", "git", 3));
	assert_true(word_in("util model rules", "model", 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_included_stage_parses_includes),
		cmocka_unit_test(test_every_stage_includes_only_below_it),
		cmocka_unit_test(test_every_folder_is_a_known_stage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
