#!/usr/bin/env bash
# The gateway enforces the example policy with real traffic: every flow
# passes (replies too) and its counter moves; forbidden connections in each
# direction between each pair of zones fail; a pinned My Number address
# with a wrong MAC, a spoofed source and IPv6 without a flow do not cross;
# a reload that adds an IPv6 flow opens exactly that.  Run in dual mode
# (the default) and, as t-enforce-kernel.sh, in kernel mode.
. "$(dirname "$0")/lib.sh"

lab_up
policy
policy_mode "${ZT_MODE:-dual}"
start_zoned || { not_ok "zoned starts"; finish; }
ok "zoned starts on conf/alpha.conf in the lab (${ZT_MODE:-dual} mode)"

for ns in $MN $LG $IN; do
	for port in 22 25 80 443 700 1494 2598 3389 8000; do
		listen "$ns" tcp "$port"
	done
done
listen "$IN" udp 3389

# --- every flow of the example, with its reply -----------------------------
check "atena -> chukan https (atena-chukan)" \
    conn $MN tcp 10.10.1.20 10.200.5.10 443
check "juki-cs -> juki-pref 700 (juki-cs)" conn $MN tcp 10.10.1.30 10.200.7.10 700
check "juki-cs -> juki-pref 8000 (juki-cs, a range)" \
    conn $MN tcp 10.10.1.30 10.200.7.10 8000
check "pittari -> kikan https (pittari-feed, into My Number)" \
    conn $LG tcp 10.200.6.20 10.10.2.10 443
check "konbini -> lgwan-asp https (konbini)" \
    conn $MN tcp 10.10.2.40 10.200.8.30 443
check "mailrelay -> lg-mail smtp (mail-in)" conn $IN tcp 192.0.2.26 10.20.1.25 25
check "lg-mail -> mailrelay smtp (mail-out)" conn $LG tcp 10.20.1.25 192.0.2.26 25
check "terminal -> rds rdp/tcp (browse)" conn $LG tcp 10.20.100.7 192.0.2.40 3389
check "terminal -> rds rdp/udp (browse, a UDP reply)" \
    conn $LG udp 10.20.100.7 192.0.2.40 3389
check "terminal -> rds-ica 1494 (browse-ica)" conn $LG tcp 10.20.100.7 192.0.2.41 1494
check "terminal -> rds-ica 2598 (browse-ica)" conn $LG tcp 10.20.100.7 192.0.2.41 2598
check "sanitizer -> inet-files https (files-in)" \
    conn $LG tcp 10.20.1.50 192.0.2.50 443

for f in atena-chukan juki-cs pittari-feed konbini mail-in mail-out browse \
    browse-ica files-in; do
	n=$(flow_packets "$f")
	check "counter of flow $f moved ($n packets)" test "${n:-0}" -gt 0
done

# --- forbidden, each direction of each pair --------------------------------
refute "atena -> chukan http: only 443 is pinned" conn $MN tcp 10.10.1.20 10.200.5.10 80
refute "an unpinned My Number host -> chukan https" conn $MN tcp 10.10.3.3 10.200.5.10 443
refute "kikan -> pittari: the feed runs the other way" conn $MN tcp 10.10.2.10 10.200.6.20 443
refute "chukan -> atena: LGWAN may not open My Number" conn $LG tcp 10.200.5.10 10.10.1.20 443
refute "terminal -> an unpinned My Number host" conn $LG tcp 10.20.100.7 10.10.3.3 22
refute "atena -> the Internet" conn $MN tcp 10.10.1.20 198.51.100.7 80
refute "atena -> rds (an Internet host with a flow from LGWAN)" \
    conn $MN tcp 10.10.1.20 192.0.2.40 3389
refute "the Internet -> atena" conn $IN tcp 198.51.100.7 10.10.1.20 443
refute "a terminal -> the Internet directly" conn $LG tcp 10.20.100.7 198.51.100.7 80
refute "lg-mail -> rds: screen transfer is for terminals" \
    conn $LG tcp 10.20.1.25 192.0.2.40 3389
refute "a stranger -> lg-mail smtp: only the relay" conn $IN tcp 198.51.100.7 10.20.1.25 25
refute "rds -> a terminal: screen transfer runs outwards" \
    conn $IN tcp 192.0.2.40 10.20.100.7 3389
refute "mailrelay -> lg-mail on 22" conn $IN tcp 192.0.2.26 10.20.1.25 22
refute "IPv6 LGWAN -> Internet without a flow" conn $LG tcp fd00:20::10 2001:db8::7 443
refute "IPv6 Internet -> LGWAN without a flow" conn $IN tcp 2001:db8::7 fd00:20::10 443
n=$(counter deny.lgwan.internet)
check "denied LGWAN -> Internet packets are counted ($n)" test "${n:-0}" -gt 0

# --- a pinned address with another MAC ---------------------------------------
gwmac=$(mac_of $GW mn0)
sniff() {
	ip netns exec "$1" "$PROBE" sniff eth0 "$2" --timeout 2 --expect "$3" \
	    >"$T/sniff.out" 2>&1 &
	local p=$!
	wait_for "$T/sniff.out" ready 3
	ip netns exec "$4" "$PROBE" inject eth0 --src-mac "$5" --dst-mac "$gwmac" \
	    --src "$6" --dst "$7" --proto tcp --dport "$8" --count 3
	wait "$p"
}
before=$(counter deny.mac)
check "control: atena's own MAC crosses (3 SYNs seen in LGWAN)" \
    sniff $LG "tcp[tcpflags] & tcp-syn != 0 and src host 10.10.1.20 and dst port 443" 3 \
    $MN 02:00:0a:0a:01:14 10.10.1.20 10.200.5.10 443
refute_mac() {
	sniff $LG "tcp[tcpflags] & tcp-syn != 0 and src host 10.10.1.20 and dst port 443" 0 \
	    $MN 02:00:00:00:99:99 10.10.1.20 10.200.5.10 443
}
check "atena's address with another MAC does not cross" refute_mac
after=$(counter deny.mac)
check "it was denied by the MAC pin ($before -> $after)" \
    test "${after:-0}" -ge $((${before:-0} + 3))

# --- a spoofed source ----------------------------------------------------------
gwmac=$(mac_of $GW inet0)
before=$(counter deny.spoofed)
spoof() {
	sniff $LG "tcp and dst port 443" 0 $IN "$(mac_of $IN eth0)" \
	    10.10.1.20 10.200.5.10 443
}
check "a My Number source arriving from the Internet does not cross" spoof
after=$(counter deny.spoofed)
check "it was denied as spoofed ($before -> $after)" \
    test "${after:-0}" -ge $((${before:-0} + 3))

# --- a reload adds an IPv6 flow -------------------------------------------------
n1=$(flow_packets atena-chukan)
file_sub "$T/zoned.conf" '  inet-files = {' '  lg-terms6 = { zone = "lgwan"; address = "fd00:20::10"; };
  rds6 = { zone = "internet"; address = "2001:db8::7"; role = "screen-transfer"; };
  inet-files = {'
file_sub "$T/zoned.conf" '  { name = "files-in";' '  { name = "browse6"; from = "lg-terms6"; to = "rds6"; service = "rdp";
    method = "screen-transfer"; approval = "CISO-2026-033"; },
  { name = "files-in";'
check "zonectl reload takes a policy with an IPv6 flow" zctl reload
n2=$(flow_packets atena-chukan)
check "flow counters survive the reload ($n1 -> $n2 packets)" \
    test "${n1:-0}" -gt 0 -a "${n2:-0}" -ge "${n1:-0}"
check "IPv6 terminal -> rds6 rdp (browse6)" conn $LG tcp fd00:20::10 2001:db8::7 3389
refute "IPv6 terminal -> rds6 https: only rdp" conn $LG tcp fd00:20::10 2001:db8::7 443
check "the old flows still pass after the reload" conn $MN tcp 10.10.1.20 10.200.5.10 443
check "the kernel's table matches the policy" zctl verify

finish
