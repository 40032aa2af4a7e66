#!/bin/sh
# fleet.sh: the fleet manifest and shards. fleet.yaml files against their
# JSON Schema; the types a collector lists by default; the work units
# `fleet plan --shard` gives each shard are exactly the units `drift
# --shard` compares there, by flag and by each batch engine's variables;
# the shards of `check` together find what one run finds.
# Usage: fleet.sh HINAGATA TOP
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
. "$(dirname "$0")/../py.sh"
py=$(py_with jsonschema yaml) || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail=0
pass=0
check() { # what command...
	what=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $what"
		fail=1
	fi
}

# ---- the JSON Schema editors use, on the manifests of the repository ----
check "fleet.yaml files against schemas/hinagata-fleet.schema.json" "$py" - "$top" <<'PY'
import glob, json, os, sys
import jsonschema, yaml
top = sys.argv[1]
schema = json.load(open(os.path.join(top, "schemas/hinagata-fleet.schema.json")))
jsonschema.Draft7Validator.check_schema(schema)
v = jsonschema.Draft7Validator(schema)
good = [os.path.join(top, "deploy/fleet.yaml")] + sorted(glob.glob(os.path.join(top, "tests/golden/fleet-plan*/fleet.yaml")))
bad = [os.path.join(top, "tests/golden", c, "fleet.yaml") for c in
       ("hg7211-fleet-id", "hg7212-fleet-region", "hg7215-fleet-empty", "fleet-unknown-key")]
ok = True
for f in good:
    errors = list(v.iter_errors(yaml.safe_load(open(f))))
    if errors:
        print("FAIL: %s: %s" % (f, errors[0].message))
        ok = False
for f in bad:
    if not list(v.iter_errors(yaml.safe_load(open(f)))):
        print("FAIL: %s validates" % f)
        ok = False
sys.exit(not ok)
PY

# ---- what a collector lists by default ----
"$hinagata" fleet plan --format json "$top/deploy/fleet.yaml" >plan.json
check "the default types: the controls' (an Internet Gateway, instances, CloudTrail, IAM roles)" \
	jq -e '.units[] | select(.key == "123456789012/ap-northeast-1") | [.list[].type] as $t
		| all("AWS::EC2::InternetGateway", "AWS::EC2::Instance", "AWS::CloudTrail::Trail",
		      "AWS::IAM::Role", "AWS::GuardDuty::Detector", "AWS::Config::ConfigurationRecorder"; IN($t[]))' plan.json >/dev/null
check "a global service's types at home only" \
	jq -e '[.units[] | select(.account == "123456789012") | {home, iam: any(.list[].type; startswith("AWS::IAM::"))}]
		== [{home: true, iam: true}, {home: false, iam: false}]' plan.json >/dev/null
check "buckets through s3api (cloudcontrol lists every region's)" \
	jq -e '[.units[] | select(.cloud == "aws") | .list[] | select(.type == "AWS::S3::Bucket") | .via] | unique == ["s3-list-buckets"]' plan.json >/dev/null

# ---- shards: the plan's units are the units drift compares ----
python3 - "$top" <<'PY'
import os, sys
top = sys.argv[1]
accounts = ["1000000000%02d" % i for i in range(8)]
with open("fleet.yaml", "w") as m:
    m.write("fleet: 1\naws:\n  regions: [ap-northeast-1]\n  accounts:\n")
    for i, account in enumerate(accounts):
        m.write('    - { account: "%s", stacks: [ { name: city-a-juki-prod, template: juki-prod.yaml } ] }\n' % account)
        src = top + "/samples/city-a/" + ("exports" if i == 0 else "exports-clean")
        dst = "state/%s/ap-northeast-1" % account
        os.makedirs(dst)
        for f in sorted(os.listdir(src)):
            open(os.path.join(dst, f), "w").write(open(os.path.join(src, f)).read().replace("123456789012", account))
PY
cp "$top/samples/city-a/juki-prod.yaml" .
drift() { # out env-or-args...: one shard's run (exit 0 or 1 is fine)
	o=$1
	shift
	set +e
	env "$@" --today 2026-11-24 --format json --template juki-prod.yaml=city-a-juki-prod --state state >"$o" 2>"$o.err"
	r=$?
	set -e
	[ $r -le 1 ] || { echo "drift failed ($r):"; cat "$o.err"; }
}
units() { jq -r '[.resources[].account] | unique[]' "$1"; }
for n in 2 3; do
	i=1
	while [ $i -le $n ]; do
		"$hinagata" fleet plan --format json --shard "$i/$n" fleet.yaml | jq -r '.units[].account' >"plan-$i-$n"
		drift "flag-$i-$n.json" "$hinagata" drift --shard "$i/$n"
		drift "k8s-$i-$n.json" JOB_COMPLETION_INDEX=$((i - 1)) JOB_COMPLETIONS=$n "$hinagata" drift
		drift "batch-$i-$n.json" AWS_BATCH_JOB_ARRAY_INDEX=$((i - 1)) AWS_BATCH_JOB_ARRAY_SIZE=$n "$hinagata" drift
		units "flag-$i-$n.json" >"drift-$i-$n"
		check "shard $i/$n: drift compares the plan's units" cmp -s "plan-$i-$n" "drift-$i-$n"
		check "shard $i/$n: the same report by flag, JOB_COMPLETION_INDEX and AWS_BATCH_JOB_ARRAY_INDEX" \
			sh -c "cmp -s flag-$i-$n.json k8s-$i-$n.json && cmp -s flag-$i-$n.json batch-$i-$n.json"
		i=$((i + 1))
	done
	check "$n shards: every account in exactly one" \
		[ "$(cat plan-*-$n | sort | uniq -c | awk '$1 != 1' | wc -l)" = 0 ]
	check "$n shards: all of them" [ "$(cat plan-*-$n | sort -u | wc -l)" = 8 ]
done
check "--shard wins over the environment" sh -c \
	"JOB_COMPLETION_INDEX=1 JOB_COMPLETIONS=2 '$hinagata' fleet plan --shard 1/2 --format json fleet.yaml | jq -r '.units[].account' | cmp -s - plan-1-2"

# ---- check: the shards of a gate find what one run finds ----
set -- "$top"/tests/golden/check-*
set +e
"$hinagata" check --format json "$@" >check-all.json 2>/dev/null
for i in 1 2 3; do
	"$hinagata" check --format json --shard "$i/3" "$@" >"check-$i.json" 2>/dev/null
done
set -e
check "check: three shards find what one run finds" python3 -c "
import json, sys
key = lambda f: json.dumps(f, sort_keys=True)
one = sorted(key(f) for f in json.load(open('check-all.json'))['findings'])
parts = [json.load(open('check-%d.json' % i))['findings'] for i in (1, 2, 3)]
union = sorted(key(f) for p in parts for f in p)
sys.exit(not (one == union and len(one) > 20 and all(parts)))"

[ $fail = 0 ] && echo "fleet: $pass checks passed"
exit $fail
