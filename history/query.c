/*
 * query.c: reading the history: runs, a finding's timeline, every finding,
 * and pruning (see history.h; the month is month.c).
 * Part of hinagata; see LICENSE.
 *
 * Reads run in one read transaction, so a recording that commits meanwhile
 * is seen whole or not at all (WAL readers see one snapshot).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "store.h"

static const char *col(hg_db_stmt *s, hg_arena *a, int i)
{
	const char *v = hg_db_col_text(s, i);
	return v ? hg_arena_strdup(a, v) : NULL;
}

/* A run row of RUNS_IN. */
static void run_row(hg_hrun *r, hg_db_stmt *s, hg_arena *a)
{
	int k;
	memset(r, 0, sizeof(*r));
	r->id = hg_db_col_int(s, 0);
	r->source = col(s, a, 1);
	r->date = col(s, a, 2);
	r->ref = col(s, a, 3);
	r->label = col(s, a, 4);
	r->tool = col(s, a, 5);
	r->accounts = hg_db_col_int(s, 6);
	r->units = hg_db_col_int(s, 7);
	r->resources = hg_db_col_int(s, 8);
	r->checked = hg_db_col_int(s, 9);
	r->properties = hg_db_col_int(s, 10);
	r->properties_checked = hg_db_col_int(s, 11);
	for (k = 0; k < HG_DS__COUNT; k++)
		r->counts[k] = hg_db_col_int(s, 12 + k);
	r->observed = hg_db_col_int(s, 17);
	r->opened = hg_db_col_int(s, 18);
	r->resolved = hg_db_col_int(s, 19);
	r->suppressed = hg_db_col_int(s, 20);
}

int hg_history__runs_between(hg_hrun **out, size_t *n, hg_arena *a, hg_history *h,
        const char *from, const char *to, hg_diags *d)
{
	hg_db_stmt *s = hg_store_stmt(h, HG_SQL_RUNS_IN, d);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!s)
		return HG_EIO;
	hg_db_bind_text(s, 1, from);
	hg_db_bind_text(s, 2, to);
	while ((rc = hg_db_step(s, d)) > 0) {
		HG_AGROW(a, *out, cap, *n + 1);
		run_row(&(*out)[(*n)++], s, a);
	}
	hg_db_reset(s);
	return rc;
}

int hg_history_runs(hg_hrun **out, size_t *n, hg_arena *a, hg_history *h, const char *month,
        hg_diags *d)
{
	char from[11] = "0000-00-00", to[11] = "9999-99-99";
	int rc;

	if (month && *month) {
		snprintf(from, sizeof(from), "%.7s-00", month);
		snprintf(to, sizeof(to), "%.7s-99", month);
	}
	if ((rc = hg_store_begin(h, false, d)) < 0)
		return rc;
	rc = hg_history__runs_between(out, n, a, h, from, to, d);
	hg_store_rollback(h);
	return rc;
}

int hg_history_deployments(hg_hdeploy **out, size_t *n, hg_arena *a, hg_history *h,
        const char *month, hg_diags *d)
{
	char from[11] = "0000-00-00", to[11] = "9999-99-99";
	hg_buf last = HG_BUF_INIT, hash = HG_BUF_INIT; /* the unit and hash of the row before */
	hg_db_stmt *s;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (month && *month) {
		snprintf(from, sizeof(from), "%.7s-00", month);
		snprintf(to, sizeof(to), "%.7s-99", month);
	}
	if ((rc = hg_store_begin(h, false, d)) < 0)
		return rc;
	if (!(s = hg_store_stmt(h, HG_SQL_DEPLOYED_UNTIL, d))) {
		hg_store_rollback(h);
		return HG_EIO;
	}
	/* Every night each unit had a deployed template up to the month's end, in order:
	 * a deployment is a hash other than the night before's (the first one too). */
	hg_db_bind_text(s, 1, to);
	while ((rc = hg_db_step(s, d)) > 0) {
		const char *acc = hg_db_col_text(s, 0), *reg = hg_db_col_text(s, 1);
		const char *unit = hg_db_col_text(s, 2), *date = hg_db_col_text(s, 3);
		const char *hh = hg_db_col_text(s, 5), *before = hash.size ? hash.ptr : "";
		bool same_unit;
		hg_buf key = HG_BUF_INIT;
		hg_buf_printf(&key, "%s%c%s%c%s", acc ? acc : "", 0, reg ? reg : "", 0, unit ? unit : "");
		same_unit = last.size == key.size && memcmp(last.ptr, key.ptr, key.size) == 0;
		if ((!same_unit || strcmp(before, hh ? hh : "") != 0) && date && strcmp(date, from) >= 0) {
			hg_hdeploy *x;
			HG_AGROW(a, *out, cap, *n + 1);
			x = &(*out)[(*n)++];
			x->account = col(s, a, 0);
			x->region = col(s, a, 1);
			x->unit = col(s, a, 2);
			x->date = col(s, a, 3);
			x->run = hg_db_col_int(s, 4);
			x->hash = col(s, a, 5);
			x->template_hash = col(s, a, 6);
			x->previous = same_unit ? hg_arena_strdup(a, before) : NULL;
		}
		hg_buf_clear(&last);
		hg_buf_put(&last, key.ptr, key.size);
		hg_buf_clear(&hash);
		hg_buf_puts(&hash, hh ? hh : "");
		hg_buf_dispose(&key);
	}
	hg_db_reset(s);
	hg_store_rollback(h);
	hg_buf_dispose(&last);
	hg_buf_dispose(&hash);
	return rc;
}

/* A finding row (FINDING_BY_PREFIX, FINDINGS_ALL columns). */
void hg_history__finding_row(hg_hfinding *f, hg_db_stmt *s, hg_arena *a)
{
	memset(f, 0, sizeof(*f));
	f->key = col(s, a, 0);
	f->source = col(s, a, 1);
	f->kind = col(s, a, 2);
	f->status = col(s, a, 3);
	f->severity = col(s, a, 4);
	f->account = col(s, a, 5);
	f->region = col(s, a, 6);
	f->resource = col(s, a, 7);
	f->type = col(s, a, 8);
	f->unit = col(s, a, 9);
	f->control = col(s, a, 10);
	f->aspect = col(s, a, 11);
	f->controls = col(s, a, 12);
	f->title = col(s, a, 13);
	f->detail = col(s, a, 14);
	f->first_seen = col(s, a, 15);
	f->last_seen = col(s, a, 16);
	f->status_date = col(s, a, 17);
	f->reason = col(s, a, 18);
	f->expires = col(s, a, 19);
	f->seen = hg_db_col_int(s, 20);
	f->rank = hg_severity_rank(f->severity);
}

int hg_history_timeline(hg_hfinding *f, hg_hevent **events, size_t *n, hg_arena *a,
        hg_history *h, const char *prefix, hg_diags *d)
{
	hg_db_stmt *s;
	char lo[17], hi[18];
	size_t len = prefix ? strlen(prefix) : 0, i, cap = 0, found = 0;
	int64_t id = 0;
	int rc;

	*events = NULL;
	*n = 0;
	memset(f, 0, sizeof(*f));
	for (i = 0; i < len; i++)
		if (!((prefix[i] >= '0' && prefix[i] <= '9') || (prefix[i] >= 'a' && prefix[i] <= 'f')))
			break;
	if (len < 4 || len > 16 || i < len) {
		hg_diag_add(d, HG_D_FINDING_UNKNOWN, NULL, prefix ? prefix : "", h->target, NULL);
		return HG_ENOTFOUND;
	}
	/* Keys are 16 hex digits: the prefix's range is [prefix, prefix + 1). */
	snprintf(lo, sizeof(lo), "%s", prefix);
	snprintf(hi, sizeof(hi), "%s~", prefix);
	if ((rc = hg_store_begin(h, false, d)) < 0)
		return rc;
	if (!(s = hg_store_stmt(h, HG_SQL_FINDING_BY_PREFIX, d))) {
		rc = HG_EIO;
		goto out;
	}
	hg_db_bind_text(s, 1, lo);
	hg_db_bind_text(s, 2, hi);
	while ((rc = hg_db_step(s, d)) > 0) {
		if (!found++) {
			hg_history__finding_row(f, s, a);
			id = hg_db_col_int(s, 21);
		}
	}
	hg_db_reset(s);
	if (rc < 0)
		goto out;
	if (found != 1) {
		if (found)
			hg_diag_add(d, HG_D_FINDING_AMBIGUOUS, NULL, prefix, NULL);
		else
			hg_diag_add(d, HG_D_FINDING_UNKNOWN, NULL, prefix, h->target, NULL);
		rc = HG_ENOTFOUND;
		goto out;
	}
	if (!(s = hg_store_stmt(h, HG_SQL_EVENTS_OF, d))) {
		rc = HG_EIO;
		goto out;
	}
	hg_db_bind_int(s, 1, id);
	while ((rc = hg_db_step(s, d)) > 0) {
		hg_hevent *e;
		HG_AGROW(a, *events, cap, *n + 1);
		e = &(*events)[(*n)++];
		e->run = hg_db_col_int(s, 0);
		e->date = col(s, a, 1);
		e->status = col(s, a, 2);
		e->reason = col(s, a, 3);
		e->expires = col(s, a, 4);
		e->ref = col(s, a, 5);
	}
	hg_db_reset(s);
out:
	hg_store_rollback(h);
	return rc < 0 ? rc : 0;
}

int hg_history_findings(hg_hfinding **out, size_t *n, hg_arena *a, hg_history *h, int status,
        hg_diags *d)
{
	hg_db_stmt *s;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = hg_store_begin(h, false, d)) < 0)
		return rc;
	if (!(s = hg_store_stmt(h, HG_SQL_FINDINGS_ALL, d))) {
		hg_store_rollback(h);
		return HG_EIO;
	}
	while ((rc = hg_db_step(s, d)) > 0) {
		const char *st = hg_db_col_text(s, 3);
		if (status >= 0 && (!st || strcmp(st, hg_fstatus_name((hg_fstatus)status)) != 0))
			continue;
		HG_AGROW(a, *out, cap, *n + 1);
		hg_history__finding_row(&(*out)[(*n)++], s, a);
	}
	hg_db_reset(s);
	hg_store_rollback(h);
	return rc < 0 ? rc : 0;
}

/* Bind before to s and run it; *count gets the integer a counting query returns. */
static int prune_step(hg_history *h, hg_sql_id id, const char *before, int64_t *count, hg_diags *d)
{
	hg_db_stmt *s = hg_store_stmt(h, id, d);
	if (!s)
		return HG_EIO;
	hg_db_bind_text(s, 1, before);
	return count ? hg_store_int(s, count, d) : hg_store_run(s, d);
}

int hg_history_prune(hg_history *h, const char *before, hg_prune_result *res, hg_diags *d)
{
	static const hg_sql_id deletes[] = {HG_SQL_PRUNE_EVENTS, HG_SQL_PRUNE_UNITS,
	        HG_SQL_PRUNE_TEMPLATES, HG_SQL_PRUNE_CONTROL_DAYS, HG_SQL_PRUNE_CONTROL_MONTHS,
	        HG_SQL_PRUNE_RUNS, HG_SQL_PRUNE_SHARDS};
	size_t i;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = hg_store_begin(h, true, d)) < 0)
		return rc;
	if ((rc = prune_step(h, HG_SQL_PRUNE_COUNT_RUNS, before, &res->runs, d)) < 0 ||
	        (rc = prune_step(h, HG_SQL_PRUNE_COUNT_EVENTS, before, &res->events, d)) < 0)
		goto fail;
	for (i = 0; i < HG_ARRAY_SIZE(deletes); i++)
		if ((rc = prune_step(h, deletes[i], before, NULL, d)) < 0)
			goto fail;
	/* Findings resolved before the date with nothing left to show for it. */
	if ((rc = prune_step(h, HG_SQL_PRUNE_COUNT_FINDINGS, before, &res->findings, d)) < 0 ||
	        (rc = prune_step(h, HG_SQL_PRUNE_FINDINGS, before, NULL, d)) < 0 ||
	        (rc = hg_store_run(hg_store_stmt(h, HG_SQL_PRUNE_SEEN, d), d)) < 0 ||
	        (rc = hg_store_commit(h, d)) < 0)
		goto fail;
	return 0;
fail:
	hg_store_rollback(h);
	memset(res, 0, sizeof(*res));
	return rc;
}
