/*
 * tdiff.h: the public interface of hinagata's template diff: what changes
 * between two versions of a CloudFormation or ARM template, per resource.
 * Part of hinagata; see LICENSE.
 *
 * The stages, one file each, around one model (below):
 *
 *   side.c     a file, a template version of the search path, or text
 *              -> one side: CloudFormation or ARM, its resources by key
 *              (hinagata sources compiled; YAML with short-form tags read)
 *   engine.c   two sides -> the differences: resources added, removed,
 *              modified, with property paths, old and new values, whether
 *              a change replaces the resource, what it holds, locks and
 *              controls touched
 *   revs.c     two git revisions -> the pairs of templates to compare
 *
 * report/tdiff.c writes the result (text, JSON, Markdown). Nothing here
 * prints. Ownership: a hg_tdiff and everything it points to live in its
 * arena and go with hg_tdiff_free; strings passed in are copied.
 */
#ifndef HG_TDIFF_H
#define HG_TDIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/arena.h"
#include "../common/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ORDER TCHANGE (names: hg_tchange_name) */
typedef enum hg_tchange { HG_TC_ADDED, HG_TC_REMOVED, HG_TC_MODIFIED } hg_tchange;

/* "added", "removed", "modified" */
const char *hg_tchange_name(hg_tchange c);

/* Does a modified resource get replaced? ORDER TREPL (names: hg_trepl_name) */
typedef enum hg_trepl {
	HG_TR_NO,      /* updated in place */
	HG_TR_YES,     /* a new resource is created and the old one deleted (or kept: keeps) */
	HG_TR_MAYBE,   /* replaced if the service cannot make the change in place
	                  (conditionalCreateOnlyProperties: an engine downgrade, ...) */
	HG_TR_UNKNOWN, /* a type without a schema (custom, third-party): cannot be told */
} hg_trepl;

/* "no", "yes", "maybe", "unknown" */
const char *hg_trepl_name(hg_trepl r);

/* One property (or resource attribute) that differs. */
typedef struct hg_tprop {
	const char *path;   /* JSON pointer into the resource: "/Properties/BucketName", "/location" */
	hg_tchange change;  /* added, removed or modified at this path */
	const char *before; /* canonical JSON text; NULL when added; "****" when masked */
	const char *after;  /* canonical JSON text; NULL when removed; "****" when masked */
	hg_trepl replaces;  /* this change replaces the resource (YES), may (MAYBE), or not (NO) */
	bool locked;        /* a locked setting of a mandatory template (on either side) */
} hg_tprop;

/* One resource that differs. */
typedef struct hg_tres {
	const char *id;       /* CloudFormation logical ID; ARM symbolic name, or "type/name" as
	                         written, nested deployments and parents first, joined by " > " */
	const char *type;     /* its type (the old one when removed) */
	const char *old_type; /* the old type when the type changed, else NULL */
	hg_tchange change;
	hg_trepl replace;     /* modified: whether it is replaced */
	const char *holds;    /* what it holds when it holds data, bilingual ("bucket\x1fバケット",
	                         HG_BI), else NULL */
	const char *keeps;    /* "retain" or "snapshot": its policy keeps the old resource (or a
	                         snapshot) when it is replaced or removed; NULL: nothing is kept */
	bool at_risk;         /* holds data that the change deletes (replaced or removed, nothing
	                         kept; ARM: a location change) */
	bool mandatory;       /* from a mandatory template (on either side) */
	const char *template_name;          /* the hinagata template it comes from, or NULL */
	const char *old_version, *new_version; /* that template's version on each side */
	const char **controls; /* the controls it implements (either side), sorted */
	size_t ncontrols;
	bool locked;          /* some change is to a locked setting */
	hg_tprop *props;      /* modified: what differs, in path order */
	size_t nprops;
} hg_tres;

/* A change outside the resources: Parameters, Outputs, Conditions, Mappings (ARM: variables ...). */
typedef struct hg_tother {
	const char *section; /* as written: "Parameters", "outputs", ... */
	const char *name;
	hg_tchange change;
	const char *before, *after; /* canonical JSON text (NULL when absent; "****" masked) */
} hg_tother;

/* A template the compiled output says it was made from, at another version. */
typedef struct hg_tversion {
	const char *template_name;
	const char *before, *after; /* NULL when not used on that side */
	bool mandatory;
} hg_tversion;

/* One template compared with another. */
typedef struct hg_tpair {
	const char *before, *after; /* display names; NULL: no such template on that side */
	bool arm;                   /* ARM (else CloudFormation) */
	hg_tversion *versions;      /* templates used at another version, by name */
	size_t nversions;
	hg_tres *res; /* by id */
	size_t nres;
	hg_tother *other; /* by section and name */
	size_t nother;
	/* counts of res: */
	size_t added, removed, modified, replaced, at_risk, locked;
} hg_tpair;

/* The result: one pair, or every template of two revisions. */
typedef struct hg_tdiff {
	const char *before, *after; /* what was compared, as given */
	hg_tpair *pairs;            /* in path order; pairs without a difference are left out */
	size_t npairs;
	size_t compared;            /* templates compared (with or without differences) */
	size_t cappairs;            /* (room in pairs) */
	hg_arena *a;                /* owns everything */
} hg_tdiff;

typedef struct hg_tdiff_options {
	unsigned version;
	/* for compiling hinagata sources and finding TEMPLATE@VERSION */
	const char *const *template_dirs;
	size_t ntemplate_dirs;
	const char *bundled_dir;
	const char *schema_dir; /* schemas/: aws/ (createOnlyProperties), diff/, drift/ */
	const char *const *exclude; /* paths under the template dirs that are not searched */
	size_t nexclude;            /* (hg_path_excluded) */
	/* revisions: only the files at or under these paths (none: all) */
	const char *const *paths;
	size_t npaths;
} hg_tdiff_options;

#define HG_TDIFF_OPTIONS_VERSION 1
#define HG_TDIFF_OPTIONS_INIT {HG_TDIFF_OPTIONS_VERSION, NULL, 0, NULL, NULL, NULL, 0, NULL, 0}

/*
 * Compare two templates. Each of before and after is a file (CloudFormation
 * or ARM, JSON or YAML, compiled or hand-written, or a hinagata source,
 * compiled in memory) or TEMPLATE@VERSION, a template of the search path at
 * that version (compiled). *out is new (hg_tdiff_free). Returns 0; HG_EIO
 * (a file cannot be read), HG_ENOTFOUND (no such template version) or
 * HG_EINVALID (not a template, kinds that differ, a source that does not
 * compile), with diagnostics in d, and *out NULL.
 */
int hg_tdiff_files(hg_tdiff **out, const char *before, const char *after,
        const hg_tdiff_options *o, hg_diags *d);

/*
 * The same for two texts (CloudFormation or ARM JSON, or YAML); the names
 * are shown. For compiled output against what its source compiles to now.
 */
int hg_tdiff_texts(hg_tdiff **out, const char *before_name, const char *before, size_t before_len,
        const char *after_name, const char *after, size_t after_len, const hg_tdiff_options *o,
        hg_diags *d);

/*
 * Every template of two revisions of the git repository at repo (read with
 * libgit2, no checkout): hinagata sources compiled with that revision's
 * templates on the search path (compiled output of a source there is left
 * out: the source says it), CloudFormation and ARM templates as they are.
 * Templates are paired by path; one only on one side is all added or all
 * removed. Returns as hg_tdiff_files.
 */
int hg_tdiff_revisions(hg_tdiff **out, const char *repo, const char *before, const char *after,
        const hg_tdiff_options *o, hg_diags *d);

void hg_tdiff_free(hg_tdiff *t);

/* Is there any difference? */
bool hg_tdiff_any(const hg_tdiff *t);

/* ---- the impact of a template's new version on the systems that use it (impact.c) ---- */

/* ORDER USTATUS (names: hg_ustatus_name) */
typedef enum hg_ustatus {
	HG_US_CURRENT,      /* already on the new version: nothing changes */
	HG_US_ADMITTED,     /* its range admits the new version: the next compile takes it */
	HG_US_NOT_ADMITTED, /* its range does not admit the new version: update moves the range */
	HG_US_FAILS,        /* does not compile with the new version (error says why) */
} hg_ustatus;

/* "current", "admitted", "not-admitted", "fails" */
const char *hg_ustatus_name(hg_ustatus s);

/* One use of the template by one system template. */
typedef struct hg_uuse {
	const char *file;    /* the system template's source */
	const char *system;  /* its template name */
	const char *alias;   /* the use's name */
	unsigned line, col;  /* of its version range (or of the use, without one) */
	const char *range;   /* as written; NULL: any version */
	const char *from;    /* the version it is on: its committed output's, else the newest
	                        its range admits before the new one */
	const char *to;      /* the new version */
	hg_ustatus status;
	const char *error;   /* FAILS: the first error, bilingual (HG_BI) */
	const char *output;  /* its committed compiled output, or NULL */
	const char *new_range; /* what update writes (NULL: nothing to write) */
	hg_tdiff *diff;      /* what changes in its compiled output, from -> to, or NULL */
	size_t range_offset, range_length; /* the range's bytes in the file, quotes included
	                                      (0, 0: not found as a plain value) */
} hg_uuse;

/* One template that has a newer version than some system uses. */
typedef struct hg_uupdate {
	const char *template_name;
	const char *to;        /* the version the systems move to */
	bool mandatory;
	const char *changes;   /* what that version changed, bilingual (HG_BI), or NULL */
	const char **versions; /* every version on the search path, lowest first */
	size_t nversions;
	hg_uuse *uses;         /* by file, then alias */
	size_t nuses;
} hg_uupdate;

typedef struct hg_impact {
	hg_uupdate *t; /* by template name */
	size_t n;
	size_t sources; /* system templates read */
	size_t written; /* files update wrote (hg_update_apply) */
	hg_arena *a;    /* owns everything but the diffs (freed by hg_impact_free) */
} hg_impact;

typedef struct hg_update_options {
	unsigned version;
	const char *const *paths;     /* system templates: files or directories (none: .) */
	size_t npaths;
	const char *const *templates; /* the templates to update; none: every mandatory template used */
	size_t ntemplates;
	const char *to;               /* the version to move to (one template); NULL: the newest */
	const char *const *template_dirs; /* the search path, as for compiling */
	size_t ntemplate_dirs;
	const char *bundled_dir;
	const char *schema_dir;
	const char *const *exclude;   /* paths under a directory walked that are left out */
	size_t nexclude;
} hg_update_options;

#define HG_UPDATE_OPTIONS_VERSION 1
#define HG_UPDATE_OPTIONS_INIT {HG_UPDATE_OPTIONS_VERSION, NULL, 0, NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, 0}

/*
 * What a new version of each template (o->templates, or every mandatory
 * template the systems use) changes for every system template under
 * o->paths that uses it: whether its range admits the new version, and the
 * diff of its compiled output from the version it is on to the new one.
 * *out is new (hg_impact_free). Returns 0; HG_ENOTFOUND (a template or
 * version not on the search path: HG8104) or HG_EIO after a diagnostic.
 */
int hg_update_impact(hg_impact **out, const hg_update_options *o, hg_diags *d);

/*
 * Move every use of im that is not on the new version there: its range in
 * the source rewritten in place (the rest of the file untouched; a range
 * not written as a plain value is left, warning HG8106), then each system
 * changed recompiled into its committed output (found next to the sources,
 * as check finds it) and, with outdir, into outdir/NAME.json. Every file is
 * written atomically. Returns 0, or HG_EINVALID / HG_EIO after a diagnostic
 * (a system that does not compile any more is not written).
 */
int hg_update_apply(hg_impact *im, const char *outdir, const hg_update_options *o, hg_diags *d);

void hg_impact_free(hg_impact *im);

#ifdef __cplusplus
}
#endif
#endif
