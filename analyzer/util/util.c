/*
 * util.c - see util.h.
 */
#include "util/util.h"

#include <errno.h>
#include <git2.h>
#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One message per thread: parser workers report their own failures. */
static _Thread_local char last_error[1024];

void mc_error_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
}

const char *mc_error_last(void)
{
	return last_error[0] ? last_error : "unknown error";
}

void mc_error_clear(void)
{
	last_error[0] = '\0';
}

static void out_of_memory(void)
{
	fputs("migcompat: out of memory\n", stderr);
	abort();
}

void *mc_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

double mc_now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void *mc_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *mc_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		out_of_memory();
	return q;
}

char *mc_strdup(const char *s)
{
	return s ? mc_strndup(s, strlen(s)) : NULL;
}

char *mc_strndup(const char *s, size_t n)
{
	char *d = mc_malloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *mc_vsprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	char *s = mc_malloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *mc_sprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = mc_vsprintf(fmt, ap);
	va_end(ap);
	return s;
}

static void buf_reserve(mc_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->ptr = mc_realloc(b->ptr, cap);
	b->cap = cap;
}

void mc_buf_put(mc_buf *b, const char *data, size_t len)
{
	buf_reserve(b, len);
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void mc_buf_puts(mc_buf *b, const char *s)
{
	mc_buf_put(b, s, strlen(s));
}

void mc_buf_printf(mc_buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf_reserve(b, (size_t)n);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	b->len += (size_t)n;
}

char *mc_buf_detach(mc_buf *b)
{
	char *p = b->ptr ? b->ptr : mc_strdup("");
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void mc_buf_free(mc_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

int mc_file_read_text(const char *path, const char *what, size_t max, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		mc_error_set("cannot read %s '%s': %s", what, path, strerror(errno));
		return MC_EINPUT;
	}
	mc_buf b = {0};
	char chunk[8192];
	size_t got;
	int rc = 0;
	while (rc == 0 && (got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (memchr(chunk, '\0', got)) {
			mc_error_set("%s '%s' is not text", what, path);
			rc = MC_EINPUT;
		} else if (b.len + got > max) {
			mc_error_set("%s '%s' is larger than %zu KiB", what, path, max >> 10);
			rc = MC_EINPUT;
		} else {
			mc_buf_put(&b, chunk, got);
		}
	}
	if (rc == 0 && ferror(f)) {
		mc_error_set("cannot read %s '%s': %s", what, path, strerror(errno));
		rc = MC_EINPUT;
	}
	fclose(f);
	if (rc < 0) {
		mc_buf_free(&b);
		return rc;
	}
	if (len)
		*len = b.len;
	*data = mc_buf_detach(&b);
	return 0;
}

void mc_strvec_push(mc_strvec *sv, const char *s)
{
	mc_strvec_push_owned(sv, mc_strdup(s));
}

void mc_strvec_push_owned(mc_strvec *sv, char *s)
{
	char **slot = MC_VEC_PUSH(sv->v, sv->n, sv->cap);
	*slot = s;
}

int mc_strvec_contains(const mc_strvec *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void mc_strvec_sort(mc_strvec *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(char *), cmp_str);
}

void mc_strvec_free(mc_strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

void *mc_vec_grow(void *arr, size_t *cap, size_t n, size_t item)
{
	if (n < *cap)
		return arr;
	size_t ncap = *cap ? *cap * 2 : 8;
	char *p = mc_realloc(arr, ncap * item);
	memset(p + *cap * item, 0, (ncap - *cap) * item);
	*cap = ncap;
	return p;
}

void mc_buf_put_utf8(mc_buf *b, unsigned long cp)
{
	char u[4];
	size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	for (size_t i = n - 1; i > 0; i--, cp >>= 6)
		u[i] = (char)(0x80 | (cp & 0x3f));
	u[0] = (char)(lead[n] | cp);
	mc_buf_put(b, u, n);
}

int mc_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mc_str_endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, surrogates or > U+10FFFF), 0 if invalid. */
static size_t utf8_sequence(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	unsigned lo = 0x80, hi = 0xBF;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
	else
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

char *mc_utf8_repair(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (p && *p) {
		size_t n = utf8_sequence(p);
		if (n == 0)
			*p++ = '?';
		else
			p += n;
	}
	return s;
}

json_t *mc_json_text(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (!j) {
		char *fixed = mc_utf8_repair(mc_strdup(s));
		j = json_string(fixed);
		free(fixed);
	}
	return j;
}

int mc_str_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static size_t map_slot(const mc_map *m, const char *key)
{
	size_t i = (size_t)hash_str(key) & (m->cap - 1);
	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *mc_map_get(const mc_map *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t i = map_slot(m, key);
	return m->keys[i] ? m->vals[i] : NULL;
}

static void map_grow(mc_map *m)
{
	mc_map bigger = {0};
	bigger.cap = m->cap ? m->cap * 2 : 64;
	bigger.keys = mc_calloc(bigger.cap, sizeof(char *));
	bigger.vals = mc_calloc(bigger.cap, sizeof(void *));
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t j = map_slot(&bigger, m->keys[i]);
		bigger.keys[j] = m->keys[i];
		bigger.vals[j] = m->vals[i];
		bigger.n++;
	}
	free(m->keys);
	free(m->vals);
	*m = bigger;
}

void *mc_map_put(mc_map *m, const char *key, void *val)
{
	if ((m->n + 1) * 2 > m->cap)
		map_grow(m);
	size_t i = map_slot(m, key);
	void *old = NULL;
	if (m->keys[i]) {
		old = m->vals[i];
	} else {
		m->keys[i] = mc_strdup(key);
		m->n++;
	}
	m->vals[i] = val;
	return old;
}

void mc_map_free(mc_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

void mc_hash_text(const char *text, size_t len, char hex[41])
{
	git_oid oid;
	git_odb_hash(&oid, text, len, GIT_OBJECT_BLOB);
	git_oid_tostr(hex, 41, &oid);
}
