#!/bin/sh
# shards.sh: a fleet's nights run whole and as shards give the same history.
#
# A fleet of four AWS accounts (city A's exports) and two Azure
# subscriptions (city B's), collected every night by the collectors from
# fake aws and az commands (tests/cli/fake-aws.sh, fake-az.sh), is compared
# by hinagata drift unsharded, and as 2 and as 3 shards chosen by
# --shard I/N, by JOB_COMPLETION_INDEX/JOB_COMPLETIONS (a Kubernetes Indexed
# Job) and by AWS_BATCH_JOB_ARRAY_INDEX/AWS_BATCH_JOB_ARRAY_SIZE (an AWS Batch
# array job), over three nights in which drift appears, is fixed (an
# unmanaged bucket and an unmanaged public IP deleted: resolved only where
# the shard that listed them says so) and comes back. Each way's results go
# into a store of its own: imported in order, in reverse, shuffled, twice,
# at the same time from three processes, and recorded by drift --shard
# --history itself. Every store must hold the unsharded store's history:
# the same runs (their labels aside), findings, statuses, events of every
# finding, and byte for byte the same monthly report (JSON, and Markdown and
# HTML in English and Japanese). A night one shard never reaches is recorded
# with the others before the next night (HG7113) and resolves nothing in
# the missing shard's accounts; a shard's other result for a night already
# recorded is refused (HG7112).
# With `postgresql`, every store is a schema of a PostgreSQL server the test
# starts (tests/pgserver.sh), and the reports must also be the bytes the
# same unsharded nights give on SQLite.
# Usage: shards.sh HINAGATA TOP [sqlite|postgresql]
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
backend=${3:-sqlite}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
. "$top/tests/pgserver.sh"
if [ -n "${KEEP:-}" ]; then echo "work: $work"; trap pg_stop EXIT; else trap 'pg_stop; rm -rf "$work"' EXIT; fi
cd "$work"
export LC_ALL=C NO_COLOR=1 HINAGATA_PATH=
unset JOB_COMPLETION_INDEX JOB_COMPLETIONS AWS_BATCH_JOB_ARRAY_INDEX AWS_BATCH_JOB_ARRAY_SIZE
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
command -v jq >/dev/null 2>&1 || { echo "shards: jq is missing (scripts/setup-deps.sh --test)"; exit 1; }
if [ "$backend" = postgresql ]; then
	pg_start "$work" || { echo "FAIL: no PostgreSQL server could be started"; exit 1; }
fi

# store NAME: make store NAME (empty) and remember its target in targets/NAME.
mkdir targets
store() {
	if [ "$backend" = postgresql ]; then
		pg_store "$1" >"targets/$1"
	else
		echo "$work/$1.db" >"targets/$1"
	fi
}
target() { cat "targets/$1"; }

# ---- the fleet ----
A1=100000000001 A2=100000000002 A3=100000000003 A4=100000000004
S1=8c3f2a1e-5b7d-4e9a-9f0c-2d4b6a8e1c3f # city B's recorded subscription
S2=11111111-2222-4333-8444-555555555555
. "$here/fake-aws.sh"
. "$here/fake-az.sh"
# city B without its unmanaged public IP (pip-debug, deleted by hand)
mkdir cityb-nopip
cp "$top"/samples/city-b/exports/*.json cityb-nopip/
python3 - cityb-nopip <<'PY'
import json, os, sys
d = sys.argv[1]
gone = lambda r: r.get("name") == "pip-debug"
for f in sorted(os.listdir(d)):
    p = os.path.join(d, f)
    doc = json.load(open(p))
    if f.startswith("az-resource-show-") and gone(doc):
        os.remove(p)
    elif f.startswith("az-resource-list-"):
        json.dump([r for r in doc if not gone(r)], open(p, "w"), indent=2)
PY
aws_is() { # ACCOUNT exports|exports-clean
	rm -rf "cloud/$1"
	fake_aws_account "$work" "$top" "$1" "$2"
	[ "$1" = "$A1" ] || return 0
	# A1's second region: no stack, an Internet Gateway made by hand (until
	# igw=gone: then its listing is empty)
	mkdir -p "cloud/$A1/ap-northeast-3"
	[ "${igw:-}" = gone ] && return 0
	cat >"cloud/$A1/ap-northeast-3/list-AWS-EC2-InternetGateway.json" <<'IGW'
{"TypeName": "AWS::EC2::InternetGateway", "ResourceDescriptions": [
  {"Identifier": "igw-0handmade", "Properties": "{\"InternetGatewayId\":\"igw-0handmade\"}"}]}
IGW
}
az_is() { # SUBSCRIPTION DIR
	rm -rf "azcloud/$1"
	fake_az_subscription "$work" "$top" "$1" "$2"
}
cp "$top/samples/city-a/juki-prod.yaml" "$top/samples/city-b/juki-azure.yaml" .
cat >fleet.yaml <<EOF
fleet: 1
name: shards-test
aws:
  regions: [ap-northeast-1]
  credentials: { role: "arn:aws:iam::{account}:role/HinagataReadOnly" }
  stacks:
    - { name: city-a-juki-prod, template: juki-prod.yaml }
  accounts:
    - { account: "$A1", name: city-a, regions: [ap-northeast-1, ap-northeast-3] }
    - { account: "$A2", name: city-c }
    - { account: "$A3", name: city-e }
    - { account: "$A4", name: city-f }
azure:
  deployments:
    - { name: city-b-juki, template: juki-azure.yaml }
  subscriptions:
    - { subscription: $S1, name: city-b, resource_groups: [rg-city-b-juki, NetworkWatcherRG] }
    - { subscription: $S2, name: city-d }
EOF
PATH=$work/bin:$PATH
HINAGATA=$hinagata
HINAGATA_COLLECT_BACKOFF=0
HINAGATA_COLLECT_JOBS=3 # the collectors' units three at a time (collect-fleet.sh: the same state)
export PATH HINAGATA HINAGATA_COLLECT_BACKOFF HINAGATA_COLLECT_JOBS

# night N DATE: collect the fleet as it is into state-N, then compare it
# whole (u-N.json) and as shards: f (--shard), k (Kubernetes), b (AWS
# Batch), 2 and 3 of them (f2-N-I.json ...).
drift_to() { # out shard-flag-or-"" [VAR=VALUE]...
	d_out=$1
	d_flag=$2
	shift 2
	set +e
	env "$@" "$hinagata" drift --today "$date" --format json --templates "$top/samples" \
		--template juki-prod.yaml --template juki-azure.yaml --state "state-$n" ${d_flag:+--shard "$d_flag"} \
		>"$d_out" 2>"$d_out.err"
	d_rc=$?
	set -e
	[ $d_rc -le 1 ] || { echo "FAIL: drift $d_out: exit $d_rc"; cat "$d_out.err"; fail=1; }
}
night() { # N DATE
	n=$1
	date=$2
	fake_aws_bin "$work"
	fake_az_bin "$work"
	set +e
	"$top/scripts/hinagata-collect-aws" --manifest fleet.yaml -o "state-$n" 2>"collect-$n.err" &&
		HINAGATA_PATH=$top/samples "$top/scripts/hinagata-collect-azure" --manifest fleet.yaml -o "state-$n" \
			2>>"collect-$n.err"
	c_rc=$?
	set -e
	check "night $n: the fleet is collected (exit $c_rc)" [ $c_rc = 0 ]
	drift_to "u-$n.json" ""
	for k in 2 3; do
		i=1
		while [ $i -le $k ]; do
			drift_to "f$k-$n-$i.json" "$i/$k"
			drift_to "k$k-$n-$i.json" "" JOB_COMPLETION_INDEX=$((i - 1)) JOB_COMPLETIONS=$k
			drift_to "b$k-$n-$i.json" "" AWS_BATCH_JOB_ARRAY_INDEX=$((i - 1)) AWS_BATCH_JOB_ARRAY_SIZE=$k
			i=$((i + 1))
		done
	done
}

# imp NAME FILE...: history import of FILE... into store NAME, one call
# (with drift's template search path: the history names the newest versions).
imp() {
	i_store=$1
	shift
	set +e
	HINAGATA_PATH=$top/samples "$hinagata" history --history "$(target "$i_store")" import "$@" 2>>"imp-$i_store.err"
	i_rc=$?
	set -e
	[ $i_rc = 0 ] || { echo "FAIL: import into $i_store of $*: exit $i_rc"; tail -n 3 "imp-$i_store.err"; fail=1; }
}

# record N: night N's results into every store, each its own way.
record() {
	imp u "u-$n.json"
	imp f2 "f2-$n-1.json" "f2-$n-2.json"                          # in order
	imp k2 "k2-$n-2.json"                                        # in reverse,
	imp k2 "k2-$n-1.json"                                        # one call each
	imp b2 "b2-$n-2.json" "b2-$n-2.json" "b2-$n-1.json" "b2-$n-1.json" # each twice
	imp f3 "f3-$n-3.json" "f3-$n-1.json" "f3-$n-2.json"           # shuffled
	imp b3 "b3-$n-2.json"
	imp b3 "b3-$n-3.json" "b3-$n-2.json"                          # 2 again, while it waits
	imp b3 "b3-$n-1.json" "b3-$n-3.json"                          # 3 again, once recorded
	# three workers importing their shards at the same time
	for i in 1 2 3; do
		HINAGATA_PATH=$top/samples "$hinagata" history --history "$(target k3)" import "k3-$n-$i.json" \
			2>"imp-k3-$n-$i.err" &
		eval "pid$i=\$!"
	done
	for i in 1 2 3; do
		eval "pid=\$pid$i"
		set +e
		wait "$pid"
		w_rc=$?
		set -e
		check "night $n: worker $i of 3 imported at the same time as the others (exit $w_rc)" [ $w_rc = 0 ]
	done
	# drift --shard recording its shard itself, in the order 2, 3, 1
	for i in 2 3 1; do
		set +e
		"$hinagata" drift --today "$date" --history "$(target d3)" --date "$date" --templates "$top/samples" \
			--template juki-prod.yaml --template juki-azure.yaml --state "state-$n" --shard "$i/3" \
			>/dev/null 2>"d3-$n-$i.err"
		d_rc=$?
		set -e
		check "night $n: drift --shard $i/3 --history records its shard (exit $d_rc)" [ $d_rc -le 1 ]
	done
}

for s in u f2 k2 b2 f3 k3 b3 d3 m; do store $s; done

# Night 1: city A's four drifts (a bucket made by hand among them) in A1,
# the others clean; city B's drifts (a public IP made by hand) in S1 and S2.
aws_is $A1 exports
for a in $A2 $A3 $A4; do aws_is $a exports-clean; done
az_is $S1 "$top/samples/city-b/exports"
az_is $S2 "$top/samples/city-b/exports"
night 1 2026-12-01
check "the engines' variables pick the shards --shard picks (byte for byte)" sh -c '
	for f in f2-1-*.json f3-1-*.json; do
		cmp -s "$f" "k${f#f}" && cmp -s "$f" "b${f#f}" || exit 1
	done'
check "the shards hold the unsharded run's units between them" python3 - <<'PY'
import json, sys
u = json.load(open("u-1.json"))["summary"]["units"]
ok = u == 7
for k in (2, 3):
    ok = ok and sum(json.load(open("f%d-1-%d.json" % (k, i)))["summary"]["units"] for i in range(1, k + 1)) == u
sys.exit(not ok)
PY
record
# the shard run of a night already recorded, its result made again: refused
printf '\n' | cat f3-1-1.json - >f3-1-1-again.json
imp f3 f3-1-1-again.json
check "a shard's other result for a night recorded: HG7112, nothing recorded" \
	grep -q 'warning\[HG7112\]: shard 1/3 of the drift night 2026-12-01 was recorded already (run 1)' imp-f3.err
# the missing-shard store: every shard of night 1
imp m f3-1-1.json f3-1-2.json f3-1-3.json

# Night 2: A1 fixed (its bucket deleted), A3 drifted; S1's public IP deleted.
aws_is $A1 exports-clean
aws_is $A3 exports
az_is $S1 cityb-nopip
night 2 2026-12-02
record
# The missing-shard store gets night 2 without the shard that holds A1 in
# ap-northeast-1; another shard holds A1 in ap-northeast-3 (the assignment
# is a known answer that never changes): A1 is checked that night, but its
# bucket's region was not listed.
miss="" other=""
for i in 1 2 3; do
	"$hinagata" fleet plan --format json --shard "$i/3" fleet.yaml | jq -r '.units[].dir' >"plan3-$i"
	! grep -qx "$A1/ap-northeast-1" "plan3-$i" || miss=$i
	! grep -qx "$A1/ap-northeast-3" "plan3-$i" || other=$i
done
check "A1's two regions are in two of the three shards ($miss, $other)" [ -n "$miss" -a -n "$other" -a "$miss" != "$other" ]
for i in 1 2 3; do [ "$i" = "$miss" ] || imp m "f3-2-$i.json"; done

# Night 3: A1's drifts come back; its Internet Gateway is deleted (the last
# one of A1 in ap-northeast-3: an empty listing says so).
igw=gone
aws_is $A1 exports
night 3 2026-12-03
record
: >imp-m.err
imp m f3-3-1.json f3-3-2.json f3-3-3.json


# ---- what each store holds ----
# history NAME: the runs (labels aside: they name the files), every finding,
# every finding's events, into NAME.history; the monthly reports into
# NAME.report.{json,en.md,ja.md,en.html,ja.html}.
history() {
	h_t=$(target "$1")
	"$hinagata" history --history "$h_t" runs --format json | jq -S 'del(.runs[].label)' >"$1.runs"
	"$hinagata" history --history "$h_t" export >"$1.csv"
	{
		cat "$1.runs" "$1.csv"
		# shellcheck disable=SC2046 # the IDs: hexadecimal digits
		"$hinagata" history --history "$h_t" show --format json $(sed 1d "$1.csv" | cut -d, -f1 | tr -d '"')
	} >"$1.history"
	for f in json en.md ja.md en.html ja.html; do
		set +e
		"$hinagata" --lang "${f%.*}" report --history "$h_t" --month 2026-12 --format "${f#*.}" \
			-o "$1.report.$f" 2>/dev/null
		set -e
	done
	"$hinagata" report --history "$h_t" --month 2026-12 --format json -o "$1.report.json" 2>/dev/null || :
}
history u
status() { # account resource control-or-aspect store -> its status
	python3 - "$4.csv" "$1" "$2" "$3" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))
        if r["account"] == sys.argv[2] and r["resource"] == sys.argv[3] and sys.argv[4] in (r["aspect"], r["control"])]
print(rows[0]["status"] if len(rows) == 1 else "missing(%d)" % len(rows))
PY
}
expect() { # account resource control-or-aspect status [store]
	got=$(status "$1" "$2" "$3" "${5:-u}")
	check "${5:-u}: $2 $3 in $1 is $4 (got $got)" [ "$got" = "$4" ]
}
bucket=city-a-juki-tmp-export
pip=/subscriptions/$S1/resourceGroups/rg-city-b-juki/providers/Microsoft.Network/publicIPAddresses/pip-debug
pip2=$(echo "$pip" | sed "s/$S1/$S2/")
check "three nights, one drift run each" [ "$(jq -c '[.runs[] | [.source, .date]]' u.runs)" = \
	'[["drift","2026-12-01"],["drift","2026-12-02"],["drift","2026-12-03"]]' ]
expect $A1 "$bucket" UNMANAGED reopened      # found, deleted (A1's listing), back
expect $A1 city-a-juki-prod/AuditTrail GC-AWS-LOG-02 reopened
expect $A3 city-a-juki-prod/AuditTrail GC-AWS-LOG-02 open
expect $S1 "$pip" UNMANAGED resolved         # deleted: S1's listing says so
expect $A1 igw-0handmade UNMANAGED resolved  # the listing is empty: none left
expect $S2 "$pip2" UNMANAGED open
check "u: A3's trail drift, new on night 2, is open" python3 - u.csv <<PY
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["account"] == "$A3"
        and r["aspect"] == "/EnableLogFileValidation"]
sys.exit(not (len(rows) == 1 and rows[0]["status"] == "open" and rows[0]["first_seen"] == "2026-12-02"))
PY

for s in f2 k2 b2 f3 k3 b3 d3; do
	history "$s"
	check "$s: the same runs, findings, statuses and events as the unsharded nights" cmp -s u.history "$s.history"
	for f in json en.md ja.md en.html ja.html; do
		check "$s: the same monthly report ($f)" cmp -s u.report.$f "$s.report.$f"
	done
done
[ $fail = 0 ] || diff u.history f3.history | head -20

# ---- a shard that never came ----
check "a night recorded without shard $miss of 3: HG7113 names it" \
	grep -q "warning\[HG7113\]: the drift night 2026-12-02 is recorded with 2 of its 3 shards (missing: $miss): the missing shards' accounts were not checked that night" imp-m.err
history m
# A1's bucket and trail were fixed on night 2, in the shard that never came:
# not resolved (fail closed), so still open when they come back on night 3.
expect $A1 "$bucket" UNMANAGED open m       # A1 in ap-northeast-3 vouches for no other region
expect $A1 igw-0handmade UNMANAGED resolved m
check "m: A1's Internet Gateway (ap-northeast-3, shard $other) was seen on nights 1 and 2" python3 - m.csv <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["resource"] == "igw-0handmade" and r["aspect"] == "UNMANAGED"]
sys.exit(not (len(rows) == 1 and rows[0]["seen"] == "2" and rows[0]["last_seen"] == "2026-12-02"))
PY
expect $A1 city-a-juki-prod/AuditTrail GC-AWS-LOG-02 open m
expect $S1 "$pip" UNMANAGED resolved m
check "m: three drift runs, night 2's over fewer accounts" python3 - u.runs m.runs <<'PY'
import json, sys
u, m = json.load(open(sys.argv[1]))["runs"], json.load(open(sys.argv[2]))["runs"]
sys.exit(not (len(m) == 3 and m[1]["accounts"] < u[1]["accounts"] and m[0] == u[0]))
PY

# ---- the same bytes on every backend ----
if [ "$backend" = postgresql ]; then
	echo "$work/sqlite-u.db" >targets/sqlite-u
	for i in 1 2 3; do imp sqlite-u "u-$i.json"; done
	history sqlite-u
	check "PostgreSQL holds the history SQLite holds" cmp -s sqlite-u.history u.history
	for f in json en.md ja.md en.html ja.html; do
		check "PostgreSQL's monthly report ($f) is SQLite's" cmp -s sqlite-u.report.$f u.report.$f
	done
fi

echo "shards ($backend): $pass checks passed"
exit $fail
