/*
 * lint — the three-layer compliance rules.
 *
 * Each rule is a function over the whole policy.  A per-flow "owned" mark
 * keeps one defect to one finding: ZL001, ZL013 and ZL016 own the flows
 * they report, and objects with ZL011/ZL008 errors never reach the other
 * rules.  A rule over a list (of hosts, of addresses) holds per element and
 * reports a list once, at its first offending element.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "lint.h"
#include "timefmt.h"

/* The clauses of the municipal policy (from the MIC guideline). */
#define CL_MN_ISOLATE \
	"policy: マイナンバー利用事務系は原則として他の領域との通信をできないようにする"
#define CL_MN_PIN \
	"policy: 通信経路の限定（MACアドレス、IPアドレス）及びアプリケーションプロトコル" \
	"（ポート番号）のレベルでの限定を行わなければならない"
#define CL_MN_PEER "policy: 外部接続先もインターネット等と接続してはならない"
#define CL_LG_SEP \
	"policy: LGWAN接続系とインターネット接続系の通信環境を分離した上で、必要な通信だけを許可"
#define CL_SANITIZE "policy: 両システム間で通信する場合には、無害化通信を実施する"
#define CL_MONITOR \
	"policy: 通信パケットの監視、ふるまい検知等の不正通信の監視機能の強化"
#define CL_CONSIST \
	"policy: フィルタリング及びルーティングについて、設定の不整合が発生しないように"
#define CL_APPROVAL "policy: 例外措置は許可を得て記録する"
#define CL_CLOSED "a closed line (Government Cloud, 住基ネット) is never connected " \
	"to the Internet"

/* A My Number crossing opens at most this many destination ports. */
#define MN_MAX_PORTS 16

const struct lint_rule lint_rules[] = {
	{ "ZL001", DIAG_ERROR, "no flow between a My Number zone and an "
	    "Internet zone" },
	{ "ZL002", DIAG_ERROR, "the My Number endpoint is one host with one "
	    "address and a MAC (beyond a closed line: one address)" },
	{ "ZL003", DIAG_ERROR, "a My Number flow has one protocol and opens at "
	    "most 16 explicit ports, or names its ICMP types" },
	{ "ZL004", DIAG_ERROR, "the peer of a My Number flow is one host, not "
	    "reachable from or reaching the Internet (unless public-system)" },
	{ "ZL005", DIAG_ERROR, "the method is allowed for the zone pair and "
	    "model" },
	{ "ZL006", DIAG_ERROR, "a sanitising method has the right endpoints, "
	    "direction and service" },
	{ "ZL007", DIAG_ERROR, "monitoring stays on while an Internet zone "
	    "exists" },
	{ "ZL008", DIAG_ERROR, "addresses lie in their zones; zones share no "
	    "interface; local networks do not overlap" },
	{ "ZL009", DIAG_WARNING, "a flow duplicates or is shadowed by another" },
	{ "ZL010", DIAG_ERROR, "My Number and LGWAN/Internet crossings carry "
	    "an approval" },
	{ "ZL011", DIAG_ERROR, "loader error: syntax, unknown key, type, value, "
	    "duplicate or dangling name" },
	{ "ZL012", DIAG_WARNING, "a sanitising method or a local breakout on an "
	    "unusual port" },
	{ "ZL013", DIAG_ERROR, "no flow between a closed zone and an Internet "
	    "zone" },
	{ "ZL014", DIAG_WARNING, "a flow is inactive: it has expired, or its "
	    "start is still to come" },
	{ "ZL015", DIAG_ERROR, "management access never comes from an Internet "
	    "zone and names its protocol" },
	{ "ZL016", DIAG_ERROR, "a flow that can never match: its ends share no "
	    "address family its services have" },
	{ "ZL017", DIAG_ERROR, "the sync link of a pair belongs to no zone and "
	    "its peer lies in no zone's network" },
	{ NULL, 0, NULL },
};

/* What the flows to or from an Internet zone cover on their other end
 * (ZL004), computed once: zones, single addresses (hashed) and networks. */
struct inet_cover {
	bool built;
	bool *zones;		/* per zone */
	int *host_flow;		/* open addressing on single addresses: */
	const struct addr_pfx **host_addr;	/* flow index by address */
	size_t hcap;
	int *net_flow;		/* networks: scanned */
	const struct addr_pfx **net_addr;
	size_t nnet, netcap;
	int *zone_flow;		/* per zone: a flow that covers it */
};

/* ZL004, one finding per peer: the first My Number flow that names it. */
struct peer_note {
	int flow;		/* -1: none */
	int line;
	int cover;		/* the flow to or from the Internet */
	int more;		/* further My Number flows to the same peer */
};

struct lint {
	struct policy *p;
	struct diag *d;
	time_t now;
	bool *owned;		/* per flow: reported by an owning rule */
	struct inet_cover cover;
	struct peer_note *peer;	/* per host */
	/* ZL008: networks already reported as overlapping, so that they are
	 * not named again in the findings of others (by zone: from off[z]) */
	bool *netrep;
	size_t *netoff;
};

static const char *
ffile(const struct lint *l, const char *file)
{
	return file ? file : l->p->file ? l->p->file : "";
}

static const char *
flow_obj(const struct flow *f, char *buf, size_t len)
{
	if (f->label)
		snprintf(buf, len, "flow \"%s\" (%s)", f->name, f->label);
	else
		snprintf(buf, len, "flow \"%s\"", f->name);
	return buf;
}

#define FLOW_OBJ(f, buf) flow_obj((f), buf, sizeof(buf))

static const char *
named_obj(const char *what, const char *name, const char *label, char *buf,
    size_t len)
{
	if (label)
		snprintf(buf, len, "%s \"%s\" (%s)", what, name, label);
	else
		snprintf(buf, len, "%s \"%s\"", what, name);
	return buf;
}

/* A finding on flow f, in its file. */
static void fdiag(struct lint *, const struct flow *, int, enum diag_severity,
    const char *, const char *, ...) __attribute__((format(printf, 6, 7)));

static void
fdiag(struct lint *l, const struct flow *f, int line, enum diag_severity sev,
    const char *id, const char *fmt, ...)
{
	char obj[256], *msg;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	diag_add(l->d, ffile(l, f->file), line, sev, id, FLOW_OBJ(f, obj), "%s",
	    msg ? msg : "(out of memory)");
	free(msg);
}

static int
line_or(int line, int fallback)
{
	return line > 0 ? line : fallback;
}

static enum zone_kind
ep_kind(const struct policy *p, const struct endpoint *e)
{
	int z = policy_endpoint_zone(p, e);
	return z >= 0 ? p->zones[z].kind : 0;
}

/* The first host an endpoint names, NULL for a zone. */
static const struct host *
ep_host(const struct policy *p, const struct endpoint *e)
{
	return e->kind == EP_HOST || e->kind == EP_HOSTS ? &p->hosts[e->idx] :
	    NULL;
}

/* Does the endpoint name hosts, each with role r? */
static bool
ep_all_role(const struct policy *p, const struct endpoint *e,
    enum host_role r)
{
	size_t n;
	const int *hv = policy_endpoint_hosts(e, &n);

	for (size_t i = 0; i < n; i++)
		if (p->hosts[hv[i]].role != r)
			return false;
	return n > 0;
}

/* Does the endpoint name hosts, each with one address? */
static bool
ep_all_single(const struct policy *p, const struct endpoint *e)
{
	size_t n;
	const int *hv = policy_endpoint_hosts(e, &n);

	for (size_t i = 0; i < n; i++)
		if (!policy_host_single(&p->hosts[hv[i]]))
			return false;
	return n > 0;
}

/* What a host is when it is not one address: "a network (10.0.0.0/8)",
 * "a list of 3 addresses". */
static const char *
host_shape(const struct host *h, char *buf, size_t len)
{
	char a[ADDR_PFX_STRLEN];

	if (h->list)
		snprintf(buf, len, "a list of %zu address%s", h->naddrs,
		    h->naddrs == 1 ? "" : "es");
	else if (h->naddrs > 0)
		snprintf(buf, len, "a network (%s)", addr_format(
		    &h->addrs[0].pfx, a, sizeof(a)));
	else
		snprintf(buf, len, "no address");
	return buf;
}

/* A flow within the My Number tier: both ends in zones of kind mynumber,
 * one of them the Government Cloud beyond a closed line. */
static bool
tier_flow(const struct policy *p, const struct flow *f)
{
	int a = policy_endpoint_zone(p, &f->from);
	int b = policy_endpoint_zone(p, &f->to);

	return a >= 0 && b >= 0 && p->zones[a].kind == ZONE_MYNUMBER &&
	    p->zones[b].kind == ZONE_MYNUMBER && (p->zones[a].closed_line ||
	    p->zones[b].closed_line);
}

/* A flow the rules may judge: no loader/address error on it or on what it
 * names, and a crossing between two zones. */
static bool
judged(const struct lint *l, size_t i)
{
	const struct flow *f = &l->p->flows[i];

	return !f->bad && !l->owned[i] && policy_endpoint_zone(l->p, &f->from) !=
	    policy_endpoint_zone(l->p, &f->to);
}

static bool
pair_is(const struct policy *p, const struct flow *f, enum zone_kind a,
    enum zone_kind b)
{
	enum zone_kind x = ep_kind(p, &f->from), y = ep_kind(p, &f->to);
	return (x == a && y == b) || (x == b && y == a);
}

static bool
touches(const struct policy *p, const struct flow *f, enum zone_kind k)
{
	return ep_kind(p, &f->from) == k || ep_kind(p, &f->to) == k;
}

/* ---------------------------------------------------------------------
 * ZL008: addresses and interfaces
 */

static void
mark_zone_bad(struct policy *p, int z)
{
	p->zones[z].bad = true;
	for (size_t i = 0; i < p->nhosts; i++)
		if (p->hosts[i].zone == z)
			p->hosts[i].bad = true;
}

/* "A of zone \"x\", B of zone \"y\" and 2 more" into buf. */
struct overlaps {
	char text[400];
	size_t n;
};

static void
overlaps_add(struct overlaps *o, const struct addr_pfx *net,
    const struct zone *z, const char *what)
{
	char a[ADDR_PFX_STRLEN];
	size_t used = strlen(o->text);

	if (o->n++ < 3)
		snprintf(o->text + used, sizeof(o->text) - used, "%s%s of %s "
		    "\"%s\"", o->n > 1 ? ", " : "", addr_format(net, a,
		    sizeof(a)), what, z->name);
}

static bool *
netrep(struct lint *l, size_t z, size_t k)
{
	static bool none;

	return l->netrep ? &l->netrep[l->netoff[z] + k] : &none;
}

static int
netrep_init(struct lint *l)
{
	size_t n = 0;

	if ((l->netoff = calloc(l->p->nzones + 1, sizeof(*l->netoff))) == NULL)
		return -1;
	for (size_t i = 0; i < l->p->nzones; i++) {
		l->netoff[i] = n;
		n += l->p->zones[i].nnets;
	}
	l->netrep = calloc(n + 1, sizeof(*l->netrep));
	return l->netrep ? 0 : -1;
}

static const char *
overlaps_more(const struct overlaps *o, char *buf, size_t len)
{
	if (o->n > 3)
		snprintf(buf, len, " and %zu more", o->n - 3);
	else
		buf[0] = '\0';
	return buf;
}

static void
zl008_zones(struct lint *l)
{
	struct policy *p = l->p;
	char a[ADDR_PFX_STRLEN], obj[256], more[32];

	for (size_t i = 0; i < p->nzones; i++) {
		struct zone *z = &p->zones[i];
		bool bad = false;

		if (z->bad)
			continue;
		named_obj("zone", z->name, z->label, obj, sizeof(obj));
		for (size_t j = 0; j < i; j++) {
			const struct zone *o = &p->zones[j];
			for (size_t k = 0; k < z->nifaces; k++)
				for (size_t m = 0; m < o->nifaces; m++)
					if (strcmp(z->ifaces[k], o->ifaces[m]) ==
					    0) {
						diag_add(l->d, ffile(l, z->file),
						    line_or(z->ifaces_line,
						    z->line), DIAG_ERROR,
						    "ZL008", obj, "interface "
						    "\"%s\" also belongs to "
						    "zone \"%s\"; each "
						    "interface is in one zone "
						    "(%s)", z->ifaces[k],
						    o->name, CL_CONSIST);
						bad = true;
					}
		}
		/* local networks do not overlap, within or across zones; a
		 * network is one defect, however many it overlaps, and a
		 * zone already reported is not named again */
		for (size_t k = 0; k < z->nnets; k++) {
			struct overlaps ov = { .n = 0 };

			for (size_t j = 0; j < p->nzones; j++) {
				const struct zone *o = &p->zones[j];
				size_t lim = j == i ? k : o->nnets;

				if (o->kind == ZONE_INTERNET)
					continue;
				if (z->kind == ZONE_INTERNET) {
					/* an Internet network entirely
					 * inside a local one */
					for (size_t m = 0; m < o->nnets; m++)
						if (!*netrep(l, j, m) &&
						    addr_contains(&o->nets[m],
						    &z->nets[k]))
							overlaps_add(&ov,
							    &o->nets[m], o,
							    "local zone");
					continue;
				}
				if (j > i)
					continue;
				for (size_t m = 0; m < lim; m++)
					if (!*netrep(l, j, m) &&
					    addr_overlap(&z->nets[k],
					    &o->nets[m]))
						overlaps_add(&ov, &o->nets[m],
						    o, "zone");
			}
			if (ov.n == 0)
				continue;
			*netrep(l, i, k) = true;
			if (z->kind == ZONE_INTERNET)
				diag_add(l->d, ffile(l, z->file),
				    line_or(z->nets_line, z->line), DIAG_ERROR,
				    "ZL008", obj, "network %s lies inside %s%s "
				    "(%s)", addr_format(&z->nets[k], a,
				    sizeof(a)), ov.text, overlaps_more(&ov,
				    more, sizeof(more)), CL_CONSIST);
			else
				diag_add(l->d, ffile(l, z->file),
				    line_or(z->nets_line, z->line), DIAG_ERROR,
				    "ZL008", obj, "network %s overlaps %s%s; "
				    "local networks must not overlap (%s)",
				    addr_format(&z->nets[k], a, sizeof(a)),
				    ov.text, overlaps_more(&ov, more,
				    sizeof(more)), CL_CONSIST);
			bad = true;
		}
		if (bad)
			mark_zone_bad(p, (int)i);
	}
}

/* Host addresses: inside their zone; an Internet host outside every local
 * network.  A host is one defect: its first offending address is named,
 * with how many more there are. */
static void
zl008_hosts(struct lint *l)
{
	struct policy *p = l->p;
	char a[ADDR_PFX_STRLEN], b[ADDR_PFX_STRLEN], obj[256], more[64];

	for (size_t i = 0; i < p->nhosts; i++) {
		struct host *h = &p->hosts[i];
		const struct zone *z;
		const struct host_addr *first = NULL;
		const struct zone *fz = NULL;
		const struct addr_pfx *fnet = NULL;
		size_t nbad = 0;

		if (h->bad || h->zone < 0)
			continue;
		z = &p->zones[h->zone];
		named_obj("host", h->name, h->label, obj, sizeof(obj));
		for (size_t e = 0; e < h->naddrs; e++) {
			bool inside = false;
			for (size_t k = 0; k < z->nnets && !inside; k++)
				inside = addr_contains(&z->nets[k],
				    &h->addrs[e].pfx);
			if (!inside && nbad++ == 0)
				first = &h->addrs[e];
		}
		if (first != NULL) {
			if (nbad > 1)
				snprintf(more, sizeof(more), " (and %zu more of "
				    "its addresses)", nbad - 1);
			else
				more[0] = '\0';
			diag_add(l->d, ffile(l, first->file), line_or(
			    first->line, h->line), DIAG_ERROR, "ZL008", obj,
			    "address %s lies outside the networks of its zone "
			    "\"%s\"%s (%s)", addr_format(&first->pfx, a,
			    sizeof(a)), z->name, more, CL_CONSIST);
			h->bad = true;
			continue;
		}
		if (z->kind != ZONE_INTERNET)
			continue;
		for (size_t e = 0; e < h->naddrs; e++) {
			const struct addr_pfx *hit = NULL;
			const struct zone *hz = NULL;
			for (size_t j = 0; j < p->nzones && hit == NULL; j++) {
				const struct zone *o = &p->zones[j];
				if (o->kind == ZONE_INTERNET)
					continue;
				for (size_t k = 0; k < o->nnets && !hit; k++)
					if (!*netrep(l, j, k) &&
					    addr_overlap(&o->nets[k],
					    &h->addrs[e].pfx)) {
						hit = &o->nets[k];
						hz = o;
					}
			}
			if (hit && nbad++ == 0) {
				first = &h->addrs[e];
				fnet = hit;
				fz = hz;
			}
		}
		if (first == NULL)
			continue;
		if (nbad > 1)
			snprintf(more, sizeof(more), " (and %zu more of its "
			    "addresses)", nbad - 1);
		else
			more[0] = '\0';
		diag_add(l->d, ffile(l, first->file), line_or(first->line,
		    h->line), DIAG_ERROR, "ZL008", obj, "address %s of an "
		    "Internet-zone host %s network %s of zone \"%s\"%s "
		    "(%s)", addr_format(&first->pfx, a, sizeof(a)),
		    addr_contains(fnet, &first->pfx) ? "lies inside" :
		    "covers",
		    addr_format(fnet, b, sizeof(b)), fz->name, more,
		    CL_CONSIST);
		h->bad = true;
	}
}

/* A host beyond the closed line of the My Number tier has no MAC the
 * appliance could check (it sees the line's router): a mac there would pin
 * the router.  One finding on the host; it is left out of the other
 * rules. */
static void
zl002_hosts(struct lint *l)
{
	struct policy *p = l->p;
	char obj[256];

	for (size_t i = 0; i < p->nhosts; i++) {
		struct host *h = &p->hosts[i];

		if (h->bad || h->zone < 0 || !h->has_mac ||
		    !p->zones[h->zone].closed_line)
			continue;
		diag_add(l->d, ffile(l, h->file), line_or(h->mac_line,
		    h->line), DIAG_ERROR, "ZL002", named_obj("host", h->name,
		    h->label, obj, sizeof(obj)), "lies beyond the closed line "
		    "of zone \"%s\": the appliance sees the line's router, "
		    "never this host's MAC, so a MAC cannot pin it; leave "
		    "\"mac\" out (the closed line and the host's one address "
		    "are its pin) (%s)", p->zones[h->zone].name, CL_MN_PIN);
		h->bad = true;
	}
}

/* A flow naming a bad object is left out of the other rules. */
static void
propagate_bad(struct policy *p)
{
	for (size_t i = 0; i < p->nflows; i++) {
		struct flow *f = &p->flows[i];
		const struct endpoint *e[2] = { &f->from, &f->to };

		for (int k = 0; k < 2; k++) {
			size_t n;
			const int *hv = policy_endpoint_hosts(e[k], &n);

			for (size_t j = 0; j < n; j++)
				if (p->hosts[hv[j]].bad)
					f->bad = true;
			if (e[k]->kind == EP_ZONE && p->zones[e[k]->idx].bad)
				f->bad = true;
			if (e[k]->kind == EP_NONE)
				f->bad = true;
		}
		for (size_t k = 0; k < f->nservices; k++)
			if (p->services[f->services[k]].bad)
				f->bad = true;
	}
}

/* ---------------------------------------------------------------------
 * ZL001, ZL013: the flows that must not exist at all
 */

static void
zl001_zl013(struct lint *l)
{
	struct policy *p = l->p;

	for (size_t i = 0; i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];

		if (!judged(l, i))
			continue;
		if (pair_is(p, f, ZONE_MYNUMBER, ZONE_INTERNET)) {
			fdiag(l, f, f->line, DIAG_ERROR, "ZL001", "the My Number "
			    "zone must never communicate with an Internet zone, "
			    "in either direction, not even as an exception (%s)",
			    CL_MN_ISOLATE);
			l->owned[i] = true;
		} else if (pair_is(p, f, ZONE_CLOSED, ZONE_INTERNET)) {
			fdiag(l, f, f->line, DIAG_ERROR, "ZL013", "a closed zone "
			    "must never communicate with an Internet zone (%s)",
			    CL_CLOSED);
			l->owned[i] = true;
		}
	}
}

/* ---------------------------------------------------------------------
 * ZL016: a flow that can never match
 */

/* Does a service of f apply to packets of this family? */
static bool
services_family(const struct policy *p, const struct flow *f, int fam)
{
	for (size_t k = 0; k < f->nservices; k++) {
		const struct service *s = &p->services[f->services[k]];
		if (s->any_proto || (s->proto != PROTO_ICMP &&
		    s->proto != PROTO_ICMPV6) || (s->proto == PROTO_ICMP) ==
		    (fam == ADDR_V4))
			return true;
	}
	return false;
}

static const char *
families(const struct policy *p, const struct endpoint *e)
{
	bool v4 = policy_endpoint_has_family(p, e, ADDR_V4);
	bool v6 = policy_endpoint_has_family(p, e, ADDR_V6);

	return v4 && v6 ? "IPv4 and IPv6" : v4 ? "IPv4 only" : v6 ?
	    "IPv6 only" : "no address";
}

static void
zl016(struct lint *l)
{
	struct policy *p = l->p;
	char a[160], b[160];

	for (size_t i = 0; i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];
		bool ends = false, svc = false;

		if (f->bad || l->owned[i])
			continue;
		for (int fam = ADDR_V4; fam <= ADDR_V6; fam += 2) {
			if (!policy_endpoint_has_family(p, &f->from, fam) ||
			    !policy_endpoint_has_family(p, &f->to, fam))
				continue;
			ends = true;
			svc |= services_family(p, f, fam);
		}
		if (svc)
			continue;
		if (!ends)
			fdiag(l, f, line_or(f->to_line, f->line), DIAG_ERROR,
			    "ZL016", "permits nothing: its ends share no address "
			    "family (%s is %s, %s is %s); no packet can match "
			    "it and nothing is generated for it (%s)",
			    policy_endpoint_name(p, &f->from, a, sizeof(a)),
			    families(p, &f->from), policy_endpoint_name(p,
			    &f->to, b, sizeof(b)), families(p, &f->to),
			    CL_CONSIST);
		else
			fdiag(l, f, line_or(f->service_line, f->line),
			    DIAG_ERROR, "ZL016", "permits nothing: its services "
			    "are of one ICMP family and its ends share only the "
			    "other (icmp is IPv4, icmpv6 is IPv6) (%s)",
			    CL_CONSIST);
		l->owned[i] = true;
	}
}

/* ---------------------------------------------------------------------
 * ZL002, ZL003, ZL004: My Number crossings are pinned
 */

static void
zl002_endpoint(struct lint *l, const struct flow *f, const struct endpoint *e,
    int line)
{
	const struct policy *p = l->p;
	char shape[64], a[ADDR_PFX_STRLEN];
	size_t n;
	const int *hv;

	if (ep_kind(p, e) != ZONE_MYNUMBER)
		return;
	if (tier_flow(p, f)) {
		/* within the tier: networks and ports, no MAC */
		if (e->kind == EP_ZONE)
			fdiag(l, f, line, DIAG_ERROR, "ZL002", "a flow within "
			    "the My Number tier names its networks (hosts with "
			    "addresses, networks or lists), not the whole zone "
			    "\"%s\" (%s)", p->zones[e->idx].name, CL_MN_PIN);
		return;
	}
	if (e->kind == EP_ZONE) {
		fdiag(l, f, line, DIAG_ERROR, "ZL002", "the My Number endpoint "
		    "is the whole zone \"%s\"; it must be one host pinned by "
		    "address and MAC (%s)", p->zones[e->idx].name, CL_MN_PIN);
		return;
	}
	hv = policy_endpoint_hosts(e, &n);
	for (size_t i = 0; i < n; i++) {
		const struct host *h = &p->hosts[hv[i]];
		const struct addr_pfx *pf = &h->addrs[0].pfx;

		if (p->zones[h->zone].closed_line) {
			if (!policy_host_single(h)) {
				fdiag(l, f, line, DIAG_ERROR, "ZL002", "the My "
				    "Number endpoint \"%s\" beyond the closed line "
				    "of zone \"%s\" is %s; it must be one address "
				    "(/%d) (%s)", h->name, p->zones[h->zone].name,
				    host_shape(h, shape, sizeof(shape)),
				    addr_bits(pf), CL_MN_PIN);
				return;
			}
		} else if (h->list) {
			fdiag(l, f, line, DIAG_ERROR, "ZL002", "the My Number "
			    "endpoint \"%s\" is %s; it must be one address (/%d) "
			    "with its MAC (%s)", h->name, host_shape(h, shape,
			    sizeof(shape)), addr_bits(pf), CL_MN_PIN);
			return;
		} else if (!addr_is_host(pf)) {
			fdiag(l, f, line, DIAG_ERROR, "ZL002", "the My Number "
			    "endpoint \"%s\" is a network (%s); it must be one "
			    "address (/%d) with its MAC (%s)", h->name,
			    addr_format(pf, a, sizeof(a)), addr_bits(pf),
			    CL_MN_PIN);
			return;
		} else if (!h->has_mac) {
			fdiag(l, f, line, DIAG_ERROR, "ZL002", "the My Number "
			    "endpoint \"%s\" has no MAC; it must be pinned by "
			    "address and MAC (%s)", h->name, CL_MN_PIN);
			return;
		}
	}
}

static int
range_cmp(const void *a, const void *b)
{
	const struct port_range *x = a, *y = b;

	return (int)x->lo - (int)y->lo;
}

static void
zl003_services(struct lint *l, const struct flow *f)
{
	const struct policy *p = l->p;
	int line = line_or(f->service_line, f->line);
	struct port_range *v;
	size_t nv = 0, cap = 0, out = 0;
	unsigned total = 0;
	int proto = -1;
	char list[200] = "";

	for (size_t k = 0; k < f->nservices; k++) {
		const struct service *s = &p->services[f->services[k]];

		if (s->any_proto) {
			fdiag(l, f, line, DIAG_ERROR, "ZL003", "service \"%s\" "
			    "allows every protocol; a My Number crossing names "
			    "exactly one protocol (%s)", s->name, CL_MN_PIN);
			return;
		}
		if (proto >= 0 && proto != s->proto) {
			fdiag(l, f, line, DIAG_ERROR, "ZL003", "services mix %s "
			    "and %s; a My Number crossing names exactly one "
			    "protocol (%s)", policy_proto_str((uint8_t)proto,
			    false), policy_proto_str(s->proto, false),
			    CL_MN_PIN);
			return;
		}
		proto = s->proto;
		if (s->proto == PROTO_ICMP || s->proto == PROTO_ICMPV6) {
			if (s->ntypes == 0) {
				fdiag(l, f, line, DIAG_ERROR, "ZL003", "service "
				    "\"%s\" allows every ICMP type; a My Number "
				    "crossing names its types (%s)", s->name,
				    CL_MN_PIN);
				return;
			}
			continue;
		}
		if (s->nports == 0) {
			fdiag(l, f, line, DIAG_ERROR, "ZL003", "service \"%s\" "
			    "allows every port; a My Number crossing names its "
			    "destination ports (%s)", s->name, CL_MN_PIN);
			return;
		}
		cap += s->nports;
	}
	if (cap == 0)
		return;
	/* the limit is on the ports the crossing opens, all ranges of all
	 * its services together (overlaps counted once) */
	if ((v = calloc(cap, sizeof(*v))) == NULL) {
		l->d->oom = 1;
		return;
	}
	for (size_t k = 0; k < f->nservices; k++) {
		const struct service *s = &p->services[f->services[k]];
		for (size_t r = 0; r < s->nports; r++)
			v[nv++] = s->ports[r];
	}
	qsort(v, nv, sizeof(*v), range_cmp);
	for (size_t i = 1; i < nv; i++) {
		if (v[i].lo <= (uint32_t)v[out].hi + 1) {
			if (v[i].hi > v[out].hi)
				v[out].hi = v[i].hi;
		} else
			v[++out] = v[i];
	}
	nv = out + 1;
	for (size_t i = 0; i < nv; i++) {
		size_t used = strlen(list);
		total += v[i].hi - v[i].lo + 1u;
		if (i < 6 && used + 1 < sizeof(list)) {
			if (v[i].lo == v[i].hi)
				snprintf(list + used, sizeof(list) - used,
				    "%s%u", i ? ", " : "", v[i].lo);
			else
				snprintf(list + used, sizeof(list) - used,
				    "%s%u-%u", i ? ", " : "", v[i].lo, v[i].hi);
		} else if (i == 6 && used + 1 < sizeof(list))
			snprintf(list + used, sizeof(list) - used, ", ...");
	}
	free(v);
	if (total > MN_MAX_PORTS)
		fdiag(l, f, line, DIAG_ERROR, "ZL003", "opens %u %s ports (%s); "
		    "a My Number crossing opens at most %d destination ports, "
		    "all its ranges together (%s)", total,
		    policy_proto_str((uint8_t)proto, false), list, MN_MAX_PORTS,
		    CL_MN_PIN);
}

static uint32_t
pfx_hash(const struct addr_pfx *a)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ a->a[i]) * 16777619u;
	return h ^ a->family;
}

static void
cover_free(struct inet_cover *c)
{
	free(c->zones);
	free(c->zone_flow);
	free(c->host_flow);
	free(c->host_addr);
	free(c->net_flow);
	free(c->net_addr);
	memset(c, 0, sizeof(*c));
}

static int
cover_net(struct inet_cover *c, const struct addr_pfx *a, int j)
{
	if (c->nnet == c->netcap) {
		size_t cap = c->netcap ? c->netcap * 2 : 64;
		void *nf = realloc(c->net_flow, cap * sizeof(*c->net_flow));
		void *na;
		if (nf == NULL)
			return -1;
		c->net_flow = nf;
		if ((na = realloc(c->net_addr, cap * sizeof(*c->net_addr))) ==
		    NULL)
			return -1;
		c->net_addr = na;
		c->netcap = cap;
	}
	c->net_addr[c->nnet] = a;
	c->net_flow[c->nnet++] = j;
	return 0;
}

/* Flows with an Internet end, by what their other end covers.  A flow
 * that ZL001, ZL013 or ZL016 reported is left out: it is its own finding,
 * and the peers it would cover are not a second defect. */
static int
cover_build(struct lint *l)
{
	const struct policy *p = l->p;
	struct inet_cover *c = &l->cover;
	size_t naddr = 0;

	c->built = true;
	for (size_t i = 0; i < p->nhosts; i++)
		naddr += p->hosts[i].naddrs;
	c->hcap = 16;
	while (c->hcap < naddr * 2)
		c->hcap *= 2;
	c->zones = calloc(p->nzones + 1, sizeof(*c->zones));
	c->zone_flow = calloc(p->nzones + 1, sizeof(*c->zone_flow));
	c->host_flow = calloc(c->hcap, sizeof(*c->host_flow));
	c->host_addr = calloc(c->hcap, sizeof(*c->host_addr));
	if (!c->zones || !c->zone_flow || !c->host_flow || !c->host_addr)
		return -1;
	for (size_t j = 0; j < p->nflows; j++) {
		const struct flow *g = &p->flows[j];
		const struct endpoint *other;
		const int *hv;
		size_t nh;

		if (g->bad || l->owned[j])
			continue;
		if (ep_kind(p, &g->from) == ZONE_INTERNET)
			other = &g->to;
		else if (ep_kind(p, &g->to) == ZONE_INTERNET)
			other = &g->from;
		else
			continue;
		if (other->kind == EP_ZONE) {
			if (!c->zones[other->idx]) {
				c->zones[other->idx] = true;
				c->zone_flow[other->idx] = (int)j;
			}
			continue;
		}
		hv = policy_endpoint_hosts(other, &nh);
		for (size_t h = 0; h < nh; h++) {
			const struct host *ho = &p->hosts[hv[h]];
			for (size_t e = 0; e < ho->naddrs; e++) {
				const struct addr_pfx *a = &ho->addrs[e].pfx;
				size_t k;

				if (!addr_is_host(a)) {
					if (cover_net(c, a, (int)j) < 0)
						return -1;
					continue;
				}
				k = pfx_hash(a) & (c->hcap - 1);
				while (c->host_addr[k] &&
				    !addr_equal(c->host_addr[k], a))
					k = (k + 1) & (c->hcap - 1);
				if (c->host_addr[k] == NULL) {
					c->host_addr[k] = a;
					c->host_flow[k] = (int)j;
				}
			}
		}
	}
	return 0;
}

/* A flow to or from an Internet zone whose other end covers an address of
 * host h (a zone or network that contains it counts), or -1. */
static int
inet_cover_of(struct lint *l, const struct host *h)
{
	struct inet_cover *c = &l->cover;

	if (!c->built && cover_build(l) < 0) {
		l->d->oom = 1;
		return -1;
	}
	if (c->zones == NULL || c->host_addr == NULL)
		return -1;
	if (h->zone >= 0 && c->zones[h->zone])
		return c->zone_flow[h->zone];
	for (size_t e = 0; e < h->naddrs; e++) {
		const struct addr_pfx *a = &h->addrs[e].pfx;
		for (size_t k = pfx_hash(a) & (c->hcap - 1); c->host_addr[k];
		    k = (k + 1) & (c->hcap - 1))
			if (addr_equal(c->host_addr[k], a))
				return c->host_flow[k];
		for (size_t i = 0; i < c->nnet; i++)
			if (addr_contains(c->net_addr[i], a))
				return c->net_flow[i];
	}
	return -1;
}

static void
zl004_peer(struct lint *l, size_t fi, const struct endpoint *e, int line)
{
	const struct policy *p = l->p;
	const struct flow *f = &p->flows[fi];
	char shape[64];
	const int *hv;
	size_t n;

	if (ep_kind(p, e) == ZONE_MYNUMBER)
		return;
	if (e->kind == EP_ZONE) {
		fdiag(l, f, line, DIAG_ERROR, "ZL004", "the peer of a My Number "
		    "crossing is the whole zone \"%s\"; it must be one host with "
		    "one address (%s)", p->zones[e->idx].name, CL_MN_PIN);
		return;
	}
	hv = policy_endpoint_hosts(e, &n);
	for (size_t i = 0; i < n; i++) {
		const struct host *h = &p->hosts[hv[i]];
		if (!policy_host_single(h)) {
			fdiag(l, f, line, DIAG_ERROR, "ZL004", "the peer \"%s\" "
			    "of a My Number crossing is %s; it must be one "
			    "address (%s)", h->name, host_shape(h, shape,
			    sizeof(shape)), CL_MN_PIN);
			return;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct host *h = &p->hosts[hv[i]];
		struct peer_note *pn = &l->peer[hv[i]];
		int j;

		if (h->role == ROLE_PUBLIC_SYSTEM || (j = inet_cover_of(l, h)) <
		    0)
			continue;
		/* one peer that talks to the Internet is one defect,
		 * however many My Number flows name it */
		if (pn->flow < 0) {
			pn->flow = (int)fi;
			pn->line = line;
			pn->cover = j;
		} else
			pn->more++;
	}
}

static void
zl004_report(struct lint *l)
{
	const struct policy *p = l->p;
	char a[ADDR_PFX_STRLEN], more[96];

	for (size_t i = 0; i < p->nhosts; i++) {
		const struct peer_note *pn = &l->peer[i];
		const struct host *h = &p->hosts[i];
		const struct flow *g;

		if (pn->flow < 0)
			continue;
		g = &p->flows[pn->cover];
		if (pn->more > 0)
			snprintf(more, sizeof(more), "; it is also the peer of "
			    "%d more My Number flow%s", pn->more, pn->more == 1 ?
			    "" : "s");
		else
			more[0] = '\0';
		fdiag(l, &p->flows[pn->flow], pn->line, DIAG_ERROR, "ZL004",
		    "the peer \"%s\" (%s) also talks to the Internet through "
		    "flow \"%s\" (line %d); the external peer of a My Number "
		    "crossing must not (%s), unless it is a system of a "
		    "national public body (role = \"public-system\")%s",
		    h->name, addr_format(&h->addrs[0].pfx, a, sizeof(a)),
		    g->name, g->line, CL_MN_PEER, more);
	}
}

static void
zl002_zl004(struct lint *l)
{
	struct policy *p = l->p;

	l->peer = calloc(p->nhosts + 1, sizeof(*l->peer));
	if (l->peer == NULL) {
		l->d->oom = 1;
		return;
	}
	for (size_t i = 0; i < p->nhosts; i++)
		l->peer[i].flow = -1;
	for (size_t i = 0; i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];
		int lf = line_or(f->from_line, f->line);
		int lt = line_or(f->to_line, f->line);

		if (!judged(l, i) || !touches(p, f, ZONE_MYNUMBER))
			continue;
		zl002_endpoint(l, f, &f->from, lf);
		zl002_endpoint(l, f, &f->to, lt);
		zl003_services(l, f);
		zl004_peer(l, i, &f->from, lf);
		zl004_peer(l, i, &f->to, lt);
	}
	zl004_report(l);
}

/* ---------------------------------------------------------------------
 * ZL005: methods per zone pair and model
 */

/* Returns true when the method is allowed (ZL006/ZL012 may then judge). */
static bool
zl005_flow(struct lint *l, const struct flow *f)
{
	const struct policy *p = l->p;
	int line = line_or(f->method_line, f->line);
	const char *m = policy_method_str(f->method);

	if (touches(p, f, ZONE_MYNUMBER)) {
		if (f->method == METHOD_SPECIFIC)
			return true;
		fdiag(l, f, line, DIAG_ERROR, "ZL005",
		    "a My Number crossing uses method = \"specific\" "
		    "(特定通信), not \"%s\" (%s)", m, CL_MN_PIN);
		return false;
	}
	if (f->method == METHOD_SPECIFIC) {
		fdiag(l, f, line, DIAG_ERROR, "ZL005",
		    "method \"specific\" (特定通信) is for My Number crossings "
		    "only (%s)", CL_MN_PIN);
		return false;
	}
	if (pair_is(p, f, ZONE_LGWAN, ZONE_INTERNET)) {
		switch (f->method) {
		case METHOD_MAIL_TEXT:
		case METHOD_SCREEN_TRANSFER:
		case METHOD_FILE_SANITIZE:
			return true;
		case METHOD_CLOUD_LBO:
			if (p->model == MODEL_ALPHA_PRIME)
				return true;
			if (p->model == 0)
				return false;	/* the model's ZL011 says it */
			fdiag(l, f, line, DIAG_ERROR, "ZL005",
			    "method \"cloud-lbo\" exists only in the "
			    "alpha-prime model (this policy is %s; %s)",
			    policy_model_str(p->model), CL_SANITIZE);
			return false;
		default:
			fdiag(l, f, line, DIAG_ERROR, "ZL005",
			    "a crossing between LGWAN and the Internet must "
			    "name its sanitising method (mail-text, "
			    "screen-transfer, file-sanitize%s), not \"%s\" "
			    "(%s; %s)", p->model == MODEL_ALPHA_PRIME ?
			    ", cloud-lbo" : "", m, CL_LG_SEP, CL_SANITIZE);
			return false;
		}
	}
	if (f->method != METHOD_DIRECT) {
		fdiag(l, f, line, DIAG_ERROR, "ZL005",
		    "method \"%s\" applies to crossings between LGWAN and the "
		    "Internet only; this flow runs %s -> %s (%s)", m,
		    policy_zone_kind_str(ep_kind(p, &f->from)),
		    policy_zone_kind_str(ep_kind(p, &f->to)), CL_SANITIZE);
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------------
 * ZL006, ZL012: sanitising methods
 */

static bool
services_within(const struct policy *p, const struct flow *f, uint8_t proto,
    const uint16_t *ports, size_t nports, bool any_l4)
{
	for (size_t k = 0; k < f->nservices; k++) {
		const struct service *s = &p->services[f->services[k]];

		if (s->any_proto || s->nports == 0)
			return false;
		if (any_l4 ? (s->proto != PROTO_TCP && s->proto != PROTO_UDP) :
		    s->proto != proto)
			return false;
		for (size_t r = 0; r < s->nports; r++)
			for (uint32_t v = s->ports[r].lo; v <= s->ports[r].hi;
			    v++) {
				bool ok = false;
				for (size_t j = 0; j < nports && !ok; j++)
					ok = ports[j] == v;
				if (!ok)
					return false;
			}
	}
	return true;
}

static const uint16_t smtp_ports[] = { 25, 465, 587 };
static const uint16_t https_ports[] = { 443 };
static const uint16_t screen_ports[] = { 3389, 1494, 2598, 443, 8443, 4172 };

/* Generic file-sharing and remote-execution protocols: a sanitiser that
 * delivers into LGWAN over one of them opens the LGWAN host to more than
 * the sanitised file. */
static const struct generic {
	uint8_t proto;
	uint16_t lo, hi;
	const char *what;
} generic_ports[] = {
	{ PROTO_TCP, 20, 21, "FTP" },
	{ PROTO_TCP, 22, 22, "SSH (SFTP, SCP)" },
	{ PROTO_TCP, 80, 80, "plain HTTP (WebDAV)" },
	{ PROTO_TCP, 111, 111, "NFS (portmapper)" },
	{ PROTO_UDP, 111, 111, "NFS (portmapper)" },
	{ PROTO_UDP, 137, 138, "SMB (NetBIOS)" },
	{ PROTO_TCP, 139, 139, "SMB (NetBIOS)" },
	{ PROTO_TCP, 445, 445, "SMB" },
	{ PROTO_TCP, 990, 990, "FTPS" },
	{ PROTO_TCP, 2049, 2049, "NFS" },
	{ PROTO_UDP, 2049, 2049, "NFS" },
	{ PROTO_TCP, 5985, 5986, "WinRM" },
	{ PROTO_TCP, 8080, 8080, "plain HTTP (WebDAV)" },
};

/* Does a service of f carry a generic protocol?  Names it into what. */
static bool
generic_service(const struct policy *p, const struct flow *f, char *what,
    size_t len)
{
	for (size_t k = 0; k < f->nservices; k++) {
		const struct service *s = &p->services[f->services[k]];

		if (s->any_proto || ((s->proto == PROTO_TCP ||
		    s->proto == PROTO_UDP) && s->nports == 0)) {
			snprintf(what, len, "service \"%s\" (every %s port, SMB "
			    "and SSH among them)", s->name, s->any_proto ?
			    "protocol and" : policy_proto_str(s->proto, false));
			return true;
		}
		for (size_t g = 0; g < sizeof(generic_ports) /
		    sizeof(generic_ports[0]); g++) {
			const struct generic *gp = &generic_ports[g];
			if (s->proto != gp->proto)
				continue;
			for (size_t r = 0; r < s->nports; r++)
				if (s->ports[r].lo <= gp->hi &&
				    s->ports[r].hi >= gp->lo) {
					snprintf(what, len, "%s (service \"%s\", "
					    "%s/%u)", gp->what, s->name,
					    policy_proto_str(gp->proto, false),
					    s->ports[r].lo > gp->lo ?
					    s->ports[r].lo : gp->lo);
					return true;
				}
		}
	}
	return false;
}

/* A file sanitiser on the Internet side hands files into LGWAN: to named
 * hosts of one address, and over a generic protocol only when the flow
 * names the product that delivers that way.  true when it passed. */
static bool
zl006_sanitize_in(struct lint *l, const struct flow *f)
{
	const struct policy *p = l->p;
	char what[160], shape[64];
	const int *hv;
	size_t n;

	if (ep_kind(p, &f->from) != ZONE_INTERNET ||
	    !ep_all_role(p, &f->from, ROLE_FILE_SANITIZER))
		return true;
	if (!ep_all_single(p, &f->to)) {
		const struct host *bad = NULL;
		hv = policy_endpoint_hosts(&f->to, &n);
		for (size_t i = 0; i < n && bad == NULL; i++)
			if (!policy_host_single(&p->hosts[hv[i]]))
				bad = &p->hosts[hv[i]];
		if (bad)
			snprintf(what, sizeof(what), "\"%s\", %s", bad->name,
			    host_shape(bad, shape, sizeof(shape)));
		else
			snprintf(what, sizeof(what), "the whole zone \"%s\"",
			    p->zones[f->to.idx].name);
		fdiag(l, f, line_or(f->to_line, f->line), DIAG_ERROR, "ZL006",
		    "the file sanitiser hands files into LGWAN to named hosts "
		    "of one address each, never to %s (%s; %s)", what,
		    CL_SANITIZE, CL_LG_SEP);
		return false;
	}
	if (f->product == NULL && generic_service(p, f, what, sizeof(what))) {
		fdiag(l, f, line_or(f->service_line, f->line), DIAG_ERROR,
		    "ZL006", "the file sanitiser hands files into LGWAN over %s, "
		    "a generic file-sharing or remote-execution protocol that "
		    "opens the LGWAN host to more than the sanitised file; it is "
		    "allowed only when the flow names the sanitiser product that "
		    "delivers this way (product = \"...\") and carries its "
		    "approval (%s; %s)", what, CL_SANITIZE, CL_LG_SEP);
		return false;
	}
	return true;
}

/* Returns true when the flow passed (ZL012 may then judge it). */
static bool
zl006_flow(struct lint *l, const struct flow *f)
{
	const struct policy *p = l->p;
	const struct endpoint *inet, *lg;
	const struct host *hi, *hl;
	enum zone_kind terminal;
	char a[ADDR_PFX_STRLEN];
	int line = line_or(f->method_line, f->line);

	if (ep_kind(p, &f->from) == ZONE_INTERNET) {
		inet = &f->from;
		lg = &f->to;
	} else {
		inet = &f->to;
		lg = &f->from;
	}
	hi = ep_host(p, inet);
	hl = ep_host(p, lg);
	switch (f->method) {
	case METHOD_MAIL_TEXT:
		if (!ep_all_role(p, inet, ROLE_MAIL_RELAY)) {
			fdiag(l, f, line, DIAG_ERROR, "ZL006", "mail-text runs "
			    "between a host with role = \"mail-relay\" in the "
			    "Internet zone and one LGWAN host; the Internet end "
			    "here is %s (%s)", hi ? hi->name : "a whole zone",
			    CL_SANITIZE);
			return false;
		}
		if (lg->kind != EP_HOST || !policy_host_single(hl)) {
			fdiag(l, f, line, DIAG_ERROR, "ZL006", "mail-text runs "
			    "to or from one LGWAN mail server with one address, "
			    "not %s (%s)", hl == NULL ? "a whole zone" :
			    lg->kind == EP_HOSTS ? "a list of hosts" : hl->list ?
			    "an address list" : "a network", CL_SANITIZE);
			return false;
		}
		if (!services_within(p, f, PROTO_TCP, smtp_ports,
		    sizeof(smtp_ports) / sizeof(smtp_ports[0]), false)) {
			fdiag(l, f, line_or(f->service_line, f->line),
			    DIAG_ERROR, "ZL006", "mail-text carries SMTP only "
			    "(TCP 25, 465, 587) (%s)", CL_SANITIZE);
			return false;
		}
		return true;
	case METHOD_SCREEN_TRANSFER:
		if (p->model == 0)
			return false;	/* no model: the direction is unknown */
		terminal = p->model == MODEL_BETA || p->model ==
		    MODEL_BETA_PRIME ? ZONE_INTERNET : ZONE_LGWAN;
		if (ep_kind(p, &f->from) != terminal) {
			fdiag(l, f, line_or(f->from_line, f->line), DIAG_ERROR,
			    "ZL006", "in the %s model screen transfer runs from "
			    "the terminals in the %s zone to the screen-transfer "
			    "server on the other side; this flow runs the other "
			    "way (%s)", policy_model_str(p->model),
			    policy_zone_kind_str(terminal), CL_SANITIZE);
			return false;
		}
		if (!ep_all_role(p, &f->to, ROLE_SCREEN_TRANSFER)) {
			fdiag(l, f, line_or(f->to_line, f->line), DIAG_ERROR,
			    "ZL006", "screen transfer goes to a host with role = "
			    "\"screen-transfer\"; %s has none (%s)",
			    ep_host(p, &f->to) ? ep_host(p, &f->to)->name :
			    "a whole zone", CL_SANITIZE);
			return false;
		}
		return true;
	case METHOD_FILE_SANITIZE:
		if (!ep_all_role(p, inet, ROLE_FILE_SANITIZER) &&
		    !ep_all_role(p, lg, ROLE_FILE_SANITIZER)) {
			fdiag(l, f, line, DIAG_ERROR, "ZL006", "file-sanitize has "
			    "a host with role = \"file-sanitizer\" as one "
			    "endpoint; this flow has none (%s)", CL_SANITIZE);
			return false;
		}
		return zl006_sanitize_in(l, f);
	case METHOD_CLOUD_LBO:
		if (ep_kind(p, &f->from) != ZONE_LGWAN) {
			fdiag(l, f, line_or(f->from_line, f->line), DIAG_ERROR,
			    "ZL006", "cloud-lbo runs from LGWAN to named cloud "
			    "services, never into LGWAN (%s)", CL_LG_SEP);
			return false;
		}
		if (hi == NULL) {
			fdiag(l, f, line_or(f->to_line, f->line), DIAG_ERROR,
			    "ZL006", "cloud-lbo goes to named hosts (addresses "
			    "or networks), never to a whole Internet zone (%s)",
			    CL_LG_SEP);
			return false;
		} else {
			size_t n;
			const int *hv = policy_endpoint_hosts(inet, &n);
			for (size_t i = 0; i < n; i++) {
				const struct host *h = &p->hosts[hv[i]];
				for (size_t e = 0; e < h->naddrs; e++) {
					if (h->addrs[e].pfx.len > 0)
						continue;
					fdiag(l, f, line_or(f->to_line, f->line),
					    DIAG_ERROR, "ZL006", "cloud-lbo goes "
					    "to named hosts (addresses or "
					    "networks), never to %s (%s)",
					    addr_format(&h->addrs[e].pfx, a,
					    sizeof(a)), CL_LG_SEP);
					return false;
				}
			}
		}
		for (size_t k = 0; k < f->nservices; k++) {
			const struct service *s = &p->services[f->services[k]];
			if (s->any_proto || ((s->proto == PROTO_TCP ||
			    s->proto == PROTO_UDP || s->proto == PROTO_SCTP) &&
			    s->nports == 0)) {
				fdiag(l, f, line_or(f->service_line, f->line),
				    DIAG_ERROR, "ZL006", "cloud-lbo carries the "
				    "services the named cloud service publishes, "
				    "with explicit ports; service \"%s\" allows "
				    "every %s (%s)", s->name, s->any_proto ?
				    "protocol" : "port", CL_LG_SEP);
				return false;
			}
		}
		return true;
	default:
		return true;
	}
}

static void
zl012_flow(struct lint *l, const struct flow *f)
{
	const struct policy *p = l->p;

	if (f->method == METHOD_SCREEN_TRANSFER &&
	    !services_within(p, f, 0, screen_ports,
	    sizeof(screen_ports) / sizeof(screen_ports[0]), true))
		fdiag(l, f, line_or(f->service_line, f->line), DIAG_WARNING,
		    "ZL012", "screen transfer on an unusual port (expected RDP "
		    "3389, ICA 1494/2598, Horizon 443/8443/4172) (%s)",
		    CL_SANITIZE);
	else if (f->method == METHOD_FILE_SANITIZE &&
	    !services_within(p, f, PROTO_TCP, https_ports, 1, false))
		fdiag(l, f, line_or(f->service_line, f->line), DIAG_WARNING,
		    "ZL012", "file sanitisation on an unusual port (expected "
		    "HTTPS 443) (%s)", CL_SANITIZE);
	else if (f->method == METHOD_CLOUD_LBO &&
	    !services_within(p, f, PROTO_TCP, https_ports, 1, false))
		fdiag(l, f, line_or(f->service_line, f->line), DIAG_WARNING,
		    "ZL012", "local breakout beyond TLS on TCP 443: allowed for "
		    "what the named cloud service publishes (Teams media, for "
		    "example, is UDP 3478-3481), to its addresses only; check "
		    "it against the service's published list (%s)", CL_LG_SEP);
}

static void
zl005_zl006_zl010_zl012(struct lint *l)
{
	struct policy *p = l->p;

	for (size_t i = 0; i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];
		bool mn, lgin;

		if (!judged(l, i))
			continue;
		mn = touches(p, f, ZONE_MYNUMBER);
		lgin = pair_is(p, f, ZONE_LGWAN, ZONE_INTERNET);
		if ((mn || lgin) && f->approval == NULL)
			fdiag(l, f, f->line, DIAG_ERROR, "ZL010", "%s crossing "
			    "must carry its approval reference (approval = "
			    "\"...\") (%s)", mn ? "a My Number" :
			    "an LGWAN/Internet", CL_APPROVAL);
		if (!zl005_flow(l, f) || !lgin)
			continue;
		if (zl006_flow(l, f))
			zl012_flow(l, f);
	}
}

/* ---------------------------------------------------------------------
 * ZL007: monitoring
 */

static void
zl007(struct lint *l)
{
	const struct policy *p = l->p;
	bool inet = false;

	for (size_t i = 0; i < p->nzones; i++)
		inet |= p->zones[i].kind == ZONE_INTERNET;
	if (inet && !p->monitor.enabled)
		diag_add(l->d, ffile(l, NULL), line_or(p->monitor.enabled_line,
		    p->monitor.line), DIAG_ERROR, "ZL007", "monitor",
		    "monitoring cannot be switched off while an Internet zone "
		    "exists (%s)", CL_MONITOR);
}

/* ---------------------------------------------------------------------
 * ZL009: duplicates and shadowed flows
 */

/* Does endpoint outer contain endpoint inner: every address of it? */
static bool
ep_contains(const struct policy *p, const struct endpoint *outer,
    const struct endpoint *inner)
{
	if (outer->kind == EP_ZONE)
		return policy_endpoint_zone(p, inner) == outer->idx;
	if (inner->kind == EP_ZONE || outer->kind == EP_NONE ||
	    inner->kind == EP_NONE || policy_endpoint_zone(p, outer) !=
	    policy_endpoint_zone(p, inner))
		return false;
	for (int fam = ADDR_V4; fam <= ADDR_V6; fam += 2) {
		struct policy_pfx_iter ii, oi;
		const struct addr_pfx *a, *b;

		policy_pfx_iter(&ii, p, inner, fam);
		while ((a = policy_pfx_next(&ii, NULL)) != NULL) {
			bool in = false;
			policy_pfx_iter(&oi, p, outer, fam);
			while (!in && (b = policy_pfx_next(&oi, NULL)) != NULL)
				in = addr_contains(b, a);
			if (!in)
				return false;
		}
	}
	return true;
}

/* Is [lo,hi] of proto covered by the services of flow g? */
static bool
range_covered(const struct policy *p, const struct flow *g, uint8_t proto,
    uint32_t lo, uint32_t hi)
{
	while (lo <= hi) {
		uint32_t next = lo;
		for (size_t k = 0; k < g->nservices; k++) {
			const struct service *s = &p->services[g->services[k]];
			if (s->any_proto)
				return true;
			if (s->proto != proto)
				continue;
			if (s->nports == 0)
				return true;
			for (size_t r = 0; r < s->nports; r++)
				if (s->ports[r].lo <= lo && s->ports[r].hi >= lo &&
				    (uint32_t)s->ports[r].hi + 1 > next)
					next = (uint32_t)s->ports[r].hi + 1;
		}
		if (next == lo)
			return false;
		lo = next;
	}
	return true;
}

static bool
type_covered(const struct policy *p, const struct flow *g, uint8_t proto,
    int type)
{
	for (size_t k = 0; k < g->nservices; k++) {
		const struct service *s = &p->services[g->services[k]];
		if (s->any_proto)
			return true;
		if (s->proto != proto)
			continue;
		if (s->ntypes == 0)
			return true;
		for (size_t t = 0; t < s->ntypes && type >= 0; t++)
			if (s->types[t] == type)
				return true;
	}
	return false;
}

/* Does g permit every (protocol, port/type) that f permits? */
static bool
services_cover(const struct policy *p, const struct flow *g,
    const struct flow *f)
{
	for (size_t k = 0; k < f->nservices; k++) {
		const struct service *s = &p->services[f->services[k]];

		if (s->any_proto) {
			bool any = false;
			for (size_t j = 0; j < g->nservices && !any; j++)
				any = p->services[g->services[j]].any_proto;
			if (!any)
				return false;
		} else if (s->proto == PROTO_ICMP || s->proto == PROTO_ICMPV6) {
			if (s->ntypes == 0 && !type_covered(p, g, s->proto, -1))
				return false;
			for (size_t t = 0; t < s->ntypes; t++)
				if (!type_covered(p, g, s->proto, s->types[t]))
					return false;
		} else if (s->nports == 0) {
			if (!range_covered(p, g, s->proto, 0, 65535))
				return false;
		} else {
			for (size_t r = 0; r < s->nports; r++)
				if (!range_covered(p, g, s->proto,
				    s->ports[r].lo, s->ports[r].hi))
					return false;
		}
	}
	return true;
}

static bool
flow_covers(const struct policy *p, const struct flow *g, const struct flow *f)
{
	return ep_contains(p, &g->from, &f->from) &&
	    ep_contains(p, &g->to, &f->to) && services_cover(p, g, f);
}

static int64_t
ep_key(const struct endpoint *e)
{
	return (int64_t)e->kind << 32 | (uint32_t)e->idx;
}

static int
cmp_pair(const struct policy *p, size_t a, const struct endpoint *from,
    const struct endpoint *to)
{
	const struct flow *f = &p->flows[a];
	int64_t x = ep_key(&f->from), y = ep_key(from);

	if (x != y)
		return x < y ? -1 : 1;
	x = ep_key(&f->to);
	y = ep_key(to);
	if (x != y)
		return x < y ? -1 : 1;
	return 0;
}

static int
order_cmp(const void *a, const void *b, void *arg)
{
	const struct policy *p = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct flow *f = &p->flows[y];
	int c = cmp_pair(p, x, &f->from, &f->to);

	return c ? c : (x < y ? -1 : x > y);
}

/* The endpoints that may contain e: itself, the network hosts of its zone
 * that hold it, and its zone.  Returns the count. */
static size_t
containers(const struct policy *p, const struct endpoint *e,
    const int *nethosts, size_t nnethosts, struct endpoint *out, size_t max)
{
	size_t n = 0;
	int z = policy_endpoint_zone(p, e);

	out[n++] = *e;
	if (e->kind == EP_HOST || e->kind == EP_HOSTS) {
		for (size_t i = 0; i < nnethosts && n + 1 < max; i++) {
			const struct endpoint c = { EP_HOST, nethosts[i], NULL,
			    0 };
			if ((e->kind != EP_HOST || c.idx != e->idx) &&
			    ep_contains(p, &c, e))
				out[n++] = c;
		}
		if (z >= 0)
			out[n++] = (struct endpoint){ EP_ZONE, z, NULL, 0 };
	}
	return n;
}

/* Does the earlier flow i permit everything f does? */
static bool
earlier_covers(const struct lint *l, size_t i, const struct flow *f)
{
	const struct flow *g = &l->p->flows[i];

	return !g->bad && !l->owned[i] && policy_flow_active(g, l->now) &&
	    policy_endpoint_zone(l->p, &g->from) ==
	    policy_endpoint_zone(l->p, &f->from) &&
	    policy_endpoint_zone(l->p, &g->to) ==
	    policy_endpoint_zone(l->p, &f->to) && flow_covers(l->p, g, f);
}

static void
zl009(struct lint *l)
{
	struct policy *p = l->p;
	size_t *order, nnet = 0, *listflows, nlist = 0;
	int *nethosts;
	struct endpoint cf[64], ct[64];

	if (p->nflows < 2)
		return;
	order = calloc(p->nflows, sizeof(*order));
	nethosts = calloc(p->nhosts + 1, sizeof(*nethosts));
	if (order == NULL || nethosts == NULL) {
		free(order);
		free(nethosts);
		l->d->oom = 1;
		return;
	}
	for (size_t i = 0; i < p->nhosts; i++)
		if (!policy_host_single(&p->hosts[i]) && p->hosts[i].naddrs > 0)
			nethosts[nnet++] = (int)i;
	/* flows with a list of hosts at an end: the index below finds a flow
	 * by its own endpoints, its network hosts and its zone, not by the
	 * lists that contain them, so these are compared one by one */
	listflows = calloc(p->nflows + 1, sizeof(*listflows));
	if (listflows == NULL) {
		free(order);
		free(nethosts);
		l->d->oom = 1;
		return;
	}
	for (size_t i = 0; i < p->nflows; i++)
		if (p->flows[i].from.kind == EP_HOSTS ||
		    p->flows[i].to.kind == EP_HOSTS)
			listflows[nlist++] = i;
	for (size_t i = 0; i < p->nflows; i++)
		order[i] = i;
	qsort_r(order, p->nflows, sizeof(*order), order_cmp, p);

	for (size_t j = 0; j < p->nflows; j++) {
		const struct flow *f = &p->flows[j];
		size_t nf, nt, best = SIZE_MAX;

		if (f->bad || l->owned[j] || !policy_flow_active(f, l->now))
			continue;
		nf = containers(p, &f->from, nethosts, nnet, cf, 64);
		nt = containers(p, &f->to, nethosts, nnet, ct, 64);
		for (size_t a = 0; a < nf; a++)
			for (size_t b = 0; b < nt; b++) {
				/* lower bound of (cf[a], ct[b]) in order */
				size_t lo = 0, hi = p->nflows;
				while (lo < hi) {
					size_t mid = (lo + hi) / 2;
					if (cmp_pair(p, order[mid], &cf[a],
					    &ct[b]) < 0)
						lo = mid + 1;
					else
						hi = mid;
				}
				for (; lo < p->nflows && cmp_pair(p, order[lo],
				    &cf[a], &ct[b]) == 0; lo++) {
					size_t i = order[lo];
					if (i >= j || i >= best)
						break;	/* sorted by index */
					if (earlier_covers(l, i, f))
						best = i;
				}
			}
		if (f->from.kind == EP_HOSTS || f->to.kind == EP_HOSTS) {
			for (size_t i = 0; i < j && i < best; i++)
				if (earlier_covers(l, i, f))
					best = i;
		} else
			for (size_t k = 0; k < nlist && listflows[k] < j &&
			    listflows[k] < best; k++)
				if (earlier_covers(l, listflows[k], f))
					best = listflows[k];
		if (best == SIZE_MAX)
			continue;
		if (flow_covers(p, f, &p->flows[best]))
			fdiag(l, f, f->line, DIAG_WARNING, "ZL009",
			    "duplicates flow \"%s\" (line "
			    "%d): it permits nothing more (%s)",
			    p->flows[best].name, p->flows[best].line,
			    CL_CONSIST);
		else
			fdiag(l, f, f->line, DIAG_WARNING, "ZL009",
			    "is shadowed by flow \"%s\" "
			    "(line %d), which already permits everything it "
			    "does (%s)", p->flows[best].name,
			    p->flows[best].line, CL_CONSIST);
	}
	free(order);
	free(nethosts);
	free(listflows);
}

/* ---------------------------------------------------------------------
 * ZL014: flows outside their time
 */

static void
zl014(struct lint *l)
{
	const struct policy *p = l->p;
	char when[TIMEFMT_LEN];

	for (size_t i = 0; i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];

		if (f->bad || l->owned[i])
			continue;
		if (f->has_expires && l->now >= f->expires)
			fdiag(l, f, line_or(f->expires_line, f->line),
			    DIAG_WARNING, "ZL014", "expired at %s and is "
			    "inactive; remove it or renew its approval (%s)",
			    timefmt_offset(f->expires, f->expires_off, when,
			    sizeof(when)), CL_APPROVAL);
		else if (policy_flow_pending(f, l->now))
			fdiag(l, f, line_or(f->starts_line, f->line),
			    DIAG_WARNING, "ZL014", "is pending: it starts at %s "
			    "and permits nothing until then; zoned opens it at "
			    "that moment without a reload (%s)",
			    timefmt_offset(f->starts, f->starts_off, when,
			    sizeof(when)), CL_APPROVAL);
	}
}

/* ---------------------------------------------------------------------
 * ZL015: management access to the appliance itself
 */

static void
zl015(struct lint *l)
{
	const struct policy *p = l->p;
	char obj[64];

	for (size_t i = 0; i < p->nmgmt; i++) {
		const struct mgmt *m = &p->mgmt[i];

		if (m->bad)
			continue;
		snprintf(obj, sizeof(obj), "management #%zu", i + 1);
		if (ep_kind(p, &m->from) == ZONE_INTERNET)
			diag_add(l->d, ffile(l, m->file), m->line, DIAG_ERROR,
			    "ZL015", obj, "the appliance is never managed from "
			    "an Internet zone (%s)", CL_LG_SEP);
		else if (p->services[m->service].any_proto)
			diag_add(l->d, ffile(l, m->file), m->line, DIAG_ERROR,
			    "ZL015", obj, "management access names its protocol "
			    "and ports; service \"%s\" allows every protocol "
			    "(%s)", p->services[m->service].name, CL_CONSIST);
	}
}

/* ---------------------------------------------------------------------
 * ZL017: the sync link of an active/standby pair stays apart from the
 * zones — a link between the two appliances that a zone could reach, or
 * whose traffic a zone interface could carry, would be a path around the
 * ruleset
 */

static void
zl017(struct lint *l)
{
	struct policy *p = l->p;
	struct policy_ha *ha = &p->ha;
	const char *file = ffile(l, ha->file);
	char a[ADDR_PFX_STRLEN], b[ADDR_PFX_STRLEN];

	if (ha->line == 0 || ha->bad)
		return;
	for (size_t i = 0; i < p->nzones; i++)
		for (size_t j = 0; j < p->zones[i].nifaces; j++)
			if (strcmp(p->zones[i].ifaces[j], ha->sync_iface) == 0) {
				diag_add(l->d, file, line_or(ha->iface_line,
				    ha->line), DIAG_ERROR, "ZL017", "ha",
				    "sync interface \"%s\" belongs to zone "
				    "\"%s\"; the sync link joins the two nodes "
				    "of the pair and nothing else (%s)",
				    ha->sync_iface, p->zones[i].name,
				    CL_CONSIST);
				ha->bad = true;
			}
	for (size_t k = 0; k < ha->npeers; k++) {
		const struct addr_pfx *pe = &ha->peers[k];
		uint8_t first = pe->a[0];
		bool bad = false;

		addr_format(pe, a, sizeof(a));
		if (pe->len == 0 || (pe->family == ADDR_V4 && first >= 224) ||
		    (pe->family == ADDR_V6 && first == 0xff)) {
			diag_add(l->d, file, line_or(ha->peer_line,
			    ha->line), DIAG_ERROR, "ZL017", "ha", "peer %s is "
			    "not the other node's address on the sync link "
			    "(one address, or the link's network)", a);
			ha->bad = true;
			continue;
		}
		for (size_t i = 0; i < p->nzones && !bad; i++)
			for (size_t j = 0; j < p->zones[i].nnets && !bad; j++) {
				const struct addr_pfx *n = &p->zones[i].nets[j];
				/* an Internet zone's default route is "all
				 * the rest", not a place */
				if (n->len == 0 || !addr_overlap(n, pe))
					continue;
				diag_add(l->d, file, line_or(ha->peer_line,
				    ha->line), DIAG_ERROR, "ZL017", "ha",
				    "peer %s lies in network %s of zone "
				    "\"%s\"; the peer is on the sync link, "
				    "apart from every zone (%s)", a,
				    addr_format(n, b, sizeof(b)),
				    p->zones[i].name, CL_CONSIST);
				bad = true;
			}
		ha->bad |= bad;
	}
}

void
lint_run(struct policy *p, struct diag *d, time_t now)
{
	struct lint l = { .p = p, .d = d, .now = now };

	l.owned = calloc(p->nflows + 1, sizeof(*l.owned));
	if (l.owned == NULL || netrep_init(&l) < 0) {
		free(l.owned);
		free(l.netrep);
		free(l.netoff);
		d->oom = 1;
		diag_add(d, p->file, 0, DIAG_ERROR, "ZL011", NULL,
		    "out of memory");
		return;
	}
	zl008_zones(&l);
	zl008_hosts(&l);
	zl002_hosts(&l);
	propagate_bad(p);
	zl001_zl013(&l);
	zl016(&l);
	zl002_zl004(&l);
	zl005_zl006_zl010_zl012(&l);
	zl007(&l);
	zl009(&l);
	zl014(&l);
	zl015(&l);
	zl017(&l);
	cover_free(&l.cover);
	free(l.peer);
	free(l.owned);
	free(l.netrep);
	free(l.netoff);
	diag_sort(d);
}

int
lint_file(const char *path, time_t now, struct policy **out, struct diag *d,
    char *err, size_t errlen)
{
	if (conf_load(path, out, d, err, errlen) < 0)
		return -1;
	if (*out != NULL)
		lint_run(*out, d, now);
	else
		diag_sort(d);
	return 0;
}
