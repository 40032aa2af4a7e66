#!/bin/sh
# bench/diff.sh: hinagata diff against AWS CDK's template diff
# (@aws-cdk/cloudformation-diff, npm: the peer) on the same pair of
# CloudFormation templates of N resources (default 20,000; bench/gen-diff.py),
# measured in the same run. Usage: bench/diff.sh HINAGATA [N]
#
# hinagata: hyperfine, 10 runs after 2 warm-ups (wall time of the whole
# command: reading both files, the diff, the JSON report); CDK: the best of
# RUNS (default 2) runs of node bench/cdk-diff.js, whose own timer measures
# the diff alone (fullDiff), without node's start and the JSON parse, which
# favours the peer. Both must report the same resources changed and replaced.
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
n=${2:-20000}
runs=${RUNS:-2}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NODE_PATH="$top/tests/tools/node_modules"

python3 "$top/bench/gen-diff.py" "$n" "$work"
bytes=$(cat "$work/before.json" "$work/after.json" | wc -c)
echo "diff benchmark ($(uname -m), $(nproc) cores): two templates of $n resources, $(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }') together"
"$hinagata" diff --format json "$work/before.json" "$work/after.json" >"$work/ours.json" || [ $? = 1 ]
mem=$(/usr/bin/time -f '%M' "$hinagata" diff --format json "$work/before.json" "$work/after.json" 2>&1 >/dev/null | tail -n 1)
if command -v hyperfine >/dev/null 2>&1; then
	hyperfine -N -i --warmup 2 --runs 10 --export-json "$work/h.json" \
		"$hinagata diff --format json $work/before.json $work/after.json" >/dev/null 2>&1
	ours=$(python3 -c "import json; r=json.load(open('$work/h.json'))['results'][0]; print('%.4f %.4f' % (r['mean'], r['stddev']))")
else
	start=$(date +%s%N)
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		"$hinagata" diff --format json "$work/before.json" "$work/after.json" >/dev/null || true
	done
	ours="$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.4f", (b - a) / 1e10 }') 0"
fi
best=""
for _ in $(seq "$runs"); do
	/usr/bin/time -f '%M' -o "$work/cdkmem" node "$top/bench/cdk-diff.js" "$work/before.json" "$work/after.json" >"$work/cdk.json"
	ms=$(python3 -c "import json; print(json.load(open('$work/cdk.json'))['ms'])")
	if [ -z "$best" ] || awk -v a="$ms" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$ms; fi
done
python3 - "$work/cdk.json" "$work/ours.json" "$ours" "$best" "$mem" "$(cat "$work/cdkmem")" <<'PY'
import json, sys
cdk = json.load(open(sys.argv[1]))
ours = json.load(open(sys.argv[2]))
mean, sd = map(float, sys.argv[3].split())
cdk_s = float(sys.argv[4]) / 1000
res = [r for t in ours["templates"] for r in t["resources"]]
changed = sorted(r["id"] for r in res)
replaced = sorted(r["id"] for r in res if r.get("replacement") == "yes")
same = changed == cdk["changed"] and replaced == cdk["replaced"]
print("%-52s %12s %10s" % ("command", "time", "peak RSS"))
print("%-52s %8.3f s ± %.3f %7.1f MiB" % ("hinagata diff --format json (whole command)", mean, sd, int(sys.argv[5]) / 1024))
print("%-52s %8.3f s %13.1f MiB" % ("@aws-cdk/cloudformation-diff fullDiff (diff only)", cdk_s, int(sys.argv[6]) / 1024))
print("hinagata is %.0fx faster; %d resources changed, %d replaced: %s" % (
    cdk_s / mean, len(changed), len(replaced), "the same as CDK's" if same else "NOT the same as CDK's"))
sys.exit(0 if same else 1)
PY
