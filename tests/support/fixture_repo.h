/*
 * fixture_repo.h - builds throw-away git repositories from fixtures/ with libgit2.
 *
 * Fixture layout (fixtures/<name>/):
 *   tree/                 the files of the first commit, branch "base"
 *   steps/<NN-slug>/      one commit per step, in name order; branch "<slug>"
 *       PARENT            one line: the slug of the parent step, or "base"
 *       MESSAGE           the commit message (may hold Fixes:/Cc: trailers)
 *       DELETE            optional: paths (one per line) removed from the parent's tree
 *       EMPTY             optional: if present the commit has an empty tree
 *       files/            files added or replaced, relative to the tree root
 * HEAD is left pointing at refs/heads/base.  Commit times are fixed, so the
 * ids are the same on every run.
 */
#ifndef MC_FIXTURE_REPO_H
#define MC_FIXTURE_REPO_H

/* out_dir must not exist or be empty; creates a repository with a work tree
 * checked out at base.  Returns 0, or -1 with a message on stderr. */
int mc_fixture_repo_build(const char *fixture_dir, const char *out_dir);

/* A fresh directory under $TMPDIR (or /tmp); caller frees. */
char *mc_test_tempdir(const char *tag);

/* rm -rf of a directory made by mc_test_tempdir. */
void mc_test_rmtree(const char *dir);

/*
 * Runs the migcompat binary ($MIGCOMPAT_BIN, else MC_BINARY_DIR/migcompat)
 * with argv (argv[0] is ignored), captures stdout and stderr (caller frees),
 * and returns the exit status (or -1 if it did not exit normally, e.g. a crash).
 */
int mc_test_run_tool(const char *const *argv, char **out, char **err);

/* The same for any program: bin is run (execv, no PATH search) with argv[1...]. */
int mc_test_run_program(const char *bin, const char *const *argv, char **out, char **err);

#endif
