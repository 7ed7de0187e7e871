/*
 * fuzz_value.c - compat value strings (value.c).
 *
 * Input: one byte choosing the property kind, then the compat string.  A
 * string that parses must format back to a compat string that parses to an
 * equal value, and comparing a value with itself is never "different".
 */
#include <stdio.h>

#include "fuzz_util.h"
#include "model/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	mc_kind kind = (mc_kind)(data[0] % (MC_KIND_OTHER + 1));
	char *text = mc_fuzz_text(data + 1, size - 1);
	mc_value v = {0};
	if (mc_value_parse(&v, kind, text) == 0) {
		MC_FUZZ_CHECK(mc_value_equal(kind, &v, &v) != 0);
		char *compat = mc_value_to_compat_string(kind, &v);
		char *shown = mc_value_display(kind, &v);
		(void)mc_value_enables(kind, &v);
		mc_value again = {0};
		MC_FUZZ_CHECK(mc_value_parse(&again, kind, compat) == 0);
		MC_FUZZ_CHECK(mc_value_equal(kind, &v, &again) != 0);
		mc_value_free(&again);
		free(compat);
		free(shown);
		/* The same text as another kind's value: comparisons across kinds must not crash. */
		mc_value other = mc_value_symbolic(text);
		(void)mc_value_equal(kind, &v, &other);
		mc_value_free(&other);
	}
	mc_value_free(&v);
	mc_error_clear();
	free(text);
	return 0;
}
