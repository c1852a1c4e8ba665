#!/bin/sh
# PostgreSQL hung (every server process stopped, connections open) while
# orders flow: the daemon takes and prints orders meanwhile, gives up on
# the silent server after its 10 s deadline, and once the server runs
# again has every record exactly once.
. tests/pg/synclib.sh

PRINTING=1 pgconf
for p in cocina1:$P1 bar1:$P2 postres1:$P3; do
	start_printsim "${p%%:*}" "${p#*:}" --speed 3000 --cut-ms 0 || finish
done
start_daemon || finish

"$TOOLS/loadgen" run -u "ipc://$CTL" -c 2 -t 16 -R 60 -a "$T/acked" \
    >"$T/loadgen.out" 2>"$T/loadgen.err" &
LG=$!
SIMS="$SIMS $LG"
wait_until 5 '[ "$(pgs records)" -gt 50 ]' || fail "nothing written"
pids=$(pgrep -u postgres -f "$PGT" ; pgrep -u postgres -P \
    "$(head -1 "$PGT/data/postmaster.pid")")
[ -n "$pids" ] || fail "no server processes found"
kill -STOP $pids
sleep 12
s=$(req '{"op":"stats"}')
case $(field "$s" .pgsync.error) in
*"no answer"*)	;;
*)	fail "no deadline hit: $(field "$s" .pgsync)" ;;
esac
n1=$(field "$s" .queue.completed)
kill -CONT $pids
[ "$n1" -gt 100 ] || fail "printing stopped with the database ($n1)"
wait "$LG" || fail "loadgen: $(cat "$T/loadgen.err")"
grep -q 'retries=0' "$T/loadgen.out" ||
    fail "orders refused while the database hung: $(cat "$T/loadgen.out")"
wait_until 30 all_settled || fail "tickets not printed"
synced 60 || fail "not caught up: $(req '{"op":"stats"}' | jq -c .pgsync)"

acked=$(wc -l <"$T/acked")
expect "every order once" "$(psql_q "SELECT count(*) || ' ' ||
    count(DISTINCT uuid) FROM orders")" "$acked $acked"
lsn=$(psql_q "SELECT last_lsn FROM sync_cursor")
expect "one event per record" "$(psql_q "SELECT count(*) || ' ' ||
    count(DISTINCT lsn) || ' ' || max(lsn) FROM events")" "$lsn $lsn $lsn"
compare_orders "after the hang"
finish
