/*
 * dangling.c - compat entries naming a type or property that does not exist.
 *
 * QEMU applies an entry to every object of the driver type and its subtypes
 * and aborts when such an object lacks the property (unless .optional).  A
 * driver that names no type at all does nothing.  Properties added by code
 * are read where the conventions name the call (qom-property-call) and are
 * checked like DEFINE_PROPs; the rest (a name built at run time, a type
 * registered by code the conventions do not describe): when the name is
 * written in the type's files, the entry is reported as not analysed (a
 * note), never as broken.
 */
#include "rules/check.h"

#include <stdlib.h>
#include <string.h>

typedef enum { ENTRY_OK, ENTRY_UNKNOWN, ENTRY_DANGLING, ENTRY_CONDITIONAL } entry_status;

/* One side of the change, as the checks of an entry see it. */
typedef struct {
	const mc_model *m;
	const mc_mentions *mentions;
	const mc_conv *conv;
} side;

/* Is the name written as a string outside the compat lists themselves? */
static int tree_mentions(const side *sd, const char *name)
{
	mc_strvec compat_files = {0};
	for (size_t s = 0; s < sd->m->nsets; s++)
		if (!mc_strvec_contains(&compat_files, sd->m->sets[s].file))
			mc_strvec_push(&compat_files, sd->m->sets[s].file);
	int hit = mc_mentions_elsewhere(sd->mentions, name, &compat_files);
	mc_strvec_free(&compat_files);
	return hit;
}

/* "EPYC-x86_64-cpu": a model name built at run time on top of a known type. */
static int dynamic_name(const side *sd, const char *name)
{
	for (const char *p = strchr(name, '-'); p; p = strchr(p + 1, '-'))
		if (mc_model_type(sd->m, p + 1) && mc_conv_is_dynamic_suffix(sd->conv, p + 1))
			return 1;
	return 0;
}

static void collect_concrete(const mc_type *t, const mc_type ***out, size_t *n, size_t *cap)
{
	if (!t->abstract) {
		const mc_type **slot = MC_VEC_PUSH(*out, *n, *cap);
		*slot = t;
	}
	for (size_t i = 0; i < t->nchildren; i++)
		collect_concrete(t->children[i], out, n, cap);
}

/* Types in the chain and subtree of t whose files may add the property by code. */
static int written_near(const side *sd, const mc_type *t, const char *prop)
{
	for (const mc_type *a = t; a; a = a->parent)
		if (a->props_unknown || mc_mentions_in_file(sd->mentions, prop, a->file))
			return 1;
	for (size_t i = 0; i < t->nchildren; i++)
		if (written_near(sd, t->children[i], prop))
			return 1;
	return 0;
}

/* Is t registered under the very #if that the property is built under, in the same file? */
static int same_condition(const mc_type *t, const mc_type_prop *tp)
{
	return t && t->condition && t->file && strcmp(t->file, tp->file) == 0 &&
	       strcmp(t->condition, tp->prop->condition) == 0;
}

static entry_status entry_check(const side *sd, const mc_compat_entry *e, mc_strvec *lacking)
{
	const mc_model *m = sd->m;
	const mc_type *t = mc_model_type(m, e->driver);
	if (!t) {
		if (dynamic_name(sd, e->driver) || tree_mentions(sd, e->driver))
			return ENTRY_UNKNOWN;
		return ENTRY_DANGLING;
	}
	const mc_type **concrete = NULL;
	size_t n = 0, cap = 0;
	collect_concrete(t, &concrete, &n, &cap);
	int any_has = mc_type_has_prop(m, t, e->property);
	for (size_t i = 0; i < n && !any_has; i++)
		any_has = mc_type_has_prop(m, concrete[i], e->property);
	/* Where the property is a DEFINE_PROP, a type without it really lacks it; otherwise
	 * it may be added by code written in the type's file. */
	for (size_t i = 0; i < n; i++)
		if (!mc_type_has_prop(m, concrete[i], e->property) && !e->optional && !concrete[i]->props_unknown &&
		    (any_has || !mc_mentions_in_file(sd->mentions, e->property, concrete[i]->file)))
			mc_strvec_push(lacking, concrete[i]->name);
	free(concrete);
	if (!any_has) {
		mc_strvec_free(lacking);
		/* Written elsewhere (a header #define used under a target's #if): not judged. */
		return written_near(sd, t, e->property) || tree_mentions(sd, e->property) ? ENTRY_UNKNOWN
											 : ENTRY_DANGLING;
	}
	if (lacking->n)
		return ENTRY_DANGLING;
	/* A property under #ifdef exists in some builds only: elsewhere the entry aborts QEMU,
	 * unless the type itself is registered only under the same condition. */
	const mc_type *owner = NULL;
	const mc_type_prop *tp = mc_type_prop_find(t, e->property, &owner);
	if (!e->optional && tp && tp->prop->condition && !same_condition(owner, tp) && !same_condition(t, tp)) {
		mc_strvec_push_owned(lacking, mc_sprintf("%s:%d: #%s", tp->file, tp->prop->line, tp->prop->condition));
		return ENTRY_CONDITIONAL;
	}
	return ENTRY_OK;
}

/* The first subtype of t that declares prop itself. */
static const mc_type *declaring_subtype(const mc_model *m, const mc_type *t, const char *prop)
{
	for (size_t i = 0; i < t->nchildren; i++) {
		const mc_type *c = t->children[i];
		for (size_t k = 0; k < c->nprops; k++)
			if (strcmp(c->props[k].prop->name, prop) == 0)
				return c;
		const mc_type *d = declaring_subtype(m, c, prop);
		if (d)
			return d;
	}
	return NULL;
}

static mc_finding *report(mc_findings *out, const mc_compat_set *set, const mc_compat_entry *e, const mc_model *m,
			  const mc_strvec *lacking)
{
	const mc_type *t = mc_model_type(m, e->driver);
	mc_finding *f;
	if (!t)
		f = mc_findings_add(out, "compat-dangling", MC_SEV_ERROR, e->driver, e->property, e->file, e->line,
				    "compat entry in %s names type '%s', which does not exist: the entry does nothing",
				    set->name, e->driver);
	else if (!lacking->n)
		f = mc_findings_add(out, "compat-dangling", MC_SEV_ERROR, e->driver, e->property, e->file, e->line,
				    "compat entry in %s sets '%s' on %s, which has no such property: QEMU aborts "
				    "when it applies the entry",
				    set->name, e->property, e->driver);
	else if (strcmp(lacking->v[0], e->driver) == 0 && declaring_subtype(m, t, e->property)) {
		/* The entry names a parent of the type that has the property: report that type. */
		const mc_type *d = declaring_subtype(m, t, e->property);
		f = mc_findings_add(out, "compat-dangling", MC_SEV_ERROR, d->name, e->property, e->file, e->line,
				    "compat entry in %s sets '%s' on %s, which lacks the property (only its subtype %s "
				    "has it): QEMU aborts when it creates a %s on an older machine type",
				    set->name, e->property, e->driver, d->name, e->driver);
	} else {
		f = mc_findings_add(out, "compat-dangling", MC_SEV_ERROR, e->driver, e->property, e->file, e->line,
				    "compat entry in %s sets '%s' on %s, but its subtype %s lacks the property: QEMU "
				    "aborts when it creates one on an older machine type (or use .optional = true)",
				    set->name, e->property, e->driver, lacking->v[0]);
		for (size_t i = 1; i < lacking->n; i++)
			mc_strvec_push_owned(&f->notes, mc_sprintf("also lacks it: %s", lacking->v[i]));
	}
	for (size_t i = 0; i < lacking->n; i++)
		mc_finding_affects(f, lacking->v[i]);
	f->new_value = mc_strdup(e->value);
	return f;
}

/*
 * Does every concrete type under the driver have the property at head as it
 * had at base, with no type added or gone?  Then an old entry cannot have
 * started dangling.
 */
static int subtree_unchanged(const mc_check *c, const mc_compat_entry *e)
{
	const mc_type *ht = mc_model_type(c->hm, e->driver), *bt = mc_model_type(c->bm, e->driver);
	if (!ht || !bt || mc_type_has_prop(c->hm, ht, e->property) != mc_type_has_prop(c->bm, bt, e->property))
		return 0;
	const mc_type **hc = NULL, **bc = NULL;
	size_t hn = 0, hcap = 0, bn = 0, bcap = 0;
	collect_concrete(ht, &hc, &hn, &hcap);
	collect_concrete(bt, &bc, &bn, &bcap);
	int same = hn == bn;
	for (size_t i = 0; i < hn && same; i++) {
		const mc_type *was = mc_model_type(c->bm, hc[i]->name);
		same = was && mc_type_is_a(was, e->driver) &&
		       mc_type_has_prop(c->hm, hc[i], e->property) == mc_type_has_prop(c->bm, was, e->property);
	}
	free(hc);
	free(bc);
	return same;
}

/* Is every type of head's lacking list already lacking at base? */
static int lacking_before(const side *base, const mc_compat_entry *e, const mc_strvec *lacking)
{
	mc_strvec was = {0};
	int dangling = entry_check(base, e, &was) == ENTRY_DANGLING;
	int all = dangling;
	for (size_t i = 0; i < lacking->n && all; i++)
		all = mc_strvec_contains(&was, lacking->v[i]);
	mc_strvec_free(&was);
	return all;
}

/*
 * Types of the lacking list that base does not have: the change adds them
 * under an old entry.  The first one's registration is the finding's cause:
 * the line the change wrote, where a review annotation belongs.
 */
static void note_new_types(const mc_check *c, mc_finding *f, const mc_strvec *lacking)
{
	for (size_t i = 0; i < lacking->n; i++) {
		if (mc_model_type(c->bm, lacking->v[i]))
			continue;
		mc_strvec_push_owned(&f->notes, mc_sprintf("%s is new in this change, under an entry that older "
							   "machine types already apply to it",
							   lacking->v[i]));
		const mc_type *t = mc_model_type(c->hm, lacking->v[i]);
		if (t && t->file && !f->cause_file) {
			f->cause_file = mc_strdup(t->file);
			f->cause_line = t->line;
		}
	}
}

/*
 * An entry on an existing property whose value the property's parser
 * rejects ("maybe" for a bool, "4x" for a uint): QEMU aborts applying it, as
 * for a missing property.  Only the kinds whose parser migcompat follows
 * exactly (bool, integers, sizes) are judged; an enum's members are not in
 * the model.
 */
static void check_value(const mc_model *m, const mc_compat_set *set, const mc_compat_entry *e, mc_findings *out)
{
	const mc_type *t = mc_model_type(m, e->driver);
	const mc_type_prop *tp = t ? mc_type_prop_find(t, e->property, NULL) : NULL;
	mc_kind kind = tp ? tp->prop->kind : MC_KIND_UNKNOWN;
	if (kind != MC_KIND_BOOL && kind != MC_KIND_INT && kind != MC_KIND_UINT && kind != MC_KIND_SIZE)
		return;
	mc_value v;
	if (mc_value_parse(&v, kind, e->value) == 0) {
		mc_value_free(&v);
		return;
	}
	mc_error_clear();
	mc_finding *f = mc_findings_add(out, "compat-dangling", MC_SEV_ERROR, e->driver, e->property, e->file, e->line,
					"compat entry in %s sets '%s' on %s to \"%s\", which a %s property rejects: QEMU "
					"aborts when it applies the entry",
					set->name, e->property, e->driver, e->value, mc_kind_name(kind));
	f->new_value = mc_strdup(e->value);
}

void mc_rule_dangling(const mc_check *c, mc_findings *out)
{
	const side head = { c->hm, c->in->head_mentions, c->in->conv };
	const side base = { c->bm, c->in->base_mentions, c->in->conv };
	for (size_t i = 0; i < c->hm->nsets; i++) {
		const mc_compat_set *set = &c->hm->sets[i];
		for (size_t j = 0; j < set->nentries; j++) {
			const mc_compat_entry *e = set->entries[j];
			int is_new = mc_check_entry_is_new(c, set, e);
			/* An old entry can only start dangling when the types under it changed: a type
			 * added or moved, a declaration gone. */
			if (!is_new && !c->in->audit && (!mc_model_type(c->bm, e->driver) || subtree_unchanged(c, e)))
				continue;
			mc_strvec lacking = {0};
			entry_status st = entry_check(&head, e, &lacking);
			if (st == ENTRY_DANGLING && !is_new && !c->in->audit && lacking_before(&base, e, &lacking)) {
				mc_strvec_free(&lacking);
				continue;
			}
			if ((st == ENTRY_OK || st == ENTRY_CONDITIONAL) && (is_new || c->in->audit))
				check_value(c->hm, set, e, out);
			if (st == ENTRY_DANGLING)
				note_new_types(c, report(out, set, e, c->hm, &lacking), &lacking);
			else if (st == ENTRY_CONDITIONAL && (is_new || c->in->audit)) {
				mc_finding *f = mc_findings_add(out, "compat-dangling", MC_SEV_WARNING, e->driver, e->property,
								e->file, e->line,
								"compat entry in %s sets '%s' on %s, but the property is built "
								"only under a condition (%s): where it is not, QEMU aborts "
								"applying the entry unless it is .optional = true",
								set->name, e->property, e->driver, lacking.v[0]);
				f->new_value = mc_strdup(e->value);
			}
			else if (st == ENTRY_UNKNOWN && is_new)
				mc_findings_add(out, "compat-dangling", MC_SEV_NOTE, e->driver, e->property, e->file, e->line,
						"compat entry { \"%s\", \"%s\", \"%s\" } in %s targets a type or property "
						"migcompat does not analyse (registered or added by code); not checked",
						e->driver, e->property, e->value, set->name);
			mc_strvec_free(&lacking);
		}
	}
}
