/*
 * effective.h - the effective default of a property under a machine version.
 *
 * QEMU sets a property in this order: the class default (the DEFINE_PROP of
 * the type or of its nearest ancestor that declares it), then every compat
 * entry of the machine whose driver is the type or an ancestor, newest array
 * first (hw before the family array of the same version), the last one
 * applied winning.  A device embedded in a proxy that aliases its properties
 * (virtio-blk-device inside virtio-blk-pci) then receives the entries that
 * name the proxy, because the proxy's globals are applied after the embedded
 * device's own.
 */
#ifndef MC_EFFECTIVE_H
#define MC_EFFECTIVE_H

#include "model/model.h"
#include "model/value.h"

/* A concrete object: a type alone, or a type embedded in a proxy. */
typedef struct {
	const mc_type *type;
	const mc_type *proxy;   /* NULL for a bare device */
} mc_subject;

typedef struct {
	mc_subject *v;
	size_t n, cap;
} mc_subjects;

/* Every concrete subject of m that has property prop, in a stable order. */
void mc_subjects_collect(const mc_model *m, const char *prop, mc_subjects *out);
void mc_subjects_free(mc_subjects *s);
/* Finds the subject with the same type (and proxy) names in another model. */
int mc_subject_find(const mc_model *m, const mc_subject *like, mc_subject *out);
/* "virtio-blk-device" or "virtio-blk-device inside virtio-blk-pci"; caller frees. */
char *mc_subject_describe(const mc_subject *s);

/* Does the subject have the property at all (declared, inherited or aliased by its proxy)? */
int mc_type_has_prop(const mc_model *m, const mc_type *t, const char *prop);

typedef struct {
	mc_kind kind;
	const mc_prop *prop;            /* the declaring DEFINE_PROP */
	const mc_compat_entry *entry;   /* last entry applied, or NULL for the class default */
	const mc_compat_set *set;
} mc_effective;

/* Effective value of prop on subject for machine family/version (the model's generic_family: generic machines). */
int mc_effective_get(const mc_model *m, const mc_subject *s, const char *prop, const char *family,
		     int major, int minor, mc_effective *out);

/* The effective value as a comparable value of the given kind; caller frees. */
mc_value mc_effective_value(const mc_effective *e, mc_kind as_kind);
/* Display form ("on", "16", "auto", "(none)"); caller frees. */
char *mc_effective_display(const mc_effective *e);
/* The same, converted to another kind (the old value of a property whose kind changed). */
char *mc_effective_display_as(const mc_effective *e, mc_kind kind);

/* 1 equal, 0 different, -1 cannot tell (a value is not known statically). */
int mc_effective_equal(const mc_effective *a, const mc_effective *b);

/* Does the entry apply to the subject (directly or through its proxy)? */
int mc_entry_applies(const mc_model *m, const mc_compat_entry *e, const mc_subject *s, const char *prop);

/* Machine versions to compare: released at base and still defined at head, newest first. */
typedef struct {
	int major, minor;
} mc_version;

size_t mc_versions_compared(const mc_model *base, const mc_model *head, mc_version **out);

#endif
