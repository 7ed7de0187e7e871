/*
 * suppress.c - see suppress.h.
 */
#include "report/suppress.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "rules/catalog.h"
#include "util/cscan.h"

/* Suppression files and baselines are small; anything bigger is not one. */
#define MC_SUPPRESS_MAX_SIZE (16u << 20)
/* Source files are read once each to look for markers. */
#define MC_SOURCE_MAX_SIZE (64u << 20)

/* rule|type|property, and |description for a vmstate-* finding (it names no property). */
static char *identity(const char *rule, const char *type, const char *property, const char *vmstate)
{
	return mc_sprintf("%s|%s|%s%s%s", rule, type ? type : "", property ? property : "", vmstate ? "|" : "",
			  vmstate ? vmstate : "");
}

char *mc_finding_identity(const mc_finding *f)
{
	return identity(f->rule, f->type, f->property, f->vmstate);
}

static char *supp_identity(const mc_suppression *s)
{
	return mc_sprintf("%s|%s|%s", s->rule, s->type, s->property ? s->property : "");
}

/* A required (or optional) non-empty string member; NULL with a message when absent or wrong. */
static int take_string(json_t *obj, const char *key, int required, char **out, const char *origin, size_t idx)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v) {
		if (!required)
			return 0;
		mc_error_set("%s: suppression %zu has no \"%s\"", origin, idx, key);
		return MC_EPARSE;
	}
	const char *text = json_string_value(v);
	int blank = 1;
	for (const char *c = text ? text : ""; *c; c++)
		blank &= *c == ' ' || *c == '\t' || *c == '\n' || *c == '\r';
	if (!json_is_string(v) || blank || strlen(text) != json_string_length(v)) {
		mc_error_set("%s: suppression %zu: \"%s\" must be a non-empty string", origin, idx, key);
		return MC_EPARSE;
	}
	*out = mc_strdup(json_string_value(v));
	return 0;
}

static int parse_entry(json_t *obj, const char *origin, size_t idx, mc_suppression *s)
{
	static const char *const keys[] = { "rule", "type", "property", "reason" };
	memset(s, 0, sizeof(*s));
	s->index = idx;
	if (!json_is_object(obj)) {
		mc_error_set("%s: suppression %zu is not an object", origin, idx);
		return MC_EPARSE;
	}
	const char *key;
	json_t *val;
	json_object_foreach(obj, key, val) {
		int known = 0;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			known |= strcmp(key, keys[i]) == 0;
		if (!known) {
			mc_error_set("%s: suppression %zu: unknown key \"%s\" (rule, type, property, reason)", origin, idx,
				     key);
			return MC_EPARSE;
		}
	}
	if (take_string(obj, "rule", 1, &s->rule, origin, idx) < 0 || take_string(obj, "type", 1, &s->type, origin, idx) < 0 ||
	    take_string(obj, "property", 0, &s->property, origin, idx) < 0 ||
	    take_string(obj, "reason", 1, &s->reason, origin, idx) < 0)
		return MC_EPARSE;
	if (!mc_rule_lookup(s->rule)) {
		mc_error_set("%s: suppression %zu names unknown rule '%s' (see migcompat --list-rules)", origin, idx,
			     s->rule);
		return MC_EPARSE;
	}
	return 0;
}

static void entry_free(mc_suppression *s)
{
	free(s->rule);
	free(s->type);
	free(s->property);
	free(s->reason);
}

int mc_suppressions_parse(mc_suppressions *out, const char *origin, const char *text, size_t len)
{
	memset(out, 0, sizeof(*out));
	out->origin = mc_strdup(origin);
	json_error_t err;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		mc_error_set("%s:%d: not valid JSON: %s", origin, err.line, err.text);
		return MC_EPARSE;
	}
	int rc = MC_EPARSE;
	json_t *list = json_object_get(root, "suppressions");
	if (!json_is_object(root) || json_object_size(root) != 1 || !json_is_array(list)) {
		mc_error_set("%s: expected {\"suppressions\": [...]} and nothing else", origin);
		goto out;
	}
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item) {
		mc_suppression *s = MC_VEC_PUSH(out->v, out->n, out->cap);
		if (parse_entry(item, origin, i + 1, s) < 0)
			goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

void mc_suppressions_free(mc_suppressions *s)
{
	for (size_t i = 0; i < s->n; i++)
		entry_free(&s->v[i]);
	free(s->v);
	free(s->origin);
	memset(s, 0, sizeof(*s));
}

static int read_from_snapshot(const mc_snapshot *snap, mc_suppressions *out)
{
	const mc_file *f = mc_snapshot_find(snap, MC_SUPPRESSIONS_PATH);
	if (!f) {
		memset(out, 0, sizeof(*out));
		out->origin = mc_strdup(MC_SUPPRESSIONS_PATH);
		return 0;
	}
	char *text;
	size_t len;
	if (mc_snapshot_read(snap, f, MC_SUPPRESS_MAX_SIZE, &text, &len) < 0) {
		memset(out, 0, sizeof(*out));
		return MC_EINPUT;
	}
	char *origin = mc_sprintf("%s (%s)", MC_SUPPRESSIONS_PATH, snap->label);
	int rc = mc_suppressions_parse(out, origin, text, len);
	free(origin);
	free(text);
	return rc;
}

int mc_suppressions_from_snapshot(mc_suppressions *out, const mc_snapshot *head, const mc_snapshot *base)
{
	if (read_from_snapshot(head, out) < 0)
		return MC_EPARSE;
	mc_suppressions before = {0};
	if (base && read_from_snapshot(base, &before) < 0) {
		/* A broken file at base is not this change's fault: every entry is then new. */
		mc_error_clear();
		mc_suppressions_free(&before);
	}
	mc_map old = {0};
	for (size_t i = 0; i < before.n; i++) {
		char *id = supp_identity(&before.v[i]);
		mc_map_put(&old, id, (void *)1);
		free(id);
	}
	for (size_t i = 0; i < out->n; i++) {
		char *id = supp_identity(&out->v[i]);
		out->v[i].must_match = !base || !mc_map_get(&old, id);
		free(id);
	}
	mc_map_free(&old);
	mc_suppressions_free(&before);
	return 0;
}

int mc_suppressions_from_file(mc_suppressions *out, const char *path)
{
	char *text;
	size_t len;
	memset(out, 0, sizeof(*out));
	if (mc_file_read_text(path, "suppression file", MC_SUPPRESS_MAX_SIZE, &text, &len) < 0)
		return MC_EINPUT;
	int rc = mc_suppressions_parse(out, path, text, len);
	free(text);
	for (size_t i = 0; rc == 0 && i < out->n; i++)
		out->v[i].must_match = 1;
	return rc;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * The comments of one source line: [start, end) of each comment's text.  A
 * line that starts with '*' continues a block comment; strings and
 * character literals are skipped, so a marker in a string is not one.
 */
typedef struct {
	const char *start[8], *end[8];
	size_t n;
	int only_comment;     /* nothing but comments and blanks on the line */
} line_comments;

static void find_comments(const char *line, size_t len, line_comments *out)
{
	const char *p = line, *end = line + len;
	memset(out, 0, sizeof(*out));
	out->only_comment = 1;
	while (p < end && is_blank(*p))
		p++;
	if (p < end && *p == '*' && (p + 1 == end || p[1] != '/')) {
		/* The rest of a block comment opened on a line above: up to its close. */
		const char *close = memmem(p + 1, (size_t)(end - p - 1), "*/", 2);
		out->start[out->n] = p + 1;
		out->end[out->n++] = close ? close : end;
		p = close ? close + 2 : end;
	}
	mc_cscan c;
	mc_ctok t;
	mc_cscan_init(&c, p, (size_t)(end - p), 0);
	/* The first eight comments; what follows them is not looked at. */
	while (out->n < 8 && mc_cscan_next(&c, &t) != MC_CTOK_END) {
		if (t.kind != MC_CTOK_COMMENT) {
			out->only_comment = 0;
			continue;
		}
		out->start[out->n] = t.p + 2;
		out->end[out->n++] = t.p[1] == '*' && !t.open ? t.p + t.len - 2 : t.p + t.len;
	}
}

/* Skips "word" and the blanks after it; NULL when p does not start with word followed by a blank. */
static const char *skip_word(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(end - p) < n || memcmp(p, word, n) != 0 || p + n == end || !is_blank(p[n]))
		return NULL;
	for (p += n; p < end && is_blank(*p); p++)
		;
	return p;
}

/* The marker at p ("migcompat: allow RULE: reason" up to end); 1, 0 (not a marker) or MC_EPARSE. */
static int parse_marker_at(const char *p, const char *end, char **rule, char **reason)
{
	if (!(p = skip_word(p, end, "migcompat:")) || !(p = skip_word(p, end, "allow")))
		return 0;
	const char *colon = memchr(p, ':', (size_t)(end - p));
	const char *rule_end = colon ? colon : end;
	while (rule_end > p && is_blank(rule_end[-1]))
		rule_end--;
	char *r = mc_strndup(p, (size_t)(rule_end - p));
	if (!mc_rule_lookup(r)) {
		mc_buf shown = {0};
		for (const char *c = r; *c && shown.len < 60; c++)
			mc_buf_put(&shown, (unsigned char)*c < 0x20 || *c == 0x7f ? "?" : c, 1);
		mc_error_set("marker names unknown rule '%s' (see migcompat --list-rules)", shown.ptr ? shown.ptr : "");
		mc_buf_free(&shown);
		free(r);
		return MC_EPARSE;
	}
	const char *why = colon ? colon + 1 : end, *why_end = end;
	while (why < why_end && is_blank(*why))
		why++;
	while (why_end > why && is_blank(why_end[-1]))
		why_end--;
	if (why_end == why) {
		mc_error_set("marker for %s gives no reason (write: migcompat: allow %s: <why>)", r, r);
		free(r);
		return MC_EPARSE;
	}
	*rule = r;
	*reason = mc_strndup(why, (size_t)(why_end - why));
	return 1;
}

int mc_marker_find(const char *line, size_t len, const char *want, char **reason, int *only_comment)
{
	line_comments lc;
	find_comments(line, len, &lc);
	if (only_comment)
		*only_comment = lc.only_comment;
	int found = 0;
	for (size_t i = 0; i < lc.n; i++) {
		const char *cend = lc.end[i];
		for (const char *p = lc.start[i]; p < cend; p++) {
			if (*p != 'm' || (p > lc.start[i] && !is_blank(p[-1]) && p[-1] != '*' && p[-1] != '/'))
				continue;
			char *rule = NULL, *why = NULL;
			int rc = parse_marker_at(p, cend, &rule, &why);
			if (rc < 0) {
				/* A malformed marker anywhere on the line fails it, even after a good one. */
				if (found) {
					free(*reason);
					*reason = NULL;
				}
				return rc;
			}
			if (rc == 1 && !found && (!want || strcmp(rule, want) == 0)) {
				*reason = why;
				found = 1;
				why = NULL;
			}
			free(rule);
			free(why);
		}
	}
	return found;
}

/* Head's source files, read once each; a file that cannot be read has no markers. */
typedef struct {
	mc_map texts;    /* path -> char* (or the sentinel for unreadable) */
	const mc_snapshot *snap;
} source_cache;

static char unreadable;

static const char *source_text(source_cache *sc, const char *path)
{
	char *t = mc_map_get(&sc->texts, path);
	if (t)
		return t == &unreadable ? NULL : t;
	const mc_file *f = mc_snapshot_find(sc->snap, path);
	size_t len;
	if (!f || mc_snapshot_read(sc->snap, f, MC_SOURCE_MAX_SIZE, &t, &len) < 0) {
		mc_error_clear();
		mc_map_put(&sc->texts, path, &unreadable);
		return NULL;
	}
	mc_map_put(&sc->texts, path, t);
	return t;
}

static void source_cache_free(source_cache *sc)
{
	MC_MAP_FOREACH(&sc->texts, i)
		if (sc->texts.vals[i] != &unreadable)
			free(sc->texts.vals[i]);
	mc_map_free(&sc->texts);
}

/* Start and length of 1-based line n of text, or NULL. */
static const char *line_at(const char *text, int n, size_t *len)
{
	const char *p = text;
	for (int i = 1; i < n && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || n < 1)
		return NULL;
	const char *e = strchr(p, '\n');
	*len = e ? (size_t)(e - p) : strlen(p);
	return p;
}

static void mark(mc_finding *f, mc_suppress_kind kind, const char *reason, char *where)
{
	f->suppressed = kind;
	f->suppress_reason = mc_strdup(reason);
	f->suppress_where = where;
}

/*
 * A marker for f's rule in a comment on f's line, or on the line above when
 * that line holds only a comment: 1 marked, 0 none, <0 a malformed marker.
 */
static int apply_marker(mc_finding *f, source_cache *sc)
{
	const char *text = f->file && f->line > 0 ? source_text(sc, f->file) : NULL;
	if (!text)
		return 0;
	for (int n = f->line; n >= f->line - 1 && n >= 1; n--) {
		size_t len;
		const char *line = line_at(text, n, &len);
		char *reason = NULL;
		int only_comment = 0;
		int rc = line ? mc_marker_find(line, len, f->rule, &reason, &only_comment) : 0;
		if (rc < 0) {
			char *msg = mc_strdup(mc_error_last());
			mc_error_set("%s:%d: %s", f->file, n, msg);
			free(msg);
			return rc;
		}
		if (rc == 1 && (n == f->line || only_comment)) {
			mark(f, MC_SUPPRESS_IN_SOURCE, reason, mc_sprintf("%s:%d", f->file, n));
			free(reason);
			return 1;
		}
		free(reason);
	}
	return 0;
}

static int entry_matches(const mc_suppression *s, const mc_finding *f)
{
	/* A family finding names the owner; an entry on the owner or on the named type both count. */
	return strcmp(s->rule, f->rule) == 0 &&
	       ((f->type && strcmp(s->type, f->type) == 0) || (f->owner && strcmp(s->type, f->owner) == 0)) &&
	       (!s->property || (f->property && strcmp(s->property, f->property) == 0));
}

int mc_suppress_apply(mc_findings *fs, const mc_snapshot *head, mc_suppressions *supps)
{
	source_cache sc = { {0}, head };
	int rc = 0;
	for (size_t i = 0; i < fs->n && rc == 0; i++) {
		mc_finding *f = &fs->v[i];
		if (head && (rc = apply_marker(f, &sc)) < 0)
			break;
		rc = 0;
		/* Entries count their matches even when a marker already accepted the finding. */
		for (size_t k = 0; supps && k < supps->n; k++) {
			mc_suppression *s = &supps->v[k];
			if (!entry_matches(s, f))
				continue;
			s->matched++;
			if (!f->suppressed)
				mark(f, MC_SUPPRESS_EXTERNAL, s->reason, mc_sprintf("%s #%zu", supps->origin, s->index));
		}
	}
	source_cache_free(&sc);
	for (size_t k = 0; rc == 0 && supps && k < supps->n; k++) {
		const mc_suppression *s = &supps->v[k];
		if (s->must_match && s->matched == 0) {
			mc_error_set("%s: suppression %zu (%s %s%s%s) matches no finding: remove it or fix its type or "
				     "property",
				     supps->origin, s->index, s->rule, s->type, s->property ? "." : "",
				     s->property ? s->property : "");
			rc = MC_EPARSE;
		}
	}
	return rc;
}

int mc_baseline_load(mc_map *keys, const char *path)
{
	char *text;
	size_t len;
	memset(keys, 0, sizeof(*keys));
	if (mc_file_read_text(path, "baseline", MC_SUPPRESS_MAX_SIZE * 8, &text, &len) < 0)
		return MC_EINPUT;
	json_error_t err;
	json_t *root = json_loadb(text, len, 0, &err);
	free(text);
	json_t *list = root ? json_object_get(root, "findings") : NULL;
	if (!json_is_array(list)) {
		mc_error_set("%s: not a migcompat report saved with --format json%s%s", path, root ? "" : ": ",
			     root ? "" : err.text);
		json_decref(root);
		return MC_EPARSE;
	}
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item) {
		const char *rule = json_string_value(json_object_get(item, "rule"));
		const char *type = json_string_value(json_object_get(item, "type"));
		const char *prop = json_string_value(json_object_get(item, "property"));
		const char *vmstate = json_string_value(json_object_get(item, "vmstate"));
		if (!rule) {
			mc_error_set("%s: finding %zu has no \"rule\"", path, i + 1);
			json_decref(root);
			mc_map_free(keys);
			return MC_EPARSE;
		}
		char *id = identity(rule, type, prop, vmstate);
		mc_map_put(keys, id, (void *)1);
		free(id);
	}
	json_decref(root);
	return 0;
}

size_t mc_baseline_filter(mc_findings *fs, const mc_map *keys)
{
	size_t kept = 0, dropped = 0;
	for (size_t i = 0; i < fs->n; i++) {
		char *id = mc_finding_identity(&fs->v[i]);
		int known = mc_map_get(keys, id) != NULL;
		free(id);
		if (known) {
			mc_findings one = { &fs->v[i], 1, 1 };
			mc_findings_free_items(&one);
			dropped++;
		} else {
			fs->v[kept++] = fs->v[i];
		}
	}
	fs->n = kept;
	return dropped;
}
