#!/bin/sh
# setup-deps.sh: install what building and testing hinagata needs on Debian.
# Called by the top-level Makefile before every build (cheap when all is
# present), and by hand as the first command on a machine that has only
# apt-get (it installs make too). Installs missing Debian packages with
# apt-get (through sudo when not root); --test adds what the tests use
# (Criterion, the AWS CLI, clang's libFuzzer, the Python reference tools
# cfn-lint and moto, the SARIF multitool, AWS CDK's template diff, headless
# Chromium, poppler and a Japanese font for the HTML report, PostgreSQL's
# server for the history store's tests, which start their own), --bench what
# `make bench` uses
# (hyperfine).
#
# What cannot be installed is said loudly at the end, with the tests that
# will fail for it; those tests fail rather than skip, so a smaller test
# suite is never taken for a passing one. Only a missing build dependency
# stops the script (exit 2).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
want_test=0
want_bench=0
[ "${1:-}" = "--test" ] && want_test=1
[ "${1:-}" = "--bench" ] && want_bench=1

# ORDER DEPS: build, then test-only, then benchmark-only packages.
build_pkgs="gcc make cmake pkg-config libyaml-dev libjansson-dev libxxhash-dev libgit2-dev libsqlite3-dev libpq-dev"
test_pkgs="libcriterion-dev python3 python3-venv python3-jsonschema python3-junitparser python3-yaml
git jq pre-commit nodejs npm awscli clang libclang-rt-dev util-linux strace
chromium poppler-utils fonts-ipafont-gothic postgresql"
bench_pkgs="hyperfine time python3"

# What could not be installed: "what|why|tests that fail" lines.
problems=""
problem() { problems="$problems$1|$2|$3
"; }

sudo=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		sudo="none"
	fi
fi
updated=0
export DEBIAN_FRONTEND=noninteractive
# apt_install PKG...: returns non-zero (after apt's message) when it fails.
apt_install() {
	[ $# -gt 0 ] || return 0
	if [ "$sudo" = none ]; then
		echo "setup-deps: need root or sudo to install: $*" >&2
		return 1
	fi
	if [ $updated = 0 ]; then
		$sudo apt-get update -qq >&2 || echo "setup-deps: apt-get update failed; trying the lists there are" >&2
		updated=1
	fi
	echo "setup-deps: installing: $*" >&2
	$sudo apt-get install -y -qq --no-install-recommends "$@" >&2
}
# apt_known PKG: Debian (this release) has a package of that name.
apt_known() {
	if [ $updated = 0 ] && [ "$sudo" != none ]; then
		$sudo apt-get update -qq >&2 || true
		updated=1
	fi
	apt-cache show "$1" 2>/dev/null | grep -q '^Package:'
}
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }

missing=""
for p in $build_pkgs; do
	installed "$p" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086
	if ! apt_install $missing; then
		echo "setup-deps: FAILED to install the build dependencies:$missing" >&2
		exit 2
	fi
fi

if [ $want_test = 1 ]; then
	missing=""
	for p in $test_pkgs; do
		case $p in
		nodejs | npm) command -v "$p" >/dev/null 2>&1 && continue ;;
		awscli) command -v aws >/dev/null 2>&1 && continue ;;
		python3 | git | jq | pre-commit | clang | strace | chromium) command -v "$p" >/dev/null 2>&1 && continue ;;
		poppler-utils) command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1 && continue ;;
		# the server the history tests start themselves (tests/pgserver.sh): any version's initdb
		postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && continue ;;
		python3-jsonschema | python3-junitparser | python3-yaml)
			# any python3 on the machine that has the module will do
			mod=${p#python3-}
			python3 -c "import $mod" 2>/dev/null && continue
			/usr/bin/python3 -c "import $mod" 2>/dev/null && continue
			;;
		esac
		installed "$p" || missing="$missing $p"
	done
	# One at a time after a failed batch, so one unavailable package does
	# not keep the others out.
	# shellcheck disable=SC2086
	if [ -n "$missing" ] && ! apt_install $missing; then
		for p in $missing; do
			apt_install "$p" || problem "$p (Debian)" "apt-get install failed" "see the test list below"
		done
	fi
fi

if [ $want_bench = 1 ]; then
	missing=""
	for p in $bench_pkgs; do
		installed "$p" || command -v "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	# shellcheck disable=SC2086
	apt_install $missing || problem "$missing" "apt-get install failed" "make bench"
fi

if [ $want_test = 1 ]; then
	# The Python reference tools: AWS's cfn-lint (the validator of compiled
	# templates) and moto's server (the local AWS endpoint of the deploy
	# test). From Debian where Debian has them (python3-moto since Debian
	# 13; cfn-lint in no release), else into a project-local virtual
	# environment, tests/tools/venv (Debian 12 refuses pip install --user
	# system-wide, PEP 668, and nothing global should change); a machine
	# image that has them on PATH already is used as it is. The tests look
	# in the venv first, then on PATH (tests/tools/python-tools.sh).
	venv=$top/tests/tools/venv
	# shellcheck source=../tests/tools/python-tools.sh
	. "$top/tests/tools/python-tools.sh"
	if ! moto_cmd >/dev/null && apt_known python3-moto; then
		apt_install python3-moto python3-flask python3-flask-cors ||
			echo "setup-deps: apt-get could not install python3-moto" >&2
	fi
	# pip_tool NAME REQUIREMENT TEST WHY-NOT-DEBIAN: into the venv, or a problem said.
	pip_tool() {
		log=$top/tests/tools/pip-$1.log
		if [ ! -x "$venv/bin/pip" ]; then
			echo "setup-deps: making the virtual environment tests/tools/venv" >&2
			/usr/bin/python3 -m venv --system-site-packages "$venv" >"$log" 2>&1 ||
				python3 -m venv --system-site-packages "$venv" >>"$log" 2>&1
		fi
		if [ -x "$venv/bin/pip" ]; then
			echo "setup-deps: installing $2 into tests/tools/venv with pip" >&2
			"$venv/bin/pip" install --disable-pip-version-check --retries 1 --timeout 20 \
				"$2" >>"$log" 2>&1 && return 0
			why="pip could not install it: $(grep -E 'ERROR' "$log" | tail -n 1)"
		else
			why="no virtual environment (python3-venv): $(tail -n 1 "$log")"
		fi
		problem "$1" "$4; $why" "$3"
	}
	cfnlint_cmd >/dev/null ||
		pip_tool cfn-lint 'cfn-lint>=1.20' cli/cfn-lint "AWS's Python validator (>= 1), in no Debian release"
	moto_cmd >/dev/null ||
		pip_tool moto 'moto[server]>=5' cli/deploy-moto "moto's server, in Debian only from 13 (python3-moto)"
	# The SARIF multitool, AWS CDK's template diff (and the npm cfn-lint `make bench` compares
	# against) are test-only tools kept inside the tree
	# (tests/tools/node_modules, ignored by git), so nothing global changes.
	tools="$top/tests/tools"
	if [ ! -f "$tools/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json" ] ||
		[ ! -f "$tools/node_modules/@aws-cdk/cloudformation-diff/package.json" ]; then
		echo "setup-deps: installing the SARIF multitool, AWS CDK's template diff (and the npm cfn-lint) into tests/tools" >&2
		if ! command -v npm >/dev/null 2>&1; then
			problem "SARIF multitool, AWS CDK's template diff (npm)" "npm is not installed" "cli/drift-reports cli/diff"
		elif ! (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error >&2); then
			problem "SARIF multitool, AWS CDK's template diff (npm)" "npm ci failed (is the npm registry reachable?)" "cli/drift-reports cli/diff"
		fi
	fi
fi

if [ -n "$problems" ]; then
	{
		echo
		echo "setup-deps: ================================================================"
		echo "setup-deps: COULD NOT INSTALL these test tools; the tests named will FAIL"
		echo "setup-deps: (they never skip: a smaller test suite must not look like a pass)"
		printf '%s' "$problems" | while IFS='|' read -r what why tests; do
			echo "setup-deps:   $what"
			echo "setup-deps:     why:   $why"
			echo "setup-deps:     fails: $tests"
		done
		echo "setup-deps: ================================================================"
		echo
	} >&2
fi
exit 0
