/*
 * cache.h - facts of parsed files kept across runs, in SQLite.
 *
 * One database file per facts version in a cache directory, so that two
 * versions of the tool sharing it (a packaged one and a developer's build, a
 * bot and a hook) keep their own facts instead of rebuilding each other's;
 * another version's file unused for a month is removed.  A value is the JSON form of one
 * file's facts, under a key that hashes everything those facts depend on
 * (analysis.c), so a hit is always safe to reuse.  Concurrent runs share the
 * file through SQLite's locking (WAL, busy timeout).  A corrupt or foreign
 * file is rebuilt with a one-line notice; when the cache cannot be written at
 * all (read-only directory, full disk) the run goes on without it and says so.
 */
#ifndef MC_CACHE_H
#define MC_CACHE_H

#include "model/facts.h"
#include "util/util.h"

typedef struct mc_cache mc_cache;

/* "facts-<mc_facts_version()>.sqlite": this version's file in a cache directory; caller frees. */
char *mc_cache_file_name(void);
/* Opens or creates dir/mc_cache_file_name().  On failure returns MC_EIO with the reason. */
int mc_cache_open(mc_cache **out, const char *dir);
void mc_cache_free(mc_cache *c);

/* The facts stored under key, or NULL. */
mc_facts *mc_cache_get(mc_cache *c, const char *key);
/* Queues facts for writing (copied to JSON now); mc_cache_flush writes them in one transaction. */
void mc_cache_put(mc_cache *c, const char *key, const mc_facts *f);
/* Returns 0, or MC_EIO when writing failed (the cache then stays disabled for this run). */
int mc_cache_flush(mc_cache *c);

/*
 * What a check of two commits selected (analysis.c): the paths and facts keys
 * of each side, as text, under a key hashing the commits, the conventions and
 * the tool's version.  NULL when absent; caller frees.
 */
char *mc_cache_get_selection(mc_cache *c, const char *key);
/* Written at once; a failure only costs recomputing it next time. */
void mc_cache_put_selection(mc_cache *c, const char *key, const char *text);

/*
 * Keeps the file lists of repo's trees in c too (git/repo.h's listing
 * cache), by tree id: a tree's list never changes.  c must outlive repo's
 * snapshots' creation.
 */
#include "git/repo.h"
void mc_cache_keep_listings(mc_cache *c, mc_repo *repo);

/* The default directory: $XDG_CACHE_HOME/migcompat or $HOME/.cache/migcompat; caller frees. */
char *mc_cache_default_dir(void);

#endif
