/*
 * value.c - see value.h.
 *
 * Parsing follows what QEMU's string input visitor and property setters
 * accept for a compat string, so that "0x10", "16" and "1.5k" compare by
 * meaning.  Where QEMU changed its rules over time the union is accepted:
 * a compat entry that some QEMU version accepted is not our finding to make.
 */
#include "model/value.h"
#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const kind_names[] = {
	[MC_KIND_UNKNOWN] = "unknown",
	[MC_KIND_BOOL] = "bool",
	[MC_KIND_INT] = "int",
	[MC_KIND_UINT] = "uint",
	[MC_KIND_SIZE] = "size",
	[MC_KIND_ENUM] = "enum",
	[MC_KIND_STRING] = "string",
	[MC_KIND_OTHER] = "other",
};

#define NKINDS (sizeof(kind_names) / sizeof(kind_names[0]))

const char *mc_kind_name(mc_kind kind)
{
	if ((unsigned)kind >= NKINDS)
		return "unknown";
	return kind_names[kind];
}

mc_kind mc_kind_from_name(const char *name)
{
	if (!name)
		return MC_KIND_UNKNOWN;
	for (size_t i = 0; i < NKINDS; i++)
		if (strcmp(kind_names[i], name) == 0)
			return (mc_kind)i;
	return MC_KIND_UNKNOWN;
}

void mc_value_free(mc_value *v)
{
	if (!v)
		return;
	free(v->s);
	memset(v, 0, sizeof(*v));
}

void mc_value_copy(mc_value *dst, const mc_value *src)
{
	*dst = *src;
	dst->s = src->s ? mc_strdup(src->s) : NULL;
}

mc_value mc_value_bool(int b)
{
	mc_value v = { .type = MC_VAL_BOOL, .i = b ? 1 : 0 };
	return v;
}

mc_value mc_value_int(int64_t i, int is_unsigned)
{
	mc_value v = { .type = MC_VAL_INT, .i = i, .is_unsigned = is_unsigned ? 1 : 0 };
	return v;
}

mc_value mc_value_string(const char *s)
{
	mc_value v = { .type = MC_VAL_STRING, .s = mc_strdup(s ? s : "") };
	return v;
}

mc_value mc_value_symbolic(const char *s)
{
	mc_value v = { .type = MC_VAL_SYMBOLIC, .s = mc_strdup(s ? s : "") };
	return v;
}

/* ---- parsing ----------------------------------------------------------- */

/* Union of QEMU's spellings: pre-5.2 was case-insensitive, 5.2+ added y/n. */
static int parse_bool(const char *text, int *out)
{
	static const char *const yes[] = { "on", "yes", "true", "y" };
	static const char *const no[] = { "off", "no", "false", "n" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* strtoll(text, 0) without trailing garbage, as qemu_strtoi64 does. */
static int parse_int(const char *text, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 0);
	if (errno || end == text || *end)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* strtoull(text, 0): a leading '-' wraps, as qemu_strtou64 does. */
static int parse_uint(const char *text, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 0);
	if (errno || end == text || *end)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int size_suffix_shift(char c)
{
	switch (toupper((unsigned char)c)) {
	case 'B': return 0;
	case 'K': return 10;
	case 'M': return 20;
	case 'G': return 30;
	case 'T': return 40;
	case 'P': return 50;
	case 'E': return 60;
	}
	return -1;
}

/*
 * The fraction ".digits" the way qemu_strtosz sees it: strtod's correctly
 * rounded double, times 2^64, truncated (0.5 -> 1 << 63).  Computed with
 * integers (128 exact bits plus a sticky bit, then rounded to 53 bits) so
 * the result does not depend on the locale.  *whole is set when the
 * fraction rounds to 1.0.
 */
static uint64_t size_fraction_bits(const char *digits, size_t n, int *whole)
{
	unsigned char d[64];
	size_t nd = n < sizeof(d) ? n : sizeof(d);
	int sticky = 0;
	for (size_t i = 0; i < n; i++) {
		if (i < nd)
			d[i] = (unsigned char)(digits[i] - '0');
		else if (digits[i] != '0')
			sticky = 1;
	}
	/* Binary long division by doubling: bits[0] is 2^-1 .. 2^-64, bits[1] below. */
	uint64_t bits[2] = { 0, 0 };
	for (int b = 0; b < 128; b++) {
		int carry = 0;
		for (size_t i = nd; i-- > 0;) {
			int x = d[i] * 2 + carry;
			d[i] = (unsigned char)(x % 10);
			carry = x / 10;
		}
		if (carry)
			bits[b / 64] |= (uint64_t)1 << (63 - b % 64);
	}
	for (size_t i = 0; i < nd; i++)
		sticky |= d[i] != 0;

	*whole = 0;
	uint64_t hi = bits[0], lo = bits[1];
	if (hi == 0) /* below 2^-64: QEMU keeps any non-zero fraction as 1 */
		return (lo || sticky) ? 1 : 0;
	/* Keep 53 significant bits starting at hi's top bit; round to nearest even. */
	int top = 63;
	while (!(hi >> top & 1))
		top--;
	int cut = top - 52;                 /* lowest kept bit of hi; >= -52 */
	if (cut <= 0) {
		/* All of hi is kept; the rounding point lies inside lo. */
		int lcut = 64 + cut;            /* lowest kept bit of lo, 12..64 */
		uint64_t guard = (lo >> (lcut - 1)) & 1;
		uint64_t below = lo & (((uint64_t)1 << (lcut - 1)) - 1);
		uint64_t kept_lsb = lcut < 64 ? (lo >> lcut) & 1 : hi & 1;
		if (guard && (below || sticky || kept_lsb)) {
			/* Rounding adds 2^lcut to lo; only its carry reaches hi. */
			if (lcut == 64 || lo + ((uint64_t)1 << lcut) < lo) {
				if (++hi == 0)
					*whole = 1;
			}
		}
		return hi;
	}
	uint64_t guard = (hi >> (cut - 1)) & 1;
	uint64_t below = (hi & (((uint64_t)1 << (cut - 1)) - 1)) | lo;
	uint64_t kept = hi >> cut;
	if (guard && (below || sticky || (kept & 1)))
		kept++;
	if (kept >> (64 - cut)) { /* rounded up to 1.0 */
		*whole = 1;
		return 0;
	}
	return kept << cut;
}

/*
 * qemu_strtosz: decimal with an optional B/K/M/G/T/P/E suffix (binary
 * multiples), a fraction only with a suffix above B, hex only without a
 * suffix, no sign.  The fraction is truncated to bytes with 0.5 rounded up.
 */
static int parse_size(const char *text, uint64_t *out)
{
	const char *p = text;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-')
		return -1;
	if (*p == '+')
		p++;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		uint64_t v;
		if (!isxdigit((unsigned char)p[2]) || parse_uint(p, &v) < 0)
			return -1;
		*out = v;
		return 0;
	}

	uint64_t val = 0;
	const char *q = p;
	for (; isdigit((unsigned char)*q); q++) {
		unsigned dig = (unsigned)(*q - '0');
		if (val > (UINT64_MAX - dig) / 10)
			return -1;
		val = val * 10 + dig;
	}
	int have_int = q > p;
	uint64_t frac = 0;
	if (*q == '.') {
		const char *f = ++q;
		int whole;
		while (isdigit((unsigned char)*q))
			q++;
		if (!have_int && q == f)
			return -1;
		frac = size_fraction_bits(f, (size_t)(q - f), &whole);
		if (whole) {
			if (val == UINT64_MAX)
				return -1;
			val++;
		}
	} else if (!have_int) {
		return -1;
	}

	int shift = 0;
	if (*q) {
		shift = size_suffix_shift(*q);
		if (shift < 0 || q[1])
			return -1;
	}
	if (shift == 0) {
		/* A non-zero fraction needs a scale; "1.0" is still 1. */
		if (frac)
			return -1;
		*out = val;
		return 0;
	}
	if (shift < 64 && (val >> (64 - shift)) != 0)
		return -1;
	uint64_t bytes = val << shift;
	/* frac is a 0.64 fixed-point number: scale it and round 0.5 up. */
	uint64_t scaled = frac >> (64 - shift);
	uint64_t round = (frac >> (63 - shift)) & 1;
	uint64_t add = scaled + round;
	if (bytes > UINT64_MAX - add)
		return -1;
	*out = bytes + add;
	return 0;
}

/* A number of this kind (INT for kinds without their own syntax), silently. */
static int parse_number(mc_kind kind, const char *text, uint64_t *out)
{
	int64_t i;
	switch (kind) {
	case MC_KIND_UINT:
		return parse_uint(text, out);
	case MC_KIND_SIZE:
		return parse_size(text, out);
	default:
		if (parse_int(text, &i) < 0)
			return -1;
		*out = (uint64_t)i;
		return 0;
	}
}

static int parse_error(mc_kind kind, const char *text)
{
	mc_error_set("invalid %s value '%s'", mc_kind_name(kind), text);
	return MC_EPARSE;
}

int mc_value_parse(mc_value *out, mc_kind kind, const char *text)
{
	memset(out, 0, sizeof(*out));
	if (!text) {
		mc_error_set("missing %s value", mc_kind_name(kind));
		return MC_EPARSE;
	}
	switch (kind) {
	case MC_KIND_BOOL: {
		int b;
		if (parse_bool(text, &b) < 0)
			return parse_error(kind, text);
		*out = mc_value_bool(b);
		return 0;
	}
	case MC_KIND_INT: {
		int64_t i;
		if (parse_int(text, &i) < 0)
			return parse_error(kind, text);
		*out = mc_value_int(i, 0);
		return 0;
	}
	case MC_KIND_UINT: {
		uint64_t u;
		if (parse_uint(text, &u) < 0)
			return parse_error(kind, text);
		*out = mc_value_int((int64_t)u, 1);
		return 0;
	}
	case MC_KIND_SIZE: {
		uint64_t u;
		if (parse_size(text, &u) < 0)
			return parse_error(kind, text);
		*out = mc_value_int((int64_t)u, 1);
		return 0;
	}
	case MC_KIND_ENUM:
	case MC_KIND_STRING:
	case MC_KIND_OTHER:
	case MC_KIND_UNKNOWN:
	default:
		*out = mc_value_string(text);
		return 0;
	}
}

/* ---- comparison -------------------------------------------------------- */

/* Truth of a value for a bool property; -1 when it cannot be told. */
static int value_truth(const mc_value *v)
{
	int b;
	switch (v->type) {
	case MC_VAL_BOOL:
	case MC_VAL_INT:
		return v->i != 0;
	case MC_VAL_STRING:
		return parse_bool(v->s, &b) == 0 ? b : -1;
	default:
		return -1;
	}
}

/* Bit pattern of a numeric value for this kind; -1 when not a number. */
static int value_number(mc_kind kind, const mc_value *v, uint64_t *out)
{
	switch (v->type) {
	case MC_VAL_BOOL:
	case MC_VAL_INT:
		*out = (uint64_t)v->i;
		return 0;
	case MC_VAL_STRING:
		return parse_number(kind, v->s, out);
	default:
		return -1;
	}
}

static int is_negative_signed(const mc_value *v)
{
	return (v->type == MC_VAL_INT && !v->is_unsigned && v->i < 0);
}

/*
 * -1 when a negative default and a positive value could be the same
 * unsigned property value at a narrower width (uint32 default -1 against
 * "4294967295"): the width is not known here.
 */
static int numbers_equal_at_some_width(uint64_t neg, uint64_t pos)
{
	static const int widths[] = { 8, 16, 32 };
	for (size_t i = 0; i < 3; i++) {
		uint64_t mask = ((uint64_t)1 << widths[i]) - 1;
		if (pos <= mask && (neg & mask) == pos)
			return 1;
	}
	return 0;
}

static int compare_numbers(mc_kind kind, const mc_value *a, const mc_value *b)
{
	uint64_t x, y;
	if (value_number(kind, a, &x) < 0 || value_number(kind, b, &y) < 0)
		return -1;
	if (x == y)
		return 1;
	if (kind != MC_KIND_INT) {
		if (is_negative_signed(a) && !is_negative_signed(b) && numbers_equal_at_some_width(x, y))
			return -1;
		if (is_negative_signed(b) && !is_negative_signed(a) && numbers_equal_at_some_width(y, x))
			return -1;
	}
	return 0;
}

/* Enum members compare by name; a bool default stands for "on"/"off". */
static const char *enum_name_of(const mc_value *v)
{
	if (v->type == MC_VAL_STRING)
		return v->s;
	if (v->type == MC_VAL_BOOL)
		return v->i ? "on" : "off";
	return NULL;
}

static int compare_enums(const mc_value *a, const mc_value *b)
{
	if (a->type == MC_VAL_INT && b->type == MC_VAL_INT)
		return a->i == b->i;
	const char *x = enum_name_of(a), *y = enum_name_of(b);
	if (!x || !y)
		return -1;
	return strcmp(x, y) == 0;
}

/* Kind not known: equal or different only when both sides read the same way. */
static int compare_loosely(const mc_value *a, const mc_value *b)
{
	if (a->type == MC_VAL_STRING && b->type == MC_VAL_STRING && strcmp(a->s, b->s) == 0)
		return 1;
	if (a->type != MC_VAL_STRING && b->type != MC_VAL_STRING)
		return a->i == b->i;

	int ta = value_truth(a), tb = value_truth(b);
	int a_word = a->type == MC_VAL_STRING && ta >= 0;
	int b_word = b->type == MC_VAL_STRING && tb >= 0;
	if ((a_word || b_word) && ta >= 0 && tb >= 0) {
		/* "on" vs 2 says nothing; "on" vs 0/1/true does. */
		const mc_value *other = a_word ? b : a;
		if (other->type == MC_VAL_STRING || other->type == MC_VAL_BOOL ||
		    (uint64_t)other->i <= 1)
			return ta == tb;
		return -1;
	}

	uint64_t x, y;
	if (value_number(MC_KIND_INT, a, &x) == 0 && value_number(MC_KIND_INT, b, &y) == 0)
		return x == y;
	return -1;
}

int mc_value_equal(mc_kind kind, const mc_value *a, const mc_value *b)
{
	if (a->type == MC_VAL_NONE || b->type == MC_VAL_NONE)
		return (a->type == MC_VAL_NONE && b->type == MC_VAL_NONE) ? 1 : -1;
	if (a->type == MC_VAL_SYMBOLIC || b->type == MC_VAL_SYMBOLIC) {
		if (a->type == MC_VAL_SYMBOLIC && b->type == MC_VAL_SYMBOLIC &&
		    strcmp(a->s, b->s) == 0)
			return 1;
		return -1;
	}

	switch (kind) {
	case MC_KIND_BOOL: {
		int x = value_truth(a), y = value_truth(b);
		if (x < 0 || y < 0)
			return -1;
		return x == y;
	}
	case MC_KIND_INT:
	case MC_KIND_UINT:
	case MC_KIND_SIZE:
		return compare_numbers(kind, a, b);
	case MC_KIND_ENUM:
		return compare_enums(a, b);
	case MC_KIND_STRING:
		if (a->type == MC_VAL_STRING && b->type == MC_VAL_STRING)
			return strcmp(a->s, b->s) == 0;
		return -1;
	case MC_KIND_OTHER:
		/* Type-specific syntax: only identical spellings are known equal. */
		if (a->type == MC_VAL_STRING && b->type == MC_VAL_STRING)
			return strcmp(a->s, b->s) == 0 ? 1 : -1;
		if (a->type != MC_VAL_STRING && b->type != MC_VAL_STRING && a->i == b->i)
			return 1;
		return -1;
	case MC_KIND_UNKNOWN:
	default:
		return compare_loosely(a, b);
	}
}

/* ---- formatting -------------------------------------------------------- */

static char *format_int(const mc_value *v, int as_unsigned)
{
	if (as_unsigned)
		return mc_sprintf("%" PRIu64, (uint64_t)v->i);
	return mc_sprintf("%" PRId64, v->i);
}

/* A string value of a numeric kind is shown normalised when it parses. */
static char *format_number(mc_kind kind, const mc_value *v, int as_unsigned)
{
	if (v->type == MC_VAL_STRING) {
		uint64_t n;
		if (value_number(kind, v, &n) < 0)
			return mc_strdup(v->s);
		mc_value tmp = mc_value_int((int64_t)n, as_unsigned);
		return format_int(&tmp, as_unsigned);
	}
	return format_int(v, as_unsigned);
}

char *mc_value_to_compat_string(mc_kind kind, const mc_value *v)
{
	if (v->type == MC_VAL_NONE)
		return mc_strdup("(none)");
	if (v->type == MC_VAL_SYMBOLIC)
		return mc_strdup(v->s ? v->s : "");

	switch (kind) {
	case MC_KIND_BOOL: {
		int t = value_truth(v);
		if (t < 0)
			return mc_strdup(v->s ? v->s : "");
		return mc_strdup(t ? "on" : "off");
	}
	case MC_KIND_INT:
		return format_number(kind, v, 0);
	case MC_KIND_UINT:
	case MC_KIND_SIZE:
		return format_number(kind, v, 1);
	default:
		if (v->type == MC_VAL_STRING)
			return mc_strdup(v->s ? v->s : "");
		if (v->type == MC_VAL_BOOL)
			return mc_strdup(v->i ? "on" : "off");
		return format_int(v, v->is_unsigned);
	}
}

/* Double quotes with C-style escapes, so spaces and quotes stay visible. */
static char *quote_string(const char *s)
{
	mc_buf b = { 0 };
	mc_buf_puts(&b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			mc_buf_printf(&b, "\\%c", *p);
		else if (*p == '\n')
			mc_buf_puts(&b, "\\n");
		else if (*p == '\t')
			mc_buf_puts(&b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			mc_buf_printf(&b, "\\x%02x", *p);
		else
			mc_buf_put(&b, (const char *)p, 1);
	}
	mc_buf_puts(&b, "\"");
	return mc_buf_detach(&b);
}

char *mc_value_display(mc_kind kind, const mc_value *v)
{
	if (kind == MC_KIND_STRING && v->type == MC_VAL_STRING)
		return quote_string(v->s ? v->s : "");
	return mc_value_to_compat_string(kind, v);
}

/* ---- enables ----------------------------------------------------------- */

static int enum_name_enables(const char *s)
{
	return strcmp(s, "on") == 0 || strcmp(s, "auto") == 0;
}

int mc_value_enables(mc_kind kind, const mc_value *v)
{
	switch (v->type) {
	case MC_VAL_NONE:
		return 0;
	case MC_VAL_SYMBOLIC:
		return v->s && (mc_str_endswith(v->s, "_ON") || mc_str_endswith(v->s, "_AUTO"));
	default:
		break;
	}

	switch (kind) {
	case MC_KIND_BOOL:
		return value_truth(v) == 1;
	case MC_KIND_INT:
	case MC_KIND_UINT:
	case MC_KIND_SIZE: {
		uint64_t n;
		return value_number(kind, v, &n) == 0 && n != 0;
	}
	case MC_KIND_ENUM:
		if (v->type == MC_VAL_STRING)
			return enum_name_enables(v->s);
		/* An enum index says nothing without the enum; a bool does. */
		return v->type == MC_VAL_BOOL && v->i;
	case MC_KIND_STRING:
	case MC_KIND_OTHER:
		return 0;
	case MC_KIND_UNKNOWN:
	default:
		if (v->type == MC_VAL_STRING)
			return value_truth(v) == 1 || strcmp(v->s, "auto") == 0;
		return v->i != 0;
	}
}
