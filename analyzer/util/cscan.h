/*
 * cscan.h - one scanner of C text for every stage that reads C without
 * libclang: the macro estimate (frontend/limits.c), the #include closure
 * (frontend/tree.c), the token index of the slice (frontend/slice.c), the
 * array ends of --fix (report/fix.c) and the markers of suppress.c.
 *
 * In:     a text and its length; any bytes (a NUL is a punctuator), no
 *         terminating NUL needed.  A cursor never reads outside [text, text+len).
 * Out:    tokens, one per mc_cscan_next(): identifier, pp-number, string,
 *         character literal, header name, punctuator (one byte), comment,
 *         the '#' starting a directive and the end of that directive.
 *         Blanks, newlines and backslash-newline splices are skipped.
 * Memory: nothing is allocated; a token points into the text (borrowed), so
 *         the text must outlive every token taken from it.
 *
 * What it is not: a preprocessor.  Nothing is expanded, no #if is evaluated
 * (every branch is scanned), a splice inside an identifier or a number
 * splits it, trigraphs and digraphs are not known, and an encoding prefix
 * (L"x", u8"x") is an identifier token before the string.
 *
 * Invariants, relied on by every caller and checked by fuzz_cscan:
 *   (1) tokens come in text order, never overlap, and lie inside the text;
 *       the bytes between two tokens are blanks, newlines and splices only.
 *   (2) every MC_CTOK_DIRECTIVE is followed, after the tokens of its line,
 *       by exactly one MC_CTOK_EOD, also when the text ends first.
 *   (3) a token's line is one more than the newlines before its first byte.
 *   (4) mc_cscan_next() returns MC_CTOK_END for ever once the text is done.
 */
#ifndef MC_CSCAN_H
#define MC_CSCAN_H

#include <stddef.h>

typedef enum {
	MC_CTOK_END = 0,     /* no more tokens (len 0, at the end of the text) */
	MC_CTOK_IDENT,       /* [A-Za-z_][A-Za-z0-9_]* */
	MC_CTOK_NUMBER,      /* a pp-number: 12, 0x1fULL, 1e+5, .5 */
	MC_CTOK_STRING,      /* "..." with its quotes */
	MC_CTOK_CHAR,        /* '...' with its quotes */
	MC_CTOK_HEADER,      /* <...> or "..." (no escapes) right after #include, #include_next, #import */
	MC_CTOK_PUNCT,       /* any other byte, alone: "->" is two tokens */
	MC_CTOK_COMMENT,     /* / * ... * / or // ... (without its newline); never with MC_CSCAN_CODE */
	MC_CTOK_DIRECTIVE,   /* the '#' first on a logical line; the directive's name is the next token */
	MC_CTOK_EOD          /* end of a directive: len 0, at its newline or at the end of the text */
} mc_ctok_kind;

typedef struct {
	mc_ctok_kind kind;
	const char *p;       /* first byte, in the scanned text (borrowed) */
	size_t len;
	size_t line;         /* 1-based line of p, counted from the cursor's start */
	int open;            /* STRING, CHAR, HEADER, COMMENT: the text or line ended before the closing delimiter */
} mc_ctok;

enum {
	/* Comments are skipped as blanks are: for callers that see code only. */
	MC_CSCAN_CODE = 1,
	/*
	 * The inside of a comment or of a header name, read as words: no
	 * comments and no directives are recognised there ('/', '*' and '#' are
	 * punctuators); quotes still pair up.
	 */
	MC_CSCAN_INNER = 2
};

/*
 * A string or character literal ends at its closing quote or, unterminated,
 * before the first newline that is not spliced, or at the end of the text.
 * A backslash escapes the next byte; before "\n" or "\r\n" it is a splice.
 */
typedef struct {
	const char *p, *end;   /* next byte to scan; end of the text */
	size_t line;           /* line of p */
	unsigned flags;        /* MC_CSCAN_* */
	int bol;               /* only blanks and comments since the last newline: '#' starts a directive */
	int dir;               /* 0 outside a directive; else which of its tokens comes next (cscan.c) */
} mc_cscan;

/* Starts a cursor at the beginning of text[0, len), on line 1, at the start of a line. */
void mc_cscan_init(mc_cscan *c, const char *text, size_t len, unsigned flags);

/* Reads the next token into *tok and returns its kind. */
mc_ctok_kind mc_cscan_next(mc_cscan *c, mc_ctok *tok);

/*
 * open is the token c has just returned, a '(', '[' or '{'.  Moves c past the
 * matching closing bracket, counting only brackets of open's kind outside
 * comments, strings and character literals, and stores it in *close: 0.  A
 * bracket opened inside a directive closes inside it.  -1 when the text (or
 * the directive) ends first (c is then at the end of the text, or just past
 * the EOD), or when open is not an opening bracket (c does not move).
 */
int mc_cscan_match(mc_cscan *c, const mc_ctok *open, mc_ctok *close);

/* Is tok's text exactly s? */
int mc_ctok_is(const mc_ctok *tok, const char *s);

/* The bracket closing tok when tok is a '(', '[' or '{' punctuator; else 0. */
char mc_ctok_closer(const mc_ctok *tok);

/*
 * The bracket matching for any scanner of these tokens (mc_cscan_match,
 * mc_rscan_match): next reads cursor's next token; an EOD ends the search
 * when stop_at_eod.
 */
int mc_ctok_match(void *cursor, mc_ctok_kind (*next)(void *cursor, mc_ctok *tok), const mc_ctok *open,
		  int stop_at_eod, mc_ctok *close);

#endif
