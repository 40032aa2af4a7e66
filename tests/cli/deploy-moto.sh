#!/bin/sh
# deploy-moto.sh: deploy compiled templates with the real AWS CLI to a local
# moto server and check that the locked settings took effect on the
# resources moto really creates (S3 encryption, IAM, SNS). Usage: deploy-moto.sh HINAGATA SOURCE_DIR
#
# moto 5 turns CloudTrail, Config, GuardDuty and Security Hub resources into
# placeholders and fails on outputs that read attributes of placeholders
# (Fn::GetAtt on a trail), so gc/aws/audit-trail and the city-a sample,
# which export such attributes, are validated by cfn-lint instead
# (cfnlint.sh). The test FAILS when moto or the AWS CLI is missing
# (scripts/setup-deps.sh --test installs them, or says why it could not):
# a deploy test that did not deploy has not passed.
set -eu
hinagata=$1
top=$2
. "$top/tests/tools/python-tools.sh"
server=$(moto_cmd) || {
	echo "FAIL: moto's server is not installed: scripts/setup-deps.sh --test says why"; exit 1; }
command -v aws >/dev/null 2>&1 || { echo "FAIL: the AWS CLI (aws) is not installed"; exit 1; }
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# shellcheck disable=SC2086
$server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; rm -rf "$work"' EXIT
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=ap-northeast-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
aws() { command aws --endpoint-url "http://127.0.0.1:$port" --output text "$@"; }
i=0
until aws s3api list-buckets >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 50 ] || { cat "$work/moto.log"; echo "FAIL: moto did not start"; exit 1; }
	sleep 0.2
done

"$hinagata" compile -o "$work/out" "$top/templates/aws/config-recorder.yaml" \
	"$top/templates/aws/threat-detection.yaml"

deploy() { # STACK TEMPLATE [PARAMS...]
	stack=$1 file=$2; shift 2
	aws cloudformation create-stack --stack-name "$stack" --template-body "file://$file" \
		--capabilities CAPABILITY_IAM "$@" >/dev/null
	status=$(aws cloudformation describe-stacks --stack-name "$stack" --query 'Stacks[0].StackStatus')
	if [ "$status" != CREATE_COMPLETE ]; then
		aws cloudformation describe-stack-events --stack-name "$stack" | head -n 20
		echo "FAIL: $stack is $status"; exit 1
	fi
	echo "deployed $stack: $status"
}
physical() { # STACK LOGICAL-ID
	aws cloudformation describe-stack-resources --stack-name "$1" \
		--query "StackResources[?LogicalResourceId=='$2'].PhysicalResourceId"
}
check() { # WHAT EXPECTED ACTUAL
	if [ "$2" != "$3" ]; then echo "FAIL: $1: expected '$2', got '$3'"; exit 1; fi
	echo "ok: $1 = $3"
}

deploy gc-config "$work/out/gc/aws/config-recorder.json"
bucket=$(physical gc-config ConfigBucket)
# (moto's CloudFormation applies BucketEncryption and Tags to buckets but not
# VersioningConfiguration or PublicAccessBlockConfiguration, and bucket
# policies are placeholders; cfn-lint and the golden files cover those.)
check "config bucket encryption (locked)" AES256 \
	"$(aws s3api get-bucket-encryption --bucket "$bucket" --query \
	'ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm')"
role=$(physical gc-config ConfigRole)
check "config role trusts AWS Config" config.amazonaws.com \
	"$(aws iam get-role --role-name "$role" --query 'Role.AssumeRolePolicyDocument.Statement[0].Principal.Service')"

deploy gc-threat "$work/out/gc/aws/threat-detection.json" \
	--parameters ParameterKey=SecurityEmail,ParameterValue=security@city-a.example.lg.jp
topic=$(physical gc-threat AlertTopic)
check "alert topic is encrypted with the template's key (locked)" yes \
	"$(aws sns get-topic-attributes --topic-arn "$topic" --query 'Attributes.KmsMasterKeyId' | grep -q . && echo yes)"
echo "deploy to moto: all checks passed"
