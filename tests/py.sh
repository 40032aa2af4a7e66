# py.sh: sourced by the test scripts. py_with MODULE...: print the first
# python3 on the machine (the one on PATH, then the distribution's) that
# imports every MODULE; fail with a message when none does.
py_with() {
	for py in python3 /usr/bin/python3; do
		if "$py" -c "import $(echo "$@" | tr ' ' ',')" 2>/dev/null; then
			echo "$py"
			return 0
		fi
	done
	echo "FAIL: no python3 with $* (scripts/setup-deps.sh --test installs them)" >&2
	return 1
}
