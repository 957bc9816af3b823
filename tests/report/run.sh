#!/usr/bin/env bash
# tests/report/run.sh — the audit report made offline (zonectl report -f)
# of every example policy (conf/*.conf), every lint golden file
# (tests/golden/*.conf, those that do not load too) and a policy of HTML
# and script payloads (payload.conf): each HTML report is judged by
# check.py (strict HTML5 and XML parsers, no script, every name as text,
# the JSON form's counts, one diagram node per zone); the payloads must
# show as text only (payload.txt).  Prints "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2

ZONECTL=${ZONECTL:-build/test/zonectl}
PY=/usr/bin/python3	# Debian's, with python3-html5lib (scripts/deps.sh)
pass=0
fail=0

if [ ! -x "$ZONECTL" ]; then
	echo "not ok - $ZONECTL is not built (make test-build)"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! "$PY" -c 'import html5lib' 2>/dev/null; then
	echo "not ok - $PY has no html5lib (scripts/deps.sh installs python3-html5lib)"
	echo "0 passed, 1 failed"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for conf in conf/*.conf tests/golden/*.conf tests/report/payload.conf; do
	name=$(basename "$conf" .conf)
	extra=()
	[ "$conf" = tests/report/payload.conf ] &&
	    extra=(--text tests/report/payload.txt)
	# both forms, exit 0 and nothing on stderr (a sanitizer's report)
	if ! "$ZONECTL" report -f "$conf" -o "$tmp/$name.html" \
	    >/dev/null 2>"$tmp/err" ||
	    ! "$ZONECTL" report -f "$conf" --json >"$tmp/$name.json" \
	    2>>"$tmp/err" || [ -s "$tmp/err" ]; then
		echo "not ok - zonectl report -f $conf"
		sed 's/^/#   /' "$tmp/err" | head -n 20
		fail=$((fail + 1))
		continue
	fi
	pass=$((pass + 1))
	echo "ok - zonectl report -f $conf"
	"$PY" tests/report/check.py "$tmp/$name.html" "$tmp/$name.json" \
	    "${extra[@]}" >"$tmp/check" 2>&1
	grep -E '^(not )?ok' "$tmp/check"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/check")
	if [ -z "$line" ]; then
		echo "not ok - check.py on $name"
		sed 's/^/#   /' "$tmp/check" | tail -n 20
		fail=$((fail + 1))
		continue
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	pass=$((pass + p))
	fail=$((fail + ${f%% failed*}))
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
