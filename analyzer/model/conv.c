/*
 * conv.c - see conv.h.
 */
#include "model/conv.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char mc_builtin_conventions[];

#define MAX_WORDS 32

static int split_words(char *line, char **words)
{
	int n = 0;
	char *save = NULL;
	for (char *w = strtok_r(line, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
		if (n == MAX_WORDS)
			return -1;
		words[n++] = w;
	}
	return n;
}

static int parse_int_arg(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > 1000000000)
		return -1;
	*out = (int)v;
	return 0;
}

static mc_conv_arch *arch_get(mc_conv *conv, const char *arch)
{
	for (size_t i = 0; i < conv->narchs; i++)
		if (strcmp(conv->archs[i].arch, arch) == 0)
			return &conv->archs[i];
	mc_conv_arch *a = MC_VEC_PUSH(conv->archs, conv->narchs, conv->cap_archs);
	a->arch = mc_strdup(arch);
	return a;
}

static void push_pair(mc_conv_pair **arr, size_t *n, size_t *cap, const char *name, const char *family, int arg)
{
	mc_conv_pair *p = MC_VEC_PUSH(*arr, *n, *cap);
	p->name = mc_strdup(name);
	p->family = family ? mc_strdup(family) : NULL;
	p->arg = arg;
}

/* ---- directives: one function each, one table ---------------------------
 *
 * A directive function gets the words of its line (w[0] the keyword) after
 * the table's argument count was checked, and returns NULL or a static error
 * text.  doc/conventions.md has a section per entry, in the table's order.
 */

typedef const char *(*directive_fn)(mc_conv *conv, char **w, int n);

static const char *d_skip(mc_conv *conv, char **w, int n)
{
	(void)n;
	mc_strvec_push(&conv->skip, w[1]);
	return NULL;
}

static const char *d_rust_source(mc_conv *conv, char **w, int n)
{
	(void)n;
	mc_strvec_push(&conv->rust_sources, w[1]);
	return NULL;
}

static const char *d_include_dir(mc_conv *conv, char **w, int n)
{
	(void)n;
	mc_strvec_push(&conv->include_dirs, w[1]);
	return NULL;
}

static const char *d_system_include(mc_conv *conv, char **w, int n)
{
	(void)n;
	mc_strvec_push(&conv->system_includes, w[1]);
	return NULL;
}

static const char *d_host_define(mc_conv *conv, char **w, int n)
{
	(void)n;
	mc_strvec_push(&conv->host_defines, w[1]);
	return NULL;
}

static const char *d_target(mc_conv *conv, char **w, int n)
{
	(void)n;
	mc_conv_target *t = MC_VEC_PUSH(conv->targets, conv->ntargets, conv->cap_targets);
	t->prefix = mc_strdup(w[1]);
	t->arch = mc_strdup(w[2]);
	return NULL;
}

static const char *d_target_define(mc_conv *conv, char **w, int n)
{
	mc_conv_arch *a = arch_get(conv, w[1]);
	for (int i = 2; i < n; i++)
		mc_strvec_push(&a->defines, w[i]);
	return NULL;
}

static const char *d_target_include(mc_conv *conv, char **w, int n)
{
	mc_conv_arch *a = arch_get(conv, w[1]);
	for (int i = 2; i < n; i++)
		mc_strvec_push(&a->includes, w[i]);
	return NULL;
}

static const char *d_command_define(mc_conv *conv, char **w, int n)
{
	for (int i = 1; i < n; i++)
		mc_strvec_push(&conv->command_defines, w[i]);
	return NULL;
}

static const char *d_target_command_define(mc_conv *conv, char **w, int n)
{
	for (int i = 1; i < n; i++)
		mc_strvec_push(&conv->target_command_defines, w[i]);
	return NULL;
}

static const char *d_kind(mc_conv *conv, char **w, int n)
{
	mc_kind kind = mc_kind_from_name(w[2]);
	if (kind == MC_KIND_UNKNOWN)
		return "unknown kind (bool, int, uint, size, enum, string, other)";
	mc_conv_kind *ck = MC_VEC_PUSH(conv->kinds, conv->nkinds, conv->cap_kinds);
	ck->info = mc_strdup(w[1]);
	ck->kind = kind;
	ck->enum_type = n == 4 ? mc_strdup(w[3]) : NULL;
	return NULL;
}

static const char *d_info_default(mc_conv *conv, char **w, int n)
{
	(void)n;
	mc_conv_info_default *d = MC_VEC_PUSH(conv->info_defaults, conv->ninfo_defaults, conv->cap_info_defaults);
	d->info = mc_strdup(w[1]);
	d->value = mc_strdup(strcmp(w[2], "''") == 0 ? "" : w[2]);
	return NULL;
}

static const char *d_attach_call(mc_conv *conv, char **w, int n)
{
	(void)n;
	int arg;
	if (parse_int_arg(w[2], &arg) < 0)
		return "argument index must be a small non-negative number";
	push_pair(&conv->attach_calls, &conv->nattach_calls, &conv->cap_attach_calls, w[1], NULL, arg);
	return NULL;
}

static const char *d_attach_field(mc_conv *conv, char **w, int n)
{
	(void)n;
	mc_strvec_push(&conv->attach_fields, w[1]);
	return NULL;
}

static const char *d_alias_call(mc_conv *conv, char **w, int n)
{
	(void)n;
	int arg;
	if (parse_int_arg(w[2], &arg) < 0)
		return "argument index must be a small non-negative number";
	push_pair(&conv->alias_calls, &conv->nalias_calls, &conv->cap_alias_calls, w[1], NULL, arg);
	return NULL;
}

static const char *d_alias_init(mc_conv *conv, char **w, int n)
{
	(void)n;
	int arg;
	if (parse_int_arg(w[2], &arg) < 0)
		return "argument index must be a small non-negative number";
	push_pair(&conv->alias_inits, &conv->nalias_inits, &conv->cap_alias_inits, w[1], NULL, arg);
	return NULL;
}

static const char *d_alias_marker(mc_conv *conv, char **w, int n)
{
	(void)n;
	mc_strvec_push(&conv->alias_markers, w[1]);
	return NULL;
}

static int is_identifier(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

static const char *d_multi_type_record(mc_conv *conv, char **w, int n)
{
	mc_conv_record *r = &conv->record;
	if (r->record)
		return "only one multi-type-record is supported";
	if (!is_identifier(w[1]) || !is_identifier(w[3]))
		return "the struct and its fields must be C identifiers";
	char *names[MC_CONV_RECORD_NAMES] = {0}, *inits[MC_CONV_RECORD_NAMES] = {0};
	for (int i = 4; i < n; i++) {
		char *colon = strchr(w[i], ':');
		if (colon)
			*colon = '\0';
		if (!is_identifier(w[i]) || (colon && !is_identifier(colon + 1)))
			return "a generated type is FIELD or FIELD:CLASS-INIT, both C identifiers";
		names[i - 4] = w[i];
		inits[i - 4] = colon ? colon + 1 : NULL;
	}
	r->record = mc_strdup(w[1]);
	r->parent = mc_strdup(w[2]);
	r->base_field = mc_strdup(w[3]);
	for (int k = 0; k < MC_CONV_RECORD_NAMES; k++) {
		r->name_fields[k] = names[k] ? mc_strdup(names[k]) : NULL;
		r->class_inits[k] = inits[k] ? mc_strdup(inits[k]) : NULL;
	}
	return NULL;
}

/*
 * Checks a name format: the letters of want ("s", or "sd": "%s" then "%d"),
 * each once and in that order, and "%%"; nothing else after a '%'.  The
 * formats are expanded by mc_conv_format_name, never by printf.
 */
static int format_ok(const char *format, const char *want)
{
	const char *next = want;
	for (const char *p = format; *p; p++) {
		if (*p != '%')
			continue;
		p++;
		if (*p == '%')
			continue;
		if (!*next || *p != *next)
			return 0;
		next++;
	}
	return *next == '\0';
}

static const char *d_table_type(mc_conv *conv, char **w, int n)
{
	(void)n;
	if (!is_identifier(w[1]) || !is_identifier(w[2]))
		return "the struct and its name field must be C identifiers";
	if (!format_ok(w[3], "s"))
		return "the type name format must hold \"%s\" once (\"%%\" for a percent sign)";
	mc_conv_table_type *t = MC_VEC_PUSH(conv->table_types, conv->ntable_types, conv->cap_table_types);
	t->record = mc_strdup(w[1]);
	t->name_field = mc_strdup(w[2]);
	t->format = mc_strdup(w[3]);
	t->parent = mc_strdup(w[4]);
	return NULL;
}

static const char *d_table_type_versions(mc_conv *conv, char **w, int n)
{
	(void)n;
	int def;
	if (!is_identifier(w[1]) || !is_identifier(w[2]) || !is_identifier(w[3]) ||
	    (strcmp(w[4], "-") != 0 && !is_identifier(w[4])))
		return "the struct and its fields must be C identifiers (\"-\": no alias field)";
	if (!format_ok(w[5], "sd"))
		return "the version format must hold \"%s\" then \"%d\", once each";
	if (parse_int_arg(w[6], &def) < 0)
		return "the default version must be a small non-negative number";
	if (mc_conv_table_versions_of(conv, w[1]))
		return "one table-type-versions line per struct";
	mc_conv_table_versions *v = MC_VEC_PUSH(conv->table_versions, conv->ntable_versions, conv->cap_table_versions);
	v->record = mc_strdup(w[1]);
	v->list_field = mc_strdup(w[2]);
	v->version_field = mc_strdup(w[3]);
	v->alias_field = strcmp(w[4], "-") == 0 ? NULL : mc_strdup(w[4]);
	v->format = mc_strdup(w[5]);
	v->default_version = def;
	return NULL;
}

static const char *d_table_property(mc_conv *conv, char **w, int n)
{
	(void)n;
	if (!is_identifier(w[1]) || !is_identifier(w[2]))
		return "the struct and its field must be C identifiers";
	mc_kind kind = mc_kind_from_name(w[4]);
	if (kind == MC_KIND_UNKNOWN)
		return "unknown kind (bool, int, uint, size, enum, string, other)";
	mc_conv_table_prop *t = MC_VEC_PUSH(conv->table_props, conv->ntable_props, conv->cap_table_props);
	t->record = mc_strdup(w[1]);
	t->field = mc_strdup(w[2]);
	t->type = mc_strdup(w[3]);
	t->kind = kind;
	return NULL;
}

/* "ARG" or "KIND@ARG": the argument index after the '@', or -1 when there is none. */
static int at_arg(const char *word, const char *prefix, int *arg)
{
	size_t n = strlen(prefix);
	if (strncmp(word, prefix, n) != 0 || word[n] != '@')
		return 0;
	return parse_int_arg(word + n + 1, arg) == 0 ? 1 : -1;
}

static const char *d_qom_property_call(mc_conv *conv, char **w, int n)
{
	mc_conv_qom_call c = {0};
	if (!is_identifier(w[1]))
		return "the function must be a C identifier";
	if (parse_int_arg(w[2], &c.name_arg) < 0)
		return "argument index must be a small non-negative number";
	int r;
	if ((r = at_arg(w[3], "type", &c.kind_arg)) != 0)
		c.kind_from = MC_QOM_KIND_TYPE;
	else if ((r = at_arg(w[3], "enum", &c.kind_arg)) != 0)
		c.kind_from = MC_QOM_KIND_ENUM;
	else if ((c.kind = mc_kind_from_name(w[3])) == MC_KIND_UNKNOWN)
		return "unknown kind (bool, int, uint, size, enum, string, other, type@ARG, enum@ARG)";
	if (r < 0)
		return "argument index must be a small non-negative number";
	if (n > 4) {
		if ((r = at_arg(w[4], "ptr", &c.field_arg)) != 0)
			c.field_from = MC_QOM_FIELD_PTR;
		else if ((r = at_arg(w[4], "get", &c.field_arg)) != 0)
			c.field_from = MC_QOM_FIELD_GETTER;
		else if ((r = at_arg(w[4], "alias", &c.field_arg)) != 0)
			c.field_from = MC_QOM_FIELD_ALIAS;
		else
			return "the field is ptr@ARG, get@ARG or alias@ARG";
		if (r < 0)
			return "argument index must be a small non-negative number";
	}
	c.function = mc_strdup(w[1]);
	*MC_VEC_PUSH(conv->qom_calls, conv->nqom_calls, conv->cap_qom_calls) = c;
	return NULL;
}

static const char *d_generic_family(mc_conv *conv, char **w, int n)
{
	(void)n;
	free(conv->generic_family);
	conv->generic_family = mc_strdup(w[1]);
	return NULL;
}

/* compat-array, -macro, -function, -machine, -defaults: "KEYWORD FAMILY PREFIX". */
static const char *d_compat(mc_conv *conv, char **w, int n)
{
	(void)n;
	const char *what = w[0] + strlen("compat-");
	if (strcmp(what, "array") == 0)
		push_pair(&conv->compat_arrays, &conv->ncompat_arrays, &conv->cap_compat_arrays, w[2], w[1], 0);
	else if (strcmp(what, "macro") == 0)
		push_pair(&conv->compat_macros, &conv->ncompat_macros, &conv->cap_compat_macros, w[2], w[1], 0);
	else if (strcmp(what, "function") == 0)
		push_pair(&conv->compat_functions, &conv->ncompat_functions, &conv->cap_compat_functions, w[2], w[1], 0);
	else if (strcmp(what, "machine") == 0)
		push_pair(&conv->compat_machines, &conv->ncompat_machines, &conv->cap_compat_machines, w[2], w[1], 0);
	else
		push_pair(&conv->compat_defaults, &conv->ncompat_defaults, &conv->cap_compat_defaults, w[2], w[1], 0);
	return NULL;
}

static const char *d_dynamic_type_suffix(mc_conv *conv, char **w, int n)
{
	(void)n;
	mc_strvec_push(&conv->dynamic_type_suffixes, w[1]);
	return NULL;
}

static const char *d_machine_only(mc_conv *conv, char **w, int n)
{
	for (int i = 2; i < n; i++)
		push_pair(&conv->machine_only, &conv->nmachine_only, &conv->cap_machine_only, w[i],
			  strcmp(w[1], "-") == 0 ? NULL : w[1], 0);
	return NULL;
}

static const char *d_host_property(mc_conv *conv, char **w, int n)
{
	(void)n;
	mc_strvec_push(&conv->host_properties, w[1]);
	return NULL;
}

static const char *d_vmstate_member(mc_conv *conv, char **w, int n)
{
	(void)n;
	if (!strchr(w[1], '.'))
		return "vmstate-member needs STRUCT.MEMBER, such as DeviceClass.vmsd";
	mc_strvec_push(&conv->vmstate_members, w[1]);
	return NULL;
}

static const char *d_stream_property(mc_conv *conv, char **w, int n)
{
	(void)n;
	mc_strvec_push(&conv->stream_properties, w[1]);
	return NULL;
}

static const char *d_feature_member(mc_conv *conv, char **w, int n)
{
	(void)n;
	if (!strchr(w[1], '.'))
		return "feature-member needs STRUCT.MEMBER, such as CPUArchState.features";
	mc_strvec_push(&conv->feature_members, w[1]);
	return NULL;
}

static const char *d_evidence_call(mc_conv *conv, char **w, int n)
{
	(void)n;
	push_pair(&conv->evidence_calls, &conv->nevidence_calls, &conv->cap_evidence_calls, w[1], w[2], 0);
	return NULL;
}

static const char *d_common_header(mc_conv *conv, char **w, int n)
{
	(void)n;
	free(conv->common_header);
	conv->common_header = mc_strdup(w[1]);
	return NULL;
}

static const char *d_generated_header(mc_conv *conv, char **w, int n)
{
	(void)n;
	static const struct { const char *name; mc_stub_kind kind; } kinds[] = {
		{ "host-config", MC_STUB_HOST_CONFIG },
		{ "target-config", MC_STUB_TARGET_CONFIG },
		{ "qapi", MC_STUB_QAPI },
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(w[1], kinds[i].name) == 0) {
			if (strchr(w[2], '/'))
				return "a generated-header pattern names a file, without '/'";
			mc_conv_generated *g = MC_VEC_PUSH(conv->generated, conv->ngenerated, conv->cap_generated);
			g->pattern = mc_strdup(w[2]);
			g->kind = kinds[i].kind;
			return NULL;
		}
	return "unknown generated-header kind (host-config, target-config, qapi)";
}

static const char *d_stub_header(mc_conv *conv, char **w, int n)
{
	mc_buf b = {0};
	mc_buf_printf(&b, "%s\n%s", w[1], strcmp(w[0], "stub-define") == 0 ? "#define " : "");
	for (int i = 2; i < n; i++)
		mc_buf_printf(&b, "%s%s", i > 2 ? " " : "", w[i]);
	mc_strvec_push_owned(&conv->stub_headers, mc_buf_detach(&b));
	return NULL;
}

static const char *d_qapi_schema(mc_conv *conv, char **w, int n)
{
	(void)n;
	mc_strvec_push(&conv->qapi_schemas, w[1]);
	return NULL;
}

static const char *d_qapi_prelude(mc_conv *conv, char **w, int n)
{
	(void)n;
	free(conv->qapi_prelude);
	conv->qapi_prelude = mc_strdup(w[1]);
	return NULL;
}

static const char *d_version_file(mc_conv *conv, char **w, int n)
{
	(void)n;
	free(conv->version_file);
	conv->version_file = mc_strdup(w[1]);
	return NULL;
}

static const char *d_max_file_size(mc_conv *conv, char **w, int n)
{
	(void)n;
	int v;
	if (parse_int_arg(w[1], &v) < 0 || v == 0)
		return "max-file-size must be a positive number of bytes";
	conv->max_file_size = (size_t)v;
	return NULL;
}

#define ANY (MAX_WORDS - 1)

/* Every directive: keyword, fewest and most arguments, function. */
static const struct directive {
	const char *name;
	int min, max;
	directive_fn apply;
	/* Read by the rules only: left out of the digest that keys cached facts,
	 * so that tuning a rule does not make every file be parsed again. */
	int rules_only;
} directives[] = {
	/* files and flags */
	{ "skip", 1, 1, d_skip, 0 },
	{ "rust-source", 1, 1, d_rust_source, 0 },
	{ "include-dir", 1, 1, d_include_dir, 0 },
	{ "system-include", 1, 1, d_system_include, 0 },
	{ "host-define", 1, 1, d_host_define, 0 },
	{ "target", 2, 2, d_target, 0 },
	{ "target-define", 2, ANY, d_target_define, 0 },
	{ "target-include", 2, ANY, d_target_include, 0 },
	{ "command-define", 1, ANY, d_command_define, 0 },
	{ "target-command-define", 1, ANY, d_target_command_define, 0 },
	/* properties and types */
	{ "kind", 2, 3, d_kind, 0 },
	{ "info-default", 2, 2, d_info_default, 0 },
	{ "attach-call", 2, 2, d_attach_call, 0 },
	{ "attach-field", 1, 1, d_attach_field, 0 },
	{ "alias-call", 2, 2, d_alias_call, 0 },
	{ "alias-init", 2, 2, d_alias_init, 0 },
	{ "alias-marker", 1, 1, d_alias_marker, 0 },
	{ "multi-type-record", 4, 3 + MC_CONV_RECORD_NAMES, d_multi_type_record, 0 },
	{ "dynamic-type-suffix", 1, 1, d_dynamic_type_suffix, 0 },
	{ "table-type", 4, 4, d_table_type, 0 },
	{ "table-type-versions", 6, 6, d_table_type_versions, 0 },
	{ "table-property", 4, 4, d_table_property, 0 },
	{ "qom-property-call", 3, 4, d_qom_property_call, 0 },
	/* what the rules judge */
	{ "host-property", 1, 1, d_host_property, 1 },
	{ "machine-only", 2, ANY, d_machine_only, 1 },
	/* read by the model only: the facts record every member a description is stored into */
	{ "vmstate-member", 1, 1, d_vmstate_member, 1 },
	{ "stream-property", 1, 1, d_stream_property, 1 },
	{ "feature-member", 1, 1, d_feature_member, 1 },
	{ "evidence-call", 2, 2, d_evidence_call, 0 },
	/* machine compat containers */
	{ "generic-family", 1, 1, d_generic_family, 0 },
	{ "compat-array", 2, 2, d_compat, 0 },
	{ "compat-macro", 2, 2, d_compat, 0 },
	{ "compat-function", 2, 2, d_compat, 0 },
	{ "compat-machine", 2, 2, d_compat, 0 },
	{ "compat-defaults", 2, 2, d_compat, 0 },
	/* headers an unconfigured tree lacks */
	{ "common-header", 1, 1, d_common_header, 0 },
	{ "generated-header", 2, 2, d_generated_header, 0 },
	{ "stub-header", 2, ANY, d_stub_header, 0 },
	{ "stub-define", 2, ANY, d_stub_header, 0 },
	{ "qapi-schema", 1, 1, d_qapi_schema, 0 },
	{ "qapi-prelude", 1, 1, d_qapi_prelude, 0 },
	/* limits and version */
	{ "version-file", 1, 1, d_version_file, 0 },
	{ "max-file-size", 1, 1, d_max_file_size, 0 },
};

const char *mc_conv_directive_name(size_t i)
{
	return i < sizeof(directives) / sizeof(directives[0]) ? directives[i].name : NULL;
}

/* Applies one directive; returns NULL or a static error text. */
static const char *apply_directive(mc_conv *conv, char **w, int n, int *rules_only)
{
	for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++) {
		const struct directive *d = &directives[i];
		if (strcmp(w[0], d->name) != 0)
			continue;
		if (n - 1 < d->min || n - 1 > d->max)
			return "wrong number of arguments";
		*rules_only = d->rules_only;
		return d->apply(conv, w, n);
	}
	return "unknown directive";
}

int mc_conv_parse(mc_conv *conv, const char *source, const char *text)
{
	memset(conv, 0, sizeof(*conv));
	conv->max_file_size = 4000000;
	int lineno = 0;
	const char *p = text;
	mc_buf keyed = {0}; /* the lines the front end depends on: the digest's text */
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *line = mc_strndup(p, len);
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *words[MAX_WORDS];
		int n = split_words(line, words);
		const char *err = NULL;
		int rules_only = 0;
		if (n < 0)
			err = "too many words";
		else if (n > 0)
			err = apply_directive(conv, words, n, &rules_only);
		if (err) {
			mc_error_set("%s:%d: %s%s%s", source, lineno, err, n > 0 ? ": " : "", n > 0 ? words[0] : "");
			free(line);
			mc_buf_free(&keyed);
			mc_conv_free(conv);
			return MC_EPARSE;
		}
		if (!rules_only) {
			mc_buf_put(&keyed, p, len);
			mc_buf_puts(&keyed, "\n");
		}
		free(line);
		p += len;
		if (*p == '\n')
			p++;
	}
	if (!conv->version_file)
		conv->version_file = mc_strdup("VERSION");
	mc_hash_text(keyed.ptr ? keyed.ptr : "", keyed.len, conv->digest);
	mc_buf_free(&keyed);
	return 0;
}

int mc_conv_load_builtin(mc_conv *conv)
{
	return mc_conv_parse(conv, "rules/qemu.conv", mc_builtin_conventions);
}

int mc_conv_load_file(mc_conv *conv, const char *path)
{
	char *text;
	if (mc_file_read_text(path, "rules file", 1u << 20, &text, NULL) < 0)
		return MC_EINPUT;
	int rc = mc_conv_parse(conv, path, text);
	free(text);
	return rc == MC_EPARSE ? MC_EINPUT : rc;
}

static void free_pairs(mc_conv_pair *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].family);
	}
	free(p);
}

static void free_tables(mc_conv *conv)
{
	for (size_t i = 0; i < conv->ntable_types; i++) {
		free(conv->table_types[i].record);
		free(conv->table_types[i].name_field);
		free(conv->table_types[i].format);
		free(conv->table_types[i].parent);
	}
	free(conv->table_types);
	for (size_t i = 0; i < conv->ntable_versions; i++) {
		free(conv->table_versions[i].record);
		free(conv->table_versions[i].list_field);
		free(conv->table_versions[i].version_field);
		free(conv->table_versions[i].alias_field);
		free(conv->table_versions[i].format);
	}
	free(conv->table_versions);
	for (size_t i = 0; i < conv->ntable_props; i++) {
		free(conv->table_props[i].record);
		free(conv->table_props[i].field);
		free(conv->table_props[i].type);
	}
	free(conv->table_props);
	for (size_t i = 0; i < conv->nqom_calls; i++)
		free(conv->qom_calls[i].function);
	free(conv->qom_calls);
}

void mc_conv_free(mc_conv *conv)
{
	mc_strvec_free(&conv->skip);
	mc_strvec_free(&conv->include_dirs);
	mc_strvec_free(&conv->system_includes);
	mc_strvec_free(&conv->host_defines);
	for (size_t i = 0; i < conv->ntargets; i++) {
		free(conv->targets[i].prefix);
		free(conv->targets[i].arch);
	}
	free(conv->targets);
	for (size_t i = 0; i < conv->narchs; i++) {
		free(conv->archs[i].arch);
		mc_strvec_free(&conv->archs[i].defines);
		mc_strvec_free(&conv->archs[i].includes);
	}
	free(conv->archs);
	for (size_t i = 0; i < conv->nkinds; i++) {
		free(conv->kinds[i].info);
		free(conv->kinds[i].enum_type);
	}
	free(conv->kinds);
	for (size_t i = 0; i < conv->ninfo_defaults; i++) {
		free(conv->info_defaults[i].info);
		free(conv->info_defaults[i].value);
	}
	free(conv->info_defaults);
	free_pairs(conv->attach_calls, conv->nattach_calls);
	mc_strvec_free(&conv->attach_fields);
	free_pairs(conv->alias_calls, conv->nalias_calls);
	free_pairs(conv->alias_inits, conv->nalias_inits);
	mc_strvec_free(&conv->alias_markers);
	free_pairs(conv->compat_arrays, conv->ncompat_arrays);
	free_pairs(conv->compat_macros, conv->ncompat_macros);
	free_pairs(conv->compat_functions, conv->ncompat_functions);
	free_pairs(conv->compat_machines, conv->ncompat_machines);
	free_pairs(conv->compat_defaults, conv->ncompat_defaults);
	free_pairs(conv->machine_only, conv->nmachine_only);
	free_pairs(conv->evidence_calls, conv->nevidence_calls);
	mc_strvec_free(&conv->dynamic_type_suffixes);
	mc_strvec_free(&conv->rust_sources);
	mc_strvec_free(&conv->stub_headers);
	free(conv->version_file);
	free(conv->generic_family);
	mc_strvec_free(&conv->host_properties);
	mc_strvec_free(&conv->vmstate_members);
	mc_strvec_free(&conv->stream_properties);
	mc_strvec_free(&conv->feature_members);
	free(conv->common_header);
	for (size_t i = 0; i < conv->ngenerated; i++)
		free(conv->generated[i].pattern);
	free(conv->generated);
	mc_strvec_free(&conv->qapi_schemas);
	free(conv->qapi_prelude);
	free(conv->record.record);
	free(conv->record.parent);
	free(conv->record.base_field);
	for (int k = 0; k < MC_CONV_RECORD_NAMES; k++) {
		free(conv->record.name_fields[k]);
		free(conv->record.class_inits[k]);
	}
	free_tables(conv);
	mc_strvec_free(&conv->command_defines);
	mc_strvec_free(&conv->target_command_defines);
	memset(conv, 0, sizeof(*conv));
}

int mc_conv_is_skipped(const mc_conv *conv, const char *path)
{
	for (size_t i = 0; i < conv->skip.n; i++)
		if (mc_str_startswith(path, conv->skip.v[i]))
			return 1;
	return 0;
}

const mc_conv_arch *mc_conv_arch_for(const mc_conv *conv, const char *path)
{
	for (size_t i = 0; i < conv->ntargets; i++) {
		if (!mc_str_startswith(path, conv->targets[i].prefix))
			continue;
		for (size_t j = 0; j < conv->narchs; j++)
			if (strcmp(conv->archs[j].arch, conv->targets[i].arch) == 0)
				return &conv->archs[j];
	}
	return NULL;
}

const mc_conv_kind *mc_conv_kind_of(const mc_conv *conv, const char *info)
{
	if (!info)
		return NULL;
	for (size_t i = 0; i < conv->nkinds; i++)
		if (strcmp(conv->kinds[i].info, info) == 0)
			return &conv->kinds[i];
	return NULL;
}

const char *mc_conv_info_default_of(const mc_conv *conv, const char *info)
{
	for (size_t i = 0; info && i < conv->ninfo_defaults; i++)
		if (strcmp(conv->info_defaults[i].info, info) == 0)
			return conv->info_defaults[i].value;
	return NULL;
}

/* Reads "<X>_<Y>" at s; rest must satisfy tail_ok (empty, or '_' for functions). */
static int read_version(const char *s, int *major, int *minor, const char **rest)
{
	if (!isdigit((unsigned char)s[0]))
		return 0;
	char *end;
	long a = strtol(s, &end, 10);
	if (*end != '_' || !isdigit((unsigned char)end[1]))
		return 0;
	long b = strtol(end + 1, &end, 10);
	if (a > 1000 || b > 1000)
		return 0;
	*major = (int)a;
	*minor = (int)b;
	*rest = end;
	return 1;
}

static int match_prefixed(const mc_conv_pair *pairs, size_t n, const char *name, int exact,
			  const char **family, int *major, int *minor)
{
	for (size_t i = 0; i < n; i++) {
		if (!mc_str_startswith(name, pairs[i].name))
			continue;
		const char *rest;
		if (!read_version(name + strlen(pairs[i].name), major, minor, &rest))
			continue;
		if (exact && *rest)
			continue;
		*family = pairs[i].family;
		return 1;
	}
	return 0;
}

int mc_conv_match_compat_array(const mc_conv *conv, const char *name, const char **family, int *major, int *minor)
{
	return match_prefixed(conv->compat_arrays, conv->ncompat_arrays, name, 1, family, major, minor);
}

int mc_conv_match_compat_macro(const mc_conv *conv, const char *name, const char **family, int *major, int *minor)
{
	return match_prefixed(conv->compat_macros, conv->ncompat_macros, name, 1, family, major, minor);
}

/* "pc_i440fx_machine_5_1_options", "spapr_machine_2_3_class_options", "pc_compat_2_3": the
 * version follows the prefix, possibly after "machine_" / "v". */
int mc_conv_match_compat_function(const mc_conv *conv, const char *name, const char **family, int *major, int *minor)
{
	for (size_t i = 0; i < conv->ncompat_functions; i++) {
		const mc_conv_pair *p = &conv->compat_functions[i];
		if (!mc_str_startswith(name, p->name))
			continue;
		const char *s = name + strlen(p->name);
		if (mc_str_startswith(s, "machine_"))
			s += 8;
		if (*s == 'v')
			s++;
		const char *rest;
		if (read_version(s, major, minor, &rest) && (*rest == '\0' || *rest == '_')) {
			*family = p->family;
			return 1;
		}
	}
	return 0;
}

int mc_conv_match_compat_machine(const mc_conv *conv, const char *name, const char **family, int *major, int *minor)
{
	for (size_t i = 0; i < conv->ncompat_machines; i++) {
		const mc_conv_pair *p = &conv->compat_machines[i];
		if (!mc_str_startswith(name, p->name))
			continue;
		const char *s = name + strlen(p->name);
		char *end;
		if (!isdigit((unsigned char)*s))
			continue;
		long a = strtol(s, &end, 10);
		if (*end != '.' || !isdigit((unsigned char)end[1]))
			continue;
		long b = strtol(end + 1, &end, 10);
		if (*end || a > 1000 || b > 1000)
			continue;
		*family = p->family;
		*major = (int)a;
		*minor = (int)b;
		return 1;
	}
	return 0;
}

const char *mc_conv_evidence_call(const mc_conv *conv, const char *callee)
{
	for (size_t i = 0; i < conv->nevidence_calls; i++) {
		const char *name = conv->evidence_calls[i].name;
		size_t len = strlen(name);
		if (len && name[len - 1] == '*' ? strncmp(callee, name, len - 1) == 0 : strcmp(callee, name) == 0)
			return conv->evidence_calls[i].family;
	}
	return NULL;
}

int mc_conv_machine_only(const mc_conv *conv, const char *path, const char **family)
{
	const mc_conv_pair *best = NULL;
	for (size_t i = 0; path && i < conv->nmachine_only; i++)
		if (mc_str_startswith(path, conv->machine_only[i].name) &&
		    (!best || strlen(conv->machine_only[i].name) > strlen(best->name)))
			best = &conv->machine_only[i];
	if (!best)
		return 0;
	*family = best->family;
	return 1;
}

/* Does name match one of the shell globs? */
static int matches_glob(const mc_strvec *globs, const char *name)
{
	for (size_t i = 0; i < globs->n; i++)
		if (fnmatch(globs->v[i], name, 0) == 0)
			return 1;
	return 0;
}

int mc_conv_is_host_property(const mc_conv *conv, const char *name)
{
	return matches_glob(&conv->host_properties, name);
}

int mc_conv_is_stream_property(const mc_conv *conv, const char *name)
{
	return matches_glob(&conv->stream_properties, name);
}

int mc_conv_is_feature_member(const mc_conv *conv, const char *usr)
{
	/* A member's USR is "c:@S@STRUCT@FI@MEMBER" (or @SA@ for a typedef'd anonymous struct). */
	const char *fi = usr ? strstr(usr, "@FI@") : NULL;
	if (!fi)
		return 0;
	const char *at = fi;
	while (at > usr && at[-1] != '@')
		at--;
	for (size_t i = 0; i < conv->feature_members.n; i++) {
		const char *want = conv->feature_members.v[i], *dot = strchr(want, '.');
		if ((size_t)(fi - at) == (size_t)(dot - want) && strncmp(at, want, (size_t)(dot - want)) == 0 &&
		    strcmp(fi + 4, dot + 1) == 0)
			return 1;
	}
	return 0;
}

const mc_conv_table_type *mc_conv_table_type_of(const mc_conv *conv, const char *record, size_t *i)
{
	for (; *i < conv->ntable_types; (*i)++)
		if (strcmp(conv->table_types[*i].record, record) == 0)
			return &conv->table_types[*i];
	return NULL;
}

const mc_conv_table_versions *mc_conv_table_versions_of(const mc_conv *conv, const char *record)
{
	for (size_t i = 0; i < conv->ntable_versions; i++)
		if (strcmp(conv->table_versions[i].record, record) == 0)
			return &conv->table_versions[i];
	return NULL;
}

const mc_conv_qom_call *mc_conv_qom_call_of(const mc_conv *conv, const char *function)
{
	for (size_t i = 0; i < conv->nqom_calls; i++)
		if (strcmp(conv->qom_calls[i].function, function) == 0)
			return &conv->qom_calls[i];
	return NULL;
}

const mc_conv_table_prop *mc_conv_table_prop_of(const mc_conv *conv, const char *record, size_t *i)
{
	for (; *i < conv->ntable_props; (*i)++)
		if (strcmp(conv->table_props[*i].record, record) == 0)
			return &conv->table_props[*i];
	return NULL;
}

int mc_conv_names_table(const mc_conv *conv, const char *text)
{
	for (size_t i = 0; i < conv->ntable_types; i++)
		if (strstr(text, conv->table_types[i].record))
			return 1;
	for (size_t i = 0; i < conv->ntable_props; i++)
		if (strstr(text, conv->table_props[i].record))
			return 1;
	/* A helper adding properties to an instance_init's object names no record (hw/acpi/ich9.c). */
	for (size_t i = 0; i < conv->nqom_calls; i++)
		if (strstr(text, conv->qom_calls[i].function))
			return 1;
	return 0;
}

char *mc_conv_format_name(const char *format, const char *s, int d)
{
	mc_buf b = {0};
	mc_buf_put(&b, "", 0);
	for (const char *p = format; *p; p++) {
		if (*p != '%' || !p[1]) {
			mc_buf_put(&b, p, 1);
			continue;
		}
		p++;
		if (*p == 's')
			mc_buf_puts(&b, s);
		else if (*p == 'd')
			mc_buf_printf(&b, "%d", d);
		else
			mc_buf_put(&b, p, 1);
	}
	return mc_buf_detach(&b);
}

int mc_conv_is_dynamic_suffix(const mc_conv *conv, const char *type_name)
{
	for (size_t i = 0; i < conv->dynamic_type_suffixes.n; i++)
		if (mc_str_endswith(type_name, conv->dynamic_type_suffixes.v[i]))
			return 1;
	return 0;
}

const char *mc_conv_match_compat_defaults(const mc_conv *conv, const char *name)
{
	for (size_t i = 0; i < conv->ncompat_defaults; i++)
		if (mc_str_startswith(name, conv->compat_defaults[i].name))
			return conv->compat_defaults[i].family;
	return NULL;
}

char *mc_conv_stub_header(const mc_conv *conv, const char *name)
{
	size_t n = strlen(name);
	mc_buf b = {0};
	for (size_t i = 0; i < conv->stub_headers.n; i++) {
		const char *h = conv->stub_headers.v[i];
		if (strncmp(h, name, n) == 0 && h[n] == '\n')
			mc_buf_printf(&b, "%s\n", h + n + 1);
	}
	if (b.len)
		return mc_buf_detach(&b);
	mc_buf_free(&b);
	return NULL;
}

const char *mc_conv_generic_family(const mc_conv *conv)
{
	return conv->generic_family;
}

/* Does the segment [s, se) match [p, pe), '*' standing for any run of characters? */
static int glob_segment(const char *p, const char *pe, const char *s, const char *se)
{
	const char *star = NULL, *mark = NULL;
	while (s < se) {
		if (p < pe && *p == '*') {
			star = p++;
			mark = s;
		} else if (p < pe && *p == *s) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++mark;
		} else {
			return 0;
		}
	}
	while (p < pe && *p == '*')
		p++;
	return p == pe;
}

/* Does path match pattern, '*' standing for any run of characters but '/'?  Linear per segment. */
static int glob_match(const char *pattern, const char *path)
{
	for (;;) {
		const char *pe = strchr(pattern, '/'), *se = strchr(path, '/');
		if (!pe != !se)
			return 0;
		if (!pe)
			return glob_segment(pattern, pattern + strlen(pattern), path, path + strlen(path));
		if (!glob_segment(pattern, pe, path, se))
			return 0;
		pattern = pe + 1;
		path = se + 1;
	}
}

mc_stub_kind mc_conv_generated_kind(const mc_conv *conv, const char *name)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	for (size_t i = 0; i < conv->ngenerated; i++)
		if (glob_match(conv->generated[i].pattern, base))
			return conv->generated[i].kind;
	return MC_STUB_PLAIN;
}

int mc_conv_is_qapi_schema(const mc_conv *conv, const char *path)
{
	for (size_t i = 0; i < conv->qapi_schemas.n; i++)
		if (glob_match(conv->qapi_schemas.v[i], path))
			return 1;
	return 0;
}
