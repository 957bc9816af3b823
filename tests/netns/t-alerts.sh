#!/usr/bin/env bash
# zonectl alerts --since TIME keeps the alerts at or after TIME, whatever
# the offset TIME is written with; without --since every alert is listed,
# oldest first; an invalid TIME is a usage error, on the client and in the
# daemon.
. "$(dirname "$0")/lib.sh"

lab_up
policy
start_zoned || { not_ok "zoned starts"; finish; }

kinds() { tr -d ' \n' | grep -o '"kind":"[a-z-]*"' | cut -d'"' -f4 | tr '\n' ' '; }
# alerts_kinds [ARGS]: the kinds zonectl alerts --json lists, in order.
alerts_kinds() { zctl alerts --json "$@" | kinds; }
# rfc3339 EPOCH [TZ]: the time in RFC 3339 with the offset of TZ.
rfc3339() {
	if [ -n "${2:-}" ]; then
		TZ=$2 date -d "@$1" +%Y-%m-%dT%H:%M:%S%:z
	else
		date -d "@$1" +%Y-%m-%dT%H:%M:%S%:z
	fi
}
epoch_of() { date -d "$1" +%s; }

check "no alerts at first" sh -c "\"$ZONECTL\" -s \"$T/zoned.sock\" alerts | grep -qx 'no alerts'"

# --- alert A: an Internet source probing an LGWAN address -------------------------
inmac=$(mac_of $IN eth0)
gwin=$(mac_of $GW inet0)
ip netns exec $IN "$PROBE" inject eth0 --src-mac "$inmac" --dst-mac "$gwin" \
    --src 198.51.100.9 --dst 10.20.1.25 --proto tcp --dport 22 --count 2 >/dev/null
check "alert A: lgwan-probe" wait_for "$T/zoned.log" "event=lgwan-probe .*src=198.51.100.9" 3
ta=$(zctl alerts --json | tr -d ' \n' | grep -o '"time":"[^"]*"' | head -n 1 | cut -d'"' -f4)
ea=$(epoch_of "$ta")
check "alert A has an RFC 3339 time with an offset ($ta)" \
    sh -c "echo '$ta' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([+-][0-9]{2}:[0-9]{2}|Z)$'"

# two seconds later: the boundary; one more second: alert B
sleep 2
eb0=$(date +%s)
sleep 1.2
mnmac=$(mac_of $GW mn0)
ip netns exec $MN "$PROBE" inject eth0 --src-mac 02:00:00:00:99:99 \
    --dst-mac "$mnmac" --src 10.10.1.20 --dst 10.200.5.10 --proto tcp \
    --dport 443 --count 2 >/dev/null
check "alert B: mac-mismatch" wait_for "$T/zoned.log" "event=mac-mismatch .*src=10.10.1.20" 3
tb=$(zctl alerts --json | tr -d ' \n' | grep -o '"time":"[^"]*"' | tail -n 1 | cut -d'"' -f4)
eb=$(epoch_of "$tb")
check "alert B is at least three seconds after A ($ta, $tb)" test $((eb - ea)) -ge 3

# --- listing -------------------------------------------------------------------------
k=$(alerts_kinds)
check "without --since: both, oldest first ($k)" test "$k" = "lgwan-probe mac-mismatch "
k=$(alerts_kinds --since "$(rfc3339 "$eb0")")
check "--since between them: only B ($k)" test "$k" = "mac-mismatch "
k=$(alerts_kinds --since "$ta")
check "--since A's own time: both, 'at or after' ($k)" test "$k" = "lgwan-probe mac-mismatch "
k=$(alerts_kinds --since "$(rfc3339 $((ea + 1)))")
check "--since a second after A: only B ($k)" test "$k" = "mac-mismatch "
k=$(alerts_kinds --since "$(rfc3339 $((ea - 3600)))")
check "--since an hour before: both ($k)" test "$k" = "lgwan-probe mac-mismatch "
k=$(alerts_kinds --since "$tb")
check "--since B's own time: B ($k)" test "$k" = "mac-mismatch "
zctl alerts --since "$(rfc3339 $((eb + 1)))" >"$T/out" 2>&1
rc=$?
check "--since a second after B: none, exit 0 (exit $rc)" test "$rc" -eq 0
check "... and says so" grep -qx 'no alerts' "$T/out"

# --- the same instant with other offsets ----------------------------------------
s=$(TZ=UTC date -d "@$eb0" +%Y-%m-%dT%H:%M:%SZ)
k=$(alerts_kinds --since "$s")
check "--since in UTC with Z ($s): only B ($k)" test "$k" = "mac-mismatch "
s=$(rfc3339 "$eb0" UTC-9)
k=$(alerts_kinds --since "$s")
check "--since with +09:00 ($s): only B ($k)" test "$k" = "mac-mismatch "
s=$(rfc3339 "$eb0" UTC+5)
k=$(alerts_kinds --since "$s")
check "--since with -05:00 ($s): only B ($k)" test "$k" = "mac-mismatch "
s=$(rfc3339 "$((ea - 1))" UTC-9)
k=$(alerts_kinds --since "$s")
check "--since just before A with +09:00 ($s): both ($k)" test "$k" = "lgwan-probe mac-mismatch "

# --- text ------------------------------------------------------------------------------
zctl alerts --since "$(rfc3339 "$eb0")" >"$T/out" 2>&1
check "text: one line for B" test "$(wc -l <"$T/out")" -eq 1
check "... with its time, number and kind" grep -q "^$tb #[0-9]* mac-mismatch " "$T/out"

# --- invalid times ---------------------------------------------------------------------
for bad in yesterday 2026-11-22T00:00:00 2026-13-01T00:00:00Z \
    2026-11-22T00:00:00+0900 2026-11-22T25:00:00Z; do
	zctl alerts --since "$bad" >"$T/out" 2>&1
	rc=$?
	check "--since '$bad' is a usage error (exit $rc)" test "$rc" -eq 2
done
check "the daemon itself refuses a bad since (code 2)" \
    sh -c "\"$PROBE\" unix \"$T/zoned.sock\" '{\"cmd\":\"alerts\",\"args\":{\"since\":\"soon\"}}' | grep -q '\"code\": *2'"
check "... and a since that is not a string is ignored or refused, not a crash" \
    sh -c "\"$PROBE\" unix \"$T/zoned.sock\" '{\"cmd\":\"alerts\",\"args\":{\"since\":5}}' | grep -q '\"ok\"'"
check "zoned is still answering" zctl status

finish
