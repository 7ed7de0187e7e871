/*
 * vmstate.c - the vmstate-* checks: what a change does to the migration
 * stream itself, from the VMStateDescriptions of both revisions.
 *
 * A description is the stream's layout for one section (dc->vmsd), one
 * subsection or one nested struct.  The older QEMU loads what the newer one
 * sends, and the reverse, so what counts is what goes on the wire: the
 * fields in order with their byte sizes, a nested struct as its own
 * description (the C struct's size changes freely), the version a section
 * carries and the subsections by name.  A field renamed, or retyped at the
 * same size (VMSTATE_UNUSED(n) standing where an n-byte field was), changes
 * nothing on the wire and is not reported.
 *
 * Descriptions of both revisions are paired by .name (the stream's identity),
 * in the same file first, and every pair is compared: those of files the
 * change did not touch are equal, so only what it changed can differ.
 *
 * Severity follows the machine types: a description no versioned machine
 * type can contain (its types, or its file, are a board's without versioned
 * machines: conv machine-only "-") promises nothing across versions and its
 * findings are notes, except a misnamed subsection, which the loading side
 * never finds even at the same version.
 *
 * Where VMState meets the compat arrays: new state (a subsection, a section
 * on a type that had none, a field with a test) is harmless to an old
 * machine type only when its .needed (or test) reads a property that the
 * newest released compat array sets to a value other than its default.
 */
#include "rules/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nested descriptions and subsections are followed this deep (QEMU's own nesting is < 8). */
#define VMSTATE_MAX_DEPTH 16
/* Member reads of one gate function looked at. */
#define VMSTATE_MAX_READS 32

/* What the vmstate checks share: who uses each description at head, what was said. */
typedef struct {
	const mc_check *c;
	mc_map users;         /* "file\nvar" -> mc_strvec * of the concrete types whose stream holds it */
	mc_map reported;      /* "rule\nfile\nname", "new section\nfile\nvar": one finding per cause */
} vm_ctx;

static char *vm_key(const mc_vmstate *v)
{
	return mc_sprintf("%s\n%s", v->file, v->d->var);
}

static const char *vm_name(const mc_vmstate *v)
{
	return v->d->name ? v->d->name : v->d->var;
}

/* Adds type to the users of v and of everything v's stream contains. */
static void users_add(mc_map *users, const mc_model *m, const mc_vmstate *v, const char *type, int depth)
{
	if (!v || depth > VMSTATE_MAX_DEPTH)
		return;
	char *key = vm_key(v);
	mc_strvec *list = mc_map_get(users, key);
	if (!list) {
		list = mc_calloc(1, sizeof(*list));
		mc_map_put(users, key, list);
	}
	free(key);
	if (mc_strvec_contains(list, type))
		return;
	mc_strvec_push(list, type);
	for (size_t i = 0; i < v->d->nfields; i++)
		if (v->d->fields[i].vmsd)
			users_add(users, m, mc_model_vmstate(m, v->file, v->d->fields[i].vmsd), type, depth + 1);
	for (size_t i = 0; i < v->d->subsections.n; i++)
		users_add(users, m, mc_model_vmstate(m, v->file, v->d->subsections.v[i]), type, depth + 1);
}

static void users_build(mc_map *users, const mc_model *m)
{
	for (size_t i = 0; i < m->ntypes; i++) {
		const mc_type *t = m->type_list[i];
		if (!t->abstract)
			users_add(users, m, mc_type_vmstate(t), t->name, 0);
	}
}

static void users_free(mc_map *users)
{
	MC_MAP_FOREACH(users, i)
	{
		mc_strvec_free(users->vals[i]);
		free(users->vals[i]);
	}
	mc_map_free(users);
}

static const mc_strvec *users_of(const vm_ctx *x, const mc_vmstate *v)
{
	char *key = vm_key(v);
	const mc_strvec *list = mc_map_get(&x->users, key);
	free(key);
	return list;
}

/* Can a versioned machine type hold a type of this file?  (conv machine-only, as for properties.) */
static int file_in_versioned_machine(const mc_check *c, const char *file)
{
	const char *only;
	if (!c->in->conv || !mc_conv_machine_only(c->in->conv, file, &only))
		return 1;
	return only && (mc_strvec_contains(&c->families, only) || mc_model_is_generic(c->hm, only));
}

/*
 * Does a versioned machine type contain the description?  Through a type
 * whose stream holds it, or, when the model links none (a description
 * vmstate_register'ed, a CPU's), through its file.
 */
static int in_versioned_machine(const vm_ctx *x, const mc_vmstate *v)
{
	const mc_check *c = x->c;
	const mc_strvec *users = users_of(x, v);
	if (!users || !users->n)
		return file_in_versioned_machine(c, v->file);
	for (size_t i = 0; i < users->n; i++) {
		const mc_type *t = mc_model_type(c->hm, users->v[i]);
		mc_subject s = { t, NULL };
		for (size_t k = 0; t && k < c->families.n; k++)
			if (mc_check_family_holds(c, c->families.v[k], &s))
				return 1;
		if (t && !c->families.n && file_in_versioned_machine(c, t->file))
			return 1;
	}
	return 0;
}

/* A finding about description v of head, once per (rule, description); NULL when already made. */
static mc_finding *vm_finding(vm_ctx *x, mc_findings *out, const char *rule, mc_severity sev, const mc_vmstate *v,
			      const char *vmstate_name, int line, const char *message)
{
	char *key = mc_sprintf("%s\n%s\n%s", rule, v->file, vmstate_name);
	int seen = mc_map_get(&x->reported, key) != NULL;
	if (!seen)
		mc_map_put(&x->reported, key, (void *)1);
	free(key);
	if (seen)
		return NULL;
	const mc_strvec *users = users_of(x, v);
	const char *first = users && users->n ? users->v[0] : NULL;
	for (size_t i = 1; users && i < users->n; i++)
		if (strcmp(users->v[i], first) < 0)
			first = users->v[i];
	mc_finding *f = mc_findings_add(out, rule, sev, first, NULL, v->file, line, "%s", message);
	f->vmstate = mc_strdup(vmstate_name);
	for (size_t i = 0; users && i < users->n; i++)
		mc_finding_affects(f, users->v[i]);
	if (users && users->n > 1) {
		mc_strvec sorted = {0};
		for (size_t i = 0; i < users->n; i++)
			mc_strvec_push(&sorted, users->v[i]);
		mc_strvec_sort(&sorted);
		mc_buf b = {0};
		mc_buf_printf(&b, "the stream of %zu types holds it:", sorted.n);
		for (size_t i = 0; i < sorted.n && i < 8; i++)
			mc_buf_printf(&b, " %s%s", sorted.v[i], i + 1 < sorted.n && i + 1 < 8 ? "," : "");
		if (sorted.n > 8)
			mc_buf_printf(&b, " and %zu more", sorted.n - 8);
		mc_strvec_push_owned(&f->notes, mc_buf_detach(&b));
		mc_strvec_free(&sorted);
	}
	return f;
}

/* Errors become notes on descriptions no versioned machine type contains. */
static mc_severity by_machines(const vm_ctx *x, const mc_vmstate *v, mc_severity sev)
{
	return in_versioned_machine(x, v) ? sev : MC_SEV_NOTE;
}

static void note_unversioned(const vm_ctx *x, const mc_vmstate *v, mc_finding *f)
{
	if (f && !in_versioned_machine(x, v))
		mc_strvec_push(&f->notes, "no versioned machine type contains it: migration across QEMU versions "
					  "is not promised for it");
}

/* ---- pairing ------------------------------------------------------------- */

/* How many descriptions of m's file are named name. */
static size_t named_in_file(const mc_model *m, const char *file, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nvmstates; i++)
		n += m->vmstates[i].d->name && strcmp(m->vmstates[i].d->name, name) == 0 &&
		     strcmp(m->vmstates[i].file, file) == 0;
	return n;
}

/*
 * The description of base with head's .name: the same variable first, else
 * one of that name in the same file, else the only one of that name.  Two of
 * one name in head's file (a copied initializer) pair by variable only.
 */
static const mc_vmstate *base_pair(const mc_model *bm, const mc_model *hm, const mc_vmstate *h)
{
	if (!h->d->name)
		return NULL;
	const mc_vmstate *same_var = mc_model_vmstate(bm, h->file, h->d->var);
	if (same_var && same_var->d->name && strcmp(same_var->d->name, h->d->name) == 0)
		return same_var;
	if (named_in_file(hm, h->file, h->d->name) > 1)
		return NULL;
	const mc_vmstate *only = NULL;
	size_t n = 0;
	for (size_t i = 0; i < bm->nvmstates; i++) {
		const mc_vmstate *b = &bm->vmstates[i];
		if (!b->d->name || strcmp(b->d->name, h->d->name) != 0)
			continue;
		if (strcmp(b->file, h->file) == 0)
			return b;
		/* Still there at head under its own variable: another description of the same name. */
		const mc_vmstate *kept = mc_model_vmstate(hm, b->file, b->d->var);
		if (kept && kept->d->name && strcmp(kept->d->name, b->d->name) == 0)
			continue;
		only = b;
		n++;
	}
	return n == 1 ? only : NULL;
}

/* Is there a description of this name anywhere in the model? */
static int model_has_name(const mc_model *m, const char *name)
{
	for (size_t i = 0; name && i < m->nvmstates; i++)
		if (m->vmstates[i].d->name && strcmp(m->vmstates[i].d->name, name) == 0)
			return 1;
	return 0;
}

/* ---- gates: new state and the compat arrays ------------------------------- */

typedef enum {
	GATE_NONE,        /* no .needed / test: always sent */
	GATE_RUN_TIME,    /* it reads no property */
	GATE_MISSING,     /* it reads a property that no released compat array turns */
	GATE_COMPAT,      /* a released compat array sets the property it reads */
	GATE_OFF,         /* it reads a property off by default, or a CPU feature word: sent only when a user asks */
	GATE_OLDER        /* only an older array sets the property it reads */
} gate_verdict;

typedef struct {
	const mc_type *owner;      /* the type declaring the property the gate reads */
	const mc_type_prop *prop;
	const mc_compat_set *set;  /* GATE_COMPAT: where the entry is */
	const mc_compat_entry *entry;
	const mc_field_use *read;
} gate_info;

/* The properties stored in member usr, at head: the first, and how many. */
static size_t props_of_member(const mc_model *m, const char *usr, const mc_type **owner, const mc_type_prop **prop)
{
	size_t n = 0;
	for (size_t i = 0; usr && i < m->ntypes; i++) {
		const mc_type *t = m->type_list[i];
		for (size_t k = 0; k < t->nprops; k++) {
			const mc_prop *p = t->props[k].prop;
			if (!p->field || strcmp(p->field, usr) != 0)
				continue;
			if (n++ == 0) {
				*owner = t;
				*prop = &t->props[k];
			}
		}
	}
	return n;
}

/* Is entry a value for the property that owner declares (its driver is owner, a subtype or an ancestor)? */
static int entry_reaches(const mc_model *m, const mc_compat_entry *e, const mc_type *owner, const mc_type_prop *tp)
{
	if (strcmp(e->property, tp->prop->name) != 0)
		return 0;
	const mc_type *driver = mc_model_type(m, e->driver);
	if (!driver)
		return 0;
	if (!mc_type_is_a(driver, owner->name) && !mc_type_is_a(owner, driver->name))
		return 0;
	/* The entry must change the value: an entry restating the default keeps the state sent. */
	mc_value v = {0};
	if (mc_value_parse(&v, tp->prop->kind, e->value) < 0) {
		mc_error_clear();
		return 0;
	}
	int same = mc_value_equal(tp->prop->kind, &v, &tp->prop->defval);
	mc_value_free(&v);
	return same != 1;
}

/* Is the set one a released machine type applies, from base's last release on? */
static int set_is_current(const mc_check *c, const mc_compat_set *s)
{
	if (s->major == MC_VERSION_DEFAULTS)
		return 0;
	return c->released_major < 0 || mc_version_cmp(s->major, s->minor, c->released_major, c->released_minor) >= 0;
}

/* What gates state that function (.needed or a field's test, of file at head) decides. */
static gate_verdict gate_judge(const mc_check *c, const char *file, const char *function, gate_info *g)
{
	memset(g, 0, sizeof(*g));
	if (!function)
		return GATE_NONE;
	const mc_field_use *reads[VMSTATE_MAX_READS];
	size_t n = mc_model_gate_reads(c->hm, file, function, reads, VMSTATE_MAX_READS);
	if (n > VMSTATE_MAX_READS)
		n = VMSTATE_MAX_READS;
	gate_verdict verdict = GATE_RUN_TIME;
	for (size_t i = 0; i < n; i++) {
		const mc_type *owner = NULL;
		const mc_type_prop *tp = NULL;
		/* A CPU feature word: only a CPU model with the feature sends it (conv feature-member). */
		if (c->in->conv && mc_conv_is_feature_member(c->in->conv, reads[i]->field))
			return GATE_OFF;
		if (!props_of_member(c->hm, reads[i]->field, &owner, &tp))
			continue;
		if (tp->prop->has_default && mc_value_enables(tp->prop->kind, &tp->prop->defval) == 0) {
			g->owner = owner;
			g->prop = tp;
			g->read = reads[i];
			return GATE_OFF;
		}
		if (verdict == GATE_RUN_TIME) {
			verdict = GATE_MISSING;
			g->owner = owner;
			g->prop = tp;
			g->read = reads[i];
		}
		for (size_t s = 0; s < c->hm->nsets; s++) {
			const mc_compat_set *set = &c->hm->sets[s];
			if (set->major == MC_VERSION_DEFAULTS)
				continue;
			for (size_t e = 0; e < set->nentries; e++) {
				if (!entry_reaches(c->hm, set->entries[e], owner, tp))
					continue;
				int current = set_is_current(c, set);
				if (!current && g->set)
					continue;
				g->owner = owner;
				g->prop = tp;
				g->read = reads[i];
				g->set = set;
				g->entry = set->entries[e];
				if (current)
					return GATE_COMPAT;
				verdict = GATE_OLDER;
			}
		}
	}
	return verdict;
}

/* The compat value that keeps a boolean gate off: the opposite of its default. */
static char *gate_off_value(const mc_type_prop *tp)
{
	const mc_prop *p = tp->prop;
	if (p->kind == MC_KIND_BOOL && p->defval.type == MC_VAL_BOOL)
		return mc_strdup(p->defval.i ? "false" : "true");
	return NULL;
}

/*
 * One cause, one finding: a property added with the state it gates, defaulting
 * to on, is also a new-property-enabled warning on each type that has it
 * (that check ran first).  The vmstate finding says more: those of the types
 * whose stream holds the description go, and the note returned (NULL: there
 * were none) says so.
 */
static char *absorb_new_property(mc_findings *out, const mc_strvec *users, const char *owner, const char *prop)
{
	char *note = NULL;
	for (size_t i = out->n; i-- > 0;) {
		const mc_finding *p = &out->v[i];
		if (strcmp(p->rule, "new-property-enabled") != 0 || !p->property || strcmp(p->property, prop) != 0 ||
		    !p->type || !users || !mc_strvec_contains(users, p->type))
			continue;
		if (!note)
			note = mc_sprintf("%s.%s is new and defaults to %s: reported here, not as new-property-enabled",
					  owner, prop, p->new_value ? p->new_value : "on");
		mc_findings_remove(out, i);
	}
	return note;
}

/* Has compat-wrong-array (which ran first) reported an entry for owner's property? */
static int said_wrong_array(const mc_findings *out, const char *owner, const char *prop)
{
	for (size_t i = 0; i < out->n; i++) {
		const mc_finding *f = &out->v[i];
		if (strcmp(f->rule, "compat-wrong-array") == 0 && f->property && strcmp(f->property, prop) == 0 &&
		    ((f->owner && strcmp(f->owner, owner) == 0) || (f->type && strcmp(f->type, owner) == 0)))
			return 1;
	}
	return 0;
}

/*
 * Judges new state (what: "subsection x", "section x", "field x") of
 * description v, sent when function says so, and reports it unless a compat
 * entry of the newest released array keeps it from released machine types.
 */
static void gate_report(vm_ctx *x, mc_findings *out, const mc_vmstate *v, const char *name, const char *what,
			const char *function, int line)
{
	const mc_check *c = x->c;
	gate_info g;
	gate_verdict verdict = gate_judge(c, v->file, function, &g);
	if (verdict == GATE_COMPAT || verdict == GATE_OFF)
		return;
	/*
	 * An entry in an older array: a fix of a break that shipped (Fixes:, Cc:
	 * qemu-stable) is right there, as for properties; one that
	 * compat-wrong-array already reports is its finding (one cause, one finding).
	 */
	if (verdict == GATE_OLDER && (mc_check_stable_reason(c, g.entry) || said_wrong_array(out, g.owner->name, g.prop->prop->name)))
		return;
	if (verdict == GATE_OLDER)
		verdict = GATE_MISSING;
	char *msg;
	mc_severity sev = MC_SEV_ERROR;
	if (verdict == GATE_NONE)
		msg = mc_sprintf("%s has no .needed: it is always sent, and a QEMU that does not know it refuses the "
				 "stream on every released machine type", what);
	else if (verdict == GATE_RUN_TIME) {
		sev = MC_SEV_WARNING;
		msg = mc_sprintf("%s is sent when %s() says so, which reads no property: migration to an older QEMU "
				 "fails whenever it holds, on every machine type", what, function);
	} else
		msg = mc_sprintf("%s is sent when %s() says so, which reads property %s.%s, and no compat entry of the "
				 "newest released array turns it off for older machine types",
				 what, function, g.owner->name, g.prop->prop->name);
	char *absorbed = verdict == GATE_MISSING
				 ? absorb_new_property(out, users_of(x, v), g.owner->name, g.prop->prop->name)
				 : NULL;
	mc_finding *f = vm_finding(x, out, "vmstate-ungated", by_machines(x, v, sev), v, name, line, msg);
	free(msg);
	if (!f) {
		free(absorbed);
		return;
	}
	note_unversioned(x, v, f);
	if (verdict == GATE_RUN_TIME)
		mc_strvec_push(&f->notes, "QEMU has had to gate such state later with a property that the compat arrays "
					  "turn off (x-... = false): do it now");
	if (verdict != GATE_MISSING)
		return;
	f->property = mc_strdup(g.prop->prop->name);
	if (absorbed)
		mc_strvec_push_owned(&f->notes, absorbed);
	mc_strvec_push_owned(&f->notes, mc_sprintf("%s() reads the member %s is stored in (%s:%d)", function,
						   g.prop->prop->name, v->file, g.read->line));
	char *value = gate_off_value(g.prop);
	if (value && c->hm->generic_family)
		mc_check_suggest_entry(c, f, g.owner->name, g.prop->prop->name, value);
	else
		mc_strvec_push_owned(&f->notes, mc_sprintf("add an entry for %s.%s, with the value that makes %s() false, "
							   "to the newest compat array", g.owner->name,
							   g.prop->prop->name, function));
	free(value);
}

/* ---- fields --------------------------------------------------------------- */

/* What one field puts on the wire. */
typedef struct {
	const mc_vms_field *fd;
	const char *nested;    /* the nested description's .name (or variable), or NULL */
	int variable;          /* the count is read from a member at run time */
	long long bytes;       /* fixed: size * count; -1 unknown */
} wire_field;

static wire_field wire_of(const mc_model *m, const mc_vmstate *owner, const mc_vms_field *fd)
{
	wire_field w = { fd, NULL, fd->count != NULL, -1 };
	if (fd->vmsd) {
		const mc_vmstate *n = mc_model_vmstate(m, owner->file, fd->vmsd);
		w.nested = n ? vm_name(n) : fd->vmsd;
	}
	/* .size 0 outside a struct: a length read at run time (VMSTATE_VBUFFER, VMSTATE_BITMAP), unknown. */
	if (fd->size > 0 && !w.variable)
		w.bytes = (long long)fd->size * (fd->num > 0 ? fd->num : 1);
	return w;
}

/* Do a and b put the same bytes in the same place?  -1: cannot tell (a size is unknown). */
static int wire_same(const wire_field *a, const wire_field *b)
{
	if ((a->fd->test != NULL) != (b->fd->test != NULL) || (a->nested != NULL) != (b->nested != NULL) ||
	    a->variable != b->variable)
		return 0;
	if (a->nested)
		return strcmp(a->nested, b->nested) == 0 && a->fd->num == b->fd->num;
	if (a->variable)
		return a->fd->size == b->fd->size;
	if (a->bytes < 0 || b->bytes < 0)
		return -1;
	return a->bytes == b->bytes;
}

/*
 * Does a name of b stand at another place in h?  Then fields of one size
 * changed places (the values land in the wrong members and QEMU says
 * nothing), not names.
 */
static int names_moved(const wire_field *b, const wire_field *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < n; k++)
			if (k != i && strcmp(b[i].fd->name, h[k].fd->name) == 0 && strcmp(b[i].fd->name, "unused") != 0)
				return 1;
	return 0;
}

static int same_field(const wire_field *a, const wire_field *b)
{
	return strcmp(a->fd->name, b->fd->name) == 0 && wire_same(a, b) != 0;
}

/* The fields of v on the wire, leaving out those a version above max_version adds (max_version < 0: all). */
static size_t wire_list(const mc_model *m, const mc_vmstate *v, int max_version, wire_field **out)
{
	size_t n = 0;
	*out = mc_calloc(v->d->nfields ? v->d->nfields : 1, sizeof(**out));
	for (size_t i = 0; i < v->d->nfields; i++) {
		const mc_vms_field *fd = &v->d->fields[i];
		if (!mc_vms_field_on_wire(fd) || (max_version >= 0 && fd->version > max_version))
			continue;
		(*out)[n++] = wire_of(m, v, fd);
	}
	return n;
}

/* Plain fields of known size only: their byte total, else -1. */
static long long plain_total(const wire_field *w, size_t n)
{
	long long total = 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i].nested || w[i].variable || w[i].fd->test || w[i].bytes < 0 ||
		    __builtin_add_overflow(total, w[i].bytes, &total))
			return -1;
	}
	return total;
}

/* Are some of these VMSTATE_UNUSED bytes ("unused" is the name QEMU's macro gives)? */
static int any_unused(const wire_field *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w[i].fd->name, "unused") == 0)
			return 1;
	return 0;
}

/* Is the middle of b a reordering of the middle of h? */
static int is_permutation(const wire_field *b, const wire_field *h, size_t n)
{
	char *used = mc_calloc(n ? n : 1, 1);
	int all = 1;
	for (size_t i = 0; i < n && all; i++) {
		int found = 0;
		for (size_t k = 0; k < n && !found; k++)
			if (!used[k] && strcmp(b[i].fd->name, h[k].fd->name) == 0 && wire_same(&b[i], &h[k]) == 1)
				used[k] = found = 1;
		all = found;
	}
	free(used);
	return all;
}

static char *field_text(const wire_field *w)
{
	if (w->nested)
		return mc_sprintf("%s (struct %s%s)", w->fd->name, w->nested, w->fd->num > 1 ? " array" : "");
	if (w->variable && w->fd->size > 0)
		return mc_sprintf("%s (%d-byte elements, counted by %s)", w->fd->name, w->fd->size, w->fd->count);
	if (w->variable)
		return mc_sprintf("%s (counted by %s)", w->fd->name, w->fd->count);
	if (w->bytes < 0)
		return mc_sprintf("%s (size unknown)", w->fd->name);
	return mc_sprintf("%s (%lld byte%s%s)", w->fd->name, w->bytes, w->bytes == 1 ? "" : "s", w->fd->test ? ", with a test" : "");
}

static char *fields_text(const wire_field *w, size_t n)
{
	mc_buf b = {0};
	for (size_t i = 0; i < n && i < 6; i++) {
		char *t = field_text(&w[i]);
		mc_buf_printf(&b, "%s%s", i ? ", " : "", t);
		free(t);
	}
	if (n > 6)
		mc_buf_printf(&b, " and %zu more", n - 6);
	return mc_buf_detach(&b);
}

/* Do b and h differ only in that some of b's fields had a test that h's do not (now always sent)? */
static int tests_dropped(const wire_field *b, const wire_field *h, size_t n)
{
	int dropped = 0;
	for (size_t i = 0; i < n; i++) {
		wire_field bb = b[i];
		if (strcmp(b[i].fd->name, h[i].fd->name) != 0 || (h[i].fd->test && !b[i].fd->test))
			return 0;
		if (b[i].fd->test && !h[i].fd->test) {
			mc_vms_field untested = *b[i].fd;
			untested.test = NULL;
			bb.fd = &untested;
			if (wire_same(&bb, &h[i]) != 1)
				return 0;
			dropped = 1;
		} else if (wire_same(&b[i], &h[i]) == 0)
			return 0;
	}
	return dropped;
}

/*
 * Was test (of b's file, at base) true on every machine type?  1: it reads a
 * property that is on by default and that no compat entry of base turns off
 * (the old machine types that did are gone: QEMU drops such tests then); 0:
 * some machine type, or the default, had it false; -1: it reads no property.
 */
static int test_always_true(const mc_check *c, const mc_vmstate *b, const char *test)
{
	const mc_field_use *reads[VMSTATE_MAX_READS];
	size_t n = mc_model_gate_reads(c->bm, b->file, test, reads, VMSTATE_MAX_READS);
	int verdict = -1;
	for (size_t i = 0; i < n && i < VMSTATE_MAX_READS; i++) {
		const mc_type *owner = NULL;
		const mc_type_prop *tp = NULL;
		if (!props_of_member(c->bm, reads[i]->field, &owner, &tp))
			continue;
		if (!tp->prop->has_default || mc_value_enables(tp->prop->kind, &tp->prop->defval) != 1)
			return 0;
		for (size_t s = 0; s < c->bm->nsets; s++) {
			const mc_compat_set *set = &c->bm->sets[s];
			mc_version v = { set->major, set->minor };
			/* An array whose machine types are gone (hw_compat_2_9 after the 2.9 machines) turns nothing. */
			if (set->major == MC_VERSION_DEFAULTS || !mc_check_machine_exists(c, set->family, &v))
				continue;
			for (size_t e = 0; e < set->nentries; e++)
				if (entry_reaches(c->bm, set->entries[e], owner, tp))
					return 0;
		}
		verdict = 1;
	}
	return verdict;
}

/* Fields that lose their test: now always sent, which changes the stream only where the test was false. */
static void tests_dropped_report(vm_ctx *x, mc_findings *out, const mc_vmstate *b, const mc_vmstate *h,
				 const wire_field *bm, const wire_field *hm, size_t n)
{
	int always = 1;
	const mc_vms_field *first = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!bm[i].fd->test || hm[i].fd->test)
			continue;
		int t = test_always_true(x->c, b, bm[i].fd->test);
		if (!first || t < always)
			first = bm[i].fd;
		if (t < always)
			always = t;
	}
	if (always == 1 || !first)
		return;
	const char *name = vm_name(h);
	char *msg = always == 0
			    ? mc_sprintf("%s: field %s is now always sent; %s() was false on some released machine "
					 "types, whose streams change", name, first->name, first->test)
			    : mc_sprintf("%s: field %s is now always sent; %s() reads no property, so where it was false "
					 "(older machine types, a run-time state) the stream changes", name, first->name,
					 first->test);
	mc_finding *f = vm_finding(x, out, "vmstate-fields-changed",
				   by_machines(x, h, always == 0 ? MC_SEV_ERROR : MC_SEV_WARNING), h, name,
				   hm[0].fd->line, msg);
	note_unversioned(x, h, f);
	free(msg);
}

/* Compares the fields base b and head h put on the wire; one finding for what differs. */
static void fields_compare(vm_ctx *x, mc_findings *out, const mc_vmstate *b, const mc_vmstate *h)
{
	const mc_check *c = x->c;
	wire_field *bw, *hw;
	/* Fields of a version only one side has are the version change's finding, not another one. */
	size_t bn = wire_list(c->bm, b, h->d->version < b->d->version ? h->d->version : -1, &bw);
	size_t hn = wire_list(c->hm, h, h->d->version > b->d->version ? b->d->version : -1, &hw);
	/* The same field at both ends (by name: eight bools look alike); what is left is the change. */
	size_t pre = 0, suf = 0;
	while (pre < bn && pre < hn && same_field(&bw[pre], &hw[pre]))
		pre++;
	while (suf < bn - pre && suf < hn - pre && same_field(&bw[bn - 1 - suf], &hw[hn - 1 - suf]))
		suf++;
	const wire_field *bm = bw + pre, *hmid = hw + pre;
	size_t nb = bn - pre - suf, nh = hn - pre - suf;
	int renamed_only = nb == nh && !names_moved(bm, hmid, nb);
	for (size_t i = 0; i < nb && renamed_only; i++)
		renamed_only = wire_same(&bm[i], &hmid[i]) != 0;
	if (renamed_only)
		goto out;
	int line = nh ? hmid[0].fd->line : (pre + nh < hn ? hw[pre + nh].fd->line : h->d->line);
	const char *name = vm_name(h);
	if (nb == nh && tests_dropped(bm, hmid, nb)) {
		tests_dropped_report(x, out, b, h, bm, hmid, nb);
		goto out;
	}
	/* New fields with a test function are new state, gated like a subsection. */
	int all_tested = nh > 0;
	for (size_t i = 0; i < nh; i++)
		all_tested &= hmid[i].fd->test != NULL;
	if (nb == 0 && all_tested) {
		char *what = mc_sprintf("field %s of %s", hmid[0].fd->name, name);
		gate_report(x, out, h, name, what, hmid[0].fd->test, line);
		free(what);
		goto out;
	}
	/*
	 * VMSTATE_UNUSED(n) for n bytes of fields, fields again where it stood, or
	 * a buffer split into fields and padding (globalstate's runstate): the same
	 * bytes, with unused ones taking up the difference.
	 */
	long long tb = plain_total(bm, nb), th = plain_total(hmid, nh);
	if (tb >= 0 && tb == th && nb && nh && (any_unused(bm, nb) || any_unused(hmid, nh)))
		goto out;
	char *btxt = fields_text(bm, nb), *htxt = fields_text(hmid, nh), *msg;
	if (nb == 0)
		msg = mc_sprintf("%s: field%s %s added at position %zu without a version bump or a subsection: "
				 "streams of the old and the new QEMU no longer read each other",
				 name, nh > 1 ? "s" : "", htxt, pre + 1);
	else if (nh == 0)
		msg = mc_sprintf("%s: field%s %s removed without a version bump (VMSTATE_UNUSED keeps the bytes): "
				 "streams of the old and the new QEMU no longer read each other",
				 name, nb > 1 ? "s" : "", btxt);
	else if (nb == nh && is_permutation(bm, hmid, nb))
		msg = mc_sprintf("%s: fields reordered (%s became %s): streams of the old and the new QEMU no longer "
				 "read each other", name, btxt, htxt);
	else
		msg = mc_sprintf("%s: %s became %s at position %zu, without a version bump: streams of the old and the "
				 "new QEMU no longer read each other", name, btxt, htxt, pre + 1);
	mc_finding *f = vm_finding(x, out, "vmstate-fields-changed", by_machines(x, h, MC_SEV_ERROR), h, name, line, msg);
	note_unversioned(x, h, f);
	/* A member declared elsewhere (a header) may be what the change wrote: anchoring moves the finding there. */
	const mc_vms_field *cause = nh ? hmid[0].fd : NULL;
	if (f && cause && cause->member_file && strcmp(cause->member_file, h->file) != 0) {
		f->cause_file = mc_strdup(cause->member_file);
		f->cause_line = cause->member_line;
	}
	free(msg);
	free(btxt);
	free(htxt);
out:
	free(bw);
	free(hw);
}

/* ---- versions, subsections, registration ------------------------------------ */

static void versions_compare(vm_ctx *x, mc_findings *out, const mc_vmstate *b, const mc_vmstate *h)
{
	const char *name = vm_name(h);
	const mc_vmsd *bd = b->d, *hd = h->d;
	if (hd->version > bd->version) {
		char *msg = mc_sprintf("%s: version_id raised from %d to %d: the older QEMU refuses the section "
				       "whatever the machine type, so migration back to it breaks", name, bd->version,
				       hd->version);
		mc_finding *f = vm_finding(x, out, "vmstate-version-raised", by_machines(x, h, MC_SEV_ERROR), h, name,
					   hd->line, msg);
		free(msg);
		if (!f)
			return;
		note_unversioned(x, h, f);
		if (hd->min_version > bd->version)
			mc_strvec_push_owned(&f->notes, mc_sprintf("minimum_version_id %d is above the old version_id %d: "
								   "streams of the older QEMU are refused too",
								   hd->min_version, bd->version));
		mc_strvec_push(&f->notes, "keep the version and send the new state in a subsection (or a field test) "
					  "whose .needed reads a property that the newest compat array turns off");
		return;
	}
	if (hd->version < bd->version) {
		char *msg = mc_sprintf("%s: version_id lowered from %d to %d: the new QEMU refuses the older one's "
				       "streams of version %d", name, bd->version, hd->version, bd->version);
		mc_finding *f = vm_finding(x, out, "vmstate-version-lowered", by_machines(x, h, MC_SEV_ERROR), h, name,
					   hd->line, msg);
		note_unversioned(x, h, f);
		free(msg);
		return;
	}
	if (hd->min_version > bd->min_version) {
		char *msg = mc_sprintf("%s: minimum_version_id raised from %d to %d: streams of versions %d to %d, "
				       "which older releases send, are refused", name, bd->min_version,
				       hd->min_version, bd->min_version, hd->min_version - 1);
		mc_finding *f = vm_finding(x, out, "vmstate-minimum-raised", by_machines(x, h, MC_SEV_WARNING), h,
					   name, hd->line, msg);
		note_unversioned(x, h, f);
		free(msg);
	}
}

/* v's subsection named name (at v's revision, model m), or NULL: subsections are found by name. */
static const mc_vmstate *subsection_named(const mc_model *m, const mc_vmstate *v, const char *name)
{
	for (size_t i = 0; i < v->d->subsections.n; i++) {
		const mc_vmstate *s = mc_model_vmstate(m, v->file, v->d->subsections.v[i]);
		if (s && s->d->name && strcmp(s->d->name, name) == 0)
			return s;
	}
	return NULL;
}

/* A subsection's name must begin with its parent's: the loader compares that prefix (vmstate_subsection_load). */
static void subsection_name_check(vm_ctx *x, mc_findings *out, const mc_vmstate *parent, const mc_vmstate *s)
{
	const char *pname = parent->d->name;
	if (!pname || !s->d->name || strncmp(s->d->name, pname, strlen(pname)) == 0)
		return;
	char *msg = mc_sprintf("subsection \"%s\" of %s does not begin with its parent's name: the loading side "
			       "never finds it (QEMU names subsections \"%s/...\")", s->d->name, pname, pname);
	mc_finding *f = vm_finding(x, out, "vmstate-subsection-name", MC_SEV_ERROR, parent, s->d->name, s->d->line, msg);
	free(msg);
	if (f && strcmp(s->file, parent->file) != 0) {
		free(f->file);
		f->file = mc_strdup(s->file);
	}
}

/* How many subsections of v (at model m) are named name. */
static size_t subsections_named(const mc_model *m, const mc_vmstate *v, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; v && i < v->d->subsections.n; i++) {
		const mc_vmstate *s = mc_model_vmstate(m, v->file, v->d->subsections.v[i]);
		n += s && s->d->name && strcmp(s->d->name, name) == 0;
	}
	return n;
}

/*
 * Two subsections of one name: the loader takes the first of that name for
 * both (vmstate_get_subsection), so the second's bytes are read as the
 * first's.  Reported when h has more of them than b (NULL: a new description).
 */
static void subsection_duplicates_check(vm_ctx *x, mc_findings *out, const mc_vmstate *b, const mc_vmstate *h)
{
	const mc_check *c = x->c;
	for (size_t i = 0; i < h->d->subsections.n; i++) {
		const mc_vmstate *hs = mc_model_vmstate(c->hm, h->file, h->d->subsections.v[i]);
		if (!hs || !hs->d->name || subsections_named(c->hm, h, hs->d->name) < 2 ||
		    subsections_named(c->bm, b, hs->d->name) >= subsections_named(c->hm, h, hs->d->name))
			continue;
		/* The later of the two is the one the change got wrong, usually a copied initializer. */
		const mc_vmstate *first = NULL;
		for (size_t k = 0; k < i && !first; k++) {
			const mc_vmstate *o = mc_model_vmstate(c->hm, h->file, h->d->subsections.v[k]);
			if (o && o->d->name && strcmp(o->d->name, hs->d->name) == 0)
				first = o;
		}
		if (!first)
			continue;
		char *msg = mc_sprintf("subsections %s and %s of %s are both named \"%s\": the loading side takes %s "
				       "for both, so the stream of %s is refused or misread", first->d->var, hs->d->var,
				       vm_name(h), hs->d->name, first->d->var, hs->d->var);
		vm_finding(x, out, "vmstate-subsection-name", MC_SEV_ERROR, h, hs->d->name, hs->d->line, msg);
		free(msg);
	}
}

static void subsections_compare(vm_ctx *x, mc_findings *out, const mc_vmstate *b, const mc_vmstate *h)
{
	const mc_check *c = x->c;
	subsection_duplicates_check(x, out, b, h);
	for (size_t i = 0; i < b->d->subsections.n; i++) {
		const mc_vmstate *bs = mc_model_vmstate(c->bm, b->file, b->d->subsections.v[i]);
		if (!bs || !bs->d->name || subsection_named(c->hm, h, bs->d->name))
			continue;
		/* The same variable still listed under another .name: one rename, not a drop and a new one. */
		const mc_vmstate *hs = mc_strvec_contains(&h->d->subsections, bs->d->var)
					       ? mc_model_vmstate(c->hm, h->file, bs->d->var)
					       : NULL;
		char *msg = hs && hs->d->name
				    ? mc_sprintf("subsection %s of %s is now named %s: neither QEMU finds the subsection "
						 "the other sends", bs->d->name, vm_name(h), hs->d->name)
				    : mc_sprintf("subsection %s is no longer sent with %s: an older QEMU that sends it is "
						 "refused (a second .subsections initializer replaces the first)",
						 bs->d->name, vm_name(h));
		mc_finding *f = vm_finding(x, out, hs && hs->d->name ? "vmstate-renamed" : "vmstate-subsection-dropped",
					   by_machines(x, h, MC_SEV_ERROR), h, bs->d->name,
					   hs && hs->d->name ? hs->d->line : h->d->line, msg);
		note_unversioned(x, h, f);
		free(msg);
	}
	for (size_t i = 0; i < h->d->subsections.n; i++) {
		const mc_vmstate *hs = mc_model_vmstate(c->hm, h->file, h->d->subsections.v[i]);
		if (!hs || !hs->d->name || subsection_named(c->bm, b, hs->d->name) ||
		    mc_strvec_contains(&b->d->subsections, hs->d->var))
			continue;
		subsection_name_check(x, out, h, hs);
		char *what = mc_sprintf("new subsection %s of %s", hs->d->name, vm_name(h));
		gate_report(x, out, hs, hs->d->name, what, hs->d->needed, hs->d->line);
		free(what);
	}
}

/*
 * Every new subsection of a description the change adds (or renames), named as
 * the loader wants.  One the base already sends keeps its name: a renamed
 * parent is vmstate-renamed's finding, not one per subsection.
 */
static void new_description_check(vm_ctx *x, mc_findings *out, const mc_vmstate *h)
{
	for (size_t i = 0; i < h->d->subsections.n; i++) {
		const mc_vmstate *hs = mc_model_vmstate(x->c->hm, h->file, h->d->subsections.v[i]);
		if (hs && (x->c->in->audit || !model_has_name(x->c->bm, hs->d->name)))
			subsection_name_check(x, out, h, hs);
	}
	subsection_duplicates_check(x, out, NULL, h);
}

/* A type both revisions have: its section appears, disappears or changes name. */
static void registration_compare(vm_ctx *x, mc_findings *out, const mc_type *bt, const mc_type *ht)
{
	/* A Rust device's VMState is not read (coverage says so): it registers nothing the model sees. */
	if (ht->rust || bt->rust)
		return;
	const mc_vmstate *bv = mc_type_vmstate(bt), *hv = mc_type_vmstate(ht);
	for (const mc_type *t = ht; t; t = t->parent)
		if (t->vmsd_unresolved)
			return;
	for (const mc_type *t = bt; t; t = t->parent)
		if (t->vmsd_unresolved)
			return;
	if (bv && !hv) {
		mc_subject s = { ht, NULL };
		int held = !x->c->families.n && file_in_versioned_machine(x->c, ht->file);
		for (size_t k = 0; k < x->c->families.n && !held; k++)
			held = mc_check_family_holds(x->c, x->c->families.v[k], &s);
		/* One finding per description: the types that all lose it are its affected list. */
		mc_finding *f = NULL;
		for (size_t k = 0; k < out->n && !f; k++)
			if (strcmp(out->v[k].rule, "vmstate-unregistered") == 0 && out->v[k].vmstate &&
			    strcmp(out->v[k].vmstate, vm_name(bv)) == 0)
				f = &out->v[k];
		if (!f) {
			f = mc_findings_add(out, "vmstate-unregistered", held ? MC_SEV_ERROR : MC_SEV_NOTE, ht->name, NULL,
					    ht->file, ht->line, "%s no longer registers a description: the older QEMU "
					    "sends section %s, which the new one refuses", ht->name, vm_name(bv));
			f->vmstate = mc_strdup(vm_name(bv));
			if (!held)
				mc_strvec_push(&f->notes, "no versioned machine type contains it");
		} else if (held && f->severity != MC_SEV_ERROR) {
			/* A type of a versioned machine loses it too: no longer "no versioned machine type". */
			f->severity = MC_SEV_ERROR;
			mc_strvec_free(&f->notes);
		}
		mc_finding_affects(f, ht->name);
		return;
	}
	if (!hv || !hv->d->name || !hv->d->complete)
		return;
	if (!bv) {
		/* A section a type had under another registration (vmstate_register) keeps its name. */
		char *key = mc_sprintf("new section\n%s\n%s", hv->file, hv->d->var);
		int judged = mc_map_get(&x->reported, key) != NULL;
		if (!judged)
			mc_map_put(&x->reported, key, (void *)1);
		free(key);
		if (judged || model_has_name(x->c->bm, hv->d->name))
			return;
		char *what = mc_sprintf("new section %s of %s", hv->d->name, ht->name);
		gate_report(x, out, hv, hv->d->name, what, hv->d->needed, hv->d->line);
		free(what);
		return;
	}
	if (bv->d->name && strcmp(bv->d->name, hv->d->name) != 0) {
		char *msg = mc_sprintf("%s's section is now %s, was %s: the other QEMU finds no section of the name it "
				       "expects", ht->name, hv->d->name, bv->d->name);
		mc_finding *f = vm_finding(x, out, "vmstate-renamed", by_machines(x, hv, MC_SEV_ERROR), hv, hv->d->name,
					   hv->d->line, msg);
		note_unversioned(x, hv, f);
		free(msg);
	}
}

void mc_rule_vmstate(const mc_check *c, mc_findings *out)
{
	vm_ctx x = { c, {0}, {0} };
	users_build(&x.users, c->hm);
	for (size_t i = 0; i < c->hm->nvmstates; i++) {
		const mc_vmstate *h = &c->hm->vmstates[i];
		if (!h->d->complete)
			continue;
		const mc_vmstate *b = c->in->audit ? NULL : base_pair(c->bm, c->hm, h);
		if (!b) {
			new_description_check(&x, out, h);
			continue;
		}
		if (!b->d->complete)
			continue;
		versions_compare(&x, out, b, h);
		/* No .fields at base: nothing on the wire, or .unmigratable (vhost-user-fs until 10.0). */
		if (b->d->has_fields)
			fields_compare(&x, out, b, h);
		subsections_compare(&x, out, b, h);
	}
	for (size_t i = 0; !c->in->audit && i < c->hm->ntypes; i++) {
		const mc_type *ht = c->hm->type_list[i];
		const mc_type *bt = ht->abstract ? NULL : mc_model_type(c->bm, ht->name);
		if (bt)
			registration_compare(&x, out, bt, ht);
	}
	users_free(&x.users);
	mc_map_free(&x.reported);
}
