#!/usr/bin/env bash
# An active/standby pair (zoned(8), HIGH AVAILABILITY) with the real
# keepalived and conntrackd, configured from conf/ha/, in the pair lab
# (scripts/lab.sh up --ha).  A long-lived TCP stream like a screen
# transfer (LGWAN terminal -> Internet browsing server) and a UDP flow go
# through the master while:
#   1. the master fails hard (its zone links down, keepalived SIGKILLed);
#   2. it comes back and takes the role again, its conntrackd commit made
#      slow on purpose: what reaches it before the commit is held, never
#      judged as new;
#   3. its keepalived stops (SIGTERM): a graceful handover.
# Each time the flows go on without a reset, the new master neither
# queues a packet of them as a new connection nor drops one as denied,
# the committed connections carry their flow's mark and the label of the
# second verdict, and the time without traffic is measured and printed.
# A connection whose flow the backup's policy no longer has (removed
# meanwhile) ends at the hard failover.
# A forbidden connection attempted in a loop throughout never connects,
# and on the new master a hand-added accept rule is still refused.
. "$(dirname "$0")/lib.sh"

HASTREAM=${HASTREAM:-build/test/netns/hastream}
case $HASTREAM in /*) ;; *) HASTREAM=$top/$HASTREAM ;; esac
export HA_DIR=$T/pair HA_PREEMPT_DELAY=3
GW1=${LAB_PREFIX}gw1 GW2=${LAB_PREFIX}gw2
. scripts/hapair.sh

for c in keepalived conntrackd conntrack; do
	if ! command -v "$c" >/dev/null; then
		not_ok "$c is installed (scripts/deps.sh)"
		finish
	fi
done
[ -x "$HASTREAM" ] || { not_ok "$HASTREAM is built"; finish; }

ha_cleanup() {
	local n log
	for n in 1 2; do
		hapair_stop "$n"
		log=$(hapair_dir "$n")/zoned.log
		SAN_SEEN=0
		sanitizer_check "$log"
	done
}
trap 'ha_cleanup >/dev/null 2>&1; cleanup' EXIT

now_ms() { date +%s%3N; }
jint() { tr -d ' \n' | grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }
verdicts() { hapair_ctl "$1" status --json | jint verdicts; }
nft_packets() {
	ip netns exec "$(hapair_ns "$1")" nft list counter inet zoned "$2" |
	    awk '/packets/ { print $2; exit }'
}
# The longest gap of a flow's output that started in [FROM-2s, TO).
gap_in() {
	awk -v a="$2" -v b="$3" '/^gap / {
		split($2, s, "="); split($3, m, "=")
		if (s[2] + 0 >= a - 2000 && s[2] + 0 < b && m[2] + 0 > g) g = m[2] + 0
	} END { print g + 0 }' "$1"
}
not_broken() { ! grep -q '^broken' "$1"; }

scripts/lab.sh up --ha >/dev/null
scripts/useradd.sh
hapair_configure 1
hapair_configure 2
hapair_start 1 || not_ok "node 1 starts (zoned, conntrackd, keepalived)"
hapair_start 2 || not_ok "node 2 starts"

check "node 1 becomes the master" hapair_wait_state 1 master 30
check "node 2 the backup" hapair_wait_state 2 backup 10
check "only the master holds the zones' virtual addresses" \
    sh -c "ip netns exec $GW1 ip -4 -o addr show dev lg0 | grep -q ' 10.20.0.1/' &&
        ! ip netns exec $GW2 ip -4 -o addr show dev lg0 | grep -q ' 10.20.0.1/'"
standby() {
	ip netns exec "$(hapair_ns "$1")" nft list set inet zoned ha.standby |
	    grep -o '"[a-z0-9]*"' | sort | tr -d '"\n'
}
check "the master forwards, the backup holds every zone" \
    sh -c "[ -z \"$(standby 1)\" ] && [ \"$(standby 2)\" = inet0lg0mn0 ]"
check "node 1 is healthy" hapair_ctl 1 health
check "node 2 is healthy" hapair_ctl 2 health
hapair_ctl 1 status >"$T/status1"
check "status shows the HA state and the policy's SHA-256" \
    sh -c "grep -q '^ha  *master since .*, forwarding; sync link sync0, peer 192.168.255.1, 192.168.255.2' '$T/status1' &&
        grep -q '^sha256  *[0-9a-f]\{64\}$' '$T/status1' &&
        grep -q '^conntrackd   commit ok, flush ok, resync ok, bulk ok' '$T/status1'"
check "the master logged its transition" \
    grep -q 'event=ha-state state=master previous=backup forwarding=yes conntrackd="commit ok, flush ok, resync ok, bulk ok"' "$(hapair_dir 1)/zoned.log"

# --- the flows ----------------------------------------------------------------
mark=$(hapair_ctl 1 flows --json | tr -d ' \n' | sed 's/},{/}\n{/g' |
    grep '"name":"browse"' | grep -o '"mark":"0x[0-9a-f]*"' | cut -d'"' -f4)
markdec=$((mark))
ip netns exec $IN "$HASTREAM" serve tcp 3389 --bind 192.0.2.40 --timeout 600 \
    >"$T/serve.tcp" 2>&1 &
BG+=($!)
ip netns exec $IN "$HASTREAM" serve udp 3389 --bind 192.0.2.40 --timeout 600 \
    >"$T/serve.udp" 2>&1 &
BG+=($!)
ip netns exec $IN "$HASTREAM" serve tcp 1494 --bind 192.0.2.41 --timeout 600 \
    >"$T/serve.ica" 2>&1 &
BG+=($!)
for port in 80 443; do
	ip netns exec $IN "$PROBE" listen tcp $port --timeout 600 \
	    >"$T/listen.$port" 2>&1 &
	BG+=($!)
done
wait_for "$T/serve.tcp" ready 5
wait_for "$T/serve.udp" ready 5
ip netns exec $LG "$HASTREAM" run tcp 192.0.2.40 3389 --bind 10.20.100.7 \
    --timeout 600 >"$T/flow.tcp" 2>&1 &
TCPFLOW=$!
BG+=($TCPFLOW)
ip netns exec $LG "$HASTREAM" run udp 192.0.2.40 3389 --bind 10.20.100.7 \
    --timeout 600 >"$T/flow.udp" 2>&1 &
UDPFLOW=$!
BG+=($UDPFLOW)
wait_for "$T/serve.ica" ready 5
ip netns exec $LG "$HASTREAM" run tcp 192.0.2.41 1494 --bind 10.20.100.7 \
    --timeout 600 >"$T/flow.ica" 2>&1 &
ICAFLOW=$!
BG+=($ICAFLOW)
wait_for "$T/flow.tcp" connected 5
wait_for "$T/flow.ica" connected 5
sport=$(sed -n 's/^connected sport=//p' "$T/flow.tcp")
sleep 2
check "the stream crosses the master, carrying the flow's mark ($mark)" \
    sh -c "ip netns exec $GW1 conntrack -L -p tcp --sport $sport 2>/dev/null | grep -q 'ESTABLISHED .*mark=$markdec '"
check "... and the backup's conntrackd holds it, with the mark" \
    sh -c "ip netns exec $GW2 conntrackd -C '$(hapair_dir 2)/conntrackd.conf' -e | grep 'sport=$sport ' | grep -q 'ESTABLISHED .*mark=$markdec '"

# A UDP exchange the server never answers stays "new" in conntrack: only
# the label of the second verdict keeps its next datagram from the queue.
ip netns exec $LG ip addr add 10.20.100.8/16 dev eth0
ip netns exec $IN ip route add blackhole 10.20.100.8/32
v1=$(verdicts 1)
conn $LG udp 10.20.100.8 192.0.2.40 3389 --sport 40800 --timeout 0.3 >/dev/null 2>&1
check "an unanswered UDP exchange is judged once by the master ($v1 -> $(verdicts 1))" \
    test "$(verdicts 1)" -eq $((v1 + 1))

# forbidden crossings, tried throughout: LGWAN to the Internet's web, My
# Number to the Internet
forbidden() {
	local n=0 ok=0 i
	for i in $(seq 1 300); do
		[ -e "$T/forbidden.stop" ] && break
		conn $LG tcp 10.20.100.7 198.51.100.7 80 --timeout 0.2 \
		    >/dev/null 2>&1 && ok=$((ok + 1))
		conn $MN tcp 10.10.1.20 198.51.100.7 443 --timeout 0.2 \
		    >/dev/null 2>&1 && ok=$((ok + 1))
		n=$((n + 2))
		echo "$n $ok" >"$T/forbidden.count"
	done
}
forbidden &
FORBIDDEN=$!
BG+=($FORBIDDEN)
sleep 1

# the operator removes the ICA flow from node 2's policy, not yet from the
# master's
n2dir=$(hapair_dir 2)
cp "$n2dir/zoned.conf" "$n2dir/zoned.pair"
sed -i '/name = "browse-ica"/,+1d' "$n2dir/zoned.conf"
check "node 2 reloads a policy without the flow browse-ica" hapair_ctl 2 reload
check "... the ICA stream still runs through node 1" \
    sh -c "ip netns exec $GW1 conntrack -L -p tcp --dport 1494 2>/dev/null | grep -q ESTABLISHED"

# --- 1. hard failure of the master ----------------------------------------------
v2=$(verdicts 2)
st2=$(nft_packets 2 deny.stale)
d2=$(nft_packets 2 deny.internet.lgwan)
t_hard=$(now_ms)
for i in mn0 lg0 inet0; do ip netns exec $GW1 ip link set "$i" down; done
hapair_kill_keepalived 1 KILL
check "hard failure: node 2 becomes the master" hapair_wait_state 2 master 20
t_master=$(now_ms)
check "... with the virtual addresses" hapair_has_vips 2
sleep 5
check "the TCP stream goes on through node 2, not reset" not_broken "$T/flow.tcp"
check "the UDP flow goes on through node 2" not_broken "$T/flow.udp"
g_hard_tcp=$(gap_in "$T/flow.tcp" "$t_hard" "$(now_ms)")
g_hard_udp=$(gap_in "$T/flow.udp" "$t_hard" "$(now_ms)")
check "... the UDP flow was interrupted (${g_hard_udp} ms) and resumed" \
    test "$g_hard_udp" -gt 0
check "node 2 queued no packet of them as a new connection (verdicts $v2 -> $(verdicts 2))" \
    test "$(verdicts 2)" -eq "$v2"
check "node 2 denied none of them (deny.internet.lgwan $d2 -> $(nft_packets 2 deny.internet.lgwan))" \
    test "$(nft_packets 2 deny.internet.lgwan)" -eq "$d2"
check "node 2 has the stream committed with the flow's mark" \
    sh -c "ip netns exec $GW2 conntrack -L -p tcp --sport $sport 2>/dev/null | grep -q 'ESTABLISHED .*mark=$markdec '"
held=$(nft_packets 2 deny.ha-standby)
echo "# node 2 held $held packets that arrived before its commit (deny.ha-standby)"
check "node 2 committed the synced connections before it forwarded" \
    grep -q '^ha-notify master: conntrackd commit ok, flush ok, resync ok, bulk ok; zoned forwards' "$(hapair_dir 2)/notify.log"

# the connection of the flow node 2 no longer has: committed, and ended
st2b=$(nft_packets 2 deny.stale)
kill -TERM "$ICAFLOW"
wait "$ICAFLOW"
ica_gap=$(sed -n 's/^done .*max_gap_ms=\([0-9]*\).*/\1/p' "$T/flow.ica")
check "the ICA stream, whose flow node 2 removed, ends: denied as stale ($st2 -> $st2b)" \
    test "$st2b" -gt "$st2"
check "... nothing of it crossed node 2 (${ica_gap:-?} ms without data at the end)" \
    test "${ica_gap:-0}" -ge $(( $(now_ms) - t_hard - 2000 ))
cp "$n2dir/zoned.pair" "$n2dir/zoned.conf"
check "node 2 reloads the pair's policy again" hapair_ctl 2 reload

# the unanswered exchange: committed with its label, its next datagram
# crosses node 2 unqueued
ip netns exec $IN "$PROBE" sniff eth0 "udp and src host 10.20.100.8 and src port 40800" \
    --timeout 3 --expect 1 >"$T/sniff" 2>&1 &
snf=$!
sleep 0.3
v2=$(verdicts 2)
conn $LG udp 10.20.100.8 192.0.2.40 3389 --sport 40800 --timeout 0.3 >/dev/null 2>&1
wait "$snf"
check "the unanswered UDP exchange crosses node 2 ..." test $? -eq 0
check "... without being judged again: its label came with it ($v2 -> $(verdicts 2))" \
    test "$(verdicts 2)" -eq "$v2"

# the second verdict on the new master: a hand-added accept rule opens
# nothing (removed at once: a drifted table is unhealthy)
h=$(ip netns exec $GW2 nft -e -a insert rule inet zoned forward accept |
    sed -n 's/.*# handle \([0-9]*\).*/\1/p')
conn $LG tcp 10.20.100.7 198.51.100.7 80 --sport 40555 --timeout 1 \
    >"$T/forced" 2>&1 &
fc=$!
sleep 0.4
ip netns exec $GW2 nft delete rule inet zoned forward handle "$h"
wait "$fc"
check "node 2: a hand-added accept rule does not open LGWAN -> Internet" \
    test $? -eq 1
check "... node 2's classifier refused it (verdict-disagreement)" \
    grep -q 'event=verdict-disagreement .*kernel_flow=none in=lg0 out=inet0 proto=tcp src=10.20.100.7 sport=40555' "$(hapair_dir 2)/zoned.log"

# --- 2. failback, with a slow commit ------------------------------------------------
# node 1 comes back: keepalived first (it removes the addresses it left),
# then its links.  Its conntrackd takes 2 s to commit: what the returning
# master receives meanwhile is held, not judged.
mkdir -p "$T/slowbin"
cat >"$T/slowbin/conntrackd" <<EOF
#!/bin/sh
# conntrackd, with the commit of a large table: 2 s
for a; do [ "\$a" = -c ] && sleep 2; done
exec $(command -v conntrackd) "\$@"
EOF
chmod 755 "$T/slowbin" "$T/slowbin/conntrackd"
HA_PATH=$T/slowbin hapair_configure 1
v1=$(verdicts 1)
d1=$(nft_packets 1 deny.internet.lgwan)
s1=$(nft_packets 1 deny.ha-standby)
hapair_start 1 keepalived || not_ok "node 1's keepalived starts again"
sleep 1
t_back=$(now_ms)
for i in mn0 lg0 inet0; do ip netns exec $GW1 ip link set "$i" up; done
check "failback: node 1 is the master again" hapair_wait_state 1 master 30
check "... node 2 the backup, holding" hapair_wait_state 2 backup 5
sleep 4
check "the TCP stream goes on through node 1, not reset" not_broken "$T/flow.tcp"
check "the UDP flow goes on through node 1" not_broken "$T/flow.udp"
g_back_tcp=$(gap_in "$T/flow.tcp" "$t_back" "$(now_ms)")
g_back_udp=$(gap_in "$T/flow.udp" "$t_back" "$(now_ms)")
s1b=$(nft_packets 1 deny.ha-standby)
check "node 1 held what arrived during its 2 s commit ($((s1b - s1)) packets)" \
    test "$s1b" -gt "$s1"
check "... and judged none of it as new (verdicts $v1 -> $(verdicts 1))" \
    test "$(verdicts 1)" -eq "$v1"
check "... nor denied any of it (deny.internet.lgwan $d1 -> $(nft_packets 1 deny.internet.lgwan))" \
    test "$(nft_packets 1 deny.internet.lgwan)" -eq "$d1"

# --- 3. graceful handover ------------------------------------------------------------
t_grace=$(now_ms)
hapair_kill_keepalived 1 TERM
check "graceful stop: node 2 becomes the master" hapair_wait_state 2 master 15
check "... node 1 holds (keepalived stopped)" hapair_wait_state 1 stop 5
sleep 4
check "the TCP stream goes on, not reset" not_broken "$T/flow.tcp"
check "the UDP flow goes on" not_broken "$T/flow.udp"
g_grace_tcp=$(gap_in "$T/flow.tcp" "$t_grace" "$(now_ms)")
g_grace_udp=$(gap_in "$T/flow.udp" "$t_grace" "$(now_ms)")

# --- the end -------------------------------------------------------------------------
touch "$T/forbidden.stop"
wait "$FORBIDDEN"
read -r fn fok <"$T/forbidden.count"
check "no forbidden connection connected during and after the failovers ($fok of $fn)" \
    test "$fn" -ge 20 -a "$fok" -eq 0
kill -TERM "$TCPFLOW" "$UDPFLOW"
wait "$TCPFLOW"
tcp_rc=$?
wait "$UDPFLOW"
udp_rc=$?
check "the TCP stream ended well ($(grep '^done' "$T/flow.tcp"))" \
    test "$tcp_rc" -eq 0
check "the UDP flow ended well ($(grep '^done' "$T/flow.udp"))" \
    test "$udp_rc" -eq 0
broken=$(cat "$T/flow.tcp" "$T/flow.udp" | grep -c '^broken')
echo "# time without traffic (UDP every 10 ms / the TCP stream):"
echo "#   hard failure      ${g_hard_udp} ms / ${g_hard_tcp} ms (node 2 master $((t_master - t_hard)) ms after the failure)"
echo "#   failback          ${g_back_udp} ms / ${g_back_tcp} ms (with a commit slowed by 2 s)"
echo "#   graceful stop     ${g_grace_udp} ms / ${g_grace_tcp} ms"
echo "#   connections broken: $broken"
check "no connection broken" test "$broken" -eq 0

ha_cleanup
finish
