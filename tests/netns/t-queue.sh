#!/usr/bin/env bash
# Queue drops in dual mode with enforce.queue_maxlen = 16: while the daemon
# is stopped (SIGSTOP) the kernel holds sixteen new connections and drops
# the rest; once it runs again it judges the held ones, zonectl status
# shows the kernel's drops and event=queue-drops is logged once for them
# (its one-second timer), again only for new drops; connections that
# retry get through.
. "$(dirname "$0")/lib.sh"

lab_up
policy
echo 'enforce = { mode = "dual"; queue_maxlen = 16; };' >>"$T/zoned.conf"
start_zoned || { not_ok "zoned starts"; finish; }
listen $IN tcp 3389

jq_int() { tr -d ' \n' | grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }
# The kernel's figures of queue 100: total dropped user_dropped.
kq() {
	ip netns exec $GW awk '$1 == 100 { print $3, $6, $7 }' \
	    /proc/net/netfilter/nfnetlink_queue
}
# wait_queue N SECS: until the kernel holds N packets for the daemon.
wait_queue() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ "$(kq | cut -d' ' -f1)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# wait_drops N SECS: until the kernel has dropped N packets in all.
wait_drops() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ "$(kq | cut -d' ' -f2)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
events() { grep -c 'event=queue-drops' "$T/zoned.log"; }
# wait_events N SECS: until N queue-drops events are logged.
wait_events() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ "$(events)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# Make sure a stopped daemon can always be stopped by the cleanup.
trap 'kill -CONT "$ZPID" 2>/dev/null; cleanup' EXIT

check "the queue is bound with maxlen 16" \
    grep -q 'event=queue-bound queue=100 maxlen=16' "$T/zoned.log"
check "a permitted crossing passes both verdicts" conn $LG tcp 10.20.100.7 192.0.2.40 3389
zctl status --json >"$T/st0.json"
a0=$(jq_int accepted <"$T/st0.json")
d0=$(jq_int queue_dropped <"$T/st0.json")
check "no queue drops yet ($d0)" test "${d0:-x}" = 0

# --- 48 new connections while the daemon is stopped ------------------------------
kill -STOP "$ZPID"
ip netns exec $LG "$PROBE" flood tcp 192.0.2.40 3389 --count 48 \
    --bind 10.20.100.7 >"$T/flood" 2>&1
read -r total dropped udropped <<<"$(kq)"
check "48 attempts were made in parallel ($(cat "$T/flood"))" \
    grep -q '^attempted 48 ' "$T/flood"
check "the kernel holds exactly 16 for the stopped daemon ($total)" test "$total" = 16
check "... and dropped the other 32 ($dropped)" test "${dropped:-0}" -ge 32
sleep 1.5	# at least one tick of the daemon's timer would have passed
check "nothing is logged while the daemon is stopped" test "$(events)" -eq 0
kill -CONT "$ZPID"

check "event=queue-drops is logged after the daemon resumes (<= 3 s)" \
    wait_for "$T/zoned.log" 'event=queue-drops' 3
line=$(grep 'event=queue-drops' "$T/zoned.log" | head -n 1)
echo "# $line"
check "... with the queue, the kernel's drops, and as many new" \
    sh -c "echo '$line' | grep -Eq 'event=queue-drops queue=100 dropped=$dropped user_dropped=$udropped new=$((dropped + udropped))\$'"
check "the kernel's queue is empty again" wait_queue 0 3
zctl status --json >"$T/st1.json"
a1=$(jq_int accepted <"$T/st1.json")
d1=$(jq_int queue_dropped <"$T/st1.json")
check "zonectl status: enforce.queue.queue_dropped > 0 ($d1)" test "${d1:-0}" -gt 0
check "... the kernel's own count" test "$d1" = "$(kq | cut -d' ' -f2)"
check "the 16 held connections were judged and accepted ($a0 -> $a1)" \
    test "${a1:-0}" -ge $((${a0:-0} + 16))
sleep 2.5
check "queue-drops is not repeated without new drops" test "$(events)" -eq 1
check "a new permitted crossing passes again" conn $LG tcp 10.20.100.7 192.0.2.40 3389

# --- connections that retry get through ------------------------------------------------
kill -STOP "$ZPID"
pids=()
for i in $(seq 1 24); do
	conn $LG tcp 10.20.100.7 192.0.2.40 3389 --sport $((41000 + i)) \
	    --timeout 8 >"$T/c$i" 2>&1 &
	pids+=($!)
done
check "the kernel holds 16 of 24 new connections for the stopped daemon" \
    wait_queue 16 5
k=$(kq | cut -d' ' -f2)
check "... and drops the other 8 ($dropped -> $k)" wait_drops $((dropped + 8)) 5
kill -CONT "$ZPID"
okc=0
for p in "${pids[@]}"; do
	wait "$p" && okc=$((okc + 1))
done
check "all 24 connections got through once the daemon resumed ($okc)" test "$okc" -eq 24
check "the new drops were logged in a second queue-drops event" wait_events 2 3
d2=$(zctl status --json | jq_int queue_dropped)
check "status counts the new drops too ($d1 -> $d2)" test "${d2:-0}" -gt "$d1"
check "zoned is still answering" zctl status

finish
