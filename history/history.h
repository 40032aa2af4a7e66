/*
 * history.h: the public interface of the history store: nightly runs, the
 * findings they saw and the status of each finding across runs, the
 * compliance score, and what a monthly report is made of.
 * Part of hinagata; see LICENSE. docs/history.md describes the model.
 *
 * The stages, one file each:
 *
 *   drift results / check diagnostics / imports (import.c)
 *                 |
 *   record (record.c): observations, what the run checked, controls evaluated
 *                 |
 *   lifecycle (lifecycle.c): one write transaction: statuses, events, scores
 *                 |
 *   store (store.c, SQL in sql.def) over a driver (db.h: db_sqlite.c)
 *                 |
 *   query (query.c): a month (hg_month), runs, a finding's timeline, CSV
 *
 * report/ writes hg_month as Markdown, HTML and JSON. Nothing here prints.
 * Ownership: every hg_* object returned is new (free with its _free);
 * strings passed in are copied; strings of query results belong to the
 * result (its arena).
 */
#ifndef HG_HISTORY_H
#define HG_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/buf.h"
#include "../common/diag.h"
#include "../drift/drift.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ORDER FSTATUS: a finding's status (names: hg_fstatus_name). */
typedef enum hg_fstatus {
	HG_FS_NEW,        /* first seen in this run */
	HG_FS_OPEN,       /* seen again */
	HG_FS_REOPENED,   /* seen again after it was resolved */
	HG_FS_SUPPRESSED, /* seen, covered by an ignore rule, a template suppression or SUPPRESSED */
	HG_FS_RESOLVED,   /* gone in a later run that did check where it was */
	HG_FS__COUNT
} hg_fstatus;

const char *hg_fstatus_name(hg_fstatus s); /* "new" ... */
int hg_fstatus_parse(const char *s);       /* the status, or -1 */
/* new, open or reopened: a finding that needs work. */
bool hg_fstatus_active(hg_fstatus s);

/* ORDER SOURCE: what recorded a run. */
typedef enum hg_hsource {
	HG_SRC_DRIFT,
	HG_SRC_CHECK,
	HG_SRC_SECURITYHUB,
	HG_SRC_DEFENDER,
	HG_SRC__COUNT
} hg_hsource;

const char *hg_hsource_name(hg_hsource s); /* "drift", "check", "securityhub", "defender" */

/* ---- the store ---- */

typedef struct hg_history hg_history;

enum {
	HG_HISTORY_CREATE = 1,   /* create the store if there is none (recording) */
	HG_HISTORY_READONLY = 2, /* queries only: an old schema is not upgraded */
};

/*
 * Open the store at target (a file path; drivers may accept URLs, db.h),
 * creating it or upgrading its schema in place as flags allow. busy_ms: how
 * long to wait for another writer (0: 60 s). Returns 0; HG_EIO with a
 * diagnostic in d: cannot be opened (HG9001, HG7104), not a store or
 * corrupt (HG7101, the file untouched), a newer schema (HG7102), locked
 * (HG7103). Close with hg_history_close.
 */
int hg_history_open(hg_history **out, const char *target, unsigned flags, unsigned busy_ms,
        hg_diags *d);
void hg_history_close(hg_history *h);
/* target as messages may name it: a password in a URL masked (new; free()). */
char *hg_history_display(const char *target);
/* The schema version of the store, and the newest this build knows. */
int hg_history_version(const hg_history *h);
int hg_history_version_latest(void);

/* ---- recording ---- */

/* What a run says about one finding. ORDER VERDICT */
typedef enum hg_verdict {
	HG_V_ACTIVE,     /* there, and it counts */
	HG_V_SUPPRESSED, /* there, covered by a suppression (reason, expiry) */
	HG_V_PASSED,     /* evaluated and not there (a cloud's PASSED): resolves it */
	HG_V_UNKNOWN,    /* could not be evaluated (WARNING, NOT_AVAILABLE): no change */
} hg_verdict;

typedef struct hg_observation {
	const char *kind;     /* "drift", "violation", "check", "cloud" */
	const char *account;  /* account, subscription; "" for the repository (check) */
	const char *region;   /* "" when none */
	const char *resource; /* its identity in the account: "STACK/LOGICAL", a physical ID, an ARN, a file */
	const char *type;     /* resource type, or NULL */
	const char *unit;     /* stack, deployment or file, or NULL */
	const char *control;  /* the control it is about, or NULL (drift) */
	const char *aspect;   /* what of the resource: a property path, DELETED, UNMANAGED,
	                         deployed, template, #N, or "" */
	const char *severity; /* critical, high, medium, low, informational; NULL: none */
	const char *controls; /* drift: the controls of the resource, space-separated, or NULL */
	const char *title;    /* what it is (may be bilingual: HG_BI) */
	const char *detail;   /* the evidence: expected and actual values, file:line */
	hg_verdict verdict;
	const char *reason, *expires; /* SUPPRESSED: why, and until when (YYYY-MM-DD) or NULL */
	bool fails;           /* counts against its control in the score */
} hg_observation;

typedef struct hg_record_options {
	unsigned version;
	hg_hsource source;
	const char *date;  /* YYYY-MM-DD the run stands for */
	const char *ref;   /* git revision, or NULL */
	const char *label; /* what was read (files), or NULL */
	const char *input_key; /* a digest of an imported input: recorded once, or NULL */
	/* where the catalog and profiles are (severities, which controls rule a type) */
	const char *const *template_dirs;
	size_t ntemplate_dirs;
	const char *bundled_dir;
	const char *schema_dir;
} hg_record_options;

#define HG_RECORD_OPTIONS_VERSION 1
#define HG_RECORD_OPTIONS_INIT                                                                     \
	{                                                                                          \
		HG_RECORD_OPTIONS_VERSION, HG_SRC_DRIFT, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL \
	}

typedef struct hg_recorder hg_recorder;

/* A recording in memory (new; free with hg_recorder_free). NULL, with
 * diagnostics in d, when the catalog or profiles cannot be read. */
hg_recorder *hg_recorder_new(const hg_record_options *o, hg_diags *d);
void hg_recorder_free(hg_recorder *r);

/*
 * A drift sink that records every result it is given (drift.h). Give the
 * run keep_in_sync: a resource compared and in sync is what lets a later
 * run resolve a finding on it. The payload is r.
 */
hg_drift_sink hg_recorder_drift_sink(hg_recorder *r);

/* What the run saw (strings copied). */
void hg_recorder_observe(hg_recorder *r, const hg_observation *o);
/* A resource the run checked: a finding on it the run did not see is
 * resolved, unless its aspect is one of except (properties not compared). */
void hg_recorder_checked(hg_recorder *r, const char *account, const char *region,
        const char *type, const char *resource, const char *const *except, size_t nexcept);
/* A control the run evaluated on an account (unknown: it could not). */
void hg_recorder_evaluated(hg_recorder *r, const char *account, const char *control,
        const char *severity, bool unknown);
/* A unit (stack, deployment, file) the run covered, and its coverage. */
void hg_recorder_unit(hg_recorder *r, const char *account, const char *region, const char *unit,
        size_t resources, size_t checked);
/* The template a stack or deployment (unit) was deployed with: hinagata's hash of
 * its canonical JSON, and Azure's templateHash (or NULL); the drift sink records
 * those of the run's summary (hg_drift_summary.deployed). */
void hg_recorder_deployed(hg_recorder *r, const char *account, const char *region, const char *unit,
        const char *hash, const char *template_hash);
/* A template version found deployed in an account. */
void hg_recorder_template(hg_recorder *r, const char *account, const char *name,
        const char *version, bool mandatory);

/*
 * A check run: the control rule findings of d (HG3100, and HG8004 as
 * suppressed) on the files checked (every file is a place it checked).
 */
void hg_recorder_check(hg_recorder *r, const hg_diags *d, const char *const *files, size_t n);

/* What a recording did. */
typedef struct hg_record_result {
	int64_t run;        /* the run's ID (0: nothing recorded) */
	int64_t again;      /* the run an input was recorded by before (nothing recorded now) */
	size_t observed, opened, resolved, suppressed;
	size_t findings[HG_FS__COUNT]; /* the run's findings by the status it gave them */
} hg_record_result;

/*
 * Write the recording to h in one transaction: the run, every finding's new
 * status, the events, the control statuses. All or nothing: a failure or a
 * kill leaves the store as it was. Returns 0; HG_EINVALID after HG7105 (a
 * run dated before the newest of its source); HG_EIO (store errors). An
 * input recorded before records nothing: res->again is its run, with
 * warning HG7108.
 */
int hg_recorder_commit(hg_recorder *r, hg_history *h, hg_record_result *res, hg_diags *d);

/* ---- imports: the clouds' findings ---- */

/* ORDER IMPORT: what hinagata history import reads. */
typedef enum hg_import_kind {
	HG_IMPORT_UNKNOWN,
	HG_IMPORT_SECURITYHUB, /* aws securityhub get-findings (ASFF) */
	HG_IMPORT_DEFENDER,    /* az security assessment list */
	HG_IMPORT_DRIFT,       /* hinagata drift --format json */
} hg_import_kind;

/*
 * Read one input (what the CLI printed; text[0..len) from file) into r,
 * whose source must match the input (hg_import_detect). Returns 0, or
 * HG_EINVALID with a diagnostic (HG7001 syntax with line and column, HG7106
 * shape, HG7107 a field missing) and nothing added.
 */
hg_import_kind hg_import_detect(const char *text, size_t len);
hg_hsource hg_import_source(hg_import_kind k);
int hg_import_read(hg_recorder *r, hg_import_kind kind, const char *file, const char *text,
        size_t len, hg_diags *d);

/* What hg_history_import did with one input. */
typedef struct hg_import_result {
	hg_record_result rec; /* the run recorded (rec.run 0: none; rec.again: recorded before) */
	unsigned shard, count; /* a fleet shard's result: shard I of count N (count 0: not one) */
	unsigned waiting;     /* its night waits for this many more shards (nothing recorded yet) */
	char date[11];        /* the night it was recorded or staged for */
} hg_import_result;

/*
 * `hinagata history import` of one input (text[0..len), read from file):
 * recognised (hg_import_detect), read, and recorded in one transaction,
 * once however often imported (the same bytes again: warning HG7108).
 * o gives the source-independent options: the date (NULL: a drift
 * report's own "date", else fallback_date), the label, the rule data.
 *
 * A fleet shard's drift report (its "shard" count above 1) is kept in the
 * store until every shard of its night (date, ref, count) is there; the
 * last one to arrive records them all as one drift run, the run one
 * unsharded night makes: the listings of every shard resolve unmanaged
 * resources, and a template that one shard could not match (NOT_CHECKED,
 * deployed in none of its accounts) is kept only when no shard matched it,
 * once. A later result of a shard whose night waits replaces the earlier;
 * one of a night recorded already records nothing (HG7108 for the same
 * bytes, HG7112 for others): a shard imported or run twice counts once.
 * A night still waiting when a later night of drift is recorded is
 * recorded first, with the shards that came (HG7113).
 *
 * text, file and o are borrowed (what waits is copied into the store); res
 * is filled (zeroed on failure).
 *
 * Returns 0; HG_EINVALID (the input: HG7001, HG7106, HG7107; HG7105 a run
 * dated before the newest of its source); HG_EIO (the store).
 */
int hg_history_import(hg_history *h, const hg_record_options *o, const char *fallback_date,
        const char *file, const char *text, size_t len, hg_import_result *res, hg_diags *d);

/* ---- queries ---- */

/* A score: 100 x weighted passed / weighted evaluated (docs/history.md). */
typedef struct hg_score {
	double value;                     /* percent; valid when has */
	bool has;                         /* false: no data */
	size_t passed, failed, unknown;   /* control checks */
	double wpassed, wfailed, wunknown; /* their weights */
} hg_score;

/* The weight of a severity in the score (critical 8, high 4, medium 2, low 1, other 1). */
double hg_severity_weight(const char *severity);
/* Rank for sorting: critical 0 ... none 5. */
int hg_severity_rank(const char *severity);

typedef struct hg_hfinding {
	const char *key, *source, *kind, *status;
	const char *severity, *account, *region, *resource, *type, *unit;
	const char *control, *aspect, *controls, *title, *detail;
	const char *first_seen, *last_seen, *status_date;
	const char *reason, *expires; /* its suppression, when suppressed */
	const char *date;             /* the event's date (opened, resolved lists) */
	int64_t seen;
	int rank;                     /* hg_severity_rank(severity), for sorting */
} hg_hfinding;

typedef struct hg_hrun {
	int64_t id;
	const char *source, *date, *ref, *label, *tool;
	int64_t accounts, units, resources, checked, properties, properties_checked;
	int64_t counts[HG_DS__COUNT];
	int64_t observed, opened, resolved, suppressed;
} hg_hrun;

typedef struct hg_hnight {
	const char *date;
	hg_score score;
	int64_t resources, checked, properties, properties_checked; /* drift coverage */
} hg_hnight;

typedef struct hg_hmonth_score {
	char month[8]; /* YYYY-MM */
	hg_score score;
} hg_hmonth_score;

typedef struct hg_haccount {
	const char *account;
	hg_score score;
	int64_t open, suppressed;    /* findings at the end of the month */
	int64_t resources, checked;  /* drift coverage on its last night */
	const char *last;            /* its last night in the month */
} hg_haccount;

typedef struct hg_hcontrol {
	const char *source, *control, *severity;
	const char *title; /* a cloud's title of it, or NULL (the catalog's come from the report) */
	hg_score score; /* passed/failed/unknown count accounts */
	int64_t open;   /* findings of it open at the end of the month */
} hg_hcontrol;

typedef struct hg_htemplate {
	const char *account, *name, *version, *newest;
	bool mandatory, current; /* current: the newest known */
} hg_htemplate;

#define HG_TREND_MONTHS 12

/* What the monthly report says (hg_history_month). */
typedef struct hg_month {
	hg_arena *a;
	char month[8], from[11], to[11], previous[8];
	hg_score score, previous_score;        /* at the end of the month (and the one before) */
	hg_hmonth_score trend[HG_TREND_MONTHS]; /* the past months, oldest first, this one last */
	hg_hnight *nights;                     /* nights recorded in the month, in order */
	size_t nnights;
	hg_hrun *runs;
	size_t nruns;
	hg_haccount *accounts;
	size_t naccounts;
	hg_hcontrol *controls; /* failed first, then by severity, source, control */
	size_t ncontrols;
	/* findings: opened (new or reopened) and resolved in the month, open and
	 * suppressed at its end; each by severity, then date, account, resource */
	hg_hfinding *opened, *resolved, *open, *suppressed;
	size_t nopened, nresolved, nopen, nsuppressed;
	size_t nnew, nreopened;
	size_t drift_by_severity[HG_CSEV__COUNT]; /* drift findings open at the end */
	struct hg_hdrift_control {
		const char *control; /* NULL: resources without a control */
		size_t count;
	} *drift_by_control;
	size_t ndrift_by_control;
	hg_hnight coverage; /* the last night with a drift run */
	hg_htemplate *templates;
	size_t ntemplates;
	size_t sources[HG_SRC__COUNT]; /* runs by source */
} hg_month;

/*
 * The month (YYYY-MM) of h. Returns 0; HG_EIO (HG7109 when nothing was
 * recorded in it; store errors). Free with hg_month_free.
 */
int hg_history_month(hg_month **out, hg_history *h, const char *month, hg_diags *d);
void hg_month_free(hg_month *m);
/* The month of the newest run ("" when none) into out. */
int hg_history_last_month(char out[8], hg_history *h, hg_diags *d);

/*
 * A deployment: the night a stack or deployment (unit) was first seen with
 * another deployed template than the night before (three-way drift
 * records the deployed template's hash per unit, run_unit.deployed_hash).
 */
typedef struct hg_hdeploy {
	const char *account, *region, *unit;
	const char *date;          /* the first night the template was seen */
	int64_t run;               /* that night's run */
	const char *hash;          /* hinagata's hash of the template's canonical JSON */
	const char *template_hash; /* Azure's templateHash, or NULL */
	const char *previous;      /* the hash before, or NULL: the first one recorded */
} hg_hdeploy;

/* The deployments seen in month ("" or NULL: all), by account, region, unit and date. */
int hg_history_deployments(hg_hdeploy **out, size_t *n, hg_arena *a, hg_history *h,
        const char *month, hg_diags *d);

/* Runs, oldest first; source NULL for all, month "" or NULL for all. */
int hg_history_runs(hg_hrun **out, size_t *n, hg_arena *a, hg_history *h, const char *month,
        hg_diags *d);

/* A finding's timeline: the finding and its events (status, date, run, source). */
typedef struct hg_hevent {
	int64_t run;
	const char *date, *status, *reason, *expires, *ref;
} hg_hevent;

/*
 * The finding whose key starts with prefix (at least 4 hex digits), and its
 * events, oldest first. Returns 0; HG_ENOTFOUND after HG7110 or HG7111.
 */
int hg_history_timeline(hg_hfinding *f, hg_hevent **events, size_t *n, hg_arena *a,
        hg_history *h, const char *prefix, hg_diags *d);

/* Every finding (its current state), for the CSV export; status < 0: any. */
int hg_history_findings(hg_hfinding **out, size_t *n, hg_arena *a, hg_history *h, int status,
        hg_diags *d);

/* What hg_history_prune removed. */
typedef struct hg_prune_result {
	int64_t runs, events, findings;
} hg_prune_result;

/*
 * Remove the runs dated before `before` (YYYY-MM-DD), their events and
 * control statuses, and the findings resolved before it that have no event
 * left; in one transaction. Open findings stay, whenever first seen.
 */
int hg_history_prune(hg_history *h, const char *before, hg_prune_result *res, hg_diags *d);

/* Is s a date YYYY-MM-DD (a real day) / a month YYYY-MM? */
bool hg_is_date(const char *s);
bool hg_is_month(const char *s);

#ifdef __cplusplus
}
#endif
#endif
