#!/usr/bin/env bash
# tests/fuzz/run.sh — the fuzz targets of tests/fuzz/.
#
#   run.sh replay [TARGET...]
#       (make check) every file of tests/fuzz/corpus/T and
#       tests/fuzz/regress/T (past crashes, kept with their fix) through
#       build/test/fuzz/fuzz_T, the target built with gcc, ASan and UBSan
#       and the replay driver; one check per target and directory, and a
#       closing "N passed, M failed"
#   run.sh fuzz SECONDS [TARGET...]
#       (make fuzz) each target under libFuzzer (build/fuzz/fuzz_T) for
#       SECONDS, one at a time and niced, from the seeds and the past
#       crashes into build/fuzz/corpus/T; prints runs, executions per
#       second and libFuzzer's coverage (cov: edges, ft: features) per
#       target; a crash is kept in build/fuzz/crashes/T/ and fails the run
set -u
cd "$(dirname "$0")/../.." || exit 2

ALL="policy pkt audit control"
# libconfig leaks a little on some syntax errors (not ours to fix)
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

mode=${1:-}
shift || true

replay() {
	local pass=0 fail=0 t d bin n out
	for t in ${*:-$ALL}; do
		bin=build/test/fuzz/fuzz_$t
		for d in tests/fuzz/corpus/$t tests/fuzz/regress/$t; do
			n=$(find "$d" -maxdepth 1 -type f ! -name '.*' 2>/dev/null | wc -l)
			[ "$n" -gt 0 ] || [ "${d#*/regress/}" != "$d" ] || {
				fail=$((fail + 1))
				echo "not ok - fuzz_$t: no seed corpus in $d"
				continue
			}
			[ "$n" -gt 0 ] || continue
			if [ ! -x "$bin" ]; then
				fail=$((fail + 1))
				echo "not ok - $bin is not built (make test-build)"
				continue
			fi
			out=$(mktemp)
			if "$bin" "$d" >"$out" 2>&1 && grep -q "^$n inputs replayed" "$out"; then
				pass=$((pass + 1))
				echo "ok - fuzz_$t replays the $n inputs of $d"
			else
				fail=$((fail + 1))
				echo "not ok - fuzz_$t on $d"
				grep -E -m 40 'ERROR|SUMMARY|runtime error|invariant|#[0-9]+ |replay' "$out" |
				    sed 's/^/#   /'
				echo "#   (REPLAY_VERBOSE=1 $bin $d names each input)"
			fi
			rm -f "$out"
		done
	done
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

fuzz() {
	local secs=$1 t bin log crashes rc=0 stats regress
	shift
	case $secs in '' | *[!0-9]*) echo "run.sh fuzz: SECONDS, a number" >&2; exit 2 ;; esac
	for t in ${*:-$ALL}; do
		bin=build/fuzz/fuzz_$t
		if [ ! -x "$bin" ]; then
			echo "$bin is not built (make fuzz-build)" >&2
			rc=1
			continue
		fi
		crashes=build/fuzz/crashes/$t
		mkdir -p "build/fuzz/corpus/$t" "$crashes"
		log=build/fuzz/fuzz_$t.log
		set -- -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
		    -rss_limit_mb=2048 -artifact_prefix="$crashes/"
		[ -f "tests/fuzz/$t.dict" ] && set -- "$@" -dict="tests/fuzz/$t.dict"
		echo "== fuzz_$t for ${secs}s (log: $log)"
		# past crashes, when a target has any (libFuzzer exits on a
		# directory that does not exist)
		regress=
		[ -d "tests/fuzz/regress/$t" ] && regress=tests/fuzz/regress/$t
		nice -n 10 "$bin" "$@" "build/fuzz/corpus/$t" "tests/fuzz/corpus/$t" \
		    ${regress:+"$regress"} >"$log" 2>&1
		# the last status line: "#RUNS ... cov: C ft: F corp: N/S ... exec/s: E"
		stats=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
		if [ -z "$stats" ]; then
			echo "fuzz_$t: did not run:" "$(tail -n 1 "$log")"
			rc=1
			continue
		fi
		printf 'fuzz_%s: %s runs in %ss, %s exec/s, cov %s, ft %s, corpus %s\n' "$t" \
		    "$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")" "$secs" \
		    "$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")" \
		    "$(echo "$stats" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')" \
		    "$(echo "$stats" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')" \
		    "$(echo "$stats" | sed -n 's/.*corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p')"
		if ls "$crashes" | grep -q .; then
			echo "fuzz_$t: FINDINGS in $crashes:"
			ls "$crashes" | sed 's/^/  /'
			grep -E -m 20 'ERROR|SUMMARY|runtime error|invariant' "$log" | sed 's/^/  /'
			rc=1
		fi
	done
	return $rc
}

case $mode in
replay) replay "$@" ;;
fuzz) fuzz "$@" ;;
*)
	echo "usage: tests/fuzz/run.sh replay [TARGET...] | fuzz SECONDS [TARGET...]" >&2
	exit 2
	;;
esac
