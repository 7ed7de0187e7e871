/*
 * model_builder.c - revisions built by hand (model_builder.h).
 *
 * The facts are filled in exactly as the front end fills them: a type's
 * typeinfo names a class_init, an attach record ties that function to a
 * Property array of the same file, and compat arrays hold entries with their
 * file and line.  So the model sees nothing a parsed file could not give.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model_builder.h"

struct mct_rev {
	char *version;
	mc_facts **files;
	size_t nfiles, cap;
	mc_facts *current;
	mc_conv conv;
	int conv_loaded;
	mc_model *model;
	mc_model *model_rust;
	int rust_built;
	int line;
};

/* One line per declaration, so that findings point somewhere distinct. */
static int next_line(mct_rev *r)
{
	return ++r->line;
}

mct_rev *mct_rev_new(const char *version)
{
	mct_rev *r = mc_calloc(1, sizeof(*r));
	r->version = version ? mc_strdup(version) : NULL;
	return r;
}

void mct_rev_free(mct_rev *r)
{
	if (!r)
		return;
	mc_model_free(r->model);
	mc_model_free(r->model_rust);
	for (size_t i = 0; i < r->nfiles; i++)
		mc_facts_free(r->files[i]);
	free(r->files);
	if (r->conv_loaded)
		mc_conv_free(&r->conv);
	free(r->version);
	free(r);
}

static void not_built(const mct_rev *r)
{
	if (r->model || r->rust_built)
		fail_msg("model_builder: a declaration after mct_model()");
}

void mct_file(mct_rev *r, const char *path)
{
	not_built(r);
	for (size_t i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i]->path, path) == 0) {
			r->current = r->files[i];
			return;
		}
	mc_facts *f = mc_calloc(1, sizeof(*f));
	f->path = mc_strdup(path);
	f->parsed = 1;
	mc_facts **slot = MC_VEC_PUSH(r->files, r->nfiles, r->cap);
	*slot = f;
	r->current = f;
}

void mct_rust_file(mct_rev *r, const char *path)
{
	mct_file(r, path);
	r->current->rust = 1;
}

static mc_facts *current(mct_rev *r)
{
	not_built(r);
	if (!r->current)
		fail_msg("model_builder: no file (call mct_file first)");
	return r->current;
}

/* "virtio-net-pci" -> "virtio_net_pci" + suffix: the C names QEMU would use. */
static char *c_name(const char *type, const char *suffix)
{
	char *s = mc_sprintf("%s%s", type, suffix);
	for (char *p = s; *p; p++)
		if (*p == '-' || *p == '.' || *p == ',')
			*p = '_';
	return s;
}

static void add_type(mct_rev *r, const char *name, const char *parent, int abstract)
{
	mc_facts *f = current(r);
	int line = next_line(r);
	mc_typeinfo *t = MC_VEC_PUSH(f->types, f->ntypes, f->cap_types);
	memset(t, 0, sizeof(*t));
	t->name = mc_strdup(name);
	t->parent = parent ? mc_strdup(parent) : NULL;
	t->class_init = c_name(name, "_class_init");
	t->abstract = abstract;
	t->line = line;
	mc_prop_array *a = MC_VEC_PUSH(f->arrays, f->narrays, f->cap_arrays);
	memset(a, 0, sizeof(*a));
	a->name = c_name(name, "_properties");
	a->is_static = 1;
	a->line = line;
	a->complete = 1;
	mc_attach *at = MC_VEC_PUSH(f->attaches, f->nattaches, f->cap_attaches);
	memset(at, 0, sizeof(*at));
	at->function = mc_strdup(t->class_init);
	at->array = mc_strdup(a->name);
	at->line = line;
}

void mct_type(mct_rev *r, const char *name, const char *parent)
{
	add_type(r, name, parent, 0);
}

void mct_abstract_type(mct_rev *r, const char *name, const char *parent)
{
	add_type(r, name, parent, 1);
}

/* The array of type: the current file's (a Rust type and the C one it replaces share a name), else the first. */
static mc_prop_array *type_array(mct_rev *r, const char *type)
{
	char *want = c_name(type, "_properties");
	for (size_t j = 0; r->current && j < r->current->narrays; j++)
		if (strcmp(r->current->arrays[j].name, want) == 0) {
			free(want);
			return &r->current->arrays[j];
		}
	for (size_t i = 0; i < r->nfiles; i++)
		for (size_t j = 0; j < r->files[i]->narrays; j++)
			if (strcmp(r->files[i]->arrays[j].name, want) == 0) {
				free(want);
				return &r->files[i]->arrays[j];
			}
	free(want);
	fail_msg("model_builder: no type %s (call mct_type first)", type);
	return NULL;
}

typedef struct {
	const char *spelling, *info, *enum_type;
	mc_kind kind;
} prop_kind;

static const prop_kind kinds[] = {
	{ "bool", "qdev_prop_bool", NULL, MC_KIND_BOOL },
	{ "bit", "qdev_prop_bit", NULL, MC_KIND_BOOL },
	{ "uint8", "qdev_prop_uint8", NULL, MC_KIND_UINT },
	{ "uint32", "qdev_prop_uint32", NULL, MC_KIND_UINT },
	{ "uint64", "qdev_prop_uint64", NULL, MC_KIND_UINT },
	{ "int32", "qdev_prop_int32", NULL, MC_KIND_INT },
	{ "size", "qdev_prop_size", NULL, MC_KIND_SIZE },
	{ "string", "qdev_prop_string", NULL, MC_KIND_STRING },
	{ "OnOffAuto", "qdev_prop_on_off_auto", "OnOffAuto", MC_KIND_ENUM },
	{ "link", "qdev_prop_link", NULL, MC_KIND_OTHER },
};

/* A property record of a kind spelled as QEMU spells its PropertyInfo, appended to a; info NULL: the kind's. */
static mc_prop *prop_add(mct_rev *r, mc_prop_array *a, const char *name, const char *kind, const char *info,
			 const char *defval)
{
	const prop_kind *k = NULL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && !k; i++)
		if (strcmp(kinds[i].spelling, kind) == 0)
			k = &kinds[i];
	if (!k)
		fail_msg("model_builder: unknown property kind %s", kind);
	mc_prop *p = MC_VEC_PUSH(a->props, a->nprops, a->cap);
	memset(p, 0, sizeof(*p));
	p->name = mc_strdup(name);
	p->info = mc_strdup(info ? info : k->info);
	p->kind = k->kind;
	p->enum_type = k->enum_type ? mc_strdup(k->enum_type) : NULL;
	p->line = next_line(r);
	if (defval) {
		if (mc_value_parse(&p->defval, k->kind, defval) < 0)
			fail_msg("model_builder: %s is no %s value: %s", defval, kind, mc_error_last());
		p->has_default = 1;
		p->defval_text = mc_strdup(defval);
	}
	return p;
}

void mct_prop(mct_rev *r, const char *type, const char *name, const char *kind, const char *defval)
{
	not_built(r);
	prop_add(r, type_array(r, type), name, kind, NULL, defval);
}

/* The array of what function adds by code, in the current file. */
static mc_prop_array *code_array(mct_rev *r, const char *function)
{
	mc_facts *f = current(r);
	char *name = mc_sprintf("%s%s", MC_FACTS_CODE_ARRAY, function);
	for (size_t i = 0; i < f->narrays; i++)
		if (strcmp(f->arrays[i].name, name) == 0) {
			free(name);
			return &f->arrays[i];
		}
	mc_prop_array *a = MC_VEC_PUSH(f->arrays, f->narrays, f->cap_arrays);
	memset(a, 0, sizeof(*a));
	a->name = name;
	a->is_static = 1;
	a->line = next_line(r);
	a->complete = 1;
	a->by_code = 1;
	mc_attach *at = MC_VEC_PUSH(f->attaches, f->nattaches, f->cap_attaches);
	memset(at, 0, sizeof(*at));
	at->function = mc_strdup(function);
	at->array = mc_strdup(name);
	at->line = a->line;
	return a;
}

void mct_code_prop(mct_rev *r, const char *function, const char *name, const char *kind, const char *defval,
		   const char *unvalued)
{
	mc_prop *p = prop_add(r, code_array(r, function), name, kind, "object_property_add", unvalued ? NULL : defval);
	if (unvalued) {
		p->has_default = 1;
		p->defval = mc_value_symbolic(MC_FACTS_CODE_UNVALUED);
		p->defval_text = mc_strdup(MC_FACTS_CODE_UNVALUED);
		p->unvalued = mc_strdup(unvalued);
	}
}

const char *mct_instance_init(mct_rev *r, const char *type)
{
	mc_facts *f = current(r);
	for (size_t i = 0; i < f->ntypes; i++)
		if (strcmp(f->types[i].name, type) == 0) {
			if (!f->types[i].instance_init)
				f->types[i].instance_init = c_name(type, "_instance_init");
			return f->types[i].instance_init;
		}
	fail_msg("model_builder: no type %s in %s", type, f->path);
	return NULL;
}

void mct_instance_helper(mct_rev *r, const char *type, const char *helper)
{
	const char *init = mct_instance_init(r, type);
	mc_facts *f = current(r);
	mc_attach *at = MC_VEC_PUSH(f->attaches, f->nattaches, f->cap_attaches);
	memset(at, 0, sizeof(*at));
	at->function = mc_strdup(init);
	at->array = mc_strdup(helper);
	at->line = next_line(r);
	at->via_call = 1;
}

void mct_prop_symbolic(mct_rev *r, const char *type, const char *name, const char *kind, const char *spelling)
{
	mct_prop(r, type, name, kind, NULL);
	mc_prop_array *a = type_array(r, type);
	mc_prop *p = &a->props[a->nprops - 1];
	p->has_default = 1;
	p->defval = mc_value_symbolic(spelling);
	p->defval_text = mc_strdup(spelling);
}

void mct_prop_field(mct_rev *r, const char *type, const char *usr)
{
	not_built(r);
	mc_prop_array *a = type_array(r, type);
	if (!a->nprops)
		fail_msg("model_builder: %s has no property yet", type);
	a->props[a->nprops - 1].field = mc_strdup(usr);
}

void mct_use(mct_rev *r, const char *usr, const char *kind, const char *function, const char *call)
{
	not_built(r);
	mc_facts *f = current(r);
	mc_field_use *u = MC_VEC_PUSH(f->uses, f->nuses, f->cap_uses);
	memset(u, 0, sizeof(*u));
	u->field = mc_strdup(usr);
	u->kind = mc_strdup(kind);
	u->function = mc_strdup(function);
	u->call = call ? mc_strdup(call) : NULL;
	u->line = next_line(r);
}

void mct_prop_condition(mct_rev *r, const char *type, const char *condition)
{
	not_built(r);
	mc_prop_array *a = type_array(r, type);
	if (!a->nprops)
		fail_msg("model_builder: %s has no property yet", type);
	free(a->props[a->nprops - 1].condition);
	a->props[a->nprops - 1].condition = mc_strdup(condition);
}

void mct_parent_binding(mct_rev *r, const char *type, const char *binding)
{
	mc_facts *f = current(r);
	for (size_t i = 0; i < f->ntypes; i++)
		if (strcmp(f->types[i].name, type) == 0) {
			free(f->types[i].parent);
			f->types[i].parent = NULL;
			f->types[i].parent_binding = mc_strdup(binding);
			return;
		}
	fail_msg("model_builder: no type %s in %s", type, f->path);
}

void mct_alias(mct_rev *r, const char *proxy, const char *embedded)
{
	mc_facts *f = current(r);
	mc_typeinfo *t = NULL;
	for (size_t i = 0; i < f->ntypes && !t; i++)
		if (strcmp(f->types[i].name, proxy) == 0)
			t = &f->types[i];
	if (!t)
		fail_msg("model_builder: no type %s in %s", proxy, f->path);
	free(t->instance_init);
	t->instance_init = c_name(proxy, "_instance_init");
	mc_alias *al = MC_VEC_PUSH(f->aliases, f->naliases, f->cap_aliases);
	memset(al, 0, sizeof(*al));
	al->function = mc_strdup(t->instance_init);
	al->embedded_type = mc_strdup(embedded);
	al->line = next_line(r);
}

static mc_compat_array *compat_array(mct_rev *r, const char *array)
{
	mc_facts *f = current(r);
	for (size_t i = 0; i < f->ncompat; i++)
		if (strcmp(f->compat[i].name, array) == 0)
			return &f->compat[i];
	mc_compat_array *a = MC_VEC_PUSH(f->compat, f->ncompat, f->cap_compat);
	memset(a, 0, sizeof(*a));
	a->name = mc_strdup(array);
	a->line = next_line(r);
	return a;
}

static void add_entry(mct_rev *r, const char *array, const char *driver, const char *property, const char *value,
		      int optional)
{
	mc_compat_array *a = compat_array(r, array);
	mc_compat_entry *e = MC_VEC_PUSH(a->entries, a->nentries, a->cap);
	memset(e, 0, sizeof(*e));
	e->driver = mc_strdup(driver);
	e->property = mc_strdup(property);
	e->value = mc_strdup(value);
	e->optional = optional;
	e->file = mc_strdup(r->current->path);
	e->line = next_line(r);
}

void mct_compat(mct_rev *r, const char *array, const char *driver, const char *property, const char *value)
{
	add_entry(r, array, driver, property, value, 0);
}

void mct_compat_optional(mct_rev *r, const char *array, const char *driver, const char *property,
			 const char *value)
{
	add_entry(r, array, driver, property, value, 1);
}

void mct_compat_array(mct_rev *r, const char *array)
{
	compat_array(r, array);
}

void mct_vmsd(mct_rev *r, const char *var, const char *name, int version, int min_version, const char *needed)
{
	mc_facts *f = current(r);
	mc_vmsd *d = MC_VEC_PUSH(f->vmsds, f->nvmsds, f->cap_vmsds);
	memset(d, 0, sizeof(*d));
	d->var = mc_strdup(var);
	d->is_static = 1;
	d->name = name ? mc_strdup(name) : NULL;
	d->version = version;
	d->min_version = min_version;
	d->needed = needed ? mc_strdup(needed) : NULL;
	d->has_fields = 1;
	d->complete = 1;
	d->line = next_line(r);
}

static mc_vmsd *vmsd_of(mct_rev *r, const char *var)
{
	mc_facts *f = current(r);
	for (size_t i = 0; i < f->nvmsds; i++)
		if (strcmp(f->vmsds[i].var, var) == 0)
			return &f->vmsds[i];
	fail_msg("model_builder: no description %s in %s", var, f->path);
	return NULL;
}

static mc_vms_field *field_add(mct_rev *r, const char *var, const char *name)
{
	mc_vmsd *d = vmsd_of(r, var);
	mc_vms_field *fd = MC_VEC_PUSH(d->fields, d->nfields, d->cap);
	memset(fd, 0, sizeof(*fd));
	fd->name = mc_strdup(name);
	fd->line = next_line(r);
	return fd;
}

void mct_vmsd_field(mct_rev *r, const char *var, const char *name, int size, int num)
{
	mc_vms_field *fd = field_add(r, var, name);
	fd->size = size;
	fd->num = num;
	fd->flags = mc_strdup(num > 0 ? "VMS_ARRAY" : "VMS_SINGLE");
}

void mct_vmsd_field_version(mct_rev *r, const char *var, int version, const char *test)
{
	mc_vmsd *d = vmsd_of(r, var);
	if (!d->nfields)
		fail_msg("model_builder: %s has no field yet", var);
	d->fields[d->nfields - 1].version = version;
	d->fields[d->nfields - 1].test = test ? mc_strdup(test) : NULL;
}

void mct_vmsd_struct(mct_rev *r, const char *var, const char *name, const char *nested_var, int c_size)
{
	mc_vms_field *fd = field_add(r, var, name);
	fd->size = c_size;
	fd->vmsd = mc_strdup(nested_var);
	fd->flags = mc_strdup("VMS_STRUCT");
}

void mct_vmsd_validate(mct_rev *r, const char *var, const char *test)
{
	mc_vms_field *fd = field_add(r, var, "validate");
	fd->test = mc_strdup(test);
	fd->flags = mc_strdup("VMS_ARRAY|VMS_MUST_EXIST");
}

void mct_vmsd_subsection(mct_rev *r, const char *var, const char *sub_var)
{
	mc_strvec_push(&vmsd_of(r, var)->subsections, sub_var);
}

void mct_type_vmsd(mct_rev *r, const char *type, const char *var)
{
	mc_facts *f = current(r);
	mc_vmsd_use *u = MC_VEC_PUSH(f->vmsd_uses, f->nvmsd_uses, f->cap_vmsd_uses);
	memset(u, 0, sizeof(*u));
	u->function = c_name(type, "_class_init");
	u->vmsd = mc_strdup(var);
	u->via = mc_strdup("DeviceClass.vmsd");
	u->line = next_line(r);
}

const mc_conv *mct_conv(mct_rev *r)
{
	if (!r->conv_loaded) {
		if (mc_conv_load_builtin(&r->conv) < 0)
			fail_msg("model_builder: built-in conventions: %s", mc_error_last());
		r->conv_loaded = 1;
	}
	return &r->conv;
}

const mc_model *mct_model(mct_rev *r)
{
	if (!r->model && mc_model_build(&r->model, r->files, r->nfiles, mct_conv(r), r->version) < 0)
		fail_msg("model_builder: %s", mc_error_last());
	return r->model;
}

const mc_model *mct_model_rust(mct_rev *r)
{
	if (!r->rust_built && mc_model_build_rust(&r->model_rust, r->files, r->nfiles, mct_conv(r), r->version) < 0)
		fail_msg("model_builder: %s", mc_error_last());
	r->rust_built = 1;
	return r->model_rust;
}
