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
for acc in 100000000001 100000000002 100000000003; do
	mkdir -p "cloud/$acc/ap-northeast-1"
	for f in "$top"/samples/city-a/exports-clean/*.json; do
		sed "s/123456789012/$acc/g" "$f" >"cloud/$acc/ap-northeast-1/$(basename "$f")"
	done
done
mkdir -p cloud/100000000001/ap-northeast-3 # a second region without stacks
# account 2: an Internet Gateway made by hand, in no stack
cat >cloud/100000000002/ap-northeast-1/list-AWS-EC2-InternetGateway.json <<'EOF'
{"TypeName": "AWS::EC2::InternetGateway", "ResourceDescriptions": [
  {"Identifier": "igw-0handmade", "Properties": "{\"InternetGatewayId\":\"igw-0handmade\",\"Tags\":[{\"Key\":\"Name\",\"Value\":\"debug\"}]}"}]}
EOF

# What the fake answers, written once (a jq per call would make the test slow):
# per account and region, each stack's resources, each resource's
# get-resource, each listing's two pages and the buckets as s3api lists them.
python3 - "$work/cloud" <<'PY'
import json, os, sys
for acc in sorted(os.listdir(sys.argv[1])):
    for region in sorted(os.listdir(os.path.join(sys.argv[1], acc))):
        d = os.path.join(sys.argv[1], acc, region)
        ans = os.path.join(d, "answers")
        os.makedirs(ans)
        files = sorted(os.listdir(d))
        if "describe-stack-resources.json" in files:
            res = json.load(open(os.path.join(d, "describe-stack-resources.json")))["StackResources"]
            for stack in sorted(set(r["StackName"] for r in res)):
                json.dump({"StackResources": [r for r in res if r["StackName"] == stack]},
                          open(os.path.join(ans, "resources-" + stack), "w"))
        for f in files:
            if not f.startswith("list-"):
                continue
            doc = json.load(open(os.path.join(d, f)))
            t, rs = doc["TypeName"], doc["ResourceDescriptions"]
            key = t.replace("::", "-")
            json.dump({"TypeName": t, "ResourceDescriptions": rs[:1], "NextToken": "page-2"},
                      open(os.path.join(ans, "list-" + key + "-1"), "w"))
            json.dump({"TypeName": t, "ResourceDescriptions": rs[1:]}, open(os.path.join(ans, "list-" + key + "-2"), "w"))
            for r in rs:
                json.dump({"TypeName": t, "ResourceDescription": r},
                          open(os.path.join(ans, "get-" + key + "-" + r["Identifier"].replace("/", "%")), "w"))
            if t == "AWS::S3::Bucket":
                json.dump({"Buckets": [{"Name": r["Identifier"], "BucketRegion": region} for r in rs]},
                          open(os.path.join(ans, "buckets"), "w"))
PY

mkdir bin
cat >bin/aws <<FAKE
#!/bin/sh
# fake aws: the accounts under $work/cloud; the caller's account from the
# assumed role's key (AKIAFAKE<account>) or the profile.
arg() { # the value after an option
	want=\$1
	shift
	while [ \$# -gt 0 ]; do
		[ "\$1" = "\$want" ] && { echo "\$2"; return; }
		shift
	done
}
region=\$(arg --region "\$@")
profile=\$(arg --profile "\$@")
case \$profile in
city-b) acc=100000000002 ;;
"") acc=\${AWS_ACCESS_KEY_ID#AKIAFAKE} ;;
*) echo "The config profile (\$profile) could not be found" >&2; exit 255 ;;
esac
log() { # STATUS ARGS...: one line per call: account region profile status | the command
	st=\$1
	shift
	echo "\$acc \$region \${profile:--} \$st | \$*" | sed -E 's/ --(output|region|profile) [^ ]+//g; s/\| --(region|profile) [^ ]+/|/g' >>"$work/aws.log"
}
data=$work/cloud/\$acc/\$region
ans=\$data/answers
case "\$*" in
*"sts assume-role"*)
	role=\$(arg --role-arn "\$@")
	ra=\$(echo "\$role" | cut -d: -f5)
	acc=profile-less
	if [ "\$ra" = 100000000003 ]; then
		log failed "\$@"
		echo "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::999999999999:assumed-role/hinagata-batch/job is not authorized to perform: sts:AssumeRole on resource: \$role" >&2
		exit 254
	fi
	[ "\$(arg --external-id "\$@")" = fleet-test ] || { echo "An error occurred (AccessDenied): external ID" >&2; exit 254; }
	log ok "\$@"
	echo "{\"Credentials\": {\"AccessKeyId\": \"AKIAFAKE\$ra\", \"SecretAccessKey\": \"secret-\$ra\", \"SessionToken\": \"token\", \"Expiration\": \"2026-11-24T03:00:00Z\"}}"
	exit 0 ;;
*"sts get-caller-identity"*)
	log ok "\$@"
	echo "{\"UserId\": \"AROAFAKE:hinagata-collect\", \"Account\": \"\$acc\", \"Arn\": \"arn:aws:sts::\$acc:assumed-role/HinagataReadOnly/hinagata-collect\"}"
	exit 0 ;;
*"cloudformation describe-stacks"*)
	log ok "\$@"
	[ -f "\$data/describe-stacks.json" ] && exec cat "\$data/describe-stacks.json"
	echo '{"Stacks": []}'
	exit 0 ;;
*"cloudformation describe-stack-resources"*)
	log ok "\$@"
	exec cat "\$ans/resources-\$(arg --stack-name "\$@")" ;;
*"cloudcontrol get-resource"*)
	t=\$(arg --type-name "\$@")
	id=\$(arg --identifier "\$@")
	f="\$ans/get-\$(echo "\$t" | sed 's/::/-/g')-\$(echo "\$id" | tr / %)"
	if [ ! -f "\$f" ]; then
		log unsupported "\$@"
		echo "An error occurred (UnsupportedActionException) when calling the GetResource operation: Resource type \$t does not support GET action" >&2
		exit 254
	fi
	log ok "\$@"
	exec cat "\$f" ;;
*"cloudcontrol list-resources"*)
	t=\$(arg --type-name "\$@")
	tok=\$(arg --next-token "\$@")
	# account 2 is throttled twice, on its first two listings of VPCs
	if [ "\$acc" = 100000000002 ] && [ "\$t" = AWS::EC2::VPC ] && [ -z "\$tok" ]; then
		n=\$(cat "$work/throttle" 2>/dev/null || echo 0)
		if [ "\$n" -lt 2 ]; then
			echo \$((n + 1)) >"$work/throttle"
			log throttled "\$@"
			echo "An error occurred (ThrottlingException) when calling the ListResources operation (reached max retries: 2): Rate exceeded" >&2
			exit 254
		fi
	fi
	case \$t in AWS::SecurityHub::AutomationRule)
		log unsupported "\$@"
		echo "An error occurred (UnsupportedActionException) when calling the ListResources operation: Resource type \$t does not support LIST action" >&2
		exit 254 ;;
	esac
	log ok "\$@"
	f="\$ans/list-\$(echo "\$t" | sed 's/::/-/g')"
	[ -f "\$f-1" ] || { echo "{\"TypeName\": \"\$t\", \"ResourceDescriptions\": []}"; exit 0; }
	# two pages, as the real API pages
	[ -z "\$tok" ] && exec cat "\$f-1"
	exec cat "\$f-2" ;;
*"s3api list-buckets"*)
	log ok "\$@"
	[ -f "\$ans/buckets" ] || { echo '{"Buckets": []}'; exit 0; }
	exec cat "\$ans/buckets" ;;
esac
log unexpected "\$@"
echo "fake aws: unexpected call: \$*" >&2
exit 255
FAKE
chmod +x bin/aws
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
python3 - "$top/samples/city-b/exports" "$work/azcloud" "$S1" "$S2" <<'PY'
import json, os, sys
src, dst, s1, s2 = sys.argv[1:]
for sub in (s1, s2):
    d = os.path.join(dst, sub)
    os.makedirs(d)
    for f in sorted(os.listdir(src)):
        text = open(os.path.join(src, f)).read().replace(s1, sub)
        doc = json.loads(text)
        if f.startswith("az-resource-show-"):
            out = os.path.join(d, "show-" + doc["id"].lower().replace("/", "%"))
        else:
            out = os.path.join(d, f)
        open(out, "w").write(text)
PY
cat >bin/az <<FAKE
#!/bin/sh
arg() {
	want=\$1
	shift
	while [ \$# -gt 0 ]; do
		[ "\$1" = "\$want" ] && { echo "\$2"; return; }
		shift
	done
}
sub=\$(arg --subscription "\$@")
echo "\$sub | \$*" | sed -E 's/ --(output|subscription) [^ ]+//g' >>"$work/az.log"
d=$work/azcloud/\$sub
if [ ! -d "\$d" ]; then
	echo "ERROR: (AuthorizationFailed) The client 'hinagata-batch' does not have authorization to perform action 'Microsoft.Resources/subscriptions/read' over scope '/subscriptions/\$sub'" >&2
	exit 1
fi
case "\$*" in
"account show"*) echo "{\"id\": \"\$sub\", \"name\": \"city\", \"state\": \"Enabled\"}"; exit 0 ;;
"group list"*) exec cat "\$d/az-group-list.json" ;;
"deployment sub list"*) exec cat "\$d/az-deployment-sub-list.json" ;;
"policy assignment list"*) exec cat "\$d/az-policy-assignment-list.json" ;;
"role assignment list --all"*) exec cat "\$d/az-role-assignment-list.json" ;;
"lock list"*) exec cat "\$d/az-lock-list.json" ;;
"security pricing list"*)
	if [ "\$sub" = $S1 ]; then
		n=\$(cat "$work/az-throttle" 2>/dev/null || echo 0)
		if [ "\$n" -lt 2 ]; then
			echo \$((n + 1)) >"$work/az-throttle"
			echo "ERROR: (TooManyRequests) The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00." >&2
			exit 1
		fi
	fi
	exec cat "\$d/az-security-pricing-list.json" ;;
"monitor diagnostic-settings subscription list"*) exec cat "\$d/az-diagnostic-settings-subscription.json" ;;
"resource list --resource-group "*) exec cat "\$d/az-resource-list-\$4.json" ;;
"deployment group list --resource-group "*) exec cat "\$d/az-deployment-group-list-\$5.json" ;;
"resource show --ids "*)
	f="\$d/show-\$(echo "\$4" | tr 'A-Z/' 'a-z%')"
	[ -f "\$f" ] && exec cat "\$f"
	echo "(ResourceNotFound) The Resource was not found." >&2
	exit 3 ;;
esac
echo "ERROR: unexpected az \$*" >&2
exit 3
FAKE
chmod +x bin/az
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
