/*
 * conv.h - the conventions of an analyzed tree, read from rules/qemu.conv
 * (compiled in) or from a file given with --rules.
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

typedef struct {
	char *name;          /* function or prefix */
	char *family;
	int arg;
} mc_conv_pair;

typedef struct mc_conv {
	mc_strvec skip;
	mc_strvec include_dirs;
	mc_strvec system_includes;
	mc_strvec host_defines;
	mc_conv_target *targets; size_t ntargets, cap_targets;
	mc_conv_arch *archs;     size_t narchs, cap_archs;
	mc_conv_kind *kinds;     size_t nkinds, cap_kinds;
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
	mc_strvec stub_headers;  /* "NAME\nC-TEXT", one per stub-header line */
	char *version_file;
	size_t max_file_size;
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
/* Is this a type name built at run time on top of a known type ("EPYC-x86_64-cpu")? */
int mc_conv_is_dynamic_suffix(const mc_conv *conv, const char *type_name);
/*
 * The declarations standing in for a missing optional library header
 * ("libusb.h", as written in #include <...>), or NULL; the caller frees it.
 */
char *mc_conv_stub_header(const mc_conv *conv, const char *name);

#endif
