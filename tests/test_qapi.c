/*
 * test_qapi.c - QAPI schema reader, enum constant names old and new, the
 * stub header, and malformed input.  The schemas are small hand-written
 * snippets in QEMU's dialect; no QEMU tree is needed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend/qapi.h"
#include "util/util.h"

static const char common_json[] =
	"# -*- Mode: Python -*-\n"
	"# vim: filetype=python\n"
	"\n"
	"##\n"
	"# = Common data types\n"
	"##\n"
	"\n"
	"{ 'include': 'other.json' }\n"
	"\n"
	"##\n"
	"# @OnOffAuto:\n"
	"#\n"
	"# An enumeration of three options: on, off, and auto  # not a string: 'x\n"
	"##\n"
	"{ 'enum': 'OnOffAuto',\n"
	"  'data': [ 'auto', 'on', 'off' ] }\n"
	"\n"
	"{ 'enum': 'OffAutoPCIBAR',\n"
	"  'data': [ 'off', 'auto', 'bar0', 'bar1', 'bar2', 'bar3', 'bar4', 'bar5' ] }\n"
	"{ 'enum': 'PCIELinkSpeed', 'data': [ '2_5', '5', '8', '16', '32', '64' ] }\n"
	"{ \"enum\": \"FloppyDriveType\", \"data\": [ \"144\", \"288\", \"120\", \"none\", \"auto\" ] }\n"
	"{ 'enum': 'MultiFDCompression',\n"
	"  'prefix': 'MULTIFD_COMPRESSION',\n"
	"  'data': [ 'none', 'zlib',\n"
	"            { 'name': 'zstd', 'if': 'CONFIG_ZSTD' },\n"
	"            { 'name': 'qpl', 'if': { 'all': [ 'CONFIG_QPL', { 'not': 'X' } ] },\n"
	"              'features': [ 'unstable' ] } ] }\n"
	"{ 'enum': 'GranuleMode', 'data': [ '4k', '8k', '16k', '64k', 'host' ] }\n"
	"{ 'enum': 'ErrorClass', 'data': [ 'GenericError', 'CommandNotFound' ] }\n"
	"{ 'enum': 'IscsiHeaderDigest', 'prefix': 'QAPI_ISCSI_HEADER_DIGEST',\n"
	"  'data': [ 'crc32c', 'none' ] }\n"
	"{ 'enum': 'Empty', 'data': [] }\n"
	"{ 'enum': 'NetClientDriver', 'data': [ 'none', 'nic', 'x-foo.bar' ] }\n"
	"{ 'struct': 'PCIELinkInfo', 'data': { 'speed': 'PCIELinkSpeed',\n"
	"                                      '*width': { 'type': 'int', 'if': 'X' } } }\n"
	"{ 'union': 'NetClientOptions', 'base': { 'type': 'NetClientDriver' },\n"
	"  'discriminator': 'type', 'data': { 'nic': 'NetNicOptions' } }\n"
	"{ 'alternate': 'StrOrNull', 'data': { 's': 'str', 'n': 'null' } }\n"
	"{ 'type': 'OldStyleStruct', 'data': { 'a': 'int' } }\n"
	"{ 'command': 'query-pci', 'returns': [ 'PCIInfo' ], 'allow-preconfig': true }\n"
	"{ 'event': 'SHUTDOWN', 'data': { 'guest': 'bool' } }\n"
	"{ 'pragma': { 'doc-required': true } }\n"
	"{ 'enum': 'OnOffAuto', 'data': [ 'dup' ] }\n"
	"{ 'struct': 'PCIELinkInfo', 'data': {} }\n";

static void load(mc_qapi *q, const char *text)
{
	mc_qapi_init(q);
	int r = mc_qapi_add_schema(q, "qapi/common.json", text, strlen(text));
	if (r != 0)
		fail_msg("schema rejected: %s", mc_error_last());
}

static void expect_camel(const char *name, const char *want)
{
	char *s = mc_qapi_camel_to_upper(name);
	if (strcmp(s, want) != 0)
		fail_msg("camel_to_upper(%s) = %s, want %s", name, s, want);
	free(s);
}

static void expect_constant(const mc_qapi *q, const char *c_name, const char *enum_name,
			    const char *member)
{
	const char *en = "unset";
	const char *m = mc_qapi_member_of_constant(q, c_name, &en);
	if (!member) {
		if (m)
			fail_msg("%s unexpectedly maps to %s.%s", c_name, en, m);
		assert_null(en);
		return;
	}
	if (!m || strcmp(m, member) != 0 || !en || strcmp(en, enum_name) != 0)
		fail_msg("%s -> %s.%s, want %s.%s", c_name, en ? en : "-", m ? m : "-",
			 enum_name, member);
}

/* ---- camel_to_upper ------------------------------------------------------ */

static void test_camel_to_upper(void **state)
{
	(void)state;
	static const char *const pairs[][2] = {
		{ "OnOffAuto", "ON_OFF_AUTO" },
		{ "OffAutoPCIBAR", "OFF_AUTO_PCIBAR" },   /* OFF_AUTOPCIBAR before v9.2 */
		{ "PCIELinkSpeed", "PCIE_LINK_SPEED" },
		{ "PCIELinkWidth", "PCIE_LINK_WIDTH" },
		{ "BlockdevOnError", "BLOCKDEV_ON_ERROR" },
		{ "FloppyDriveType", "FLOPPY_DRIVE_TYPE" },
		{ "LostTickPolicy", "LOST_TICK_POLICY" },
		{ "BiosAtaTranslation", "BIOS_ATA_TRANSLATION" },
		{ "GranuleMode", "GRANULE_MODE" },
		{ "ZeroPageDetection", "ZERO_PAGE_DETECTION" },
		{ "VMAppleVirtioBlkVariant", "VM_APPLE_VIRTIO_BLK_VARIANT" },
		{ "QCryptoCipherAlgo", "QCRYPTO_CIPHER_ALGO" },
		{ "DisplayGLMode", "DISPLAY_GL_MODE" },
		{ "EbpfProgramID", "EBPF_PROGRAM_ID" },
		{ "HmatLBDataType", "HMAT_LB_DATA_TYPE" },
		{ "MultiFDCompression", "MULTI_FD_COMPRESSION" },
		{ "QKeyCode", "QKEY_CODE" },
		{ "XDbgBlockGraphNodeType", "XDBG_BLOCK_GRAPH_NODE_TYPE" },
		{ "QCryptoBlockLUKSKeyslotState", "QCRYPTO_BLOCK_LUKS_KEYSLOT_STATE" },
		{ "CpuS390Entitlement", "CPU_S390_ENTITLEMENT" },
		{ "S390CpuEntitlement", "S390_CPU_ENTITLEMENT" },
		{ "QAuthZListFormat", "QAUTH_Z_LIST_FORMAT" },
		{ "BlkdebugIOType", "BLKDEBUG_IO_TYPE" },
		{ "EndianMode", "ENDIAN_MODE" },
		{ "MigMode", "MIG_MODE" },
		{ "SsidSizeMode", "SSID_SIZE_MODE" },
		{ "AbCd", "AB_CD" },
		{ "One2Three", "ONE2_THREE" },
		{ "ENUMName", "ENUM_NAME" },
		{ "EnumName1", "ENUM_NAME1" },
		/* What the v9.2 code does (its docstring claims ENUM24_NAME). */
		{ "ENUM24_Name", "ENU_M24_NAME" },
		{ "x-foo.bar", "X_FOO_BAR" },
		{ "_Foo", "FOO" },
		{ "__com.redhat_Foo", "COM_REDHAT_FOO" },
		{ "1Foo", "q_1_FOO" },
		{ "a", "A" },
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		expect_camel(pairs[i][0], pairs[i][1]);
	char *s = mc_qapi_camel_to_upper(NULL);
	assert_string_equal(s, "");
	free(s);
}

/* ---- reading ----------------------------------------------------------- */

static void test_schema_enums(void **state)
{
	(void)state;
	mc_qapi q;
	load(&q, common_json);

	const mc_qapi_enum *e = mc_qapi_find_enum(&q, "OnOffAuto");
	assert_non_null(e);
	assert_string_equal(e->c_prefix, "ON_OFF_AUTO");
	assert_int_equal(e->nmembers, 3);    /* the later duplicate was ignored */
	assert_string_equal(e->members[0], "auto");
	assert_string_equal(e->members[2], "off");
	assert_string_equal(e->c_names[0], "ON_OFF_AUTO_AUTO");

	e = mc_qapi_find_enum(&q, "OffAutoPCIBAR");
	assert_non_null(e);
	assert_string_equal(e->c_prefix, "OFF_AUTO_PCIBAR");
	assert_string_equal(e->c_names[2], "OFF_AUTO_PCIBAR_BAR0");

	e = mc_qapi_find_enum(&q, "PCIELinkSpeed");
	assert_string_equal(e->c_names[0], "PCIE_LINK_SPEED_2_5");
	e = mc_qapi_find_enum(&q, "FloppyDriveType");   /* double quotes */
	assert_non_null(e);
	assert_string_equal(e->c_names[0], "FLOPPY_DRIVE_TYPE_144");
	e = mc_qapi_find_enum(&q, "GranuleMode");
	assert_string_equal(e->c_names[0], "GRANULE_MODE_4K");

	/* 'if' members are all kept, in order; 'prefix' wins */
	e = mc_qapi_find_enum(&q, "MultiFDCompression");
	assert_non_null(e);
	assert_string_equal(e->c_prefix, "MULTIFD_COMPRESSION");
	assert_int_equal(e->nmembers, 4);
	assert_string_equal(e->members[2], "zstd");
	assert_string_equal(e->members[3], "qpl");
	assert_string_equal(e->c_names[3], "MULTIFD_COMPRESSION_QPL");

	e = mc_qapi_find_enum(&q, "NetClientDriver");
	assert_string_equal(e->c_names[2], "NET_CLIENT_DRIVER_X_FOO_BAR");

	e = mc_qapi_find_enum(&q, "Empty");
	assert_non_null(e);
	assert_int_equal(e->nmembers, 0);

	assert_null(mc_qapi_find_enum(&q, "PCIELinkInfo"));
	assert_null(mc_qapi_find_enum(&q, "onoffauto"));
	assert_null(mc_qapi_find_enum(&q, NULL));
	assert_int_equal(q.nenums, 10);
	mc_qapi_free(&q);
}

static void test_schema_structs(void **state)
{
	(void)state;
	mc_qapi q;
	load(&q, common_json);
	static const char *const want[] = { "PCIELinkInfo", "NetClientOptions", "StrOrNull",
					    "OldStyleStruct" };
	assert_int_equal(q.nstructs, 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(q.structs[i], want[i]);
	mc_qapi_free(&q);
}

/* A simple union generates the enum of its branches, <Name>Kind; a flat union does not. */
static void test_union_kind_enum(void **state)
{
	(void)state;
	mc_qapi q;
	load(&q, "{ 'union': 'ChardevBackend', 'data': { 'file': 'ChardevFile', 'null': 'ChardevCommon',\n"
		 "  'socket': 'ChardevSocket' } }\n"
		 "{ 'union': 'Flat', 'base': { 'type': 'FlatKindEnum' }, 'discriminator': 'type',\n"
		 "  'data': { 'a': 'A' } }\n");
	const char *enum_name = NULL;
	const char *m = mc_qapi_member_of_constant(&q, "CHARDEV_BACKEND_KIND_NULL", &enum_name);
	assert_non_null(m);
	assert_string_equal(m, "null");
	assert_string_equal(enum_name, "ChardevBackendKind");
	const mc_qapi_enum *e = mc_qapi_find_enum(&q, "ChardevBackendKind");
	assert_non_null(e);
	assert_int_equal(e->nmembers, 3);
	assert_string_equal(e->members[2], "socket");
	assert_null(mc_qapi_find_enum(&q, "FlatKind"));
	char *stub = mc_qapi_stub_header(&q);
	assert_non_null(strstr(stub, "CHARDEV_BACKEND_KIND_SOCKET"));
	free(stub);
	mc_qapi_free(&q);
}

static void test_schema_several_files(void **state)
{
	(void)state;
	mc_qapi q;
	mc_qapi_init(&q);
	const char *a = "{ 'enum': 'A', 'data': [ 'x' ] }";
	const char *b = "# nothing but a comment";
	const char *c = "{ 'enum': 'B', 'data': [ 'y' ] } { 'struct': 'S', 'data': {} }\n";
	assert_int_equal(mc_qapi_add_schema(&q, "a.json", a, strlen(a)), 0);
	assert_int_equal(mc_qapi_add_schema(&q, "b.json", b, strlen(b)), 0);
	assert_int_equal(mc_qapi_add_schema(&q, "e.json", "", 0), 0);
	assert_int_equal(mc_qapi_add_schema(&q, NULL, NULL, 0), 0);
	assert_int_equal(mc_qapi_add_schema(&q, "c.json", c, strlen(c)), 0);
	assert_int_equal(q.nenums, 2);
	assert_int_equal(q.nstructs, 1);
	expect_constant(&q, "B_Y", "B", "y");
	expect_constant(&q, "A_X", "A", "x");
	mc_qapi_free(&q);
	mc_qapi_free(NULL);
}

static void test_schema_escapes_and_odd_names(void **state)
{
	(void)state;
	mc_qapi q;
	const char *text =
		"{ 'enum': 'Esc', 'data': [ 'a\\\\b', 'it\\'s', \"q\\\"x\", 'u\\u0041', '#hash' ] }\n"
		"{ 'enum': '9Bad', 'data': [ 'x' ] }\n"        /* not a type name: skipped */
		"{ 'enum': [ 'List' ], 'data': [ 'x' ] }\n"    /* not a name: skipped */
		"{ 'enum': 'BadPrefix', 'prefix': 'NO SPACES', 'data': [ 'x' ] }\n"
		"{ 'enum': 'Mixed', 'data': [ 'ok', [ 'nested' ], { 'no-name': 1 } ] }\n";
	/* 1 is not QAPI syntax: the last line fails, what came before stays. */
	mc_qapi_init(&q);
	assert_int_equal(mc_qapi_add_schema(&q, "odd.json", text, strlen(text)), MC_EPARSE);
	assert_non_null(strstr(mc_error_last(), "odd.json:5:"));

	const mc_qapi_enum *e = mc_qapi_find_enum(&q, "Esc");
	assert_non_null(e);
	assert_int_equal(e->nmembers, 5);
	assert_string_equal(e->members[0], "a\\b");
	assert_string_equal(e->members[1], "it's");
	assert_string_equal(e->members[2], "q\"x");
	assert_string_equal(e->members[3], "uA");
	assert_string_equal(e->members[4], "#hash");
	assert_string_equal(e->c_names[1], "ESC_IT_S");
	assert_null(mc_qapi_find_enum(&q, "9Bad"));
	e = mc_qapi_find_enum(&q, "BadPrefix");
	assert_string_equal(e->c_prefix, "BAD_PREFIX");
	assert_null(mc_qapi_find_enum(&q, "Mixed"));
	mc_qapi_free(&q);

	const char *mixed = "{ 'enum': 'Mixed', 'data': [ 'ok', [ 'nested' ], { 'no-name': true } ] }";
	load(&q, mixed);
	e = mc_qapi_find_enum(&q, "Mixed");
	assert_int_equal(e->nmembers, 1);
	assert_string_equal(e->members[0], "ok");
	mc_qapi_free(&q);
}

/* ---- constant lookup --------------------------------------------------- */

static void test_constant_lookup(void **state)
{
	(void)state;
	mc_qapi q;
	load(&q, common_json);

	expect_constant(&q, "ON_OFF_AUTO_AUTO", "OnOffAuto", "auto");
	expect_constant(&q, "ON_OFF_AUTO_OFF", "OnOffAuto", "off");
	/* v9.2+ and v2.12 - v9.1 spellings */
	expect_constant(&q, "OFF_AUTO_PCIBAR_OFF", "OffAutoPCIBAR", "off");
	expect_constant(&q, "OFF_AUTOPCIBAR_OFF", "OffAutoPCIBAR", "off");
	expect_constant(&q, "OFF_AUTOPCIBAR_BAR5", "OffAutoPCIBAR", "bar5");
	expect_constant(&q, "PCIE_LINK_SPEED_2_5", "PCIELinkSpeed", "2_5");
	expect_constant(&q, "FLOPPY_DRIVE_TYPE_288", "FloppyDriveType", "288");
	expect_constant(&q, "GRANULE_MODE_4K", "GranuleMode", "4k");
	expect_constant(&q, "GRANULE_MODE_HOST", "GranuleMode", "host");
	expect_constant(&q, "MULTIFD_COMPRESSION_ZSTD", "MultiFDCompression", "zstd");
	expect_constant(&q, "MULTIFD_COMPRESSION_NONE", "MultiFDCompression", "none");
	/* an explicit prefix is not re-derived from the name */
	expect_constant(&q, "MULTI_FD_COMPRESSION_NONE", NULL, NULL);
	/* v2.4: camel_to_upper over "Type_member" */
	expect_constant(&q, "ERROR_CLASS_GENERICERROR", "ErrorClass", "GenericError");
	expect_constant(&q, "ERROR_CLASS_GENERIC_ERROR", "ErrorClass", "GenericError");
	expect_constant(&q, "ERROR_CLASS_COMMAND_NOT_FOUND", "ErrorClass", "CommandNotFound");
	/* ... but not for an enum with a 'prefix' (libiscsi owns these names) */
	expect_constant(&q, "QAPI_ISCSI_HEADER_DIGEST_CRC32C", "IscsiHeaderDigest", "crc32c");
	expect_constant(&q, "ISCSI_HEADER_DIGEST_CRC32C", NULL, NULL);

	expect_constant(&q, "ON_OFF_AUTO__MAX", NULL, NULL);
	expect_constant(&q, "ON_OFF_AUTO_MAYBE", NULL, NULL);
	expect_constant(&q, "on_off_auto_auto", NULL, NULL);
	expect_constant(&q, "", NULL, NULL);
	assert_string_equal(mc_qapi_member_of_constant(&q, "ON_OFF_AUTO_ON", NULL), "on");
	assert_null(mc_qapi_member_of_constant(&q, NULL, NULL));
	assert_null(mc_qapi_member_of_constant(NULL, "ON_OFF_AUTO_ON", NULL));
	mc_qapi_free(&q);
}

static void test_constant_collision_first_wins(void **state)
{
	(void)state;
	mc_qapi q;
	/* FooBar's "baz" and FOO's "bar_baz" both give FOO_BAR_BAZ. */
	load(&q, "{ 'enum': 'FooBar', 'data': [ 'baz' ] }\n"
		 "{ 'enum': 'Foo', 'prefix': 'FOO', 'data': [ 'bar-baz' ] }\n"
		 "{ 'enum': 'Old', 'prefix': 'FOO_BAR', 'data': [ 'baz', 'qux' ] }\n");
	expect_constant(&q, "FOO_BAR_BAZ", "FooBar", "baz");
	expect_constant(&q, "FOO_BAR_QUX", "Old", "qux");
	mc_qapi_free(&q);
}

/* An mc_qapi filled by hand has no index: lookups still work. */
static void test_lookup_without_index(void **state)
{
	(void)state;
	mc_qapi q;
	mc_qapi_init(&q);
	q.enums = mc_calloc(1, sizeof(mc_qapi_enum));
	q.nenums = 1;
	mc_qapi_enum *e = &q.enums[0];
	e->name = mc_strdup("OffAutoPCIBAR");
	e->c_prefix = mc_strdup("OFF_AUTO_PCIBAR");
	e->nmembers = 2;
	e->members = mc_calloc(2, sizeof(char *));
	e->c_names = mc_calloc(2, sizeof(char *));
	e->members[0] = mc_strdup("off");
	e->members[1] = mc_strdup("auto");
	e->c_names[0] = mc_strdup("OFF_AUTO_PCIBAR_OFF");
	e->c_names[1] = mc_strdup("OFF_AUTO_PCIBAR_AUTO");

	expect_constant(&q, "OFF_AUTO_PCIBAR_AUTO", "OffAutoPCIBAR", "auto");
	expect_constant(&q, "OFF_AUTOPCIBAR_OFF", "OffAutoPCIBAR", "off");
	expect_constant(&q, "OFF_AUTOPCIBAR_BAR0", NULL, NULL);
	assert_ptr_equal(mc_qapi_find_enum(&q, "OffAutoPCIBAR"), &q.enums[0]);

	/* Adding a schema on top keeps working (the arrays grow correctly). */
	const char *more = "{ 'enum': 'OnOffAuto', 'data': [ 'auto', 'on', 'off' ] }\n"
			   "{ 'struct': 'S', 'data': {} }";
	assert_int_equal(mc_qapi_add_schema(&q, "more.json", more, strlen(more)), 0);
	assert_int_equal(q.nenums, 2);
	expect_constant(&q, "ON_OFF_AUTO_ON", "OnOffAuto", "on");
	expect_constant(&q, "OFF_AUTOPCIBAR_OFF", "OffAutoPCIBAR", "off");
	assert_non_null(mc_qapi_find_enum(&q, "OnOffAuto"));
	mc_qapi_free(&q);
}

static void test_lookup_many(void **state)
{
	(void)state;
	mc_buf b = { 0 };
	for (int i = 0; i < 500; i++) {
		mc_buf_printf(&b, "{ 'enum': 'Enum%dKind', 'data': [", i);
		for (int m = 0; m < 12; m++)
			mc_buf_printf(&b, " 'm%d-%d',", i, m);
		mc_buf_puts(&b, " 'last' ] }\n");
	}
	mc_qapi q;
	load(&q, b.ptr);
	assert_int_equal(q.nenums, 500);
	for (int i = 0; i < 500; i++) {
		for (int m = 0; m < 12; m++) {
			char c_name[64], member[32], en[32];
			snprintf(c_name, sizeof(c_name), "ENUM%d_KIND_M%d_%d", i, i, m);
			snprintf(member, sizeof(member), "m%d-%d", i, m);
			snprintf(en, sizeof(en), "Enum%dKind", i);
			expect_constant(&q, c_name, en, member);
		}
	}
	mc_buf_free(&b);
	mc_qapi_free(&q);
}

/* ---- stub header ------------------------------------------------------- */

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void test_stub_header_text(void **state)
{
	(void)state;
	mc_qapi q;
	load(&q, common_json);
	char *h = mc_qapi_stub_header(&q);

	assert_non_null(strstr(h, "#ifndef MC_QAPI_STUB_H"));
	assert_non_null(strstr(h, "typedef enum OnOffAuto {\n"));
	assert_non_null(strstr(h, "} OnOffAuto;"));
	assert_non_null(strstr(h, "    ON_OFF_AUTO_AUTO,\n    ON_OFF_AUTO_ON,\n    ON_OFF_AUTO_OFF,\n"
				  "    ON_OFF_AUTO__MAX,\n"));
	assert_non_null(strstr(h, "#ifndef OFF_AUTOPCIBAR_BAR0\n    OFF_AUTOPCIBAR_BAR0 = OFF_AUTO_PCIBAR_BAR0,\n#endif\n"));
	assert_non_null(strstr(h, "OFF_AUTOPCIBAR__MAX = OFF_AUTO_PCIBAR__MAX,"));
	assert_non_null(strstr(h, "ERROR_CLASS_GENERIC_ERROR = ERROR_CLASS_GENERICERROR,"));
	assert_non_null(strstr(h, "ON_OFF_AUTO_MAX = ON_OFF_AUTO__MAX,"));
	assert_non_null(strstr(h, "MULTIFD_COMPRESSION_QPL,"));
	assert_non_null(strstr(h, "typedef struct OnOffAutoList OnOffAutoList;"));
	assert_non_null(strstr(h, "typedef struct PCIELinkInfo PCIELinkInfo;"));
	assert_non_null(strstr(h, "typedef struct PCIELinkInfoList PCIELinkInfoList;"));
	assert_non_null(strstr(h, "typedef struct StrOrNull StrOrNull;"));
	assert_non_null(strstr(h, "typedef struct NetClientOptions NetClientOptions;"));
	assert_non_null(strstr(h, "typedef struct strList strList;"));
	assert_non_null(strstr(h, "typedef enum Empty {\n    EMPTY__MAX,\n"));
	/* The lookup tables a PropertyInfo names resolve; the struct stays the tree's own. */
	assert_non_null(strstr(h, "extern const struct QEnumLookup OnOffAuto_lookup;\n"));
	assert_null(strstr(h, "typedef struct QEnumLookup"));
	assert_null(strstr(h, "ISCSI_HEADER_DIGEST_CRC32C ="));
	assert_null(strstr(h, " ON_OFF_AUTO_AUTO ="));  /* no alias equal to its target */
	assert_int_equal(count(h, "typedef enum OnOffAuto "), 1);
	assert_int_equal(count(h, "typedef struct PCIELinkInfo "), 1);
	assert_int_equal(count(h, "ON_OFF_AUTO_AUTO,"), 1);
	assert_null(strstr(h, "dup"));
	free(h);
	mc_qapi_free(&q);

	mc_qapi_init(&q);
	h = mc_qapi_stub_header(&q);
	assert_non_null(strstr(h, "#endif"));
	free(h);
	h = mc_qapi_stub_header(NULL);
	assert_non_null(strstr(h, "#define MC_QAPI_STUB_H"));
	free(h);
}

static int have_cc(void)
{
	return system("command -v cc >/dev/null 2>&1") == 0;
}

static char *write_temp(const char *tag, const char *text)
{
	char *path = mc_sprintf("/tmp/mc_test_qapi_%s_XXXXXX", tag);
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t len = strlen(text);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Compiles prelude, the stub included twice, then main_text, with cc -fsyntax-only. */
static int compile_with_stub(const char *prelude, const char *stub, const char *main_text)
{
	char *hpath = write_temp("stub", stub);
	char *src = mc_sprintf("%s\n#include \"%s\"\n#include \"%s\"\n%s", prelude, hpath, hpath,
			       main_text);
	char *cpath = write_temp("main", src);
	char *cmd = mc_sprintf("cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -x c %s "
			       ">/dev/null 2>&1", cpath);
	int r = system(cmd);
	unlink(hpath);
	unlink(cpath);
	free(hpath);
	free(cpath);
	free(src);
	free(cmd);
	return r;
}

static void test_stub_header_compiles(void **state)
{
	(void)state;
	if (!have_cc()) {
		skip();
		return;
	}
	mc_qapi q;
	load(&q, common_json);
	/* Clashes the writer must resolve: a constant two enums produce, a
	 * struct named like an enumerator, an enum named like a builtin list. */
	const char *more =
		"{ 'enum': 'FooBar', 'data': [ 'baz' ] }\n"
		"{ 'enum': 'Foo', 'prefix': 'FOO', 'data': [ 'bar-baz', 'x' ] }\n"
		"{ 'struct': 'FOO_X', 'data': {} }\n"
		"{ 'enum': 'strList', 'data': [ 'a' ] }\n"
		"{ 'enum': 'Gen', 'data': [ 'max' ] }\n"
		"{ 'struct': 'OnOffAuto', 'data': {} }\n"
		"{ 'enum': 'int', 'data': [ 'a' ] }\n"
		"{ 'enum': 'Y', 'prefix': 'P', 'data': [ '_max' ] }\n"
		"{ 'enum': 'Z', 'prefix': 'P', 'data': [] }\n";
	assert_int_equal(mc_qapi_add_schema(&q, "more.json", more, strlen(more)), 0);
	char *h = mc_qapi_stub_header(&q);
	assert_int_equal(count(h, "    FOO_BAR_BAZ"), 1);
	assert_null(strstr(h, "typedef struct FOO_X FOO_X;"));
	assert_non_null(strstr(h, "typedef enum q_int {"));
	assert_non_null(strstr(h, "typedef int Z;"));   /* C has no empty enum */

	const char *use =
		"_Static_assert(INT__MAX == 1, \"enum 'int'\");\n"
		"static const OnOffAuto d = ON_OFF_AUTO_AUTO;\n"
		"static const OffAutoPCIBAR old_spelling = OFF_AUTOPCIBAR_OFF;\n"
		"static const int by_index[OFF_AUTO_PCIBAR__MAX] = { [OFF_AUTOPCIBAR_BAR5] = 1 };\n"
		"_Static_assert(ON_OFF_AUTO_OFF == 2, \"schema order\");\n"
		"_Static_assert(OFF_AUTOPCIBAR_BAR0 == OFF_AUTO_PCIBAR_BAR0, \"alias\");\n"
		"_Static_assert(PCIE_LINK_SPEED__MAX == 6, \"max\");\n"
		"_Static_assert(EMPTY__MAX == 0, \"empty\");\n"
		"static const Z z = 0;\n"
		"_Static_assert(GEN__MAX == 1 && GEN_MAX == 0, \"member max before old _MAX\");\n"
		"int use(PCIELinkInfo *p, StrOrNull *s, strList *l, MultiFDCompression c);\n"
		"int use(PCIELinkInfo *p, StrOrNull *s, strList *l, MultiFDCompression c)\n"
		"{ (void)s; (void)l; return p->speed + c + d + old_spelling + by_index[0]\n"
		"  + MULTIFD_COMPRESSION_QPL + FLOPPY_DRIVE_TYPE_144 + GRANULE_MODE_4K + z; }\n";
	assert_int_equal(compile_with_stub("", h, use), 0);
	/* enum 'int' has the v2.4 alias INT_MAX: a macro when <limits.h> came first. */
	assert_int_equal(compile_with_stub("#include <limits.h>\n", h, use), 0);
	assert_int_equal(compile_with_stub("", h, "#include <limits.h>\nint m = INT_MAX;\n"), 0);
	/* The check itself can fail: a wrong name must not compile. */
	assert_int_not_equal(compile_with_stub("", h, "int x = ON_OFF_AUTO_MAYBE;\n"), 0);
	free(h);
	mc_qapi_free(&q);
}

/*
 * The structs have their members, as the generated headers do: QEMU's
 * migration object declares its properties with
 * offsetof(MigrationState, parameters.announce_initial).
 */
static void test_stub_struct_bodies(void **state)
{
	(void)state;
	if (!have_cc()) {
		skip();
		return;
	}
	mc_qapi q;
	const char *schema =
		"{ 'enum': 'Mode', 'data': [ 'a', 'b' ] }\n"
		"{ 'struct': 'Base', 'data': { 'id': 'str' } }\n"
		"{ 'struct': 'Params', 'base': 'Base',\n"
		"  'data': { '*announce-initial': 'size', 'mode': 'Mode', 'tls': 'StrOrNull',\n"
		"            '*list': ['int'], 'modes': ['Mode'], 'unix': 'bool', 'inner': 'Inner',\n"
		"            'any': 'any', 'gone': 'NoSuchType' } }\n"
		"{ 'struct': 'Inner', 'data': { 'x': 'uint8' } }\n"
		"{ 'alternate': 'StrOrNull', 'data': { 's': 'str', 'n': 'null', 'i': 'Inner' } }\n"
		"{ 'union': 'U', 'base': { 'type': 'Mode' }, 'discriminator': 'type',\n"
		"  'data': { 'a': 'Late', 'b': { 'type': 'Inner', 'if': 'X' } } }\n"
		"{ 'struct': 'Late', 'data': { 'y': 'int32' } }\n"
		"{ 'struct': 'Empty', 'data': {} }\n"
		"{ 'enum': 'Clash', 'data': [ 'x' ] }\n"
		"{ 'struct': 'Clash', 'data': { 'z': 'int' } }\n"
		"{ 'struct': 'UsesClash', 'data': { 'c': 'Clash', 'typename': 'str' } }\n";
	load(&q, schema);
	char *h = mc_qapi_stub_header(&q);
	/* A union's branch is inline, so it is defined before the union. */
	const char *late = strstr(h, "struct Late {"), *u = strstr(h, "struct U {");
	assert_non_null(late);
	assert_non_null(u);
	assert_true(late < u);
	const char *use =
		"#include <stddef.h>\n"
		"typedef struct { int other; Params parameters; } MigrationState;\n"
		"static const size_t at = offsetof(MigrationState, parameters.announce_initial);\n"
		"int use(Params *p, U *un, StrOrNull *s, Empty *e, UsesClash *uc);\n"
		"int use(Params *p, U *un, StrOrNull *s, Empty *e, UsesClash *uc)\n"
		"{ (void)e; (void)uc->q_typename; return (int)at + p->has_announce_initial + (int)p->announce_initial\n"
		"  + (int)p->mode + (p->tls ? s->type : 0) + (p->has_list && p->list) + (p->modes != 0)\n"
		"  + p->q_unix + p->inner->x + (p->id != 0) + (p->any != 0) + (p->gone != 0)\n"
		"  + un->type + un->u.a.y + un->u.b.x + s->u.i.x + (s->u.s != 0)\n"
		"  + (int)p->list->value + (int)p->modes->next->value + (int)sizeof(strList) + (int)sizeof(ParamsList); }\n";
	assert_int_equal(compile_with_stub("", h, use), 0);
	/* And the check can fail: a member the schema does not have. */
	assert_int_not_equal(compile_with_stub("", h, "int f(Params *p) { return p->nope; }\n"), 0);
	free(h);
	mc_qapi_free(&q);
}

/* ---- malformed input --------------------------------------------------- */

static void expect_parse_error(const char *text, size_t len, const char *where)
{
	mc_qapi q;
	mc_qapi_init(&q);
	mc_error_clear();
	int r = mc_qapi_add_schema(&q, "bad.json", text, len);
	if (r != MC_EPARSE)
		fail_msg("accepted malformed schema (%d)", r);
	if (where && !strstr(mc_error_last(), where))
		fail_msg("message '%s' does not name %s", mc_error_last(), where);
	mc_qapi_free(&q);
}

static void test_malformed_messages(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *where;
	} cases[] = {
		{ "{ 'enum': 'A', 'data': [ 'x' ", "bad.json:1:" },
		{ "{ 'enum': 'A',\n  'data': [ 'x' ] ", "bad.json:2:" },
		{ "{ 'enum': 'A, 'data': [] }", "bad.json:1:" },
		{ "{ 'enum': 'A',\n 'data': [ 'unterminated\n ] }", "bad.json:2:" },
		{ "{ 'enum': 'A' 'data': [] }", "bad.json:1:" },
		{ "{ 'enum': 'A', 'data': [ 'x', ] }", "bad.json:1:" },
		{ "{ 'enum' 'A' }", "bad.json:1:" },
		{ "{ 'enum': }", "bad.json:1:" },
		{ "{ 42: 'A' }", "bad.json:1:" },
		{ "{ 'a': 'b' }\n\n[ 'top-level list' ]", "bad.json:3:" },
		{ "'string at top'", "bad.json:1:" },
		{ "}", "bad.json:1:" },
		{ "{ 'a': tru }", "bad.json:1:" },
		{ "{ 'a': trueish }", "bad.json:1:" },
		{ "{ 'a': 'b\\q' }", "bad.json:1:" },
		{ "{ 'a': 'b\\u12' }", "bad.json:1:" },
		{ "{ 'a': 'b\\u0000' }", "bad.json:1:" },
		{ "{ 'a': 'tab\there' }", "bad.json:1:" },
		{ "{ 'a': 'b\\", "bad.json:1:" },
		{ "{ 'a': \"mixed' }", "bad.json:1:" },
		{ "{ 'a': null }", "bad.json:1:" },
		{ "\n\n\n@", "bad.json:4:" },
		{ "{", "bad.json:1:" },
		{ "{ 'a'", "bad.json:1:" },
		{ "{ 'a':", "bad.json:1:" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_parse_error(cases[i].text, strlen(cases[i].text), cases[i].where);

	static const char nul_outside[] = "{ 'enum': 'A', 'data': [] }\n\0{ }";
	expect_parse_error(nul_outside, sizeof(nul_outside) - 1, "bad.json:2:");
	static const char nul_inside[] = "{ 'enum': 'A\0B', 'data': [] }";
	expect_parse_error(nul_inside, sizeof(nul_inside) - 1, "bad.json:1:");

	/* The length is respected: the text need not be NUL-terminated. */
	const char *full = "{ 'enum': 'A', 'data': [ 'x' ] }{ 'enum': 'B'";
	mc_qapi q;
	mc_qapi_init(&q);
	assert_int_equal(mc_qapi_add_schema(&q, "cut.json", full, 32), 0);
	assert_int_equal(q.nenums, 1);
	mc_qapi_free(&q);
}

static void test_malformed_keeps_earlier(void **state)
{
	(void)state;
	mc_qapi q;
	mc_qapi_init(&q);
	const char *text = "{ 'enum': 'A', 'data': [ 'x' ] }\n"
			   "{ 'struct': 'S', 'data': {} }\n"
			   "{ 'enum': 'B', 'data': [ 'y' }\n";
	assert_int_equal(mc_qapi_add_schema(&q, "k.json", text, strlen(text)), MC_EPARSE);
	assert_non_null(strstr(mc_error_last(), "k.json:3:"));
	assert_int_equal(q.nenums, 1);
	assert_int_equal(q.nstructs, 1);
	expect_constant(&q, "A_X", "A", "x");
	assert_null(mc_qapi_find_enum(&q, "B"));
	mc_qapi_free(&q);
}

static void test_deep_nesting(void **state)
{
	(void)state;
	const size_t n = 10000;
	char *text = mc_malloc(n * 2 + 64);
	static const char *const opens[] = { "[", "{ 'k': " };
	for (size_t kind = 0; kind < 2; kind++) {
		mc_buf b = { 0 };
		mc_buf_puts(&b, "{ 'enum': 'A', 'data': ");
		for (size_t i = 0; i < n; i++)
			mc_buf_puts(&b, opens[kind]);
		expect_parse_error(b.ptr, b.len, "nesting");
		mc_buf_free(&b);
	}
	memset(text, '[', n);
	expect_parse_error(text, n, "bad.json:1:");
	memset(text, '{', n);
	expect_parse_error(text, n, "bad.json:1:");
	free(text);

	/* Moderate nesting, as real schemas have, is fine. */
	mc_buf b = { 0 };
	mc_buf_puts(&b, "{ 'struct': 'S', 'data': ");
	for (int i = 0; i < 30; i++)
		mc_buf_puts(&b, "{ 'k': [ ");
	mc_buf_puts(&b, "'leaf'");
	for (int i = 0; i < 30; i++)
		mc_buf_puts(&b, " ] }");
	mc_buf_puts(&b, " }");
	mc_qapi q;
	mc_qapi_init(&q);
	assert_int_equal(mc_qapi_add_schema(&q, "deep.json", b.ptr, b.len), 0);
	assert_int_equal(q.nstructs, 1);
	mc_qapi_free(&q);
	mc_buf_free(&b);
}

/* Every prefix of a valid schema, and byte-flipped copies, are handled. */
static void test_truncated_and_mutated(void **state)
{
	(void)state;
	size_t len = strlen(common_json);
	for (size_t cut = 0; cut <= len; cut++) {
		mc_qapi q;
		mc_qapi_init(&q);
		char *copy = mc_strndup(common_json, cut);
		int r = mc_qapi_add_schema(&q, "t.json", copy, cut);
		assert_true(r == 0 || r == MC_EPARSE);
		char *h = mc_qapi_stub_header(&q);
		free(h);
		free(copy);
		mc_qapi_free(&q);
	}

	static const char alphabet[] = "{}[]:,'\"\\#\n tfu0aZ_-\0\x80";
	unsigned seed = 12345;
	for (int iter = 0; iter < 3000; iter++) {
		char *copy = mc_strndup(common_json, len);
		for (int k = 0; k < 1 + iter % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t pos = (seed >> 8) % len;
			seed = seed * 1103515245u + 12345u;
			copy[pos] = alphabet[(seed >> 8) % (sizeof(alphabet) - 1)];
		}
		mc_qapi q;
		mc_qapi_init(&q);
		int r = mc_qapi_add_schema(&q, "m.json", copy, len);
		assert_true(r == 0 || r == MC_EPARSE);
		for (size_t i = 0; i < q.nenums; i++)
			for (size_t m = 0; m < q.enums[i].nmembers; m++)
				assert_non_null(mc_qapi_member_of_constant(&q, q.enums[i].c_names[m], NULL));
		char *h = mc_qapi_stub_header(&q);
		assert_non_null(strstr(h, "#endif"));
		free(h);
		free(copy);
		mc_qapi_free(&q);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_camel_to_upper),
		cmocka_unit_test(test_schema_enums),
		cmocka_unit_test(test_schema_structs),
		cmocka_unit_test(test_schema_several_files),
		cmocka_unit_test(test_union_kind_enum),
		cmocka_unit_test(test_schema_escapes_and_odd_names),
		cmocka_unit_test(test_constant_lookup),
		cmocka_unit_test(test_constant_collision_first_wins),
		cmocka_unit_test(test_lookup_without_index),
		cmocka_unit_test(test_lookup_many),
		cmocka_unit_test(test_stub_header_text),
		cmocka_unit_test(test_stub_header_compiles),
		cmocka_unit_test(test_stub_struct_bodies),
		cmocka_unit_test(test_malformed_messages),
		cmocka_unit_test(test_malformed_keeps_earlier),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_truncated_and_mutated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
