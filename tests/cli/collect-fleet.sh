#!/bin/sh
# collect-fleet.sh: the collectors over a whole fleet, from a fleet manifest,
# against fake aws and az commands that answer like the real ones: with the
# recorded exports of city A (AWS) and city B (Azure), with throttling
# errors, and with failures. Three AWS accounts: one reached through a role
# and collected in two regions, one (through a profile) throttled twice and
# carrying a hand-made Internet Gateway no stack knows, one whose role
# cannot be assumed; three Azure subscriptions, one throttled twice, one
# that cannot be read. Then hinagata drift on what was collected.
# Usage: collect-fleet.sh HINAGATA TOP
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
if [ -n "${KEEP:-}" ]; then echo "work: $work (KEEP: not removed)"; else trap 'rm -rf "$work"' EXIT; fi
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
command -v jq >/dev/null 2>&1 || { echo "collect-fleet: jq is missing (scripts/setup-deps.sh --test)"; exit 1; }
cd "$work"

# ---- the clouds: what each account and region holds ----
. "$here/fake-aws.sh"
for acc in 100000000001 100000000002 100000000003; do
	fake_aws_account "$work" "$top" $acc
done
mkdir -p cloud/100000000001/ap-northeast-3 # a second region without stacks
# account 2: an Internet Gateway made by hand, in no stack
cat >cloud/100000000002/ap-northeast-1/list-AWS-EC2-InternetGateway.json <<'EOF'
{"TypeName": "AWS::EC2::InternetGateway", "ResourceDescriptions": [
  {"Identifier": "igw-0handmade", "Properties": "{\"InternetGatewayId\":\"igw-0handmade\",\"Tags\":[{\"Key\":\"Name\",\"Value\":\"debug\"}]}"}]}
EOF
fake_aws_bin "$work"
echo 100000000003 >fake/deny                        # its role cannot be assumed
echo "city-b 100000000002" >fake/profiles            # reached through a profile
echo "100000000002 AWS::EC2::VPC 2" >fake/throttle   # throttled twice
echo AWS::SecurityHub::AutomationRule >fake/unlistable
echo fleet-test >fake/external-id

PATH=$work/bin:$PATH
HINAGATA=$hinagata
HINAGATA_COLLECT_BACKOFF=0 # the retries' waits, not their number, are left out
export PATH HINAGATA HINAGATA_COLLECT_BACKOFF

cp "$top/samples/city-a/juki-prod.yaml" juki-prod.yaml
cat >fleet.yaml <<'EOF'
fleet: 1
name: collect-test
aws:
  regions: [ap-northeast-1]
  credentials: { role: "arn:aws:iam::{account}:role/HinagataReadOnly", external_id: fleet-test }
  stacks:
    - { name: city-a-juki-prod, template: juki-prod.yaml, regions: [ap-northeast-1] }
  accounts:
    - { account: "100000000001", name: city-a, regions: [ap-northeast-1, ap-northeast-3] }
    - { account: "100000000002", name: city-b, credentials: { profile: city-b } }
    - { account: "100000000003", name: city-c }
EOF

# last night's collection of the account that fails tonight
mkdir -p state/100000000003/ap-northeast-1
cp cloud/100000000003/ap-northeast-1/describe-stacks.json state/100000000003/ap-northeast-1/
set +e
"$top/scripts/hinagata-collect-aws" --manifest fleet.yaml -o state 2>collect.err
rc=$?
set -e
check "one of three accounts failed: exit 2 (got $rc)" [ $rc = 2 ]
check "the two others are collected (three account regions)" \
	[ "$(cd state && find . -name describe-stacks.json | sort | tr '\n' ' ')" = \
		"./100000000001/ap-northeast-1/describe-stacks.json ./100000000001/ap-northeast-3/describe-stacks.json ./100000000002/ap-northeast-1/describe-stacks.json " ]
check "the failure is reported with AWS's message" \
	grep -q '100000000003/ap-northeast-1: FAILED: cannot assume arn:aws:iam::100000000003:role/HinagataReadOnly' collect.err
check "... AccessDenied" grep -q 'AccessDenied' collect.err
check "... and counted" grep -q '3 of 4 account regions collected into state, 1 FAILED' collect.err
check "last night's collection of the failed account is out of the tree" [ ! -e state/100000000003/ap-northeast-1 ]
check "nothing half-written is left" [ -z "$(find state -name '.collect*')" ]
check "the throttled account was throttled twice ..." \
	[ "$(grep -c '^100000000002 ap-northeast-1 city-b throttled | cloudcontrol list-resources --type-name AWS::EC2::VPC' aws.log)" = 2 ]
check "... retried with backoff, and its listing saved" sh -c \
	"grep -q 'throttled (ThrottlingException); retrying' collect.err && [ \"\$(jq -c .ResourceDescriptions state/100000000002/ap-northeast-1/list-AWS-EC2-VPC.json)\" = \"\$(jq -c .ResourceDescriptions cloud/100000000002/ap-northeast-1/list-AWS-EC2-VPC.json)\" ]"
check "at most one listing per type and region (pages apart)" sh -c \
	"! grep -E ' ok \\| (cloudcontrol list-resources|s3api list-buckets)' aws.log | grep -v -- '--next-token' \
	| sort | uniq -d | grep -q ."
check "every page was followed" grep -q -- '--next-token page-2' aws.log
check "the roles were assumed with the external ID" \
	[ "$(grep -c 'ok | sts assume-role --role-arn arn:aws:iam::10000000000[12]:role/HinagataReadOnly --role-session-name hinagata-collect --external-id fleet-test' aws.log)" = 2 ]
check "the profile's account through its profile" grep -q '^100000000002 ap-northeast-1 city-b ok | cloudformation describe-stacks$' aws.log
check "the account reached was checked before reading" sh -c \
	"[ \"\$(grep '^100000000001 ap-northeast-1 ' aws.log | sed -n 1p)\" = '100000000001 ap-northeast-1 - ok | sts get-caller-identity' ]"
check "the default types are listed where no stack has them (an Internet Gateway)" \
	[ -f state/100000000001/ap-northeast-1/list-AWS-EC2-InternetGateway.json ]
check "a global service's types only in the home region" sh -c \
	"[ -f state/100000000001/ap-northeast-1/list-AWS-IAM-Role.json ] && [ ! -e state/100000000001/ap-northeast-3/list-AWS-IAM-Role.json ]"
check "buckets listed per region with s3api, as a cloudcontrol listing" sh -c \
	"grep -q 's3api list-buckets --bucket-region ap-northeast-3' aws.log && \
	 [ \"\$(jq -r .TypeName state/100000000001/ap-northeast-3/list-AWS-S3-Bucket.json)\" = AWS::S3::Bucket ]"
check "a type cloudcontrol cannot list is skipped with a warning" \
	grep -q 'cloudcontrol cannot list AWS::SecurityHub::AutomationRule' collect.err
check "one get-resource per resource of the manifest's stacks (39 each)" \
	[ "$(ls state/100000000002/ap-northeast-1 | grep -c '^get-.*-city-a-juki-prod-')" = 39 ]
check "no secret in what was printed" sh -c "! grep -q 'secret-1000' collect.err"

# The same night with --jobs 3: three units at a time (the one that fails
# ends first), the same tree and, byte for byte, the same messages in the
# plan's order.
mkdir -p state-j/100000000003/ap-northeast-1
cp cloud/100000000003/ap-northeast-1/describe-stacks.json state-j/100000000003/ap-northeast-1/
rm -f fake/throttled-*
set +e
"$top/scripts/hinagata-collect-aws" --manifest fleet.yaml --jobs 3 -o state-j 2>collect-j.err
rc=$?
set -e
check "--jobs 3: exit 2 again (got $rc)" [ $rc = 2 ]
check "--jobs 3: the same files and bytes as one unit at a time" diff -r state state-j
check "--jobs 3: the same messages, in the same order" sh -c "sed 's/ into state-j,/ into state,/' collect-j.err | cmp -s collect.err -"
check "--jobs 3: nothing half-written is left" [ -z "$(find state-j -name '.collect*')" ]
set +e
HINAGATA_COLLECT_JOBS=0 "$top/scripts/hinagata-collect-aws" --manifest fleet.yaml -o state-j 2>jobs0.err
rc=$?
set -e
check "HINAGATA_COLLECT_JOBS=0: a usage error, exit 2 (got $rc)" \
	sh -c "[ $rc = 2 ] && grep -q -- \"--jobs takes a number of units from 1 up, not '0'\" jobs0.err"

# the next night, nothing changed in the clouds: the collections are left
# as they were (the files keep their inodes, so drift --cache need not read them)
ino=$(stat -c %i state/100000000001/ap-northeast-1/describe-stacks.json)
set +e
"$top/scripts/hinagata-collect-aws" --manifest fleet.yaml -o state 2>collect2.err
set -e
check "an unchanged collection is left in place (same inode)" \
	[ "$(stat -c %i state/100000000001/ap-northeast-1/describe-stacks.json)" = "$ino" ]
check "... and said so" grep -q '100000000001/ap-northeast-1: .* (unchanged)' collect2.err
check "... nothing half-written left" [ -z "$(find state -name '.collect*')" ]

# drift on what was collected: the hand-made Internet Gateway is found
set +e
"$hinagata" drift --today 2026-11-24 --format json --template juki-prod.yaml=city-a-juki-prod --state state \
	>drift.json 2>drift.err
rc=$?
set -e
check "drift on the collected fleet: exit 1 (got $rc: $(cat drift.err))" [ $rc = 1 ]
check "the hand-made Internet Gateway is UNMANAGED and breaks GC-AWS-NET-01" python3 -c "
import json, sys
rs = json.load(open('drift.json'))['resources']
bad = [r for r in rs if r['status'] not in ('IN_SYNC',)]
ok = [r for r in bad if r['type'] == 'AWS::EC2::InternetGateway' and r['account'] == '100000000002'
      and r['status'] == 'UNMANAGED' and any(v['control'] == 'GC-AWS-NET-01' for v in r['violations'])]
sys.exit(not (len(bad) == 1 and ok))"
check "three units compared" [ "$(jq .summary.units drift.json)" = 3 ]

# One shard each: the units fleet plan gives the shard, no other (the same
# fleet, listing one type: the shards' assignment is what is looked at).
sed -e 's/^  stacks:/  types: [AWS::EC2::InternetGateway]\n  stacks: []/' -e '/city-a-juki-prod/d' fleet.yaml >fleet-small.yaml
for i in 1 2; do
	set +e
	JOB_COMPLETION_INDEX=$((i - 1)) JOB_COMPLETIONS=2 "$top/scripts/hinagata-collect-aws" --manifest fleet-small.yaml \
		-o "shard$i" 2>"shard$i.err"
	set -e
	"$hinagata" fleet plan --shard "$i/2" --format json fleet-small.yaml | jq -r '.units[].dir' | sort >"plan$i"
	(cd "shard$i" 2>/dev/null && find . -name describe-stacks.json | sed 's#^\./##; s#/describe-stacks.json##' | sort) >"got$i" || :
done
check "shard 1 collected its units (the failed one aside)" sh -c "grep -v 100000000003 plan1 | cmp -s - got1"
check "shard 2 collected its units (the failed one aside)" sh -c "grep -v 100000000003 plan2 | cmp -s - got2"
check "the shards are disjoint and cover the fleet" sh -c \
	"[ \"\$(cat plan1 plan2 | sort | tr '\n' ' ')\" = '100000000001/ap-northeast-1 100000000001/ap-northeast-3 100000000002/ap-northeast-1 100000000003/ap-northeast-1 ' ]"

# ---- Azure: three subscriptions, one throttled twice, one that fails ----
S1=8c3f2a1e-5b7d-4e9a-9f0c-2d4b6a8e1c3f # city B's recorded subscription
S2=11111111-2222-4333-8444-555555555555 # the same, under another ID
S3=99999999-8888-4777-8666-555555555555 # no access
. "$here/fake-az.sh"
fake_az_subscription "$work" "$top" "$S1"
fake_az_subscription "$work" "$top" "$S2"
echo "$S1 2" >fake/az-throttle
fake_az_bin "$work"
cat >azure.yaml <<EOF
fleet: 1
azure:
  deployments:
    - { name: city-b-juki, template: $top/samples/city-b/juki-azure.yaml }
  subscriptions:
    - { subscription: $S1, name: city-b, resource_groups: [rg-city-b-juki, NetworkWatcherRG] }
    - { subscription: $S2, name: city-b-copy }
    - { subscription: $S3, name: city-x }
EOF
mkdir -p azstate/$S3 # last night's
cp "$top/samples/city-b/exports/az-group-list.json" azstate/$S3/
set +e
HINAGATA_PATH=$top/samples "$top/scripts/hinagata-collect-azure" --manifest azure.yaml -o azstate 2>az.err
rc=$?
set -e
check "Azure: one of three subscriptions failed: exit 2 (got $rc)" [ $rc = 2 ]
check "Azure: the two others are collected, as the recorded exports" sh -c \
	"[ \"\$(ls azstate | tr '\n' ' ')\" = '$S2 $S1 ' ] && [ \"\$(ls azstate/$S1 | tr '\n' ' ')\" = \"\$(ls '$top/samples/city-b/exports' | tr '\n' ' ')\" ]"
check "Azure: the failure is reported with az's message" \
	sh -c "grep -q '$S3: FAILED' az.err && grep -q AuthorizationFailed az.err"
check "Azure: ... and counted" grep -q '2 of 3 subscriptions collected into azstate, 1 FAILED' az.err
check "Azure: last night's collection of the failed subscription is out of the tree" [ ! -e "azstate/$S3" ]
check "Azure: throttled twice, retried with backoff" \
	[ "$(grep -c 'throttled; retrying az security pricing list' az.err)" = 2 ]
check "Azure: the manifest's resource groups only, where it names them" sh -c \
	"grep -q '^$S1 | resource list --resource-group NetworkWatcherRG' az.log && grep -q '^$S2 | resource list --resource-group rg-city-b-juki' az.log"
check "Azure: resources shown at the compiled template's apiVersions" \
	grep -q "^$S2 | resource show --ids .*networkSecurityGroups/nsg-juki-app --api-version 2024-05-01" az.log
# the same with --jobs 3: the same tree, the same messages in the same order
mkdir -p azstate-j/$S3
cp "$top/samples/city-b/exports/az-group-list.json" azstate-j/$S3/
rm -f fake/az-throttled-*
set +e
HINAGATA_PATH=$top/samples "$top/scripts/hinagata-collect-azure" --manifest azure.yaml --jobs 3 -o azstate-j \
	2>az-j.err
rc=$?
set -e
check "Azure --jobs 3: exit 2 again (got $rc)" [ $rc = 2 ]
check "Azure --jobs 3: the same files and bytes as one at a time" diff -r azstate azstate-j
check "Azure --jobs 3: the same messages, in the same order" \
	sh -c "sed 's/ azstate-j/ azstate/' az-j.err | cmp -s az.err -"
set +e
"$hinagata" drift --today 2026-11-24 --format json --templates "$top/samples" \
	--template "$top/samples/city-b/juki-azure.yaml" --state azstate >az-drift.json 2>az-drift.err
rc=$?
"$hinagata" drift --today 2026-11-24 --format json --templates "$top/samples" \
	--template "$top/samples/city-b/juki-azure.yaml" --state "$top/samples/city-b/exports" >az-one.json 2>/dev/null
set -e
check "Azure: drift over both subscriptions (exit 1: the sample's injected drift)" [ $rc = 1 ]
check "Azure: each subscription's results are the recorded exports' results" python3 -c "
import json, os, sys
def text(r, hashes=True):  # the export a result comes from, by its name (the directories differ)
    r['source'] = os.path.basename(r['source'])
    if not hashes:  # of values that hold the subscription's ID
        r.pop('expectedHash', None)
        r.pop('actualHash', None)
    return json.dumps(r, sort_keys=True)
one = [text(r) for r in json.load(open('az-one.json'))['resources']]
both = json.load(open('az-drift.json'))['resources']
s1 = [text(r) for r in both if r['account'] == '$S1']
s1n = [text(r, False) for r in both if r['account'] == '$S1']
s2 = [text(r, False).replace('$S2', '$S1') for r in both if r['account'] == '$S2']
sys.exit(not (sorted(one) == sorted(s1) and sorted(s1n) == sorted(s2) and len(both) == 2 * len(one)))"

[ $fail = 0 ] && echo "collect-fleet: $pass checks passed"
exit $fail
