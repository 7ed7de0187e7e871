/*
 * scan_test.c - see scan_test.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "scan_test.h"

char *mc_test_exact_copy(const char *text, size_t len)
{
	char *p = mc_malloc(len ? len : 1);
	memcpy(p, text, len);
	return p;
}

static void put_escaped(mc_buf *b, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n')
			mc_buf_puts(b, "\\n");
		else if (p[i] == '\r')
			mc_buf_puts(b, "\\r");
		else if (p[i] == '\0')
			mc_buf_puts(b, "\\0");
		else
			mc_buf_put(b, p + i, 1);
	}
}

void mc_test_put_token(mc_buf *b, const mc_ctok *t)
{
	static const char kinds[] = "?INSCHPM#$";
	if (b->len)
		mc_buf_puts(b, " ");
	mc_buf_put(b, &kinds[t->kind], 1);
	if (t->kind == MC_CTOK_DIRECTIVE || t->kind == MC_CTOK_EOD)
		return;
	mc_buf_puts(b, ":");
	put_escaped(b, t->p, t->len);
	if (t->open)
		mc_buf_puts(b, "!");
}

char *mc_test_tokens_of(const mc_test_scanner *s, const char *text, size_t len, unsigned flags)
{
	char *copy = mc_test_exact_copy(text, len);
	void *cursor = mc_calloc(1, s->cursor_size);
	mc_buf b = {0};
	mc_ctok t;
	s->init(cursor, copy, len, flags);
	while (s->next(cursor, &t) != MC_CTOK_END) {
		assert_true(t.p >= copy && t.p + t.len <= copy + len);
		mc_test_put_token(&b, &t);
	}
	/* The end stays the end. */
	assert_int_equal(s->next(cursor, &t), MC_CTOK_END);
	assert_int_equal(s->next(cursor, &t), MC_CTOK_END);
	assert_true(t.p == copy + len && t.len == 0);
	free(cursor);
	free(copy);
	return b.ptr ? mc_buf_detach(&b) : mc_strdup("");
}

void mc_test_scan_cases(const mc_test_scanner *s, const mc_test_scan_case *cases, size_t n, unsigned flags)
{
	for (size_t i = 0; i < n; i++) {
		char *got = mc_test_tokens_of(s, cases[i].text, strlen(cases[i].text), flags);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s:\n  got:  %s\n  want: %s", cases[i].name, got, cases[i].want);
		free(got);
	}
}
