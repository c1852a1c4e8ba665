#!/bin/sh
# Baselines from the seeds, in the same run on the same machine, as
# markdown table rows: the print queue as seed 000 designs it (a
# PostgreSQL table polled with SELECT ... FOR UPDATE SKIP LOCKED, each
# order one transaction) and as seed 001 does (a Redis list per station),
# beside fastops-queued, under loadgen's workload.
#
# Durability is the same for all three: an order is acknowledged once it is
# on disk.  FastOps runs fsync = group; PostgreSQL fsync = on,
# synchronous_commit = on, full_page_writes = on; Redis appendonly with
# appendfsync always.  Every data directory is on the disk under
# $FASTOPS_BENCH_DIR (default /var/tmp), never tmpfs.  The queues'
# consumers run meanwhile: PostgreSQL and Redis with 3 workers polling or
# BRPOPping, FastOps with its printers paused (they would print for real),
# so its tickets pile up: its ring is made 262,144 slots here, or ten
# seconds at 32 clients fill the shipped 65,536 and the daemon answers EFULL
# (back-pressure, which loadgen counts as "full" and retries).
set -eu
BIN=${BIN:-bin}
TOOLS=${TOOLS:-build/release/tests}
case $TOOLS in /*) ;; *) TOOLS=$(pwd)/$TOOLS ;; esac
SECS=${BASELINE_SECS:-10}
CLIENTS=32
WORKERS=3
BDIR=${FASTOPS_BENCH_DIR:-/var/tmp}

# PostgreSQL: tests/pg/lib.sh's server, moved to the disk (its $PGT is a
# temporary directory under /tmp) and restarted durable below.
. tests/pg/lib.sh
rmdir "$PGT"
PGT=$(mktemp -d "$BDIR/baseline-pg.XXXXXX")
chmod 755 "$PGT"
# postgres (under root) must reach $PGT: else fall back to /var/tmp
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$PGT"; then
	rmdir "$PGT"
	PGT=$(mktemp -d /var/tmp/baseline-pg.XXXXXX)
fi
T=$PGT

D=$(mktemp -d "$BDIR/baseline-bench.XXXXXX")
INST="base$$"
PID=
RPID=

cleanup() {
	if [ -n "$PID" ]; then
		kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	fi
	if [ -n "$RPID" ]; then
		kill "$RPID" 2>/dev/null && wait "$RPID" 2>/dev/null
	fi
	pg_cleanup
	rm -rf "$D"
	rm -f "/dev/shm/fastops.$INST"
}
trap cleanup EXIT

kv() {	# kv LINE KEY
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

ratio() {	# ratio A B: A / B to 2 places
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'
}

# --- FastOps, as daemon_bench.sh runs it ------------------------------------

. tests/bench/daemonlib.sh
# the printers are paused: room for ten seconds of tickets (see above)
start_fo() {
	start -e "s|^queue_slots = .*|queue_slots = 262144|"
}

URL="ipc://$D/run/control.ipc"
start_fo
"$TOOLS/loadgen" run -r -u "$URL" -c 1 -n 300 >/dev/null	# warm up
f1=$("$TOOLS/loadgen" run -r -u "$URL" -c 1 -n 2000)
stop
start_fo
fN=$("$TOOLS/loadgen" run -r -u "$URL" -c $CLIENTS -t "$SECS")
stop

# --- PostgreSQL, SELECT ... FOR UPDATE SKIP LOCKED --------------------------

pg_start >/dev/null
pg_durable || { echo "baseline: fsync off" >&2; exit 1; }
"$TOOLS/baseline" pg -d "$CONNINFO" -c 1 -n 200 >/dev/null	# warm up
p1=$("$TOOLS/baseline" pg -d "$CONNINFO" -c 1 -n 2000)
pN=$("$TOOLS/baseline" pg -d "$CONNINFO" -c $CLIENTS -w $WORKERS -t "$SECS")
pg_cleanup
PGBIN=

# --- Redis lists, appendfsync always ----------------------------------------

mkdir "$D/redis"
n=0
while :; do
	RPORT=$((20000 + ($$ * 11 + n * 137) % 30000))
	redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$D/redis" \
	    --appendonly yes --appendfsync always --save "" \
	    --daemonize no --logfile "$D/redis/log" &
	RPID=$!
	i=0
	until redis-cli -p "$RPORT" ping >/dev/null 2>&1 || [ $i -gt 50 ]; do
		kill -0 "$RPID" 2>/dev/null || break
		sleep 0.05; i=$((i + 1))
	done
	if kill -0 "$RPID" 2>/dev/null &&
	    redis-cli -p "$RPORT" ping >/dev/null 2>&1; then
		break
	fi
	kill "$RPID" 2>/dev/null || true
	wait "$RPID" 2>/dev/null || true
	RPID=
	n=$((n + 1))
	if [ $n -ge 8 ]; then
		echo "baseline: redis-server does not start" >&2
		exit 1
	fi
done
"$TOOLS/baseline" redis -p "$RPORT" -c 1 -n 200 >/dev/null	# warm up
r1=$("$TOOLS/baseline" redis -p "$RPORT" -c 1 -n 2000)
rN=$("$TOOLS/baseline" redis -p "$RPORT" -c $CLIENTS -w $WORKERS -t "$SECS")
redis-cli -p "$RPORT" shutdown nosave >/dev/null 2>&1 || true
wait "$RPID" 2>/dev/null || true
RPID=

# --- rows --------------------------------------------------------------------

lat() {	# lat LINE: "p50 X µs, p99 Y µs"
	echo "p50 $(kv "$1" p50_us) µs, p99 $(kv "$1" p99_us) µs"
}
echo "| order acknowledgement, 1 client, durable: FastOps / PostgreSQL SKIP LOCKED / Redis list | $(lat "$f1"); $(lat "$p1"); $(lat "$r1") (p50 PostgreSQL/FastOps ×$(ratio "$(kv "$p1" p50_us)" "$(kv "$f1" p50_us)"), Redis/FastOps ×$(ratio "$(kv "$r1" p50_us)" "$(kv "$f1" p50_us)")) | report |"
echo "| order acknowledgement, $CLIENTS clients: FastOps / PostgreSQL SKIP LOCKED / Redis list | $(lat "$fN"); $(lat "$pN"); $(lat "$rN") (p99 PostgreSQL/FastOps ×$(ratio "$(kv "$pN" p99_us)" "$(kv "$fN" p99_us)"), Redis/FastOps ×$(ratio "$(kv "$rN" p99_us)" "$(kv "$fN" p99_us)")) | report |"
echo "| durable order throughput, $CLIENTS clients: FastOps / PostgreSQL SKIP LOCKED / Redis list | FastOps $(kv "$fN" rate)/s, PostgreSQL $(kv "$pN" rate)/s (FastOps ×$(ratio "$(kv "$fN" rate)" "$(kv "$pN" rate)")), Redis $(kv "$rN" rate)/s (FastOps ×$(ratio "$(kv "$fN" rate)" "$(kv "$rN" rate)")); meanwhile $WORKERS workers consumed PostgreSQL $(kv "$pN" consumed_rate) jobs/s, Redis $(kv "$rN" consumed_rate) jobs/s | report |"
