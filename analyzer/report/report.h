/*
 * report.h - findings out: gcc-style text, JSON, SARIF 2.1.0, GitLab Code Quality and a
 * plain-text e-mail reply for patch review bots.
 */
#ifndef MC_REPORT_H
#define MC_REPORT_H

#include <stdio.h>
#include "rules/findings.h"
#include "model/model.h"

typedef enum { MC_FORMAT_TEXT, MC_FORMAT_JSON, MC_FORMAT_SARIF, MC_FORMAT_CODECLIMATE, MC_FORMAT_EMAIL } mc_format;

/*
 * Headers that make an e-mail report a reply on the series' own thread
 * (check --mbox): a bot pipes the report to "sendmail -t".  Owned strings;
 * NULL members are left out.
 */
typedef struct {
	char *subject;     /* "Re: " and the thread root's Subject */
	char *in_reply_to; /* the root's Message-ID */
	char *references;  /* the root's References, then its Message-ID */
	char *to;          /* the root's sender */
	char *cc;          /* the root's To and Cc */
} mc_report_reply;

void mc_report_reply_free(mc_report_reply *r);

typedef struct {
	const char *base_rev;
	const char *base_commit;
	const char *head_rev;
	const char *head_commit;
	const mc_model *head;     /* newest compat array and coverage come from here */
	int color;
	size_t commits;           /* commits checked (--each-commit), 0 otherwise */
	size_t baselined;         /* findings dropped because the baseline has them */
	const mc_report_reply *reply; /* --format email: write these headers first; may be NULL */
} mc_report_ctx;

int mc_format_parse(const char *name, mc_format *out);
/* The "coverage" object of JSON reports (show has it too): what was parsed, resolved and not. */
struct json_t;
struct json_t *mc_report_coverage_json(const mc_model *m);
/* {"last_released": "X.Y", "from": "VERSION" or "compat arrays", "version_file": "X.Y.Z"}, or null. */
struct json_t *mc_report_release_json(const mc_model *m);
/* When VERSION and the compat arrays disagree, the one line that says which was used; else NULL. */
char *mc_report_release_disagreement(const mc_model *m);

/* Writes the report; returns 0 or MC_EIO with a message. */
int mc_report_write(FILE *out, mc_format fmt, const mc_findings *fs, const mc_report_ctx *ctx);

#endif
