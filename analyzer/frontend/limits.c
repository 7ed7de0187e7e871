/*
 * limits.c - see limits.h.
 *
 * A macro's size is a linear function of its arguments' size, a + k * arg:
 * a tokens of its own and k copies of an argument (the largest number of
 * times one parameter is used, through nested calls).  Sizes are doubles so
 * that 2^1000 saturates instead of wrapping.  Tokens are util/cscan.h's: a
 * string is one, a comment none, and a #define in a comment is not one.
 */
#include "frontend/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/cscan.h"
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

/*
 * Is the '(' at q right after the name ending at p, as the preprocessor sees
 * it: nothing between them but splices?  Then the macro is function-like.
 */
static int touches(const char *p, const char *q)
{
	while (p < q && *p == '\\') {
		p++;
		if (p < q && *p == '\r')
			p++;
		if (p == q || *p != '\n')
			return 0;
		p++;
	}
	return p == q;
}

/* Reads the rest of a #define from c, just past "define", up to its EOD. */
static void add_define(macro_set *set, mc_cscan *c)
{
	mc_ctok t;
	if (mc_cscan_next(c, &t) != MC_CTOK_IDENT)
		return; /* the caller's loop skips the rest of the line */
	macro *m = MC_VEC_PUSH(set->v, set->n, set->cap);
	m->name = mc_strndup(t.p, t.len);
	const char *name_end = t.p + t.len;
	mc_ctok_kind k = mc_cscan_next(c, &t);
	if (k == MC_CTOK_PUNCT && *t.p == '(' && touches(name_end, t.p)) {
		m->function_like = 1;
		while ((k = mc_cscan_next(c, &t)) != MC_CTOK_EOD && !(k == MC_CTOK_PUNCT && *t.p == ')')) {
			if (k == MC_CTOK_IDENT)
				mc_strvec_push_owned(&m->params, mc_strndup(t.p, t.len));
			else if (k == MC_CTOK_PUNCT && *t.p == '.')
				mc_strvec_push(&m->params, "__VA_ARGS__");
		}
		if (k != MC_CTOK_EOD)
			k = mc_cscan_next(c, &t);
	}
	mc_strvec body = {0};
	for (; k != MC_CTOK_EOD; k = mc_cscan_next(c, &t))
		mc_strvec_push_owned(&body, mc_strndup(t.p, t.len));
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
	/* Comments are dropped and splices joined, as the preprocessor does; every #if branch counts. */
	mc_cscan c;
	mc_ctok t;
	mc_cscan_init(&c, text, len, MC_CSCAN_CODE);
	while (mc_cscan_next(&c, &t) != MC_CTOK_END)
		if (t.kind == MC_CTOK_DIRECTIVE && mc_cscan_next(&c, &t) == MC_CTOK_IDENT && mc_ctok_is(&t, "define"))
			add_define(&set, &c);
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
