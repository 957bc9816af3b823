#!/bin/sh
# Create the zoned system user and group (idempotent): the daemon drops to
# this user after its sockets are open; members of the group may read the
# daemon's state through the control socket.
set -eu
if ! getent group zoned >/dev/null; then
	groupadd --system zoned
fi
if ! getent passwd zoned >/dev/null; then
	useradd --system --gid zoned --no-create-home \
	    --home-dir /var/lib/zoned --shell /usr/sbin/nologin \
	    --comment "zoned boundary daemon" zoned
fi
install -d -m 0750 -o zoned -g zoned /var/lib/zoned
if [ -e /etc/zoned/zoned.conf ]; then
	chgrp zoned /etc/zoned/zoned.conf
	chmod 0640 /etc/zoned/zoned.conf
fi
