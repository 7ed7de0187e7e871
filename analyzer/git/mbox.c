/*
 * mbox.c - see mbox.h.
 *
 * The mail format read is what git format-patch, git send-email and lore
 * write: an mbox whose messages start with a "From " line, 8bit bodies, the
 * commit message up to "---" and the diff up to the "-- " signature.  Mails
 * encoded otherwise are refused with a message rather than misread.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "git/mbox.h"
#include "git/repo_internal.h"
#include "util/util.h"

#include <ctype.h>
#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- parsing ------------------------------------------------------------- */

/* One line of text: [start, end) without its newline; next: the line after. */
typedef struct {
	const char *start, *end, *next;
} line_span;

static int next_line(const char *p, const char *limit, line_span *l)
{
	if (p >= limit)
		return 0;
	const char *nl = memchr(p, '\n', (size_t)(limit - p));
	l->start = p;
	l->end = nl ? nl : limit;
	l->next = nl ? nl + 1 : limit;
	if (l->end > l->start && l->end[-1] == '\r')
		l->end--;
	return 1;
}

static int line_is(const line_span *l, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(l->end - l->start) == n && memcmp(l->start, s, n) == 0;
}

static int line_starts(const line_span *l, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(l->end - l->start) >= n && memcmp(l->start, s, n) == 0;
}

/* A mail's headers, unfolded: the ones a patch and a reply to it need. */
typedef struct {
	mc_mail_origin o;
	char *date, *encoding;
} mail_headers;

static void origin_free(mc_mail_origin *o)
{
	free(o->subject);
	free(o->message_id);
	free(o->references);
	free(o->from);
	free(o->to);
	free(o->cc);
}

static void headers_free(mail_headers *h)
{
	origin_free(&h->o);
	free(h->date);
	free(h->encoding);
}

static char **header_slot(mail_headers *h, const char *name, size_t n)
{
	static const struct {
		const char *name;
		size_t offset;
	} known[] = {
		{ "subject", offsetof(mail_headers, o.subject) },
		{ "message-id", offsetof(mail_headers, o.message_id) },
		{ "references", offsetof(mail_headers, o.references) },
		{ "from", offsetof(mail_headers, o.from) },
		{ "to", offsetof(mail_headers, o.to) },
		{ "cc", offsetof(mail_headers, o.cc) },
		{ "date", offsetof(mail_headers, date) },
		{ "content-transfer-encoding", offsetof(mail_headers, encoding) },
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].name) == n && strncasecmp(known[i].name, name, n) == 0)
			return (char **)((char *)h + known[i].offset);
	return NULL;
}

static char *trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return mc_strndup(s, n);
}

/* Reads the header block from p; returns where the body starts. */
static const char *read_headers(const char *p, const char *limit, mail_headers *h)
{
	line_span l;
	char **slot = NULL;
	while (next_line(p, limit, &l)) {
		p = l.next;
		if (l.end == l.start)
			break;
		if ((*l.start == ' ' || *l.start == '\t') && slot && *slot) {
			/* A folded continuation: one space stands for the fold. */
			char *more = trimmed(l.start, (size_t)(l.end - l.start));
			char *joined = mc_sprintf("%s %s", *slot, more);
			free(more);
			free(*slot);
			*slot = joined;
			continue;
		}
		const char *colon = memchr(l.start, ':', (size_t)(l.end - l.start));
		slot = colon ? header_slot(h, l.start, (size_t)(colon - l.start)) : NULL;
		if (slot && !*slot)
			*slot = trimmed(colon + 1, (size_t)(l.end - colon - 1));
		else
			slot = NULL;
	}
	return p;
}

/* "[PATCH v2 3/7] hw: x" -> "hw: x" (every leading bracket group). */
static char *strip_subject(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	while (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close)
			break;
		s = close + 1;
		while (isspace((unsigned char)*s))
			s++;
	}
	return mc_strdup(s);
}

/* Is the subject a "0/N" cover letter? */
static int is_cover_subject(const char *s)
{
	const char *slash = s ? strstr(s, " 0/") : NULL;
	if (!slash)
		slash = s ? strstr(s, "[0/") : NULL;
	const char *close = s ? strchr(s, ']') : NULL;
	return slash && close && slash < close;
}

/* "Name <mail@host>" or a bare address. */
static void parse_author(const char *from, char **name, char **email)
{
	const char *lt = from ? strchr(from, '<') : NULL;
	const char *gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt) {
		*email = mc_strndup(lt + 1, (size_t)(gt - lt - 1));
		char *n = trimmed(from, (size_t)(lt - from));
		size_t len = strlen(n);
		if (len >= 2 && n[0] == '"' && n[len - 1] == '"') {
			char *unquoted = mc_strndup(n + 1, len - 2);
			free(n);
			n = unquoted;
		}
		*name = *n ? n : (free(n), mc_strdup(*email));
		return;
	}
	*email = mc_strdup(from && *from ? from : "unknown");
	*name = mc_strdup(*email);
}

/* RFC 2822 date ("Tue, 4 Feb 2026 17:09:29 +0000"); 0 when unreadable. */
static void parse_date(const char *date, long long *when, int *offset)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	*when = 0;
	*offset = 0;
	if (!date)
		return;
	const char *d = strchr(date, ',') ? strchr(date, ',') + 1 : date;
	const char *rest = strptime(d, " %d %b %Y %H:%M:%S", &tm);
	if (!rest)
		return;
	int sign = 1, hhmm = 0;
	while (*rest == ' ')
		rest++;
	if ((*rest == '+' || *rest == '-') && isdigit((unsigned char)rest[1])) {
		sign = *rest == '-' ? -1 : 1;
		hhmm = atoi(rest + 1);
	}
	*offset = sign * ((hhmm / 100) * 60 + hhmm % 100);
	*when = (long long)timegm(&tm) - (long long)*offset * 60;
}

/* The diff: from the first "diff --git" to the "-- " signature near the end. */
static char *extract_diff(const char *body, const char *limit, const char **diff_start)
{
	const char *start = NULL;
	line_span l;
	for (const char *p = body; !start && next_line(p, limit, &l); p = l.next)
		if (line_starts(&l, "diff --git "))
			start = l.start;
	*diff_start = start;
	if (!start)
		return NULL;
	const char *end = limit, *signature = NULL;
	for (const char *p = start; next_line(p, limit, &l); p = l.next)
		if (line_is(&l, "-- "))
			signature = l.start;
	if (signature) {
		/* Only when a few lines at most follow: a removed line "- " is also "-- ". */
		size_t lines_after = 0;
		for (const char *q = signature; q < limit; q++)
			lines_after += *q == '\n';
		if (lines_after <= 4)
			end = signature;
	}
	return mc_strndup(start, (size_t)(end - start));
}

/* The commit message: title, blank line, the body up to "---" (or the diff). */
static char *extract_message(const char *title, const char *body, const char *limit)
{
	line_span l;
	const char *end = limit;
	for (const char *p = body; next_line(p, limit, &l); p = l.next)
		if (line_is(&l, "---") || line_starts(&l, "diff --git ")) {
			end = l.start;
			break;
		}
	char *text = trimmed(body, (size_t)(end - body));
	char *message = *text ? mc_sprintf("%s\n\n%s\n", title, text) : mc_sprintf("%s\n", title);
	free(text);
	return message;
}

static void find_base_commit(mc_mbox *m, const char *body, const char *limit)
{
	line_span l;
	for (const char *p = body; !m->base_commit && next_line(p, limit, &l); p = l.next)
		if (line_starts(&l, "base-commit: ")) {
			char *id = trimmed(l.start + 13, (size_t)(l.end - l.start - 13));
			if (strlen(id) >= 7 && strspn(id, "0123456789abcdef") == strlen(id))
				m->base_commit = id;
			else
				free(id);
		}
}

static int refuse_body(const mail_headers *h, const char *body, const char *limit)
{
	const char *subject = h->o.subject ? h->o.subject : "(no subject)";
	if (h->encoding && strcasecmp(h->encoding, "7bit") != 0 && strcasecmp(h->encoding, "8bit") != 0 &&
	    strcasecmp(h->encoding, "binary") != 0) {
		mc_error_set("%s: the mail body is %s-encoded; save the series as git format-patch or b4 am "
			     "write it (8bit)",
			     subject, h->encoding);
		return MC_EINPUT;
	}
	line_span l;
	for (const char *p = body; next_line(p, limit, &l); p = l.next)
		if (line_is(&l, "GIT binary patch") || (line_starts(&l, "Binary files ") && l.end - l.start > 7 &&
							 memcmp(l.end - 7, " differ", 7) == 0)) {
			mc_error_set("%s: a binary patch; migcompat applies text patches only", subject);
			return MC_EINPUT;
		}
	return 0;
}

/* Moves the headers a reply needs out of h. */
static void origin_take(mc_mail_origin *o, mail_headers *h)
{
	*o = h->o;
	memset(&h->o, 0, sizeof(h->o));
}

const mc_mail_origin *mc_mbox_thread_root(const mc_mbox *m)
{
	return m->cover.message_id || m->n == 0 ? &m->cover : &m->v[0].mail;
}

/* One mail [p, limit): a patch, a cover letter or something else. */
static int parse_mail(mc_mbox *m, const char *p, const char *limit)
{
	mail_headers h = {0};
	const char *body = read_headers(p, limit, &h);
	find_base_commit(m, body, limit);
	const char *diff_start;
	char *diff = extract_diff(body, limit, &diff_start);
	int rc = diff ? refuse_body(&h, body, limit) : 0;
	if (rc == 0 && !diff) {
		if (is_cover_subject(h.o.subject) && h.o.message_id && !m->cover.message_id)
			origin_take(&m->cover, &h);
		m->skipped++;
	} else if (rc == 0) {
		mc_mail_patch *patch = MC_VEC_PUSH(m->v, m->n, m->cap);
		origin_take(&patch->mail, &h);
		if (!patch->mail.subject)
			patch->mail.subject = mc_strdup("(no subject)");
		patch->title = strip_subject(patch->mail.subject);
		parse_author(patch->mail.from, &patch->author_name, &patch->author_email);
		parse_date(h.date, &patch->time, &patch->offset_minutes);
		patch->message = extract_message(patch->title, body, diff_start);
		patch->diff = diff;
		patch->number = m->n;
		diff = NULL;
	}
	free(diff);
	headers_free(&h);
	return rc;
}

/* The n and N of "[PATCH v2 3/7]" (the bracket groups before the title); 0 when it has none. */
static int series_position(const char *subject, unsigned *n, unsigned *total)
{
	for (const char *p = subject; *p == '[' || isspace((unsigned char)*p);) {
		const char *close = *p == '[' ? strchr(p, ']') : p + 1;
		if (!close)
			return 0;
		for (const char *q = p; q < close; q++)
			if (isdigit((unsigned char)*q) && (q == p || !isalnum((unsigned char)q[-1])) &&
			    sscanf(q, "%u/%u", n, total) == 2 && *n >= 1 && *n <= *total)
				return 1;
		p = *p == '[' ? close + 1 : p + 1;
	}
	return 0;
}

static int cmp_number(const void *pa, const void *pb)
{
	const mc_mail_patch *a = pa, *b = pb;
	return (a->number > b->number) - (a->number < b->number);
}

/*
 * Puts the patches in series order when their subjects number them 1..N,
 * each once; leaves the mbox order otherwise (a lone patch, a mix).
 */
static void order_series(mc_mbox *m)
{
	unsigned n, total = 0, first_total = 0;
	unsigned char *seen = mc_calloc(m->n + 1, 1);
	size_t i;
	for (i = 0; i < m->n; i++) {
		if (!series_position(m->v[i].mail.subject, &n, &total) || (i && total != first_total) ||
		    total != m->n || seen[n])
			break;
		first_total = total;
		seen[n] = 1;
		m->v[i].number = n;
	}
	if (i == m->n && m->n > 1) /* qsort must not see the NULL array of an mbox without patches */
		qsort(m->v, m->n, sizeof(m->v[0]), cmp_number);
	for (i = 0; i < m->n; i++)
		m->v[i].number = i + 1;
	free(seen);
}

/* Does a message start at p: "From " at the start of the text or after a blank line? */
static int starts_message(const char *text, const char *p)
{
	if (strncmp(p, "From ", 5) != 0)
		return 0;
	return p == text || (p - text >= 2 && p[-1] == '\n' && p[-2] == '\n');
}

int mc_mbox_parse(mc_mbox *out, const char *text, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (memchr(text, '\0', len)) {
		mc_error_set("the mbox holds binary data (a NUL byte); give a text mbox");
		return MC_EINPUT;
	}
	const char *limit = text + len, *start = text;
	line_span l;
	/* The first line of an mbox is its "From " envelope; a bare mail has none. */
	if (starts_message(text, text) && next_line(text, limit, &l))
		start = l.next;
	int rc = 0;
	for (const char *p = start; rc == 0 && p < limit;) {
		const char *end = p;
		while (next_line(end, limit, &l) && !(end != p && starts_message(text, l.start)))
			end = l.next;
		rc = parse_mail(out, p, end);
		p = end < limit && next_line(end, limit, &l) ? l.next : limit;
	}
	if (rc == 0)
		order_series(out);
	if (rc == 0 && out->n == 0) {
		mc_error_set("no patch in the mbox (%zu mail%s without a diff)", out->skipped,
			     out->skipped == 1 ? "" : "s");
		rc = MC_EINPUT;
	}
	if (rc < 0)
		mc_mbox_free(out);
	return rc;
}

void mc_mbox_free(mc_mbox *m)
{
	for (size_t i = 0; i < m->n; i++) {
		mc_mail_patch *p = &m->v[i];
		origin_free(&p->mail);
		free(p->title);
		free(p->author_name);
		free(p->author_email);
		free(p->message);
		free(p->diff);
	}
	free(m->v);
	free(m->base_commit);
	origin_free(&m->cover);
	memset(m, 0, sizeof(*m));
}

/* ---- applying in memory ---------------------------------------------------- */

/*
 * The repository's own objects, read-only, behind the in-memory backend.
 * Only reads are forwarded: libgit2 "freshens" an object it is asked to write
 * when a backend already has it (it touches the pack file), and a backend
 * without write or freshen is never asked to.
 */
typedef struct {
	git_odb_backend parent;
	git_odb *disk;
} readonly_backend;

/* Hands a copy of obj to libgit2 in the backend's allocation, and frees obj. */
static int ro_copy_out(git_odb_backend *b, git_odb_object *obj, void **buf, size_t *len, git_object_t *type)
{
	*len = git_odb_object_size(obj);
	*type = git_odb_object_type(obj);
	*buf = git_odb_backend_data_alloc(b, *len + 1);
	if (*buf)
		memcpy(*buf, git_odb_object_data(obj), *len);
	git_odb_object_free(obj);
	return *buf ? 0 : -1;
}

static int ro_read(void **buf, size_t *len, git_object_t *type, git_odb_backend *b, const git_oid *id)
{
	git_odb_object *obj;
	int rc = git_odb_read(&obj, ((readonly_backend *)b)->disk, id);
	return rc < 0 ? rc : ro_copy_out(b, obj, buf, len, type);
}

static int ro_read_prefix(git_oid *out, void **buf, size_t *len, git_object_t *type, git_odb_backend *b,
			  const git_oid *short_id, size_t n)
{
	git_odb_object *obj;
	int rc = git_odb_read_prefix(&obj, ((readonly_backend *)b)->disk, short_id, n);
	if (rc < 0)
		return rc;
	git_oid_cpy(out, git_odb_object_id(obj));
	return ro_copy_out(b, obj, buf, len, type);
}

static int ro_read_header(size_t *len, git_object_t *type, git_odb_backend *b, const git_oid *id)
{
	return git_odb_read_header(len, type, ((readonly_backend *)b)->disk, id);
}

static int ro_exists(git_odb_backend *b, const git_oid *id)
{
	return git_odb_exists(((readonly_backend *)b)->disk, id);
}

static int ro_exists_prefix(git_oid *out, git_odb_backend *b, const git_oid *short_id, size_t n)
{
	return git_odb_exists_prefix(out, ((readonly_backend *)b)->disk, short_id, n);
}

static void ro_free(git_odb_backend *b)
{
	git_odb_free(((readonly_backend *)b)->disk);
	free(b);
}

/* Puts an object database of [memory, the repository read-only] in the repository's place, once. */
static int use_memory_objects(git_repository *git)
{
	git_odb *disk = NULL, *odb = NULL;
	git_odb_backend *memory = NULL;
	if (git_repository_odb(&disk, git) < 0)
		return -1;
	readonly_backend *ro = mc_calloc(1, sizeof(*ro));
	ro->parent.version = GIT_ODB_BACKEND_VERSION;
	ro->parent.read = ro_read;
	ro->parent.read_prefix = ro_read_prefix;
	ro->parent.read_header = ro_read_header;
	ro->parent.exists = ro_exists;
	ro->parent.exists_prefix = ro_exists_prefix;
	ro->parent.free = ro_free;
	ro->disk = disk;
	if (git_odb_new(&odb) < 0 || git_mempack_new(&memory) < 0 || git_odb_add_backend(odb, memory, 2) < 0) {
		if (memory)
			memory->free(memory);
		ro_free(&ro->parent);
		git_odb_free(odb);
		return -1;
	}
	if (git_odb_add_backend(odb, &ro->parent, 1) < 0) {
		ro_free(&ro->parent);
		git_odb_free(odb);
		return -1;
	}
	git_repository_set_odb(git, odb);
	git_odb_free(odb);
	return 0;
}

/* Where git_apply_to_tree is: for the message when a hunk does not apply. */
typedef struct {
	char path[512];
	char hunk[256];
} apply_place;

static int on_delta(const git_diff_delta *delta, void *payload)
{
	apply_place *at = payload;
	const char *path = delta->new_file.path ? delta->new_file.path : delta->old_file.path;
	snprintf(at->path, sizeof(at->path), "%s", path ? path : "?");
	at->hunk[0] = '\0';
	return 0;
}

static int on_hunk(const git_diff_hunk *hunk, void *payload)
{
	apply_place *at = payload;
	size_t n = hunk->header_len;
	while (n && (hunk->header[n - 1] == '\n' || hunk->header[n - 1] == '\r'))
		n--;
	snprintf(at->hunk, sizeof(at->hunk), "%.*s", (int)n, hunk->header);
	return 0;
}

static int apply_error(const mc_mbox *m, size_t i, const apply_place *at, const char *what)
{
	const git_error *e = git_error_last();
	const char *why = e && e->message ? e->message : "libgit2 error";
	if (at && at->hunk[0])
		mc_error_set("[%zu/%zu] %s: does not apply: %s: hunk %s: %s", i + 1, m->n, m->v[i].title, at->path,
			     at->hunk, why);
	else if (at && at->path[0])
		mc_error_set("[%zu/%zu] %s: does not apply: %s: %s", i + 1, m->n, m->v[i].title, at->path, why);
	else
		mc_error_set("[%zu/%zu] %s: %s: %s", i + 1, m->n, m->v[i].title, what, why);
	return MC_EINPUT;
}

/* The tree of parent with patch i applied, written to the in-memory backend. */
static int apply_one(git_repository *git, const mc_mbox *m, size_t i, git_commit *parent, git_oid *tree_id)
{
	git_diff *diff = NULL;
	git_tree *tree = NULL;
	git_index *index = NULL;
	apply_place at = { "", "" };
	int rc = 0;
	if (git_diff_from_buffer(&diff, m->v[i].diff, strlen(m->v[i].diff)) < 0)
		rc = apply_error(m, i, NULL, "not a patch libgit2 can read");
	else if (git_commit_tree(&tree, parent) < 0)
		rc = apply_error(m, i, NULL, "reading the parent's tree");
	else {
		git_apply_options opts;
		git_apply_options_init(&opts, GIT_APPLY_OPTIONS_VERSION);
		opts.delta_cb = on_delta;
		opts.hunk_cb = on_hunk;
		opts.payload = &at;
		if (git_apply_to_tree(&index, git, tree, diff, &opts) < 0)
			rc = apply_error(m, i, &at, "does not apply");
		else if (git_index_write_tree_to(tree_id, index, git) < 0)
			rc = apply_error(m, i, NULL, "writing the tree");
	}
	git_index_free(index);
	git_tree_free(tree);
	git_diff_free(diff);
	return rc;
}

static int commit_one(git_repository *git, const mc_mbox *m, size_t i, git_commit *parent, const git_oid *tree_id,
		      git_oid *out)
{
	const mc_mail_patch *p = &m->v[i];
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	int rc = 0;
	if (git_tree_lookup(&tree, git, tree_id) < 0 ||
	    git_signature_new(&sig, p->author_name, p->author_email, (git_time_t)p->time, p->offset_minutes) < 0 ||
	    git_commit_create(out, git, NULL, sig, sig, "UTF-8", p->message, tree, 1,
			      (const git_commit **)&parent) < 0)
		rc = apply_error(m, i, NULL, "making its commit");
	git_signature_free(sig);
	git_tree_free(tree);
	return rc;
}

int mc_mbox_apply(mc_repo *repo, const mc_mbox *m, const mc_oid *base, mc_oid *commits, size_t *applied)
{
	git_repository *git = mc_repo_git(repo);
	*applied = 0;
	if (!mc_repo_memory_objects(repo)) {
		if (use_memory_objects(git) < 0) {
			mc_error_set("cannot set up in-memory objects: %s", git_error_last() ? git_error_last()->message : "?");
			return MC_EINPUT;
		}
		mc_repo_set_memory_objects(repo);
	}
	git_oid parent_id;
	if (git_oid_fromstr(&parent_id, base->hex) < 0) {
		mc_error_set("bad base commit id %s", base->hex);
		return MC_EINPUT;
	}
	for (size_t i = 0; i < m->n; i++) {
		git_commit *parent = NULL;
		git_oid tree_id, id;
		if (git_commit_lookup(&parent, git, &parent_id) < 0)
			return apply_error(m, i, NULL, "reading its parent commit");
		int rc = apply_one(git, m, i, parent, &tree_id);
		if (rc == 0)
			rc = commit_one(git, m, i, parent, &tree_id, &id);
		git_commit_free(parent);
		if (rc < 0)
			return rc;
		git_oid_tostr(commits[i].hex, sizeof(commits[i].hex), &id);
		parent_id = id;
		*applied = i + 1;
	}
	return 0;
}
