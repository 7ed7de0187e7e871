/*
 * fuzz_depend.c - the dependency judgement (frontend/depend.c) on any texts.
 *
 * Input: a main file, a header's old text and its new text, separated by
 * the byte 0x01 (a missing part is empty).  They become the two include
 * closures tree.c would prepare.  Checks: the answer is 0 or 1, a refusal
 * says why, equal headers are never "kept" (no header changed), and a second
 * judgement with the texts already cut gives the same answer.
 */
#include "fuzz_util.h"
#include "frontend/build.h"
#include "frontend/depend.h"
#include "frontend/tree.h"

static void closure(mc_tu_input *in, const char *main_text, size_t main_len, const char *header, size_t len)
{
	memset(in, 0, sizeof(*in));
	in->files = mc_calloc(2, sizeof(mc_tu_file));
	in->files[0].filename = mc_strdup(MC_TREE_ROOT "/hw/dev.c");
	in->files[0].contents = (char *)main_text;
	in->files[0].length = main_len;
	in->files[1].filename = mc_strdup(MC_TREE_ROOT "/include/a.h");
	in->files[1].contents = (char *)header;
	in->files[1].length = len;
	in->nfiles = 2;
	char hex[41];
	mc_hash_text(header, len, hex);
	mc_strvec_push_owned(&in->deps, mc_sprintf("include/a.h:%s", hex));
}

/* The next part of [*p, end) up to a 0x01 byte, which is skipped. */
static const char *part(const char **p, const char *end, size_t *len)
{
	const char *start = *p, *sep = memchr(start, 0x01, (size_t)(end - start));
	*len = (size_t)((sep ? sep : end) - start);
	*p = sep ? sep + 1 : end;
	return start;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	size_t main_len, old_len, new_len;
	const char *main_text = part(&p, end, &main_len);
	const char *old_text = part(&p, end, &old_len);
	const char *new_text = part(&p, end, &new_len);
	mc_tu_input had, now;
	closure(&had, main_text, main_len, old_text, old_len);
	closure(&now, main_text, main_len, new_text, new_len);
	mc_depend *d;
	mc_depend_new(&d);
	char *why = NULL, *again = NULL;
	int first = mc_depend_facts_hold(d, &had, &now, NULL, &why);
	MC_FUZZ_CHECK(first == 0 || first == 1);
	MC_FUZZ_CHECK(first == 1 || why != NULL);
	MC_FUZZ_CHECK(!(old_len == new_len && memcmp(old_text, new_text, old_len) == 0) || first == 0);
	int second = mc_depend_facts_hold(d, &had, &now, NULL, &again);
	MC_FUZZ_CHECK(first == second);
	free(why);
	free(again);
	mc_depend_free(d);
	for (int k = 0; k < 2; k++) {
		mc_tu_input *in = k ? &now : &had;
		free(in->files[0].filename);
		free(in->files[1].filename);
		free(in->files);
		mc_strvec_free(&in->deps);
	}
	return 0;
}
