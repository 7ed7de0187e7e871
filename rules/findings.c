/*
 * findings.c - see findings.h.
 */
#include "rules/findings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

mc_finding *mc_findings_add(mc_findings *fs, const char *rule, mc_severity sev, const char *type,
			    const char *property, const char *file, int line, const char *fmt, ...)
{
	mc_finding *f = MC_VEC_PUSH(fs->v, fs->n, fs->cap);
	f->rule = mc_strdup(rule);
	f->severity = sev;
	f->type = mc_strdup(type);
	f->property = mc_strdup(property);
	f->file = mc_strdup(file ? file : "");
	f->line = line;
	f->changed_line = -1;
	va_list ap;
	va_start(ap, fmt);
	char buf[2048];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	f->message = mc_strdup(buf);
	return f;
}

static int strcmp0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_finding(const void *pa, const void *pb)
{
	const mc_finding *a = pa, *b = pb;
	int c;
	/* "[2/12] ..." before "[10/12] ...": labels compare by their numbers. */
	if ((c = strverscmp(a->commit ? a->commit : "", b->commit ? b->commit : "")))
		return c;
	if ((c = strcmp0(a->file, b->file)))
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if ((c = strcmp0(a->rule, b->rule)))
		return c;
	if ((c = strcmp0(a->type, b->type)))
		return c;
	if ((c = strcmp0(a->property, b->property)))
		return c;
	return strcmp0(a->vmstate, b->vmstate);
}


static void finding_free(mc_finding *f)
{
	free(f->rule);
	free(f->type);
	free(f->owner);
	free(f->property);
	free(f->vmstate);
	free(f->old_value);
	free(f->new_value);
	free(f->file);
	free(f->message);
	mc_strvec_free(&f->notes);
	mc_strvec_free(&f->affected);
	free(f->suggestion);
	free(f->suggestion_array);
	free(f->suggestion_file);
	free(f->commit);
	free(f->cause_file);
	free(f->suppress_reason);
	free(f->suppress_where);
}

void mc_findings_remove(mc_findings *fs, size_t i)
{
	if (i >= fs->n)
		return;
	finding_free(&fs->v[i]);
	memmove(&fs->v[i], &fs->v[i + 1], (fs->n - i - 1) * sizeof(fs->v[0]));
	fs->n--;
	/* MC_VEC_PUSH zeroes only what it grows: the slot freed must not keep the last one's pointers. */
	memset(&fs->v[fs->n], 0, sizeof(fs->v[0]));
}

static int same_group(const mc_finding *a, const mc_finding *b)
{
	return a->owner && b->owner && strcmp(a->owner, b->owner) == 0 && strcmp0(a->rule, b->rule) == 0 &&
	       strcmp0(a->property, b->property) == 0 && strcmp0(a->vmstate, b->vmstate) == 0 &&
	       strcmp0(a->commit, b->commit) == 0;
}

/* Replaces every "old." / "old " in text by the owner's name. */
static char *rename_in(const char *text, const char *old, const char *owner)
{
	mc_buf b = {0};
	size_t n = strlen(old);
	for (const char *p = text; *p;) {
		if (strncmp(p, old, n) == 0 && (p[n] == '.' || p[n] == ' ' || p[n] == ',') &&
		    (p == text || p[-1] == ' ')) {
			mc_buf_puts(&b, owner);
			p += n;
		} else {
			mc_buf_put(&b, p, 1);
			p++;
		}
	}
	return mc_buf_detach(&b);
}

void mc_finding_affects(mc_finding *f, const char *who)
{
	if (who && !mc_strvec_contains(&f->affected, who))
		mc_strvec_push(&f->affected, who);
}

/* Which member of a cause speaks for it: the most severe, then the first type by name. */
static int speaks_before(const mc_finding *a, const mc_finding *b)
{
	if (a->severity != b->severity)
		return a->severity > b->severity;
	return strcmp0(a->type, b->type) < 0;
}

/* Folds the members of one cause (indexes into fs) into the one that speaks for them. */
static void merge_cause(mc_findings *fs, const size_t *members, size_t n, char *drop)
{
	size_t lead = members[0];
	for (size_t k = 1; k < n; k++)
		if (speaks_before(&fs->v[members[k]], &fs->v[lead]))
			lead = members[k];
	mc_finding *f = &fs->v[lead];
	mc_buf list = {0};
	mc_buf_puts(&list, f->type);
	for (size_t k = 0; k < n; k++) {
		mc_finding *m = &fs->v[members[k]];
		for (size_t a = 0; a < m->affected.n; a++)
			mc_finding_affects(f, m->affected.v[a]);
		if (m == f)
			continue;
		mc_buf_printf(&list, ", %s", m->type);
		drop[members[k]] = 1;
	}
	if (n > MC_FINDINGS_FAMILY && strcmp(f->type, f->owner) != 0) {
		char *msg = rename_in(f->message, f->type, f->owner);
		free(f->message);
		f->message = msg;
		free(f->type);
		f->type = mc_strdup(f->owner);
	}
	mc_strvec_push_owned(&f->notes, mc_sprintf("affects %zu concrete types: %s", n, list.ptr));
	mc_buf_free(&list);
}

static void collapse_families(mc_findings *fs)
{
	char *drop = mc_calloc(fs->n ? fs->n : 1, 1);
	size_t *members = mc_calloc(fs->n ? fs->n : 1, sizeof(size_t));
	for (size_t i = 0; i < fs->n; i++) {
		if (drop[i] || !fs->v[i].owner)
			continue;
		size_t n = 0;
		members[n++] = i;
		for (size_t j = i + 1; j < fs->n; j++)
			if (!drop[j] && same_group(&fs->v[i], &fs->v[j]))
				members[n++] = j;
		if (n > 1)
			merge_cause(fs, members, n, drop);
	}
	size_t out = 0;
	for (size_t i = 0; i < fs->n; i++) {
		if (drop[i])
			finding_free(&fs->v[i]);
		else
			fs->v[out++] = fs->v[i];
	}
	fs->n = out;
	free(members);
	free(drop);
}

/* Findings about one compat entry, identified by its value too. */
int mc_finding_is_entry_located(const mc_finding *f)
{
	return strcmp(f->rule, "compat-dangling") == 0 || strcmp(f->rule, "compat-redundant") == 0;
}

/* Replaces control characters (names come from the analyzed tree) so no output can carry escapes. */
static int sanitize(char *s)
{
	int changed = 0;
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			*s = '?';
			changed = 1;
		}
	return changed;
}

static void sanitize_finding(mc_finding *f)
{
	char *fields[] = { f->type, f->owner, f->property, f->vmstate, f->old_value,
			   f->new_value, f->file, f->message, f->commit };
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		sanitize(fields[i]);
	for (size_t i = 0; i < f->notes.n; i++)
		sanitize(f->notes.v[i]);
	for (size_t i = 0; i < f->affected.n; i++)
		sanitize(f->affected.v[i]);
	if (sanitize(f->suggestion)) {
		/* The entry shown is no longer the entry to write: --fix must not add it. */
		free(f->suggestion_array);
		free(f->suggestion_file);
		f->suggestion_array = f->suggestion_file = NULL;
		mc_strvec_push(&f->notes, "the entry names control characters: write it by hand");
	}
}

void mc_findings_finish(mc_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		sanitize_finding(&fs->v[i]);
	collapse_families(fs);
	size_t out = 0;
	for (size_t i = 0; i < fs->n; i++) {
		mc_finding *keep = NULL;
		for (size_t j = 0; j < out && !keep; j++)
			if (strcmp0(fs->v[j].rule, fs->v[i].rule) == 0 && strcmp0(fs->v[j].type, fs->v[i].type) == 0 &&
			    strcmp0(fs->v[j].property, fs->v[i].property) == 0 &&
			    strcmp0(fs->v[j].vmstate, fs->v[i].vmstate) == 0 &&
			    /* Descriptions of one name in two files ("cpu" of each target) are two causes. */
			    (!fs->v[i].vmstate || strcmp0(fs->v[j].file, fs->v[i].file) == 0) &&
			    strcmp0(fs->v[j].commit, fs->v[i].commit) == 0 &&
			    (!mc_finding_is_entry_located(&fs->v[i]) ||
			     strcmp0(fs->v[j].new_value, fs->v[i].new_value) == 0))
				keep = &fs->v[j];
		if (!keep) {
			fs->v[out++] = fs->v[i];
			continue;
		}
		/* The same entry copied into several lists (macro era, i440fx and q35): one finding. */
		if (mc_finding_is_entry_located(keep) && keep->notes.n < 8)
			mc_strvec_push_owned(&keep->notes, mc_sprintf("also at %s:%d", fs->v[i].file, fs->v[i].line));
		finding_free(&fs->v[i]);
	}
	fs->n = out;
	if (fs->n > 1)
		qsort(fs->v, fs->n, sizeof(mc_finding), cmp_finding);
}

/* Are a and b one cause seen in two builds? */
static int same_cause(const mc_finding *a, const mc_finding *b)
{
	/* A description is one cause in both builds, whichever type the build links it to. */
	if (a->vmstate || b->vmstate)
		return strcmp0(a->rule, b->rule) == 0 && strcmp0(a->vmstate, b->vmstate) == 0 &&
		       strcmp0(a->file, b->file) == 0 && strcmp0(a->commit, b->commit) == 0;
	return strcmp0(a->rule, b->rule) == 0 && strcmp0(a->type, b->type) == 0 &&
	       strcmp0(a->property, b->property) == 0 && strcmp0(a->vmstate, b->vmstate) == 0 &&
	       strcmp0(a->old_value, b->old_value) == 0 &&
	       strcmp0(a->new_value, b->new_value) == 0 && strcmp0(a->commit, b->commit) == 0 &&
	       (!mc_finding_is_entry_located(a) || (strcmp0(a->file, b->file) == 0 && a->line == b->line));
}

static mc_finding *find_cause(mc_findings *fs, const mc_finding *f)
{
	for (size_t i = 0; i < fs->n; i++)
		if (same_cause(&fs->v[i], f))
			return &fs->v[i];
	return NULL;
}

/* Drops the compat-redundant findings of into that other does not have: the entry is needed there. */
static void keep_redundant_of_both(mc_findings *into, mc_findings *other)
{
	size_t out = 0;
	for (size_t i = 0; i < into->n; i++) {
		if (strcmp(into->v[i].rule, "compat-redundant") == 0 && !find_cause(other, &into->v[i]))
			finding_free(&into->v[i]);
		else
			into->v[out++] = into->v[i];
	}
	into->n = out;
}

void mc_findings_merge_build(mc_findings *into, mc_findings *other, const char *build)
{
	keep_redundant_of_both(into, other);
	for (size_t i = 0; i < other->n; i++) {
		mc_finding *o = &other->v[i], *same = find_cause(into, o);
		if (!same && strcmp(o->rule, "compat-redundant") != 0) {
			*(mc_finding *)MC_VEC_PUSH(into->v, into->n, into->cap) = *o;
			continue;
		}
		if (same && (strcmp0(same->file, o->file) != 0 || same->line != o->line))
			mc_strvec_push_owned(&same->notes, mc_sprintf("the same in QEMU built with %s, declared at %s:%d",
								      build, o->file, o->line));
		if (same && o->severity > same->severity)
			same->severity = o->severity;
		finding_free(o);
	}
	free(other->v);
	memset(other, 0, sizeof(*other));
	if (into->n > 1)
		qsort(into->v, into->n, sizeof(mc_finding), cmp_finding);
}

void mc_findings_free_items(mc_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		finding_free(&fs->v[i]);
}

void mc_findings_free(mc_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		finding_free(&fs->v[i]);
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}

const char *mc_severity_name(mc_severity s)
{
	switch (s) {
	case MC_SEV_ERROR:
		return "error";
	case MC_SEV_WARNING:
		return "warning";
	default:
		return "note";
	}
}

size_t mc_findings_loud(const mc_findings *fs)
{
	size_t n = 0;
	for (size_t i = 0; i < fs->n; i++)
		n += fs->v[i].severity >= MC_SEV_WARNING && !fs->v[i].suppressed;
	return n;
}

size_t mc_findings_suppressed(const mc_findings *fs)
{
	size_t n = 0;
	for (size_t i = 0; i < fs->n; i++)
		n += fs->v[i].suppressed != MC_SUPPRESS_NONE;
	return n;
}

void mc_findings_anchor(mc_findings *fs, const mc_changed_lines *changed)
{
	for (size_t i = 0; i < fs->n; i++) {
		mc_finding *f = &fs->v[i];
		f->changed_line = changed ? mc_changed_lines_has(changed, f->file, f->line) : -1;
		if (f->changed_line == 1 || !f->cause_file ||
		    mc_changed_lines_has(changed, f->cause_file, f->cause_line) != 1)
			continue;
		mc_strvec_push_owned(&f->notes, mc_sprintf("%s at %s:%d (this finding points at what the change wrote)",
							   mc_finding_is_entry_located(f) ? "the entry is" : "declared",
							   f->file, f->line));
		free(f->file);
		f->file = mc_strdup(f->cause_file);
		f->line = f->cause_line;
		f->changed_line = 1;
	}
	if (fs->n)
		qsort(fs->v, fs->n, sizeof(mc_finding), cmp_finding);
}
