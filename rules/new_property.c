/*
 * new_property.c - a property added to an existing type whose default turns
 * something on, with nothing keeping it off for released machine types.
 *
 * Severity follows evidence that a guest or the stream sees the new default.
 * A boolean that turns a feature on is a warning by itself: that is the shape
 * of the breaks history shows (zPCI "interpret", isa-pcspk "migrate"), and
 * nothing in the source tells them from the harmless ones.  Any other default
 * (auto, a sentinel, a number, an enum member) is most often behaviour that
 * existed before, made configurable; it is a warning only with evidence
 * (visible_evidence: a compat entry for the name elsewhere, a read of its
 * member by a VMState .needed/.field_exists function or for a call that
 * reaches the guest), else a note.  Host-side knobs and renames are notes.
 */
#include "rules/check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The value that keeps a feature off, by kind, for the suggestion. */
static const char *off_value(const mc_prop *p)
{
	switch (p->kind) {
	case MC_KIND_BOOL:
		return "off";
	case MC_KIND_INT:
	case MC_KIND_UINT:
	case MC_KIND_SIZE:
		return "0";
	case MC_KIND_ENUM:
		return "off";
	default:
		return NULL;
	}
}

static void add_version(mc_version *v, size_t *n, const mc_version *x)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i].major == x->major && v[i].minor == x->minor)
			return;
	v[(*n)++] = *x;
}

/*
 * The property of base's declaring type that head's new one replaces: gone at
 * head, of the same kind and default.  NULL when the new one is not a rename.
 */
static const mc_prop *renamed_from(const mc_check *c, const mc_type *owner, const mc_prop *added)
{
	const mc_type *before = mc_model_type(c->bm, owner->name);
	for (size_t k = 0; before && k < before->nprops; k++) {
		const mc_prop *old = before->props[k].prop;
		if (mc_type_prop_find(owner, old->name, NULL) || old->kind != added->kind ||
		    old->has_default != added->has_default)
			continue;
		if (!old->has_default || mc_value_equal(old->kind, &old->defval, &added->defval) == 1)
			return old;
	}
	return NULL;
}

/*
 * A number that means "not set" rather than a setting: -1, or all ones of a
 * 32- or 64-bit unsigned property.  The device resolves it when it is
 * realized, often to something guest-visible (virtio-rng-pci's vectors =
 * DEV_NVECTORS_UNSPECIFIED gave it MSI-X, a real break): still a warning,
 * which says what the tool cannot resolve.
 */
static int sentinel_default(const mc_prop *p)
{
	if (!p->has_default || p->defval.type != MC_VAL_INT)
		return 0;
	if (p->kind == MC_KIND_INT)
		return p->defval.i == -1;
	if (p->kind == MC_KIND_UINT || p->kind == MC_KIND_SIZE)
		return (uint64_t)p->defval.i == UINT64_MAX || (uint64_t)p->defval.i == UINT32_MAX;
	return 0;
}

/* Why a new property that turns something on changes nothing a guest sees; caller frees; NULL: it may. */
static char *nothing_visible(const mc_check *c, const mc_type *owner, const mc_prop *added)
{
	if (c->in->conv && mc_conv_is_host_property(c->in->conv, added->name))
		return mc_sprintf("%s is a host-side knob (host-property in the conventions): nothing a guest or the "
				  "migration stream sees",
				  added->name);
	const mc_prop *old = renamed_from(c, owner, added);
	if (old)
		return mc_sprintf("%s.%s replaces %s, of the same kind and default: a rename, which changes no "
				  "machine type; command lines and -global that use the old name break",
				  owner->name, added->name, old->name);
	return NULL;
}

/* A boolean (or an OnOffAuto) whose default is plainly "on". */
static int plainly_on(const mc_prop *p)
{
	if (!p->has_default)
		return 0;
	if (p->kind == MC_KIND_BOOL)
		return p->defval.type == MC_VAL_BOOL && p->defval.i;
	return p->kind == MC_KIND_ENUM && p->defval.type == MC_VAL_STRING && strcmp(p->defval.s, "on") == 0;
}

/* A compat entry in head that sets a property of this name, on any type; NULL: none. */
static const mc_compat_entry *entry_for_name(const mc_model *m, const char *prop, const mc_compat_set **set)
{
	for (size_t i = 0; i < m->nsets; i++)
		for (size_t k = 0; k < m->sets[i].nentries; k++)
			if (strcmp(m->sets[i].entries[k]->property, prop) == 0) {
				*set = &m->sets[i];
				return m->sets[i].entries[k];
			}
	return NULL;
}

/*
 * What shows that the new property's default reaches a guest or the stream:
 * a compat entry for its name elsewhere, a read of its member that decides
 * the stream or reaches the guest (the facts' uses), a stream-property name;
 * caller frees; NULL: nothing does.
 */
static char *visible_evidence(const mc_check *c, const mc_prop *added)
{
	const mc_compat_set *set;
	const mc_compat_entry *e = entry_for_name(c->hm, added->name, &set);
	if (e)
		return mc_sprintf("evidence: compat entries keep older values of a property of this name elsewhere "
				  "({ \"%s\", \"%s\", \"%s\" } in %s), so it has reached guests before",
				  e->driver, e->property, e->value, set->name);
	const char *file;
	const mc_field_use *use = mc_model_field_evidence(c->hm, added->field, &file);
	if (use && strcmp(use->kind, "vmstate") == 0)
		return mc_sprintf("evidence: %s() reads the member it is stored in (%s:%d), and a VMStateDescription "
				  "names that function as .needed or .field_exists: the default decides what goes into "
				  "the migration stream",
				  use->function ? use->function : "a function", file, use->line);
	if (use)
		return mc_sprintf("evidence: the member it is stored in is read for a call to %s() in %s() (%s:%d), "
				  "which reaches the guest (%s, evidence-call in the conventions)",
				  use->call ? use->call : "?", use->function ? use->function : "a function", file, use->line,
				  use->kind);
	if (c->in->conv && mc_conv_is_stream_property(c->in->conv, added->name))
		return mc_sprintf("evidence: its name says it shapes the migration stream (stream-property in the "
				  "conventions)");
	return NULL;
}

/*
 * Does the class default change what a machine type had?  With no entry
 * added for the property, when it turns something on; with one (claimed),
 * when it differs from the value the entry says older machine types had.
 */
static int default_changes(const mc_effective *he, const mc_entry_ref *claimed)
{
	if (claimed) {
		mc_effective old = *he;
		old.entry = claimed->e;
		old.set = claimed->set;
		return mc_effective_equal(he, &old) == 0;
	}
	mc_value v = mc_effective_value(he, he->kind);
	int on = mc_value_enables(he->kind, &v);
	mc_value_free(&v);
	return on;
}

/*
 * The compared machine versions on which the class default of the new
 * property applies (no entry reaches them) and changes what they had, into
 * changed; the value shown for them; and whether an entry in mine reaches one
 * of their families.
 */
static size_t changed_versions(const mc_check *c, const char *prop, const mc_subject *hs, const mc_entry_ref *mine,
			       size_t nmine, const mc_entry_ref *claimed, mc_version *changed, char **shown,
			       int *in_entry_family)
{
	size_t nchanged = 0;
	*shown = NULL;
	*in_entry_family = 0;
	for (size_t fi = 0; fi < c->families.n; fi++)
		for (size_t vi = 0; vi < c->nversions && mc_check_family_holds(c, c->families.v[fi], hs); vi++) {
			mc_effective he;
			if (!mc_check_machine_exists(c, c->families.v[fi], &c->versions[vi]))
				continue;
			if (mc_effective_get(c->hm, hs, prop, c->families.v[fi], c->versions[vi].major,
					     c->versions[vi].minor, &he) < 0 || he.entry || !default_changes(&he, claimed))
				continue;
			*in_entry_family |= mc_check_refs_reach(mine, nmine, c->families.v[fi]);
			add_version(changed, &nchanged, &c->versions[vi]);
			if (!*shown)
				*shown = mc_effective_display(&he);
		}
	return nchanged;
}

/*
 * A compat entry added with a new property says what older machine types had
 * ("x-old-thing" = "on"): every concrete type that carries the property must
 * keep it, as for a changed default.  A subject no added entry reaches, while
 * entries name the property on its siblings (a kvm- twin, a transitional
 * variant), is not covered.
 */
static void check_uncovered(const mc_check *c, const char *prop, const mc_subject *hs, mc_findings *out)
{
	mc_entry_ref others[16];
	size_t nothers = mc_check_added_entries(c, hs, prop, 0, others, 16);
	if (!nothers)
		return;
	mc_version *changed = mc_calloc(c->nversions + 1, sizeof(mc_version));
	char *shown;
	int unused;
	size_t nchanged = changed_versions(c, prop, hs, NULL, 0, &others[0], changed, &shown, &unused);
	if (nchanged) {
		const mc_type *owner = NULL;
		const mc_type_prop *tp = mc_type_prop_find(hs->type, prop, &owner);
		char *vtext = mc_check_versions_text(changed, nchanged), *who = mc_subject_describe(hs);
		mc_finding *f = mc_findings_add(out, "compat-uncovered-type", MC_SEV_ERROR, hs->type->name, prop, tp->file,
						tp->prop->line,
						"new property %s: compat entries keep \"%s\" for older machine types on %s, "
						"which does not cover %s; machine types %s get %s",
						prop, others[0].e->value, others[0].e->driver, who, vtext, shown);
		for (size_t i = 0; i < nothers; i++)
			mc_strvec_push_owned(&f->notes, mc_sprintf("considered: { \"%s\", \"%s\", \"%s\" } in %s (%s:%d)",
								   others[i].e->driver, prop, others[i].e->value,
								   others[i].set->name, others[i].e->file, others[i].e->line));
		mc_finding_affects(f, who);
		/* The change wrote the entries, not the declaration: that is where a review points. */
		f->cause_file = mc_strdup(others[0].e->file);
		f->cause_line = others[0].e->line;
		f->old_value = mc_strdup(others[0].e->value);
		f->new_value = mc_strdup(shown);
		f->owner = mc_strdup(owner->name);
		int missing;
		f->suggestion = mc_sprintf("{ \"%s\", \"%s\", \"%s\" },", owner->name, prop, others[0].e->value);
		mc_check_suggest_array(c, c->hm->generic_family, &f->suggestion_array, &f->suggestion_file, &missing);
		free(vtext);
		free(who);
	}
	free(shown);
	free(changed);
}

/* The new property's entries are in an older array than the newest: the machines between get shown. */
static mc_finding *add_wrong_array(const mc_check *c, const mc_subject *hs, const char *prop, const mc_entry_ref *mine,
				   size_t nmine, const char *vtext, const char *shown, mc_findings *out)
{
	const mc_type *owner = NULL;
	const mc_type_prop *tp = mc_type_prop_find(hs->type, prop, &owner);
	const char *why = mc_check_stable_reason(c, mine[0].e);
	mc_finding *f = mc_findings_add(out, "compat-wrong-array", why ? MC_SEV_NOTE : MC_SEV_ERROR, hs->type->name, prop,
					tp->file, tp->prop->line,
					"new property %s.%s: its compat entry is in %s, older than the newest array, so "
					"machine types %s get %s",
					hs->type->name, prop, mine[0].set->name, vtext, shown);
	for (size_t i = 0; i < nmine; i++)
		mc_strvec_push_owned(&f->notes, mc_sprintf("entry: { \"%s\", \"%s\", \"%s\" } in %s (%s:%d)",
							   mine[i].e->driver, mine[i].e->property, mine[i].e->value,
							   mine[i].set->name, mine[i].e->file, mine[i].e->line));
	if (why)
		mc_strvec_push_owned(&f->notes,
				     mc_sprintf("placed on purpose for a regression that already shipped (%s)", why));
	f->new_value = mc_strdup(shown);
	f->owner = mc_strdup(owner->name);
	return f;
}

/* No entry keeps what released machine types had: a warning, or a note when nothing visible changes. */
static mc_finding *add_enabled(const mc_check *c, const mc_subject *hs, const char *prop, const char *vtext,
			       const char *shown, mc_findings *out)
{
	const mc_type *owner = NULL;
	const mc_type_prop *tp = mc_type_prop_find(hs->type, prop, &owner);
	char *why_quiet = nothing_visible(c, owner, tp->prop);
	/* A plainly "on" default is a warning by itself; evidence, when there is some, is said all the same. */
	char *evidence = why_quiet ? NULL : visible_evidence(c, tp->prop);
	int unproven = !why_quiet && !plainly_on(tp->prop) && !evidence;
	mc_finding *f = mc_findings_add(out, "new-property-enabled", why_quiet || unproven ? MC_SEV_NOTE : MC_SEV_WARNING,
					hs->type->name, prop, tp->file, tp->prop->line,
					"new property %s.%s defaults to %s on released machine types %s, and no compat "
					"entry keeps the old behaviour",
					hs->type->name, prop, shown, vtext);
	f->new_value = mc_strdup(shown);
	f->owner = mc_strdup(owner->name);
	const char *off = off_value(tp->prop);
	if (evidence)
		mc_strvec_push_owned(&f->notes, evidence);
	if (unproven)
		mc_strvec_push_owned(&f->notes,
				     mc_sprintf("nothing shows that a guest or the migration stream sees the default %s "
						"(no compat entry for a property of this name, no stream property): most often behaviour that existed before, made "
						"configurable",
						shown));
	if (!why_quiet && sentinel_default(tp->prop))
		mc_strvec_push_owned(&f->notes,
				     mc_sprintf("its default (%s) is a sentinel the device resolves when it is realized: "
						"whether that turns something on is not known statically",
						tp->prop->defval_text ? tp->prop->defval_text : "-1"));
	if (why_quiet) {
		/* Nothing to keep: an entry would turn off what old machine types had. */
		mc_strvec_push_owned(&f->notes, why_quiet);
	} else if (off) {
		int missing;
		f->suggestion = mc_sprintf("{ \"%s\", \"%s\", \"%s\" },", owner->name, prop, off);
		mc_check_suggest_array(c, c->hm->generic_family, &f->suggestion_array, &f->suggestion_file, &missing);
	}
	return f;
}

static void check_subject(const mc_check *c, const char *prop, const mc_subject *hs, mc_findings *out)
{
	mc_version *enabled = mc_calloc(c->nversions + 1, sizeof(mc_version));
	char *shown;
	int in_entry_family;
	/* Entries added with the property: the machines they reach keep what the entry says. */
	mc_entry_ref mine[16];
	size_t nmine = mc_check_added_entries(c, hs, prop, 1, mine, 16);
	if (!nmine) {
		check_uncovered(c, prop, hs, out);
		if (mc_check_added_entries(c, hs, prop, 0, mine, 1)) {
			free(enabled);
			return;
		}
	}
	const mc_type_prop *tp = mc_type_prop_find(hs->type, prop, NULL);
	/* The value an added entry says older machine types had: what the default must keep. */
	size_t nenabled = changed_versions(c, prop, hs, mine, nmine, nmine ? &mine[0] : NULL, enabled, &shown,
					   &in_entry_family);
	mc_value def = mc_effective_value(&(mc_effective){ tp->prop->kind, tp->prop, NULL, NULL }, tp->prop->kind);
	int turns_on = mc_value_enables(tp->prop->kind, &def);
	mc_value_free(&def);
	/* Entries that keep the old value for their family's older machines only: wrong array.
	 * Entries for another family only (an x86-only property in pc_compat): for a default
	 * that turns something on, a warning as for no entry; otherwise nothing. */
	if (!nenabled || (nmine && !in_entry_family && !turns_on)) {
		free(shown);
		free(enabled);
		return;
	}
	char *vtext = mc_check_versions_text(enabled, nenabled);
	if (!in_entry_family)
		nmine = 0;
	const char *rule = nmine ? "compat-wrong-array" : "new-property-enabled";
	mc_finding *f = NULL;
	for (size_t i = 0; i < out->n && !f; i++)
		if (strcmp(out->v[i].rule, rule) == 0 && strcmp(out->v[i].type, hs->type->name) == 0 &&
		    strcmp(out->v[i].property, prop) == 0)
			f = &out->v[i];
	if (!f && nmine)
		f = add_wrong_array(c, hs, prop, mine, nmine, vtext, shown, out);
	else if (!f)
		f = add_enabled(c, hs, prop, vtext, shown, out);
	char *who = mc_subject_describe(hs);
	mc_finding_affects(f, who);
	free(who);
	if (hs->proxy)
		mc_strvec_push_owned(&f->notes, mc_sprintf("affected: %s inside %s", hs->type->name, hs->proxy->name));
	free(vtext);
	free(shown);
	free(enabled);
}

/* A property list lost at base would make every property look new. */
static int props_unknown(const mc_type *t)
{
	for (; t; t = t->parent)
		if (t->props_unknown)
			return 1;
	return 0;
}

void mc_rule_new_property(const mc_check *c, mc_findings *out)
{
	mc_strvec seen = {0};
	for (size_t i = 0; i < c->hm->ntypes; i++) {
		const mc_type *ht = c->hm->type_list[i];
		const mc_type *bt = mc_model_type(c->bm, ht->name);
		if (!bt || props_unknown(bt))
			continue; /* a new type (no released machine has it), or base's list was not extracted */
		for (size_t k = 0; k < ht->nprops; k++) {
			const char *prop = ht->props[k].prop->name;
			if (mc_type_prop_find(bt, prop, NULL) || mc_strvec_contains(&seen, prop))
				continue;
			mc_strvec_push(&seen, prop);
			mc_subjects hs;
			mc_subjects_collect(c->hm, prop, &hs);
			for (size_t s = 0; s < hs.n; s++) {
				mc_subject bs;
				if (!mc_subject_find(c->bm, &hs.v[s], &bs) || mc_type_prop_find(bs.type, prop, NULL) ||
				    props_unknown(bs.type))
					continue;
				check_subject(c, prop, &hs.v[s], out);
			}
			mc_subjects_free(&hs);
		}
	}
	mc_strvec_free(&seen);
}
