/*
 * main.c - the migcompat command line.
 *
 * Every failure below returns to main() with a message in mc_error_last();
 * main prints it as one "migcompat: ..." line and exits 2.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend/analysis.h"
#include "frontend/build.h"
#include "frontend/cache.h"
#include "report/report.h"
#include "cli/check.h"
#include "rules/catalog.h"
#include "report/show.h"
#include "report/vmstate.h"
#include "report/fix.h"
#include "report/suppress.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

/* One screen: 24 lines of at most 80 columns (tests/test_review.c holds it to that). */
static const char usage_text[] =
	"usage: migcompat check [options] BASE [HEAD] | BASE..HEAD | BASE...HEAD\n"
	"       migcompat check [options] --cached | --worktree [BASE]\n"
	"       migcompat audit [options] [REV]      everything wrong at one revision\n"
	"       migcompat show [options] [--vmstate] [--machine X.Y] [--type T] [REV]\n"
	"       migcompat --list-rules | --explain RULE | --version | --help\n"
	"options:\n"
	"  --repo DIR           the QEMU git repository (default: .)\n"
	"  --format FMT         text, json, sarif, codeclimate or email\n"
	"  --output FILE        write the report to FILE, not standard output\n"
	"  --cached, --worktree  compare HEAD with the staged index, or the work tree\n"
	"  --each-commit        check each commit of BASE..HEAD against its parent\n"
	"  --mbox FILE          check each patch of a mailed series (- : stdin) on [BASE]\n"
	"  --fix                print a patch that adds the missing compat entries\n"
	"  --baseline FILE      hide findings present in a saved --format json report\n"
	"  --suppressions FILE  use FILE, not the tree's .migcompat-suppressions.json\n"
	"  -p BUILD_DIR         parse with a configured build's flags and headers\n"
	"  --full               parse every file, not only what the change can affect\n"
	"  --stats              print files selected, parsed and reused on stderr\n"
	"  -j N                 parsers at once (default: the number of CPUs)\n"
	"  --time-limit S, --memory-limit MIB  per file (120 s, 2048 MiB; 0: none)\n"
	"  --rules FILE         tree conventions instead of the built-in qemu.conv\n"
	"  --cache DIR, --no-cache  keep facts in DIR (~/.cache/migcompat), or nowhere\n"
	"exit status: 0 clean, 1 warnings or errors, 2 usage or input error\n"
	"more: man migcompat, migcompat --explain RULE\n";

typedef struct {
	const char *command;
	const char *repo;
	const char *output;
	const char *rules;
	const char *cache_dir;
	int no_cache;
	int full, stats;
	int vmstate;         /* show --vmstate */
	const char *machine, *family, *type;
	mc_format format;
	int jobs;
	mc_job_limits limits;
	int cached, worktree, each_commit;
	const char *mbox;          /* --mbox FILE: a series from mail, checked as --each-commit */
	int fix;
	const char *baseline;
	const char *suppressions;
	const char *build_dir;
	const char *revs[2];
	int nrevs;
} options;

/* A whole number from min to max for option; what says what it counts. */
static int parse_count(const char *option, const char *s, long min, long max, const char *what, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		mc_error_set("%s needs %s from %ld to %ld, not '%s'", option, what, min, max, s);
		return MC_EINPUT;
	}
	*out = v;
	return 0;
}

static int default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (n > 64 ? 64 : (int)n);
}

static const struct option longopts[] = {
	{ "repo", required_argument, NULL, 'r' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "rules", required_argument, NULL, 'R' },
	{ "cached", no_argument, NULL, 'c' },
	{ "worktree", no_argument, NULL, 'w' },
	{ "each-commit", no_argument, NULL, 'E' },
	{ "mbox", required_argument, NULL, 'x' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "cache", required_argument, NULL, 'C' },
	{ "no-cache", no_argument, NULL, 'N' },
	{ "full", no_argument, NULL, 'U' },
	{ "stats", no_argument, NULL, 'Y' },
	{ "machine", required_argument, NULL, 'M' },
	{ "family", required_argument, NULL, 'F' },
	{ "type", required_argument, NULL, 'T' },
	{ "vmstate", no_argument, NULL, 'V' },
	{ "fix", no_argument, NULL, 'X' },
	{ "baseline", required_argument, NULL, 'B' },
	{ "suppressions", required_argument, NULL, 'S' },
	{ "time-limit", required_argument, NULL, 'L' },
	{ "memory-limit", required_argument, NULL, 'm' },
	{ NULL, 0, NULL, 0 },
};

/*
 * The options whose argument must be checked: a format name or a number in
 * range.  A bad one fails the whole command line, before anything is opened.
 */
static int option_set_checked(options *o, int c, const char *arg)
{
	long v;
	switch (c) {
	case 'f':
		return mc_format_parse(arg, &o->format) < 0 ? MC_EINPUT : 0;
	case 'j':
		if (parse_count("-j", arg, 1, 64, "a number of files parsed at once", &v) < 0)
			return MC_EINPUT;
		o->jobs = (int)v;
		return 0;
	case 'L':
		if (parse_count("--time-limit", arg, 0, 86400, "seconds (0: no limit)", &v) < 0)
			return MC_EINPUT;
		o->limits.seconds = (unsigned)v;
		return 0;
	case 'm':
		if (parse_count("--memory-limit", arg, 0, 1048576, "MiB (0: no limit)", &v) < 0)
			return MC_EINPUT;
		o->limits.mib = (unsigned)v;
		return 0;
	}
	return 0;
}

/* One option getopt_long returned (c); arg is optarg, word the argument it came from. */
static int option_set(options *o, int c, const char *arg, const char *word)
{
	switch (c) {
	case 'r': o->repo = arg; break;
	case 'o': o->output = arg; break;
	case 'R': o->rules = arg; break;
	case 'c': o->cached = 1; break;
	case 'w': o->worktree = 1; break;
	case 'E': o->each_commit = 1; break;
	case 'x': o->mbox = arg; break;
	case 'C': o->cache_dir = arg; break;
	case 'N': o->no_cache = 1; break;
	case 'U': o->full = 1; break;
	case 'Y': o->stats = 1; break;
	case 'M': o->machine = arg; break;
	case 'F': o->family = arg; break;
	case 'T': o->type = arg; break;
	case 'V': o->vmstate = 1; break;
	case 'X': o->fix = 1; break;
	case 'B': o->baseline = arg; break;
	case 'S': o->suppressions = arg; break;
	case 'p': o->build_dir = arg; break;
	case 'f':
	case 'j':
	case 'L':
	case 'm':
		return option_set_checked(o, c, arg);
	default:
		mc_error_set("unknown or incomplete option '%s' (see migcompat --help)", word);
		return MC_EINPUT;
	}
	return 0;
}

/* What a command means without options: the repository here, every CPU, the default per-file limits. */
static void options_init(options *o, const char *command)
{
	memset(o, 0, sizeof(*o));
	o->command = command;
	o->repo = ".";
	o->jobs = default_jobs();
	o->limits = (mc_job_limits){ MC_DEFAULT_JOB_SECONDS, MC_DEFAULT_JOB_MIB };
}

/* The words after the options: at most two revisions. */
static int parse_revisions(int argc, char **argv, options *o)
{
	for (; optind < argc; optind++) {
		if (o->nrevs == 2) {
			mc_error_set("too many revisions: '%s' (see migcompat --help)", argv[optind]);
			return MC_EINPUT;
		}
		o->revs[o->nrevs++] = argv[optind];
	}
	return 0;
}

static int parse_options(int argc, char **argv, options *o)
{
	options_init(o, argv[1]);
	optind = 2;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "j:p:", longopts, NULL)) != -1)
		if (option_set(o, c, optarg, argv[optind - 1]) < 0)
			return MC_EINPUT;
	if (parse_revisions(argc, argv, o) < 0)
		return MC_EINPUT;
	if (o->cached + o->worktree + o->each_commit + (o->mbox != NULL) > 1) {
		mc_error_set("--cached, --worktree, --each-commit and --mbox cannot be used together");
		return MC_EINPUT;
	}
	if (o->mbox && o->nrevs > 1) {
		mc_error_set("--mbox takes at most one revision (the base)");
		return MC_EINPUT;
	}
	return 0;
}

static int load_conventions(const options *o, mc_conv *conv)
{
	return o->rules ? mc_conv_load_file(conv, o->rules) : mc_conv_load_builtin(conv);
}

/* The two snapshots a check compares, and the commits between them. */
typedef struct {
	mc_snapshot *base, *head;
	mc_oid base_commit, head_commit;
	const char *base_rev, *head_rev;
	char *range_parts[2];      /* the two sides of "A..B", owned */
	int head_is_commit;
} change;

static int resolve_change(mc_repo *repo, const options *o, change *ch)
{
	memset(ch, 0, sizeof(*ch));
	if (o->cached || o->worktree) {
		if (o->nrevs > 1) {
			mc_error_set("--cached and --worktree take at most one revision (the base)");
			return MC_EINPUT;
		}
		ch->base_rev = o->nrevs ? o->revs[0] : "HEAD";
		ch->head_rev = o->cached ? "index" : "worktree";
		if (mc_repo_resolve(repo, &ch->base_commit, ch->base_rev) < 0)
			return MC_EINPUT;
		int rc = mc_snapshot_from_commit(&ch->base, repo, &ch->base_commit, ch->base_rev);
		if (rc == 0)
			rc = o->cached ? mc_snapshot_from_index(&ch->head, repo) : mc_snapshot_from_worktree(&ch->head, repo);
		return rc;
	}
	if (o->nrevs == 0) {
		mc_error_set("check needs a base revision (see migcompat --help)");
		return MC_EINPUT;
	}
	int is_range = 0;
	if (o->nrevs == 1 && strstr(o->revs[0], "..")) {
		if (mc_repo_resolve_range(repo, o->revs[0], &ch->base_commit, &ch->head_commit, &is_range) < 0)
			return MC_EINPUT;
		/* Show each side as written: "A" and "B" of "A..B" (empty means HEAD). */
		const char *dots = strstr(o->revs[0], "..");
		const char *rhs = dots + (dots[2] == '.' ? 3 : 2);
		ch->range_parts[0] = dots == o->revs[0] ? mc_strdup("HEAD") : mc_strndup(o->revs[0], (size_t)(dots - o->revs[0]));
		ch->range_parts[1] = mc_strdup(*rhs ? rhs : "HEAD");
		ch->base_rev = ch->range_parts[0];
		ch->head_rev = ch->range_parts[1];
	} else {
		ch->base_rev = o->revs[0];
		ch->head_rev = o->nrevs == 2 ? o->revs[1] : "HEAD";
		if (mc_repo_resolve(repo, &ch->base_commit, ch->base_rev) < 0 ||
		    mc_repo_resolve(repo, &ch->head_commit, ch->head_rev) < 0)
			return MC_EINPUT;
	}
	ch->head_is_commit = 1;
	int rc = mc_snapshot_from_commit(&ch->base, repo, &ch->base_commit, ch->base_rev);
	if (rc == 0)
		rc = mc_snapshot_from_commit(&ch->head, repo, &ch->head_commit, ch->head_rev);
	return rc;
}

/* Standard output, or --output FILE; NULL with a message when it cannot be created. */
static FILE *output_open(const options *o)
{
	FILE *out = o->output ? fopen(o->output, "w") : stdout;
	if (!out)
		mc_error_set("cannot write '%s': %s", o->output, strerror(errno));
	return out;
}

/* Closes --output FILE; a failure to flush it is the run's failure if nothing failed before. */
static int output_close(const options *o, FILE *out, int rc)
{
	if (out != stdout && fclose(out) != 0 && rc == 0) {
		mc_error_set("cannot write '%s': %s", o->output, strerror(errno));
		rc = MC_EIO;
	}
	return rc;
}

static int write_report(const options *o, const mc_findings *fs, const mc_report_ctx *ctx)
{
	FILE *out = output_open(o);
	return out ? output_close(o, out, mc_report_write(out, o->format, fs, ctx)) : MC_EINPUT;
}

static int use_color(const options *o)
{
	const char *nc = getenv("NO_COLOR");
	return !o->output && o->format == MC_FORMAT_TEXT && isatty(1) && !(nc && *nc);
}

/* The persistent cache, or NULL: a cache that cannot be used never stops the run. */
static mc_cache *open_cache(const options *o)
{
	if (o->no_cache)
		return NULL;
	char *dir = o->cache_dir ? mc_strdup(o->cache_dir) : mc_cache_default_dir();
	mc_cache *cache = NULL;
	if (dir && mc_cache_open(&cache, dir) < 0) {
		fprintf(stderr, "migcompat: %s; going on without the cache\n", mc_error_last());
		cache = NULL;
	}
	free(dir);
	return cache;
}

/* Reviewers' decisions: suppression markers and file, then the baseline. */
static int triage(const options *o, const mc_revision *base, const mc_revision *head, mc_findings *fs,
		  size_t *baselined)
{
	mc_suppressions supps;
	int rc = o->suppressions ? mc_suppressions_from_file(&supps, o->suppressions)
				 : mc_suppressions_from_snapshot(&supps, head->snap, base->snap);
	if (rc == 0)
		rc = mc_suppress_apply(fs, head->snap, &supps);
	mc_suppressions_free(&supps);
	if (rc < 0 || !o->baseline)
		return rc;
	mc_map keys;
	if (mc_baseline_load(&keys, o->baseline) < 0)
		return MC_EINPUT;
	*baselined = mc_baseline_filter(fs, &keys);
	mc_map_free(&keys);
	return 0;
}

/* --fix: the patch on standard output (or --output); what it cannot fix goes to stderr. */
static int write_fix(const options *o, const mc_snapshot *head, const mc_findings *fs)
{
	FILE *out = output_open(o);
	if (!out)
		return MC_EINPUT;
	mc_strvec skipped = {0};
	int rc = output_close(o, out, mc_fix_write(out, fs, mc_fix_read_snapshot, (void *)head, &skipped));
	for (size_t i = 0; i < skipped.n; i++)
		fprintf(stderr, "migcompat: not fixed: %s\n", skipped.v[i]);
	mc_strvec_free(&skipped);
	return rc;
}

static void print_stats(const mc_store *store)
{
	size_t parsed, reused, selected, candidates;
	mc_store_counts(store, &parsed, &reused);
	mc_store_selection(store, &selected, &candidates);
	fprintf(stderr, "migcompat: stats: %zu of %zu files selected, %zu parsed, %zu reused\n", selected, candidates,
		parsed, reused);
	size_t kept;
	const mc_strvec *reparsed;
	double seconds;
	mc_store_dependency(store, &kept, &reparsed, &seconds);
	if (kept || reparsed->n)
		fprintf(stderr, "migcompat: stats: %zu files kept their facts (no header change reaches what they read), "
			"%zu parsed again; %.2f s to judge\n", kept, reparsed->n, seconds);
	for (size_t i = 0; i < reparsed->n; i++)
		fprintf(stderr, "migcompat: stats: parsed again: %s\n", reparsed->v[i]);
	size_t changed;
	if (mc_store_tree_reused(store, &changed))
		fprintf(stderr, "migcompat: stats: fast path: the %zu changed files are read by nothing loaded; "
			"the selection of the tree was reused\n", changed);
}

/* What a check or an audit holds from its start to its end (check_run_free). */
typedef struct {
	mc_conv conv;
	mc_repo *repo;
	mc_store *store;
	mc_cache *cache;
	mc_build *build;
	mc_revision *base, *head;
	mc_findings fs;
	change ch;
	mc_analysis_opts aopts;
	size_t series_length;      /* --each-commit: the commits checked */
	mc_cli_mbox mail;          /* --mbox: the series, its labels and the reply headers */
	char *apply_error;         /* --mbox: why a patch did not apply (the ones before it are checked) */
} check_run;

static void check_run_free(check_run *r)
{
	mc_cli_mbox_free(&r->mail);
	free(r->apply_error);
	free(r->ch.range_parts[0]);
	free(r->ch.range_parts[1]);
	mc_findings_free(&r->fs);
	mc_revision_free(r->base);
	mc_revision_free(r->head);
	mc_store_free(r->store);
	mc_cache_free(r->cache);
	mc_build_free(r->build);
	mc_repo_free(r->repo);
	mc_conv_free(&r->conv);
}

/*
 * --mbox: the patches become commits in memory on top of the base, and the
 * change is base..last patch applied.  A patch that does not apply ends the
 * series there: the ones before it are still checked, then the run fails.
 */
static int mbox_resolve(check_run *r, const options *o)
{
	mc_cli_mbox *mail = &r->mail;
	if (mc_cli_mbox_series(r->repo, o->mbox, o->nrevs ? o->revs[0] : NULL, mail) < 0) {
		if (!mail->applied)
			return MC_EINPUT;
		r->apply_error = mc_strdup(mc_error_last());
	}
	change *ch = &r->ch;
	memset(ch, 0, sizeof(*ch));
	ch->base_commit = mail->base;
	ch->head_commit = mail->commits[mail->applied - 1];
	ch->range_parts[0] = mc_strdup(o->nrevs ? o->revs[0] : mail->base.hex);
	ch->range_parts[1] = mc_strdup(strcmp(o->mbox, "-") == 0 ? "standard input" : o->mbox);
	ch->base_rev = ch->range_parts[0];
	ch->head_rev = ch->range_parts[1];
	ch->head_is_commit = 1;
	return mc_snapshot_from_commit(&ch->base, r->repo, &ch->base_commit, ch->base_rev);
}

/* An audit is the change from one revision to itself: the same load and rules as a check. */
static int check_resolve(check_run *r, const options *o, int audit)
{
	if (o->mbox && audit) {
		mc_error_set("audit checks one revision; --mbox is for check");
		return MC_EINPUT;
	}
	if (o->mbox)
		return mbox_resolve(r, o);
	if (!audit)
		return resolve_change(r->repo, o, &r->ch);
	options single = *o;
	single.nrevs = 2;
	single.revs[0] = o->nrevs ? o->revs[0] : "HEAD";
	single.revs[1] = single.revs[0];
	if (o->nrevs > 1) {
		mc_error_set("audit takes one revision");
		return MC_EINPUT;
	}
	return resolve_change(r->repo, &single, &r->ch);
}

/*
 * The base revision, and for a check of two snapshots the head with it:
 * loaded as a pair, they parse only what can change the findings.  A load
 * takes the snapshots it is given, also on failure; the head of an audit or
 * a series is left for later (freed here on failure).
 */
static int check_load(check_run *r, const options *o, int audit)
{
	if (o->build_dir && mc_build_open(&r->build, o->build_dir, r->ch.head) < 0) {
		mc_snapshot_free(r->ch.base);
		mc_snapshot_free(r->ch.head);
		return MC_EINPUT;
	}
	r->aopts.build = r->build;
	mc_store_open(&r->store, r->cache);
	if (!audit && (o->each_commit || o->mbox)) {
		/* A series loads its pairs itself, each sliced: base with commit 1, with commit 2, ... */
		mc_snapshot_free(r->ch.base);
		r->ch.base = NULL;
		return 0;
	}
	int rc = audit ? mc_revision_load(&r->base, r->ch.base, &r->conv, r->store, &r->aopts)
		       : mc_revision_load_pair(&r->base, &r->head, r->ch.base, r->ch.head, &r->conv, r->store,
					       &r->aopts);
	r->ch.base = NULL;
	if (rc < 0 || mc_cli_require_compat(r->base) < 0) {
		if (audit)
			mc_snapshot_free(r->ch.head);
		return MC_EINPUT;
	}
	return 0;
}

/* --each-commit: the series loads its own heads, commit by commit, from the base. */
static int check_series(check_run *r, const options *o)
{
	mc_snapshot_free(r->ch.head);
	if (!r->ch.head_is_commit ||
	    mc_cli_check_series(r->repo, &r->ch.base_commit, &r->ch.head_commit, &r->conv, r->store, &r->aopts,
				&r->base, &r->head, &r->fs, &r->series_length, r->mail.labels.n ? &r->mail.labels : NULL) < 0)
		return MC_EINPUT;
	if (!r->head) {
		mc_error_set("%s has no commits to check", o->revs[0]);
		return MC_EINPUT;
	}
	mc_findings_finish(&r->fs);
	return 0;
}

/* One base and head: an audit has no commits between them to give the rules. */
static int check_one_pair(check_run *r, int audit)
{
	if (audit && mc_revision_load(&r->head, r->ch.head, &r->conv, r->store, &r->aopts) < 0)
		return MC_EINPUT;
	if (mc_cli_require_compat(r->head) < 0)
		return MC_EINPUT;
	mc_commit_facts cf = {0};
	/*
	 * The fast path loaded both sides from one selection: equal facts, so no
	 * entry was added that a trailer could judge, and resolving a Fixes:
	 * (a walk of the history) would only cost time.
	 */
	size_t inert;
	if (!audit && !mc_store_tree_reused(r->store, &inert))
		mc_cli_commit_facts(&cf, r->repo, &r->ch.base_commit, &r->ch.head_commit, r->ch.head_is_commit,
				    r->base->model, r->head->model);
	mc_cli_check_pair(r->base, r->head, &cf, &r->conv, audit, NULL, &r->fs);
	mc_commit_facts_free(&cf);
	return 0;
}

/* The findings reviewers have not already decided on: as a report, or as --fix's patch. */
static int check_write(check_run *r, const options *o, int audit)
{
	size_t baselined = 0;
	if (triage(o, r->base, r->head, &r->fs, &baselined) < 0)
		return MC_EINPUT;
	mc_report_ctx ctx = { audit ? NULL : r->ch.base_rev, audit ? NULL : r->ch.base_commit.hex,
			      r->ch.head_rev, r->ch.head_is_commit ? r->ch.head_commit.hex : NULL, r->head->model,
			      use_color(o), r->series_length, baselined, o->mbox ? &r->mail.reply : NULL };
	if (o->fix ? write_fix(o, r->head->snap, &r->fs) < 0 : write_report(o, &r->fs, &ctx) < 0)
		return MC_EINPUT;
	return 0;
}

/* Which machine versions count as released decides every finding: say it when VERSION was overruled. */
static void say_release_signal(const mc_revision *base)
{
	char *why = base ? mc_report_release_disagreement(base->model) : NULL;
	if (why)
		fprintf(stderr, "migcompat: %s\n", why);
	free(why);
}

static int run_check(const options *o, int audit)
{
	check_run r = {0};
	if (load_conventions(o, &r.conv) < 0)
		return EXIT_USAGE;
	r.aopts = (mc_analysis_opts){ .jobs = o->jobs, .progress = isatty(2), .full = o->full, .limits = o->limits };
	int status = EXIT_USAGE;
	if (mc_repo_open(&r.repo, o->repo) < 0)
		goto out;
	/* Before any snapshot: the file lists of trees seen before come from it. */
	r.cache = open_cache(o);
	if (r.cache)
		mc_cache_keep_listings(r.cache, r.repo);
	if (check_resolve(&r, o, audit) < 0 || check_load(&r, o, audit) < 0)
		goto out;
	if ((o->each_commit || o->mbox ? check_series(&r, o) : check_one_pair(&r, audit)) < 0)
		goto out;
	say_release_signal(r.base);
	if (check_write(&r, o, audit) < 0)
		goto out;
	status = mc_findings_loud(&r.fs) ? EXIT_FINDINGS : EXIT_CLEAN;
	if (r.apply_error) {
		mc_error_set("%s", r.apply_error);
		status = EXIT_USAGE;
	}
	if (o->stats)
		print_stats(r.store);
out:
	check_run_free(&r);
	return status;
}

static int run_show(const options *o)
{
	mc_show_opts so = { o->family, -1, -1, o->type };
	if (o->fix || o->baseline || o->suppressions) {
		mc_error_set("--fix, --baseline and --suppressions apply to check and audit, not show");
		return EXIT_USAGE;
	}
	if (o->format != MC_FORMAT_TEXT && o->format != MC_FORMAT_JSON) {
		mc_error_set("show writes text or json");
		return EXIT_USAGE;
	}
	if (o->nrevs > 1) {
		mc_error_set("show takes one revision");
		return EXIT_USAGE;
	}
	if (o->machine && mc_show_parse_machine(o->machine, &so.major, &so.minor) < 0)
		return EXIT_USAGE;
	if (o->vmstate && (o->machine || o->family)) {
		/* The stream layout is the same under every machine version: QEMU's dump ignores -M too. */
		mc_error_set("--vmstate shows the descriptions of every type, which no machine version changes: "
			     "leave out --machine and --family");
		return EXIT_USAGE;
	}
	mc_conv conv;
	if (load_conventions(o, &conv) < 0)
		return EXIT_USAGE;
	const char *rev_name = o->nrevs ? o->revs[0] : "HEAD";
	mc_repo *repo = NULL;
	mc_cache *cache = NULL;
	mc_store *store = NULL;
	mc_revision *rev = NULL;
	mc_snapshot *snap = NULL;
	mc_oid commit;
	int status = EXIT_USAGE;
	mc_analysis_opts aopts = { .jobs = o->jobs, .progress = isatty(2), .limits = o->limits,
				   .vmstate = o->vmstate };
	mc_build *build = NULL;
	if (mc_repo_open(&repo, o->repo) < 0 || mc_repo_resolve(repo, &commit, rev_name) < 0 ||
	    mc_snapshot_from_commit(&snap, repo, &commit, rev_name) < 0)
		goto out;
	if (o->build_dir && mc_build_open(&build, o->build_dir, snap) < 0) {
		mc_snapshot_free(snap);
		goto out;
	}
	aopts.build = build;
	cache = open_cache(o);
	mc_store_open(&store, cache);
	if (mc_revision_load(&rev, snap, &conv, store, &aopts) < 0)
		goto out;
	FILE *out = output_open(o);
	if (!out)
		goto out;
	int written = o->vmstate ? mc_vmstate_write(out, stderr, o->format, rev->model, rev_name, o->type)
				 : mc_show_write(out, o->format, rev, rev_name, &so);
	if (output_close(o, out, written) == 0)
		status = EXIT_CLEAN;
out:
	mc_revision_free(rev);
	mc_store_free(store);
	mc_cache_free(cache);
	mc_build_free(build);
	mc_repo_free(repo);
	mc_conv_free(&conv);
	return status;
}

static int list_rules(void)
{
	for (size_t i = 0; i < mc_rule_catalog_len; i++)
		printf("%-24s %-8s %s\n", mc_rule_catalog[i].id, mc_rule_catalog[i].severity, mc_rule_catalog[i].summary);
	return EXIT_CLEAN;
}

static int explain_rule(const char *id)
{
	const mc_rule_info *r = id ? mc_rule_lookup(id) : NULL;
	if (!r) {
		mc_error_set("unknown rule '%s' (see migcompat --list-rules)", id ? id : "");
		return EXIT_USAGE;
	}
	printf("%s (%s)\n\n%s\n\nExample: %s\n\nFix: %s\n", r->id, r->severity, r->description, r->example, r->fix);
	return EXIT_CLEAN;
}

int main(int argc, char **argv)
{
	int status;
	if (argc < 2) {
		fputs("migcompat: no command (see migcompat --help)\n", stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return EXIT_CLEAN;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("migcompat %s\n", MC_VERSION);
		return EXIT_CLEAN;
	}
	if (strcmp(cmd, "--list-rules") == 0)
		return list_rules();
	if (strcmp(cmd, "--explain") == 0) {
		status = explain_rule(argc > 2 ? argv[2] : NULL);
	} else if (strcmp(cmd, "show") == 0) {
		options o;
		status = parse_options(argc, argv, &o) < 0 ? EXIT_USAGE : run_show(&o);
	} else if (strcmp(cmd, "check") == 0 || strcmp(cmd, "audit") == 0) {
		options o;
		if (parse_options(argc, argv, &o) < 0)
			status = EXIT_USAGE;
		else
			status = run_check(&o, strcmp(cmd, "audit") == 0);
	} else {
		mc_error_set("unknown command '%s' (see migcompat --help)", cmd);
		status = EXIT_USAGE;
	}
	if (status == EXIT_USAGE)
		fprintf(stderr, "migcompat: %s\n", mc_error_last());
	return status;
}
