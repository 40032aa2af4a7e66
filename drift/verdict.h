/*
 * verdict.h: the comparison stage: a desired resource and its deployed
 * record -> a result (drift.h); a unit's records no template claimed ->
 * UNMANAGED results.
 * Part of hinagata; see LICENSE.
 *
 * For each resource: read its record back, compare (compare.h: canonical
 * forms, hashes, diff), count what was compared (a resource of which
 * nothing could be compared is NOT_CHECKED, never IN_SYNC), judge it
 * against the controls (judge.h); then, for the whole block, apply the
 * ignore rules and keep each result, or only count it (in sync, nothing to
 * say). The cache (cache.h) remembers a block between the two.
 */
#ifndef HG_DRIFT_VERDICT_H
#define HG_DRIFT_VERDICT_H

#include "canon.h"
#include "desired.h"
#include "ignore.h"
#include "judge.h"
#include "model.h"
#include "readback.h"
#include "state.h"

/* The results of one work item, in order, with the totals of all of them. */
typedef struct hg_block {
	hg_arena *a; /* owns the results' strings */
	hg_drift_result *res;
	size_t n, cap;
	hg_drift_summary sum; /* counts of every result, kept or only counted */
} hg_block;

typedef struct hg_verdict_ctx {
	hg_arena *work;        /* scratch, reset for every resource */
	hg_canon *canon;       /* this thread's */
	const hg_judge *judge;
	hg_ignore *ignore;     /* NULL: no ignore file */
	hg_fdcache *fc;
	hg_diags *d;
	bool keep_in_sync;     /* keep in-sync results that have nothing to say */
	bool want_hashes;      /* hash resources in sync too (kept, or cached) */
	const hg_dset *deployed; /* the stack's deployed template resolved in the same context
	                            (deployed.h), or NULL: each difference is told apart as drift,
	                            pending or both (three-way) only with it */
	int rc;                /* out: HG_EIO / HG_EINVALID when a record could not be read */
	/* verdict.c's own: the strings every result of the block repeats (account,
	 * unit, source, ...), each kept in the block once while its source is the
	 * same (the sources outlive the block's work item; zeroed with the rest) */
	const hg_block *shared_in;
	const hg_arena *shared_arena;
	const char *shared_src[6];
	char *shared[6];
} hg_verdict_ctx;

/*
 * The results of the desired resources of set (t in u; u may be NULL), into
 * b; with c->deployed, also the resources the deployed template has and the
 * desired one no longer does (removed in git, not yet deployed).
 */
void hg_verdict_set(hg_verdict_ctx *c, hg_block *b, const hg_tmpl *t, hg_unit *u, const hg_dset *set);

/* u's records that no template claimed (cloud-made defaults excepted), into b. */
void hg_verdict_unmanaged(hg_verdict_ctx *c, hg_block *b, hg_unit *u);

/*
 * The last step of a block: ignore rules applied, every result counted in
 * b->sum, and those in sync with nothing to say dropped unless kept.
 */
void hg_verdict_finish(hg_verdict_ctx *c, hg_block *b);

/* Add one result to the totals. */
void hg_summary_add(hg_drift_summary *s, const hg_drift_result *x);
/* Add the totals b to a. */
void hg_summary_merge(hg_drift_summary *a, const hg_drift_summary *b);

#endif
