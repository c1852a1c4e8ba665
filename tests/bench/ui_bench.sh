#!/bin/sh
# Benchmarks of the screens (step 4), as markdown table rows: the CPU
# fastops-pos, fastops-kds and fastops-top use idle for 60 s and under a
# flow of 20 orders/s, and how long after a ticket is printed the waiter's
# POS shows it.  The programs run in tmux, as in the screen tests
# (tests/ui/lib.sh), against a real daemon and instant printsims.
cd "$(dirname "$0")/../.." || exit 1
. tests/ui/lib.sh
set +u

PRINTING=1 mkconf
start_printsim cocina "$P1" || exit 1
start_printsim bar "$P2" || exit 1
start_printsim postres "$P3" || exit 1
start_daemon || exit 1
req '{"op":"users.add","name":"ana","role":"waiter","pin":"1234"}' >/dev/null
TOK=$(field "$(req '{"op":"login","user":"ana","pin":"1234"}')" .token)
start_watch

ui_start pos 80 24 "XDG_STATE_HOME=$T/xdg $BIN/fastops-pos -f $T/fastops.ini -u ana"
ui_start kds 120 40 "$BIN/fastops-kds -f $T/fastops.ini"
ui_start top 120 40 "$BIN/fastops-top -f $T/fastops.ini"
ui_wait pos "Usuario:" || exit 1
ui_keys pos -l 1234
ui_keys pos Enter
sleep 1
ui_keys pos o		# "mis pedidos": the live list
sleep 1

# pid NAME: the program's pid (the pane runs it under sh: skip that)
pid() {
	_exe=$(readlink -f "$BIN/fastops-$1")
	for _p in $(pgrep -f "fastops-$1 -f $T/fastops.ini"); do
		[ "$(readlink "/proc/$_p/exe")" = "$_exe" ] && echo "$_p" && return
	done
}
# ticks PID: user + system clock ticks so far
ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
HZ=$(getconf CLK_TCK)
PP=$(pid pos) KP=$(pid kds) TP=$(pid top)

# cpu SECONDS COMMAND: run COMMAND while measuring; "pos% kds% top%"
cpu() {
	s=$1
	shift
	a=$(ticks "$PP") b=$(ticks "$KP") c=$(ticks "$TP")
	"$@"
	a2=$(ticks "$PP") b2=$(ticks "$KP") c2=$(ticks "$TP")
	awk -v s="$s" -v hz="$HZ" -v a=$((a2 - a)) -v b=$((b2 - b)) \
	    -v c=$((c2 - c)) 'BEGIN { printf "pos %.2f%%, kds %.2f%%, top %.2f%%",
		100 * a / hz / s, 100 * b / hz / s, 100 * c / hz / s }'
}

order_as_ana() {
	req '{"op":"order.create","token":"'"$TOK"'","uuid":"'"$(uuid)"'",
	    "type":"mesa","table":"'"$1"'","items":[{"product":"paella"},
	    {"product":"cana"}]}'
}

flow() {	# 20 orders/s for 30 s
	i=0
	while [ $i -lt 600 ]; do
		order_as_ana $((i % 40 + 1)) >/dev/null &
		sleep 0.05
		i=$((i + 1))
	done
	wait
}

IDLE_S=${IDLE_S:-60}
idle=$(cpu "$IDLE_S" sleep "$IDLE_S")
echo "| screens idle for $IDLE_S s, CPU of one core | $idle | < 1% each |"
busy=$(cpu 30 flow)
echo "| screens under 20 orders/s for 30 s, CPU of one core | $busy | report |"

# printed -> shown on the POS: poll the pane every 10 ms
lat=
i=0
while [ $i -lt 20 ]; do
	r=$(order_as_ana 50)
	num=$(field "$r" .order.number)
	id=$(field "$r" .order.id)
	# the screen first (capture-pane is cheap), the event's time after
	n=0
	until ui_screen pos | grep "$num" | grep -q "impreso" ||
	    [ $n -ge 500 ]; do
		sleep 0.01
		n=$((n + 1))
	done
	now=$(date +%s%3N)
	t=$(jq -r "select(.kind == \"order.updated\" and .order.id == $id
	    and .order.state == \"impreso\") | .ts_ms" "$T/events" | head -1)
	if [ -z "$t" ] || [ $n -ge 500 ]; then
		echo "ui_bench: order $num never shown impreso" >&2
		ui_screen pos >&2
		break
	fi
	lat="$lat $((now - t))"
	i=$((i + 1))
done
p=$(echo "$lat" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 }
    END { printf "p50 %d ms, p99 %d ms, max %d ms (%d tickets; screen read every 10 ms)",
	v[int(NR * 0.5 + 0.5)], v[int(NR * 0.99 + 0.5)], v[NR], NR }')
echo "| ticket printed → the waiter's POS shows it impreso | $p | report |"
