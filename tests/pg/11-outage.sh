#!/bin/sh
# PostgreSQL stopped for a while under load, then started again: the
# daemon keeps acknowledging and printing meanwhile, shows the lag and
# raises its alert; afterwards every acknowledged order is in the
# database exactly once, with the values the daemon shows.
. tests/pg/synclib.sh

HTTP=127.0.0.1:$((30100 + ($$ + 11) % 2000))
PRINTING=1 LAG_ALERT_S=1 pgconf
for p in cocina1:$P1 bar1:$P2 postres1:$P3; do
	start_printsim "${p%%:*}" "${p#*:}" --speed 2000 --cut-ms 0 || finish
done
start_daemon || finish
start_watch

# 200 orders/s from 4 clients for 8 s; PostgreSQL goes away after 2 s
"$TOOLS/loadgen" run -u "ipc://$CTL" -c 4 -t 8 -R 200 -a "$T/acked" \
    >"$T/loadgen.out" 2>"$T/loadgen.err" &
LG=$!
SIMS="$SIMS $LG"
sleep 2
wait_until 5 '[ "$(pgs records)" -gt 100 ]' ||
    fail "nothing written before the outage: $(req '{"op":"stats"}' | jq -c .pgsync)"
before=$(psql_q "SELECT count(*) FROM orders")
pg_stop || fail "PostgreSQL does not stop"
t0=$(date +%s)
sleep 3
s=$(req '{"op":"stats"}')
expect "disconnected" "$(field "$s" .pgsync.connected)" false
[ "$(field "$s" .pgsync.lag_records)" -gt 0 ] ||
    fail "no lag while the database is down: $(field "$s" .pgsync)"
expect "lag alert" "$(field "$s" '[.alerts[] | select(.kind == "pgsync_lag")] | length')" 1
m=$("$BIN/fastops-ctl" -f "$T/fastops.ini" metrics)
expect "connected metric" "$(echo "$m" |
    awk '$1 == "fastops_pgsync_connected" { print $2 }')" 0
[ "$(echo "$m" | awk '$1 == "fastops_pgsync_lag_seconds" { print int($2) }')" \
    -ge 1 ] || fail "lag seconds metric: $(echo "$m" | grep pgsync_lag)"
# the admin's screen says so (fastops-top in tmux)
TM="tmux -u -L fastops-pg-$$ -f /dev/null"
trap '$TM kill-server 2>/dev/null; cleanup; pg_cleanup' EXIT
LANG=C.UTF-8 LC_ALL=C.UTF-8 $TM new-session -d -x 120 -y 40 \
    "TERM=tmux-256color $BIN/fastops-top -f $T/fastops.ini; sleep 30"
wait_until 5 '$TM capture-pane -p | grep -q "BD SIN CONEXIÓN"' ||
    fail "fastops-top does not show the database down: $($TM capture-pane -p | head -8)"
# still taking and printing orders
n1=$(field "$s" .queue.completed)
sleep 1
[ "$(field "$(req '{"op":"stats"}')" .queue.completed)" -gt "$n1" ] ||
    fail "nothing printed while the database is down"
pg_again || fail "PostgreSQL does not start again"
wait "$LG" || fail "loadgen: $(cat "$T/loadgen.err")"
grep -q 'retries=0' "$T/loadgen.out" ||
    fail "orders refused during the outage: $(cat "$T/loadgen.out")"
wait_until 30 all_settled || fail "tickets not printed"
synced 60 || fail "not caught up: $(req '{"op":"stats"}' | jq -c .pgsync)"

acked=$(wc -l <"$T/acked")
[ "$acked" -gt "$((before + 400))" ] ||
    fail "too few orders during the outage ($before before it, $acked in all)"
expect "every acknowledged order, once" "$(psql_q "SELECT count(*) || ' ' ||
    count(DISTINCT uuid) FROM orders")" "$acked $acked"
awk '{ print $1 }' "$T/acked" | sort >"$T/acked.uuids"
psql_q "SELECT uuid FROM orders" | sort >"$T/pg.uuids"
cmp -s "$T/acked.uuids" "$T/pg.uuids" ||
    fail "the database's orders are not the acknowledged ones"
compare_orders "after the outage"
expect "no event twice" "$(psql_q "SELECT count(*) - count(DISTINCT lsn)
    FROM events")" 0
expect "events = records" "$(psql_q "SELECT count(*) FROM events")" \
    "$(pgs records)"
expect "every record to the cursor" "$(psql_q "SELECT last_lsn FROM
    sync_cursor")" "$(field "$(req '{"op":"stats"}')" .journal.durable_lsn)"
[ "$(pgs errors)" -gt 0 ] || fail "the outage was not counted"
wait_until 5 '[ "$(field "$(req "{\"op\":\"stats\"}")" \
    "[.alerts[] | select(.kind == \"pgsync_lag\")] | length")" = 0 ]' ||
    fail "lag alert not cleared"
wait_until 5 '$TM capture-pane -p | grep -q "BD al día"' ||
    fail "fastops-top does not show the database back: $($TM capture-pane -p | head -8)"
[ -n "$(events alert '.alert' | grep pgsync_lag)" ] ||
    fail "no alert event for the lag"
finish
