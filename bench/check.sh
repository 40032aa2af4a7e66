#!/bin/sh
# bench/check.sh: hinagata check against cfn-lint on the same files.
# Usage: bench/check.sh HINAGATA TOP
# Times `hinagata check` over the repository's templates and samples (the
# hinagata sources compiled in memory) plus the hand-written CloudFormation of
# the check corpus, and the npm cfn-lint validator over the same
# CloudFormation: the compiled templates and the hand-written ones.
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/repo"
cp -R "$top/templates" "$top/samples" "$work/repo/"
cp "$top/tests/golden/check-cfn-yaml/vendor.yaml" "$top/tests/golden/check-cfn-json-good/app.json" "$work/repo/"
"$hinagata" compile -o "$work/cfn" "$top"/templates/aws/*.yaml "$top"/samples/city-a/*.yaml 2>/dev/null
cfn_files=$(find "$work/cfn" -name '*.json' | sort)
cfnlint=$top/tests/tools/node_modules/.bin/cfn-lint
if [ ! -x "$cfnlint" ]; then # hyperfine -i would time its failure
	echo "bench/check.sh: the npm cfn-lint is missing: run scripts/setup-deps.sh --test" >&2
	exit 2
fi
cd "$work/repo"
echo "hinagata check vs cfn-lint ($(uname -m), $(nproc) cores)"
if command -v hyperfine >/dev/null 2>&1; then
	n=$(echo $cfn_files | wc -w)
	if command -v cfn-lint >/dev/null 2>&1; then # AWS's own (Python) cfn-lint, the reference
		hyperfine --warmup 1 --runs 5 -i --export-markdown "$work/check.md" \
			-n "hinagata check (repo: templates, samples, 2 hand-written)" "$hinagata check ." \
			-n "cfn-lint (npm) on the same CloudFormation ($n compiled + 2 hand-written)" \
			"$cfnlint $cfn_files vendor.yaml app.json" \
			-n "cfn-lint (Python, AWS) on the same CloudFormation" \
			"cfn-lint $cfn_files vendor.yaml app.json" >/dev/null 2>&1 || true
	else
		hyperfine --warmup 2 --runs 10 -i --export-markdown "$work/check.md" \
			-n "hinagata check (repo: templates, samples, 2 hand-written)" "$hinagata check ." \
			-n "cfn-lint (npm) on the same CloudFormation ($n compiled + 2 hand-written)" \
			"$cfnlint $cfn_files vendor.yaml app.json" >/dev/null 2>&1 || true
	fi
	cat "$work/check.md"
else
	/usr/bin/time -f "hinagata check: %e s, %M KiB" "$hinagata" check . >/dev/null 2>&1 || true
	/usr/bin/time -f "cfn-lint: %e s, %M KiB" "$cfnlint" $cfn_files vendor.yaml app.json >/dev/null 2>&1 || true
fi
