/*
 * fuzz_cscan.c - the C-text scanner (util/cscan.c) on any bytes.
 *
 * Input: one byte of flags (MC_CSCAN_CODE, MC_CSCAN_INNER), then the text,
 * NULs and all, in a buffer of exactly its length.  Checks the invariants of
 * cscan.h: tokens in order, inside the text, separated by blanks, newlines
 * and splices only; one EOD per directive; lines counted from the newlines;
 * END for ever at the end.  Then every opening bracket is matched from a
 * fresh cursor, which must stop inside the text.
 */
#include "fuzz_util.h"
#include "util/cscan.h"

/* Are the bytes [p, q) only blanks, newlines and splices? */
static int only_space(const char *p, const char *q)
{
	while (p < q) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v' || *p == '\n')
			p++;
		else if (*p == '\\' && p + 1 < q && p[1] == '\n')
			p += 2;
		else if (*p == '\\' && p + 2 < q && p[1] == '\r' && p[2] == '\n')
			p += 3;
		else
			return 0;
	}
	return 1;
}

static void check_tokens(const char *text, size_t len, unsigned flags)
{
	mc_cscan c;
	mc_ctok t;
	const char *prev = text, *end = text + len;
	size_t line = 1;
	int in_directive = 0;
	mc_cscan_init(&c, text, len, flags);
	while (mc_cscan_next(&c, &t) != MC_CTOK_END) {
		MC_FUZZ_CHECK(t.p >= prev && t.p + t.len <= end);
		/* Skipped comments are blanks too. */
		MC_FUZZ_CHECK((flags & MC_CSCAN_CODE) || only_space(prev, t.p));
		line += mc_fuzz_newlines(prev, t.p);
		MC_FUZZ_CHECK(t.line == line);
		MC_FUZZ_CHECK(t.kind != MC_CTOK_COMMENT || !(flags & MC_CSCAN_CODE));
		MC_FUZZ_CHECK((t.kind == MC_CTOK_EOD) == (t.len == 0));
		if (t.kind == MC_CTOK_DIRECTIVE) {
			MC_FUZZ_CHECK(!in_directive && !(flags & MC_CSCAN_INNER) && *t.p == '#');
			in_directive = 1;
		} else if (t.kind == MC_CTOK_EOD) {
			MC_FUZZ_CHECK(in_directive && (t.p == end || *t.p == '\n'));
			in_directive = 0;
		}
		line += mc_fuzz_newlines(t.p, t.p + t.len);
		prev = t.p + t.len;
	}
	MC_FUZZ_CHECK(!in_directive);
	MC_FUZZ_CHECK((flags & MC_CSCAN_CODE) || only_space(prev, end));
	MC_FUZZ_CHECK(t.p == end && t.len == 0);
	MC_FUZZ_CHECK(mc_cscan_next(&c, &t) == MC_CTOK_END);
}

static void check_matches(const char *text, size_t len, unsigned flags)
{
	mc_cscan c;
	mc_ctok t;
	size_t n = 0;
	mc_cscan_init(&c, text, len, flags);
	/* A bounded number of matches: each is linear, all of them quadratic. */
	while (mc_cscan_next(&c, &t) != MC_CTOK_END && n < 64) {
		if (t.kind != MC_CTOK_PUNCT || (*t.p != '(' && *t.p != '[' && *t.p != '{'))
			continue;
		n++;
		mc_cscan m = c;
		mc_ctok close;
		if (mc_cscan_match(&m, &t, &close) == 0) {
			MC_FUZZ_CHECK(close.p > t.p && close.p < text + len && close.kind == MC_CTOK_PUNCT);
			MC_FUZZ_CHECK(*close.p == (*t.p == '(' ? ')' : *t.p + 2));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0] & (MC_CSCAN_CODE | MC_CSCAN_INNER);
	size_t len = size - 1;
	char *text = mc_malloc(len ? len : 1);
	memcpy(text, data + 1, len);
	check_tokens(text, len, flags);
	check_matches(text, len, flags);
	free(text);
	return 0;
}
