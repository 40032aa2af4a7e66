#!/usr/bin/env python3
"""history-store.py: make history stores for tests, from the schema files.

Usage: history-store.py FILE [--version N] [--app-id N] [--run SOURCE:DATE]...
                             [--finding KEY]... [--hold-lock SECONDS --ready FILE]

Builds FILE as a hinagata store of schema version N (default: the newest in
schemas/history/sqlite/) by running the schema steps 1..N as hinagata does,
with the application_id (default hinagata's) and user_version set; adds a
run per --run and an open finding per --finding (key: 16 hex digits). Used
to test what an older or newer store, or a store with given rows, does.
--hold-lock keeps the store's write lock (BEGIN IMMEDIATE) for SECONDS
after creating FILE and touching --ready, to test a writer that waits.
Uses Python's sqlite3, the same libsqlite3 hinagata links.

FILE may be a PostgreSQL store's target, postgresql://... (a schema of a
server, given with ?options=-csearch_path%3DNAME, as tests/pgserver.sh's
pg_store prints it): the same store is made there, through psql, from
schemas/history/postgresql/, marked as history/db_pg.c marks a store (the
table hinagata_store; an --app-id other than hinagata's is another mark),
and --hold-lock holds the writer lock db_pg.c takes (an advisory lock).
"""
import argparse
import glob
import os
import sqlite3
import subprocess
import sys
import time

APP_ID = 0x48474853  # 'HGHS', history/db_sqlite.c
PG_LOCK_KEY = 1212631123  # history/db_pg.c: HG_PG_LOCK_KEY

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ap = argparse.ArgumentParser()
ap.add_argument("file")
ap.add_argument("--version", type=int)
ap.add_argument("--app-id", type=int, default=APP_ID)
ap.add_argument("--run", action="append", default=[])
ap.add_argument("--finding", action="append", default=[])
ap.add_argument("--hold-lock", type=float, default=0)
ap.add_argument("--ready")
a = ap.parse_args()
pg = a.file.startswith(("postgresql://", "postgres://"))
steps = sorted(glob.glob(os.path.join(top, "schemas", "history", "postgresql" if pg else "sqlite",
                                      "[0-9][0-9][0-9][0-9]-*.sql")))
if a.version is None:
    a.version = len(steps)


def psql(sql):
    """Run sql on the store's server, in its schema (stops at the first error)."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    cmd = [bins[-1] if bins else "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", a.file]
    subprocess.run(cmd, input=sql, text=True, check=True,
                   env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"))


def quote(v):
    return "'" + v.replace("'", "''") + "'"


if pg:
    if a.hold_lock:
        psql("BEGIN;\nSELECT pg_advisory_xact_lock(%d, hashtext(current_schema()));\n\\! touch %s\n"
             "SELECT pg_sleep(%s);\nROLLBACK;\n" % (PG_LOCK_KEY, a.ready, a.hold_lock))
        sys.exit(0)
    sql = ["BEGIN;"]
    for path in steps:
        if int(os.path.basename(path)[:4]) <= min(a.version, len(steps)):
            sql.append(open(path, encoding="utf-8").read())
    sql.append("CREATE TABLE hinagata_store (mark TEXT COLLATE \"C\" NOT NULL, version INTEGER NOT NULL);")
    sql.append("INSERT INTO hinagata_store (mark, version) VALUES (%s, %d);"
               % (quote("HGHS" if a.app_id == APP_ID else "%08x" % a.app_id), a.version))
    for r in a.run:
        source, date = r.split(":")
        sql.append("INSERT INTO run (source, date, recorded_at, tool) VALUES (%s, %s, %s, 'test');"
                   % (quote(source), quote(date), quote(date + "T00:00:00Z")))
    for key in a.finding:
        sql.append("WITH f AS (INSERT INTO finding (key, source, kind, account, region, resource, aspect, "
                   "severity, fails, status, status_date, first_seen) VALUES (%s, 'securityhub', 'cloud', "
                   "'123456789012', 'ap-northeast-1', 'arn:aws:s3:::b', '', 'high', 1, 'open', '2026-12-01', "
                   "'2026-12-01') RETURNING id) INSERT INTO finding_seen (finding, last_seen, seen) "
                   "SELECT id, '2026-12-01', 1 FROM f;" % quote(key))
    sql.append("COMMIT;")
    psql("\n".join(sql) + "\n")
    sys.exit(0)

if a.hold_lock:
    db = sqlite3.connect(a.file, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    open(a.ready, "w").close()
    time.sleep(a.hold_lock)
    db.execute("ROLLBACK")
    sys.exit(0)

db = sqlite3.connect(a.file, isolation_level=None)
for path in steps:
    n = int(os.path.basename(path)[:4])
    if n <= min(a.version, len(steps)):
        db.executescript(open(path, encoding="utf-8").read())
db.execute("PRAGMA application_id=%d" % a.app_id)
db.execute("PRAGMA user_version=%d" % a.version)
for i, r in enumerate(a.run):
    source, date = r.split(":")
    db.execute("INSERT INTO run (source, date, recorded_at, tool) VALUES (?, ?, ?, ?)",
               (source, date, date + "T00:00:00Z", "test"))
for key in a.finding:
    cur = db.execute("INSERT INTO finding (key, source, kind, account, region, resource, aspect, severity, "
                     "fails, status, status_date, first_seen) VALUES "
                     "(?, 'securityhub', 'cloud', '123456789012', 'ap-northeast-1', 'arn:aws:s3:::b', '', "
                     "'high', 1, 'open', '2026-12-01', '2026-12-01')", (key,))
    db.execute("INSERT INTO finding_seen (finding, last_seen, seen) VALUES (?, '2026-12-01', 1)",
               (cur.lastrowid,))
db.execute("PRAGMA journal_mode=WAL")
db.close()
