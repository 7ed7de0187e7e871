/*
 * check.c - the context the checks share, and their helpers (check.h).
 */
#include "rules/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mc_check_entry_is_new(const mc_check *c, const mc_compat_set *set, const mc_compat_entry *e)
{
	char *key = mc_compat_entry_key(set, e);
	int found = mc_map_get(&c->base_entries, key) != NULL;
	free(key);
	return !found;
}

const char *mc_check_stable_reason(const mc_check *c, const mc_compat_entry *e)
{
	const mc_trailers *t = mc_commit_facts_for_entry(c->in->commit, e->file, e->property);
	for (size_t i = 0; t && i < t->n; i++)
		if (mc_trailer_is_stable_fix(&t->v[i], c->released_major, c->released_minor))
			return t->v[i].line;
	return NULL;
}

int mc_check_refs_reach(const mc_entry_ref *refs, size_t n, const char *family)
{
	for (size_t i = 0; i < n; i++)
		if (refs[i].set->generic || strcmp(refs[i].set->family, family) == 0)
			return 1;
	return 0;
}

static int oldest_of(const mc_model *m, const char *family, int *major, int *minor);

void mc_check_init(mc_check *c, const mc_rule_input *in)
{
	memset(c, 0, sizeof(*c));
	c->in = in;
	c->bm = in->base;
	c->hm = in->head;
	c->nversions = mc_versions_compared(c->bm, c->hm, &c->versions);
	/* A family with machine-wide defaults only (microvm, the evaluation boards)
	 * has no versioned machine type: no released machine of it to keep. */
	for (size_t i = 0; i < c->bm->families.n; i++) {
		int maj, min;
		const char *family = c->bm->families.v[i];
		if (mc_strvec_contains(&c->hm->families, family) && oldest_of(c->bm, family, &maj, &min))
			mc_strvec_push(&c->families, family);
	}
	mc_strvec_sort(&c->families);
	for (size_t i = 0; i < c->bm->nsets; i++)
		for (size_t j = 0; j < c->bm->sets[i].nentries; j++) {
			char *key = mc_compat_entry_key(&c->bm->sets[i], c->bm->sets[i].entries[j]);
			mc_map_put(&c->base_entries, key, (void *)c->bm->sets[i].entries[j]);
			free(key);
		}
	if (!mc_model_released(c->bm, &c->released_major, &c->released_minor))
		c->released_major = c->released_minor = -1;
}

void mc_check_free(mc_check *c)
{
	free(c->versions);
	mc_strvec_free(&c->families);
	mc_map_free(&c->base_entries);
	memset(c, 0, sizeof(*c));
}

void mc_check_suggest_array(const mc_check *c, const char *family, char **array, char **file, int *missing)
{
	int rmaj = -1, rmin = -1;
	*missing = 0;
	if (!family) {
		/* No generic family in the conventions: no array to name. */
		*array = *file = NULL;
		return;
	}
	mc_model_released(c->bm, &rmaj, &rmin);
	const mc_compat_set *newest = mc_model_newest_set(c->hm, family);
	*missing = 0;
	if (newest && (rmaj < 0 || (newest->major == rmaj && newest->minor == rmin))) {
		*array = mc_strdup(newest->name);
		*file = mc_strdup(newest->file);
		return;
	}
	/* The array for the release just made does not exist yet. */
	*missing = newest != NULL || rmaj >= 0;
	int maj = rmaj >= 0 ? rmaj : (newest ? newest->major : 0);
	int min = rmaj >= 0 ? rmin : (newest ? newest->minor : 0);
	if (newest && strstr(newest->name, "_compat_"))
		*array = mc_sprintf("%.*s%d_%d", (int)(strstr(newest->name, "_compat_") - newest->name + 8),
				    newest->name, maj, min);
	else
		*array = mc_sprintf("%s_compat_%d_%d", family, maj, min);
	*file = mc_strdup(newest ? newest->file : "");
}

char *mc_check_versions_text(const mc_version *v, size_t n)
{
	if (n == 0)
		return mc_strdup("none");
	/* v is newest first */
	if (n == 1)
		return mc_sprintf("%d.%d", v[0].major, v[0].minor);
	return mc_sprintf("%d.%d to %d.%d", v[n - 1].major, v[n - 1].minor, v[0].major, v[0].minor);
}

size_t mc_check_added_entries(const mc_check *c, const mc_subject *s, const char *prop, int applying,
			      mc_entry_ref *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < c->hm->nsets && n < max; i++) {
		/* Machine-wide defaults are not compat entries for older versions. */
		if (c->hm->sets[i].major == MC_VERSION_DEFAULTS)
			continue;
		for (size_t j = 0; j < c->hm->sets[i].nentries && n < max; j++) {
			const mc_compat_entry *e = c->hm->sets[i].entries[j];
			if (strcmp(e->property, prop) != 0 || !mc_check_entry_is_new(c, &c->hm->sets[i], e))
				continue;
			if (mc_entry_applies(c->hm, e, s, prop) != applying)
				continue;
			out[n].set = &c->hm->sets[i];
			out[n].e = e;
			n++;
		}
	}
	return n;
}

/* The oldest version of a family's machines at a revision ("hw": all generic arrays). */
static int oldest_of(const mc_model *m, const char *family, int *major, int *minor)
{
	int found = 0;
	for (size_t i = 0; i < m->nsets; i++) {
		const mc_compat_set *s = &m->sets[i];
		if (s->major == MC_VERSION_DEFAULTS || strcmp(s->family, family) != 0)
			continue;
		if (!found || mc_version_cmp(s->major, s->minor, *major, *minor) < 0) {
			*major = s->major;
			*minor = s->minor;
			found = 1;
		}
	}
	return found;
}

int mc_check_machine_exists(const mc_check *c, const char *family, const mc_version *v)
{
	/* Old machines are deleted with their arrays: below a family's oldest array at head
	 * (or at base) the machine does not exist on both sides. */
	const mc_model *models[2] = { c->bm, c->hm };
	for (int k = 0; k < 2; k++) {
		int maj = 0, min = 0;
		if (oldest_of(models[k], family, &maj, &min) && mc_version_cmp(v->major, v->minor, maj, min) < 0)
			return 0;
	}
	return 1;
}

int mc_check_resolved_at_run_time(mc_kind kind, const char *shown)
{
	if (!shown)
		return 0;
	return strcmp(shown, "auto") == 0 || (kind == MC_KIND_INT && strcmp(shown, "-1") == 0);
}

int mc_check_family_holds(const mc_check *c, const char *family, const mc_subject *s)
{
	const char *only;
	if (!c->in->conv || !mc_conv_machine_only(c->in->conv, s->type->file, &only))
		return 1;
	if (!only)
		return 0;
	if (mc_strvec_contains(&c->families, only))
		return strcmp(only, family) == 0;
	/* A family with no versioned arrays of its own (Arm's virt machines only add the
	 * generic ones): its versioned machines are the generic family's. */
	return mc_model_is_generic(c->hm, family);
}

/* A C string literal of s: the entry is pasted into C source by --fix. */
static char *quote_c(const char *s)
{
	mc_buf b = {0};
	mc_buf_puts(&b, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			mc_buf_puts(&b, "\\");
		mc_buf_put(&b, s, 1);
	}
	mc_buf_puts(&b, "\"");
	return mc_buf_detach(&b);
}

void mc_check_suggest_entry(const mc_check *c, mc_finding *f, const char *type, const char *prop, const char *value)
{
	int missing;
	char *qt = quote_c(type), *qp = quote_c(prop), *qv = quote_c(value);
	f->suggestion = mc_sprintf("{ %s, %s, %s },", qt, qp, qv);
	free(qt);
	free(qp);
	free(qv);
	mc_check_suggest_array(c, c->hm->generic_family, &f->suggestion_array, &f->suggestion_file, &missing);
	if (missing)
		mc_strvec_push_owned(&f->notes, mc_sprintf("%s does not exist yet: the commit that adds the compat "
							   "machines for the release just made must come first",
							   f->suggestion_array));
}
