#!/bin/sh
# make demo: FastOps on the embedded default (journal only, no database),
# straight from this checkout with etc/fastops.ini, printing to three
# simulated printers (fastops-printsim on 127.0.0.1:9101..9103: cocina,
# bar, postres) at a realistic 250 mm/s.  A scripted stream of orders goes
# in with fastops-ctl while "fastops-ctl watch" records the live events;
# then the bar printer is switched off mid-service to show the fallback,
# and the three printers' paper is shown side by side.  On a terminal,
# once the screens are built, it opens them in tmux instead: the waiter's
# POS beside the kitchen display and the admin's top, the printers' paper
# in a second window, ready to take an order (FASTOPS_DEMO_SCRIPTED=1 runs
# the script anyway).
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
DPID= WPID= SIMS=

stop() {
	[ -n "$WPID" ] && kill "$WPID" 2>/dev/null
	for p in $SIMS; do kill "$p" 2>/dev/null; done
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

say "switching on three simulated printers (paper: $LOG/*.paper)"
# sim NAME PORT: a printer at 250 mm/s with a 300 ms cut, like a kitchen's
sim() {
	"$BIN/fastops-printsim" --listen "tcp://127.0.0.1:$2" --speed 250 \
	    --cut-ms 300 --out "$LOG/$1.paper" -q 2>>"$LOG/printsim.log" &
	SIMS="$SIMS $!"
	eval "SIM_$1=$!"
}
sim cocina 9101
sim bar 9102
sim postres 9103
sleep 0.3
for p in $SIMS; do
	kill -0 "$p" 2>/dev/null && continue
	echo "a printsim did not start (is something on ports 9101-9103?):"
	cat "$LOG/printsim.log"; exit 1
done

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

# On a terminal, with the screens built: FastOps as staff see it, in tmux.
if [ -t 0 ] && [ -t 1 ] && [ -z "${FASTOPS_DEMO_SCRIPTED:-}" ] &&
    command -v tmux >/dev/null && [ -x "$BIN/fastops-pos" ] &&
    [ -x "$BIN/fastops-kds" ] && [ -x "$BIN/fastops-top" ]; then
	$CTL user add ana --role waiter --pin 1234 >/dev/null
	$CTL user add luis --role kitchen --pin 5678 >/dev/null
	S=fastops-demo-$$
	B=$(cd "$BIN" && pwd)
	tmux -u new-session -d -s "$S" -n sala -x 200 -y 50 \
	    "$B/fastops-pos -f $CONF -u ana"
	tmux -u split-window -t "$S:sala" -h -l 50% "$B/fastops-kds -f $CONF"
	tmux -u split-window -t "$S:sala.1" -v -l 50% "$B/fastops-top -f $CONF"
	tmux -u new-window -t "$S" -n papel \
	    "tail -n +1 -F $LOG/cocina.paper"
	tmux -u split-window -t "$S:papel" -h "tail -n +1 -F $LOG/bar.paper"
	tmux -u split-window -t "$S:papel" -h \
	    "tail -n +1 -F $LOG/postres.paper"
	tmux select-layout -t "$S:papel" even-horizontal
	tmux select-window -t "$S:sala"
	tmux select-pane -t "$S:sala.0"
	tmux set -t "$S" status-right \
	    " PIN de ana: 1234 · ventana 'papel': los tickets · salir: C-b d "
	tmux set -t "$S" status-right-length 80
	say "tmux session $S: POS (user ana, PIN 1234) | KDS and top;"
	echo "   window 'papel' shows the printers' paper.  Detach (C-b d) to stop."
	sleep 1
	tmux -u attach -t "$S"
	tmux kill-session -t "$S" 2>/dev/null
	exit 0
fi

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

say "a rush: 12 more orders at once, then the queue and the printers"
for t in 1 2 4 6 7 8 9 10 11 14 15 16; do
	$CTL order create --type mesa --table $t --item fabada \
	    --item "cerveza:2" --item churros >/dev/null &
done
sleep 1
run queue
run printers

say "the bar printer is switched off in the middle of service"
kill "$SIM_bar"
run order create --type mesa --table 20 --item "cana:4" --item agua
sleep 9
run printers
run alerts
echo "(the bar's tickets are on the kitchen screen: job.fallback events)"
grep -c '^job.fallback' "$LOG/events.log" | sed 's/^/job.fallback events: /'

say "the bar printer is back; an admin resumes it and retries what it missed"
sim bar 9102
sleep 0.3
run printer resume bar1
run jobs retry --all
sleep 4

say "orders and their states"
run order list
run order get 1

say "what the events looked like"
sleep 0.2
grep -v '^job.fallback' "$LOG/events.log" | cut -c1-150 | head -20

say "the paper: cocina | bar | postres"
pr -m -t -w 150 "$LOG/cocina.paper" "$LOG/bar.paper" "$LOG/postres.paper" |
    head -120

say "statistics and Prometheus metrics"
run stats | head -30
$CTL metrics | grep -E '^fastops_(orders_created_total|queue_pending|ack_seconds_count|printer_printed_total|fallbacks_total)' 

say "the journal, verified offline after the stop"
stop
DPID= WPID=
run journal verify
