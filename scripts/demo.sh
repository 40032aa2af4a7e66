#!/bin/sh
# demo.sh: the main job on the bundled samples. Compiles every mandatory
# template (AWS and Azure) and the two sample municipal systems in samples/,
# then says where the CloudFormation and ARM templates are and how to deploy,
# and runs drift detection on the sample exports of city A.
set -eu
hinagata=${1:-_build/hinagata}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build
echo "== hinagata compile: mandatory templates and the samples -> $out/"
"$hinagata" compile -o "$out" templates/aws/*.yaml templates/azure/*.yaml samples/*/*.yaml
echo "(The warning HG6003 above is expected: the bundled Azure log workspace's 'prefix'"
echo " has a pattern ARM cannot check at deploy time; give it at compile time, as city B's"
echo " sample does, to have it checked. Warnings do not fail a compile: exit 0.)"
echo
echo "Compiled templates:"
find "$out" -name '*.json' | sort | sed 's/^/  /'
echo
echo "Deploy the AWS sample (city A) with:"
echo "  aws cloudformation deploy --template-file $out/city-a/juki-prod.json \\"
echo "    --stack-name city-a-juki-prod --capabilities CAPABILITY_IAM --region ap-northeast-1 \\"
echo "    --parameter-overrides SecurityEmail=security@city-a.example.lg.jp Env=prod"
echo "Deploy the Azure sample (city B) with:"
echo "  az deployment sub create --location japaneast --name city-b-juki \\"
echo "    --template-file $out/city-b/juki-azure.json --parameters securityEmail=security@city-b.example.lg.jp"
echo
echo "Control catalog: $hinagata controls --lang ja"
echo
echo "== hinagata drift: city A's compiled template against its exports (samples/city-a/exports/)"
echo "   (what hinagata-collect-aws saves from the AWS CLI; drifts injected: see samples/city-a/README.md)"
set +e
"$hinagata" drift --template "$out/city-a/juki-prod.json" --state samples/city-a/exports
rc=$?
set -e
echo "(exit $rc: 0 no drift, 1 drift, 2 could not run)"
"$hinagata" drift --format md -o "$out/city-a/drift-report.md" --lang ja \
	--template "$out/city-a/juki-prod.json" --state samples/city-a/exports || true
echo "Monthly report (Markdown, Japanese): $out/city-a/drift-report.md"
if "$hinagata" drift --template "$out/city-a/juki-prod.json" --state samples/city-a/exports-clean >/dev/null; then
	echo "The same template against samples/city-a/exports-clean/: no drift (exit 0)."
fi
echo
echo "== hinagata drift on Azure: city B's subscription against its az exports (samples/city-b/exports/)"
echo "   (what hinagata-collect-azure saves: the subscription's policy assignments, Defender plans,"
echo "   activity log settings, role assignments, locks and every resource group; drifts injected:"
echo "   see samples/city-b/README.md)"
set +e
"$hinagata" drift --templates samples --template samples/city-b/juki-azure.yaml --state samples/city-b/exports
rc=$?
set -e
echo "(exit $rc)"
if "$hinagata" drift --templates samples --template samples/city-b/juki-azure.yaml \
	--state samples/city-b/exports-clean >/dev/null; then
	echo "The same template against samples/city-b/exports-clean/: no drift, nothing not checked (exit 0)."
fi
echo
echo "== hinagata diff: what the bundled mandatory templates' new versions change"
echo "   (the Digital Agency's updates must be applied promptly; docs/diff.md)"
set +e
"$hinagata" diff gc/aws/threat-detection@1.0.0 gc/aws/threat-detection@1.1.0
"$hinagata" diff gc/azure/policy-baseline@1.0.0 gc/azure/policy-baseline@1.1.0
set -e
echo "(exit 1: differences.)"
echo
echo "== hinagata update: what the new versions do to the sample systems (--write would move them)"
set +e
"$hinagata" update --templates samples samples
set -e

echo
echo "== hinagata history: a week of city A's nights recorded, then the monthly report"
# The nights' exports: the clean sample with the sample's drifts put in one
# by one (samples/city-a/README.md), as a nightly job would collect them.
nights=$out/city-a/nights
hist=$out/city-a/history.db
rm -rf "$nights" "$hist" "$hist-wal" "$hist-shm"
night() { # day drifts... : the exports of that night
	mkdir -p "$nights/$1"
	cp samples/city-a/exports-clean/*.json "$nights/$1/"
	day=$1
	shift
	for f in "$@"; do cp "samples/city-a/exports/list-AWS-$f.json" "$nights/$day/"; done
}
night 01
night 02 EC2-SecurityGroup
night 03 EC2-SecurityGroup CloudTrail-Trail S3-Bucket
night 04 EC2-SecurityGroup CloudTrail-Trail S3-Bucket
night 05 EC2-SecurityGroup S3-Bucket
night 06 EC2-SecurityGroup S3-Bucket
night 07 EC2-SecurityGroup CloudTrail-Trail S3-Bucket
rm "$nights/06/list-AWS-S3-Bucket.json" # a night the S3 listing was not collected
{
	echo "ignore:"
	echo "  - type: AWS::EC2::SecurityGroup"
	echo "    resource: DbSecurityGroup"
	echo "    path: /SecurityGroupIngress"
	echo "    reason: vendor maintenance window (ticket OPS-1432)"
	echo "    expires: 2026-12-31"
} >"$nights/ignore.yaml"
for day in 01 02 03 04 05 06 07; do
	set -- --template "$out/city-a/juki-prod.json" --state "$nights/$day"
	[ "$day" -ge 04 ] && set -- "$@" --ignore "$nights/ignore.yaml"
	"$hinagata" drift --history "$hist" --date "2026-12-$day" "$@" >/dev/null 2>"$nights/$day.log" || true
	grep 'recorded run' "$nights/$day.log" | sed 's/^/  /'
done
"$hinagata" history --history "$hist" import --date 2026-12-07 samples/city-a/securityhub/get-findings.json \
	samples/city-b/defender/assessments.json 2>&1 | sed 's/^/  /'
"$hinagata" --lang ja report --history "$hist" --month 2026-12 --format md -o "$out/city-a/report-2026-12.md" || true
"$hinagata" --lang ja report --history "$hist" --month 2026-12 --format html -o "$out/city-a/report-2026-12.html" || true
echo
echo "History store: $hist (hinagata history --history $hist runs)"
echo "Monthly report (Japanese): $out/city-a/report-2026-12.md and $out/city-a/report-2026-12.html"
echo "  (open the HTML in a browser, or print it on A4; docs/history.md explains the score)"

echo
echo "== hinagata fleet: the operator's accounts and subscriptions (deploy/fleet.yaml) as work units"
echo "   (a nightly job runs one worker per shard: --shard I/N, or a Kubernetes Indexed Job's or an"
echo "   AWS Batch array job's index; deploy/README.md and docs/fleet.md)"
"$hinagata" fleet plan deploy/fleet.yaml | sed 's/^/  /'
for i in 1 2; do
	echo "  shard $i of 2:"
	"$hinagata" fleet plan --shard "$i/2" deploy/fleet.yaml | awk '$1 == "aws" || $1 == "azure" { print "    " $1 " " $2 }'
done
