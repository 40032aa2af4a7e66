#!/bin/sh
# history-kill.sh: a recording killed at any point leaves the history store
# exactly as it was and usable; recordings at the same time all land.
#
# 1. A store of two nights of 300 accounts (30,000 results a night) is the
#    snapshot. A third night of 1,500 accounts is recorded into copies of
#    it and killed with SIGKILL at eight points spread over the recording
#    (measured first). After each kill the copy must be the snapshot (the
#    same runs, the same findings, integrity_check ok) or, had the kill come
#    after COMMIT, the snapshot plus that whole night, nothing in between;
#    at least one kill must have come before the commit. Then the copy
#    records another night with hinagata drift and reports its month.
# 2. Two shards of a night written at once (the same date, other accounts),
#    two drift runs of the CLI at once, and a report read meanwhile: every
#    run lands, the store is consistent.
# With `postgresql`, every store is a database of a PostgreSQL server the
# test starts (tests/pgserver.sh): a copy is CREATE DATABASE ... TEMPLATE,
# the integrity check pg_amcheck (heap and indexes), the killed night has
# 900 accounts and is killed at four points (the server rolls back what a
# dropped connection left open).
# Usage: history-kill.sh HINAGATA HG_BENCH_HISTORY TOP [sqlite|postgresql]
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
gen=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
top=$(cd "$3" && pwd)
backend=${4:-sqlite}
work=$(mktemp -d)
. "$top/tests/pgserver.sh"
trap 'pg_stop; rm -rf "$work"' EXIT
cd "$work"
export LC_ALL=C NO_COLOR=1 HINAGATA_PATH=
kills="1 2 3 4 5 6 7 8"
accounts=1500
if [ "$backend" = postgresql ]; then
	pg_start "$work" || { echo "FAIL: no PostgreSQL server could be started"; exit 1; }
	kills="1 2 3 4"
	accounts=900
fi
fail=0
pass=0
check() { # description command...
	what=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $what"
		fail=1
	fi
}
# The stores: NAME.db files, or databases NAME of the server.
db() { # NAME -> its target
	if [ "$backend" = postgresql ]; then echo "${PG_URL%/*}/$1"; else echo "$work/$1.db"; fi
}
new() { # NAME: an empty store
	if [ "$backend" = postgresql ]; then pg_sql "CREATE DATABASE \"$1\""; fi
}
copy() { # FROM TO: TO is a copy of store FROM
	if [ "$backend" = postgresql ]; then
		pg_sql "DROP DATABASE IF EXISTS \"$2\"" && pg_sql "CREATE DATABASE \"$2\" TEMPLATE \"$1\""
	else
		rm -f "$2.db" "$2.db-wal" "$2.db-shm"
		cp "$1.db" "$2.db"
	fi
}
integrity() { # NAME -> prints ok
	if [ "$backend" = postgresql ]; then
		# heap and indexes (amcheck, which Debian's server carries); silent when sound
		PGOPTIONS="-c client_min_messages=warning" "$pg_bin/pg_amcheck" -h 127.0.0.1 -p "$pg_port" -U hinagata --install-missing -d "$1" >"amcheck-$1.out" 2>&1 &&
			! grep -q . "amcheck-$1.out" && echo ok
	else
		python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])" "$1.db"
	fi
}
state() { # NAME -> what the history says, runs and findings
	"$hinagata" history --history "$(db "$1")" runs --format json
	"$hinagata" history --history "$(db "$1")" export
}
checkpoint() { # NAME: fold the log into the file, so a copy of the file is the store
	[ "$backend" = postgresql ] ||
		python3 -c "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA wal_checkpoint(TRUNCATE)')" "$1.db"
}

# ---- 1. killed midway ----
new snap
"$gen" "$(db snap)" --nights 2 --accounts 300 >/dev/null
checkpoint snap
state snap >snap.state
check "the snapshot is a store" [ "$(integrity snap)" = ok ]
copy snap whole
start=$(date +%s%N)
"$gen" "$(db whole)" --start 2026-12-03 --nights 1 --accounts $accounts >/dev/null
span=$(( ($(date +%s%N) - start) / 1000000 ))
state whole >whole.state
killed_before=0
killed_writing=0
nkills=$(echo $kills | wc -w)
for k in $kills; do
	copy snap trial
	"$gen" "$(db trial)" --start 2026-12-03 --nights 1 --accounts $accounts >/dev/null 2>&1 &
	pid=$!
	delay=$((span * k / (nkills + 1)))
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	kill -KILL $pid 2>/dev/null || true
	set +e
	wait $pid 2>/dev/null
	rc=$?
	set -e
	state trial >trial.state
	if cmp -s trial.state snap.state; then
		[ $rc = 137 ] && killed_before=$((killed_before + 1))
		# the snapshot had no log: one now holds pages written before the kill
		[ $rc = 137 ] && [ -s trial.db-wal ] && killed_writing=$((killed_writing + 1))
		check "kill $k ($delay ms of $span): the store is as it was" true
	elif cmp -s trial.state whole.state; then
		check "kill $k ($delay ms of $span): the kill came after the commit; the night is whole" \
			[ $rc = 0 -o $rc = 137 ]
	else
		echo "FAIL: kill $k ($delay ms of $span): the store is neither before nor after the night:"
		diff snap.state trial.state | head -10
		fail=1
	fi
	check "kill $k: integrity check" [ "$(integrity trial)" = ok ]
done
check "at least one kill came before the commit ($killed_before of $nkills)" [ $killed_before -ge 1 ]
[ "$backend" = postgresql ] ||
	echo "history-kill: $killed_writing of the kills came while the transaction's pages were being written"
# The killed store is usable: another night recorded, its month reported.
set +e
"$hinagata" drift --history "$(db trial)" --date 2026-12-04 --template "$top/samples/city-a/juki-prod.yaml" \
	--state "$top/samples/city-a/exports" >/dev/null 2>drift.err
rc=$?
"$hinagata" report --history "$(db trial)" --month 2026-12 --format json -o month.json
rrc=$?
set -e
check "after a kill, drift records into the store (exit 1: drift)" [ $rc = 1 ]
check "after a kill, the month is reported" [ $rrc = 1 -a -s month.json ]
check "after a kill, the new night is there" grep -q 'recorded run [0-9]* of 2026-12-04' drift.err

# ---- 2. at the same time ----
copy snap pair
"$gen" "$(db pair)" --start 2026-12-05 --nights 1 --first-account 0 --accounts 600 >a.out 2>a.err &
pa=$!
"$gen" "$(db pair)" --start 2026-12-05 --nights 1 --first-account 600 --accounts 600 >b.out 2>b.err &
pb=$!
"$hinagata" report --history "$(db pair)" --month 2026-12 --format json -o during.json 2>during.err || true
set +e
wait $pa
ra=$?
wait $pb
rb=$?
set -e
check "shard A recorded while B did (exit $ra)" [ $ra = 0 ]
check "shard B recorded while A did (exit $rb)" [ $rb = 0 ]
check "a report read meanwhile" [ -s during.json ]
"$hinagata" history --history "$(db pair)" runs --format json >pair.runs
check "both shards' runs are there, of the same night" python3 - pair.runs <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
five = [r for r in runs if r["date"] == "2026-12-05"]
sys.exit(not (len(runs) == 4 and len(five) == 2 and sorted(r["accounts"] for r in five) == [600, 600]
              and sum(r["resources"] for r in five) == 120000))
PY
check "concurrent shards: integrity check" [ "$(integrity pair)" = ok ]
# The CLI: two drift runs of the same night at once, into a new store.
new cli
set +e
"$hinagata" drift --history "$(db cli)" --date 2026-12-01 --template "$top/samples/city-a/juki-prod.yaml" \
	--state "$top/samples/city-a/exports" >/dev/null 2>c1.err &
p1=$!
"$hinagata" drift --history "$(db cli)" --date 2026-12-01 --template "$top/samples/city-a/juki-prod.yaml" \
	--state "$top/samples/city-a/exports-clean" >/dev/null 2>c2.err &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
set -e
check "two drift runs at once: both exit as drift says (1 and 0; got $r1 and $r2)" [ $r1 = 1 -a $r2 = 0 ] || { cat c1.err c2.err; false; }
check "two drift runs at once: both recorded" [ "$("$hinagata" history --history "$(db cli)" runs | grep -c '2026-12-01')" = 2 ]
check "two drift runs at once: integrity check" [ "$(integrity cli)" = ok ]

echo "history-kill ($backend): $pass checks passed"
exit $fail
