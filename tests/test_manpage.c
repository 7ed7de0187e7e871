/*
 * test_manpage.c - doc/migcompat.1 against the tool it documents.
 *
 *  - every command and option that `migcompat --help` prints, and every rule
 *    of `migcompat --list-rules`, is an item (a .TP tag) of the page: --help
 *    is the list to keep the page in sync with;
 *  - the .TH line names the version `migcompat --version` prints;
 *  - groff renders the page without a warning (skipped without groff);
 *  - doc/conventions.md has a "### `KEYWORD`" section for every directive
 *    the conventions parser accepts (mc_conv_directive_name), and only
 *    those, in the parser's order; each section's example (its last
 *    indented line) parses; the README and the page point at it.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture_repo.h"
#include "test_util.h"
#include "model/conv.h"

#define MAN_PAGE MC_SOURCE_DIR "/doc/migcompat.1"
#define CONVENTIONS_DOC MC_SOURCE_DIR "/doc/conventions.md"
#define README MC_SOURCE_DIR "/README.md"

/* ---- the page ----------------------------------------------------------- */

static char *read_page(void)
{
	char *text = mc_test_read_file(MAN_PAGE, NULL);
	if (!text)
		fail_msg("cannot read %s", MAN_PAGE);
	return mc_test_keep(text);
}

/*
 * A roff line as it reads: the request name dropped, font escapes (\fB),
 * \& and quotes removed, \- as -.  Kept.
 */
static char *roff_plain(const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	if (p < end && *p == '.') {
		while (p < end && *p != ' ')
			p++;
	}
	char *out = mc_test_keep(calloc(len + 1, 1)), *o = out;
	while (p < end) {
		if (p[0] == '\\' && p + 1 < end && p[1] == 'f') {
			p += p + 2 < end ? 3 : 2;
		} else if (p[0] == '\\' && p + 1 < end && (p[1] == '&' || p[1] == '%')) {
			p += 2;
		} else if (p[0] == '\\' && p + 1 < end && p[1] == '-') {
			*o++ = '-';
			p += 2;
		} else if (*p == '"') {
			p++;
		} else {
			*o++ = *p++;
		}
	}
	return out;
}

/*
 * The first word of every .TP tag of the page, one per line between
 * newlines ("\n--repo\n--format\n..."), kept: what the page documents.
 */
static const char *page_items(void)
{
	const char *page = read_page();
	char *items = mc_test_ksprintf("\n");
	int tag_next = 0;
	for (const char *l = page; *l;) {
		size_t len = strcspn(l, "\n");
		if (tag_next) {
			const char *plain = roff_plain(l, len);
			plain += strspn(plain, " ");
			items = mc_test_ksprintf("%s%.*s\n", items, (int)strcspn(plain, " "), plain);
			tag_next = 0;
		} else {
			tag_next = len >= 3 && !strncmp(l, ".TP", 3) && (len == 3 || l[3] == ' ');
		}
		l += len + (l[len] == '\n');
	}
	return items;
}

static int is_item(const char *items, const char *word)
{
	return strstr(items, mc_test_ksprintf("\n%s\n", word)) != NULL;
}

/* ---- what the tool prints ------------------------------------------------ */

static char *tool_stdout(const char *arg)
{
	const char *argv[] = { "migcompat", arg, NULL };
	mc_test_result r = mc_test_run_result(argv);
	if (r.rc != 0 || !*r.out)
		fail_msg("migcompat %s: exit %d\n%s%s", arg, r.rc, r.out, r.err);
	return r.out;
}

static int option_char(char c)
{
	return isalnum((unsigned char)c) || c == '-';
}

/*
 * The options of --help: a word of dashes and letters that starts a token
 * (after a blank, '[', '|' or '(').  Calls found(word) for each, repeats
 * included.
 */
static void each_help_option(const char *help, void (*found)(const char *word, const char *items),
			     const char *items)
{
	for (const char *p = help; *p; p++) {
		if (*p != '-' || (p > help && !strchr(" \t\n[|(", p[-1])))
			continue;
		const char *s = p + (p[1] == '-' ? 2 : 1);
		if (!isalpha((unsigned char)*s))
			continue;
		size_t len = (size_t)(s - p);
		while (option_char(p[len]))
			len++;
		found(mc_test_ksprintf("%.*s", (int)len, p), items);
		p += len - 1;
	}
}

static size_t documented_options;

static void expect_option_item(const char *word, const char *items)
{
	if (!is_item(items, word))
		fail_msg("migcompat --help prints %s, but %s has no item (.TP) for it", word, MAN_PAGE);
	documented_options++;
}

/* ---- tests -------------------------------------------------------------- */

static void test_help_options_documented(void **state)
{
	(void)state;
	const char *help = tool_stdout("--help"), *items = page_items();
	documented_options = 0;
	each_help_option(help, expect_option_item, items);
	/* Guards the parser: --help shows more than ten options. */
	if (documented_options < 10)
		fail_msg("found only %zu options in migcompat --help:\n%s", documented_options, help);

	/* Commands: the word after "migcompat " that is no option. */
	size_t commands = 0;
	for (const char *p = strstr(help, "migcompat "); p; p = strstr(p + 1, "migcompat ")) {
		const char *w = p + strlen("migcompat ");
		size_t len = strspn(w, "abcdefghijklmnopqrstuvwxyz-");
		if (len == 0 || *w == '-')
			continue;
		const char *word = mc_test_ksprintf("%.*s", (int)len, w);
		if (!is_item(items, word))
			fail_msg("migcompat --help names the command %s, but %s has no item for it", word, MAN_PAGE);
		commands++;
	}
	if (commands < 3)
		fail_msg("found only %zu commands (check, audit, show) in migcompat --help:\n%s", commands, help);
}

static void test_rules_documented(void **state)
{
	(void)state;
	const char *list = tool_stdout("--list-rules"), *items = page_items();
	size_t rules = 0;
	for (const char *l = list; *l;) {
		size_t len = strcspn(l, "\n"), id = strcspn(l, " \n");
		const char *rule = mc_test_ksprintf("%.*s", (int)id, l);
		if (id && !is_item(items, rule))
			fail_msg("rule %s (migcompat --list-rules) has no item in %s", rule, MAN_PAGE);
		rules += id > 0;
		l += len + (l[len] == '\n');
	}
	assert_true(rules >= 8);
}

static void test_version(void **state)
{
	(void)state;
	const char *version = tool_stdout("--version");   /* "migcompat X.Y.Z\n" */
	const char *th = strstr(read_page(), "\n.TH ");
	assert_non_null(th);
	size_t len = strcspn(version, "\n");
	const char *want = mc_test_ksprintf("\"%.*s\"", (int)len, version);
	if (!strstr(mc_test_ksprintf("%.*s", (int)strcspn(th + 1, "\n"), th + 1), want))
		fail_msg("the .TH line of %s does not name %s", MAN_PAGE, want);
}

/* The full path of a program on PATH, kept, or NULL. */
static const char *on_path(const char *name)
{
	const char *path = getenv("PATH");
	for (const char *p = path ? path : ""; *p;) {
		size_t len = strcspn(p, ":");
		const char *file = mc_test_ksprintf("%.*s/%s", (int)len, p, name);
		if (len && access(file, X_OK) == 0)
			return file;
		p += len + (p[len] == ':');
	}
	return NULL;
}

static void test_renders_without_warnings(void **state)
{
	(void)state;
	const char *groff = on_path("groff");
	if (!groff)
		skip();
	const char *argv[] = { "groff", "-man", "-Tutf8", "-ww", "-z", MAN_PAGE, NULL };
	mc_test_result r = mc_test_run_program_result(groff, argv);
	if (r.rc != 0 || *r.err)
		fail_msg("groff -man -ww %s: exit %d\n%s", MAN_PAGE, r.rc, r.err);
}

/* ---- doc/conventions.md ------------------------------------------------ */

/* A conventions-doc section: its directive and the last indented line in it (the example). */
typedef struct {
	const char *name;
	const char *example;
	int line;
} doc_section;

/* The "### `KEYWORD`" sections of the doc, in order; *n set.  Kept. */
static doc_section *doc_sections(size_t *n)
{
	char *doc = mc_test_read_file(CONVENTIONS_DOC, NULL);
	if (!doc)
		fail_msg("cannot read %s", CONVENTIONS_DOC);
	mc_test_keep(doc);
	doc_section *v = mc_test_keep(calloc(256, sizeof(*v)));
	*n = 0;
	int lineno = 0, in_section = 0;
	for (const char *p = doc; *p;) {
		size_t len = strcspn(p, "\n");
		lineno++;
		if (strncmp(p, "### `", 5) == 0 && len > 6 && p[len - 1] == '`') {
			if (*n == 256)
				fail_msg("%s: too many sections", CONVENTIONS_DOC);
			v[*n].name = mc_test_ksprintf("%.*s", (int)(len - 6), p + 5);
			v[*n].line = lineno;
			(*n)++;
			in_section = 1;
		} else if (strncmp(p, "## ", 3) == 0) {
			in_section = 0; /* a chapter's own text is no section's example */
		} else if (in_section && strncmp(p, "    ", 4) == 0 && len > 4) {
			v[*n - 1].example = mc_test_ksprintf("%.*s\n", (int)(len - 4), p + 4);
		}
		p += len + (p[len] == '\n');
	}
	return v;
}

static void test_conventions_documented(void **state)
{
	(void)state;
	size_t n;
	doc_section *s = doc_sections(&n);
	size_t i = 0;
	for (const char *name; (name = mc_conv_directive_name(i)); i++) {
		int found = 0;
		for (size_t k = 0; k < n && !found; k++)
			found = strcmp(s[k].name, name) == 0;
		if (!found)
			fail_msg("directive '%s' (analyzer/model/conv.c) has no \"### `%s`\" section in %s", name, name,
				 CONVENTIONS_DOC);
	}
	for (size_t k = 0; k < n; k++) {
		int found = 0;
		for (size_t j = 0; mc_conv_directive_name(j) && !found; j++)
			found = strcmp(s[k].name, mc_conv_directive_name(j)) == 0;
		if (!found)
			fail_msg("%s:%d documents '%s', which the conventions parser does not accept", CONVENTIONS_DOC,
				 s[k].line, s[k].name);
	}
	/* Both lists are complete; now the order, so that the doc reads as the table does. */
	assert_int_equal(n, i);
	for (size_t k = 0; k < n; k++)
		if (strcmp(s[k].name, mc_conv_directive_name(k)) != 0)
			fail_msg("%s:%d: section '%s' where the parser's table has '%s'", CONVENTIONS_DOC, s[k].line,
				 s[k].name, mc_conv_directive_name(k));
}

static void test_conventions_examples_parse(void **state)
{
	(void)state;
	size_t n;
	doc_section *s = doc_sections(&n);
	for (size_t k = 0; k < n; k++) {
		if (!s[k].example)
			fail_msg("%s:%d: section '%s' has no example", CONVENTIONS_DOC, s[k].line, s[k].name);
		if (strncmp(s[k].example, s[k].name, strlen(s[k].name)) != 0 || s[k].example[strlen(s[k].name)] != ' ')
			fail_msg("%s:%d: the example of '%s' is '%s'", CONVENTIONS_DOC, s[k].line, s[k].name, s[k].example);
		mc_conv c;
		if (mc_conv_parse(&c, "example", s[k].example) != 0)
			fail_msg("%s:%d: the example of '%s' does not parse: %s", CONVENTIONS_DOC, s[k].line, s[k].name,
				 mc_error_last());
		mc_conv_free(&c);
	}
}

static void test_conventions_doc_referenced(void **state)
{
	(void)state;
	char *readme = mc_test_keep(mc_test_read_file(README, NULL));
	if (!readme || !strstr(readme, "doc/conventions.md"))
		fail_msg("README.md does not point at doc/conventions.md");
	if (!strstr(read_page(), "doc/conventions.md"))
		fail_msg("%s does not point at doc/conventions.md", MAN_PAGE);
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, mc_test_arena_release)
	const struct CMUnitTest tests[] = {
		T(test_help_options_documented),
		T(test_rules_documented),
		T(test_version),
		T(test_renders_without_warnings),
		T(test_conventions_documented),
		T(test_conventions_examples_parse),
		T(test_conventions_doc_referenced),
	};
#undef T
	return cmocka_run_group_tests_name("manpage", tests, NULL, NULL) ? 1 : 0;
}
