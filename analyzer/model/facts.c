/*
 * facts.c - ownership of mc_facts and its JSON form (for the cache).
 */
#include "model/facts.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "util/util.h"

static void prop_free(mc_prop *p)
{
	free(p->name);
	free(p->info);
	free(p->enum_type);
	mc_value_free(&p->defval);
	free(p->defval_text);
	free(p->condition);
	free(p->suppress);
}

void mc_facts_free(mc_facts *f)
{
	if (!f)
		return;
	mc_strvec_free(&f->refused_headers);
	for (size_t i = 0; i < f->narrays; i++) {
		mc_prop_array *a = &f->arrays[i];
		for (size_t j = 0; j < a->nprops; j++)
			prop_free(&a->props[j]);
		free(a->props);
		free(a->name);
		free(a->why_incomplete);
	}
	free(f->arrays);
	for (size_t i = 0; i < f->nattaches; i++) {
		free(f->attaches[i].function);
		free(f->attaches[i].array);
	}
	free(f->attaches);
	for (size_t i = 0; i < f->ntypes; i++) {
		mc_typeinfo *t = &f->types[i];
		free(t->name);
		free(t->parent);
		free(t->class_init);
		free(t->instance_init);
		free(t->condition);
		mc_strvec_free(&t->data_arrays);
	}
	free(f->types);
	for (size_t i = 0; i < f->nvpci; i++) {
		mc_virtio_pci_info *v = &f->vpci[i];
		free(v->base_name);
		free(v->generic_name);
		free(v->transitional_name);
		free(v->non_transitional_name);
		free(v->parent);
		free(v->class_init);
		free(v->instance_init);
	}
	free(f->vpci);
	for (size_t i = 0; i < f->naliases; i++) {
		free(f->aliases[i].function);
		free(f->aliases[i].embedded_type);
	}
	free(f->aliases);
	for (size_t i = 0; i < f->ncompat; i++) {
		mc_compat_array *a = &f->compat[i];
		for (size_t j = 0; j < a->nentries; j++) {
			mc_compat_entry *e = &a->entries[j];
			free(e->driver);
			free(e->property);
			free(e->value);
			free(e->file);
			free(e->suppress);
		}
		free(a->entries);
		free(a->name);
		free(a->function);
	}
	free(f->compat);
	free(f->path);
	free(f->error);
	free(f);
}

/* ---- JSON ---- */

static json_t *jstr(const char *s)
{
	return mc_json_text(s);
}

static char *sdup(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? mc_strdup(s) : NULL;
}

static int jint(json_t *o, const char *key)
{
	return (int)json_integer_value(json_object_get(o, key));
}

static json_t *value_to_json(const mc_value *v)
{
	json_t *o = json_object();
	json_object_set_new(o, "t", json_integer(v->type));
	json_object_set_new(o, "u", json_integer(v->is_unsigned));
	json_object_set_new(o, "i", json_integer((json_int_t)v->i));
	json_object_set_new(o, "s", jstr(v->s));
	return o;
}

static void value_from_json(mc_value *v, json_t *o)
{
	v->type = (mc_val_type)jint(o, "t");
	v->is_unsigned = jint(o, "u");
	v->i = (int64_t)json_integer_value(json_object_get(o, "i"));
	v->s = sdup(o, "s");
}

char *mc_facts_to_json(const mc_facts *f)
{
	json_t *root = json_object();
	json_object_set_new(root, "path", jstr(f->path));
	json_object_set_new(root, "parsed", json_integer(f->parsed));
	json_object_set_new(root, "error", jstr(f->error));
	json_object_set_new(root, "ndiag", json_integer((json_int_t)f->ndiagnostics));
	json_t *refused = json_array();
	for (size_t i = 0; i < f->refused_headers.n; i++)
		json_array_append_new(refused, jstr(f->refused_headers.v[i]));
	json_object_set_new(root, "refused", refused);
	json_t *arrays = json_array();
	for (size_t i = 0; i < f->narrays; i++) {
		const mc_prop_array *a = &f->arrays[i];
		json_t *ja = json_object();
		json_object_set_new(ja, "name", jstr(a->name));
		json_object_set_new(ja, "static", json_integer(a->is_static));
		json_object_set_new(ja, "line", json_integer(a->line));
		json_object_set_new(ja, "complete", json_integer(a->complete));
		json_object_set_new(ja, "why", jstr(a->why_incomplete));
		json_t *props = json_array();
		for (size_t j = 0; j < a->nprops; j++) {
			const mc_prop *p = &a->props[j];
			json_t *jp = json_object();
			json_object_set_new(jp, "name", jstr(p->name));
			json_object_set_new(jp, "info", jstr(p->info));
			json_object_set_new(jp, "kind", json_integer(p->kind));
			json_object_set_new(jp, "enum", jstr(p->enum_type));
			json_object_set_new(jp, "has", json_integer(p->has_default));
			json_object_set_new(jp, "val", value_to_json(&p->defval));
			json_object_set_new(jp, "text", jstr(p->defval_text));
			json_object_set_new(jp, "line", json_integer(p->line));
			json_object_set_new(jp, "cond", jstr(p->condition));
			json_object_set_new(jp, "supp", jstr(p->suppress));
			json_array_append_new(props, jp);
		}
		json_object_set_new(ja, "props", props);
		json_array_append_new(arrays, ja);
	}
	json_object_set_new(root, "arrays", arrays);
	json_t *att = json_array();
	for (size_t i = 0; i < f->nattaches; i++)
		json_array_append_new(att, json_pack("{s:s, s:s, s:i, s:i, s:i}", "f", f->attaches[i].function,
						     "a", f->attaches[i].array, "l", f->attaches[i].line, "cd",
						     f->attaches[i].from_class_data, "call", f->attaches[i].via_call));
	json_object_set_new(root, "attaches", att);
	json_t *types = json_array();
	for (size_t i = 0; i < f->ntypes; i++) {
		const mc_typeinfo *t = &f->types[i];
		json_t *jt = json_object();
		json_object_set_new(jt, "name", jstr(t->name));
		json_object_set_new(jt, "parent", jstr(t->parent));
		json_object_set_new(jt, "ci", jstr(t->class_init));
		json_object_set_new(jt, "ii", jstr(t->instance_init));
		json_object_set_new(jt, "abstract", json_integer(t->abstract));
		json_object_set_new(jt, "line", json_integer(t->line));
		json_object_set_new(jt, "cond", jstr(t->condition));
		json_t *data = json_array();
		for (size_t k = 0; k < t->data_arrays.n; k++)
			json_array_append_new(data, json_string(t->data_arrays.v[k]));
		json_object_set_new(jt, "data", data);
		json_array_append_new(types, jt);
	}
	json_object_set_new(root, "types", types);
	json_t *vpci = json_array();
	for (size_t i = 0; i < f->nvpci; i++) {
		const mc_virtio_pci_info *v = &f->vpci[i];
		json_t *jv = json_object();
		json_object_set_new(jv, "base", jstr(v->base_name));
		json_object_set_new(jv, "generic", jstr(v->generic_name));
		json_object_set_new(jv, "trans", jstr(v->transitional_name));
		json_object_set_new(jv, "nontrans", jstr(v->non_transitional_name));
		json_object_set_new(jv, "parent", jstr(v->parent));
		json_object_set_new(jv, "ci", jstr(v->class_init));
		json_object_set_new(jv, "ii", jstr(v->instance_init));
		json_object_set_new(jv, "line", json_integer(v->line));
		json_array_append_new(vpci, jv);
	}
	json_object_set_new(root, "vpci", vpci);
	json_t *aliases = json_array();
	for (size_t i = 0; i < f->naliases; i++)
		json_array_append_new(aliases, json_pack("{s:s, s:s, s:i}", "f", f->aliases[i].function,
							 "t", f->aliases[i].embedded_type, "l", f->aliases[i].line));
	json_object_set_new(root, "aliases", aliases);
	json_t *compat = json_array();
	for (size_t i = 0; i < f->ncompat; i++) {
		const mc_compat_array *a = &f->compat[i];
		json_t *jc = json_object();
		json_object_set_new(jc, "name", jstr(a->name));
		json_object_set_new(jc, "fn", jstr(a->function));
		json_object_set_new(jc, "line", json_integer(a->line));
		json_t *entries = json_array();
		for (size_t j = 0; j < a->nentries; j++) {
			const mc_compat_entry *e = &a->entries[j];
			json_t *je = json_object();
			json_object_set_new(je, "d", jstr(e->driver));
			json_object_set_new(je, "p", jstr(e->property));
			json_object_set_new(je, "v", jstr(e->value));
			json_object_set_new(je, "o", json_integer(e->optional));
			json_object_set_new(je, "f", jstr(e->file));
			json_object_set_new(je, "l", json_integer(e->line));
			json_object_set_new(je, "s", jstr(e->suppress));
			json_array_append_new(entries, je);
		}
		json_object_set_new(jc, "entries", entries);
		json_array_append_new(compat, jc);
	}
	json_object_set_new(root, "compat", compat);
	char *s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	char *r = mc_strdup(s);
	free(s);
	return r;
}

int mc_facts_from_json(mc_facts **out, const char *text)
{
	json_error_t err;
	json_t *root = json_loads(text, 0, &err);
	if (!root || !json_is_object(root)) {
		json_decref(root);
		mc_error_set("cached facts are not valid JSON: %s", err.text);
		return MC_EPARSE;
	}
	mc_facts *f = mc_calloc(1, sizeof(*f));
	f->path = sdup(root, "path");
	f->parsed = jint(root, "parsed");
	f->error = sdup(root, "error");
	f->ndiagnostics = (size_t)jint(root, "ndiag");
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(root, "refused"), i, v)
		if (json_is_string(v))
			mc_strvec_push(&f->refused_headers, json_string_value(v));
	json_array_foreach(json_object_get(root, "arrays"), i, v) {
		mc_prop_array *a = MC_VEC_PUSH(f->arrays, f->narrays, f->cap_arrays);
		a->name = sdup(v, "name");
		a->is_static = jint(v, "static");
		a->line = jint(v, "line");
		a->complete = jint(v, "complete");
		a->why_incomplete = sdup(v, "why");
		size_t j;
		json_t *jp;
		json_array_foreach(json_object_get(v, "props"), j, jp) {
			mc_prop *p = MC_VEC_PUSH(a->props, a->nprops, a->cap);
			p->name = sdup(jp, "name");
			p->info = sdup(jp, "info");
			p->kind = (mc_kind)jint(jp, "kind");
			p->enum_type = sdup(jp, "enum");
			p->has_default = jint(jp, "has");
			value_from_json(&p->defval, json_object_get(jp, "val"));
			p->defval_text = sdup(jp, "text");
			p->line = jint(jp, "line");
			p->condition = sdup(jp, "cond");
			p->suppress = sdup(jp, "supp");
		}
	}
	json_array_foreach(json_object_get(root, "attaches"), i, v) {
		mc_attach *a = MC_VEC_PUSH(f->attaches, f->nattaches, f->cap_attaches);
		a->function = sdup(v, "f");
		a->array = sdup(v, "a");
		a->line = jint(v, "l");
		a->from_class_data = jint(v, "cd");
		a->via_call = jint(v, "call");
	}
	json_array_foreach(json_object_get(root, "types"), i, v) {
		mc_typeinfo *t = MC_VEC_PUSH(f->types, f->ntypes, f->cap_types);
		t->name = sdup(v, "name");
		t->parent = sdup(v, "parent");
		t->class_init = sdup(v, "ci");
		t->instance_init = sdup(v, "ii");
		t->abstract = jint(v, "abstract");
		t->line = jint(v, "line");
		t->condition = sdup(v, "cond");
		size_t k;
		json_t *jd;
		json_array_foreach(json_object_get(v, "data"), k, jd)
			if (json_is_string(jd))
				mc_strvec_push(&t->data_arrays, json_string_value(jd));
	}
	json_array_foreach(json_object_get(root, "vpci"), i, v) {
		mc_virtio_pci_info *p = MC_VEC_PUSH(f->vpci, f->nvpci, f->cap_vpci);
		p->base_name = sdup(v, "base");
		p->generic_name = sdup(v, "generic");
		p->transitional_name = sdup(v, "trans");
		p->non_transitional_name = sdup(v, "nontrans");
		p->parent = sdup(v, "parent");
		p->class_init = sdup(v, "ci");
		p->instance_init = sdup(v, "ii");
		p->line = jint(v, "line");
	}
	json_array_foreach(json_object_get(root, "aliases"), i, v) {
		mc_alias *a = MC_VEC_PUSH(f->aliases, f->naliases, f->cap_aliases);
		a->function = sdup(v, "f");
		a->embedded_type = sdup(v, "t");
		a->line = jint(v, "l");
	}
	json_array_foreach(json_object_get(root, "compat"), i, v) {
		mc_compat_array *a = MC_VEC_PUSH(f->compat, f->ncompat, f->cap_compat);
		a->name = sdup(v, "name");
		a->function = sdup(v, "fn");
		a->line = jint(v, "line");
		size_t j;
		json_t *je;
		json_array_foreach(json_object_get(v, "entries"), j, je) {
			mc_compat_entry *e = MC_VEC_PUSH(a->entries, a->nentries, a->cap);
			e->driver = sdup(je, "d");
			e->property = sdup(je, "p");
			e->value = sdup(je, "v");
			e->optional = jint(je, "o");
			e->file = sdup(je, "f");
			e->line = jint(je, "l");
			e->suppress = sdup(je, "s");
		}
	}
	json_decref(root);
	/* Every name the model relies on must be present; a damaged record is refused. */
	for (size_t k = 0; k < f->narrays; k++) {
		if (!f->arrays[k].name)
			goto bad;
		for (size_t j = 0; j < f->arrays[k].nprops; j++)
			if (!f->arrays[k].props[j].name)
				goto bad;
	}
	for (size_t k = 0; k < f->ntypes; k++)
		if (!f->types[k].name)
			goto bad;
	for (size_t k = 0; k < f->nattaches; k++)
		if (!f->attaches[k].function || !f->attaches[k].array)
			goto bad;
	for (size_t k = 0; k < f->naliases; k++)
		if (!f->aliases[k].function || !f->aliases[k].embedded_type)
			goto bad;
	for (size_t k = 0; k < f->ncompat; k++) {
		if (!f->compat[k].name)
			goto bad;
		for (size_t j = 0; j < f->compat[k].nentries; j++)
			if (!f->compat[k].entries[j].driver || !f->compat[k].entries[j].property ||
			    !f->compat[k].entries[j].value)
				goto bad;
	}
	if (!f->path)
		goto bad;
	*out = f;
	return 0;
bad:
	mc_facts_free(f);
	mc_error_set("cached facts are incomplete");
	return MC_EPARSE;
}
