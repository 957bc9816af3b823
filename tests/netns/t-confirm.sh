#!/usr/bin/env bash
# Commit-confirm: a policy without a flow, loaded with reload --confirm 3,
# is put back by itself within 3-5 s (the flow connects again, the journal
# says policy-rolled-back); while it waits, status shows the seconds left
# and a second reload (and SIGHUP) is refused with a clear message; with
# zonectl confirm it stays and becomes the last good policy; zonectl
# rollback puts the old one back at once; kill -9 during the window and a
# restart come back with the old policy, and so does a later restart while
# the file still holds the unconfirmed text.
. "$(dirname "$0")/lib.sh"

lab_up
policy
cp "$T/zoned.conf" "$T/orig.conf"
start_zoned || { not_ok "zoned starts"; finish; }
listen $IN tcp 3389
listen $IN tcp 1494

without_browse() {
	cp "$T/orig.conf" "$T/zoned.conf"
	sed -i '/{ name = "browse";/,+1d' "$T/zoned.conf"
}
browse() { conn $LG tcp 10.20.100.7 192.0.2.40 3389 "$@"; }
status_json() { zctl status --json | tr -d ' \n'; }
now() { date +%s.%N; }
orig_sha=$(sha256sum "$T/orig.conf" | cut -d' ' -f1)

check "browse passes" browse
without_browse
new_sha=$(sha256sum "$T/zoned.conf" | cut -d' ' -f1)

# --- rolled back by itself ------------------------------------------------------
t0=$(now)
zctl reload --confirm 3 >"$T/out" 2>&1
rc=$?
t1=$(now)	# the window started between t0 and t1
check "reload --confirm 3 of a policy without browse (exit $rc)" test "$rc" -eq 0
check "... says it awaits confirmation" grep -q "awaiting confirmation: run zonectl confirm within" "$T/out"
refute "... browse is closed at once" browse --timeout 1
back=
for _ in $(seq 1 70); do
	if browse --timeout 0.2 >/dev/null 2>&1; then
		back=$(now)
		break
	fi
	sleep 0.05
done
if [ -n "$back" ]; then
	secs=$(awk -v a="$back" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')
	after=$(awk -v a="$back" -v b="$t1" 'BEGIN { printf "%.2f", a - b }')
	printf '# rollback: browse connected again %.2f s after reload --confirm 3 began, %.2f s after it answered\n' "$secs" "$after"
	check "the policy before came back by itself within 3-5 s ($secs s)" \
	    awk -v s="$secs" -v a="$after" 'BEGIN { exit !(s >= 3 && a <= 5) }'
else
	not_ok "the policy before came back by itself within 7 s"
fi
check "event=policy-rolled-back is logged" grep -q "event=policy-rolled-back" "$T/zoned.log"
check "the journal says policy-rolled-back, by the daemon, naming browse" \
    sh -c "'$ZONECTL' journal --file '$T/state/journal' --json | tr -d ' \n' | grep -q '\"action\":\"policy-rolled-back\",\"policy_before\":\"$new_sha\",\"policy_after\":\"$orig_sha\",\"flows\":{\"added\":\[{\"flow\":\"browse\"'"
check "the running policy is the one before" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' status --json | tr -d ' \n' | grep -q '\"sha256\":\"$orig_sha\"'"
check "the last good policy is still the one before" cmp "$T/state/last-good.conf" "$T/orig.conf"
check "the kernel's table matches it" zctl verify

# --- confirmed ---------------------------------------------------------------------
check "reload --confirm 3 again" zctl reload --confirm 3
check "zonectl confirm" zctl confirm
sleep 4
refute "4 s later browse is still closed: the policy stayed" browse --timeout 1
check "... it is the last good policy now" cmp "$T/state/last-good.conf" "$T/zoned.conf"
check "... status has no pending confirmation" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' status --json | tr -d ' \n' | grep -q '\"confirm\":null'"
zctl confirm >"$T/out" 2>&1
check "confirm with nothing pending says so" grep -q "no policy awaits confirmation" "$T/out"

# --- rollback at once ---------------------------------------------------------------
cp "$T/orig.conf" "$T/zoned.conf"
check "a plain reload of the original" zctl reload
without_browse
check "reload --confirm 60" zctl reload --confirm 60
refute "browse closed" browse --timeout 1
check "status: pending, with the seconds left" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' status | grep -q '^confirm  *PENDING: policy ${new_sha:0:12} .* [4-6][0-9]s left'"
check "status --json: seconds_left and the previous policy" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' status --json | tr -d ' \n' | grep -q '\"state\":\"pending\",\"policy\":\"$new_sha\",\"previous\":\"$orig_sha\".*\"seconds_left\":[4-6][0-9],'"
zctl reload >"$T/out" 2>&1
rc=$?
check "a second reload is refused (exit $rc)" test "$rc" -eq 1
check "... with a clear message" grep -q "awaits confirmation (.*s left): zonectl confirm or zonectl rollback first" "$T/out"
n=$(grep -c "event=policy-rejected .*awaits confirmation" "$T/zoned.log")
kill -HUP "$ZPID"
for _ in $(seq 1 30); do
	[ "$(grep -c "event=policy-rejected .*awaits confirmation" "$T/zoned.log")" -gt "$n" ] && break
	sleep 0.1
done
check "SIGHUP is refused too" test "$(grep -c "event=policy-rejected .*awaits confirmation" "$T/zoned.log")" -gt "$n"
refute "... browse is still closed (the pending policy runs)" browse --timeout 1
check "zonectl rollback" zctl rollback
check "browse passes at once" browse
check "journal: policy-rolled-back by root (uid 0)" \
    sh -c "'$ZONECTL' journal --file '$T/state/journal' | tail -n 1 | grep -q 'policy-rolled-back *root(0)'"

# --- kill -9 during the window ------------------------------------------------------
check "reload --confirm 60 once more" zctl reload --confirm 60
refute "browse closed" browse --timeout 1
kill -9 "$ZPID"
wait "$ZPID" 2>/dev/null
ZPID=
start_zoned || { not_ok "zoned starts after kill -9"; finish; }
check "after kill -9 and a restart browse passes: the old policy runs" browse
check "... status says why (enforcing-last-good)" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' status | grep -q 'awaiting confirmation when zoned stopped'"
check "... the journal has policy-rolled-back then start" \
    sh -c "'$ZONECTL' journal --file '$T/state/journal' | tail -n 2 | tr '\n' ' ' | grep -q 'policy-rolled-back .*zoned restarted while the policy awaited confirmation.* start '"
check "... the start notes the run that ended without a stop entry" \
    sh -c "tail -n 1 '$T/state/journal' | grep -q '\"previous_run\":\"ended without a stop entry'"
check "... the unconfirmed policy never became the last good one" cmp "$T/state/last-good.conf" "$T/orig.conf"
stop_zoned
start_zoned || { not_ok "zoned starts again"; finish; }
check "a later restart with the unconfirmed text in the file keeps the old policy" browse
check "... and says so" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' status | grep -q 'was rolled back unconfirmed'"
check "a plain reload loads the file (the operator's choice)" zctl reload
refute "... and browse is closed" browse --timeout 1
check "the journal's chain is intact" "$ZONECTL" journal --verify --file "$T/state/journal"

finish
