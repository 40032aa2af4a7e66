#!/bin/sh
# cfnlint.sh: compile every template in templates/aws and samples/ and
# validate the output with cfn-lint; compile again and require identical
# bytes. Usage: cfnlint.sh HINAGATA SOURCE_DIR
#
# The validator is AWS's Python cfn-lint when it is installed (the
# reference; its exit code is a bit mask, 2 = error); scripts/setup-deps.sh
# tries to install it with pip. Without it the npm cfn-lint installed into
# tests/tools is used instead. Warnings are printed; any error fails.
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

if cfn-lint --version 2>/dev/null | grep -q '^cfn-lint 1\.'; then
	echo "validating $n templates with $(cfn-lint --version)"
	set +e
	# shellcheck disable=SC2086
	cfn-lint --format parseable -- $files
	rc=$?
	set -e
	if [ $((rc & 3)) -ne 0 ]; then
		echo "FAIL: cfn-lint reported errors (exit $rc)"
		exit 1
	fi
	echo "cfn-lint: no errors (exit $rc)"
else
	npm_lint="$top/tests/tools/node_modules/.bin/cfn-lint"
	[ -x "$npm_lint" ] || { echo "FAIL: no cfn-lint (run scripts/setup-deps.sh --test)"; exit 1; }
	echo "Python cfn-lint not found; validating $n templates with the npm cfn-lint"
	for f in $files; do
		if ! "$npm_lint" validate "$f" >"$work/npm.out" 2>&1; then
			cat "$work/npm.out"
			echo "FAIL: npm cfn-lint rejected $f"
			exit 1
		fi
	done
	echo "npm cfn-lint: no errors"
fi
