/*
 * db_sqlite.c: the SQLite driver of the history store (see db.h). The only
 * file that includes sqlite3.h.
 * Part of hinagata; see LICENSE.
 *
 * Design. A history file is one SQLite database that several nightly jobs
 * may write at once and a report may read meanwhile:
 *
 * - It is marked as ours in its header: application_id (offset 68) holds
 *   HG_SQLITE_APP_ID, user_version (offset 60) the schema version. Both are
 *   read before anything is written, so a file of another program, a
 *   corrupt file or a file that is not a database is refused with HG7101
 *   and left byte for byte as it was; a store of a newer schema is refused
 *   by the store (HG7102).
 * - Write-ahead logging (persistent in the file): readers do not block the
 *   writer nor it them. There is still one writer at a time; a writer takes
 *   the lock with BEGIN IMMEDIATE, so the busy timeout applies to the wait
 *   (a deferred transaction that upgrades to a write fails at once instead,
 *   to avoid deadlock), and a second recording queues behind the first.
 * - synchronous=FULL: a commit is on disk when it returns. A process killed
 *   at any point leaves the last committed state (SQLite's atomic commit);
 *   the next connection rolls the log back or forward.
 * - WAL needs every process on one host (shared memory): a history on a
 *   network file system is for one machine; a fleet shares PostgreSQL.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../common/buf.h"
#include "../common/fs.h"
#include "../common/util.h"
#include "db.h"

/* 'HGHS' (hinagata history store), big-endian as SQLite stores it. */
#define HG_SQLITE_APP_ID 0x48474853

struct sdb {
	hg_db base;
	sqlite3 *db;
	unsigned busy_ms;
	bool readonly;
};

struct sstmt {
	hg_db_stmt base;
	struct sdb *db;
	sqlite3_stmt *st;
};

/* A diagnostic for rc from db: busy, not a store (corrupt, not a database), or anything else. */
static int fail(struct sdb *s, int rc, hg_diags *d)
{
	const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	int err = s->db ? sqlite3_system_errno(s->db) : 0;
	char secs[32];
	hg_buf why = HG_BUF_INIT;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		snprintf(secs, sizeof(secs), "%u", s->busy_ms);
		hg_diag_add(d, HG_D_HISTORY_BUSY, NULL, s->base.target, secs, NULL);
		break;
	case SQLITE_NOTADB:
		hg_diag_add(d, HG_D_HISTORY_FOREIGN, NULL, s->base.target,
		        HG_BI("it is not a database (or it is encrypted)",
		                "データベースではありません (または暗号化されています)"),
		        NULL);
		break;
	case SQLITE_CORRUPT:
		hg_diag_add(d, HG_D_HISTORY_FOREIGN, NULL, s->base.target,
		        HG_BI("the database is corrupt", "データベースが壊れています"), NULL);
		break;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_FULL:
		/* The system's reason says more than SQLite's "unable to open". */
		hg_buf_puts(&why, (rc & 0xff) == SQLITE_FULL ? HG_BI("the disk is full", "ディスクがいっぱいです")
		                  : (rc & 0xff) == SQLITE_IOERR
		                          ? HG_BI("an I/O error", "入出力エラー")
		                          : HG_BI("cannot open or create it", "開くことも作ることもできません"));
		if (err) {
			/* both halves of the bilingual text get the reason */
			const char *sep = strchr(why.ptr, '\x1f');
			hg_buf t = HG_BUF_INIT;
			hg_buf_printf(&t, "%.*s: %s\x1f%s: %s", (int)(sep - why.ptr), why.ptr, strerror(err),
			        sep + 1, strerror(err));
			hg_buf_dispose(&why);
			why = t;
		}
		hg_diag_add(d, HG_D_HISTORY_DB, NULL, s->base.target, why.ptr, NULL);
		break;
	default:
		hg_diag_add(d, HG_D_HISTORY_DB, NULL, s->base.target, msg, NULL);
	}
	hg_buf_dispose(&why);
	return HG_EIO;
}

static bool accepts(const char *target)
{
	(void)target;
	return true;
}

static int s_open(hg_db **out, const char *target, unsigned flags, unsigned busy_ms, hg_diags *d)
{
	struct sdb *s;
	struct stat st;
	int oflags, rc;

	*out = NULL;
	if (stat(target, &st) == 0 && S_ISDIR(st.st_mode)) {
		hg_diag_add(d, HG_D_HISTORY_FOREIGN, NULL, target,
		        HG_BI("it is a directory", "ディレクトリです"), NULL);
		return HG_EIO;
	}
	if (!(flags & HG_DB_CREATE) && stat(target, &st) != 0) {
		hg_diag_add(d, HG_D_IO_READ, NULL, target, strerror(errno), NULL);
		return HG_EIO;
	}
	if ((flags & HG_DB_CREATE) && stat(target, &st) != 0) {
		/* a store in a directory of its own (ops/history.db): made with it */
		char *dir = hg_xstrdup(target), *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if (stat(dir, &st) != 0)
				hg_fs_mkdirs(dir); /* a failure is reported by the open below */
		}
		free(dir);
	}
	s = hg_xcalloc(1, sizeof(*s));
	s->base.drv = &hg_db_sqlite;
	s->base.target = hg_xstrdup(target);
	s->busy_ms = busy_ms;
	s->readonly = (flags & HG_DB_READONLY) != 0;
	/* One connection per thread of use; URIs are not interpreted (a path is a path). */
	oflags = SQLITE_OPEN_NOMUTEX |
	         (s->readonly ? SQLITE_OPEN_READONLY
	                      : SQLITE_OPEN_READWRITE | ((flags & HG_DB_CREATE) ? SQLITE_OPEN_CREATE : 0));
	rc = sqlite3_open_v2(target, &s->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		fail(s, rc, d);
		s->base.drv->close(&s->base);
		return HG_EIO;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, (int)busy_ms);
	*out = &s->base;
	return 0;
}

static void s_close(hg_db *db)
{
	struct sdb *s = (struct sdb *)db;
	sqlite3_close_v2(s->db);
	free(s->base.target);
	free(s);
}

static int s_identify(hg_db *db, hg_db_kind *kind, int *version, hg_diags *d)
{
	struct sdb *s = (struct sdb *)db;
	int64_t app = 0, ver = 0, objects = 0;
	char why[160];

	*kind = HG_DB_FOREIGN;
	*version = 0;
	/* One statement, so one snapshot: another process creating the store
	 * at this moment is seen before or after, never half done. Reading
	 * the header of something that is not a database fails here
	 * (SQLITE_NOTADB), before anything could be written to it. */
	{
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(s->db,
		        "SELECT (SELECT application_id FROM pragma_application_id()), "
		        "(SELECT user_version FROM pragma_user_version()), (SELECT count(*) FROM sqlite_master)",
		        -1, &st, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			app = sqlite3_column_int64(st, 0);
			ver = sqlite3_column_int64(st, 1);
			objects = sqlite3_column_int64(st, 2);
			rc = SQLITE_OK;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_OK)
			return fail(s, rc, d);
	}
	if (app == HG_SQLITE_APP_ID && ver > 0) {
		*kind = HG_DB_OURS;
		*version = ver > 0x7fffffff ? 0x7fffffff : (int)ver;
		return 0;
	}
	if (app == 0 && ver == 0 && objects == 0) {
		*kind = HG_DB_EMPTY;
		return 0;
	}
	if (app != 0 && app != HG_SQLITE_APP_ID)
		snprintf(why, sizeof(why),
		        HG_BI("an SQLite database of another application (application_id %lld)",
		                "別のアプリケーションの SQLite データベースです (application_id %lld)"),
		        (long long)app, (long long)app);
	else
		snprintf(why, sizeof(why), "%s",
		        HG_BI("an SQLite database without the hinagata mark (application_id)",
		                "hinagata の印 (application_id) のない SQLite データベースです"));
	hg_diag_add(d, HG_D_HISTORY_FOREIGN, NULL, s->base.target, why, NULL);
	return HG_EINVALID;
}

static int s_exec(hg_db *db, const char *sql, hg_diags *d)
{
	struct sdb *s = (struct sdb *)db;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : fail(s, rc, d);
}

/* The journal mode now in force after `sql` (a journal_mode pragma), or a SQLite error code. */
static int journal_mode(struct sdb *s, const char *sql, bool *wal)
{
	sqlite3_stmt *st = NULL;
	const char *mode;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		mode = (const char *)sqlite3_column_text(st, 0);
		*wal = mode && strcmp(mode, "wal") == 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

static int s_ready(hg_db *db, hg_diags *d)
{
	struct sdb *s = (struct sdb *)db;
	struct timespec pause = {0, 20 * 1000000L};
	unsigned waited = 0;
	bool wal = false;
	int rc;

	if (s->readonly)
		return 0;
	/* A store is switched to write-ahead logging once, when it is made;
	 * the mode is kept in the file. The switch needs the file to itself
	 * and SQLite does not wait for that with the busy handler: two first
	 * recordings racing to make the store, one waits here. */
	if ((rc = journal_mode(s, "PRAGMA journal_mode", &wal)) != SQLITE_OK)
		return fail(s, rc, d);
	while (!wal) {
		rc = journal_mode(s, "PRAGMA journal_mode=WAL", &wal);
		if (rc == SQLITE_BUSY && waited < s->busy_ms) {
			nanosleep(&pause, NULL);
			waited += 20;
			continue;
		}
		if (rc != SQLITE_OK)
			return fail(s, rc, d);
		if (!wal) {
			hg_diag_add(d, HG_D_HISTORY_DB, NULL, s->base.target,
			        HG_BI("cannot use a write-ahead log here (a network file system?)",
			                "ここでは先行書き込みログを使えません (ネットワークファイルシステム?)"),
			        NULL);
			return HG_EIO;
		}
	}
	/* A month of a fleet is read in one report and a night writes tens of
	 * thousands of rows: 64 MiB of page cache, and the file mapped (up to
	 * 1 GiB) so that pages are read without a copy. */
	return s_exec(db, "PRAGMA synchronous=FULL; PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824", d);
}

static int s_set_version(hg_db *db, int version, hg_diags *d)
{
	char sql[96];
	snprintf(sql, sizeof(sql), "PRAGMA application_id=%d; PRAGMA user_version=%d", HG_SQLITE_APP_ID,
	        version);
	return s_exec(db, sql, d);
}

static int s_begin(hg_db *db, bool write, hg_diags *d)
{
	return s_exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN", d);
}

static int s_commit(hg_db *db, hg_diags *d)
{
	return s_exec(db, "COMMIT", d);
}

static void s_rollback(hg_db *db)
{
	struct sdb *s = (struct sdb *)db;
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int s_prepare(hg_db_stmt **out, hg_db *db, const char *sql, hg_diags *d)
{
	struct sdb *s = (struct sdb *)db;
	struct sstmt *st = hg_xcalloc(1, sizeof(*st));
	int rc;

	st->base.drv = &hg_db_sqlite;
	st->db = s;
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->st, NULL);
	if (rc != SQLITE_OK) {
		free(st);
		*out = NULL;
		return fail(s, rc, d);
	}
	*out = &st->base;
	return 0;
}

static void s_bind_int(hg_db_stmt *s, int i, int64_t v)
{
	sqlite3_bind_int64(((struct sstmt *)s)->st, i, v);
}

static void s_bind_text(hg_db_stmt *s, int i, const char *v)
{
	struct sstmt *st = (struct sstmt *)s;
	if (v)
		sqlite3_bind_text(st->st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st->st, i);
}

static int s_step(hg_db_stmt *s, hg_diags *d)
{
	struct sstmt *st = (struct sstmt *)s;
	int rc = sqlite3_step(st->st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	fail(st->db, rc, d);
	sqlite3_reset(st->st);
	return HG_EIO;
}

static int64_t s_col_int(hg_db_stmt *s, int i)
{
	return sqlite3_column_int64(((struct sstmt *)s)->st, i);
}

static const char *s_col_text(hg_db_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(((struct sstmt *)s)->st, i);
}

static void s_reset(hg_db_stmt *s)
{
	struct sstmt *st = (struct sstmt *)s;
	sqlite3_reset(st->st);
	sqlite3_clear_bindings(st->st);
}

static void s_finalize(hg_db_stmt *s)
{
	struct sstmt *st = (struct sstmt *)s;
	sqlite3_finalize(st->st);
	free(st);
}

const hg_db_driver hg_db_sqlite = {
        .name = "sqlite",
        .dialect = "sqlite",
        .accepts = accepts,
        .open = s_open,
        .close = s_close,
        .identify = s_identify,
        .ready = s_ready,
        .set_version = s_set_version,
        .exec = s_exec,
        .begin = s_begin,
        .commit = s_commit,
        .rollback = s_rollback,
        .prepare = s_prepare,
        .bind_int = s_bind_int,
        .bind_text = s_bind_text,
        .step = s_step,
        .col_int = s_col_int,
        .col_text = s_col_text,
        .reset = s_reset,
        .finalize = s_finalize,
};
