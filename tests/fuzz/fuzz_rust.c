/*
 * fuzz_rust.c - the Rust-text scanner (util/rscan.c) and the Rust front end
 * (frontend/rust.c) on any bytes.
 *
 * Input: one byte of flags (MC_RSCAN_CODE), then the text, NULs and all, in
 * a buffer of exactly its length.  Checks the invariants of rscan.h: tokens
 * in order, inside the text, separated by blanks (and, with the flag,
 * comments) only; lines counted from the newlines; END for ever at the end;
 * every opening bracket matched from a fresh cursor stops inside the text; a
 * string's value is as long as it says.  Then the text is read as a crate of
 * two files (cut in the middle, so constants and impls cross files) and the
 * facts of each must read back from their JSON unchanged.
 */
#include "fuzz_util.h"
#include "frontend/rust.h"
#include "util/rscan.h"

static mc_conv conv;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (mc_conv_load_builtin(&conv) < 0)
		abort();
	return 0;
}

static int only_blanks(const char *p, const char *q)
{
	for (; p < q; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\f' && *p != '\v' && *p != '\n')
			return 0;
	return 1;
}

static void check_string(const mc_ctok *t)
{
	size_t len = 0;
	char *v = mc_rscan_string(t, &len);
	MC_FUZZ_CHECK(!v || strlen(v) == len);
	free(v);
}

static void check_tokens(const char *text, size_t len, unsigned flags)
{
	mc_rscan c;
	mc_ctok t;
	const char *prev = text, *end = text + len;
	size_t line = 1;
	mc_rscan_init(&c, text, len, flags);
	while (mc_rscan_next(&c, &t) != MC_CTOK_END) {
		MC_FUZZ_CHECK(t.p >= prev && t.p + t.len <= end && t.len > 0);
		/* A raw identifier's r# is skipped: the gap holds it. */
		MC_FUZZ_CHECK((flags & MC_RSCAN_CODE) || only_blanks(prev, t.p) ||
			      (t.kind == MC_CTOK_IDENT && t.p - prev >= 2 && t.p[-1] == '#' && t.p[-2] == 'r' &&
			       only_blanks(prev, t.p - 2)));
		line += mc_fuzz_newlines(prev, t.p);
		MC_FUZZ_CHECK(t.line == line);
		MC_FUZZ_CHECK(t.kind != MC_CTOK_COMMENT || !(flags & MC_RSCAN_CODE));
		if (t.kind == MC_CTOK_STRING)
			check_string(&t);
		line += mc_fuzz_newlines(t.p, t.p + t.len);
		prev = t.p + t.len;
	}
	MC_FUZZ_CHECK((flags & MC_RSCAN_CODE) || only_blanks(prev, end));
	MC_FUZZ_CHECK(t.p == end && t.len == 0);
	MC_FUZZ_CHECK(mc_rscan_next(&c, &t) == MC_CTOK_END);
}

static void check_matches(const char *text, size_t len)
{
	mc_rscan c;
	mc_ctok t;
	size_t n = 0;
	mc_rscan_init(&c, text, len, 0);
	while (mc_rscan_next(&c, &t) != MC_CTOK_END && n < 64) {
		if (t.kind != MC_CTOK_PUNCT || (*t.p != '(' && *t.p != '[' && *t.p != '{'))
			continue;
		n++;
		mc_rscan m = c;
		mc_ctok close;
		if (mc_rscan_match(&m, &t, &close) == 0)
			MC_FUZZ_CHECK(close.p > t.p && close.p < text + len &&
				      *close.p == (*t.p == '(' ? ')' : *t.p + 2));
	}
}

static void check_facts(const char *text, size_t len)
{
	size_t cut = len / 2;
	mc_rust_file files[] = { { "rust/hw/x/src/device.rs", text, cut, NULL },
				 { "rust/hw/x/src/lib.rs", text + cut, len - cut, NULL } };
	for (size_t which = 0; which < 2; which++) {
		mc_facts *f = NULL, *back = NULL;
		mc_rust_read(&f, &conv, files, 2, which);
		char *json = mc_facts_to_json(f);
		MC_FUZZ_CHECK(mc_facts_from_json(&back, json) == 0);
		char *again = mc_facts_to_json(back);
		MC_FUZZ_CHECK(strcmp(json, again) == 0);
		free(again);
		free(json);
		mc_facts_free(back);
		mc_facts_free(f);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0] & MC_RSCAN_CODE;
	size_t len = size - 1;
	char *text = mc_malloc(len ? len : 1);
	memcpy(text, data + 1, len);
	check_tokens(text, len, flags);
	check_matches(text, len);
	check_facts(text, len);
	free(text);
	mc_error_clear();
	return 0;
}
