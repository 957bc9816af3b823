#!/usr/bin/env bash
# Reloads under load, in dual mode.
#
# First, one connection whose SYN waits in the queue while the daemon
# reloads: it must be answered without a SYN sent again (deleting the
# table's base chains made the kernel drop every queued packet: the cause
# of the short connections that timed out during reloads).
#
# Then LOAD_RELOADS reloads (default 100; `make load` runs 1,000), SIGHUP
# and `zonectl reload` in turn, twenty of them with a policy that fails (a
# rule broken, or a syntax error), the others alternating between two good
# policies whose tables differ — while long TCP connections of permitted
# flows hold (a hello every 0.2 s, answered within 1 s), a loop opens short
# permitted connections (each answered within LOAD_SHORT_TIMEOUT seconds,
# default 3: a SYN lost once is sent again after 1 s), and another tries
# forbidden crossings.  Reports streams broken (must be 0), short
# connections failed (must be 0), forbidden attempts through (must be 0),
# the SYNs of permitted connections sent again, and the daemon's memory and
# descriptors before and after (no growth).
. "$(dirname "$0")/lib.sh"

N=${LOAD_RELOADS:-100}
BAD_EVERY=$((N / 20 > 0 ? N / 20 : 1))

lab_up
policy
cp "$T/zoned.conf" "$T/a.conf"
# b: one flow fewer (browse-ica, which nothing here uses): another table
sed '/{ name = "browse-ica";/,+1d' "$T/a.conf" >"$T/b.conf"
# bad1 breaks ZL001 (My Number to the Internet); bad2 does not parse
file_sub "$T/zoned.conf" '  { name = "files-in";' '  { name = "leak"; from = "atena"; to = "rds"; service = "https";
    method = "specific"; approval = "X-1"; },
  { name = "files-in";'
cp "$T/zoned.conf" "$T/bad1.conf"
{ cat "$T/a.conf"; echo 'flows = ( { name = "x"; '; } >"$T/bad2.conf"
cp "$T/a.conf" "$T/zoned.conf"
# the freed memory ASan keeps for its checks would read as growth
ZENV="ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:quarantine_size_mb=16" \
    start_zoned || { not_ok "zoned starts"; finish; }

# SYNs sent again by the namespace's TCP (a first one lost)
synretrans() {
	ip netns exec "$1" cat /proc/net/netstat | awk '
	    /^TcpExt:/ { if (!n) { for (i = 2; i <= NF; i++) h[i] = $i; n = 1 }
	        else for (i = 2; i <= NF; i++) if (h[i] == "TCPSynRetrans") print $i }'
}

# --- a new connection waiting for the verdict while the table is replaced ---
# The daemon stopped, a reload of the whole table waiting for it (an
# unchanged file would change nothing incrementally: --full), then a new
# connection: its SYN waits in the queue; the daemon goes on, reloads,
# and judges it.  The reload must not make the kernel drop the SYN
# (deleting a base chain flushes every queue of the namespace): the
# connection is answered without a SYN sent again.
listen $IN tcp 3389
r0=$(synretrans $LG)
kill -STOP "$ZPID"
zctl reload --full >"$T/full-reload" 2>&1 &
fr=$!
sleep 0.2
conn $LG tcp 10.20.100.7 192.0.2.40 3389 --timeout 5 >"$T/queued" 2>&1 &
c=$!
sleep 0.5
kill -CONT "$ZPID"
wait "$c"
rc=$?
wait "$fr"
r1=$(synretrans $LG)
check "a connection that waited in the queue through a reload passes (exit $rc)" test "$rc" -eq 0
check "... its SYN answered the first time ($((r1 - r0)) sent again)" test "$r1" -eq "$r0"
check "... through a replacement of the whole table (event=policy-loaded apply=full)" grep -q 'event=policy-loaded .*uid=0 .*apply=full' "$T/zoned.log"
kill "${BG[@]}" 2>/dev/null
BG=()

lsn() {
	ip netns exec "$1" "$PROBE" listen tcp "$2" --count 1000000 \
	    --timeout 3600 >"$T/listen.$1.$2" 2>&1 &
	BG+=($!)
	wait_for "$T/listen.$1.$2" '^ready' 5
}
lsn $IN 3389
lsn $IN 80
lsn $IN 443
lsn $LG 443
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$ZPID/status"; }
fds() { ls "/proc/$ZPID/fd" | wc -l; }
now_ms() { date +%s%3N; }

# --- the traffic -------------------------------------------------------------------
streams=()
for i in 1 2; do
	conn $LG tcp 10.20.100.7 192.0.2.40 3389 --hold 3600 --timeout 5 \
	    >"$T/stream.lg.$i" 2>&1 &
	streams+=($!)
	conn $MN tcp 10.10.1.20 10.200.5.10 443 --hold 3600 --timeout 5 \
	    >"$T/stream.mn.$i" 2>&1 &
	streams+=($!)
done
BG+=("${streams[@]}")
# short permitted connections, one after another; each must be answered
# within 3 s (a SYN lost once is sent again after 1 s)
(
	while [ ! -e "$T/stop" ]; do
		t=$(date +%s%3N)
		if conn $LG tcp 10.20.100.7 192.0.2.40 3389 --timeout ${LOAD_SHORT_TIMEOUT:-3} \
		    >/dev/null 2>"$T/short.err"
		then echo "ok $(($(date +%s%3N) - t))"
		else echo "FAILED $(date +%T.%N | cut -c1-12) $(cat "$T/short.err")"
		fi
	done
) >"$T/short" 2>&1 &
short=$!
BG+=($short)
# forbidden crossings, from the My Number zone (so that the SYNs the
# LGWAN side sends again are those of the permitted connections): to the
# Internet (never, not even as an exception) and to an LGWAN host no flow
# names
(
	k=0
	while [ ! -e "$T/stop" ]; do
		k=$((k + 1))
		if [ $((k % 2)) -eq 0 ]; then
			conn $MN tcp 10.10.1.20 192.0.2.40 443 --timeout 1
		else
			conn $MN tcp 10.10.1.20 10.200.8.30 443 --timeout 1
		fi >/dev/null 2>&1 && echo "THROUGH $k" || echo refused
	done
) >"$T/forbidden" 2>&1 &
forbidden=$!
BG+=($forbidden)

# --- the reloads ---------------------------------------------------------------------
sleep 2
# a warm-up (the allocator's first pools), then the figures before
for i in 1 2 3 4 5; do zctl reload >/dev/null 2>&1; done
rss0=$(rss)
fds0=$(fds)
syn0=$(synretrans $LG)
loaded=0 rejected=0 wrong=0
t0=$(now_ms)
logoff=$(wc -c <"$T/zoned.log")
for i in $(seq 1 "$N"); do
	if [ $((i % BAD_EVERY)) -eq 0 ]; then
		cp "$T/bad$((i / BAD_EVERY % 2 + 1)).conf" "$T/zoned.conf"
		want=rejected
	else
		cp "$T/$([ $((i % 4)) -lt 2 ] && echo a || echo b).conf" "$T/zoned.conf"
		want=loaded
	fi
	if [ $((i % 2)) -eq 0 ]; then
		zctl reload >/dev/null 2>&1
		rc=$?
		got=$([ $rc -eq 0 ] && echo loaded || { [ $rc -eq 1 ] && echo rejected || echo "exit $rc"; })
	else
		kill -HUP "$ZPID"
		got=
		for _ in $(seq 1 500); do
			line=$(tail -c +$((logoff + 1)) "$T/zoned.log" |
			    grep -o 'event=policy-\(loaded\|rejected\)' | head -n 1)
			[ -n "$line" ] && { got=${line#event=policy-}; break; }
			sleep 0.01
		done
	fi
	logoff=$(wc -c <"$T/zoned.log")
	case $got in
	loaded) loaded=$((loaded + 1)) ;;
	rejected) rejected=$((rejected + 1)) ;;
	esac
	[ "$got" = "$want" ] || { wrong=$((wrong + 1)); echo "# reload $i: $want expected, got ${got:-nothing}"; }
done
ms=$(($(now_ms) - t0))
sleep 1
rss1=$(rss)
fds1=$(fds)
syn1=$(synretrans $LG)
cp "$T/a.conf" "$T/zoned.conf"
zctl reload >/dev/null 2>&1

touch "$T/stop"
wait "$short" "$forbidden"
broken=0
for p in "${streams[@]}"; do
	kill -0 "$p" 2>/dev/null || { broken=$((broken + 1)); continue; }
	kill "$p"
	wait "$p"
	[ $? -eq 3 ] && broken=$((broken + 1))
done
sok=$(grep -c '^ok' "$T/short")
sfail=$(grep -c '^FAILED' "$T/short")
fref=$(grep -c '^refused' "$T/forbidden")
fthr=$(grep -c '^THROUGH' "$T/forbidden")

echo "# $N reloads in ${ms} ms ($((N * 1000 / (ms > 0 ? ms : 1))) a second): $loaded loaded, $rejected rejected"
check "every reload did what its file asked ($loaded loaded, $rejected rejected, $wrong otherwise)" \
    test "$wrong" -eq 0 -a "$rejected" -eq $((N / BAD_EVERY))
check "long TCP streams of permitted flows broken: $broken of ${#streams[@]}" test "$broken" -eq 0
grep -h 'broken after' "$T"/stream.* | sed 's/^/#   /'
check "short permitted connections failed: $sfail of $((sok + sfail))" \
    test "$sfail" -eq 0 -a "$sok" -gt 0
grep '^FAILED' "$T/short" | head -n 5 | sed 's/^/#   /'
echo "# SYNs of permitted connections sent again during the reloads: $((syn1 - syn0))"
echo "# the queue: $(ip netns exec $GW cat /proc/net/netfilter/nfnetlink_queue)"
check "forbidden attempts through: $fthr of $((fref + fthr))" \
    test "$fthr" -eq 0 -a "$fref" -gt 0
echo "# daemon: RSS ${rss0} kB -> ${rss1} kB, descriptors ${fds0} -> ${fds1}"
check "no descriptor more after the reloads ($fds0 -> $fds1)" test "$fds1" -le "$fds0"
check "no memory growth over the reloads (RSS $rss0 -> $rss1 kB, 8 MB allowed)" \
    test "$rss1" -le $((rss0 + 8192))
check "the kernel's table matches the policy at the end" zctl verify

finish
