#!/usr/bin/env bash
# The audit monitor: permitted traffic raises nothing; a crossing forced
# past the kernel raises exactly one crossing-violation per flow with
# evidence whose SHA-256 matches; scans and an LGWAN probe from the Internet
# raise their event once; a pinned address with another MAC raises
# mac-mismatch; captures of the lab audit offline with the right verdicts.
. "$(dirname "$0")/lib.sh"

lab_up
policy
policy_mode kernel	# a hand-made accept must open the path here
start_zoned || { not_ok "zoned starts"; finish; }
check "the monitor attached to the three interfaces" \
    sh -c "[ \$(grep -c 'event=monitor-attached' '$T/zoned.log') -eq 3 ]"
listen $LG tcp 25
listen $LG tcp 443
listen $IN tcp 80
listen $IN tcp 3389

alerts() { zctl alerts --json | tr -d ' \n' | grep -o "\"kind\":\"$1\"" | wc -l; }

# --- permitted traffic: no alert ----------------------------------------------
ip netns exec $LG "$PROBE" sniff eth0 "tcp port 25 or tcp port 443" \
    --timeout 4 --write "$T/permitted.pcap" >"$T/sniff.out" 2>&1 &
sn=$!
wait_for "$T/sniff.out" ready 3
for i in 1 2 3; do
	conn $IN tcp 192.0.2.26 10.20.1.25 25 >/dev/null
	conn $MN tcp 10.10.1.20 10.200.5.10 443 >/dev/null
	conn $LG tcp 10.20.100.7 192.0.2.40 3389 >/dev/null
done
wait $sn
sleep 1
check "permitted traffic raises no alert" test "$(alerts '[a-z-]*')" -eq 0

# --- a crossing forced past the kernel -----------------------------------------
ip netns exec $GW nft insert rule inet zoned forward accept
check "with a hand-made accept rule, terminal -> Internet opens" \
    conn $LG tcp 10.20.100.7 198.51.100.7 80 --sport 40404
conn $LG tcp 10.20.100.7 198.51.100.7 80 --sport 40404 >/dev/null 2>&1
wait_for "$T/zoned.log" "event=crossing-violation .*sport=40404" 3
sleep 1
check "exactly one crossing-violation for that flow" \
    test "$(grep -c 'event=crossing-violation .*sport=40404 dst=198.51.100.7 dport=80' "$T/zoned.log")" -eq 1
check "... and no second one for its replies" \
    test "$(grep -c 'event=crossing-violation .*dport=40404' "$T/zoned.log")" -eq 0
check "... naming zones, addresses and the reason, from the opener's side" \
    grep -q 'event=crossing-violation .* from=lgwan to=internet proto=tcp src=10.20.100.7 sport=40404 dst=198.51.100.7 dport=80 .*reason=no-flow explain="no flow permits lgwan -> internet tcp/80' "$T/zoned.log"
check "the evidence is closed with its SHA-256" \
    wait_for "$T/zoned.log" "event=evidence-closed .*kind=crossing-violation" 9
ev=$(grep -o 'event=evidence-closed .*kind=crossing-violation file=[^ ]*' "$T/zoned.log" | head -n 1 | sed 's/.*file=//')
sha=$(grep "file=$ev " "$T/zoned.log" | sed 's/.*sha256=\([0-9a-f]*\).*/\1/')
check "the evidence file's SHA-256 matches the event ($sha)" \
    test "$(sha256sum "$ev" | cut -d' ' -f1)" = "$sha"
check "the evidence has no .part left over" sh -c "! ls '$T/evidence' | grep -q part"
zctl verify >/dev/null 2>&1
check "zonectl verify reports the drift" test $? -eq 1
check "zonectl alerts lists it with its evidence" \
    sh -c "\"$ZONECTL\" -s \"$T/zoned.sock\" alerts | grep -q 'crossing-violation.*evidence_sha256=$sha'"

# --- offline audit of what was captured ------------------------------------------
zctl audit -f "$T/zoned.conf" "$T/permitted.pcap" >"$T/audit.out" 2>&1
check "zonectl audit of the permitted capture: no violation (exit 0)" test $? -eq 0
check "... and it saw the crossings" grep -Eq '^[1-9][0-9]* frames, [1-9][0-9]* crossings, 0 violations' "$T/audit.out"
"$ZONED" --audit "$ev" -f "$T/zoned.conf" >"$T/audit.out" 2>&1
check "zoned --audit of the evidence: violations (exit 1)" test $? -eq 1
check "... listing the flow" grep -q 'tcp 10.20.100.7:40404 -> 198.51.100.7:80 lgwan -> internet: no-flow' "$T/audit.out"
head -c $(( $(stat -c %s "$ev") - 10 )) "$ev" >"$T/cut.pcap"
zctl audit -f "$T/zoned.conf" "$T/cut.pcap" >"$T/audit.out" 2>&1
check "a truncated capture is an error (exit 2)" test $? -eq 2
check "... naming the frame" grep -q 'cut.pcap: frame [0-9]*: truncated' "$T/audit.out"

ip netns exec $GW nft delete rule inet zoned forward handle \
    "$(ip netns exec $GW nft -a list chain inet zoned forward | grep -E '^\s*accept # handle' | sed 's/.*handle //')"

# --- behaviour on the Internet side -----------------------------------------------
inmac=$(mac_of $IN eth0)
gwmac=$(mac_of $GW inet0)
inject() {
	ip netns exec $IN "$PROBE" inject eth0 --src-mac "$inmac" \
	    --dst-mac "$gwmac" --src "$1" --dst "$2" --proto tcp --dport "$3" \
	    --count 1 >/dev/null
}
for port in $(seq 1000 1039); do inject 198.51.100.7 192.0.2.1 "$port"; done
check "a port scan of 40 ports raises port-scan" \
    wait_for "$T/zoned.log" "event=port-scan .*src=198.51.100.7" 3
check "... once" test "$(grep -c 'event=port-scan' "$T/zoned.log")" -eq 1
for h in $(seq 100 139); do inject 198.51.100.8 192.0.2.$h 80; done
check "an address scan of 40 hosts raises address-scan" \
    wait_for "$T/zoned.log" "event=address-scan .*src=198.51.100.8" 3
check "... once" test "$(grep -c 'event=address-scan' "$T/zoned.log")" -eq 1
for i in 1 2 3 4 5; do inject 198.51.100.9 10.20.1.25 22; done
check "an Internet source probing an LGWAN address raises lgwan-probe" \
    wait_for "$T/zoned.log" "event=lgwan-probe .*src=198.51.100.9 target=10.20.1.25" 3
check "... once for five probes" \
    test "$(grep -c 'event=lgwan-probe .*src=198.51.100.9' "$T/zoned.log")" -eq 1
# looking like a reply (rds's source port of the permitted browse flow) is
# not enough: a terminal that opened nothing is probed
ip netns exec $IN "$PROBE" inject eth0 --src-mac "$inmac" --dst-mac "$gwmac" \
    --src 192.0.2.40 --dst 10.20.100.9 --proto udp --sport 3389 --dport 40000 \
    --count 1 >/dev/null
check "a frame from a permitted server's port to a terminal that asked nothing is a probe" \
    wait_for "$T/zoned.log" "event=lgwan-probe .*src=192.0.2.40 target=10.20.100.9" 3
check "the mail relay's permitted traffic raised no behaviour alert" \
    sh -c "! grep -q 'event=[a-z-]*scan.*src=192.0.2.26\|event=lgwan-probe.*src=192.0.2.26' '$T/zoned.log'"

# --- a pinned My Number address with another MAC -----------------------------------
mnmac=$(mac_of $GW mn0)
ip netns exec $MN "$PROBE" inject eth0 --src-mac 02:00:00:00:99:99 \
    --dst-mac "$mnmac" --src 10.10.1.20 --dst 10.200.5.10 --proto tcp \
    --dport 443 --count 2 >/dev/null
check "atena's address with another MAC raises mac-mismatch" \
    wait_for "$T/zoned.log" "event=mac-mismatch .*host=atena src=10.10.1.20 mac=02:00:00:00:99:99 pinned-mac=02:00:0a:0a:01:14" 3
ip netns exec $MN "$PROBE" inject eth0 --src-mac 02:00:0a:0a:01:14 \
    --dst-mac "$mnmac" --src 10.10.7.7 --dst 10.200.5.10 --proto tcp \
    --dport 443 --count 1 >/dev/null
check "atena's MAC with another address raises mac-mismatch" \
    wait_for "$T/zoned.log" "event=mac-mismatch .*host=atena src=10.10.7.7 .*pinned-address=10.10.1.20" 3

# --- status ---------------------------------------------------------------------------
zctl status --json >"$T/status.json"
check "status shows frames per interface and kernel drops" \
    sh -c "tr -d ' \n' <'$T/status.json' | grep -q '\"name\":\"inet0\",\"zone\":\"internet\",\"attached\":true,\"frames_out\":[1-9]'"
check "status shows the flow table" grep -q '"flow_table"' "$T/status.json"

finish
