#!/bin/sh
# history-month.sh: a month of nights on city A's sample exports, recorded in
# a history store, as an operator's nightly job would: a drift appears,
# persists, is suppressed with a reason (until its rule expires), is fixed;
# another is fixed and comes back; a night's exports miss a listing (not
# checked is never resolved); an unmanaged bucket is deleted; the clouds'
# findings are imported (Security Hub, Defender for Cloud); a vendor's
# template is checked and partly fixed. Each finding's status is asserted
# night by night, and the score in the JSON report; the monthly report in
# JSON and in English and Japanese Markdown and HTML are golden files in
# tests/expected/history/ (UPDATE=1 rewrites them; review before committing).
# With `postgresql`, the same month is recorded into a PostgreSQL server the
# test starts (tests/pgserver.sh) and must give the same statuses, the same
# scores and byte for byte the same reports as SQLite's golden files.
# Usage: history-month.sh HINAGATA TOP [sqlite|postgresql]
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
backend=${3:-sqlite}
expected=$top/tests/expected/history
work=$(mktemp -d)
. "$top/tests/pgserver.sh"
trap 'pg_stop; rm -rf "$work"' EXIT
cd "$work"
store=h.db
if [ "$backend" = postgresql ]; then
	pg_start "$work" || { echo "FAIL: no PostgreSQL server could be started"; exit 1; }
	store=$PG_URL
fi
export LC_ALL=C NO_COLOR=1 HINAGATA_PATH=
a=$top/samples/city-a
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

# ---- the nights' exports: city A's clean exports with the sample drifts put in ----
# trail: log file validation off (GC-AWS-LOG-02); buckets: the documents
# bucket's public access block relaxed (GC-AWS-PUB-01) and an unmanaged
# bucket; sg: SSH from a vendor's network; -notmp: the unmanaged bucket
# deleted; -nos3: no S3 listing collected that night.
state() { # name drifts...
	name=$1
	shift
	rm -rf "state/$name"
	mkdir -p "state/$name"
	cp "$a"/exports-clean/*.json "state/$name/"
	for drift in "$@"; do
		case $drift in
		trail) cp "$a/exports/list-AWS-CloudTrail-Trail.json" "state/$name/" ;;
		buckets) cp "$a/exports/list-AWS-S3-Bucket.json" "state/$name/" ;;
		sg) cp "$a/exports/list-AWS-EC2-SecurityGroup.json" "state/$name/" ;;
		notmp) python3 - "state/$name/list-AWS-S3-Bucket.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["ResourceDescriptions"] = [r for r in d["ResourceDescriptions"] if r["Identifier"] != "city-a-juki-tmp-export"]
json.dump(d, open(sys.argv[1], "w"), indent=2)
PY
			;;
		nos3) rm "state/$name/list-AWS-S3-Bucket.json" ;;
		esac
	done
}
state clean
state sg sg
state sg-trail-buckets sg trail buckets
state sg-buckets sg buckets
state sg-nos3 sg nos3
state sg-trail-notmp sg trail buckets notmp
state trail-notmp trail buckets notmp
state trail trail

# The vendor maintenance window on the database's security group, accepted
# until 2026-12-20 (ticket OPS-1432).
cat >ignore.yaml <<'EOF'
ignore:
  - type: AWS::EC2::SecurityGroup
    resource: DbSecurityGroup
    path: /SecurityGroupIngress
    reason: vendor maintenance window (ticket OPS-1432)
    expires: 2026-12-20
EOF

night() { # day state [--ignore] : record city A's drift of that night
	day=$1
	st=$2
	shift 2
	set +e
	"$hinagata" drift --history "$store" --date "2026-12-$day" "$@" \
		--template "$a/juki-prod.yaml" --state "state/$st" >"night-$day.txt" 2>"night-$day.err"
	rc=$?
	set -e
	if [ $rc -gt 1 ]; then
		echo "FAIL: night $day: drift exit $rc"
		cat "night-$day.err"
		fail=1
	fi
}

status() { # resource aspect-or-control -> the finding's status now
	"$hinagata" history --history "$store" export >findings.csv
	python3 - "$1" "$2" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open("findings.csv", newline="", encoding="utf-8"))
        if r["resource"] == sys.argv[1] and sys.argv[2] in (r["aspect"], r["control"])]
print(rows[0]["status"] if len(rows) == 1 else "missing(%d)" % len(rows))
PY
}

expect() { # night resource aspect status
	got=$(status "$2" "$3")
	check "night $1: $2 $3 is $4 (got $got)" [ "$got" = "$4" ]
}

stack=city-a-juki-prod
sg="$stack/DbSecurityGroup"
trail="$stack/AuditTrail"
docs="$stack/DocumentsBucket"
for d in 01 02 03; do night $d clean; done
"$hinagata" history --history "$store" export >findings.csv
check "clean nights record no finding" [ "$(wc -l <findings.csv)" = 1 ]
night 04 sg
expect 04 "$sg" /SecurityGroupIngress/1 new
night 05 sg
expect 05 "$sg" /SecurityGroupIngress/1 open
night 06 sg
night 07 sg --ignore ignore.yaml
expect 07 "$sg" /SecurityGroupIngress/1 suppressed
night 08 sg-trail-buckets --ignore ignore.yaml
expect 08 "$trail" /EnableLogFileValidation new
expect 08 "$trail" GC-AWS-LOG-02 new
expect 08 "$docs" GC-AWS-PUB-01 new
expect 08 city-a-juki-tmp-export UNMANAGED new
expect 08 "$sg" /SecurityGroupIngress/1 suppressed
night 09 sg-trail-buckets --ignore ignore.yaml
night 10 sg-trail-buckets --ignore ignore.yaml
expect 10 "$trail" GC-AWS-LOG-02 open
night 11 sg-buckets --ignore ignore.yaml
expect 11 "$trail" GC-AWS-LOG-02 resolved
expect 11 "$trail" /EnableLogFileValidation resolved
# No S3 listing tonight: the buckets are not checked, so nothing on them resolves.
night 12 sg-nos3 --ignore ignore.yaml
expect 12 "$docs" GC-AWS-PUB-01 open
expect 12 "$docs" /PublicAccessBlockConfiguration/BlockPublicPolicy open
expect 12 city-a-juki-tmp-export UNMANAGED open
night 13 sg-buckets --ignore ignore.yaml
night 14 sg-trail-buckets --ignore ignore.yaml
expect 14 "$trail" GC-AWS-LOG-02 reopened
# The clouds' own findings of night 15, and a vendor's template checked.
night 15 sg-trail-buckets --ignore ignore.yaml
expect 15 "$trail" GC-AWS-LOG-02 open
"$hinagata" history --history "$store" import --date 2026-12-15 "$a/securityhub/get-findings.json" \
	"$top/samples/city-b/defender/assessments.json" 2>import-15.err
expect 15 arn:aws:s3:::city-a-juki-tmp-export S3.8 new
expect 15 "AWS::::Account:123456789012" IAM.6 suppressed
mkdir -p vendor
cp "$top/tests/golden/check-cfn-yaml/vendor.yaml" vendor/vendor.yaml
set +e
"$hinagata" check --history "$store" --date 2026-12-15 vendor/vendor.yaml >/dev/null 2>check-15.err
rc=$?
set -e
check "check records its findings and exits 1 for them" [ $rc = 1 ]
expect 15 vendor/vendor.yaml GC-AWS-NET-01 new
night 16 sg-trail-notmp --ignore ignore.yaml
expect 16 city-a-juki-tmp-export UNMANAGED resolved
expect 16 city-a-juki-tmp-export GC-AWS-PUB-01 resolved
for d in 17 18 19 20; do night $d sg-trail-notmp --ignore ignore.yaml; done
expect 20 "$sg" /SecurityGroupIngress/1 suppressed
# The ignore rule expired on the 20th: the drift counts again.
night 21 sg-trail-notmp --ignore ignore.yaml
expect 21 "$sg" /SecurityGroupIngress/1 open
check "the expired ignore rule is reported" grep -q HG7007 night-21.err
night 22 trail-notmp --ignore ignore.yaml
expect 22 "$sg" /SecurityGroupIngress/1 resolved
for d in 23 24; do night $d trail-notmp --ignore ignore.yaml; done
# The vendor removes the SSH rule open to the world.
sed -i '/FromPort: 22, ToPort: 22/d' vendor/vendor.yaml
set +e
"$hinagata" check --history "$store" --date 2026-12-25 vendor/vendor.yaml >/dev/null 2>check-25.err
set -e
expect 25 vendor/vendor.yaml "- { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0 }" resolved
expect 25 vendor/vendor.yaml '- { IpProtocol: "-1", CidrIpv6: "::/0" }' open
for d in 25 26 27 28; do night $d trail-notmp --ignore ignore.yaml; done
night 29 trail --ignore ignore.yaml
expect 29 "$docs" GC-AWS-PUB-01 resolved
expect 29 "$docs" /PublicAccessBlockConfiguration/RestrictPublicBuckets resolved
# Security Hub again: the bucket's S3.8 has passed since it was deleted.
python3 - "$a/securityhub/get-findings.json" sh-30.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["Findings"]:
    if f.get("Compliance", {}).get("SecurityControlId") == "S3.8":
        f["Compliance"]["Status"] = "PASSED"
        f["Workflow"]["Status"] = "RESOLVED"
        f["UpdatedAt"] = "2026-12-29T18:02:10.512Z"
json.dump(d, open(sys.argv[2], "w"), indent=4)
PY
"$hinagata" history --history "$store" import --date 2026-12-30 sh-30.json 2>import-30.err
expect 30 arn:aws:s3:::city-a-juki-tmp-export S3.8 resolved
night 30 trail --ignore ignore.yaml
night 31 trail --ignore ignore.yaml
expect 31 "$trail" GC-AWS-LOG-02 open

# A run dated before the newest of its source is refused, and changes nothing.
"$hinagata" history --history "$store" runs >runs-before.txt
set +e
"$hinagata" drift --history "$store" --date 2026-12-05 --template "$a/juki-prod.yaml" --state state/clean \
	>/dev/null 2>late.err
rc=$?
set -e
"$hinagata" history --history "$store" runs >runs-after.txt
check "an out-of-order night exits 2 (HG7105)" [ $rc = 2 ]
check "an out-of-order night is named" grep -q HG7105 late.err
check "an out-of-order night records nothing" cmp -s runs-before.txt runs-after.txt

# ---- the monthly report ----
set +e
"$hinagata" report --history "$store" --month 2026-12 --format json -o report.json
rc=$?
set -e
check "the report exits 1: findings are open at the end of the month" [ $rc = 1 ]
python3 - report.json <<'PY' || fail=1
import json, sys
r = json.load(open(sys.argv[1]))
bad = []
def want(what, got, exp):
    if got != exp:
        bad.append("%s: %r, expected %r" % (what, got, exp))
# The score by hand, from docs/history.md: weight critical 8, high 4,
# medium 2, low 1. At the end of December:
#   drift, account 123456789012: 27 controls (8 critical, 13 high, 6 medium
#     = 128); GC-AWS-LOG-02 (critical) failed: passed 120 of 128;
#   Security Hub, same account: EC2.19 (critical), S3.8 (high), CloudTrail.4
#     (low) passed = 13, Config.1 (medium) unknown = 2 (IAM.6 suppressed: no data);
#   Defender, subscription 8c3f...: two high passed = 8, one medium failed = 2
#     (the exempt and the not applicable ones: no data).
want("score", r["score"]["score"], round(100 * (120 + 13 + 8) / (128 + 15 + 10), 1))
want("passed", r["score"]["passed"], 26 + 3 + 2)
want("failed", r["score"]["failed"], 1 + 0 + 1)
want("unknown", r["score"]["unknown"], 1)
acc = {a["account"]: a for a in r["accounts"]}
want("account A", acc["123456789012"]["score"]["score"], round(100 * 133 / 143, 1))
want("subscription B", acc["8c3f2a1e-5b7d-4e9a-9f0c-2d4b6a8e1c3f"]["score"]["score"], 80.0)
want("nights", len(r["nights"]), 31)
night = {n["date"]: n["score"]["score"] for n in r["nights"]}
want("a clean night", night["2026-12-01"], 100.0)
# Night 8: LOG-02, PUB-01 (the documents bucket and the unmanaged one),
# ENC-03 and BAK-01 (the unmanaged bucket) failed.
want("night 8", night["2026-12-08"], round(100 * (128 - 8 - 8 - 4 - 2) / 128, 1))
# Night 12 (no S3 listing): the failing findings stay failing (PUB-01 8,
# ENC-03 4, BAK-01 2), and the controls of the buckets that could not be
# checked are unknown, not passed (CFG-01 8, LOG-05 8, NET-05 4).
n12 = [n for n in r["nights"] if n["date"] == "2026-12-12"][0]
want("night 12 coverage", (n12["checked"], n12["resources"]), (35, 39))
want("night 12 controls", (n12["score"]["failed"], n12["score"]["unknown"]), (3, 3))
want("night 12 score", n12["score"]["score"], round(100 * (128 - 14 - 20) / 128, 1))
# Findings of the month.
def keyed(lst):
    return {(f["resource"], f.get("control") or f.get("aspect")): f for f in lst}
opened = keyed(r["findings"]["opened"])
resolved = keyed(r["findings"]["resolved"])
openf = keyed(r["findings"]["open"])
supp = keyed(r["findings"]["suppressed"])
want("reopened trail", opened[("city-a-juki-prod/AuditTrail", "GC-AWS-LOG-02")]["status"], "new")
# Opened: the security group's drift (4th); the trail's drift and violation,
# the documents bucket's two drifts and violation, the unmanaged bucket and
# its three violations (8th); S3.8 and the GuardDuty finding, Defender's
# unhealthy storage account, the vendor template's seven violations (15th).
# The trail's two came back on the 14th (reopened). Resolved: the trail's
# two (11th, before they came back), the unmanaged bucket's four (16th), the
# security group (22nd), the vendor's SSH rule (25th), the documents
# bucket's three (29th), S3.8 (30th). Open at the end: the trail's two,
# GuardDuty's, Defender's and the vendor's six. Suppressed: IAM.6,
# Defender's exempt recommendation, the vendor's suppressed PUB-02.
want("counts", r["counts"], {"opened": 20, "new": 20, "reopened": 2, "resolved": 12, "open": 10, "suppressed": 3})
want("trail open", openf[("city-a-juki-prod/AuditTrail", "GC-AWS-LOG-02")]["status"], "open")
want("sg resolved", resolved[("city-a-juki-prod/DbSecurityGroup", "/SecurityGroupIngress/1")]["date"], "2026-12-22")
want("docs resolved", resolved[("city-a-juki-prod/DocumentsBucket", "GC-AWS-PUB-01")]["date"], "2026-12-29")
want("IAM.6 suppressed", supp[("AWS::::Account:123456789012", "IAM.6")]["suppressReason"][:26], "The root user's MFA is a h")
want("drift by severity", r["drift"]["bySeverity"], {"critical": 1, "high": 0, "medium": 0, "low": 0, "none": 0})
want("coverage", (r["coverage"]["date"], r["coverage"]["checked"], r["coverage"]["resources"]), ("2026-12-31", 39, 39))
tm = [t for t in r["templates"] if t["mandatory"]]
want("mandatory templates", sorted((t["template"], t["version"], t["newest"], t["current"]) for t in tm),
     [("gc/aws/audit-trail", "1.1.0", "1.1.0", True), ("gc/aws/config-recorder", "1.1.0", "1.1.0", True),
      ("gc/aws/threat-detection", "1.1.0", "1.1.0", True)])
for b in bad:
    print("FAIL: report.json: " + b)
sys.exit(1 if bad else 0)
PY
check "the JSON report validates against its schema" python3 - "$top/schemas/hinagata-monthly.schema.json" report.json <<'PY'
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
PY
for lang in en ja; do
	for fmt in md html; do
		"$hinagata" --lang $lang report --history "$store" --month 2026-12 --format $fmt -o "report.$lang.$fmt" || true
	done
done
"$hinagata" report --history "$store" --month 2026-12 --format json -o report.json || true
# The same bytes every time (two runs, two languages of the JSON: the data is the same).
"$hinagata" report --history "$store" --month 2026-12 --format json -o report-again.json || true
check "the report is deterministic" cmp -s report.json report-again.json
golden() { # file
	if [ "${UPDATE:-}" = 1 ]; then
		mkdir -p "$expected"
		cp "$1" "$expected/report-2026-12.${1#report.}"
		return
	fi
	if ! cmp -s "$expected/report-2026-12.${1#report.}" "$1"; then
		echo "FAIL: $1 differs from tests/expected/history/report-2026-12.${1#report.}:"
		diff -u "$expected/report-2026-12.${1#report.}" "$1" | head -40 || true
		fail=1
	else
		pass=$((pass + 1))
	fi
}
golden report.json
for lang in en ja; do
	golden "report.$lang.md"
	golden "report.$lang.html"
done
# The HTML is one file: no script, no external resource.
check "the HTML has no script" sh -c "! grep -qi '<script' report.en.html"
check "the HTML loads nothing" sh -c "! grep -Eqi '(src|href)=\"(https?:)?//' report.ja.html"

# The history lists the month's runs and a finding's timeline.
"$hinagata" history --history "$store" runs --month 2026-12 >runs.txt
check "36 runs listed: 31 nights of drift, 2 checks, 3 imports" [ "$(($(wc -l <runs.txt) - 1))" = 36 ]
key=$("$hinagata" history --history "$store" export | python3 -c "
import csv, sys
for r in csv.DictReader(sys.stdin):
    if r['resource'] == 'city-a-juki-prod/AuditTrail' and r['control'] == 'GC-AWS-LOG-02':
        print(r['id'][:8])")
"$hinagata" history --history "$store" show "$key" >timeline.txt
check "the timeline shows the trail's finding reopened on the 14th" grep -q '^2026-12-14 .*reopened' timeline.txt
check "the timeline shows it resolved on the 11th" grep -q '^2026-12-11 .*resolved' timeline.txt
# Several findings in one call: each timeline as its own call prints it, in
# the order given; one ID that names no finding prints nothing.
key2=$("$hinagata" history --history "$store" export | sed -n 2p | cut -d, -f1 | tr -d '"')
for fmt in text json; do
	{
		"$hinagata" history --history "$store" show --format $fmt "$key2"
		[ $fmt = json ] || echo # text: a blank line between two
		"$hinagata" history --history "$store" show --format $fmt "$key"
	} >one-by-one.$fmt
	"$hinagata" history --history "$store" show --format $fmt "$key2" "$key" >together.$fmt
	check "show ID ID ($fmt): the two timelines as two calls print them" cmp -s one-by-one.$fmt together.$fmt
done
check "show ID ID (json): two documents" [ "$(jq -s length together.json)" = 2 ]
set +e
"$hinagata" history --history "$store" show "$key" 0123456789abcdef >some.txt 2>some.err
s_rc=$?
set -e
check "show with an ID of no finding: exit 2, HG7110, nothing on stdout (exit $s_rc)" \
	sh -c "[ $s_rc = 2 ] && grep -q 'HG7110' some.err && [ ! -s some.txt ]"

echo "history-month: $pass checks passed"
exit $fail
