/*
 * tree.c - see tree.h.
 */
#include "frontend/tree.h"
#include "frontend/build.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "frontend/limits.h"
#include "util/cscan.h"

/* A cached file: its content, or why it cannot be read, and its includes. */
struct tree_blob {
	char *data;
	size_t len;
	char *error;
	mc_strvec includes;
	int scanned;
};

/* System directories clang searches for <...> headers on this host. */
static const char *const host_system_dirs[] = {
	"/usr/lib/llvm-14/lib/clang/14.0.6/include",
	"/usr/local/include",
	"/usr/include/x86_64-linux-gnu",
	"/usr/include",
};

/* QType is generated as a QAPI builtin since 2.6 (members of every era declared:
 * QTYPE_QINT until 2.9, QTYPE_QNUM after); older trees define it by hand. */
static int tree_defines_qtype(mc_tree *tree)
{
	const mc_snapshot *snap = tree->snap;
	for (size_t i = 0; i < snap->nfiles; i++) {
		const char *path = snap->files[i].path;
		if (!mc_str_endswith(path, ".h") || mc_conv_is_skipped(tree->conv, path))
			continue;
		const char *data;
		size_t len;
		/* An enumerator list, not a use such as "QTYPE_NONE < type". */
		if (mc_tree_read(tree, path, &data, &len) == 0 && strstr(data, "QTYPE_NONE,"))
			return 1;
	}
	return 0;
}

/*
 * QEMU checks QTYPE__MAX != 7 at build time (include/qobject/qobject.h): the
 * members of 2.6 to 2.9 come after it, so that it stays 7.  With them before
 * it, that check failed and took the migration object's properties
 * (migration/options.c) with it.
 */
static const char qtype_builtin[] =
	"#ifndef MC_QAPI_QTYPE\n#define MC_QAPI_QTYPE\n"
	"typedef enum QType { QTYPE_NONE, QTYPE_QNULL, QTYPE_QNUM, QTYPE_QSTRING, QTYPE_QDICT, QTYPE_QLIST,\n"
	"    QTYPE_QBOOL, QTYPE__MAX, QTYPE_QINT, QTYPE_QFLOAT } QType;\n#endif\n";

static void read_schema(mc_tree *tree)
{
	const mc_snapshot *snap = tree->snap;
	for (size_t i = 0; i < snap->nfiles; i++) {
		if (!mc_conv_is_qapi_schema(tree->conv, snap->files[i].path))
			continue;
		const char *data;
		size_t len;
		if (mc_tree_read(tree, snap->files[i].path, &data, &len) < 0)
			continue;
		/* A malformed schema file loses only its own enums; the stub says what it has. */
		(void)mc_qapi_add_schema(&tree->qapi, snap->files[i].path, data, len);
		tree->schema_files++;
	}
	char *stub = mc_qapi_stub_header(&tree->qapi);
	mc_buf b = {0};
	/* Generated QAPI headers start from the prelude (QEMU's qapi/util.h: QEnumLookup). */
	if (tree->qapi_prelude)
		mc_buf_printf(&b, "#include \"%s\"\n", tree->conv->qapi_prelude);
	if (!tree_defines_qtype(tree))
		mc_buf_puts(&b, qtype_builtin);
	mc_buf_puts(&b, stub);
	free(stub);
	tree->qapi_stub = mc_buf_detach(&b);
	mc_hash_text(tree->qapi_stub, strlen(tree->qapi_stub), tree->qapi_stub_hash);
}

static char *read_version(mc_tree *tree)
{
	const char *data;
	size_t len;
	if (!mc_snapshot_find(tree->snap, tree->conv->version_file))
		return NULL;
	if (mc_tree_read(tree, tree->conv->version_file, &data, &len) < 0)
		return NULL;
	while (len && isspace((unsigned char)data[len - 1]))
		len--;
	return len < 64 ? mc_strndup(data, len) : NULL;
}

int mc_tree_open(mc_tree **out, const mc_snapshot *snap, const mc_conv *conv)
{
	mc_tree *tree = mc_calloc(1, sizeof(*tree));
	tree->snap = snap;
	tree->conv = conv;
	pthread_mutex_init(&tree->lock, NULL);
	pthread_mutex_init(&tree->qapi_lock, NULL);
	mc_qapi_init(&tree->qapi);
	if (conv->qapi_prelude)
		tree->qapi_prelude = mc_tree_find_header(tree, conv->qapi_prelude);
	tree->version = read_version(tree);
	*out = tree;
	return 0;
}

void mc_tree_load_qapi(mc_tree *tree)
{
	pthread_mutex_lock(&tree->qapi_lock);
	if (!tree->qapi_ready)
		read_schema(tree);
	tree->qapi_ready = 1;
	pthread_mutex_unlock(&tree->qapi_lock);
}

void mc_tree_free(mc_tree *tree)
{
	if (!tree)
		return;
	MC_MAP_FOREACH(&tree->contents, i) {
		struct tree_blob *b = tree->contents.vals[i];
		free(b->data);
		free(b->error);
		mc_strvec_free(&b->includes);
		free(b);
	}
	mc_map_free(&tree->contents);
	mc_qapi_free(&tree->qapi);
	free(tree->qapi_stub);
	free(tree->version);
	free(tree->qapi_prelude);
	pthread_mutex_destroy(&tree->qapi_lock);
	pthread_mutex_destroy(&tree->lock);
	free(tree);
}

/* Loads a blob into the cache; called with the lock held. */
static struct tree_blob *load_blob(mc_tree *tree, const char *path)
{
	struct tree_blob *b = mc_map_get(&tree->contents, path);
	if (b)
		return b;
	const mc_file *f = mc_snapshot_find(tree->snap, path);
	if (!f)
		return NULL;
	b = mc_calloc(1, sizeof(*b));
	if (mc_snapshot_read(tree->snap, f, tree->conv->max_file_size, &b->data, &b->len) < 0) {
		b->error = mc_strdup(mc_error_last());
	} else if (memchr(b->data, '\0', b->len)) {
		b->error = mc_sprintf("%s: binary content (a NUL byte), not C text", path);
	} else {
		mc_limits_check_macros(path, b->data, b->len, MC_MAX_MACRO_TOKENS, &b->error);
	}
	if (b->error) {
		free(b->data);
		b->data = NULL;
		b->len = 0;
	}
	mc_map_put(&tree->contents, path, b);
	return b;
}

int mc_tree_read(mc_tree *tree, const char *path, const char **data, size_t *len)
{
	pthread_mutex_lock(&tree->lock);
	struct tree_blob *b = load_blob(tree, path);
	pthread_mutex_unlock(&tree->lock);
	if (!b) {
		mc_error_set("%s: no such file in %s", path, tree->snap->label);
		return MC_ENOTFOUND;
	}
	if (b->error) {
		mc_error_set("%s", b->error);
		return MC_EINPUT;
	}
	*data = b->data;
	*len = b->len;
	return 0;
}

void mc_scan_includes(const char *text, size_t len, mc_strvec *out)
{
	mc_cscan c;
	mc_ctok t;
	mc_cscan_init(&c, text, len, MC_CSCAN_CODE);
	while (mc_cscan_next(&c, &t) != MC_CTOK_END) {
		if (t.kind != MC_CTOK_DIRECTIVE || mc_cscan_next(&c, &t) != MC_CTOK_IDENT || !mc_ctok_is(&t, "include"))
			continue;
		/* A header name: <...> or "...", kept with its opening mark. */
		if (mc_cscan_next(&c, &t) == MC_CTOK_HEADER && t.len > 2 && t.len - 2 < 512)
			mc_strvec_push_owned(out, mc_strndup(t.p, t.len - 1));
	}
}

/* Joins dir and rel, folding "." and ".." components; NULL if it leaves the root. */
static char *join_path(const char *dir, const char *rel)
{
	char *all = dir && *dir ? mc_sprintf("%s/%s", dir, rel) : mc_strdup(rel);
	char **parts = mc_calloc(strlen(all) + 1, sizeof(char *));
	size_t n = 0;
	char *save = NULL;
	int escaped = 0;
	for (char *c = strtok_r(all, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			if (n == 0)
				escaped = 1;
			else
				n--;
			continue;
		}
		parts[n++] = c;
	}
	mc_buf b = {0};
	for (size_t i = 0; i < n; i++) {
		if (i)
			mc_buf_puts(&b, "/");
		mc_buf_puts(&b, parts[i]);
	}
	free(parts);
	free(all);
	if (escaped || n == 0) {
		mc_buf_free(&b);
		return NULL;
	}
	return mc_buf_detach(&b);
}

/*
 * Could name be a file: relative, no empty, "." or ".." component, no
 * trailing '/'?  An unsaved file named "qemu/osdep.h../" (an #include of a
 * directory, found by fuzz_parse) crashes libclang 14; without a stub, the
 * #include is an ordinary "file not found" error in the file.
 */
static int is_clean_path(const char *name)
{
	char *clean = *name != '/' ? join_path(NULL, name) : NULL;
	int same = clean && strcmp(clean, name) == 0;
	free(clean);
	return same;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? mc_strndup(path, (size_t)(slash - path)) : mc_strdup("");
}

static char *find_in_dirs(const mc_tree *tree, const char *const *dirs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		char *p = join_path(strcmp(dirs[i], ".") == 0 ? "" : dirs[i], name);
		if (p && mc_snapshot_find(tree->snap, p))
			return p;
		free(p);
	}
	return NULL;
}

/*
 * Finds an include in the tree the way clang will; NULL when it is not a tree
 * file.  A file a configured build compiles searches its own command's
 * directories (build_dirs); others search the conventions' directories.
 */
static char *resolve_in_tree(const mc_tree *tree, const mc_conv_arch *arch, const mc_strvec *build_dirs,
			     const char *includer_dir, const char *name, int quoted)
{
	if (quoted) {
		char *p = join_path(includer_dir, name);
		if (p && mc_snapshot_find(tree->snap, p))
			return p;
		free(p);
	}
	if (build_dirs)
		return find_in_dirs(tree, (const char *const *)build_dirs->v, build_dirs->n, name);
	char *p = find_in_dirs(tree, (const char *const *)tree->conv->include_dirs.v, tree->conv->include_dirs.n, name);
	if (!p && arch)
		p = find_in_dirs(tree, (const char *const *)arch->includes.v, arch->includes.n, name);
	return p;
}

char *mc_tree_find_header(const mc_tree *tree, const char *name)
{
	return find_in_dirs(tree, (const char *const *)tree->conv->include_dirs.v, tree->conv->include_dirs.n, name);
}

static int exists_on_host(const mc_conv *conv, const char *name)
{
	struct stat st;
	for (size_t i = 0; i < sizeof(host_system_dirs) / sizeof(host_system_dirs[0]); i++) {
		char *p = mc_sprintf("%s/%s", host_system_dirs[i], name);
		int ok = stat(p, &st) == 0;
		free(p);
		if (ok)
			return 1;
	}
	for (size_t i = 0; i < conv->system_includes.n; i++) {
		char *p = mc_sprintf("%s/%s", conv->system_includes.v[i], name);
		int ok = stat(p, &st) == 0;
		free(p);
		if (ok)
			return 1;
	}
	return 0;
}

static char *defines_text(const mc_strvec *defs)
{
	mc_buf b = {0};
	for (size_t i = 0; i < defs->n; i++) {
		const char *eq = strchr(defs->v[i], '=');
		if (eq)
			mc_buf_printf(&b, "#define %.*s %s\n", (int)(eq - defs->v[i]), defs->v[i], eq + 1);
		else
			mc_buf_printf(&b, "#define %s 1\n", defs->v[i]);
	}
	return mc_buf_detach(&b);
}

/* The content of the stub standing in for a missing include (the QAPI stub is the tree's, not copied). */
static char *stub_text(const mc_tree *tree, const mc_conv_arch *arch, const char *name, int *owned)
{
	*owned = 1;
	/* migcompat's own target config header, for command-define CONFIG_TARGET="mc-config-target.h". */
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	mc_stub_kind kind = strcmp(base, "mc-config-target.h") == 0 ? MC_STUB_TARGET_CONFIG
								 : mc_conv_generated_kind(tree->conv, name);
	if (kind == MC_STUB_HOST_CONFIG)
		return defines_text(&tree->conv->host_defines);
	if (kind == MC_STUB_TARGET_CONFIG)
		return arch ? defines_text(&arch->defines) : mc_strdup("");
	if (kind == MC_STUB_QAPI) {
		*owned = 0;
		return tree->qapi_stub;
	}
	char *declared = mc_conv_stub_header(tree->conv, name);
	return declared ? declared : mc_strdup("");
}

static void add_file(mc_tu_input *in, const char *filename, const char *contents, size_t len, int copy)
{
	mc_tu_file *f = MC_VEC_PUSH(in->files, in->nfiles, in->cap);
	f->filename = mc_strdup(filename);
	f->contents = copy ? mc_strndup(contents, len) : (char *)contents;
	f->length = len;
	f->owned = copy;
}

static void add_stub(mc_tu_input *in, mc_map *seen, const mc_tree *tree, const mc_conv_arch *arch,
		     const char *name)
{
	char *vpath = mc_sprintf("%s/%s", MC_STUB_ROOT, name);
	if (!mc_map_get(seen, vpath)) {
		mc_map_put(seen, vpath, (void *)1);
		int owned;
		char *text = stub_text(tree, arch, name, &owned);
		add_file(in, vpath, text, strlen(text), 0);
		in->files[in->nfiles - 1].owned = owned;
	}
	free(vpath);
}

static struct tree_blob *blob_with_includes(mc_tree *tree, const char *path)
{
	pthread_mutex_lock(&tree->lock);
	struct tree_blob *b = load_blob(tree, path);
	if (b && !b->error && !b->scanned) {
		mc_scan_includes(b->data, b->len, &b->includes);
		b->scanned = 1;
	}
	pthread_mutex_unlock(&tree->lock);
	return b;
}

static void push_args(mc_tu_input *in, const mc_tree *tree, const mc_conv_arch *arch)
{
	const char *fixed[] = {
		"-x", "c", "-std=gnu11", "-ferror-limit=0", "-w", "-D_GNU_SOURCE",
		"-fno-spell-checking", "-Wno-everything",
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		mc_strvec_push(&in->args, fixed[i]);
	for (size_t i = 0; i < tree->conv->command_defines.n; i++)
		mc_strvec_push_owned(&in->args, mc_sprintf("-D%s", tree->conv->command_defines.v[i]));
	if (arch) {
		for (size_t i = 0; i < tree->conv->target_command_defines.n; i++)
			mc_strvec_push_owned(&in->args, mc_sprintf("-D%s", tree->conv->target_command_defines.v[i]));
		for (size_t i = 0; i < arch->includes.n; i++)
			mc_strvec_push_owned(&in->args, mc_sprintf("-I%s/%s", MC_TREE_ROOT, arch->includes.v[i]));
	}
	for (size_t i = 0; i < tree->conv->include_dirs.n; i++) {
		const char *d = tree->conv->include_dirs.v[i];
		if (strcmp(d, ".") == 0)
			mc_strvec_push(&in->args, "-I" MC_TREE_ROOT);
		else
			mc_strvec_push_owned(&in->args, mc_sprintf("-I%s/%s", MC_TREE_ROOT, d));
	}
	mc_strvec_push(&in->args, "-I" MC_STUB_ROOT);
	for (size_t i = 0; i < tree->conv->system_includes.n; i++)
		mc_strvec_push_owned(&in->args, mc_sprintf("-isystem%s", tree->conv->system_includes.v[i]));
}

/*
 * The flags of a configured build's compile command.  Stubs stay last in the
 * search order, so a header the build generated always wins over its stub.
 */
static void push_build_args(mc_tu_input *in, const mc_strvec *flags)
{
	const char *fixed[] = { "-x", "c", "-ferror-limit=0", "-w", "-fno-spell-checking", "-Wno-everything" };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		mc_strvec_push(&in->args, fixed[i]);
	for (size_t i = 0; i < flags->n; i++)
		mc_strvec_push(&in->args, flags->v[i]);
	mc_strvec_push(&in->args, "-I" MC_STUB_ROOT);
}

/*
 * The breadth-first walk over the include closure of a file: every branch of
 * every #if, since which of them a parse takes is not known before it.  A
 * queue entry is "includer's directory\nspec", spec an include as
 * mc_scan_includes() gives it (its opening mark first).
 */
typedef struct {
	mc_tree *tree;
	const mc_conv_arch *arch;
	const mc_strvec *build_dirs;   /* a configured build's search directories, or NULL */
	mc_tu_input *in;
	mc_map seen;                   /* tree files and stubs already added */
	mc_strvec queue;
} include_walk;

/*
 * The walk starts from the includes of the main file, then a configured
 * build's forced includes.  The config stubs are added whatever the scan
 * finds: files include them through macros (command-define CONFIG_DEVICES,
 * CONFIG_TARGET), which it cannot see.
 */
static void walk_start(include_walk *w, const char *path, const char *data, size_t len, int build)
{
	mc_strvec raw = {0};
	mc_scan_includes(data, len, &raw);
	char *main_dir = dir_of(path);
	for (size_t i = 0; i < raw.n; i++)
		mc_strvec_push_owned(&w->queue, mc_sprintf("%s\n%s", main_dir, raw.v[i]));
	mc_strvec_free(&raw);
	free(main_dir);
	w->build_dirs = build ? mc_build_tree_dirs(w->tree->build, path) : NULL;
	const mc_strvec *forced = build ? mc_build_forced_includes(w->tree->build, path) : NULL;
	for (size_t i = 0; forced && i < forced->n; i++)
		mc_strvec_push_owned(&w->queue, mc_sprintf("\n\"%s", forced->v[i]));
	add_stub(w->in, &w->seen, w->tree, w->arch, "mc-config-devices.h");
	add_stub(w->in, &w->seen, w->tree, w->arch, "mc-config-target.h");
}

/* An include that is no tree file: a stub stands in for it, unless the host has it (<...> only). */
static void walk_missing(include_walk *w, const char *name, int quoted)
{
	mc_tree *tree = w->tree;
	if ((quoted || !exists_on_host(tree->conv, name)) && is_clean_path(name))
		add_stub(w->in, &w->seen, tree, w->arch, name);
	/* Generated QAPI headers start from the prelude (see read_schema). */
	if (tree->qapi_prelude && mc_conv_generated_kind(tree->conv, name) == MC_STUB_QAPI &&
	    !mc_map_get(&w->seen, tree->qapi_prelude))
		mc_strvec_push_owned(&w->queue, mc_sprintf("\n\"%s", tree->qapi_prelude));
}

/* A readable header of the tree (found), included as name from includer_dir: added, and its includes queued. */
static void walk_header(include_walk *w, const char *found, const struct tree_blob *b, const char *includer_dir,
			const char *name, int quoted)
{
	char *vpath = mc_sprintf("%s/%s", MC_TREE_ROOT, found);
	add_file(w->in, vpath, b->data, b->len, 0);
	free(vpath);
	/* libclang looks "../x.h" up under the includer's (virtual) directory as written,
	 * and the quoted includes of x.h under that spelling's directory: -I finds them. */
	if (quoted && strstr(name, "../")) {
		vpath = mc_sprintf("%s/%s/%s", MC_TREE_ROOT, includer_dir, name);
		add_file(w->in, vpath, b->data, b->len, 0);
		free(vpath);
		char *dir = dir_of(found);
		mc_strvec_push_owned(&w->in->args, mc_sprintf("-I%s/%s", MC_TREE_ROOT, dir));
		free(dir);
	}
	const mc_file *f = mc_snapshot_find(w->tree->snap, found);
	mc_strvec_push_owned(&w->in->deps, mc_sprintf("%s:%s", found, f->blob.hex));
	char *dir = dir_of(found);
	for (size_t i = 0; i < b->includes.n; i++)
		mc_strvec_push_owned(&w->queue, mc_sprintf("%s\n%s", dir, b->includes.v[i]));
	free(dir);
}

/*
 * An unreadable header (binary, huge, a macro bomb) is read as empty where it
 * is, so that every spelling of its #include finds it, and is named in
 * coverage.  Its blob is still an input: fixing it must change its
 * includers' facts keys.
 */
static void walk_unreadable(include_walk *w, const char *found, const struct tree_blob *b)
{
	char *vpath = mc_sprintf("%s/%s", MC_TREE_ROOT, found);
	add_file(w->in, vpath, "", 0, 0);
	free(vpath);
	const mc_file *f = mc_snapshot_find(w->tree->snap, found);
	if (f)
		mc_strvec_push_owned(&w->in->deps, mc_sprintf("%s:%s", found, f->blob.hex));
	if (b)
		mc_strvec_push_owned(&w->in->refused, mc_sprintf("%s\n%s", found, b->error));
}

/* Takes the include of queue entry qi: each tree file is added once, however it is spelled. */
static void walk_visit(include_walk *w, size_t qi)
{
	char *nl = strchr(w->queue.v[qi], '\n');
	*nl = '\0';
	const char *includer_dir = w->queue.v[qi];
	const char *spec = nl + 1;
	int quoted = spec[0] == '"';
	const char *name = spec + 1;
	char *found = resolve_in_tree(w->tree, w->arch, w->build_dirs, includer_dir, name, quoted);
	if (!found) {
		walk_missing(w, name, quoted);
		return;
	}
	if (mc_map_get(&w->seen, found)) {
		free(found);
		return;
	}
	mc_map_put(&w->seen, found, (void *)1);
	struct tree_blob *b = blob_with_includes(w->tree, found);
	if (b && !b->error)
		walk_header(w, found, b, includer_dir, name, quoted);
	else
		walk_unreadable(w, found, b);
	free(found);
}

int mc_tree_prepare(mc_tree *tree, const char *path, const char *synthetic, mc_tu_input *in)
{
	memset(in, 0, sizeof(*in));
	mc_tree_load_qapi(tree);
	const mc_conv_arch *arch = mc_conv_arch_for(tree->conv, path);
	const mc_strvec *build_flags = mc_build_flags(tree->build, path);
	in->arch = arch ? mc_strdup(arch->arch) : NULL;
	in->main_path = mc_sprintf("%s/%s", MC_TREE_ROOT, path);
	if (build_flags)
		push_build_args(in, build_flags);
	else
		push_args(in, tree, arch);

	const char *data;
	size_t len;
	if (synthetic) {
		data = synthetic;
		len = strlen(synthetic);
	} else if (mc_tree_read(tree, path, &data, &len) < 0) {
		mc_tu_input_free(in);
		return MC_EINPUT;
	}
	add_file(in, in->main_path, data, len, 1);

	include_walk w = { .tree = tree, .arch = arch, .in = in };
	walk_start(&w, path, data, len, build_flags != NULL);
	for (size_t qi = 0; qi < w.queue.n; qi++)
		walk_visit(&w, qi);
	mc_strvec_free(&w.queue);
	mc_map_free(&w.seen);
	/* The build's headers and flags are inputs too; its precompiled osdep.h would not match them. */
	if (build_flags) {
		mc_strvec_push_owned(&in->deps, mc_sprintf("(build):%s", mc_build_digest(tree->build)));
		in->own_flags = 1;
	}
	mc_strvec_sort(&in->deps);
	return 0;
}

char *mc_tu_dep_path(const char *dep)
{
	const char *colon = strrchr(dep, ':');
	return colon ? mc_strndup(dep, (size_t)(colon - dep)) : mc_strdup(dep);
}

void mc_tu_input_free(mc_tu_input *in)
{
	free(in->main_path);
	mc_strvec_free(&in->args);
	for (size_t i = 0; i < in->nfiles; i++) {
		free(in->files[i].filename);
		if (in->files[i].owned)
			free(in->files[i].contents);
	}
	free(in->files);
	mc_strvec_free(&in->deps);
	mc_strvec_free(&in->refused);
	free(in->arch);
	memset(in, 0, sizeof(*in));
}
