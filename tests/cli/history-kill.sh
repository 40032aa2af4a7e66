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
# Usage: history-kill.sh HINAGATA HG_BENCH_HISTORY TOP
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
gen=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
top=$(cd "$3" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export LC_ALL=C NO_COLOR=1 HINAGATA_PATH=
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
integrity() { # store -> prints ok
	python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])" "$1"
}
state() { # store -> what the history says, runs and findings
	"$hinagata" history --history "$1" runs --format json
	"$hinagata" history --history "$1" export
}
checkpoint() { # store: fold the log into the file, so a copy of the file is the store
	python3 -c "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA wal_checkpoint(TRUNCATE)')" "$1"
}

# ---- 1. killed midway ----
"$gen" snap.db --nights 2 --accounts 300 >/dev/null
checkpoint snap.db
state snap.db >snap.state
check "the snapshot is a store" [ "$(integrity snap.db)" = ok ]
cp snap.db full.db
start=$(date +%s%N)
"$gen" full.db --start 2026-12-03 --nights 1 --accounts 1500 >/dev/null
span=$(( ($(date +%s%N) - start) / 1000000 ))
state full.db >full.state
killed_before=0
killed_writing=0
for k in 1 2 3 4 5 6 7 8; do
	rm -f trial.db trial.db-wal trial.db-shm
	cp snap.db trial.db
	"$gen" trial.db --start 2026-12-03 --nights 1 --accounts 1500 >/dev/null 2>&1 &
	pid=$!
	delay=$((span * k / 9))
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	kill -KILL $pid 2>/dev/null || true
	set +e
	wait $pid 2>/dev/null
	rc=$?
	set -e
	state trial.db >trial.state
	if cmp -s trial.state snap.state; then
		[ $rc = 137 ] && killed_before=$((killed_before + 1))
		# the snapshot had no log: one now holds pages written before the kill
		[ $rc = 137 ] && [ -s trial.db-wal ] && killed_writing=$((killed_writing + 1))
		check "kill $k ($delay ms of $span): the store is as it was" true
	elif cmp -s trial.state full.state; then
		check "kill $k ($delay ms of $span): the kill came after the commit; the night is whole" \
			[ $rc = 0 -o $rc = 137 ]
	else
		echo "FAIL: kill $k ($delay ms of $span): the store is neither before nor after the night:"
		diff snap.state trial.state | head -10
		fail=1
	fi
	check "kill $k: integrity_check" [ "$(integrity trial.db)" = ok ]
done
check "at least one kill came before the commit ($killed_before of 8)" [ $killed_before -ge 1 ]
echo "history-kill: $killed_writing of the kills came while the transaction's pages were being written"
# The killed store is usable: another night recorded, its month reported.
set +e
"$hinagata" drift --history trial.db --date 2026-12-04 --template "$top/samples/city-a/juki-prod.yaml" \
	--state "$top/samples/city-a/exports" >/dev/null 2>drift.err
rc=$?
"$hinagata" report --history trial.db --month 2026-12 --format json -o month.json
rrc=$?
set -e
check "after a kill, drift records into the store (exit 1: drift)" [ $rc = 1 ]
check "after a kill, the month is reported" [ $rrc = 1 -a -s month.json ]
check "after a kill, the new night is there" grep -q 'recorded run [0-9]* of 2026-12-04' drift.err

# ---- 2. at the same time ----
cp snap.db both.db
"$gen" both.db --start 2026-12-05 --nights 1 --first-account 0 --accounts 600 >a.out 2>a.err &
pa=$!
"$gen" both.db --start 2026-12-05 --nights 1 --first-account 600 --accounts 600 >b.out 2>b.err &
pb=$!
"$hinagata" report --history both.db --month 2026-12 --format json -o during.json 2>during.err || true
set +e
wait $pa
ra=$?
wait $pb
rb=$?
set -e
check "shard A recorded while B did (exit $ra)" [ $ra = 0 ]
check "shard B recorded while A did (exit $rb)" [ $rb = 0 ]
check "a report read meanwhile" [ -s during.json ]
"$hinagata" history --history both.db runs --format json >both.runs
check "both shards' runs are there, of the same night" python3 - both.runs <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
five = [r for r in runs if r["date"] == "2026-12-05"]
sys.exit(not (len(runs) == 4 and len(five) == 2 and sorted(r["accounts"] for r in five) == [600, 600]
              and sum(r["resources"] for r in five) == 120000))
PY
check "concurrent shards: integrity_check" [ "$(integrity both.db)" = ok ]
# The CLI: two drift runs of the same night at once.
set +e
"$hinagata" drift --history cli.db --date 2026-12-01 --template "$top/samples/city-a/juki-prod.yaml" \
	--state "$top/samples/city-a/exports" >/dev/null 2>c1.err &
p1=$!
"$hinagata" drift --history cli.db --date 2026-12-01 --template "$top/samples/city-a/juki-prod.yaml" \
	--state "$top/samples/city-a/exports-clean" >/dev/null 2>c2.err &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
set -e
check "two drift runs at once: both exit as drift says (1 and 0; got $r1 and $r2)" [ $r1 = 1 -a $r2 = 0 ] || { cat c1.err c2.err; false; }
check "two drift runs at once: both recorded" [ "$("$hinagata" history --history cli.db runs | grep -c '2026-12-01')" = 2 ]
check "two drift runs at once: integrity_check" [ "$(integrity cli.db)" = ok ]

echo "history-kill: $pass checks passed"
exit $fail
