#!/bin/sh
# pgsync benchmarks (step 5), as markdown table rows: how fast the journal
# reaches a real PostgreSQL 15 (durable: fsync, synchronous commit) and
# how far behind it stays.  A daemon on the shipped configuration plus
# [postgres], printing to three fast printsims (so every ticket's claim
# and print are journal records too), its journal on disk.
#
#	catch-up	PostgreSQL stopped while 2,000 orders are taken and
#			printed; started again: records applied per second
#			until it has them all
#	burst		100 orders at once (the seeds' load test): the
#			largest lag seen, and how long until the database has
#			all 100 orders and their tickets' states
#	sustained	200 orders/s for 20 s: lag (age of the oldest record
#			not yet in the database) sampled every 0.25 s
set -u
. tests/pg/synclib.sh
pg_durable || { echo "sync_bench: PostgreSQL is not durable" >&2; exit 1; }

PRINTING=1 pgconf
for p in cocina1:$P1 bar1:$P2 postres1:$P3; do
	start_printsim "${p%%:*}" "${p#*:}" --speed 5000 --cut-ms 0 || exit 1
done
start_daemon || exit 1

now() {
	date +%s.%N
}
ms() {	# ms T0 T1
	echo "$1 $2" | awk '{ printf "%.0f", ($2 - $1) * 1000 }'
}
# --- catch-up ------------------------------------------------------------------
synced 30
r0=$(pgs records)
pg_stop
"$TOOLS/loadgen" run -u "ipc://$CTL" -c 4 -n 500 >/dev/null
wait_until 120 all_settled
pending=$(pgs lag_records)
pg_again
wait_until 60 '[ "$(pgs connected)" = true ]'
t0=$(now)
synced 600
t1=$(now)
n=$(( $(pgs records) - r0 ))
echo "| pgsync catch-up after an outage: $pending journal records (2,000 orders and their tickets' claims and prints) | $(echo "$n $t0 $t1" | awk '{ printf "%.0f", $1 / ($3 - $2) }') records/s ($(ms "$t0" "$t1") ms) | report |"

# --- burst: 100 orders at once ---------------------------------------------------
base=$(psql_q "SELECT count(*) FROM orders")
maxlag=0
t0=$(now)
"$TOOLS/loadgen" run -u "ipc://$CTL" -c 100 -n 1 >/dev/null &
LG=$!
while :; do
	l=$(pgs lag_s)
	maxlag=$(echo "$l $maxlag" | awk '{ print ($1 > $2) ? $1 : $2 }')
	[ "$(psql_q "SELECT count(*) FROM orders")" -ge $((base + 100)) ] &&
	    break
	sleep 0.02
done
t1=$(now)
wait "$LG"
# the printers take a while: then how soon the last print is in
wait_until 120 all_settled
t2=$(now)
synced 60
t3=$(now)
echo "| pgsync under the 100-order burst | all 100 orders in PostgreSQL $(ms "$t0" "$t1") ms after the burst began; largest lag seen $(echo "$maxlag" | awk '{ printf "%.0f", $1 * 1000 }') ms; the last ticket printed (at $(ms "$t0" "$t2") ms) was there $(ms "$t2" "$t3") ms later | report |"

# --- sustained 200 orders/s ----------------------------------------------------------
r0=$(pgs records)
: >"$T/lags"
t0=$(now)
"$TOOLS/loadgen" run -u "ipc://$CTL" -c 4 -t 20 -R 200 >"$T/lg.out" &
LG=$!
while kill -0 "$LG" 2>/dev/null; do
	pgs lag_s >>"$T/lags"
	sleep 0.25
done
wait "$LG"
t1=$(now)
n=$(( $(pgs records) - r0 ))
rate=$(sed -n 's/.*rate=\([0-9]*\).*/\1/p' "$T/lg.out")
lag=$(sort -n "$T/lags" | awk '{ v[NR] = $1 } END {
	printf "lag p50 %.0f ms, p95 %.0f ms, max %.0f ms", v[int(NR * 0.5) + 1] * 1000,
	    v[int(NR * 0.95) + 1] * 1000, v[NR] * 1000 }')
echo "| pgsync under a sustained $rate orders/s for 20 s (4 clients, printing) | $lag; $(echo "$n $t0 $t1" | awk '{ printf "%.0f", $1 / ($3 - $2) }') records/s applied meanwhile | lag stays bounded |"
