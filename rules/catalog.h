/*
 * catalog.h - every rule's public page: id, severity, what it finds, an
 * example and the fix.  Feeds --list-rules, --explain, SARIF and the
 * suppression file's validation.
 */
#ifndef MC_CATALOG_H
#define MC_CATALOG_H

#include <stddef.h>

typedef struct {
	const char *id;
	const char *severity;
	const char *summary;
	const char *description;
	const char *example;
	const char *fix;
} mc_rule_info;

extern const mc_rule_info mc_rule_catalog[];
extern const size_t mc_rule_catalog_len;
/* The rule with this id, or NULL. */
const mc_rule_info *mc_rule_lookup(const char *id);

#endif
