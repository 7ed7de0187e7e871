/*
 * catalog.c - the rule table and the dispatcher that runs the checks.
 *
 * The table is each rule's user page (--list-rules, --explain, SARIF).  The
 * checks list says which function produces which rules, and which checks ask
 * where names are written (model/mentions.h), so that only those run against
 * the recorders.
 */
#include "rules/catalog.h"
#include "rules/check.h"

#include <stdlib.h>
#include <string.h>

const mc_rule_info mc_rule_catalog[] = {
	{ "compat-missing", "error",
	  "A default changed for released machine types and no compat entry keeps the old value.",
	  "The effective default of a property changed for machine types that were already released, "
	  "and no entry in the machine compat arrays restores the old value, so migration between the "
	  "old and the new QEMU with such a machine type breaks.  One finding per declaration: it lists every "
	  "concrete type affected.  auto (or a -1 sentinel) against a concrete value is a warning: what auto "
	  "resolves to is known only at run time.",
	  "virtio-blk's num-queues default went from 1 to an automatic value; without "
	  "{ \"virtio-blk-device\", \"num-queues\", \"1\" } in hw_compat_5_1, pc-q35-5.1 guests change.",
	  "Add the suggested entry to the newest compat array (hw_compat_X_Y in hw/core/machine.c, or the "
	  "family array such as pc_compat_X_Y)." },
	{ "compat-wrong-value", "error",
	  "A compat entry exists but its value is not the old default.",
	  "The compat entry for the changed property does not restore the value older machine types had.  When "
	  "one of the two values is resolved at run time (auto, or a -1 sentinel) the tool cannot tell whether "
	  "they differ: a warning that says so.",
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
	  "does nothing.  A change that adds a type lacking the property under an existing entry is reported "
	  "on that change.  So is a value the property's parser rejects (\"maybe\" for a bool, \"4x\" for an "
	  "integer): QEMU aborts applying it too.",
	  "{ \"scsi-disk-base\", \"migrate-emulated-scsi-request\", \"false\" } while scsi-block lacks the property.",
	  "Name the type that declares the property, or mark the entry .optional = true." },
	{ "new-property-enabled", "warning",
	  "A new property on an existing type turns something on by default without a compat entry.",
	  "A property added to a type that already existed, whose default enables a feature (true, on, auto, "
	  "non-zero), changes what released machine types present to the guest unless a compat entry keeps it "
	  "off for them.  A reviewer decides.  A host-side knob (host-property in the conventions: ioeventfd, "
	  "iothreads) or a rename (a property of the same kind and default gone in the same change) is a note.",
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
	{ "vmstate-fields-changed", "error",
	  "A description's fields changed on the wire without a version bump or a subsection.",
	  "A field added, removed, reordered or resized in an existing VMStateDescription (or subsection) "
	  "changes the bytes of the section while its version stays the same: the old and the new QEMU no longer "
	  "read each other's stream, in both directions.  What is compared is what goes on the wire: a nested "
	  "struct by its own description (not by the C struct's size), VMSTATE_UNUSED(n) where an n-byte field "
	  "was, or a field renamed or retyped at the same size, is the same stream.  A new field with a test "
	  "function is judged as new state (vmstate-ungated).  A field that loses its test is now always sent: "
	  "quiet when the test read a property on by default that no compat entry turns off (the machine types "
	  "it was false for are gone), an error while an entry does, a warning when it read run-time state.  A "
	  "note on a description no versioned machine type contains.",
	  "VMSTATE_BOOL(root_scalable, IntelIOMMUState) inserted in the middle of iommu-intel's fields, version_id "
	  "still 1.",
	  "Put the new state into a subsection whose .needed reads a property the newest compat array turns off, "
	  "or keep VMSTATE_UNUSED(n) where a field is dropped." },
	{ "vmstate-version-raised", "error",
	  "A description's version_id was raised on a type that released machine types contain.",
	  "The older QEMU refuses a section whose version is above its own, whatever the machine type, so "
	  "migration back to it breaks.  A minimum_version_id raised above the old version_id refuses the older "
	  "QEMU's streams too.  A type that no versioned machine type contains (a board without versioned "
	  "machines) promises nothing across versions: a note.",
	  "arm_gicv3_its: version_id and minimum_version_id 0 -> 1 on a device of the versioned Arm virt machine.",
	  "Keep the version and send the new state in a subsection, or a field test, whose .needed reads a "
	  "property that the newest compat array turns off." },
	{ "vmstate-version-lowered", "error",
	  "A description's version_id was lowered.",
	  "The loader refuses a section whose version is above its own version_id: the new QEMU refuses every "
	  "stream the older one sends.",
	  "version_id 3 -> 2 in a revert that did not keep the version.",
	  "Keep the version (and load what the newer version added as unused)." },
	{ "vmstate-minimum-raised", "warning",
	  "A description's minimum_version_id was raised: streams of older releases are refused.",
	  "The loader refuses a section whose version is below minimum_version_id; streams of the versions in "
	  "between, which older releases send, no longer load.",
	  "minimum_version_id 2 -> 4 while releases still in use send version 3.",
	  "Keep the minimum as long as a supported release sends the older versions." },
	{ "vmstate-renamed", "error",
	  "A type's section has a new name.",
	  "A section is found by its description's .name: after a rename neither QEMU finds the section the "
	  "other sends.",
	  "dc->vmsd of a device points at a description named \"foo2\" where it was \"foo\".",
	  "Keep the old .name." },
	{ "vmstate-subsection-dropped", "error",
	  "A subsection the older QEMU sends is no longer in the description.",
	  "The loader refuses a subsection it does not know.  A second .subsections initializer in the same "
	  "description silently replaces the first.",
	  "Two .subsections = (...) lines in one VMStateDescription.",
	  "Keep the subsection (with a .needed that is false when there is nothing to send)." },
	{ "vmstate-unregistered", "error",
	  "A type that released machine types contain no longer registers its description.",
	  "The older QEMU sends the section; the new one has no handler for it and refuses the stream.",
	  "dc->vmsd = &vmstate_foo removed from foo's class_init.",
	  "Keep the registration, or keep a description of the same name that loads the old state." },
	{ "vmstate-subsection-name", "error",
	  "A subsection's name does not begin with its parent's name, or two subsections share one.",
	  "The loading side looks a subsection up only under its parent's name (QEMU's convention is "
	  "\"parent/part\"): a subsection of another name is never found and the stream is refused, even between "
	  "two equal QEMUs.  Of two subsections with one name it takes the first for both (a copied "
	  "initializer whose .name was not changed), so the second's bytes are misread.",
	  "\"vitio-balloon-device/page-poison\" under \"virtio-balloon-device\".",
	  "Name the subsection \"<parent name>/<part>\", once per parent." },
	{ "vmstate-ungated", "error",
	  "New state is sent to released machine types: no .needed, or one no compat entry turns off.",
	  "A new subsection, a new section on an existing type, or a new field with a test is sent whenever its "
	  ".needed (or test) says so; the older QEMU refuses it.  Without .needed: error.  When .needed reads a "
	  "property, the newest released compat array must set that property to a value that makes it false: "
	  "error otherwise, with the entry to add.  When it reads only run-time state, migration to the older "
	  "QEMU fails whenever that state holds: a warning.",
	  "A new subsection pckbd/extended_state whose .needed reads i8042's extended-state, with "
	  "{ \"i8042\", \"extended-state\", \"false\" } in hw_compat_6_0.",
	  "Gate it with a property (x-...) whose compat entry in the newest array turns it off." },
};
const size_t mc_rule_catalog_len = sizeof(mc_rule_catalog) / sizeof(mc_rule_catalog[0]);

const mc_rule_info *mc_rule_lookup(const char *id)
{
	for (size_t i = 0; i < mc_rule_catalog_len; i++)
		if (strcmp(mc_rule_catalog[i].id, id) == 0)
			return &mc_rule_catalog[i];
	return NULL;
}

typedef struct {
	void (*run)(const mc_check *c, mc_findings *out);
	int asks_mentions;  /* reads in->base_mentions / head_mentions */
} check_entry;

/* In this order; the findings are sorted afterwards, so the order only matters for collapsing duplicates. */
static const check_entry checks[] = {
	{ mc_rule_invariant, 0 },
	{ mc_rule_new_property, 0 },
	{ mc_rule_dangling, 1 },
	{ mc_rule_redundant, 0 },
	{ mc_rule_vmstate, 0 },
};

void mc_rules_run(const mc_rule_input *in, mc_findings *out)
{
	mc_check c;
	mc_check_init(&c, in);
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		checks[i].run(&c, out);
	mc_check_free(&c);
	mc_findings_finish(out);
}

void mc_rules_mention_questions(const mc_rule_input *in, mc_mention_questions *base_q,
				mc_mention_questions *head_q)
{
	mc_mentions brec, hrec;
	mc_mentions_recorder(&brec, base_q);
	mc_mentions_recorder(&hrec, head_q);
	mc_rule_input asking = *in;
	asking.base_mentions = &brec;
	asking.head_mentions = &hrec;
	mc_check c;
	mc_check_init(&c, &asking);
	mc_findings scratch = {0};
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (checks[i].asks_mentions)
			checks[i].run(&c, &scratch);
	mc_findings_free(&scratch);
	mc_check_free(&c);
	mc_mentions_free(&brec);
	mc_mentions_free(&hrec);
}
