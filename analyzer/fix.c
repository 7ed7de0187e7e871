/*
 * fix.c - see fix.h.
 *
 * The patch is built from edits, each replacing old lines [from, to) of one
 * file with new lines; edits of one file never overlap (one per array), and
 * hunks carry three lines of context as diff -u does, merged when close.
 */
#include "fix.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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

/* Offset of the '=' of "name[] =" in text, or -1. */
static long find_definition(const char *text, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	for (const char *p = text; (p = memmem(p, len - (size_t)(p - text), name, nlen)); p += nlen) {
		if (p > text && is_ident(p[-1]))
			continue;
		const char *q = p + nlen, *end = text + len;
		while (q < end && isspace((unsigned char)*q))
			q++;
		if (q >= end || *q != '[')
			continue;
		q++;
		while (q < end && isspace((unsigned char)*q))
			q++;
		if (q >= end || *q != ']')
			continue;
		q++;
		while (q < end && isspace((unsigned char)*q))
			q++;
		if (q < end && *q == '=')
			return (long)(q - text);
	}
	return -1;
}

/* Offsets of the array's '{' and matching '}', skipping strings and comments; 0 or -1. */
static int find_braces(const char *text, size_t len, size_t from, size_t *open, size_t *close)
{
	int depth = 0;
	for (size_t i = from; i < len; i++) {
		char c = text[i];
		if (c == '"' || c == '\'') {
			for (i++; i < len && text[i] != c; i++)
				if (text[i] == '\\')
					i++;
		} else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
			const char *e = memmem(text + i + 2, len - i - 2, "*/", 2);
			if (!e)
				return -1;
			i = (size_t)(e - text) + 1;
		} else if (c == '/' && i + 1 < len && text[i + 1] == '/') {
			while (i < len && text[i] != '\n')
				i++;
		} else if (c == '{') {
			if (depth++ == 0)
				*open = i;
		} else if (c == '}') {
			if (depth == 0)
				return -1;
			if (--depth == 0) {
				*close = i;
				return 0;
			}
		} else if (c == ';' && depth == 0) {
			return -1;
		}
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

static int blank(const line_ref *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (!isspace((unsigned char)l->p[i]))
			return 0;
	return 1;
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

/* Is this exact entry (ignoring spaces) already inside [open, close)? */
static int already_there(const char *text, size_t open, size_t close, const char *entry)
{
	mc_buf want = {0}, have = {0};
	for (const char *p = entry; *p; p++)
		if (!isspace((unsigned char)*p) && *p != ',')
			mc_buf_put(&want, p, 1);
	for (size_t i = open + 1; i < close; i++)
		if (!isspace((unsigned char)text[i]) && text[i] != ',')
			mc_buf_put(&have, text + i, 1);
	int found = want.len && have.len && strstr(have.ptr, want.ptr) != NULL;
	mc_buf_free(&want);
	mc_buf_free(&have);
	return found;
}

/*
 * The edit that adds t's entries to its array in text; 0, or 1 with a reason
 * in skipped when the array cannot be edited safely.
 */
static int plan_edit(const target *t, const char *text, size_t len, const line_ref *lines, size_t nlines, edit *e,
		     mc_strvec *skipped)
{
	long eq = find_definition(text, len, t->array);
	size_t open = 0, close = 0;
	if (eq < 0 || find_braces(text, len, (size_t)eq, &open, &close) < 0) {
		for (size_t i = 0; i < t->entries.n; i++)
			mc_strvec_push_owned(skipped, mc_sprintf("%s: no definition of %s[] found: add %s by hand", t->file,
								 t->array, t->entries.v[i]));
		return 1;
	}
	size_t lo = line_of(lines, nlines, text, open), lc = line_of(lines, nlines, text, close);
	memset(e, 0, sizeof(*e));
	mc_strvec add = {0};
	for (size_t i = 0; i < t->entries.n; i++)
		if (!already_there(text, open, close, t->entries.v[i]))
			mc_strvec_push(&add, t->entries.v[i]);
	if (add.n == 0)
		return 1;
	char *indent = entry_indent(lines, lo, lc);
	if (lo == lc) {
		/* "GlobalProperty hw_compat_10_1[] = {};": open it up. */
		const line_ref *l = &lines[lo];
		size_t at = open - (size_t)(l->p - text);
		int empty = 1;
		for (size_t i = open + 1; i < close; i++)
			empty &= isspace((unsigned char)text[i]) != 0;
		if (!empty) {
			mc_strvec_push_owned(skipped, mc_sprintf("%s: %s[] is written on one line: add the entries by hand",
								 t->file, t->array));
			free(indent);
			mc_strvec_free(&add);
			return 1;
		}
		e->from = lo;
		e->to = lo + 1;
		mc_strvec_push_owned(&e->lines, mc_strndup(l->p, at + 1));
		for (size_t i = 0; i < add.n; i++)
			mc_strvec_push_owned(&e->lines, mc_sprintf("%s%s", indent, add.v[i]));
		mc_strvec_push_owned(&e->lines, mc_strndup(text + close, l->len - (close - (size_t)(l->p - text))));
	} else {
		/* Before the closing line; the last entry gets a comma if it lacks one. */
		const line_ref *cl = &lines[lc];
		for (const char *p = cl->p; p < text + close; p++)
			if (!isspace((unsigned char)*p)) {
				mc_strvec_push_owned(skipped, mc_sprintf("%s: %s[] ends on a line with entries: add the "
									 "entries by hand", t->file, t->array));
				free(indent);
				mc_strvec_free(&add);
				return 1;
			}
		size_t last = lc;
		while (last > lo + 1 && blank(&lines[last - 1]))
			last--;
		const line_ref *prev = &lines[last - 1];
		size_t plen = prev->len;
		while (plen > 0 && isspace((unsigned char)prev->p[plen - 1]))
			plen--;
		if (last - 1 > lo && plen > 0 && prev->p[plen - 1] == '}') {
			e->from = last - 1;
			e->to = lc;
			mc_strvec_push_owned(&e->lines, mc_sprintf("%.*s,", (int)plen, prev->p));
			for (size_t i = 0; i < add.n; i++)
				mc_strvec_push_owned(&e->lines, mc_sprintf("%s%s", indent, add.v[i]));
			for (size_t i = last; i < lc; i++)
				mc_strvec_push_owned(&e->lines, mc_strndup(lines[i].p, lines[i].len));
		} else {
			e->from = e->to = lc;
			for (size_t i = 0; i < add.n; i++)
				mc_strvec_push_owned(&e->lines, mc_sprintf("%s%s", indent, add.v[i]));
		}
	}
	free(indent);
	mc_strvec_free(&add);
	return 0;
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

/* The patch for one file: every target whose file it is. */
static int fix_file(FILE *out, const mc_snapshot *head, const char *path, target *ts, size_t nts, mc_strvec *skipped)
{
	const mc_file *f = mc_snapshot_find(head, path);
	char *text;
	size_t len;
	if (!f || mc_snapshot_read(head, f, FIX_MAX_FILE, &text, &len) < 0) {
		mc_error_clear();
		for (size_t i = 0; i < nts; i++)
			if (strcmp(ts[i].file, path) == 0)
				mc_strvec_push_owned(skipped, mc_sprintf("%s: cannot read the file of %s", path, ts[i].array));
		return 0;
	}
	line_ref *lines;
	size_t n = split_lines(text, len, &lines);
	edit *edits = NULL;
	size_t nedits = 0, cap = 0;
	for (size_t i = 0; i < nts; i++) {
		if (strcmp(ts[i].file, path) != 0)
			continue;
		edit e;
		if (plan_edit(&ts[i], text, len, lines, n, &e, skipped) == 0)
			*MC_VEC_PUSH(edits, nedits, cap) = e;
	}
	if (nedits) {
		qsort(edits, nedits, sizeof(*edits), cmp_edit);
		write_hunks(out, path, lines, n, len > 0 && text[len - 1] == '\n', edits, nedits);
	}
	for (size_t i = 0; i < nedits; i++)
		mc_strvec_free(&edits[i].lines);
	free(edits);
	free(lines);
	free(text);
	return 0;
}

/* Findings whose suggestion is an entry to add. */
static int fixable(const mc_finding *f)
{
	static const char *const rules[] = { "compat-missing", "compat-uncovered-type", "compat-wrong-array",
					     "new-property-enabled" };
	if (f->suppressed || !f->suggestion || !f->suggestion_array || !f->suggestion_file || !*f->suggestion_file)
		return 0;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strcmp(f->rule, rules[i]) == 0)
			return f->severity > MC_SEV_NOTE;
	return 0;
}

int mc_fix_write(FILE *out, const mc_findings *fs, const mc_snapshot *head, mc_strvec *skipped)
{
	target *ts = NULL;
	size_t nts = 0, cap = 0;
	mc_strvec files = {0};
	for (size_t i = 0; i < fs->n; i++) {
		const mc_finding *f = &fs->v[i];
		if (!fixable(f)) {
			if (!f->suppressed && f->severity > MC_SEV_NOTE && !f->suggestion)
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
		rc = fix_file(out, head, files.v[i], ts, nts, skipped);
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
