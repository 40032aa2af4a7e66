#!/bin/sh
# reports.sh: the drift reports read by real consumers: SARIF 2.1.0 against
# the published schema (python jsonschema) and by Microsoft's SARIF
# Multitool `validate`; JUnit XML by junitparser (Debian python3-junitparser).
# Usage: reports.sh HINAGATA TOP
set -eu
hinagata=$1
top=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
tools=$top/tests/tools/node_modules/@microsoft/sarif-multitool-linux

. "$(dirname "$0")/../py.sh"

run() { # format file
	set +e
	"$hinagata" drift --today 2026-11-24 --format "$1" -o "$2" \
		--template "$top/samples/city-a/juki-prod.yaml" --state "$top/samples/city-a/exports"
	rc=$?
	set -e
	if [ $rc != 1 ]; then
		echo "FAIL: drift --format $1 exited $rc, expected 1 (drift)"
		fail=1
	fi
}

run sarif "$work/report.sarif"
py=$(py_with jsonschema)
if [ ! -f "$tools/sarif-2.1.0.json" ]; then
	echo "FAIL: the SARIF schema is missing: run scripts/setup-deps.sh --test"
	exit 1
fi
if "$py" - "$tools/sarif-2.1.0.json" "$work/report.sarif" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.validate(doc, schema)
results = doc["runs"][0]["results"]
errors = [r for r in results if r["level"] == "error"]
assert len(errors) == 4, len(errors)
assert {r["ruleId"] for r in errors} == {"drift/modified", "drift/unmanaged"}, errors
print("reports: SARIF valid against the 2.1.0 schema; %d results, %d errors" % (len(results), len(errors)))
PY
then :; else
	echo "FAIL: SARIF does not validate against the published schema"
	fail=1
fi
if [ -x "$tools/Sarif.Multitool" ] || chmod u+x "$tools/Sarif.Multitool" 2>/dev/null; then
	if DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$tools/Sarif.Multitool" validate \
		--output "$work/validation.sarif" "$work/report.sarif" >"$work/mt.log" 2>&1; then
		if grep -q '"level": *"error"' "$work/validation.sarif"; then
			echo "FAIL: the SARIF Multitool found errors:"
			cat "$work/mt.log"
			fail=1
		else
			echo "reports: SARIF Multitool validate: no errors"
		fi
	else
		echo "FAIL: the SARIF Multitool could not validate:"
		cat "$work/mt.log"
		fail=1
	fi
fi

# hinagata check's SARIF: rule IDs (the controls), locations and messages.
set +e
"$hinagata" check --format sarif "$top/tests/golden/check-cfn-yaml/vendor.yaml" >"$work/check.sarif"
set -e
if "$py" - "$tools/sarif-2.1.0.json" "$work/check.sarif" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.validate(doc, schema)
results = doc["runs"][0]["results"]
rules = sorted({r["ruleId"] for r in results})
assert "GC-AWS-NET-02" in rules, rules
for r in results:
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith("vendor.yaml"), loc
    assert loc["region"]["startLine"] > 0 and r["message"]["text"], r
for rule in doc["runs"][0]["tool"]["driver"]["rules"]:  # what code scanning shows
    assert rule["shortDescription"]["text"], rule
    assert float(rule["properties"]["security-severity"]) > 0, rule
print("reports: check SARIF valid; rules %s" % ", ".join(rules))
PY
then :; else
	echo "FAIL: check --format sarif does not validate"
	fail=1
fi

run junit "$work/report.xml"
py=$(py_with junitparser)
if "$py" - "$work/report.xml" <<'PY'
import sys
from junitparser import JUnitXml, Failure, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
cases = [c for suite in xml for c in suite]
failed = sorted(c.name for c in cases if any(isinstance(r, Failure) for r in c.result))
assert len(cases) == 40, len(cases)
assert failed == ["AuditTrail (AWS::CloudTrail::Trail)", "DbSecurityGroup (AWS::EC2::SecurityGroup)",
                  "DocumentsBucket (AWS::S3::Bucket)", "city-a-juki-tmp-export (AWS::S3::Bucket)"], failed
print("reports: JUnit read by junitparser: %d test cases, %d failures" % (len(cases), len(failed)))
PY
then :; else
	echo "FAIL: JUnit XML not read as expected by junitparser"
	fail=1
fi
exit $fail
