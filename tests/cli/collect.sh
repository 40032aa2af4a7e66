#!/bin/sh
# collect.sh: the collector scripts against fake aws and az commands that
# replay recorded CLI output (city A's and city B's sample exports), then
# hinagata drift on what they collected.
# Usage: collect.sh HINAGATA TOP
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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
command -v jq >/dev/null 2>&1 || { echo "collect: jq is missing (scripts/setup-deps.sh --test)"; exit 1; }

# ---- a fake aws: recorded outputs of city A's stack ----
mkdir -p "$work/bin"
cat >"$work/bin/aws" <<FAKE
#!/bin/sh
# fake aws: replays $top/samples/city-a/exports
echo "aws \$*" >>"$work/aws.log"
rec=$top/samples/city-a/exports
arg() { # the value after an option
	want=\$1
	shift
	while [ \$# -gt 0 ]; do
		[ "\$1" = "\$want" ] && { echo "\$2"; return; }
		shift
	done
}
case "\$*" in
*"cloudformation describe-stacks"*)
	s=\$(arg --stack-name "\$@")
	[ "\$s" = city-a-juki-prod ] && exec cat "\$rec/describe-stacks.json"
	echo "An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id \$s does not exist" >&2
	exit 254 ;;
*"cloudformation describe-stack-resources"*)
	exec cat "\$rec/describe-stack-resources.json" ;;
*"cloudformation get-template"*)
	exec cat "\$rec/get-template-\$(arg --stack-name "\$@").json" ;;
*"cloudcontrol get-resource"*)
	t=\$(arg --type-name "\$@")
	id=\$(arg --identifier "\$@")
	f="\$rec/list-\$(echo "\$t" | sed 's/::/-/g').json"
	if [ ! -f "\$f" ]; then
		echo "An error occurred (UnsupportedActionException) when calling the GetResource operation: Resource type \$t does not support GET action" >&2
		exit 254
	fi
	exec jq --arg id "\$id" '{TypeName: .TypeName, ResourceDescription: (.ResourceDescriptions[] | select(.Identifier == \$id))}' "\$f" ;;
*"cloudcontrol list-resources"*)
	t=\$(arg --type-name "\$@")
	tok=\$(arg --next-token "\$@")
	f="\$rec/list-\$(echo "\$t" | sed 's/::/-/g').json"
	[ -f "\$f" ] || { echo "An error occurred (UnsupportedActionException): \$t" >&2; exit 254; }
	if [ -z "\$tok" ]; then # two pages, as the real API pages
		exec jq '{TypeName, ResourceDescriptions: .ResourceDescriptions[0:1], NextToken: "page-2"}' "\$f"
	fi
	exec jq '{TypeName, ResourceDescriptions: .ResourceDescriptions[1:]}' "\$f" ;;
esac
echo "fake aws: unexpected call: \$*" >&2
exit 255
FAKE
chmod +x "$work/bin/aws"
PATH=$work/bin:$PATH
export PATH

collector=$top/scripts/hinagata-collect-aws
set +e
"$collector" --stack city-a-juki-prod --region ap-northeast-1 --list-types -o "$work/state" 2>"$work/collect.err"
rc=$?
set -e
check "collect-aws exits 0 (got $rc: $(cat "$work/collect.err"))" [ $rc = 0 ]
check "the stack files are saved" [ -s "$work/state/describe-stacks-city-a-juki-prod.json" ]
check "one get-resource file per resource (39)" [ "$(ls "$work/state" | grep '^get-' | grep -vc '^get-template-')" = 39 ]
check "the template the stack was deployed with (get-template)" \
	cmp -s "$work/state/get-template-city-a-juki-prod.json" "$top/samples/city-a/exports/get-template-city-a-juki-prod.json"
check "list-resources for each type, all pages merged" \
	[ "$(jq '.ResourceDescriptions | length' "$work/state/list-AWS-S3-Bucket.json")" = 5 ]
check "--region is passed to every call" \
	sh -c "! grep -v -- '--region ap-northeast-1' '$work/aws.log'"
check "pagination used --next-token" grep -q -- '--next-token page-2' "$work/aws.log"
check "no temporary file left" sh -c "! ls -a '$work/state' | grep -q '^\.collect'"
ino=$(stat -c %i "$work/state/describe-stacks-city-a-juki-prod.json")
"$collector" --stack city-a-juki-prod --region ap-northeast-1 --list-types -o "$work/state" 2>/dev/null
check "collected again, the same bytes: the file is left as it was (same inode)" \
	[ "$(stat -c %i "$work/state/describe-stacks-city-a-juki-prod.json")" = "$ino" ]

set +e
"$hinagata" drift --template "$top/samples/city-a/juki-prod.yaml" --state "$work/state" >"$work/report.txt" 2>"$work/drift.err"
rc=$?
"$hinagata" drift --template "$top/samples/city-a/juki-prod.yaml" --state "$top/samples/city-a/exports" >"$work/direct.txt" 2>/dev/null
set -e
check "drift on the collected state: exit 1 ($rc)" [ $rc = 1 ]
check "the same summary as on the recorded exports" \
	[ "$(tail -n 1 "$work/report.txt")" = "$(tail -n 1 "$work/direct.txt")" ]
check "exactly the four injected drifts" \
	[ "$(grep -c -E '^(MODIFIED|DELETED|UNMANAGED)' "$work/report.txt")" = 4 ]

set +e
"$collector" --stack no-such-stack -o "$work/state2" 2>"$work/err2"
rc=$?
"$collector" --stack city-a-juki-prod 2>/dev/null
rc2=$?
set -e
check "a missing stack: exit 2" [ $rc = 2 ]
check "... with the CLI's message" grep -q 'does not exist' "$work/err2"
check "no -o: usage, exit 2" [ $rc2 = 2 ]

# ---- a fake az: city B's subscription ----
brec=$top/samples/city-b/exports
cat >"$work/bin/az" <<FAKE
#!/bin/sh
echo "az \$*" >>"$work/az.log"
[ -e "$work/az-broken" ] && case "\$*" in "lock list"*) echo "ERROR: (AuthorizationFailed) no access" >&2; exit 1 ;; esac
case "\$*" in
"account show"*) echo '{"id": "8c3f2a1e-5b7d-4e9a-9f0c-2d4b6a8e1c3f", "name": "city-b-juki", "state": "Enabled"}'; exit 0 ;;
"group list"*) exec cat "$brec/az-group-list.json" ;;
"deployment sub list"*) exec cat "$brec/az-deployment-sub-list.json" ;;
"policy assignment list"*) exec cat "$brec/az-policy-assignment-list.json" ;;
"role assignment list --all"*) exec cat "$brec/az-role-assignment-list.json" ;;
"lock list"*) exec cat "$brec/az-lock-list.json" ;;
"security pricing list"*) exec cat "$brec/az-security-pricing-list.json" ;;
"monitor diagnostic-settings subscription list"*) exec cat "$brec/az-diagnostic-settings-subscription.json" ;;
"resource list --resource-group "*) exec cat "$brec/az-resource-list-\$4.json" ;;
"deployment group list --resource-group "*) exec cat "$brec/az-deployment-group-list-\$5.json" ;;
"deployment sub export --name "*) exec cat "$brec/az-deployment-sub-export-\$5.json" ;;
"deployment group export --resource-group "*) exec cat "$brec/az-deployment-group-export-\$5-\$7.json" ;;
"resource show --ids "*)
	id=\$4
	for f in "$brec"/az-resource-show-*.json; do
		if [ "\$(jq -r .id "\$f")" = "\$id" ]; then exec cat "\$f"; fi
	done
	echo "(ResourceNotFound) The Resource was not found." >&2
	exit 3 ;;
esac
echo "ERROR: unexpected az \$*" >&2
exit 3
FAKE
chmod +x "$work/bin/az"
azc=$top/scripts/hinagata-collect-azure
set +e
"$hinagata" compile -o "$work/compiled" "$top/samples/city-b/juki-azure.yaml" "$top/samples/city-b/juki-network.yaml" 2>/dev/null
"$azc" --template "$work/compiled/city-b/juki-azure.json" -o "$work/az" 2>"$work/az.err"
rc=$?
set -e
check "collect-azure exits 0 (got $rc: $(cat "$work/az.err"))" [ $rc = 0 ]
check "the files of the recorded exports, no other" \
	[ "$(ls "$work/az" | tr '\n' ' ')" = "$(ls "$brec" | tr '\n' ' ')" ]
check "one az resource show per listed resource" \
	[ "$(ls "$work/az" | grep -c '^az-resource-show-')" = "$(cat "$brec"/az-resource-list-*.json | jq -s 'map(length) | add')" ]
check "the manifest lists what was listed, as the sample's does" \
	cmp -s "$work/az/hinagata-collect.json" "$brec/hinagata-collect.json"
check "every resource group is listed" grep -q -- 'resource list --resource-group NetworkWatcherRG' "$work/az.log"
check "resources are shown with the template's apiVersion (nested templates too)" \
	grep -q -- 'networkSecurityGroups/nsg-juki-app --api-version 2024-05-01' "$work/az.log"
check "a type the template lacks is shown without one" \
	grep -q -- 'publicIPAddresses/pip-debug --output json' "$work/az.log"
check "every deployment's template is exported (subscription and groups)" \
	sh -c "grep -q -- 'deployment sub export --name city-b-juki' '$work/az.log' &&
	       grep -q -- 'deployment group export --resource-group rg-city-b-juki --name Network' '$work/az.log'"
set +e
"$hinagata" drift --templates "$top/samples" --template "$top/samples/city-b/juki-azure.yaml" --state "$work/az" >"$work/az-report.txt" 2>&1
rc=$?
"$hinagata" drift --templates "$top/samples" --template "$top/samples/city-b/juki-azure.yaml" --state "$brec" >"$work/az-direct.txt" 2>&1
ino=$(stat -c %i "$work/az/hinagata-collect.json")
"$azc" -o "$work/az" 2>"$work/az-again.err"
rc4=$?
: >"$work/az.log"
"$azc" --resource-group rg-missing -o "$work/az" 2>"$work/az2.err"
rc2=$?
touch "$work/az-broken"
"$azc" -o "$work/az" 2>"$work/az3.err"
rc3=$?
set -e
check "Azure drift on the collected state: exit 1" [ $rc = 1 ]
check "the same report as on the recorded exports" cmp -s "$work/az-report.txt" "$work/az-direct.txt"
check "collected again, nothing changed: exit 0, the collection left in place (same inode)" \
	sh -c "[ $rc4 = 0 ] && [ \"\$(stat -c %i '$work/az/hinagata-collect.json')\" = $ino ]"
check "... and said so" grep -q 'unchanged in' "$work/az-again.err"
check "a missing resource group: exit 2" [ $rc2 = 2 ]
check "... said so" grep -q "no resource group 'rg-missing'" "$work/az2.err"
check "a failing az call: exit 2, with az's message" sh -c "[ $rc3 = 2 ] && grep -q AuthorizationFailed '$work/az3.err'"
check "... the last good collection is left as it was" \
	cmp -s "$work/az/hinagata-collect.json" "$brec/hinagata-collect.json"
check "... and nothing half-written beside it" [ -z "$(ls -A "$work" | grep '^\.collect')" ]
[ $fail = 0 ] && echo "collect: $pass checks passed"
exit $fail
