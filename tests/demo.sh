#!/bin/sh
# make demo, step 1: the daemon and printers do not exist yet, so show the
# core they will stand on, for real: the full unit suites (crash recovery
# with SIGKILL inside critical sections, the journal corruption sweep,
# priorities and aging) and the benchmarks, with their figures.
set -e
b=$1
cat <<'MSG'
FastOps demo — step 1 of the plan: the queue core.

fastops-queued, the printers and the screens arrive in the next steps.
What runs now is the part everything stands on: the shared-memory print
queue and the write-ahead journal.  Watch processes being killed inside
critical sections and the queue repairing itself, a journal being damaged
byte by byte and recovered, and the speed of it all.

MSG
for t in "$b"/tests/*_test; do
	echo "== $(basename "$t")"
	"$t" 2>&1 | grep -E '^\[ +(RUN|OK|PASSED|FAILED) ' || true
done
echo
echo "== benchmarks (one run on this machine)"
export FASTOPS_BENCH_DIR="$(pwd)/build/demo-tmp"
mkdir -p "$FASTOPS_BENCH_DIR"
echo "| benchmark | result | target |"
echo "|---|---|---|"
for x in "$b"/tests/*_bench; do "$x"; done
rm -rf "$FASTOPS_BENCH_DIR"
