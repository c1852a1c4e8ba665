# fastops-ctl: plain and --json output, exit codes, watch, login with a
# PIN and FASTOPS_TOKEN, offline journal verify on a damaged journal.
. tests/regress/lib.sh
mkconf
start_daemon || exit 1
ctl() { "$BIN/fastops-ctl" -f "$T/fastops.ini" "$@"; }

out=$(ctl order create --type mesa --table 9 --item "paella:2:sin marisco" --item cana)
expect "create exit" "$?" 0
expect "create plain" "$(echo "$out" | cut -d' ' -f1-3)" "M-0001 id=1 en_cola"
j=$(ctl --json order get 1)
expect "json item note" "$(field "$j" '.order.items[0].notes')" "sin marisco"
expect "json jobs" "$(field "$j" '[.order.jobs[].station] | sort | join(",")')" bar,cocina

# exit codes: 1 refused by the daemon, 2 usage, 3 unreachable
ctl order get 99 2>"$T/err"
expect "ENOENT exit" "$?" 1
grep -q "ENOENT" "$T/err" || fail "refusal not printed: $(cat "$T/err")"
ctl order create --type mesa --item paella 2>/dev/null
expect "mesa without table (checked locally)" "$?" 2
ctl order frobnicate 2>/dev/null
expect "usage exit" "$?" 2
ctl order create --type barco --item paella 2>/dev/null
expect "bad type usage" "$?" 2

# watch sees the events of orders made meanwhile
ctl watch --count 2 >"$T/watch.out" 2>&1 &
W=$!
sleep 0.5
ctl order create --type llevar --item tortilla >/dev/null
wait $W
expect "watch exit" "$?" 0
expect "watch kinds" "$(cut -d' ' -f1 "$T/watch.out" | sort | tr '\n' ' ')" "job.queued order.created "

# users and a PIN login: the token makes the waiter the author
ctl user add marta --role waiter --pin 2468 >/dev/null
expect "user add" "$?" 0
TOKEN=$(echo 2468 | ctl login marta)
expect "login exit" "$?" 0
echo 1111 | ctl login marta >/dev/null 2>&1
expect "wrong pin exit" "$?" 1
out=$(FASTOPS_TOKEN=$TOKEN ctl --json order create --type llevar --item flan)
expect "author" "$(field "$out" .order.waiter)" marta
FASTOPS_TOKEN=$TOKEN ctl user list >/dev/null 2>&1
expect "waiter cannot list users" "$?" 1

ctl queue >"$T/queue.out"
expect "queue exit" "$?" 0
grep -q "cocina" "$T/queue.out" || fail "queue lists no station"
expect "health" "$(ctl health >/dev/null; echo $?)" 0

# offline journal tools, after a clean stop
stop_daemon
ctl journal verify >"$T/verify.out"
expect "verify whole" "$?" 0
n=$(ctl journal dump | wc -l)
[ "$n" -ge 4 ] || fail "journal dump printed $n records"
seg=$(ls "$T"/state/journal/*.wal | tail -1)
printf 'garbage' >>"$seg"
ctl journal verify >/dev/null 2>&1
expect "verify damaged" "$?" 4
# unreachable daemon: exit 3
ctl --timeout 300 health >/dev/null 2>&1
expect "unreachable" "$?" 3
finish
