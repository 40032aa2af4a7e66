#!/bin/sh
# golden-pg.sh: the golden cases of the history store again, on PostgreSQL.
# Every case under tests/golden/ whose command names the store h.db runs
# with the store in a schema of a PostgreSQL server this script starts
# (tests/pgserver.sh: initdb in a temporary directory, 127.0.0.1 only):
# h.db becomes that schema's target in the case's command, its setup
# (tests/cli/history-store.py makes the same stores there) and its expected
# output, which must otherwise be the same bytes and exit code as on SQLite.
# Cases about a file (a directory in the way, a file that is no database)
# have no PostgreSQL form; the driver's own tests cover what differs
# (tests/unit/test_history.c under tests/cli/unit-pg.sh). Then: a password
# in the target is masked in every message, and libpq is loaded only when
# a PostgreSQL store is opened.
# Usage: golden-pg.sh HINAGATA TOP
set -eu
hinagata=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
work=$(mktemp -d)
. "$top/tests/pgserver.sh"
trap 'pg_stop; rm -rf "$work"' EXIT
pg_start "$work" || { echo "FAIL: no PostgreSQL server could be started"; exit 1; }
fail=0
n=0
for dir in "$top"/tests/golden/*/; do
	name=$(basename "$dir")
	[ -f "$dir/cmd" ] && grep -q -- '--history h\.db' "$dir/cmd" || continue
	case $name in hg7104-*) continue ;; esac # a directory in the way of a file
	schema=$(echo "$name" | tr -- '-' '_')
	target=$(pg_store "$schema")
	copy=$work/cases/$name
	mkdir -p "$copy"
	cp -R "$dir". "$copy"/
	# h.db -> the schema's target, wherever the case names it
	python3 - "$copy" "$target" <<'PY'
import os, sys
d, target = sys.argv[1:]
for f in sorted(os.listdir(d)):
    if f in ("cmd", "setup") or f.startswith("expected.") and not f.endswith(".exit"):
        p = os.path.join(d, f)
        text = open(p, encoding="utf-8").read()
        open(p, "w", encoding="utf-8").write(text.replace("h.db", target))
PY
	n=$((n + 1))
	if ! sh "$top/tests/golden/run.sh" "$hinagata" "$copy"; then
		echo "FAIL: $name on PostgreSQL"
		fail=1
	fi
done
[ $n -ge 10 ] || { echo "FAIL: only $n history golden cases found"; fail=1; }

# A password in the target is never printed: the server trusts the user
# (tests/pgserver.sh), so the target works with any password; every
# message names it masked, whatever the command and whether it worked.
secret=s3cr3t-Pa55word
masked=$(pg_store masked | sed "s#://hinagata@#://hinagata:$secret@#")
cd "$work"
# "+": the command names its store (it recorded, or says why it could not)
# (@IN@: an input of its own per language, so that each records)
for cmd in "+history --history $masked import @IN@" \
	"-history --history $masked import $top/samples/city-a/securityhub/get-findings.json" \
	"-history --history $masked runs" "-report --history $masked --month 2026-12 --format md" \
	"+report --history $masked --month 2026-01" "+history --history $masked show 0000" \
	"+history --history postgresql://hinagata:$secret@127.0.0.1:1/none runs" \
	"+drift --history $masked --date 2026-12-16 --template $top/samples/city-a/juki-prod.yaml --state $top/samples/city-a/exports"; do
	names=${cmd%%[a-z]*}
	cmd=${cmd#?}
	for lang in en ja; do
		set +e
		# shellcheck disable=SC2086
		in=$top/samples/city-a/securityhub/get-findings.json
		[ $lang = en ] || in=$top/samples/city-b/defender/assessments.json
		HINAGATA_PATH= "$hinagata" --lang $lang $(echo "$cmd" | sed "s#@IN@#$in#") >out.txt 2>err.txt
		set -e
		if grep -q "$secret" out.txt err.txt; then
			echo "FAIL: the password is printed by hinagata $cmd ($lang):"
			grep "$secret" out.txt err.txt | head -3
			fail=1
		elif [ "$names" = + ] && ! grep -q 'postgresql://hinagata:\*\*\*\*@' err.txt; then
			echo "FAIL: hinagata $cmd ($lang) does not name its store (masked):"
			head -3 err.txt
			fail=1
		fi
	done
done

# libpq is loaded only when a PostgreSQL store is opened: the binary does
# not need it (every other run skips loading it and its dependencies),
# and a libpq that cannot be loaded is HG7104 with the reason, exit 2,
# the password still masked.
if readelf -d "$hinagata" | grep NEEDED | grep -q libpq; then
	echo "FAIL: hinagata is linked with libpq (it is to be loaded when a PostgreSQL store is opened)"
	fail=1
fi
for lang in en ja; do
	set +e
	HINAGATA_LIBPQ=$work/no/libpq.so.5 "$hinagata" --lang $lang history --history "$masked" runs \
		>out.txt 2>err.txt
	rc=$?
	set -e
	case $lang in
	en) want="error[HG7104]: history postgresql://hinagata:****@" why="a PostgreSQL store needs libpq, which could not be loaded (install Debian's libpq5): $work/no/libpq.so.5: cannot open shared object file" ;;
	ja) want="エラー[HG7104]: 履歴 postgresql://hinagata:****@" why="PostgreSQL の履歴には libpq が必要ですが、読み込めませんでした (Debian の libpq5 をインストールしてください): $work/no/libpq.so.5: cannot open shared object file" ;;
	esac
	if [ $rc != 2 ] || ! grep -qF "$want" err.txt || ! grep -qF "$why" err.txt || grep -q "$secret" out.txt err.txt; then
		echo "FAIL: libpq not loadable ($lang): exit $rc, expected 2 and HG7104:"
		head -3 err.txt
		fail=1
	fi
done
[ $fail = 0 ] && echo "golden-pg: $n history golden cases pass on PostgreSQL"
exit $fail
