/*
 * vmstate.c - see vmstate.h.
 *
 * The nesting follows QEMU's dump: a field's .vmsd is printed in full where
 * the field is (QEMU prints the same description once per use), a
 * subsection in full in its parent's Subsections.  Fields that carry
 * VMS_MUST_EXIST (VMSTATE_VALIDATE) are left out, as QEMU leaves them out:
 * they put nothing on the wire.
 */
#include "report/vmstate.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A description nested deeper than this is a cycle through pointers; QEMU's own dump would not end. */
#define MC_VMSTATE_MAX_DEPTH 32

typedef struct {
	const mc_model *m;
	FILE *out;              /* text form, or NULL */
	size_t unresolved;      /* nested descriptions the model does not have */
	mc_strvec missing;      /* "var (from file)" of each, once */
} dump_ctx;

static void note_missing(dump_ctx *c, const char *var, const char *file)
{
	char *what = mc_sprintf("%s (named in %s)", var, file);
	c->unresolved++;
	if (!mc_strvec_contains(&c->missing, what))
		mc_strvec_push(&c->missing, what);
	free(what);
}

static json_t *description_json(dump_ctx *c, const mc_vmstate *v, int depth);

static json_t *field_json(dump_ctx *c, const mc_vmstate *owner, const mc_vms_field *fd, int depth)
{
	json_t *o = json_object();
	json_object_set_new(o, "field", json_string(fd->name));
	json_object_set_new(o, "version_id", json_integer(fd->version));
	json_object_set_new(o, "field_exists", json_boolean(fd->test != NULL));
	json_object_set_new(o, "size", json_integer(fd->size));
	if (c->out) {
		fprintf(c->out, "%*s%s  v%d  size %d", depth * 4 + 2, "", fd->name, fd->version, fd->size);
		if (fd->num)
			fprintf(c->out, "  x%d", fd->num);
		if (fd->count)
			fprintf(c->out, "  x(%s)", fd->count);
		if (fd->test)
			fprintf(c->out, "  if %s()", fd->test);
		if (fd->flags)
			fprintf(c->out, "  [%s]", fd->flags);
		fputc('\n', c->out);
	}
	if (fd->vmsd) {
		const mc_vmstate *n = mc_model_vmstate(c->m, owner->file, fd->vmsd);
		if (!n)
			note_missing(c, fd->vmsd, owner->file);
		else if (depth < MC_VMSTATE_MAX_DEPTH)
			json_object_set_new(o, "Description", description_json(c, n, depth + 1));
	}
	return o;
}

static json_t *description_json(dump_ctx *c, const mc_vmstate *v, int depth)
{
	const mc_vmsd *d = v->d;
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(d->name ? d->name : d->var));
	json_object_set_new(o, "version_id", json_integer(d->version));
	json_object_set_new(o, "minimum_version_id", json_integer(d->min_version));
	if (c->out) {
		fprintf(c->out, "%*s%s  v%d (min %d)  [%s:%d %s%s%s]%s\n", depth * 4, "", d->name ? d->name : d->var,
			d->version, d->min_version, v->file, d->line, d->var, d->needed ? ", needed " : "",
			d->needed ? d->needed : "", d->complete ? "" : "  (incomplete, see coverage)");
	}
	if (d->has_fields) {
		json_t *fields = json_array();
		for (size_t i = 0; i < d->nfields; i++)
			if (mc_vms_field_on_wire(&d->fields[i]))
				json_array_append_new(fields, field_json(c, v, &d->fields[i], depth));
		json_object_set_new(o, "Fields", fields);
	}
	if (d->subsections.n) {
		json_t *subs = json_array();
		for (size_t i = 0; i < d->subsections.n; i++) {
			const mc_vmstate *s = mc_model_vmstate(c->m, v->file, d->subsections.v[i]);
			if (!s)
				note_missing(c, d->subsections.v[i], v->file);
			else if (depth < MC_VMSTATE_MAX_DEPTH) {
				if (c->out)
					fprintf(c->out, "%*ssubsection:\n", depth * 4 + 2, "");
				json_array_append_new(subs, description_json(c, s, depth + 1));
			}
		}
		json_object_set_new(o, "Subsections", subs);
	}
	return o;
}

static void write_coverage(FILE *to, const char *prefix, const mc_model *m, size_t types, size_t types_unresolved,
			   const dump_ctx *c)
{
	fprintf(to, "%s%zu device types with a description (%zu whose description is not in the parsed files); "
		"%zu descriptions, %zu not analysed completely; %zu nested descriptions not found\n",
		prefix, types, types_unresolved, m->nvmstates, m->vmstate_incomplete, c->unresolved);
	for (size_t i = 0; i < m->vmstate_unanalysed.n; i++)
		fprintf(to, "%snot analysed: %s\n", prefix, m->vmstate_unanalysed.v[i]);
	for (size_t i = 0; i < c->missing.n; i++)
		fprintf(to, "%snot found: %s\n", prefix, c->missing.v[i]);
}

int mc_vmstate_write(FILE *out, FILE *notes, mc_format fmt, const mc_model *m, const char *rev_name,
		     const char *type)
{
	const mc_type *only = type ? mc_model_type(m, type) : NULL;
	if (type && !only) {
		mc_error_set("%s has no type named '%s'", rev_name, type);
		return MC_EINPUT;
	}
	dump_ctx c = { m, fmt == MC_FORMAT_TEXT ? out : NULL, 0, {0} };
	json_t *root = json_object();
	json_t *machine = json_object();
	/* The checker compares this name between its two dumps; a static dump has no machine. */
	json_object_set_new(machine, "Name", json_string("migcompat-static"));
	json_object_set_new(root, "vmschkmachine", machine);
	size_t types = 0, unresolved = 0;
	for (size_t i = 0; i < m->ntypes; i++) {
		const mc_type *t = m->type_list[i];
		if (only && t != only)
			continue;
		const mc_type *from = t;
		while (from && !from->vmsd && !from->vmsd_var)
			from = from->parent;
		if (!from)
			continue;
		types++;
		if (!from->vmsd) {
			unresolved++;
			if (c.out)
				fprintf(out, "%s: description %s not found in the parsed files\n", t->name, from->vmsd_var);
			continue;
		}
		const mc_vmsd *d = from->vmsd->d;
		if (c.out)
			fprintf(out, "%s%s%s:\n", t->name, from != t ? " from " : "", from != t ? from->name : "");
		json_t *o = json_object();
		json_object_set_new(o, "Name", json_string(t->name));
		json_object_set_new(o, "version_id", json_integer(d->version));
		json_object_set_new(o, "minimum_version_id", json_integer(d->min_version));
		json_object_set_new(o, "Description", description_json(&c, from->vmsd, 1));
		json_object_set_new(root, t->name, o);
	}
	if (only && !types && c.out)
		fprintf(out, "%s: no VMStateDescription through %s\n", type,
			"a class member the conventions name (vmstate-member)");
	int rc = 0;
	if (fmt == MC_FORMAT_JSON) {
		rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', out);
		write_coverage(notes, "migcompat: vmstate: ", m, types, unresolved, &c);
	} else {
		write_coverage(out, "coverage: ", m, types, unresolved, &c);
	}
	json_decref(root);
	mc_strvec_free(&c.missing);
	if (rc < 0 || ferror(out)) {
		mc_error_set("cannot write the report: %s", strerror(errno));
		return MC_EIO;
	}
	return 0;
}
