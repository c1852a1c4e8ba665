# A ticket that may already be on paper is printed again marked
# REIMPRESIÓN, never silently twice and never lost: the printer drops the
# connection in the middle of a ticket; a worker is killed (-9) in the
# middle of one and is restarted.
. tests/regress/lib.sh
PRINTING=1 mkconf "workers.retry_delay_ms=100" "workers.print_timeout_ms=8000" \
    "workers.worker_timeout_ms=20000" "printer bar1.confirm=gs-h"
start_printsim cocina "$P1" --fault drop=1 || exit 1
start_printsim bar "$P2" --speed 20 || exit 1
start_printsim postres "$P3" || exit 1
start_daemon || exit 1

job() {
	field "$(req '{"op":"order.get","id":'"$2"'}')" ".order.jobs[0].$1"
}

# 1. the printer drops the connection half way through the ticket
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa","table":"2",
  "items":[{"product":"albondigas","qty":3,"notes":"salsa aparte"}]}')
ID=$(field "$r" .order.id)
wait_until 10 '[ "$(job status "$ID")" = completed ]' || fail "drop: not printed"
ticket cocina 1 | grep -q "ticket incompleto" || fail "drop: no cut-short ticket"
ticket cocina 2 | grep -q "REIMPRESIÓN" || fail "drop: reprint not marked"
ticket cocina 2 | grep -qF "3 x Albóndigas en salsa" || fail "drop: reprint content"
ticket cocina 2 | grep -qF "> salsa aparte" || fail "drop: reprint note"
expect "drop: attempts" "$(job attempts "$ID")" 2
expect "drop: two on paper" "$(tickets cocina)" 2

# 2. kill -9 the bar worker while its (slow) printer prints
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa","table":"6",
  "items":[{"product":"cerveza","qty":4}]}')
ID2=$(field "$r" .order.id)
wait_until 10 '[ "$(job status "$ID2")" = processing ]' || fail "kill: not printing"
pid=$(field "$(req '{"op":"printers"}')" \
    '.printers[] | select(.name == "bar1") | .worker')
[ "$pid" -gt 0 ] 2>/dev/null || fail "kill: no worker pid"
kill -KILL "$pid"
wait_until 30 '[ "$(job status "$ID2")" = completed ]' || fail "kill: not reprinted"
wait_until 10 'grep -q "REIMPRESIÓN" "$T/bar.out"' || fail "kill: reprint not marked"
grep -qF "4 x Cerveza tercio" "$T/bar.out" || fail "kill: content"
s=$(req '{"op":"stats"}')
expect "kill: crash counted" "$(field "$s" .workers.crashed)" 1
newpid=$(field "$(req '{"op":"printers"}')" \
    '.printers[] | select(.name == "bar1") | .worker')
[ "$newpid" != "$pid" ] && [ "$newpid" -gt 0 ] || fail "kill: no new worker"
expect "kill: order" "$(field "$(req '{"op":"order.get","id":'"$ID2"'}')" \
    .order.state)" impreso

wait_until 5 all_settled || fail "a ticket neither printed nor on the screen"
expect "no unmarked duplicate" "$(unmarked_duplicates cocina bar postres)" ""
finish
