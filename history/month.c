/*
 * month.c: what the monthly report says, read from the store (see
 * history.h: hg_history_month).
 * Part of hinagata; see LICENSE.
 *
 * Design. Everything is read in one read transaction (one snapshot) and
 * assembled in C; the SQL only selects and counts. The parts:
 *
 *   - scores: the month's (control_month: each control's last status on
 *     each account in the month), the eleven months before it (the trend),
 *     each night's (control_day), each account's and each control's;
 *   - findings: opened (new or reopened) and resolved in the month (their
 *     events), and open and suppressed at its end: when nothing was
 *     recorded after the month, that is the findings' current state; for a
 *     past month, each finding's last event by the month's last day;
 *   - drift by severity and by control (drift findings open at the end),
 *     coverage (the last night of drift), the template versions each
 *     account runs against the newest known when it was recorded.
 *
 * The result is deterministic: every list is sorted on fields of its own,
 * never on the order rows come back in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "record.h"
#include "store.h"

/* The months before: "2026-12" - k. */
static void month_minus(char out[8], const char *month, int k)
{
	int y = atoi(month), m = atoi(month + 5) - 1 - k;
	while (m < 0) {
		m += 12;
		y--;
	}
	y = y < 0 ? 0 : y % 10000;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + (m + 1) / 10);
	out[6] = (char)('0' + (m + 1) % 10);
	out[7] = '\0';
}

/* Add n (negative: take away) control checks of severity and status to s. */
static void score_add(hg_score *s, const char *severity, const char *status, int64_t n)
{
	double w = hg_severity_weight(severity) * (double)n;
	if (strcmp(status, "passed") == 0)
		s->passed = (size_t)((int64_t)s->passed + n), s->wpassed += w;
	else if (strcmp(status, "failed") == 0)
		s->failed = (size_t)((int64_t)s->failed + n), s->wfailed += w;
	else
		s->unknown = (size_t)((int64_t)s->unknown + n), s->wunknown += w;
}

static void score_done(hg_score *s)
{
	double all = s->wpassed + s->wfailed + s->wunknown;
	s->has = all > 0;
	s->value = s->has ? 100.0 * s->wpassed / all : 0;
}

static const char *col(hg_db_stmt *s, hg_arena *a, int i)
{
	const char *v = hg_db_col_text(s, i);
	return v ? hg_arena_strdup(a, v) : NULL;
}

/* The findings a statement returns (finding rows; with the event's date at 21 when dated). */
static int findings(hg_hfinding **out, size_t *n, hg_month *m, hg_db_stmt *s, bool dated, hg_diags *d)
{
	size_t cap = 0;
	int rc;
	while ((rc = hg_db_step(s, d)) > 0) {
		HG_AGROW(m->a, *out, cap, *n + 1);
		hg_history__finding_row(&(*out)[*n], s, m->a);
		if (dated)
			(*out)[*n].date = col(s, m->a, 21);
		(*n)++;
	}
	hg_db_reset(s);
	return rc;
}

static int cmp_finding(const void *x, const void *y)
{
	const hg_hfinding *a = x, *b = y;
	int c = a->rank - b->rank;
	const char *da = a->date ? a->date : a->first_seen, *db = b->date ? b->date : b->first_seen;
	if (c)
		return c;
	if ((c = strcmp(da ? da : "", db ? db : "")) != 0)
		return c;
	if ((c = strcmp(a->account, b->account)) != 0)
		return c;
	if ((c = strcmp(a->resource, b->resource)) != 0)
		return c;
	if ((c = strcmp(a->control ? a->control : "", b->control ? b->control : "")) != 0)
		return c;
	if ((c = strcmp(a->aspect ? a->aspect : "", b->aspect ? b->aspect : "")) != 0)
		return c;
	return strcmp(a->key, b->key);
}

static int cmp_finding_ptr(const void *x, const void *y)
{
	return cmp_finding(*(const hg_hfinding *const *)x, *(const hg_hfinding *const *)y);
}

/* Sort a list in report order: pointers are sorted, then the findings copied once. */
static void sort_findings(hg_month *m, hg_hfinding **list, size_t n)
{
	hg_hfinding **p, *sorted;
	size_t i;
	if (n < 2)
		return;
	p = hg_xcalloc(n, sizeof(*p));
	for (i = 0; i < n; i++)
		p[i] = &(*list)[i];
	qsort(p, n, sizeof(*p), cmp_finding_ptr);
	sorted = HG_ANEWN(m->a, hg_hfinding, n);
	for (i = 0; i < n; i++)
		sorted[i] = *p[i];
	*list = sorted;
	free(p);
}

static int cmp_key(const void *x, const void *y)
{
	const hg_hfinding *a = *(const hg_hfinding *const *)x, *b = *(const hg_hfinding *const *)y;
	int c = strcmp(a->key, b->key);
	return c ? c : strcmp(a->date ? a->date : "", b->date ? b->date : "");
}

/* One finding per key: the first event of each (keep_last: the last). */
static void distinct(hg_month *m, hg_hfinding **list, size_t *n, bool keep_last)
{
	hg_hfinding **p, *out;
	size_t i, k = 0;
	if (*n < 2)
		return;
	p = hg_xcalloc(*n, sizeof(*p));
	for (i = 0; i < *n; i++)
		p[i] = &(*list)[i];
	qsort(p, *n, sizeof(*p), cmp_key);
	out = HG_ANEWN(m->a, hg_hfinding, *n);
	for (i = 0; i < *n; i++) {
		if (k && strcmp(out[k - 1].key, p[i]->key) == 0) {
			if (keep_last)
				out[k - 1] = *p[i];
			continue;
		}
		out[k++] = *p[i];
	}
	free(p);
	*list = out;
	*n = k;
}

static int events_in(hg_month *m, hg_history *h, hg_sql_id id, hg_hfinding **out, size_t *n, hg_diags *d)
{
	hg_db_stmt *s = hg_store_stmt(h, id, d);
	if (!s)
		return HG_EIO;
	hg_db_bind_text(s, 1, m->from);
	hg_db_bind_text(s, 2, m->to);
	return findings(out, n, m, s, true, d);
}

/* Scores of the month, the trend, and the nights. */
static int scores(hg_month *m, hg_history *h, hg_diags *d)
{
	hg_db_stmt *s;
	char first[8];
	int rc, k;

	for (k = 0; k < HG_TREND_MONTHS; k++)
		month_minus(m->trend[k].month, m->month, HG_TREND_MONTHS - 1 - k);
	snprintf(first, sizeof(first), "%s", m->trend[0].month);
	if (!(s = hg_store_stmt(h, HG_SQL_MONTH_SCORES, d)))
		return HG_EIO;
	hg_db_bind_text(s, 1, first);
	hg_db_bind_text(s, 2, m->month);
	while ((rc = hg_db_step(s, d)) > 0) {
		const char *mo = hg_db_col_text(s, 0);
		for (k = 0; k < HG_TREND_MONTHS; k++)
			if (mo && strcmp(mo, m->trend[k].month) == 0)
				score_add(&m->trend[k].score, hg_db_col_text(s, 1), hg_db_col_text(s, 2),
				        hg_db_col_int(s, 3));
	}
	hg_db_reset(s);
	if (rc < 0)
		return rc;
	for (k = 0; k < HG_TREND_MONTHS; k++)
		score_done(&m->trend[k].score);
	m->score = m->trend[HG_TREND_MONTHS - 1].score;
	m->previous_score = m->trend[HG_TREND_MONTHS - 2].score;
	/* A night's score is over every control's latest status in the month up
	 * to that night: an import of one night counts on the nights after it,
	 * and the last night's score is the month's. */
	if (!(s = hg_store_stmt(h, HG_SQL_NIGHT_STATUSES, d)))
		return HG_EIO;
	hg_db_bind_text(s, 1, m->from);
	hg_db_bind_text(s, 2, m->to);
	{
		hg_hmap keys = {0};
		struct cur {
			const char *severity;
			int status; /* 0 passed, 1 failed, 2 unknown */
		} *cur = NULL;
		size_t ncur = 0, capcur = 0, night = 0;
		hg_score run;
		memset(&run, 0, sizeof(run));
		while ((rc = hg_db_step(s, d)) > 0) {
			const char *date = hg_db_col_text(s, 0), *st = hg_db_col_text(s, 5);
			const char *f[3] = {hg_db_col_text(s, 1), hg_db_col_text(s, 2), hg_db_col_text(s, 3)};
			uint64_t key = hg_hash_fields(f, 3);
			size_t at = hg_hmap_get(&keys, key);
			int status = strcmp(st, "passed") == 0 ? 0 : strcmp(st, "failed") == 0 ? 1 : 2;
			while (night < m->nnights && strcmp(m->nights[night].date, date) < 0) {
				m->nights[night].score = run;
				score_done(&m->nights[night++].score);
			}
			if (at == SIZE_MAX) {
				HG_GROW(cur, capcur, ncur + 1);
				cur[ncur].severity = NULL;
				hg_hmap_put(&keys, key, at = ncur++);
			} else
				score_add(&run, cur[at].severity, cur[at].status == 0 ? "passed"
				                                  : cur[at].status == 1 ? "failed" : "unknown", -1);
			cur[at].severity = hg_arena_strdup(m->a, hg_db_col_text(s, 4));
			cur[at].status = status;
			score_add(&run, cur[at].severity, st, 1);
		}
		hg_db_reset(s);
		while (night < m->nnights) {
			m->nights[night].score = run;
			score_done(&m->nights[night++].score);
		}
		free(cur);
		hg_hmap_dispose(&keys);
	}
	return rc;
}

static int cmp_account(const void *x, const void *y)
{
	return strcmp(((const hg_haccount *)x)->account, ((const hg_haccount *)y)->account);
}

/* The account named name (made when new); index: name -> position. */
static hg_haccount *account(hg_month *m, size_t *cap, hg_hmap *index, const char *name)
{
	const char *f[1] = {name};
	uint64_t k = hg_hash_fields(f, 1);
	size_t at = hg_hmap_get(index, k);
	if (at != SIZE_MAX)
		return &m->accounts[at];
	HG_AGROW(m->a, m->accounts, *cap, m->naccounts + 1);
	memset(&m->accounts[m->naccounts], 0, sizeof(m->accounts[0]));
	m->accounts[m->naccounts].account = hg_arena_strdup(m->a, name);
	hg_hmap_put(index, k, m->naccounts);
	return &m->accounts[m->naccounts++];
}

static int cmp_control(const void *x, const void *y)
{
	const hg_hcontrol *a = x, *b = y;
	int c;
	if ((a->score.failed > 0) != (b->score.failed > 0))
		return a->score.failed > 0 ? -1 : 1;
	if ((c = hg_severity_rank(a->severity) - hg_severity_rank(b->severity)) != 0)
		return c;
	if ((c = strcmp(a->source, b->source)) != 0)
		return c;
	return strcmp(a->control, b->control);
}

/* Accounts and controls: scores, open findings, coverage. */
static int per_account_and_control(hg_month *m, hg_history *h, hg_hfinding *open, size_t nopen,
        hg_diags *d)
{
	hg_db_stmt *s;
	hg_hmap index = {0}, cindex = {0};
	size_t cap = 0, ccap = 0, i;
	int rc;

	if (!(s = hg_store_stmt(h, HG_SQL_ACCOUNT_SCORES, d)))
		return HG_EIO;
	hg_db_bind_text(s, 1, m->month);
	while ((rc = hg_db_step(s, d)) > 0)
		score_add(&account(m, &cap, &index, hg_db_col_text(s, 0))->score, hg_db_col_text(s, 1),
		        hg_db_col_text(s, 2), hg_db_col_int(s, 3));
	hg_db_reset(s);
	if (rc < 0 || !(s = hg_store_stmt(h, HG_SQL_ACCOUNT_COVERAGE, d))) {
		rc = rc < 0 ? rc : HG_EIO;
		goto out;
	}
	hg_db_bind_text(s, 1, m->from);
	hg_db_bind_text(s, 2, m->to);
	while ((rc = hg_db_step(s, d)) > 0) { /* ordered by account, date: the last row wins */
		hg_haccount *a = account(m, &cap, &index, hg_db_col_text(s, 0));
		a->last = col(s, m->a, 1);
		a->resources = hg_db_col_int(s, 2);
		a->checked = hg_db_col_int(s, 3);
	}
	hg_db_reset(s);
	if (rc < 0)
		goto out;
	for (i = 0; i < nopen; i++) {
		hg_haccount *a;
		if (!*open[i].account)
			continue; /* check findings: the repository, not an account */
		a = account(m, &cap, &index, open[i].account);
		if (strcmp(open[i].status, "suppressed") == 0)
			a->suppressed++;
		else
			a->open++;
	}
	for (i = 0; i < m->naccounts; i++)
		score_done(&m->accounts[i].score);
	if (m->naccounts > 1)
		qsort(m->accounts, m->naccounts, sizeof(*m->accounts), cmp_account);
	if (!(s = hg_store_stmt(h, HG_SQL_CONTROL_SCORES, d))) {
		rc = HG_EIO;
		goto out;
	}
	hg_db_bind_text(s, 1, m->month);
	while ((rc = hg_db_step(s, d)) > 0) {
		const char *src = hg_db_col_text(s, 0), *ctl = hg_db_col_text(s, 1);
		hg_hcontrol *c = NULL;
		if (m->ncontrols && strcmp(m->controls[m->ncontrols - 1].source, src) == 0 &&
		        strcmp(m->controls[m->ncontrols - 1].control, ctl) == 0)
			c = &m->controls[m->ncontrols - 1];
		else {
			HG_AGROW(m->a, m->controls, ccap, m->ncontrols + 1);
			c = &m->controls[m->ncontrols++];
			memset(c, 0, sizeof(*c));
			c->source = hg_arena_strdup(m->a, src);
			c->control = hg_arena_strdup(m->a, ctl);
			c->severity = col(s, m->a, 2);
		}
		if (hg_severity_rank(hg_db_col_text(s, 2)) < hg_severity_rank(c->severity))
			c->severity = col(s, m->a, 2);
		score_add(&c->score, hg_db_col_text(s, 2), hg_db_col_text(s, 3), hg_db_col_int(s, 4));
	}
	hg_db_reset(s);
	if (rc < 0)
		goto out;
	if (!(s = hg_store_stmt(h, HG_SQL_CONTROL_TITLES, d))) {
		rc = HG_EIO;
		goto out;
	}
	for (i = 0; i < m->ncontrols; i++) {
		const char *f[2] = {m->controls[i].source, m->controls[i].control};
		hg_hmap_put(&cindex, hg_hash_fields(f, 2), i);
	}
	while ((rc = hg_db_step(s, d)) > 0) {
		const char *f[2] = {hg_db_col_text(s, 0), hg_db_col_text(s, 1)};
		size_t at = hg_hmap_get(&cindex, hg_hash_fields(f, 2));
		if (at != SIZE_MAX)
			m->controls[at].title = col(s, m->a, 2);
	}
	hg_db_reset(s);
	if (rc < 0)
		goto out;
	for (i = 0; i < nopen; i++) {
		const char *f[2] = {open[i].source, open[i].control};
		size_t at;
		if (!open[i].control || strcmp(open[i].status, "suppressed") == 0)
			continue;
		if ((at = hg_hmap_get(&cindex, hg_hash_fields(f, 2))) != SIZE_MAX)
			m->controls[at].open++;
	}
	for (i = 0; i < m->ncontrols; i++)
		score_done(&m->controls[i].score);
	if (m->ncontrols > 1)
		qsort(m->controls, m->ncontrols, sizeof(*m->controls), cmp_control);
	rc = 0;
out:
	hg_hmap_dispose(&index);
	hg_hmap_dispose(&cindex);
	return rc;
}

static int cmp_drift_control(const void *x, const void *y)
{
	const struct hg_hdrift_control *a = x, *b = y;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (!a->control || !b->control)
		return a->control ? -1 : b->control ? 1 : 0;
	return strcmp(a->control, b->control);
}

/* Drift findings open at the end, by severity and by control. */
static void drift_summary(hg_month *m)
{
	size_t i, k, cap = 0;
	for (i = 0; i < m->nopen; i++) {
		const hg_hfinding *f = &m->open[i];
		const char *p;
		if (strcmp(f->kind, "drift") != 0)
			continue;
		m->drift_by_severity[hg_csev_parse(f->severity)]++;
		p = f->controls && *f->controls ? f->controls : NULL;
		do {
			size_t len = p ? strcspn(p, " ") : 0;
			for (k = 0; k < m->ndrift_by_control; k++)
				if (p ? (m->drift_by_control[k].control &&
				                strlen(m->drift_by_control[k].control) == len &&
				                strncmp(m->drift_by_control[k].control, p, len) == 0)
				      : !m->drift_by_control[k].control)
					break;
			if (k == m->ndrift_by_control) {
				HG_AGROW(m->a, m->drift_by_control, cap, k + 1);
				m->drift_by_control[k].control = p ? hg_arena_strndup(m->a, p, len) : NULL;
				m->drift_by_control[k].count = 0;
				m->ndrift_by_control++;
			}
			m->drift_by_control[k].count++;
			p = p && p[len] ? p + len + 1 : NULL;
		} while (p);
	}
	if (m->ndrift_by_control > 1)
		qsort(m->drift_by_control, m->ndrift_by_control, sizeof(*m->drift_by_control),
		        cmp_drift_control);
}

/* The template versions of each account: those of its last run in the month. */
static int templates(hg_month *m, hg_history *h, hg_diags *d)
{
	hg_db_stmt *s = hg_store_stmt(h, HG_SQL_TEMPLATES_IN, d);
	size_t cap = 0, start = 0;
	int64_t last_run = 0;
	int rc;

	if (!s)
		return HG_EIO;
	hg_db_bind_text(s, 1, m->from);
	hg_db_bind_text(s, 2, m->to);
	/* Rows come by account, template, then run: a later run of the same
	 * (account, template) replaces what an earlier one said. */
	while ((rc = hg_db_step(s, d)) > 0) {
		const char *acct = hg_db_col_text(s, 0), *name = hg_db_col_text(s, 1);
		int64_t run = hg_db_col_int(s, 6);
		hg_htemplate *t;
		if (m->ntemplates > start && strcmp(m->templates[start].account, acct) == 0 &&
		        strcmp(m->templates[start].name, name) == 0) {
			if (run != last_run)
				m->ntemplates = start; /* a later run: forget the earlier one's */
		} else
			start = m->ntemplates;
		last_run = run;
		HG_AGROW(m->a, m->templates, cap, m->ntemplates + 1);
		t = &m->templates[m->ntemplates++];
		t->account = col(s, m->a, 0);
		t->name = col(s, m->a, 1);
		t->version = col(s, m->a, 2);
		t->mandatory = hg_db_col_int(s, 3) != 0;
		t->newest = col(s, m->a, 4);
		t->current = !t->newest || strcmp(t->newest, t->version) == 0;
	}
	hg_db_reset(s);
	return rc;
}

int hg_history_last_month(char out[8], hg_history *h, hg_diags *d)
{
	hg_db_stmt *s;
	int rc;

	out[0] = '\0';
	if ((rc = hg_store_begin(h, false, d)) < 0)
		return rc;
	if (!(s = hg_store_stmt(h, HG_SQL_LAST_DATE, d))) {
		hg_store_rollback(h);
		return HG_EIO;
	}
	rc = hg_db_step(s, d);
	if (rc > 0 && hg_db_col_text(s, 0))
		snprintf(out, 8, "%.7s", hg_db_col_text(s, 0));
	hg_db_reset(s);
	hg_store_rollback(h);
	return rc < 0 ? rc : 0;
}

void hg_month_free(hg_month *m)
{
	if (!m)
		return;
	hg_arena_dispose(m->a);
	free(m);
}

int hg_history_month(hg_month **out, hg_history *h, const char *month, hg_diags *d)
{
	hg_month *m = hg_xcalloc(1, sizeof(*m));
	hg_hfinding *atend = NULL;
	hg_db_stmt *s;
	size_t natend = 0, i, ncap = 0;
	int64_t later = 0;
	int rc;

	*out = NULL;
	m->a = hg_arena_new();
	snprintf(m->month, sizeof(m->month), "%.7s", month);
	snprintf(m->from, sizeof(m->from), "%s-01", m->month);
	snprintf(m->to, sizeof(m->to), "%s-31", m->month); /* dates compare as text */
	month_minus(m->previous, m->month, 1);
	if ((rc = hg_store_begin(h, false, d)) < 0)
		goto fail;
	if ((rc = hg_history__runs_between(&m->runs, &m->nruns, m->a, h, m->from, m->to, d)) < 0)
		goto done;
	if (!m->nruns) {
		hg_diag_add(d, HG_D_HISTORY_NO_RUNS, NULL, h->target, m->month, NULL);
		rc = HG_EIO;
		goto done;
	}
	/* The nights, and the drift coverage of each. */
	for (i = 0; i < m->nruns; i++) {
		const hg_hrun *r = &m->runs[i];
		hg_hnight *n;
		int src;
		for (src = 0; src < HG_SRC__COUNT; src++)
			if (strcmp(r->source, hg_hsource_name((hg_hsource)src)) == 0)
				m->sources[src]++;
		if (!m->nnights || strcmp(m->nights[m->nnights - 1].date, r->date) != 0) {
			HG_AGROW(m->a, m->nights, ncap, m->nnights + 1);
			n = &m->nights[m->nnights++];
			memset(n, 0, sizeof(*n));
			n->date = r->date;
		}
		n = &m->nights[m->nnights - 1];
		if (strcmp(r->source, "drift") == 0) {
			n->resources += r->resources;
			n->checked += r->checked;
			n->properties += r->properties;
			n->properties_checked += r->properties_checked;
			m->coverage = *n;
		}
	}
	if ((rc = scores(m, h, d)) < 0)
		goto done;
	/* Findings at the end of the month. */
	if (!(s = hg_store_stmt(h, HG_SQL_RUNS_AFTER, d))) {
		rc = HG_EIO;
		goto done;
	}
	hg_db_bind_text(s, 1, m->to);
	if ((rc = hg_store_int(s, &later, d)) < 0)
		goto done;
	if (!(s = hg_store_stmt(h, later ? HG_SQL_FINDINGS_ASOF : HG_SQL_FINDINGS_NOW, d))) {
		rc = HG_EIO;
		goto done;
	}
	hg_db_bind_text(s, 1, m->to);
	if ((rc = findings(&atend, &natend, m, s, false, d)) < 0)
		goto done;
	/* split: suppressed, and the rest (active) */
	m->open = HG_ANEWN(m->a, hg_hfinding, natend + 1);
	m->suppressed = HG_ANEWN(m->a, hg_hfinding, natend + 1);
	for (i = 0; i < natend; i++) {
		if (strcmp(atend[i].status, "suppressed") == 0)
			m->suppressed[m->nsuppressed++] = atend[i];
		else
			m->open[m->nopen++] = atend[i];
	}
	if ((rc = events_in(m, h, HG_SQL_OPENED_IN, &m->opened, &m->nopened, d)) < 0 ||
	        (rc = events_in(m, h, HG_SQL_RESOLVED_IN, &m->resolved, &m->nresolved, d)) < 0)
		goto done;
	for (i = 0; i < m->nopened; i++) {
		m->nnew += strcmp(m->opened[i].status, "new") == 0;
		m->nreopened += strcmp(m->opened[i].status, "reopened") == 0;
	}
	distinct(m, &m->opened, &m->nopened, false);
	distinct(m, &m->resolved, &m->nresolved, true);
	if ((rc = per_account_and_control(m, h, atend, natend, d)) < 0 || (rc = templates(m, h, d)) < 0)
		goto done;
	drift_summary(m);
	sort_findings(m, &m->opened, m->nopened);
	sort_findings(m, &m->resolved, m->nresolved);
	sort_findings(m, &m->open, m->nopen);
	sort_findings(m, &m->suppressed, m->nsuppressed);
	rc = 0;
done:
	hg_store_rollback(h);
	if (rc == 0) {
		*out = m;
		return 0;
	}
fail:
	hg_month_free(m);
	return rc;
}
