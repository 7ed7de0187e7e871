/*
 * fuzz_util.h - what every libFuzzer target here shares.
 *
 * libFuzzer hands a target bytes that are not NUL-terminated; the parsers
 * under test take C strings, so each input is copied once into a
 * NUL-terminated buffer (cut at the first NUL, as a C string reader would).
 */
#ifndef MC_FUZZ_UTIL_H
#define MC_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string the caller frees. */
static inline char *mc_fuzz_text(const uint8_t *data, size_t size)
{
	char *s = mc_malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The number of newlines in [p, q): the line a scanner must give the token at q. */
static inline size_t mc_fuzz_newlines(const char *p, const char *q)
{
	size_t n = 0;
	for (; p < q; p++)
		n += *p == '\n';
	return n;
}

/* A property that must hold: abort (a crash libFuzzer records) with the reason when it does not. */
#define MC_FUZZ_CHECK(cond)                                                                   \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                              \
		}                                                                             \
	} while (0)

#endif
