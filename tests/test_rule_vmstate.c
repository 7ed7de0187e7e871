/*
 * test_rule_vmstate.c - the vmstate-* rules on models built by hand
 * (tests/support/model_builder.h): no git, no libclang.
 *
 * The scene: a development tree (VERSION 9.1.50, last release 9.1) with
 * hw_compat_9_0 and hw_compat_9_1; a PCI device "foo" whose description
 * "foo" (version 1) sends a (4 bytes), b (1), c (2) and a nested struct
 * "foo/sub"; foo has the properties x-extra (on) and x-quiet (off); and
 * "lasi", a chip of the HPPA boards (hw/hppa/, no versioned machine type),
 * with its description "Lasi".  Each test makes one change of the head and
 * says what the rules must report of it, flagged or quiet.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model/commit.h"
#include "model_builder.h"
#include "rules/rules.h"

#define EXTRA_USR "c:@S@FooState@FI@extra"
#define QUIET_USR "c:@S@FooState@FI@quiet"
#define A_USR "c:@S@FooState@FI@a"

/* What the head does differently from the base (all 0: the base itself). */
typedef struct {
	int insert;             /* a field "ins" (1 byte) after a */
	int c_size;             /* c's bytes (0: 2) */
	int reorder;            /* c before b */
	int b_unused;           /* b replaced by VMSTATE_UNUSED(1) */
	int drop_b;             /* b removed */
	const char *b_test;     /* b has a test function reading this member */
	int a2;                 /* a field a2 (4 bytes) after a; 2: before a (the two swapped) */
	const char *sub_name;   /* the subsection's .name (NULL: foo/extra) */
	int validate;           /* a VMSTATE_VALIDATE after a */
	int sub_c_size;         /* the C size of FooSub (0: 8) */
	int sub_field;          /* foo/sub gains a field */
	int version;            /* foo's version_id (0: 1), with a field "d" of that version when > 1 */
	int min_version;        /* foo's minimum_version_id (0: 1) */
	int lasi_version;       /* Lasi's version_id (0: 1) */
	int lasi_insert;        /* Lasi gains a field */
	const char *sub_read;   /* a new subsection foo/extra whose .needed reads this member; "" no .needed */
	const char *field_test; /* a new field "e" with a test reading this member */
	const char *entry_array;/* { "foo", "x-extra", "off" } in this array */
	int no_vmsd;            /* foo's class_init no longer sets dc->vmsd */
	int dup_sub;            /* a second subsection, vmstate_foo_extra2, also named foo/extra (with sub_read) */
	const char *name;       /* foo's description's .name (NULL: "foo") */
} change;

static mct_rev *scene(const change *ch)
{
	mct_rev *r = mct_rev_new("9.1.50");
	mct_file(r, "hw/core/qdev.c");
	mct_abstract_type(r, "device", NULL);
	mct_file(r, "hw/pci/pci.c");
	mct_abstract_type(r, "pci-device", "device");
	mct_file(r, "hw/misc/foo.c");
	mct_type(r, "foo", "pci-device");
	mct_prop(r, "foo", "x-extra", "bool", "on");
	mct_prop_field(r, "foo", EXTRA_USR);
	mct_prop(r, "foo", "x-quiet", "bool", "off");
	mct_prop_field(r, "foo", QUIET_USR);
	mct_vmsd(r, "vmstate_foo_sub", "foo/sub", 1, 1, NULL);
	mct_vmsd_field(r, "vmstate_foo_sub", "m", 4, 0);
	if (ch->sub_field)
		mct_vmsd_field(r, "vmstate_foo_sub", "n", 1, 0);
	mct_vmsd(r, "vmstate_foo", ch->name ? ch->name : "foo", ch->version ? ch->version : 1,
		 ch->min_version ? ch->min_version : 1, NULL);
	if (ch->a2 == 2)
		mct_vmsd_field(r, "vmstate_foo", "a2", 4, 0);
	mct_vmsd_field(r, "vmstate_foo", "a", 4, 0);
	if (ch->a2 == 1)
		mct_vmsd_field(r, "vmstate_foo", "a2", 4, 0);
	if (ch->insert)
		mct_vmsd_field(r, "vmstate_foo", "ins", 1, 0);
	if (ch->validate)
		mct_vmsd_validate(r, "vmstate_foo", "foo_valid");
	if (ch->reorder)
		mct_vmsd_field(r, "vmstate_foo", "c", ch->c_size ? ch->c_size : 2, 0);
	if (!ch->drop_b)
		mct_vmsd_field(r, "vmstate_foo", ch->b_unused ? "unused" : "b", 1, 0);
	if (ch->b_test) {
		mct_vmsd_field_version(r, "vmstate_foo", 0, "foo_b_needed");
		mct_use(r, ch->b_test, "vmstate", "foo_b_needed", NULL);
	}
	if (!ch->reorder)
		mct_vmsd_field(r, "vmstate_foo", "c", ch->c_size ? ch->c_size : 2, 0);
	mct_vmsd_struct(r, "vmstate_foo", "sub", "vmstate_foo_sub", ch->sub_c_size ? ch->sub_c_size : 8);
	if (ch->version > 1) {
		mct_vmsd_field(r, "vmstate_foo", "d", 4, 0);
		mct_vmsd_field_version(r, "vmstate_foo", ch->version, NULL);
	}
	if (ch->field_test) {
		mct_vmsd_field(r, "vmstate_foo", "e", 4, 0);
		mct_vmsd_field_version(r, "vmstate_foo", 0, "foo_e_needed");
		mct_use(r, ch->field_test, "vmstate", "foo_e_needed", NULL);
	}
	if (ch->sub_read) {
		mct_vmsd(r, "vmstate_foo_extra", ch->sub_name ? ch->sub_name : "foo/extra", 1, 1,
			 *ch->sub_read ? "foo_extra_needed" : NULL);
		mct_vmsd_field(r, "vmstate_foo_extra", "extra", 1, 0);
		mct_vmsd_subsection(r, "vmstate_foo", "vmstate_foo_extra");
		if (*ch->sub_read)
			mct_use(r, ch->sub_read, "vmstate", "foo_extra_needed", NULL);
		if (ch->dup_sub) {
			mct_vmsd(r, "vmstate_foo_extra2", "foo/extra", 1, 1, "foo_extra_needed");
			mct_vmsd_field(r, "vmstate_foo_extra2", "extra2", 4, 0);
			mct_vmsd_subsection(r, "vmstate_foo", "vmstate_foo_extra2");
		}
	}
	if (!ch->no_vmsd)
		mct_type_vmsd(r, "foo", "vmstate_foo");
	mct_file(r, "hw/hppa/lasi.c");
	mct_type(r, "lasi", "device");
	mct_vmsd(r, "vmstate_lasi", "Lasi", ch->lasi_version ? ch->lasi_version : 1, 1, NULL);
	mct_vmsd_field(r, "vmstate_lasi", "x", 4, 0);
	if (ch->lasi_insert)
		mct_vmsd_field(r, "vmstate_lasi", "y", 4, 0);
	mct_type_vmsd(r, "lasi", "vmstate_lasi");
	mct_file(r, "hw/core/machine.c");
	mct_compat_array(r, "hw_compat_9_1");
	mct_compat_array(r, "hw_compat_9_0");
	if (ch->entry_array)
		mct_compat(r, ch->entry_array, "foo", "x-extra", "off");
	return r;
}

typedef struct {
	mc_findings fs;
	mct_rev *base, *head;
} verdict;

static void judge_pair(verdict *v, const change *base, const change *head, const mc_commit_facts *commit)
{
	memset(v, 0, sizeof(*v));
	v->base = scene(base);
	v->head = scene(head);
	mc_rule_input in = { mct_model(v->base), mct_model(v->head), commit, mct_conv(v->head), NULL, NULL, 0 };
	mc_rules_run(&in, &v->fs);
}

static void judge_commit(verdict *v, const change *ch, const mc_commit_facts *commit)
{
	static const change none;
	judge_pair(v, &none, ch, commit);
}

static void judge(verdict *v, const change *ch)
{
	judge_commit(v, ch, NULL);
}

static void done(verdict *v)
{
	mc_findings_free(&v->fs);
	mct_rev_free(v->base);
	mct_rev_free(v->head);
}

/* The only vmstate-* finding; fails when there is none or several. */
static const mc_finding *the_vmstate_finding(const verdict *v)
{
	const mc_finding *hit = NULL;
	for (size_t i = 0; i < v->fs.n; i++) {
		if (strncmp(v->fs.v[i].rule, "vmstate-", 8) != 0)
			continue;
		if (hit)
			fail_msg("two vmstate findings: %s / %s", hit->message, v->fs.v[i].message);
		hit = &v->fs.v[i];
	}
	if (!hit)
		fail_msg("no vmstate finding (%zu others)", v->fs.n);
	return hit;
}

static void expect(const change *ch, const char *rule, mc_severity sev, const char *vmstate, const char *in_message)
{
	verdict v;
	judge(&v, ch);
	const mc_finding *f = the_vmstate_finding(&v);
	assert_string_equal(f->rule, rule);
	assert_int_equal(f->severity, sev);
	assert_string_equal(f->vmstate, vmstate);
	if (in_message && !strstr(f->message, in_message))
		fail_msg("message lacks \"%s\": %s", in_message, f->message);
	done(&v);
}

/* Fails when the verdict has a vmstate-* finding. */
static void assert_no_vmstate_finding(const verdict *v)
{
	for (size_t i = 0; i < v->fs.n; i++)
		if (strncmp(v->fs.v[i].rule, "vmstate-", 8) == 0)
			fail_msg("want no vmstate finding, have %s: %s", v->fs.v[i].rule, v->fs.v[i].message);
}

static void expect_quiet(const change *ch)
{
	verdict v;
	judge(&v, ch);
	assert_no_vmstate_finding(&v);
	done(&v);
}

static void test_unchanged_is_quiet(void **state)
{
	(void)state;
	change ch = {0};
	expect_quiet(&ch);
}

static void test_fields_added_removed_resized_reordered(void **state)
{
	(void)state;
	change ins = { .insert = 1 }, resize = { .c_size = 4 }, reorder = { .reorder = 1 }, drop = { .drop_b = 1 };
	expect(&ins, "vmstate-fields-changed", MC_SEV_ERROR, "foo", "field ins (1 byte) added at position 2");
	expect(&drop, "vmstate-fields-changed", MC_SEV_ERROR, "foo", "field b (1 byte) removed");
	expect(&resize, "vmstate-fields-changed", MC_SEV_ERROR, "foo", "c (2 bytes) became c (4 bytes)");
	expect(&reorder, "vmstate-fields-changed", MC_SEV_ERROR, "foo", "reordered");
	/* A nested description that changes is reported for itself, not for every parent. */
	change nested = { .sub_field = 1 };
	expect(&nested, "vmstate-fields-changed", MC_SEV_ERROR, "foo/sub", "field n (1 byte) added");
}

/* Two fields of one size that change places: the values land in the wrong members, and QEMU says nothing. */
static void test_fields_of_one_size_swapped(void **state)
{
	(void)state;
	change before = { .a2 = 1 }, after = { .a2 = 2 };
	verdict v;
	judge_pair(&v, &before, &after, NULL);
	const mc_finding *f = the_vmstate_finding(&v);
	assert_string_equal(f->rule, "vmstate-fields-changed");
	assert_non_null(strstr(f->message, "reordered"));
	done(&v);
}

/* A version lowered: the new QEMU refuses the old one's streams. */
static void test_version_lowered(void **state)
{
	(void)state;
	change two = { .version = 2 }, one = {0};
	verdict v;
	judge_pair(&v, &two, &one, NULL);
	const mc_finding *f = the_vmstate_finding(&v);
	assert_string_equal(f->rule, "vmstate-version-lowered");
	assert_int_equal(f->severity, MC_SEV_ERROR);
	done(&v);
}

/* A subsection renamed (its variable kept): one vmstate-renamed, not a drop and a new subsection. */
static void test_subsection_renamed(void **state)
{
	(void)state;
	change before = { .sub_read = EXTRA_USR, .entry_array = "hw_compat_9_1" };
	change after = before;
	after.sub_name = "foo/extra2";
	verdict v;
	judge_pair(&v, &before, &after, NULL);
	const mc_finding *f = the_vmstate_finding(&v);
	assert_string_equal(f->rule, "vmstate-renamed");
	assert_string_equal(f->vmstate, "foo/extra");
	assert_non_null(strstr(f->message, "is now named foo/extra2"));
	done(&v);
}

static void test_fields_same_on_the_wire_are_quiet(void **state)
{
	(void)state;
	/* VMSTATE_UNUSED(1) for a 1-byte field; a VALIDATE (no bytes); a nested C struct that grows. */
	change unused = { .b_unused = 1 }, validate = { .validate = 1 }, grows = { .sub_c_size = 16 };
	expect_quiet(&unused);
	expect_quiet(&validate);
	expect_quiet(&grows);
}

static void test_version_raised(void **state)
{
	(void)state;
	/* The new field of version 2 is the bump's, not a second finding. */
	change bump = { .version = 2 };
	expect(&bump, "vmstate-version-raised", MC_SEV_ERROR, "foo", "version_id raised from 1 to 2");
	change both = { .version = 2, .min_version = 2 };
	verdict v;
	judge(&v, &both);
	const mc_finding *f = the_vmstate_finding(&v);
	assert_string_equal(f->rule, "vmstate-version-raised");
	int said = 0;
	for (size_t i = 0; i < f->notes.n; i++)
		said |= strstr(f->notes.v[i], "minimum_version_id 2 is above the old version_id 1") != NULL;
	assert_true(said);
	done(&v);
}

/* A board without versioned machine types promises nothing across versions: notes. */
static void test_unversioned_machine_gives_notes(void **state)
{
	(void)state;
	change bump = { .lasi_version = 2 }, ins = { .lasi_insert = 1 };
	expect(&bump, "vmstate-version-raised", MC_SEV_NOTE, "Lasi", NULL);
	expect(&ins, "vmstate-fields-changed", MC_SEV_NOTE, "Lasi", NULL);
}

static void test_registration_renamed_and_removed(void **state)
{
	(void)state;
	change renamed = { .name = "foo2" }, gone = { .no_vmsd = 1 };
	expect(&renamed, "vmstate-renamed", MC_SEV_ERROR, "foo2", "was foo");
	expect(&gone, "vmstate-unregistered", MC_SEV_ERROR, "foo", "foo no longer registers");
}

static void test_new_subsection_gated_by_the_newest_array(void **state)
{
	(void)state;
	change gated = { .sub_read = EXTRA_USR, .entry_array = "hw_compat_9_1" };
	expect_quiet(&gated);
	/* Off by default: sent only when a user turns it on. */
	change off = { .sub_read = QUIET_USR };
	expect_quiet(&off);
	/* A CPU feature word (conv feature-member CPUArchState.features): only a CPU with the feature sends it. */
	change feature = { .sub_read = "c:@S@CPUArchState@FI@features" };
	expect_quiet(&feature);
	change other_member = { .sub_read = "c:@S@CPUArchState@FI@pl0_ssp" };
	expect(&other_member, "vmstate-ungated", MC_SEV_WARNING, "foo/extra", "reads no property");
}

static void test_new_subsection_ungated(void **state)
{
	(void)state;
	change missing = { .sub_read = EXTRA_USR };
	verdict v;
	judge(&v, &missing);
	const mc_finding *f = the_vmstate_finding(&v);
	assert_string_equal(f->rule, "vmstate-ungated");
	assert_int_equal(f->severity, MC_SEV_ERROR);
	assert_string_equal(f->vmstate, "foo/extra");
	assert_string_equal(f->property, "x-extra");
	assert_string_equal(f->suggestion, "{ \"foo\", \"x-extra\", \"false\" },");
	assert_string_equal(f->suggestion_array, "hw_compat_9_1");
	done(&v);
	/* An entry in an older array leaves the 9.1 machines sending it. */
	change old = { .sub_read = EXTRA_USR, .entry_array = "hw_compat_9_0" };
	expect(&old, "vmstate-ungated", MC_SEV_ERROR, "foo/extra", "reads property foo.x-extra");
	change run_time = { .sub_read = A_USR }, always = { .sub_read = "" };
	expect(&run_time, "vmstate-ungated", MC_SEV_WARNING, "foo/extra", "reads no property");
	expect(&always, "vmstate-ungated", MC_SEV_ERROR, "foo/extra", "has no .needed");
}

/* The break shipped: its fix goes into the array of the release that broke (Cc: qemu-stable), as for properties. */
static void test_gate_in_an_older_array_for_a_stable_fix(void **state)
{
	(void)state;
	change old = { .sub_read = EXTRA_USR, .entry_array = "hw_compat_9_0" };
	mc_commit_facts commit = { .known = 1 };
	mc_trailers_parse(&commit.change, "foo: gate extra\n\nCc: qemu-stable@nongnu.org\nSigned-off-by: A <a@b>\n");
	verdict v;
	judge_commit(&v, &old, &commit);
	assert_no_vmstate_finding(&v);
	mc_commit_facts_free(&commit);
	done(&v);
}

/* A copied subsection whose .name was not changed: the loader reads both as the first (hw/sd/sd.c, 11.0). */
static void test_duplicate_subsection_name(void **state)
{
	(void)state;
	change before = { .sub_read = EXTRA_USR, .entry_array = "hw_compat_9_1" };
	change after = before;
	after.dup_sub = 1;
	verdict v;
	judge_pair(&v, &before, &after, NULL);
	const mc_finding *f = the_vmstate_finding(&v);
	assert_string_equal(f->rule, "vmstate-subsection-name");
	assert_int_equal(f->severity, MC_SEV_ERROR);
	assert_string_equal(f->vmstate, "foo/extra");
	assert_non_null(strstr(f->message, "vmstate_foo_extra and vmstate_foo_extra2 of foo are both named"));
	done(&v);
	/* Already there at base: not this change's. */
	judge_pair(&v, &after, &after, NULL);
	assert_no_vmstate_finding(&v);
	done(&v);
}

/*
 * A test dropped once the machine types it was false for are gone (QEMU's
 * "remove x-migrate-msix" commits): quiet when a property on by default that
 * no entry turns off decided it; an error while an entry still does; a
 * warning when the test read run-time state.
 */
static void test_field_test_dropped(void **state)
{
	(void)state;
	change plain = {0};
	change by_prop = { .b_test = EXTRA_USR }, by_entry = { .b_test = EXTRA_USR, .entry_array = "hw_compat_9_0" };
	change entry_only = { .entry_array = "hw_compat_9_0" }, by_state = { .b_test = A_USR };
	verdict v;
	judge_pair(&v, &by_prop, &plain, NULL);
	assert_no_vmstate_finding(&v);
	done(&v);
	judge_pair(&v, &by_entry, &entry_only, NULL);
	const mc_finding *f = the_vmstate_finding(&v);
	assert_string_equal(f->rule, "vmstate-fields-changed");
	assert_int_equal(f->severity, MC_SEV_ERROR);
	assert_non_null(strstr(f->message, "field b is now always sent"));
	done(&v);
	judge_pair(&v, &by_state, &plain, NULL);
	f = the_vmstate_finding(&v);
	assert_int_equal(f->severity, MC_SEV_WARNING);
	assert_non_null(strstr(f->message, "reads no property"));
	done(&v);
	/* The entry was in the array of machine types this change removes (hw_compat_8_2): nothing turned it off. */
	change gone = { .b_test = EXTRA_USR, .entry_array = "hw_compat_8_2" };
	judge_pair(&v, &gone, &plain, NULL);
	assert_no_vmstate_finding(&v);
	done(&v);
}

static void test_new_field_with_a_test_is_new_state(void **state)
{
	(void)state;
	change gated = { .field_test = EXTRA_USR, .entry_array = "hw_compat_9_1" };
	expect_quiet(&gated);
	change missing = { .field_test = EXTRA_USR };
	expect(&missing, "vmstate-ungated", MC_SEV_ERROR, "foo", "field e of foo");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unchanged_is_quiet),
		cmocka_unit_test(test_fields_added_removed_resized_reordered),
		cmocka_unit_test(test_fields_same_on_the_wire_are_quiet),
		cmocka_unit_test(test_fields_of_one_size_swapped),
		cmocka_unit_test(test_version_lowered),
		cmocka_unit_test(test_subsection_renamed),
		cmocka_unit_test(test_version_raised),
		cmocka_unit_test(test_unversioned_machine_gives_notes),
		cmocka_unit_test(test_registration_renamed_and_removed),
		cmocka_unit_test(test_new_subsection_gated_by_the_newest_array),
		cmocka_unit_test(test_new_subsection_ungated),
		cmocka_unit_test(test_gate_in_an_older_array_for_a_stable_fix),
		cmocka_unit_test(test_duplicate_subsection_name),
		cmocka_unit_test(test_field_test_dropped),
		cmocka_unit_test(test_new_field_with_a_test_is_new_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
