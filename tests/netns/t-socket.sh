#!/usr/bin/env bash
# The control socket: mode 0660 and the policy's group; root may change,
# the group may read, nobody else may talk; malformed and oversized
# requests get an error answer, never a crash.
. "$(dirname "$0")/lib.sh"

G=zt-ctl MEMBER=zt-member OUTSIDER=zt-outsider
users_down() {
	userdel "$MEMBER" 2>/dev/null || true
	userdel "$OUTSIDER" 2>/dev/null || true
	groupdel "$G" 2>/dev/null || true
}
trap 'users_down; cleanup' EXIT
users_down
groupadd "$G"
useradd --no-create-home -G "$G" "$MEMBER"
useradd --no-create-home "$OUTSIDER"

lab_up
policy
file_sub "$T/zoned.conf" 'group = "zoned";' "group = \"$G\";"
start_zoned || { not_ok "zoned starts"; finish; }

as() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"
}

mode=$(stat -c '%a %G' "$T/zoned.sock")
check "the socket is mode 0660, group $G ($mode)" test "$mode" = "660 $G"
check "root may read (status)" zctl status
check "a group member may read (status)" as "$MEMBER" "$ZONECTL" -s "$T/zoned.sock" status
check "a group member may check" \
    as "$MEMBER" "$ZONECTL" -s "$T/zoned.sock" check atena chukan tcp/443
as "$MEMBER" "$ZONECTL" -s "$T/zoned.sock" reload >"$T/out" 2>&1
rc=$?
check "a group member may not reload (exit $rc)" test $rc -eq 2
check "... and is told so" grep -q "permission denied" "$T/out"
check "... and the refusal is logged with the uid" \
    grep -q "event=control-denied uid=$(id -u "$MEMBER") cmd=reload" "$T/zoned.log"
as "$OUTSIDER" "$ZONECTL" -s "$T/zoned.sock" status >"$T/out" 2>&1
rc=$?
check "anyone else may not even read (exit $rc)" test $rc -eq 2
check "root may reload, and it is logged with the uid" \
    sh -c "\"$ZONECTL\" -s \"$T/zoned.sock\" reload && grep -q 'event=control uid=0 .*cmd=reload' \"$T/zoned.log\""

raw() { "$PROBE" unix "$T/zoned.sock" "$1"; }
check "a request that is not JSON gets an error answer" \
    sh -c "\"$PROBE\" unix \"$T/zoned.sock\" 'hello there' | grep -q '\"code\": *2'"
check "an unknown command gets code 5" \
    sh -c "\"$PROBE\" unix \"$T/zoned.sock\" '{\"cmd\":\"rm-rf\"}' | grep -q '\"code\": *5'"
check "check without its arguments gets code 2" \
    sh -c "\"$PROBE\" unix \"$T/zoned.sock\" '{\"cmd\":\"check\",\"args\":{\"src\":1}}' | grep -q '\"code\": *2'"
n=$(grep -c 'cmd=reload' "$T/zoned.log")
check "a request with \"cmd\" twice gets code 2 (duplicate key)" \
    sh -c "\"$PROBE\" unix \"$T/zoned.sock\" '{\"cmd\":\"status\",\"cmd\":\"reload\"}' | grep -q '\"code\": *2.*duplicate'"
check "... and runs no reload" test "$(grep -c 'cmd=reload' "$T/zoned.log")" -eq "$n"
check "check with sport 4294967376 gets code 2 (not port 80)" \
    sh -c "\"$PROBE\" unix \"$T/zoned.sock\" '{\"cmd\":\"check\",\"args\":{\"src\":\"10.20.100.7\",\"dst\":\"192.0.2.40\",\"proto\":\"tcp/3389\",\"sport\":4294967376}}' | grep -q '\"code\": *2.*sport.* 0 to 65535'"
check "... while sport 80 is answered" \
    sh -c "\"$PROBE\" unix \"$T/zoned.sock\" '{\"cmd\":\"check\",\"args\":{\"src\":\"10.20.100.7\",\"dst\":\"192.0.2.40\",\"proto\":\"tcp/3389\",\"sport\":80}}' | grep -q '\"ok\": *true'"
check "an argument a command does not take gets code 2" \
    sh -c "\"$PROBE\" unix \"$T/zoned.sock\" '{\"cmd\":\"status\",\"args\":{\"all\":true}}' | grep -q '\"code\": *2'"
big=$(head -c 70000 /dev/zero | tr '\0' 'x')
check "a request over 64 KiB gets code 4" \
    sh -c "\"$PROBE\" unix \"$T/zoned.sock\" '$big' | grep -q '\"code\": *4'"
check "zoned is still alive and answering" zctl status

finish
