/*
 * scan_test.h - the token tables of the scanner tests (test_cscan for
 * util/cscan.h, test_rscan for util/rscan.h): one way to write a scan, for
 * two scanners of the same token type.
 *
 * A scan is written as its tokens one after the other, KIND:text (I
 * identifier, N number, S string, C character, H header name, P punctuator,
 * M comment, # directive, $ end of directive; a '!' after an unterminated
 * one; newlines, CRs and NULs written \n, \r, \0).  Every text is scanned
 * from a copy of exactly its length, so a read past the end is an ASan
 * error, not a NUL that happens to stop the scanner.
 */
#ifndef MC_SCAN_TEST_H
#define MC_SCAN_TEST_H

#include <stddef.h>
#include "util/cscan.h"
#include "util/util.h"

/* A scanner under test: a cursor of cursor_size bytes, started and read through these. */
typedef struct {
	size_t cursor_size;
	void (*init)(void *cursor, const char *text, size_t len, unsigned flags);
	mc_ctok_kind (*next)(void *cursor, mc_ctok *tok);
} mc_test_scanner;

/* text[0, len) in a buffer of its own, with nothing after it; the caller frees. */
char *mc_test_exact_copy(const char *text, size_t len);

/* Appends one token, as above, after a blank when b is not empty. */
void mc_test_put_token(mc_buf *b, const mc_ctok *t);

/*
 * Every token of text[0, len) scanned with flags, as above; checks that each
 * lies in the text and that the end stays the end.  The caller frees.
 */
char *mc_test_tokens_of(const mc_test_scanner *s, const char *text, size_t len, unsigned flags);

typedef struct {
	const char *name;
	const char *text;
	const char *want;
} mc_test_scan_case;

/* Fails the test at the first case whose tokens are not want. */
void mc_test_scan_cases(const mc_test_scanner *s, const mc_test_scan_case *cases, size_t n, unsigned flags);

#endif
