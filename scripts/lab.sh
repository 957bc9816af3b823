#!/usr/bin/env bash
# lab.sh — the three-zone lab in network namespaces, shaped like
# conf/alpha.conf, with a fourth NIC for the Government Cloud of the My
# Number tier over its closed line (conf/alpha-prime.conf; alpha.conf does
# not use it):
#
#   ${P}mn  (My Number hosts) --eth0==mn0--+
#   ${P}lg  (LGWAN hosts)     --eth0==lg0--+-- ${P}gw (the appliance, zoned)
#   ${P}in  (Internet hosts)  --eth0==inet0+
#   ${P}gc  (Government Cloud)--eth0==gc0--+
#
# Every pinned My Number host of the example has its own macvlan with its
# MAC and address (and a routing rule, so that it answers from there).
# Only addresses inside these namespaces are used.
#
# With --ha, an active/standby pair instead of the one gateway (and no
# Government Cloud): two gateway namespaces share the three zone segments, each a bridge named
# eth0 in its zone's namespace, and have a sync link of their own:
#
#   ${P}mn  [eth0: bridge]--gw1==mn0 ${P}gw1 (node 1) sync0--+
#           [            ]--gw2==mn0 ${P}gw2 (node 2) sync0--+ 192.168.255.1, .2
#   ${P}lg, ${P}in alike (lg0, inet0)
#
# Node 1 has .2 and node 2 .3 in each zone's gateway network; .1 (10.10.0.1,
# 10.20.0.1, 192.0.2.1), the hosts' default gateway, is the virtual
# address keepalived gives the master.
#
#   scripts/lab.sh up [--ha]   build it (replacing an old one)
#   scripts/lab.sh down        remove it, killing what runs inside
#   scripts/lab.sh status      show it
#
# LAB_PREFIX (default "zl-") names the namespaces.
set -euo pipefail

P=${LAB_PREFIX:-zl-}
GW=${P}gw MN=${P}mn LG=${P}lg IN=${P}in GC=${P}gc
GW1=${P}gw1 GW2=${P}gw2
ALL="$GW $GW1 $GW2 $MN $LG $IN $GC"

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# The pinned My Number hosts of conf/alpha.conf: name address mac.
MN_HOSTS="atena 10.10.1.20 02:00:0a:0a:01:14
juki-cs 10.10.1.30 02:00:0a:0a:01:1e
kikan 10.10.2.10 02:00:0a:0a:02:0a
konbini 10.10.2.40 02:00:0a:0a:02:28"

# LGWAN side: the town's hosts (10.20/16) and national systems (10.200/16).
LG_ADDRS="10.20.1.25 10.20.1.50 10.20.100.7 10.200.5.10 10.200.6.20
10.200.7.10 10.200.8.30"
# Internet side: the example's hosts, one stranger, and addresses of a
# published cloud list (203.0.113.0/24, as conf/m365.addresses).
IN_ADDRS="192.0.2.26 192.0.2.40 192.0.2.41 192.0.2.50 198.51.100.7
203.0.113.130 203.0.113.222 203.0.113.230"
# My Number terminals: a subnet, unpinned.
MN_TERMS="10.10.100.7 10.10.100.8"
# The Government Cloud (10.128/16): the standardised systems' balancers.
GC_ADDRS="10.128.1.10 10.128.2.20 10.128.5.10"

down() {
	for ns in $ALL; do
		if ip netns list | grep -qw "^$ns"; then
			for pid in $(ip netns pids "$ns" 2>/dev/null); do
				kill "$pid" 2>/dev/null || true
			done
		fi
	done
	sleep 0.2
	for ns in $ALL; do
		if ip netns list | grep -qw "^$ns"; then
			for pid in $(ip netns pids "$ns" 2>/dev/null); do
				kill -9 "$pid" 2>/dev/null || true
			done
			ip netns del "$ns" 2>/dev/null || true
		fi
	done
}

sysctls() {
	local ns=$1
	nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
	    net.ipv6.conf.default.accept_dad=0 net.ipv4.conf.all.arp_ignore=1 \
	    net.ipv6.conf.default.accept_ra=0
	nsx "$ns" ip link set lo up
}

up() {
	down
	for ns in $GW $MN $LG $IN $GC; do
		ip netns add "$ns"
		sysctls "$ns"
	done
	nsx "$GW" sysctl -qw net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1

	# the appliance's three NICs, named as in the policy
	ip link add mn0 netns "$GW" type veth peer name eth0 netns "$MN"
	ip link add lg0 netns "$GW" type veth peer name eth0 netns "$LG"
	ip link add inet0 netns "$GW" type veth peer name eth0 netns "$IN"
	ip link add gc0 netns "$GW" type veth peer name eth0 netns "$GC"
	nsx "$GW" ip addr add 10.10.0.1/16 dev mn0
	nsx "$GW" ip addr add 10.20.0.1/16 dev lg0
	nsx "$GW" ip addr add 10.200.0.1/16 dev lg0
	nsx "$GW" ip -6 addr add fd00:20::1/64 dev lg0 nodad
	nsx "$GW" ip addr add 192.0.2.1/24 dev inet0
	nsx "$GW" ip addr add 198.51.100.1/24 dev inet0
	nsx "$GW" ip -6 addr add 2001:db8::1/64 dev inet0 nodad
	nsx "$GW" ip addr add 203.0.113.1/24 dev inet0
	nsx "$GW" ip addr add 10.128.0.1/16 dev gc0
	for i in mn0 lg0 inet0 gc0; do nsx "$GW" ip link set "$i" up; done

	zone_hosts
	gc_hosts
	echo "lab: up ($GW $MN $LG $IN $GC)"
}

# The pair: two gateways on bridged zone segments, and a sync link.
up_ha() {
	local n gw zns ifname
	down
	for ns in $GW1 $GW2 $MN $LG $IN; do
		ip netns add "$ns"
		sysctls "$ns"
	done
	for ns in $MN $LG $IN; do
		nsx "$ns" ip link add eth0 type bridge stp_state 0 \
		    forward_delay 0 mcast_snooping 0
		nsx "$ns" ip link set eth0 up
	done
	n=1
	for gw in $GW1 $GW2; do
		nsx "$gw" sysctl -qw net.ipv4.ip_forward=1 \
		    net.ipv6.conf.all.forwarding=1
		for zns in "mn0 $MN" "lg0 $LG" "inet0 $IN"; do
			ifname=${zns%% *}
			zns=${zns#* }
			ip link add "$ifname" netns "$gw" type veth peer name \
			    "gw$n" netns "$zns"
			nsx "$zns" ip link set "gw$n" master eth0 up
		done
		nsx "$gw" ip addr add "10.10.0.$((n + 1))/16" dev mn0
		nsx "$gw" ip addr add "10.20.0.$((n + 1))/16" dev lg0
		nsx "$gw" ip addr add "10.200.0.$((n + 1))/16" dev lg0
		nsx "$gw" ip addr add "192.0.2.$((n + 1))/24" dev inet0
		nsx "$gw" ip addr add "198.51.100.$((n + 1))/24" dev inet0
		nsx "$gw" ip addr add "203.0.113.$((n + 1))/24" dev inet0
		for i in mn0 lg0 inet0; do nsx "$gw" ip link set "$i" up; done
		n=$((n + 1))
	done
	ip link add sync0 netns "$GW1" type veth peer name sync0 netns "$GW2"
	nsx "$GW1" ip addr add 192.168.255.1/30 dev sync0
	nsx "$GW2" ip addr add 192.168.255.2/30 dev sync0
	nsx "$GW1" ip link set sync0 up
	nsx "$GW2" ip link set sync0 up

	zone_hosts
	echo "lab: up, a pair ($GW1 $GW2 $MN $LG $IN)"
}

# The hosts of the three zones, on each zone namespace's eth0 (a veth to
# the gateway, or the bridge of the pair's segment).
zone_hosts() {
	# My Number zone: an unpinned host on eth0, a macvlan per pinned one
	nsx "$MN" ip link set eth0 up
	nsx "$MN" ip addr add 10.10.3.3/16 dev eth0
	for a in $MN_TERMS; do
		nsx "$MN" ip addr add "$a/16" dev eth0
	done
	nsx "$MN" ip route add default via 10.10.0.1
	local table=100
	while read -r name addr mac; do
		nsx "$MN" ip link add "$name" link eth0 address "$mac" \
		    type macvlan mode bridge
		nsx "$MN" ip addr add "$addr/32" dev "$name"
		nsx "$MN" ip link set "$name" up
		nsx "$MN" ip route add 10.10.0.0/16 dev "$name" src "$addr" \
		    table "$table"
		nsx "$MN" ip route add default via 10.10.0.1 dev "$name" \
		    table "$table"
		nsx "$MN" ip rule add from "$addr" lookup "$table"
		table=$((table + 1))
	done <<<"$MN_HOSTS"

	# LGWAN zone
	nsx "$LG" ip link set eth0 up
	for a in $LG_ADDRS; do
		nsx "$LG" ip addr add "$a/16" dev eth0
	done
	nsx "$LG" ip -6 addr add fd00:20::10/64 dev eth0 nodad
	nsx "$LG" ip route add default via 10.20.0.1
	nsx "$LG" ip -6 route add default via fd00:20::1

	# Internet zone
	nsx "$IN" ip link set eth0 up
	for a in $IN_ADDRS; do
		nsx "$IN" ip addr add "$a/24" dev eth0
	done
	nsx "$IN" ip -6 addr add 2001:db8::7/64 dev eth0 nodad
	nsx "$IN" ip route add default via 192.0.2.1
	nsx "$IN" ip -6 route add default via 2001:db8::1
}

# The Government Cloud, beyond the closed line (the one gateway's gc0; the
# pair's lab has the three zones of conf/alpha.conf only).
gc_hosts() {
	nsx "$GC" ip link set eth0 up
	for a in $GC_ADDRS; do
		nsx "$GC" ip addr add "$a/16" dev eth0
	done
	nsx "$GC" ip route add default via 10.128.0.1
}

status() {
	for ns in $ALL; do
		if ! ip netns list | grep -qw "^$ns"; then
			echo "$ns: absent"
			continue
		fi
		echo "== $ns"
		nsx "$ns" ip -brief addr | grep -v '^lo' || true
	done
	for gw in $GW $GW1 $GW2; do
		if ip netns list | grep -qw "^$gw"; then
			echo "== table inet zoned in $gw"
			nsx "$gw" nft list chains inet zoned 2>/dev/null |
			    grep -c chain | sed 's/^/chains: /' ||
			    echo "no table"
		fi
	done
}

case "${1:-}" in
up)
	case "${2:-}" in
	--ha) up_ha ;;
	"") up ;;
	*) echo "usage: $0 up [--ha]" >&2; exit 2 ;;
	esac
	;;
down) down; echo "lab: down" ;;
status) status ;;
*) echo "usage: $0 up [--ha]|down|status" >&2; exit 2 ;;
esac
