# fake-az.sh: sourced by the tests. A fake `az` command that answers as the
# Azure CLI does, for subscriptions laid out under WORK/azcloud/SUB/ as city
# B's exports (az-*.json, each resource's az resource show by its ID), and
# that can be told to throttle:
#
#   fake_az_subscription WORK TOP SUB [SOURCE]   city B's exports (SOURCE:
#                           a directory of them, default samples/city-b/exports)
#                           as subscription SUB's
#   fake_az_bin WORK        writes WORK/bin/az
#
# A subscription without a directory cannot be read (AuthorizationFailed).
# Knob, a file under WORK/fake/ read at each call:
#   az-throttle  "SUB N": the first N `az security pricing list` of SUB are
#                throttled (TooManyRequests)
# Every call is logged to WORK/az.log as "SUB | COMMAND ARGS" (--output and
# --subscription left out).

fake_az_subscription() { # WORK TOP SUB [SOURCE]
	python3 - "${4:-$2/samples/city-b/exports}" "$1/azcloud/$3" "$3" <<'PY'
import json, os, sys
src, d, sub = sys.argv[1:]
s1 = "8c3f2a1e-5b7d-4e9a-9f0c-2d4b6a8e1c3f"  # city B's recorded subscription
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
}

fake_az_bin() { # WORK
	mkdir -p "$1/bin" "$1/fake"
	cat >"$1/bin/az" <<FAKE
#!/bin/sh
# fake az (tests/cli/fake-az.sh)
arg() {
	want=\$1
	shift
	while [ \$# -gt 0 ]; do
		[ "\$1" = "\$want" ] && { echo "\$2"; return; }
		shift
	done
}
sub=\$(arg --subscription "\$@")
echo "\$sub | \$*" | sed -E 's/ --(output|subscription) [^ ]+//g' >>"$1/az.log"
d=$1/azcloud/\$sub
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
	n=\$(awk -v s="\$sub" '\$1 == s { print \$2 }' "$1/fake/az-throttle" 2>/dev/null)
	if [ -n "\$n" ]; then
		done=\$(cat "$1/fake/az-throttled-\$sub" 2>/dev/null || echo 0)
		if [ "\$done" -lt "\$n" ]; then
			echo \$((done + 1)) >"$1/fake/az-throttled-\$sub"
			echo "ERROR: (TooManyRequests) The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00." >&2
			exit 1
		fi
	fi
	exec cat "\$d/az-security-pricing-list.json" ;;
"monitor diagnostic-settings subscription list"*) exec cat "\$d/az-diagnostic-settings-subscription.json" ;;
"resource list --resource-group "*) exec cat "\$d/az-resource-list-\$4.json" ;;
"deployment group list --resource-group "*) exec cat "\$d/az-deployment-group-list-\$5.json" ;;
"deployment sub export --name "*) exec cat "\$d/az-deployment-sub-export-\$5.json" ;;
"deployment group export --resource-group "*) exec cat "\$d/az-deployment-group-export-\$5-\$7.json" ;;
"resource show --ids "*)
	f="\$d/show-\$(echo "\$4" | tr 'A-Z/' 'a-z%')"
	[ -f "\$f" ] && exec cat "\$f"
	echo "(ResourceNotFound) The Resource was not found." >&2
	exit 3 ;;
esac
echo "ERROR: unexpected az \$*" >&2
exit 3
FAKE
	chmod +x "$1/bin/az"
}
