/*
 * test_rust.c - QEMU's Rust devices: their sources read as text
 * (frontend/rust.h), the two builds of a revision (model.h: without and with
 * Rust devices), and one finding per cause across them (findings.h).
 *
 * The crates here are written as QEMU 10.2 to 11.0 write theirs (a derive
 * with #[property] attributes) and as 10.0 and 10.1 did (declare_properties!
 * and define_property!), with comments, raw strings and doc text that name
 * properties which are none.  Models are built by hand (model_builder.h);
 * the whole check on a repository is tests/test_rust_check.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "frontend/rust.h"
#include "model_builder.h"
#include "rules/rules.h"

static mc_conv conv;

static int setup(void **state)
{
	(void)state;
	return mc_conv_load_builtin(&conv);
}

static int teardown(void **state)
{
	(void)state;
	mc_conv_free(&conv);
	return 0;
}

/* ---- reading a crate -------------------------------------------------------- */

#define CRATE "rust/hw/misc/foo/src/"

static const char lib_rs[] =
	"//! The foo device, in Rust.\n"
	"pub const TYPE_FOO_DEV: &::std::ffi::CStr = c\"foo-dev\";\n"
	"pub const FOO_LEVEL: u8 = 2;\n"
	"const MIB: u64 = 1 << 20;\n"
	"pub const BUFFER: u64 = 16 * MIB;\n"
	"mod device;\n";

static const char device_rs[] =
	"use crate::{TYPE_FOO_DEV, FOO_LEVEL};\n"
	"/* A nested /* comment */ with #[property(rename = \"fake\", default = 1)] in it. */\n"
	"const NOTE: &str = r#\"#[property(rename = \"raw\")]\"#;\n"
	"const FLAG_SHIFT: usize = 3;\n"
	"\n"
	"#[repr(C)]\n"
	"#[derive(qom::Object, hwcore::Device)]\n"
	"/// The device; its doc names #[property(rename = \"doc\")].\n"
	"pub struct FooDevState {\n"                                          /* line 9 */
	"    parent_obj: ParentField<DeviceState>,\n"
	"    #[property(rename = \"level\", default = FOO_LEVEL)]\n"         /* line 11 */
	"    level: u8,\n"
	"    #[doc(alias = \"legacy\")]\n"
	"    #[property(rename = \"x-legacy-mode\", default = false)]\n"
	"    pub legacy_mode: bool,\n"
	"    #[property(rename = c\"buffer-size\", default = crate::BUFFER)]\n"
	"    pub(crate) buffer_size: u64,\n"
	"    #[property(default = -8)]\n"
	"    offset: i32,\n"
	"    #[property(rename = \"flag\", bit = FLAG_SHIFT, default = true)]\n"
	"    flags: u32,\n"
	"    #[property(rename = \"chardev\")]\n"
	"    chr: CharFrontend,\n"
	"    #[property(rename = \"x-unvalued\", default = compute_default())]\n"
	"    unvalued: u32,\n"
	"    timers: [Timer; 4],\n"
	"    callback: fn(&Self) -> u32,\n"
	"    map: BTreeMap<u32, Vec<u8>>,\n"
	"}\n"
	"\n"
	"unsafe impl ObjectType for FooDevState {\n"
	"    type Class = <DeviceState as ObjectType>::Class;\n"
	"    const TYPE_NAME: &'static CStr = crate::TYPE_FOO_DEV;\n"
	"}\n"
	"\n"
	"impl ObjectImpl for FooDevState {\n"                                /* line 36 */
	"    type ParentType = DeviceState;\n"
	"    const CLASS_INIT: fn(&mut Self::Class) = Self::Class::class_init::<Self>;\n"
	"}\n"
	"\n"
	"#[repr(C)]\n"
	"#[derive(qom::Object, hwcore::Device)]\n"
	"pub struct FooSub {\n"
	"    parent_obj: ParentField<FooDevState>,\n"
	"}\n"
	"\n"
	"unsafe impl ObjectType for FooSub {\n"
	"    type Class = <FooDevState as ObjectType>::Class;\n"
	"    const TYPE_NAME: &'static CStr = c\"foo-sub\";\n"
	"}\n"
	"\n"
	"impl ObjectImpl for FooSub {\n"
	"    type ParentType = FooDevState;\n"
	"    const ABSTRACT: bool = true;\n"
	"}\n"
	"\n"
	"fn helper() -> impl Iterator<Item = u8> { std::iter::empty() }\n";

/* The facts of files[which] of a crate given as path, text pairs. */
static mc_facts *read_crate(const char *const *files, size_t n, size_t which)
{
	mc_rust_file *rf = mc_calloc(n, sizeof(*rf));
	for (size_t i = 0; i < n; i++)
		rf[i] = (mc_rust_file){ files[2 * i], files[2 * i + 1], strlen(files[2 * i + 1]), NULL };
	mc_facts *f;
	mc_rust_read(&f, &conv, rf, n, which);
	free(rf);
	return f;
}

static const mc_prop *prop_named(const mc_prop_array *a, const char *name)
{
	for (size_t i = 0; i < a->nprops; i++)
		if (strcmp(a->props[i].name, name) == 0)
			return &a->props[i];
	fail_msg("no property %s in %s", name, a->name);
	return NULL;
}

static void assert_uint(const mc_prop *p, int64_t v)
{
	assert_int_equal(p->kind, MC_KIND_UINT);
	assert_true(p->has_default);
	assert_int_equal(p->defval.type, MC_VAL_INT);
	assert_int_equal(p->defval.i, v);
}

static void test_rust_reads_derived_properties(void **state)
{
	(void)state;
	const char *const files[] = { CRATE "device.rs", device_rs, CRATE "lib.rs", lib_rs };
	mc_facts *f = read_crate(files, 2, 0);
	assert_true(f->rust && f->parsed);
	assert_int_equal(f->narrays, 1); /* FooSub derives Device with no property: no array */
	const mc_prop_array *a = &f->arrays[0];
	assert_string_equal(a->name, "FooDevState::PROPERTIES");
	assert_true(a->complete);
	assert_int_equal(a->nprops, 7); /* none from the comment, the raw string or the doc */
	const mc_prop *level = prop_named(a, "level");
	assert_uint(level, 2);
	assert_int_equal(level->line, 11);
	const mc_prop *legacy = prop_named(a, "x-legacy-mode");
	assert_int_equal(legacy->kind, MC_KIND_BOOL);
	assert_int_equal(legacy->defval.type, MC_VAL_BOOL);
	assert_int_equal(legacy->defval.i, 0);
	assert_uint(prop_named(a, "buffer-size"), 16 << 20);
	const mc_prop *offset = prop_named(a, "offset"); /* not renamed: the field's name */
	assert_int_equal(offset->kind, MC_KIND_INT);
	assert_int_equal(offset->defval.i, -8);
	const mc_prop *flag = prop_named(a, "flag"); /* a bit of a u32 is a bool */
	assert_int_equal(flag->kind, MC_KIND_BOOL);
	assert_int_equal(flag->defval.i, 1);
	const mc_prop *chr = prop_named(a, "chardev");
	assert_int_equal(chr->kind, MC_KIND_OTHER);
	assert_false(chr->has_default);
	const mc_prop *unvalued = prop_named(a, "x-unvalued");
	assert_true(unvalued->has_default);
	assert_int_equal(unvalued->defval.type, MC_VAL_SYMBOLIC);
	assert_string_equal(unvalued->defval_text, "compute_default()");
	assert_int_equal(f->nattaches, 1);
	assert_string_equal(f->attaches[0].function, "rust/hw/misc/foo::FooDevState");
	assert_string_equal(f->attaches[0].array, "FooDevState::PROPERTIES");
	mc_facts_free(f);
}

static void test_rust_reads_registrations(void **state)
{
	(void)state;
	const char *const files[] = { CRATE "device.rs", device_rs, CRATE "lib.rs", lib_rs };
	mc_facts *f = read_crate(files, 2, 0);
	assert_int_equal(f->ntypes, 2);
	const mc_typeinfo *dev = &f->types[0], *sub = &f->types[1];
	assert_string_equal(dev->name, "foo-dev"); /* TYPE_NAME through lib.rs */
	assert_null(dev->parent);                  /* DeviceState: a C type, named through bindings */
	assert_string_equal(dev->parent_binding, "DeviceState");
	assert_string_equal(dev->class_init, "rust/hw/misc/foo::FooDevState");
	assert_int_equal(dev->line, 36);
	assert_false(dev->abstract);
	assert_string_equal(sub->name, "foo-sub");
	assert_string_equal(sub->parent, "foo-dev"); /* a type of the crate */
	assert_null(sub->parent_binding);
	assert_true(sub->abstract);
	mc_facts_free(f);
	/* lib.rs declares nothing itself. */
	f = read_crate(files, 2, 1);
	assert_int_equal(f->ntypes + f->narrays + f->nattaches, 0);
	mc_facts_free(f);
}

/* QEMU 10.0 and 10.1: the array is a declare_properties! static, attached by DeviceImpl::properties(). */
static void test_rust_reads_declared_properties(void **state)
{
	(void)state;
	const char *const files[] = {
		CRATE "device.rs",
		"impl ObjectImpl for FooDevState {\n    type ParentType = qemu_api::sysbus::SysBusDevice;\n}\n"
		"unsafe impl ObjectType for FooDevState {\n    const TYPE_NAME: &'static CStr = crate::TYPE_FOO_DEV;\n}\n"
		"impl DeviceImpl for FooDevState {\n    fn properties() -> &'static [Property] {\n"
		"        &device_class::FOO_PROPERTIES\n    }\n}\n",
		CRATE "device_class.rs",
		"qemu_api::declare_properties! {\n    FOO_PROPERTIES,\n"
		"    qemu_api::define_property!(\n        c_str!(\"level\"),\n        FooDevState,\n        level,\n"
		"        unsafe { &qdev_prop_uint8 },\n        u8,\n        default = 2\n    ),\n"
		"    qemu_api::define_property!(c\"msi\", FooDevState, flags, unsafe { &qdev_prop_bit }, u32,\n"
		"        bit = MSI_SHIFT as u8, default = false,),\n"
		"    qemu_api::define_property!(c\"chardev\", FooDevState, chr, unsafe { &qdev_prop_chr }, CharBackend),\n"
		"}\n",
		CRATE "lib.rs",
		"use qemu_api::c_str;\npub const TYPE_FOO_DEV: &::std::ffi::CStr = c_str!(\"foo-dev\");\n",
	};
	mc_facts *f = read_crate(files, 3, 0);
	assert_int_equal(f->ntypes, 1);
	assert_string_equal(f->types[0].parent_binding, "SysBusDevice");
	assert_int_equal(f->nattaches, 1);
	assert_string_equal(f->attaches[0].array, "FOO_PROPERTIES");
	assert_string_equal(f->attaches[0].function, f->types[0].class_init);
	mc_facts_free(f);
	f = read_crate(files, 3, 1);
	assert_int_equal(f->narrays, 1);
	const mc_prop_array *a = &f->arrays[0];
	assert_string_equal(a->name, "FOO_PROPERTIES");
	assert_false(a->is_static); /* pub static, named from device.rs */
	assert_int_equal(a->nprops, 3);
	assert_uint(prop_named(a, "level"), 2);
	assert_string_equal(prop_named(a, "level")->info, "qdev_prop_uint8");
	const mc_prop *msi = prop_named(a, "msi"); /* the kind is the conventions' for qdev_prop_bit */
	assert_int_equal(msi->kind, MC_KIND_BOOL);
	assert_int_equal(msi->defval.type, MC_VAL_BOOL);
	assert_false(prop_named(a, "chardev")->has_default);
	mc_facts_free(f);
}

/* The default of one property, written as expr, with consts (module-level items) in the crate. */
static mc_facts *with_default(const char *expr, const char *consts)
{
	char *dev = mc_sprintf("%s\n#[derive(Device)]\nstruct S {\n    #[property(rename = \"p\", default = %s)]\n"
			       "    p: u32,\n}\n",
			       consts, expr);
	const char *const files[] = { CRATE "device.rs", dev };
	mc_facts *f = read_crate(files, 1, 0);
	free(dev);
	assert_int_equal(f->narrays, 1);
	assert_int_equal(f->arrays[0].nprops, 1);
	return f;
}

static void test_rust_values_expressions(void **state)
{
	(void)state;
	static const struct {
		const char *expr, *consts;
		int64_t want;
	} valued[] = {
		{ "(1 << 4) | 2", "", 18 },
		{ "0x10_u32", "", 16 },
		{ "0b101 + 0o7", "", 12 },
		{ "300 as u8", "", 44 },
		{ "X + 1", "const X: u32 = Y * 2;\nconst Y: u32 = 3;", 7 },
		{ "self::X - 1", "pub(crate) const X: u32 = 10;", 9 },
		{ "X as u32", "static X: usize = 0x20;", 32 },
		{ "10 / 3 * 3 + 10 % 3", "", 10 },
		{ "!0u8 as u32", "", 255 },
	};
	for (size_t i = 0; i < sizeof(valued) / sizeof(valued[0]); i++) {
		mc_facts *f = with_default(valued[i].expr, valued[i].consts);
		const mc_prop *p = &f->arrays[0].props[0];
		if (p->defval.type != MC_VAL_INT || p->defval.i != valued[i].want)
			fail_msg("%s: got type %d value %lld", valued[i].expr, p->defval.type, (long long)p->defval.i);
		mc_facts_free(f);
	}
	/* Not values: left symbolic, spelled as written. */
	static const struct {
		const char *expr, *consts;
	} symbolic[] = {
		{ "A", "#[cfg(x)]\nconst A: u32 = 1;\n#[cfg(not(x))]\nconst A: u32 = 2;" }, /* which one? */
		{ "P", "const P: u32 = Q;\nconst Q: u32 = P;" },                              /* a cycle */
		{ "Self::X", "" },
		{ "bindings::HPET_MIN", "const HPET_MIN: u32 = 3;" }, /* a C constant, not the crate's */
		{ "u32::MAX", "" },
		{ "1.5", "" },
		{ "1 << 64", "" },
		{ "1 / 0", "" },
		{ "LIST.len()", "const LIST: [u8; 2] = [1, 2];" },
		{ "undefined_const", "" },
	};
	for (size_t i = 0; i < sizeof(symbolic) / sizeof(symbolic[0]); i++) {
		mc_facts *f = with_default(symbolic[i].expr, symbolic[i].consts);
		const mc_prop *p = &f->arrays[0].props[0];
		if (p->defval.type != MC_VAL_SYMBOLIC || strcmp(p->defval_text, symbolic[i].expr) != 0)
			fail_msg("%s: got type %d, want symbolic", symbolic[i].expr, p->defval.type);
		mc_facts_free(f);
	}
}

static void test_rust_incomplete_property_lists(void **state)
{
	(void)state;
	static const char *const attrs[] = {
		"#[property(rename = NAME)]",         /* a name that is no literal */
		"#[property(rename = \"a\", wat = 1)]", /* an argument the derive does not have */
	};
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		char *dev = mc_sprintf("#[derive(Device)]\nstruct S {\n    %s\n    a: u32,\n"
				       "    #[property(rename = \"b\")]\n    b: u32,\n}\n",
				       attrs[i]);
		const char *const files[] = { CRATE "device.rs", dev };
		mc_facts *f = read_crate(files, 1, 0);
		assert_int_equal(f->narrays, 1);
		assert_false(f->arrays[0].complete);
		assert_non_null(strstr(f->arrays[0].why_incomplete, "line 3"));
		assert_int_equal(f->arrays[0].nprops, 1);
		assert_string_equal(f->arrays[0].props[0].name, "b");
		mc_facts_free(f);
		free(dev);
	}
	/* A type whose TYPE_NAME is no constant string: not registered (its array then has no type). */
	const char *const files[] = { CRATE "device.rs",
				      "impl ObjectImpl for S { type ParentType = DeviceState; }\n"
				      "unsafe impl ObjectType for S { const TYPE_NAME: &'static CStr = name(); }\n" };
	mc_facts *f = read_crate(files, 1, 0);
	assert_int_equal(f->ntypes, 0);
	mc_facts_free(f);
}

static void test_rust_unreadable_files(void **state)
{
	(void)state;
	mc_rust_file files[] = {
		{ CRATE "device.rs", device_rs, sizeof(device_rs) - 1, NULL },
		{ CRATE "lib.rs", NULL, 0, "binary content" },
	};
	mc_facts *f;
	mc_rust_read(&f, &conv, files, 2, 0);
	assert_true(f->parsed);
	assert_int_equal(f->refused_headers.n, 1);
	assert_string_equal(f->refused_headers.v[0], CRATE "lib.rs\nbinary content");
	assert_int_equal(f->ntypes, 1); /* foo-sub: its name is its own; foo-dev's was in lib.rs */
	mc_facts_free(f);
	mc_rust_read(&f, &conv, files, 2, 1);
	assert_false(f->parsed);
	assert_string_equal(f->error, CRATE "lib.rs: binary content");
	mc_facts_free(f);
}

/* Inputs fuzz_rust found before these were fixed; under ASan a read out of bounds or a leak fails. */
static void test_rust_hostile_texts(void **state)
{
	(void)state;
	static const char nul_op[] = "const A: u32 = 1 \0 2;\n#[derive(Device)]\nstruct S { #[property(default = A)] a: u32 }";
	const struct {
		const char *text;
		size_t len;
	} texts[] = {
		/* A struct and an attribute never closed: the text ends inside them. */
		{ "#[derive(Device)] struct S { #[property(rename =", 0 },
		{ "#[derive(Device", 0 },
		{ "#[derive(Device)] struct S { a: u32, #[", 0 },
		/* Two defaults in one define_property!: the last one, the first freed. */
		{ "declare_properties! { P, define_property!(c\"a\", S, a, &qdev_prop_uint8, u8, default = 1, "
		  "default = X), }",
		  0 },
		/* A NUL punctuator between two operands is no operator. */
		{ nul_op, sizeof(nul_op) - 1 },
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		mc_rust_file file = { CRATE "device.rs", texts[i].text,
				      texts[i].len ? texts[i].len : strlen(texts[i].text), NULL };
		mc_facts *f;
		mc_rust_read(&f, &conv, &file, 1, 0);
		assert_true(f->parsed);
		mc_facts_free(f);
	}
}

static void test_rust_sources_of_the_conventions(void **state)
{
	(void)state;
	assert_true(mc_rust_is_source(&conv, "rust/hw/char/pl011/src/device.rs"));
	assert_true(mc_rust_is_source(&conv, "rust/hw/timer/hpet/src/fw_cfg/mod.rs"));
	assert_false(mc_rust_is_source(&conv, "rust/hw/core/tests/tests.rs")); /* a test device */
	assert_false(mc_rust_is_source(&conv, "rust/hw/char/pl011/build.rs"));
	assert_false(mc_rust_is_source(&conv, "rust/qemu-api/src/qdev.rs"));    /* not under rust-source */
	assert_false(mc_rust_is_source(&conv, "rust/hw/char/pl011/src/wrapper.h"));
	assert_false(mc_rust_is_source(&conv, "hw/char/pl011.c"));
	assert_int_equal(mc_rust_crate_root(&conv, "rust/hw/char/pl011/src/device.rs"),
			 strlen("rust/hw/char/pl011/src/"));
	assert_int_equal(mc_rust_crate_root(&conv, "rust/hw/timer/hpet/src/a/b.rs"), strlen("rust/hw/timer/hpet/src/"));
	assert_true(mc_rust_wants(device_rs, strlen(device_rs)));
	assert_false(mc_rust_wants(lib_rs, strlen(lib_rs)));
	assert_true(mc_rust_wants("declare_properties! {", 21));
}

/* rust-source names the crates' directory; nothing is read without it. */
static void test_rust_source_directive(void **state)
{
	(void)state;
	mc_conv c;
	memset(&c, 0, sizeof(c));
	assert_int_equal(mc_conv_parse(&c, "t.conv", "rust-source devices/rust/\n"), 0);
	assert_true(mc_rust_is_source(&c, "devices/rust/uart/src/lib.rs"));
	assert_false(mc_rust_is_source(&c, "rust/hw/char/pl011/src/device.rs"));
	mc_conv_free(&c);
	memset(&c, 0, sizeof(c));
	assert_int_equal(mc_conv_parse(&c, "t.conv", "skip tests/\n"), 0);
	assert_false(mc_rust_is_source(&c, "rust/hw/char/pl011/src/device.rs"));
	mc_conv_free(&c);
	memset(&c, 0, sizeof(c));
	assert_true(mc_conv_parse(&c, "t.conv", "rust-source a/ b/\n") < 0);
	assert_non_null(strstr(mc_error_last(), "t.conv:1: wrong number of arguments: rust-source"));
	mc_conv_free(&c);
	mc_error_clear();
}

/* ---- the two builds ------------------------------------------------------------ */

/*
 * hw/misc/foo.c registers foo-dev (level 2, label) and foo-bus, a type the
 * file's other registration; the Rust crate registers foo-dev (level as
 * rust_level, no label) under DeviceState, and foo-rust-only.
 */
static mct_rev *two_builds(const char *rust_level)
{
	mct_rev *r = mct_rev_new("10.1.50");
	mct_file(r, "hw/core/qdev.c");
	mct_abstract_type(r, "device", NULL);
	mct_file(r, "hw/misc/foo.c");
	mct_type(r, "foo-dev", "device");
	mct_prop(r, "foo-dev", "level", "uint8", "2");
	mct_prop(r, "foo-dev", "label", "string", NULL);
	mct_file(r, "hw/misc/bar.c");
	mct_type(r, "bar-dev", "device");
	mct_type(r, "bar-sub", "bar-dev");
	mct_rust_file(r, "rust/hw/misc/foo/src/device.rs");
	mct_type(r, "foo-dev", NULL);
	mct_parent_binding(r, "foo-dev", "DeviceState");
	mct_prop(r, "foo-dev", "level", "uint8", rust_level);
	mct_type(r, "foo-rust-only", NULL);
	mct_parent_binding(r, "foo-rust-only", "SysBusDevice");
	mct_rust_file(r, "rust/hw/misc/bar/src/device.rs");
	mct_type(r, "bar-dev", "device");
	mct_file(r, "hw/core/machine.c");
	mct_compat_array(r, "hw_compat_10_1");
	mct_compat_array(r, "hw_compat_10_0");
	return r;
}

static void test_rust_build_without_rust_devices(void **state)
{
	(void)state;
	mct_rev *r = two_builds("2");
	const mc_model *m = mct_model(r);
	const mc_type *foo = mc_model_type(m, "foo-dev");
	assert_string_equal(foo->file, "hw/misc/foo.c");
	assert_false(foo->rust);
	assert_non_null(mc_type_prop_find(foo, "label", NULL));
	assert_null(mc_model_type(m, "foo-rust-only"));
	assert_false(m->rust_build);
	assert_int_equal(m->replaced_files.n, 0);
	/* The Rust arrays are analysed in the other build: not listed as attached to no type. */
	for (size_t i = 0; i < m->unanalysed.n; i++)
		assert_null(strstr(m->unanalysed.v[i], "attached to no"));
	mct_rev_free(r);
}

static void test_rust_build_with_rust_devices(void **state)
{
	(void)state;
	mct_rev *r = two_builds("3");
	const mc_model *m = mct_model_rust(r);
	assert_non_null(m);
	assert_true(m->rust_build);
	const mc_type *foo = mc_model_type(m, "foo-dev");
	assert_true(foo->rust);
	assert_string_equal(foo->file, "rust/hw/misc/foo/src/device.rs");
	/* The parent of the C foo-dev: the crate names it only as DeviceState. */
	assert_string_equal(foo->parent_name, "device");
	assert_non_null(foo->parent);
	assert_null(mc_type_prop_find(foo, "label", NULL));
	const mc_type_prop *level = mc_type_prop_find(foo, "level", NULL);
	assert_int_equal(level->prop->defval.i, 3);
	assert_true(mc_model_type(m, "foo-rust-only")->rust);
	/* bar-dev's file also registers bar-sub, which stays C: that file is still built. */
	assert_true(mc_model_type(m, "bar-dev")->rust);
	assert_false(mc_model_type(m, "bar-sub")->rust);
	assert_int_equal(m->replaced_files.n, 1);
	assert_string_equal(m->replaced_files.v[0], "hw/misc/foo.c");
	/* Without a C registration of its name, a binding parent is unknown: said in the coverage. */
	const mc_model *c = mct_model(r);
	int said = 0;
	for (size_t i = 0; i < c->unanalysed.n; i++)
		said |= strstr(c->unanalysed.v[i], "foo-rust-only: its parent SysBusDevice") != NULL;
	assert_true(said);
	mct_rev_free(r);
	/* No Rust registration: no second build. */
	r = mct_rev_new("10.1.50");
	mct_file(r, "hw/misc/foo.c");
	mct_type(r, "foo-dev", NULL);
	assert_null(mct_model_rust(r));
	mct_rev_free(r);
}

static void test_rust_unvalued_defaults_in_coverage(void **state)
{
	(void)state;
	mct_rev *r = two_builds("2");
	mct_rust_file(r, "rust/hw/misc/foo/src/device.rs");
	mct_prop_symbolic(r, "foo-dev", "x-unvalued", "uint32", "compute_default()");
	const mc_model *m = mct_model(r);
	assert_int_equal(m->rust_defaults_unvalued, 1);
	int said = 0;
	for (size_t i = 0; i < m->unanalysed.n; i++)
		said |= strstr(m->unanalysed.v[i], "x-unvalued: default compute_default() is not a value") != NULL;
	assert_true(said);
	mct_rev_free(r);
}

/* ---- the rules on the build with Rust devices ------------------------------------- */

/* The findings of the rules on each build of a change. */
typedef struct {
	mc_findings c, rust;
} two_runs;

static void run_rules(const mc_model *base, const mc_model *head, mct_rev *conv_of, mc_findings *out)
{
	mc_rule_input in = { base, head, NULL, mct_conv(conv_of), NULL, NULL, 0 };
	mc_rules_run(&in, out);
}

/* The rules on both builds of base -> head; frees base and head (findings own their strings). */
static two_runs run_both(mct_rev *base, mct_rev *head)
{
	two_runs r;
	memset(&r, 0, sizeof(r));
	run_rules(mct_model(base), mct_model(head), head, &r.c);
	run_rules(mct_model_rust(base), mct_model_rust(head), head, &r.rust);
	mct_rev_free(base);
	mct_rev_free(head);
	return r;
}

static void two_runs_free(two_runs *r)
{
	mc_findings_free(&r->c);
	mc_findings_free(&r->rust);
}

/* An entry naming a property the C device has and the Rust one lacks: QEMU with Rust devices aborts. */
static void test_rust_entry_the_rust_device_lacks(void **state)
{
	(void)state;
	mct_rev *head = two_builds("2");
	mct_file(head, "hw/core/machine.c");
	mct_compat(head, "hw_compat_10_1", "foo-dev", "label", "x");
	two_runs r = run_both(two_builds("2"), head);
	for (size_t i = 0; i < r.c.n; i++)
		assert_string_not_equal(r.c.v[i].rule, "compat-dangling");
	assert_int_equal(r.rust.n, 1);
	assert_string_equal(r.rust.v[0].rule, "compat-dangling");
	assert_int_equal(r.rust.v[0].severity, MC_SEV_ERROR);
	assert_string_equal(r.rust.v[0].type, "foo-dev");
	assert_string_equal(r.rust.v[0].property, "label");
	two_runs_free(&r);
}

/* A Rust default changed and no entry: compat-missing at the Rust declaration, in that build only. */
static void test_rust_default_changed(void **state)
{
	(void)state;
	two_runs r = run_both(two_builds("2"), two_builds("3"));
	assert_int_equal(r.c.n, 0);
	assert_int_equal(r.rust.n, 1);
	assert_string_equal(r.rust.v[0].rule, "compat-missing");
	assert_string_equal(r.rust.v[0].file, "rust/hw/misc/foo/src/device.rs");
	assert_string_equal(r.rust.v[0].suggestion, "{ \"foo-dev\", \"level\", \"2\" },");
	two_runs_free(&r);
	/* Quiet: the entry that keeps 2 is there. */
	mct_rev *head = two_builds("3");
	mct_file(head, "hw/core/machine.c");
	mct_compat(head, "hw_compat_10_1", "foo-dev", "level", "2");
	r = run_both(two_builds("2"), head);
	assert_int_equal(r.rust.n, 0);
	two_runs_free(&r);
}

/* ---- one cause, one finding, across builds ------------------------------------- */

static mc_finding *add(mc_findings *fs, const char *rule, const char *prop, const char *file, int line)
{
	mc_finding *f = mc_findings_add(fs, rule, MC_SEV_ERROR, "foo-dev", prop, file, line, "%s", rule);
	f->old_value = mc_strdup("2");
	f->new_value = mc_strdup("3");
	return f;
}

static void test_rust_merge_one_cause(void **state)
{
	(void)state;
	mc_findings c = {0}, rust = {0};
	add(&c, "compat-missing", "level", "hw/misc/foo.c", 10);
	add(&rust, "compat-missing", "level", "rust/hw/misc/foo/src/device.rs", 20);
	mc_finding *only = add(&rust, "compat-missing", "offset", "rust/hw/misc/foo/src/device.rs", 30);
	only->severity = MC_SEV_WARNING;
	mc_findings_merge_build(&c, &rust, "Rust devices");
	assert_int_equal(rust.n, 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.v[0].file, "hw/misc/foo.c"); /* sorted by file */
	assert_int_equal(c.v[0].notes.n, 1);
	assert_string_equal(c.v[0].notes.v[0],
			    "the same in QEMU built with Rust devices, declared at rust/hw/misc/foo/src/device.rs:20");
	assert_string_equal(c.v[1].property, "offset");
	mc_findings_free(&c);
	/* Other values are another cause; a more severe twin raises the severity. */
	add(&c, "compat-missing", "level", "hw/misc/foo.c", 10)->severity = MC_SEV_WARNING;
	mc_finding *other = add(&rust, "compat-missing", "level", "hw/misc/foo.c", 10);
	free(other->new_value);
	other->new_value = mc_strdup("4");
	add(&rust, "compat-missing", "level", "hw/misc/foo.c", 10);
	mc_findings_merge_build(&c, &rust, "Rust devices");
	assert_int_equal(c.n, 2);
	assert_int_equal(c.v[0].severity + c.v[1].severity, MC_SEV_ERROR * 2);
	assert_int_equal(c.v[0].notes.n + c.v[1].notes.n, 0); /* same place: nothing to add */
	mc_findings_free(&c);
}

/* An entry is redundant only when it is so in both builds: needed in one, it stays. */
static void test_rust_merge_redundant_in_both(void **state)
{
	(void)state;
	mc_findings c = {0}, rust = {0};
	add(&c, "compat-redundant", "level", "hw/core/machine.c", 5);
	add(&c, "compat-redundant", "offset", "hw/core/machine.c", 6);
	add(&rust, "compat-redundant", "offset", "hw/core/machine.c", 6);
	add(&rust, "compat-redundant", "flag", "hw/core/machine.c", 7);
	mc_findings_merge_build(&c, &rust, "Rust devices");
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].property, "offset");
	assert_int_equal(c.v[0].notes.n, 0);
	mc_findings_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rust_reads_derived_properties),
		cmocka_unit_test(test_rust_reads_registrations),
		cmocka_unit_test(test_rust_reads_declared_properties),
		cmocka_unit_test(test_rust_values_expressions),
		cmocka_unit_test(test_rust_incomplete_property_lists),
		cmocka_unit_test(test_rust_unreadable_files),
		cmocka_unit_test(test_rust_hostile_texts),
		cmocka_unit_test(test_rust_sources_of_the_conventions),
		cmocka_unit_test(test_rust_source_directive),
		cmocka_unit_test(test_rust_build_without_rust_devices),
		cmocka_unit_test(test_rust_build_with_rust_devices),
		cmocka_unit_test(test_rust_unvalued_defaults_in_coverage),
		cmocka_unit_test(test_rust_entry_the_rust_device_lacks),
		cmocka_unit_test(test_rust_default_changed),
		cmocka_unit_test(test_rust_merge_one_cause),
		cmocka_unit_test(test_rust_merge_redundant_in_both),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
