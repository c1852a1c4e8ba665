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

cleanup() {
	stop_daemon
	rm -rf "$T"
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

# Write $T/fastops.ini from the shipped one with this scenario's paths.
# Extra "section.key=value" arguments override keys.
mkconf() {
	cp "$SRC/etc/menu.csv" "$T/menu.csv"
	sed -e "s|^state_dir = .*|state_dir = $T/state|" \
	    -e "s|^runtime_dir = .*|runtime_dir = $T/run|" \
	    -e "s|^;instance = .*|instance = $INSTANCE|" \
	    -e "s|^http = .*|http = ${HTTP:-}|" \
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
