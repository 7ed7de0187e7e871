/*
 * qapi.h - QEMU QAPI schema as data.
 *
 * QEMU generates C enums from qapi/ *.json (JSON with '#' comments and single
 * quotes).  An unconfigured tree lacks the generated headers, so migcompat
 * reads the schema itself (never runs the tree's generator) to
 *   - write a stub header declaring every enum (so initializers that use
 *     ON_OFF_AUTO_AUTO keep parsing) and forward-declaring every struct,
 *   - map an enum constant back to its QAPI string name ("auto").
 */
#ifndef MC_QAPI_H
#define MC_QAPI_H

#include <stddef.h>

typedef struct {
	char *name;        /* QAPI enum name, e.g. "OnOffAuto" */
	char *c_prefix;    /* e.g. "ON_OFF_AUTO" (the 'prefix' or camel_to_upper(name)) */
	char **members;    /* QAPI member names in schema order, e.g. "auto" */
	char **c_names;    /* C constants, e.g. "ON_OFF_AUTO_AUTO" */
	size_t nmembers;
} mc_qapi_enum;

typedef struct mc_qapi {
	mc_qapi_enum *enums;
	size_t nenums;
	char **structs;    /* struct, union and alternate type names (for forward declarations) */
	size_t nstructs;
	struct mc_qapi_index *index; /* private to qapi.c: lookup tables, kept by mc_qapi_add_schema */
} mc_qapi;

void mc_qapi_init(mc_qapi *q);
void mc_qapi_free(mc_qapi *q);

/*
 * Adds the definitions of one schema file's text.  Unknown expressions
 * ('command', 'event', 'include', 'pragma') are skipped; 'if' conditions are
 * ignored (every member is declared).  Returns MC_EPARSE with a message
 * naming the file and line on malformed text; what was read before stays.
 */
int mc_qapi_add_schema(mc_qapi *q, const char *filename, const char *text, size_t len);

/* camel_to_upper as QEMU's generator does it (new style, v9.2+); caller frees. */
char *mc_qapi_camel_to_upper(const char *name);

/*
 * Looks up an enum constant by its C name, trying the current naming and the
 * pre-9.2 naming (OFF_AUTOPCIBAR_OFF).  Returns the QAPI member name or NULL;
 * *enum_name (may be NULL) receives the enum's QAPI name.
 */
const char *mc_qapi_member_of_constant(const mc_qapi *q, const char *c_name, const char **enum_name);

/* Finds an enum by its QAPI name (e.g. "OnOffAuto"). */
const mc_qapi_enum *mc_qapi_find_enum(const mc_qapi *q, const char *name);

/*
 * C text of a header declaring every enum (typedef enum X { ..., X__MAX } X;
 * with the older constant spellings as aliases where they differ) and
 * typedef struct X X; / XList for every struct, XList for every enum.
 * Nothing QEnumLookup-related: hand-written QEMU headers declare that.
 * Caller frees.
 */
char *mc_qapi_stub_header(const mc_qapi *q);

#endif
