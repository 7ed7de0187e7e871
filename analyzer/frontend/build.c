/*
 * build.c - see build.h.
 */
#include "frontend/build.h"

#include <ftw.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "git/repo.h"

#define MC_BUILD_DB_MAX (256u << 20)
#define MC_BUILD_HEADER_MAX (64u << 20)

/* What the build says about one file. */
typedef struct {
	mc_strvec flags;           /* translated, in command order */
	mc_strvec tree_dirs;       /* its search directories inside the tree, in order */
	mc_strvec forced;          /* tree files it -include's or -imacros's */
} build_file;

struct mc_build {
	char *dir;                 /* absolute build directory */
	char *root;                /* absolute source root, no trailing slash */
	const mc_snapshot *snap;   /* borrowed while loading */
	mc_map by_path;            /* repository-relative path -> build_file* */
	size_t files;
	char digest[41];
};

int mc_build_split_command(const char *command, mc_strvec *out)
{
	const char *p = command;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		mc_buf w = {0};
		char quote = 0;
		for (; *p && (quote || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
			if (quote == '\'') {
				if (*p == '\'')
					quote = 0;
				else
					mc_buf_put(&w, p, 1);
			} else if (*p == '\\' && p[1] && (!quote || strchr("\"\\$`", p[1]))) {
				mc_buf_put(&w, ++p, 1);
			} else if (quote == '"') {
				if (*p == '"')
					quote = 0;
				else
					mc_buf_put(&w, p, 1);
			} else if (*p == '\'' || *p == '"') {
				quote = *p;
			} else {
				mc_buf_put(&w, p, 1);
			}
		}
		if (quote) {
			mc_buf_free(&w);
			mc_error_set("unterminated %c quote in a compile command", quote);
			return MC_EPARSE;
		}
		mc_strvec_push_owned(out, mc_buf_detach(&w));
	}
	return 0;
}

/* An absolute, normalized path: dir/rel with "." and ".." folded ("/" stays "/"). */
static char *absolute(const char *dir, const char *rel)
{
	char *all = rel[0] == '/' ? mc_strdup(rel) : mc_sprintf("%s/%s", dir, rel);
	char **parts = mc_calloc(strlen(all) + 1, sizeof(char *));
	size_t n = 0;
	char *save = NULL;
	for (char *c = strtok_r(all, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			if (n)
				n--;
			continue;
		}
		parts[n++] = c;
	}
	mc_buf b = {0};
	for (size_t i = 0; i < n; i++)
		mc_buf_printf(&b, "/%s", parts[i]);
	if (n == 0)
		mc_buf_puts(&b, "/");
	free(parts);
	free(all);
	return mc_buf_detach(&b);
}

/* The repository-relative part of an absolute path under root, or NULL. */
static const char *under_root(const char *root, const char *abs)
{
	size_t n = strlen(root);
	if (strcmp(root, "/") == 0)
		return abs + 1;
	if (strncmp(abs, root, n) != 0 || (abs[n] != '/' && abs[n] != '\0'))
		return NULL;
	return abs[n] == '/' ? abs + n + 1 : abs + n;
}

/* The source root that makes abs a file of snap: abs minus its longest suffix found in snap. */
static char *guess_root(const mc_snapshot *snap, const char *abs)
{
	for (const char *p = abs; (p = strchr(p, '/')); p++)
		if (p[1] && mc_snapshot_find(snap, p + 1))
			return p == abs ? mc_strdup("/") : mc_strndup(abs, (size_t)(p - abs));
	return NULL;
}

/* Does the snapshot have rel as a file or as a directory ("" is the root)? */
static int snapshot_has(const mc_snapshot *snap, const char *rel)
{
	if (!*rel || mc_snapshot_find(snap, rel))
		return 1;
	size_t n = strlen(rel), lo = 0, hi = snap->nfiles;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(snap->files[mid].path, rel, n);
		if (c < 0 || (c == 0 && snap->files[mid].path[n] < '/'))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < snap->nfiles && strncmp(snap->files[lo].path, rel, n) == 0 && snap->files[lo].path[n] == '/';
}

/*
 * A path operand of a flag: mapped into the virtual tree when it names a
 * file or directory of the analyzed revision; left on disk when it is in the
 * build directory (which may itself sit inside the source tree, as
 * configure's default build/ does) or anywhere else.
 */
static char *map_path(mc_build *b, const char *dir, const char *path, build_file *bf, int search_dir)
{
	char *abs = absolute(dir, path);
	const char *rel = under_root(b->root, abs);
	if (!rel || under_root(b->dir, abs) || !snapshot_has(b->snap, rel))
		return abs;
	if (search_dir && !mc_strvec_contains(&bf->tree_dirs, rel))
		mc_strvec_push(&bf->tree_dirs, rel);
	else if (!search_dir && *rel)
		mc_strvec_push(&bf->forced, rel);
	char *mapped = *rel ? mc_sprintf("%s/%s", MC_TREE_ROOT, rel) : mc_strdup(MC_TREE_ROOT);
	free(abs);
	return mapped;
}

/* Keeps the preprocessor flags of one compile command, paths mapped. */
static void translate(mc_build *b, const char *dir, const mc_strvec *argv, build_file *bf)
{
	mc_strvec *out = &bf->flags;
	static const char *const path_flags[] = { "-I", "-iquote", "-isystem", "-idirafter", "-include", "-imacros" };
	for (size_t i = 1; i < argv->n; i++) {
		const char *a = argv->v[i];
		if (mc_str_startswith(a, "-std=") || strcmp(a, "-pthread") == 0) {
			mc_strvec_push(out, a);
			continue;
		}
		if (mc_str_startswith(a, "-D") || mc_str_startswith(a, "-U")) {
			if (a[2])
				mc_strvec_push(out, a);
			else if (i + 1 < argv->n)
				mc_strvec_push_owned(out, mc_sprintf("%.2s%s", a, argv->v[++i]));
			continue;
		}
		for (size_t k = 0; k < sizeof(path_flags) / sizeof(path_flags[0]); k++) {
			const char *flag = path_flags[k];
			size_t fl = strlen(flag);
			if (strncmp(a, flag, fl) != 0)
				continue;
			const char *operand = a[fl] ? a + fl : (i + 1 < argv->n ? argv->v[++i] : NULL);
			if (operand) {
				int search_dir = strcmp(flag, "-include") != 0 && strcmp(flag, "-imacros") != 0;
				char *mapped = map_path(b, dir, operand, bf, search_dir);
				mc_strvec_push(out, flag);
				mc_strvec_push_owned(out, mapped);
			}
			break;
		}
	}
}

static int entry_argv(json_t *e, mc_strvec *argv)
{
	json_t *args = json_object_get(e, "arguments");
	if (json_is_array(args)) {
		size_t i;
		json_t *a;
		json_array_foreach(args, i, a) {
			if (!json_is_string(a))
				return MC_EPARSE;
			mc_strvec_push(argv, json_string_value(a));
		}
		return 0;
	}
	const char *cmd = json_string_value(json_object_get(e, "command"));
	if (!cmd)
		mc_error_set("no \"arguments\" array or \"command\" string");
	return cmd ? mc_build_split_command(cmd, argv) : MC_EPARSE;
}

/* The digest walk: every header under the build directory, by path and content. */
static mc_buf *digest_buf;

static int digest_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_F || !mc_str_endswith(path, ".h") || (size_t)st->st_size > MC_BUILD_HEADER_MAX)
		return 0;
	char *text;
	size_t len;
	if (mc_file_read_text(path, "header", MC_BUILD_HEADER_MAX, &text, &len) < 0) {
		mc_error_clear();
		return 0;
	}
	char hex[41];
	mc_hash_text(text, len, hex);
	free(text);
	mc_buf_printf(digest_buf, "%s %s\n", path, hex);
	return 0;
}

static void compute_digest(mc_build *b, const char *db_text, size_t db_len)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	mc_buf all = {0};
	char hex[41];
	mc_hash_text(db_text, db_len, hex);
	mc_buf_printf(&all, "compile_commands %s\n", hex);
	/* nftw has no user pointer; the lock keeps two builds from sharing the buffer. */
	pthread_mutex_lock(&lock);
	digest_buf = &all;
	nftw(b->dir, digest_one, 32, FTW_PHYS);
	digest_buf = NULL;
	pthread_mutex_unlock(&lock);
	mc_hash_text(all.ptr ? all.ptr : "", all.len, b->digest);
	mc_buf_free(&all);
}

static void build_file_free(build_file *bf)
{
	mc_strvec_free(&bf->flags);
	mc_strvec_free(&bf->tree_dirs);
	mc_strvec_free(&bf->forced);
	free(bf);
}

static int load_entries(mc_build *b, json_t *root, const mc_snapshot *snap)
{
	size_t i;
	json_t *e;
	b->snap = snap;
	json_array_foreach(root, i, e) {
		const char *dir_text = json_string_value(json_object_get(e, "directory"));
		const char *file = json_string_value(json_object_get(e, "file"));
		if (!dir_text || !file) {
			mc_error_set("%s/compile_commands.json: entry %zu lacks \"directory\" or \"file\"", b->dir, i + 1);
			return MC_EPARSE;
		}
		/* A relative "directory" is relative to the build directory. */
		char *dir = absolute(b->dir, dir_text);
		char *abs = absolute(dir, file);
		if (!b->root)
			b->root = guess_root(snap, abs);
		const char *rel = b->root ? under_root(b->root, abs) : NULL;
		int rc = 0;
		/* Per-target files are compiled once per target: the first command wins. */
		if (rel && mc_snapshot_find(snap, rel) && !mc_map_get(&b->by_path, rel)) {
			mc_strvec argv = {0};
			if (entry_argv(e, &argv) < 0) {
				char *why = mc_strdup(mc_error_last());
				mc_error_set("%s/compile_commands.json: entry %zu: %s", b->dir, i + 1, why);
				free(why);
				rc = MC_EPARSE;
			} else {
				build_file *bf = mc_calloc(1, sizeof(*bf));
				translate(b, dir, &argv, bf);
				mc_map_put(&b->by_path, rel, bf);
				b->files++;
			}
			mc_strvec_free(&argv);
		}
		free(abs);
		free(dir);
		if (rc < 0)
			return rc;
	}
	b->snap = NULL;
	return 0;
}

int mc_build_open(mc_build **out, const char *dir, const mc_snapshot *snap)
{
	*out = NULL;
	char *cwd = realpath(".", NULL);
	mc_build *b = mc_calloc(1, sizeof(*b));
	b->dir = absolute(cwd ? cwd : "/", dir);
	free(cwd);
	char *db_path = mc_sprintf("%s/compile_commands.json", b->dir);
	char *text = NULL;
	size_t len = 0;
	int rc = mc_file_read_text(db_path, "build database", MC_BUILD_DB_MAX, &text, &len);
	json_t *root = NULL;
	if (rc == 0) {
		json_error_t err;
		root = json_loadb(text, len, 0, &err);
		if (!json_is_array(root)) {
			if (root)
				mc_error_set("%s: not a compilation database (a JSON array of commands)", db_path);
			else
				mc_error_set("%s:%d: not valid JSON: %s", db_path, err.line, err.text);
			rc = MC_EINPUT;
		}
	}
	if (rc == 0 && (rc = load_entries(b, root, snap)) == 0 && b->files == 0) {
		mc_error_set("%s names no file of %s: is it the build of this tree?", db_path, snap->label);
		rc = MC_EINPUT;
	}
	if (rc == 0)
		compute_digest(b, text, len);
	json_decref(root);
	free(text);
	free(db_path);
	if (rc < 0) {
		mc_build_free(b);
		return rc == MC_EPARSE ? MC_EINPUT : rc;
	}
	*out = b;
	return 0;
}

void mc_build_free(mc_build *b)
{
	if (!b)
		return;
	MC_MAP_FOREACH(&b->by_path, i)
		build_file_free(b->by_path.vals[i]);
	mc_map_free(&b->by_path);
	free(b->dir);
	free(b->root);
	free(b);
}

const mc_strvec *mc_build_flags(const mc_build *b, const char *path)
{
	build_file *bf = b ? mc_map_get(&b->by_path, path) : NULL;
	return bf ? &bf->flags : NULL;
}

const mc_strvec *mc_build_tree_dirs(const mc_build *b, const char *path)
{
	build_file *bf = b ? mc_map_get(&b->by_path, path) : NULL;
	return bf ? &bf->tree_dirs : NULL;
}

const mc_strvec *mc_build_forced_includes(const mc_build *b, const char *path)
{
	build_file *bf = b ? mc_map_get(&b->by_path, path) : NULL;
	return bf ? &bf->forced : NULL;
}

const char *mc_build_digest(const mc_build *b)
{
	return b->digest;
}

size_t mc_build_files(const mc_build *b)
{
	return b->files;
}
