/*
 * analysis.h - from a snapshot to a model: which files to parse, parsing
 * them in parallel, and reusing facts whose inputs did not change.
 */
#ifndef MC_ANALYSIS_H
#define MC_ANALYSIS_H

#include "model/conv.h"
#include "model/facts.h"
#include "model/model.h"
#include "git/repo.h"
#include "frontend/tree.h"
#include "util/worker.h"

/*
 * Facts by key.  The key covers the file's blob, every blob of its include
 * closure, the target it was parsed for, the QAPI stub and the tool version,
 * so a hit is always safe to reuse.  The store owns the facts it holds.
 */
typedef struct mc_store mc_store;
struct mc_cache;
struct mc_build;

/* cache (may be NULL) persists facts across runs; the store borrows it. */
int mc_store_open(mc_store **out, struct mc_cache *cache);
void mc_store_free(mc_store *s);
/* Number of facts parsed and reused so far. */
void mc_store_counts(const mc_store *s, size_t *parsed, size_t *reused);
/* Files the last load selected, out of the candidate files (declaring properties, types or compat lists). */
void mc_store_selection(const mc_store *s, size_t *selected, size_t *candidates);

/*
 * Files whose include closure changed and that kept their facts because
 * nothing they read changed (depend.h), and "path: why" of those parsed
 * again, and the seconds spent judging; all over the store's life.
 */
void mc_store_dependency(const mc_store *s, size_t *kept, const mc_strvec **reparsed, double *seconds);

/*
 * 1 when the last mc_revision_load_pair reused the selection of a tree
 * (tree_selection in analysis.c): *changed files differ, and none of them
 * is read by anything the check loads.
 */
int mc_store_tree_reused(const mc_store *s, size_t *changed);

typedef struct {
	int jobs;          /* files parsed at once (children or threads), >= 1 */
	int progress;      /* print "parsing N/M" on stderr */
	const struct mc_build *build; /* -p BUILD_DIR, or NULL */
	int full;          /* mc_revision_load_pair: parse every candidate file, no slice */
	int vmstate;       /* mc_revision_load: also the files that only define VMStateDescriptions */
	mc_job_limits limits; /* per file; with either set, files are parsed in child processes */
} mc_analysis_opts;

typedef struct {
	mc_snapshot *snap;     /* owned */
	mc_tree *tree;         /* owned */
	mc_facts **facts;      /* sorted by path; from the store unless owned[i] */
	char *owned;
	size_t nfacts;
	mc_model *model;       /* owned: QEMU built without Rust devices */
	mc_model *model_rust;  /* owned: built with Rust devices (--enable-rust); NULL when no Rust source registers a type */
} mc_revision;

/* Takes ownership of snap (also on failure). */
int mc_revision_load(mc_revision **out, mc_snapshot *snap, const mc_conv *conv, mc_store *store,
		     const mc_analysis_opts *opts);
void mc_revision_free(mc_revision *rev);

/*
 * Loads the two sides of a check from only the files that can change its
 * findings (slice.h), or from every candidate file with opts->full or when
 * the slice cannot be exact.  The findings are the same either way; the
 * coverage describes the files parsed.  Takes both snapshots (also on failure).
 */
int mc_revision_load_pair(mc_revision **base, mc_revision **head, mc_snapshot *base_snap,
			  mc_snapshot *head_snap, const mc_conv *conv, mc_store *store, const mc_analysis_opts *opts);

/*
 * Does this file need parsing (a .c file) or reading (a Rust source) at all:
 * can it declare properties, types or compat lists, or hold a table the
 * conventions' table-type and table-property lines name?
 */
int mc_analysis_wants(const mc_conv *conv, const char *path, const char *text, size_t len);
/* The same, for show --vmstate and a pair of a check: also a file that defines a VMStateDescription and nothing else. */
int mc_analysis_wants_vmstate(const mc_conv *conv, const char *path, const char *text, size_t len);

#endif
