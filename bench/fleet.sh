#!/bin/sh
# bench/fleet.sh: the nightly run of a whole fleet. Usage:
#   bench/fleet.sh HINAGATA BASELINE [ACCOUNTS PER_ACCOUNT SHARDS]
# (defaults 500 accounts x 1,000 resources, 8 shards).
#
# The fleet is simulated once and kept (in $HG_BENCH_FLEET, default
# _build/bench-fleet/ACCOUNTSxPER, regenerated only when bench/gen-fleet.py
# or this script changes): each account carries the same two stacks of
# PER_ACCOUNT/2 resources (S3 buckets, bucket policies, SQS queues, in sync,
# in the shapes the AWS CLI prints: cloudcontrol listings with their
# Properties), as mandatory templates are rolled out, under
# exports/ACCOUNT/ap-northeast-1/; and fleet.yaml lists the accounts.
#
# Measured, one run each (the machine may be shared: say so with the figures):
#   baseline        a plain jansson full-DOM load of every export file, one
#                   process per file (bench/jansson_load.c), timed as a whole
#   whole fleet     hinagata drift over every account in one process, on
#                   every core: wall, CPU (user+sys), peak RSS, resources/s,
#                   resources/s per core (resources / CPU seconds)
#   cached rerun    the same with the cache the first run wrote (an unchanged night)
#   one worker      each of SHARDS workers with one thread, as a batch worker
#                   runs: only the accounts fleet plan --shard gives it (its
#                   own collection), its wall time; the slowest one bounds
#                   the night
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
baseline=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
accounts=${3:-500}
per=${4:-1000}
shards=${5:-8}
top=$(cd "$(dirname "$0")/.." && pwd)
cores=$(nproc)
fleet=${HG_BENCH_FLEET:-$top/_build/bench-fleet}/${accounts}x$per
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- the fleet, generated once ----
stamp=$(cat "$top/bench/gen-fleet.py" "$0" | sha256sum | cut -c1-16)
if [ "$(cat "$fleet/.stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "generating the fleet: $accounts accounts x $per resources (once; kept in $fleet)" >&2
	rm -rf "$fleet"
	mkdir -p "$fleet"
	python3 "$top/bench/gen-fleet.py" "$fleet/one" 2 $((per / 2)) list
	mv "$fleet/one/templates" "$fleet/templates"
	# every account: the first one's exports with its own ID (ARNs, queue URLs)
	python3 - "$fleet" "$accounts" <<'PY'
import os, sys
fleet, n = sys.argv[1], int(sys.argv[2])
src = os.path.join(fleet, "one", "exports")
texts = {f: open(os.path.join(src, f)).read() for f in sorted(os.listdir(src))}
with open(os.path.join(fleet, "fleet.yaml"), "w") as m:
    m.write("fleet: 1\nname: bench\naws:\n  regions: [ap-northeast-1]\n  types: [AWS::EC2::InternetGateway]\n"
            "  stacks:\n    - { name: fleet-000, template: templates/fleet-000.json }\n"
            "    - { name: fleet-001, template: templates/fleet-001.json }\n  accounts:\n")
    for i in range(n):
        account = "%012d" % (300000000000 + i)
        m.write('    - { account: "%s" }\n' % account)
        d = os.path.join(fleet, "exports", account, "ap-northeast-1")
        os.makedirs(d)
        for f, t in texts.items():
            open(os.path.join(d, f), "w").write(t.replace("123456789012", account))
PY
	rm -rf "$fleet/one"
	echo "$stamp" >"$fleet/.stamp"
	sync # on disk before anything is timed (see drift.sh)
fi
n=$((accounts * per))
bytes=$(du -sb "$fleet/exports" | cut -f1)
files=$(find "$fleet/exports" -name '*.json' | wc -l)
cd "$fleet"

echo "fleet benchmark ($(uname -m), $cores cores): $accounts accounts x $per resources = $n resources, $files export files, $(awk -v b="$bytes" 'BEGIN { printf "%.0f MB", b / 1e6 }')"
printf '%-46s %9s %9s %11s %14s %10s\n' case wall CPU resources/s "res/s/core" "peak RSS"

timed() { # LABEL RESOURCES command...: one run; prints a row, leaves "wall cpu" in $work/last
	label=$1 count=$2
	shift 2
	/usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
		rc=$?
		[ $rc = 1 ] || { echo "bench/fleet.sh: $label failed ($rc):" >&2; cat "$work/err" >&2; exit 1; }
	}
	read -r wall user sys kib <"$work/time"
	awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v m="$kib" -v n="$count" 'BEGIN {
		c = u + s; if (w < 0.001) w = 0.001; if (c < 0.001) c = 0.001
		printf "%-46s %8.2fs %8.2fs %11.0f %14.0f %6.1f MiB\n", l, w, c, n / w, n / c, m / 1024 }'
	echo "$wall $user $sys" >"$work/last"
}

# the baseline: every file loaded by a process of its own, timed as a whole
start=$(date +%s%N)
find exports -name '*.json' | sort | while read -r f; do "$baseline" "$f" >/dev/null; done
end=$(date +%s%N)
base=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
awk -v w="$base" -v n="$n" 'BEGIN { printf "%-46s %8.2fs %9s %11.0f %14s %10s\n",
	"baseline: jansson full-DOM load, per file", w, "-", n / w, "-", "-" }'

set -- --today 2026-11-24 --format json --template templates/fleet-000.json --template templates/fleet-001.json
rm -f "$work/cache"
timed "hinagata drift, whole fleet, $cores threads" $n "$hinagata" drift "$@" --state exports --cache "$work/cache"
read -r whole _ _ <"$work/last"
timed "hinagata drift --cache, whole fleet, rerun" $n "$hinagata" drift "$@" --state exports --cache "$work/cache"

# each worker: its shard's accounts only (as a batch worker collects them), one thread
slowest=0
total=0
i=1
while [ $i -le "$shards" ]; do
	rm -rf "$work/shard"
	mkdir -p "$work/shard"
	"$hinagata" fleet plan --format json --shard "$i/$shards" fleet.yaml | jq -r '.units[].account' >"$work/accounts"
	k=$(wc -l <"$work/accounts")
	while read -r a; do ln -s "$fleet/exports/$a" "$work/shard/$a"; done <"$work/accounts"
	timed "  worker $i/$shards ($k accounts), 1 thread" $((k * per)) \
		"$hinagata" drift "$@" --threads 1 --state "$work/shard"
	read -r w _ _ <"$work/last"
	total=$(awk -v a="$total" -v b="$w" 'BEGIN { print a + b }')
	slowest=$(awk -v a="$slowest" -v b="$w" 'BEGIN { print (b > a) ? b : a }')
	i=$((i + 1))
done
awk -v b="$base" -v w="$whole" -v s="$slowest" -v t="$total" -v k="$shards" 'BEGIN {
	printf "whole fleet: %.1fx the baseline; %d one-thread workers: the slowest %.2fs, together %.2fs of CPU\n", b / w, k, s, t }'
