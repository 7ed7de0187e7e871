/*
 * test_mbox.c - a series from mail (issue 15): the mbox reader on mails
 * written here, and `check --mbox` on series that the real git format-patch
 * writes from the example repository.  Debian 12's b4 (0.12) has no
 * per-patch check command yet, and its `b4 am` fails on a folded Subject
 * header under Python 3.11, so b4's per-patch mode is tested as b4 0.13+
 * runs it: one patch on standard input, in the repository.
 *
 * Every program runs through /bin/sh with HOME and XDG_CACHE_HOME inside the
 * test's temporary directory and without the system's git configuration.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git/mbox.h"
#include "support/test_util.h"
#include "util/util.h"

static struct {
	char *tmp, *repo;
	const char *tool;
} g;

/* ---- the reader ------------------------------------------------------------ */

#define PATCH_BODY                                                                  \
	"From: Ada Lovelace <ada@example.org>\n"                                        \
	"Date: Tue, 4 Feb 2026 17:09:29 +0100\n"                                         \
	"Subject: [PATCH v2 1/2] hw/net: turn\n"                                          \
	" the thing on\n"                                                               \
	"Message-Id: <p1@example.org>\n"                                                \
	"\n"                                                                            \
	"Why it is on now.\n"                                                           \
	"\n"                                                                            \
	"Signed-off-by: Ada Lovelace <ada@example.org>\n"                               \
	"---\n"                                                                         \
	" hw/net/e1000.c | 2 +-\n"                                                      \
	"\n"                                                                            \
	"diff --git a/hw/net/e1000.c b/hw/net/e1000.c\n"                                \
	"--- a/hw/net/e1000.c\n"                                                        \
	"+++ b/hw/net/e1000.c\n"                                                        \
	"@@ -1 +1 @@\n"                                                                 \
	"-old\n"                                                                        \
	"+new\n"                                                                        \
	"-- \n"                                                                         \
	"2.39.2\n"

static const char series_text[] =
	"From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
	"From: Ada Lovelace <ada@example.org>\n"
	"Subject: [PATCH v2 0/2] a cover letter\n"
	"Message-Id: <cover@example.org>\n"
	"To: qemu-devel@nongnu.org\n"
	"Cc: Bob <bob@example.org>,\n"
	"\tEve <eve@example.org>\n"
	"\n"
	"What the series does.\n"
	"\n"
	"base-commit: 0123456789abcdef0123456789abcdef01234567\n"
	"-- \n"
	"2.39.2\n"
	"\n"
	"From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\n" PATCH_BODY
	"\n"
	"From 2222222222222222222222222222222222222222 Mon Sep 17 00:00:00 2001\n"
	"From: Bob <bob@example.org>\n"
	"Subject: [PATCH v2 2/2] docs: say so\n"
	"\n"
	"diff --git a/docs/a.txt b/docs/a.txt\n"
	"--- a/docs/a.txt\n"
	"+++ b/docs/a.txt\n"
	"@@ -1 +1 @@\n"
	"-a\n"
	"+b\n";

static void test_parse_series(void **state)
{
	(void)state;
	mc_mbox m;
	assert_int_equal(mc_mbox_parse(&m, series_text, strlen(series_text)), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.skipped, 1);
	assert_string_equal(m.base_commit, "0123456789abcdef0123456789abcdef01234567");
	assert_string_equal(m.cover.message_id, "<cover@example.org>");
	/* A reply to the whole series answers the cover letter. */
	assert_ptr_equal(mc_mbox_thread_root(&m), &m.cover);
	assert_string_equal(m.cover.subject, "[PATCH v2 0/2] a cover letter");
	assert_string_equal(m.cover.to, "qemu-devel@nongnu.org");
	assert_string_equal(m.cover.cc, "Bob <bob@example.org>, Eve <eve@example.org>");
	const mc_mail_patch *p = &m.v[0];
	assert_string_equal(p->mail.subject, "[PATCH v2 1/2] hw/net: turn the thing on");
	assert_string_equal(p->title, "hw/net: turn the thing on");
	assert_string_equal(p->mail.message_id, "<p1@example.org>");
	assert_string_equal(p->author_name, "Ada Lovelace");
	assert_string_equal(p->author_email, "ada@example.org");
	assert_int_equal(p->time, 1770221369LL);
	assert_int_equal(p->offset_minutes, 60);
	assert_string_equal(p->message, "hw/net: turn the thing on\n\nWhy it is on now.\n\n"
					"Signed-off-by: Ada Lovelace <ada@example.org>\n");
	/* The diff stops before the signature. */
	assert_true(mc_str_startswith(p->diff, "diff --git a/hw/net/e1000.c"));
	assert_null(strstr(p->diff, "2.39.2"));
	assert_true(mc_str_endswith(p->diff, "+new\n"));
	assert_string_equal(m.v[1].title, "docs: say so");
	assert_int_equal(m.v[1].number, 2);
	mc_mbox_free(&m);
}

/* What b4 pipes to a per-patch check: one mail, no "From " envelope. */
static void test_parse_bare_mail(void **state)
{
	(void)state;
	mc_mbox m;
	assert_int_equal(mc_mbox_parse(&m, PATCH_BODY, strlen(PATCH_BODY)), 0);
	assert_int_equal(m.n, 1);
	assert_null(m.base_commit);
	assert_string_equal(m.v[0].title, "hw/net: turn the thing on");
	/* Without a cover letter, a reply answers the first patch. */
	assert_string_equal(mc_mbox_thread_root(&m)->message_id, "<p1@example.org>");
	assert_string_equal(mc_mbox_thread_root(&m)->from, "Ada Lovelace <ada@example.org>");
	mc_mbox_free(&m);
}

/* A maildir or a thread lists mails as they arrived; the series is applied in its own order. */
static void test_parse_orders_series(void **state)
{
	(void)state;
	const char *second = "From x\nSubject: [PATCH v2 2/2] b\n\ndiff --git a/b b/b\n--- a/b\n+++ b/b\n@@ -1 +1 @@\n-a\n+b\n";
	const char *first = "From x\nSubject: [PATCH v2 1/2] a\n\ndiff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1 +1 @@\n-a\n+b\n";
	const char *text = mc_test_ksprintf("%s\n%s", second, first);
	mc_mbox m;
	assert_int_equal(mc_mbox_parse(&m, text, strlen(text)), 0);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.v[0].title, "a");
	assert_int_equal(m.v[0].number, 1);
	assert_string_equal(m.v[1].title, "b");
	mc_mbox_free(&m);
	/* Three patches numbered out of 2 are not one series: the mbox order stays. */
	const char *twice = mc_test_ksprintf("%s\n%s", second, second);
	text = mc_test_ksprintf("%s\n%s", twice, first);
	assert_int_equal(mc_mbox_parse(&m, text, strlen(text)), 0);
	assert_int_equal(m.n, 3);
	assert_string_equal(m.v[0].title, "b");
	mc_mbox_free(&m);
}

static void expect_refused(const char *text, size_t len, const char *needle)
{
	mc_mbox m;
	assert_int_equal(mc_mbox_parse(&m, text, len), MC_EINPUT);
	if (!strstr(mc_error_last(), needle))
		fail_msg("error '%s' does not say '%s'", mc_error_last(), needle);
}

static void test_parse_refuses(void **state)
{
	(void)state;
	const char *qp = "Subject: [PATCH] x\nContent-Transfer-Encoding: quoted-printable\n\n"
			 "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1 +1 @@\n-a=3D\n+b\n";
	expect_refused(qp, strlen(qp), "quoted-printable");
	const char *bin = "Subject: [PATCH] x\n\ndiff --git a/a.bin b/a.bin\nGIT binary patch\nliteral 1\n";
	expect_refused(bin, strlen(bin), "binary patch");
	expect_refused("Subject: x\n\n\0diff", 16, "NUL");
	const char *reply = "Subject: Re: [PATCH] x\n\nLooks good.\n";
	expect_refused(reply, strlen(reply), "no patch");
}

/* ---- check --mbox on the example repository -------------------------------- */


/* `migcompat check --format json ARGS` in the repository; exit status wanted. */
static json_t *check_json(const char *args, int want_rc, const char **err)
{
	mc_test_result r = mc_test_sh(mc_test_ksprintf("cd '%s' && '%s' check --format json %s", g.repo, g.tool, args));
	if (r.rc != want_rc)
		fail_msg("check %s: exit %d, want %d\n%s%s", args, r.rc, want_rc, r.out, r.err);
	if (err)
		*err = r.err;
	return mc_test_parse_json_object(r.out, args);
}

/* The findings as lines that do not depend on commit ids: rule, severity, place, message. */
static const char *findings_text(json_t *root)
{
	json_t *fs = json_object_get(root, "findings"), *f;
	size_t i;
	char *text = mc_test_ksprintf("%s", "");
	json_array_foreach(fs, i, f) {
		json_t *line = json_object_get(f, "line");
		text = mc_test_ksprintf("%s%s %s %s:%lld %s\n", text, mc_test_jstr(f, "rule"),
					mc_test_jstr(f, "severity"), mc_test_jstr(f, "file"),
					(long long)json_integer_value(line), mc_test_jstr(f, "message"));
	}
	return text;
}

static const char *format_patch(const char *range, const char *name)
{
	const char *path = mc_test_ksprintf("%s/%s", g.tmp, name);
	mc_test_sh_ok(mc_test_ksprintf("cd '%s' && git format-patch -q --thread --cover-letter --base=base %s --stdout > '%s'",
			       g.repo, range, path));
	return path;
}

static void test_mbox_same_as_each_commit(void **state)
{
	(void)state;
	const char *mbox = format_patch("base..series-2", "series.mbox");
	char *before = mc_test_dir_snapshot(mc_test_ksprintf("%s/.git", g.repo));
	const char *want = findings_text(check_json("--each-commit base..series-2", 1, NULL));
	assert_non_null(strstr(want, "compat-missing"));
	assert_string_equal(findings_text(check_json(mc_test_ksprintf("--mbox '%s'", mbox), 1, NULL)), want);
	assert_string_equal(findings_text(check_json(mc_test_ksprintf("--mbox - < '%s'", mbox), 1, NULL)), want);
	/* The text report names each patch by its number and subject. */
	mc_test_result r = mc_test_sh(mc_test_ksprintf("cd '%s' && '%s' check --mbox '%s'", g.repo, g.tool, mbox));
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "[1/2] virtio-blk: default num-queues"));
	/* The objects of the applied patches stay in memory: the repository gains no file. */
	mc_test_expect_same_snapshot(before, mc_test_dir_snapshot(mc_test_ksprintf("%s/.git", g.repo)),
				     "check --mbox");
}

static void test_mbox_hunk_that_does_not_apply(void **state)
{
	(void)state;
	const char *mbox = format_patch("base..series-2", "bad.mbox");
	/* Corrupt the context of the last hunk of patch 2. */
	size_t len;
	char *text = mc_test_read_file(mbox, &len);
	assert_non_null(text);
	char *hunk = strstr(strstr(text, "Subject: [PATCH 2/2]"), "\n@@ ");
	char *context = strstr(hunk + 1, "\n ");
	const char *bad = mc_test_ksprintf("%.*sXX%s", (int)(context + 2 - text), text, context + 2);
	free(text);
	const char *bad_path = mc_test_ksprintf("%s/corrupt.mbox", g.tmp);
	assert_int_equal(mc_test_write_file(bad_path, bad), 0);
	const char *err;
	json_t *root = check_json(mc_test_ksprintf("--mbox '%s'", bad_path), 2, &err);
	/* Patch 1 is still reported; the error names patch 2, its file and its hunk. */
	assert_non_null(strstr(findings_text(root), "compat-missing"));
	assert_non_null(strstr(err, "[2/2] hw: keep num-queues 1"));
	assert_non_null(strstr(err, "hw/core/machine.c"));
	assert_non_null(strstr(err, "hunk @@"));
	assert_int_equal(mc_test_count_lines(err), 1);
}

/* The header block of a mail: everything before its first blank line. */
static const char *header_block(const char *mail)
{
	const char *end = strstr(mail, "\n\n");
	assert_non_null(end);
	return mc_test_ksprintf("%.*s", (int)(end + 1 - mail), mail);
}

/* --format email with --mbox is a reply on the series' thread that a bot pipes to sendmail -t. */
static void test_mbox_email_is_a_reply(void **state)
{
	(void)state;
	const char *mbox = mc_test_ksprintf("%s/to.mbox", g.tmp);
	mc_test_sh_ok(mc_test_ksprintf("cd '%s' && git format-patch -q --thread --cover-letter --base=base "
			       "--to=qemu-devel@nongnu.org --cc='Rev Iewer <rev@example.org>' base..series-2 "
			       "--stdout > '%s'",
			       g.repo, mbox));
	const char *cover_id = mc_test_sh_ok(mc_test_ksprintf("sed -n '1,/^$/s/^Message-I[dD]: //p' '%s' | head -n1", mbox));
	mc_test_result r = mc_test_sh(mc_test_ksprintf("cd '%s' && '%s' check --format email --mbox '%s'", g.repo, g.tool, mbox));
	assert_int_equal(r.rc, 1);
	const char *headers = header_block(r.out);
	const char *want_reply = mc_test_ksprintf("In-Reply-To: %s", cover_id);
	assert_non_null(strstr(headers, "Subject: Re: [PATCH 0/2] *** SUBJECT HERE ***\n"));
	assert_non_null(strstr(headers, want_reply));
	assert_non_null(strstr(headers, mc_test_ksprintf("References: %s", cover_id)));
	assert_non_null(strstr(headers, "To: "));
	assert_non_null(strstr(headers, "Cc: qemu-devel@nongnu.org, Rev Iewer <rev@example.org>\n"));
	assert_non_null(strstr(headers, "Content-Type: text/plain; charset=utf-8\n"));
	/* The body follows the blank line: per patch, its findings. */
	assert_true(mc_str_startswith(strstr(r.out, "\n\n") + 2, "Hi,"));
	assert_non_null(strstr(r.out, "of the 2 patches of this series,\napplied on "));
	assert_non_null(strstr(r.out, "[1/2] virtio-blk: default num-queues"));
	/* Without a cover letter the reply answers patch 1, whose Re: subject it takes. */
	const char *bare = mc_test_ksprintf("%s/bare.mbox", g.tmp);
	mc_test_sh_ok(mc_test_ksprintf("cd '%s' && git format-patch -q --thread --base=base base..series-2 --stdout > '%s'",
			       g.repo, bare));
	r = mc_test_sh(mc_test_ksprintf("cd '%s' && '%s' check --format email --mbox '%s'", g.repo, g.tool, bare));
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(header_block(r.out), "Subject: Re: [PATCH 1/2] virtio-blk: default num-queues"));
	/* Other formats carry no mail headers. */
	r = mc_test_sh(mc_test_ksprintf("cd '%s' && '%s' check --format text --mbox '%s'", g.repo, g.tool, bare));
	assert_null(strstr(r.out, "In-Reply-To"));
}

static void test_mbox_bad_input(void **state)
{
	(void)state;
	const char *reply = mc_test_ksprintf("%s/reply.mbox", g.tmp);
	assert_int_equal(mc_test_write_file(reply, "From x\nSubject: Re: [PATCH] x\n\nThanks.\n"), 0);
	mc_test_result r = mc_test_sh(mc_test_ksprintf("cd '%s' && '%s' check --mbox '%s'", g.repo, g.tool, reply));
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "no patch in the mbox"));
	/* A base-commit line naming a commit the repository lacks. */
	const char *mbox = format_patch("base..series-1", "unknown-base.mbox");
	mc_test_sh_ok(mc_test_ksprintf("sed -i 's/^base-commit: .*/base-commit: %s/' '%s'",
			       "0123456789abcdef0123456789abcdef01234567", mbox));
	r = mc_test_sh(mc_test_ksprintf("cd '%s' && '%s' check --mbox '%s'", g.repo, g.tool, mbox));
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "base-commit 0123456789abcdef"));
	r = mc_test_sh(mc_test_ksprintf("cd '%s' && '%s' check --mbox /nonexistent/x.mbox", g.repo, g.tool));
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "cannot read mbox"));
	r = mc_test_sh(mc_test_ksprintf("cd '%s' && '%s' check --mbox '%s' --each-commit", g.repo, g.tool, mbox));
	assert_int_equal(r.rc, 2);
}

/*
 * b4's per-patch check (am-perpatch-check-cmd, b4 0.13 and later) runs the
 * command in the repository with one patch on standard input and no
 * base-commit: it is checked against HEAD.
 */
static void test_mbox_one_patch_on_stdin_against_head(void **state)
{
	(void)state;
	const char *patch = mc_test_ksprintf("%s/one.patch", g.tmp);
	mc_test_sh_ok(mc_test_ksprintf("cd '%s' && git format-patch -q -1 series-1 --stdout > '%s'", g.repo, patch));
	mc_test_result r = mc_test_sh(mc_test_ksprintf("cd '%s' && '%s' check --mbox - < '%s'", g.repo, g.tool, patch));
	assert_int_equal(r.rc, 1);
	assert_non_null(strstr(r.out, "[1/1] virtio-blk: default num-queues"));
	assert_non_null(strstr(r.out, "compat-missing"));
}

/* ---- scripts/review-bot: a maildir in, replies out --------------------------- */

#define REVIEW_BOT MC_SOURCE_DIR "/scripts/review-bot"

/*
 * A maildir of one series as a mail filter leaves it: one file per mail, no
 * "From " envelope, in an order unrelated to the series (patch 2 first).
 */
static const char *series_maildir(const char *name)
{
	const char *dir = mc_test_ksprintf("%s/%s", g.tmp, name);
	mc_test_sh_ok(mc_test_ksprintf("cd '%s' && mkdir -p '%s/new' '%s/cur' '%s/tmp' && "
			       "git format-patch -q --thread --cover-letter --base=base --to=qemu-devel@nongnu.org "
			       "-o '%s/out' base..series-2 && "
			       "sed 1d '%s'/out/0002-* > '%s/new/1' && sed 1d '%s'/out/0000-* > '%s/new/2' && "
			       "sed 1d '%s'/out/0001-* > '%s/cur/3' && rm -r '%s/out'",
			       g.repo, dir, dir, dir, dir, dir, dir, dir, dir, dir, dir, dir));
	return dir;
}

static void test_review_bot_answers_on_the_thread(void **state)
{
	(void)state;
	const char *maildir = series_maildir("inbox");
	const char *clean = mc_test_ksprintf("%s/clean.mbox", g.tmp);
	mc_test_sh_ok(mc_test_ksprintf("cd '%s' && git format-patch -q --base=base base..good --stdout > '%s'", g.repo, clean));
	const char *garbage = mc_test_ksprintf("%s/garbage.mbox", g.tmp);
	assert_int_equal(mc_test_write_file(garbage, "From x\nSubject: Re: thanks\n\nThanks.\n"), 0);
	/* The stand-in for sendmail keeps its arguments and the mail it was given. */
	const char *sent = mc_test_ksprintf("%s/sent", g.tmp);
	const char *fake = mc_test_ksprintf("%s/fake-sendmail", g.tmp);
	assert_int_equal(mc_test_write_file(fake, mc_test_ksprintf("#!/bin/sh\necho \"$*\" >> '%s.args'\n"
								  "cat >> '%s'\n",
								  sent, sent)),
			 0);
	mc_test_sh_ok(mc_test_ksprintf("chmod +x '%s'", fake));
	char *before = mc_test_dir_snapshot(mc_test_ksprintf("%s/.git", g.repo));
	mc_test_result r = mc_test_sh(mc_test_ksprintf("MIGCOMPAT='%s' SENDMAIL='%s -t -oi' '%s' --send --repo '%s' '%s' '%s' '%s'",
					       g.tool, fake, REVIEW_BOT, g.repo, maildir, clean, garbage));
	/* The garbage is named and the run fails, after the other two were handled. */
	assert_int_equal(r.rc, 2);
	assert_non_null(strstr(r.err, "garbage.mbox: migcompat: no patch in the mbox"));
	assert_string_equal(r.out, "");
	size_t len;
	char *mail = mc_test_read_file(sent, &len);
	assert_non_null(mail);
	const char *text = mc_test_ksprintf("%s", mail);
	free(mail);
	/* One reply only (the clean series gets none), to the cover letter, in series order. */
	assert_int_equal(mc_test_count_lines(mc_test_sh_ok(mc_test_ksprintf("cat '%s.args'", sent))), 1);
	assert_non_null(strstr(mc_test_sh_ok(mc_test_ksprintf("cat '%s.args'", sent)), "-t -oi"));
	assert_true(mc_str_startswith(text, "Subject: Re: [PATCH 0/2] *** SUBJECT HERE ***\n"));
	assert_non_null(strstr(header_block(text), "In-Reply-To: <cover."));
	assert_non_null(strstr(header_block(text), "Cc: qemu-devel@nongnu.org\n"));
	const char *p1 = strstr(text, "[1/2] virtio-blk: default num-queues");
	assert_non_null(p1);
	assert_non_null(strstr(text, "compat-missing"));
	mc_test_expect_same_snapshot(before, mc_test_dir_snapshot(mc_test_ksprintf("%s/.git", g.repo)), "review-bot");
}

static int group_setup(void **state)
{
	(void)state;
	if (mc_test_example_repo("mbox", &g.tmp, &g.repo) != 0)
		return -1;
	g.tool = realpath(mc_test_tool_path(), NULL);
	if (!g.tool)
		return -1;
	char *cache = mc_test_xsprintf("%s/cache", g.tmp);
	setenv("XDG_CACHE_HOME", cache, 1); /* setenv copies it */
	free(cache);
	setenv("HOME", g.tmp, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "Test Author", 1);
	setenv("GIT_AUTHOR_EMAIL", "author@example.org", 1);
	setenv("GIT_COMMITTER_NAME", "Test Committer", 1);
	setenv("GIT_COMMITTER_EMAIL", "committer@example.org", 1);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free((char *)g.tool);
	mc_test_example_repo_remove(&g.tmp, &g.repo);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_series),
		cmocka_unit_test(test_parse_bare_mail),
		cmocka_unit_test(test_parse_orders_series),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test_teardown(test_mbox_same_as_each_commit, mc_test_arena_release),
		cmocka_unit_test_teardown(test_mbox_hunk_that_does_not_apply, mc_test_arena_release),
		cmocka_unit_test_teardown(test_mbox_email_is_a_reply, mc_test_arena_release),
		cmocka_unit_test_teardown(test_mbox_bad_input, mc_test_arena_release),
		cmocka_unit_test_teardown(test_mbox_one_patch_on_stdin_against_head, mc_test_arena_release),
		cmocka_unit_test_teardown(test_review_bot_answers_on_the_thread, mc_test_arena_release),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
