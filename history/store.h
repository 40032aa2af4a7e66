/*
 * store.h: the history store's connection, schema and statements
 * (semi-private to history/; the public interface is history.h).
 * Part of hinagata; see LICENSE.
 *
 * Every SQL statement the history uses is in sql.def, named; a module asks
 * for one by name (hg_store_stmt), binds its parameters and steps it. The
 * statements are prepared once per connection and reset after each use.
 */
#ifndef HG_HISTORY_STORE_H
#define HG_HISTORY_STORE_H

#include "db.h"
#include "history.h"

/* ORDER SQL: the statements of sql.def. */
typedef enum hg_sql_id {
#define HG_SQL(name, text) HG_SQL_##name,
#include "sql.def"
#undef HG_SQL
	HG_SQL__COUNT
} hg_sql_id;

struct hg_history {
	hg_db *db;
	char *target;
	int version;
	hg_db_stmt *stmts[HG_SQL__COUNT];
};

/*
 * The prepared statement id, reset with its bindings cleared (borrowed from
 * h; valid until the next hg_store_stmt of the same id). NULL after a
 * diagnostic in d when it cannot be prepared.
 */
hg_db_stmt *hg_store_stmt(hg_history *h, hg_sql_id id, hg_diags *d);

/* Transactions (write: the one writer lock, waiting up to the busy timeout). */
int hg_store_begin(hg_history *h, bool write, hg_diags *d);
int hg_store_commit(hg_history *h, hg_diags *d);
void hg_store_rollback(hg_history *h);

/* Step a statement that returns no rows, or one integer (*v; 0 when no row). */
int hg_store_run(hg_db_stmt *s, hg_diags *d);
int hg_store_int(hg_db_stmt *s, int64_t *v, hg_diags *d);

/* Runs dated from..to, in order (query.c; strings in a). */
int hg_history__runs_between(hg_hrun **out, size_t *n, hg_arena *a, hg_history *h,
        const char *from, const char *to, hg_diags *d);
/* A row of FINDING_BY_PREFIX or FINDINGS_ALL (its first 21 columns) into f (strings in a). */
void hg_history__finding_row(hg_hfinding *f, hg_db_stmt *s, hg_arena *a);

#endif
