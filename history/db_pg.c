/*
 * db_pg.c: the PostgreSQL driver of the history store (see db.h), for a
 * fleet whose workers record from many machines into one store. The only
 * file that includes libpq-fe.h.
 * Part of hinagata; see LICENSE.
 *
 * Design. A target `postgresql://...` or `postgres://...` is a libpq
 * connection URI; the store is the tables of the connection's current
 * schema (`public`, or the first schema of a search_path given with
 * `?options=-csearch_path%3DNAME`). libpq reads what the URI leaves out as
 * it always does: PGPASSWORD, ~/.pgpass, PGSSLMODE, ... A password written
 * in the URI is never shown: every message names the target with it masked.
 *
 * - Marked as ours in a table of its own, hinagata_store (mark, version),
 *   written with the schema in one transaction. identify() reads it and the
 *   schema's relations in one statement: a schema that holds other tables
 *   and no mark is another program's (HG7101) and is never written to; an
 *   empty schema is a new store.
 * - One writer lock per store: begin(write) takes a transaction-scoped
 *   advisory lock keyed by hinagata's mark and the schema's name
 *   (pg_advisory_xact_lock), waiting up to the busy timeout (lock_timeout;
 *   HG7103 after it). The lifecycle reads a finding's state and writes its
 *   next one under the assumption that no other recording interleaves:
 *   SQLite gives that with BEGIN IMMEDIATE, this lock gives it here. The
 *   writer's transaction is READ COMMITTED, so each statement after the
 *   lock sees what the writer before it committed (REPEATABLE READ would
 *   take its snapshot at the lock statement, before the wait). Readers
 *   (reports) take a REPEATABLE READ, READ ONLY snapshot and never wait.
 * - Pipeline mode for writes: a night of a fleet sends some 100,000
 *   statements (an event, a sighting and often a finding per finding seen),
 *   and a round trip each would be most of the recording. Inside a write
 *   transaction a statement that returns no rows is queued and step()
 *   returns at once; one that returns rows (a SELECT, an INSERT ...
 *   RETURNING) sends a sync point and reads every result up to it, its own
 *   last. An error in a queued statement is reported at the next sync (a
 *   read, every HG_PG_BATCH statements, or COMMIT), and the transaction is
 *   then rolled back as a whole, so a late report changes nothing: the
 *   store is all or nothing either way. Syncing every HG_PG_BATCH queued
 *   statements bounds what the server holds for us to read, so neither
 *   side can block on a full socket while the other waits for it.
 * - Statements are prepared on the server once per connection, outside the
 *   pipeline (an aborted pipeline would skip the preparation), with `?`
 *   placeholders numbered $1, $2, ... and `?N` as $N. Parameters go as
 *   text and the server infers their types from where they stand.
 * - Commits are durable as the server is configured (synchronous_commit);
 *   a worker killed midway leaves its transaction to be rolled back by the
 *   server when the connection drops.
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/secret.h"
#include "../common/util.h"
#include "db.h"

/* 'HGHS' (hinagata history store): the advisory lock's first key, and the mark. */
#define HG_PG_LOCK_KEY 1212631123
#define HG_PG_MARK "HGHS"
/* Queued statements between two sync points (see the design note); 1 is
 * no pipelining at all (a round trip a statement), for measuring. */
#ifndef HG_PG_BATCH
#define HG_PG_BATCH 512
#endif

struct pdb {
	hg_db base;
	PGconn *c;
	unsigned busy_ms;
	bool readonly;
	bool piped;      /* in pipeline mode (a write transaction) */
	size_t queued;   /* statements sent since the last sync point */
	unsigned names;  /* server-side statement names given out */
};

struct pstmt {
	hg_db_stmt base;
	struct pdb *db;
	char name[16];   /* "" until prepared on the server */
	char *sql;       /* with $n placeholders */
	int nparams;
	char **vals;     /* [nparams], owned; NULL: SQL NULL */
	bool rows;       /* returns rows: a SELECT or a RETURNING */
	bool ran;        /* executed since the last reset */
	PGresult *res;   /* its rows, once run */
	int row, nrows;
};


/*
 * libpq is loaded when a PostgreSQL store is first opened, not when
 * hinagata starts: linked, it and what it needs (Kerberos, LDAP, GnuTLS:
 * some twenty libraries) cost every run of every command ~10 ms of
 * loading and relocation, and a pre-commit hook or a nightly drift over a
 * fleet runs hinagata thousands of times without a PostgreSQL store. The
 * header still gives every function's type; the soname is the one Debian's
 * libpq5 installs (its ABI has been stable since PostgreSQL 8.x), or the
 * file HINAGATA_LIBPQ names (a libpq of PGDG's packages, say).
 */
#define PQ_FUNCS(X) \
	X(PQclear) \
	X(PQconnectdbParams) \
	X(PQenterPipelineMode) \
	X(PQerrorMessage) \
	X(PQexec) \
	X(PQexecPrepared) \
	X(PQexitPipelineMode) \
	X(PQfinish) \
	X(PQgetResult) \
	X(PQgetisnull) \
	X(PQgetvalue) \
	X(PQntuples) \
	X(PQpipelineSync) \
	X(PQprepare) \
	X(PQresultErrorField) \
	X(PQresultErrorMessage) \
	X(PQresultStatus) \
	X(PQsendQueryParams) \
	X(PQsendQueryPrepared) \
	X(PQsetNoticeProcessor) \
	X(PQstatus) \
	X(PQtransactionStatus)

static struct {
	PQ_FUNCS(HG_DL_MEMBER)
} pq;
static pthread_once_t pq_once = PTHREAD_ONCE_INIT;
static char pq_error[256]; /* why it could not be loaded; "" when loaded */

#define PQ_SLOT(f) (void **)&pq.f,
static void pq_load(void)
{
	static const char *const names[] = {PQ_FUNCS(HG_DL_NAME)};
	void **const slots[] = {PQ_FUNCS(PQ_SLOT)};
	(void)hg_dl_load("HINAGATA_LIBPQ", "libpq.so.5", names, slots, sizeof(names) / sizeof(names[0]),
	        pq_error, sizeof(pq_error));
}

/* 0 when libpq is loaded; else HG7104 naming what is missing (target: as shown). */
static int pq_ready(const char *target, hg_diags *d)
{
	pthread_once(&pq_once, pq_load);
	if (!pq_error[0])
		return 0;
	{
		hg_buf why = HG_BUF_INIT;
		hg_buf_printf(&why,
		        HG_BI("a PostgreSQL store needs libpq, which could not be loaded (install Debian's "
		              "libpq5): %s",
		                "PostgreSQL の履歴には libpq が必要ですが、読み込めませんでした (Debian の "
		                "libpq5 をインストールしてください): %s"),
		        pq_error, pq_error);
		hg_diag_add(d, HG_D_HISTORY_DB, NULL, target, why.ptr, NULL);
		hg_buf_dispose(&why);
	}
	return HG_EIO;
}

/* ---- messages ---- */

/* The target as it may be shown: a password in the URI masked. */
static char *display(const char *target)
{
	hg_buf b = HG_BUF_INIT;
	hg_secret_mask(&b, target, strlen(target));
	return hg_buf_detach(&b);
}

/* The first line of libpq's or the server's message (its details are for a DBA's log). */
static void first_line(hg_buf *out, const char *msg)
{
	const char *nl;
	if (!msg || !*msg)
		msg = "unknown error";
	if (strncmp(msg, "ERROR:  ", 8) == 0 || strncmp(msg, "FATAL:  ", 8) == 0)
		msg += 8;
	nl = strchr(msg, '\n');
	hg_buf_put(out, msg, nl ? (size_t)(nl - msg) : strlen(msg));
}

/* A diagnostic for a failed result (or connection, res NULL): busy, or HG7104. */
static int fail(struct pdb *p, const PGresult *res, hg_diags *d)
{
	const char *state = res ? pq.PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	hg_buf why = HG_BUF_INIT;

	if (state && strcmp(state, "55P03") == 0) { /* lock_not_available: the writer lock's wait ran out */
		char ms[32];
		snprintf(ms, sizeof(ms), "%u", p->busy_ms);
		hg_diag_add(d, HG_D_HISTORY_BUSY, NULL, p->base.target, ms, NULL);
		return HG_EIO;
	}
	first_line(&why, res && pq.PQresultErrorMessage(res)[0] ? pq.PQresultErrorMessage(res)
	                                                    : pq.PQerrorMessage(p->c));
	if (state) /* the SQLSTATE says exactly what it was, in any server language */
		hg_buf_printf(&why, " (SQLSTATE %s)", state);
	{
		/* A message of the server may quote a value; it is not ours to print a secret. */
		hg_buf masked = HG_BUF_INIT;
		hg_secret_mask(&masked, why.ptr, why.size);
		hg_diag_add(d, HG_D_HISTORY_DB, NULL, p->base.target, masked.ptr, NULL);
		hg_buf_dispose(&masked);
	}
	hg_buf_dispose(&why);
	return HG_EIO;
}

/* ---- connection ---- */

static bool accepts(const char *target)
{
	return strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0;
}

static int run_simple(struct pdb *p, const char *sql, hg_diags *d);

/* The server's notices (a table that exists already, a drop that cascades)
 * are for its log, not for the operator's terminal: library code prints nothing. */
static void no_notice(void *payload, const char *message)
{
	(void)payload;
	(void)message;
}

static int p_open(hg_db **out, const char *target, unsigned flags, unsigned busy_ms, hg_diags *d)
{
	/* Before the URI: defaults it may change; after: what the driver relies on. */
	static const char *const keys[] = {"application_name", "connect_timeout", "dbname",
	        "client_encoding", NULL};
	const char *vals[5];
	struct pdb *p;

	*out = NULL;
	{
		char *shown = display(target); /* a password in the URI is not shown */
		int rc = pq_ready(shown, d);
		free(shown);
		if (rc < 0)
			return HG_EIO;
	}
	p = hg_xcalloc(1, sizeof(*p));
	p->base.drv = &hg_db_pg;
	p->base.target = display(target);
	p->busy_ms = busy_ms;
	p->readonly = (flags & HG_DB_READONLY) != 0;
	vals[0] = "hinagata";
	vals[1] = "30";
	vals[2] = target;
	vals[3] = "UTF8"; /* the store's text is UTF-8 whatever the server's locale */
	vals[4] = NULL;
	p->c = pq.PQconnectdbParams(keys, vals, 1);
	if (!p->c || pq.PQstatus(p->c) != CONNECTION_OK) {
		if (p->c)
			fail(p, NULL, d);
		else
			hg_diag_add(d, HG_D_HISTORY_DB, NULL, p->base.target,
			        HG_BI("cannot connect (out of memory)", "接続できません (メモリ不足)"), NULL);
		p->base.drv->close(&p->base);
		return HG_EIO;
	}
	pq.PQsetNoticeProcessor(p->c, no_notice, NULL);
	/* A reader never writes, whatever it runs. */
	if (p->readonly && run_simple(p, "SET default_transaction_read_only = on", d) < 0) {
		p->base.drv->close(&p->base);
		return HG_EIO;
	}
	*out = &p->base;
	return 0;
}

static void p_close(hg_db *db)
{
	struct pdb *p = (struct pdb *)db;
	if (p->c)
		pq.PQfinish(p->c);
	free(p->base.target);
	free(p);
}

/* Statements without parameters or rows, outside a pipeline (several at once are fine). */
static int run_simple(struct pdb *p, const char *sql, hg_diags *d)
{
	/* PQexec stops at the first statement that fails and returns its result */
	PGresult *res = pq.PQexec(p->c, sql);
	ExecStatusType st = pq.PQresultStatus(res);
	int rc = 0;

	if (!res || (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK))
		rc = fail(p, res, d);
	pq.PQclear(res);
	return rc;
}

/*
 * The pipeline's results up to and including the next sync point: every
 * queued statement's; the rows of the last one that returned rows go to
 * *rows (NULL if none is wanted). The first error is reported.
 */
static int drain(struct pdb *p, PGresult **rows, hg_diags *d)
{
	int rc = 0;

	if (rows)
		*rows = NULL;
	for (;;) {
		PGresult *res = pq.PQgetResult(p->c);
		ExecStatusType st;
		if (!res) {
			/* the end of one statement's results; a lost connection has no more */
			if (pq.PQstatus(p->c) != CONNECTION_OK) {
				if (rc == 0)
					rc = fail(p, NULL, d);
				break;
			}
			continue;
		}
		st = pq.PQresultStatus(res);
		if (st == PGRES_PIPELINE_SYNC) {
			pq.PQclear(res);
			break;
		}
		if (st == PGRES_TUPLES_OK && rows && rc == 0) {
			pq.PQclear(*rows);
			*rows = res;
			continue;
		}
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && rc == 0)
			rc = st == PGRES_PIPELINE_ABORTED ? rc : fail(p, res, d);
		pq.PQclear(res);
	}
	p->queued = 0;
	if (rc < 0 && rows) {
		pq.PQclear(*rows);
		*rows = NULL;
	}
	return rc;
}

/* A sync point, and every result up to it. */
static int sync_all(struct pdb *p, PGresult **rows, hg_diags *d)
{
	if (!pq.PQpipelineSync(p->c))
		return fail(p, NULL, d);
	return drain(p, rows, d);
}

/* Leave pipeline mode (after a sync: nothing may be pending). */
static int unpipe(struct pdb *p, hg_diags *d)
{
	int rc = 0;
	if (!p->piped)
		return 0;
	if (p->queued)
		rc = sync_all(p, NULL, d);
	if (!pq.PQexitPipelineMode(p->c) && rc == 0)
		rc = fail(p, NULL, d);
	p->piped = false;
	return rc;
}

static int pipe_in(struct pdb *p, hg_diags *d)
{
	if (!pq.PQenterPipelineMode(p->c))
		return fail(p, NULL, d);
	p->piped = true;
	p->queued = 0;
	return 0;
}

/* ---- what the database is ---- */

static int p_identify(hg_db *db, hg_db_kind *kind, int *version, hg_diags *d)
{
	struct pdb *p = (struct pdb *)db;
	/* One statement, one snapshot: the schema, how many relations it holds,
	 * and the mark if its table is there (to_regclass: NULL, not an error). */
	static const char sql[] =
	        "SELECT current_schema(), "
	        "(SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
	        "ON n.oid = c.relnamespace WHERE n.nspname = current_schema()), "
	        "to_regclass(quote_ident(current_schema()) || '.hinagata_store') IS NOT NULL";
	PGresult *res;
	hg_buf why = HG_BUF_INIT;
	bool marked;
	long long relations;
	int rc = 0;

	*kind = HG_DB_FOREIGN;
	*version = 0;
	if (p->piped) {
		if (!pq.PQsendQueryParams(p->c, sql, 0, NULL, NULL, NULL, NULL, 0))
			return fail(p, NULL, d);
		if ((rc = sync_all(p, &res, d)) < 0)
			return rc;
	} else {
		res = pq.PQexec(p->c, sql);
		if (pq.PQresultStatus(res) != PGRES_TUPLES_OK) {
			rc = fail(p, res, d);
			pq.PQclear(res);
			return rc;
		}
	}
	if (!res || pq.PQntuples(res) != 1) {
		pq.PQclear(res);
		return fail(p, NULL, d);
	}
	if (pq.PQgetisnull(res, 0, 0)) {
		pq.PQclear(res);
		hg_diag_add(d, HG_D_HISTORY_DB, NULL, p->base.target,
		        HG_BI("no schema of the search_path exists to hold the store",
		                "search_path のスキーマがどれも存在せず、ストアを置けません"),
		        NULL);
		return HG_EIO;
	}
	relations = strtoll(pq.PQgetvalue(res, 0, 1), NULL, 10);
	marked = pq.PQgetvalue(res, 0, 2)[0] == 't';
	hg_buf_printf(&why, "%s", pq.PQgetvalue(res, 0, 0));
	pq.PQclear(res);
	if (marked) {
		static const char mark[] = "SELECT mark, version FROM hinagata_store";
		if (p->piped) {
			if (!pq.PQsendQueryParams(p->c, mark, 0, NULL, NULL, NULL, NULL, 0))
				rc = fail(p, NULL, d);
			else
				rc = sync_all(p, &res, d);
		} else if (pq.PQresultStatus(res = pq.PQexec(p->c, mark)) != PGRES_TUPLES_OK) {
			rc = fail(p, res, d);
			pq.PQclear(res);
		}
		if (rc < 0) {
			hg_buf_dispose(&why);
			return rc;
		}
		if (res && pq.PQntuples(res) == 1 && strcmp(pq.PQgetvalue(res, 0, 0), HG_PG_MARK) == 0 &&
		        strtol(pq.PQgetvalue(res, 0, 1), NULL, 10) > 0) {
			long v = strtol(pq.PQgetvalue(res, 0, 1), NULL, 10);
			*kind = HG_DB_OURS;
			*version = v > 0x7fffffff ? 0x7fffffff : (int)v;
			pq.PQclear(res);
			hg_buf_dispose(&why);
			return 0;
		}
		pq.PQclear(res);
	} else if (relations == 0) {
		*kind = HG_DB_EMPTY;
		hg_buf_dispose(&why);
		return 0;
	}
	{
		hg_buf msg = HG_BUF_INIT;
		hg_buf_printf(&msg,
		        HG_BI("its schema %s holds other tables and no hinagata mark (hinagata_store)",
		                "スキーマ %s には別の表があり、hinagata の印 (hinagata_store) がありません"),
		        why.ptr, why.ptr);
		hg_diag_add(d, HG_D_HISTORY_FOREIGN, NULL, p->base.target, msg.ptr, NULL);
		hg_buf_dispose(&msg);
	}
	hg_buf_dispose(&why);
	return HG_EINVALID;
}

static int p_ready(hg_db *db, hg_diags *d)
{
	(void)db;
	(void)d;
	return 0; /* the server is configured by its owner; nothing per store */
}

static int p_exec(hg_db *db, const char *sql, hg_diags *d)
{
	struct pdb *p = (struct pdb *)db;
	bool piped = p->piped;
	int rc;

	/* A schema step is several statements: the simple protocol, outside the pipeline. */
	if ((rc = unpipe(p, d)) < 0)
		return rc;
	rc = run_simple(p, sql, d);
	if (piped && pipe_in(p, d) < 0 && rc == 0)
		rc = HG_EIO;
	return rc;
}

static int p_set_version(hg_db *db, int version, hg_diags *d)
{
	char sql[320];
	snprintf(sql, sizeof(sql),
	        "CREATE TABLE IF NOT EXISTS hinagata_store (mark TEXT COLLATE \"C\" NOT NULL, "
	        "version INTEGER NOT NULL); DELETE FROM hinagata_store; "
	        "INSERT INTO hinagata_store (mark, version) VALUES ('%s', %d)",
	        HG_PG_MARK, version);
	return p_exec(db, sql, d);
}

/* ---- transactions ---- */

static int p_begin(hg_db *db, bool write, hg_diags *d)
{
	struct pdb *p = (struct pdb *)db;
	char sql[320];
	int rc;

	if (!write) /* one snapshot for a whole report */
		return run_simple(p, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", d);
	/* The store's one writer lock, waited for up to the busy timeout (which
	 * bounds any other lock wait of the transaction too: HG7103, not a hang). */
	snprintf(sql, sizeof(sql),
	        "BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL lock_timeout = %u; "
	        "SELECT pg_advisory_xact_lock(%d, hashtext(current_schema()))",
	        p->busy_ms ? p->busy_ms : 1, HG_PG_LOCK_KEY);
	if ((rc = run_simple(p, sql, d)) < 0 || (rc = pipe_in(p, d)) < 0) {
		hg_diags quiet = HG_DIAGS_INIT;
		run_simple(p, "ROLLBACK", &quiet);
		hg_diags_dispose(&quiet);
	}
	return rc;
}

static int p_commit(hg_db *db, hg_diags *d)
{
	struct pdb *p = (struct pdb *)db;
	int rc;

	if (p->piped) {
		if (!pq.PQsendQueryParams(p->c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0))
			return fail(p, NULL, d);
		p->queued++;
		rc = sync_all(p, NULL, d);
		if (unpipe(p, d) < 0 && rc == 0)
			rc = HG_EIO;
		return rc;
	}
	return run_simple(p, "COMMIT", d);
}

static void p_rollback(hg_db *db)
{
	struct pdb *p = (struct pdb *)db;
	hg_diags quiet = HG_DIAGS_INIT; /* the error that led here was reported */

	if (p->piped) {
		if (p->queued)
			sync_all(p, NULL, &quiet);
		unpipe(p, &quiet);
	}
	if (pq.PQtransactionStatus(p->c) != PQTRANS_IDLE)
		run_simple(p, "ROLLBACK", &quiet);
	hg_diags_dispose(&quiet);
}

/* ---- statements ---- */

/* sql with ? as $1, $2, ... and ?N as $N (not inside quotes); *n: the highest. */
static char *number_params(const char *sql, int *n)
{
	hg_buf b = HG_BUF_INIT;
	bool quoted = false;
	int next = 0;
	const char *s;

	*n = 0;
	for (s = sql; *s; s++) {
		if (*s == '\'')
			quoted = !quoted;
		if (quoted || *s != '?') {
			hg_buf_putc(&b, *s);
			continue;
		}
		if (s[1] >= '1' && s[1] <= '9') {
			int k = 0;
			while (s[1] >= '0' && s[1] <= '9')
				k = k * 10 + (*++s - '0');
			hg_buf_printf(&b, "$%d", k);
			if (k > *n)
				*n = k;
		} else {
			hg_buf_printf(&b, "$%d", ++next);
			if (next > *n)
				*n = next;
		}
	}
	return hg_buf_detach(&b);
}

/* Does sql return rows? (a query, or a change with RETURNING) */
static bool returns_rows(const char *sql)
{
	while (*sql == ' ' || *sql == '\n' || *sql == '\t')
		sql++;
	return strncmp(sql, "SELECT", 6) == 0 || strncmp(sql, "WITH", 4) == 0 ||
	       strstr(sql, " RETURNING ") != NULL;
}

static int p_prepare(hg_db_stmt **out, hg_db *db, const char *sql, hg_diags *d)
{
	struct pstmt *s = hg_xcalloc(1, sizeof(*s));

	(void)d; /* prepared on the server when first run (see prepare_now) */
	s->base.drv = &hg_db_pg;
	s->db = (struct pdb *)db;
	s->sql = number_params(sql, &s->nparams);
	s->vals = hg_xcalloc((size_t)s->nparams + 1, sizeof(char *));
	s->rows = returns_rows(sql);
	*out = &s->base;
	return 0;
}

/* Prepare s on the server: outside the pipeline, so that no aborted batch skips it. */
static int prepare_now(struct pstmt *s, hg_diags *d)
{
	struct pdb *p = s->db;
	bool piped = p->piped;
	char name[16];
	PGresult *res;
	int rc = 0;

	snprintf(name, sizeof(name), "hg%u", ++p->names);
	if (piped && (rc = unpipe(p, d)) < 0)
		return rc;
	res = pq.PQprepare(p->c, name, s->sql, 0, NULL);
	if (pq.PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = fail(p, res, d);
	else
		memcpy(s->name, name, sizeof(name));
	pq.PQclear(res);
	if (piped && pipe_in(p, d) < 0 && rc == 0)
		rc = HG_EIO;
	return rc;
}

static void p_bind_int(hg_db_stmt *st, int i, int64_t v)
{
	struct pstmt *s = (struct pstmt *)st;
	char text[24];
	if (i < 1 || i > s->nparams)
		return;
	snprintf(text, sizeof(text), "%lld", (long long)v);
	free(s->vals[i - 1]);
	s->vals[i - 1] = hg_xstrdup(text);
}

static void p_bind_text(hg_db_stmt *st, int i, const char *v)
{
	struct pstmt *s = (struct pstmt *)st;
	if (i < 1 || i > s->nparams)
		return;
	free(s->vals[i - 1]);
	s->vals[i - 1] = v ? hg_xstrdup(v) : NULL;
}

/* Run s: queued in a pipeline when it returns no rows; else its rows read. */
static int execute(struct pstmt *s, hg_diags *d)
{
	struct pdb *p = s->db;
	int rc;

	if (!s->name[0] && (rc = prepare_now(s, d)) < 0)
		return rc;
	if (!p->piped) {
		s->res = pq.PQexecPrepared(p->c, s->name, s->nparams, (const char *const *)s->vals, NULL, NULL, 0);
		if (pq.PQresultStatus(s->res) != PGRES_COMMAND_OK && pq.PQresultStatus(s->res) != PGRES_TUPLES_OK) {
			rc = fail(p, s->res, d);
			pq.PQclear(s->res);
			s->res = NULL;
			return rc;
		}
		s->nrows = pq.PQntuples(s->res);
		return 0;
	}
	if (!pq.PQsendQueryPrepared(p->c, s->name, s->nparams, (const char *const *)s->vals, NULL, NULL, 0))
		return fail(p, NULL, d);
	p->queued++;
	if (!s->rows) {
		/* queued; its result is read at the next sync point */
		if (p->queued >= HG_PG_BATCH)
			return sync_all(p, NULL, d);
		return 0;
	}
	if ((rc = sync_all(p, &s->res, d)) < 0)
		return rc;
	s->nrows = s->res ? pq.PQntuples(s->res) : 0;
	return 0;
}

static int p_step(hg_db_stmt *st, hg_diags *d)
{
	struct pstmt *s = (struct pstmt *)st;
	int rc;

	if (!s->ran) {
		s->ran = true;
		s->row = -1;
		s->nrows = 0;
		if ((rc = execute(s, d)) < 0)
			return rc;
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return 1;
	}
	return 0;
}

static int64_t p_col_int(hg_db_stmt *st, int i)
{
	struct pstmt *s = (struct pstmt *)st;
	if (!s->res || s->row < 0 || s->row >= s->nrows || pq.PQgetisnull(s->res, s->row, i))
		return 0;
	return strtoll(pq.PQgetvalue(s->res, s->row, i), NULL, 10);
}

static const char *p_col_text(hg_db_stmt *st, int i)
{
	struct pstmt *s = (struct pstmt *)st;
	if (!s->res || s->row < 0 || s->row >= s->nrows || pq.PQgetisnull(s->res, s->row, i))
		return NULL;
	return pq.PQgetvalue(s->res, s->row, i);
}

static void p_reset(hg_db_stmt *st)
{
	struct pstmt *s = (struct pstmt *)st;
	int i;
	pq.PQclear(s->res);
	s->res = NULL;
	s->ran = false;
	s->row = -1;
	s->nrows = 0;
	for (i = 0; i < s->nparams; i++) {
		free(s->vals[i]);
		s->vals[i] = NULL;
	}
}

static void p_finalize(hg_db_stmt *st)
{
	struct pstmt *s = (struct pstmt *)st;
	p_reset(st);
	/* the server's statement goes with the connection */
	free(s->vals);
	free(s->sql);
	free(s);
}

const hg_db_driver hg_db_pg = {
        .name = "postgresql",
        .dialect = "postgresql",
        .accepts = accepts,
        .open = p_open,
        .close = p_close,
        .identify = p_identify,
        .ready = p_ready,
        .set_version = p_set_version,
        .exec = p_exec,
        .begin = p_begin,
        .commit = p_commit,
        .rollback = p_rollback,
        .prepare = p_prepare,
        .bind_int = p_bind_int,
        .bind_text = p_bind_text,
        .step = p_step,
        .col_int = p_col_int,
        .col_text = p_col_text,
        .reset = p_reset,
        .finalize = p_finalize,
};
