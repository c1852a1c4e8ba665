#!/bin/sh
# Replay each fuzz target's seed corpus (tests/fuzz/corpus/<target>/).
# Built with the plain driver these are regression tests; `make fuzz`
# builds the same targets for libFuzzer to explore further.
pass=0 fail=0
for t in "$@"; do
	name=$(basename "$t")
	dir="tests/fuzz/corpus/${name%_fuzz}"
	if [ ! -d "$dir" ]; then
		echo "FAIL  $name: no corpus in $dir"
		fail=$((fail + 1))
		continue
	fi
	if out=$("$t" "$dir"/* 2>&1); then
		pass=$((pass + 1))
		echo "ok    $name ($(ls "$dir" | wc -l) inputs)"
	else
		fail=$((fail + 1))
		echo "FAIL  $name"
		echo "$out" | tail -20
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
