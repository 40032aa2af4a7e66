/*
 * tdiff.c: template diff reports (hinagata diff, check's stale outputs,
 * update's impact): text, JSON (schema hinagata-diff/1, docs/diff.md) and
 * Markdown, in English or Japanese.
 * Part of hinagata; see LICENSE.
 *
 * A diff is small next to a drift report (templates, not fleets), so the
 * writers take the whole result and build the text in one buffer. What a
 * reader must not miss is said on the resource's own line: a replacement,
 * and data that the change deletes (marked "!!"); the summary repeats the
 * counts. Values arrive canonical (keys sorted, compact) and masked.
 */
#include <stdio.h>
#include <string.h>

#include "../common/jsontext.h"
#include "../common/util.h"
#include "../compiler/compiler.h"
#include "report.h"

static const char *change_label(hg_tchange c, hg_lang lang)
{
	static const char *const ja[] = {"追加", "削除", "変更"}; /* ORDER TCHANGE */
	return lang == HG_LANG_JA ? ja[c] : hg_tchange_name(c);
}

static char change_mark(hg_tchange c)
{
	return c == HG_TC_ADDED ? '+' : c == HG_TC_REMOVED ? '-' : '~';
}

static const char *kind_label(bool arm)
{
	return arm ? "ARM" : "CloudFormation";
}

static void str(hg_buf *o, const char *s)
{
	if (s)
		hg_report_text(o, s, strlen(s));
}

/* What happens to the data a resource holds, or to the resource, bilingual; NULL: nothing to say. */
static const char *fate(const hg_tres *r, bool arm)
{
	if (r->change == HG_TC_REMOVED) {
		if (!r->holds)
			return NULL;
		if (r->keeps && strcmp(r->keeps, "incremental") == 0)
			return HG_BI("left in place by an incremental deployment (the default); a complete-mode "
			             "deployment deletes it",
			        "増分モードのデプロイ (既定) では残ります。完全モードのデプロイでは削除されます");
		if (r->keeps && strcmp(r->keeps, "snapshot") == 0)
			return HG_BI("deleted; a snapshot is kept (DeletionPolicy Snapshot)",
			        "削除されます。スナップショットは残ります (DeletionPolicy Snapshot)");
		if (r->keeps)
			return HG_BI("removed from the stack but kept (DeletionPolicy Retain), no longer managed",
			        "スタックからは外れますが残ります (DeletionPolicy Retain)。以後は管理されません");
		return HG_BI("deleted with what it holds", "保持しているデータごと削除されます");
	}
	if (r->change == HG_TC_MODIFIED && r->replace == HG_TR_MAYBE)
		return r->holds ? HG_BI("may be replaced, if CloudFormation cannot make the change in place "
		                        "(conditionalCreateOnlyProperties); the old one would go with what it holds",
		                          "CloudFormation がその場で変更できない場合は置き換えられ "
		                          "(conditionalCreateOnlyProperties)、古いものは保持しているデータごと失われます")
		                : HG_BI("may be replaced, if CloudFormation cannot make the change in place "
		                        "(conditionalCreateOnlyProperties)",
		                          "CloudFormation がその場で変更できない場合は置き換えられます "
		                          "(conditionalCreateOnlyProperties)");
	if (r->change != HG_TC_MODIFIED || r->replace != HG_TR_YES)
		return NULL;
	if (arm)
		return r->holds ? HG_BI("its location cannot change: the deployment fails unless it is "
		                        "deleted and created again, with what it holds",
		                          "場所は変えられません。削除して作り直さない限りデプロイは失敗し、"
		                          "作り直すと保持しているデータは失われます")
		                : HG_BI("its location cannot change: the deployment fails unless it is "
		                        "deleted and created again",
		                          "場所は変えられません。削除して作り直さない限りデプロイは失敗します");
	if (r->keeps && strcmp(r->keeps, "snapshot") == 0)
		return HG_BI("replaced; a snapshot of the old one is kept (UpdateReplacePolicy Snapshot)",
		        "置き換えられます。古いもののスナップショットは残ります (UpdateReplacePolicy Snapshot)");
	if (r->keeps)
		return HG_BI("replaced; the old one is kept (UpdateReplacePolicy Retain), no longer managed",
		        "置き換えられます。古いものは残りますが (UpdateReplacePolicy Retain)、以後は管理されません");
	return r->holds ? HG_BI("replaced: a new one is created and the old one deleted with what it holds",
	                          "置き換えられます。新しく作られ、古いものは保持しているデータごと削除されます")
	                : HG_BI("replaced: a new one is created and the old one deleted",
	                          "置き換えられます。新しく作られ、古いものは削除されます");
}

/* ---- text ---- */

static void text_value(hg_buf *o, char mark, const char *v)
{
	hg_buf_printf(o, "          %c ", mark);
	str(o, v);
	hg_buf_putc(o, '\n');
}

static void text_res(hg_buf *o, const hg_tres *r, bool arm, hg_lang lang)
{
	const char *f = fate(r, arm);
	size_t k;

	hg_buf_printf(o, "  %c ", change_mark(r->change));
	str(o, r->id);
	if (!arm || r->old_type || !r->type || !strstr(r->id, r->type)) { /* an ARM key names its type */
		hg_buf_puts(o, " (");
		if (r->old_type) {
			str(o, r->old_type);
			hg_buf_puts(o, " -> ");
		}
		str(o, r->type);
		hg_buf_putc(o, ')');
	}
	hg_buf_puts(o, ": ");
	hg_buf_puts(o, change_label(r->change, lang));
	if (r->change == HG_TC_MODIFIED && r->replace == HG_TR_YES)
		hg_buf_puts(o, lang == HG_LANG_JA ? "、置き換え" : ", REPLACED");
	else if (r->change == HG_TC_MODIFIED && r->replace == HG_TR_MAYBE)
		hg_buf_puts(o, lang == HG_LANG_JA ? "、置き換えの可能性あり" : ", may be REPLACED");
	else if (r->change == HG_TC_MODIFIED && r->replace == HG_TR_UNKNOWN)
		hg_buf_puts(o, lang == HG_LANG_JA ? "、置き換えの有無は不明 (スキーマなし)"
		                                  : ", replacement unknown (no schema)");
	if ((r->mandatory && r->template_name) || r->ncontrols) { /* what a reviewer must notice */
		bool named = r->mandatory && r->template_name;
		hg_buf_puts(o, " [");
		if (named) {
			hg_buf_puts(o, lang == HG_LANG_JA ? "必須 " : "mandatory ");
			str(o, r->template_name);
		}
		for (k = 0; k < r->ncontrols; k++) {
			hg_buf_puts(o, k == 0 && named ? "; " : k ? ", " : "");
			str(o, r->controls[k]);
		}
		hg_buf_putc(o, ']');
	}
	hg_buf_putc(o, '\n');
	if (f) {
		hg_buf_puts(o, r->at_risk ? "      !! " : "      ");
		if (r->holds) {
			hg_buf_puts(o, lang == HG_LANG_JA ? "データを保持 (" : "holds data (");
			hg_report_bi(o, r->holds, lang);
			hg_buf_puts(o, "): ");
		}
		hg_report_bi(o, f, lang);
		hg_buf_putc(o, '\n');
	}
	for (k = 0; k < r->nprops; k++) {
		const hg_tprop *p = &r->props[k];
		hg_buf_printf(o, "      %c ", change_mark(p->change));
		str(o, p->path);
		if (p->locked)
			hg_buf_puts(o, lang == HG_LANG_JA ? " [ロック]" : " [locked]");
		if (p->replaces == HG_TR_YES)
			hg_buf_puts(o, lang == HG_LANG_JA ? " [置き換えの原因]" : " [replaces]");
		else if (p->replaces == HG_TR_MAYBE)
			hg_buf_puts(o, lang == HG_LANG_JA ? " [置き換えの可能性]" : " [may replace]");
		hg_buf_putc(o, '\n');
		if (p->before)
			text_value(o, '-', p->before);
		if (p->after)
			text_value(o, '+', p->after);
	}
}

static void counts_text(hg_buf *o, size_t added, size_t removed, size_t modified, size_t replaced,
        size_t at_risk, size_t locked, hg_lang lang)
{
	if (lang == HG_LANG_JA)
		hg_buf_printf(o, "追加 %zu、削除 %zu、変更 %zu (置き換え %zu)、データが失われるもの %zu、"
		                 "ロックされた設定の変更 %zu",
		        added, removed, modified, replaced, at_risk, locked);
	else
		hg_buf_printf(o, "%zu added, %zu removed, %zu modified (%zu replaced), %zu losing data, "
		                 "%zu changing locked settings",
		        added, removed, modified, replaced, at_risk, locked);
}

static void text_pair(hg_buf *o, const hg_tpair *p, bool counts, hg_lang lang)
{
	size_t k;

	hg_buf_printf(o, "%s: ", kind_label(p->arm));
	str(o, p->before ? p->before : (lang == HG_LANG_JA ? "(なし)" : "(none)"));
	hg_buf_puts(o, " -> ");
	str(o, p->after ? p->after : (lang == HG_LANG_JA ? "(なし)" : "(none)"));
	hg_buf_putc(o, '\n');
	for (k = 0; k < p->nversions; k++) {
		const hg_tversion *v = &p->versions[k];
		hg_buf_puts(o, lang == HG_LANG_JA ? "  テンプレート " : "  template ");
		str(o, v->template_name);
		hg_buf_puts(o, ": ");
		str(o, v->before ? v->before : "-");
		hg_buf_puts(o, " -> ");
		str(o, v->after ? v->after : "-");
		if (v->mandatory)
			hg_buf_puts(o, lang == HG_LANG_JA ? " (必須)" : " (mandatory)");
		hg_buf_putc(o, '\n');
	}
	for (k = 0; k < p->nres; k++)
		text_res(o, &p->res[k], p->arm, lang);
	for (k = 0; k < p->nother; k++) {
		const hg_tother *t = &p->other[k];
		hg_buf_printf(o, "  %c ", change_mark(t->change));
		if (*t->section) {
			str(o, t->section);
			hg_buf_putc(o, '.');
		}
		str(o, t->name);
		hg_buf_puts(o, ": ");
		hg_buf_puts(o, change_label(t->change, lang));
		hg_buf_putc(o, '\n');
		if (t->before)
			text_value(o, '-', t->before);
		if (t->after)
			text_value(o, '+', t->after);
	}
	if (counts) { /* one template: the summary says it */
		hg_buf_puts(o, "  ");
		counts_text(o, p->added, p->removed, p->modified, p->replaced, p->at_risk, p->locked, lang);
		hg_buf_putc(o, '\n');
	}
}

struct totals {
	size_t added, removed, modified, replaced, at_risk, locked;
};

static struct totals totals_of(const hg_tdiff *t)
{
	struct totals s;
	size_t i;
	memset(&s, 0, sizeof(s));
	for (i = 0; i < t->npairs; i++) {
		s.added += t->pairs[i].added;
		s.removed += t->pairs[i].removed;
		s.modified += t->pairs[i].modified;
		s.replaced += t->pairs[i].replaced;
		s.at_risk += t->pairs[i].at_risk;
		s.locked += t->pairs[i].locked;
	}
	return s;
}

static void text_report(hg_buf *o, const hg_tdiff *t, hg_lang lang)
{
	struct totals s = totals_of(t);
	size_t i;

	for (i = 0; i < t->npairs; i++)
		text_pair(o, &t->pairs[i], t->npairs > 1, lang);
	if (lang == HG_LANG_JA)
		hg_buf_printf(o, "%zu 個のテンプレートを比べ、%zu 個に違いがあります: ", t->compared, t->npairs);
	else
		hg_buf_printf(o, "%zu template%s compared, %zu with differences: ", t->compared,
		        t->compared == 1 ? "" : "s", t->npairs);
	counts_text(o, s.added, s.removed, s.modified, s.replaced, s.at_risk, s.locked, lang);
	hg_buf_putc(o, '\n');
}

/* ---- JSON ---- */

static void jstr(hg_buf *o, const char *s)
{
	if (!s)
		hg_buf_puts(o, "null");
	else
		hg_report_json_str(o, s, HG_LANG_EN);
}

/* A canonical value as JSON (the masked "****" as a string). */
static void jval(hg_buf *o, const char *v)
{
	if (!v)
		hg_buf_puts(o, "null");
	else if (strcmp(v, "****") == 0)
		hg_buf_puts(o, "\"****\"");
	else
		hg_report_json_text(o, v, strlen(v));
}

static void json_counts(hg_buf *o, size_t added, size_t removed, size_t modified, size_t replaced,
        size_t at_risk, size_t locked)
{
	hg_buf_printf(o,
	        "{\"added\": %zu, \"removed\": %zu, \"modified\": %zu, \"replaced\": %zu, "
	        "\"dataAtRisk\": %zu, \"locked\": %zu",
	        added, removed, modified, replaced, at_risk, locked);
}

static void json_res(hg_buf *o, const hg_tres *r)
{
	size_t k;
	hg_buf_puts(o, "{\"id\": ");
	jstr(o, r->id);
	hg_buf_puts(o, ", \"type\": ");
	jstr(o, r->type);
	if (r->old_type) {
		hg_buf_puts(o, ", \"oldType\": ");
		jstr(o, r->old_type);
	}
	hg_buf_printf(o, ", \"change\": \"%s\"", hg_tchange_name(r->change));
	if (r->change == HG_TC_MODIFIED)
		hg_buf_printf(o, ", \"replacement\": \"%s\"", hg_trepl_name(r->replace));
	if (r->holds) {
		hg_buf_puts(o, ", \"holds\": ");
		jstr(o, r->holds);
	}
	if (r->keeps) {
		hg_buf_puts(o, ", \"keeps\": ");
		jstr(o, r->keeps);
	}
	hg_buf_printf(o, ", \"dataAtRisk\": %s, \"mandatory\": %s", r->at_risk ? "true" : "false",
	        r->mandatory ? "true" : "false");
	if (r->template_name) {
		hg_buf_puts(o, ", \"template\": ");
		jstr(o, r->template_name);
	}
	if (r->old_version) {
		hg_buf_puts(o, ", \"beforeVersion\": ");
		jstr(o, r->old_version);
	}
	if (r->new_version) {
		hg_buf_puts(o, ", \"afterVersion\": ");
		jstr(o, r->new_version);
	}
	hg_buf_puts(o, ", \"controls\": [");
	for (k = 0; k < r->ncontrols; k++) {
		hg_buf_puts(o, k ? ", " : "");
		jstr(o, r->controls[k]);
	}
	hg_buf_printf(o, "], \"locked\": %s, \"properties\": [", r->locked ? "true" : "false");
	for (k = 0; k < r->nprops; k++) {
		const hg_tprop *p = &r->props[k];
		hg_buf_puts(o, k ? ",\n        {\"path\": " : "\n        {\"path\": ");
		jstr(o, p->path);
		hg_buf_printf(o, ", \"change\": \"%s\", \"before\": ", hg_tchange_name(p->change));
		jval(o, p->before);
		hg_buf_puts(o, ", \"after\": ");
		jval(o, p->after);
		hg_buf_printf(o, ", \"replaces\": \"%s\", \"locked\": %s}", hg_trepl_name(p->replaces),
		        p->locked ? "true" : "false");
	}
	hg_buf_puts(o, "]}");
}

static void json_pair(hg_buf *o, const hg_tpair *p)
{
	size_t k;
	hg_buf_puts(o, "{\"before\": ");
	jstr(o, p->before);
	hg_buf_puts(o, ", \"after\": ");
	jstr(o, p->after);
	hg_buf_printf(o, ", \"format\": \"%s\",\n     \"versions\": [", p->arm ? "arm" : "cloudformation");
	for (k = 0; k < p->nversions; k++) {
		const hg_tversion *v = &p->versions[k];
		hg_buf_puts(o, k ? ", {\"template\": " : "{\"template\": ");
		jstr(o, v->template_name);
		hg_buf_puts(o, ", \"before\": ");
		jstr(o, v->before);
		hg_buf_puts(o, ", \"after\": ");
		jstr(o, v->after);
		hg_buf_printf(o, ", \"mandatory\": %s}", v->mandatory ? "true" : "false");
	}
	hg_buf_puts(o, "],\n     \"resources\": [");
	for (k = 0; k < p->nres; k++) {
		hg_buf_puts(o, k ? ",\n      " : "\n      ");
		json_res(o, &p->res[k]);
	}
	hg_buf_puts(o, "],\n     \"other\": [");
	for (k = 0; k < p->nother; k++) {
		const hg_tother *t = &p->other[k];
		hg_buf_puts(o, k ? ",\n      {\"section\": " : "\n      {\"section\": ");
		jstr(o, t->section);
		hg_buf_puts(o, ", \"name\": ");
		jstr(o, t->name);
		hg_buf_printf(o, ", \"change\": \"%s\", \"before\": ", hg_tchange_name(t->change));
		jval(o, t->before);
		hg_buf_puts(o, ", \"after\": ");
		jval(o, t->after);
		hg_buf_putc(o, '}');
	}
	hg_buf_puts(o, "],\n     \"summary\": ");
	json_counts(o, p->added, p->removed, p->modified, p->replaced, p->at_risk, p->locked);
	hg_buf_puts(o, "}}");
}

static void json_report(hg_buf *o, const hg_tdiff *t)
{
	struct totals s = totals_of(t);
	size_t i;

	hg_buf_puts(o, "{\n  \"schema\": \"hinagata-diff/1\",\n  \"tool\": ");
	jstr(o, hg_compiler_version());
	hg_buf_puts(o, ",\n  \"before\": ");
	jstr(o, t->before);
	hg_buf_puts(o, ",\n  \"after\": ");
	jstr(o, t->after);
	hg_buf_puts(o, ",\n  \"templates\": [");
	for (i = 0; i < t->npairs; i++) {
		hg_buf_puts(o, i ? ",\n    " : "\n    ");
		json_pair(o, &t->pairs[i]);
	}
	hg_buf_printf(o, "],\n  \"summary\": {\"compared\": %zu, \"changed\": %zu, \"totals\": ",
	        t->compared, t->npairs);
	json_counts(o, s.added, s.removed, s.modified, s.replaced, s.at_risk, s.locked);
	hg_buf_printf(o, "}, \"differences\": %s}\n}\n", t->npairs ? "true" : "false");
}

/* ---- Markdown ---- */

/* Text in a table cell: one line, pipes escaped, valid UTF-8. */
/* s (one language's text, or NULL) in a table cell */
static void md_cell(hg_buf *o, const char *s)
{
	hg_report_md_cell(o, s, HG_LANG_EN);
}

static void md_code(hg_buf *o, const char *s)
{
	if (!s)
		return;
	hg_buf_puts(o, "`");
	md_cell(o, s);
	hg_buf_puts(o, "`");
}

static void md_pair(hg_buf *o, const hg_tpair *p, hg_lang lang)
{
	size_t k, j;
	bool ja = lang == HG_LANG_JA;

	hg_buf_puts(o, "## ");
	str(o, p->before ? p->before : (ja ? "(なし)" : "(none)"));
	hg_buf_puts(o, " → ");
	str(o, p->after ? p->after : (ja ? "(なし)" : "(none)"));
	hg_buf_printf(o, " (%s)\n\n", kind_label(p->arm));
	if (p->nversions) {
		hg_buf_puts(o, ja ? "| テンプレート | 変更前 | 変更後 | 必須 |\n|---|---|---|---|\n"
		                  : "| template | before | after | mandatory |\n|---|---|---|---|\n");
		for (k = 0; k < p->nversions; k++) {
			const hg_tversion *v = &p->versions[k];
			hg_buf_puts(o, "| ");
			md_cell(o, v->template_name);
			hg_buf_puts(o, " | ");
			md_cell(o, v->before ? v->before : "-");
			hg_buf_puts(o, " | ");
			md_cell(o, v->after ? v->after : "-");
			hg_buf_printf(o, " | %s |\n", v->mandatory ? (ja ? "はい" : "yes") : "");
		}
		hg_buf_putc(o, '\n');
	}
	if (p->nres) {
		hg_buf_puts(o, ja ? "| | リソース | 種類 | 置き換え | データ | ロック | 統制 |\n"
		                  : "| | resource | type | replaced | data | locked | controls |\n");
		hg_buf_puts(o, "|---|---|---|---|---|---|---|\n");
		for (k = 0; k < p->nres; k++) {
			const hg_tres *r = &p->res[k];
			hg_buf_printf(o, "| %s | ", change_label(r->change, lang));
			md_cell(o, r->id);
			hg_buf_puts(o, " | ");
			md_cell(o, r->type);
			hg_buf_puts(o, " | ");
			if (r->change == HG_TC_MODIFIED && r->replace == HG_TR_YES)
				hg_buf_puts(o, ja ? "**はい**" : "**yes**");
			else if (r->change == HG_TC_MODIFIED && r->replace == HG_TR_MAYBE)
				hg_buf_puts(o, ja ? "可能性あり" : "maybe");
			else if (r->change == HG_TC_MODIFIED && r->replace == HG_TR_UNKNOWN)
				hg_buf_puts(o, ja ? "不明" : "unknown");
			hg_buf_puts(o, " | ");
			if (r->holds) {
				if (r->at_risk)
					hg_buf_puts(o, "**!!** ");
				hg_report_bi(o, r->holds, lang);
			}
			hg_buf_printf(o, " | %s | ", r->locked ? (ja ? "はい" : "yes") : "");
			for (j = 0; j < r->ncontrols; j++) {
				hg_buf_puts(o, j ? ", " : "");
				md_cell(o, r->controls[j]);
			}
			hg_buf_puts(o, " |\n");
		}
		hg_buf_putc(o, '\n');
	}
	for (k = 0; k < p->nres; k++) {
		const hg_tres *r = &p->res[k];
		const char *f = fate(r, p->arm);
		if (!r->nprops && !f)
			continue;
		hg_buf_puts(o, "### ");
		str(o, r->id);
		hg_buf_puts(o, "\n\n");
		if (f) {
			hg_buf_puts(o, r->at_risk ? "**!!** " : "");
			hg_report_bi(o, f, lang);
			hg_buf_puts(o, "\n\n");
		}
		if (!r->nprops)
			continue;
		hg_buf_puts(o, ja ? "| パス | 変更 | 変更前 | 変更後 | |\n|---|---|---|---|---|\n"
		                  : "| path | change | before | after | |\n|---|---|---|---|---|\n");
		for (j = 0; j < r->nprops; j++) {
			const hg_tprop *pr = &r->props[j];
			hg_buf_puts(o, "| ");
			md_code(o, pr->path);
			hg_buf_printf(o, " | %s | ", change_label(pr->change, lang));
			md_code(o, pr->before);
			hg_buf_puts(o, " | ");
			md_code(o, pr->after);
			hg_buf_puts(o, " | ");
			if (pr->locked)
				hg_buf_puts(o, ja ? "ロック " : "locked ");
			if (pr->replaces == HG_TR_YES)
				hg_buf_puts(o, ja ? "置き換えの原因" : "replaces");
			else if (pr->replaces == HG_TR_MAYBE)
				hg_buf_puts(o, ja ? "置き換えの可能性" : "may replace");
			hg_buf_puts(o, " |\n");
		}
		hg_buf_putc(o, '\n');
	}
	if (p->nother) {
		hg_buf_puts(o, ja ? "| 項目 | 変更 | 変更前 | 変更後 |\n|---|---|---|---|\n"
		                  : "| item | change | before | after |\n|---|---|---|---|\n");
		for (k = 0; k < p->nother; k++) {
			const hg_tother *t = &p->other[k];
			hg_buf_puts(o, "| ");
			if (*t->section) {
				md_cell(o, t->section);
				hg_buf_putc(o, '.');
			}
			md_cell(o, t->name);
			hg_buf_printf(o, " | %s | ", change_label(t->change, lang));
			md_code(o, t->before);
			hg_buf_puts(o, " | ");
			md_code(o, t->after);
			hg_buf_puts(o, " |\n");
		}
		hg_buf_putc(o, '\n');
	}
}

static void md_report(hg_buf *o, const hg_tdiff *t, hg_lang lang)
{
	struct totals s = totals_of(t);
	bool ja = lang == HG_LANG_JA;
	size_t i;

	hg_buf_puts(o, ja ? "# テンプレートの差分\n\n" : "# Template diff\n\n");
	hg_buf_puts(o, ja ? "変更前: " : "Before: ");
	md_code(o, t->before);
	hg_buf_puts(o, ja ? "、変更後: " : ", after: ");
	md_code(o, t->after);
	hg_buf_puts(o, "\n\n");
	hg_buf_puts(o, ja ? "| 比べたテンプレート | 違いのあるもの | 追加 | 削除 | 変更 | 置き換え | "
	                    "データが失われるもの | ロックされた設定 |\n"
	                  : "| templates compared | with differences | added | removed | modified | "
	                    "replaced | losing data | locked settings |\n");
	hg_buf_puts(o, "|---|---|---|---|---|---|---|---|\n");
	hg_buf_printf(o, "| %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu |\n\n", t->compared,
	        t->npairs, s.added, s.removed, s.modified, s.replaced, s.at_risk, s.locked);
	for (i = 0; i < t->npairs; i++)
		md_pair(o, &t->pairs[i], lang);
}

int hg_tdiff_report(hg_buf *out, const hg_tdiff *t, const hg_report_options *o)
{
	switch (o->format) {
	case HG_FMT_TEXT:
		text_report(out, t, o->lang);
		return 0;
	case HG_FMT_JSON:
		json_report(out, t);
		return 0;
	case HG_FMT_MD:
		md_report(out, t, o->lang);
		return 0;
	default:
		return -1;
	}
}

void hg_tdiff_resource_line(hg_buf *out, const hg_tres *r, bool arm, size_t max_props, hg_lang lang)
{
	size_t k;
	hg_buf_printf(out, "%c ", change_mark(r->change));
	str(out, r->id);
	hg_buf_puts(out, " (");
	str(out, r->type);
	hg_buf_puts(out, ")");
	if (r->change == HG_TC_MODIFIED && r->replace == HG_TR_YES)
		hg_buf_puts(out, lang == HG_LANG_JA ? " 置き換え" : " REPLACED");
	if (r->at_risk)
		hg_buf_puts(out, lang == HG_LANG_JA ? " !! データが失われます" : " !! loses data");
	(void)arm;
	for (k = 0; k < r->nprops && k < max_props; k++) {
		const hg_tprop *p = &r->props[k];
		hg_buf_puts(out, k ? "; " : ": ");
		str(out, p->path);
		hg_buf_putc(out, ' ');
		str(out, p->before ? p->before : "-");
		hg_buf_puts(out, " -> ");
		str(out, p->after ? p->after : "-");
		if (p->locked)
			hg_buf_puts(out, lang == HG_LANG_JA ? " [ロック]" : " [locked]");
	}
	if (r->nprops > max_props)
		hg_buf_printf(out, lang == HG_LANG_JA ? "; ほか %zu 件" : "; %zu more", r->nprops - max_props);
}

/* ---- the impact of an update (hinagata update) ---- */

static const char *ustatus_label(hg_ustatus s, hg_lang lang)
{
	static const char *const en[] = {"current", "its range admits the new version",
	        "its range does not admit the new version", "does not compile"}; /* ORDER USTATUS */
	static const char *const ja[] = {"最新", "範囲内 (新しいバージョンを使えます)", "範囲外 (新しいバージョンを使えません)",
	        "コンパイルできません"};
	return lang == HG_LANG_JA ? ja[s] : en[s];
}

struct ucounts {
	size_t uses, st[HG_US_FAILS + 1];
};

static struct ucounts ucounts_of(const hg_impact *im)
{
	struct ucounts c;
	size_t i, k;
	memset(&c, 0, sizeof(c));
	for (i = 0; i < im->n; i++)
		for (k = 0; k < im->t[i].nuses; k++) {
			c.uses++;
			c.st[im->t[i].uses[k].status]++;
		}
	return c;
}

/* A diff's text, each line indented by n spaces. */
static void indented_pair(hg_buf *o, const hg_tdiff *t, size_t n, hg_lang lang)
{
	hg_buf b = HG_BUF_INIT;
	size_t i, start = 0;
	if (!t || !t->npairs)
		return;
	text_pair(&b, &t->pairs[0], false, lang);
	for (i = 0; i < b.size; i++)
		if (b.ptr[i] == '\n') {
			hg_buf_fill(o, ' ', n);
			hg_buf_put(o, b.ptr + start, i + 1 - start);
			start = i + 1;
		}
	hg_buf_dispose(&b);
}

static void impact_text(hg_buf *o, const hg_impact *im, bool applied, hg_lang lang)
{
	struct ucounts c = ucounts_of(im);
	bool ja = lang == HG_LANG_JA;
	size_t i, k;

	for (i = 0; i < im->n; i++) {
		const hg_uupdate *up = &im->t[i];
		str(o, up->template_name);
		hg_buf_printf(o, " %s (%s", up->to, up->mandatory ? (ja ? "必須; " : "mandatory; ") : "");
		hg_buf_puts(o, ja ? "バージョン: " : "versions ");
		for (k = 0; k < up->nversions; k++)
			hg_buf_printf(o, "%s%s", k ? ", " : "", up->versions[k]);
		hg_buf_puts(o, ")\n");
		if (up->changes) {
			hg_buf_printf(o, ja ? "  %s の変更: " : "  what %s changes: ", up->to);
			hg_report_bi(o, up->changes, lang);
			hg_buf_putc(o, '\n');
		}
		if (!up->nuses)
			hg_buf_puts(o, ja ? "  使っているシステムテンプレートはありません\n" : "  no system template uses it\n");
		for (k = 0; k < up->nuses; k++) {
			const hg_uuse *u = &up->uses[k];
			hg_buf_puts(o, "  ");
			str(o, u->file);
			hg_buf_printf(o, ":%u:%u use '", u->line, u->col);
			str(o, u->alias);
			hg_buf_puts(o, "' ");
			if (u->range) {
				hg_buf_putc(o, '"');
				str(o, u->range);
				hg_buf_putc(o, '"');
			} else
				hg_buf_puts(o, ja ? "(範囲なし)" : "(any version)");
			hg_buf_printf(o, ": %s", ustatus_label(u->status, lang));
			if (u->status == HG_US_CURRENT)
				hg_buf_printf(o, " (%s)", u->to);
			else
				hg_buf_printf(o, "; %s -> %s", u->from, u->to);
			if (u->output) {
				hg_buf_puts(o, " [");
				str(o, u->output);
				hg_buf_putc(o, ']');
			}
			hg_buf_putc(o, '\n');
			if (u->error) {
				hg_buf_puts(o, "      !! ");
				hg_report_bi(o, u->error, lang);
				hg_buf_putc(o, '\n');
			}
			if (u->new_range && u->status != HG_US_CURRENT && u->status != HG_US_FAILS) {
				if (!u->range_length) /* not a plain value: HG8106 */
					hg_buf_printf(o, ja ? "      update はここを書き換えられません: version: \"%s\" と書いてください\n"
					                    : "      update cannot write the range here: write version: \"%s\"\n",
					        u->new_range);
				else if (ja)
					hg_buf_printf(o, "      update %s: version: \"%s\"\n",
					        applied ? "で書き換えました" : "で書き換えます", u->new_range);
				else
					hg_buf_printf(o, "      update %s: version: \"%s\"\n", applied ? "wrote" : "writes",
					        u->new_range);
			}
			if (u->diff && !hg_tdiff_any(u->diff) && u->status != HG_US_CURRENT)
				hg_buf_puts(o, ja ? "      コンパイル結果は変わりません\n"
				                  : "      its compiled output does not change\n");
			indented_pair(o, u->diff, 6, lang);
		}
	}
	if (ja)
		hg_buf_printf(o, "システムテンプレート %zu 個を読みました。新しいバージョンのあるテンプレート %zu 個の use %zu 件の内訳: "
		                 "最新 %zu、範囲内 %zu、範囲外 %zu、コンパイルできない %zu%s\n",
		        im->sources, im->n, c.uses, c.st[HG_US_CURRENT], c.st[HG_US_ADMITTED],
		        c.st[HG_US_NOT_ADMITTED], c.st[HG_US_FAILS],
		        applied ? "" : (c.uses > c.st[HG_US_CURRENT] + c.st[HG_US_FAILS]
		                                ? "。hinagata update --write で範囲を書き換えてコンパイルし直せます"
		                                : ""));
	else
		hg_buf_printf(o, "%zu system template%s read, %zu use%s of %zu template%s with a new version: "
		                 "%zu current, %zu admitted by their range, %zu not admitted, %zu failing%s\n",
		        im->sources, im->sources == 1 ? "" : "s", c.uses, c.uses == 1 ? "" : "s", im->n,
		        im->n == 1 ? "" : "s", c.st[HG_US_CURRENT], c.st[HG_US_ADMITTED],
		        c.st[HG_US_NOT_ADMITTED], c.st[HG_US_FAILS],
		        applied ? "" : (c.uses > c.st[HG_US_CURRENT] + c.st[HG_US_FAILS]
		                                ? "; hinagata update --write moves the ranges and recompiles"
		                                : ""));
	if (applied)
		hg_buf_printf(o, ja ? "%zu 個のファイルを書きました\n" : "%zu files written\n", im->written);
}

static void impact_json(hg_buf *o, const hg_impact *im, bool applied)
{
	struct ucounts c = ucounts_of(im);
	size_t i, k;

	hg_buf_puts(o, "{\n  \"schema\": \"hinagata-update/1\",\n  \"tool\": ");
	jstr(o, hg_compiler_version());
	hg_buf_printf(o, ",\n  \"applied\": %s,\n  \"templates\": [", applied ? "true" : "false");
	for (i = 0; i < im->n; i++) {
		const hg_uupdate *up = &im->t[i];
		hg_buf_puts(o, i ? ",\n    {\"template\": " : "\n    {\"template\": ");
		jstr(o, up->template_name);
		hg_buf_puts(o, ", \"to\": ");
		jstr(o, up->to);
		hg_buf_printf(o, ", \"mandatory\": %s, \"versions\": [", up->mandatory ? "true" : "false");
		for (k = 0; k < up->nversions; k++) {
			hg_buf_puts(o, k ? ", " : "");
			jstr(o, up->versions[k]);
		}
		hg_buf_puts(o, "], \"changes\": ");
		if (up->changes) {
			hg_buf_puts(o, "{\"en\": ");
			hg_report_json_str(o, up->changes, HG_LANG_EN);
			hg_buf_puts(o, ", \"ja\": ");
			hg_report_json_str(o, up->changes, HG_LANG_JA);
			hg_buf_putc(o, '}');
		} else
			hg_buf_puts(o, "null");
		hg_buf_puts(o, ",\n     \"uses\": [");
		for (k = 0; k < up->nuses; k++) {
			const hg_uuse *u = &up->uses[k];
			hg_buf_puts(o, k ? ",\n      {\"file\": " : "\n      {\"file\": ");
			jstr(o, u->file);
			hg_buf_puts(o, ", \"system\": ");
			jstr(o, u->system);
			hg_buf_puts(o, ", \"use\": ");
			jstr(o, u->alias);
			hg_buf_printf(o, ", \"line\": %u, \"column\": %u, \"range\": ", u->line, u->col);
			jstr(o, u->range);
			hg_buf_puts(o, ", \"from\": ");
			jstr(o, u->from);
			hg_buf_puts(o, ", \"to\": ");
			jstr(o, u->to);
			hg_buf_printf(o, ", \"status\": \"%s\", \"error\": ", hg_ustatus_name(u->status));
			if (u->error)
				hg_report_json_str(o, u->error, HG_LANG_EN);
			else
				hg_buf_puts(o, "null");
			hg_buf_puts(o, ", \"output\": ");
			jstr(o, u->output);
			hg_buf_puts(o, ", \"newRange\": ");
			jstr(o, u->status == HG_US_CURRENT || u->status == HG_US_FAILS ? NULL : u->new_range);
			hg_buf_puts(o, ",\n       \"diff\": ");
			if (u->diff && u->diff->npairs)
				json_pair(o, &u->diff->pairs[0]);
			else
				hg_buf_puts(o, "null");
			hg_buf_putc(o, '}');
		}
		hg_buf_printf(o, "%s]}", up->nuses ? "\n     " : "");
	}
	hg_buf_printf(o,
	        "%s],\n  \"summary\": {\"sources\": %zu, \"uses\": %zu, \"current\": %zu, \"admitted\": %zu, "
	        "\"notAdmitted\": %zu, \"fails\": %zu, \"written\": %zu}\n}\n",
	        im->n ? "\n  " : "", im->sources, c.uses, c.st[HG_US_CURRENT], c.st[HG_US_ADMITTED],
	        c.st[HG_US_NOT_ADMITTED], c.st[HG_US_FAILS], im->written);
}

static void impact_md(hg_buf *o, const hg_impact *im, bool applied, hg_lang lang)
{
	struct ucounts c = ucounts_of(im);
	bool ja = lang == HG_LANG_JA;
	size_t i, k;

	hg_buf_puts(o, ja ? "# 必須適用テンプレートの更新の影響\n\n" : "# The impact of template updates\n\n");
	hg_buf_puts(o, ja ? "| システムテンプレート | use | 最新 | 範囲内 | 範囲外 | コンパイルできない |\n"
	                  : "| system templates | uses | current | admitted | not admitted | failing |\n");
	hg_buf_puts(o, "|---|---|---|---|---|---|\n");
	hg_buf_printf(o, "| %zu | %zu | %zu | %zu | %zu | %zu |\n\n", im->sources, c.uses,
	        c.st[HG_US_CURRENT], c.st[HG_US_ADMITTED], c.st[HG_US_NOT_ADMITTED], c.st[HG_US_FAILS]);
	for (i = 0; i < im->n; i++) {
		const hg_uupdate *up = &im->t[i];
		hg_buf_puts(o, "## ");
		md_cell(o, up->template_name);
		hg_buf_printf(o, " %s%s\n\n", up->to, up->mandatory ? (ja ? " (必須)" : " (mandatory)") : "");
		if (up->changes) {
			hg_report_bi(o, up->changes, lang);
			hg_buf_puts(o, "\n\n");
		}
		if (!up->nuses)
			continue;
		hg_buf_puts(o, ja ? "| システム | use | 範囲 | 変更前 → 変更後 | 状態 | 追加 | 削除 | 変更 | 置き換え | データが失われるもの |\n"
		                  : "| system | use | range | from → to | status | added | removed | modified | replaced | losing data |\n");
		hg_buf_puts(o, "|---|---|---|---|---|---|---|---|---|---|\n");
		for (k = 0; k < up->nuses; k++) {
			const hg_uuse *u = &up->uses[k];
			const hg_tpair *p = u->diff && u->diff->npairs ? &u->diff->pairs[0] : NULL;
			hg_buf_puts(o, "| ");
			md_code(o, u->file);
			hg_buf_puts(o, " | ");
			md_cell(o, u->alias);
			hg_buf_puts(o, " | ");
			md_code(o, u->range ? u->range : "*");
			hg_buf_printf(o, " | %s → %s | %s | ", u->from, u->to, ustatus_label(u->status, lang));
			if (p)
				hg_buf_printf(o, "%zu | %zu | %zu | %zu | %zu |\n", p->added, p->removed, p->modified,
				        p->replaced, p->at_risk);
			else
				hg_buf_puts(o, "0 | 0 | 0 | 0 | 0 |\n");
		}
		hg_buf_putc(o, '\n');
		for (k = 0; k < up->nuses; k++)
			if (up->uses[k].diff && up->uses[k].diff->npairs)
				md_pair(o, &up->uses[k].diff->pairs[0], lang);
	}
	if (applied)
		hg_buf_printf(o, ja ? "%zu 個のファイルを書きました。\n" : "%zu files written.\n", im->written);
}

int hg_impact_report(hg_buf *out, const hg_impact *im, bool applied, const hg_report_options *o)
{
	switch (o->format) {
	case HG_FMT_TEXT:
		impact_text(out, im, applied, o->lang);
		return 0;
	case HG_FMT_JSON:
		impact_json(out, im, applied);
		return 0;
	case HG_FMT_MD:
		impact_md(out, im, applied, o->lang);
		return 0;
	default:
		return -1;
	}
}
