# fastops-ctl report hourly|printers|failures on a known day (2026-03-10):
# two branches of one company, and another company with a branch of the
# same name whose rows must never show; orders, tickets and events on the
# day, the day before and just after midnight.  Each figure below is
# counted by hand from the rows inserted.
#
# The session's time zone is Europe/Madrid (UTC+1 in March): a ticket
# printed at 00:20 on the 11th there is on the 10th in UTC, so a report
# that ignored the time zone would count the next day's rows.
. tests/pg/lib.sh
PGTZ=Europe/Madrid
export PGTZ
pg_start
ctl db migrate --conninfo "$CONNINFO" --sql "$SRC/sql" >/dev/null ||
    { fail "migrate"; finish; }

"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$CONNINFO" >/dev/null <<'SQL' ||
INSERT INTO companies (id, name) VALUES (1, 'tasca'), (2, 'otra');
INSERT INTO branches (id, company_id, name) VALUES
    (10, 1, 'sol'), (11, 1, 'mar'), (20, 2, 'sol');
INSERT INTO stations (company_id, branch_id, name) VALUES
    (1, 10, 'cocina'), (1, 10, 'bar'), (1, 11, 'cocina'), (2, 20, 'cocina');
INSERT INTO printers (company_id, branch_id, name, station, uri) VALUES
    (1, 10, 'cocina1', 'cocina', 'tcp://127.0.0.1:9101'),
    (1, 10, 'cocina2', 'cocina', 'tcp://127.0.0.1:9102'),
    (1, 10, 'bar1', 'bar', 'tcp://127.0.0.1:9103'),
    (1, 11, 'cocina1', 'cocina', 'tcp://127.0.0.1:9101'),
    (2, 20, 'cocina1', 'cocina', 'tcp://127.0.0.1:9101');

-- orders: tasca/sol three on the day, one the day before and one just
-- after midnight; tasca/mar one; otra/sol one
INSERT INTO orders (company_id, branch_id, id, uuid, number, type, waiter,
    created_at) VALUES
    (1, 10, 1, gen_random_uuid(), 'L-0001', 'llevar', 'ana',
	'2026-03-10 09:10:00+01'),
    (1, 10, 2, gen_random_uuid(), 'L-0002', 'llevar', 'ana',
	'2026-03-10 09:40:00+01'),
    (1, 10, 3, gen_random_uuid(), 'L-0003', 'llevar', 'ana',
	'2026-03-10 13:05:00+01'),
    (1, 10, 4, gen_random_uuid(), 'L-0004', 'llevar', 'ana',
	'2026-03-09 23:50:00+01'),
    (1, 10, 5, gen_random_uuid(), 'L-0005', 'llevar', 'ana',
	'2026-03-11 00:10:00+01'),
    (1, 11, 1, gen_random_uuid(), 'L-0001', 'llevar', 'luis',
	'2026-03-10 09:20:00+01'),
    (2, 20, 1, gen_random_uuid(), 'L-0001', 'llevar', 'eva',
	'2026-03-10 09:15:00+01');
INSERT INTO order_items (company_id, branch_id, order_id, line, product,
    name, qty, price_cents, station) VALUES
    (1, 10, 1, 1, 'tortilla', 'Tortilla', 2, 500, 'cocina'),
    (1, 10, 1, 2, 'cana', 'Caña', 1, 200, 'bar'),
    (1, 10, 2, 1, 'tortilla', 'Tortilla', 1, 500, 'cocina'),
    (1, 10, 3, 1, 'croquetas', 'Croquetas', 4, 300, 'cocina'),
    (1, 10, 4, 1, 'tortilla', 'Tortilla', 5, 500, 'cocina'),
    (1, 10, 5, 1, 'tortilla', 'Tortilla', 6, 500, 'cocina'),
    (1, 11, 1, 1, 'tortilla', 'Tortilla', 2, 500, 'cocina'),
    (2, 20, 1, 1, 'tortilla', 'Tortilla', 7, 500, 'cocina');

-- tickets of tasca/sol
INSERT INTO print_queue (company_id, branch_id, id, order_id, station,
    printer, status, kind, reprint, created_at, processed_at,
    completed_at) VALUES
    -- queued the day before, printed 20 s later on the day
    (1, 10, 12, 4, 'cocina', 'cocina2', 'completed', 'new', 0,
	'2026-03-09 23:59:50+01', '2026-03-10 00:00:05+01',
	'2026-03-10 00:00:10+01'),
    -- 09h: 3 s, 5 s (not under the target) and 9 s
    (1, 10, 1, 1, 'cocina', 'cocina1', 'completed', 'new', 0,
	'2026-03-10 09:10:00+01', '2026-03-10 09:10:01+01',
	'2026-03-10 09:10:03+01'),
    (1, 10, 2, 1, 'bar', 'bar1', 'completed', 'new', 0,
	'2026-03-10 09:10:00+01', '2026-03-10 09:10:02+01',
	'2026-03-10 09:10:05+01'),
    (1, 10, 3, 2, 'cocina', 'cocina2', 'completed', 'new', 0,
	'2026-03-10 09:40:00+01', '2026-03-10 09:40:05+01',
	'2026-03-10 09:40:09+01'),
    -- 13h: 2 s, and a reprint 30 s
    (1, 10, 4, 3, 'cocina', 'cocina1', 'completed', 'new', 0,
	'2026-03-10 13:05:00+01', '2026-03-10 13:05:00.5+01',
	'2026-03-10 13:05:02+01'),
    (1, 10, 5, 3, 'cocina', 'cocina1', 'completed', 'reprint', 1,
	'2026-03-10 13:20:00+01', '2026-03-10 13:20:10+01',
	'2026-03-10 13:20:30+01'),
    -- to the kitchen screen; failed and still so; waiting
    (1, 10, 6, 3, 'cocina', 'cocina2', 'fallback', 'new', 0,
	'2026-03-10 13:05:00+01', '2026-03-10 13:05:00+01',
	'2026-03-10 13:06:00+01'),
    (1, 10, 7, 1, 'bar', 'bar1', 'failed', 'modify', 0,
	'2026-03-10 13:05:00+01', '2026-03-10 13:05:10+01',
	'2026-03-10 13:07:00+01'),
    (1, 10, 10, 3, 'cocina', NULL, 'pending', 'new', 0,
	'2026-03-10 13:30:00+01', NULL, NULL),
    -- the day before, and the next day (just after midnight)
    (1, 10, 8, 4, 'cocina', 'cocina1', 'completed', 'new', 0,
	'2026-03-09 22:00:00+01', '2026-03-09 22:00:01+01',
	'2026-03-09 22:00:04+01'),
    (1, 10, 11, 4, 'bar', 'bar1', 'failed', 'new', 0,
	'2026-03-09 21:00:00+01', '2026-03-09 21:00:01+01',
	'2026-03-09 21:00:30+01'),
    (1, 10, 9, 5, 'cocina', 'cocina1', 'completed', 'new', 0,
	'2026-03-11 00:10:00+01', '2026-03-11 00:10:01+01',
	'2026-03-11 00:20:00+01');

-- tasca/mar: printed in 3 s
INSERT INTO print_queue (company_id, branch_id, id, order_id, station,
    printer, status, created_at, processed_at, completed_at) VALUES
    (1, 11, 1, 1, 'cocina', 'cocina1', 'completed',
	'2026-03-10 09:20:00+01', '2026-03-10 09:20:01+01',
	'2026-03-10 09:20:03+01');

-- otra/sol: printed in 100 s, one failed still
INSERT INTO print_queue (company_id, branch_id, id, order_id, station,
    printer, status, created_at, processed_at, completed_at) VALUES
    (2, 20, 1, 1, 'cocina', 'cocina1', 'completed',
	'2026-03-10 09:15:00+01', '2026-03-10 09:16:00+01',
	'2026-03-10 09:16:40+01'),
    (2, 20, 2, 1, 'cocina', 'cocina1', 'failed',
	'2026-03-10 09:15:00+01', '2026-03-10 09:16:00+01',
	'2026-03-10 13:30:00+01');

INSERT INTO events (company_id, branch_id, kind, order_id, job_id,
    created_at, data) VALUES
    -- tasca/sol, the day
    (1, 10, 'order.created', 1, NULL, '2026-03-10 09:10:00+01', '{}'),
    (1, 10, 'job.claimed', 1, 1, '2026-03-10 09:10:01+01',
	'{"printer": "cocina1", "station": "cocina"}'),
    (1, 10, 'job.printed', 1, 1, '2026-03-10 09:10:03+01',
	'{"printer": "cocina1", "station": "cocina"}'),
    (1, 10, 'job.retry', 1, 1, '2026-03-10 09:12:00+01',
	'{"printer": "cocina1", "station": "cocina", "error": "timeout"}'),
    (1, 10, 'job.fallback', 1, 2, '2026-03-10 09:30:00+01',
	'{"printer": null, "station": "bar"}'),
    (1, 10, 'job.failed', 3, 6, '2026-03-10 13:05:30+01',
	'{"printer": "cocina2", "station": "cocina", "error": "tapa abierta"}'),
    (1, 10, 'job.retry', 1, 7, '2026-03-10 13:05:30+01',
	'{"printer": "bar1", "station": "bar", "error": "timeout"}'),
    (1, 10, 'job.fallback', 3, 6, '2026-03-10 13:06:00+01',
	'{"printer": "cocina2", "station": "cocina"}'),
    (1, 10, 'job.retry', 3, 4, '2026-03-10 13:06:00+01',
	'{"printer": "cocina1", "station": "cocina", "error": "sin papel"}'),
    (1, 10, 'job.failed', 1, 7, '2026-03-10 13:07:00+01',
	'{"printer": "bar1", "station": "bar", "error": "sin papel"}'),
    (1, 10, 'job.retry', 3, 10, '2026-03-10 13:10:00+01',
	'{"printer": null, "station": "cocina", "error": "ninguna impresora"}'),
    (1, 10, 'job.requeued', 3, 10, '2026-03-10 13:11:00+01',
	'{"printer": null, "station": "cocina"}'),
    -- tasca/sol, the day before and the next day
    (1, 10, 'job.retry', 4, 8, '2026-03-09 22:00:02+01',
	'{"printer": "cocina1", "station": "cocina", "error": "ayer"}'),
    (1, 10, 'job.fallback', 4, 8, '2026-03-09 22:00:03+01',
	'{"printer": null, "station": "cocina"}'),
    (1, 10, 'job.failed', 5, 9, '2026-03-11 00:05:00+01',
	'{"printer": "cocina1", "station": "cocina", "error": "mañana"}'),
    (1, 10, 'job.fallback', 5, 9, '2026-03-11 00:06:00+01',
	'{"printer": null, "station": "cocina"}'),
    -- tasca/mar
    (1, 11, 'job.retry', 1, 1, '2026-03-10 09:20:01+01',
	'{"printer": "cocina1", "station": "cocina", "error": "atasco"}'),
    (1, 11, 'job.fallback', 1, 2, '2026-03-10 10:00:00+01',
	'{"printer": null, "station": "cocina"}'),
    -- otra/sol
    (2, 20, 'job.failed', 1, 2, '2026-03-10 13:30:00+01',
	'{"printer": "cocina1", "station": "cocina", "error": "otra"}'),
    (2, 20, 'job.fallback', 1, 2, '2026-03-10 13:31:00+01',
	'{"printer": null, "station": "cocina"}');
SQL
    { fail "the data set does not load"; finish; }

printf '[daemon]\ncompany = tasca\nbranch = sol\n[postgres]\nconninfo = %s\n' \
    "$CONNINFO" >"$T/fastops.ini"
rep() { ctl -f "$T/fastops.ini" "$@"; }
D="--date 2026-03-10"

# expect_json DESCRIPTION JSON FILTER WANT: jq's FILTER of JSON equals WANT
# (as JSON values: 20.0 is 20, "20" is not)
expect_json() {
	if ! printf '%s\n' "$2" |
	    jq -e --argjson want "$4" "($3) == \$want" >/dev/null 2>&1; then
		fail "$1: got $(printf '%s\n' "$2" | jq -c "$3" 2>&1), want $4"
	fi
}

# --- hourly ------------------------------------------------------------------
# orders at 09:10 (3 items), 09:40 (1) and 13:05 (4); tickets printed queued
# -> on paper at 00:00 (20 s, queued the day before), 09h (3, 5, 9 s) and
# 13h (2 s, 30 s); fallbacks at 09:30 and 13:06

out=$(rep report hourly $D 2>"$T/err")
expect "hourly: exit" "$?" 0
expect "hourly: quiet" "$(cat "$T/err")" ""
expect "hourly of a branch" "$out" \
"hour  orders  items  printed  fallbacks  total_p50_s  total_p95_s  total_p99_s  under_5s
   0       0      0        1          0        20.00        20.00        20.00     0.000
   9       2      4        3          1         5.00         8.60         8.92     0.333
  13       1      4        2          1        16.00        28.60        29.72     0.500
   -       3      8        6          2         7.00        27.50        29.50     0.333"

out=$(rep --json report hourly $D)
expect "hourly --json: exit" "$?" 0
expect_json "hourly --json of a branch" "$out" . '[
{"hour":0,"orders":0,"items":0,"printed":1,"fallbacks":0,"total_p50_s":20,
 "total_p95_s":20,"total_p99_s":20,"under_5s":0},
{"hour":9,"orders":2,"items":4,"printed":3,"fallbacks":1,"total_p50_s":5,
 "total_p95_s":8.6,"total_p99_s":8.92,"under_5s":0.333},
{"hour":13,"orders":1,"items":4,"printed":2,"fallbacks":1,"total_p50_s":16,
 "total_p95_s":28.6,"total_p99_s":29.72,"under_5s":0.5},
{"hour":null,"orders":3,"items":8,"printed":6,"fallbacks":2,
 "total_p50_s":7,"total_p95_s":27.5,"total_p99_s":29.5,"under_5s":0.333}]'
expect_json "hourly --json: columns in order" "$out" '.[0] | keys_unsorted' \
    '["hour","orders","items","printed","fallbacks","total_p50_s",
    "total_p95_s","total_p99_s","under_5s"]'
expect_match "hourly --json: integers as integers" "$out" \
    '^\[\{"hour":0,"orders":0,"items":0,"printed":1,'

# tasca/mar adds an order at 09:20 (2 items) printed in 3 s, a fallback
# at 10:00
out=$(rep report hourly $D --all-branches)
expect "hourly --all-branches: exit" "$?" 0
expect "hourly --all-branches" "$out" \
"branch  hour  orders  items  printed  fallbacks  total_p50_s  total_p95_s  total_p99_s  under_5s
sol        0       0      0        1          0        20.00        20.00        20.00     0.000
-          0       0      0        1          0        20.00        20.00        20.00     0.000
mar        9       1      2        1          0         3.00         3.00         3.00     1.000
sol        9       2      4        3          1         5.00         8.60         8.92     0.333
-          9       3      6        4          1         4.00         8.40         8.88     0.500
mar       10       0      0        0          1            -            -            -         -
-         10       0      0        0          1            -            -            -         -
sol       13       1      4        2          1        16.00        28.60        29.72     0.500
-         13       1      4        2          1        16.00        28.60        29.72     0.500
mar        -       1      2        1          1         3.00         3.00         3.00     1.000
sol        -       3      8        6          2         7.00        27.50        29.50     0.333
-          -       4     10        7          3         5.00        27.00        29.40     0.429"
out=$(rep --json report hourly $D --all-branches)
expect_json "hourly --json --all-branches" "$out" \
    'map([.branch, .hour, .orders, .items, .printed, .fallbacks,
    .total_p50_s, .total_p95_s, .total_p99_s, .under_5s])' '[
["sol",0,0,0,1,0,20,20,20,0], [null,0,0,0,1,0,20,20,20,0],
["mar",9,1,2,1,0,3,3,3,1], ["sol",9,2,4,3,1,5,8.6,8.92,0.333],
[null,9,3,6,4,1,4,8.4,8.88,0.5],
["mar",10,0,0,0,1,null,null,null,null], [null,10,0,0,0,1,null,null,null,null],
["sol",13,1,4,2,1,16,28.6,29.72,0.5], [null,13,1,4,2,1,16,28.6,29.72,0.5],
["mar",null,1,2,1,1,3,3,3,1], ["sol",null,3,8,6,2,7,27.5,29.5,0.333],
[null,null,4,10,7,3,5,27,29.4,0.429]]'
expect_json "hourly --json --all-branches: a branch column first" "$out" \
    '.[0] | keys_unsorted | .[0:2]' '["branch","hour"]'

out=$(rep report hourly $D --branch mar)
expect "hourly --branch" "$out" \
"hour  orders  items  printed  fallbacks  total_p50_s  total_p95_s  total_p99_s  under_5s
   9       1      2        1          0         3.00         3.00         3.00     1.000
  10       0      0        0          1            -            -            -         -
   -       1      2        1          1         3.00         3.00         3.00     1.000"

# the days around it: the day before has an order at 23:50 (5 items), a
# ticket printed at 22:00 in 4 s and a fallback; the next day, from
# midnight in Madrid, an order at 00:10 (6 items), printed in 600 s
expect "hourly of the day before" "$(rep report hourly --date 2026-03-09)" \
"hour  orders  items  printed  fallbacks  total_p50_s  total_p95_s  total_p99_s  under_5s
  22       0      0        1          1         4.00         4.00         4.00     1.000
  23       1      5        0          0            -            -            -         -
   -       1      5        1          1         4.00         4.00         4.00     1.000"
expect "hourly of the next day" "$(rep report hourly --date 2026-03-11)" \
"hour  orders  items  printed  fallbacks  total_p50_s  total_p95_s  total_p99_s  under_5s
   0       1      6        1          1       600.00       600.00       600.00     0.000
   -       1      6        1          1       600.00       600.00       600.00     0.000"

# an empty day: the header alone, or []
out=$(rep report hourly --date 2026-03-12)
expect "hourly of an empty day: exit" "$?" 0
expect "hourly of an empty day" "$out" \
    "hour  orders  items  printed  fallbacks  total_p50_s  total_p95_s  total_p99_s  under_5s"
out=$(rep --json report hourly --date 2026-03-12 --all-branches)
expect "hourly --json of an empty day: exit" "$?" 0
expect "hourly --json of an empty day" "$out" "[]"

# without --date: today, in the session's time zone
psql_q "INSERT INTO orders (company_id, branch_id, id, uuid, number, type,
    waiter, created_at) VALUES (1, 11, 2, gen_random_uuid(), 'L-0002',
    'llevar', 'luis', current_date + time '12:00')" >/dev/null ||
    fail "today's order"
expect "hourly of today" "$(rep report hourly --branch mar)" \
"hour  orders  items  printed  fallbacks  total_p50_s  total_p95_s  total_p99_s  under_5s
  12       1      0        0          0            -            -            -         -
   -       1      0        0          0            -            -            -         -"

# --- printers ----------------------------------------------------------------
# tickets printed (taken -> on paper, queued -> on paper): cocina1 2/3 s,
# 1.5/2 s, 20/30 s; cocina2 5/20 s, 4/9 s; bar1 3/5 s.  Failed attempts:
# cocina1 2 retries, cocina2 1 failure, bar1 a retry and a failure, and a
# retry of cocina naming no printer.  Fallbacks: one each of bar, cocina.

out=$(rep report printers $D 2>"$T/err")
expect "printers: exit" "$?" 0
expect "printers: quiet" "$(cat "$T/err")" ""
expect "printers of a branch" "$out" \
"station  printer  printed  failed_attempts  fallbacks  print_p50_s  print_p95_s  total_p50_s  total_p95_s  total_p99_s
bar      bar1           1                2          -         3.00         3.00         5.00         5.00         5.00
bar      -              1                2          1         3.00         3.00         5.00         5.00         5.00
cocina   cocina1        3                2          -         2.00        18.20         3.00        27.30        29.46
cocina   cocina2        2                1          -         4.50         4.95        14.50        19.45        19.89
cocina   -              5                4          1         4.00        17.00         9.00        28.00        29.60
-        -              6                6          2         3.50        16.25         7.00        27.50        29.50"

out=$(rep --json report printers $D)
expect_json "printers --json of a branch" "$out" . '[
{"station":"bar","printer":"bar1","printed":1,"failed_attempts":2,
 "fallbacks":null,"print_p50_s":3,"print_p95_s":3,"total_p50_s":5,
 "total_p95_s":5,"total_p99_s":5},
{"station":"bar","printer":null,"printed":1,"failed_attempts":2,
 "fallbacks":1,"print_p50_s":3,"print_p95_s":3,"total_p50_s":5,
 "total_p95_s":5,"total_p99_s":5},
{"station":"cocina","printer":"cocina1","printed":3,"failed_attempts":2,
 "fallbacks":null,"print_p50_s":2,"print_p95_s":18.2,"total_p50_s":3,
 "total_p95_s":27.3,"total_p99_s":29.46},
{"station":"cocina","printer":"cocina2","printed":2,"failed_attempts":1,
 "fallbacks":null,"print_p50_s":4.5,"print_p95_s":4.95,"total_p50_s":14.5,
 "total_p95_s":19.45,"total_p99_s":19.89},
{"station":"cocina","printer":null,"printed":5,"failed_attempts":4,
 "fallbacks":1,"print_p50_s":4,"print_p95_s":17,"total_p50_s":9,
 "total_p95_s":28,"total_p99_s":29.6},
{"station":null,"printer":null,"printed":6,"failed_attempts":6,
 "fallbacks":2,"print_p50_s":3.5,"print_p95_s":16.25,"total_p50_s":7,
 "total_p95_s":27.5,"total_p99_s":29.5}]'

# tasca/mar: cocina1 printed in 2/3 s, a retry; a fallback of cocina
out=$(rep report printers $D --all-branches)
expect "printers --all-branches" "$out" \
"branch  station  printer  printed  failed_attempts  fallbacks  print_p50_s  print_p95_s  total_p50_s  total_p95_s  total_p99_s
mar     cocina   cocina1        1                1          -         2.00         2.00         3.00         3.00         3.00
mar     cocina   -              1                1          1         2.00         2.00         3.00         3.00         3.00
mar     -        -              1                1          1         2.00         2.00         3.00         3.00         3.00
sol     bar      bar1           1                2          -         3.00         3.00         5.00         5.00         5.00
sol     bar      -              1                2          1         3.00         3.00         5.00         5.00         5.00
sol     cocina   cocina1        3                2          -         2.00        18.20         3.00        27.30        29.46
sol     cocina   cocina2        2                1          -         4.50         4.95        14.50        19.45        19.89
sol     cocina   -              5                4          1         4.00        17.00         9.00        28.00        29.60
sol     -        -              6                6          2         3.50        16.25         7.00        27.50        29.50
-       -        -              7                7          3         3.00        15.50         5.00        27.00        29.40"
out=$(rep --json report printers $D --all-branches)
expect_json "printers --json --all-branches: the company" "$out" \
    '.[-1]' '{"branch":null,"station":null,"printer":null,"printed":7,
    "failed_attempts":7,"fallbacks":3,"print_p50_s":3,"print_p95_s":15.5,
    "total_p50_s":5,"total_p95_s":27,"total_p99_s":29.4}'
expect_json "printers --json --all-branches: the rows" "$out" \
    'map([.branch, .station, .printer])' '[["mar","cocina","cocina1"],
    ["mar","cocina",null], ["mar",null,null], ["sol","bar","bar1"],
    ["sol","bar",null], ["sol","cocina","cocina1"],
    ["sol","cocina","cocina2"], ["sol","cocina",null], ["sol",null,null],
    [null,null,null]]'

expect "printers of the day before" "$(rep report printers --date 2026-03-09)" \
"station  printer  printed  failed_attempts  fallbacks  print_p50_s  print_p95_s  total_p50_s  total_p95_s  total_p99_s
cocina   cocina1        1                1          -         3.00         3.00         4.00         4.00         4.00
cocina   -              1                1          1         3.00         3.00         4.00         4.00         4.00
-        -              1                1          1         3.00         3.00         4.00         4.00         4.00"
expect "printers --json of an empty day" \
    "$(rep --json report printers --date 2026-03-12)" "[]"

# --- failures ----------------------------------------------------------------
# and a ticket of bar1 failed at 13:07, still failed (one of the day
# before too, which is not counted)

out=$(rep report failures $D 2>"$T/err")
expect "failures: exit" "$?" 0
expect "failures: quiet" "$(cat "$T/err")" ""
expect "failures of a branch" "$out" \
'station  printer  retries  failures  fallbacks  failed_now  last_error_at             last_error
bar      bar1           1         1          -           1  2026-03-10T13:07:00+0100  "sin papel"
bar      -              1         1          1           1  2026-03-10T13:07:00+0100  "sin papel"
cocina   cocina1        2         0          -           0  2026-03-10T13:06:00+0100  "sin papel"
cocina   cocina2        0         1          -           0  2026-03-10T13:05:30+0100  "tapa abierta"
cocina   -              3         1          1           0  2026-03-10T13:10:00+0100  "ninguna impresora"
-        -              4         2          2           1  2026-03-10T13:10:00+0100  "ninguna impresora"'

out=$(rep --json report failures $D)
expect_json "failures --json of a branch" "$out" . '[
{"station":"bar","printer":"bar1","retries":1,"failures":1,"fallbacks":null,
 "failed_now":1,"last_error_at":"2026-03-10T13:07:00+0100",
 "last_error":"sin papel"},
{"station":"bar","printer":null,"retries":1,"failures":1,"fallbacks":1,
 "failed_now":1,"last_error_at":"2026-03-10T13:07:00+0100",
 "last_error":"sin papel"},
{"station":"cocina","printer":"cocina1","retries":2,"failures":0,
 "fallbacks":null,"failed_now":0,"last_error_at":"2026-03-10T13:06:00+0100",
 "last_error":"sin papel"},
{"station":"cocina","printer":"cocina2","retries":0,"failures":1,
 "fallbacks":null,"failed_now":0,"last_error_at":"2026-03-10T13:05:30+0100",
 "last_error":"tapa abierta"},
{"station":"cocina","printer":null,"retries":3,"failures":1,"fallbacks":1,
 "failed_now":0,"last_error_at":"2026-03-10T13:10:00+0100",
 "last_error":"ninguna impresora"},
{"station":null,"printer":null,"retries":4,"failures":2,"fallbacks":2,
 "failed_now":1,"last_error_at":"2026-03-10T13:10:00+0100",
 "last_error":"ninguna impresora"}]'

out=$(rep report failures $D --all-branches)
expect "failures --all-branches" "$out" \
'branch  station  printer  retries  failures  fallbacks  failed_now  last_error_at             last_error
mar     cocina   cocina1        1         0          -           0  2026-03-10T09:20:01+0100  atasco
mar     cocina   -              1         0          1           0  2026-03-10T09:20:01+0100  atasco
mar     -        -              1         0          1           0  2026-03-10T09:20:01+0100  atasco
sol     bar      bar1           1         1          -           1  2026-03-10T13:07:00+0100  "sin papel"
sol     bar      -              1         1          1           1  2026-03-10T13:07:00+0100  "sin papel"
sol     cocina   cocina1        2         0          -           0  2026-03-10T13:06:00+0100  "sin papel"
sol     cocina   cocina2        0         1          -           0  2026-03-10T13:05:30+0100  "tapa abierta"
sol     cocina   -              3         1          1           0  2026-03-10T13:10:00+0100  "ninguna impresora"
sol     -        -              4         2          2           1  2026-03-10T13:10:00+0100  "ninguna impresora"
-       -        -              5         2          3           1  2026-03-10T13:10:00+0100  "ninguna impresora"'
out=$(rep --json report failures $D --all-branches)
expect_json "failures --json --all-branches: the company" "$out" '.[-1]' \
    '{"branch":null,"station":null,"printer":null,"retries":5,"failures":2,
    "fallbacks":3,"failed_now":1,"last_error_at":"2026-03-10T13:10:00+0100",
    "last_error":"ninguna impresora"}'

# the next day's failure of 00:05 in Madrid (23:05 UTC on the 10th)
expect "failures of the next day" "$(rep report failures --date 2026-03-11)" \
'station  printer  retries  failures  fallbacks  failed_now  last_error_at             last_error
cocina   cocina1        0         1          -           0  2026-03-11T00:05:00+0100  mañana
cocina   -              0         1          1           0  2026-03-11T00:05:00+0100  mañana
-        -              0         1          1           0  2026-03-11T00:05:00+0100  mañana'
expect "failures of an empty day" "$(rep report failures --date 2026-03-12)" \
    "station  printer  retries  failures  fallbacks  failed_now  last_error_at  last_error"

# --- the other company sees its own -------------------------------------------

printf '[daemon]\ncompany = otra\nbranch = sol\n[postgres]\nconninfo = %s\n' \
    "$CONNINFO" >"$T/otra.ini"
expect "the other company's failures" \
    "$(ctl -f "$T/otra.ini" report failures $D --all-branches)" \
'branch  station  printer  retries  failures  fallbacks  failed_now  last_error_at             last_error
sol     cocina   cocina1        0         1          -           1  2026-03-10T13:30:00+0100  otra
sol     cocina   -              0         1          1           1  2026-03-10T13:30:00+0100  otra
sol     -        -              0         1          1           1  2026-03-10T13:30:00+0100  otra
-       -        -              0         1          1           1  2026-03-10T13:30:00+0100  otra'
expect "the other company's hours" \
    "$(ctl -f "$T/otra.ini" report hourly $D)" \
"hour  orders  items  printed  fallbacks  total_p50_s  total_p95_s  total_p99_s  under_5s
   9       1      7        1          0       100.00       100.00       100.00     0.000
  13       0      0        0          1            -            -            -         -
   -       1      7        1          1       100.00       100.00       100.00     0.000"

# --- where the database and the SQL come from ----------------------------------

printf '[daemon]\ncompany = tasca\nbranch = sol\n' >"$T/nopg.ini"
out=$(ctl -f "$T/nopg.ini" report failures $D --conninfo "$CONNINFO" |
    tail -1)
expect "--conninfo" "$out" \
    '-        -              4         2          2           1  2026-03-10T13:10:00+0100  "ninguna impresora"'
out=$(ctl -f "$T/nopg.ini" report failures $D 2>"$T/err")
expect "no [postgres] section: exit" "$?" 3
expect "no [postgres] section: nothing printed" "$out" ""
expect_match "no [postgres] section: says so" "$(cat "$T/err")" \
    "has no \[postgres\] section"

mkdir -p "$T/sql/queries"
cp "$SRC"/sql/queries/report-*.sql "$T/sql/queries/"
sed 's/sum(orders)/summ(orders)/' "$SRC/sql/queries/report-hourly.sql" \
    >"$T/sql/queries/report-hourly.sql"
out=$(rep report hourly $D --sql "$T/sql" 2>"$T/err")
expect "a broken query: exit" "$?" 1
expect "a broken query: nothing printed" "$out" ""
expect_match "a broken query: its file and line" "$(cat "$T/err")" \
    "report-hourly.sql:$(grep -n 'summ(orders)' "$T/sql/queries/report-hourly.sql" |
    cut -d: -f1): function summ\(integer\) does not exist"
out=$(FASTOPS_SQLDIR=$T/sql rep report printers $D | tail -1)
expect "FASTOPS_SQLDIR" "$out" \
    "-        -              6                6          2         3.50        16.25         7.00        27.50        29.50"
rep report hourly $D --sql "$T/nonexistent" >"$T/out" 2>"$T/err"
expect "no SQL directory: exit" "$?" 3
expect "no SQL directory: nothing printed" "$(cat "$T/out")" ""

# --- errors: nothing on standard output ----------------------------------------

# refuse DESCRIPTION STATUS STDERR-REGEX ARG...
refuse() {
	_d=$1 _st=$2 _re=$3
	shift 3
	rep "$@" >"$T/out" 2>"$T/err"
	expect "$_d: exit" "$?" "$_st"
	expect "$_d: nothing printed" "$(cat "$T/out")" ""
	expect_match "$_d: says why" "$(cat "$T/err")" "$_re"
}

for d in 2026-02-30 2026-02-29 2100-02-29 2026-13-01 2026-00-10 2026-03-00 \
    2026-03-32 0000-01-01 2026-3-10 2026-03-1 20260310 2026/03/10 \
    2026-03-10x " 2026-03-10" "" today; do
	refuse "--date '$d'" 2 "--date takes a day as YYYY-MM-DD, not \"$d\"" \
	    report hourly --date "$d"
done
# but a leap day is a day
expect "--date of a leap day" "$(rep --json report hourly --date 2024-02-29)" \
    "[]"

refuse "an unknown branch" 1 \
    "^fastops-ctl: no branch luna of company tasca in the database$" \
    report hourly $D --branch luna
refuse "an unknown branch, --json" 1 \
    "^fastops-ctl: no branch luna of company tasca in the database$" \
    --json report printers --branch luna
refuse "a branch of another company" 1 \
    "^fastops-ctl: no branch mar of company otra in the database$" \
    -f "$T/otra.ini" report failures --branch mar
printf '[daemon]\ncompany = nadie\nbranch = sol\n[postgres]\nconninfo = %s\n' \
    "$CONNINFO" >"$T/nadie.ini"
refuse "an unknown company" 1 \
    "^fastops-ctl: no branch sol of company nadie in the database$" \
    -f "$T/nadie.ini" report hourly
refuse "an unknown company, all branches" 1 \
    "^fastops-ctl: no company nadie in the database$" \
    -f "$T/nadie.ini" report hourly --all-branches
psql_q "INSERT INTO companies (id, name) VALUES (3, 'nadie')" >/dev/null
refuse "a company without branches" 1 \
    "^fastops-ctl: no branch of company nadie in the database$" \
    -f "$T/nadie.ini" --json report failures --all-branches

refuse "a bad branch name" 2 "--branch takes a branch name" \
    report hourly --branch 'sol; DROP TABLE orders'
refuse "--branch and --all-branches" 2 "exclude each other" \
    report hourly --branch mar --all-branches
refuse "an unknown report" 2 'no report "weekly"' report weekly
refuse "no report" 2 "^usage: fastops-ctl report hourly\|printers\|failures" \
    report
refuse "two reports" 2 "^usage: fastops-ctl report " report hourly printers
refuse "an unknown option" 2 "unknown option --day" report hourly --day 1
expect "the orders are still there" "$(psql_q "SELECT count(*) FROM orders")" \
    8

finish
