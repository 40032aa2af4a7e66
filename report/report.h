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
#include "../drift/drift.h"

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
} hg_report_format;

/* "text", "json", "md", "sarif", "junit" -> *out; -1 when unknown. */
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

/* ---- shared by the writers ---- */

/* The part of a bilingual (HG_BI) text for lang, appended (valid UTF-8). */
void hg_report_bi(hg_buf *out, const char *s, hg_lang lang);
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

#ifdef __cplusplus
}
#endif
#endif
