#!/bin/sh
# e2e.sh: the hinagata CLI end to end: exit codes, files written (and not
# written), languages, parameters, hostile input. Usage: e2e.sh HINAGATA SOURCE_DIR
set -u
hinagata=$1
top=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export LC_ALL=C NO_COLOR=1
unset LANG LC_MESSAGES HINAGATA_PATH HINAGATA_HOME
failures=0
tests=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect CODE DESCRIPTION COMMAND...: run, keep stdout/stderr in out/err.
expect() {
	want=$1; what=$2; shift 2
	tests=$((tests + 1))
	"$@" >out 2>err
	got=$?
	if [ "$got" != "$want" ]; then
		fail "$what: exit $got, expected $want"; sed 's/^/    /' err | head -n 20
	fi
	if [ "$got" -ge 128 ]; then
		fail "$what: killed by a signal (exit $got)"
	fi
}
contains() { # FILE TEXT DESCRIPTION
	tests=$((tests + 1))
	grep -qF -- "$2" "$1" || { fail "$3: '$2' not in $1"; sed 's/^/    /' "$1" | head -n 20; }
}
no_temp_files() {
	tests=$((tests + 1))
	if find . -name '*.tmp.*' | grep -q .; then fail "$1: temporary files left behind"; fi
}

good() {
	cat <<'YAML'
hinagata: 1
template: test/e2e
version: 1.0.0
target: aws
params:
  env: { type: string, default: prod, allowed: [prod, stg] }
conditions:
  is_prod: ${params.env == 'prod'}
resources:
  topic:
    type: AWS::SNS::Topic
    properties:
      DisplayName: "${conditions.is_prod ? 'production' : 'staging'}"
YAML
}
good > good.yaml

# --- usage and help ---
expect 0 "--version" "$hinagata" --version
contains out "hinagata " "--version prints the version"
expect 0 "--help" "$hinagata" --help
contains out "compile" "--help lists commands"
expect 0 "compile --help" "$hinagata" compile --help
contains out "--params-file" "compile --help lists its options"
expect 0 "help compile" "$hinagata" help compile
expect 2 "no command" "$hinagata"
expect 2 "unknown command" "$hinagata" frobnicate
contains err "unknown command 'frobnicate'" "unknown command message"
expect 2 "unknown option" "$hinagata" compile --bogus good.yaml
expect 2 "no inputs" "$hinagata" compile
expect 2 "bad --lang" "$hinagata" --lang fr compile good.yaml
expect 2 "-o - with two inputs" "$hinagata" compile -o - good.yaml good.yaml
expect 2 "controls --profile that does not exist" "$hinagata" controls --profile nope
contains err "unknown profile 'nope' (profiles: gc-aws, gc-azure)" "the profiles are named"
expect 0 "compile --help" "$hinagata" compile --help
contains out "ARM JSON" "compile --help mentions Azure"
expect 0 "drift --help" "$hinagata" drift --help
contains out "az resource list" "drift --help mentions az"
expect 2 "check a path that is not there" "$hinagata" check good.yaml missing.yaml
contains err "error[HG9001]: cannot read missing.yaml: No such file or directory" "check names the missing path"
mkdir -p tree/fixtures && printf 'hinagata: 1\ntemplate: x/y\n' >tree/fixtures/broken.yaml && cp good.yaml tree/
expect 1 "check walks into fixtures" "$hinagata" check tree
expect 0 "check --exclude leaves them out" "$hinagata" check --exclude tree/fixtures tree
expect 1 "a file named on the command line is checked even when excluded" \
	"$hinagata" check --exclude tree/fixtures tree/fixtures/broken.yaml
# In a git working tree, what git ignores is not walked (build output).
if command -v git >/dev/null 2>&1; then
	mkdir -p gitrepo/build && (cd gitrepo && git init -q) && cp good.yaml gitrepo/
	printf 'hinagata: 1\ntemplate: x/y\n' >gitrepo/build/stale.yaml
	cd gitrepo
	expect 1 "check walks into build/ while git does not ignore it" "$hinagata" check
	echo "build/" >.gitignore
	expect 0 "check leaves out what .gitignore ignores" "$hinagata" check
	cd ..
else
	fail "git is missing (scripts/setup-deps.sh --test installs it)"
fi

# --- compiling ---
expect 0 "compile a good template" "$hinagata" compile good.yaml
contains err "wrote build/test/e2e.json" "default output directory is build/"
tests=$((tests + 1)); [ -s build/test/e2e.json ] || fail "build/test/e2e.json not written"
cp build/test/e2e.json first.json
expect 0 "compile again" "$hinagata" compile good.yaml
tests=$((tests + 1)); cmp -s first.json build/test/e2e.json || fail "second compile differs"
expect 0 "compile to stdout" "$hinagata" compile -o - good.yaml
tests=$((tests + 1)); cmp -s out first.json || fail "-o - differs from the file"
no_temp_files "after good compiles"

# --- compile-time parameters ---
expect 0 "--param folds conditions" "$hinagata" compile -o p --param env=stg good.yaml
contains p/test/e2e.json '"DisplayName": "staging"' "--param value folded"
printf 'env: stg\n' > params.yaml
expect 0 "--params-file" "$hinagata" compile -o pf --params-file params.yaml good.yaml
contains pf/test/e2e.json '"DisplayName": "staging"' "--params-file value folded"
expect 0 "--param beats --params-file" "$hinagata" compile -o pp --params-file params.yaml --param env=prod good.yaml
contains pp/test/e2e.json '"DisplayName": "production"' "--param overrides the file"
expect 1 "--param outside allowed" "$hinagata" compile -o q --param env=dev good.yaml
contains err "error[HG2004]" "allowed-values violation code"
expect 1 "--param without =" "$hinagata" compile -o q --param env good.yaml
contains err "error[HG2014]" "bad --param code"

# --- a failed compile leaves nothing stale or partial ---
sed 's/DisplayName/DisplayNam/' good.yaml > broken.yaml
mkdir -p stale/test && echo '{"old": true}' > stale/test/e2e.json
expect 1 "broken template" "$hinagata" compile -o stale broken.yaml
contains err "error[HG3002]" "unknown property code"
contains err "removed the stale output stale/test/e2e.json" "stale output reported"
tests=$((tests + 1)); [ ! -e stale/test/e2e.json ] || fail "stale output left behind"
no_temp_files "after a failed compile"
echo notadir > blocker
expect 2 "unwritable output directory" "$hinagata" compile -o blocker/sub good.yaml
contains err "error[HG9002]" "write failure code"
no_temp_files "after a failed write"

# --- languages ---
expect 1 "Japanese messages" "$hinagata" --lang ja compile -o j broken.yaml
contains err "エラー[HG3002]" "Japanese severity and code"
expect 1 "Japanese from LANG" env LANG=ja_JP.UTF-8 LC_ALL= "$hinagata" compile -o j broken.yaml
contains err "プロパティ 'DisplayNam' はありません" "Japanese from the locale"
expect 1 "--lang en beats LANG" env LC_ALL=ja_JP.UTF-8 "$hinagata" compile --lang en -o j broken.yaml
contains err "has no property 'DisplayNam'" "English despite a Japanese locale"

# --- hostile input: a diagnostic and exit 1 or 2, never a crash ---
printf 'a: [1, 2\n' > syntax.yaml
expect 1 "YAML syntax error" "$hinagata" compile -o h syntax.yaml
contains err "syntax.yaml:2:1: error[HG0001]" "syntax error position"
python3 - <<'PY'
lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
for i in range(1, 10):
    lines.append('a%d: &a%d [%s]' % (i, i, ','.join(['*a%d' % (i - 1)] * 10)))
open('bomb.yaml', 'w').write('\n'.join(lines) + '\n')
open('deep.yaml', 'w').write('a: ' + '[' * 10000 + ']' * 10000 + '\n')
open('badutf8.yaml', 'wb').write(b'hinagata: 1\ntemplate: caf\xe9\n')
with open('huge.yaml', 'w') as f:
    f.write('hinagata: 1\n' + ('# ' + 'x' * 1021 + '\n') * 102400)
PY
expect 1 "alias bomb" "$hinagata" compile -o h bomb.yaml
contains err "error[HG0004]" "alias bomb code"
expect 1 "10,000-deep nesting" "$hinagata" compile -o h deep.yaml
contains err "error[HG0003]" "nesting code"
expect 1 "invalid UTF-8" "$hinagata" compile -o h badutf8.yaml
contains err "badutf8.yaml:2:14: error[HG0009]" "invalid UTF-8 position"
expect 1 "100 MB file" "$hinagata" compile -o h huge.yaml
contains err "error[HG0011]" "file size code"
mkdir adir
expect 2 "a directory" "$hinagata" compile -o h adir
contains err "error[HG9004]" "directory code"
expect 2 "a missing file" "$hinagata" compile -o h missing.yaml
contains err "error[HG9001]" "missing file code"
: > empty.yaml
expect 1 "an empty file" "$hinagata" compile -o h empty.yaml
contains err "error[HG0008]" "empty file code"
tests=$((tests + 1)); [ ! -d h ] || [ -z "$(find h -type f)" ] || fail "hostile input produced output"

# --- the search path: --templates and HINAGATA_PATH ---
mkdir -p lib
cat > lib/part.yaml <<'YAML'
hinagata: 1
template: test/part
version: 2.1.0
target: aws
resources:
  queue: { type: AWS::SQS::Queue }
outputs:
  queue_arn: ${queue.Arn}
YAML
cat > user.yaml <<'YAML'
hinagata: 1
template: test/user
version: 1.0.0
target: aws
use:
  part: { template: test/part, version: "^2.0" }
outputs:
  arn: ${part.queue_arn}
YAML
expect 1 "use without the search path" "$hinagata" compile -o s user.yaml
contains err "error[HG4001]" "template not found code"
expect 0 "--templates" "$hinagata" compile -o s --templates lib user.yaml
contains s/test/user.json '"PartQueue"' "used template namespaced"
expect 0 "HINAGATA_PATH" env HINAGATA_PATH="$work/lib" "$hinagata" compile -o s2 user.yaml

# --- the sample for staging: single-AZ, a suppressed rule, not an error ---
expect 0 "the sample compiles with --param env=stg" "$hinagata" compile -o stg --param env=stg \
	"$top/samples/city-a/juki-prod.yaml"
contains err "warning[HG8004]: GC-AWS-AVL-01 suppressed" "staging's single AZ is a reported suppression"

# --- installed layout (GNUInstallDirs): the binary finds its data ---
if [ -n "${HG_BUILD_DIR:-}" ]; then
	expect 0 "cmake --install" cmake --install "$HG_BUILD_DIR" --prefix "$work/prefix"
	tests=$((tests + 1))
	[ -x prefix/bin/hinagata ] && [ -f prefix/share/hinagata/templates/aws/audit-trail.yaml ] &&
		[ -f prefix/share/hinagata/schemas/aws/index.json ] && [ -f prefix/share/doc/hinagata/README.md ] ||
		fail "install layout"
	# The manual page and bash completion.
	tests=$((tests + 1))
	[ -f prefix/share/man/man1/hinagata.1 ] && [ -f prefix/share/bash-completion/completions/hinagata ] ||
		fail "make install puts the manual page and the bash completion in place"
	for w in "EXIT STATUS" "hook install" "drift" "controls" "HINAGATA_PATH" "history" "report" ".B diff" ".B update"; do
		contains prefix/share/man/man1/hinagata.1 "$w" "the manual page covers $w"
	done
	complete_words() { # WORD... (the last one is being completed): the completions
		bash -c 'shopt -s extglob; . "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _hinagata;
			echo "${COMPREPLY[*]}"' prefix/share/bash-completion/completions/hinagata hinagata "$@"
	}
	tests=$((tests + 1))
	[ "$(complete_words dr)" = "drift" ] || fail "completion of a command: $(complete_words dr)"
	tests=$((tests + 1))
	[ "$(complete_words d)" = "diff drift" ] && [ "$(complete_words update --w)" = "--write" ] &&
		[ "$(complete_words diff --format '')" = "text json md" ] ||
		fail "completion of diff and update: $(complete_words d) / $(complete_words update --w)"
	tests=$((tests + 1))
	[ "$(complete_words drift --for)" = "--format" ] || fail "completion of an option: $(complete_words drift --for)"
	tests=$((tests + 1))
	[ "$(complete_words --lang ja drift --format '')" = "text json md sarif junit" ] ||
		fail "completion of drift's formats: $(complete_words --lang ja drift --format '')"
	tests=$((tests + 1))
	[ "$(complete_words controls --profile gc-a)" = "gc-aws gc-azure" ] ||
		fail "completion of profiles: $(complete_words controls --profile gc-a)"
	# Relocatable: the data is found beside the binary (bin/../share/hinagata).
	expect 0 "installed binary compiles the sample" prefix/bin/hinagata compile -o inst \
		"$top/samples/city-a/juki-prod.yaml"
fi

echo "$tests checks, $failures failures"
[ $failures = 0 ]
