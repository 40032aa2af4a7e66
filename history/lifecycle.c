/*
 * lifecycle.c: a recording written to the store in one transaction: each
 * finding's new status, its events, and the night's control statuses (see
 * history.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. The transaction takes the store's writer lock first (BEGIN
 * IMMEDIATE), so two recordings never interleave their reads and writes:
 * the second waits, then sees the first's findings. Under the lock:
 *
 *   1. an input recorded before records nothing (idempotent imports); a run
 *      dated before the newest of its source is refused (statuses are a
 *      replay in date order; back-filling goes oldest first);
 *   2. the working set: the findings of the run's source in the accounts it
 *      covers that are not resolved;
 *   3. every observation moves its finding: new when first seen, open when
 *      seen again, reopened after it was resolved, suppressed when a rule
 *      covers it (a suppression that lapsed makes it open again), resolved
 *      when a cloud says it passed;
 *   4. every finding of the working set the run did not see is resolved if
 *      the run checked where it was (its place, minus the properties it
 *      could not compare; for an unmanaged resource, a listing of its type
 *      or resource group); elsewhere it stays as it was: not checked never
 *      means resolved;
 *   5. per account, the status of each control the run evaluated or that
 *      has findings failing it: failed while such a finding is active,
 *      else unknown if the run could not evaluate it everywhere, else
 *      passed (the score's unit, docs/history.md).
 *
 * Everything is written in the transaction; a failure rolls it back, and a
 * process killed before COMMIT leaves nothing (SQLite's atomic commit).
 */
#define _GNU_SOURCE /* qsort_r */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../common/util.h"
#include "../compiler/compiler.h"
#include "record.h"
#include "store.h"

/* ---- the vocabulary ---- */

static const char *const fstatus_names[] = {"new", "open", "reopened", "suppressed", "resolved"}; /* ORDER FSTATUS */

const char *hg_fstatus_name(hg_fstatus s)
{
	return (unsigned)s < HG_FS__COUNT ? fstatus_names[s] : "?";
}

int hg_fstatus_parse(const char *s)
{
	int i;
	for (i = 0; s && i < HG_FS__COUNT; i++)
		if (strcmp(s, fstatus_names[i]) == 0)
			return i;
	return -1;
}

bool hg_fstatus_active(hg_fstatus s)
{
	return s == HG_FS_NEW || s == HG_FS_OPEN || s == HG_FS_REOPENED;
}

const char *hg_hsource_name(hg_hsource s)
{
	static const char *const names[] = {"drift", "check", "securityhub", "defender"}; /* ORDER SOURCE */
	return (unsigned)s < HG_SRC__COUNT ? names[s] : "?";
}

/* ORDER SEVERITY (drift.h) plus the clouds' informational. */
static const char *const severities[] = {"critical", "high", "medium", "low", "informational"};

int hg_severity_rank(const char *severity)
{
	int i;
	/* reports sort by this: one comparison, chosen by the first letter */
	switch (severity ? severity[0] | 0x20 : 0) {
	case 'c': i = 0; break;
	case 'h': i = 1; break;
	case 'm': i = 2; break;
	case 'l': i = 3; break;
	case 'i': i = 4; break;
	default: return (int)HG_ARRAY_SIZE(severities);
	}
	return strcasecmp(severity, severities[i]) == 0 ? i : (int)HG_ARRAY_SIZE(severities);
}

double hg_severity_weight(const char *severity)
{
	/* Each level counts twice the next: one failed critical control weighs
	 * as much as eight low ones (docs/history.md, "The score"). */
	static const double w[] = {8, 4, 2, 1, 1, 1};
	return w[hg_severity_rank(severity)];
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool hg_is_month(const char *s)
{
	int m;
	if (!s || strlen(s) != 7 || s[4] != '-')
		return false;
	for (m = 0; m < 7; m++)
		if (m != 4 && (s[m] < '0' || s[m] > '9'))
			return false;
	m = (s[5] - '0') * 10 + (s[6] - '0');
	return m >= 1 && m <= 12 && s[0] != '0';
}

bool hg_is_date(const char *s)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	char month[8];
	int y, m, d;

	if (!s || strlen(s) != 10 || s[7] != '-' || s[8] < '0' || s[8] > '9' || s[9] < '0' || s[9] > '9')
		return false;
	memcpy(month, s, 7);
	month[7] = '\0';
	if (!hg_is_month(month))
		return false;
	y = atoi(s);
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	return d >= 1 && d <= days[m - 1] + (m == 2 && leap(y));
}

/* ---- the working set ---- */

typedef struct fst {
	int64_t id;
	uint64_t key;
	hg_fstatus before, now;
	bool loaded;  /* existed before this run */
	bool touched; /* this run moved it */
	const char *kind, *type, *resource, *aspect, *control, *severity, *account, *region;
	const char *unit; /* drift: "" for a resource in no stack (unmanaged) */
	const char *controls, *title, *detail, *reason, *expires; /* as stored */
	const hg_robs *obs; /* what this run saw of it, or NULL */
	bool inserted;    /* made by this run */
	bool fails;
	size_t acct; /* index in the run's accounts */
} fst;

struct tx {
	hg_recorder *r;
	hg_history *h;
	hg_diags *d;
	hg_arena *a;
	int64_t run;
	fst *set;
	size_t n, cap;
	hg_hmap index; /* key -> set */
	const char **accounts;
	size_t naccounts, capaccounts;
	hg_hmap account_index;
	hg_record_result *res;
	struct chg {
		size_t f;          /* in set */
		const hg_robs *o;  /* what moved it; NULL: resolved */
	} *changes;
	size_t nchanges, capchanges;
};

static uint64_t hex_key(const char *hex)
{
	return hex ? strtoull(hex, NULL, 16) : 0;
}

static size_t account_of(struct tx *t, const char *account)
{
	const char *f[1] = {account ? account : ""};
	uint64_t k = hg_hash_fields(f, 1);
	size_t at = hg_hmap_get(&t->account_index, k);
	if (at == SIZE_MAX) {
		HG_AGROW(t->a, t->accounts, t->capaccounts, t->naccounts + 1);
		t->accounts[t->naccounts] = hg_arena_strdup(t->a, f[0]);
		hg_hmap_put(&t->account_index, k, t->naccounts);
		at = t->naccounts++;
	}
	return at;
}

static const char *col(hg_db_stmt *s, hg_arena *a, int i)
{
	const char *v = hg_db_col_text(s, i);
	return v ? hg_arena_strdup(a, v) : NULL;
}

/* A finding row (FINDINGS_OPEN_OF, FINDING_STATE columns) into the working set. */
static fst *load_row(struct tx *t, hg_db_stmt *s)
{
	fst *f;
	uint64_t key = hex_key(hg_db_col_text(s, 1));
	size_t at = hg_hmap_get(&t->index, key);

	if (at != SIZE_MAX)
		return &t->set[at];
	HG_GROW(t->set, t->cap, t->n + 1);
	f = &t->set[t->n];
	memset(f, 0, sizeof(*f));
	f->id = hg_db_col_int(s, 0);
	f->key = key;
	f->before = f->now = (hg_fstatus)hg_fstatus_parse(hg_db_col_text(s, 2));
	if ((int)f->before < 0)
		f->before = f->now = HG_FS_OPEN;
	f->loaded = true;
	f->kind = col(s, t->a, 3);
	f->type = col(s, t->a, 4);
	f->resource = col(s, t->a, 5);
	f->aspect = col(s, t->a, 6);
	f->control = col(s, t->a, 7);
	f->severity = col(s, t->a, 8);
	f->fails = hg_db_col_int(s, 9) != 0;
	f->region = col(s, t->a, 10);
	f->unit = col(s, t->a, 11);
	f->controls = col(s, t->a, 12);
	f->title = col(s, t->a, 13);
	f->detail = col(s, t->a, 14);
	f->reason = col(s, t->a, 15);
	f->expires = col(s, t->a, 16);
	hg_hmap_put(&t->index, key, t->n);
	return &t->set[t->n++];
}

static int load_account(struct tx *t, size_t acct)
{
	hg_db_stmt *s = hg_store_stmt(t->h, HG_SQL_FINDINGS_OPEN_OF, t->d);
	int rc;

	if (!s)
		return HG_EIO;
	hg_db_bind_text(s, 1, hg_hsource_name(t->r->source));
	hg_db_bind_text(s, 2, t->accounts[acct]);
	while ((rc = hg_db_step(s, t->d)) > 0) {
		fst *f = load_row(t, s);
		f->account = t->accounts[acct];
		f->acct = acct;
	}
	hg_db_reset(s);
	return rc;
}

/* The finding of key in the store (resolved ones are not in the working set), or NULL. */
static int lookup(fst **out, struct tx *t, const hg_robs *o)
{
	hg_db_stmt *s = hg_store_stmt(t->h, HG_SQL_FINDING_STATE, t->d);
	int rc;

	*out = NULL;
	if (!s)
		return HG_EIO;
	hg_db_bind_text(s, 1, o->hex);
	rc = hg_db_step(s, t->d);
	if (rc > 0) {
		*out = load_row(t, s);
		(*out)->account = o->o.account;
		(*out)->acct = account_of(t, o->o.account);
	}
	hg_db_reset(s);
	return rc < 0 ? rc : 0;
}

static int event(struct tx *t, const fst *f, const char *reason, const char *expires)
{
	hg_db_stmt *s = hg_store_stmt(t->h, HG_SQL_EVENT_INSERT, t->d);
	if (!s)
		return HG_EIO;
	hg_db_bind_int(s, 1, f->id);
	hg_db_bind_int(s, 2, t->run);
	hg_db_bind_text(s, 3, t->r->date);
	hg_db_bind_text(s, 4, hg_fstatus_name(f->now));
	hg_db_bind_text(s, 5, reason);
	hg_db_bind_text(s, 6, expires);
	return hg_store_run(s, t->d);
}

/* A finding this run moves (written in a second pass, in the order of the findings' IDs). */
static void change(struct tx *t, size_t f, const hg_robs *o)
{
	HG_GROW(t->changes, t->capchanges, t->nchanges + 1);
	t->changes[t->nchanges].f = f;
	t->changes[t->nchanges].o = o;
	t->nchanges++;
}

static void resolve(struct tx *t, size_t at)
{
	fst *f = &t->set[at];
	f->now = HG_FS_RESOLVED;
	f->touched = true;
	t->res->resolved++;
	t->res->findings[HG_FS_RESOLVED]++;
	change(t, at, NULL);
}

static int insert(struct tx *t, fst *f, const hg_robs *o)
{
	const hg_observation *x = &o->o;
	hg_db_stmt *s = hg_store_stmt(t->h, HG_SQL_FINDING_INSERT, t->d);
	int rc;

	if (!s)
		return HG_EIO;
	hg_db_bind_text(s, 1, o->hex);
	hg_db_bind_text(s, 2, hg_hsource_name(t->r->source));
	hg_db_bind_text(s, 3, x->kind);
	hg_db_bind_text(s, 4, x->account);
	hg_db_bind_text(s, 5, x->region);
	hg_db_bind_text(s, 6, x->resource);
	hg_db_bind_text(s, 7, x->type);
	hg_db_bind_text(s, 8, x->unit);
	hg_db_bind_text(s, 9, x->control);
	hg_db_bind_text(s, 10, x->aspect);
	hg_db_bind_text(s, 11, x->severity);
	hg_db_bind_text(s, 12, x->controls);
	hg_db_bind_int(s, 13, x->fails);
	hg_db_bind_text(s, 14, x->title);
	hg_db_bind_text(s, 15, x->detail);
	hg_db_bind_text(s, 16, hg_fstatus_name(f->now));
	hg_db_bind_text(s, 17, t->r->date);
	hg_db_bind_text(s, 18, t->r->date);
	hg_db_bind_text(s, 19, f->now == HG_FS_SUPPRESSED ? x->reason : NULL);
	hg_db_bind_text(s, 20, f->now == HG_FS_SUPPRESSED ? x->expires : NULL);
	if ((rc = hg_db_step(s, t->d)) < 0)
		return rc;
	f->id = hg_db_col_int(s, 0);
	hg_db_reset(s);
	if (!(s = hg_store_stmt(t->h, HG_SQL_SEEN_INSERT, t->d)))
		return HG_EIO;
	hg_db_bind_int(s, 1, f->id);
	hg_db_bind_text(s, 2, t->r->date);
	return hg_store_run(s, t->d);
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Does what o says of f differ from what the store holds, besides when it was seen? */
static bool details_changed(const fst *f, const hg_observation *x)
{
	bool suppressed = f->now == HG_FS_SUPPRESSED;
	return !same_text(f->unit, x->unit) || !same_text(f->severity, x->severity) ||
	       !same_text(f->controls, x->controls) || !same_text(f->title, x->title) ||
	       !same_text(f->detail, x->detail) || f->fails != x->fails ||
	       !same_text(f->reason, suppressed ? x->reason : NULL) ||
	       !same_text(f->expires, suppressed ? x->expires : NULL);
}

/* Observation o moves its finding (or makes one). */
static int observe(struct tx *t, const hg_robs *o)
{
	const hg_observation *x = &o->o;
	size_t at = hg_hmap_get(&t->index, o->key);
	fst *f = at == SIZE_MAX ? NULL : &t->set[at];
	hg_fstatus now;
	int rc;

	if (!f && (rc = lookup(&f, t, o)) < 0)
		return rc;
	if (f)
		at = (size_t)(f - t->set);
	switch (x->verdict) {
	case HG_V_UNKNOWN:
		return 0; /* not evaluated: as it was */
	case HG_V_PASSED:
		if (f && f->now != HG_FS_RESOLVED && !f->touched)
			resolve(t, at);
		return 0;
	case HG_V_SUPPRESSED:
		now = HG_FS_SUPPRESSED;
		break;
	default:
		now = !f ? HG_FS_NEW : f->before == HG_FS_RESOLVED ? HG_FS_REOPENED : HG_FS_OPEN;
	}
	if (!f) {
		HG_GROW(t->set, t->cap, t->n + 1);
		at = t->n++;
		f = &t->set[at];
		memset(f, 0, sizeof(*f));
		f->key = o->key;
		f->before = HG_FS_RESOLVED; /* nothing before */
		f->kind = x->kind;
		f->type = x->type;
		f->resource = x->resource;
		f->aspect = x->aspect;
		f->control = x->control;
		f->severity = x->severity;
		f->fails = x->fails;
		f->account = x->account;
		f->region = x->region;
		f->unit = x->unit;
		f->acct = account_of(t, x->account);
		f->inserted = true;
		f->now = now;
		hg_hmap_put(&t->index, o->key, at);
		/* new rows go at the end of the table: written now, in key order */
		if ((rc = insert(t, f, o)) < 0)
			return rc;
	}
	f->now = now;
	f->touched = true;
	f->obs = o;
	t->res->observed++;
	t->res->findings[now]++;
	t->res->opened += now == HG_FS_NEW || now == HG_FS_REOPENED;
	t->res->suppressed += now == HG_FS_SUPPRESSED;
	change(t, at, o);
	return 0;
}

static int cmp_change(const void *x, const void *y, void *payload)
{
	const fst *set = payload;
	int64_t a = set[((const struct chg *)x)->f].id, b = set[((const struct chg *)y)->f].id;
	return a < b ? -1 : a > b;
}

/*
 * The second pass: each moved finding's row and its event, in the order of
 * the findings' IDs, so that the pages of the tables are visited once each
 * however large the store has grown (tens of thousands of rows a night).
 */
static int write_changes(struct tx *t)
{
	size_t i;
	int rc = 0;

	if (t->nchanges > 1)
		qsort_r(t->changes, t->nchanges, sizeof(*t->changes), cmp_change, t->set);
	for (i = 0; i < t->nchanges && rc >= 0; i++) {
		const fst *f = &t->set[t->changes[i].f];
		const hg_robs *o = t->changes[i].o;
		const hg_observation *x = o ? &o->o : NULL;
		hg_db_stmt *s;
		bool same = f->now == f->before;

		if (!o) {
			if (!(s = hg_store_stmt(t->h, HG_SQL_FINDING_RESOLVE, t->d)))
				return HG_EIO;
			hg_db_bind_text(s, 1, t->r->date);
			hg_db_bind_int(s, 2, f->id);
			if ((rc = hg_store_run(s, t->d)) < 0)
				return rc;
		} else if (!f->inserted) {
			/* The finding's row only when its status or evidence changed; the
			 * sighting itself in its small row of finding_seen. */
			if (!same || details_changed(f, x)) {
				if (!(s = hg_store_stmt(t->h, HG_SQL_FINDING_SEEN, t->d)))
					return HG_EIO;
				hg_db_bind_text(s, 1, x->unit);
				hg_db_bind_text(s, 2, x->severity);
				hg_db_bind_text(s, 3, x->controls);
				hg_db_bind_int(s, 4, x->fails);
				hg_db_bind_text(s, 5, x->title);
				hg_db_bind_text(s, 6, x->detail);
				hg_db_bind_text(s, 7, f->now == HG_FS_SUPPRESSED ? x->reason : NULL);
				hg_db_bind_text(s, 8, f->now == HG_FS_SUPPRESSED ? x->expires : NULL);
				hg_db_bind_text(s, 9, hg_fstatus_name(f->now));
				hg_db_bind_text(s, 10, same ? NULL : t->r->date);
				hg_db_bind_int(s, 11, f->id);
				if ((rc = hg_store_run(s, t->d)) < 0)
					return rc;
			}
			if (!(s = hg_store_stmt(t->h, HG_SQL_SEEN_AGAIN, t->d)))
				return HG_EIO;
			hg_db_bind_text(s, 1, t->r->date);
			hg_db_bind_int(s, 2, f->id);
			if ((rc = hg_store_run(s, t->d)) < 0)
				return rc;
		}
		rc = event(t, f, f->now == HG_FS_SUPPRESSED && x ? x->reason : NULL,
		        f->now == HG_FS_SUPPRESSED && x ? x->expires : NULL);
	}
	return rc;
}

/* A cloud's title of a control (the catalog has the titles of its own). */
static int control_title(struct tx *t, const hg_observation *x)
{
	hg_db_stmt *s;
	if (!x->control || !x->title || strcmp(x->kind, "cloud") != 0)
		return 0;
	if (!(s = hg_store_stmt(t->h, HG_SQL_CONTROL_TITLE_PUT, t->d)))
		return HG_EIO;
	hg_db_bind_text(s, 1, hg_hsource_name(t->r->source));
	hg_db_bind_text(s, 2, x->control);
	hg_db_bind_text(s, 3, x->title);
	return hg_store_run(s, t->d);
}

/* Did the run look where f is (and at what f is about)? */
static bool in_scope(struct tx *t, const fst *f)
{
	const hg_recorder *r = t->r;
	size_t at, i;

	at = hg_hmap_get(&r->checked_index, hg_record_place(f->account, f->region, f->resource));
	if (at != SIZE_MAX) {
		for (i = 0; f->aspect && f->aspect[0] == '/' && i < r->checked[at].nexcept; i++) {
			/* a property (or its parent, or a child) that was not compared */
			const char *p = r->checked[at].except[i];
			size_t np = strlen(p), na = strlen(f->aspect);
			if (strcmp(p, f->aspect) == 0 ||
			        (na > np && strncmp(f->aspect, p, np) == 0 && f->aspect[np] == '/') ||
			        (np > na && strncmp(p, f->aspect, na) == 0 && p[na] == '/'))
				return false;
		}
		return true;
	}
	/* A resource in no stack (unmanaged), and what it breaks, not seen: gone
	 * where the run read a listing that would have listed it. */
	if (r->source == HG_SRC_DRIFT && (!f->unit || !*f->unit))
		return hg_drift_cover_has(r->cover, f->account, f->region, f->type, f->resource);
	return false;
}

static int cmp_fst_key(const void *x, const void *y)
{
	uint64_t a = (*(const fst *const *)x)->key, b = (*(const fst *const *)y)->key;
	return a < b ? -1 : a > b;
}

static int cmp_obs(const void *x, const void *y)
{
	return strcmp(((const hg_robs *)x)->hex, ((const hg_robs *)y)->hex);
}

/* Step 5: the night's status of every control the run bears on, per account. */
static int controls(struct tx *t)
{
	const hg_recorder *r = t->r;
	hg_hmap failed = {0};
	struct ctl {
		size_t acct;
		const char *control, *severity;
		const char *status;
	} *list = NULL;
	size_t n = 0, cap = 0, i;
	char month[8];
	int rc = 0;

	snprintf(month, sizeof(month), "%.7s", r->date);
	for (i = 0; i < t->n; i++) {
		const fst *f = &t->set[i];
		const char *k[2], *severity = f->obs ? f->obs->o.severity : f->severity;
		if (!(f->obs ? f->obs->o.fails : f->fails) || !f->control || !hg_fstatus_active(f->now))
			continue;
		k[0] = t->accounts[f->acct];
		k[1] = f->control;
		if (hg_hmap_get(&failed, hg_hash_fields(k, 2)) == SIZE_MAX) {
			HG_GROW(list, cap, n + 1);
			list[n].acct = f->acct;
			list[n].control = f->control;
			list[n].severity = severity;
			list[n].status = "failed";
			hg_hmap_put(&failed, hg_hash_fields(k, 2), n++);
		} else if (hg_severity_rank(severity) <
		           hg_severity_rank(list[hg_hmap_get(&failed, hg_hash_fields(k, 2))].severity))
			list[hg_hmap_get(&failed, hg_hash_fields(k, 2))].severity = severity;
	}
	for (i = 0; i < r->nevals; i++) {
		const hg_reval *e = &r->evals[i];
		const char *k[2] = {e->account, e->control};
		size_t at = hg_hmap_get(&failed, hg_hash_fields(k, 2));
		if (at != SIZE_MAX) {
			if (hg_severity_rank(e->severity) < hg_severity_rank(list[at].severity))
				list[at].severity = e->severity;
			continue;
		}
		HG_GROW(list, cap, n + 1);
		list[n].acct = account_of(t, e->account);
		list[n].control = e->control;
		list[n].severity = e->severity;
		list[n].status = e->unknown ? "unknown" : "passed";
		n++;
	}
	for (i = 0; i < n && rc == 0; i++) {
		hg_db_stmt *s = hg_store_stmt(t->h, HG_SQL_CONTROL_DAY_PUT, t->d);
		if (!s) {
			rc = HG_EIO;
			break;
		}
		hg_db_bind_text(s, 1, r->date);
		hg_db_bind_text(s, 2, t->accounts[list[i].acct]);
		hg_db_bind_text(s, 3, hg_hsource_name(r->source));
		hg_db_bind_text(s, 4, list[i].control);
		hg_db_bind_text(s, 5, list[i].severity ? list[i].severity : "none");
		hg_db_bind_text(s, 6, list[i].status);
		hg_db_bind_int(s, 7, t->run);
		if ((rc = hg_store_run(s, t->d)) < 0)
			break;
		if (!(s = hg_store_stmt(t->h, HG_SQL_CONTROL_MONTH_PUT, t->d))) {
			rc = HG_EIO;
			break;
		}
		hg_db_bind_text(s, 1, month);
		hg_db_bind_text(s, 2, t->accounts[list[i].acct]);
		hg_db_bind_text(s, 3, hg_hsource_name(r->source));
		hg_db_bind_text(s, 4, list[i].control);
		hg_db_bind_text(s, 5, list[i].severity ? list[i].severity : "none");
		hg_db_bind_text(s, 6, list[i].status);
		hg_db_bind_text(s, 7, r->date);
		hg_db_bind_int(s, 8, t->run);
		rc = hg_store_run(s, t->d);
	}
	free(list);
	hg_hmap_dispose(&failed);
	return rc;
}

static int insert_run(struct tx *t)
{
	const hg_recorder *r = t->r;
	hg_db_stmt *s = hg_store_stmt(t->h, HG_SQL_RUN_INSERT, t->d);
	char now[32];
	time_t clock = time(NULL);
	struct tm tm;
	size_t i, accounts = 0;
	int rc;

	if (!s)
		return HG_EIO;
	gmtime_r(&clock, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (i = 0; i < t->naccounts; i++)
		accounts += t->accounts[i][0] != '\0';
	hg_db_bind_text(s, 1, hg_hsource_name(r->source));
	hg_db_bind_text(s, 2, r->date);
	hg_db_bind_text(s, 3, now);
	hg_db_bind_text(s, 4, hg_compiler_version());
	hg_db_bind_text(s, 5, r->ref);
	hg_db_bind_text(s, 6, r->input_key);
	hg_db_bind_text(s, 7, r->label);
	hg_db_bind_int(s, 8, (int64_t)accounts);
	hg_db_bind_int(s, 9, (int64_t)r->nunits);
	hg_db_bind_int(s, 10, (int64_t)r->resources);
	hg_db_bind_int(s, 11, (int64_t)r->checked_resources);
	hg_db_bind_int(s, 12, (int64_t)r->properties);
	hg_db_bind_int(s, 13, (int64_t)r->properties_checked);
	for (i = 0; i < HG_DS__COUNT; i++)
		hg_db_bind_int(s, 14 + (int)i, (int64_t)r->counts[i]);
	if ((rc = hg_db_step(s, t->d)) < 0)
		return rc;
	t->run = hg_db_col_int(s, 0);
	hg_db_reset(s);
	for (i = 0; i < r->nunits && rc >= 0; i++) {
		if (!(s = hg_store_stmt(t->h, HG_SQL_UNIT_INSERT, t->d)))
			return HG_EIO;
		hg_db_bind_int(s, 1, t->run);
		hg_db_bind_text(s, 2, r->units[i].account);
		hg_db_bind_text(s, 3, r->units[i].region);
		hg_db_bind_text(s, 4, r->units[i].unit);
		hg_db_bind_int(s, 5, (int64_t)r->units[i].resources);
		hg_db_bind_int(s, 6, (int64_t)r->units[i].checked);
		hg_db_bind_text(s, 7, r->units[i].deployed_hash);
		hg_db_bind_text(s, 8, r->units[i].template_hash);
		rc = hg_store_run(s, t->d);
	}
	for (i = 0; i < r->ntemplates && rc >= 0; i++) {
		if (!(s = hg_store_stmt(t->h, HG_SQL_TEMPLATE_INSERT, t->d)))
			return HG_EIO;
		hg_db_bind_int(s, 1, t->run);
		hg_db_bind_text(s, 2, r->templates[i].account);
		hg_db_bind_text(s, 3, r->templates[i].name);
		hg_db_bind_text(s, 4, r->templates[i].version);
		hg_db_bind_int(s, 5, r->templates[i].mandatory);
		hg_db_bind_text(s, 6, r->templates[i].newest);
		rc = hg_store_run(s, t->d);
	}
	return rc < 0 ? rc : 0;
}

/* Steps 1 and 2: may this run be recorded, and the working set. */
static int prepare(struct tx *t, bool *again)
{
	hg_recorder *r = t->r;
	hg_db_stmt *s;
	size_t i;
	int rc;

	*again = false;
	if (r->input_key) {
		if (!(s = hg_store_stmt(t->h, HG_SQL_RUN_BY_KEY, t->d)))
			return HG_EIO;
		hg_db_bind_text(s, 1, r->input_key);
		if ((rc = hg_store_int(s, &t->res->again, t->d)) < 0)
			return rc;
		if (t->res->again) {
			char run[24];
			snprintf(run, sizeof(run), "%lld", (long long)t->res->again);
			hg_diag_add(t->d, HG_D_IMPORT_AGAIN, NULL, r->label ? r->label : r->input_key, run, NULL);
			*again = true;
			return 0;
		}
	}
	if (!(s = hg_store_stmt(t->h, HG_SQL_NEWEST_DATE, t->d)))
		return HG_EIO;
	hg_db_bind_text(s, 1, hg_hsource_name(r->source));
	if ((rc = hg_db_step(s, t->d)) < 0)
		return rc;
	if (rc > 0 && hg_db_col_text(s, 0) && strcmp(r->date, hg_db_col_text(s, 0)) < 0) {
		hg_diag_add(t->d, HG_D_HISTORY_ORDER, NULL, hg_hsource_name(r->source), r->date,
		        hg_db_col_text(s, 0), NULL);
		hg_db_reset(s);
		return HG_EINVALID;
	}
	hg_db_reset(s);
	/* The accounts the run covered, in a stable order. */
	for (i = 0; i < r->nobs; i++)
		account_of(t, r->obs[i].o.account);
	for (i = 0; i < r->nunits; i++)
		account_of(t, r->units[i].account);
	for (i = 0; i < r->naccounts; i++)
		account_of(t, r->accounts[i]);
	for (i = 0; i < r->nevals; i++)
		account_of(t, r->evals[i].account);
	for (i = 0; i < t->naccounts; i++)
		if ((rc = load_account(t, i)) < 0)
			return rc;
	return 0;
}

/*
 * Steps 1 to 5 inside the write transaction the caller holds. *again: the
 * input was recorded before (nothing done, warning HG7108). On failure the
 * caller rolls back; res says nothing then.
 */
static int record_in(hg_recorder *r, hg_history *h, hg_record_result *res, bool *again, hg_diags *d)
{
	struct tx t;
	fst **order = NULL;
	size_t i, nloaded;
	int rc;

	memset(&t, 0, sizeof(t));
	t.r = r;
	t.h = h;
	t.d = d;
	t.a = hg_arena_new();
	t.res = res;
	if ((rc = prepare(&t, again)) < 0 || *again)
		goto out;
	nloaded = t.n;
	if ((rc = insert_run(&t)) < 0)
		goto out;
	/* Observations in key order: the same input writes the same rows. */
	if (r->nobs > 1)
		qsort(r->obs, r->nobs, sizeof(*r->obs), cmp_obs);
	hg_hmap_dispose(&r->obs_index);
	for (i = 0; i < r->nobs; i++)
		hg_hmap_put(&r->obs_index, r->obs[i].key, i);
	for (i = 0; i < r->nobs && rc >= 0; i++)
		rc = observe(&t, &r->obs[i]);
	for (i = 0; i < r->nobs && rc >= 0; i++)
		rc = control_title(&t, &r->obs[i].o);
	if (rc < 0)
		goto out;
	/* What was not seen, where the run looked, is resolved. */
	order = hg_xcalloc(nloaded + 1, sizeof(*order));
	for (i = 0; i < nloaded; i++)
		order[i] = &t.set[i];
	if (nloaded > 1)
		qsort(order, nloaded, sizeof(*order), cmp_fst_key);
	for (i = 0; i < nloaded; i++)
		if (!order[i]->touched && order[i]->now != HG_FS_RESOLVED && in_scope(&t, order[i]))
			resolve(&t, (size_t)(order[i] - t.set));
	if ((rc = write_changes(&t)) < 0 || (rc = controls(&t)) < 0)
		goto out;
	{
		hg_db_stmt *s = hg_store_stmt(h, HG_SQL_RUN_COUNTS, d);
		if (!s) {
			rc = HG_EIO;
			goto out;
		}
		hg_db_bind_int(s, 1, (int64_t)t.res->observed);
		hg_db_bind_int(s, 2, (int64_t)t.res->opened);
		hg_db_bind_int(s, 3, (int64_t)t.res->resolved);
		hg_db_bind_int(s, 4, (int64_t)t.res->suppressed);
		hg_db_bind_int(s, 5, t.run);
		if ((rc = hg_store_run(s, d)) < 0)
			goto out;
	}
	t.res->run = t.run;
	rc = 0;
out:
	free(order);
	free(t.changes);
	free(t.set);
	hg_hmap_dispose(&t.index);
	hg_hmap_dispose(&t.account_index);
	hg_arena_dispose(t.a);
	return rc;
}

int hg_history__record_in(hg_recorder *r, hg_history *h, hg_record_result *res, hg_diags *d)
{
	bool again = false;
	memset(res, 0, sizeof(*res));
	if (!r->date || !hg_is_date(r->date)) {
		hg_diag_add(d, HG_D_IGNORE_DATE, NULL, r->date ? r->date : "", NULL);
		return HG_EINVALID;
	}
	return record_in(r, h, res, &again, d);
}

int hg_recorder_commit(hg_recorder *r, hg_history *h, hg_record_result *res, hg_diags *d)
{
	hg_record_result ignored;
	bool again = false;
	int rc;

	res = res ? res : &ignored;
	memset(res, 0, sizeof(*res));
	if (!r->date || !hg_is_date(r->date)) {
		hg_diag_add(d, HG_D_IGNORE_DATE, NULL, r->date ? r->date : "", NULL);
		return HG_EINVALID;
	}
	if ((rc = hg_store_begin(h, true, d)) < 0)
		return rc;
	/* A fleet's nights still waiting for shards, before this one: recorded
	 * first with what arrived (statuses are a replay in date order). */
	if (r->source == HG_SRC_DRIFT) {
		hg_record_options rules = HG_RECORD_OPTIONS_INIT;
		rules.template_dirs = r->template_dirs;
		rules.ntemplate_dirs = r->ntemplate_dirs;
		rules.bundled_dir = r->bundled_dir;
		rules.schema_dir = r->schema_dir;
		if ((rc = hg_history__shards_before(h, &rules, r->date, d)) < 0)
			goto fail;
	}
	if ((rc = record_in(r, h, res, &again, d)) < 0 || again)
		goto fail;
	if ((rc = hg_store_commit(h, d)) < 0)
		goto fail;
	return 0;
fail:
	hg_store_rollback(h);
	if (again)
		return 0; /* res->again says which run recorded it */
	memset(res, 0, sizeof(*res));
	return rc;
}
