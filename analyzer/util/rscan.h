/*
 * rscan.h - one scanner of Rust text, for the stages that read Rust sources
 * without a Rust toolchain: the facts of Rust devices (frontend/rust.c) and
 * the slice's token index of Rust files (frontend/slice.c).
 *
 * In:     a text and its length; any bytes, no terminating NUL needed.  A
 *         cursor never reads outside [text, text+len).
 * Out:    tokens of cscan.h's type (mc_ctok), one per mc_rscan_next():
 *           MC_CTOK_IDENT    identifier or keyword; a raw identifier r#type
 *                            is the identifier "type" (p points past "r#")
 *           MC_CTOK_NUMBER   a literal with its suffix: 0x1F_u32, 3usize, 1.5e-3
 *           MC_CTOK_STRING   "..", b"..", c"..", r"..", r#".."#, br"..", cr#".."#,
 *                            prefix and delimiters included (mc_rscan_string
 *                            gives the value)
 *           MC_CTOK_CHAR     'x', '\n', b'x'
 *           MC_CTOK_PUNCT    any other byte, alone ("::" is two tokens); the
 *                            quote of a lifetime or label ('static) is one, the
 *                            name after it an identifier
 *           MC_CTOK_COMMENT  // to the end of the line (without the newline), or
 *                            a block comment with every comment nested in it;
 *                            doc comments (///, //!, and block ones) too; never with
 *                            MC_RSCAN_CODE
 *         Blanks and newlines are skipped.  Attributes are plain tokens: '#',
 *         '[', ... (nothing is a directive, unlike C).
 * Memory: nothing is allocated but the value mc_rscan_string returns; a
 *         token points into the text (borrowed).
 *
 * What it is not: a parser.  Macros are not expanded, a string is not
 * checked for valid escapes, and "1..2" is the number 1, two punctuators,
 * then the number 2, as rustc reads it.
 *
 * Invariants, relied on by every caller and checked by fuzz_rscan:
 *   (1) tokens come in text order, never overlap, and lie inside the text;
 *       the bytes between two tokens are blanks and newlines only (comments
 *       too with MC_RSCAN_CODE).
 *   (2) a token's line is one more than the newlines before its first byte.
 *   (3) mc_rscan_next() returns MC_CTOK_END for ever once the text is done.
 */
#ifndef MC_RSCAN_H
#define MC_RSCAN_H

#include <stddef.h>
#include "util/cscan.h"

enum {
	/* Comments are skipped as blanks are: for callers that see code only. */
	MC_RSCAN_CODE = 1
};

typedef struct {
	const char *p, *end;   /* next byte to scan; end of the text */
	size_t line;           /* line of p */
	unsigned flags;        /* MC_RSCAN_* */
} mc_rscan;

/* Starts a cursor at the beginning of text[0, len), on line 1. */
void mc_rscan_init(mc_rscan *c, const char *text, size_t len, unsigned flags);

/*
 * Reads the next token into *tok and returns its kind.  A string, character
 * or block comment the text ends inside has open set; a string may span
 * lines, as Rust allows.
 */
mc_ctok_kind mc_rscan_next(mc_rscan *c, mc_ctok *tok);

/*
 * open is the token c has just returned, a '(', '[' or '{'.  Moves c past the
 * matching closing bracket (counting only brackets of open's kind outside
 * comments, strings and characters) and stores it in *close: 0.  -1 when the
 * text ends first (c is then at its end) or open is not an opening bracket
 * (c does not move).
 */
int mc_rscan_match(mc_rscan *c, const mc_ctok *open, mc_ctok *close);

/*
 * The value of a closed string token, escapes decoded ("\n", "\x41",
 * "\u{e9}" as UTF-8, a backslash before a newline skipping the blanks after
 * it; raw strings as written).  Returns a NUL-terminated copy the caller
 * frees, and its length in *len (may be NULL), or NULL for a token that is
 * not a closed string, a bad escape, or a NUL in the value (no C string and
 * no QOM name can hold one).
 */
char *mc_rscan_string(const mc_ctok *tok, size_t *len);

#endif
