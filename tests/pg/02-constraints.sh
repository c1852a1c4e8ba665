# The schema refuses what the protocol refuses: each bad row below fails
# with the SQLSTATE of the rule it breaks (23514 a check, 23503 a foreign
# key, 23505 a duplicate, 23502 a missing value), and the good rows next to
# them go in.
. tests/pg/lib.sh
pg_start
ctl db migrate --conninfo "$CONNINFO" --sql "$SRC/sql" >/dev/null ||
    { fail "migrate"; finish; }

# ok DESCRIPTION SQL / refused DESCRIPTION SQLSTATE SQL
ok() { expect "$1" "$(sql_state "$2")" ""; }
refused() { expect "$1" "$(sql_state "$3")" "$2"; }
# a string of N times s
rep() { printf "%${2}s" '' | sed "s/ /$1/g"; }

ok "tenants" "INSERT INTO companies (id, name) VALUES (1, 'tasca'), (2, 'otra');
    INSERT INTO branches (id, company_id, name) VALUES
    (10, 1, 'sol'), (11, 1, 'mar'), (20, 2, 'luna')"
ok "stations" "INSERT INTO stations (company_id, branch_id, name) VALUES
    (1, 10, 'cocina'), (1, 10, 'bar'), (1, 11, 'cocina')"
ok "printers" "INSERT INTO printers (company_id, branch_id, name, station, uri)
    VALUES (1, 10, 'cocina1', 'cocina', 'tcp://127.0.0.1:9101'),
    (1, 10, 'bar1', 'bar', 'serial:/dev/ttyUSB0?baud=19200')"
ok "an order" "INSERT INTO orders (company_id, branch_id, id, uuid, number,
    type, table_label, waiter, total_cents) VALUES (1, 10, 1,
    '6f1c1c8e-8a4e-4a55-9f43-0c1b5d3e2a10', 'M-0001', 'mesa', '5', 'ana',
    2500)"
ok "an item" "INSERT INTO order_items (company_id, branch_id, order_id, line,
    product, name, qty, price_cents, notes, station) VALUES
    (1, 10, 1, 1, 'paella', 'Paella valenciana', 2, 1250, 'sin marisco',
    'cocina')"
ok "a ticket" "INSERT INTO print_queue (company_id, branch_id, id, order_id,
    station, printer) VALUES (1, 10, 1, 1, 'cocina', 'cocina1')"

# --- names ------------------------------------------------------------------

refused "company name in capitals" 23514 \
    "INSERT INTO companies (name) VALUES ('Tasca')"
refused "company name with a blank" 23514 \
    "INSERT INTO companies (name) VALUES ('la tasca')"
refused "company name with an accent" 23514 \
    "INSERT INTO companies (name) VALUES ('ñu')"
refused "company name of 32" 23514 \
    "INSERT INTO companies (name) VALUES ('$(rep a 32)')"
ok "company name of 31" "INSERT INTO companies (name) VALUES ('$(rep a 31)')"
refused "empty company name" 23514 "INSERT INTO companies (name) VALUES ('')"
refused "two branches of one name" 23505 \
    "INSERT INTO branches (company_id, name) VALUES (1, 'sol')"
refused "a branch of no company" 23503 \
    "INSERT INTO branches (company_id, name) VALUES (99, 'sol')"
refused "station name in capitals" 23514 "INSERT INTO stations (company_id,
    branch_id, name) VALUES (1, 10, 'Postres')"
refused "a station of another company's branch" 23503 "INSERT INTO stations
    (company_id, branch_id, name) VALUES (1, 20, 'postres')"

# --- orders -------------------------------------------------------------------

order() {	# order ID NUMBER TYPE TABLE WAITER [UUID]
	echo "INSERT INTO orders (company_id, branch_id, id, uuid, number, type,
	    table_label, waiter) VALUES (1, 10, $1, ${6:-gen_random_uuid()},
	    '$2', '$3', '$4', '$5')"
}
ok "a llevar order without a table" "$(order 2 L-0001 llevar '' ana)"
ok "an order of the daemon's own user" "$(order 3 D-0001 domicilio '' @local)"
ok "numbers past 9999" "$(order 4 L-10000 llevar '' ana)"
refused "a mesa order without a table" 23514 "$(order 5 M-0002 mesa '' ana)"
refused "a type not in the protocol" 23514 "$(order 5 B-0001 barco 1 ana)"
refused "a number of another type" 23514 "$(order 5 L-0002 mesa 5 ana)"
refused "a number not as the daemon makes it" 23514 \
    "$(order 5 M-42 mesa 5 ana)"
refused "a table of 17 bytes" 23514 "$(order 5 M-0002 mesa $(rep 1 17) ana)"
ok "a table of 16 bytes" "$(order 5 M-0002 mesa $(rep 1 16) ana)"
refused "a waiter in capitals" 23514 "$(order 6 M-0003 mesa 5 Ana)"
refused "the same uuid twice in a branch" 23505 \
    "$(order 6 M-0003 mesa 5 ana "'6f1c1c8e-8a4e-4a55-9f43-0c1b5d3e2a10'")"
refused "the same id twice in a branch" 23505 "$(order 1 M-0003 mesa 5 ana)"
refused "order id 0" 23514 "$(order 0 M-0003 mesa 5 ana)"
refused "an order without uuid" 23502 "INSERT INTO orders (company_id,
    branch_id, id, number, type, table_label, waiter) VALUES
    (1, 10, 7, 'M-0004', 'mesa', '5', 'ana')"
refused "an order of another company's branch" 23503 "INSERT INTO orders
    (company_id, branch_id, id, uuid, number, type, waiter) VALUES
    (1, 20, 1, gen_random_uuid(), 'L-0001', 'llevar', 'ana')"
ok "the same uuid in another branch" "INSERT INTO orders (company_id,
    branch_id, id, uuid, number, type, waiter) VALUES (1, 11, 1,
    '6f1c1c8e-8a4e-4a55-9f43-0c1b5d3e2a10', 'L-0001', 'llevar', 'ana')"
refused "a state not in the protocol" 23514 \
    "UPDATE orders SET state = 'hecho' WHERE id = 1"
ok "each state of the protocol" "UPDATE orders SET state = s FROM
    unnest(ARRAY['recibido', 'en_cola', 'imprimiendo', 'impreso',
    'en_preparacion', 'listo', 'cancelado']) s WHERE id = 1"
refused "a negative total" 23514 \
    "UPDATE orders SET total_cents = -1 WHERE id = 1"
refused "a note of 141 bytes" 23514 \
    "UPDATE orders SET notes = '$(rep x 141)' WHERE id = 1"
ok "a note of 140 bytes in 70 characters" \
    "UPDATE orders SET notes = '$(rep ñ 70)' WHERE id = 1"
refused "a note of 71 two-byte characters" 23514 \
    "UPDATE orders SET notes = '$(rep ñ 71)' WHERE id = 1"
refused "a note with a newline" 23514 \
    "UPDATE orders SET notes = E'sin\\ncebolla' WHERE id = 1"
refused "a note with a tab" 23514 \
    "UPDATE orders SET notes = E'sin\\tcebolla' WHERE id = 1"

# --- items -------------------------------------------------------------------

item() {	# item LINE QTY PRICE [ORDER [STATION [PRODUCT]]]
	echo "INSERT INTO order_items (company_id, branch_id, order_id, line,
	    product, name, qty, price_cents, station) VALUES (1, 10, ${4:-1},
	    $1, '${6:-cana}', 'Caña', $2, $3, '${5:-bar}')"
}
refused "quantity 0" 23514 "$(item 2 0 250)"
refused "quantity 1000" 23514 "$(item 2 1000 250)"
refused "a negative quantity" 23514 "$(item 2 -1 250)"
ok "quantity 999" "$(item 2 999 250)"
refused "a negative price" 23514 "$(item 3 1 -1)"
refused "a price past 100 000,00" 23514 "$(item 3 1 10000001)"
ok "a free item" "$(item 3 1 0)"
refused "line 51" 23514 "$(item 51 1 250)"
refused "line 0" 23514 "$(item 0 1 250)"
refused "a line twice" 23505 "$(item 3 1 250)"
refused "an item of an unknown order" 23503 "$(item 4 1 250 99)"
refused "an item for an unknown station" 23503 "$(item 4 1 250 1 horno)"
refused "a product id in capitals" 23514 "$(item 4 1 250 1 bar Cana)"
ok "an order's items go with it" "DELETE FROM orders WHERE id = 2 AND
    branch_id = 10"

# --- tickets -----------------------------------------------------------------

job() {		# job ID COLUMNS VALUES
	echo "INSERT INTO print_queue (company_id, branch_id, id, order_id,
	    station$2) VALUES (1, 10, $1, 1, 'cocina'$3)"
}
refused "a status not in the protocol" 23514 "$(job 2 ', status' ", 'done'")"
refused "a priority not in the protocol" 23514 \
    "$(job 2 ', priority' ", 'high'")"
refused "a kind not in the protocol" 23514 "$(job 2 ', kind' ", 'extra'")"
refused "a reprint without its number" 23514 "$(job 2 ', kind' ", 'reprint'")"
refused "a number on a new ticket" 23514 "$(job 2 ', reprint' ", 1")"
ok "REIMPRESIÓN 1" "$(job 2 ', kind, reprint, priority' ", 'reprint', 1, 'low'")"
refused "negative attempts" 23514 "$(job 3 ', attempts' ", -1")"
refused "completed without its time" 23514 \
    "$(job 3 ', status' ", 'completed'")"
refused "pending with a completion time" 23514 \
    "$(job 3 ', completed_at' ", now()")"
ok "completed with its time" \
    "$(job 3 ', status, completed_at' ", 'completed', now()")"
refused "the same job id twice" 23505 "$(job 1 '' '')"
refused "a ticket of an unknown order" 23503 "INSERT INTO print_queue
    (company_id, branch_id, id, order_id, station) VALUES
    (1, 10, 4, 99, 'cocina')"
refused "a ticket of another branch's order" 23503 "INSERT INTO print_queue
    (company_id, branch_id, id, order_id, station) VALUES
    (1, 11, 4, 4, 'cocina')"
refused "a ticket for an unknown printer" 23503 "$(job 4 ', printer' ", 'nope'")"
refused "an order with tickets cannot go" 23503 \
    "DELETE FROM orders WHERE id = 1 AND branch_id = 10"
refused "a station in use cannot go" 23503 \
    "DELETE FROM stations WHERE name = 'cocina' AND branch_id = 10"

# --- users, products, printers -------------------------------------------------

user() {	# user NAME ROLE HASH
	echo "INSERT INTO users (company_id, branch_id, name, role, pin_hash)
	    VALUES (1, 10, '$1', '$2', '$3')"
}
H='$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA'
ok "a user" "$(user "$(rep a 32)" waiter "$H")"
refused "a user name of 33" 23514 "$(user "$(rep a 33)" waiter "$H")"
refused "a role not in the protocol" 23514 "$(user ana chef "$H")"
refused "a PIN in clear" 23514 "$(user ana waiter 1234)"
refused "a user twice" 23505 "$(user "$(rep a 32)" admin "$H")"

product() {	# product ID NAME PRICE
	echo "INSERT INTO products (company_id, branch_id, id, name, category,
	    price_cents) VALUES (1, 10, '$1', '$2', 'principales', $3)"
}
ok "a product" "$(product paella 'Paella valenciana' 1450)"
refused "a product without a name" 23514 "$(product tortilla '' 850)"
refused "a product name of 65 bytes" 23514 \
    "$(product tortilla "$(rep x 65)" 850)"
refused "a negative price" 23514 "$(product tortilla Tortilla -5)"

printer() {	# printer NAME STATION URI WIDTH
	echo "INSERT INTO printers (company_id, branch_id, name, station, uri,
	    width) VALUES (1, 10, '$1', '$2', '$3', $4)"
}
refused "a printer uri of another kind" 23514 \
    "$(printer p2 cocina http://10.0.0.5/ 48)"
refused "a printer width not 32, 42 or 48" 23514 \
    "$(printer p2 cocina tcp://10.0.0.5:9100 50)"
refused "a printer of an unknown station" 23503 \
    "$(printer p2 horno tcp://10.0.0.5:9100 48)"

# --- alerts, events, the sync cursor --------------------------------------------

alert() {	# alert KIND LEVEL PRINTER [CLEARED]
	echo "INSERT INTO alerts (company_id, branch_id, kind, level, printer,
	    message, cleared_at) VALUES (1, 10, '$1', '$2', $3,
	    'impresora cocina1 sin papel', ${4:-NULL})"
}
ok "an alert" "$(alert printer_down critical "'cocina1'")"
refused "the same alert active twice" 23505 \
    "$(alert printer_down critical "'cocina1'")"
ok "the same alert for another printer" "$(alert printer_down critical "'bar1'")"
ok "an alert of the branch" "$(alert queue_high warning NULL)"
refused "a branch alert active twice" 23505 "$(alert queue_high warning NULL)"
past=$(alert queue_high warning NULL 'now()')
ok "past alerts repeat" "$past; $past"
refused "a level not in the daemon" 23514 "$(alert slow_print info NULL)"
refused "an alert of an unknown printer" 23503 \
    "$(alert printer_down critical "'nope'")"
refused "an alert cleared before it was raised" 23514 \
    "$(alert slow_print warning NULL "now() - interval '1 day'")"

ok "an event" "INSERT INTO events (company_id, branch_id, kind, order_id, lsn,
    data) VALUES (1, 10, 'order.created', 1, 7, '{\"id\": 1}')"
refused "an event kind in capitals" 23514 "INSERT INTO events (company_id,
    branch_id, kind) VALUES (1, 10, 'Order.Created')"

ok "a cursor" "INSERT INTO sync_cursor (company_id, branch_id, instance)
    VALUES (1, 10, 'tasca-sol')"
refused "a negative lsn" 23514 "UPDATE sync_cursor SET last_lsn = -1"
refused "an instance in capitals" 23514 "INSERT INTO sync_cursor (company_id,
    branch_id, instance) VALUES (1, 10, 'Tasca')"
refused "a cursor of another company's branch" 23503 "INSERT INTO sync_cursor
    (company_id, branch_id, instance) VALUES (2, 10, 'otra-sol')"
# pgsync's rule: the cursor only moves forward
expect "the cursor moves forward" "$(psql_q "UPDATE sync_cursor
    SET last_lsn = 50 WHERE instance = 'tasca-sol' AND last_lsn < 50
    RETURNING last_lsn")" 50
expect "the cursor does not move back" "$(psql_q "UPDATE sync_cursor
    SET last_lsn = 40 WHERE instance = 'tasca-sol' AND last_lsn < 40
    RETURNING last_lsn")" ""

# what went in, went in once
expect "rows" "$(psql_q "SELECT (SELECT count(*) FROM orders),
    (SELECT count(*) FROM order_items), (SELECT count(*) FROM print_queue),
    (SELECT count(*) FROM alerts)")" "5|3|3|5"

finish
