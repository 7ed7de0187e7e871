/*
 * limits.h - refusing a file libclang would not finish in reasonable time.
 *
 * libclang 14 has no way to stop a parse (no deadline, no cancellation, no
 * token limit that stops preprocessing), and a few lines of macros can
 * expand to billions of tokens:  #define B1 B0+B0 ... #define B30 B29+B29.
 * Such a file is refused before it is parsed, by an estimate of how many
 * tokens each of its own macros expands to.  The estimate follows object-like
 * macros and function-like ones (an argument used k times is counted k
 * times); it does not see macros defined in other files, so a bomb split
 * across a header and a .c file passes it: the per-file time and memory
 * limits (worker.h) stop that one while it is parsed.
 */
#ifndef MC_LIMITS_H
#define MC_LIMITS_H

#include <stddef.h>

/*
 * Macros of one file that expand to more tokens than this are refused.  The
 * largest real QEMU macro the estimate has seen is QEMU_GENERIC10 of the 4.2
 * development tree's include/qemu/compiler.h, about 1.6 million tokens (the
 * estimate is generous: clang expands it in no time); refusing that header
 * emptied every file of the tree.  50 million leaves a wide margin and still
 * stops the doubling chains (B26 and up).
 */
#define MC_MAX_MACRO_TOKENS 50000000.0

/*
 * 0 when no macro defined in text expands beyond max_tokens; otherwise -1
 * with *why (caller frees) naming the macro and its estimated size.
 */
int mc_limits_check_macros(const char *path, const char *text, size_t len, double max_tokens, char **why);

#endif
