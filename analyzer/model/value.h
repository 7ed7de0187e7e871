/*
 * value.h - property values and how QEMU parses compat strings.
 *
 * A property default is extracted from C (a number, a bool, an enum constant,
 * a string) while a compat entry's value is a string parsed by the property's
 * type at run time.  Both become an mc_value so they can be compared by
 * meaning: "on" == true, "0x10" == 16, "1k" == 1024 for a size, "auto" ==
 * ON_OFF_AUTO_AUTO for an OnOffAuto enum.
 */
#ifndef MC_VALUE_H
#define MC_VALUE_H

#include <stdint.h>

typedef enum {
	MC_KIND_UNKNOWN = 0, /* PropertyInfo not recognised */
	MC_KIND_BOOL,        /* bool, bit, bit64 */
	MC_KIND_INT,         /* int8..int64, signed */
	MC_KIND_UINT,        /* uint8..uint64 */
	MC_KIND_SIZE,        /* size, size32, blocksize: suffixes allowed */
	MC_KIND_ENUM,        /* QAPI (or hand-written) enum: compared by string name */
	MC_KIND_STRING,      /* verbatim */
	MC_KIND_OTHER        /* link, chr, drive, macaddr...: no comparable default */
} mc_kind;

typedef enum {
	MC_VAL_NONE = 0,     /* property has no default */
	MC_VAL_BOOL,
	MC_VAL_INT,          /* i holds the value; is_unsigned says how to print */
	MC_VAL_STRING,       /* s: string default, or the QAPI name of an enum member */
	MC_VAL_SYMBOLIC,     /* s: spelling that could not be evaluated (e.g. an unknown enum constant) */
} mc_val_type;

typedef struct {
	mc_val_type type;
	int is_unsigned;
	int64_t i;          /* bool: 0/1; int: value (uint64 stored bit-for-bit) */
	char *s;            /* owned */
} mc_value;

const char *mc_kind_name(mc_kind kind);
/* Parses "bool", "int", ... as written by mc_kind_name; MC_KIND_UNKNOWN when unknown. */
mc_kind mc_kind_from_name(const char *name);

void mc_value_free(mc_value *v);
void mc_value_copy(mc_value *dst, const mc_value *src);
mc_value mc_value_bool(int b);
mc_value mc_value_int(int64_t i, int is_unsigned);
mc_value mc_value_string(const char *s);
mc_value mc_value_symbolic(const char *s);

/*
 * Parses a compat/global string the way QEMU's property of this kind would.
 * enum strings stay strings (compared by name).  Returns 0 and fills *out, or
 * MC_EPARSE when QEMU itself would reject the string for that kind (message set).
 * width_bits (8/16/32/64, 0 = 64) is used to range-check integers.
 */
int mc_value_parse(mc_value *out, mc_kind kind, const char *text);

/*
 * Compares two values of a property of this kind.
 * Returns 1 equal, 0 different, -1 unknown (one side symbolic or no default).
 */
int mc_value_equal(mc_kind kind, const mc_value *a, const mc_value *b);

/*
 * Formats a value as the string a compat entry would use: "on"/"off" for
 * bool kinds, decimal for integers, the enum name, the string itself.
 * Caller frees.  MC_VAL_NONE gives "(none)", symbolic gives the spelling.
 */
char *mc_value_to_compat_string(mc_kind kind, const mc_value *v);

/* Human/JSON display: same as above, except strings are shown quoted. */
char *mc_value_display(mc_kind kind, const mc_value *v);

/* Does this default "turn something on" (true, non-zero, "on", "auto")? */
int mc_value_enables(mc_kind kind, const mc_value *v);

#endif
