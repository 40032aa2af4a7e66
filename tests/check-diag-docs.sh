#!/bin/sh
# check-diag-docs.sh: every numbered code in common/diag_codes.def is
# documented in docs/diagnostics.md (a "### HGnnnn" heading) and asserted by
# at least one golden case (an expected*.diag that contains "[HGnnnn]").
set -eu
top=${1:-.}
fail=0
codes=$(sed -n 's/^HG_DIAG([A-Z0-9_]*, *\([1-9][0-9]*\),.*/\1/p' "$top/common/diag_codes.def")
for n in $codes; do
	code=$(printf 'HG%04d' "$n")
	if ! grep -q "^### $code" "$top/docs/diagnostics.md" 2>/dev/null; then
		echo "undocumented: $code (add a '### $code' section to docs/diagnostics.md)"
		fail=1
	fi
	if ! grep -rqs --include='expected*.diag' "\[$code\]" "$top/tests/golden"; then
		echo "no golden case: $code (add a case under tests/golden/)"
		fail=1
	fi
done
[ $fail = 0 ] && echo "all $(echo "$codes" | wc -w) diagnostic codes documented and tested"
exit $fail
