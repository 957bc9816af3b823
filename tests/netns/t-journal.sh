#!/usr/bin/env bash
# The change journal: every change to what the appliance enforces is one
# entry, in order, with the right uid and user; each goes to syslog with
# its hash; --verify passes, also offline on a copy, and a flipped byte, a
# removed line and two swapped lines each make it exit 1 naming the
# entry; a start finds a tampered journal; --show gives the flows and the
# text diff; a full state directory (a small tmpfs) makes a change fail
# with a clear error, and nothing is changed or recorded.
. "$(dirname "$0")/lib.sh"

MNT=
jcleanup() {
	stop_zoned
	[ -n "$MNT" ] && umount "$MNT" 2>/dev/null
	cleanup
}
trap jcleanup EXIT

lab_up
policy
cp "$T/zoned.conf" "$T/orig.conf"
# a flow that expires while the test runs, and a drift timer of 1 s
exp=$(date -d "@$(($(date +%s) + 8))" +%Y-%m-%dT%H:%M:%S%:z)
file_sub "$T/zoned.conf" 'method = "file-sanitize"; approval = "CISO-2026-004"; }' \
    "method = \"file-sanitize\"; approval = \"CISO-2026-004\"; expires = \"$exp\"; }"
file_sub "$T/zoned.conf" 'group = "zoned"; };' 'group = "zoned"; verify_interval = 1; };'
cp "$T/zoned.conf" "$T/base.conf"
start_zoned || { not_ok "zoned starts"; finish; }
J=$T/state/journal
jctl() { "$ZONECTL" -s /nonexistent journal --file "$J" "$@"; }
actions() {
	jctl --json | tr -d ' \n' | grep -o '"seq":[0-9]*,"time":"[^"]*","uid":[0-9a-z]*,"user":"[^"]*","action":"[^"]*"' |
	    sed -E 's/"seq":([0-9]+),"time":"[^"]*","uid":([0-9a-z]+),"user":"([^"]*)","action":"([^"]*)"/\1 \4 \2 \3/'
}
wait_entries() {	# wait_entries N: until the journal has N lines
	for _ in $(seq 1 100); do
		[ "$(wc -l <"$J")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- the changes -------------------------------------------------------------------
check "the flow files-in expires (flow-expired)" wait_entries 2
sleep 1	# --since below starts at the next entry's second
zctl isolate internet --reason "incident 9" >/dev/null
zctl restore internet >/dev/null
sed -i '/{ name = "browse";/,+1d' "$T/zoned.conf"
zctl reload >/dev/null
cp "$T/zoned.conf" "$T/nobrowse.conf"
echo 'flows = ( { name = "x"; ' >>"$T/zoned.conf"
zctl reload >/dev/null 2>&1
cp "$T/base.conf" "$T/zoned.conf"
zctl reload --confirm 30 >/dev/null
zctl confirm >/dev/null
sed -i '/{ name = "browse-ica";/,+1d' "$T/zoned.conf"
zctl reload --confirm 30 >/dev/null
zctl rollback >/dev/null
ip netns exec $GW nft insert rule inet zoned forward accept
check "a hand-made rule is seen by the drift timer" wait_entries 11
ip netns exec $GW nft delete table inet zoned
check "a deleted table is repaired by the drift timer" wait_entries 12
stop_zoned
start_zoned || { not_ok "zoned starts again"; finish; }
actions >"$T/actions"
cat >"$T/want" <<'EOF'
1 start null -
2 flow-expired null -
3 zone-isolated 0 root
4 zone-restored 0 root
5 policy-loaded 0 root
6 policy-rejected 0 root
7 policy-pending 0 root
8 policy-confirmed 0 root
9 policy-pending 0 root
10 policy-rolled-back 0 root
11 drift null -
12 drift-repaired null -
13 stop null -
14 start null -
EOF
if cmp -s "$T/actions" "$T/want"; then
	ok "every action is in the journal once, in order, with its uid and user"
else
	not_ok "every action is in the journal once, in order, with its uid and user"
	diff "$T/want" "$T/actions" | sed 's/^/#   /'
fi
check "the flow-expired entry names files-in with its approval" \
    sh -c "sed -n 2p '$J' | grep -q '\"removed\":\[{\"flow\":\"files-in\",\"from\":\"lgwan\",\"to\":\"internet\",\"approval\":\"CISO-2026-004\"}\]'"
check "the policy-loaded entry names browse, removed, with its approval" \
    sh -c "sed -n 5p '$J' | grep -q '\"removed\":\[{\"flow\":\"browse\",\"from\":\"lgwan\",\"to\":\"internet\",\"approval\":\"CISO-2026-003\"}\]'"
check "the policy-rejected entry says why, with the file and line" \
    sh -c "sed -n 6p '$J' | grep -q '\"reason\":\"[^\"]*zoned.conf:[0-9]*: ZL011'"
check "times are RFC 3339 with an offset" \
    sh -c "! grep -v '\"time\":\"[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:]\{8\}[+-][0-9][0-9]:[0-9][0-9]\"' '$J' | grep -q ."
check "each entry went to syslog with its hash" \
    sh -c "test \"\$(grep -c 'event=journal seq=' '$T/zoned.log')\" -eq 14"
jctl --verify >"$T/out" 2>&1
rc=$?
check "journal --verify: intact (exit $rc)" test "$rc" -eq 0
last=$(grep 'event=journal seq=' "$T/zoned.log" | tail -n 1 | sed 's/.* hash=\([0-9a-f]*\) .*/\1/')
check "... its last hash is the last one syslog got" grep -q "last hash $last" "$T/out"
check "every applied policy text is kept under its SHA-256" \
    sh -c "for f in orig base nobrowse; do test -f '$T/state/policies/'\$(sha256sum '$T/'\$f.conf | cut -d' ' -f1).conf || [ \$f = orig ] || exit 1; done"
jctl --show 5 >"$T/show" 2>&1
check "--show 5: the flows, flow by flow" grep -q "removed  browse (lgwan -> internet, approval CISO-2026-003)" "$T/show"
check "... and the text diff of the two versions" grep -q '^-  { name = "browse";' "$T/show"
since=$(jctl --json | tr -d ' \n' | grep -o '"seq":3,"time":"[^"]*"' | cut -d'"' -f6)
check "--since the isolation lists 12 entries" \
    sh -c "test \"\$('$ZONECTL' -s /nonexistent journal --file '$J' --since '$since' | wc -l)\" -eq 12"
check "zonectl journal through the daemon finds the same file" \
    sh -c "'$ZONECTL' -s '$T/zoned.sock' journal | tail -n 1 | grep -q ' start '"

# --- tampering, on copies, offline ---------------------------------------------------
mkdir -p "$T/audit"
tamper() {	# tamper NAME: a copy of the journal to alter
	cp "$J" "$T/audit/$1"
	echo "$T/audit/$1"
}
off=$(head -n 2 "$J" | wc -c)
f=$(tamper flipped)
b=$(dd if="$f" bs=1 skip=$((off + 30)) count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
printf "\\$(printf %o $((b ^ 1)))" | dd of="$f" bs=1 seek=$((off + 30)) conv=notrunc 2>/dev/null
"$ZONECTL" -s /nonexistent journal --verify --file "$f" >"$T/out" 2>&1
rc=$?
check "one flipped byte in entry 3: exit 1 ($rc)" test "$rc" -eq 1
check "... naming entry 3" grep -q "line 3: entry seq 3 was altered" "$T/out"
sed 's/^/# /' "$T/out" | head -n 1
f=$(tamper removed)
sed -i 5d "$f"
"$ZONECTL" -s /nonexistent journal --verify --file "$f" >"$T/out" 2>&1
rc=$?
check "entry 5 deleted: exit 1 ($rc)" test "$rc" -eq 1
check "... naming entry 5" grep -q "entry seq 5 was removed" "$T/out"
sed 's/^/# /' "$T/out" | head -n 1
f=$(tamper swapped)
awk 'NR == 6 { h = $0; next } NR == 7 { print; print h; next } { print }' \
    "$T/audit/swapped" >"$f.tmp" && mv "$f.tmp" "$f"
"$ZONECTL" -s /nonexistent journal --verify --file "$f" >"$T/out" 2>&1
rc=$?
check "entries 6 and 7 swapped: exit 1 ($rc)" test "$rc" -eq 1
check "... naming them" grep -q "line 6: entry seq 7 is out of order: seq 6 comes after it" "$T/out"
sed 's/^/# /' "$T/out" | head -n 1
"$ZONECTL" -s /nonexistent journal --verify --file "$T/audit/none" >/dev/null 2>&1
rc=$?
check "a journal that cannot be read: exit 2 ($rc)" test "$rc" -eq 2
check "the daemon's own journal is untouched" jctl --verify

# a start finds a tampered journal, says so and goes on
stop_zoned
cp "$J" "$T/journal.good"
sed -i '3s/incident 9/incident 8/' "$J"
start_zoned || { not_ok "zoned starts on a tampered journal"; finish; }
check "a start on a tampered journal raises event=journal-broken, naming entry 3" \
    grep -q 'event=journal-broken .*seq=3 .*entry seq 3 was altered' "$T/zoned.log"
check "... and zoned runs on, appending" sh -c "tail -n 1 '$J' | grep -q '\"action\":\"start\"'"
stop_zoned
cp "$T/journal.good" "$J"

# --- fail-closed ------------------------------------------------------------------------
mv "$T/state" "$T/state.main"
echo 'this is not a policy' >"$T/zoned.conf"
start_zoned || { not_ok "zoned starts failing closed"; finish; }
check "a start with nothing to load is journaled as fail-closed" \
    sh -c "'$ZONECTL' journal --file '$T/state/journal' | grep -q ' fail-closed .*reason='"
zctl reload --confirm 30 >"$T/out" 2>&1
check "reload --confirm is refused while failing closed (nothing to roll back to)" \
    grep -q "nothing to roll back to" "$T/out"
stop_zoned
rm -rf "$T/state"
mv "$T/state.main" "$T/state"
cp "$T/base.conf" "$T/zoned.conf"

# --- a full state directory ---------------------------------------------------------------
mv "$T/state" "$T/state.main"
mkdir "$T/state"
mount -t tmpfs -o size=512k,mode=0750 zt-state "$T/state" && MNT=$T/state
check "a 512 KiB tmpfs as the state directory" test -n "$MNT"
start_zoned || { not_ok "zoned starts on the tmpfs"; finish; }
listen $IN tcp 3389
check "browse passes" conn $LG tcp 10.20.100.7 192.0.2.40 3389
dd if=/dev/zero of="$T/state/filler" bs=4k >/dev/null 2>&1
lines=$(wc -l <"$T/state/journal")
zctl isolate internet --reason "disk full drill" >"$T/out" 2>&1
rc=$?
check "isolate on a full disk fails (exit $rc)" test "$rc" -eq 1
check "... with a clear error: no space, nothing was changed" \
    grep -q "No space left on device; nothing was changed" "$T/out"
sed 's/^/# /' "$T/out"
check "... the set is unchanged (empty)" \
    sh -c "! ip netns exec $GW nft list set inet zoned isolated | grep -q elements"
check "... browse still passes" conn $LG tcp 10.20.100.7 192.0.2.40 3389
check "... and nothing was journaled" test "$(wc -l <"$T/state/journal")" -eq "$lines"
cp "$T/nobrowse.conf" "$T/zoned.conf"
zctl reload >"$T/out" 2>&1
rc=$?
check "a reload on a full disk fails (exit $rc)" test "$rc" -eq 1
check "... with a clear error" grep -q "No space left on device; nothing was changed" "$T/out"
sed 's/^/# /' "$T/out"
check "... the running policy stays (browse passes)" conn $LG tcp 10.20.100.7 192.0.2.40 3389
check "... nothing was journaled" test "$(wc -l <"$T/state/journal")" -eq "$lines"
check "... and the journal is intact" "$ZONECTL" journal --verify --file "$T/state/journal"
rm -f "$T/state/filler"
check "with room again the reload goes through" zctl reload
refute "... and browse is closed" conn $LG tcp 10.20.100.7 192.0.2.40 3389 --timeout 1
check "... journaled" sh -c "tail -n 1 '$T/state/journal' | grep -q '\"action\":\"policy-loaded\"'"
stop_zoned
umount "$T/state" && MNT=
rmdir "$T/state"
mv "$T/state.main" "$T/state"

finish
