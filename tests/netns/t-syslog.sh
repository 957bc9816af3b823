#!/usr/bin/env bash
# Events reach a real syslog daemon with the policy's facility.  Network
# namespaces share /dev/log with the host, so the receiver and zoned run
# in a private mount namespace whose /dev is a fresh tmpfs.
. "$(dirname "$0")/lib.sh"

lab_up
policy
file_sub "$T/zoned.conf" 'facility = "local4";' 'facility = "local5";'

cat >"$T/inner.sh" <<INNER
set -e
mkdir -p "$T/olddev"
mount --bind /dev "$T/olddev"
mount -t tmpfs tmpfs /dev
for n in null zero urandom random; do
	touch /dev/\$n
	mount --bind "$T/olddev/\$n" /dev/\$n
done
busybox syslogd -n -O "$T/messages" &
for i in \$(seq 1 50); do [ -S /dev/log ] && break; sleep 0.1; done
ip netns exec $GW "$ZONED" -f "$T/zoned.conf" -S "$T/state" 2>"$T/zoned.log" &
zp=\$!
for i in \$(seq 1 100); do [ -S "$T/zoned.sock" ] && break; sleep 0.1; done
sleep 0.5
"$ZONECTL" -s "$T/zoned.sock" reload >/dev/null
ip netns exec $MN "$PROBE" connect tcp 198.51.100.7 80 --bind 10.10.1.20 --timeout 1 || true
sleep 0.5
kill -TERM \$zp
wait \$zp || true
sleep 0.3
kill %1 2>/dev/null || true
INNER
unshare -m --propagation private bash "$T/inner.sh" >"$T/inner.log" 2>&1
check "the receiver ran" test -s "$T/messages"
check "policy-loaded arrives with facility local5" \
    grep -q "local5.notice zoned\[[0-9]*\]: event=policy-loaded" "$T/messages"
check "the reload arrives with the caller's uid" \
    grep -q "local5.notice zoned\[[0-9]*\]: event=control uid=0 .*cmd=reload" "$T/messages"
check "stopped arrives, saying the ruleset was kept" \
    grep -q "event=stopped ruleset=kept" "$T/messages"
refute "nothing went to another facility" grep -q "daemon\.[a-z]* zoned" "$T/messages"
check "the host's /dev was not touched" test ! -e /dev/log -o -S /dev/log
sanitizer_check

finish
