#!/bin/sh
# Journal segments are kept until PostgreSQL has their records: with the
# database away, small segments and frequent snapshots (which remove the
# segments they cover), a restart in between, every record still reaches
# the database once it is back; and once it has them, the old segments go.
. tests/pg/synclib.sh

pgconf daemon.segment_mb=1 daemon.snapshot_every=1000
start_daemon || finish
synced || fail "not connected"
J=$T/state/journal
segs() {
	ls "$J" | grep -c '\.wal$'
}

pg_stop || fail "PostgreSQL does not stop"
"$TOOLS/loadgen" run -u "ipc://$CTL" -c 4 -n 1000 -a "$T/acked" >/dev/null ||
    fail "orders refused"
# snapshots are taken by the daemon's main loop once a second
wait_until 10 '[ -n "$(ls "$J" | grep "^snap-")" ]' || fail "no snapshot"
[ "$(segs)" -ge 3 ] || fail "only $(segs) segments: the test needs more"
[ -e "$J/0000000000000001.wal" ] ||
    fail "the first segment went before PostgreSQL had it"

# a restart while the database is still away: pgsync.lsn holds retention
stop_daemon
start_daemon || finish
"$TOOLS/loadgen" run -u "ipc://$CTL" -c 4 -n 300 -a "$T/acked" >/dev/null ||
    fail "orders refused after the restart"
sleep 1.5
[ -e "$J/0000000000000001.wal" ] ||
    fail "the first segment went after a restart, PostgreSQL still away"

pg_again || fail "PostgreSQL does not start again"
synced 60 || fail "not caught up: $(req '{"op":"stats"}' | jq -c .pgsync)"
lsn=$(psql_q "SELECT last_lsn FROM sync_cursor")
expect "every record from 1, once" "$(psql_q "SELECT count(*) || ' ' ||
    count(DISTINCT lsn) || ' ' || min(lsn) || ' ' || max(lsn)
    FROM events")" "$lsn $lsn 1 $lsn"
expect "every acknowledged order" "$(psql_q "SELECT count(*) FROM orders")" \
    "$(sort -u "$T/acked" | wc -l)"
compare_orders "after the journal kept what the database lacked"

# the database has them now: the next snapshots may remove the old ones
"$TOOLS/loadgen" run -u "ipc://$CTL" -c 4 -n 600 >/dev/null
synced 60
wait_until 10 '[ ! -e "$J/0000000000000001.wal" ]' ||
    fail "old segments kept after PostgreSQL had them: $(ls "$J" | head -5)"
finish
