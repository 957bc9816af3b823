#!/usr/bin/env bash
# SIGHUP re-reads the policy file, like zonectl reload: a removed flow no
# longer passes and its established connections end, while an unchanged
# flow's keep flowing; policy-loaded is logged.  A file with a syntax
# error, one that breaks a rule, and one that cannot be read keep the
# running policy and its table, say why, and leave the last good policy
# alone.  Restoring the file and SIGHUP again opens the flow again.
. "$(dirname "$0")/lib.sh"

lab_up
policy
cp "$T/zoned.conf" "$T/orig.conf"
start_zoned || { not_ok "zoned starts"; finish; }
listen $IN tcp 3389
listen $IN tcp 1494

table() { ip netns exec $GW nft -s list table inet zoned 2>/dev/null; }
events() { grep -c "event=$1" "$T/zoned.log"; }
# hup EVENT: SIGHUP, then wait (5 s at most) for one more EVENT line.
hup() {
	local n i
	n=$(events "$1")
	kill -HUP "$ZPID"
	for i in $(seq 1 50); do
		[ "$(events "$1")" -gt "$n" ] && return 0
		sleep 0.1
	done
	return 1
}
status_json() { zctl status --json | tr -d ' \n'; }

check "browse passes (terminal -> rds rdp)" conn $LG tcp 10.20.100.7 192.0.2.40 3389
check "browse-ica passes (terminal -> rds-ica 1494)" conn $LG tcp 10.20.100.7 192.0.2.41 1494

# --- a flow removed -------------------------------------------------------------
conn $LG tcp 10.20.100.7 192.0.2.40 3389 --hold 4 >"$T/hold1" 2>&1 &
hold1=$!
conn $LG tcp 10.20.100.7 192.0.2.41 1494 --hold 4 >"$T/hold2" 2>&1 &
hold2=$!
sleep 1
sed -i '/{ name = "browse";/,+1d' "$T/zoned.conf"
check "the file no longer has flow browse" sh -c "! grep -q 'name = \"browse\";' '$T/zoned.conf'"
check "SIGHUP: policy-loaded is logged" hup policy-loaded
check "... by SIGHUP (uid=-), with one flow fewer (flows=8)" \
    sh -c "grep 'event=policy-loaded' '$T/zoned.log' | tail -n 1 | grep -q 'flows=8 .*uid=- '"
check "... and status says it was loaded at start-up or SIGHUP" \
    sh -c "\"$ZONECTL\" -s \"$T/zoned.sock\" status | grep -q 'at start-up or SIGHUP'"
check "... and status has the new file's SHA-256" \
    sh -c "\"$ZONECTL\" -s \"$T/zoned.sock\" status --json | tr -d ' \n' | grep -q '\"sha256\":\"$(sha256sum "$T/zoned.conf" | cut -d' ' -f1)\"'"
refute "browse no longer passes" conn $LG tcp 10.20.100.7 192.0.2.40 3389
check "browse-ica still passes" conn $LG tcp 10.20.100.7 192.0.2.41 1494
check "zonectl flows no longer lists browse" \
    sh -c "! \"$ZONECTL\" -s \"$T/zoned.sock\" flows --json | tr -d ' \n' | grep -q '\"name\":\"browse\"'"
check "the kernel's table matches the new policy" zctl verify
wait "$hold1"
rc=$?
check "an established connection of the removed flow ended (exit $rc)" test "$rc" -eq 3
wait "$hold2"
rc=$?
check "an established connection of an unchanged flow flowed on (exit $rc)" test "$rc" -eq 0
check "the new policy became the last good one" cmp "$T/state/last-good.conf" "$T/zoned.conf"
cp "$T/zoned.conf" "$T/good.conf"

# --- a syntax error ---------------------------------------------------------------
echo 'flows = ( { name = "x"; ' >>"$T/zoned.conf"
table >"$T/before"
check "SIGHUP with a syntax error: policy-rejected is logged" hup policy-rejected
line=$(grep 'event=policy-rejected' "$T/zoned.log" | tail -n 1)
check "... naming the file and line, ZL011, kept=running-policy" \
    sh -c "echo '$line' | grep -q 'zoned.conf:[0-9]*: ZL011: .*kept=running-policy'"
table >"$T/after"
check "... the table is byte for byte the same" cmp "$T/before" "$T/after"
check "... a flow still passes (browse-ica)" conn $LG tcp 10.20.100.7 192.0.2.41 1494
refute "... and the running policy is the last loaded one (browse still closed)" \
    conn $LG tcp 10.20.100.7 192.0.2.40 3389
check "... status says the last reload failed" \
    sh -c "\"$ZONECTL\" -s \"$T/zoned.sock\" status --json | tr -d ' \n' | grep -q '\"last_reload\":{[^}]*\"ok\":false'"
check "... the last good policy is unchanged" cmp "$T/state/last-good.conf" "$T/good.conf"

# --- a rule broken ------------------------------------------------------------------
cp "$T/good.conf" "$T/zoned.conf"
file_sub "$T/zoned.conf" '  { name = "files-in";' '  { name = "leak"; from = "atena"; to = "rds"; service = "https";
    method = "specific"; approval = "X-1"; },
  { name = "files-in";'
lno=$(grep -n 'name = "leak"' "$T/zoned.conf" | cut -d: -f1)
table >"$T/before"
check "SIGHUP with a policy breaking ZL001: policy-rejected is logged" hup policy-rejected
check "... naming zoned.conf:$lno ZL001" \
    sh -c "grep 'event=policy-rejected' '$T/zoned.log' | tail -n 1 | grep -q 'zoned.conf:$lno: ZL001'"
table >"$T/after"
check "... the table is byte for byte the same" cmp "$T/before" "$T/after"
check "... a flow still passes (browse-ica)" conn $LG tcp 10.20.100.7 192.0.2.41 1494
refute "... and atena still cannot reach the Internet" conn $MN tcp 10.10.1.20 192.0.2.40 443
check "... the last good policy is unchanged" cmp "$T/state/last-good.conf" "$T/good.conf"

# --- a file that cannot be read --------------------------------------------------
mv "$T/zoned.conf" "$T/moved.conf"
check "SIGHUP with the file gone: policy-rejected is logged" hup policy-rejected
check "... naming the file" \
    sh -c "grep 'event=policy-rejected' '$T/zoned.log' | tail -n 1 | grep -q 'file=$T/zoned.conf'"
check "... a flow still passes (browse-ica)" conn $LG tcp 10.20.100.7 192.0.2.41 1494
check "zoned is still running" kill -0 "$ZPID"

# --- restored -----------------------------------------------------------------------
cp "$T/orig.conf" "$T/zoned.conf"
check "SIGHUP with the original file: policy-loaded" hup policy-loaded
check "browse passes again" conn $LG tcp 10.20.100.7 192.0.2.40 3389
check "the kernel's table matches the policy" zctl verify
check "status says the last reload succeeded" \
    sh -c "\"$ZONECTL\" -s \"$T/zoned.sock\" status --json | tr -d ' \n' | grep -q '\"last_reload\":{[^}]*\"ok\":true'"

finish
