#!/bin/sh
# Install every build and test dependency of zoned from Debian packages.
# Idempotent and quick when everything is present: it asks dpkg first and
# calls apt-get only for what is missing.
#   scripts/deps.sh          build + test dependencies
#   scripts/deps.sh bench    also the benchmark peers (DPDK)
#   scripts/deps.sh fuzz     also clang and libFuzzer (make fuzz; make check
#                            replays the corpora with gcc and needs neither)
set -eu

# keepalived, conntrackd and conntrack: the active/standby pair of the HA
# tests and `make demo-ha` (zoned(8), HIGH AVAILABILITY).
PKGS="gcc make pkg-config libc6-dev
libconfig-dev libnftnl-dev libmnl-dev libpcap-dev libjansson-dev
libcap-ng-dev libssl-dev libnetfilter-queue-dev check
nftables iproute2 busybox-syslogd procps
keepalived conntrackd conntrack"

case ${1:-} in
bench) PKGS="$PKGS libdpdk-dev" ;;
fuzz) PKGS="$PKGS clang libclang-rt-14-dev llvm" ;;
esac

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing" >&2
	echo "deps.sh: run as root (or: sudo apt-get install$missing)" >&2
	exit 1
fi

echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing; then
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
