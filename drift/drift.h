/*
 * drift.h: the public interface of the hinagata drift engine.
 * Part of hinagata; see LICENSE.
 *
 * Desired state: templates (hinagata source, compiled on the fly, or
 * compiled CloudFormation/ARM JSON), from files or from a git revision.
 * Deployed state: the JSON the clouds' CLIs print (export.h). The engine
 * resolves the templates against the deployed context, canonicalizes both
 * sides by named rules (canon.h), hashes them, and diffs only what differs.
 * Pipeline modules: gitsrc (desired state from git), export (deployed
 * state), canon, engine (resolve, match, compare), ignore, report.
 */
#ifndef HG_DRIFT_H
#define HG_DRIFT_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/arena.h"
#include "../common/buf.h"
#include "../common/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ORDER STATUS */
typedef enum hg_drift_status {
	HG_DS_IN_SYNC,
	HG_DS_MODIFIED,
	HG_DS_DELETED,     /* in the desired state, not deployed */
	HG_DS_UNMANAGED,   /* deployed, listed by an export, in no template */
	HG_DS_NOT_CHECKED, /* could not be compared; the reason says why */
	HG_DS__COUNT
} hg_drift_status;

const char *hg_drift_status_name(hg_drift_status s);

typedef enum hg_diff_kind { HG_DIFF_ADD, HG_DIFF_REMOVE, HG_DIFF_NOT_EQUAL } hg_diff_kind;

const char *hg_diff_kind_name(hg_diff_kind k);

typedef struct hg_prop_diff {
	char *path;     /* JSON pointer into the resource's properties */
	char *expected; /* canonical JSON text, NULL for ADD; "****" when masked */
	char *actual;   /* canonical JSON text, NULL for REMOVE; "****" when masked */
	hg_diff_kind kind;
	bool locked;    /* a locked setting (Metadata.hinagata.locked) */
	bool ignored;   /* matched an ignore rule (and was allowed to) */
	char *ignore_reason;
} hg_prop_diff;

typedef struct hg_drift_result {
	char *unit;        /* the stack or deployment the resource belongs to */
	char *logical_id;  /* NULL for UNMANAGED */
	char *type;
	char *physical_id; /* the cloud's identifier, when known */
	char *template_name, *template_version;
	hg_drift_status status;
	char *reason;      /* NOT_CHECKED (and DELETED) reason, bilingual (HG_BI) */
	hg_prop_diff *diffs;
	size_t ndiffs;
	char **not_checked; /* properties that could not be compared, "path: reason" */
	size_t nnot_checked;
	char **folds;       /* "rule /path": differences canonicalization removed */
	size_t nfolds;
	char expected_hash[17], actual_hash[17];
	bool mandatory;    /* from a mandatory template */
	char **controls;   /* the resource's controls (catalog IDs) */
	size_t ncontrols;
	char *severity;    /* the highest severity of those controls */
	bool ignored;      /* the whole resource matched an ignore rule */
	char *ignore_reason;
	char *account, *region; /* where it is deployed, when the exports say */
	char *source_file; /* where the resource is declared, for reports */
	unsigned source_line;
} hg_drift_result;

typedef struct hg_expired_rule {
	char *file;
	unsigned line;
	char *reason;
	char *expires;
} hg_expired_rule;

typedef struct hg_drift_report {
	hg_drift_result *results; /* sorted: unit, logical ID, then unmanaged by type and ID */
	size_t n, cap;
	size_t counts[HG_DS__COUNT];
	size_t checked, total; /* coverage: resources compared / all resources */
	hg_expired_rule *expired;
	size_t nexpired;
	char *ref;   /* the git revision of the desired state, or NULL */
	char *today; /* the date expiry was judged against (YYYY-MM-DD) */
	size_t cache_hits; /* resources judged in sync from the cache (--cache) */
	hg_arena *arena;       /* owns every string and array of the report */
} hg_drift_report;

typedef struct hg_drift_options {
	unsigned version;
	const char *repo;        /* a git repository, or NULL: plain files */
	const char *ref;         /* revision (default HEAD) */
	const char *const *templates;
	size_t ntemplates;
	const char *const *states;
	size_t nstates;
	const char *ignore_file; /* .hinagataignore, or NULL */
	const char *today;       /* YYYY-MM-DD for ignore expiry (default: the date) */
	/* for compiling hinagata sources */
	const char *const *template_dirs;
	size_t ntemplate_dirs;
	const char *bundled_dir;
	const char *schema_dir;
	const char *cache_file; /* verdicts of earlier runs (read and rewritten), or NULL */
	size_t max_record;      /* bytes of one export record (0: 64 MiB) */
	bool keep_in_sync;      /* list resources in sync in the report (JSON, JUnit need them);
	                           otherwise they are only counted, which keeps memory small */
} hg_drift_options;

#define HG_DRIFT_OPTIONS_VERSION 1
#define HG_DRIFT_OPTIONS_INIT {HG_DRIFT_OPTIONS_VERSION}

/*
 * Compare the desired state with the deployed state. *out gets the report
 * (new; free with hg_drift_report_free). Returns 0; HG_EINVALID when an
 * input is broken (diagnostics in d: a template with errors, a malformed
 * export); HG_EIO when a file or the repository cannot be read.
 */
int hg_drift_run(hg_drift_report **out, const hg_drift_options *opts, hg_diags *d);
void hg_drift_report_free(hg_drift_report *r);

/* True when the report has drift that counts (not ignored), or, strict, gaps. */
bool hg_drift_found(const hg_drift_report *r, bool strict);

/* ORDER FORMAT */
typedef enum hg_report_format {
	HG_FMT_TEXT,
	HG_FMT_JSON,
	HG_FMT_MD,
	HG_FMT_SARIF,
	HG_FMT_JUNIT,
} hg_report_format;

int hg_report_format_parse(hg_report_format *out, const char *s);

typedef struct hg_report_options {
	hg_report_format format;
	hg_lang lang;
	bool color;
} hg_report_options;

/* Write the report in a format into out. */
void hg_drift_report_write(hg_buf *out, const hg_drift_report *r, const hg_report_options *o);

#ifdef __cplusplus
}
#endif
#endif
