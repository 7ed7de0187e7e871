/*
 * fix.c - see fix.h.
 *
 * The patch is built from edits, each replacing old lines [from, to) of one
 * file with new lines, one edit per array; an edit that would overlap another
 * (two arrays on one line) is dropped and reported.  Hunks carry three lines
 * of context as diff -u does, merged when close.  Searches run over code only
 * (util/cscan.h tells it apart): a name or a brace in a comment or a string is
 * not the array.
 */
#include "report/fix.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "util/cscan.h"

#define FIX_CONTEXT 3
#define FIX_MAX_FILE (64u << 20)

typedef struct {
	const char *p;
	size_t len;
} line_ref;

typedef struct {
	size_t from, to;        /* old lines replaced, 0-based, to exclusive */
	mc_strvec lines;        /* new lines, without '\n' */
} edit;

/* One array that receives entries. */
typedef struct {
	const char *file, *array;
	mc_strvec entries;      /* "{ "t", "p", "v" }," in finding order, no repeats */
} target;

static size_t split_lines(const char *text, size_t len, line_ref **out)
{
	size_t n = 0, cap = 0;
	line_ref *v = NULL;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		line_ref *slot = MC_VEC_PUSH(v, n, cap);
		slot->p = p;
		slot->len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		p = nl ? nl + 1 : end;
	}
	*out = v;
	return n;
}

static int is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* What each byte of a file is, so that searches see code and never comments. */
enum { CH_CODE = 0, CH_STRING, CH_COMMENT };

/* The class of every byte of text (and a 0 after it); header names count as strings. */
static char *classify(const char *text, size_t len)
{
	char *cls = mc_calloc(len + 1, 1);
	mc_cscan c;
	mc_ctok t;
	mc_cscan_init(&c, text, len, 0);
	while (mc_cscan_next(&c, &t) != MC_CTOK_END) {
		if (t.kind == MC_CTOK_COMMENT)
			memset(cls + (t.p - text), CH_COMMENT, t.len);
		else if (t.kind == MC_CTOK_STRING || t.kind == MC_CTOK_CHAR || t.kind == MC_CTOK_HEADER)
			memset(cls + (t.p - text), CH_STRING, t.len);
	}
	return cls;
}

/* Offset of the '=' of the next "name[] =" in code at or after from, or -1. */
static long find_definition(const char *text, const char *cls, size_t len, const char *name, size_t from)
{
	size_t nlen = strlen(name);
	if (nlen == 0 || from >= len)
		return -1;
	for (const char *p = text + from; (p = memmem(p, len - (size_t)(p - text), name, nlen)); p += nlen) {
		size_t at = (size_t)(p - text);
		if (cls[at] != CH_CODE || (p > text && is_ident(p[-1])))
			continue;
		const char *q = p + nlen, *end = text + len;
		const char *want = "[]=";
		for (; *want && q < end; q++) {
			if (isspace((unsigned char)*q) || cls[q - text] == CH_COMMENT)
				continue;
			if (*q != *want)
				break;
			want++;
		}
		if (!*want)
			return (long)(q - 1 - text);
	}
	return -1;
}

/*
 * Offsets of the array's '{' and matching '}' in code after the '=' at from:
 * 0, or -1 when a ';' or a '}' comes first or the braces do not balance.
 */
static int find_braces(const char *text, size_t len, size_t from, size_t *open, size_t *close)
{
	mc_cscan c;
	mc_ctok t, end;
	mc_cscan_init(&c, text + from, len - from, MC_CSCAN_CODE);
	while (mc_cscan_next(&c, &t) != MC_CTOK_END) {
		if (t.kind != MC_CTOK_PUNCT)
			continue;
		if (*t.p == '{') {
			if (mc_cscan_match(&c, &t, &end) < 0)
				return -1;
			*open = (size_t)(t.p - text);
			*close = (size_t)(end.p - text);
			return 0;
		}
		if (*t.p == '}' || *t.p == ';')
			return -1;
	}
	return -1;
}

static size_t line_of(const line_ref *lines, size_t n, const char *text, size_t off)
{
	size_t lo = 0, hi = n;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if ((size_t)(lines[mid].p - text) <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Leading whitespace of the last entry line of the array, or four spaces. */
static char *entry_indent(const line_ref *lines, size_t first, size_t last)
{
	for (size_t i = last; i > first; i--) {
		const line_ref *l = &lines[i - 1];
		size_t k = 0;
		while (k < l->len && (l->p[k] == ' ' || l->p[k] == '\t'))
			k++;
		if (k > 0 && k < l->len && l->p[k] == '{')
			return mc_strndup(l->p, k);
	}
	return mc_strdup("    ");
}

/* Is this exact entry (ignoring spaces and comments) already inside [open, close)? */
static int already_there(const char *text, const char *cls, size_t open, size_t close, const char *entry)
{
	mc_buf want = {0}, have = {0};
	for (const char *p = entry; *p; p++)
		if (!isspace((unsigned char)*p) && *p != ',')
			mc_buf_put(&want, p, 1);
	for (size_t i = open + 1; i < close; i++)
		if (cls[i] != CH_COMMENT && !isspace((unsigned char)text[i]) && text[i] != ',')
			mc_buf_put(&have, text + i, 1);
	int found = want.len && have.len && strstr(have.ptr, want.ptr) != NULL;
	mc_buf_free(&want);
	mc_buf_free(&have);
	return found;
}

/* The array's braces: the first definition of t->array in code whose initializer is well formed. */
static int locate_array(const target *t, const char *text, const char *cls, size_t len, size_t *open, size_t *close)
{
	for (long eq = find_definition(text, cls, len, t->array, 0); eq >= 0;
	     eq = find_definition(text, cls, len, t->array, (size_t)eq + 1))
		if (find_braces(text, len, (size_t)eq, open, close) == 0)
			return 0;
	return -1;
}

static int skip_target(const target *t, mc_strvec *skipped, const char *why)
{
	mc_strvec_push_owned(skipped, mc_sprintf("%s: %s[] %s: add the entries by hand", t->file, t->array, why));
	return 1;
}

/*
 * The edit that adds t's entries to its array in text; 0, or 1 (nothing to
 * do, or a reason in skipped when the array cannot be edited safely).  New
 * lines end like the array's closing line (CRLF files stay CRLF).
 */
static int plan_edit(const target *t, const char *text, const char *cls, size_t len, const line_ref *lines,
		     size_t nlines, edit *e, mc_strvec *skipped)
{
	size_t open = 0, close = 0;
	if (locate_array(t, text, cls, len, &open, &close) < 0) {
		for (size_t i = 0; i < t->entries.n; i++)
			mc_strvec_push_owned(skipped, mc_sprintf("%s: no definition of %s[] found: add %s by hand", t->file,
								 t->array, t->entries.v[i]));
		return 1;
	}
	size_t lo = line_of(lines, nlines, text, open), lc = line_of(lines, nlines, text, close);
	const line_ref *cl = &lines[lc];
	const char *eol = cl->len && cl->p[cl->len - 1] == '\r' ? "\r" : "";
	memset(e, 0, sizeof(*e));
	mc_strvec add = {0};
	for (size_t i = 0; i < t->entries.n; i++)
		if (!already_there(text, cls, open, close, t->entries.v[i]))
			mc_strvec_push_owned(&add, mc_sprintf("%s%s", t->entries.v[i], eol));
	if (add.n == 0)
		return 1;
	/* The last code character inside the braces: '{' (empty), ',' or the end of an entry. */
	size_t last = close;
	while (last > open + 1 && (cls[last - 1] == CH_COMMENT || isspace((unsigned char)text[last - 1])))
		last--;
	last--;
	size_t ll = line_of(lines, nlines, text, last);
	int rc = 0;
	char *indent = entry_indent(lines, lo, lc);
	if (lo == lc) {
		/* "GlobalProperty hw_compat_10_1[] = {};": open it up. */
		if (last != open) {
			rc = skip_target(t, skipped, "is written on one line");
			goto out;
		}
		const line_ref *l = &lines[lo];
		e->from = lo;
		e->to = lo + 1;
		mc_strvec_push_owned(&e->lines, mc_sprintf("%.*s%s", (int)(open + 1 - (size_t)(l->p - text)), l->p, eol));
		for (size_t i = 0; i < add.n; i++)
			mc_strvec_push_owned(&e->lines, mc_sprintf("%s%s", indent, add.v[i]));
		mc_strvec_push_owned(&e->lines, mc_strndup(text + close, l->len - (close - (size_t)(l->p - text))));
		goto out;
	}
	for (const char *p = cl->p; p < text + close; p++)
		if (!isspace((unsigned char)*p) && cls[p - text] != CH_COMMENT) {
			rc = skip_target(t, skipped, "ends on a line with entries");
			goto out;
		}
	if (text[last] == ',' || last == open) {
		e->from = e->to = lc;
	} else if (ll == lo) {
		rc = skip_target(t, skipped, "has an entry on its opening line");
		goto out;
	} else {
		/* The last entry lacks its comma: add it right after the entry, before any comment. */
		const line_ref *l = &lines[ll];
		size_t at = last + 1 - (size_t)(l->p - text);
		e->from = ll;
		e->to = lc;
		mc_strvec_push_owned(&e->lines, mc_sprintf("%.*s,%.*s", (int)at, l->p, (int)(l->len - at), l->p + at));
		for (size_t i = ll + 1; i < lc; i++)
			mc_strvec_push_owned(&e->lines, mc_strndup(lines[i].p, lines[i].len));
	}
	for (size_t i = 0; i < add.n; i++)
		mc_strvec_push_owned(&e->lines, mc_sprintf("%s%s", indent, add.v[i]));
out:
	free(indent);
	mc_strvec_free(&add);
	if (rc)
		mc_strvec_free(&e->lines);
	return rc;
}

static void put_line(FILE *out, char tag, const line_ref *l, int last_without_newline)
{
	fprintf(out, "%c%.*s\n", tag, (int)l->len, l->p);
	if (last_without_newline)
		fputs("\\ No newline at end of file\n", out);
}

/* Writes the hunks of one file's sorted, disjoint edits. */
static void write_hunks(FILE *out, const char *path, const line_ref *lines, size_t n, int ends_with_newline,
			edit *edits, size_t nedits)
{
	fprintf(out, "diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n", path, path, path, path);
	long shift = 0;   /* new line numbers run ahead of old ones by this much */
	for (size_t i = 0; i < nedits;) {
		size_t j = i;
		while (j + 1 < nedits && edits[j + 1].from <= edits[j].to + 2 * FIX_CONTEXT)
			j++;
		size_t start = edits[i].from > FIX_CONTEXT ? edits[i].from - FIX_CONTEXT : 0;
		size_t end = edits[j].to + FIX_CONTEXT < n ? edits[j].to + FIX_CONTEXT : n;
		size_t old_count = end - start, new_count = old_count;
		for (size_t k = i; k <= j; k++)
			new_count = new_count - (edits[k].to - edits[k].from) + edits[k].lines.n;
		fprintf(out, "@@ -%zu,%zu +%ld,%zu @@\n", old_count ? start + 1 : start, old_count,
			(long)(new_count ? start + 1 : start) + shift, new_count);
		size_t line = start;
		for (size_t k = i; k <= j; k++) {
			for (; line < edits[k].from; line++)
				put_line(out, ' ', &lines[line], line + 1 == n && !ends_with_newline);
			for (; line < edits[k].to; line++)
				put_line(out, '-', &lines[line], line + 1 == n && !ends_with_newline);
			for (size_t m = 0; m < edits[k].lines.n; m++)
				fprintf(out, "+%s\n", edits[k].lines.v[m]);
			shift += (long)edits[k].lines.n - (long)(edits[k].to - edits[k].from);
		}
		for (; line < end; line++)
			put_line(out, ' ', &lines[line], line + 1 == n && !ends_with_newline);
		i = j + 1;
	}
}

static int cmp_edit(const void *a, const void *b)
{
	const edit *x = a, *y = b;
	return x->from < y->from ? -1 : x->from > y->from;
}

/* Text a patch can carry as it is: no control characters, quotes or backslashes (git would quote them). */
static int plain_text(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

/* The patch for one file: every target whose file it is. */
static int fix_file(FILE *out, mc_fix_reader read, void *ctx, const char *path, target *ts, size_t nts,
		    mc_strvec *skipped)
{
	char *text;
	size_t len;
	if (!plain_text(path)) {
		mc_strvec_push_owned(skipped, mc_strdup("a file whose name has quotes or control characters: add its "
							"entries by hand"));
		return 0;
	}
	if (read(ctx, path, &text, &len) < 0) {
		mc_error_clear();
		for (size_t i = 0; i < nts; i++)
			if (strcmp(ts[i].file, path) == 0)
				mc_strvec_push_owned(skipped, mc_sprintf("%s: cannot read the file of %s", path, ts[i].array));
		return 0;
	}
	line_ref *lines;
	size_t n = split_lines(text, len, &lines);
	char *cls = classify(text, len);
	edit *edits = NULL;
	size_t nedits = 0, cap = 0;
	for (size_t i = 0; i < nts; i++) {
		if (strcmp(ts[i].file, path) != 0)
			continue;
		edit e;
		if (plan_edit(&ts[i], text, cls, len, lines, n, &e, skipped) == 0)
			*MC_VEC_PUSH(edits, nedits, cap) = e;
	}
	if (nedits) {
		qsort(edits, nedits, sizeof(*edits), cmp_edit);
		/* Two arrays sharing a line would give overlapping edits: keep the first. */
		size_t kept = 1;
		for (size_t i = 1; i < nedits; i++) {
			if (edits[i].from < edits[kept - 1].to ||
			    (edits[i].from == edits[kept - 1].from && edits[i].to == edits[kept - 1].to)) {
				mc_strvec_push_owned(skipped, mc_sprintf("%s: two arrays share line %zu: add the entries of "
									 "the second by hand", path, edits[i].from + 1));
				mc_strvec_free(&edits[i].lines);
			} else {
				edits[kept++] = edits[i];
			}
		}
		nedits = kept;
		write_hunks(out, path, lines, n, len > 0 && text[len - 1] == '\n', edits, nedits);
	}
	for (size_t i = 0; i < nedits; i++)
		mc_strvec_free(&edits[i].lines);
	free(edits);
	free(lines);
	free(cls);
	free(text);
	return 0;
}

/* An entry's text: printable, so it cannot break the patch (quotes are C's own here). */
static int plain_entry(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* Findings whose suggestion is an entry to add. */
static int fixable(const mc_finding *f)
{
	static const char *const rules[] = { "compat-missing", "compat-uncovered-type", "compat-wrong-array",
					     "new-property-enabled", "vmstate-ungated" };
	if (f->suppressed || !f->suggestion || !f->suggestion_array || !f->suggestion_file)
		return 0;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strcmp(f->rule, rules[i]) == 0)
			return f->severity > MC_SEV_NOTE;
	return 0;
}

int mc_fix_read_snapshot(void *snapshot, const char *path, char **text, size_t *len)
{
	const mc_snapshot *head = snapshot;
	const mc_file *f = mc_snapshot_find(head, path);
	if (!f) {
		mc_error_set("%s is not in %s", path, head->label);
		return MC_ENOTFOUND;
	}
	return mc_snapshot_read(head, f, FIX_MAX_FILE, text, len);
}

int mc_fix_write(FILE *out, const mc_findings *fs, mc_fix_reader read, void *ctx, mc_strvec *skipped)
{
	target *ts = NULL;
	size_t nts = 0, cap = 0;
	mc_strvec files = {0};
	for (size_t i = 0; i < fs->n; i++) {
		const mc_finding *f = &fs->v[i];
		if (fixable(f) && !plain_entry(f->suggestion)) {
			mc_strvec_push_owned(skipped, mc_sprintf("%s:%d: the entry for %s has control characters: add it by "
								 "hand", f->file, f->line, f->rule));
			continue;
		}
		if (fixable(f) && !*f->suggestion_file) {
			mc_strvec_push_owned(skipped, mc_sprintf("%s:%d: no compat array to add %s to", f->file, f->line,
								 f->suggestion));
			continue;
		}
		if (!fixable(f)) {
			if (!f->suppressed && f->severity > MC_SEV_NOTE && (!f->suggestion || !f->suggestion_array))
				mc_strvec_push_owned(skipped, mc_sprintf("%s:%d: %s has no automatic fix (%s.%s): see "
									 "migcompat --explain %s",
									 f->file, f->line, f->rule, f->type ? f->type : "",
									 f->property ? f->property : "", f->rule));
			continue;
		}
		target *t = NULL;
		for (size_t k = 0; k < nts && !t; k++)
			if (strcmp(ts[k].file, f->suggestion_file) == 0 && strcmp(ts[k].array, f->suggestion_array) == 0)
				t = &ts[k];
		if (!t) {
			t = MC_VEC_PUSH(ts, nts, cap);
			t->file = f->suggestion_file;
			t->array = f->suggestion_array;
			if (!mc_strvec_contains(&files, t->file))
				mc_strvec_push(&files, t->file);
		}
		if (!mc_strvec_contains(&t->entries, f->suggestion))
			mc_strvec_push(&t->entries, f->suggestion);
	}
	mc_strvec_sort(&files);
	int rc = 0;
	for (size_t i = 0; i < files.n && rc == 0; i++)
		rc = fix_file(out, read, ctx, files.v[i], ts, nts, skipped);
	for (size_t i = 0; i < nts; i++)
		mc_strvec_free(&ts[i].entries);
	free(ts);
	mc_strvec_free(&files);
	if (rc == 0 && ferror(out)) {
		mc_error_set("cannot write the patch");
		rc = MC_EIO;
	}
	return rc;
}
