#!/usr/bin/env bash
# demo-ha.sh — `make demo-ha`: an active/standby pair of zoned gateways with
# the real keepalived and conntrackd (configured from conf/ha/), a
# screen-transfer-like stream from an LGWAN terminal to the browsing server
# through the master, a hard failure of the master, and the stream going
# on through the standby.  The lab stays up for you to explore;
# `scripts/lab.sh down` takes it away.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

export LAB_PREFIX=${LAB_PREFIX:-zl-}
export ZONED=$top/build/zoned ZONECTL=$top/build/zonectl
export HA_DIR=/run/zoned-ha-lab
HASTREAM=$top/build/test/netns/hastream
GW1=${LAB_PREFIX}gw1 GW2=${LAB_PREFIX}gw2 LG=${LAB_PREFIX}lg IN=${LAB_PREFIX}in

if [ "$(id -u)" -ne 0 ]; then
	echo "demo-ha: needs root (network namespaces)" >&2
	exit 1
fi
for c in keepalived conntrackd; do
	command -v "$c" >/dev/null || {
		echo "demo-ha: $c is not installed (scripts/deps.sh)" >&2
		exit 1
	}
done
make -s "$HASTREAM" >/dev/null || exit 1
. scripts/hapair.sh

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
now_ms() { date +%s%3N; }
ha_line() { hapair_ctl "$1" status | grep '^ha '; }

say "the pair lab: two gateways ($GW1, $GW2) on the three zone segments, and a sync link"
scripts/lab.sh up --ha
scripts/useradd.sh
rm -rf "$HA_DIR"
mkdir -p "$HA_DIR"
hapair_configure 1
hapair_configure 2
echo "node 1: $(hapair_dir 1)/  (zoned.conf keepalived.conf conntrackd.conf zoned-ha-notify zoned-ha-check)"
echo "node 2: $(hapair_dir 2)/"
echo "the pair's block in both policies:"
sed -n '/^# one node of an active/,$p' "$(hapair_dir 1)/zoned.conf" | sed 's/^/  /'

say "each node starts zoned, conntrackd and keepalived"
hapair_start 1 || exit 1
hapair_start 2 || exit 1
echo "waiting for keepalived to elect the master (its track_script is zonectl health) ..."
hapair_wait_state 1 master 40 || { echo "demo-ha: no master; see $HA_DIR/n1/"; exit 1; }
hapair_wait_state 2 backup 10
echo "node 1: $(ha_line 1)"
echo "node 2: $(ha_line 2)"
echo "node 1's keepalived notify script said:"
sed 's/^/  /' "$(hapair_dir 1)/notify.log"

say "zonectl health on each node (keepalived asks every second)"
hapair_ctl 1 health
hapair_ctl 2 health

say "a screen-transfer-like stream: terminal 10.20.100.7 -> browsing server 192.0.2.40:3389"
ip netns exec $IN "$HASTREAM" serve tcp 3389 --bind 192.0.2.40 --timeout 3600 \
    >"$HA_DIR/serve.tcp" 2>&1 &
sleep 0.5
ip netns exec $LG "$HASTREAM" run tcp 192.0.2.40 3389 --bind 10.20.100.7 \
    --timeout 3600 >"$HA_DIR/stream" 2>&1 &
stream=$!
sleep 3
sport=$(sed -n 's/^connected sport=//p' "$HA_DIR/stream")
echo "through node 1 (conntrack, with the flow's mark):"
ip netns exec $GW1 conntrack -L -p tcp --sport "$sport" 2>/dev/null | sed 's/^/  /'
echo "synced to node 2's conntrackd (its external cache):"
ip netns exec $GW2 conntrackd -C "$(hapair_dir 2)/conntrackd.conf" -e |
    grep "sport=$sport " | sed 's/^/  /'

say "node 1 fails hard: its zone links go down, keepalived is killed (SIGKILL)"
t0=$(now_ms)
for i in mn0 lg0 inet0; do ip netns exec $GW1 ip link set "$i" down; done
hapair_kill_keepalived 1 KILL
hapair_wait_state 2 master 30
t1=$(now_ms)
echo "node 2 is the master $((t1 - t0)) ms later: $(ha_line 2)"
echo "node 2's notify script (conntrackd committed before zoned forwarded):"
tail -n 1 "$(hapair_dir 2)/notify.log" | sed 's/^/  /'
grep 'event=ha-state state=master' "$(hapair_dir 2)/zoned.log" | tail -n 1 | sed 's/^/  /'
echo "packets that reached node 2 before its commit, held rather than judged (deny.ha-standby):"
ip netns exec $GW2 nft list counter inet zoned deny.ha-standby | grep packets |
    sed 's/^[[:space:]]*/  /'
sleep 6

say "the stream goes on through node 2"
kill -TERM "$stream"
wait "$stream"
rc=$?
sed 's/^/  /' "$HA_DIR/stream"
if [ "$rc" -eq 0 ] && ! grep -q '^broken' "$HA_DIR/stream"; then
	echo "not reset: one connection, end to end, across the failover"
else
	echo "THE STREAM BROKE"
fi
echo "node 2 has it committed, with the flow's mark:"
ip netns exec $GW2 conntrack -L -p tcp --sport "$sport" 2>/dev/null | sed 's/^/  /'

cat <<EOF

The lab stays up (node 1 is down).  Try for yourself:
  $ZONECTL -s $HA_DIR/n2/zoned.sock status | health
  less $HA_DIR/n2/zoned.log $HA_DIR/n2/keepalived.log
  bring node 1 back: see HIGH AVAILABILITY in zoned(8)
Tear it down with:
  LAB_PREFIX=$LAB_PREFIX scripts/lab.sh down
EOF
[ "$rc" -eq 0 ]
