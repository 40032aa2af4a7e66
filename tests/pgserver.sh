# pgserver.sh: sourced by the tests that need a real PostgreSQL server. It
# starts a throwaway one of Debian's postgresql: initdb in a temporary
# directory, listening on 127.0.0.1 only (a free port) and a socket in that
# directory, trust authentication for a user hinagata, fsync off (the data
# is thrown away); and stops it.
#
#   pg_start DIR      start a server whose data and socket are under DIR;
#                     sets PG_URL (postgresql://hinagata@127.0.0.1:PORT/hinagata)
#                     and PG_CTL_STOP (the command that stops it)
#   pg_stop           stop it (call it from the caller's EXIT trap)
#   pg_sql SQL        run SQL on it (psql, stops at the first error)
#   pg_store NAME     a new empty schema NAME: prints the target of a
#                     history store in it (PG_URL with its search_path)
#
# initdb and the server refuse to run as root: as root, they run as the
# postgres user Debian's package creates (or nobody), who owns DIR/pg.
# Debian keeps the server programs in /usr/lib/postgresql/MAJOR/bin, off PATH.

pg_start() { # DIR
	pg_dir=$1/pg
	pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
		echo "FAIL: PostgreSQL's server is not installed (scripts/setup-deps.sh --test installs postgresql)" >&2
		return 1
	fi
	pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
	mkdir -p "$pg_dir"
	pg_as=""
	if [ "$(id -u)" = 0 ]; then
		pg_user=postgres
		id postgres >/dev/null 2>&1 || pg_user=nobody
		chown -R "$pg_user" "$pg_dir"
		chmod 755 "$1"
		pg_as="runuser -u $pg_user --"
	fi
	$pg_as "$pg_bin/initdb" -D "$pg_dir/data" -U hinagata --auth=trust -E UTF8 --no-locale \
		>"$pg_dir/initdb.log" 2>&1 || { cat "$pg_dir/initdb.log" >&2; return 1; }
	# The port was free a moment ago; another program may take it before the
	# server binds it: then try another one (three times).
	pg_try=0
	until $pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start \
		-o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		>/dev/null 2>&1; do
		pg_try=$((pg_try + 1))
		if [ $pg_try -ge 3 ] || ! grep -q 'could not bind' "$pg_dir/server.log"; then
			cat "$pg_dir/server.log" >&2
			return 1
		fi
		pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
	done
	PG_CTL_STOP="$pg_as $pg_bin/pg_ctl -D $pg_dir/data -m fast -w stop"
	"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U hinagata hinagata || { pg_stop; return 1; }
	PG_URL="postgresql://hinagata@127.0.0.1:$pg_port/hinagata"
	export PG_URL
}

pg_stop() {
	if [ -n "${PG_CTL_STOP:-}" ]; then
		$PG_CTL_STOP >/dev/null 2>&1 || true
		PG_CTL_STOP=""
	fi
}

pg_sql() { # SQL
	PGOPTIONS="-c client_min_messages=warning" "$pg_bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U hinagata -d hinagata -c "$1"
}

pg_store() { # NAME
	pg_sql "CREATE SCHEMA $1" >/dev/null || return 1
	echo "$PG_URL?options=-csearch_path%3D$1"
}
