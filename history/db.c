/*
 * db.c: choosing a database driver for a history target (see db.h).
 * Part of hinagata; see LICENSE.
 *
 * A target is a file path unless a driver claims it (a URL scheme); the
 * first driver of the table that accepts it opens it. SQLite, the default,
 * accepts every path, so it comes last.
 */
#include "db.h"

#include <string.h>

static const hg_db_driver *const drivers[] = {
        &hg_db_pg,     /* postgresql://, postgres:// */
        &hg_db_sqlite, /* last: any path */
};

int hg_db_open(hg_db **out, const char *target, unsigned flags, unsigned busy_ms, hg_diags *d)
{
	size_t i;

	*out = NULL;
	for (i = 0; i < sizeof(drivers) / sizeof(*drivers); i++)
		if (drivers[i]->accepts(target))
			return drivers[i]->open(out, target, flags, busy_ms, d);
	hg_diag_add(d, HG_D_HISTORY_DB, NULL, target,
	        HG_BI("no database driver takes this target", "この指定を扱えるデータベースドライバがありません"),
	        NULL);
	return HG_EIO;
}

void hg_db_close(hg_db *db)
{
	if (db)
		db->drv->close(db);
}

const hg_db_schema *hg_db_dialect_steps(const char *dialect, size_t *n)
{
	const hg_db_schema *first = NULL;
	size_t i;

	*n = 0;
	for (i = 0; hg_db_schemas[i].dialect; i++)
		if (strcmp(hg_db_schemas[i].dialect, dialect) == 0) {
			if (!first)
				first = &hg_db_schemas[i];
			(*n)++;
		}
	return first;
}

int hg_db_prepare(hg_db_stmt **out, hg_db *db, const char *sql, hg_diags *d)
{
	return db->drv->prepare(out, db, sql, d);
}

void hg_db_bind_int(hg_db_stmt *s, int i, int64_t v)
{
	s->drv->bind_int(s, i, v);
}

void hg_db_bind_text(hg_db_stmt *s, int i, const char *v)
{
	s->drv->bind_text(s, i, v);
}

int hg_db_step(hg_db_stmt *s, hg_diags *d)
{
	return s->drv->step(s, d);
}

int64_t hg_db_col_int(hg_db_stmt *s, int i)
{
	return s->drv->col_int(s, i);
}

const char *hg_db_col_text(hg_db_stmt *s, int i)
{
	return s->drv->col_text(s, i);
}

void hg_db_reset(hg_db_stmt *s)
{
	if (s)
		s->drv->reset(s);
}

void hg_db_finalize(hg_db_stmt *s)
{
	if (s)
		s->drv->finalize(s);
}
