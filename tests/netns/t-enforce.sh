#!/usr/bin/env bash
# The gateway enforces the example policy with real traffic: every flow
# passes (replies too) and its counter moves; forbidden connections in each
# direction between each pair of zones fail; a pinned My Number address
# with a wrong MAC, a spoofed source and IPv6 without a flow do not cross;
# a reload that adds an IPv6 flow opens exactly that.  Then the policy of
# a town on the Government Cloud (issue 16): a closed-line zone of the My
# Number tier reached from a terminal subnet, a pinned crossing from it to
# LGWAN, a Microsoft-365-style address list, a staged flow the daemon
# opens at its start, and MAC pins that are not on the appliance's segment.
# Run in dual mode (the default) and, as t-enforce-kernel.sh, in kernel
# mode.
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

# --- the Government Cloud, address lists, a staged start, off-link pins -----
stop_zoned
for p in "${BG[@]}"; do kill "$p" 2>/dev/null || true; done
BG=()
policy
policy_mode "${ZT_MODE:-dual}"
policy_sub 'model = "alpha";' 'model = "alpha-prime";'
policy_sub '  internet = { kind = "internet"; interfaces = [ "inet0" ];' '  gcloud   = { kind = "mynumber"; closed_line = true; interfaces = [ "gc0" ];
               networks = [ "10.128.0.0/16" ]; label = "ガバメントクラウド"; };
  internet = { kind = "internet"; interfaces = [ "inet0" ];'
policy_sub '  # Internet side.' '  mn-terms  = { zone = "mynumber"; address = "10.10.100.0/24"; };
  mn-far    = { zone = "mynumber"; address = "10.10.9.20"; mac = "02:00:0a:0a:09:14"; };
  mn-sw     = { zone = "mynumber"; address = "10.10.4.4"; mac = "02:00:0a:0a:ff:01"; };
  gc-std    = { zone = "gcloud"; address = [ "10.128.1.0/24", "10.128.2.0/24" ]; };
  gc-renkei = { zone = "gcloud"; address = "10.128.5.10"; };
  m365      = { zone = "internet"; addresses_file = "m365-lab.addresses"; };
  m365-media = { zone = "internet"; address = [ "203.0.113.224/28" ]; };
  # Internet side.'
policy_sub 'services = {' 'services = {
  teams-media = { proto = "udp"; ports = [ "3478-3481" ]; };'
start_at=$(date -u -d '+45 seconds +9 hours' +%Y-%m-%dT%H:%M:%S+09:00)
policy_sub '  { name = "files-in";' "  { name = \"std-systems\"; from = \"mn-terms\"; to = \"gc-std\"; service = \"https\";
    method = \"specific\"; approval = \"CISO-2026-040\"; },
  { name = \"gc-chukan\"; from = \"gc-renkei\"; to = \"chukan\"; service = \"https\";
    method = \"specific\"; approval = \"CISO-2026-041\"; },
  { name = \"m365\"; from = \"lg-terms\"; to = \"m365\"; service = \"https\";
    method = \"cloud-lbo\"; approval = \"CISO-2026-050\"; },
  { name = \"teams-media\"; from = \"lg-terms\"; to = \"m365-media\";
    service = \"teams-media\"; method = \"cloud-lbo\"; approval = \"CISO-2026-051\";
    starts = \"$start_at\"; },
  { name = \"files-in\";"
printf '# a published list (lab)\n203.0.113.128/26\n203.0.113.222   # one address\n2001:db8:5000::/48\n' \
    >"$T/m365-lab.addresses"
check "the town's policy lints without errors" "$ZONECTL" lint -f "$T/zoned.conf"
start_zoned || { not_ok "zoned starts on the town's policy"; finish; }
ok "zoned starts on a policy with the Government Cloud and address lists"
listen $GC tcp 443
listen $GC tcp 80
listen $LG tcp 443
listen $MN tcp 22
listen $IN tcp 443
listen $IN udp 3478
log_mark=$(wc -l <"$T/zoned.log")

# first the staged flow, while its start is still to come
refute "Teams media before its start (pending)" \
    conn $LG udp 10.20.100.7 203.0.113.230 3478
check "zonectl flows shows teams-media pending" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' flows | grep -E '^teams-media .* pending'"

check "a My Number terminal -> a standardised system (std-systems, a subnet)" \
    conn $MN tcp 10.10.100.7 10.128.1.10 443
check "another terminal -> the other network of gc-std (std-systems)" \
    conn $MN tcp 10.10.100.8 10.128.2.20 443
check "gc-renkei -> chukan (gc-chukan, pinned crossing from the closed line)" \
    conn $GC tcp 10.128.5.10 10.200.5.10 443
check "a terminal -> an address of the m365 list (m365)" \
    conn $LG tcp 10.20.100.7 203.0.113.130 443
check "a terminal -> the single address of the m365 list (m365)" \
    conn $LG tcp 10.20.100.7 203.0.113.222 443
for f in std-systems gc-chukan m365; do
	n=$(flow_packets "$f")
	check "counter of flow $f moved ($n packets)" test "${n:-0}" -gt 0
done
refute "a terminal -> the Government Cloud on http: only https" \
    conn $MN tcp 10.10.100.7 10.128.1.10 80
refute "the Government Cloud -> a terminal: the flow runs one way" \
    conn $GC tcp 10.128.1.10 10.10.100.7 22
refute "a terminal -> chukan: the tier reaches LGWAN only pinned" \
    conn $MN tcp 10.10.100.7 10.200.5.10 443
refute "gc-std -> chukan: only gc-renkei crosses to LGWAN" \
    conn $GC tcp 10.128.1.10 10.200.5.10 443
refute "the Government Cloud -> the Internet, never" \
    conn $GC tcp 10.128.1.10 203.0.113.130 443
refute "a terminal -> an Internet address off the list" \
    conn $LG tcp 10.20.100.7 203.0.113.230 443
check "zonectl check answers by service name and list element" \
    zctl check 10.20.100.7 203.0.113.222 https
check "zonectl check about the appliance answers from the management block" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' check 10.20.1.25 10.20.0.1 tcp/22; [ \$? -eq 1 ] && '$ZONECTL' -s '$T/zoned.sock' check 10.20.1.25 10.20.0.1 tcp/22 | grep -q 'the appliance itself'"

# the start: the daemon opens the flow at that moment, without a reload
check "event=flow-started at the start ($start_at)" \
    wait_for "$T/zoned.log" 'event=flow-started flow=teams-media' 60
check "Teams media after its start (teams-media)" \
    conn $LG udp 10.20.100.7 203.0.113.230 3478
check "no reload was asked for the start" \
    sh -c "! tail -n +$log_mark '$T/zoned.log' | grep -q 'event=control .*cmd=reload'"

# MAC pins that cannot prove their host
check "no pin is off the segment yet" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' status | grep -q 'pins .* 0 not on'"
ip netns exec $GW ip route add 10.10.9.0/24 via 10.10.3.3 dev mn0
check "a pinned address behind a gateway: event=pin-off-link" \
    wait_for "$T/zoned.log" 'event=pin-off-link host=mn-far .*reason=route-via-gateway' 5
check "zonectl status names it" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' status | grep -E 'OFF-LINK +host mn-far 10.10.9.20'"
ip netns exec $GW ip neigh replace 10.10.3.3 lladdr 02:00:0a:0a:ff:01 dev mn0 nud reachable
check "a pin on the MAC of a gateway: event=pin-off-link" \
    wait_for "$T/zoned.log" 'event=pin-off-link host=mn-sw .*reason=mac-of-gateway' 5
ip netns exec $GW ip route del 10.10.9.0/24
check "the route gone: event=pin-on-link" \
    wait_for "$T/zoned.log" 'event=pin-on-link host=mn-far' 5
check "the kernel's table matches the policy" zctl verify

finish
