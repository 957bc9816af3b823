#!/usr/bin/env bash
# The pair's health and its policy (zoned(8), HIGH AVAILABILITY), with the
# real keepalived and conntrackd in the pair lab:
#   - without its "ha" block a node's input chain drops the adverts and
#     both nodes become master (why the block exists), with it again one;
#   - a peer running another policy (SHA-256) is flagged on both nodes —
#     logged, in status, zonectl health --peer fails — without a failover;
#   - a restarted daemon keeps the node's HA state within the boot;
#   - a master whose health fails (its policy fails closed) loses the
#     role, and takes it back once healthy; a node with a zone link down
#     says so and goes to FAULT.
. "$(dirname "$0")/lib.sh"

export HA_DIR=$T/pair HA_PREEMPT_DELAY=3
GW1=${LAB_PREFIX}gw1 GW2=${LAB_PREFIX}gw2
. scripts/hapair.sh

for c in keepalived conntrackd; do
	if ! command -v "$c" >/dev/null; then
		not_ok "$c is installed (scripts/deps.sh)"
		finish
	fi
done

ha_cleanup() {
	local n
	for n in 1 2; do
		hapair_stop "$n"
		SAN_SEEN=0
		sanitizer_check "$(hapair_dir "$n")/zoned.log"
	done
}
trap 'ha_cleanup >/dev/null 2>&1; cleanup' EXIT

sha() { hapair_ctl "$1" status --json | tr -d ' \n' | grep -o '"sha256":"[0-9a-f]*"' | head -n 1 | cut -d'"' -f4; }
both_master() { hapair_has_vips 1 && hapair_has_vips 2; }
# wait_until SECONDS COMMAND...
wait_until() {
	local secs=$1 i
	shift
	for i in $(seq 1 $((secs * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

scripts/lab.sh up --ha >/dev/null
scripts/useradd.sh
hapair_configure 1
hapair_configure 2
hapair_start 1 || not_ok "node 1 starts"
hapair_start 2 || not_ok "node 2 starts"
check "node 1 becomes the master" hapair_wait_state 1 master 30
check "node 2 the backup" hapair_wait_state 2 backup 10
d1=$(hapair_dir 1) d2=$(hapair_dir 2)

# --- the sync link: conntrackd's traffic, nothing else ------------------------------
check "conntrackd syncs over the link (node 2's external cache is fed)" \
    sh -c "ip netns exec $GW2 conntrackd -C '$d2/conntrackd.conf' -s | grep -q 'traffic processed'"
i0=$(ip netns exec $GW1 nft list counter inet zoned deny.input | awk '/packets/ { print $2 }')
refute "nothing else from the sync link: no ping" \
    ip netns exec $GW2 "$PROBE" ping 192.168.255.1 --count 1 --timeout 1
refute "... no other port" \
    ip netns exec $GW2 "$PROBE" connect tcp 192.168.255.1 22 --timeout 1
check "... both denied by node 1's input chain" \
    test "$(ip netns exec $GW1 nft list counter inet zoned deny.input | awk '/packets/ { print $2 }')" -ge $((i0 + 2))

# --- without the ha block ---------------------------------------------------------
cp "$d2/zoned.conf" "$d2/zoned.ha"
sed -i '/^# one node of an active\/standby pair/,$d' "$d2/zoned.conf"
check "node 2 reloads a policy without its ha block" hapair_ctl 2 reload
check "... its input chain drops node 1's adverts: both become master" \
    wait_until 10 both_master
cp "$d2/zoned.ha" "$d2/zoned.conf"
check "node 2 reloads the pair's policy" hapair_ctl 2 reload
check "... it hears node 1 again and is the backup" hapair_wait_state 2 backup 10
check "... only node 1 holds the virtual addresses" \
    wait_until 5 sh -c "! ip netns exec $GW2 ip -4 -o addr show dev lg0 | grep -q ' 10.20.0.1/'"

# --- the same policy on both nodes -------------------------------------------------
s1=$(sha 1)
s2=$(sha 2)
check "both nodes run the same policy ($s1)" test -n "$s1" -a "$s1" = "$s2"
echo "$s2" >"$d1/peer.sha256"
echo "$s1" >"$d2/peer.sha256"
check "node 1's health with the peer's SHA-256" hapair_ctl 1 health --peer "$s2"
check "... logged as the same" wait_for "$d1/zoned.log" "event=ha-peer-match sha256=$s1" 5
echo '# node 2 changed by hand' >>"$d2/zoned.conf"
check "node 2 reloads a policy that differs" hapair_ctl 2 reload
s2b=$(sha 2)
echo "$s2b" >"$d1/peer.sha256"
check "node 1 flags node 2's policy (event=ha-peer-mismatch)" \
    wait_for "$d1/zoned.log" "event=ha-peer-mismatch sha256=$s1 peer_sha256=$s2b" 5
check "node 2 flags node 1's" \
    wait_for "$d2/zoned.log" "event=ha-peer-mismatch sha256=$s2b peer_sha256=$s1" 5
hapair_ctl 1 status >"$T/status1"
check "node 1's status says the peer's policy differs" \
    grep -q "^peer policy  $s2b (DIFFERS from this node's" "$T/status1"
refute "zonectl health --peer fails on node 1" hapair_ctl 1 health --peer "$s2b"
cp "$T/last.out" "$T/health.out"
check "... naming both policies" \
    grep -q "the peer runs policy $s2b, this node $s1" "$T/health.out"
sleep 2
check "a different policy is flagged, not failed over: node 1 is still the master" \
    test "$(hapair_state 1)" = master -a "$(hapair_state 2)" = backup
cp "$d2/zoned.ha" "$d2/zoned.conf"
hapair_ctl 2 reload >/dev/null
echo "$s1" >"$d1/peer.sha256"
check "the same again: logged" \
    wait_for "$d1/zoned.log" "event=ha-peer-match sha256=$s1" 5
rm -f "$d1/peer.sha256" "$d2/peer.sha256"

# --- a restart of the daemon within the boot ---------------------------------------
hapair_stop 1 zoned
hapair_start 1 zoned
check "node 1's zoned restarts as the master it was (state restored)" \
    test "$(hapair_state 1)" = master
check "... forwarding at once" \
    sh -c "! ip netns exec $GW1 nft list set inet zoned ha.standby | grep -q elements"
check "... and says so" grep -q "event=ha-state state=master restored=" "$d1/zoned.log"
listen $IN tcp 3389
check "a permitted crossing passes node 1" \
    conn $LG tcp 10.20.100.7 192.0.2.40 3389
check "node 1 is still the master" hapair_wait_state 1 master 10

# --- health fails: the master runs its last good policy, then fails closed ----------
hapair_stop 1 zoned
cp "$d1/zoned.conf" "$d1/zoned.good"
echo 'flows = ( { name = "broken"; } );' >>"$d1/zoned.conf"
hapair_start 1 zoned
check "node 1 falls back to its last good policy on a broken file" \
    sh -c "\"$ZONECTL\" -s '$d1/zoned.sock' status | grep -q '^mode  *enforcing-last-good'"
refute "node 1's health fails" hapair_ctl 1 health
cp "$T/last.out" "$T/health.out"
check "... naming the last good policy" grep -q "running the last good policy" "$T/health.out"
check "... unless told to accept it (--accept-last-good)" \
    hapair_ctl 1 health --accept-last-good
hapair_stop 1 zoned
rm -f "$d1/state/last-good.conf"
hapair_start 1 zoned
check "node 1 fails closed on a broken policy" \
    sh -c "\"$ZONECTL\" -s '$d1/zoned.sock' status | grep -q '^mode  *fail-closed'"
refute "node 1's health fails" hapair_ctl 1 health
cp "$T/last.out" "$T/health.out"
check "... naming why" grep -q "failing closed, every crossing is denied" "$T/health.out"
check "node 1 loses the master role: node 2 takes it" hapair_wait_state 2 master 15
check "... node 1 is in FAULT" hapair_wait_state 1 fault 10
sleep 3
check "... and stays there while it is unhealthy" \
    test "$(hapair_state 1)" = fault -a "$(hapair_state 2)" = master
cp "$d1/zoned.good" "$d1/zoned.conf"
hapair_stop 1 zoned
hapair_start 1 zoned
check "healthy again, node 1 takes the role back" hapair_wait_state 1 master 30
check "... node 2 is the backup" hapair_wait_state 2 backup 10

# --- a zone link down ------------------------------------------------------------------
ip netns exec $GW2 ip link set mn0 down
refute "node 2 with a zone link down is unhealthy" hapair_ctl 2 health
cp "$T/last.out" "$T/health.out"
check "... naming the link" grep -q "interface mn0 of zone mynumber is down" "$T/health.out"
check "... and goes to FAULT" hapair_wait_state 2 fault 10
ip netns exec $GW2 ip link set mn0 up
check "link up: node 2 is the backup again" hapair_wait_state 2 backup 15
check "node 1 stayed the master" test "$(hapair_state 1)" = master

ha_cleanup
finish
