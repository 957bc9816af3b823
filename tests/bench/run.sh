#!/bin/sh
# make bench: the benchmarks of DESIGN.md §8, each a ratio against a peer run
# side by side.  Figures are printed as measured; a benchmark whose data or
# program is missing says so and is skipped.  Exit status 1 when a benchmark
# finds a wrong answer (a mismatch), else 0.
#
#   CLASSBENCH_DIR     where acl1_10K, fw1_10K, ipc1_10K and their _trace files
#                      are (default: ../shared/data/classbench from the repo)
#   CLASSBENCH_REPEAT  rounds per set (default 11; the median is reported)
set -u
cd "$(dirname "$0")/../.." || exit 2
MAKE=${MAKE:-make}
status=0

# Benchmark peers (DPDK for rte_acl); without them the benchmarks still run.
if ! scripts/deps.sh bench; then
	echo "bench: could not install the benchmark peers (libdpdk-dev);" \
	    "rte_acl is left out"
fi

# --- classifier: ClassBench sets against the linear reference and rte_acl --
bench_classbench() {
	dir=${CLASSBENCH_DIR:-../shared/data/classbench}
	echo "== classifier (ClassBench, single core, batches of 64)"
	if [ -n "${CLASSBENCH_DIR:-}" ]; then
		echo "reading sets from $dir (CLASSBENCH_DIR)"
	else
		echo "reading sets from $dir (set CLASSBENCH_DIR to override)"
	fi
	if [ ! -d "$dir" ]; then
		echo "classbench: $dir does not exist; skipped"
		return 0
	fi
	if ! $MAKE --no-print-directory build/bench/classbench; then
		echo "classbench: build failed"
		status=1
		return 0
	fi
	summary=""
	for set in acl1 fw1 ipc1; do
		rules=$dir/${set}_10K
		trace=$dir/${set}_10K_trace
		if [ ! -r "$rules" ] || [ ! -r "$trace" ]; then
			echo "-- $set: $rules or $trace missing; skipped"
			continue
		fi
		echo "-- $set"
		out=$(build/bench/classbench "$rules" "$trace" \
		    --repeat "${CLASSBENCH_REPEAT:-11}")
		rc=$?
		echo "$out"
		[ $rc -eq 0 ] || status=1
		summary="$summary$(echo "$out" | awk -v set="$set" '
			/^zoned / { for (i = 2; i <= NF; i++) { split($i, kv, "="); z[kv[1]] = kv[2] } }
			/^linear / { for (i = 2; i <= NF; i++) { split($i, kv, "="); l[kv[1]] = kv[2] } }
			/^rte_acl mpps/ { split($2, kv, "="); avx2 = kv[2] }
			/^ratio=/ { split($1, kv, "="); ratio = kv[2] }
			/^rte_acl_best / { for (i = 2; i <= NF; i++) { split($i, kv, "="); b[kv[1]] = kv[2] } }
			END {
				printf "%-5s %8s %9s %8s %6s %9s %8s %6s %9s %6s\n", set,
				    z["mpps"], z["build_ms"], z["mem_kb"], z["mismatches"],
				    avx2 == "" ? "-" : avx2, ratio == "" ? "-" : ratio,
				    b["mpps"] == "" ? "-" : b["mpps"],
				    b["ratio"] == "" ? "-" : b["ratio"], l["speedup"]
			}')
"
	done
	if [ -n "$summary" ]; then
		echo "-- summary (Mpps; ratio = zoned / rte_acl; x linear = zoned / linear scan)"
		printf "%-5s %8s %9s %8s %6s %9s %8s %6s %9s %6s\n" set zoned \
		    build_ms mem_kb mism avx2 ratio best ratio x_linear
		printf "%s" "$summary"
	fi
}

bench_classbench

# --- hooks: further benchmarks ---------------------------------------------
# Each benchmark is a function run here in turn; it prints its own section
# ("== name"), says where its input comes from, skips with a message when
# its program or data is absent, and sets status=1 on a wrong answer.
#
#   bench_audit   zoned --audit on a large generated capture against a bare
#                 libpcap read loop over the same file (issue 5)
#   bench_apply   applying 1K / 10K / 100K flows against nft -f of the
#                 ruleset zoned -p prints, in a namespace (issue 5)
#
# Add them above this line and call them here, e.g.:
#   bench_audit
#   bench_apply

exit $status
