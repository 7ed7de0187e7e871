/*
 * model.h - one revision as QEMU sees it: QOM types with their properties,
 * and the machine compat containers with their versions.
 *
 * Built from the facts of every parsed file.  The model borrows the facts
 * (strings and property records) and the conventions' generic family; the
 * caller keeps both alive for as long as the model lives.
 */
#ifndef MC_MODEL_H
#define MC_MODEL_H

#include <stddef.h>
#include "model/conv.h"
#include "model/facts.h"
#include "util/util.h"

typedef struct mc_type mc_type;

/* A VMStateDescription of the revision and the file that defines it (both borrowed from the facts). */
typedef struct {
	const mc_vmsd *d;
	const char *file;
} mc_vmstate;

/* A property declared by a type's own class_init, or added by code in its class_init or instance_init. */
typedef struct {
	const mc_prop *prop;
	const char *file;       /* file of the Property array */
	const char *array;      /* array name */
} mc_type_prop;

struct mc_type {
	const char *name;
	const char *parent_name;
	mc_type *parent;        /* NULL for a root or an unknown parent */
	int abstract;
	const char *file;       /* where the type is registered */
	int line;
	const char *class_init;
	const char *instance_init;
	mc_type_prop *props;    size_t nprops, cap_props;
	mc_strvec aliases;      /* embedded types whose properties this type's instance_init aliases */
	mc_type **children;     size_t nchildren, cap_children;
	int props_unknown;      /* an attached array could not be extracted */
	const char *condition;  /* the #if its registration sits under in its file, or NULL */
	int rust;               /* registered by Rust sources (only in a model built with mc_model_build_rust) */
	const char *parent_binding; /* rust: the parent as Rust names a C type (SysBusDevice), or NULL */
	/*
	 * The description its own class_init stores into a conventions'
	 * vmstate-member (dc->vmsd = &x), or NULL; see mc_type_vmstate for the
	 * inherited one.  vmsd_unresolved: it stores one the model does not have.
	 */
	const mc_vmstate *vmsd;
	const char *vmsd_var;
	int vmsd_unresolved;
};

/* The version of a family's machine-wide defaults: applied to every machine version. */
#define MC_VERSION_DEFAULTS 100000

/* One versioned compat container: an array, a macro's list or a function-local array. */
typedef struct {
	const char *family;     /* "hw", "pc", ... */
	int generic;            /* family is the model's generic_family */
	int major, minor;
	char *name;             /* "hw_compat_5_1", "pc_i440fx_2_11_machine_options" */
	const char *file;
	int line;
	const mc_compat_entry **entries; size_t nentries, cap;
} mc_compat_set;

typedef struct mc_model {
	mc_facts **facts;       size_t nfacts;   /* borrowed */
	mc_map types;           /* name -> mc_type* */
	mc_type **type_list;    size_t ntypes, cap_types; /* sorted by name */
	mc_compat_set *sets;    size_t nsets, cap_sets;   /* newest first, generic before others */
	/*
	 * The family whose sets apply to every machine (conv generic-family: "hw"
	 * in QEMU, hw_compat_X_Y), NULL when the conventions name none; borrowed
	 * from the conventions given to mc_model_build(), which outlive the model
	 * as the facts do.  Code holding only a model (the rules) reads it here.
	 */
	const char *generic_family;
	mc_strvec families;     /* families with sets, sorted */
	int major, minor, micro; /* VERSION, -1 when unknown */
	/* The last released version (mc_model_released) and which signal gave it. */
	int released_major, released_minor; /* -1 when unknown */
	const char *release_signal;         /* "VERSION", "compat arrays", or NULL when unknown */
	/* coverage */
	size_t files_parsed, files_failed, property_arrays, property_arrays_unresolved, properties;
	size_t rust_defaults_unvalued; /* defaults of Rust properties that are not values (each in unanalysed) */
	/*
	 * QOM properties added by code (object_class_property_add_* and the like,
	 * facts by_code): those attached to a type, those of functions no type
	 * reaches, and the attached ones whose default is not a value, each in
	 * unanalysed and counted per reason (the facts' unvalued text, borrowed).
	 */
	size_t code_properties, code_properties_unattached, code_defaults_unvalued;
	struct mc_code_reason { const char *reason; size_t n; } *code_reasons;
	size_t ncode_reasons, cap_code_reasons;
	mc_strvec unanalysed;   /* "path:line: what: reason", sorted */
	/*
	 * Built with Rust devices (mc_model_build_rust): the C files none of whose
	 * types that build compiles, every one being replaced by a Rust type of its
	 * name; sorted.  Empty otherwise.
	 */
	int rust_build;
	mc_strvec replaced_files;
	/*
	 * VMState: every description of the parsed files (facts order), the
	 * lookup by "path\nvar" and, for those not static, by "var"; coverage:
	 * how many could not be read completely, each in vmstate_unanalysed
	 * ("path:line: VMStateDescription var: why", sorted).
	 */
	mc_vmstate *vmstates;   size_t nvmstates;
	mc_map vmstate_by_var;
	size_t vmstate_incomplete;
	mc_strvec vmstate_unanalysed;
} mc_model;

/*
 * The model of QEMU built without Rust devices (configure's default): the
 * types Rust sources register are left out, their properties still counted in
 * the coverage.
 */
int mc_model_build(mc_model **out, mc_facts **facts, size_t nfacts, const mc_conv *conv, const char *version);
/*
 * The model of the same facts built with Rust devices (--enable-rust): a type
 * registered by Rust sources replaces the C type of its name, whose parent it
 * keeps when the crate names its own only through C bindings (the C headers
 * alone say that SysBusDevice is "sys-bus-device", and a Rust device keeps
 * the place of the C one it replaces).  *out is NULL, and nothing is built,
 * when no Rust source registers a type: the build is then the C one.
 */
int mc_model_build_rust(mc_model **out, mc_facts **facts, size_t nfacts, const mc_conv *conv, const char *version);
void mc_model_free(mc_model *m);

const mc_type *mc_model_type(const mc_model *m, const char *name);
/* Is t the type named ancestor, or a subtype of it? */
int mc_type_is_a(const mc_type *t, const char *ancestor);
/* The property as t has it: its own or the nearest ancestor's; NULL if none. */
const mc_type_prop *mc_type_prop_find(const mc_type *t, const char *name, const mc_type **owner);

/*
 * A read of the struct member usr (an mc_prop's field) that shows its value
 * reaches a guest or the migration stream (facts' uses), in any file of the
 * revision, "vmstate" first; *file gets the reading file's path.  NULL: none
 * (also for a NULL usr).
 */
const mc_field_use *mc_model_field_evidence(const mc_model *m, const char *usr, const char **file);

/*
 * The description the variable var names as seen from file home: the one
 * home defines, else the one a file defines without static; NULL if none.
 */
const mc_vmstate *mc_model_vmstate(const mc_model *m, const char *home, const char *var);
/* The description of t's instances: its own, else the nearest ancestor's; NULL if none. */
const mc_vmstate *mc_type_vmstate(const mc_type *t);
/* Does the field's .flags name the VMStateFlags constant flag ("VMS_STRUCT")? */
int mc_vms_field_flag(const mc_vms_field *fd, const char *flag);
/* Does the field put bytes on the wire?  A VMSTATE_VALIDATE (VMS_MUST_EXIST) does not; QEMU's dump omits it. */
int mc_vms_field_on_wire(const mc_vms_field *fd);
/*
 * The member reads (uses of kind "vmstate") that function, a .needed or
 * .field_exists function of the file, makes: at most max into out, facts
 * order; returns how many there are.
 */
size_t mc_model_gate_reads(const mc_model *m, const char *file, const char *function, const mc_field_use **out,
			   size_t max);

/* Is family the generic one (m->generic_family), whose sets every machine applies?  0 for NULL. */
int mc_model_is_generic(const mc_model *m, const char *family);
/* Newest versioned set of a family, or NULL (also for a NULL family). */
const mc_compat_set *mc_model_newest_set(const mc_model *m, const char *family);
/*
 * Last released version: X.Y for VERSION X.Y.Z, unless VERSION contradicts
 * the compat arrays (see decide_release in model.c); 0 when unknown.
 */
int mc_model_released(const mc_model *m, int *major, int *minor);

/* Identity of a compat entry in its set, for comparisons between revisions; caller frees. */
char *mc_compat_entry_key(const mc_compat_set *set, const mc_compat_entry *e);
/* The entries of head that base does not have (by mc_compat_entry_key), in head's order;
 * the array is the caller's to free, the entries are head's. */
size_t mc_model_entries_added(const mc_model *base, const mc_model *head, const mc_compat_entry ***out);

/* Compares versions: <0, 0, >0. */
int mc_version_cmp(int amaj, int amin, int bmaj, int bmin);

#endif
