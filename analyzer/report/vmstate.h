/*
 * vmstate.h - the VMState of every device type of one revision, from source:
 * `show --vmstate`.
 *
 * JSON is the schema of QEMU's -dump-vmstate (migration/savevm.c,
 * dump_vmstate_json_to_file) so that QEMU's scripts/vmstate-static-checker.py
 * reads it: an object keyed by type name, each {Name, version_id,
 * minimum_version_id, Description}, a Description {name, version_id,
 * minimum_version_id, Fields?, Subsections?}, a field {field, version_id,
 * field_exists, size, Description?}, nested as QEMU nests them, plus the
 * "vmschkmachine" entry the checker expects.  Every type is listed that has
 * a description through a conventions' vmstate-member, its own or
 * inherited, abstract ones too, as QEMU lists every device class.  What
 * could not be read is said on stderr (JSON) or at the end (text), never
 * left out silently.
 */
#ifndef MC_REPORT_VMSTATE_H
#define MC_REPORT_VMSTATE_H

#include <stdio.h>
#include "frontend/analysis.h"
#include "report/report.h"

/* type: only this type, or NULL.  MC_EINPUT (message set) for a type the revision lacks. */
int mc_vmstate_write(FILE *out, FILE *notes, mc_format fmt, const mc_model *m, const char *rev_name,
		     const char *type);

#endif
