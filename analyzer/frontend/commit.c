/*
 * commit.c - reads the commit facts of a change from git (see commit.h).
 */
#include "frontend/commit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The commits a range is searched back for an entry's introduction: enough for any release cycle's file history. */
#define MC_ENTRY_LOG_MAX 100

/* Fills the release of the commit a Fixes: names, when it resolves and is an ancestor of base. */
static void resolve_fixes(mc_trailer *t, mc_repo *repo, const mc_oid *base)
{
	mc_oid fixed;
	char *data;
	size_t len;
	int maj, min, mic;
	if (t->kind != MC_TRAILER_FIXES || !base || mc_oid_is_zero(base) ||
	    mc_repo_resolve(repo, &fixed, t->fixed) < 0) {
		mc_error_clear();
		return;
	}
	if (mc_repo_is_ancestor(repo, &fixed, base) != 1) {
		mc_error_clear();
		return;
	}
	if (mc_repo_read_path(repo, &fixed, "VERSION", 64, &data, &len) < 0) {
		mc_error_clear();
		return;
	}
	if (sscanf(data, "%d.%d.%d", &maj, &min, &mic) == 3) {
		t->fixed_major = maj;
		t->fixed_minor = min;
		t->fixed_micro = mic;
	}
	free(data);
}

static void trailers_read(mc_trailers *out, mc_repo *repo, const mc_oid *base, const char *message)
{
	mc_trailers_parse(out, message);
	for (size_t i = 0; i < out->n; i++)
		resolve_fixes(&out->v[i], repo, base);
}

int mc_commit_facts_one(mc_commit_facts *out, mc_repo *repo, const mc_oid *base, const char *message)
{
	memset(out, 0, sizeof(*out));
	out->known = 1;
	trailers_read(&out->change, repo, base, message);
	return 0;
}

/* One file's text at each commit of its log, read once for all the entries written in it. */
typedef struct {
	mc_oid *commits;
	size_t n;
	char **text;        /* NULL until read; "" when absent */
} file_history;

static file_history *history_of(mc_map *histories, mc_repo *repo, const mc_oid *base, const mc_oid *head,
				const char *path)
{
	file_history *h = mc_map_get(histories, path);
	if (h)
		return h;
	h = mc_calloc(1, sizeof(*h));
	if (mc_repo_log_path(repo, head, base, path, MC_ENTRY_LOG_MAX, &h->commits, &h->n) < 0) {
		mc_error_clear();
		h->n = 0;
	}
	h->text = mc_calloc(h->n + 1, sizeof(char *));
	mc_map_put(histories, path, h);
	return h;
}

/* Does the file at commit i of its history hold the entry (its quoted property)? */
static int history_has(file_history *h, mc_repo *repo, const char *path, size_t i, const char *property)
{
	if (!h->text[i]) {
		size_t len;
		if (mc_repo_read_path(repo, &h->commits[i], path, 0, &h->text[i], &len) < 0) {
			mc_error_clear();
			h->text[i] = mc_strdup("");
		}
	}
	char *quoted = mc_sprintf("\"%s\"", property);
	int has = strstr(h->text[i], quoted) != NULL;
	free(quoted);
	return has;
}

static void history_free(file_history *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->text[i]);
	free(h->text);
	free(h->commits);
	free(h);
}

/* The trailers of the commit that introduced the entry, or NULL when none did in the range. */
static mc_trailers *entry_trailers(mc_map *histories, mc_repo *repo, const mc_oid *base, const mc_oid *head,
				   const mc_compat_entry *e)
{
	file_history *h = history_of(histories, repo, base, head, e->file);
	size_t intro = h->n;
	/* newest first: walk back while the entry is there */
	for (size_t i = 0; i < h->n && history_has(h, repo, e->file, i, e->property); i++)
		intro = i;
	char *message = NULL;
	if (intro == h->n || mc_repo_commit_message(repo, &h->commits[intro], &message) < 0) {
		mc_error_clear();
		return NULL;
	}
	mc_trailers *t = mc_calloc(1, sizeof(*t));
	trailers_read(t, repo, base, message);
	free(message);
	return t;
}

int mc_commit_facts_range(mc_commit_facts *out, mc_repo *repo, const mc_oid *base, const mc_oid *head,
			  const mc_compat_entry *const *entries, size_t nentries)
{
	memset(out, 0, sizeof(*out));
	out->known = 1;
	out->per_entry = 1;
	mc_map histories = {0};
	for (size_t i = 0; i < nentries; i++) {
		const mc_compat_entry *e = entries[i];
		if (!e->file)
			continue;
		char *key = mc_commit_entry_key(e->file, e->property);
		if (!mc_map_get(&out->by_entry, key)) {
			mc_trailers *t = entry_trailers(&histories, repo, base, head, e);
			if (t)
				mc_map_put(&out->by_entry, key, t);
		}
		free(key);
	}
	MC_MAP_FOREACH(&histories, i)
		history_free(histories.vals[i]);
	mc_map_free(&histories);
	return 0;
}

void mc_changed_lines_read(mc_changed_lines *out, const mc_snapshot *base, const mc_snapshot *head,
			   const mc_strvec *paths, size_t max_size)
{
	for (size_t i = 0; i < paths->n; i++) {
		int *ranges;
		size_t n;
		if (mc_snapshot_changed_lines(base, head, paths->v[i], max_size, &ranges, &n) == 0)
			mc_changed_lines_add(out, paths->v[i], ranges, n);
		else
			mc_error_clear();
	}
}
