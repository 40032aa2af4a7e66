#!/bin/sh
# expected.sh: the exact compiled output of every bundled template and
# sample, for both clouds. Usage: expected.sh HINAGATA SOURCE_DIR
#
# Compiles templates/aws, templates/azure and samples/*/ and compares each
# output byte for byte with tests/expected/<template name>.json. A change
# in the compiler or a template that changes an output fails here until the
# new output is reviewed and committed: run with UPDATE=1 to rewrite the
# expected files, then read the diff.
set -eu
hinagata=$1
top=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$top"
LC_ALL=C NO_COLOR=1 "$hinagata" --lang en compile -o "$work/out" \
	templates/aws/*.yaml templates/azure/*.yaml samples/*/*.yaml 2>"$work/err" || {
	cat "$work/err"; echo "FAIL: the bundled templates do not compile"; exit 1; }
fail=0
n=0
for f in $(cd "$work/out" && find . -name '*.json' | sed 's|^\./||' | sort); do
	n=$((n + 1))
	want=tests/expected/$(echo "$f" | tr / _)
	if [ "${UPDATE:-}" = 1 ]; then
		cp "$work/out/$f" "$want"
	elif ! cmp -s "$want" "$work/out/$f"; then
		echo "FAIL: $f differs from $want:"
		diff -u "$want" "$work/out/$f" | head -n 40 || true
		fail=1
	fi
done
# Nothing expected may be missing from the output.
for want in tests/expected/*.json; do
	f=$(basename "$want" | tr _ /)
	[ -f "$work/out/$f" ] || { echo "FAIL: $want has no output $f"; fail=1; }
done
[ $fail = 0 ] && echo "$n outputs match tests/expected/"
exit $fail
