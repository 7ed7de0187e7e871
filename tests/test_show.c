/*
 * test_show.c - `migcompat show` (effective defaults under a machine version)
 * and `migcompat audit`, end to end on fixtures/example.
 *
 * The fixture is built once into a temporary git repository; the runs share
 * one temporary --cache directory (removed at the end), so nothing is written
 * outside it.  What is checked:
 *  - show --format json: {rev, commit, machine, family, types: [{type,
 *    inside, properties: [{name, kind, value, source}]}]}, and the effective
 *    values the fixture's README gives: at `good`, machine 10.1 sees
 *    num-queues 1 from hw_compat_10_1 and the newest machine 65535 from the
 *    class default; at `base`, machine 9.2 sees 1 from the default and the
 *    older arrays apply to it (a machine applies every array of its version
 *    and newer);
 *  - the text format, one "TYPE.PROP = VALUE  [KIND, SOURCE]" line per
 *    property, agreeing with the JSON;
 *  - a malformed --machine: exit 2 and one "migcompat: " line on stderr;
 *  - audit of base: exit 0, valid JSON, no findings; audit of `dangling`:
 *    compat-dangling for virtio-blk-device.no-such-prop, exit 1.
 * Line numbers are read from the fixture files, never written here.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_repo.h"
#include "test_util.h"

#define MACHINE_C "hw/core/machine.c"
#define VIRTIO_BLK_C "hw/block/virtio-blk.c"
#define BLK "virtio-blk-device"

static struct {
	char *tmp;
	char *repo;
	char *cache;
} g;

/*
 * The arena (released after every test), fixture lines, JSON parsing and
 * mc_test_run_result come from tests/support/test_util.h.
 */

/* ---- running the tool ------------------------------------------------- */

/* Runs migcompat CMD --repo R --cache C ARGS...; args end with NULL. */
static mc_test_result run(const char *cmd, ...)
{
	const char *argv[32];
	int n = 0;
	argv[n++] = "migcompat";
	argv[n++] = cmd;
	argv[n++] = "--repo";
	argv[n++] = g.repo;
	argv[n++] = "--cache";
	argv[n++] = g.cache;
	va_list ap;
	va_start(ap, cmd);
	const char *a;
	while ((a = va_arg(ap, const char *)) != NULL) {
		if (n == 31)
			fail_msg("too many arguments");
		argv[n++] = a;
	}
	va_end(ap);
	argv[n] = NULL;
	return mc_test_run_result(argv);
}

/* A successful run: exit 0 (or want_rc), nothing on stderr. */
static void expect_ok(const mc_test_result *r, int want_rc, const char *what)
{
	if (r->rc != want_rc)
		fail_msg("%s: exit %d, want %d\nstdout:\n%.2000s\nstderr:\n%s", what, r->rc, want_rc, r->out, r->err);
	if (*r->err)
		fail_msg("%s: unexpected stderr:\n%s", what, r->err);
}

/* ---- show ----------------------------------------------------------------- */

/* show --format json [--machine M] --type T REV, checked against the output contract. */
static json_t *show_json(const char *rev, const char *machine, const char *type)
{
	const char *what = mc_test_ksprintf("show --format json%s%s --type %s %s", machine ? " --machine " : "",
					    machine ? machine : "", type, rev);
	mc_test_result r = machine ? run("show", "--format", "json", "--machine", machine, "--type", type, rev, NULL)
				   : run("show", "--format", "json", "--type", type, rev, NULL);
	expect_ok(&r, 0, what);
	json_t *root = mc_test_parse_json_object(r.out, what);
	if (!mc_test_jstr(root, "rev") || strcmp(mc_test_jstr(root, "rev"), rev))
		fail_msg("%s: rev is '%s', want '%s'", what,
			 mc_test_jstr(root, "rev") ? mc_test_jstr(root, "rev") : "(none)", rev);
	if (!mc_test_is_hex40(mc_test_jstr(root, "commit")))
		fail_msg("%s: commit is not a 40-digit hex id", what);
	const char *want_machine = machine ? machine : "newest";
	if (!mc_test_jstr(root, "machine") || strcmp(mc_test_jstr(root, "machine"), want_machine))
		fail_msg("%s: machine is '%s', want '%s'", what,
			 mc_test_jstr(root, "machine") ? mc_test_jstr(root, "machine") : "(none)", want_machine);
	if (!mc_test_jstr(root, "family") || strcmp(mc_test_jstr(root, "family"), "hw"))
		fail_msg("%s: family is '%s', want 'hw' (the default)", what,
			 mc_test_jstr(root, "family") ? mc_test_jstr(root, "family") : "(none)");
	/* The whole tree's coverage, as check and audit report it. */
	json_t *cov = json_object_get(root, "coverage");
	if (!json_is_integer(json_object_get(cov, "property_arrays")) ||
	    json_integer_value(json_object_get(cov, "property_arrays")) < 1 ||
	    !json_is_array(json_object_get(cov, "unanalysed")))
		fail_msg("%s: no coverage object with property_arrays and unanalysed", what);
	json_t *types = json_object_get(root, "types");
	if (!json_is_array(types) || json_array_size(types) == 0)
		fail_msg("%s: types should be a non-empty array:\n%.2000s", what, r.out);
	size_t i, k;
	json_t *t, *p;
	json_array_foreach(types, i, t) {
		json_t *inside = json_object_get(t, "inside");
		if (!mc_test_jstr(t, "type") || !(json_is_null(inside) || json_is_string(inside)))
			fail_msg("%s: types[%zu] needs a string 'type' and a string or null 'inside'", what, i);
		/* --type T keeps T itself and T's embedded devices (inside T). */
		if (strcmp(mc_test_jstr(t, "type"), type) != 0 &&
		    !(json_is_string(inside) && !strcmp(json_string_value(inside), type)))
			fail_msg("%s: types[%zu] is %s inside %s, which --type %s does not ask for", what, i,
				 mc_test_jstr(t, "type"),
				 json_is_string(inside) ? json_string_value(inside) : "nothing", type);
		json_t *props = json_object_get(t, "properties");
		/* Empty only with a note saying why. */
		if (!json_is_array(props) || (json_array_size(props) == 0 && !mc_test_jstr(t, "note")))
			fail_msg("%s: types[%zu] (%s) has no properties array", what, i, mc_test_jstr(t, "type"));
		json_array_foreach(props, k, p) {
			if (!mc_test_jstr(p, "name") || !mc_test_jstr(p, "kind") || !mc_test_jstr(p, "value") ||
			    !mc_test_jstr(p, "source"))
				fail_msg("%s: %s property %zu lacks one of name, kind, value, source", what,
					 mc_test_jstr(t, "type"), k);
		}
	}
	return root;
}

/* The entry for type (inside == NULL: the bare type; else embedded in that proxy). */
static json_t *find_subject(json_t *root, const char *type, const char *inside)
{
	json_t *found = NULL, *t;
	size_t i, n = 0;
	json_array_foreach(json_object_get(root, "types"), i, t) {
		json_t *in = json_object_get(t, "inside");
		if (strcmp(mc_test_jstr(t, "type"), type) != 0)
			continue;
		if (inside ? !(json_is_string(in) && !strcmp(json_string_value(in), inside)) : !json_is_null(in))
			continue;
		found = t;
		n++;
	}
	if (n != 1)
		fail_msg("want exactly one entry for %s %s%s, found %zu", type, inside ? "inside " : "(bare",
			 inside ? inside : ", inside null)", n);
	return found;
}

static json_t *find_prop(json_t *subject, const char *name)
{
	json_t *p, *found = NULL;
	size_t i, n = 0;
	json_array_foreach(json_object_get(subject, "properties"), i, p) {
		if (!strcmp(mc_test_jstr(p, "name"), name)) {
			found = p;
			n++;
		}
	}
	if (n != 1)
		fail_msg("%s should list property %s exactly once, lists it %zu times", mc_test_jstr(subject, "type"),
			 name, n);
	return found;
}

static void expect_prop(json_t *subject, const char *name, const char *value, const char *kind, const char *source)
{
	json_t *in = json_object_get(subject, "inside");
	const char *who = json_is_string(in)
		? mc_test_ksprintf("%s inside %s", mc_test_jstr(subject, "type"), json_string_value(in))
		: mc_test_jstr(subject, "type");
	json_t *p = find_prop(subject, name);
	if (strcmp(mc_test_jstr(p, "value"), value))
		fail_msg("%s.%s: value '%s', want '%s' (source %s)", who, name, mc_test_jstr(p, "value"), value,
			 mc_test_jstr(p, "source"));
	if (kind && strcmp(mc_test_jstr(p, "kind"), kind))
		fail_msg("%s.%s: kind '%s', want '%s'", who, name, mc_test_jstr(p, "kind"), kind);
	if (source && strcmp(mc_test_jstr(p, "source"), source))
		fail_msg("%s.%s: source '%s', want '%s'", who, name, mc_test_jstr(p, "source"), source);
}

/* At good, machine 10.1 keeps num-queues 1 through the new hw_compat_10_1 entry. */
static void test_show_good_machine_10_1(void **state)
{
	(void)state;
	json_t *root = show_json("good", "10.1", BLK);
	json_t *bare = find_subject(root, BLK, NULL);
	int entry_line = mc_test_fixture_line("01-good", MACHINE_C, "{ \"virtio-blk-device\", \"num-queues\", \"1\" }");
	const char *src = mc_test_ksprintf("hw_compat_10_1 (%s:%d)", MACHINE_C, entry_line);
	expect_prop(bare, "num-queues", "1", "uint", src);
	/* Untouched properties keep their class default. */
	expect_prop(bare, "queue-size", "256", "uint",
		    mc_test_ksprintf("default (%s:%d)", VIRTIO_BLK_C,
				     mc_test_fixture_line("01-good", VIRTIO_BLK_C, "\"queue-size\"")));
	/* hw_compat_10_0 is older than machine 10.1: it does not apply. */
	expect_prop(bare, "report-discard-granularity", "on", "bool", NULL);
	/* The entry names the device, so the device embedded in every proxy is covered too. */
	static const char *const proxies[] = { "virtio-blk-pci", "virtio-blk-pci-transitional",
					       "virtio-blk-pci-non-transitional", "virtio-blk-ccw" };
	for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++)
		expect_prop(find_subject(root, BLK, proxies[i]), "num-queues", "1", "uint", src);
}

/* At good, the newest machine (no --machine) sees the new class default 65535. */
static void test_show_good_newest(void **state)
{
	(void)state;
	json_t *root = show_json("good", NULL, BLK);
	json_t *bare = find_subject(root, BLK, NULL);
	json_t *p = find_prop(bare, "num-queues");
	if (strcmp(mc_test_jstr(p, "value"), "65535"))
		fail_msg("newest machine: num-queues is '%s', want '65535' (source %s)", mc_test_jstr(p, "value"),
			 mc_test_jstr(p, "source"));
	if (strncmp(mc_test_jstr(p, "source"), "default", 7))
		fail_msg("newest machine: num-queues should come from the default, source is '%s'",
			 mc_test_jstr(p, "source"));
	int prop_line = mc_test_fixture_line("01-good", VIRTIO_BLK_C, "DEFINE_PROP_UINT16(\"num-queues\"");
	expect_prop(bare, "num-queues", "65535", "uint", mc_test_ksprintf("default (%s:%d)", VIRTIO_BLK_C, prop_line));
	/* No compat array applies to the newest machine. */
	expect_prop(bare, "report-discard-granularity", "on", "bool", NULL);
	expect_prop(bare, "seg-max-adjust", "on", "bool", NULL);
	expect_prop(find_subject(root, BLK, "virtio-blk-pci"), "num-queues", "65535", "uint", NULL);
}

/* At base, machine 9.2: num-queues 1 from the class default; 9.2 and 10.0 arrays apply. */
static void test_show_base_machine_9_2(void **state)
{
	(void)state;
	json_t *root = show_json("base", "9.2", BLK);
	json_t *bare = find_subject(root, BLK, NULL);
	json_t *p = find_prop(bare, "num-queues");
	if (strncmp(mc_test_jstr(p, "source"), "default", 7))
		fail_msg("base, machine 9.2: num-queues should come from the default, source is '%s'",
			 mc_test_jstr(p, "source"));
	expect_prop(bare, "num-queues", "1", "uint",
		    mc_test_ksprintf("default (%s:%d)", VIRTIO_BLK_C,
				     mc_test_fixture_line(NULL, VIRTIO_BLK_C, "DEFINE_PROP_UINT16(\"num-queues\"")));
	/* { "virtio-blk-device", "report-discard-granularity", "off" } in hw_compat_10_0 */
	expect_prop(bare, "report-discard-granularity", "off", "bool",
		    mc_test_ksprintf("hw_compat_10_0 (%s:%d)", MACHINE_C,
				     mc_test_fixture_line(NULL, MACHINE_C, "\"report-discard-granularity\"")));
	/* { TYPE_VIRTIO_BLK, "seg-max-adjust", "off" } in hw_compat_9_2 */
	expect_prop(bare, "seg-max-adjust", "off", "bool",
		    mc_test_ksprintf("hw_compat_9_2 (%s:%d)", MACHINE_C,
				     mc_test_fixture_line(NULL, MACHINE_C, "\"seg-max-adjust\"")));

	/* Machine 10.1 at base: hw_compat_10_1 is empty, so the defaults again. */
	json_t *r101 = show_json("base", "10.1", BLK);
	json_t *b101 = find_subject(r101, BLK, NULL);
	expect_prop(b101, "report-discard-granularity", "on", "bool", NULL);
	expect_prop(b101, "seg-max-adjust", "on", "bool", NULL);
	expect_prop(b101, "num-queues", "1", "uint", NULL);
}

/* The same answers with and without the cache. */
static void test_show_cache_independent(void **state)
{
	(void)state;
	mc_test_result cached = run("show", "--format", "json", "--machine", "10.1", "--type", BLK, "good", NULL);
	expect_ok(&cached, 0, "show with the cache");
	const char *argv[] = { "migcompat", "show", "--repo", g.repo, "--no-cache", "--format", "json",
			       "--machine", "10.1", "--type", BLK, "good", NULL };
	mc_test_result plain = mc_test_run_result(argv);
	expect_ok(&plain, 0, "show --no-cache");
	if (strcmp(cached.out, plain.out))
		fail_msg("show prints different things with and without the cache:\n--- cache\n%.3000s\n--- no cache\n%.3000s",
			 cached.out, plain.out);
}

/* Text: one "WHO.PROP = VALUE  [KIND, SOURCE]" line per property, the same as the JSON. */
static void test_show_text_format(void **state)
{
	(void)state;
	mc_test_result r = run("show", "--machine", "9.2", "--type", BLK, "base", NULL);
	expect_ok(&r, 0, "show --machine 9.2 --type virtio-blk-device base");
	if (strchr(r.out, '\033'))
		fail_msg("text output off a terminal has escape sequences");

	/* The line the brief shows, exactly. */
	const char *want =
		mc_test_ksprintf("\n" BLK ".num-queues = 1  [uint, default (%s:%d)]\n", VIRTIO_BLK_C,
				 mc_test_fixture_line(NULL, VIRTIO_BLK_C, "DEFINE_PROP_UINT16(\"num-queues\""));
	const char *with_nl = mc_test_ksprintf("\n%s", r.out);
	if (!strstr(with_nl, want))
		fail_msg("text output lacks the line '%.*s':\n%.3000s", (int)strlen(want) - 2, want + 1, r.out);

	/* Every line has the shape, and lines and JSON properties correspond one to one. */
	regex_t re;
	assert_int_equal(regcomp(&re, "^([^ ]+)( inside ([^ ]+))?\\.([^ =]+) = (.*)  \\[([a-z0-9-]+), (.+)\\]$",
				 REG_EXTENDED), 0);
	json_t *root = show_json("base", "9.2", BLK);
	size_t nprops = 0, i, k;
	json_t *t, *p;
	json_array_foreach(json_object_get(root, "types"), i, t)
		nprops += json_array_size(json_object_get(t, "properties"));
	size_t nlines = mc_test_count_lines(r.out);
	if (nlines != nprops) {
		regfree(&re);
		fail_msg("text has %zu lines, the JSON %zu properties", nlines, nprops);
	}
	char *copy = mc_test_ksprintf("%s", r.out), *save = NULL;
	size_t lineno = 0;
	const char *bad = NULL;
	json_array_foreach(json_object_get(root, "types"), i, t) {
		json_t *in = json_object_get(t, "inside");
		const char *who = json_is_string(in)
			? mc_test_ksprintf("%s inside %s", mc_test_jstr(t, "type"), json_string_value(in))
			: mc_test_jstr(t, "type");
		json_array_foreach(json_object_get(t, "properties"), k, p) {
			char *line = strtok_r(lineno++ ? NULL : copy, "\n", &save);
			if (!line || regexec(&re, line, 0, NULL, 0) != 0) {
				bad = mc_test_ksprintf(
					"line %zu does not have the shape 'TYPE.PROP = VALUE  [KIND, SOURCE]': %s",
					lineno, line ? line : "(missing)");
				break;
			}
			const char *expect = mc_test_ksprintf("%s.%s = %s  [%s, %s]", who, mc_test_jstr(p, "name"),
							      mc_test_jstr(p, "value"), mc_test_jstr(p, "kind"),
							      mc_test_jstr(p, "source"));
			if (strcmp(line, expect)) {
				bad = mc_test_ksprintf("line %zu is\n  %s\nthe JSON says\n  %s", lineno, line, expect);
				break;
			}
		}
		if (bad)
			break;
	}
	regfree(&re);
	if (bad)
		fail_msg("%s", bad);
}

static void expect_usage_error(const char *machine)
{
	mc_test_result r = run("show", "--machine", machine, "--type", BLK, "base", NULL);
	const char *what = mc_test_ksprintf("show --machine '%s'", machine);
	if (r.rc != 2)
		fail_msg("%s: exit %d, want 2 (usage error)\nstderr:\n%s", what, r.rc, r.err);
	if (*r.out)
		fail_msg("%s: nothing should go to stdout, got:\n%.500s", what, r.out);
	size_t len = strlen(r.err);
	if (mc_test_count_lines(r.err) != 1 || !len || r.err[len - 1] != '\n' || strncmp(r.err, "migcompat: ", 11))
		fail_msg("%s: want exactly one stderr line starting 'migcompat: ', got:\n%s", what, r.err);
	if (!strstr(r.err, "--machine"))
		fail_msg("%s: the message should name --machine: %s", what, r.err);
}

static void test_show_bad_machine(void **state)
{
	(void)state;
	static const char *const bad[] = { "x", "5", "5.x", "5.", ".5", "", "5.1.2", "5.-1", "0x9.2", "1000.0" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_usage_error(bad[i]);
}

/*
 * Not versions either, though strtol() reads them: "X.Y" means digits, a dot
 * and digits (show.h: Parses "5.1"; MC_EINPUT otherwise).
 */
static void test_show_machine_strict_syntax(void **state)
{
	(void)state;
	static const char *const bad[] = { "9.+2", "+9.2", " 9.2", "9. 2", "-0.5" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_usage_error(bad[i]);
}

/* A misspelt --type or --family is an input error naming it, not an empty listing. */
static void test_show_unknown_names(void **state)
{
	(void)state;
	static const char *const args[][3] = { { "--type", "virtio-blk-devcie", "virtio-blk-devcie" },
					       { "--family", "pcc", "pcc" } };
	for (size_t i = 0; i < 2; i++) {
		mc_test_result r = run("show", args[i][0], args[i][1], "base", NULL);
		if (r.rc != 2)
			fail_msg("show %s %s: exit %d, want 2\nstdout:\n%.500s", args[i][0], args[i][1], r.rc, r.out);
		if (*r.out)
			fail_msg("show %s %s: nothing should go to stdout", args[i][0], args[i][1]);
		if (mc_test_count_lines(r.err) != 1 || strncmp(r.err, "migcompat: ", 11) || !strstr(r.err, args[i][2]))
			fail_msg("show %s %s: want one 'migcompat: ' line naming %s, got:\n%s", args[i][0], args[i][1],
				 args[i][2], r.err);
	}
}

/* --type of a type without properties says why, in text and JSON, instead of printing nothing. */
static void test_show_type_without_properties(void **state)
{
	(void)state;
	mc_test_result r = run("show", "--type", "virtio-pci", "base", NULL);
	expect_ok(&r, 0, "show --type virtio-pci base");
	if (!strstr(r.out, "virtio-pci: abstract"))
		fail_msg("show --type virtio-pci says nothing of why it has no properties:\n%s", r.out);
	json_t *root = show_json("base", NULL, "virtio-pci");
	json_t *t = json_array_get(json_object_get(root, "types"), 0);
	if (!t || !mc_test_jstr(t, "note") || json_array_size(json_object_get(t, "properties")) != 0)
		fail_msg("show --type virtio-pci --format json: want one type with a note and no properties");
}

/* ---- audit ---------------------------------------------------------------- */

static void test_audit_base(void **state)
{
	(void)state;
	mc_test_result r = run("audit", "--format", "json", "base", NULL);
	expect_ok(&r, 0, "audit --format json base");
	json_t *root = mc_test_parse_json_object(r.out, "audit base");
	json_t *head = json_object_get(root, "head");
	if (!mc_test_jstr(head, "rev") || strcmp(mc_test_jstr(head, "rev"), "base") ||
	    !mc_test_is_hex40(mc_test_jstr(head, "commit")))
		fail_msg("audit base: head should be {rev: 'base', commit: 40 hex digits}");
	json_t *findings = json_object_get(root, "findings");
	if (!json_is_array(findings))
		fail_msg("audit base: findings is not an array");
	/* The README: an audit of base finds nothing (no dangling, wrong or redundant entry). */
	if (json_array_size(findings) != 0)
		fail_msg("audit base: want no findings, got %zu:\n%.3000s", json_array_size(findings), r.out);
	json_t *nc = json_object_get(root, "newest_compat");
	if (!mc_test_jstr(nc, "array") || strcmp(mc_test_jstr(nc, "array"), "hw_compat_10_1"))
		fail_msg("audit base: newest_compat.array is '%s', want hw_compat_10_1",
			 mc_test_jstr(nc, "array") ? mc_test_jstr(nc, "array") : "(none)");
	if (!json_is_object(json_object_get(root, "coverage")))
		fail_msg("audit base: no coverage object");
}

static void test_audit_dangling(void **state)
{
	(void)state;
	mc_test_result r = run("audit", "--format", "json", "dangling", NULL);
	expect_ok(&r, 1, "audit --format json dangling");
	json_t *root = mc_test_parse_json_object(r.out, "audit dangling");
	int line = mc_test_fixture_line("09-dangling", MACHINE_C, "\"no-such-prop\"");
	json_t *f, *hit = NULL;
	size_t i;
	json_array_foreach(json_object_get(root, "findings"), i, f) {
		const char *rule = mc_test_jstr(f, "rule"), *type = mc_test_jstr(f, "type"),
			   *prop = mc_test_jstr(f, "property");
		if (rule && type && prop && !strcmp(rule, "compat-dangling") && !strcmp(type, BLK) &&
		    !strcmp(prop, "no-such-prop"))
			hit = f;
	}
	if (!hit)
		fail_msg("audit dangling: no compat-dangling finding for %s.no-such-prop:\n%.3000s", BLK, r.out);
	/* QEMU aborts on such an entry: an error. */
	if (!mc_test_jstr(hit, "severity") || strcmp(mc_test_jstr(hit, "severity"), "error"))
		fail_msg("compat-dangling on no-such-prop: severity '%s', want error",
			 mc_test_jstr(hit, "severity") ? mc_test_jstr(hit, "severity") : "(none)");
	if (!mc_test_jstr(hit, "file") || strcmp(mc_test_jstr(hit, "file"), MACHINE_C) ||
	    json_integer_value(json_object_get(hit, "line")) != line)
		fail_msg("compat-dangling on no-such-prop: at %s:%lld, want %s:%d",
			 mc_test_jstr(hit, "file") ? mc_test_jstr(hit, "file") : "?",
			 (long long)json_integer_value(json_object_get(hit, "line")), MACHINE_C, line);
}

/* ---- group set-up --------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	memset(&g, 0, sizeof(g));
	if (mc_test_example_repo("show", &g.tmp, &g.repo) != 0 || asprintf(&g.cache, "%s/cache", g.tmp) < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	mc_test_example_repo_remove(&g.tmp, &g.repo);
	free(g.cache);
	memset(&g, 0, sizeof(g));
	return 0;
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, mc_test_arena_release)
	const struct CMUnitTest tests[] = {
		T(test_show_good_machine_10_1),
		T(test_show_good_newest),
		T(test_show_base_machine_9_2),
		T(test_show_cache_independent),
		T(test_show_text_format),
		T(test_show_bad_machine),
		T(test_show_machine_strict_syntax),
		T(test_show_unknown_names),
		T(test_show_type_without_properties),
		T(test_audit_base),
		T(test_audit_dangling),
	};
#undef T
	return cmocka_run_group_tests_name("show", tests, group_setup, group_teardown) ? 1 : 0;
}
