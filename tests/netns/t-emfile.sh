#!/usr/bin/env bash
# Descriptors run out: when accept fails with EMFILE the control socket's
# listener rests (event=control-paused) instead of waking the loop again
# and again — the daemon's CPU time stays flat — and it answers again once
# the connections that took the descriptors close.
. "$(dirname "$0")/lib.sh"

HOLD=$(dirname "$PROBE")/holdconn
lab_up
policy
# how many descriptors the daemon holds once it runs
start_zoned || { not_ok "zoned starts"; finish; }
sleep 0.5
nfd=$(ls "/proc/$ZPID/fd" | wc -l)
stop_zoned

# room for three more: a few clients, then EMFILE
ZNOFILE=$((nfd + 3)) start_zoned ||
    { not_ok "zoned starts with $((nfd + 3)) descriptors"; finish; }
ticks() { awk '{ print $14 + $15 }' "/proc/$ZPID/stat"; }
check "the daemon's descriptors are limited to $((nfd + 3))" \
    grep -q "^Max open files  *$((nfd + 3)) " "/proc/$ZPID/limits"

"$HOLD" "$T/zoned.sock" 12 60 >"$T/hold.out" 2>&1 &
hold=$!
BG+=("$hold")
check "twelve connections wait on the socket" wait_for "$T/hold.out" '^connected 12'
check "accept runs out of descriptors and the listener rests" \
    wait_for "$T/zoned.log" 'event=control-paused.*reason="Too many open files"' 5

t0=$(ticks)
sleep 3
t1=$(ticks)
used=$((t1 - t0))
# a listener left readable spins the loop: 3 s of CPU in 3 s (300 ticks)
if [ "$used" -le 30 ]; then
	ok "the daemon's CPU time stays flat while paused ($used ticks in 3 s)"
else
	not_ok "the daemon spins while out of descriptors ($used ticks in 3 s)"
fi
n=$(grep -c 'event=control-paused' "$T/zoned.log")
if [ "$n" -le 3 ]; then
	ok "the pause is logged once, not per wake-up ($n lines in 3 s)"
else
	not_ok "the pause is logged $n times in 3 s"
fi

kill "$hold"
wait "$hold" 2>/dev/null
answered=0
for _ in $(seq 1 30); do
	if timeout 2 "$ZONECTL" -s "$T/zoned.sock" status >/dev/null 2>&1; then
		answered=1
		break
	fi
	sleep 0.2
done
if [ "$answered" -eq 1 ]; then
	ok "zoned answers again once the connections close"
else
	not_ok "zoned does not answer after the connections closed"
fi
check "the listener is taken up again (event=control-resumed)" \
    wait_for "$T/zoned.log" 'event=control-resumed' 5
finish
