/*
 * analysis.c - see analysis.h.
 */
#include "analysis.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cache.h"
#include "parse.h"

struct mc_store {
	pthread_mutex_t lock;
	mc_map facts;          /* key -> mc_facts* */
	mc_cache *cache;       /* borrowed; NULL without a persistent cache */
	size_t parsed, reused;
};

int mc_store_open(mc_store **out, mc_cache *cache)
{
	mc_store *s = mc_calloc(1, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->cache = cache;
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
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void mc_store_counts(const mc_store *s, size_t *parsed, size_t *reused)
{
	*parsed = s->parsed;
	*reused = s->reused;
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

/* Returns the facts to use: the stored ones if another worker got there first. */
static mc_facts *store_put(mc_store *s, const char *key, mc_facts *f)
{
	pthread_mutex_lock(&s->lock);
	mc_facts *old = mc_map_get(&s->facts, key);
	if (old) {
		mc_facts_free(f);
		f = old;
	} else {
		mc_map_put(&s->facts, key, f);
		s->parsed++;
		if (s->cache)
			mc_cache_put(s->cache, key, f);
	}
	pthread_mutex_unlock(&s->lock);
	return f;
}


/* Everything the facts of a file depend on, hashed. */
static char *facts_key(const mc_tree *tree, const char *path, const mc_tu_input *in)
{
	mc_buf b = {0};
	const mc_file *f = mc_snapshot_find(tree->snap, path);
	mc_buf_printf(&b, "migcompat %s facts %d conv %s\n%s\n%s\n%s\n", MC_VERSION, MC_FACTS_VERSION,
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

int mc_analysis_wants(const mc_conv *conv, const char *path, const char *text, size_t len)
{
	(void)len;
	if (!mc_str_endswith(path, ".c") || mc_conv_is_skipped(conv, path))
		return 0;
	return strstr(text, "Property") != NULL || strstr(text, "TypeInfo") != NULL;
}

/* Precompiled common headers (qemu/osdep.h), one per target, built on first use. */
typedef struct {
	char *arch;            /* "" for target-independent files */
	char *path;            /* NULL when it could not be built: parse without */
} pch_entry;

typedef struct {
	mc_tree *tree;
	mc_store *store;
	char *pch_dir;         /* temporary directory, or NULL when disabled */
	pch_entry *pchs;
	size_t npchs, cap_pchs;
	pthread_mutex_t pch_lock;
	char **paths;
	mc_facts **results;
	char *owned;           /* results[i] belongs to the revision, not the store */
	size_t n;
	size_t next;           /* guarded by lock */
	size_t done;
	int progress;
	pthread_mutex_t lock;
} work_queue;

static const char *common_header = "qemu/osdep.h";

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

static const char *pch_for(work_queue *q, mc_parser *parser, const char *arch)
{
	if (!q->pch_dir)
		return NULL;
	arch = arch ? arch : "";
	pthread_mutex_lock(&q->pch_lock);
	for (size_t i = 0; i < q->npchs; i++)
		if (strcmp(q->pchs[i].arch, arch) == 0) {
			pthread_mutex_unlock(&q->pch_lock);
			return q->pchs[i].path;
		}
	pch_entry *e = MC_VEC_PUSH(q->pchs, q->npchs, q->cap_pchs);
	e->arch = mc_strdup(arch);
	char *where = path_for_arch(q->tree->conv, arch);
	char *text = mc_sprintf("#include \"%s\"\n", common_header);
	mc_tu_input in;
	if (where && mc_tree_prepare(q->tree, where, text, &in) == 0) {
		char *out = mc_sprintf("%s/common-%s.pch", q->pch_dir, *arch ? arch : "host");
		if (mc_parser_save_pch(parser, &in, out) == 0)
			e->path = out;
		else
			free(out);
		mc_tu_input_free(&in);
	}
	free(text);
	free(where);
	const char *path = e->path;
	pthread_mutex_unlock(&q->pch_lock);
	return path;
}

static void use_pch(mc_tu_input *in, const char *pch)
{
	const char *args[] = { "-include-pch", pch, "-Xclang", "-fallow-pch-with-compiler-errors",
			       "-Xclang", "-fno-validate-pch" };
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		mc_strvec_push(&in->args, args[i]);
}

static mc_facts *facts_for(mc_parser *parser, work_queue *q, const char *path, char *owned)
{
	mc_tu_input in;
	if (mc_tree_prepare(q->tree, path, NULL, &in) < 0) {
		mc_facts *f = mc_calloc(1, sizeof(*f));
		f->path = mc_strdup(path);
		f->error = mc_strdup(mc_error_last());
		*owned = 1; /* not stored: the reason is cheap to find again */
		return f;
	}
	char *key = facts_key(q->tree, path, &in);
	mc_facts *f = store_get(q->store, key);
	if (!f) {
		/* The key is taken before: the precompiled header changes speed, not facts. */
		const char *pch = in.own_flags ? NULL : pch_for(q, parser, in.arch);
		if (pch)
			use_pch(&in, pch);
		mc_parser_run(parser, q->tree, path, &in, &f);
		f = store_put(q->store, key, f);
	}
	free(key);
	mc_tu_input_free(&in);
	return f;
}

static void *worker(void *arg)
{
	work_queue *q = arg;
	mc_parser *parser;
	if (mc_parser_new(&parser) < 0)
		return NULL;
	for (;;) {
		pthread_mutex_lock(&q->lock);
		size_t i = q->next < q->n ? q->next++ : q->n;
		pthread_mutex_unlock(&q->lock);
		if (i == q->n)
			break;
		q->results[i] = facts_for(parser, q, q->paths[i], &q->owned[i]);
		pthread_mutex_lock(&q->lock);
		q->done++;
		if (q->progress && (q->done % 16 == 0 || q->done == q->n))
			fprintf(stderr, "\rmigcompat: parsing %s: %zu/%zu files", q->tree->snap->label, q->done, q->n);
		pthread_mutex_unlock(&q->lock);
	}
	mc_parser_free(parser);
	return NULL;
}

static char *make_pch_dir(const mc_tree *tree)
{
	char include[64];
	snprintf(include, sizeof(include), "include/%s", common_header);
	if (!mc_snapshot_find(tree->snap, include))
		return NULL;
	const char *tmp = getenv("TMPDIR");
	char *dir = mc_sprintf("%s/migcompat-pch-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		free(dir);
		return NULL; /* no scratch space: parse without */
	}
	return dir;
}

static void remove_pchs(work_queue *q)
{
	for (size_t i = 0; i < q->npchs; i++) {
		if (q->pchs[i].path)
			unlink(q->pchs[i].path);
		free(q->pchs[i].path);
		free(q->pchs[i].arch);
	}
	free(q->pchs);
	if (q->pch_dir)
		rmdir(q->pch_dir);
	free(q->pch_dir);
}

static mc_strvec select_files(mc_tree *tree)
{
	mc_strvec paths = {0};
	const mc_snapshot *snap = tree->snap;
	for (size_t i = 0; i < snap->nfiles; i++) {
		const char *path = snap->files[i].path;
		if (!mc_str_endswith(path, ".c") || mc_conv_is_skipped(tree->conv, path))
			continue;
		const char *data;
		size_t len;
		/* Unreadable candidates (binary, huge) are parsed anyway so coverage lists them. */
		if (mc_tree_read(tree, path, &data, &len) < 0 || mc_analysis_wants(tree->conv, path, data, len))
			mc_strvec_push(&paths, path);
	}
	return paths;
}

int mc_revision_load(mc_revision **out, mc_snapshot *snap, const mc_conv *conv, mc_store *store,
		     const mc_analysis_opts *opts)
{
	mc_revision *rev = mc_calloc(1, sizeof(*rev));
	rev->snap = snap;
	mc_tree_open(&rev->tree, snap, conv);
	rev->tree->build = opts->build;
	mc_strvec paths = select_files(rev->tree);
	work_queue q = { .tree = rev->tree, .store = store, .paths = paths.v, .n = paths.n,
			 .progress = opts->progress };
	q.results = mc_calloc(paths.n, sizeof(mc_facts *));
	q.owned = mc_calloc(paths.n, 1);
	pthread_mutex_init(&q.lock, NULL);
	pthread_mutex_init(&q.pch_lock, NULL);
	q.pch_dir = make_pch_dir(rev->tree);
	int jobs = opts->jobs > 0 ? opts->jobs : 1;
	pthread_t *threads = mc_calloc((size_t)jobs, sizeof(pthread_t));
	int started = 0;
	for (int i = 0; i < jobs; i++)
		if (pthread_create(&threads[i], NULL, worker, &q) == 0)
			started++;
		else
			break;
	if (started == 0)
		worker(&q);
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_mutex_destroy(&q.lock);
	pthread_mutex_destroy(&q.pch_lock);
	remove_pchs(&q);
	if (opts->progress && paths.n)
		fputs("\n", stderr);
	if (store->cache && mc_cache_flush(store->cache) < 0)
		fprintf(stderr, "migcompat: %s; going on without the cache\n", mc_error_last());
	rev->facts = q.results;
	rev->owned = q.owned;
	rev->nfacts = paths.n;
	mc_strvec_free(&paths);
	for (size_t i = 0; i < rev->nfacts; i++) {
		if (!rev->facts[i]) {
			mc_revision_free(rev);
			mc_error_set("libclang could not start a parser");
			return MC_EIO;
		}
	}
	mc_model_build(&rev->model, rev->facts, rev->nfacts, conv, rev->tree->version);
	*out = rev;
	return 0;
}

void mc_revision_free(mc_revision *rev)
{
	if (!rev)
		return;
	mc_model_free(rev->model);
	for (size_t i = 0; i < rev->nfacts; i++)
		if (rev->owned[i])
			mc_facts_free(rev->facts[i]);
	free(rev->facts);
	free(rev->owned);
	mc_tree_free(rev->tree);
	mc_snapshot_free(rev->snap);
	free(rev);
}
