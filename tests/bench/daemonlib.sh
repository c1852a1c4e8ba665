# Sourced by the benchmarks that time a bare fastops-queued (daemon_bench,
# baseline_bench), run from the source tree's top.  The caller sets D (a
# directory), INST (the shm instance), BIN and PID= .
#
#	start [-e SED-EXPR ...]	a fresh daemon on the shipped configuration
#				in $D: printers paused, log at warn, no
#				HTTP; the sed expressions change more
#	stop			stop it (SIGTERM) and wait

start() {
	rm -rf "$D/state" "$D/run"
	cp etc/menu.csv "$D/"
	sed -e "s|^state_dir = .*|state_dir = $D/state|" \
	    -e "s|^runtime_dir = .*|runtime_dir = $D/run|" \
	    -e "s|^;instance = .*|instance = $INST|" \
	    -e "s|^http = .*|http =|" \
	    -e "s|^log_level = .*|log_level = warn|" \
	    -e "s|^paused = .*|paused = yes|" \
	    "$@" etc/fastops.ini >"$D/fastops.ini"
	"$BIN/fastops-queued" -d -f "$D/fastops.ini" 2>>"$D/log" &
	PID=$!
	i=0
	until [ -S "$D/run/control.ipc" ] || [ $i -gt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	sleep 0.1
}

stop() {
	kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
}
