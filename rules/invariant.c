/*
 * invariant.c - every released machine type keeps every effective default.
 *
 * For each property that the change can affect (its default changed, or a
 * compat entry naming it was added, removed or edited), every concrete
 * subject that has it at both revisions is evaluated under every compared
 * machine family and version.  A difference is then explained by what the
 * head tree holds: no entry (compat-missing), entries on other types only
 * (compat-uncovered-type), an entry with another value (compat-wrong-value),
 * or entries in arrays older than the newest (compat-wrong-array).
 */
#include "rules/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *family;
	mc_version v;
	mc_effective b, h;
} diff;

/* Properties whose effective value the change may have touched. */
static void collect_candidates(const mc_check *c, mc_strvec *out)
{
	for (size_t i = 0; i < c->hm->ntypes; i++) {
		const mc_type *ht = c->hm->type_list[i];
		const mc_type *bt = mc_model_type(c->bm, ht->name);
		if (!bt)
			continue;
		for (size_t k = 0; k < ht->nprops; k++) {
			const mc_prop *hp = ht->props[k].prop;
			const mc_type_prop *btp = mc_type_prop_find(bt, hp->name, NULL);
			if (!btp || mc_strvec_contains(out, hp->name))
				continue;
			mc_effective be = { btp->prop->kind, btp->prop, NULL, NULL };
			mc_effective he = { hp->kind, hp, NULL, NULL };
			if (mc_effective_equal(&be, &he) != 1 ||
			    (ht->parent_name && strcmp(bt->parent_name, ht->parent_name) != 0))
				mc_strvec_push(out, hp->name);
		}
	}
	/* Entries added or edited at head, and entries gone since base. */
	mc_map head_entries = {0};
	for (size_t i = 0; i < c->hm->nsets; i++)
		for (size_t j = 0; j < c->hm->sets[i].nentries; j++) {
			const mc_compat_entry *e = c->hm->sets[i].entries[j];
			char *key = mc_compat_entry_key(&c->hm->sets[i], e);
			mc_map_put(&head_entries, key, (void *)e);
			free(key);
			if (mc_check_entry_is_new(c, &c->hm->sets[i], e) && !mc_strvec_contains(out, e->property))
				mc_strvec_push(out, e->property);
		}
	for (size_t i = 0; i < c->bm->nsets; i++)
		for (size_t j = 0; j < c->bm->sets[i].nentries; j++) {
			const mc_compat_entry *e = c->bm->sets[i].entries[j];
			char *key = mc_compat_entry_key(&c->bm->sets[i], e);
			if (!mc_map_get(&head_entries, key) && !mc_strvec_contains(out, e->property))
				mc_strvec_push(out, e->property);
			free(key);
		}
	mc_map_free(&head_entries);
	mc_strvec_sort(out);
}

static mc_finding *existing(mc_findings *out, const char *rule, const char *type, const char *prop)
{
	for (size_t i = 0; i < out->n; i++)
		if (strcmp(out->v[i].rule, rule) == 0 && strcmp(out->v[i].type, type) == 0 &&
		    strcmp(out->v[i].property, prop) == 0)
			return &out->v[i];
	return NULL;
}

/* One "affected:" / "not covered:" note per finding, listing every context. */
static void add_context(mc_finding *f, const char *label, const char *who)
{
	mc_finding_affects(f, who);
	size_t n = strlen(label);
	for (size_t i = 0; i < f->notes.n; i++)
		if (strncmp(f->notes.v[i], label, n) == 0) {
			char *joined = mc_sprintf("%s, %s", f->notes.v[i], who);
			free(f->notes.v[i]);
			f->notes.v[i] = joined;
			return;
		}
	mc_strvec_push_owned(&f->notes, mc_sprintf("%s %s", label, who));
}

/* Versions (any family) that differ, newest first, without repeats. */
static size_t diff_versions(const diff *d, size_t n, mc_version *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		int seen = 0;
		for (size_t j = 0; j < k; j++)
			seen |= out[j].major == d[i].v.major && out[j].minor == d[i].v.minor;
		if (!seen)
			out[k++] = d[i].v;
	}
	return k;
}

static void note_entry(mc_finding *f, const char *what, const mc_compat_set *set, const mc_compat_entry *e)
{
	mc_strvec_push_owned(&f->notes, mc_sprintf("%s: { \"%s\", \"%s\", \"%s\" } in %s (%s:%d)", what, e->driver,
						   e->property, e->value, set->name, e->file ? e->file : set->file,
						   e->line));
}

/* Do the head entries added for prop cover the device inside every proxy that embeds it? */
static int all_proxies_covered(const mc_check *c, const mc_type *device, const char *prop)
{
	mc_subjects all;
	mc_subjects_collect(c->hm, prop, &all);
	int proxies = 0, covered = 1;
	for (size_t i = 0; i < all.n; i++) {
		if (all.v[i].type != device || !all.v[i].proxy)
			continue;
		proxies++;
		mc_entry_ref refs[4];
		if (mc_check_added_entries(c, &all.v[i], prop, 1, refs, 4) == 0)
			covered = 0;
	}
	mc_subjects_free(&all);
	return proxies > 0 && covered;
}

/*
 * One subject's changed default, as the findings describe it: the values,
 * the machine versions, and the entries the change added for it (mine: they
 * apply to the subject; others: they name the property on other types).
 */
typedef struct {
	const mc_check *c;
	const char *prop;
	const mc_subject *hs;
	const diff *d;
	size_t nd;
	const mc_type *owner;          /* declares the property */
	const mc_type_prop *htp;
	char *who, *old_v, *new_v, *vtext;
	mc_entry_ref mine[64], others[64];
	size_t nmine, nothers;
} change;

static void change_init(change *ch, const mc_check *c, const char *prop, const mc_subject *hs, const diff *d,
			size_t nd)
{
	memset(ch, 0, sizeof(*ch));
	ch->c = c;
	ch->prop = prop;
	ch->hs = hs;
	ch->d = d;
	ch->nd = nd;
	ch->htp = mc_type_prop_find(hs->type, prop, &ch->owner);
	ch->who = mc_subject_describe(hs);
	ch->old_v = mc_effective_display_as(&d[0].b, d[0].h.kind);
	ch->new_v = mc_effective_display(&d[0].h);
	mc_version vs[256];
	size_t nv = diff_versions(d, nd < 256 ? nd : 256, vs);
	ch->vtext = mc_check_versions_text(vs, nv);
	ch->nmine = mc_check_added_entries(c, hs, prop, 1, ch->mine, 64);
	ch->nothers = mc_check_added_entries(c, hs, prop, 0, ch->others, 64);
}

static void change_free(change *ch)
{
	free(ch->who);
	free(ch->old_v);
	free(ch->new_v);
	free(ch->vtext);
}

/* An added entry that applies with a value other than the old one, or NULL. */
static const mc_entry_ref *wrong_entry(const change *ch)
{
	for (size_t i = 0; i < ch->nmine; i++) {
		mc_effective be;
		mc_subject bs;
		const mc_compat_set *set = ch->mine[i].set;
		if (!mc_subject_find(ch->c->bm, ch->hs, &bs) ||
		    mc_effective_get(ch->c->bm, &bs, ch->prop, set->family, set->major, set->minor, &be) < 0)
			continue;
		mc_effective as_entry = be;
		as_entry.entry = ch->mine[i].e;
		as_entry.set = set;
		if (mc_effective_equal(&be, &as_entry) == 0)
			return &ch->mine[i];
	}
	return NULL;
}

static mc_finding *add(const change *ch, mc_findings *out, const char *rule, mc_severity sev, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static mc_finding *add(const change *ch, mc_findings *out, const char *rule, mc_severity sev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *message = mc_vsprintf(fmt, ap);
	va_end(ap);
	mc_finding *f = mc_findings_add(out, rule, sev, ch->hs->type->name, ch->prop, ch->htp->file,
					ch->htp->prop->line, "%s", message);
	free(message);
	/* When the change wrote an entry and not the declaration, the entry is where a review points. */
	const mc_entry_ref *entry = ch->nmine ? &ch->mine[0] : ch->nothers ? &ch->others[0] : NULL;
	if (entry && entry->e->file) {
		f->cause_file = mc_strdup(entry->e->file);
		f->cause_line = entry->e->line;
	}
	return f;
}

/*
 * Exactly one of the two values is resolved at run time ("auto" against
 * "on"): the tool cannot tell whether anything changes.  Says so in a note.
 */
static int unresolvable(const change *ch, const char *a, const char *b)
{
	mc_kind kind = ch->htp->prop->kind;
	return mc_check_resolved_at_run_time(kind, a) != mc_check_resolved_at_run_time(kind, b);
}

static void note_unresolvable(const change *ch, mc_finding *f, const char *a, const char *b)
{
	const char *run_time = mc_check_resolved_at_run_time(ch->htp->prop->kind, a) ? a : b;
	const char *fixed = run_time == a ? b : a;
	mc_strvec_push_owned(&f->notes, mc_sprintf("%s is resolved when QEMU runs, which migcompat cannot do: if it "
						   "resolves to %s on these machine types, nothing changes",
						   run_time, fixed));
}

/* Entries name the property on other types only. */
static mc_finding *report_uncovered(const change *ch, mc_findings *out)
{
	const char *rule = "compat-uncovered-type";
	mc_finding *f = existing(out, rule, ch->hs->type->name, ch->prop);
	if (f) {
		add_context(f, "not covered:", ch->who);
		return NULL;
	}
	/* Every proxy covered, only the bare device (virtio-mmio and the like) left: a reviewer decides. */
	mc_severity sev = !ch->hs->proxy && all_proxies_covered(ch->c, ch->hs->type, ch->prop) ? MC_SEV_WARNING
											      : MC_SEV_ERROR;
	f = add(ch, out, rule, sev,
		"%s: compat entries for '%s' name %s, which does not cover %s; machine types %s change from %s to %s",
		ch->prop, ch->prop, ch->others[0].e->driver, ch->who, ch->vtext, ch->old_v, ch->new_v);
	for (size_t i = 0; i < ch->nothers; i++)
		note_entry(f, "considered", ch->others[i].set, ch->others[i].e);
	return f;
}

static mc_finding *report_missing(const change *ch, mc_findings *out)
{
	const char *rule = "compat-missing";
	mc_finding *f = existing(out, rule, ch->hs->type->name, ch->prop);
	if (f) {
		add_context(f, "affected:", ch->who);
		return NULL;
	}
	int unsure = unresolvable(ch, ch->old_v, ch->new_v);
	f = add(ch, out, rule, unsure ? MC_SEV_WARNING : MC_SEV_ERROR,
		"default of %s.%s changes from %s to %s for released machine types %s, and no compat entry keeps %s",
		ch->hs->type->name, ch->prop, ch->old_v, ch->new_v, ch->vtext, ch->old_v);
	add_context(f, "affected:", ch->who);
	if (unsure)
		note_unresolvable(ch, f, ch->old_v, ch->new_v);
	return f;
}

static mc_finding *report_wrong_value(const change *ch, const mc_entry_ref *wrong, mc_findings *out)
{
	const char *rule = "compat-wrong-value";
	if (existing(out, rule, ch->hs->type->name, ch->prop))
		return NULL;
	int unsure = unresolvable(ch, wrong->e->value, ch->old_v);
	mc_finding *f = add(ch, out, rule, unsure ? MC_SEV_WARNING : MC_SEV_ERROR,
			    "compat entry for %s.%s sets \"%s\", but the old default was %s", wrong->e->driver, ch->prop,
			    wrong->e->value, ch->old_v);
	note_entry(f, "entry", wrong->set, wrong->e);
	if (unsure)
		note_unresolvable(ch, f, wrong->e->value, ch->old_v);
	return f;
}

/* The entries restore the right value, but not for every compared machine. */
static mc_finding *report_wrong_array(const change *ch, mc_findings *out)
{
	const char *rule = "compat-wrong-array";
	int covered_family = 0;
	for (size_t i = 0; i < ch->nd; i++)
		covered_family |= mc_check_refs_reach(ch->mine, ch->nmine, ch->d[i].family);
	const char *stable = covered_family ? mc_check_stable_reason(ch->c, ch->mine[0].e) : NULL;
	mc_severity sev = !covered_family ? MC_SEV_WARNING : stable ? MC_SEV_NOTE : MC_SEV_ERROR;
	if (existing(out, rule, ch->hs->type->name, ch->prop))
		return NULL;
	mc_finding *f;
	if (!covered_family)
		f = add(ch, out, rule, sev,
			"%s.%s is restored only for %s machines; machine types %s of other families change from %s to "
			"%s (fine if the device exists only there)",
			ch->hs->type->name, ch->prop, ch->mine[0].set->family, ch->vtext, ch->old_v, ch->new_v);
	else
		f = add(ch, out, rule, sev,
			"compat entry for %s.%s is in %s, older than the newest array: machine types %s still change "
			"from %s to %s",
			ch->mine[0].e->driver, ch->prop, ch->mine[0].set->name, ch->vtext, ch->old_v, ch->new_v);
	for (size_t i = 0; i < ch->nmine; i++)
		note_entry(f, "entry", ch->mine[i].set, ch->mine[i].e);
	if (stable)
		mc_strvec_push_owned(&f->notes,
				     mc_sprintf("placed on purpose for a regression that already shipped (%s)", stable));
	return f;
}

/* Explains one subject's difference by what head holds, as one finding per (rule, type, property). */
static void report(const mc_check *c, const char *prop, const mc_subject *hs, const diff *d, size_t nd,
		   mc_findings *out)
{
	change ch;
	change_init(&ch, c, prop, hs, d, nd);
	const mc_entry_ref *wrong = wrong_entry(&ch);
	mc_finding *f;
	/* The subjects a finding covers come last in its notes: after the fix's own note. */
	const char *subjects = "affected:";
	if (ch.nmine == 0 && ch.nothers > 0) {
		f = report_uncovered(&ch, out);
		subjects = "not covered:";
	} else if (ch.nmine == 0) {
		f = report_missing(&ch, out);
		subjects = NULL; /* listed first: later subjects join that note */
	} else if (wrong) {
		f = report_wrong_value(&ch, wrong, out);
	} else {
		f = report_wrong_array(&ch, out);
	}
	if (f) {
		f->old_value = mc_strdup(ch.old_v);
		f->new_value = mc_strdup(ch.new_v);
		f->owner = ch.owner ? mc_strdup(ch.owner->name) : NULL;
		mc_check_suggest_entry(c, f, ch.owner ? ch.owner->name : hs->type->name, prop, ch.old_v);
		if (subjects)
			add_context(f, subjects, ch.who);
	}
	change_free(&ch);
}

/*
 * A default that cannot be compared: a note per subject, naming the type
 * that declares the property (an x86 CPU feature of x86_64-cpu, whose value
 * each CPU model sets), so that the notes of all its subtypes make one.
 */
static void note_unknown(const char *prop, const mc_subject *hs, mc_findings *out)
{
	if (existing(out, "default-unknown", hs->type->name, prop))
		return;
	const mc_type *owner = NULL;
	const mc_type_prop *tp = mc_type_prop_find(hs->type, prop, &owner);
	char *shown = mc_value_display(tp->prop->kind, &tp->prop->defval), *who = mc_subject_describe(hs);
	mc_finding *f = mc_findings_add(out, "default-unknown", MC_SEV_NOTE, hs->type->name, prop, tp->file,
					tp->prop->line,
					"%s.%s: the default (%s) cannot be compared statically with the old one, so the "
					"change was not judged",
					hs->type->name, prop, shown);
	f->owner = owner ? mc_strdup(owner->name) : NULL;
	mc_finding_affects(f, who);
	free(who);
	free(shown);
}

static void check_subject(const mc_check *c, const char *prop, const mc_subject *hs, const mc_subject *bs,
			  mc_findings *out)
{
	diff *d = NULL;
	size_t nd = 0, cap = 0;
	int unknown = 0;
	for (size_t fi = 0; fi < c->families.n; fi++) {
		const char *family = c->families.v[fi];
		if (!mc_check_family_holds(c, family, hs))
			continue;
		for (size_t vi = 0; vi < c->nversions; vi++) {
			mc_effective be, he;
			if (!mc_check_machine_exists(c, family, &c->versions[vi]))
				continue;
			if (mc_effective_get(c->bm, bs, prop, family, c->versions[vi].major, c->versions[vi].minor, &be) < 0 ||
			    mc_effective_get(c->hm, hs, prop, family, c->versions[vi].major, c->versions[vi].minor, &he) < 0)
				continue;
			int eq = mc_effective_equal(&be, &he);
			if (eq == 1)
				continue;
			if (eq < 0) {
				unknown = 1;
				continue;
			}
			diff *slot = MC_VEC_PUSH(d, nd, cap);
			slot->family = family;
			slot->v = c->versions[vi];
			slot->b = be;
			slot->h = he;
		}
	}
	if (nd)
		report(c, prop, hs, d, nd, out);
	else if (unknown)
		note_unknown(prop, hs, out);
	free(d);
}

void mc_rule_invariant(const mc_check *c, mc_findings *out)
{
	mc_strvec cands = {0};
	collect_candidates(c, &cands);
	for (size_t i = 0; i < cands.n; i++) {
		mc_subjects hs;
		mc_subjects_collect(c->hm, cands.v[i], &hs);
		for (size_t k = 0; k < hs.n; k++) {
			mc_subject bs;
			if (!mc_subject_find(c->bm, &hs.v[k], &bs) || !mc_type_has_prop(c->bm, bs.type, cands.v[i]) ||
			    !mc_type_prop_find(bs.type, cands.v[i], NULL))
				continue;
			check_subject(c, cands.v[i], &hs.v[k], &bs, out);
		}
		mc_subjects_free(&hs);
	}
	mc_strvec_free(&cands);
}
