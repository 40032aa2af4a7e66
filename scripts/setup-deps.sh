#!/bin/sh
# setup-deps.sh: install what building and testing hinagata needs on Debian.
# Called by the top-level Makefile before every build (cheap when all is
# present). Installs missing Debian packages with apt-get (through sudo when
# not root); --test adds what the tests use (Criterion, the AWS CLI, the
# cfn-lint validators, moto), --bench what `make bench` uses (hyperfine).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
want_test=0
want_bench=0
[ "${1:-}" = "--test" ] && want_test=1
[ "${1:-}" = "--bench" ] && want_bench=1

# ORDER DEPS: build, then test-only, then benchmark-only packages.
build_pkgs="gcc make cmake pkg-config libyaml-dev libjansson-dev libxxhash-dev libgit2-dev"
test_pkgs="libcriterion-dev python3 python3-jsonschema python3-junitparser python3-yaml git jq pre-commit nodejs npm awscli"
bench_pkgs="hyperfine time python3"

missing=""
for p in $build_pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ $want_test = 1 ]; then
	for p in $test_pkgs; do
		case $p in
		nodejs|npm) command -v "$p" >/dev/null 2>&1 && continue ;;
		awscli) command -v aws >/dev/null 2>&1 && continue ;;
		python3|git|jq|pre-commit) command -v "$p" >/dev/null 2>&1 && continue ;;
		python3-jsonschema | python3-junitparser | python3-yaml)
			# any python3 on the machine that has the module will do
			mod=${p#python3-}
			python3 -c "import $mod" 2>/dev/null && continue
			/usr/bin/python3 -c "import $mod" 2>/dev/null && continue
			;;
		esac
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
	done
fi

if [ $want_bench = 1 ]; then
	for p in $bench_pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			command -v "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
fi

if [ -n "$missing" ]; then
	echo "setup-deps: installing:$missing" >&2
	if [ "$(id -u)" = 0 ]; then
		sudo=""
	elif command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "setup-deps: need root or sudo to install:$missing" >&2
		exit 2
	fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq >&2 || true
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $missing >&2
fi

if [ $want_test = 1 ]; then
	# AWS's Python cfn-lint is the reference validator of compiled
	# templates. Machine images usually carry it; otherwise try pip (the
	# test falls back to the npm validator below if that fails).
	if ! cfn-lint --version 2>/dev/null | grep -q '^cfn-lint 1\.'; then
		echo "setup-deps: trying to install the Python cfn-lint with pip" >&2
		python3 -m pip install --user --quiet 'cfn-lint>=1.20' >&2 2>/dev/null ||
			echo "setup-deps: pip could not install cfn-lint; tests will use the npm cfn-lint" >&2
	fi
	# moto's server is the local AWS endpoint the deploy test uses.
	if ! command -v moto_server >/dev/null 2>&1; then
		echo "setup-deps: trying to install moto with pip" >&2
		python3 -m pip install --user --quiet 'moto[server]>=5' >&2 2>/dev/null ||
			echo "setup-deps: pip could not install moto; the deploy test will be skipped" >&2
	fi
	# The npm cfn-lint validator is a test-only tool, kept inside the tree
	# (tests/tools/node_modules, ignored by git) so nothing global changes.
	tools="$top/tests/tools"
	if [ ! -x "$tools/node_modules/.bin/cfn-lint" ] ||
		[ ! -f "$tools/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json" ] ||
		[ ! -f "$tools/node_modules/@aws-cdk/cloudformation-diff/package.json" ]; then
		echo "setup-deps: installing npm cfn-lint, the SARIF multitool and AWS CDK's template diff into tests/tools" >&2
		(cd "$tools" && npm ci --no-audit --no-fund --loglevel=error >&2)
	fi
fi
