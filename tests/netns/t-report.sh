#!/usr/bin/env bash
# zonectl report against the running lab daemon: after real traffic and an
# alert with its evidence, the report (HTML and its JSON form) holds the
# daemon's facts — the kernel table verified, the flow's packets, the alert
# with the evidence's SHA-256, the change journal with its chain verified
# (and a tampered or cut copy of it caught) — and says 未記録 where this
# zoned keeps no record (flow usage); Chromium opens the HTML and
# prints it to a PDF of more than one page and to a PNG screenshot; the
# SVG diagram has one node per zone; --since and --unused-days work.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
for b in chromium pdfinfo "$PY"; do
	if ! command -v "$b" >/dev/null; then
		not_ok "$b is installed (scripts/deps.sh)"
		finish
	fi
done

lab_up
policy
start_zoned || { not_ok "zoned starts"; finish; }

# a permitted crossing (counted) and an Internet host probing LGWAN (alert)
listen $LG tcp 443
check "atena -> chukan https connects" conn $MN tcp 10.10.1.20 10.200.5.10 443
inmac=$(mac_of $IN eth0)
gwin=$(mac_of $GW inet0)
ip netns exec $IN "$PROBE" inject eth0 --src-mac "$inmac" --dst-mac "$gwin" \
    --src 198.51.100.9 --dst 10.20.1.25 --proto tcp --dport 22 --count 2 >/dev/null
check "the probe raises an alert" wait_for "$T/zoned.log" "event=lgwan-probe" 3
check "its evidence is closed" wait_for "$T/zoned.log" "event=evidence-closed .*kind=lgwan-probe" 12
ev=$(grep -o 'event=evidence-closed .*kind=lgwan-probe file=[^ ]*' "$T/zoned.log" | head -n 1 | sed 's/.*file=//')
sha=$(sha256sum "$ev" | cut -d' ' -f1)
# two changes journaled after the start (entries 2 and 3)
check "isolate internet (journaled)" zctl isolate internet --reason "report drill"
check "restore internet (journaled)" zctl restore internet

t0=$(date +%s%N)
zctl report -o "$T/report.html" >"$T/out" 2>&1
rc=$?
t1=$(date +%s%N)
check "zonectl report -o writes the HTML (exit $rc, $(((t1 - t0) / 1000000)) ms)" \
    test "$rc" -eq 0 -a -s "$T/report.html"
check "... and says where" grep -q "^report: $T/report.html (" "$T/out"
zctl report --json >"$T/report.json" 2>"$T/err"
check "zonectl report --json, nothing on stderr" test $? -eq 0 -a ! -s "$T/err"
"$PY" tests/report/check.py "$T/report.html" "$T/report.json" >"$T/check" 2>&1
while read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	esac
done <"$T/check"
grep -q '^[0-9]* passed, 0 failed' "$T/check" || not_ok "check.py ran: $(tail -n 3 "$T/check")"

jq_() { "$PY" -c "import json,sys; m=json.load(open('$T/report.json')); print($1)"; }
check "the model is online" test "$(jq_ 'm["online"]')" = True
check "the kernel table matches the policy" test "$(jq_ 'm["kernel"]["state"], m["kernel"]["match"]')" = "recorded True"
check "the daemon enforces the file the report read" \
    test "$(jq_ 'm["daemon"]["mode"], m["policy"]["matches_running"]')" = "enforcing True"
pk=$(jq_ '[f["usage"]["packets"] for f in m["flows"] if f["name"]=="atena-chukan"][0]')
check "the crossing's packets are counted ($pk)" test "${pk:-0}" -gt 0
check "the alert is there with its evidence's SHA-256" \
    test "$(jq_ '" ".join(a["kind"] + ":" + a.get("evidence_sha256", "") for a in m["alerts"]["list"])')" = "lgwan-probe:$sha"
check "... and in the HTML" grep -q "$sha" "$T/report.html"
html_section() {	# the text of section $1 of the HTML $2 (the report)
	"$PY" -c "
import html5lib, sys
r = html5lib.parse(open(sys.argv[2], 'rb').read(), namespaceHTMLElements=False)
print(''.join(''.join(s.itertext()) for s in r.iter('section') if s.get('id') == sys.argv[1]))" "$1" "${2:-$T/report.html}"
}
check "the journal is read" test "$(jq_ 'm["journal"]["state"]')" = recorded
check "... its chain intact, start, zone-isolated and zone-restored listed" test \
    "$(jq_ 'm["journal"]["intact"], " ".join(e["action"] for e in m["journal"]["entries"])')" = \
    "True start zone-isolated zone-restored"
html_section s5 >"$T/s5.txt"
check "... and 5. 作業記録 says 改ざんなし" grep -q '改ざんなし' "$T/s5.txt"
# an auditor's copy with one character of the second entry changed
jf=$(jq_ 'm["journal"]["file"]')
sed '2s/"zone-isolated"/"zone-isolateD"/' "$jf" >"$T/journal.tampered"
check "the copy differs" sh -c "! cmp -s '$jf' '$T/journal.tampered'"
zctl report --journal "$T/journal.tampered" --json >"$T/t.json"
check "a tampered copy: not intact, the first bad entry is #2" \
    "$PY" -c "import json; j=json.load(open('$T/t.json'))['journal']; assert j['intact'] is False and j['first_bad_seq'] == 2 and j['first_bad_line'] == 2, j"
zctl report -f "$T/zoned.conf" --journal "$T/journal.tampered" -o "$T/t.html" >/dev/null
html_section s5 "$T/t.html" >"$T/t5.txt"
check "... offline too: 5. 作業記録 says 改ざんの疑い, at entry 2" \
    grep -q '改ざんの疑い 最初の不正な記録: 2 行目（番号 2）' "$T/t5.txt"
check "... and the self-inspection list says what to do" grep -q '作業記録に改ざんの疑い' "$T/t.html"
sed '2d' "$jf" >"$T/journal.cut"
zctl report -f "$T/zoned.conf" --journal "$T/journal.cut" --json >"$T/c.json"
check "a copy without its second entry: not intact, at line 2" \
    "$PY" -c "import json; j=json.load(open('$T/c.json'))['journal']; assert j['intact'] is False and j['first_bad_line'] == 2, j"
u=$(jq_ 'm["inspection"]["unused"]["state"]')
if [ "$u" = unrecorded ]; then
	html_section s6 >"$T/s6.txt"
	check "no flow usage: 6. 自己点検 says 未記録" grep -q '未記録' "$T/s6.txt"
else
	check "flow usage is read ($u)" test "$u" = recorded
fi

# --since after the alert: none; --unused-days checked
zctl report --json --since "$(date -d '+1 hour' +%Y-%m-%dT%H:%M:%S%:z)" >"$T/later.json"
check "--since an hour ahead: no alerts" \
    "$PY" -c "import json; m=json.load(open('$T/later.json')); assert m['alerts']['total'] == 0 and m['since']"
zctl report --unused-days 0 >"$T/out" 2>&1
check "--unused-days 0 is a usage error" test $? -eq 2
zctl report --unused-days 7 --json >"$T/u.json"
check "--unused-days 7 is in the model" \
    "$PY" -c "import json; assert json.load(open('$T/u.json'))['inspection']['unused']['days'] == 7"

# Chromium opens it, prints it to PDF and takes a screenshot
chrome() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" "$@" \
	    "file://$T/report.html"
}
t0=$(date +%s%N)
chrome --no-pdf-header-footer --print-to-pdf="$T/report.pdf" >"$T/chrome.out" 2>&1
rc=$?
t1=$(date +%s%N)
check "Chromium prints the report to PDF (exit $rc, $(((t1 - t0) / 1000000)) ms)" \
    test "$rc" -eq 0 -a -s "$T/report.pdf"
pages=$(pdfinfo "$T/report.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
check "the PDF has more than one page ($pages)" test "${pages:-0}" -gt 1
check "... of A4" sh -c "pdfinfo '$T/report.pdf' | grep -q 'Page size:.*(A4)'"
chrome --screenshot="$T/report.png" --window-size=1200,1700 >"$T/chrome.out" 2>&1
rc=$?
check "Chromium takes a screenshot (exit $rc)" test "$rc" -eq 0 -a -s "$T/report.png"
check "... a PNG of 1200x1700" "$PY" -c "
import struct; b = open('$T/report.png', 'rb').read(24)
assert b[:8] == b'\\x89PNG\\r\\n\\x1a\\n' and struct.unpack('>II', b[16:24]) == (1200, 1700)"
if [ -n "${REPORT_KEEP:-}" ]; then
	mkdir -p "$REPORT_KEEP" && cp "$T"/report.* "$REPORT_KEEP"/
fi

finish
