/*
 * show.c - see show.h.
 */
#include "report/show.h"
#include "report/report.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "model/effective.h"

int mc_show_parse_machine(const char *text, int *major, int *minor)
{
	/* Digits, one dot, digits: strtol alone would take signs and blanks. */
	const char *dot = strchr(text, '.');
	int ok = dot && dot != text && dot[1];
	for (const char *p = text; ok && *p; p++)
		ok = p == dot || isdigit((unsigned char)*p);
	if (!ok) {
		mc_error_set("--machine needs a version such as 5.1, not '%s'", text);
		return MC_EINPUT;
	}
	char *end;
	long a = strtol(text, &end, 10);
	if (end != text && *end == '.') {
		char *end2;
		long b = strtol(end + 1, &end2, 10);
		if (end2 != end + 1 && *end2 == '\0' && a >= 0 && a < 1000 && b >= 0 && b < 1000) {
			*major = (int)a;
			*minor = (int)b;
			return 0;
		}
	}
	mc_error_set("--machine needs a version such as 5.1, not '%s'", text);
	return MC_EINPUT;
}

/* Where the effective value comes from, for the reader. */
static char *source_of(const mc_effective *e, const mc_type_prop *tp)
{
	if (e->entry)
		return mc_sprintf("%s (%s:%d)", e->set->name, e->entry->file ? e->entry->file : e->set->file,
				  e->entry->line);
	return mc_sprintf("default (%s:%d)", tp->file, tp->prop->line);
}

/* Every property name the subject has, own and inherited, in declaration order. */
static void subject_props(const mc_subject *s, mc_strvec *names)
{
	const mc_type *chain[64];
	size_t n = 0;
	for (const mc_type *t = s->type; t && n < 64; t = t->parent)
		chain[n++] = t;
	while (n--)
		for (size_t i = 0; i < chain[n]->nprops; i++)
			if (!mc_strvec_contains(names, chain[n]->props[i].prop->name))
				mc_strvec_push(names, chain[n]->props[i].prop->name);
}

static int wanted(const mc_subject *s, const char *type)
{
	return !type || strcmp(s->type->name, type) == 0 || (s->proxy && strcmp(s->proxy->name, type) == 0);
}

/* Concrete bare types, then devices embedded in proxies. */
static void all_subjects(const mc_model *m, mc_subjects *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < m->ntypes; i++) {
		const mc_type *t = m->type_list[i];
		if (t->abstract)
			continue;
		mc_subject *s = MC_VEC_PUSH(out->v, out->n, out->cap);
		s->type = t;
		for (const mc_type *a = t; a; a = a->parent)
			for (size_t k = 0; k < a->aliases.n; k++) {
				const mc_type *e = mc_model_type(m, a->aliases.v[k]);
				if (!e)
					continue;
				mc_subject *es = MC_VEC_PUSH(out->v, out->n, out->cap);
				es->type = e;
				es->proxy = t;
			}
	}
}

/* Why --type T shows no property: said, never an empty answer. */
static const char *why_no_properties(const mc_type *t)
{
	if (t->abstract)
		return "abstract: no object of this type is created; its properties show on its concrete subtypes";
	if (t->props_unknown)
		return "its property list could not be extracted (see coverage.unanalysed)";
	return "no property migcompat can see (none declared, nor added by code in its class_init or instance_init)";
}

/* A misspelt --type or --family must not look like "no properties". */
static int check_names(const mc_model *m, const mc_model *rust, const mc_show_opts *o, const char *rev_name)
{
	if (o->type && !mc_model_type(m, o->type) && !(rust && mc_model_type(rust, o->type))) {
		mc_error_set("%s has no type named '%s'", rev_name, o->type);
		return MC_EINPUT;
	}
	if (!mc_model_is_generic(m, o->family) && !mc_strvec_contains(&m->families, o->family)) {
		mc_buf b = {0};
		for (size_t i = 0; i < m->families.n; i++)
			mc_buf_printf(&b, "%s%s", i ? ", " : "", m->families.v[i]);
		mc_error_set("%s has no machine family '%s' (known: %s)", rev_name, o->family, b.ptr ? b.ptr : "none");
		mc_buf_free(&b);
		return MC_EINPUT;
	}
	return 0;
}

/* Does the build with Rust devices give the subject other properties: is a type of its chain Rust? */
static int rust_subject(const mc_subject *s)
{
	for (const mc_type *t = s->type; t; t = t->parent)
		if (t->rust)
			return 1;
	for (const mc_type *t = s->proxy; t; t = t->parent)
		if (t->rust)
			return 1;
	return 0;
}

/*
 * The effective value of every property of one subject, as text lines on out
 * and as an entry of types; 0 when it has no property (nothing written).
 * rust: the subject as QEMU built with Rust devices has it.
 */
static size_t show_subject(FILE *out, mc_format fmt, const mc_model *m, const mc_subject *s, const char *family,
			   int major, int minor, json_t *types, int rust)
{
	mc_strvec names = {0};
	subject_props(s, &names);
	if (!names.n) {
		mc_strvec_free(&names);
		return 0;
	}
	char *who = mc_subject_describe(s);
	json_t *jt = json_object(), *props = json_array();
	json_object_set_new(jt, "type", json_string(s->type->name));
	json_object_set_new(jt, "inside", s->proxy ? json_string(s->proxy->name) : json_null());
	if (rust)
		json_object_set_new(jt, "build", json_string("rust"));
	for (size_t k = 0; k < names.n; k++) {
		mc_effective e;
		const mc_type_prop *tp = mc_type_prop_find(s->type, names.v[k], NULL);
		if (mc_effective_get(m, s, names.v[k], family, major, minor, &e) < 0)
			continue;
		char *value = mc_effective_display(&e), *src = source_of(&e, tp);
		if (fmt == MC_FORMAT_TEXT)
			fprintf(out, "%s.%s = %s  [%s, %s%s]\n", who, names.v[k], value, mc_kind_name(e.kind), src,
				rust ? ", built with Rust devices" : "");
		json_t *jp = json_object();
		json_object_set_new(jp, "name", json_string(names.v[k]));
		json_object_set_new(jp, "kind", json_string(mc_kind_name(e.kind)));
		json_object_set_new(jp, "value", json_string(value));
		json_object_set_new(jp, "source", json_string(src));
		json_array_append_new(props, jp);
		free(value);
		free(src);
	}
	json_object_set_new(jt, "properties", props);
	json_array_append_new(types, jt);
	free(who);
	mc_strvec_free(&names);
	return 1;
}

/* The subjects of one build that --type asks for (all without it); rust: only those Rust gives other properties. */
static size_t show_build(FILE *out, mc_format fmt, const mc_model *m, const mc_show_opts *o, int major, int minor,
			 json_t *types, int rust)
{
	mc_subjects subjects;
	all_subjects(m, &subjects);
	size_t shown = 0;
	for (size_t i = 0; i < subjects.n; i++)
		if (wanted(&subjects.v[i], o->type) && (!rust || rust_subject(&subjects.v[i])))
			shown += show_subject(out, fmt, m, &subjects.v[i], o->family, major, minor, types, rust);
	mc_subjects_free(&subjects);
	return shown;
}

int mc_show_write(FILE *out, mc_format fmt, const mc_revision *rev, const char *rev_name, const mc_show_opts *o)
{
	const mc_model *m = rev->model;
	/* No --family: the generic machines, as the conventions name them. */
	mc_show_opts resolved = *o;
	if (!resolved.family)
		resolved.family = m->generic_family;
	if (!resolved.family) {
		mc_error_set("the conventions name no generic-family: give --family");
		return MC_EINPUT;
	}
	o = &resolved;
	if (check_names(m, rev->model_rust, o, rev_name) < 0)
		return MC_EINPUT;
	json_t *root = json_object(), *types = json_array();
	int major = o->major < 0 ? MC_VERSION_DEFAULTS + 1 : o->major, minor = o->major < 0 ? 0 : o->minor;
	size_t shown = show_build(out, fmt, m, o, major, minor, types, 0);
	/* Then the subjects QEMU built with Rust devices has otherwise: those of a Rust type's chain. */
	if (rev->model_rust)
		shown += show_build(out, fmt, rev->model_rust, o, major, minor, types, 1);
	if (o->type && !shown) {
		const mc_type *t = mc_model_type(m, o->type);
		const char *why = why_no_properties(t ? t : mc_model_type(rev->model_rust, o->type));
		if (fmt == MC_FORMAT_TEXT)
			fprintf(out, "%s: %s\n", o->type, why);
		json_t *jt = json_object();
		json_object_set_new(jt, "type", json_string(o->type));
		json_object_set_new(jt, "inside", json_null());
		json_object_set_new(jt, "properties", json_array());
		json_object_set_new(jt, "note", json_string(why));
		json_array_append_new(types, jt);
	}
	int rc = 0;
	if (fmt == MC_FORMAT_JSON) {
		json_object_set_new(root, "rev", json_string(rev_name));
		json_object_set_new(root, "commit", json_string(rev->snap->commit.hex));
		char machine[32] = "newest";
		if (o->major >= 0)
			snprintf(machine, sizeof(machine), "%d.%d", o->major, o->minor);
		json_object_set_new(root, "machine", json_string(machine));
		json_object_set_new(root, "family", json_string(o->family));
		json_object_set_new(root, "types", types);
		json_object_set_new(root, "coverage", mc_report_coverage_json(rev->model));
		types = NULL;
		rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', out);
	}
	json_decref(types);
	json_decref(root);
	if (rc < 0 || ferror(out)) {
		mc_error_set("cannot write the report: %s", strerror(errno));
		return MC_EIO;
	}
	return 0;
}
