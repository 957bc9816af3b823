#!/usr/bin/env bash
# tests/run.sh — every test of `make check`: the Check unit suites, the
# golden files, the replay of the fuzz corpora (tests/fuzz/run.sh replay),
# the network tests in namespaces and the package test (root).  Prints
# each part's wall time, and one closing line "N passed, M failed" over
# every single check; exits non-zero when anything failed or could not run.
set -u
cd "$(dirname "$0")/.."

export ZONED=${ZONED:-build/test/zoned}
export ZONECTL=${ZONECTL:-build/test/zonectl}
export PROBE=${PROBE:-build/test/netns/probe}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0
failed=0
broken=()

# Add the "N passed, M failed" of a part's output to the totals; a part
# that exits non-zero without such a line counts as one failure.
tally() {
	local name=$1 out=$2 rc=$3 p f line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [ -n "$line" ]; then
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f%% failed*}
	else
		p=0
		f=0
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		broken+=("$name")
	fi
}

part() {
	local name=$1 out rc start=$SECONDS
	shift
	out=$(mktemp)
	echo "=== $name"
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	tally "$name" "$out" "$rc"
	rm -f "$out"
	echo "--- $name: $((SECONDS - start)) s"
}

# The Check runner prints "100%: Checks: N, Failures: F, Errors: E".
# The suites run in one process (CK_FORK=no): a forked child per test
# costs LeakSanitizer's exit scan each time (~70 ms: 10 minutes over 1,300
# tests against 80 s in one process); the leaks of every test are still
# reported, once, at the runner's exit, which then fails.  A test that
# hangs is stopped by the timeout (no per-test timeouts without fork).
# CK_FORK=yes build/test/unit isolates the tests when debugging one.
unit() {
	local out rc line n f e
	out=$(mktemp)
	CK_FORK=${CK_FORK:-no} timeout 1200 build/test/unit 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+%: Checks: ' "$out" | tail -n 1)
	rm -f "$out"
	if [ -z "$line" ]; then
		echo "0 passed, 1 failed"
		return 1
	fi
	n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
	f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
	e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
	echo "$((n - f - e)) passed, $((f + e)) failed"
	return "$rc"
}

part unit unit
part golden tests/golden/run.sh
part report tests/report/run.sh
part fuzz-replay tests/fuzz/run.sh replay
for t in tests/netns/t-*.sh; do
	[ -e "$t" ] || continue
	part "netns/$(basename "$t" .sh)" bash "$t"
done
# The Debian package: built, installed, upgraded, removed and purged on a
# throwaway copy of this machine (tests/pkg/t-deb.sh).
for t in tests/pkg/t-*.sh; do
	[ -e "$t" ] || continue
	part "pkg/$(basename "$t" .sh)" bash "$t"
done

echo
if [ ${#broken[@]} -gt 0 ]; then
	echo "failed parts: ${broken[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
