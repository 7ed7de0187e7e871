/*
 * report.c - see report.h.
 */
#include "report/report.h"

#include <errno.h>
#include <jansson.h>
#include "rules/catalog.h"
#include "report/suppress.h"
#include <stdlib.h>
#include <string.h>

int mc_format_parse(const char *name, mc_format *out)
{
	if (strcmp(name, "text") == 0)
		*out = MC_FORMAT_TEXT;
	else if (strcmp(name, "json") == 0)
		*out = MC_FORMAT_JSON;
	else if (strcmp(name, "sarif") == 0)
		*out = MC_FORMAT_SARIF;
	else if (strcmp(name, "codeclimate") == 0)
		*out = MC_FORMAT_CODECLIMATE;
	else if (strcmp(name, "email") == 0)
		*out = MC_FORMAT_EMAIL;
	else {
		mc_error_set("unknown format '%s' (text, json, sarif, codeclimate or email)", name);
		return MC_EINPUT;
	}
	return 0;
}

/* The compat array a fix would go into: the newest generic one, else the newest of any family. */
static const mc_compat_set *newest_set(const mc_model *m)
{
	const mc_compat_set *s = mc_model_newest_set(m, m->generic_family);
	for (size_t i = 0; !s && i < m->nsets; i++)
		if (m->sets[i].major != MC_VERSION_DEFAULTS)
			s = &m->sets[i];
	return s;
}

static json_t *jstr(const char *s)
{
	return mc_json_text(s);
}

/* SARIF's names for the two ways of accepting a finding. */
static const char *suppress_kind(mc_suppress_kind k)
{
	return k == MC_SUPPRESS_IN_SOURCE ? "inSource" : "external";
}

static json_t *strvec_json(const mc_strvec *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(a, jstr(v->v[i]));
	return a;
}

static json_t *finding_json(const mc_finding *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "rule", json_string(f->rule));
	json_object_set_new(o, "severity", json_string(mc_severity_name(f->severity)));
	json_object_set_new(o, "type", jstr(f->type));
	json_object_set_new(o, "owner", jstr(f->owner));
	json_object_set_new(o, "property", jstr(f->property));
	if (f->vmstate)
		json_object_set_new(o, "vmstate", json_string(f->vmstate));
	json_object_set_new(o, "old_value", jstr(f->old_value));
	json_object_set_new(o, "new_value", jstr(f->new_value));
	json_object_set_new(o, "file", jstr(f->file));
	json_object_set_new(o, "line", json_integer(f->line));
	if (f->changed_line >= 0)
		json_object_set_new(o, "changed_line", json_boolean(f->changed_line));
	json_object_set_new(o, "message", jstr(f->message));
	if (f->commit)
		json_object_set_new(o, "commit", json_string(f->commit));
	json_t *notes = json_array();
	for (size_t i = 0; i < f->notes.n; i++)
		json_array_append_new(notes, jstr(f->notes.v[i]));
	json_object_set_new(o, "notes", notes);
	json_object_set_new(o, "affected", strvec_json(&f->affected));
	if (f->suggestion) {
		json_t *s = json_object();
		json_object_set_new(s, "entry", jstr(f->suggestion));
		json_object_set_new(s, "array", jstr(f->suggestion_array));
		json_object_set_new(s, "file", jstr(f->suggestion_file));
		json_object_set_new(o, "suggestion", s);
	} else {
		json_object_set_new(o, "suggestion", json_null());
	}
	if (f->suppressed)
		json_object_set_new(o, "suppressed", json_pack("{s:s, s:s, s:s}", "kind", suppress_kind(f->suppressed),
							       "reason", f->suppress_reason, "where", f->suppress_where));
	return o;
}

json_t *mc_report_release_json(const mc_model *m)
{
	int major, minor;
	if (!mc_model_released(m, &major, &minor))
		return json_null();
	json_t *r = json_object();
	json_object_set_new(r, "last_released", json_sprintf("%d.%d", major, minor));
	json_object_set_new(r, "from", json_string(m->release_signal));
	if (m->major >= 0)
		json_object_set_new(r, "version_file", json_sprintf("%d.%d.%d", m->major, m->minor,
								    m->micro < 0 ? 0 : m->micro));
	return r;
}

char *mc_report_release_disagreement(const mc_model *m)
{
	int major, minor;
	if (!mc_model_released(m, &major, &minor) || !m->release_signal || strcmp(m->release_signal, "VERSION") == 0)
		return NULL;
	return mc_sprintf("VERSION says %d.%d.%d, a release candidate after %d.%d, but no compat array for %d.%d "
			  "exists: the compat arrays are trusted, and %d.%d is the last release",
			  m->major, m->minor, m->micro, m->major, m->minor, m->major, m->minor, major, minor);
}

/* The VMStateDescriptions of the parsed files: how many, which types have one, what could not be read. */
static json_t *vmstate_coverage_json(const mc_model *m)
{
	size_t types = 0;
	for (size_t i = 0; i < m->ntypes; i++)
		types += mc_type_vmstate(m->type_list[i]) != NULL;
	json_t *o = json_object(), *un = json_array();
	json_object_set_new(o, "descriptions", json_integer((json_int_t)m->nvmstates));
	json_object_set_new(o, "not_analysed", json_integer((json_int_t)m->vmstate_incomplete));
	json_object_set_new(o, "types", json_integer((json_int_t)types));
	for (size_t i = 0; i < m->vmstate_unanalysed.n; i++)
		json_array_append_new(un, jstr(m->vmstate_unanalysed.v[i]));
	json_object_set_new(o, "unanalysed", un);
	return o;
}

json_t *mc_report_coverage_json(const mc_model *m)
{
	json_t *c = json_object();
	json_object_set_new(c, "files_parsed", json_integer((json_int_t)m->files_parsed));
	json_object_set_new(c, "files_failed", json_integer((json_int_t)m->files_failed));
	json_object_set_new(c, "property_arrays", json_integer((json_int_t)m->property_arrays));
	json_object_set_new(c, "property_arrays_unresolved", json_integer((json_int_t)m->property_arrays_unresolved));
	json_object_set_new(c, "properties", json_integer((json_int_t)m->properties));
	json_object_set_new(c, "types", json_integer((json_int_t)m->ntypes));
	json_object_set_new(c, "rust_defaults_unvalued", json_integer((json_int_t)m->rust_defaults_unvalued));
	json_object_set_new(c, "code_properties", json_integer((json_int_t)m->code_properties));
	json_object_set_new(c, "code_properties_unattached", json_integer((json_int_t)m->code_properties_unattached));
	json_object_set_new(c, "code_defaults_unvalued", json_integer((json_int_t)m->code_defaults_unvalued));
	json_t *reasons = json_object();
	for (size_t i = 0; i < m->ncode_reasons; i++)
		json_object_set_new(reasons, m->code_reasons[i].reason, json_integer((json_int_t)m->code_reasons[i].n));
	json_object_set_new(c, "code_defaults_unvalued_by_reason", reasons);
	json_t *un = json_array();
	for (size_t i = 0; i < m->unanalysed.n; i++)
		json_array_append_new(un, jstr(m->unanalysed.v[i]));
	json_object_set_new(c, "unanalysed", un);
	json_object_set_new(c, "release", mc_report_release_json(m));
	json_object_set_new(c, "vmstate", vmstate_coverage_json(m));
	return c;
}

static json_t *rev_json(const char *rev, const char *commit)
{
	json_t *o = json_object();
	json_object_set_new(o, "rev", jstr(rev));
	json_object_set_new(o, "commit", jstr(commit));
	return o;
}

static int dump(FILE *out, json_t *root)
{
	int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	fputc('\n', out);
	if (rc < 0 || ferror(out)) {
		mc_error_set("cannot write the report: %s", strerror(errno));
		return MC_EIO;
	}
	return 0;
}

static int write_json(FILE *out, const mc_findings *fs, const mc_report_ctx *ctx)
{
	json_t *root = json_object();
	json_object_set_new(root, "tool", json_string("migcompat " MC_VERSION));
	if (ctx->base_rev)
		json_object_set_new(root, "base", rev_json(ctx->base_rev, ctx->base_commit));
	json_object_set_new(root, "head", rev_json(ctx->head_rev, ctx->head_commit));
	const mc_compat_set *n = newest_set(ctx->head);
	if (n) {
		json_t *nc = json_object();
		json_object_set_new(nc, "array", json_string(n->name));
		char version[32];
		snprintf(version, sizeof(version), "%d.%d", n->major, n->minor);
		json_object_set_new(nc, "version", json_string(version));
		json_object_set_new(nc, "file", json_string(n->file));
		json_object_set_new(root, "newest_compat", nc);
	} else {
		json_object_set_new(root, "newest_compat", json_null());
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < fs->n; i++)
		json_array_append_new(arr, finding_json(&fs->v[i]));
	json_object_set_new(root, "findings", arr);
	json_object_set_new(root, "coverage", mc_report_coverage_json(ctx->head));
	return dump(out, root);
}

static const char *sev_color(mc_severity s)
{
	return s == MC_SEV_ERROR ? "\033[1;31m" : s == MC_SEV_WARNING ? "\033[1;35m" : "\033[1;36m";
}

static int write_text(FILE *out, const mc_findings *fs, const mc_report_ctx *ctx)
{
	const char *bold = ctx->color ? "\033[1m" : "", *reset = ctx->color ? "\033[0m" : "";
	size_t count[3] = {0};
	for (size_t i = 0; i < fs->n; i++) {
		const mc_finding *f = &fs->v[i];
		if (f->suppressed)
			continue;
		count[f->severity]++;
		if (f->commit)
			fprintf(out, "%s%s%s\n", bold, f->commit, reset);
		fprintf(out, "%s%s:%d:1:%s %s%s:%s %s [%s]\n", bold, f->file, f->line, reset,
			ctx->color ? sev_color(f->severity) : "", mc_severity_name(f->severity), reset, f->message, f->rule);
		for (size_t k = 0; k < f->notes.n; k++)
			fprintf(out, "%s%s:%d:1:%s note: %s\n", bold, f->file, f->line, reset, f->notes.v[k]);
		if (f->suggestion)
			fprintf(out, "%s%s:%d:1:%s note: add %.*s to %s%s%s\n", bold, f->file, f->line, reset,
				(int)(strlen(f->suggestion) - mc_str_endswith(f->suggestion, ",")), f->suggestion,
				f->suggestion_array ? f->suggestion_array : "the newest compat array",
				f->suggestion_file && *f->suggestion_file ? " in " : "",
				f->suggestion_file ? f->suggestion_file : "");
	}
	const mc_model *m = ctx->head;
	fprintf(out, "migcompat: %zu error%s, %zu warning%s, %zu note%s; %zu files parsed (%zu failed), "
		     "%zu of %zu property arrays resolved\n",
		count[MC_SEV_ERROR], count[MC_SEV_ERROR] == 1 ? "" : "s", count[MC_SEV_WARNING],
		count[MC_SEV_WARNING] == 1 ? "" : "s", count[MC_SEV_NOTE], count[MC_SEV_NOTE] == 1 ? "" : "s",
		m->files_parsed, m->files_failed, m->property_arrays - m->property_arrays_unresolved, m->property_arrays);
	size_t hidden = mc_findings_suppressed(fs);
	if (hidden || ctx->baselined)
		fprintf(out, "migcompat: %zu finding%s suppressed (markers or the suppression file), %zu already in the "
			"baseline\n", hidden, hidden == 1 ? "" : "s", ctx->baselined);
	if (ferror(out)) {
		mc_error_set("cannot write the report: %s", strerror(errno));
		return MC_EIO;
	}
	return 0;
}

/*
 * A finding keeps its identity when lines move: rule, type and property (and
 * the commit label for a series) decide it.
 */
static char *fingerprint(const mc_finding *f)
{
	/* Entry findings also name the entry's value: two different bad entries are two. */
	char *id = mc_sprintf("%s|%s|%s|%s|%s%s%s", f->rule, f->type ? f->type : "", f->property ? f->property : "",
			      f->commit ? f->commit : "",
			      mc_finding_is_entry_located(f) && f->new_value ? f->new_value : "",
			      f->vmstate ? "|" : "", f->vmstate ? f->vmstate : "");
	char hex[41];
	mc_hash_text(id, strlen(id), hex);
	free(id);
	return mc_strdup(hex);
}


/* A finding's message with its notes and fix, for formats that have one text. */
static char *full_text(const mc_finding *f)
{
	mc_buf b = {0};
	mc_buf_puts(&b, f->message);
	for (size_t i = 0; i < f->notes.n; i++)
		mc_buf_printf(&b, "\n%s", f->notes.v[i]);
	if (f->suggestion)
		mc_buf_printf(&b, "\nfix: add %.*s to %s%s%s",
			      (int)(strlen(f->suggestion) - mc_str_endswith(f->suggestion, ",")), f->suggestion,
			      f->suggestion_array ? f->suggestion_array : "the newest compat array",
			      f->suggestion_file && *f->suggestion_file ? " in " : "",
			      f->suggestion_file ? f->suggestion_file : "");
	return mc_buf_detach(&b);
}

static int write_sarif(FILE *out, const mc_findings *fs)
{
	json_t *rules = json_array();
	for (size_t i = 0; i < mc_rule_catalog_len; i++) {
		const mc_rule_info *r = &mc_rule_catalog[i];
		char *help = mc_sprintf("%s\n\nExample: %s\n\nFix: %s", r->description, r->example, r->fix);
		json_array_append_new(rules, json_pack("{s:s, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}", "id", r->id,
						       "shortDescription", "text", r->summary,
						       "fullDescription", "text", r->description,
						       "help", "text", help,
						       "defaultConfiguration", "level", r->severity));
		free(help);
	}
	json_t *results = json_array();
	for (size_t i = 0; i < fs->n; i++) {
		const mc_finding *f = &fs->v[i];
		char *text = full_text(f), *fp = fingerprint(f);
		/* Code scanning annotates the line of a region: a line the change did not write gets
		 * none (the file is named, the line is in the properties and the message). */
		json_t *loc = f->changed_line == 0
				      ? json_pack("{s:{s:{s:s, s:s}}}", "physicalLocation", "artifactLocation", "uri",
						  f->file, "uriBaseId", "%SRCROOT%")
				      : json_pack("{s:{s:{s:s, s:s}, s:{s:i}}}", "physicalLocation", "artifactLocation",
						  "uri", f->file, "uriBaseId", "%SRCROOT%", "region", "startLine",
						  f->line > 0 ? f->line : 1);
		json_t *res = json_pack("{s:s, s:s, s:{s:s}, s:[o], s:{s:s}}", "ruleId", f->rule, "level",
					mc_severity_name(f->severity), "message", "text", text, "locations", loc,
					"partialFingerprints", "migcompat/v1", fp);
		json_t *props = json_pack("{s:s, s:s}", "type", f->type ? f->type : "", "property",
					  f->property ? f->property : "");
		if (f->commit)
			json_object_set_new(props, "commit", json_string(f->commit));
		if (f->vmstate)
			json_object_set_new(props, "vmstate", json_string(f->vmstate));
		if (f->changed_line == 0)
			json_object_set_new(props, "line", json_integer(f->line));
		json_object_set_new(props, "affected", strvec_json(&f->affected));
		json_object_set_new(res, "properties", props);
		/* One result per cause: the concrete types it changes are its related locations. */
		if (f->affected.n) {
			json_t *related = json_array();
			for (size_t k = 0; k < f->affected.n; k++)
				json_array_append_new(related, json_pack("{s:i, s:{s:o}}", "id", (int)k, "message", "text",
									 jstr(f->affected.v[k])));
			json_object_set_new(res, "relatedLocations", related);
		}
		if (f->suppressed)
			json_object_set_new(res, "suppressions",
					    json_pack("[{s:s, s:s}]", "kind", suppress_kind(f->suppressed), "justification",
						      f->suppress_reason));
		json_array_append_new(results, res);
		free(text);
		free(fp);
	}
	json_t *root = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o}]}",
				 "$schema", "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0",
				 "runs", "tool", "driver", "name", "migcompat", "version", MC_VERSION,
				 "informationUri", "https://www.qemu.org/docs/master/devel/migration/compatibility.html",
				 "rules", rules, "results", results);
	return dump(out, root);
}

static const char *codeclimate_severity(mc_severity s)
{
	return s == MC_SEV_ERROR ? "major" : s == MC_SEV_WARNING ? "minor" : "info";
}

static int write_codeclimate(FILE *out, const mc_findings *fs)
{
	json_t *root = json_array();
	for (size_t i = 0; i < fs->n; i++) {
		const mc_finding *f = &fs->v[i];
		if (f->suppressed)
			continue;
		char *text = full_text(f), *fp = fingerprint(f);
		json_array_append_new(root, json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:{s:i}}}", "description", text,
						      "check_name", f->rule, "fingerprint", fp, "severity",
						      codeclimate_severity(f->severity), "location", "path", f->file,
						      "lines", "begin", f->line > 0 ? f->line : 1));
		free(text);
		free(fp);
	}
	return dump(out, root);
}

/* Writes text word-wrapped at 72 columns, every line starting with indent (the first with first). */
static void wrap(FILE *out, const char *first, const char *indent, const char *text)
{
	const size_t width = 72;
	size_t col = (size_t)fprintf(out, "%s", first);
	size_t start_col = col;
	for (const char *p = text; *p;) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (!n)
			break;
		if (col > start_col && col + 1 + n > width) {
			col = (size_t)fprintf(out, "\n%s", indent) - 1;
			start_col = col;
		} else if (col > start_col) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)n, p);
		col += n;
		p += n;
	}
	fputc('\n', out);
}

/* One finding of the e-mail: what, where, why, and the fix. */
static void email_finding(FILE *out, const mc_finding *f)
{
	char *head = mc_sprintf("  %s: ", mc_severity_name(f->severity));
	char *what = mc_sprintf("%s [%s]", f->message, f->rule);
	wrap(out, head, "    ", what);
	fprintf(out, "    at %s:%d\n", f->file, f->line);
	for (size_t k = 0; k < f->notes.n; k++)
		wrap(out, "    ", "      ", f->notes.v[k]);
	if (f->suggestion)
		fprintf(out, "    fix: add to %s in %s:\n        %s\n",
			f->suggestion_array ? f->suggestion_array : "the newest compat array",
			f->suggestion_file && *f->suggestion_file ? f->suggestion_file : "its file", f->suggestion);
	fputc('\n', out);
	free(head);
	free(what);
}

void mc_report_reply_free(mc_report_reply *r)
{
	free(r->subject);
	free(r->in_reply_to);
	free(r->references);
	free(r->to);
	free(r->cc);
	memset(r, 0, sizeof(*r));
}

/* One header, folded at spaces as RFC 5322 allows (a continuation line starts with a space). */
static void mail_header(FILE *out, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	char *first = mc_sprintf("%s: ", name);
	wrap(out, first, " ", value);
	free(first);
}

/* The reply's header block and the blank line that ends it. */
static void email_headers(FILE *out, const mc_report_reply *r)
{
	mail_header(out, "Subject", r->subject);
	mail_header(out, "To", r->to);
	mail_header(out, "Cc", r->cc);
	mail_header(out, "In-Reply-To", r->in_reply_to);
	mail_header(out, "References", r->references);
	fputs("MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n", out);
}

/*
 * A reply a review bot can mail to the series: per patch, its findings and
 * their fixes, then how to fix all at once or accept a finding.  Plain text,
 * lines kept short, no colour, quoted nothing.
 */
static int write_email(FILE *out, const mc_findings *fs, const mc_report_ctx *ctx)
{
	size_t count[3] = {0};
	for (size_t i = 0; i < fs->n; i++)
		if (!fs->v[i].suppressed)
			count[fs->v[i].severity]++;
	const char *head = ctx->head_rev ? ctx->head_rev : "";
	if (ctx->reply) {
		email_headers(out, ctx->reply);
		/* The reader has the series in the thread; what they lack is the base it was checked on. */
		char *what = ctx->commits == 1 ? mc_strdup("the patch") : mc_sprintf("the %zu patches", ctx->commits);
		fprintf(out, "Hi,\n\nmigcompat checked live-migration compatibility of %s of this series,\n"
			     "applied on %.12s:\n",
			what, ctx->base_commit ? ctx->base_commit : ctx->base_rev);
		free(what);
	} else {
		if (ctx->base_rev)
			fprintf(out, "Hi,\n\nmigcompat checked live-migration compatibility of %s..%s", ctx->base_rev,
				head);
		else
			fprintf(out, "Hi,\n\nmigcompat audited the compat entries of %s", head);
		if (ctx->commits)
			fprintf(out, " (%zu patch%s)", ctx->commits, ctx->commits == 1 ? "" : "es");
		fputs(":\n", out);
	}
	if (count[MC_SEV_ERROR] + count[MC_SEV_WARNING] + count[MC_SEV_NOTE] == 0) {
		fputs("no finding: every released machine type keeps its property defaults.\n", out);
	} else {
		fprintf(out, "%zu error%s, %zu warning%s, %zu note%s.\n\n", count[MC_SEV_ERROR],
			count[MC_SEV_ERROR] == 1 ? "" : "s", count[MC_SEV_WARNING], count[MC_SEV_WARNING] == 1 ? "" : "s",
			count[MC_SEV_NOTE], count[MC_SEV_NOTE] == 1 ? "" : "s");
		/* Findings are sorted by commit label first, so each patch is one block. */
		const char *label = NULL;
		for (size_t i = 0; i < fs->n; i++) {
			const mc_finding *f = &fs->v[i];
			if (f->suppressed)
				continue;
			if (f->commit && (!label || strcmp(label, f->commit) != 0)) {
				label = f->commit;
				fprintf(out, "%s\n", label);
			}
			email_finding(out, f);
		}
		if (ctx->base_rev)
			fputs("Each patch of a series must keep migration working on its own: a default changed\n"
			      "in one patch needs its compat entry in the same patch.  migcompat check --fix\n"
			      "prints the missing entries of a patch as a diff for git apply.\n", out);
		fputs("If a finding is intended, say why where it is: a comment\n"
		      "    /* " MC_MARKER "<rule>: <reason> */\n"
		      "on the DEFINE_PROP or compat line, or an entry in " MC_SUPPRESSIONS_PATH ".\n"
		      "migcompat --explain <rule> tells more about each rule.\n", out);
	}
	size_t hidden = mc_findings_suppressed(fs);
	if (hidden)
		fprintf(out, "\n%zu finding%s accepted by suppression markers or the suppression file.\n", hidden,
			hidden == 1 ? "" : "s");
	fputs("\n-- \nmigcompat " MC_VERSION "\n", out);
	if (ferror(out)) {
		mc_error_set("cannot write the report: %s", strerror(errno));
		return MC_EIO;
	}
	return 0;
}

int mc_report_write(FILE *out, mc_format fmt, const mc_findings *fs, const mc_report_ctx *ctx)
{
	switch (fmt) {
	case MC_FORMAT_JSON:
		return write_json(out, fs, ctx);
	case MC_FORMAT_SARIF:
		return write_sarif(out, fs);
	case MC_FORMAT_CODECLIMATE:
		return write_codeclimate(out, fs);
	case MC_FORMAT_EMAIL:
		return write_email(out, fs, ctx);
	default:
		return write_text(out, fs, ctx);
	}
}
