/*
 * rscan.c - see rscan.h.
 *
 * The same shape as cscan.c: one pass, no allocation, no look-behind, and
 * every loop tests its pointer against the end before reading, so an
 * unterminated comment, string or raw string at the end of a hostile text
 * stops there (fuzz_rscan).  What differs from C is lexical only: block
 * comments nest, strings span lines and have prefixes (b, c, r with hashes),
 * a quote starts a character or a lifetime, and '#' is an ordinary
 * punctuator (attributes).
 */
#include "util/rscan.h"

#include <stdlib.h>
#include <string.h>
#include "util/util.h"

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v' || ch == '\n';
}

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Non-ASCII bytes are taken as parts of identifiers (Rust allows Unicode ones). */
static int is_ident_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || (unsigned char)ch >= 0x80;
}

static int is_ident_char(char ch)
{
	return is_ident_start(ch) || is_digit(ch);
}

void mc_rscan_init(mc_rscan *c, const char *text, size_t len, unsigned flags)
{
	c->p = text;
	c->end = text + len;
	c->line = 1;
	c->flags = flags;
}

static size_t newlines(const char *p, const char *q)
{
	size_t n = 0;
	for (; p < q; p++)
		n += *p == '\n';
	return n;
}

/* The end of the comment at s ("//" or a block comment, nested ones inside it). */
static const char *comment_end(const char *s, const char *end, int *open)
{
	const char *p = s + 2;
	*open = 0;
	if (s[1] == '/') {
		while (p < end && *p != '\n')
			p++;
		return p;
	}
	size_t depth = 1;
	while (p < end) {
		if (*p == '/' && p + 1 < end && p[1] == '*') {
			depth++;
			p += 2;
		} else if (*p == '*' && p + 1 < end && p[1] == '/') {
			p += 2;
			if (--depth == 0)
				return p;
		} else {
			p++;
		}
	}
	*open = 1;
	return end;
}

/* After the opening quote at q: the end of a string with escapes. */
static const char *quoted_end(const char *q, const char *end, int *open)
{
	const char *p = q + 1;
	while (p < end && *p != '"')
		p += (*p == '\\' && p + 1 < end) ? 2 : 1;
	*open = p >= end;
	return *open ? end : p + 1;
}

/* At q: hashes then a quote (a raw string's opening); the end of the raw string, or NULL if q opens none. */
static const char *raw_end(const char *q, const char *end, int *open)
{
	size_t hashes = 0;
	while (q + hashes < end && q[hashes] == '#')
		hashes++;
	if (q + hashes >= end || q[hashes] != '"')
		return NULL;
	for (const char *p = q + hashes + 1; p < end; p++) {
		if (*p != '"' || (size_t)(end - p - 1) < hashes)
			continue;
		size_t k = 0;
		while (k < hashes && p[1 + k] == '#')
			k++;
		if (k == hashes) {
			*open = 0;
			return p + 1 + hashes;
		}
	}
	*open = 1;
	return end;
}

/* Length of the UTF-8 character whose first byte is ch (1 for a stray byte). */
static size_t utf8_len(unsigned char ch)
{
	return ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc0 ? 2 : 1;
}

/*
 * At the quote q: the end of a character literal, or NULL when the quote
 * starts a lifetime or a label ('a, 'static).
 */
static const char *char_end(const char *q, const char *end, int *open)
{
	*open = 0;
	if (q + 1 < end && q[1] == '\\') {
		const char *p = q + 3;
		while (p < end && *p != '\'' && *p != '\n' && p - q < 16)
			p++;
		if (p < end && *p == '\'')
			return p + 1;
		*open = 1;
		return p < end ? p : end;
	}
	if (q + 1 >= end || q[1] == '\'' || q[1] == '\n')
		return NULL;
	size_t n = utf8_len((unsigned char)q[1]);
	if ((size_t)(end - q) > n + 1 && q[1 + n] == '\'')
		return q + n + 2;
	return NULL;
}

/*
 * A literal starting with a prefix letter at s (b"..", b'x', br"..", c"..",
 * cr#".."#, r"..", r#".."#): its end and kind, or NULL when s starts an
 * identifier.  *raw_ident is set for r#name.
 */
static const char *prefixed_end(const char *s, const char *end, mc_ctok_kind *kind, int *open, int *raw_ident)
{
	const char *q = s + 1, *e;
	*raw_ident = 0;
	if ((*s == 'b' || *s == 'c') && q < end && *q == 'r')
		q++;
	else if (*s == 'b' && q < end && *q == '\'') {
		*kind = MC_CTOK_CHAR;
		return char_end(q, end, open);
	} else if (*s != 'r' && q < end && *q == '"') {
		*kind = MC_CTOK_STRING;
		return quoted_end(q, end, open);
	}
	if (q == s + 1 && *s != 'r')
		return NULL;
	*kind = MC_CTOK_STRING;
	if (q < end && (e = raw_end(q, end, open)) != NULL)
		return e;
	if (*s == 'r' && q + 1 < end && *q == '#' && is_ident_start(q[1])) {
		*raw_ident = 1;
		*kind = MC_CTOK_IDENT;
		for (e = q + 2; e < end && is_ident_char(*e); e++)
			;
		return e;
	}
	return NULL;
}

/* The end of a number literal at s: digits, '_', a suffix, one fraction and one exponent sign. */
static const char *number_end(const char *s, const char *end)
{
	int radix = s + 1 < end && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b');
	int letters = radix, dot = 0;
	const char *p = s + (radix ? 2 : 1);
	while (p < end) {
		if (!letters && (*p == 'e' || *p == 'E') && p + 2 < end && (p[1] == '+' || p[1] == '-') &&
		    is_digit(p[2])) {
			p += 3;
			letters = 1;
		} else if (is_ident_char(*p)) {
			letters |= !is_digit(*p) && *p != '_';
			p++;
		} else if (*p == '.' && !dot && !letters && p + 1 < end && is_digit(p[1])) {
			dot = 1;
			p++;
		} else {
			break;
		}
	}
	return p;
}

/* The token at s (not a blank, not a comment): its end and kind; *skip is the bytes before a raw identifier's name. */
static const char *token_end(const char *s, const char *end, mc_ctok_kind *kind, int *open, size_t *skip)
{
	const char *e;
	int raw = 0;
	*open = 0;
	*skip = 0;
	if ((*s == 'b' || *s == 'c' || *s == 'r') && (e = prefixed_end(s, end, kind, open, &raw)) != NULL) {
		*skip = raw ? 2 : 0;
		return e;
	}
	if (is_ident_start(*s)) {
		*kind = MC_CTOK_IDENT;
		for (e = s + 1; e < end && is_ident_char(*e); e++)
			;
		return e;
	}
	if (is_digit(*s)) {
		*kind = MC_CTOK_NUMBER;
		return number_end(s, end);
	}
	if (*s == '"') {
		*kind = MC_CTOK_STRING;
		return quoted_end(s, end, open);
	}
	if (*s == '\'' && (e = char_end(s, end, open)) != NULL) {
		*kind = MC_CTOK_CHAR;
		return e;
	}
	*kind = MC_CTOK_PUNCT;
	return s + 1;
}

mc_ctok_kind mc_rscan_next(mc_rscan *c, mc_ctok *tok)
{
	for (;;) {
		while (c->p < c->end && is_blank(*c->p)) {
			c->line += *c->p == '\n';
			c->p++;
		}
		const char *s = c->p;
		*tok = (mc_ctok){ MC_CTOK_END, s, 0, c->line, 0 };
		if (s == c->end)
			return MC_CTOK_END;
		int open = 0;
		mc_ctok_kind kind;
		const char *e;
		size_t skip = 0;
		if (*s == '/' && s + 1 < c->end && (s[1] == '*' || s[1] == '/')) {
			e = comment_end(s, c->end, &open);
			kind = MC_CTOK_COMMENT;
		} else {
			e = token_end(s, c->end, &kind, &open, &skip);
		}
		c->line += newlines(s, e);
		c->p = e;
		if (kind == MC_CTOK_COMMENT && (c->flags & MC_RSCAN_CODE))
			continue;
		*tok = (mc_ctok){ kind, s + skip, (size_t)(e - s) - skip, tok->line, open };
		return kind;
	}
}

static mc_ctok_kind next_token(void *c, mc_ctok *tok)
{
	return mc_rscan_next(c, tok);
}

int mc_rscan_match(mc_rscan *c, const mc_ctok *open, mc_ctok *close)
{
	return mc_ctok_match(c, next_token, open, 0, close);
}

/* One escape after the backslash at p (p < end); appends its value and returns the byte after it, or NULL. */
static const char *unescape(mc_buf *b, const char *p, const char *end)
{
	static const char from[] = "nrt\\0'\"", to[] = "\n\r\t\\\0'\"";
	const char *hit = p + 1 < end ? memchr(from, p[1], sizeof(from) - 1) : NULL;
	if (hit) {
		mc_buf_put(b, &to[hit - from], 1);
		return p + 2;
	}
	if (p + 3 < end && p[1] == 'x' && mc_hex_digit(p[2]) >= 0 && mc_hex_digit(p[3]) >= 0) {
		char ch = (char)(mc_hex_digit(p[2]) * 16 + mc_hex_digit(p[3]));
		mc_buf_put(b, &ch, 1);
		return p + 4;
	}
	if (p + 2 < end && p[1] == 'u' && p[2] == '{') {
		unsigned long cp = 0;
		const char *q = p + 3;
		for (; q < end && *q != '}' && q - p < 12; q++) {
			if (*q != '_' && mc_hex_digit(*q) < 0)
				return NULL;
			cp = *q == '_' ? cp : cp * 16 + (unsigned long)mc_hex_digit(*q);
		}
		if (q >= end || *q != '}' || cp > 0x10ffff)
			return NULL;
		mc_buf_put_utf8(b, cp);
		return q + 1;
	}
	if (p + 1 < end && p[1] == '\n') {
		for (p += 2; p < end && is_blank(*p); p++)
			;
		return p;
	}
	if (p + 2 < end && p[1] == '\r' && p[2] == '\n')
		return unescape(b, p + 1, end);
	return NULL;
}

char *mc_rscan_string(const mc_ctok *tok, size_t *len)
{
	if (tok->kind != MC_CTOK_STRING || tok->open)
		return NULL;
	const char *p = tok->p, *end = tok->p + tok->len;
	while (*p != '"' && *p != '#')
		p++; /* the prefix: b, c, r, br, cr */
	int raw = p > tok->p && p[-1] == 'r';
	size_t hashes = 0;
	while (*p == '#') {
		p++;
		hashes++;
	}
	const char *q = end - 1 - hashes; /* the closing quote */
	mc_buf b = {0};
	mc_buf_put(&b, "", 0);
	for (p++; p && p < q;) {
		if (!raw && *p == '\\')
			p = unescape(&b, p, q);
		else
			mc_buf_put(&b, p++, 1);
	}
	if (!p || memchr(b.ptr, '\0', b.len)) {
		mc_buf_free(&b);
		return NULL;
	}
	if (len)
		*len = b.len;
	return mc_buf_detach(&b);
}
