/*
 * limits.c - see limits.h.
 *
 * A macro's size is a linear function of its arguments' size, a + k * arg:
 * a tokens of its own and k copies of an argument (the largest number of
 * times one parameter is used, through nested calls).  Sizes are doubles so
 * that 2^1000 saturates instead of wrapping.
 */
#include "frontend/limits.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/util.h"

typedef struct {
	double a, k;
} lin;

typedef struct {
	char *name;
	char **body;         /* tokens */
	size_t nbody;
	mc_strvec params;
	int function_like;
	int state;           /* 0 not sized, 1 being sized (a cycle stops there), 2 sized */
	lin size;
} macro;

typedef struct {
	macro *v;
	size_t n, cap;
	mc_map by_name;      /* name -> index + 1 */
} macro_set;

/* Splits one logical line (continuations already joined) into tokens. */
static void tokenize(const char *s, const char *end, mc_strvec *out)
{
	while (s < end) {
		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		const char *t = s;
		if (isalpha((unsigned char)*s) || *s == '_') {
			while (s < end && (isalnum((unsigned char)*s) || *s == '_'))
				s++;
		} else if (isdigit((unsigned char)*s)) {
			while (s < end && (isalnum((unsigned char)*s) || *s == '.' || *s == '_'))
				s++;
		} else if (*s == '"' || *s == '\'') {
			char q = *s++;
			while (s < end && *s != q)
				s += (*s == '\\' && s + 1 < end) ? 2 : 1;
			if (s < end)
				s++;
		} else {
			s++;
		}
		mc_strvec_push_owned(out, mc_strndup(t, (size_t)(s - t)));
	}
}

static void add_define(macro_set *set, const char *s, const char *end)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	const char *name = s;
	while (s < end && (isalnum((unsigned char)*s) || *s == '_'))
		s++;
	if (s == name)
		return;
	macro *m = MC_VEC_PUSH(set->v, set->n, set->cap);
	m->name = mc_strndup(name, (size_t)(s - name));
	if (s < end && *s == '(') {
		m->function_like = 1;
		const char *close = memchr(s, ')', (size_t)(end - s));
		if (!close)
			close = end;
		mc_strvec params = {0};
		tokenize(s + 1, close, &params);
		for (size_t i = 0; i < params.n; i++)
			if (isalpha((unsigned char)params.v[i][0]) || params.v[i][0] == '_')
				mc_strvec_push(&m->params, params.v[i]);
			else if (strcmp(params.v[i], "...") == 0 || strcmp(params.v[i], ".") == 0)
				mc_strvec_push(&m->params, "__VA_ARGS__");
		mc_strvec_free(&params);
		s = close < end ? close + 1 : end;
	}
	mc_strvec body = {0};
	tokenize(s, end, &body);
	m->body = body.v;
	m->nbody = body.n;
	/* The last definition wins, as for the preprocessor (an #undef/#define pair). */
	mc_map_put(&set->by_name, m->name, (void *)(set->n));
}

/* Deeper chains of macros than this are counted as one token (the stack is a worker's). */
#define MAX_DEPTH 1000

static lin size_of(macro_set *set, macro *m, int depth);

static macro *lookup(macro_set *set, const char *name)
{
	size_t i = (size_t)mc_map_get(&set->by_name, name);
	return i ? &set->v[i - 1] : NULL;
}

static lin size_range(macro_set *set, macro *m, size_t i, size_t end, int depth);

/*
 * The largest of the comma-separated arguments in tokens [i, end), part by
 * part.  k counts every use of every parameter, so a + k * largest bounds
 * the expansion whichever parameter each use names.
 */
static lin largest_argument(macro_set *set, macro *m, size_t i, size_t end, int depth)
{
	lin best = { 0, 0 };
	size_t start = i;
	int nest = 0;
	for (; i <= end; i++) {
		if (i < end && strcmp(m->body[i], "(") == 0)
			nest++;
		else if (i < end && strcmp(m->body[i], ")") == 0)
			nest--;
		else if (i == end || (nest == 0 && strcmp(m->body[i], ",") == 0)) {
			lin arg = size_range(set, m, start, i, depth);
			best.a = arg.a > best.a ? arg.a : best.a;
			best.k = arg.k > best.k ? arg.k : best.k;
			start = i + 1;
		}
	}
	return best;
}

/* Size of tokens [i, end) of m's body; a nested call consumes its parenthesised arguments. */
static lin size_range(macro_set *set, macro *m, size_t i, size_t end, int depth)
{
	lin total = { 0, 0 };
	while (i < end) {
		const char *t = m->body[i];
		if (mc_strvec_contains(&m->params, t)) {
			total.k += 1;
			i++;
			continue;
		}
		macro *g = lookup(set, t);
		if (!g) {
			total.a += 1;
			i++;
			continue;
		}
		lin gs = size_of(set, g, depth + 1);
		if (g->function_like && i + 1 < end && strcmp(m->body[i + 1], "(") == 0) {
			size_t j = i + 2;
			int nest = 1;
			while (j < end && nest > 0) {
				if (strcmp(m->body[j], "(") == 0)
					nest++;
				else if (strcmp(m->body[j], ")") == 0)
					nest--;
				j++;
			}
			lin args = largest_argument(set, m, i + 2, nest == 0 ? j - 1 : j, depth);
			total.a += gs.a + gs.k * args.a;
			total.k += gs.k * args.k;
			i = j;
		} else {
			total.a += gs.a;
			i++;
		}
	}
	return total;
}

static lin size_of(macro_set *set, macro *m, int depth)
{
	if (m->state == 2)
		return m->size;
	if (m->state == 1 || depth > MAX_DEPTH) {
		lin self = { 1, 0 }; /* a macro is not expanded inside itself */
		return self;
	}
	m->state = 1;
	m->size = size_range(set, m, 0, m->nbody, depth);
	m->state = 2;
	return m->size;
}

int mc_limits_check_macros(const char *path, const char *text, size_t len, double max_tokens, char **why)
{
	*why = NULL;
	macro_set set = {0};
	const char *p = text, *end = text + len;
	mc_buf line = {0};
	while (p < end) {
		/* One logical line: backslash-newline joins. */
		line.len = 0;
		mc_buf_put(&line, "", 0);
		for (;;) {
			const char *eol = memchr(p, '\n', (size_t)(end - p));
			const char *stop = eol ? eol : end;
			int joined = stop > p && stop[-1] == '\\';
			mc_buf_put(&line, p, (size_t)(stop - p - joined));
			p = eol ? eol + 1 : end;
			if (!joined || p >= end)
				break;
		}
		const char *s = line.ptr, *e = line.ptr + line.len;
		while (s < e && isspace((unsigned char)*s))
			s++;
		if (s < e && *s == '#') {
			s++;
			while (s < e && isspace((unsigned char)*s))
				s++;
			if (e - s > 6 && memcmp(s, "define", 6) == 0 && isspace((unsigned char)s[6]))
				add_define(&set, s + 6, e);
		}
	}
	mc_buf_free(&line);
	int rc = 0;
	for (size_t i = 0; i < set.n && rc == 0; i++) {
		lin s = size_of(&set, &set.v[i], 0);
		/* Called with a one-token argument. */
		double tokens = s.a + s.k;
		if (tokens > max_tokens) {
			*why = mc_sprintf("%s: macro %s expands to about %.3g tokens (limit %.0f): not parsed", path,
					  set.v[i].name, tokens, max_tokens);
			rc = -1;
		}
	}
	for (size_t i = 0; i < set.n; i++) {
		free(set.v[i].name);
		for (size_t j = 0; j < set.v[i].nbody; j++)
			free(set.v[i].body[j]);
		free(set.v[i].body);
		mc_strvec_free(&set.v[i].params);
	}
	free(set.v);
	mc_map_free(&set.by_name);
	return rc;
}
