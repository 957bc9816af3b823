#!/usr/bin/env bash
# Flow usage: packets, bytes, first and last hit per flow, kept through a
# reload, kill -TERM and a restart (the kernel counts on while zoned is
# down, and that is not lost); the periodic save survives kill -9 and the
# loss of the kernel's table (a reboot); a changed flow starts from
# nothing while an unchanged one keeps counting; zonectl flows --unused
# DAYS lists the flows without a hit in that many days, with their
# approvals, from the records in the state directory.
. "$(dirname "$0")/lib.sh"

STATE=$T/state/flow-usage.jsonl

# A field of a flow's record in the state file.
saved() {
	grep "\"name\":\"$1\"" "$STATE" 2>/dev/null |
	    sed -E "s/.*\"$2\":([0-9]+).*/\1/"
}

browse() {
	for _ in $(seq 1 "${1:-3}"); do
		conn "$LG" tcp 10.20.100.7 192.0.2.40 3389 >/dev/null 2>&1
	done
}

lab_up
policy
policy_mode kernel	# the table passes traffic while zoned is stopped
ZENV="ZONED_FLOWUSE_MS=500"	# read and saved every 0.5 s, each start
start_zoned || { not_ok "zoned starts"; finish; }
listen "$IN" tcp 3389 300
listen "$LG" tcp 25 300

# --- counting, first and last hit ------------------------------------------------
browse 3
p1=$(flow_packets browse)
first1=$(flow_field browse first_hit)
check "browse counted its traffic ($p1 packets)" test "${p1:-0}" -gt 0
check "... with its first hit ($first1) and last hit ($(flow_field browse last_hit))" \
    test -n "$first1" -a "$first1" != null -a "$(flow_field browse last_hit)" != null
check "a flow without traffic has no hit (first_hit null)" \
    test "$(flow_field konbini first_hit)" = null
check "... and is watched since it was installed ($(flow_field konbini watched_since))" \
    test "$(flow_field konbini watched_since)" != null
zctl flows >"$T/flows.out"
check "zonectl flows says \"never since\" for an idle flow" \
    grep -q "^konbini .*never since 20" "$T/flows.out"

# --- kill -TERM, traffic while down, restart -----------------------------------
stop_zoned
check "at stop the usage is saved ($(saved browse packets) packets of browse)" \
    test "$(saved browse packets)" -ge "$p1"
browse 2	# the kernel's table passes and counts it, zoned is down
start_zoned || not_ok "zoned starts again"
check "log says the usage was restored" grep -q "event=flow-usage-restored" "$T/zoned.log"
p2=$(flow_packets browse)
check "after the restart browse has what it had and what passed meanwhile ($p1 -> $p2)" \
    test "${p2:-0}" -gt "$p1"
check "... and its first hit is the same ($(flow_field browse first_hit))" \
    test "$(flow_field browse first_hit)" = "$first1"

# --- a changed flow starts again, an unchanged one keeps counting --------------
for _ in 1 2; do
	ip netns exec "$IN" "$PROBE" connect tcp 10.20.1.25 25 --bind 192.0.2.26 \
	    --timeout 2 >/dev/null 2>&1
done
m1=$(flow_packets mail-in)
check "mail-in counted its traffic ($m1 packets)" test "${m1:-0}" -gt 0
policy_sub 'service = [ "rdp", "rdp-udp" ];' 'service = "rdp";'
zctl reload --json >"$T/reload.json" 2>&1
check "browse changed (udp no more): an incremental reload" \
    grep -q '"apply": "incremental"' "$T/reload.json"
check "... browse starts from nothing ($(flow_packets browse) packets)" \
    test "$(flow_packets browse)" = 0
check "... with no hit yet" test "$(flow_field browse first_hit)" = null
check "... mail-in keeps its count ($(flow_packets mail-in) >= $m1)" \
    test "$(flow_packets mail-in)" -ge "$m1"
browse 1
check "... and browse counts again ($(flow_packets browse) packets)" \
    test "$(flow_packets browse)" -gt 0

# --- kill -9 and a reboot: the periodic save is what is left ---------------------
sleep 1.5	# several saves (ZONED_FLOWUSE_MS=500)
ms=$(saved mail-in packets)
check "the periodic save has mail-in's count ($ms packets)" test "${ms:-0}" -ge "$m1"
kill -9 "$ZPID"
wait "$ZPID" 2>/dev/null
ZPID=
# as after a reboot: the kernel's table, and its counters, are gone
ip netns exec "$GW" nft delete table inet zoned
start_zoned || not_ok "zoned starts after kill -9"
check "after kill -9 and the table gone, mail-in has what was saved ($(flow_packets mail-in) >= $ms)" \
    test "$(flow_packets mail-in)" -ge "$ms" -a "$ms" -gt 0

# --- the self-inspection list ----------------------------------------------------
stop_zoned
now=$(date +%s)
d=86400
awk -v now="$now" -v d="$d" '
    function set(k, v) { sub("\"" k "\":[0-9]+", "\"" k "\":" v) }
    /"name":"konbini"/ { set("since", now - 400 * d); set("first", now - 300 * d); set("last", now - 100 * d) }
    /"name":"juki-cs"/ { set("since", now - 200 * d); set("first", 0); set("last", 0) }
    { print }' "$STATE" >"$STATE.new" && mv "$STATE.new" "$STATE"
start_zoned || not_ok "zoned starts with old records"
zctl flows --unused 90 --json >"$T/unused.json"
names=$(tr -d '\n' <"$T/unused.json" | grep -o '"name": *"[^"]*"' |
    sed 's/.*"\([^"]*\)"$/\1/' | sort | tr '\n' ' ')
check "flows --unused 90: the flow last hit 100 days ago and the one never hit in 200 ($names)" \
    test "$names" = "juki-cs konbini "
check "... with their approvals" \
    sh -c "grep -q CISO-2026-017 '$T/unused.json' && grep -q CISO-2026-015 '$T/unused.json'"
zctl flows --unused 90 >"$T/unused.out"
check "... and, as text, when each was last hit" \
    sh -c "grep -q '^juki-cs .*CISO-2026-015 *never since' '$T/unused.out' &&
    grep -q '^konbini .*CISO-2026-017 *20' '$T/unused.out'"
zctl flows --unused 365 --json >"$T/unused.json"
check "flows --unused 365: neither (one was hit 100 days ago, one is watched for 200)" \
    test "$(grep -c '"name"' "$T/unused.json")" -eq 0
zctl flows --unused soon >/dev/null 2>&1
rc=$?
check "flows --unused takes a number of days (exit $rc: usage)" test $rc -eq 2

finish
