/*
 * rust.c - see rust.h.
 *
 * Three steps per file read: every file of the crate is scanned into code
 * tokens, with the closing bracket of each opening one (scan_file); the
 * items at module level of every file are indexed (walk_items: impls,
 * structs, constants, declare_properties! calls); then the facts of the one
 * file asked for are written from that index (emit_*), with expressions
 * valued against the crate's constants (eval_*).  The tokens point into the
 * callers' texts, which outlive the read.
 */
#include "frontend/rust.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "util/rscan.h"

/* How many constants an expression may go through (a cycle ends there). */
#define MAX_EVAL_DEPTH 8

/* One file of the crate: its code tokens and where each bracket closes. */
typedef struct {
	const char *path;
	mc_ctok *t;
	size_t *close;      /* close[i]: index of the bracket closing t[i] ('(', '[', '{'), n when none */
	size_t n, cap;
} rfile;

/* An impl block at module level. */
typedef struct {
	const rfile *f;
	char *trait, *self; /* last segments: "ObjectImpl", "PL011State" */
	size_t body;        /* index of its '{' */
	int line;
} rimpl;

/* A struct with named fields at module level, with the attributes written before it. */
typedef struct {
	const rfile *f;
	char *name;
	size_t attrs, open; /* first attribute token (== the "struct" index when none); its '{' */
	size_t kw;          /* index of "struct" */
	int line;
} rstruct;

/* A constant or static at module level; value: its expression's tokens. */
typedef struct {
	const rfile *f;
	size_t b, e;
	int ambiguous;      /* declared twice (under #[cfg]s): no value */
} rconst;

/* A declare_properties! call: the file and the index of its opening bracket. */
typedef struct {
	size_t file, open;
} rmacro;

typedef struct {
	const mc_conv *conv;
	rfile *files;
	size_t nfiles;
	char *crate;        /* the crate's directory: the class_init prefix */
	rimpl *impls;     size_t nimpls, cap_impls;
	rstruct *structs; size_t nstructs, cap_structs;
	rconst *consts;   size_t nconsts, cap_consts;
	rmacro *macros;   size_t nmacros, cap_macros;
	mc_map const_at;    /* name -> index + 1 into consts */
} rcrate;

/* ---- tokens ---------------------------------------------------------------- */

static int is_punct(const mc_ctok *t, char ch)
{
	return t->kind == MC_CTOK_PUNCT && *t->p == ch;
}

static int is_ident(const mc_ctok *t, const char *s)
{
	return t->kind == MC_CTOK_IDENT && mc_ctok_is(t, s);
}

static int is_open(const mc_ctok *t)
{
	return mc_ctok_closer(t) != 0;
}

static char *tok_dup(const mc_ctok *t)
{
	return mc_strndup(t->p, t->len);
}

/* Tokens of a text, code only, and the bracket pairs (a closer of the wrong kind is ignored). */
static void scan_file(rfile *f, const char *path, const char *text, size_t len)
{
	memset(f, 0, sizeof(*f));
	f->path = path;
	mc_rscan c;
	mc_ctok t;
	mc_rscan_init(&c, text ? text : "", text ? len : 0, MC_RSCAN_CODE);
	while (mc_rscan_next(&c, &t) != MC_CTOK_END)
		*(mc_ctok *)MC_VEC_PUSH(f->t, f->n, f->cap) = t;
	f->close = mc_calloc(f->n + 1, sizeof(size_t));
	size_t *stack = mc_calloc(f->n + 1, sizeof(size_t)), depth = 0;
	for (size_t i = 0; i < f->n; i++) {
		f->close[i] = f->n;
		if (is_open(&f->t[i])) {
			stack[depth++] = i;
		} else if (depth && f->t[i].kind == MC_CTOK_PUNCT && *f->t[i].p == mc_ctok_closer(&f->t[stack[depth - 1]])) {
			f->close[stack[--depth]] = i;
		}
	}
	free(stack);
}

/* The index after the group opened at i, or i + 1 for any other token. */
static size_t past(const rfile *f, size_t i)
{
	return is_open(&f->t[i]) ? f->close[i] + (f->close[i] < f->n) : i + 1;
}

/*
 * The last identifier of [b, e) outside generic arguments and brackets:
 * "ObjectImpl" of "qemu_api::qom::ObjectImpl", "X" of "X<'a>".
 */
static const mc_ctok *last_ident(const rfile *f, size_t b, size_t e)
{
	const mc_ctok *last = NULL;
	int angle = 0;
	for (size_t i = b; i < e && i < f->n; i = past(f, i)) {
		const mc_ctok *t = &f->t[i];
		if (is_punct(t, '<'))
			angle++;
		else if (is_punct(t, '>') && angle && !(i > b && is_punct(&f->t[i - 1], '-')))
			angle--;
		else if (is_punct(t, '\'') && i + 1 < e)
			i++; /* a lifetime's name */
		else if (t->kind == MC_CTOK_IDENT && !angle)
			last = t;
	}
	return last;
}

/* The first token at or after i, before e, that is ch at this level (groups skipped); e when none. */
static size_t find_punct(const rfile *f, size_t i, size_t e, char ch)
{
	for (; i < e && i < f->n; i = past(f, i))
		if (is_punct(&f->t[i], ch))
			return i;
	return e;
}

/* ---- the items of a file --------------------------------------------------- */

/* "impl<..> Trait for Self where .. {": indexed; returns the index to go on from. */
static size_t read_impl(rcrate *c, const rfile *f, size_t i)
{
	size_t j = i + 1, fo = 0, body = 0;
	int angle = 0;
	for (; j < f->n && !body; j++) {
		const mc_ctok *t = &f->t[j];
		if (is_punct(t, '<'))
			angle++;
		else if (is_punct(t, '>') && angle && !is_punct(&f->t[j - 1], '-'))
			angle--;
		else if (!angle && is_ident(t, "for") && !fo)
			fo = j;
		else if (!angle && is_punct(t, '{'))
			body = j;
		else if (!angle && (is_punct(t, ';') || is_punct(t, '}')))
			break;
		else if (is_open(t))
			j = f->close[j];
	}
	if (!fo || !body)
		return i; /* an inherent impl, or "-> impl Trait": nothing to index */
	const mc_ctok *trait = last_ident(f, i + 1, fo), *self = last_ident(f, fo + 1, body);
	if (trait && self) {
		rimpl *r = MC_VEC_PUSH(c->impls, c->nimpls, c->cap_impls);
		*r = (rimpl){ f, tok_dup(trait), tok_dup(self), body, (int)f->t[i].line };
	}
	return f->close[body];
}

/* "struct Name<..> where .. {": indexed with its attributes; returns the index to go on from. */
static size_t read_struct(rcrate *c, const rfile *f, size_t i, size_t attrs)
{
	if (i + 1 >= f->n || f->t[i + 1].kind != MC_CTOK_IDENT)
		return i;
	size_t j = i + 2;
	while (j < f->n && !is_punct(&f->t[j], '{') && !is_punct(&f->t[j], ';') && !is_punct(&f->t[j], '('))
		j = past(f, j);
	if (j >= f->n || !is_punct(&f->t[j], '{'))
		return i + 1; /* a tuple or unit struct: no named fields */
	rstruct *s = MC_VEC_PUSH(c->structs, c->nstructs, c->cap_structs);
	*s = (rstruct){ f, tok_dup(&f->t[i + 1]), attrs, j, i, (int)f->t[i].line };
	return f->close[j];
}

/* "const NAME: T = EXPR;" or "static [mut] NAME: T = EXPR;": indexed; returns the index to go on from. */
static size_t read_const(rcrate *c, const rfile *f, size_t i)
{
	size_t j = i + 1;
	if (j < f->n && is_ident(&f->t[j], "mut"))
		j++;
	if (j + 1 >= f->n || f->t[j].kind != MC_CTOK_IDENT || !is_punct(&f->t[j + 1], ':') ||
	    is_ident(&f->t[j], "fn") || is_ident(&f->t[j], "unsafe"))
		return i;
	size_t semi = find_punct(f, j + 2, f->n, ';'), eq = find_punct(f, j + 2, semi, '=');
	if (eq >= semi)
		return semi;
	char *name = tok_dup(&f->t[j]);
	size_t at = (size_t)mc_map_get(&c->const_at, name);
	if (at) {
		c->consts[at - 1].ambiguous = 1;
	} else {
		rconst *k = MC_VEC_PUSH(c->consts, c->nconsts, c->cap_consts);
		*k = (rconst){ f, eq + 1, semi, 0 };
		mc_map_put(&c->const_at, name, (void *)c->nconsts);
	}
	free(name);
	return semi;
}

/* Indexes the module-level items of a file; bodies of functions and other blocks are skipped. */
static void walk_items(rcrate *c, const rfile *f, size_t fi)
{
	size_t attrs = SIZE_MAX;
	for (size_t i = 0; i < f->n; i++) {
		const mc_ctok *t = &f->t[i];
		if (is_punct(t, '#') && i + 1 < f->n && is_punct(&f->t[i + 1], '[')) {
			attrs = attrs == SIZE_MAX ? i : attrs;
			i = f->close[i + 1];
		} else if (is_open(t) || is_punct(t, ';')) {
			i = is_open(t) ? f->close[i] : i;
			attrs = SIZE_MAX;
		} else if (is_ident(t, "impl")) {
			i = read_impl(c, f, i);
			attrs = SIZE_MAX;
		} else if (is_ident(t, "struct")) {
			i = read_struct(c, f, i, attrs == SIZE_MAX ? i : attrs);
			attrs = SIZE_MAX;
		} else if (is_ident(t, "const") || is_ident(t, "static")) {
			i = read_const(c, f, i);
			attrs = SIZE_MAX;
		} else if (is_ident(t, "declare_properties") && i + 2 < f->n && is_punct(&f->t[i + 1], '!') &&
			   is_open(&f->t[i + 2])) {
			*(rmacro *)MC_VEC_PUSH(c->macros, c->nmacros, c->cap_macros) = (rmacro){ fi, i + 2 };
			i = f->close[i + 2];
			attrs = SIZE_MAX;
		}
	}
}

/* ---- values ---------------------------------------------------------------- */

typedef enum { RV_FAIL = 0, RV_INT, RV_BOOL, RV_STR } rv_type;

typedef struct {
	rv_type type;
	int64_t i;          /* RV_INT, RV_BOOL */
	int is_unsigned;
	char *s;            /* RV_STR: owned */
	int bits;           /* RV_INT: the width its suffix or cast gives (8 for 0u8), 0 when none */
} rval;

typedef struct {
	const rcrate *c;
	const rfile *f;
	size_t i, e;        /* the next token and the end of the expression */
	int depth;          /* constants followed so far */
} ev;

static void rval_free(rval *v)
{
	free(v->s);
	memset(v, 0, sizeof(*v));
}

static int eval_expr(ev *x, int min_prec, rval *out);

/* A number literal: digits in any radix, '_' separators, a type suffix (u8, i32, usize). */
static int eval_number(const mc_ctok *t, rval *out)
{
	const char *p = t->p, *end = t->p + t->len;
	unsigned base = 10;
	if (t->len > 2 && p[0] == '0' && strchr("xob", p[1])) {
		base = p[1] == 'x' ? 16 : p[1] == 'o' ? 8 : 2;
		p += 2;
	}
	uint64_t v = 0;
	int digits = 0;
	for (; p < end; p++) {
		int d = *p == '_' ? -1 : *p >= '0' && *p <= '9' ? *p - '0' : base == 16 && strchr("abcdefABCDEF", *p) ? (*p | 0x20) - 'a' + 10 : -2;
		if (d == -1)
			continue;
		if (d == -2 || (unsigned)d >= base)
			break;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return 0;
		v = v * base + (unsigned)d;
		digits = 1;
	}
	/* A suffix is a type; a fraction or an exponent makes a float, which qdev has no property for. */
	if (!digits || (p < end && *p != 'u' && *p != 'i'))
		return 0;
	int bits = p < end ? atoi(p + 1) : 0;
	*out = (rval){ RV_INT, (int64_t)v, p == end || *p == 'u', NULL, bits > 0 && bits < 64 ? bits : 0 };
	return 1;
}

/* "as u8": the value truncated (or sign-extended) as the cast does; other types leave it. */
static void apply_cast(rval *v, const mc_ctok *type)
{
	static const struct { const char *name; int bits, sign; } casts[] = {
		{ "u8", 8, 0 }, { "u16", 16, 0 }, { "u32", 32, 0 }, { "i8", 8, 1 }, { "i16", 16, 1 }, { "i32", 32, 1 },
		{ "u64", 64, 0 }, { "usize", 64, 0 }, { "i64", 64, 1 }, { "isize", 64, 1 },
	};
	for (size_t k = 0; v->type == RV_INT && type && k < sizeof(casts) / sizeof(casts[0]); k++) {
		if (!is_ident(type, casts[k].name))
			continue;
		uint64_t u = (uint64_t)v->i;
		if (casts[k].bits < 64) {
			u &= (UINT64_C(1) << casts[k].bits) - 1;
			if (casts[k].sign && (u >> (casts[k].bits - 1)))
				u |= ~((UINT64_C(1) << casts[k].bits) - 1);
		}
		v->i = (int64_t)u;
		v->is_unsigned = !casts[k].sign;
		v->bits = casts[k].bits < 64 ? casts[k].bits : 0;
	}
}

/* The value of the constant NAME of the crate, followed once more. */
static int eval_const(ev *x, const char *name, rval *out)
{
	size_t at = (size_t)mc_map_get(&x->c->const_at, name);
	if (!at || x->c->consts[at - 1].ambiguous || x->depth >= MAX_EVAL_DEPTH)
		return 0;
	const rconst *k = &x->c->consts[at - 1];
	ev sub = { x->c, k->f, k->b, k->e, x->depth + 1 };
	if (!eval_expr(&sub, 0, out) || sub.i != sub.e) {
		rval_free(out);
		return 0;
	}
	return 1;
}

/*
 * A path: a constant of the crate (NAME, crate::NAME, device::NAME), or
 * c_str!("x").  Paths through types (Self::X, CStr::...), C bindings and
 * the standard library are not the crate's constants.
 */
static int eval_path(ev *x, rval *out)
{
	const mc_ctok *last = &x->f->t[x->i];
	int foreign = 0;
	while (x->i + 3 < x->e && is_punct(&x->f->t[x->i + 1], ':') && is_punct(&x->f->t[x->i + 2], ':') &&
	       x->f->t[x->i + 3].kind == MC_CTOK_IDENT) {
		foreign |= is_ident(last, "bindings") || is_ident(last, "std") || is_ident(last, "core") ||
			   (*last->p >= 'A' && *last->p <= 'Z');
		x->i += 3;
		last = &x->f->t[x->i];
	}
	x->i++;
	if (is_ident(last, "c_str") && x->i + 1 < x->e && is_punct(&x->f->t[x->i], '!') &&
	    is_punct(&x->f->t[x->i + 1], '(')) {
		size_t close = x->f->close[x->i + 1];
		ev sub = { x->c, x->f, x->i + 2, close, x->depth };
		x->i = close + 1;
		if (close >= x->e || !eval_expr(&sub, 0, out) || sub.i != sub.e || out->type != RV_STR) {
			rval_free(out);
			return 0;
		}
		return 1;
	}
	if (foreign || (x->i < x->e && (is_punct(&x->f->t[x->i], '(') || is_punct(&x->f->t[x->i], '!'))))
		return 0;
	char *name = tok_dup(last);
	int ok = eval_const(x, name, out);
	free(name);
	return ok;
}

/* "-x" or "!x" (x an operand: the operator binds before any cast, as in Rust). */
static int eval_operand(ev *x, rval *out);

static int eval_prefix(ev *x, char op, rval *out)
{
	x->i++;
	if (!eval_operand(x, out) || !(out->type == RV_INT || (out->type == RV_BOOL && op == '!')))
		return 0;
	if (op == '-') {
		out->i = (int64_t)(0 - (uint64_t)out->i);
		out->is_unsigned = 0;
	} else if (out->type == RV_BOOL) {
		out->i = !out->i;
	} else {
		out->i = ~out->i;
		if (out->is_unsigned && out->bits)
			out->i &= (int64_t)((UINT64_C(1) << out->bits) - 1);
	}
	return 1;
}

/* A literal, a path, a parenthesised expression, or - or ! before one. */
static int eval_operand(ev *x, rval *out)
{
	memset(out, 0, sizeof(*out));
	if (x->i >= x->e)
		return 0;
	const mc_ctok *t = &x->f->t[x->i];
	int ok;
	if (is_punct(t, '-') || is_punct(t, '!')) {
		ok = eval_prefix(x, *t->p, out);
	} else if (is_punct(t, '(')) {
		size_t close = x->f->close[x->i];
		ev sub = { x->c, x->f, x->i + 1, close, x->depth };
		ok = close < x->e && eval_expr(&sub, 0, out) && sub.i == sub.e;
		x->i = close + 1;
	} else if (t->kind == MC_CTOK_NUMBER || t->kind == MC_CTOK_STRING) {
		x->i++;
		ok = t->kind == MC_CTOK_NUMBER ? eval_number(t, out) : (out->s = mc_rscan_string(t, NULL)) != NULL;
		out->type = ok ? (t->kind == MC_CTOK_NUMBER ? RV_INT : RV_STR) : RV_FAIL;
	} else if (is_ident(t, "true") || is_ident(t, "false")) {
		x->i++;
		*out = (rval){ RV_BOOL, is_ident(t, "true"), 0, NULL, 0 };
		ok = 1;
	} else {
		ok = t->kind == MC_CTOK_IDENT && eval_path(x, out);
	}
	if (!ok)
		rval_free(out);
	return ok;
}

/* An operand, then its "as T" casts. */
static int eval_unary(ev *x, rval *out)
{
	int ok = eval_operand(x, out);
	while (ok && x->i + 1 < x->e && is_ident(&x->f->t[x->i], "as")) {
		apply_cast(out, last_ident(x->f, x->i + 1, x->i + 2));
		x->i += 2;
	}
	if (!ok)
		rval_free(out);
	return ok;
}

/* The binary operator at x->i: its precedence, or 0; *len is its length in tokens. */
static int binop_at(const ev *x, char *op, size_t *len)
{
	static const char ops[] = "|^&+-*/%", precs[] = { 1, 2, 3, 5, 5, 6, 6, 6 };
	if (x->i >= x->e || x->f->t[x->i].kind != MC_CTOK_PUNCT)
		return 0;
	const mc_ctok *t = &x->f->t[x->i], *u = x->i + 1 < x->e ? &x->f->t[x->i + 1] : NULL;
	int twin = u && u->kind == MC_CTOK_PUNCT && *u->p == *t->p && u->p == t->p + 1;
	*len = 1;
	if ((*t->p == '<' || *t->p == '>') && twin) {
		*op = *t->p;
		*len = 2;
		return 4;
	}
	const char *at = *t->p ? strchr(ops, *t->p) : NULL;
	if (!at || ((*t->p == '|' || *t->p == '&') && twin) || (u && *u->p == '=' && u->p == t->p + 1))
		return 0;
	*op = *t->p;
	return precs[at - ops];
}

static int apply_binop(char op, rval *a, const rval *b)
{
	if (a->type != RV_INT || b->type != RV_INT)
		return 0;
	uint64_t l = (uint64_t)a->i, r = (uint64_t)b->i;
	switch (op) {
	case '|': l |= r; break;
	case '^': l ^= r; break;
	case '&': l &= r; break;
	case '+': l += r; break;
	case '-': l -= r; break;
	case '*': l *= r; break;
	case '<': if (r > 63) return 0; l <<= r; break;
	case '>': if (r > 63) return 0; l = a->is_unsigned ? l >> r : (uint64_t)(a->i >> r); break;
	default:
		if (r == 0 || (!a->is_unsigned && a->i == INT64_MIN && b->i == -1))
			return 0;
		if (a->is_unsigned)
			l = op == '/' ? l / r : l % r;
		else
			l = (uint64_t)(op == '/' ? a->i / b->i : a->i % b->i);
	}
	a->i = (int64_t)l;
	a->is_unsigned &= b->is_unsigned;
	return 1;
}

/* Precedence climbing over | ^ & << >> + - * / %. */
static int eval_expr(ev *x, int min_prec, rval *out)
{
	if (!eval_unary(x, out))
		return 0;
	char op = 0;
	size_t len = 0;
	for (int prec; (prec = binop_at(x, &op, &len)) > min_prec;) {
		x->i += len;
		rval rhs;
		if (!eval_expr(x, prec, &rhs) || !apply_binop(op, out, &rhs)) {
			rval_free(&rhs);
			rval_free(out);
			return 0;
		}
		rval_free(&rhs);
	}
	return 1;
}

/* The value of tokens [b, e) of f; RV_FAIL when it cannot be known. */
static rval eval_range(const rcrate *c, const rfile *f, size_t b, size_t e)
{
	rval v = {0};
	ev x = { c, f, b, e, 0 };
	if (b >= e || !eval_expr(&x, 0, &v) || x.i != e)
		rval_free(&v);
	return v;
}

/* ---- types ------------------------------------------------------------------ */

static const rimpl *impl_of(const rcrate *c, const char *trait, const char *self)
{
	for (size_t i = 0; i < c->nimpls; i++)
		if (strcmp(c->impls[i].trait, trait) == 0 && strcmp(c->impls[i].self, self) == 0)
			return &c->impls[i];
	return NULL;
}

/*
 * The tokens of an associated item of an impl body: "type NAME = [b, e);",
 * "const NAME: T = [b, e);" or "fn NAME(..) -> T { [b, e) }".  0 when absent.
 */
static int assoc_item(const rimpl *r, const char *kw, const char *name, size_t *b, size_t *e)
{
	const rfile *f = r->f;
	size_t end = f->close[r->body];
	for (size_t i = r->body + 1; i + 1 < end; i = past(f, i)) {
		if (!is_ident(&f->t[i], kw) || !is_ident(&f->t[i + 1], name))
			continue;
		if (strcmp(kw, "fn") == 0) {
			size_t open = find_punct(f, i + 2, end, '{');
			if (open >= end)
				return 0;
			*b = open + 1;
			*e = f->close[open];
			return 1;
		}
		size_t semi = find_punct(f, i + 2, end, ';'), eq = find_punct(f, i + 2, semi, '=');
		if (eq >= semi)
			return 0;
		*b = eq + 1;
		*e = semi;
		return 1;
	}
	return 0;
}

/* The QOM name of a Rust type of the crate (its ObjectType's TYPE_NAME), or NULL; the caller frees. */
static char *qom_name(const rcrate *c, const char *self)
{
	const rimpl *r = impl_of(c, "ObjectType", self);
	size_t b, e;
	if (!r || !assoc_item(r, "const", "TYPE_NAME", &b, &e))
		return NULL;
	rval v = eval_range(c, r->f, b, e);
	if (v.type == RV_STR)
		return v.s;
	rval_free(&v);
	return NULL;
}

static char *class_init_id(const rcrate *c, const char *self)
{
	return mc_sprintf("%s::%s", c->crate, self);
}

/* impl ObjectImpl for X: the registration of X's QOM type, if the crate names it. */
static void emit_type(const rcrate *c, const rimpl *r, mc_facts *out)
{
	char *name = qom_name(c, r->self);
	if (!name)
		return; /* its properties show as an array of no type (coverage) */
	mc_typeinfo *ti = MC_VEC_PUSH(out->types, out->ntypes, out->cap_types);
	ti->name = name;
	ti->line = r->line;
	ti->class_init = class_init_id(c, r->self);
	size_t b, e;
	const mc_ctok *parent = assoc_item(r, "type", "ParentType", &b, &e) ? last_ident(r->f, b, e) : NULL;
	if (parent) {
		char *p = tok_dup(parent);
		ti->parent = qom_name(c, p);
		if (!ti->parent)
			ti->parent_binding = p;
		else
			free(p);
	}
	if (assoc_item(r, "const", "ABSTRACT", &b, &e)) {
		rval v = eval_range(c, r->f, b, e);
		ti->abstract = v.type == RV_BOOL && v.i;
		rval_free(&v);
	}
}

/* ---- properties ------------------------------------------------------------- */

/* The spelling of tokens [b, e) of f, blanks and newlines folded to one space. */
static char *range_text(const rfile *f, size_t b, size_t e)
{
	mc_buf out = {0};
	for (size_t i = b; i < e && i < f->n; i++) {
		if (i > b && f->t[i].p > f->t[i - 1].p + f->t[i - 1].len)
			mc_buf_puts(&out, " ");
		mc_buf_put(&out, f->t[i].p, f->t[i].len);
	}
	return mc_buf_detach(&out);
}

/* The default written as tokens [b, e): valued as the property's kind reads it, else symbolic. */
static void set_default(const rcrate *c, const rfile *f, size_t b, size_t e, mc_prop *p)
{
	rval v = eval_range(c, f, b, e);
	/* Written twice (rustc would refuse it): the last one. */
	mc_value_free(&p->defval);
	free(p->defval_text);
	p->defval_text = NULL;
	p->has_default = 1;
	if (v.type == RV_STR) {
		p->defval = mc_value_string(v.s);
	} else if (v.type == RV_FAIL) {
		p->defval_text = range_text(f, b, e);
		p->defval = mc_value_symbolic(p->defval_text);
	} else if (p->kind == MC_KIND_BOOL) {
		p->defval = mc_value_bool(v.i != 0);
	} else {
		int is_unsigned = p->kind == MC_KIND_UINT || p->kind == MC_KIND_SIZE ||
				  (p->kind != MC_KIND_INT && (v.type == RV_BOOL || v.is_unsigned));
		p->defval = mc_value_int(v.i, is_unsigned);
	}
	rval_free(&v);
}

/* The arguments of the group opened at open, split at its top-level commas (a trailing one ends it). */
static size_t split_args(const rfile *f, size_t open, size_t *b, size_t *e, size_t max)
{
	size_t close = f->close[open], n = 0;
	for (size_t i = open + 1; i < close && n < max;) {
		size_t comma = find_punct(f, i, close, ',');
		if (comma > i) {
			b[n] = i;
			e[n++] = comma;
		}
		i = comma + 1;
	}
	return n;
}

/* The kind of a field's type as QEMU's Rust bindings map it (QDevProp): primitives only. */
static mc_kind field_kind(const rfile *f, size_t b, size_t e)
{
	static const char *const uints[] = { "u8", "u16", "u32", "u64", "usize" };
	static const char *const ints[] = { "i8", "i16", "i32", "i64", "isize" };
	if (e != b + 1)
		return MC_KIND_OTHER;
	const mc_ctok *t = &f->t[b];
	if (is_ident(t, "bool"))
		return MC_KIND_BOOL;
	for (size_t k = 0; k < 5; k++) {
		if (is_ident(t, uints[k]))
			return MC_KIND_UINT;
		if (is_ident(t, ints[k]))
			return MC_KIND_INT;
	}
	return MC_KIND_OTHER;
}

typedef struct {
	const rcrate *c;
	const rfile *f;
	mc_prop_array *a;
} prop_sink;

/* Marks the array incomplete, with the first reason. */
static void incomplete(prop_sink *s, int line, const char *what)
{
	s->a->complete = 0;
	if (!s->a->why_incomplete)
		s->a->why_incomplete = mc_sprintf("line %d: %s", line, what);
}

static mc_prop *prop_push(prop_sink *s)
{
	return MC_VEC_PUSH(s->a->props, s->a->nprops, s->a->cap);
}

/*
 * #[property(rename = "n", bit = B, default = V)] on field name of type [tb, te):
 * attr is the index of its '#'.
 */
static void read_property_attr(prop_sink *s, size_t attr, const mc_ctok *field, size_t tb, size_t te)
{
	const rfile *f = s->f;
	int line = (int)f->t[attr].line;
	size_t b[8], e[8], n = 0, defb = 0, defe = 0;
	int bit = 0;
	char *name = NULL;
	if (attr + 3 < f->n && is_punct(&f->t[attr + 3], '('))
		n = split_args(f, attr + 3, b, e, 8);
	for (size_t k = 0; k < n; k++) {
		const mc_ctok *key = &f->t[b[k]];
		int keyed = e[k] > b[k] + 2 && is_punct(&f->t[b[k] + 1], '=');
		if (keyed && is_ident(key, "rename") && e[k] == b[k] + 3 && !name &&
		    (name = mc_rscan_string(&f->t[b[k] + 2], NULL)) != NULL)
			continue;
		if (keyed && is_ident(key, "bit"))
			bit = 1;
		else if (keyed && is_ident(key, "default"))
			defb = b[k] + 2, defe = e[k];
		else {
			free(name);
			incomplete(s, line, "a #[property] argument is not rename, bit or default with a constant name");
			return;
		}
	}
	mc_prop *p = prop_push(s);
	p->name = name ? name : tok_dup(field);
	p->kind = bit ? MC_KIND_BOOL : field_kind(f, tb, te);
	p->line = line;
	if (defe)
		set_default(s->c, f, defb, defe, p);
}

/* Is attribute at i "#[derive(..., Device)]" (a path ending in Device)? */
static int derives_device(const rfile *f, size_t i)
{
	if (!is_ident(&f->t[i + 2], "derive") || !is_punct(&f->t[i + 3], '('))
		return 0;
	size_t close = f->close[i + 3];
	for (size_t k = i + 4; k < close && k + 1 < f->n; k++)
		if (is_ident(&f->t[k], "Device") &&
		    (is_punct(&f->t[k + 1], ',') || is_punct(&f->t[k + 1], ')')))
			return 1;
	return 0;
}

/* The end of a field's type starting at i: the comma or the closing brace at its level. */
static size_t type_end(const rfile *f, size_t i, size_t close)
{
	int angle = 0;
	for (; i < close; i = past(f, i)) {
		if (is_punct(&f->t[i], '<'))
			angle++;
		else if (is_punct(&f->t[i], '>') && angle && !is_punct(&f->t[i - 1], '-'))
			angle--;
		else if (!angle && is_punct(&f->t[i], ','))
			break;
	}
	return i;
}

/* The fields of a struct; each #[property] attribute on one is a property. */
static void read_fields(prop_sink *s, const rstruct *st)
{
	const rfile *f = st->f;
	size_t close = f->close[st->open];
	for (size_t i = st->open + 1; i < close;) {
		size_t first_attr = i;
		while (i + 1 < close && is_punct(&f->t[i], '#') && is_punct(&f->t[i + 1], '['))
			i = f->close[i + 1] + 1;
		size_t attrs_end = i;
		if (i < close && is_ident(&f->t[i], "pub"))
			i = i + 1 < close && is_punct(&f->t[i + 1], '(') ? f->close[i + 1] + 1 : i + 1;
		if (i + 1 >= close || f->t[i].kind != MC_CTOK_IDENT || !is_punct(&f->t[i + 1], ':')) {
			/* An unclosed struct ends with the text: close may be past the last token. */
			incomplete(s, (int)f->t[i < close ? i : f->n - 1].line, "a field is not NAME: TYPE");
			return;
		}
		size_t end = type_end(f, i + 2, close);
		for (size_t a = first_attr; a < attrs_end && a + 2 < f->n; a = f->close[a + 1] + 1)
			if (is_ident(&f->t[a + 2], "property"))
				read_property_attr(s, a, &f->t[i], i + 2, end);
		i = end + 1;
	}
}

static mc_prop_array *array_push(mc_facts *out, char *name, int is_static, int line)
{
	mc_prop_array *a = MC_VEC_PUSH(out->arrays, out->narrays, out->cap_arrays);
	a->name = name;
	a->is_static = is_static;
	a->line = line;
	a->complete = 1;
	return a;
}

static void attach_push(const rcrate *c, mc_facts *out, const char *self, const char *array, int line)
{
	mc_attach *at = MC_VEC_PUSH(out->attaches, out->nattaches, out->cap_attaches);
	at->function = class_init_id(c, self);
	at->array = mc_strdup(array);
	at->line = line;
}

/* #[derive(Device)] struct X: the array "X::PROPERTIES" the derive generates, attached to X. */
static void emit_derived(const rcrate *c, const rstruct *st, mc_facts *out)
{
	int device = 0;
	const rfile *f = st->f;
	for (size_t i = st->attrs; i + 3 < st->kw && is_punct(&f->t[i], '#') && is_punct(&f->t[i + 1], '[') && !device;
	     i = f->close[i + 1] + 1)
		device = derives_device(f, i);
	if (!device)
		return;
	char *name = mc_sprintf("%s::PROPERTIES", st->name);
	prop_sink s = { c, st->f, array_push(out, name, 1, st->line) };
	read_fields(&s, st);
	if (s.a->nprops == 0 && s.a->complete) {
		/* A derive without a #[property] adds nothing to the class: no array to count. */
		mc_prop_array gone = out->arrays[--out->narrays];
		free(gone.name);
		free(gone.props);
		return;
	}
	attach_push(c, out, st->name, name, st->line);
}

/* define_property!(NAME, State, field, INFO, Type[, bit = B][, default = V]) in [b, e). */
static void read_define_property(prop_sink *s, size_t b, size_t e)
{
	const rfile *f = s->f;
	size_t m = b;
	while (m + 2 < e && !(is_ident(&f->t[m], "define_property") && is_punct(&f->t[m + 1], '!')))
		m++;
	size_t ab[12], ae[12], n = m + 2 < e && is_open(&f->t[m + 2]) ? split_args(f, m + 2, ab, ae, 12) : 0;
	int line = (int)f->t[b].line;
	rval name = n >= 5 ? eval_range(s->c, f, ab[0], ae[0]) : (rval){ 0 };
	const mc_ctok *info = NULL;
	for (size_t i = n >= 5 ? ab[3] : 0; n >= 5 && i < ae[3]; i++)
		info = f->t[i].kind == MC_CTOK_IDENT ? &f->t[i] : info; /* in "unsafe { &qdev_prop_bool }" too */
	if (name.type != RV_STR || !info) {
		rval_free(&name);
		incomplete(s, line, "a define_property! without a constant name and a PropertyInfo");
		return;
	}
	mc_prop *p = prop_push(s);
	p->name = name.s;
	p->info = tok_dup(info);
	p->line = line;
	const mc_conv_kind *k = mc_conv_kind_of(s->c->conv, p->info);
	p->kind = k ? k->kind : MC_KIND_UNKNOWN;
	p->enum_type = k && k->enum_type ? mc_strdup(k->enum_type) : NULL;
	for (size_t i = 5; i < n; i++)
		if (ae[i] > ab[i] + 2 && is_ident(&f->t[ab[i]], "default") && is_punct(&f->t[ab[i] + 1], '='))
			set_default(s->c, f, ab[i] + 2, ae[i], p);
}

/* declare_properties! { NAME, define_property!(...), ... }: the array NAME. */
static void emit_declared(const rcrate *c, const rfile *f, size_t open, mc_facts *out)
{
	size_t b[256], e[256], n = split_args(f, open, b, e, 256);
	if (n == 0 || e[0] != b[0] + 1 || f->t[b[0]].kind != MC_CTOK_IDENT)
		return;
	prop_sink s = { c, f, array_push(out, tok_dup(&f->t[b[0]]), 0, (int)f->t[open].line) };
	if (n == 256)
		incomplete(&s, (int)f->t[open].line, "more elements than migcompat reads");
	for (size_t i = 1; i < n; i++)
		read_define_property(&s, b[i], e[i]);
}

/* impl DeviceImpl for X { fn properties() -> .. { &NAME } }: NAME attached to X (10.0, 10.1). */
static void emit_device_impl(const rcrate *c, const rimpl *r, mc_facts *out)
{
	size_t b, e;
	if (!assoc_item(r, "fn", "properties", &b, &e) && !assoc_item(r, "const", "PROPERTIES", &b, &e))
		return;
	const mc_ctok *array = last_ident(r->f, b, e);
	if (!array)
		return;
	char *name = tok_dup(array);
	attach_push(c, out, r->self, name, r->line);
	free(name);
}

/* ---- the crate -------------------------------------------------------------- */

static void crate_free(rcrate *c)
{
	for (size_t i = 0; i < c->nfiles; i++) {
		free(c->files[i].t);
		free(c->files[i].close);
	}
	free(c->files);
	for (size_t i = 0; i < c->nimpls; i++) {
		free(c->impls[i].trait);
		free(c->impls[i].self);
	}
	free(c->impls);
	for (size_t i = 0; i < c->nstructs; i++)
		free(c->structs[i].name);
	free(c->structs);
	free(c->consts);
	free(c->macros);
	mc_map_free(&c->const_at);
	free(c->crate);
}

/* The crate's directory (its root without "/src/"), or the file's directory. */
static char *crate_dir(const mc_conv *conv, const char *path)
{
	size_t root = mc_rust_crate_root(conv, path);
	if (root >= 5)
		return mc_strndup(path, root - 5);
	const char *slash = strrchr(path, '/');
	return slash ? mc_strndup(path, (size_t)(slash - path)) : mc_strdup(".");
}

void mc_rust_read(mc_facts **out, const mc_conv *conv, const mc_rust_file *files, size_t n, size_t which)
{
	mc_facts *f = mc_calloc(1, sizeof(*f));
	*out = f;
	f->path = mc_strdup(files[which].path);
	f->rust = 1;
	if (!files[which].text) {
		f->error = mc_sprintf("%s: %s", files[which].path, files[which].why ? files[which].why : "unreadable");
		return;
	}
	f->parsed = 1;
	rcrate c = { .conv = conv, .nfiles = n, .crate = crate_dir(conv, files[which].path) };
	c.files = mc_calloc(n + 1, sizeof(rfile));
	for (size_t i = 0; i < n; i++) {
		scan_file(&c.files[i], files[i].path, files[i].text, files[i].len);
		walk_items(&c, &c.files[i], i);
		if (!files[i].text)
			mc_strvec_push_owned(&f->refused_headers, mc_sprintf("%s\n%s", files[i].path,
									      files[i].why ? files[i].why : "unreadable"));
	}
	const rfile *mine = &c.files[which];
	for (size_t i = 0; i < c.nimpls; i++) {
		if (c.impls[i].f != mine)
			continue;
		if (strcmp(c.impls[i].trait, "ObjectImpl") == 0)
			emit_type(&c, &c.impls[i], f);
		else if (strcmp(c.impls[i].trait, "DeviceImpl") == 0)
			emit_device_impl(&c, &c.impls[i], f);
	}
	for (size_t i = 0; i < c.nstructs; i++)
		if (c.structs[i].f == mine)
			emit_derived(&c, &c.structs[i], f);
	for (size_t i = 0; i < c.nmacros; i++)
		if (c.macros[i].file == which)
			emit_declared(&c, mine, c.macros[i].open, f);
	crate_free(&c);
}

/* ---- in a tree ---------------------------------------------------------------- */

size_t mc_rust_crate_root(const mc_conv *conv, const char *path)
{
	for (size_t i = 0; i < conv->rust_sources.n; i++) {
		const char *prefix = conv->rust_sources.v[i];
		size_t pl = strlen(prefix);
		if (!mc_str_startswith(path, prefix) || pl == 0)
			continue;
		/* The first src/ at or below the prefix: "rust/hw/" + "char/pl011/src/". */
		const char *src = prefix[pl - 1] == '/' && strncmp(path + pl, "src/", 4) == 0 ? path + pl - 1
											    : strstr(path + pl, "/src/");
		if (src)
			return (size_t)(src - path) + 5;
	}
	return 0;
}

int mc_rust_is_source(const mc_conv *conv, const char *path)
{
	return mc_str_endswith(path, ".rs") && mc_rust_crate_root(conv, path) > 0;
}

static int contains(const char *text, size_t len, const char *word)
{
	return memmem(text, len, word, strlen(word)) != NULL;
}

int mc_rust_wants(const char *text, size_t len)
{
	return contains(text, len, "ObjectImpl") || contains(text, len, "DeviceImpl") ||
	       contains(text, len, "#[property") || contains(text, len, "declare_properties");
}

/* Index of the first file of snap whose path is not below prefix (binary search). */
static size_t lower_bound(const mc_snapshot *snap, const char *prefix)
{
	size_t lo = 0, hi = snap->nfiles;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(snap->files[mid].path, prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The .rs files of path's crate in snap, in path order (indexes into snap->files). */
static size_t crate_files(const mc_conv *conv, const mc_snapshot *snap, const char *path, size_t **out)
{
	size_t root = mc_rust_crate_root(conv, path), n = 0, cap = 0;
	*out = NULL;
	if (!root)
		return 0;
	char *prefix = mc_strndup(path, root);
	for (size_t i = lower_bound(snap, prefix); i < snap->nfiles && mc_str_startswith(snap->files[i].path, prefix);
	     i++)
		if (mc_str_endswith(snap->files[i].path, ".rs"))
			*(size_t *)MC_VEC_PUSH(*out, n, cap) = i;
	free(prefix);
	return n;
}

void mc_rust_crate_paths(const mc_conv *conv, const mc_snapshot *snap, const char *path, mc_strvec *out)
{
	size_t *idx;
	size_t n = crate_files(conv, snap, path, &idx);
	for (size_t i = 0; i < n; i++)
		mc_strvec_push(out, snap->files[idx[i]].path);
	free(idx);
}

void mc_rust_deps(const mc_tree *tree, const char *path, mc_strvec *deps)
{
	size_t *idx;
	size_t n = crate_files(tree->conv, tree->snap, path, &idx);
	for (size_t i = 0; i < n; i++)
		mc_strvec_push_owned(deps, mc_sprintf("%s:%s", tree->snap->files[idx[i]].path,
						      tree->snap->files[idx[i]].blob.hex));
	free(idx);
}

void mc_rust_read_tree(mc_facts **out, mc_tree *tree, const char *path)
{
	size_t *idx;
	size_t n = crate_files(tree->conv, tree->snap, path, &idx), which = n;
	mc_rust_file *files = mc_calloc(n + 1, sizeof(*files));
	mc_strvec why = {0};
	for (size_t i = 0; i < n; i++) {
		files[i].path = tree->snap->files[idx[i]].path;
		if (strcmp(files[i].path, path) == 0)
			which = i;
		if (mc_tree_read(tree, files[i].path, &files[i].text, &files[i].len) < 0) {
			files[i].text = NULL;
			mc_strvec_push(&why, mc_error_last());
			files[i].why = why.v[why.n - 1];
			mc_error_clear();
		}
	}
	if (which == n) {
		/* Not a Rust source of this tree's crates: read it alone. */
		files[n].path = path;
		files[n].why = "not a Rust source of the conventions' rust-source crates";
		n++;
	}
	mc_rust_read(out, tree->conv, files, n, which);
	mc_strvec_free(&why);
	free(files);
	free(idx);
}
