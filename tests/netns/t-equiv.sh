#!/usr/bin/env bash
# zoned -p is the table zoned applies: in kernel mode, the text of
# `zoned -p -f POLICY` loaded with nft -f in a fresh namespace lists the
# same table inet zoned as the daemon applies in the gateway, for each
# example policy; only counter values and the order of set elements may
# differ.  A rule changed by hand on either side is noticed.  (Dual mode
# needs nft_queue, which zoned(8) names as the one exception.)
. "$(dirname "$0")/lib.sh"

FRESH=${LAB_PREFIX}eq
fresh_down() { ip netns del "$FRESH" 2>/dev/null || true; }
trap 'fresh_down; cleanup' EXIT
fresh_down

gw_table() { ip netns exec $GW nft list table inet zoned | nft_norm; }
fresh_table() { ip netns exec "$FRESH" nft list table inet zoned | nft_norm; }
same() { diff -u "$T/$1.fresh" "$T/$1.gw"; }

lab_up

# compare NAME POLICY: the daemon's table against nft -f of zoned -p.
compare() {
	local name=$1 src=$2
	policy "$src"
	policy_mode kernel
	start_zoned || { not_ok "$name: zoned starts on $src"; return 1; }
	check "$name: the daemon's table matches its policy (zonectl verify)" zctl verify
	"$ZONED" -p -f "$T/zoned.conf" >"$T/$name.nft" 2>"$T/$name.err"
	check "$name: zoned -p prints the ruleset" test -s "$T/$name.nft"
	fresh_down
	ip netns add "$FRESH"
	check "$name: nft -f loads the printed ruleset in a fresh namespace" \
	    ip netns exec "$FRESH" nft -f "$T/$name.nft"
	gw_table >"$T/$name.gw"
	fresh_table >"$T/$name.fresh"
	check "$name: the table has its flows ($(grep -c 'comment ".*flow ' "$T/$name.gw") elements)" \
	    grep -q 'comment ".*flow ' "$T/$name.gw"
	check "$name: nft -f of zoned -p gives the same table as the daemon applies" \
	    same "$name"
	stop_zoned
}

compare alpha conf/alpha.conf

# --- the comparison can fail ---------------------------------------------------
# One rule changed by hand in the fresh namespace: the comparison sees it.
h=$(ip netns exec "$FRESH" nft -a list chain inet zoned forward |
    grep 'jump deny.unzoned' | sed 's/.*# handle //')
ip netns exec "$FRESH" nft replace rule inet zoned forward handle "$h" \
    jump deny.internet.internet
fresh_table >"$T/alpha.fresh"
refute "a rule replaced by hand in the fresh table is a difference" same alpha
same alpha >"$T/alpha.diff"
check "... shown as that rule, and only that" \
    test "$(grep -c '^[-+][^-+]' "$T/alpha.diff")" -eq 2 -a \
    "$(grep -c '^-.*jump deny.internet.internet$\|^+.*jump deny.unzoned$' "$T/alpha.diff")" -eq 2
# One set element removed by hand in the fresh namespace.
fresh_down
ip netns add "$FRESH"
ip netns exec "$FRESH" nft -f "$T/alpha.nft"
el=$(ip netns exec "$FRESH" nft list set inet zoned active | grep -o '0x[0-9a-f]*' | head -n 1)
ip netns exec "$FRESH" nft delete element inet zoned active "{ $el }"
fresh_table >"$T/alpha.fresh"
refute "an element ($el) removed by hand from the fresh table is a difference" same alpha

compare alpha-prime conf/alpha-prime.conf
compare beta conf/beta.conf
compare beta-prime conf/beta-prime.conf

# The gateway's side changed by hand (beta-prime still loaded in the fresh
# namespace; zoned stopped, its table kept).
ip netns exec $GW nft add rule inet zoned forward counter
gw_table >"$T/beta-prime.gw"
refute "a rule added by hand to the gateway's table is a difference" same beta-prime

finish
