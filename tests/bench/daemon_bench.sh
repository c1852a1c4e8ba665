#!/bin/sh
# Benchmarks of fastops-queued (step 2), as markdown table rows.  Each runs
# against a fresh daemon of its own on this machine, fsync = group, the
# journal on the disk under build/ (never tmpfs).
#
# The order benchmarks drive the daemon with "loadgen run -r": clients that
# speak SP over the ipc socket themselves.  Through nng's REQ sockets the
# load generator took ~100 µs of CPU per order in its own threads — a quarter
# of this 2-core machine at 5,000 orders/s — from the daemon it measures;
# the daemon receives the same bytes either way.  LOADGEN_OPTS= (empty)
# measures with nng clients, as before.
set -eu
BIN=${BIN:-bin}
TOOLS=${TOOLS:-build/release/tests}
D=$(mktemp -d "${FASTOPS_BENCH_DIR:-/var/tmp}/daemon-bench.XXXXXX")
INST="bench$$"
PID=
LG=${LOADGEN_OPTS--r}

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$D"
	rm -f "/dev/shm/fastops.$INST"
}
trap cleanup EXIT

. tests/bench/daemonlib.sh

kv() {	# kv LINE KEY
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

URL="ipc://$D/run/control.ipc"

start
"$TOOLS/loadgen" run $LG -u "$URL" -c 1 -n 300 >/dev/null	# warm up
o=$("$TOOLS/loadgen" run $LG -u "$URL" -c 1 -n 3000)
echo "| order acknowledgement latency, 1 client over ipc, fsync=group | p50 $(kv "$o" p50_us) µs, p99 $(kv "$o" p99_us) µs ($(kv "$o" orders) orders) | p99 < 2 ms |"
stop

start
o=$("$TOOLS/loadgen" run $LG -u "$URL" -c 32 -t 5)
echo "| durable order throughput, 32 concurrent clients, fsync=group | $(kv "$o" rate) orders/s (p50 $(kv "$o" p50_us) µs, p99 $(kv "$o" p99_us) µs) | ≥ 10,000/s |"
stop

start
o=$("$TOOLS/loadgen" events -u "$URL" -e "ipc://$D/run/events.ipc" -p "fastops.demo.centro.order.created" -n 2000)
echo "| event latency, order acknowledged → order.created received | p50 $(kv "$o" p50_us) µs, p99 $(kv "$o" p99_us) µs | p99 < 5 ms |"
stop

# memory with 50,000 tickets waiting (no printers yet: they all wait)
start
"$TOOLS/loadgen" run -u "$URL" -c 16 -n 1500 >/dev/null
jobs=0
while [ "$jobs" -lt 50000 ]; do
	"$TOOLS/loadgen" run -u "$URL" -c 16 -n 250 >/dev/null
	jobs=$(nngcat --req0 --dial "$URL" --data '{"op":"queue.status"}' --raw 2>/dev/null |
	    jq '.queue.urgent + .queue.normal + .queue.low')
done
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$PID/status")
echo "| daemon memory with $jobs tickets queued | RSS $((rss / 1024)) MiB | report |"
stop
