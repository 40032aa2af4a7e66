#!/bin/sh
# bench/history.sh: the history store at fleet scale. Usage:
#   bench/history.sh HINAGATA HG_BENCH_HISTORY [ACCOUNTS NIGHTS PER FINDINGS]
# Records NIGHTS nights (default 31) of ACCOUNTS accounts (1,000) of PER
# resources each (100: 100,000 results a night) with about FINDINGS findings
# an account (50), through the recorder drift uses (bench/history_gen.c),
# and prints the slowest and the mean recording, against a peer measured in
# the same run: Python's sqlite3 inserting the night's raw results (one row
# a result, no status, no index) into a fresh WAL database in one synced
# transaction, the least a store of the results costs. Then it times the
# monthly report of that month in each format (hyperfine when installed, 5
# runs) with its peak RSS.
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
gen=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
accounts=${3:-1000}
nights=${4:-31}
per=${5:-100}
findings=${6:-50}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "history store: $accounts accounts x $nights nights x $per resources ($((accounts * per)) results a night), about $findings findings an account ($(uname -m), $(nproc) cores)"
"$gen" h.db --nights "$nights" --accounts "$accounts" --per-account "$per" --findings "$findings" >record.log
sed -n '1p' record.log | sed 's/^/  first: /'
tail -n 2 record.log | sed 's/^/  /'
printf '  store: %s MB\n' "$(du -m h.db | cut -f1)"
python3 - "$accounts" "$per" <<'PY'
import sqlite3, sys, time
accounts, per = int(sys.argv[1]), int(sys.argv[2])
db = sqlite3.connect("peer.db", isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE result (account TEXT, region TEXT, unit TEXT, logical TEXT, type TEXT, status TEXT, detail TEXT)")
rows = [("%012d" % (100000000000 + a), "ap-northeast-1", "sys-%d-prod" % a, "Res%05d" % i, "AWS::S3::Bucket",
         "MODIFIED" if i % 2 else "IN_SYNC", "NOT_EQUAL expected \"prod\" actual \"stg\"")
        for a in range(accounts) for i in range(per)]
t = time.monotonic()
db.execute("BEGIN")
db.executemany("INSERT INTO result VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
db.execute("COMMIT")
print("  peer: %d results inserted raw in one transaction (Python sqlite3): %.3f s" % (len(rows), time.monotonic() - t))
PY
month=$(head -n 1 record.log | sed 's/^night \([0-9-]*\)-[0-9][0-9]:.*/\1/')
for fmt in md html json; do
	if command -v hyperfine >/dev/null 2>&1; then
		hyperfine -N -i --warmup 1 --runs 5 --export-json "h-$fmt.json" \
			"$hinagata report --history h.db --month $month --format $fmt -o out.$fmt" >/dev/null 2>&1
		mean=$(python3 -c "import json; r=json.load(open('h-$fmt.json'))['results'][0]; print('%.2f s +- %.2f' % (r['mean'], r['stddev']))")
	else
		start=$(date +%s%N)
		"$hinagata" report --history h.db --month "$month" --format $fmt -o "out.$fmt" || true
		mean="$(( ($(date +%s%N) - start) / 1000000 )) ms (one run, no hyperfine)"
	fi
	rss=$( (/usr/bin/time -f '%M' "$hinagata" report --history h.db --month "$month" --format $fmt \
		-o "out.$fmt" >/dev/null) 2>&1 | tail -n 1)
	printf '  monthly report (%s): %s, peak RSS %s MiB, %s KB written\n' "$fmt" "$mean" \
		"$((rss / 1024))" "$(($(wc -c <"out.$fmt") / 1000))"
done
