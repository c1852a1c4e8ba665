#!/bin/sh
# pgsync: orders and every change of their tickets, made through a real
# daemon printing on real printsims, reach PostgreSQL with the values the
# daemon shows; the seeds' dashboard and queue-status queries answer from
# the tables; one event row per journal record, none twice.
. tests/pg/synclib.sh

PRINTING=1 pgconf
start_printsim cocina1 "$P1" || finish
start_printsim bar1 "$P2" || finish
start_printsim postres1 "$P3" || finish
start_daemon || finish

# order ORDER-JSON-BODY: create, print its id
order() {
	_r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'",'"$1"'}')
	_id=$(field "$_r" .order.id)
	[ -n "$_id" ] && [ "$_id" != null ] || fail "order.create: $_r"
	echo "$_id"
}

o1=$(order '"type":"mesa","table":"7","notes":"cumpleaños ¡sin prisa!",
    "items":[{"product":"paella","qty":2,"notes":"sin gambas"},
    {"product":"cerveza","qty":3},{"product":"flan","qty":1}]')
o2=$(order '"type":"llevar","items":[{"product":"croquetas","qty":1}]')
o3=$(order '"type":"domicilio","table":"C/ Mayor 3","items":[
    {"product":"cafe_solo","qty":2},{"product":"tarta_queso","qty":1}]')
wait_until 20 all_settled || fail "tickets not printed"

# a modification after printing (a MODIFICACIÓN delta), a reprint, an
# urgent and a cancelled order while a printer is off, bumps, a user
expect modify "$(field "$(req '{"op":"order.modify","id":'"$o1"',
    "add":[{"product":"cerveza","qty":1}],
    "remove":[{"product":"paella","qty":1}]}')" .ok)" true
expect reprint "$(field "$(req '{"op":"order.reprint","id":'"$o2"'}')" .ok)" true
expect bump "$(field "$(req '{"op":"order.bump","id":'"$o1"',
    "station":"bar","state":"listo"}')" .ok)" true
expect prep "$(field "$(req '{"op":"order.bump","id":'"$o3"',
    "state":"en_preparacion"}')" .ok)" true
expect pause "$(field "$(req '{"op":"printer.pause","printer":"postres1"}')" .ok)" true
o4=$(order '"type":"mesa","table":"2","items":[{"product":"flan","qty":2}]')
o5=$(order '"type":"mesa","table":"3","items":[{"product":"tarta_queso","qty":1}]')
expect urgent "$(field "$(req '{"op":"order.urgent","id":'"$o4"'}')" .ok)" true
expect cancel "$(field "$(req '{"op":"order.cancel","id":'"$o5"'}')" .ok)" true
expect user "$(field "$(req '{"op":"users.add","name":"luis","role":"kitchen",
    "pin":"4321"}')" .ok)" true
wait_until 20 '[ "$(field "$(req "{\"op\":\"order.get\",\"id\":'"$o2"'}")" \
    "[.order.jobs[] | select(.kind == \"reprint\" and .status == \"completed\")] | length")" = 1 ]' ||
    fail "reprint not printed"
synced || fail "not synced: $(req '{"op":"stats"}' | jq -c .pgsync)"

compare_orders "after printing, modify, reprint, urgent, cancel, bumps"
expect "o1 in the database" "$(psql_q "SELECT state || ' ' || total_cents
    FROM orders WHERE id = $o1")" \
    "$(field "$(req '{"op":"order.get","id":'"$o1"'}')" \
    '.order.state + " " + (.order.total_cents | tostring)')"
expect "o5 cancelled" "$(psql_q "SELECT state FROM orders WHERE id = $o5")" \
    cancelado
expect "o4 waits, urgent" "$(psql_q "SELECT status || ' ' || priority
    FROM print_queue WHERE order_id = $o4")" "pending urgent"
expect "luis" "$(psql_q "SELECT role || ' ' || (pin_hash LIKE '\$argon2%')
    FROM users WHERE name = 'luis'")" "kitchen true"

# the tickets' text: the order's header and the station's lines; a
# modification's ticket carries the changed lines only
expect "paella ticket" "$(psql_q "SELECT payload->>'number' || ' ' ||
    (payload->>'table') || ' ' || jsonb_array_length(payload->'items') ||
    ' ' || (payload->'items'->0->>'qty') || ' ' ||
    (payload->'items'->0->>'notes') FROM print_queue
    WHERE order_id = $o1 AND station = 'cocina' AND kind = 'new'")" \
    "$(field "$(req '{"op":"order.get","id":'"$o1"'}')" .order.number) 7 1 2 sin gambas"
expect "modification ticket" "$(psql_q "SELECT string_agg(
    (i->>'qty') || ' ' || (i->>'name'), ', ' ORDER BY i->>'name')
    FROM print_queue, jsonb_array_elements(payload->'items') i
    WHERE order_id = $o1 AND kind = 'modify'")" "1 Cerveza tercio, -1 Paella valenciana"

# times: printed after queued, claimed in between
expect "times in order" "$(psql_q "SELECT count(*) FROM print_queue
    WHERE status = 'completed' AND NOT (created_at <= processed_at AND
    processed_at <= completed_at)")" 0

# one event per journal record, each once; job events name printers
rec=$(pgs records)
expect "events = records applied" "$(psql_q "SELECT count(*) FROM events")" "$rec"
expect "no event twice" "$(psql_q "SELECT count(*) - count(DISTINCT lsn)
    FROM events")" 0
expect "cursor" "$(psql_q "SELECT last_lsn FROM sync_cursor")" "$(pgs applied_lsn)"
expect "the pause in the history" "$(psql_q "SELECT data->>'printer'
    FROM events WHERE kind = 'printer.paused'")" postres1
expect "printed events" "$(psql_q "SELECT count(*) FROM events
    WHERE kind = 'job.printed' AND data->>'printer' IS NOT NULL")" \
    "$(psql_q "SELECT count(*) FROM print_queue WHERE status = 'completed'")"

# the seeds' queries (000 §15.3.5, §15.5) from the tables
d=$(pg_query dashboard.sql "'demo'" "'centro'")
expect "dashboard pending/processing/failed" "$(echo "$d" | cut -d'|' -f1-3)" "1|0|0"
expect "dashboard completed last hour" "$(echo "$d" | cut -d'|' -f4)" \
    "$(psql_q "SELECT count(*) FROM print_queue WHERE status = 'completed'")"
expect "queue-status" "$(pg_query queue-status.sql "'demo'" "'centro'")" \
    "1|0|0|1"

# the alert about the database stays quiet while it is there
expect "no pgsync alert" "$(field "$(req '{"op":"stats"}')" \
    '[.alerts[]? | select(.kind == "pgsync_lag")] | length')" 0
m=$(req '{"op":"stats"}')
expect "connected" "$(field "$m" .pgsync.connected)" true

# a printer the configuration no longer has stays, inactive
psql_q "INSERT INTO printers (company_id, branch_id, name, station, uri)
    SELECT company_id, id, 'vieja', 'cocina', 'tcp://127.0.0.1:1'
    FROM branches WHERE name = 'centro'"
stop_daemon
start_daemon || finish
synced || fail "not synced after a restart"
expect "printers" "$(psql_q "SELECT string_agg(name || '=' || active, ','
    ORDER BY name) FROM printers")" \
    "bar1=true,cocina1=true,postres1=true,vieja=false"
expect "nothing applied twice by the restart" "$(psql_q "SELECT count(*) -
    count(DISTINCT lsn) FROM events")" 0
finish
