/*
 * neigh — permanent neighbour entries for pinned My Number hosts, so that
 * ARP (or ND) cannot move their address to another MAC.  One entry per
 * pinned host on each interface of its zone; entries of hosts no longer
 * pinned are removed; a link that appears (RTM_NEWLINK) gets its entries.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "log.h"
#include "zoned.h"

struct entry {
	int ifindex;
	uint8_t family;
	uint8_t addr[16];
	uint8_t mac[6];
};

struct neigh {
	struct mnl_socket *nl;	/* requests */
	struct mnl_socket *mon;	/* link events */
	uint32_t seq;
	struct entry *v;
	size_t n;
};

struct neigh *
neigh_open(char *err, size_t errlen)
{
	struct neigh *n = calloc(1, sizeof(*n));

	if (n == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->seq = (uint32_t)time(NULL);
	if ((n->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) == NULL ||
	    mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    (n->mon = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC |
	    SOCK_NONBLOCK)) == NULL ||
	    mnl_socket_bind(n->mon, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "rtnetlink: %s", strerror(errno));
		neigh_close(n);
		return NULL;
	}
	return n;
}

void
neigh_close(struct neigh *n)
{
	if (n == NULL)
		return;
	if (n->nl)
		mnl_socket_close(n->nl);
	if (n->mon)
		mnl_socket_close(n->mon);
	free(n->v);
	free(n);
}

int
neigh_fd(const struct neigh *n)
{
	return mnl_socket_get_fd(n->mon);
}

static int
request(struct neigh *n, uint16_t type, const struct entry *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *nd;
	uint32_t seq = n->seq++;
	int rc;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
	    (type == RTM_NEWNEIGH ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	nlh->nlmsg_seq = seq;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = e->family == ADDR_V4 ? AF_INET : AF_INET6;
	nd->ndm_ifindex = e->ifindex;
	nd->ndm_state = NUD_PERMANENT;
	mnl_attr_put(nlh, NDA_DST, e->family == ADDR_V4 ? 4 : 16, e->addr);
	if (type == RTM_NEWNEIGH)
		mnl_attr_put(nlh, NDA_LLADDR, 6, e->mac);
	if (mnl_socket_sendto(n->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	rc = (int)mnl_socket_recvfrom(n->nl, buf, sizeof(buf));
	if (rc < 0)
		return -1;
	return mnl_cb_run(buf, (size_t)rc, seq, mnl_socket_get_portid(n->nl),
	    NULL, NULL) < 0 ? -1 : 0;
}

static bool
same(const struct entry *a, const struct entry *b)
{
	return a->ifindex == b->ifindex && a->family == b->family &&
	    memcmp(a->addr, b->addr, 16) == 0;
}

void
neigh_sync(struct neigh *n, const struct policy *p)
{
	struct entry *want = NULL;
	size_t nwant = 0, cap = 0;
	char a[64], m[MAC_STRLEN];

	for (size_t i = 0; p && i < p->nhosts; i++) {
		const struct host *h = &p->hosts[i];
		const struct zone *z;

		if (h->bad || !h->has_mac || !addr_is_host(&h->addr) ||
		    h->zone < 0)
			continue;
		z = &p->zones[h->zone];
		if (z->kind != ZONE_MYNUMBER)
			continue;
		for (size_t j = 0; j < z->nifaces; j++) {
			int idx = (int)if_nametoindex(z->ifaces[j]);
			struct entry *e;
			if (idx == 0)
				continue;	/* not there yet: RTM_NEWLINK */
			if (nwant == cap) {
				cap = cap ? cap * 2 : 16;
				e = realloc(want, cap * sizeof(*e));
				if (e == NULL) {
					free(want);
					return;
				}
				want = e;
			}
			e = &want[nwant++];
			memset(e, 0, sizeof(*e));
			e->ifindex = idx;
			e->family = h->addr.family;
			memcpy(e->addr, h->addr.a, 16);
			memcpy(e->mac, h->mac, 6);
			if (request(n, RTM_NEWNEIGH, e) < 0)
				log_warnx("cannot pin %s to %s on %s: %s",
				    addr_format_ip(e->family, e->addr, a,
				    sizeof(a)), mac_format(e->mac, m, sizeof(m)),
				    z->ifaces[j], strerror(errno));
			else
				log_debug("pinned %s to %s on %s",
				    addr_format_ip(e->family, e->addr, a,
				    sizeof(a)), mac_format(e->mac, m, sizeof(m)),
				    z->ifaces[j]);
		}
	}
	/* entries we made before that are no longer wanted */
	for (size_t i = 0; i < n->n; i++) {
		bool keep = false;
		for (size_t j = 0; j < nwant && !keep; j++)
			keep = same(&n->v[i], &want[j]);
		if (!keep && request(n, RTM_DELNEIGH, &n->v[i]) < 0 &&
		    errno != ENOENT && errno != ENODEV)
			log_warnx("cannot remove the pinned neighbour %s: %s",
			    addr_format_ip(n->v[i].family, n->v[i].addr, a,
			    sizeof(a)), strerror(errno));
	}
	free(n->v);
	n->v = want;
	n->n = nwant;
}

/* Link events: a new or changed link may need its entries. */
void
neigh_event(struct neigh *n, const struct policy *p)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	bool newlink = false;
	ssize_t rc;

	while ((rc = mnl_socket_recvfrom(n->mon, buf, sizeof(buf))) > 0) {
		const struct nlmsghdr *nlh;
		int len = (int)rc;
		for (nlh = (const void *)buf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len))
			if (nlh->nlmsg_type == RTM_NEWLINK)
				newlink = true;
	}
	if (newlink)
		neigh_sync(n, p);
}
