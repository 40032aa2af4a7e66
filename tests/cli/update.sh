#!/bin/sh
# update.sh: a new version of two bundled mandatory templates, in a scratch
# repository holding both sample systems (city A on AWS, city B on Azure)
# with their committed compiled output, as the Digital Agency would ship it:
# a minor version of gc/aws/threat-detection (1.2.0: a Security Hub
# standard added) and a major one of gc/azure/policy-baseline (2.0.0: a
# locked setting changed), then the profile gc-azure that admits it.
# Checks the impact list and each system's diff (hinagata update), that
# --write moves the ranges and nothing else, recompiles the committed
# output (check passes), and that the revisions' diff says the same.
# Usage: update.sh HINAGATA TOP
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$top/tests/py.sh"
py=$(py_with jsonschema) || exit 1
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
run() { # args... -> stdout in $work/out, exit code in $rc
	set +e
	HINAGATA_PATH= LC_ALL=C "$hinagata" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	set -e
}
q() { # python expression over the JSON report J -> exit 0 when true
	"$py" -c "import json,sys; J=json.load(open('$work/out')); sys.exit(0 if ($1) else 1)"
}

# ---- the scratch repository ----
repo=$work/repo
mkdir -p "$repo"
cp -R "$top/templates" "$repo/templates"
mkdir -p "$repo/systems"
cp "$top/samples/city-a/juki-prod.yaml" "$top/samples/city-b/juki-azure.yaml" \
	"$top/samples/city-b/juki-network.yaml" "$repo/systems/"
cd "$repo"
run compile -o build --templates templates --templates systems systems/juki-prod.yaml systems/juki-azure.yaml
check "the systems compile ($(cat "$work/err" | tail -n 3))" [ $rc = 0 ]
git init -q
git add -A
git -c user.name=t -c user.email=t@example.com commit -qm "as deployed"
cp systems/juki-prod.yaml "$work/juki-prod.before"

# ---- the Digital Agency's new versions ----
cp templates/aws/threat-detection.yaml templates/aws/threat-detection@1.1.0.yaml
"$py" - templates/aws/threat-detection.yaml <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("version: 1.1.0\n", "version: 1.2.0\n", 1)
s = s.replace("changes:\n  en: >-\n", "changes:\n  en: >-\n    The AWS Resource Tagging Standard is enabled.\n  old_en: >-\n", 1)
s = s.replace("  old_en: >-\n", "  x_en: >-\n", 1)
s = s.replace("\n  alert_key:\n", """
  tagging_standard:
    type: AWS::SecurityHub::Standard
    depends_on: hub
    locked:
      StandardsArn: "arn:${aws.partition}:securityhub:${aws.region}::standards/aws-resource-tagging-standard/v/1.0.0"

  alert_key:
""", 1)
# the changes of 1.2.0 only
import re
s = re.sub(r"changes:\n  en: >-\n    The AWS Resource Tagging Standard is enabled.\n  x_en: >-\n(    .*\n)+  ja: .*\n",
           "changes:\n  en: The AWS Resource Tagging Standard is enabled.\n  ja: AWS リソースタグ付け標準を有効にします。\n", s)
open(p, "w").write(s)
PY
cp templates/azure/policy-baseline.yaml templates/azure/policy-baseline@1.1.0.yaml
"$py" - templates/azure/policy-baseline.yaml <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("version: 1.1.0\n", "version: 2.0.0\n", 1)
s = re.sub(r"changes:\n  en: >-\n(    .*\n)+  ja: .*\n",
           "changes:\n  en: Subnets without a network security group are denied, not only audited.\n"
           "  ja: ネットワークセキュリティグループのないサブネットは監査だけでなく拒否します。\n", s)
s = s.replace("policyDefinitionId: /providers/Microsoft.Authorization/policyDefinitions/e71308d3-144b-4262-b144-efdc3cc90517\n        enforcementMode: Default",
              "policyDefinitionId: /providers/Microsoft.Authorization/policyDefinitions/e71308d3-144b-4262-b144-efdc3cc90517\n        enforcementMode: DoNotEnforce", 1)
open(p, "w").write(s)
PY
check "the new versions compile on their own" sh -c \
	"HINAGATA_PATH= '$hinagata' compile -o '$work/new' --templates templates templates/aws/threat-detection.yaml templates/azure/policy-baseline.yaml 2>/dev/null"

# ---- the impact ----
run update --format json --templates templates --templates systems systems build
check "update exits 1: systems to update ($rc: $(head -c 300 "$work/err"))" [ $rc = 1 ]
cp "$work/out" "$work/impact.json"
check "the impact lists threat-detection 1.2.0 and policy-baseline 2.0.0" \
	q "sorted((t['template'], t['to']) for t in J['templates']) == [('gc/aws/threat-detection', '1.2.0'), ('gc/azure/policy-baseline', '2.0.0')]"
check "city A: its range ^1.0 admits 1.2.0, from 1.1.0 (its committed output)" \
	q "[(u['file'], u['range'], u['from'], u['status'], u['output']) for t in J['templates'] for u in t['uses'] if t['template'] == 'gc/aws/threat-detection'] == [('systems/juki-prod.yaml', '^1.0', '1.1.0', 'admitted', 'build/city-a/juki-prod.json')]"
check "city A's diff: the tagging standard added, a mandatory resource, nothing else" \
	q "[(r['id'], r['change'], r['mandatory']) for t in J['templates'] for u in t['uses'] for r in (u['diff'] or {'resources': []})['resources'] if t['template'] == 'gc/aws/threat-detection'] == [('ThreatTaggingStandard', 'added', True)]"
check "city B: ^1.0 does not admit 2.0.0; moved, it fails the profile gc-azure (HG4007)" \
	q "[(u['file'], u['status'], 'HG4007' in (u['error'] or '')) for t in J['templates'] for u in t['uses'] if t['template'] == 'gc/azure/policy-baseline'] == [('systems/juki-azure.yaml', 'fails', True)]"
check "the changes of each new version are shown" \
	q "all(t['changes'] and t['changes']['ja'] for t in J['templates'])"

# the profile follows: gc-azure 1.1.0 admits policy-baseline 2.0
"$py" - templates/profiles/gc-azure.yaml <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("version: 1.0.0\n", "version: 1.1.0\n", 1)
s = s.replace('{ template: gc/azure/policy-baseline, version: "^1.0" }', '{ template: gc/azure/policy-baseline, version: "^1.0 || ^2.0" }', 1)
open(p, "w").write(s)
PY
run update --format json --templates templates --templates systems systems build
cp "$work/out" "$work/impact2.json"
check "city B: not admitted, and what 2.0.0 changes in its compiled output: a locked setting of a mandatory assignment" \
	q "[(u['status'], [(r['id'], [(p['path'], p['locked']) for p in r['properties']]) for r in u['diff']['resources']]) for t in J['templates'] for u in t['uses'] if t['template'] == 'gc/azure/policy-baseline'] == [('not-admitted', [('Microsoft.Authorization/policyAssignments/gc-subnets-need-nsg', [('/properties/enforcementMode', True)])])]"
run update --templates templates --templates systems --lang ja systems build
check "the Japanese text report names both systems" \
	sh -c "grep -q 'systems/juki-prod.yaml' '$work/out' && grep -q 'systems/juki-azure.yaml' '$work/out' && grep -q '範囲外 (新しいバージョンを使えません)' '$work/out'"

# ---- --write ----
run update --write --templates templates --templates systems systems build
check "update --write exits 0 ($rc: $(head -c 300 "$work/err"))" [ $rc = 0 ]
check "city A's range moved to ^1.2, and nothing else of the file changed" \
	sh -c "diff '$work/juki-prod.before' systems/juki-prod.yaml | grep '^[<>]' | tr -d ' ' | tr '\n' ' ' | grep -qx '<version:\"^1.0\" >version:\"^1.2\" '"
check "city B's range moved to ^2.0" grep -q 'version: "^2.0"' systems/juki-azure.yaml
check "the committed output recompiled (the tagging standard)" grep -q 'aws-resource-tagging-standard' build/city-a/juki-prod.json
check "the committed output recompiled (DoNotEnforce)" grep -q 'DoNotEnforce' build/city-b/juki-azure.json
run check --templates templates --templates systems systems build
check "check passes on the updated repository ($rc: $(head -c 300 "$work/err"))" [ $rc = 0 ]
run update --format json --templates templates --templates systems systems build
check "now nothing is left to update (exit 0)" sh -c "[ $rc = 0 ] && grep -q '\"uses\": 0' '$work/out'"
run update --format json --template gc/aws/threat-detection --template gc/azure/policy-baseline \
	--templates templates --templates systems systems build
check "both uses are current" q "J['summary']['current'] == J['summary']['uses'] == 2"
git add -A
git -c user.name=t -c user.email=t@example.com commit -qm "mandatory templates updated"
run diff --format json HEAD~1 HEAD systems
check "the revisions' diff of the systems: the same changes as the impact said" \
	q "sorted(r['id'] for t in J['templates'] for r in t['resources']) == ['Microsoft.Authorization/policyAssignments/gc-subnets-need-nsg', 'ThreatTaggingStandard']"
"$py" - "$top/schemas/hinagata-update.schema.json" "$work/impact.json" "$work/impact2.json" <<'PY' || fail=1
import json, sys, jsonschema
v = jsonschema.Draft7Validator(json.load(open(sys.argv[1])))
bad = 0
for f in sys.argv[2:]:
    for e in list(v.iter_errors(json.load(open(f))))[:3]:
        print("FAIL: %s: %s at %s" % (f, e.message, "/".join(map(str, e.path))))
        bad = 1
sys.exit(bad)
PY
[ $fail = 0 ] && echo "update: $pass checks passed"
exit $fail
