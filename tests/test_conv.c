/*
 * test_conv.c - analyzer/conv.h: the tree-conventions language (rules/qemu.conv
 * or --rules FILE), its errors (always "SOURCE:LINE: ..."), and the queries the
 * analysis makes with it: compat container names (arrays, 2.x macros, machine
 * option functions), per-target arch of a path, skipped directories, kinds,
 * the generic family, generated-header stubs, QAPI schema paths; and models
 * built from hand-made facts under two conventions, to show that the generic
 * family and the multi-type record come from the data, not from C.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/conv.h"
#include "model/effective.h"
#include "model/facts.h"
#include "model/model.h"
#include "util/util.h"
#include "model/value.h"

#define QEMU_CONV_PATH MC_SOURCE_DIR "/rules/qemu.conv"

/* The conventions compiled into the binary, loaded once per group. */
static mc_conv builtin;

static int builtin_setup(void **state)
{
	(void)state;
	if (mc_conv_load_builtin(&builtin) != 0) {
		fprintf(stderr, "mc_conv_load_builtin: %s\n", mc_error_last());
		return -1;
	}
	return 0;
}

static int builtin_teardown(void **state)
{
	(void)state;
	mc_conv_free(&builtin);
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static void parse_ok(mc_conv *c, const char *text)
{
	int rc = mc_conv_parse(c, "test.conv", text);
	if (rc != 0)
		fail_msg("valid conventions rejected (%d): %s\n--- text ---\n%s", rc, mc_error_last(), text);
}

/* The text must be rejected with MC_EPARSE and an error "test.conv:LINE: ..." containing want. */
static void parse_fails(const char *text, int line, const char *want)
{
	mc_conv c;
	memset(&c, 0x5a, sizeof(c)); /* mc_conv_parse must not rely on a zeroed struct */
	mc_error_clear();
	int rc = mc_conv_parse(&c, "test.conv", text);
	if (rc != MC_EPARSE)
		fail_msg("invalid conventions accepted (rc %d):\n%s", rc, text);
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "test.conv:%d: ", line);
	const char *msg = mc_error_last();
	assert_non_null(msg);
	if (strncmp(msg, prefix, strlen(prefix)) != 0)
		fail_msg("error '%s' does not start with '%s'", msg, prefix);
	if (want && !strstr(msg, want))
		fail_msg("error '%s' does not mention '%s'", msg, want);
	if (strchr(msg, '\n'))
		fail_msg("error '%s' is more than one line", msg);
	/* A failed parse leaves nothing to free (and freeing again is harmless). */
	assert_int_equal(c.skip.n, 0);
	assert_null(c.version_file);
	mc_conv_free(&c);
}

static void expect_array(const mc_conv *c, const char *name, const char *family, int major, int minor)
{
	const char *fam = NULL;
	int ma = -1, mi = -1;
	if (!mc_conv_match_compat_array(c, name, &fam, &ma, &mi))
		fail_msg("'%s' not recognised as a compat array", name);
	assert_non_null(fam);
	if (strcmp(fam, family) != 0 || ma != major || mi != minor)
		fail_msg("'%s': got %s %d.%d, want %s %d.%d", name, fam, ma, mi, family, major, minor);
}

static void expect_macro(const mc_conv *c, const char *name, const char *family, int major, int minor)
{
	const char *fam = NULL;
	int ma = -1, mi = -1;
	if (!mc_conv_match_compat_macro(c, name, &fam, &ma, &mi))
		fail_msg("'%s' not recognised as a compat macro", name);
	assert_non_null(fam);
	if (strcmp(fam, family) != 0 || ma != major || mi != minor)
		fail_msg("'%s': got %s %d.%d, want %s %d.%d", name, fam, ma, mi, family, major, minor);
}

static void expect_function(const mc_conv *c, const char *name, const char *family, int major, int minor)
{
	const char *fam = NULL;
	int ma = -1, mi = -1;
	if (!mc_conv_match_compat_function(c, name, &fam, &ma, &mi))
		fail_msg("'%s' not recognised as a compat function", name);
	assert_non_null(fam);
	if (strcmp(fam, family) != 0 || ma != major || mi != minor)
		fail_msg("'%s': got %s %d.%d, want %s %d.%d", name, fam, ma, mi, family, major, minor);
}

static void expect_no_array(const mc_conv *c, const char *name)
{
	const char *fam = NULL;
	int ma = -1, mi = -1;
	if (mc_conv_match_compat_array(c, name, &fam, &ma, &mi))
		fail_msg("'%s' taken for a compat array (%s %d.%d)", name, fam ? fam : "?", ma, mi);
}

static void expect_no_macro(const mc_conv *c, const char *name)
{
	const char *fam = NULL;
	int ma = -1, mi = -1;
	if (mc_conv_match_compat_macro(c, name, &fam, &ma, &mi))
		fail_msg("'%s' taken for a compat macro (%s %d.%d)", name, fam ? fam : "?", ma, mi);
}

static void expect_no_function(const mc_conv *c, const char *name)
{
	const char *fam = NULL;
	int ma = -1, mi = -1;
	if (mc_conv_match_compat_function(c, name, &fam, &ma, &mi))
		fail_msg("'%s' taken for a compat function (%s %d.%d)", name, fam ? fam : "?", ma, mi);
}

static void expect_arch(const mc_conv *c, const char *path, const char *arch)
{
	const mc_conv_arch *a = mc_conv_arch_for(c, path);
	if (!arch) {
		if (a)
			fail_msg("'%s' is target-independent, got arch %s", path, a->arch);
		return;
	}
	if (!a)
		fail_msg("'%s': no arch, want %s", path, arch);
	if (strcmp(a->arch, arch) != 0)
		fail_msg("'%s': arch %s, want %s", path, a->arch, arch);
}

static int strvec_equal(const mc_strvec *a, const mc_strvec *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

static int pairs_equal(const mc_conv_pair *a, size_t na, const mc_conv_pair *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++) {
		if (strcmp(a[i].name, b[i].name) != 0 || a[i].arg != b[i].arg)
			return 0;
		if ((a[i].family == NULL) != (b[i].family == NULL))
			return 0;
		if (a[i].family && strcmp(a[i].family, b[i].family) != 0)
			return 0;
	}
	return 1;
}

static char *read_text_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	mc_buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mc_buf_put(&b, chunk, n);
	fclose(f);
	mc_buf_puts(&b, "");
	return mc_buf_detach(&b);
}

/* ---- parsing ---------------------------------------------------------- */

static void test_parse_valid(void **state)
{
	(void)state;
	static const char text[] =
		"# a comment line\n"
		"\n"
		"   \t  \n"
		"skip tests/   # trailing comment\n"
		"skip roms/\n"
		"include-dir include\n"
		"include-dir .\n"
		"system-include /usr/include/glib-2.0\n"
		"host-define CONFIG_LINUX\n"
		"host-define HOST_X86_64\n"
		"target hw/i386/ i386\n"
		"target\thw/arm/\tarm\n"
		"target-define i386 TARGET_X86_64 TARGET_I386\n"
		"target-define i386 TARGET_LONG_BITS=64\n"
		"target-include i386 target/i386\n"
		"target-define arm TARGET_ARM\n"
		"kind qdev_prop_bool bool\n"
		"kind qdev_prop_on_off_auto enum OnOffAuto\n"
		"kind qdev_prop_size size\n"
		"info-default qdev_prop_uuid auto\n"
		"info-default qdev_prop_StrOrNull ''\n"
		"attach-call device_class_set_props 1\n"
		"attach-field props\n"
		"alias-call virtio_instance_init_common 3\n"
		"alias-init object_initialize_child 3\n"
		"alias-marker qdev_alias_all_properties\n"
		"compat-array hw hw_compat_\n"
		"compat-array pc pc_compat_\n"
		"compat-macro hw HW_COMPAT_\n"
		"compat-function pc pc_i440fx_\n"
		"version-file VERSION.txt\n"
		"max-file-size 12345\r\n"     /* CRLF line ending */
		"skip last/";                   /* no final newline */
	mc_conv c;
	parse_ok(&c, text);

	assert_int_equal(c.skip.n, 3);
	assert_string_equal(c.skip.v[0], "tests/");
	assert_string_equal(c.skip.v[1], "roms/");
	assert_string_equal(c.skip.v[2], "last/");
	assert_int_equal(c.include_dirs.n, 2);
	assert_string_equal(c.include_dirs.v[0], "include");
	assert_string_equal(c.include_dirs.v[1], ".");
	assert_int_equal(c.system_includes.n, 1);
	assert_string_equal(c.system_includes.v[0], "/usr/include/glib-2.0");
	assert_int_equal(c.host_defines.n, 2);
	assert_string_equal(c.host_defines.v[1], "HOST_X86_64");

	assert_int_equal(c.ntargets, 2);
	assert_string_equal(c.targets[0].prefix, "hw/i386/");
	assert_string_equal(c.targets[0].arch, "i386");
	assert_string_equal(c.targets[1].prefix, "hw/arm/");
	assert_string_equal(c.targets[1].arch, "arm");

	/* target-define / target-include lines accumulate per arch. */
	assert_int_equal(c.narchs, 2);
	const mc_conv_arch *i386 = mc_conv_arch_for(&c, "hw/i386/pc.c");
	assert_non_null(i386);
	assert_string_equal(i386->arch, "i386");
	assert_int_equal(i386->defines.n, 3);
	assert_string_equal(i386->defines.v[0], "TARGET_X86_64");
	assert_string_equal(i386->defines.v[1], "TARGET_I386");
	assert_string_equal(i386->defines.v[2], "TARGET_LONG_BITS=64");
	assert_int_equal(i386->includes.n, 1);
	assert_string_equal(i386->includes.v[0], "target/i386");
	const mc_conv_arch *arm = mc_conv_arch_for(&c, "hw/arm/virt.c");
	assert_non_null(arm);
	assert_string_equal(arm->arch, "arm");
	assert_int_equal(arm->defines.n, 1);
	assert_int_equal(arm->includes.n, 0);

	assert_int_equal(c.nkinds, 3);
	assert_string_equal(mc_conv_info_default_of(&c, "qdev_prop_uuid"), "auto");
	assert_string_equal(mc_conv_info_default_of(&c, "qdev_prop_StrOrNull"), ""); /* '' is empty */
	assert_null(mc_conv_info_default_of(&c, "qdev_prop_bool"));
	const mc_conv_kind *k = mc_conv_kind_of(&c, "qdev_prop_on_off_auto");
	assert_non_null(k);
	assert_int_equal(k->kind, MC_KIND_ENUM);
	assert_non_null(k->enum_type);
	assert_string_equal(k->enum_type, "OnOffAuto");
	k = mc_conv_kind_of(&c, "qdev_prop_bool");
	assert_non_null(k);
	assert_int_equal(k->kind, MC_KIND_BOOL);
	assert_null(k->enum_type);
	k = mc_conv_kind_of(&c, "qdev_prop_size");
	assert_non_null(k);
	assert_int_equal(k->kind, MC_KIND_SIZE);
	assert_null(mc_conv_kind_of(&c, "qdev_prop_uint8"));
	assert_null(mc_conv_kind_of(&c, NULL));

	assert_int_equal(c.nattach_calls, 1);
	assert_string_equal(c.attach_calls[0].name, "device_class_set_props");
	assert_int_equal(c.attach_calls[0].arg, 1);
	assert_int_equal(c.attach_fields.n, 1);
	assert_string_equal(c.attach_fields.v[0], "props");
	assert_int_equal(c.nalias_calls, 1);
	assert_string_equal(c.alias_calls[0].name, "virtio_instance_init_common");
	assert_int_equal(c.alias_calls[0].arg, 3);
	assert_int_equal(c.nalias_inits, 1);
	assert_string_equal(c.alias_inits[0].name, "object_initialize_child");
	assert_int_equal(c.alias_inits[0].arg, 3);
	assert_int_equal(c.alias_markers.n, 1);
	assert_string_equal(c.alias_markers.v[0], "qdev_alias_all_properties");

	assert_int_equal(c.ncompat_arrays, 2);
	assert_string_equal(c.compat_arrays[0].name, "hw_compat_");
	assert_string_equal(c.compat_arrays[0].family, "hw");
	assert_string_equal(c.compat_arrays[1].name, "pc_compat_");
	assert_string_equal(c.compat_arrays[1].family, "pc");
	assert_int_equal(c.ncompat_macros, 1);
	assert_string_equal(c.compat_macros[0].family, "hw");
	assert_int_equal(c.ncompat_functions, 1);
	assert_string_equal(c.compat_functions[0].name, "pc_i440fx_");
	assert_string_equal(c.compat_functions[0].family, "pc");

	assert_string_equal(c.version_file, "VERSION.txt");
	assert_int_equal(c.max_file_size, 12345);

	mc_conv_free(&c);
	/* mc_conv_free leaves an empty conv that can be freed again. */
	assert_int_equal(c.skip.n, 0);
	assert_null(c.version_file);
	mc_conv_free(&c);
}

static void test_parse_defaults(void **state)
{
	(void)state;
	mc_conv c;
	parse_ok(&c, "");
	assert_int_equal(c.skip.n, 0);
	assert_int_equal(c.ntargets, 0);
	assert_int_equal(c.ncompat_arrays, 0);
	assert_non_null(c.version_file);
	assert_string_equal(c.version_file, "VERSION");
	assert_int_equal(c.max_file_size, 4000000);
	/* Nothing matches in empty conventions. */
	assert_int_equal(mc_conv_is_skipped(&c, "tests/x.c"), 0);
	assert_null(mc_conv_arch_for(&c, "hw/i386/pc.c"));
	expect_no_array(&c, "hw_compat_5_1");
	expect_no_macro(&c, "HW_COMPAT_2_3");
	expect_no_function(&c, "pc_i440fx_machine_5_1_options");
	mc_conv_free(&c);

	parse_ok(&c, "# only comments\n\n#skip tests/\n");
	assert_int_equal(c.skip.n, 0);
	mc_conv_free(&c);

	/* A later version-file replaces an earlier one (no leak under ASan). */
	parse_ok(&c, "version-file A\nversion-file B\n");
	assert_string_equal(c.version_file, "B");
	mc_conv_free(&c);
}

static void test_parse_errors(void **state)
{
	(void)state;
	/* Line numbers count comments, blank lines and CRLF lines. */
	parse_fails("skip tests/\n# comment\n\nfrobnicate x y\n", 4, "unknown directive");
	parse_fails("skip tests/\nfrobnicate x y\n", 2, "frobnicate");
	parse_fails("skip tests/\r\nskip a/\r\nbogus\r\n", 3, "bogus");
	parse_fails("frobnicate", 1, "unknown directive");

	/* Wrong number of arguments, for each fixed-arity directive. */
	parse_fails("skip\n", 1, "wrong number of arguments");
	parse_fails("skip a/ b/\n", 1, "wrong number of arguments");
	parse_fails("\ninclude-dir\n", 2, "wrong number of arguments");
	parse_fails("system-include a b\n", 1, "wrong number of arguments");
	parse_fails("host-define\n", 1, "wrong number of arguments");
	parse_fails("target hw/i386/\n", 1, "wrong number of arguments");
	parse_fails("target hw/i386/ i386 extra\n", 1, "wrong number of arguments");
	parse_fails("target-define i386\n", 1, "wrong number of arguments");
	parse_fails("target-include i386\n", 1, "wrong number of arguments");
	parse_fails("kind qdev_prop_bool\n", 1, "wrong number of arguments");
	parse_fails("kind a enum B C\n", 1, "wrong number of arguments");
	parse_fails("attach-call f\n", 1, "wrong number of arguments");
	parse_fails("alias-call f 1 2\n", 1, "wrong number of arguments");
	parse_fails("alias-init f\n", 1, "wrong number of arguments");
	parse_fails("alias-marker\n", 1, "wrong number of arguments");
	parse_fails("attach-field\n", 1, "wrong number of arguments");
	parse_fails("compat-array hw\n", 1, "wrong number of arguments");
	parse_fails("compat-macro hw\n", 1, "wrong number of arguments");
	parse_fails("compat-function pc\n", 1, "wrong number of arguments");
	parse_fails("version-file\n", 1, "wrong number of arguments");
	parse_fails("max-file-size\n", 1, "wrong number of arguments");

	/* Bad argument values. */
	parse_fails("skip a/\nkind qdev_prop_x floaty\n", 2, "unknown kind");
	parse_fails("attach-call device_class_set_props x\n", 1, "argument index");
	parse_fails("alias-call f -1\n", 1, "argument index");
	parse_fails("alias-init f 1x\n", 1, "argument index");
	parse_fails("max-file-size 0\n", 1, "max-file-size");
	parse_fails("max-file-size -5\n", 1, "max-file-size");
	parse_fails("max-file-size lots\n", 1, "max-file-size");

	/* More words than a line may hold. */
	mc_buf b = {0};
	mc_buf_puts(&b, "skip a/\ntarget-define i386");
	for (int i = 0; i < 40; i++)
		mc_buf_printf(&b, " D%d", i);
	mc_buf_puts(&b, "\n");
	parse_fails(b.ptr, 2, "too many words");
	mc_buf_free(&b);
}

static void test_load_file(void **state)
{
	(void)state;
	char path[] = "/tmp/mc-test-conv-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("skip tests/\ncompat-array hw hw_compat_\nnot-a-directive\n", f);
	fclose(f);

	mc_conv c;
	mc_error_clear();
	int rc = mc_conv_load_file(&c, path);
	assert_true(rc < 0);
	/* The error names the file and the line. */
	char *want = mc_sprintf("%s:3: ", path);
	if (strncmp(mc_error_last(), want, strlen(want)) != 0)
		fail_msg("error '%s' does not start with '%s'", mc_error_last(), want);
	free(want);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("skip tests/\ncompat-array hw hw_compat_\n", f);
	fclose(f);
	assert_int_equal(mc_conv_load_file(&c, path), 0);
	assert_int_equal(c.skip.n, 1);
	expect_array(&c, "hw_compat_7_2", "hw", 7, 2);
	mc_conv_free(&c);
	unlink(path);

	/* A missing file is an input error naming the path. */
	mc_error_clear();
	rc = mc_conv_load_file(&c, "/nonexistent/migcompat/rules.conv");
	assert_true(rc < 0);
	assert_non_null(strstr(mc_error_last(), "/nonexistent/migcompat/rules.conv"));
}

/* ---- the built-in conventions ----------------------------------------- */

static void test_builtin_loads(void **state)
{
	(void)state;
	const mc_conv *c = &builtin;
	assert_true(c->skip.n >= 10);
	assert_true(mc_strvec_contains(&c->skip, "tests/"));
	assert_true(mc_strvec_contains(&c->include_dirs, "include"));
	assert_true(c->ntargets > 0);
	assert_true(c->nkinds > 20);
	assert_true(c->ncompat_arrays >= 2);
	assert_true(c->ncompat_macros >= 1);
	assert_true(c->ncompat_functions >= 1);
	assert_non_null(c->version_file);
	assert_string_equal(c->version_file, "VERSION");
	assert_int_equal(c->max_file_size, 4000000);

	/* Kinds the fixture and QEMU rely on. */
	const mc_conv_kind *k = mc_conv_kind_of(c, "qdev_prop_bool");
	assert_non_null(k);
	assert_int_equal(k->kind, MC_KIND_BOOL);
	k = mc_conv_kind_of(c, "qdev_prop_bit64");
	assert_non_null(k);
	assert_int_equal(k->kind, MC_KIND_BOOL);
	k = mc_conv_kind_of(c, "qdev_prop_uint16");
	assert_non_null(k);
	assert_int_equal(k->kind, MC_KIND_UINT);
	k = mc_conv_kind_of(c, "qdev_prop_int32");
	assert_non_null(k);
	assert_int_equal(k->kind, MC_KIND_INT);
	k = mc_conv_kind_of(c, "qdev_prop_size");
	assert_non_null(k);
	assert_int_equal(k->kind, MC_KIND_SIZE);
	k = mc_conv_kind_of(c, "qdev_prop_string");
	assert_non_null(k);
	assert_int_equal(k->kind, MC_KIND_STRING);
	k = mc_conv_kind_of(c, "qdev_prop_on_off_auto");
	assert_non_null(k);
	assert_int_equal(k->kind, MC_KIND_ENUM);
	assert_non_null(k->enum_type);
	assert_string_equal(k->enum_type, "OnOffAuto");
	k = mc_conv_kind_of(c, "qdev_prop_link");
	assert_non_null(k);
	assert_int_equal(k->kind, MC_KIND_OTHER);
	assert_null(mc_conv_kind_of(c, "qdev_prop_no_such_thing"));

	/* How arrays are attached and proxies alias their device. */
	int found = 0;
	for (size_t i = 0; i < c->nattach_calls; i++)
		if (!strcmp(c->attach_calls[i].name, "device_class_set_props") && c->attach_calls[i].arg == 1)
			found = 1;
	assert_true(found);
	found = 0;
	for (size_t i = 0; i < c->nalias_calls; i++)
		if (!strcmp(c->alias_calls[i].name, "virtio_instance_init_common") && c->alias_calls[i].arg == 3)
			found = 1;
	assert_true(found);
}

/* The compiled-in text is rules/qemu.conv: same directives, same order. */
static void test_builtin_matches_source_file(void **state)
{
	(void)state;
	mc_conv file;
	if (mc_conv_load_file(&file, QEMU_CONV_PATH) != 0)
		fail_msg("%s: %s", QEMU_CONV_PATH, mc_error_last());
	const mc_conv *b = &builtin;
	assert_true(strvec_equal(&b->skip, &file.skip));
	assert_true(strvec_equal(&b->include_dirs, &file.include_dirs));
	assert_true(strvec_equal(&b->system_includes, &file.system_includes));
	assert_true(strvec_equal(&b->host_defines, &file.host_defines));
	assert_int_equal(b->ntargets, file.ntargets);
	for (size_t i = 0; i < b->ntargets; i++) {
		assert_string_equal(b->targets[i].prefix, file.targets[i].prefix);
		assert_string_equal(b->targets[i].arch, file.targets[i].arch);
	}
	assert_int_equal(b->narchs, file.narchs);
	for (size_t i = 0; i < b->narchs; i++) {
		assert_string_equal(b->archs[i].arch, file.archs[i].arch);
		assert_true(strvec_equal(&b->archs[i].defines, &file.archs[i].defines));
		assert_true(strvec_equal(&b->archs[i].includes, &file.archs[i].includes));
	}
	assert_int_equal(b->nkinds, file.nkinds);
	for (size_t i = 0; i < b->nkinds; i++) {
		assert_string_equal(b->kinds[i].info, file.kinds[i].info);
		assert_int_equal(b->kinds[i].kind, file.kinds[i].kind);
	}
	assert_true(pairs_equal(b->attach_calls, b->nattach_calls, file.attach_calls, file.nattach_calls));
	assert_true(pairs_equal(b->alias_calls, b->nalias_calls, file.alias_calls, file.nalias_calls));
	assert_true(pairs_equal(b->alias_inits, b->nalias_inits, file.alias_inits, file.nalias_inits));
	assert_true(pairs_equal(b->compat_arrays, b->ncompat_arrays, file.compat_arrays, file.ncompat_arrays));
	assert_true(pairs_equal(b->compat_macros, b->ncompat_macros, file.compat_macros, file.ncompat_macros));
	assert_true(pairs_equal(b->compat_functions, b->ncompat_functions, file.compat_functions,
				file.ncompat_functions));
	assert_true(strvec_equal(&b->attach_fields, &file.attach_fields));
	assert_true(strvec_equal(&b->alias_markers, &file.alias_markers));
	assert_string_equal(b->version_file, file.version_file);
	assert_int_equal(b->max_file_size, file.max_file_size);
	assert_string_equal(b->generic_family, file.generic_family);
	assert_string_equal(b->common_header, file.common_header);
	assert_string_equal(b->qapi_prelude, file.qapi_prelude);
	assert_int_equal(b->ngenerated, file.ngenerated);
	for (size_t i = 0; i < b->ngenerated; i++) {
		assert_string_equal(b->generated[i].pattern, file.generated[i].pattern);
		assert_int_equal(b->generated[i].kind, file.generated[i].kind);
	}
	assert_true(strvec_equal(&b->qapi_schemas, &file.qapi_schemas));
	assert_true(strvec_equal(&b->command_defines, &file.command_defines));
	assert_true(strvec_equal(&b->target_command_defines, &file.target_command_defines));
	assert_string_equal(b->record.record, file.record.record);
	assert_string_equal(b->digest, file.digest);
	mc_conv_free(&file);

	/* Parsing the same text through mc_conv_parse gives the same result too. */
	char *text = read_text_file(QEMU_CONV_PATH);
	mc_conv again;
	int rc = mc_conv_parse(&again, "qemu.conv", text);
	free(text);
	if (rc != 0)
		fail_msg("qemu.conv: %s", mc_error_last());
	assert_int_equal(again.nkinds, b->nkinds);
	assert_int_equal(again.skip.n, b->skip.n);
	mc_conv_free(&again);
}

/* ---- compat container names ------------------------------------------- */

static void test_match_compat_array(void **state)
{
	(void)state;
	const mc_conv *c = &builtin;
	expect_array(c, "hw_compat_5_1", "hw", 5, 1);
	expect_array(c, "hw_compat_10_0", "hw", 10, 0);
	expect_array(c, "hw_compat_10_1", "hw", 10, 1);
	expect_array(c, "hw_compat_2_12", "hw", 2, 12);
	expect_array(c, "pc_compat_9_2", "pc", 9, 2);
	expect_array(c, "pc_compat_10_0", "pc", 10, 0);
	expect_array(c, "spapr_compat_4_0", "spapr", 4, 0);

	/* Not versioned, or not exactly <prefix><X>_<Y>. */
	expect_no_array(c, "hw_compat_s390x");
	expect_no_array(c, "hw_compat_");
	expect_no_array(c, "hw_compat_5");
	expect_no_array(c, "hw_compat_5_");
	expect_no_array(c, "hw_compat_5_1_len");
	expect_no_array(c, "hw_compat_5_1x");
	expect_no_array(c, "hw_compat_x_1");
	expect_no_array(c, "hw_compat_-1_2");
	expect_no_array(c, "my_hw_compat_5_1");
	expect_no_array(c, "HW_COMPAT_2_3");      /* a macro, not an array */
	expect_no_array(c, "virtio_blk_properties");
	expect_no_array(c, "");
}

static void test_match_compat_macro(void **state)
{
	(void)state;
	const mc_conv *c = &builtin;
	expect_macro(c, "HW_COMPAT_2_3", "hw", 2, 3);
	expect_macro(c, "HW_COMPAT_2_12", "hw", 2, 12);
	expect_macro(c, "PC_COMPAT_2_0", "pc", 2, 0);
	expect_macro(c, "SPAPR_COMPAT_2_7", "spapr", 2, 7);
	expect_macro(c, "CCW_COMPAT_2_9", "ccw", 2, 9);

	expect_no_macro(c, "HW_COMPAT_2");
	expect_no_macro(c, "HW_COMPAT_2_3_EXTRA");
	expect_no_macro(c, "HW_COMPAT_S390X");
	expect_no_macro(c, "hw_compat_2_3");      /* an array, not a macro */
	expect_no_macro(c, "TYPE_VIRTIO_BLK");
}

static void test_match_compat_function(void **state)
{
	(void)state;
	const mc_conv *c = &builtin;
	/* Current naming: the version after "machine_". */
	expect_function(c, "pc_i440fx_machine_5_1_options", "pc", 5, 1);
	expect_function(c, "pc_i440fx_machine_10_0_options", "pc", 10, 0);
	expect_function(c, "pc_q35_machine_9_2_options", "pc", 9, 2);
	/* QEMU 2.x naming: the version right after the family prefix. */
	expect_function(c, "pc_i440fx_2_11_machine_options", "pc", 2, 11);
	expect_function(c, "pc_q35_2_4_machine_options", "pc", 2, 4);
	/* sPAPR and s390x class option functions. */
	expect_function(c, "spapr_machine_2_3_class_options", "spapr", 2, 3);
	expect_function(c, "spapr_machine_10_1_class_options", "spapr", 10, 1);
	expect_function(c, "ccw_machine_2_4_class_options", "ccw", 2, 4);
	expect_function(c, "virt_machine_6_2_options", "virt", 6, 2);

	/* Not versioned. */
	expect_no_function(c, "pc_i440fx_machine_options");
	expect_no_function(c, "pc_i440fx_init");
	expect_no_function(c, "spapr_machine_latest_class_options");
	expect_no_function(c, "pc_i440fx_machine_5_options");
	expect_no_function(c, "pc_i440fx_machine_5_1x_options");
	expect_no_function(c, "machine_class_init");
	expect_no_function(c, "");
}

/* The same names under conventions of one's own: families come from the text. */
static void test_match_custom_families(void **state)
{
	(void)state;
	mc_conv c;
	parse_ok(&c, "compat-array gen gen_compat_\n"
		     "compat-macro gen GEN_COMPAT_\n"
		     "compat-function board board_\n");
	expect_array(&c, "gen_compat_3_1", "gen", 3, 1);
	expect_no_array(&c, "hw_compat_3_1");
	expect_macro(&c, "GEN_COMPAT_1_7", "gen", 1, 7);
	expect_function(&c, "board_machine_4_2_options", "board", 4, 2);
	expect_function(&c, "board_4_2_machine_options", "board", 4, 2);
	expect_no_function(&c, "pc_i440fx_machine_5_1_options");
	mc_conv_free(&c);
}

/* ---- directives that replaced QEMU names in C ------------------------- */

static void test_parse_knowledge_directives(void **state)
{
	(void)state;
	mc_conv c;
	parse_ok(&c, "generic-family gen\n"
		     "common-header base/all.h\n"
		     "generated-header host-config host-config.h\n"
		     "generated-header target-config tgt-*.h\n"
		     "generated-header qapi schema-types*\n"
		     "qapi-schema schema/*.json\n"
		     "qapi-schema top.json\n"
		     "qapi-prelude schema/util.h\n"
		     "command-define CONFIG_A=\"a.h\" CONFIG_B\n"
		     "target-command-define PER_TARGET\n"
		     "multi-type-record BusTypeInfo my-bus base_name plain:plain_class_init legacy\n");
	assert_string_equal(mc_conv_generic_family(&c), "gen");
	assert_string_equal(c.common_header, "base/all.h");
	assert_string_equal(c.qapi_prelude, "schema/util.h");
	assert_int_equal(c.ngenerated, 3);
	assert_int_equal(mc_conv_generated_kind(&c, "host-config.h"), MC_STUB_HOST_CONFIG);
	assert_int_equal(mc_conv_generated_kind(&c, "sub/dir/host-config.h"), MC_STUB_HOST_CONFIG);
	assert_int_equal(mc_conv_generated_kind(&c, "tgt-arm.h"), MC_STUB_TARGET_CONFIG);
	assert_int_equal(mc_conv_generated_kind(&c, "tgt-arm.c"), MC_STUB_PLAIN);
	assert_int_equal(mc_conv_generated_kind(&c, "schema/schema-types-block.h"), MC_STUB_QAPI);
	assert_int_equal(mc_conv_generated_kind(&c, "trace-hw.h"), MC_STUB_PLAIN);
	assert_int_equal(mc_conv_generated_kind(&c, "config-host.h"), MC_STUB_PLAIN);
	assert_true(mc_conv_is_qapi_schema(&c, "schema/block.json"));
	assert_true(mc_conv_is_qapi_schema(&c, "top.json"));
	assert_false(mc_conv_is_qapi_schema(&c, "schema/sub/block.json")); /* '*' does not cross '/' */
	assert_false(mc_conv_is_qapi_schema(&c, "schema/block.jsonx"));
	assert_false(mc_conv_is_qapi_schema(&c, "x/top.json"));
	assert_int_equal(c.command_defines.n, 2);
	assert_string_equal(c.command_defines.v[0], "CONFIG_A=\"a.h\"");
	assert_string_equal(c.target_command_defines.v[0], "PER_TARGET");
	assert_string_equal(c.record.record, "BusTypeInfo");
	assert_string_equal(c.record.parent, "my-bus");
	assert_string_equal(c.record.base_field, "base_name");
	assert_string_equal(c.record.name_fields[0], "plain");
	assert_string_equal(c.record.class_inits[0], "plain_class_init");
	assert_string_equal(c.record.name_fields[1], "legacy");
	assert_null(c.record.class_inits[1]);
	assert_null(c.record.name_fields[2]);
	mc_conv_free(&c);

	/* None of it has a default: the C knows no QEMU name. */
	parse_ok(&c, "");
	assert_null(mc_conv_generic_family(&c));
	assert_null(c.common_header);
	assert_null(c.qapi_prelude);
	assert_null(c.record.record);
	assert_int_equal(mc_conv_generated_kind(&c, "config-host.h"), MC_STUB_PLAIN);
	assert_int_equal(mc_conv_generated_kind(&c, "qapi-types-block.h"), MC_STUB_PLAIN);
	assert_false(mc_conv_is_qapi_schema(&c, "qapi/block.json"));
	assert_int_equal(c.command_defines.n, 0);
	mc_conv_free(&c);

	/* A later single value replaces an earlier one (no leak under ASan). */
	parse_ok(&c, "generic-family a\ngeneric-family b\ncommon-header x.h\ncommon-header y.h\n");
	assert_string_equal(mc_conv_generic_family(&c), "b");
	assert_string_equal(c.common_header, "y.h");
	mc_conv_free(&c);
}

static void test_parse_knowledge_errors(void **state)
{
	(void)state;
	parse_fails("generic-family\n", 1, "wrong number of arguments: generic-family");
	parse_fails("skip a/\ngeneric-family hw pc\n", 2, "wrong number of arguments");
	parse_fails("common-header\n", 1, "wrong number of arguments: common-header");
	parse_fails("common-header a.h b.h\n", 1, "wrong number of arguments");
	parse_fails("generated-header qapi\n", 1, "wrong number of arguments");
	parse_fails("generated-header trace trace-*.h\n", 1, "unknown generated-header kind");
	parse_fails("generated-header qapi qapi/qapi-types*\n", 1, "without '/'");
	parse_fails("qapi-schema\n", 1, "wrong number of arguments: qapi-schema");
	parse_fails("qapi-prelude a.h b.h\n", 1, "wrong number of arguments");
	parse_fails("command-define\n", 1, "wrong number of arguments: command-define");
	parse_fails("target-command-define\n", 1, "wrong number of arguments");
	parse_fails("multi-type-record R parent base\n", 1, "wrong number of arguments: multi-type-record");
	parse_fails("multi-type-record R parent base a b c d\n", 1, "wrong number of arguments");
	parse_fails("multi-type-record R-x parent base a\n", 1, "C identifiers");
	parse_fails("multi-type-record R parent base a:\n", 1, "FIELD:CLASS-INIT");
	parse_fails("multi-type-record R parent base a:b-c\n", 1, "FIELD:CLASS-INIT");
	parse_fails("multi-type-record R p b n\nmulti-type-record S p b n\n", 2, "only one multi-type-record");
}

static void test_builtin_knowledge(void **state)
{
	(void)state;
	const mc_conv *c = &builtin;
	assert_string_equal(mc_conv_generic_family(c), "hw");
	assert_string_equal(c->common_header, "qemu/osdep.h");
	assert_string_equal(c->qapi_prelude, "qapi/util.h");
	assert_int_equal(mc_conv_generated_kind(c, "config-host.h"), MC_STUB_HOST_CONFIG);
	assert_int_equal(mc_conv_generated_kind(c, "config-target.h"), MC_STUB_TARGET_CONFIG);
	assert_int_equal(mc_conv_generated_kind(c, "qapi/qapi-types-block-core.h"), MC_STUB_QAPI);
	assert_int_equal(mc_conv_generated_kind(c, "qapi-visit-core.h"), MC_STUB_QAPI);
	assert_int_equal(mc_conv_generated_kind(c, "qmp-commands.h"), MC_STUB_QAPI);
	assert_int_equal(mc_conv_generated_kind(c, "trace/trace-hw_block.h"), MC_STUB_PLAIN);
	assert_int_equal(mc_conv_generated_kind(c, "libusb.h"), MC_STUB_PLAIN);
	assert_true(mc_conv_is_qapi_schema(c, "qapi-schema.json"));
	assert_true(mc_conv_is_qapi_schema(c, "qapi/block-core.json"));
	assert_false(mc_conv_is_qapi_schema(c, "qapi/deep/x.json"));
	assert_false(mc_conv_is_qapi_schema(c, "tests/qapi-schema/x.json"));
	assert_string_equal(c->record.record, "VirtioPCIDeviceTypeInfo");
	assert_string_equal(c->record.parent, "virtio-pci");
	assert_string_equal(c->record.base_field, "base_name");
	assert_string_equal(c->record.name_fields[0], "generic_name");
	assert_string_equal(c->record.class_inits[0], "virtio_pci_generic_class_init");
	assert_string_equal(c->record.name_fields[1], "transitional_name");
	assert_string_equal(c->record.name_fields[2], "non_transitional_name");
	assert_true(mc_strvec_contains(&c->command_defines, "CONFIG_TARGET=\"mc-config-target.h\""));
	assert_true(mc_strvec_contains(&c->target_command_defines, "NEED_CPU_H"));
	/* CPU models: x86 with versions, Arm; the x86 features. */
	size_t i = 0;
	assert_string_equal(mc_conv_table_type_of(c, "X86CPUDefinition", &i)->format, "%s-x86_64-cpu");
	assert_int_equal(mc_conv_table_versions_of(c, "X86CPUDefinition")->default_version, 1);
	i = 0;
	assert_string_equal(mc_conv_table_type_of(c, "ARMCPUInfo", &i)->parent, "arm-cpu");
	i = 0;
	assert_string_equal(mc_conv_table_prop_of(c, "FeatureWordInfo", &i)->type, "x86_64-cpu");
}

/* ---- models from hand-made facts under two conventions ----------------- */

/* A type "name" whose class_init attaches an array with one bool property (default on). */
static void facts_type(mc_facts *f, const char *name, const char *class_init, const char *prop)
{
	if (name) {
		mc_typeinfo *t = MC_VEC_PUSH(f->types, f->ntypes, f->cap_types);
		memset(t, 0, sizeof(*t));
		t->name = mc_strdup(name);
		t->class_init = mc_strdup(class_init);
		t->line = 1;
	}
	mc_prop_array *a = MC_VEC_PUSH(f->arrays, f->narrays, f->cap_arrays);
	memset(a, 0, sizeof(*a));
	a->name = mc_sprintf("%s_props", class_init);
	a->complete = 1;
	mc_prop *p = MC_VEC_PUSH(a->props, a->nprops, a->cap);
	memset(p, 0, sizeof(*p));
	p->name = mc_strdup(prop);
	p->info = mc_strdup("qdev_prop_bool");
	p->kind = MC_KIND_BOOL;
	p->has_default = 1;
	p->defval = mc_value_bool(1);
	mc_attach *at = MC_VEC_PUSH(f->attaches, f->nattaches, f->cap_attaches);
	memset(at, 0, sizeof(*at));
	at->function = mc_strdup(class_init);
	at->array = mc_strdup(a->name);
}

static void facts_compat(mc_facts *f, const char *array, const char *driver, const char *prop, const char *value)
{
	mc_compat_array *a = MC_VEC_PUSH(f->compat, f->ncompat, f->cap_compat);
	memset(a, 0, sizeof(*a));
	a->name = mc_strdup(array);
	a->line = 1;
	mc_compat_entry *e = MC_VEC_PUSH(a->entries, a->nentries, a->cap);
	memset(e, 0, sizeof(*e));
	e->driver = mc_strdup(driver);
	e->property = mc_strdup(prop);
	e->value = mc_strdup(value);
	e->file = mc_strdup(f->path);
	e->line = 1;
}

/* The entry that sets dev.x for a machine of family at 1.0, or NULL for the class default. */
static const mc_compat_entry *effective_entry(const mc_model *m, const char *family)
{
	mc_subject s = { mc_model_type(m, "dev"), NULL };
	assert_non_null(s.type);
	mc_effective e;
	assert_int_equal(mc_effective_get(m, &s, "x", family, 1, 0, &e), 0);
	return e.entry;
}

static void test_generic_family_is_data(void **state)
{
	(void)state;
	mc_facts *f = mc_calloc(1, sizeof(*f));
	f->path = mc_strdup("hw/core/machine.c");
	f->parsed = 1;
	facts_type(f, "dev", "dev_class_init", "x");
	facts_compat(f, "zz_compat_1_0", "dev", "x", "off");
	facts_compat(f, "pc_compat_1_0", "dev", "y", "on");
	const char *families = "compat-array zz zz_compat_\ncompat-array pc pc_compat_\n";

	/* zz generic: its entry reaches pc machines, and its set comes first at 1.0. */
	mc_conv c;
	char *text = mc_sprintf("generic-family zz\n%s", families);
	parse_ok(&c, text);
	free(text);
	mc_model *m;
	assert_int_equal(mc_model_build(&m, &f, 1, &c, "1.1.0"), 0);
	assert_string_equal(m->generic_family, "zz");
	assert_true(mc_model_is_generic(m, "zz"));
	assert_false(mc_model_is_generic(m, "pc"));
	assert_int_equal(m->nsets, 2);
	assert_string_equal(m->sets[0].family, "zz");
	assert_true(m->sets[0].generic);
	const mc_compat_entry *e = effective_entry(m, "pc");
	assert_non_null(e);
	assert_string_equal(e->value, "off");
	assert_non_null(effective_entry(m, "zz"));
	mc_model_free(m);
	mc_conv_free(&c);

	/* The same facts with QEMU's generic family: zz is one family among others. */
	text = mc_sprintf("generic-family hw\n%s", families);
	parse_ok(&c, text);
	free(text);
	assert_int_equal(mc_model_build(&m, &f, 1, &c, "1.1.0"), 0);
	assert_string_equal(m->generic_family, "hw");
	assert_string_equal(m->sets[0].family, "pc");
	assert_false(m->sets[1].generic);
	assert_null(effective_entry(m, "pc"));
	assert_non_null(effective_entry(m, "zz"));
	assert_null(mc_model_newest_set(m, m->generic_family));
	mc_model_free(m);
	mc_conv_free(&c);

	/* No generic family at all. */
	parse_ok(&c, families);
	assert_int_equal(mc_model_build(&m, &f, 1, &c, "1.1.0"), 0);
	assert_null(m->generic_family);
	assert_false(mc_model_is_generic(m, "zz"));
	assert_null(effective_entry(m, "pc"));
	mc_model_free(m);
	mc_conv_free(&c);
	mc_facts_free(f);
}

static void test_multi_type_record_is_data(void **state)
{
	(void)state;
	mc_facts *f = mc_calloc(1, sizeof(*f));
	f->path = mc_strdup("hw/my/dev.c");
	f->parsed = 1;
	facts_type(f, NULL, "rec_class_init", "x");
	facts_type(f, NULL, "plain_class_init", "disable-legacy");
	mc_virtio_pci_info *v = MC_VEC_PUSH(f->vpci, f->nvpci, f->cap_vpci);
	memset(v, 0, sizeof(*v));
	v->base_name = mc_strdup("rec-base");
	v->generic_name = mc_strdup("rec");
	v->transitional_name = mc_strdup("rec-legacy");
	v->class_init = mc_strdup("rec_class_init");
	v->line = 1;

	mc_conv c;
	parse_ok(&c, "multi-type-record BusTypeInfo my-bus base_name plain:plain_class_init legacy\n");
	mc_model *m;
	assert_int_equal(mc_model_build(&m, &f, 1, &c, NULL), 0);
	const mc_type *base = mc_model_type(m, "rec-base"), *gen = mc_model_type(m, "rec"),
		      *legacy = mc_model_type(m, "rec-legacy");
	assert_non_null(base);
	assert_non_null(gen);
	assert_non_null(legacy);
	assert_true(base->abstract);
	assert_string_equal(base->parent_name, "my-bus");
	assert_string_equal(gen->parent_name, "rec-base");
	assert_string_equal(legacy->parent_name, "rec-base");
	/* The record's class_init on the base, the conventions' one on the first generated type only. */
	assert_non_null(mc_type_prop_find(gen, "x", NULL));
	assert_non_null(mc_type_prop_find(gen, "disable-legacy", NULL));
	assert_non_null(mc_type_prop_find(legacy, "x", NULL));
	assert_null(mc_type_prop_find(legacy, "disable-legacy", NULL));
	mc_model_free(m);
	mc_conv_free(&c);

	/* Other conventions: no default parent, no class_init of the generic type's own. */
	parse_ok(&c, "multi-type-record OtherInfo other-bus base_name plain legacy\n");
	assert_int_equal(mc_model_build(&m, &f, 1, &c, NULL), 0);
	assert_string_equal(mc_model_type(m, "rec-base")->parent_name, "other-bus");
	assert_null(mc_type_prop_find(mc_model_type(m, "rec"), "disable-legacy", NULL));
	assert_non_null(mc_type_prop_find(mc_model_type(m, "rec"), "x", NULL));
	mc_model_free(m);
	mc_conv_free(&c);
	mc_facts_free(f);
}

/* ---- types and properties registered from tables ----------------------- */

static void test_table_directives(void **state)
{
	(void)state;
	mc_conv c;
	parse_ok(&c, "table-type CpuDef name %s-my-cpu my-cpu\n"
		     "table-type CpuDef name base-%s-my-cpu my-cpu\n"
		     "table-type-versions CpuDef versions version alias %s-v%d 1\n"
		     "table-type OtherInfo id %s-100%%-cpu other-cpu\n"
		     "table-type-versions OtherInfo revs rev - %s-r%d 0\n"
		     "table-property FeatureInfo names my-cpu bool\n");
	size_t i = 0;
	const mc_conv_table_type *t = mc_conv_table_type_of(&c, "CpuDef", &i);
	assert_non_null(t);
	assert_string_equal(t->name_field, "name");
	assert_string_equal(t->parent, "my-cpu");
	i++;
	assert_string_equal(mc_conv_table_type_of(&c, "CpuDef", &i)->format, "base-%s-my-cpu");
	i++;
	assert_null(mc_conv_table_type_of(&c, "CpuDef", &i)); /* lines of another struct are skipped */
	const mc_conv_table_versions *v = mc_conv_table_versions_of(&c, "CpuDef");
	assert_string_equal(v->list_field, "versions");
	assert_string_equal(v->alias_field, "alias");
	assert_int_equal(v->default_version, 1);
	assert_null(mc_conv_table_versions_of(&c, "OtherInfo")->alias_field);
	assert_null(mc_conv_table_versions_of(&c, "FeatureInfo"));
	i = 0;
	const mc_conv_table_prop *p = mc_conv_table_prop_of(&c, "FeatureInfo", &i);
	assert_string_equal(p->field, "names");
	assert_string_equal(p->type, "my-cpu");
	assert_int_equal(p->kind, MC_KIND_BOOL);
	assert_true(mc_conv_names_table(&c, "static const CpuDef defs[] = {"));
	assert_true(mc_conv_names_table(&c, "FeatureInfo words[4];"));
	assert_false(mc_conv_names_table(&c, "static const Property props[] = {"));
	mc_conv_free(&c);

	/* Formats are filled in by the conventions, never by printf. */
	char *name = mc_conv_format_name("%s-x86_64-cpu", "EPYC", 0);
	assert_string_equal(name, "EPYC-x86_64-cpu");
	free(name);
	name = mc_conv_format_name("%s-v%d", "EPYC", 4);
	assert_string_equal(name, "EPYC-v4");
	free(name);
	name = mc_conv_format_name("%s-100%%", "a%n%s", 0);
	assert_string_equal(name, "a%n%s-100%");
	free(name);

	parse_ok(&c, "");
	i = 0;
	assert_null(mc_conv_table_type_of(&c, "X86CPUDefinition", &i));
	assert_false(mc_conv_names_table(&c, "X86CPUDefinition"));
	mc_conv_free(&c);
}

static void test_table_directive_errors(void **state)
{
	(void)state;
	parse_fails("table-type CpuDef name %s-cpu\n", 1, "wrong number of arguments: table-type");
	parse_fails("table-type Cpu-Def name %s-cpu cpu\n", 1, "C identifiers");
	parse_fails("table-type CpuDef name cpu cpu\n", 1, "\"%s\" once");
	parse_fails("table-type CpuDef name %s-%s cpu\n", 1, "\"%s\" once");
	parse_fails("table-type CpuDef name %s-%n cpu\n", 1, "\"%s\" once");
	parse_fails("table-type CpuDef name %s-cpu%\n", 1, "wrong number of arguments");
	parse_fails("table-type CpuDef name %s-cpu% cpu\n", 1, "\"%s\" once");
	parse_fails("table-type-versions CpuDef versions version alias %s-v%d\n", 1, "wrong number of arguments");
	parse_fails("table-type-versions CpuDef versions version alias %d-v%s 1\n", 1, "\"%s\" then \"%d\"");
	parse_fails("table-type-versions CpuDef versions version alias %s-v 1\n", 1, "\"%s\" then \"%d\"");
	parse_fails("table-type-versions CpuDef versions version al-ias %s-v%d 1\n", 1, "C identifiers");
	parse_fails("table-type-versions CpuDef versions version alias %s-v%d x\n", 1, "default version");
	parse_fails("table-type-versions A l v - %s-v%d 1\ntable-type-versions A l v - %s-v%d 2\n", 2,
		    "one table-type-versions line per struct");
	parse_fails("table-property FeatureInfo names my-cpu\n", 1, "wrong number of arguments: table-property");
	parse_fails("table-property FeatureInfo names my-cpu flag\n", 1, "unknown kind");
	parse_fails("table-property Feature.Info names my-cpu bool\n", 1, "C identifiers");
}

/*
 * A table-property array is given to its type, whatever class_init
 * attaches; its defaults are listed as not analysed with their count, and
 * the records a table line could not read are listed too.
 */
static void test_table_property_is_data(void **state)
{
	(void)state;
	mc_facts *f = mc_calloc(1, sizeof(*f));
	f->path = mc_strdup("target/my/cpu.c");
	f->parsed = 1;
	facts_type(f, "my-cpu", "my_cpu_class_init", "pmu");
	mc_prop_array *a = MC_VEC_PUSH(f->arrays, f->narrays, f->cap_arrays);
	memset(a, 0, sizeof(*a));
	a->name = mc_strdup("words[].names");
	a->owner = mc_strdup("my-cpu");
	a->complete = 1;
	a->line = 7;
	const char *names[] = { "fpu", "pmu" };
	for (size_t k = 0; k < 2; k++) {
		mc_prop *p = MC_VEC_PUSH(a->props, a->nprops, a->cap);
		memset(p, 0, sizeof(*p));
		p->name = mc_strdup(names[k]);
		p->kind = MC_KIND_BOOL;
		p->has_default = 1;
		p->defval = mc_value_symbolic(MC_FACTS_SET_BY_CODE);
	}
	mc_strvec_push(&f->unresolved, "12: defs: a record's name is not a constant string");

	mc_conv c;
	parse_ok(&c, "");
	mc_model *m;
	assert_int_equal(mc_model_build(&m, &f, 1, &c, NULL), 0);
	const mc_type *cpu = mc_model_type(m, "my-cpu");
	const mc_type_prop *fpu = mc_type_prop_find(cpu, "fpu", NULL), *pmu = mc_type_prop_find(cpu, "pmu", NULL);
	assert_non_null(fpu);
	assert_string_equal(fpu->array, "words[].names");
	assert_int_equal(fpu->prop->defval.type, MC_VAL_SYMBOLIC);
	assert_string_not_equal(pmu->array, "words[].names"); /* the class_init's DEFINE_PROP comes first */
	assert_int_equal(m->property_arrays_unresolved, 0);
	assert_true(mc_strvec_contains(&m->unanalysed, "target/my/cpu.c:7: words[].names: 2 properties of my-cpu "
							"whose default each concrete type sets by code: their names are "
							"checked, their values not analysed"));
	assert_true(mc_strvec_contains(&m->unanalysed,
				       "target/my/cpu.c:12: defs: a record's name is not a constant string"));
	mc_model_free(m);

	/* A type no file registers: the names go nowhere, and coverage says so. */
	free(a->owner);
	a->owner = mc_strdup("other-cpu");
	assert_int_equal(mc_model_build(&m, &f, 1, &c, NULL), 0);
	assert_null(mc_type_prop_find(mc_model_type(m, "my-cpu"), "fpu", NULL));
	assert_int_equal(m->property_arrays_unresolved, 1);
	assert_true(mc_strvec_contains(&m->unanalysed, "target/my/cpu.c:7: words[].names: 2 properties of "
							"other-cpu, which no parsed file registers"));
	mc_model_free(m);
	mc_conv_free(&c);
	mc_facts_free(f);
}

/* ---- per-path queries ------------------------------------------------- */

static void test_arch_for(void **state)
{
	(void)state;
	const mc_conv *c = &builtin;
	expect_arch(c, "hw/i386/pc_piix.c", "i386");
	expect_arch(c, "hw/i386/pc.c", "i386");
	expect_arch(c, "target/i386/cpu.c", "i386");
	expect_arch(c, "hw/isa/lpc_ich9.c", "i386");
	expect_arch(c, "hw/s390x/virtio-ccw.c", "s390x");
	expect_arch(c, "hw/s390x/virtio-ccw-blk.c", "s390x");
	expect_arch(c, "hw/ppc/spapr.c", "ppc");
	expect_arch(c, "hw/arm/virt.c", "arm");
	expect_arch(c, "hw/intc/arm_gic.c", "arm");
	expect_arch(c, "hw/sparc64/sun4u.c", "sparc");
	/* Target-independent files. */
	expect_arch(c, "hw/core/machine.c", NULL);
	expect_arch(c, "hw/block/virtio-blk.c", NULL);
	expect_arch(c, "hw/virtio/virtio-pci.c", NULL);
	expect_arch(c, "hw/isa/isa-bus.c", NULL);
	expect_arch(c, "hw/i386", NULL);          /* the prefix is "hw/i386/" */
	expect_arch(c, "hw/i386x/foo.c", NULL);
	expect_arch(c, "", NULL);

	/* What an arch brings: its defines and include directories. */
	const mc_conv_arch *a = mc_conv_arch_for(c, "hw/i386/pc.c");
	assert_non_null(a);
	assert_true(mc_strvec_contains(&a->defines, "TARGET_X86_64"));
	assert_true(mc_strvec_contains(&a->includes, "target/i386"));
	a = mc_conv_arch_for(c, "hw/s390x/virtio-ccw.c");
	assert_non_null(a);
	assert_true(mc_strvec_contains(&a->defines, "TARGET_S390X"));
	assert_false(mc_strvec_contains(&a->defines, "TARGET_X86_64"));
}

static void test_is_skipped(void **state)
{
	(void)state;
	const mc_conv *c = &builtin;
	assert_int_equal(mc_conv_is_skipped(c, "tests/qtest/virtio-blk-test.c"), 1);
	assert_int_equal(mc_conv_is_skipped(c, "tests/unit/test-x.c"), 1);
	assert_int_equal(mc_conv_is_skipped(c, "roms/seabios/src/x.c"), 1);
	assert_int_equal(mc_conv_is_skipped(c, "scripts/coccinelle/x.c"), 1);
	assert_int_equal(mc_conv_is_skipped(c, "linux-user/main.c"), 1);
	assert_int_equal(mc_conv_is_skipped(c, "hw/block/virtio-blk.c"), 0);
	assert_int_equal(mc_conv_is_skipped(c, "hw/core/machine.c"), 0);
	assert_int_equal(mc_conv_is_skipped(c, "hw/i386/pc_piix.c"), 0);
	assert_int_equal(mc_conv_is_skipped(c, "target/i386/cpu.c"), 0);
	/* Prefixes are directories, not name prefixes, and only at the root. */
	assert_int_equal(mc_conv_is_skipped(c, "testsuite/a.c"), 0);
	assert_int_equal(mc_conv_is_skipped(c, "hw/tests/a.c"), 0);
	assert_int_equal(mc_conv_is_skipped(c, "hw/misc/tests.c"), 0);
	assert_int_equal(mc_conv_is_skipped(c, "romsfoo/a.c"), 0);
}

/* Stub headers: the lines of one header joined in order, #defines included; other names have none. */
static void test_stub_headers(void **state)
{
	(void)state;
	mc_conv c;
	parse_ok(&c, "stub-header a.h struct A { int x; };\n"
		     "stub-header b/c.h int y;\n"
		     "stub-define a.h A_CALL\n"
		     "stub-define a.h A_MAX 4\n");
	char *a = mc_conv_stub_header(&c, "a.h"), *bc = mc_conv_stub_header(&c, "b/c.h");
	assert_string_equal(a, "struct A { int x; };\n#define A_CALL\n#define A_MAX 4\n");
	assert_string_equal(bc, "int y;\n");
	assert_null(mc_conv_stub_header(&c, "a"));
	assert_null(mc_conv_stub_header(&c, "c.h"));
	free(a);
	free(bc);
	mc_conv_free(&c);
	parse_fails("stub-header a.h\n", 1, "wrong number of arguments");
	parse_fails("stub-define a.h\n", 1, "wrong number of arguments");

	/* The built-in conventions keep QEMU's structs with optional-library members valid. */
	char *usb = mc_conv_stub_header(&builtin, "libusb.h");
	assert_non_null(usb);
	assert_non_null(strstr(usb, "struct libusb_device_descriptor {"));
	assert_non_null(strstr(usb, "#define LIBUSB_CALL"));
	free(usb);
}

/* Rule-only directives change findings, never facts: they stay out of the cache key. */
static void test_host_property_outside_the_facts_key(void **state)
{
	(void)state;
	mc_conv plain, tuned, other;
	assert_int_equal(mc_conv_parse(&plain, "a", "skip tests/\ngeneric-family hw\n"), 0);
	assert_int_equal(mc_conv_parse(&tuned, "b", "skip tests/\nhost-property ioeventfd\nhost-property iothread*\n"
						   "machine-only pc target/i386/\nmachine-only - hw/riscv/\nstream-property *migrat*\n"
						   "generic-family hw\n"), 0);
	assert_int_equal(mc_conv_parse(&other, "c", "skip tests/\ngeneric-family pc\n"), 0);
	assert_string_equal(plain.digest, tuned.digest);
	assert_string_not_equal(plain.digest, other.digest);
	assert_true(mc_conv_is_host_property(&tuned, "ioeventfd"));
	assert_true(mc_conv_is_host_property(&tuned, "iothread-vq-mapping"));
	assert_false(mc_conv_is_host_property(&tuned, "vectors"));
	assert_false(mc_conv_is_host_property(&plain, "ioeventfd"));
	assert_false(mc_conv_is_stream_property(&plain, "x-migration-mode"));
	assert_true(mc_conv_is_stream_property(&tuned, "x-migration-mode"));
	assert_false(mc_conv_is_stream_property(&tuned, "vectors"));
	const char *family = "?";
	assert_true(mc_conv_machine_only(&tuned, "target/i386/cpu.c", &family));
	assert_string_equal(family, "pc");
	assert_true(mc_conv_machine_only(&tuned, "hw/riscv/riscv-iommu.c", &family));
	assert_null(family);
	assert_false(mc_conv_machine_only(&tuned, "hw/net/e1000.c", &family));
	mc_conv_free(&plain);
	mc_conv_free(&tuned);
	mc_conv_free(&other);
}

int main(void)
{
	const struct CMUnitTest parse_tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_host_property_outside_the_facts_key),
		cmocka_unit_test(test_parse_defaults),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_match_custom_families),
		cmocka_unit_test(test_parse_knowledge_directives),
		cmocka_unit_test(test_parse_knowledge_errors),
		cmocka_unit_test(test_generic_family_is_data),
		cmocka_unit_test(test_multi_type_record_is_data),
		cmocka_unit_test(test_table_directives),
		cmocka_unit_test(test_table_directive_errors),
		cmocka_unit_test(test_table_property_is_data),
	};
	const struct CMUnitTest builtin_tests[] = {
		cmocka_unit_test(test_builtin_loads),
		cmocka_unit_test(test_builtin_matches_source_file),
		cmocka_unit_test(test_match_compat_array),
		cmocka_unit_test(test_match_compat_macro),
		cmocka_unit_test(test_match_compat_function),
		cmocka_unit_test(test_arch_for),
		cmocka_unit_test(test_is_skipped),
		cmocka_unit_test(test_stub_headers),
		cmocka_unit_test(test_builtin_knowledge),
	};
	int failed = 0;
	failed += cmocka_run_group_tests_name("conv_parse", parse_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("conv_builtin", builtin_tests, builtin_setup, builtin_teardown);
	return failed ? 1 : 0;
}
