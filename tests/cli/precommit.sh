#!/bin/sh
# precommit.sh: hinagata check as a commit gate, in a temporary git
# repository: through the real pre-commit framework using this repository's
# .pre-commit-hooks.yaml, and through the plain hook of `hinagata hook
# install`, which also shows that --staged checks the index, not the
# working tree.
# Usage: precommit.sh HINAGATA TOP
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
pass=0
check() {
	what=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $what"
		fail=1
	fi
}
for tool in git pre-commit; do
	command -v $tool >/dev/null 2>&1 || { echo "precommit: $tool is missing (scripts/setup-deps.sh --test)"; exit 1; }
done
# `hinagata` on PATH, as the hook's `language: system` entry expects.
mkdir -p "$work/bin"
ln -s "$hinagata" "$work/bin/hinagata"
PATH=$work/bin:$PATH
PRE_COMMIT_HOME=$work/pre-commit-cache
GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export PATH PRE_COMMIT_HOME GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL

good='hinagata: 1
template: t/app
version: 1.0.0
target: aws
resources:
  bucket:
    type: AWS::S3::Bucket
    properties:
      VersioningConfiguration: { Status: Enabled }'
bad=$(printf '%s\n' "$good" | sed 's/VersioningConfiguration: { Status: Enabled }/VersioningConfig: { Status: Enabled }/')

# ---- the pre-commit framework, with the hook this repository publishes ----
# pre-commit clones hooks from a git repository at a revision: a snapshot of
# this tree (its .pre-commit-hooks.yaml) committed into a scratch repository.
hooks=$work/hinagata-hooks
mkdir -p "$hooks"
cp "$top/.pre-commit-hooks.yaml" "$hooks/"
git -C "$hooks" init -q
git -C "$hooks" add .pre-commit-hooks.yaml
git -C "$hooks" commit -qm hooks
rev=$(git -C "$hooks" rev-parse HEAD)

repo=$work/repo
mkdir -p "$repo"
cd "$repo"
git init -q
cat >.pre-commit-config.yaml <<CFG
repos:
  - repo: $hooks
    rev: $rev
    hooks:
      - id: hinagata-check
CFG
git add .pre-commit-config.yaml
git commit -qm config
pre-commit install >/dev/null
printf '%s\n' "$bad" >app.yaml
git add app.yaml
set +e
git commit -qm "bad template" >"$work/out1" 2>&1
rc=$?
set -e
check "pre-commit refuses a commit with an unknown property" [ $rc != 0 ]
check "... naming the rule, file, line and column" grep -q 'app.yaml:9:7: error\[HG3002\]' "$work/out1"
check "... and the message" grep -q "AWS::S3::Bucket has no property 'VersioningConfig'" "$work/out1"
check "... the commit was not made" [ "$(git rev-list --count HEAD)" = 1 ]
printf '%s\n' "$good" >app.yaml
git add app.yaml
set +e
git commit -qm "good template" >"$work/out2" 2>&1
rc=$?
set -e
check "pre-commit lets a clean commit through ($(cat "$work/out2"))" [ $rc = 0 ]
check "... the commit was made" [ "$(git rev-list --count HEAD)" = 2 ]
# A vendor's hand-written CloudFormation with SSH open to the world.
cat >vendor.yaml <<'CFN'
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Admin:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: admin
      SecurityGroupIngress:
        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0 }
CFN
git add vendor.yaml
set +e
git commit -qm "vendor template" >"$work/out4" 2>&1
rc=$?
set -e
check "pre-commit refuses hand-written CloudFormation that opens SSH" [ $rc != 0 ]
check "... with the control ID, file, line and column" \
	grep -q 'vendor.yaml:8:64: error\[HG3100\]: GC-AWS-NET-02' "$work/out4"
sed 's|0.0.0.0/0|10.0.0.0/8|' vendor.yaml >v && mv v vendor.yaml
git add vendor.yaml
check "... and accepts it once fixed" git commit -qm "vendor template, fixed"

# ---- the plain hook, and --staged against the working tree ----
rm -f .git/hooks/pre-commit
"$hinagata" hook install >/dev/null 2>&1
check "hook install writes an executable hook" [ -x .git/hooks/pre-commit ]
printf '%s\n' "$bad" >app.yaml # the working tree is bad, the index still good
check "check --staged passes on a good index with a bad working tree" "$hinagata" check --staged
set +e
"$hinagata" check >/dev/null 2>&1
rc=$?
set -e
check "check (working tree) finds the bad file" [ $rc = 1 ]
git add app.yaml
printf '%s\n' "$good" >app.yaml # now the index is bad, the working tree good
set +e
git commit -qm "bad staged, good working tree" >"$work/out3" 2>&1
rc=$?
set -e
check "the plain hook refuses a bad index with a good working tree" [ $rc != 0 ]
check "... naming the rule" grep -q 'HG3002' "$work/out3"
printf '%s\n# reviewed\n' "$good" >app.yaml
git add app.yaml
check "the plain hook lets the fixed index through" git commit -qm fixed
# Test fixtures, deliberately broken, committed once .hinagata.yaml (as
# staged) leaves them out; the same file only in the working tree does not.
mkdir -p fixtures
printf '%s\n' "$bad" >fixtures/broken.yaml
git add fixtures/broken.yaml
printf 'check:\n  exclude: [fixtures]\n' >.hinagata.yaml
set +e
git commit -qm "a fixture, .hinagata.yaml not staged" >"$work/out5" 2>&1
rc=$?
set -e
check "the hook reads .hinagata.yaml from the index, not the working tree" [ $rc != 0 ]
git add .hinagata.yaml
check "a staged .hinagata.yaml leaves the fixtures out" git commit -qm "fixtures, excluded"
echo "#!/bin/sh" >.git/hooks/pre-commit
set +e
"$hinagata" hook install >/dev/null 2>&1
rc=$?
set -e
check "hook install keeps another hook without --force (exit 2: could not run)" [ $rc = 2 ]
check "... and replaces it with --force" sh -c "\"$hinagata\" hook install --force 2>/dev/null"
[ $fail = 0 ] && echo "precommit: $pass checks passed"
exit $fail
