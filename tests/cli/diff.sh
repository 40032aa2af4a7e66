#!/bin/sh
# diff.sh: hinagata diff against its peer and its schema.
# Usage: diff.sh HINAGATA TOP
#
# 1. AWS CDK's template diff (@aws-cdk/cloudformation-diff, from
#    tests/tools/node_modules) and hinagata diff, on the same generated pair
#    of 2,000-resource templates (bench/gen-diff.py: in-place changes,
#    create-only changes, a type changed, resources added and removed),
#    find the same resources changed and the same ones replaced.
# 2. Every JSON report of the diff golden cases validates against
#    schemas/hinagata-diff.schema.json.
# 3. -o writes the report atomically; exit codes 0, 1 and 2.
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$top/tests/py.sh"
py=$(py_with jsonschema) || exit 1
fail=0

# 1. the same changes as CDK's diff
export NODE_PATH="$top/tests/tools/node_modules"
if [ ! -f "$NODE_PATH/@aws-cdk/cloudformation-diff/package.json" ]; then
	echo "FAIL: @aws-cdk/cloudformation-diff is not installed (scripts/setup-deps.sh --test)"
	exit 1
fi
python3 "$top/bench/gen-diff.py" 2000 "$work"
node "$top/bench/cdk-diff.js" "$work/before.json" "$work/after.json" >"$work/cdk.json"
set +e
"$hinagata" diff --format json "$work/before.json" "$work/after.json" >"$work/ours.json"
rc=$?
set -e
[ $rc = 1 ] || { echo "FAIL: diff of the generated pair exited $rc, not 1"; fail=1; }
"$py" - "$work/cdk.json" "$work/ours.json" <<'PY' || fail=1
import json, sys
cdk = json.load(open(sys.argv[1]))
ours = json.load(open(sys.argv[2]))
res = [r for t in ours["templates"] for r in t["resources"]]
changed = sorted(r["id"] for r in res)
replaced = sorted(r["id"] for r in res if r.get("replacement") == "yes")
bad = 0
for what, a, b in (("changed", cdk["changed"], changed), ("replaced", cdk["replaced"], replaced)):
    if a != b:
        print("FAIL: %s differ: only CDK %s, only hinagata %s" % (what, sorted(set(a) - set(b))[:10], sorted(set(b) - set(a))[:10]))
        bad = 1
if not bad:
    print("the same %d resources changed and %d replaced as AWS CDK's diff" % (len(changed), len(replaced)))
if len(changed) < 100 or len(replaced) < 20:
    print("FAIL: the generated pair changes too little to compare (%d, %d)" % (len(changed), len(replaced)))
    bad = 1
sys.exit(bad)
PY

# 2. every JSON report of the golden cases fits the schema
for d in "$top"/tests/golden/diff-*; do
	[ -f "$d/cmd" ] || continue
	args=$(sed -e 's/^diff //' -e 's/--format [a-z]* //' "$d/cmd")
	mkdir -p "$work/case"
	rm -rf "$work/case"/*
	cp -R "$d"/. "$work/case"/
	(cd "$work/case" && { [ ! -f setup ] || sh ./setup >/dev/null 2>&1; } &&
		HINAGATA_PATH= "$hinagata" diff --format json $args >"$work/$(basename "$d").json" 2>/dev/null) || true
done
"$py" - "$top/schemas/hinagata-diff.schema.json" "$work"/diff-*.json <<'PY' || fail=1
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
v = jsonschema.Draft7Validator(schema)
bad = 0
for f in sys.argv[2:]:
    doc = json.load(open(f))
    for e in sorted(v.iter_errors(doc), key=lambda e: list(e.path))[:3]:
        print("FAIL: %s: %s at %s" % (f.rsplit("/", 1)[-1], e.message, "/".join(map(str, e.path))))
        bad = 1
print("%d JSON reports fit schemas/hinagata-diff.schema.json" % (len(sys.argv) - 2))
sys.exit(bad)
PY

# 3. -o is written atomically, and only when the diff ran; exit codes
cd "$work"
cp "$top/tests/golden/diff-cfn-property/before.json" a.json
cp "$top/tests/golden/diff-cfn-property/after.json" b.json
set +e
"$hinagata" diff -o report.txt a.json b.json
rc1=$?
"$hinagata" diff a.json a.json >/dev/null
rc0=$?
"$hinagata" diff -o none.txt a.json missing.json 2>/dev/null
rc2=$?
"$hinagata" diff --format sarif a.json b.json 2>/dev/null
rc3=$?
set -e
[ $rc1 = 1 ] && [ $rc0 = 0 ] && [ $rc2 = 2 ] && [ $rc3 = 2 ] ||
	{ echo "FAIL: exit codes $rc1 $rc0 $rc2 $rc3, expected 1 0 2 2"; fail=1; }
grep -q 'VersioningConfiguration/Status' report.txt || { echo "FAIL: -o wrote no report"; fail=1; }
[ ! -e none.txt ] || { echo "FAIL: a diff that could not run wrote its -o file"; fail=1; }
ls -a | grep -q '\.hinagata-tmp' && { echo "FAIL: a temporary file was left"; fail=1; }
[ $fail = 0 ] && echo "diff: all checks passed"
exit $fail
