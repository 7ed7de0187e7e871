/*
 * fuzz_qapi.c - the QAPI schema reader (qapi.c).
 *
 * Input: the text of one schema file.  Whatever was read must give a stub
 * header, and every enum constant declared must map back to its member.
 */
#include <stdio.h>

#include "fuzz_util.h"
#include "frontend/qapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = mc_fuzz_text(data, size);
	mc_qapi q;
	mc_qapi_init(&q);
	/* Schema text reaches the reader without NUL bytes (tree.c refuses those files). */
	size_t len = strlen(text);
	(void)mc_qapi_add_schema(&q, "qapi/fuzz.json", text, len);
	char *stub = mc_qapi_stub_header(&q);
	MC_FUZZ_CHECK(stub != NULL);
	free(stub);
	for (size_t i = 0; i < q.nenums; i++) {
		const mc_qapi_enum *e = &q.enums[i];
		MC_FUZZ_CHECK(mc_qapi_find_enum(&q, e->name) != NULL);
		char *upper = mc_qapi_camel_to_upper(e->name);
		free(upper);
		for (size_t j = 0; j < e->nmembers; j++)
			(void)mc_qapi_member_of_constant(&q, e->c_names[j], NULL);
	}
	/* A second file on top of the first: merging must hold too. */
	(void)mc_qapi_add_schema(&q, "qapi/fuzz2.json", text, len);
	mc_qapi_free(&q);
	mc_error_clear();
	free(text);
	return 0;
}
