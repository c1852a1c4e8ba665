# When no printer of a station can print: the circuit breaker opens after
# `failures` failures, the station's tickets go to the kitchen screen
# (job.fallback with the whole ticket, an alert, the on_fallback command),
# and the breaker half-opens after open_for_s and closes after close_after
# good probes once the printer is back.  A printer reporting "paper out"
# never has a ticket counted printed.
. tests/regress/lib.sh
mkdir -p "$T/fb"
PRINTING=1 mkconf "workers.retry_delay_ms=100" "workers.max_attempts=3" \
    "workers.print_timeout_ms=1000" "turbo.print_timeout_ms=800" "breaker.failures=2" \
    "breaker.open_for_s=2" "breaker.close_after=2" \
    "station postres.on_fallback=cp %f $T/fb/"
start_printsim cocina "$P1" || exit 1
start_printsim bar "$P2" --fault paper-out || exit 1
# postres1 is switched off: nothing listens on its port
start_daemon || exit 1
start_watch

# job FIELD ID
job() {
	field "$(req '{"op":"order.get","id":'"$2"'}')" ".order.jobs[0].$1"
}
printer() {
	field "$(req '{"op":"printers"}')" \
	    ".printers[] | select(.name == \"$1\") | .$2"
}

r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa","table":"8",
  "items":[{"product":"tarta_queso","qty":2,"notes":"dos cucharas"}]}')
ID=$(field "$r" .order.id)
wait_until 15 '[ "$(job status "$ID")" = fallback ]' ||
    fail "postres ticket never went to the kitchen screen"
fb=$(events job.fallback)
expect "one fallback event" "$(printf "%s\n" "$fb" | grep -c .)" 1
expect "fallback: whole ticket" "$(printf "%s\n" "$fb" | jq -r '.ticket.items[0].name')" \
    "Tarta de queso"
expect "fallback: station" "$(printf "%s\n" "$fb" | jq -r .station)" postres
expect "fallback: order number" "$(printf "%s\n" "$fb" | jq -r .number)" M-0001
printf "%s\n" "$fb" | jq -r .text | grep -qF "2 x Tarta de queso" ||
    fail "fallback text lacks the item"
printf "%s\n" "$fb" | jq -r .text | grep -qF "> dos cucharas" ||
    fail "fallback text lacks the note"
wait_until 5 'ls "$T/fb/" | grep -q ticket' || fail "on_fallback did not run"
grep -qF "2 x Tarta de queso" "$T"/fb/ticket-*.txt ||
    fail "on_fallback file lacks the ticket"
expect "breaker open" "$(printer postres1 circuit)" open
s=$(req '{"op":"stats"}')
expect "alerts" "$(field "$s" '[.alerts[].kind] | sort | join(",")')" \
    "fallback,printer_down"
expect "fallback counted" "$(field "$s" .print.fallbacks)" 1
expect "alert event" "$(events alert 'select(.alert == "printer_down") | .printer' |
    head -1)" '"postres1"'

# while the breaker is open the station is down: straight to the screen
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa","table":"9",
  "items":[{"product":"flan","qty":1}]}')
ID2=$(field "$r" .order.id)
wait_until 5 '[ "$(job status "$ID2")" = fallback ]' ||
    fail "open breaker: ticket not sent to the screen"
expect "open breaker: no attempt" "$(job attempts "$ID2")" 0

# the printer comes back: half-open after open_for_s, closed after probes
start_printsim postres "$P3" || exit 1
wait_until 10 '[ "$(printer postres1 circuit)" = closed ]' ||
    fail "breaker did not close (is $(printer postres1 circuit))"
seq=$(events printer.state 'select(.printer == "postres1") | .circuit' |
    tr -d '"' | tr '\n' ' ')
case $seq in
open\ *half_open\ closed\ ) ;;
*) fail "breaker transitions: $seq" ;;
esac
s=$(req '{"op":"stats"}')
expect "printer_down cleared" \
    "$(field "$s" '[.alerts[] | select(.kind == "printer_down")] | length')" 0

# retry from the screen once the printer is back: printed, off the screen
j=$(job id "$ID")
r=$(req '{"op":"jobs.retry","id":'"$j"'}')
expect "retry ok" "$(field "$r" .count)" 1
wait_until 10 '[ "$(job status "$ID")" = completed ]' || fail "retry not printed"
grep -qF "2 x Tarta de queso" "$T/postres.out" || fail "retried ticket"
r=$(req '{"op":"jobs.retry","id":'"$j"'}')
expect "retry twice" "$(field "$r" .error.code)" ENOENT

# paper out: the bar printer refuses; nothing counted printed there
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa","table":"10",
  "items":[{"product":"cerveza","qty":1}]}')
ID3=$(field "$r" .order.id)
wait_until 15 '[ "$(job status "$ID3")" = fallback ]' ||
    fail "paper out: not sent to the screen"
expect "paper out: error" "$(printer bar1 last_error)" "sin papel"
expect "paper out: printed" "$(printer bar1 printed)" 0
expect "paper out: on paper" "$(tickets bar)" 0
c=$(req '{"op":"jobs.clear_failed","all":true}')
expect "clear" "$(field "$c" .count)" 2

wait_until 5 all_settled || fail "a ticket neither printed nor on the screen"
finish
