#!/bin/sh
# Run every PostgreSQL test; one line each, the log of failures only.
# Each test starts (and always stops) a server of its own: see
# tests/pg/lib.sh.  Nothing is skipped: without the server binaries
# ("make deps") the tests fail.
BIN=${1:-bin}
export BIN
logdir=build/test-logs
mkdir -p "$logdir"
pass=0 fail=0
for t in tests/pg/[0-9]*.sh; do
	name=$(basename "$t" .sh)
	log="$logdir/pg-$name.log"
	start=$(date +%s)
	if sh "$t" >"$log" 2>&1; then
		pass=$((pass + 1))
		printf 'ok    %-34s (%ss)\n' "$name" $(($(date +%s) - start))
		rm -f "$log"
	else
		fail=$((fail + 1))
		printf 'FAIL  %-34s (log: %s)\n' "$name" "$log"
		grep -E '^FAIL' "$log" | head -10
	fi
done
echo "pg: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
