#!/bin/sh
# cfnlint.sh: compile every template in templates/aws and samples/ and
# validate the output with cfn-lint; compile again and require identical
# bytes. Usage: cfnlint.sh HINAGATA SOURCE_DIR
#
# The validator is AWS's Python cfn-lint, the reference (its exit code is a
# bit mask, 2 = error); scripts/setup-deps.sh installs it (into
# tests/tools/venv where the machine has none). Without it the test FAILS:
# the npm package of the same name is another tool, not a stand-in.
# Warnings are printed; any error fails.
set -eu
hinagata=$1
top=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$top"
inputs="templates/aws/*.yaml samples/*/*.yaml"
# shellcheck disable=SC2086
"$hinagata" --lang en compile -o "$work/a" $inputs
# shellcheck disable=SC2086
"$hinagata" --lang en compile -o "$work/b" $inputs 2>/dev/null
if ! diff -r "$work/a" "$work/b"; then
	echo "FAIL: two compiles of the same input differ"
	exit 1
fi
# CloudFormation outputs only (the Azure samples compile to ARM).
files=$(grep -rl '"AWSTemplateFormatVersion"' "$work/a" | sort)
n=$(echo "$files" | wc -l)
[ "$n" -ge 4 ] || { echo "FAIL: expected at least 4 compiled templates, got $n"; exit 1; }

. "$top/tests/tools/python-tools.sh"
lint=$(cfnlint_cmd) || {
	echo "FAIL: AWS's Python cfn-lint (>= 1) is not installed: scripts/setup-deps.sh --test says why"
	exit 1
}
echo "validating $n templates with $("$lint" --version)"
set +e
# shellcheck disable=SC2086
"$lint" --format parseable -- $files
rc=$?
set -e
if [ $((rc & 3)) -ne 0 ]; then
	echo "FAIL: cfn-lint reported errors (exit $rc)"
	exit 1
fi
echo "cfn-lint: no errors (exit $rc)"
