#!/bin/sh
# history-deployed.sh: three-way drift in the history store. Nights of city
# A's sample exports, which carry the template the stack was deployed with
# (get-template-STACK.json), recorded as a nightly job would:
#   - the deployed template's hash is recorded per stack, equal to the drift
#     JSON report's deployedTemplates[].hash; `history deployments` lists
#     the nights it changed (a deployment), with the hash before;
#   - a change merged in git and not yet deployed (pending) opens no finding
#     and does not make drift exit 1; the same property changed in the cloud
#     against what was deployed (both) opens one;
#   - city B (Azure): deployedTemplates carries each deployment's templateHash
#     as az deployment sub|group list printed it, and the store keeps it;
#   - a store of schema version 2 (before deployed templates) is upgraded in
#     place when opened, and its runs stay.
# With `postgresql`, the stores are schemas of a PostgreSQL server the test
# starts (tests/pgserver.sh).
# Usage: history-deployed.sh HINAGATA TOP [sqlite|postgresql]
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
backend=${3:-sqlite}
work=$(mktemp -d)
. "$top/tests/pgserver.sh"
trap 'pg_stop; rm -rf "$work"' EXIT
cd "$work"
if [ "$backend" = postgresql ]; then
	pg_start "$work" || { echo "FAIL: no PostgreSQL server could be started"; exit 1; }
fi
store() { # NAME -> the target of a new store NAME
	if [ "$backend" = postgresql ]; then pg_store "$1"; else echo "$work/$1.db"; fi
}
h=$(store h)
hb=$(store hb)
export LC_ALL=C NO_COLOR=1 HINAGATA_PATH=
a=$top/samples/city-a
b=$top/samples/city-b
fail=0
pass=0
check() { # description command...
	what=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $what"
		fail=1
	fi
}
jq_is() { # file filter expected
	[ "$(jq -r "$2" "$1")" = "$3" ] || {
		echo "  $2 of $1: $(jq -r "$2" "$1"), expected $3"
		return 1
	}
}

"$hinagata" compile -o build "$a/juki-prod.yaml" >/dev/null 2>&1
tmpl=build/city-a/juki-prod.json
# git4.json: the log group's retention changed in git (3653 days), not deployed
python3 - "$tmpl" git4.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["Resources"]["AuditTrailLogGroup"]["Properties"]["RetentionInDays"] = 3653
json.dump(d, open(sys.argv[2], "w"), indent=2)
PY
night() { # name: the clean exports
	mkdir -p "state/$1"
	cp "$a"/exports-clean/*.json "state/$1/"
}
night n1
night n2
night n3 # deployed from another template: a tag the template in git has not
python3 - state/n3/get-template-city-a-juki-prod.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["TemplateBody"]["Resources"]["DocumentsBucket"]["Properties"].setdefault("Tags", []).append(
    {"Key": "deployed-by", "Value": "an earlier pipeline"})
json.dump(d, open(sys.argv[1], "w"), indent=2)
PY
night n4 # git ahead of the deployment: pending
night n5 # the same property also changed in the cloud: both
python3 - state/n5/list-AWS-Logs-LogGroup.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["ResourceDescriptions"]:
    p = json.loads(r["Properties"])
    if "RetentionInDays" in p and "trail" in r["Identifier"].lower():
        p["RetentionInDays"] = 30
        r["Properties"] = json.dumps(p)
json.dump(d, open(sys.argv[1], "w"), indent=2)
PY

rec() { # day template state [store]: drift recorded into $h (or store); exit status in rc
	rc=0
	"$hinagata" drift --history "${4:-$h}" --date "2026-12-$1" --template "$2" --state "state/$3" \
		--format json -o "report-$1.json" 2>"rec-$1.log" || rc=$?
}
rec 01 "$tmpl" n1
check "night 1: in sync, exit 0" [ "$rc" = 0 ]
rec 02 "$tmpl" n2
rec 03 "$tmpl" n3
check "night 3: a tag only the deployed template has is no difference between git and the cloud" [ "$rc" = 0 ]
rec 04 git4.json n4
check "night 4: pending only, exit 0" [ "$rc" = 0 ]
check "night 4: the report says pending" jq_is report-04.json \
	'[.. | objects | select(.path? == "/RetentionInDays") | .change] | join(",")' pending
rec 05 git4.json n5
check "night 5: both, exit 1" [ "$rc" = 1 ]
check "night 5: the report says both" jq_is report-05.json \
	'[.. | objects | select(.path? == "/RetentionInDays") | .change] | join(",")' both

"$hinagata" history --history "$h" deployments --format json -o dep.json
check "two deployments: night 1 (the first seen) and night 3" jq_is dep.json \
	'[.deployments[] | "\(.date) \(.unit) \(.previous != null)"] | join(";")' \
	"2026-12-01 city-a-juki-prod false;2026-12-03 city-a-juki-prod true;2026-12-04 city-a-juki-prod true"
check "the hash recorded is the drift report's" jq_is dep.json '.deployments[0].hash' \
	"$(jq -r '.deployedTemplates[0].hash' report-01.json)"
check "night 3's deployment follows night 1's template" jq_is dep.json '.deployments[1].previous' \
	"$(jq -r '.deployments[0].hash' dep.json)"
check "AWS: no templateHash" jq_is dep.json '.deployments[0].templateHash' null
"$hinagata" history --history "$h" deployments --month 2026-11 --format json -o none.json
check "no deployment in a month without runs" jq_is none.json '.deployments | length' 0
"$hinagata" --lang ja history --history "$h" deployments >dep.txt
check "a table in Japanese" grep -q 'スタック/デプロイ' dep.txt

"$hinagata" history --history "$h" runs --format json -o runs.json
check "night 4 (pending) opened no finding" jq_is runs.json '.runs[3].opened' 0
check "night 5 (both) opened one" jq_is runs.json '.runs[4].opened' 1
"$hinagata" history --history "$h" export -o findings.csv
check "the finding is the retention, as drift" grep -q '"drift".*"/RetentionInDays"' findings.csv

# ---- Azure: the deployments' templateHash ----
"$hinagata" drift --templates "$top/samples" --history "$hb" --date 2026-12-01 \
	--template "$b/juki-azure.yaml" --state "$b/exports-clean" --format json -o b.json 2>/dev/null
want=$(jq -r '.[] | select(.name == "city-b-juki") | .properties.templateHash' "$b/exports-clean/az-deployment-sub-list.json")
check "city B: deployedTemplates carries az's templateHash" jq_is b.json \
	'.deployedTemplates[] | select(.unit == "city-b-juki") | .templateHash' "$want"
"$hinagata" history --history "$hb" deployments --format json -o depb.json
check "city B: the store keeps it" jq_is depb.json \
	'.deployments[] | select(.unit == "city-b-juki") | .templateHash' "$want"
check "city B: the nested deployments too" jq_is depb.json '[.deployments[].unit] | sort | join(",")' \
	"Logs,Network,city-b-juki"

# ---- a store of schema version 2 is upgraded ----
# the same five nights in a store taken back to version 2
latest=$(ls "$top"/schemas/history/sqlite/[0-9][0-9][0-9][0-9]-*.sql | wc -l)
if [ "$backend" = postgresql ]; then
	old=$(store old)
	rec 01 "$tmpl" n1 "$old"
	rec 02 "$tmpl" n2 "$old"
	rec 03 "$tmpl" n3 "$old"
	rec 04 git4.json n4 "$old"
	rec 05 git4.json n5 "$old"
	pg_sql "ALTER TABLE old.run_unit DROP COLUMN deployed_hash; ALTER TABLE old.run_unit DROP COLUMN template_hash;
		DROP TABLE old.shard_result; UPDATE old.hinagata_store SET version = 2"
	version() { pg_sql "SELECT version FROM old.hinagata_store"; }
else
	old=$work/old.db
	cp h.db old.db
	python3 - old.db <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("ALTER TABLE run_unit DROP COLUMN deployed_hash")
c.execute("ALTER TABLE run_unit DROP COLUMN template_hash")
c.execute("DROP TABLE shard_result")  # schema version 4's
c.execute("PRAGMA user_version = 2")
c.commit()
PY
	version() { python3 -c "import sqlite3; print(sqlite3.connect('old.db').execute('PRAGMA user_version').fetchone()[0])"; }
fi
rc=0
"$hinagata" history --history "$old" deployments >/dev/null 2>old0.log || rc=$?
check "a version 2 store is not read before a recording upgrades it (HG7104)" \
	sh -c '[ "$1" = 2 ] && grep -q HG7104 old0.log' - "$rc"
rc=0
"$hinagata" drift --history "$old" --date 2026-12-06 --template "$tmpl" --state state/n1 >/dev/null 2>old.log || rc=$?
check "recording into it upgrades it" [ "$rc" = 0 ]
check "its schema is the newest, version $latest" [ "$(version)" = "$latest" ]
"$hinagata" history --history "$old" runs --format json -o oldruns.json
check "its runs stay" jq_is oldruns.json '.runs | length' 6
"$hinagata" history --history "$old" deployments --format json -o old1.json
check "and the new night's template is a deployment" jq_is old1.json '[.deployments[].date] | join(",")' 2026-12-06

# history import --templates: the newest version of a mandatory template is
# looked up on the search path the import is given (a new version the agency
# published, not yet in the bundled set), as drift --templates does
mkdir -p agency/aws
sed 's/^version: 1.1.0$/version: 1.2.0/' "$top/templates/aws/threat-detection.yaml" >agency/aws/threat-detection@1.2.0.yaml
"$hinagata" drift --today 2026-12-01 --template "$a/juki-prod.yaml" --state "$a/exports" --format json -o imp.json >/dev/null 2>&1 || true
hi1=$(store hi1)
hi2=$(store hi2)
"$hinagata" history --history "$hi1" import imp.json >/dev/null 2>&1
"$hinagata" history --history "$hi2" import --templates agency imp.json >/dev/null 2>&1
"$hinagata" report --history "$hi1" --format json -o imp1.json || [ $? = 1 ] # 1: open findings
"$hinagata" report --history "$hi2" --format json -o imp2.json || [ $? = 1 ]
sel='.templates[] | select(.template == "gc/aws/threat-detection") | "\(.version) \(.newest) \(.current)"'
check "import without --templates: the bundled 1.1.0 is the newest" jq_is imp1.json "$sel" "1.1.0 1.1.0 true"
check "import --templates DIR: 1.2.0 there is the newest, the account is behind" jq_is imp2.json "$sel" "1.1.0 1.2.0 false"

echo "history-deployed: $pass checks passed"
exit $fail
