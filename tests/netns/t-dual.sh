#!/usr/bin/env bash
# Two independent verdicts on every new crossing (enforce.mode = "dual"):
# an accept rule added by hand does not open a path (exactly one
# verdict-disagreement), while in kernel mode the same rule opens it and
# drift reports it; killing the daemon keeps established connections and
# refuses new crossings, a restart resumes; a flood of new connections does
# not grow the daemon's memory without bound and the queue's drops are
# reported; SIGTERM in dual mode stops it cleanly.
. "$(dirname "$0")/lib.sh"

lab_up
policy
start_zoned || { not_ok "zoned starts"; finish; }
listen $LG tcp 443
listen $IN tcp 80
listen $IN tcp 3389

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$(pgrep -f "$ZONED -d -f $T/zoned.conf" | head -n 1)/status"; }
jq_int() { tr -d ' \n' | grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }

check "status says dual mode with a bound queue" \
    sh -c "\"$ZONECTL\" -s \"$T/zoned.sock\" status --json | tr -d ' \n' | grep -q '\"enforce\":{\"mode\":\"dual\",\"queue\":{\"queue\":100'"
check "a permitted crossing passes both verdicts" conn $LG tcp 10.20.100.7 192.0.2.40 3389
n=$(zctl status --json | jq_int accepted)
check "... and the daemon accepted it ($n verdicts)" test "${n:-0}" -ge 1

# a UDP exchange still unanswered stays "new" in conntrack: its second
# datagram must not come back to the daemon (the agreed label)
v0=$(zctl status --json | jq_int verdicts)
conn $LG udp 10.20.100.7 192.0.2.40 3389 --sport 40600 --timeout 1 >/dev/null 2>&1
conn $LG udp 10.20.100.7 192.0.2.40 3389 --sport 40600 --timeout 1 >/dev/null 2>&1
v1=$(zctl status --json | jq_int verdicts)
check "two datagrams of one unanswered UDP exchange are judged once ($v0 -> $v1)" \
    test "$v1" -eq $((v0 + 1))
check "... the connection carries the agreed label" \
    sh -c "ip netns exec $GW nft list chain inet zoned agreed | grep -q 'ct label set 120'"

# --- a tampered ruleset, dual mode --------------------------------------------------
ip netns exec $GW nft insert rule inet zoned forward accept
refute "dual: a hand-made accept rule does not open terminal -> Internet" \
    conn $LG tcp 10.20.100.7 198.51.100.7 80 --sport 40505 --timeout 3
check "... exactly one verdict-disagreement is logged" \
    test "$(grep -c 'event=verdict-disagreement' "$T/zoned.log")" -eq 1
check "... naming the flow the kernel matched (none: the hand-made rule) and why" \
    grep -q 'event=verdict-disagreement .*kernel_flow=none in=lg0 out=inet0 proto=tcp src=10.20.100.7 sport=40505 dst=198.51.100.7 dport=80 classifier=no-flow' "$T/zoned.log"
# untracked traffic is never the policy's: one more hand-made rule that
# takes the connection out of conntrack must not get round the queue
ip netns exec $GW nft -f - <<'EOF'
table ip zt_raw {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		ip saddr 10.20.100.7 tcp dport 80 notrack
		ip daddr 10.20.100.7 tcp sport 80 notrack
	}
}
EOF
refute "dual: nor does it with the connection taken out of conntrack (notrack)" \
    conn $LG tcp 10.20.100.7 198.51.100.7 80 --sport 40506 --timeout 3
ip netns exec $GW nft delete table ip zt_raw
check "... and the drift check sees the rule" \
    sh -c "! \"$ZONECTL\" -s \"$T/zoned.sock\" verify >/dev/null"
check "... and established traffic of permitted flows still passes" \
    conn $LG tcp 10.20.100.7 192.0.2.40 3389

# --- the same rule, kernel mode ----------------------------------------------------
stop_zoned
policy
policy_mode kernel
start_zoned || not_ok "zoned restarts in kernel mode"
ip netns exec $GW nft insert rule inet zoned forward accept
check "kernel: the same hand-made rule opens the path" \
    conn $LG tcp 10.20.100.7 198.51.100.7 80
check "... which the drift check reports" \
    sh -c "! \"$ZONECTL\" -s \"$T/zoned.sock\" verify >/dev/null"
stop_zoned

# --- killing the daemon in dual mode ----------------------------------------------
policy
start_zoned || not_ok "zoned restarts in dual mode"
conn $MN tcp 10.10.1.20 10.200.5.10 443 --hold 5 >"$T/hold" 2>&1 &
hold=$!
sleep 1
kill -9 "$ZPID"
ZPID=
sleep 0.3
refute "with the daemon dead, a permitted new crossing is refused (no bypass)" \
    conn $LG tcp 10.20.100.7 192.0.2.40 3389
check "... and a forbidden one too" sh -c "! ip netns exec $LG \"$PROBE\" connect tcp 198.51.100.7 80 --bind 10.20.100.7 --timeout 1"
start_zoned || not_ok "zoned restarts"
wait "$hold"
check "an established connection flowed on through kill -9 and restart" test $? -eq 0
check "after the restart new crossings work again, without an operator" \
    conn $LG tcp 10.20.100.7 192.0.2.40 3389

# --- a flood of new connections --------------------------------------------------
before=$(rss)
ip netns exec $LG "$PROBE" flood tcp 192.0.2.40 3389 --count 20000 \
    --bind 10.20.100.7 >"$T/flood" 2>&1
after=$(rss)
check "a flood of 20000 new connections ran ($(cat "$T/flood"))" grep -q attempted "$T/flood"
check "the daemon's memory stayed bounded (${before} kB -> ${after} kB)" \
    test "$after" -lt $((before + 20000))
zctl status --json >"$T/st.json"
v=$(jq_int verdicts <"$T/st.json")
d=$(jq_int queue_dropped <"$T/st.json")
check "status reports verdicts ($v) and the kernel's queue drops ($d)" \
    sh -c "[ -n '$v' ] && [ -n '$d' ] && [ '$v' -gt 1000 ]"
check "... the same drops as the kernel's own count" \
    sh -c "ip netns exec $GW awk '\$1 == 100 { print \$6 }' /proc/net/netfilter/nfnetlink_queue | grep -qx '$d'"
check "zoned is still answering" zctl status

# --- SIGTERM in dual mode ------------------------------------------------------------
# The modules are closed before the policy is freed: the verdict module
# must not be written to after it is gone (a heap use-after-free on every
# stop, once).
kill -TERM "$ZPID"
for _ in $(seq 1 50); do kill -0 "$ZPID" 2>/dev/null || break; sleep 0.1; done
kill -9 "$ZPID" 2>/dev/null	# still there after 5 s: a failure below
wait "$ZPID"
rc=$?
ZPID=
check "SIGTERM in dual mode: zoned exits 0 (exit $rc)" test "$rc" -eq 0
check "... logging event=stopped ruleset=kept" grep -q "event=stopped ruleset=kept" "$T/zoned.log"
n=$(grep -cE "$SAN_RE" "$T/zoned.log")
check "... without a sanitizer report ($n lines)" test "$n" -eq 0
check "... and the table stays" ip netns exec $GW nft list table inet zoned

finish
