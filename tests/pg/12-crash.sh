#!/bin/sh
# The daemon killed with -9 again and again while orders flow, tickets
# print and pgsync is in the middle of its batches: afterwards every
# journal record is in PostgreSQL exactly once (one event per LSN, from 1
# to the cursor, none missing, none twice) and the tables hold exactly the
# orders the daemon has, with the same values.
. tests/pg/synclib.sh

PRINTING=1 BATCH_MAX=40 BATCH_MS=10 pgconf
for p in cocina1:$P1 bar1:$P2 postres1:$P3; do
	start_printsim "${p%%:*}" "${p#*:}" --speed 3000 --cut-ms 0 || finish
done

rounds=${ROUNDS:-8}
r=0
start_daemon || finish
while [ $r -lt $rounds ]; do
	# orders keep coming; the one unanswered at the kill is sent again
	# with the same uuid once the daemon is back (loadgen), as a
	# terminal does
	"$TOOLS/loadgen" run -u "ipc://$CTL" -c 3 -t 1.5 -R 150 \
	    -a "$T/acked" >>"$T/loadgen.out" 2>>"$T/loadgen.err" &
	LG=$!
	# 0.4 to 1.3 s in: mid-batch, as pgsync commits every 10 ms
	sleep "0.$((4 + (r * 3) % 10))"
	stop_daemon KILL
	start_daemon || finish
	wait "$LG" || fail "round $r: loadgen: $(tail -3 "$T/loadgen.err")"
	r=$((r + 1))
done
[ "$(pgs records)" -gt 0 ] || fail "pgsync wrote nothing"

wait_until 60 all_settled || fail "tickets not printed after the crashes"
synced 60 || fail "not caught up: $(req '{"op":"stats"}' | jq -c .pgsync)"
"$TOOLS/loadgen" verify -u "ipc://$CTL" "$T/acked" >"$T/verify.out" 2>&1 ||
    fail "acknowledged orders lost by the daemon: $(tail -3 "$T/verify.out")"

acked=$(sort -u "$T/acked" | wc -l)
[ "$acked" -gt 200 ] || fail "too few orders to tell anything ($acked)"
lsn=$(psql_q "SELECT last_lsn FROM sync_cursor")
expect "cursor at the journal's end" "$lsn" \
    "$(field "$(req '{"op":"stats"}')" .journal.durable_lsn)"
expect "one event per record, 1 to the cursor" "$(psql_q "SELECT count(*) ||
    ' ' || count(DISTINCT lsn) || ' ' || min(lsn) || ' ' || max(lsn)
    FROM events")" "$lsn $lsn 1 $lsn"
expect "orders once each" "$(psql_q "SELECT count(*) - count(DISTINCT uuid)
    FROM orders")" 0
awk '{ print $1 }' "$T/acked" | sort -u >"$T/acked.uuids"
psql_q "SELECT uuid FROM orders" | sort >"$T/pg.uuids"
[ -z "$(comm -23 "$T/acked.uuids" "$T/pg.uuids")" ] ||
    fail "acknowledged orders missing from the database"
compare_orders "after $rounds kills"
expect "nothing refused" "$(pgs rejected)" 0
expect "no rejected events" "$(psql_q "SELECT count(*) FROM events
    WHERE kind = 'sync.rejected'")" 0
finish
