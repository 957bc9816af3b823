# tests/netns/lib.sh — sourced by tests/netns/t-*.sh.
#
# Each test builds its own lab (namespaces zt-*), runs the real daemon with
# a real policy in the gateway namespace, sends real traffic with the probe,
# and cleans up on every exit.  Only addresses inside the lab are used; every
# wait is bounded.  The tests need root: without it they fail, not skip.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 2

ZONED=${ZONED:-build/test/zoned}
ZONECTL=${ZONECTL:-build/test/zonectl}
PROBE=${PROBE:-build/test/netns/probe}
case $ZONED in /*) ;; *) ZONED=$top/$ZONED ;; esac
case $ZONECTL in /*) ;; *) ZONECTL=$top/$ZONECTL ;; esac
case $PROBE in /*) ;; *) PROBE=$top/$PROBE ;; esac

# ZT_PREFIX names the lab's namespaces (default zt-), so that two runs
# on one machine need not share them.
export LAB_PREFIX=${ZT_PREFIX:-zt-}
GW=${LAB_PREFIX}gw MN=${LAB_PREFIX}mn LG=${LAB_PREFIX}lg IN=${LAB_PREFIX}in
GC=${LAB_PREFIX}gc

pass=0
fail=0
ZPID=
BG=()

if [ "$(id -u)" -ne 0 ]; then
	echo "not ok - $(basename "$0"): network tests need root (namespaces)"
	echo "0 passed, 1 failed"
	exit 1
fi
for b in "$ZONED" "$ZONECTL" "$PROBE"; do
	if [ ! -x "$b" ]; then
		echo "not ok - $b is not built (make test-build)"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

T=$(mktemp -d /tmp/zoned-test.XXXXXX)
chmod 755 "$T"

cleanup() {
	stop_zoned
	for p in "${BG[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	scripts/lab.sh down >/dev/null 2>&1 || true
	if [ -n "${KEEP:-}" ]; then
		echo "# kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() {
	pass=$((pass + 1))
	echo "ok - $*"
}

not_ok() {
	fail=$((fail + 1))
	echo "not ok - $*"
}

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	local d=$1
	shift
	if "$@" >"$T/last.out" 2>&1; then
		ok "$d"
	else
		not_ok "$d"
		sed 's/^/#   /' "$T/last.out" | head -n 20
	fi
}

# refute DESCRIPTION COMMAND...: passes when the command answers no (exit 1).
refute() {
	local d=$1 rc=0
	shift
	"$@" >"$T/last.out" 2>&1 || rc=$?
	if [ "$rc" -eq 1 ]; then
		ok "$d"
	else
		# 0: it succeeded; 2 and above: the command itself went wrong
		# (usage, system error), which proves nothing either way
		not_ok "$d (exit $rc)"
		sed 's/^/#   /' "$T/last.out" | head -n 20
	fi
}

# The sanitizers' reports in the daemon's log since the last look: each
# is a failure (the daemon is built with ASan and UBSan for the tests).
SAN_SEEN=0
SAN_RE='ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|SUMMARY: (Address|Undefined)'
sanitizer_check() {
	local log=${1:-$T/zoned.log} n
	[ -f "$log" ] || return 0
	n=$(wc -l <"$log")
	if tail -n +$((SAN_SEEN + 1)) "$log" | grep -qE "$SAN_RE"; then
		not_ok "the daemon's log holds a sanitizer report"
		tail -n +$((SAN_SEEN + 1)) "$log" | grep -E -A 12 "$SAN_RE" |
		    head -n 40 | sed 's/^/#   /'
	fi
	SAN_SEEN=$n
}

finish() {
	stop_zoned
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

lab_up() {
	scripts/lab.sh up >/dev/null
	scripts/useradd.sh
}

# The example policy with the socket in the test's directory; extra text
# (for example flows) may be given on stdin with policy_append.
policy() {
	local src=${1:-conf/alpha.conf}
	sed -e "s|/run/zoned/zoned.sock|$T/zoned.sock|" \
	    -e "s|/var/lib/zoned/evidence|$T/evidence|" "$src" >"$T/zoned.conf"
	chmod 644 "$T/zoned.conf"
	# the address lists it names lie beside it
	for f in "$(dirname "$src")"/*.addresses; do
		[ -f "$f" ] && install -m 644 "$f" "$T/"
	done
	return 0
}

# enforce.mode of the policy: dual (the default) or kernel.
policy_mode() {
	echo "enforce = { mode = \"$1\"; };" >>"$T/zoned.conf"
}

# Replace TEXT by NEW in the policy (first occurrence).
policy_sub() {
	local old=$1 new=$2
	file_sub "$T/zoned.conf" "$old" "$new"
}

file_sub() {
	local file=$1 old=$2 new=$3 tmp
	tmp=$(mktemp)
	awk -v old="$old" -v new="$new" 'BEGIN { done = 0 }
	    !done && (i = index($0, old)) {
		$0 = substr($0, 1, i - 1) new substr($0, i + length(old))
		done = 1
	    } { print }' "$file" >"$tmp" && cat "$tmp" >"$file"
	rm -f "$tmp"
}

# ZNOFILE=N starts the daemon with at most N open descriptors.
start_zoned() {
	${ZNOFILE:+prlimit --nofile=$ZNOFILE:$ZNOFILE} \
	    ip netns exec "$GW" env ${ZENV:-} "$ZONED" -d -f "$T/zoned.conf" \
	    -s "$T/zoned.sock" -S "$T/state" >>"$T/zoned.log" 2>&1 &
	ZPID=$!
	for _ in $(seq 1 100); do
		if [ -S "$T/zoned.sock" ] && zctl status >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$ZPID" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "# zoned did not start; its log:"
	sed 's/^/#   /' "$T/zoned.log" | tail -n 20
	return 1
}

# stop_pid PID: SIGTERM, at most 5 s to end, then SIGKILL; 1 when it was
# not running.
stop_pid() {
	kill -0 "$1" 2>/dev/null || return 1
	kill "$1" 2>/dev/null
	for _ in $(seq 1 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

stop_zoned() {
	if [ -n "$ZPID" ] && stop_pid "$ZPID"; then
		sanitizer_check
	fi
	ZPID=
}

zctl() {
	"$ZONECTL" -s "$T/zoned.sock" "$@"
}

# listen NS PROTO PORT [SECONDS]: a listener on every address of the
# namespace, for 120 s unless told.
listen() {
	local ns=$1 proto=$2 port=$3 secs=${4:-120} out
	out=$T/listen.$ns.$proto.$port
	ip netns exec "$ns" "$PROBE" listen "$proto" "$port" --timeout "$secs" \
	    >"$out" 2>&1 &
	BG+=($!)
	for _ in $(seq 1 50); do
		grep -q '^ready' "$out" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "# listener $ns $proto/$port did not start"
	return 1
}

# hold NS SRC DST PORT SECONDS OUT: a TCP connection held in the
# background, a hello every 0.2 s (the probe exits 3 when one goes
# unanswered); its pid in HELD.
hold() {
	ip netns exec "$1" "$PROBE" connect tcp "$3" "$4" --bind "$2" \
	    --hold "$5" >"$6" 2>&1 &
	HELD=$!
	BG+=("$HELD")
}

# conn NS PROTO SRC DST PORT [ARGS]: a connection and its answer.
conn() {
	local ns=$1 proto=$2 src=$3 dst=$4 port=$5 t="--timeout 2"
	shift 5
	case " $* " in *" --timeout "*) t= ;; esac
	ip netns exec "$ns" "$PROBE" connect "$proto" "$dst" "$port" \
	    --bind "$src" $t "$@"
}

# The packets of a named counter of table inet zoned.
counter() {
	ip netns exec "$GW" nft list counter inet zoned "$1" 2>/dev/null |
	    awk '/packets/ { print $2; exit }'
}

# A field of a flow from `zonectl flows --json` (strings unquoted, null as
# null).
flow_field() {
	zctl flows --json | tr -d '\n' | sed 's/}, *{/}\n{/g' |
	    grep "\"name\": *\"$1\"" |
	    sed -E "s/.*\"$2\": *(\"([^\"]*)\"|([0-9]+|null)).*/\2\3/"
}

# The packets of a flow from `zonectl flows --json`.
flow_packets() {
	flow_field "$1" packets
}

mac_of() {
	ip netns exec "$1" "$PROBE" mac "$2"
}

# wait_for FILE PATTERN [SECONDS]: until the pattern shows up.
wait_for() {
	local file=$1 pat=$2 secs=${3:-5} i
	for i in $(seq 1 $((secs * 10))); do
		grep -q -- "$pat" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# nft list table, with what legitimately differs between two tables made
# equal: counter values, the order of the elements of each set and map
# (hash sets list in hash order), of the counters (listed in the order
# they were made: an incremental reload adds them at the end) and of the
# chains (a replacement keeps the base chains where they were).  Elements
# are split at commas outside quotes, one a line, sorted.
nft_norm() {
	awk '
	function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
	BEGIN { inel = 0; tag = "elements = {"; nc = 0 }
	# counters list in the order they were made: one line each, sorted,
	# at the end
	!inel && /^\tcounter [^ ]+ \{$/ { cblk = $0; incnt = 1; next }
	incnt {
		cblk = cblk " " trim($0)
		if ($0 ~ /^\t}$/) {
			gsub(/packets [0-9]+ bytes [0-9]+/, "packets 0 bytes 0", cblk)
			for (b = ++nc; b > 1 && ctr[b - 1] > cblk; b--)
				ctr[b] = ctr[b - 1]
			ctr[b] = cblk
			incnt = 0
		}
		next
	}
	END { for (b = 1; b <= nc; b++) print ctr[b] }
	{
		line = $0
		gsub(/packets [0-9]+ bytes [0-9]+/, "packets 0 bytes 0", line)
		if (!inel && (i = index(line, tag))) {
			print substr(line, 1, i - 1) tag
			buf = substr(line, i + length(tag))
			inel = 1
		} else if (inel) {
			buf = buf " " line
		} else {
			print line
			next
		}
		q = 0; end = 0
		for (k = 1; k <= length(buf); k++) {
			c = substr(buf, k, 1)
			if (c == "\"") q = !q
			else if (!q && c == "}") { end = k; break }
		}
		if (!end)
			next
		body = substr(buf, 1, end - 1)
		rest = substr(buf, end + 1)
		n = 0; cur = ""; q = 0
		for (k = 1; k <= length(body); k++) {
			c = substr(body, k, 1)
			if (c == "\"") q = !q
			if (!q && c == ",") { el[++n] = trim(cur); cur = ""; continue }
			cur = cur c
		}
		if (trim(cur) != "") el[++n] = trim(cur)
		for (a = 2; a <= n; a++) {
			v = el[a]
			for (b = a - 1; b >= 1 && el[b] > v; b--) el[b + 1] = el[b]
			el[b + 1] = v
		}
		for (a = 1; a <= n; a++) print "\t\t\t" el[a]
		print "\t\t}" rest
		inel = 0
	}' | awk '
	# chains list in the order they were made: a replacement keeps the
	# base chains and makes the others anew after them, an incremental
	# reload makes none; the order means nothing (a chain is named, a
	# hook ordered by its priority).  Each chain block sorted by name,
	# after the sets, before the counters.
	/^\tchain [^ ]+ \{$/ { blk = $0; inch = 1; name = $2; next }
	inch {
		blk = blk "\n" $0
		if ($0 ~ /^\t}$/) {
			for (b = ++nch; b > 1 && cn[b - 1] > name; b--) {
				cn[b] = cn[b - 1]; cb[b] = cb[b - 1]
			}
			cn[b] = name; cb[b] = blk
			inch = 0
		}
		next
	}
	/^\tcounter / && !done { flush() }
	/^}$/ && !done { flush() }
	{ print }
	function flush() {
		for (b = 1; b <= nch; b++) print cb[b]
		done = 1
	}'
}
