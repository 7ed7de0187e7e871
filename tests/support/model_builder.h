/*
 * model_builder.h - revisions built by hand, for testing the model, the
 * effective defaults and the rules without git or libclang.
 *
 * A builder holds the facts of a few files, written as the front end would
 * have extracted them, and builds an mc_model from them with the built-in
 * conventions (rules/qemu.conv).  Each type gets a class_init that attaches
 * one Property array of its own; mct_prop() adds to that array.
 *
 *     mct_rev *r = mct_rev_new("9.2.50");
 *     mct_file(r, "hw/net/e1000.c");
 *     mct_type(r, "e1000", "pci-device");
 *     mct_prop(r, "e1000", "mq", "bool", "false");
 *     mct_file(r, "hw/core/machine.c");
 *     mct_compat(r, "hw_compat_9_1", "e1000", "mq", "off");
 *     const mc_model *m = mct_model(r);
 *
 * Memory: the builder owns the facts, the conventions and the model; the
 * model lives until mct_rev_free().  A declaration after mct_model() fails
 * the test.  Every failure (an unknown type, a bad value) fails the test
 * through cmocka: the builder is for tests only.
 */
#ifndef MC_MODEL_BUILDER_H
#define MC_MODEL_BUILDER_H

#include "model/conv.h"
#include "model/model.h"

typedef struct mct_rev mct_rev;

/* A revision whose VERSION file says version ("9.2.50"); NULL: no VERSION. */
mct_rev *mct_rev_new(const char *version);
void mct_rev_free(mct_rev *r);

/* The file the next declarations are written in; created on first use. */
void mct_file(mct_rev *r, const char *path);

/* The same for a Rust source (facts with rust set): its types exist in the build with Rust devices only. */
void mct_rust_file(mct_rev *r, const char *path);

/* A concrete type (parent NULL for a root); an abstract one. */
void mct_type(mct_rev *r, const char *name, const char *parent);
void mct_abstract_type(mct_rev *r, const char *name, const char *parent);

/*
 * A DEFINE_PROP_* of type's own array.  kind is a property type as QEMU
 * spells its PropertyInfo: "bool", "bit", "uint32", "int32", "size",
 * "string", "OnOffAuto" (an enum), "link" (no comparable default).  defval
 * is the default as a compat value would be written ("on", "16", "auto"),
 * or NULL for no default.
 */
void mct_prop(mct_rev *r, const char *type, const char *name, const char *kind, const char *defval);

/* The same, for a default that cannot be evaluated statically (an unknown constant). */
void mct_prop_symbolic(mct_rev *r, const char *type, const char *name, const char *kind, const char *spelling);
/*
 * A property added by code (object_property_add_uint8_ptr() and the like) in
 * function of the current file, as the front end records it: in the array
 * MC_FACTS_CODE_ARRAY "function", attached to function.  defval as for
 * mct_prop(); unvalued: NULL, or why the default is not a value (defval is
 * then ignored and the default is MC_FACTS_CODE_UNVALUED).
 */
void mct_code_prop(mct_rev *r, const char *function, const char *name, const char *kind, const char *defval,
		   const char *unvalued);
/* The instance_init of type (a type of the current file): "<type>_instance_init", set on first use. */
const char *mct_instance_init(mct_rev *r, const char *type);
/* type's instance_init hands its object to helper (a function of any file): helper's properties are type's. */
void mct_instance_helper(mct_rev *r, const char *type, const char *helper);

/* The last property mct_prop() added to type is built only under #if condition. */
void mct_prop_condition(mct_rev *r, const char *type, const char *condition);

/* The last property mct_prop() added to type is stored in the struct member usr ("c:@S@E1000State@FI@mq"). */
void mct_prop_field(mct_rev *r, const char *type, const char *usr);
/*
 * The current file reads member usr in function where its value shows (kind
 * "vmstate": a VMState .needed function; else an evidence-call's kind, call
 * the callee).
 */
void mct_use(mct_rev *r, const char *usr, const char *kind, const char *function, const char *call);

/* type, of the current file, has no parent but one its crate names through C bindings (Rust: "SysBusDevice"). */
void mct_parent_binding(mct_rev *r, const char *type, const char *binding);

/*
 * proxy's instance_init embeds a device of type embedded and aliases all its
 * properties (virtio-net-pci around virtio-net-device).  Both types exist.
 */
void mct_alias(mct_rev *r, const char *proxy, const char *embedded);

/* An entry of a compat array of the current file; the array is created on first use. */
void mct_compat(mct_rev *r, const char *array, const char *driver, const char *property, const char *value);
/* The same, with .optional = true. */
void mct_compat_optional(mct_rev *r, const char *array, const char *driver, const char *property,
			 const char *value);
/* An empty compat array (a machine version with nothing to keep). */
void mct_compat_array(mct_rev *r, const char *array);

/*
 * VMState.  A description var of the current file with .name name,
 * .version_id, .minimum_version_id and .needed (NULL: none), complete and
 * with .fields; a field of it (in order) putting size bytes on the wire
 * (num > 0: an array of num), then its stream version and test function;
 * a VMSTATE_STRUCT of the description nested_var; a VMSTATE_VALIDATE (no
 * bytes); a subsection.  mct_type_vmsd: type's class_init stores &var into
 * DeviceClass.vmsd (the conventions' vmstate-member).
 */
void mct_vmsd(mct_rev *r, const char *var, const char *name, int version, int min_version, const char *needed);
void mct_vmsd_field(mct_rev *r, const char *var, const char *name, int size, int num);
void mct_vmsd_field_version(mct_rev *r, const char *var, int version, const char *test);
void mct_vmsd_struct(mct_rev *r, const char *var, const char *name, const char *nested_var, int c_size);
void mct_vmsd_validate(mct_rev *r, const char *var, const char *test);
void mct_vmsd_subsection(mct_rev *r, const char *var, const char *sub_var);
void mct_type_vmsd(mct_rev *r, const char *type, const char *var);

/* The model of everything declared so far (built once). */
const mc_model *mct_model(mct_rev *r);
/* The model of QEMU built with Rust devices, or NULL when no Rust file registers a type (built once). */
const mc_model *mct_model_rust(mct_rev *r);
/* The conventions the model was built with. */
const mc_conv *mct_conv(mct_rev *r);

#endif
