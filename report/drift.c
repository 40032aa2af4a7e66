/*
 * drift.c: drift reports: text, JSON, Markdown, SARIF 2.1.0, JUnit XML
 * (see report.h; the JSON schema is documented in docs/drift.md).
 * Part of hinagata; see LICENSE.
 *
 * The writer is a sink: it gets the results block by block in their final
 * order, writes what it can at once and flushes in chunks, so the memory a
 * report needs does not grow with the number of resources. Text, JSON,
 * SARIF and JUnit stream; Markdown puts the summary first, so it keeps the
 * findings it lists (drift, not-checked, violations) until the end. Masked
 * values arrive already masked ("****").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/jsontext.h"
#include "../common/util.h"
#include "../compiler/compiler.h"
#include "report.h"

#define FLUSH_AT (64u * 1024u)

struct hg_drift_writer {
	hg_report_options o;
	hg_write_fn write;
	void *payload;
	hg_buf b;
	int rc;
	size_t nres; /* results written (JSON and SARIF separators) */
	char *ref, *today;
	unsigned shard_index, shard_count; /* the meta's shard (count 0: not sharded) */
	size_t units_read;
	hg_arena *a; /* Markdown: the findings it keeps */
	hg_drift_result *kept;
	size_t nkept, capkept;
};

static void flush(hg_drift_writer *w, bool all)
{
	if (w->rc == 0 && w->b.size && (all || w->b.size >= FLUSH_AT))
		if (w->write(w->payload, w->b.ptr, w->b.size) < 0)
			w->rc = HG_EIO;
	if (all || w->b.size >= FLUSH_AT)
		hg_buf_clear(&w->b);
}

static const char *status_label(hg_drift_status s, hg_lang lang)
{
	static const char *const ja[] = {"一致", "変更あり", "削除済み", "管理外", "未確認"}; /* ORDER STATUS */
	return lang == HG_LANG_JA ? ja[s] : hg_drift_status_name(s);
}

/* Who made a difference (three-way), as reports say it; NULL without a deployed template. */
static const char *change_label(hg_change c, hg_lang lang)
{
	static const char *const ja[] = {NULL, "ドリフト", "未デプロイ", "ドリフト・未デプロイ"}; /* ORDER CHANGE */
	if (c == HG_CH_NONE)
		return NULL;
	return lang == HG_LANG_JA ? ja[c] : hg_change_name(c);
}

static const char *name_of(const hg_drift_result *x)
{
	return x->logical_id ? x->logical_id : (x->physical_id ? x->physical_id : "?");
}

/* Does a result say something beyond "in sync"? */
static bool noteworthy(const hg_drift_result *x)
{
	return x->status != HG_DS_IN_SYNC || x->nnot_checked || x->nviolations;
}

static void where(hg_buf *o, const hg_drift_result *x)
{
	if (x->account && *x->account) {
		hg_report_text(o, x->account, strlen(x->account));
		if (x->region && *x->region) {
			hg_buf_putc(o, '/');
			hg_report_text(o, x->region, strlen(x->region));
		}
	}
}

static void summary_line(hg_buf *o, const hg_drift_summary *s, hg_lang lang);

/* Three-way: how many resources differ only by what is not yet deployed. */
static void pending_line(hg_buf *o, const hg_drift_summary *s, hg_lang lang)
{
	if (!s->ndeployed)
		return;
	if (lang == HG_LANG_JA)
		hg_buf_printf(o, "未デプロイ: git にマージ済みでまだデプロイされていない変更だけのリソース %zu 件 "
		                 "(%zu 個のスタックのデプロイされたテンプレートと比べました。ドリフトには数えません)\n",
		        s->pending, s->ndeployed);
	else
		hg_buf_printf(o, "pending: %zu resource%s differ%s only by changes merged in git and not yet "
		                 "deployed (compared with the deployed templates of %zu stack%s; not counted as "
		                 "drift)\n",
		        s->pending, s->pending == 1 ? "" : "s", s->pending == 1 ? "s" : "", s->ndeployed,
		        s->ndeployed == 1 ? "" : "s");
}

static void summary_line(hg_buf *o, const hg_drift_summary *s, hg_lang lang)
{
	unsigned pct = s->total ? (unsigned)(s->checked * 100 / s->total) : 0;
	unsigned ppct = s->props_total ? (unsigned)(s->props_checked * 100 / s->props_total) : 0;
	const size_t *v = s->drift_by_severity;

	if (lang == HG_LANG_JA)
		hg_buf_printf(o,
		        "集計: リソース %zu 件 (一致 %zu、変更あり %zu、削除済み %zu、管理外 %zu、未確認 %zu)。"
		        "確認率 %zu/%zu (%u%%)、プロパティ %zu/%zu (%u%%)。重要度別のドリフト: "
		        "critical %zu、high %zu、medium %zu、low %zu、統制なし %zu\n",
		        s->total, s->counts[HG_DS_IN_SYNC], s->counts[HG_DS_MODIFIED],
		        s->counts[HG_DS_DELETED], s->counts[HG_DS_UNMANAGED], s->counts[HG_DS_NOT_CHECKED],
		        s->checked, s->total, pct, s->props_checked, s->props_total, ppct,
		        v[HG_CSEV_CRITICAL], v[HG_CSEV_HIGH], v[HG_CSEV_MEDIUM], v[HG_CSEV_LOW],
		        v[HG_CSEV_NONE]);
	else
		hg_buf_printf(o,
		        "summary: %zu resources: %zu in sync, %zu modified, %zu deleted, %zu unmanaged, "
		        "%zu not checked; coverage %zu/%zu (%u%%), properties %zu/%zu (%u%%); drift by "
		        "severity: critical %zu, high %zu, medium %zu, low %zu, no control %zu\n",
		        s->total, s->counts[HG_DS_IN_SYNC], s->counts[HG_DS_MODIFIED],
		        s->counts[HG_DS_DELETED], s->counts[HG_DS_UNMANAGED], s->counts[HG_DS_NOT_CHECKED],
		        s->checked, s->total, pct, s->props_checked, s->props_total, ppct,
		        v[HG_CSEV_CRITICAL], v[HG_CSEV_HIGH], v[HG_CSEV_MEDIUM], v[HG_CSEV_LOW],
		        v[HG_CSEV_NONE]);
}

static void expired_lines(hg_buf *o, const hg_drift_summary *s, hg_lang lang, const char *prefix)
{
	size_t i;
	for (i = 0; i < s->nexpired; i++) {
		hg_buf_puts(o, prefix);
		hg_report_text(o, s->expired[i].file, strlen(s->expired[i].file));
		hg_buf_printf(o, ":%u (", s->expired[i].line);
		hg_report_text(o, s->expired[i].expires, strlen(s->expired[i].expires));
		hg_buf_puts(o, "): ");
		hg_report_bi(o, s->expired[i].reason, lang);
		hg_buf_putc(o, '\n');
	}
}

/* ---- text ---- */

/* "[controls it implements and breaks, severity, mandatory]" */
static void text_controls(hg_buf *o, const hg_drift_result *x, hg_lang lang)
{
	size_t k, n = 0, j;
	if (!x->ncontrols && !x->mandatory && !x->severity && !x->nviolations)
		return;
	hg_buf_puts(o, "  [");
	for (k = 0; k < x->ncontrols; k++)
		hg_buf_printf(o, "%s%s", n++ ? " " : "", x->controls[k]);
	for (k = 0; k < x->nviolations; k++) {
		for (j = 0; j < x->ncontrols; j++)
			if (strcmp(x->controls[j], x->violations[k].control) == 0)
				break;
		if (j == x->ncontrols)
			hg_buf_printf(o, "%s%s", n++ ? " " : "", x->violations[k].control);
	}
	if (x->severity)
		hg_buf_printf(o, "%s%s", n++ ? " " : "", x->severity);
	if (x->mandatory)
		hg_buf_printf(o, "%s%s", n ? ", " : "", lang == HG_LANG_JA ? "必須" : "mandatory");
	hg_buf_putc(o, ']');
}

static void violation_text(hg_buf *o, const hg_violation *v, hg_lang lang)
{
	char sev[32] = "";
	if (v->severity)
		snprintf(sev, sizeof(sev), " (%s)", v->severity);
	if (lang == HG_LANG_JA)
		hg_buf_printf(o, "%sが統制 %s%s に違反しています",
		        v->deployed ? "デプロイされた値" : "テンプレートの値", v->control, sev);
	else
		hg_buf_printf(o, "%s breaks control %s%s",
		        v->deployed ? "the deployed value" : "the template's value", v->control, sev);
}

static void text_result(hg_drift_writer *w, const hg_drift_result *x)
{
	hg_buf *o = &w->b;
	hg_lang lang = w->o.lang;
	const char *red = w->o.color ? "\033[31m" : "", *yel = w->o.color ? "\033[33m" : "";
	const char *bold = w->o.color ? "\033[1m" : "", *off = w->o.color ? "\033[0m" : "";
	size_t k;

	if (!noteworthy(x))
		return;
	hg_buf_printf(o, "%s%s%s %s", x->status == HG_DS_NOT_CHECKED || x->status == HG_DS_IN_SYNC ? yel : red,
	        status_label(x->status, lang), off, bold);
	hg_report_text(o, name_of(x), strlen(name_of(x)));
	hg_buf_printf(o, "%s ", off);
	hg_report_text(o, x->type ? x->type : "", x->type ? strlen(x->type) : 0);
	if (x->physical_id && x->logical_id) {
		hg_buf_puts(o, " (");
		hg_report_text(o, x->physical_id, strlen(x->physical_id));
		hg_buf_putc(o, ')');
	}
	if (x->unit && *x->unit) {
		hg_buf_printf(o, " %s ", lang == HG_LANG_JA ? "場所:" : "in");
		hg_report_text(o, x->unit, strlen(x->unit));
	}
	if (x->account && *x->account) {
		hg_buf_puts(o, x->unit && *x->unit ? (lang == HG_LANG_JA ? "、" : ", ")
		                                   : (lang == HG_LANG_JA ? " 場所: " : " in "));
		where(o, x);
	}
	text_controls(o, x, lang);
	if (x->change != HG_CH_NONE) {
		hg_buf_puts(o, " (");
		hg_buf_puts(o, change_label(x->change, lang));
		hg_buf_putc(o, ')');
	}
	if (x->ignored) {
		hg_buf_printf(o, " %s: ", lang == HG_LANG_JA ? "無視" : "ignored");
		hg_report_text(o, x->ignore_reason, strlen(x->ignore_reason));
	}
	hg_buf_putc(o, '\n');
	if (x->reason) {
		hg_buf_puts(o, "    ");
		hg_report_bi(o, x->reason, lang);
		hg_buf_putc(o, '\n');
	}
	for (k = 0; k < x->nviolations; k++) {
		hg_buf_puts(o, "    ");
		violation_text(o, &x->violations[k], lang);
		hg_buf_putc(o, '\n');
	}
	for (k = 0; k < x->ndiffs; k++) {
		const hg_prop_diff *d = &x->diffs[k];
		hg_buf_puts(o, "    ");
		hg_report_text(o, d->path, strlen(d->path));
		hg_buf_printf(o, " %s", hg_diff_kind_name(d->kind));
		if (d->expected) {
			hg_buf_printf(o, " %s ", lang == HG_LANG_JA ? "期待値" : "expected");
			hg_report_text(o, d->expected, strlen(d->expected));
		}
		if (d->actual) {
			hg_buf_printf(o, " %s ", lang == HG_LANG_JA ? "実際の値" : "actual");
			hg_report_text(o, d->actual, strlen(d->actual));
		}
		if (d->locked)
			hg_buf_printf(o, " (%s)", lang == HG_LANG_JA ? "ロック" : "locked");
		if (d->change != HG_CH_NONE) {
			hg_buf_puts(o, " [");
			hg_buf_puts(o, change_label(d->change, lang));
			hg_buf_putc(o, ']');
		}
		if (d->ignored) {
			hg_buf_printf(o, " (%s: ", lang == HG_LANG_JA ? "無視" : "ignored");
			hg_report_text(o, d->ignore_reason, strlen(d->ignore_reason));
			hg_buf_putc(o, ')');
		}
		hg_buf_putc(o, '\n');
	}
	for (k = 0; k < x->nnot_checked; k++) {
		hg_buf_printf(o, "    %s ", lang == HG_LANG_JA ? "未確認:" : "not checked:");
		hg_report_bi(o, x->not_checked[k], lang);
		hg_buf_putc(o, '\n');
	}
}

/* ---- JSON (schema hinagata-drift/2) ---- */

static void jstr(hg_buf *o, const char *key, const char *v, hg_lang lang, const char *indent)
{
	if (!v)
		return;
	hg_buf_printf(o, ",\n%s\"%s\": ", indent, key);
	hg_report_json_str(o, v, lang);
}

static void jlist(hg_buf *o, const char *key, char *const *list, size_t n, hg_lang lang,
        const char *indent)
{
	size_t k;
	hg_buf_printf(o, ",\n%s\"%s\": [", indent, key);
	for (k = 0; k < n; k++) {
		hg_buf_puts(o, k ? ", " : "");
		hg_report_json_str(o, list[k], lang);
	}
	hg_buf_putc(o, ']');
}

/* A value's canonical JSON text as JSON, or a string when it is not JSON ("****"). */
static void jvalue(hg_buf *o, const char *text)
{
	if (!text)
		hg_buf_puts(o, "null");
	else if (strcmp(text, "****") == 0)
		hg_buf_puts(o, "\"****\"");
	else
		hg_report_json_text(o, text, strlen(text));
}

static void json_result(hg_drift_writer *w, const hg_drift_result *x)
{
	hg_buf *o = &w->b;
	hg_lang lang = w->o.lang;
	const char *in = "      ";
	size_t k;

	hg_buf_puts(o, w->nres++ ? ",\n    {\n" : "\n    {\n");
	hg_buf_printf(o, "%s\"status\": \"%s\"", in, hg_drift_status_name(x->status));
	jstr(o, "account", x->account, lang, in);
	jstr(o, "region", x->region, lang, in);
	jstr(o, "unit", x->unit, lang, in);
	jstr(o, "logicalId", x->logical_id, lang, in);
	jstr(o, "type", x->type, lang, in);
	jstr(o, "physicalId", x->physical_id, lang, in);
	jstr(o, "reason", x->reason, lang, in);
	jstr(o, "template", x->template_name, lang, in);
	jstr(o, "templateVersion", x->template_version, lang, in);
	hg_buf_printf(o, ",\n%s\"mandatory\": %s", in, x->mandatory ? "true" : "false");
	jlist(o, "controls", x->controls, x->ncontrols, lang, in);
	hg_buf_printf(o, ",\n%s\"violations\": [", in);
	for (k = 0; k < x->nviolations; k++) {
		const hg_violation *v = &x->violations[k];
		hg_buf_printf(o, "%s{\"control\": ", k ? ", " : "");
		hg_report_json_str(o, v->control, lang);
		hg_buf_puts(o, ", \"severity\": ");
		hg_report_json_str(o, v->severity, lang);
		hg_buf_printf(o, ", \"on\": \"%s\"}", v->deployed ? "deployed" : "template");
	}
	hg_buf_putc(o, ']');
	jstr(o, "severity", x->severity, lang, in);
	if (x->expected_hash[0])
		hg_buf_printf(o, ",\n%s\"expectedHash\": \"%s\"", in, x->expected_hash);
	if (x->actual_hash[0])
		hg_buf_printf(o, ",\n%s\"actualHash\": \"%s\"", in, x->actual_hash);
	hg_buf_printf(o, ",\n%s\"drift\": %s", in, hg_drift_result_counts(x) ? "true" : "false");
	if (x->change != HG_CH_NONE)
		hg_buf_printf(o, ",\n%s\"change\": \"%s\"", in, hg_change_name(x->change));
	hg_buf_printf(o, ",\n%s\"ignored\": %s", in, x->ignored ? "true" : "false");
	jstr(o, "ignoreReason", x->ignore_reason, lang, in);
	jstr(o, "ignoreExpires", x->ignore_expires, lang, in);
	hg_buf_printf(o, ",\n%s\"differences\": [", in);
	for (k = 0; k < x->ndiffs; k++) {
		const hg_prop_diff *d = &x->diffs[k];
		hg_buf_printf(o, "%s\n%s  {\"path\": ", k ? "," : "", in);
		hg_report_json_str(o, d->path, lang);
		hg_buf_printf(o, ", \"kind\": \"%s\", \"expected\": ", hg_diff_kind_name(d->kind));
		jvalue(o, d->expected);
		hg_buf_puts(o, ", \"actual\": ");
		jvalue(o, d->actual);
		hg_buf_printf(o, ", \"locked\": %s, \"ignored\": %s", d->locked ? "true" : "false",
		        d->ignored ? "true" : "false");
		if (d->change != HG_CH_NONE)
			hg_buf_printf(o, ", \"change\": \"%s\"", hg_change_name(d->change));
		if (d->ignore_reason) {
			hg_buf_puts(o, ", \"ignoreReason\": ");
			hg_report_json_str(o, d->ignore_reason, lang);
		}
		if (d->ignore_expires) {
			hg_buf_puts(o, ", \"ignoreExpires\": ");
			hg_report_json_str(o, d->ignore_expires, lang);
		}
		hg_buf_putc(o, '}');
	}
	hg_buf_printf(o, "%s]", x->ndiffs ? "\n      " : "");
	jlist(o, "notChecked", x->not_checked, x->nnot_checked, lang, in);
	jlist(o, "folds", x->folds, x->nfolds, lang, in);
	hg_buf_printf(o, ",\n%s\"properties\": {\"compared\": %zu, \"total\": %zu}", in,
	        x->props_compared, x->props_total);
	jstr(o, "source", x->source_file ? x->source_file : "", lang, in);
	hg_buf_puts(o, "\n    }");
}

static void json_begin(hg_drift_writer *w)
{
	hg_buf_puts(&w->b, "{\n  \"schema\": \"hinagata-drift/2\",\n  \"tool\": ");
	hg_json_string(&w->b, hg_compiler_version(), strlen(hg_compiler_version()));
	hg_buf_puts(&w->b, ",\n  \"ref\": ");
	if (w->ref)
		hg_report_json_str(&w->b, w->ref, w->o.lang);
	else
		hg_buf_puts(&w->b, "null");
	hg_buf_puts(&w->b, ",\n  \"date\": ");
	hg_report_json_str(&w->b, w->today, w->o.lang);
	if (w->shard_count) /* one shard of a fleet's run: history import puts the shards together */
		hg_buf_printf(&w->b, ",\n  \"shard\": {\"index\": %u, \"count\": %u, \"unitsRead\": %zu}",
		        w->shard_index + 1, w->shard_count, w->units_read);
	hg_buf_puts(&w->b, ",\n  \"resources\": [");
}

static void json_strings(hg_buf *o, const char *name, const char *const *list, size_t n)
{
	size_t i;
	hg_buf_printf(o, ", \"%s\": [", name);
	for (i = 0; i < n; i++) {
		if (i)
			hg_buf_puts(o, ", ");
		hg_report_json_str(o, list[i], HG_LANG_EN);
	}
	hg_buf_putc(o, ']');
}

/*
 * What the run's listings covered, one unit a line: where a resource in no
 * template that is not listed any more is gone. The history reads it back
 * (history import), so that a fleet's shards imported together resolve
 * unmanaged resources as one run over the fleet does. An Azure scope is
 * {"scope"} for an az resource list of a group (its top-level resources),
 * with "type" for one type right at the scope, and "subtree" for that type
 * under it too.
 */
static void json_listings(hg_buf *o, const hg_drift_cover *c)
{
	size_t i, k, n = hg_drift_cover_count(c);

	hg_buf_puts(o, ",\n  \"listings\": [");
	for (i = 0; i < n; i++) {
		hg_drift_listed l;
		hg_drift_cover_unit(c, i, &l);
		hg_buf_puts(o, i ? ",\n    {\"account\": " : "\n    {\"account\": ");
		hg_report_json_str(o, l.account, HG_LANG_EN);
		hg_buf_puts(o, ", \"region\": ");
		hg_report_json_str(o, l.region, HG_LANG_EN);
		if (!l.azure) {
			json_strings(o, "types", l.types, l.ntypes);
			hg_buf_putc(o, '}');
			continue;
		}
		hg_buf_puts(o, ", \"azure\": true, \"scopes\": [");
		for (k = 0; k < l.nscopes; k++) {
			const char *e = l.scopes[k], *t = strchr(e, '\x1f');
			hg_buf b = HG_BUF_INIT;
			hg_buf_put(&b, e, t ? (size_t)(t - e) : strlen(e));
			hg_buf_puts(o, k ? ", {\"scope\": " : "{\"scope\": ");
			hg_report_json_str(o, b.ptr ? b.ptr : "", HG_LANG_EN);
			if (t) {
				const char *end = strchr(t + 1, '\x1f');
				hg_buf_clear(&b);
				hg_buf_put(&b, t + 1, end ? (size_t)(end - t - 1) : strlen(t + 1));
				hg_buf_puts(o, ", \"type\": ");
				hg_report_json_str(o, b.ptr ? b.ptr : "", HG_LANG_EN);
				if (end)
					hg_buf_puts(o, ", \"subtree\": true");
			}
			hg_buf_putc(o, '}');
			hg_buf_dispose(&b);
		}
		hg_buf_putc(o, ']');
		json_strings(o, "notListed", l.unlisted, l.nunlisted);
		hg_buf_putc(o, '}');
	}
	hg_buf_puts(o, n ? "\n  ]" : "]");
}

static void json_end(hg_drift_writer *w, const hg_drift_summary *s)
{
	hg_buf *o = &w->b;
	size_t i;
	int k;

	hg_buf_puts(o, w->nres ? "\n  ],\n  \"summary\": {" : "],\n  \"summary\": {");
	for (k = 0; k < HG_DS__COUNT; k++)
		hg_buf_printf(o, "%s\n    \"%s\": %zu", k ? "," : "", hg_drift_status_name((hg_drift_status)k),
		        s->counts[k]);
	hg_buf_printf(o, ",\n    \"checked\": %zu,\n    \"total\": %zu", s->checked, s->total);
	hg_buf_printf(o, ",\n    \"properties\": {\"checked\": %zu, \"total\": %zu}", s->props_checked,
	        s->props_total);
	hg_buf_puts(o, ",\n    \"driftBySeverity\": {");
	for (k = 0; k < HG_CSEV__COUNT; k++)
		hg_buf_printf(o, "%s\"%s\": %zu", k ? ", " : "", hg_csev_name((hg_csev)k),
		        s->drift_by_severity[k]);
	hg_buf_printf(o, "},\n    \"suppressed\": %zu,\n    \"partial\": %zu,\n    \"violations\": %zu",
	        s->suppressed, s->partial, s->violations);
	if (s->ndeployed) /* three-way */
		hg_buf_printf(o, ",\n    \"pending\": %zu", s->pending);
	hg_buf_printf(o, ",\n    \"units\": %zu,\n    \"drift\": %s\n  },", s->units, s->drift ? "true" : "false");
	if (s->ndeployed) {
		hg_buf_puts(o, "\n  \"deployedTemplates\": [");
		for (i = 0; i < s->ndeployed; i++) {
			const hg_deployed_template *t = &s->deployed[i];
			hg_buf_printf(o, "%s\n    {\"account\": ", i ? "," : "");
			hg_report_json_str(o, t->account ? t->account : "", w->o.lang);
			hg_buf_puts(o, ", \"region\": ");
			hg_report_json_str(o, t->region ? t->region : "", w->o.lang);
			hg_buf_puts(o, ", \"unit\": ");
			hg_report_json_str(o, t->unit ? t->unit : "", w->o.lang);
			hg_buf_printf(o, ", \"hash\": \"%s\"", t->hash);
			if (t->template_hash) {
				hg_buf_puts(o, ", \"templateHash\": ");
				hg_report_json_str(o, t->template_hash, w->o.lang);
			}
			hg_buf_putc(o, '}');
		}
		hg_buf_puts(o, "\n  ],");
	}
	hg_buf_puts(o, "\n  \"expiredIgnoreRules\": [");
	for (i = 0; i < s->nexpired; i++) {
		hg_buf_printf(o, "%s\n    {\"file\": ", i ? "," : "");
		hg_report_json_str(o, s->expired[i].file, w->o.lang);
		hg_buf_printf(o, ", \"line\": %u, \"expires\": ", s->expired[i].line);
		hg_report_json_str(o, s->expired[i].expires, w->o.lang);
		hg_buf_puts(o, ", \"reason\": ");
		hg_report_json_str(o, s->expired[i].reason, w->o.lang);
		hg_buf_putc(o, '}');
	}
	hg_buf_puts(o, s->nexpired ? "\n  ]" : "]");
	json_listings(o, s->cover);
	hg_buf_puts(o, "\n}\n");
}

/* ---- Markdown (the monthly report of one run) ---- */

static void md_cell(hg_buf *o, const char *s, hg_lang lang)
{
	hg_report_md_cell(o, s, lang);
}

static void md_keep(hg_drift_writer *w, const hg_drift_result *x)
{
	if (!noteworthy(x))
		return;
	HG_AGROW(w->a, w->kept, w->capkept, w->nkept + 1);
	hg_drift_result_copy(w->a, &w->kept[w->nkept++], x);
}

static void md_end(hg_drift_writer *w, const hg_drift_summary *s)
{
	hg_buf *o = &w->b;
	hg_lang lang = w->o.lang;
	bool ja = lang == HG_LANG_JA;
	size_t i, k;
	int st;

	hg_buf_printf(o, "# %s (%s)\n\n", ja ? "ドリフト検知レポート" : "Drift report", w->today);
	if (w->ref) {
		hg_buf_printf(o, "%s: `", ja ? "期待状態のリビジョン" : "Desired state at");
		hg_report_text(o, w->ref, strlen(w->ref));
		hg_buf_puts(o, "`\n\n");
	}
	if (w->shard_count)
		hg_buf_printf(o, ja ? "シャード %u/%u (読み取った %zu ユニットのうち %zu)\n\n"
		                    : "Shard %u/%u (%zu of the %zu units read)\n\n",
		        w->shard_index + 1, w->shard_count, ja ? w->units_read : s->units,
		        ja ? s->units : w->units_read);
	hg_buf_printf(o, "## %s\n\n| %s | %s |\n|---|---:|\n", ja ? "概要" : "Summary",
	        ja ? "状態" : "Status", ja ? "件数" : "Resources");
	for (st = 0; st < HG_DS__COUNT; st++)
		hg_buf_printf(o, "| %s | %zu |\n", status_label((hg_drift_status)st, lang), s->counts[st]);
	hg_buf_printf(o, "| %s | %zu/%zu |\n", ja ? "確認済み" : "Checked", s->checked, s->total);
	hg_buf_printf(o, "| %s | %zu/%zu |\n", ja ? "確認済みのプロパティ" : "Properties checked",
	        s->props_checked, s->props_total);
	if (s->ndeployed) /* three-way */
		hg_buf_printf(o, "| %s | %zu |\n", ja ? "未デプロイの変更だけ" : "Pending deployment only",
		        s->pending);
	hg_buf_putc(o, '\n');
	hg_buf_printf(o, "| %s | %s |\n|---|---:|\n", ja ? "重要度" : "Severity",
	        ja ? "ドリフト" : "Drift");
	for (st = 0; st < HG_CSEV__COUNT; st++)
		hg_buf_printf(o, "| %s | %zu |\n",
		        st == HG_CSEV_NONE ? (ja ? "統制なし" : "no control") : hg_csev_name((hg_csev)st),
		        s->drift_by_severity[st]);
	hg_buf_printf(o, "\n## %s\n\n", ja ? "ドリフト" : "Drift");
	hg_buf_printf(o, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n|---|---|---|---|---|---|---|---|---|\n",
	        ja ? "リソース" : "Resource", ja ? "種類" : "Type", ja ? "場所" : "Where",
	        ja ? "状態" : "Status", ja ? "統制" : "Controls", ja ? "プロパティ" : "Property",
	        ja ? "期待値" : "Expected", ja ? "実際の値" : "Actual", ja ? "備考" : "Note");
	for (i = 0; i < w->nkept; i++) {
		const hg_drift_result *x = &w->kept[i];
		hg_buf ctl = HG_BUF_INIT, at = HG_BUF_INIT;
		if (x->status == HG_DS_IN_SYNC || x->status == HG_DS_NOT_CHECKED)
			continue;
		for (k = 0; k < x->nviolations; k++)
			hg_buf_printf(&ctl, "%s%s%s", ctl.size ? " " : "", x->violations[k].control,
			        x->violations[k].deployed ? "!" : "");
		for (k = 0; k < x->ncontrols; k++)
			hg_buf_printf(&ctl, "%s%s", ctl.size ? " " : "", x->controls[k]);
		if (x->severity)
			hg_buf_printf(&ctl, " (%s)", x->severity);
		where(&at, x);
		if (x->unit && *x->unit)
			hg_buf_printf(&at, "%s%s", at.size ? " " : "", x->unit);
		for (k = 0; k < (x->ndiffs ? x->ndiffs : 1); k++) {
			const hg_prop_diff *d = x->ndiffs ? &x->diffs[k] : NULL;
			hg_buf_puts(o, "| ");
			md_cell(o, name_of(x), lang);
			hg_buf_puts(o, " | ");
			md_cell(o, x->type, lang);
			hg_buf_puts(o, " | ");
			md_cell(o, at.ptr ? at.ptr : "", lang);
			hg_buf_printf(o, " | %s | ", status_label(x->status, lang));
			md_cell(o, ctl.ptr ? ctl.ptr : "", lang);
			hg_buf_puts(o, " | ");
			if (d) {
				hg_buf_puts(o, "`");
				md_cell(o, d->path, lang);
				hg_buf_printf(o, "` %s | ", hg_diff_kind_name(d->kind));
				md_cell(o, d->expected ? d->expected : "-", lang);
				hg_buf_puts(o, " | ");
				md_cell(o, d->actual ? d->actual : "-", lang);
				hg_buf_puts(o, " | ");
				if (d->locked)
					hg_buf_puts(o, ja ? "ロック " : "locked ");
				if (d->change != HG_CH_NONE) {
					hg_buf_puts(o, change_label(d->change, lang));
					hg_buf_putc(o, ' ');
				}
				if (d->ignored) {
					hg_buf_puts(o, ja ? "無視: " : "ignored: ");
					md_cell(o, d->ignore_reason, lang);
				}
			} else {
				hg_buf_puts(o, "- | - | - | ");
				if (x->change != HG_CH_NONE) {
					hg_buf_puts(o, change_label(x->change, lang));
					hg_buf_puts(o, ": ");
				}
				md_cell(o, x->reason, lang);
				if (x->ignored) {
					hg_buf_puts(o, ja ? " 無視: " : " ignored: ");
					md_cell(o, x->ignore_reason, lang);
				}
			}
			hg_buf_puts(o, " |\n");
		}
		hg_buf_dispose(&ctl);
		hg_buf_dispose(&at);
	}
	hg_buf_printf(o, "\n## %s\n\n", ja ? "統制違反" : "Controls broken");
	for (i = 0; i < w->nkept; i++) {
		const hg_drift_result *x = &w->kept[i];
		for (k = 0; k < x->nviolations; k++) {
			hg_buf_puts(o, "- `");
			md_cell(o, name_of(x), lang);
			hg_buf_puts(o, "` ");
			violation_text(o, &x->violations[k], lang);
			hg_buf_putc(o, '\n');
		}
	}
	hg_buf_printf(o, "\n## %s\n\n", ja ? "未確認" : "Not checked");
	for (i = 0; i < w->nkept; i++) {
		const hg_drift_result *x = &w->kept[i];
		if (x->status == HG_DS_NOT_CHECKED) {
			hg_buf_puts(o, "- `");
			md_cell(o, name_of(x), lang);
			hg_buf_puts(o, "` (");
			md_cell(o, x->type, lang);
			hg_buf_puts(o, "): ");
			hg_report_bi(o, x->reason, lang);
			hg_buf_putc(o, '\n');
		}
		for (k = 0; k < x->nnot_checked; k++) {
			hg_buf_puts(o, "- `");
			md_cell(o, name_of(x), lang);
			hg_buf_puts(o, "` ");
			hg_report_bi(o, x->not_checked[k], lang);
			hg_buf_putc(o, '\n');
		}
	}
	if (s->nexpired) {
		hg_buf_printf(o, "\n## %s\n\n", ja ? "期限切れの無視ルール" : "Expired ignore rules");
		expired_lines(o, s, lang, "- ");
	}
	hg_buf_putc(o, '\n');
	summary_line(o, s, lang);
	pending_line(o, s, lang);
}

/* ---- SARIF 2.1.0 ---- */

static const char *const sarif_rule_ids[] = {"", "drift/modified", "drift/deleted",
        "drift/unmanaged", "drift/not-checked"}; /* ORDER STATUS */

static void sarif_begin(hg_drift_writer *w)
{
	static const char *const text[] = {"", "A deployed resource differs from its template",
	        "A resource of the template is not deployed", "A deployed resource is in no template",
	        "A resource could not be compared"};
	hg_buf *o = &w->b;
	int k;

	hg_buf_puts(o, "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
	               "  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"tool\": {\n"
	               "        \"driver\": {\n          \"name\": \"hinagata\",\n          \"version\": ");
	hg_json_string(o, hg_compiler_version(), strlen(hg_compiler_version()));
	hg_buf_puts(o, ",\n          \"informationUri\": \"https://github.com/hinagata/hinagata\",\n"
	               "          \"rules\": [");
	for (k = 1; k < HG_DS__COUNT; k++)
		hg_buf_printf(o, "%s\n            {\"id\": \"%s\", \"name\": \"%s\", \"shortDescription\": {\"text\": \"%s\"}}",
		        k > 1 ? "," : "", sarif_rule_ids[k], hg_drift_status_name((hg_drift_status)k), text[k]);
	hg_buf_puts(o, "\n          ]\n        }\n      },\n      \"results\": [");
}

static void sarif_result(hg_drift_writer *w, const hg_drift_result *x)
{
	hg_buf *o = &w->b, m = HG_BUF_INIT, uri = HG_BUF_INIT;
	hg_lang lang = w->o.lang;
	bool counts = hg_drift_result_counts(x);
	size_t k;

	if (x->status == HG_DS_IN_SYNC && !x->nviolations)
		return;
	hg_report_text(&m, x->type ? x->type : "", x->type ? strlen(x->type) : 0);
	hg_buf_putc(&m, ' ');
	hg_report_text(&m, name_of(x), strlen(name_of(x)));
	hg_buf_puts(&m, " (");
	if (x->unit)
		hg_report_text(&m, x->unit, strlen(x->unit));
	if (x->account && *x->account) {
		hg_buf_putc(&m, ' ');
		where(&m, x);
	}
	hg_buf_printf(&m, "): %s", status_label(x->status, lang));
	if (x->reason) {
		hg_buf_puts(&m, ": ");
		hg_report_bi(&m, x->reason, lang);
	}
	for (k = 0; k < x->nviolations; k++) {
		hg_buf_puts(&m, "; ");
		violation_text(&m, &x->violations[k], lang);
	}
	for (k = 0; k < x->ndiffs; k++) {
		const hg_prop_diff *d = &x->diffs[k];
		if (d->ignored)
			continue;
		hg_buf_puts(&m, "; ");
		hg_report_text(&m, d->path, strlen(d->path));
		hg_buf_printf(&m, " %s", hg_diff_kind_name(d->kind));
		if (d->change != HG_CH_NONE)
			hg_buf_printf(&m, " (%s)", hg_change_name(d->change));
		if (d->expected) {
			hg_buf_puts(&m, " expected ");
			hg_report_text(&m, d->expected, strlen(d->expected));
		}
		if (d->actual) {
			hg_buf_puts(&m, " actual ");
			hg_report_text(&m, d->actual, strlen(d->actual));
		}
	}
	hg_report_uri(&uri, x->source_file);
	hg_buf_printf(o, "%s\n        {\n          \"ruleId\": \"%s\",\n          \"ruleIndex\": %d,\n"
	                 "          \"level\": \"%s\",\n          \"message\": {\"text\": ",
	        w->nres++ ? "," : "", sarif_rule_ids[x->status == HG_DS_IN_SYNC ? HG_DS_MODIFIED : x->status],
	        (int)(x->status == HG_DS_IN_SYNC ? HG_DS_MODIFIED : x->status) - 1,
	        x->status == HG_DS_NOT_CHECKED || (x->change == HG_CH_PENDING && !x->nviolations)
	                ? "note"
	                : (counts || x->nviolations ? "error" : "none"));
	hg_json_string(o, m.ptr ? m.ptr : "", m.size);
	hg_buf_puts(o, "},\n          \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
	hg_json_string(o, uri.ptr ? uri.ptr : "", uri.size);
	hg_buf_putc(o, '}');
	if (x->source_line)
		hg_buf_printf(o, ", \"region\": {\"startLine\": %u}", x->source_line);
	hg_buf_puts(o, "}, \"logicalLocations\": [{\"name\": ");
	hg_report_json_str(o, name_of(x), lang);
	hg_buf_puts(o, ", \"fullyQualifiedName\": ");
	{
		hg_buf fq = HG_BUF_INIT;
		where(&fq, x);
		if (x->unit)
			hg_buf_printf(&fq, "%s%s", fq.size ? "/" : "", x->unit);
		hg_buf_printf(&fq, "%s%s", fq.size ? "/" : "", name_of(x));
		hg_json_string(o, fq.ptr, fq.size);
		hg_buf_dispose(&fq);
	}
	hg_buf_puts(o, ", \"kind\": \"resource\"}]}],\n          \"properties\": {\"status\": ");
	hg_buf_printf(o, "\"%s\", \"mandatory\": %s, \"controls\": [", hg_drift_status_name(x->status),
	        x->mandatory ? "true" : "false");
	for (k = 0; k < x->ncontrols; k++) {
		hg_buf_puts(o, k ? ", " : "");
		hg_report_json_str(o, x->controls[k], lang);
	}
	hg_buf_puts(o, "], \"violations\": [");
	for (k = 0; k < x->nviolations; k++) {
		hg_buf_puts(o, k ? ", " : "");
		hg_report_json_str(o, x->violations[k].control, lang);
	}
	hg_buf_putc(o, ']');
	if (x->account && *x->account) {
		hg_buf_puts(o, ", \"account\": ");
		hg_report_json_str(o, x->account, lang);
	}
	if (x->region && *x->region) {
		hg_buf_puts(o, ", \"region\": ");
		hg_report_json_str(o, x->region, lang);
	}
	if (x->severity) {
		hg_buf_puts(o, ", \"severity\": ");
		hg_report_json_str(o, x->severity, lang);
	}
	if (x->change != HG_CH_NONE) /* three-way: drift, pending or both */
		hg_buf_printf(o, ", \"change\": \"%s\"", hg_change_name(x->change));
	hg_buf_putc(o, '}');
	if (x->ignored || (!counts && x->status == HG_DS_MODIFIED && x->change != HG_CH_PENDING)) {
		hg_buf_puts(o, ",\n          \"suppressions\": [{\"kind\": \"external\", \"justification\": ");
		hg_report_json_str(o, x->ignore_reason ? x->ignore_reason : "ignore rules", lang);
		hg_buf_puts(o, "}]");
	}
	hg_buf_puts(o, "\n        }");
	hg_buf_dispose(&m);
	hg_buf_dispose(&uri);
}

static void sarif_end(hg_drift_writer *w, const hg_drift_summary *s)
{
	hg_buf *o = &w->b;
	int k;

	hg_buf_puts(o, w->nres ? "\n      ],\n" : "],\n");
	hg_buf_puts(o, "      \"properties\": {\"summary\": {");
	for (k = 0; k < HG_DS__COUNT; k++)
		hg_buf_printf(o, "\"%s\": %zu, ", hg_drift_status_name((hg_drift_status)k), s->counts[k]);
	hg_buf_printf(o, "\"checked\": %zu, \"total\": %zu, \"propertiesChecked\": %zu, "
	                 "\"propertiesTotal\": %zu}}\n    }\n  ]\n}\n",
	        s->checked, s->total, s->props_checked, s->props_total);
}

/* ---- JUnit XML: one test suite per block (a stack of a unit) ---- */

static void junit_block(hg_drift_writer *w, const hg_drift_result *res, size_t n)
{
	hg_buf *o = &w->b, name = HG_BUF_INIT;
	hg_lang lang = w->o.lang;
	size_t i, k, fails = 0, skips = 0;

	if (!n)
		return;
	where(&name, &res[0]);
	if (res[0].status == HG_DS_UNMANAGED)
		hg_buf_printf(&name, "%s%s", name.size ? " " : "", lang == HG_LANG_JA ? "管理外" : "unmanaged");
	else if (res[0].unit)
		hg_buf_printf(&name, "%s%s", name.size ? " " : "", res[0].unit);
	for (i = 0; i < n; i++) {
		fails += hg_drift_result_counts(&res[i]) || res[i].nviolations;
		skips += res[i].status == HG_DS_NOT_CHECKED;
	}
	hg_buf_puts(o, "  <testsuite name=\"");
	hg_report_xml(o, name.ptr ? name.ptr : "", lang);
	hg_buf_printf(o, "\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n", n, fails, skips);
	for (i = 0; i < n; i++) {
		const hg_drift_result *x = &res[i];
		bool failed = hg_drift_result_counts(x) || x->nviolations;
		hg_buf_puts(o, "    <testcase classname=\"");
		hg_report_xml(o, name.ptr ? name.ptr : "", lang);
		hg_buf_puts(o, "\" name=\"");
		hg_report_xml(o, name_of(x), lang);
		hg_buf_puts(o, " (");
		hg_report_xml(o, x->type, lang);
		hg_buf_puts(o, ")\"");
		if (!failed && x->status != HG_DS_NOT_CHECKED) {
			hg_buf_puts(o, "/>\n");
			continue;
		}
		hg_buf_puts(o, ">\n");
		if (!failed) {
			hg_buf_puts(o, "      <skipped message=\"");
			hg_report_xml(o, x->reason, lang);
			hg_buf_puts(o, "\"/>\n");
		} else {
			bool first = true;
			hg_buf_printf(o, "      <failure type=\"%s\" message=\"%s\">",
			        hg_drift_status_name(x->status), status_label(x->status, lang));
			if (x->reason) {
				hg_report_xml(o, x->reason, lang);
				first = false;
			}
			for (k = 0; k < x->nviolations; k++) {
				hg_buf b = HG_BUF_INIT;
				violation_text(&b, &x->violations[k], lang);
				if (!first)
					hg_buf_putc(o, '\n');
				first = false;
				hg_report_xml(o, b.ptr, lang);
				hg_buf_dispose(&b);
			}
			for (k = 0; k < x->ndiffs; k++) {
				const hg_prop_diff *d = &x->diffs[k];
				if (d->ignored)
					continue;
				if (!first)
					hg_buf_putc(o, '\n');
				first = false;
				hg_report_xml(o, d->path, lang);
				hg_buf_printf(o, " %s", hg_diff_kind_name(d->kind));
				if (d->expected) {
					hg_buf_puts(o, " expected ");
					hg_report_xml(o, d->expected, lang);
				}
				if (d->actual) {
					hg_buf_puts(o, " actual ");
					hg_report_xml(o, d->actual, lang);
				}
			}
			hg_buf_puts(o, "</failure>\n");
		}
		hg_buf_puts(o, "    </testcase>\n");
	}
	hg_buf_puts(o, "  </testsuite>\n");
	hg_buf_dispose(&name);
}

/* ---- the sink ---- */

static int on_begin(void *payload, const hg_drift_meta *meta)
{
	hg_drift_writer *w = payload;

	free(w->ref);
	free(w->today);
	w->ref = meta->ref ? hg_xstrdup(meta->ref) : NULL;
	w->today = hg_xstrdup(meta->today ? meta->today : "");
	w->shard_index = meta->shard_index;
	w->shard_count = meta->shard_count;
	w->units_read = meta->units_read;
	switch (w->o.format) {
	case HG_FMT_JSON: json_begin(w); break;
	case HG_FMT_SARIF: sarif_begin(w); break;
	case HG_FMT_JUNIT:
		hg_buf_puts(&w->b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hinagata drift\">\n");
		break;
	default: break;
	}
	flush(w, false);
	return w->rc;
}

static int on_block(void *payload, const hg_drift_result *res, size_t n)
{
	hg_drift_writer *w = payload;
	size_t i;

	if (w->o.format == HG_FMT_JUNIT)
		junit_block(w, res, n);
	else
		for (i = 0; i < n; i++) {
			switch (w->o.format) {
			case HG_FMT_TEXT: text_result(w, &res[i]); break;
			case HG_FMT_JSON: json_result(w, &res[i]); break;
			case HG_FMT_MD: md_keep(w, &res[i]); break;
			case HG_FMT_SARIF: sarif_result(w, &res[i]); break;
			default: break;
			}
			flush(w, false);
		}
	flush(w, false);
	return w->rc;
}

static int on_end(void *payload, const hg_drift_summary *s)
{
	hg_drift_writer *w = payload;

	switch (w->o.format) {
	case HG_FMT_TEXT:
		expired_lines(&w->b, s, w->o.lang, w->o.lang == HG_LANG_JA ? "期限切れの無視ルール " : "expired ignore rule ");
		summary_line(&w->b, s, w->o.lang);
		pending_line(&w->b, s, w->o.lang);
		break;
	case HG_FMT_JSON: json_end(w, s); break;
	case HG_FMT_MD: md_end(w, s); break;
	case HG_FMT_SARIF: sarif_end(w, s); break;
	case HG_FMT_JUNIT: hg_buf_puts(&w->b, "</testsuites>\n"); break;
	case HG_FMT_HTML: /* not drift formats (cmd_drift refuses them) */
	case HG_FMT_CSV: break;
	}
	flush(w, true);
	return w->rc;
}

hg_drift_writer *hg_drift_writer_new(const hg_report_options *o, hg_write_fn write, void *payload)
{
	hg_drift_writer *w = hg_xcalloc(1, sizeof(*w));
	w->o = *o;
	w->write = write;
	w->payload = payload;
	hg_buf_init(&w->b);
	w->a = hg_arena_new();
	return w;
}

hg_drift_sink hg_drift_writer_sink(hg_drift_writer *w)
{
	hg_drift_sink s;
	s.begin = on_begin;
	s.block = on_block;
	s.end = on_end;
	s.payload = w;
	return s;
}

void hg_drift_writer_free(hg_drift_writer *w)
{
	if (!w)
		return;
	hg_buf_dispose(&w->b);
	hg_arena_dispose(w->a);
	free(w->ref);
	free(w->today);
	free(w);
}

static int to_buf(void *payload, const char *data, size_t len)
{
	hg_buf_put(payload, data, len);
	return 0;
}

void hg_drift_report_write(hg_buf *out, const hg_drift_report *r, const hg_report_options *o)
{
	hg_drift_writer *w = hg_drift_writer_new(o, to_buf, out);
	hg_drift_meta meta;
	size_t i = 0, j;

	memset(&meta, 0, sizeof(meta));
	meta.ref = r->ref;
	meta.today = r->today;
	on_begin(w, &meta);
	while (i < r->n) { /* blocks: runs of one unit */
		for (j = i + 1; j < r->n && r->results[j].unit && r->results[i].unit &&
		        strcmp(r->results[j].unit, r->results[i].unit) == 0 &&
		        strcmp(r->results[j].account ? r->results[j].account : "",
		                r->results[i].account ? r->results[i].account : "") == 0;
		        j++)
			;
		on_block(w, &r->results[i], j - i);
		i = j;
	}
	on_end(w, r->summary);
	hg_drift_writer_free(w);
}
