/*
 * test_value.c - property values: parsing compat strings by kind,
 * comparing by meaning, formatting, "enables".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "model/value.h"

/* Parses text as kind and expects success with an integer result. */
static void expect_int(mc_kind kind, const char *text, int64_t want)
{
	mc_value v;
	int r = mc_value_parse(&v, kind, text);
	if (r != 0)
		fail_msg("%s '%s' rejected: %s", mc_kind_name(kind), text, mc_error_last());
	assert_int_equal(v.type, MC_VAL_INT);
	if (v.i != want)
		fail_msg("%s '%s' gave %lld, want %lld", mc_kind_name(kind), text,
			 (long long)v.i, (long long)want);
	mc_value_free(&v);
}

static void expect_uint(mc_kind kind, const char *text, uint64_t want)
{
	mc_value v;
	int r = mc_value_parse(&v, kind, text);
	if (r != 0)
		fail_msg("%s '%s' rejected: %s", mc_kind_name(kind), text, mc_error_last());
	assert_int_equal(v.type, MC_VAL_INT);
	assert_int_equal(v.is_unsigned, 1);
	if ((uint64_t)v.i != want)
		fail_msg("%s '%s' gave %llu, want %llu", mc_kind_name(kind), text,
			 (unsigned long long)v.i, (unsigned long long)want);
	mc_value_free(&v);
}

static void expect_reject(mc_kind kind, const char *text)
{
	mc_value v;
	mc_error_clear();
	int r = mc_value_parse(&v, kind, text);
	if (r != MC_EPARSE)
		fail_msg("%s '%s' accepted (value %lld)", mc_kind_name(kind), text ? text : "(null)",
			 (long long)v.i);
	assert_int_equal(v.type, MC_VAL_NONE);
	assert_null(v.s);
	assert_non_null(strstr(mc_error_last(), mc_kind_name(kind)));
}

static void expect_bool(const char *text, int want)
{
	mc_value v;
	int r = mc_value_parse(&v, MC_KIND_BOOL, text);
	if (r != 0)
		fail_msg("bool '%s' rejected", text);
	assert_int_equal(v.type, MC_VAL_BOOL);
	assert_int_equal(v.i, want);
	mc_value_free(&v);
}

static void expect_verbatim(mc_kind kind, const char *text)
{
	mc_value v;
	assert_int_equal(mc_value_parse(&v, kind, text), 0);
	assert_int_equal(v.type, MC_VAL_STRING);
	assert_string_equal(v.s, text);
	mc_value_free(&v);
}

/* Compares a C-side default with a compat string parsed by kind. */
static int equal_text(mc_kind kind, mc_value def, const char *text)
{
	mc_value v;
	if (mc_value_parse(&v, kind, text) < 0)
		v = mc_value_string(text);
	int r = mc_value_equal(kind, &def, &v);
	int back = mc_value_equal(kind, &v, &def);
	if (r != back)
		fail_msg("mc_value_equal not symmetric for '%s'", text);
	mc_value_free(&v);
	mc_value_free(&def);
	return r;
}

static int equal_vals(mc_kind kind, mc_value a, mc_value b)
{
	int r = mc_value_equal(kind, &a, &b);
	int back = mc_value_equal(kind, &b, &a);
	if (r != back)
		fail_msg("mc_value_equal not symmetric");
	mc_value_free(&a);
	mc_value_free(&b);
	return r;
}

static void expect_compat(mc_kind kind, mc_value v, const char *want)
{
	char *s = mc_value_to_compat_string(kind, &v);
	assert_string_equal(s, want);
	free(s);
	mc_value_free(&v);
}

static void expect_display(mc_kind kind, mc_value v, const char *want)
{
	char *s = mc_value_display(kind, &v);
	assert_string_equal(s, want);
	free(s);
	mc_value_free(&v);
}

static int enables(mc_kind kind, mc_value v)
{
	int r = mc_value_enables(kind, &v);
	mc_value_free(&v);
	return r;
}

/* ---- kinds and constructors ------------------------------------------ */

static void test_kind_names(void **state)
{
	(void)state;
	for (int k = MC_KIND_UNKNOWN; k <= MC_KIND_OTHER; k++)
		assert_int_equal(mc_kind_from_name(mc_kind_name((mc_kind)k)), k);
	assert_string_equal(mc_kind_name(MC_KIND_BOOL), "bool");
	assert_string_equal(mc_kind_name(MC_KIND_SIZE), "size");
	assert_string_equal(mc_kind_name(MC_KIND_OTHER), "other");
	assert_string_equal(mc_kind_name((mc_kind)99), "unknown");
	assert_int_equal(mc_kind_from_name("enum"), MC_KIND_ENUM);
	assert_int_equal(mc_kind_from_name("Bool"), MC_KIND_UNKNOWN);
	assert_int_equal(mc_kind_from_name(""), MC_KIND_UNKNOWN);
	assert_int_equal(mc_kind_from_name(NULL), MC_KIND_UNKNOWN);
}

static void test_constructors_copy_free(void **state)
{
	(void)state;
	mc_value b = mc_value_bool(5);
	assert_int_equal(b.type, MC_VAL_BOOL);
	assert_int_equal(b.i, 1);
	mc_value i = mc_value_int(-3, 0);
	assert_int_equal(i.type, MC_VAL_INT);
	assert_int_equal(i.i, -3);
	assert_int_equal(i.is_unsigned, 0);

	mc_value s = mc_value_string("x y");
	mc_value c;
	mc_value_copy(&c, &s);
	assert_ptr_not_equal(c.s, s.s);
	assert_string_equal(c.s, "x y");
	mc_value_free(&s);
	assert_null(s.s);
	assert_int_equal(s.type, MC_VAL_NONE);
	assert_string_equal(c.s, "x y");
	mc_value_free(&c);

	mc_value sym = mc_value_symbolic("ON_OFF_AUTO_AUTO");
	assert_int_equal(sym.type, MC_VAL_SYMBOLIC);
	mc_value_copy(&c, &sym);
	assert_string_equal(c.s, "ON_OFF_AUTO_AUTO");
	mc_value_free(&c);
	mc_value_free(&sym);

	mc_value n = mc_value_string(NULL);
	assert_string_equal(n.s, "");
	mc_value_free(&n);
	mc_value_free(NULL);
}

/* ---- parsing ---------------------------------------------------------- */

static void test_parse_bool(void **state)
{
	(void)state;
	const char *yes[] = { "on", "yes", "true", "y", "ON", "Yes", "TRUE", "Y" };
	const char *no[] = { "off", "no", "false", "n", "OFF", "No", "False", "N" };
	for (size_t i = 0; i < 8; i++) {
		expect_bool(yes[i], 1);
		expect_bool(no[i], 0);
	}
	const char *bad[] = { "", "1", "0", "onn", " on", "on ", "enable", "t", "f", "auto" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_reject(MC_KIND_BOOL, bad[i]);
}

static void test_parse_int(void **state)
{
	(void)state;
	expect_int(MC_KIND_INT, "0", 0);
	expect_int(MC_KIND_INT, "42", 42);
	expect_int(MC_KIND_INT, "-42", -42);
	expect_int(MC_KIND_INT, "+7", 7);
	expect_int(MC_KIND_INT, "0x10", 16);
	expect_int(MC_KIND_INT, "0X1f", 31);
	expect_int(MC_KIND_INT, "-0x10", -16);
	expect_int(MC_KIND_INT, "010", 8);      /* leading 0: octal, like QEMU */
	expect_int(MC_KIND_INT, "-010", -8);
	expect_int(MC_KIND_INT, "0x0001", 1);
	expect_int(MC_KIND_INT, "  7", 7);      /* strtoll skips leading space */
	expect_int(MC_KIND_INT, "9223372036854775807", INT64_MAX);
	expect_int(MC_KIND_INT, "-9223372036854775808", INT64_MIN);

	const char *bad[] = { "", " ", "-", "0x", "08", "09", "12abc", "1.5", "12 ", "--1",
			      "9223372036854775808", "-9223372036854775809",
			      "0xffffffffffffffff", "on", "1k" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_reject(MC_KIND_INT, bad[i]);
	expect_reject(MC_KIND_INT, NULL);
}

static void test_parse_uint(void **state)
{
	(void)state;
	expect_uint(MC_KIND_UINT, "0", 0);
	expect_uint(MC_KIND_UINT, "4294967295", 4294967295u);
	expect_uint(MC_KIND_UINT, "0xFFFFFFFF", 0xffffffffu);
	expect_uint(MC_KIND_UINT, "0x8000000a", 0x8000000au);
	expect_uint(MC_KIND_UINT, "0xf80000000", 0xf80000000ull);
	expect_uint(MC_KIND_UINT, "017", 15);
	expect_uint(MC_KIND_UINT, "18446744073709551615", UINT64_MAX);
	expect_uint(MC_KIND_UINT, "0xffffffffffffffff", UINT64_MAX);
	/* qemu_strtou64 accepts a sign and wraps. */
	expect_uint(MC_KIND_UINT, "-1", UINT64_MAX);
	expect_uint(MC_KIND_UINT, "-2", UINT64_MAX - 1);

	const char *bad[] = { "", "abc", "18446744073709551616", "0x1ffffffffffffffff",
			      "1 ", "08", "1M", "0x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_reject(MC_KIND_UINT, bad[i]);
}

static void test_parse_size(void **state)
{
	(void)state;
	expect_uint(MC_KIND_SIZE, "0", 0);
	expect_uint(MC_KIND_SIZE, "1024", 1024);
	expect_uint(MC_KIND_SIZE, "08", 8);          /* decimal, not octal */
	expect_uint(MC_KIND_SIZE, "1B", 1);
	expect_uint(MC_KIND_SIZE, "2b", 2);
	expect_uint(MC_KIND_SIZE, "1k", 1024);
	expect_uint(MC_KIND_SIZE, "1K", 1024);
	expect_uint(MC_KIND_SIZE, "4m", 4ull << 20);
	expect_uint(MC_KIND_SIZE, "1M", 1ull << 20);
	expect_uint(MC_KIND_SIZE, "1G", 1ull << 30);
	expect_uint(MC_KIND_SIZE, "3t", 3ull << 40);
	expect_uint(MC_KIND_SIZE, "1P", 1ull << 50);
	expect_uint(MC_KIND_SIZE, "1E", 1ull << 60);
	expect_uint(MC_KIND_SIZE, "15E", 15ull << 60);
	expect_uint(MC_KIND_SIZE, "16383P", 16383ull << 50);
	expect_uint(MC_KIND_SIZE, "1.5k", 1536);
	expect_uint(MC_KIND_SIZE, "1.k", 1024);
	expect_uint(MC_KIND_SIZE, ".5k", 512);
	expect_uint(MC_KIND_SIZE, "0.5M", 512 * 1024);
	expect_uint(MC_KIND_SIZE, "1.5e", 3ull << 59);
	expect_uint(MC_KIND_SIZE, "0.1k", 102);      /* 102.4: truncated */
	expect_uint(MC_KIND_SIZE, "1.0005k", 1025);  /* 1024.512: 0.5 rounds up */
	expect_uint(MC_KIND_SIZE, "1.0004k", 1024);
	expect_uint(MC_KIND_SIZE, "1.0", 1);         /* a zero fraction needs no suffix */
	/* QEMU reads the fraction with strtod: a double, 53 bits */
	expect_uint(MC_KIND_SIZE, ".7e", 807045053224792832ull);
	expect_uint(MC_KIND_SIZE, "15.9999E", 18446628781559090944ull);
	expect_uint(MC_KIND_SIZE, "0.99999999999999999999k", 1024);  /* rounds to 1.0 */
	expect_uint(MC_KIND_SIZE, "1.99999999999999999999", 2);
	expect_uint(MC_KIND_SIZE, "0.0000000000000000000000000001k", 0);
	expect_uint(MC_KIND_SIZE, "0x10", 16);
	expect_uint(MC_KIND_SIZE, "0x1b", 27);       /* 'b' is a hex digit here */
	expect_uint(MC_KIND_SIZE, "0XfF", 255);
	expect_uint(MC_KIND_SIZE, " 2k", 2048);
	expect_uint(MC_KIND_SIZE, "18446744073709551615", UINT64_MAX);
	expect_uint(MC_KIND_SIZE, "17179869183G", 17179869183ull << 30);

	const char *bad[] = {
		"", " ", "k", ".", ".k", "-1", "-0", "-1k", "1.5", "1.5B", "0x20M", "0x1.8",
		"0x", "1e3", "1kb", "1 k", "1k ", "16E", "16384P", "17179869184G",
		"18446744073709551616", "1x", "1.5.5k", "abc", "1,5k", "inf", "nan",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_reject(MC_KIND_SIZE, bad[i]);
}

static void test_parse_verbatim_kinds(void **state)
{
	(void)state;
	expect_verbatim(MC_KIND_ENUM, "auto");
	expect_verbatim(MC_KIND_ENUM, "4k");         /* a GranuleMode name, not a size */
	expect_verbatim(MC_KIND_ENUM, "2_5");
	expect_verbatim(MC_KIND_ENUM, "Auto");       /* case-sensitive: kept as written */
	expect_verbatim(MC_KIND_STRING, "1.0k");     /* a string, not a size */
	expect_verbatim(MC_KIND_STRING, " SEAGATE");
	expect_verbatim(MC_KIND_STRING, "          ST225N");
	expect_verbatim(MC_KIND_STRING, "1.0 ");
	expect_verbatim(MC_KIND_STRING, "");
	expect_verbatim(MC_KIND_OTHER, "52:54:00:12:34:56");
	expect_verbatim(MC_KIND_OTHER, "02.1");
	expect_verbatim(MC_KIND_UNKNOWN, "0x10");
	expect_verbatim(MC_KIND_UNKNOWN, "on");

	mc_value v;
	assert_int_equal(mc_value_parse(&v, MC_KIND_STRING, NULL), MC_EPARSE);
}

/* ---- equality --------------------------------------------------------- */

static void test_equal_bool(void **state)
{
	(void)state;
	assert_int_equal(equal_text(MC_KIND_BOOL, mc_value_bool(1), "on"), 1);
	assert_int_equal(equal_text(MC_KIND_BOOL, mc_value_bool(1), "true"), 1);
	assert_int_equal(equal_text(MC_KIND_BOOL, mc_value_bool(1), "Yes"), 1);
	assert_int_equal(equal_text(MC_KIND_BOOL, mc_value_bool(0), "off"), 1);
	assert_int_equal(equal_text(MC_KIND_BOOL, mc_value_bool(0), "n"), 1);
	assert_int_equal(equal_text(MC_KIND_BOOL, mc_value_bool(1), "off"), 0);
	assert_int_equal(equal_text(MC_KIND_BOOL, mc_value_bool(0), "on"), 0);
	/* bit properties: the C default is often an int */
	assert_int_equal(equal_text(MC_KIND_BOOL, mc_value_int(1, 0), "on"), 1);
	assert_int_equal(equal_text(MC_KIND_BOOL, mc_value_int(0, 0), "false"), 1);
	assert_int_equal(equal_vals(MC_KIND_BOOL, mc_value_int(1, 0), mc_value_bool(1)), 1);
	assert_int_equal(equal_vals(MC_KIND_BOOL, mc_value_string("on"), mc_value_string("yes")), 1);
	assert_int_equal(equal_vals(MC_KIND_BOOL, mc_value_string("on"), mc_value_string("no")), 0);
	/* QEMU would reject the compat value: not known */
	assert_int_equal(equal_text(MC_KIND_BOOL, mc_value_bool(1), "enabled"), -1);
}

static void test_equal_numbers(void **state)
{
	(void)state;
	assert_int_equal(equal_text(MC_KIND_INT, mc_value_int(16, 0), "0x10"), 1);
	assert_int_equal(equal_text(MC_KIND_INT, mc_value_int(8, 0), "010"), 1);
	assert_int_equal(equal_text(MC_KIND_INT, mc_value_int(10, 0), "010"), 0);
	assert_int_equal(equal_text(MC_KIND_INT, mc_value_int(-1, 0), "-1"), 1);
	assert_int_equal(equal_text(MC_KIND_INT, mc_value_int(1, 0), "2"), 0);
	assert_int_equal(equal_text(MC_KIND_INT, mc_value_bool(1), "1"), 1);
	assert_int_equal(equal_text(MC_KIND_INT, mc_value_int(1, 0), "bad"), -1);
	assert_int_equal(equal_vals(MC_KIND_INT, mc_value_string("0x10"), mc_value_string("16")), 1);

	assert_int_equal(equal_text(MC_KIND_UINT, mc_value_int(5, 1), "5"), 1);
	assert_int_equal(equal_text(MC_KIND_UINT, mc_value_int(0xffffffff, 1), "0xFFFFFFFF"), 1);
	assert_int_equal(equal_text(MC_KIND_UINT, mc_value_int(-1, 0), "18446744073709551615"), 1);
	assert_int_equal(equal_text(MC_KIND_UINT, mc_value_int(-1, 1), "-1"), 1);
	/* -1 of a uint32 property is 4294967295, of a uint64 it is not: width unknown */
	assert_int_equal(equal_text(MC_KIND_UINT, mc_value_int(-1, 0), "4294967295"), -1);
	assert_int_equal(equal_text(MC_KIND_UINT, mc_value_int(-1, 0), "255"), -1);
	assert_int_equal(equal_text(MC_KIND_UINT, mc_value_int(-1, 0), "5"), 0);
	assert_int_equal(equal_text(MC_KIND_UINT, mc_value_int(4294967295, 1), "4294967296"), 0);

	assert_int_equal(equal_text(MC_KIND_SIZE, mc_value_int(1536, 1), "1.5k"), 1);
	assert_int_equal(equal_text(MC_KIND_SIZE, mc_value_int(1 << 20, 0), "1M"), 1);
	assert_int_equal(equal_text(MC_KIND_SIZE, mc_value_int(1 << 20, 0), "1048576"), 1);
	assert_int_equal(equal_text(MC_KIND_SIZE, mc_value_int(1024, 0), "1M"), 0);
	assert_int_equal(equal_text(MC_KIND_SIZE, mc_value_int(16, 0), "0x10"), 1);
	assert_int_equal(equal_text(MC_KIND_SIZE, mc_value_int(16, 0), "1.5"), -1);
}

static void test_equal_enum_string_other(void **state)
{
	(void)state;
	assert_int_equal(equal_text(MC_KIND_ENUM, mc_value_string("auto"), "auto"), 1);
	assert_int_equal(equal_text(MC_KIND_ENUM, mc_value_string("auto"), "on"), 0);
	assert_int_equal(equal_text(MC_KIND_ENUM, mc_value_string("auto"), "Auto"), 0);
	assert_int_equal(equal_text(MC_KIND_ENUM, mc_value_string("4k"), "4k"), 1);
	assert_int_equal(equal_text(MC_KIND_ENUM, mc_value_string("4k"), "4096"), 0);
	/* an enum default known only by index cannot be compared with a name */
	assert_int_equal(equal_text(MC_KIND_ENUM, mc_value_int(0, 0), "auto"), -1);
	assert_int_equal(equal_vals(MC_KIND_ENUM, mc_value_int(1, 0), mc_value_int(1, 0)), 1);
	assert_int_equal(equal_vals(MC_KIND_ENUM, mc_value_int(1, 0), mc_value_int(2, 0)), 0);
	/* bool -> OnOffAuto: "on"/"off" stay valid */
	assert_int_equal(equal_text(MC_KIND_ENUM, mc_value_bool(1), "on"), 1);
	assert_int_equal(equal_text(MC_KIND_ENUM, mc_value_bool(0), "auto"), 0);

	assert_int_equal(equal_text(MC_KIND_STRING, mc_value_string("1.0k"), "1.0k"), 1);
	assert_int_equal(equal_text(MC_KIND_STRING, mc_value_string(" SEAGATE"), "SEAGATE"), 0);
	assert_int_equal(equal_text(MC_KIND_STRING, mc_value_string(""), ""), 1);
	assert_int_equal(equal_text(MC_KIND_STRING, mc_value_int(1, 0), "1"), -1);

	assert_int_equal(equal_text(MC_KIND_OTHER, mc_value_string("auto"), "auto"), 1);
	assert_int_equal(equal_text(MC_KIND_OTHER, mc_value_string("02.1"), "0x11"), -1);
	assert_int_equal(equal_vals(MC_KIND_OTHER, mc_value_int(3, 0), mc_value_int(3, 0)), 1);
	assert_int_equal(equal_vals(MC_KIND_OTHER, mc_value_int(3, 0), mc_value_int(4, 0)), -1);
}

static void test_equal_symbolic_none(void **state)
{
	(void)state;
	assert_int_equal(equal_vals(MC_KIND_ENUM, mc_value_symbolic("ON_OFF_AUTO_AUTO"),
				    mc_value_symbolic("ON_OFF_AUTO_AUTO")), 1);
	assert_int_equal(equal_vals(MC_KIND_ENUM, mc_value_symbolic("ON_OFF_AUTO_AUTO"),
				    mc_value_symbolic("ON_OFF_AUTO_ON")), -1);
	assert_int_equal(equal_vals(MC_KIND_INT, mc_value_symbolic("FOO"), mc_value_int(1, 0)), -1);
	assert_int_equal(equal_text(MC_KIND_ENUM, mc_value_symbolic("ON_OFF_AUTO_AUTO"), "auto"), -1);
	mc_value none = { 0 };
	assert_int_equal(equal_vals(MC_KIND_BOOL, none, none), 1);
	assert_int_equal(equal_vals(MC_KIND_BOOL, none, mc_value_bool(0)), -1);
	assert_int_equal(equal_vals(MC_KIND_STRING, mc_value_string(""), none), -1);
	assert_int_equal(equal_vals(MC_KIND_ENUM, none, mc_value_symbolic("X")), -1);
}

static void test_equal_unknown_kind(void **state)
{
	(void)state;
	assert_int_equal(equal_vals(MC_KIND_UNKNOWN, mc_value_int(3, 0), mc_value_int(3, 1)), 1);
	assert_int_equal(equal_vals(MC_KIND_UNKNOWN, mc_value_int(3, 0), mc_value_int(4, 0)), 0);
	assert_int_equal(equal_vals(MC_KIND_UNKNOWN, mc_value_bool(1), mc_value_int(1, 0)), 1);
	assert_int_equal(equal_text(MC_KIND_UNKNOWN, mc_value_int(1, 0), "on"), 1);
	assert_int_equal(equal_text(MC_KIND_UNKNOWN, mc_value_bool(0), "on"), 0);
	assert_int_equal(equal_text(MC_KIND_UNKNOWN, mc_value_int(7, 0), "on"), -1);
	assert_int_equal(equal_text(MC_KIND_UNKNOWN, mc_value_int(16, 0), "0x10"), 1);
	assert_int_equal(equal_text(MC_KIND_UNKNOWN, mc_value_int(16, 0), "17"), 0);
	assert_int_equal(equal_text(MC_KIND_UNKNOWN, mc_value_string("abc"), "abc"), 1);
	assert_int_equal(equal_text(MC_KIND_UNKNOWN, mc_value_string("abc"), "abd"), -1);
	assert_int_equal(equal_text(MC_KIND_UNKNOWN, mc_value_string("on"), "yes"), 1);
	assert_int_equal(equal_text(MC_KIND_UNKNOWN, mc_value_string("on"), "false"), 0);
	assert_int_equal(equal_text(MC_KIND_UNKNOWN, mc_value_int(1, 0), "1k"), -1);
}

/* ---- formatting ------------------------------------------------------- */

static void test_to_compat_string(void **state)
{
	(void)state;
	expect_compat(MC_KIND_BOOL, mc_value_bool(1), "on");
	expect_compat(MC_KIND_BOOL, mc_value_bool(0), "off");
	expect_compat(MC_KIND_BOOL, mc_value_int(1, 0), "on");
	expect_compat(MC_KIND_BOOL, mc_value_string("yes"), "on");
	expect_compat(MC_KIND_BOOL, mc_value_string("bogus"), "bogus");
	expect_compat(MC_KIND_INT, mc_value_int(-5, 0), "-5");
	expect_compat(MC_KIND_INT, mc_value_int(INT64_MIN, 0), "-9223372036854775808");
	expect_compat(MC_KIND_INT, mc_value_string("0x10"), "16");
	expect_compat(MC_KIND_INT, mc_value_bool(1), "1");
	expect_compat(MC_KIND_UINT, mc_value_int(-1, 1), "18446744073709551615");
	expect_compat(MC_KIND_UINT, mc_value_int(-1, 0), "18446744073709551615");
	expect_compat(MC_KIND_UINT, mc_value_int(0x8000000a, 1), "2147483658");
	expect_compat(MC_KIND_SIZE, mc_value_int(1024, 1), "1024");
	expect_compat(MC_KIND_SIZE, mc_value_string("1.5k"), "1536");
	expect_compat(MC_KIND_SIZE, mc_value_string("junk"), "junk");
	expect_compat(MC_KIND_ENUM, mc_value_string("auto"), "auto");
	expect_compat(MC_KIND_ENUM, mc_value_int(2, 0), "2");
	expect_compat(MC_KIND_STRING, mc_value_string(" x "), " x ");
	expect_compat(MC_KIND_STRING, mc_value_string(""), "");
	expect_compat(MC_KIND_UNKNOWN, mc_value_int(-1, 1), "18446744073709551615");
	expect_compat(MC_KIND_UNKNOWN, mc_value_int(-1, 0), "-1");
	expect_compat(MC_KIND_ENUM, mc_value_symbolic("ON_OFF_AUTO_AUTO"), "ON_OFF_AUTO_AUTO");
	mc_value none = { 0 };
	expect_compat(MC_KIND_INT, none, "(none)");
}

static void test_display(void **state)
{
	(void)state;
	expect_display(MC_KIND_STRING, mc_value_string("a b"), "\"a b\"");
	expect_display(MC_KIND_STRING, mc_value_string(""), "\"\"");
	expect_display(MC_KIND_STRING, mc_value_string("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
	expect_display(MC_KIND_STRING, mc_value_string("a\tb\n"), "\"a\\tb\\n\"");
	expect_display(MC_KIND_ENUM, mc_value_string("auto"), "auto");
	expect_display(MC_KIND_BOOL, mc_value_bool(1), "on");
	expect_display(MC_KIND_INT, mc_value_int(42, 0), "42");
	expect_display(MC_KIND_STRING, mc_value_symbolic("DEFAULT_MODEL"), "DEFAULT_MODEL");
	mc_value none = { 0 };
	expect_display(MC_KIND_STRING, none, "(none)");
}

/* ---- enables ---------------------------------------------------------- */

static void test_enables(void **state)
{
	(void)state;
	assert_true(enables(MC_KIND_BOOL, mc_value_bool(1)));
	assert_false(enables(MC_KIND_BOOL, mc_value_bool(0)));
	assert_true(enables(MC_KIND_BOOL, mc_value_int(1, 0)));
	assert_true(enables(MC_KIND_BOOL, mc_value_string("on")));
	assert_false(enables(MC_KIND_BOOL, mc_value_string("off")));
	assert_true(enables(MC_KIND_UINT, mc_value_int(4, 1)));
	assert_false(enables(MC_KIND_INT, mc_value_int(0, 0)));
	assert_true(enables(MC_KIND_SIZE, mc_value_string("1k")));
	assert_true(enables(MC_KIND_ENUM, mc_value_string("on")));
	assert_true(enables(MC_KIND_ENUM, mc_value_string("auto")));
	assert_false(enables(MC_KIND_ENUM, mc_value_string("off")));
	assert_false(enables(MC_KIND_ENUM, mc_value_string("none")));
	assert_false(enables(MC_KIND_ENUM, mc_value_string("unspecified")));
	assert_false(enables(MC_KIND_ENUM, mc_value_int(1, 0)));
	assert_false(enables(MC_KIND_STRING, mc_value_string("on")));
	assert_false(enables(MC_KIND_OTHER, mc_value_string("auto")));
	assert_true(enables(MC_KIND_ENUM, mc_value_symbolic("ON_OFF_AUTO_ON")));
	assert_true(enables(MC_KIND_ENUM, mc_value_symbolic("ON_OFF_AUTO_AUTO")));
	assert_false(enables(MC_KIND_ENUM, mc_value_symbolic("ON_OFF_AUTO_OFF")));
	assert_false(enables(MC_KIND_ENUM, mc_value_symbolic("AUTO")));
	assert_true(enables(MC_KIND_UNKNOWN, mc_value_int(3, 0)));
	assert_true(enables(MC_KIND_UNKNOWN, mc_value_string("auto")));
	assert_false(enables(MC_KIND_UNKNOWN, mc_value_string("x")));
	mc_value none = { 0 };
	assert_false(enables(MC_KIND_BOOL, none));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_constructors_copy_free),
		cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_parse_uint),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_verbatim_kinds),
		cmocka_unit_test(test_equal_bool),
		cmocka_unit_test(test_equal_numbers),
		cmocka_unit_test(test_equal_enum_string_other),
		cmocka_unit_test(test_equal_symbolic_none),
		cmocka_unit_test(test_equal_unknown_kind),
		cmocka_unit_test(test_to_compat_string),
		cmocka_unit_test(test_display),
		cmocka_unit_test(test_enables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
