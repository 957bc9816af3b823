#!/usr/bin/env bash
# demo.sh — `make demo`: the three-zone lab, zoned on the alpha example,
# and what it enforces, shown with real connections.  The lab stays up for
# you to explore; `scripts/lab.sh down` (with the same LAB_PREFIX) takes it away.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

ZONED=$top/build/zoned
ZONECTL=$top/build/zonectl
PROBE=$top/build/test/netns/probe
# LAB_PREFIX (default zl-) names the namespaces and DEMO_DIR (default
# /run/zoned-lab) holds the policy, log and report, so that a second demo
# on the machine need not share them.
D=${DEMO_DIR:-/run/zoned-lab}
export LAB_PREFIX=${LAB_PREFIX:-zl-}
GW=${LAB_PREFIX}gw MN=${LAB_PREFIX}mn LG=${LAB_PREFIX}lg IN=${LAB_PREFIX}in

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root (network namespaces)" >&2
	exit 1
fi
make -s "$PROBE" >/dev/null || exit 1

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
zctl() { "$ZONECTL" -s "$D/zoned.sock" "$@"; }

say "the three-zone lab (network namespaces $GW, $MN, $LG, $IN)"
scripts/lab.sh up
scripts/useradd.sh
mkdir -p "$D"
chmod 755 "$D"
rm -rf "$D/state"	# a fresh appliance: no isolation, journal or pending policy
sed -e "s|/run/zoned/zoned.sock|$D/zoned.sock|" \
    -e "s|/var/lib/zoned/evidence|$D/evidence|" conf/alpha.conf >"$D/zoned.conf"
chmod 644 "$D/zoned.conf"

say "zonectl lint -f conf/alpha.conf (the three-layer rules)"
"$ZONECTL" lint -f conf/alpha.conf && echo "no findings: the policy keeps the zones apart"

say "zoned starts in $GW on the alpha policy"
ip netns exec "$GW" "$ZONED" -d -f "$D/zoned.conf" -S "$D/state" \
    >"$D/zoned.log" 2>&1 &
for _ in $(seq 1 100); do
	zctl status >/dev/null 2>&1 && break
	sleep 0.1
done
zctl status || { echo "demo: zoned did not start; see $D/zoned.log"; exit 1; }

say "zonectl zones"
zctl zones

# listeners on every address of each zone
for ns in $MN $LG $IN; do
	for port in 25 80 443 3389; do
		ip netns exec "$ns" "$PROBE" listen tcp "$port" --timeout 600 \
		    >/dev/null 2>&1 &
	done
done
sleep 0.5

try() {
	local want=$1 ns=$2 src=$3 dst=$4 port=$5 what=$6 got
	if ip netns exec "$ns" "$PROBE" connect tcp "$dst" "$port" \
	    --bind "$src" --timeout 1 >/dev/null 2>&1; then
		got=passes
	else
		got=blocked
	fi
	if [ "$got" = "$want" ]; then
		printf '  %-8s (as the policy says)  %s\n' "$got" "$what"
	else
		printf '  %-8s (WRONG: expected %s)  %s\n' "$got" "$want" "$what"
	fi
}

say "real connections across the gateway"
try passes  $MN 10.10.1.20  10.200.5.10 443  "atena -> 中間サーバー https (特定通信, pinned)"
try blocked $MN 10.10.1.20  10.200.5.10 80   "atena -> 中間サーバー http (port not pinned)"
try blocked $MN 10.10.3.3   10.200.5.10 443  "unpinned My Number host -> 中間サーバー"
try blocked $MN 10.10.1.20  198.51.100.7 80  "My Number -> Internet (never)"
try blocked $IN 198.51.100.7 10.10.1.20 443  "Internet -> My Number (never)"
try passes  $IN 192.0.2.26  10.20.1.25 25    "mail relay -> LGWAN mail (メール無害化)"
try blocked $IN 198.51.100.7 10.20.1.25 25   "other Internet host -> LGWAN mail"
try passes  $LG 10.20.100.7 192.0.2.40 3389  "terminal -> browsing server rdp (画面転送)"
try blocked $LG 10.20.100.7 198.51.100.7 80  "terminal -> Internet web directly"
try blocked $IN 192.0.2.40  10.20.100.7 3389 "browsing server -> terminal (wrong way)"

say "zonectl flows (packets counted per flow)"
zctl flows

say "zonectl check: would a connection pass, and why"
zctl check 10.20.100.7 198.51.100.7 tcp/80
zctl check atena chukan tcp/443

say "tampering: someone adds an accept rule by hand"
ip netns exec "$GW" nft insert rule inet zoned forward accept
zctl verify | head -n 3
echo "... the kernel's ruleset would now let a terminal reach the Internet,"
echo "but every new crossing also needs zoned's own classifier (enforce = dual):"
try blocked $LG 10.20.100.7 198.51.100.7 80 "terminal -> Internet web (the second verdict refuses)"
sleep 1
say "zonectl alerts: the two verdicts disagreed (and the monitor noted the Internet hosts that knocked on local addresses above)"
zctl alerts
echo "(evidence is written while the incident lasts; closing it in a few seconds)"
sleep 6
ev=$(zctl alerts --json | tr -d ' \n' | sed 's/},{/}\n{/g' |
    grep '"kind":"verdict-disagreement"' | grep -o '"evidence":"[^"]*"' |
    head -n 1 | cut -d'"' -f4)
if [ -n "$ev" ]; then
	echo "evidence: $ev"
	echo "sha256sum: $(sha256sum "$ev" | cut -d' ' -f1)"
	grep -o "event=evidence-closed .*file=$ev .*" "$D/zoned.log"
	say "zonectl audit of that evidence, offline: had these packets crossed"
	"$ZONECTL" audit -f "$D/zoned.conf" "$ev"
fi
say "zonectl status: the second verdict's figures"
zctl status | grep -A2 "^enforce"
zctl reload >/dev/null && echo && echo "zonectl reload put the generated table back:" &&
    zctl verify

say "emergency isolation: the CISO orders the Internet side cut off"
ip netns exec "$LG" "$PROBE" connect tcp 192.0.2.40 3389 --bind 10.20.100.7 \
    --hold 6 --every 20 >"$D/held.out" 2>&1 &
held=$!
sleep 1
echo "a staff terminal holds an RDP session to the browsing server; now:"
echo "# zonectl isolate internet --reason \"CISO order 2026-77: suspected intrusion\""
t0=$(date +%s.%N)
zctl isolate internet --reason "CISO order 2026-77: suspected intrusion"
wait "$held"
last=$(sed -n 's/^last answer at //p' "$D/held.out")
sed -n 's/^broken/the held session: broken/p' "$D/held.out"
[ -n "$last" ] && printf 'the last packet of it crossed %.0f ms after the isolate command started\n' \
    "$(awk -v a="$last" -v b="$t0" 'BEGIN { print (a - b) * 1000 }')"
try blocked $LG 10.20.100.7 192.0.2.40 3389 "terminal -> browsing server rdp (Internet zone isolated)"
try blocked $IN 192.0.2.26  10.20.1.25 25   "mail relay -> LGWAN mail (Internet zone isolated)"
zctl status | grep "^ISOLATED"
zctl verify
echo "# zonectl restore internet"
zctl restore internet --reason "all clear"
try passes  $LG 10.20.100.7 192.0.2.40 3389 "terminal -> browsing server rdp (restored)"

say "commit-confirm: a policy that drops the RDP flow, loaded with --confirm 5"
cp "$D/zoned.conf" "$D/good.conf"
sed -i '/{ name = "browse";/,+1d' "$D/zoned.conf"
zctl reload --confirm 5
try blocked $LG 10.20.100.7 192.0.2.40 3389 "terminal -> browsing server rdp (the new policy)"
zctl status | grep "^confirm"
echo "nobody confirms (the operator's session may be what broke); waiting..."
for _ in $(seq 1 80); do
	grep -q "event=policy-rolled-back" "$D/zoned.log" && break
	sleep 0.1
done
grep -o "event=policy-rolled-back.*" "$D/zoned.log" | tail -n 1
try passes  $LG 10.20.100.7 192.0.2.40 3389 "terminal -> browsing server rdp (the policy before, back by itself)"
cp "$D/good.conf" "$D/zoned.conf"

say "the change journal: every change, hash-chained"
zctl journal
"$ZONECTL" journal --file "$D/state/journal" --verify
n=$(wc -l <"$D/state/journal")
seq=$(grep -n '"action":"zone-isolated"' "$D/state/journal" | head -n 1 | cut -d: -f1)
echo
echo "an auditor's copy with one character changed (the isolation's reason):"
sed "${seq}s/suspected intrusion/suspected intrusiom/" "$D/state/journal" >"$D/journal.tampered"
"$ZONECTL" journal --file "$D/journal.tampered" --verify
echo "(exit $?; the intact journal has $n entries, each also in syslog with its hash)"

say "zonectl report: the audit report of this appliance, for the auditors"
zctl report -o "$D/report.html" || echo "demo: the report failed"
echo "open it in a browser (file://$D/report.html), or print it to PDF:"
echo "  chromium --headless --no-sandbox --print-to-pdf=$D/report.pdf file://$D/report.html"

cat <<EOF

The lab stays up.  Try for yourself:
  $ZONECTL -s $D/zoned.sock status | zones | flows | verify
  $ZONECTL -s $D/zoned.sock check SRC DST tcp/PORT
  $ZONECTL -s $D/zoned.sock report -o report.html   (the audit report; -f FILE offline)
  $ZONECTL -s $D/zoned.sock journal --show N
  ip netns exec $GW nft list table inet zoned
  less $D/zoned.log
Tear it down with:
  LAB_PREFIX=$LAB_PREFIX scripts/lab.sh down
EOF
