/*
 * report.h: the report writers shared by drift and check (and the history
 * store): text, JSON, Markdown, SARIF 2.1.0 and JUnit XML.
 * Part of hinagata; see LICENSE.
 *
 * A writer takes results, never an engine: drift's writer is a sink
 * (drift.h) that the run feeds block by block, in order, and writes as it
 * goes, so a report over hundreds of thousands of resources is never held
 * in memory as text (Markdown, which puts its summary first, keeps the
 * findings it lists, not the resources in sync). Output goes through a
 * write callback: to standard output, or to a file written atomically.
 *
 * Every string a report prints is valid UTF-8 (invalid bytes escaped as
 * \xNN), XML text is escaped, and values are printed as the engine masked
 * them.
 */
#ifndef HG_REPORT_H
#define HG_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/buf.h"
#include "../common/lang.h"
#include "../diff/tdiff.h"
#include "../drift/drift.h"
#include "../history/history.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ORDER FORMAT */
typedef enum hg_report_format {
	HG_FMT_TEXT,
	HG_FMT_JSON,
	HG_FMT_MD,
	HG_FMT_SARIF,
	HG_FMT_JUNIT,
	HG_FMT_HTML, /* the monthly report */
	HG_FMT_CSV,  /* the history's findings */
} hg_report_format;

/* "text", "json", "md", "sarif", "junit", "html", "csv" -> *out; -1 when unknown. */
int hg_report_format_parse(hg_report_format *out, const char *s);

typedef struct hg_report_options {
	hg_report_format format;
	hg_lang lang;
	bool color; /* text only: ANSI colours (a terminal) */
} hg_report_options;

/* Where a writer's bytes go; a negative return stops the report (HG_EIO). */
typedef int (*hg_write_fn)(void *payload, const char *data, size_t len);

typedef struct hg_drift_writer hg_drift_writer;

/* A drift report writer (new; free with hg_drift_writer_free). */
hg_drift_writer *hg_drift_writer_new(const hg_report_options *o, hg_write_fn write, void *payload);
/* The sink that feeds w (drift.h); its payload is w. */
hg_drift_sink hg_drift_writer_sink(hg_drift_writer *w);
void hg_drift_writer_free(hg_drift_writer *w);

/* A whole kept report into out (tests, small runs). */
void hg_drift_report_write(hg_buf *out, const hg_drift_report *r, const hg_report_options *o);

/* ---- the history store (report/history.c, report/monthly.c) ---- */

/* The deployments seen (hg_history_deployments): a table (text) or
 * hinagata-deployments/1 JSON, appended to out. */
void hg_report_deployments(hg_buf *out, const hg_hdeploy *x, size_t n, hg_report_format f, hg_lang lang);
/* The runs recorded: a table (text) or hinagata-runs/1 JSON, appended to out. */
void hg_report_runs(hg_buf *out, const hg_hrun *runs, size_t n, hg_report_format f, hg_lang lang);
/* A finding and its events (text or JSON). */
void hg_report_timeline(hg_buf *out, const hg_hfinding *f, const hg_hevent *ev, size_t n,
        hg_report_format fmt, hg_lang lang);
/* Findings as CSV (RFC 4180, a header row, UTF-8). */
void hg_report_findings_csv(hg_buf *out, const hg_hfinding *f, size_t n, hg_lang lang);

/* A control's title, for the report (the catalog's), or NULL. */
typedef const char *(*hg_title_fn)(void *payload, const char *control, hg_lang lang);

typedef struct hg_month_options {
	hg_report_format format; /* HG_FMT_MD, HG_FMT_HTML or HG_FMT_JSON */
	hg_lang lang;
	size_t max_rows;         /* rows of each finding list in md/html (0: all) */
	hg_title_fn title;       /* may be NULL */
	void *title_payload;
} hg_month_options;

/* The monthly report of m (docs/history.md; JSON: schemas/hinagata-monthly.schema.json). */
void hg_report_month(hg_buf *out, const hg_month *m, const hg_month_options *o);

/* The trend chart: inline SVG of the monthly scores (report/chart.c). */
void hg_report_chart(hg_buf *out, const hg_month *m, hg_lang lang);
/* The nightly scores of the month as a small inline SVG. */
void hg_report_nightly_chart(hg_buf *out, const hg_month *m, hg_lang lang);

/* ---- shared by the writers ---- */

/* A finding as one JSON object (history.c; monthly.c uses it too). */
void hg_report__finding_json(hg_buf *o, const hg_hfinding *f, hg_lang lang);
/* A finding status in the language: "resolved", "解決済み". */
const char *hg_report__status_label(const char *status, hg_lang lang);

/* The part of a bilingual (HG_BI) text for lang, appended (valid UTF-8). */
void hg_report_bi(hg_buf *out, const char *s, hg_lang lang);
/* The same inside a Markdown table cell: '|' escaped, a newline a space. */
void hg_report_md_cell(hg_buf *out, const char *s, hg_lang lang);
/* Text appended with bytes that are not UTF-8 escaped as \xNN. */
void hg_report_text(hg_buf *out, const char *s, size_t len);
/* A JSON text (a value's canonical form) as hg_report_text shows it, still valid JSON. */
void hg_report_json_text(hg_buf *out, const char *s, size_t len);
/* A JSON string literal of a bilingual text's part for lang (NULL: null). */
void hg_report_json_str(hg_buf *out, const char *s, hg_lang lang);
/* XML character data / attribute text of a bilingual text's part for lang. */
void hg_report_xml(hg_buf *out, const char *s, hg_lang lang);
/* A file path as a URI reference (absolute paths become file:// URIs). */
void hg_report_uri(hg_buf *out, const char *path);

/* ---- template diffs (diff/tdiff.h; the JSON schema is in docs/diff.md) ---- */

/* A diff as text, JSON or Markdown (o->format), appended to out; -1 for another format. */
int hg_tdiff_report(hg_buf *out, const hg_tdiff *t, const hg_report_options *o);

/*
 * One line about one resource's change ("~ Bucket (AWS::S3::Bucket): /path
 * before -> after; ..."), with at most max_props of its changes, for
 * messages (check's stale outputs).
 */
void hg_tdiff_resource_line(hg_buf *out, const hg_tres *r, bool arm, size_t max_props, hg_lang lang);

/*
 * The impact of template updates (diff/tdiff.h: hg_update_impact), as text,
 * JSON (schema hinagata-update/1, docs/diff.md) or Markdown, appended to out;
 * applied: after hg_update_apply. -1 for another format.
 */
int hg_impact_report(hg_buf *out, const hg_impact *im, bool applied, const hg_report_options *o);

#ifdef __cplusplus
}
#endif
#endif
