/*
 * test_vmstate.c - VMState from source: extraction, the model's links and
 * `show --vmstate` (fixtures/vmstate: the example's foo-dev with a
 * VMStateDescription; its README lists what the step declares).
 *
 * Extraction: every field kind the fixture's macros expand to (single,
 * versioned, with a test, fixed and variable arrays, a nested struct, unused
 * bytes), a VMSTATE_VALIDATE that puts nothing on the wire, a subsection
 * with .needed, dc->vmsd in class_init and a vmstate_register call.  Model:
 * a subtype inherits its parent's description; a static description is
 * found from its own file only.  JSON: the schema of QEMU's -dump-vmstate,
 * key by key.  Coverage: a description clang cannot evaluate is named, in a
 * file that defines nothing else (parsed only for --vmstate).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_repo.h"
#include "model_builder.h"
#include "test_util.h"

#define VMSTATE_FIXTURE MC_SOURCE_DIR "/fixtures/vmstate"

static struct {
	char *tmp, *repo, *cache;
} g;

static int group_setup(void **state)
{
	(void)state;
	g.tmp = mc_test_tempdir("vmstate");
	if (!g.tmp)
		return -1;
	g.repo = mc_test_xsprintf("%s/repo", g.tmp);
	g.cache = mc_test_xsprintf("%s/cache", g.tmp);
	return mc_fixture_repo_build(VMSTATE_FIXTURE, g.repo) != 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(g.cache);
	g.cache = NULL;
	mc_test_example_repo_remove(&g.tmp, &g.repo);
	return 0;
}

/* show --vmstate [--type T] --format FMT REV: the result, failing unless it exits want_rc. */
static mc_test_result show_vmstate(const char *rev, const char *type, const char *fmt, int want_rc)
{
	const char *argv[] = { "migcompat", "show", "--vmstate", "--repo", g.repo, "--cache", g.cache, "--format",
			       fmt, type ? "--type" : rev, type ? type : NULL, rev, NULL };
	mc_test_result r = mc_test_run_result(argv);
	if (r.rc != want_rc)
		fail_msg("show --vmstate %s: exit %d, want %d; stderr: %s", rev, r.rc, want_rc, r.err);
	return r;
}

/* The keys of o, in order, joined by spaces (kept). */
static const char *keys_of(json_t *o)
{
	const char *k;
	json_t *v;
	char *s = mc_test_ksprintf("%s", "");
	json_object_foreach(o, k, v)
		s = mc_test_ksprintf("%s%s%s", s, *s ? " " : "", k);
	return s;
}

static void expect_field(json_t *fields, size_t i, const char *name, int version, int exists, int size)
{
	json_t *f = json_array_get(fields, i);
	if (!f)
		fail_msg("no field %zu (%s)", i, name);
	assert_string_equal(mc_test_jstr(f, "field"), name);
	assert_int_equal(json_integer_value(json_object_get(f, "version_id")), version);
	assert_int_equal(json_is_true(json_object_get(f, "field_exists")), exists);
	assert_int_equal(json_integer_value(json_object_get(f, "size")), size);
}

/* The dump of foo-dev, key by key in QEMU's order, with every field as the macros expand. */
static void test_vmstate_json_shape(void **state)
{
	(void)state;
	mc_test_result r = show_vmstate("vmstate", NULL, "json", 0);
	json_t *root = mc_test_parse_json_object(r.out, "show --vmstate");
	assert_string_equal(keys_of(root), "vmschkmachine foo-dev foo-dev-lite");
	assert_string_equal(keys_of(json_object_get(root, "vmschkmachine")), "Name");
	json_t *dev = json_object_get(root, "foo-dev");
	assert_string_equal(keys_of(dev), "Name version_id minimum_version_id Description");
	assert_string_equal(mc_test_jstr(dev, "Name"), "foo-dev");
	assert_int_equal(json_integer_value(json_object_get(dev, "version_id")), 2);
	assert_int_equal(json_integer_value(json_object_get(dev, "minimum_version_id")), 1);
	json_t *d = json_object_get(dev, "Description");
	assert_string_equal(keys_of(d), "name version_id minimum_version_id Fields Subsections");
	assert_string_equal(mc_test_jstr(d, "name"), "foo-dev");
	json_t *fields = json_object_get(d, "Fields");
	/* The VMSTATE_VALIDATE between nqueue and queue puts nothing on the wire: left out, as QEMU does. */
	assert_int_equal(json_array_size(fields), 8);
	assert_string_equal(keys_of(json_array_get(fields, 0)), "field version_id field_exists size");
	expect_field(fields, 0, "level", 0, 0, 1);
	expect_field(fields, 1, "legacy_mode", 2, 0, 1);
	expect_field(fields, 2, "buffer_size", 0, 1, 8);
	expect_field(fields, 3, "regs", 0, 0, 4);
	expect_field(fields, 4, "nqueue", 0, 0, 4);
	expect_field(fields, 5, "queue", 0, 0, 4);
	expect_field(fields, 6, "sub", 1, 0, 12);
	expect_field(fields, 7, "unused", 0, 0, 4);
	json_t *sub = json_array_get(fields, 6);
	assert_string_equal(keys_of(sub), "field version_id field_exists size Description");
	json_t *nested = json_object_get(sub, "Description");
	assert_string_equal(mc_test_jstr(nested, "name"), "foo-dev/sub");
	expect_field(json_object_get(nested, "Fields"), 0, "mode", 0, 0, 4);
	expect_field(json_object_get(nested, "Fields"), 1, "flags", 0, 0, 1);
	/* A buffer as long as its member (declared in a header: foo-sub.h). */
	expect_field(json_object_get(nested, "Fields"), 2, "tag", 0, 0, 4);
	json_t *subs = json_object_get(d, "Subsections");
	assert_int_equal(json_array_size(subs), 1);
	json_t *extra = json_array_get(subs, 0);
	assert_string_equal(keys_of(extra), "name version_id minimum_version_id Fields");
	assert_string_equal(mc_test_jstr(extra, "name"), "foo-dev/extra");
	expect_field(json_object_get(extra, "Fields"), 0, "extra", 0, 0, 1);
	/* A subtype that stores no description of its own has its parent's, under its own name. */
	json_t *lite = json_object_get(root, "foo-dev-lite");
	assert_string_equal(mc_test_jstr(lite, "Name"), "foo-dev-lite");
	assert_true(json_equal(json_object_get(lite, "Description"), d));
	/* What could not be read is said, never left out silently. */
	assert_non_null(strstr(r.err, "not analysed: hw/misc/foo-opaque.c:"));
	assert_non_null(strstr(r.err, "VMStateDescription vmstate_foo_opaque"));
	assert_non_null(strstr(r.err, "5 descriptions, 1 not analysed"));
}

/* The text form names counts, tests, flags, where each description is and what .needed gates it. */
static void test_vmstate_text(void **state)
{
	(void)state;
	mc_test_result r = show_vmstate("vmstate", "foo-dev", "text", 0);
	char *text = mc_test_keep(mc_test_read_file(VMSTATE_FIXTURE "/steps/01-vmstate/files/hw/misc/foo-dev.c", NULL));
	assert_non_null(text);
	int line = mc_test_line_of(text, "vmstate_foo_dev = {");
	assert_non_null(strstr(r.out, "foo-dev:\n"));
	assert_non_null(strstr(r.out, mc_test_ksprintf("[hw/misc/foo-dev.c:%d vmstate_foo_dev]", line)));
	assert_non_null(strstr(r.out, "buffer_size  v0  size 8  if foo_buffer_needed()"));
	assert_non_null(strstr(r.out, "regs  v0  size 4  x4  [VMS_ARRAY]"));
	assert_non_null(strstr(r.out, "queue  v0  size 4  x(nqueue)  [VMS_VARRAY_UINT32|VMS_POINTER]"));
	assert_non_null(strstr(r.out, "needed foo_extra_needed]"));
	assert_null(strstr(r.out, "foo-dev-lite"));
	assert_non_null(strstr(r.out, "coverage: 1 device types with a description"));
}

/* Quiet: the base tree has no description; a file with only a description is not parsed without --vmstate. */
static void test_vmstate_none_and_usage(void **state)
{
	(void)state;
	mc_test_result r = show_vmstate("base", NULL, "json", 0);
	json_t *root = mc_test_parse_json_object(r.out, "show --vmstate base");
	assert_string_equal(keys_of(root), "vmschkmachine");
	assert_non_null(strstr(r.err, "0 device types with a description"));
	const char *plain[] = { "migcompat", "show", "--repo", g.repo, "--cache", g.cache, "--format", "json",
				"vmstate", NULL };
	assert_int_equal(mc_test_run_result(plain).rc, 0);
	const char *with_machine[] = { "migcompat", "show", "--vmstate", "--machine", "9.2", "--repo", g.repo,
				       "vmstate", NULL };
	mc_test_result m = mc_test_run_result(with_machine);
	assert_int_equal(m.rc, 2);
	assert_non_null(strstr(m.err, "migcompat: --vmstate shows the descriptions of every type"));
	r = show_vmstate("vmstate", "no-such-type", "json", 2);
	assert_non_null(strstr(r.err, "migcompat: vmstate has no type named 'no-such-type'"));
}

/*
 * The facts of foo-dev.c: the uses of descriptions, by member and by call.
 * foo-dev existed without state: its new section, sent always, is an error.
 */
static void test_vmstate_uses(void **state)
{
	(void)state;
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--cache", g.cache, "--format", "json", "--full",
			       "base", "vmstate", NULL };
	mc_test_result r = mc_test_run_result(argv);
	assert_int_equal(r.rc, 1);
	json_t *root = mc_test_parse_json_object(r.out, "check");
	json_t *f = json_array_get(json_object_get(root, "findings"), 0);
	assert_string_equal(mc_test_jstr(f, "rule"), "vmstate-ungated");
	assert_string_equal(mc_test_jstr(f, "vmstate"), "foo-dev");
	assert_non_null(strstr(mc_test_jstr(f, "message"), "new section foo-dev of foo-dev has no .needed"));
	json_t *vm = json_object_get(json_object_get(root, "coverage"), "vmstate");
	assert_non_null(vm);
	/* A check's pair parses foo-opaque.c too (it only defines a description): said, not analysed. */
	assert_int_equal(json_integer_value(json_object_get(vm, "descriptions")), 5);
	assert_int_equal(json_integer_value(json_object_get(vm, "not_analysed")), 1);
	assert_int_equal(json_integer_value(json_object_get(vm, "types")), 2);
}

/* ---- the vmstate-* rules, one step of the fixture each (make-steps.py) ------- */

typedef struct {
	const char *step;      /* branch, checked against "vmstate" (step 01) */
	const char *rule;      /* the one vmstate-* finding, or NULL: none */
	const char *severity;
	const char *vmstate;   /* its "vmstate" */
	const char *suggestion;
	const char *file;      /* where it points: NULL, hw/misc/foo-dev.c */
} rule_step;

static const rule_step rule_steps[] = {
	{ "field-added", "vmstate-fields-changed", "error", "foo-dev", NULL, NULL },
	/* VMSTATE_UNUSED(1) for a uint8, and a field renamed at the same size: the same stream. */
	{ "field-unused", NULL, NULL, NULL, NULL, NULL },
	{ "version-raised", "vmstate-version-raised", "error", "foo-dev", NULL, NULL },
	{ "subsection-gated", NULL, NULL, NULL, NULL, NULL },
	{ "subsection-ungated", "vmstate-ungated", "error", "foo-dev/offset",
	  "{ \"foo-dev\", \"x-offset-migration\", \"false\" },", NULL },
	{ "subsection-misnamed", "vmstate-subsection-name", "error", "foodev/offset", NULL, NULL },
	{ "subsection-dropped", "vmstate-subsection-dropped", "error", "foo-dev/extra", NULL, NULL },
	{ "unregistered", "vmstate-unregistered", "error", "foo-dev", NULL, NULL },
	/* One cause: the subsection named after the old name is not a second finding. */
	{ "renamed", "vmstate-renamed", "error", "foo-device", NULL, NULL },
	{ "subsection-run-time", "vmstate-ungated", "warning", "foo-dev/offset", NULL, NULL },
	/* The C struct FooSub grows; its description does not: nothing changes on the wire. */
	{ "nested-struct-grows", NULL, NULL, NULL, NULL, NULL },
	{ "minimum-raised", "vmstate-minimum-raised", "warning", "foo-dev", NULL, NULL },
	/* The field of version 2 goes with the version: one finding, not a second for the field. */
	{ "version-lowered", "vmstate-version-lowered", "error", "foo-dev", NULL, NULL },
	/* Only the header changes: the nested buffer grows with its member, and the finding points there. */
	{ "header-member-grows", "vmstate-fields-changed", "error", "foo-dev/sub", NULL, "include/hw/misc/foo-sub.h" },
};

/* Each rule flags its step, once, naming the description, and stays quiet on the steps done right. */
static void test_vmstate_rules_on_steps(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rule_steps) / sizeof(rule_steps[0]); i++) {
		const rule_step *w = &rule_steps[i];
		const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--cache", g.cache, "--format", "json",
				       "vmstate", w->step, NULL };
		mc_test_result r = mc_test_run_result(argv);
		json_t *fs = json_object_get(mc_test_parse_json_object(r.out, w->step), "findings");
		json_t *hit = NULL;
		size_t n = 0, k;
		json_t *f;
		json_array_foreach(fs, k, f) {
			if (strncmp(mc_test_jstr(f, "rule"), "vmstate-", 8) != 0)
				continue;
			n++;
			hit = f;
		}
		if (!w->rule) {
			if (n)
				fail_msg("%s: want no vmstate finding, have %s: %s", w->step, mc_test_jstr(hit, "rule"),
					 mc_test_jstr(hit, "message"));
			assert_int_equal(r.rc, 0);
			continue;
		}
		if (n != 1)
			fail_msg("%s: want one %s, have %zu vmstate findings; stdout: %s", w->step, w->rule, n, r.out);
		assert_string_equal(mc_test_jstr(hit, "rule"), w->rule);
		assert_string_equal(mc_test_jstr(hit, "severity"), w->severity);
		assert_string_equal(mc_test_jstr(hit, "vmstate"), w->vmstate);
		assert_string_equal(mc_test_jstr(hit, "file"), w->file ? w->file : "hw/misc/foo-dev.c");
		if (w->file)
			assert_true(json_is_true(json_object_get(hit, "changed_line")));
		assert_int_equal(r.rc, 1);
		if (w->suggestion)
			assert_string_equal(mc_test_jstr(json_object_get(hit, "suggestion"), "entry"), w->suggestion);
	}
}

/* The gate's own new property is not reported twice: one cause, one finding, a note says so. */
static void test_vmstate_ungated_absorbs_new_property(void **state)
{
	(void)state;
	const char *argv[] = { "migcompat", "check", "--repo", g.repo, "--cache", g.cache, "vmstate",
			       "subsection-ungated", NULL };
	mc_test_result r = mc_test_run_result(argv);
	assert_int_equal(r.rc, 1);
	assert_null(strstr(r.out, "[new-property-enabled]"));
	assert_non_null(strstr(r.out, "[vmstate-ungated]"));
	assert_non_null(strstr(r.out, "foo-dev.x-offset-migration is new and defaults to on"));
	assert_non_null(strstr(r.out, "note: add { \"foo-dev\", \"x-offset-migration\", \"false\" } to hw_compat_10_1"));
	/* --fix writes the entry the finding names (applied, it is step subsection-gated: quiet). */
	const char *fix[] = { "migcompat", "check", "--repo", g.repo, "--cache", g.cache, "--fix", "vmstate",
			      "subsection-ungated", NULL };
	r = mc_test_run_result(fix);
	assert_non_null(strstr(r.out, "+    { \"foo-dev\", \"x-offset-migration\", \"false\" },"));
	const char *sarif[] = { "migcompat", "check", "--repo", g.repo, "--cache", g.cache, "--format", "sarif",
				"vmstate", "subsection-misnamed", NULL };
	r = mc_test_run_result(sarif);
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "\"vmstate\": \"foodev/offset\""));
}

/* ---- the model, on facts written by hand ---------------------------------- */

static mc_vmsd *add_vmsd(mc_facts *f, const char *var, const char *name, int is_static)
{
	mc_vmsd *d = MC_VEC_PUSH(f->vmsds, f->nvmsds, f->cap_vmsds);
	d->var = mc_strdup(var);
	d->name = name ? mc_strdup(name) : NULL;
	d->is_static = is_static;
	d->complete = 1;
	return d;
}

static void add_use(mc_facts *f, const char *function, const char *var, const char *via)
{
	mc_vmsd_use *u = MC_VEC_PUSH(f->vmsd_uses, f->nvmsd_uses, f->cap_vmsd_uses);
	u->function = mc_strdup(function);
	u->vmsd = mc_strdup(var);
	u->via = mc_strdup(via);
}

static void add_type(mc_facts *f, const char *name, const char *parent, const char *class_init)
{
	mc_typeinfo *t = MC_VEC_PUSH(f->types, f->ntypes, f->cap_types);
	t->name = mc_strdup(name);
	t->parent = parent ? mc_strdup(parent) : NULL;
	t->class_init = class_init ? mc_strdup(class_init) : NULL;
}

static void test_vmstate_model_links(void **state)
{
	(void)state;
	mc_conv conv;
	assert_int_equal(mc_conv_load_builtin(&conv), 0);
	mc_facts *a = mc_calloc(1, sizeof(*a)), *b = mc_calloc(1, sizeof(*b));
	a->path = mc_strdup("hw/a.c");
	b->path = mc_strdup("hw/b.c");
	a->parsed = b->parsed = 1;
	add_type(a, "device", NULL, NULL);
	add_type(a, "a-dev", "device", "a_class_init");
	add_type(a, "a-dev-sub", "a-dev", NULL);
	add_type(b, "b-dev", "device", "b_class_init");
	add_type(b, "c-dev", "device", "c_class_init");
	add_vmsd(a, "vmstate_x", "a-x", 1);
	add_vmsd(a, "vmstate_shared", "shared", 0);
	add_vmsd(b, "vmstate_x", "b-x", 1);
	add_use(a, "a_class_init", "vmstate_x", "DeviceClass.vmsd");
	add_use(b, "b_class_init", "vmstate_shared", "DeviceClass.vmsd");
	/* Not the conventions' member: gives c-dev nothing (a VirtIODevice's own description). */
	add_use(b, "c_class_init", "vmstate_x", "VirtioDeviceClass.vmsd");
	/* Through a helper given the class (sdhci_common_class_init): d-dev has its description. */
	add_type(b, "d-dev", "device", "d_class_init");
	mc_attach *at = MC_VEC_PUSH(b->attaches, b->nattaches, b->cap_attaches);
	at->function = mc_strdup("d_class_init");
	at->array = mc_strdup("d_common_class_init");
	at->via_call = 1;
	add_use(a, "d_common_class_init", "vmstate_stubbed", "DeviceClass.vmsd");
	/* A stub file's "= {}" (no .name) first, the real description after it: the real one. */
	add_vmsd(a, "vmstate_stubbed", NULL, 0);
	add_vmsd(b, "vmstate_stubbed", "real", 0);
	mc_facts *facts[] = { a, b };
	mc_model *m;
	assert_int_equal(mc_model_build(&m, facts, 2, &conv, "9.2.0"), 0);
	assert_string_equal(mc_type_vmstate(mc_model_type(m, "a-dev"))->d->name, "a-x");
	assert_string_equal(mc_type_vmstate(mc_model_type(m, "a-dev-sub"))->d->name, "a-x");
	assert_string_equal(mc_type_vmstate(mc_model_type(m, "b-dev"))->d->name, "shared");
	assert_null(mc_type_vmstate(mc_model_type(m, "c-dev")));
	assert_null(mc_type_vmstate(mc_model_type(m, "device")));
	/* A static description is its file's; a global one is found from anywhere. */
	assert_string_equal(mc_model_vmstate(m, "hw/b.c", "vmstate_x")->d->name, "b-x");
	assert_string_equal(mc_model_vmstate(m, "hw/c.c", "vmstate_shared")->file, "hw/a.c");
	assert_null(mc_model_vmstate(m, "hw/c.c", "vmstate_x"));
	assert_string_equal(mc_type_vmstate(mc_model_type(m, "d-dev"))->d->name, "real");
	assert_int_equal(m->nvmstates, 5);
	mc_model_free(m);
	mc_facts_free(a);
	mc_facts_free(b);
	mc_conv_free(&conv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_vmstate_json_shape, mc_test_arena_release),
		cmocka_unit_test_teardown(test_vmstate_text, mc_test_arena_release),
		cmocka_unit_test_teardown(test_vmstate_none_and_usage, mc_test_arena_release),
		cmocka_unit_test_teardown(test_vmstate_uses, mc_test_arena_release),
		cmocka_unit_test_teardown(test_vmstate_rules_on_steps, mc_test_arena_release),
		cmocka_unit_test_teardown(test_vmstate_ungated_absorbs_new_property, mc_test_arena_release),
		cmocka_unit_test(test_vmstate_model_links),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
