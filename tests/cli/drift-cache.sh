#!/bin/sh
# drift-cache.sh: --cache gives the same report as a run without it, and a
# change anywhere (a record, a parameter, the template) is never hidden by it.
# Usage: drift-cache.sh HINAGATA TOP
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
python3 "$top/bench/gen-fleet.py" fleet 3 20
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
run() { # out-file [--cache] ; exit code in $rc
	out=$1
	shift
	set +e
	"$hinagata" drift "$@" --format json --today 2026-11-24 --template fleet/templates/*.json \
		--state fleet/exports >"$out" 2>"$out.err"
	rc=$?
	set -e
}
run plain.json
check "a clean fleet has no drift" [ "$rc" = 0 ]
run first.json --cache cache.json
check "first run with --cache: same report" cmp -s plain.json first.json
check "the cache remembers the three templates" \
	[ "$(grep -c '^t ' cache.json)" = 3 ]
run second.json --cache cache.json
check "rerun from the cache: same report" cmp -s plain.json second.json

# The text report (in-sync resources only counted) from the cache, twice.
"$hinagata" drift --template fleet/templates/*.json --state fleet/exports >text-plain.txt
"$hinagata" drift --cache text-cache.json --template fleet/templates/*.json --state fleet/exports >text-1.txt
"$hinagata" drift --cache text-cache.json --template fleet/templates/*.json --state fleet/exports >text-2.txt
check "text report: the same from the cache" cmp -s text-plain.txt text-2.txt
check "text report: every resource counted" grep -q '^summary: 60 resources: 60 in sync' text-2.txt
run mixed.json --cache text-cache.json
check "a JSON report from a cache a text run wrote: same report" cmp -s plain.json mixed.json

# A settled file's identity (device, inode, size, modification and change
# times) vouches for its bytes, as git's index does: a rerun does not read
# it. Files changed within 2 s of a run are hashed each time ("racily
# clean"), so the test lets them settle first.
sleep 3
run id1.json --cache cache.json
check "settled files: the same report" cmp -s plain.json id1.json
check "... their identities recorded (5 export files, 3 templates)" \
	[ "$(grep -c '^s ' cache.json)" = 8 ]
ino=$(stat -c %i cache.json)
run id2.json --cache cache.json
check "rerun on the identities: the same report" cmp -s plain.json id2.json
check "... and an unchanged cache not written again" [ "$(stat -c %i cache.json)" = "$ino" ]
# Other bytes of the same size, the modification time set back as it was:
# the change time (which no program sets) still tells.
cp -p fleet/exports/list-AWS-S3-Bucket.json s3.orig
s3ino=$(stat -c %i fleet/exports/list-AWS-S3-Bucket.json)
sed 's/\\"Status\\":\\"Enabled\\"/\\"Status\\":\\"Disable\\"/' s3.orig >s3.new
check "(the test changed one value, not the size)" \
	sh -c '! cmp -s s3.orig s3.new && [ "$(wc -c <s3.orig)" = "$(wc -c <s3.new)" ]'
cat s3.new >fleet/exports/list-AWS-S3-Bucket.json
touch -r s3.orig fleet/exports/list-AWS-S3-Bucket.json
check "(same inode, size and modification time)" \
	[ "$(stat -c '%i %s %y' fleet/exports/list-AWS-S3-Bucket.json)" = "$s3ino $(stat -c '%s %y' s3.orig)" ]
run id3.json --cache cache.json
rc3=$rc
run id3-plain.json
check "bytes changed in place under the same times: drift (exit 1, got $rc3)" [ "$rc3" = 1 ]
check "... the same report as without the cache" cmp -s id3.json id3-plain.json
check "... the changed value found" grep -q '"actual": "Disable"' id3.json
# The same bytes in a new file (a collector that rewrites everything): hashed, the same report.
cp s3.orig fleet/exports/list-AWS-S3-Bucket.json
cp fleet/exports/list-AWS-SQS-Queue.json q.json && mv q.json fleet/exports/list-AWS-SQS-Queue.json
run id4.json --cache cache.json
check "the same bytes in new files: the same report" cmp -s plain.json id4.json

# A record changes: the cache must not hide it.
python3 - <<'PY'
import json
p = "fleet/exports/list-AWS-S3-Bucket.json"
d = json.load(open(p))
props = json.loads(d["ResourceDescriptions"][3]["Properties"])
props["VersioningConfiguration"]["Status"] = "Suspended"
d["ResourceDescriptions"][3]["Properties"] = json.dumps(props)
json.dump(d, open(p, "w"), indent=4)
PY
run changed.json --cache cache.json
check "a changed record is drift despite the cache (exit 1)" [ "$rc" = 1 ]
run changed-plain.json
check "... and the same report as without the cache" cmp -s changed.json changed-plain.json
check "... at the right path" grep -q '"path": "/VersioningConfiguration/Status"' changed.json

# The template changes: the cache must not hide that either.
sed 's/"Enabled"/"Suspended"/' fleet/templates/fleet-002.json >t && mv t fleet/templates/fleet-002.json
run changed2.json --cache cache.json
run changed2-plain.json
check "a changed template: same report as without the cache" cmp -s changed2.json changed2-plain.json
check "a changed template is drift" [ "$rc" = 1 ]

# A cache from another version or a broken one is ignored, not trusted.
echo '{"version": 2, "compiler": "0.0.0", "verdicts": {}, "templates": {}}' >old.json
run old.out --cache old.json
check "a cache of another version is ignored" cmp -s old.out changed2-plain.json
echo 'not json' >broken.json
run broken.out --cache broken.json
check "a broken cache is ignored" cmp -s broken.out changed2-plain.json
# What a cache line holds is checked when it is used: damaged lines are not trusted.
sed '1s/^hinagata-drift-cache [0-9]* /hinagata-drift-cache 4 /' cache.json >v4.json
run v4.out --cache v4.json
check "a cache of an older format is ignored" cmp -s v4.out changed2-plain.json
head -c "$(($(wc -c <cache.json) / 2))" cache.json >half.json
run half.out --cache half.json
check "a cache cut in the middle of a line: same report" cmp -s half.out changed2-plain.json
sed '/^[bfts] /s/|/%/4' cache.json >damaged.json
run damaged.out --cache damaged.json
check "a cache whose every entry is damaged: same report" cmp -s damaged.out changed2-plain.json
# The report to a file (-o) and the cache are written in the same run.
set +e
"$hinagata" drift --format json --today 2026-11-24 --cache both-cache.json -o both.json \
	--template fleet/templates/*.json --state fleet/exports 2>both.err
rc=$?
set -e
check "-o and --cache together: exit 1, the drift (got $rc: $(cat both.err))" [ "$rc" = 1 ]
check "... the report" cmp -s both.json changed2-plain.json
check "... and the cache, both written" [ "$(grep -c '^t ' both-cache.json)" = 3 ]
# A cache that cannot be saved (here: larger than the file size limit, 5 KB):
# the report stands, the run exits 2 and says why, and no part of a cache is left.
"$hinagata" drift --today 2026-11-24 --template fleet/templates/*.json --state fleet/exports \
	>small-plain.txt 2>/dev/null || true
set +e
(
	trap '' XFSZ
	ulimit -f 10
	"$hinagata" drift --today 2026-11-24 --cache big/cache.json --template fleet/templates/*.json \
		--state fleet/exports >small.txt 2>small.err
)
rc=$?
set -e
check "a cache that cannot be written: exit 2 (got $rc)" [ "$rc" = 2 ]
check "... the report written all the same" cmp -s small.txt small-plain.txt
check "... and why" grep -q 'HG9002.*big/cache.json' small.err
check "... and nothing of the cache left" [ -z "$(ls -A big)" ]
[ $fail = 0 ] && echo "drift-cache: $pass checks passed"
exit $fail
