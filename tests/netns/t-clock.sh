#!/usr/bin/env bash
# Clock status: zonectl status says whether the kernel's clock is
# synchronised, as adjtimex(2) says (read here by a helper of its own);
# the daemon logs event=clock-unsynchronised / clock-synchronised when
# that changes (a test build reads the values from a file instead of the
# kernel, so that the change can be made without touching the host's
# clock).
. "$(dirname "$0")/lib.sh"

TIMEX=$top/build/test/netns/timex
lab_up
policy
start_zoned || { not_ok "zoned starts"; finish; }

# --- the real clock ------------------------------------------------------------
read -r ret status est max < <("$TIMEX" | sed 's/[a-z]*=//g')
if [ "$ret" -eq 5 ] || [ $((status & 0x40)) -ne 0 ] || [ "$max" -ge 16000000 ] || [ "$est" -gt 1000000 ]; then
	want=false
else
	want=true
fi
echo "# adjtimex: ret=$ret status=$status esterror=$est maxerror=$max: synchronised=$want"
check "status --json: synchronised is $want, as adjtimex says" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' status --json | tr -d ' \n' | grep -q '\"clock\":{\"synchronised\":$want,\"estimated_error_us\":$est,\"maximum_error_us\":$max'"
if [ "$want" = true ]; then
	check "status says so in text" sh -c "'$ZONECTL' -s '$T/zoned.sock' status | grep -q '^clock  *synchronised (estimated error'"
else
	check "status says so in text" sh -c "'$ZONECTL' -s '$T/zoned.sock' status | grep -q '^clock  *NOT SYNCHRONISED: '"
	check "... and the start logged event=clock-unsynchronised" grep -q "event=clock-unsynchronised" "$T/zoned.log"
fi
stop_zoned

# --- a change, through the test build's override -----------------------------------
echo "5 $((0x2040)) 16000000 16000000" >"$T/clock"	# a fresh boot: TIME_ERROR, STA_UNSYNC
ZENV="ZONED_TEST_CLOCK=$T/clock ZONED_TEST_CLOCK_MS=200"
: >"$T/zoned.log"
SAN_SEEN=0
start_zoned || { not_ok "zoned starts with the override"; finish; }
check "unsynchronised at start: event=clock-unsynchronised" \
    wait_for "$T/zoned.log" "event=clock-unsynchronised why=\"the kernel's unsynchronised flag is set" 3
echo "0 $((0x2001)) 1500 30000" >"$T/clock"	# TIME_OK, STA_PLL: chrony took over
check "synchronised: event=clock-synchronised, logged on the change" \
    wait_for "$T/zoned.log" "event=clock-synchronised esterror_us=1500 maxerror_us=30000" 3
check "status: synchronised, with the estimated and maximum error" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' status | grep -q '^clock  *synchronised (estimated error 1.500 ms, maximum 30.000 ms)'"
sleep 1
check "logged once, not on every check" test "$(grep -c 'event=clock-synchronised' "$T/zoned.log")" -eq 1
echo "0 $((0x2001)) 2500000 9000000" >"$T/clock"	# an error estimate over a second
check "an estimated error over a second: event=clock-unsynchronised" \
    wait_for "$T/zoned.log" 'event=clock-unsynchronised why="the estimated error is over one second"' 3
check "status: NOT SYNCHRONISED, why" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' status | grep -q '^clock  *NOT SYNCHRONISED: the estimated error is over one second (estimated error 2.500 s)'"

finish
