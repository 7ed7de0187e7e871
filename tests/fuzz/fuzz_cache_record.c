/*
 * fuzz_cache_record.c - a cache record as read back (facts.c JSON decoding).
 *
 * A record in the cache database may be damaged or written by another
 * build.  Input: the record's JSON text.  A record that decodes must encode
 * to JSON that decodes to the same encoding, and the model must be buildable
 * from it (what a run does with cached facts).
 */
#include <stdio.h>

#include "model/conv.h"
#include "model/facts.h"
#include "fuzz_util.h"
#include "model/model.h"

static mc_conv conv;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (mc_conv_load_builtin(&conv) < 0) {
		fprintf(stderr, "fuzz_cache_record: %s\n", mc_error_last());
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = mc_fuzz_text(data, size);
	mc_facts *f = NULL;
	if (mc_facts_from_json(&f, text) == 0) {
		char *json = mc_facts_to_json(f);
		MC_FUZZ_CHECK(json != NULL);
		mc_facts *g = NULL;
		MC_FUZZ_CHECK(mc_facts_from_json(&g, json) == 0);
		char *again = mc_facts_to_json(g);
		MC_FUZZ_CHECK(strcmp(json, again) == 0);
		free(again);
		free(json);
		mc_model *m = NULL;
		if (mc_model_build(&m, &f, 1, &conv, "9.2.0") == 0)
			mc_model_free(m);
		mc_facts_free(g);
		mc_facts_free(f);
	}
	mc_error_clear();
	free(text);
	return 0;
}
