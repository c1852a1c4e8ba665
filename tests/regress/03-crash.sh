# Under a steady load of concurrent clients, kill -9 the daemon at random
# moments, 20 times, restarting it each time.  Clients retry unanswered
# requests with the same uuid.  Afterwards every acknowledged order is
# there with its number, and no number was given twice.
. tests/regress/lib.sh
mkconf
start_daemon || exit 1
ACK=$T/acked
"$TOOLS/loadgen" run -u "ipc://$CTL" -c 4 -t 30 -a "$ACK" >"$T/load.out" 2>&1 &
LPID=$!
kills=0
while [ $kills -lt 20 ]; do
	# a random moment: 0.10 to 0.69 s into the load
	r=$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')
	sleep "0.$(( r % 60 + 10 ))"
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null
	DPID=
	kills=$((kills + 1))
	start_daemon || { fail "restart $kills"; break; }
done
wait "$LPID"
expect "load generator" "$?" 0
cat "$T/load.out"
n=$(wc -l <"$ACK")
[ "$n" -gt 100 ] || fail "only $n orders acknowledged"
# a last crash right after the load, then a clean restart
kill -KILL "$DPID"; wait "$DPID" 2>/dev/null; DPID=
start_daemon || exit 1
out=$("$TOOLS/loadgen" verify -u "ipc://$CTL" "$ACK")
expect "verify" "$?" 0
echo "$out"
expect "verified all" "$(echo "$out" | sed -n 's/.*verified=\([0-9]*\).*/\1/p')" "$n"
# the journal agrees: orders in the daemon >= acknowledged ones
total=$(echo "$out" | sed -n 's/.*orders=\([0-9]*\).*/\1/p')
[ "$total" -ge "$n" ] || fail "daemon has $total orders, $n acknowledged"
finish
