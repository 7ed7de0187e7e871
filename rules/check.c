/*
 * check.c - the comparison context shared by the rules, and the rule catalog.
 */
#include "rules/rules.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const mc_rule_info mc_rule_catalog[] = {
	{ "compat-missing", "error",
	  "A default changed for released machine types and no compat entry keeps the old value.",
	  "The effective default of a property changed for machine types that were already released, "
	  "and no entry in the machine compat arrays restores the old value, so migration between the "
	  "old and the new QEMU with such a machine type breaks.",
	  "virtio-blk's num-queues default went from 1 to an automatic value; without "
	  "{ \"virtio-blk-device\", \"num-queues\", \"1\" } in hw_compat_5_1, pc-q35-5.1 guests change.",
	  "Add the suggested entry to the newest compat array (hw_compat_X_Y in hw/core/machine.c, or the "
	  "family array such as pc_compat_X_Y)." },
	{ "compat-wrong-value", "error",
	  "A compat entry exists but its value is not the old default.",
	  "The compat entry for the changed property does not restore the value older machine types had.",
	  "{ \"virtio-blk-device\", \"num-queues\", \"2\" } when the old default was 1.",
	  "Set the entry's value to the old default shown in the finding." },
	{ "compat-wrong-array", "error",
	  "The compat entry sits in an array older than the newest, so the machines in between change.",
	  "Machine X.Y applies the compat arrays of every version >= X.Y.  An entry put into an older array "
	  "leaves the machine types between that array and the newest one with the new value.  A fix of a "
	  "regression that already shipped (Fixes: a released commit, or Cc: qemu-stable) is placed in the "
	  "older array on purpose; then this is a note.",
	  "vmport x-read-set-eax went into hw_compat_4_2 while hw_compat_5_0 was the newest array.",
	  "Move the entry to the newest array named in the finding." },
	{ "compat-uncovered-type", "error",
	  "Compat entries cover some concrete types that have the property, but not all.",
	  "An entry applies to its driver type and every subtype.  Naming a sibling (virtio-rng-pci instead of "
	  "its base), a proxy instead of the device, or a child instead of the parent leaves other concrete "
	  "types with the new value.",
	  "An entry on virtio-rng-pci does not reach virtio-rng-pci-transitional.",
	  "Name the type that declares the property (or list every uncovered type)." },
	{ "compat-dangling", "error",
	  "A compat entry names a type or property that does not exist.",
	  "QEMU aborts when a machine compat entry names a property that an object of the driver type (or a "
	  "concrete subtype) lacks, unless the entry is .optional = true; an entry whose type does not exist "
	  "does nothing.",
	  "{ \"scsi-disk-base\", \"migrate-emulated-scsi-request\", \"false\" } while scsi-block lacks the property.",
	  "Name the type that declares the property, or mark the entry .optional = true." },
	{ "new-property-enabled", "warning",
	  "A new property on an existing type turns something on by default without a compat entry.",
	  "A property added to a type that already existed, whose default enables a feature (true, on, auto, "
	  "non-zero), changes what released machine types present to the guest unless a compat entry keeps it "
	  "off for them.  A reviewer decides.",
	  "virtio-rng-pci got 'vectors' = 2 (MSI-X) in 7.2 without an entry for older machines.",
	  "Add an entry with the value that keeps the old behaviour, or explain why the guest cannot see it." },
	{ "compat-redundant", "note",
	  "A compat entry's value now equals the class default.",
	  "The entry restores the value the property has anyway; it may be left over from a reverted change.",
	  "{ \"foo\", \"bar\", \"on\" } while foo's bar defaults to true.",
	  "Remove the entry if nothing else depends on it." },
	{ "default-unknown", "note",
	  "A default could not be evaluated statically.",
	  "The default of a property is not a constant migcompat can evaluate (a value computed at run time, a "
	  "missing generated header).  The change could not be judged.",
	  "DEFINE_PROP_UINT32(\"x\", S, f, some_runtime_value)",
	  "Check the change by hand." },
};
const size_t mc_rule_catalog_len = sizeof(mc_rule_catalog) / sizeof(mc_rule_catalog[0]);

const mc_rule_info *mc_rule_lookup(const char *id)
{
	for (size_t i = 0; i < mc_rule_catalog_len; i++)
		if (strcmp(mc_rule_catalog[i].id, id) == 0)
			return &mc_rule_catalog[i];
	return NULL;
}

char *mc_check_entry_key(const mc_compat_set *set, const mc_compat_entry *e)
{
	return mc_sprintf("%s|%d.%d|%s|%s|%s", set->family, set->major, set->minor, e->driver, e->property, e->value);
}

int mc_check_entry_is_new(const mc_check *c, const mc_compat_set *set, const mc_compat_entry *e)
{
	char *key = mc_check_entry_key(set, e);
	int found = mc_map_get(&c->base_entries, key) != NULL;
	free(key);
	return !found;
}

/* A released commit fixed by this change: it is in base, and base has released past it. */
static int fixes_released(mc_check *c, const char *sha)
{
	mc_oid fixed;
	if (!c->repo || mc_repo_resolve(c->repo, &fixed, sha) < 0 ||
	    mc_oid_is_zero(&c->base->snap->commit))
		return 0;
	if (mc_repo_is_ancestor(c->repo, &fixed, &c->base->snap->commit) != 1)
		return 0;
	mc_snapshot *snap;
	if (mc_snapshot_from_commit(&snap, c->repo, &fixed, sha) < 0)
		return 0;
	int released = 0;
	const mc_file *vf = mc_snapshot_find(snap, "VERSION");
	char *data;
	size_t len;
	int maj, min, mic, bmaj, bmin;
	if (vf && mc_snapshot_read(snap, vf, 64, &data, &len) == 0) {
		if (sscanf(data, "%d.%d.%d", &maj, &min, &mic) == 3 && mc_model_released(c->bm, &bmaj, &bmin)) {
			/* X.Y.50+ is development of the next release. */
			int cmp = mc_version_cmp(bmaj, bmin, maj, min);
			released = mic >= 50 ? cmp > 0 : cmp >= 0;
		}
		free(data);
	}
	mc_snapshot_free(snap);
	return released;
}

/* The trailer that makes a message a fix of a released regression, or NULL; caller frees. */
static char *stable_trailer(mc_check *c, const char *message)
{
	char *reason = NULL;
	const char *p = message;
	while (p && *p && !reason) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *line = mc_strndup(p, len);
		if (strncasecmp(line, "Cc:", 3) == 0 && strstr(line, "qemu-stable")) {
			reason = mc_strdup(line);
		} else if (strncmp(line, "Fixes:", 6) == 0) {
			const char *s = line + 6;
			while (*s == ' ')
				s++;
			size_t n = 0;
			while (n < 40 && isxdigit((unsigned char)s[n]))
				n++;
			char sha[41];
			memcpy(sha, s, n);
			sha[n] = '\0';
			if (n >= 7 && fixes_released(c, sha))
				reason = mc_strdup(line);
		}
		free(line);
		p = eol ? eol + 1 : NULL;
	}
	return reason;
}

/* Does the file at commit hold this entry (its quoted property next to its value)? */
static int commit_has_entry(mc_check *c, const mc_oid *commit, const mc_compat_entry *e)
{
	char *data;
	size_t len;
	if (mc_repo_read_path(c->repo, commit, e->file, 0, &data, &len) < 0)
		return 0;
	char *quoted = mc_sprintf("\"%s\"", e->property);
	int has = strstr(data, quoted) != NULL;
	free(quoted);
	free(data);
	return has;
}

/*
 * For a range of many commits the trailers of any commit would excuse every
 * entry: find the commit of the range that introduced the entry (the oldest
 * one touching its file that has it) and read that one's trailers.
 */
const char *mc_check_stable_reason(mc_check *c, const mc_compat_entry *e)
{
	if (!c->per_entry_stable)
		return c->stable_reason;
	char *key = mc_sprintf("%s|%s", e->file ? e->file : "", e->property);
	char *cached = mc_map_get(&c->stable_by_entry, key);
	if (!cached) {
		mc_oid *commits = NULL;
		size_t n = 0;
		char *reason = NULL;
		if (e->file && mc_repo_log_path(c->repo, &c->head->snap->commit, &c->base->snap->commit, e->file, 100,
						&commits, &n) == 0) {
			/* newest first: walk back while the entry is there */
			size_t intro = n;
			for (size_t i = 0; i < n && commit_has_entry(c, &commits[i], e); i++)
				intro = i;
			char *msg = NULL;
			if (intro < n && mc_repo_commit_message(c->repo, &commits[intro], &msg) == 0)
				reason = stable_trailer(c, msg);
			free(msg);
			free(commits);
		}
		cached = reason ? reason : mc_strdup("");
		mc_map_put(&c->stable_by_entry, key, cached);
	}
	free(key);
	return *cached ? cached : NULL;
}

int mc_check_init(mc_check *c, mc_repo *repo, const mc_revision *base, const mc_revision *head,
		  const char *messages, int per_entry_stable)
{
	memset(c, 0, sizeof(*c));
	c->repo = repo;
	c->base = base;
	c->head = head;
	c->bm = base->model;
	c->hm = head->model;
	c->nversions = mc_versions_compared(c->bm, c->hm, &c->versions);
	/* A family that appears only at head is a new machine: none of its versions was released. */
	for (size_t i = 0; i < c->bm->families.n; i++)
		if (mc_strvec_contains(&c->hm->families, c->bm->families.v[i]))
			mc_strvec_push(&c->families, c->bm->families.v[i]);
	mc_strvec_sort(&c->families);
	for (size_t i = 0; i < c->bm->nsets; i++)
		for (size_t j = 0; j < c->bm->sets[i].nentries; j++) {
			char *key = mc_check_entry_key(&c->bm->sets[i], c->bm->sets[i].entries[j]);
			mc_map_put(&c->base_entries, key, (void *)c->bm->sets[i].entries[j]);
			free(key);
		}
	c->per_entry_stable = per_entry_stable && repo && !mc_oid_is_zero(&head->snap->commit) &&
			      !mc_oid_is_zero(&base->snap->commit);
	if (!c->per_entry_stable && messages) {
		c->stable_reason = stable_trailer(c, messages);
		c->stable_fix = c->stable_reason != NULL;
	}
	return 0;
}

void mc_check_free(mc_check *c)
{
	free(c->versions);
	mc_strvec_free(&c->families);
	mc_map_free(&c->base_entries);
	free(c->stable_reason);
	MC_MAP_FOREACH(&c->stable_by_entry, i)
		free(c->stable_by_entry.vals[i]);
	mc_map_free(&c->stable_by_entry);
	memset(c, 0, sizeof(*c));
}

void mc_check_run(mc_check *c, mc_findings *out)
{
	mc_rule_invariant(c, out);
	mc_rule_new_property(c, out);
	mc_rule_dangling(c, out);
	mc_rule_redundant(c, out);
	mc_findings_finish(out);
}

void mc_check_suggest_array(const mc_check *c, const char *family, char **array, char **file, int *missing)
{
	int rmaj = -1, rmin = -1;
	mc_model_released(c->bm, &rmaj, &rmin);
	const mc_compat_set *newest = mc_model_newest_set(c->hm, family);
	*missing = 0;
	if (newest && (rmaj < 0 || (newest->major == rmaj && newest->minor == rmin))) {
		*array = mc_strdup(newest->name);
		*file = mc_strdup(newest->file);
		return;
	}
	/* The array for the release just made does not exist yet. */
	*missing = newest != NULL || rmaj >= 0;
	int maj = rmaj >= 0 ? rmaj : (newest ? newest->major : 0);
	int min = rmaj >= 0 ? rmin : (newest ? newest->minor : 0);
	if (newest && mc_str_startswith(newest->name, "hw_compat_"))
		*array = mc_sprintf("hw_compat_%d_%d", maj, min);
	else if (newest && strstr(newest->name, "_compat_"))
		*array = mc_sprintf("%.*s%d_%d", (int)(strstr(newest->name, "_compat_") - newest->name + 8),
				    newest->name, maj, min);
	else
		*array = mc_sprintf("%s_compat_%d_%d", family, maj, min);
	*file = mc_strdup(newest ? newest->file : "");
}

char *mc_check_versions_text(const mc_version *v, size_t n)
{
	if (n == 0)
		return mc_strdup("none");
	/* v is newest first */
	if (n == 1)
		return mc_sprintf("%d.%d", v[0].major, v[0].minor);
	return mc_sprintf("%d.%d to %d.%d", v[n - 1].major, v[n - 1].minor, v[0].major, v[0].minor);
}

size_t mc_check_added_entries(const mc_check *c, const mc_subject *s, const char *prop, int applying,
			      mc_entry_ref *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < c->hm->nsets && n < max; i++) {
		/* Machine-wide defaults are not compat entries for older versions. */
		if (c->hm->sets[i].major == MC_VERSION_DEFAULTS)
			continue;
		for (size_t j = 0; j < c->hm->sets[i].nentries && n < max; j++) {
			const mc_compat_entry *e = c->hm->sets[i].entries[j];
			if (strcmp(e->property, prop) != 0 || !mc_check_entry_is_new(c, &c->hm->sets[i], e))
				continue;
			if (mc_entry_applies(c->hm, e, s, prop) != applying)
				continue;
			out[n].set = &c->hm->sets[i];
			out[n].e = e;
			n++;
		}
	}
	return n;
}

/* The oldest version of a family's machines at a revision ("hw": all generic arrays). */
static int oldest_of(const mc_model *m, const char *family, int *major, int *minor)
{
	int found = 0;
	for (size_t i = 0; i < m->nsets; i++) {
		const mc_compat_set *s = &m->sets[i];
		if (s->major == MC_VERSION_DEFAULTS || strcmp(s->family, family) != 0)
			continue;
		if (!found || mc_version_cmp(s->major, s->minor, *major, *minor) < 0) {
			*major = s->major;
			*minor = s->minor;
			found = 1;
		}
	}
	return found;
}

int mc_check_machine_exists(const mc_check *c, const char *family, const mc_version *v)
{
	/* Old machines are deleted with their arrays: below a family's oldest array at head
	 * (or at base) the machine does not exist on both sides. */
	const mc_model *models[2] = { c->bm, c->hm };
	for (int k = 0; k < 2; k++) {
		int maj = 0, min = 0;
		if (oldest_of(models[k], family, &maj, &min) && mc_version_cmp(v->major, v->minor, maj, min) < 0)
			return 0;
	}
	return 1;
}
