#!/bin/sh
# bench/check.sh: hinagata check against cfn-lint on the same files.
# Usage: bench/check.sh HINAGATA TOP
# 1. The corpus: `hinagata check` on 300-odd real, third-party CloudFormation
#    templates (bench/corpus.sh fetches them from npm) against AWS's Python
#    cfn-lint on the same files, and the ratio of the two.
# 2. The repository: `hinagata check` over the repository's templates and
#    samples (the hinagata sources compiled in memory) plus two hand-written
#    CloudFormation templates, and the npm cfn-lint validator over the same
#    CloudFormation: the compiled templates and the hand-written ones.
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
n=$(sh "$top/bench/corpus.sh" "$top" "$work/corpus")
echo "hinagata check vs AWS's cfn-lint on $n real templates ($(uname -m), $(nproc) cores)"
if ! cfn-lint --version >/dev/null 2>&1 || ! command -v hyperfine >/dev/null 2>&1; then
	echo "bench/check.sh: AWS's (Python) cfn-lint and hyperfine are needed: run scripts/setup-deps.sh --test --bench" >&2
	exit 2
fi
(cd "$work/corpus" &&
	hyperfine --warmup 2 --runs 10 -i --export-json "$work/h.json" --export-markdown "$work/h.md" \
		-n "hinagata check ($n templates)" "$hinagata check ." >/dev/null 2>&1 &&
	hyperfine --warmup 0 --runs 3 -i --export-json "$work/c.json" --export-markdown "$work/c.md" \
		-n "cfn-lint $(cfn-lint --version | cut -d' ' -f2) (Python, AWS) on the same files" "cfn-lint -- *" >/dev/null 2>&1) || true
python3 - "$work/h.json" "$work/c.json" <<'PY'
import json, sys
rows = [json.load(open(f))["results"][0] for f in sys.argv[1:]]
print("| command | mean | min | max |\n|---|---|---|---|")
for r in rows:
    print("| %s | %.3f s ± %.3f | %.3f s | %.3f s |" % (r["command"], r["mean"], r["stddev"] or 0, r["min"], r["max"]))
h, c = rows[0]["mean"], rows[1]["mean"]
print("\nhinagata check is %.0fx faster than cfn-lint on the corpus (%.3f s vs %.1f s)" % (c / h, h, c))
PY
echo
cd "$work/repo"
echo "hinagata check vs cfn-lint on this repository ($(uname -m), $(nproc) cores)"
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
