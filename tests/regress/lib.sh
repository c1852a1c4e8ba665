# Sourced by every regress scenario.  Each scenario runs its own daemon:
# its own directory (state, sockets, config), its own shm instance name,
# and cleans up on exit whatever happens.  Requests go through nngcat, a
# foreign nng client, so the protocol is what is tested, not our library.
set -u

BIN=${BIN:-bin}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
TOOLS=${TOOLS:-build/release/tests}
case $TOOLS in /*) ;; *) TOOLS=$(pwd)/$TOOLS ;; esac
SRC=$(pwd)
T=$(mktemp -d /tmp/fastops-rg.XXXXXX)
NAME=$(basename "$0" .sh)
INSTANCE="rg$$-$(echo "$NAME" | tr -c 'a-z0-9\n' '-' | cut -c1-20)"
DPID=
FAILS=0
# this scenario's printer ports (three, for cocina1, bar1, postres1)
# below the kernel's ephemeral ports (32768-60999 on Debian), which
# outgoing connections of anything else running may hold
PORTBASE=${PORTBASE:-$((10000 + ($$ % 4000) * 4))}
P1=$PORTBASE
P2=$((PORTBASE + 1))
P3=$((PORTBASE + 2))
P4=$((PORTBASE + 3))	# a second kitchen printer, see add_cocina2
# what fastops-printsim writes after each ticket (mawk has no {48})
SEP=$(printf '%48s' '' | tr ' ' =)
SIMS=

cleanup() {
	stop_daemon
	for p in $SIMS; do
		kill "$p" 2>/dev/null
	done
	for p in $SIMS; do
		wait "$p" 2>/dev/null
	done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
	rm -f "/dev/shm/fastops.$INSTANCE"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

# expect DESCRIPTION GOT WANT
expect() {
	if [ "$2" != "$3" ]; then
		fail "$1: got '$2', want '$3'"
	fi
}

# Write $T/fastops.ini from the shipped one with this scenario's paths
# and printer ports.  Printers start paused (tickets stay queued, for the
# scenarios about orders) unless PRINTING=1.  Extra "section.key=value"
# arguments override keys ("printer cocina1.width=32" for a printer).
mkconf() {
	cp "$SRC/etc/menu.csv" "$T/menu.csv"
	sed -e "s|^state_dir = .*|state_dir = $T/state|" \
	    -e "s|^runtime_dir = .*|runtime_dir = $T/run|" \
	    -e "s|^;instance = .*|instance = $INSTANCE|" \
	    -e "s|^http = .*|http = ${HTTP:-}|" \
	    -e "s|127.0.0.1:9101|127.0.0.1:$P1|" \
	    -e "s|127.0.0.1:9102|127.0.0.1:$P2|" \
	    -e "s|127.0.0.1:9103|127.0.0.1:$P3|" \
	    -e "s|^paused = .*|paused = $([ "${PRINTING:-0}" = 1 ] && echo no || echo yes)|" \
	    "$SRC/etc/fastops.ini" >"$T/fastops.ini"
	for kv in "$@"; do
		sec=${kv%%.*}
		rest=${kv#*.}
		key=${rest%%=*}
		val=${rest#*=}
		awk -v sec="[$sec]" -v key="$key" -v val="$val" '
			$0 == sec { insec = 1; print; next }
			/^\[/ { insec = 0 }
			insec && $1 == key { print key " = " val; next }
			{ print }' "$T/fastops.ini" >"$T/fastops.ini.new"
		mv "$T/fastops.ini.new" "$T/fastops.ini"
	done
}

# add_cocina2: a second printer at the cocina station, on port P4.
add_cocina2() {
	awk '$0 == "[station cocina]" { s = 1 } /^\[/ && $0 != "[station cocina]" { s = 0 }
	    s && $1 == "printers" { print "printers = cocina1, cocina2"; next }
	    { print }' "$T/fastops.ini" >"$T/fastops.ini.new"
	mv "$T/fastops.ini.new" "$T/fastops.ini"
	printf '\n[printer cocina2]\nuri = tcp://127.0.0.1:%s\npaused = %s\n' \
	    "$P4" "$([ "${PRINTING:-0}" = 1 ] && echo no || echo yes)" \
	    >>"$T/fastops.ini"
}

# all_settled: every job of every order printed or on the kitchen screen
# (or cancelled): none lost.
all_settled() {
	l=$(req '{"op":"order.list","per_page":100}')
	ids=$(field "$l" '.orders[].id')
	for id in $ids; do
		o=$(req '{"op":"order.get","id":'"$id"'}')
		bad=$(field "$o" '[.order.jobs[] | select(.status != "completed"
		    and .status != "fallback" and .status != "cancelled")] | length')
		[ "$bad" = 0 ] || return 1
	done
	return 0
}

# unmarked_duplicates PRINTSIM...: job ids on paper more than once
# without the REIMPRESIÓN banner (should print nothing).
unmarked_duplicates() {
	for n in "$@"; do
		cat "$T/$n.out"
	done | awk -v sep="$SEP" '
		$0 == sep { if (id != "" && !marked) seen[id]++; id = ""
			    marked = 0; next }
		/REIMPRESI/ { marked = 1 }
		match($0, /Ticket [0-9]+/) { id = substr($0, RSTART + 7,
			    RLENGTH - 7) }
		END { for (i in seen) if (seen[i] > 1) print i }'
}

CTL=$T/run/control.ipc

# req JSON: one request, the raw reply on stdout.
req() {
	nngcat --req0 --dial "ipc://$CTL" --data "$1" --raw \
	    --recv-timeout 10 --send-timeout 10 2>>"$T/nngcat.err"
}

# field JSON JQ-FILTER
field() {
	printf '%s' "$1" | jq -r "$2"
}

start_daemon() {
	"$BIN/fastops-queued" -d -f "$T/fastops.ini" "$@" \
	    >>"$T/daemon.log" 2>&1 &
	DPID=$!
	i=0
	while [ $i -lt 100 ]; do
		if [ -S "$CTL" ] && [ "$(field "$(req '{"op":"health"}')" \
		    .ok 2>/dev/null)" = true ]; then
			return 0
		fi
		if ! kill -0 "$DPID" 2>/dev/null; then
			echo "daemon died at start:" >&2
			cat "$T/daemon.log" >&2
			wait "$DPID"	# its exit status, in DSTATUS
			DSTATUS=$?
			DPID=
			return 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	echo "daemon did not become ready" >&2
	return 1
}

# stop_daemon [SIGNAL]: TERM by default, waits for it to exit.
stop_daemon() {
	[ -n "$DPID" ] || return 0
	kill -"${1:-TERM}" "$DPID" 2>/dev/null
	i=0
	while kill -0 "$DPID" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if kill -0 "$DPID" 2>/dev/null; then
		kill -KILL "$DPID" 2>/dev/null
		fail "daemon did not stop on ${1:-TERM}"
	fi
	wait "$DPID" 2>/dev/null
	DSTATUS=$?
	DPID=
}

uuid() {
	cat /proc/sys/kernel/random/uuid
}

# start_printsim NAME PORT|pty [printsim options]: a simulated printer,
# its decoded paper in $T/NAME.out (and JSON log in $T/NAME.log).
start_printsim() {
	name=$1
	where=$2
	shift 2
	case $where in
	pty)	set -- --pty "$T/$name.tty" "$@" ;;
	*)	set -- --listen "tcp://127.0.0.1:$where" "$@" ;;
	esac
	: >"$T/$name.out"
	"$BIN/fastops-printsim" "$@" --out "$T/$name.out" \
	    --raw "$T/$name.raw" --log "$T/$name.log" -q 2>>"$T/$name.err" &
	SIMS="$SIMS $!"
	eval "SIM_$name=$!"
	i=0
	while [ $i -lt 100 ]; do
		case $where in
		pty)	[ -e "$T/$name.tty" ] && return 0 ;;
		*)	grep -qi ":$(printf %04X "$where") 00000000:0000 0A" \
			    /proc/net/tcp && return 0 ;;
		esac
		sleep 0.05
		i=$((i + 1))
	done
	fail "printsim $name did not start"
	cat "$T/$name.err" >&2
	return 1
}

# stop_printsim NAME: kill it (the printer is switched off).
stop_printsim() {
	eval "p=\${SIM_$1:-}"
	[ -n "$p" ] || return 0
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	eval "SIM_$1="
}

# start_watch: every event, one JSON object per line, in $T/events.
start_watch() {
	[ -n "${WATCH:-}" ] && kill "$WATCH" 2>/dev/null
	"$BIN/fastops-ctl" -f "$T/fastops.ini" --json watch >"$T/events" \
	    2>>"$T/watch.err" &
	WATCH=$!
	SIMS="$SIMS $!"
	sleep 0.3	# let the subscription reach the daemon
}

# events KIND [JQ-FILTER]: the events of that kind seen so far (JSON lines)
events() {
	jq -c "select(.kind == \"$1\")${2:+ | $2}" "$T/events" 2>/dev/null
}

# ticket NAME N: the decoded text of the Nth ticket on printsim NAME
ticket() {
	awk -v sep="$SEP" -v n="$2" '$0 == sep { k++; next } k == n - 1' \
	    "$T/$1.out"
}

# has NAME N TEXT / hasnt NAME N TEXT: ticket N of NAME has (not) a line
# with TEXT
has() {
	if ! ticket "$1" "$2" | grep -qF -- "$3"; then
		fail "$1 ticket $2 lacks '$3'"
		ticket "$1" "$2" | sed 's/^/    | /' >&2
	fi
}
hasnt() {
	if ticket "$1" "$2" | grep -qF -- "$3"; then
		fail "$1 ticket $2 has '$3'"
	fi
}

# tickets NAME: tickets printed so far on printsim NAME (cuts seen).
tickets() {
	grep -cx -- "$SEP" \
	    "$T/$1.out" 2>/dev/null || true
}

# wait_until SECONDS SHELL-CONDITION: poll every 50 ms; 1 if it never held.
wait_until() {
	n=$(($1 * 20))
	shift
	while [ $n -gt 0 ]; do
		if eval "$@"; then
			return 0
		fi
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "--- daemon log ---" >&2
		tail -30 "$T/daemon.log" >&2
		echo "--- nngcat ---" >&2
		sort "$T/nngcat.err" | uniq -c >&2
		exit 1
	fi
	exit 0
}
