# A station with two printers.  An offline printer fails its attempt and
# the retry prints on the sibling; a hung printer (accepts, never answers)
# times out after print_timeout_ms and the ticket goes to the sibling; a
# worker stuck past worker_timeout_ms is killed, restarted, and its ticket
# reprinted on the sibling marked REIMPRESIÓN.  None lost, no unmarked
# duplicate.
. tests/regress/lib.sh
PRINTING=1 mkconf "workers.retry_delay_ms=200" "workers.print_timeout_ms=1000" "turbo.print_timeout_ms=800" \
    "workers.worker_timeout_ms=2000" "workers.max_attempts=10" \
    "breaker.failures=50" "printer cocina1.confirm=gs-h"
PRINTING=1 add_cocina2
start_printsim cocina "$P1" --fault offline || exit 1
start_printsim cocina2 "$P4" || exit 1
start_printsim bar "$P2" || exit 1
start_printsim postres "$P3" || exit 1
start_daemon || exit 1
start_watch

# job FIELD ID: a field of the order's first job
job() {
	field "$(req '{"op":"order.get","id":'"$2"'}')" ".order.jobs[0].$1"
}

# 1. offline: refused by status, printed by the sibling.  The sibling
# waits paused until cocina1 has failed once, so cocina1 is tried first.
req '{"op":"printer.pause","printer":"cocina2"}' >/dev/null
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa","table":"3",
  "items":[{"product":"secreto","qty":1}]}')
ID=$(field "$r" .order.id)
wait_until 10 '[ -n "$(events job.failed)" ]' || fail "offline: no failure"
req '{"op":"printer.resume","printer":"cocina2"}' >/dev/null
wait_until 10 '[ "$(tickets cocina2)" -ge 1 ]' || fail "sibling did not print"
wait_until 5 '[ "$(job status "$ID")" = completed ]' || fail "offline: status"
expect "offline: printed by" "$(job printer "$ID")" cocina2
expect "offline: retried" "$(job 'attempts >= 2' "$ID")" true
expect "offline: nothing on cocina1" "$(tickets cocina)" 0
expect "offline: job.failed says why" \
    "$(events job.failed .error | head -1)" '"fuera de línea"'
p=$(req '{"op":"printers"}')
expect "offline: last error" \
    "$(field "$p" '.printers[] | select(.name == "cocina1") | .last_error')" \
    "fuera de línea"

# 2. hung: cocina1 takes the connection and never answers
stop_printsim cocina
start_printsim cocina "$P1" --fault hang || exit 1
n2=$(tickets cocina2)
req '{"op":"printer.pause","printer":"cocina2"}' >/dev/null
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa","table":"4",
  "items":[{"product":"merluza","qty":2}]}')
ID2=$(field "$r" .order.id)
wait_until 10 '[ "$(job status "$ID2")" = processing ]' ||
    fail "hung: cocina1 never took it"
req '{"op":"printer.resume","printer":"cocina2"}' >/dev/null
wait_until 10 '[ "$(tickets cocina2)" -gt "$n2" ]' || fail "hung: not rerouted"
expect "hung: timed out" \
    "$(events job.failed "select(.job == $(job id "$ID2")) | .error" | head -1)" \
    '"sin respuesta"'
ticket cocina2 $((n2 + 1)) | grep -qF "2 x Merluza en salsa verde" ||
    fail "hung: wrong ticket on cocina2"
expect "hung: cocina1 printed nothing" "$(tickets cocina)" 0

# 3. a worker stuck (SIGSTOP) in the middle of a ticket is killed at
# worker_timeout_ms; the ticket is reprinted on the sibling, marked
stop_printsim cocina
stop_printsim cocina2
start_printsim cocina "$P1" --speed 20 || exit 1
start_printsim cocina2 "$P4" --speed 20 || exit 1
req '{"op":"printer.pause","printer":"cocina2"}' >/dev/null
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"llevar",
  "items":[{"product":"chuletillas","qty":1}]}')
ID3=$(field "$r" .order.id)
wait_until 10 '[ "$(job status "$ID3")" = processing ]' ||
    fail "stuck: never printing"
pid=$(field "$(req '{"op":"printers"}')" \
    '.printers[] | select(.name == "cocina1") | .worker')
kill -STOP "$pid" 2>/dev/null || fail "stuck: no worker pid ($pid)"
req '{"op":"printer.resume","printer":"cocina2"}' >/dev/null
wait_until 15 'ticket cocina2 $(tickets cocina2) | grep -q "Chuletillas"' ||
    fail "stuck: not reprinted on the sibling"
last=$(ticket cocina2 "$(tickets cocina2)")
echo "$last" | grep -q "REIMPRESIÓN" || fail "stuck: reprint not marked"
kill -0 "$pid" 2>/dev/null && fail "stuck worker $pid still alive"
s=$(req '{"op":"stats"}')
expect "stuck: counted" "$(field "$s" .workers.killed_stuck)" 1
wait_until 5 '[ "$(field "$(req "{\"op\":\"stats\"}")" .workers.alive)" -ge 3 ]' ||
    fail "workers not restarted"

wait_until 10 all_settled || fail "some ticket neither printed nor fallback"
expect "no unmarked duplicate" "$(unmarked_duplicates cocina cocina2)" ""
finish
