/*
 * test_facts.c - model/facts.h: the facts described once.
 *
 * The JSON form and the version are derived from the descriptor tables, so
 * these tests walk the tables too: a field added to a list of facts.h is
 * filled, round-tripped and compared here without an edit.
 *  - json: every field of every record, set to a value of its own, survives
 *    mc_facts_to_json and mc_facts_from_json; the text is the one the
 *    hand-written encoder gave (pinned); a record without a required name
 *    is refused, for each required name;
 *  - tables: each follows its struct (invariant 1 of facts.c);
 *  - version: the digest changes when a table does (a field added, a key
 *    or member renamed, a type or flag changed, two fields swapped, a table
 *    below the root edited) or the schema does, and only then.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/facts.h"
#include "util/util.h"

/* ---- walking a record by its table, as facts.c does ---------------------- */

static void *at(const void *rec, size_t offset)
{
	return (char *)rec + offset;
}

static void *ptr_at(const void *rec, size_t offset)
{
	void *p;
	memcpy(&p, at(rec, offset), sizeof(p));
	return p;
}

static size_t size_at(const void *rec, size_t offset)
{
	size_t n;
	memcpy(&n, at(rec, offset), sizeof(n));
	return n;
}

/* Elements per vector, and strings per string vector, in a filled record. */
#define FILL_N 2

/*
 * Sets every field of rec (zeroed) to a value no other field has: strings
 * "member#n", integers n (an int64 beyond the range of int), FILL_N
 * elements in every vector.  *n counts the values given.
 */
static void fill(const mc_facts_record *r, void *rec, int *n)
{
	for (size_t k = 0; k < r->nfields; k++) {
		const mc_facts_field *f = &r->fields[k];
		void *p = at(rec, f->offset);
		int i = ++*n;
		int64_t i64 = ((int64_t)1 << 40) + i;
		size_t z = (size_t)i;
		char *s = mc_sprintf("%s#%d", f->member, i);
		switch (f->type) {
		case MC_FACTS_STR:
			memcpy(p, &s, sizeof(s));
			s = NULL;
			break;
		case MC_FACTS_INT:
		case MC_FACTS_ENUM:
			memcpy(p, &i, sizeof(i));
			break;
		case MC_FACTS_INT64:
			memcpy(p, &i64, sizeof(i64));
			break;
		case MC_FACTS_SIZE:
			memcpy(p, &z, sizeof(z));
			break;
		case MC_FACTS_STRVEC:
			for (int e = 0; e < FILL_N; e++)
				mc_strvec_push_owned(p, mc_sprintf("%s[%d]", s, e));
			break;
		case MC_FACTS_RECORD:
			fill(f->record, p, n);
			break;
		case MC_FACTS_RECORDS: {
			char *v = mc_calloc(FILL_N, f->record->size);
			size_t count = FILL_N;
			for (int e = 0; e < FILL_N; e++)
				fill(f->record, v + (size_t)e * f->record->size, n);
			memcpy(p, &v, sizeof(v));
			memcpy(at(rec, f->count), &count, sizeof(count));
			memcpy(at(rec, f->cap), &count, sizeof(count));
			break;
		}
		}
		free(s);
	}
}

static mc_facts *filled_facts(int *n)
{
	mc_facts *f = mc_calloc(1, sizeof(*f));
	*n = 0;
	fill(&mc_facts_table, f, n);
	return f;
}

/* Fails, naming the field by its path from the root, unless a and b hold the same values. */
static void expect_equal(const mc_facts_record *r, const void *a, const void *b, const char *path)
{
	for (size_t k = 0; k < r->nfields; k++) {
		const mc_facts_field *f = &r->fields[k];
		const void *pa = at(a, f->offset), *pb = at(b, f->offset);
		char where[512];
		snprintf(where, sizeof(where), "%s.%s", path, f->member);
		switch (f->type) {
		case MC_FACTS_STR:
			if (!ptr_at(a, f->offset) || !ptr_at(b, f->offset) ||
			    strcmp(ptr_at(a, f->offset), ptr_at(b, f->offset)) != 0)
				fail_msg("%s: '%s' came back as '%s'", where, (char *)ptr_at(a, f->offset),
					 ptr_at(b, f->offset) ? (char *)ptr_at(b, f->offset) : "(null)");
			break;
		case MC_FACTS_INT:
		case MC_FACTS_ENUM:
			if (memcmp(pa, pb, sizeof(int)) != 0)
				fail_msg("%s: the int changed", where);
			break;
		case MC_FACTS_INT64:
			if (memcmp(pa, pb, sizeof(int64_t)) != 0)
				fail_msg("%s: the int64 changed", where);
			break;
		case MC_FACTS_SIZE:
			if (size_at(a, f->offset) != size_at(b, f->offset))
				fail_msg("%s: %zu came back as %zu", where, size_at(a, f->offset), size_at(b, f->offset));
			break;
		case MC_FACTS_STRVEC: {
			const mc_strvec *va = pa, *vb = pb;
			if (va->n != FILL_N || vb->n != va->n)
				fail_msg("%s: %zu strings came back as %zu", where, va->n, vb->n);
			for (size_t e = 0; e < va->n; e++)
				if (strcmp(va->v[e], vb->v[e]) != 0)
					fail_msg("%s[%zu]: '%s' came back as '%s'", where, e, va->v[e], vb->v[e]);
			break;
		}
		case MC_FACTS_RECORD:
			expect_equal(f->record, pa, pb, where);
			break;
		case MC_FACTS_RECORDS:
			if (size_at(a, f->count) != FILL_N || size_at(b, f->count) != FILL_N)
				fail_msg("%s: %zu records came back as %zu", where, size_at(a, f->count),
					 size_at(b, f->count));
			for (size_t e = 0; e < FILL_N; e++) {
				char elem[600];
				snprintf(elem, sizeof(elem), "%s[%zu]", where, e);
				expect_equal(f->record, (char *)ptr_at(a, f->offset) + e * f->record->size,
					     (char *)ptr_at(b, f->offset) + e * f->record->size, elem);
			}
			break;
		}
	}
}

/* Every object of the JSON of a filled record has exactly the keys of its table, in order. */
static void expect_keys(const mc_facts_record *r, json_t *o, const char *path)
{
	if (!json_is_object(o))
		fail_msg("%s: not a JSON object", path);
	if (json_object_size(o) != r->nfields)
		fail_msg("%s: %zu keys for %zu fields", path, json_object_size(o), r->nfields);
	const char *key;
	json_t *v;
	size_t k = 0;
	json_object_foreach(o, key, v) {
		const mc_facts_field *f = &r->fields[k++];
		if (strcmp(key, f->key) != 0)
			fail_msg("%s: key '%s' where the table has '%s'", path, key, f->key);
		if (f->type == MC_FACTS_RECORD)
			expect_keys(f->record, v, key);
		if (f->type == MC_FACTS_RECORDS)
			for (size_t e = 0; e < json_array_size(v); e++)
				expect_keys(f->record, json_array_get(v, e), key);
	}
}

/* ---- json ---------------------------------------------------------------- */

static void test_json_every_field_round_trips(void **state)
{
	(void)state;
	int n;
	mc_facts *f = filled_facts(&n);
	assert_true(n > 100); /* every table was reached: 9 records, most of them several times */
	char *json = mc_facts_to_json(f);
	mc_facts *back = NULL;
	if (mc_facts_from_json(&back, json) != 0)
		fail_msg("the JSON of filled facts was refused: %s", mc_error_last());
	expect_equal(&mc_facts_table, f, back, "mc_facts");

	/* The same through the names, for a few: the walk above did reach them. */
	assert_string_equal(back->arrays[1].props[1].defval.s, f->arrays[1].props[1].defval.s);
	assert_true(back->arrays[1].props[1].defval.i > INT32_MAX);
	assert_int_equal(back->arrays[1].props[1].defval.i, f->arrays[1].props[1].defval.i);
	assert_int_equal(back->arrays[0].props[1].kind, f->arrays[0].props[1].kind);
	assert_int_equal(back->ndiagnostics, f->ndiagnostics);
	assert_string_equal(back->types[1].data_arrays.v[1], f->types[1].data_arrays.v[1]);
	assert_string_equal(back->compat[1].entries[0].suppress, f->compat[1].entries[0].suppress);
	assert_int_equal(back->vpci[0].line, f->vpci[0].line);
	assert_int_equal(back->attaches[1].via_call, f->attaches[1].via_call);
	assert_string_equal(back->aliases[1].embedded_type, f->aliases[1].embedded_type);
	assert_string_equal(back->refused_headers.v[0], f->refused_headers.v[0]);

	char *again = mc_facts_to_json(back);
	assert_string_equal(again, json);
	json_t *root = json_loads(json, 0, NULL);
	assert_non_null(root);
	expect_keys(&mc_facts_table, root, "mc_facts");
	json_decref(root);
	free(again);
	free(json);
	mc_facts_free(back);
	mc_facts_free(f);
}

/*
 * Facts with every record type and every key, as the hand-written encoder
 * before the tables wrote them (and as the cache holds them), with the keys
 * of Rust sources' facts since ("rust", "pbind"), of properties added by
 * code ("code", "unv"), of member reads ("fld", "uses") and VMState's
 * ("vmsds", "vmsd_uses", a field's "mfile" and "mline"): the text must come back
 * byte for byte.
 */
static const char pinned[] =
	"{\"path\":\"hw/virtio/virtio-x.c\",\"parsed\":1,\"rust\":0,\"error\":\"hw/virtio/virtio-x.c:3: error: caf\xc3\xa9\","
	"\"ndiag\":2,\"refused\":[\"include/a.h\\ntoo big\",\"include/b.h\\nbinary\"],\"unres\":[\"12: defs: not a "
	"string\"],\"arrays\":[{\"name\":\"x_props\",\"static\":1,\"line\":10,\"complete\":0,\"why\":\"element 3\","
	"\"owner\":\"x-cpu\",\"code\":1,\"props\":[{\"name\":\"p1\",\"info\":"
	"\"qdev_prop_uint32\",\"kind\":3,\"enum\":null,\"has\":1,\"val\":{\"t\":2,\"u\":1,\"i\":-5,\"s\":null},\"text\":"
	"\"0x10\",\"line\":11,\"cond\":\"__linux__\",\"supp\":\"compat-missing\",\"fld\":\"c:@S@X@FI@p1\",\"unv\":\"a getter\"},{\"name\":\"p2\",\"info\":"
	"\"qdev_prop_on_off_auto\",\"kind\":5,\"enum\":\"OnOffAuto\",\"has\":1,\"val\":{\"t\":3,\"u\":0,\"i\":4294967296,"
	"\"s\":\"auto\"},\"text\":\"ON_OFF_AUTO_AUTO\",\"line\":12,\"cond\":null,\"supp\":null,\"fld\":null,\"unv\":null}]}],\"attaches\":[{\"f\":"
	"\"x_class_init\",\"a\":\"x_props\",\"l\":20,\"cd\":1,\"call\":1}],\"types\":[{\"name\":\"x-dev\",\"parent\":"
	"\"device\",\"ci\":\"x_class_init\",\"ii\":\"x_init\",\"abstract\":1,\"line\":30,\"cond\":\"CONFIG_X\",\"data\":"
	"[\"props=x_props\",\"more=y_props\"],\"pbind\":\"SysBusDevice\"}],\"vpci\":[{\"base\":\"virtio-x-pci-base\",\"generic\":\"virtio-x-pci\","
	"\"trans\":\"virtio-x-pci-transitional\",\"nontrans\":\"virtio-x-pci-non-transitional\",\"parent\":"
	"\"virtio-pci\",\"ci\":\"vx_class_init\",\"ii\":\"vx_init\",\"line\":40}],\"aliases\":[{\"f\":\"vx_init\",\"t\":"
	"\"virtio-x-device\",\"l\":41}],\"compat\":[{\"name\":\"hw_compat_9_2\",\"fn\":\"pc_compat\",\"line\":50,"
	"\"entries\":[{\"d\":\"x-dev\",\"p\":\"p1\",\"v\":\"off\",\"o\":1,\"f\":\"hw/core/machine.c\",\"l\":51,\"s\":"
	"\"compat-dangling\"}]}],\"uses\":[{\"fld\":\"c:@S@X@FI@p1\",\"k\":\"vmstate\",\"fn\":\"x_needed\","
	"\"call\":null,\"l\":60}],\"vmsds\":[{\"var\":\"vmstate_x\",\"static\":1,\"name\":\"x-dev\",\"v\":2,"
	"\"minv\":1,\"needed\":null,\"hasf\":1,\"line\":60,\"complete\":0,\"why\":\"line 62: size\",\"fields\":"
	"[{\"name\":\"regs\",\"v\":0,\"test\":\"x_test\",\"num\":4,\"count\":\"nregs\",\"size\":4,\"flags\":"
	"\"VMS_ARRAY\",\"info\":\"vmstate_info_int32\",\"vmsd\":\"vmstate_y\",\"line\":61,\"mfile\":"
	"\"include/hw/x.h\",\"mline\":7}],\"subs\":"
	"[\"vmstate_x_sub\"]}],\"vmsd_uses\":[{\"f\":\"x_class_init\",\"d\":\"vmstate_x\",\"via\":"
	"\"DeviceClass.vmsd\",\"l\":21}]}";

static void test_json_text_is_unchanged(void **state)
{
	(void)state;
	mc_facts *f = NULL;
	if (mc_facts_from_json(&f, pinned) != 0)
		fail_msg("pinned facts refused: %s", mc_error_last());
	assert_string_equal(f->arrays[0].props[1].enum_type, "OnOffAuto");
	assert_int_equal(f->arrays[0].props[1].defval.i, INT64_C(4294967296));
	assert_int_equal(f->arrays[0].props[0].defval.i, -5);
	assert_int_equal(f->arrays[0].props[1].kind, MC_KIND_ENUM);
	char *json = mc_facts_to_json(f);
	assert_string_equal(json, pinned);
	free(json);
	mc_facts_free(f);
}

/*
 * Clears the k-th MC_FACTS_REQUIRED string met walking rec (depth first),
 * naming it in where; returns 0 when there are fewer than k + 1.
 */
static int clear_required(const mc_facts_record *r, void *rec, int *k, char *where, size_t size)
{
	for (size_t i = 0; i < r->nfields; i++) {
		const mc_facts_field *f = &r->fields[i];
		if (f->type == MC_FACTS_STR && (f->flags & MC_FACTS_REQUIRED) && (*k)-- == 0) {
			free(ptr_at(rec, f->offset));
			memset(at(rec, f->offset), 0, sizeof(char *));
			snprintf(where, size, "%s.%s", r->name, f->member);
			return 1;
		}
		if (f->type == MC_FACTS_RECORD && clear_required(f->record, at(rec, f->offset), k, where, size))
			return 1;
		if (f->type == MC_FACTS_RECORDS)
			for (size_t e = 0; e < size_at(rec, f->count); e++)
				if (clear_required(f->record, (char *)ptr_at(rec, f->offset) + e * f->record->size, k,
						   where, size))
					return 1;
	}
	return 0;
}

static void test_json_refuses_a_missing_name(void **state)
{
	(void)state;
	int tried = 0;
	for (int k = 0;; k++) {
		int n, left = k;
		char where[256];
		mc_facts *f = filled_facts(&n);
		if (!clear_required(&mc_facts_table, f, &left, where, sizeof(where))) {
			mc_facts_free(f);
			break;
		}
		char *json = mc_facts_to_json(f);
		mc_facts *back = NULL;
		if (mc_facts_from_json(&back, json) != MC_EPARSE)
			fail_msg("facts without %s were accepted", where);
		assert_null(back);
		assert_non_null(strstr(mc_error_last(), "incomplete"));
		mc_error_clear();
		free(json);
		mc_facts_free(f);
		tried++;
	}
	/* Filled facts hold FILL_N == 2 records in every vector: the path; per array its name and its
	 * props' names; per attach 2; per type 1; per alias 2; per compat array its name and 3 per entry;
	 * per member read 2; per description its variable and its fields' names; per use of one 3. */
	assert_int_equal(tried, 1 + 2 * (1 + 2 * 1) + 2 * 2 + 2 + 2 * 2 + 2 * (1 + 2 * 3) + 2 * 2 + 2 * (1 + 2 * 1) +
					2 * 3);
}

/* ---- tables -------------------------------------------------------------- */

static void expect_table_follows_struct(const mc_facts_record *r)
{
	assert_true(r->nfields > 0);
	assert_int_equal(r->fields[0].offset, 0);
	for (size_t k = 0; k < r->nfields; k++) {
		const mc_facts_field *f = &r->fields[k];
		if (k && f->offset <= r->fields[k - 1].offset)
			fail_msg("%s.%s: not after %s", r->name, f->member, r->fields[k - 1].member);
		assert_true(f->offset < r->size);
		for (size_t j = 0; j < k; j++)
			if (strcmp(f->key, r->fields[j].key) == 0)
				fail_msg("%s: key '%s' twice", r->name, f->key);
		if (f->type == MC_FACTS_RECORD || f->type == MC_FACTS_RECORDS) {
			assert_non_null(f->record);
			expect_table_follows_struct(f->record);
		} else {
			assert_null(f->record);
		}
		if (f->type == MC_FACTS_RECORDS)
			assert_true(f->offset < f->count && f->count < f->cap && f->cap < r->size);
	}
}

static void test_tables_follow_the_structs(void **state)
{
	(void)state;
	assert_string_equal(mc_facts_table.name, "mc_facts");
	assert_int_equal(mc_facts_table.size, sizeof(mc_facts));
	expect_table_follows_struct(&mc_facts_table);
}

/* ---- version ------------------------------------------------------------- */

/* A copy of a table, to be edited. */
typedef struct {
	mc_facts_field fields[32];
	mc_facts_record record;
} table_copy;

static mc_facts_record *copy_table(table_copy *c, const mc_facts_record *r)
{
	assert_true(r->nfields < sizeof(c->fields) / sizeof(c->fields[0]));
	memcpy(c->fields, r->fields, r->nfields * sizeof(*r->fields));
	c->record = *r;
	c->record.fields = c->fields;
	return &c->record;
}

static mc_facts_field *field_named(table_copy *c, const char *member)
{
	for (size_t k = 0; k < c->record.nfields; k++)
		if (strcmp(c->fields[k].member, member) == 0)
			return &c->fields[k];
	fail_msg("no field %s in %s", member, c->record.name);
	return NULL;
}

/* The digest in one of a few static buffers: good until the fourth call after. */
static const char *digest(const mc_facts_record *r, unsigned schema)
{
	static char hex[4][17];
	static int next;
	char *h = hex[next++ % 4];
	mc_facts_digest(h, r, schema);
	assert_int_equal(strlen(h), 16);
	return h;
}

/* The digest of the tables as they are. */
static void base_digest(char hex[17])
{
	mc_facts_digest(hex, &mc_facts_table, MC_FACTS_SCHEMA);
}

static void test_version_is_schema_and_digest(void **state)
{
	(void)state;
	char want[64];
	snprintf(want, sizeof(want), "%u-%s", (unsigned)MC_FACTS_SCHEMA, digest(&mc_facts_table, MC_FACTS_SCHEMA));
	assert_string_equal(mc_facts_version(), want);
	assert_ptr_equal(mc_facts_version(), mc_facts_version());
	/* A copy is the same table: the digest reads what the tables say, not where they are. */
	table_copy c;
	assert_string_equal(digest(copy_table(&c, &mc_facts_table), MC_FACTS_SCHEMA),
			    digest(&mc_facts_table, MC_FACTS_SCHEMA));
}

static void test_version_changes_with_the_root_table(void **state)
{
	(void)state;
	char base[17];
	base_digest(base);
	table_copy c;

	/* A field added. */
	mc_facts_record *r = copy_table(&c, &mc_facts_table);
	c.fields[r->nfields] = (mc_facts_field){ "nwarnings", "nwarn", MC_FACTS_SIZE, 0, 0, 0, 0, NULL };
	r->nfields++;
	assert_string_not_equal(digest(r, MC_FACTS_SCHEMA), base);

	/* A key renamed. */
	r = copy_table(&c, &mc_facts_table);
	field_named(&c, "ndiagnostics")->key = "ndiags";
	assert_string_not_equal(digest(r, MC_FACTS_SCHEMA), base);

	/* A member renamed, same key. */
	r = copy_table(&c, &mc_facts_table);
	field_named(&c, "ndiagnostics")->member = "nerrors";
	assert_string_not_equal(digest(r, MC_FACTS_SCHEMA), base);

	/* A type changed. */
	r = copy_table(&c, &mc_facts_table);
	field_named(&c, "parsed")->type = MC_FACTS_SIZE;
	assert_string_not_equal(digest(r, MC_FACTS_SCHEMA), base);

	/* A flag changed. */
	r = copy_table(&c, &mc_facts_table);
	field_named(&c, "error")->flags = MC_FACTS_REQUIRED;
	assert_string_not_equal(digest(r, MC_FACTS_SCHEMA), base);

	/* Two fields swapped. */
	r = copy_table(&c, &mc_facts_table);
	mc_facts_field t = c.fields[0];
	c.fields[0] = c.fields[1];
	c.fields[1] = t;
	assert_string_not_equal(digest(r, MC_FACTS_SCHEMA), base);

	/* The schema number, the tables as they are. */
	assert_string_not_equal(digest(&mc_facts_table, MC_FACTS_SCHEMA + 1), base);
}

static void test_version_changes_with_a_table_below(void **state)
{
	(void)state;
	char base[17];
	base_digest(base);
	table_copy root, arrays, props, value;

	/* mc_facts.arrays -> mc_prop_array.props -> mc_prop: a key renamed three tables down. */
	mc_facts_record *r = copy_table(&root, &mc_facts_table);
	mc_facts_field *f = field_named(&root, "arrays");
	f->record = copy_table(&arrays, f->record);
	f = field_named(&arrays, "props");
	f->record = copy_table(&props, f->record);
	assert_string_equal(digest(r, MC_FACTS_SCHEMA), base);
	field_named(&props, "suppress")->key = "sup";
	assert_string_not_equal(digest(r, MC_FACTS_SCHEMA), base);

	/* ... and a field added to mc_value, below mc_prop. */
	field_named(&props, "suppress")->key = "supp";
	f = field_named(&props, "defval");
	f->record = copy_table(&value, f->record);
	assert_string_equal(digest(r, MC_FACTS_SCHEMA), base);
	value.fields[value.record.nfields++] = (mc_facts_field){ "width", "w", MC_FACTS_INT, 0, 0, 0, 0, NULL };
	assert_string_not_equal(digest(r, MC_FACTS_SCHEMA), base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_every_field_round_trips),
		cmocka_unit_test(test_json_text_is_unchanged),
		cmocka_unit_test(test_json_refuses_a_missing_name),
		cmocka_unit_test(test_tables_follow_the_structs),
		cmocka_unit_test(test_version_is_schema_and_digest),
		cmocka_unit_test(test_version_changes_with_the_root_table),
		cmocka_unit_test(test_version_changes_with_a_table_below),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
