/*
 * conv.h - the conventions of an analyzed tree, read from rules/qemu.conv
 * (compiled in) or from a file given with --rules.
 *
 * Everything migcompat knows about one emulator's source layout is here as
 * data: which directories to skip, the flags of each file, PropertyInfo
 * kinds, attach and alias functions, compat container names, the generic
 * machine family, the stubs of generated headers, the common header.  The
 * language is documented directive by directive in doc/conventions.md;
 * mc_conv_directive_name() lists what the parser accepts, and
 * tests/test_manpage.c checks that both agree.
 */
#ifndef MC_CONV_H
#define MC_CONV_H

#include <stddef.h>
#include "util/util.h"
#include "model/value.h"

typedef struct {
	char *prefix;        /* path prefix, e.g. "hw/i386/" */
	char *arch;
} mc_conv_target;

typedef struct {
	char *arch;
	mc_strvec defines;   /* NAME or NAME=VALUE */
	mc_strvec includes;
} mc_conv_arch;

typedef struct {
	char *info;
	mc_kind kind;
	char *enum_type;     /* may be NULL */
} mc_conv_kind;

/* info-default: what a PropertyInfo's set_default_value gives a Property that sets no value. */
typedef struct {
	char *info;
	char *value;         /* as a compat entry writes it; "" for the empty string */
} mc_conv_info_default;

typedef struct {
	char *name;          /* function or prefix */
	char *family;
	int arg;
} mc_conv_pair;

/*
 * What stands in for a missing generated header ("generated-header KIND
 * PATTERN"); a header no directive names is empty, or its stub-header text.
 */
typedef enum {
	MC_STUB_PLAIN,          /* empty, or the stub-header lines of its name (trace headers) */
	MC_STUB_HOST_CONFIG,    /* the host-define lines as #defines (config-host.h) */
	MC_STUB_TARGET_CONFIG,  /* the target-define lines of the file's arch (config-target.h) */
	MC_STUB_QAPI,           /* declarations written from the revision's QAPI schema */
} mc_stub_kind;

typedef struct {
	char *pattern;       /* matched against the header's last path component; '*' any run */
	mc_stub_kind kind;
} mc_conv_generated;

/* How many generated-type fields a multi-type-record may name (the facts keep three). */
#define MC_CONV_RECORD_NAMES 3

/*
 * A record that registers several QOM types at once, as QEMU's
 * VirtioPCIDeviceTypeInfo does through virtio_pci_types_register():
 * "multi-type-record STRUCT PARENT BASE-FIELD NAME-FIELD[:CLASS-INIT]...".
 * All NULL when the conventions name no such record.
 */
typedef struct {
	char *record;        /* struct name, "VirtioPCIDeviceTypeInfo" */
	char *parent;        /* parent of the base when the record has no .parent, "virtio-pci" */
	char *base_field;    /* field naming the abstract base type, "base_name" */
	char *name_fields[MC_CONV_RECORD_NAMES];  /* fields naming the generated types, NULL after the last */
	char *class_inits[MC_CONV_RECORD_NAMES];  /* a class_init only that type gets, or NULL */
} mc_conv_record;

/*
 * A table whose records each register QOM types, as QEMU's CPU models do
 * (x86_register_cpudef_types() over builtin_x86_defs[], arm_cpu_register()
 * over the ARMCPUInfo tables): "table-type STRUCT NAME-FIELD FORMAT PARENT".
 * Every file-scope array of STRUCT registers, per element, the concrete type
 * FORMAT with the element's NAME-FIELD for "%s", under PARENT.  Several lines
 * for one STRUCT register several types per element.
 */
typedef struct {
	char *record;        /* struct name, "X86CPUDefinition" */
	char *name_field;    /* "name" */
	char *format;        /* "%s-x86_64-cpu": one "%s", "%%" for a percent sign */
	char *parent;        /* "x86_64-cpu" */
} mc_conv_table_type;

/*
 * The versions a table-type record registers besides its own name
 * ("table-type-versions STRUCT LIST-FIELD VERSION-FIELD ALIAS-FIELD FORMAT
 * DEFAULT"): LIST-FIELD is a list of records ended by one whose
 * VERSION-FIELD is 0; each registers the model FORMAT ("%s-v%d": the name,
 * the version) and, when ALIAS-FIELD is set, the model it names; a record
 * without the list has version DEFAULT alone (0: none).  The models are
 * then named as the table-type lines of STRUCT say.
 */
typedef struct {
	char *record;        /* "X86CPUDefinition" */
	char *list_field;    /* "versions" */
	char *version_field; /* "version" */
	char *alias_field;   /* "alias", or NULL ("-") */
	char *format;        /* "%s-v%d" */
	int default_version; /* 1; 0: no version without the list */
} mc_conv_table_versions;

/*
 * Properties a table declares for a type, as QEMU's x86 CPU features are
 * added in a loop over feature_word_info[].feat_names: "table-property
 * STRUCT FIELD TYPE KIND".  The strings of FIELD (one string or a list of
 * them, "a|b" naming two) in every file-scope array of STRUCT are properties
 * of TYPE of KIND, whose default each concrete type sets by code.
 */
typedef struct {
	char *record;        /* "FeatureWordInfo" */
	char *field;         /* "feat_names" */
	char *type;          /* "x86_64-cpu" */
	mc_kind kind;        /* MC_KIND_BOOL */
} mc_conv_table_prop;

/*
 * A function that adds a QOM property by code, in a class_init or an
 * instance_init ("qom-property-call FUNCTION NAME-ARG KIND [FIELD]"):
 * object_class_property_add_bool(oc, "name", get, set) and the like.  The
 * kind is fixed, or read from an argument: the QOM type string of
 * object_property_add ("bool", "uint32", a QAPI enum name), or the QAPI enum
 * of object_property_add_enum.  FIELD says where the value lives, so that
 * its default can be read from the assignments of the instance_init: the
 * pointer argument of the *_ptr functions, or the getter whose body reads
 * one struct field.
 */
typedef enum {
	MC_QOM_KIND_FIXED,   /* kind */
	MC_QOM_KIND_TYPE,    /* the QOM type string at kind_arg */
	MC_QOM_KIND_ENUM,    /* the QAPI enum named at kind_arg */
} mc_qom_kind_from;

typedef enum {
	MC_QOM_FIELD_NONE,   /* no default to read (a link, an alias) */
	MC_QOM_FIELD_PTR,    /* field_arg is &s->field */
	MC_QOM_FIELD_GETTER, /* field_arg is a getter that reads s->field */
	MC_QOM_FIELD_ALIAS,  /* an alias (field_arg names the target property): its default is the target's, not followed */
} mc_qom_field_from;

typedef struct {
	char *function;
	int name_arg;
	mc_qom_kind_from kind_from;
	mc_kind kind;        /* MC_QOM_KIND_FIXED */
	int kind_arg;        /* the others */
	mc_qom_field_from field_from;
	int field_arg;
} mc_conv_qom_call;

typedef struct mc_conv {
	mc_strvec skip;
	mc_strvec rust_sources;  /* path prefixes under which Rust crates are read (frontend/rust.c) */
	mc_strvec include_dirs;
	mc_strvec system_includes;
	mc_strvec host_defines;
	mc_conv_target *targets; size_t ntargets, cap_targets;
	mc_conv_arch *archs;     size_t narchs, cap_archs;
	mc_conv_kind *kinds;     size_t nkinds, cap_kinds;
	mc_conv_info_default *info_defaults; size_t ninfo_defaults, cap_info_defaults;
	mc_conv_pair *attach_calls; size_t nattach_calls, cap_attach_calls;
	mc_strvec attach_fields;
	mc_conv_pair *alias_calls; size_t nalias_calls, cap_alias_calls;
	mc_conv_pair *alias_inits; size_t nalias_inits, cap_alias_inits;
	mc_strvec alias_markers;
	mc_conv_pair *compat_arrays; size_t ncompat_arrays, cap_compat_arrays;
	mc_conv_pair *compat_macros; size_t ncompat_macros, cap_compat_macros;
	mc_conv_pair *compat_functions; size_t ncompat_functions, cap_compat_functions;
	mc_conv_pair *compat_machines; size_t ncompat_machines, cap_compat_machines;
	mc_conv_pair *compat_defaults; size_t ncompat_defaults, cap_compat_defaults;
	mc_strvec dynamic_type_suffixes;
	mc_strvec host_properties;  /* glob patterns of properties no guest or stream sees */
	mc_strvec vmstate_members;  /* "DeviceClass.vmsd": where a class names the description of its instances */
	mc_strvec stream_properties; /* glob patterns of properties whose name says they shape the migration stream */
	mc_strvec feature_members;  /* "CPUArchState.features": members a CPU model's feature properties fill */
	/* name: a function (or "prefix*") whose call shows its arguments reach a guest or the stream; family: the kind */
	mc_conv_pair *evidence_calls; size_t nevidence_calls, cap_evidence_calls;
	mc_conv_pair *machine_only; size_t nmachine_only, cap_machine_only; /* name: path prefix, family: its family or NULL */
	mc_strvec stub_headers;  /* "NAME\nC-TEXT", one per stub-header line */
	char *version_file;
	size_t max_file_size;
	char *generic_family;    /* the family whose compat sets apply to every machine; NULL: none */
	char *common_header;     /* #include name of the header every file starts with; NULL: none */
	mc_conv_generated *generated; size_t ngenerated, cap_generated;
	mc_strvec qapi_schemas;  /* path patterns of the QAPI schema files */
	char *qapi_prelude;      /* #include name the QAPI stub starts from; NULL: none */
	mc_conv_record record;
	mc_conv_table_type *table_types; size_t ntable_types, cap_table_types;
	mc_conv_table_versions *table_versions; size_t ntable_versions, cap_table_versions;
	mc_conv_table_prop *table_props; size_t ntable_props, cap_table_props;
	mc_conv_qom_call *qom_calls; size_t nqom_calls, cap_qom_calls;
	mc_strvec command_defines;        /* -D of every file parsed without a build's flags */
	mc_strvec target_command_defines; /* -D of those files that have an arch */
	char digest[41];         /* hash of the conventions text: part of every facts key */
} mc_conv;

/* Parses conventions text; errors name source:line. */
int mc_conv_parse(mc_conv *conv, const char *source, const char *text);
/* The conventions compiled into the binary. */
int mc_conv_load_builtin(mc_conv *conv);
int mc_conv_load_file(mc_conv *conv, const char *path);
void mc_conv_free(mc_conv *conv);

int mc_conv_is_skipped(const mc_conv *conv, const char *path);
/* The arch a file is parsed for, or NULL for target-independent files. */
const mc_conv_arch *mc_conv_arch_for(const mc_conv *conv, const char *path);
const mc_conv_kind *mc_conv_kind_of(const mc_conv *conv, const char *info);
/* The info-default value of a PropertyInfo, or NULL. */
const char *mc_conv_info_default_of(const mc_conv *conv, const char *info);

/*
 * Recognises a versioned compat container name: an array "hw_compat_5_1",
 * a macro "HW_COMPAT_2_3" or a function "pc_i440fx_machine_5_1_options".
 * Returns 1 and fills family/major/minor (family points into conv).
 */
int mc_conv_match_compat_array(const mc_conv *conv, const char *name, const char **family, int *major, int *minor);
int mc_conv_match_compat_macro(const mc_conv *conv, const char *name, const char **family, int *major, int *minor);
int mc_conv_match_compat_function(const mc_conv *conv, const char *name, const char **family, int *major, int *minor);
/* A machine name of the pre-2.4 QEMUMachine records: "pc-1.1", "pc-i440fx-1.4". */
int mc_conv_match_compat_machine(const mc_conv *conv, const char *name, const char **family, int *major, int *minor);
/* The family of an unversioned machine-wide defaults array ("pc_q35_compat_defaults"), or NULL. */
const char *mc_conv_match_compat_defaults(const mc_conv *conv, const char *name);
/* The table-type line for a struct name, from the i-th on, or NULL: loop with i = index + 1. */
const mc_conv_table_type *mc_conv_table_type_of(const mc_conv *conv, const char *record, size_t *i);
/* The table-type-versions line of a struct name, or NULL. */
const mc_conv_table_versions *mc_conv_table_versions_of(const mc_conv *conv, const char *record);
/* The table-property lines of a struct name, as for mc_conv_table_type_of. */
const mc_conv_table_prop *mc_conv_table_prop_of(const mc_conv *conv, const char *record, size_t *i);
/* The qom-property-call line of a function, or NULL. */
const mc_conv_qom_call *mc_conv_qom_call_of(const mc_conv *conv, const char *function);
/* Does the text name a struct of a table-type or table-property line, or a qom-property-call
 * function (a file worth parsing)? */
int mc_conv_names_table(const mc_conv *conv, const char *text);
/*
 * A table-type or table-type-versions FORMAT filled in: "%s" is s, "%d" is d
 * (only where the format has it), "%%" a percent sign.  The formats are
 * checked when the conventions are read, never given to printf.  Caller frees.
 */
char *mc_conv_format_name(const char *format, const char *s, int d);
/* Is this a type name built at run time on top of a known type ("EPYC-x86_64-cpu")? */
int mc_conv_is_dynamic_suffix(const mc_conv *conv, const char *type_name);
/*
 * Do the types registered in path exist only in machines of one family (conv
 * machine-only, the longest prefix wins)?  1 and *family: that family, or
 * NULL when no machine of theirs is versioned; 0: machines of any family.
 */
int mc_conv_machine_only(const mc_conv *conv, const char *path, const char **family);
/* Is the property a host-side knob (conv host-property): nothing a guest or the stream sees? */
int mc_conv_is_host_property(const mc_conv *conv, const char *name);
/* Does the property's name say it shapes what migration sends (conv stream-property)? */
int mc_conv_is_stream_property(const mc_conv *conv, const char *name);
/* Is usr (a member's USR, as facts record reads) one of the feature-member lines' members? */
int mc_conv_is_feature_member(const mc_conv *conv, const char *usr);
/* The evidence kind of a call to callee (evidence-call), or NULL. */
const char *mc_conv_evidence_call(const mc_conv *conv, const char *callee);
/*
 * The declarations standing in for a missing optional library header
 * ("libusb.h", as written in #include <...>), or NULL; the caller frees it.
 */
char *mc_conv_stub_header(const mc_conv *conv, const char *name);

/*
 * The family whose compat sets apply to every machine ("hw" in QEMU:
 * hw_compat_X_Y), or NULL when the conventions name none.  Points into conv.
 */
const char *mc_conv_generic_family(const mc_conv *conv);
/* The stub a missing header (as written in #include) gets: the first generated-header that matches. */
mc_stub_kind mc_conv_generated_kind(const mc_conv *conv, const char *name);
/* Is this tree path a QAPI schema file ("qapi-schema PATTERN"; '*' does not cross '/')? */
int mc_conv_is_qapi_schema(const mc_conv *conv, const char *path);

/*
 * The i-th directive keyword the parser accepts, in the order of
 * doc/conventions.md; NULL past the last.  Static strings.
 */
const char *mc_conv_directive_name(size_t i);

#endif
