/*
 * redundant.c - compat entries that restore what the class default already is.
 */
#include "rules/check.h"

#include <stdlib.h>
#include <string.h>

static int is_redundant(const mc_model *m, const mc_compat_entry *e)
{
	const mc_type *t = mc_model_type(m, e->driver);
	const mc_type_prop *tp = t ? mc_type_prop_find(t, e->property, NULL) : NULL;
	if (!tp || !tp->prop->has_default)
		return 0;
	mc_effective def = { tp->prop->kind, tp->prop, NULL, NULL };
	mc_effective ent = def;
	ent.entry = e;
	return mc_effective_equal(&def, &ent) == 1;
}

void mc_rule_redundant(const mc_check *c, mc_findings *out)
{
	for (size_t i = 0; i < c->hm->nsets; i++) {
		const mc_compat_set *set = &c->hm->sets[i];
		for (size_t j = 0; j < set->nentries; j++) {
			const mc_compat_entry *e = set->entries[j];
			if (!is_redundant(c->hm, e))
				continue;
			if (!c->in->audit && !mc_check_entry_is_new(c, set, e) && is_redundant(c->bm, e))
				continue;
			mc_finding *f = mc_findings_add(out, "compat-redundant", MC_SEV_NOTE, e->driver, e->property, e->file,
							e->line,
							"compat entry { \"%s\", \"%s\", \"%s\" } in %s sets the value the "
							"property has by default",
							e->driver, e->property, e->value, set->name);
			f->new_value = mc_strdup(e->value);
		}
	}
}
