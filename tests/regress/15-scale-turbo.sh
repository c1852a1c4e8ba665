# Autoscale: a backlog past scale_up_at raises the worker target (to max),
# workers start only for printers with work, and go back to min when the
# queue empties; workers.scale by hand.  Turbo: on and off by hand (admin
# only), and by its automatic rule: on after a backlog of queue_on held
# for sustain_s, tickets batched per transmission, off once calm.
. tests/regress/lib.sh
mkconf "workers.min=1" "workers.max=3" "workers.scale_up_at=3" \
    "workers.scale_down_at=1" "workers.scale_step=2" "turbo.auto=no"
start_printsim cocina "$P1" --speed 200 || exit 1
start_printsim bar "$P2" --speed 200 || exit 1
start_printsim postres "$P3" --speed 200 || exit 1
start_daemon || exit 1
start_watch

w() { field "$(req '{"op":"stats"}')" ".workers.$1"; }
order() {
	req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa","table":"1",
	  "items":[{"product":"paella"},{"product":"agua"},{"product":"flan"}]}' \
	    >/dev/null
}

expect "starts at min" "$(w alive)" 1
for i in 1 2 3 4 5 6; do order; done
wait_until 5 '[ "$(w target)" = 3 ]' || fail "target did not scale up"
# printers are paused: nobody has work a worker could do yet
expect "no printer with work, no new worker" "$(w alive)" 1
for p in cocina1 bar1 postres1; do
	req '{"op":"printer.resume","printer":"'$p'"}' >/dev/null
done
wait_until 5 '[ "$(w alive)" = 3 ]' || fail "workers did not scale to 3"
expect "workers event" "$(events workers .target | head -1)" 3
wait_until 30 '[ "$(field "$(req "{\"op\":\"stats\"}")" .queue.completed)" = 18 ]' ||
    fail "backlog not printed"
wait_until 5 '[ "$(w target)" = 1 ] && [ "$(w alive)" = 1 ]' ||
    fail "did not scale down (target $(w target), alive $(w alive))"

# by hand
r=$(req '{"op":"workers.scale","direction":"up","n":2}')
expect "scale up" "$(field "$r" .workers.target)" 3
r=$(req '{"op":"workers.scale","direction":"down","n":5}')
expect "scale down clamps at min" "$(field "$r" .workers.target)" 1
r=$(req '{"op":"workers.scale","direction":"sideways"}')
expect "scale bad direction" "$(field "$r" .error.code)" EINVAL

# turbo by hand: workers to max; a waiter may not touch it
req '{"op":"users.add","name":"ana","role":"waiter","pin":"1234"}' >/dev/null
tok=$(field "$(req '{"op":"login","user":"ana","pin":"1234"}')" .token)
r=$(req '{"op":"turbo","mode":"on","token":"'"$tok"'"}')
expect "waiter turbo" "$(field "$r" .error.code)" EPERM
r=$(req '{"op":"workers.scale","direction":"up","token":"'"$tok"'"}')
expect "waiter scale" "$(field "$r" .error.code)" EPERM
r=$(req '{"op":"printer.pause","printer":"bar1","token":"'"$tok"'"}')
expect "waiter pause" "$(field "$r" .error.code)" EPERM
r=$(req '{"op":"turbo","token":"'"$tok"'"}')
expect "waiter may look" "$(field "$r" .turbo.on)" false
r=$(req '{"op":"turbo","mode":"on"}')
expect "turbo on" "$(field "$r" .turbo.on)" true
expect "turbo target max" "$(w target)" 3
expect "turbo event" "$(events turbo .on | tail -1)" true
r=$(req '{"op":"turbo","mode":"fast"}')
expect "turbo bad mode" "$(field "$r" .error.code)" EINVAL
r=$(req '{"op":"turbo","mode":"off"}')
expect "turbo off" "$(field "$r" .turbo.on)" false
stop_daemon

# turbo by itself
mkconf "turbo.auto=yes" "turbo.queue_on=4" "turbo.sustain_s=1" \
    "turbo.off_below=2" "turbo.off_print_ms=60000" "turbo.batch=4"
start_daemon || exit 1
: >"$T/events"
start_watch
for i in 1 2 3 4 5 6; do order; done
wait_until 5 '[ "$(field "$(req "{\"op\":\"stats\"}")" .turbo.on)" = true ]' ||
    fail "turbo did not switch itself on"
expect "turbo reason" "$(field "$(req '{"op":"stats"}')" .turbo.reason)" \
    "cola alta sostenida"
for p in cocina1 bar1 postres1; do
	req '{"op":"printer.resume","printer":"'$p'"}' >/dev/null
done
wait_until 30 '[ "$(field "$(req "{\"op\":\"stats\"}")" .queue.completed)" = 18 ]' ||
    fail "turbo backlog not printed"
wait_until 5 '[ "$(field "$(req "{\"op\":\"stats\"}")" .turbo.on)" = false ]' ||
    fail "turbo did not switch itself off"
[ "$(events job.printed 'select(.batch > 1)' | grep -c .)" -gt 0 ] ||
    fail "no ticket was sent in a batch"
expect "all on paper" $(( $(tickets cocina) + $(tickets bar) + $(tickets postres) )) 36
finish
