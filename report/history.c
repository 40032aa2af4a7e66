/*
 * history.c: what `hinagata history` prints: the runs recorded, a
 * finding's timeline, the findings as CSV (see report.h).
 * Part of hinagata; see LICENSE.
 *
 * Text tables are aligned by display width (a Japanese header is two
 * columns a character); JSON and CSV are for programs: every field, the
 * language's part of bilingual texts, UTF-8 throughout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/jsontext.h"
#include "../common/util.h"
#include "report.h"

/* ---- aligned text tables ---- */

struct table {
	char **cells; /* row after row of cols cells, owned */
	size_t cols, cap;
	bool *right;  /* per column: numbers align right */
};

static size_t width(const char *s)
{
	size_t w = 0, n, len = strlen(s);
	uint32_t cp;
	while (len) {
		n = hg_utf8_decode(s, len, &cp);
		if (!n)
			n = 1, cp = '?';
		w += (size_t)(hg_char_width(cp) > 0 ? hg_char_width(cp) : 0);
		s += n;
		len -= n;
	}
	return w;
}

static void table_print(hg_buf *out, struct table *t, size_t ncells)
{
	size_t *w = hg_xcalloc(t->cols, sizeof(size_t)), i, c;
	for (i = 0; i < ncells; i++)
		if (width(t->cells[i]) > w[i % t->cols])
			w[i % t->cols] = width(t->cells[i]);
	for (i = 0; i < ncells; i += t->cols) {
		size_t end = 0;
		hg_buf line = HG_BUF_INIT;
		for (c = 0; c < t->cols; c++) {
			const char *s = t->cells[i + c];
			size_t pad = w[c] - width(s);
			if (c)
				hg_buf_puts(&line, "  ");
			if (t->right[c])
				hg_buf_fill(&line, ' ', pad);
			hg_report_text(&line, s, strlen(s));
			if (!t->right[c])
				hg_buf_fill(&line, ' ', pad);
		}
		end = line.size;
		while (end && line.ptr[end - 1] == ' ')
			end--;
		hg_buf_put(out, line.ptr, end);
		hg_buf_putc(out, '\n');
		hg_buf_dispose(&line);
	}
	for (i = 0; i < ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(w);
}

/* One row of t->cols cells (copied) after the *ncells there are. */
static void table_row(struct table *t, size_t *ncells, const char *const *row)
{
	size_t k;
	for (k = 0; k < t->cols; k++, (*ncells)++) {
		HG_GROW(t->cells, t->cap, *ncells + 1);
		t->cells[*ncells] = hg_xstrdup(row[k] ? row[k] : "-");
	}
}

static const char *num(char buf[32], int64_t v)
{
	snprintf(buf, 32, "%lld", (long long)v);
	return buf;
}

/* ---- runs ---- */

void hg_report_runs(hg_buf *out, const hg_hrun *runs, size_t n, hg_report_format f, hg_lang lang)
{
	static const char *const en[] = {"run", "date", "source", "ref", "accounts", "resources",
	        "checked", "findings", "opened", "resolved", "suppressed"};
	static const char *const ja[] = {"実行", "日付", "検出元", "リビジョン", "アカウント", "リソース",
	        "確認済み", "検出", "新規・再発", "解決", "抑制"};
	static bool right[] = {true, false, false, false, true, true, true, true, true, true, true};
	struct table t = {NULL, 11, 0, right};
	size_t i, k, ncells = 0;

	if (f == HG_FMT_JSON) {
		hg_buf_puts(out, "{\n  \"schema\": \"hinagata-runs/1\",\n  \"runs\": [");
		for (i = 0; i < n; i++) {
			const hg_hrun *r = &runs[i];
			hg_buf_printf(out, "%s\n    {\"id\": %lld, \"date\": ", i ? "," : "", (long long)r->id);
			hg_report_json_str(out, r->date, lang);
			hg_buf_puts(out, ", \"source\": ");
			hg_report_json_str(out, r->source, lang);
			hg_buf_puts(out, ", \"ref\": ");
			hg_report_json_str(out, r->ref, lang);
			hg_buf_puts(out, ", \"label\": ");
			hg_report_json_str(out, r->label, lang);
			hg_buf_printf(out,
			        ", \"accounts\": %lld, \"units\": %lld, \"resources\": %lld, \"checked\": %lld, "
			        "\"properties\": %lld, \"propertiesChecked\": %lld, \"counts\": {",
			        (long long)r->accounts, (long long)r->units, (long long)r->resources,
			        (long long)r->checked, (long long)r->properties, (long long)r->properties_checked);
			for (k = 0; k < HG_DS__COUNT; k++)
				hg_buf_printf(out, "%s\"%s\": %lld", k ? ", " : "", hg_drift_status_name((hg_drift_status)k),
				        (long long)r->counts[k]);
			hg_buf_printf(out,
			        "}, \"observed\": %lld, \"opened\": %lld, \"resolved\": %lld, \"suppressed\": %lld}",
			        (long long)r->observed, (long long)r->opened, (long long)r->resolved,
			        (long long)r->suppressed);
		}
		hg_buf_puts(out, n ? "\n  ]\n}\n" : "]\n}\n");
		return;
	}
	table_row(&t, &ncells, lang == HG_LANG_JA ? ja : en);
	for (i = 0; i < n; i++) {
		const hg_hrun *r = &runs[i];
		const char *row[11];
		char c[8][32];
		row[0] = num(c[0], r->id);
		row[1] = r->date;
		row[2] = r->source;
		row[3] = r->ref ? r->ref : "-";
		row[4] = num(c[1], r->accounts);
		row[5] = num(c[2], r->resources);
		row[6] = num(c[3], r->checked);
		row[7] = num(c[4], r->observed);
		row[8] = num(c[5], r->opened);
		row[9] = num(c[6], r->resolved);
		row[10] = num(c[7], r->suppressed);
		table_row(&t, &ncells, row);
	}
	table_print(out, &t, ncells);
}

/* ---- deployments ---- */

void hg_report_deployments(hg_buf *out, const hg_hdeploy *x, size_t n, hg_report_format f, hg_lang lang)
{
	static const char *const en[] = {"date", "account", "region", "stack/deployment", "template",
	        "before", "templateHash", "run"};
	static const char *const ja[] = {"日付", "アカウント", "リージョン", "スタック/デプロイ",
	        "テンプレート", "変更前", "templateHash", "実行"};
	static bool right[] = {false, false, false, false, false, false, false, true};
	struct table t = {NULL, 8, 0, right};
	size_t i, ncells = 0;

	if (f == HG_FMT_JSON) {
		hg_buf_puts(out, "{\n  \"schema\": \"hinagata-deployments/1\",\n  \"deployments\": [");
		for (i = 0; i < n; i++) {
			hg_buf_printf(out, "%s\n    {\"date\": ", i ? "," : "");
			hg_report_json_str(out, x[i].date, lang);
			hg_buf_puts(out, ", \"account\": ");
			hg_report_json_str(out, x[i].account, lang);
			hg_buf_puts(out, ", \"region\": ");
			hg_report_json_str(out, x[i].region, lang);
			hg_buf_puts(out, ", \"unit\": ");
			hg_report_json_str(out, x[i].unit, lang);
			hg_buf_puts(out, ", \"hash\": ");
			hg_report_json_str(out, x[i].hash, lang);
			hg_buf_puts(out, ", \"previous\": ");
			hg_report_json_str(out, x[i].previous, lang);
			hg_buf_puts(out, ", \"templateHash\": ");
			hg_report_json_str(out, x[i].template_hash, lang);
			hg_buf_printf(out, ", \"run\": %lld}", (long long)x[i].run);
		}
		hg_buf_puts(out, n ? "\n  ]\n}\n" : "]\n}\n");
		return;
	}
	table_row(&t, &ncells, lang == HG_LANG_JA ? ja : en);
	for (i = 0; i < n; i++) {
		char run[32];
		const char *row[8];
		row[0] = x[i].date, row[1] = x[i].account, row[2] = x[i].region, row[3] = x[i].unit;
		row[4] = x[i].hash, row[5] = x[i].previous, row[6] = x[i].template_hash;
		row[7] = num(run, x[i].run);
		table_row(&t, &ncells, row);
	}
	table_print(out, &t, ncells);
}

/* ---- one finding ---- */

/* A finding as a JSON object (no trailing newline). */
void hg_report__finding_json(hg_buf *o, const hg_hfinding *f, hg_lang lang)
{
	static const char *const keys[] = {"id", "source", "kind", "status", "severity", "account",
	        "region", "resource", "type", "unit", "control", "aspect", "controls", "title",
	        "detail", "firstSeen", "lastSeen", "statusDate", "suppressReason", "suppressExpires",
	        "date"};
	const char *vals[21];
	size_t i;
	bool first = true;

	vals[0] = f->key, vals[1] = f->source, vals[2] = f->kind, vals[3] = f->status;
	vals[4] = f->severity, vals[5] = f->account, vals[6] = f->region, vals[7] = f->resource;
	vals[8] = f->type, vals[9] = f->unit, vals[10] = f->control, vals[11] = f->aspect;
	vals[12] = f->controls, vals[13] = f->title, vals[14] = f->detail, vals[15] = f->first_seen;
	vals[16] = f->last_seen, vals[17] = f->status_date, vals[18] = f->reason;
	vals[19] = f->expires, vals[20] = f->date;
	hg_buf_putc(o, '{');
	for (i = 0; i < HG_ARRAY_SIZE(keys); i++) {
		if (!vals[i])
			continue;
		if (!first)
			hg_buf_puts(o, ", ");
		hg_buf_putc(o, '"');
		hg_buf_puts(o, keys[i]);
		hg_buf_puts(o, "\": ");
		hg_report_json_str(o, vals[i], lang);
		first = false;
	}
	hg_buf_printf(o, "%s\"seen\": %lld}", first ? "" : ", ", (long long)f->seen);
}

/* The language's name of a finding status (ORDER FSTATUS). */
const char *hg_report__status_label(const char *status, hg_lang lang)
{
	static const char *const ja[] = {"新規", "未解決", "再発", "抑制済み", "解決済み"};
	int k = hg_fstatus_parse(status);
	if (k < 0)
		return status ? status : "";
	return lang == HG_LANG_JA ? ja[k] : hg_fstatus_name((hg_fstatus)k);
}

void hg_report_timeline(hg_buf *out, const hg_hfinding *f, const hg_hevent *ev, size_t n,
        hg_report_format fmt, hg_lang lang)
{
	bool ja = lang == HG_LANG_JA;
	size_t i, ncells = 0;
	static bool right[] = {false, true, false, false};
	struct table t = {NULL, 4, 0, right};

	if (fmt == HG_FMT_JSON) {
		hg_buf_puts(out, "{\n  \"schema\": \"hinagata-finding/1\",\n  \"finding\": ");
		hg_report__finding_json(out, f, lang);
		hg_buf_puts(out, ",\n  \"events\": [");
		for (i = 0; i < n; i++) {
			hg_buf_printf(out, "%s\n    {\"run\": %lld, \"date\": ", i ? "," : "", (long long)ev[i].run);
			hg_report_json_str(out, ev[i].date, lang);
			hg_buf_puts(out, ", \"status\": ");
			hg_report_json_str(out, ev[i].status, lang);
			if (ev[i].reason) {
				hg_buf_puts(out, ", \"reason\": ");
				hg_report_json_str(out, ev[i].reason, lang);
			}
			if (ev[i].expires) {
				hg_buf_puts(out, ", \"expires\": ");
				hg_report_json_str(out, ev[i].expires, lang);
			}
			if (ev[i].ref) {
				hg_buf_puts(out, ", \"ref\": ");
				hg_report_json_str(out, ev[i].ref, lang);
			}
			hg_buf_putc(out, '}');
		}
		hg_buf_puts(out, n ? "\n  ]\n}\n" : "]\n}\n");
		return;
	}
	hg_buf_printf(out, "%s %s  %s\n", ja ? "検出項目" : "finding", f->key,
	        hg_report__status_label(f->status, lang));
	hg_buf_printf(out, "  %s: %s  %s: %s  %s: %s\n", ja ? "検出元" : "source", f->source,
	        ja ? "区分" : "kind", f->kind, ja ? "重要度" : "severity", f->severity);
	if (f->account && *f->account)
		hg_buf_printf(out, "  %s: %s%s%s\n", ja ? "アカウント" : "account", f->account,
		        f->region && *f->region ? "/" : "", f->region ? f->region : "");
	hg_buf_printf(out, "  %s: ", ja ? "リソース" : "resource");
	hg_report_text(out, f->resource, strlen(f->resource));
	if (f->type)
		hg_buf_printf(out, " (%s)", f->type);
	hg_buf_putc(out, '\n');
	if (f->control)
		hg_buf_printf(out, "  %s: %s\n", ja ? "統制" : "control", f->control);
	if (f->aspect && *f->aspect) {
		hg_buf_printf(out, "  %s: ", ja ? "対象" : "aspect");
		hg_report_text(out, f->aspect, strlen(f->aspect));
		hg_buf_putc(out, '\n');
	}
	if (f->title) {
		hg_buf_printf(out, "  %s: ", ja ? "内容" : "title");
		hg_report_bi(out, f->title, lang);
		hg_buf_putc(out, '\n');
	}
	if (f->detail) {
		hg_buf_printf(out, "  %s: ", ja ? "詳細" : "detail");
		hg_report_bi(out, f->detail, lang);
		hg_buf_putc(out, '\n');
	}
	if (ja)
		hg_buf_printf(out, "  初回検出 %s、最終検出 %s、検出回数 %lld\n\n", f->first_seen,
		        f->last_seen, (long long)f->seen);
	else
		hg_buf_printf(out, "  first seen %s, last seen %s, seen in %lld runs\n\n", f->first_seen,
		        f->last_seen, (long long)f->seen);
	{
		const char *h[4] = {ja ? "日付" : "date", ja ? "実行" : "run", ja ? "状態" : "status",
		        ja ? "備考" : "note"};
		for (i = 0; i < 4; i++, ncells++) {
			HG_GROW(t.cells, t.cap, ncells + 1);
			t.cells[ncells] = hg_xstrdup(h[i]);
		}
	}
	for (i = 0; i < n; i++) {
		hg_buf note = HG_BUF_INIT;
		char run[32];
		if (ev[i].reason) {
			hg_report_bi(&note, ev[i].reason, lang);
			if (ev[i].expires)
				hg_buf_printf(&note, ja ? " (期限 %s)" : " (until %s)", ev[i].expires);
		}
		HG_GROW(t.cells, t.cap, ncells + 4);
		t.cells[ncells++] = hg_xstrdup(ev[i].date);
		t.cells[ncells++] = hg_xstrdup(num(run, ev[i].run));
		t.cells[ncells++] = hg_xstrdup(hg_report__status_label(ev[i].status, lang));
		t.cells[ncells++] = hg_xstrdup(note.size ? note.ptr : "");
		hg_buf_dispose(&note);
	}
	table_print(out, &t, ncells);
}

/* ---- CSV ---- */

static void csv_field(hg_buf *out, const char *s, hg_lang lang)
{
	hg_buf b = HG_BUF_INIT;
	size_t i;
	hg_report_bi(&b, s, lang);
	/* Quoted always: values hold commas, quotes and newlines (RFC 4180). */
	hg_buf_putc(out, '"');
	for (i = 0; i < b.size; i++) {
		if (b.ptr[i] == '"')
			hg_buf_putc(out, '"');
		hg_buf_putc(out, b.ptr[i]);
	}
	hg_buf_putc(out, '"');
	hg_buf_dispose(&b);
}

void hg_report_findings_csv(hg_buf *out, const hg_hfinding *f, size_t n, hg_lang lang)
{
	size_t i;

	hg_buf_puts(out, "id,source,kind,status,severity,account,region,resource,type,unit,control,"
	                 "aspect,title,detail,first_seen,last_seen,status_date,seen,suppress_reason,"
	                 "suppress_expires\r\n");
	for (i = 0; i < n; i++) {
		const char *v[17] = {f[i].key, f[i].source, f[i].kind, f[i].status, f[i].severity,
		        f[i].account, f[i].region, f[i].resource, f[i].type, f[i].unit, f[i].control,
		        f[i].aspect, f[i].title, f[i].detail, f[i].first_seen, f[i].last_seen,
		        f[i].status_date};
		size_t k;
		for (k = 0; k < 17; k++) {
			csv_field(out, v[k] ? v[k] : "", lang);
			hg_buf_putc(out, ',');
		}
		hg_buf_printf(out, "%lld,", (long long)f[i].seen);
		csv_field(out, f[i].reason ? f[i].reason : "", lang);
		hg_buf_putc(out, ',');
		csv_field(out, f[i].expires ? f[i].expires : "", lang);
		hg_buf_puts(out, "\r\n");
	}
}
