/*
 * facts.h - what one C file of a revision declares, as extracted by libclang.
 *
 * Facts depend only on the file's content, the content of what it includes
 * and the flags it was parsed with, so they can be cached by those blob ids.
 * Every string is owned by the facts object.  Names are resolved as the
 * preprocessor of that translation unit resolves them (TYPE_* macros become
 * the type-name strings).
 */
#ifndef MC_FACTS_H
#define MC_FACTS_H

#include <stddef.h>
#include "util/util.h"
#include "model/value.h"

/*
 * Version of what the extraction produces.  Bump it with every change to
 * parse.c, tree.c or the QAPI stub that can change the facts of a file: cached
 * facts of another version are never reused.
 */
#define MC_FACTS_VERSION 9

typedef struct {
	char *name;          /* QOM property name */
	char *info;          /* PropertyInfo variable, e.g. "qdev_prop_uint32"; NULL if unknown */
	mc_kind kind;
	char *enum_type;     /* QAPI enum name for MC_KIND_ENUM when known */
	int has_default;
	mc_value defval;     /* MC_VAL_NONE when !has_default */
	char *defval_text;   /* the default's spelling (symbolic name or literal) for messages */
	int line;            /* line of the element in the file (expansion location) */
	char *condition;     /* the #if/#ifdef the element sits under in its file ("__linux__"), or NULL */
	char *suppress;      /* rule ids named by a migcompat marker comment on the line, or NULL */
} mc_prop;

typedef struct {
	char *name;          /* C variable name of the array */
	int is_static;
	int line;
	int complete;        /* 0 when the initializer was lost or an element was not understood */
	char *why_incomplete;
	mc_prop *props;
	size_t nprops, cap;
} mc_prop_array;

/*
 * class_init function -> Property array it attaches.  Two indirect forms:
 * from_class_data, when the array is read from the class_data record
 * ("info->props"): array is then that record's field; and via_call, when the
 * function passes its class to a helper that attaches: array is the helper.
 */
typedef struct {
	char *function;
	char *array;
	int line;
	int from_class_data;
	int via_call;
} mc_attach;

typedef struct {
	char *name;
	char *parent;        /* NULL for a root */
	char *class_init;    /* function name or NULL */
	char *instance_init;
	int abstract;
	int line;
	char *condition;     /* the #if the registration sits under in its file, or NULL */
	/* Property arrays named by the type's class_data record, as "field=array"
	 * (a type registered in a loop over a table of such records). */
	mc_strvec data_arrays;
} mc_typeinfo;

/* One VirtioPCIDeviceTypeInfo: generates up to four QOM types under "virtio-pci". */
typedef struct {
	char *base_name, *generic_name, *transitional_name, *non_transitional_name;
	char *parent;        /* defaults to "virtio-pci" */
	char *class_init;
	char *instance_init;
	int line;
} mc_virtio_pci_info;

/* An instance_init that embeds a device and aliases all its properties. */
typedef struct {
	char *function;      /* the instance_init */
	char *embedded_type; /* QOM type whose properties become aliases */
	int line;
} mc_alias;

typedef struct {
	char *driver;
	char *property;
	char *value;
	int optional;
	char *file;          /* where the entry is written (a header for macro-era lists) */
	int line;            /* line in that file */
	char *suppress;      /* marker comment rule ids, or NULL */
} mc_compat_entry;

typedef struct {
	char *name;          /* variable name, "compat" for function-local ones, macro name in the macro era */
	char *function;      /* enclosing function for a function-local array, else NULL */
	int line;
	mc_compat_entry *entries;
	size_t nentries, cap;
} mc_compat_array;

typedef struct {
	char *path;              /* repository-relative path of the file */
	int parsed;              /* 0: libclang could not parse it at all */
	char *error;             /* why not, or the first error diagnostic */
	size_t ndiagnostics;     /* errors and fatals */
	mc_prop_array *arrays;   size_t narrays, cap_arrays;
	mc_attach *attaches;     size_t nattaches, cap_attaches;
	mc_typeinfo *types;      size_t ntypes, cap_types;
	mc_virtio_pci_info *vpci; size_t nvpci, cap_vpci;
	mc_alias *aliases;       size_t naliases, cap_aliases;
	mc_compat_array *compat; size_t ncompat, cap_compat;
	mc_strvec refused_headers; /* "path\nwhy" of each included header read as empty */
} mc_facts;

void mc_facts_free(mc_facts *f);

/* Serialisation for the cache: JSON text (jansson). */
char *mc_facts_to_json(const mc_facts *f);
int mc_facts_from_json(mc_facts **out, const char *json);

#endif
