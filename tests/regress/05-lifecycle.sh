# Reload (SIGHUP), graceful stop (SIGTERM), one daemon per state directory
# and per shm instance, /metrics as valid Prometheus text.
. tests/regress/lib.sh
HTTP=127.0.0.1:$((28100 + ($$ + 7) % 2000))
mkconf
start_daemon || exit 1

# -n checks a file without touching anything
"$BIN/fastops-queued" -n -f "$T/fastops.ini" >/dev/null 2>&1
expect "-n ok" "$?" 0
cp "$T/fastops.ini" "$T/bad.ini"
printf '[workers]\nmin = 99\n' >>"$T/bad.ini"
"$BIN/fastops-queued" -n -f "$T/bad.ini" >"$T/n.out" 2>&1
expect "-n bad" "$?" 1
grep -q "bad.ini:" "$T/n.out" || fail "-n does not say FILE:LINE"

# a second daemon on the same state directory refuses
"$BIN/fastops-queued" -d -f "$T/fastops.ini" >"$T/second.log" 2>&1
expect "second daemon" "$?" 1
grep -q "another fastops-queued" "$T/second.log" || fail "second daemon: $(cat "$T/second.log")"

for i in 1 2 3; do
	req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"llevar","items":[{"product":"paella"}]}' >/dev/null
done

# metrics: valid exposition, with our counters
M=$(curl -sf "http://$HTTP/metrics")
expect "metrics fetched" "$?" 0
echo "$M" | awk '
	/^# (HELP|TYPE) / { next }
	/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? -?[0-9.eE+-]+$/ { next }
	/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \+Inf$/ { next }
	{ print "bad line: " $0; bad = 1 }
	END { exit bad }' || fail "metrics not valid Prometheus text"
expect "orders metric" "$(echo "$M" | awk '$1 == "fastops_orders_created_total" {print $2}')" 3
expect "queue metric" "$(echo "$M" | awk '$1 == "fastops_queue_pending{priority=\"normal\"}" {print $2}')" 3
# histogram buckets never decrease and +Inf equals _count
echo "$M" | awk -F'[{} ]' '
	/^fastops_ack_seconds_bucket/ { if ($NF + 0 < last) bad = 1; last = $NF + 0; inf = $NF }
	/^fastops_ack_seconds_count/ { if ($NF != inf) bad = 1 }
	END { exit bad }' || fail "histogram buckets"
expect "healthz" "$(curl -sf "http://$HTTP/healthz")" ok
expect "readyz" "$(curl -sf "http://$HTTP/readyz")" ready

# reload: a reloadable change is applied, a restart-only one is reported
sed -i 's/^log_level = .*/log_level = debug/; s/^company = .*/company = otra/' "$T/fastops.ini"
kill -HUP "$DPID"
sleep 0.5
grep -q "log_level.*(applied)" "$T/daemon.log" || fail "reload did not apply log_level"
grep -q "company.*(needs a restart)" "$T/daemon.log" || fail "reload did not flag company"
expect "company unchanged" "$(field "$(req '{"op":"stats"}')" .company)" demo
# a broken file on reload: the daemon keeps running on the old one
printf 'nonsense line\n' >>"$T/fastops.ini"
kill -HUP "$DPID"
sleep 0.3
expect "alive after bad reload" "$(field "$(req '{"op":"health"}')" .ok)" true
grep -q "reload:.*unchanged" "$T/daemon.log" || fail "bad reload not reported"
sed -i '$d; s/^company = .*/company = demo/' "$T/fastops.ini"

# graceful stop: exit 0, and everything is there after a restart
stop_daemon TERM
expect "exit status" "$DSTATUS" 0
grep -q "stopped" "$T/daemon.log" || fail "no clean stop in log"
[ -e "/dev/shm/fastops.$INSTANCE" ] && fail "shm segment left behind"
start_daemon || exit 1
expect "orders after restart" "$(field "$(req '{"op":"order.list"}')" .total)" 3
expect "numbers continue" "$(field "$(req '{"op":"order.create","uuid":"'"$(uuid)"'","type":"llevar","items":[{"product":"paella"}]}')" .order.number)" L-0004
finish
