/*
 * nl — opening the daemon's netlink sockets and sending a configuration
 * request with its acknowledgement (see nl.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>

#include "nl.h"

struct mnl_socket *
nl_open(const char *what, int bus, unsigned groups, bool nonblock, int rcvbuf,
    char *err, size_t errlen)
{
	struct mnl_socket *nl;
	int fd;

	if ((nl = mnl_socket_open2(bus, SOCK_CLOEXEC | (nonblock ?
	    SOCK_NONBLOCK : 0))) == NULL) {
		snprintf(err, errlen, "%s socket: %s", what, strerror(errno));
		return NULL;
	}
	if (mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "%s bind: %s", what, strerror(errno));
		mnl_socket_close(nl);
		return NULL;
	}
	fd = mnl_socket_get_fd(nl);
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	return nl;
}

void
nl_nonblock(struct mnl_socket *nl, bool on)
{
	int fd = mnl_socket_get_fd(nl), fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

int
nl_request(struct mnl_socket *nl, struct nlmsghdr *nlh, uint32_t *seq,
    void (*other)(const struct nlmsghdr *, void *), void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t s = (*seq)++;

	nlh->nlmsg_seq = s;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (int tries = 0; tries < 1024; tries++) {
		ssize_t r = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		int len = (int)r;
		const struct nlmsghdr *m;

		if (r < 0)
			return -1;
		for (m = (const void *)buf; mnl_nlmsg_ok(m, len);
		    m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_type == NLMSG_ERROR && m->nlmsg_seq == s) {
				const struct nlmsgerr *e =
				    mnl_nlmsg_get_payload(m);
				if (e->error == 0)
					return 0;
				errno = -e->error;
				return -1;
			}
			if (other != NULL)
				other(m, arg);
		}
	}
	errno = ETIMEDOUT;
	return -1;
}
