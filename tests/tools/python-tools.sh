# python-tools.sh: sourced by scripts/setup-deps.sh and the tests, which set
# $top (the source tree): where the Python reference tools are.
# cfnlint_cmd and moto_cmd print the command to run (the project's virtual
# environment tests/tools/venv first, then PATH, then for moto Debian's
# python3-moto module) or return 1 when there is none.
cfnlint_cmd() {
	for c in "$top/tests/tools/venv/bin/cfn-lint" cfn-lint; do
		if "$c" --version 2>/dev/null | grep -q '^cfn-lint 1\.'; then
			echo "$c"
			return 0
		fi
	done
	return 1
}
moto_cmd() {
	for c in "$top/tests/tools/venv/bin/moto_server" moto_server; do
		if command -v "$c" >/dev/null 2>&1; then
			echo "$c"
			return 0
		fi
	done
	if /usr/bin/python3 -c 'import moto.server, flask' 2>/dev/null; then
		echo "/usr/bin/python3 -m moto.server"
		return 0
	fi
	return 1
}
