/*
 * cache.c - see cache.h.
 */
#include "frontend/cache.h"
#include "git/repo.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * The format row of the meta table: the tables' layout (bump the 1 when it
 * changes), the tool's version and the facts' (facts.h, derived from their
 * field lists).  A database of another format is rebuilt: rows of facts of
 * another version could never be read again, and would only take room.
 */
static char *cache_format(void)
{
	return mc_sprintf("migcompat-facts-1 %s %s", MC_VERSION, mc_facts_version());
}

struct mc_cache {
	sqlite3 *db;
	char *path;
	mc_strvec pending_keys;
	mc_strvec pending_json;
	int disabled;
};

static int mkdir_p(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
		return -1;
	}
	char *p = mc_strdup(dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

char *mc_cache_file_name(void)
{
	return mc_sprintf("facts-%s.sqlite", mc_facts_version());
}

/* A cache file of another version unused this long is only taking room. */
#define MC_CACHE_STALE_SECONDS (30 * 24 * 3600)

/*
 * Removes the databases of other facts versions that no run has used for a
 * month (the single facts.sqlite of versions before there was one file per
 * version too).  A version still in use keeps its file: removing a file a
 * running version has open would lose its writes.
 */
static void prune_other_versions(const char *dir, const char *ours)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	time_t now = time(NULL);
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		if (strncmp(n, "facts", 5) != 0 || strncmp(n, ours, strlen(ours)) == 0 || !strstr(n, ".sqlite"))
			continue;
		char *path = mc_sprintf("%s/%s", dir, n);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && now - st.st_mtime > MC_CACHE_STALE_SECONDS)
			unlink(path);
		free(path);
	}
	closedir(d);
}

char *mc_cache_default_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && *xdg == '/')
		return mc_sprintf("%s/migcompat", xdg);
	const char *home = getenv("HOME");
	if (home && *home)
		return mc_sprintf("%s/.cache/migcompat", home);
	return NULL;
}

static int exec_sql(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static int quick_check_ok(sqlite3 *db)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL) != SQLITE_OK)
		return 0;
	int ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
		 strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	sqlite3_finalize(st);
	return ok;
}

/* Is this our database, of this format?  1 yes, 0 empty (new), -1 foreign or damaged (pages included). */
static int check_format(sqlite3 *db, const char *format)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) != SQLITE_OK)
		return -1;
	int tables = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (tables == 0)
		return 0;
	if (tables < 0 || sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'format'", -1, &st, NULL) != SQLITE_OK)
		return -1;
	int ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
		 strcmp((const char *)sqlite3_column_text(st, 0), format) == 0;
	sqlite3_finalize(st);
	return ok && quick_check_ok(db) ? 1 : -1;
}

static int create_schema(sqlite3 *db, const char *format)
{
	if (exec_sql(db, "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
			 "CREATE TABLE IF NOT EXISTS facts (key TEXT PRIMARY KEY, json TEXT NOT NULL);") != SQLITE_OK)
		return -1;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, format, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

static int open_db(sqlite3 **db, const char *path)
{
	if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(*db, 30000);
	exec_sql(*db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
	return 0;
}

/*
 * Checks the file and creates the schema in one write transaction, so that two
 * runs starting on a cold cache never see each other's half-made schema.
 * Returns 1 ready, -1 foreign or damaged, -2 unusable (message set).
 */
static int prepare_db(sqlite3 *db, const char *path, const char *format)
{
	if (exec_sql(db, "BEGIN IMMEDIATE") != SQLITE_OK) {
		int code = sqlite3_errcode(db);
		if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
			return -1;
		mc_error_set("cannot use cache %s: %s", path, sqlite3_errmsg(db));
		return -2;
	}
	int state = check_format(db, format);
	/* The selections table came after the first caches of this format: added to them too. */
	if ((state == 0 && create_schema(db, format) < 0) ||
	    (state >= 0 && exec_sql(db, "CREATE TABLE IF NOT EXISTS selections (key TEXT PRIMARY KEY, "
				      "text TEXT NOT NULL)") != SQLITE_OK)) {
		mc_error_set("cannot use cache %s: %s", path, sqlite3_errmsg(db));
		exec_sql(db, "ROLLBACK");
		return -2;
	}
	if (state < 0) {
		exec_sql(db, "ROLLBACK");
		return -1;
	}
	if (exec_sql(db, "COMMIT") != SQLITE_OK) {
		mc_error_set("cannot use cache %s: %s", path, sqlite3_errmsg(db));
		return -2;
	}
	return 1;
}

static void remove_db_files(const char *path)
{
	unlink(path);
	char *wal = mc_sprintf("%s-wal", path), *shm = mc_sprintf("%s-shm", path);
	unlink(wal);
	unlink(shm);
	free(wal);
	free(shm);
}

int mc_cache_open(mc_cache **out, const char *dir)
{
	if (mkdir_p(dir) < 0) {
		mc_error_set("cannot create cache directory %s: %s", dir, strerror(errno));
		return MC_EIO;
	}
	char *name = mc_cache_file_name();
	prune_other_versions(dir, name);
	char *path = mc_sprintf("%s/%s", dir, name);
	free(name);
	char *format = cache_format();
	sqlite3 *db = NULL;
	int state = -2;
	if (open_db(&db, path) < 0)
		mc_error_set("cannot open cache %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
	else
		state = prepare_db(db, path, format);
	if (state == -1) {
		/* Never trust a file we did not write: start over. */
		fprintf(stderr, "migcompat: cache %s is damaged or from another version; rebuilding it\n", path);
		sqlite3_close(db);
		db = NULL;
		remove_db_files(path);
		state = open_db(&db, path) < 0 ? -2 : prepare_db(db, path, format);
		if (state == -1)
			mc_error_set("cannot rebuild cache %s", path);
	}
	free(format);
	if (state != 1) {
		sqlite3_close(db);
		free(path);
		return MC_EIO;
	}
	mc_cache *c = mc_calloc(1, sizeof(*c));
	c->db = db;
	c->path = path;
	*out = c;
	return 0;
}

void mc_cache_free(mc_cache *c)
{
	if (!c)
		return;
	sqlite3_close(c->db);
	mc_strvec_free(&c->pending_keys);
	mc_strvec_free(&c->pending_json);
	free(c->path);
	free(c);
}

/* The text column of the row under key (sql selects it), or NULL; caller frees. */
static char *lookup(mc_cache *c, const char *sql, const char *key)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	char *text = NULL;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		text = mc_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return text;
}

mc_facts *mc_cache_get(mc_cache *c, const char *key)
{
	char *json = lookup(c, "SELECT json FROM facts WHERE key = ?", key);
	mc_facts *f = NULL;
	/* A row that does not decode is treated as a miss and rewritten after the parse. */
	if (json && mc_facts_from_json(&f, json) < 0)
		f = NULL;
	free(json);
	return f;
}

void mc_cache_put(mc_cache *c, const char *key, const mc_facts *f)
{
	if (c->disabled)
		return;
	mc_strvec_push(&c->pending_keys, key);
	mc_strvec_push_owned(&c->pending_json, mc_facts_to_json(f));
}

int mc_cache_flush(mc_cache *c)
{
	int rc = 0;
	if (!c->disabled && c->pending_keys.n) {
		sqlite3_stmt *st = NULL;
		if (exec_sql(c->db, "BEGIN IMMEDIATE") != SQLITE_OK ||
		    sqlite3_prepare_v2(c->db, "INSERT OR REPLACE INTO facts (key, json) VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK)
			rc = -1;
		for (size_t i = 0; rc == 0 && i < c->pending_keys.n; i++) {
			sqlite3_bind_text(st, 1, c->pending_keys.v[i], -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, c->pending_json.v[i], -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = -1;
			sqlite3_reset(st);
		}
		sqlite3_finalize(st);
		if (rc == 0 && exec_sql(c->db, "COMMIT") != SQLITE_OK)
			rc = -1;
		if (rc < 0) {
			mc_error_set("cannot write cache %s: %s", c->path, sqlite3_errmsg(c->db));
			exec_sql(c->db, "ROLLBACK");
			c->disabled = 1;
		}
	}
	mc_strvec_free(&c->pending_keys);
	mc_strvec_free(&c->pending_json);
	return rc < 0 ? MC_EIO : 0;
}

char *mc_cache_get_selection(mc_cache *c, const char *key)
{
	return lookup(c, "SELECT text FROM selections WHERE key = ?", key);
}

void mc_cache_put_selection(mc_cache *c, const char *key, const char *text)
{
	sqlite3_stmt *st;
	if (c->disabled ||
	    sqlite3_prepare_v2(c->db, "INSERT OR REPLACE INTO selections (key, text) VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	/* A selection that cannot be written is computed again next time. */
	(void)sqlite3_step(st);
	sqlite3_finalize(st);
}

/* A tree's file list is kept as a selection under its own kind of key: it depends on the tree id alone. */
static char *listing_key(const mc_oid *tree)
{
	char *text = mc_sprintf("migcompat listing 1 %s", tree->hex);
	char hex[41];
	mc_hash_text(text, strlen(text), hex);
	free(text);
	return mc_strdup(hex);
}

static char *listing_get(void *arg, const mc_oid *tree)
{
	char *key = listing_key(tree);
	char *text = mc_cache_get_selection(arg, key);
	free(key);
	return text;
}

static void listing_put(void *arg, const mc_oid *tree, const char *text)
{
	char *key = listing_key(tree);
	mc_cache_put_selection(arg, key, text);
	free(key);
}

void mc_cache_keep_listings(mc_cache *c, mc_repo *repo)
{
	mc_listing_cache lc = { listing_get, listing_put, c };
	mc_repo_set_listing_cache(repo, &lc);
}
