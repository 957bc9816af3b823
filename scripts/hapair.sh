# scripts/hapair.sh — sourced, not run: the active/standby pair of the lab
# (scripts/lab.sh up --ha), each node with the real zoned, conntrackd and
# keepalived, configured from the templates in conf/ha/.  Used by the HA
# network tests and by `make demo-ha`.
#
# The caller sets:
#   LAB_PREFIX   the lab's namespaces (node N runs in ${LAB_PREFIX}gwN)
#   HA_DIR       a directory of its own; node N's files go to HA_DIR/nN
#   ZONED ZONECTL   the binaries
# and may set HA_POLICY (default conf/alpha.conf), HA_PREEMPT_DELAY
# (default: the template's), HA_ZENV (environment of zoned).
#
# hapair_configure N       write node N's policy, keepalived.conf,
#                          conntrackd.conf and its two scripts
# hapair_start N [WHAT..]  start zoned, conntrackd, keepalived (or those
#                          named) in node N's namespace
# hapair_stop N [WHAT..]   stop them (SIGTERM), in the reverse order
# hapair_kill_keepalived N SIGNAL   keepalived's processes, by pid file
# hapair_ctl N ARGS...     zonectl against node N's daemon
# hapair_wait_state N STATE [SECONDS]   until zoned says so
# hapair_master            the node whose zoned forwards as the master

HA_POLICY=${HA_POLICY:-conf/alpha.conf}

hapair_dir() { echo "$HA_DIR/n$1"; }
hapair_ns() { echo "${LAB_PREFIX}gw$1"; }

hapair_ctl() {
	local n=$1
	shift
	"$ZONECTL" -s "$(hapair_dir "$n")/zoned.sock" "$@"
}

# The policy of a node of the pair: the example with the pair's "ha"
# block, the evidence in the pair's directory (each daemon is given its
# socket with -s).  The same text on both nodes, as it must be: their
# SHA-256 are compared.
hapair_policy() {
	local d=$1 src=$2
	sed -e "s|/var/lib/zoned/evidence|$HA_DIR/evidence|" "$src" \
	    >"$d/zoned.conf"
	cat >>"$d/zoned.conf" <<'EOF'

# one node of an active/standby pair (zoned(8), HIGH AVAILABILITY)
ha = { sync_interface = "sync0";
       peer = [ "192.168.255.1", "192.168.255.2" ]; };
EOF
	chmod 644 "$d/zoned.conf"
}

hapair_configure() {
	local n=$1 d me peer
	d=$(hapair_dir "$n")
	mkdir -p "$d" "$HA_DIR/evidence"
	chmod 755 "$HA_DIR" "$d"
	hapair_policy "$d" "$HA_POLICY"
	if [ "$n" = 1 ]; then
		me=192.168.255.1 peer=192.168.255.2
	else
		me=192.168.255.2 peer=192.168.255.1
	fi
	# conntrackd: the node's own end of the sync link, its own socket
	# and lock
	sed -e "s|IPv4_address 192.168.255.1$|IPv4_address $me|" \
	    -e "s|IPv4_Destination_Address 192.168.255.2|IPv4_Destination_Address $peer|" \
	    -e "s|LockFile /var/lock/conntrackd.lock|LockFile $d/conntrackd.lock|" \
	    -e "s|Path /var/run/conntrackd.ctl|Path $d/conntrackd.ctl|" \
	    -e "s|Syslog on|Syslog off|" \
	    -e "s|LogFile off|LogFile $d/conntrackd.log|" \
	    conf/ha/conntrackd.conf >"$d/conntrackd.conf"
	# keepalived: node 2 has the lower priority; the scripts are the
	# node's
	sed -e "s|router_id zoned-1|router_id zoned-$n|" \
	    -e "s|/etc/zoned/ha/|$d/|g" \
	    ${HA_PREEMPT_DELAY:+-e "s|preempt_delay 10|preempt_delay $HA_PREEMPT_DELAY|"} \
	    conf/ha/keepalived.conf >"$d/keepalived.conf"
	if [ "$n" = 2 ]; then
		sed -i -e "s|priority 150|priority 100|" "$d/keepalived.conf"
	fi
	sed -e "s|^ZONECTL=.*|ZONECTL=\"$ZONECTL -s $d/zoned.sock\"|" \
	    -e "s|^CONNTRACKD_CONF=.*|CONNTRACKD_CONF=\"$d/conntrackd.conf\"|" \
	    -e "s|^LOG=.*|LOG=\"tee -a $d/notify.log\"|" \
	    ${HA_PATH:+-e "2i PATH=$HA_PATH:\$PATH; export PATH"} \
	    conf/ha/zoned-ha-notify >"$d/zoned-ha-notify"
	sed -e "s|^ZONECTL=.*|ZONECTL=\"$ZONECTL -s $d/zoned.sock\"|" \
	    -e "s|^PEER_SHA=.*|PEER_SHA=\"$d/peer.sha256\"|" \
	    conf/ha/zoned-ha-check >"$d/zoned-ha-check"
	chmod 755 "$d/zoned-ha-notify" "$d/zoned-ha-check"
}

hapair_start_one() {
	local n=$1 what=$2 d ns i
	d=$(hapair_dir "$n")
	ns=$(hapair_ns "$n")
	case $what in
	zoned)
		rm -f "$d/zoned.sock"
		ip netns exec "$ns" env ${HA_ZENV:-} "$ZONED" -d \
		    -f "$d/zoned.conf" -s "$d/zoned.sock" -S "$d/state" \
		    >>"$d/zoned.log" 2>&1 &
		echo $! >"$d/zoned.pid"
		disown $! 2>/dev/null || true
		for i in $(seq 1 100); do
			hapair_ctl "$n" status >/dev/null 2>&1 && return 0
			kill -0 "$(cat "$d/zoned.pid")" 2>/dev/null || break
			sleep 0.1
		done
		echo "# node $n: zoned did not start" >&2
		tail -n 5 "$d/zoned.log" | sed 's/^/#   /' >&2
		return 1
		;;
	conntrackd)
		rm -f "$d/conntrackd.lock" "$d/conntrackd.ctl"
		ip netns exec "$ns" conntrackd -C "$d/conntrackd.conf" \
		    >>"$d/conntrackd.out" 2>&1 &
		echo $! >"$d/conntrackd.pid"
		disown $! 2>/dev/null || true
		for i in $(seq 1 50); do
			ip netns exec "$ns" conntrackd -C "$d/conntrackd.conf" \
			    -s >/dev/null 2>&1 && return 0
			sleep 0.1
		done
		echo "# node $n: conntrackd did not start" >&2
		return 1
		;;
	keepalived)
		rm -f "$d/keepalived.pid" "$d/vrrp.pid"
		ip netns exec "$ns" keepalived -n -l -D -G -P \
		    -f "$d/keepalived.conf" -p "$d/keepalived.pid" \
		    -r "$d/vrrp.pid" >>"$d/keepalived.log" 2>&1 &
		echo $! >"$d/keepalived.ppid"
		disown $! 2>/dev/null || true
		for i in $(seq 1 50); do
			[ -s "$d/vrrp.pid" ] && return 0
			sleep 0.1
		done
		echo "# node $n: keepalived did not start" >&2
		tail -n 5 "$d/keepalived.log" | sed 's/^/#   /' >&2
		return 1
		;;
	esac
}

hapair_start() {
	local n=$1 w
	shift
	for w in ${*:-zoned conntrackd keepalived}; do
		hapair_start_one "$n" "$w" || return 1
	done
}

# A daemon's pid, from its pid file, if it still runs.
hapair_pid() {
	local f p
	f="$(hapair_dir "$1")/$2.pid"
	[ "$2" = keepalived ] && f="$(hapair_dir "$1")/keepalived.ppid"
	[ -s "$f" ] || return 1
	p=$(cat "$f")
	kill -0 "$p" 2>/dev/null && echo "$p"
}

hapair_stop() {
	local n=$1 w p i
	shift
	for w in ${*:-keepalived conntrackd zoned}; do
		p=$(hapair_pid "$n" "$w") || continue
		kill -TERM "$p" 2>/dev/null
		for i in $(seq 1 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
	done
}

# keepalived's parent and its VRRP child, at once (SIGKILL: no last
# advert, the addresses stay where they are).
hapair_kill_keepalived() {
	local n=$1 sig=$2 d pids=
	d=$(hapair_dir "$n")
	[ -s "$d/vrrp.pid" ] && pids="$pids $(cat "$d/vrrp.pid")"
	[ -s "$d/keepalived.ppid" ] && pids="$pids $(cat "$d/keepalived.ppid")"
	# shellcheck disable=SC2086
	kill "-$sig" $pids 2>/dev/null || true
}

hapair_state() {
	hapair_ctl "$1" status --json 2>/dev/null | tr -d ' \n' |
	    grep -o '"ha":{"state":"[a-z]*"' | cut -d'"' -f6
}

hapair_wait_state() {
	local n=$1 want=$2 secs=${3:-15} i
	for i in $(seq 1 $((secs * 10))); do
		[ "$(hapair_state "$n")" = "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

# Does node N hold the zones' virtual addresses?
hapair_has_vips() {
	ip netns exec "$(hapair_ns "$1")" ip -4 -o addr show dev lg0 |
	    grep -q ' 10\.20\.0\.1/'
}
