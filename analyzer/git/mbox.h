/*
 * mbox.h - a patch series from mail, applied in memory on top of a base.
 *
 * Review bots and maintainers get series as mail (git format-patch output,
 * a lore download, one patch piped by b4).  mc_mbox_parse() splits an mbox
 * into its patches; mc_mbox_apply() turns them into commits that exist only
 * in memory: the repository's object database gets an in-memory backend in
 * front of it (libgit2's mempack) for the life of the mc_repo, and every
 * object written goes there.  Nothing reaches the disk: no object, ref,
 * index or work-tree file.
 */
#ifndef MC_MBOX_H
#define MC_MBOX_H

#include <stddef.h>
#include "git/repo.h"

/*
 * What a reply needs of the mail it answers: the thread root (the cover
 * letter, or the first patch when there is none).  Header values as mailed,
 * unfolded, still RFC 2047-encoded where they were; NULL when absent.
 */
typedef struct {
	char *subject, *message_id, *references, *from, *to, *cc;
} mc_mail_origin;

/* One mail of the mbox that carries a patch. */
typedef struct {
	mc_mail_origin mail; /* its headers; mail.subject is "[PATCH v2 3/7] hw: ...", never NULL */
	char *title;         /* the commit subject: mail.subject without its "[...]" prefixes */
	char *author_name, *author_email;
	long long time;      /* Date as seconds since the epoch; 0 when absent or unreadable */
	int offset_minutes;  /* the Date's time zone */
	char *message;       /* the commit message: title, blank line, body up to "---" */
	char *diff;          /* from the first "diff --git" to the signature */
	size_t number;       /* 1-based position among the patches, in series order */
} mc_mail_patch;

typedef struct {
	mc_mail_patch *v;
	size_t n, cap;
	size_t skipped;      /* mails without a patch: cover letters, replies */
	char *base_commit;   /* the first "base-commit: <id>" line of any mail, or NULL */
	mc_mail_origin cover; /* the cover letter ("[PATCH 0/N]"); all NULL without one */
} mc_mbox;

/* The mail a reply to the whole series answers: the cover letter, else the first patch. */
const mc_mail_origin *mc_mbox_thread_root(const mc_mbox *m);

/*
 * Splits text (len bytes, an mbox or one bare patch mail) into patches, in
 * series order: by the "n/N" of their subjects when every patch has one and
 * they number 1..N (a maildir or a thread lists mails as they arrived),
 * else as they stand.
 * Errors (MC_EINPUT, with a message): binary data, a mail body in an
 * encoding other than 7bit/8bit, a binary patch, no patch at all.
 */
int mc_mbox_parse(mc_mbox *out, const char *text, size_t len);
void mc_mbox_free(mc_mbox *m);

/*
 * Applies the patches in order on top of base, each as a commit whose parent
 * is the one before, into commits[0..*applied).  Returns 0 when all applied;
 * MC_EINPUT when one does not: *applied says how many did, and the message
 * names the patch ("[6/6] subject"), the file and the hunk.  commits has
 * room for m->n ids.
 */
int mc_mbox_apply(mc_repo *repo, const mc_mbox *m, const mc_oid *base, mc_oid *commits, size_t *applied);

#endif
