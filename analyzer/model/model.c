/*
 * model.c - see model.h.
 */
#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mc_version_cmp(int amaj, int amin, int bmaj, int bmin)
{
	if (amaj != bmaj)
		return amaj < bmaj ? -1 : 1;
	if (amin != bmin)
		return amin < bmin ? -1 : 1;
	return 0;
}

static void unanalysed(mc_model *m, const char *path, int line, const char *what, const char *why)
{
	mc_strvec_push_owned(&m->unanalysed, mc_sprintf("%s:%d: %s: %s", path, line, what, why));
}

static mc_type *type_add(mc_model *m, const char *name, const char *parent, int abstract,
			 const char *file, int line, const char *class_init, const char *instance_init)
{
	mc_type *t = mc_map_get(&m->types, name);
	if (t)
		return NULL; /* first registration wins (target-dependent duplicates) */
	t = mc_calloc(1, sizeof(*t));
	t->name = name;
	t->parent_name = parent;
	t->abstract = abstract;
	t->file = file;
	t->line = line;
	t->class_init = class_init;
	t->instance_init = instance_init;
	mc_map_put(&m->types, name, t);
	mc_type **slot = MC_VEC_PUSH(m->type_list, m->ntypes, m->cap_types);
	*slot = t;
	return t;
}

/* Finds a Property array by name: the same file first (arrays are static), then any non-static one. */
static const mc_prop_array *find_array(const mc_model *m, const mc_facts *in, const char *name,
				       const mc_facts **where)
{
	for (size_t i = 0; i < in->narrays; i++)
		if (strcmp(in->arrays[i].name, name) == 0) {
			*where = in;
			return &in->arrays[i];
		}
	for (size_t f = 0; f < m->nfacts; f++)
		for (size_t i = 0; i < m->facts[f]->narrays; i++) {
			const mc_prop_array *a = &m->facts[f]->arrays[i];
			if (!a->is_static && strcmp(a->name, name) == 0) {
				*where = m->facts[f];
				return a;
			}
		}
	return NULL;
}

static void attach_array(mc_type *t, const mc_facts *f, const mc_prop_array *a, mc_map *used)
{
	char *key = mc_sprintf("%s\n%s", f->path, a->name);
	mc_map_put(used, key, (void *)1);
	free(key);
	if (!a->complete)
		t->props_unknown = 1;
	for (size_t i = 0; i < a->nprops; i++) {
		int dup = 0;
		for (size_t j = 0; j < t->nprops; j++)
			dup |= strcmp(t->props[j].prop->name, a->props[i].name) == 0;
		if (dup)
			continue;
		mc_type_prop *tp = MC_VEC_PUSH(t->props, t->nprops, t->cap_props);
		tp->prop = &a->props[i];
		tp->file = f->path;
		tp->array = a->name;
	}
}

/* The array a class_data record names in field, from its "field=array" list. */
static const char *data_array(const mc_strvec *data, const char *field)
{
	size_t n = strlen(field);
	for (size_t i = 0; data && i < data->n; i++)
		if (strncmp(data->v[i], field, n) == 0 && data->v[i][n] == '=')
			return data->v[i] + n + 1;
	return NULL;
}

#define MC_ATTACH_CALL_DEPTH 4

/*
 * Attaches the arrays a class_init function attaches, directly, through the
 * type's class_data record (data: its "field=array" list) or through the
 * helpers it calls; the function's own file first.
 */
static void attach_function_depth(mc_model *m, mc_type *t, const mc_facts *home, const char *function,
				  const mc_strvec *data, mc_map *used, int depth)
{
	if (!function || depth > MC_ATTACH_CALL_DEPTH)
		return;
	int found = 0;
	for (size_t pass = 0; pass < 2 && !found; pass++) {
		for (size_t fi = 0; fi < (pass ? m->nfacts : 1); fi++) {
			const mc_facts *f = pass ? m->facts[fi] : home;
			if (pass && f == home)
				continue;
			for (size_t i = 0; i < f->nattaches; i++) {
				const mc_attach *at = &f->attaches[i];
				if (strcmp(at->function, function) != 0)
					continue;
				found = 1;
				if (at->via_call) {
					attach_function_depth(m, t, f, at->array, data, used, depth + 1);
					continue;
				}
				const char *name = at->from_class_data ? data_array(data, at->array) : at->array;
				const mc_facts *where = NULL;
				const mc_prop_array *a = name ? find_array(m, f, name, &where) : NULL;
				if (a)
					attach_array(t, where, a, used);
				else
					t->props_unknown = 1;
			}
			/* A function defined in several files is a build alternative: the first one. */
			if (found)
				break;
		}
	}
}

static void attach_function(mc_model *m, mc_type *t, const mc_facts *home, const char *function, mc_map *used)
{
	attach_function_depth(m, t, home, function, NULL, used, 0);
}

static void alias_function(mc_type *t, const mc_facts *home, const char *function)
{
	if (!function)
		return;
	for (size_t i = 0; i < home->naliases; i++)
		if (strcmp(home->aliases[i].function, function) == 0 &&
		    !mc_strvec_contains(&t->aliases, home->aliases[i].embedded_type))
			mc_strvec_push(&t->aliases, home->aliases[i].embedded_type);
}

/*
 * The conventions' multi-type-record (QEMU's virtio_pci_types_register()):
 * one record, a base and up to three generated types under it.
 */
static void add_virtio_pci_types(mc_model *m, const mc_conv *conv, const mc_facts *f, const mc_virtio_pci_info *v,
				 mc_map *used)
{
	const mc_conv_record *r = &conv->record;
	const char *parent = v->parent ? v->parent : r->parent;
	mc_type *base = NULL;
	if (v->base_name) {
		base = type_add(m, v->base_name, parent, 1, f->path, v->line, v->class_init, v->instance_init);
		if (base) {
			attach_function(m, base, f, v->class_init, used);
			attach_function(m, base, f, v->instance_init, used);
			alias_function(base, f, v->instance_init);
		}
	}
	const char *below = v->base_name ? v->base_name : parent;
	const char *names[MC_CONV_RECORD_NAMES] = { v->generic_name, v->transitional_name, v->non_transitional_name };
	for (int k = 0; k < MC_CONV_RECORD_NAMES; k++) {
		if (!names[k])
			continue;
		mc_type *t = type_add(m, names[k], below, 0, f->path, v->line, NULL, NULL);
		if (!t)
			continue;
		if (!v->base_name) {
			attach_function(m, t, f, v->class_init, used);
			attach_function(m, t, f, v->instance_init, used);
			alias_function(t, f, v->instance_init);
		}
		/* A class_init of this generated type only (QEMU: disable-legacy on the generic type). */
		if (r->class_inits[k])
			attach_function(m, t, f, r->class_inits[k], used);
	}
}

/*
 * A type name registered by two files (per-target variants, "memory" of sun4m
 * and sun4u): the first registration is the type; the arrays of the other are
 * noted in shadowed, so that coverage can say why they are not analysed.
 */
static void shadow_arrays(mc_model *m, const mc_facts *f, const mc_typeinfo *ti, mc_map *shadowed)
{
	mc_type scratch = { .name = ti->name };
	attach_function_depth(m, &scratch, f, ti->class_init, &ti->data_arrays, shadowed, 0);
	free(scratch.props);
}

/*
 * The arrays a table-property line gives to a type (facts owner): the x86
 * feature names of x86_64-cpu.  They are attached after every type exists,
 * so a class_init's DEFINE_PROP of the same name comes first.
 */
static void attach_owned_arrays(mc_model *m, mc_map *used)
{
	for (size_t f = 0; f < m->nfacts; f++)
		for (size_t i = 0; i < m->facts[f]->narrays; i++) {
			const mc_prop_array *a = &m->facts[f]->arrays[i];
			mc_type *t = a->owner ? mc_map_get(&m->types, a->owner) : NULL;
			if (t)
				attach_array(t, m->facts[f], a, used);
		}
}

static int cmp_type(const void *a, const void *b)
{
	return strcmp((*(mc_type *const *)a)->name, (*(mc_type *const *)b)->name);
}

static void link_hierarchy(mc_model *m)
{
	if (m->ntypes > 1)
		qsort(m->type_list, m->ntypes, sizeof(mc_type *), cmp_type);
	for (size_t i = 0; i < m->ntypes; i++) {
		mc_type *t = m->type_list[i];
		if (!t->parent_name)
			continue;
		mc_type *p = mc_map_get(&m->types, t->parent_name);
		/* Guard against cycles from inconsistent sources. */
		for (mc_type *q = p; q; q = q->parent)
			if (q == t) {
				p = NULL;
				break;
			}
		t->parent = p;
		if (p) {
			mc_type **slot = MC_VEC_PUSH(p->children, p->nchildren, p->cap_children);
			*slot = t;
		}
	}
}

/* The (family, version) a compat array belongs to, from its name or its function. */
static int classify_compat(const mc_conv *conv, const mc_compat_array *a, const char **family,
			   int *major, int *minor, const char **container)
{
	if (mc_conv_match_compat_array(conv, a->name, family, major, minor) ||
	    mc_conv_match_compat_macro(conv, a->name, family, major, minor)) {
		*container = a->name;
		return 1;
	}
	if (a->function && mc_conv_match_compat_function(conv, a->function, family, major, minor)) {
		*container = a->function;
		return 1;
	}
	if (!a->function && mc_conv_match_compat_machine(conv, a->name, family, major, minor)) {
		*container = a->name;
		return 1;
	}
	return 0;
}

static mc_compat_set *set_get(mc_model *m, const char *family, int major, int minor, const char *name,
			      const char *file, int line)
{
	for (size_t i = 0; i < m->nsets; i++) {
		mc_compat_set *s = &m->sets[i];
		if (strcmp(s->family, family) == 0 && s->major == major && s->minor == minor)
			return s;
	}
	mc_compat_set *s = MC_VEC_PUSH(m->sets, m->nsets, m->cap_sets);
	s->family = family;
	s->generic = mc_model_is_generic(m, family);
	s->major = major;
	s->minor = minor;
	s->name = mc_strdup(name);
	s->file = file;
	s->line = line;
	return s;
}

static int entry_same(const mc_compat_entry *a, const mc_compat_entry *b)
{
	return strcmp(a->driver, b->driver) == 0 && strcmp(a->property, b->property) == 0 &&
	       strcmp(a->value, b->value) == 0;
}

static void add_compat(mc_model *m, const mc_conv *conv, const mc_facts *f)
{
	for (size_t i = 0; i < f->ncompat; i++) {
		const mc_compat_array *a = &f->compat[i];
		const char *family, *container;
		int major, minor;
		if (!classify_compat(conv, a, &family, &major, &minor, &container)) {
			/* Machine-wide defaults apply to every version of their family, before the
			 * versioned arrays: they sort as the newest. */
			family = a->function ? NULL : mc_conv_match_compat_defaults(conv, a->name);
			if (!family) {
				if (a->nentries)
					unanalysed(m, f->path, a->line, a->name,
						   "compat array of no known machine family or version");
				continue;
			}
			major = minor = MC_VERSION_DEFAULTS;
			container = a->name;
		}
		mc_compat_set *s = set_get(m, family, major, minor, container, f->path, a->line);
		/* The same list reaches several machine files (i440fx and q35): keep one copy. */
		for (size_t j = 0; j < a->nentries; j++) {
			int dup = 0;
			for (size_t k = 0; k < s->nentries && !dup; k++)
				dup = entry_same(s->entries[k], &a->entries[j]);
			if (dup)
				continue;
			const mc_compat_entry **slot = MC_VEC_PUSH(s->entries, s->nentries, s->cap);
			*slot = &a->entries[j];
		}
	}
}

/* Newest first; at one version the generic family ("hw") before the others, as machines add them. */
static int cmp_set(const void *pa, const void *pb)
{
	const mc_compat_set *a = pa, *b = pb;
	int c = mc_version_cmp(b->major, b->minor, a->major, a->minor);
	if (c)
		return c;
	if (a->generic != b->generic)
		return b->generic - a->generic;
	return strcmp(a->family, b->family);
}

/*
 * A file whose own text has an error and that yielded nothing is invalid C,
 * not a file known to hold no properties.  Errors inside headers (a stub
 * missing a declaration) are left out: they would list many files that only
 * name Property or TypeInfo.
 */
static int invalid_c_yielding_nothing(const mc_facts *fa)
{
	size_t n = strlen(fa->path);
	return fa->ndiagnostics && fa->error && strncmp(fa->error, fa->path, n) == 0 && fa->error[n] == ':' &&
	       !fa->narrays && !fa->ntypes && !fa->nvpci && !fa->ncompat;
}

/* Each header read as empty by some file, once, with why. */
static void count_refused_headers(mc_model *m)
{
	mc_map seen = {0};
	for (size_t f = 0; f < m->nfacts; f++)
		for (size_t i = 0; i < m->facts[f]->refused_headers.n; i++) {
			const char *entry = m->facts[f]->refused_headers.v[i];
			const char *nl = strchr(entry, '\n');
			if (!nl || mc_map_get(&seen, entry))
				continue;
			mc_map_put(&seen, entry, (void *)1);
			char *path = mc_strndup(entry, (size_t)(nl - entry));
			char *why = mc_sprintf("%s; read as empty by the files that include it", nl + 1);
			unanalysed(m, path, 0, "header", why);
			free(why);
			free(path);
		}
	mc_map_free(&seen);
}

/*
 * A table-property array: its names are properties, but their defaults are
 * set by code per concrete type, which migcompat does not follow.  Listed
 * with their count, so that what is not judged is said.
 */
static void count_owned(mc_model *m, const mc_facts *fa, const mc_prop_array *a, int attached)
{
	char *why = attached ? mc_sprintf("%zu properties of %s whose default each concrete type sets by code: "
					  "their names are checked, their values not analysed",
					  a->nprops, a->owner)
			     : mc_sprintf("%zu properties of %s, which no parsed file registers", a->nprops, a->owner);
	if (!attached)
		m->property_arrays_unresolved++;
	unanalysed(m, fa->path, a->line, a->name, why);
	free(why);
}

/* What a conventions table names that the file does not give as constants ("LINE: what: why"). */
static void count_unresolved(mc_model *m, const mc_facts *fa)
{
	for (size_t i = 0; i < fa->unresolved.n; i++)
		mc_strvec_push_owned(&m->unanalysed, mc_sprintf("%s:%s", fa->path, fa->unresolved.v[i]));
}

/*
 * What Rust sources leave unsaid, in the coverage: a default that is not a
 * value, and a parent named only through C bindings that no C registration
 * of the same name resolves (the type is then a root).
 */
static void count_rust(mc_model *m, const mc_facts *fa)
{
	for (size_t i = 0; i < fa->narrays; i++)
		for (size_t k = 0; k < fa->arrays[i].nprops; k++) {
			const mc_prop *p = &fa->arrays[i].props[k];
			if (!p->has_default || p->defval.type != MC_VAL_SYMBOLIC)
				continue;
			m->rust_defaults_unvalued++;
			char *why = mc_sprintf("default %s is not a value migcompat computes from Rust source (a literal, "
					       "a constant of the crate, or arithmetic on those)",
					       p->defval.s ? p->defval.s : "");
			unanalysed(m, fa->path, p->line, p->name, why);
			free(why);
		}
	for (size_t i = 0; i < fa->ntypes; i++) {
		const mc_typeinfo *ti = &fa->types[i];
		const mc_type *t = mc_map_get(&m->types, ti->name);
		if (!ti->parent_binding || (t && !t->rust) || (t && t->parent_name))
			continue;
		char *why = mc_sprintf("its parent %s is a C type the crate names through bindings, and no C file "
				       "registers %s to say which: taken as a root",
				       ti->parent_binding, ti->name);
		unanalysed(m, fa->path, ti->line, ti->name, why);
		free(why);
	}
}

/*
 * The properties one function adds by code (facts by_code): counted apart
 * from the Property arrays.  Attached, each whose default is not a value is
 * listed with why and counted per reason; a function no type's class_init
 * or instance_init reaches (a machine's init code, a helper called through a
 * pointer) is listed once with its count.
 */
static void count_by_code(mc_model *m, const mc_facts *fa, const mc_prop_array *a, mc_map *used, mc_map *elsewhere)
{
	char *key = mc_sprintf("%s\n%s", fa->path, a->name);
	int attached = mc_map_get(used, key) != NULL || mc_map_get(elsewhere, key) != NULL;
	free(key);
	const char *fn = a->name + strlen(MC_FACTS_CODE_ARRAY);
	if (!attached) {
		m->code_properties_unattached += a->nprops;
		char *why = mc_sprintf("%zu propert%s added by code in %s, which no registered type's class_init or "
				       "instance_init reaches: not analysed",
				       a->nprops, a->nprops == 1 ? "y" : "ies", fn);
		unanalysed(m, fa->path, a->line, a->name, why);
		free(why);
		return;
	}
	m->code_properties += a->nprops;
	for (size_t k = 0; k < a->nprops; k++) {
		const mc_prop *p = &a->props[k];
		if (!p->unvalued)
			continue;
		m->code_defaults_unvalued++;
		size_t r = 0;
		while (r < m->ncode_reasons && strcmp(m->code_reasons[r].reason, p->unvalued) != 0)
			r++;
		if (r == m->ncode_reasons)
			MC_VEC_PUSH(m->code_reasons, m->ncode_reasons, m->cap_code_reasons)->reason = p->unvalued;
		m->code_reasons[r].n++;
		char *why = mc_sprintf("default of a property added by code in %s not analysed: %s", fn, p->unvalued);
		unanalysed(m, fa->path, p->line, p->name, why);
		free(why);
	}
}

/*
 * used: arrays attached to a type of this model; shadowed: those of a
 * registration another file made first; elsewhere: those of a type of the
 * other build (Rust in the C one, C types Rust replaces in the Rust one),
 * analysed there.
 */
static void count_coverage(mc_model *m, mc_map *used, mc_map *shadowed, mc_map *elsewhere)
{
	count_refused_headers(m);
	for (size_t f = 0; f < m->nfacts; f++) {
		const mc_facts *fa = m->facts[f];
		count_unresolved(m, fa);
		if (!fa->parsed) {
			m->files_failed++;
			unanalysed(m, fa->path, 0, "file", fa->error ? fa->error : "not parsed");
		} else {
			m->files_parsed++;
			if (invalid_c_yielding_nothing(fa))
				unanalysed(m, fa->path, 0, "file", fa->error);
		}
		if (fa->rust)
			count_rust(m, fa);
		for (size_t i = 0; i < fa->narrays; i++) {
			const mc_prop_array *a = &fa->arrays[i];
			if (a->by_code) {
				count_by_code(m, fa, a, used, elsewhere);
				continue;
			}
			m->property_arrays++;
			m->properties += a->nprops;
			char *key = mc_sprintf("%s\n%s", fa->path, a->name);
			int attached = mc_map_get(used, key) != NULL || mc_map_get(elsewhere, key) != NULL;
			free(key);
			if (!a->complete) {
				m->property_arrays_unresolved++;
				unanalysed(m, fa->path, a->line, a->name, a->why_incomplete ? a->why_incomplete : "incomplete");
			} else if (a->owner) {
				count_owned(m, fa, a, attached);
			} else if (!attached) {
				char *k = mc_sprintf("%s\n%s", fa->path, a->name);
				int lost = mc_map_get(shadowed, k) != NULL;
				free(k);
				m->property_arrays_unresolved++;
				unanalysed(m, fa->path, a->line, a->name,
					   lost ? "property array of a type whose name another file registers first "
						  "(a per-target variant)"
						: "property array attached to no statically named type (dynamic type name or class_data)");
			}
		}
	}
	mc_strvec_sort(&m->unanalysed);
}

static void parse_version(mc_model *m, const char *version)
{
	m->major = m->minor = m->micro = -1;
	if (version && sscanf(version, "%d.%d.%d", &m->major, &m->minor, &m->micro) < 2)
		m->major = m->minor = m->micro = -1;
}

/*
 * VERSION X.Y.Z names the last release X.Y: X.Y.50 is the development after
 * it, X.Y.9N the candidates of the next one.  During the candidates the
 * compat array of the last release (hw_compat_X_Y) has existed for the whole
 * cycle, so a candidate VERSION whose X.Y has no array and is newer than
 * every array is wrong: QEMU's v6.2.0-rc1 wrote 6.2.91 for 6.1.91, naming
 * the release being made.  The arrays win then: the newest one is the last
 * release.  Outside the candidates a missing array is a real state (right
 * after a release, before its compat machines are added) and VERSION wins.
 */
static void decide_release(mc_model *m)
{
	m->released_major = m->major;
	m->released_minor = m->minor;
	m->release_signal = m->major >= 0 ? "VERSION" : NULL;
	if (m->major < 0 || m->micro < 90)
		return;
	const mc_compat_set *newest = mc_model_newest_set(m, m->generic_family);
	if (!newest || mc_version_cmp(newest->major, newest->minor, m->major, m->minor) >= 0)
		return;
	m->released_major = newest->major;
	m->released_minor = newest->minor;
	m->release_signal = "compat arrays";
}

/* ---- VMState ---- */

static void index_vmstates(mc_model *m)
{
	size_t n = 0;
	for (size_t f = 0; f < m->nfacts; f++)
		n += m->facts[f]->nvmsds;
	m->vmstates = mc_calloc(n ? n : 1, sizeof(*m->vmstates));
	for (size_t f = 0; f < m->nfacts; f++) {
		const mc_facts *fa = m->facts[f];
		for (size_t i = 0; i < fa->nvmsds; i++) {
			mc_vmstate *v = &m->vmstates[m->nvmstates++];
			v->d = &fa->vmsds[i];
			v->file = fa->path;
			char *key = mc_sprintf("%s\n%s", fa->path, v->d->var);
			if (!mc_map_get(&m->vmstate_by_var, key))
				mc_map_put(&m->vmstate_by_var, key, v);
			free(key);
			/*
			 * Two files defining one global name are build alternatives: the
			 * first, unless it has no .name and the other has (QEMU's stub
			 * files define "const VMStateDescription x = {};").
			 */
			const mc_vmstate *seen = v->d->is_static ? NULL : mc_map_get(&m->vmstate_by_var, v->d->var);
			if (!v->d->is_static && (!seen || (!seen->d->name && v->d->name)))
				mc_map_put(&m->vmstate_by_var, v->d->var, v);
			if (!v->d->complete) {
				m->vmstate_incomplete++;
				mc_strvec_push_owned(&m->vmstate_unanalysed,
						     mc_sprintf("%s:%d: VMStateDescription %s: %s", fa->path, v->d->line,
								v->d->var, v->d->why_incomplete ? v->d->why_incomplete
												: "not understood"));
			}
		}
	}
	mc_strvec_sort(&m->vmstate_unanalysed);
}

const mc_vmstate *mc_model_vmstate(const mc_model *m, const char *home, const char *var)
{
	if (!var)
		return NULL;
	char *key = mc_sprintf("%s\n%s", home ? home : "", var);
	const mc_vmstate *v = mc_map_get(&m->vmstate_by_var, key);
	free(key);
	/* A global stub ("= {}") in home is still the one the global lookup chose against. */
	return v && (v->d->is_static || v->d->name) ? v : mc_map_get(&m->vmstate_by_var, var);
}

const mc_vmstate *mc_type_vmstate(const mc_type *t)
{
	for (; t; t = t->parent)
		if (t->vmsd || t->vmsd_var)
			return t->vmsd;
	return NULL;
}

int mc_vms_field_flag(const mc_vms_field *fd, const char *flag)
{
	size_t n = strlen(flag);
	for (const char *p = fd->flags; p && (p = strstr(p, flag)); p += n)
		if ((p == fd->flags || p[-1] == '|') && (p[n] == '\0' || p[n] == '|'))
			return 1;
	return 0;
}

int mc_vms_field_on_wire(const mc_vms_field *fd)
{
	return !mc_vms_field_flag(fd, "VMS_MUST_EXIST");
}

size_t mc_model_gate_reads(const mc_model *m, const char *file, const char *function, const mc_field_use **out,
			   size_t max)
{
	size_t n = 0;
	for (size_t i = 0; function && i < m->nfacts; i++) {
		if (strcmp(m->facts[i]->path, file) != 0)
			continue;
		for (size_t k = 0; k < m->facts[i]->nuses; k++) {
			const mc_field_use *u = &m->facts[i]->uses[k];
			if (strcmp(u->kind, "vmstate") != 0 || !u->function || strcmp(u->function, function) != 0)
				continue;
			if (n < max)
				out[n] = u;
			n++;
		}
	}
	return n;
}

/* The description function itself stores into a vmstate-member, found in home first; NULL if none. */
static const mc_vmsd_use *vmstate_use_direct(const mc_model *m, const mc_conv *conv, const mc_facts *home,
					     const char *function, const mc_facts **where)
{
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t fi = 0; fi < (pass ? m->nfacts : 1); fi++) {
			const mc_facts *f = pass ? m->facts[fi] : home;
			if (!f || (pass && f == home))
				continue;
			for (size_t i = 0; i < f->nvmsd_uses; i++) {
				const mc_vmsd_use *u = &f->vmsd_uses[i];
				if (strcmp(u->function, function) == 0 && mc_strvec_contains(&conv->vmstate_members, u->via)) {
					*where = f;
					return u;
				}
			}
		}
	return NULL;
}

/* What link_vmstates looks functions up in. */
typedef struct {
	mc_map uses;      /* functions that store or pass a description */
	mc_map helpers;   /* functions that pass their class to a helper (attaches via_call) */
} vmstate_index;

/*
 * The description a function stores into a vmstate-member, itself or through
 * a helper it passes its class to (sdhci_common_class_init), as
 * attach_function_depth follows them; NULL if none.
 */
static const mc_vmsd_use *vmstate_use(const mc_model *m, const mc_conv *conv, const vmstate_index *ix,
				      const mc_facts *home, const char *function, const mc_facts **where, int depth)
{
	const mc_vmsd_use *own = mc_map_get(&ix->uses, function) ? vmstate_use_direct(m, conv, home, function, where)
								   : NULL;
	if (own || depth >= MC_ATTACH_CALL_DEPTH || !mc_map_get(&ix->helpers, function))
		return own;
	for (size_t fi = 0; !own && fi < m->nfacts; fi++)
		for (size_t i = 0; !own && i < m->facts[fi]->nattaches; i++) {
			const mc_attach *at = &m->facts[fi]->attaches[i];
			if (at->via_call && strcmp(at->function, function) == 0)
				own = vmstate_use(m, conv, ix, m->facts[fi], at->array, where, depth + 1);
		}
	return own;
}

/* Each type's own description, through its class_init (after every type is registered). */
static void link_vmstates(mc_model *m, const mc_conv *conv)
{
	index_vmstates(m);
	if (!conv->vmstate_members.n)
		return;
	mc_map by_path = {0};
	vmstate_index ix = { {0}, {0} };
	for (size_t f = 0; f < m->nfacts; f++) {
		const mc_facts *fa = m->facts[f];
		mc_map_put(&by_path, fa->path, m->facts[f]);
		for (size_t i = 0; i < fa->nvmsd_uses; i++)
			mc_map_put(&ix.uses, fa->vmsd_uses[i].function, (void *)1);
		for (size_t i = 0; i < fa->nattaches; i++)
			if (fa->attaches[i].via_call)
				mc_map_put(&ix.helpers, fa->attaches[i].function, (void *)1);
	}
	for (size_t i = 0; i < m->ntypes; i++) {
		mc_type *t = m->type_list[i];
		if (!t->class_init)
			continue;
		const mc_facts *where = NULL;
		const mc_vmsd_use *u = vmstate_use(m, conv, &ix, mc_map_get(&by_path, t->file), t->class_init, &where, 0);
		if (!u)
			continue;
		t->vmsd_var = u->vmsd;
		t->vmsd = mc_model_vmstate(m, where->path, u->vmsd);
		t->vmsd_unresolved = !t->vmsd;
	}
	mc_map_free(&by_path);
	mc_map_free(&ix.uses);
	mc_map_free(&ix.helpers);
}

/* Registration state of one build: which arrays are attached where (see count_coverage). */
typedef struct {
	mc_map used, shadowed, elsewhere;
} reg_maps;

/*
 * A C registration of a name a Rust type took first (the Rust build): the C
 * type is not built; its arrays are analysed in the C build, and its parent
 * is the Rust type's when the crate names that only through bindings.
 */
static void replaced_by_rust(mc_model *m, mc_type *rust, const mc_facts *fa, const mc_typeinfo *ti, reg_maps *r)
{
	if (!rust->parent_name && rust->parent_binding)
		rust->parent_name = ti->parent;
	shadow_arrays(m, fa, ti, &r->elsewhere);
}

/* The types of the C files (rust_files = 0) or of the Rust sources (1), in facts order. */
static void register_types(mc_model *m, const mc_conv *conv, int rust_files, reg_maps *r)
{
	for (size_t f = 0; f < m->nfacts; f++) {
		const mc_facts *fa = m->facts[f];
		if (!fa->rust != !rust_files)
			continue;
		for (size_t i = 0; i < fa->ntypes; i++) {
			const mc_typeinfo *ti = &fa->types[i];
			mc_type *t = type_add(m, ti->name, ti->parent, ti->abstract, fa->path, ti->line,
					      ti->class_init, ti->instance_init);
			if (!t) {
				mc_type *first = mc_map_get(&m->types, ti->name);
				if (first->rust && !fa->rust)
					replaced_by_rust(m, first, fa, ti, r);
				else
					shadow_arrays(m, fa, ti, &r->shadowed);
				continue;
			}
			t->condition = ti->condition;
			t->rust = fa->rust;
			t->parent_binding = ti->parent_binding;
			attach_function_depth(m, t, fa, ti->class_init, &ti->data_arrays, &r->used, 0);
			/* What the instance_init adds by code (object_property_add_*), after the class's. */
			attach_function(m, t, fa, ti->instance_init, &r->used);
			alias_function(t, fa, ti->instance_init);
		}
		for (size_t i = 0; i < fa->nvpci; i++)
			add_virtio_pci_types(m, conv, fa, &fa->vpci[i], &r->used);
		add_compat(m, conv, fa);
	}
}

/* In the C build, the Rust sources' arrays are analysed in the other: attached there, not here. */
static void rust_arrays_elsewhere(mc_model *m, reg_maps *r)
{
	for (size_t f = 0; f < m->nfacts; f++)
		for (size_t i = 0; m->facts[f]->rust && i < m->facts[f]->ntypes; i++)
			shadow_arrays(m, m->facts[f], &m->facts[f]->types[i], &r->elsewhere);
}

/* The C files whose every registration a Rust type replaced: not compiled in the Rust build. */
static void list_replaced_files(mc_model *m)
{
	for (size_t f = 0; f < m->nfacts; f++) {
		const mc_facts *fa = m->facts[f];
		int all = !fa->rust && (fa->ntypes > 0);
		for (size_t i = 0; all && i < fa->ntypes; i++) {
			const mc_type *t = mc_map_get(&m->types, fa->types[i].name);
			all = t && t->rust;
		}
		if (all && !fa->nvpci && !fa->ncompat)
			mc_strvec_push(&m->replaced_files, fa->path);
	}
	mc_strvec_sort(&m->replaced_files);
}

static int build(mc_model **out, mc_facts **facts, size_t nfacts, const mc_conv *conv, const char *version,
		 int rust_build)
{
	mc_model *m = mc_calloc(1, sizeof(*m));
	m->facts = facts;
	m->nfacts = nfacts;
	m->generic_family = mc_conv_generic_family(conv);
	m->rust_build = rust_build;
	parse_version(m, version);
	reg_maps r;
	memset(&r, 0, sizeof(r));
	/* A Rust type replaces the C one of its name: registered first, it wins. */
	if (rust_build)
		register_types(m, conv, 1, &r);
	register_types(m, conv, 0, &r);
	attach_owned_arrays(m, &r.used);
	if (rust_build)
		list_replaced_files(m);
	else
		rust_arrays_elsewhere(m, &r);
	link_hierarchy(m);
	if (m->nsets > 1)
		qsort(m->sets, m->nsets, sizeof(mc_compat_set), cmp_set);
	for (size_t i = 0; i < m->nsets; i++)
		if (!mc_strvec_contains(&m->families, m->sets[i].family))
			mc_strvec_push(&m->families, m->sets[i].family);
	mc_strvec_sort(&m->families);
	decide_release(m);
	link_vmstates(m, conv);
	count_coverage(m, &r.used, &r.shadowed, &r.elsewhere);
	mc_map_free(&r.used);
	mc_map_free(&r.shadowed);
	mc_map_free(&r.elsewhere);
	*out = m;
	return 0;
}

int mc_model_build(mc_model **out, mc_facts **facts, size_t nfacts, const mc_conv *conv, const char *version)
{
	return build(out, facts, nfacts, conv, version, 0);
}

int mc_model_build_rust(mc_model **out, mc_facts **facts, size_t nfacts, const mc_conv *conv, const char *version)
{
	*out = NULL;
	for (size_t f = 0; f < nfacts; f++)
		if (facts[f]->rust && facts[f]->ntypes)
			return build(out, facts, nfacts, conv, version, 1);
	return 0;
}

void mc_model_free(mc_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ntypes; i++) {
		mc_type *t = m->type_list[i];
		free(t->props);
		free(t->children);
		mc_strvec_free(&t->aliases);
		free(t);
	}
	free(m->type_list);
	mc_map_free(&m->types);
	for (size_t i = 0; i < m->nsets; i++) {
		free(m->sets[i].name);
		free(m->sets[i].entries);
	}
	free(m->sets);
	mc_strvec_free(&m->families);
	mc_strvec_free(&m->unanalysed);
	mc_strvec_free(&m->replaced_files);
	free(m->code_reasons);
	free(m->vmstates);
	mc_map_free(&m->vmstate_by_var);
	mc_strvec_free(&m->vmstate_unanalysed);
	free(m);
}

const mc_type *mc_model_type(const mc_model *m, const char *name)
{
	return name ? mc_map_get(&m->types, name) : NULL;
}

int mc_type_is_a(const mc_type *t, const char *ancestor)
{
	for (; t; t = t->parent)
		if (strcmp(t->name, ancestor) == 0)
			return 1;
	return 0;
}

const mc_type_prop *mc_type_prop_find(const mc_type *t, const char *name, const mc_type **owner)
{
	for (; t; t = t->parent)
		for (size_t i = 0; i < t->nprops; i++)
			if (strcmp(t->props[i].prop->name, name) == 0) {
				if (owner)
					*owner = t;
				return &t->props[i];
			}
	return NULL;
}

int mc_model_is_generic(const mc_model *m, const char *family)
{
	return m->generic_family && family && strcmp(m->generic_family, family) == 0;
}

const mc_compat_set *mc_model_newest_set(const mc_model *m, const char *family)
{
	if (!family)
		return NULL;
	for (size_t i = 0; i < m->nsets; i++)
		if (strcmp(m->sets[i].family, family) == 0 && m->sets[i].major != MC_VERSION_DEFAULTS)
			return &m->sets[i];
	return NULL;
}

int mc_model_released(const mc_model *m, int *major, int *minor)
{
	if (m->released_major < 0)
		return 0;
	*major = m->released_major;
	*minor = m->released_minor;
	return 1;
}

char *mc_compat_entry_key(const mc_compat_set *set, const mc_compat_entry *e)
{
	return mc_sprintf("%s|%d.%d|%s|%s|%s", set->family, set->major, set->minor, e->driver, e->property, e->value);
}

size_t mc_model_entries_added(const mc_model *base, const mc_model *head, const mc_compat_entry ***out)
{
	mc_map known = {0};
	for (size_t i = 0; i < base->nsets; i++)
		for (size_t j = 0; j < base->sets[i].nentries; j++) {
			char *key = mc_compat_entry_key(&base->sets[i], base->sets[i].entries[j]);
			mc_map_put(&known, key, (void *)1);
			free(key);
		}
	size_t n = 0, cap = 0;
	*out = NULL;
	for (size_t i = 0; i < head->nsets; i++)
		for (size_t j = 0; j < head->sets[i].nentries; j++) {
			char *key = mc_compat_entry_key(&head->sets[i], head->sets[i].entries[j]);
			if (!mc_map_get(&known, key)) {
				const mc_compat_entry **slot = MC_VEC_PUSH(*out, n, cap);
				*slot = head->sets[i].entries[j];
			}
			free(key);
		}
	mc_map_free(&known);
	return n;
}

const mc_field_use *mc_model_field_evidence(const mc_model *m, const char *usr, const char **file)
{
	const mc_field_use *best = NULL;
	for (size_t i = 0; usr && i < m->nfacts; i++)
		for (size_t k = 0; k < m->facts[i]->nuses; k++) {
			const mc_field_use *u = &m->facts[i]->uses[k];
			if (strcmp(u->field, usr) != 0 || (best && strcmp(best->kind, "vmstate") == 0))
				continue;
			if (!best || strcmp(u->kind, "vmstate") == 0) {
				best = u;
				*file = m->facts[i]->path;
			}
		}
	return best;
}
