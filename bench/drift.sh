#!/bin/sh
# bench/drift.sh: drift at fleet scale. Usage: bench/drift.sh HINAGATA BASELINE [STACKS PER_STACK]
# Generates STACKS compiled templates of PER_STACK resources (default
# 200 x 500 = 100,000) and their exports, all in sync, then reports for
# `hinagata drift` (a first run, and a nightly rerun with --cache) and for
# the baseline, a plain jansson full-DOM load of the same export bytes
# (each file in its own process, the baseline's best case): wall time,
# MB/s, resources/s and peak RSS.
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
baseline=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
stacks=${3:-200}
per=${4:-500}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$top/bench/gen-fleet.py" "$work" "$stacks" "$per"
n=$((stacks * per))
bytes=$(cat "$work"/exports/*.json | wc -c)

measure() { # label command... : prints "label seconds rss"
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
		rc=$?
		[ $rc = 1 ] || { cat "$work/err"; exit 1; }
	}
	set -- $(cat "$work/time")
	awk -v l="$label" -v s="$1" -v m="$2" -v b="$bytes" -v n="$n" 'BEGIN {
		if (s < 0.01) s = 0.01
		printf "%-34s %7.2f s %8.1f MB/s %9.0f resources/s %7.1f MiB peak RSS\n", l, s, b / s / 1e6, n / s, m / 1024 }'
}

echo "drift at fleet scale: $n resources in $stacks stacks, exports $(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }') ($(uname -m), $(nproc) cores)"
total_s=0
: >"$work/base"
for f in "$work"/exports/*.json; do
	/usr/bin/time -f "%e %M" -o "$work/t1" "$baseline" "$f" >/dev/null
	cat "$work/t1" >>"$work/base"
done
awk -v b="$bytes" -v n="$n" '{ s += $1; if ($2 > m) m = $2 } END {
	printf "%-34s %7.2f s %8.1f MB/s %9.0f resources/s %7.1f MiB peak RSS\n", "baseline: jansson full-DOM load", s, b / s / 1e6, n / s, m / 1024 }' "$work/base"
cd "$work"
measure "hinagata drift (first run)" "$hinagata" drift --template templates/*.json --state exports
measure "hinagata drift --cache (1st, writes)" "$hinagata" drift --cache cache.json --template templates/*.json --state exports
measure "hinagata drift --cache (nightly rerun)" "$hinagata" drift --cache cache.json --template templates/*.json --state exports
