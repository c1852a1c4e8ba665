#!/bin/sh
# Run every scenario of one suite, one line each, the log of failures only:
#	run-suite.sh NAME DIR [BIN [TOOLS]]
# runs DIR/[0-9]*.sh with BIN and TOOLS in the environment (regress: a
# daemon each; ui: the screens in tmux; pg: a PostgreSQL server each).
name=$1
dir=$2
BIN=${3:-bin}
TOOLS=${4:-build/release/tests}
export BIN TOOLS
logdir=build/test-logs
mkdir -p "$logdir"
pass=0 fail=0
for t in "$dir"/[0-9]*.sh; do
	[ -e "$t" ] || continue
	test=$(basename "$t" .sh)
	log="$logdir/$name-$test.log"
	start=$(date +%s)
	if sh "$t" >"$log" 2>&1; then
		pass=$((pass + 1))
		printf 'ok    %-34s (%ss)\n' "$test" $(($(date +%s) - start))
		rm -f "$log"
	else
		fail=$((fail + 1))
		printf 'FAIL  %-34s (log: %s)\n' "$test" "$log"
		grep -E '^FAIL' "$log" | head -10
	fi
done
echo "$name: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
