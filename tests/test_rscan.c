/*
 * test_rscan.c - the Rust-text scanner (util/rscan.h) the Rust front end and
 * the slice read Rust sources with.
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

#include "util/rscan.h"
#include "util/util.h"
#include "scan_test.h"

/* The Rust scanner, for the token tables of tests/support/scan_test.h. */
static void rscan_init(void *c, const char *text, size_t len, unsigned flags)
{
	mc_rscan_init(c, text, len, flags);
}

static mc_ctok_kind rscan_next(void *c, mc_ctok *t)
{
	return mc_rscan_next(c, t);
}

static const mc_test_scanner rscan = { sizeof(mc_rscan), rscan_init, rscan_next };

typedef mc_test_scan_case scan_case;

static void run_cases(const scan_case *cases, size_t n, unsigned flags)
{
	mc_test_scan_cases(&rscan, cases, n, flags);
}

static void test_rscan_kinds(void **state)
{
	(void)state;
	static const scan_case cases[] = {
		{ "an attribute is punctuators", "#[property(rename = \"x\")]",
		  "P:# P:[ I:property P:( I:rename P:= S:\"x\" P:) P:]" },
		{ "numbers with suffixes and separators", "0x1F_u32 3usize 1_000 1.5e-3 2usize-1",
		  "N:0x1F_u32 N:3usize N:1_000 N:1.5e-3 N:2usize P:- N:1" },
		{ "a range is not a fraction", "1..2 x.0", "N:1 P:. P:. N:2 I:x P:. N:0" },
		{ "paths are identifiers and colons", "crate::TYPE_PL011", "I:crate P:: P:: I:TYPE_PL011" },
		{ "a raw identifier is its name", "r#type r#match", "I:type I:match" },
		{ "identifiers starting with a prefix letter", "b c r br cr bright cry ring",
		  "I:b I:c I:r I:br I:cr I:bright I:cry I:ring" },
		{ "unicode identifier", "caf\xc3\xa9 x", "I:caf\xc3\xa9 I:x" },
		{ "empty", "", "" },
	};
	run_cases(cases, sizeof(cases) / sizeof(cases[0]), 0);
}

static void test_rscan_literals(void **state)
{
	(void)state;
	static const scan_case cases[] = {
		{ "prefixed strings", "c\"pl011\" b\"ab\" \"x\"", "S:c\"pl011\" S:b\"ab\" S:\"x\"" },
		{ "raw strings end at their hashes", "r#\"a \"quoted\" b\"# x", "S:r#\"a \"quoted\" b\"# I:x" },
		{ "two hashes", "r##\"a\"# b\"## x", "S:r##\"a\"# b\"## I:x" },
		{ "raw byte and raw C strings", "br\"\\\" cr#\"y\"# z", "S:br\"\\\" S:cr#\"y\"# I:z" },
		{ "a string spans lines", "\"a\nb\" c", "S:\"a\\nb\" I:c" },
		{ "escaped quote", "\"a\\\"b\" c", "S:\"a\\\"b\" I:c" },
		{ "characters", "'a' '\\'' '\\n' b'x' '\\u{e9}' '\xc3\xa9'",
		  "C:'a' C:'\\'' C:'\\n' C:b'x' C:'\\u{e9}' C:'\xc3\xa9'" },
		{ "a lifetime is a quote and a name", "&'static CStr", "P:& P:' I:static I:CStr" },
		{ "a lifetime in generics", "Foo<'a>", "I:Foo P:< P:' I:a P:>" },
		{ "a label", "'outer: loop", "P:' I:outer P:: I:loop" },
	};
	run_cases(cases, sizeof(cases) / sizeof(cases[0]), 0);
}

static void test_rscan_comments(void **state)
{
	(void)state;
	static const scan_case cases[] = {
		{ "line and doc comments", "a // b\n/// c\n//! d\ne", "I:a M:// b M:/// c M://! d I:e" },
		{ "block comments nest", "/* a /* b */ c */ d", "M:/* a /* b */ c */ I:d" },
		{ "a quote in a comment", "// it's\nx", "M:// it's I:x" },
		{ "a comment in a string", "\"/* x\" y", "S:\"/* x\" I:y" },
		{ "a commented-out attribute", "/* #[property(default = 1)] */ x", "M:/* #[property(default = 1)] */ I:x" },
	};
	run_cases(cases, sizeof(cases) / sizeof(cases[0]), 0);
	static const scan_case code[] = {
		{ "code only", "a /* /* b */ */ c // d\ne", "I:a I:c I:e" },
	};
	run_cases(code, 1, MC_RSCAN_CODE);
}

static void test_rscan_unterminated(void **state)
{
	(void)state;
	static const scan_case cases[] = {
		{ "string", "x \"ab", "I:x S:\"ab!" },
		{ "raw string", "r#\"ab\"", "S:r#\"ab\"!" },
		{ "nested comment", "/* a /* b */", "M:/* a /* b */!" },
		{ "character", "'\\", "C:'\\!" },
		{ "lone quote", "'", "P:'" },
		{ "backslash at the end of a string", "\"a\\", "S:\"a\\!" },
		{ "hashes without a quote", "r## x", "I:r P:# P:# I:x" },
	};
	run_cases(cases, sizeof(cases) / sizeof(cases[0]), 0);
}

static void test_rscan_lines(void **state)
{
	(void)state;
	const char *text = "a\n\"b\nc\" /* d\n\n */ e\nr#\"\n\"# f";
	mc_rscan c;
	mc_ctok t;
	size_t want[] = { 1, 2, 3, 5, 6, 7 };
	size_t n = 0;
	mc_rscan_init(&c, text, strlen(text), 0);
	while (mc_rscan_next(&c, &t) != MC_CTOK_END) {
		assert_true(n < sizeof(want) / sizeof(want[0]));
		assert_int_equal(t.line, want[n++]);
	}
	assert_int_equal(n, 6);
}

static void test_rscan_match(void **state)
{
	(void)state;
	const char *text = "{ a(\"}\") /* } */ '}' { b } } c";
	mc_rscan c;
	mc_ctok t, close;
	mc_rscan_init(&c, text, strlen(text), 0);
	assert_int_equal(mc_rscan_next(&c, &t), MC_CTOK_PUNCT);
	assert_int_equal(mc_rscan_match(&c, &t, &close), 0);
	assert_int_equal((int)(close.p - text), (int)(strrchr(text, '}') - text));
	assert_int_equal(mc_rscan_next(&c, &t), MC_CTOK_IDENT);
	assert_true(mc_ctok_is(&t, "c"));
	/* Unbalanced: -1 at the end; not an opening bracket: -1 and no move. */
	mc_rscan_init(&c, "( a", 3, 0);
	mc_rscan_next(&c, &t);
	assert_int_equal(mc_rscan_match(&c, &t, &close), -1);
	mc_rscan_init(&c, "a b", 3, 0);
	mc_rscan_next(&c, &t);
	assert_int_equal(mc_rscan_match(&c, &t, &close), -1);
	assert_int_equal(mc_rscan_next(&c, &t), MC_CTOK_IDENT);
}

/* The value of the one string token of text, or NULL. */
static char *value_of(const char *text)
{
	mc_rscan c;
	mc_ctok t;
	mc_rscan_init(&c, text, strlen(text), 0);
	mc_rscan_next(&c, &t);
	return mc_rscan_string(&t, NULL);
}

static void test_rscan_string_value(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "\"migrate-clk\"", "migrate-clk" },
		{ "c\"pl011\"", "pl011" },
		{ "b\"ab\"", "ab" },
		{ "\"a\\tb\\\\c\\\"d\"", "a\tb\\c\"d" },
		{ "\"\\x41\\u{e9}\\u{1F600}\"", "A\xc3\xa9\xf0\x9f\x98\x80" },
		{ "\"a\\\n    b\"", "ab" },
		{ "r#\"no \\n escape \"here\"\"#", "no \\n escape \"here\"" },
		{ "cr\"raw\\\"", "raw\\" },
		{ "\"\"", "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = value_of(cases[i].text);
		if (!got || strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got %s", cases[i].text, got ? got : "NULL");
		free(got);
	}
	/* Not a value: an unterminated string, a bad escape, a NUL, not a string at all. */
	static const char *const bad[] = { "\"ab", "\"\\q\"", "\"\\u{110000}\"", "\"\\0\"", "c\"a\\x00\"", "x",
					   "'a'" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *got = value_of(bad[i]);
		if (got)
			fail_msg("%s: got %s, want NULL", bad[i], got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rscan_kinds),
		cmocka_unit_test(test_rscan_literals),
		cmocka_unit_test(test_rscan_comments),
		cmocka_unit_test(test_rscan_unterminated),
		cmocka_unit_test(test_rscan_lines),
		cmocka_unit_test(test_rscan_match),
		cmocka_unit_test(test_rscan_string_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
