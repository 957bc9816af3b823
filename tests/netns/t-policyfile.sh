#!/usr/bin/env bash
# What is at the policy's path cannot hang the daemon (dual mode, where a
# daemon that stops judging stops every new crossing): a FIFO, a
# directory, a symbolic link to /dev/zero, a 100 MB file and an @include
# of a FIFO are each refused within a second by `zonectl reload` and by
# SIGHUP, naming the path and the reason; the ruleset stays byte for byte,
# forbidden crossings stay closed, and a loop of permitted new connections
# running all along never fails.  At start, a FIFO falls back to the last
# good policy instead of hanging the start.
. "$(dirname "$0")/lib.sh"

lab_up
policy
cp "$T/zoned.conf" "$T/good.conf"
# a daemon that reads /dev/zero until memory runs out (as zoned did) is
# stopped by the sanitizer's allocator at 1 GiB, not by the OOM killer
ZENV="ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=1:max_allocation_size_mb=1024" \
    start_zoned || { not_ok "zoned starts"; finish; }
listen $IN tcp 3389
listen $IN tcp 80

# stateless: without the counters, which the traffic moves
table() { ip netns exec $GW nft -s list table inet zoned 2>/dev/null; }
now_ms() { date +%s%3N; }
events() { grep -c "event=$1" "$T/zoned.log"; }
table >"$T/before"

# permitted new crossings, one every 0.2 s, until told to stop (at most
# 5 minutes)
(
	for _ in $(seq 1 1500); do
		[ -e "$T/stop" ] && break
		if conn $LG tcp 10.20.100.7 192.0.2.40 3389 --timeout 2 >/dev/null 2>&1
		then echo ok; else echo FAILED; fi
		sleep 0.2
	done
) >"$T/loop" 2>&1 &
loop=$!
BG+=("$loop")

# bad NAME REASON: what is at the policy's path now is refused, by
# zonectl reload and by SIGHUP, at once.
bad() {
	local name=$1 reason=$2 t0 ms rc n i base
	# what a request costs here (zonectl's start under load): a status,
	# which asks the kernel more than the refusal does
	t0=$(now_ms)
	timeout 10 "$ZONECTL" -s "$T/zoned.sock" status >/dev/null 2>&1
	base=$(($(now_ms) - t0))
	t0=$(now_ms)
	timeout 10 "$ZONECTL" -s "$T/zoned.sock" reload >"$T/out" 2>&1
	rc=$?
	ms=$(($(now_ms) - t0))
	check "$name: zonectl reload answers within a second more than a status (${ms} ms, status ${base} ms, exit $rc)" \
	    test "$rc" -eq 1 -a "$ms" -lt $((base + 1000))
	check "... that the reload failed, naming the path and the reason" \
	    grep -qF "$T/zoned.conf$reason" "$T/out"
	check "... and that the running policy stays" grep -q "the running policy stays" "$T/out"
	n=$(events policy-rejected)
	t0=$(now_ms)
	kill -HUP "$ZPID"
	for i in $(seq 1 100); do
		[ "$(events policy-rejected)" -gt "$n" ] && break
		sleep 0.01
	done
	ms=$(($(now_ms) - t0))
	check "$name: SIGHUP is refused within a second too (${ms} ms)" \
	    test "$(events policy-rejected)" -gt "$n" -a "$ms" -lt 1000
	check "... event=policy-rejected names the path and the reason, kept=running-policy" \
	    sh -c "grep 'event=policy-rejected' '$T/zoned.log' | tail -n 1 | grep -qF '$T/zoned.conf$reason' &&
	        grep 'event=policy-rejected' '$T/zoned.log' | tail -n 1 | grep -q 'kept=running-policy'"
	check "... a permitted new crossing passes right after" \
	    conn $LG tcp 10.20.100.7 192.0.2.40 3389
	refute "... a forbidden one does not" conn $LG tcp 10.20.100.7 198.51.100.7 80 --timeout 1
	table >"$T/after"
	check "... the ruleset is byte for byte the same" cmp -s "$T/before" "$T/after"
	rm -rf "$T/zoned.conf"
}

rm -f "$T/zoned.conf"
mkfifo "$T/zoned.conf"
bad "a FIFO" ": not a regular file (a FIFO)"
# release a daemon that would hang in open() on it (none should)
timeout 1 sh -c ": >'$T/zoned.conf'" 2>/dev/null
rm -f "$T/zoned.conf"

mkdir "$T/zoned.conf"
bad "a directory" ": not a regular file (a directory)"

ln -s /dev/zero "$T/zoned.conf"
bad "a symbolic link to /dev/zero" ": not a regular file (a character device)"

yes '# a comment line of a policy that is far too long' | head -c 100000000 >"$T/zoned.conf"
bad "a 100 MB file" ": 100000000 bytes, over the limit of 32 MiB"

mkfifo "$T/inc.fifo"
{ cat "$T/good.conf"; echo '@include "inc.fifo"'; } >"$T/zoned.conf"
bad "an @include of a FIFO" ":$(($(wc -l <"$T/good.conf") + 1)): @include $T/inc.fifo: not a regular file (a FIFO)"
timeout 1 sh -c ": >'$T/inc.fifo'" 2>/dev/null

cp "$T/good.conf" "$T/zoned.conf"
check "the good file again: zonectl reload loads it" zctl reload
check "... and the kernel's table matches it" zctl verify

touch "$T/stop"
wait "$loop"
n=$(grep -c '^ok' "$T/loop")
f=$(grep -c '^FAILED' "$T/loop")
check "a permitted new connection every 0.2 s all along: $n passed, $f failed" \
    test "$f" -eq 0 -a "$n" -ge 10

# --- at start -------------------------------------------------------------------
stop_zoned
rm -f "$T/zoned.conf"
mkfifo "$T/zoned.conf"
check "a FIFO at the path at start: zoned starts on the last good policy" \
    start_zoned
check "... saying why (event=policy-fallback names the FIFO)" \
    grep -q "event=policy-fallback .*reason=\".*zoned.conf: not a regular file (a FIFO)\"" "$T/zoned.log"
check "... status says enforcing-last-good" \
    sh -c "\"$ZONECTL\" -s \"$T/zoned.sock\" status --json | tr -d ' \n' | grep -q '\"mode\":\"enforcing-last-good\"'"
check "... and a permitted crossing passes" conn $LG tcp 10.20.100.7 192.0.2.40 3389
timeout 1 sh -c ": >'$T/zoned.conf'" 2>/dev/null

finish
