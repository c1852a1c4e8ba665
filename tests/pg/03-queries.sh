# The queries of sql/queries (000 sections 15.3.5 and 15.5, adapted) give
# the right figures on a small known data set: two companies, one with
# two branches, tickets in every state at known times, orders across the
# last day, alerts active and over.  Each figure is counted by hand below.
. tests/pg/lib.sh
pg_start
ctl db migrate --conninfo "$CONNINFO" --sql "$SRC/sql" >/dev/null ||
    { fail "migrate"; finish; }

# The start of the current hour, fixed now: orders are placed in hours
# counted from it, so the expected buckets do not depend on the minute
# the test runs at.
H=$(psql_q "SELECT date_trunc('hour', now())")
hour() { psql_q "SELECT '$H'::timestamptz - interval '$1 hours'"; }

psql_q "
INSERT INTO companies (id, name) VALUES (1, 'tasca'), (2, 'otra');
INSERT INTO branches (id, company_id, name) VALUES
    (10, 1, 'sol'), (11, 1, 'mar'), (20, 2, 'luna');
INSERT INTO stations (company_id, branch_id, name) VALUES
    (1, 10, 'cocina'), (1, 11, 'cocina'), (2, 20, 'cocina');
INSERT INTO printers (company_id, branch_id, name, station, uri) VALUES
    (1, 10, 'cocina1', 'cocina', 'tcp://127.0.0.1:9101'),
    (1, 11, 'cocina1', 'cocina', 'tcp://127.0.0.1:9101');

-- orders: tasca/sol 4 four hours ago, 2 an hour ago, 1 this hour, and 1
-- of yesterday; tasca/mar 1 an hour ago; otra/luna 3 four hours ago
INSERT INTO orders (company_id, branch_id, id, uuid, number, type, waiter,
    created_at)
SELECT 1, 10, i, gen_random_uuid(), 'L-' || lpad(i::text, 4, '0'), 'llevar',
    'ana', CASE
	WHEN i <= 3 THEN '$H'::timestamptz - interval '4 hours' +
	    interval '10 minutes'
	WHEN i = 4 THEN '$H'::timestamptz - interval '4 hours' +
	    interval '50 minutes'
	WHEN i <= 6 THEN '$H'::timestamptz - interval '1 hour'
	WHEN i = 7 THEN '$H'::timestamptz
	ELSE now() - interval '25 hours' END
FROM generate_series(1, 8) i;
INSERT INTO orders (company_id, branch_id, id, uuid, number, type, waiter,
    created_at)
VALUES (1, 11, 1, gen_random_uuid(), 'L-0001', 'llevar', 'luis',
    '$H'::timestamptz - interval '1 hour' + interval '30 minutes');
INSERT INTO orders (company_id, branch_id, id, uuid, number, type, waiter,
    created_at)
SELECT 2, 20, i, gen_random_uuid(), 'L-' || lpad(i::text, 4, '0'), 'llevar',
    'eva', '$H'::timestamptz - interval '4 hours'
FROM generate_series(1, 3) i;

-- tickets of tasca/sol
INSERT INTO print_queue (company_id, branch_id, id, order_id, station,
    priority, status, created_at, processed_at, completed_at) VALUES
    -- waiting: one urgent, two normal of which one for two hours
    (1, 10, 1, 1, 'cocina', 'urgent', 'pending', now() - interval '1 minute',
	NULL, NULL),
    (1, 10, 2, 2, 'cocina', 'normal', 'pending', now() - interval '2 hours',
	NULL, NULL),
    (1, 10, 3, 3, 'cocina', 'normal', 'pending', now() - interval '1 minute',
	NULL, NULL),
    (1, 10, 4, 4, 'cocina', 'normal', 'processing', now() - interval '5 s',
	now() - interval '1 s', NULL),
    -- failed three hours ago, still waiting for a retry
    (1, 10, 5, 5, 'cocina', 'normal', 'failed', now() - interval '3 hours',
	now() - interval '3 hours', now() - interval '3 hours'),
    -- printed in the last hour in 4 s and 8 s; two hours ago in 100 s
    (1, 10, 6, 6, 'cocina', 'normal', 'completed',
	now() - interval '10 minutes', now() - interval '10 minutes',
	now() - interval '10 minutes' + interval '4 s'),
    (1, 10, 7, 7, 'cocina', 'urgent', 'completed',
	now() - interval '20 minutes', now() - interval '20 minutes',
	now() - interval '20 minutes' + interval '8 s'),
    (1, 10, 8, 1, 'cocina', 'normal', 'completed',
	now() - interval '2 hours', now() - interval '2 hours',
	now() - interval '2 hours' + interval '100 s'),
    -- to the kitchen screen in the last hour, and two hours ago
    (1, 10, 9, 2, 'cocina', 'normal', 'fallback',
	now() - interval '30 minutes', now() - interval '30 minutes',
	now() - interval '29 minutes'),
    (1, 10, 10, 3, 'cocina', 'normal', 'fallback',
	now() - interval '2 hours', now() - interval '2 hours',
	now() - interval '2 hours'),
    -- cancelled before it printed: in no figure
    (1, 10, 11, 4, 'cocina', 'low', 'cancelled', now() - interval '1 minute',
	NULL, now());

-- tasca/mar: a low one waiting, an urgent one printing, one printed in 30 s
INSERT INTO print_queue (company_id, branch_id, id, order_id, station,
    priority, status, created_at, processed_at, completed_at) VALUES
    (1, 11, 1, 1, 'cocina', 'low', 'pending', now(), NULL, NULL),
    (1, 11, 2, 1, 'cocina', 'urgent', 'processing', now(), now(), NULL),
    (1, 11, 3, 1, 'cocina', 'normal', 'completed',
	now() - interval '5 minutes', now() - interval '5 minutes',
	now() - interval '5 minutes' + interval '30 s');

-- otra/luna: five waiting, one printed in 1 s
INSERT INTO print_queue (company_id, branch_id, id, order_id, station,
    priority, status, created_at, completed_at)
SELECT 2, 20, i, 1, 'cocina', 'normal', 'pending', now(), NULL
FROM generate_series(1, 5) i;
INSERT INTO print_queue (company_id, branch_id, id, order_id, station,
    priority, status, created_at, completed_at) VALUES
    (2, 20, 6, 1, 'cocina', 'normal', 'completed', now() - interval '1 minute',
	now() - interval '1 minute' + interval '1 s');

-- alerts: active and over
INSERT INTO alerts (company_id, branch_id, kind, level, printer, message,
    raised_at, cleared_at) VALUES
    (1, 10, 'queue_high', 'warning', NULL, 'cola alta: 40 tickets',
	now() - interval '20 minutes', NULL),
    (1, 10, 'printer_down', 'critical', 'cocina1', 'cocina1 sin papel',
	now() - interval '10 minutes', NULL),
    (1, 10, 'slow_print', 'warning', NULL, 'impresión lenta',
	now() - interval '2 hours', now() - interval '1 hour'),
    (1, 11, 'slow_print', 'warning', NULL, 'impresión lenta',
	now() - interval '5 minutes', NULL),
    (2, 20, 'queue_high', 'warning', NULL, 'cola alta', now(), NULL);
" >/dev/null || { fail "the data set does not load"; finish; }

# --- dashboard (000 15.3.5: queue and performance) ---------------------------
# pending processing failed completed_last_hour fallback_last_hour
# avg_processing_s target_s status

expect "dashboard of a branch" "$(pg_query dashboard.sql "'tasca'" "'sol'")" \
    "3|1|1|2|1|6.00|5.0|good"
expect "dashboard of the other branch" \
    "$(pg_query dashboard.sql "'tasca'" "'mar'")" "1|1|0|1|0|30.00|5.0|warning"
expect "dashboard of a company" "$(pg_query dashboard.sql "'tasca'" NULL)" \
    "4|2|1|3|1|14.00|5.0|warning"
expect "dashboard of another company" \
    "$(pg_query dashboard.sql "'otra'" NULL)" "5|0|0|1|0|1.00|5.0|good"
expect "dashboard of a branch of another company" \
    "$(pg_query dashboard.sql "'tasca'" "'luna'")" "0|0|0|0|0|0.00|5.0|good"
expect "dashboard of nobody" "$(pg_query dashboard.sql "'nadie'" NULL)" \
    "0|0|0|0|0|0.00|5.0|good"

# --- queue status (000 15.5): urgent normal low total -------------------------

expect "queue status of a branch" \
    "$(pg_query queue-status.sql "'tasca'" "'sol'")" "1|3|0|4"
expect "queue status of a company" \
    "$(pg_query queue-status.sql "'tasca'" NULL)" "2|3|1|6"
expect "queue status of another company" \
    "$(pg_query queue-status.sql "'otra'" NULL)" "0|5|0|5"
expect "queue status of nobody" \
    "$(pg_query queue-status.sql "'nadie'" NULL)" "0|0|0|0"

# --- orders per hour over the last 24 hours (000 15.3.5: orders_trend) ------

expect "orders per hour of a branch" \
    "$(pg_query orders-per-hour.sql "'tasca'" "'sol'")" \
    "$(hour 4)|4
$(hour 1)|2
$(hour 0)|1"
expect "orders per hour of a company" \
    "$(pg_query orders-per-hour.sql "'tasca'" NULL)" \
    "$(hour 4)|4
$(hour 1)|3
$(hour 0)|1"
expect "orders per hour of another company" \
    "$(pg_query orders-per-hour.sql "'otra'" NULL)" "$(hour 4)|3"

# --- active alerts, critical first, then oldest first -----------------------

expect "active alerts of a company" \
    "$(pg_query alerts-active.sql "'tasca'" NULL | cut -d'|' -f1-5)" \
    "sol|printer_down|critical|cocina1|cocina1 sin papel
sol|queue_high|warning||cola alta: 40 tickets
mar|slow_print|warning||impresión lenta"
expect "active alerts of a branch" \
    "$(pg_query alerts-active.sql "'tasca'" "'mar'" | cut -d'|' -f1-5)" \
    "mar|slow_print|warning||impresión lenta"

# The next tickets of a priority, oldest first, come from the pending
# index without a sort (as a PostgreSQL-backed queue would claim them).
expect "the pending index gives the next tickets" "$(psql_q "
    SET enable_seqscan = off;
    EXPLAIN (COSTS OFF) SELECT id FROM print_queue
    WHERE company_id = 1 AND branch_id = 10 AND status = 'pending'
      AND priority = 'urgent'
    ORDER BY created_at LIMIT 10" |
    grep -c -e idx_print_queue_pending -e Sort)" 1

finish
