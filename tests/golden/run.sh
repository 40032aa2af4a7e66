#!/bin/sh
# run.sh: one golden case. Usage: run.sh HINAGATA CASE_DIR
#
# A case is a directory holding input.yaml (and any other files it needs)
# and the exact expected results:
#   args              extra arguments for `hinagata compile` (one line, optional)
#   cmd               instead of compiling input.yaml, run `hinagata CMD` (one
#                     line: a subcommand and its arguments, e.g. drift ...)
#   expected.out      the exact standard output (optional; expected.ja.out in
#                     Japanese)
#   env               NAME=VALUE lines exported for the run (optional)
#   setup             a shell script run first in the copy (optional; e.g. to
#                     make a git repository, which a case cannot hold)
#   expected.diag     the exact standard error in English (required)
#   expected.ja.diag  the exact standard error in Japanese (optional)
#   expected.cfn.json the exact compiled template (optional)
#   expected.exit     the exit code (optional; default 1 if expected.diag
#                     has "error[", else 0)
# The command runs inside a copy of the case directory, output to out/.
# UPDATE=1 rewrites the expected files from the actual results (for
# writing new cases; review the result before committing it).
set -eu
HG_TOP=$(cd "$(dirname "$0")/../.." && pwd)
export HG_TOP
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
case_dir=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$case_dir"/. "$work"/
cd "$work"
args=""
[ -f args ] && args=$(cat args)
if [ -f env ]; then
	while IFS= read -r line; do
		[ -n "$line" ] && export "$line"
	done < env
fi
if [ -f setup ] && ! sh ./setup >setup.log 2>&1; then
	echo "FAIL $(basename "$case_dir"): setup failed:"
	cat setup.log
	exit 1
fi
fail=0

run() { # lang stderr-file stdout-file -> exit code in $rc
	rm -rf out
	set +e
	# shellcheck disable=SC2086
	if [ -f cmd ]; then
		# shellcheck disable=SC2046
		LC_ALL=C NO_COLOR=1 HINAGATA_PATH= "$hinagata" --lang "$1" $(cat cmd) >"$3" 2>"$2"
	else
		LC_ALL=C NO_COLOR=1 HINAGATA_PATH= "$hinagata" --lang "$1" compile -o out $args input.yaml >"$3" 2>"$2"
	fi
	rc=$?
	set -e
}

check() { # expected actual what
	if [ "${UPDATE:-}" = 1 ]; then
		cp "$2" "$case_dir/$1"
		return
	fi
	if ! cmp -s "$1" "$2"; then
		echo "FAIL $(basename "$case_dir"): $3 differs (expected vs actual):"
		diff -u "$1" "$2" || true
		fail=1
	fi
}

run en actual.diag actual.out
[ -f expected.diag ] || [ "${UPDATE:-}" = 1 ] || { echo "FAIL: no expected.diag"; exit 1; }
check expected.diag actual.diag "stderr (en)"
diagfile=expected.diag
[ "${UPDATE:-}" = 1 ] && diagfile=actual.diag
if [ -f expected.exit ]; then
	want=$(cat expected.exit)
elif grep -q 'error\[' "$diagfile"; then
	want=1
else
	want=0
fi
if [ "$rc" != "$want" ] && [ "${UPDATE:-}" != 1 ]; then
	echo "FAIL $(basename "$case_dir"): exit code $rc, expected $want"
	fail=1
fi
if [ -f expected.cfn.json ]; then
	json=$(find out -name '*.json' 2>/dev/null | head -n 1)
	if [ -z "$json" ]; then
		echo "FAIL $(basename "$case_dir"): no output written"
		fail=1
	else
		check expected.cfn.json "$json" "compiled template"
	fi
fi
if [ -f expected.out ] || { [ "${UPDATE:-}" = 1 ] && [ -f cmd ] && [ -s actual.out ]; }; then
	check expected.out actual.out "stdout (en)"
fi
if [ -f expected.ja.diag ] || [ -f expected.ja.out ]; then
	run ja actual.ja.diag actual.ja.out
	[ -f expected.ja.diag ] && check expected.ja.diag actual.ja.diag "stderr (ja)"
	[ -f expected.ja.out ] && check expected.ja.out actual.ja.out "stdout (ja)"
fi
exit $fail
