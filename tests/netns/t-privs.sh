#!/usr/bin/env bash
# Privilege drop: once serving, every thread of the daemon runs as user
# zoned (real, effective, saved and filesystem ids, no root group) with
# exactly CAP_NET_ADMIN and CAP_NET_RAW, nothing inheritable or ambient;
# and with only those it still does its work: reloads, switches the second
# verdict on and off (binding the queue again), verifies, writes its state.
. "$(dirname "$0")/lib.sh"

lab_up
policy
policy_mode kernel
start_zoned || { not_ok "zoned starts"; finish; }
listen $IN tcp 3389

uid=$(id -u zoned)
gid=$(id -g zoned)
pid=$ZPID
check "the pid started is the daemon ($(cat /proc/$pid/comm 2>/dev/null))" \
    grep -qx zoned "/proc/$pid/comm"

st() { awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$2"; }
# Capability masks as numbers.
cap() { printf '%d' "0x$(st "$1" "$2")"; }
NET=$(( (1 << 12) | (1 << 13) ))	# CAP_NET_ADMIN, CAP_NET_RAW

tasks=$(ls "/proc/$pid/task")
check "the daemon has tasks to look at ($(echo $tasks | wc -w))" test -n "$tasks"
for t in $tasks; do
	s=/proc/$pid/task/$t/status
	u=$(st Uid "$s")
	g=$(st Gid "$s")
	check "task $t: Uid is zoned's ($uid) four times ($u)" \
	    test "$(echo $u)" = "$uid $uid $uid $uid"
	check "task $t: Gid is zoned's ($gid) four times ($g)" \
	    test "$(echo $g)" = "$gid $gid $gid $gid"
	gr=$(st Groups "$s")
	check "task $t: no root group among its groups ($gr)" \
	    sh -c "! echo ' $gr ' | grep -q ' 0 '"
	check "task $t: CapEff is exactly NET_ADMIN|NET_RAW ($(st CapEff "$s"))" \
	    test "$(cap CapEff "$s")" -eq $NET
	check "task $t: CapPrm is exactly NET_ADMIN|NET_RAW ($(st CapPrm "$s"))" \
	    test "$(cap CapPrm "$s")" -eq $NET
	check "task $t: nothing inheritable ($(st CapInh "$s"))" \
	    test "$(cap CapInh "$s")" -eq 0
	if grep -q '^CapAmb:' "$s"; then
		check "task $t: nothing ambient ($(st CapAmb "$s"))" \
		    test "$(cap CapAmb "$s")" -eq 0
	fi
	check "task $t: the bounding set holds nothing more ($(st CapBnd "$s"))" \
	    test $(( $(cap CapBnd "$s") & ~NET )) -eq 0
done

# --- and it still works --------------------------------------------------------------
check "the state directory belongs to zoned" \
    test "$(stat -c %u "$T/state")" -eq "$uid"
check "the evidence directory belongs to zoned" \
    test "$(stat -c %u "$T/evidence")" -eq "$uid"
check "a permitted crossing passes (kernel mode)" conn $LG tcp 10.20.100.7 192.0.2.40 3389
check "zonectl verify reads the kernel's table as zoned" zctl verify

# kernel -> dual: the queue is bound by the unprivileged daemon
policy
check "a reload to dual mode is applied" zctl reload
check "... the queue is bound after the drop" \
    wait_for "$T/zoned.log" "event=queue-bound" 3
check "... status says dual" \
    sh -c "\"$ZONECTL\" -s \"$T/zoned.sock\" status --json | tr -d ' \n' | grep -q '\"enforce\":{\"mode\":\"dual\",\"queue\":{'"
check "... a permitted crossing passes both verdicts" conn $LG tcp 10.20.100.7 192.0.2.40 3389
check "... accepted by the daemon" \
    sh -c "\"$ZONECTL\" -s \"$T/zoned.sock\" status --json | tr -d ' \n' | grep -Eq '\"accepted\":[1-9]'"
refute "... a forbidden one does not" conn $LG tcp 10.20.100.7 198.51.100.7 3389
check "the last good policy was written by zoned" \
    test "$(stat -c %u "$T/state/last-good.conf")" -eq "$uid"
check "... and is the reloaded file" cmp "$T/state/last-good.conf" "$T/zoned.conf"
check "no event says a privileged step failed" \
    sh -c "! grep -Eq 'queue-failed|Operation not permitted|Permission denied|cannot drop|staying root|staying uid 0' '$T/zoned.log'"
check "still exactly NET_ADMIN|NET_RAW after the reloads" \
    test "$(cap CapEff "/proc/$pid/status")" -eq $NET

finish
