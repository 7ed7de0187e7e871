/*
 * tree.h - one revision's files made ready for libclang, without a checkout.
 *
 * libclang reads every file through "unsaved files" at virtual paths under
 * MC_TREE_ROOT, so nothing is written to disk and nothing of the analyzed
 * tree is executed.  Generated headers an unconfigured tree lacks
 * (config-host.h, QAPI types, trace headers, target config) are replaced by
 * stubs under MC_STUB_ROOT: which name gets which stub is the conventions'
 * "generated-header" lines; the QAPI stub is written from the revision's own
 * schema files ("qapi-schema").  The include closure of a file is found by scanning #include
 * lines of every branch (an over-approximation), which also gives the blob
 * ids the file's facts depend on.
 */
#ifndef MC_TREE_H
#define MC_TREE_H

#include <pthread.h>
#include <stddef.h>
#include "model/conv.h"
#include "frontend/build.h"
#include "frontend/qapi.h"
#include "git/repo.h"
#include "util/util.h"

#define MC_STUB_ROOT "/mc-stub"

typedef struct mc_tree {
	const mc_snapshot *snap;   /* borrowed */
	const mc_conv *conv;       /* borrowed */
	mc_qapi qapi;              /* the four QAPI members: only after mc_tree_load_qapi */
	char *qapi_stub;           /* the whole stub served for every generated QAPI header */
	char qapi_stub_hash[41];   /* its git blob hash, part of every facts key */
	char *version;             /* content of VERSION, trimmed, or NULL */
	char *qapi_prelude;        /* tree path of the conventions' qapi-prelude; NULL: none or absent */
	size_t schema_files;
	const struct mc_build *build; /* -p BUILD_DIR, or NULL; borrowed (see build.h) */
	pthread_mutex_t qapi_lock; /* guards qapi_ready */
	int qapi_ready;
	pthread_mutex_t lock;      /* guards the caches below */
	mc_map contents;           /* path -> struct tree_blob * */
} mc_tree;

/*
 * The tree path of the header #include "name" finds through the conventions'
 * include-dir lines (not the includer's own directory), or NULL; the caller
 * frees it.
 */
char *mc_tree_find_header(const mc_tree *tree, const char *name);

/* Reads VERSION of the snapshot; the schema waits for mc_tree_load_qapi. */
int mc_tree_open(mc_tree **out, const mc_snapshot *snap, const mc_conv *conv);

/*
 * Reads the QAPI schema and writes the stub (qapi, qapi_stub, qapi_stub_hash,
 * schema_files), once; thread-safe.  It reads every schema file and every
 * header (does the tree define QType itself?), most of what opening a tree
 * costs, and a check whose facts are all known never needs it.
 * mc_tree_prepare calls it, so a parse always has it.
 */
void mc_tree_load_qapi(mc_tree *tree);
void mc_tree_free(mc_tree *tree);

/*
 * Reads a file of the tree (cached, thread-safe).  *data stays owned by the
 * tree.  Binary files (a NUL byte) and files over the size limit fail with a
 * message.
 */
int mc_tree_read(mc_tree *tree, const char *path, const char **data, size_t *len);

typedef struct {
	char *filename;            /* virtual path */
	char *contents;            /* owned copy or borrowed (see owned) */
	size_t length;
	int owned;
} mc_tu_file;

/* Everything needed to parse one file, and what its facts depend on. */
typedef struct {
	char *main_path;           /* virtual path of the main file */
	mc_strvec args;
	mc_tu_file *files;         /* main file first */
	size_t nfiles, cap;
	mc_strvec deps;            /* "path:blob" of every tree file in the closure, sorted */
	char *arch;                /* or NULL */
	mc_strvec refused;         /* "path\nwhy" of each header read as empty (binary, huge, macro bomb) */
	int own_flags;             /* flags of a configured build: no shared precompiled header fits */
} mc_tu_input;

/*
 * Prepares the parse of a tree file (path) or of synthetic text given as
 * synthetic (then path is a virtual name relative to the tree root used for
 * include lookup).
 */
int mc_tree_prepare(mc_tree *tree, const char *path, const char *synthetic, mc_tu_input *out);

/* The path of a deps entry ("path:blob"; the whole entry when it has no ':'), owned by the caller. */
char *mc_tu_dep_path(const char *dep);
void mc_tu_input_free(mc_tu_input *in);

/*
 * The raw #include targets of a text (every branch, none in a comment), each
 * "name or <name (its opening mark first), from util/cscan.h's header names.
 */
void mc_scan_includes(const char *text, size_t len, mc_strvec *out);

#endif
