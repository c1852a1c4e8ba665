#!/bin/sh
# make demo: FastOps on the embedded default (journal only, no database),
# straight from this checkout with etc/fastops.ini.  The daemon takes
# orders from fastops-ctl while "fastops-ctl watch" shows the live events.
# Printer workers and the simulated printers arrive with step 3 of the
# plan, the waiter/kitchen/admin screens with step 4: until then tickets
# wait in the queue, in priority order, and the demo shows that.
set -u
BIN=${1:-bin}
# a fresh copy of the shipped configuration: its relative paths (state/,
# run/, menu.csv) then live under build/demo, and every run starts clean
LOG=$(pwd)/build/demo
rm -rf "$LOG"
mkdir -p "$LOG"
cp etc/fastops.ini etc/menu.csv "$LOG/"
CONF=$LOG/fastops.ini
CTL="$BIN/fastops-ctl -f $CONF"
DPID= WPID=

stop() {
	[ -n "$WPID" ] && kill "$WPID" 2>/dev/null
	if [ -n "$DPID" ]; then
		kill -TERM "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
		echo "== fastops-queued stopped (SIGTERM: drained, snapshotted)"
	fi
}
trap stop EXIT
trap 'exit 1' INT TERM

say() { printf '\n== %s\n' "$*"; }
run() { printf '$ fastops-ctl %s\n' "$*"; $CTL "$@"; }

say "checking the configuration"
"$BIN/fastops-queued" -n -f "$CONF" >/dev/null || exit 1

say "starting fastops-queued (log: $LOG/daemon.log)"
"$BIN/fastops-queued" -d -f "$CONF" >"$LOG/daemon.log" 2>&1 &
DPID=$!
i=0
until $CTL --timeout 200 health >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 50 ] || ! kill -0 "$DPID" 2>/dev/null; then
		echo "fastops-queued did not start:"; cat "$LOG/daemon.log"
		DPID=; exit 1
	fi
	sleep 0.1
done
run health

say "live events (fastops-ctl watch), as a kitchen screen will see them"
$CTL watch >"$LOG/events.log" 2>&1 &
WPID=$!
sleep 0.3

say "a waiter takes orders (each acknowledged once durable on disk)"
run order create --type mesa --table 5 --item "hamburguesa:2:sin cebolla" \
    --item cana:3 --item flan
run order create --type mesa --table 12 --item paella:2 --item croquetas \
    --item "vino_rioja:2"
run order create --type llevar --item tortilla --item "cafe_leche:1:con sacarina"
run order create --type domicilio --item pulpo --item tarta_queso:2
id=$($CTL --json order create --type mesa --table 3 --item secreto \
    --item agua | jq -r .order.id)
printf 'order %s created (via --json)\n' "$id"

say "mesa 12 is in a hurry; mesa 5 adds a dessert; the domicilio is cancelled"
run order urgent 2
run order modify 1 --add "helado:1:chocolate"
run order cancel 4
run order reprint 3

say "the queue, urgent first (no printers yet: step 3 brings them)"
run queue
run jobs list --per-page 8

say "orders and their states"
run order list
run order get 1

say "what the events looked like"
sleep 0.2
cut -c1-150 "$LOG/events.log" | head -20

say "statistics and Prometheus metrics"
run stats | head -20
$CTL metrics | grep -E '^fastops_(orders_created_total|queue_pending|ack_seconds_count)' 

say "the journal, verified offline after the stop"
stop
DPID= WPID=
run journal verify
