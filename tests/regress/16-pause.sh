#!/bin/sh
# A printer paused by hand stays paused across a restart, whether the
# daemon stopped cleanly (the state is in the snapshot) or was killed
# (the pause record is replayed); resumed, it takes its tickets again,
# and starts as its [printer] paused says.
. tests/regress/lib.sh
PRINTING=1 mkconf
start_printsim cocina "$P1" || exit 1
start_printsim bar "$P2" || exit 1
start_printsim postres "$P3" || exit 1
start_daemon || exit 1

paused() {
	field "$(req '{"op":"printers"}')" \
	    ".printers[] | select(.name == \"$1\") | .paused"
}
op() {	# op pause|resume PRINTER
	expect "$1 $2" "$(field "$(req '{"op":"printer.'"$1"'",
	    "printer":"'"$2"'"}')" .ok)" true
}

op pause bar1
expect "paused" "$(paused bar1)" true
# a ticket for the bar waits while its printer is paused
r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa",
    "table":"4","items":[{"product":"cerveza","qty":2}]}')
ID=$(field "$r" .order.id)
sleep 1
expect "nothing printed on a paused printer" "$(tickets bar)" 0

stop_daemon
start_daemon || exit 1
expect "paused after a clean restart" "$(paused bar1)" true
expect "the others as configured" "$(paused cocina1) $(paused postres1)" \
    "false false"
expect "the ticket still waits" "$(field "$(req '{"op":"order.get",
    "id":'"$ID"'}')" '.order.jobs[0].status')" pending

op resume bar1
wait_until 10 '[ "$(tickets bar)" = 1 ]' || fail "not printed after resume"
op pause postres1
stop_daemon KILL
start_daemon || exit 1
expect "resumed after a crash" "$(paused bar1)" false
expect "paused after a crash" "$(paused postres1)" true

# resumed, a printer starts as configured: paused if the file says so
stop_daemon
PRINTING=1 mkconf "printer cocina1.paused=yes"
start_daemon || exit 1
expect "configured paused" "$(paused cocina1)" true
op resume cocina1
stop_daemon
start_daemon || exit 1
expect "configured paused, after a resume and a restart" \
    "$(paused cocina1)" true
expect "still paused by hand" "$(paused postres1)" true

# a printer that does not exist is refused
expect "unknown printer" "$(field "$(req '{"op":"printer.pause",
    "printer":"nada"}')" .error.code)" ENOENT
finish
