/*
 * test_cscan.c - the C-text scanner (util/cscan.h) every text-reading stage uses.
 *
 * Each case scans a text and compares the tokens, written as
 * tests/support/scan_test.h writes them (KIND:text, from a copy of exactly
 * the text's length).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "frontend/limits.h"
#include "frontend/tree.h"
#include "util/cscan.h"
#include "util/util.h"
#include "scan_test.h"

/* The C scanner, for the token tables of tests/support/scan_test.h. */
static void cscan_init(void *c, const char *text, size_t len, unsigned flags)
{
	mc_cscan_init(c, text, len, flags);
}

static mc_ctok_kind cscan_next(void *c, mc_ctok *t)
{
	return mc_cscan_next(c, t);
}

static const mc_test_scanner cscan = { sizeof(mc_cscan), cscan_init, cscan_next };

typedef mc_test_scan_case scan_case;

static char *tokens_of(const char *text, size_t len, unsigned flags)
{
	return mc_test_tokens_of(&cscan, text, len, flags);
}

static void run_cases(const scan_case *cases, size_t n, unsigned flags)
{
	mc_test_scan_cases(&cscan, cases, n, flags);
}

static void test_cscan_kinds(void **state)
{
	(void)state;
	static const scan_case cases[] = {
		{ "each kind", "int x = 0x1f + 'a'; s = \"hi\";",
		  "I:int I:x P:= N:0x1f P:+ C:'a' P:; I:s P:= S:\"hi\" P:;" },
		{ "pp-numbers", "1e+5 .5 1.0f x.y 0x1p-3 1..2", "N:1e+5 N:.5 N:1.0f I:x P:. I:y N:0x1p-3 N:1..2" },
		{ "identifiers", "_a1 b_2c $d", "I:_a1 I:b_2c P:$ I:d" },
		{ "punctuators one byte each", "a->b<<=c", "I:a P:- P:> I:b P:< P:< P:= I:c" },
		{ "encoding prefix is an identifier", "L\"w\" u8'x'", "I:L S:\"w\" I:u8 C:'x'" },
		{ "both comments", "a /* b */ c // d\ne", "I:a M:/* b */ I:c M:// d I:e" },
		{ "comment closes at the first */", "/* a /* b */ c */", "M:/* a /* b */ I:c P:* P:/" },
		{ "/*/ does not close", "/*/ x */ y", "M:/*/ x */ I:y" },
		{ "empty", "", "" },
		{ "blanks only", " \t\f\v\r\n \\\n", "" },
	};
	run_cases(cases, sizeof(cases) / sizeof(cases[0]), 0);
}

static void test_cscan_nul(void **state)
{
	(void)state;
	char *got = tokens_of("a\0\"\0\"", 5, 0);
	assert_string_equal(got, "I:a P:\\0 S:\"\\0\"");
	free(got);
}

static void test_cscan_quotes(void **state)
{
	(void)state;
	static const scan_case cases[] = {
		{ "comment inside a string", "\"a /* b */ c\" d // e", "S:\"a /* b */ c\" I:d M:// e" },
		{ "string inside a comment", "/* \"x */ y \"z\"", "M:/* \"x */ I:y S:\"z\"" },
		{ "quote in a line comment", "// it's\nx", "M:// it's I:x" },
		{ "escaped quote", "\"a\\\"b\" c", "S:\"a\\\"b\" I:c" },
		{ "escaped backslash before the quote", "\"a\\\\\" b", "S:\"a\\\\\" I:b" },
		{ "quote character", "'\\'' x", "C:'\\'' I:x" },
		{ "double quote character", "'\"' x \"'\"", "C:'\"' I:x S:\"'\"" },
		{ "backslash character", "'\\\\' x", "C:'\\\\' I:x" },
		{ "raw newline ends a string", "\"ab\ncd\" x", "S:\"ab! I:cd S:\" x!" },
		{ "raw newline ends a character", "'a\nb", "C:'a! I:b" },
		{ "CRLF ends a string too", "\"ab\r\ncd", "S:\"ab\\r! I:cd" },
		{ "a splice continues a string", "\"ab\\\ncd\" x", "S:\"ab\\\\ncd\" I:x" },
		{ "a CRLF splice continues a string", "\"ab\\\r\ncd\" x", "S:\"ab\\\\r\\ncd\" I:x" },
		{ "brackets inside literals are no punctuators", "( \")\" ')' /* ) */ )",
		  "P:( S:\")\" C:')' M:/* ) */ P:)" },
	};
	run_cases(cases, sizeof(cases) / sizeof(cases[0]), 0);
}

static void test_cscan_unterminated_at_end(void **state)
{
	(void)state;
	static const scan_case cases[] = {
		{ "string", "x \"abc", "I:x S:\"abc!" },
		{ "string ending in a backslash", "\"a\\", "S:\"a\\!" },
		{ "string ending in a backslash and CR", "\"a\\\r", "S:\"a\\\\r!" },
		{ "lone quote", "\"", "S:\"!" },
		{ "character", "'a", "C:'a!" },
		{ "block comment", "x /* abc", "I:x M:/* abc!" },
		{ "block comment ending in *", "/* a *", "M:/* a *!" },
		{ "block comment opener alone", "/*", "M:/*!" },
		{ "line comment without newline", "// a", "M:// a" },
		{ "line comment ending in a backslash", "// a\\", "M:// a\\" },
		{ "slash alone", "a /", "I:a P:/" },
		{ "directive without newline", "#define X 1", "# I:define I:X N:1 $" },
		{ "directive ending in a splice", "#define X \\\n", "# I:define I:X $" },
		{ "backslash alone at the end", "#define X \\", "# I:define I:X P:\\ $" },
		{ "header name without its close", "#include <a.h\nx", "# I:include P:< I:a P:. I:h $ I:x" },
		{ "quoted header name without its close", "#include \"a.h", "# I:include S:\"a.h! $" },
	};
	run_cases(cases, sizeof(cases) / sizeof(cases[0]), 0);
}

static void test_cscan_directives(void **state)
{
	(void)state;
	static const scan_case cases[] = {
		{ "continuation in a #define", "#define X a \\\n  b\nc", "# I:define I:X I:a I:b $ I:c" },
		{ "CRLF continuation and end", "#define X a \\\r\n b\r\nc", "# I:define I:X I:a I:b $ I:c" },
		{ "continuation in a line comment", "// a \\\n b\nc", "M:// a \\\\n b I:c" },
		{ "line comment ends a directive at its newline", "#define X 1 // c \\\n d\ny",
		  "# I:define I:X N:1 M:// c \\\\n d $ I:y" },
		{ "block comment across lines stays in the directive", "#define X 1 /* a\n b */ 2\ny",
		  "# I:define I:X N:1 M:/* a\\n b */ N:2 $ I:y" },
		{ "blanks and comments before the #", "  /* c */ # include <a//b.h>\n",
		  "M:/* c */ # I:include H:<a//b.h> $" },
		{ "# after code is no directive", "x # y\n#z", "I:x P:# I:y # I:z $" },
		{ "# after a comment that spans lines is no directive", "x /* a\n */ #y", "I:x M:/* a\\n */ P:# I:y" },
		{ "# on a continuation line", "#define S(a) \\\n #a\n", "# I:define I:S P:( I:a P:) P:# I:a $" },
		{ "empty directive", "#\nx", "# $ I:x" },
		{ "two directives", "#if A\n#endif\n", "# I:if I:A $ # I:endif $" },
		{ "header names", "#include <x.h>\n#include_next \"y.h\"\n#  import <z>\n",
		  "# I:include H:<x.h> $ # I:include_next H:\"y.h\" $ # I:import H:<z> $" },
		{ "no escapes in a header name", "#include \"a\\\"b\n", "# I:include H:\"a\\\" I:b $" },
		{ "a header name only right after include", "#define A <w.h>\n#include X <y>\n",
		  "# I:define I:A P:< I:w P:. I:h P:> $ # I:include I:X P:< I:y P:> $" },
		{ "comment between include and header name", "#include /**/ <a.h>\n", "# I:include M:/**/ H:<a.h> $" },
	};
	run_cases(cases, sizeof(cases) / sizeof(cases[0]), 0);
}

static void test_cscan_flags(void **state)
{
	(void)state;
	static const scan_case code[] = {
		{ "comments skipped", "a /* b */ c // d\n e", "I:a I:c I:e" },
		{ "a directive behind a comment", "/* x */ #define A // y\nB", "# I:define I:A $ I:B" },
		{ "a comment ending a directive's line", "#if 1 /* a\n b */\nx", "# I:if N:1 $ I:x" },
	};
	run_cases(code, sizeof(code) / sizeof(code[0]), MC_CSCAN_CODE);
	static const scan_case inner[] = {
		{ "no comments", "a /* b */ // c", "I:a P:/ P:* I:b P:* P:/ P:/ P:/ I:c" },
		{ "no directives", "#define A\n#b", "P:# I:define I:A P:# I:b" },
		{ "quotes still pair", "say \"x\" it's y\nz", "I:say S:\"x\" I:it C:'s y! I:z" },
	};
	run_cases(inner, sizeof(inner) / sizeof(inner[0]), MC_CSCAN_INNER);
}

static void test_cscan_lines(void **state)
{
	(void)state;
	const char text[] = "a\n/* x\ny */ b\n\"s\\\nt\" c \\\nd\n#x\n\r\ne";
	const size_t want[] = { 1, 2, 3, 4, 5, 6, 7, 7, 7, 9 };
	const mc_ctok_kind kinds[] = { MC_CTOK_IDENT, MC_CTOK_COMMENT, MC_CTOK_IDENT, MC_CTOK_STRING, MC_CTOK_IDENT,
				       MC_CTOK_IDENT, MC_CTOK_DIRECTIVE, MC_CTOK_IDENT, MC_CTOK_EOD, MC_CTOK_IDENT };
	char *copy = mc_test_exact_copy(text, sizeof(text) - 1);
	mc_cscan c;
	mc_ctok t;
	mc_cscan_init(&c, copy, sizeof(text) - 1, 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(mc_cscan_next(&c, &t), kinds[i]);
		if (t.line != want[i])
			fail_msg("token %zu (%.*s): line %zu, want %zu", i, (int)t.len, t.p, t.line, want[i]);
	}
	/* The EOD sits on its newline, with no text. */
	assert_int_equal(mc_cscan_next(&c, &t), MC_CTOK_END);
	free(copy);
}

/* Scans text to its first token equal to open, matches it, and returns what follows (or "-1" and the rest). */
static char *after_match(const char *text, const char *open, char **closing)
{
	size_t len = strlen(text);
	char *copy = mc_test_exact_copy(text, len);
	mc_cscan c;
	mc_ctok t, close;
	mc_cscan_init(&c, copy, len, 0);
	while (mc_cscan_next(&c, &t) != MC_CTOK_END && !mc_ctok_is(&t, open))
		;
	assert_true(mc_ctok_is(&t, open));
	int rc = mc_cscan_match(&c, &t, &close);
	*closing = rc == 0 ? mc_sprintf("%zu:%.*s", (size_t)(close.p - copy), (int)close.len, close.p) : mc_strdup("-1");
	mc_buf b = {0};
	while (mc_cscan_next(&c, &t) != MC_CTOK_END)
		mc_test_put_token(&b, &t);
	free(copy);
	return b.ptr ? mc_buf_detach(&b) : mc_strdup("");
}

static void test_cscan_match(void **state)
{
	(void)state;
	static const struct {
		const char *name, *text, *open, *closing, *rest;
	} cases[] = {
		{ "brackets in strings, characters and comments", "f(a, (b), \")\", ')', /* ) */ x) y", "(", "29:)",
		  "I:y" },
		{ "nested", "{ { } { { } } } z", "{", "14:}", "I:z" },
		{ "other kinds are not counted", "{ a[ } ] b", "{", "5:}", "P:] I:b" },
		{ "unbalanced to the end", "( a ( b )", "(", "-1", "" },
		{ "a directive inside braces", "{\n#if A\n x,\n#endif\n} y", "{", "19:}", "I:y" },
		{ "opened in a directive, closed after it", "#define X ( a\n b )", "(", "-1", "I:b P:)" },
		{ "closed inside the directive", "#define X ( a \\\n ) b\nc", "(", "17:)", "I:b $ I:c" },
		{ "square brackets", "a[b[1]] c", "[", "6:]", "I:c" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *closing, *rest = after_match(cases[i].text, cases[i].open, &closing);
		if (strcmp(closing, cases[i].closing) != 0 || strcmp(rest, cases[i].rest) != 0)
			fail_msg("%s: closed at %s then %s, want %s then %s", cases[i].name, closing, rest,
				 cases[i].closing, cases[i].rest);
		free(closing);
		free(rest);
	}
	/* Not an opening bracket: -1, and the cursor does not move. */
	mc_cscan c;
	mc_ctok t, close;
	mc_cscan_init(&c, "a ) b", 5, 0);
	assert_int_equal(mc_cscan_next(&c, &t), MC_CTOK_IDENT);
	assert_int_equal(mc_cscan_match(&c, &t, &close), -1);
	assert_int_equal(mc_cscan_next(&c, &t), MC_CTOK_PUNCT);
	assert_int_equal(mc_cscan_match(&c, &t, &close), -1);
	assert_int_equal(mc_cscan_next(&c, &t), MC_CTOK_IDENT);
	assert_true(mc_ctok_is(&t, "b"));
}

/* ---- its users ------------------------------------------------------------ */

/* The #include closure: no include in a comment, every spelling the preprocessor takes. */
static void test_cscan_users_includes(void **state)
{
	(void)state;
	const char *text = "#include \"a.h\"\n"
			   "/*\n#include \"commented.h\"\n*/\n"
			   "# /* c */ include <b/c.h> // x\n"
			   "#include_next \"n.h\"\n"
			   "#define X \"not.h\"\n"
			   "#include \\\n  \"spliced.h\"\n"
			   "#if 0\n#include <else.h>\n#endif\n"
			   "#include \"\"\n"
			   "#include \"unclosed.h\n";
	mc_strvec inc = {0};
	mc_scan_includes(text, strlen(text), &inc);
	const char *want[] = { "\"a.h", "<b/c.h", "\"spliced.h", "<else.h" };
	assert_int_equal(inc.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < inc.n; i++)
		assert_string_equal(inc.v[i], want[i]);
	mc_strvec_free(&inc);
}

static int refused(const char *text)
{
	char *why = NULL;
	int rc = mc_limits_check_macros("t.c", text, strlen(text), MC_MAX_MACRO_TOKENS, &why);
	free(why);
	return rc < 0;
}

/* The macro estimate reads definitions as the preprocessor does. */
static void test_cscan_users_macros(void **state)
{
	(void)state;
	const char *bomb = "#define X2(x) x x\n#define X4(x) X2(X2(x))\n#define X16(x) X4(X4(x))\n"
			   "#define X256(x) X16(X16(x))\n#define X64K(x) X256(X256(x))\n"
			   "#define X4G(x) X64K(X64K(x))\n";
	assert_true(refused(bomb));
	/* Commented out: not a definition. */
	char *commented = mc_sprintf("/*\n%s*/\n", bomb);
	assert_false(refused(commented));
	free(commented);
	/* A comment between the name and the body, or between '#' and define, changes nothing. */
	assert_true(refused("#define X2(x) /* twice */ x x\n#define X4(x) X2(X2(x))\n#define X16(x) X4(X4(x))\n"
			    "# /* c */ define X256(x) X16(X16(x))\n#define X64K(x) X256(X256(x))\n"
			    "#define X4G(x) X64K(X64K(x))\n"));
	/* A splice between the name and its '(' keeps the macro function-like. */
	assert_true(refused("#define X2\\\n(x) x x\n#define X4\\\n(x) X2(X2(x))\n#define X16\\\n(x) X4(X4(x))\n"
			    "#define X256\\\n(x) X16(X16(x))\n#define X64K\\\n(x) X256(X256(x))\n"
			    "#define X4G\\\n(x) X64K(X64K(x))\n"));
	/* A blank there makes it object-like: "(x) x x" is five tokens. */
	assert_false(refused("#define X2 (x) x x\n#define X4 (x) X2(X2(x))\n#define X16 (x) X4(X4(x))\n"
			     "#define X256 (x) X16(X16(x))\n#define X64K (x) X256(X256(x))\n"
			     "#define X4G (x) X64K(X64K(x))\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cscan_kinds),
		cmocka_unit_test(test_cscan_nul),
		cmocka_unit_test(test_cscan_quotes),
		cmocka_unit_test(test_cscan_unterminated_at_end),
		cmocka_unit_test(test_cscan_directives),
		cmocka_unit_test(test_cscan_flags),
		cmocka_unit_test(test_cscan_lines),
		cmocka_unit_test(test_cscan_match),
		cmocka_unit_test(test_cscan_users_includes),
		cmocka_unit_test(test_cscan_users_macros),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
