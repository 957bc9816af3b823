/*
 * check_classify — the policy classifier (lib/classify.c).
 *
 * 1. Differential: seeded random policies (zones of every kind with IPv4
 *    and IPv6 networks, nested and overlapping; hosts that are addresses or
 *    networks, some pinned by MAC, some outside their zone; services with
 *    ports, ranges, ICMP types, "any"; flows between hosts and zones, some
 *    overlapping, some expired, some naming nothing), written as libconfig
 *    text and loaded by conf_load_string, sometimes linted (which marks
 *    objects bad) and sometimes edited in the model directly; random packets
 *    biased to the corners (host addresses, network edges and one past
 *    them, port range ends and one past them, ICMP types, pinned MACs,
 *    ingress zones that lie).  classify_batch() must give exactly what
 *    classify_reference() gives — flow, reason and zones — for every packet.
 * 2. Tables on conf/alpha.conf through query_build(): permits with the flow
 *    name, denials with their reason and explanation, IPv6, MAC pinning,
 *    spoofing, an expired flow's hint.  (How query_build() reads the words
 *    of the question is check_query.c's.)
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "classify.h"
#include "conf.h"
#include "diag.h"
#include "lint.h"
#include "policy.h"
#include "query.h"
#include "unit.h"

#define NOW ((time_t)1795219200)	/* 2026-11-21T00:00:00Z */

/* --- a seeded PRNG (xorshift64*) ------------------------------------------- */

static uint64_t rng_state;

static void
rng_seed(uint64_t s)
{
	rng_state = s * 0x9E3779B97F4A7C15ULL + 1;
}

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* 0..n-1 */
static unsigned
rn(unsigned n)
{
	return (unsigned)(rng() % n);
}

/* true with probability pct/100 */
static bool
chance(unsigned pct)
{
	return rn(100) < pct;
}

/* --- a growing string -------------------------------------------------------- */

struct sb {
	char *s;
	size_t n, cap;
};

static void sbf(struct sb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sbf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0,
		    fmt, ap);
		va_end(ap);
		ck_assert(k >= 0);
		if (b->s && b->n + (size_t)k < b->cap)
			break;
		b->cap = (b->cap + (size_t)k + 1) * 2;
		b->s = realloc(b->s, b->cap);
		ck_assert(b->s != NULL);
		if (b->n == 0)
			b->s[0] = '\0';
	}
	b->n += (size_t)k;
}

/* --- addresses ---------------------------------------------------------------- */

static void
mask(struct addr_pfx *p)
{
	int bits = p->family == ADDR_V4 ? 32 : 128;

	for (int i = 0; i < bits / 8; i++) {
		int keep = (int)p->len - i * 8;
		p->a[i] &= keep >= 8 ? 0xff : keep <= 0 ? 0 :
		    (uint8_t)(0xff << (8 - keep));
	}
}

static void
add_one(uint8_t *a, int nbytes, int delta)
{
	for (int i = nbytes - 1; i >= 0; i--) {
		if (delta > 0 && ++a[i] != 0)
			return;
		if (delta < 0 && a[i]-- != 0)
			return;
	}
}

static const char *
pfx_str(const struct addr_pfx *p, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(p->family == ADDR_V4 ? AF_INET : AF_INET6, p->a, ip,
	    sizeof(ip));
	snprintf(buf, len, "%s/%u", ip, p->len);
	return buf;
}

/* A prefix from a small universe so that prefixes nest and overlap. */
static struct addr_pfx
rand_pfx(int fam, bool allow_default)
{
	static const uint8_t v4base[][4] = {
		{ 10, 0, 0, 0 }, { 10, 1, 0, 0 }, { 10, 1, 2, 0 },
		{ 10, 1, 2, 128 }, { 10, 2, 0, 0 }, { 10, 2, 255, 255 },
		{ 192, 0, 2, 0 }, { 198, 51, 100, 0 }, { 172, 16, 0, 0 },
	};
	static const uint8_t v4len[] = { 8, 16, 20, 24, 25, 28, 30, 31, 32 };
	static const uint8_t v6len[] = { 32, 48, 56, 64, 120, 127, 128 };
	struct addr_pfx p;

	memset(&p, 0, sizeof(p));
	p.family = (uint8_t)fam;
	if (fam == ADDR_V4) {
		if (chance(20)) {
			uint32_t v = (uint32_t)rng();
			p.a[0] = 10;
			p.a[1] = (uint8_t)(v % 4);
			p.a[2] = (uint8_t)(v >> 8);
			p.a[3] = (uint8_t)(v >> 16);
		} else
			memcpy(p.a, v4base[rn(ARRAY_LEN(v4base))], 4);
		p.len = allow_default && chance(15) ? 0 :
		    v4len[rn(ARRAY_LEN(v4len))];
	} else {
		p.a[0] = 0xfd;
		if (chance(20)) {
			p.a[0] = 0x20;
			p.a[1] = 0x01;
			p.a[2] = 0x0d;
			p.a[3] = 0xb8;
		}
		p.a[5] = (uint8_t)rn(3);
		p.a[7] = (uint8_t)rn(3);
		if (chance(50))
			p.a[15] = (uint8_t)rng();
		if (chance(20))
			p.a[14] = 0xff, p.a[15] = 0xff;
		p.len = allow_default && chance(15) ? 0 :
		    v6len[rn(ARRAY_LEN(v6len))];
	}
	mask(&p);
	return p;
}

/* A random prefix inside net (len >= net's). */
static struct addr_pfx
sub_pfx(const struct addr_pfx *net)
{
	int bits = net->family == ADDR_V4 ? 32 : 128;
	struct addr_pfx p = *net;

	for (int i = 0; i < bits / 8; i++)
		if ((int)net->len <= i * 8 + 7)
			p.a[i] = (uint8_t)(net->a[i] | ((uint8_t)rng() &
			    (uint8_t)~(net->len > i * 8 ? (uint8_t)(0xff <<
			    (8 - (net->len - i * 8))) : 0)));
	p.len = (uint8_t)(chance(60) ? (unsigned)bits : net->len + rn((unsigned)(bits -
	    net->len + 1)));
	mask(&p);
	return p;
}

/* --- the random policy ------------------------------------------------------------ */

#define MAXZ 6
#define MAXN 4
#define MAXH 14
#define MAXS 8

struct gen {
	int nz;
	int kind[MAXZ];
	struct addr_pfx net[MAXZ][MAXN];
	int nnet[MAXZ];
	int nh;
	int ns;
	int nflows;
	int ndangling;
};

static const char *const kinds[] = { "mynumber", "lgwan", "internet",
    "closed" };

static void
gen_policy(struct gen *g, struct sb *b)
{
	static const char *const protos[] = { "tcp", "udp", "sctp", "icmp",
	    "icmpv6", "any" };
	static const uint16_t ports[] = { 1, 22, 25, 53, 80, 443, 1000, 1001,
	    3389, 8080, 65535 };
	static const uint8_t types[] = { 0, 3, 8, 11, 128, 129, 135 };
	char a[80];

	memset(g, 0, sizeof(*g));
	sbf(b, "version = 1;\nmodel = \"%s\";\nzones = {\n",
	    (const char *[]){ "alpha", "alpha-prime", "beta",
	    "beta-prime" }[rn(4)]);
	g->nz = 2 + (int)rn(MAXZ - 1);
	for (int z = 0; z < g->nz; z++) {
		g->kind[z] = (int)rn(4) + 1;
		sbf(b, "  z%d = { kind = \"%s\"; interfaces = [ \"if%d\" ];\n"
		    "    networks = [ ", z, kinds[g->kind[z] - 1], z);
		/* an Internet zone: often the default routes */
		for (int fam = ADDR_V4; fam <= ADDR_V6; fam += 2)
			if (g->kind[z] == ZONE_INTERNET && chance(55)) {
				struct addr_pfx d;
				memset(&d, 0, sizeof(d));
				d.family = (uint8_t)fam;
				g->net[z][g->nnet[z]++] = d;
			}
		while (g->nnet[z] == 0 || (g->nnet[z] < MAXN && chance(40)))
			g->net[z][g->nnet[z]++] = rand_pfx(chance(65) ? ADDR_V4 :
			    ADDR_V6, false);
		for (int k = 0; k < g->nnet[z]; k++)
			sbf(b, "%s\"%s\"", k ? ", " : "", pfx_str(&g->net[z][k],
			    a, sizeof(a)));
		sbf(b, " ]; };\n");
	}
	sbf(b, "};\nhosts = {\n");
	g->nh = 2 + (int)rn(MAXH - 1);
	for (int h = 0; h < g->nh; h++) {
		int z = (int)rn((unsigned)g->nz);
		struct addr_pfx p;

		if (chance(80))
			p = sub_pfx(&g->net[z][rn((unsigned)g->nnet[z])]);
		else
			p = rand_pfx(chance(60) ? ADDR_V4 : ADDR_V6, false);
		sbf(b, "  h%d = { zone = \"z%d\"; address = \"%s\";", h, z,
		    pfx_str(&p, a, sizeof(a)));
		if (chance(g->kind[z] == ZONE_MYNUMBER ? 85 : 10))
			sbf(b, " mac = \"02:00:00:00:00:%02x\";", rn(6) + 1);
		sbf(b, " };\n");
	}
	sbf(b, "};\nservices = {\n");
	g->ns = 1 + (int)rn(MAXS);
	for (int s = 0; s < g->ns; s++) {
		int pr = (int)rn(ARRAY_LEN(protos));

		sbf(b, "  s%d = { proto = \"%s\";", s, protos[pr]);
		if (pr <= 2 && chance(80)) {
			int n = 1 + (int)rn(4);
			bool list = chance(50);
			sbf(b, " ports = %s ", list ? "(" : "[");
			for (int k = 0; k < n; k++) {
				uint16_t lo = ports[rn(ARRAY_LEN(ports))];
				if (list && chance(50)) {
					uint16_t hi = (uint16_t)(lo + rn(20));
					if (hi < lo)
						hi = 65535;
					sbf(b, "%s\"%u-%u\"", k ? ", " : "", lo,
					    hi);
				} else
					sbf(b, "%s%u", k ? ", " : "", lo);
			}
			sbf(b, " %s;", list ? ")" : "]");
		} else if ((pr == 3 || pr == 4) && chance(70)) {
			int n = 1 + (int)rn(3), first = (int)rn(ARRAY_LEN(types));
			sbf(b, " types = [ ");
			for (int k = 0; k < n; k++)
				sbf(b, "%s%u", k ? ", " : "",
				    types[(first + k) % ARRAY_LEN(types)]);
			sbf(b, " ];");
		}
		sbf(b, " };\n");
	}
	sbf(b, "};\nflows = (\n");
	g->nflows = 1 + (int)rn(24);
	for (int f = 0; f < g->nflows; f++) {
		char ep[2][16];
		int ns = 1 + (int)rn(3), s0 = (int)rn((unsigned)g->ns);

		for (int k = 0; k < 2; k++) {
			if (chance(3)) {
				snprintf(ep[k], sizeof(ep[k]), "nosuch");
				g->ndangling++;
			} else if (chance(65))
				snprintf(ep[k], sizeof(ep[k]), "h%u",
				    rn((unsigned)g->nh));
			else
				snprintf(ep[k], sizeof(ep[k]), "z%u",
				    rn((unsigned)g->nz));
		}
		if (ns > g->ns)
			ns = g->ns;
		sbf(b, "%s  { name = \"f%d\"; from = \"%s\"; to = \"%s\"; "
		    "service = ( ", f ? ",\n" : "", f, ep[0], ep[1]);
		for (int k = 0; k < ns; k++)
			sbf(b, "%s\"s%d\"", k ? ", " : "", (s0 + k) % g->ns);
		sbf(b, " );");
		if (chance(20)) {
			static const int off[] = { -100000, -1, 0, 1, 100000 };
			time_t t = NOW + off[rn(ARRAY_LEN(off))];
			struct tm tm;
			char when[32];
			gmtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
			sbf(b, " expires = \"%s\";", when);
		}
		sbf(b, " }");
	}
	sbf(b, "\n);\n");
}

/* --- random packets ---------------------------------------------------------- */

struct corner {
	uint8_t fam;
	uint8_t a[16];
};

struct corners {
	struct corner *v;
	size_t n, cap;
	uint16_t port[256];
	size_t nport;
};

static void
corner_add(struct corners *c, int fam, const uint8_t a[16])
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		ck_assert(c->v != NULL);
	}
	c->v[c->n].fam = (uint8_t)fam;
	memcpy(c->v[c->n].a, a, 16);
	c->n++;
}

/* The edges of p and one past them, and an address inside. */
static void
corner_pfx(struct corners *c, const struct addr_pfx *p)
{
	uint8_t lo[16], hi[16], t[16];
	int nb = p->family == ADDR_V4 ? 4 : 16;
	struct addr_pfx in;

	addr_range(p, lo, hi);
	corner_add(c, p->family, lo);
	corner_add(c, p->family, hi);
	memcpy(t, lo, 16);
	add_one(t, nb, -1);
	corner_add(c, p->family, t);
	memcpy(t, hi, 16);
	add_one(t, nb, 1);
	corner_add(c, p->family, t);
	in = sub_pfx(p);
	corner_add(c, p->family, in.a);
}

static void
port_add(struct corners *c, uint16_t v)
{
	if (c->nport < ARRAY_LEN(c->port))
		c->port[c->nport++] = v;
}

static void
corners_of(const struct policy *p, struct corners *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t z = 0; z < p->nzones; z++)
		for (size_t k = 0; k < p->zones[z].nnets; k++)
			corner_pfx(c, &p->zones[z].nets[k]);
	for (size_t h = 0; h < p->nhosts; h++)
		for (size_t e = 0; e < p->hosts[h].naddrs; e++)
			corner_pfx(c, &p->hosts[h].addrs[e].pfx);
	port_add(c, 0);
	port_add(c, 65535);
	for (size_t s = 0; s < p->nservices; s++) {
		const struct service *sv = &p->services[s];
		for (size_t r = 0; r < sv->nports; r++) {
			port_add(c, sv->ports[r].lo);
			port_add(c, sv->ports[r].hi);
			port_add(c, (uint16_t)(sv->ports[r].lo - 1));
			port_add(c, (uint16_t)(sv->ports[r].hi + 1));
		}
		for (size_t t = 0; t < sv->ntypes; t++) {
			port_add(c, sv->types[t]);
			port_add(c, (uint16_t)(sv->types[t] + 1));
		}
	}
}

static void
rand_addr(const struct corners *c, int fam, uint8_t a[16])
{
	memset(a, 0, 16);
	if (chance(85)) {
		/* a corner of this family */
		for (int tries = 0; tries < 32; tries++) {
			const struct corner *k = &c->v[rn((unsigned)c->n)];
			if (k->fam == fam) {
				memcpy(a, k->a, 16);
				return;
			}
		}
	}
	if (chance(50)) {
		struct addr_pfx p = rand_pfx(fam, false);
		p = sub_pfx(&p);
		memcpy(a, p.a, 16);
		return;
	}
	for (int i = 0; i < (fam == ADDR_V4 ? 4 : 16); i++)
		a[i] = (uint8_t)rng();
}

static void
rand_pkt(const struct policy *p, const struct corners *c,
    struct classify_pkt *k)
{
	static const uint8_t protos[] = { PROTO_TCP, PROTO_UDP, PROTO_SCTP,
	    PROTO_ICMP, PROTO_ICMPV6, 47, 0 };

	memset(k, 0, sizeof(*k));
	k->family = chance(55) ? ADDR_V4 : ADDR_V6;
	rand_addr(c, k->family, k->src);
	rand_addr(c, k->family, k->dst);
	k->proto = protos[rn(ARRAY_LEN(protos))];
	k->dport = chance(85) ? c->port[rn((unsigned)c->nport)] :
	    (uint16_t)rng();
	k->sport = (uint16_t)rng();
	k->in_zone = -1;
	k->out_zone = -1;
	if (chance(30)) {
		/* an ingress zone: sometimes the true one, sometimes not, or
		 * out of range */
		k->in_zone = chance(40) ?
		    (int16_t)policy_zone_of_addr(p, k->family, k->src) :
		    (int16_t)rn((unsigned)p->nzones + 1);
	}
	if (chance(15))
		k->out_zone = (int16_t)rn((unsigned)p->nzones + 1);
	if (chance(35)) {
		k->has_mac = 1;
		/* a pinned host's address, with its MAC or another */
		for (int tries = 0; tries < 8; tries++) {
			const struct host *h = &p->hosts[rn((unsigned)p->nhosts)];
			if (!h->has_mac || !policy_host_single(h))
				continue;
			k->family = h->addrs[0].pfx.family;
			memcpy(k->src, h->addrs[0].pfx.a, 16);
			if (chance(70))
				memcpy(k->src_mac, h->mac, 6);
			break;
		}
		if (k->src_mac[0] == 0) {
			k->src_mac[0] = 0x02;
			k->src_mac[5] = (uint8_t)(rn(7) + 1);
		}
		if (k->family == ADDR_V4)	/* keep the v4 form clean */
			memset(k->dst + 4, 0, 12), memset(k->src + 4, 0, 12);
	}
}

/* --- the differential test ------------------------------------------------------- */

static const char *
pkt_str(const struct classify_pkt *k, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	inet_ntop(k->family == ADDR_V4 ? AF_INET : AF_INET6, k->src, s,
	    sizeof(s));
	inet_ntop(k->family == ADDR_V4 ? AF_INET : AF_INET6, k->dst, d,
	    sizeof(d));
	snprintf(buf, len, "%s -> %s proto %u sport %u dport %u in %d out %d "
	    "mac %s%02x:%02x:%02x:%02x:%02x:%02x", s, d, k->proto, k->sport,
	    k->dport, k->in_zone, k->out_zone, k->has_mac ? "" : "(none) ",
	    k->src_mac[0], k->src_mac[1], k->src_mac[2], k->src_mac[3],
	    k->src_mac[4], k->src_mac[5]);
	return buf;
}

#define NPOL 1500
#define NPKT 400

struct diff_stats {
	size_t policies, packets, permits, reasons[5], mismatches;
};

static void
diff_one(uint64_t seed, struct diff_stats *st)
{
	struct sb text = { 0 };
	struct gen g;
	struct policy *p = NULL;
	struct diag d;
	struct classify *c;
	struct corners cs;
	struct classify_pkt *pk;
	struct classify_verdict *out, ref;
	char err[256], buf[256];
	size_t npk = NPKT;

	rng_seed(seed);
	gen_policy(&g, &text);
	diag_init(&d);
	ck_assert_int_eq(conf_load_string(text.s, "rand.conf", &p, &d), 0);
	ck_assert_msg(p != NULL, "seed %llu: syntax error: %s\n%s",
	    (unsigned long long)seed, d.n ? d.v[0].message : "", text.s);
	/* the generator makes no mistake but the dangling names */
	ck_assert_msg(d.nerrors == g.ndangling, "seed %llu: %d errors, %d "
	    "dangling names; first: %d: %s\n%s", (unsigned long long)seed,
	    d.nerrors, g.ndangling, d.n ? d.v[0].line : 0,
	    d.n ? d.v[0].message : "", text.s);
	/* sometimes lint first (it marks ZL008 objects bad), sometimes edit
	 * the model directly */
	if (chance(50))
		lint_run(p, &d, NOW);
	if (chance(15) && p->nhosts)
		p->hosts[rn((unsigned)p->nhosts)].bad = true;
	if (chance(15) && p->nflows)
		p->flows[rn((unsigned)p->nflows)].bad = true;
	c = classify_build(p, NOW, err, sizeof(err));
	ck_assert_msg(c != NULL, "seed %llu: classify_build: %s",
	    (unsigned long long)seed, err);
	corners_of(p, &cs);
	pk = calloc(npk, sizeof(*pk));
	out = calloc(npk, sizeof(*out));
	ck_assert(pk != NULL && out != NULL);
	for (size_t i = 0; i < npk; i++)
		rand_pkt(p, &cs, &pk[i]);
	/* batches of every size, and one at a time */
	for (size_t i = 0; i < npk;) {
		size_t m = 1 + rn(chance(20) ? 3 : 150);
		if (m > npk - i)
			m = npk - i;
		if (m == 1 && chance(50))
			classify_one(c, &pk[i], &out[i]);
		else
			classify_batch(c, &pk[i], &out[i], m);
		i += m;
	}
	for (size_t i = 0; i < npk; i++) {
		const struct classify_pkt *k = &pk[i];
		int zs = policy_zone_of_addr(p, k->family, k->src);

		classify_reference(p, NOW, k, &ref);
		st->packets++;
		if (ref.reason < 5)
			st->reasons[ref.reason]++;
		if (ref.reason == CLASSIFY_PERMIT)
			st->permits++;
		if (out[i].flow != ref.flow || out[i].reason != ref.reason ||
		    out[i].in_zone != ref.in_zone ||
		    out[i].out_zone != ref.out_zone ||
		    classify_zone_of(c, k->family, k->src) != zs) {
			if (st->mismatches++ < 3)
				fprintf(stderr, "classify mismatch, seed %llu, "
				    "packet %zu: %s: compiled flow %d reason %s "
				    "zones %d/%d, reference flow %d reason %s "
				    "zones %d/%d (zone of src %d/%d)\n%s\n",
				    (unsigned long long)seed, i,
				    pkt_str(k, buf, sizeof(buf)), out[i].flow,
				    classify_reason_str(out[i].reason),
				    out[i].in_zone, out[i].out_zone, ref.flow,
				    classify_reason_str(ref.reason),
				    ref.in_zone, ref.out_zone,
				    classify_zone_of(c, k->family, k->src), zs,
				    text.s);
		}
	}
	st->policies++;
	free(pk);
	free(out);
	free(cs.v);
	classify_free(c);
	policy_free(p);
	diag_free(&d);
	free(text.s);
}

START_TEST(test_differential)
{
	struct diff_stats st;

	memset(&st, 0, sizeof(st));
	for (uint64_t seed = 1; seed <= NPOL; seed++)
		diff_one(seed + 1000u * (uint64_t)_i, &st);
	ck_assert_msg(st.mismatches == 0, "%zu of %zu packets differ (see "
	    "stderr)", st.mismatches, st.packets);
	/* the packets reach every verdict, not only default deny */
	ck_assert_uint_eq(st.policies, NPOL);
	ck_assert_msg(st.permits > st.packets / 50, "only %zu permits in %zu "
	    "packets", st.permits, st.packets);
	for (int r = CLASSIFY_NO_FLOW; r <= CLASSIFY_MAC_MISMATCH; r++)
		ck_assert_msg(st.reasons[r] > st.packets / 200, "reason %s only "
		    "%zu times", classify_reason_str((enum classify_reason)r),
		    st.reasons[r]);
}
END_TEST

/* --- hand-made corners ------------------------------------------------------------- */

/* An empty policy of zones only, and a policy whose flows are all expired
 * or bad: every crossing is default deny in both. */
START_TEST(test_no_rules)
{
	static const char text[] =
	    "version = 1; model = \"alpha\";\n"
	    "zones = {\n"
	    "  a = { kind = \"lgwan\"; interfaces = \"a0\"; networks = "
	    "[ \"10.1.0.0/16\" ]; };\n"
	    "  b = { kind = \"closed\"; interfaces = \"b0\"; networks = "
	    "[ \"10.2.0.0/16\", \"fd00::/8\" ]; };\n"
	    "};\n"
	    "services = { all = { proto = \"any\"; }; };\n"
	    "flows = ( { name = \"old\"; from = \"a\"; to = \"b\"; service = "
	    "\"all\"; expires = \"2026-01-01T00:00:00Z\"; } );\n";
	struct policy *p = NULL;
	struct diag d;
	struct classify *c;
	struct classify_pkt k;
	struct classify_verdict v, r;
	char err[128];

	diag_init(&d);
	ck_assert_int_eq(conf_load_string(text, "t", &p, &d), 0);
	ck_assert(p != NULL && d.n == 0);
	c = classify_build(p, NOW, err, sizeof(err));
	ck_assert(c != NULL);
	ck_assert_uint_eq(classify_nrules(c), 0);
	memset(&k, 0, sizeof(k));
	k.family = ADDR_V4;
	k.proto = PROTO_TCP;
	k.in_zone = k.out_zone = -1;
	memcpy(k.src, (uint8_t[]){ 10, 1, 0, 5 }, 4);
	memcpy(k.dst, (uint8_t[]){ 10, 2, 0, 5 }, 4);
	classify_one(c, &k, &v);
	classify_reference(p, NOW, &k, &r);
	ck_assert_int_eq(v.reason, CLASSIFY_NO_FLOW);
	ck_assert_int_eq(v.flow, -1);
	ck_assert_int_eq(r.reason, CLASSIFY_NO_FLOW);
	ck_assert_int_eq(v.in_zone, 0);
	ck_assert_int_eq(v.out_zone, 1);
	/* a second before it expired the flow permits */
	classify_free(c);
	c = classify_build(p, 1767225599, err, sizeof(err));
	classify_one(c, &k, &v);
	ck_assert_int_eq(v.reason, CLASSIFY_PERMIT);
	ck_assert_int_eq(v.flow, 0);
	/* an address in no zone */
	memcpy(k.dst, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	classify_one(c, &k, &v);
	ck_assert_int_eq(v.reason, CLASSIFY_NO_ZONE);
	ck_assert_int_eq(v.out_zone, -1);
	/* IPv6: both addresses in b (a has no IPv6 network) */
	k.family = ADDR_V6;
	memset(k.src, 0, 16);
	memset(k.dst, 0, 16);
	k.src[0] = 0xfd;
	k.dst[0] = 0xfd;
	k.dst[15] = 1;
	classify_one(c, &k, &v);
	ck_assert_int_eq(v.in_zone, 1);
	ck_assert_int_eq(v.out_zone, 1);
	ck_assert_int_eq(v.reason, CLASSIFY_NO_FLOW);	/* same zone, no flow */
	classify_free(c);
	policy_free(p);
	diag_free(&d);
}
END_TEST

/* --- conf/alpha.conf through query_build ------------------------------------------ */

struct qcase {
	const char *src, *dst, *proto, *mac;
	int sport;
	int in_zone;		/* -2: leave as query_build made it */
	const char *flow;	/* NULL: deny */
	const char *reason;
	const char *from_zone, *to_zone;
	const char *explain;	/* substring, or NULL */
};

static const struct qcase alpha_cases[] = {
	/* permits, by name and by address */
	{ "atena", "chukan", "tcp/443", NULL, -1, -2, "atena-chukan",
	  "permit", "mynumber", "lgwan", "flow \"atena-chukan\"" },
	{ "10.10.1.20", "10.200.5.10", "tcp/443", NULL, 40000, -2,
	  "atena-chukan", "permit", "mynumber", "lgwan", NULL },
	{ "juki-cs", "juki-pref", "tcp/700", NULL, -1, -2, "juki-cs", "permit",
	  "mynumber", "lgwan", NULL },
	{ "juki-cs", "juki-pref", "tcp/8000", NULL, -1, -2, "juki-cs",
	  "permit", NULL, NULL, NULL },
	{ "juki-cs", "juki-pref", "tcp/8003", NULL, -1, -2, "juki-cs",
	  "permit", NULL, NULL, NULL },
	{ "pittari", "kikan", "tcp/443", NULL, -1, -2, "pittari-feed",
	  "permit", "lgwan", "mynumber", NULL },
	{ "konbini", "lgwan-asp", "tcp/443", NULL, -1, -2, "konbini",
	  "permit", NULL, NULL, NULL },
	{ "mailrelay", "lg-mail", "tcp/25", NULL, -1, -2, "mail-in", "permit",
	  "internet", "lgwan", NULL },
	{ "lg-mail", "mailrelay", "tcp/25", NULL, -1, -2, "mail-out",
	  "permit", "lgwan", "internet", NULL },
	{ "10.20.100.7", "rds", "tcp/3389", NULL, -1, -2, "browse", "permit",
	  "lgwan", "internet", NULL },
	{ "10.20.100.255", "192.0.2.40", "udp/3389", NULL, -1, -2, "browse",
	  "permit", NULL, NULL, NULL },
	{ "lg-terms", "rds", "tcp/3389", NULL, -1, -2, "browse", "permit",
	  NULL, NULL, NULL },
	{ "10.20.100.1", "rds-ica", "tcp/2598", NULL, -1, -2, "browse-ica",
	  "permit", NULL, NULL, NULL },
	{ "10.20.100.1", "rds-ica", "tcp/1494", NULL, -1, -2, "browse-ica",
	  "permit", NULL, NULL, NULL },
	{ "sanitizer", "inet-files", "tcp/443", NULL, -1, -2, "files-in",
	  "permit", "lgwan", "internet", NULL },
	/* denials: other ports, the other direction, other hosts */
	{ "atena", "chukan", "tcp/80", NULL, -1, -2, NULL, "no-flow",
	  "mynumber", "lgwan", "flow \"atena-chukan\" between these hosts "
	  "permits tcp/443 only" },
	{ "atena", "chukan", "udp/443", NULL, -1, -2, NULL, "no-flow", NULL,
	  NULL, NULL },
	{ "atena", "chukan", "icmp/8", NULL, -1, -2, NULL, "no-flow", NULL,
	  NULL, NULL },
	{ "chukan", "atena", "tcp/443", NULL, -1, -2, NULL, "no-flow",
	  "lgwan", "mynumber", NULL },
	{ "juki-cs", "juki-pref", "tcp/8004", NULL, -1, -2, NULL, "no-flow",
	  NULL, NULL, "tcp/8000-8003" },
	{ "juki-cs", "juki-pref", "tcp/699", NULL, -1, -2, NULL, "no-flow",
	  NULL, NULL, NULL },
	{ "atena", "juki-pref", "tcp/700", NULL, -1, -2, NULL, "no-flow",
	  NULL, NULL, NULL },
	{ "mailrelay", "lg-mail", "tcp/587", NULL, -1, -2, NULL, "no-flow",
	  NULL, NULL, NULL },
	{ "10.20.101.7", "rds", "tcp/3389", NULL, -1, -2, NULL, "no-flow",
	  "lgwan", "internet", NULL },
	{ "rds", "10.20.100.7", "tcp/3389", NULL, -1, -2, NULL, "no-flow",
	  "internet", "lgwan", NULL },
	{ "inet-files", "sanitizer", "tcp/443", NULL, -1, -2, NULL, "no-flow",
	  NULL, NULL, NULL },
	{ "lg-mail", "sanitizer", "tcp/25", NULL, -1, -2, NULL, "no-flow",
	  "lgwan", "lgwan", NULL },
	/* My Number and the Internet: the explanation says why */
	{ "atena", "192.0.2.80", "tcp/443", NULL, -1, -2, NULL, "no-flow",
	  "mynumber", "internet", "never talks to the Internet" },
	{ "203.0.113.9", "kikan", "tcp/443", NULL, -1, -2, NULL, "no-flow",
	  "internet", "mynumber", "never talks to the Internet" },
	/* IPv6: LGWAN has fd00:20::/48, the Internet ::/0, no v6 flow */
	{ "fd00:20::5", "2001:db8::1", "tcp/3389", NULL, -1, -2, NULL,
	  "no-flow", "lgwan", "internet", "default deny between zones" },
	{ "2001:db8::1", "fd00:20::5", "tcp/25", NULL, -1, -2, NULL,
	  "no-flow", "internet", "lgwan", NULL },
	/* the My Number zone has no IPv6 network: such addresses are the
	 * Internet's */
	{ "fd00:20::5", "fd00:10::1", "tcp/443", NULL, -1, -2, NULL,
	  "no-flow", "lgwan", "internet", NULL },
	/* MAC pinning */
	{ "atena", "chukan", "tcp/443", "02:00:0a:0a:01:14", -1, -2,
	  "atena-chukan", "permit", NULL, NULL, NULL },
	{ "atena", "chukan", "tcp/443", "02:00:0A:0A:01:14", -1, -2,
	  "atena-chukan", "permit", NULL, NULL, NULL },
	{ "atena", "chukan", "tcp/443", "02:00:00:00:00:99", -1, -2, NULL,
	  "mac-mismatch", "mynumber", "lgwan", "not the pinned MAC "
	  "02:00:0a:0a:01:14 of host \"atena\"" },
	{ "juki-cs", "juki-pref", "tcp/700", "02:00:0a:0a:01:14", -1, -2, NULL,
	  "mac-mismatch", NULL, NULL, "host \"juki-cs\"" },
	/* an unpinned source has no pin to mismatch */
	{ "lg-mail", "mailrelay", "tcp/25", "02:00:00:00:00:99", -1, -2,
	  "mail-out", "permit", NULL, NULL, NULL },
	/* ingress zones: the true one, and lies (0 mynumber, 1 lgwan,
	 * 2 internet) */
	{ "atena", "chukan", "tcp/443", NULL, -1, 0, "atena-chukan", "permit",
	  "mynumber", "lgwan", NULL },
	{ "atena", "chukan", "tcp/443", NULL, -1, 2, NULL, "spoofed",
	  "internet", "lgwan", "spoofed" },
	{ "lg-mail", "mailrelay", "tcp/25", NULL, -1, 0, NULL, "spoofed",
	  "mynumber", "internet", "does not belong to zone \"mynumber\"" },
	{ "10.10.99.1", "lg-mail", "tcp/25", NULL, -1, 2, NULL, "spoofed",
	  NULL, NULL, NULL },
	{ "mailrelay", "lg-mail", "tcp/25", NULL, -1, 2, "mail-in", "permit",
	  NULL, NULL, NULL },
};

static struct policy *
load_alpha(void)
{
	return unit_load_policy("conf/alpha.conf", NOW);
}

START_TEST(test_alpha_query)
{
	const struct qcase *t = &alpha_cases[_i];
	struct policy *p = load_alpha();
	struct query_args a = { t->src, t->dst, t->proto, t->mac, t->sport, false };
	struct query q;
	struct classify *c;
	struct classify_verdict v, r;
	char err[256], why[1024], text[2048];
	json_t *j;

	ck_assert_msg(query_build(p, &a, &q, err, sizeof(err)) == 0,
	    "query_build: %s", err);
	if (t->in_zone != -2)
		q.pkt[0].in_zone = (int16_t)t->in_zone;
	c = classify_build(p, NOW, err, sizeof(err));
	ck_assert(c != NULL);
	classify_one(c, &q.pkt[0], &v);
	classify_reference(p, NOW, &q.pkt[0], &r);
	ck_assert_int_eq(v.flow, r.flow);
	ck_assert_int_eq(v.reason, r.reason);
	ck_assert_msg(strcmp(classify_reason_str(v.reason), t->reason) == 0,
	    "%s -> %s %s: reason %s, want %s", t->src, t->dst, t->proto,
	    classify_reason_str(v.reason), t->reason);
	if (t->flow) {
		ck_assert_int_ge(v.flow, 0);
		ck_assert_str_eq(p->flows[v.flow].name, t->flow);
	} else
		ck_assert_int_eq(v.flow, -1);
	if (t->from_zone)
		ck_assert_str_eq(p->zones[v.in_zone].name, t->from_zone);
	if (t->to_zone)
		ck_assert_str_eq(p->zones[v.out_zone].name, t->to_zone);
	classify_explain(c, &q.pkt[0], &v, why, sizeof(why));
	if (t->explain)
		ck_assert_msg(strstr(why, t->explain) != NULL,
		    "explain: \"%s\", want ...%s...", why, t->explain);
	/* the text and JSON answers say the same */
	query_answer_text(c, p, &q, &v, text, sizeof(text));
	ck_assert_msg(strncmp(text, t->flow ? "permit: " : "deny: ",
	    t->flow ? 8 : 6) == 0, "text: %s", text);
	ck_assert(strstr(text, why) != NULL);
	j = query_answer_json(c, p, &q, &v);
	ck_assert(j != NULL);
	ck_assert_str_eq(json_string_value(json_object_get(j, "verdict")),
	    t->flow ? "permit" : "deny");
	ck_assert_str_eq(json_string_value(json_object_get(j, "reason")),
	    t->reason);
	if (t->flow)
		ck_assert_str_eq(json_string_value(json_object_get(j, "flow")),
		    t->flow);
	else
		ck_assert(json_is_null(json_object_get(j, "flow")));
	ck_assert_str_eq(json_string_value(json_object_get(j, "explain")),
	    why);
	json_decref(j);
	classify_free(c);
	policy_free(p);
}
END_TEST

/* An expired flow: denied, and the explanation says which flow would have
 * permitted it and when it expired. */
START_TEST(test_alpha_expired_hint)
{
	struct policy *p = load_alpha();
	struct query_args a = { "atena", "chukan", "tcp/443", NULL, -1, false };
	struct query q;
	struct classify *c;
	struct classify_verdict v;
	char err[256], why[1024];
	int fi = policy_find_flow(p, "atena-chukan");

	ck_assert_int_ge(fi, 0);
	p->flows[fi].has_expires = true;
	p->flows[fi].expires = NOW - 3600;	/* 2026-11-20T23:00:00Z */
	ck_assert_int_eq(query_build(p, &a, &q, err, sizeof(err)), 0);
	c = classify_build(p, NOW, err, sizeof(err));
	ck_assert(c != NULL);
	classify_one(c, &q.pkt[0], &v);
	ck_assert_int_eq(v.reason, CLASSIFY_NO_FLOW);
	ck_assert_int_eq(v.flow, -1);
	classify_explain(c, &q.pkt[0], &v, why, sizeof(why));
	ck_assert_msg(strstr(why, "flow \"atena-chukan\" would, but it expired "
	    "at 2026-11-20T23:00:00Z") != NULL, "explain: %s", why);
	classify_free(c);
	/* before it expired, it permits */
	c = classify_build(p, NOW - 3601, err, sizeof(err));
	classify_one(c, &q.pkt[0], &v);
	ck_assert_int_eq(v.reason, CLASSIFY_PERMIT);
	ck_assert_int_eq(v.flow, fi);
	classify_free(c);
	policy_free(p);
}
END_TEST

/* IPv6 permits, and an address in no zone (no default route). */
START_TEST(test_ipv6_and_no_zone)
{
	static const char text[] =
	    "version = 1; model = \"alpha\";\n"
	    "zones = {\n"
	    "  lg = { kind = \"lgwan\"; interfaces = \"lg0\"; networks = "
	    "[ \"10.20.0.0/16\", \"fd00:20::/48\" ]; };\n"
	    "  cl = { kind = \"closed\"; interfaces = \"cl0\"; networks = "
	    "[ \"10.30.0.0/16\", \"fd00:30::/48\" ]; };\n"
	    "};\n"
	    "hosts = {\n"
	    "  lg6 = { zone = \"lg\"; address = \"fd00:20::10\"; };\n"
	    "  cl6 = { zone = \"cl\"; address = \"fd00:30::/64\"; };\n"
	    "};\n"
	    "services = { https = { proto = \"tcp\"; ports = [ 443 ]; };\n"
	    "  echo6 = { proto = \"icmpv6\"; types = [ 128 ]; }; };\n"
	    "flows = (\n"
	    "  { name = \"v6\"; from = \"lg6\"; to = \"cl6\"; service = "
	    "[ \"https\", \"echo6\" ]; }\n);\n";
	static const struct {
		const char *src, *dst, *proto, *flow, *reason;
	} t[] = {
		{ "fd00:20::10", "fd00:30::1", "tcp/443", "v6", "permit" },
		{ "lg6", "fd00:30::ffff:ffff:ffff:ffff", "tcp/443", "v6",
		  "permit" },
		{ "fd00:20::10", "fd00:30::1", "icmpv6/128", "v6", "permit" },
		{ "fd00:20::10", "fd00:30::1", "icmpv6/129", NULL, "no-flow" },
		{ "fd00:20::10", "fd00:30:0:1::1", "tcp/443", NULL, "no-flow" },
		{ "fd00:20::11", "fd00:30::1", "tcp/443", NULL, "no-flow" },
		{ "fd00:30::1", "fd00:20::10", "tcp/443", NULL, "no-flow" },
		{ "fd00:20::10", "2001:db8::1", "tcp/443", NULL, "no-zone" },
		{ "10.20.0.1", "192.0.2.1", "tcp/443", NULL, "no-zone" },
		{ "192.0.2.1", "10.20.0.1", "tcp/443", NULL, "no-zone" },
	};
	struct policy *p = NULL;
	struct diag d;
	struct classify *c;
	char err[256], why[512];

	diag_init(&d);
	ck_assert_int_eq(conf_load_string(text, "v6.conf", &p, &d), 0);
	ck_assert_msg(p != NULL && d.n == 0, "%s", d.n ? d.v[0].message : "");
	c = classify_build(p, NOW, err, sizeof(err));
	ck_assert(c != NULL);
	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		struct query_args a = { t[i].src, t[i].dst, t[i].proto, NULL,
		    -1, false };
		struct query q;
		struct classify_verdict v, r;

		ck_assert_int_eq(query_build(p, &a, &q, err, sizeof(err)), 0);
		classify_one(c, &q.pkt[0], &v);
		classify_reference(p, NOW, &q.pkt[0], &r);
		ck_assert_msg(strcmp(classify_reason_str(v.reason),
		    t[i].reason) == 0 && (t[i].flow ? v.flow == 0 :
		    v.flow == -1) && v.flow == r.flow && v.reason == r.reason,
		    "%s -> %s %s: %s flow %d (reference %s flow %d)",
		    t[i].src, t[i].dst, t[i].proto,
		    classify_reason_str(v.reason), v.flow,
		    classify_reason_str(r.reason), r.flow);
		classify_explain(c, &q.pkt[0], &v, why, sizeof(why));
		if (v.reason == CLASSIFY_NO_ZONE)
			ck_assert_msg(strstr(why, "lies in no zone"), "%s", why);
	}
	classify_free(c);
	policy_free(p);
	diag_free(&d);
}
END_TEST

/* --- issue 16: address lists ------------------------------------------- */

static struct policy *
load_town(void)
{
	return unit_load_policy("conf/alpha-prime.conf", NOW);
}

/* Every element of an address list and of a list of hosts classifies,
 * and the compiled classifier agrees with the reference on them. */
START_TEST(test_town_lists)
{
	struct policy *p = load_town();
	struct classify *c;
	char err[256];
	int hi = policy_find_host(p, "m365");
	size_t n = 0;

	ck_assert_int_ge(hi, 0);
	c = classify_build(p, NOW, err, sizeof(err));
	ck_assert(c != NULL);
	for (size_t e = 0; e < p->hosts[hi].naddrs; e++) {
		const struct addr_pfx *pf = &p->hosts[hi].addrs[e].pfx;
		struct classify_pkt k;
		struct classify_verdict v, r;

		memset(&k, 0, sizeof(k));
		k.family = pf->family;
		k.in_zone = k.out_zone = -1;
		k.proto = PROTO_TCP;
		k.dport = 443;
		memcpy(k.dst, pf->a, 16);
		if (!addr_is_host(pf))
			k.dst[pf->family == ADDR_V4 ? 3 : 15] |= 1;
		ck_assert_int_eq(addr_parse_ip(pf->family == ADDR_V4 ?
		    "10.20.101.7" : "fd00:20:0:100::7", k.src), pf->family);
		classify_one(c, &k, &v);
		classify_reference(p, NOW, &k, &r);
		ck_assert_int_eq(v.reason, r.reason);
		ck_assert_int_eq(v.flow, r.flow);
		ck_assert_msg(pf->family == ADDR_V6 || (v.reason ==
		    CLASSIFY_PERMIT && strcmp(p->flows[v.flow].name, "m365") ==
		    0), "element %zu: %s", e, classify_reason_str(v.reason));
		n++;
	}
	ck_assert_uint_ge(n, 16);
	classify_free(c);
	policy_free(p);
}
END_TEST

UNIT_SUITE(classify_suite)

static Suite *
classify_suite(void)
{
	Suite *s = suite_create("classify");
	TCase *tc = tcase_create("differential");

	tcase_add_loop_test(tc, test_differential, 0, 2);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	tc = tcase_create("tables");
	tcase_add_test(tc, test_no_rules);
	tcase_add_loop_test(tc, test_alpha_query, 0,
	    (int)ARRAY_LEN(alpha_cases));
	tcase_add_test(tc, test_alpha_expired_hint);
	tcase_add_test(tc, test_town_lists);
	tcase_add_test(tc, test_ipv6_and_no_zone);
	suite_add_tcase(s, tc);
	return s;
}
