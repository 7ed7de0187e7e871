/*
 * build.h - -p BUILD_DIR: the flags and generated headers of a configured build.
 *
 * Without a build, migcompat parses with flags from rules/qemu.conv and stub
 * headers.  With one, each file is parsed with the preprocessor flags its
 * compile_commands.json entry gives (-I, -iquote, -isystem, -idirafter,
 * -include, -D, -U, -std), so #ifdef CONFIG_* and the generated QAPI, trace
 * and config headers are the real ones.  Paths inside the source tree are
 * mapped to the virtual tree root (the analyzed revision's files still come
 * from git, never from the checkout); paths elsewhere (the build directory,
 * system headers) are read from disk by libclang, read only.
 *
 * The facts of a file parsed with a build depend on the build's headers, so
 * mc_build_digest() (compile_commands.json and every header under the build
 * directory) is part of their cache key.
 */
#ifndef MC_BUILD_H
#define MC_BUILD_H

#include "git/repo.h"
#include "util/util.h"

/* The virtual root under which a revision's files are given to libclang (tree.h serves them). */
#define MC_TREE_ROOT "/mc-tree"

typedef struct mc_build mc_build;

/*
 * Loads dir/compile_commands.json.  The source root is the directory whose
 * files, as the entries name them, exist in snap.  Fails with a one-line
 * message when the file is missing or malformed or matches no file of snap.
 */
int mc_build_open(mc_build **out, const char *dir, const mc_snapshot *snap);
void mc_build_free(mc_build *b);

/* The translated flags for a repository-relative path, or NULL when the build does not compile it. */
const mc_strvec *mc_build_flags(const mc_build *b, const char *path);
/* The directories of the source tree the file's command searches, in order (repository-relative, "" for the root). */
const mc_strvec *mc_build_tree_dirs(const mc_build *b, const char *path);
/* Tree files the file's command includes with -include or -imacros (repository-relative). */
const mc_strvec *mc_build_forced_includes(const mc_build *b, const char *path);
/* 40 hex digits: the build's part of a facts key. */
const char *mc_build_digest(const mc_build *b);
/* Number of files the build compiles that exist in the snapshot. */
size_t mc_build_files(const mc_build *b);

/* Splits a shell command line into words (quotes and backslashes as sh does, no expansion). */
int mc_build_split_command(const char *command, mc_strvec *out);

#endif
