#!/bin/sh
# hardening.sh: hostile and unusual input end to end, as issue 11 found it
# on main: a gate passes nothing it did not read (each silent skip is now a
# diagnostic and a non-zero exit), nothing blocks on a FIFO or loops on
# symbolic links, a crafted commit writes nothing outside, byte order marks
# are accepted, outputs honour the umask, and what killed runs leave behind
# is removed by the next run. Every command runs under a timeout: a hang is
# a failure, not a CI job that never ends.
# Usage: hardening.sh HINAGATA SOURCE_DIR
set -u
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
chmod 755 "$work"
export LC_ALL=C NO_COLOR=1
unset LANG LC_MESSAGES HINAGATA_PATH HINAGATA_HOME
# A private $TMPDIR, so that what runs leave there can be watched.
mkdir tmp
TMPDIR=$work/tmp
export TMPDIR
failures=0
tests=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect CODE DESCRIPTION COMMAND...: run under a timeout, keep stdout/stderr in out/err.
expect() {
	want=$1; what=$2; shift 2
	tests=$((tests + 1))
	timeout 60 "$@" >"$work/out" 2>"$work/err"
	got=$?
	if [ "$got" = 124 ]; then
		fail "$what: did not return within 60 s (hung)"
	elif [ "$got" != "$want" ]; then
		fail "$what: exit $got, expected $want"; sed 's/^/    /' "$work/err" | head -n 20
	fi
	if [ "$got" -ge 128 ]; then
		fail "$what: killed by a signal (exit $got)"
	fi
}
contains() { # FILE TEXT DESCRIPTION
	tests=$((tests + 1))
	grep -qF -- "$2" "$1" || { fail "$3: '$2' not in $1"; sed 's/^/    /' "$1" | head -n 20; }
}
lacks() { # FILE TEXT DESCRIPTION
	tests=$((tests + 1))
	! grep -qF -- "$2" "$1" || { fail "$3: '$2' in $1"; sed 's/^/    /' "$1" | head -n 20; }
}
count() { # FILE TEXT N DESCRIPTION
	tests=$((tests + 1))
	n=$(grep -cF -- "$2" "$1")
	[ "$n" = "$3" ] || fail "$4: '$2' $n times in $1, expected $3"
}
same() { # A B DESCRIPTION
	tests=$((tests + 1))
	cmp -s "$1" "$2" || { fail "$3: $1 and $2 differ"; diff "$1" "$2" | head -n 20; }
}

# A vendor's hand-written CloudFormation template with seven violations.
vendor=$top/tests/golden/check-cfn-yaml/vendor.yaml
# gate NAME: a fresh directory for one case of `check` (a git working tree,
# as a pre-commit hook sees it).
gate() {
	rm -rf "$work/g"
	mkdir "$work/g"
	(cd "$work/g" && git init -q .)
}
# in_gate CODE DESCRIPTION COMMAND...: expect, run in the gate directory
# (not in a subshell, which would lose the counts).
in_gate() {
	cd "$work/g" || exit 1
	expect "$@"
	cd "$work" || exit 1
}

# --- check: what it did not read it reports, never passes ---
gate
python3 - "$vendor" g/vendor.yaml <<'PY'
import sys
s = open(sys.argv[1]).read()
i = s.index('Resources')
open(sys.argv[2], 'w').write(s[:i] + '\0' + s[i:])
PY
in_gate 1 "a NUL byte before Resources" "$hinagata" check
contains err "vendor.yaml:5:1: error[HG0014]" "the NUL byte is named with its place"

gate
python3 - "$vendor" g/vendor.yaml <<'PY'
import sys
open(sys.argv[2], 'w').write(open(sys.argv[1]).read() + '#' + 'x' * (17 << 20) + '\n')
PY
in_gate 1 "a template over 16 MiB" "$hinagata" check
contains err "vendor.yaml: error[HG0011]: file is too large (17826" "the size is given"

gate
cp "$vendor" g/vendor.yaml && truncate -s 1G g/vendor.yaml
in_gate 1 "a 1 GiB sparse file" "$hinagata" check
contains err "vendor.yaml: error[HG0011]: file is too large (1073741824 bytes)" "refused by its size"

gate
d=g
for i in $(seq 34); do d=$d/d; done
mkdir -p "$d" && cp "$vendor" "$d/vendor.yaml"
in_gate 1 "a template 34 directories deep is checked" "$hinagata" check
count err "error[HG3100]" 7 "its seven violations"

gate
d=g
for i in $(seq 70); do d=$d/d; done
mkdir -p "$d" && cp "$vendor" "$d/vendor.yaml"
in_gate 2 "a template 70 directories deep is not passed" "$hinagata" check
contains err "error[HG9009]" "too deep is said"

gate
cp "$vendor" g/vendor.yaml && mkfifo g/pipe.yaml g/fifo
in_gate 2 "a FIFO named like a template" "$hinagata" check
contains err "cannot read pipe.yaml: it is a FIFO (named pipe), not a regular file" "the FIFO is named"
count err "error[HG3100]" 7 "the other templates are checked all the same"
rm g/pipe.yaml
in_gate 1 "a FIFO named otherwise is not opened" "$hinagata" check
in_gate 2 "a FIFO named on the command line" "$hinagata" check fifo
contains err "cannot read fifo: it is a FIFO" "a named FIFO is refused, not read"

gate
mkdir g/t && cp "$vendor" g/t/vendor.yaml && ln -s . g/t/a && ln -s . g/t/b
in_gate 1 "two symlinks to . (2^33 paths)" "$hinagata" check
count err "error[HG3100]" 7 "each violation once"
rm g/t/b
in_gate 1 "one symlink to ." "$hinagata" check
count err "error[HG3100]" 7 "each violation once, not 175 times"

gate
in_gate 0 "an empty directory (qsort of nothing)" "$hinagata" check

gate
mkdir g/locked && cp "$vendor" g/locked/vendor.yaml && cp "$vendor" g/vendor.yaml
chmod -R a+rX g
chmod 000 g/locked
if [ "$(id -u)" = 0 ]; then
	# root opens any directory: run as nobody, with the bundled data where
	# nobody can read it (the source tree may be under a private home).
	mkdir -p home && cp -R "$top/templates" "$top/schemas" home/ && chmod -R a+rX home
	in_gate 2 "a directory check cannot open" env HINAGATA_HOME="$work/home" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$hinagata" check
else
	in_gate 2 "a directory check cannot open" "$hinagata" check
fi
contains err "error[HG9001]: cannot read locked: Permission denied" "the directory is named"
count err "error[HG3100]" 7 "what could be read is checked"
chmod 755 g/locked

gate
cp "$vendor" g/vendor.yaml && mkfifo g/.hinagata.yaml
in_gate 2 "a FIFO as .hinagata.yaml" "$hinagata" check
contains err "cannot read .hinagata.yaml: it is a FIFO" ".hinagata.yaml is refused"

# A file name that is not UTF-8: no finding drops out of a report, no report breaks.
gate
cp "$vendor" "g/$(printf 'caf\351 <&>.yaml')"
for f in json sarif junit; do
	in_gate 1 "check --format $f, a file name that is not UTF-8" "$hinagata" check --format $f
	cp out "check.$f"
done
tests=$((tests + 1))
python3 - check.json check.sarif check.junit <<'PY' || fail "check reports: a finding was lost or a report is broken"
import json, sys, xml.dom.minidom
j = json.load(open(sys.argv[1]))
assert len([f for f in j["findings"] if f["code"] == "HG3100"]) == 7, j
assert j["findings"][0]["file"] == "caf\\xE9 <&>.yaml", j["findings"][0]["file"]
s = json.load(open(sys.argv[2]))
assert len(s["runs"][0]["results"]) >= 7, "SARIF results dropped"
uri = s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
assert uri == "caf%E9%20<&>.yaml", uri
doc = xml.dom.minidom.parse(sys.argv[3])
assert doc.getElementsByTagName("testcase")[0].getAttribute("name") == "caf\\xE9 <&>.yaml"
PY

# --- progress on a terminal for a long run, never in a pipe or in CI ---
# (HINAGATA_PROGRESS_AFTER=0: "long" from the start, so the test needs no big tree.)
gate
for i in $(seq 50); do cp "$vendor" "g/v$i.yaml"; done
cd g
export HINAGATA_PROGRESS_AFTER=0
# script(1) gives the run a terminal.
env -u CI TERM=xterm script -qec "\"$hinagata\" check" /dev/null >../tty.out 2>&1
env CI=true TERM=xterm script -qec "\"$hinagata\" check" /dev/null >../ci.out 2>&1
"$hinagata" check --format json >../pipe.out 2>../pipe.err
unset HINAGATA_PROGRESS_AFTER
cd "$work"
contains tty.out "hinagata check: checking templates:" "progress on a terminal"
contains tty.out "/50" "progress counts the templates"
lacks ci.out "hinagata check:" "no progress in CI"
lacks pipe.err "hinagata check:" "no progress in a pipe"
count pipe.out '"code": "HG3100"' 350 "every template checked"

# --- byte order marks (PowerShell's Out-File -Encoding utf8, Notepad) ---
gate
printf '\357\273\277' >g/vendor.yaml && cat "$vendor" >>g/vendor.yaml
in_gate 1 "a hand-written YAML template with a BOM" "$hinagata" check
count err "error[HG3100]" 7 "its violations, not a syntax error"
contains err "vendor.yaml:7:11: error[HG3100]" "positions as without the BOM"
printf '\357\273\277{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Gw": {"Type": "AWS::EC2::InternetGateway"}}}\n' >g/gw.json
rm g/vendor.yaml
in_gate 1 "a JSON template with a BOM" "$hinagata" check
contains err "gw.json:1:73: error[HG3100]: GC-AWS-NET-01" "read as JSON"

printf '\357\273\277hinagata: 1\ntemplate: test/bom\nversion: 1.0.0\ntarget: aws\nresources:\n  topic: { type: AWS::SNS::Topic }\n' >bom.yaml
expect 0 "compile a template with a BOM" "$hinagata" compile -o build bom.yaml
printf '\377\376h\000i\000\n\000' >utf16.yaml
expect 1 "a UTF-16 template (Windows PowerShell's >)" "$hinagata" compile -o build utf16.yaml
contains err "the file is UTF-16 text" "UTF-16 is named"

mkdir -p bomstate && for f in "$top"/samples/city-a/exports/*.json; do
	printf '\357\273\277' >"bomstate/$(basename "$f")" && cat "$f" >>"bomstate/$(basename "$f")"
done
expect 1 "drift on exports without a BOM" "$hinagata" drift --today 2026-11-24 \
	--template "$top/samples/city-a/juki-prod.yaml" --state "$top/samples/city-a/exports"
cp out plain.out
expect 1 "drift on exports saved with a BOM" "$hinagata" drift --today 2026-11-24 \
	--template "$top/samples/city-a/juki-prod.yaml" --state bomstate
sed 's#bomstate/#'"$top"'/samples/city-a/exports/#g' out >bom.out
same plain.out bom.out "the same report"

# --- compile: a template without resources (qsort of nothing) ---
printf 'hinagata: 1\ntemplate: test/empty\nversion: 1.0.0\ntarget: aws\nresources: {}\n' >empty.yaml
expect 0 "compile a template without resources" "$hinagata" compile -o build empty.yaml
mkfifo params.yaml
expect 2 "a FIFO as --params-file" "$hinagata" compile --params-file params.yaml -o build empty.yaml
contains err "cannot read params.yaml: it is a FIFO" "the params file is refused"
expect 2 "/dev/zero as a template" "$hinagata" compile -o build /dev/zero
contains err "cannot read /dev/zero: it is a device" "a device is refused, not read"

# --- drift: every input is a regular file ---
cp -R "$top/samples/city-a/exports" st
mkfifo fifo.json st/list-fifo.json
tmpl=$top/samples/city-a/juki-prod.yaml
expect 2 "a FIFO in a --state directory" "$hinagata" drift --template "$tmpl" --state st
contains err "cannot read st/list-fifo.json: it is a FIFO" "the state FIFO is named"
rm st/list-fifo.json
expect 2 "a FIFO as --ignore" "$hinagata" drift --template "$tmpl" --state st --ignore fifo.json
expect 2 "a FIFO as --template" "$hinagata" drift --template fifo.json --state st
expect 2 "a FIFO as --cache" "$hinagata" drift --template "$tmpl" --state st --cache fifo.json
python3 -c "print('ignore:\n' + '#' * (17 << 20))" >big-ignore.yaml
expect 2 "an ignore file over 16 MiB" "$hinagata" drift --template "$tmpl" --state st --ignore big-ignore.yaml
contains err "big-ignore.yaml: error[HG0011]: file is too large" "too large, not 'cannot read: Success'"
lacks err "Success" "no 'Success' in an error"

# --- drift --repo: a crafted commit writes nothing outside ---
mkdir crafted && (cd crafted && git init -q . && cp "$tmpl" juki-prod.yaml &&
	python3 - "$work" <<'PY'
import subprocess, sys
def obj(kind, data):
    return subprocess.run(['git', 'hash-object', '-t', kind, '--literally', '-w', '--stdin'],
                          input=data, capture_output=True, check=True).stdout.decode().strip()
def tree(entries):
    return obj('tree', b''.join(m + b' ' + n + b'\0' + bytes.fromhex(i) for m, n, i in entries))
evil = obj('blob', b'written outside\n')
good = obj('blob', open('juki-prod.yaml', 'rb').read())
up = b'../' * 30 + sys.argv[1].lstrip('/').encode() + b'/escaped.yaml'
inner = tree([(b'100644', b'escaped.yaml', evil)])
t = tree([(b'100644', up, evil), (b'40000', b'..', inner), (b'100644', b'juki-prod.yaml', good)])
c = subprocess.run(['git', '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit-tree',
                    t, '-m', 'crafted'], capture_output=True, check=True).stdout.decode().strip()
subprocess.run(['git', 'update-ref', 'refs/heads/main', c], check=True)
PY
)
expect 2 "a commit with ../ entries" "$hinagata" drift --repo crafted --ref main \
	--template juki-prod.yaml --state "$top/samples/city-a/exports"
contains err "error[HG9007]" "the unsafe path is refused"
tests=$((tests + 1))
[ ! -e escaped.yaml ] && [ ! -e tmp/escaped.yaml ] || fail "the crafted entry was written outside"

# --- secrets stay hidden in every report format; the drift is still found ---
mkdir secrets && (cd secrets && sh "$top/tests/golden/drift-secrets/setup")
for f in text json md sarif junit; do
	expect 1 "drift --format $f on secret tags" "$hinagata" drift --today 2026-11-24 \
		--template secrets/template.json --state secrets/exports --format $f -o "report.$f"
	for secret in wJalrXUtnFEMI Juki-Prod-Secret old-pass-2025 AKIAIOSFODNN7EXAMPLE; do
		lacks "report.$f" "$secret" "$f report: no secret"
	done
	contains "report.$f" "Password=****" "$f report: the connection string is shown, masked"
	tests=$((tests + 1))
	if LC_ALL=C grep -q "$(printf '\377')" "report.$f"; then fail "$f report: a byte that is not UTF-8"; fi
done
contains report.text "MODIFIED Docs" "the masked drift is found"
count report.text "expected **** actual ****" 1 "the secret tag's change is reported, masked"
tests=$((tests + 1))
python3 - report.json report.sarif report.junit <<'PY' || fail "reports: not readable by their consumers"
import json, sys, xml.dom.minidom
j = json.load(open(sys.argv[1]))
assert [len(r["differences"]) for r in j["resources"]] == [4], j
s = json.load(open(sys.argv[2]))
assert len(s["runs"][0]["results"]) == 1, "the SARIF result was dropped"
xml.dom.minidom.parse(sys.argv[3])  # well-formed XML
PY

# --- outputs honour the umask ---
mode() { stat -c %a "$1"; }
for m in 077:600 022:644 002:664; do
	mask=${m%%:*}
	mode_want=${m#*:}
	rm -rf build
	umask "$mask"
	expect 0 "compile with umask $mask" "$hinagata" compile -o build empty.yaml
	tests=$((tests + 1))
	[ "$(mode build/test/empty.json)" = "$mode_want" ] ||
		fail "umask $mask: compiled output is $(mode build/test/empty.json), expected $mode_want"
	expect 1 "drift -o with umask $mask" "$hinagata" drift --template "$tmpl" \
		--state "$top/samples/city-a/exports" --format md -o report.md
	umask 022
	tests=$((tests + 1))
	[ "$(mode report.md)" = "$mode_want" ] ||
		fail "umask $mask: the report is $(mode report.md), expected $mode_want"
	rm -f report.md
done

# --- the directory is synced after the rename (else a crash can lose the rename) ---
strace -f -e trace=rename,fsync,openat -o strace.out "$hinagata" compile -o build empty.yaml 2>/dev/null
tests=$((tests + 1))
awk '/rename\(.*"build\/test\/empty.json"\) = 0/ { renamed = 1; next }
	renamed && /openat\(AT_FDCWD, "build\/test", .*O_DIRECTORY.*\) = [0-9]+/ { fd = $NF; next }
	fd != "" && $0 ~ "fsync\\(" fd "\\) += 0" { ok = 1 }
	END { exit !ok }' strace.out || { fail "no fsync of the directory after the rename"; cat strace.out; }

# --- what killed runs leave behind is removed by the next run ---
# A write killed before its rename leaves build/test/empty.json.tmp.XXXXXX;
# the next write of the same output removes it, but not the temporary file
# of a write that is still running (it holds its lock).
mkdir -p build/test
echo '{' >build/test/empty.json.tmp.Ab12Cd
echo '{' >build/test/empty.json.tmp.Zz98Yx
python3 - build/test/empty.json.tmp.Zz98Yx <<'PY' &
import fcntl, sys, time
f = open(sys.argv[1])
fcntl.flock(f, fcntl.LOCK_EX)  # what a live write holds
open(sys.argv[1] + '.locked', 'w').close()
time.sleep(60)
PY
holder=$!
while [ ! -e build/test/empty.json.tmp.Zz98Yx.locked ]; do sleep 0.05; done
rm build/test/empty.json.tmp.Zz98Yx.locked
expect 0 "compile after a killed write" "$hinagata" compile -o build empty.yaml
tests=$((tests + 1))
[ ! -e build/test/empty.json.tmp.Ab12Cd ] || fail "the leftover of a killed write is still there"
tests=$((tests + 1))
[ -e build/test/empty.json.tmp.Zz98Yx ] || fail "the temporary file of a live write was removed"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
expect 0 "compile once the other write is gone" "$hinagata" compile -o build empty.yaml
tests=$((tests + 1))
[ -z "$(find build -name '*.tmp.*')" ] || fail "temporary files left: $(find build -name '*.tmp.*')"

# drift --repo killed (SIGKILL) while its export of the revision exists.
mkdir many && (cd many && git init -q . && cp "$tmpl" juki-prod.yaml && mkdir lib &&
	for i in $(seq 3000); do printf 'a: %s\n' "$i" >"lib/t$i.yaml"; done &&
	git add . && git -c user.name=t -c user.email=t@example.com commit -qm many)
caught=0
tries=0
while [ $caught = 0 ] && [ $tries -lt 20 ]; do
	tries=$((tries + 1))
	"$hinagata" drift --repo many --template juki-prod.yaml \
		--state "$top/samples/city-a/exports" >/dev/null 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if [ -n "$(ls tmp)" ]; then
			kill -9 "$pid" 2>/dev/null && caught=1
			break
		fi
	done
	wait "$pid" 2>/dev/null
done
tests=$((tests + 1))
if [ $caught = 0 ] || [ -z "$(ls tmp)" ]; then
	fail "could not kill drift --repo while its temporary directory existed ($tries tries)"
fi
# An unlocked directory of an older run: removed once it is ten minutes old.
mkdir tmp/hinagata-git-Old123 tmp/hinagata-git-New123
touch -d '1 hour ago' tmp/hinagata-git-Old123
expect 0 "the next run" "$hinagata" --version
tests=$((tests + 1))
[ "$(ls tmp)" = "hinagata-git-New123" ] || fail "leftovers after the next run: $(ls tmp | tr '\n' ' ')"
rmdir tmp/hinagata-git-New123

# libgit2 and libpq are loaded when a repository or a PostgreSQL store is
# first used, not linked: a run that needs neither does not load them, and
# a library that cannot be loaded is a diagnostic and exit 2, not a crash.
tests=$((tests + 1))
if readelf -d "$hinagata" | grep NEEDED | grep -Eq 'libgit2|libpq'; then
	fail "hinagata is linked with libgit2 or libpq: $(readelf -d "$hinagata" | grep -E 'libgit2|libpq')"
fi
cp "$top/samples/city-a/juki-prod.yaml" nogit.yaml
HINAGATA_LIBGIT2=$work/no/libgit2.so
export HINAGATA_LIBGIT2
expect 2 "check without libgit2" "$hinagata" check nogit.yaml
tests=$((tests + 1))
grep -q "^hinagata: error\[HG9005\]: git: libgit2 could not be loaded (install Debian's package of libgit2\.so\.[0-9.]*): $work/no/libgit2\.so: cannot open shared object file" err ||
	fail "check without libgit2: $(head -2 err)"
expect 2 "drift --repo without libgit2 (ja)" "$hinagata" --lang ja drift --repo many \
	--template juki-prod.yaml --state "$top/samples/city-a/exports"
tests=$((tests + 1))
grep -q "^hinagata: エラー\[HG9005\]: git: libgit2 を読み込めませんでした (libgit2\.so\.[0-9.]* の Debian パッケージをインストールしてください): " err ||
	fail "drift --repo without libgit2 (ja): $(head -2 err)"
expect 0 "compile without libgit2 (it reads no repository)" "$hinagata" compile -o nogit-out nogit.yaml
unset HINAGATA_LIBGIT2

echo "$tests checks, $failures failures"
[ "$failures" = 0 ]
