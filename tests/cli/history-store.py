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
"""
import argparse
import glob
import os
import sqlite3
import sys
import time

APP_ID = 0x48474853  # 'HGHS', history/db_sqlite.c

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
steps = sorted(glob.glob(os.path.join(top, "schemas", "history", "sqlite", "[0-9][0-9][0-9][0-9]-*.sql")))

ap = argparse.ArgumentParser()
ap.add_argument("file")
ap.add_argument("--version", type=int, default=len(steps))
ap.add_argument("--app-id", type=int, default=APP_ID)
ap.add_argument("--run", action="append", default=[])
ap.add_argument("--finding", action="append", default=[])
ap.add_argument("--hold-lock", type=float, default=0)
ap.add_argument("--ready")
a = ap.parse_args()

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
