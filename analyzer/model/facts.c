/*
 * facts.c - the descriptor tables of facts.h and what is derived from them:
 * freeing, the JSON form both ways, the digest and the version.
 *
 * Nothing here names a field of the facts: a new field is handled by the
 * code for its type.  Invariants:
 *  (1) A table lists every member of its struct once, in declaration order
 *      (both come from one field list of facts.h); mc_value, which is
 *      value.h's, has a table written out here and checked against a copy.
 *  (2) Records read back are always freeable: a vector grows by zeroed slots
 *      and its count is exact, also when the record is refused.
 *  (3) The JSON of a record lists its fields in table order: the text of
 *      facts that compare equal is the same (the fuzzers compare it).
 */
#include "model/facts.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/util.h"

/* ---- the tables ---------------------------------------------------------- */

/* Enums are copied to and from an int: they must have its size. */
_Static_assert(sizeof(mc_kind) == sizeof(int), "mc_kind is read and written as an int");
_Static_assert(sizeof(mc_val_type) == sizeof(int), "mc_val_type is read and written as an int");

/*
 * mc_value: invariant (1) by hand.  The copy of its declaration below must
 * change with value.h's; most added members change the size, which the
 * assertion catches, and then belong in value_fields too.
 */
struct value_copy {
	mc_val_type type;
	int is_unsigned;
	int64_t i;
	char *s;
};
_Static_assert(sizeof(struct value_copy) == sizeof(mc_value), "mc_value changed: update value_fields");

static const mc_facts_field value_fields[] = {
	{ "type", "t", MC_FACTS_ENUM, 0, offsetof(mc_value, type), 0, 0, NULL },
	{ "is_unsigned", "u", MC_FACTS_INT, 0, offsetof(mc_value, is_unsigned), 0, 0, NULL },
	{ "i", "i", MC_FACTS_INT64, 0, offsetof(mc_value, i), 0, 0, NULL },
	{ "s", "s", MC_FACTS_STR, 0, offsetof(mc_value, s), 0, 0, NULL },
};
static const mc_facts_record value_record = { "mc_value", sizeof(mc_value), value_fields,
					      sizeof(value_fields) / sizeof(value_fields[0]) };

/* A list's TYPE as a descriptor type, and the table of the struct it embeds. */
#define TYPE_STR    MC_FACTS_STR
#define TYPE_INT    MC_FACTS_INT
#define TYPE_SIZE   MC_FACTS_SIZE
#define TYPE_KIND   MC_FACTS_ENUM
#define TYPE_VALUE  MC_FACTS_RECORD
#define TYPE_STRVEC MC_FACTS_STRVEC
#define EMBEDS_STR    NULL
#define EMBEDS_INT    NULL
#define EMBEDS_SIZE   NULL
#define EMBEDS_KIND   NULL
#define EMBEDS_VALUE  (&value_record)
#define EMBEDS_STRVEC NULL

/* The callbacks of a field list, in the struct named by THIS (defined around each table). */
#define FIELD(type, member, key, flags) \
	{ #member, key, TYPE_##type, flags, offsetof(THIS, member), 0, 0, EMBEDS_##type },
#define FIELD_VEC(elem, member, count, cap, key) \
	{ #member, key, MC_FACTS_RECORDS, 0, offsetof(THIS, member), offsetof(THIS, count), offsetof(THIS, cap), \
	  &elem##_record },
#define NAME_(x) #x
#define NAME(x) NAME_(x)
#define RECORD(fields) { NAME(THIS), sizeof(THIS), fields, sizeof(fields) / sizeof(fields[0]) }

/* In dependency order: a table comes after those of the records it holds. */
#define THIS mc_prop
static const mc_facts_field mc_prop_fields[] = { MC_PROP_FIELDS(FIELD, FIELD_VEC) };
static const mc_facts_record mc_prop_record = RECORD(mc_prop_fields);
#undef THIS
#define THIS mc_prop_array
static const mc_facts_field mc_prop_array_fields[] = { MC_PROP_ARRAY_FIELDS(FIELD, FIELD_VEC) };
static const mc_facts_record mc_prop_array_record = RECORD(mc_prop_array_fields);
#undef THIS
#define THIS mc_attach
static const mc_facts_field mc_attach_fields[] = { MC_ATTACH_FIELDS(FIELD, FIELD_VEC) };
static const mc_facts_record mc_attach_record = RECORD(mc_attach_fields);
#undef THIS
#define THIS mc_typeinfo
static const mc_facts_field mc_typeinfo_fields[] = { MC_TYPEINFO_FIELDS(FIELD, FIELD_VEC) };
static const mc_facts_record mc_typeinfo_record = RECORD(mc_typeinfo_fields);
#undef THIS
#define THIS mc_virtio_pci_info
static const mc_facts_field mc_virtio_pci_info_fields[] = { MC_VIRTIO_PCI_INFO_FIELDS(FIELD, FIELD_VEC) };
static const mc_facts_record mc_virtio_pci_info_record = RECORD(mc_virtio_pci_info_fields);
#undef THIS
#define THIS mc_alias
static const mc_facts_field mc_alias_fields[] = { MC_ALIAS_FIELDS(FIELD, FIELD_VEC) };
static const mc_facts_record mc_alias_record = RECORD(mc_alias_fields);
#undef THIS
#define THIS mc_compat_entry
static const mc_facts_field mc_compat_entry_fields[] = { MC_COMPAT_ENTRY_FIELDS(FIELD, FIELD_VEC) };
static const mc_facts_record mc_compat_entry_record = RECORD(mc_compat_entry_fields);
#undef THIS
#define THIS mc_compat_array
static const mc_facts_field mc_compat_array_fields[] = { MC_COMPAT_ARRAY_FIELDS(FIELD, FIELD_VEC) };
static const mc_facts_record mc_compat_array_record = RECORD(mc_compat_array_fields);
#undef THIS
#define THIS mc_field_use
static const mc_facts_field mc_field_use_fields[] = { MC_FIELD_USE_FIELDS(FIELD, FIELD_VEC) };
static const mc_facts_record mc_field_use_record = RECORD(mc_field_use_fields);
#undef THIS
#define THIS mc_vms_field
static const mc_facts_field mc_vms_field_fields[] = { MC_VMS_FIELD_FIELDS(FIELD, FIELD_VEC) };
static const mc_facts_record mc_vms_field_record = RECORD(mc_vms_field_fields);
#undef THIS
#define THIS mc_vmsd
static const mc_facts_field mc_vmsd_fields[] = { MC_VMSD_FIELDS(FIELD, FIELD_VEC) };
static const mc_facts_record mc_vmsd_record = RECORD(mc_vmsd_fields);
#undef THIS
#define THIS mc_vmsd_use
static const mc_facts_field mc_vmsd_use_fields[] = { MC_VMSD_USE_FIELDS(FIELD, FIELD_VEC) };
static const mc_facts_record mc_vmsd_use_record = RECORD(mc_vmsd_use_fields);
#undef THIS
#define THIS mc_facts
static const mc_facts_field mc_facts_fields[] = { MC_FACTS_FIELDS(FIELD, FIELD_VEC) };
const mc_facts_record mc_facts_table = RECORD(mc_facts_fields);
#undef THIS

/* ---- walking a record ------------------------------------------------------ */

/*
 * Members are reached by offset.  Pointers and enums are copied with memcpy
 * rather than read through a cast lvalue: the record's declared types are
 * mc_prop *, mc_kind..., which a char ** or int * must not alias.
 */
static void *member(void *rec, size_t offset)
{
	return (char *)rec + offset;
}

static const void *cmember(const void *rec, size_t offset)
{
	return (const char *)rec + offset;
}

static void *get_ptr(const void *rec, size_t offset)
{
	void *p;
	memcpy(&p, cmember(rec, offset), sizeof(p));
	return p;
}

static void set_ptr(void *rec, size_t offset, void *p)
{
	memcpy(member(rec, offset), &p, sizeof(p));
}

static size_t get_size(const void *rec, size_t offset)
{
	size_t n;
	memcpy(&n, cmember(rec, offset), sizeof(n));
	return n;
}

/* Element i of a RECORDS field's vector. */
static void *element(const void *rec, const mc_facts_field *f, size_t i)
{
	return (char *)get_ptr(rec, f->offset) + i * f->record->size;
}

/* A zeroed element appended to a RECORDS field's vector (MC_VEC_PUSH by offsets). */
static void *element_push(void *rec, const mc_facts_field *f)
{
	size_t *n = member(rec, f->count), *cap = member(rec, f->cap);
	set_ptr(rec, f->offset, mc_vec_grow(get_ptr(rec, f->offset), cap, *n, f->record->size));
	return element(rec, f, (*n)++);
}

/* ---- free ---------------------------------------------------------------- */

/* Frees what the record owns, not the record itself. */
static void record_free(const mc_facts_record *r, void *rec)
{
	for (size_t k = 0; k < r->nfields; k++) {
		const mc_facts_field *f = &r->fields[k];
		switch (f->type) {
		case MC_FACTS_STR:
			free(get_ptr(rec, f->offset));
			break;
		case MC_FACTS_STRVEC:
			mc_strvec_free(member(rec, f->offset));
			break;
		case MC_FACTS_RECORD:
			record_free(f->record, member(rec, f->offset));
			break;
		case MC_FACTS_RECORDS:
			for (size_t i = 0; i < get_size(rec, f->count); i++)
				record_free(f->record, element(rec, f, i));
			free(get_ptr(rec, f->offset));
			break;
		case MC_FACTS_INT:
		case MC_FACTS_INT64:
		case MC_FACTS_SIZE:
		case MC_FACTS_ENUM:
			break;
		}
	}
}

void mc_facts_prop_free(mc_prop *p)
{
	if (p)
		record_free(&mc_prop_record, p);
}

void mc_facts_free(mc_facts *f)
{
	if (!f)
		return;
	record_free(&mc_facts_table, f);
	free(f);
}

/* ---- to JSON ------------------------------------------------------------- */

static json_t *record_to_json(const mc_facts_record *r, const void *rec);

static json_t *field_to_json(const mc_facts_field *f, const void *rec)
{
	const void *p = cmember(rec, f->offset);
	int i;
	int64_t i64;
	json_t *a;
	switch (f->type) {
	case MC_FACTS_STR:
		return mc_json_text(get_ptr(rec, f->offset));
	case MC_FACTS_INT:
	case MC_FACTS_ENUM:
		memcpy(&i, p, sizeof(i));
		return json_integer(i);
	case MC_FACTS_INT64:
		memcpy(&i64, p, sizeof(i64));
		return json_integer((json_int_t)i64);
	case MC_FACTS_SIZE:
		return json_integer((json_int_t)get_size(rec, f->offset));
	case MC_FACTS_STRVEC:
		a = json_array();
		for (size_t k = 0; k < ((const mc_strvec *)p)->n; k++)
			json_array_append_new(a, mc_json_text(((const mc_strvec *)p)->v[k]));
		return a;
	case MC_FACTS_RECORD:
		return record_to_json(f->record, p);
	case MC_FACTS_RECORDS:
		a = json_array();
		for (size_t k = 0; k < get_size(rec, f->count); k++)
			json_array_append_new(a, record_to_json(f->record, element(rec, f, k)));
		return a;
	}
	return json_null();
}

/* Invariant (3): keys in table order (jansson keeps the order of insertion). */
static json_t *record_to_json(const mc_facts_record *r, const void *rec)
{
	json_t *o = json_object();
	for (size_t k = 0; k < r->nfields; k++)
		json_object_set_new(o, r->fields[k].key, field_to_json(&r->fields[k], rec));
	return o;
}

char *mc_facts_to_json(const mc_facts *f)
{
	json_t *root = record_to_json(&mc_facts_table, f);
	char *s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	char *r = mc_strdup(s);
	free(s);
	return r;
}

/* ---- from JSON ----------------------------------------------------------- */

static int record_from_json(const mc_facts_record *r, void *rec, json_t *o);

/*
 * Reads field f of rec from v (NULL when the key is absent; any JSON type).
 * What has the wrong JSON type reads as absent, 0 or empty, as jansson's
 * getters give it.  Returns -1 when a MC_FACTS_REQUIRED string is absent
 * here or in a record below, having read the rest (invariant 2).
 */
static int field_from_json(const mc_facts_field *f, void *rec, json_t *v)
{
	void *p = member(rec, f->offset);
	const char *s;
	int i, rc = 0;
	int64_t i64;
	size_t n, k;
	json_t *e;
	switch (f->type) {
	case MC_FACTS_STR:
		s = json_string_value(v);
		set_ptr(rec, f->offset, s ? mc_strdup(s) : NULL);
		return !s && (f->flags & MC_FACTS_REQUIRED) ? -1 : 0;
	case MC_FACTS_INT:
	case MC_FACTS_ENUM:
		i = (int)json_integer_value(v);
		memcpy(p, &i, sizeof(i));
		return 0;
	case MC_FACTS_INT64:
		i64 = (int64_t)json_integer_value(v);
		memcpy(p, &i64, sizeof(i64));
		return 0;
	case MC_FACTS_SIZE:
		/* Through int, as the counts were always read: the same record, the same facts. */
		n = (size_t)(int)json_integer_value(v);
		memcpy(p, &n, sizeof(n));
		return 0;
	case MC_FACTS_STRVEC:
		json_array_foreach(v, k, e)
			if (json_is_string(e))
				mc_strvec_push(p, json_string_value(e));
		return 0;
	case MC_FACTS_RECORD:
		return record_from_json(f->record, p, v);
	case MC_FACTS_RECORDS:
		json_array_foreach(v, k, e)
			if (record_from_json(f->record, element_push(rec, f), e) < 0)
				rc = -1;
		return rc;
	}
	return 0;
}

/* rec is zeroed; o may be NULL or not an object (every field then reads as absent). */
static int record_from_json(const mc_facts_record *r, void *rec, json_t *o)
{
	int rc = 0;
	for (size_t k = 0; k < r->nfields; k++)
		if (field_from_json(&r->fields[k], rec, json_object_get(o, r->fields[k].key)) < 0)
			rc = -1;
	return rc;
}

int mc_facts_from_json(mc_facts **out, const char *text)
{
	json_error_t err;
	json_t *root = json_loads(text, 0, &err);
	if (!root || !json_is_object(root)) {
		json_decref(root);
		mc_error_set("cached facts are not valid JSON: %s", err.text);
		return MC_EPARSE;
	}
	mc_facts *f = mc_calloc(1, sizeof(*f));
	int rc = record_from_json(&mc_facts_table, f, root);
	json_decref(root);
	if (rc < 0) {
		/* Every name the model relies on must be present; a damaged record is refused. */
		mc_facts_free(f);
		mc_error_set("cached facts are incomplete");
		return MC_EPARSE;
	}
	*out = f;
	return 0;
}

/* ---- the version ----------------------------------------------------------- */

static const char *type_name(mc_facts_type t)
{
	switch (t) {
	case MC_FACTS_STR:
		return "str";
	case MC_FACTS_INT:
		return "int";
	case MC_FACTS_INT64:
		return "int64";
	case MC_FACTS_SIZE:
		return "size";
	case MC_FACTS_ENUM:
		return "enum";
	case MC_FACTS_STRVEC:
		return "strvec";
	case MC_FACTS_RECORD:
		return "record";
	case MC_FACTS_RECORDS:
		return "records";
	}
	return "?";
}

/* FNV-1a, 64 bits: a version tag, not a defence against anyone. */
static void digest_text(uint64_t *h, const char *s)
{
	/* The NUL too: "ab" "c" and "a" "bc" must differ. */
	do {
		*h ^= (unsigned char)*s;
		*h *= UINT64_C(0x100000001b3);
	} while (*s++);
}

static void digest_record(uint64_t *h, const mc_facts_record *r)
{
	char flags[16];
	digest_text(h, "record");
	digest_text(h, r->name);
	for (size_t k = 0; k < r->nfields; k++) {
		const mc_facts_field *f = &r->fields[k];
		snprintf(flags, sizeof(flags), "%u", f->flags);
		digest_text(h, f->member);
		digest_text(h, f->key);
		digest_text(h, type_name(f->type));
		digest_text(h, flags);
		if (f->record)
			digest_record(h, f->record);
	}
	digest_text(h, "end");
}

void mc_facts_digest(char hex[17], const mc_facts_record *root, unsigned schema)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	char text[16];
	snprintf(text, sizeof(text), "%u", schema);
	digest_text(&h, "migcompat facts schema");
	digest_text(&h, text);
	digest_record(&h, root);
	snprintf(hex, 17, "%016llx", (unsigned long long)h);
}

static char version[32];
static pthread_once_t version_once = PTHREAD_ONCE_INIT;

static void version_init(void)
{
	char hex[17];
	mc_facts_digest(hex, &mc_facts_table, MC_FACTS_SCHEMA);
	snprintf(version, sizeof(version), "%u-%s", (unsigned)MC_FACTS_SCHEMA, hex);
}

const char *mc_facts_version(void)
{
	/* Once, and safely from the parsing threads that compute facts keys. */
	pthread_once(&version_once, version_init);
	return version;
}
