/*
 * fixture_repo.c - see fixture_repo.h.
 *
 * The fixture repository is the test's own throw-away repository, so unlike
 * the analyzer this code writes objects, refs and a work tree.  Trees are
 * assembled in an in-memory index (no work tree involved), which handles
 * nested paths, directory removal and empty trees uniformly.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "fixture_repo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <git2.h>

/* Fixed identity and clock: commit ids are the same on every run. */
#define FX_NAME "Fixture Author"
#define FX_EMAIL "fixture@example.org"
#define FX_BASE_TIME ((git_time_t)1735732800) /* 2025-01-01 12:00:00 UTC */
#define FX_STEP_SECONDS 3600

#define FX_MAX_FILE (64u * 1024u * 1024u)

#ifndef MC_BINARY_DIR
#define MC_BINARY_DIR "."
#endif

static void fx_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fx_err(const char *fmt, ...)
{
	va_list ap;
	fputs("mc_fixture_repo: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Reports a failed libgit2 call; always returns -1. */
static int fx_git_err(const char *what, const char *subject)
{
	const git_error *e = git_error_last();
	fx_err("%s%s%s: %s", what, subject ? " " : "", subject ? subject : "",
	       e && e->message ? e->message : "unknown libgit2 error");
	return -1;
}

static char *fx_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);
	if (!s) {
		fx_err("out of memory");
		abort();
	}
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* Reads a whole file; *data is NUL-terminated.  Returns 0, -1 on error, 1 if absent. */
static int fx_read_file(const char *path, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		fx_err("%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > FX_MAX_FILE) {
		fx_err("%s: not a readable regular file", path);
		close(fd);
		return -1;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		abort();
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb)
				abort();
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fx_err("%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*data = buf;
	if (len)
		*len = n;
	return 0;
}

static int fx_path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Directory entries sorted bytewise (not by locale), without "." and "..". */
typedef struct {
	char **names;
	size_t n;
} fx_names;

static int fx_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int fx_list_dir(const char *dir, fx_names *out)
{
	out->names = NULL;
	out->n = 0;
	DIR *d = opendir(dir);
	if (!d) {
		fx_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = realloc(out->names, cap * sizeof(*nn));
			if (!nn)
				abort();
			out->names = nn;
		}
		out->names[out->n] = strdup(de->d_name);
		if (!out->names[out->n])
			abort();
		out->n++;
	}
	closedir(d);
	if (out->n)
		qsort(out->names, out->n, sizeof(*out->names), fx_cmp_str);
	return 0;
}

static void fx_names_free(fx_names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	l->names = NULL;
	l->n = 0;
}

/*
 * Adds every file under abs_dir to idx at rel_prefix/...; executable files
 * keep their bit, symbolic links are stored as links.
 */
static int fx_add_dir(git_repository *repo, git_index *idx, const char *abs_dir,
		      const char *rel_prefix)
{
	fx_names names;
	if (fx_list_dir(abs_dir, &names) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		char *abs = fx_join(abs_dir, names.names[i]);
		char *rel = rel_prefix[0] ? fx_join(rel_prefix, names.names[i]) : strdup(names.names[i]);
		struct stat st;
		if (!rel)
			abort();
		if (lstat(abs, &st) < 0) {
			fx_err("%s: %s", abs, strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			rc = fx_add_dir(repo, idx, abs, rel);
		} else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
			git_index_entry e;
			memset(&e, 0, sizeof(e));
			e.path = rel;
			if (S_ISLNK(st.st_mode)) {
				char target[4096];
				ssize_t n = readlink(abs, target, sizeof(target));
				if (n < 0 || (size_t)n >= sizeof(target)) {
					fx_err("%s: cannot read link", abs);
					rc = -1;
				} else if (git_blob_create_from_buffer(&e.id, repo, target, (size_t)n) < 0) {
					rc = fx_git_err("writing blob for", abs);
				}
				e.mode = GIT_FILEMODE_LINK;
			} else {
				char *data = NULL;
				size_t len = 0;
				if (fx_read_file(abs, &data, &len) != 0) {
					rc = -1;
				} else if (git_blob_create_from_buffer(&e.id, repo, data, len) < 0) {
					rc = fx_git_err("writing blob for", abs);
				}
				free(data);
				e.mode = (st.st_mode & S_IXUSR) ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
			}
			if (rc == 0 && git_index_add(idx, &e) < 0)
				rc = fx_git_err("adding to the tree", rel);
		} else {
			fx_err("%s: unsupported file type", abs);
			rc = -1;
		}
		free(abs);
		free(rel);
	}
	fx_names_free(&names);
	return rc;
}

/* Applies a DELETE list: each line is a file or a directory of the parent tree. */
static int fx_apply_delete(git_index *idx, const char *delete_path)
{
	char *text = NULL;
	int r = fx_read_file(delete_path, &text, NULL);
	if (r != 0)
		return r < 0 ? -1 : 0;
	int rc = 0;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t' ||
			     line[n - 1] == '/'))
			line[--n] = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		if (git_index_get_bypath(idx, line, 0)) {
			if (git_index_remove(idx, line, 0) < 0)
				rc = fx_git_err("removing", line);
			continue;
		}
		size_t before = git_index_entrycount(idx);
		if (git_index_remove_directory(idx, line, 0) < 0) {
			rc = fx_git_err("removing", line);
		} else if (git_index_entrycount(idx) == before) {
			fx_err("%s: DELETE names %s, which the parent tree does not have", delete_path, line);
			rc = -1;
		}
	}
	free(text);
	return rc;
}

/*
 * Builds a tree: the parent tree (or nothing when parent is NULL or empty is
 * set), minus the DELETE list, plus the files under files_dir.
 */
static int fx_build_tree(git_repository *repo, git_tree *parent, int empty,
			 const char *delete_path, const char *files_dir, git_oid *out)
{
	git_index *idx = NULL;
	int rc = 0;
	if (git_index_new(&idx) < 0)
		return fx_git_err("creating an index", NULL);
	if (parent && !empty && git_index_read_tree(idx, parent) < 0)
		rc = fx_git_err("reading the parent tree", NULL);
	if (rc == 0 && delete_path && !empty)
		rc = fx_apply_delete(idx, delete_path);
	if (rc == 0 && files_dir && fx_path_exists(files_dir))
		rc = fx_add_dir(repo, idx, files_dir, "");
	if (rc == 0 && git_index_write_tree_to(out, idx, repo) < 0)
		rc = fx_git_err("writing the tree", files_dir);
	git_index_free(idx);
	return rc;
}

static int fx_commit(git_repository *repo, const git_oid *tree_id, git_commit *parent,
		     const char *message, git_time_t when, git_oid *out)
{
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	int rc = 0;
	if (git_signature_new(&sig, FX_NAME, FX_EMAIL, when, 0) < 0)
		return fx_git_err("creating the signature", NULL);
	if (git_tree_lookup(&tree, repo, tree_id) < 0) {
		rc = fx_git_err("looking up the tree", NULL);
	} else {
		const git_commit *parents[1] = { parent };
		if (git_commit_create(out, repo, NULL, sig, sig, NULL, message, tree,
				      parent ? 1 : 0, parent ? parents : NULL) < 0)
			rc = fx_git_err("creating the commit", NULL);
	}
	git_tree_free(tree);
	git_signature_free(sig);
	return rc;
}

/* A commit message with exactly one trailing newline. */
static char *fx_message(const char *path, const char *fallback)
{
	char *text = NULL;
	int r = fx_read_file(path, &text, NULL);
	if (r < 0)
		return NULL;
	if (r > 0) {
		text = strdup(fallback);
		if (!text)
			abort();
	}
	size_t n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
		n--;
	char *msg = malloc(n + 2);
	if (!msg)
		abort();
	memcpy(msg, text, n);
	msg[n] = '\n';
	msg[n + 1] = '\0';
	free(text);
	return msg;
}

/* "01-good" -> "good"; a name without a numeric prefix is its own slug. */
static const char *fx_slug(const char *name)
{
	const char *p = name;
	while (*p >= '0' && *p <= '9')
		p++;
	if (p != name && *p == '-' && p[1])
		return p + 1;
	return name;
}

/* First non-empty line of PARENT, or "base" when there is no PARENT file. */
static char *fx_parent_name(const char *path)
{
	char *text = NULL;
	int r = fx_read_file(path, &text, NULL);
	if (r < 0)
		return NULL;
	if (r > 0)
		return strdup("base");
	char *p = text;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	size_t n = strcspn(p, " \t\r\n");
	char *name = strndup(p, n);
	free(text);
	if (!name)
		abort();
	if (!*name) {
		fx_err("%s is empty", path);
		free(name);
		return NULL;
	}
	return name;
}

static int fx_lookup_branch_commit(git_repository *repo, const char *branch, git_commit **out)
{
	git_reference *ref = NULL;
	if (git_branch_lookup(&ref, repo, branch, GIT_BRANCH_LOCAL) < 0)
		return fx_git_err("looking up branch", branch);
	int rc = git_commit_lookup(out, repo, git_reference_target(ref));
	git_reference_free(ref);
	if (rc < 0)
		return fx_git_err("looking up the commit of branch", branch);
	return 0;
}

static int fx_create_branch(git_repository *repo, const char *name, const git_oid *commit_id)
{
	git_commit *commit = NULL;
	git_reference *ref = NULL;
	int rc = 0;
	if (git_commit_lookup(&commit, repo, commit_id) < 0)
		return fx_git_err("looking up the new commit for", name);
	if (git_branch_create(&ref, repo, name, commit, 0) < 0)
		rc = fx_git_err("creating branch", name);
	git_reference_free(ref);
	git_commit_free(commit);
	return rc;
}

static int fx_build_step(git_repository *repo, const char *steps_dir, const char *name,
			 git_time_t when)
{
	char *dir = fx_join(steps_dir, name);
	char *parent_file = fx_join(dir, "PARENT");
	char *message_file = fx_join(dir, "MESSAGE");
	char *delete_file = fx_join(dir, "DELETE");
	char *empty_file = fx_join(dir, "EMPTY");
	char *files_dir = fx_join(dir, "files");
	const char *slug = fx_slug(name);
	char *parent_name = NULL, *message = NULL;
	git_commit *parent = NULL;
	git_tree *parent_tree = NULL;
	git_oid tree_id, commit_id;
	int rc = 0;

	if (!strcmp(slug, "base")) {
		fx_err("%s: a step cannot be called \"base\"", dir);
		rc = -1;
	}
	if (rc == 0 && !(parent_name = fx_parent_name(parent_file)))
		rc = -1;
	if (rc == 0 && !(message = fx_message(message_file, slug)))
		rc = -1;
	if (rc == 0 && fx_lookup_branch_commit(repo, parent_name, &parent) < 0) {
		fx_err("%s: PARENT %s must be \"base\" or an earlier step", dir, parent_name);
		rc = -1;
	}
	if (rc == 0 && git_commit_tree(&parent_tree, parent) < 0)
		rc = fx_git_err("reading the tree of", parent_name);
	if (rc == 0)
		rc = fx_build_tree(repo, parent_tree, fx_path_exists(empty_file), delete_file,
				   files_dir, &tree_id);
	if (rc == 0)
		rc = fx_commit(repo, &tree_id, parent, message, when, &commit_id);
	if (rc == 0)
		rc = fx_create_branch(repo, slug, &commit_id);

	git_tree_free(parent_tree);
	git_commit_free(parent);
	free(parent_name);
	free(message);
	free(dir);
	free(parent_file);
	free(message_file);
	free(delete_file);
	free(empty_file);
	free(files_dir);
	return rc;
}

static int fx_dir_is_empty_or_missing(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT;
	int empty = 1;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = 0;
			break;
		}
	}
	closedir(d);
	return empty;
}

static int fx_build(git_repository **repo_out, const char *fixture_dir, const char *out_dir)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	git_commit *base = NULL;
	git_oid tree_id, commit_id;
	char *tree_dir = fx_join(fixture_dir, "tree");
	char *steps_dir = fx_join(fixture_dir, "steps");
	char *base_msg_file = fx_join(fixture_dir, "MESSAGE");
	char *base_msg = NULL;
	fx_names steps = { NULL, 0 };
	int rc = 0;

	struct stat st;
	if (stat(tree_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fx_err("%s: no tree/ directory", fixture_dir);
		rc = -1;
	} else if (!fx_dir_is_empty_or_missing(out_dir)) {
		fx_err("%s exists and is not empty", out_dir);
		rc = -1;
	}

	if (rc == 0) {
		git_repository_init_options opts;
		git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
		opts.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
		opts.initial_head = "base";
		if (git_repository_init_ext(&repo, out_dir, &opts) < 0)
			rc = fx_git_err("creating the repository", out_dir);
	}
	/* The checkout must not depend on the user's global configuration. */
	if (rc == 0 && git_repository_config(&cfg, repo) == 0) {
		if (git_config_set_bool(cfg, "core.autocrlf", 0) < 0)
			rc = fx_git_err("setting core.autocrlf in", out_dir);
		git_config_free(cfg);
	}

	if (rc == 0 && !(base_msg = fx_message(base_msg_file, "Base tree of the fixture")))
		rc = -1;
	if (rc == 0)
		rc = fx_build_tree(repo, NULL, 0, NULL, tree_dir, &tree_id);
	if (rc == 0)
		rc = fx_commit(repo, &tree_id, NULL, base_msg, FX_BASE_TIME, &commit_id);
	if (rc == 0)
		rc = fx_create_branch(repo, "base", &commit_id);

	if (rc == 0 && fx_path_exists(steps_dir))
		rc = fx_list_dir(steps_dir, &steps);
	git_time_t when = FX_BASE_TIME;
	for (size_t i = 0; rc == 0 && i < steps.n; i++) {
		char *p = fx_join(steps_dir, steps.names[i]);
		int is_dir = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
		free(p);
		if (!is_dir)
			continue; /* e.g. a README next to the steps */
		when += FX_STEP_SECONDS;
		rc = fx_build_step(repo, steps_dir, steps.names[i], when);
	}

	/* Work tree and index at base, HEAD -> refs/heads/base. */
	if (rc == 0 && git_commit_lookup(&base, repo, &commit_id) < 0)
		rc = fx_git_err("looking up base", NULL);
	if (rc == 0) {
		git_checkout_options co;
		git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
		co.checkout_strategy = GIT_CHECKOUT_FORCE;
		co.disable_filters = 1; /* byte-exact files, whatever the attributes */
		if (git_checkout_tree(repo, (const git_object *)base, &co) < 0)
			rc = fx_git_err("checking out base in", out_dir);
		else if (git_repository_set_head(repo, "refs/heads/base") < 0)
			rc = fx_git_err("setting HEAD in", out_dir);
	}

	git_commit_free(base);
	fx_names_free(&steps);
	free(base_msg);
	free(base_msg_file);
	free(tree_dir);
	free(steps_dir);
	*repo_out = repo;
	return rc;
}

int mc_fixture_repo_build(const char *fixture_dir, const char *out_dir)
{
	git_repository *repo = NULL;
	if (!fixture_dir || !out_dir) {
		fx_err("no fixture or output directory");
		return -1;
	}
	if (git_libgit2_init() < 0) {
		fx_err("cannot initialise libgit2");
		return -1;
	}
	int rc = fx_build(&repo, fixture_dir, out_dir);
	git_repository_free(repo);
	git_libgit2_shutdown();
	if (rc < 0)
		fx_err("building %s from %s failed", out_dir, fixture_dir);
	return rc < 0 ? -1 : 0;
}

char *mc_test_tempdir(const char *tag)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	size_t n = strlen(base) + strlen(tag ? tag : "t") + 32;
	char *path = malloc(n);
	if (!path)
		abort();
	snprintf(path, n, "%s/mc-%s-XXXXXX", base, tag ? tag : "t");
	if (!mkdtemp(path)) {
		fx_err("mkdtemp %s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}

static int fx_rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT)
		fx_err("removing %s: %s", path, strerror(errno));
	return 0;
}

void mc_test_rmtree(const char *dir)
{
	if (!dir || !*dir || !strcmp(dir, "/"))
		return;
	nftw(dir, fx_rm_cb, 32, FTW_DEPTH | FTW_PHYS);
}

/* An unlinked temporary file for the child's output. */
static int fx_capture_fd(void)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	size_t n = strlen(base) + 32;
	char *path = malloc(n);
	if (!path)
		abort();
	snprintf(path, n, "%s/mc-out-XXXXXX", base);
	int fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	else
		fx_err("mkstemp %s: %s", path, strerror(errno));
	free(path);
	return fd;
}

static char *fx_slurp_fd(int fd)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		abort();
	if (lseek(fd, 0, SEEK_SET) == 0) {
		for (;;) {
			if (n + 1 >= cap) {
				cap *= 2;
				char *nb = realloc(buf, cap);
				if (!nb)
					abort();
				buf = nb;
			}
			ssize_t r = read(fd, buf + n, cap - n - 1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			n += (size_t)r;
		}
	}
	buf[n] = '\0';
	return buf;
}

static char *fx_strdup_or_abort(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

int mc_test_run_tool(const char *const *argv, char **out, char **err)
{
	const char *bin = getenv("MIGCOMPAT_BIN");
	if (!bin || !*bin)
		bin = MC_BINARY_DIR "/migcompat";
	return mc_test_run_program(bin, argv, out, err);
}

int mc_test_run_program(const char *bin, const char *const *argv, char **out, char **err)
{
	if (out)
		*out = NULL;
	if (err)
		*err = NULL;

	size_t argc = 0;
	while (argv && argv[argc])
		argc++;
	char **args = calloc(argc + 2, sizeof(*args));
	if (!args)
		abort();
	args[0] = (char *)bin;
	for (size_t i = 1; i < argc; i++)
		args[i] = (char *)argv[i];

	int ofd = fx_capture_fd(), efd = fx_capture_fd();
	if (ofd < 0 || efd < 0) {
		if (ofd >= 0)
			close(ofd);
		if (efd >= 0)
			close(efd);
		free(args);
		if (out)
			*out = fx_strdup_or_abort("");
		if (err)
			*err = fx_strdup_or_abort("mc_test_run_program: cannot create capture files\n");
		return -1;
	}

	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0) {
			dup2(nul, STDIN_FILENO);
			if (nul != STDIN_FILENO)
				close(nul);
		}
		if (dup2(ofd, STDOUT_FILENO) < 0 || dup2(efd, STDERR_FILENO) < 0)
			_exit(127);
		close(ofd);
		close(efd);
		execv(bin, args);
		dprintf(STDERR_FILENO, "mc_test_run_program: cannot run %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	free(args);

	int status = 0, result;
	if (pid < 0) {
		fx_err("fork: %s", strerror(errno));
		result = -1;
	} else {
		pid_t w;
		do
			w = waitpid(pid, &status, 0);
		while (w < 0 && errno == EINTR);
		if (w < 0)
			result = -1;
		else if (WIFEXITED(status))
			result = WEXITSTATUS(status);
		else
			result = -1;
	}

	if (out)
		*out = fx_slurp_fd(ofd);
	if (err)
		*err = fx_slurp_fd(efd);
	close(ofd);
	close(efd);
	return result;
}
