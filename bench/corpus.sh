#!/bin/sh
# bench/corpus.sh: the check corpus, 300-odd real, third-party CloudFormation
# templates, laid out in one directory. Usage: bench/corpus.sh TOP OUTDIR
#
# The templates come from npm packages (bench/corpus/package.json, versions
# pinned by its package-lock.json): the test templates of the npm cfn-lint
# validator, widdix's cfn-modules (each module's template and its test
# stacks) and the AWS CDK bootstrap template. `npm ci` fetches them into
# bench/corpus/node_modules/ (ignored by git; nothing third-party is
# committed). Every YAML or JSON file there with a Resources section is
# copied once (by content) to OUTDIR, named by its path in the packages.
set -eu
top=$(cd "$1" && pwd)
out=$2
corpus=$top/bench/corpus
if [ ! -d "$corpus/node_modules/@cfn-modules" ]; then
	echo "bench/corpus.sh: fetching the corpus with npm into bench/corpus/node_modules" >&2
	(cd "$corpus" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
fi
mkdir -p "$out"
seen=$(mktemp)
trap 'rm -f "$seen"' EXIT
(cd "$corpus" && find node_modules -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.json' -o -name '*.template' \) \
	-not -path '*/cfn-lint/data/*' -not -path '*/.github/*' -not -name package.json -not -name package-lock.json | LC_ALL=C sort) |
while IFS= read -r f; do
	grep -qE '"?Resources"?[[:space:]]*:' "$corpus/$f" || continue
	h=$(cksum < "$corpus/$f")
	grep -qxF "$h" "$seen" && continue
	echo "$h" >>"$seen"
	cp "$corpus/$f" "$out/$(echo "$f" | sed 's|^node_modules/||; s|/|_|g')"
done
ls "$out" | wc -l
