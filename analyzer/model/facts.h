/*
 * facts.h - what one C file of a revision declares, as extracted by libclang
 * (or one Rust source, as frontend/rust.c reads it: the same records).
 *
 * Facts depend only on the file's content, the content of what it includes
 * and the flags it was parsed with, so they can be cached by those blob ids.
 * Every string is owned by the facts object.  Names are resolved as the
 * preprocessor of that translation unit resolves them (TYPE_* macros become
 * the type-name strings).
 *
 * The facts are described once.  Each record struct below is generated from
 * a field list (MC_PROP_FIELDS and the others), and facts.c makes a
 * descriptor table (mc_facts_record) of each list.  Everything that walks the
 * facts as data is derived from those tables: mc_facts_free, the JSON form
 * both ways (mc_facts_to_json, mc_facts_from_json: the rows of the cache,
 * cache.c, and the answers of the parser processes, analysis.c) and the
 * version that keys the cache (mc_facts_version).  So a field added to a
 * list is freed, written, read back and changes the cache keys without
 * another edit; a field cannot be in the struct and missing from the table.
 *
 * A list holds one entry per field, in struct and JSON order:
 *     X(TYPE, member, "json key", flags)
 *     V(element type, member, count member, capacity member, "json key")
 * where TYPE is one of
 *     STR     char *: owned, NULL when absent.  JSON: a string (bytes that
 *             are not UTF-8 become '?') or null.
 *     INT     int.  JSON: an integer (anything else reads as 0).
 *     SIZE    size_t.  JSON: an integer, read back through int.
 *     KIND    mc_kind.  JSON: its integer value.
 *     VALUE   mc_value, owning its string.  JSON: {"t", "u", "i", "s"}.
 *     STRVEC  mc_strvec.  JSON: an array of strings (anything else skipped).
 * and V is a vector of records: element type *member, size_t count, capacity,
 * grown with MC_VEC_PUSH.  JSON: an array of objects.  flags is 0 or
 * MC_FACTS_REQUIRED: a record read back with that string absent is refused
 * (the model relies on it), and so are facts holding such a record.
 */
#ifndef MC_FACTS_H
#define MC_FACTS_H

#include <stddef.h>
#include "util/util.h"
#include "model/value.h"

/*
 * Version of what the extraction means, beyond the shape of the tables: bump
 * it with every change to parse.c, rust.c, tree.c or the QAPI stub that can
 * change the facts of a file.  The shape is hashed into mc_facts_version()
 * by itself.  Cached facts of another version are never reused.  15: Rust
 * sources have facts (frontend/rust.c).  16: QOM properties added by code
 * (object_class_property_add_* and the like: qom-property-call).  17:
 * VMStateDescriptions and their uses; the reads of members that show a
 * value reaches a guest or the stream.  18: where a VMState field's member
 * is declared.
 */
#define MC_FACTS_SCHEMA 18

/*
 * The default of a property a table-property line declares: each concrete
 * type sets it by code (an x86 CPU model its features), so it is kept as
 * this symbolic value, equal to itself and comparable with nothing else.
 */
#define MC_FACTS_SET_BY_CODE "(set by each concrete type)"

/* The array name of the properties a function adds by code: this prefix and the function's name. */
#define MC_FACTS_CODE_ARRAY "qom:"

/* The default of a property added by code that is not a value (why: the prop's unvalued). */
#define MC_FACTS_CODE_UNVALUED "(set by code)"

/* Field flags. */
#define MC_FACTS_REQUIRED 1

/* ---- the field lists ------------------------------------------------------ */

#define MC_PROP_FIELDS(X, V) \
	X(STR,    name,          "name", MC_FACTS_REQUIRED) /* QOM property name */ \
	X(STR,    info,          "info", 0) /* PropertyInfo variable, e.g. "qdev_prop_uint32"; NULL if unknown */ \
	X(KIND,   kind,          "kind", 0) \
	X(STR,    enum_type,     "enum", 0) /* QAPI enum name for MC_KIND_ENUM when known */ \
	X(INT,    has_default,   "has",  0) \
	X(VALUE,  defval,        "val",  0) /* MC_VAL_NONE when !has_default */ \
	X(STR,    defval_text,   "text", 0) /* the default's spelling (symbolic name or literal) for messages */ \
	X(INT,    line,          "line", 0) /* line of the element in the file (expansion location) */ \
	X(STR,    condition,     "cond", 0) /* the #if/#ifdef the element sits under in its file ("__linux__"), or NULL */ \
	X(STR,    suppress,      "supp", 0) /* rule ids named by a migcompat marker comment on the line, or NULL */ \
	/* the struct member the value is stored in, as libclang's USR ("c:@S@PCSpkState@FI@migrate"): \
	 * the same in every file that includes the struct, so uses elsewhere join it; NULL if unknown */ \
	X(STR,    field,         "fld",  0) \
	/* added by code (qom-property-call): why its default is not a value, or NULL when it is one \
	 * or when the property has none to compare (a link) */ \
	X(STR,    unvalued,      "unv",  0)

#define MC_PROP_ARRAY_FIELDS(X, V) \
	X(STR,    name,           "name",     MC_FACTS_REQUIRED) /* C variable name of the array */ \
	X(INT,    is_static,      "static",   0) \
	X(INT,    line,           "line",     0) \
	X(INT,    complete,       "complete", 0) /* 0 when the initializer was lost or an element was not understood */ \
	X(STR,    why_incomplete, "why",      0) \
	/* the type a table-property line gives the names to (their defaults are set by code), \
	 * or NULL for a Property array a class_init attaches */ \
	X(STR,    owner,          "owner",    0) \
	/* the properties a function adds by code (qom-property-call lines), named "qom:FUNCTION", \
	 * attached to the types whose class_init or instance_init is that function or reaches it */ \
	X(INT,    by_code,        "code",     0) \
	V(mc_prop, props, nprops, cap, "props")

/*
 * class_init function -> Property array it attaches.  Two indirect forms:
 * from_class_data, when the array is read from the class_data record
 * ("info->props"): array is then that record's field; and via_call, when the
 * function passes its class to a helper that attaches: array is the helper.
 */
#define MC_ATTACH_FIELDS(X, V) \
	X(STR,    function,        "f",    MC_FACTS_REQUIRED) \
	X(STR,    array,           "a",    MC_FACTS_REQUIRED) \
	X(INT,    line,            "l",    0) \
	X(INT,    from_class_data, "cd",   0) \
	X(INT,    via_call,        "call", 0)

/*
 * data_arrays: the Property arrays named by the type's class_data record, as
 * "field=array" (a type registered in a loop over a table of such records).
 */
#define MC_TYPEINFO_FIELDS(X, V) \
	X(STR,    name,          "name",     MC_FACTS_REQUIRED) \
	X(STR,    parent,        "parent",   0) /* NULL for a root */ \
	X(STR,    class_init,    "ci",       0) /* function name or NULL */ \
	X(STR,    instance_init, "ii",       0) \
	X(INT,    abstract,      "abstract", 0) \
	X(INT,    line,          "line",     0) \
	X(STR,    condition,     "cond",     0) /* the #if the registration sits under in its file, or NULL */ \
	X(STRVEC, data_arrays,   "data",     0) \
	/* Rust: the parent as the crate names it when the crate gives it no QOM name (SysBusDevice, \
	 * a wrapper of a C type, whose name only the C headers hold); parent is then NULL */ \
	X(STR,    parent_binding, "pbind",   0)

/* One VirtioPCIDeviceTypeInfo: generates up to four QOM types under "virtio-pci". */
#define MC_VIRTIO_PCI_INFO_FIELDS(X, V) \
	X(STR,    base_name,             "base",     0) \
	X(STR,    generic_name,          "generic",  0) \
	X(STR,    transitional_name,     "trans",    0) \
	X(STR,    non_transitional_name, "nontrans", 0) \
	X(STR,    parent,                "parent",   0) /* defaults to "virtio-pci" */ \
	X(STR,    class_init,            "ci",       0) \
	X(STR,    instance_init,         "ii",       0) \
	X(INT,    line,                  "line",     0)

/* An instance_init that embeds a device and aliases all its properties. */
#define MC_ALIAS_FIELDS(X, V) \
	X(STR,    function,      "f", MC_FACTS_REQUIRED) /* the instance_init */ \
	X(STR,    embedded_type, "t", MC_FACTS_REQUIRED) /* QOM type whose properties become aliases */ \
	X(INT,    line,          "l", 0)

#define MC_COMPAT_ENTRY_FIELDS(X, V) \
	X(STR,    driver,   "d", MC_FACTS_REQUIRED) \
	X(STR,    property, "p", MC_FACTS_REQUIRED) \
	X(STR,    value,    "v", MC_FACTS_REQUIRED) \
	X(INT,    optional, "o", 0) \
	X(STR,    file,     "f", 0) /* where the entry is written (a header for macro-era lists) */ \
	X(INT,    line,     "l", 0) /* line in that file */ \
	X(STR,    suppress, "s", 0) /* marker comment rule ids, or NULL */

/*
 * A read of a struct member in a place that shows its value reaches a guest or
 * the migration stream (the evidence that grades a new property's default):
 * kind is "vmstate" (a .needed or .field_exists function of a
 * VMStateDescription reads it) or the kind a conventions evidence-call line
 * gives the call whose arguments hold the read, or whose call an if on it
 * decides ("pci-config").  One record per member, kind and function.
 */
#define MC_FIELD_USE_FIELDS(X, V) \
	X(STR,    field,    "fld",  MC_FACTS_REQUIRED) /* USR, as mc_prop.field */ \
	X(STR,    kind,     "k",    MC_FACTS_REQUIRED) \
	X(STR,    function, "fn",   0) /* the function that reads it */ \
	X(STR,    call,     "call", 0) /* the call that makes it evidence (NULL for vmstate) */ \
	X(INT,    line,     "l",    0)

#define MC_COMPAT_ARRAY_FIELDS(X, V) \
	/* variable name, "compat" for a function-local one, the macro's name in the macro era */ \
	X(STR,    name,     "name", MC_FACTS_REQUIRED) \
	X(STR,    function, "fn",   0) /* enclosing function for a function-local array, else NULL */ \
	X(INT,    line,     "line", 0) \
	V(mc_compat_entry, entries, nentries, cap, "entries")

/*
 * One VMStateField of a description, read from the initializer clang expands
 * its VMSTATE_* macro to; values evaluated for the x86_64 host.
 */
#define MC_VMS_FIELD_FIELDS(X, V) \
	X(STR,    name,     "name",  MC_FACTS_REQUIRED) /* .name, "unused" for VMSTATE_UNUSED */ \
	X(INT,    version,  "v",     0) /* .version_id: the stream version that added the field */ \
	X(STR,    test,     "test",  0) /* .field_exists: the test function's name, or NULL */ \
	X(INT,    num,      "num",   0) /* .num, the element count of a fixed array; 0 when absent */ \
	X(STR,    count,    "count", 0) /* the member .num_offset reads (a variable array's count), or NULL */ \
	X(INT,    size,     "size",  0) /* .size in bytes; -1 when it could not be evaluated */ \
	X(STR,    flags,    "flags", 0) /* the VMStateFlags constants .flags names, "VMS_ARRAY|VMS_POINTER" */ \
	X(STR,    info,     "info",  0) /* the VMStateInfo variable (.info), or NULL */ \
	X(STR,    vmsd,     "vmsd",  0) /* the variable of the nested description (.vmsd), or NULL */ \
	X(INT,    line,     "line",  0) \
	/* where the member .offset names is declared (a header, often): a change there moves the \
	 * field's bytes while the description's file is untouched; NULL, 0 when unknown */ \
	X(STR,    member_file, "mfile", 0) \
	X(INT,    member_line, "mline", 0)

/*
 * One VMStateDescription variable at file level.  complete is 0 when
 * something of it could not be read (why_incomplete says what); its fields
 * are then what could be.  subsections: the variables .subsections lists.
 */
#define MC_VMSD_FIELDS(X, V) \
	X(STR,    var,            "var",      MC_FACTS_REQUIRED) /* C variable name */ \
	X(INT,    is_static,      "static",   0) \
	X(STR,    name,           "name",     0) /* .name; NULL when not a constant string */ \
	X(INT,    version,        "v",        0) /* .version_id */ \
	X(INT,    min_version,    "minv",     0) /* .minimum_version_id */ \
	X(STR,    needed,         "needed",   0) /* .needed function, or NULL */ \
	X(INT,    has_fields,     "hasf",     0) /* .fields is given (QEMU's dump lists Fields only then) */ \
	X(INT,    line,           "line",     0) \
	X(INT,    complete,       "complete", 0) \
	X(STR,    why_incomplete, "why",      0) \
	V(mc_vms_field, fields, nfields, cap, "fields") \
	X(STRVEC, subsections,    "subs",     0)

/*
 * A description's address given away in a function: stored into a member
 * ("DeviceClass.vmsd" for dc->vmsd = &x: the struct and member written to)
 * or passed to a call ("vmstate_register" for vmstate_register(..., &x, ...)).
 */
#define MC_VMSD_USE_FIELDS(X, V) \
	X(STR,    function, "f",   MC_FACTS_REQUIRED) /* the function it happens in */ \
	X(STR,    vmsd,     "d",   MC_FACTS_REQUIRED) /* the description's variable */ \
	X(STR,    via,      "via", MC_FACTS_REQUIRED) \
	X(INT,    line,     "l",   0)

#define MC_FACTS_FIELDS(X, V) \
	X(STR,    path,            "path",    MC_FACTS_REQUIRED) /* repository-relative path of the file */ \
	X(INT,    parsed,          "parsed",  0) /* 0: libclang could not parse it at all */ \
	/* read from Rust sources (frontend/rust.c): its types exist only in a build with Rust devices */ \
	X(INT,    rust,            "rust",    0) \
	X(STR,    error,           "error",   0) /* why not, or the first error diagnostic */ \
	X(SIZE,   ndiagnostics,    "ndiag",   0) /* errors and fatals */ \
	X(STRVEC, refused_headers, "refused", 0) /* "path\nwhy" of each included header read as empty */ \
	/* "LINE: what: why" of each record a conventions table line names that is not constant */ \
	X(STRVEC, unresolved,      "unres",   0) \
	V(mc_prop_array,      arrays,   narrays,   cap_arrays,   "arrays") \
	V(mc_attach,          attaches, nattaches, cap_attaches, "attaches") \
	V(mc_typeinfo,        types,    ntypes,    cap_types,    "types") \
	V(mc_virtio_pci_info, vpci,     nvpci,     cap_vpci,     "vpci") \
	V(mc_alias,           aliases,  naliases,  cap_aliases,  "aliases") \
	V(mc_compat_array,    compat,   ncompat,   cap_compat,   "compat") \
	V(mc_field_use,       uses,     nuses,     cap_uses,     "uses") \
	V(mc_vmsd,            vmsds,    nvmsds,    cap_vmsds,    "vmsds") \
	V(mc_vmsd_use,        vmsd_uses, nvmsd_uses, cap_vmsd_uses, "vmsd_uses")

/* ---- the structs, declared from the lists --------------------------------- */

#define MC_FACTS_CTYPE_STR    char *
#define MC_FACTS_CTYPE_INT    int
#define MC_FACTS_CTYPE_SIZE   size_t
#define MC_FACTS_CTYPE_KIND   mc_kind
#define MC_FACTS_CTYPE_VALUE  mc_value
#define MC_FACTS_CTYPE_STRVEC mc_strvec
#define MC_FACTS_DECLARE(type, member, key, flags) MC_FACTS_CTYPE_##type member;
#define MC_FACTS_DECLARE_VEC(elem, member, count, cap, key) elem *member; size_t count, cap;

typedef struct { MC_PROP_FIELDS(MC_FACTS_DECLARE, MC_FACTS_DECLARE_VEC) } mc_prop;
typedef struct { MC_PROP_ARRAY_FIELDS(MC_FACTS_DECLARE, MC_FACTS_DECLARE_VEC) } mc_prop_array;
typedef struct { MC_ATTACH_FIELDS(MC_FACTS_DECLARE, MC_FACTS_DECLARE_VEC) } mc_attach;
typedef struct { MC_TYPEINFO_FIELDS(MC_FACTS_DECLARE, MC_FACTS_DECLARE_VEC) } mc_typeinfo;
typedef struct { MC_VIRTIO_PCI_INFO_FIELDS(MC_FACTS_DECLARE, MC_FACTS_DECLARE_VEC) } mc_virtio_pci_info;
typedef struct { MC_ALIAS_FIELDS(MC_FACTS_DECLARE, MC_FACTS_DECLARE_VEC) } mc_alias;
typedef struct { MC_COMPAT_ENTRY_FIELDS(MC_FACTS_DECLARE, MC_FACTS_DECLARE_VEC) } mc_compat_entry;
typedef struct { MC_COMPAT_ARRAY_FIELDS(MC_FACTS_DECLARE, MC_FACTS_DECLARE_VEC) } mc_compat_array;
typedef struct { MC_FIELD_USE_FIELDS(MC_FACTS_DECLARE, MC_FACTS_DECLARE_VEC) } mc_field_use;
typedef struct { MC_VMS_FIELD_FIELDS(MC_FACTS_DECLARE, MC_FACTS_DECLARE_VEC) } mc_vms_field;
typedef struct { MC_VMSD_FIELDS(MC_FACTS_DECLARE, MC_FACTS_DECLARE_VEC) } mc_vmsd;
typedef struct { MC_VMSD_USE_FIELDS(MC_FACTS_DECLARE, MC_FACTS_DECLARE_VEC) } mc_vmsd_use;
typedef struct { MC_FACTS_FIELDS(MC_FACTS_DECLARE, MC_FACTS_DECLARE_VEC) } mc_facts;

void mc_facts_free(mc_facts *f);
/* Frees what one property record owns (one not yet in facts), not the record itself. */
void mc_facts_prop_free(mc_prop *p);

/*
 * The JSON form (jansson), for the cache and the parser processes.  to_json
 * returns text the caller frees.  from_json returns 0 and facts the caller
 * frees with mc_facts_free, or MC_EPARSE (message set) for text that is not
 * a JSON object or facts missing a MC_FACTS_REQUIRED string.
 */
char *mc_facts_to_json(const mc_facts *f);
int mc_facts_from_json(mc_facts **out, const char *json);

/* ---- the descriptor tables ------------------------------------------------ */

typedef enum {
	MC_FACTS_STR,      /* char * */
	MC_FACTS_INT,      /* int */
	MC_FACTS_INT64,    /* int64_t */
	MC_FACTS_SIZE,     /* size_t */
	MC_FACTS_ENUM,     /* an enum of the size of int (mc_kind, mc_val_type) */
	MC_FACTS_STRVEC,   /* mc_strvec */
	MC_FACTS_RECORD,   /* a struct embedded in the record, described by record */
	MC_FACTS_RECORDS   /* a vector of records: pointer, count and capacity */
} mc_facts_type;

typedef struct mc_facts_record mc_facts_record;

typedef struct {
	const char *member;            /* the C member's name */
	const char *key;               /* its JSON key */
	mc_facts_type type;
	unsigned flags;                /* 0 or MC_FACTS_REQUIRED */
	size_t offset;                 /* of the member (for RECORDS: of the pointer) */
	size_t count, cap;             /* RECORDS: offsets of the count and the capacity; else 0 */
	const mc_facts_record *record; /* RECORD, RECORDS: the element's table; else NULL */
} mc_facts_field;

struct mc_facts_record {
	const char *name;              /* C type name */
	size_t size;                   /* sizeof that type */
	const mc_facts_field *fields;
	size_t nfields;
};

/* The table of mc_facts; the others are reached through its fields. */
extern const mc_facts_record mc_facts_table;

/*
 * The digest of a table and of every table it reaches (type names, members,
 * keys, types, flags, in order), mixed with a schema number: 16 hex digits
 * and a NUL in hex.  Offsets and sizes are left out: they change with the
 * compiler, not with what the cache holds.
 */
void mc_facts_digest(char hex[17], const mc_facts_record *root, unsigned schema);

/*
 * "MC_FACTS_SCHEMA-digest of mc_facts_table": the version of the facts that
 * keys the cache (analysis.c, cache.c).  A static string.
 */
const char *mc_facts_version(void);

#endif
