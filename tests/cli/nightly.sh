#!/bin/sh
# nightly.sh: deploy/hinagata-nightly, the worker every batch engine runs,
# over a fleet of three AWS accounts (fake aws; one account drifted, city A's
# four injected drifts): the whole fleet in one worker, then as two shards
# by the Kubernetes variables and as three by AWS Batch's. Each shard writes
# one result file (a shard without accounts too); together they hold exactly
# the unsharded run's results, and imported into a history store by the
# workers they make the unsharded night's history and monthly report.
# The templates and the manifest come from a git repository at a revision,
# not from its working tree. A worker whose account cannot be collected
# still compares the others, and exits 2.
# Usage: nightly.sh HINAGATA TOP
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail=0
pass=0
check() { # what command...
	what=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $what"
		fail=1
	fi
}
command -v git >/dev/null 2>&1 && command -v jq >/dev/null 2>&1 ||
	{ echo "nightly: git and jq are needed (scripts/setup-deps.sh --test)"; exit 1; }

. "$here/fake-aws.sh"
fake_aws_account "$work" "$top" 100000000001 exports # city A's four drifts
for acc in 100000000002 100000000003; do
	fake_aws_account "$work" "$top" $acc
done
fake_aws_bin "$work"

# the operator's repository: templates and the manifest, committed
git init -q repo
cp "$top/samples/city-a/juki-prod.yaml" repo/
cat >repo/fleet.yaml <<'EOF'
fleet: 1
name: nightly-test
aws:
  regions: [ap-northeast-1]
  credentials: { role: "arn:aws:iam::{account}:role/HinagataReadOnly" }
  types: [AWS::EC2::InternetGateway]
  stacks:
    - { name: city-a-juki-prod, template: juki-prod.yaml }
  accounts:
    - { account: "100000000001", name: city-a }
    - { account: "100000000002", name: city-b }
    - { account: "100000000003", name: city-c }
EOF
git -C repo add . && git -C repo -c user.name=t -c user.email=t@example.jp commit -qm fleet
echo "broken: [" >>repo/juki-prod.yaml # the working tree is not what is compared

PATH=$work/bin:$top/scripts:$PATH
HINAGATA=$hinagata
HINAGATA_REPO=$work/repo
HINAGATA_REF=main
HINAGATA_DATE=2026-11-24
HINAGATA_COLLECT_BACKOFF=0
export PATH HINAGATA HINAGATA_REPO HINAGATA_REF HINAGATA_DATE HINAGATA_COLLECT_BACKOFF
git -C repo branch -M main

worker() { # results-dir env... : one worker; its exit status in $rc
	r=$1
	shift
	set +e
	env HINAGATA_RESULTS="$work/$r" HINAGATA_WORK="$work/w-$r-$$-$(date +%s%N)" \
		HINAGATA_HISTORY="$work/$r.db" HINAGATA_PATH= "$@" \
		sh "$top/deploy/hinagata-nightly" 2>>"$work/$r.err"
	rc=$?
	set -e
}
results() { # the results of result files, one per line, sorted
	python3 - "$@" <<'PY'
import json, sys
out = []
for p in sys.argv[1:]:
    for r in json.load(open(p))["resources"]:
        r["source"] = r["source"].split("/")[-1]
        out.append(json.dumps(r, sort_keys=True))
print("\n".join(sorted(out)))
PY
}

worker all
check "the whole fleet in one worker: exit 0 with drift found (got $rc: $(tail -n 3 all.err))" [ $rc = 0 ]
check "one result file, named by date and shard" [ "$(ls all)" = "drift-2026-11-24-shard-1-of-1.json" ]
check "... three accounts, the drifted one's four drifts in it" python3 -c "
import json, sys
d = json.load(open('all/drift-2026-11-24-shard-1-of-1.json'))
drift = [r['account'] for r in d['resources'] if r['drift']]
sys.exit(not (d['summary']['units'] == 3 and drift == ['100000000001'] * 4))"
results all/*.json >all.txt

for engine in k8s-2 batch-3; do
	n=${engine#*-}
	i=0
	while [ $i -lt $n ]; do
		if [ "$engine" = k8s-2 ]; then
			worker $engine JOB_COMPLETION_INDEX=$i JOB_COMPLETIONS=$n
		else
			worker $engine AWS_BATCH_JOB_ARRAY_INDEX=$i AWS_BATCH_JOB_ARRAY_SIZE=$n
		fi
		check "$engine: worker $i: exit 0" [ $rc = 0 ]
		i=$((i + 1))
	done
	check "$engine: a result file per shard, named by it" sh -c \
		"ls $engine | grep -v -E '^drift-2026-11-24-shard-[1-$n]-of-$n.json\$' | grep -q . && exit 1; [ \"\$(ls $engine | wc -l)\" = $n ]"
	results "$engine"/*.json >"$engine.txt"
	check "$engine: the shards hold exactly the unsharded run's results" cmp -s all.txt "$engine.txt"
	# what the workers imported: the night is one run, the unsharded night's
	for db in all "$engine"; do
		{
			"$hinagata" history --history "$db.db" runs --format json | jq -S 'del(.runs[].label)'
			"$hinagata" history --history "$db.db" export
		} >"$db.history"
	done
	check "$engine: the workers imported the unsharded night's history (runs, findings)" \
		sh -c "grep -q '\"date\": \"2026-11-24\"' all.history && cmp -s all.history $engine.history"
	"$hinagata" report --history all.db --month 2026-11 --format md -o all.md || :
	"$hinagata" report --history "$engine.db" --month 2026-11 --format md -o "$engine.md" || :
	check "$engine: ... and so is its monthly report" sh -c "[ -s all.md ] && cmp -s all.md $engine.md"
done

# an account that cannot be collected: the others are compared, exit 2
mkdir -p fake && echo 100000000003 >fake/deny
worker denied
check "a worker with an account it cannot collect: exit 2 (got $rc)" [ $rc = 2 ]
check "... the others compared and written" sh -c \
	"[ \"\$(jq '[.resources[].account] | unique' denied/drift-2026-11-24-shard-1-of-1.json -c)\" = '[\"100000000001\",\"100000000002\"]' ]"
check "... and said which" grep -q '100000000003/ap-northeast-1: FAILED' denied.err

[ $fail = 0 ] && echo "nightly: $pass checks passed"
exit $fail
