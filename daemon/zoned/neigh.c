/*
 * neigh — permanent neighbour entries for pinned My Number hosts, so that
 * ARP (or ND) cannot move their address to another MAC.  One entry per
 * pinned host on each interface of its zone; entries of hosts no longer
 * pinned are removed; a link that appears (RTM_NEWLINK) gets its entries.
 *
 * And whether each pin can prove anything: after every change of pins,
 * links, routes or of a neighbour entry that concerns a pin, onlink.c
 * judges whether the pinned address is on the appliance's own segment; a
 * pin that is not raises event=pin-off-link (pin-on-link when it is again)
 * and shows in `zonectl status`.
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
#include "onlink.h"

/* Changes come in bursts (a reload re-pins every host): the check runs
 * once, this long after the first of them. */
#define CHECK_DELAY_MS 200

struct entry {
	int ifindex;
	uint8_t family;
	uint8_t addr[16];
	uint8_t mac[6];
};

/* A pinned address and what onlink.c said of it. */
struct pinstate {
	char host[POLICY_NAME_MAX + 1];
	struct onlink_pin pin;
	struct onlink_verdict v;
};

struct neigh {
	struct mnl_socket *nl;	/* requests */
	struct mnl_socket *mon;	/* link, route and neighbour events */
	struct event *ev;
	struct event *check;	/* the on-link check, a moment after */
	const struct policy *p;	/* what is pinned */
	struct pinstate *pins;
	size_t npins;
	void (*on_links)(void *);
	void *arg;
	uint32_t seq;
	struct entry *v;
	size_t n;
};

static void on_link(int, uint32_t, void *);
static void on_check(int, uint32_t, void *);

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
	    (n->mon = nl_open("rtnetlink", NETLINK_ROUTE, RTMGRP_LINK |
	    RTMGRP_NEIGH | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE, true,
	    1 << 20, err, errlen)) == NULL) {
		neigh_close(n);
		return NULL;
	}
	if ((n->ev = event_add(mnl_socket_get_fd(n->mon), EVENT_READ, on_link,
	    n)) == NULL || (n->check = event_timer(CLOCK_MONOTONIC, on_check,
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
	event_del(n->check);
	if (n->nl)
		mnl_socket_close(n->nl);
	if (n->mon)
		mnl_socket_close(n->mon);
	free(n->v);
	free(n->pins);
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

/* The check, soon: changes come in bursts. */
static void
check_soon(struct neigh *n)
{
	if (n->npins > 0 && !event_timer_armed(n->check))
		event_timer_arm(n->check, CHECK_DELAY_MS, 0);
}

/* The pinned addresses of p, each with the interfaces of its zone that
 * exist, keeping what was known of those already pinned. */
static void
pins_sync(struct neigh *n, const struct policy *p)
{
	struct pinstate *v = NULL;
	size_t nv = 0;

	for (size_t i = 0; p && i < p->nhosts; i++) {
		const struct host *h = &p->hosts[i];
		const struct zone *z;
		struct pinstate *ps, *nvv;

		if (!policy_host_pinned(p, h))
			continue;
		z = &p->zones[h->zone];
		if ((nvv = realloc(v, (nv + 1) * sizeof(*v))) == NULL)
			break;
		v = nvv;
		ps = &v[nv];
		memset(ps, 0, sizeof(*ps));
		snprintf(ps->host, sizeof(ps->host), "%s", h->name);
		ps->pin.family = h->addrs[0].pfx.family;
		memcpy(ps->pin.addr, h->addrs[0].pfx.a, 16);
		memcpy(ps->pin.mac, h->mac, 6);
		for (size_t j = 0; j < z->nifaces && ps->pin.nif <
		    ONLINK_MAX_IFS; j++) {
			int idx = (int)if_nametoindex(z->ifaces[j]);
			if (idx > 0)
				ps->pin.ifindex[ps->pin.nif++] = idx;
		}
		if (ps->pin.nif == 0)
			continue;	/* no interface yet: nothing to judge */
		for (size_t k = 0; k < n->npins; k++)
			if (n->pins[k].pin.family == ps->pin.family &&
			    memcmp(n->pins[k].pin.addr, ps->pin.addr, 16) == 0 &&
			    memcmp(n->pins[k].pin.mac, ps->pin.mac, 6) == 0)
				ps->v = n->pins[k].v;
		nv++;
	}
	free(n->pins);
	n->pins = v;
	n->npins = nv;
	check_soon(n);
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

		if (!policy_host_pinned(p, h))
			continue;
		z = &p->zones[h->zone];
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
			e->family = h->addrs[0].pfx.family;
			memcpy(e->addr, h->addrs[0].pfx.a, 16);
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
	pins_sync(n, p);
}

/* Judge every pin; say what changed. */
static void
on_check(int fd, uint32_t what, void *arg)
{
	struct neigh *n = arg;
	struct onlink_pin *pins;
	struct onlink_verdict *v;
	char a[64], m[MAC_STRLEN];

	(void)fd;
	(void)what;
	if (n->npins == 0)
		return;
	pins = calloc(n->npins, sizeof(*pins));
	v = calloc(n->npins, sizeof(*v));
	if (pins == NULL || v == NULL) {
		free(pins);
		free(v);
		return;
	}
	for (size_t i = 0; i < n->npins; i++)
		pins[i] = n->pins[i].pin;
	if (onlink_check(n->nl, &n->seq, pins, n->npins, v) < 0) {
		log_warn("cannot read the routes and neighbours to judge the "
		    "MAC pins");
		goto out;
	}
	for (size_t i = 0; i < n->npins; i++) {
		struct pinstate *ps = &n->pins[i];

		addr_format_ip(ps->pin.family, ps->pin.addr, a, sizeof(a));
		mac_format(ps->pin.mac, m, sizeof(m));
		if (v[i].off && (!ps->v.off || strcmp(ps->v.reason,
		    v[i].reason) != 0 || strcmp(ps->v.detail, v[i].detail) != 0))
			log_event(LOG_WARNING, "pin-off-link", "host=%s "
			    "address=%s mac=%s reason=%s detail=%s effect=%s",
			    lq(ps->host), a, m, v[i].reason, lq(v[i].detail),
			    "the-mac-pin-proves-nothing");
		else if (!v[i].off && ps->v.off)
			log_event(LOG_NOTICE, "pin-on-link", "host=%s "
			    "address=%s mac=%s", lq(ps->host), a, m);
		ps->v = v[i];
	}
out:
	free(pins);
	free(v);
}

json_t *
neigh_json(const struct neigh *n)
{
	json_t *o, *off;
	char a[64], m[MAC_STRLEN];
	size_t noff = 0;

	if (n == NULL)
		return json_null();
	off = json_array();
	for (size_t i = 0; i < n->npins; i++) {
		const struct pinstate *ps = &n->pins[i];
		if (!ps->v.off)
			continue;
		noff++;
		json_array_append_new(off, json_pack("{s:s, s:s, s:s, s:s, "
		    "s:s}", "host", ps->host, "address", addr_format_ip(
		    ps->pin.family, ps->pin.addr, a, sizeof(a)), "mac",
		    mac_format(ps->pin.mac, m, sizeof(m)), "reason",
		    ps->v.reason, "detail", ps->v.detail));
	}
	o = json_pack("{s:I, s:I, s:o}", "pinned", (json_int_t)n->npins,
	    "off_link", (json_int_t)noff, "problems", off);
	return o;
}

/* Is the neighbour message about a pinned address or MAC? */
static bool
concerns_pin(const struct neigh *n, const struct nlmsghdr *nlh)
{
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *at;

	mnl_attr_for_each(at, nlh, sizeof(*nd)) {
		size_t len = mnl_attr_get_payload_len(at);
		const uint8_t *v = mnl_attr_get_payload(at);
		for (size_t i = 0; i < n->npins; i++) {
			const struct onlink_pin *p = &n->pins[i].pin;
			if (mnl_attr_get_type(at) == NDA_LLADDR && len == 6 &&
			    memcmp(v, p->mac, 6) == 0)
				return true;
			if (mnl_attr_get_type(at) == NDA_DST && len ==
			    (p->family == ADDR_V4 ? 4u : 16u) &&
			    memcmp(v, p->addr, len) == 0)
				return true;
		}
	}
	return false;
}

/* Link events: a new or changed link may need its entries, and the rest
 * of the daemon hears of it.  Route events, and neighbour events about a
 * pin, call for the on-link check. */
static void
on_link(int fd, uint32_t what, void *arg)
{
	struct neigh *n = arg;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	bool newlink = false, links = false, check = false;
	ssize_t rc;

	(void)fd;
	(void)what;
	while ((rc = mnl_socket_recvfrom(n->mon, buf, sizeof(buf))) > 0) {
		const struct nlmsghdr *nlh;
		int len = (int)rc;
		for (nlh = (const void *)buf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len))
			switch (nlh->nlmsg_type) {
			case RTM_NEWLINK:
				newlink = true;
				/* FALLTHROUGH */
			case RTM_DELLINK:
				links = true;
				break;
			case RTM_NEWROUTE:
			case RTM_DELROUTE:
				check = true;
				break;
			case RTM_NEWNEIGH:
			case RTM_DELNEIGH:
				check |= concerns_pin(n, nlh);
				break;
			}
	}
	if (rc < 0 && errno == ENOBUFS)	/* events lost: look again */
		newlink = links = check = true;
	if (newlink)
		neigh_sync(n, n->p);
	else if (check)
		check_soon(n);
	if (links && n->on_links)
		n->on_links(n->arg);
}
