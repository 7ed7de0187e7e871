/*
 * parse.c - see parse.h.
 *
 * What is read from the AST (shapes checked against libclang 14):
 *  - a Property array element is an InitListExpr whose children are
 *    designated initializers: an UnexposedExpr whose first children are
 *    MemberRef cursors naming the field path (".defval.u") followed by the
 *    value expression;
 *  - GlobalProperty entries are positional ({ "drv", "prop", "val" }) with
 *    an optional trailing designator (.optional = true), or designated in the
 *    macro era;
 *  - names and values are evaluated with clang_Cursor_Evaluate, so macros,
 *    casts and constant arithmetic are already folded; an enum constant keeps
 *    its name so that it can be mapped to its QAPI string;
 *  - the tables of conv table-type and table-property lines are arrays of
 *    records, positional or designated ("[FEAT_1_EDX] = { ... }": an
 *    UnexposedExpr holding the index, then the record); a version list is a
 *    CompoundLiteralExpr holding its InitListExpr, or a named array.
 */
#include "frontend/parse.h"

#include <clang-c/Index.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mc_parser {
	CXIndex index;
};

int mc_parser_new(mc_parser **out)
{
	mc_parser *p = mc_calloc(1, sizeof(*p));
	p->index = clang_createIndex(1, 0);
	if (!p->index) {
		free(p);
		mc_error_set("libclang could not create an index");
		return MC_EIO;
	}
	*out = p;
	return 0;
}

void mc_parser_free(mc_parser *p)
{
	if (!p)
		return;
	clang_disposeIndex(p->index);
	free(p);
}

/* ---- small cursor helpers ---- */

typedef struct {
	CXCursor *v;
	size_t n, cap;
} cursor_list;

static enum CXChildVisitResult collect_child(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	cursor_list *l = data;
	CXCursor *slot = MC_VEC_PUSH(l->v, l->n, l->cap);
	*slot = c;
	return CXChildVisit_Continue;
}

static cursor_list children_of(CXCursor c)
{
	cursor_list l = {0};
	clang_visitChildren(c, collect_child, &l);
	return l;
}

static char *cx_take(CXString s)
{
	const char *c = clang_getCString(s);
	char *r = mc_utf8_repair(mc_strdup(c ? c : ""));
	clang_disposeString(s);
	return r;
}

static char *cursor_spelling(CXCursor c)
{
	return cx_take(clang_getCursorSpelling(c));
}

static int expansion_line(CXCursor c)
{
	unsigned line = 0;
	clang_getExpansionLocation(clang_getCursorLocation(c), NULL, &line, NULL, NULL);
	return (int)line;
}

/* Where the cursor's text is written: a header line for tokens from a macro body. */
static void spelling_place(CXCursor c, char **file, int *line)
{
	CXFile f = NULL;
	unsigned l = 0;
	clang_getSpellingLocation(clang_getCursorLocation(c), &f, &l, NULL, NULL);
	*line = (int)l;
	*file = NULL;
	if (f) {
		char *name = cx_take(clang_getFileName(f));
		size_t root = strlen(MC_TREE_ROOT "/");
		if (strncmp(name, MC_TREE_ROOT "/", root) == 0)
			*file = mc_strdup(name + root);
		free(name);
	}
}

/* Strips qualifiers from a type spelling: "const Property" -> "Property". */
static char *type_base_name(CXType t)
{
	char *s = cx_take(clang_getTypeSpelling(t));
	char *p = s;
	for (;;) {
		if (strncmp(p, "const ", 6) == 0)
			p += 6;
		else if (strncmp(p, "volatile ", 9) == 0)
			p += 9;
		else if (strncmp(p, "struct ", 7) == 0)
			p += 7;
		else
			break;
	}
	char *r = mc_strdup(p);
	free(s);
	return r;
}

/* Is t (or its element type, for arrays) the record called name? */
static int type_is_record(CXType t, const char *name, int *is_array)
{
	*is_array = 0;
	if (t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray ||
	    t.kind == CXType_VariableArray) {
		*is_array = 1;
		t = clang_getArrayElementType(t);
	}
	char *base = type_base_name(t);
	int hit = strcmp(base, name) == 0;
	free(base);
	if (!hit) {
		CXType canon = clang_getCanonicalType(t);
		char *cb = type_base_name(canon);
		hit = strcmp(cb, name) == 0;
		free(cb);
	}
	return hit;
}

/* Finds the first descendant (or self) of the given kind. */
struct find_ctx {
	enum CXCursorKind kind;
	CXCursor found;
	int ok;
};

static enum CXChildVisitResult find_visit(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	struct find_ctx *f = data;
	if (clang_getCursorKind(c) == f->kind) {
		f->found = c;
		f->ok = 1;
		return CXChildVisit_Break;
	}
	return CXChildVisit_Recurse;
}

static int find_kind(CXCursor c, enum CXCursorKind kind, CXCursor *out)
{
	if (clang_getCursorKind(c) == kind) {
		*out = c;
		return 1;
	}
	struct find_ctx f = { kind, clang_getNullCursor(), 0 };
	clang_visitChildren(c, find_visit, &f);
	*out = f.found;
	return f.ok;
}

/* The expression under implicit casts and parentheses. */
static CXCursor strip_casts(CXCursor c)
{
	while (clang_getCursorKind(c) == CXCursor_UnexposedExpr || clang_getCursorKind(c) == CXCursor_ParenExpr ||
	       clang_getCursorKind(c) == CXCursor_CStyleCastExpr) {
		cursor_list kids = children_of(c);
		CXCursor next = clang_getNullCursor();
		for (size_t i = 0; i < kids.n; i++)
			if (clang_getCursorKind(kids.v[i]) != CXCursor_TypeRef) {
				next = kids.v[i];
				break;
			}
		free(kids.v);
		if (clang_Cursor_isNull(next))
			break;
		c = next;
	}
	return c;
}

/* Name of the declaration a DeclRefExpr inside c refers to ("qdev_prop_bool", a function). */
static char *referenced_name(CXCursor c, enum CXCursorKind *ref_kind)
{
	CXCursor ref;
	if (!find_kind(c, CXCursor_DeclRefExpr, &ref))
		return NULL;
	CXCursor decl = clang_getCursorReferenced(ref);
	if (clang_Cursor_isNull(decl))
		return NULL;
	if (ref_kind)
		*ref_kind = clang_getCursorKind(decl);
	return cursor_spelling(decl);
}

/*
 * The USR of the struct member a MemberRef (a designator of offsetof) or a
 * MemberRefExpr (s->f) names.  USRs name a member the same way in every
 * translation unit that includes its struct, so a read elsewhere joins the
 * Property that stores it.  NULL when it names no field.
 */
static char *member_usr(CXCursor ref)
{
	CXCursor decl = clang_getCursorReferenced(ref);
	if (clang_Cursor_isNull(decl) || clang_getCursorKind(decl) != CXCursor_FieldDecl)
		return NULL;
	char *usr = cx_take(clang_getCursorUSR(decl));
	if (usr && !*usr) {
		free(usr);
		return NULL;
	}
	return usr;
}

static enum CXChildVisitResult last_member_visit(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	if (clang_getCursorKind(c) == CXCursor_MemberRef)
		*(CXCursor *)data = c;
	return CXChildVisit_Recurse;
}

/*
 * The member a Property's .offset names: the last designator of
 * offsetof(S, conf.queue_size), queue_size of conf's struct, which is what a
 * read "s->conf.queue_size" refers to.
 */
static char *offsetof_usr(CXCursor offset)
{
	CXCursor last = clang_getNullCursor();
	clang_visitChildren(offset, last_member_visit, &last);
	return clang_Cursor_isNull(last) ? NULL : member_usr(last);
}

/* Where the member the last designator of offsetof(S, a.b) names is declared; NULL, 0 if none. */
static void member_place(CXCursor offset, char **file, int *line)
{
	CXCursor last = clang_getNullCursor();
	*file = NULL;
	*line = 0;
	clang_visitChildren(offset, last_member_visit, &last);
	if (clang_Cursor_isNull(last))
		return;
	CXCursor decl = clang_getCursorReferenced(last);
	if (!clang_Cursor_isNull(decl) && clang_getCursorKind(decl) == CXCursor_FieldDecl)
		spelling_place(decl, file, line);
}

/*
 * libclang's spelling of a StringLiteral is the whole (concatenated) literal
 * printed back as C source: quotes and escapes.  Undo that.
 */
static char *unescape_literal(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return NULL;
	mc_buf b = {0};
	mc_buf_put(&b, "", 0);
	for (size_t i = 1; i + 1 < n; i++) {
		char c = s[i];
		if (c != '\\' || i + 2 >= n) {
			mc_buf_put(&b, &c, 1);
			continue;
		}
		char e = s[++i];
		char out;
		switch (e) {
		case 'n': out = '\n'; break;
		case 't': out = '\t'; break;
		case 'r': out = '\r'; break;
		case 'a': out = '\a'; break;
		case 'b': out = '\b'; break;
		case 'f': out = '\f'; break;
		case 'v': out = '\v'; break;
		case 'x': {
			unsigned v = 0;
			while (i + 2 < n && isxdigit((unsigned char)s[i + 1]))
				v = v * 16 + (unsigned)(isdigit((unsigned char)s[i + 1]) ? s[i + 1] - '0'
							   : (tolower((unsigned char)s[i + 1]) - 'a' + 10)), i++;
			out = (char)v;
			break;
		}
		default:
			if (e >= '0' && e <= '7') {
				unsigned v = (unsigned)(e - '0');
				for (int k = 0; k < 2 && i + 2 < n && s[i + 1] >= '0' && s[i + 1] <= '7'; k++)
					v = v * 8 + (unsigned)(s[++i] - '0');
				out = (char)v;
			} else {
				out = e;
			}
		}
		mc_buf_put(&b, &out, 1);
	}
	return mc_buf_detach(&b);
}

/* Evaluates c as a string constant: a literal, through parens and implicit casts. */
static char *eval_string(CXCursor c)
{
	for (;;) {
		enum CXCursorKind k = clang_getCursorKind(c);
		if (k == CXCursor_StringLiteral) {
			char *sp = cursor_spelling(c);
			char *s = unescape_literal(sp);
			free(sp);
			return mc_utf8_repair(s); /* "\xff" gives any byte; facts are UTF-8 */
		}
		if (k != CXCursor_ParenExpr && k != CXCursor_UnexposedExpr && k != CXCursor_CStyleCastExpr)
			return NULL;
		cursor_list kids = children_of(c);
		int found = 0;
		for (size_t i = 0; i < kids.n; i++) {
			enum CXCursorKind kk = clang_getCursorKind(kids.v[i]);
			if (kk == CXCursor_TypeRef)
				continue;
			c = kids.v[i];
			found = 1;
			break;
		}
		free(kids.v);
		if (!found)
			return NULL;
	}
}

/* Evaluates c as an integer constant; 1 on success. */
static int eval_int(CXCursor c, int64_t *value, int *is_unsigned)
{
	CXEvalResult r = clang_Cursor_Evaluate(c);
	if (!r)
		return 0;
	int ok = clang_EvalResult_getKind(r) == CXEval_Int;
	if (ok) {
		*is_unsigned = clang_EvalResult_isUnsignedInt(r);
		*value = *is_unsigned ? (int64_t)clang_EvalResult_getAsUnsigned(r)
				      : (int64_t)clang_EvalResult_getAsLongLong(r);
	}
	clang_EvalResult_dispose(r);
	return ok;
}

/* The source text of a cursor's extent, for messages ("VIRTIO_BLK_AUTO_NUM_QUEUES"). */
static char *extent_text(CXTranslationUnit tu, CXCursor c)
{
	CXToken *tokens = NULL;
	unsigned n = 0;
	clang_tokenize(tu, clang_getCursorExtent(c), &tokens, &n);
	mc_buf b = {0};
	for (unsigned i = 0; i < n && b.len < 200; i++) {
		char *t = cx_take(clang_getTokenSpelling(tu, tokens[i]));
		if (b.len && strcmp(t, ")") && strcmp(t, ",") && b.ptr[b.len - 1] != '(')
			mc_buf_puts(&b, " ");
		mc_buf_puts(&b, t);
		free(t);
	}
	if (tokens)
		clang_disposeTokens(tu, tokens, n);
	return mc_buf_detach(&b);
}

/*
 * A designated initializer child: fills the dotted field path ("defval.u")
 * and the value cursor.  Returns 0 for a positional child.
 */
static int designator_of(CXCursor c, char **path, CXCursor *value)
{
	cursor_list kids = children_of(c);
	size_t i = 0;
	mc_buf b = {0};
	while (i < kids.n && clang_getCursorKind(kids.v[i]) == CXCursor_MemberRef) {
		char *name = cursor_spelling(kids.v[i]);
		if (b.len)
			mc_buf_puts(&b, ".");
		mc_buf_puts(&b, name);
		free(name);
		i++;
	}
	int designated = i > 0 && i < kids.n;
	if (designated) {
		*value = kids.v[kids.n - 1];
		*path = mc_buf_detach(&b);
	} else {
		mc_buf_free(&b);
	}
	free(kids.v);
	return designated;
}

/* ---- extraction context ---- */

typedef struct {
	CXTranslationUnit tu;
	mc_tree *tree;
	mc_facts *facts;
	const mc_conv *conv;
	CXFile main_file;
	const mc_tu_input *in;
	char **cond_by_line;   /* the #if a line of the main file sits under, built on first use */
	size_t nlines;
	struct code_state *code; /* properties added by code, resolved at the end of the unit */
} extract_ctx;

/*
 * Indexes the preprocessor conditions of the main file by line: a property
 * written under "#ifdef __linux__" exists only in some builds, which matters
 * for compat entries that name it.
 */
static void index_conditions(extract_ctx *x)
{
	const mc_tu_file *main = &x->in->files[0];
	const char *p = main->contents, *end = p + main->length;
	size_t cap = 1;
	for (const char *q = p; q < end; q++)
		cap += *q == '\n';
	x->cond_by_line = mc_calloc(cap + 1, sizeof(char *));
	char *stack[64];
	int depth = 0;
	size_t line = 0;
	while (p < end && line < cap) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		line++;
		const char *t = p;
		while (t < eol && (*t == ' ' || *t == '\t'))
			t++;
		if (t < eol && *t == '#') {
			t++;
			while (t < eol && (*t == ' ' || *t == '\t'))
				t++;
			size_t len = (size_t)(eol - t);
			if (len >= 2 && strncmp(t, "if", 2) == 0) {
				if (depth < 64)
					stack[depth] = mc_strndup(t, len);
				depth++;
			} else if ((len >= 4 && strncmp(t, "elif", 4) == 0) || (len >= 4 && strncmp(t, "else", 4) == 0)) {
				if (depth > 0 && depth <= 64) {
					char *alt = mc_sprintf("%s (%.*s)", stack[depth - 1], (int)len, t);
					free(stack[depth - 1]);
					stack[depth - 1] = alt;
				}
			} else if (len >= 5 && strncmp(t, "endif", 5) == 0 && depth > 0) {
				depth--;
				if (depth < 64)
					free(stack[depth]);
			}
		}
		x->cond_by_line[line] = depth > 0 && depth <= 64 ? mc_strdup(stack[depth - 1]) : NULL;
		p = eol + 1;
	}
	for (int i = 0; i < depth && i < 64; i++)
		free(stack[i]);
	x->nlines = line;
}

static const char *condition_at(extract_ctx *x, int line)
{
	if (!x->cond_by_line)
		index_conditions(x);
	return line > 0 && (size_t)line <= x->nlines ? x->cond_by_line[line] : NULL;
}

/* Declared in the main file, directly or by a macro used there (OBJECT_DEFINE_TYPE). */
static int in_main_file(const extract_ctx *x, CXCursor c)
{
	CXFile f = NULL;
	clang_getExpansionLocation(clang_getCursorLocation(c), &f, NULL, NULL, NULL);
	/* Compared by name: every in-memory file has the same (empty) unique id. */
	if (!f || !x->main_file)
		return 0;
	if (f == x->main_file)
		return 1;
	char *a = cx_take(clang_getFileName(f)), *b = cx_take(clang_getFileName(x->main_file));
	int same = strcmp(a, b) == 0;
	free(a);
	free(b);
	return same;
}

static void set_enum_value(extract_ctx *x, mc_prop *p, CXCursor value, int64_t iv)
{
	enum CXCursorKind rk;
	char *constant = referenced_name(value, &rk);
	if (constant && rk == CXCursor_EnumConstantDecl) {
		const char *enum_name = NULL;
		const char *member = mc_qapi_member_of_constant(&x->tree->qapi, constant, &enum_name);
		if (member) {
			p->defval = mc_value_string(member);
			if (!p->enum_type && enum_name)
				p->enum_type = mc_strdup(enum_name);
		} else {
			p->defval = mc_value_symbolic(constant);
		}
		free(p->defval_text);
		p->defval_text = constant;
		return;
	}
	free(constant);
	/* A bare number for an enum property: the member at that index. */
	const mc_qapi_enum *e = p->enum_type ? mc_qapi_find_enum(&x->tree->qapi, p->enum_type) : NULL;
	if (e && iv >= 0 && (size_t)iv < e->nmembers)
		p->defval = mc_value_string(e->members[iv]);
	else
		p->defval = mc_value_int(iv, 0);
}

/*
 * A default written as a QAPI enum constant under a PropertyInfo not
 * recognised (vfio-pci's x-migration-multifd-transfer: a copy of
 * qdev_prop_on_off_auto made at run time, default ON_OFF_AUTO_AUTO) is that
 * enum's member, "auto", not the number 0.  Returns 0 when it is not one.
 */
static int qapi_enum_default(extract_ctx *x, mc_prop *p, CXCursor value)
{
	enum CXCursorKind rk;
	char *constant = p->kind == MC_KIND_UNKNOWN ? referenced_name(value, &rk) : NULL;
	const char *enum_name = NULL;
	const char *member = constant && rk == CXCursor_EnumConstantDecl
				     ? mc_qapi_member_of_constant(&x->tree->qapi, constant, &enum_name)
				     : NULL;
	if (!member || !enum_name) {
		free(constant);
		return 0;
	}
	p->kind = MC_KIND_ENUM;
	free(p->enum_type);
	p->enum_type = mc_strdup(enum_name);
	p->defval = mc_value_string(member);
	free(p->defval_text);
	p->defval_text = constant;
	return 1;
}

static void set_default(extract_ctx *x, mc_prop *p, CXCursor value)
{
	int64_t iv;
	int is_unsigned = 0;
	if (!eval_int(value, &iv, &is_unsigned)) {
		char *s = eval_string(value);
		if (s) {
			p->defval = mc_value_string(s);
			free(s);
			return;
		}
		/* Keep what can be named: an enum constant or the identifier used. */
		enum CXCursorKind rk;
		char *name = referenced_name(value, &rk);
		p->defval_text = name ? name : extent_text(x->tu, value);
		p->defval = mc_value_symbolic(p->defval_text);
		return;
	}
	switch (p->kind) {
	case MC_KIND_BOOL:
		p->defval = mc_value_bool(iv != 0);
		break;
	case MC_KIND_ENUM:
		set_enum_value(x, p, value, iv);
		break;
	case MC_KIND_UINT:
	case MC_KIND_SIZE:
		p->defval = mc_value_int(iv, 1);
		break;
	default:
		if (!qapi_enum_default(x, p, value))
			p->defval = mc_value_int(iv, is_unsigned);
		break;
	}
}

/*
 * A PropertyInfo the tree defines itself with an enum table (vfio-pci's
 * x-migration-multifd-transfer: .enum_table = &OnOffAuto_lookup) makes an
 * enum property of that QAPI type.  Returns the type's name, or NULL.
 */
static char *custom_info_enum(CXCursor info_value)
{
	CXCursor ref;
	if (clang_Cursor_isNull(info_value) || !find_kind(info_value, CXCursor_DeclRefExpr, &ref))
		return NULL;
	CXCursor var = clang_getCursorReferenced(ref);
	if (clang_Cursor_isNull(var) || clang_getCursorKind(var) != CXCursor_VarDecl)
		return NULL;
	CXCursor init = clang_Cursor_getVarDeclInitializer(var);
	if (clang_Cursor_isNull(init) || clang_getCursorKind(init) != CXCursor_InitListExpr)
		return NULL;
	cursor_list fields = children_of(init);
	char *type = NULL;
	for (size_t i = 0; i < fields.n && !type; i++) {
		char *path = NULL;
		CXCursor value;
		if (!designator_of(fields.v[i], &path, &value))
			continue;
		if (strcmp(path, "enum_table") == 0) {
			char *table = referenced_name(value, NULL);
			size_t n = table ? strlen(table) : 0;
			if (n > 7 && strcmp(table + n - 7, "_lookup") == 0)
				type = mc_strndup(table, n - 7);
			free(table);
		}
		free(path);
	}
	free(fields.v);
	return type;
}

static void apply_kind(extract_ctx *x, mc_prop *p, CXCursor info_value)
{
	const mc_conv_kind *k = mc_conv_kind_of(x->conv, p->info);
	if (k) {
		p->kind = k->kind;
		if (k->enum_type && !p->enum_type)
			p->enum_type = mc_strdup(k->enum_type);
		return;
	}
	char *type = custom_info_enum(info_value);
	if (type) {
		p->kind = MC_KIND_ENUM;
		free(p->enum_type);
		p->enum_type = type;
	}
}

/* A Property with set_default and no value: its PropertyInfo's set_default_value decides (conv info-default). */
static void set_info_default(extract_ctx *x, mc_prop *p)
{
	const char *value = mc_conv_info_default_of(x->conv, p->info);
	p->defval = value ? mc_value_string(value) : mc_value_symbolic("(set by its PropertyInfo)");
}

/* One Property element; returns 0 when it is a terminator or has no name. */
static int extract_prop(extract_ctx *x, CXCursor elem, mc_prop *p, int *understood)
{
	cursor_list fields = children_of(elem);
	CXCursor defval = clang_getNullCursor(), info = clang_getNullCursor();
	int has_defval = 0, explicit_default = -1;
	*understood = 1;
	for (size_t i = 0; i < fields.n; i++) {
		char *path = NULL;
		CXCursor value;
		if (!designator_of(fields.v[i], &path, &value))
			continue;
		if (strcmp(path, "name") == 0) {
			p->name = eval_string(value);
			/* {.name = NULL} is a terminator written out (DEFINE_PROP_END_OF_LIST). */
			CXCursor literal = strip_casts(value);
			int64_t v;
			int u;
			if (!p->name && !(clang_getCursorKind(literal) == CXCursor_IntegerLiteral &&
					  eval_int(literal, &v, &u) && v == 0))
				*understood = 0;
		} else if (strcmp(path, "info") == 0) {
			p->info = referenced_name(value, NULL);
			info = value;
		} else if (strcmp(path, "set_default") == 0 || strcmp(path, "qtype") == 0) {
			int64_t v;
			int u;
			if (eval_int(value, &v, &u))
				explicit_default = v != 0;
		} else if (strncmp(path, "defval", 6) == 0) {
			defval = value;
			has_defval = 1;
		} else if (strcmp(path, "offset") == 0) {
			p->field = offsetof_usr(value);
		}
		free(path);
	}
	free(fields.v);
	if (!p->name)
		return 0;
	p->line = expansion_line(elem);
	const char *cond = condition_at(x, p->line);
	p->condition = cond ? mc_strdup(cond) : NULL;
	apply_kind(x, p, info);
	/* Before 2.10 a default existed when qtype was set; since, when set_default is. */
	p->has_default = explicit_default == 1 || (explicit_default == -1 && has_defval);
	if (p->has_default && has_defval)
		set_default(x, p, defval);
	else if (p->has_default)
		set_info_default(x, p);
	return 1;
}

static void extract_prop_array(extract_ctx *x, CXCursor var, int is_static)
{
	mc_facts *f = x->facts;
	mc_prop_array *a = MC_VEC_PUSH(f->arrays, f->narrays, f->cap_arrays);
	a->name = cursor_spelling(var);
	a->is_static = is_static;
	a->line = expansion_line(var);
	a->complete = 1;
	CXCursor init = clang_Cursor_getVarDeclInitializer(var);
	if (clang_Cursor_isNull(init) || clang_getCursorKind(init) != CXCursor_InitListExpr) {
		a->complete = 0;
		a->why_incomplete = mc_sprintf("initializer lost to a parse error%s%s",
					       f->error ? ": " : "", f->error ? f->error : "");
		return;
	}
	cursor_list elems = children_of(init);
	for (size_t i = 0; i < elems.n; i++) {
		if (clang_getCursorKind(elems.v[i]) != CXCursor_InitListExpr) {
			a->complete = 0;
			continue;
		}
		mc_prop p = {0};
		int understood;
		if (extract_prop(x, elems.v[i], &p, &understood)) {
			mc_prop *slot = MC_VEC_PUSH(a->props, a->nprops, a->cap);
			*slot = p;
		} else {
			if (!understood && !a->why_incomplete) {
				a->complete = 0;
				a->why_incomplete = mc_sprintf("line %d: a property name is not a constant string",
							       expansion_line(elems.v[i]));
			}
			free(p.info);
			free(p.enum_type);
		}
	}
	free(elems.v);
}

/*
 * TypeInfo records, and the conventions' multi-type-record (QEMU's
 * VirtioPCIDeviceTypeInfo): that one names its base type in its base field
 * (slot 0) and the types it generates in its name fields (slots 4-6).
 */
static void extract_typeinfo_record(extract_ctx *x, CXCursor rec, int virtio_pci)
{
	_Static_assert(MC_CONV_RECORD_NAMES == 3, "mc_virtio_pci_info keeps three generated names");
	const mc_conv_record *r = &x->conv->record;
	cursor_list fields = children_of(rec);
	char *vals[7] = {0};
	int abstract = 0;
	const char *names[7] = { "name", "parent", "class_init", "instance_init", NULL, NULL, NULL };
	if (virtio_pci) {
		names[0] = r->base_field;
		for (int k = 0; k < MC_CONV_RECORD_NAMES; k++)
			names[4 + k] = r->name_fields[k];
	}
	for (size_t i = 0; i < fields.n; i++) {
		char *path = NULL;
		CXCursor value;
		if (!designator_of(fields.v[i], &path, &value))
			continue;
		for (int k = 0; k < 7; k++) {
			if (!names[k] || strcmp(path, names[k]) != 0 || vals[k])
				continue;
			vals[k] = (k == 2 || k == 3) ? referenced_name(value, NULL) : eval_string(value);
		}
		if (strcmp(path, "abstract") == 0) {
			int64_t v = 0;
			int u;
			abstract = eval_int(value, &v, &u) && v;
		}
		free(path);
	}
	free(fields.v);
	mc_facts *f = x->facts;
	int line = expansion_line(rec);
	if (virtio_pci) {
		mc_virtio_pci_info *v = MC_VEC_PUSH(f->vpci, f->nvpci, f->cap_vpci);
		v->base_name = vals[0];
		v->parent = vals[1];
		v->class_init = vals[2];
		v->instance_init = vals[3];
		v->generic_name = vals[4];
		v->transitional_name = vals[5];
		v->non_transitional_name = vals[6];
		v->line = line;
		return;
	}
	for (int k = 4; k < 7; k++)
		free(vals[k]);
	if (!vals[0]) {
		for (int k = 1; k < 4; k++)
			free(vals[k]);
		return;
	}
	mc_typeinfo *t = MC_VEC_PUSH(f->types, f->ntypes, f->cap_types);
	t->name = vals[0];
	t->parent = vals[1];
	t->class_init = vals[2];
	t->instance_init = vals[3];
	t->abstract = abstract;
	t->line = line;
	const char *cond = condition_at(x, line);
	t->condition = cond ? mc_strdup(cond) : NULL;
}

static void extract_typeinfos(extract_ctx *x, CXCursor var, int is_array, int virtio_pci)
{
	CXCursor init = clang_Cursor_getVarDeclInitializer(var);
	if (clang_Cursor_isNull(init) || clang_getCursorKind(init) != CXCursor_InitListExpr)
		return;
	if (!is_array) {
		extract_typeinfo_record(x, init, virtio_pci);
		return;
	}
	cursor_list recs = children_of(init);
	for (size_t i = 0; i < recs.n; i++)
		if (clang_getCursorKind(recs.v[i]) == CXCursor_InitListExpr)
			extract_typeinfo_record(x, recs.v[i], virtio_pci);
	free(recs.v);
}

/*
 * One GlobalProperty: { driver, property, value, used, optional }, each
 * member named (.optional = true) or by position ({ "t", "p", "v", false,
 * true } is optional too); a positional member follows the one before it, as
 * in C, designated or not.
 */
static void extract_compat_entry(extract_ctx *x, CXCursor rec, mc_compat_array *arr)
{
	cursor_list fields = children_of(rec);
	char *vals[3] = {0};
	int optional = 0;
	static const char *const names[] = { "driver", "property", "value", "used", "optional" };
	enum { USED = 3, OPTIONAL = 4, MEMBERS = 5 };
	size_t next = 0;  /* the member a positional initializer sets */
	for (size_t i = 0; i < fields.n; i++) {
		char *path = NULL;
		CXCursor value = fields.v[i];
		size_t member = next;
		if (designator_of(fields.v[i], &path, &value)) {
			member = MEMBERS;
			for (size_t k = 0; k < MEMBERS; k++)
				if (strcmp(path, names[k]) == 0)
					member = k;
			free(path);
		}
		if (member < USED && !vals[member]) {
			vals[member] = eval_string(value);
		} else if (member == OPTIONAL) {
			int64_t v = 0;
			int u;
			optional = eval_int(value, &v, &u) && v;
		}
		next = member + 1;
	}
	free(fields.v);
	if (!vals[0] && !vals[1] && !vals[2])
		return; /* the {} terminator */
	mc_compat_entry *e = MC_VEC_PUSH(arr->entries, arr->nentries, arr->cap);
	e->driver = vals[0] ? vals[0] : mc_strdup("");
	e->property = vals[1] ? vals[1] : mc_strdup("");
	e->value = vals[2] ? vals[2] : mc_strdup("");
	e->optional = optional;
	spelling_place(rec, &e->file, &e->line);
	if (!e->file)
		e->file = mc_strdup(x->facts->path);
}

static void extract_compat_list(extract_ctx *x, CXCursor init, char *name, const char *function, int line)
{
	mc_facts *f = x->facts;
	mc_compat_array *a = MC_VEC_PUSH(f->compat, f->ncompat, f->cap_compat);
	a->name = name;
	a->function = function ? mc_strdup(function) : NULL;
	a->line = line;
	if (clang_Cursor_isNull(init) || clang_getCursorKind(init) != CXCursor_InitListExpr)
		return;
	cursor_list recs = children_of(init);
	for (size_t i = 0; i < recs.n; i++)
		if (clang_getCursorKind(recs.v[i]) == CXCursor_InitListExpr)
			extract_compat_entry(x, recs.v[i], a);
	free(recs.v);
}

static void extract_compat_array(extract_ctx *x, CXCursor var, const char *function)
{
	extract_compat_list(x, clang_Cursor_getVarDeclInitializer(var), cursor_spelling(var), function,
			    expansion_line(var));
}

/*
 * Before QEMU 2.4 a machine was a QEMUMachine record whose .compat_props was a
 * compound literal: the list is named after the machine (.name = "pc-1.1").
 */
static void extract_machine_record(extract_ctx *x, CXCursor var)
{
	CXCursor init = clang_Cursor_getVarDeclInitializer(var);
	if (clang_Cursor_isNull(init) || clang_getCursorKind(init) != CXCursor_InitListExpr)
		return;
	cursor_list fields = children_of(init);
	char *name = NULL;
	CXCursor list = clang_getNullCursor();
	int have_list = 0;
	for (size_t i = 0; i < fields.n; i++) {
		char *path = NULL;
		CXCursor value;
		if (!designator_of(fields.v[i], &path, &value))
			continue;
		if (strcmp(path, "name") == 0 && !name)
			name = eval_string(value);
		else if (strcmp(path, "compat_props") == 0) {
			CXCursor lit;
			if (find_kind(value, CXCursor_CompoundLiteralExpr, &lit) &&
			    find_kind(lit, CXCursor_InitListExpr, &list))
				have_list = 1;
		}
		free(path);
	}
	free(fields.v);
	if (name && have_list)
		extract_compat_list(x, list, name, NULL, expansion_line(var));
	else
		free(name);
}

/* ---- VMState ---- */

/*
 * A VMStateDescription is read as clang expands it: .fields is a compound
 * literal (or a named array) of VMStateField initializers, each what a
 * VMSTATE_* macro wrote, designated (.name = "x", .size = sizeof(T), ...), so
 * no macro of QEMU's is known here.  Values come from clang_Cursor_Evaluate
 * under the x86_64 host flags every file is parsed with.
 */

/* The InitListExpr of a list given as a compound literal, a named array or a list. */
static int list_of(CXCursor value, CXCursor *list)
{
	CXCursor v = strip_casts(value);
	if (clang_getCursorKind(v) == CXCursor_DeclRefExpr) {
		CXCursor decl = clang_getCursorReferenced(v);
		if (clang_getCursorKind(decl) != CXCursor_VarDecl)
			return 0;
		v = clang_Cursor_getVarDeclInitializer(decl);
		if (clang_Cursor_isNull(v))
			return 0;
	}
	return find_kind(v, CXCursor_InitListExpr, list);
}

/* The variable "&vmstate_x" names; NULL for NULL or anything else. */
static char *address_of_var(CXCursor value)
{
	CXCursor ref;
	if (!find_kind(value, CXCursor_DeclRefExpr, &ref))
		return NULL;
	CXCursor decl = clang_getCursorReferenced(ref);
	return clang_getCursorKind(decl) == CXCursor_VarDecl ? cursor_spelling(decl) : NULL;
}

/* Appends the name of each enum constant below c to the mc_buf data, '|' between them. */
static enum CXChildVisitResult flag_visit(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	mc_buf *b = data;
	CXCursor decl = clang_getCursorReferenced(c);
	if (clang_getCursorKind(c) != CXCursor_DeclRefExpr || clang_getCursorKind(decl) != CXCursor_EnumConstantDecl)
		return CXChildVisit_Recurse;
	char *name = cursor_spelling(decl);
	mc_buf_printf(b, "%s%s", b->len ? "|" : "", name);
	free(name);
	return CXChildVisit_Continue;
}

/* "VMS_ARRAY|VMS_POINTER": by name, as the values of the flags change between QEMU versions. */
static char *flag_names_of(CXCursor value)
{
	mc_buf b = {0};
	CXCursor v = strip_casts(value);
	if (clang_getCursorKind(v) == CXCursor_DeclRefExpr)
		flag_visit(v, v, &b);
	else
		clang_visitChildren(v, flag_visit, &b);
	return b.len ? mc_buf_detach(&b) : NULL;
}

/* Calls fn(ctx, ".path", value) for each designated initializer of the list init. */
static void each_designated(CXCursor init, void (*fn)(void *ctx, const char *path, CXCursor value), void *ctx)
{
	cursor_list kids = children_of(init);
	for (size_t i = 0; i < kids.n; i++) {
		char *path = NULL;
		CXCursor value;
		if (designator_of(kids.v[i], &path, &value))
			fn(ctx, path, value);
		free(path);
	}
	free(kids.v);
}

typedef struct {
	mc_vms_field *fd;
	int size_unknown;      /* .size is given and is not a constant */
} vms_field_ctx;

static void vms_field_member(void *ctx, const char *path, CXCursor value)
{
	vms_field_ctx *c = ctx;
	mc_vms_field *fd = c->fd;
	int64_t v;
	int u;
	if (strcmp(path, "name") == 0) {
		fd->name = eval_string(value);
	} else if (strcmp(path, "version_id") == 0) {
		if (eval_int(value, &v, &u))
			fd->version = (int)v;
	} else if (strcmp(path, "field_exists") == 0) {
		enum CXCursorKind rk;
		char *fn = referenced_name(value, &rk);
		if (fn && rk == CXCursor_FunctionDecl)
			fd->test = fn;
		else
			free(fn);
	} else if (strcmp(path, "num") == 0) {
		if (eval_int(value, &v, &u))
			fd->num = (int)v;
	} else if (strcmp(path, "num_offset") == 0) {
		CXCursor m;
		if (find_kind(value, CXCursor_MemberRef, &m))
			fd->count = cursor_spelling(m);
	} else if (strcmp(path, "size") == 0) {
		c->size_unknown = !eval_int(value, &v, &u);
		fd->size = c->size_unknown ? -1 : (int)v;
	} else if (strcmp(path, "flags") == 0) {
		fd->flags = flag_names_of(value);
	} else if (strcmp(path, "info") == 0) {
		fd->info = address_of_var(value);
	} else if (strcmp(path, "vmsd") == 0) {
		fd->vmsd = address_of_var(value);
	} else if (strcmp(path, "offset") == 0) {
		member_place(value, &fd->member_file, &fd->member_line);
	}
}

/* One VMStateField element; 0 for the terminator (no name) and what is not understood (*understood 0). */
static int extract_vms_field(CXCursor elem, mc_vms_field *fd, int *understood)
{
	vms_field_ctx c = { fd, 0 };
	each_designated(elem, vms_field_member, &c);
	fd->line = expansion_line(elem);
	*understood = !c.size_unknown;
	return fd->name != NULL;
}

static void vmsd_incomplete(mc_vmsd *d, char *why)
{
	d->complete = 0;
	if (!d->why_incomplete)
		d->why_incomplete = why;
	else
		free(why);
}

static void extract_vms_fields(mc_vmsd *d, CXCursor value)
{
	CXCursor list;
	d->has_fields = 1;
	if (!list_of(value, &list)) {
		vmsd_incomplete(d, mc_strdup(".fields is not a list of VMStateField initializers"));
		return;
	}
	cursor_list elems = children_of(list);
	for (size_t i = 0; i < elems.n; i++) {
		if (clang_getCursorKind(elems.v[i]) != CXCursor_InitListExpr) {
			vmsd_incomplete(d, mc_sprintf("line %d: a field is not an initializer", expansion_line(elems.v[i])));
			continue;
		}
		mc_vms_field fd = {0};
		int understood;
		if (extract_vms_field(elems.v[i], &fd, &understood)) {
			if (!understood)
				vmsd_incomplete(d, mc_sprintf("line %d: the size of field %s is not a constant", fd.line,
							      fd.name));
			*MC_VEC_PUSH(d->fields, d->nfields, d->cap) = fd;
		} else {
			free(fd.test);
			free(fd.count);
			free(fd.flags);
			free(fd.info);
			free(fd.vmsd);
		}
	}
	free(elems.v);
}

static void extract_vms_subsections(mc_vmsd *d, CXCursor value)
{
	CXCursor list;
	if (!list_of(value, &list)) {
		vmsd_incomplete(d, mc_strdup(".subsections is not a list of descriptions"));
		return;
	}
	cursor_list elems = children_of(list);
	for (size_t i = 0; i < elems.n; i++) {
		char *var = address_of_var(elems.v[i]);
		if (var)
			mc_strvec_push_owned(&d->subsections, var);
	}
	free(elems.v);
}

/*
 * Is an initializer written ("= {")?  A tentative definition without one
 * (the stubs a build links instead of the real file:
 * const VMStateDescription vmstate_memory_hotplug;) describes nothing, while
 * one that parse errors took from the AST is a description not analysed.
 */
static int has_initializer(const extract_ctx *x, CXCursor var)
{
	/* Read in the text: clang's extent of a declaration whose initializer it dropped stops at the name. */
	unsigned offset = 0;
	clang_getExpansionLocation(clang_getCursorLocation(var), NULL, NULL, NULL, &offset);
	const mc_tu_file *main = &x->in->files[0];
	const char *p = main->contents + offset, *end = main->contents + main->length;
	char *name = cursor_spelling(var);
	size_t n = strlen(name);
	/* Not where the text says (a macro wrote the declaration): assume written, so that it is counted. */
	int elsewhere = offset >= main->length || (size_t)(end - p) < n || memcmp(p, name, n) != 0;
	free(name);
	if (elsewhere)
		return 1;
	p += n;
	while (p < end && isspace((unsigned char)*p))
		p++;
	return p < end && *p == '=';
}

static void vmsd_member(void *ctx, const char *path, CXCursor value)
{
	mc_vmsd *d = ctx;
	int64_t v;
	int u;
	if (strcmp(path, "name") == 0) {
		d->name = eval_string(value);
		if (!d->name)
			vmsd_incomplete(d, mc_strdup(".name is not a constant string"));
	} else if (strcmp(path, "version_id") == 0 || strcmp(path, "minimum_version_id") == 0) {
		if (eval_int(value, &v, &u))
			*(path[0] == 'v' ? &d->version : &d->min_version) = (int)v;
		else
			vmsd_incomplete(d, mc_sprintf(".%s is not a constant", path));
	} else if (strcmp(path, "needed") == 0) {
		d->needed = referenced_name(value, NULL);
	} else if (strcmp(path, "fields") == 0) {
		extract_vms_fields(d, value);
	} else if (strcmp(path, "subsections") == 0) {
		extract_vms_subsections(d, value);
	}
}

static void extract_vmsd(extract_ctx *x, CXCursor var)
{
	mc_facts *f = x->facts;
	CXCursor init = clang_Cursor_getVarDeclInitializer(var);
	if (clang_Cursor_isNull(init) && !has_initializer(x, var))
		return;
	mc_vmsd *d = MC_VEC_PUSH(f->vmsds, f->nvmsds, f->cap_vmsds);
	d->var = cursor_spelling(var);
	d->is_static = clang_Cursor_getStorageClass(var) == CX_SC_Static;
	d->line = expansion_line(var);
	d->complete = 1;
	if (clang_Cursor_isNull(init) || clang_getCursorKind(init) != CXCursor_InitListExpr) {
		vmsd_incomplete(d, mc_sprintf("initializer lost to a parse error%s%s", f->error ? ": " : "",
					      f->error ? f->error : ""));
		return;
	}
	each_designated(init, vmsd_member, d);
}

/*
 * Is t a pointer to a VMStateDescription?  Asked of every call argument and
 * member assignment of every function body, so it allocates nothing: the
 * common answer (an int, a pointer to something else) costs two type queries.
 */
static int is_vmsd_pointer(CXType t)
{
	if (t.kind != CXType_Pointer)
		return 0;
	CXType p = clang_getCanonicalType(clang_getPointeeType(t));
	if (p.kind != CXType_Record)
		return 0;
	CXString s = clang_getCursorSpelling(clang_getTypeDeclaration(p));
	const char *c = clang_getCString(s);
	int hit = c && strcmp(c, "VMStateDescription") == 0;
	clang_disposeString(s);
	return hit;
}

/*
 * "&vmstate_x" given away in a function: to a member (dc->vmsd = ...) or to
 * a call; value is an expression of a pointer to a description.
 */
static void add_vmsd_use(extract_ctx *x, const char *function, CXCursor value, char *via, CXCursor at)
{
	CXCursor v = strip_casts(value);
	CXCursor ref;
	CXCursor decl = clang_getNullCursor();
	if (clang_getCursorKind(v) == CXCursor_UnaryOperator && find_kind(v, CXCursor_DeclRefExpr, &ref))
		decl = clang_getCursorReferenced(ref);
	if (clang_getCursorKind(decl) != CXCursor_VarDecl) {
		free(via);
		return;
	}
	mc_vmsd_use *u = MC_VEC_PUSH(x->facts->vmsd_uses, x->facts->nvmsd_uses, x->facts->cap_vmsd_uses);
	u->function = mc_strdup(function);
	u->vmsd = cursor_spelling(decl);
	u->via = via;
	u->line = expansion_line(at);
}

static int extract_conv_table(extract_ctx *x, CXCursor var);

static void extract_var(extract_ctx *x, CXCursor var, const char *function)
{
	CXType t = clang_getCursorType(var);
	int is_array;
	if (!function && extract_conv_table(x, var))
		return;
	if (type_is_record(t, "Property", &is_array)) {
		if (is_array && !function)
			extract_prop_array(x, var, clang_Cursor_getStorageClass(var) == CX_SC_Static);
	} else if (type_is_record(t, "TypeInfo", &is_array)) {
		if (!function)
			extract_typeinfos(x, var, is_array, 0);
	} else if (x->conv->record.record && type_is_record(t, x->conv->record.record, &is_array)) {
		if (!function)
			extract_typeinfos(x, var, is_array, 1);
	} else if (type_is_record(t, "GlobalProperty", &is_array)) {
		if (is_array)
			extract_compat_array(x, var, function);
	} else if (!function && type_is_record(t, "QEMUMachine", &is_array) && !is_array) {
		extract_machine_record(x, var);
	} else if (!function && type_is_record(t, "VMStateDescription", &is_array) && !is_array) {
		extract_vmsd(x, var);
	}
}

/* ---- function bodies ---- */

/* A Property array variable, or a null cursor. */
static CXCursor property_array_decl(CXCursor expr)
{
	CXCursor ref;
	if (!find_kind(expr, CXCursor_DeclRefExpr, &ref))
		return clang_getNullCursor();
	CXCursor decl = clang_getCursorReferenced(ref);
	int is_array;
	if (clang_getCursorKind(decl) != CXCursor_VarDecl ||
	    !type_is_record(clang_getCursorType(decl), "Property", &is_array) || !is_array)
		return clang_getNullCursor();
	return decl;
}


/*
 * A TypeInfo built in a function body and registered from there, usually in
 * a loop over a static table of records whose fields give its name and
 * class_data:  TypeInfo ti = { .parent = TYPE_X, .class_init = x_class_init };
 * for (...) { ti.name = table[i].name; ti.class_data = &table[i]; ... }
 */
enum { LT_NAME, LT_PARENT, LT_CLASS_INIT, LT_INSTANCE_INIT, LT_ABSTRACT, LT_CLASS_DATA, LT_NFIELDS };
static const char *const local_typeinfo_fields[LT_NFIELDS] = { "name", "parent", "class_init", "instance_init",
							       "abstract", "class_data" };

typedef struct {
	CXCursor decl;
	CXCursor value[LT_NFIELDS];  /* the last value given to each field; null cursor if none */
	int line;
} local_typeinfo;

typedef struct {
	extract_ctx *x;
	CXCursor fn;
	char *function;
	mc_strvec embedded;      /* types given to alias-init calls */
	int has_marker;
	local_typeinfo *locals;  size_t nlocals, cap_locals;
	/* a helper defined in a header that a function of the file calls: only its
	 * properties added by code and its field assignments are read, and they
	 * are placed at this line of the file, the call's; 0 for the file's own */
	int helper_only;
} body_ctx;

/* Records value for field of the local TypeInfo ctx (an each_designated callback too). */
static void local_typeinfo_set(void *ctx, const char *field, CXCursor value)
{
	local_typeinfo *l = ctx;
	for (int k = 0; k < LT_NFIELDS; k++)
		if (strcmp(field, local_typeinfo_fields[k]) == 0)
			l->value[k] = value;
}

static void local_typeinfo_add(body_ctx *b, CXCursor var)
{
	local_typeinfo *l = MC_VEC_PUSH(b->locals, b->nlocals, b->cap_locals);
	l->decl = var;
	for (int k = 0; k < LT_NFIELDS; k++)
		l->value[k] = clang_getNullCursor();
	l->line = expansion_line(var);
	CXCursor init = clang_Cursor_getVarDeclInitializer(var);
	if (clang_Cursor_isNull(init) || clang_getCursorKind(init) != CXCursor_InitListExpr)
		return;
	each_designated(init, local_typeinfo_set, l);
}

/* "ti.name = ...": the local TypeInfo assigned, or NULL. */
static local_typeinfo *local_typeinfo_of(body_ctx *b, CXCursor member_expr)
{
	cursor_list kids = children_of(member_expr);
	CXCursor ref;
	int found = kids.n > 0 && find_kind(kids.v[0], CXCursor_DeclRefExpr, &ref);
	free(kids.v);
	if (!found)
		return NULL;
	CXCursor decl = clang_getCursorReferenced(ref);
	for (size_t i = 0; i < b->nlocals; i++)
		if (clang_equalCursors(b->locals[i].decl, decl))
			return &b->locals[i];
	return NULL;
}

struct field_names {
	mc_strvec names;
};

static enum CXVisitorResult field_visit(CXCursor c, CXClientData data)
{
	struct field_names *f = data;
	mc_strvec_push_owned(&f->names, cursor_spelling(c));
	return CXVisit_Continue;
}

static int record_has_field(CXType record, const char *field)
{
	struct field_names f = { {0} };
	clang_Type_visitFields(clang_getCanonicalType(record), field_visit, &f);
	int has = mc_strvec_contains(&f.names, field);
	mc_strvec_free(&f.names);
	return has;
}

/* A file-scope array of records with the given field. */
static int is_table(CXCursor decl, const char *field)
{
	if (clang_getCursorKind(decl) != CXCursor_VarDecl)
		return 0;
	CXCursor scope = clang_getCursorSemanticParent(decl);
	if (clang_getCursorKind(scope) != CXCursor_TranslationUnit)
		return 0;
	CXType t = clang_getCursorType(decl);
	if (t.kind != CXType_ConstantArray && t.kind != CXType_IncompleteArray)
		return 0;
	return record_has_field(clang_getArrayElementType(t), field);
}

struct table_find {
	const char *field;
	CXCursor found;
	int ok;
};

static enum CXChildVisitResult table_visit(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	struct table_find *t = data;
	if (clang_getCursorKind(c) == CXCursor_DeclRefExpr) {
		CXCursor decl = clang_getCursorReferenced(c);
		if (is_table(decl, t->field)) {
			t->found = decl;
			t->ok = 1;
			return CXChildVisit_Break;
		}
	}
	return CXChildVisit_Recurse;
}

static int find_table(CXCursor within, const char *field, CXCursor *table)
{
	struct table_find t = { field, clang_getNullCursor(), 0 };
	clang_visitChildren(within, table_visit, &t);
	*table = t.found;
	return t.ok;
}

/*
 * The table a "p->field" or "table[i].field" expression reads: written in
 * the expression, or in the initializer of the local pointer it goes
 * through ("const Info *p = &table[i]"), else the only kind of table the
 * function uses that has the field.
 */
static int table_of_member(CXCursor fn, CXCursor member, const char *field, CXCursor *table)
{
	if (find_table(member, field, table))
		return 1;
	CXCursor ref;
	if (find_kind(member, CXCursor_DeclRefExpr, &ref)) {
		CXCursor local = clang_getCursorReferenced(ref);
		CXCursor init = clang_getCursorKind(local) == CXCursor_VarDecl ? clang_Cursor_getVarDeclInitializer(local)
									      : clang_getNullCursor();
		if (!clang_Cursor_isNull(init) && find_table(init, field, table))
			return 1;
	}
	return find_table(fn, field, table);
}

/* The initializer of each field of one table element, designated or positional. */
static size_t element_fields(CXCursor elem, const mc_strvec *names, CXCursor *values)
{
	for (size_t k = 0; k < names->n; k++)
		values[k] = clang_getNullCursor();
	cursor_list kids = children_of(elem);
	size_t next = 0;
	for (size_t i = 0; i < kids.n; i++) {
		char *path = NULL;
		CXCursor value = kids.v[i];
		if (designator_of(kids.v[i], &path, &value)) {
			char *dot = strchr(path, '.');
			if (dot)
				*dot = '\0';
			next = names->n;
			for (size_t k = 0; k < names->n; k++)
				if (strcmp(names->v[k], path) == 0)
					next = k;
			free(path);
			if (dot)
				continue; /* a nested field: not a whole member of the record */
		}
		if (next < names->n)
			values[next++] = value;
	}
	free(kids.v);
	return names->n;
}

/* The field of the table element that a "p->field" expression would read, for one element. */
static CXCursor member_value(CXCursor expr, const mc_strvec *names, const CXCursor *values)
{
	CXCursor m = strip_casts(expr);
	if (clang_getCursorKind(m) != CXCursor_MemberRefExpr)
		return clang_getNullCursor();
	char *field = cursor_spelling(m);
	CXCursor v = clang_getNullCursor();
	for (size_t k = 0; k < names->n; k++)
		if (strcmp(names->v[k], field) == 0)
			v = values[k];
	free(field);
	return v;
}

static char *string_field(CXCursor expr, const mc_strvec *names, const CXCursor *values)
{
	if (clang_Cursor_isNull(expr))
		return NULL;
	char *s = eval_string(expr);
	if (s || !names)
		return s;
	CXCursor v = member_value(expr, names, values);
	return clang_Cursor_isNull(v) ? NULL : eval_string(v);
}

static mc_typeinfo *local_typeinfo_emit(extract_ctx *x, const local_typeinfo *l, char *name, int line,
					const mc_strvec *names, const CXCursor *values)
{
	mc_typeinfo *t = MC_VEC_PUSH(x->facts->types, x->facts->ntypes, x->facts->cap_types);
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->parent = string_field(l->value[LT_PARENT], names, values);
	if (!clang_Cursor_isNull(l->value[LT_CLASS_INIT]))
		t->class_init = referenced_name(l->value[LT_CLASS_INIT], NULL);
	if (!clang_Cursor_isNull(l->value[LT_INSTANCE_INIT]))
		t->instance_init = referenced_name(l->value[LT_INSTANCE_INIT], NULL);
	int64_t v = 0;
	int u;
	t->abstract = !clang_Cursor_isNull(l->value[LT_ABSTRACT]) && eval_int(l->value[LT_ABSTRACT], &v, &u) && v;
	t->line = line;
	const char *cond = condition_at(x, l->line);
	t->condition = cond ? mc_strdup(cond) : NULL;
	return t;
}

/* Emits the types a local TypeInfo registers: one, or one per element of its table. */
static void local_typeinfo_resolve(body_ctx *b, const local_typeinfo *l)
{
	extract_ctx *x = b->x;
	CXCursor name_expr = l->value[LT_NAME];
	if (clang_Cursor_isNull(name_expr))
		return;
	char *name = eval_string(name_expr);
	if (name) {
		local_typeinfo_emit(x, l, name, l->line, NULL, NULL);
		return;
	}
	CXCursor member = strip_casts(name_expr), table;
	if (clang_getCursorKind(member) != CXCursor_MemberRefExpr)
		return;
	char *field = cursor_spelling(member);
	int have_table = table_of_member(b->fn, member, field, &table);
	free(field);
	if (!have_table)
		return;
	CXCursor init = clang_Cursor_getVarDeclInitializer(table);
	if (clang_Cursor_isNull(init) || clang_getCursorKind(init) != CXCursor_InitListExpr)
		return;
	struct field_names fn = { {0} };
	clang_Type_visitFields(clang_getCanonicalType(clang_getArrayElementType(clang_getCursorType(table))),
			       field_visit, &fn);
	CXCursor *values = mc_calloc(fn.names.n + 1, sizeof(CXCursor));
	cursor_list elems = children_of(init);
	for (size_t i = 0; i < elems.n; i++) {
		if (clang_getCursorKind(elems.v[i]) != CXCursor_InitListExpr)
			continue;
		element_fields(elems.v[i], &fn.names, values);
		char *elem_name = string_field(name_expr, &fn.names, values);
		if (!elem_name)
			continue;
		mc_typeinfo *t = local_typeinfo_emit(x, l, elem_name, expansion_line(elems.v[i]), &fn.names, values);
		if (clang_Cursor_isNull(l->value[LT_CLASS_DATA]))
			continue;
		for (size_t k = 0; k < fn.names.n; k++) {
			if (clang_Cursor_isNull(values[k]))
				continue;
			CXCursor arr = property_array_decl(values[k]);
			if (clang_Cursor_isNull(arr))
				continue;
			char *arr_name = cursor_spelling(arr);
			mc_strvec_push_owned(&t->data_arrays, mc_sprintf("%s=%s", fn.names.v[k], arr_name));
			free(arr_name);
		}
	}
	free(elems.v);
	free(values);
	mc_strvec_free(&fn.names);
}

/* ---- types and properties registered from tables (conv table-type, table-property) ---- */

/*
 * QEMU registers its CPU models in loops over tables of definitions, through
 * helpers, often in another file (arm_cpu_register), that build each name
 * with g_strdup_printf; and it adds the x86 feature properties in a loop
 * over the names of a table.  The name formats, the parents, the version
 * lists and the owner of the properties are the conventions' (table-type,
 * table-type-versions, table-property): only the records are read here.  A
 * record whose name is not a constant string is listed in the facts'
 * unresolved list, never dropped silently.
 */

static void table_unresolved(extract_ctx *x, int line, const char *what, const char *why)
{
	mc_strvec_push_owned(&x->facts->unresolved, mc_sprintf("%d: %s: %s", line, what, why));
}

/* The field names of the record type of an array (or of an array type), in order. */
static mc_strvec record_fields(CXType array)
{
	struct field_names fn = { {0} };
	clang_Type_visitFields(clang_getCanonicalType(clang_getArrayElementType(array)), field_visit, &fn);
	return fn.names;
}

/* The records of an initializer list, positional or designated ("[FEAT_1_EDX] = { ... }"). */
static cursor_list list_records(CXCursor list)
{
	cursor_list out = {0}, kids = children_of(list);
	for (size_t i = 0; i < kids.n; i++) {
		CXCursor rec;
		if (find_kind(kids.v[i], CXCursor_InitListExpr, &rec)) {
			CXCursor *slot = MC_VEC_PUSH(out.v, out.n, out.cap);
			*slot = rec;
		}
	}
	free(kids.v);
	return out;
}

static CXCursor field_value(const mc_strvec *names, const CXCursor *values, const char *field)
{
	for (size_t k = 0; k < names->n; k++)
		if (strcmp(names->v[k], field) == 0)
			return values[k];
	return clang_getNullCursor();
}

/*
 * The value of an array element, under its designator if it has one
 * ("[16] = \"avx10-128\"": the index, then the value); implicit casts have
 * one child only.
 */
static CXCursor designated_value(CXCursor elem)
{
	if (clang_getCursorKind(elem) != CXCursor_UnexposedExpr)
		return elem;
	cursor_list kids = children_of(elem);
	CXCursor v = kids.n >= 2 ? kids.v[kids.n - 1] : elem;
	free(kids.v);
	return v;
}

/* NULL, 0 or ((void *)0): libclang does not evaluate a pointer cast. */
static int is_null_constant(CXCursor value)
{
	CXCursor literal = strip_casts(value);
	int64_t n;
	int u;
	return clang_getCursorKind(literal) == CXCursor_IntegerLiteral && eval_int(literal, &n, &u) && n == 0;
}

/* A record's name: 1 and *out; 0 for a terminator ({}, { NULL }); -1 when not a constant string. */
static int record_name(CXCursor value, char **out)
{
	*out = NULL;
	if (clang_Cursor_isNull(value))
		return 0;
	*out = eval_string(value);
	if (*out)
		return 1;
	return is_null_constant(value) ? 0 : -1;
}

/* The type one table-type line makes of a model name. */
static void table_type_add(extract_ctx *x, const mc_conv_table_type *tt, const char *model, int line)
{
	mc_typeinfo *t = MC_VEC_PUSH(x->facts->types, x->facts->ntypes, x->facts->cap_types);
	memset(t, 0, sizeof(*t));
	t->name = mc_conv_format_name(tt->format, model, 0);
	t->parent = mc_strdup(tt->parent);
	t->line = line;
	const char *cond = condition_at(x, line);
	t->condition = cond ? mc_strdup(cond) : NULL;
}

/* A version list: a compound literal, or a named array ("versions = foo_versions"); its initializer. */
static int version_list(CXCursor value, CXCursor *list)
{
	CXCursor lit, ref;
	if (find_kind(value, CXCursor_CompoundLiteralExpr, &lit))
		return find_kind(lit, CXCursor_InitListExpr, list);
	if (!find_kind(value, CXCursor_DeclRefExpr, &ref))
		return 0;
	CXCursor decl = clang_getCursorReferenced(ref);
	if (clang_getCursorKind(decl) != CXCursor_VarDecl)
		return 0;
	*list = clang_Cursor_getVarDeclInitializer(decl);
	return !clang_Cursor_isNull(*list) && clang_getCursorKind(*list) == CXCursor_InitListExpr;
}

/* One record of a version list: its versioned model and its alias; 0 at the end of the list. */
static int table_version_add(extract_ctx *x, const mc_conv_table_type *tt, const mc_conv_table_versions *tv,
			     const char *model, CXCursor rec, const mc_strvec *names, CXCursor *values)
{
	element_fields(rec, names, values);
	CXCursor vv = field_value(names, values, tv->version_field);
	int line = expansion_line(rec);
	int64_t version;
	int u;
	if (clang_Cursor_isNull(vv))
		return 0;
	if (!eval_int(vv, &version, &u) || version < 0 || version > 1000000) {
		table_unresolved(x, line, model, "a version is not a constant number");
		return 1;
	}
	if (version == 0)
		return 0;
	char *versioned = mc_conv_format_name(tv->format, model, (int)version), *alias = NULL;
	table_type_add(x, tt, versioned, line);
	CXCursor av = tv->alias_field ? field_value(names, values, tv->alias_field) : clang_getNullCursor();
	int st = record_name(av, &alias);
	if (st > 0)
		table_type_add(x, tt, alias, line);
	else if (st < 0)
		table_unresolved(x, line, versioned, "its alias is not a constant string");
	free(alias);
	free(versioned);
	return 1;
}

/* The versioned models of one record (list_value: its version list, or a null cursor). */
static void table_versions(extract_ctx *x, const mc_conv_table_type *tt, const mc_conv_table_versions *tv,
			   const char *model, CXCursor list_value, int line)
{
	if (clang_Cursor_isNull(list_value)) {
		if (tv->default_version > 0) {
			char *versioned = mc_conv_format_name(tv->format, model, tv->default_version);
			table_type_add(x, tt, versioned, line);
			free(versioned);
		}
		return;
	}
	CXCursor list;
	if (!version_list(list_value, &list)) {
		table_unresolved(x, line, model, "its version list is not a constant array");
		return;
	}
	mc_strvec names = record_fields(clang_getCursorType(list));
	CXCursor *values = mc_calloc(names.n + 1, sizeof(CXCursor));
	cursor_list recs = list_records(list);
	for (size_t i = 0; i < recs.n && table_version_add(x, tt, tv, model, recs.v[i], &names, values); i++)
		;
	free(recs.v);
	free(values);
	mc_strvec_free(&names);
}

/* The types one table-type line registers from a table: a model per record, and its versions. */
static void extract_table_types(extract_ctx *x, CXCursor var, const char *var_name, const mc_conv_table_type *tt)
{
	const mc_conv_table_versions *tv = mc_conv_table_versions_of(x->conv, tt->record);
	mc_strvec names = record_fields(clang_getCursorType(var));
	/* A tree older than the version lists registers the names alone. */
	if (tv && !mc_strvec_contains(&names, tv->list_field))
		tv = NULL;
	CXCursor init = clang_Cursor_getVarDeclInitializer(var);
	if (clang_Cursor_isNull(init) || clang_getCursorKind(init) != CXCursor_InitListExpr) {
		table_unresolved(x, expansion_line(var), var_name, "initializer lost to a parse error");
		mc_strvec_free(&names);
		return;
	}
	CXCursor *values = mc_calloc(names.n + 1, sizeof(CXCursor));
	cursor_list recs = list_records(init);
	for (size_t i = 0; i < recs.n; i++) {
		element_fields(recs.v[i], &names, values);
		int line = expansion_line(recs.v[i]);
		char *model;
		int st = record_name(field_value(&names, values, tt->name_field), &model);
		if (st < 0)
			table_unresolved(x, line, var_name, "a record's name is not a constant string");
		if (st <= 0)
			continue;
		table_type_add(x, tt, model, line);
		if (tv)
			table_versions(x, tt, tv, model, field_value(&names, values, tv->list_field), line);
		free(model);
	}
	free(recs.v);
	free(values);
	mc_strvec_free(&names);
}

/* A name of a table-property field: a property of the owner ("a|b" names two, as QEMU 2.x wrote aliases). */
static void table_prop_add(extract_ctx *x, mc_prop_array *a, const mc_conv_table_prop *tp, const char *names,
			   int line)
{
	char *copy = mc_strdup(names), *save = NULL;
	for (char *name = strtok_r(copy, "|", &save); name; name = strtok_r(NULL, "|", &save)) {
		int dup = 0;
		for (size_t i = 0; i < a->nprops && !dup; i++)
			dup = strcmp(a->props[i].name, name) == 0;
		if (dup)
			continue;
		mc_prop *p = MC_VEC_PUSH(a->props, a->nprops, a->cap);
		memset(p, 0, sizeof(*p));
		p->name = mc_strdup(name);
		p->kind = tp->kind;
		p->has_default = 1;
		p->defval = mc_value_symbolic(MC_FACTS_SET_BY_CODE);
		p->line = line;
		const char *cond = condition_at(x, line);
		p->condition = cond ? mc_strdup(cond) : NULL;
	}
	free(copy);
}

/* The names one record gives: a string, a list of strings (NULL for none), or a named list of them. */
static void table_prop_names(extract_ctx *x, mc_prop_array *a, const mc_conv_table_prop *tp, CXCursor value,
			     int depth)
{
	char *s = eval_string(value);
	CXCursor list = strip_casts(value), ref;
	if (s) {
		table_prop_add(x, a, tp, s, expansion_line(value));
	} else if (clang_getCursorKind(list) == CXCursor_InitListExpr) {
		cursor_list kids = children_of(list);
		for (size_t i = 0; i < kids.n; i++)
			table_prop_names(x, a, tp, designated_value(kids.v[i]), depth + 1);
		free(kids.v);
	} else if (depth == 0 && find_kind(value, CXCursor_DeclRefExpr, &ref) &&
		   clang_getCursorKind(clang_getCursorReferenced(ref)) == CXCursor_VarDecl) {
		CXCursor init = clang_Cursor_getVarDeclInitializer(clang_getCursorReferenced(ref));
		if (!clang_Cursor_isNull(init))
			table_prop_names(x, a, tp, init, depth + 1);
	} else if (!is_null_constant(value) && a->complete) {
		a->complete = 0;
		a->why_incomplete = mc_sprintf("line %d: a name is not a constant string", expansion_line(value));
	}
	free(s);
}

/* The properties one table-property line reads from a table: one array, given to the line's type. */
static void extract_table_props(extract_ctx *x, CXCursor var, const char *var_name, const mc_conv_table_prop *tp)
{
	mc_facts *f = x->facts;
	mc_prop_array *a = MC_VEC_PUSH(f->arrays, f->narrays, f->cap_arrays);
	memset(a, 0, sizeof(*a));
	a->name = mc_sprintf("%s[].%s", var_name, tp->field);
	a->is_static = clang_Cursor_getStorageClass(var) == CX_SC_Static;
	a->line = expansion_line(var);
	a->complete = 1;
	a->owner = mc_strdup(tp->type);
	CXCursor init = clang_Cursor_getVarDeclInitializer(var);
	if (clang_Cursor_isNull(init) || clang_getCursorKind(init) != CXCursor_InitListExpr) {
		a->complete = 0;
		a->why_incomplete = mc_strdup("initializer lost to a parse error");
		return;
	}
	mc_strvec names = record_fields(clang_getCursorType(var));
	CXCursor *values = mc_calloc(names.n + 1, sizeof(CXCursor));
	cursor_list recs = list_records(init);
	for (size_t i = 0; i < recs.n; i++) {
		element_fields(recs.v[i], &names, values);
		CXCursor v = field_value(&names, values, tp->field);
		if (!clang_Cursor_isNull(v))
			table_prop_names(x, a, tp, v, 0);
	}
	free(recs.v);
	free(values);
	mc_strvec_free(&names);
}

/*
 * A file-scope array (a definition) of a struct that table-type or
 * table-property lines name: the types and properties it registers.
 * Returns 0 when no line names its struct.
 */
static int extract_conv_table(extract_ctx *x, CXCursor var)
{
	CXType t = clang_getCursorType(var);
	if ((t.kind != CXType_ConstantArray && t.kind != CXType_IncompleteArray) || !clang_isCursorDefinition(var))
		return 0;
	char *spellings[2] = { type_base_name(clang_getArrayElementType(t)),
			       type_base_name(clang_getCanonicalType(clang_getArrayElementType(t))) };
	const char *record = NULL;
	for (int k = 0; k < 2 && !record; k++) {
		size_t i = 0, j = 0;
		if (mc_conv_table_type_of(x->conv, spellings[k], &i) || mc_conv_table_prop_of(x->conv, spellings[k], &j))
			record = spellings[k];
	}
	char *var_name = record ? cursor_spelling(var) : NULL;
	size_t i = 0;
	for (const mc_conv_table_type *tt; record && (tt = mc_conv_table_type_of(x->conv, record, &i)); i++)
		extract_table_types(x, var, var_name, tt);
	i = 0;
	for (const mc_conv_table_prop *tp; record && (tp = mc_conv_table_prop_of(x->conv, record, &i)); i++)
		extract_table_props(x, var, var_name, tp);
	free(var_name);
	free(spellings[0]);
	free(spellings[1]);
	return record != NULL;
}


/* ---- QOM properties added by code (conv qom-property-call) ---- */

static enum CXChildVisitResult body_visit(CXCursor c, CXCursor parent, CXClientData data);

/*
 * object_class_property_add_bool(oc, "x", get, set) in a class_init, or
 * object_property_add_uint8_ptr(obj, "y", &s->y, flags) in an instance_init
 * (or in a helper either calls), adds a property as a DEFINE_PROP does, with
 * no Property record.  Each call names the property (when the name is a
 * constant) and gives its kind; its default is the value the field behind it
 * holds once the instance_init has run: the constant the function that adds
 * it, or the instance_init of the type whose class_init adds it, assigns the
 * field, or zero when an instance_init of this file is seen assigning it
 * nothing (QOM zero-fills every instance).  The field is the one a *_ptr
 * argument points to, or the one the getter returns or hands to a
 * visit_type_* call; fields are told apart by their USR, so that
 * "pm->enable_tco" and "s->pm.enable_tco" are the same field.  What cannot
 * be valued keeps MC_FACTS_CODE_UNVALUED and says why (mc_prop unvalued).
 * Resolution waits for the end of the unit: the instance_init may follow the
 * class_init.  The properties of one function become one array,
 * MC_FACTS_CODE_ARRAY "FUNCTION", attached to that function.
 */
typedef struct {
	char *function;       /* owned: the function that adds it */
	mc_prop prop;         /* moved into the facts once resolved */
	int wants_default;    /* the conv line says where the value lives */
	char *field;          /* owned: USR of that field, or NULL */
	int class_field;      /* the field is a class's (set in class_init, never zero by instance) */
	const char *why;      /* static: why field is NULL */
} code_prop;

typedef struct {
	char *function;       /* owned */
	char *field;          /* owned USR */
	CXCursor value;
	int conditional;      /* not a statement of the function's body itself (under an if, in a loop) */
} field_assign;

struct code_state {
	code_prop *props;       size_t nprops, cap_props;
	field_assign *assigns;  size_t nassigns, cap_assigns;
	/* "function\ncallee": a function passing its Object * to a helper, kept as
	 * an attach (via_call) only when the function is an instance_init */
	mc_strvec object_calls;
	int *object_call_lines; size_t nlines, cap_lines;
	CXCursor *helpers;      size_t nhelpers, cap_helpers;  /* header helpers to read */
	int *helper_lines;      size_t nhelper_lines, cap_helper_lines; /* the line of the first call of each */
	mc_strvec helper_names;
};

/* USR of the field a member expression names ("c:@S@ICH9LPCPMRegs@FI@enable_tco"), or NULL. */
static char *member_field(CXCursor member, int *class_field)
{
	CXCursor field = clang_getCursorReferenced(member);
	if (clang_Cursor_isNull(field) || clang_getCursorKind(field) != CXCursor_FieldDecl)
		return NULL;
	if (class_field) {
		char *record = cursor_spelling(clang_getCursorSemanticParent(field));
		*class_field = mc_str_endswith(record, "Class");
		free(record);
	}
	char *usr = cx_take(clang_getCursorUSR(field));
	if (usr && !*usr) {
		free(usr);
		return NULL;
	}
	return usr;
}

/* &s->field (also through casts): the field's USR, or NULL. */
static char *address_of_field(CXCursor arg, int *class_field)
{
	CXCursor u = strip_casts(arg);
	if (clang_getCursorKind(u) != CXCursor_UnaryOperator)
		return NULL;
	cursor_list kids = children_of(u);
	CXCursor m = kids.n == 1 ? strip_casts(kids.v[0]) : clang_getNullCursor();
	free(kids.v);
	return clang_getCursorKind(m) == CXCursor_MemberRefExpr ? member_field(m, class_field) : NULL;
}

typedef struct {
	mc_strvec fields;     /* distinct USRs the getter reads as its value */
} getter_reads;

static void getter_read(getter_reads *g, char *usr)
{
	if (usr && !mc_strvec_contains(&g->fields, usr))
		mc_strvec_push(&g->fields, usr);
	free(usr);
}

/* return s->f; return g_strdup(s->f); visit_type_X(v, name, &s->f, errp). */
static enum CXChildVisitResult getter_visit(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	getter_reads *g = data;
	if (clang_getCursorKind(c) == CXCursor_ReturnStmt) {
		cursor_list kids = children_of(c);
		CXCursor e = kids.n == 1 ? strip_casts(kids.v[0]) : clang_getNullCursor();
		free(kids.v);
		if (clang_getCursorKind(e) == CXCursor_CallExpr && clang_Cursor_getNumArguments(e) == 1)
			e = strip_casts(clang_Cursor_getArgument(e, 0));
		if (clang_getCursorKind(e) == CXCursor_MemberRefExpr)
			getter_read(g, member_field(e, NULL));
	} else if (clang_getCursorKind(c) == CXCursor_CallExpr) {
		char *callee = cursor_spelling(c);
		if (mc_str_startswith(callee, "visit_type_"))
			for (int i = 0; i < clang_Cursor_getNumArguments(c); i++)
				getter_read(g, address_of_field(clang_Cursor_getArgument(c, (unsigned)i), NULL));
		free(callee);
	}
	return CXChildVisit_Recurse;
}

/* The field a getter argument reads; NULL and *why when there is not exactly one. */
static char *getter_field(CXCursor arg, const char **why)
{
	CXCursor ref = strip_casts(arg);
	CXCursor fn = clang_getCursorKind(ref) == CXCursor_DeclRefExpr ? clang_getCursorReferenced(ref)
									: clang_getNullCursor();
	if (clang_getCursorKind(fn) != CXCursor_FunctionDecl) {
		*why = clang_getCursorKind(fn) == CXCursor_ParmDecl ? "its getter is a parameter of the helper that adds it"
								    : "it has no getter function";
		return NULL;
	}
	CXCursor def = clang_getCursorDefinition(fn);
	if (clang_Cursor_isNull(def)) {
		*why = "its getter is defined in another file";
		return NULL;
	}
	getter_reads g = { {0} };
	clang_visitChildren(def, getter_visit, &g);
	char *usr = g.fields.n == 1 ? mc_strdup(g.fields.v[0]) : NULL;
	if (!usr)
		*why = g.fields.n ? "its getter reads several fields" : "its getter returns no struct field as it is";
	mc_strvec_free(&g.fields);
	return usr;
}

/* The kind a QOM type string gives ("bool", "uint32", "OnOffAuto", "link<pci-bus>"). */
static void kind_of_qom_type(extract_ctx *x, mc_prop *p, const char *type)
{
	static const char *const ints[] = { "int", "int8", "int16", "int32", "int64" };
	static const char *const uints[] = { "uint8", "uint16", "uint32", "uint64" };
	p->kind = MC_KIND_OTHER;
	if (!type)
		p->kind = MC_KIND_UNKNOWN;
	else if (strcmp(type, "bool") == 0)
		p->kind = MC_KIND_BOOL;
	else if (strcmp(type, "size") == 0)
		p->kind = MC_KIND_SIZE;
	else if (strcmp(type, "str") == 0 || strcmp(type, "string") == 0)
		p->kind = MC_KIND_STRING;
	else if (mc_qapi_find_enum(&x->tree->qapi, type)) {
		p->kind = MC_KIND_ENUM;
		p->enum_type = mc_strdup(type);
	}
	for (size_t i = 0; type && i < sizeof(ints) / sizeof(ints[0]); i++)
		if (strcmp(type, ints[i]) == 0)
			p->kind = MC_KIND_INT;
	for (size_t i = 0; type && i < sizeof(uints) / sizeof(uints[0]); i++)
		if (strcmp(type, uints[i]) == 0)
			p->kind = MC_KIND_UINT;
}

static struct code_state *code_state(extract_ctx *x)
{
	if (!x->code)
		x->code = mc_calloc(1, sizeof(*x->code));
	return x->code;
}

/* One qom-property-call call: a property of the function, its default resolved later. */
static void add_code_prop(body_ctx *b, CXCursor call, const mc_conv_qom_call *q)
{
	extract_ctx *x = b->x;
	int nargs = clang_Cursor_getNumArguments(call);
	int line = expansion_line(call);
	char *name = q->name_arg < nargs ? eval_string(clang_Cursor_getArgument(call, (unsigned)q->name_arg)) : NULL;
	if (!name) {
		if (!b->helper_only)
			mc_strvec_push_owned(&x->facts->unresolved,
					     mc_sprintf("%d: %s: a property added by %s whose name is not a constant "
							"string: not analysed", line, b->function, q->function));
		return;
	}
	struct code_state *cs = code_state(x);
	code_prop *cp = MC_VEC_PUSH(cs->props, cs->nprops, cs->cap_props);
	cp->function = mc_strdup(b->function);
	cp->prop.name = name;
	cp->prop.info = mc_strdup(q->function);
	cp->prop.line = b->helper_only ? b->helper_only : line;
	const char *cond = b->helper_only ? NULL : condition_at(x, line);
	cp->prop.condition = cond ? mc_strdup(cond) : NULL;
	char *kind_text = q->kind_from != MC_QOM_KIND_FIXED && q->kind_arg < nargs
				  ? eval_string(clang_Cursor_getArgument(call, (unsigned)q->kind_arg)) : NULL;
	if (q->kind_from == MC_QOM_KIND_FIXED)
		cp->prop.kind = q->kind;
	else if (q->kind_from == MC_QOM_KIND_TYPE)
		kind_of_qom_type(x, &cp->prop, kind_text);
	else {
		cp->prop.kind = MC_KIND_ENUM;
		cp->prop.enum_type = kind_text ? mc_strdup(kind_text) : NULL;
	}
	free(kind_text);
	/* A link, a child or an alias has no default to compare (as a qdev link). */
	cp->wants_default = q->field_from == MC_QOM_FIELD_ALIAS ||
			    (q->field_from != MC_QOM_FIELD_NONE && cp->prop.kind != MC_KIND_OTHER &&
			     cp->prop.kind != MC_KIND_UNKNOWN);
	if (!cp->wants_default)
		return;
	CXCursor arg = q->field_arg < nargs ? clang_Cursor_getArgument(call, (unsigned)q->field_arg)
					    : clang_getNullCursor();
	if (q->field_from == MC_QOM_FIELD_ALIAS) {
		cp->why = "it is an alias of another property, whose default is not followed";
	} else if (q->field_from == MC_QOM_FIELD_PTR) {
		cp->field = address_of_field(arg, &cp->class_field);
		cp->why = "its pointer is not to a struct field";
	} else {
		cp->field = getter_field(arg, &cp->why);
	}
}

/* s->field = value: kept for the defaults of the properties reading that field. */
static void add_field_assign(body_ctx *b, CXCursor op, CXCursor parent, CXCursor lhs, CXCursor value)
{
	/* A BinaryOperator is also ==, <, ...: the token after the left-hand side must be '='. */
	CXToken *tokens = NULL, *lhs_tokens = NULL;
	unsigned n = 0, nl = 0;
	clang_tokenize(b->x->tu, clang_getCursorExtent(op), &tokens, &n);
	clang_tokenize(b->x->tu, clang_getCursorExtent(lhs), &lhs_tokens, &nl);
	int assign = 0;
	if (nl < n) {
		char *t = cx_take(clang_getTokenSpelling(b->x->tu, tokens[nl]));
		assign = t && strcmp(t, "=") == 0;
		free(t);
	}
	clang_disposeTokens(b->x->tu, tokens, n);
	clang_disposeTokens(b->x->tu, lhs_tokens, nl);
	char *usr = assign ? member_field(lhs, NULL) : NULL;
	if (!usr)
		return;
	struct code_state *cs = code_state(b->x);
	field_assign *a = MC_VEC_PUSH(cs->assigns, cs->nassigns, cs->cap_assigns);
	a->function = mc_strdup(b->function);
	a->field = usr;
	a->value = value;
	CXCursor body;
	a->conditional = !find_kind(b->fn, CXCursor_CompoundStmt, &body) || !clang_equalCursors(parent, body);
}

/*
 * The type a variable argument points to ("DeviceClass" for "DeviceClass *dc",
 * "Object" for "Object *obj"), or NULL when the argument is no such variable.
 * Caller frees.
 */
static char *variable_pointee(CXCursor arg)
{
	CXCursor ref = strip_casts(arg);
	if (clang_getCursorKind(ref) != CXCursor_DeclRefExpr)
		return NULL;
	CXCursor decl = clang_getCursorReferenced(ref);
	enum CXCursorKind k = clang_getCursorKind(decl);
	CXType t = clang_getCursorType(decl);
	if ((k != CXCursor_ParmDecl && k != CXCursor_VarDecl) || t.kind != CXType_Pointer)
		return NULL;
	return type_base_name(clang_getPointeeType(t));
}

/* Is the argument a variable pointing to an Object ("Object *obj"), as an instance_init has? */
static int passes_object(CXCursor arg)
{
	char *pointee = variable_pointee(arg);
	int is_object = pointee && strcmp(pointee, "Object") == 0;
	free(pointee);
	return is_object;
}

/* A helper defined outside the file (a static inline of a header): read for what it adds by code. */
static void queue_header_helper(extract_ctx *x, CXCursor call, const char *callee)
{
	CXCursor def = clang_getCursorDefinition(clang_getCursorReferenced(call));
	struct code_state *cs = code_state(x);
	if (clang_Cursor_isNull(def) || in_main_file(x, def) || mc_strvec_contains(&cs->helper_names, callee))
		return;
	mc_strvec_push(&cs->helper_names, callee);
	*MC_VEC_PUSH(cs->helpers, cs->nhelpers, cs->cap_helpers) = def;
	*MC_VEC_PUSH(cs->helper_lines, cs->nhelper_lines, cs->cap_helper_lines) = expansion_line(call);
}

static int names_instance_init(const mc_facts *f, const char *function)
{
	for (size_t i = 0; i < f->ntypes; i++)
		if (f->types[i].instance_init && strcmp(f->types[i].instance_init, function) == 0)
			return 1;
	for (size_t i = 0; i < f->nvpci; i++)
		if (f->vpci[i].instance_init && strcmp(f->vpci[i].instance_init, function) == 0)
			return 1;
	return 0;
}

/* The functions whose assignments give cp's default: its own, and the instance_init of each type
 * of this file whose class_init adds it. */
static void default_sources(const mc_facts *f, const code_prop *cp, mc_strvec *out)
{
	mc_strvec_push(out, cp->function);
	for (size_t i = 0; i < f->ntypes; i++)
		if (f->types[i].class_init && f->types[i].instance_init &&
		    strcmp(f->types[i].class_init, cp->function) == 0 &&
		    !mc_strvec_contains(out, f->types[i].instance_init))
			mc_strvec_push(out, f->types[i].instance_init);
	for (size_t i = 0; i < f->nvpci; i++)
		if (f->vpci[i].class_init && f->vpci[i].instance_init && strcmp(f->vpci[i].class_init, cp->function) == 0 &&
		    !mc_strvec_contains(out, f->vpci[i].instance_init))
			mc_strvec_push(out, f->vpci[i].instance_init);
}

/* Does one of the instance_inits among the sources hand its object to a helper, which may assign the field? */
static int sources_call_helpers(const struct code_state *cs, const mc_strvec *sources)
{
	for (size_t i = 0; i < cs->object_calls.n; i++) {
		const char *nl = strchr(cs->object_calls.v[i], '\n');
		for (size_t k = 0; nl && k < sources->n; k++)
			if (strlen(sources->v[k]) == (size_t)(nl - cs->object_calls.v[i]) &&
			    strncmp(sources->v[k], cs->object_calls.v[i], (size_t)(nl - cs->object_calls.v[i])) == 0)
				return 1;
	}
	return 0;
}

/* The zero a zero-filled field reads as, in cp's kind; 0 when it is no value (a NULL string). */
static int zero_value(mc_prop *p)
{
	switch (p->kind) {
	case MC_KIND_BOOL:
		p->defval = mc_value_bool(0);
		return 1;
	case MC_KIND_INT:
	case MC_KIND_UINT:
	case MC_KIND_SIZE:
		p->defval = mc_value_int(0, p->kind != MC_KIND_INT);
		return 1;
	default:
		return 0;
	}
}

static void resolve_default(extract_ctx *x, code_prop *cp)
{
	mc_prop *p = &cp->prop;
	if (!cp->wants_default)
		return;
	p->has_default = 1;
	mc_strvec sources = {0};
	default_sources(x->facts, cp, &sources);
	const char *why = cp->field ? NULL : cp->why;
	size_t nvalues = 0;
	for (size_t i = 0; cp->field && !why && i < x->code->nassigns; i++) {
		const field_assign *a = &x->code->assigns[i];
		if (strcmp(a->field, cp->field) != 0 || !mc_strvec_contains(&sources, a->function))
			continue;
		mc_prop v = { .kind = p->kind, .enum_type = p->enum_type };
		set_default(x, &v, a->value);
		if (a->conditional)
			why = "the field is assigned under a condition or in a loop";
		else if (v.defval.type == MC_VAL_SYMBOLIC)
			why = "the field is assigned a value that is not a constant";
		else if (nvalues && mc_value_equal(p->kind, &p->defval, &v.defval) != 1)
			why = "the field is assigned different values";
		else if (!nvalues++) {
			p->defval = v.defval;
			v.defval = (mc_value){0};
			free(p->defval_text);
			p->defval_text = v.defval_text;
			v.defval_text = NULL;
		}
		mc_value_free(&v.defval);
		free(v.defval_text);
		if (v.enum_type != p->enum_type) {
			free(p->enum_type);
			p->enum_type = v.enum_type;
		}
	}
	if (!why && !nvalues) {
		int seen_init = 0;
		for (size_t k = 0; k < sources.n; k++)
			seen_init |= names_instance_init(x->facts, sources.v[k]);
		if (cp->class_field)
			why = "the class field is assigned no constant by the class_init";
		else if (!seen_init)
			why = "no instance_init of this file assigns the field";
		else if (sources_call_helpers(x->code, &sources))
			why = "the instance_init assigns the field nothing but passes the object to a helper";
		else if (p->kind == MC_KIND_ENUM && p->enum_type && mc_qapi_find_enum(&x->tree->qapi, p->enum_type) &&
			 mc_qapi_find_enum(&x->tree->qapi, p->enum_type)->nmembers)
			p->defval = mc_value_string(mc_qapi_find_enum(&x->tree->qapi, p->enum_type)->members[0]);
		else if (!zero_value(p))
			why = p->kind == MC_KIND_STRING ? NULL : "the field is assigned nothing and its zero is not a value";
		if (!why && p->defval.type == MC_VAL_NONE)
			p->has_default = 0; /* a string left NULL: no default, as a qdev string */
		if (!why && p->has_default) {
			free(p->defval_text);
			p->defval_text = mc_strdup("0 (QOM zero-fills the instance; the instance_init assigns it nothing)");
		}
	}
	if (why) {
		mc_value_free(&p->defval);
		p->defval = mc_value_symbolic(MC_FACTS_CODE_UNVALUED);
		free(p->defval_text);
		p->defval_text = mc_strdup(MC_FACTS_CODE_UNVALUED);
		p->unvalued = mc_strdup(why);
	}
	mc_strvec_free(&sources);
}

/* Reads the queued header helpers: what they add and assign, under their own names. */
static void read_header_helpers(extract_ctx *x)
{
	for (size_t i = 0; x->code && i < x->code->nhelpers; i++) {
		body_ctx b = { x, x->code->helpers[i], cursor_spelling(x->code->helpers[i]), {0}, 0, NULL, 0, 0,
			       x->code->helper_lines[i] > 0 ? x->code->helper_lines[i] : 1 };
		clang_visitChildren(b.fn, body_visit, &b);
		free(b.function);
	}
}

/* The end of the unit: defaults resolved, one array per function, the instance_init helpers attached. */
static void emit_code_props(extract_ctx *x)
{
	read_header_helpers(x);
	struct code_state *cs = x->code;
	if (!cs)
		return;
	mc_facts *f = x->facts;
	for (size_t i = 0; i < cs->nprops; i++)
		resolve_default(x, &cs->props[i]);
	mc_strvec done = {0};
	for (size_t i = 0; i < cs->nprops; i++) {
		const char *fn = cs->props[i].function;
		if (mc_strvec_contains(&done, fn))
			continue;
		mc_strvec_push(&done, fn);
		mc_prop_array *a = MC_VEC_PUSH(f->arrays, f->narrays, f->cap_arrays);
		a->name = mc_sprintf("%s%s", MC_FACTS_CODE_ARRAY, fn);
		a->is_static = 1;
		a->line = cs->props[i].prop.line;
		a->complete = 1;
		a->by_code = 1;
		for (size_t k = i; k < cs->nprops; k++) {
			code_prop *cp = &cs->props[k];
			if (strcmp(cp->function, fn) != 0 || !cp->prop.name)
				continue;
			int dup = 0;
			for (size_t j = 0; j < a->nprops && !dup; j++)
				dup = strcmp(a->props[j].name, cp->prop.name) == 0;
			if (!dup) {
				*MC_VEC_PUSH(a->props, a->nprops, a->cap) = cp->prop;
				memset(&cp->prop, 0, sizeof(cp->prop));
			}
		}
		mc_attach *at = MC_VEC_PUSH(f->attaches, f->nattaches, f->cap_attaches);
		at->function = mc_strdup(fn);
		at->array = mc_strdup(a->name);
		at->line = a->line;
	}
	mc_strvec_free(&done);
	for (size_t i = 0; i < cs->object_calls.n; i++) {
		const char *call = cs->object_calls.v[i], *nl = strchr(call, '\n');
		char *fn = mc_strndup(call, (size_t)(nl - call));
		if (names_instance_init(f, fn)) {
			mc_attach *at = MC_VEC_PUSH(f->attaches, f->nattaches, f->cap_attaches);
			at->function = fn;
			at->array = mc_strdup(nl + 1);
			at->line = cs->object_call_lines[i];
			at->via_call = 1;
		} else {
			free(fn);
		}
	}
}

static void code_state_free(struct code_state *cs)
{
	if (!cs)
		return;
	for (size_t i = 0; i < cs->nprops; i++) {
		free(cs->props[i].function);
		free(cs->props[i].field);
		mc_facts_prop_free(&cs->props[i].prop);
	}
	free(cs->props);
	for (size_t i = 0; i < cs->nassigns; i++) {
		free(cs->assigns[i].function);
		free(cs->assigns[i].field);
	}
	free(cs->assigns);
	mc_strvec_free(&cs->object_calls);
	free(cs->object_call_lines);
	free(cs->helpers);
	free(cs->helper_lines);
	mc_strvec_free(&cs->helper_names);
	free(cs);
}

static const mc_conv_pair *find_pair(const mc_conv_pair *pairs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(pairs[i].name, name) == 0)
			return &pairs[i];
	return NULL;
}

static mc_attach *attach_push(extract_ctx *x, const char *function, char *array, CXCursor at)
{
	mc_attach *a = MC_VEC_PUSH(x->facts->attaches, x->facts->nattaches, x->facts->cap_attaches);
	memset(a, 0, sizeof(*a));
	a->function = mc_strdup(function);
	a->array = array;
	a->line = expansion_line(at);
	return a;
}

static void add_attach(extract_ctx *x, const char *function, CXCursor array_expr)
{
	CXCursor decl = property_array_decl(array_expr);
	if (!clang_Cursor_isNull(decl)) {
		attach_push(x, function, cursor_spelling(decl), array_expr);
		return;
	}
	/* "info->props": the array comes with the class_data of a table-registered type. */
	CXCursor member = strip_casts(array_expr);
	if (clang_getCursorKind(member) == CXCursor_MemberRefExpr)
		attach_push(x, function, cursor_spelling(member), array_expr)->from_class_data = 1;
}

static void add_alias(extract_ctx *x, const char *function, const char *type, int line)
{
	mc_alias *a = MC_VEC_PUSH(x->facts->aliases, x->facts->naliases, x->facts->cap_aliases);
	a->function = mc_strdup(function);
	a->embedded_type = mc_strdup(type);
	a->line = line;
}

/* Is the argument a variable that points to a class ("DeviceClass *dc")? */
static int passes_class(CXCursor arg)
{
	char *pointee = variable_pointee(arg);
	int is_class = pointee && mc_str_endswith(pointee, "Class");
	free(pointee);
	return is_class;
}

/*
 * DEVICE_CLASS(klass) and the like: the class casts OBJECT_DECLARE_TYPE
 * writes as upper-case inline functions.  They attach nothing, and taking
 * them for helpers would make every file that casts a class look related.
 */
static int is_qom_cast(const char *callee)
{
	int upper = 0;
	for (const char *c = callee; *c; c++) {
		if (*c >= 'a' && *c <= 'z')
			return 0;
		upper |= *c >= 'A' && *c <= 'Z';
	}
	return upper;
}

/* The first argument that is a pointer to a VMStateDescription ("&vmstate_x"). */
static int vmsd_argument(CXCursor call, int nargs, CXCursor *out)
{
	for (int i = 0; i < nargs; i++) {
		CXCursor a = clang_Cursor_getArgument(call, (unsigned)i);
		if (is_vmsd_pointer(clang_getCursorType(a))) {
			*out = a;
			return 1;
		}
	}
	return 0;
}

static void visit_call(body_ctx *b, CXCursor call)
{
	extract_ctx *x = b->x;
	char *callee = cursor_spelling(call);
	int nargs = clang_Cursor_getNumArguments(call);
	const mc_conv_pair *p;
	const mc_conv_qom_call *q = mc_conv_qom_call_of(x->conv, callee);
	CXCursor vmsd_arg;
	if (q) {
		add_code_prop(b, call, q);
	} else if (b->helper_only) {
		/* a header helper: nothing else of it is the file's */
	} else if ((p = find_pair(x->conv->attach_calls, x->conv->nattach_calls, callee)) && p->arg < nargs) {
		add_attach(x, b->function, clang_Cursor_getArgument(call, (unsigned)p->arg));
	} else if ((p = find_pair(x->conv->alias_calls, x->conv->nalias_calls, callee)) && p->arg < nargs) {
		char *type = eval_string(clang_Cursor_getArgument(call, (unsigned)p->arg));
		if (type)
			add_alias(x, b->function, type, expansion_line(call));
		free(type);
	} else if ((p = find_pair(x->conv->alias_inits, x->conv->nalias_inits, callee)) && p->arg < nargs) {
		char *type = eval_string(clang_Cursor_getArgument(call, (unsigned)p->arg));
		if (type)
			mc_strvec_push_owned(&b->embedded, type);
	} else if (mc_strvec_contains(&x->conv->alias_markers, callee)) {
		b->has_marker = 1;
	} else if (vmsd_argument(call, nargs, &vmsd_arg)) {
		add_vmsd_use(x, b->function, vmsd_arg, mc_strdup(callee), call);
	} else if (nargs > 0 && !is_qom_cast(callee) && passes_class(clang_Cursor_getArgument(call, 0))) {
		/* A helper given the class may attach arrays to it (cpu_class_init_props(dc)). */
		attach_push(x, b->function, mc_strdup(callee), call)->via_call = 1;
		queue_header_helper(x, call, callee);
	} else if (nargs > 0 && !is_qom_cast(callee) && passes_object(clang_Cursor_getArgument(call, 0))) {
		/* An instance_init's helper may add properties to the object (ich9_pm_add_properties(obj, ...)). */
		struct code_state *cs = code_state(x);
		mc_strvec_push_owned(&cs->object_calls, mc_sprintf("%s\n%s", b->function, callee));
		*MC_VEC_PUSH(cs->object_call_lines, cs->nlines, cs->cap_lines) = expansion_line(call);
		queue_header_helper(x, call, callee);
	}
	free(callee);
}

/* "DeviceClass.vmsd": the struct that declares the member written, and the member. */
static char *member_path(CXCursor member_expr, const char *field)
{
	CXCursor decl = clang_getCursorReferenced(member_expr);
	CXCursor rec = clang_getCursorSemanticParent(decl);
	char *owner = clang_Cursor_isNull(rec) ? NULL : type_base_name(clang_getCursorType(rec));
	char *r = mc_sprintf("%s.%s", owner && *owner ? owner : "?", field);
	free(owner);
	return r;
}

/* dc->props = array (QEMU up to 4.2); ti.name = ... on a local TypeInfo; dc->vmsd = &vmstate_x. */
static void visit_assignment(body_ctx *b, CXCursor op, CXCursor parent)
{
	cursor_list kids = children_of(op);
	if (kids.n == 2 && clang_getCursorKind(kids.v[0]) == CXCursor_MemberRefExpr) {
		char *field = cursor_spelling(kids.v[0]);
		local_typeinfo *l = b->helper_only ? NULL : local_typeinfo_of(b, kids.v[0]);
		add_field_assign(b, op, parent, kids.v[0], kids.v[1]);
		if (b->helper_only)
			;
		else if (l)
			local_typeinfo_set(l, field, kids.v[1]);
		else if (mc_strvec_contains(&b->x->conv->attach_fields, field))
			add_attach(b->x, b->function, kids.v[1]);
		else if (is_vmsd_pointer(clang_getCursorType(kids.v[1])))
			add_vmsd_use(b->x, b->function, kids.v[1], member_path(kids.v[0], field), op);
		free(field);
	}
	free(kids.v);
}

static enum CXChildVisitResult body_visit(CXCursor c, CXCursor parent, CXClientData data)
{
	body_ctx *b = data;
	switch (clang_getCursorKind(c)) {
	case CXCursor_CallExpr:
		visit_call(b, c);
		break;
	case CXCursor_BinaryOperator:
		visit_assignment(b, c, parent);
		break;
	case CXCursor_VarDecl: {
		int is_array;
		if (b->helper_only)
			break;
		if (type_is_record(clang_getCursorType(c), "TypeInfo", &is_array) && !is_array)
			local_typeinfo_add(b, c);
		else
			extract_var(b->x, c, b->function);
		break;
	}
	default:
		break;
	}
	return CXChildVisit_Recurse;
}

static void extract_function(extract_ctx *x, CXCursor fn)
{
	body_ctx b = { x, fn, cursor_spelling(fn), {0}, 0, NULL, 0, 0, 0 };
	clang_visitChildren(fn, body_visit, &b);
	if (b.has_marker)
		for (size_t i = 0; i < b.embedded.n; i++)
			add_alias(x, b.function, b.embedded.v[i], expansion_line(fn));
	for (size_t i = 0; i < b.nlocals; i++)
		local_typeinfo_resolve(&b, &b.locals[i]);
	free(b.locals);
	mc_strvec_free(&b.embedded);
	free(b.function);
}

static enum CXChildVisitResult top_visit(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	extract_ctx *x = data;
	if (!in_main_file(x, c))
		return CXChildVisit_Continue;
	switch (clang_getCursorKind(c)) {
	case CXCursor_VarDecl:
		extract_var(x, c, NULL);
		break;
	case CXCursor_FunctionDecl:
		if (clang_isCursorDefinition(c))
			extract_function(x, c);
		break;
	default:
		break;
	}
	return CXChildVisit_Continue;
}

/* ---- evidence: reads of members that reach a guest or the stream ----
 *
 * A new property's default matters to an older machine type only if a guest
 * or the migration stream sees it.  What shows that in the source: the member
 * it is stored in is read by a function a VMStateDescription names as .needed
 * or .field_exists (it decides what goes on the wire), or inside the
 * arguments of a call the conventions name (evidence-call: a write to PCI
 * config space), or in the condition of an if that decides such a call.
 * Other reads say nothing either way and are not recorded.
 */

typedef struct {
	extract_ctx *x;
	mc_strvec gates;        /* functions named by .needed / .field_exists in this file */
	const char *function;   /* the function being walked */
} uses_ctx;

/* The functions this file's descriptions name as .needed or .field_exists (their facts are read by now). */
static void gates_of(const mc_facts *f, mc_strvec *gates)
{
	for (size_t i = 0; i < f->nvmsds; i++) {
		const mc_vmsd *d = &f->vmsds[i];
		if (d->needed && !mc_strvec_contains(gates, d->needed))
			mc_strvec_push(gates, d->needed);
		for (size_t k = 0; k < d->nfields; k++)
			if (d->fields[k].test && !mc_strvec_contains(gates, d->fields[k].test))
				mc_strvec_push(gates, d->fields[k].test);
	}
}

static void use_add(uses_ctx *u, CXCursor member, const char *kind, const char *call)
{
	char *usr = member_usr(member);
	if (!usr)
		return;
	mc_facts *f = u->x->facts;
	for (size_t i = 0; i < f->nuses; i++)
		if (strcmp(f->uses[i].field, usr) == 0 && strcmp(f->uses[i].kind, kind) == 0 &&
		    (f->uses[i].function && u->function ? strcmp(f->uses[i].function, u->function) == 0
							  : f->uses[i].function == u->function)) {
			free(usr);
			return;
		}
	mc_field_use *use = MC_VEC_PUSH(f->uses, f->nuses, f->cap_uses);
	use->field = usr;
	use->kind = mc_strdup(kind);
	use->function = mc_strdup(u->function);
	use->call = call ? mc_strdup(call) : NULL;
	use->line = expansion_line(member);
}

/* The first call under c that the conventions name as evidence, and its kind; NULL: none. */
static char *evidence_call_under(uses_ctx *u, CXCursor c, const char **kind)
{
	if (clang_getCursorKind(c) == CXCursor_CallExpr) {
		char *callee = cursor_spelling(c);
		if ((*kind = mc_conv_evidence_call(u->x->conv, callee)))
			return callee;
		free(callee);
	}
	cursor_list kids = children_of(c);
	char *found = NULL;
	for (size_t i = 0; i < kids.n && !found; i++)
		found = evidence_call_under(u, kids.v[i], kind);
	free(kids.v);
	return found;
}

/* Walks c; kind (and call) set: every member read under c is evidence of that kind. */
static void uses_walk(uses_ctx *u, CXCursor c, const char *kind, const char *call)
{
	enum CXCursorKind ck = clang_getCursorKind(c);
	if (ck == CXCursor_MemberRefExpr && kind)
		use_add(u, c, kind, call);
	char *callee = NULL;
	if (!kind && ck == CXCursor_CallExpr) {
		callee = cursor_spelling(c);
		if ((kind = mc_conv_evidence_call(u->x->conv, callee)))
			call = callee;
	}
	cursor_list kids = children_of(c);
	if (!kind && ck == CXCursor_IfStmt && kids.n >= 2) {
		/* The condition decides whether the evidence call in a branch happens. */
		const char *branch_kind = NULL;
		char *branch_call = NULL;
		for (size_t i = 1; i < kids.n && !branch_call; i++)
			branch_call = evidence_call_under(u, kids.v[i], &branch_kind);
		if (branch_call)
			uses_walk(u, kids.v[0], branch_kind, branch_call);
		free(branch_call);
	}
	for (size_t i = 0; i < kids.n; i++)
		uses_walk(u, kids.v[i], kind, call);
	free(kids.v);
	free(callee);
}

static enum CXChildVisitResult uses_visit(CXCursor c, CXCursor parent, CXClientData data)
{
	(void)parent;
	uses_ctx *u = data;
	if (clang_getCursorKind(c) != CXCursor_FunctionDecl || !clang_isCursorDefinition(c) || !in_main_file(u->x, c))
		return CXChildVisit_Continue;
	char *name = cursor_spelling(c);
	u->function = name;
	uses_walk(u, c, mc_strvec_contains(&u->gates, name) ? "vmstate" : NULL, NULL);
	u->function = NULL;
	free(name);
	return CXChildVisit_Continue;
}

static void extract_uses(extract_ctx *x)
{
	uses_ctx u = { x, {0}, NULL };
	gates_of(x->facts, &u.gates);
	clang_visitChildren(clang_getTranslationUnitCursor(x->tu), uses_visit, &u);
	mc_strvec_free(&u.gates);
}

static void record_diagnostics(CXTranslationUnit tu, mc_facts *f)
{
	/* MIGCOMPAT_DIAG=1 prints every diagnostic: the way to see why an initializer was lost. */
	const char *dump = getenv("MIGCOMPAT_DIAG");
	unsigned n = clang_getNumDiagnostics(tu);
	for (unsigned i = 0; i < n; i++) {
		CXDiagnostic d = clang_getDiagnostic(tu, i);
		enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity(d);
		if (dump && *dump && sev >= CXDiagnostic_Error) {
			char *text = cx_take(clang_formatDiagnostic(d, CXDiagnostic_DisplaySourceLocation));
			fprintf(stderr, "%s: %s\n", f->path, text);
			free(text);
		}
		if (sev >= CXDiagnostic_Error) {
			f->ndiagnostics++;
			if (!f->error) {
				char *text = cx_take(clang_formatDiagnostic(d, CXDiagnostic_DisplaySourceLocation));
				/* Report tree paths, not the virtual root. */
				const char *shown = strncmp(text, MC_TREE_ROOT "/", strlen(MC_TREE_ROOT "/")) == 0
							    ? text + strlen(MC_TREE_ROOT "/") : text;
				f->error = mc_strdup(shown);
				free(text);
			}
		}
		clang_disposeDiagnostic(d);
	}
}

static CXTranslationUnit parse_input(mc_parser *p, const mc_tu_input *in, unsigned options, enum CXErrorCode *rc)
{
	const char **args = mc_calloc(in->args.n, sizeof(char *));
	for (size_t i = 0; i < in->args.n; i++)
		args[i] = in->args.v[i];
	struct CXUnsavedFile *files = mc_calloc(in->nfiles, sizeof(*files));
	for (size_t i = 0; i < in->nfiles; i++) {
		files[i].Filename = in->files[i].filename;
		files[i].Contents = in->files[i].contents;
		files[i].Length = (unsigned long)in->files[i].length;
	}
	CXTranslationUnit tu = NULL;
	*rc = clang_parseTranslationUnit2(p->index, in->main_path, args, (int)in->args.n, files, (unsigned)in->nfiles,
					  options, &tu);
	free(args);
	free(files);
	return tu;
}

int mc_parser_save_pch(mc_parser *p, const mc_tu_input *in, const char *out_path)
{
	enum CXErrorCode rc;
	CXTranslationUnit tu = parse_input(p, in, CXTranslationUnit_KeepGoing | CXTranslationUnit_ForSerialization |
							  CXTranslationUnit_Incomplete, &rc);
	if (rc != CXError_Success || !tu) {
		mc_error_set("libclang could not parse the common headers (error %d)", (int)rc);
		return MC_EIO;
	}
	int saved = clang_saveTranslationUnit(tu, out_path, clang_defaultSaveOptions(tu));
	clang_disposeTranslationUnit(tu);
	if (saved != CXSaveError_None) {
		mc_error_set("libclang could not save the common headers (error %d)", saved);
		return MC_EIO;
	}
	return 0;
}

int mc_parser_run(mc_parser *p, mc_tree *tree, const char *path, const mc_tu_input *in, mc_facts **out)
{
	mc_facts *f = mc_calloc(1, sizeof(*f));
	f->path = mc_strdup(path);
	*out = f;
	for (size_t i = 0; i < in->refused.n; i++)
		mc_strvec_push(&f->refused_headers, in->refused.v[i]);
	enum CXErrorCode rc;
	CXTranslationUnit tu = parse_input(p, in, CXTranslationUnit_KeepGoing, &rc);
	if (rc == CXError_Crashed) {
		f->error = mc_sprintf("%s: libclang crashed on the file (out of memory, or a libclang bug)", path);
		return 1;
	}
	if (rc != CXError_Success || !tu) {
		f->error = mc_sprintf("%s: libclang could not parse the file (error %d)", path, (int)rc);
		return 0;
	}
	f->parsed = 1;
	record_diagnostics(tu, f);
	extract_ctx x = { tu, tree, f, tree->conv, clang_getFile(tu, in->main_path), in, NULL, 0, NULL };
	clang_visitChildren(clang_getTranslationUnitCursor(tu), top_visit, &x);
	extract_uses(&x);
	emit_code_props(&x);
	code_state_free(x.code);
	if (x.cond_by_line) {
		for (size_t i = 0; i <= x.nlines; i++)
			free(x.cond_by_line[i]);
		free(x.cond_by_line);
	}
	clang_disposeTranslationUnit(tu);
	return 0;
}

