#!/usr/bin/env bash
# A stopped or killed daemon leaves the ruleset in place: the gateway stays
# closed to forbidden flows and, in kernel mode, open to permitted ones; a
# restart takes over without cutting established connections of unchanged
# flows.  (Dual mode: t-dual.sh.)
. "$(dirname "$0")/lib.sh"

lab_up
policy
policy_mode kernel	# t-dual.sh kills the daemon in dual mode
start_zoned || { not_ok "zoned starts"; finish; }
listen $LG tcp 443
listen $IN tcp 80

conn $MN tcp 10.10.1.20 10.200.5.10 443 --hold 4 >"$T/hold" 2>&1 &
hold=$!
sleep 1
kill -9 "$ZPID"
ZPID=
sleep 0.3
check "after kill -9 the table is still there" ip netns exec $GW nft list table inet zoned
refute "a forbidden crossing still fails" conn $LG tcp 10.20.100.7 198.51.100.7 80
refute "the My Number zone still cannot reach the Internet" conn $MN tcp 10.10.1.20 198.51.100.7 80
check "a permitted crossing still passes" conn $MN tcp 10.10.1.20 10.200.5.10 443
start_zoned || not_ok "zoned restarts"
wait "$hold"
check "a connection held across kill -9 and restart was never cut" test $? -eq 0
check "after the restart the table matches the policy" zctl verify
kill -TERM "$ZPID"
for _ in $(seq 1 50); do kill -0 "$ZPID" 2>/dev/null || break; sleep 0.1; done
wait "$ZPID" 2>/dev/null
sanitizer_check
ZPID=
check "SIGTERM logs event=stopped ruleset=kept" grep -q "event=stopped ruleset=kept" "$T/zoned.log"
check "after SIGTERM the table is still there" ip netns exec $GW nft list table inet zoned
refute "... and still closed to forbidden flows" conn $LG tcp 10.20.100.7 198.51.100.7 80

finish
