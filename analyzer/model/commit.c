/*
 * commit.c - commit trailers and the commit facts of a change (see commit.h).
 */
#include "model/commit.h"
#include "model/model.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A Fixes: trailer names at least 7 hex digits; shorter ids are too ambiguous to resolve. */
#define MC_FIXES_MIN_HEX 7

static void push(mc_trailers *out, mc_trailer_kind kind, const char *line, char *fixed)
{
	mc_trailer *t = MC_VEC_PUSH(out->v, out->n, out->cap);
	t->kind = kind;
	t->line = mc_strdup(line);
	t->fixed = fixed;
	t->fixed_major = t->fixed_minor = t->fixed_micro = -1;
}

/* The hex id right after "Fixes:", or NULL when it is shorter than MC_FIXES_MIN_HEX. */
static char *fixes_id(const char *line)
{
	const char *s = line + strlen("Fixes:");
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = 0;
	while (n < 40 && isxdigit((unsigned char)s[n]))
		n++;
	return n >= MC_FIXES_MIN_HEX ? mc_strndup(s, n) : NULL;
}

void mc_trailers_parse(mc_trailers *out, const char *message)
{
	memset(out, 0, sizeof(*out));
	for (const char *p = message; p && *p;) {
		const char *eol = strchr(p, '\n');
		char *line = mc_strndup(p, eol ? (size_t)(eol - p) : strlen(p));
		if (strncasecmp(line, "Cc:", 3) == 0 && strstr(line, "qemu-stable")) {
			push(out, MC_TRAILER_STABLE, line, NULL);
		} else if (strncmp(line, "Fixes:", 6) == 0) {
			char *id = fixes_id(line);
			if (id)
				push(out, MC_TRAILER_FIXES, line, id);
		}
		free(line);
		p = eol ? eol + 1 : NULL;
	}
}

void mc_trailers_free(mc_trailers *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].line);
		free(t->v[i].fixed);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

int mc_trailer_is_stable_fix(const mc_trailer *t, int released_major, int released_minor)
{
	if (t->kind == MC_TRAILER_STABLE)
		return 1;
	if (t->fixed_major < 0 || released_major < 0)
		return 0;
	int cmp = mc_version_cmp(released_major, released_minor, t->fixed_major, t->fixed_minor);
	return t->fixed_micro >= 50 ? cmp > 0 : cmp >= 0;
}

char *mc_commit_entry_key(const char *file, const char *property)
{
	return mc_sprintf("%s|%s", file ? file : "", property);
}

const mc_trailers *mc_commit_facts_for_entry(const mc_commit_facts *cf, const char *file, const char *property)
{
	if (!cf || !cf->known)
		return NULL;
	if (!cf->per_entry)
		return &cf->change;
	char *key = mc_commit_entry_key(file, property);
	const mc_trailers *t = mc_map_get(&cf->by_entry, key);
	free(key);
	return t;
}

void mc_commit_facts_free(mc_commit_facts *cf)
{
	mc_trailers_free(&cf->change);
	MC_MAP_FOREACH(&cf->by_entry, i)
	{
		mc_trailers_free(cf->by_entry.vals[i]);
		free(cf->by_entry.vals[i]);
	}
	mc_map_free(&cf->by_entry);
	memset(cf, 0, sizeof(*cf));
}

void mc_changed_lines_add(mc_changed_lines *c, const char *path, int *ranges, size_t n)
{
	mc_changed_file *f = MC_VEC_PUSH(c->v, c->n, c->cap);
	f->path = mc_strdup(path);
	f->ranges = ranges;
	f->n = n;
}

int mc_changed_lines_has(const mc_changed_lines *c, const char *path, int line)
{
	for (size_t i = 0; c && path && i < c->n; i++) {
		if (strcmp(c->v[i].path, path) != 0)
			continue;
		for (size_t k = 0; k < c->v[i].n; k++)
			if (line >= c->v[i].ranges[2 * k] && line <= c->v[i].ranges[2 * k + 1])
				return 1;
		return 0;
	}
	return -1;
}

void mc_changed_lines_free(mc_changed_lines *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].path);
		free(c->v[i].ranges);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}
