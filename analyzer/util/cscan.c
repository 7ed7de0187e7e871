/*
 * cscan.c - see cscan.h.
 *
 * One pass, one byte at a time, no allocation and no look-behind: the state
 * a token depends on is in the cursor (the line, whether the line has had a
 * token yet, where a directive is).  Every loop tests its pointer against
 * the end before reading, so unterminated comments, strings and splices at
 * the end of a hostile text stop there (fuzz_cscan).
 */
#include "util/cscan.h"

#include <string.h>

/* Where in a directive the cursor is (mc_cscan.dir). */
enum {
	DIR_NONE = 0,   /* not in a directive */
	DIR_NAME,       /* after the '#': the directive's name comes next */
	DIR_HEADER,     /* after "include": a header name may come next */
	DIR_BODY        /* anything else up to the end of the line */
};

static int is_blank(char ch)
{
	/* '\r' too: CRLF text is a blank then a newline. */
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

static int is_ident_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int is_ident_char(char ch)
{
	return is_ident_start(ch) || is_digit(ch);
}

/* Length of the splice (backslash-newline, CRLF or not) at p, or 0. */
static size_t splice_at(const char *p, const char *end)
{
	if (p >= end || *p != '\\')
		return 0;
	if (p + 1 < end && p[1] == '\n')
		return 2;
	if (p + 2 < end && p[1] == '\r' && p[2] == '\n')
		return 3;
	return 0;
}

void mc_cscan_init(mc_cscan *c, const char *text, size_t len, unsigned flags)
{
	c->p = text;
	c->end = text + len;
	c->line = 1;
	c->flags = flags;
	c->bol = !(flags & MC_CSCAN_INNER);
	c->dir = DIR_NONE;
}

/* The end of the comment starting at s ("/ *" or "//"); counts its lines. */
static const char *comment_end(mc_cscan *c, const char *s, int *open)
{
	const char *p = s + 2, *end = c->end;
	*open = 0;
	if (s[1] == '/') {
		/* To the newline, which is not part of it; a splice continues it. */
		while (p < end && *p != '\n') {
			size_t n = splice_at(p, end);
			if (n) {
				p += n;
				c->line++;
			} else {
				p++;
			}
		}
		return p;
	}
	for (; p < end; p++) {
		if (*p == '\n')
			c->line++;
		else if (*p == '*' && p + 1 < end && p[1] == '/')
			return p + 2;
	}
	*open = 1;
	return end;
}

/* The end of the literal quoted by *s; see cscan.h for where an unterminated one stops. */
static const char *quoted_end(mc_cscan *c, const char *s, int *open)
{
	const char *p = s + 1, *end = c->end;
	while (p < end && *p != *s && *p != '\n') {
		size_t n = splice_at(p, end);
		if (n) {
			p += n;
			c->line++;
		} else if (*p == '\\' && p + 1 < end) {
			p += 2;
		} else {
			p++;
		}
	}
	*open = !(p < end && *p == *s);
	return *open ? p : p + 1;
}

/* After #include: the end of the header name at s, or NULL when its line has no closing delimiter. */
static const char *header_end(const char *s, const char *end)
{
	char close = *s == '<' ? '>' : '"';
	for (const char *p = s + 1; p < end && *p != '\n'; p++)
		if (*p == close)
			return p + 1;
	return NULL;
}

static const char *number_end(const char *p, const char *end)
{
	while (p < end) {
		if ((*p == 'e' || *p == 'E' || *p == 'p' || *p == 'P') && p + 1 < end && (p[1] == '+' || p[1] == '-'))
			p += 2;
		else if (is_ident_char(*p) || *p == '.')
			p++;
		else
			break;
	}
	return p;
}

/*
 * Skips blanks, splices and newlines up to the next token.  Returns 1 when a
 * directive ends first: *tok is then its EOD.
 */
static int skip_space(mc_cscan *c, mc_ctok *tok)
{
	while (c->p < c->end) {
		size_t n;
		if (is_blank(*c->p)) {
			c->p++;
		} else if ((n = splice_at(c->p, c->end)) != 0) {
			c->p += n;
			c->line++;
		} else if (*c->p == '\n') {
			int eod = c->dir != DIR_NONE;
			if (eod)
				*tok = (mc_ctok){ MC_CTOK_EOD, c->p, 0, c->line, 0 };
			c->p++;
			c->line++;
			c->bol = !(c->flags & MC_CSCAN_INNER);
			c->dir = DIR_NONE;
			if (eod)
				return 1;
		} else {
			return 0;
		}
	}
	if (c->dir != DIR_NONE) {
		*tok = (mc_ctok){ MC_CTOK_EOD, c->p, 0, c->line, 0 };
		c->dir = DIR_NONE;
		return 1;
	}
	return 0;
}

mc_ctok_kind mc_cscan_next(mc_cscan *c, mc_ctok *tok)
{
	const char *s, *e;
	int open = 0;
	mc_ctok_kind kind;
	for (;;) {
		if (skip_space(c, tok))
			return MC_CTOK_EOD;
		s = c->p;
		*tok = (mc_ctok){ MC_CTOK_END, s, 0, c->line, 0 };
		if (s == c->end)
			return MC_CTOK_END;
		if (!(c->flags & MC_CSCAN_INNER) && *s == '/' && s + 1 < c->end && (s[1] == '*' || s[1] == '/')) {
			/* A comment is a blank: it leaves bol and the directive as they were. */
			c->p = comment_end(c, s, &open);
			if (c->flags & MC_CSCAN_CODE)
				continue;
			tok->kind = MC_CTOK_COMMENT;
			tok->len = (size_t)(c->p - s);
			tok->open = open;
			return MC_CTOK_COMMENT;
		}
		break;
	}
	if (*s == '#' && c->bol) {
		kind = MC_CTOK_DIRECTIVE;
		e = s + 1;
	} else if (c->dir == DIR_HEADER && (*s == '<' || *s == '"') && (e = header_end(s, c->end)) != NULL) {
		kind = MC_CTOK_HEADER;
	} else if (is_ident_start(*s)) {
		kind = MC_CTOK_IDENT;
		for (e = s + 1; e < c->end && is_ident_char(*e); e++)
			;
	} else if (is_digit(*s) || (*s == '.' && s + 1 < c->end && is_digit(s[1]))) {
		kind = MC_CTOK_NUMBER;
		e = number_end(s + 1, c->end);
	} else if (*s == '"' || *s == '\'') {
		kind = *s == '"' ? MC_CTOK_STRING : MC_CTOK_CHAR;
		e = quoted_end(c, s, &open);
	} else {
		kind = MC_CTOK_PUNCT;
		e = s + 1;
	}
	tok->kind = kind;
	tok->len = (size_t)(e - s);
	tok->open = open;
	c->p = e;
	c->bol = 0;
	if (kind == MC_CTOK_DIRECTIVE)
		c->dir = DIR_NAME;
	else if (c->dir == DIR_NAME)
		c->dir = kind == MC_CTOK_IDENT && (mc_ctok_is(tok, "include") || mc_ctok_is(tok, "include_next") ||
						    mc_ctok_is(tok, "import"))
				 ? DIR_HEADER
				 : DIR_BODY;
	else if (c->dir == DIR_HEADER)
		c->dir = DIR_BODY;
	return kind;
}

char mc_ctok_closer(const mc_ctok *tok)
{
	if (tok->kind != MC_CTOK_PUNCT || tok->len != 1)
		return 0;
	return *tok->p == '(' ? ')' : *tok->p == '[' ? ']' : *tok->p == '{' ? '}' : 0;
}

int mc_ctok_match(void *cursor, mc_ctok_kind (*next)(void *cursor, mc_ctok *tok), const mc_ctok *open,
		  int stop_at_eod, mc_ctok *close)
{
	char cl = mc_ctok_closer(open);
	if (!cl)
		return -1;
	char o = *open->p;
	size_t depth = 1;
	mc_ctok t;
	for (;;) {
		mc_ctok_kind k = next(cursor, &t);
		if (k == MC_CTOK_END || (k == MC_CTOK_EOD && stop_at_eod))
			return -1;
		if (k != MC_CTOK_PUNCT)
			continue;
		if (*t.p == o) {
			depth++;
		} else if (*t.p == cl && --depth == 0) {
			*close = t;
			return 0;
		}
	}
}

static mc_ctok_kind next_token(void *c, mc_ctok *tok)
{
	return mc_cscan_next(c, tok);
}

int mc_cscan_match(mc_cscan *c, const mc_ctok *open, mc_ctok *close)
{
	/* A bracket opened inside a directive closes inside it. */
	return mc_ctok_match(c, next_token, open, c->dir != DIR_NONE, close);
}

int mc_ctok_is(const mc_ctok *tok, const char *s)
{
	size_t n = strlen(s);
	return tok->len == n && memcmp(tok->p, s, n) == 0;
}
