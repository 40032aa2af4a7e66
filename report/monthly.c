/*
 * monthly.c: the monthly report (月次レポート) of the history store:
 * Markdown, HTML and JSON (see report.h; docs/history.md; the JSON schema
 * is schemas/hinagata-monthly.schema.json).
 * Part of hinagata; see LICENSE.
 *
 * Design. One list of sections, written through one small table writer
 * with a Markdown and an HTML back end, so the two say the same thing in
 * the same order; JSON is written apart, with every finding (the text
 * forms list at most max_rows of each list, most severe first, and say how
 * many more there are). The HTML is one self-contained file: inline CSS,
 * inline SVG charts (chart.c), no script, no external resource; @page sets
 * A4 and tables repeat their header on each printed page. Numbers a reader
 * compares with the JSON carry ids (score-month, count-open, ...), which
 * the browser test reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/jsontext.h"
#include "../common/util.h"
#include "../compiler/compiler.h"
#include "report.h"

typedef struct mw {
	hg_buf *o;
	const hg_month_options *opt;
	bool html, ja;
	const bool *right; /* the current table's right-aligned columns */
	size_t cols;
} mw;

#define L(w, en_, ja_) ((w)->ja ? (ja_) : (en_))

/* ---- text of cells ---- */

static void md_text(hg_buf *o, const char *s, size_t len)
{
	hg_buf b = HG_BUF_INIT;
	size_t i;
	hg_report_text(&b, s, len);
	for (i = 0; i < b.size; i++) {
		char c = b.ptr[i];
		if (c == '|' || c == '\\' || c == '*' || c == '_' || c == '`' || c == '<' || c == '[')
			hg_buf_putc(o, '\\');
		hg_buf_putc(o, c == '\n' || c == '\r' ? ' ' : c);
	}
	hg_buf_dispose(&b);
}

/* Text (bilingual allowed) into the current output, escaped for its format. */
static void put(mw *w, const char *s)
{
	hg_buf b = HG_BUF_INIT;
	if (!s)
		return;
	hg_report_bi(&b, s, w->opt->lang);
	if (w->html)
		hg_report_xml(w->o, b.ptr, HG_LANG_EN);
	else
		md_text(w->o, b.ptr, b.size);
	hg_buf_dispose(&b);
}

static void h2(mw *w, const char *id, const char *title)
{
	if (w->html) {
		hg_buf_printf(w->o, "<h2 id=\"%s\">", id);
		put(w, title);
		hg_buf_puts(w->o, "</h2>\n");
	} else {
		hg_buf_puts(w->o, "## ");
		put(w, title);
		hg_buf_puts(w->o, "\n\n");
	}
}

static void para(mw *w, const char *text)
{
	hg_buf_puts(w->o, w->html ? "<p>" : "");
	put(w, text);
	hg_buf_puts(w->o, w->html ? "</p>\n" : "\n\n");
}

static void table_begin(mw *w, const char *cls, const char *const *head, const bool *right, size_t n)
{
	size_t i;
	w->right = right;
	w->cols = n;
	if (w->html) {
		hg_buf_printf(w->o, "<table class=\"%s\">\n<thead><tr>", cls);
		for (i = 0; i < n; i++) {
			hg_buf_puts(w->o, right[i] ? "<th class=\"n\">" : "<th>");
			put(w, head[i]);
			hg_buf_puts(w->o, "</th>");
		}
		hg_buf_puts(w->o, "</tr></thead>\n<tbody>\n");
		return;
	}
	hg_buf_putc(w->o, '|');
	for (i = 0; i < n; i++) {
		hg_buf_putc(w->o, ' ');
		put(w, head[i]);
		hg_buf_puts(w->o, " |");
	}
	hg_buf_puts(w->o, "\n|");
	for (i = 0; i < n; i++)
		hg_buf_puts(w->o, right[i] ? "---:|" : "---|");
	hg_buf_putc(w->o, '\n');
}

/* A row; ids[i] (may be NULL) names a cell whose number the tests read. */
static void row(mw *w, const char *const *cells, const char *const *ids)
{
	size_t i;
	if (w->html) {
		hg_buf_puts(w->o, "<tr>");
		for (i = 0; i < w->cols; i++) {
			hg_buf_puts(w->o, "<td");
			if (w->right[i])
				hg_buf_puts(w->o, " class=\"n\"");
			if (ids && ids[i])
				hg_buf_printf(w->o, " id=\"%s\"", ids[i]);
			hg_buf_putc(w->o, '>');
			put(w, cells[i] && *cells[i] ? cells[i] : "");
			hg_buf_puts(w->o, "</td>");
		}
		hg_buf_puts(w->o, "</tr>\n");
		return;
	}
	hg_buf_putc(w->o, '|');
	for (i = 0; i < w->cols; i++) {
		hg_buf_putc(w->o, ' ');
		put(w, cells[i] && *cells[i] ? cells[i] : "—");
		hg_buf_puts(w->o, " |");
	}
	hg_buf_putc(w->o, '\n');
}

static void table_end(mw *w)
{
	hg_buf_puts(w->o, w->html ? "</tbody>\n</table>\n" : "\n");
}

/* ---- values ---- */

static const char *score_text(char buf[32], const hg_score *s)
{
	if (!s->has)
		return "—";
	snprintf(buf, 32, "%.1f", s->value);
	return buf;
}

static const char *zu(char buf[32], size_t v)
{
	snprintf(buf, 32, "%zu", v);
	return buf;
}

static const char *lld(char buf[32], int64_t v)
{
	snprintf(buf, 32, "%lld", (long long)v);
	return buf;
}

static const char *ratio(char buf[64], int64_t part, int64_t all)
{
	if (all <= 0)
		snprintf(buf, 64, "%lld/%lld", (long long)part, (long long)all);
	else
		snprintf(buf, 64, "%lld/%lld (%lld%%)", (long long)part, (long long)all,
		        (long long)(part * 100 / all));
	return buf;
}

static const char *source_label(const char *source, bool ja)
{
	if (strcmp(source, "drift") == 0)
		return ja ? "ドリフト検知" : "drift";
	if (strcmp(source, "check") == 0)
		return ja ? "コミット前検査" : "check";
	if (strcmp(source, "securityhub") == 0)
		return "Security Hub";
	if (strcmp(source, "defender") == 0)
		return "Defender for Cloud";
	return source;
}

/* What a finding is about: a control, a property, the whole resource. */
static void what(hg_buf *b, const hg_hfinding *f, bool ja)
{
	const char *a = f->aspect ? f->aspect : "";
	if (strcmp(f->kind, "drift") == 0) {
		if (strcmp(a, "DELETED") == 0)
			hg_buf_puts(b, ja ? "削除済み (デプロイされていない)" : "deleted (not deployed)");
		else if (strcmp(a, "UNMANAGED") == 0)
			hg_buf_puts(b, ja ? "管理外 (テンプレートにない)" : "unmanaged (in no template)");
		else
			hg_buf_puts(b, a);
		return;
	}
	hg_buf_puts(b, f->control ? f->control : "");
	if (strcmp(a, "deployed") == 0)
		hg_buf_puts(b, ja ? " (デプロイ値)" : " (deployed value)");
	else if (strcmp(a, "template") == 0)
		hg_buf_puts(b, ja ? " (テンプレート値)" : " (template value)");
	else if (strcmp(a, "DELETED") == 0)
		hg_buf_puts(b, ja ? " (実装するリソースの削除)" : " (its resource deleted)");
	else if (*a)
		hg_buf_printf(b, "%s%s", b->size ? " " : "", a);
}

static void where(hg_buf *b, const hg_hfinding *f, bool ja)
{
	if (!*f->account)
		hg_buf_puts(b, ja ? "(リポジトリ)" : "(repository)");
	else {
		hg_buf_puts(b, f->account);
		if (f->region && *f->region)
			hg_buf_printf(b, "/%s", f->region);
	}
}

static void resource(hg_buf *b, const hg_hfinding *f)
{
	hg_buf_puts(b, f->resource);
	if (f->type)
		hg_buf_printf(b, " (%s)", f->type);
}

/* A list of findings: dated (opened, resolved), open, or suppressed (reason, expiry). */
enum list_kind { LIST_OPENED, LIST_RESOLVED, LIST_OPEN, LIST_SUPPRESSED };

static void finding_list(mw *w, const hg_month *m, const hg_hfinding *f, size_t n, enum list_kind k)
{
	static const bool r_dated[] = {false, false, false, false, false, false, false, false, false};
	bool ja = w->ja;
	const char *head[9];
	size_t i, shown = w->opt->max_rows && n > w->opt->max_rows ? w->opt->max_rows : n, nh = 0;

	if (!n) {
		para(w, L(w, "None.", "ありません。"));
		return;
	}
	head[nh++] = "ID";
	head[nh++] = k == LIST_OPENED     ? L(w, "Opened", "検出日")
	             : k == LIST_RESOLVED ? L(w, "Resolved", "解決日")
	                                  : L(w, "First seen", "初回検出");
	head[nh++] = L(w, "Status", "状態");
	head[nh++] = L(w, "Severity", "重要度");
	head[nh++] = L(w, "Account", "アカウント");
	head[nh++] = L(w, "Resource", "リソース");
	head[nh++] = L(w, "Control or property", "統制・プロパティ");
	if (k == LIST_SUPPRESSED) {
		head[nh++] = L(w, "Reason", "理由");
		head[nh++] = L(w, "Expires", "期限");
	} else {
		head[nh++] = L(w, "Finding", "内容");
		head[nh++] = L(w, "Source", "検出元");
	}
	table_begin(w, "findings", head, r_dated, nh);
	for (i = 0; i < shown; i++) {
		hg_buf acct = HG_BUF_INIT, res = HG_BUF_INIT, wh = HG_BUF_INIT, exp = HG_BUF_INIT;
		const char *cells[9];
		char id[9];
		snprintf(id, sizeof(id), "%.8s", f[i].key); /* as git shortens: enough for history show */
		where(&acct, &f[i], ja);
		resource(&res, &f[i]);
		what(&wh, &f[i], ja);
		cells[0] = id;
		cells[1] = k == LIST_OPENED || k == LIST_RESOLVED ? f[i].date : f[i].first_seen;
		cells[2] = hg_report__status_label(f[i].status, w->opt->lang);
		cells[3] = f[i].severity;
		cells[4] = acct.ptr;
		cells[5] = res.ptr;
		cells[6] = wh.ptr;
		if (k == LIST_SUPPRESSED) {
			cells[7] = f[i].reason;
			if (f[i].expires) {
				hg_buf_puts(&exp, f[i].expires);
				if (strcmp(f[i].expires, m->to) < 0)
					hg_buf_puts(&exp, ja ? " (期限切れ)" : " (expired)");
			}
			cells[8] = exp.size ? exp.ptr : L(w, "none", "なし");
		} else {
			cells[7] = f[i].title;
			cells[8] = source_label(f[i].source, ja);
		}
		row(w, cells, NULL);
		hg_buf_dispose(&acct);
		hg_buf_dispose(&res);
		hg_buf_dispose(&wh);
		hg_buf_dispose(&exp);
	}
	table_end(w);
	if (shown < n) {
		char more[160];
		snprintf(more, sizeof(more),
		        ja ? "ほかに %zu 件あります (全件は JSON 形式か hinagata history export で)。"
		           : "%zu more (all of them in the JSON form, or hinagata history export).",
		        n - shown);
		para(w, more);
	}
}

/* ---- the sections ---- */

static void summary(mw *w, const hg_month *m)
{
	static const bool right[] = {false, true};
	const char *head[2] = {L(w, "Item", "項目"), L(w, "Value", "値")};
	char b1[32], b2[32], b3[64], delta[32];
	char label[96];
	const char *cells[2], *ids[2] = {NULL, NULL};
	hg_buf v = HG_BUF_INIT;

	h2(w, "summary", L(w, "Summary", "概要"));
	table_begin(w, "summary", head, right, 2);
#define ROW(en, ja, value, id)                                                                     \
	do {                                                                                       \
		cells[0] = L(w, en, ja);                                                           \
		cells[1] = (value);                                                                \
		ids[1] = (id);                                                                     \
		row(w, cells, ids);                                                                \
	} while (0)
	ROW("Compliance score (end of month)", "コンプライアンススコア (月末)", score_text(b1, &m->score),
	        "score-month");
	snprintf(label, sizeof(label), w->ja ? "前月 (%s)" : "Previous month (%s)", m->previous);
	cells[0] = label;
	cells[1] = score_text(b2, &m->previous_score);
	ids[1] = "score-previous";
	row(w, cells, ids);
	if (m->score.has && m->previous_score.has)
		snprintf(delta, sizeof(delta), "%+.1f", m->score.value - m->previous_score.value);
	else
		snprintf(delta, sizeof(delta), "—");
	ROW("Change", "前月との差", delta, "score-change");
	ROW("Controls passed", "合格した統制", zu(b1, m->score.passed), "controls-passed");
	ROW("Controls failed", "不合格の統制", zu(b1, m->score.failed), "controls-failed");
	ROW("Controls unknown (not evaluated everywhere)", "不明の統制 (一部で評価できなかったもの)",
	        zu(b1, m->score.unknown), "controls-unknown");
	if (w->ja)
		hg_buf_printf(&v, "%zu (新規 %zu 件、再発 %zu 回)", m->nopened, m->nnew, m->nreopened);
	else
		hg_buf_printf(&v, "%zu (%zu new; reopened %zu times)", m->nopened, m->nnew, m->nreopened);
	ROW("Findings opened this month", "今月検出した項目", v.ptr, "count-opened");
	ROW("Findings resolved this month", "今月解決した項目", zu(b1, m->nresolved), "count-resolved");
	ROW("Findings open at the end of the month", "未解決の項目 (月末)", zu(b1, m->nopen), "count-open");
	ROW("Findings suppressed at the end of the month", "抑制済みの項目 (月末)", zu(b1, m->nsuppressed),
	        "count-suppressed");
	if (m->coverage.date) {
		snprintf(label, sizeof(label), w->ja ? "確認済みのリソース (%s のドリフト検知)"
		                                     : "Resources checked (drift of %s)",
		        m->coverage.date);
		cells[0] = label;
		cells[1] = ratio(b3, m->coverage.checked, m->coverage.resources);
		ids[1] = "coverage-resources";
		row(w, cells, ids);
		ROW("Properties checked", "確認済みのプロパティ",
		        ratio(b3, m->coverage.properties_checked, m->coverage.properties), "coverage-properties");
	}
#undef ROW
	table_end(w);
	hg_buf_dispose(&v);
	para(w, L(w,
	        "The score is the severity-weighted share of the controls evaluated on each account "
	        "that passed, as the end of the month left them (critical 8, high 4, medium 2, low 1; "
	        "a control not evaluated is left out, one that could not be evaluated everywhere "
	        "counts as not passed). docs/history.md defines it.",
	        "スコアは、各アカウントで評価した統制のうち合格したものの割合を、重要度で重み付けした"
	        "ものです (月末の状態。critical 8、high 4、medium 2、low 1。評価しなかった統制は除き、"
	        "一部で評価できなかった統制は合格に数えません)。定義は docs/history.md にあります。"));
}

static void trend(mw *w, const hg_month *m)
{
	static const bool right[] = {false, true, true, true, true};
	const char *head[5] = {L(w, "Month", "月"), L(w, "Score", "スコア"), L(w, "Passed", "合格"),
	        L(w, "Failed", "不合格"), L(w, "Unknown", "不明")};
	size_t i;
	char b[4][32];

	h2(w, "trend", L(w, "Score trend", "スコアの推移"));
	if (w->html)
		hg_report_chart(w->o, m, w->opt->lang);
	table_begin(w, "trend", head, right, 5);
	for (i = 0; i < HG_TREND_MONTHS; i++) {
		const hg_score *s = &m->trend[i].score;
		const char *cells[5] = {m->trend[i].month, score_text(b[0], s), s->has ? zu(b[1], s->passed) : "",
		        s->has ? zu(b[2], s->failed) : "", s->has ? zu(b[3], s->unknown) : ""};
		row(w, cells, NULL);
	}
	table_end(w);
	hg_buf_puts(w->o, w->html ? "<h3>" : "### ");
	put(w, L(w, "Nights of the month", "今月の日ごとの推移"));
	hg_buf_puts(w->o, w->html ? "</h3>\n" : "\n\n");
	if (w->html)
		hg_report_nightly_chart(w->o, m, w->opt->lang);
	{
		static const bool r2[] = {false, true, true, true};
		const char *h2c[4] = {L(w, "Night", "日付"), L(w, "Score", "スコア"),
		        L(w, "Resources checked", "確認済みのリソース"),
		        L(w, "Properties checked", "確認済みのプロパティ")};
		table_begin(w, "nights", h2c, r2, 4);
		for (i = 0; i < m->nnights; i++) {
			char c1[64], c2[64];
			const hg_hnight *n = &m->nights[i];
			const char *cells[4] = {n->date, score_text(b[0], &n->score),
			        n->resources ? ratio(c1, n->checked, n->resources) : "",
			        n->properties ? ratio(c2, n->properties_checked, n->properties) : ""};
			row(w, cells, NULL);
		}
		table_end(w);
	}
}

static void accounts(mw *w, const hg_month *m)
{
	static const bool right[] = {false, true, true, true, true, true, true, true};
	const char *head[8] = {L(w, "Account", "アカウント"), L(w, "Score", "スコア"), L(w, "Passed", "合格"),
	        L(w, "Failed", "不合格"), L(w, "Unknown", "不明"), L(w, "Open", "未解決"),
	        L(w, "Suppressed", "抑制済み"), L(w, "Resources checked", "確認済みのリソース")};
	size_t i;

	h2(w, "accounts", L(w, "By account", "アカウント別"));
	if (!m->naccounts) {
		para(w, L(w, "No account was evaluated.", "評価したアカウントはありません。"));
		return;
	}
	table_begin(w, "accounts", head, right, 8);
	for (i = 0; i < m->naccounts; i++) {
		const hg_haccount *a = &m->accounts[i];
		char b[7][64];
		const char *cells[8] = {a->account, score_text(b[0], &a->score), zu(b[1], a->score.passed),
		        zu(b[2], a->score.failed), zu(b[3], a->score.unknown), lld(b[4], a->open),
		        lld(b[5], a->suppressed), a->resources ? ratio(b[6], a->checked, a->resources) : ""};
		row(w, cells, NULL);
	}
	table_end(w);
}

static void controls(mw *w, const hg_month *m)
{
	static const bool right[] = {false, false, false, false, true, true, true, true};
	const char *head[8] = {L(w, "Control", "統制"), L(w, "Source", "検出元"), L(w, "Severity", "重要度"),
	        L(w, "Title", "内容"), L(w, "Accounts passed", "合格したアカウント"), L(w, "Failed", "不合格"),
	        L(w, "Unknown", "不明"), L(w, "Open findings", "未解決の項目")};
	size_t i;

	h2(w, "controls", L(w, "By control", "統制別"));
	if (!m->ncontrols) {
		para(w, L(w, "No control was evaluated.", "評価した統制はありません。"));
		return;
	}
	table_begin(w, "controls", head, right, 8);
	for (i = 0; i < m->ncontrols; i++) {
		const hg_hcontrol *c = &m->controls[i];
		char b[4][32];
		const char *title = w->opt->title && strcmp(c->source, "drift") == 0
		                            ? w->opt->title(w->opt->title_payload, c->control, w->opt->lang)
		                            : NULL;
		if (!title)
			title = c->title;
		const char *cells[8] = {c->control, source_label(c->source, w->ja), c->severity, title,
		        zu(b[0], c->score.passed), zu(b[1], c->score.failed), zu(b[2], c->score.unknown),
		        lld(b[3], c->open)};
		row(w, cells, NULL);
	}
	table_end(w);
}

static void drift(mw *w, const hg_month *m)
{
	static const bool right[] = {false, true};
	const char *head[2] = {L(w, "Severity", "重要度"), L(w, "Drift findings open", "未解決のドリフト")};
	const char *head2[2] = {L(w, "Control", "統制"), L(w, "Drift findings open", "未解決のドリフト")};
	size_t i;
	int k;

	h2(w, "drift", L(w, "Drift by severity and control", "ドリフト (重要度別・統制別)"));
	table_begin(w, "drift-severity", head, right, 2);
	for (k = 0; k < HG_CSEV__COUNT; k++) {
		char b[32], id[40];
		const char *cells[2], *ids[2] = {NULL, id};
		snprintf(id, sizeof(id), "drift-%s", hg_csev_name((hg_csev)k));
		cells[0] = k == HG_CSEV_NONE ? L(w, "no control", "統制なし") : hg_csev_name((hg_csev)k);
		cells[1] = zu(b, m->drift_by_severity[k]);
		row(w, cells, ids);
	}
	table_end(w);
	if (!m->ndrift_by_control)
		return;
	table_begin(w, "drift-control", head2, right, 2);
	for (i = 0; i < m->ndrift_by_control; i++) {
		char b[32];
		const char *cells[2] = {m->drift_by_control[i].control ? m->drift_by_control[i].control
		                                                        : L(w, "(no control)", "(統制なし)"),
		        zu(b, m->drift_by_control[i].count)};
		row(w, cells, NULL);
	}
	table_end(w);
}

static void templates(mw *w, const hg_month *m)
{
	static const bool right[] = {false, false, false, false, false};
	const char *head[5] = {L(w, "Account", "アカウント"), L(w, "Mandatory template", "必須適用テンプレート"),
	        L(w, "Version", "バージョン"), L(w, "Newest", "最新バージョン"), L(w, "State", "状態")};
	size_t i, n = 0;

	h2(w, "templates", L(w, "Mandatory template versions", "必須適用テンプレートのバージョン"));
	for (i = 0; i < m->ntemplates; i++)
		n += m->templates[i].mandatory;
	if (!n) {
		para(w, L(w, "No mandatory template was found deployed this month.",
		                "今月デプロイを確認した必須適用テンプレートはありません。"));
		return;
	}
	table_begin(w, "templates", head, right, 5);
	for (i = 0; i < m->ntemplates; i++) {
		const hg_htemplate *t = &m->templates[i];
		const char *cells[5];
		if (!t->mandatory)
			continue;
		cells[0] = t->account;
		cells[1] = t->name;
		cells[2] = t->version;
		cells[3] = t->newest ? t->newest : L(w, "unknown", "不明");
		cells[4] = !t->newest ? L(w, "not on the search path", "検索パスにない")
		           : t->current ? L(w, "newest", "最新")
		                        : L(w, "update to apply", "更新の適用が必要");
		row(w, cells, NULL);
	}
	table_end(w);
}

static void runs(mw *w, const hg_month *m)
{
	static const bool right[] = {false, true, false, false, true, true, true, true, true};
	const char *head[9] = {L(w, "Night", "日付"), L(w, "Run", "実行"), L(w, "Source", "検出元"),
	        L(w, "Revision", "リビジョン"), L(w, "Accounts", "アカウント"), L(w, "Resources checked", "確認済み"),
	        L(w, "Findings", "検出"), L(w, "Opened", "新規・再発"), L(w, "Resolved", "解決")};
	size_t i;

	h2(w, "runs", L(w, "Runs of the month", "今月の実行"));
	table_begin(w, "runs", head, right, 9);
	for (i = 0; i < m->nruns; i++) {
		const hg_hrun *r = &m->runs[i];
		char b[6][64];
		const char *cells[9] = {r->date, lld(b[0], r->id), source_label(r->source, w->ja), r->ref,
		        lld(b[1], r->accounts), r->resources ? ratio(b[2], r->checked, r->resources) : "",
		        lld(b[3], r->observed),
		        lld(b[4], r->opened), lld(b[5], r->resolved)};
		row(w, cells, NULL);
	}
	table_end(w);
}

static void month_json(hg_buf *o, const hg_month *m, hg_lang lang);

/* ---- HTML frame ---- */

static const char css[] =
        "@page { size: A4; margin: 14mm 12mm; }\n"
        "body { font-family: \"Noto Sans CJK JP\", \"IPAexGothic\", \"IPAGothic\", \"Hiragino Sans\", "
        "\"Yu Gothic\", sans-serif; font-size: 10.5pt; color: #1b2a3a; margin: 0 auto; max-width: 190mm; "
        "line-height: 1.45; }\n"
        "h1 { font-size: 18pt; margin: 0 0 4pt; border-bottom: 2pt solid #1f5fa8; }\n"
        "h2 { font-size: 13pt; margin: 16pt 0 6pt; color: #1f5fa8; break-after: avoid; }\n"
        "h3 { font-size: 11pt; margin: 10pt 0 4pt; break-after: avoid; }\n"
        "p.meta { color: #444; margin: 2pt 0 8pt; }\n"
        "table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; font-size: 9pt; }\n"
        "thead { display: table-header-group; }\n"
        "tr { break-inside: avoid; }\n"
        "th, td { border: 0.5pt solid #b9c2cc; padding: 2pt 4pt; text-align: left; vertical-align: top; "
        "overflow-wrap: break-word; }\n"
        "table.findings td:nth-child(6), table.findings td:nth-child(7), table.controls td:nth-child(1), "
        "table.accounts td:nth-child(1) { word-break: break-all; }\n"
        "table.findings td:nth-child(-n+4), table.controls td:nth-child(3) { white-space: nowrap; }\n"
        "table.findings { table-layout: fixed; }\n"
        "table.findings th:nth-child(1) { width: 10%; } table.findings th:nth-child(2) { width: 9%; }\n"
        "table.findings th:nth-child(3) { width: 7%; } table.findings th:nth-child(4) { width: 7%; }\n"
        "table.findings th:nth-child(5) { width: 12%; } table.findings th:nth-child(6) { width: 17%; }\n"
        "table.findings th:nth-child(7) { width: 14%; } table.findings th:nth-child(8) { width: 16%; }\n"
        "table.findings th:nth-child(9) { width: 8%; }\n"
        "table.findings td:nth-child(-n+4) { white-space: normal; overflow-wrap: anywhere; }\n"
        "table.findings td:nth-child(1) { white-space: nowrap; font-family: monospace; font-size: 8pt; }\n"
        "th { background: #e9eef4; }\n"
        "td.n, th.n { text-align: right; white-space: nowrap; }\n"
        "table.summary { width: auto; min-width: 60%; font-size: 10pt; }\n"
        "#score-month { font-weight: bold; font-size: 12pt; }\n"
        "svg.chart { width: 100%; height: auto; max-width: 170mm; display: block; margin: 4pt 0; }\n";

void hg_report_month(hg_buf *out, const hg_month *m, const hg_month_options *o)
{
	mw w;
	hg_buf meta = HG_BUF_INIT;
	size_t k;
	char title[96];

	if (o->format == HG_FMT_JSON) {
		month_json(out, m, o->lang);
		return;
	}
	memset(&w, 0, sizeof(w));
	w.o = out;
	w.opt = o;
	w.html = o->format == HG_FMT_HTML;
	w.ja = o->lang == HG_LANG_JA;
	snprintf(title, sizeof(title), w.ja ? "月次レポート %s" : "Monthly report %s", m->month);
	if (w.ja)
		hg_buf_printf(&meta, "対象月: %s。記録した日数: %zu (最終 %s)。実行: %zu (", m->month, m->nnights,
		        m->nnights ? m->nights[m->nnights - 1].date : "—", m->nruns);
	else
		hg_buf_printf(&meta, "Month: %s. Nights recorded: %zu (the last %s). Runs: %zu (", m->month,
		        m->nnights, m->nnights ? m->nights[m->nnights - 1].date : "—", m->nruns);
	{
		bool first = true;
		for (k = 0; k < HG_SRC__COUNT; k++)
			if (m->sources[k]) {
				hg_buf_printf(&meta, "%s%s %zu", first ? "" : (w.ja ? "、" : ", "),
				        source_label(hg_hsource_name((hg_hsource)k), w.ja), m->sources[k]);
				first = false;
			}
	}
	hg_buf_printf(&meta, w.ja ? ")。作成: hinagata %s。" : "). Written by hinagata %s.", hg_compiler_version());
	if (w.html) {
		hg_buf_printf(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
		        w.ja ? "ja" : "en");
		put(&w, title);
		hg_buf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", css);
		put(&w, title);
		hg_buf_puts(out, "</h1>\n<p class=\"meta\">");
		put(&w, meta.ptr);
		hg_buf_puts(out, "</p>\n");
	} else {
		hg_buf_puts(out, "# ");
		put(&w, title);
		hg_buf_puts(out, "\n\n");
		put(&w, meta.ptr);
		hg_buf_puts(out, "\n\n");
	}
	hg_buf_dispose(&meta);
	summary(&w, m);
	trend(&w, m);
	accounts(&w, m);
	controls(&w, m);
	drift(&w, m);
	h2(&w, "opened", L(&w, "Findings opened this month", "今月検出した項目"));
	finding_list(&w, m, m->opened, m->nopened, LIST_OPENED);
	h2(&w, "resolved", L(&w, "Findings resolved this month", "今月解決した項目"));
	finding_list(&w, m, m->resolved, m->nresolved, LIST_RESOLVED);
	h2(&w, "open", L(&w, "Findings open at the end of the month", "未解決の項目 (月末)"));
	finding_list(&w, m, m->open, m->nopen, LIST_OPEN);
	h2(&w, "suppressed", L(&w, "Suppressed findings", "抑制済みの項目"));
	finding_list(&w, m, m->suppressed, m->nsuppressed, LIST_SUPPRESSED);
	templates(&w, m);
	runs(&w, m);
	if (w.html)
		hg_buf_puts(out, "</body>\n</html>\n");
}

/* ---- JSON (hinagata-monthly/1) ---- */

static void jscore(hg_buf *o, const hg_score *s)
{
	if (!s->has) {
		hg_buf_printf(o, "{\"score\": null, \"passed\": %zu, \"failed\": %zu, \"unknown\": %zu}",
		        s->passed, s->failed, s->unknown);
		return;
	}
	hg_buf_printf(o, "{\"score\": %.1f, \"passed\": %zu, \"failed\": %zu, \"unknown\": %zu, "
	                 "\"weights\": {\"passed\": %g, \"failed\": %g, \"unknown\": %g}}",
	        s->value, s->passed, s->failed, s->unknown, s->wpassed, s->wfailed, s->wunknown);
}

static void jfindings(hg_buf *o, const char *key, const hg_hfinding *f, size_t n, hg_lang lang, bool first)
{
	size_t i;
	hg_buf_printf(o, "%s\n    \"%s\": [", first ? "" : ",", key);
	for (i = 0; i < n; i++) {
		hg_buf_puts(o, i ? ",\n      " : "\n      ");
		hg_report__finding_json(o, &f[i], lang);
	}
	hg_buf_puts(o, n ? "\n    ]" : "]");
}

static void month_json(hg_buf *o, const hg_month *m, hg_lang lang)
{
	size_t i;
	int k;

	hg_buf_printf(o, "{\n  \"schema\": \"hinagata-monthly/1\",\n  \"tool\": ");
	hg_json_string(o, hg_compiler_version(), strlen(hg_compiler_version()));
	hg_buf_printf(o, ",\n  \"month\": \"%s\",\n  \"period\": {\"from\": \"%s\", \"to\": \"%s\"},\n",
	        m->month, m->from, m->to);
	hg_buf_puts(o, "  \"score\": ");
	jscore(o, &m->score);
	hg_buf_printf(o, ",\n  \"previous\": {\"month\": \"%s\", \"score\": ", m->previous);
	jscore(o, &m->previous_score);
	hg_buf_puts(o, "},\n  \"trend\": [");
	for (k = 0; k < HG_TREND_MONTHS; k++) {
		hg_buf_printf(o, "%s\n    {\"month\": \"%s\", \"score\": ", k ? "," : "", m->trend[k].month);
		jscore(o, &m->trend[k].score);
		hg_buf_putc(o, '}');
	}
	hg_buf_puts(o, "\n  ],\n  \"nights\": [");
	for (i = 0; i < m->nnights; i++) {
		const hg_hnight *n = &m->nights[i];
		hg_buf_printf(o, "%s\n    {\"date\": \"%s\", \"score\": ", i ? "," : "", n->date);
		jscore(o, &n->score);
		hg_buf_printf(o, ", \"resources\": %lld, \"checked\": %lld, \"properties\": %lld, "
		                 "\"propertiesChecked\": %lld}",
		        (long long)n->resources, (long long)n->checked, (long long)n->properties,
		        (long long)n->properties_checked);
	}
	hg_buf_puts(o, m->nnights ? "\n  ],\n  \"coverage\": " : "],\n  \"coverage\": ");
	if (m->coverage.date)
		hg_buf_printf(o, "{\"date\": \"%s\", \"resources\": %lld, \"checked\": %lld, \"properties\": "
		                 "%lld, \"propertiesChecked\": %lld}",
		        m->coverage.date, (long long)m->coverage.resources, (long long)m->coverage.checked,
		        (long long)m->coverage.properties, (long long)m->coverage.properties_checked);
	else
		hg_buf_puts(o, "null");
	hg_buf_puts(o, ",\n  \"runs\": [");
	for (i = 0; i < m->nruns; i++) {
		const hg_hrun *r = &m->runs[i];
		hg_buf_printf(o, "%s\n    {\"id\": %lld, \"date\": \"%s\", \"source\": \"%s\", \"ref\": ", i ? "," : "",
		        (long long)r->id, r->date, r->source);
		hg_report_json_str(o, r->ref, lang);
		hg_buf_printf(o, ", \"accounts\": %lld, \"resources\": %lld, \"checked\": %lld, \"observed\": %lld, "
		                 "\"opened\": %lld, \"resolved\": %lld, \"suppressed\": %lld}",
		        (long long)r->accounts, (long long)r->resources, (long long)r->checked,
		        (long long)r->observed, (long long)r->opened, (long long)r->resolved,
		        (long long)r->suppressed);
	}
	hg_buf_puts(o, m->nruns ? "\n  ],\n  \"accounts\": [" : "],\n  \"accounts\": [");
	for (i = 0; i < m->naccounts; i++) {
		const hg_haccount *a = &m->accounts[i];
		hg_buf_printf(o, "%s\n    {\"account\": ", i ? "," : "");
		hg_report_json_str(o, a->account, lang);
		hg_buf_puts(o, ", \"score\": ");
		jscore(o, &a->score);
		hg_buf_printf(o, ", \"open\": %lld, \"suppressed\": %lld, \"resources\": %lld, \"checked\": %lld, "
		                 "\"last\": ",
		        (long long)a->open, (long long)a->suppressed, (long long)a->resources,
		        (long long)a->checked);
		hg_report_json_str(o, a->last, lang);
		hg_buf_putc(o, '}');
	}
	hg_buf_puts(o, m->naccounts ? "\n  ],\n  \"controls\": [" : "],\n  \"controls\": [");
	for (i = 0; i < m->ncontrols; i++) {
		const hg_hcontrol *c = &m->controls[i];
		hg_buf_printf(o, "%s\n    {\"control\": ", i ? "," : "");
		hg_report_json_str(o, c->control, lang);
		hg_buf_printf(o, ", \"source\": \"%s\", \"severity\": ", c->source);
		hg_report_json_str(o, c->severity, lang);
		if (c->title) {
			hg_buf_puts(o, ", \"title\": ");
			hg_report_json_str(o, c->title, lang);
		}
		hg_buf_puts(o, ", \"accounts\": ");
		jscore(o, &c->score);
		hg_buf_printf(o, ", \"open\": %lld}", (long long)c->open);
	}
	hg_buf_puts(o, m->ncontrols ? "\n  ],\n  \"drift\": {\"bySeverity\": {" : "],\n  \"drift\": {\"bySeverity\": {");
	for (k = 0; k < HG_CSEV__COUNT; k++)
		hg_buf_printf(o, "%s\"%s\": %zu", k ? ", " : "", hg_csev_name((hg_csev)k), m->drift_by_severity[k]);
	hg_buf_puts(o, "}, \"byControl\": [");
	for (i = 0; i < m->ndrift_by_control; i++) {
		hg_buf_printf(o, "%s{\"control\": ", i ? ", " : "");
		hg_report_json_str(o, m->drift_by_control[i].control, lang);
		hg_buf_printf(o, ", \"count\": %zu}", m->drift_by_control[i].count);
	}
	hg_buf_printf(o, "]},\n  \"counts\": {\"opened\": %zu, \"new\": %zu, \"reopened\": %zu, \"resolved\": %zu, "
	                 "\"open\": %zu, \"suppressed\": %zu},\n  \"findings\": {",
	        m->nopened, m->nnew, m->nreopened, m->nresolved, m->nopen, m->nsuppressed);
	jfindings(o, "opened", m->opened, m->nopened, lang, true);
	jfindings(o, "resolved", m->resolved, m->nresolved, lang, false);
	jfindings(o, "open", m->open, m->nopen, lang, false);
	jfindings(o, "suppressed", m->suppressed, m->nsuppressed, lang, false);
	hg_buf_puts(o, "\n  },\n  \"templates\": [");
	for (i = 0; i < m->ntemplates; i++) {
		const hg_htemplate *t = &m->templates[i];
		hg_buf_printf(o, "%s\n    {\"account\": ", i ? "," : "");
		hg_report_json_str(o, t->account, lang);
		hg_buf_puts(o, ", \"template\": ");
		hg_report_json_str(o, t->name, lang);
		hg_buf_puts(o, ", \"version\": ");
		hg_report_json_str(o, t->version, lang);
		hg_buf_puts(o, ", \"newest\": ");
		hg_report_json_str(o, t->newest, lang);
		hg_buf_printf(o, ", \"mandatory\": %s, \"current\": %s}", t->mandatory ? "true" : "false",
		        t->current ? "true" : "false");
	}
	hg_buf_puts(o, m->ntemplates ? "\n  ]\n}\n" : "]\n}\n");
}
