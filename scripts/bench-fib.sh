#!/usr/bin/env bash
# bench-fib.sh times the exact Fibonacci engine (shared/fib) against GMP's
# mpz_fib_ui + mpz_get_str and against plain math/big fast doubling +
# String, checks that all three print the same digits, and ends with one
# line per index:
#
#   n=<n> engine_ms=<median> gmp_ms=<median> bigint_ms=<median> ratio_vs_gmp=<engine/gmp>
#
# Usage: scripts/bench-fib.sh [--runs N] [--with-1e8]
#
#   --runs N     timed runs per index and implementation (default 5); the
#                median is reported
#   --with-1e8   also run n = 10^8 (about a minute, mostly math/big; math/big
#                gets one run there because it takes about 30 s)
#
# It installs libgmp-dev with apt-get when gmp.h is missing.
set -euo pipefail

runs=5
with_1e8=0
while [[ $# -gt 0 ]]; do
	case "$1" in
	--runs)
		runs="${2:?--runs needs a number}"
		shift 2
		;;
	--with-1e8)
		with_1e8=1
		shift
		;;
	*)
		echo "bench-fib: invalid argument $1; usage: $0 [--runs N] [--with-1e8]" >&2
		exit 2
		;;
	esac
done
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
	echo "bench-fib: invalid --runs $runs, want a positive integer" >&2
	exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

install_gmp() {
	local sudo=""
	if [[ "$(id -u)" -ne 0 ]]; then
		sudo="sudo"
	fi
	# Another apt-get may hold the dpkg lock; wait for it rather than fail.
	local try
	for try in $(seq 1 60); do
		if $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q libgmp-dev; then
			return 0
		fi
		if [[ "$try" -eq 1 ]]; then
			$sudo apt-get update -q || true
		fi
		echo "bench-fib: apt-get install libgmp-dev failed (attempt $try), retrying in 10 s" >&2
		sleep 10
	done
	echo "bench-fib: could not install libgmp-dev" >&2
	return 1
}

if ! echo '#include <gmp.h>' | gcc -E -x c - >/dev/null 2>&1; then
	install_gmp
fi

echo "building bench/gmp/fib_gmp.c and shared/fib/internal/cmd/fibbench"
gcc -O2 -o "$work/fib_gmp" "$root/bench/gmp/fib_gmp.c" -lgmp
# GOWORK=off builds the shared module on its own, so unfinished work in
# other modules of the workspace cannot break the benchmark.
(cd "$root/shared" && GOWORK=off go build -o "$work/fibbench" ./fib/internal/cmd/fibbench)

# median prints the median of the ms=<value> lines in the named file.
median() {
	sed -n 's/^ms=//p' "$1" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		if (NR % 2) printf "%.4f\n", v[(NR + 1) / 2]
		else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}

# digest prints the digits/head/tail/sum line of the named file.
digest() {
	grep '^digits=' "$1"
}

indexes=(1000 10000 100000 1000000 10000000)
if [[ "$with_1e8" -eq 1 ]]; then
	indexes+=(100000000)
fi

summary=()
for n in "${indexes[@]}"; do
	bigint_runs="$runs"
	if [[ "$n" -ge 100000000 ]]; then
		bigint_runs=1
	fi

	echo "== n=$n"
	"$work/fib_gmp" "$n" "$runs" >"$work/gmp.$n"
	"$work/fibbench" -impl engine -n "$n" -runs "$runs" >"$work/engine.$n"
	"$work/fibbench" -impl bigint -n "$n" -runs "$bigint_runs" >"$work/bigint.$n"

	for impl in engine bigint; do
		if [[ "$(digest "$work/$impl.$n")" != "$(digest "$work/gmp.$n")" ]]; then
			echo "bench-fib: $impl output differs from GMP for n=$n" >&2
			echo "  gmp:    $(digest "$work/gmp.$n")" >&2
			echo "  $impl: $(digest "$work/$impl.$n")" >&2
			exit 1
		fi
	done
	echo "   output matches GMP: $(digest "$work/gmp.$n")"
	echo "   engine runs (ms): $(sed -n 's/^ms=//p' "$work/engine.$n" | tr '\n' ' ')"
	echo "   gmp runs (ms):    $(sed -n 's/^ms=//p' "$work/gmp.$n" | tr '\n' ' ')"
	echo "   bigint runs (ms): $(sed -n 's/^ms=//p' "$work/bigint.$n" | tr '\n' ' ')"
	echo "   engine memory: $(grep '^peak_heap_mib=' "$work/engine.$n")"

	engine_ms="$(median "$work/engine.$n")"
	gmp_ms="$(median "$work/gmp.$n")"
	bigint_ms="$(median "$work/bigint.$n")"
	ratio="$(awk -v e="$engine_ms" -v g="$gmp_ms" 'BEGIN { printf "%.2f", (g > 0 ? e / g : 0) }')"
	summary+=("n=$n engine_ms=$engine_ms gmp_ms=$gmp_ms bigint_ms=$bigint_ms ratio_vs_gmp=$ratio")
done

echo
printf '%s\n' "${summary[@]}"
