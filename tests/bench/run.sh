#!/bin/sh
# make bench: the benchmarks of DESIGN.md §8, each a ratio against a peer run
# side by side.  Figures are printed as measured; a benchmark whose data or
# program is missing says so and is skipped.  Exit status 1 when a benchmark
# finds a wrong answer (a mismatch), else 0.
#
#   CLASSBENCH_DIR     where acl1_10K, fw1_10K, ipc1_10K and their _trace files
#                      are (default: ../shared/data/classbench from the repo)
#   CLASSBENCH_REPEAT  rounds per set (default 11; the median is reported)
#   BENCH_ONLY         the benchmarks to run, e.g. "audit apply" (default
#                      all: classbench framepath audit apply incr dual
#                      monitor)
#   INCR_FLOWS         flows of the incremental reload benchmark (100000)
#   INCR_ROUNDS        its rounds per change (default 3; medians)
#   DUAL_ROUNDS        alternating kernel/dual rounds (default 5)
#   AUDIT_FRAMES       frames of the audit capture (default 2000000)
set -u
cd "$(dirname "$0")/../.." || exit 2
MAKE=${MAKE:-make}
status=0

# Benchmark peers (DPDK for rte_acl); without them the benchmarks still run.
if ! scripts/deps.sh bench; then
	echo "bench: could not install the benchmark peers (libdpdk-dev);" \
	    "rte_acl is left out"
fi

# --- classifier: ClassBench sets against the linear reference and rte_acl --
bench_classbench() {
	dir=${CLASSBENCH_DIR:-../shared/data/classbench}
	echo "== classifier (ClassBench, single core, batches of 64)"
	if [ -n "${CLASSBENCH_DIR:-}" ]; then
		echo "reading sets from $dir (CLASSBENCH_DIR)"
	else
		echo "reading sets from $dir (set CLASSBENCH_DIR to override)"
	fi
	if [ ! -d "$dir" ]; then
		echo "classbench: $dir does not exist; skipped"
		return 0
	fi
	if ! $MAKE --no-print-directory build/bench/classbench; then
		echo "classbench: build failed"
		status=1
		return 0
	fi
	summary=""
	for set in acl1 fw1 ipc1; do
		rules=$dir/${set}_10K
		trace=$dir/${set}_10K_trace
		if [ ! -r "$rules" ] || [ ! -r "$trace" ]; then
			echo "-- $set: $rules or $trace missing; skipped"
			continue
		fi
		echo "-- $set"
		out=$(build/bench/classbench "$rules" "$trace" \
		    --repeat "${CLASSBENCH_REPEAT:-11}")
		rc=$?
		echo "$out"
		[ $rc -eq 0 ] || status=1
		summary="$summary$(echo "$out" | awk -v set="$set" '
			/^zoned / { for (i = 2; i <= NF; i++) { split($i, kv, "="); z[kv[1]] = kv[2] } }
			/^linear / { for (i = 2; i <= NF; i++) { split($i, kv, "="); l[kv[1]] = kv[2] } }
			/^rte_acl mpps/ { split($2, kv, "="); avx2 = kv[2] }
			/^ratio=/ { split($1, kv, "="); ratio = kv[2] }
			/^rte_acl_best / { for (i = 2; i <= NF; i++) { split($i, kv, "="); b[kv[1]] = kv[2] } }
			END {
				printf "%-5s %8s %9s %8s %6s %9s %8s %6s %9s %6s\n", set,
				    z["mpps"], z["build_ms"], z["mem_kb"], z["mismatches"],
				    avx2 == "" ? "-" : avx2, ratio == "" ? "-" : ratio,
				    b["mpps"] == "" ? "-" : b["mpps"],
				    b["ratio"] == "" ? "-" : b["ratio"], l["speedup"]
			}')
"
	done
	if [ -n "$summary" ]; then
		echo "-- summary (Mpps; ratio = zoned / rte_acl; x linear = zoned / linear scan)"
		printf "%-5s %8s %9s %8s %6s %9s %8s %6s %9s %6s\n" set zoned \
		    build_ms mem_kb mism avx2 ratio best ratio x_linear
		printf "%s" "$summary"
	fi
}

want() { [ -z "${BENCH_ONLY:-}" ] || echo " $BENCH_ONLY " | grep -q " $1 "; }

# --- time helpers -----------------------------------------------------------
ms_now() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# --- the full frame path on gateway-shaped policies ---------------------------
bench_framepath() {
	echo "== frame path: parse + zone lookup + classify, batches of 64 (gateway-shaped policies from genpolicy)"
	$MAKE --no-print-directory -s build/bench/genpolicy build/bench/framepath || { status=1; return 0; }
	d=$(mktemp -d)
	for n in 1000 10000 100000; do
		build/bench/genpolicy $n >"$d/p.conf"
		build/bench/framepath "$d/p.conf" --frames 1000000 --repeat 7 || status=1
	done
	rm -rf "$d"
}

# --- offline audit against the bare libpcap read loop --------------------------
bench_audit() {
	frames=${AUDIT_FRAMES:-2000000}
	echo "== offline audit: zoned --audit against a bare libpcap read loop over the same file ($frames frames)"
	$MAKE --no-print-directory -s build/zoned build/bench/genpolicy build/bench/genpcap \
	    build/bench/pcapread || { status=1; return 0; }
	d=$(mktemp -d)
	build/bench/genpolicy 10000 >"$d/p.conf"
	build/bench/genpcap "$d/p.conf" "$frames" "$d/cap.pcap" || { status=1; rm -rf "$d"; return 0; }
	cat "$d/cap.pcap" >/dev/null	# a warm page cache for both
	: >"$d/a"; : >"$d/b"
	for r in 1 2 3 4 5; do
		t0=$(ms_now); build/bench/pcapread "$d/cap.pcap" >/dev/null; t1=$(ms_now)
		echo $(( (t1 - t0) / 1000000 )) >>"$d/b"
		t0=$(ms_now); build/zoned --audit "$d/cap.pcap" -f "$d/p.conf" >"$d/out"; rc=$?; t1=$(ms_now)
		echo $(( (t1 - t0) / 1000000 )) >>"$d/a"
		[ $rc -eq 1 ] || { echo "audit: expected violations (exit 1), got exit $rc"; status=1; }
	done
	za=$(median <"$d/a"); zb=$(median <"$d/b")
	echo "audit frames=$frames zoned_ms=$za bare_ms=$zb ratio=$(awk -v a="$za" -v b="$zb" 'BEGIN { printf "%.2f", a / b }') ($(tail -n 1 "$d/out"))"
	rm -rf "$d"
}

# --- applying policies: one netlink transaction against nft -f -------------------
bench_apply() {
	echo "== apply: zoned's one transaction (first message sent to last ACK) against nft -f of zoned -p, in a fresh namespace"
	if [ "$(id -u)" -ne 0 ]; then
		echo "apply: needs root (namespaces); skipped"
		return 0
	fi
	$MAKE --no-print-directory -s build/zoned build/bench/genpolicy || { status=1; return 0; }
	d=$(mktemp -d)
	chmod 755 "$d"
	ns=zb-apply
	printf "%8s %10s %10s %10s %8s %8s\n" flows zoned_ms build_ms nft_ms ratio total_ratio
	for n in 1000 10000 100000; do
		build/bench/genpolicy $n "$d/zoned.sock" >"$d/p.conf"
		build/zoned -p -f "$d/p.conf" >"$d/p.nft"
		: >"$d/z"; : >"$d/b"; : >"$d/n"
		for r in 1 2 3; do
			ip netns add $ns
			rm -f "$d/log"
			ip netns exec $ns build/zoned -d -f "$d/p.conf" -s "$d/zoned.sock" \
			    -S "$d/state" >"$d/log" 2>&1 &
			zp=$!
			for _ in $(seq 1 600); do
				grep -q 'event=started' "$d/log" 2>/dev/null && break
				sleep 0.1
			done
			kill $zp 2>/dev/null; wait $zp 2>/dev/null
			sed -n 's/.*event=policy-loaded .*build_ms=\([0-9.]*\) apply_ms=\([0-9.]*\).*/\1 \2/p' "$d/log" >"$d/t"
			if [ ! -s "$d/t" ]; then
				echo "apply: zoned did not load $n flows"; tail -n 3 "$d/log"; status=1
				ip netns del $ns; break
			fi
			cut -d' ' -f1 "$d/t" >>"$d/b"; cut -d' ' -f2 "$d/t" >>"$d/z"
			ip netns del $ns
			ip netns add $ns
			t0=$(ms_now); ip netns exec $ns nft -f "$d/p.nft"; t1=$(ms_now)
			awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }' >>"$d/n"
			ip netns del $ns
		done
		[ -s "$d/z" ] || continue
		z=$(median <"$d/z"); b=$(median <"$d/b"); nm=$(median <"$d/n")
		awk -v n=$n -v z="$z" -v b="$b" -v nm="$nm" 'BEGIN {
			printf "%8d %10.1f %10.1f %10.1f %8.2f %8.2f\n", n, z, b, nm, nm / z, nm / (z + b) }'
	done
	echo "(ratio = nft -f / zoned's transaction; total_ratio = nft -f / (zoned's build + transaction))"
	rm -rf "$d"
}

# --- reloads of one change at 100K flows: incremental, whole, nft -f ----------
# genpolicy's policy and four changes of it: one flow added (at the end),
# one removed (commented out, the lines below stay where they are), one
# changed (another service), 100 changed.  Each applied by the daemon
# incrementally (zonectl reload), whole (zonectl reload --full), and, in a
# namespace of its own holding the same table, by nft -f of the script an
# administrator would write (add/delete element, add/delete counter),
# made from the difference of zoned -p's two rulesets.
incr_variant() {	# KIND N < base > variant
	awk -v kind="$1" -v n="$2" '
	    function flow(k) { return index($0, "{ name = \"f" k "\";") > 0 }
	    kind == "add" && flow(n - 1) {
		    print $0 ","
		    print "  { name = \"fnew\"; from = \"l1\"; to = \"g0\"; service = \"smtp\"; }"
		    next }
	    kind == "del" && flow(n / 2) { print "#" $0; next }
	    kind == "chg" && flow(n / 2) { sub(/service = "[a-z]+"/, "service = \"smtp\"") }
	    kind == "rep" { for (k = n / 2; k < n / 2 + 100; k++) if (flow(k)) sub(/service = "[a-z]+"/, "service = \"smtp\"") }
	    { print }'
}

# SET<TAB>ELEMENT and "counter NAME" lines of a zoned -p ruleset.
incr_elems() {
	awk '
	    /^\t(set|map) / { set = $2; next }
	    /^\tcounter / { print "counter\t" $2; next }
	    /elements = \{/ { inel = 1; sub(/.*elements = \{ /, "") }
	    inel {
		    sub(/^[ \t]+/, "")
		    if (sub(/ \}$/, "")) inel = 0
		    else sub(/,$/, "")
		    print set "\t" $0
	    }' "$1" | sort
}

# The hand-written script from ruleset $1 to ruleset $2 (zoned -p texts).
incr_script() {
	incr_elems "$1" >"$1.el"
	incr_elems "$2" >"$2.el"
	comm -23 "$1.el" "$2.el" >"$1.gone"
	comm -13 "$1.el" "$2.el" >"$1.new"
	# one command a set, its elements printed one by one at the end (a
	# string grown an element at a time is quadratic in awk)
	awk -F'\t' '$1 != "counter" {
		    k = $2; sub(/ (comment|:) .*/, "", k)
		    e[$1, ++n[$1]] = k }
	    END { for (s in n) {
		    printf "delete element inet zoned %s { ", s
		    for (i = 1; i <= n[s]; i++)
			    printf "%s%s", (i > 1 ? ", " : ""), e[s, i]
		    print " }" } }' "$1.gone"
	awk -F'\t' '$1 == "counter" { print "delete counter inet zoned " $2 }' "$1.gone"
	awk -F'\t' '$1 == "counter" { print "add counter inet zoned " $2 }' "$1.new"
	awk -F'\t' '$1 != "counter" { e[$1, ++n[$1]] = $2 }
	    END { for (s in n) {
		    printf "add element inet zoned %s { ", s
		    for (i = 1; i <= n[s]; i++)
			    printf "%s%s", (i > 1 ? ", " : ""), e[s, i]
		    print " }" } }' "$1.new"
}

# A value of a reload --json's transaction.
incr_tx() {
	sed -n "s/^ *\"$2\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$1" | head -n 1
}

bench_incr() {
	n=${INCR_FLOWS:-100000}
	rounds=${INCR_ROUNDS:-3}
	echo "== reloads of one change at $n flows: incremental, the whole table (reload --full), nft -f of a hand-written incremental script"
	if [ "$(id -u)" -ne 0 ]; then
		echo "incr: needs root (namespaces); skipped"
		return 0
	fi
	$MAKE --no-print-directory -s build/zoned build/zonectl build/bench/genpolicy || { status=1; return 0; }
	d=$(mktemp -d)
	chmod 755 "$d"
	ns=zb-incr nsn=zb-incr-nft
	build/bench/genpolicy "$n" "$d/zoned.sock" >"$d/base.conf"
	build/zoned -p -f "$d/base.conf" >"$d/base.nft"
	for kind in add del chg rep; do
		incr_variant $kind "$n" <"$d/base.conf" >"$d/$kind.conf"
		build/zoned -p -f "$d/$kind.conf" >"$d/$kind.nft" || { echo "incr: $kind does not load"; status=1; }
		incr_script "$d/base.nft" "$d/$kind.nft" >"$d/$kind.fwd"
		incr_script "$d/$kind.nft" "$d/base.nft" >"$d/$kind.back"
	done
	ip netns add $ns
	cp "$d/base.conf" "$d/zoned.conf"
	ip netns exec $ns build/zoned -d -f "$d/zoned.conf" -s "$d/zoned.sock" \
	    -S "$d/state" >"$d/log" 2>&1 &
	zp=$!
	for _ in $(seq 1 1200); do
		grep -q 'event=started' "$d/log" 2>/dev/null && break
		sleep 0.1
	done
	ctl() { build/zonectl -s "$d/zoned.sock" "$@"; }
	ip netns add $nsn
	ip netns exec $nsn nft -f "$d/base.nft"
	printf "%-22s %9s %9s %9s %9s %9s %8s %8s %9s\n" change incr_kern incr_all \
	    full_kern full_all nft_f kern_x all_x changes
	for kind in add del chg rep; do
		: >"$d/ik"; : >"$d/ia"; : >"$d/fk"; : >"$d/fa"; : >"$d/nf"
		for r in $(seq 1 "$rounds"); do
			cp "$d/$kind.conf" "$d/zoned.conf"
			ctl reload --json >"$d/r.json" || status=1
			if [ "$(incr_tx "$d/r.json" apply)" != incremental ]; then
				echo "incr: $kind was not incremental: $(incr_tx "$d/r.json" reason)"
				status=1
			fi
			incr_tx "$d/r.json" apply_ms >>"$d/ik"
			incr_tx "$d/r.json" reload_ms >>"$d/ia"
			ch=$(incr_tx "$d/r.json" changes)
			ctl verify >/dev/null || { echo "incr: verify after $kind failed"; status=1; }
			cp "$d/base.conf" "$d/zoned.conf"
			ctl reload >/dev/null || status=1
			cp "$d/$kind.conf" "$d/zoned.conf"
			ctl reload --full --json >"$d/r.json" || status=1
			incr_tx "$d/r.json" apply_ms >>"$d/fk"
			incr_tx "$d/r.json" reload_ms >>"$d/fa"
			cp "$d/base.conf" "$d/zoned.conf"
			ctl reload --full >/dev/null || status=1
			t0=$(ms_now)
			ip netns exec $nsn nft -f "$d/$kind.fwd" || { echo "incr: nft -f of the $kind script failed"; status=1; }
			t1=$(ms_now)
			ip netns exec $nsn nft -f "$d/$kind.back" || status=1
			awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }' >>"$d/nf"
		done
		ik=$(median <"$d/ik"); ia=$(median <"$d/ia"); fk=$(median <"$d/fk")
		fa=$(median <"$d/fa"); nf=$(median <"$d/nf")
		case $kind in
		add) what="one flow added" ;;
		del) what="one flow removed" ;;
		chg) what="one flow changed" ;;
		rep) what="100 flows changed" ;;
		esac
		awk -v w="$what" -v ik="$ik" -v ia="$ia" -v fk="$fk" -v fa="$fa" -v nf="$nf" -v ch="$ch" 'BEGIN {
			printf "%-22s %9.1f %9.1f %9.1f %9.1f %9.1f %8.0f %8.2f %9s\n", w, ik, ia, fk, fa, nf,
			    (ik > 0 ? fk / ik : 0), (ia > 0 ? fa / ia : 0), ch }'
	done
	echo "(ms, medians of $rounds; _kern: first message sent to last ACK; _all: reading the file to the last ACK; kern_x = full_kern / incr_kern; all_x = full_all / incr_all; nft_f: the whole nft -f of the script)"
	# zonectl flows at this size, and the daemon's memory
	: >"$d/fl"
	for r in $(seq 1 "$rounds"); do
		t0=$(ms_now); ctl flows >"$d/flows.out"; t1=$(ms_now)
		echo $(( (t1 - t0) / 1000000 )) >>"$d/fl"
	done
	t0=$(ms_now); ctl flows --json >/dev/null; t1=$(ms_now)
	echo "zonectl flows at $n flows: $(median <"$d/fl") ms (median of $rounds; $(($(wc -l <"$d/flows.out") - 1)) lines), --json $(( (t1 - t0) / 1000000 )) ms"
	echo "zoned's peak RSS with $n flows: $(awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' /proc/$zp/status)"
	kill $zp 2>/dev/null; wait $zp 2>/dev/null
	ip netns del $ns
	ip netns del $nsn
	rm -rf "$d"
}

# --- new connections: dual (kernel + the daemon's verdict) against kernel alone --
bench_dual() {
	echo "== new connections across the gateway: enforce dual against kernel, in the lab, alternating runs"
	if [ "$(id -u)" -ne 0 ]; then
		echo "dual: needs root (namespaces); skipped"
		return 0
	fi
	$MAKE --no-print-directory -s build/zoned build/zonectl build/bench/connrate || { status=1; return 0; }
	d=$(mktemp -d)
	chmod 755 "$d"
	P=zb-
	LAB_PREFIX=$P scripts/lab.sh up >/dev/null || { status=1; rm -rf "$d"; return 0; }
	ip netns exec ${P}in build/bench/connrate sink 192.0.2.40 3389 &
	sp=$!
	sleep 0.3
	rounds=${DUAL_ROUNDS:-5}
	for r in $(seq 1 "$rounds"); do
		for mode in kernel dual; do
			sed -e "s|/run/zoned/zoned.sock|$d/zoned.sock|" \
			    -e "s|/var/lib/zoned/evidence|$d/evidence|" conf/alpha.conf >"$d/zoned.conf"
			printf '\nenforce = { mode = "%s"; };\n' $mode >>"$d/zoned.conf"
			rm -f "$d/log"
			ip netns exec ${P}gw build/zoned -d -f "$d/zoned.conf" -S "$d/state" >"$d/log" 2>&1 &
			zp=$!
			for _ in $(seq 1 100); do
				grep -q 'event=started' "$d/log" 2>/dev/null && break
				sleep 0.1
			done
			# latency: one at a time; rate: 16 in flight
			ip netns exec ${P}lg build/bench/connrate run 192.0.2.40 3389 \
			    --bind 10.20.100.7 --count 2000 >"$d/lat" || status=1
			ip netns exec ${P}lg build/bench/connrate run 192.0.2.40 3389 \
			    --bind 10.20.100.7 --count 10000 --parallel 16 >"$d/rate" || status=1
			sed -n 's/.*p50_us=\([0-9.]*\) p99_us=\([0-9.]*\).*/\1 \2/p' "$d/lat" >>"$d/lat.$mode"
			sed -n 's/.*rate=\([0-9]*\).*/\1/p' "$d/rate" >>"$d/rate.$mode"
			grep -q failed=0 "$d/lat" && grep -q failed=0 "$d/rate" ||
			    { echo "dual: connections failed in $mode mode: $(cat "$d/lat" "$d/rate")"; status=1; }
			if [ $mode = dual ]; then
				# the connections went through the daemon; a SYN
				# that reuses the tuple of a connection conntrack
				# has not closed yet (a lost reset) is not "new"
				# and passes as that connection (the same tuple,
				# the same flow), so a few may not come back
				v=$(build/zonectl -s "$d/zoned.sock" status --json | tr -d ' \n' |
				    grep -o '"verdicts":[0-9]*' | cut -d: -f2)
				[ "${v:-0}" -ge 11880 ] ||
				    { echo "dual: the daemon judged only ${v:-no} connections of 12000"; status=1; }
			fi
			kill $zp 2>/dev/null; wait $zp 2>/dev/null
		done
	done
	kill $sp 2>/dev/null; wait $sp 2>/dev/null
	LAB_PREFIX=$P scripts/lab.sh down >/dev/null
	if [ -s "$d/rate.dual" ] && [ -s "$d/rate.kernel" ]; then
		rk=$(median <"$d/rate.kernel"); rd=$(median <"$d/rate.dual")
		lk=$(cut -d' ' -f1 "$d/lat.kernel" | median); ld=$(cut -d' ' -f1 "$d/lat.dual" | median)
		pk=$(cut -d' ' -f2 "$d/lat.kernel" | median); pd=$(cut -d' ' -f2 "$d/lat.dual" | median)
		awk -v rk="$rk" -v rd="$rd" -v lk="$lk" -v ld="$ld" -v pk="$pk" -v pd="$pd" -v n="$rounds" 'BEGIN {
			printf "%-7s %12s %12s %12s\n", "mode", "conns/s", "open_p50_us", "open_p99_us"
			printf "%-7s %12d %12.1f %12.1f\n", "kernel", rk, lk, pk
			printf "%-7s %12d %12.1f %12.1f\n", "dual", rd, ld, pd
			printf "dual/kernel rate ratio %.2f; added per new connection: median %.1f us, p99 %.1f us (medians of %d rounds)\n",
			    rd / rk, ld - lk, pd - pk, n }'
	fi
	rm -rf "$d"
}

# --- the audit monitor in the lab: frames it keeps up with ---------------------
# One core sends 64-byte UDP datagrams of a permitted flow (terminal -> the
# screen-transfer server, udp/3389) through the gateway as fast as it can;
# the monitor captures them leaving on inet0.  Kernel mode, so that the
# queue does not pace the stream.
mon_line() {
	build/zonectl -s "$1/zoned.sock" status |
	    sed -n "s/^monitor *inet0 (internet): attached, \([0-9]*\) frames, \([0-9]*\) crossings, \([0-9]*\) violating, \([0-9]*\) dropped.*/\1 \2 \3 \4/p"
}
bench_monitor() {
	echo "== audit monitor: a UDP stream of a permitted flow through the lab gateway, what the monitor saw"
	if [ "$(id -u)" -ne 0 ]; then
		echo "monitor: needs root (namespaces); skipped"
		return 0
	fi
	$MAKE --no-print-directory -s build/zoned build/zonectl build/bench/connrate || { status=1; return 0; }
	d=$(mktemp -d)
	chmod 755 "$d"
	P=zb-
	secs=${MONITOR_SECONDS:-3}
	LAB_PREFIX=$P scripts/lab.sh up >/dev/null || { status=1; rm -rf "$d"; return 0; }
	sed -e "s|/run/zoned/zoned.sock|$d/zoned.sock|" \
	    -e "s|/var/lib/zoned/evidence|$d/evidence|" conf/alpha.conf >"$d/zoned.conf"
	printf '\nenforce = { mode = "kernel"; };\n' >>"$d/zoned.conf"
	ip netns exec ${P}gw build/zoned -d -f "$d/zoned.conf" -S "$d/state" >"$d/log" 2>&1 &
	zp=$!
	for _ in $(seq 1 100); do
		grep -q 'event=started' "$d/log" 2>/dev/null && break
		sleep 0.1
	done
	set -- $(mon_line "$d")
	f0=${1:-0} c0=${2:-0} x0=${4:-0}
	ip netns exec ${P}in build/bench/connrate udpsink 192.0.2.40 3389 $((secs + 2)) >"$d/sink" &
	kp=$!
	sleep 0.3
	ip netns exec ${P}lg build/bench/connrate udp 192.0.2.40 3389 --bind 10.20.100.7 \
	    --seconds "$secs" >"$d/sent" || status=1
	wait $kp
	sleep 1
	set -- $(mon_line "$d")
	f1=${1:-0} c1=${2:-0} v1=${3:-0} x1=${4:-0}
	kill $zp 2>/dev/null; wait $zp 2>/dev/null
	LAB_PREFIX=$P scripts/lab.sh down >/dev/null
	sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' "$d/sent")
	got=$(sed -n 's/.*received=\([0-9]*\).*/\1/p' "$d/sink")
	awk -v s="${sent:-0}" -v g="${got:-0}" -v f=$((f1 - f0)) -v x=$((x1 - x0)) \
	    -v v="$v1" -v t="$secs" 'BEGIN {
		printf "sent %d, forwarded and received %d (%.0f/s); monitor saw %d frames (%.0f/s, %.1f%% of those received), kernel drops %d, violations %d\n",
		    s, g, g / t, f, f / t, g ? 100 * f / g : 0, x, v }'
	[ "$v1" = 0 ] || { echo "monitor: a permitted stream raised violations"; status=1; }
	rm -rf "$d"
}

want classbench && bench_classbench
want framepath && bench_framepath
want audit && bench_audit
want apply && bench_apply
want incr && bench_incr
want dual && bench_dual
want monitor && bench_monitor

exit $status
