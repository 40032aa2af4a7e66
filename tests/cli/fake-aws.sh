# fake-aws.sh: sourced by the tests. A fake `aws` command that answers as
# the AWS CLI does, for accounts laid out under WORK/cloud/ACCOUNT/REGION/ as
# the sample's exports (describe-stacks.json, describe-stack-resources.json,
# get-template-STACK.json, list-TYPE.json), and that can be told to throttle and to fail:
#
#   fake_aws_account WORK TOP ACCOUNT [SOURCE]   city A's exports (SOURCE:
#                           exports-clean, the default, or exports: with its
#                           four injected drifts) as ACCOUNT's in ap-northeast-1
#   fake_aws_bin WORK       writes WORK/bin/aws (after the accounts are laid out)
#
# Knobs, files under WORK/fake/ read at each call:
#   deny        accounts whose role cannot be assumed (AccessDenied), one a line
#   profiles    "PROFILE ACCOUNT" lines: the account a --profile reaches
#   throttle    "ACCOUNT TYPE N": the first N listings of TYPE there are throttled
#   unlistable  types cloudcontrol cannot list (UnsupportedActionException)
#   external-id the external ID sts assume-role requires (none: any)
# Every call is logged to WORK/aws.log as
#   "ACCOUNT REGION PROFILE STATUS | COMMAND ARGS" (global options left out).
# The caller's account: the assumed role's key (AKIAFAKE<account>) or the profile.

fake_aws_account() { # WORK TOP ACCOUNT [SOURCE]
	mkdir -p "$1/cloud/$3/ap-northeast-1"
	for f in "$2/samples/city-a/${4:-exports-clean}"/*.json; do
		sed "s/123456789012/$3/g" "$f" >"$1/cloud/$3/ap-northeast-1/$(basename "$f")"
	done
}

fake_aws_bin() { # WORK
	mkdir -p "$1/bin" "$1/fake"
	# What the fake answers, written once (a jq per call would make the
	# tests slow): per account and region, each stack's resources, each
	# resource's get-resource, each listing's two pages and the buckets as
	# s3api lists them.
	python3 - "$1/cloud" <<'PY'
import json, os, sys
for acc in sorted(os.listdir(sys.argv[1])):
    for region in sorted(os.listdir(os.path.join(sys.argv[1], acc))):
        d = os.path.join(sys.argv[1], acc, region)
        ans = os.path.join(d, "answers")
        if os.path.isdir(ans):
            continue
        os.makedirs(ans)
        files = sorted(f for f in os.listdir(d) if f.endswith(".json"))
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
	cat >"$1/bin/aws" <<FAKE
#!/bin/sh
# fake aws (tests/cli/fake-aws.sh)
fake=$1/fake
# Without a process where the shell can do it: the tests make thousands of calls.
arg() { # VAR OPTION ARGS...: VAR = the value after OPTION
	a_var=\$1 a_want=\$2
	shift 2
	eval "\$a_var="
	while [ \$# -gt 1 ]; do
		[ "\$1" = "\$a_want" ] && { eval "\$a_var=\\\$2"; return; }
		shift
	done
}
subst() { # VAR FROM TO STRING: VAR = STRING with every FROM replaced by TO
	s_rest=\$4 s_out=
	while :; do
		case \$s_rest in
		*"\$2"*) s_out=\$s_out\${s_rest%%"\$2"*}\$3 s_rest=\${s_rest#*"\$2"} ;;
		*) break ;;
		esac
	done
	eval "\$1=\\\$s_out\\\$s_rest"
}
arg region --region "\$@"
arg profile --profile "\$@"
if [ -n "\$profile" ]; then
	acc=\$(awk -v p="\$profile" '\$1 == p { print \$2 }' "\$fake/profiles" 2>/dev/null)
	[ -n "\$acc" ] || { echo "The config profile (\$profile) could not be found" >&2; exit 255; }
else
	acc=\${AWS_ACCESS_KEY_ID#AKIAFAKE}
fi
log() { # STATUS ARGS...: the call without its global options
	l_line="\$acc \$region \${profile:--} \$1 |"
	shift
	while [ \$# -gt 0 ]; do
		case \$1 in
		--output | --region | --profile) shift ;;
		*) l_line="\$l_line \$1" ;;
		esac
		[ \$# = 0 ] || shift
	done
	echo "\$l_line" >>"$1/aws.log"
}
data=$1/cloud/\$acc/\$region
ans=\$data/answers
case "\$*" in
*"sts assume-role"*)
	arg role --role-arn "\$@"
	ra=\$(echo "\$role" | cut -d: -f5)
	if grep -qx "\$ra" "\$fake/deny" 2>/dev/null; then
		log failed "\$@"
		echo "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::999999999999:assumed-role/hinagata-batch/job is not authorized to perform: sts:AssumeRole on resource: \$role" >&2
		exit 254
	fi
	arg ext --external-id "\$@"
	if [ -f "\$fake/external-id" ] && [ "\$ext" != "\$(cat "\$fake/external-id")" ]; then
		log failed "\$@"
		echo "An error occurred (AccessDenied) when calling the AssumeRole operation: the external ID does not match" >&2
		exit 254
	fi
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
	arg stack --stack-name "\$@"
	exec cat "\$ans/resources-\$stack" ;;
*"cloudformation get-template"*)
	arg stack --stack-name "\$@"
	f="\$data/get-template-\$stack.json"
	if [ ! -f "\$f" ]; then
		log failed "\$@"
		echo "An error occurred (ValidationError) when calling the GetTemplate operation: Stack with id \$stack does not exist" >&2
		exit 254
	fi
	log ok "\$@"
	exec cat "\$f" ;;
*"cloudcontrol get-resource"*)
	arg t --type-name "\$@"
	arg id --identifier "\$@"
	subst key :: - "\$t"
	subst id / % "\$id"
	f="\$ans/get-\$key-\$id"
	if [ ! -f "\$f" ]; then
		log unsupported "\$@"
		echo "An error occurred (UnsupportedActionException) when calling the GetResource operation: Resource type \$t does not support GET action" >&2
		exit 254
	fi
	log ok "\$@"
	exec cat "\$f" ;;
*"cloudcontrol list-resources"*)
	arg t --type-name "\$@"
	arg tok --next-token "\$@"
	n=\$(awk -v a="\$acc" -v t="\$t" '\$1 == a && \$2 == t { print \$3 }' "\$fake/throttle" 2>/dev/null)
	if [ -n "\$n" ] && [ -z "\$tok" ]; then
		done=\$(cat "\$fake/throttled-\$acc-\$t" 2>/dev/null || echo 0)
		if [ "\$done" -lt "\$n" ]; then
			echo \$((done + 1)) >"\$fake/throttled-\$acc-\$t"
			log throttled "\$@"
			echo "An error occurred (ThrottlingException) when calling the ListResources operation (reached max retries: 2): Rate exceeded" >&2
			exit 254
		fi
	fi
	if grep -qx "\$t" "\$fake/unlistable" 2>/dev/null; then
		log unsupported "\$@"
		echo "An error occurred (UnsupportedActionException) when calling the ListResources operation: Resource type \$t does not support LIST action" >&2
		exit 254
	fi
	log ok "\$@"
	subst key :: - "\$t"
	f="\$ans/list-\$key"
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
	chmod +x "$1/bin/aws"
}
