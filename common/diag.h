/*
 * diag.h: hg_diag, the one type for every problem hinagata reports.
 * Part of hinagata; see LICENSE.
 *
 * Each stage receives an hg_diags list and appends to it; nothing is kept in
 * globals. A diagnostic has a stable code (diag_codes.def), a 1-based span
 * and up to four string arguments; the message is rendered in the chosen
 * language only when printed, so one run can print in either language.
 * The list owns everything in it: diagnostics, their arguments, and the
 * copies of source files used to print the offending line.
 */
#ifndef HG_DIAG_H
#define HG_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "lang.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hg_diag_code {
#define HG_DIAG(name, num, sev, cls, en, ja) HG_D_##name,
#include "diag_codes.def"
#undef HG_DIAG
	HG_D__COUNT
} hg_diag_code;

typedef enum hg_severity { HG_SEV_NOTE, HG_SEV_WARNING, HG_SEV_ERROR } hg_severity;

/* A source range, 1-based; col counts characters. line 0 means "no position". */
typedef struct hg_span {
	const char *file; /* borrowed from the hg_diags that registered it */
	uint32_t line, col, end_line, end_col;
} hg_span;

#define HG_DIAG_MAX_ARGS 4

/*
 * A diagnostic argument that itself depends on the language ("a string" /
 * "文字列") is written HG_BI(en, ja): both texts joined by a unit separator;
 * the renderer picks one.
 */
#define HG_BI(en, ja) en "\x1f" ja

typedef struct hg_note {
	hg_diag_code code;
	hg_span span; /* line 0: a help line without a position */
	char *args[HG_DIAG_MAX_ARGS];
} hg_note;

typedef struct hg_diag {
	hg_diag_code code;
	hg_span span;
	char *args[HG_DIAG_MAX_ARGS];
	hg_note *notes;
	size_t nnotes;
	size_t seq; /* insertion order, the tie-breaker when sorting */
} hg_diag;

typedef struct hg_source {
	char *name;
	char *text; /* NULL when only the name is known */
	size_t len;
	size_t index; /* registration order, used to sort by file */
} hg_source;

typedef struct hg_diags {
	hg_diag **items;
	size_t n, cap;
	hg_source **sources;
	size_t nsources, capsources;
	size_t nerrors, nwarnings;
	bool env_error;    /* an ENV-class error: the run could not complete */
	hg_span *redacted; /* source text never shown in an excerpt (hg_diags_redact) */
	size_t nredacted, capredacted;
} hg_diags;

#define HG_DIAGS_INIT                                                                              \
	{                                                                                          \
		0                                                                                  \
	}

typedef struct hg_diag_info {
	int number; /* 0 for notes */
	hg_severity severity;
	bool env;            /* class ENV */
	const char *name;    /* e.g. "YAML_DUP_KEY" */
	const char *en, *ja; /* message formats */
} hg_diag_info;

const hg_diag_info *hg_diag_info_of(hg_diag_code code);
/* Write "HG0002" for a code (notes give ""). */
void hg_diag_code_str(char out[8], hg_diag_code code);

void hg_diags_init(hg_diags *d);
void hg_diags_dispose(hg_diags *d);

/*
 * Register a source file so diagnostics can print its lines. The list copies
 * name and text; the returned name is owned by the list and lives as long as
 * it, so spans may point at it. text may be NULL (name only). Registering a
 * name again returns the first copy (and adds the text if it had none).
 */
const char *hg_diags_source(hg_diags *d, const char *name, const char *text, size_t len);

/*
 * Move s's line and column over the first n bytes of text (from where s
 * is: line feeds, and characters, not bytes, of UTF-8), and make s one
 * character wide there: where a reader stopped, from the offset it stopped at.
 */
void hg_span_advance(hg_span *s, const char *text, size_t n);

/*
 * Never show the source text of span s (the value of a secure parameter)
 * in an excerpt: each of its characters prints as '*'. Excerpts and
 * messages mask secrets of known shapes (secret.h) anyway; this is for the
 * ones only their meaning gives away.
 */
void hg_diags_redact(hg_diags *d, const hg_span *s);

/*
 * Append a diagnostic. span may be NULL (no position). The variadic
 * arguments are `const char *` strings, copied, ended by NULL; at most
 * HG_DIAG_MAX_ARGS. Returns the diagnostic (borrowed) for adding notes.
 */
hg_diag *hg_diag_add(hg_diags *d, hg_diag_code code, const hg_span *span, ...);
/* Attach a note or help line (code is an HG_D_N_* note). */
void hg_diag_note(hg_diag *dg, hg_diag_code code, const hg_span *span, ...);

/*
 * Move every diagnostic of src to the end of dst (its sources registered in
 * dst), in src's order; src is left empty (disposed). For work done on
 * threads, each with its own list, merged in an order that does not depend
 * on the scheduling.
 */
void hg_diags_merge(hg_diags *dst, hg_diags *src);

/*
 * Keep only the diagnostics keep(dg, payload) says yes to (the others are
 * freed), in their order; the counts follow. For a run that did more
 * than it reports: the files of one shard of a check.
 */
void hg_diags_filter(hg_diags *d, bool (*keep)(const hg_diag *dg, void *payload), void *payload);

/* 0 clean (warnings only), 1 input errors, 2 an environment error. */
int hg_diags_exit_code(const hg_diags *d);

/* Sort by file registration order, line, column, then insertion order. */
void hg_diags_sort(hg_diags *d);

/* The message of a code with its arguments, in lang; secrets in the arguments masked. */
void hg_diag_format(hg_buf *out, hg_diag_code code, char *const *args, hg_lang lang);

typedef struct hg_render_options {
	hg_lang lang;
	bool color;
	size_t max; /* print at most this many diagnostics; 0 = all */
} hg_render_options;

/*
 * Render every diagnostic as
 *   file:line:col: error[HG0002]: message
 *      3 | source line
 *        |     ^~~~
 * followed by its notes, into out.
 */
void hg_diags_render(const hg_diags *d, hg_buf *out, const hg_render_options *opts);

#ifdef __cplusplus
}
#endif
#endif
