/*
 * show.h - the effective default of every property of every concrete type
 * under one machine version, from source alone.
 */
#ifndef MC_SHOW_H
#define MC_SHOW_H

#include <stdio.h>
#include "frontend/analysis.h"
#include "report/report.h"

typedef struct {
	const char *family;     /* "pc", ...; NULL: the model's generic_family ("hw", generic machines) */
	int major, minor;       /* machine version; -1 = the newest machine (class defaults only) */
	const char *type;       /* only this type (and what it embeds), or NULL */
} mc_show_opts;

/* Parses "5.1" into major/minor; MC_EINPUT with a message otherwise. */
int mc_show_parse_machine(const char *text, int *major, int *minor);

int mc_show_write(FILE *out, mc_format fmt, const mc_revision *rev, const char *rev_name, const mc_show_opts *o);

#endif
