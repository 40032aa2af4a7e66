#!/bin/sh
# bench/run.sh: compile-time benchmarks. Usage: bench/run.sh HINAGATA
# Times `hinagata compile` on the bundled templates and samples, and on a
# generated system template at CloudFormation's 500-resource limit that
# uses all three mandatory templates; prints mean wall time and peak RSS.
# The azure case compiles the Azure samples alone: it reads the schema
# packs of every provider they use (schemas/azure, all ARM types).
# Uses hyperfine when installed (scripts/setup-deps.sh --bench installs it).
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$top"

python3 - "$work/big.yaml" <<'PY'
import sys
n = 470  # + 30 from the mandatory templates = 500 resources
out = ["hinagata: 1", "template: bench/big", "version: 1.0.0", "target: aws", "profile: gc-aws",
       "params:", "  env: { type: string, default: prod, allowed: [prod, stg] }",
       "conditions:", "  is_prod: ${params.env == 'prod'}",
       "use:",
       "  audit: { template: gc/aws/audit-trail, version: '^1.0' }",
       "  config: { template: gc/aws/config-recorder, version: '^1.0' }",
       "  threat: { template: gc/aws/threat-detection, version: '^1.0', with: { security_email: a@b.jp } }",
       "resources:"]
for i in range(n):
    if i % 2 == 0:
        out += ["  queue%d:" % i, "    type: AWS::SQS::Queue", "    properties:",
                "      QueueName: q%d-${params.env}" % i,
                "      KmsMasterKeyId: ${audit.trail_key_arn}",
                "      MessageRetentionPeriod: \"${conditions.is_prod ? 1209600 : 345600}\""]
    else:
        out += ["  topic%d:" % i, "    type: AWS::SNS::Topic", "    properties:",
                "      DisplayName: topic %d for ${aws.stack_name}" % i,
                "      Tags: [{ Key: system, Value: bench }]"]
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY

peak_rss() { # command... -> peak RSS in KiB of one run
	/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n 1
}

echo "hinagata compile benchmarks ($(uname -m), $(nproc) cores)"
for case in "bundled:templates/aws/*.yaml samples/*/*.yaml" "azure:samples/city-b/*.yaml" \
	"500-resources:$work/big.yaml"; do
	name=${case%%:*}
	# shellcheck disable=SC2086
	files=$(echo ${case#*:}) # expand the globs once
	# shellcheck disable=SC2086
	"$hinagata" compile -o "$work/out-$name" $files 2>/dev/null
	size=$(find "$work/out-$name" -name '*.json' -newer "$work/big.yaml" -exec cat {} + | wc -c)
	if command -v hyperfine >/dev/null 2>&1; then
		# shellcheck disable=SC2086
		hyperfine -N --warmup 3 --runs 30 --export-json "$work/h.json" \
			"$hinagata compile -o $work/out-$name $files" >/dev/null 2>&1
		mean=$(python3 -c "import json; r=json.load(open('$work/h.json'))['results'][0]; print('%.1f ms +- %.1f' % (r['mean']*1000, r['stddev']*1000))")
	else
		start=$(date +%s%N)
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			# shellcheck disable=SC2086
			"$hinagata" compile -o "$work/out-$name" $files 2>/dev/null
		done
		mean="$(( ($(date +%s%N) - start) / 10000000 )) ms (mean of 10, no hyperfine)"
	fi
	# shellcheck disable=SC2086
	rss=$(peak_rss "$hinagata" compile -o "$work/out-$name" $files)
	printf '  %-14s %s, peak RSS %s KiB, %s bytes of JSON written\n' "$name" "$mean" "$rss" "$size"
done
