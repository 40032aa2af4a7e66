/*
 * drift.h: the public interface of the hinagata drift engine.
 * Part of hinagata; see LICENSE.
 *
 * Desired state: templates (hinagata sources, compiled on the fly, or
 * compiled CloudFormation/ARM JSON), from files or from a git revision.
 * Deployed state: the JSON the clouds' CLIs print, one state unit (an
 * account and region, a subscription) per --state directory. The stages,
 * one file each (docs/drift.md draws them):
 *
 *   state (exports -> deployed records)     desired (templates)
 *          \                                   /
 *           match (templates to stacks, per unit)
 *                          |
 *   resolve_cfn / resolve_arm (template + context -> desired resources)
 *                          |
 *   compare (canon, hash, diff) -> judge (controls) -> report sink
 *
 * run.c drives them over threads and hands the results, in one order that
 * does not depend on the scheduling, to a sink (report/ writes them).
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

/* ORDER STATUS (names: hg_drift_status_name) */
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

/*
 * Three-way drift, when the template a stack was deployed with is known
 * (aws cloudformation get-template, az deployment group|sub export): who
 * made a difference between git and the cloud. ORDER CHANGE (names:
 * hg_change_name)
 */
typedef enum hg_change {
	HG_CH_NONE,    /* no deployed template: git against the cloud only */
	HG_CH_DRIFT,   /* the cloud changed against what was deployed */
	HG_CH_PENDING, /* merged in git, not yet deployed: the cloud is as deployed */
	HG_CH_BOTH,    /* git changed it, and the cloud changed it against what was deployed */
} hg_change;

/* NULL for NONE, "drift", "pending", "both" */
const char *hg_change_name(hg_change c);

/* ORDER SEVERITY: the catalog's severities, highest first; NONE: no control. */
typedef enum hg_csev {
	HG_CSEV_CRITICAL,
	HG_CSEV_HIGH,
	HG_CSEV_MEDIUM,
	HG_CSEV_LOW,
	HG_CSEV_NONE,
	HG_CSEV__COUNT
} hg_csev;

const char *hg_csev_name(hg_csev s); /* "critical" ... "none" */
hg_csev hg_csev_parse(const char *s); /* HG_CSEV_NONE when unknown or NULL */

typedef struct hg_prop_diff {
	char *path;     /* JSON pointer into the resource's properties */
	char *expected; /* canonical JSON text, NULL for ADD; "****" when masked */
	char *actual;   /* canonical JSON text, NULL for REMOVE; "****" when masked */
	hg_diff_kind kind;
	bool locked;    /* a locked setting (Metadata.hinagata.locked) */
	bool ignored;   /* matched an ignore rule (and was allowed to) */
	char *ignore_reason;
	hg_change change; /* three-way: drift, pending or both (NONE without a deployed template) */
	char *ignore_expires; /* the rule's expiry date, or NULL */
} hg_prop_diff;

/*
 * A control a resource breaks, found by the profile's control rules (the
 * engine `check` uses) on the deployed value (deployed) or on the
 * template's own value (template: a committed template that breaks a rule).
 */
typedef struct hg_violation {
	char *control;  /* catalog ID: "GC-AWS-NET-01" */
	char *severity; /* the catalog's severity, or NULL */
	char *message;  /* the rule's finding, bilingual (HG_BI) */
	bool deployed;  /* on the deployed value (else the template's) */
} hg_violation;

typedef struct hg_drift_result {
	char *account, *region; /* the state unit: account or subscription, region ("" unknown) */
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
	size_t props_compared, props_total; /* property coverage of this resource */
	char expected_hash[17], actual_hash[17];
	bool mandatory;    /* from a mandatory template */
	char **controls;   /* the controls the resource implements (catalog IDs) */
	size_t ncontrols;
	hg_violation *violations; /* controls it breaks (see hg_violation) */
	size_t nviolations;
	char *severity;    /* the highest severity of its controls and violations */
	bool ignored;      /* the whole resource matched an ignore rule */
	char *ignore_reason;
	char *ignore_expires; /* the rule's expiry date, or NULL */
	char *source_file; /* where the resource is declared (or the export), for reports */
	unsigned source_line;
	hg_change change;  /* three-way: of its differences together (all pending: PENDING; all
	                      drift: DRIFT; else BOTH); a resource added in git and not deployed
	                      (DELETED) or removed in git and still deployed (UNMANAGED) is PENDING */
} hg_drift_result;

/* The template a stack or deployment was deployed with (three-way drift). */
typedef struct hg_deployed_template {
	char *account, *region, *unit; /* the unit and the stack or deployment */
	char hash[17];                 /* XXH3 of the template's canonical JSON, hex */
	char *template_hash;           /* ARM: the deployment's templateHash (Azure's own), or NULL */
	bool current;                  /* the same template as the desired one (canonical JSON) */
} hg_deployed_template;

typedef struct hg_expired_rule {
	char *file;
	unsigned line;
	char *reason;
	char *expires;
} hg_expired_rule;

/* What a report says before its results. */
typedef struct hg_drift_meta {
	const char *ref;   /* the git revision of the desired state, or NULL */
	const char *today; /* the date ignore rules were judged against (YYYY-MM-DD) */
	unsigned shard_index, shard_count; /* the shard run (0-based), count 0: not sharded */
	size_t units_read; /* units read, in every shard (the shard's own: the summary's units) */
} hg_drift_meta;

/* The totals of a run (counts of what was sent to the sink). */
typedef struct hg_drift_summary {
	size_t counts[HG_DS__COUNT];
	size_t checked, total;             /* resources compared / all resources */
	size_t props_checked, props_total; /* properties compared / all declared */
	size_t drift_by_severity[HG_CSEV__COUNT]; /* resources whose drift counts */
	size_t suppressed;  /* resources whose every difference an ignore rule covers */
	size_t partial;     /* resources with properties that could not be compared */
	size_t violations;  /* controls broken (on deployed or template values) */
	size_t units;       /* state units read */
	size_t cache_hits;  /* resources judged from the cache (--cache) */
	size_t pending;     /* resources whose every difference is pending (not yet deployed) */
	bool drift;         /* some drift counts (not ignored) */
	bool complete;      /* the report was ended: every result went to the sink */
	hg_expired_rule *expired;
	size_t nexpired;
	hg_deployed_template *deployed; /* per stack with a deployed template, in report order */
	size_t ndeployed;
	/* What the listings of the run covered (hg_drift_cover_has); owned. */
	struct hg_drift_cover *cover;
} hg_drift_summary;

/*
 * Where results go, in their final order (account, region, stack, logical
 * ID; each unit's unmanaged resources after its stacks). begin is called
 * once, then block for each group of results (one stack or deployment of
 * one unit, or a unit's unmanaged resources; the results are borrowed for
 * the call), then end. A negative return stops the run with that code.
 */
typedef struct hg_drift_sink {
	int (*begin)(void *payload, const hg_drift_meta *meta);
	int (*block)(void *payload, const hg_drift_result *results, size_t n);
	int (*end)(void *payload, const hg_drift_summary *summary);
	void *payload;
} hg_drift_sink;

/* Progress of a run, for a terminal: done of total steps of a phase. */
typedef void (*hg_drift_progress_cb)(const char *phase, size_t done, size_t total, void *payload);

typedef struct hg_drift_options {
	unsigned version;
	const char *repo;        /* a git repository, or NULL: plain files */
	const char *ref;         /* revision (default HEAD) */
	const char *const *templates; /* "PATH" or "PATH=STACK" */
	size_t ntemplates;
	const char *const *states; /* directories (each a unit; subdirectories too) or files */
	size_t nstates;
	const char *ignore_file; /* .hinagataignore, or NULL */
	const char *today;       /* YYYY-MM-DD for ignore expiry (default: the date) */
	/* for compiling hinagata sources and reading the catalog and profiles */
	const char *const *template_dirs;
	size_t ntemplate_dirs;
	const char *bundled_dir;
	const char *schema_dir;
	const char *cache_file; /* verdicts of earlier runs (read and rewritten), or NULL */
	size_t max_record;      /* bytes of one export record (0: 64 MiB) */
	bool keep_in_sync;      /* send in-sync resources without notes to the sink too */
	unsigned threads;       /* worker threads (0: one per core) */
	unsigned min_coverage;  /* percent of resources that must be compared (0: any, but one) */
	hg_drift_progress_cb progress;
	void *progress_payload;
	/* One shard of a fleet's run (common/shard.h): only the units whose key
	 * (account/region, or subscription) falls in shard_index (0-based) of
	 * shard_count are compared. shard_count 0 or 1: every unit. */
	unsigned shard_index, shard_count;
} hg_drift_options;

#define HG_DRIFT_OPTIONS_VERSION 2
#define HG_DRIFT_OPTIONS_INIT {HG_DRIFT_OPTIONS_VERSION}

/*
 * Compare the desired state with the deployed state, sending the results
 * to sink. *summary_out (may be NULL) gets the totals (new; free with
 * hg_drift_summary_free). Returns 0; HG_EINVALID when an input is broken
 * (diagnostics in d: a template that does not compile, a malformed
 * export); HG_EIO when a file or the repository cannot be read, when
 * nothing at all could be compared, or less than min_coverage; or the
 * sink's negative return.
 */
int hg_drift_run_sink(const hg_drift_options *opts, const hg_drift_sink *sink,
        hg_drift_summary **summary_out, hg_diags *d);
void hg_drift_summary_free(hg_drift_summary *s);

/* Every result of a run, kept (for tests and small runs). */
typedef struct hg_drift_report {
	hg_drift_result *results; /* in the sink's order */
	size_t n, cap;
	hg_drift_summary *summary;
	char *ref, *today;
	hg_arena *arena; /* owns every string and array of the results */
} hg_drift_report;

/* hg_drift_run_sink into a report (new; free with hg_drift_report_free). */
int hg_drift_run(hg_drift_report **out, const hg_drift_options *opts, hg_diags *d);
void hg_drift_report_free(hg_drift_report *r);

/*
 * What a run's listings covered (AWS list-resources by type, Azure az
 * listings by scope and type): only there does a resource that no longer
 * appears mean it is gone. The history store resolves the findings of a
 * resource in no template on it.
 */
typedef struct hg_drift_cover hg_drift_cover;

/* One unit's listings in a cover (borrowed from it, or given to hg_drift_cover_add). */
typedef struct hg_drift_listed {
	const char *account, *region; /* region: "" for Azure */
	bool azure;
	const char *const *types;     /* AWS: the types a list-resources export covered */
	size_t ntypes;
	const char *const *scopes;    /* Azure, lower case: "SCOPE" (az resource list of a group:
	                                 its top-level resources), "SCOPE\x1fTYPE" (the resources of
	                                 TYPE right at SCOPE), "SCOPE\x1fTYPE\x1f*" (and under it) */
	size_t nscopes;
	const char *const *unlisted;  /* Azure: type prefixes az resource list never prints (rules) */
	size_t nunlisted;
} hg_drift_listed;

/* A copy of s's (new; free with hg_drift_cover_free), or NULL when s has none. */
hg_drift_cover *hg_drift_cover_copy(const hg_drift_summary *s);
/* An empty cover (new), to which units' listings are added (copied). */
hg_drift_cover *hg_drift_cover_new(void);
void hg_drift_cover_add(hg_drift_cover *c, const hg_drift_listed *u);
/* Its units (0 for NULL), and unit i's listings (borrowed from c). */
size_t hg_drift_cover_count(const hg_drift_cover *c);
void hg_drift_cover_unit(const hg_drift_cover *c, size_t i, hg_drift_listed *out);
void hg_drift_cover_free(hg_drift_cover *c);
/* Would the run's listings have listed the resource type of identity (a
 * physical ID, an Azure resource ID) in account (and, AWS, region)? */
bool hg_drift_cover_has(const hg_drift_cover *c, const char *account, const char *region,
        const char *type, const char *identity);

/* Does this result count as drift (not ignored)? */
bool hg_drift_result_counts(const hg_drift_result *x);

/* The exit status of a run: 0 clean, 1 drift (or, strict, anything not checked). */
bool hg_drift_found(const hg_drift_summary *s, bool strict);

/* A deep copy of x into a (every string and array). */
void hg_drift_result_copy(hg_arena *a, hg_drift_result *out, const hg_drift_result *x);

#ifdef __cplusplus
}
#endif
#endif
