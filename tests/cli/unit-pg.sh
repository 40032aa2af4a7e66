#!/bin/sh
# unit-pg.sh: run a unit test binary again with its history store on a real
# PostgreSQL server this script starts (tests/pgserver.sh: initdb in a
# temporary directory, 127.0.0.1 only) and stops, whatever happens. The test
# finds the server in HG_TEST_PG (tests/unit/test_history.c).
# Usage: unit-pg.sh TEST-BINARY TOP
set -eu
test_bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$2" && pwd)
work=$(mktemp -d)
. "$top/tests/pgserver.sh"
trap 'pg_stop; rm -rf "$work"' EXIT
pg_start "$work" || { echo "FAIL: no PostgreSQL server could be started"; exit 1; }
HG_TEST_PG=$PG_URL "$test_bin" --jobs 1
