#!/bin/sh
# drift-fleet.sh: one run over many accounts is exactly the union of the
# single-account runs. The same mandatory stack, under the same stack name,
# in every account (how mandatory templates are rolled out), exported per
# account and region; IDs such as "default" and fixed aliases repeat in
# every account. Also: the same bytes whatever the number of threads.
# Usage: drift-fleet.sh HINAGATA TOP
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
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

# fleet N: accounts 1000000000NN; the first one drifted (the sample's exports,
# with its unmanaged bucket), the others clean.
fleet() {
	python3 - "$top" "$1" <<'PY'
import os, shutil, sys
top, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    account = "1000000000%02d" % i if n <= 100 else "10000000%04d" % i
    src = top + "/samples/city-a/" + ("exports" if i == 0 else "exports-clean")
    dst = "fleet%d/%s/ap-northeast-1" % (n, account)
    os.makedirs(dst)
    for f in sorted(os.listdir(src)):
        text = open(os.path.join(src, f)).read().replace("123456789012", account)
        open(os.path.join(dst, f), "w").write(text)
PY
}

# The results of a JSON report, one per line (sorted), for comparing sets.
results() {
	python3 - "$@" <<'PY'
import json, sys
out = []
for p in sys.argv[1:]:
    for r in json.load(open(p))["resources"]:
        out.append(json.dumps(r, sort_keys=True))
for line in sorted(out):
    print(line)
PY
}

drift() { # out [args...]; exit code in $rc
	out=$1
	shift
	set +e
	"$hinagata" drift --today 2026-11-24 --format json --template "$top/samples/city-a/juki-prod.yaml" \
		"$@" >"$out" 2>"$out.err"
	rc=$?
	set -e
}

fleet 3
drift all3.json --state fleet3
check "three accounts: drift found (exit 1)" [ "$rc" = 1 ]
check "three accounts: 118 results (39 per account, one unmanaged)" \
	[ "$(python3 -c "import json; print(len(json.load(open('all3.json'))['resources']))")" = 118 ]
for dir in fleet3/*/ap-northeast-1; do
	a=$(basename "$(dirname "$dir")")
	drift "one-$a.json" --state "$dir"
done
results all3.json >all3.txt
results one-*.json >one3.txt
check "three accounts in one run = the union of the single-account runs" cmp -s all3.txt one3.txt
check "every result names its account and region" python3 -c "
import json, sys
rs = json.load(open('all3.json'))['resources']
sys.exit(not all(r.get('account', '').startswith('1000000000') and r.get('region') == 'ap-northeast-1' for r in rs))"
check "the clean accounts are clean (nothing DELETED there)" python3 -c "
import json, sys
rs = json.load(open('all3.json'))['resources']
bad = [r for r in rs if r['account'] != '100000000000' and r['status'] != 'IN_SYNC']
sys.exit(1 if bad else 0)"
check "the drifted account keeps its drift" python3 -c "
import json, sys
rs = json.load(open('all3.json'))['resources']
mod = sorted(r['logicalId'] for r in rs if r['account'] == '100000000000' and r['status'] == 'MODIFIED')
sys.exit(mod != ['AuditTrail', 'DbSecurityGroup', 'DocumentsBucket'])"
drift all3-t1.json --state fleet3 --threads 1
drift all3-t8.json --state fleet3 --threads 8
check "the same bytes on 1, 2 and 8 threads" sh -c 'cmp -s all3.json all3-t1.json && cmp -s all3.json all3-t8.json'

fleet 100
drift all100.json --state fleet100
check "a hundred accounts: 3,901 results" \
	[ "$(python3 -c "import json; print(len(json.load(open('all100.json'))['resources']))")" = 3901 ]
for dir in fleet100/*/ap-northeast-1; do
	a=$(basename "$(dirname "$dir")")
	drift "h-$a.json" --state "$dir"
done
results all100.json >all100.txt
results h-*.json >one100.txt
check "a hundred accounts in one run = the union of the single-account runs" cmp -s all100.txt one100.txt

[ $fail = 0 ] && echo "drift-fleet: $pass checks passed"
exit $fail
