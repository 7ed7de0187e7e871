/*
 * test_rules.c - every rule, and the effective defaults it rests on, on
 * models built by hand (tests/support/model_builder.h): no git, no libclang.
 *
 * Each rule has a case that flags, a case that stays quiet, and its
 * severity.  The scene is QEMU's: a development tree (VERSION 9.1.50) whose
 * last release is 9.1, with hw_compat_9_0 and hw_compat_9_1 in
 * hw/core/machine.c, and a PCI NIC "e1000" with a boolean "mq".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model/commit.h"
#include "model/effective.h"
#include "model_builder.h"
#include "rules/catalog.h"
#include "rules/check.h"
#include "rules/rules.h"

/* ---- the scene ------------------------------------------------------------ */

typedef struct {
	const char *version;
	const char *mq_default;     /* e1000.mq's default; NULL: e1000 has no mq */
	const char *x_new_default;  /* a property e1000 gains; NULL: none */
	int virtio;                 /* a virtio-net family: virtio-net-pci-base (abstract, declares "rss"), two concretes */
	const char *rss_default;
	int pc;                     /* pc machines too: pc_compat_9_0 and pc_compat_9_1 in hw/i386/pc.c */
} scene;

static const scene released = { "9.1.50", "false", NULL, 0, NULL, 0 };

/* The revision of a scene, with its compat arrays; the test adds entries after. */
static mct_rev *scene_rev(const scene *s)
{
	mct_rev *r = mct_rev_new(s->version);
	mct_file(r, "hw/core/qdev.c");
	mct_abstract_type(r, "device", NULL);
	mct_file(r, "hw/pci/pci.c");
	mct_abstract_type(r, "pci-device", "device");
	mct_prop(r, "pci-device", "x-old-unrelated", "bool", "on");
	mct_file(r, "hw/net/e1000.c");
	mct_type(r, "e1000", "pci-device");
	if (s->mq_default)
		mct_prop(r, "e1000", "mq", "bool", s->mq_default);
	if (s->x_new_default)
		mct_prop(r, "e1000", "x-new", "bool", s->x_new_default);
	if (s->virtio) {
		mct_file(r, "hw/virtio/virtio-net-pci.c");
		mct_abstract_type(r, "virtio-net-pci-base", "pci-device");
		mct_prop(r, "virtio-net-pci-base", "rss", "bool", s->rss_default);
		mct_type(r, "virtio-net-pci", "virtio-net-pci-base");
		mct_type(r, "virtio-net-pci-transitional", "virtio-net-pci-base");
	}
	mct_file(r, "hw/core/machine.c");
	mct_compat_array(r, "hw_compat_9_1");
	mct_compat(r, "hw_compat_9_0", "pci-device", "x-old-unrelated", "off");
	if (s->pc) {
		mct_file(r, "hw/i386/pc.c");
		mct_compat_array(r, "pc_compat_9_1");
		mct_compat_array(r, "pc_compat_9_0");
	}
	return r;
}

/* The change most tests judge: e1000.mq goes from off to on. */
static void mq_turned_on(mct_rev **base, mct_rev **head)
{
	scene h = released;
	h.mq_default = "true";
	*base = scene_rev(&released);
	*head = scene_rev(&h);
}

/* The same for a property a virtio family inherits from its abstract base. */
static void rss_turned_on(mct_rev **base, mct_rev **head)
{
	scene b = released, h = released;
	b.virtio = h.virtio = 1;
	b.rss_default = "false";
	h.rss_default = "true";
	*base = scene_rev(&b);
	*head = scene_rev(&h);
}

/* What the rules say of base -> head; commit may be NULL (the index). */
typedef struct {
	mc_findings fs;
} verdict;

static void judge_with(verdict *v, mct_rev *base, mct_rev *head, const mc_commit_facts *commit, int audit)
{
	memset(v, 0, sizeof(*v));
	/* No mentions: no name is written anywhere but in the models. */
	mc_rule_input in = { mct_model(base), mct_model(head), commit, mct_conv(head), NULL, NULL, audit };
	mc_rules_run(&in, &v->fs);
}

static void judge(verdict *v, mct_rev *base, mct_rev *head)
{
	judge_with(v, base, head, NULL, 0);
}

/* The only finding of rule; fails when there are none or several. */
static const mc_finding *only(const verdict *v, const char *rule)
{
	const mc_finding *hit = NULL;
	for (size_t i = 0; i < v->fs.n; i++)
		if (strcmp(v->fs.v[i].rule, rule) == 0) {
			if (hit)
				fail_msg("two %s findings: %s / %s", rule, hit->message, v->fs.v[i].message);
			hit = &v->fs.v[i];
		}
	if (!hit) {
		for (size_t i = 0; i < v->fs.n; i++)
			print_message("  have %s: %s\n", v->fs.v[i].rule, v->fs.v[i].message);
		fail_msg("no %s finding", rule);
	}
	return hit;
}

static size_t count(const verdict *v, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < v->fs.n; i++)
		n += strcmp(v->fs.v[i].rule, rule) == 0;
	return n;
}

static size_t loud(const verdict *v)
{
	return mc_findings_loud(&v->fs);
}

static int has_note(const mc_finding *f, const char *needle)
{
	for (size_t i = 0; i < f->notes.n; i++)
		if (strstr(f->notes.v[i], needle))
			return 1;
	return 0;
}

static void done(verdict *v, mct_rev *base, mct_rev *head)
{
	mc_findings_free(&v->fs);
	mct_rev_free(base);
	mct_rev_free(head);
}

/* ---- effective defaults --------------------------------------------------- */

static void test_effective_default_and_entries(void **state)
{
	(void)state;
	scene s = released;
	s.mq_default = "true";
	mct_rev *r = scene_rev(&s);
	mct_compat(r, "hw_compat_9_1", "e1000", "mq", "off");
	mct_compat(r, "hw_compat_8_2", "pci-device", "mq", "on");
	const mc_model *m = mct_model(r);
	mc_subject e1000 = { mc_model_type(m, "e1000"), NULL };
	assert_non_null(e1000.type);
	struct {
		int major, minor;
		const char *want;
	} cases[] = {
		{ 9, 2, "on" },  /* newer than every array: the class default */
		{ 9, 1, "off" }, /* hw_compat_9_1 */
		{ 9, 0, "off" }, /* 9_1 still applies; nothing newer in 9_0 */
		{ 8, 2, "on" },  /* 8_2 names an ancestor and is applied after 9_1: it wins */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mc_effective e;
		assert_int_equal(mc_effective_get(m, &e1000, "mq", "hw", cases[i].major, cases[i].minor, &e), 0);
		char *shown = mc_effective_display(&e);
		if (strcmp(shown, cases[i].want) != 0)
			fail_msg("machine %d.%d: mq is %s, want %s", cases[i].major, cases[i].minor, shown, cases[i].want);
		free(shown);
	}
	mct_rev_free(r);
}

static void test_effective_inherited_and_subjects(void **state)
{
	(void)state;
	scene s = released;
	s.virtio = 1;
	s.rss_default = "false";
	mct_rev *r = scene_rev(&s);
	const mc_model *m = mct_model(r);
	mc_subjects subjects = {0};
	mc_subjects_collect(m, "rss", &subjects);
	/* Only the concrete types: the abstract declarer is no device anyone creates. */
	assert_int_equal(subjects.n, 2);
	const mc_type *owner = NULL;
	assert_non_null(mc_type_prop_find(mc_model_type(m, "virtio-net-pci"), "rss", &owner));
	assert_string_equal(owner->name, "virtio-net-pci-base");
	assert_false(mc_type_has_prop(m, mc_model_type(m, "e1000"), "rss"));
	mc_subjects_free(&subjects);
	mct_rev_free(r);
}

static void test_effective_versions_compared(void **state)
{
	(void)state;
	mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
	mc_version *v = NULL;
	size_t n = mc_versions_compared(mct_model(base), mct_model(head), &v);
	/* The released versions with machines at both ends, newest first. */
	assert_int_equal(n, 2);
	assert_int_equal(v[0].major, 9);
	assert_int_equal(v[0].minor, 1);
	assert_int_equal(v[1].minor, 0);
	free(v);
	mct_rev_free(base);
	mct_rev_free(head);
}

/* The last release and its signal, for a VERSION and the scene's arrays (hw_compat_9_0, 9_1). */
static void expect_release(const char *version, int minor, const char *signal, size_t compared)
{
	scene s = released;
	s.version = version;
	mct_rev *r = scene_rev(&s);
	const mc_model *m = mct_model(r);
	int major = 0, got_minor = 0;
	assert_true(mc_model_released(m, &major, &got_minor));
	assert_int_equal(major, 9);
	assert_int_equal(got_minor, minor);
	assert_string_equal(m->release_signal, signal);
	mc_version *v = NULL;
	assert_int_equal(mc_versions_compared(m, m, &v), compared);
	assert_int_equal(v[0].minor, minor);
	free(v);
	mct_rev_free(r);
}

/*
 * A release-candidate VERSION (X.Y.9N) names the last release X.Y, whose
 * array exists all through the candidates.  QEMU's v6.2.0-rc1 wrote 6.2.91
 * for 6.1.91: with no hw_compat_9_2, "9.2.91" is overruled by the arrays.
 * Outside the candidates a missing array is real (9.2.50 right after 9.2).
 */
static void test_release_survives_a_wrong_version(void **state)
{
	(void)state;
	expect_release("9.2.91", 1, "compat arrays", 2);
	expect_release("9.1.91", 1, "VERSION", 2);
	expect_release("9.2.50", 2, "VERSION", 3);
	/* The finding follows: machine 9.2 is not released, and the fix goes to hw_compat_9_1. */
	scene b = released, h = released;
	b.version = h.version = "9.2.91";
	h.mq_default = "true";
	mct_rev *base = scene_rev(&b), *head = scene_rev(&h);
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-missing");
	assert_string_equal(f->suggestion_array, "hw_compat_9_1");
	assert_null(strstr(f->message, "9.2"));
	done(&v, base, head);
}

/* A machine's own globals (microvm_properties) stay with that machine. */
static void test_effective_machine_globals_stay_with_their_machine(void **state)
{
	(void)state;
	scene s = released;
	s.pc = 1;
	mct_rev *r = scene_rev(&s);
	mct_file(r, "hw/i386/microvm.c");
	mct_compat(r, "microvm_properties", "e1000", "mq", "on");
	const mc_model *m = mct_model(r);
	mc_subject e1000 = { mc_model_type(m, "e1000"), NULL };
	mc_effective e;
	assert_int_equal(mc_effective_get(m, &e1000, "mq", "pc", 9, 1, &e), 0);
	char *shown = mc_effective_display(&e);
	assert_string_equal(shown, "off");
	free(shown);
	assert_int_equal(mc_effective_get(m, &e1000, "mq", "microvm", 9, 1, &e), 0);
	shown = mc_effective_display(&e);
	assert_string_equal(shown, "on");
	free(shown);
	mct_rev_free(r);
}

/* A family with no versioned machine type has no released machine to keep: not compared. */
static void test_families_compared_are_versioned(void **state)
{
	(void)state;
	scene s = released;
	s.pc = 1;
	mct_rev *base = scene_rev(&s), *head = scene_rev(&s);
	mct_rev *revs[2] = { base, head };
	for (int k = 0; k < 2; k++) {
		mct_file(revs[k], "hw/i386/microvm.c");
		mct_compat(revs[k], "microvm_properties", "e1000", "mq", "on");
	}
	mc_rule_input in = { mct_model(base), mct_model(head), NULL, mct_conv(head), NULL, NULL, 0 };
	assert_true(mc_strvec_contains(&in.head->families, "microvm"));
	mc_check c;
	mc_check_init(&c, &in);
	assert_int_equal(c.families.n, 2);
	assert_string_equal(c.families.v[0], "hw");
	assert_string_equal(c.families.v[1], "pc");
	mc_check_free(&c);
	mct_rev_free(base);
	mct_rev_free(head);
}

/* ---- compat-missing ------------------------------------------------------- */

static void test_missing_flags_a_changed_default(void **state)
{
	(void)state;
	mct_rev *base, *head;
	mq_turned_on(&base, &head);
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-missing");
	assert_int_equal(f->severity, MC_SEV_ERROR);
	assert_string_equal(f->type, "e1000");
	assert_string_equal(f->property, "mq");
	assert_string_equal(f->old_value, "off");
	assert_string_equal(f->new_value, "on");
	assert_string_equal(f->file, "hw/net/e1000.c");
	assert_string_equal(f->suggestion, "{ \"e1000\", \"mq\", \"off\" },");
	assert_string_equal(f->suggestion_array, "hw_compat_9_1");
	assert_string_equal(f->suggestion_file, "hw/core/machine.c");
	assert_int_equal(loud(&v), 1);
	done(&v, base, head);
}

static void test_missing_quiet_when_covered(void **state)
{
	(void)state;
	mct_rev *base, *head;
	mq_turned_on(&base, &head);
	mct_compat(head, "hw_compat_9_1", "e1000", "mq", "off");
	verdict v;
	judge(&v, base, head);
	assert_int_equal(v.fs.n, 0);
	done(&v, base, head);
}

static void test_missing_quiet_without_a_change(void **state)
{
	(void)state;
	mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
	verdict v;
	judge(&v, base, head);
	assert_int_equal(v.fs.n, 0);
	done(&v, base, head);
}

/* The release just made has no array yet: the finding says the array must come first. */
static void test_missing_names_the_array_not_yet_made(void **state)
{
	(void)state;
	scene b = released, h = released;
	b.version = h.version = "9.2.50";
	h.mq_default = "true";
	mct_rev *base = scene_rev(&b), *head = scene_rev(&h);
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-missing");
	assert_string_equal(f->suggestion_array, "hw_compat_9_2");
	assert_true(has_note(f, "hw_compat_9_2 does not exist yet"));
	done(&v, base, head);
}

/* One finding for a family's declaration, not one per concrete type. */
static void test_missing_once_for_an_inherited_default(void **state)
{
	(void)state;
	mct_rev *base, *head;
	rss_turned_on(&base, &head);
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-missing");
	assert_int_equal(v.fs.n, 1);
	/* Few types: named by the first of them, the owner in the fix; every one listed. */
	assert_string_equal(f->type, "virtio-net-pci");
	assert_string_equal(f->owner, "virtio-net-pci-base");
	assert_int_equal(f->affected.n, 2);
	assert_string_equal(f->affected.v[0], "virtio-net-pci");
	assert_string_equal(f->affected.v[1], "virtio-net-pci-transitional");
	assert_true(has_note(f, "affects 2 concrete types"));
	assert_string_equal(f->suggestion, "{ \"virtio-net-pci-base\", \"rss\", \"off\" },");
	done(&v, base, head);
}

/* Many types: the one finding names the declaring type itself. */
static void test_missing_names_the_owner_of_a_large_family(void **state)
{
	(void)state;
	mct_rev *revs[2];
	for (int k = 0; k < 2; k++) {
		scene s = released;
		s.virtio = 1;
		s.rss_default = k ? "true" : "false";
		mct_rev *r = revs[k] = scene_rev(&s);
		mct_file(r, "hw/virtio/virtio-net-pci.c");
		const char *more[] = { "virtio-net-pci-a", "virtio-net-pci-b", "virtio-net-pci-c", "virtio-net-pci-d" };
		for (size_t i = 0; i < 4; i++)
			mct_type(r, more[i], "virtio-net-pci-base");
	}
	verdict v;
	judge(&v, revs[0], revs[1]);
	const mc_finding *f = only(&v, "compat-missing");
	assert_string_equal(f->type, "virtio-net-pci-base");
	assert_int_equal(f->affected.n, 6);
	assert_non_null(strstr(f->message, "virtio-net-pci-base.rss"));
	done(&v, revs[0], revs[1]);
}

/* ---- compat-wrong-value --------------------------------------------------- */

static void test_wrong_value_flags_the_new_value(void **state)
{
	(void)state;
	mct_rev *base, *head;
	mq_turned_on(&base, &head);
	mct_compat(head, "hw_compat_9_1", "e1000", "mq", "on");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-wrong-value");
	assert_int_equal(f->severity, MC_SEV_ERROR);
	assert_string_equal(f->old_value, "off");
	assert_int_equal(count(&v, "compat-missing"), 0);
	done(&v, base, head);
}

/* "false" and "off" are the same boolean: no finding. */
static void test_wrong_value_quiet_for_another_spelling(void **state)
{
	(void)state;
	mct_rev *base, *head;
	mq_turned_on(&base, &head);
	mct_compat(head, "hw_compat_9_1", "e1000", "mq", "false");
	verdict v;
	judge(&v, base, head);
	assert_int_equal(loud(&v), 0);
	done(&v, base, head);
}

/* ---- compat-wrong-array --------------------------------------------------- */

static void test_wrong_array_flags_an_older_array(void **state)
{
	(void)state;
	mct_rev *base, *head;
	mq_turned_on(&base, &head);
	mct_compat(head, "hw_compat_9_0", "e1000", "mq", "off");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-wrong-array");
	assert_int_equal(f->severity, MC_SEV_ERROR);
	assert_non_null(strstr(f->message, "hw_compat_9_0"));
	assert_string_equal(f->suggestion_array, "hw_compat_9_1");
	done(&v, base, head);
}

/* A fix of a regression that shipped in 9.0 goes into hw_compat_9_0 on purpose: a note. */
static void test_wrong_array_note_for_a_stable_fix(void **state)
{
	(void)state;
	mct_rev *base, *head;
	mq_turned_on(&base, &head);
	mct_compat(head, "hw_compat_9_0", "e1000", "mq", "off");
	mc_commit_facts commit = { .known = 1 };
	mc_trailers_parse(&commit.change, "e1000: restore mq\n\nFixes: 0123456789ab (\"e1000: mq\")\n"
					  "Cc: qemu-stable@nongnu.org\nSigned-off-by: A <a@b>\n");
	assert_int_equal(commit.change.n, 2);
	verdict v;
	judge_with(&v, base, head, &commit, 0);
	const mc_finding *f = only(&v, "compat-wrong-array");
	assert_int_equal(f->severity, MC_SEV_NOTE);
	assert_true(has_note(f, "already shipped"));
	assert_int_equal(loud(&v), 0);
	mc_commit_facts_free(&commit);
	done(&v, base, head);
}

/* A Fixes: of a commit still in development (after 9.1) is no reason for an older array. */
static void test_wrong_array_error_for_a_fix_of_unreleased_work(void **state)
{
	(void)state;
	mct_rev *base, *head;
	mq_turned_on(&base, &head);
	mct_compat(head, "hw_compat_9_0", "e1000", "mq", "off");
	mc_commit_facts commit = { .known = 1 };
	mc_trailers_parse(&commit.change, "e1000: restore mq\n\nFixes: 0123456789ab (\"e1000: mq\")\n");
	commit.change.v[0].fixed_major = 9;
	commit.change.v[0].fixed_minor = 1;
	commit.change.v[0].fixed_micro = 50;
	verdict v;
	judge_with(&v, base, head, &commit, 0);
	assert_int_equal(only(&v, "compat-wrong-array")->severity, MC_SEV_ERROR);
	commit.change.v[0].fixed_micro = 0; /* 9.1.0: released */
	mc_findings_free(&v.fs);
	judge_with(&v, base, head, &commit, 0);
	assert_int_equal(only(&v, "compat-wrong-array")->severity, MC_SEV_NOTE);
	mc_commit_facts_free(&commit);
	done(&v, base, head);
}

/* ---- compat-uncovered-type ------------------------------------------------ */

static void test_uncovered_type_flags_a_sibling(void **state)
{
	(void)state;
	mct_rev *base, *head;
	rss_turned_on(&base, &head);
	mct_compat(head, "hw_compat_9_1", "virtio-net-pci", "rss", "off");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-uncovered-type");
	assert_int_equal(f->severity, MC_SEV_ERROR);
	assert_string_equal(f->type, "virtio-net-pci-transitional");
	/* The fix names the declaring type, which covers both. */
	assert_string_equal(f->suggestion, "{ \"virtio-net-pci-base\", \"rss\", \"off\" },");
	done(&v, base, head);
}

static void test_uncovered_type_quiet_for_the_declarer(void **state)
{
	(void)state;
	mct_rev *base, *head;
	rss_turned_on(&base, &head);
	mct_compat(head, "hw_compat_9_1", "virtio-net-pci-base", "rss", "off");
	verdict v;
	judge(&v, base, head);
	assert_int_equal(v.fs.n, 0);
	done(&v, base, head);
}

/* ---- compat-dangling ------------------------------------------------------ */

static void test_dangling_flags_a_property_no_type_has(void **state)
{
	(void)state;
	mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
	mct_compat(head, "hw_compat_9_1", "e1000", "mq-typo", "off");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-dangling");
	assert_int_equal(f->severity, MC_SEV_ERROR);
	assert_string_equal(f->property, "mq-typo");
	assert_string_equal(f->file, "hw/core/machine.c");
	done(&v, base, head);
}

/* An entry on a parent sets the property on every subtype: one that lacks it aborts QEMU. */
static void test_dangling_flags_a_subtype_without_the_property(void **state)
{
	(void)state;
	scene s = released;
	s.virtio = 1;
	s.rss_default = "false";
	mct_rev *base = scene_rev(&s), *head = scene_rev(&s);
	mct_compat(head, "hw_compat_9_1", "pci-device", "rss", "on");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-dangling");
	assert_int_equal(f->severity, MC_SEV_ERROR);
	assert_non_null(strstr(f->message, "e1000 lacks the property"));
	done(&v, base, head);
}

/* .optional = true: QEMU skips the subtypes that lack it. */
static void test_dangling_quiet_for_an_optional_entry(void **state)
{
	(void)state;
	scene s = released;
	s.virtio = 1;
	s.rss_default = "false";
	mct_rev *base = scene_rev(&s), *head = scene_rev(&s);
	mct_compat_optional(head, "hw_compat_9_1", "pci-device", "rss", "on");
	verdict v;
	judge(&v, base, head);
	assert_int_equal(count(&v, "compat-dangling"), 0);
	done(&v, base, head);
}

/*
 * An old entry sets a property on every concrete type under its driver.  A
 * change that adds a type lacking it makes QEMU abort creating that type on
 * every older machine type: the change is at fault, though the entry is not.
 */
static mct_rev *family_rev(const char *extra_type, int extra_has_rss, int optional)
{
	mct_rev *r = scene_rev(&released);
	mct_file(r, "hw/virtio/virtio-net-pci.c");
	mct_abstract_type(r, "virtio-net-pci-base", "pci-device");
	const char *types[] = { "virtio-net-pci", "virtio-net-pci-transitional", extra_type };
	for (size_t i = 0; i < 3 && types[i]; i++) {
		mct_type(r, types[i], "virtio-net-pci-base");
		if (i < 2 || extra_has_rss)
			mct_prop(r, types[i], "rss", "bool", "true");
	}
	mct_file(r, "hw/core/machine.c");
	if (optional)
		mct_compat_optional(r, "hw_compat_9_0", "virtio-net-pci-base", "rss", "off");
	else
		mct_compat(r, "hw_compat_9_0", "virtio-net-pci-base", "rss", "off");
	return r;
}

static void test_dangling_flags_a_new_type_under_an_old_entry(void **state)
{
	(void)state;
	mct_rev *base = family_rev(NULL, 0, 0), *head = family_rev("virtio-net-pci-lite", 0, 0);
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-dangling");
	assert_int_equal(f->severity, MC_SEV_ERROR);
	assert_non_null(strstr(f->message, "virtio-net-pci-lite lacks the property"));
	assert_true(has_note(f, "virtio-net-pci-lite is new in this change"));
	/* The change wrote the new type, not the entry: its registration is the cause. */
	const mc_type *lite = mc_model_type(mct_model(head), "virtio-net-pci-lite");
	assert_string_equal(f->cause_file, lite->file);
	assert_int_equal(f->cause_line, lite->line);
	done(&v, base, head);
}

/*
 * A finding on a line the change did not write moves to its cause when the
 * change wrote that; one without a cause stays, said to be off the diff; a
 * file with nothing known stays unknown.
 */
static void test_findings_anchor_on_changed_lines(void **state)
{
	(void)state;
	mc_findings fs = {0};
	mc_finding *moved = mc_findings_add(&fs, "compat-dangling", MC_SEV_ERROR, "t", "p", "hw/core/machine.c", 40,
					    "entry");
	moved->cause_file = mc_strdup("hw/net/new.c");
	moved->cause_line = 12;
	mc_findings_add(&fs, "compat-missing", MC_SEV_ERROR, "t", "q", "hw/core/machine.c", 41, "stays");
	mc_findings_add(&fs, "compat-missing", MC_SEV_ERROR, "t", "r", "hw/unknown.c", 3, "unknown");
	mc_changed_lines changed = {0};
	int *machine = malloc(2 * sizeof(int)), *newc = malloc(2 * sizeof(int));
	machine[0] = 1, machine[1] = 5;
	newc[0] = 10, newc[1] = 20;
	mc_changed_lines_add(&changed, "hw/core/machine.c", machine, 1);
	mc_changed_lines_add(&changed, "hw/net/new.c", newc, 1);
	mc_findings_anchor(&fs, &changed);
	const mc_finding *stays = NULL, *went = NULL, *unknown = NULL;
	for (size_t i = 0; i < fs.n; i++) {
		const char *p = fs.v[i].property;
		*(strcmp(p, "p") == 0 ? &went : strcmp(p, "q") == 0 ? &stays : &unknown) = &fs.v[i];
	}
	assert_string_equal(went->file, "hw/net/new.c");
	assert_int_equal(went->line, 12);
	assert_int_equal(went->changed_line, 1);
	assert_true(has_note(went, "the entry is at hw/core/machine.c:40"));
	assert_string_equal(stays->file, "hw/core/machine.c");
	assert_int_equal(stays->changed_line, 0);
	assert_int_equal(unknown->changed_line, -1);
	/* Sorted again by place: machine.c, then the moved one in hw/net/, then hw/unknown.c. */
	assert_ptr_equal(went, &fs.v[1]);
	mc_changed_lines_free(&changed);
	mc_findings_free(&fs);
}

static void test_dangling_quiet_for_a_new_type_that_has_it(void **state)
{
	(void)state;
	mct_rev *base = family_rev(NULL, 0, 0), *head = family_rev("virtio-net-pci-lite", 1, 0);
	verdict v;
	judge(&v, base, head);
	assert_int_equal(count(&v, "compat-dangling"), 0);
	mc_findings_free(&v.fs);
	mct_rev_free(head);
	/* .optional = true: QEMU skips the new type. */
	mct_rev_free(base);
	base = family_rev(NULL, 0, 1);
	head = family_rev("virtio-net-pci-lite", 0, 1);
	judge(&v, base, head);
	assert_int_equal(count(&v, "compat-dangling"), 0);
	done(&v, base, head);
}

/* A subtype that re-declares an inherited property with another default changes it for itself. */
static void test_missing_flags_a_redeclared_default(void **state)
{
	(void)state;
	scene s = released;
	s.virtio = 1;
	s.rss_default = "false";
	mct_rev *base = scene_rev(&s), *head = scene_rev(&s);
	mct_file(head, "hw/virtio/virtio-net-pci.c");
	mct_prop(head, "virtio-net-pci-transitional", "rss", "bool", "true");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-missing");
	assert_string_equal(f->type, "virtio-net-pci-transitional");
	assert_int_equal(f->affected.n, 1);
	done(&v, base, head);
}

/* The entry was dangling before the change: only --audit reports it. */
static void test_dangling_at_base_only_in_audit(void **state)
{
	(void)state;
	mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
	mct_compat(base, "hw_compat_9_0", "e1000", "gone", "off");
	mct_compat(head, "hw_compat_9_0", "e1000", "gone", "off");
	verdict v;
	judge(&v, base, head);
	assert_int_equal(count(&v, "compat-dangling"), 0);
	mc_findings_free(&v.fs);
	judge_with(&v, base, head, NULL, 1);
	assert_int_equal(count(&v, "compat-dangling"), 1);
	done(&v, base, head);
}

/* ---- new-property-enabled ------------------------------------------------- */

static void test_new_property_enabled_warns(void **state)
{
	(void)state;
	scene h = released;
	h.x_new_default = "true";
	mct_rev *base = scene_rev(&released), *head = scene_rev(&h);
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "new-property-enabled");
	assert_int_equal(f->severity, MC_SEV_WARNING);
	assert_string_equal(f->property, "x-new");
	assert_string_equal(f->suggestion, "{ \"e1000\", \"x-new\", \"off\" },");
	done(&v, base, head);
}

static void test_new_property_off_is_quiet(void **state)
{
	(void)state;
	scene h = released;
	h.x_new_default = "false";
	mct_rev *base = scene_rev(&released), *head = scene_rev(&h);
	verdict v;
	judge(&v, base, head);
	assert_int_equal(loud(&v), 0);
	done(&v, base, head);
}

static void test_new_property_enabled_quiet_with_its_entry(void **state)
{
	(void)state;
	scene h = released;
	h.x_new_default = "true";
	mct_rev *base = scene_rev(&released), *head = scene_rev(&h);
	mct_compat(head, "hw_compat_9_1", "e1000", "x-new", "off");
	verdict v;
	judge(&v, base, head);
	assert_int_equal(loud(&v), 0);
	done(&v, base, head);
}

/* A host-side knob (conv host-property) that turns on changes nothing a guest sees: a note. */
static void test_new_property_host_knob_is_a_note(void **state)
{
	(void)state;
	mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
	mct_file(head, "hw/net/e1000.c");
	mct_prop(head, "e1000", "ioeventfd", "bool", "true");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "new-property-enabled");
	assert_int_equal(f->severity, MC_SEV_NOTE);
	assert_true(has_note(f, "host-side knob"));
	assert_null(f->suggestion);
	done(&v, base, head);
}

/* A property gone in the commit that adds one of the same kind and default: a rename, a note. */
static void test_new_property_rename_is_a_note(void **state)
{
	(void)state;
	mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
	mct_file(base, "hw/net/e1000.c");
	mct_prop(base, "e1000", "x_flow_ctl", "bool", "true");
	mct_file(head, "hw/net/e1000.c");
	mct_prop(head, "e1000", "x-flow-ctl", "bool", "true");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "new-property-enabled");
	assert_int_equal(f->severity, MC_SEV_NOTE);
	assert_true(has_note(f, "replaces x_flow_ctl"));
	assert_null(f->suggestion);
	mc_findings_free(&v.fs);
	/* Another default: not a rename, the new property may change what old machines had. */
	mct_rev *other = scene_rev(&released);
	mct_file(other, "hw/net/e1000.c");
	mct_prop(other, "e1000", "x_flow_ctl", "bool", "false");
	judge(&v, other, head);
	assert_int_equal(only(&v, "new-property-enabled")->severity, MC_SEV_WARNING);
	mct_rev_free(other);
	done(&v, base, head);
}

/*
 * -1 or all ones: "not set", resolved when the device is realized, often to
 * something a guest sees (virtio-rng-pci's vectors gave it MSI-X).  With
 * evidence that such a property reaches guests (a compat entry for a
 * property of that name elsewhere) a warning, which says what it cannot
 * resolve; without any, a note.
 */
static void test_new_property_sentinel_is_a_warning_with_evidence(void **state)
{
	(void)state;
	mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
	mct_file(head, "hw/net/e1000.c");
	mct_prop(head, "e1000", "vectors", "uint32", "4294967295");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "new-property-enabled");
	assert_int_equal(f->severity, MC_SEV_NOTE);
	assert_true(has_note(f, "nothing shows that a guest"));
	mc_findings_free(&v.fs);
	mct_rev_free(base);
	mct_rev_free(head);

	base = scene_rev(&released);
	head = scene_rev(&released);
	mct_file(base, "hw/core/machine.c");
	mct_compat(base, "hw_compat_9_0", "virtio-blk-pci", "vectors", "2");
	mct_file(head, "hw/core/machine.c");
	mct_compat(head, "hw_compat_9_0", "virtio-blk-pci", "vectors", "2");
	mct_file(head, "hw/net/e1000.c");
	mct_prop(head, "e1000", "vectors", "uint32", "4294967295");
	judge(&v, base, head);
	f = only(&v, "new-property-enabled");
	assert_int_equal(f->severity, MC_SEV_WARNING);
	assert_true(has_note(f, "sentinel the device resolves"));
	assert_true(has_note(f, "virtio-blk-pci"));
	done(&v, base, head);
}

/* auto or a number, with no evidence: a note; with a stream-property name: a warning; plainly on: a warning. */
static void test_new_property_graded_by_evidence(void **state)
{
	(void)state;
	static const struct {
		const char *type, *name, *kind, *value;
		mc_severity want;
		const char *note;
	} cases[] = {
		{ "e1000", "x-mode", "OnOffAuto", "auto", MC_SEV_NOTE, "nothing shows" },
		{ "e1000", "num-irqs", "uint32", "4", MC_SEV_NOTE, "nothing shows" },
		{ "e1000", "x-migration-mode", "OnOffAuto", "auto", MC_SEV_WARNING, "shapes the migration stream" },
		{ "e1000", "x-on", "OnOffAuto", "on", MC_SEV_WARNING, NULL },
		{ "e1000", "x-feature", "bit", "on", MC_SEV_WARNING, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
		mct_file(head, "hw/net/e1000.c");
		mct_prop(head, cases[i].type, cases[i].name, cases[i].kind, cases[i].value);
		verdict v;
		judge(&v, base, head);
		const mc_finding *f = only(&v, "new-property-enabled");
		if (f->severity != cases[i].want || (cases[i].note && !has_note(f, cases[i].note)))
			fail_msg("%s.%s = %s: severity %d, want %d", cases[i].type, cases[i].name, cases[i].value,
				 (int)f->severity, (int)cases[i].want);
		done(&v, base, head);
	}
}

/*
 * A read of the property's member decides the evidence: by a VMState .needed
 * function, or for a call that writes PCI config space.  A read elsewhere, or
 * of another member, is none.
 */
static void test_new_property_evidence_from_member_reads(void **state)
{
	(void)state;
	static const struct {
		const char *kind, *function, *call, *read;
		mc_severity want;
		const char *note;
	} cases[] = {
		{ "vmstate", "e1000_mode_needed", NULL, "c:@S@E1000State@FI@mode", MC_SEV_WARNING, "e1000_mode_needed()" },
		{ "pci-config", "e1000_realize", "pci_set_word", "c:@S@E1000State@FI@mode", MC_SEV_WARNING,
		  "pci_set_word()" },
		{ "vmstate", "e1000_other_needed", NULL, "c:@S@E1000State@FI@other", MC_SEV_NOTE, "nothing shows" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
		mct_file(head, "hw/net/e1000.c");
		mct_prop(head, "e1000", "x-mode", "OnOffAuto", "auto");
		mct_prop_field(head, "e1000", "c:@S@E1000State@FI@mode");
		mct_file(head, "hw/net/e1000_regs.c");
		mct_use(head, cases[i].read, cases[i].kind, cases[i].function, cases[i].call);
		verdict v;
		judge(&v, base, head);
		const mc_finding *f = only(&v, "new-property-enabled");
		if (f->severity != cases[i].want || !has_note(f, cases[i].note))
			fail_msg("case %zu: severity %d, want %d", i, (int)f->severity, (int)cases[i].want);
		done(&v, base, head);
	}
}

/* An x86 CPU exists in pc machines only (conv family-arch): a pc_compat entry is all it needs. */
static void test_new_property_of_a_target_type_needs_its_family_only(void **state)
{
	(void)state;
	scene s = released;
	s.pc = 1;
	mct_rev *revs[2];
	for (int k = 0; k < 2; k++) {
		mct_rev *r = revs[k] = scene_rev(&s);
		mct_file(r, "target/i386/cpu.c");
		mct_type(r, "x86_64-cpu", "device");
		mct_prop(r, "x86_64-cpu", "pmu", "bool", "false");
		if (k)
			mct_prop(r, "x86_64-cpu", "x-consistent-cache", "bool", "true");
	}
	mct_file(revs[1], "hw/i386/pc.c");
	mct_compat(revs[1], "pc_compat_9_1", "x86_64-cpu", "x-consistent-cache", "off");
	verdict v;
	judge(&v, revs[0], revs[1]);
	assert_int_equal(v.fs.n, 0);
	mc_findings_free(&v.fs);
	/* The same for a device of no target: other families' machines change. */
	mct_rev *dev[2];
	for (int k = 0; k < 2; k++) {
		scene d = s;
		d.x_new_default = k ? "true" : NULL;
		dev[k] = scene_rev(&d);
	}
	mct_file(dev[1], "hw/i386/pc.c");
	mct_compat(dev[1], "pc_compat_9_1", "e1000", "x-new", "off");
	judge(&v, dev[0], dev[1]);
	assert_int_equal(loud(&v), 1);
	mct_rev_free(dev[0]);
	mct_rev_free(dev[1]);
	done(&v, revs[0], revs[1]);
}

/*
 * Arm's virt machines add only the generic arrays (arm_virt_compat is
 * machine-wide): a type of hw/arm/ is still compared, for the generic family.
 */
static void test_new_property_of_a_family_without_arrays(void **state)
{
	(void)state;
	mct_rev *revs[2];
	for (int k = 0; k < 2; k++) {
		mct_rev *r = revs[k] = scene_rev(&released);
		mct_file(r, "hw/arm/smmuv3.c");
		mct_type(r, "arm-smmuv3", "device");
		mct_prop(r, "arm-smmuv3", "stage", "string", "1");
		if (k)
			mct_prop(r, "arm-smmuv3", "ril", "bool", "true");
		mct_file(r, "hw/arm/virt.c");
		mct_compat(r, "arm_virt_compat", "arm-smmuv3", "stage", "1");
	}
	verdict v;
	judge(&v, revs[0], revs[1]);
	assert_int_equal(only(&v, "new-property-enabled")->severity, MC_SEV_WARNING);
	done(&v, revs[0], revs[1]);
}

/* A device of boards without versioned machine types: no released machine holds it. */
static void test_missing_quiet_for_a_device_of_unversioned_boards(void **state)
{
	(void)state;
	mct_rev *revs[2];
	for (int k = 0; k < 2; k++) {
		mct_rev *r = revs[k] = scene_rev(&released);
		mct_file(r, "hw/cpu/a9mpcore.c");
		mct_type(r, "a9mpcore_priv", "device");
		mct_prop(r, "a9mpcore_priv", "num-irq", "uint32", k ? "0" : "96");
	}
	verdict v;
	judge(&v, revs[0], revs[1]);
	assert_int_equal(v.fs.n, 0);
	done(&v, revs[0], revs[1]);
}

/* ---- values resolved at run time ------------------------------------------ */

/* "auto" against the value auto may resolve to: the tool cannot tell, a warning that says so. */
static void test_missing_auto_against_a_value_is_a_warning(void **state)
{
	(void)state;
	mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
	mct_file(base, "hw/net/e1000.c");
	mct_prop(base, "e1000", "offload", "OnOffAuto", "on");
	mct_file(head, "hw/net/e1000.c");
	mct_prop(head, "e1000", "offload", "OnOffAuto", "auto");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-missing");
	assert_int_equal(f->severity, MC_SEV_WARNING);
	assert_true(has_note(f, "auto is resolved when QEMU runs"));
	mc_findings_free(&v.fs);
	/* on -> off is no guess: an error. */
	mct_rev *off = scene_rev(&released);
	mct_file(off, "hw/net/e1000.c");
	mct_prop(off, "e1000", "offload", "OnOffAuto", "off");
	judge(&v, base, off);
	assert_int_equal(only(&v, "compat-missing")->severity, MC_SEV_ERROR);
	mct_rev_free(off);
	done(&v, base, head);
}

/* A sentinel -1 ("auto") replacing the value auto resolved to: the same. */
static void test_missing_sentinel_is_a_warning(void **state)
{
	(void)state;
	mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
	mct_file(base, "hw/net/e1000.c");
	mct_prop(base, "e1000", "queues", "int32", "4");
	mct_file(head, "hw/net/e1000.c");
	mct_prop(head, "e1000", "queues", "int32", "-1");
	verdict v;
	judge(&v, base, head);
	assert_int_equal(only(&v, "compat-missing")->severity, MC_SEV_WARNING);
	done(&v, base, head);
}

static void test_wrong_value_auto_entry_is_a_warning(void **state)
{
	(void)state;
	mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
	mct_file(base, "hw/net/e1000.c");
	mct_prop(base, "e1000", "offload", "OnOffAuto", "on");
	mct_file(head, "hw/net/e1000.c");
	mct_prop(head, "e1000", "offload", "OnOffAuto", "off");
	mct_file(head, "hw/core/machine.c");
	mct_compat(head, "hw_compat_9_1", "e1000", "offload", "auto");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-wrong-value");
	assert_int_equal(f->severity, MC_SEV_WARNING);
	assert_true(has_note(f, "if it resolves to on"));
	done(&v, base, head);
}

/* ---- a new property's entry is evidence of the old behaviour --------------- */

/* A new "x-old-thing" off by default, with an entry saying older machine types had it on. */
static void new_off_property(mct_rev **base, mct_rev **head)
{
	scene b = released, h = released;
	b.virtio = h.virtio = 1;
	b.rss_default = h.rss_default = "false";
	*base = scene_rev(&b);
	*head = scene_rev(&h);
	mct_file(*head, "hw/virtio/virtio-net-pci.c");
	mct_prop(*head, "virtio-net-pci-base", "x-old-hash", "bool", "false");
	mct_file(*head, "hw/core/machine.c");
}

static void test_new_property_entry_in_the_newest_array_is_quiet(void **state)
{
	(void)state;
	mct_rev *base, *head;
	new_off_property(&base, &head);
	mct_compat(head, "hw_compat_9_1", "virtio-net-pci-base", "x-old-hash", "on");
	verdict v;
	judge(&v, base, head);
	assert_int_equal(loud(&v), 0);
	done(&v, base, head);
}

static void test_new_property_entry_in_an_older_array_for_an_off_default(void **state)
{
	(void)state;
	mct_rev *base, *head;
	new_off_property(&base, &head);
	mct_compat(head, "hw_compat_9_0", "virtio-net-pci-base", "x-old-hash", "on");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-wrong-array");
	assert_int_equal(f->severity, MC_SEV_ERROR);
	assert_int_equal(f->affected.n, 2);
	done(&v, base, head);
}

/* The entry names one variant; its sibling carries the property too and is left out. */
static void test_new_property_entry_leaves_a_sibling_uncovered(void **state)
{
	(void)state;
	mct_rev *base, *head;
	new_off_property(&base, &head);
	mct_compat(head, "hw_compat_9_1", "virtio-net-pci", "x-old-hash", "on");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-uncovered-type");
	assert_int_equal(f->severity, MC_SEV_ERROR);
	assert_string_equal(f->type, "virtio-net-pci-transitional");
	assert_string_equal(f->suggestion, "{ \"virtio-net-pci-base\", \"x-old-hash\", \"on\" },");
	assert_string_equal(f->suggestion_array, "hw_compat_9_1");
	done(&v, base, head);
}

/* ---- compat-redundant ----------------------------------------------------- */

static void test_redundant_notes_an_entry_that_sets_the_default(void **state)
{
	(void)state;
	mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
	mct_compat(head, "hw_compat_9_1", "e1000", "mq", "off");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-redundant");
	assert_int_equal(f->severity, MC_SEV_NOTE);
	assert_int_equal(loud(&v), 0);
	done(&v, base, head);
}

static void test_redundant_quiet_for_a_useful_entry(void **state)
{
	(void)state;
	mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
	mct_compat(head, "hw_compat_9_1", "e1000", "mq", "on");
	verdict v;
	judge(&v, base, head);
	assert_int_equal(count(&v, "compat-redundant"), 0);
	done(&v, base, head);
}

/* ---- the other severities ------------------------------------------------- */

/* An entry only in the pc family: other machines still change, but the device may be pc-only. */
static void test_wrong_array_warns_for_another_family_only(void **state)
{
	(void)state;
	scene b = released, h = released;
	b.pc = h.pc = 1;
	h.mq_default = "true";
	mct_rev *base = scene_rev(&b), *head = scene_rev(&h);
	mct_file(head, "hw/i386/pc.c");
	mct_compat(head, "pc_compat_9_1", "e1000", "mq", "off");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-wrong-array");
	assert_int_equal(f->severity, MC_SEV_WARNING);
	assert_non_null(strstr(f->message, "only for pc machines"));
	done(&v, base, head);
}

/* The proxy is covered and only the bare device is not: a reviewer decides (a warning). */
static void test_uncovered_type_warns_for_a_bare_device(void **state)
{
	(void)state;
	mct_rev *revs[2];
	for (int k = 0; k < 2; k++) {
		mct_rev *r = revs[k] = scene_rev(&released);
		mct_file(r, "hw/net/virtio-net.c");
		mct_type(r, "virtio-net-device", "device");
		mct_prop(r, "virtio-net-device", "rss", "bool", k ? "true" : "false");
		mct_file(r, "hw/virtio/virtio-net-pci.c");
		mct_type(r, "virtio-net-pci", "pci-device");
		mct_alias(r, "virtio-net-pci", "virtio-net-device");
	}
	mct_file(revs[1], "hw/core/machine.c");
	mct_compat(revs[1], "hw_compat_9_1", "virtio-net-pci", "rss", "off");
	verdict v;
	judge(&v, revs[0], revs[1]);
	const mc_finding *f = only(&v, "compat-uncovered-type");
	assert_int_equal(f->severity, MC_SEV_WARNING);
	assert_string_equal(f->type, "virtio-net-device");
	done(&v, revs[0], revs[1]);
}

/* A property built under #ifdef exists in some builds only: the entry aborts QEMU in the others. */
static void test_dangling_warns_for_a_conditional_property(void **state)
{
	(void)state;
	mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
	mct_rev *revs[2] = { base, head };
	for (int k = 0; k < 2; k++) {
		mct_file(revs[k], "hw/net/e1000.c");
		mct_prop(revs[k], "e1000", "vhost", "bool", "false");
		mct_prop_condition(revs[k], "e1000", "CONFIG_LINUX");
	}
	mct_file(head, "hw/core/machine.c");
	mct_compat(head, "hw_compat_9_1", "e1000", "vhost", "on");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-dangling");
	assert_int_equal(f->severity, MC_SEV_WARNING);
	assert_non_null(strstr(f->message, "CONFIG_LINUX"));
	done(&v, base, head);
}

/* A type no DEFINE_PROP or TypeInfo shows, but written in the tree: not judged, a note. */
static void test_dangling_notes_a_type_registered_by_code(void **state)
{
	(void)state;
	mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
	mct_file(head, "hw/core/machine.c");
	mct_compat(head, "hw_compat_9_1", "Haswell-x86_64-cpu-v9", "x-feature", "off");
	mc_mentions mentions = {0};
	mc_mentions_asked(&mentions, "Haswell-x86_64-cpu-v9");
	mc_mentions_add(&mentions, "Haswell-x86_64-cpu-v9", "target/i386/cpu.c", 1);
	verdict v;
	memset(&v, 0, sizeof(v));
	mc_rule_input in = { mct_model(base), mct_model(head), NULL, mct_conv(head), NULL, &mentions, 0 };
	mc_rules_run(&in, &v.fs);
	const mc_finding *f = only(&v, "compat-dangling");
	assert_int_equal(f->severity, MC_SEV_NOTE);
	assert_non_null(strstr(f->message, "does not analyse"));
	mc_mentions_free(&mentions);
	mc_findings_free(&v.fs);
	/* Written nowhere: the entry does nothing, an error. */
	judge(&v, base, head);
	assert_int_equal(only(&v, "compat-dangling")->severity, MC_SEV_ERROR);
	done(&v, base, head);
}

/* A default that cannot be evaluated is not compared: a note says the change was not judged. */
static void test_default_unknown_notes_a_symbolic_default(void **state)
{
	(void)state;
	mct_rev *base = scene_rev(&released), *head = scene_rev(&released);
	mct_file(base, "hw/net/e1000.c");
	mct_prop(base, "e1000", "queues", "uint32", "1");
	mct_file(head, "hw/net/e1000.c");
	mct_prop_symbolic(head, "e1000", "queues", "uint32", "E1000_DEFAULT_QUEUES");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "default-unknown");
	assert_int_equal(f->severity, MC_SEV_NOTE);
	assert_non_null(strstr(f->message, "E1000_DEFAULT_QUEUES"));
	assert_int_equal(loud(&v), 0);
	done(&v, base, head);
}

/* x86_64-cpu and six CPU models; its feature "arat" has the default each model sets by code. */
static void cpu_models(mct_rev *r)
{
	static const char *const models[] = { "qemu64", "qemu64-v1", "EPYC", "EPYC-v1", "EPYC-v2", "EPYC-IBPB" };
	mct_file(r, "target/i386/cpu.c");
	mct_abstract_type(r, "x86_64-cpu", "device");
	mct_prop_symbolic(r, "x86_64-cpu", "arat", "bool", "(set by each concrete type)");
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		char *name = mc_sprintf("%s-x86_64-cpu", models[i]);
		mct_type(r, name, "x86_64-cpu");
		free(name);
	}
}

/*
 * An entry added for such a property cannot be judged: one note for the
 * cause, naming the type that declares the property and every model it
 * leaves unjudged, not a note per model.
 */
static void test_default_unknown_names_the_declaring_type(void **state)
{
	(void)state;
	scene s = released;
	s.pc = 1;
	mct_rev *base = scene_rev(&s), *head = scene_rev(&s);
	cpu_models(base);
	cpu_models(head);
	mct_file(head, "hw/i386/pc.c");
	mct_compat(head, "pc_compat_9_1", "x86_64-cpu", "arat", "on");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "default-unknown");
	assert_string_equal(f->type, "x86_64-cpu");
	assert_string_equal(f->owner, "x86_64-cpu");
	assert_int_equal(f->affected.n, 6);
	assert_true(mc_strvec_contains(&f->affected, "EPYC-IBPB-x86_64-cpu"));
	assert_int_equal(count(&v, "compat-dangling"), 0);
	assert_int_equal(loud(&v), 0);
	done(&v, base, head);
}

/* A new property's entry in an older array leaves the newest released machines changed. */
static void test_new_property_entry_in_an_older_array(void **state)
{
	(void)state;
	scene h = released;
	h.x_new_default = "true";
	mct_rev *base = scene_rev(&released), *head = scene_rev(&h);
	mct_file(head, "hw/core/machine.c");
	mct_compat(head, "hw_compat_9_0", "e1000", "x-new", "off");
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-wrong-array");
	assert_int_equal(f->severity, MC_SEV_ERROR);
	assert_non_null(strstr(f->message, "new property e1000.x-new"));
	assert_int_equal(count(&v, "new-property-enabled"), 0);
	done(&v, base, head);
}

/* ---- the rules as functions ----------------------------------------------- */

/* The same input gives the same findings, and the models are only read. */
static void test_rules_are_pure(void **state)
{
	(void)state;
	scene h = released;
	h.mq_default = "true";
	h.x_new_default = "true";
	mct_rev *base = scene_rev(&released), *head = scene_rev(&h);
	mct_compat(head, "hw_compat_9_1", "e1000", "mq-typo", "off");
	size_t sets = mct_model(head)->nsets, entries = mct_model(head)->sets[0].nentries;
	verdict a, b;
	judge(&a, base, head);
	judge(&b, base, head);
	assert_int_equal(a.fs.n, b.fs.n);
	assert_true(a.fs.n >= 3);
	for (size_t i = 0; i < a.fs.n; i++) {
		assert_string_equal(a.fs.v[i].rule, b.fs.v[i].rule);
		assert_string_equal(a.fs.v[i].message, b.fs.v[i].message);
	}
	assert_int_equal(mct_model(head)->nsets, sets);
	assert_int_equal(mct_model(head)->sets[0].nentries, entries);
	mc_findings_free(&b.fs);
	done(&a, base, head);
}

/* ---- QOM properties added by code ------------------------------------------ */

/*
 * sev-guest (not a device) under an abstract parent: legacy-vm-type added by
 * its class_init's code with no value migcompat computes, cbitpos added by
 * the instance_init with 47, and x-helper-level by a helper in another file
 * its instance_init hands the object to.  level is the value of cbitpos.
 */
static mct_rev *code_rev(const char *cbitpos, int with_helper)
{
	mct_rev *r = scene_rev(&released);
	mct_file(r, "qom/object.c");
	mct_abstract_type(r, "object", NULL);
	mct_file(r, "target/i386/sev.c");
	mct_abstract_type(r, "sev-common", "object");
	mct_type(r, "sev-guest", "sev-common");
	mct_type(r, "sev-snp-guest", "sev-common");
	mct_code_prop(r, "sev_common_class_init", "legacy-vm-type", "OnOffAuto", NULL,
		      "its getter returns no struct field as it is");
	mct_code_prop(r, mct_instance_init(r, "sev-guest"), "cbitpos", "uint32", cbitpos, NULL);
	if (with_helper) {
		mct_instance_helper(r, "sev-guest", "sev_add_common_props");
		mct_file(r, "target/i386/sev-common.c");
		mct_code_prop(r, "sev_add_common_props", "x-helper-level", "uint32", "3", NULL);
		/* A function no type's class_init or instance_init reaches. */
		mct_code_prop(r, "sev_machine_init", "x-machine-only", "bool", "on", NULL);
	}
	return r;
}

/*
 * Properties added by code are the type's, inherited like DEFINE_PROPs, from
 * its class_init, its instance_init and the helpers the instance_init calls;
 * the coverage counts them and lists each default it does not value, with why.
 */
static void test_model_code_properties(void **state)
{
	(void)state;
	mct_rev *r = code_rev("47", 1);
	const mc_model *m = mct_model(r);
	const mc_type *snp = mc_model_type(m, "sev-snp-guest"), *guest = mc_model_type(m, "sev-guest");
	const mc_type *owner = NULL;
	const mc_type_prop *tp = mc_type_prop_find(snp, "legacy-vm-type", &owner);
	assert_non_null(tp);
	assert_string_equal(owner->name, "sev-common");
	assert_null(mc_type_prop_find(snp, "cbitpos", NULL));
	tp = mc_type_prop_find(guest, "cbitpos", &owner);
	assert_non_null(tp);
	assert_string_equal(owner->name, "sev-guest");
	assert_int_equal(tp->prop->defval.i, 47);
	tp = mc_type_prop_find(guest, "x-helper-level", NULL);
	assert_non_null(tp);
	assert_string_equal(tp->file, "target/i386/sev-common.c");
	assert_null(mc_type_prop_find(guest, "x-machine-only", NULL));
	assert_int_equal(m->code_properties, 3);
	assert_int_equal(m->code_properties_unattached, 1);
	assert_int_equal(m->code_defaults_unvalued, 1);
	assert_int_equal(m->ncode_reasons, 1);
	assert_string_equal(m->code_reasons[0].reason, "its getter returns no struct field as it is");
	assert_int_equal(m->code_reasons[0].n, 1);
	int listed = 0, unattached = 0;
	for (size_t i = 0; i < m->unanalysed.n; i++) {
		listed |= strstr(m->unanalysed.v[i], "legacy-vm-type: default of a property added by code") != NULL;
		unattached |= strstr(m->unanalysed.v[i], "1 property added by code in sev_machine_init") != NULL;
	}
	assert_true(listed);
	assert_true(unattached);
	/* They are not Property arrays. */
	assert_int_equal(m->property_arrays_unresolved, 0);
	mct_rev_free(r);
}

/*
 * An entry naming a property added by code is checked as one on a DEFINE_PROP:
 * quiet when it exists, valued or not (a note each: not judged, redundant);
 * an error when a concrete type under the driver lacks it.
 */
static void test_dangling_code_properties(void **state)
{
	(void)state;
	mct_rev *base = code_rev("47", 1), *head = code_rev("47", 1);
	mct_file(head, "hw/core/machine.c");
	mct_compat(head, "hw_compat_9_1", "sev-common", "legacy-vm-type", "on");
	mct_compat(head, "hw_compat_9_1", "sev-guest", "x-helper-level", "3");
	verdict v;
	judge(&v, base, head);
	assert_int_equal(count(&v, "compat-dangling"), 0);
	assert_int_equal(loud(&v), 0);
	done(&v, base, head);

	base = code_rev("47", 1);
	head = code_rev("47", 1);
	mct_file(head, "hw/core/machine.c");
	/* sev-snp-guest lacks cbitpos, which only sev-guest's instance_init adds. */
	mct_compat(head, "hw_compat_9_1", "sev-common", "cbitpos", "51");
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-dangling");
	assert_int_equal(f->severity, MC_SEV_ERROR);
	assert_non_null(strstr(f->message, "sev-snp-guest"));
	done(&v, base, head);
}

/* A valued default changed in the instance_init is a change for released machines; an unvalued one is not judged. */
static void test_invariant_code_default_changed(void **state)
{
	(void)state;
	mct_rev *base = code_rev("47", 0), *head = code_rev("51", 0);
	verdict v;
	judge(&v, base, head);
	const mc_finding *f = only(&v, "compat-missing");
	assert_string_equal(f->type, "sev-guest");
	assert_string_equal(f->property, "cbitpos");
	assert_string_equal(f->old_value, "47");
	done(&v, base, head);

	base = code_rev("47", 0);
	head = code_rev("51", 0);
	mct_file(head, "hw/core/machine.c");
	mct_compat(head, "hw_compat_9_1", "sev-guest", "cbitpos", "47");
	judge(&v, base, head);
	assert_int_equal(loud(&v), 0);
	done(&v, base, head);
}

/* A value the property's kind rejects aborts QEMU as a missing property does. */
static void test_dangling_flags_a_value_the_kind_rejects(void **state)
{
	(void)state;
	mct_rev *base = code_rev("47", 0), *head = code_rev("47", 0);
	mct_file(head, "hw/core/machine.c");
	mct_compat(head, "hw_compat_9_1", "sev-guest", "cbitpos", "fifty");
	mct_compat(head, "hw_compat_9_1", "e1000", "mq", "maybe");
	mct_compat(head, "hw_compat_9_1", "pci-device", "x-old-unrelated", "Y");
	verdict v;
	judge(&v, base, head);
	assert_int_equal(count(&v, "compat-dangling"), 2);
	for (size_t i = 0; i < v.fs.n; i++)
		if (strcmp(v.fs.v[i].rule, "compat-dangling") == 0) {
			assert_int_equal(v.fs.v[i].severity, MC_SEV_ERROR);
			assert_non_null(strstr(v.fs.v[i].message, "property rejects"));
			assert_string_not_equal(v.fs.v[i].property, "x-old-unrelated");
		}
	done(&v, base, head);
}

/* Every rule a check can emit is in the catalogue. */
static void test_findings_name_catalogued_rules(void **state)
{
	(void)state;
	scene h = released;
	h.mq_default = "true";
	h.x_new_default = "true";
	mct_rev *base = scene_rev(&released), *head = scene_rev(&h);
	mct_compat(head, "hw_compat_9_1", "e1000", "mq-typo", "off");
	mct_compat(head, "hw_compat_9_0", "e1000", "mq", "off");
	verdict v;
	judge(&v, base, head);
	for (size_t i = 0; i < v.fs.n; i++) {
		const mc_rule_info *info = mc_rule_lookup(v.fs.v[i].rule);
		assert_non_null(info);
	}
	done(&v, base, head);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_code_properties),
		cmocka_unit_test(test_dangling_code_properties),
		cmocka_unit_test(test_invariant_code_default_changed),
		cmocka_unit_test(test_dangling_flags_a_value_the_kind_rejects),
		cmocka_unit_test(test_effective_default_and_entries),
		cmocka_unit_test(test_effective_inherited_and_subjects),
		cmocka_unit_test(test_effective_versions_compared),
		cmocka_unit_test(test_release_survives_a_wrong_version),
		cmocka_unit_test(test_effective_machine_globals_stay_with_their_machine),
		cmocka_unit_test(test_families_compared_are_versioned),
		cmocka_unit_test(test_missing_flags_a_changed_default),
		cmocka_unit_test(test_missing_quiet_when_covered),
		cmocka_unit_test(test_missing_quiet_without_a_change),
		cmocka_unit_test(test_missing_names_the_array_not_yet_made),
		cmocka_unit_test(test_missing_once_for_an_inherited_default),
		cmocka_unit_test(test_missing_names_the_owner_of_a_large_family),
		cmocka_unit_test(test_wrong_value_flags_the_new_value),
		cmocka_unit_test(test_wrong_value_quiet_for_another_spelling),
		cmocka_unit_test(test_wrong_array_flags_an_older_array),
		cmocka_unit_test(test_wrong_array_note_for_a_stable_fix),
		cmocka_unit_test(test_wrong_array_error_for_a_fix_of_unreleased_work),
		cmocka_unit_test(test_uncovered_type_flags_a_sibling),
		cmocka_unit_test(test_uncovered_type_quiet_for_the_declarer),
		cmocka_unit_test(test_dangling_flags_a_property_no_type_has),
		cmocka_unit_test(test_dangling_flags_a_subtype_without_the_property),
		cmocka_unit_test(test_dangling_quiet_for_an_optional_entry),
		cmocka_unit_test(test_dangling_at_base_only_in_audit),
		cmocka_unit_test(test_dangling_flags_a_new_type_under_an_old_entry),
		cmocka_unit_test(test_findings_anchor_on_changed_lines),
		cmocka_unit_test(test_dangling_quiet_for_a_new_type_that_has_it),
		cmocka_unit_test(test_missing_flags_a_redeclared_default),
		cmocka_unit_test(test_new_property_enabled_warns),
		cmocka_unit_test(test_new_property_off_is_quiet),
		cmocka_unit_test(test_new_property_enabled_quiet_with_its_entry),
		cmocka_unit_test(test_new_property_host_knob_is_a_note),
		cmocka_unit_test(test_new_property_rename_is_a_note),
		cmocka_unit_test(test_new_property_sentinel_is_a_warning_with_evidence),
		cmocka_unit_test(test_new_property_graded_by_evidence),
		cmocka_unit_test(test_new_property_evidence_from_member_reads),
		cmocka_unit_test(test_new_property_of_a_target_type_needs_its_family_only),
		cmocka_unit_test(test_missing_quiet_for_a_device_of_unversioned_boards),
		cmocka_unit_test(test_new_property_of_a_family_without_arrays),
		cmocka_unit_test(test_missing_auto_against_a_value_is_a_warning),
		cmocka_unit_test(test_missing_sentinel_is_a_warning),
		cmocka_unit_test(test_wrong_value_auto_entry_is_a_warning),
		cmocka_unit_test(test_new_property_entry_in_the_newest_array_is_quiet),
		cmocka_unit_test(test_new_property_entry_in_an_older_array_for_an_off_default),
		cmocka_unit_test(test_new_property_entry_leaves_a_sibling_uncovered),
		cmocka_unit_test(test_redundant_notes_an_entry_that_sets_the_default),
		cmocka_unit_test(test_redundant_quiet_for_a_useful_entry),
		cmocka_unit_test(test_wrong_array_warns_for_another_family_only),
		cmocka_unit_test(test_uncovered_type_warns_for_a_bare_device),
		cmocka_unit_test(test_dangling_warns_for_a_conditional_property),
		cmocka_unit_test(test_dangling_notes_a_type_registered_by_code),
		cmocka_unit_test(test_default_unknown_notes_a_symbolic_default),
		cmocka_unit_test(test_default_unknown_names_the_declaring_type),
		cmocka_unit_test(test_new_property_entry_in_an_older_array),
		cmocka_unit_test(test_rules_are_pure),
		cmocka_unit_test(test_findings_name_catalogued_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
