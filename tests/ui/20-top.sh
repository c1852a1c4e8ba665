# fastops-top, the admin's dashboard, on a real daemon with simulated
# printers: it draws whole in 80x24 and 200x50, in colour, with --mono,
# on a monochrome terminal and on an ASCII one; its counters, printers
# and latencies follow the orders as they print, also when only events
# (not the refresh interval) can tell it; its keys really switch turbo,
# scale the workers, pause and resume a printer and clear failed jobs
# (after asking); a resize keeps the screen whole; with the daemon
# stopped it says so and shows the shared memory read-only, as --shm
# does; q leaves the terminal as it found it.
. tests/ui/lib.sh
# postres1 is switched off (nothing on its port): its tickets fail at
# once and end on the kitchen screen, failed, for the retry/clear keys
PRINTING=1 mkconf "workers.retry_delay_ms=100" "workers.max_attempts=1" \
    "workers.print_timeout_ms=1000" "turbo.print_timeout_ms=800" \
    "turbo.auto=no"
start_printsim cocina "$P1" || exit 1
start_printsim bar "$P2" || exit 1
start_daemon || exit 1

TOP="$BIN/fastops-top -f $T/fastops.ini"
CTLJ="$BIN/fastops-ctl -f $T/fastops.ini --json"
TITLE="FastOps top — demo/centro"

order() {
	r=$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"mesa",
	    "table":"1","items":[{"product":"'"$1"'"}]}')
	[ "$(field "$r" .ok)" = true ] || fail "order.create $1: $r"
}
# shown NAME: the "impresos N" of the summary line
shown() {
	ui_screen "$1" | sed -n 's/.* impresos \([0-9][0-9]*\) .*/\1/p' |
	    head -1
}
# whole NAME ROWS HINT: title on the first line, the key bar (with HINT)
# on the last, the title once, and nothing a terminal would not print
whole() {
	s=$(ui_screen "$1")
	first=$(printf '%s\n' "$s" | head -1)
	last=$(printf '%s\n' "$s" | sed -n "${2}p")
	case $first in *"$TITLE"*) ;; *) fail "$1: no title: '$first'" ;; esac
	case $last in *"$3"*) ;; *) fail "$1: no key bar: '$last'" ;; esac
	expect "$1: one title" "$(printf '%s\n' "$s" | grep -c "FastOps top")" 1
	if printf '%s\n' "$s" | LC_ALL=C grep -q "$(printf '[\001-\010\033]')"
	then
		fail "$1: control characters on screen"
	fi
	if printf '%s\n' "$s" | grep -q '�'; then
		fail "$1: replacement characters on screen"
	fi
}
# colours NAME: the SGR colour codes on screen (30-37, 40-47, 38;5, 48;5)
colours() {
	tm capture-pane -e -p -t "$1" |
	    grep -oE "$(printf '\033')\[[0-9;]*m" |
	    grep -cE '\[([0-9;]*;)?(3[0-7]|4[0-7]|[34]8;5;[0-9]+)(;[0-9;]*)?m'
}
stats() {
	$CTLJ stats | jq -r "$1"
}
printer() {
	field "$(req '{"op":"printers"}')" \
	    ".printers[] | select(.name == \"$1\") | .$2"
}

# --- the command line -------------------------------------------------
expect "version" "$($BIN/fastops-top --version)" "fastops-top 0.1.0"
$BIN/fastops-top --help | grep -q '^usage: fastops-top \[-f file\]' ||
    fail "--help prints no usage"
$BIN/fastops-top --interval 0 -f "$T/fastops.ini" 2>/dev/null
expect "bad --interval" $? 2
$BIN/fastops-top --bogus 2>/dev/null
expect "bad option" $? 2
$BIN/fastops-top -f "$T/fastops.ini" </dev/null >/dev/null 2>&1
expect "not a terminal" $? 1

# --- 80x24, colour ----------------------------------------------------
ui_start main 80 24 "$TOP 2>$T/main.err"
ui_wait main "$TITLE" || exit 1
ui_wait main "conectado"
ui_wait main "impresos 0"
ui_wait main "cocina1"
ui_wait main "LATENCIA"
ui_wait main "TICKETS IMPRESOS POR HORA"
ui_wait main "trabajadores 3 activos (mín 3, máx 10, objetivo 3)"
whole main 24 "q:salir"
ui_screen main | grep -qE '^ +total +— ' || fail "total latency before any"
[ "$(colours main)" -gt 0 ] || fail "main: no colours"

# --- an event-driven one: its interval is too long to see anything ------
ui_start ev 80 24 "$TOP --interval 60 2>$T/ev.err"
ui_wait ev "impresos 0" || exit 1

# --- orders flow: counters, the printer row and latencies move --------
for i in 1 2 3 4; do
	order paella
done
ui_wait main "impresos 4"
ui_wait ev "impresos 4" 5
ui_screen main | grep -qE '^. cocina1 +cocina +cerrado +[a-z ]+ +[0-9]+ % +4 ' ||
    fail "cocina1 row does not show 4 printed"
ui_screen main | grep -qE '^ +total +[0-9.]+ m?s ' ||
    fail "no total latency after printing"
ui_screen main | grep -qE 'objetivo|< 5 s' || fail "no 5 s target"

# --- turbo, with the letter and with its F-key ------------------------
expect "turbo before" "$(stats .turbo.on)" false
ui_keys main t
wait_until 5 '[ "$(stats .turbo.on)" = true ]' || fail "t: turbo not on"
ui_wait main "turbo SÍ (manual)"
ui_keys main F2
wait_until 5 '[ "$(stats .turbo.on)" = false ]' || fail "F2: turbo not off"
ui_wait main "turbo no (manual)"

# --- scaling the workers ----------------------------------------------
ui_keys main +
wait_until 5 '[ "$(stats .workers.target)" = 4 ]' || fail "+: target not 4"
ui_wait main "objetivo 4)"
ui_keys main -
wait_until 5 '[ "$(stats .workers.target)" = 3 ]' || fail "-: target not 3"

# --- pause and resume the selected printer ----------------------------
ui_keys main Down
ui_wait main "▶ bar1"
ui_keys main p
wait_until 5 '[ "$(printer bar1 paused)" = true ]' || fail "p: bar1 not paused"
ui_wait main "en pausa"
expect "cocina1 untouched" "$(printer cocina1 paused)" false
ui_keys main F7
wait_until 5 '[ "$(printer bar1 paused)" = false ]' ||
    fail "F7: bar1 not resumed"
ui_gone main "en pausa"

# --- failed jobs: retry asks first, clear clears -----------------------
order flan
ui_wait main "fallidos 1" 15
ui_keys main r
ui_wait main "¿Reintentar los 1 trabajos fallidos?"
ui_keys main n
ui_wait main "Cancelado"
expect "no retry on n" "$(stats .queue.failed_now)" 1
ui_keys main c
ui_wait main "¿Borrar los 1 trabajos fallidos?"
ui_keys main s
wait_until 5 '[ "$(stats .queue.failed_now)" = 0 ]' || fail "c: not cleared"
ui_wait main "fallidos 0"

# --- help ------------------------------------------------------------
ui_keys main '?'
ui_wait main "fastops-top — ayuda"
ui_keys main x
ui_gone main "fastops-top — ayuda"
ui_keys main F1
ui_wait main "fastops-top — ayuda"
ui_keys main Escape
ui_gone main "fastops-top — ayuda"

# --- resizes keep it whole --------------------------------------------
ui_resize main 200 50
ui_wait main "F10/q salir"
sleep 0.3
whole main 50 "F10/q salir"
ui_wait main "objetivo p99 < 5 s: cumplido"
ui_resize main 60 20
ui_wait main "Terminal demasiado pequeña"
ui_resize main 80 24
ui_wait main "q:salir"
sleep 0.3
whole main 24 "q:salir"

# --- 200x50 from the start; monochrome; ASCII ---------------------------
ui_start big 200 50 "$TOP 2>$T/big.err"
ui_wait big "impresos 4"
whole big 50 "F10/q salir"
ui_screen big | grep -qE '^ +[0-9]+ +.*█' || fail "big: no bar chart"

ui_start mono 80 24 "$TOP --mono 2>$T/mono.err"
ui_wait mono "impresos 4"
whole mono 24 "q:salir"
expect "--mono: no colours" "$(colours mono)" 0
tm capture-pane -e -p -t mono | grep -q "$(printf '\033')\[[0-9;]*7[;m]" ||
    fail "--mono: no reverse title"

UI_TERM=xterm-mono ui_start xmono 80 24 "$TOP 2>$T/xmono.err"
ui_wait xmono "impresos 4"
whole xmono 24 "q:salir"
expect "xterm-mono: no colours" "$(colours xmono)" 0
ui_keys xmono F1
ui_wait xmono "fastops-top — ayuda"
ui_keys xmono x

ui_start ascii 80 24 "LC_ALL=C LANG=C $TOP 2>$T/ascii.err"
ui_wait ascii "FastOps top - demo/centro"
ui_wait ascii "trabajadores 3 activos (min 3, max 10"
ui_screen ascii | LC_ALL=C grep -q "$(printf '[\200-\377]')" &&
    fail "ascii: non-ASCII bytes on screen"

# --- the daemon stops answering: the shared memory, read-only ----------
kill -STOP "$DPID"
ui_start ro 80 24 "$TOP --shm 2>$T/ro.err"
ui_wait ro "MEMORIA COMPARTIDA (solo lectura)"
ui_wait ro "impresos 4"
ui_wait ro "cocina1"
ui_keys ro t
ui_wait ro "Necesita fastops-queued"
ui_wait main "SIN CONEXIÓN" 10
ui_wait main "MEMORIA COMPARTIDA (solo lectura)" 10
ui_wait main "impresos 4"
ui_keys main t
ui_wait main "inténtelo luego"
kill -CONT "$DPID"
ui_wait main "conectado" 10
ui_gone main "MEMORIA COMPARTIDA"
expect "turbo untouched while stopped" "$(stats .turbo.on)" false
ui_keys ro q

# --- q restores the terminal --------------------------------------------
for s in main ev big mono xmono ascii; do
	ui_keys "$s" q
done
for s in main ev big mono xmono ascii ro; do
	wait_until 5 '[ "$(tm list-panes -t "$s" -F "#{pane_current_command}")" = sleep ]' ||
	    fail "$s: q did not quit"
	expect "$s: alternate screen left" \
	    "$(tm list-panes -t "$s" -F '#{alternate_on}')" 0
	ui_screen "$s" | grep -q "FastOps top" && fail "$s: screen not restored"
	if [ -s "$T/$s.err" ]; then
		fail "$s: stderr not empty"
		sed 's/^/    | /' "$T/$s.err" >&2
	fi
done
finish
