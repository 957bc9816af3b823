/*
 * lint — the three-layer compliance rules.
 *
 * Each rule is a function over the whole policy.  A per-flow "owned" mark
 * keeps one defect to one finding: ZL001 and ZL013 own the flows they
 * report, and objects with ZL011/ZL008 errors never reach the other rules.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "lint.h"

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

const struct lint_rule lint_rules[] = {
	{ "ZL001", DIAG_ERROR, "no flow between a My Number zone and an "
	    "Internet zone" },
	{ "ZL002", DIAG_ERROR, "the My Number endpoint is one host with one "
	    "address and a MAC" },
	{ "ZL003", DIAG_ERROR, "a My Number flow has one protocol and explicit "
	    "ports (ranges at most 16 wide) or ICMP types" },
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
	{ "ZL012", DIAG_WARNING, "a sanitising method on an unusual port" },
	{ "ZL013", DIAG_ERROR, "no flow between a closed zone and an Internet "
	    "zone" },
	{ "ZL014", DIAG_WARNING, "a flow has expired and is inactive" },
	{ "ZL015", DIAG_ERROR, "management access never comes from an Internet "
	    "zone and names its protocol" },
	{ "ZL016", DIAG_ERROR, "the sync link of a pair belongs to no zone and "
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
	size_t nnet;
	int *zone_flow;		/* per zone: a flow that covers it */
};

struct lint {
	struct policy *p;
	struct diag *d;
	time_t now;
	bool *owned;		/* per flow: reported by an owning rule */
	struct inet_cover cover;
};

static const char *
pfile(const struct lint *l)
{
	return l->p->file ? l->p->file : "";
}

#define FLOW_OBJ(f, buf) (snprintf(buf, sizeof(buf), "flow \"%s\"", \
	(f)->name), buf)

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

static const struct host *
ep_host(const struct policy *p, const struct endpoint *e)
{
	return e->kind == EP_HOST ? &p->hosts[e->idx] : NULL;
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

static void
zl008_zones(struct lint *l)
{
	struct policy *p = l->p;
	char a[ADDR_PFX_STRLEN], b[ADDR_PFX_STRLEN], obj[64];

	for (size_t i = 0; i < p->nzones; i++) {
		struct zone *z = &p->zones[i];
		bool bad = false;

		if (z->bad)
			continue;
		snprintf(obj, sizeof(obj), "zone \"%s\"", z->name);
		for (size_t j = 0; j < i; j++) {
			const struct zone *o = &p->zones[j];
			for (size_t k = 0; k < z->nifaces; k++)
				for (size_t m = 0; m < o->nifaces; m++)
					if (strcmp(z->ifaces[k], o->ifaces[m]) ==
					    0) {
						diag_add(l->d, pfile(l),
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
		/* local networks do not overlap, within or across zones */
		if (z->kind != ZONE_INTERNET)
			for (size_t k = 0; k < z->nnets; k++)
				for (size_t j = 0; j <= i; j++) {
					const struct zone *o = &p->zones[j];
					size_t lim = j == i ? k : o->nnets;
					if (o->kind == ZONE_INTERNET)
						continue;
					for (size_t m = 0; m < lim; m++) {
						if (!addr_overlap(&z->nets[k],
						    &o->nets[m]))
							continue;
						diag_add(l->d, pfile(l),
						    line_or(z->nets_line,
						    z->line), DIAG_ERROR,
						    "ZL008", obj, "network %s "
						    "overlaps %s of zone "
						    "\"%s\"; local networks "
						    "must not overlap (%s)",
						    addr_format(&z->nets[k], a,
						    sizeof(a)),
						    addr_format(&o->nets[m], b,
						    sizeof(b)), o->name,
						    CL_CONSIST);
						bad = true;
					}
				}
		/* an Internet network entirely inside a local one */
		if (z->kind == ZONE_INTERNET)
			for (size_t k = 0; k < z->nnets; k++)
				for (size_t j = 0; j < p->nzones; j++) {
					const struct zone *o = &p->zones[j];
					if (o->kind == ZONE_INTERNET)
						continue;
					for (size_t m = 0; m < o->nnets; m++)
						if (addr_contains(&o->nets[m],
						    &z->nets[k])) {
							diag_add(l->d, pfile(l),
							    line_or(
							    z->nets_line,
							    z->line),
							    DIAG_ERROR, "ZL008",
							    obj, "network %s "
							    "lies inside %s of "
							    "local zone \"%s\" "
							    "(%s)",
							    addr_format(
							    &z->nets[k], a,
							    sizeof(a)),
							    addr_format(
							    &o->nets[m], b,
							    sizeof(b)),
							    o->name,
							    CL_CONSIST);
							bad = true;
						}
				}
		if (bad)
			mark_zone_bad(p, (int)i);
	}
}

static void
zl008_hosts(struct lint *l)
{
	struct policy *p = l->p;
	char a[ADDR_PFX_STRLEN], b[ADDR_PFX_STRLEN], obj[96];

	for (size_t i = 0; i < p->nhosts; i++) {
		struct host *h = &p->hosts[i];
		const struct zone *z;
		bool inside = false;

		if (h->bad || h->zone < 0)
			continue;
		z = &p->zones[h->zone];
		snprintf(obj, sizeof(obj), "host \"%s\"", h->name);
		for (size_t k = 0; k < z->nnets && !inside; k++)
			inside = addr_contains(&z->nets[k], &h->addr);
		if (!inside) {
			diag_add(l->d, pfile(l), line_or(h->addr_line, h->line),
			    DIAG_ERROR, "ZL008", obj, "address %s lies "
			    "outside the networks of its zone \"%s\" (%s)",
			    addr_format(&h->addr, a, sizeof(a)), z->name,
			    CL_CONSIST);
			h->bad = true;
			continue;
		}
		if (z->kind != ZONE_INTERNET)
			continue;
		for (size_t j = 0; j < p->nzones && !h->bad; j++) {
			const struct zone *o = &p->zones[j];
			if (o->kind == ZONE_INTERNET)
				continue;
			for (size_t k = 0; k < o->nnets; k++)
				if (addr_overlap(&o->nets[k], &h->addr)) {
					diag_add(l->d, pfile(l),
					    line_or(h->addr_line, h->line),
					    DIAG_ERROR, "ZL008", obj,
					    "address %s of an Internet-zone "
					    "host lies inside network %s of "
					    "zone \"%s\" (%s)",
					    addr_format(&h->addr, a, sizeof(a)),
					    addr_format(&o->nets[k], b,
					    sizeof(b)), o->name, CL_CONSIST);
					h->bad = true;
					break;
				}
		}
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
			if (e[k]->kind == EP_HOST && p->hosts[e[k]->idx].bad)
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
	char obj[96];

	for (size_t i = 0; i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];

		if (!judged(l, i))
			continue;
		if (pair_is(p, f, ZONE_MYNUMBER, ZONE_INTERNET)) {
			diag_add(l->d, pfile(l), f->line, DIAG_ERROR, "ZL001",
			    FLOW_OBJ(f, obj), "the My Number zone must never "
			    "communicate with an Internet zone, in either "
			    "direction, not even as an exception (%s)",
			    CL_MN_ISOLATE);
			l->owned[i] = true;
		} else if (pair_is(p, f, ZONE_CLOSED, ZONE_INTERNET)) {
			diag_add(l->d, pfile(l), f->line, DIAG_ERROR, "ZL013",
			    FLOW_OBJ(f, obj), "a closed zone must never "
			    "communicate with an Internet zone (%s)",
			    CL_CLOSED);
			l->owned[i] = true;
		}
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
	const struct host *h = ep_host(p, e);
	char obj[96], a[ADDR_PFX_STRLEN];

	if (ep_kind(p, e) != ZONE_MYNUMBER)
		return;
	FLOW_OBJ(f, obj);
	if (h == NULL)
		diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL002", obj,
		    "the My Number endpoint is the whole zone \"%s\"; it must "
		    "be one host pinned by address and MAC (%s)",
		    p->zones[e->idx].name, CL_MN_PIN);
	else if (!addr_is_host(&h->addr))
		diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL002", obj,
		    "the My Number endpoint \"%s\" is a network (%s); it must "
		    "be one address (/%d) with its MAC (%s)", h->name,
		    addr_format(&h->addr, a, sizeof(a)), addr_bits(&h->addr),
		    CL_MN_PIN);
	else if (!h->has_mac)
		diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL002", obj,
		    "the My Number endpoint \"%s\" has no MAC; it must be "
		    "pinned by address and MAC (%s)", h->name, CL_MN_PIN);
}

static void
zl003_services(struct lint *l, const struct flow *f)
{
	const struct policy *p = l->p;
	int line = line_or(f->service_line, f->line);
	char obj[96];
	int proto = -1;

	FLOW_OBJ(f, obj);
	for (size_t k = 0; k < f->nservices; k++) {
		const struct service *s = &p->services[f->services[k]];

		if (s->any_proto) {
			diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL003", obj,
			    "service \"%s\" allows every protocol; a My Number "
			    "crossing names exactly one protocol (%s)", s->name,
			    CL_MN_PIN);
			return;
		}
		if (proto >= 0 && proto != s->proto) {
			diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL003", obj,
			    "services mix %s and %s; a My Number crossing "
			    "names exactly one protocol (%s)",
			    policy_proto_str((uint8_t)proto, false),
			    policy_proto_str(s->proto, false), CL_MN_PIN);
			return;
		}
		proto = s->proto;
		if (s->proto == PROTO_ICMP || s->proto == PROTO_ICMPV6) {
			if (s->ntypes == 0) {
				diag_add(l->d, pfile(l), line, DIAG_ERROR,
				    "ZL003", obj, "service \"%s\" allows every "
				    "ICMP type; a My Number crossing names its "
				    "types (%s)", s->name, CL_MN_PIN);
				return;
			}
			continue;
		}
		if (s->nports == 0) {
			diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL003", obj,
			    "service \"%s\" allows every port; a My Number "
			    "crossing names its destination ports (%s)",
			    s->name, CL_MN_PIN);
			return;
		}
		for (size_t r = 0; r < s->nports; r++)
			if (s->ports[r].hi - s->ports[r].lo + 1 > 16) {
				diag_add(l->d, pfile(l), line, DIAG_ERROR,
				    "ZL003", obj, "service \"%s\" has the port "
				    "range %u-%u (%u ports); a My Number "
				    "crossing allows ranges of at most 16 "
				    "ports (%s)", s->name, s->ports[r].lo,
				    s->ports[r].hi,
				    s->ports[r].hi - s->ports[r].lo + 1u,
				    CL_MN_PIN);
				return;
			}
	}
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
cover_build(struct lint *l)
{
	const struct policy *p = l->p;
	struct inet_cover *c = &l->cover;

	c->built = true;
	c->hcap = 16;
	while (c->hcap < p->nflows * 2)
		c->hcap *= 2;
	c->zones = calloc(p->nzones + 1, sizeof(*c->zones));
	c->zone_flow = calloc(p->nzones + 1, sizeof(*c->zone_flow));
	c->host_flow = calloc(c->hcap, sizeof(*c->host_flow));
	c->host_addr = calloc(c->hcap, sizeof(*c->host_addr));
	c->net_flow = calloc(p->nflows + 1, sizeof(*c->net_flow));
	c->net_addr = calloc(p->nflows + 1, sizeof(*c->net_addr));
	if (!c->zones || !c->zone_flow || !c->host_flow || !c->host_addr ||
	    !c->net_flow || !c->net_addr)
		return -1;
	for (size_t j = 0; j < p->nflows; j++) {
		const struct flow *g = &p->flows[j];
		const struct endpoint *other;

		if (g->bad)
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
		} else if (other->kind == EP_HOST) {
			const struct addr_pfx *a = &p->hosts[other->idx].addr;
			if (addr_is_host(a)) {
				size_t k = pfx_hash(a) & (c->hcap - 1);
				while (c->host_addr[k] &&
				    !addr_equal(c->host_addr[k], a))
					k = (k + 1) & (c->hcap - 1);
				if (c->host_addr[k] == NULL) {
					c->host_addr[k] = a;
					c->host_flow[k] = (int)j;
				}
			} else {
				c->net_addr[c->nnet] = a;
				c->net_flow[c->nnet++] = (int)j;
			}
		}
	}
	return 0;
}

/* A flow to or from an Internet zone whose other end covers host h (a zone
 * or network that contains it counts), or -1. */
static int
inet_cover_of(struct lint *l, const struct host *h)
{
	struct inet_cover *c = &l->cover;
	size_t k;

	if (!c->built && cover_build(l) < 0) {
		l->d->oom = 1;
		return -1;
	}
	if (c->zones == NULL)
		return -1;
	if (h->zone >= 0 && c->zones[h->zone])
		return c->zone_flow[h->zone];
	for (k = pfx_hash(&h->addr) & (c->hcap - 1); c->host_addr[k];
	    k = (k + 1) & (c->hcap - 1))
		if (addr_equal(c->host_addr[k], &h->addr))
			return c->host_flow[k];
	for (size_t i = 0; i < c->nnet; i++)
		if (addr_contains(c->net_addr[i], &h->addr))
			return c->net_flow[i];
	return -1;
}

static void
zl004_peer(struct lint *l, const struct flow *f, const struct endpoint *e,
    int line)
{
	const struct policy *p = l->p;
	const struct host *h = ep_host(p, e);
	char obj[96], a[ADDR_PFX_STRLEN];

	if (ep_kind(p, e) == ZONE_MYNUMBER)
		return;
	FLOW_OBJ(f, obj);
	if (h == NULL) {
		diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL004", obj,
		    "the peer of a My Number crossing is the whole zone \"%s\"; "
		    "it must be one host with one address (%s)",
		    p->zones[e->idx].name, CL_MN_PIN);
		return;
	}
	if (!addr_is_host(&h->addr)) {
		diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL004", obj,
		    "the peer \"%s\" of a My Number crossing is a network "
		    "(%s); it must be one address (%s)", h->name,
		    addr_format(&h->addr, a, sizeof(a)), CL_MN_PIN);
		return;
	}
	if (h->role == ROLE_PUBLIC_SYSTEM)
		return;
	{
		int j = inet_cover_of(l, h);
		const struct flow *g;

		if (j < 0)
			return;
		g = &p->flows[j];
		diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL004", obj,
		    "the peer \"%s\" (%s) also talks to the Internet through "
		    "flow \"%s\" (line %d); the external peer of a My Number "
		    "crossing must not (%s), unless it is a system of a "
		    "national public body (role = \"public-system\")",
		    h->name, addr_format(&h->addr, a, sizeof(a)), g->name,
		    g->line, CL_MN_PEER);
	}
}

static void
zl002_zl004(struct lint *l)
{
	struct policy *p = l->p;

	for (size_t i = 0; i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];
		int lf = line_or(f->from_line, f->line);
		int lt = line_or(f->to_line, f->line);

		if (!judged(l, i) || !touches(p, f, ZONE_MYNUMBER))
			continue;
		zl002_endpoint(l, f, &f->from, lf);
		zl002_endpoint(l, f, &f->to, lt);
		zl003_services(l, f);
		zl004_peer(l, f, &f->from, lf);
		zl004_peer(l, f, &f->to, lt);
	}
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
	char obj[96];

	FLOW_OBJ(f, obj);
	if (touches(p, f, ZONE_MYNUMBER)) {
		if (f->method == METHOD_SPECIFIC)
			return true;
		diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL005", obj,
		    "a My Number crossing uses method = \"specific\" "
		    "(特定通信), not \"%s\" (%s)", m, CL_MN_PIN);
		return false;
	}
	if (f->method == METHOD_SPECIFIC) {
		diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL005", obj,
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
			diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL005", obj,
			    "method \"cloud-lbo\" exists only in the "
			    "alpha-prime model (this policy is %s; %s)",
			    policy_model_str(p->model), CL_SANITIZE);
			return false;
		default:
			diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL005", obj,
			    "a crossing between LGWAN and the Internet must "
			    "name its sanitising method (mail-text, "
			    "screen-transfer, file-sanitize%s), not \"%s\" "
			    "(%s; %s)", p->model == MODEL_ALPHA_PRIME ?
			    ", cloud-lbo" : "", m, CL_LG_SEP, CL_SANITIZE);
			return false;
		}
	}
	if (f->method != METHOD_DIRECT) {
		diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL005", obj,
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

/* Returns true when the flow passed (ZL012 may then judge it). */
static bool
zl006_flow(struct lint *l, const struct flow *f)
{
	const struct policy *p = l->p;
	const struct endpoint *inet, *lg;
	const struct host *hi, *hl;
	enum zone_kind terminal;
	char obj[96], a[ADDR_PFX_STRLEN];
	int line = line_or(f->method_line, f->line);

	FLOW_OBJ(f, obj);
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
		if (hi == NULL || hi->role != ROLE_MAIL_RELAY) {
			diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL006", obj,
			    "mail-text runs between a host with role = "
			    "\"mail-relay\" in the Internet zone and one LGWAN "
			    "host; the Internet end here is %s (%s)",
			    hi ? hi->name : "a whole zone", CL_SANITIZE);
			return false;
		}
		if (hl == NULL || !addr_is_host(&hl->addr)) {
			diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL006", obj,
			    "mail-text runs to or from one LGWAN mail server "
			    "with one address, not %s (%s)", hl ?
			    "a network" : "a whole zone", CL_SANITIZE);
			return false;
		}
		if (!services_within(p, f, PROTO_TCP, smtp_ports,
		    sizeof(smtp_ports) / sizeof(smtp_ports[0]), false)) {
			diag_add(l->d, pfile(l), line_or(f->service_line,
			    f->line), DIAG_ERROR, "ZL006", obj, "mail-text "
			    "carries SMTP only (TCP 25, 465, 587) (%s)",
			    CL_SANITIZE);
			return false;
		}
		return true;
	case METHOD_SCREEN_TRANSFER:
		if (p->model == 0)
			return false;	/* no model: the direction is unknown */
		terminal = p->model == MODEL_BETA || p->model ==
		    MODEL_BETA_PRIME ? ZONE_INTERNET : ZONE_LGWAN;
		if (ep_kind(p, &f->from) != terminal) {
			diag_add(l->d, pfile(l), line_or(f->from_line, f->line),
			    DIAG_ERROR, "ZL006", obj, "in the %s model screen "
			    "transfer runs from the terminals in the %s zone "
			    "to the screen-transfer server on the other side; "
			    "this flow runs the other way (%s)",
			    policy_model_str(p->model),
			    policy_zone_kind_str(terminal), CL_SANITIZE);
			return false;
		}
		if (ep_host(p, &f->to) == NULL ||
		    ep_host(p, &f->to)->role != ROLE_SCREEN_TRANSFER) {
			diag_add(l->d, pfile(l), line_or(f->to_line, f->line),
			    DIAG_ERROR, "ZL006", obj, "screen transfer goes to "
			    "a host with role = \"screen-transfer\"; %s has "
			    "none (%s)", ep_host(p, &f->to) ?
			    ep_host(p, &f->to)->name : "a whole zone",
			    CL_SANITIZE);
			return false;
		}
		return true;
	case METHOD_FILE_SANITIZE:
		if ((hi && hi->role == ROLE_FILE_SANITIZER) ||
		    (hl && hl->role == ROLE_FILE_SANITIZER))
			return true;
		diag_add(l->d, pfile(l), line, DIAG_ERROR, "ZL006", obj,
		    "file-sanitize has a host with role = \"file-sanitizer\" "
		    "as one endpoint; this flow has none (%s)", CL_SANITIZE);
		return false;
	case METHOD_CLOUD_LBO:
		if (ep_kind(p, &f->from) != ZONE_LGWAN) {
			diag_add(l->d, pfile(l), line_or(f->from_line, f->line),
			    DIAG_ERROR, "ZL006", obj, "cloud-lbo runs from "
			    "LGWAN to named cloud services, never into LGWAN "
			    "(%s)", CL_LG_SEP);
			return false;
		}
		if (hi == NULL || hi->addr.len == 0) {
			diag_add(l->d, pfile(l), line_or(f->to_line, f->line),
			    DIAG_ERROR, "ZL006", obj, "cloud-lbo goes to named "
			    "hosts (addresses or networks), never to %s (%s)",
			    hi ? addr_format(&hi->addr, a, sizeof(a)) :
			    "a whole Internet zone", CL_LG_SEP);
			return false;
		}
		if (!services_within(p, f, PROTO_TCP, https_ports, 1, false)) {
			diag_add(l->d, pfile(l), line_or(f->service_line,
			    f->line), DIAG_ERROR, "ZL006", obj, "cloud-lbo "
			    "carries TLS on TCP 443 only (%s)", CL_LG_SEP);
			return false;
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
	char obj[96];

	FLOW_OBJ(f, obj);
	if (f->method == METHOD_SCREEN_TRANSFER &&
	    !services_within(p, f, 0, screen_ports,
	    sizeof(screen_ports) / sizeof(screen_ports[0]), true))
		diag_add(l->d, pfile(l), line_or(f->service_line, f->line),
		    DIAG_WARNING, "ZL012", obj, "screen transfer on an unusual "
		    "port (expected RDP 3389, ICA 1494/2598, Horizon "
		    "443/8443/4172) (%s)", CL_SANITIZE);
	else if (f->method == METHOD_FILE_SANITIZE &&
	    !services_within(p, f, PROTO_TCP, https_ports, 1, false))
		diag_add(l->d, pfile(l), line_or(f->service_line, f->line),
		    DIAG_WARNING, "ZL012", obj, "file sanitisation on an "
		    "unusual port (expected HTTPS 443) (%s)", CL_SANITIZE);
}

static void
zl005_zl006_zl010_zl012(struct lint *l)
{
	struct policy *p = l->p;
	char obj[96];

	for (size_t i = 0; i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];
		bool mn, lgin;

		if (!judged(l, i))
			continue;
		mn = touches(p, f, ZONE_MYNUMBER);
		lgin = pair_is(p, f, ZONE_LGWAN, ZONE_INTERNET);
		if ((mn || lgin) && f->approval == NULL)
			diag_add(l->d, pfile(l), f->line, DIAG_ERROR, "ZL010",
			    FLOW_OBJ(f, obj), "%s crossing must carry its "
			    "approval reference (approval = \"...\") (%s)",
			    mn ? "a My Number" : "an LGWAN/Internet",
			    CL_APPROVAL);
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
		diag_add(l->d, pfile(l), line_or(p->monitor.enabled_line,
		    p->monitor.line), DIAG_ERROR, "ZL007", "monitor",
		    "monitoring cannot be switched off while an Internet zone "
		    "exists (%s)", CL_MONITOR);
}

/* ---------------------------------------------------------------------
 * ZL009: duplicates and shadowed flows
 */

/* Does endpoint outer contain endpoint inner? */
static bool
ep_contains(const struct policy *p, const struct endpoint *outer,
    const struct endpoint *inner)
{
	if (outer->kind == EP_ZONE)
		return policy_endpoint_zone(p, inner) == outer->idx;
	if (outer->kind == EP_HOST && inner->kind == EP_HOST)
		return p->hosts[outer->idx].zone == p->hosts[inner->idx].zone &&
		    addr_contains(&p->hosts[outer->idx].addr,
		    &p->hosts[inner->idx].addr);
	return false;
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
	if (e->kind == EP_HOST) {
		for (size_t i = 0; i < nnethosts && n + 1 < max; i++) {
			const struct endpoint c = { EP_HOST, nethosts[i] };
			if (c.idx != e->idx && ep_contains(p, &c, e))
				out[n++] = c;
		}
		if (z >= 0)
			out[n++] = (struct endpoint){ EP_ZONE, z };
	}
	return n;
}

static void
zl009(struct lint *l)
{
	struct policy *p = l->p;
	size_t *order, nnet = 0;
	int *nethosts;
	struct endpoint cf[64], ct[64];
	char obj[96];

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
		if (!addr_is_host(&p->hosts[i].addr))
			nethosts[nnet++] = (int)i;
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
					if (!p->flows[i].bad && !l->owned[i] &&
					    policy_flow_active(&p->flows[i],
					    l->now) &&
					    flow_covers(p, &p->flows[i], f))
						best = i;
				}
			}
		if (best == SIZE_MAX)
			continue;
		if (flow_covers(p, f, &p->flows[best]))
			diag_add(l->d, pfile(l), f->line, DIAG_WARNING, "ZL009",
			    FLOW_OBJ(f, obj), "duplicates flow \"%s\" (line "
			    "%d): it permits nothing more (%s)",
			    p->flows[best].name, p->flows[best].line,
			    CL_CONSIST);
		else
			diag_add(l->d, pfile(l), f->line, DIAG_WARNING, "ZL009",
			    FLOW_OBJ(f, obj), "is shadowed by flow \"%s\" "
			    "(line %d), which already permits everything it "
			    "does (%s)", p->flows[best].name,
			    p->flows[best].line, CL_CONSIST);
	}
	free(order);
	free(nethosts);
}

/* ---------------------------------------------------------------------
 * ZL014: expired flows
 */

static void
zl014(struct lint *l)
{
	const struct policy *p = l->p;
	char obj[96], when[32];

	for (size_t i = 0; i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];
		struct tm tm;

		if (f->bad || l->owned[i] || policy_flow_active(f, l->now))
			continue;
		gmtime_r(&f->expires, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		diag_add(l->d, pfile(l), line_or(f->expires_line, f->line),
		    DIAG_WARNING, "ZL014", FLOW_OBJ(f, obj), "expired at %s "
		    "and is inactive; remove it or renew its approval (%s)",
		    when, CL_APPROVAL);
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
			diag_add(l->d, pfile(l), m->line, DIAG_ERROR, "ZL015",
			    obj, "the appliance is never managed from an "
			    "Internet zone (%s)", CL_LG_SEP);
		else if (p->services[m->service].any_proto)
			diag_add(l->d, pfile(l), m->line, DIAG_ERROR, "ZL015",
			    obj, "management access names its protocol and "
			    "ports; service \"%s\" allows every protocol (%s)",
			    p->services[m->service].name, CL_CONSIST);
	}
}

/* ---------------------------------------------------------------------
 * ZL016: the sync link of an active/standby pair stays apart from the
 * zones — a link between the two appliances that a zone could reach, or
 * whose traffic a zone interface could carry, would be a path around the
 * ruleset
 */

static void
zl020(struct lint *l)
{
	struct policy *p = l->p;
	struct policy_ha *ha = &p->ha;
	char a[ADDR_PFX_STRLEN], b[ADDR_PFX_STRLEN];

	if (ha->line == 0 || ha->bad)
		return;
	for (size_t i = 0; i < p->nzones; i++)
		for (size_t j = 0; j < p->zones[i].nifaces; j++)
			if (strcmp(p->zones[i].ifaces[j], ha->sync_iface) == 0) {
				diag_add(l->d, pfile(l), line_or(ha->iface_line,
				    ha->line), DIAG_ERROR, "ZL016", "ha",
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
			diag_add(l->d, pfile(l), line_or(ha->peer_line,
			    ha->line), DIAG_ERROR, "ZL016", "ha", "peer %s is "
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
				diag_add(l->d, pfile(l), line_or(ha->peer_line,
				    ha->line), DIAG_ERROR, "ZL016", "ha",
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
	if (l.owned == NULL) {
		d->oom = 1;
		diag_add(d, p->file, 0, DIAG_ERROR, "ZL011", NULL,
		    "out of memory");
		return;
	}
	zl008_zones(&l);
	zl008_hosts(&l);
	propagate_bad(p);
	zl001_zl013(&l);
	zl002_zl004(&l);
	zl005_zl006_zl010_zl012(&l);
	zl007(&l);
	zl009(&l);
	zl014(&l);
	zl015(&l);
	zl020(&l);
	cover_free(&l.cover);
	free(l.owned);
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
