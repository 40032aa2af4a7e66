/*
 * report.c: drift reports: text, JSON, Markdown, SARIF 2.1.0, JUnit XML
 * (see drift.h; the JSON schema is documented in docs/drift.md).
 * Part of hinagata; see LICENSE.
 *
 * Every format is built from the same sorted report, so the same run
 * gives the same bytes. Values masked by name arrive masked ("****").
 * Before any format is written, every text that came from outside (an
 * export, a template, an ignore file) is passed through clean(): secrets of
 * a known shape are masked (a connection string in a tag is a password
 * whatever the tag is called), and the text is made valid UTF-8 without
 * control characters (invalid bytes and controls become \xHH), so one bad
 * byte in an export can neither break the JUnit XML nor reach a terminal
 * or a Markdown report raw, and jansson (which refuses invalid UTF-8) drops
 * nothing from the JSON and SARIF reports.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../common/jsontext.h"
#include "../common/secret.h"
#include "../compiler/compiler.h"
#include "drift.h"

int hg_report_format_parse(hg_report_format *out, const char *s)
{
	static const char *const names[] = {"text", "json", "md", "sarif", "junit"};
	int i;
	for (i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (hg_report_format)i;
			return 0;
		}
	return -1;
}

/* The part of a bilingual (HG_BI) text for lang, appended to out. */
static void bi(hg_buf *out, const char *s, hg_lang lang)
{
	const char *sep = s ? strchr(s, '\x1f') : NULL;
	if (!s)
		return;
	if (!sep)
		hg_buf_puts(out, s);
	else if (lang == HG_LANG_JA)
		hg_buf_puts(out, sep + 1);
	else
		hg_buf_put(out, s, (size_t)(sep - s));
}

static char *bis(const char *s, hg_lang lang)
{
	hg_buf b = HG_BUF_INIT;
	bi(&b, s, lang);
	return hg_buf_detach(&b);
}

static const char *status_label(hg_drift_status s, hg_lang lang)
{
	static const char *const ja[] = {"一致", "変更あり", "削除", "管理外", "未確認"};
	return lang == HG_LANG_JA ? ja[s] : hg_drift_status_name(s);
}

static bool counts(const hg_drift_result *x)
{
	size_t k;
	if (x->ignored)
		return false;
	if (x->status == HG_DS_DELETED || x->status == HG_DS_UNMANAGED)
		return true;
	for (k = 0; x->status == HG_DS_MODIFIED && k < x->ndiffs; k++)
		if (!x->diffs[k].ignored)
			return true;
	return false;
}

static void summary(hg_buf *o, const hg_drift_report *r, hg_lang lang)
{
	unsigned pct = r->total ? (unsigned)(r->checked * 100 / r->total) : 100;
	if (lang == HG_LANG_JA)
		hg_buf_printf(o,
		        "集計: リソース %zu 件: 一致 %zu, 変更あり %zu, 削除 %zu, 管理外 %zu, 未確認 %zu; "
		        "確認率 %zu/%zu (%u%%)\n",
		        r->total, r->counts[HG_DS_IN_SYNC], r->counts[HG_DS_MODIFIED],
		        r->counts[HG_DS_DELETED], r->counts[HG_DS_UNMANAGED], r->counts[HG_DS_NOT_CHECKED],
		        r->checked, r->total, pct);
	else
		hg_buf_printf(o,
		        "summary: %zu resources: %zu in sync, %zu modified, %zu deleted, %zu unmanaged, "
		        "%zu not checked; coverage %zu/%zu (%u%%)\n",
		        r->total, r->counts[HG_DS_IN_SYNC], r->counts[HG_DS_MODIFIED],
		        r->counts[HG_DS_DELETED], r->counts[HG_DS_UNMANAGED], r->counts[HG_DS_NOT_CHECKED],
		        r->checked, r->total, pct);
}

static const char *name_of(const hg_drift_result *x)
{
	return x->logical_id ? x->logical_id : (x->physical_id ? x->physical_id : "?");
}

/* ---- what may be shown ---- */

/*
 * s as every format may show it (see the top of the file): arena-owned, or
 * s itself when nothing changes. The halves of a bilingual text (HG_BI) are
 * cleaned apart, so that their separator survives.
 */
static char *clean(hg_arena *a, const char *s)
{
	hg_buf m = HG_BUF_INIT, out = HG_BUF_INIT;
	const char *part = s;
	char *r;

	if (!s)
		return NULL;
	for (;;) {
		const char *sep = strchr(part, '\x1f');
		size_t n = sep ? (size_t)(sep - part) : strlen(part);
		hg_buf_clear(&m);
		hg_secret_mask(&m, part, n);
		hg_utf8_clean(&out, m.ptr, m.size, 0);
		if (!sep)
			break;
		hg_buf_putc(&out, '\x1f');
		part = sep + 1;
	}
	r = strlen(s) == out.size && memcmp(s, out.ptr, out.size) == 0
	            ? (char *)(uintptr_t)s
	            : hg_arena_strndup(a, out.ptr, out.size);
	hg_buf_dispose(&m);
	hg_buf_dispose(&out);
	return r;
}

static char **clean_list(hg_arena *a, char **list, size_t n)
{
	char **r;
	size_t i;
	if (!n)
		return list;
	r = hg_arena_alloc(a, n * sizeof(*r));
	for (i = 0; i < n; i++)
		r[i] = clean(a, list[i]);
	return r;
}

/* A copy of the report (shallow, in a) whose every text is clean(). */
static hg_drift_report cleaned(const hg_drift_report *r, hg_arena *a)
{
	hg_drift_report c = *r;
	size_t i, k;

	c.results = r->n ? hg_arena_alloc(a, r->n * sizeof(*c.results)) : NULL;
	for (i = 0; i < r->n; i++) {
		hg_drift_result *x = &c.results[i];
		*x = r->results[i];
		x->unit = clean(a, x->unit);
		x->logical_id = clean(a, x->logical_id);
		x->type = clean(a, x->type);
		x->physical_id = clean(a, x->physical_id);
		x->template_name = clean(a, x->template_name);
		x->template_version = clean(a, x->template_version);
		x->reason = clean(a, x->reason);
		x->severity = clean(a, x->severity);
		x->ignore_reason = clean(a, x->ignore_reason);
		x->account = clean(a, x->account);
		x->region = clean(a, x->region);
		x->source_file = clean(a, x->source_file);
		x->not_checked = clean_list(a, x->not_checked, x->nnot_checked);
		x->folds = clean_list(a, x->folds, x->nfolds);
		x->controls = clean_list(a, x->controls, x->ncontrols);
		if (x->ndiffs) {
			hg_prop_diff *d = hg_arena_alloc(a, x->ndiffs * sizeof(*d));
			for (k = 0; k < x->ndiffs; k++) {
				d[k] = x->diffs[k];
				d[k].path = clean(a, d[k].path);
				d[k].expected = clean(a, d[k].expected);
				d[k].actual = clean(a, d[k].actual);
				d[k].ignore_reason = clean(a, d[k].ignore_reason);
			}
			x->diffs = d;
		}
	}
	if (r->nexpired) {
		c.expired = hg_arena_alloc(a, r->nexpired * sizeof(*c.expired));
		for (i = 0; i < r->nexpired; i++) {
			c.expired[i] = r->expired[i];
			c.expired[i].file = clean(a, c.expired[i].file);
			c.expired[i].reason = clean(a, c.expired[i].reason);
			c.expired[i].expires = clean(a, c.expired[i].expires);
		}
	}
	c.ref = clean(a, r->ref);
	c.today = clean(a, r->today);
	return c;
}

/* ---- text ---- */

static void text_controls(hg_buf *o, const hg_drift_result *x, hg_lang lang)
{
	size_t k;
	if (!x->ncontrols && !x->mandatory)
		return;
	hg_buf_puts(o, "  [");
	for (k = 0; k < x->ncontrols; k++)
		hg_buf_printf(o, "%s%s", k ? " " : "", x->controls[k]);
	if (x->severity)
		hg_buf_printf(o, "%s%s", x->ncontrols ? " " : "", x->severity);
	if (x->mandatory)
		hg_buf_printf(o, "%s%s", x->ncontrols || x->severity ? ", " : "",
		        lang == HG_LANG_JA ? "必須" : "mandatory");
	hg_buf_putc(o, ']');
}

static void write_text(hg_buf *o, const hg_drift_report *r, const hg_report_options *opt)
{
	hg_lang lang = opt->lang;
	const char *red = opt->color ? "\033[31m" : "", *yel = opt->color ? "\033[33m" : "";
	const char *bold = opt->color ? "\033[1m" : "", *off = opt->color ? "\033[0m" : "";
	size_t i, k;

	for (i = 0; i < r->n; i++) {
		const hg_drift_result *x = &r->results[i];
		if (x->status == HG_DS_IN_SYNC && !x->nnot_checked)
			continue;
		hg_buf_printf(o, "%s%s%s %s%s%s %s", x->status == HG_DS_NOT_CHECKED || x->status == HG_DS_IN_SYNC ? yel : red,
		        status_label(x->status, lang), off, bold, name_of(x), off, x->type ? x->type : "");
		if (x->physical_id && x->logical_id)
			hg_buf_printf(o, " (%s)", x->physical_id);
		if (x->unit)
			hg_buf_printf(o, " %s %s", lang == HG_LANG_JA ? "単位" : "in", x->unit);
		text_controls(o, x, lang);
		if (x->ignored) {
			hg_buf_printf(o, " %s: ", lang == HG_LANG_JA ? "無視" : "ignored");
			hg_buf_puts(o, x->ignore_reason);
		}
		hg_buf_putc(o, '\n');
		if (x->reason) {
			hg_buf_puts(o, "    ");
			bi(o, x->reason, lang);
			hg_buf_putc(o, '\n');
		}
		for (k = 0; k < x->ndiffs; k++) {
			const hg_prop_diff *d = &x->diffs[k];
			hg_buf_printf(o, "    %s %s", d->path, hg_diff_kind_name(d->kind));
			if (d->expected)
				hg_buf_printf(o, " %s %s", lang == HG_LANG_JA ? "期待値" : "expected", d->expected);
			if (d->actual)
				hg_buf_printf(o, " %s %s", lang == HG_LANG_JA ? "実際" : "actual", d->actual);
			if (d->locked)
				hg_buf_printf(o, " (%s)", lang == HG_LANG_JA ? "ロック" : "locked");
			if (d->ignored)
				hg_buf_printf(o, " (%s: %s)", lang == HG_LANG_JA ? "無視" : "ignored",
				        d->ignore_reason);
			hg_buf_putc(o, '\n');
		}
		for (k = 0; k < x->nnot_checked; k++) {
			hg_buf_printf(o, "    %s ", lang == HG_LANG_JA ? "未確認:" : "not checked:");
			bi(o, x->not_checked[k], lang);
			hg_buf_putc(o, '\n');
		}
	}
	for (i = 0; i < r->nexpired; i++)
		hg_buf_printf(o, "%s %s:%u (%s): %s\n",
		        lang == HG_LANG_JA ? "期限切れの無視ルール" : "expired ignore rule",
		        r->expired[i].file, r->expired[i].line, r->expired[i].expires, r->expired[i].reason);
	summary(o, r, lang);
}

/* ---- JSON ---- */

static json_t *value_of(const char *text)
{
	json_t *v;
	if (!text)
		return json_null();
	v = json_loads(text, JSON_DECODE_ANY, NULL);
	return v ? v : json_string(text);
}

static json_t *strings(char *const *list, size_t n, hg_lang lang)
{
	json_t *a = json_array();
	size_t k;
	for (k = 0; k < n; k++) {
		char *s = bis(list[k], lang);
		json_array_append_new(a, json_string(s));
		free(s);
	}
	return a;
}

static void set_str(json_t *o, const char *key, const char *v, hg_lang lang)
{
	char *s;
	if (!v)
		return;
	s = bis(v, lang);
	json_object_set_new(o, key, json_string(s));
	free(s);
}

static json_t *result_json(const hg_drift_result *x, hg_lang lang)
{
	json_t *o = json_object(), *diffs = json_array();
	size_t k;

	set_str(o, "unit", x->unit, lang);
	set_str(o, "logicalId", x->logical_id, lang);
	set_str(o, "type", x->type, lang);
	set_str(o, "physicalId", x->physical_id, lang);
	json_object_set_new(o, "status", json_string(hg_drift_status_name(x->status)));
	set_str(o, "reason", x->reason, lang);
	set_str(o, "template", x->template_name, lang);
	set_str(o, "templateVersion", x->template_version, lang);
	set_str(o, "account", x->account, lang);
	set_str(o, "region", x->region, lang);
	json_object_set_new(o, "mandatory", json_boolean(x->mandatory));
	json_object_set_new(o, "controls", strings(x->controls, x->ncontrols, lang));
	set_str(o, "severity", x->severity, lang);
	if (x->expected_hash[0])
		json_object_set_new(o, "expectedHash", json_string(x->expected_hash));
	if (x->actual_hash[0])
		json_object_set_new(o, "actualHash", json_string(x->actual_hash));
	json_object_set_new(o, "drift", json_boolean(counts(x)));
	json_object_set_new(o, "ignored", json_boolean(x->ignored));
	set_str(o, "ignoreReason", x->ignore_reason, lang);
	for (k = 0; k < x->ndiffs; k++) {
		const hg_prop_diff *d = &x->diffs[k];
		json_t *j = json_pack("{s:s, s:s, s:o, s:o, s:b, s:b}", "path", d->path, "kind",
		        hg_diff_kind_name(d->kind), "expected", value_of(d->expected), "actual",
		        value_of(d->actual), "locked", d->locked, "ignored", d->ignored);
		if (d->ignore_reason)
			json_object_set_new(j, "ignoreReason", json_string(d->ignore_reason));
		json_array_append_new(diffs, j);
	}
	json_object_set_new(o, "differences", diffs);
	json_object_set_new(o, "notChecked", strings(x->not_checked, x->nnot_checked, lang));
	json_object_set_new(o, "folds", strings(x->folds, x->nfolds, lang));
	json_object_set_new(o, "source", json_string(x->source_file ? x->source_file : ""));
	return o;
}

static void write_json(hg_buf *o, const hg_drift_report *r, hg_lang lang)
{
	json_t *doc = json_object(), *sum = json_object(), *res = json_array(), *exp = json_array();
	size_t i;
	int s;
	char *text;

	json_object_set_new(doc, "schema", json_string("hinagata-drift/1"));
	json_object_set_new(doc, "tool", json_string(hg_compiler_version()));
	json_object_set_new(doc, "ref", r->ref ? json_string(r->ref) : json_null());
	json_object_set_new(doc, "date", json_string(r->today));
	for (s = 0; s < HG_DS__COUNT; s++)
		json_object_set_new(sum, hg_drift_status_name((hg_drift_status)s),
		        json_integer((json_int_t)r->counts[s]));
	json_object_set_new(sum, "checked", json_integer((json_int_t)r->checked));
	json_object_set_new(sum, "total", json_integer((json_int_t)r->total));
	json_object_set_new(sum, "drift", json_boolean(hg_drift_found(r, false)));
	json_object_set_new(doc, "summary", sum);
	for (i = 0; i < r->n; i++)
		json_array_append_new(res, result_json(&r->results[i], lang));
	json_object_set_new(doc, "resources", res);
	for (i = 0; i < r->nexpired; i++)
		json_array_append_new(exp, json_pack("{s:s, s:i, s:s, s:s}", "file", r->expired[i].file,
		                                   "line", (int)r->expired[i].line, "expires",
		                                   r->expired[i].expires, "reason", r->expired[i].reason));
	json_object_set_new(doc, "expiredIgnoreRules", exp);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	hg_buf_puts(o, text);
	hg_buf_putc(o, '\n');
	free(text);
	json_decref(doc);
}

/* ---- Markdown ---- */

static void md_cell(hg_buf *o, const char *s, hg_lang lang)
{
	hg_buf b = HG_BUF_INIT;
	size_t i;
	bi(&b, s, lang);
	for (i = 0; i < b.size; i++) {
		if (b.ptr[i] == '|')
			hg_buf_puts(o, "\\|");
		else if (b.ptr[i] == '\n')
			hg_buf_putc(o, ' ');
		else
			hg_buf_putc(o, b.ptr[i]);
	}
	hg_buf_dispose(&b);
}

static void write_md(hg_buf *o, const hg_drift_report *r, hg_lang lang)
{
	bool ja = lang == HG_LANG_JA;
	size_t i, k;
	int s;

	hg_buf_printf(o, "# %s (%s)\n\n", ja ? "ドリフト検知レポート" : "Drift report", r->today);
	if (r->ref)
		hg_buf_printf(o, "%s: `%s`\n\n", ja ? "期待状態の版" : "Desired state at", r->ref);
	hg_buf_printf(o, "## %s\n\n| %s | %s |\n|---|---:|\n", ja ? "概要" : "Summary",
	        ja ? "状態" : "Status", ja ? "件数" : "Resources");
	for (s = 0; s < HG_DS__COUNT; s++)
		hg_buf_printf(o, "| %s | %zu |\n", status_label((hg_drift_status)s, lang), r->counts[s]);
	hg_buf_printf(o, "| %s | %zu/%zu |\n\n", ja ? "確認済み" : "Checked", r->checked, r->total);
	hg_buf_printf(o, "## %s\n\n", ja ? "ドリフト" : "Drift");
	hg_buf_printf(o, "| %s | %s | %s | %s | %s | %s | %s | %s |\n|---|---|---|---|---|---|---|---|\n",
	        ja ? "リソース" : "Resource", ja ? "種類" : "Type", ja ? "状態" : "Status",
	        ja ? "統制" : "Controls", ja ? "プロパティ" : "Property", ja ? "期待値" : "Expected",
	        ja ? "実際" : "Actual", ja ? "備考" : "Note");
	for (i = 0; i < r->n; i++) {
		const hg_drift_result *x = &r->results[i];
		hg_buf ctl = HG_BUF_INIT;
		if (x->status == HG_DS_IN_SYNC || x->status == HG_DS_NOT_CHECKED)
			continue;
		for (k = 0; k < x->ncontrols; k++)
			hg_buf_printf(&ctl, "%s%s", k ? " " : "", x->controls[k]);
		if (x->severity)
			hg_buf_printf(&ctl, " (%s)", x->severity);
		for (k = 0; k < (x->ndiffs ? x->ndiffs : 1); k++) {
			const hg_prop_diff *d = x->ndiffs ? &x->diffs[k] : NULL;
			hg_buf_puts(o, "| ");
			md_cell(o, name_of(x), lang);
			hg_buf_puts(o, " | ");
			md_cell(o, x->type, lang);
			hg_buf_printf(o, " | %s | ", status_label(x->status, lang));
			md_cell(o, ctl.ptr, lang);
			hg_buf_puts(o, " | ");
			if (d) {
				hg_buf_putc(o, '`');
				md_cell(o, d->path, lang); /* '|' in a key would end the cell */
				hg_buf_printf(o, "` %s | ", hg_diff_kind_name(d->kind));
				md_cell(o, d->expected ? d->expected : "-", lang);
				hg_buf_puts(o, " | ");
				md_cell(o, d->actual ? d->actual : "-", lang);
				hg_buf_puts(o, " | ");
				if (d->locked)
					hg_buf_puts(o, ja ? "ロック " : "locked ");
				if (d->ignored) {
					hg_buf_puts(o, ja ? "無視: " : "ignored: ");
					md_cell(o, d->ignore_reason, lang);
				}
			} else {
				hg_buf_puts(o, "- | - | - | ");
				md_cell(o, x->reason, lang);
				if (x->ignored) {
					hg_buf_puts(o, ja ? " 無視: " : " ignored: ");
					md_cell(o, x->ignore_reason, lang);
				}
			}
			hg_buf_puts(o, " |\n");
		}
		hg_buf_dispose(&ctl);
	}
	hg_buf_printf(o, "\n## %s\n\n", ja ? "未確認" : "Not checked");
	for (i = 0; i < r->n; i++) {
		const hg_drift_result *x = &r->results[i];
		if (x->status == HG_DS_NOT_CHECKED) {
			hg_buf_printf(o, "- `%s` (%s): ", name_of(x), x->type);
			bi(o, x->reason, lang);
			hg_buf_putc(o, '\n');
		}
		for (k = 0; k < x->nnot_checked; k++) {
			hg_buf_printf(o, "- `%s` ", name_of(x));
			bi(o, x->not_checked[k], lang);
			hg_buf_putc(o, '\n');
		}
	}
	if (r->nexpired) {
		hg_buf_printf(o, "\n## %s\n\n", ja ? "期限切れの無視ルール" : "Expired ignore rules");
		for (i = 0; i < r->nexpired; i++)
			hg_buf_printf(o, "- %s:%u (%s): %s\n", r->expired[i].file, r->expired[i].line,
			        r->expired[i].expires, r->expired[i].reason);
	}
	hg_buf_putc(o, '\n');
	summary(o, r, lang);
}

/* ---- SARIF 2.1.0 ---- */

static void sarif_message(hg_buf *m, const hg_drift_result *x, hg_lang lang)
{
	size_t k;
	hg_buf_printf(m, "%s %s (%s): %s", x->type ? x->type : "", name_of(x),
	        x->unit ? x->unit : "", status_label(x->status, lang));
	if (x->reason) {
		hg_buf_puts(m, ": ");
		bi(m, x->reason, lang);
	}
	for (k = 0; k < x->ndiffs; k++) {
		const hg_prop_diff *d = &x->diffs[k];
		if (d->ignored)
			continue;
		hg_buf_printf(m, "; %s %s", d->path, hg_diff_kind_name(d->kind));
		if (d->expected)
			hg_buf_printf(m, " expected %s", d->expected);
		if (d->actual)
			hg_buf_printf(m, " actual %s", d->actual);
	}
}

static void write_sarif(hg_buf *o, const hg_drift_report *r, hg_lang lang)
{
	static const char *const rule_ids[] = {"", "drift/modified", "drift/deleted", "drift/unmanaged", "drift/not-checked"};
	static const char *const rule_text[] = {"", "A deployed resource differs from its template",
	        "A resource of the template is not deployed", "A deployed resource is in no template",
	        "A resource could not be compared"};
	json_t *rules = json_array(), *results = json_array(), *doc;
	size_t i, k;
	char *text;

	for (k = 1; k < HG_DS__COUNT; k++)
		json_array_append_new(rules, json_pack("{s:s, s:s, s:{s:s}}", "id", rule_ids[k], "name",
		                                     hg_drift_status_name((hg_drift_status)k), "shortDescription",
		                                     "text", rule_text[k]));
	for (i = 0; i < r->n; i++) {
		const hg_drift_result *x = &r->results[i];
		hg_buf m = HG_BUF_INIT;
		json_t *res, *loc, *props;
		hg_buf uri = HG_BUF_INIT;
		if (x->status == HG_DS_IN_SYNC)
			continue;
		hg_uri_path(&uri, x->source_file);
		sarif_message(&m, x, lang);
		loc = json_pack("{s:{s:{s:s%}}, s:[{s:s, s:s, s:s}]}", "physicalLocation",
		        "artifactLocation", "uri", uri.ptr, uri.size, "logicalLocations", "name",
		        name_of(x), "fullyQualifiedName", x->unit ? x->unit : name_of(x), "kind",
		        "resource");
		if (x->source_line)
			json_object_set_new(json_object_get(loc, "physicalLocation"), "region",
			        json_pack("{s:i}", "startLine", (int)x->source_line));
		props = json_pack("{s:s, s:b, s:o}", "status", hg_drift_status_name(x->status),
		        "mandatory", x->mandatory, "controls", strings(x->controls, x->ncontrols, lang));
		if (x->severity)
			json_object_set_new(props, "severity", json_string(x->severity));
		res = json_pack("{s:s, s:i, s:s, s:{s:s%}, s:[o], s:o}", "ruleId", rule_ids[x->status],
		        "ruleIndex", (int)x->status - 1, "level",
		        x->status == HG_DS_NOT_CHECKED ? "note" : (counts(x) ? "error" : "none"), "message",
		        "text", m.ptr, m.size, "locations", loc, "properties", props);
		if (x->ignored || (!counts(x) && x->status == HG_DS_MODIFIED))
			json_object_set_new(res, "suppressions",
			        json_pack("[{s:s, s:s}]", "kind", "external", "justification",
			                x->ignore_reason ? x->ignore_reason : "ignore rules"));
		json_array_append_new(results, res);
		hg_buf_dispose(&m);
		hg_buf_dispose(&uri);
	}
	doc = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o}]}", "$schema",
	        "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs", "tool",
	        "driver", "name", "hinagata", "version", hg_compiler_version(), "informationUri",
	        "https://github.com/hinagata/hinagata", "rules", rules, "results", results);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	hg_buf_puts(o, text);
	hg_buf_putc(o, '\n');
	free(text);
	json_decref(doc);
}

/* ---- JUnit XML ---- */

static void xml(hg_buf *o, const char *s, hg_lang lang)
{
	hg_buf b = HG_BUF_INIT;
	size_t i;
	bi(&b, s, lang);
	for (i = 0; i < b.size; i++)
		switch (b.ptr[i]) {
		case '<': hg_buf_puts(o, "&lt;"); break;
		case '>': hg_buf_puts(o, "&gt;"); break;
		case '&': hg_buf_puts(o, "&amp;"); break;
		case '"': hg_buf_puts(o, "&quot;"); break;
		default: hg_buf_putc(o, b.ptr[i]);
		}
	hg_buf_dispose(&b);
}

static void write_junit(hg_buf *o, const hg_drift_report *r, hg_lang lang)
{
	size_t i = 0, j, k;

	hg_buf_puts(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	hg_buf_printf(o, "<testsuites name=\"hinagata drift\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n",
	        r->total, r->counts[HG_DS_MODIFIED] + r->counts[HG_DS_DELETED] + r->counts[HG_DS_UNMANAGED],
	        r->counts[HG_DS_NOT_CHECKED]);
	while (i < r->n) { /* one suite per unit */
		const char *unit = r->results[i].unit ? r->results[i].unit : "";
		size_t fails = 0, skips = 0;
		for (j = i; j < r->n && strcmp(r->results[j].unit ? r->results[j].unit : "", unit) == 0; j++) {
			fails += counts(&r->results[j]);
			skips += r->results[j].status == HG_DS_NOT_CHECKED;
		}
		hg_buf_puts(o, "  <testsuite name=\"");
		xml(o, unit, lang);
		hg_buf_printf(o, "\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n", j - i, fails, skips);
		for (; i < j; i++) {
			const hg_drift_result *x = &r->results[i];
			hg_buf_puts(o, "    <testcase classname=\"");
			xml(o, unit, lang);
			hg_buf_puts(o, "\" name=\"");
			xml(o, name_of(x), lang);
			hg_buf_puts(o, " (");
			xml(o, x->type, lang);
			hg_buf_puts(o, ")\"");
			if (x->status == HG_DS_IN_SYNC || (!counts(x) && x->status != HG_DS_NOT_CHECKED)) {
				hg_buf_puts(o, "/>\n");
				continue;
			}
			hg_buf_puts(o, ">\n");
			if (x->status == HG_DS_NOT_CHECKED) {
				hg_buf_puts(o, "      <skipped message=\"");
				xml(o, x->reason, lang);
				hg_buf_puts(o, "\"/>\n");
			} else {
				hg_buf_printf(o, "      <failure type=\"%s\" message=\"%s\">",
				        hg_drift_status_name(x->status), status_label(x->status, lang));
				if (x->reason)
					xml(o, x->reason, lang);
				for (k = 0; k < x->ndiffs; k++) {
					const hg_prop_diff *d = &x->diffs[k];
					if (d->ignored)
						continue;
					hg_buf_putc(o, '\n');
					xml(o, d->path, lang); /* a key from an export may hold '<' or '&' */
					hg_buf_printf(o, " %s", hg_diff_kind_name(d->kind));
					if (d->expected) {
						hg_buf_puts(o, " expected ");
						xml(o, d->expected, lang);
					}
					if (d->actual) {
						hg_buf_puts(o, " actual ");
						xml(o, d->actual, lang);
					}
				}
				hg_buf_puts(o, "</failure>\n");
			}
			hg_buf_puts(o, "    </testcase>\n");
		}
		hg_buf_puts(o, "  </testsuite>\n");
	}
	hg_buf_puts(o, "</testsuites>\n");
}

void hg_drift_report_write(hg_buf *out, const hg_drift_report *report, const hg_report_options *o)
{
	hg_arena *a = hg_arena_new();
	hg_drift_report clean_report = cleaned(report, a);
	const hg_drift_report *r = &clean_report;

	switch (o->format) {
	case HG_FMT_TEXT: write_text(out, r, o); break;
	case HG_FMT_JSON: write_json(out, r, o->lang); break;
	case HG_FMT_MD: write_md(out, r, o->lang); break;
	case HG_FMT_SARIF: write_sarif(out, r, o->lang); break;
	case HG_FMT_JUNIT: write_junit(out, r, o->lang); break;
	}
	hg_arena_dispose(a);
}
