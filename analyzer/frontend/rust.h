/*
 * rust.h - Rust sources of a revision -> mc_facts, read as text.
 *
 * QEMU's Rust devices (rust/hw/: pl011, hpet) register QOM types and qdev
 * properties through traits and macros that only rustc expands.  No Rust
 * toolchain is run and nothing of the tree is executed: the crate's text is
 * scanned (util/rscan.h) and these forms are read, as QEMU 10.0 to 11.0
 * write them:
 *
 *   unsafe impl ObjectType for X { const TYPE_NAME: &CStr = EXPR; }
 *   impl ObjectImpl for X { type ParentType = P; const ABSTRACT: bool = ...; }
 *         -> a QOM type registration: name and parent through TYPE_NAME
 *   #[derive(..., Device)] struct X { #[property(rename = "n", bit = B, default = V)] f: T, }
 *         -> the Property array of X (10.2 and later)
 *   declare_properties! { NAME, define_property!(c"n", X, f, &qdev_prop_*, T, bit = B, default = V), }
 *   impl DeviceImpl for X { fn properties() -> &'static [Property] { &NAME } }
 *         -> the Property array NAME, attached to X (10.0, 10.1)
 *
 * An expression (TYPE_NAME, a default) is valued when it is a literal
 * (c"x", c_str!("x"), 3, 0x10_u32, true), a constant of the crate at module
 * level, or arithmetic, casts and parentheses over those; anything else is a
 * symbolic default (the model lists it as not analysed).  A crate is the
 * directory holding src/: a file's facts depend on every .rs file of its
 * crate (constants such as TYPE_PL011 live in lib.rs).
 *
 * What is not read: items inside inline modules and functions, macros other
 * than the two above, trait impls through generics or paths (<X as Y>), and
 * parents that the crate names only through C bindings (bindings::
 * TYPE_SYS_BUS_DEVICE): those are kept as parent_binding for the model to
 * resolve.
 *
 * In:     the conventions (rust-source, and the kind of each qdev_prop_*),
 *         the crate's texts.
 * Out:    mc_facts with rust = 1; the class_init of a type X is named
 *         "<crate>::X", so that the model joins types, attaches and arrays
 *         within a crate only.
 * Memory: the facts are the caller's (mc_facts_free).
 */
#ifndef MC_RUST_H
#define MC_RUST_H

#include "model/conv.h"
#include "model/facts.h"
#include "frontend/tree.h"

/* Is path a Rust source the conventions' rust-source lines cover (a .rs file under a crate's src/)? */
int mc_rust_is_source(const mc_conv *conv, const char *path);

/* Length of the crate root of path ("rust/hw/char/pl011/src/"); 0 when path is in no crate's src/. */
size_t mc_rust_crate_root(const mc_conv *conv, const char *path);

/* Can a Rust source's text declare a QOM type or qdev properties (is it worth reading)? */
int mc_rust_wants(const char *text, size_t len);

/* One file of a crate: its text, or NULL and why it cannot be read. */
typedef struct {
	const char *path;
	const char *text;   /* borrowed; NULL: unreadable */
	size_t len;
	const char *why;    /* when text is NULL */
} mc_rust_file;

/*
 * The facts of files[which], read with its whole crate in view (files[0..n)).
 * Never fails: what cannot be read is said in the facts (an incomplete
 * array, a symbolic default, an unreadable crate file in refused_headers).
 */
void mc_rust_read(mc_facts **out, const mc_conv *conv, const mc_rust_file *files, size_t n, size_t which);

/* The .rs files of path's crate in snap, in path order (none when path is in no crate). */
void mc_rust_crate_paths(const mc_conv *conv, const mc_snapshot *snap, const char *path, mc_strvec *out);

/* The "path:blob" of every .rs file of path's crate in the tree, sorted: what its facts depend on. */
void mc_rust_deps(const mc_tree *tree, const char *path, mc_strvec *deps);

/* mc_rust_read over path's crate as the tree holds it. */
void mc_rust_read_tree(mc_facts **out, mc_tree *tree, const char *path);

#endif
