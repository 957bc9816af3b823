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

#include "event.h"
#include "log.h"
#include "neigh.h"
#include "nl.h"

struct entry {
	int ifindex;
	uint8_t family;
	uint8_t addr[16];
	uint8_t mac[6];
};

struct neigh {
	struct mnl_socket *nl;	/* requests */
	struct mnl_socket *mon;	/* link events */
	struct event *ev;
	const struct policy *p;	/* what is pinned */
	void (*on_links)(void *);
	void *arg;
	uint32_t seq;
	struct entry *v;
	size_t n;
};

static void on_link(int, uint32_t, void *);

struct neigh *
neigh_open(void (*on_links)(void *), void *arg, char *err, size_t errlen)
{
	struct neigh *n = calloc(1, sizeof(*n));

	if (n == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->on_links = on_links;
	n->arg = arg;
	n->seq = (uint32_t)time(NULL);
	if ((n->nl = nl_open("rtnetlink", NETLINK_ROUTE, 0, false, 0, err,
	    errlen)) == NULL ||
	    (n->mon = nl_open("rtnetlink", NETLINK_ROUTE, RTMGRP_LINK, true, 0,
	    err, errlen)) == NULL) {
		neigh_close(n);
		return NULL;
	}
	if ((n->ev = event_add(mnl_socket_get_fd(n->mon), EVENT_READ, on_link,
	    n)) == NULL) {
		snprintf(err, errlen, "link events: %s", strerror(errno));
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
	event_del(n->ev);
	if (n->nl)
		mnl_socket_close(n->nl);
	if (n->mon)
		mnl_socket_close(n->mon);
	free(n->v);
	free(n);
}

static int
request(struct neigh *n, uint16_t type, const struct entry *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *nd;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = type == RTM_NEWNEIGH ? NLM_F_CREATE |
	    NLM_F_REPLACE : 0;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = e->family == ADDR_V4 ? AF_INET : AF_INET6;
	nd->ndm_ifindex = e->ifindex;
	nd->ndm_state = NUD_PERMANENT;
	mnl_attr_put(nlh, NDA_DST, e->family == ADDR_V4 ? 4 : 16, e->addr);
	if (type == RTM_NEWNEIGH)
		mnl_attr_put(nlh, NDA_LLADDR, 6, e->mac);
	return nl_request(n->nl, nlh, &n->seq, NULL, NULL);
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

	n->p = p;
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

/* Link events: a new or changed link may need its entries, and the rest
 * of the daemon hears of it. */
static void
on_link(int fd, uint32_t what, void *arg)
{
	struct neigh *n = arg;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	bool newlink = false;
	ssize_t rc;

	(void)fd;
	(void)what;
	while ((rc = mnl_socket_recvfrom(n->mon, buf, sizeof(buf))) > 0) {
		const struct nlmsghdr *nlh;
		int len = (int)rc;
		for (nlh = (const void *)buf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len))
			if (nlh->nlmsg_type == RTM_NEWLINK)
				newlink = true;
	}
	if (newlink)
		neigh_sync(n, n->p);
	if (n->on_links)
		n->on_links(n->arg);
}
