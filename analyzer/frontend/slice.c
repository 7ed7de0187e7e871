/*
 * slice.c - see slice.h.
 */
#include "frontend/slice.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/rust.h"
#include "util/cscan.h"
#include "util/rscan.h"

/* File ids (indexes into wanted) per token. */
typedef struct {
	size_t *v;
	size_t n, cap;
} id_list;

/*
 * An ancestor whose name lines register nothing is looked for in every file
 * writing its name, when those are few.  When they are many (TYPE_OBJECT, whose
 * TypeInfo is local to a function and never extracted), the type is taken as
 * absent, as the full analysis sees it.
 */
#define MAX_WIDENING 24

/* How far the registering file of an ancestor has been looked for. */
enum { CHAIN_NAME_LINES = 1, CHAIN_EVERY_MENTION = 2 };

/* MIGCOMPAT_DIAG=1 says why a slice grows or gives up. */
static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	const char *d = getenv("MIGCOMPAT_DIAG");
	if (!d || !*d)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("migcompat: slice: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\n", stderr);
	va_end(ap);
}

struct mc_slice {
	mc_tree *trees[2];          /* base, head; borrowed */
	mc_strvec wanted;           /* candidate .c files of both revisions, sorted */
	mc_map wanted_id;           /* path -> id + 1 */
	mc_map selected;            /* path -> 1 */
	mc_strvec paths;            /* the selection, sorted */
	mc_map affected;            /* path -> 1: differs, or includes what differs */
	mc_map tokens;              /* identifier or "string" -> id_list* of wanted files writing it */
	mc_map macro_users;         /* token -> mc_strvec* of macros whose body writes it */
	mc_map spellings;           /* name -> mc_strvec* of tokens that can spell it */
	mc_map pasted;              /* spellings that are a TYPE_ macro without its prefix */
	mc_map searched;            /* "r name", "p name", "t token" -> 1; "c name" -> state */
	mc_strvec odd_includes;     /* basenames #include lines name that are not C text; see mc_slice_odd_includes */
	int includes_scanned;
	int indexed;
	int exact;
};

static int is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static void id_list_add(id_list *l, size_t id)
{
	if (l->n && l->v[l->n - 1] == id)
		return; /* ids arrive in order, file by file */
	size_t *slot = MC_VEC_PUSH(l->v, l->n, l->cap);
	*slot = id;
}

static int id_list_has(const id_list *l, size_t id)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (l->v[i] == id)
			return 1;
	return 0;
}

typedef void (*token_fn)(void *arg, const char *tok, size_t len);

static void each_token(const char *text, size_t len, unsigned flags, token_fn fn, void *arg);

/*
 * Calls fn for t if it is an identifier or a string literal (with its
 * quotes, and only when closed); the inside of a comment or of a <header>
 * is read as words (MC_CSCAN_INNER), so that a mention there widens the
 * slice.  Numbers, character literals and punctuators say nothing.
 */
static void report_token(const mc_ctok *t, token_fn fn, void *arg)
{
	switch (t->kind) {
	case MC_CTOK_IDENT:
		fn(arg, t->p, t->len);
		break;
	case MC_CTOK_STRING:
		if (!t->open)
			fn(arg, t->p, t->len);
		break;
	case MC_CTOK_HEADER:
		if (t->p[0] == '"')
			fn(arg, t->p, t->len);
		else
			each_token(t->p + 1, t->len - 2, MC_CSCAN_INNER, fn, arg);
		break;
	case MC_CTOK_COMMENT:
		/* The text between "/ *" and "* /", or after "//"; an INNER scan has no comments, so this nests once. */
		each_token(t->p + 2, t->len - 2 - (t->p[1] == '*' && !t->open ? 2 : 0), MC_CSCAN_INNER, fn, arg);
		break;
	default:
		break;
	}
}

/* Calls fn for every identifier and string literal of a C text (see report_token). */
static void each_token(const char *text, size_t len, unsigned flags, token_fn fn, void *arg)
{
	mc_cscan c;
	mc_ctok t;
	mc_cscan_init(&c, text, len, flags);
	while (mc_cscan_next(&c, &t) != MC_CTOK_END)
		report_token(&t, fn, arg);
}

typedef struct {
	mc_slice *s;
	size_t id;
	char buf[256];
} token_ctx;

static void index_token(void *arg, const char *tok, size_t len)
{
	token_ctx *x = arg;
	if (len >= sizeof(x->buf))
		return;
	memcpy(x->buf, tok, len);
	x->buf[len] = '\0';
	id_list *l = mc_map_get(&x->s->tokens, x->buf);
	if (!l) {
		l = mc_calloc(1, sizeof(*l));
		mc_map_put(&x->s->tokens, x->buf, l);
	}
	id_list_add(l, x->id);
}

typedef struct {
	mc_slice *s;
	char *macro;        /* the #define being read (owned), or NULL */
	char buf[256];
} define_ctx;

static void note_macro_user(void *arg, const char *tok, size_t len)
{
	define_ctx *x = arg;
	if (len >= sizeof(x->buf))
		return;
	memcpy(x->buf, tok, len);
	x->buf[len] = '\0';
	if (strcmp(x->buf, x->macro) == 0)
		return;
	mc_strvec *users = mc_map_get(&x->s->macro_users, x->buf);
	if (!users) {
		users = mc_calloc(1, sizeof(*users));
		mc_map_put(&x->s->macro_users, x->buf, users);
	}
	if (!users->n || strcmp(users->v[users->n - 1], x->macro) != 0)
		mc_strvec_push(users, x->macro);
}

/* Indexes a text for no file: only its #define bodies are recorded. */
#define NO_FILE ((size_t)-1)

/*
 * One pass over a text: every token against file id (unless NO_FILE), and
 * every token of every #define body (its parameters and continuation lines
 * included) against the macro's name.
 */
static void index_text(mc_slice *s, const char *text, size_t len, size_t id)
{
	enum { OUTSIDE, AFTER_HASH, AFTER_DEFINE, IN_BODY } where = OUTSIDE;
	token_ctx file = { s, id, { 0 } };
	define_ctx def = { s, NULL, { 0 } };
	mc_cscan c;
	mc_ctok t;
	mc_cscan_init(&c, text, len, 0);
	while (mc_cscan_next(&c, &t) != MC_CTOK_END) {
		if (id != NO_FILE)
			report_token(&t, index_token, &file);
		if (t.kind == MC_CTOK_DIRECTIVE) {
			where = AFTER_HASH;
		} else if (t.kind == MC_CTOK_EOD) {
			where = OUTSIDE;
			free(def.macro);
			def.macro = NULL;
		} else if (where == IN_BODY) {
			report_token(&t, note_macro_user, &def);
		} else if (t.kind == MC_CTOK_COMMENT) {
			/* Between '#', "define" and the name: a blank. */
		} else if (where == AFTER_HASH) {
			where = t.kind == MC_CTOK_IDENT && mc_ctok_is(&t, "define") ? AFTER_DEFINE : OUTSIDE;
		} else if (where == AFTER_DEFINE) {
			where = OUTSIDE;
			if (t.kind == MC_CTOK_IDENT && t.len < 200) {
				def.macro = mc_strndup(t.p, t.len);
				where = IN_BODY;
			}
		}
	}
	free(def.macro);
}

static const char *side_text(mc_slice *s, int side, const char *path, size_t *len);

/*
 * A Rust text, against file id: identifiers, also as quoted names (a field's
 * name is its property's when #[property] does not rename it), string values
 * quoted as C writes them (c"pl011" is "pl011"), and the words of comments.
 */
static void index_rust_text(mc_slice *s, const char *text, size_t len, size_t id)
{
	token_ctx file = { s, id, { 0 } };
	mc_rscan c;
	mc_ctok t;
	mc_rscan_init(&c, text, len, 0);
	while (mc_rscan_next(&c, &t) != MC_CTOK_END) {
		char *value = NULL, *quoted = NULL;
		size_t n = 0;
		if (t.kind == MC_CTOK_IDENT) {
			index_token(&file, t.p, t.len);
			value = mc_strndup(t.p, t.len);
			n = t.len;
		} else if (t.kind == MC_CTOK_STRING) {
			value = mc_rscan_string(&t, &n);
		} else if (t.kind == MC_CTOK_COMMENT) {
			report_token(&t, index_token, &file);
		}
		if (value) {
			quoted = mc_sprintf("\"%s\"", value);
			index_token(&file, quoted, n + 2);
		}
		free(value);
		free(quoted);
	}
}

/*
 * A Rust candidate stands for its crate (its facts read the crate's
 * constants): every file of the crate, on both sides, is indexed under its id.
 */
static void index_rust_crate(mc_slice *s, const char *path, size_t id)
{
	for (int side = 0; side < 2; side++) {
		mc_strvec files = {0};
		mc_rust_crate_paths(s->trees[side]->conv, s->trees[side]->snap, path, &files);
		for (size_t i = 0; i < files.n; i++) {
			size_t len;
			const char *text = side_text(s, side, files.v[i], &len);
			if (text)
				index_rust_text(s, text, len, id);
		}
		mc_strvec_free(&files);
	}
}

static int is_c_source(const char *path)
{
	return mc_str_endswith(path, ".c") || mc_str_endswith(path, ".h") || mc_str_endswith(path, ".inc");
}

/* The text of a file on one side, or NULL (absent, unreadable). */
static const char *side_text(mc_slice *s, int side, const char *path, size_t *len)
{
	const char *data;
	if (!mc_snapshot_find(s->trees[side]->snap, path) || mc_tree_read(s->trees[side], path, &data, len) < 0)
		return NULL;
	return data;
}

/* Does path differ between the two sides (so both texts are read)? */
static int differs(const mc_slice *s, const char *path)
{
	const mc_file *a = mc_snapshot_find(s->trees[0]->snap, path);
	const mc_file *b = mc_snapshot_find(s->trees[1]->snap, path);
	return !a || !b || strcmp(a->blob.hex, b->blob.hex) != 0;
}

/* Tokens of every candidate file and the macros of every header, both sides. */
static void build_index(mc_slice *s)
{
	if (s->indexed)
		return;
	s->indexed = 1;
	for (size_t id = 0; id < s->wanted.n; id++) {
		const char *path = s->wanted.v[id];
		if (mc_rust_is_source(s->trees[1]->conv, path)) {
			index_rust_crate(s, path, id);
			continue;
		}
		/* An unchanged file is read where selection already read it: the base. */
		for (int side = differs(s, path) ? 1 : 0; side >= 0; side--) {
			size_t len;
			const char *text = side_text(s, side, path, &len);
			if (!text)
				continue;
			index_text(s, text, len, id);
			if (text && !differs(s, path))
				break;
		}
	}
	for (int side = 1; side >= 0; side--) {
		const mc_snapshot *snap = s->trees[side]->snap;
		for (size_t i = 0; i < snap->nfiles; i++) {
			const char *path = snap->files[i].path;
			if (!mc_str_endswith(path, ".h") && !mc_str_endswith(path, ".inc"))
				continue;
			int changed = differs(s, path);
			if (side == 0 && !changed)
				continue;
			size_t len;
			const char *text = side_text(s, changed ? side : 0, path, &len);
			if (text)
				index_text(s, text, len, NO_FILE);
		}
	}
}

/* Tokens that can spell a name: the string, and every macro whose expansion writes one of them. */
static const mc_strvec *spellings_of(mc_slice *s, const char *name)
{
	mc_strvec *sp = mc_map_get(&s->spellings, name);
	if (sp)
		return sp;
	build_index(s);
	sp = mc_calloc(1, sizeof(*sp));
	mc_strvec_push_owned(sp, mc_sprintf("\"%s\"", name));
	for (size_t i = 0; i < sp->n && sp->n < 4096; i++) {
		const mc_strvec *users = mc_map_get(&s->macro_users, sp->v[i]);
		for (size_t k = 0; users && k < users->n; k++) {
			if (mc_strvec_contains(sp, users->v[k]))
				continue;
			mc_strvec_push(sp, users->v[k]);
			/* OBJECT_DEFINE_TYPE(..., MODULE_OBJ_NAME, PARENT) pastes TYPE_ in front. */
			if (mc_str_startswith(users->v[k], "TYPE_") && users->v[k][5] &&
			    !mc_strvec_contains(sp, users->v[k] + 5)) {
				mc_strvec_push(sp, users->v[k] + 5);
				mc_map_put(&s->pasted, users->v[k] + 5, (void *)1);
			}
		}
	}
	mc_map_put(&s->spellings, name, sp);
	return sp;
}

static void select_path(mc_slice *s, const char *path, size_t *added)
{
	if (mc_map_get(&s->selected, path) || !mc_map_get(&s->wanted_id, path))
		return;
	mc_map_put(&s->selected, path, (void *)1);
	mc_strvec_push(&s->paths, path);
	(*added)++;
}

/*
 * Does the line around text[at] name a type being defined (".name =",
 * ".generic_name =", a DEFINE_TYPES table), not a parent or a use?  A pasted
 * spelling (OBJECT for TYPE_OBJECT) counts only in an OBJECT_DEFINE_* line.
 */
static int on_name_line(const char *text, size_t len, size_t at, const char *tok, int pasted)
{
	size_t b = at, e = at;
	while (b > 0 && text[b - 1] != '\n')
		b--;
	while (e < len && text[e] != '\n')
		e++;
	char *line = mc_strndup(text + b, e - b);
	int yes = 0;
	if (pasted) {
		/* OBJECT_DEFINE_TYPE(ObjName, obj_name, OBJ_NAME, PARENT): the third argument. */
		const char *open = strstr(line, "_DEFINE_") ? strchr(strstr(line, "_DEFINE_"), '(') : NULL;
		const char *arg = open ? open + 1 : NULL;
		for (int i = 0; i < 2 && arg; i++)
			arg = strchr(arg, ',') ? strchr(arg, ',') + 1 : NULL;
		while (arg && (*arg == ' ' || *arg == '\t'))
			arg++;
		yes = arg && arg == line + (at - b) && !is_ident_char(arg[strlen(tok)]);
	} else {
		for (const char *n = strstr(line, "name"); n && !yes; n = strstr(n + 1, "name")) {
			const char *q = n + 4;
			while (*q == ' ' || *q == '\t')
				q++;
			yes = *q == '=' && q[1] != '=';
		}
	}
	free(line);
	return yes;
}

/*
 * Is tok written in this file on a name line (identifiers as whole words)?
 * A Rust crate names a type through constants and traits, not on one line:
 * any mention there may be a registration.
 */
static int names_on_line(mc_slice *s, const char *path, const char *tok)
{
	if (mc_rust_is_source(s->trees[1]->conv, path))
		return 1;
	size_t tl = strlen(tok);
	for (int side = 1; side >= 0; side--) {
		size_t len;
		const char *text = side_text(s, side, path, &len);
		for (const char *p = text ? strstr(text, tok) : NULL; p; p = strstr(p + 1, tok)) {
			if (tok[0] != '"' && ((p > text && is_ident_char(p[-1])) || is_ident_char(p[tl])))
				continue;
			if (on_name_line(text, len, (size_t)(p - text), tok, mc_map_get(&s->pasted, tok) != NULL))
				return 1;
		}
	}
	return 0;
}

/* Candidate files writing some spelling of name that are not selected yet. */
static size_t unselected_mentions(mc_slice *s, const char *name)
{
	const mc_strvec *sp = spellings_of(s, name);
	mc_map seen = {0};
	for (size_t i = 0; i < sp->n; i++) {
		const id_list *l = mc_map_get(&s->tokens, sp->v[i]);
		for (size_t k = 0; l && k < l->n; k++)
			if (!mc_map_get(&s->selected, s->wanted.v[l->v[k]]))
				mc_map_put(&seen, s->wanted.v[l->v[k]], (void *)1);
	}
	size_t n = seen.n;
	mc_map_free(&seen);
	return n;
}

/* Selects the files writing any spelling of name; only_name_lines for ancestors. */
static void search_name(mc_slice *s, const char *name, int only_name_lines, size_t *added)
{
	const mc_strvec *sp = spellings_of(s, name);
	for (size_t i = 0; i < sp->n; i++) {
		const id_list *l = mc_map_get(&s->tokens, sp->v[i]);
		for (size_t k = 0; l && k < l->n; k++) {
			const char *path = s->wanted.v[l->v[k]];
			if (mc_map_get(&s->selected, path))
				continue;
			if (!only_name_lines || names_on_line(s, path, sp->v[i]))
				select_path(s, path, added);
		}
	}
}

/*
 * Does the file define function tok?  QEMU writes a definition with the name
 * or its return type at the start of the line and no ';' at the end of it.
 */
static int defines_function(mc_slice *s, const char *path, const char *tok)
{
	size_t tl = strlen(tok);
	for (int side = 1; side >= 0; side--) {
		size_t len;
		const char *text = side_text(s, side, path, &len);
		for (const char *p = text ? strstr(text, tok) : NULL; p; p = strstr(p + 1, tok)) {
			if ((p > text && is_ident_char(p[-1])) || is_ident_char(p[tl]))
				continue;
			const char *bol = p, *q = p + tl;
			while (bol > text && bol[-1] != '\n')
				bol--;
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q != '(' || *bol == ' ' || *bol == '\t' || *bol == '#' || *bol == '/' || *bol == '*')
				continue;
			const char *eol = strchr(q, '\n');
			eol = eol ? eol : text + len;
			while (eol > q && (eol[-1] == ' ' || eol[-1] == '\t' || eol[-1] == '\r'))
				eol--;
			if (eol > q && eol[-1] != ';')
				return 1;
		}
	}
	return 0;
}

/* Selects the files that define the function tok. */
static void search_definition(mc_slice *s, const char *tok, size_t *added)
{
	build_index(s);
	const id_list *l = mc_map_get(&s->tokens, tok);
	for (size_t k = 0; l && k < l->n; k++) {
		const char *path = s->wanted.v[l->v[k]];
		if (!mc_map_get(&s->selected, path) && defines_function(s, path, tok))
			select_path(s, path, added);
	}
}

static void search_token(mc_slice *s, const char *tok, size_t *added)
{
	build_index(s);
	const id_list *l = mc_map_get(&s->tokens, tok);
	for (size_t k = 0; l && k < l->n; k++)
		select_path(s, s->wanted.v[l->v[k]], added);
}

/* Does the file write some spelling of name?  A name nobody can search for ends the slice. */
static int file_spells(mc_slice *s, const char *path, const char *name)
{
	size_t id = (size_t)mc_map_get(&s->wanted_id, path);
	if (!id)
		return 0;
	const mc_strvec *sp = spellings_of(s, name);
	for (size_t i = 0; i < sp->n; i++)
		if (id_list_has(mc_map_get(&s->tokens, sp->v[i]), id - 1))
			return 1;
	return 0;
}

typedef struct {
	const char *name;
	mc_strvec *pieces;
} piece_ctx;

static void note_piece(void *arg, const char *tok, size_t len)
{
	piece_ctx *x = arg;
	if (tok[0] != '"' || len < 6)
		return;
	char *inner = mc_strndup(tok + 1, len - 2);
	if (strstr(x->name, inner) && !mc_strvec_contains(x->pieces, inner))
		mc_strvec_push(x->pieces, inner);
	free(inner);
}

/*
 * A type whose name its file builds by concatenation (MACHINE_TYPE_NAME("pc-5.1"),
 * ARM_CPU_TYPE_NAME("max")): subtypes and proxies must write one of the
 * pieces, so every file writing a piece (or a macro holding it) is selected.
 * A name with no piece of four characters or more cannot be searched.
 */
static void search_pieces(mc_slice *s, int side, const char *path, const char *name, size_t *added)
{
	size_t len;
	const char *text = side_text(s, side, path, &len);
	mc_strvec pieces = {0};
	piece_ctx x = { name, &pieces };
	if (text)
		each_token(text, len, 0, note_piece, &x);
	if (!pieces.n && s->exact) {
		diag("type %s is not spelled in %s: parsing everything", name, path);
		s->exact = 0;
	}
	for (size_t i = 0; i < pieces.n; i++)
		search_name(s, pieces.v[i], 0, added);
	mc_strvec_free(&pieces);
}

/* ---- the initial selection -------------------------------------------- */

/* Does an include spec (without its quote mark) name path? */
static int spec_names(const char *spec, const char *path)
{
	while (mc_str_startswith(spec, "./") || mc_str_startswith(spec, "../"))
		spec += spec[1] == '/' ? 2 : 3;
	size_t sl = strlen(spec), pl = strlen(path);
	return sl <= pl && strcmp(path + pl - sl, spec) == 0 && (sl == pl || path[pl - sl - 1] == '/');
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* A changed file of a Rust crate changes the facts of every Rust source of the crate. */
static void mark_crate_affected(mc_slice *s, const char *changed)
{
	size_t root = mc_rust_crate_root(s->trees[1]->conv, changed);
	if (!root || !mc_str_endswith(changed, ".rs"))
		return;
	for (size_t i = 0; i < s->wanted.n; i++)
		if (strncmp(s->wanted.v[i], changed, root) == 0 && mc_rust_is_source(s->trees[1]->conv, s->wanted.v[i]))
			mc_map_put(&s->affected, s->wanted.v[i], (void *)1);
}

/*
 * Marks the changed paths and, transitively, every source file whose
 * #include lines name one of them by path suffix (a superset of what the
 * include closure of the facts key would say).
 */
static void mark_affected(mc_slice *s)
{
	char **changed = NULL;
	size_t nchanged = 0;
	if (mc_snapshot_changed_paths(s->trees[0]->snap, s->trees[1]->snap, &changed, &nchanged) < 0) {
		s->exact = 0;
		return;
	}
	mc_strvec queue = {0};
	for (size_t i = 0; i < nchanged; i++) {
		mc_map_put(&s->affected, changed[i], (void *)1);
		mark_crate_affected(s, changed[i]);
		mc_strvec_push(&queue, changed[i]);
		free(changed[i]);
	}
	free(changed);
	/*
	 * Any file can be #included, whatever its name ("insn.def", a table in
	 * a ".h.in"): every changed file but a candidate is looked for in the
	 * include lines.
	 */
	int any_header = 0;
	for (size_t i = 0; i < queue.n; i++)
		any_header |= !(mc_str_endswith(queue.v[i], ".c") && mc_map_get(&s->wanted_id, queue.v[i]));
	if (!any_header) {
		mc_strvec_free(&queue);
		return;
	}
	/* basename -> "includer\nspec" of every include line of every source file, both sides */
	mc_map by_base = {0};
	for (int side = 0; side < 2; side++) {
		const mc_snapshot *snap = s->trees[side]->snap;
		for (size_t i = 0; i < snap->nfiles; i++) {
			const char *path = snap->files[i].path;
			if (!is_c_source(path) || (side == 1 && !differs(s, path)))
				continue;
			size_t len;
			const char *text = side_text(s, side, path, &len);
			if (!text)
				continue;
			mc_strvec inc = {0};
			mc_scan_includes(text, len, &inc);
			for (size_t k = 0; k < inc.n; k++) {
				const char *spec = inc.v[k] + 1;
				mc_strvec *l = mc_map_get(&by_base, base_name(spec));
				if (!l) {
					l = mc_calloc(1, sizeof(*l));
					mc_map_put(&by_base, base_name(spec), l);
				}
				mc_strvec_push_owned(l, mc_sprintf("%s\n%s", path, spec));
			}
			mc_strvec_free(&inc);
		}
	}
	s->includes_scanned = 1;
	MC_MAP_FOREACH(&by_base, i)
		if (!is_c_source(by_base.keys[i]))
			mc_strvec_push(&s->odd_includes, by_base.keys[i]);
	mc_strvec_sort(&s->odd_includes);
	for (size_t i = 0; i < queue.n; i++) {
		const mc_strvec *l = mc_map_get(&by_base, base_name(queue.v[i]));
		for (size_t k = 0; l && k < l->n; k++) {
			const char *nl = strchr(l->v[k], '\n');
			char *includer = mc_strndup(l->v[k], (size_t)(nl - l->v[k]));
			if (spec_names(nl + 1, queue.v[i]) && !mc_map_get(&s->affected, includer)) {
				mc_map_put(&s->affected, includer, (void *)1);
				mc_strvec_push(&queue, includer);
			}
			free(includer);
		}
	}
	MC_MAP_FOREACH(&by_base, i) {
		mc_strvec_free(by_base.vals[i]);
		free(by_base.vals[i]);
	}
	mc_map_free(&by_base);
	mc_strvec_free(&queue);
}

/* Can the file hold a machine compat list?  (All of them are needed for the versions.) */
static int may_hold_compat(const mc_conv *conv, const char *text)
{
	static const char *const words[] = { "GlobalProperty", "QEMUMachine", "compat_props" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(text, words[i]))
			return 1;
	const mc_conv_pair *lists[] = { conv->compat_arrays, conv->compat_macros, conv->compat_defaults };
	size_t counts[] = { conv->ncompat_arrays, conv->ncompat_macros, conv->ncompat_defaults };
	for (size_t l = 0; l < 3; l++)
		for (size_t i = 0; i < counts[l]; i++)
			if (strstr(text, lists[l][i].name))
				return 1;
	return 0;
}

void mc_slice_open(mc_slice **out, mc_tree *base, mc_tree *head, const mc_strvec *wanted_base,
		   const mc_strvec *wanted_head)
{
	mc_slice *s = mc_calloc(1, sizeof(*s));
	s->trees[0] = base;
	s->trees[1] = head;
	s->exact = 1;
	for (size_t i = 0; i < wanted_base->n; i++)
		mc_strvec_push(&s->wanted, wanted_base->v[i]);
	mc_map in_base = {0};
	for (size_t i = 0; i < wanted_base->n; i++)
		mc_map_put(&in_base, wanted_base->v[i], (void *)1);
	for (size_t i = 0; i < wanted_head->n; i++)
		if (!mc_map_get(&in_base, wanted_head->v[i]))
			mc_strvec_push(&s->wanted, wanted_head->v[i]);
	mc_map_free(&in_base);
	mc_strvec_sort(&s->wanted);
	for (size_t i = 0; i < s->wanted.n; i++)
		mc_map_put(&s->wanted_id, s->wanted.v[i], (void *)(i + 1));
	*out = s;
	/* The QAPI stub is in every facts key: a schema change reaches every file. */
	mc_tree_load_qapi(base);
	mc_tree_load_qapi(head);
	if (strcmp(base->qapi_stub_hash, head->qapi_stub_hash) != 0) {
		diag("the QAPI schema differs: parsing everything");
		s->exact = 0;
		return;
	}
	mark_affected(s);
	size_t added = 0;
	for (size_t i = 0; i < s->wanted.n; i++) {
		const char *path = s->wanted.v[i];
		int pick = mc_map_get(&s->affected, path) != NULL;
		/* An unchanged file says the same on both sides: read it once. */
		for (int side = 0; side < 2 && !pick; side++) {
			size_t len;
			const char *text = side_text(s, side, path, &len);
			pick = text && may_hold_compat(base->conv, text);
			if (text && !differs(s, path))
				break;
		}
		if (pick)
			select_path(s, path, &added);
	}
	mc_strvec_sort(&s->paths);
}

static void free_map_of(mc_map *m, int lists)
{
	MC_MAP_FOREACH(m, i) {
		if (lists) {
			free(((id_list *)m->vals[i])->v);
		} else {
			mc_strvec_free(m->vals[i]);
		}
		free(m->vals[i]);
	}
	mc_map_free(m);
}

void mc_slice_free(mc_slice *s)
{
	if (!s)
		return;
	mc_strvec_free(&s->wanted);
	mc_map_free(&s->wanted_id);
	mc_map_free(&s->selected);
	mc_strvec_free(&s->paths);
	mc_map_free(&s->affected);
	free_map_of(&s->tokens, 1);
	free_map_of(&s->macro_users, 0);
	free_map_of(&s->spellings, 0);
	mc_map_free(&s->pasted);
	mc_map_free(&s->searched);
	mc_strvec_free(&s->odd_includes);
	free(s);
}

const mc_strvec *mc_slice_odd_includes(const mc_slice *s)
{
	return s->includes_scanned ? &s->odd_includes : NULL;
}

int mc_slice_exact(const mc_slice *s)
{
	return s->exact;
}

const mc_strvec *mc_slice_paths(const mc_slice *s)
{
	return &s->paths;
}

size_t mc_slice_candidates(const mc_slice *s)
{
	return s->wanted.n;
}

/* ---- growing ------------------------------------------------------------ */

/*
 * What the rules compare of a type, as text: equal texts, same verdicts.
 * Lines and files are left out: they move with every edit above them, and
 * the rules only print them.
 */
static char *type_record(const mc_type *t)
{
	mc_buf b = {0};
	mc_buf_printf(&b, "%s|%s|%d|%d|", t->name, t->parent_name ? t->parent_name : "", t->abstract,
		      t->props_unknown);
	for (size_t i = 0; i < t->aliases.n; i++)
		mc_buf_printf(&b, "alias %s|", t->aliases.v[i]);
	for (size_t i = 0; i < t->nprops; i++) {
		const mc_prop *p = t->props[i].prop;
		char *v = mc_value_display(p->kind, &p->defval);
		mc_buf_printf(&b, "prop %s %s %d %d %s %s %s %s|", p->name, p->info ? p->info : "", (int)p->kind,
			      p->has_default, v, p->defval_text ? p->defval_text : "", p->condition ? p->condition : "",
			      p->suppress ? p->suppress : "");
		free(v);
	}
	return mc_buf_detach(&b);
}

static void add_name(mc_map *set, const char *name)
{
	if (name && *name)
		mc_map_put(set, name, (void *)1);
}

static char *entry_key(const mc_compat_set *set, const mc_compat_entry *e)
{
	/* As mc_check_entry_key: an entry that only moves down a line is the same entry. */
	return mc_sprintf("%s|%d.%d|%s|%s|%s", set->family, set->major, set->minor, e->driver, e->property, e->value);
}

/* Drivers and properties of entries present on one side only. */
static void changed_entries(const mc_model *ms[2], mc_map *roots, mc_map *props, mc_map *chains)
{
	mc_map keys[2] = { { 0 }, { 0 } };
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < ms[k]->nsets; i++)
			for (size_t j = 0; j < ms[k]->sets[i].nentries; j++) {
				char *key = entry_key(&ms[k]->sets[i], ms[k]->sets[i].entries[j]);
				mc_map_put(&keys[k], key, (void *)1);
				free(key);
			}
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < ms[k]->nsets; i++)
			for (size_t j = 0; j < ms[k]->sets[i].nentries; j++) {
				const mc_compat_entry *e = ms[k]->sets[i].entries[j];
				char *key = entry_key(&ms[k]->sets[i], e);
				if (!mc_map_get(&keys[1 - k], key)) {
					add_name(roots, e->driver);
					add_name(props, e->property);
					/* "EPYC-x86_64-cpu": the rules look the suffixes up. */
					for (const char *p = strchr(e->driver, '-'); p; p = strchr(p + 1, '-'))
						add_name(chains, p + 1);
				}
				free(key);
				/* An entry whose type or property appears or goes. */
				const mc_type *a = mc_model_type(ms[k], e->driver), *b = mc_model_type(ms[1 - k], e->driver);
				if (!a != !b || (a && mc_type_prop_find(a, e->property, NULL) == NULL) !=
							      (b && mc_type_prop_find(b, e->property, NULL) == NULL))
					add_name(roots, e->driver);
			}
	mc_map_free(&keys[0]);
	mc_map_free(&keys[1]);
}

static char *prop_record(const mc_type_prop *tp)
{
	char *v = mc_value_display(tp->prop->kind, &tp->prop->defval);
	char *r = mc_sprintf("%d %d %s %s", (int)tp->prop->kind, tp->prop->has_default, v,
			     tp->prop->defval_text ? tp->prop->defval_text : "");
	free(v);
	return r;
}

/* Properties whose value, kind or presence differs on a type of both sides. */
static void changed_props(const mc_model *ms[2], mc_map *props)
{
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < ms[k]->ntypes; i++) {
			const mc_type *t = ms[k]->type_list[i];
			const mc_type *o = mc_model_type(ms[1 - k], t->name);
			if (!o)
				continue;
			int moved = strcmp(t->parent_name ? t->parent_name : "", o->parent_name ? o->parent_name : "") != 0;
			for (size_t p = 0; p < t->nprops; p++) {
				const mc_type_prop *other = mc_type_prop_find(o, t->props[p].prop->name, NULL);
				int differ = moved || !other;
				if (!differ) {
					char *a = prop_record(&t->props[p]), *b = prop_record(other);
					differ = strcmp(a, b) != 0;
					free(a);
					free(b);
				}
				if (differ && !mc_map_get(props, t->props[p].prop->name))
					diag("property %s of %s changed", t->props[p].prop->name, t->name);
				if (differ)
					add_name(props, t->props[p].prop->name);
			}
		}
}

static int facts_attach(const mc_facts *f, const char *function)
{
	for (size_t i = 0; i < f->nattaches; i++)
		if (strcmp(f->attaches[i].function, function) == 0)
			return 1;
	return 0;
}

static int facts_array(const mc_facts *f, const char *name)
{
	for (size_t i = 0; i < f->narrays; i++)
		if (strcmp(f->arrays[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * Functions and arrays used in one file and defined in another, and arrays
 * other files may use: their names.
 * Helpers a class_init hands its class to go to helpers: any function taking a
 * class looks like one (device_class_set_parent_realize, object_class_*), so
 * only the file that defines the function is wanted, not every caller.
 */
static void cross_file_names(const mc_conv *conv, const mc_model *m, mc_map *tokens, mc_map *helpers)
{
	for (size_t f = 0; f < m->nfacts; f++) {
		const mc_facts *fa = m->facts[f];
		for (size_t i = 0; i < fa->ntypes; i++)
			if (fa->types[i].class_init && !facts_attach(fa, fa->types[i].class_init))
				add_name(tokens, fa->types[i].class_init);
		for (size_t i = 0; i < fa->nvpci; i++) {
			if (fa->vpci[i].class_init && !facts_attach(fa, fa->vpci[i].class_init))
				add_name(tokens, fa->vpci[i].class_init);
			/* The class_init the conventions give a generated type (QEMU's generic one). */
			const char *generated[MC_CONV_RECORD_NAMES] = { fa->vpci[i].generic_name, fa->vpci[i].transitional_name,
									fa->vpci[i].non_transitional_name };
			for (int k = 0; k < MC_CONV_RECORD_NAMES; k++)
				if (generated[k] && conv->record.class_inits[k])
					add_name(tokens, conv->record.class_inits[k]);
		}
		/* A non-static array may be attached in another file (migration_properties, used by
		 * migration.c's class_init): without that file its properties belong to no type. */
		for (size_t i = 0; i < fa->narrays; i++)
			if (!fa->arrays[i].is_static)
				add_name(tokens, fa->arrays[i].name);
		/* An attach through class_data names a record field, not an array: the records name the arrays. */
		for (size_t i = 0; i < fa->nattaches; i++)
			if (!fa->attaches[i].from_class_data && !facts_array(fa, fa->attaches[i].array))
				add_name(fa->attaches[i].via_call ? helpers : tokens, fa->attaches[i].array);
		for (size_t i = 0; i < fa->ntypes; i++)
			for (size_t d = 0; d < fa->types[i].data_arrays.n; d++) {
				const char *eq = strchr(fa->types[i].data_arrays.v[d], '=');
				if (eq && !facts_array(fa, eq + 1))
					add_name(tokens, eq + 1);
			}
	}
}

static int searched_once(mc_slice *s, char kind, const char *name)
{
	char *key = mc_sprintf("%c %s", kind, name);
	int done = mc_map_get(&s->searched, key) != NULL;
	if (!done)
		mc_map_put(&s->searched, key, (void *)1);
	free(key);
	return done;
}

/* Roots: their subtypes and the proxies that alias them are roots too. */
static void close_roots(const mc_model *ms[2], mc_map *roots)
{
	for (int changed = 1; changed;) {
		changed = 0;
		for (int k = 0; k < 2; k++)
			for (size_t i = 0; i < ms[k]->ntypes; i++) {
				const mc_type *t = ms[k]->type_list[i];
				if (mc_map_get(roots, t->name))
					continue;
				int in = t->parent_name && mc_map_get(roots, t->parent_name);
				for (size_t a = 0; a < t->aliases.n && !in; a++)
					in = mc_map_get(roots, t->aliases.v[a]) != NULL;
				if (in) {
					add_name(roots, t->name);
					changed = 1;
				}
			}
	}
}

/* Names a growth step looks for; each map's keys are names, its values 1. */
typedef struct {
	mc_map roots;       /* types whose record differs or is missing, their subtypes and proxies */
	mc_map props;       /* properties that differ somewhere */
	mc_map chains;      /* ancestors and aliases: the file registering each is needed */
	mc_map tokens;      /* functions and arrays used in one file, defined in another */
	mc_map helpers;     /* functions a class_init hands its class to: their definitions */
} grow_names;

/* Types of one side missing on the other or recorded differently; every parent and alias. */
static void changed_types(const mc_model *ms[2], grow_names *g)
{
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < ms[k]->ntypes; i++) {
			const mc_type *t = ms[k]->type_list[i];
			const mc_type *o = mc_model_type(ms[1 - k], t->name);
			int root = !o;
			if (!root) {
				char *a = type_record(t), *b = type_record(o);
				root = strcmp(a, b) != 0;
				free(a);
				free(b);
			}
			if (root && !mc_map_get(&g->roots, t->name))
				diag("changed type %s (%s)", t->name, t->file);
			if (root)
				add_name(&g->roots, t->name);
			add_name(&g->chains, t->parent_name);
			/* A Rust type takes its parent from the C registration of its name: that file is needed. */
			if (!t->parent_name && t->parent_binding)
				add_name(&g->chains, t->name);
			for (size_t a = 0; a < t->aliases.n; a++)
				add_name(&g->chains, t->aliases.v[a]);
		}
}

/*
 * Types of m declaring a changed property are roots.  Other declarers are
 * found by the property's spelling, so it must be searchable.
 */
static void prop_declarers(mc_slice *s, const mc_model *m, grow_names *g)
{
	for (size_t i = 0; i < m->ntypes; i++) {
		const mc_type *t = m->type_list[i];
		for (size_t p = 0; p < t->nprops; p++) {
			if (!mc_map_get(&g->props, t->props[p].prop->name))
				continue;
			if (!mc_map_get(&g->roots, t->name))
				diag("type %s declares %s", t->name, t->props[p].prop->name);
			add_name(&g->roots, t->name);
			if (!file_spells(s, t->props[p].file, t->props[p].prop->name)) {
				diag("property %s of %s is not spelled in %s: parsing everything", t->props[p].prop->name,
				     t->name, t->props[p].file);
				s->exact = 0;
			}
		}
	}
}

/*
 * Is root the default parent of the conventions' multi-type record
 * (virtio-pci for VirtioPCIDeviceTypeInfo), or an ancestor of it?  The types
 * such a record registers do not write their parent's name: their files are
 * found by the record's.
 */
static int parents_records(const mc_slice *s, const mc_model *ms[2], const char *root)
{
	const mc_conv_record *r = &s->trees[1]->conv->record;
	if (!r->record || !r->parent)
		return 0;
	if (strcmp(root, r->parent) == 0)
		return 1;
	for (int k = 0; k < 2; k++) {
		const mc_type *p = mc_model_type(ms[k], r->parent);
		if (p && mc_type_is_a(p, root))
			return 1;
	}
	return 0;
}

/*
 * Is root the parent of the types a table-type line registers (arm-cpu for
 * ARMCPUInfo), or an ancestor of it?  Their tables name neither the parent
 * nor the types (target/arm/tcg/cpu-v7m.c): the files writing the struct's
 * name are selected.
 */
static void search_table_records(mc_slice *s, const mc_model *ms[2], const char *root, size_t *added)
{
	const mc_conv *conv = s->trees[1]->conv;
	for (size_t i = 0; i < conv->ntable_types; i++) {
		const mc_conv_table_type *tt = &conv->table_types[i];
		int below = strcmp(root, tt->parent) == 0;
		for (int k = 0; k < 2 && !below; k++) {
			const mc_type *p = mc_model_type(ms[k], tt->parent);
			below = p && mc_type_is_a(p, root);
		}
		if (below && !searched_once(s, 't', tt->record))
			search_token(s, tt->record, added);
	}
}

/* Selects the files writing each root; a root its file does not spell is searched by its pieces. */
static void search_roots(mc_slice *s, const mc_model *ms[2], const mc_map *roots, size_t *added)
{
	MC_MAP_FOREACH(roots, i) {
		const char *name = roots->keys[i];
		if (searched_once(s, 'r', name))
			continue;
		size_t before = *added;
		search_name(s, name, 0, added);
		const char *record = s->trees[1]->conv->record.record;
		if (parents_records(s, ms, name) && !searched_once(s, 't', record))
			search_token(s, record, added);
		search_table_records(s, ms, name, added);
		for (int k = 0; k < 2; k++) {
			const mc_type *t = mc_model_type(ms[k], name);
			if (t && !file_spells(s, t->file, name))
				search_pieces(s, k, t->file, name, added);
		}
		if (*added > before)
			diag("type %s: %zu files", name, *added - before);
	}
}

/*
 * Selects the file registering each ancestor: first the files writing its
 * name on a name line; if that found no such type, on a later step, every
 * file writing it when they are few (MAX_WIDENING).
 */
static void search_chains(mc_slice *s, const mc_model *ms[2], const grow_names *g, size_t *added)
{
	MC_MAP_FOREACH(&g->chains, i) {
		const char *name = g->chains.keys[i];
		if (mc_map_get(&g->roots, name))
			continue;
		char *key = mc_sprintf("c %s", name);
		size_t state = (size_t)mc_map_get(&s->searched, key);
		int found = mc_model_type(ms[0], name) || mc_model_type(ms[1], name);
		size_t before = *added;
		if (state == 0) {
			search_name(s, name, 1, added);
			mc_map_put(&s->searched, key, (void *)CHAIN_NAME_LINES);
		} else if (state == CHAIN_NAME_LINES && !found && unselected_mentions(s, name) <= MAX_WIDENING) {
			/* Registered in a way the name lines do not show: every file writing it. */
			search_name(s, name, 0, added);
			mc_map_put(&s->searched, key, (void *)CHAIN_EVERY_MENTION);
		}
		if (*added > before)
			diag("ancestor %s: %zu files", name, *added - before);
		free(key);
	}
}

/*
 * Searches each name of names once: kind 'p' the files writing a spelling
 * of a property, 't' those writing a token, 'h' those defining a helper.
 */
static void search_each(mc_slice *s, const mc_map *names, char kind, size_t *added)
{
	const char *what = kind == 'p' ? "property" : kind == 't' ? "name" : "helper";
	MC_MAP_FOREACH(names, i) {
		const char *name = names->keys[i];
		size_t before = *added;
		if (!searched_once(s, kind, name)) {
			if (kind == 'p')
				search_name(s, name, 0, added);
			else if (kind == 't')
				search_token(s, name, added);
			else
				search_definition(s, name, added);
		}
		if (*added > before)
			diag("%s %s: %zu files", what, name, *added - before);
	}
}

size_t mc_slice_grow(mc_slice *s, const mc_model *bm, const mc_model *hm)
{
	if (!s->exact)
		return 0;
	const mc_model *ms[2] = { bm, hm };
	grow_names g;
	memset(&g, 0, sizeof(g));
	changed_types(ms, &g);
	changed_entries(ms, &g.roots, &g.props, &g.chains);
	changed_props(ms, &g.props);
	for (int k = 0; k < 2; k++) {
		cross_file_names(s->trees[k]->conv, ms[k], &g.tokens, &g.helpers);
		prop_declarers(s, ms[k], &g);
	}
	close_roots(ms, &g.roots);

	size_t added = 0;
	search_roots(s, ms, &g.roots, &added);
	search_each(s, &g.props, 'p', &added);
	search_chains(s, ms, &g, &added);
	search_each(s, &g.tokens, 't', &added);
	search_each(s, &g.helpers, 'h', &added);
	mc_map_free(&g.roots);
	mc_map_free(&g.props);
	mc_map_free(&g.chains);
	mc_map_free(&g.tokens);
	mc_map_free(&g.helpers);
	mc_strvec_sort(&s->paths);
	diag("%zu files added, %zu selected", added, s->paths.n);
	return s->exact ? added : 0;
}
