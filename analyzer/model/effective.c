/*
 * effective.c - see effective.h.
 */
#include "model/effective.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void push_subject(mc_subjects *out, const mc_type *t, const mc_type *proxy)
{
	for (size_t i = 0; i < out->n; i++)
		if (out->v[i].type == t && out->v[i].proxy == proxy)
			return;
	mc_subject *s = MC_VEC_PUSH(out->v, out->n, out->cap);
	s->type = t;
	s->proxy = proxy;
}

void mc_subjects_collect(const mc_model *m, const char *prop, mc_subjects *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < m->ntypes; i++) {
		const mc_type *t = m->type_list[i];
		if (t->abstract)
			continue;
		if (mc_type_prop_find(t, prop, NULL))
			push_subject(out, t, NULL);
		/* Instance inits of every ancestor run, so their aliases count. */
		for (const mc_type *a = t; a; a = a->parent)
			for (size_t k = 0; k < a->aliases.n; k++) {
				const mc_type *e = mc_model_type(m, a->aliases.v[k]);
				if (e && mc_type_prop_find(e, prop, NULL))
					push_subject(out, e, t);
			}
	}
}

void mc_subjects_free(mc_subjects *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int mc_subject_find(const mc_model *m, const mc_subject *like, mc_subject *out)
{
	out->type = mc_model_type(m, like->type->name);
	out->proxy = like->proxy ? mc_model_type(m, like->proxy->name) : NULL;
	return out->type && (!like->proxy || out->proxy);
}

char *mc_subject_describe(const mc_subject *s)
{
	if (s->proxy)
		return mc_sprintf("%s inside %s", s->type->name, s->proxy->name);
	return mc_strdup(s->type->name);
}

int mc_type_has_prop(const mc_model *m, const mc_type *t, const char *prop)
{
	if (mc_type_prop_find(t, prop, NULL))
		return 1;
	for (const mc_type *a = t; a; a = a->parent)
		for (size_t k = 0; k < a->aliases.n; k++) {
			const mc_type *e = mc_model_type(m, a->aliases.v[k]);
			if (e && mc_type_prop_find(e, prop, NULL))
				return 1;
		}
	return 0;
}

static int set_applies(const mc_compat_set *s, const char *family, int major, int minor)
{
	if (!s->generic && strcmp(s->family, family) != 0)
		return 0;
	return mc_version_cmp(s->major, s->minor, major, minor) >= 0;
}

int mc_entry_applies(const mc_model *m, const mc_compat_entry *e, const mc_subject *s, const char *prop)
{
	(void)m;
	if (strcmp(e->property, prop) != 0)
		return 0;
	if (mc_type_is_a(s->type, e->driver))
		return 1;
	return s->proxy && mc_type_is_a(s->proxy, e->driver);
}

int mc_effective_get(const mc_model *m, const mc_subject *s, const char *prop, const char *family,
		     int major, int minor, mc_effective *out)
{
	memset(out, 0, sizeof(*out));
	const mc_type_prop *tp = mc_type_prop_find(s->type, prop, NULL);
	if (!tp)
		return MC_ENOTFOUND;
	out->prop = tp->prop;
	out->kind = tp->prop->kind;
	/* The embedded (or bare) object first, then the proxy's aliases. */
	for (int pass = 0; pass < (s->proxy ? 2 : 1); pass++) {
		const mc_type *target = pass ? s->proxy : s->type;
		for (size_t i = 0; i < m->nsets; i++) {
			const mc_compat_set *set = &m->sets[i];
			if (!set_applies(set, family, major, minor))
				continue;
			for (size_t j = 0; j < set->nentries; j++) {
				const mc_compat_entry *e = set->entries[j];
				if (strcmp(e->property, prop) == 0 && mc_type_is_a(target, e->driver)) {
					out->entry = e;
					out->set = set;
				}
			}
		}
	}
	return 0;
}

/*
 * A value of kind `from` seen as `as_kind` after a kind change (uint -> bit,
 * bool -> OnOffAuto): through truth for numbers that became booleans, else
 * through the compat spelling.
 */
static mc_value value_as_kind(mc_kind from, const mc_value *d, mc_kind as_kind)
{
	if (as_kind == MC_KIND_BOOL && d->type == MC_VAL_INT)
		return mc_value_bool(d->i != 0);
	if ((as_kind == MC_KIND_INT || as_kind == MC_KIND_UINT || as_kind == MC_KIND_SIZE) && d->type == MC_VAL_BOOL)
		return mc_value_int(d->i != 0, as_kind != MC_KIND_INT);
	char *text = mc_value_to_compat_string(from, d);
	mc_value v;
	if (mc_value_parse(&v, as_kind, text) < 0)
		mc_value_copy(&v, d);
	free(text);
	return v;
}

mc_value mc_effective_value(const mc_effective *e, mc_kind as_kind)
{
	if (e->entry) {
		mc_value v;
		if (mc_value_parse(&v, as_kind, e->entry->value) == 0)
			return v;
		/* Written for the property's kind at its own revision ("0x0" for a uint that is a bit now). */
		if (e->kind != as_kind && mc_value_parse(&v, e->kind, e->entry->value) == 0) {
			mc_value seen = value_as_kind(e->kind, &v, as_kind);
			mc_value_free(&v);
			return seen;
		}
		return mc_value_symbolic(e->entry->value);
	}
	if (!e->prop->has_default)
		return (mc_value){ MC_VAL_NONE, 0, 0, NULL };
	if (e->kind == as_kind || e->prop->defval.type == MC_VAL_SYMBOLIC) {
		mc_value v;
		mc_value_copy(&v, &e->prop->defval);
		return v;
	}
	return value_as_kind(e->kind, &e->prop->defval, as_kind);
}

char *mc_effective_display(const mc_effective *e)
{
	if (e->entry)
		return mc_strdup(e->entry->value);
	if (!e->prop->has_default)
		return mc_strdup("(none)");
	return mc_value_to_compat_string(e->kind, &e->prop->defval);
}

char *mc_effective_display_as(const mc_effective *e, mc_kind kind)
{
	if (e->entry || e->kind == kind || !e->prop->has_default)
		return mc_effective_display(e);
	mc_value v = mc_effective_value(e, kind);
	char *s = mc_value_to_compat_string(kind, &v);
	mc_value_free(&v);
	return s;
}

int mc_effective_equal(const mc_effective *a, const mc_effective *b)
{
	if (a->entry && b->entry && strcmp(a->entry->value, b->entry->value) == 0)
		return 1;
	mc_kind kind = b->kind;
	mc_value va = mc_effective_value(a, kind), vb = mc_effective_value(b, kind);
	int eq = mc_value_equal(kind, &va, &vb);
	if (eq < 0 && va.type == MC_VAL_SYMBOLIC && vb.type == MC_VAL_SYMBOLIC && va.s && vb.s)
		eq = strcmp(va.s, vb.s) == 0;
	mc_value_free(&va);
	mc_value_free(&vb);
	return eq;
}

static void add_version(mc_version **v, size_t *n, size_t *cap, int major, int minor)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].major == major && (*v)[i].minor == minor)
			return;
	mc_version *slot = MC_VEC_PUSH(*v, *n, *cap);
	slot->major = major;
	slot->minor = minor;
}

static int cmp_version_desc(const void *pa, const void *pb)
{
	const mc_version *a = pa, *b = pb;
	return mc_version_cmp(b->major, b->minor, a->major, a->minor);
}

static int head_defines(const mc_model *head, int major, int minor)
{
	int newest_major = -1, newest_minor = -1;
	for (size_t i = 0; i < head->nsets; i++) {
		if (head->sets[i].major == MC_VERSION_DEFAULTS)
			continue;
		if (head->sets[i].major == major && head->sets[i].minor == minor)
			return 1;
		if (mc_version_cmp(head->sets[i].major, head->sets[i].minor, newest_major, newest_minor) > 0) {
			newest_major = head->sets[i].major;
			newest_minor = head->sets[i].minor;
		}
	}
	/* Machines newer than every array have no array yet; old ones removed at head are gone. */
	return mc_version_cmp(major, minor, newest_major, newest_minor) > 0;
}

size_t mc_versions_compared(const mc_model *base, const mc_model *head, mc_version **out)
{
	mc_version *v = NULL;
	size_t n = 0, cap = 0;
	int rmaj, rmin;
	int have_released = mc_model_released(base, &rmaj, &rmin);
	for (size_t i = 0; i < base->nsets; i++) {
		const mc_compat_set *s = &base->sets[i];
		if (s->major == MC_VERSION_DEFAULTS ||
		    (have_released && mc_version_cmp(s->major, s->minor, rmaj, rmin) > 0))
			continue;
		add_version(&v, &n, &cap, s->major, s->minor);
	}
	if (have_released)
		add_version(&v, &n, &cap, rmaj, rmin);
	size_t out_n = 0;
	for (size_t i = 0; i < n; i++)
		if (head_defines(head, v[i].major, v[i].minor))
			v[out_n++] = v[i];
	if (out_n > 1)
		qsort(v, out_n, sizeof(mc_version), cmp_version_desc);
	*out = v;
	return out_n;
}
