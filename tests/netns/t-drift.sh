#!/usr/bin/env bash
# Drift: a rule added by hand is reported by zonectl verify and by the
# timer; a table deleted by hand (flush ruleset) is applied again at once.
. "$(dirname "$0")/lib.sh"

lab_up
policy
policy_mode kernel	# a hand-made accept must open the path here
file_sub "$T/zoned.conf" 'group = "zoned"; };' 'group = "zoned"; verify_interval = 1; };'
start_zoned || { not_ok "zoned starts"; finish; }
listen $IN tcp 80

check "zonectl verify: the fresh table matches" zctl verify
refute "a terminal cannot reach the Internet directly" \
    conn $LG tcp 10.20.100.7 198.51.100.7 80
ip netns exec $GW nft insert rule inet zoned forward accept
check "the drift timer logs event=drift" \
    wait_for "$T/zoned.log" "event=drift table=changed.*by=timer" 4
check "with a hand-made accept rule the path opens (the kernel alone decides)" \
    conn $LG tcp 10.20.100.7 198.51.100.7 80
zctl verify >"$T/out" 2>&1
check "zonectl verify reports the drift (exit 1)" test $? -eq 1
check "... and shows the hand-made rule" grep -q "^  + rule forward 0 \[immediate reg 0 accept" "$T/out"

ip netns exec $GW nft delete table inet zoned
check "a deleted table is applied again by the timer" \
    wait_for "$T/zoned.log" "event=drift table=missing action=reapplied" 4
check "... and is there again" ip netns exec $GW nft list table inet zoned
check "... and matches the policy" zctl verify
refute "... and the path is closed again" conn $LG tcp 10.20.100.7 198.51.100.7 80

finish
