#!/usr/bin/env bash
# tests/pkg/t-deb.sh — the Debian package as a town hall's engineer meets
# it: `make deb` builds it (lintian: no error), then apt-get installs the
# local .deb, reinstalls it, upgrades it, removes it and purges it, and at
# each step the files, the zoned user and group, the state directory and
# its modes, the service (neither enabled nor started) and table inet zoned
# in the kernel are what README.Debian says.
#
# apt, dpkg and systemd run for real on a throwaway copy of this machine:
# an overlay of its root file system, without the zoned user, package or
# state, booted with systemd-nspawn (PID and network namespaces of its own),
# so that the test sees a machine that never had zoned, with systemd as PID
# 1 to start, restart and stop the hardened unit, and the machine itself is
# left as it was (checked at the end): the network tests of other runs keep
# their zoned user, and no table reaches the machine's own namespace.
#   DEB=path/zoned_V_ARCH.deb  use that package instead of building one
# Needs root; fails (does not skip) without it.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 2

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	local d=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$d"
	else
		not_ok "$d"
		printf '%s\n' "$out" | head -n 20 | sed 's/^/#   /'
	fi
}
# refute DESCRIPTION COMMAND...: passes when the command fails.
refute() {
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then
		not_ok "$d"
	else
		ok "$d"
	fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

# =====================================================================
# Inside the throwaway machine (its systemd is PID 1): the package's life.
# =====================================================================
inside() {
	local deb=$1 up=$2 v uid gid pid watch sec
	export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	apt_get() {
		timeout 300 apt-get -y -q -o Dpkg::Use-Pty=0 \
		    --no-install-recommends "$@"
	}
	sctl() { timeout 60 systemctl --no-pager "$@"; }
	mode() { stat -c '%a %U:%G' "$1"; }
	mainpid() { systemctl show -p MainPID --value zoned; }
	has_table() { nft list tables | grep -qx 'table inet zoned'; }
	is() { test "$(sctl "is-$1" zoned 2>/dev/null)" = "$2"; }
	# guard_refuses ARG...: example-guard exits 78 and says why.
	guard_refuses() {
		local out rc=0
		out=$(/usr/libexec/zoned/example-guard true "$@" 2>&1) || rc=$?
		echo "$out"
		[ "$rc" -eq 78 ] && echo "$out" | grep -q untouched
	}
	# what zoned logged (syslog: the journal, or busybox's syslogd where
	# this machine has it)
	logged() {
		{ journalctl -u zoned --no-pager; logread; } 2>/dev/null |
		    grep -q "$1"
	}
	# the capabilities of a process, as a number
	caps() { printf '%d' "0x$(awk -v k="$2:" '$1 == k { print $2 }' \
	    "/proc/$1/status")"; }
	NET=$(( (1 << 12) | (1 << 13) ))	# CAP_NET_ADMIN, CAP_NET_RAW

	check "the throwaway machine runs systemd as PID 1" \
	    test -d /run/systemd/system
	refute "before: no zoned user" getent passwd zoned
	refute "before: dpkg does not know zoned" dpkg -s zoned

	# --- install ------------------------------------------------------
	check "apt-get install ./$(basename "$deb") (a local file, no network)" \
	    apt_get install "$deb"
	check "dpkg says zoned is installed" \
	    sh -c "dpkg-query -W -f='\${db:Status-Status}' zoned | grep -qx installed"
	v=$(dpkg-query -W -f='${Version}' zoned)
	for f in /usr/sbin/zoned /usr/sbin/zonectl \
	    /usr/libexec/zoned/example-guard; do
		check "$f is installed, executable" test -x "$f"
	done
	for f in /usr/share/man/man8/zoned.8.gz /usr/share/man/man8/zonectl.8.gz \
	    /usr/share/man/man5/zoned.conf.5.gz /lib/systemd/system/zoned.service \
	    /usr/share/doc/zoned/README.Debian.gz /usr/share/doc/zoned/copyright \
	    /usr/share/doc/zoned/examples/alpha.conf \
	    /usr/share/doc/zoned/examples/beta.conf \
	    /usr/share/doc/zoned/examples/alpha-prime.conf \
	    /usr/share/doc/zoned/examples/beta-prime.conf; do
		check "$f is installed" test -f "$f"
	done
	if [ -d "$top/conf/ha" ]; then
		check "the HA templates are among the examples" \
		    test -d /usr/share/doc/zoned/examples/ha
	fi
	check "/etc/zoned/zoned.conf is the alpha example" \
	    cmp /etc/zoned/zoned.conf "$top/conf/alpha.conf"
	check "/etc/zoned/zoned.conf is a conffile" \
	    sh -c "dpkg-query -W -f='\${Conffiles}' zoned | grep -q ' /etc/zoned/zoned.conf '"
	check "zoned --version prints the package version ($v)" \
	    test "$(zoned --version)" = "zoned $v"
	check "zonectl --version prints the package version ($v)" \
	    test "$(zonectl --version)" = "zonectl $v"

	check "a zoned system group" sh -c "getent group zoned |
	    awk -F: '\$3 < 1000 { ok = 1 } END { exit !ok }'"
	check "a zoned system user, group zoned, home /var/lib/zoned, no shell" \
	    sh -c "getent passwd zoned | awk -F: -v g=\$(getent group zoned |
	    cut -d: -f3) '\$3 < 1000 && \$4 == g && \$6 == \"/var/lib/zoned\" &&
	    \$7 ~ /nologin\$/ { ok = 1 } END { exit !ok }'"
	uid=$(id -u zoned 2>/dev/null)
	gid=$(getent group zoned | cut -d: -f3)
	check "/var/lib/zoned is zoned:zoned 0750 ($(mode /var/lib/zoned))" \
	    test "$(mode /var/lib/zoned)" = "750 zoned:zoned"
	check "/etc/zoned/zoned.conf is root:zoned 0640 ($(mode /etc/zoned/zoned.conf))" \
	    test "$(mode /etc/zoned/zoned.conf)" = "640 root:zoned"
	check "zoned -n -f /etc/zoned/zoned.conf exits 0" \
	    zoned -n -f /etc/zoned/zoned.conf
	check "the zoned user can read the policy (reloads after the drop)" \
	    runuser -u zoned -- zoned -n -f /etc/zoned/zoned.conf
	check "man zoned works" sh -c "MANPAGER=cat man zoned 2>&1 |
	    grep -q 'three-layer boundary gateway daemon'"
	check "man zonectl and man zoned.conf work" sh -c "MANPAGER=cat man 8 \
	    zonectl | grep -q 'control tool' && MANPAGER=cat man 5 zoned.conf |
	    grep -q 'zoned'"

	# --- nothing changed in the forwarding -------------------------------
	check "the service is not enabled ($(sctl is-enabled zoned 2>&1))" \
	    is enabled disabled
	check "the service is not started ($(sctl is-active zoned 2>&1))" \
	    is active inactive
	refute "no table in the kernel after the install" has_table
	check "the unit verifies" systemd-analyze verify --man=no zoned.service
	check "example-guard refuses the untouched example, saying why" \
	    guard_refuses
	cp /usr/share/doc/zoned/examples/beta.conf /tmp/copy.conf
	check "example-guard refuses a copy of another example" \
	    guard_refuses -d -f /tmp/copy.conf
	cp /etc/zoned/zoned.conf /tmp/edited.conf
	echo "# this town's policy, reviewed" >>/tmp/edited.conf
	check "example-guard lets an edited policy start (execs the command)" \
	    /usr/libexec/zoned/example-guard zoned -n -f /tmp/edited.conf
	refute "systemctl start zoned on the untouched example fails" \
	    sctl start zoned
	check "... saying why in the journal" sh -c \
	    "journalctl -u zoned --no-pager | grep -q 'untouched'"
	sleep 3	# time for Restart= to try again, if it would
	refute "... and the kernel has no table" has_table
	check "... and the service failed ($(sctl is-active zoned))" \
	    is active failed
	check "... and it does not start again by itself ($(journalctl -u \
	    zoned --no-pager | grep -c untouched) refusal)" sh -c \
	    "test \$(journalctl -u zoned --no-pager | grep -c untouched) -eq 1"
	sctl reset-failed zoned >/dev/null 2>&1

	# --- the service, as installed ------------------------------------------
	# the example's interfaces (the machine has no network but these)
	for i in mn0 lg0 inet0; do
		ip link add "$i" type veth peer name "${i}p" &&
		    ip link set "$i" up && ip link set "${i}p" up
	done
	cp /tmp/edited.conf /etc/zoned/zoned.conf
	check "systemctl start zoned on an edited policy" sctl start zoned
	check "the service is active" is active active
	pid=$(mainpid)
	check "zonectl status answers" zonectl status
	check "zonectl status shows the daemon's version ($v)" \
	    sh -c "zonectl status | grep -qx 'version      $v'"
	check "the daemon logged its version (event=started version=$v)" \
	    logged "event=started version=\"\?$v"
	check "the daemon runs as zoned under the unit" \
	    test "$(stat -c %u "/proc/$pid" 2>/dev/null)" = "$uid"
	check "with exactly CAP_NET_ADMIN and CAP_NET_RAW" \
	    test "$(caps "$pid" CapEff)" -eq "$NET"
	check "table inet zoned is in the kernel" has_table
	check "zonectl verify: the kernel's table matches the policy" \
	    zonectl verify
	for i in mn0 lg0 inet0; do
		check "the audit monitor captures on $i, in the sandbox" sh -c \
		    "zonectl status | grep -q '^monitor      $i .*: attached'"
	done
	check "zonectl zones reads the links' state (AF_INET ioctl)" \
	    sh -c "zonectl zones | grep -q 'mn0(up)'"
	check "the My Number hosts are pinned (permanent neighbours on mn0)" \
	    sh -c "ip neigh show nud permanent dev mn0 | grep -q lladdr"
	check "the daemon wrote its last good policy in /var/lib/zoned" \
	    test -f /var/lib/zoned/last-good.conf
	# issue 10's state: the change journal and the kept policy texts,
	# written by the daemon as zoned in the sandbox (ReadWritePaths)
	check "the change journal is /var/lib/zoned/journal, zoned's" \
	    test "$(stat -c %U /var/lib/zoned/journal 2>&1)" = zoned
	check "... its first entry is the start" sh -c \
	    "head -n 1 /var/lib/zoned/journal | grep -q '\"action\":\"start\"'"
	check "... the policy text kept under its SHA-256 in policies/" sh -c \
	    "ls /var/lib/zoned/policies/*.conf >/dev/null"
	check "zonectl journal --verify: the chain is intact" \
	    zonectl journal --verify
	check "zonectl status reads the clock in the sandbox (adjtimex)" sh -c \
	    "l=\$(zonectl status | grep '^clock '); echo \"\$l\";
	    [ -n \"\$l\" ] && ! echo \"\$l\" | grep -q 'adjtimex failed'"
	check "systemctl reload zoned: the policy is read again, as zoned" sh -c \
	    "systemctl reload zoned && sleep 1 && zonectl status |
	    grep -q '^last reload .*: [^R]'"
	sec=$(systemd-analyze security --no-pager zoned.service 2>/dev/null |
	    sed -n 's/.*Overall exposure level for zoned.service: \([0-9.]*\).*/\1/p')
	echo "# systemd-analyze security zoned.service: ${sec:-?}"
	check "the unit is hardened: exposure ${sec:-?}, at most $EXPOSURE" \
	    awk -v s="${sec:-99}" -v m="$EXPOSURE" 'BEGIN { exit !(s <= m) }'
	check "systemctl enable zoned" sctl enable zoned
	echo "marker of $v" >/var/lib/zoned/marker
	chown zoned:zoned /var/lib/zoned/marker
	check "zonectl isolate internet (kept across the upgrade)" \
	    zonectl isolate internet --reason "package upgrade drill"
	starts=$(grep -c '"action":"start"' /var/lib/zoned/journal)

	# --- reinstall, upgrade ------------------------------------------------
	check "apt-get install --reinstall of the same package" \
	    apt_get install --reinstall "$deb"
	check "reinstall: the marker in /var/lib/zoned is kept" \
	    grep -q "marker of $v" /var/lib/zoned/marker
	check "reinstall: the edited policy is kept" \
	    cmp /etc/zoned/zoned.conf /tmp/edited.conf
	check "reinstall: the daemon was restarted" \
	    sh -c "test \"\$(systemctl show -p MainPID --value zoned)\" != $pid"
	check "reinstall: the service is active" is active active
	pid=$(mainpid)
	# table inet zoned is looked for every 20 ms while apt works
	rm -f /tmp/gone /tmp/stop
	(while [ ! -e /tmp/stop ]; do has_table || touch /tmp/gone
		sleep 0.02; done) &
	watch=$!
	check "apt-get install ./$(basename "$up") (an upgrade)" \
	    apt_get install "$up"
	touch /tmp/stop
	wait "$watch"
	check "upgrade: dpkg has the new version" \
	    test "$(dpkg-query -W -f='${Version}' zoned)" != "$v"
	check "upgrade: the daemon was restarted, and is active" sh -c \
	    "test \"\$(systemctl show -p MainPID --value zoned)\" != $pid &&
	    systemctl is-active -q zoned"
	check "upgrade: the table was in the kernel throughout" \
	    sh -c "! test -e /tmp/gone && nft list tables | grep -qx 'table inet zoned'"
	check "upgrade: the service is still enabled" is enabled enabled
	check "upgrade: the marker in /var/lib/zoned is kept" \
	    grep -q "marker of $v" /var/lib/zoned/marker
	check "upgrade: the last good policy is kept" \
	    test -f /var/lib/zoned/last-good.conf
	check "upgrade: internet is still isolated (status, the kernel's set)" \
	    sh -c "zonectl status | grep -q '^ISOLATED     zone internet' &&
	    nft list set inet zoned isolated | grep -q inet0"
	check "upgrade: the journal goes on, its chain intact" \
	    zonectl journal --verify
	check "upgrade: ... with a start entry for each restart ($starts before)" \
	    test "$(grep -c '"action":"start"' /var/lib/zoned/journal)" -ge \
	    $((starts + 2))
	check "zonectl restore internet" zonectl restore internet
	check "upgrade: /var/lib/zoned is still zoned:zoned 0750" \
	    test "$(mode /var/lib/zoned)" = "750 zoned:zoned"
	check "upgrade: the edited policy is kept, root:zoned 0640" sh -c \
	    "cmp -s /etc/zoned/zoned.conf /tmp/edited.conf &&
	    test \"\$(stat -c '%a %U:%G' /etc/zoned/zoned.conf)\" = '640 root:zoned'"
	check "upgrade: the user keeps its uid and gid" \
	    test "$(id -u zoned):$(getent group zoned | cut -d: -f3)" = "$uid:$gid"

	# --- remove -------------------------------------------------------------
	check "apt-get remove zoned" apt_get remove zoned
	check "remove: the daemon is stopped" sh -c "! systemctl is-active -q zoned"
	refute "remove: the programs are gone" test -e /usr/sbin/zoned
	check "remove: table inet zoned stays in the kernel" has_table
	check "remove: the state is kept (marker, last good policy, journal)" \
	    sh -c "grep -q 'marker of $v' /var/lib/zoned/marker &&
	    test -f /var/lib/zoned/last-good.conf &&
	    test -s /var/lib/zoned/journal"
	check "remove: the user and the policy are kept" \
	    sh -c "getent passwd zoned >/dev/null && test -f /etc/zoned/zoned.conf"

	# --- install again over the removed package, then purge -----------------
	check "apt-get install after a remove" apt_get install "$deb"
	check "installed again: the marker is still there" \
	    grep -q "marker of $v" /var/lib/zoned/marker
	check "installed again: the package did not start the service" \
	    sh -c "! systemctl is-active -q zoned"
	check "apt-get purge zoned" apt_get purge zoned
	refute "purge: dpkg does not know zoned" dpkg -s zoned
	refute "purge: /var/lib/zoned is gone" test -e /var/lib/zoned
	refute "purge: /etc/zoned is gone" test -e /etc/zoned
	refute "purge: the unit is gone" test -e /lib/systemd/system/zoned.service
	check "purge: no link enables it" \
	    sh -c "! ls /etc/systemd/system/*.wants/zoned.service 2>/dev/null | grep -q ."
	refute "purge: the zoned user is gone" getent passwd zoned
	refute "purge: the zoned group is gone" getent group zoned
	check "purge: table inet zoned stays (nft delete table inet zoned takes it out)" \
	    has_table
	echo "INSIDE $pass $fail"
}

# The systemd-analyze security exposure the unit may not exceed (it is
# 3.0: what is left is what the daemon needs, see README.Debian; 0.2 of it
# is reading the clock's state with adjtimex, which ProtectClock= denies).
EXPOSURE=3.0

if [ "${1:-}" = --inside ]; then
	inside "$2" "$3"
	exit 0
fi

# =====================================================================
# Outside: build, the sandbox, and the machine left as it was.
# =====================================================================
if [ "$(id -u)" -ne 0 ]; then
	echo "not ok - the package test needs root (apt, namespaces)"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! scripts/deps.sh deb; then
	echo "not ok - the package's tools (scripts/deps.sh deb) are installed"
	echo "0 passed, 1 failed"
	exit 1
fi
W=$(mktemp -d /tmp/zoned-pkg.XXXXXX)
trap 'umount -l "$W/sbx" 2>/dev/null; rm -rf "$W"' EXIT
trap 'exit 130' INT TERM

# What must be the same afterwards.
machine() {
	getent passwd zoned
	getent group zoned
	dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' zoned 2>&1
	ls -la --time-style=+ /var/lib/zoned /etc/zoned 2>&1
	ls /lib/systemd/system/zoned.service 2>&1
	nft list tables 2>&1
}
machine >"$W/before"

if [ -n "${DEB:-}" ]; then
	deb=$DEB
	check "the package to test is there ($deb)" test -f "$deb"
else
	if make -s deb >"$W/make-deb.log" 2>&1; then
		ok "make deb builds the package; lintian finds no error"
	else
		not_ok "make deb builds the package; lintian finds no error"
		tail -n 30 "$W/make-deb.log" | sed 's/^/#   /'
		finish
	fi
	deb=$(ls build/deb/zoned_*.deb | head -n 1)
	grep -E '^[EWIP]: ' "$W/make-deb.log" | sed 's/^/# lintian: /'
fi
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
echo "# package: $deb"

# The upgrade: the same package with a higher version.
v=$(dpkg-deb -f "$deb" Version)
mkdir "$W/up"
dpkg-deb -R "$deb" "$W/up/root"
sed -i "s/^Version: .*/Version: $v+upgrade1/" "$W/up/root/DEBIAN/control"
up=$W/up/zoned_${v}+upgrade1_$(dpkg-deb -f "$deb" Architecture).deb
check "a package of a higher version for the upgrade ($v+upgrade1)" \
    dpkg-deb --root-owner-group -b "$W/up/root" "$up"

# The throwaway machine: an overlay of / on a tmpfs, in a mount namespace
# of its own, without this machine's zoned user, package and state, booted
# by systemd-nspawn (its own PID and network namespaces, no network but
# loopback).  Everything of it goes when the namespace's last process does.
mkdir "$W/sbx"
unshare --mount --propagation private bash -c '
	set -e
	s=$1 top=$2
	shift 2
	mount -t tmpfs -o size=2g,mode=0755 zoned-pkg "$s"
	mkdir "$s/upper" "$s/work" "$s/root"
	mount -t overlay zoned-pkg \
	    -o "lowerdir=/,upperdir=$s/upper,workdir=$s/work" "$s/root"
	# nspawn keeps its own files in /run/systemd/nspawn: here, not there
	mount -t tmpfs -o mode=0755 zoned-pkg /run/systemd
	# (and without a policy-rc.d that forbids starting services, as a
	# container image may have: an appliance has none; man-db need not
	# index the pages after every apt run: man finds them all the same)
	chroot "$s/root" sh -c "rm -f /usr/sbin/policy-rc.d; \
	    echo man-db man-db/auto-update boolean false |
	    debconf-set-selections; \
	    dpkg --purge zoned; userdel zoned; \
	    groupdel zoned; rm -rf /var/lib/zoned /etc/zoned /run/zoned \
	    /lib/systemd/system/zoned.service /etc/systemd/system/zoned.service \
	    /etc/systemd/system/*.wants/zoned.service" >/dev/null 2>&1 || true
	# (the tree is bound in too: under /tmp, say, the overlay of / would
	# not hold it, and the container has a /tmp of its own)
	# the seccomp filter of nspawn denies the clock calls to a container
	# without CAP_SYS_TIME (systemd on a real machine does not): let it
	# read the clock (adjtimex of glibc is clock_adjtime), so that the
	# filter of the unit is what the clock check tests
	systemd-nspawn -q -D "$s/root" -M zoned-pkgtest --boot --register=no \
	    --keep-unit --private-network --console=pipe \
	    --system-call-filter="adjtimex clock_adjtime" \
	    --bind-ro="$top" --bind-ro="$(dirname "$1")" \
	    --bind-ro="$(dirname "$2")" </dev/null \
	    >"$s/boot.log" 2>&1 &
	nspawn=$!
	trap "kill $nspawn 2>/dev/null; sleep 2; kill -9 $nspawn 2>/dev/null" EXIT
	# the container'\''s PID 1: the systemd whose ancestor is this nspawn
	leader=
	for _ in $(seq 1 300); do
		for p in $(pgrep -x systemd); do
			q=$p
			while [ "$q" -gt 1 ] && [ "$q" != "$nspawn" ]; do
				q=$(awk "/^PPid:/ { print \$2 }" /proc/$q/status \
				    2>/dev/null || echo 1)
			done
			[ "$q" = "$nspawn" ] && leader=$p && break
		done
		[ -n "$leader" ] && break
		sleep 0.1
	done
	if [ -z "$leader" ]; then
		echo "# the throwaway machine did not boot:"
		sed "s/^/#   /" "$s/boot.log" | tail -n 20
		exit 1
	fi
	for _ in $(seq 1 600); do
		state=$(nsenter -t "$leader" -a systemctl is-system-running \
		    2>&1 || true)
		case $state in running|degraded) break ;; esac
		sleep 0.1
	done
	echo "# the throwaway machine booted: $state"
	EXPOSURE=$EXPOSURE timeout 1200 nsenter -t "$leader" -a \
	    bash "$top/tests/pkg/t-deb.sh" --inside "$@" || true
	# a throwaway machine needs no clean shutdown: reboot(2) at once
	timeout 60 nsenter -t "$leader" -a systemctl poweroff -ff \
	    >/dev/null 2>&1 || kill "$nspawn"
	for _ in $(seq 1 300); do
		kill -0 "$nspawn" 2>/dev/null || break
		sleep 0.1
	done
	' sbx "$W/sbx" "$top" "$deb" "$up" >"$W/inside.log" 2>&1
rc=$?
grep -v '^INSIDE ' "$W/inside.log"
res=$(sed -n 's/^INSIDE //p' "$W/inside.log")
if [ -z "$res" ]; then
	not_ok "the test in the throwaway machine ran to its end (exit $rc)"
else
	pass=$((pass + ${res% *}))
	fail=$((fail + ${res#* }))
fi

machine >"$W/after"
if cmp -s "$W/before" "$W/after"; then
	ok "the machine is left as it was (users, dpkg, state, unit, tables)"
else
	not_ok "the machine is left as it was (users, dpkg, state, unit, tables)"
	diff "$W/before" "$W/after" | head -n 20 | sed 's/^/#   /'
fi
finish
