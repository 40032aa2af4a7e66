/*
 * chart.c: the monthly report's charts, as inline SVG (see report.h).
 * Part of hinagata; see LICENSE.
 *
 * A chart is plain SVG 1.1 inside the HTML: no script, no external font or
 * style, fixed coordinates in a viewBox that scales to the page (A4 at 96
 * dpi is 794 px wide; the charts are 640 units). A month or night without
 * data is a gap in the line, never a zero. Values are printed beside their
 * points, so the chart reads the same on paper as on screen.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"

#define W 640
#define H 210
#define X0 44
#define X1 624
#define Y0 18  /* 100 % */
#define Y1 168 /* 0 % */

static double y_of(double v)
{
	return Y1 - (Y1 - Y0) * v / 100.0;
}

/* The frame: grid lines at 0, 25, 50, 75, 100 with their labels. */
static void frame(hg_buf *o, const char *label)
{
	int g;
	hg_buf_printf(o,
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	        "role=\"img\" aria-label=\"",
	        W, H, W, H);
	hg_report_xml(o, label, HG_LANG_EN);
	hg_buf_puts(o, "\" class=\"chart\">\n<title>");
	hg_report_xml(o, label, HG_LANG_EN);
	hg_buf_puts(o, "</title>\n");
	for (g = 0; g <= 100; g += 25)
		hg_buf_printf(o,
		        "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#d0d4da\" stroke-width=\"1\"/>"
		        "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" fill=\"#444\">%d</text>\n",
		        X0, y_of(g), X1, y_of(g), X0 - 6, y_of(g) + 4, g);
}

/* Points (x, value) where has[i]: lines between neighbours that both have data. */
static void series(hg_buf *o, const double *x, const double *v, const bool *has, size_t n)
{
	size_t i;
	for (i = 0; i + 1 < n; i++)
		if (has[i] && has[i + 1])
			hg_buf_printf(o,
			        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#1f5fa8\" "
			        "stroke-width=\"2.5\"/>\n",
			        x[i], y_of(v[i]), x[i + 1], y_of(v[i + 1]));
	for (i = 0; i < n; i++)
		if (has[i])
			hg_buf_printf(o,
			        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#1f5fa8\"/>"
			        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1b2a3a\">%.1f</text>\n",
			        x[i], y_of(v[i]), x[i], y_of(v[i]) - 8, v[i]);
}

static void no_data(hg_buf *o, const bool *has, size_t n, hg_lang lang)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (has[i])
			return;
	hg_buf_printf(o,
	        "<text x=\"%d\" y=\"%d\" font-size=\"14\" text-anchor=\"middle\" fill=\"#666\">%s</text>\n",
	        (X0 + X1) / 2, (Y0 + Y1) / 2, lang == HG_LANG_JA ? "データなし" : "no data");
}

void hg_report_chart(hg_buf *out, const hg_month *m, hg_lang lang)
{
	double x[HG_TREND_MONTHS], v[HG_TREND_MONTHS];
	bool has[HG_TREND_MONTHS];
	size_t i;

	frame(out, lang == HG_LANG_JA ? "月末のコンプライアンススコアの推移 (%)"
	                              : "Compliance score at the end of each month (%)");
	for (i = 0; i < HG_TREND_MONTHS; i++) {
		x[i] = X0 + 14 + (double)(X1 - X0 - 28) * (double)i / (HG_TREND_MONTHS - 1);
		v[i] = m->trend[i].score.value;
		has[i] = m->trend[i].score.has;
		hg_buf_printf(out,
		        "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\" fill=\"#444\">%s</text>\n",
		        x[i], Y1 + 18, m->trend[i].month);
	}
	series(out, x, v, has, HG_TREND_MONTHS);
	no_data(out, has, HG_TREND_MONTHS, lang);
	hg_buf_puts(out, "</svg>\n");
}

void hg_report_nightly_chart(hg_buf *out, const hg_month *m, hg_lang lang)
{
	double x[31], v[31];
	bool has[31];
	size_t i;
	int day;

	frame(out, lang == HG_LANG_JA ? "夜ごとのコンプライアンススコア (%)"
	                              : "Compliance score of each night (%)");
	memset(has, 0, sizeof(has));
	memset(v, 0, sizeof(v));
	for (day = 1; day <= 31; day++) {
		x[day - 1] = X0 + 10 + (double)(X1 - X0 - 20) * (double)(day - 1) / 30;
		if (day == 1 || day % 5 == 0)
			hg_buf_printf(out,
			        "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\" fill=\"#444\">%d</text>\n",
			        x[day - 1], Y1 + 18, day);
	}
	for (i = 0; i < m->nnights; i++) {
		day = (m->nights[i].date[8] - '0') * 10 + (m->nights[i].date[9] - '0');
		if (day >= 1 && day <= 31 && m->nights[i].score.has) {
			has[day - 1] = true;
			v[day - 1] = m->nights[i].score.value;
		}
	}
	/* Nightly values would crowd the chart: lines and dots, the numbers are in the table. */
	for (day = 0; day + 1 < 31; day++)
		if (has[day] && has[day + 1])
			hg_buf_printf(out,
			        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#1f5fa8\" "
			        "stroke-width=\"2\"/>\n",
			        x[day], y_of(v[day]), x[day + 1], y_of(v[day + 1]));
	for (day = 0; day < 31; day++)
		if (has[day])
			hg_buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#1f5fa8\"/>\n", x[day],
			        y_of(v[day]));
	no_data(out, has, 31, lang);
	hg_buf_puts(out, "</svg>\n");
}
