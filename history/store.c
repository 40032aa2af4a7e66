/*
 * store.c: opening the history store, its schema versions and its
 * statements (see store.h and history.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. The layout of the store is data: schemas/history/<dialect>/
 * NNNN-name.sql, one file per schema version, embedded in the binary at
 * build time. A store records the version it is at (SQLite: user_version;
 * the driver decides where). Opening a store
 *
 *   1. asks the driver what the database is, reading only: a file of
 *      another program, a corrupt file or a newer schema is refused here,
 *      before anything is written, so it is never overwritten;
 *   2. brings an empty database or an older schema to the newest version,
 *      in one write transaction with every step and the new version number,
 *      after asking again inside the transaction (two first recordings may
 *      race to create the store; the second finds it made);
 *   3. hands out statements of sql.def by name, prepared once.
 *
 * A store opened read-only is never upgraded: it must be at the newest
 * version already (a recording upgrades it).
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/secret.h"
#include "../common/util.h"

static const char *const sql_text[] = {
#define HG_SQL(name, text) text,
#include "sql.def"
#undef HG_SQL
};

int hg_history_version_latest(void)
{
	size_t n;
	const hg_db_schema *s = hg_db_dialect_steps(hg_db_sqlite.dialect, &n);
	return n ? s[n - 1].version : 0;
}

char *hg_history_display(const char *target)
{
	hg_buf b = HG_BUF_INIT;
	hg_secret_mask(&b, target, strlen(target));
	return hg_buf_detach(&b);
}

int hg_history_version(const hg_history *h)
{
	return h->version;
}

/* Bring the store from its version to the newest, inside a write transaction. */
static int upgrade(hg_history *h, unsigned flags, hg_diags *d)
{
	const hg_db_driver *drv = h->db->drv;
	size_t n, i;
	const hg_db_schema *steps = hg_db_dialect_steps(drv->dialect, &n);
	hg_db_kind kind;
	int version, rc;

	if ((rc = drv->begin(h->db, true, d)) < 0)
		return rc;
	/* Again under the lock: another process may have done it meanwhile. */
	if ((rc = drv->identify(h->db, &kind, &version, d)) < 0)
		goto fail;
	if (kind == HG_DB_EMPTY && !(flags & HG_HISTORY_CREATE)) {
		hg_diag_add(d, HG_D_HISTORY_FOREIGN, NULL, h->target,
		        HG_BI("it is empty (nothing was recorded)", "空です (何も記録されていません)"), NULL);
		rc = HG_EIO;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (steps[i].version <= version)
			continue;
		if (steps[i].version != version + 1) { /* a gap in the embedded steps */
			hg_diag_add(d, HG_D_HISTORY_DB, NULL, h->target, steps[i].file, NULL);
			rc = HG_EIO;
			goto fail;
		}
		if ((rc = drv->exec(h->db, steps[i].sql, d)) < 0)
			goto fail;
		version = steps[i].version;
	}
	if ((rc = drv->set_version(h->db, version, d)) < 0 || (rc = drv->commit(h->db, d)) < 0)
		goto fail;
	h->version = version;
	return 0;
fail:
	drv->rollback(h->db);
	return rc < 0 ? rc : HG_EIO;
}

int hg_history_open(hg_history **out, const char *target, unsigned flags, unsigned busy_ms,
        hg_diags *d)
{
	hg_history *h;
	hg_db_kind kind;
	int version, latest = hg_history_version_latest(), rc;
	unsigned dbflags = ((flags & HG_HISTORY_CREATE) ? HG_DB_CREATE : 0) |
	                   ((flags & HG_HISTORY_READONLY) ? HG_DB_READONLY : 0);

	*out = NULL;
	h = hg_xcalloc(1, sizeof(*h));
	h->target = hg_history_display(target); /* what messages name: no password */
	if ((rc = hg_db_open(&h->db, target, dbflags, busy_ms ? busy_ms : 60000, d)) < 0)
		goto fail;
	if ((rc = h->db->drv->identify(h->db, &kind, &version, d)) < 0)
		goto fail;
	if (kind == HG_DB_OURS && version > latest) {
		char have[16], know[16];
		snprintf(have, sizeof(have), "%d", version);
		snprintf(know, sizeof(know), "%d", latest);
		hg_diag_add(d, HG_D_HISTORY_NEWER, NULL, h->target, have, know, NULL);
		rc = HG_EIO;
		goto fail;
	}
	if (kind == HG_DB_EMPTY && !(flags & HG_HISTORY_CREATE)) {
		hg_diag_add(d, HG_D_HISTORY_FOREIGN, NULL, h->target,
		        HG_BI("it is empty (nothing was recorded)", "空です (何も記録されていません)"), NULL);
		rc = HG_EIO;
		goto fail;
	}
	if (kind == HG_DB_OURS && version == latest) {
		h->version = version;
		if ((rc = h->db->drv->ready(h->db, d)) < 0)
			goto fail;
	} else if (flags & HG_HISTORY_READONLY) {
		char have[16];
		snprintf(have, sizeof(have), "%d", version);
		hg_diag_add(d, HG_D_HISTORY_DB, NULL, h->target,
		        HG_BI("the store has an older schema and is opened read-only: record into it once to upgrade it",
		                "ストアのスキーマが古く、読み取り専用で開いています。一度記録すると更新されます"),
		        NULL);
		rc = HG_EIO;
		goto fail;
	} else if ((rc = h->db->drv->ready(h->db, d)) < 0 || (rc = upgrade(h, flags, d)) < 0)
		goto fail;
	*out = h;
	return 0;
fail:
	hg_history_close(h);
	return rc < 0 ? rc : HG_EIO;
}

void hg_history_close(hg_history *h)
{
	size_t i;
	if (!h)
		return;
	for (i = 0; i < HG_SQL__COUNT; i++)
		hg_db_finalize(h->stmts[i]);
	hg_db_close(h->db);
	free(h->target);
	free(h);
}

hg_db_stmt *hg_store_stmt(hg_history *h, hg_sql_id id, hg_diags *d)
{
	if (!h->stmts[id]) {
		if (hg_db_prepare(&h->stmts[id], h->db, sql_text[id], d) < 0)
			return NULL;
	} else
		hg_db_reset(h->stmts[id]);
	return h->stmts[id];
}

int hg_store_begin(hg_history *h, bool write, hg_diags *d)
{
	return h->db->drv->begin(h->db, write, d);
}

int hg_store_commit(hg_history *h, hg_diags *d)
{
	return h->db->drv->commit(h->db, d);
}

void hg_store_rollback(hg_history *h)
{
	h->db->drv->rollback(h->db);
}

int hg_store_run(hg_db_stmt *s, hg_diags *d)
{
	int rc;
	if (!s)
		return HG_EIO;
	while ((rc = hg_db_step(s, d)) > 0)
		;
	hg_db_reset(s);
	return rc;
}

int hg_store_int(hg_db_stmt *s, int64_t *v, hg_diags *d)
{
	int rc;
	*v = 0;
	if (!s)
		return HG_EIO;
	rc = hg_db_step(s, d);
	if (rc > 0)
		*v = hg_db_col_int(s, 0);
	hg_db_reset(s);
	return rc < 0 ? rc : 0;
}
