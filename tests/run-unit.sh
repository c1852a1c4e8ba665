#!/bin/sh
# Run each cmocka unit test binary; one line per binary, logs of failures
# only (kept under build/test-logs/), and a closing "N passed, N failed".
logdir=build/test-logs
mkdir -p "$logdir"
pass=0 fail=0
for t in "$@"; do
	name=$(basename "$t")
	log="$logdir/$name.log"
	start=$(date +%s.%N)
	if "$t" >"$log" 2>&1; then
		n=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		pass=$((pass + 1))
		printf 'ok    %-28s %s tests (%ss)\n' "$name" "${n:-?}" \
		    "$(awk -v a="$start" -v b="$(date +%s.%N)" \
		    'BEGIN { printf "%.1f", b - a }')"
		rm -f "$log"
	else
		fail=$((fail + 1))
		printf 'FAIL  %-28s (log: %s)\n' "$name" "$log"
		grep -E '\[  (FAILED|ERROR)  \]|error|Error|ERROR' "$log" | head -20
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
