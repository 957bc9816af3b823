/*
 * onlink — the route and neighbour evidence that a pinned address is on
 * the appliance's own segment (see onlink.h).
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "nl.h"
#include "onlink.h"

struct gw {
	uint8_t family, addr[16];
	int oif;
};

struct nb {
	uint8_t family, addr[16], mac[6];
	int ifindex;
	uint16_t state;
};

struct tables {
	struct gw *gw;
	size_t ngw, gwcap;
	struct nb *nb;
	size_t nnb, nbcap;
};

/* The answer to one route lookup. */
struct route {
	bool found, has_gw;
	uint8_t gw[16];
	int oif;
	uint8_t type;
};

static int
family_af(int family)
{
	return family == ADDR_V4 ? AF_INET : AF_INET6;
}

static int
af_family(int af)
{
	return af == AF_INET ? ADDR_V4 : af == AF_INET6 ? ADDR_V6 : 0;
}

static void
route_attrs(const struct nlmsghdr *m, struct route *r)
{
	const struct rtmsg *rt = mnl_nlmsg_get_payload(m);
	const struct nlattr *a;

	r->found = true;
	r->type = rt->rtm_type;
	mnl_attr_for_each(a, m, sizeof(*rt)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_GATEWAY:
			if (mnl_attr_get_payload_len(a) <= 16) {
				memset(r->gw, 0, 16);
				memcpy(r->gw, mnl_attr_get_payload(a),
				    mnl_attr_get_payload_len(a));
				r->has_gw = true;
			}
			break;
		case RTA_OIF:
			r->oif = (int)mnl_attr_get_u32(a);
			break;
		}
	}
}

static void
on_route_answer(const struct nlmsghdr *m, void *arg)
{
	if (m->nlmsg_type == RTM_NEWROUTE)
		route_attrs(m, arg);
}

/* The kernel's route to one address (as `ip route get` asks). */
static int
route_get(struct mnl_socket *nl, uint32_t *seq, const struct onlink_pin *p,
    struct route *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rt;

	memset(r, 0, sizeof(*r));
	nlh->nlmsg_type = RTM_GETROUTE;
	rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	rt->rtm_family = (uint8_t)family_af(p->family);
	rt->rtm_dst_len = p->family == ADDR_V4 ? 32 : 128;
	mnl_attr_put(nlh, RTA_DST, p->family == ADDR_V4 ? 4 : 16, p->addr);
	return nl_request(nl, nlh, seq, on_route_answer, r);
}

static int
dump_cb(const struct nlmsghdr *m, void *arg)
{
	struct tables *t = arg;
	const struct nlattr *a;

	if (m->nlmsg_type == RTM_NEWROUTE) {
		const struct rtmsg *rt = mnl_nlmsg_get_payload(m);
		struct route r;

		if (rt->rtm_table != RT_TABLE_MAIN || rt->rtm_type !=
		    RTN_UNICAST)
			return MNL_CB_OK;
		memset(&r, 0, sizeof(r));
		route_attrs(m, &r);
		if (!r.has_gw)
			return MNL_CB_OK;
		if (t->ngw == t->gwcap) {
			size_t cap = t->gwcap ? t->gwcap * 2 : 16;
			struct gw *v = realloc(t->gw, cap * sizeof(*v));
			if (v == NULL)
				return MNL_CB_ERROR;
			t->gw = v;
			t->gwcap = cap;
		}
		t->gw[t->ngw].family = (uint8_t)af_family(rt->rtm_family);
		memcpy(t->gw[t->ngw].addr, r.gw, 16);
		t->gw[t->ngw++].oif = r.oif;
	} else if (m->nlmsg_type == RTM_NEWNEIGH) {
		const struct ndmsg *nd = mnl_nlmsg_get_payload(m);
		struct nb e;
		bool dst = false, ll = false;

		memset(&e, 0, sizeof(e));
		e.family = (uint8_t)af_family(nd->ndm_family);
		e.ifindex = nd->ndm_ifindex;
		e.state = nd->ndm_state;
		mnl_attr_for_each(a, m, sizeof(*nd)) {
			size_t len = mnl_attr_get_payload_len(a);
			if (mnl_attr_get_type(a) == NDA_DST && len <= 16) {
				memcpy(e.addr, mnl_attr_get_payload(a), len);
				dst = true;
			} else if (mnl_attr_get_type(a) == NDA_LLADDR &&
			    len == 6) {
				memcpy(e.mac, mnl_attr_get_payload(a), 6);
				ll = true;
			}
		}
		if (e.family == 0 || !dst || !ll)
			return MNL_CB_OK;
		if (t->nnb == t->nbcap) {
			size_t cap = t->nbcap ? t->nbcap * 2 : 64;
			struct nb *v = realloc(t->nb, cap * sizeof(*v));
			if (v == NULL)
				return MNL_CB_ERROR;
			t->nb = v;
			t->nbcap = cap;
		}
		t->nb[t->nnb++] = e;
	}
	return MNL_CB_OK;
}

/* Dump routes or neighbours (type RTM_GETROUTE or RTM_GETNEIGH) into t. */
static int
dump(struct mnl_socket *nl, uint32_t *seq, uint16_t type, struct tables *t)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	uint32_t s = (*seq)++;
	ssize_t r;
	int rc;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = s;
	if (type == RTM_GETROUTE) {
		struct rtmsg *rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
		rt->rtm_family = AF_UNSPEC;
	} else {
		struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
		nd->ndm_family = AF_UNSPEC;
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (int tries = 0; tries < 4096; tries++) {
		if ((r = mnl_socket_recvfrom(nl, buf, sizeof(buf))) < 0)
			return -1;
		rc = mnl_cb_run(buf, (size_t)r, s, mnl_socket_get_portid(nl),
		    dump_cb, t);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc == MNL_CB_ERROR)
			return -1;
	}
	errno = ETIMEDOUT;
	return -1;
}

static const char *
ifname(int ifindex, char buf[IF_NAMESIZE])
{
	if (ifindex <= 0 || if_indextoname((unsigned)ifindex, buf) == NULL)
		snprintf(buf, IF_NAMESIZE, "%d", ifindex);
	return buf;
}

static void
verdict(struct onlink_verdict *v, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
verdict(struct onlink_verdict *v, const char *reason, const char *fmt, ...)
{
	va_list ap;

	v->off = true;
	snprintf(v->reason, sizeof(v->reason), "%s", reason);
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
}

static bool
is_gateway(const struct tables *t, int family, const uint8_t a[16])
{
	for (size_t i = 0; i < t->ngw; i++)
		if (t->gw[i].family == family && memcmp(t->gw[i].addr, a, 16) ==
		    0)
			return true;
	return false;
}

/* A neighbour entry of a route's gateway with this MAC, or NULL. */
static const struct nb *
gateway_with_mac(const struct tables *t, const uint8_t mac[6])
{
	for (size_t i = 0; i < t->nnb; i++)
		if (memcmp(t->nb[i].mac, mac, 6) == 0 &&
		    is_gateway(t, t->nb[i].family, t->nb[i].addr))
			return &t->nb[i];
	return NULL;
}

static void
judge(struct mnl_socket *nl, uint32_t *seq, const struct onlink_pin *pins,
    size_t n, size_t i, const struct tables *t, struct onlink_verdict *v)
{
	const struct onlink_pin *p = &pins[i];
	char a[64], m[MAC_STRLEN], dev[IF_NAMESIZE];
	const struct nb *g;
	struct route r;
	bool ours = false;

	memset(v, 0, sizeof(*v));
	/* no route at all (a link down): nothing to say about the pin */
	if (route_get(nl, seq, p, &r) < 0 || !r.found || r.type != RTN_UNICAST)
		return;
	for (size_t k = 0; k < p->nif; k++)
		ours |= p->ifindex[k] == r.oif;
	if (r.has_gw) {
		verdict(v, "route-via-gateway", "via %s dev %s",
		    addr_format_ip(p->family, r.gw, a, sizeof(a)),
		    ifname(r.oif, dev));
		return;
	}
	if (!ours) {
		verdict(v, "route-elsewhere", "its route leaves by %s, not an "
		    "interface of its zone", ifname(r.oif, dev));
		return;
	}
	if ((g = gateway_with_mac(t, p->mac)) != NULL) {
		verdict(v, "mac-of-gateway", "%s is the MAC of gateway %s on %s",
		    mac_format(p->mac, m, sizeof(m)), addr_format_ip(g->family,
		    g->addr, a, sizeof(a)), ifname(g->ifindex, dev));
		return;
	}
	/* the address's own entry learned a router's MAC (it was not
	 * pinned permanently) */
	for (size_t k = 0; k < t->nnb; k++) {
		const struct nb *e = &t->nb[k];
		if (e->family != p->family || memcmp(e->addr, p->addr, 16) != 0 ||
		    (e->state & NUD_PERMANENT) || memcmp(e->mac, p->mac, 6) == 0)
			continue;
		if ((g = gateway_with_mac(t, e->mac)) != NULL) {
			verdict(v, "learned-gateway-mac", "its neighbour entry "
			    "holds %s, the MAC of gateway %s",
			    mac_format(e->mac, m, sizeof(m)),
			    addr_format_ip(g->family, g->addr, a, sizeof(a)));
			return;
		}
	}
	/* one MAC for several pinned addresses of a family: a router (or
	 * proxy ARP) answering for them */
	for (size_t k = 0; k < n; k++)
		if (k != i && pins[k].family == p->family &&
		    memcmp(pins[k].mac, p->mac, 6) == 0 &&
		    memcmp(pins[k].addr, p->addr, 16) != 0) {
			verdict(v, "mac-shared", "%s is pinned for %s too: a "
			    "router answering for both?", mac_format(p->mac, m,
			    sizeof(m)), addr_format_ip(pins[k].family,
			    pins[k].addr, a, sizeof(a)));
			return;
		}
}

int
onlink_check(struct mnl_socket *nl, uint32_t *seq,
    const struct onlink_pin *pins, size_t n, struct onlink_verdict *out)
{
	struct tables t;
	int rc = 0;

	if (n == 0)
		return 0;
	memset(&t, 0, sizeof(t));
	if (dump(nl, seq, RTM_GETROUTE, &t) < 0 ||
	    dump(nl, seq, RTM_GETNEIGH, &t) < 0)
		rc = -1;
	else
		for (size_t i = 0; i < n; i++)
			judge(nl, seq, pins, n, i, &t, &out[i]);
	free(t.gw);
	free(t.nb);
	return rc;
}
