#!/bin/sh
# run-fuzzers.sh: run each libFuzzer target for a while on a seed corpus,
# after the inputs that crashed or hung it before (fuzz/regressions/TARGET/,
# each run once: a fixed bug stays fixed). Usage: run-fuzzers.sh BUILD_DIR
# SECONDS (`make test` runs it for 3 s a target, `make fuzz` for 20).
# Crashes are written to BUILD_DIR/fuzz-artifacts/ and make the script fail.
set -eu
build=$1
seconds=${2:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
corpus=$build/fuzz-corpus
art=$build/fuzz-artifacts/
mkdir -p "$corpus/template" "$corpus/expr" "$corpus/semver" "$corpus/export" "$corpus/jv" "$corpus/check" \
	"$corpus/config" "$corpus/arm" "$corpus/cfn" "$corpus/git" "$corpus/state" "$corpus/fleet" "$corpus/import" "$corpus/diff" \
	"$corpus/cache" "$art"
# Seeds: every template, sample and golden input in the repository.
find "$top/templates" "$top/samples" "$top/tests/golden" -name '*.yaml' | while read -r f; do
	cp "$f" "$corpus/template/$(echo "$f" | cksum | cut -d' ' -f1).yaml"
done
printf '%s' 'arn:${aws.partition}:s3:::${bucket}/*' > "$corpus/expr/1"
printf '%s' '${conditions.is_prod ? 35 : 7}' > "$corpus/expr/2"
printf '%s' '${select(0, cidr(vpc.CidrBlock, 4, 8))} $${literal}' > "$corpus/expr/3"
printf '%s' '^1.2.3-rc.1 || >=2.0.0 <3.0.0' > "$corpus/semver/1"
printf '%s' '~1.2' > "$corpus/semver/2"
# Seeds of the export reader: the sample exports and the drift golden cases.
find "$top/samples" "$top/tests/golden" -path '*export*' -name '*.json' -size -64k | while read -r f; do
	cp "$f" "$corpus/export/$(echo "$f" | cksum | cut -d' ' -f1).json"
	cp "$f" "$corpus/state/$(echo "$f" | cksum | cut -d' ' -f1).json"
	cp "$f" "$corpus/jv/$(echo "$f" | cksum | cut -d' ' -f1).json"
done
# Seeds of the raw template checker: the check corpus.
find "$top/tests/golden" -path '*check*' \( -name '*.yaml' -o -name '*.json' \) | while read -r f; do
	cp "$f" "$corpus/check/$(echo "$f" | cksum | cut -d' ' -f1)"
done
# Seeds of the settings reader: every .hinagata.yaml in the repository.
find "$top" -name .hinagata.yaml -not -path '*/_build*' | while read -r f; do
	cp "$f" "$corpus/config/$(echo "$f" | cksum | cut -d' ' -f1).yaml"
done
# Seeds of the ARM evaluator: the ARM templates of the golden cases and
# the expected ARM outputs.
find "$top/tests/golden" "$top/tests/expected" -name '*.json' -size -64k | while read -r f; do
	if grep -q deploymentTemplate "$f"; then
		cp "$f" "$corpus/arm/$(echo "$f" | cksum | cut -d' ' -f1).json"
	fi
done
printf '%s' "[format('{0}-{1}', parameters('name'), add(copyIndex(), 1))]" > "$corpus/arm/expr1"
# Seeds of the CloudFormation resolver: the compiled templates.
find "$top/tests/expected" "$top/tests/golden" -name '*.json' -size -256k | while read -r f; do
	if grep -q AWSTemplateFormatVersion "$f"; then
		cp "$f" "$corpus/cfn/$(echo "$f" | cksum | cut -d' ' -f1).json"
		cp "$f" "$corpus/jv/$(echo "$f" | cksum | cut -d' ' -f1).json"
	fi
done
# Seeds of the history import: the clouds' sample findings and the drift JSON reports.
find "$top/samples" "$top/tests/golden" \( -path '*securityhub*' -o -path '*defender*' -o -path '*hg71*' \
	-o -path '*drift-*json*' \) -name '*.json' -size -256k | while read -r f; do
	cp "$f" "$corpus/import/$(echo "$f" | cksum | cut -d' ' -f1).json"
done
find "$top/tests/golden" -path '*drift*json*' -name 'expected.out' | while read -r f; do
	cp "$f" "$corpus/import/$(echo "$f" | cksum | cut -d' ' -f1).json"
done
# Seeds of the git tree export (fuzz_git.c): outlines of trees, one entry a
# line, "<depth><kind><name>": a plain revision, and the attacks of issue 11.
printf '0ytemplate.yaml\n0tlib\n1ylib.yaml\n1jstack.json\n0lmodules.yaml\n' >"$corpus/git/plain"
printf '0y../../escape.yaml\n0t..\n1yescape.yaml\n' >"$corpus/git/climb"
printf '0t.git\n1yconfig.yaml\n0tGIT~1\n1yx.yaml\n0ya.yaml\n0ya.yaml\n' >"$corpus/git/dotgit-twice"
printf '0td\n1td\n2td\n3td\n4td\n5td\n6td\n7ydeep.yaml\n0csub\n0xrun.yaml\n' >"$corpus/git/deep"
# Seeds of the fleet manifest reader: the manifests of deploy/ and the golden cases.
find "$top/deploy" "$top/tests/golden" -name 'fleet.yaml' | while read -r f; do
	cp "$f" "$corpus/fleet/$(echo "$f" | cksum | cut -d' ' -f1).yaml"
done
# Seeds of the template diff (fuzz_diff.c): two templates in one input, cut
# at the first NUL byte: each golden diff case's pair, and the 1.0.0 and
# 1.1.0 compiled outputs of each bundled template with a second version.
for d in "$top"/tests/golden/diff-* "$top"/tests/golden/hg81*; do
	set -- "$d"/before.* "$d"/after.*
	if [ -f "$1" ] && [ -f "$2" ] && [ "$(cat "$1" "$2" | wc -c)" -lt 60000 ]; then
		{ cat "$1"; printf '\000'; cat "$2"; } >"$corpus/diff/$(basename "$d")"
	fi
done
for f in "$top"/tests/expected/*@1.0.0.json; do
	[ -f "$f" ] || continue
	new=$(echo "$f" | sed 's/@1\.0\.0//')
	{ cat "$f"; printf '\000'; cat "$new"; } >"$corpus/diff/$(basename "$f" .json)"
done
# Seeds of the drift cache (fuzz_cache.c): the lines of a real cache (a
# stack of two resources, fleet-000 of bench/gen-fleet.py), keyed as the
# harness asks: the export file "F", the template of hash 0, the block @B,
# the identity of the file @P.
printf '%s\n' \
	'f F|0|0|1|%00|%00|%00|0|0|~1|fleet-000|arn:aws:cloudformation:ap-northeast-1:123456789012:stack/fleet-000/1|%00|2|{}|2|Res0000|AWS::S3::Bucket|fleet-000-res0000|Res0001|AWS::S3::BucketPolicy|fleet-000-res0000|~1|AWS::S3::Bucket|fleet-000-res0000|4|9|75|1473|9399737487829387807|0|~' \
	't 0000000000000000|0|%00|2|Res0000|Res0001|0|1|Res0000%09GC-AWS-S3-01|~' \
	'b @B|2|8|8|0|~123456789012|ap-northeast-1|fleet-000|Res0000|AWS::S3::Bucket|fleet-000-res0000|%00|%00|%00|%00|templates/fleet-000.json|0|6|6|ca3f9fa56308587e|%=|0|2|identity-key /Tags|system-tags /Tags|~%=|%=|%=|Res0001|AWS::S3::BucketPolicy|fleet-000-res0000|%=|%=|%=|%=|%=|0|2|2|8d790e03a507f1fd|%=|1|GC-AWS-S3-02|2|id-set /PolicyDocument|policy-document /PolicyDocument|~' \
	's @P|2|1|2049|131|1700000000000000000|1700000000000000000|' >"$corpus/cache/real"
printf '%s\n' 'b @B|1|1|1|1|/subscriptions/s/resourcegroups/rg/providers/x/y/z|42|~%=|%=|%=|%00|%=|%00|%=|%=|%=|%=|%=|0|0|0|%00|%=|0|0|~' \
	>"$corpus/cache/azure-claims"
status=0
for t in template expr semver export jv check config arm cfn git state fleet import diff cache; do
	if [ -d "$top/fuzz/regressions/$t" ]; then
		# shellcheck disable=SC2046
		if ! "$build/fuzz/fuzz_$t" -timeout=10 $(find "$top/fuzz/regressions/$t" -type f | sort) \
			>"$build/fuzz-$t-regressions.log" 2>&1; then
			grep -A 20 'ERROR' "$build/fuzz-$t-regressions.log" | head -n 40
			echo "fuzz_$t FAILED on an input that failed before: see $build/fuzz-$t-regressions.log"
			status=1
		fi
	fi
done
for t in template expr semver export jv check config arm cfn git state fleet import diff cache; do
	echo "== fuzz_$t for ${seconds}s"
	if ! "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
		-artifact_prefix="$art" "$corpus/$t" >"$build/fuzz-$t.log" 2>&1; then
		grep -A 20 'ERROR\|leak' "$build/fuzz-$t.log" | head -n 40
		echo "fuzz_$t FAILED: see $build/fuzz-$t.log and $art"
		status=1
	else
		tail -n 1 "$build/fuzz-$t.log"
	fi
done
[ $status = 0 ] && echo "no crashes, no leaks"
exit $status
