#!/usr/bin/env bash
# Fault injection (test builds: daemon/zoned/fault.c): the nf_tables
# transaction's sendmsg failing with ENOBUFS and with ENOMEM, a write to
# the state directory and to the evidence directory failing with ENOSPC,
# the sendmsg of the queue's verdicts failing, and the queue's bind
# failing.  Each leaves the running ruleset in place
# and the gateway closed to forbidden traffic, logs one clear event, and
# recovers when the fault goes — a flow that expired meanwhile closes
# without an operator.
. "$(dirname "$0")/lib.sh"

FAULTS=$T/faults
fault() { echo "$1 $2" >"$FAULTS"; }
nofault() { : >"$FAULTS"; }
events() { grep -c "event=$1" "$T/zoned.log"; }
# stateless: without the counters, which the traffic moves
table() { ip netns exec $GW nft -s list table inet zoned 2>/dev/null; }
jint() { tr -d ' \n' | grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }
browse() { conn $LG tcp 10.20.100.7 192.0.2.40 3389; }
forbidden() { conn $LG tcp 10.20.100.7 198.51.100.7 80 --timeout 1; }

lab_up
policy
cp "$T/zoned.conf" "$T/a.conf"
# b: without flow browse
sed '/{ name = "browse";/,+1d' "$T/a.conf" >"$T/b.conf"
nofault
ZENV="ZONED_FAULT_FILE=$FAULTS" start_zoned || { not_ok "zoned starts"; finish; }
listen $IN tcp 3389
listen $IN tcp 1494
listen $IN tcp 80

# --- the transaction's sendmsg -------------------------------------------------------
for e in ENOBUFS ENOMEM; do
	cp "$T/a.conf" "$T/zoned.conf"
	zctl reload >/dev/null 2>&1
	table >"$T/before"
	n=$(events apply-failed)
	fault netlink-send $e
	cp "$T/b.conf" "$T/zoned.conf"
	zctl reload >"$T/out" 2>&1
	rc=$?
	why=$([ $e = ENOBUFS ] && echo "No buffer space available" || echo "Cannot allocate memory")
	check "netlink sendmsg fails with $e: zonectl reload fails (exit $rc) and says why" \
	    sh -c "[ $rc -eq 1 ] && grep -q 'netlink send of [0-9]* bytes: $why' '$T/out'"
	check "... one event: apply-failed kept=running-policy" \
	    sh -c "[ $(($(events apply-failed) - n)) -eq 1 ] && grep 'event=apply-failed' '$T/zoned.log' | tail -n 1 | grep -q 'kept=running-policy'"
	table >"$T/after"
	check "... the running ruleset is byte for byte the same" cmp -s "$T/before" "$T/after"
	check "... the flow the new policy drops still passes (the running policy)" browse
	refute "... a forbidden crossing does not" forbidden
	nofault
	check "the fault gone: zonectl reload loads the new policy" zctl reload
	refute "... and browse no longer passes" browse
done

# --- an expiry while sendmsg fails ---------------------------------------------------
# browse-ica expires 6 s from now; the table must drop it then, and
# cannot while the fault lasts
cp "$T/a.conf" "$T/zoned.conf"
exp=$(date -d "@$(($(date +%s) + 6))" +%Y-%m-%dT%H:%M:%S%:z)
policy_sub '{ name = "browse-ica"; from = "lg-terms"; to = "rds-ica"; service = "ica";' \
    "{ name = \"browse-ica\"; from = \"lg-terms\"; to = \"rds-ica\"; service = \"ica\"; expires = \"$exp\";"
check "a policy whose browse-ica expires at $exp loads" zctl reload
check "... browse-ica passes" conn $LG tcp 10.20.100.7 192.0.2.41 1494
n=$(events apply-failed)
fault netlink-send ENOMEM
check "the flow expires while sendmsg fails: apply-failed why=flow-expired, retried" \
    wait_for "$T/zoned.log" "event=apply-failed .*why=flow-expired .*retry_ms=2000" 12
sleep 5
check "... logged once while the fault lasts ($(($(events apply-failed) - n)) lines)" \
    test $(($(events apply-failed) - n)) -eq 1
refute "... a forbidden crossing is still refused" forbidden
nofault
check "the fault gone: the table is applied again without an operator" \
    wait_for "$T/zoned.log" "event=reapplied why=flow-expired after=[0-9]*-failures" 5
refute "... and the expired flow is closed" conn $LG tcp 10.20.100.7 192.0.2.41 1494
check "... the kernel's table matches the policy" zctl verify

# --- the state directory -------------------------------------------------------------
cp "$T/a.conf" "$T/zoned.conf"
zctl reload >/dev/null 2>&1
check "the last good policy is the running one" cmp -s "$T/state/last-good.conf" "$T/zoned.conf"
cp "$T/state/last-good.conf" "$T/lastgood.before"
fault state-write ENOSPC
cp "$T/b.conf" "$T/zoned.conf"
check "a write to the state directory fails with ENOSPC: the new policy still loads" zctl reload
refute "... and runs (browse closed)" browse
check "... one event: last-good-failed, the previous one kept" \
    sh -c "[ $(events last-good-failed) -eq 1 ] && grep 'event=last-good-failed' '$T/zoned.log' | grep -q 'reason=\"No space left on device\" effect=previous-last-good-kept'"
check "... the last good policy on disk is the previous one, whole" cmp -s "$T/state/last-good.conf" "$T/lastgood.before"
check "... and no half-written file is left" sh -c "! ls '$T/state' | grep -q tmp"
refute "... a forbidden crossing is refused" forbidden
nofault
cp "$T/a.conf" "$T/zoned.conf"
check "the fault gone: the next load keeps its policy as the last good one" zctl reload
check "... event=last-good-saved" grep -q "event=last-good-saved" "$T/zoned.log"
check "... the file is the running policy" cmp -s "$T/state/last-good.conf" "$T/zoned.conf"

# --- the evidence directory ----------------------------------------------------------
inmac=$(mac_of $IN eth0)
gwin=$(mac_of $GW inet0)
probe() {
	ip netns exec $IN "$PROBE" inject eth0 --src-mac "$inmac" --dst-mac "$gwin" \
	    --src "$1" --dst 10.20.1.25 --proto tcp --dport 22 --count 2 >/dev/null
}
fault evidence-write ENOSPC
probe 198.51.100.21
check "an alert while evidence writes fail with ENOSPC is still raised" \
    wait_for "$T/zoned.log" "event=lgwan-probe .*src=198.51.100.21" 5
probe 198.51.100.22
check "... and the next one" wait_for "$T/zoned.log" "event=lgwan-probe .*src=198.51.100.22" 5
check "... one event: evidence-failed ($(events evidence-failed))" \
    sh -c "[ $(events evidence-failed) -eq 1 ] && grep 'event=evidence-failed' '$T/zoned.log' | grep -q 'reason=\"No space left on device\" effect=alerts-without-evidence'"
check "... zonectl alerts says why their evidence is missing" \
    sh -c "[ \$(\"$ZONECTL\" -s \"$T/zoned.sock\" alerts --json | grep -c '\"evidence_error\": \"No space left on device\"') -ge 2 ]"
sleep 2
check "... no half-written evidence file is left" sh -c "! ls '$T/evidence' | grep -q part"
refute "... a forbidden crossing is refused" forbidden
nofault
probe 198.51.100.23
check "the fault gone: the next alert's evidence is kept (event=evidence-closed)" \
    wait_for "$T/zoned.log" "event=evidence-closed .*lgwan-probe" 12
check "... event=evidence-resumed" grep -q "event=evidence-resumed" "$T/zoned.log"
n=$(zctl status --json | jint evidence_failed)
check "... status counts the alerts without evidence ($n)" test "${n:-0}" -ge 2

# --- the verdicts' sendmsg ----------------------------------------------------------
n=$(events verdict-send-failed)
fault verdict-send ENOBUFS
conn $LG tcp 10.20.100.7 192.0.2.40 3389 --timeout 15 >"$T/waiting" 2>&1 &
waiting=$!
sleep 2
check "the verdicts' sendmsg fails with ENOBUFS: one event, verdict-send-failed" \
    sh -c "[ $(($(events verdict-send-failed) - n)) -eq 1 ] && grep 'event=verdict-send-failed' '$T/zoned.log' | grep -q 'reason=\"No buffer space available\" effect=new-crossings-wait'"
check "... a permitted new connection waits, not through" kill -0 "$waiting"
refute "... a forbidden one does not pass" forbidden
sleep 1
check "... still one event after more retries" \
    test $(($(events verdict-send-failed) - n)) -eq 1
nofault
wait "$waiting"
rc=$?
check "the fault gone: the waiting connection passes (exit $rc)" test "$rc" -eq 0
check "... event=verdict-send-resumed" grep -q "event=verdict-send-resumed" "$T/zoned.log"
check "... and new ones too" browse

# --- the queue's bind ----------------------------------------------------------------
cp "$T/a.conf" "$T/zoned.conf"
policy_mode dual
sed -i 's/enforce = { mode = "dual"; };/enforce = { mode = "dual"; queue = 101; };/' "$T/zoned.conf"
n=$(events queue-failed)
fault queue-bind EPERM
check "the queue's bind fails (a policy moving it to queue 101): the policy loads" zctl reload
check "... one event: queue-failed, new crossings refused" \
    wait_for "$T/zoned.log" "event=queue-failed queue=101 .*effect=new-crossings-refused retry=1s" 3
check "... status says the queue is not bound" \
    sh -c "\"$ZONECTL\" -s \"$T/zoned.sock\" status | grep -q 'NOT BOUND'"
refute "... a permitted new crossing is refused (no bypass: closed, not open)" browse
refute "... and a forbidden one" forbidden
sleep 3
check "... still one event after 3 s of retries ($(($(events queue-failed) - n)))" \
    test $(($(events queue-failed) - n)) -eq 1
nofault
check "the fault gone: the queue is bound again (event=queue-bound-again)" \
    wait_for "$T/zoned.log" "event=queue-bound-again queue=101" 3
check "... and the permitted crossing passes" browse
refute "... the forbidden one still does not" forbidden

finish
