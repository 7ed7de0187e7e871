/*
 * util.h - errors, strings and small growable arrays shared by every stage.
 *
 * Error convention (as in libgit2): a function that can fail returns an int,
 * 0 on success and a negative MC_E* code on failure, after recording a
 * one-line message with mc_error_set().  The CLI prints mc_error_last()
 * prefixed with "migcompat: ".  Nothing below main() calls exit().
 */
#ifndef MC_UTIL_H
#define MC_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

enum {
	MC_OK = 0,
	MC_EINPUT = -1,    /* bad user input: revision, repository, option */
	MC_ENOMEM = -2,
	MC_EPARSE = -3,    /* a file or data could not be understood */
	MC_EIO = -4,
	MC_ENOTFOUND = -5
};

void mc_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *mc_error_last(void);
void mc_error_clear(void);

/* Allocation wrappers: abort on out-of-memory, which is not recoverable. */
void *mc_malloc(size_t n);
void *mc_calloc(size_t n, size_t size);
void *mc_realloc(void *p, size_t n);
char *mc_strdup(const char *s);
char *mc_strndup(const char *s, size_t n);
char *mc_sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *mc_vsprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Seconds on a clock that only goes forward: for deadlines and durations. */
double mc_now_seconds(void);

/* Growable byte buffer, always NUL-terminated. */
typedef struct {
	char *ptr;
	size_t len;
	size_t cap;
} mc_buf;

void mc_buf_put(mc_buf *b, const char *data, size_t len);
void mc_buf_puts(mc_buf *b, const char *s);
void mc_buf_printf(mc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *mc_buf_detach(mc_buf *b);
void mc_buf_free(mc_buf *b);
/* Appends code point cp (at most U+10FFFF) in UTF-8: the escapes of JSON and Rust strings. */
void mc_buf_put_utf8(mc_buf *b, unsigned long cp);
/* The value of a hexadecimal digit ('a' or 'A': 10), or -1. */
int mc_hex_digit(int c);

/*
 * Reads a whole small text file from disk (rules, suppressions, a saved
 * report), NUL-terminated, into *data (caller frees).  what names it in the
 * one-line message of a failure: unreadable, larger than max, or holding a
 * NUL byte (not text).
 */
int mc_file_read_text(const char *path, const char *what, size_t max, char **data, size_t *len);

/* Vector of owned strings. */
typedef struct {
	char **v;
	size_t n;
	size_t cap;
} mc_strvec;

void mc_strvec_push(mc_strvec *sv, const char *s);     /* copies s */
void mc_strvec_push_owned(mc_strvec *sv, char *s);     /* takes s */
int mc_strvec_contains(const mc_strvec *sv, const char *s);
void mc_strvec_sort(mc_strvec *sv);
void mc_strvec_free(mc_strvec *sv);

/* Generic growable array of fixed-size items: MC_VEC_PUSH(arr, n, cap) returns a zeroed slot. */
void *mc_vec_grow(void *arr, size_t *cap, size_t n, size_t item);
#define MC_VEC_PUSH(arr, n, cap) \
	(((arr) = mc_vec_grow((arr), &(cap), (n), sizeof(*(arr)))), &(arr)[(n)++])

int mc_str_endswith(const char *s, const char *suffix);
/*
 * Replaces, in place, every byte of s that is not part of a valid UTF-8
 * sequence with '?'; returns s.  Text from C literals ("\xff") and git paths
 * may be any bytes, JSON (cache records, reports) only UTF-8.
 */
char *mc_utf8_repair(char *s);
/* A JSON string of s (repaired as above when not UTF-8), or JSON null for NULL. */
struct json_t *mc_json_text(const char *s);
int mc_str_startswith(const char *s, const char *prefix);


/* String-keyed hash map; keys are copied, values are borrowed pointers. */
typedef struct {
	char **keys;
	void **vals;
	size_t cap;   /* power of two */
	size_t n;
} mc_map;

void *mc_map_get(const mc_map *m, const char *key);
/* Sets key to val; returns the previous value or NULL. */
void *mc_map_put(mc_map *m, const char *key, void *val);
void mc_map_free(mc_map *m);   /* frees keys only */
#define MC_MAP_FOREACH(m, i) for (size_t i = 0; i < (m)->cap; i++) if ((m)->keys[i])

/*
 * The git blob id of a text, as 40 hex digits: the one hash used for cache
 * keys, digests and fingerprints, equal to the id git gives the same bytes, so
 * a file's facts and its blob share a key.  Computed in memory (libgit2's
 * hashing only: no repository is opened, nothing is written).
 */
void mc_hash_text(const char *text, size_t len, char hex[41]);

#endif
