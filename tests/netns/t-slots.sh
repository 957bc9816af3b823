#!/usr/bin/env bash
# Nobody locks root out of the control socket, with real users of the
# control group: 32 member connections (four users, eight each) keeping
# their slots busy, and then 40 half-sent requests (five users), leave root
# its status and reload at once; a member beyond the limit is told the
# socket is busy (and zonectl, cut off while still sending, says so rather
# than die of SIGPIPE); the half-sent requests are closed within seconds and
# the members get in again.
. "$(dirname "$0")/lib.sh"

HOLD=$(dirname "$PROBE")/holdconn
G=${LAB_PREFIX}ctl
USERS="${LAB_PREFIX}m1 ${LAB_PREFIX}m2 ${LAB_PREFIX}m3 ${LAB_PREFIX}m4 ${LAB_PREFIX}m5"
users_down() {
	for u in $USERS; do userdel "$u" 2>/dev/null || true; done
	groupdel "$G" 2>/dev/null || true
}
trap 'users_down; cleanup' EXIT
users_down
groupadd "$G"
for u in $USERS; do useradd --no-create-home -G "$G" "$u"; done

lab_up
policy
file_sub "$T/zoned.conf" 'group = "zoned";' "group = \"$G\";"
start_zoned || { not_ok "zoned starts"; finish; }

as() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"
}
# as_bg USER OUT COMMAND...: in the background, its pid (setpriv execs the
# command) in BG
as_bg() {
	local u=$1 out=$2
	shift 2
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@" \
	    >"$out" 2>&1 &
	BG+=($!)
}
jint() { tr -d ' \n' | grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }
# ROOT_OK NAME: ten status and one reload by root, each within 5 s
root_ok() {
	local i ok=0
	for i in $(seq 1 10); do
		timeout 5 "$ZONECTL" -s "$T/zoned.sock" status >/dev/null 2>&1 &&
		    ok=$((ok + 1))
	done
	check "$1: root's status is answered ($ok of 10)" test "$ok" -eq 10
	check "$1: root's reload is answered" \
	    timeout 5 "$ZONECTL" -s "$T/zoned.sock" reload
}

# --- 32 busy member connections ---------------------------------------------------------
i=0
for u in ${LAB_PREFIX}m1 ${LAB_PREFIX}m2 ${LAB_PREFIX}m3 ${LAB_PREFIX}m4; do
	i=$((i + 1))
	as_bg "$u" "$T/busy.$i" "$HOLD" "$T/zoned.sock" 8 90 --busy 5
done
busy_pids=("${BG[@]: -4}")
for i in 1 2 3 4; do
	check "member $i opens 8 connections" wait_for "$T/busy.$i" '^connected 8' 5
done
sleep 1
clients=$(zctl status --json | jint clients)
check "the members hold the 28 slots that are not root's ($clients clients with root's own)" \
    test "$clients" -eq 29
root_ok "32 busy member connections"
as ${LAB_PREFIX}m5 "$ZONECTL" -s "$T/zoned.sock" status >"$T/out" 2>&1
rc=$?
check "a fifth member is told the socket is busy (exit $rc)" \
    sh -c "[ $rc -eq 2 ] && grep -q 'every client slot is taken.*(busy)' '$T/out'"
# zoned tells a member without a slot that the socket is busy and closes:
# zonectl, perhaps still writing its request, must say so, not die of
# SIGPIPE (exit 141: some 4 in 10 did, once)
died=0 said=0
for i in $(seq 1 50); do
	as ${LAB_PREFIX}m5 "$ZONECTL" -s "$T/zoned.sock" status >"$T/out" 2>&1
	rc=$?
	[ $rc -eq 141 ] && died=$((died + 1))
	if [ $rc -eq 2 ] && grep -q "^zonectl: .*(busy)" "$T/out"; then said=$((said + 1)); else cat "$T/out" >>"$T/unsaid"; fi
done
check "50 refused zonectl status: none dies of SIGPIPE ($died did), each says busy ($said)" \
    test "$died" -eq 0 -a "$said" -eq 50
# and a request bigger than the socket takes, cut off while being written
long=$(head -c 120000 /dev/zero | tr '\0' 'a')
as ${LAB_PREFIX}m5 "$ZONECTL" -s "$T/zoned.sock" check "$long" "$long" "$long" \
    --mac "$long" >"$T/out" 2>&1
rc=$?
check "a refused request cut off while being written: exit $rc, and zonectl says why" \
    sh -c "[ $rc -eq 2 ] && grep -q '^zonectl: .*(busy)' '$T/out'"
n=$(grep -c 'event=control-busy' "$T/zoned.log")
# the log's times are whole seconds: lines 9 s apart at least
gap=$(grep 'event=control-busy' "$T/zoned.log" | awk '{ split($1, t, ":");
    s = t[1] * 3600 + t[2] * 60 + t[3]; if (NR > 1 && (m == "" || s - p < m)) m = s - p;
    p = s } END { print m == "" ? 99 : m }')
check "... the refusals are logged as event=control-busy, at most once in 10 s ($n lines for 55, ${gap} s apart at least)" \
    test "$n" -ge 1 -a "$n" -lt 55 -a "$gap" -ge 9
for p in "${busy_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
held=0
for i in 1 2 3 4; do
	held=$((held + $(sed -n 's/^held \([0-9]*\).*/\1/p' "$T/busy.$i")))
done
check "... and the members kept their 28 busy connections to the end ($held)" \
    test "$held" -eq 28

# --- 40 half-sent requests ----------------------------------------------------------------
sleep 0.5
i=0
for u in $USERS; do
	i=$((i + 1))
	as_bg "$u" "$T/half.$i" "$HOLD" "$T/zoned.sock" 8 10 --half
done
half_pids=("${BG[@]: -5}")
for i in 1 2 3 4 5; do
	check "member $i opens 8 connections and half-sends a request on each" \
	    wait_for "$T/half.$i" '^connected 8' 5
done
root_ok "40 half-sent requests"
for p in "${half_pids[@]}"; do wait "$p" 2>/dev/null; done
held=0
closed=0
for i in 1 2 3 4 5; do
	held=$((held + $(sed -n 's/^held \([0-9]*\).*/\1/p' "$T/half.$i")))
	closed=$((closed + $(sed -n 's/^held [0-9]* closed //p' "$T/half.$i")))
done
check "within their 10 s every half-sent request was closed ($closed closed, $held held)" \
    test "$held" -eq 0 -a "$closed" -eq 40
t=$(zctl status --json | jint timed_out)
check "... 28 of them for taking too long (status: timed_out $t)" test "${t:-0}" -ge 28
check "the members get in again" as ${LAB_PREFIX}m1 "$ZONECTL" -s "$T/zoned.sock" status

finish
