/*
 * fuzz_suppress.c - the suppression file and inline markers (suppress.c).
 *
 * Input: one byte choosing what the rest is, then the text.  Even: a
 * .migcompat-suppressions.json; every entry that parses names a known rule
 * and carries a reason, and applying the list to a finding never crashes.
 * Odd: one source line searched for markers; a marker found has a non-empty
 * reason with no control characters around it.
 */
#include "rules/findings.h"
#include "fuzz_util.h"
#include "rules/catalog.h"
#include "report/suppress.h"

static void fuzz_file(const char *text, size_t len)
{
	mc_suppressions s;
	if (mc_suppressions_parse(&s, "fuzz.json", text, len) == 0) {
		for (size_t i = 0; i < s.n; i++) {
			MC_FUZZ_CHECK(mc_rule_lookup(s.v[i].rule) != NULL);
			MC_FUZZ_CHECK(s.v[i].reason && *s.v[i].reason);
			MC_FUZZ_CHECK(s.v[i].type && *s.v[i].type);
		}
		mc_findings fs = {0};
		mc_findings_add(&fs, "compat-missing", MC_SEV_ERROR, "t", "p", "hw/x.c", 3, "m");
		(void)mc_suppress_apply(&fs, NULL, &s);
		mc_findings_free(&fs);
	}
	mc_suppressions_free(&s);
}

static void fuzz_line(const char *text, size_t len)
{
	char *reason = NULL;
	int only = 0;
	if (mc_marker_find(text, len, NULL, &reason, &only) == 1) {
		MC_FUZZ_CHECK(reason && *reason);
		MC_FUZZ_CHECK(reason[0] != ' ' && reason[strlen(reason) - 1] != ' ');
	}
	free(reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *text = mc_fuzz_text(data + 1, size - 1);
	if (data[0] % 2 == 0)
		fuzz_file(text, size - 1);
	else
		fuzz_line(text, strlen(text));
	mc_error_clear();
	free(text);
	return 0;
}
