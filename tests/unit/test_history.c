/*
 * test_history.c: the history store: opening (foreign, corrupt, newer and
 * older files), the finding lifecycle, control statuses and scores, the
 * month, the imports' mappings, pruning.
 * Part of hinagata; see LICENSE.
 *
 * Every test runs on SQLite (a file in a temporary directory) and, when
 * HG_TEST_PG names a PostgreSQL server (tests/cli/unit-pg.sh starts one and
 * runs this binary again), on PostgreSQL: each test then has a schema of
 * its own, named in the target's search_path, dropped afterwards. The
 * tests of what is not a store do the same on both: SQLite's non-database
 * and corrupt files, PostgreSQL's schema of another program's tables.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/hash.h"
#include "history/db.h"
#include "history/history.h"
#include "report/report.h"

static char dir[] = "/tmp/hg-history-test-XXXXXX";
static char path[512];
static const char *pg; /* the PostgreSQL server's URL, or NULL: SQLite */
static char schemas[8][64];
static size_t nschemas;

/* Run SQL on the server as it is (outside any store). */
static void pg_sql(const char *sql)
{
	hg_db *db = NULL;
	hg_diags d = HG_DIAGS_INIT;
	cr_assert_eq(hg_db_open(&db, pg, HG_DB_CREATE, 1000, &d), 0, "connect to %s", pg);
	cr_assert_eq(db->drv->exec(db, sql, &d), 0, "%s", sql);
	hg_db_close(db);
	hg_diags_dispose(&d);
}

/* A new place for a store named name: a file in dir, or an empty schema of its own. */
static void target(char *out, size_t size, const char *name)
{
	char sql[640];
	if (!pg) {
		snprintf(out, size, "%s/%s.db", dir, name);
		return;
	}
	cr_assert_lt(nschemas, 8);
	snprintf(schemas[nschemas], sizeof(schemas[0]), "t%ld_%.32s", (long)getpid(), name);
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", schemas[nschemas]);
	pg_sql(sql);
	snprintf(out, size, "%s?options=-csearch_path%%3D%s", pg, schemas[nschemas++]);
}

static void setup(void)
{
	pg = getenv("HG_TEST_PG");
	nschemas = 0;
	strcpy(dir, "/tmp/hg-history-test-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	target(path, sizeof(path), "h");
}

static void teardown(void)
{
	char sql[640];
	size_t i;
	for (i = 0; pg && i < nschemas; i++) {
		snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", schemas[i]);
		pg_sql(sql);
	}
	hg_fs_remove_tree(dir);
}

TestSuite(history, .init = setup, .fini = teardown);

static hg_recorder *recorder(hg_hsource source, const char *date)
{
	hg_record_options o = HG_RECORD_OPTIONS_INIT;
	hg_diags d = HG_DIAGS_INIT;
	hg_recorder *r;
	o.source = source;
	o.date = date;
	o.bundled_dir = HG_TEST_DATA "/../templates";
	o.schema_dir = HG_TEST_DATA "/../schemas";
	r = hg_recorder_new(&o, &d);
	cr_assert_not_null(r, "the catalog and profiles are read");
	hg_diags_dispose(&d);
	return r;
}

static hg_history *open_store(void)
{
	hg_history *h = NULL;
	hg_diags d = HG_DIAGS_INIT;
	cr_assert_eq(hg_history_open(&h, path, HG_HISTORY_CREATE, 1000, &d), 0);
	hg_diags_dispose(&d);
	return h;
}

/* One observation of a cloud finding on (resource, control). */
static void see(hg_recorder *r, const char *resource, const char *control, hg_verdict v, const char *severity)
{
	hg_observation o;
	memset(&o, 0, sizeof(o));
	o.kind = "cloud";
	o.account = "111122223333";
	o.region = "ap-northeast-1";
	o.resource = resource;
	o.control = control;
	o.aspect = "";
	o.severity = severity;
	o.title = "a title";
	o.verdict = v;
	o.reason = v == HG_V_SUPPRESSED ? "accepted (ticket 1)" : NULL;
	o.expires = v == HG_V_SUPPRESSED ? "2027-01-31" : NULL;
	o.fails = true;
	hg_recorder_observe(r, &o);
	if (v != HG_V_SUPPRESSED)
		hg_recorder_evaluated(r, o.account, control, severity, v == HG_V_UNKNOWN);
}

static hg_record_result commit(hg_recorder *r, hg_history *h)
{
	hg_record_result res;
	hg_diags d = HG_DIAGS_INIT;
	cr_assert_eq(hg_recorder_commit(r, h, &res, &d), 0);
	hg_diags_dispose(&d);
	hg_recorder_free(r);
	return res;
}

/* The status of the only finding on resource, from the store. */
static const char *status_of(hg_history *h, const char *resource)
{
	static char st[32];
	hg_arena *a = hg_arena_new();
	hg_hfinding *f;
	hg_diags d = HG_DIAGS_INIT;
	size_t n, i;
	st[0] = '\0';
	cr_assert_eq(hg_history_findings(&f, &n, a, h, -1, &d), 0);
	for (i = 0; i < n; i++)
		if (strcmp(f[i].resource, resource) == 0)
			snprintf(st, sizeof(st), "%s", f[i].status);
	hg_arena_dispose(a);
	hg_diags_dispose(&d);
	return st;
}

Test(history, lifecycle_new_open_resolved_reopened)
{
	hg_history *h = open_store();
	hg_recorder *r;
	hg_record_result res;

	r = recorder(HG_SRC_SECURITYHUB, "2026-12-01");
	see(r, "arn:b1", "S3.8", HG_V_ACTIVE, "high");
	res = commit(r, h);
	cr_assert_eq(res.findings[HG_FS_NEW], 1);
	cr_assert_str_eq(status_of(h, "arn:b1"), "new");

	r = recorder(HG_SRC_SECURITYHUB, "2026-12-02");
	see(r, "arn:b1", "S3.8", HG_V_ACTIVE, "high");
	res = commit(r, h);
	cr_assert_eq(res.findings[HG_FS_OPEN], 1);
	cr_assert_str_eq(status_of(h, "arn:b1"), "open");

	/* Not in tonight's file: a cloud's file may be filtered; nothing resolves. */
	r = recorder(HG_SRC_SECURITYHUB, "2026-12-03");
	see(r, "arn:other", "S3.8", HG_V_ACTIVE, "high");
	commit(r, h);
	cr_assert_str_eq(status_of(h, "arn:b1"), "open");

	/* Unknown (WARNING): no change. */
	r = recorder(HG_SRC_SECURITYHUB, "2026-12-04");
	see(r, "arn:b1", "S3.8", HG_V_UNKNOWN, "high");
	commit(r, h);
	cr_assert_str_eq(status_of(h, "arn:b1"), "open");

	r = recorder(HG_SRC_SECURITYHUB, "2026-12-05");
	see(r, "arn:b1", "S3.8", HG_V_PASSED, "high");
	res = commit(r, h);
	cr_assert_eq(res.resolved, 1);
	cr_assert_str_eq(status_of(h, "arn:b1"), "resolved");

	r = recorder(HG_SRC_SECURITYHUB, "2026-12-06");
	see(r, "arn:b1", "S3.8", HG_V_ACTIVE, "high");
	res = commit(r, h);
	cr_assert_eq(res.findings[HG_FS_REOPENED], 1);
	cr_assert_str_eq(status_of(h, "arn:b1"), "reopened");

	r = recorder(HG_SRC_SECURITYHUB, "2026-12-07");
	see(r, "arn:b1", "S3.8", HG_V_SUPPRESSED, "high");
	res = commit(r, h);
	cr_assert_eq(res.suppressed, 1);
	cr_assert_str_eq(status_of(h, "arn:b1"), "suppressed");

	/* The suppression lapsed: active again, and open (it was there all along). */
	r = recorder(HG_SRC_SECURITYHUB, "2026-12-08");
	see(r, "arn:b1", "S3.8", HG_V_ACTIVE, "high");
	commit(r, h);
	cr_assert_str_eq(status_of(h, "arn:b1"), "open");
	hg_history_close(h);
}

Test(history, resolved_only_where_the_run_checked)
{
	hg_history *h = open_store();
	hg_recorder *r;
	const char *except[] = {"/AvailabilityZone"};
	hg_observation o;

	memset(&o, 0, sizeof(o));
	o.kind = "check";
	o.account = o.region = "";
	o.control = "GC-AWS-NET-01";
	o.severity = "critical";
	o.verdict = HG_V_ACTIVE;
	r = recorder(HG_SRC_CHECK, "2026-12-01");
	o.resource = "a.yaml";
	o.aspect = "Type: AWS::EC2::InternetGateway";
	hg_recorder_observe(r, &o);
	o.resource = "b.yaml";
	o.aspect = "/AvailabilityZone";
	hg_recorder_observe(r, &o);
	o.aspect = "/Tags";
	hg_recorder_observe(r, &o);
	commit(r, h);

	/* A later run checks a.yaml and b.yaml, the latter without /AvailabilityZone. */
	r = recorder(HG_SRC_CHECK, "2026-12-02");
	hg_recorder_checked(r, "", "", NULL, "a.yaml", NULL, 0);
	hg_recorder_checked(r, "", "", NULL, "b.yaml", except, 1);
	commit(r, h);
	{
		hg_arena *a = hg_arena_new();
		hg_hfinding *f;
		hg_diags d = HG_DIAGS_INIT;
		size_t n, i, resolved = 0, open = 0;
		cr_assert_eq(hg_history_findings(&f, &n, a, h, -1, &d), 0);
		cr_assert_eq(n, 3);
		for (i = 0; i < n; i++) {
			if (strcmp(f[i].aspect, "/AvailabilityZone") == 0)
				cr_assert_str_eq(f[i].status, "new", "a property not compared stays as it was");
			else
				cr_assert_str_eq(f[i].status, "resolved", "%s %s", f[i].resource, f[i].aspect);
			resolved += strcmp(f[i].status, "resolved") == 0;
			open += strcmp(f[i].status, "new") == 0;
		}
		cr_assert_eq(resolved, 2);
		cr_assert_eq(open, 1);
		hg_arena_dispose(a);
		hg_diags_dispose(&d);
	}
	hg_history_close(h);
}

Test(history, runs_in_date_order_and_imports_once)
{
	hg_history *h = open_store();
	hg_recorder *r;
	hg_record_options o = HG_RECORD_OPTIONS_INIT;
	hg_record_result res;
	hg_diags d = HG_DIAGS_INIT;

	r = recorder(HG_SRC_DEFENDER, "2026-12-10");
	see(r, "/subscriptions/s/x", "k1", HG_V_ACTIVE, "high");
	commit(r, h);
	r = recorder(HG_SRC_DEFENDER, "2026-12-09");
	see(r, "/subscriptions/s/x", "k1", HG_V_ACTIVE, "high");
	cr_assert_eq(hg_recorder_commit(r, h, &res, &d), HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_HISTORY_ORDER);
	cr_assert_eq(res.run, 0);
	hg_recorder_free(r);
	hg_diags_dispose(&d);
	/* The same night, another source: fine. */
	r = recorder(HG_SRC_SECURITYHUB, "2026-12-09");
	see(r, "arn:b", "S3.8", HG_V_ACTIVE, "high");
	commit(r, h);
	/* An input key recorded once. */
	o.source = HG_SRC_SECURITYHUB;
	o.date = "2026-12-11";
	o.input_key = "securityhub:0123456789abcdef";
	o.label = "f.json";
	o.bundled_dir = HG_TEST_DATA "/../templates";
	r = hg_recorder_new(&o, &d);
	see(r, "arn:b", "S3.8", HG_V_ACTIVE, "high");
	cr_assert_eq(hg_recorder_commit(r, h, &res, &d), 0);
	cr_assert_gt(res.run, 0);
	hg_recorder_free(r);
	r = hg_recorder_new(&o, &d);
	see(r, "arn:b", "S3.8", HG_V_ACTIVE, "high");
	cr_assert_eq(hg_recorder_commit(r, h, &res, &d), 0);
	cr_assert_eq(res.run, 0);
	cr_assert_gt(res.again, 0);
	cr_assert_eq(d.items[d.n - 1]->code, HG_D_IMPORT_AGAIN);
	hg_recorder_free(r);
	hg_diags_dispose(&d);
	hg_history_close(h);
}

Test(history, control_status_and_score)
{
	hg_history *h = open_store();
	hg_recorder *r;
	hg_month *m = NULL;
	hg_diags d = HG_DIAGS_INIT;

	/* One night: S3.8 (high) failing, EC2.19 (critical) passing, Config.1
	 * (medium) unknown: score = 8 / (4 + 8 + 2). */
	r = recorder(HG_SRC_SECURITYHUB, "2026-11-30");
	see(r, "arn:b", "S3.8", HG_V_ACTIVE, "high");
	see(r, "arn:sg", "EC2.19", HG_V_PASSED, "critical");
	see(r, "acct", "Config.1", HG_V_UNKNOWN, "medium");
	commit(r, h);
	r = recorder(HG_SRC_SECURITYHUB, "2026-12-01");
	see(r, "arn:b", "S3.8", HG_V_ACTIVE, "high");
	see(r, "arn:sg", "EC2.19", HG_V_PASSED, "critical");
	see(r, "acct", "Config.1", HG_V_UNKNOWN, "medium");
	commit(r, h);
	cr_assert_eq(hg_history_month(&m, h, "2026-12", &d), 0);
	cr_assert(m->score.has);
	cr_assert_float_eq(m->score.value, 100.0 * 8 / 14, 1e-9);
	cr_assert_eq(m->score.passed, 1);
	cr_assert_eq(m->score.failed, 1);
	cr_assert_eq(m->score.unknown, 1);
	cr_assert(m->previous_score.has, "November is the previous month");
	cr_assert_eq(m->nopen, 1);
	cr_assert_eq(m->nopened, 0, "opened in November, not in December");
	hg_month_free(m);
	/* A later night of December fixes S3.8: the month's score is its last state. */
	r = recorder(HG_SRC_SECURITYHUB, "2026-12-02");
	see(r, "arn:b", "S3.8", HG_V_PASSED, "high");
	commit(r, h);
	cr_assert_eq(hg_history_month(&m, h, "2026-12", &d), 0);
	cr_assert_float_eq(m->score.value, 100.0 * 12 / 14, 1e-9);
	cr_assert_eq(m->nresolved, 1);
	cr_assert_eq(m->nnights, 2);
	cr_assert_float_eq(m->nights[0].score.value, 100.0 * 8 / 14, 1e-9);
	cr_assert_float_eq(m->nights[1].score.value, 100.0 * 12 / 14, 1e-9);
	hg_month_free(m);
	/* November, reported after December was recorded: as November left it. */
	cr_assert_eq(hg_history_month(&m, h, "2026-11", &d), 0);
	cr_assert_eq(m->nopen, 1);
	cr_assert_str_eq(m->open[0].status, "new");
	hg_month_free(m);
	cr_assert_eq(hg_history_month(&m, h, "2026-10", &d), HG_EIO);
	cr_assert_eq(d.items[d.n - 1]->code, HG_D_HISTORY_NO_RUNS);
	hg_diags_dispose(&d);
	hg_history_close(h);
}

Test(history, same_night_unknown_is_not_turned_into_passed)
{
	hg_history *h = open_store();
	hg_recorder *r;
	hg_month *m = NULL;
	hg_diags d = HG_DIAGS_INIT;

	/* Two shards of one night: one could not evaluate the control, one passed it. */
	r = recorder(HG_SRC_SECURITYHUB, "2026-12-01");
	see(r, "arn:a", "S3.8", HG_V_UNKNOWN, "high");
	commit(r, h);
	r = recorder(HG_SRC_SECURITYHUB, "2026-12-01");
	see(r, "arn:b", "S3.8", HG_V_PASSED, "high");
	commit(r, h);
	cr_assert_eq(hg_history_month(&m, h, "2026-12", &d), 0);
	cr_assert_eq(m->score.unknown, 1);
	cr_assert_eq(m->score.passed, 0);
	hg_month_free(m);
	hg_diags_dispose(&d);
	hg_history_close(h);
}

/* ---- opening ---- */

static void write_file(const char *p, const void *data, size_t len)
{
	FILE *f = fopen(p, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* What is at target now: a file's bytes, or the names of a schema's relations and t's rows. */
static uint64_t file_hash(const char *p)
{
	uint64_t size, h;
	hg_db *db = NULL;
	hg_db_stmt *st = NULL;
	hg_diags d = HG_DIAGS_INIT;
	const char *schema;
	char sql[512];

	if (!pg) {
		cr_assert_eq(hg_hash_file(p, &size, &h), 0);
		return h ^ size;
	}
	schema = strstr(p, "%3D") + 3;
	snprintf(sql, sizeof(sql),
	        "SELECT coalesce(string_agg(c.relname, ',' ORDER BY c.relname), '') || '|' || "
	        "(SELECT count(*) FROM pg_class t JOIN pg_namespace m ON m.oid = t.relnamespace "
	        "WHERE m.nspname = '%s') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	        "WHERE n.nspname = '%s'",
	        schema, schema);
	cr_assert_eq(hg_db_open(&db, pg, 0, 1000, &d), 0);
	cr_assert_eq(hg_db_prepare(&st, db, sql, &d), 0);
	cr_assert_eq(hg_db_step(st, &d), 1);
	h = hg_hash64(hg_db_col_text(st, 0), strlen(hg_db_col_text(st, 0)));
	hg_db_finalize(st);
	hg_db_close(db);
	hg_diags_dispose(&d);
	return h;
}

static void refused(const char *p, hg_diag_code code)
{
	hg_history *h = NULL;
	hg_diags d = HG_DIAGS_INIT;
	uint64_t before = file_hash(p);
	cr_assert_lt(hg_history_open(&h, p, HG_HISTORY_CREATE, 100, &d), 0);
	cr_assert_null(h);
	cr_assert_eq(d.items[0]->code, code, "code %d", (int)d.items[0]->code);
	cr_assert_eq(file_hash(p), before, "the file is left as it was");
	hg_diags_dispose(&d);
}

/* Run SQL in a new database at target (SQLite: a new file; PostgreSQL: the target's schema). */
static void make_db(const char *p, const char *sql, int version)
{
	hg_db *db = NULL;
	hg_diags d = HG_DIAGS_INIT;
	cr_assert_eq(hg_db_open(&db, p, HG_DB_CREATE, 100, &d), 0);
	if (sql)
		cr_assert_eq(db->drv->exec(db, sql, &d), 0, "%s", sql);
	if (version)
		cr_assert_eq(db->drv->set_version(db, version, &d), 0);
	hg_db_close(db);
	hg_diags_dispose(&d);
}

Test(history, refuses_what_is_not_a_store_and_leaves_it)
{
	char p[512];
	unsigned char junk[8192];
	size_t i;

	if (pg) {
		hg_history *h = NULL;
		hg_diags d = HG_DIAGS_INIT;
		/* Another program's tables in the schema the target names. */
		target(p, sizeof(p), "notes");
		make_db(p, "CREATE TABLE notes (line text); INSERT INTO notes VALUES ('meeting notes')", 0);
		refused(p, HG_D_HISTORY_FOREIGN);
		/* A search_path naming no schema: nowhere to put a store, nothing made. */
		snprintf(p, sizeof(p), "%s?options=-csearch_path%%3Dt%ld_none", pg, (long)getpid());
		cr_assert_eq(hg_history_open(&h, p, HG_HISTORY_CREATE, 100, &d), HG_EIO);
		cr_assert_eq(d.items[0]->code, HG_D_HISTORY_DB);
		hg_diags_dispose(&d);
		/* No server there: the connection's failure, said once. */
		cr_assert_eq(hg_history_open(&h, "postgresql://hinagata@127.0.0.1:1/hinagata", HG_HISTORY_CREATE,
		                     100, &d),
		        HG_EIO);
		cr_assert_eq(d.n, 1);
		cr_assert_eq(d.items[0]->code, HG_D_HISTORY_DB);
		hg_diags_dispose(&d);
		return;
	}
	snprintf(p, sizeof(p), "%s/notes.txt", dir);
	write_file(p, "meeting notes\n", 14);
	refused(p, HG_D_HISTORY_FOREIGN);
	/* A database header followed by garbage: corrupt. */
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 131 + 7);
	memcpy(junk, "SQLite format 3\0", 16);
	snprintf(p, sizeof(p), "%s/corrupt.db", dir);
	write_file(p, junk, sizeof(junk));
	refused(p, HG_D_HISTORY_FOREIGN);
}

Test(history, refuses_another_programs_database_and_a_newer_store)
{
	char p[512];

	if (!pg) { /* PostgreSQL has no application_id: its mark is a table */
		target(p, sizeof(p), "other");
		make_db(p, "CREATE TABLE t (x); PRAGMA application_id = 42", 0);
		refused(p, HG_D_HISTORY_FOREIGN);
	}
	target(p, sizeof(p), "plain");
	make_db(p, "CREATE TABLE t (x int)", 0);
	refused(p, HG_D_HISTORY_FOREIGN);
	target(p, sizeof(p), "newer");
	make_db(p, "CREATE TABLE t (x int)", 99);
	refused(p, HG_D_HISTORY_NEWER);
}

Test(history, an_empty_file_is_a_new_store)
{
	hg_history *h = NULL;
	hg_diags d = HG_DIAGS_INIT;
	if (!pg)
		write_file(path, "", 0); /* PostgreSQL: the test's schema is empty */
	cr_assert_eq(hg_history_open(&h, path, 0, 100, &d), HG_EIO, "not made without CREATE");
	cr_assert_eq(d.items[0]->code, HG_D_HISTORY_FOREIGN);
	cr_assert_eq(hg_history_open(&h, path, HG_HISTORY_CREATE, 100, &d), 0);
	cr_assert_eq(hg_history_version(h), hg_history_version_latest());
	hg_history_close(h);
	hg_diags_dispose(&d);
}

Test(history, every_dialect_has_every_schema_version)
{
	size_t ns, np, i;
	const hg_db_schema *s = hg_db_dialect_steps("sqlite", &ns);
	const hg_db_schema *p = hg_db_dialect_steps("postgresql", &np);
	cr_assert_eq(ns, np, "sqlite has %zu steps, postgresql %zu", ns, np);
	for (i = 0; i < ns; i++) {
		cr_assert_eq(s[i].version, (int)i + 1);
		cr_assert_eq(p[i].version, (int)i + 1);
		cr_assert_str_eq(s[i].file, p[i].file, "the same step has the same name in both");
	}
}

Test(history, upgrades_a_version_1_store_in_place)
{
	hg_db *db = NULL;
	hg_history *h = NULL;
	hg_diags d = HG_DIAGS_INIT;
	hg_month *m = NULL;
	size_t n;
	const hg_db_schema *steps = hg_db_dialect_steps(pg ? "postgresql" : "sqlite", &n);

	cr_assert_geq(n, 2);
	cr_assert_eq(steps[0].version, 1);
	/* A store as the first schema wrote it: a run and two control statuses. */
	cr_assert_eq(hg_db_open(&db, path, HG_DB_CREATE, 100, &d), 0);
	cr_assert_eq(db->drv->exec(db, steps[0].sql, &d), 0);
	cr_assert_eq(db->drv->set_version(db, 1, &d), 0);
	cr_assert_eq(db->drv->exec(db,
	                     "INSERT INTO run (source, date, recorded_at, tool) VALUES "
	                     "('securityhub', '2026-12-01', '2026-12-01T00:00:00Z', 'v1'), "
	                     "('securityhub', '2026-12-02', '2026-12-02T00:00:00Z', 'v1');"
	                     "INSERT INTO control_day VALUES ('2026-12-01', 'a', 'securityhub', 'S3.8', "
	                     "'high', 'failed', 1), ('2026-12-02', 'a', 'securityhub', 'S3.8', 'high', "
	                     "'passed', 2), ('2026-12-01', 'a', 'securityhub', 'EC2.19', 'critical', "
	                     "'passed', 1)",
	                     &d),
	        0);
	hg_db_close(db);
	cr_assert_eq(hg_history_open(&h, path, 0, 100, &d), 0);
	cr_assert_eq(hg_history_version(h), hg_history_version_latest());
	/* The month's state, filled from the nights recorded before the upgrade. */
	cr_assert_eq(hg_history_month(&m, h, "2026-12", &d), 0);
	cr_assert_eq(m->score.passed, 2);
	cr_assert_eq(m->score.failed, 0);
	cr_assert_float_eq(m->score.value, 100.0, 1e-9);
	hg_month_free(m);
	hg_history_close(h);
	hg_diags_dispose(&d);
}

/* ---- imports ---- */

static const char asff[] =
        "{\"Findings\": [\n"
        " {\"Id\": \"f1\", \"AwsAccountId\": \"111122223333\", \"Region\": \"ap-northeast-1\","
        "  \"GeneratorId\": \"security-control/S3.8\", \"Severity\": {\"Label\": \"HIGH\"},"
        "  \"Resources\": [{\"Type\": \"AwsS3Bucket\", \"Id\": \"arn:aws:s3:::b\"}],"
        "  \"Compliance\": {\"Status\": \"FAILED\", \"SecurityControlId\": \"S3.8\"},"
        "  \"Workflow\": {\"Status\": \"NOTIFIED\"}, \"RecordState\": \"ACTIVE\"},\n"
        " {\"Id\": \"f2\", \"AwsAccountId\": \"111122223333\", \"GeneratorId\": \"security-control/IAM.6\","
        "  \"Severity\": {\"Label\": \"CRITICAL\"}, \"Resources\": [{\"Id\": \"AWS::::Account:111122223333\", \"Region\": \"ap-northeast-1\"}],"
        "  \"Compliance\": {\"Status\": \"FAILED\"}, \"Workflow\": {\"Status\": \"SUPPRESSED\"},"
        "  \"Note\": {\"Text\": \"kept in a safe\"}, \"RecordState\": \"ACTIVE\"},\n"
        " {\"Id\": \"f3\", \"AwsAccountId\": \"111122223333\", \"GeneratorId\": \"security-control/EC2.19\","
        "  \"Resources\": [{\"Id\": \"arn:sg\"}], \"Compliance\": {\"Status\": \"FAILED\"},"
        "  \"Workflow\": {\"Status\": \"NEW\"}, \"RecordState\": \"ARCHIVED\"},\n"
        " {\"Id\": \"f4\", \"AwsAccountId\": \"111122223333\", \"GeneratorId\": \"arn:aws:guardduty:x:detector/d\","
        "  \"Resources\": [{\"Id\": \"k\"}], \"Workflow\": {\"Status\": \"RESOLVED\"}}\n"
        "]}\n";

static const char defender_az[] =
        "[{\"id\": \"/subscriptions/S1/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/st/providers/Microsoft.Security/assessments/k1\","
        "  \"name\": \"k1\", \"type\": \"Microsoft.Security/assessments\", \"displayName\": \"Public access\","
        "  \"resourceDetails\": {\"source\": \"Azure\", \"id\": \"/subscriptions/S1/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/st\"},"
        "  \"status\": {\"code\": \"Unhealthy\"}, \"metadata\": {\"severity\": \"High\"}},"
        " {\"id\": \"/subscriptions/S1/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/st/providers/Microsoft.Security/assessments/k2\","
        "  \"name\": \"k2\", \"type\": \"Microsoft.Security/assessments\","
        "  \"properties\": {\"displayName\": \"Network rules\", \"resourceDetails\": {\"Source\": \"Azure\","
        "  \"Id\": \"/subscriptions/S1/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/st\"},"
        "  \"status\": {\"code\": \"NotApplicable\", \"cause\": \"Exempt\", \"description\": \"closed network\"}}}]";

static int import(hg_history *h, hg_hsource src, const char *text, const char *date, hg_diags *d)
{
	hg_recorder *r = recorder(src, date);
	hg_record_result res;
	int rc = hg_import_read(r, hg_import_detect(text, strlen(text)), "in.json", text, strlen(text), d);
	if (rc == 0)
		rc = hg_recorder_commit(r, h, &res, d);
	hg_recorder_free(r);
	return rc;
}

Test(history, security_hub_statuses)
{
	hg_history *h = open_store();
	hg_diags d = HG_DIAGS_INIT;
	hg_arena *a = hg_arena_new();
	hg_hfinding *f;
	size_t n, i;

	cr_assert_eq(hg_import_detect(asff, strlen(asff)), HG_IMPORT_SECURITYHUB);
	cr_assert_eq(import(h, HG_SRC_SECURITYHUB, asff, "2026-12-01", &d), 0);
	cr_assert_eq(hg_history_findings(&f, &n, a, h, -1, &d), 0);
	/* FAILED + NOTIFIED: new; SUPPRESSED: suppressed with the note; ARCHIVED
	 * and a RESOLVED threat finding: nothing to open. */
	cr_assert_eq(n, 2);
	for (i = 0; i < n; i++) {
		if (strcmp(f[i].control, "S3.8") == 0) {
			cr_assert_str_eq(f[i].status, "new");
			cr_assert_str_eq(f[i].severity, "high");
			cr_assert_str_eq(f[i].region, "ap-northeast-1");
		} else {
			cr_assert_str_eq(f[i].control, "IAM.6");
			cr_assert_str_eq(f[i].status, "suppressed");
			cr_assert_str_eq(f[i].reason, "kept in a safe");
			cr_assert_str_eq(f[i].region, "ap-northeast-1", "the resource's region when the finding has none");
		}
	}
	hg_arena_dispose(a);
	hg_diags_dispose(&d);
	hg_history_close(h);
}

Test(history, defender_both_shapes)
{
	hg_history *h = open_store();
	hg_diags d = HG_DIAGS_INIT;
	hg_arena *a = hg_arena_new();
	hg_hfinding *f;
	size_t n, i;

	cr_assert_eq(hg_import_detect(defender_az, strlen(defender_az)), HG_IMPORT_DEFENDER);
	cr_assert_eq(import(h, HG_SRC_DEFENDER, defender_az, "2026-12-01", &d), 0);
	cr_assert_eq(hg_history_findings(&f, &n, a, h, -1, &d), 0);
	cr_assert_eq(n, 2);
	for (i = 0; i < n; i++) {
		cr_assert_str_eq(f[i].account, "S1");
		cr_assert_str_eq(f[i].type, "Microsoft.Storage/storageAccounts");
		if (strcmp(f[i].control, "k1") == 0) {
			cr_assert_str_eq(f[i].status, "new");
			cr_assert_str_eq(f[i].severity, "high");
			cr_assert_str_eq(f[i].title, "Public access");
		} else {
			cr_assert_str_eq(f[i].status, "suppressed");
			cr_assert_str_eq(f[i].reason, "closed network");
			cr_assert_str_eq(f[i].title, "Network rules", "read under properties (the REST shape)");
		}
	}
	hg_arena_dispose(a);
	hg_diags_dispose(&d);
	hg_history_close(h);
}

Test(history, an_incomplete_input_records_nothing)
{
	hg_history *h = open_store();
	hg_diags d = HG_DIAGS_INIT;
	hg_hrun *runs;
	size_t n;
	hg_arena *a = hg_arena_new();
	const char *bad = "{\"Findings\": [{\"Id\": \"f1\", \"AwsAccountId\": \"1\", \"GeneratorId\": \"g\","
	                  " \"Resources\": [{\"Id\": \"r\"}]}, {\"Id\": \"f2\", \"GeneratorId\": \"g\","
	                  " \"Resources\": [{\"Id\": \"r\"}]}]}";

	cr_assert_eq(import(h, HG_SRC_SECURITYHUB, bad, "2026-12-01", &d), HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_IMPORT_FIELD);
	cr_assert_eq(hg_history_runs(&runs, &n, a, h, NULL, &d), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(hg_import_detect("{\"Records\": []}", 15), HG_IMPORT_UNKNOWN);
	cr_assert_eq(hg_import_detect("not json", 8), HG_IMPORT_UNKNOWN);
	hg_arena_dispose(a);
	hg_diags_dispose(&d);
	hg_history_close(h);
}

Test(history, prune_keeps_what_is_open)
{
	hg_history *h = open_store();
	hg_recorder *r;
	hg_prune_result pr;
	hg_diags d = HG_DIAGS_INIT;
	hg_arena *a = hg_arena_new();
	hg_hrun *runs;
	size_t n;

	r = recorder(HG_SRC_SECURITYHUB, "2026-10-01");
	see(r, "arn:open", "S3.8", HG_V_ACTIVE, "high");
	see(r, "arn:gone", "S3.8", HG_V_ACTIVE, "high");
	commit(r, h);
	r = recorder(HG_SRC_SECURITYHUB, "2026-10-02");
	see(r, "arn:gone", "S3.8", HG_V_PASSED, "high");
	commit(r, h);
	r = recorder(HG_SRC_SECURITYHUB, "2026-12-01");
	see(r, "arn:open", "S3.8", HG_V_ACTIVE, "high");
	commit(r, h);
	cr_assert_eq(hg_history_prune(h, "2026-11-01", &pr, &d), 0);
	cr_assert_eq(pr.runs, 2);
	cr_assert_eq(pr.events, 3);
	cr_assert_eq(pr.findings, 1, "the finding resolved in October goes");
	cr_assert_str_eq(status_of(h, "arn:open"), "open", "the open one stays");
	cr_assert_eq(hg_history_runs(&runs, &n, a, h, NULL, &d), 0);
	cr_assert_eq(n, 1);
	hg_arena_dispose(a);
	hg_diags_dispose(&d);
	hg_history_close(h);
}

Test(history, dates_months_and_weights)
{
	cr_assert(hg_is_date("2026-12-31"));
	cr_assert(hg_is_date("2028-02-29"));
	cr_assert_not(hg_is_date("2026-02-29"));
	cr_assert_not(hg_is_date("2026-13-01"));
	cr_assert_not(hg_is_date("2026-12-1"));
	cr_assert_not(hg_is_date(NULL));
	cr_assert(hg_is_month("2026-12"));
	cr_assert_not(hg_is_month("2026-00"));
	cr_assert_not(hg_is_month("26-12"));
	cr_assert_float_eq(hg_severity_weight("critical"), 8, 0);
	cr_assert_float_eq(hg_severity_weight("HIGH"), 4, 0);
	cr_assert_float_eq(hg_severity_weight("medium"), 2, 0);
	cr_assert_float_eq(hg_severity_weight("low"), 1, 0);
	cr_assert_float_eq(hg_severity_weight("informational"), 1, 0);
	cr_assert_float_eq(hg_severity_weight(NULL), 1, 0);
	cr_assert_lt(hg_severity_rank("critical"), hg_severity_rank("low"));
	cr_assert_eq(hg_severity_rank("cheap"), hg_severity_rank(NULL));
}

Test(history, csv_quotes_every_field)
{
	hg_hfinding f;
	hg_buf out = HG_BUF_INIT;
	memset(&f, 0, sizeof(f));
	f.key = "0123456789abcdef";
	f.source = "check";
	f.kind = "check";
	f.status = "open";
	f.severity = "high";
	f.account = "";
	f.region = "";
	f.resource = "a,b.yaml";
	f.title = "say \"no\"\x1fいいえと言う";
	f.seen = 3;
	hg_report_findings_csv(&out, &f, 1, HG_LANG_JA);
	cr_assert(strstr(out.ptr, "\"a,b.yaml\""));
	cr_assert(strstr(out.ptr, "\"いいえと言う\""), "the language's part of a bilingual text");
	cr_assert(strstr(out.ptr, ",3,\"\",\"\"\r\n"));
	hg_buf_clear(&out);
	hg_report_findings_csv(&out, &f, 1, HG_LANG_EN);
	cr_assert(strstr(out.ptr, "\"say \"\"no\"\"\""));
	hg_buf_dispose(&out);
}
