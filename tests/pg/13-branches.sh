#!/bin/sh
# Two branches of one company, two daemons, one database: each branch's
# rows are its own (their order and ticket ids overlap, their rows never
# mix), and the company-wide queries add both up.
. tests/pg/synclib.sh

pgconf
start_daemon || finish

# the second branch: its own directory, instance and printers
N=$T/norte
mkdir -p "$N"
cp "$T/menu.csv" "$N/"
sed -e "s|$T/state|$N/state|" -e "s|$T/run|$N/run|" \
    -e "s|^instance = .*|instance = ${INSTANCE}n|" \
    -e "s|^branch = .*|branch = norte|" "$T/fastops.ini" >"$N/fastops.ini"
grep -q '^branch = norte' "$N/fastops.ini" || fail "no norte config"
"$BIN/fastops-queued" -d -f "$N/fastops.ini" >>"$N/daemon.log" 2>&1 &
N_PID=$!
SIMS="$SIMS $N_PID"
CENTRO=$CTL
wait_until 10 '[ -S "$N/run/control.ipc" ]' ||
    { fail "norte does not start: $(cat "$N/daemon.log")"; finish; }
sleep 0.3

# in_branch CTL COMMAND...: run with req aimed at that daemon
in_branch() {
	_c=$CTL
	CTL=$1
	shift
	"$@"
	_rc=$?
	CTL=$_c
	return $_rc
}

"$TOOLS/loadgen" run -u "ipc://$CENTRO" -c 2 -n 15 >/dev/null ||
    fail "centro orders"
"$TOOLS/loadgen" run -u "ipc://$N/run/control.ipc" -c 2 -n 10 >/dev/null ||
    fail "norte orders"
in_branch "$N/run/control.ipc" req '{"op":"order.cancel","id":3}' >/dev/null
synced || fail "centro not synced"
in_branch "$N/run/control.ipc" synced || fail "norte not synced"

expect "branches" "$(psql_q "SELECT string_agg(b.name, ',' ORDER BY b.name)
    FROM branches b JOIN companies c ON c.id = b.company_id
    WHERE c.name = 'demo'")" "centro,norte"
expect "orders per branch" "$(psql_q "SELECT string_agg(b.name || '=' ||
    n, ',' ORDER BY b.name) FROM (SELECT branch_id, count(*) AS n
    FROM orders GROUP BY 1) o JOIN branches b ON b.id = o.branch_id")" \
    "centro=30,norte=20"
expect "the same order ids in both" "$(psql_q "SELECT count(*) FROM
    (SELECT id FROM orders GROUP BY id HAVING count(*) = 2) x")" 20
compare_orders "centro"
in_branch "$N/run/control.ipc" compare_orders "norte" norte
expect "order 3 cancelled in norte only" "$(psql_q "SELECT string_agg(
    b.name || ':' || o.state, ',' ORDER BY b.name) FROM orders o
    JOIN branches b ON b.id = o.branch_id WHERE o.id = 3")" \
    "centro:en_cola,norte:cancelado"
expect "cursors" "$(psql_q "SELECT count(*) FROM sync_cursor")" 2

# the seeds' queries per branch and for the company
pend() {
	pg_query queue-status.sql "'demo'" "$1" | cut -d'|' -f4
}
c=$(field "$(req '{"op":"queue.status"}')" \
    '.queue.urgent + .queue.normal + .queue.low')
n=$(field "$(in_branch "$N/run/control.ipc" req '{"op":"queue.status"}')" \
    '.queue.urgent + .queue.normal + .queue.low')
expect "queue centro" "$(pend "'centro'")" "$c"
expect "queue norte" "$(pend "'norte'")" "$n"
expect "queue company" "$(pend NULL)" "$((c + n))"
expect "dashboard company" "$(pg_query dashboard.sql "'demo'" NULL |
    cut -d'|' -f1)" "$((c + n))"
expect "another company sees nothing" "$(pg_query queue-status.sql \
    "'otra'" NULL | cut -d'|' -f4)" 0

# the reports, per branch and for the company, from what the daemons wrote
rep() {
	"$BIN/fastops-ctl" -f "$T/fastops.ini" --json report hourly "$@" |
	    jq -c '[.[] | select(.hour == null) | [.branch, .orders]]'
}
expect "report centro" "$(rep)" '[[null,30]]'
expect "report norte" "$(rep --branch norte)" '[[null,20]]'
expect "report company" "$(rep --all-branches)" \
    '[["centro",30],["norte",20],[null,50]]'

kill "$N_PID"
wait "$N_PID" 2>/dev/null
finish
