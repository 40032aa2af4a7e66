/*
 * db.h: the database drivers of the history store (semi-private to history/).
 * Part of hinagata; see LICENSE.
 *
 * The store (store.c) speaks one SQL: plain statements that SQLite and
 * PostgreSQL both accept (`?` placeholders, INSERT ... ON CONFLICT DO
 * UPDATE, RETURNING). A driver hides the client library behind this small
 * interface: connect, tell whether the database is a hinagata store and at
 * which schema version, run the schema steps, transactions, and prepared
 * statements with integer and text parameters and columns. A backend is a
 * db_<name>.c with one hg_db_driver, an entry in the table of db.c, and the
 * layout in its dialect under schemas/history/<dialect>/ (the same schema
 * versions as every other dialect); callers do not change. Two exist:
 * SQLite (db_sqlite.c, a file) and PostgreSQL (db_pg.c, libpq:
 * `--history postgresql://...`, many workers writing at once).
 *
 * Ownership: an hg_db owns its statements' memory until hg_db_finalize; text
 * bound to a statement is copied; text read from a column is borrowed until
 * the next step, reset or finalize of that statement.
 */
#ifndef HG_HISTORY_DB_H
#define HG_HISTORY_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hg_db hg_db;
typedef struct hg_db_stmt hg_db_stmt;

/* One schema version of one dialect: the SQL that makes version-1 into it. */
typedef struct hg_db_schema {
	const char *dialect; /* directory under schemas/history/ */
	int version;
	const char *file;    /* its name, for messages */
	const char *sql;
} hg_db_schema;

/* Every step of every dialect (generated from schemas/history; ends with {0}). */
extern const hg_db_schema hg_db_schemas[];

enum {
	HG_DB_CREATE = 1,   /* create the store when there is none */
	HG_DB_READONLY = 2, /* never write (queries only) */
};

/* What a database is, before anything is written to it. */
typedef enum hg_db_kind {
	HG_DB_EMPTY,   /* nothing in it yet: a new store */
	HG_DB_OURS,    /* a hinagata history store */
	HG_DB_FOREIGN, /* something else: never touched */
} hg_db_kind;

typedef struct hg_db_driver {
	const char *name;    /* "sqlite" */
	const char *dialect; /* its directory under schemas/history/ */
	/* Does target name a database of this driver? (the first match wins) */
	bool (*accepts)(const char *target);
	int (*open)(hg_db **out, const char *target, unsigned flags, unsigned busy_ms, hg_diags *d);
	void (*close)(hg_db *db);
	/* What the database is and its schema version (0 when empty). */
	int (*identify)(hg_db *db, hg_db_kind *kind, int *version, hg_diags *d);
	/* Make the connection ready to write to a store identified as EMPTY or
	 * OURS (SQLite: write-ahead log, full sync), outside a transaction. */
	int (*ready)(hg_db *db, hg_diags *d);
	/* Mark the database as a store of schema version (inside a write transaction). */
	int (*set_version)(hg_db *db, int version, hg_diags *d);
	/* Run statements that return no rows (a schema step). */
	int (*exec)(hg_db *db, const char *sql, hg_diags *d);
	/* A transaction; write takes the store's one writer lock at once, waiting
	 * up to the busy timeout for another writer to finish. */
	int (*begin)(hg_db *db, bool write, hg_diags *d);
	int (*commit)(hg_db *db, hg_diags *d);
	void (*rollback)(hg_db *db);
	int (*prepare)(hg_db_stmt **out, hg_db *db, const char *sql, hg_diags *d);
	void (*bind_int)(hg_db_stmt *s, int i, int64_t v);   /* i from 1 */
	void (*bind_text)(hg_db_stmt *s, int i, const char *v); /* NULL: SQL NULL; copied */
	/* 1: a row is ready; 0: done; negative: an error (diagnostic in d). */
	int (*step)(hg_db_stmt *s, hg_diags *d);
	int64_t (*col_int)(hg_db_stmt *s, int i);          /* i from 0 */
	const char *(*col_text)(hg_db_stmt *s, int i);     /* NULL for SQL NULL; borrowed */
	void (*reset)(hg_db_stmt *s);                      /* ready to bind and step again */
	void (*finalize)(hg_db_stmt *s);
} hg_db_driver;

/* Every connection starts with these members (drivers extend the struct). */
struct hg_db {
	const hg_db_driver *drv;
	char *target; /* for messages (owned) */
};

/*
 * Connect to target (a file path, or a URL a driver accepts), as flags say,
 * waiting up to busy_ms for other writers. Returns 0; HG_EIO with a
 * diagnostic in d when it cannot be opened. Close with hg_db_close.
 */
int hg_db_open(hg_db **out, const char *target, unsigned flags, unsigned busy_ms, hg_diags *d);
void hg_db_close(hg_db *db);

/* The steps of dialect in version order (*n of them; borrowed). */
const hg_db_schema *hg_db_dialect_steps(const char *dialect, size_t *n);

/* Convenience wrappers over db->drv (the statement's driver for stmt calls). */
int hg_db_prepare(hg_db_stmt **out, hg_db *db, const char *sql, hg_diags *d);
void hg_db_bind_int(hg_db_stmt *s, int i, int64_t v);
void hg_db_bind_text(hg_db_stmt *s, int i, const char *v);
int hg_db_step(hg_db_stmt *s, hg_diags *d);
int64_t hg_db_col_int(hg_db_stmt *s, int i);
const char *hg_db_col_text(hg_db_stmt *s, int i);
void hg_db_reset(hg_db_stmt *s);
void hg_db_finalize(hg_db_stmt *s);

/* Every statement starts with its driver. */
struct hg_db_stmt {
	const hg_db_driver *drv;
};

/* The drivers (db_<name>.c). */
extern const hg_db_driver hg_db_pg;     /* postgresql://, postgres:// */
extern const hg_db_driver hg_db_sqlite; /* any other target: a file */

#ifdef __cplusplus
}
#endif
#endif
