/*
 * depend.c - see depend.h.
 *
 * Identifiers are interned into small integers (d->names), so a set of them
 * is a byte per name: the file's reads (S) grow by a fixed point over the
 * chunks of its closure, and the changed declarations (X) are checked
 * against S after each round.  A chunk records:
 *   all   every identifier in it (keywords left out);
 *   decl  the names it may declare at file scope: a declarator (the name
 *         before '(', ';', ',', '=', '[', ':' or ')' outside brackets, or
 *         before a macro-looking attribute), a struct, union or enum tag,
 *         an enumerator (every name in an enum's braces), a pointer
 *         declarator in parentheses ("(*fn)");
 *   top   the names outside brackets: one of them that is a macro makes
 *         the chunk a macro invocation, which may declare anything it has,
 *         and what its expansion names.
 */
#include "frontend/depend.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/build.h"
#include "util/cscan.h"

typedef struct {
	uint32_t *v;
	size_t n, cap;
} idvec;

enum chunk_kind {
	CHUNK_CODE,        /* a declaration or a function definition */
	CHUNK_DEFINE,      /* #define NAME ... */
	CHUNK_UNDEF,       /* #undef NAME */
	CHUNK_STRUCTURAL   /* any other directive: #include, #if..., #pragma; a #define of a keyword */
};

enum { COND_OPEN = 1, COND_BRANCH, COND_CLOSE };

typedef struct {
	uint64_t hash;     /* of its kind and token texts: blanks and comments do not count */
	enum chunk_kind kind;
	uint32_t name;     /* DEFINE, UNDEF: the macro */
	int pastes;        /* DEFINE: its body has ## */
	int attribute;     /* DEFINE: its body is empty or an __attribute__: it declares nothing */
	int first_call;    /* CODE: it starts with "NAME (", which only a macro can be in C11 */
	int cond;          /* STRUCTURAL: COND_OPEN (#if...), COND_BRANCH (#elif, #else), COND_CLOSE (#endif), or 0 */
	size_t begin;      /* index in its text the chunk had when its first token was read (a directive: its own) */
	size_t group_first, group_last; /* cond: the indices of its group's #if and #endif */
	idvec all, decl, top;
} dep_chunk;

typedef struct {
	dep_chunk *v;
	size_t n, cap;
	int unbalanced;    /* a bracket or a declaration left open at the end of the text */
	int nested_include; /* an #include inside braces, parentheses or a declaration: its text is not file scope */
	mc_strvec nested;   /* what those #include lines name ("x.h.inc"); "" for a computed one */
} dep_text;

struct mc_depend {
	mc_map ids;        /* name -> 1 + its id */
	char **names;      /* id -> name (owned) */
	size_t nnames, cap_names;
	mc_map texts;      /* text id -> dep_text * (owned) */
};

static const char *const c_keywords[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
	"extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
	"short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
	"volatile", "while", "_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic",
	"_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local", "__attribute__", "__attribute",
	"__typeof__", "__typeof", "typeof", "__inline", "__inline__", "__restrict", "__restrict__",
	"__extension__", "asm", "__asm__", "__asm", "__volatile__", "__const", "__signed__", "__label__",
	"__builtin_offsetof", "__builtin_va_list", "__int128", "__thread", "defined", NULL
};

static int is_keyword(const char *p, size_t len)
{
	for (size_t i = 0; c_keywords[i]; i++)
		if (strlen(c_keywords[i]) == len && memcmp(c_keywords[i], p, len) == 0)
			return 1;
	return 0;
}

/* QEMU_PACKED, G_GNUC_UNUSED, __attribute__: a name after a declarator that does not end it. */
static int looks_like_attribute(const char *p, size_t len)
{
	if (len >= 2 && p[0] == '_' && p[1] == '_')
		return 1;
	if (len < 2)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
			return 0;
	return 1;
}

static void idvec_push(idvec *v, uint32_t id)
{
	*MC_VEC_PUSH(v->v, v->n, v->cap) = id;
}

static uint32_t intern(mc_depend *d, const char *p, size_t len)
{
	char stack[128];
	char *name = len < sizeof(stack) ? stack : mc_malloc(len + 1);
	memcpy(name, p, len);
	name[len] = '\0';
	uintptr_t found = (uintptr_t)mc_map_get(&d->ids, name);
	if (!found) {
		mc_map_put(&d->ids, name, (void *)(uintptr_t)(d->nnames + 1));
		*MC_VEC_PUSH(d->names, d->nnames, d->cap_names) = mc_strdup(name);
		found = d->nnames;
	}
	if (name != stack)
		free(name);
	return (uint32_t)(found - 1);
}

static uint64_t hash_mix(uint64_t h, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	h ^= 0xff; /* token separator: "a b" is not "ab" */
	return h * 1099511628211ull;
}

static void chunk_free(dep_chunk *c)
{
	free(c->all.v);
	free(c->decl.v);
	free(c->top.v);
}

static void text_free(dep_text *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		chunk_free(&t->v[i]);
	free(t->v);
	mc_strvec_free(&t->nested);
	free(t);
}

/* ---- cutting a text into chunks --------------------------------------------------------- */

/* An #if group open at this point: the brackets where it began and where its first branch left them. */
typedef struct {
	int braces, parens, dbraces, dparens, have;
	int cplusplus;     /* #ifdef __cplusplus: never compiled as C (extern "C" {) */
	int chunk_open;    /* a declaration was being read when the group opened */
} cond_group;

/* The state of the declaration being read: brackets and what the last tokens were. */
typedef struct {
	dep_chunk c;
	int open;              /* c has tokens */
	int braces, parens;
	int fn_body_at;        /* 1 + brace depth of a function body's '{' (0: none) */
	int enum_at;           /* 1 + brace depth of an enum's '{' (0: none) */
	int after_enum;        /* "enum" or "enum TAG" just read: the next '{' opens an enum */
	int want_tag;          /* "struct", "union" or "enum" just read */
	int prev_star;         /* the last token was '*' */
	int prev_open_star;    /* the last two tokens were '(' '*': a pointer declarator, "(*fn)" */
	int prev_open;         /* the last token was '(' */
	int prev_close_paren;  /* the last token was ')' */
	int pending;           /* 1 + id of a name at file scope whose role the next token decides */
	const char *pending_p; /* its text, to see whether it is the chunk's first token */
	int ntokens;
	cond_group conds[64];
	int nconds;
} code_state;

static void code_begin(code_state *s)
{
	memset(s, 0, sizeof(*s));
	s->c.kind = CHUNK_CODE;
	s->c.hash = 1469598103934665603ull ^ CHUNK_CODE;
}

/* Forgets the tokens of the chunk being read; the #if groups open around it stay open. */
static void code_drop(code_state *s)
{
	chunk_free(&s->c);
	cond_group conds[sizeof(s->conds) / sizeof(s->conds[0])];
	int nconds = s->nconds;
	memcpy(conds, s->conds, sizeof(conds));
	code_begin(s);
	memcpy(s->conds, conds, sizeof(conds));
	s->nconds = nconds;
}

/* Ends the chunk; the #if groups open around it stay open. */
static void code_emit(dep_text *t, code_state *s)
{
	if (s->open) {
		*MC_VEC_PUSH(t->v, t->n, t->cap) = s->c;
		s->c = (dep_chunk){ 0 }; /* moved into t */
	}
	code_drop(s);
}

/* A name at file scope followed by tok: a declarator when tok ends one. */
static void code_settle_pending(code_state *s, const mc_ctok *tok)
{
	if (!s->pending)
		return;
	uint32_t id = (uint32_t)(s->pending - 1);
	s->pending = 0;
	if (tok->kind == MC_CTOK_PUNCT && strchr("(;,=[:)", tok->p[0]))
		idvec_push(&s->c.decl, id);
	else if (tok->kind == MC_CTOK_IDENT && looks_like_attribute(tok->p, tok->len))
		idvec_push(&s->c.decl, id);
	if (s->ntokens == 2 && tok->kind == MC_CTOK_PUNCT && tok->p[0] == '(')
		s->c.first_call = 1;
}

static void code_ident(mc_depend *d, code_state *s, const mc_ctok *tok)
{
	if (is_keyword(tok->p, tok->len)) {
		if (mc_ctok_is(tok, "struct") || mc_ctok_is(tok, "union") || mc_ctok_is(tok, "enum"))
			s->want_tag = 1;
		if (mc_ctok_is(tok, "enum"))
			s->after_enum = 1;
		return;
	}
	uint32_t id = intern(d, tok->p, tok->len);
	idvec_push(&s->c.all, id);
	if (s->want_tag) {
		/* A tag is declared at file scope wherever it is written, even inside a struct. */
		idvec_push(&s->c.decl, id);
		s->want_tag = 0;
		return;
	}
	if (s->enum_at && s->braces >= s->enum_at) {
		idvec_push(&s->c.decl, id);
		return;
	}
	if (s->braces > 0)
		return;
	if (s->parens > 0) {
		if (s->prev_open_star)
			idvec_push(&s->c.decl, id);
		return;
	}
	idvec_push(&s->c.top, id);
	s->pending = (int)id + 1;
}

/* Returns 1 when the punctuator ends the chunk. */
static int code_punct(code_state *s, char ch)
{
	switch (ch) {
	case '{':
		if (s->after_enum && !s->enum_at)
			s->enum_at = s->braces + 1;
		s->after_enum = 0;
		if (s->braces == 0 && s->prev_close_paren)
			s->fn_body_at = 1;
		s->braces++;
		return 0;
	case '}':
		if (s->braces > 0)
			s->braces--;
		if (s->enum_at && s->braces < s->enum_at)
			s->enum_at = 0;
		if (s->braces == 0 && s->fn_body_at) {
			s->fn_body_at = 0;
			return 1;
		}
		return 0;
	case '(':
		s->parens++;
		return 0;
	case ')':
		if (s->parens > 0)
			s->parens--;
		return 0;
	case ';':
		s->after_enum = 0;
		s->want_tag = 0;
		return s->braces == 0 && s->parens == 0;
	default:
		return 0;
	}
}

static void code_token(mc_depend *d, dep_text *t, code_state *s, const mc_ctok *tok)
{
	if (!s->open)
		s->c.begin = t->n;
	s->open = 1;
	s->ntokens++;
	s->c.hash = hash_mix(s->c.hash, tok->p, tok->len);
	code_settle_pending(s, tok);
	int ends = 0;
	if (tok->kind == MC_CTOK_IDENT) {
		code_ident(d, s, tok);
	} else if (tok->kind == MC_CTOK_PUNCT) {
		s->want_tag = 0; /* "struct {": an anonymous struct has no tag */
		if (tok->p[0] != '{')
			s->after_enum = s->after_enum && tok->p[0] != ';';
		ends = code_punct(s, tok->p[0]);
	}
	s->prev_star = tok->kind == MC_CTOK_PUNCT && tok->p[0] == '*';
	s->prev_open_star = s->prev_star && s->prev_open;
	s->prev_open = tok->kind == MC_CTOK_PUNCT && tok->p[0] == '(';
	s->prev_close_paren = tok->kind == MC_CTOK_PUNCT && tok->p[0] == ')';
	if (ends)
		code_emit(t, s);
}

/*
 * Every branch of an #if group is read from the brackets the group began
 * with, as if it alone were compiled; branches that leave different
 * brackets open (two openings of one function) make the text unbalanced.
 */
static void track_conditional(dep_text *t, code_state *s, const mc_ctok *name, const mc_ctok *arg)
{
	int opens = mc_ctok_is(name, "if") || mc_ctok_is(name, "ifdef") || mc_ctok_is(name, "ifndef");
	int branch = mc_ctok_is(name, "elif") || mc_ctok_is(name, "else") || mc_ctok_is(name, "elifdef") ||
		     mc_ctok_is(name, "elifndef");
	int closes = mc_ctok_is(name, "endif");
	if (opens) {
		if (s->nconds == (int)(sizeof(s->conds) / sizeof(s->conds[0]))) {
			t->unbalanced = 1;
			return;
		}
		s->conds[s->nconds].braces = s->braces;
		s->conds[s->nconds].parens = s->parens;
		s->conds[s->nconds].have = 0;
		s->conds[s->nconds].cplusplus = mc_ctok_is(name, "ifdef") && mc_ctok_is(arg, "__cplusplus");
		s->conds[s->nconds].chunk_open = s->open;
		s->nconds++;
		return;
	}
	if (!branch && !closes)
		return;
	if (s->nconds == 0) {
		t->unbalanced = 1;
		return;
	}
	cond_group *g = &s->conds[s->nconds - 1];
	int db = s->braces - g->braces, dp = s->parens - g->parens;
	if (g->have && (db != g->dbraces || dp != g->dparens))
		t->unbalanced = 1;
	/*
	 * A group of one branch that leaves brackets open is compiled or not:
	 * the depth after it is known only for C++'s extern "C" {, never compiled.
	 */
	if (closes && !g->have && (db || dp)) {
		if (!g->cplusplus) {
			t->unbalanced = 1;
		} else {
			db = dp = 0;
			s->braces = g->braces;
			s->parens = g->parens;
			if (!g->chunk_open && s->open)
				code_drop(s); /* extern "C" { is no declaration of C */
		}
	}
	g->dbraces = db;
	g->dparens = dp;
	g->have = 1;
	if (branch) {
		s->braces = g->braces;
		s->parens = g->parens;
	} else {
		s->nconds--;
	}
}

static int conditional_kind(const mc_ctok *name)
{
	if (mc_ctok_is(name, "if") || mc_ctok_is(name, "ifdef") || mc_ctok_is(name, "ifndef"))
		return COND_OPEN;
	if (mc_ctok_is(name, "elif") || mc_ctok_is(name, "else") || mc_ctok_is(name, "elifdef") ||
	    mc_ctok_is(name, "elifndef"))
		return COND_BRANCH;
	return mc_ctok_is(name, "endif") ? COND_CLOSE : 0;
}

/* Gives every directive of an #if group the indices of the group's #if and #endif. */
static void mark_groups(dep_text *t)
{
	size_t *members = NULL, nmembers = 0, cap = 0;
	size_t *opens = NULL, nopens = 0, cap_opens = 0; /* index in members where each open group starts */
	for (size_t i = 0; i < t->n && !t->unbalanced; i++) {
		int cond = t->v[i].cond;
		if (cond == COND_OPEN)
			*MC_VEC_PUSH(opens, nopens, cap_opens) = nmembers;
		if (!cond)
			continue;
		if (nopens == 0) {
			t->unbalanced = 1;
			break;
		}
		*MC_VEC_PUSH(members, nmembers, cap) = i;
		if (cond != COND_CLOSE)
			continue;
		size_t from = opens[--nopens];
		for (size_t k = from; k < nmembers; k++) {
			t->v[members[k]].group_first = members[from];
			t->v[members[k]].group_last = i;
		}
		nmembers = from;
	}
	if (nopens)
		t->unbalanced = 1;
	free(members);
	free(opens);
}

/* Reads a directive from after its '#' to its end, as one chunk. */
static void read_directive(mc_depend *d, dep_text *t, code_state *s, mc_cscan *cs)
{
	dep_chunk c = { .kind = CHUNK_STRUCTURAL, .hash = 1469598103934665603ull, .attribute = 1 };
	mc_ctok tok, name = { 0 }, macro = { 0 };
	int n = 0, prev_hash = 0, params = 0, body = 0;
	while (mc_cscan_next(cs, &tok) != MC_CTOK_EOD && tok.kind != MC_CTOK_END) {
		c.hash = hash_mix(c.hash, tok.p, tok.len);
		if (n == 0)
			name = tok;
		else if (n == 1)
			macro = tok;
		else if (n == 2 && tok.kind == MC_CTOK_PUNCT && tok.p[0] == '(' && tok.p == macro.p + macro.len)
			params = 1; /* a function-like macro: its parameters are not its body */
		else if (params && tok.kind == MC_CTOK_PUNCT && tok.p[0] == ')')
			params = 0;
		else if (!params && body++ == 0)
			c.attribute = tok.kind == MC_CTOK_IDENT &&
				      (mc_ctok_is(&tok, "__attribute__") || mc_ctok_is(&tok, "__attribute"));
		n++;
		if (tok.kind == MC_CTOK_IDENT && !is_keyword(tok.p, tok.len))
			idvec_push(&c.all, intern(d, tok.p, tok.len));
		int is_hash = tok.kind == MC_CTOK_PUNCT && tok.p[0] == '#';
		if (is_hash && prev_hash)
			c.pastes = 1;
		prev_hash = is_hash;
	}
	if (name.kind == MC_CTOK_IDENT) {
		track_conditional(t, s, &name, &macro);
		c.cond = conditional_kind(&name);
	}
	c.begin = t->n;
	int includes = name.kind == MC_CTOK_IDENT && (mc_ctok_is(&name, "include") || mc_ctok_is(&name, "include_next") ||
						      mc_ctok_is(&name, "import"));
	/* A macro invocation without its ';' (G_DEFINE_AUTOPTR_CLEANUP_FUNC) leaves the scope a file scope. */
	if (includes && (s->braces > 0 || s->parens > 0 || (s->open && !s->prev_close_paren))) {
		t->nested_include = 1;
		int named = macro.kind == MC_CTOK_HEADER && macro.len >= 2 && !macro.open;
		mc_strvec_push_owned(&t->nested, named ? mc_strndup(macro.p + 1, macro.len - 2) : mc_strdup(""));
	}
	int is_define = name.kind == MC_CTOK_IDENT && mc_ctok_is(&name, "define");
	int is_undef = name.kind == MC_CTOK_IDENT && mc_ctok_is(&name, "undef");
	if ((is_define || is_undef) && macro.kind == MC_CTOK_IDENT && !is_keyword(macro.p, macro.len)) {
		c.kind = is_define ? CHUNK_DEFINE : CHUNK_UNDEF;
		c.name = intern(d, macro.p, macro.len);
	} else {
		c.pastes = 0;
	}
	c.hash ^= (uint64_t)c.kind;
	*MC_VEC_PUSH(t->v, t->n, t->cap) = c;
}

static dep_text *text_cut(mc_depend *d, const char *text, size_t len)
{
	dep_text *t = mc_calloc(1, sizeof(*t));
	mc_cscan cs;
	mc_cscan_init(&cs, text, len, MC_CSCAN_CODE);
	code_state s;
	code_begin(&s);
	mc_ctok tok;
	while (mc_cscan_next(&cs, &tok) != MC_CTOK_END) {
		if (tok.kind == MC_CTOK_DIRECTIVE)
			read_directive(d, t, &s, &cs);
		else if (tok.kind != MC_CTOK_EOD)
			code_token(d, t, &s, &tok);
	}
	t->unbalanced = t->unbalanced || s.braces != 0 || s.parens != 0 || s.nconds != 0;
	code_emit(t, &s);
	mark_groups(t);
	return t;
}

/* ---- the texts of an include closure ------------------------------------------------------ */

/* A virtual path as the repository names it. */
static const char *tree_path(const char *filename)
{
	size_t root = strlen(MC_TREE_ROOT);
	return strncmp(filename, MC_TREE_ROOT, root) == 0 && filename[root] == '/' ? filename + root + 1 : filename;
}

/* The chunks of in->files[i], cut once per blob (per content, for stubs). */
static dep_text *text_of(mc_depend *d, const mc_tu_input *in, const mc_map *blobs, size_t i)
{
	const mc_tu_file *f = &in->files[i];
	const char *blob = mc_map_get(blobs, tree_path(f->filename));
	char hex[41];
	if (!blob) {
		mc_hash_text(f->contents, f->length, hex);
		blob = hex;
	}
	dep_text *t = mc_map_get(&d->texts, blob);
	if (!t) {
		t = text_cut(d, f->contents, f->length);
		mc_map_put(&d->texts, blob, t);
	}
	return t;
}

/* path -> blob of a closure ("path:blob" entries; the blob strings are borrowed from in). */
static void closure_blobs(const mc_tu_input *in, mc_map *out)
{
	for (size_t i = 0; i < in->deps.n; i++) {
		const char *colon = strrchr(in->deps.v[i], ':');
		if (!colon)
			continue;
		char *path = mc_tu_dep_path(in->deps.v[i]);
		mc_map_put(out, path, (void *)(colon + 1));
		free(path);
	}
}

static size_t find_file(const mc_tu_input *in, const char *path)
{
	char *vpath = mc_sprintf("%s/%s", MC_TREE_ROOT, path);
	size_t i;
	for (i = 0; i < in->nfiles; i++)
		if (strcmp(in->files[i].filename, vpath) == 0)
			break;
	free(vpath);
	return i;
}

/* ---- one question ------------------------------------------------------------------------- */

enum {
	MACRO_NONE = 0,
	MACRO_PLAIN = 1,       /* a macro: its invocation may declare what it has and expands to */
	MACRO_PASTES = 2,      /* its expansion pastes tokens (##), here or in a macro it names */
	MACRO_ATTRIBUTE = 3    /* every definition is empty or an __attribute__ */
};

typedef struct {
	mc_depend *d;
	dep_text **texts;      /* the closure of now (main file first), then had's changed headers */
	size_t ntexts, cap_texts;
	const dep_chunk **changed;
	size_t *changed_in;    /* index in paths of the header of each changed chunk */
	const dep_text **changed_text; /* the version of the header each changed chunk is in */
	size_t cap_changed_text;
	size_t nchanged, cap_changed, cap_changed_in;
	mc_strvec paths;       /* the changed headers */
	unsigned char *macro;  /* id -> MACRO_*: what the name is in either closure */
	uint32_t *def_head;    /* id -> 1 + index in defs of its last #define, 0 for none */
	struct def_node { const dep_chunk *c; uint32_t next; } *defs;
	size_t ndefs, cap_defs;
	idvec **expansions;    /* id -> what the macro expands to, once asked (expansion_of) */
	uint32_t *stamp, stamp_now; /* id -> the walk that saw it last */
	unsigned char *reads;  /* S: id -> 1 */
	unsigned char *decls;  /* X: id -> 1 */
	char *why;
} question;

static void add_text(question *q, dep_text *t)
{
	for (size_t i = 0; i < q->ntexts; i++)
		if (q->texts[i] == t)
			return;
	*MC_VEC_PUSH(q->texts, q->ntexts, q->cap_texts) = t;
}

/* Marks the macros of every text; a macro pastes when its body has ## or names one that does. */
static void find_macros(question *q)
{
	for (size_t i = 0; i < q->ntexts; i++)
		for (size_t k = 0; k < q->texts[i]->n; k++) {
			const dep_chunk *c = &q->texts[i]->v[k];
			if (c->kind != CHUNK_DEFINE)
				continue;
			*MC_VEC_PUSH(q->defs, q->ndefs, q->cap_defs) = (struct def_node){ c, q->def_head[c->name] };
			q->def_head[c->name] = (uint32_t)q->ndefs;
			unsigned char *m = &q->macro[c->name];
			unsigned char v = c->pastes ? MACRO_PASTES : c->attribute ? MACRO_ATTRIBUTE : MACRO_PLAIN;
			if (*m == MACRO_NONE || *m == MACRO_ATTRIBUTE || v == MACRO_PASTES)
				*m = v;
		}
	for (int grew = 1; grew;) {
		grew = 0;
		for (size_t i = 0; i < q->ntexts; i++)
			for (size_t k = 0; k < q->texts[i]->n; k++) {
				const dep_chunk *c = &q->texts[i]->v[k];
				if (c->kind != CHUNK_DEFINE || q->macro[c->name] == MACRO_PASTES)
					continue;
				for (size_t j = 0; j < c->all.n; j++)
					if (c->all.v[j] != c->name && q->macro[c->all.v[j]] == MACRO_PASTES) {
						q->macro[c->name] = MACRO_PASTES;
						grew = 1;
						break;
					}
			}
	}
}

static int uses_pasting_macro(const question *q, const dep_chunk *c)
{
	if (c->kind != CHUNK_CODE)
		return 0;
	for (size_t j = 0; j < c->all.n; j++)
		if (q->macro[c->all.v[j]] == MACRO_PASTES)
			return 1;
	return 0;
}

static int invokes_macro(const question *q, const dep_chunk *c)
{
	if (c->first_call)
		return 1;
	for (size_t j = 0; j < c->top.n; j++)
		if (q->macro[c->top.v[j]] == MACRO_PLAIN || q->macro[c->top.v[j]] == MACRO_PASTES)
			return 1;
	return 0;
}

static void add_ids(unsigned char *set, const idvec *v)
{
	for (size_t j = 0; j < v->n; j++)
		set[v->v[j]] = 1;
}

/*
 * What macro m expands to: the names of its bodies and of the bodies of the
 * macros they name, worked out once per question (q->expansions).
 */
static const idvec *expansion_of(question *q, uint32_t m)
{
	if (q->expansions[m])
		return q->expansions[m];
	idvec *out = mc_calloc(1, sizeof(*out)), todo = { 0 };
	q->expansions[m] = out;
	q->stamp_now++;
	idvec_push(&todo, m);
	q->stamp[m] = q->stamp_now;
	while (todo.n) {
		uint32_t at_macro = todo.v[--todo.n];
		for (uint32_t at = q->def_head[at_macro]; at; at = q->defs[at - 1].next) {
			const dep_chunk *c = q->defs[at - 1].c;
			for (size_t j = 0; j < c->all.n; j++) {
				uint32_t id = c->all.v[j];
				if (q->stamp[id] == q->stamp_now)
					continue;
				q->stamp[id] = q->stamp_now;
				idvec_push(out, id);
				if (q->macro[id])
					idvec_push(&todo, id);
			}
		}
	}
	free(todo.v);
	return out;
}

/* The expansions of the macros named in ids, into set. */
static void add_expansion(question *q, const idvec *ids, unsigned char *set)
{
	for (size_t j = 0; j < ids->n; j++)
		if (q->macro[ids->v[j]])
			add_ids(set, expansion_of(q, ids->v[j]));
}

/* Adds what chunk c declares to X; 0 with q->why when that cannot be known. */
static int add_declarations(question *q, const dep_chunk *c, const char *path)
{
	if (uses_pasting_macro(q, c)) {
		q->why = mc_sprintf("a token-pasting macro's use changed in %s", path);
		return 0;
	}
	if (c->kind == CHUNK_DEFINE || c->kind == CHUNK_UNDEF) {
		q->decls[c->name] = 1;
		return 1;
	}
	if (c->kind != CHUNK_CODE)
		return 1;
	const idvec *names = invokes_macro(q, c) ? &c->all : &c->decl;
	for (size_t j = 0; j < names->n; j++)
		q->decls[names->v[j]] = 1;
	if (invokes_macro(q, c))
		add_expansion(q, &c->all, q->decls);
	return 1;
}

/*
 * A changed #if, #else or #endif decides whether its group's declarations
 * exist: they count as changed.  A declaration read while the group was
 * open (a struct whose members are under it) is one of them.  An #include
 * or a #pragma under it cannot be judged: the closure lists a header
 * whatever the condition.
 */
static int add_group(question *q, const dep_text *t, const dep_chunk *c, const char *path)
{
	for (size_t k = 0; k < t->n; k++) {
		const dep_chunk *m = &t->v[k];
		if (m->begin > c->group_last || k < c->group_first)
			continue;
		if (m->kind == CHUNK_STRUCTURAL && !m->cond) {
			q->why = mc_sprintf("a condition around a directive changed in %s", path);
			return 0;
		}
		if (!add_declarations(q, m, path))
			return 0;
	}
	return 1;
}

/* X: what the changed chunks declare; 0 with q->why when one cannot be judged. */
static int changed_declarations(question *q)
{
	for (size_t i = 0; i < q->nchanged; i++) {
		const dep_chunk *c = q->changed[i];
		const char *path = q->paths.v[q->changed_in[i]];
		if (c->kind == CHUNK_STRUCTURAL && !c->cond) {
			q->why = mc_sprintf("a directive changed in %s", path);
			return 0;
		}
		if (!(c->cond ? add_group(q, q->changed_text[i], c, path) : add_declarations(q, c, path)))
			return 0;
	}
	return 1;
}



typedef struct {
	uint32_t chunk, next;
} index_node;

/* The chunks that may declare each name: index[id] heads a list in nodes, by 1 + position. */
static void index_add(uint32_t *index, index_node **nodes, size_t *n, size_t *cap, uint32_t id, uint32_t chunk)
{
	*MC_VEC_PUSH(*nodes, *n, *cap) = (index_node){ chunk, index[id] };
	index[id] = (uint32_t)*n;
}

/*
 * S, grown from the main file, the conditions of the closure, the headers
 * read whole and the chunks whose names cannot be seen, through the chunks
 * that declare a name of S (a worklist over an index of what each chunk may
 * declare); 0 with q->why when it meets X.
 */
static int reads_miss_declarations(question *q, size_t nclosure, const unsigned char *whole)
{
	size_t nnames = q->d->nnames, total = 0;
	for (size_t i = 0; i < nclosure; i++)
		total += q->texts[i]->n;
	const dep_chunk **chunks = mc_calloc(total ? total : 1, sizeof(*chunks));
	uint32_t *index = mc_calloc(nnames, sizeof(uint32_t));
	index_node *nodes = NULL;
	size_t nnodes = 0, cap = 0, at = 0;
	for (size_t i = 0; i < nclosure; i++)
		for (size_t k = 0; k < q->texts[i]->n; k++, at++) {
			const dep_chunk *c = chunks[at] = &q->texts[i]->v[k];
			if (i == 0 || whole[i] || c->kind == CHUNK_STRUCTURAL || uses_pasting_macro(q, c)) {
				add_ids(q->reads, &c->all);
				continue;
			}
			if (c->kind == CHUNK_DEFINE || c->kind == CHUNK_UNDEF) {
				index_add(index, &nodes, &nnodes, &cap, c->name, (uint32_t)at);
				continue;
			}
			int invokes = c->kind == CHUNK_CODE && invokes_macro(q, c);
			const idvec *names = invokes ? &c->all : &c->decl;
			for (size_t j = 0; j < names->n; j++)
				index_add(index, &nodes, &nnodes, &cap, names->v[j], (uint32_t)at);
			for (size_t j = 0; invokes && j < c->all.n; j++)
				if (q->macro[c->all.v[j]]) {
					const idvec *e = expansion_of(q, c->all.v[j]);
					for (size_t x = 0; x < e->n; x++)
						index_add(index, &nodes, &nnodes, &cap, e->v[x], (uint32_t)at);
				}
		}
	idvec todo = { 0 };
	for (size_t id = 0; id < nnames; id++)
		if (q->reads[id])
			idvec_push(&todo, (uint32_t)id);
	unsigned char *entered = mc_calloc(total ? total : 1, 1);
	long hit = -1;
	while (todo.n && hit < 0) {
		uint32_t id = todo.v[--todo.n];
		if (q->decls[id]) {
			hit = id;
			break;
		}
		for (uint32_t n = index[id]; n; n = nodes[n - 1].next) {
			uint32_t ci = nodes[n - 1].chunk;
			if (entered[ci])
				continue;
			entered[ci] = 1;
			const dep_chunk *c = chunks[ci];
			for (size_t j = 0; j < c->all.n; j++) {
				uint32_t r = c->all.v[j];
				if (!q->reads[r]) {
					q->reads[r] = 1;
					idvec_push(&todo, r);
				}
				if (c->kind == CHUNK_CODE && q->macro[r] && invokes_macro(q, c)) {
					const idvec *e = expansion_of(q, r);
					for (size_t x = 0; x < e->n; x++)
						if (!q->reads[e->v[x]]) {
							q->reads[e->v[x]] = 1;
							idvec_push(&todo, e->v[x]);
						}
				}
			}
		}
	}
	free(todo.v);
	free(entered);
	free(nodes);
	free(index);
	free(chunks);
	if (hit >= 0) {
		q->why = mc_sprintf("it reads %s, which a changed header declares", q->d->names[hit]);
		return 0;
	}
	return 1;
}

/* The chunks between the common start and the common end of two versions of a header. */
static void diff_chunks(question *q, const dep_text *a, const dep_text *b)
{
	size_t pre = 0, suf = 0;
	while (pre < a->n && pre < b->n && a->v[pre].hash == b->v[pre].hash)
		pre++;
	while (suf < a->n - pre && suf < b->n - pre && a->v[a->n - 1 - suf].hash == b->v[b->n - 1 - suf].hash)
		suf++;
	const dep_text *sides[2] = { a, b };
	for (int k = 0; k < 2; k++)
		for (size_t i = pre; i < sides[k]->n - suf; i++) {
			size_t n = q->nchanged, m = q->nchanged;
			*MC_VEC_PUSH(q->changed_in, n, q->cap_changed_in) = q->paths.n - 1;
			*MC_VEC_PUSH(q->changed_text, m, q->cap_changed_text) = sides[k];
			*MC_VEC_PUSH(q->changed, q->nchanged, q->cap_changed) = &sides[k]->v[i];
		}
}

static int same_closure_paths(const mc_tu_input *a, const mc_tu_input *b)
{
	if (a->deps.n != b->deps.n)
		return 0;
	for (size_t i = 0; i < a->deps.n; i++) {
		const char *ca = strrchr(a->deps.v[i], ':'), *cb = strrchr(b->deps.v[i], ':');
		if (!ca || !cb || ca - a->deps.v[i] != cb - b->deps.v[i] ||
		    strncmp(a->deps.v[i], b->deps.v[i], (size_t)(ca - a->deps.v[i])) != 0)
			return 0;
	}
	return 1;
}

static int refused(const mc_tu_input *in, const char *path)
{
	size_t len = strlen(path);
	for (size_t i = 0; i < in->refused.n; i++)
		if (strncmp(in->refused.v[i], path, len) == 0 && in->refused.v[i][len] == '\n')
			return 1;
	return 0;
}

static char *facts_point_into(const char *path)
{
	return mc_sprintf("its facts point into %s", path);
}

int mc_depend_facts_name_changed(const mc_tu_input *had, const mc_tu_input *now, const char *facts_json, char **why)
{
	*why = NULL;
	for (size_t i = 0; i < now->deps.n && i < had->deps.n && !*why; i++) {
		if (strcmp(had->deps.v[i], now->deps.v[i]) == 0)
			continue;
		char *path = mc_tu_dep_path(now->deps.v[i]);
		if (strstr(facts_json, path))
			*why = facts_point_into(path);
		free(path);
	}
	return *why != NULL;
}

/* Collects the changed chunks of every header whose blob differs; 0 with q->why on a doubt. */
static int collect_changes(question *q, const mc_tu_input *had, const mc_tu_input *now, const mc_map *had_blobs,
			   const mc_map *now_blobs, const char *facts_json, size_t *nchanged_files)
{
	*nchanged_files = 0;
	for (size_t i = 0; i < now->deps.n; i++) {
		if (strcmp(had->deps.v[i], now->deps.v[i]) == 0)
			continue;
		char *path = mc_tu_dep_path(now->deps.v[i]);
		size_t fa = find_file(had, path), fb = find_file(now, path);
		if (facts_json && strstr(facts_json, path))
			q->why = facts_point_into(path);
		else if (refused(had, path) || refused(now, path) || fa >= had->nfiles || fb >= now->nfiles)
			q->why = mc_sprintf("%s is not read as text", path);
		if (q->why) {
			free(path);
			return 0;
		}
		dep_text *ta = text_of(q->d, had, had_blobs, fa), *tb = text_of(q->d, now, now_blobs, fb);
		if (ta->unbalanced || tb->unbalanced) {
			q->why = mc_sprintf("the declarations of %s cannot be delimited", path);
			free(path);
			return 0;
		}
		mc_strvec_push_owned(&q->paths, path);
		diff_chunks(q, ta, tb);
		add_text(q, ta);
		(*nchanged_files)++;
	}
	return 1;
}

/*
 * A header included inside a declaration (an X-macro list in an enum) is
 * read as part of it: all of it counts as read (whole[i]), and a change to
 * it cannot be judged, since its chunks are not at file scope.  0 with
 * q->why when one changed or cannot be found in the closure.
 */
static int nested_headers_unchanged(question *q, const mc_tu_input *now, unsigned char *whole)
{
	for (size_t i = 0; i < now->nfiles; i++) {
		const mc_strvec *names = &q->texts[i]->nested;
		for (size_t k = 0; k < names->n; k++) {
			char *suffix = mc_sprintf("/%s", names->v[k]);
			size_t found = 0;
			for (size_t f = 0; f < now->nfiles; f++) {
				const char *path = tree_path(now->files[f].filename);
				if (!names->v[k][0] || !mc_str_endswith(now->files[f].filename, suffix))
					continue;
				found++;
				whole[f] = 1;
				if (mc_strvec_contains(&q->paths, path))
					q->why = mc_sprintf("%s, included inside a declaration, changed", path);
			}
			if (!found && !q->why)
				q->why = mc_sprintf("%s includes %s inside a declaration, which is not in its closure",
						    tree_path(now->files[i].filename),
						    names->v[k][0] ? names->v[k] : "a computed name");
			free(suffix);
			if (q->why)
				return 0;
		}
	}
	return 1;
}

int mc_depend_facts_hold(mc_depend *d, const mc_tu_input *had, const mc_tu_input *now, const char *facts_json,
			 char **why)
{
	*why = NULL;
	if (!same_closure_paths(had, now) || had->nfiles == 0 || now->nfiles == 0) {
		*why = mc_strdup("its include closure changed");
		return 0;
	}
	mc_map had_blobs = { 0 }, now_blobs = { 0 };
	closure_blobs(had, &had_blobs);
	closure_blobs(now, &now_blobs);
	question q = { .d = d };
	/* now's closure first (the main file at 0), so that S is grown over it alone. */
	for (size_t i = 0; i < now->nfiles; i++)
		*MC_VEC_PUSH(q.texts, q.ntexts, q.cap_texts) = text_of(d, now, &now_blobs, i);
	size_t nclosure = q.ntexts, nfiles = 0;
	unsigned char *whole = mc_calloc(nclosure, 1);
	int ok = collect_changes(&q, had, now, &had_blobs, &now_blobs, facts_json, &nfiles) &&
		 nested_headers_unchanged(&q, now, whole);
	if (ok && nfiles == 0) {
		q.why = mc_strdup("no header of its closure changed");
		ok = 0;
	}
	if (ok) {
		for (size_t i = 0; i < had->nfiles; i++)
			add_text(&q, text_of(d, had, &had_blobs, i));
		for (size_t i = nclosure; i < q.ntexts && ok; i++)
			if (q.texts[i]->nested_include) {
				q.why = mc_strdup("a changed header included a header inside a declaration");
				ok = 0;
			}
	}
	if (ok) {
		/* Every name is interned by now: the sets can be sized. */
		q.macro = mc_calloc(d->nnames, 1);
		q.def_head = mc_calloc(d->nnames, sizeof(uint32_t));
		q.reads = mc_calloc(d->nnames, 1);
		q.expansions = mc_calloc(d->nnames, sizeof(idvec *));
		q.stamp = mc_calloc(d->nnames, sizeof(uint32_t));
		q.decls = mc_calloc(d->nnames, 1);
		find_macros(&q);
		ok = changed_declarations(&q) && reads_miss_declarations(&q, nclosure, whole);
	}
	*why = q.why;
	free(whole);
	free(q.texts);
	free(q.changed);
	free(q.changed_in);
	free(q.changed_text);
	mc_strvec_free(&q.paths);
	free(q.macro);
	free(q.def_head);
	for (size_t i = 0; q.expansions && i < d->nnames; i++)
		if (q.expansions[i]) {
			free(q.expansions[i]->v);
			free(q.expansions[i]);
		}
	free(q.expansions);
	free(q.stamp);
	free(q.defs);
	free(q.reads);
	free(q.decls);
	mc_map_free(&had_blobs);
	mc_map_free(&now_blobs);
	return ok;
}

/* ---- lifetime ----------------------------------------------------------------------------- */

void mc_depend_new(mc_depend **out)
{
	*out = mc_calloc(1, sizeof(**out));
}

void mc_depend_free(mc_depend *d)
{
	if (!d)
		return;
	MC_MAP_FOREACH(&d->texts, i)
		text_free(d->texts.vals[i]);
	mc_map_free(&d->texts);
	mc_map_free(&d->ids);
	for (size_t i = 0; i < d->nnames; i++)
		free(d->names[i]);
	free(d->names);
	free(d);
}
