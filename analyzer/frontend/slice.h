/*
 * slice.h - the files of a check that can change its verdict.
 *
 * A check compares two snapshots.  Files whose facts are the same on both
 * sides matter only through the types and compat lists they share with what
 * changed, so the slice starts from
 *   - the candidate .c files whose blob differs, or whose #include lines
 *     reach (transitively, by path suffix) a header that differs;
 *   - every file that can hold a compat list (all of them are needed to
 *     know the machine versions and the effective values);
 * and grows, from the models built on it, to a fixed point with
 *   - every file that writes the name of a type that changed, of a driver
 *     of an added or removed compat entry, of a type declaring a property
 *     whose default or entries changed (their subtypes and the proxies
 *     that alias them), spelled as the string or as any macro expanding to
 *     it;
 *   - the file registering each ancestor and embedded type of a type in the
 *     slice (lines that name a type: ".name =", OBJECT_DEFINE..., DEFINE_...);
 *   - the files naming a class_init function or a Property array that a
 *     type of the slice uses but its own file lacks, and those naming a
 *     non-static Property array of the slice (its type may be elsewhere).
 * A Rust source stands for its crate: the crate's files are indexed under it
 * (identifiers also as quoted names), a change to any of them affects every
 * Rust source of the crate, any mention of a name in a crate may register
 * it, and a Rust type whose parent is a C binding needs the C registration
 * of its own name; the slice grows from the models of the build with Rust
 * devices too.
 * The rules are differential: a type outside the slice has the same record
 * at both revisions, and no entry that changed reaches it.  When a name
 * cannot be searched for (built by macro concatenation) or the QAPI schema
 * changed (every key changes), the slice gives up: parse everything.
 */
#ifndef MC_SLICE_H
#define MC_SLICE_H

#include "model/model.h"
#include "frontend/tree.h"

/*
 * Saved selections (analysis.c) are reused by key: bump this when what the
 * slice selects changes, so that a selection made by an older rule is not.
 */
/* 4: Rust crates; 5: a changed file of any name is looked for in #include lines; 6: files adding QOM
 * properties by code; 7: files that only define VMStateDescriptions are candidates */
#define MC_SLICE_VERSION 7

typedef struct mc_slice mc_slice;

/*
 * wanted_* are the candidate files of each revision (sorted), as the full
 * analysis selects them.  Always succeeds; see mc_slice_exact.
 */
void mc_slice_open(mc_slice **out, mc_tree *base, mc_tree *head, const mc_strvec *wanted_base,
		   const mc_strvec *wanted_head);
void mc_slice_free(mc_slice *s);

/* 0 when the slice cannot be made exact: parse every candidate file instead. */
int mc_slice_exact(const mc_slice *s);
/*
 * The basenames that the #include lines of both trees' C sources name and
 * that are not C text themselves (".def", ".h.in"), sorted; NULL when the
 * change did not make the slice read every include line (only candidates
 * changed).  A change to a file of another name reaches no includer.
 */
const mc_strvec *mc_slice_odd_includes(const mc_slice *s);
/* The selection so far, sorted. */
const mc_strvec *mc_slice_paths(const mc_slice *s);
/* Number of candidate files of both revisions together. */
size_t mc_slice_candidates(const mc_slice *s);

/*
 * Grows the selection from the models of both revisions built on it.
 * Returns the number of files added (0: fixed point reached).
 */
size_t mc_slice_grow(mc_slice *s, const mc_model *bm, const mc_model *hm);

#endif
