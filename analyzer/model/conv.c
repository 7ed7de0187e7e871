/*
 * conv.c - see conv.h.
 */
#include "model/conv.h"
#include "git/repo.h"

#include <ctype.h>
#include <errno.h>
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

/* Applies one directive; returns NULL or a static error text. */
static const char *apply_directive(mc_conv *conv, char **w, int n)
{
	const char *k = w[0];
#define NEED(count) do { if (n != (count)) return "wrong number of arguments"; } while (0)
	if (strcmp(k, "skip") == 0) {
		NEED(2);
		mc_strvec_push(&conv->skip, w[1]);
	} else if (strcmp(k, "include-dir") == 0) {
		NEED(2);
		mc_strvec_push(&conv->include_dirs, w[1]);
	} else if (strcmp(k, "system-include") == 0) {
		NEED(2);
		mc_strvec_push(&conv->system_includes, w[1]);
	} else if (strcmp(k, "host-define") == 0) {
		NEED(2);
		mc_strvec_push(&conv->host_defines, w[1]);
	} else if (strcmp(k, "target") == 0) {
		NEED(3);
		mc_conv_target *t = MC_VEC_PUSH(conv->targets, conv->ntargets, conv->cap_targets);
		t->prefix = mc_strdup(w[1]);
		t->arch = mc_strdup(w[2]);
	} else if (strcmp(k, "target-define") == 0 || strcmp(k, "target-include") == 0) {
		if (n < 3)
			return "wrong number of arguments";
		mc_conv_arch *a = arch_get(conv, w[1]);
		for (int i = 2; i < n; i++)
			mc_strvec_push(k[7] == 'd' ? &a->defines : &a->includes, w[i]);
	} else if (strcmp(k, "kind") == 0) {
		if (n != 3 && n != 4)
			return "wrong number of arguments";
		mc_kind kind = mc_kind_from_name(w[2]);
		if (kind == MC_KIND_UNKNOWN)
			return "unknown kind (bool, int, uint, size, enum, string, other)";
		mc_conv_kind *ck = MC_VEC_PUSH(conv->kinds, conv->nkinds, conv->cap_kinds);
		ck->info = mc_strdup(w[1]);
		ck->kind = kind;
		ck->enum_type = n == 4 ? mc_strdup(w[3]) : NULL;
	} else if (strcmp(k, "attach-call") == 0 || strcmp(k, "alias-call") == 0) {
		NEED(3);
		int arg;
		if (parse_int_arg(w[2], &arg) < 0)
			return "argument index must be a small non-negative number";
		if (k[1] == 't')
			push_pair(&conv->attach_calls, &conv->nattach_calls, &conv->cap_attach_calls, w[1], NULL, arg);
		else
			push_pair(&conv->alias_calls, &conv->nalias_calls, &conv->cap_alias_calls, w[1], NULL, arg);
	} else if (strcmp(k, "alias-init") == 0) {
		NEED(3);
		int arg;
		if (parse_int_arg(w[2], &arg) < 0)
			return "argument index must be a small non-negative number";
		push_pair(&conv->alias_inits, &conv->nalias_inits, &conv->cap_alias_inits, w[1], NULL, arg);
	} else if (strcmp(k, "alias-marker") == 0) {
		NEED(2);
		mc_strvec_push(&conv->alias_markers, w[1]);
	} else if (strcmp(k, "attach-field") == 0) {
		NEED(2);
		mc_strvec_push(&conv->attach_fields, w[1]);
	} else if (strcmp(k, "compat-array") == 0) {
		NEED(3);
		push_pair(&conv->compat_arrays, &conv->ncompat_arrays, &conv->cap_compat_arrays, w[2], w[1], 0);
	} else if (strcmp(k, "compat-macro") == 0) {
		NEED(3);
		push_pair(&conv->compat_macros, &conv->ncompat_macros, &conv->cap_compat_macros, w[2], w[1], 0);
	} else if (strcmp(k, "compat-function") == 0) {
		NEED(3);
		push_pair(&conv->compat_functions, &conv->ncompat_functions, &conv->cap_compat_functions, w[2], w[1], 0);
	} else if (strcmp(k, "compat-machine") == 0) {
		NEED(3);
		push_pair(&conv->compat_machines, &conv->ncompat_machines, &conv->cap_compat_machines, w[2], w[1], 0);
	} else if (strcmp(k, "compat-defaults") == 0) {
		NEED(3);
		push_pair(&conv->compat_defaults, &conv->ncompat_defaults, &conv->cap_compat_defaults, w[2], w[1], 0);
	} else if (strcmp(k, "stub-header") == 0 || strcmp(k, "stub-define") == 0) {
		if (n < 3)
			return "wrong number of arguments";
		mc_buf b = {0};
		mc_buf_printf(&b, "%s\n%s", w[1], k[5] == 'd' ? "#define " : "");
		for (int i = 2; i < n; i++)
			mc_buf_printf(&b, "%s%s", i > 2 ? " " : "", w[i]);
		mc_strvec_push_owned(&conv->stub_headers, mc_buf_detach(&b));
	} else if (strcmp(k, "dynamic-type-suffix") == 0) {
		NEED(2);
		mc_strvec_push(&conv->dynamic_type_suffixes, w[1]);
	} else if (strcmp(k, "version-file") == 0) {
		NEED(2);
		free(conv->version_file);
		conv->version_file = mc_strdup(w[1]);
	} else if (strcmp(k, "max-file-size") == 0) {
		NEED(2);
		int v;
		if (parse_int_arg(w[1], &v) < 0 || v == 0)
			return "max-file-size must be a positive number of bytes";
		conv->max_file_size = (size_t)v;
	} else {
		return "unknown directive";
	}
#undef NEED
	return NULL;
}

int mc_conv_parse(mc_conv *conv, const char *source, const char *text)
{
	memset(conv, 0, sizeof(*conv));
	conv->max_file_size = 4000000;
	int lineno = 0;
	const char *p = text;
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
		if (n < 0)
			err = "too many words";
		else if (n > 0)
			err = apply_directive(conv, words, n);
		if (err) {
			mc_error_set("%s:%d: %s%s%s", source, lineno, err, n > 0 ? ": " : "", n > 0 ? words[0] : "");
			free(line);
			mc_conv_free(conv);
			return MC_EPARSE;
		}
		free(line);
		p += len;
		if (*p == '\n')
			p++;
	}
	if (!conv->version_file)
		conv->version_file = mc_strdup("VERSION");
	mc_hash_text(text, strlen(text), conv->digest);
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
	mc_strvec_free(&conv->dynamic_type_suffixes);
	mc_strvec_free(&conv->stub_headers);
	free(conv->version_file);
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
