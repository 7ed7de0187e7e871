/*
 * qapi.c - see qapi.h.
 *
 * The schema reader is a small recursive-descent parser for QEMU's
 * JSON dialect ('#' comments, single-quoted strings, true/false).  It reads
 * untrusted text (it is a fuzz target), so nesting is capped and every
 * error is reported as "file:line: message" instead of crashing.
 *
 * Enum constant names are derived the way QEMU's generator derives them,
 * in three generations, because one analyzer reads trees of every age:
 *   v9.2+      PREFIX_MEMBER, PREFIX = 'prefix' or camel_to_upper(Name)
 *   v2.5-v9.1  the same with the older camel_to_upper
 *   v2.4       old camel_to_upper(Name + "_" + member)
 */
#include "frontend/qapi.h"
#include "util/util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Far deeper than real schemas nest, shallow enough for any stack. */
#define QAPI_MAX_DEPTH 64

/* ---- ASCII classification (locale-independent, as Python's on ASCII) -- */

static int a_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int a_lower(int c) { return c >= 'a' && c <= 'z'; }
static int a_digit(int c) { return c >= '0' && c <= '9'; }
static int a_alnum(int c) { return a_upper(c) || a_lower(c) || a_digit(c); }
static int a_toupper(int c) { return a_lower(c) ? c - 'a' + 'A' : c; }

/* ---- string map: open addressing, keys owned ------------------------- */

typedef struct {
	char *key;
	uint64_t val;
} strmap_slot;

typedef struct {
	strmap_slot *slots;
	size_t cap;  /* 0 or a power of two */
	size_t n;
} strmap;

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static strmap_slot *strmap_slot_of(const strmap *m, const char *key)
{
	size_t mask = m->cap - 1;
	for (size_t i = (size_t)str_hash(key) & mask;; i = (i + 1) & mask) {
		strmap_slot *s = &m->slots[i];
		if (!s->key || strcmp(s->key, key) == 0)
			return s;
	}
}

static int strmap_get(const strmap *m, const char *key, uint64_t *val)
{
	if (!m->cap)
		return 0;
	strmap_slot *s = strmap_slot_of(m, key);
	if (!s->key)
		return 0;
	if (val)
		*val = s->val;
	return 1;
}

static void strmap_grow(strmap *m)
{
	strmap old = *m;
	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = mc_calloc(m->cap, sizeof(strmap_slot));
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*strmap_slot_of(m, old.slots[i].key) = old.slots[i];
	free(old.slots);
}

/* Adds key unless present (first wins).  Returns 1 if added. */
static int strmap_add(strmap *m, const char *key, uint64_t val)
{
	if ((m->n + 1) * 10 > m->cap * 7)
		strmap_grow(m);
	strmap_slot *s = strmap_slot_of(m, key);
	if (s->key)
		return 0;
	s->key = mc_strdup(key);
	s->val = val;
	m->n++;
	return 1;
}

static void strmap_free(strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* ---- the private index ----------------------------------------------- */

typedef struct qnode qnode;
static void qnode_free(qnode *n);

struct mc_qapi_index {
	size_t enums_cap, structs_cap;
	size_t nindexed;        /* enums whose constants are in the maps */
	strmap enum_names;      /* QAPI name -> enum index */
	strmap struct_names;    /* QAPI name -> struct index + 1 */
	qnode **struct_exprs;   /* the definition of structs[i], owned; NULL when unknown */
	strmap consts_new;      /* current C name -> enum << 32 | member */
	strmap consts_old;      /* pre-9.2 and pre-2.5 C names, same values */
};

void mc_qapi_init(mc_qapi *q)
{
	memset(q, 0, sizeof(*q));
}

static void enum_free(mc_qapi_enum *e)
{
	for (size_t i = 0; i < e->nmembers; i++) {
		free(e->members[i]);
		free(e->c_names[i]);
	}
	free(e->members);
	free(e->c_names);
	free(e->name);
	free(e->c_prefix);
}

void mc_qapi_free(mc_qapi *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nenums; i++)
		enum_free(&q->enums[i]);
	free(q->enums);
	for (size_t i = 0; i < q->nstructs; i++)
		free(q->structs[i]);
	free(q->structs);
	if (q->index) {
		for (size_t i = 0; q->index->struct_exprs && i < q->nstructs; i++)
			qnode_free(q->index->struct_exprs[i]);
		free(q->index->struct_exprs);
		strmap_free(&q->index->enum_names);
		strmap_free(&q->index->struct_names);
		strmap_free(&q->index->consts_new);
		strmap_free(&q->index->consts_old);
		free(q->index);
	}
	memset(q, 0, sizeof(*q));
}

/* ---- C names ---------------------------------------------------------- */

/* QEMU's c_name(name, protect=False): every non-alphanumeric char -> '_'. */
static char *c_name_raw(const char *s)
{
	char *r = mc_strdup(s);
	for (char *p = r; *p; p++)
		if (!a_alnum((unsigned char)*p) && *p != '_')
			*p = '_';
	return r;
}

static void str_upper(char *s)
{
	for (; *s; s++)
		*s = (char)a_toupper((unsigned char)*s);
}

static int is_c_keyword(const char *s)
{
	static const char *const words[] = {
		"auto", "break", "case", "char", "const", "continue", "default", "do",
		"double", "else", "enum", "extern", "float", "for", "goto", "if",
		"inline", "int", "long", "register", "restrict", "return", "short",
		"signed", "sizeof", "static", "struct", "switch", "typedef", "union",
		"unsigned", "void", "volatile", "while", "asm", "typeof", "bool",
		"true", "false", "unix", "linux", "errno",
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	return s[0] == '_' && a_upper((unsigned char)s[1]);
}

/* c_name(name, protect=True) for type names: never a keyword or a digit first. */
static char *c_name_type(const char *s)
{
	char *r = c_name_raw(s);
	if (is_c_keyword(r) || a_digit((unsigned char)r[0]) || !r[0]) {
		char *p = mc_sprintf("q_%s", r);
		free(r);
		return p;
	}
	return r;
}

/*
 * c_name(name, protect=True) for members: QEMU's generator also protects the
 * C++ keywords and names system headers define as macros, so a member
 * "typename" is q_typename in the struct the code reaches into.
 */
static char *c_name_member(const char *s)
{
	static const char *const words[] = {
		"catch", "class", "const_cast", "delete", "dynamic_cast", "explicit", "friend", "mutable",
		"namespace", "new", "operator", "private", "protected", "public", "reinterpret_cast",
		"static_cast", "template", "this", "throw", "try", "typeid", "typename", "using", "virtual",
		"wchar_t", "and", "and_eq", "bitand", "bitor", "compl", "not", "not_eq", "or", "or_eq",
		"xor", "xor_eq", "mips", "sparc", "i386", "_Bool", "_Complex", "_Imaginary", "_Alignas",
		"_Alignof", "_Atomic", "_Generic", "_Noreturn", "_Static_assert", "_Thread_local",
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(s, words[i]) == 0)
			return mc_sprintf("q_%s", s);
	return c_name_type(s);
}

static char *lstrip_underscores(char *s)
{
	size_t k = strspn(s, "_");
	memmove(s, s + k, strlen(s + k) + 1);
	return s;
}

/* scripts/qapi/common.py camel_to_upper() since v9.2 (commit 7b29353fdd). */
char *mc_qapi_camel_to_upper(const char *value)
{
	if (!value || !value[0])
		return mc_strdup("");
	mc_buf ret = { 0 };
	mc_buf_put(&ret, value, 1);
	int upc = a_upper((unsigned char)value[0]);
	for (const char *p = value + 1; *p; p++) {
		int ch = (unsigned char)*p;
		int ch_upper = a_upper(ch);
		if (ch_upper == upc) {
			/* same case run: nothing to insert */
		} else if (upc) {
			/* Upper run ends: '_' before its last char, unless one is there. */
			if (ret.len > 2 && a_alnum((unsigned char)ret.ptr[ret.len - 2])) {
				char last = ret.ptr[ret.len - 1];
				ret.ptr[ret.len - 1] = '_';
				mc_buf_put(&ret, &last, 1);
			}
		} else if (a_alnum((unsigned char)ret.ptr[ret.len - 1])) {
			mc_buf_puts(&ret, "_");
		}
		mc_buf_put(&ret, p, 1);
		upc = ch_upper;
	}
	char *s = mc_buf_detach(&ret);
	str_upper(s);
	char *c = c_name_raw(s);
	free(s);
	if (a_digit((unsigned char)c[0])) {
		/* c_name(protect=True) prefixes "q_"; lstrip('_') keeps it. */
		char *p = mc_sprintf("q_%s", c);
		free(c);
		return p;
	}
	return lstrip_underscores(c);
}

/* Python's str.isupper(): some cased character and none lower case. */
static int py_isupper(const char *s)
{
	int cased = 0;
	for (; *s; s++) {
		if (a_lower((unsigned char)*s))
			return 0;
		if (a_upper((unsigned char)*s))
			cased = 1;
	}
	return cased;
}

/* camel_to_upper() of v2.4 - v9.1: '_' before an upper char that starts a word. */
static char *camel_to_upper_old(const char *value)
{
	char *c = c_name_raw(value);
	if (py_isupper(value))
		return c;
	mc_buf out = { 0 };
	size_t len = strlen(c);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)c[i];
		if (a_upper(ch) && i > 0 && c[i - 1] != '_') {
			if ((i + 1 < len && a_lower((unsigned char)c[i + 1])) ||
			    a_digit((unsigned char)c[i - 1]))
				mc_buf_puts(&out, "_");
		}
		mc_buf_put(&out, &c[i], 1);
	}
	free(c);
	char *s = mc_buf_detach(&out);
	lstrip_underscores(s);
	str_upper(s);
	return s;
}

static char *enum_constant(const char *prefix, const char *member)
{
	char *m = c_name_raw(member);
	str_upper(m);
	char *r = mc_sprintf("%s_%s", prefix, m);
	free(m);
	return r;
}

/*
 * An explicit 'prefix' is recognised by differing from what the current
 * generator derives from the name.
 */
static int enum_has_explicit_prefix(const mc_qapi_enum *e)
{
	char *derived = mc_qapi_camel_to_upper(e->name);
	int explicit_prefix = strcmp(derived, e->c_prefix) != 0;
	free(derived);
	return explicit_prefix;
}

/* Prefix the v2.5 - v9.1 generator used: its camel_to_upper of 'prefix' or name. */
static char *enum_old_prefix(const mc_qapi_enum *e, int explicit_prefix)
{
	return camel_to_upper_old(explicit_prefix ? e->c_prefix : e->name);
}

/*
 * The older spellings of member m's constant: [0] v2.5 - v9.1, [1] v2.4 or
 * NULL.  An enum with a 'prefix' gets no v2.4 spelling: prefixes exist to
 * avoid exactly that name (IscsiHeaderDigest vs libiscsi's
 * ISCSI_HEADER_DIGEST_NONE) or to keep an older hand-written one.
 */
static void enum_old_constants(const mc_qapi_enum *e, const char *old_prefix,
			       int explicit_prefix, size_t m, char *out[2])
{
	out[0] = enum_constant(old_prefix, e->members[m]);
	out[1] = NULL;
	if (!explicit_prefix) {
		char *whole = mc_sprintf("%s_%s", e->name, e->members[m]);
		out[1] = camel_to_upper_old(whole);
		free(whole);
	}
}

/* ---- the index --------------------------------------------------------- */

static struct mc_qapi_index *index_of(mc_qapi *q)
{
	if (!q->index) {
		q->index = mc_calloc(1, sizeof(*q->index));
		/* Arrays filled by hand are exactly full: the next push reallocates. */
		q->index->enums_cap = q->nenums;
		q->index->structs_cap = q->nstructs;
	}
	return q->index;
}

static void index_enum(struct mc_qapi_index *ix, const mc_qapi_enum *e, size_t ei)
{
	int explicit_prefix = enum_has_explicit_prefix(e);
	char *old_prefix = enum_old_prefix(e, explicit_prefix);
	for (size_t m = 0; m < e->nmembers; m++) {
		uint64_t val = (uint64_t)ei << 32 | m;
		char *old[2];
		strmap_add(&ix->consts_new, e->c_names[m], val);
		enum_old_constants(e, old_prefix, explicit_prefix, m, old);
		for (int k = 0; k < 2 && old[k]; k++)
			strmap_add(&ix->consts_old, old[k], val);
		free(old[0]);
		free(old[1]);
	}
	free(old_prefix);
}

/* Without an up-to-date index (mc_qapi filled by hand), search every name. */
static int lookup_linear(const mc_qapi *q, const char *c_name, size_t *ei, size_t *mi)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < q->nenums; i++) {
			const mc_qapi_enum *e = &q->enums[i];
			int explicit_prefix = pass ? enum_has_explicit_prefix(e) : 0;
			char *old_prefix = pass ? enum_old_prefix(e, explicit_prefix) : NULL;
			for (size_t m = 0; m < e->nmembers; m++) {
				int hit = 0;
				if (!pass) {
					hit = strcmp(e->c_names[m], c_name) == 0;
				} else {
					char *old[2];
					enum_old_constants(e, old_prefix, explicit_prefix, m, old);
					hit = strcmp(old[0], c_name) == 0 ||
					      (old[1] && strcmp(old[1], c_name) == 0);
					free(old[0]);
					free(old[1]);
				}
				if (hit) {
					free(old_prefix);
					*ei = i;
					*mi = m;
					return 1;
				}
			}
			free(old_prefix);
		}
	}
	return 0;
}

const char *mc_qapi_member_of_constant(const mc_qapi *q, const char *c_name, const char **enum_name)
{
	size_t ei = 0, mi = 0;
	int found;
	if (enum_name)
		*enum_name = NULL;
	if (!q || !c_name)
		return NULL;
	const struct mc_qapi_index *ix = q->index;
	if (ix && ix->nindexed == q->nenums) {
		uint64_t val;
		found = strmap_get(&ix->consts_new, c_name, &val) ||
			strmap_get(&ix->consts_old, c_name, &val);
		ei = (size_t)(val >> 32);
		mi = (size_t)(val & 0xffffffffu);
	} else {
		found = lookup_linear(q, c_name, &ei, &mi);
	}
	if (!found || ei >= q->nenums || mi >= q->enums[ei].nmembers)
		return NULL;
	if (enum_name)
		*enum_name = q->enums[ei].name;
	return q->enums[ei].members[mi];
}

const mc_qapi_enum *mc_qapi_find_enum(const mc_qapi *q, const char *name)
{
	if (!q || !name)
		return NULL;
	const struct mc_qapi_index *ix = q->index;
	if (ix && ix->nindexed == q->nenums) {
		uint64_t val;
		if (!strmap_get(&ix->enum_names, name, &val) || val >= q->nenums)
			return NULL;
		return &q->enums[val];
	}
	for (size_t i = 0; i < q->nenums; i++)
		if (strcmp(q->enums[i].name, name) == 0)
			return &q->enums[i];
	return NULL;
}

/* ---- schema syntax tree ------------------------------------------------ */

typedef enum { QN_STR, QN_BOOL, QN_LIST, QN_DICT } qnode_type;

typedef struct {
	char *key;    /* NULL in a list */
	qnode *val;
} qnode_item;

struct qnode {
	qnode_type type;
	char *str;
	int b;
	qnode_item *items;
	size_t n, cap;
};

static void qnode_free(qnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		free(n->items[i].key);
		qnode_free(n->items[i].val);
	}
	free(n->items);
	free(n->str);
	free(n);
}

static const qnode *qnode_get(const qnode *dict, const char *key)
{
	if (!dict || dict->type != QN_DICT)
		return NULL;
	for (size_t i = 0; i < dict->n; i++)
		if (strcmp(dict->items[i].key, key) == 0)
			return dict->items[i].val;
	return NULL;
}

static const char *qnode_get_str(const qnode *dict, const char *key)
{
	const qnode *v = qnode_get(dict, key);
	return v && v->type == QN_STR ? v->str : NULL;
}

/* ---- lexer ------------------------------------------------------------- */

typedef enum {
	TK_EOF, TK_LBRACE, TK_RBRACE, TK_LBRACKET, TK_RBRACKET, TK_COLON, TK_COMMA,
	TK_STRING, TK_TRUE, TK_FALSE
} token_type;

typedef struct {
	const char *file;
	const char *s;
	size_t len, pos;
	int line;
	token_type tok;
	int tok_line;
	mc_buf str;      /* value of the last TK_STRING */
} lexer;

static int lex_error(const lexer *lx, int line, const char *msg)
{
	mc_error_set("%s:%d: %s", lx->file, line, msg);
	return MC_EPARSE;
}

/* One escape after a backslash; old schemas allowed JSON's, new only \\. */
static int lex_escape(lexer *lx)
{
	if (lx->pos >= lx->len)
		return lex_error(lx, lx->line, "missing terminating quote");
	char c = lx->s[lx->pos++];
	static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
	const char *k = c ? strchr(from, c) : NULL;
	if (k) {
		mc_buf_put(&lx->str, &to[k - from], 1);
		return 0;
	}
	if (c == 'u') {
		unsigned cp = 0;
		for (int i = 0; i < 4; i++) {
			int h = lx->pos < lx->len ? mc_hex_digit((unsigned char)lx->s[lx->pos]) : -1;
			if (h < 0)
				return lex_error(lx, lx->line, "invalid \\u escape");
			cp = cp << 4 | (unsigned)h;
			lx->pos++;
		}
		if (cp == 0)
			return lex_error(lx, lx->line, "\\u0000 is not allowed");
		mc_buf_put_utf8(&lx->str, cp);
		return 0;
	}
	if (c == '\\' || c == '\'' || c == '"' || c == '/') {
		mc_buf_put(&lx->str, &c, 1);
		return 0;
	}
	return lex_error(lx, lx->line, "unknown escape in string");
}

static int lex_string(lexer *lx, char quote)
{
	lx->str.len = 0;
	mc_buf_put(&lx->str, "", 0);
	for (;;) {
		if (lx->pos >= lx->len)
			return lex_error(lx, lx->tok_line, "missing terminating quote");
		char c = lx->s[lx->pos++];
		if (c == quote)
			return 0;
		if (c == '\n')
			return lex_error(lx, lx->line, "missing terminating quote");
		if ((unsigned char)c < 0x20 || c == 0x7f)
			return lex_error(lx, lx->line, "control character in string");
		if (c == '\\') {
			int r = lex_escape(lx);
			if (r < 0)
				return r;
			continue;
		}
		mc_buf_put(&lx->str, &c, 1);
	}
}

static int lex_word(lexer *lx, const char *word, token_type tok)
{
	size_t n = strlen(word);
	if (lx->len - lx->pos + 1 < n || memcmp(lx->s + lx->pos - 1, word, n) != 0)
		return 0;
	size_t end = lx->pos - 1 + n;
	if (end < lx->len && (a_alnum((unsigned char)lx->s[end]) || lx->s[end] == '_'))
		return 0;
	lx->pos = end;
	lx->tok = tok;
	return 1;
}

static int lex_next(lexer *lx)
{
	for (;;) {
		if (lx->pos >= lx->len) {
			lx->tok = TK_EOF;
			lx->tok_line = lx->line;
			return 0;
		}
		char c = lx->s[lx->pos++];
		lx->tok_line = lx->line;
		switch (c) {
		case '\n':
			lx->line++;
			continue;
		case ' ': case '\t': case '\r': case '\f': case '\v':
			continue;
		case '#':
			while (lx->pos < lx->len && lx->s[lx->pos] != '\n')
				lx->pos++;
			continue;
		case '{': lx->tok = TK_LBRACE; return 0;
		case '}': lx->tok = TK_RBRACE; return 0;
		case '[': lx->tok = TK_LBRACKET; return 0;
		case ']': lx->tok = TK_RBRACKET; return 0;
		case ':': lx->tok = TK_COLON; return 0;
		case ',': lx->tok = TK_COMMA; return 0;
		case '\'':
		case '"':
			lx->tok = TK_STRING;
			return lex_string(lx, c);
		default:
			if (lex_word(lx, "true", TK_TRUE) || lex_word(lx, "false", TK_FALSE))
				return 0;
			if ((unsigned char)c >= 0x21 && (unsigned char)c < 0x7f) {
				char msg[32];
				snprintf(msg, sizeof(msg), "stray '%c'", c);
				return lex_error(lx, lx->line, msg);
			}
			char msg[32];
			snprintf(msg, sizeof(msg), "stray byte 0x%02x", (unsigned char)c);
			return lex_error(lx, lx->line, msg);
		}
	}
}

/* ---- parser ------------------------------------------------------------ */

static int parse_value(lexer *lx, int depth, qnode **out);

static int expect_error(lexer *lx, const char *what)
{
	char msg[64];
	snprintf(msg, sizeof(msg), "expected %s", what);
	return lex_error(lx, lx->tok_line, msg);
}

/* Current token is '{'; reads through the matching '}'. */
static int parse_dict(lexer *lx, int depth, qnode *n)
{
	int r = lex_next(lx);
	if (r < 0)
		return r;
	if (lx->tok == TK_RBRACE)
		return lex_next(lx);
	for (;;) {
		if (lx->tok != TK_STRING)
			return expect_error(lx, "string key");
		qnode_item *it = MC_VEC_PUSH(n->items, n->n, n->cap);
		it->key = mc_strdup(lx->str.ptr);
		if ((r = lex_next(lx)) < 0)
			return r;
		if (lx->tok != TK_COLON)
			return expect_error(lx, "':'");
		if ((r = lex_next(lx)) < 0)
			return r;
		if ((r = parse_value(lx, depth + 1, &it->val)) < 0)
			return r;
		if (lx->tok == TK_RBRACE)
			return lex_next(lx);
		if (lx->tok != TK_COMMA)
			return expect_error(lx, "',' or '}'");
		if ((r = lex_next(lx)) < 0)
			return r;
	}
}

/* Current token is '['; reads through the matching ']'. */
static int parse_list(lexer *lx, int depth, qnode *n)
{
	int r = lex_next(lx);
	if (r < 0)
		return r;
	if (lx->tok == TK_RBRACKET)
		return lex_next(lx);
	for (;;) {
		qnode_item *it = MC_VEC_PUSH(n->items, n->n, n->cap);
		if ((r = parse_value(lx, depth + 1, &it->val)) < 0)
			return r;
		if (lx->tok == TK_RBRACKET)
			return lex_next(lx);
		if (lx->tok != TK_COMMA)
			return expect_error(lx, "',' or ']'");
		if ((r = lex_next(lx)) < 0)
			return r;
	}
}

/*
 * Reads the value starting at the current token and leaves the token after
 * it current.  *out is set (possibly partial) even on error, for freeing.
 */
static int parse_value(lexer *lx, int depth, qnode **out)
{
	*out = NULL;
	if (depth > QAPI_MAX_DEPTH)
		return lex_error(lx, lx->tok_line, "nesting too deep");
	qnode *n = mc_calloc(1, sizeof(*n));
	*out = n;
	switch (lx->tok) {
	case TK_STRING:
		n->type = QN_STR;
		n->str = mc_strdup(lx->str.ptr);
		return lex_next(lx);
	case TK_TRUE:
	case TK_FALSE:
		n->type = QN_BOOL;
		n->b = lx->tok == TK_TRUE;
		return lex_next(lx);
	case TK_LBRACE:
		n->type = QN_DICT;
		return parse_dict(lx, depth, n);
	case TK_LBRACKET:
		n->type = QN_LIST;
		return parse_list(lx, depth, n);
	case TK_EOF:
		return lex_error(lx, lx->tok_line, "unexpected end of input");
	default:
		return expect_error(lx, "value");
	}
}

/* ---- definitions ------------------------------------------------------- */

/* QAPI type names: a letter or '_' first, then [A-Za-z0-9_.-]. */
static int qapi_type_name_ok(const char *s)
{
	if (!s || !(a_upper((unsigned char)s[0]) || a_lower((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (; *s; s++)
		if (!a_alnum((unsigned char)*s) && !strchr("_.-", *s))
			return 0;
	return 1;
}

static int c_identifier_ok(const char *s)
{
	if (!s || !(a_upper((unsigned char)s[0]) || a_lower((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (; *s; s++)
		if (!a_alnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/*
 * Adds an enum whose members are the strings of a list ('enum' data) or the
 * keys of a dict (the implicit <Union>Kind enum of a simple union).
 */
static void add_enum_from(mc_qapi *q, const char *name, const char *prefix, const qnode *data)
{
	struct mc_qapi_index *ix = index_of(q);
	if (!qapi_type_name_ok(name) || strmap_get(&ix->enum_names, name, NULL))
		return;

	mc_qapi_enum e = { 0 };
	e.name = mc_strdup(name);
	e.c_prefix = c_identifier_ok(prefix) ? mc_strdup(prefix) : mc_qapi_camel_to_upper(name);

	int keys = data && data->type == QN_DICT;
	size_t cap = data && (data->type == QN_LIST || keys) ? data->n : 0;
	e.members = mc_calloc(cap, sizeof(char *));
	e.c_names = mc_calloc(cap, sizeof(char *));
	for (size_t i = 0; i < cap; i++) {
		const qnode *m = data->items[i].val;
		const char *member = keys ? data->items[i].key
					  : (m->type == QN_STR ? m->str : qnode_get_str(m, "name"));
		if (!member)
			continue;
		e.members[e.nmembers] = mc_strdup(member);
		e.c_names[e.nmembers] = enum_constant(e.c_prefix, member);
		e.nmembers++;
	}

	mc_qapi_enum *slot = MC_VEC_PUSH(q->enums, q->nenums, ix->enums_cap);
	*slot = e;
	strmap_add(&ix->enum_names, name, q->nenums - 1);
	if (ix->nindexed == q->nenums - 1) {
		index_enum(ix, slot, q->nenums - 1);
		ix->nindexed = q->nenums;
	}
}

static void add_enum(mc_qapi *q, const qnode *expr, const char *name)
{
	add_enum_from(q, name, qnode_get_str(expr, "prefix"), qnode_get(expr, "data"));
}

/* A simple union (no discriminator) generates the enum <Name>Kind of its branches. */
static void add_union_kind(mc_qapi *q, const qnode *expr, const char *name)
{
	const qnode *data = qnode_get(expr, "data");
	if (qnode_get(expr, "discriminator") || !data || data->type != QN_DICT)
		return;
	char *kind = mc_sprintf("%sKind", name);
	add_enum_from(q, kind, NULL, data);
	free(kind);
}

/* Records a struct, union or alternate; keeps expr (its definition) and returns 1, or 0 when it is not kept. */
static int add_struct(mc_qapi *q, const char *name, qnode *expr)
{
	struct mc_qapi_index *ix = index_of(q);
	if (!qapi_type_name_ok(name) || strmap_get(&ix->struct_names, name, NULL))
		return 0;
	size_t cap = ix->structs_cap;
	char **slot = MC_VEC_PUSH(q->structs, q->nstructs, ix->structs_cap);
	*slot = mc_strdup(name);
	if (ix->structs_cap != cap || !ix->struct_exprs) {
		ix->struct_exprs = mc_realloc(ix->struct_exprs, ix->structs_cap * sizeof(qnode *));
		memset(ix->struct_exprs + q->nstructs - 1, 0, (ix->structs_cap - q->nstructs + 1) * sizeof(qnode *));
	}
	ix->struct_exprs[q->nstructs - 1] = expr;
	strmap_add(&ix->struct_names, name, q->nstructs);
	return 1;
}

/* Adds what expr defines; returns 1 when q kept expr itself (the caller must not free it). */
static int add_expression(mc_qapi *q, qnode *expr)
{
	static const char *const skipped[] = { "include", "command", "event", "pragma" };
	static const char *const compound[] = { "struct", "union", "alternate", "type" };
	for (size_t i = 0; i < 4; i++)
		if (qnode_get(expr, skipped[i]))
			return 0;
	const char *name = qnode_get_str(expr, "enum");
	if (name) {
		add_enum(q, expr, name);
		return 0;
	}
	for (size_t i = 0; i < 4; i++) {
		name = qnode_get_str(expr, compound[i]);
		if (name) {
			if (i == 1)
				add_union_kind(q, expr, name);
			return add_struct(q, name, expr);
		}
	}
	return 0;
}

int mc_qapi_add_schema(mc_qapi *q, const char *filename, const char *text, size_t len)
{
	lexer lx = { .file = filename ? filename : "<schema>", .s = text ? text : "",
		     .len = text ? len : 0, .line = 1 };
	index_of(q);
	int r = lex_next(&lx);
	while (r == 0 && lx.tok != TK_EOF) {
		if (lx.tok != TK_LBRACE) {
			r = expect_error(&lx, "'{' to start a definition");
			break;
		}
		qnode *expr;
		r = parse_value(&lx, 1, &expr);
		if (r != 0 || !add_expression(q, expr))
			qnode_free(expr);
	}
	mc_buf_free(&lx.str);
	return r;
}

/* ---- stub header ------------------------------------------------------- */

/* What an ordinary identifier in the stub already names. */
enum { ID_TYPEDEF = 1, ID_ENUMERATOR = 2, ID_VARIABLE = 3 };

typedef struct {
	mc_buf out;
	strmap ids;
	strmap typedefs; /* C type names the stub declared: TD_ENUM or TD_STRUCT */
} stub_writer;

enum { TD_ENUM = 1, TD_STRUCT = 2 };

static int stub_claim(stub_writer *w, const char *id, int what)
{
	return strmap_add(&w->ids, id, (uint64_t)what);
}

static void stub_typedef_struct(stub_writer *w, const char *cname)
{
	if (stub_claim(w, cname, ID_TYPEDEF)) {
		mc_buf_printf(&w->out, "typedef struct %s %s;\n", cname, cname);
		strmap_add(&w->typedefs, cname, TD_STRUCT);
	}
}

static void stub_alias(stub_writer *w, mc_buf *body, const char *alias, const char *target)
{
	uint64_t what;
	if (!strmap_get(&w->ids, target, &what) || what != ID_ENUMERATOR)
		return;
	/* An old spelling was never compiled with this enum: it may be a macro
	 * already (v2.4's camel_to_upper("Int_MAX") is INT_MAX). */
	if (stub_claim(w, alias, ID_ENUMERATOR))
		mc_buf_printf(body, "#ifndef %s\n    %s = %s,\n#endif\n", alias, alias, target);
}

/* Older spellings of every constant, declared as aliases of the current ones. */
static void stub_enum_aliases(stub_writer *w, mc_buf *body, const mc_qapi_enum *e,
			      const char *max)
{
	int explicit_prefix = enum_has_explicit_prefix(e);
	char *old_prefix = enum_old_prefix(e, explicit_prefix);
	for (size_t m = 0; m < e->nmembers; m++) {
		char *old[2];
		enum_old_constants(e, old_prefix, explicit_prefix, m, old);
		for (int k = 0; k < 2 && old[k]; k++)
			if (strcmp(old[k], e->c_names[m]) != 0)
				stub_alias(w, body, old[k], e->c_names[m]);
		free(old[0]);
		free(old[1]);
	}
	char *old_max = mc_sprintf("%s__MAX", old_prefix);
	stub_alias(w, body, old_max, max);
	free(old_max);
	if (!explicit_prefix) {
		/* v2.4 named it camel_to_upper(Name + "_MAX"). */
		char *whole = mc_sprintf("%s_MAX", e->name);
		char *v24_max = camel_to_upper_old(whole);
		stub_alias(w, body, v24_max, max);
		free(whole);
		free(v24_max);
	}
	free(old_prefix);
}

static void stub_enum(stub_writer *w, const mc_qapi_enum *e)
{
	char *tname = c_name_type(e->name);
	char *list = mc_sprintf("%sList", tname);
	if (!stub_claim(w, tname, ID_TYPEDEF)) {
		free(tname);
		free(list);
		return;
	}
	strmap_add(&w->typedefs, tname, TD_ENUM);
	mc_buf body = { 0 };
	size_t nconst = 0;
	for (size_t m = 0; m < e->nmembers; m++) {
		if (stub_claim(w, e->c_names[m], ID_ENUMERATOR)) {
			mc_buf_printf(&body, "    %s,\n", e->c_names[m]);
			nconst++;
		}
	}
	char *max = mc_sprintf("%s__MAX", e->c_prefix);
	if (stub_claim(w, max, ID_ENUMERATOR)) {
		mc_buf_printf(&body, "    %s,\n", max);
		nconst++;
	}
	stub_enum_aliases(w, &body, e, max);
	if (nconst)
		mc_buf_printf(&w->out, "typedef enum %s {\n%s} %s;\n", tname,
			      body.ptr ? body.ptr : "", tname);
	else /* C has no empty enum; the type still has to exist. */
		mc_buf_printf(&w->out, "typedef int %s;\n", tname);
	/* The lookup table a PropertyInfo names (.enum_table = &OnOffAuto_lookup): it makes the
	 * property an enum of this type (parse.c), so it must resolve. */
	char *lookup = mc_sprintf("%s_lookup", tname);
	if (stub_claim(w, lookup, ID_VARIABLE))
		mc_buf_printf(&w->out, "extern const struct QEnumLookup %s;\n", lookup);
	free(lookup);
	stub_typedef_struct(w, list);
	mc_buf_free(&body);
	free(max);
	free(tname);
	free(list);
}

/* ---- struct bodies ----------------------------------------------------- */

/*
 * The generated headers define every struct with its members, and QEMU's
 * code reaches into them: migration/options.c declares its properties with
 * offsetof(MigrationState, parameters.announce_initial), which needs
 * MigrationParameters complete.  The bodies follow QEMU's generator: a
 * member of struct type is a pointer, except a union's or an alternate's
 * branch, which is inline; an optional member has its has_ flag (declared
 * for every optional one, as before QEMU 8.0: a superset compiles either
 * way); a base's members come first.  Anything not understood becomes a
 * void * member, never an error: the stub is in every file that includes a
 * QAPI header.
 */
typedef struct {
	const mc_qapi *q;
	stub_writer *sw;
	unsigned char *state; /* per struct: 0 not written, 1 being written, 2 written */
	strmap lists;         /* the lists whose body is written */
} body_writer;

/* Did the stub declare C type name as kind (a clash may have left it to something else)? */
static int declared_as(const body_writer *w, const char *cname, int kind)
{
	uint64_t v;
	return strmap_get(&w->sw->typedefs, cname, &v) && v == (uint64_t)kind;
}

static const char *builtin_c_type(const char *t)
{
	static const struct {
		const char *qapi, *c;
	} map[] = {
		{ "str", "char *" },       { "int", "int64_t " },     { "int8", "int8_t " },
		{ "int16", "int16_t " },   { "int32", "int32_t " },   { "int64", "int64_t " },
		{ "uint8", "uint8_t " },   { "uint16", "uint16_t " }, { "uint32", "uint32_t " },
		{ "uint64", "uint64_t " }, { "size", "uint64_t " },   { "bool", "bool " },
		{ "number", "double " },   { "any", "struct QObject *" }, { "null", "struct QNull *" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].qapi, t) == 0)
			return map[i].c;
	return NULL;
}

/* Index of a struct, union or alternate by QAPI name, or -1. */
static long struct_index(const mc_qapi *q, const char *name)
{
	uint64_t v;
	if (!q->index || !strmap_get(&q->index->struct_names, name, &v))
		return -1;
	return (long)v - 1;
}

static void write_struct(body_writer *w, size_t i);

/*
 * The C type that declares a member of type node t, ending in a space or a
 * '*'.  by_value: a struct type is inline (then written first), unless it is
 * being written (a cycle a valid schema cannot have: a pointer then).
 */
static char *member_c_type(body_writer *w, const qnode *t, int by_value)
{
	if (t && t->type == QN_DICT)
		t = qnode_get(t, "type");
	if (!t)
		return mc_strdup("void *");
	char *r = NULL;
	if (t->type == QN_LIST) {
		const qnode *elem = t->n == 1 ? t->items[0].val : NULL;
		if (!elem || elem->type != QN_STR || !qapi_type_name_ok(elem->str))
			return mc_strdup("void *");
		/* Builtins keep their QAPI name (intList, not q_intList). */
		char *c = builtin_c_type(elem->str) ? mc_strdup(elem->str) : c_name_type(elem->str);
		char *list = mc_sprintf("%sList", c);
		if (declared_as(w, list, TD_STRUCT))
			r = mc_sprintf("%s *", list);
		free(c);
		free(list);
		return r ? r : mc_strdup("void *");
	}
	if (t->type != QN_STR || !qapi_type_name_ok(t->str))
		return mc_strdup("void *");
	const char *builtin = builtin_c_type(t->str);
	if (builtin)
		return mc_strdup(builtin);
	char *c = c_name_type(t->str);
	long si = struct_index(w->q, t->str);
	if (mc_qapi_find_enum(w->q, t->str)) {
		if (declared_as(w, c, TD_ENUM))
			r = mc_sprintf("%s ", c);
	} else if (si >= 0 && declared_as(w, c, TD_STRUCT)) {
		if (by_value && w->state[si] != 1) {
			write_struct(w, (size_t)si);
			r = mc_sprintf("%s ", c);
		} else {
			r = mc_sprintf("%s *", c);
		}
	}
	free(c);
	return r ? r : mc_strdup("void *");
}

/* One member "type name;" (and its has_ flag), unless a member of that C name exists already. */
static void write_member(body_writer *w, mc_buf *body, strmap *seen, const char *key, const qnode *type,
			 int by_value)
{
	int optional = key[0] == '*';
	char *name = c_name_member(key + optional);
	if (!name[0] || !strmap_add(seen, name, 1)) {
		free(name);
		return;
	}
	char *ctype = member_c_type(w, type, by_value);
	if (optional)
		mc_buf_printf(body, "    bool has_%s;\n", name);
	mc_buf_printf(body, "    %s%s;\n", ctype, name);
	free(ctype);
	free(name);
}

static void write_members(body_writer *w, mc_buf *body, strmap *seen, const qnode *data)
{
	for (size_t k = 0; data && data->type == QN_DICT && k < data->n; k++)
		write_member(w, body, seen, data->items[k].key, data->items[k].val, 0);
}

/* A base's members, then its own base's before them: QEMU inlines the whole chain. */
static void write_base(body_writer *w, mc_buf *body, strmap *seen, const qnode *base, int depth)
{
	if (!base || depth > 32)
		return;
	if (base->type == QN_DICT) {
		write_members(w, body, seen, base);
		return;
	}
	long si = base->type == QN_STR ? struct_index(w->q, base->str) : -1;
	const qnode *expr = si >= 0 ? w->q->index->struct_exprs[si] : NULL;
	if (!expr)
		return;
	write_base(w, body, seen, qnode_get(expr, "base"), depth + 1);
	write_members(w, body, seen, qnode_get(expr, "data"));
}

/* "union { ... } u;" of a union's or alternate's branches, inline. */
static void write_branches(body_writer *w, mc_buf *body, const qnode *data)
{
	if (!data || data->type != QN_DICT || data->n == 0)
		return;
	strmap seen = { 0 };
	mc_buf_puts(body, "    union {\n");
	for (size_t k = 0; k < data->n; k++)
		write_member(w, body, &seen, data->items[k].key, data->items[k].val, 1);
	mc_buf_puts(body, "    } u;\n");
	strmap_free(&seen);
}

static void write_struct(body_writer *w, size_t i)
{
	const qnode *expr = w->q->index->struct_exprs[i];
	if (w->state[i] || !expr)
		return;
	char *c = c_name_type(w->q->structs[i]);
	if (!declared_as(w, c, TD_STRUCT)) { /* its name went to an enum or an enumerator */
		w->state[i] = 2;
		free(c);
		return;
	}
	w->state[i] = 1;
	mc_buf body = { 0 };
	strmap seen = { 0 };
	if (qnode_get(expr, "alternate")) {
		mc_buf_puts(&body, "    int type;\n"); /* QType; an int, as old trees define QType later */
		write_branches(w, &body, qnode_get(expr, "data"));
	} else {
		write_base(w, &body, &seen, qnode_get(expr, "base"), 0);
		if (qnode_get(expr, "union"))
			write_branches(w, &body, qnode_get(expr, "data"));
		else
			write_members(w, &body, &seen, qnode_get(expr, "data"));
	}
	mc_buf_printf(&w->sw->out, "struct %s {\n%s};\n", c, body.ptr ? body.ptr : "    char qapi_dummy_for_empty_struct;\n");
	free(c);
	strmap_free(&seen);
	mc_buf_free(&body);
	w->state[i] = 2;
}

/* "struct XList { XList *next; X value; };" when the stub declared both XList and X's type. */
static void write_list(body_writer *w, const char *list, const char *value_type)
{
	if (declared_as(w, list, TD_STRUCT) && strmap_add(&w->lists, list, 1))
		mc_buf_printf(&w->sw->out, "struct %s {\n    %s *next;\n    %svalue;\n};\n", list, list, value_type);
}

/* The list of a schema type: its values inline for an enum, pointers for a struct. */
static void write_type_list(body_writer *w, const char *qapi_name, int kind)
{
	char *c = c_name_type(qapi_name);
	char *list = mc_sprintf("%sList", c), *type = mc_sprintf(kind == TD_ENUM ? "%s " : "%s *", c);
	if (declared_as(w, c, kind))
		write_list(w, list, type);
	free(c);
	free(list);
	free(type);
}

/* The lists' bodies: code takes their sizeof (QAPI_LIST_PREPEND) and walks ->value. */
static void write_lists(body_writer *w)
{
	static const char *const builtins[] = { "str", "number", "int", "int8", "int16", "int32", "int64", "uint8",
						"uint16", "uint32", "uint64", "size", "bool", "any", "null" };
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		char *list = mc_sprintf("%sList", builtins[i]);
		write_list(w, list, builtin_c_type(builtins[i]));
		free(list);
	}
	for (size_t i = 0; i < w->q->nenums; i++)
		write_type_list(w, w->q->enums[i].name, TD_ENUM);
	for (size_t i = 0; i < w->q->nstructs; i++)
		write_type_list(w, w->q->structs[i], TD_STRUCT);
}

static void stub_struct_bodies(stub_writer *sw, const mc_qapi *q)
{
	if (!q)
		return;
	body_writer w = { q, sw, mc_calloc(q->nstructs + 1, 1), { 0 } };
	mc_buf_puts(&sw->out, "\n#include <stdbool.h>\n#include <stdint.h>\nstruct QObject;\nstruct QNull;\n");
	for (size_t i = 0; q->index && q->index->struct_exprs && i < q->nstructs; i++)
		write_struct(&w, i);
	write_lists(&w);
	strmap_free(&w.lists);
	free(w.state);
}

char *mc_qapi_stub_header(const mc_qapi *q)
{
	/* QEMU's built-in types have lists too (qapi-builtin-types.h). */
	static const char *const builtin_lists[] = {
		"strList", "numberList", "intList", "int8List", "int16List", "int32List",
		"int64List", "uint8List", "uint16List", "uint32List", "uint64List",
		"sizeList", "boolList", "anyList", "nullList",
	};
	stub_writer w = { 0 };
	mc_buf_puts(&w.out,
		    "/* QAPI declarations for parsing an unconfigured QEMU tree; generated by migcompat. */\n"
		    "#ifndef MC_QAPI_STUB_H\n#define MC_QAPI_STUB_H\n\n");
	for (size_t i = 0; i < sizeof(builtin_lists) / sizeof(builtin_lists[0]); i++)
		stub_typedef_struct(&w, builtin_lists[i]);
	mc_buf_puts(&w.out, "\n");
	for (size_t i = 0; q && i < q->nenums; i++)
		stub_enum(&w, &q->enums[i]);
	mc_buf_puts(&w.out, "\n");
	for (size_t i = 0; q && i < q->nstructs; i++) {
		char *tname = c_name_type(q->structs[i]);
		char *list = mc_sprintf("%sList", tname);
		stub_typedef_struct(&w, tname);
		stub_typedef_struct(&w, list);
		free(tname);
		free(list);
	}
	stub_struct_bodies(&w, q);
	mc_buf_puts(&w.out, "\n#endif /* MC_QAPI_STUB_H */\n");
	strmap_free(&w.ids);
	strmap_free(&w.typedefs);
	return mc_buf_detach(&w.out);
}
