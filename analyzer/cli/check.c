/*
 * check.c - commit facts, mentions and rules for loaded revisions (check.h).
 */
#include "cli/check.h"
#include "git/mbox.h"
#include "frontend/mentions.h"
#include "report/suppress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int mc_cli_commit_facts(mc_commit_facts *out, mc_repo *repo, const mc_oid *base_commit, const mc_oid *head_commit,
			int head_is_commit, const mc_model *base, const mc_model *head)
{
	memset(out, 0, sizeof(*out));
	mc_oid *commits = NULL;
	size_t n = 0;
	if (!head_is_commit)
		return 0;
	if (mc_repo_walk_range(repo, base_commit, head_commit, &commits, &n) < 0) {
		mc_error_clear();
		return 0;
	}
	int rc = 0;
	if (n == 1) {
		char *message = NULL;
		if (mc_repo_commit_message(repo, &commits[0], &message) == 0)
			rc = mc_commit_facts_one(out, repo, base_commit, message);
		else
			mc_error_clear();
		free(message);
	} else if (n > 1 && !mc_oid_is_zero(base_commit) && !mc_oid_is_zero(head_commit)) {
		const mc_compat_entry **added = NULL;
		size_t nadded = mc_model_entries_added(base, head, &added);
		rc = mc_commit_facts_range(out, repo, base_commit, head_commit, added, nadded);
		free(added);
	}
	free(commits);
	return rc;
}

/* The rules on the models of one build of both revisions, the mentions answered for that build. */
static void run_build(const mc_revision *base, const mc_revision *head, const mc_model *bm, const mc_model *hm,
		      const mc_commit_facts *cf, const mc_conv *conv, int audit, mc_findings *out)
{
	mc_rule_input in = { bm, hm, cf, conv, NULL, NULL, audit };
	/* What the rules will ask of the trees, answered before they run. */
	mc_mention_questions bq = {0}, hq = {0};
	mc_mentions bmen, hmen;
	mc_rules_mention_questions(&in, &bq, &hq);
	mc_revision_answer_mentions_in(base, bm, &bq, &bmen);
	mc_revision_answer_mentions_in(head, hm, &hq, &hmen);
	in.base_mentions = &bmen;
	in.head_mentions = &hmen;
	mc_rules_run(&in, out);
	mc_mentions_free(&bmen);
	mc_mentions_free(&hmen);
	mc_mention_questions_free(&bq);
	mc_mention_questions_free(&hq);
}

#define RUST_BUILD "Rust devices (configure --enable-rust)"

/* What a finding of the build with Rust devices is about, for the findings the C build does not have. */
static void note_rust_build(mc_findings *fs, const mc_model *hm)
{
	for (size_t i = 0; i < fs->n; i++) {
		const mc_type *t = mc_model_type(hm, fs->v[i].type);
		mc_strvec_push_owned(&fs->v[i].notes,
				     t && t->rust ? mc_sprintf("only in QEMU built with %s, where %s implements %s",
							       RUST_BUILD, t->file, t->name)
						  : mc_sprintf("only in QEMU built with %s", RUST_BUILD));
	}
}

/* Points the findings at the lines the change wrote (mc_findings_anchor). */
static void anchor_on_changes(const mc_revision *base, const mc_revision *head, const mc_conv *conv, mc_findings *fs)
{
	mc_strvec paths = {0};
	for (size_t i = 0; i < fs->n; i++) {
		const char *named[] = { fs->v[i].file, fs->v[i].cause_file };
		for (size_t k = 0; k < 2; k++)
			if (named[k] && *named[k] && !mc_strvec_contains(&paths, named[k]))
				mc_strvec_push(&paths, named[k]);
	}
	mc_changed_lines changed = {0};
	mc_changed_lines_read(&changed, base->snap, head->snap, &paths, conv->max_file_size);
	mc_findings_anchor(fs, &changed);
	mc_changed_lines_free(&changed);
	mc_strvec_free(&paths);
}

/*
 * A revision with Rust devices is two QEMUs: configured without them (the
 * default), and with them, where each Rust device replaces the C device of
 * its name.  Migration must keep working in both, so the rules run on both
 * builds; a cause both have is one finding (mc_findings_merge_build).
 */
void mc_cli_check_pair(const mc_revision *base, const mc_revision *head, const mc_commit_facts *cf,
		       const mc_conv *conv, int audit, const char *label, mc_findings *fs)
{
	mc_findings one = {0};
	run_build(base, head, base->model, head->model, cf, conv, audit, &one);
	if (base->model_rust || head->model_rust) {
		const mc_model *bm = base->model_rust ? base->model_rust : base->model;
		const mc_model *hm = head->model_rust ? head->model_rust : head->model;
		mc_findings rust = {0};
		run_build(base, head, bm, hm, cf, conv, audit, &rust);
		note_rust_build(&rust, hm);
		mc_findings_merge_build(&one, &rust, RUST_BUILD);
	}
	anchor_on_changes(base, head, conv, &one);
	for (size_t i = 0; i < one.n; i++) {
		mc_finding *slot = MC_VEC_PUSH(fs->v, fs->n, fs->cap);
		*slot = one.v[i];
		if (label)
			slot->commit = mc_strdup(label);
	}
	free(one.v);
}

int mc_cli_require_compat(const mc_revision *rev)
{
	if (rev->model->nsets == 0) {
		mc_error_set("%s has no machine compat arrays (hw_compat_X_Y or HW_COMPAT_X_Y): is it a QEMU tree?",
			     rev->snap->label);
		return MC_EINPUT;
	}
	return 0;
}

/* Keeps the findings of now that before does not have (by identity); returns now's identities. */
static mc_map keep_new(mc_findings *fs, mc_findings *now, const mc_map *before)
{
	mc_map seen = {0};
	for (size_t k = 0; k < now->n; k++) {
		char *key = mc_finding_identity(&now->v[k]);
		mc_map_put(&seen, key, (void *)1);
		if (mc_map_get(before, key)) {
			mc_findings one = { &now->v[k], 1, 1 };
			mc_findings_free_items(&one);
		} else {
			mc_finding *slot = MC_VEC_PUSH(fs->v, fs->n, fs->cap);
			*slot = now->v[k];
		}
		free(key);
	}
	free(now->v);
	memset(now, 0, sizeof(*now));
	return seen;
}

/*
 * Loads base and commit as a pair: only the files that can change the pair's
 * findings are parsed (slice.h), so a patch costs what it touches, not the
 * whole tree.  Frees what *base and *head held before.
 */
static int load_series_pair(mc_repo *repo, const mc_oid *base_commit, const mc_oid *commit, const mc_conv *conv,
			    mc_store *store, const mc_analysis_opts *aopts, mc_revision **base, mc_revision **head)
{
	mc_snapshot *bs = NULL, *hs = NULL;
	mc_revision *b = NULL, *h = NULL;
	int rc = mc_snapshot_from_commit(&bs, repo, base_commit, base_commit->hex);
	if (rc == 0 && (rc = mc_snapshot_from_commit(&hs, repo, commit, commit->hex)) < 0)
		mc_snapshot_free(bs);
	if (rc == 0 && (rc = mc_revision_load_pair(&b, &h, bs, hs, conv, store, aopts)) == 0 &&
	    ((rc = mc_cli_require_compat(b)) < 0 || (rc = mc_cli_require_compat(h)) < 0)) {
		mc_revision_free(b);
		mc_revision_free(h);
	}
	if (rc < 0)
		return rc;
	mc_revision_free(*base);
	mc_revision_free(*head);
	*base = b;
	*head = h;
	return 0;
}

/* The label of commit i of n: the patch's from mail, else "[i/n] <id> subject". */
static char *series_label(mc_repo *repo, const mc_oid *commit, size_t i, size_t n, const mc_strvec *labels)
{
	if (labels && i < labels->n)
		return mc_strdup(labels->v[i]);
	char *subject = NULL;
	mc_repo_commit_subject(repo, commit, &subject);
	char *label = mc_sprintf("[%zu/%zu] %.12s %s", i + 1, n, commit->hex, subject ? subject : "");
	free(subject);
	return label;
}

/*
 * Every commit of the series must keep migration working on its own.  Commit
 * i is compared with the state before the series (a compat entry in patch 5
 * restores the released value, not patch 4's broken one) and reports what is
 * new since commit i-1.  Each pair is sliced on its own, and the facts store
 * makes each step parse only what the commit changed.
 */
int mc_cli_check_series(mc_repo *repo, const mc_oid *base_commit, const mc_oid *head_commit, const mc_conv *conv,
			mc_store *store, const mc_analysis_opts *aopts, mc_revision **base, mc_revision **last,
			mc_findings *fs, size_t *length, const mc_strvec *labels)
{
	mc_oid *commits = NULL;
	size_t n = 0;
	if (mc_repo_walk_range(repo, base_commit, head_commit, &commits, &n) < 0)
		return MC_EINPUT;
	*length = n;
	int rc = 0;
	mc_map before = {0};
	for (size_t i = 0; i < n && rc == 0; i++) {
		if ((rc = load_series_pair(repo, base_commit, &commits[i], conv, store, aopts, base, last)) < 0)
			break;
		char *message = NULL;
		mc_repo_commit_message(repo, &commits[i], &message);
		char *label = series_label(repo, &commits[i], i, n, labels);
		mc_commit_facts cf;
		mc_commit_facts_one(&cf, repo, base_commit, message);
		mc_findings now = {0};
		mc_cli_check_pair(*base, *last, &cf, conv, 0, label, &now);
		mc_commit_facts_free(&cf);
		mc_map seen = keep_new(fs, &now, &before);
		mc_map_free(&before);
		before = seen;
		free(label);
		free(message);
	}
	mc_map_free(&before);
	free(commits);
	return rc;
}

/* The whole of path, or of standard input for "-"; at most MBOX_MAX bytes. */
#define MBOX_MAX (256u << 20)
static int read_mbox(const char *path, char **text, size_t *len)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!in) {
		mc_error_set("cannot read mbox '%s': %s", path, strerror(errno));
		return MC_EINPUT;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = mc_malloc(cap + 1);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n, in)) > 0) {
		n += got;
		if (n == cap && cap < MBOX_MAX) {
			cap *= 2;
			buf = mc_realloc(buf, cap + 1);
		} else if (n == cap) {
			break;
		}
	}
	int failed = ferror(in), too_big = n == cap && cap >= MBOX_MAX;
	if (in != stdin)
		fclose(in);
	if (failed || too_big) {
		free(buf);
		mc_error_set(too_big ? "mbox '%s' is larger than 256 MiB" : "cannot read mbox '%s'", path);
		return MC_EINPUT;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

/* BASE as given, else the mail's base-commit: line, else HEAD. */
static int mbox_base(mc_repo *repo, const mc_mbox *m, const char *base_rev, mc_oid *base)
{
	if (base_rev)
		return mc_repo_resolve(repo, base, base_rev);
	if (m->base_commit && mc_repo_resolve(repo, base, m->base_commit) < 0) {
		mc_error_set("the series' base-commit %s is not in this repository: fetch it, or give the base "
			     "revision after --mbox FILE",
			     m->base_commit);
		return MC_EINPUT;
	}
	return m->base_commit ? 0 : mc_repo_resolve(repo, base, "HEAD");
}

/* "Re: " once, whatever the subject already has. */
static char *reply_subject(const char *subject)
{
	if (!subject)
		return mc_strdup("Re: your patch series");
	return strncasecmp(subject, "Re:", 3) == 0 ? mc_strdup(subject) : mc_sprintf("Re: %s", subject);
}

/* a, b: either may be NULL; joined with ", " when both are there. */
static char *join_addresses(const char *a, const char *b)
{
	if (a && b)
		return mc_sprintf("%s, %s", a, b);
	return a || b ? mc_strdup(a ? a : b) : NULL;
}

/* A reply to the thread root: to its sender, with everyone it was sent to in Cc. */
static void reply_to_root(mc_report_reply *r, const mc_mail_origin *root)
{
	r->subject = reply_subject(root->subject);
	r->to = root->from ? mc_strdup(root->from) : NULL;
	r->cc = join_addresses(root->to, root->cc);
	if (root->message_id) {
		r->in_reply_to = mc_strdup(root->message_id);
		r->references = root->references ? mc_sprintf("%s %s", root->references, root->message_id)
						 : mc_strdup(root->message_id);
	}
}

int mc_cli_mbox_series(mc_repo *repo, const char *path, const char *base_rev, mc_cli_mbox *out)
{
	char *text = NULL;
	size_t len = 0;
	mc_mbox m;
	memset(out, 0, sizeof(*out));
	if (read_mbox(path, &text, &len) < 0)
		return MC_EINPUT;
	int rc = mc_mbox_parse(&m, text, len);
	free(text);
	if (rc < 0)
		return rc;
	if ((rc = mbox_base(repo, &m, base_rev, &out->base)) == 0) {
		out->commits = mc_calloc(m.n, sizeof(mc_oid));
		rc = mc_mbox_apply(repo, &m, &out->base, out->commits, &out->applied);
		for (size_t i = 0; i < m.n; i++)
			mc_strvec_push_owned(&out->labels, mc_sprintf("[%zu/%zu] %s", i + 1, m.n, m.v[i].title));
		reply_to_root(&out->reply, mc_mbox_thread_root(&m));
	}
	mc_mbox_free(&m);
	return rc;
}

void mc_cli_mbox_free(mc_cli_mbox *m)
{
	free(m->commits);
	mc_strvec_free(&m->labels);
	mc_report_reply_free(&m->reply);
	memset(m, 0, sizeof(*m));
}
