#!/bin/bash
# tests/golden/run.sh — golden files: every tests/golden/NAME.conf goes
# through each kind of output and is compared with NAME.KIND.out.
#
#   tests/golden/run.sh            compare; prints "N passed, M failed",
#                                  exits 1 on any failure (diff -u shown)
#   tests/golden/run.sh --regen    rewrite the .out files from this build
#
# Runs from the top of the tree whatever the current directory, so that
# the paths in the output stay "tests/golden/NAME.conf".
#
# Binaries: $ZONECTL (default build/test/zonectl), $ZONED (default
# build/test/zoned).  The clock is fixed: --at $GOLDEN_AT.
#
# Kinds: one function per kind, golden_KIND FILE, printing what is to be
# compared on stdout (stderr is shown on a mismatch only).  To add a kind,
# write its function and add its name to KINDS, e.g. "nft" for
# NAME.nft.out from `$ZONED -p -f FILE`.

set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2

ZONECTL=${ZONECTL:-build/test/zonectl}
ZONED=${ZONED:-build/test/zoned}
GOLDEN_AT=${GOLDEN_AT:-2026-11-21T00:00:00Z}
KINDS="lint nft"

# kind "lint": the findings as the operator sees them, and the exit code.
golden_lint() {
	"$ZONECTL" lint -f "$1" --at "$GOLDEN_AT"
	echo "exit=$?"
}

# kind "nft": the ruleset `zoned -p` would load (nothing for a policy with
# errors: its findings go to stderr), and the exit code.
golden_nft() {
	"$ZONED" -p -f "$1" --at "$GOLDEN_AT"
	echo "exit=$?"
}

regen=0
case "${1:-}" in
--regen) regen=1 ;;
"") ;;
*) echo "usage: $0 [--regen]" >&2; exit 2 ;;
esac

if [ ! -x "$ZONECTL" ]; then
	echo "golden: $ZONECTL is not built (make $ZONECTL)" >&2
	exit 2
fi

shopt -s nullglob
confs=(tests/golden/*.conf)
if [ ${#confs[@]} -eq 0 ]; then
	echo "golden: no tests/golden/*.conf" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass=0
fail=0
for kind in $KINDS; do
	for conf in "${confs[@]}"; do
		name=${conf%.conf}
		want=$name.$kind.out
		got=$tmp/got
		err=$tmp/err
		"golden_$kind" "$conf" >"$got" 2>"$err"
		if [ $regen -eq 1 ]; then
			cp "$got" "$want"
			echo "wrote $want"
			pass=$((pass + 1))
		elif [ ! -f "$want" ]; then
			echo "FAIL $conf ($kind): no $want (run $0 --regen)"
			fail=$((fail + 1))
		elif diff -u "$want" "$got" >"$tmp/diff"; then
			pass=$((pass + 1))
		else
			echo "FAIL $conf ($kind):"
			sed "s|$got|(this build)|" "$tmp/diff"
			if [ -s "$err" ]; then
				echo "--- stderr:"
				head -n 40 "$err"
			fi
			fail=$((fail + 1))
		fi
	done
	# an expected output without its policy is stale
	for want in tests/golden/*."$kind".out; do
		if [ ! -f "${want%."$kind".out}.conf" ]; then
			echo "FAIL $want: no ${want%."$kind".out}.conf"
			fail=$((fail + 1))
		fi
	done
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
