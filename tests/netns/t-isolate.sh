#!/usr/bin/env bash
# Emergency isolation: zonectl isolate cuts every crossing of a zone at
# once — a new connection fails within a second, an established stream
# stops — in one transaction on the isolated set alone; management access
# to the gateway still connects, even from the isolated zone; other zones'
# crossings go on; the verify stays clean, and a hand-removed isolation is
# drift; the isolation survives a reload and a restart; restore brings
# the flows back; a reason is required; only root may isolate.  Prints
# the drill: from `isolate` to the last packet through.
. "$(dirname "$0")/lib.sh"

OP=${LAB_PREFIX}isoop
users_down() { userdel "$OP" 2>/dev/null || true; }
trap 'users_down; cleanup' EXIT
users_down
useradd --no-create-home -G zoned "$OP" 2>/dev/null ||
    useradd --no-create-home "$OP"

lab_up
policy
# management: SSH to the gateway from the staff terminals (LGWAN)
file_sub "$T/zoned.conf" 'services = {' 'services = {
  ssh      = { proto = "tcp"; ports = [ 22 ]; };'
echo 'management = ( { from = "lg-terms"; service = "ssh"; } );' >>"$T/zoned.conf"
start_zoned || { not_ok "zoned starts"; finish; }
listen $IN tcp 3389
listen $IN tcp 1494
listen $LG tcp 443
listen $GW tcp 22

set_elems() {
	ip netns exec $GW nft -j list set inet zoned isolated 2>/dev/null |
	    grep -o '"elem": \[[^]]*\]' | tr -d ' '
}
now() { date +%s.%N; }

check "before: browse passes (lgwan -> internet)" conn $LG tcp 10.20.100.7 192.0.2.40 3389
check "before: atena -> chukan passes (mynumber -> lgwan)" conn $MN tcp 10.10.1.20 10.200.5.10 443
check "before: management SSH to the gateway connects" conn $LG tcp 10.20.100.7 10.20.0.1 22

# --- refusals -----------------------------------------------------------------
zctl isolate internet >"$T/out" 2>&1
rc=$?
check "isolate without --reason is refused (exit $rc)" test "$rc" -eq 2
check "... saying a reason is needed" grep -q "reason" "$T/out"
setpriv --reuid="$OP" --regid="$(id -g "$OP")" --init-groups \
    "$ZONECTL" -s "$T/zoned.sock" isolate internet --reason x >"$T/out" 2>&1
rc=$?
check "a non-root caller may not isolate (exit $rc)" test "$rc" -eq 2
check "... and is told so" grep -q "permission denied" "$T/out"
zctl isolate nosuch --reason x >"$T/out" 2>&1
check "an unknown zone is refused, naming the zones" grep -q 'no zone "nosuch".*zones: mynumber, lgwan, internet' "$T/out"
check "nothing was isolated by the refusals" test -z "$(set_elems)"

# --- the drill: an established stream through the zone, then isolate ---------
conn $LG tcp 10.20.100.7 192.0.2.41 1494 --hold 8 --every 5 >"$T/hold" 2>&1 &
hold=$!
sleep 1
t0=$(now)
zctl isolate internet --reason "CISO order 2026-77: suspected intrusion" >"$T/iso.out" 2>&1
rc=$?
t1=$(now)
check "isolate internet (exit $rc)" test "$rc" -eq 0
refute "within a second: a new permitted connection across it fails" \
    conn $LG tcp 10.20.100.7 192.0.2.40 3389 --timeout 1
wait "$hold"
rc=$?
check "the established stream through it stopped (exit $rc)" test "$rc" -eq 3
last=$(sed -n 's/^last answer at //p' "$T/hold")
if [ -n "$last" ]; then
	drill=$(awk -v a="$last" -v b="$t0" 'BEGIN { printf "%.1f", (a - b) * 1000 }')
	took=$(awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.1f", (a - b) * 1000 }')
	inside=$(sed -n 's/^(one set transaction, \([0-9.]*\) ms.*/\1/p' "$T/iso.out")
	printf '# drill: zonectl isolate took %.1f ms from start to answer (%s ms of it in the daemon: journal, state file, set transaction); the last packet through came %.1f ms after the command started (hellos every 5 ms)\n' "$took" "${inside:-?}" "$drill"
	check "the last packet through came before isolate returned" \
	    awk -v a="$last" -v b="$t1" 'BEGIN { exit !(a <= b) }'
else
	not_ok "the held stream printed when its last answer came"
fi
check "the set holds the zone's interface alone" test "$(set_elems)" = '"elem":["inet0"]'
check "management SSH to the gateway still connects" conn $LG tcp 10.20.100.7 10.20.0.1 22
check "another zones' crossing goes on (atena -> chukan)" conn $MN tcp 10.10.1.20 10.200.5.10 443
check "zonectl verify stays clean while isolated" zctl verify
check "syslog: event=zone-isolated with the uid and reason" \
    grep -q 'event=zone-isolated zone=internet interfaces=inet0 uid=0 reason="CISO order' "$T/zoned.log"
check "status shows the zone, since, by whom and why" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' status | grep -q '^ISOLATED  *zone internet (inet0) since .* by root (uid 0): CISO order 2026-77'"
check "zones shows it too" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' zones | grep -q '^zone internet is ISOLATED since .* by root (uid 0)'"
check "zones --json: the zone's isolation with uid, user and reason" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' zones --json | tr -d ' \n' | grep -q '\"isolated\":{\"zone\":\"internet\",\"since\":\"[^\"]*\",\"uid\":0,\"user\":\"root\",\"reason\":\"CISOorder'"
zctl isolate internet --reason again >"$T/out" 2>&1
rc=$?
check "isolating it again says it is isolated already (exit $rc)" \
    sh -c "test $rc -eq 1 && grep -q 'isolated already' '$T/out'"

# --- the operator's own zone: management from it still works ----------------
check "isolate lgwan too" zctl isolate lgwan --reason "drill: the operator's own zone"
refute "atena -> chukan no longer passes (lgwan isolated)" \
    conn $MN tcp 10.10.1.20 10.200.5.10 443 --timeout 1
check "management SSH from the isolated zone still connects" conn $LG tcp 10.20.100.7 10.20.0.1 22

# --- drift: an isolation removed by hand ---------------------------------------
ip netns exec $GW nft delete element inet zoned isolated '{ "inet0" }'
zctl verify >"$T/out" 2>&1
rc=$?
check "an isolation removed by hand is drift (exit $rc)" test "$rc" -eq 1
check "... named as the missing element" grep -q -- "- isolated inet0" "$T/out"
check "a reload puts it back" zctl reload
check "... and verify is clean again" zctl verify
check "... the set has both zones' interfaces" test "$(set_elems)" = '"elem":["lg0","inet0"]' -o "$(set_elems)" = '"elem":["inet0","lg0"]'

# --- a restart ---------------------------------------------------------------------
stop_zoned
start_zoned || { not_ok "zoned starts again"; finish; }
check "after a restart the set still holds both interfaces" \
    sh -c "ip netns exec $GW nft list set inet zoned isolated | grep -q inet0 && ip netns exec $GW nft list set inet zoned isolated | grep -q lg0"
refute "... and browse still fails" conn $LG tcp 10.20.100.7 192.0.2.40 3389 --timeout 1
check "... and status still says who isolated and why" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' status | grep -q 'zone internet (inet0) since .* by root (uid 0): CISO order'"
check "... and the state file has both" \
    sh -c "grep -q '\"zone\": \"internet\"' '$T/state/isolated' && grep -q '\"zone\": \"lgwan\"' '$T/state/isolated'"

# --- restore -------------------------------------------------------------------------
check "restore internet" zctl restore internet --reason "all clear"
refute "... lgwan stays isolated (browse still fails)" \
    conn $LG tcp 10.20.100.7 192.0.2.40 3389 --timeout 1
check "restore lgwan" zctl restore lgwan
check "browse passes again" conn $LG tcp 10.20.100.7 192.0.2.40 3389
check "atena -> chukan passes again" conn $MN tcp 10.10.1.20 10.200.5.10 443
check "the set is empty" test -z "$(set_elems)"
check "syslog: event=zone-restored" grep -q 'event=zone-restored zone=internet .*uid=0 reason="all clear"' "$T/zoned.log"
zctl restore lgwan >"$T/out" 2>&1
check "restoring a zone that is not isolated says so" grep -q "not isolated" "$T/out"

# --- every zone ------------------------------------------------------------------
check "isolate --all" zctl isolate --all --reason "whole-site drill"
check "... every interface is in the set" \
    sh -c "n=\$(ip netns exec $GW nft -j list set inet zoned isolated | grep -o '\"mn0\"\\|\"lg0\"\\|\"inet0\"' | wc -l); test \$n -eq 3"
refute "... nothing crosses (atena -> chukan)" conn $MN tcp 10.10.1.20 10.200.5.10 443 --timeout 1
check "... management still connects" conn $LG tcp 10.20.100.7 10.20.0.1 22
check "restore --all" zctl restore --all
check "... and browse passes" conn $LG tcp 10.20.100.7 192.0.2.40 3389

# --- a policy without the zone drops the isolation -----------------------------
check "isolate internet once more" zctl isolate internet --reason "before a re-zoning"
cp "$T/zoned.conf" "$T/orig.conf"
sed -i -e 's/\binternet = { kind = "internet"/outside = { kind = "internet"/' \
    -e 's/zone = "internet"/zone = "outside"/' "$T/zoned.conf"
check "a policy that names the Internet zone otherwise loads" zctl reload
check "... the isolation of the zone it lacks is dropped, logged" \
    grep -q 'event=zone-restored zone=internet uid=- reason="the policy has no such zone"' "$T/zoned.log"
check "... the set is empty" test -z "$(set_elems)"
check "... and the journal says so, with the reload's uid" \
    sh -c "'$ZONECTL' journal --file '$T/state/journal' | tail -n 1 | grep -q 'zone-restored *root(0) .*zone=internet reason=the policy has no such zone'"
cp "$T/orig.conf" "$T/zoned.conf"
check "the original policy loads again" zctl reload

# --- an isolation state that cannot be read isolates every zone ----------------
stop_zoned
echo '{ "zones": [ { "zone": "lgw' >"$T/state/isolated"
start_zoned || { not_ok "zoned starts on an unreadable isolation state"; finish; }
check "an unreadable isolation state: every zone isolated, logged as an alert" \
    grep -q 'event=zone-isolated zone=\* reason="the isolation state could not be read' "$T/zoned.log"
refute "... nothing crosses (browse)" conn $LG tcp 10.20.100.7 192.0.2.40 3389 --timeout 1
check "... status says why" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' status | grep -q '^ISOLATED  *zone \\* since .*: the isolation state could not be read'"
check "... restore --all ends it" zctl restore --all
check "... and browse passes" conn $LG tcp 10.20.100.7 192.0.2.40 3389
check "the journal's chain is intact" "$ZONECTL" journal --verify --file "$T/state/journal"

finish
