/*
 * analysis.c - see analysis.h.
 */
#include "frontend/analysis.h"
#include "frontend/build.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <clang-c/Index.h>
#include "frontend/cache.h"
#include "frontend/depend.h"
#include "frontend/parse.h"
#include "frontend/rust.h"
#include "frontend/slice.h"
#include "util/worker.h"

struct mc_store {
	pthread_mutex_t lock;
	mc_map facts;          /* key -> mc_facts* */
	mc_map failed;         /* key -> why (owned): a parse that failed for a passing reason, not retried this run */
	mc_cache *cache;       /* borrowed; NULL without a persistent cache */
	size_t parsed, reused;
	size_t selected, candidates;
	mc_map odd_deps;       /* path -> 1: files of an include closure that are not C text (tree_selection_save) */
	size_t inert_changes;  /* the last load reused a tree's selection: files changed, none of them read */
	int tree_reused;
	mc_depend *depend;     /* the chunked headers, for every load of the run (depend.h) */
	size_t kept;           /* files whose closure changed and that kept their facts */
	double depend_seconds; /* spent judging them */
	mc_strvec reparsed;    /* "path: why" of each file whose closure changed and was parsed again */
};

int mc_store_open(mc_store **out, mc_cache *cache)
{
	mc_store *s = mc_calloc(1, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->cache = cache;
	mc_depend_new(&s->depend);
	*out = s;
	return 0;
}

void mc_store_free(mc_store *s)
{
	if (!s)
		return;
	MC_MAP_FOREACH(&s->facts, i)
		mc_facts_free(s->facts.vals[i]);
	mc_map_free(&s->facts);
	MC_MAP_FOREACH(&s->failed, i)
		free(s->failed.vals[i]);
	mc_map_free(&s->failed);
	mc_map_free(&s->odd_deps);
	mc_depend_free(s->depend);
	mc_strvec_free(&s->reparsed);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void mc_store_counts(const mc_store *s, size_t *parsed, size_t *reused)
{
	*parsed = s->parsed;
	*reused = s->reused;
}

void mc_store_selection(const mc_store *s, size_t *selected, size_t *candidates)
{
	*selected = s->selected;
	*candidates = s->candidates;
}

void mc_store_dependency(const mc_store *s, size_t *kept, const mc_strvec **reparsed, double *seconds)
{
	*kept = s->kept;
	*seconds = s->depend_seconds;
	*reparsed = &s->reparsed;
}

int mc_store_tree_reused(const mc_store *s, size_t *changed)
{
	*changed = s->inert_changes;
	return s->tree_reused;
}

/* Is the text of path C, as the slice reads it (is_c_source there)? */
static int is_c_text(const char *path)
{
	return mc_str_endswith(path, ".c") || mc_str_endswith(path, ".h") || mc_str_endswith(path, ".inc");
}

/*
 * Remembers the files of an include closure that are not C text: a change
 * to one of them is inert only for the files that do not include it.
 */
static void store_note_deps(mc_store *s, const mc_strvec *deps)
{
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < deps->n; i++) {
		char *path = mc_tu_dep_path(deps->v[i]);
		if (!is_c_text(path) && !mc_map_get(&s->odd_deps, path))
			mc_map_put(&s->odd_deps, path, (void *)1);
		free(path);
	}
	pthread_mutex_unlock(&s->lock);
}

static mc_facts *store_get(mc_store *s, const char *key)
{
	pthread_mutex_lock(&s->lock);
	mc_facts *f = mc_map_get(&s->facts, key);
	if (!f && s->cache && (f = mc_cache_get(s->cache, key)))
		mc_map_put(&s->facts, key, f);
	if (f)
		s->reused++;
	pthread_mutex_unlock(&s->lock);
	return f;
}

/*
 * Parses that failed for a reason that says nothing lasting about the file (a
 * deadline, the memory limit, a crash) are not cached, but they are not tried
 * again in the same run either: every later load (rounds, --each-commit,
 * audit) would pay the whole time limit again.
 */
static char *store_failure(mc_store *s, const char *key)
{
	pthread_mutex_lock(&s->lock);
	const char *why = mc_map_get(&s->failed, key);
	char *copy = why ? mc_strdup(why) : NULL;
	pthread_mutex_unlock(&s->lock);
	return copy;
}

static void store_fail(mc_store *s, const char *key, const char *why)
{
	pthread_mutex_lock(&s->lock);
	if (!mc_map_get(&s->failed, key))
		mc_map_put(&s->failed, key, mc_strdup(why ? why : "parse failed"));
	pthread_mutex_unlock(&s->lock);
}

/* Returns the facts to use: the stored ones if another worker got there first.  counter counts a new entry. */
static mc_facts *store_put_counted(mc_store *s, const char *key, mc_facts *f, size_t *counter)
{
	pthread_mutex_lock(&s->lock);
	mc_facts *old = mc_map_get(&s->facts, key);
	if (old) {
		mc_facts_free(f);
		f = old;
	} else {
		mc_map_put(&s->facts, key, f);
		(*counter)++;
		if (s->cache)
			mc_cache_put(s->cache, key, f);
	}
	pthread_mutex_unlock(&s->lock);
	return f;
}

static mc_facts *store_put(mc_store *s, const char *key, mc_facts *f)
{
	return store_put_counted(s, key, f, &s->parsed);
}

/* Everything the facts of a file depend on, hashed. */
static char *facts_key(const mc_tree *tree, const char *path, const mc_tu_input *in)
{
	mc_buf b = {0};
	const mc_file *f = mc_snapshot_find(tree->snap, path);
	mc_buf_printf(&b, "migcompat %s facts %s conv %s\n%s\n%s\n%s\n", MC_VERSION, mc_facts_version(),
		      tree->conv->digest, path, f ? f->blob.hex : "-", in->arch ? in->arch : "-");
	for (size_t i = 0; i < in->args.n; i++)
		mc_buf_printf(&b, "%s\n", in->args.v[i]);
	for (size_t i = 0; i < in->deps.n; i++)
		mc_buf_printf(&b, "%s\n", in->deps.v[i]);
	/* Stubs (QAPI from the schema) are part of the input too. */
	for (size_t i = 0; i < in->nfiles; i++)
		if (mc_str_startswith(in->files[i].filename, MC_STUB_ROOT))
			mc_buf_printf(&b, "%s %zu\n", in->files[i].filename, in->files[i].length);
	mc_buf_printf(&b, "qapi %s\n", tree->qapi_stub_hash);
	char hex[41];
	mc_hash_text(b.ptr, b.len, hex);
	mc_buf_free(&b);
	return mc_strdup(hex);
}

/*
 * The facts key without the include closure: two files with equal prefixes
 * differ at most in the headers they include, which depend.h judges.
 */
static char *facts_prefix(const mc_tree *tree, const char *path, const mc_tu_input *in)
{
	mc_tu_input bare = *in;
	bare.deps = (mc_strvec){ 0 };
	return facts_key(tree, path, &bare);
}

/* Rust sources depend on their crate (constants in other files), not on an include closure. */
static char *rust_facts_key(const mc_tree *tree, const char *path)
{
	mc_strvec deps = {0};
	mc_rust_deps(tree, path, &deps);
	mc_buf b = {0};
	mc_buf_printf(&b, "migcompat %s facts %s conv %s rust\n%s\n", MC_VERSION, mc_facts_version(),
		      tree->conv->digest, path);
	for (size_t i = 0; i < deps.n; i++)
		mc_buf_printf(&b, "%s\n", deps.v[i]);
	char hex[41];
	mc_hash_text(b.ptr, b.len, hex);
	mc_buf_free(&b);
	mc_strvec_free(&deps);
	return mc_strdup(hex);
}

/* A path that may be a candidate: a .c file not skipped, or a Rust source. */
static int candidate_path(const mc_conv *conv, const char *path)
{
	return (mc_str_endswith(path, ".c") && !mc_conv_is_skipped(conv, path)) || mc_rust_is_source(conv, path);
}

int mc_analysis_wants(const mc_conv *conv, const char *path, const char *text, size_t len)
{
	if (!candidate_path(conv, path))
		return 0;
	if (mc_rust_is_source(conv, path))
		return mc_rust_wants(text, len);
	/* A table of CPU models names neither (target/arm/tcg/cpu-v7m.c): the conventions name its struct. */
	return strstr(text, "Property") != NULL || strstr(text, "TypeInfo") != NULL || mc_conv_names_table(conv, text);
}

int mc_analysis_wants_vmstate(const mc_conv *conv, const char *path, const char *text, size_t len)
{
	/* Descriptions live beside their device (a candidate already), or alone: hw/acpi/ich9.c, target/i386/machine.c. */
	return mc_analysis_wants(conv, path, text, len) ||
	       (candidate_path(conv, path) && !mc_rust_is_source(conv, path) && strstr(text, "VMStateDescription"));
}

/*
 * What a load keeps between its batches (every round of a slice):
 *  - precompiled common headers (conv common-header: qemu/osdep.h), one per target and revision,
 *    built on first use; two revisions whose common input hashes the same
 *    share one file;
 *  - the facts key of every file prepared, so that a later round finds the
 *    facts of a file it parsed without reading its include closure again.
 */
typedef struct {
	const mc_tree *tree;
	char *arch;            /* "" for target-independent files */
	char *key;             /* facts key of the common input, or NULL */
	char *path;            /* NULL when it could not be built: parse without */
	int owns;              /* path was built for this entry (unlinked at the end) */
} pch_entry;

typedef struct {
	pthread_mutex_t lock;
	char *dir;             /* temporary directory, made on first use */
	int dir_tried;
	pch_entry *v;
	size_t n, cap;
	mc_map known_keys;     /* "tree path" -> facts key (owned) */
} parse_cache;

/*
 * One file of one side to parse.  Everything a parse needs is prepared before
 * any parser runs, by threads that are joined first (see parse_batch_run): a
 * child process works on a copy of it.
 */
typedef struct {
	mc_tree *tree;
	const char *path;
	mc_facts **result;     /* where its facts go */
	char *owned;           /* set: *result belongs to the revision, not the store */
	char **key_out;        /* its facts key for the selection cache, or NULL */
	char *key;             /* its facts key while it is parsed */
	mc_tu_input in;
	int prepared;
	char *prefix;          /* its facts key without the include closure, once prepared (facts_prefix) */
	int deferred;          /* parsed after the other side's job, whose facts it may keep */
	int texts_hold;        /* deferred: depend.h found no changed declaration it reads, before any facts */
	size_t twin;           /* 1 + index of an earlier job with the same key (unchanged file, both sides) */
} parse_job;

typedef struct {
	mc_store *store;
	parse_job **pending;   /* the jobs the store had no facts for */
	size_t n;
	size_t next, done;     /* next: guarded by lock (threads) */
	int progress;
	mc_job_limits limits;
	mc_parser *parser;     /* a child process's own, made at its first job */
	pthread_mutex_t lock;
} parse_batch;

/* A tree path that gets the flags of arch (conv "target" prefixes ending in '/'). */
static char *path_for_arch(const mc_conv *conv, const char *arch)
{
	if (!*arch)
		return mc_strdup("mc-common.c");
	for (size_t i = 0; i < conv->ntargets; i++)
		if (strcmp(conv->targets[i].arch, arch) == 0 && mc_str_endswith(conv->targets[i].prefix, "/"))
			return mc_sprintf("%smc-common.c", conv->targets[i].prefix);
	return NULL;
}

static char *facts_key(const mc_tree *tree, const char *path, const mc_tu_input *in);

static char *make_pch_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = mc_sprintf("%s/migcompat-pch-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		free(dir);
		return NULL; /* no scratch space: parse without */
	}
	return dir;
}

static void parse_cache_init(parse_cache *pc)
{
	memset(pc, 0, sizeof(*pc));
	pthread_mutex_init(&pc->lock, NULL);
}

static void parse_cache_free(parse_cache *pc)
{
	for (size_t i = 0; i < pc->n; i++) {
		if (pc->v[i].owns && pc->v[i].path)
			unlink(pc->v[i].path);
		free(pc->v[i].path);
		free(pc->v[i].arch);
		free(pc->v[i].key);
	}
	free(pc->v);
	MC_MAP_FOREACH(&pc->known_keys, i)
		free(pc->known_keys.vals[i]);
	mc_map_free(&pc->known_keys);
	if (pc->dir)
		rmdir(pc->dir);
	free(pc->dir);
	pthread_mutex_destroy(&pc->lock);
}

/* Builds (or finds) the common header of arch for a tree; called with the lock held. */
static void pch_build(parse_cache *pc, mc_tree *tree, mc_parser *parser, pch_entry *e)
{
	/* The conventions' common-header (QEMU's qemu/osdep.h), when the tree has it. */
	const char *common_header = tree->conv->common_header;
	char *found = common_header ? mc_tree_find_header(tree, common_header) : NULL;
	if (!found)
		return;
	free(found);
	char *where = path_for_arch(tree->conv, e->arch);
	char *text = mc_sprintf("#include \"%s\"\n", common_header);
	mc_tu_input in;
	if (where && mc_tree_prepare(tree, where, text, &in) == 0) {
		e->key = facts_key(tree, where, &in);
		for (size_t i = 0; i + 1 < pc->n && !e->path; i++)
			if (pc->v[i].key && pc->v[i].path && strcmp(pc->v[i].key, e->key) == 0)
				e->path = mc_strdup(pc->v[i].path);
		if (!pc->dir && !pc->dir_tried) {
			pc->dir = make_pch_dir();
			pc->dir_tried = 1;
		}
		if (!e->path && pc->dir) {
			char *out = mc_sprintf("%s/common-%zu.pch", pc->dir, pc->n);
			if (mc_parser_save_pch(parser, &in, out) == 0) {
				e->path = out;
				e->owns = 1;
			} else {
				free(out);
			}
		}
		mc_tu_input_free(&in);
	}
	free(text);
	free(where);
}

static const char *pch_for(parse_cache *pc, mc_tree *tree, mc_parser *parser, const char *arch)
{
	if (!pc)
		return NULL;
	arch = arch ? arch : "";
	pthread_mutex_lock(&pc->lock);
	for (size_t i = 0; i < pc->n; i++)
		if (pc->v[i].tree == tree && strcmp(pc->v[i].arch, arch) == 0) {
			pthread_mutex_unlock(&pc->lock);
			return pc->v[i].path;
		}
	pch_entry *e = MC_VEC_PUSH(pc->v, pc->n, pc->cap);
	e->tree = tree;
	e->arch = mc_strdup(arch);
	pch_build(pc, tree, parser, e);
	const char *path = e->path;
	pthread_mutex_unlock(&pc->lock);
	return path;
}

/*
 * The target-independent precompiled header of each tree, built in a thread
 * while the caller selects files: on two cores it costs no time then, while it
 * is the first thing every parse would otherwise wait for.  The caller joins
 * it (pch_ahead_join) before it forks or parses.
 */
typedef struct {
	parse_cache *pc;
	mc_tree **trees;
	int ntrees;
	pthread_t thread;
	int started;
} pch_ahead;

static void *pch_ahead_main(void *arg)
{
	pch_ahead *a = arg;
	mc_parser *parser;
	if (mc_parser_new(&parser) < 0)
		return NULL;
	for (int k = 0; k < a->ntrees; k++)
		pch_for(a->pc, a->trees[k], parser, "");
	mc_parser_free(parser);
	return NULL;
}

static void pch_ahead_start(pch_ahead *a, parse_cache *pc, mc_tree **trees, int ntrees)
{
	*a = (pch_ahead){ .pc = pc, .trees = trees, .ntrees = ntrees };
	/* A configured build's files bring their own flags: no shared header fits them. */
	if (!trees[0]->build)
		a->started = pthread_create(&a->thread, NULL, pch_ahead_main, a) == 0;
}

static void pch_ahead_join(pch_ahead *a)
{
	if (a->started)
		pthread_join(a->thread, NULL);
	a->started = 0;
}

static void use_pch(mc_tu_input *in, const char *pch)
{
	const char *args[] = { "-include-pch", pch, "-Xclang", "-fallow-pch-with-compiler-errors",
			       "-Xclang", "-fno-validate-pch" };
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		mc_strvec_push(&in->args, args[i]);
}

/* The next index for a worker, or n when the queue is empty. */
static size_t queue_take(pthread_mutex_t *lock, size_t *next, size_t n)
{
	pthread_mutex_lock(lock);
	size_t i = *next < n ? (*next)++ : n;
	pthread_mutex_unlock(lock);
	return i;
}

/*
 * Runs fn(arg) in nthreads threads, this one among them (it alone when none
 * can be started), never more than items, and joins them all before it
 * returns: the caller may fork next.
 */
static void run_in_threads(void *(*fn)(void *), void *arg, int nthreads, size_t items)
{
	size_t extra = nthreads > 1 ? (size_t)nthreads - 1 : 0;
	if (extra + 1 > items)
		extra = items > 1 ? items - 1 : 0;
	pthread_t *threads = mc_calloc(extra + 1, sizeof(pthread_t));
	size_t started = 0;
	while (started < extra && pthread_create(&threads[started], NULL, fn, arg) == 0)
		started++;
	fn(arg);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
}

/*
 * The .c files of a revision worth parsing.  With a base (the other side of
 * a pair, already selected), a file whose blob is the same there takes the
 * base's answer without being read: most of a tree is unchanged.
 */
static mc_strvec select_files(mc_tree *tree, const mc_tree *base, const mc_strvec *base_wanted, int vmstate)
{
	mc_strvec paths = {0};
	const mc_snapshot *snap = tree->snap;
	mc_map chosen = {0};
	for (size_t i = 0; base_wanted && i < base_wanted->n; i++)
		mc_map_put(&chosen, base_wanted->v[i], (void *)1);
	for (size_t i = 0; i < snap->nfiles; i++) {
		const char *path = snap->files[i].path;
		if (!candidate_path(tree->conv, path))
			continue;
		const mc_file *same = base ? mc_snapshot_find(base->snap, path) : NULL;
		if (same && strcmp(same->blob.hex, snap->files[i].blob.hex) == 0) {
			if (mc_map_get(&chosen, path))
				mc_strvec_push(&paths, path);
			continue;
		}
		const char *data;
		size_t len;
		/* Unreadable candidates (binary, huge) are parsed anyway so coverage lists them. */
		if (mc_tree_read(tree, path, &data, &len) < 0 ||
		    (vmstate ? mc_analysis_wants_vmstate : mc_analysis_wants)(tree->conv, path, data, len))
			mc_strvec_push(&paths, path);
	}
	mc_map_free(&chosen);
	return paths;
}

static mc_facts *failed_facts(const char *path, const char *why)
{
	mc_facts *f = mc_calloc(1, sizeof(*f));
	f->path = mc_strdup(path);
	f->error = mc_strdup(why);
	return f;
}

static void batch_progress(parse_batch *b)
{
	b->done++;
	if (b->progress && (b->done % 16 == 0 || b->done == b->n))
		fprintf(stderr, "\rmigcompat: parsing %zu/%zu files", b->done, b->n);
}

/*
 * A job that failed for a reason that says nothing lasting about the file (a
 * deadline, a crash, the memory limit): its facts are the revision's, not
 * cached, and no selection naming it is cached either (it would not load).
 */
static void job_fail(parse_job *j, mc_facts *f)
{
	*j->result = f;
	*j->owned = 1;
	if (j->key_out) {
		free(*j->key_out);
		*j->key_out = NULL;
	}
}

/* ---- parsing in threads of this process (no per-file limits) ---- */

static void *thread_main(void *arg)
{
	parse_batch *b = arg;
	mc_parser *parser;
	if (mc_parser_new(&parser) < 0)
		return NULL;
	for (;;) {
		size_t i = queue_take(&b->lock, &b->next, b->n);
		if (i == b->n)
			break;
		parse_job *j = b->pending[i];
		if (*j->result)
			continue; /* answered by a child before the children failed */
		mc_facts *f;
		if (mc_parser_run(parser, j->tree, j->path, &j->in, &f) == 1)
			job_fail(j, f);
		else
			*j->result = store_put(b->store, j->key, f);
		pthread_mutex_lock(&b->lock);
		batch_progress(b);
		pthread_mutex_unlock(&b->lock);
	}
	mc_parser_free(parser);
	return NULL;
}

static void parse_in_threads(parse_batch *b, int jobs)
{
	pthread_mutex_init(&b->lock, NULL);
	run_in_threads(thread_main, b, jobs, b->n);
	pthread_mutex_destroy(&b->lock);
}

/* ---- parsing in child processes, under the per-file limits (worker.h) ---- */

/* The answer of a child: 'S' (facts to store) or 'T' (a transient failure, not to be cached), then JSON. */
static char *child_serve(void *arg, size_t i, int *retire)
{
	parse_batch *b = arg;
	if (!b->parser && mc_parser_new(&b->parser) < 0)
		return NULL;
	parse_job *j = b->pending[i];
	mc_facts *f;
	int crashed = mc_parser_run(b->parser, j->tree, j->path, &j->in, &f) == 1;
	if (crashed && b->limits.mib) {
		free(f->error);
		f->error = mc_sprintf("%s: libclang stopped: over the per-file memory limit of %u MiB (--memory-limit), "
				      "or a libclang crash", j->path, b->limits.mib);
	}
	*retire = crashed; /* libclang leaves a crashed parse's memory behind */
	char *json = mc_facts_to_json(f);
	char *reply = mc_sprintf("%c%s", crashed ? 'T' : 'S', json);
	free(json);
	mc_facts_free(f);
	return reply;
}

static void child_done(void *arg, size_t i, const char *reply, const char *why)
{
	parse_batch *b = arg;
	parse_job *j = b->pending[i];
	mc_facts *f = NULL;
	if (reply && (*reply == 'S' || *reply == 'T') && mc_facts_from_json(&f, reply + 1) == 0 && f) {
		if (*reply == 'S')
			*j->result = store_put(b->store, j->key, f);
		else
			job_fail(j, f);
	} else {
		mc_facts_free(f);
		char *text = mc_sprintf("%s: %s", j->path, why ? why : "the parser's answer could not be read");
		job_fail(j, failed_facts(j->path, text));
		free(text);
	}
	batch_progress(b);
}

static int parse_in_children(parse_batch *b, const mc_analysis_opts *opts)
{
	mc_workers w = { .children = opts->jobs > 0 ? opts->jobs : 1, .limits = opts->limits, .serve = child_serve,
			 .done = child_done, .arg = b,
			 .keep_stderr = getenv("MIGCOMPAT_DIAG") && *getenv("MIGCOMPAT_DIAG") };
	return mc_workers_run(&w, b->n);
}

/* A job whose twin was parsed takes its facts (its own copy of a failure, which the revision frees). */
static void twin_take(parse_job *j, parse_job *jobs)
{
	if (!j->twin)
		return;
	const parse_job *t = &jobs[j->twin - 1];
	if (!*t->owned) {
		*j->result = *t->result;
		return;
	}
	job_fail(j, failed_facts(j->path, (*t->result)->error));
}

/* Gives the job the failure its key had earlier in this run, if any. */
static int job_failed_before(parse_job *j, mc_store *store, const char *key)
{
	char *why = store_failure(store, key);
	if (!why)
		return 0;
	job_fail(j, failed_facts(j->path, why));
	free(why);
	return 1;
}

static char *known_key_name(const parse_job *j)
{
	return mc_sprintf("%p %s", (const void *)j->tree, j->path);
}

/*
 * A Rust source is read here, while jobs are prepared: a text scan of its
 * crate, no libclang, nothing of the tree run (frontend/rust.h).
 */
static void rust_job(parse_job *j, mc_store *store)
{
	j->key = rust_facts_key(j->tree, j->path);
	if ((*j->result = store_get(store, j->key)) != NULL)
		return;
	mc_facts *f;
	mc_rust_read_tree(&f, j->tree, j->path);
	*j->result = store_put(store, j->key, f);
}

/*
 * Makes a job ready to parse, or finds its facts: a key known from an earlier
 * batch and still in the store spares reading the include closure.
 */
static void job_prepare(parse_job *j, mc_store *store, parse_cache *pc)
{
	char *name = known_key_name(j);
	const char *known = pc ? mc_map_get(&pc->known_keys, name) : NULL;
	free(name);
	if (known && job_failed_before(j, store, known))
		return;
	if (known && (*j->result = store_get(store, known))) {
		j->key = mc_strdup(known);
		return;
	}
	if (mc_rust_is_source(j->tree->conv, j->path)) {
		rust_job(j, store);
		return;
	}
	if (mc_tree_prepare(j->tree, j->path, NULL, &j->in) < 0) {
		*j->result = failed_facts(j->path, mc_error_last());
		*j->owned = 1; /* not stored: the reason is cheap to find again */
		return;
	}
	j->prepared = 1;
	store_note_deps(store, &j->in.deps);
	j->prefix = facts_prefix(j->tree, j->path, &j->in);
	char *key = facts_key(j->tree, j->path, &j->in);
	if (!job_failed_before(j, store, key)) {
		j->key = key;
		*j->result = store_get(store, j->key);
	} else {
		free(key);
	}
}

typedef struct {
	parse_job *jobs;
	size_t n, next;
	mc_store *store;
	parse_cache *pc;
	pthread_mutex_t lock;
} prepare_queue;

static void *prepare_main(void *arg)
{
	prepare_queue *q = arg;
	for (size_t i; (i = queue_take(&q->lock, &q->next, q->n)) < q->n;)
		job_prepare(&q->jobs[i], q->store, q->pc);
	return NULL;
}

/* Prepares every job, in threads that are all joined on return (a fork may follow). */
static void prepare_all(parse_job *jobs, size_t n, mc_store *store, parse_cache *pc, int nthreads)
{
	prepare_queue q = { .jobs = jobs, .n = n, .store = store, .pc = pc };
	pthread_mutex_init(&q.lock, NULL);
	run_in_threads(prepare_main, &q, nthreads, n);
	pthread_mutex_destroy(&q.lock);
}

/*
 * Keeps the facts of a file whose include closure changed but nothing of it
 * that the file reads (depend.h): the same file on the other side of the
 * pair, with the same flags, has facts; a copy goes under this side's key,
 * so that the next check finds it directly.  Runs in the calling thread,
 * once every job is prepared: before the first parse, and again before the
 * second pass for the jobs that waited (defer_second_sides).
 */
static void keep_by_dependency(parse_job *jobs, size_t n, mc_store *store)
{
	mc_map had = { 0 }; /* path -> 1 + index of a job that has facts */
	for (size_t i = 0; i < n; i++)
		if (jobs[i].key && *jobs[i].result && !*jobs[i].owned && !mc_map_get(&had, jobs[i].path))
			mc_map_put(&had, jobs[i].path, (void *)(i + 1));
	for (size_t i = 0; i < n; i++) {
		parse_job *j = &jobs[i], *h;
		size_t at = (size_t)mc_map_get(&had, j->path);
		if (!at || !j->key || *j->result || !j->prepared || j->twin || (h = &jobs[at - 1])->tree == j->tree ||
		    strcmp(h->key, j->key) == 0)
			continue;
		if (!h->prepared) {
			if (mc_tree_prepare(h->tree, h->path, NULL, &h->in) < 0)
				continue;
			h->prepared = 1;
			h->prefix = facts_prefix(h->tree, h->path, &h->in);
		}
		if (!j->prefix || strcmp(h->prefix, j->prefix) != 0)
			continue;
		double t0 = mc_now_seconds();
		char *json = mc_facts_to_json(*h->result), *why = NULL;
		mc_facts *copy = NULL;
		int holds = j->texts_hold ? !mc_depend_facts_name_changed(&h->in, &j->in, json, &why)
					  : mc_depend_facts_hold(store->depend, &h->in, &j->in, json, &why);
		if (holds && mc_facts_from_json(&copy, json) == 0)
			*j->result = store_put_counted(store, j->key, copy, &store->kept);
		else
			mc_strvec_push_owned(&store->reparsed, mc_sprintf("%s: %s", j->path, why ? why : "unknown"));
		free(why);
		free(json);
		store->depend_seconds += mc_now_seconds() - t0;
	}
	mc_map_free(&had);
}

/*
 * Queues the jobs the store has no facts for and parses them; a deferred job
 * waits for the second pass.  Twins (one key on both sides) are parsed once.
 */
static void parse_pending(parse_job *jobs, size_t n, mc_store *store, parse_cache *pc, const mc_analysis_opts *opts,
			  mc_map *first_with_key, int pass)
{
	parse_batch b = { .store = store, .progress = opts->progress, .limits = opts->limits };
	b.pending = mc_calloc(n + 1, sizeof(parse_job *));
	mc_parser *pch_parser = NULL;
	for (size_t i = 0; i < n; i++) {
		parse_job *j = &jobs[i];
		if (!j->key || *j->result || j->twin || (pass == 1 && j->deferred))
			continue;
		if ((j->twin = (size_t)mc_map_get(first_with_key, j->key)))
			continue;
		mc_map_put(first_with_key, j->key, (void *)(i + 1));
		/* The key is taken before: the precompiled header changes speed, not facts. */
		if (!j->in.own_flags && pc && !pch_parser && mc_parser_new(&pch_parser) < 0)
			pch_parser = NULL;
		const char *common = j->in.own_flags || !pch_parser ? NULL : pch_for(pc, j->tree, pch_parser, j->in.arch);
		if (common)
			use_pch(&j->in, common);
		b.pending[b.n++] = j;
	}
	mc_parser_free(pch_parser);
	int isolated = opts->limits.seconds || opts->limits.mib;
	if (b.n && isolated && parse_in_children(&b, opts) < 0) {
		fprintf(stderr, "migcompat: %s; parsing without the per-file limits\n", mc_error_last());
		isolated = 0;
	}
	if (b.n && !isolated)
		parse_in_threads(&b, opts->jobs > 0 ? opts->jobs : 1);
	if (opts->progress && b.n)
		fputs("\n", stderr);
	for (size_t i = 0; i < b.n; i++) {
		parse_job *j = b.pending[i];
		if (*j->owned && *j->result)
			store_fail(store, j->key, (*j->result)->error);
	}
	free(b.pending);
}

/*
 * Of two jobs of one file on the two sides, both without facts and with
 * closures that differ, the second waits when no changed declaration reaches
 * what it reads: once the first is parsed, it keeps its facts
 * (keep_by_dependency) instead of being parsed too.  Judged on the texts
 * now, so that a file that must be parsed anyway is parsed in the first pass.
 */
static size_t defer_second_sides(parse_job *jobs, size_t n, mc_store *store)
{
	mc_map first = { 0 };
	size_t deferred = 0;
	for (size_t i = 0; i < n; i++) {
		parse_job *j = &jobs[i];
		if (!j->key || *j->result || !j->prefix)
			continue;
		size_t at = (size_t)mc_map_get(&first, j->path);
		if (!at) {
			mc_map_put(&first, j->path, (void *)(i + 1));
			continue;
		}
		parse_job *f = &jobs[at - 1];
		if (f->tree == j->tree || strcmp(f->key, j->key) == 0 || strcmp(f->prefix, j->prefix) != 0)
			continue;
		double t0 = mc_now_seconds();
		char *why = NULL;
		if (mc_depend_facts_hold(store->depend, &f->in, &j->in, NULL, &why)) {
			j->deferred = j->texts_hold = 1;
			deferred++;
		} else {
			mc_strvec_push_owned(&store->reparsed, mc_sprintf("%s: %s", j->path, why ? why : "unknown"));
		}
		free(why);
		store->depend_seconds += mc_now_seconds() - t0;
	}
	mc_map_free(&first);
	return deferred;
}

/*
 * Facts for every job: from the store, or parsed.  Everything a parse needs
 * (the include closure, the facts key, the precompiled header) is ready
 * before the first parse, so that child processes find it in their copy.
 */
static int parse_batch_run(parse_job *jobs, size_t n, mc_store *store, parse_cache *pc, const mc_analysis_opts *opts)
{
	int nthreads = opts->jobs > 0 ? opts->jobs : 1;
	prepare_all(jobs, n, store, pc, nthreads);
	for (size_t i = 0; i < n; i++) {
		parse_job *j = &jobs[i];
		if (j->key && j->key_out)
			*j->key_out = mc_strdup(j->key);
		if (j->key && pc) {
			char *name = known_key_name(j);
			if (!mc_map_get(&pc->known_keys, name))
				mc_map_put(&pc->known_keys, name, mc_strdup(j->key));
			free(name);
		}
	}
	size_t deferred = 0;
	if (!opts->full) {
		keep_by_dependency(jobs, n, store);
		deferred = defer_second_sides(jobs, n, store);
	}
	mc_map first_with_key = {0};
	parse_pending(jobs, n, store, pc, opts, &first_with_key, 1);
	if (deferred) {
		keep_by_dependency(jobs, n, store);
		parse_pending(jobs, n, store, pc, opts, &first_with_key, 2);
	}
	if (store->cache && mc_cache_flush(store->cache) < 0)
		fprintf(stderr, "migcompat: %s; going on without the cache\n", mc_error_last());
	mc_map_free(&first_with_key);
	for (size_t i = 0; i < n; i++)
		twin_take(&jobs[i], jobs);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].prepared)
			mc_tu_input_free(&jobs[i].in);
		free(jobs[i].key);
		free(jobs[i].prefix);
		if (!*jobs[i].result)
			rc = MC_EIO;
	}
	if (rc < 0)
		mc_error_set("libclang could not start a parser");
	return rc;
}

/* The models of a revision whose facts are loaded: built without Rust devices, and with them. */
static void revision_model(mc_revision *rev)
{
	mc_model_build(&rev->model, rev->facts, rev->nfacts, rev->tree->conv, rev->tree->version);
	mc_model_build_rust(&rev->model_rust, rev->facts, rev->nfacts, rev->tree->conv, rev->tree->version);
}

/* Frees a revision but not its tree and snapshot (the caller's). */
static void revision_drop(mc_revision *rev)
{
	if (!rev)
		return;
	rev->tree = NULL;
	rev->snap = NULL;
	mc_revision_free(rev);
}

/*
 * The revisions of nsides sides, each with the facts of its paths (sorted)
 * and its model, parsed in one batch so that no parser waits for a side to
 * finish.  keys[k][i] (when keys) gets the facts key of paths[k].v[i].  On
 * success each revision owns its snapshot and tree.
 */
static int revisions_make(mc_revision **revs, int nsides, mc_snapshot **snaps, mc_tree **trees, mc_store *store,
			  parse_cache *pch, const mc_analysis_opts *opts, const mc_strvec *paths, char ***keys)
{
	size_t n = 0;
	for (int k = 0; k < nsides; k++)
		n += paths[k].n;
	parse_job *jobs = mc_calloc(n + 1, sizeof(parse_job));
	size_t at = 0;
	for (int k = 0; k < nsides; k++) {
		mc_revision *rev = mc_calloc(1, sizeof(*rev));
		rev->snap = snaps[k];
		rev->tree = trees[k];
		rev->nfacts = paths[k].n;
		rev->facts = mc_calloc(paths[k].n ? paths[k].n : 1, sizeof(mc_facts *));
		rev->owned = mc_calloc(paths[k].n ? paths[k].n : 1, 1);
		revs[k] = rev;
		for (size_t i = 0; i < paths[k].n; i++, at++)
			jobs[at] = (parse_job){ .tree = trees[k], .path = paths[k].v[i], .result = &rev->facts[i],
						.owned = &rev->owned[i], .key_out = keys ? &keys[k][i] : NULL };
	}
	int rc = parse_batch_run(jobs, n, store, pch, opts);
	free(jobs);
	for (int k = 0; k < nsides; k++) {
		if (rc < 0) {
			revision_drop(revs[k]);
			revs[k] = NULL;
			continue;
		}
		revision_model(revs[k]);
		store->selected += paths[k].n;
	}
	return rc;
}

int mc_revision_load(mc_revision **out, mc_snapshot *snap, const mc_conv *conv, mc_store *store,
		     const mc_analysis_opts *opts)
{
	mc_tree *tree;
	mc_tree_open(&tree, snap, conv);
	tree->build = opts->build;
	parse_cache pch;
	parse_cache_init(&pch);
	pch_ahead ahead;
	pch_ahead_start(&ahead, &pch, &tree, 1);
	mc_strvec paths = select_files(tree, NULL, NULL, opts->vmstate);
	store->candidates += paths.n;
	pch_ahead_join(&ahead);
	int rc = revisions_make(out, 1, &snap, &tree, store, &pch, opts, &paths, NULL);
	parse_cache_free(&pch);
	mc_strvec_free(&paths);
	if (rc < 0) {
		mc_tree_free(tree);
		mc_snapshot_free(snap);
	}
	return rc;
}

/* The paths of the selection that exist in a snapshot. */
static mc_strvec present_in(const mc_strvec *selection, const mc_snapshot *snap)
{
	mc_strvec v = {0};
	for (size_t i = 0; i < selection->n; i++)
		if (mc_snapshot_find(snap, selection->v[i]))
			mc_strvec_push(&v, selection->v[i]);
	return v;
}

/*
 * MIGCOMPAT_FLOOR=1 (a diagnostic for scripts/bench): after the load, parse
 * the selected files of both sides again with libclang alone, with the same
 * flags and precompiled headers and no fact extraction, each distinct input
 * once, and print the wall time.  The tool's own cost is the ratio of a cold
 * run's time to this floor.
 */
typedef struct {
	mc_tu_input *inputs;
	size_t n, next;
	pthread_mutex_t lock;
} floor_queue;

static void *floor_worker(void *arg)
{
	floor_queue *q = arg;
	CXIndex index = clang_createIndex(0, 0);
	for (;;) {
		size_t i = queue_take(&q->lock, &q->next, q->n);
		if (i == q->n)
			break;
		mc_tu_input *in = &q->inputs[i];
		const char **args = mc_calloc(in->args.n + 1, sizeof(char *));
		struct CXUnsavedFile *files = mc_calloc(in->nfiles + 1, sizeof(*files));
		for (size_t k = 0; k < in->args.n; k++)
			args[k] = in->args.v[k];
		for (size_t k = 0; k < in->nfiles; k++) {
			files[k].Filename = in->files[k].filename;
			files[k].Contents = in->files[k].contents;
			files[k].Length = (unsigned long)in->files[k].length;
		}
		CXTranslationUnit tu = NULL;
		clang_parseTranslationUnit2(index, in->main_path, args, (int)in->args.n, files, (unsigned)in->nfiles,
					    CXTranslationUnit_KeepGoing, &tu);
		if (tu)
			clang_disposeTranslationUnit(tu);
		free(args);
		free(files);
	}
	clang_disposeIndex(index);
	return NULL;
}


static void measure_floor(mc_revision *revs[2], const mc_analysis_opts *opts)
{
	floor_queue q = {0};
	size_t cap = 0;
	mc_map keys = {0};
	double clang_time = 0; /* precompiled headers and parses: libclang's part only */
	mc_parser *parser = NULL;
	mc_parser_new(&parser);
	parse_cache pch;
	parse_cache_init(&pch);
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < revs[k]->nfacts; i++) {
			mc_tu_input in;
			if (mc_tree_prepare(revs[k]->tree, revs[k]->facts[i]->path, NULL, &in) < 0)
				continue;
			char *key = facts_key(revs[k]->tree, revs[k]->facts[i]->path, &in);
			if (mc_map_get(&keys, key)) {
				mc_tu_input_free(&in);
			} else {
				mc_map_put(&keys, key, (void *)1);
				double t0 = mc_now_seconds();
				const char *common = parser ? pch_for(&pch, revs[k]->tree, parser, in.arch) : NULL;
				clang_time += mc_now_seconds() - t0;
				if (common)
					use_pch(&in, common);
				*(mc_tu_input *)MC_VEC_PUSH(q.inputs, q.n, cap) = in;
			}
			free(key);
		}
		/* Parse this side's files while its precompiled headers exist. */
		pthread_mutex_init(&q.lock, NULL);
		double t0 = mc_now_seconds();
		run_in_threads(floor_worker, &q, opts->jobs, q.n);
		clang_time += mc_now_seconds() - t0;
		pthread_mutex_destroy(&q.lock);
	}
	parse_cache_free(&pch);
	mc_parser_free(parser);
	fprintf(stderr, "migcompat: floor: %zu files parsed by libclang alone in %.2f s\n", q.n, clang_time);
	for (size_t i = 0; i < q.n; i++)
		mc_tu_input_free(&q.inputs[i]);
	free(q.inputs);
	mc_map_free(&keys);
}

/* ---- the selection of a pair of commits, kept in the cache ---- */

static void free_keys(char **keys, size_t n)
{
	for (size_t i = 0; keys && i < n; i++)
		free(keys[i]);
	free(keys);
}

static char *selection_key(const mc_conv *conv, mc_snapshot *snaps[2], const mc_build *build)
{
	if (mc_oid_is_zero(&snaps[0]->commit) || mc_oid_is_zero(&snaps[1]->commit))
		return NULL; /* the index and the work tree change without a new id */
	/* The facts keys it lists depend on the build's flags and headers too. */
	char *text = mc_sprintf("migcompat %s facts %s slice %d conv %s build %s selection %s %s", MC_VERSION,
				mc_facts_version(), MC_SLICE_VERSION, conv->digest, build ? mc_build_digest(build) : "-",
				snaps[0]->commit.hex, snaps[1]->commit.hex);
	char hex[41];
	mc_hash_text(text, strlen(text), hex);
	free(text);
	return mc_strdup(hex);
}

/* "B|H path key" lines; NULL when a side has a file without a key (not cached). */
static char *selection_text(mc_revision *revs[2], char **keys[2])
{
	mc_buf b = {0};
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < revs[k]->nfacts; i++) {
			if (!keys[k][i]) {
				mc_buf_free(&b);
				return NULL;
			}
			mc_buf_printf(&b, "%c %s %s\n", k ? 'H' : 'B', keys[k][i], revs[k]->facts[i]->path);
		}
	return mc_buf_detach(&b);
}

/*
 * Both revisions from a cached selection, every facts key found in the
 * store; 0 when the selection or a key is missing (then compute it).
 */
static int load_selection(mc_revision *revs[2], mc_snapshot *snaps[2], mc_tree *trees[2], mc_store *store,
			  const char *text, size_t *candidates)
{
	mc_strvec paths[2] = { { 0 }, { 0 } }, keys[2] = { { 0 }, { 0 } };
	int ok = 1;
	*candidates = 0;
	for (const char *p = text; ok && *p;) {
		const char *eol = strchr(p, '\n');
		if (!eol)
			break;
		if (sscanf(p, "candidates %zu", candidates) == 1 || mc_str_startswith(p, "odd ") ||
		    mc_str_startswith(p, "inc ")) {
			p = eol + 1;
			continue;
		}
		int k = *p == 'H';
		const char *sp = memchr(p + 2, ' ', (size_t)(eol - p - 2));
		ok = (p[0] == 'B' || p[0] == 'H') && sp;
		if (ok) {
			mc_strvec_push_owned(&keys[k], mc_strndup(p + 2, (size_t)(sp - p - 2)));
			mc_strvec_push_owned(&paths[k], mc_strndup(sp + 1, (size_t)(eol - sp - 1)));
		}
		p = eol + 1;
	}
	for (int k = 0; k < 2 && ok; k++) {
		mc_revision *rev = mc_calloc(1, sizeof(*rev));
		rev->nfacts = paths[k].n;
		rev->facts = mc_calloc(paths[k].n + 1, sizeof(mc_facts *));
		rev->owned = mc_calloc(paths[k].n + 1, 1);
		revs[k] = rev;
		for (size_t i = 0; i < paths[k].n && ok; i++)
			ok = (rev->facts[i] = store_get(store, keys[k].v[i])) != NULL &&
			     strcmp(rev->facts[i]->path, paths[k].v[i]) == 0;
		if (ok) {
			rev->snap = snaps[k];
			rev->tree = trees[k];
			revision_model(rev);
		}
	}
	for (int k = 0; k < 2; k++) {
		mc_strvec_free(&paths[k]);
		mc_strvec_free(&keys[k]);
		if (!ok) {
			revision_drop(revs[k]);
			revs[k] = NULL;
		}
	}
	store->reused = 0; /* counted as reused by store_get: report what a run parsed and reused */
	return ok;
}

static int pair_done(mc_revision *revs[2], const mc_analysis_opts *opts, mc_revision **base_out,
		     mc_revision **head_out)
{
	const char *floor = getenv("MIGCOMPAT_FLOOR");
	if (floor && *floor)
		measure_floor(revs, opts);
	*base_out = revs[0];
	*head_out = revs[1];
	return 0;
}

/*
 * A pair loaded without a cached selection: the candidates of each side, the
 * slice grown from them, and the facts keys of the files last loaded (the
 * selection to cache).
 */
typedef struct {
	mc_snapshot *snaps[2];
	mc_tree *trees[2];
	mc_strvec wanted[2];   /* the candidate files of each side */
	mc_slice *slice;       /* NULL with opts->full: every candidate is parsed */
	parse_cache pch;
	char **keys[2];        /* keys[k][i]: the facts key of the i-th file of side k */
	size_t nkeys[2];
	mc_strvec odd_includes; /* the slice's (mc_slice_odd_includes), kept past its end */
	int includes_scanned;
	int diag;              /* MIGCOMPAT_DIAG: timings on stderr */
	double t_start, t_load, t_grow;
} pair_load;

/* ---- the selection of a tree, for a change nothing the check loads reads ---- */

/*
 * Can a change to this file alter what a check loads, other than through a
 * file whose include closure holds it?  C text (the slice follows #include
 * lines through it), a candidate, a Rust crate's files, the QAPI schema and
 * VERSION can; documentation, scripts, build files and the like cannot: no
 * facts key, no slice seed, no tree-wide scan (mentions, QType, the slice's
 * index) reads them.  A file of another kind that a parsed file includes is
 * caught by the odd dependencies of the selection (store_note_deps).
 */
static int inert_path(const mc_conv *conv, const char *path)
{
	return !is_c_text(path) && !candidate_path(conv, path) && !mc_str_endswith(path, ".rs") &&
	       !mc_rust_crate_root(conv, path) && !mc_conv_is_qapi_schema(conv, path) &&
	       strcmp(path, conv->version_file) != 0;
}

/*
 * The selection of a pair whose trees differ only in inert files is the
 * selection of either tree with itself: the slice starts from the same
 * compat holders and grows on equal models, and every facts key is the
 * same on both sides.  So it is kept by tree id, and a commit that touches
 * only inert files loads it without reading the tree (a bot following
 * master: the base of one commit is the head of the one before).
 */
static char *tree_selection_key(const mc_conv *conv, const mc_snapshot *snap)
{
	char *text = mc_sprintf("migcompat %s facts %s slice %d conv %s tree-selection %s", MC_VERSION,
				mc_facts_version(), MC_SLICE_VERSION, conv->digest, snap->tree.hex);
	char hex[41];
	mc_hash_text(text, strlen(text), hex);
	free(text);
	return mc_strdup(hex);
}

/* Could the pair reuse a tree's selection: two commits, no build, and every changed file inert? */
static int pair_is_inert(const mc_conv *conv, mc_snapshot *snaps[2], const mc_analysis_opts *opts, mc_strvec *changed)
{
	memset(changed, 0, sizeof(*changed));
	if (opts->full || opts->build || mc_oid_is_zero(&snaps[0]->tree) || mc_oid_is_zero(&snaps[1]->tree))
		return 0;
	char **paths = NULL;
	size_t n = 0;
	if (mc_snapshot_changed_paths(snaps[0], snaps[1], &paths, &n) < 0)
		return 0;
	int inert = 1;
	for (size_t i = 0; i < n; i++) {
		inert &= inert_path(conv, paths[i]);
		mc_strvec_push_owned(changed, paths[i]);
	}
	free(paths);
	return inert;
}

/* Does the text have this line ("kind value")? */
static int has_line(const char *text, const char *kind, const char *value)
{
	char *line = mc_sprintf("\n%s %s\n", kind, value);
	int hit = strstr(text, line) != NULL || strncmp(text, line + 1, strlen(line + 1)) == 0;
	free(line);
	return hit;
}

/*
 * Does a saved tree selection read a changed file: one of its files
 * includes it (odd), or an #include line anywhere names its basename (inc:
 * the slice would start from the includer)?
 */
static int selection_reads_any(const char *text, const mc_strvec *changed)
{
	for (size_t i = 0; i < changed->n; i++) {
		const char *slash = strrchr(changed->v[i], '/');
		if (has_line(text, "odd", changed->v[i]) || has_line(text, "inc", slash ? slash + 1 : changed->v[i]))
			return 1;
	}
	return 0;
}

/* Both revisions from the selection of the head's or the base's tree; 0 when there is none or it does not fit. */
static int pair_from_tree_selection(mc_revision *revs[2], pair_load *pl, mc_store *store, const mc_strvec *changed)
{
	for (int k = 1; k >= 0; k--) {
		char *key = tree_selection_key(pl->trees[k]->conv, pl->snaps[k]);
		char *text = mc_cache_get_selection(store->cache, key);
		free(key);
		size_t candidates = 0;
		int ok = text && !selection_reads_any(text, changed) &&
			 load_selection(revs, pl->snaps, pl->trees, store, text, &candidates);
		/* The other tree has the same selection: the next commit's base is this one's head. */
		if (ok && strcmp(pl->snaps[0]->tree.hex, pl->snaps[1]->tree.hex) != 0) {
			char *other = tree_selection_key(pl->trees[k]->conv, pl->snaps[1 - k]);
			mc_cache_put_selection(store->cache, other, text);
			free(other);
		}
		free(text);
		if (!ok)
			continue;
		store->selected = revs[1]->nfacts;
		store->candidates = candidates;
		store->reused = revs[0]->nfacts + revs[1]->nfacts;
		store->tree_reused = 1;
		store->inert_changes = changed->n;
		return 1;
	}
	return 0;
}

/*
 * Keeps the selection of an inert pair under both trees' ids, with every
 * odd dependency its load met: the same files and keys on both sides, or
 * nothing is kept.
 */
static void tree_selection_save(mc_store *store, const mc_conv *conv, mc_snapshot *snaps[2], mc_revision *revs[2],
				char **keys[2], const mc_strvec *includes)
{
	if (!includes || revs[0]->nfacts != revs[1]->nfacts)
		return;
	for (size_t i = 0; i < revs[0]->nfacts; i++)
		if (!keys[0][i] || !keys[1][i] || strcmp(keys[0][i], keys[1][i]) != 0 ||
		    strcmp(revs[0]->facts[i]->path, revs[1]->facts[i]->path) != 0)
			return;
	char *text = selection_text(revs, keys);
	if (!text)
		return;
	mc_buf b = {0};
	mc_buf_printf(&b, "%scandidates %zu\n", text, store->candidates);
	free(text);
	pthread_mutex_lock(&store->lock);
	MC_MAP_FOREACH(&store->odd_deps, i)
		mc_buf_printf(&b, "odd %s\n", store->odd_deps.keys[i]);
	pthread_mutex_unlock(&store->lock);
	for (size_t i = 0; i < includes->n; i++)
		mc_buf_printf(&b, "inc %s\n", includes->v[i]);
	for (int k = 0; k < 2; k++) {
		char *key = tree_selection_key(conv, snaps[k]);
		mc_cache_put_selection(store->cache, key, b.ptr);
		free(key);
	}
	mc_buf_free(&b);
}

/* The pair of a selection cached for it, all reused; 0 when there is none, or it no longer loads. */
static int pair_from_selection(mc_revision *revs[2], pair_load *pl, mc_store *store, const char *sel_key)
{
	char *sel_text = sel_key ? mc_cache_get_selection(store->cache, sel_key) : NULL;
	size_t candidates = 0;
	int ok = sel_text && load_selection(revs, pl->snaps, pl->trees, store, sel_text, &candidates);
	free(sel_text);
	if (!ok)
		return 0;
	store->selected = revs[0]->nfacts > revs[1]->nfacts ? revs[0]->nfacts : revs[1]->nfacts;
	store->candidates = candidates;
	store->reused = revs[0]->nfacts + revs[1]->nfacts;
	return 1;
}

/*
 * The candidates of both sides, and the slice that grows from them.  The
 * precompiled headers are built meanwhile, in a thread joined before any
 * parse (a fork may follow).
 */
static void pair_select(pair_load *pl, mc_store *store, const mc_analysis_opts *opts)
{
	parse_cache_init(&pl->pch);
	pch_ahead ahead;
	pch_ahead_start(&ahead, &pl->pch, pl->trees, 2);
	/* The vmstate-* rules compare descriptions: a changed file that only defines one counts too. */
	pl->wanted[0] = select_files(pl->trees[0], NULL, NULL, 1);
	pl->wanted[1] = select_files(pl->trees[1], pl->trees[0], &pl->wanted[0], 1);
	store->candidates += pl->wanted[0].n + pl->wanted[1].n;
	if (!opts->full)
		mc_slice_open(&pl->slice, pl->trees[0], pl->trees[1], &pl->wanted[0], &pl->wanted[1]);
	pch_ahead_join(&ahead);
}

/*
 * Loads both sides once: every candidate (whole), or the files of the slice
 * each side has.  The facts keys of this load replace the last one's: only
 * the files of the last load are the selection to cache.
 */
static int pair_load_round(pair_load *pl, mc_revision *revs[2], mc_store *store, const mc_analysis_opts *opts,
			   int whole)
{
	mc_strvec paths[2];
	for (int k = 0; k < 2; k++) {
		paths[k] = whole ? pl->wanted[k] : present_in(mc_slice_paths(pl->slice), pl->snaps[k]);
		free_keys(pl->keys[k], pl->nkeys[k]);
		pl->keys[k] = mc_calloc(paths[k].n + 1, sizeof(char *));
		pl->nkeys[k] = paths[k].n;
	}
	int rc = revisions_make(revs, 2, pl->snaps, pl->trees, store, &pl->pch, opts, paths, pl->keys);
	for (int k = 0; k < 2 && !whole; k++)
		mc_strvec_free(&paths[k]);
	return rc;
}

/*
 * Grows the slice on models of the selection until nothing is added.  A
 * slice that is not exact cannot say what a change affects: one load of
 * every candidate is then all there is.
 */
static int pair_grow(pair_load *pl, mc_revision *revs[2], mc_store *store, const mc_analysis_opts *opts)
{
	for (int round = 1;; round++) {
		int whole = !pl->slice || !mc_slice_exact(pl->slice);
		double t0 = mc_now_seconds();
		int rc = pair_load_round(pl, revs, store, opts, whole);
		double t1 = mc_now_seconds();
		pl->t_load += t1 - t0;
		if (rc < 0 || whole)
			return rc;
		size_t added = mc_slice_grow(pl->slice, revs[0]->model, revs[1]->model);
		/* The build with Rust devices has its own types, parents and declarers to look for. */
		if (revs[0]->model_rust || revs[1]->model_rust)
			added += mc_slice_grow(pl->slice, revs[0]->model_rust ? revs[0]->model_rust : revs[0]->model,
					       revs[1]->model_rust ? revs[1]->model_rust : revs[1]->model);
		pl->t_grow += mc_now_seconds() - t1;
		if (pl->diag)
			fprintf(stderr, "migcompat: timing: round %d: %.2f s to parse and model, %.2f s to grow\n", round,
				t1 - t0, mc_now_seconds() - t1);
		if (added == 0 && mc_slice_exact(pl->slice))
			return rc;
		for (int k = 0; k < 2; k++)
			revision_drop(revs[k]);
		revs[0] = revs[1] = NULL;
	}
}

/* Counts what the pair selected (for --stats), then frees what only the load needed. */
static void pair_close(pair_load *pl, mc_store *store)
{
	size_t most = pl->wanted[0].n > pl->wanted[1].n ? pl->wanted[0].n : pl->wanted[1].n;
	if (pl->slice && mc_slice_exact(pl->slice))
		store->selected = mc_slice_paths(pl->slice)->n;
	else
		store->selected = most;
	store->candidates = most;
	double t_pch = mc_now_seconds();
	parse_cache_free(&pl->pch);
	if (pl->diag)
		fprintf(stderr, "migcompat: timing: %.2f s parsing and modelling, %.2f s growing, %.2f s after\n",
			pl->t_load, pl->t_grow,
			mc_now_seconds() - t_pch + (t_pch - pl->t_start - pl->t_load - pl->t_grow));
	const mc_strvec *odd = pl->slice ? mc_slice_odd_includes(pl->slice) : NULL;
	pl->includes_scanned = odd != NULL;
	for (size_t i = 0; odd && i < odd->n; i++)
		mc_strvec_push(&pl->odd_includes, odd->v[i]);
	mc_slice_free(pl->slice);
	mc_strvec_free(&pl->wanted[0]);
	mc_strvec_free(&pl->wanted[1]);
}

/* Caches the selection of a pair: none when a file has no facts key (its facts were not stored). */
static void selection_save(mc_store *store, const char *sel_key, mc_revision *revs[2], char **keys[2])
{
	char *text = selection_text(revs, keys);
	if (text) {
		char *full_text = mc_sprintf("%scandidates %zu\n", text, store->candidates);
		mc_cache_put_selection(store->cache, sel_key, full_text);
		free(full_text);
	}
	free(text);
}

int mc_revision_load_pair(mc_revision **base_out, mc_revision **head_out, mc_snapshot *base_snap,
			  mc_snapshot *head_snap, const mc_conv *conv, mc_store *store, const mc_analysis_opts *opts)
{
	pair_load pl = { .snaps = { base_snap, head_snap } };
	double t_open = mc_now_seconds();
	for (int k = 0; k < 2; k++) {
		mc_tree_open(&pl.trees[k], pl.snaps[k], conv);
		pl.trees[k]->build = opts->build;
	}
	char *sel_key = !opts->full && store->cache ? selection_key(conv, pl.snaps, opts->build) : NULL;
	mc_revision *revs[2] = { NULL, NULL };
	mc_strvec changed = {0};
	int inert = store->cache && pair_is_inert(conv, pl.snaps, opts, &changed);
	store->tree_reused = 0;
	if (pair_from_selection(revs, &pl, store, sel_key) ||
	    (inert && pair_from_tree_selection(revs, &pl, store, &changed))) {
		free(sel_key);
		mc_strvec_free(&changed);
		return pair_done(revs, opts, base_out, head_out);
	}
	mc_strvec_free(&changed);
	pair_select(&pl, store, opts);
	const char *diag = getenv("MIGCOMPAT_DIAG");
	pl.diag = diag && *diag;
	pl.t_start = mc_now_seconds();
	if (pl.diag)
		fprintf(stderr, "migcompat: timing: %.2f s to select candidates and open the slice\n",
			pl.t_start - t_open);
	int rc = pair_grow(&pl, revs, store, opts);
	pair_close(&pl, store);
	if (rc >= 0 && sel_key)
		selection_save(store, sel_key, revs, pl.keys);
	if (rc >= 0 && inert)
		tree_selection_save(store, conv, pl.snaps, revs, pl.keys, pl.includes_scanned ? &pl.odd_includes : NULL);
	mc_strvec_free(&pl.odd_includes);
	free(sel_key);
	free_keys(pl.keys[0], pl.nkeys[0]);
	free_keys(pl.keys[1], pl.nkeys[1]);
	if (rc < 0) {
		for (int k = 0; k < 2; k++) {
			revision_drop(revs[k]);
			mc_tree_free(pl.trees[k]);
			mc_snapshot_free(pl.snaps[k]);
		}
		return rc;
	}
	return pair_done(revs, opts, base_out, head_out);
}

void mc_revision_free(mc_revision *rev)
{
	if (!rev)
		return;
	mc_model_free(rev->model);
	mc_model_free(rev->model_rust);
	for (size_t i = 0; i < rev->nfacts; i++)
		if (rev->owned[i] && rev->facts[i])
			mc_facts_free(rev->facts[i]);
	free(rev->facts);
	free(rev->owned);
	mc_tree_free(rev->tree);
	mc_snapshot_free(rev->snap);
	free(rev);
}
