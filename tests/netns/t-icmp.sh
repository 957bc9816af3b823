#!/usr/bin/env bash
# ICMP across the gateway.  The example has no ICMP flow, so every ping
# between zones is refused; a pinned My Number flow for echo requests
# (service icmp, types [ 8 ]) lets exactly that echo cross with its reply,
# and no other type, host, direction or zone pair.  Dual mode (the
# default), then kernel mode.
. "$(dirname "$0")/lib.sh"

lab_up

# ping NS SRC DST: two echo requests, answered within two seconds.
ping() {
	local ns=$1 src=$2 dst=$3
	ip netns exec "$ns" "$PROBE" ping "$dst" --bind "$src" --count 2 --timeout 2
}
# noping NS SRC DST: the same, for a ping that must fail (one second).
noping() {
	local ns=$1 src=$2 dst=$3
	ip netns exec "$ns" "$PROBE" ping "$dst" --bind "$src" --count 2 --timeout 1
}
jq_int() { tr -d ' \n' | grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }

# --- the example as it is: no ICMP flow ----------------------------------------
policy
start_zoned || { not_ok "zoned starts on conf/alpha.conf"; finish; }
refute "alpha.conf: atena cannot ping chukan (no ICMP flow)" \
    noping $MN 10.10.1.20 10.200.5.10
refute "alpha.conf: a terminal cannot ping rds (browse is rdp only)" \
    noping $LG 10.20.100.7 192.0.2.40
check "alpha.conf: zonectl check agrees (deny icmp/8)" \
    sh -c "! \"$ZONECTL\" -s \"$T/zoned.sock\" check atena chukan icmp/8"
stop_zoned

# --- one permitted ICMP flow -----------------------------------------------------
# the policy with an echo-request service and a pinned flow atena -> chukan
icmp_policy() {
	policy
	policy_sub '  juki     = {' '  echo     = { proto = "icmp"; types = [ 8 ]; };
  juki     = {'
	policy_sub '  { name = "mail-in";' '  { name = "atena-echo"; from = "atena"; to = "chukan"; service = "echo";
    method = "specific"; approval = "CISO-2026-018"; },
  { name = "mail-in";'
	policy_mode "$1"
}

run() {
	local mode=$1 n n0 v0 v1 before after gwmac sn rc
	icmp_policy "$mode"
	"$ZONECTL" lint -f "$T/zoned.conf" >"$T/lint.out" 2>&1
	rc=$?
	check "$mode: the policy with an ICMP flow passes lint without findings (exit $rc)" \
	    test "$rc" -eq 0 -a ! -s "$T/lint.out"
	start_zoned || { not_ok "$mode: zoned starts with the ICMP flow"; return; }
	check "$mode: zonectl check: atena -> chukan icmp/8 by atena-echo" \
	    sh -c "\"$ZONECTL\" -s \"$T/zoned.sock\" check atena chukan icmp/8 | grep -q 'permit: flow \"atena-echo\"'"

	v0=$(zctl status --json | jq_int accepted)
	n0=$(flow_packets atena-echo)
	ping $MN 10.10.1.20 10.200.5.10 >"$T/ping.out" 2>&1
	check "$mode: atena pings chukan, and both replies come back (atena-echo): $(cat "$T/ping.out")" \
	    grep -q '^sent 2 received 2$' "$T/ping.out"
	n=$(flow_packets atena-echo)
	check "$mode: the counter of atena-echo moved by the echoes and replies ($n0 -> $n packets)" \
	    test "${n:-0}" -ge $((${n0:-0} + 4))
	if [ "$mode" = dual ]; then
		v1=$(zctl status --json | jq_int accepted)
		check "dual: the second verdict accepted the echo ($v0 -> $v1)" \
		    test "${v1:-0}" -gt "${v0:-0}"
	fi

	before=$(counter deny.lgwan.mynumber)
	refute "$mode: chukan cannot ping atena (the flow runs one way)" \
	    noping $LG 10.200.5.10 10.10.1.20
	refute "$mode: atena cannot ping juki-pref (another peer)" \
	    noping $MN 10.10.1.20 10.200.7.10
	refute "$mode: juki-cs cannot ping chukan (another My Number host)" \
	    noping $MN 10.10.1.30 10.200.5.10
	refute "$mode: an unpinned My Number host cannot ping chukan" \
	    noping $MN 10.10.3.3 10.200.5.10
	refute "$mode: atena cannot ping the Internet" \
	    noping $MN 10.10.1.20 198.51.100.7
	refute "$mode: the Internet cannot ping atena" \
	    noping $IN 198.51.100.7 10.10.1.20
	refute "$mode: a terminal cannot ping rds" noping $LG 10.20.100.7 192.0.2.40
	refute "$mode: the Internet cannot ping an LGWAN host" \
	    noping $IN 192.0.2.26 10.20.1.25
	after=$(counter deny.lgwan.mynumber)
	check "$mode: the refused pings into My Number were counted ($before -> $after)" \
	    test "${after:-0}" -ge $((${before:-0} + 2))

	# only type 8: a timestamp request (13) from atena with its own MAC
	# does not cross, an echo request (8) in the same frame does
	gwmac=$(mac_of $GW mn0)
	xtype() {
		ip netns exec $LG "$PROBE" sniff eth0 "icmp and src host 10.10.1.20" \
		    --timeout 2 --expect "$2" >"$T/sniff.out" 2>&1 &
		sn=$!
		wait_for "$T/sniff.out" ready 3
		ip netns exec $MN "$PROBE" inject eth0 --src-mac 02:00:0a:0a:01:14 \
		    --dst-mac "$gwmac" --src 10.10.1.20 --dst 10.200.5.10 \
		    --proto icmp --type "$1" --count 2 >/dev/null
		wait "$sn"
	}
	check "$mode: control: an injected echo request (type 8) crosses" xtype 8 2
	before=$(counter deny.mynumber.lgwan)
	check "$mode: an ICMP timestamp request (type 13) does not cross" xtype 13 0
	after=$(counter deny.mynumber.lgwan)
	check "$mode: ... it was denied as mynumber -> lgwan ($before -> $after)" \
	    test "${after:-0}" -ge $((${before:-0} + 2))
	check "$mode: the kernel's table still matches the policy" zctl verify
	stop_zoned
}

run dual
run kernel

finish
