/*
 * shards.c: imports into the history store, and a fleet's shards put
 * together into the run of their night (see history.h: hg_history_import).
 * Part of hinagata; see LICENSE. docs/history.md, "Shards of a night";
 * docs/fleet.md.
 *
 * Design. An input is one run (import.c reads it, lifecycle.c records it),
 * except the drift report of one shard of a fleet (drift --shard I/N, or
 * the batch engine's variables): recorded alone, each shard would be a run
 * of its own, N runs a night, and a template that no account of a shard
 * carries would be not checked in that shard (NOT_CHECKED, account "")
 * though another shard compared it, leaving its controls unknown. So:
 *
 *   1. a shard's report waits in the store (shard_result, schema version
 *      4), one row per shard of its night: date, revision, N. A later
 *      report of the same shard replaces the waiting one (a worker run
 *      twice); once the night is recorded, the shard counts once (HG7108,
 *      HG7112);
 *   2. the report that completes the night (all N shards in) records them
 *      all as one drift run, in the same transaction: every shard's results
 *      and listings into one recorder, the results of a template that some
 *      shard matched dropped from the shards that could not, those of a
 *      template no shard matched kept from the first shard that has them.
 *      That is the run one unsharded night makes: the same findings,
 *      statuses, events, scores, run counts and monthly report
 *      (tests/cli/shards.sh checks it on SQLite and PostgreSQL);
 *   3. a night whose shards never all arrive (a worker that failed for
 *      good) is recorded with the shards that did, before a later night of
 *      drift is recorded (statuses are a replay in date order): its missing
 *      accounts were not checked that night, so nothing of theirs resolves
 *      (HG7113 says so).
 *
 * Every step runs under the store's one writer lock, so workers importing
 * their shards at once (PostgreSQL) complete a night exactly once: the
 * last to take the lock sees the others' rows. A report is kept whole
 * while it waits (its JSON), and dropped when its night is recorded.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/hash.h"
#include "../common/util.h"
#include "record.h"
#include "store.h"

/* A night of shards. */
struct night {
	char date[11];
	const char *ref; /* "" when the reports name none */
	int64_t count;
	char *own;       /* ref, when the night owns it */
};

/* A shard's report, read back from the store. */
struct body {
	int64_t shard;
	char *label, *text;
	size_t len;
};

/* Bind night nt's key (date, ref, count) to s's parameters from first on. */
static void bind_night(hg_db_stmt *s, int first, const struct night *nt)
{
	hg_db_bind_text(s, first, nt->date);
	hg_db_bind_text(s, first + 1, nt->ref);
	hg_db_bind_int(s, first + 2, nt->count);
}

/* ---- which results of which shard the night keeps ---- */

/* A result of a template that matched no stack or deployment in its run's
 * units: NOT_CHECKED, in no account, its unit the template's own file. */
static bool unmatched(const json_t *x)
{
	const char *st = json_string_value(json_object_get(x, "status"));
	const char *account = json_string_value(json_object_get(x, "account"));
	const char *unit = json_string_value(json_object_get(x, "unit"));
	const char *source = json_string_value(json_object_get(x, "source"));
	return st && strcmp(st, "NOT_CHECKED") == 0 && (!account || !*account) && unit && source &&
	       strcmp(unit, source) == 0;
}

static uint64_t source_key(const json_t *x)
{
	const char *f[1] = {json_string_value(json_object_get(x, "source"))};
	return hg_hash_fields(f, 1);
}

struct merge {
	hg_hmap matched; /* template sources some shard compared somewhere */
	hg_hmap keeper;  /* template source -> the first shard that could not match it */
	int64_t shard;   /* the shard being read */
};

static bool keep(const json_t *x, void *payload)
{
	const struct merge *m = payload;
	uint64_t k;
	if (!unmatched(x))
		return true;
	k = source_key(x);
	return hg_hmap_get(&m->matched, k) == SIZE_MAX && hg_hmap_get(&m->keeper, k) == (size_t)m->shard;
}

static void survey(struct merge *m, const json_t *doc, int64_t shard)
{
	const json_t *x;
	size_t i;
	json_array_foreach(json_object_get(doc, "resources"), i, x) {
		const char *account = json_string_value(json_object_get(x, "account"));
		if (unmatched(x)) {
			if (hg_hmap_get(&m->keeper, source_key(x)) == SIZE_MAX)
				hg_hmap_put(&m->keeper, source_key(x), (size_t)shard);
		} else if (account && *account && json_string_value(json_object_get(x, "source")))
			hg_hmap_put(&m->matched, source_key(x), 1);
	}
}

/* ---- the night's reports ---- */

static void bodies_free(struct body *b, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		free(b[i].label);
		free(b[i].text);
	}
	free(b);
}

/* The reports of night waiting in the store, by shard. */
static int load_bodies(struct body **out, size_t *n, hg_history *h, const struct night *nt, hg_diags *d)
{
	hg_db_stmt *s = hg_store_stmt(h, HG_SQL_SHARD_BODIES, d);
	struct body *b = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!s)
		return HG_EIO;
	bind_night(s, 1, nt);
	while ((rc = hg_db_step(s, d)) > 0) {
		const char *label = hg_db_col_text(s, 1), *text = hg_db_col_text(s, 2);
		HG_GROW(b, cap, *n + 1);
		b[*n].shard = hg_db_col_int(s, 0);
		b[*n].label = hg_xstrdup(label ? label : "");
		b[*n].text = hg_xstrdup(text ? text : "");
		b[*n].len = strlen(b[*n].text);
		(*n)++;
	}
	hg_db_reset(s);
	*out = b;
	if (rc < 0) {
		bodies_free(b, *n);
		*out = NULL;
		*n = 0;
	}
	return rc < 0 ? rc : 0;
}

static int done(hg_history *h, const struct night *nt, int64_t run, hg_diags *d)
{
	hg_db_stmt *s = hg_store_stmt(h, HG_SQL_SHARD_DONE, d);
	if (!s)
		return HG_EIO;
	hg_db_bind_int(s, 1, run);
	bind_night(s, 2, nt);
	return hg_store_run(s, d);
}

/*
 * Record the waiting reports of night nt as one drift run (inside the
 * caller's transaction), with rules' rule data. res: what it recorded.
 */
static int record_night(hg_history *h, const hg_record_options *rules, const struct night *nt,
        hg_record_result *res, hg_diags *d)
{
	hg_record_options o = *rules;
	struct merge m;
	struct body *b = NULL;
	hg_recorder *r = NULL;
	hg_buf label = HG_BUF_INIT;
	size_t n = 0, i;
	int rc;

	memset(&m, 0, sizeof(m));
	memset(res, 0, sizeof(*res));
	if ((rc = load_bodies(&b, &n, h, nt, d)) < 0)
		goto out;
	/* Two passes over the reports, one of them parsed at a time: which
	 * templates some shard matched, then the results the night keeps. */
	for (i = 0; i < n; i++) {
		json_t *doc = hg_import__parse(b[i].label, b[i].text, b[i].len, d);
		if (!doc) {
			rc = HG_EINVALID;
			goto out;
		}
		survey(&m, doc, b[i].shard);
		json_decref(doc);
		/* the run's label names its shards' inputs (a few of them) */
		if (i < 3)
			hg_buf_printf(&label, "%s%s", i ? ", " : "", b[i].label);
	}
	if (n > 3)
		hg_buf_printf(&label, ", ... (%zu shards)", n);
	o.source = HG_SRC_DRIFT;
	o.date = nt->date;
	o.ref = NULL; /* the reports' own */
	o.label = label.ptr;
	o.input_key = NULL; /* the shards' rows know their inputs */
	if (!(r = hg_recorder_new(&o, d))) {
		rc = HG_EIO;
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		json_t *doc = hg_import__parse(b[i].label, b[i].text, b[i].len, d);
		if (!doc) {
			rc = HG_EINVALID;
			break;
		}
		m.shard = b[i].shard;
		rc = hg_import__drift(r, b[i].label, b[i].text, b[i].len, doc, keep, &m, d);
		json_decref(doc);
	}
	if (rc == 0 && (rc = hg_history__record_in(r, h, res, d)) == 0)
		rc = done(h, nt, res->run, d);
out:
	hg_recorder_free(r);
	bodies_free(b, n);
	hg_hmap_dispose(&m.matched);
	hg_hmap_dispose(&m.keeper);
	hg_buf_dispose(&label);
	return rc;
}

/* The shards of night nt in the store: *present of them, *run the run that recorded it (0: waits). */
static int night_state(hg_history *h, const struct night *nt, bool *have, int64_t *present,
        int64_t *run, int64_t shard, const char *key, bool *same, hg_diags *d)
{
	hg_db_stmt *s = hg_store_stmt(h, HG_SQL_SHARD_NIGHT, d);
	int rc;

	*present = *run = 0;
	if (same)
		*same = false;
	if (!s)
		return HG_EIO;
	bind_night(s, 1, nt);
	while ((rc = hg_db_step(s, d)) > 0) {
		int64_t k = hg_db_col_int(s, 0);
		if (k >= 1 && k <= nt->count && have && !have[k - 1]) {
			have[k - 1] = true;
			(*present)++;
		}
		if (hg_db_col_int(s, 2))
			*run = hg_db_col_int(s, 2);
		if (same && k == shard && hg_db_col_text(s, 1) && strcmp(hg_db_col_text(s, 1), key) == 0)
			*same = true;
	}
	hg_db_reset(s);
	return rc < 0 ? rc : 0;
}

/* "2, 5, 7" (the first few, then "..."): the shards of have that are missing. */
static void missing_list(hg_buf *out, const bool *have, int64_t count)
{
	int64_t k, listed = 0;
	for (k = 0; k < count; k++) {
		if (have[k])
			continue;
		if (listed++ == 10) {
			hg_buf_puts(out, ", ...");
			break;
		}
		hg_buf_printf(out, "%s%lld", listed > 1 ? ", " : "", (long long)(k + 1));
	}
}

int hg_history__shards_before(hg_history *h, const hg_record_options *rules, const char *date, hg_diags *d)
{
	struct night *nights = NULL;
	size_t n = 0, cap = 0, i;
	hg_db_stmt *s = hg_store_stmt(h, HG_SQL_SHARD_WAITING_BEFORE, d);
	int rc;

	if (!s)
		return HG_EIO;
	hg_db_bind_text(s, 1, date);
	while ((rc = hg_db_step(s, d)) > 0) {
		HG_GROW(nights, cap, n + 1);
		snprintf(nights[n].date, sizeof(nights[n].date), "%s", hg_db_col_text(s, 0) ? hg_db_col_text(s, 0) : "");
		nights[n].ref = nights[n].own = hg_xstrdup(hg_db_col_text(s, 1) ? hg_db_col_text(s, 1) : "");
		nights[n].count = hg_db_col_int(s, 2);
		n++;
	}
	hg_db_reset(s);
	for (i = 0; i < n && rc >= 0; i++) {
		bool *have = hg_xcalloc((size_t)nights[i].count + 1, sizeof(bool));
		int64_t present, run;
		hg_record_result res;
		if ((rc = night_state(h, &nights[i], have, &present, &run, 0, NULL, NULL, d)) == 0) {
			char got[24], of[24];
			hg_buf miss = HG_BUF_INIT;
			snprintf(got, sizeof(got), "%lld", (long long)present);
			snprintf(of, sizeof(of), "%lld", (long long)nights[i].count);
			missing_list(&miss, have, nights[i].count);
			hg_diag_add(d, HG_D_SHARD_MISSING, NULL, nights[i].date, got, of, miss.ptr, NULL);
			hg_buf_dispose(&miss);
			rc = record_night(h, rules, &nights[i], &res, d);
		}
		free(have);
	}
	for (i = 0; i < n; i++)
		free(nights[i].own);
	free(nights);
	return rc < 0 ? rc : 0;
}

/* A shard's report: staged, and its night recorded when it completes it. */
static int import_shard(hg_history *h, const hg_record_options *o, const char *file,
        const char *text, size_t len, const char *key, unsigned shard, const struct night *nt,
        hg_import_result *res, hg_diags *d)
{
	hg_db_stmt *s;
	bool *have = hg_xcalloc((size_t)nt->count + 1, sizeof(bool)), same;
	int64_t present, run;
	int rc;

	if ((rc = hg_store_begin(h, true, d)) < 0)
		goto out;
	/* A night older than the newest recorded is history already (statuses replay in order). */
	if (!(s = hg_store_stmt(h, HG_SQL_NEWEST_DATE, d))) {
		rc = HG_EIO;
		goto fail;
	}
	hg_db_bind_text(s, 1, hg_hsource_name(HG_SRC_DRIFT));
	if ((rc = hg_db_step(s, d)) < 0)
		goto fail;
	if (rc > 0 && hg_db_col_text(s, 0) && strcmp(nt->date, hg_db_col_text(s, 0)) < 0) {
		hg_diag_add(d, HG_D_HISTORY_ORDER, NULL, hg_hsource_name(HG_SRC_DRIFT), nt->date,
		        hg_db_col_text(s, 0), NULL);
		hg_db_reset(s);
		rc = HG_EINVALID;
		goto fail;
	}
	hg_db_reset(s);
	if ((rc = night_state(h, nt, have, &present, &run, shard, key, &same, d)) < 0)
		goto fail;
	if (run) { /* the night is recorded: this shard counts once */
		char which[32], ran[24];
		snprintf(which, sizeof(which), "%u/%lld", shard, (long long)nt->count);
		snprintf(ran, sizeof(ran), "%lld", (long long)run);
		if (same) {
			hg_diag_add(d, HG_D_IMPORT_AGAIN, NULL, file, ran, NULL);
			res->rec.again = run;
		} else
			hg_diag_add(d, HG_D_SHARD_RECORDED, NULL, which, nt->date, ran, NULL);
		hg_store_rollback(h);
		rc = 0;
		goto out;
	}
	if (!(s = hg_store_stmt(h, HG_SQL_SHARD_PUT, d))) {
		rc = HG_EIO;
		goto fail;
	}
	bind_night(s, 1, nt);
	hg_db_bind_int(s, 4, shard);
	hg_db_bind_text(s, 5, key);
	hg_db_bind_text(s, 6, o->label ? o->label : file);
	{
		/* stored as it was read: text, which a JSON report is */
		char *body = hg_xstrndup(text, len);
		hg_db_bind_text(s, 7, body);
		free(body);
	}
	if ((rc = hg_store_run(s, d)) < 0)
		goto fail;
	if (!have[shard - 1]) {
		have[shard - 1] = true;
		present++;
	}
	if (present < nt->count)
		res->waiting = (unsigned)(nt->count - present);
	else if ((rc = hg_history__shards_before(h, o, nt->date, d)) < 0 ||
	         (rc = record_night(h, o, nt, &res->rec, d)) < 0)
		goto fail;
	if ((rc = hg_store_commit(h, d)) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	hg_store_rollback(h);
	memset(&res->rec, 0, sizeof(res->rec));
	res->waiting = 0;
out:
	free(have);
	return rc;
}

int hg_history_import(hg_history *h, const hg_record_options *o, const char *fallback_date,
        const char *file, const char *text, size_t len, hg_import_result *res, hg_diags *d)
{
	hg_import_kind kind = hg_import_detect(text, len);
	hg_record_options ro = *o;
	hg_recorder *r = NULL;
	hg_buf key = HG_BUF_INIT;
	json_t *doc = NULL;
	char hex[17];
	int rc;

	memset(res, 0, sizeof(*res));
	/* The same bytes of the same kind are one run, however often imported. */
	hg_hash_hex(hex, hg_hash64(text, len));
	hg_buf_printf(&key, "%s:%s", hg_hsource_name(hg_import_source(kind)), hex);
	ro.source = hg_import_source(kind);
	ro.label = o->label ? o->label : file;
	ro.input_key = key.ptr;
	ro.date = o->date ? o->date : fallback_date;
	if (kind == HG_IMPORT_DRIFT) {
		const char *own;
		unsigned shard, count;
		if (!(doc = hg_import__parse(file, text, len, d))) {
			rc = HG_EINVALID;
			goto out;
		}
		/* A drift report stands for the night it was judged for, unless told. */
		own = json_string_value(json_object_get(doc, "date"));
		if (!o->date && own && hg_is_date(own))
			ro.date = own;
		if ((rc = hg_import__shard(file, text, len, doc, &shard, &count, d)) < 0)
			goto out;
		if (count > 1) {
			struct night nt;
			const char *ref = json_string_value(json_object_get(doc, "ref"));
			if (!ro.date || !hg_is_date(ro.date)) {
				hg_diag_add(d, HG_D_IGNORE_DATE, NULL, ro.date ? ro.date : "", NULL);
				rc = HG_EINVALID;
				goto out;
			}
			if ((rc = hg_import__drift(NULL, file, text, len, doc, NULL, NULL, d)) < 0)
				goto out; /* a report that could not be recorded never waits */
			/* (doc stays: ro.date and ref may be its strings) */
			snprintf(nt.date, sizeof(nt.date), "%s", ro.date);
			nt.ref = ref ? ref : "";
			nt.own = NULL;
			nt.count = count;
			res->shard = shard;
			res->count = count;
			snprintf(res->date, sizeof(res->date), "%s", ro.date);
			rc = import_shard(h, &ro, file, text, len, key.ptr, shard, &nt, res, d);
			goto out;
		}
	}
	if (ro.date)
		snprintf(res->date, sizeof(res->date), "%s", ro.date);
	if (!(r = hg_recorder_new(&ro, d))) {
		rc = HG_EIO;
		goto out;
	}
	rc = doc ? hg_import__drift(r, file, text, len, doc, NULL, NULL, d)
	         : hg_import_read(r, kind, file, text, len, d);
	if (rc == 0)
		rc = hg_recorder_commit(r, h, &res->rec, d);
out:
	json_decref(doc);
	hg_recorder_free(r);
	hg_buf_dispose(&key);
	return rc;
}
