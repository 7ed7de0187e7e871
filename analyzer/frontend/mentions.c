/*
 * mentions.c - where names are written in a revision's tree (see mentions.h).
 */
#include "frontend/mentions.h"

#include <stdlib.h>
#include <string.h>

/* Does the file write "name"? */
static int file_writes(const mc_revision *rev, const char *path, const char *name)
{
	const char *data;
	size_t len;
	if (mc_tree_read(rev->tree, path, &data, &len) < 0) {
		mc_error_clear();
		return 0;
	}
	char *quoted = mc_sprintf("\"%s\"", name);
	int hit = strstr(data, quoted) != NULL;
	free(quoted);
	return hit;
}

static int is_c_text(const mc_revision *rev, const char *path)
{
	return (mc_str_endswith(path, ".c") || mc_str_endswith(path, ".h")) &&
	       !mc_conv_is_skipped(rev->tree->conv, path);
}

void mc_revision_answer_mentions(const mc_revision *rev, const mc_mention_questions *q, mc_mentions *out)
{
	mc_revision_answer_mentions_in(rev, rev->model, q, out);
}

void mc_revision_answer_mentions_in(const mc_revision *rev, const mc_model *m, const mc_mention_questions *q,
				    mc_mentions *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t k = 0; k < q->names.n; k++)
		mc_mentions_asked(out, q->names.v[k]);
	/* One pass over the tree for every name asked tree-wide. */
	for (size_t i = 0; q->names.n && i < rev->snap->nfiles; i++) {
		const char *path = rev->snap->files[i].path;
		if (!is_c_text(rev, path) || mc_strvec_contains(&m->replaced_files, path))
			continue;
		for (size_t k = 0; k < q->names.n; k++)
			if (file_writes(rev, path, q->names.v[k]))
				mc_mentions_add(out, q->names.v[k], path, 1);
	}
	for (size_t k = 0; k < q->pairs.n; k++) {
		const char *nl = strchr(q->pairs.v[k], '\n');
		char *path = mc_strndup(q->pairs.v[k], (size_t)(nl - q->pairs.v[k]));
		if (file_writes(rev, path, nl + 1))
			mc_mentions_add(out, nl + 1, path, 0);
		free(path);
	}
}
