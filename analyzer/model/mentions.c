/*
 * mentions.c - the table of names written in a tree (see mentions.h).
 */
#include "model/mentions.h"

#include <stdlib.h>
#include <string.h>

static char *pair_key(const char *path, const char *name)
{
	return mc_sprintf("%s\n%s", path, name);
}

void mc_mentions_recorder(mc_mentions *m, mc_mention_questions *q)
{
	memset(m, 0, sizeof(*m));
	m->recorder = q;
}

void mc_mention_questions_free(mc_mention_questions *q)
{
	mc_strvec_free(&q->names);
	mc_strvec_free(&q->pairs);
}

void mc_mentions_asked(mc_mentions *m, const char *name)
{
	if (!mc_map_get(&m->where, name))
		mc_map_put(&m->where, name, mc_calloc(1, sizeof(mc_strvec)));
}

void mc_mentions_add(mc_mentions *m, const char *name, const char *path, int all_files)
{
	char *key = pair_key(path, name);
	mc_map_put(&m->pairs, key, (void *)1);
	free(key);
	if (!all_files)
		return;
	mc_mentions_asked(m, name);
	mc_strvec *files = mc_map_get(&m->where, name);
	if (!mc_strvec_contains(files, path))
		mc_strvec_push(files, path);
}

int mc_mentions_in_file(const mc_mentions *m, const char *name, const char *path)
{
	if (!m || !path)
		return 0;
	char *key = pair_key(path, name);
	int hit = 0;
	if (m->recorder) {
		if (!mc_strvec_contains(&m->recorder->pairs, key))
			mc_strvec_push(&m->recorder->pairs, key);
	} else {
		const mc_strvec *files = mc_map_get(&m->where, name);
		hit = files ? mc_strvec_contains(files, path) : mc_map_get(&m->pairs, key) != NULL;
	}
	free(key);
	return hit;
}

int mc_mentions_elsewhere(const mc_mentions *m, const char *name, const mc_strvec *except)
{
	if (!m)
		return 0;
	if (m->recorder) {
		if (!mc_strvec_contains(&m->recorder->names, name))
			mc_strvec_push(&m->recorder->names, name);
		return 0;
	}
	const mc_strvec *files = mc_map_get(&m->where, name);
	for (size_t i = 0; files && i < files->n; i++)
		if (!except || !mc_strvec_contains(except, files->v[i]))
			return 1;
	return 0;
}

void mc_mentions_free(mc_mentions *m)
{
	MC_MAP_FOREACH(&m->where, i)
	{
		mc_strvec_free(m->where.vals[i]);
		free(m->where.vals[i]);
	}
	mc_map_free(&m->where);
	mc_map_free(&m->pairs);
	memset(m, 0, sizeof(*m));
}
