#!/bin/sh
# make bench: run every benchmark once, print the table, and rewrite the
# figures section of tests/bench/README.md (between the RESULTS markers).
# Timings are reported, never asserted: this machine is shared and noisy.
set -e
bindir=$1
readme=tests/bench/README.md
out=$(mktemp)
trap 'rm -f "$out" "$out.new"' EXIT

export FASTOPS_BENCH_DIR="${FASTOPS_BENCH_DIR:-$(pwd)/build/bench-tmp}"
mkdir -p "$FASTOPS_BENCH_DIR"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
fs=$(df -T "$FASTOPS_BENCH_DIR" | awk 'NR==2 {print $2}')
{
	echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores" \
	    "($cpu), $(uname -sr), journal on $fs."
	echo
	echo "| benchmark | result | target |"
	echo "|---|---|---|"
} >"$out"
cat "$out"
for b in "$bindir"/*_bench; do
	"$b" | tee -a "$out"
done
for b in tests/bench/*_bench.sh; do
	BIN=${BIN:-bin} TOOLS=$bindir sh "$b" | tee -a "$out"
done
rm -rf "$FASTOPS_BENCH_DIR"

if [ -f "$readme" ]; then
	awk -v f="$out" '
		/<!-- RESULTS BEGIN -->/ { print; while ((getline l < f) > 0) print l; skip = 1; next }
		/<!-- RESULTS END -->/ { skip = 0 }
		!skip { print }
	' "$readme" >"$out.new"
	mv "$out.new" "$readme"
	echo "bench: figures written to $readme"
fi
