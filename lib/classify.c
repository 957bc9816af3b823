/*
 * classify — the policy classifier: policy -> range rules -> acl engine.
 *
 * Each active flow becomes one rule per (family, service, port range or ICMP
 * type), tagged with its zone pair, in file order, so that the engine's
 * first match is the first permitting flow.  IPv4 addresses go to the engine
 * as they are; IPv6 addresses are first mapped to the number of the
 * elementary interval they fall in (the boundaries of every IPv6 prefix the
 * rules use), which keeps the engine 32-bit.  Zones of addresses come from a
 * compiled interval table with the same answers as policy_zone_of_addr().
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "classify.h"
#include "textbuf.h"
#include "timefmt.h"

#define MAX_ZONES 255

struct zone_iv4 {
	uint32_t lo;		/* start of the interval; it runs to the next */
	int16_t zone;
};

struct zone_iv6 {
	uint8_t lo[16];
	int16_t zone;
};

struct pin {
	uint8_t family;
	uint8_t addr[16];
	uint8_t mac[6];
	int host;
};

struct classify {
	const struct policy *p;
	time_t now;
	int nzones;
	struct acl *acl4, *acl6;
	int32_t *flow4, *flow6;	/* rule -> flow */
	uint32_t nrules4, nrules6;
	uint8_t (*bound6)[16];	/* sorted starts of IPv6 intervals */
	size_t nbound6;
	struct zone_iv4 *z4;
	size_t nz4;
	struct zone_iv6 *z6;
	size_t nz6;
	struct pin *pins;
	size_t npins;
	size_t mem;
};

const char *
classify_reason_str(enum classify_reason r)
{
	switch (r) {
	case CLASSIFY_PERMIT: return "permit";
	case CLASSIFY_NO_FLOW: return "no-flow";
	case CLASSIFY_NO_ZONE: return "no-zone";
	case CLASSIFY_SPOOFED: return "spoofed";
	case CLASSIFY_MAC_MISMATCH: return "mac-mismatch";
	}
	return "?";
}

/* ---------------------------------------------------------------------
 * 128-bit helpers (big-endian byte arrays)
 */

static int
cmp128(const void *x, const void *y)
{
	return memcmp(x, y, 16);
}

static size_t
uniq128(uint8_t (*v)[16], size_t n)
{
	size_t out = 0;

	qsort(v, n, 16, cmp128);
	for (size_t i = 0; i < n; i++)
		if (out == 0 || memcmp(v[out - 1], v[i], 16) != 0)
			memmove(v[out++], v[i], 16);
	return out;
}

/* Index of the last start <= a (starts[0] is all zero). */
static size_t
find128(uint8_t (*starts)[16], size_t n, const uint8_t a[16])
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (memcmp(starts[mid], a, 16) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* ---------------------------------------------------------------------
 * The zone table
 */

static int
u32cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return (a > b) - (a < b);
}

static int
build_zones4(struct classify *c)
{
	const struct policy *p = c->p;
	size_t n = 1, cap = 1;
	uint32_t *b;

	for (size_t i = 0; i < p->nzones; i++)
		cap += 2 * p->zones[i].nnets;
	if ((b = calloc(cap, sizeof(*b))) == NULL)
		return -1;
	b[0] = 0;
	for (size_t i = 0; i < p->nzones; i++)
		for (size_t j = 0; j < p->zones[i].nnets; j++) {
			uint32_t lo, hi;
			if (p->zones[i].nets[j].family != ADDR_V4)
				continue;
			addr_range4(&p->zones[i].nets[j], &lo, &hi);
			b[n++] = lo;
			if (hi != UINT32_MAX)
				b[n++] = hi + 1;
		}
	qsort(b, n, sizeof(*b), u32cmp);
	if ((c->z4 = calloc(n, sizeof(*c->z4))) == NULL) {
		free(b);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t a[16] = { 0 };
		int z;
		if (i > 0 && b[i] == b[i - 1])
			continue;
		a[0] = (uint8_t)(b[i] >> 24);
		a[1] = (uint8_t)(b[i] >> 16);
		a[2] = (uint8_t)(b[i] >> 8);
		a[3] = (uint8_t)b[i];
		z = policy_zone_of_addr(p, ADDR_V4, a);
		if (c->nz4 > 0 && c->z4[c->nz4 - 1].zone == z)
			continue;
		c->z4[c->nz4].lo = b[i];
		c->z4[c->nz4++].zone = (int16_t)z;
	}
	free(b);
	c->mem += n * sizeof(*c->z4);
	return 0;
}

static int
build_zones6(struct classify *c)
{
	const struct policy *p = c->p;
	size_t n = 1, cap = 1;
	uint8_t (*b)[16];

	for (size_t i = 0; i < p->nzones; i++)
		cap += 2 * p->zones[i].nnets;
	if ((b = calloc(cap, 16)) == NULL)
		return -1;
	for (size_t i = 0; i < p->nzones; i++)
		for (size_t j = 0; j < p->zones[i].nnets; j++) {
			uint8_t hi[16];
			if (p->zones[i].nets[j].family != ADDR_V6)
				continue;
			addr_range(&p->zones[i].nets[j], b[n], hi);
			n++;
			if (!addr_inc(hi, 16))
				memcpy(b[n++], hi, 16);
		}
	n = uniq128(b, n);
	if ((c->z6 = calloc(n, sizeof(*c->z6))) == NULL) {
		free(b);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		int z = policy_zone_of_addr(p, ADDR_V6, b[i]);
		if (c->nz6 > 0 && c->z6[c->nz6 - 1].zone == z)
			continue;
		memcpy(c->z6[c->nz6].lo, b[i], 16);
		c->z6[c->nz6++].zone = (int16_t)z;
	}
	free(b);
	c->mem += n * sizeof(*c->z6);
	return 0;
}

int
classify_zone_of(const struct classify *c, int family, const uint8_t a[16])
{
	size_t lo = 0, hi;

	if (family == ADDR_V4) {
		uint32_t v = addr_v4(a);
		hi = c->nz4;
		while (hi - lo > 1) {
			size_t mid = (lo + hi) / 2;
			if (c->z4[mid].lo <= v)
				lo = mid;
			else
				hi = mid;
		}
		return c->nz4 ? c->z4[lo].zone : -1;
	}
	hi = c->nz6;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (memcmp(c->z6[mid].lo, a, 16) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	return c->nz6 ? c->z6[lo].zone : -1;
}

/* ---------------------------------------------------------------------
 * Rules
 */

struct rulevec {
	struct acl_rule *r;
	int32_t *flow;
	uint32_t n, cap;
};

static int
rv_push(struct rulevec *v, const struct acl_rule *r, int32_t flow)
{
	if (v->n == v->cap) {
		uint32_t cap = v->cap ? v->cap * 2 : 64;
		void *nr = realloc(v->r, cap * sizeof(*v->r));
		void *nf;
		if (nr == NULL)
			return -1;
		v->r = nr;
		if ((nf = realloc(v->flow, cap * sizeof(*v->flow))) == NULL)
			return -1;
		v->flow = nf;
		v->cap = cap;
	}
	v->r[v->n] = *r;
	v->flow[v->n++] = flow;
	return 0;
}

/* Does service s apply to packets of this family? */
static bool
service_family(const struct service *s, int family)
{
	if (s->any_proto)
		return true;
	if (s->proto == PROTO_ICMP)
		return family == ADDR_V4;
	if (s->proto == PROTO_ICMPV6)
		return family == ADDR_V6;
	return true;
}

static bool
flow_usable(const struct policy *p, const struct flow *f, time_t now)
{
	return !f->bad && f->from.kind != EP_NONE && f->to.kind != EP_NONE &&
	    policy_flow_active(f, now) &&
	    policy_endpoint_zone(p, &f->from) >= 0 &&
	    policy_endpoint_zone(p, &f->to) >= 0;
}

/* The address range of an endpoint as engine values: IPv4 as is, IPv6 as
 * interval numbers. */
static void
ep_range(const struct classify *c, const struct addr_pfx *pf, uint32_t *lo,
    uint32_t *hi)
{
	uint8_t l[16], h[16];
	size_t il, ih;

	if (pf->family == ADDR_V4) {
		addr_range4(pf, lo, hi);
		return;
	}
	addr_range(pf, l, h);
	il = find128(c->bound6, c->nbound6, l);
	ih = addr_inc(h, 16) ? c->nbound6 - 1 : find128(c->bound6, c->nbound6, h) - 1;
	*lo = (uint32_t)il;
	*hi = (uint32_t)ih;
}

/* The rules of one flow for one source and destination prefix. */
static int
pair_rules(struct classify *c, struct rulevec *v, int32_t fi, int family,
    const struct addr_pfx *src, const struct addr_pfx *dst)
{
	const struct policy *p = c->p;
	const struct flow *f = &p->flows[fi];
	struct acl_rule r;
	int zin, zout;

	zin = policy_endpoint_zone(p, &f->from);
	zout = policy_endpoint_zone(p, &f->to);
	memset(&r, 0, sizeof(r));
	ep_range(c, src, &r.src_lo, &r.src_hi);
	ep_range(c, dst, &r.dst_lo, &r.dst_hi);
	r.sp_lo = 0;
	r.sp_hi = 65535;
	r.tag_lo = r.tag_hi = (uint16_t)(zin * c->nzones + zout);
	for (size_t k = 0; k < f->nservices; k++) {
		const struct service *s = &p->services[f->services[k]];

		if (!service_family(s, family))
			continue;
		if (s->any_proto) {
			r.pr_lo = 0;
			r.pr_hi = 255;
			r.dp_lo = 0;
			r.dp_hi = 65535;
			if (rv_push(v, &r, fi) < 0)
				return -1;
			continue;
		}
		r.pr_lo = r.pr_hi = s->proto;
		if (s->proto == PROTO_ICMP || s->proto == PROTO_ICMPV6) {
			if (s->ntypes == 0) {
				r.dp_lo = 0;
				r.dp_hi = 65535;
				if (rv_push(v, &r, fi) < 0)
					return -1;
			}
			for (size_t t = 0; t < s->ntypes; t++) {
				r.dp_lo = r.dp_hi = s->types[t];
				if (rv_push(v, &r, fi) < 0)
					return -1;
			}
			continue;
		}
		if (s->nports == 0) {
			r.dp_lo = 0;
			r.dp_hi = 65535;
			if (rv_push(v, &r, fi) < 0)
				return -1;
		}
		for (size_t pr = 0; pr < s->nports; pr++) {
			r.dp_lo = s->ports[pr].lo;
			r.dp_hi = s->ports[pr].hi;
			if (rv_push(v, &r, fi) < 0)
				return -1;
		}
	}
	return 0;
}

/* Every element of an address list holds: one set of rules for each
 * source and destination prefix. */
static int
flow_rules(struct classify *c, struct rulevec *v, int32_t fi, int family)
{
	const struct policy *p = c->p;
	const struct flow *f = &p->flows[fi];
	struct policy_pfx_iter si, di;
	const struct addr_pfx *src, *dst;

	policy_pfx_iter(&si, p, &f->from, family);
	while ((src = policy_pfx_next(&si, NULL)) != NULL) {
		policy_pfx_iter(&di, p, &f->to, family);
		while ((dst = policy_pfx_next(&di, NULL)) != NULL)
			if (pair_rules(c, v, fi, family, src, dst) < 0)
				return -1;
	}
	return 0;
}

/* The boundaries of every IPv6 prefix the rules use. */
static int
build_bounds6(struct classify *c)
{
	const struct policy *p = c->p;
	size_t n = 1, cap = 1;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < p->nflows; i++) {
			const struct flow *f = &p->flows[i];
			const struct endpoint *e[2] = { &f->from, &f->to };
			if (!flow_usable(p, f, c->now))
				continue;
			for (int k = 0; k < 2; k++) {
				struct policy_pfx_iter it;
				const struct addr_pfx *pf;
				uint8_t hi[16];

				policy_pfx_iter(&it, p, e[k], ADDR_V6);
				while ((pf = policy_pfx_next(&it, NULL)) !=
				    NULL) {
					if (pass == 0) {
						cap += 2;
						continue;
					}
					addr_range(pf, c->bound6[n++], hi);
					if (!addr_inc(hi, 16))
						memcpy(c->bound6[n++], hi, 16);
				}
			}
		}
		if (pass == 0 && (c->bound6 = calloc(cap, 16)) == NULL)
			return -1;
	}
	c->nbound6 = uniq128(c->bound6, n);
	c->mem += c->nbound6 * 16;
	return 0;
}

static int
build_pins(struct classify *c)
{
	const struct policy *p = c->p;

	if ((c->pins = calloc(p->nhosts + 1, sizeof(*c->pins))) == NULL)
		return -1;
	for (size_t i = 0; i < p->nhosts; i++) {
		const struct host *h = &p->hosts[i];
		if (!policy_host_pinned(p, h))
			continue;
		c->pins[c->npins].family = h->addrs[0].pfx.family;
		memcpy(c->pins[c->npins].addr, h->addrs[0].pfx.a, 16);
		memcpy(c->pins[c->npins].mac, h->mac, 6);
		c->pins[c->npins++].host = (int)i;
	}
	return 0;
}

struct classify *
classify_build(const struct policy *p, time_t now, char *err, size_t errlen)
{
	struct classify *c;
	struct rulevec v4 = { 0 }, v6 = { 0 };

	if (p->nzones > MAX_ZONES) {
		snprintf(err, errlen, "too many zones (%zu, at most %d)",
		    p->nzones, MAX_ZONES);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto oom;
	c->p = p;
	c->now = now;
	c->nzones = (int)p->nzones;
	if (build_zones4(c) < 0 || build_zones6(c) < 0 ||
	    build_bounds6(c) < 0 || build_pins(c) < 0)
		goto oom;
	for (size_t i = 0; i < p->nflows; i++) {
		if (!flow_usable(p, &p->flows[i], now))
			continue;
		if (flow_rules(c, &v4, (int32_t)i, ADDR_V4) < 0 ||
		    flow_rules(c, &v6, (int32_t)i, ADDR_V6) < 0)
			goto oom;
	}
	if ((c->acl4 = acl_build(v4.r, v4.n, err, errlen)) == NULL ||
	    (c->acl6 = acl_build(v6.r, v6.n, err, errlen)) == NULL) {
		free(v4.r);
		free(v6.r);
		free(v4.flow);
		free(v6.flow);
		classify_free(c);
		return NULL;
	}
	c->flow4 = v4.flow;
	c->flow6 = v6.flow;
	c->nrules4 = v4.n;
	c->nrules6 = v6.n;
	c->mem += acl_mem(c->acl4) + acl_mem(c->acl6) +
	    (v4.n + v6.n) * sizeof(int32_t) + sizeof(*c) +
	    c->npins * sizeof(*c->pins);
	free(v4.r);
	free(v6.r);
	return c;
oom:
	free(v4.r);
	free(v6.r);
	free(v4.flow);
	free(v6.flow);
	classify_free(c);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

void
classify_free(struct classify *c)
{
	if (c == NULL)
		return;
	acl_free(c->acl4);
	acl_free(c->acl6);
	free(c->flow4);
	free(c->flow6);
	free(c->bound6);
	free(c->z4);
	free(c->z6);
	free(c->pins);
	free(c);
}

size_t
classify_nrules(const struct classify *c)
{
	return (size_t)c->nrules4 + c->nrules6;
}

size_t
classify_mem(const struct classify *c)
{
	return c->mem;
}

/* ---------------------------------------------------------------------
 * Classification
 */

static const struct pin *
find_pin(const struct classify *c, int family, const uint8_t a[16])
{
	for (size_t i = 0; i < c->npins; i++)
		if (c->pins[i].family == family &&
		    memcmp(c->pins[i].addr, a, 16) == 0)
			return &c->pins[i];
	return NULL;
}

/* Zones, spoofing and MAC pinning; 1 when the engine must decide. */
static int
prelim(const struct classify *c, const struct classify_pkt *k,
    struct classify_verdict *v)
{
	int zs = classify_zone_of(c, k->family, k->src);
	int zd = k->out_zone >= 0 ? k->out_zone :
	    classify_zone_of(c, k->family, k->dst);

	v->flow = -1;
	v->in_zone = (int16_t)(k->in_zone >= 0 ? k->in_zone : zs);
	v->out_zone = (int16_t)zd;
	if (v->in_zone < 0 || v->out_zone < 0 || v->in_zone >= c->nzones ||
	    v->out_zone >= c->nzones) {
		v->reason = CLASSIFY_NO_ZONE;
		return 0;
	}
	if (k->in_zone >= 0 && zs != k->in_zone) {
		v->reason = CLASSIFY_SPOOFED;
		return 0;
	}
	if (k->has_mac) {
		const struct pin *pn = find_pin(c, k->family, k->src);
		if (pn && memcmp(pn->mac, k->src_mac, 6) != 0) {
			v->reason = CLASSIFY_MAC_MISMATCH;
			return 0;
		}
	}
	v->reason = CLASSIFY_NO_FLOW;
	return 1;
}

static void
make_key(const struct classify *c, const struct classify_pkt *k,
    const struct classify_verdict *v, struct acl_key *key)
{
	if (k->family == ADDR_V4) {
		key->src = addr_v4(k->src);
		key->dst = addr_v4(k->dst);
	} else {
		key->src = (uint32_t)find128(c->bound6, c->nbound6, k->src);
		key->dst = (uint32_t)find128(c->bound6, c->nbound6, k->dst);
	}
	key->sport = k->sport;
	key->dport = k->dport;
	key->proto = k->proto;
	key->pad = 0;
	key->tag = (uint16_t)(v->in_zone * c->nzones + v->out_zone);
}

void
classify_batch(const struct classify *c, const struct classify_pkt *pkts,
    struct classify_verdict *out, size_t n)
{
	struct acl_key k4[ACL_BATCH], k6[ACL_BATCH];
	uint16_t i4[ACL_BATCH], i6[ACL_BATCH];
	int32_t r[ACL_BATCH];

	for (size_t base = 0; base < n; base += ACL_BATCH) {
		size_t m = n - base < ACL_BATCH ? n - base : ACL_BATCH;
		size_t n4 = 0, n6 = 0;

		for (size_t i = 0; i < m; i++) {
			const struct classify_pkt *k = &pkts[base + i];
			struct classify_verdict *v = &out[base + i];
			if (!prelim(c, k, v))
				continue;
			if (k->family == ADDR_V4) {
				make_key(c, k, v, &k4[n4]);
				i4[n4++] = (uint16_t)i;
			} else {
				make_key(c, k, v, &k6[n6]);
				i6[n6++] = (uint16_t)i;
			}
		}
		if (n4) {
			acl_classify(c->acl4, k4, r, n4);
			for (size_t j = 0; j < n4; j++) {
				struct classify_verdict *v = &out[base + i4[j]];
				if (r[j] >= 0) {
					v->flow = c->flow4[r[j]];
					v->reason = CLASSIFY_PERMIT;
				}
			}
		}
		if (n6) {
			acl_classify(c->acl6, k6, r, n6);
			for (size_t j = 0; j < n6; j++) {
				struct classify_verdict *v = &out[base + i6[j]];
				if (r[j] >= 0) {
					v->flow = c->flow6[r[j]];
					v->reason = CLASSIFY_PERMIT;
				}
			}
		}
	}
}

void
classify_one(const struct classify *c, const struct classify_pkt *pkt,
    struct classify_verdict *out)
{
	classify_batch(c, pkt, out, 1);
}

/* ---------------------------------------------------------------------
 * The reference: the policy read plainly, flow by flow
 */

static bool
ep_holds(const struct policy *p, const struct endpoint *e, int family,
    const uint8_t a[16])
{
	return policy_endpoint_holds(p, e, family, a);
}

void
classify_reference(const struct policy *p, time_t now,
    const struct classify_pkt *k, struct classify_verdict *v)
{
	int zs = policy_zone_of_addr(p, k->family, k->src);

	v->flow = -1;
	v->in_zone = (int16_t)(k->in_zone >= 0 ? k->in_zone : zs);
	v->out_zone = (int16_t)(k->out_zone >= 0 ? k->out_zone :
	    policy_zone_of_addr(p, k->family, k->dst));
	if (v->in_zone < 0 || v->out_zone < 0 ||
	    (size_t)v->in_zone >= p->nzones ||
	    (size_t)v->out_zone >= p->nzones) {
		v->reason = CLASSIFY_NO_ZONE;
		return;
	}
	if (k->in_zone >= 0 && zs != k->in_zone) {
		v->reason = CLASSIFY_SPOOFED;
		return;
	}
	if (k->has_mac)
		for (size_t i = 0; i < p->nhosts; i++) {
			const struct host *h = &p->hosts[i];
			if (!policy_host_pinned(p, h) ||
			    h->addrs[0].pfx.family != k->family ||
			    memcmp(h->addrs[0].pfx.a, k->src, 16) != 0)
				continue;
			if (memcmp(h->mac, k->src_mac, 6) != 0) {
				v->reason = CLASSIFY_MAC_MISMATCH;
				return;
			}
			break;
		}
	v->reason = CLASSIFY_NO_FLOW;
	for (size_t i = 0; i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];

		if (!flow_usable(p, f, now) ||
		    policy_endpoint_zone(p, &f->from) != v->in_zone ||
		    policy_endpoint_zone(p, &f->to) != v->out_zone ||
		    !ep_holds(p, &f->from, k->family, k->src) ||
		    !ep_holds(p, &f->to, k->family, k->dst))
			continue;
		for (size_t s = 0; s < f->nservices; s++) {
			const struct service *sv = &p->services[f->services[s]];
			if (service_family(sv, k->family) &&
			    policy_service_match(sv, k->proto, k->dport)) {
				v->flow = (int32_t)i;
				v->reason = CLASSIFY_PERMIT;
				return;
			}
		}
	}
}

/* ---------------------------------------------------------------------
 * Explanations
 */

static void
services_text(const struct policy *p, const struct flow *f, char *buf,
    size_t len)
{
	buf[0] = '\0';
	for (size_t k = 0; k < f->nservices; k++) {
		const struct service *s = &p->services[f->services[k]];
		const char *pr = policy_proto_str(s->proto, s->any_proto);

		if (k)
			textbuf_append(buf, len, ", ");
		if (s->any_proto || (s->nports == 0 && s->ntypes == 0)) {
			textbuf_append(buf, len, "%s", pr);
			continue;
		}
		for (size_t r = 0; r < s->nports; r++) {
			if (r)
				textbuf_append(buf, len, ", ");
			if (s->ports[r].lo == s->ports[r].hi)
				textbuf_append(buf, len, "%s/%u", pr,
				    s->ports[r].lo);
			else
				textbuf_append(buf, len, "%s/%u-%u", pr,
				    s->ports[r].lo, s->ports[r].hi);
		}
		for (size_t t = 0; t < s->ntypes; t++)
			textbuf_append(buf, len, "%s%s type %u", t ? ", " : "",
			    pr, s->types[t]);
	}
}

const char *
classify_pkt_text(const struct classify_pkt *k, char *buf, size_t len)
{
	const char *pr = policy_proto_str(k->proto, false);

	if (k->proto == PROTO_ICMP || k->proto == PROTO_ICMPV6)
		snprintf(buf, len, "%s type %u", pr, k->dport);
	else if (k->proto == PROTO_TCP || k->proto == PROTO_UDP ||
	    k->proto == PROTO_SCTP)
		snprintf(buf, len, "%s/%u", pr, k->dport);
	else
		snprintf(buf, len, "protocol %s", pr);
	return buf;
}

void
classify_explain(const struct classify *c, const struct classify_pkt *k,
    const struct classify_verdict *v, char *buf, size_t len)
{
	const struct policy *p = c->p;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], m1[MAC_STRLEN],
	    m2[MAC_STRLEN], pr[32], sv[256], when[TIMEFMT_LEN];
	const struct zone *zi, *zo;
	const struct pin *pn;
	bool hint = false;

	buf[0] = '\0';
	switch ((enum classify_reason)v->reason) {
	case CLASSIFY_PERMIT:
		if (p->flows[v->flow].label)
			snprintf(buf, len, "flow \"%s\" (%s)",
			    p->flows[v->flow].name, p->flows[v->flow].label);
		else
			snprintf(buf, len, "flow \"%s\"",
			    p->flows[v->flow].name);
		return;
	case CLASSIFY_NO_ZONE:
		if (v->in_zone < 0)
			snprintf(buf, len, "source %s lies in no zone",
			    addr_format_ip(k->family, k->src, a, sizeof(a)));
		else
			snprintf(buf, len, "destination %s lies in no zone",
			    addr_format_ip(k->family, k->dst, a, sizeof(a)));
		return;
	case CLASSIFY_SPOOFED:
		snprintf(buf, len, "source %s does not belong to zone \"%s\" "
		    "of the ingress interface (spoofed)",
		    addr_format_ip(k->family, k->src, a, sizeof(a)),
		    p->zones[v->in_zone].name);
		return;
	case CLASSIFY_MAC_MISMATCH:
		pn = find_pin(c, k->family, k->src);
		snprintf(buf, len, "source MAC %s is not the pinned MAC %s of "
		    "host \"%s\" (%s)", mac_format(k->src_mac, m1, sizeof(m1)),
		    pn ? mac_format(pn->mac, m2, sizeof(m2)) : "?",
		    pn ? p->hosts[pn->host].name : "?",
		    addr_format_ip(k->family, k->src, a, sizeof(a)));
		return;
	case CLASSIFY_NO_FLOW:
		break;
	}
	zi = &p->zones[v->in_zone];
	zo = &p->zones[v->out_zone];
	snprintf(buf, len, "no flow permits %s -> %s %s from %s to %s",
	    zi->name, zo->name, classify_pkt_text(k, pr, sizeof(pr)),
	    addr_format_ip(k->family, k->src, a, sizeof(a)),
	    addr_format_ip(k->family, k->dst, b, sizeof(b)));
	if ((zi->kind == ZONE_MYNUMBER && zo->kind == ZONE_INTERNET) ||
	    (zi->kind == ZONE_INTERNET && zo->kind == ZONE_MYNUMBER)) {
		textbuf_append(buf, len, "; the My Number zone never talks "
		    "to the Internet");
		return;
	}
	/* Hints: flows between the same endpoints on other services, and
	 * flows that would match but have expired. */
	for (size_t i = 0; i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];
		struct classify_pkt any = *k;
		struct classify_verdict rv;
		bool endpoints;

		if (f->bad || policy_endpoint_zone(p, &f->from) != v->in_zone ||
		    policy_endpoint_zone(p, &f->to) != v->out_zone)
			continue;
		endpoints = ep_holds(p, &f->from, k->family, k->src) &&
		    ep_holds(p, &f->to, k->family, k->dst);
		if (!endpoints)
			continue;
		if (!policy_flow_active(f, c->now)) {
			struct policy one = *p;
			bool pending = policy_flow_pending(f, c->now);
			one.flows = (struct flow *)f;
			one.nflows = 1;
			any.in_zone = v->in_zone;
			any.out_zone = v->out_zone;
			/* as it was (or will be) while active */
			classify_reference(&one, pending ? f->starts :
			    f->expires - 1, &any, &rv);
			if (rv.reason == CLASSIFY_PERMIT) {
				if (pending)
					textbuf_append(buf, len, "; flow \"%s\" "
					    "will, from %s", f->name, timefmt_offset(
					    f->starts, f->starts_off, when,
					    sizeof(when)));
				else
					textbuf_append(buf, len, "; flow \"%s\" "
					    "would, but it expired at %s", f->name,
					    timefmt_offset(f->expires, f->expires_off,
					    when, sizeof(when)));
				hint = true;
				continue;
			}
		}
		if (!hint) {
			services_text(p, f, sv, sizeof(sv));
			textbuf_append(buf, len, "; flow \"%s\" between these "
			    "hosts permits %s only", f->name, sv);
			hint = true;
		}
	}
	if (!hint && v->in_zone != v->out_zone)
		textbuf_append(buf, len, " (default deny between zones)");
}
