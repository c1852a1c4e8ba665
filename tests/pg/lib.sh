# Sourced by every PostgreSQL test.  Each test runs its own server, from
# initdb to stop, in a temporary directory: no cluster of the machine is
# used or touched, and nothing is left running or on disk, even when the
# test fails or is interrupted.
#
# The server runs as an unprivileged user: initdb refuses root, so under
# root (a fresh Debian after "make deps") it runs as postgres.  It listens
# on a socket in its directory and on 127.0.0.1 at a free port.  The tests
# connect as the role fastops, owner of the database fastops, as an admin
# would set it up (INSTALL); pg_dump and psql_admin connect as postgres.
#
#	pg_start		start the server; sets CONNINFO, PGBIN
#	pg_durable		restart it durable (benchmarks)
#	pg_stop, pg_again	stop it, start it again as it was
#	pg_createdb NAME	another database owned by fastops
#	psql_q [DB] SQL		run SQL as fastops, unaligned, no headers
#	sql_state [DB] SQL	the SQLSTATE SQL fails with ("" if it works)
#	pg_query FILE ARG...	a query of sql/queries with its parameters
#	ctl ARG...		fastops-ctl with this test's sql/ directory
set -u

BIN=${BIN:-bin}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
SRC=$(pwd)
NAME=$(basename "$0" .sh)
# The server's directory; $T too, unless a test also sources
# tests/regress/lib.sh (after this file) for a daemon of its own
PGT=$(mktemp -d /tmp/fastops-pg.XXXXXX)
T=$PGT
FAILS=0
PGBIN=
PGPORT_T=
PGOPTS=			# the server's -o options
PGRUN=			# "runuser -u postgres --" under root
CONNINFO=

# The server binaries: libpq-dev's pg_config knows the version Debian
# installed; else the newest of /usr/lib/postgresql/*/bin.
pg_bindir() {
	_d=$(pg_config --bindir 2>/dev/null)
	if [ -n "$_d" ] && [ -x "$_d/initdb" ]; then
		echo "$_d"
		return
	fi
	_d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	if [ -n "$_d" ] && [ -x "$_d/initdb" ]; then
		echo "$_d"
		return
	fi
	return 1
}

pg_cleanup() {
	if [ -n "$PGBIN" ] && [ -f "$PGT/data/postmaster.pid" ]; then
		(cd "$PGT" && $PGRUN "$PGBIN/pg_ctl" -D "$PGT/data" -m fast -w \
		    stop) >/dev/null 2>&1
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$PGT"
}
trap pg_cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

# expect DESCRIPTION GOT WANT
expect() {
	if [ "$2" != "$3" ]; then
		fail "$1: got '$2', want '$3'"
	fi
}

# expect_match DESCRIPTION TEXT EXTENDED-REGEX
expect_match() {
	if ! printf '%s\n' "$2" | grep -Eq -- "$3"; then
		fail "$1: '$2' does not match /$3/"
	fi
}

pg_start() {
	if ! PGBIN=$(pg_bindir); then
		echo "FAIL: no PostgreSQL server binaries (make deps)" >&2
		exit 1
	fi
	if [ "$(id -u)" = 0 ]; then
		PGRUN="runuser -u postgres --"
		chown postgres "$PGT"
	fi
	# from $PGT: postgres may not enter the source tree (under /root)
	cd "$PGT" || exit 1
	if ! $PGRUN "$PGBIN/initdb" -D "$PGT/data" -U postgres --auth=trust \
	    -E UTF8 --locale=C --no-sync >"$PGT/initdb.log" 2>&1; then
		cat "$PGT/initdb.log" >&2
		echo "FAIL: initdb" >&2
		exit 1
	fi
	# a port nobody uses: try a few, the server says when one is taken
	_n=0
	while :; do
		PGPORT_T=$((5000 + ($$ * 7 + _n * 131) % 5000))
		PGOPTS="-c listen_addresses=127.0.0.1 -c port=$PGPORT_T \
		    -c unix_socket_directories=$PGT -c fsync=off \
		    -c full_page_writes=off -c synchronous_commit=off"
		if $PGRUN "$PGBIN/pg_ctl" -D "$PGT/data" -l "$PGT/server.log" \
		    -w -t 30 -o "$PGOPTS" start >/dev/null 2>&1; then
			break
		fi
		_n=$((_n + 1))
		if [ $_n -ge 8 ]; then
			cat "$PGT/server.log" >&2
			echo "FAIL: the server does not start" >&2
			exit 1
		fi
	done
	cd "$SRC" || exit 1
	psql_admin postgres "CREATE ROLE fastops LOGIN" >/dev/null &&
	    pg_createdb fastops || exit 1
	CONNINFO="host=$PGT port=$PGPORT_T dbname=fastops user=fastops"
	export CONNINFO
}

# pg_durable: restart the server durable (fsync, full pages, synchronous
# commit), for benchmarks; tests run without (nothing to lose there).
pg_durable() {
	PGOPTS="-c listen_addresses=127.0.0.1 -c port=$PGPORT_T \
	    -c unix_socket_directories=$PGT -c fsync=on \
	    -c full_page_writes=on -c synchronous_commit=on \
	    -c max_connections=100"
	(cd "$PGT" && $PGRUN "$PGBIN/pg_ctl" -D "$PGT/data" \
	    -l "$PGT/server.log" -w -t 30 -o "$PGOPTS" restart) >/dev/null ||
	    return 1
	[ "$(psql_q "SHOW fsync")" = on ]
}

# pg_stop / pg_again: the database goes away (fast shutdown: sessions
# cut) and comes back, as it was.
pg_stop() {
	(cd "$PGT" && $PGRUN "$PGBIN/pg_ctl" -D "$PGT/data" -m fast -w \
	    -t 60 stop) >>"$PGT/ctl.log" 2>&1
}
pg_again() {
	(cd "$PGT" && $PGRUN "$PGBIN/pg_ctl" -D "$PGT/data" \
	    -l "$PGT/server.log" -w -t 60 -o "$PGOPTS" start) \
	    >>"$PGT/ctl.log" 2>&1
}

# The connection string of database DB (default fastops).
conninfo() {
	echo "host=$PGT port=$PGPORT_T dbname=${1:-fastops} user=fastops"
}

pg_createdb() {
	psql_admin postgres "CREATE DATABASE $1 OWNER fastops ENCODING 'UTF8'" \
	    >/dev/null
}

# psql_admin DB SQL: as the superuser.
psql_admin() {
	"$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 \
	    -d "host=$PGT port=$PGPORT_T dbname=$1 user=postgres" -c "$2"
}

# psql_q [DB] SQL: as fastops; fields separated by '|'.
psql_q() {
	if [ $# -eq 2 ]; then
		_db=$1
		shift
	else
		_db=fastops
	fi
	"$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$(conninfo "$_db")" \
	    -c "$1"
}

# sql_state [DB] SQL: "" when SQL succeeds, else its SQLSTATE (23514 for
# a check, 23503 a foreign key, 23505 a duplicate, 23502 a missing value).
sql_state() {
	if [ $# -eq 2 ]; then
		_db=$1
		shift
	else
		_db=fastops
	fi
	_out=$(printf '\\set VERBOSITY sqlstate\n%s;\n' "$1" |
	    "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$(conninfo "$_db")" \
	    2>&1 >/dev/null)
	_rc=$?
	_st=$(echo "$_out" | sed -n 's/^.*ERROR: *\([0-9A-Z]\{5\}\).*$/\1/p' |
	    head -1)
	# not an SQL error: no server, no database; never "it worked"
	[ $_rc -ne 0 ] && [ -z "$_st" ] && _st="psql failed: $_out"
	echo "$_st"
}

# pg_query FILE ARG...: sql/queries/FILE with $1, $2... bound to the
# arguments, as reports run it (each ARG an SQL literal: 'x' or NULL).
pg_query() {
	_f=$SRC/sql/queries/$1
	shift
	_args=$(printf '%s, ' "$@")
	_args=${_args%, }
	{
		printf 'PREPARE q AS\n'
		sed -e 's/;[[:space:]]*$//' "$_f"
		printf ';\nEXECUTE q(%s);\n' "$_args"
	} | "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$CONNINFO"
}

ctl() {
	"$BIN/fastops-ctl" "$@"
}

# A schema-only dump of DB, for comparing two databases: without comments,
# blank lines and the random key of \restrict (pg_dump since 15.14).
schema_dump() {
	"$PGBIN/pg_dump" --schema-only --no-owner --no-privileges \
	    -d "host=$PGT port=$PGPORT_T dbname=$1 user=postgres" |
	    sed -e '/^--/d' -e '/^[[:space:]]*$/d' -e '/^\\restrict /d' \
	    -e '/^\\unrestrict /d'
}

finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "--- server log ---" >&2
		tail -20 "$PGT/server.log" >&2
		exit 1
	fi
	exit 0
}
