#!/bin/sh
# Run every screen test (tests/ui/*.sh): the real curses programs inside
# tmux, driven with send-keys and read with capture-pane.
BIN=${1:-bin}
TOOLS=${2:-build/release/tests}
export TOOLS
export BIN
logdir=build/test-logs
mkdir -p "$logdir"
pass=0 fail=0
for t in tests/ui/[0-9]*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	log="$logdir/ui-$name.log"
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
echo "ui: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
