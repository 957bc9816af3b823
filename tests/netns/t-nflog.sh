#!/usr/bin/env bash
# The denied-traffic log (NFLOG): forbidden attempts come out as
# event=denied lines aggregated per reason, source, protocol and port over
# a ten-second window, one line a kind with its count; the ruleset limits
# the logged packets to log.nflog_rate a second; at most fifty lines a
# window, the rest summed up in one event=denied-suppressed.
. "$(dirname "$0")/lib.sh"

lab_up
policy
start_zoned || { not_ok "zoned starts"; finish; }

inmac=$(mac_of $IN eth0)
gwmac=$(mac_of $GW inet0)
# inject SRC DST PROTO DPORT COUNT: frames from the Internet side.
inject() {
	ip netns exec $IN "$PROBE" inject eth0 --src-mac "$inmac" \
	    --dst-mac "$gwmac" --src "$1" --dst "$2" --proto "$3" --dport "$4" \
	    --count "$5" >/dev/null
}
# The log from line $1 on.
since_line() { tail -n +"$1" "$T/zoned.log"; }
jq_int() { tr -d ' \n' | grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }

# --- a window of its own ---------------------------------------------------------
# The windows run on a timer; a marker's line shows where one has just
# begun, so that what follows falls into the next one.
inject 198.51.100.7 10.20.1.25 tcp 7 1
check "a denied marker is logged within a window (<= 12 s)" \
    wait_for "$T/zoned.log" "event=denied .*dport=7 " 12
start=$(($(wc -l <"$T/zoned.log") + 1))

# five refused connections of one kind (other source ports), in parallel
pids=()
for i in 1 2 3 4 5; do
	conn $LG tcp 10.20.100.7 198.51.100.7 80 --sport $((40700 + i)) \
	    --timeout 1 >/dev/null 2>&1 &
	pids+=($!)
done
inject 198.51.100.7 10.20.1.25 tcp 22 7	# exactly seven SYNs
inject 198.51.100.7 10.20.1.25 udp 53 3	# and three datagrams
ip netns exec $MN "$PROBE" ping 198.51.100.7 --bind 10.10.1.20 --count 2 \
    --timeout 1 >/dev/null 2>&1
wait "${pids[@]}"
# a burst far above log.nflog_rate (20 a second by default)
c0=$(counter deny.lgwan.internet)
t0=$(date +%s%N)
ip netns exec $LG "$PROBE" flood tcp 198.51.100.7 81 --count 2000 \
    --bind 10.20.100.7 >"$T/flood" 2>&1
t1=$(date +%s%N)
c1=$(counter deny.lgwan.internet)
secs=$(( (t1 - t0 + 999999999) / 1000000000 ))
elapsed=$(( ($(date +%s%N) - t0) / 1000000 ))

check "the next window's lines come (<= 12 s)" \
    wait_for "$T/zoned.log" "event=denied .*dport=22 " 12
since_line "$start" | grep 'event=denied ' >"$T/win1"
sed 's/^/# /' "$T/win1"
check "the attempts took less than a window (${elapsed} ms)" test "$elapsed" -lt 9000

# five refused connections: one line with their count
n=$(grep -c 'event=denied reason=lgwan>internet src=10.20.100.7 dst=198.51.100.7 proto=tcp dport=80 ' "$T/win1")
check "five refused connections of one kind: one line ($n)" test "$n" -eq 1
cnt=$(grep 'src=10.20.100.7 .*dport=80 ' "$T/win1" | sed -E 's/.* count=([0-9]+).*/\1/')
check "... counting every SYN (count=$cnt >= 5)" test "${cnt:-0}" -ge 5
check "... with the window" grep -q 'dport=80 count=[0-9]* window=10s$' "$T/win1"

check "seven injected SYNs: one line, count=7, every field" \
    grep -qx '.*event=denied reason=internet>lgwan src=198.51.100.7 dst=10.20.1.25 proto=tcp dport=22 count=7 window=10s' "$T/win1"
check "three datagrams: one UDP line, count=3" \
    grep -qx '.*event=denied reason=internet>lgwan src=198.51.100.7 dst=10.20.1.25 proto=udp dport=53 count=3 window=10s' "$T/win1"
check "two echo requests to the Internet: one ICMP line (dport is the type)" \
    grep -qx '.*event=denied reason=mynumber>internet src=10.10.1.20 dst=198.51.100.7 proto=icmp dport=8 count=2 window=10s' "$T/win1"
check "the marker is not counted again" sh -c "! grep -q 'dport=7 ' '$T/win1'"

n=$(grep -c 'dport=81 ' "$T/win1")
cnt=$(grep 'dport=81 ' "$T/win1" | sed -E 's/.* count=([0-9]+).*/\1/')
check "a burst of 2000 attempts: one line ($n)" test "$n" -eq 1
check "... all 2000 denied by the kernel ($c0 -> $c1 packets)" \
    test $((${c1:-0} - ${c0:-0})) -ge 2000
check "... but at most 20 a second logged (count=$cnt in ${secs}s)" \
    test "${cnt:-0}" -ge 1 -a "${cnt:-99999}" -le $((20 * (secs + 1) + 5))
check "no denied-suppressed while under fifty aggregates" \
    sh -c "! tail -n +$start '$T/zoned.log' | grep -q 'event=denied-suppressed'"

# --- more than fifty kinds in one window ------------------------------------------
# (the window after the one just flushed has begun; nflog_rate raised so
# that the ruleset logs every packet of the burst)
policy_sub 'facility = "local4";' 'facility = "local4"; nflog_rate = 100000;'
check "a reload raises log.nflog_rate to 100000" zctl reload
start=$(($(wc -l <"$T/zoned.log") + 1))
t0=$(date +%s%N)
pids=()
for p in $(seq 1001 1060); do
	inject 198.51.100.7 10.20.1.25 tcp "$p" 1 &
	pids+=($!)
done
inject 198.51.100.7 10.20.1.25 tcp 2222 10 &
pids+=($!)
wait "${pids[@]}"
elapsed=$(( ($(date +%s%N) - t0) / 1000000 ))
check "61 kinds of denied packets sent within a window (${elapsed} ms)" \
    test "$elapsed" -lt 8000
check "the window ends with event=denied-suppressed (<= 12 s)" \
    wait_for "$T/zoned.log" "event=denied-suppressed" 12
since_line "$start" >"$T/win2"
n=$(grep -c 'event=denied ' "$T/win2")
check "at most fifty event=denied lines in the window ($n)" test "$n" -eq 50
check "... the biggest aggregate among them (count=10)" \
    grep -q 'event=denied reason=internet>lgwan src=198.51.100.7 dst=10.20.1.25 proto=tcp dport=2222 count=10 window=10s' "$T/win2"
sup=$(grep 'event=denied-suppressed' "$T/win2" | head -n 1)
echo "# $sup"
check "exactly one denied-suppressed line" \
    test "$(grep -c 'event=denied-suppressed' "$T/win2")" -eq 1
pk=$(echo "$sup" | sed -nE 's/.*packets=([0-9]+).*/\1/p')
ag=$(echo "$sup" | sed -nE 's/.*aggregates=([0-9]+).*/\1/p')
check "... summing up the other eleven or more aggregates (aggregates=$ag packets=$pk)" \
    test "${ag:-0}" -ge 11 -a "${pk:-0}" -ge "${ag:-1}"
check "... with the window" grep -q 'event=denied-suppressed .*window=10s' "$T/win2"
zctl status --json >"$T/status.json"
s=$(tr -d ' \n' <"$T/status.json" | grep -o '"denied_log":{[^}]*}')
check "zonectl status shows the suppressed packets ($s)" \
    sh -c "echo '$s' | grep -Eq '\"suppressed\":([1-9][0-9]+)'"
check "zoned is still answering" zctl status

finish
