/*
 * check_policy — lib/policy.c: the model's helpers.
 *
 * The model is built here by hand, not by the loader, so that only
 * policy.c is under test: four kinds of zone (a closed network nested in an
 * LGWAN network; a second Internet zone, listed before the one of
 * 0.0.0.0/0, with a network more specific than a local one), hosts
 * (pinned, a network, IPv6, one whose zone is unknown), services of every
 * shape and flows with and without an expiry.
 *
 * Tables: the name <-> enum tables both ways and their unknown names;
 * protocol names; the defaults of a new policy; lookups by name and by
 * interface; the zone of an address (the most specific local network
 * first, the Internet zones only for what no local network holds);
 * endpoints (zone, name, prefix per family); a flow active up to its
 * expiry; a service matching protocol and port or ICMP type; flow marks
 * non-zero, unique, stable across a reload and a reordering, changed with
 * the definition.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "policy.h"
#include "unit.h"

/* --- a model built by hand ----------------------------------------------- */

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	ck_assert_ptr_nonnull(d);
	return d;
}

/* v (of *n elements of size sz) with one more, zeroed, at the end. */
static void *
grow(void *v, size_t *n, size_t sz)
{
	char *nv = realloc(v, (*n + 1) * sz);

	ck_assert_ptr_nonnull(nv);
	memset(nv + *n * sz, 0, sz);
	(*n)++;
	return nv;
}

/* Words separated by spaces, each passed to fn. */
static void
words(const char *list, void (*fn)(void *, const char *), void *arg)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *w = strtok_r(buf, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		fn(arg, w);
}

static void
add_iface(void *arg, const char *w)
{
	struct zone *z = arg;
	z->ifaces = grow(z->ifaces, &z->nifaces, sizeof(*z->ifaces));
	z->ifaces[z->nifaces - 1] = xstrdup(w);
}

static void
add_net(void *arg, const char *w)
{
	struct zone *z = arg;
	char err[128];

	z->nets = grow(z->nets, &z->nnets, sizeof(*z->nets));
	ck_assert_msg(addr_parse(w, &z->nets[z->nnets - 1], err,
	    sizeof(err)) == 0, "%s", err);
}

static void
zone(struct policy *p, const char *name, enum zone_kind kind,
    const char *ifaces, const char *nets)
{
	struct zone *z;

	p->zones = grow(p->zones, &p->nzones, sizeof(*p->zones));
	z = &p->zones[p->nzones - 1];
	z->name = xstrdup(name);
	z->kind = kind;
	words(ifaces, add_iface, z);
	words(nets, add_net, z);
}

static void
host(struct policy *p, const char *name, const char *zname, const char *a,
    const char *mac)
{
	struct host *h;
	char err[128];

	p->hosts = grow(p->hosts, &p->nhosts, sizeof(*p->hosts));
	h = &p->hosts[p->nhosts - 1];
	h->name = xstrdup(name);
	h->zone = policy_find_zone(p, zname);
	/* one address or, separated by spaces, a list (IPv4 first) */
	{
		char buf[256], *save = NULL;
		snprintf(buf, sizeof(buf), "%s", a);
		for (int pass = 0; pass < 2; pass++) {
			snprintf(buf, sizeof(buf), "%s", a);
			for (char *w = strtok_r(buf, " ", &save); w != NULL;
			    w = strtok_r(NULL, " ", &save)) {
				struct addr_pfx pf;
				ck_assert_msg(addr_parse(w, &pf, err,
				    sizeof(err)) == 0, "%s", err);
				if ((pf.family == ADDR_V4) != (pass == 0))
					continue;
				h->addrs = grow(h->addrs, &h->naddrs,
				    sizeof(*h->addrs));
				h->addrs[h->naddrs - 1].pfx = pf;
				h->nv4 += pf.family == ADDR_V4;
			}
		}
		h->list = strchr(a, ' ') != NULL;
	}
	if (mac != NULL) {
		ck_assert_int_eq(mac_parse(mac, h->mac, err, sizeof(err)), 0);
		h->has_mac = true;
	}
}

/* ports: "443 1000-1010"; types: "8 0"; proto 0 with any. */
static void
service(struct policy *p, const char *name, uint8_t proto, bool any,
    const char *ports, const char *types)
{
	struct service *s;
	char buf[128], *save = NULL;

	p->services = grow(p->services, &p->nservices, sizeof(*p->services));
	s = &p->services[p->nservices - 1];
	s->name = xstrdup(name);
	s->proto = proto;
	s->any_proto = any;
	snprintf(buf, sizeof(buf), "%s", ports);
	for (char *w = strtok_r(buf, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		unsigned lo, hi;

		if (sscanf(w, "%u-%u", &lo, &hi) != 2)
			hi = lo = (unsigned)atoi(w);
		s->ports = grow(s->ports, &s->nports, sizeof(*s->ports));
		s->ports[s->nports - 1].lo = (uint16_t)lo;
		s->ports[s->nports - 1].hi = (uint16_t)hi;
	}
	snprintf(buf, sizeof(buf), "%s", types);
	for (char *w = strtok_r(buf, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		s->types = grow(s->types, &s->ntypes, sizeof(*s->types));
		s->types[s->ntypes - 1] = (uint8_t)atoi(w);
	}
}

/* "host:NAME", "zone:NAME" or "" (nothing). */
static struct endpoint
ep(const struct policy *p, const char *s)
{
	if (strncmp(s, "host:", 5) == 0)
		return (struct endpoint){ EP_HOST, policy_find_host(p, s + 5),
		    NULL, 0 };
	if (strncmp(s, "zone:", 5) == 0)
		return (struct endpoint){ EP_ZONE, policy_find_zone(p, s + 5),
		    NULL, 0 };
	return (struct endpoint){ EP_NONE, -1, NULL, 0 };
}

/* services: names separated by spaces; expires 0: none. */
static struct flow *
flow(struct policy *p, const char *name, const char *from, const char *to,
    const char *services, time_t expires)
{
	struct flow *f;
	char buf[128], *save = NULL;

	p->flows = grow(p->flows, &p->nflows, sizeof(*p->flows));
	f = &p->flows[p->nflows - 1];
	f->name = name ? xstrdup(name) : NULL;
	f->from = ep(p, from);
	f->to = ep(p, to);
	f->method = METHOD_DIRECT;
	f->has_expires = expires != 0;
	f->expires = expires;
	snprintf(buf, sizeof(buf), "%s", services);
	for (char *w = strtok_r(buf, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		f->services = grow(f->services, &f->nservices,
		    sizeof(*f->services));
		f->services[f->nservices - 1] = policy_find_service(p, w);
		ck_assert_int_ge(f->services[f->nservices - 1], 0);
	}
	return f;
}

#define T_EXPIRES ((time_t)1800000000)

static struct policy *
model(void)
{
	struct policy *p = policy_new();

	ck_assert_ptr_nonnull(p);
	zone(p, "mn", ZONE_MYNUMBER, "mn0", "10.10.0.0/16");
	zone(p, "lg", ZONE_LGWAN, "lg0 lg1", "10.20.0.0/16 fd00:20::/48");
	zone(p, "cl", ZONE_CLOSED, "cl0", "10.20.5.0/24");
	zone(p, "partner", ZONE_INTERNET, "inet1",
	    "192.0.2.0/24 10.20.100.0/24 2001:db8::/32");
	zone(p, "inet", ZONE_INTERNET, "inet0", "0.0.0.0/0");
	host(p, "atena", "mn", "10.10.1.20", "02:00:0a:0a:01:14");
	host(p, "chukan", "lg", "10.20.1.10", NULL);
	host(p, "terms", "lg", "10.20.100.0/24", NULL);
	host(p, "v6host", "lg", "fd00:20::5", NULL);
	host(p, "orphan", "nosuchzone", "10.99.0.1", NULL);
	service(p, "https", PROTO_TCP, false, "443", "");
	service(p, "ranges", PROTO_TCP, false, "1000-1010 2000", "");
	service(p, "ping", PROTO_ICMP, false, "", "8");
	service(p, "anyicmp", PROTO_ICMP, false, "", "");
	service(p, "all", PROTO_ANY, true, "", "");
	service(p, "alltcp", PROTO_TCP, false, "", "");
	service(p, "ping6", PROTO_ICMPV6, false, "", "128 129");
	service(p, "dns", PROTO_UDP, false, "53", "");
	flow(p, "f-https", "host:atena", "host:chukan", "https", 0);
	flow(p, "f-exp", "host:terms", "zone:inet", "ranges ping",
	    T_EXPIRES);
	flow(p, "f-v6", "host:v6host", "zone:partner", "ping6 dns", 0);
	return p;
}

/* --- names --------------------------------------------------------------- */

enum table { T_KIND, T_MODEL, T_METHOD, T_ROLE };

static const char *
to_str(enum table t, int v)
{
	switch (t) {
	case T_KIND: return policy_zone_kind_str((enum zone_kind)v);
	case T_MODEL: return policy_model_str((enum policy_model)v);
	case T_METHOD: return policy_method_str((enum flow_method)v);
	case T_ROLE: return policy_role_str((enum host_role)v);
	}
	return NULL;
}

static int
from_str(enum table t, const char *s)
{
	switch (t) {
	case T_KIND: return (int)policy_zone_kind_from_str(s);
	case T_MODEL: return (int)policy_model_from_str(s);
	case T_METHOD: return (int)policy_method_from_str(s);
	case T_ROLE: return (int)policy_role_from_str(s);
	}
	return -99;
}

/* The words of zoned.conf(5) and the enums they stand for. */
static const struct name_case {
	enum table t;
	int value;
	const char *name;
} name_cases[] = {
	{ T_KIND, ZONE_MYNUMBER, "mynumber" },
	{ T_KIND, ZONE_LGWAN, "lgwan" },
	{ T_KIND, ZONE_INTERNET, "internet" },
	{ T_KIND, ZONE_CLOSED, "closed" },
	{ T_MODEL, MODEL_ALPHA, "alpha" },
	{ T_MODEL, MODEL_ALPHA_PRIME, "alpha-prime" },
	{ T_MODEL, MODEL_BETA, "beta" },
	{ T_MODEL, MODEL_BETA_PRIME, "beta-prime" },
	{ T_METHOD, METHOD_DIRECT, "direct" },
	{ T_METHOD, METHOD_SPECIFIC, "specific" },
	{ T_METHOD, METHOD_MAIL_TEXT, "mail-text" },
	{ T_METHOD, METHOD_SCREEN_TRANSFER, "screen-transfer" },
	{ T_METHOD, METHOD_FILE_SANITIZE, "file-sanitize" },
	{ T_METHOD, METHOD_CLOUD_LBO, "cloud-lbo" },
	{ T_ROLE, ROLE_MAIL_RELAY, "mail-relay" },
	{ T_ROLE, ROLE_SCREEN_TRANSFER, "screen-transfer" },
	{ T_ROLE, ROLE_FILE_SANITIZER, "file-sanitizer" },
	{ T_ROLE, ROLE_PUBLIC_SYSTEM, "public-system" },
};

START_TEST(test_names)
{
	const struct name_case *t = &name_cases[_i];

	ck_assert_str_eq(to_str(t->t, t->value), t->name);
	ck_assert_int_eq(from_str(t->t, t->name), t->value);
}
END_TEST

/* Names no table knows: 0 (a role: -1, since 0 is "none"); values no
 * table knows: "?". */
static const struct unknown_case {
	enum table t;
	const char *name;
} unknown_cases[] = {
	{ T_KIND, "" }, { T_KIND, "MyNumber" }, { T_KIND, "dmz" },
	{ T_MODEL, "gamma" }, { T_MODEL, "alpha prime" },
	{ T_MODEL, "alpha_prime" }, { T_METHOD, "mail_text" },
	{ T_METHOD, "Direct" }, { T_METHOD, "" },
	{ T_ROLE, "none" }, { T_ROLE, "mail-relay " }, { T_ROLE, "" },
};

START_TEST(test_unknown_names)
{
	const struct unknown_case *t = &unknown_cases[_i];

	ck_assert_int_eq(from_str(t->t, t->name), t->t == T_ROLE ? -1 : 0);
	ck_assert_str_eq(to_str(t->t, 0x77), "?");
	if (t->t != T_ROLE)
		ck_assert_str_eq(to_str(t->t, 0), "?");
	else
		ck_assert_str_eq(to_str(t->t, ROLE_NONE), "none");
}
END_TEST

static const struct proto_case {
	uint8_t proto;
	bool any;
	const char *name;
} proto_cases[] = {
	{ PROTO_TCP, false, "tcp" }, { PROTO_UDP, false, "udp" },
	{ PROTO_SCTP, false, "sctp" }, { PROTO_ICMP, false, "icmp" },
	{ PROTO_ICMPV6, false, "icmpv6" }, { 47, false, "47" },
	{ 0, false, "0" }, { 255, false, "255" }, { PROTO_TCP, true, "any" },
	{ 47, true, "any" },
};

START_TEST(test_proto_str)
{
	const struct proto_case *t = &proto_cases[_i];

	ck_assert_str_eq(policy_proto_str(t->proto, t->any), t->name);
}
END_TEST

/* Numbers are written to rotating buffers: several in one printf. */
START_TEST(test_proto_str_buffers)
{
	const char *a = policy_proto_str(47, false);
	const char *b = policy_proto_str(50, false);
	char line[64];

	snprintf(line, sizeof(line), "%s %s %s", a, b,
	    policy_proto_str(51, false));
	ck_assert_str_eq(line, "47 50 51");
}
END_TEST

/* A new policy has every documented default (zoned.conf(5)). */
START_TEST(test_defaults)
{
	struct policy *p = policy_new();

	ck_assert_ptr_nonnull(p);
	ck_assert(p->monitor.enabled);
	ck_assert_int_eq(p->enforce.mode, ENFORCE_DUAL);
	ck_assert_int_eq(p->enforce.queue, 100);
	ck_assert_int_eq(p->enforce.queue_maxlen, 1024);
	ck_assert_int_eq(p->monitor.snaplen, 128);
	ck_assert_int_eq(p->monitor.flow_table, 65536);
	ck_assert_int_eq(p->monitor.flood_pps, 1000);
	ck_assert_int_eq(p->monitor.scan_ports, 25);
	ck_assert_int_eq(p->monitor.scan_hosts, 25);
	ck_assert_int_eq(p->monitor.scan_window, 60);
	ck_assert_uint_eq(p->monitor.evidence_max, 512ull * 1024 * 1024);
	ck_assert_int_eq(p->log.nflog_group, 2);
	ck_assert_int_eq(p->log.nflog_rate, 20);
	ck_assert_int_eq(p->control.verify_interval, 60);
	ck_assert_uint_eq(p->nzones + p->nhosts + p->nservices + p->nflows +
	    p->nmgmt, 0);
	policy_free(p);
	policy_free(NULL);
}
END_TEST

/* --- lookups ------------------------------------------------------------- */

static const struct find_case {
	char what;		/* z(one), h(ost), s(ervice), f(low), i(face) */
	const char *name;
	int want;
} find_cases[] = {
	{ 'z', "mn", 0 }, { 'z', "partner", 3 }, { 'z', "MN", -1 },
	{ 'z', "", -1 }, { 'z', "lgwan", -1 },
	{ 'h', "atena", 0 }, { 'h', "orphan", 4 }, { 'h', "aten", -1 },
	{ 'h', "atena ", -1 },
	{ 's', "https", 0 }, { 's', "dns", 7 }, { 's', "HTTPS", -1 },
	{ 'f', "f-https", 0 }, { 'f', "f-v6", 2 }, { 'f', "", -1 },
	{ 'f', "f", -1 },
	{ 'i', "mn0", 0 }, { 'i', "lg0", 1 }, { 'i', "lg1", 1 },
	{ 'i', "inet1", 3 }, { 'i', "inet0", 4 }, { 'i', "lg", -1 },
	{ 'i', "eth0", -1 },
	{ 'i', "", -1 },
};

START_TEST(test_find)
{
	const struct find_case *t = &find_cases[_i];
	struct policy *p = model();
	int got = -99;

	/* a flow with a loader error may have no name: passed over */
	flow(p, NULL, "", "zone:lg", "dns", 0);
	switch (t->what) {
	case 'z': got = policy_find_zone(p, t->name); break;
	case 'h': got = policy_find_host(p, t->name); break;
	case 's': got = policy_find_service(p, t->name); break;
	case 'f': got = policy_find_flow(p, t->name); break;
	case 'i': got = policy_zone_of_iface(p, t->name); break;
	}
	ck_assert_msg(got == t->want, "%c \"%s\": %d, want %d", t->what,
	    t->name, got, t->want);
	policy_free(p);
}
END_TEST

/* The zone of an address: the most specific local network; the Internet
 * zones (their most specific network) only where no local network is. */
static const struct zaddr_case {
	const char *a;
	const char *zone;	/* NULL: none */
} zaddr_cases[] = {
	{ "10.10.1.20", "mn" },
	{ "10.10.255.255", "mn" },
	{ "10.11.0.0", "inet" },
	{ "10.20.1.1", "lg" },
	{ "10.20.5.9", "cl" },		/* a closed /24 inside the LGWAN /16 */
	{ "10.20.4.255", "lg" },
	{ "10.20.6.0", "lg" },
	{ "10.20.100.7", "lg" },	/* local beats a longer Internet net */
	{ "192.0.2.40", "partner" },	/* the longer of two Internet nets */
	{ "192.0.3.1", "inet" },
	{ "8.8.8.8", "inet" },
	{ "0.0.0.0", "inet" },
	{ "fd00:20::5", "lg" },
	{ "fd00:21::5", NULL },		/* no Internet zone has ::/0 */
	{ "2001:db8::1", "partner" },
	{ "::ffff:10.10.1.20", NULL },	/* IPv6, whatever it looks like */
};

START_TEST(test_zone_of_addr)
{
	const struct zaddr_case *t = &zaddr_cases[_i];
	struct policy *p = model();
	uint8_t a[16];
	int fam = addr_parse_ip(t->a, a), z;

	ck_assert_int_ne(fam, 0);
	z = policy_zone_of_addr(p, fam, a);
	ck_assert_msg(z == (t->zone ? policy_find_zone(p, t->zone) : -1),
	    "%s: zone %s, want %s", t->a, z >= 0 ? p->zones[z].name : "none",
	    t->zone ? t->zone : "none");
	policy_free(p);
}
END_TEST

/* --- endpoints ----------------------------------------------------------- */

static const struct ep_case {
	const char *ep;		/* as for ep() */
	const char *zone;	/* policy_endpoint_zone, NULL: -1 */
	const char *name;	/* policy_endpoint_name */
	const char *v4, *v6;	/* policy_endpoint_prefix, NULL: none */
} ep_cases[] = {
	{ "host:atena", "mn", "host \"atena\"", "10.10.1.20", NULL },
	{ "host:terms", "lg", "host \"terms\"", "10.20.100.0/24", NULL },
	{ "host:v6host", "lg", "host \"v6host\"", NULL, "fd00:20::5" },
	{ "host:orphan", NULL, "host \"orphan\"", "10.99.0.1", NULL },
	/* a zone stands for its whole families: the interfaces hold it */
	{ "zone:lg", "lg", "zone \"lg\"", "0.0.0.0/0", "::/0" },
	{ "zone:mn", "mn", "zone \"mn\"", "0.0.0.0/0", NULL },
	{ "zone:partner", "partner", "zone \"partner\"", "0.0.0.0/0",
	  "::/0" },
	{ "", NULL, "nothing", NULL, NULL },
};

START_TEST(test_endpoint)
{
	const struct ep_case *t = &ep_cases[_i];
	struct policy *p = model();
	struct endpoint e = ep(p, t->ep);
	struct addr_pfx out;
	char buf[64];

	ck_assert_int_eq(policy_endpoint_zone(p, &e),
	    t->zone ? policy_find_zone(p, t->zone) : -1);
	ck_assert_str_eq(policy_endpoint_name(p, &e, buf, sizeof(buf)),
	    t->name);
	for (int k = 0; k < 2; k++) {
		int fam = k == 0 ? ADDR_V4 : ADDR_V6;
		const char *want = k == 0 ? t->v4 : t->v6;
		struct addr_pfx w;
		char err[64];

		struct policy_pfx_iter it;
		const struct addr_pfx *got;

		policy_pfx_iter(&it, p, &e, fam);
		got = policy_pfx_next(&it, NULL);
		ck_assert_int_eq(got != NULL, want != NULL);
		if (want == NULL)
			continue;
		out = *got;
		ck_assert(policy_pfx_next(&it, NULL) == NULL);
		ck_assert_int_eq(addr_parse(want, &w, err, sizeof(err)), 0);
		ck_assert_msg(addr_equal(&out, &w), "%s family %d", t->ep,
		    fam);
	}
	policy_free(p);
}
END_TEST

/* A host index out of range has no zone; a name is cut to the buffer. */
START_TEST(test_endpoint_edges)
{
	struct policy *p = model();
	struct endpoint bad = { EP_HOST, 99, NULL, 0 },
	    neg = { EP_HOST, -1, NULL, 0 };
	struct endpoint a = ep(p, "host:atena");
	char small[9];

	ck_assert_int_eq(policy_endpoint_zone(p, &bad), -1);
	ck_assert_int_eq(policy_endpoint_zone(p, &neg), -1);
	ck_assert_str_eq(policy_endpoint_name(p, &a, small, sizeof(small)),
	    "host \"at");
	ck_assert(policy_zone_has_family(&p->zones[1], ADDR_V4));
	ck_assert(policy_zone_has_family(&p->zones[1], ADDR_V6));
	ck_assert(!policy_zone_has_family(&p->zones[0], ADDR_V6));
	ck_assert(!policy_zone_has_family(&p->zones[4], ADDR_V6));
	policy_free(p);
}
END_TEST

/* --- flows and services -------------------------------------------------- */

START_TEST(test_flow_active)
{
	static const struct {
		bool has;
		time_t expires, now;
		bool active;
	} t[] = {
		{ false, 0, 0, true },
		{ false, 0, T_EXPIRES * 2, true },
		{ true, T_EXPIRES, T_EXPIRES - 1, true },
		{ true, T_EXPIRES, T_EXPIRES, false },	/* the instant ends */
		{ true, T_EXPIRES, T_EXPIRES + 1, false },
		{ true, 0, 1, false },
	};

	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		struct flow f = { .has_expires = t[i].has,
		    .expires = t[i].expires };

		ck_assert_msg(policy_flow_active(&f, t[i].now) == t[i].active,
		    "case %zu", i);
	}
}
END_TEST

static const struct match_case {
	const char *service;
	uint8_t proto;
	uint16_t value;		/* port, or ICMP type */
	bool match;
} match_cases[] = {
	{ "https", PROTO_TCP, 443, true },
	{ "https", PROTO_TCP, 444, false },
	{ "https", PROTO_TCP, 80, false },
	{ "https", PROTO_UDP, 443, false },
	{ "ranges", PROTO_TCP, 999, false },
	{ "ranges", PROTO_TCP, 1000, true },
	{ "ranges", PROTO_TCP, 1005, true },
	{ "ranges", PROTO_TCP, 1010, true },
	{ "ranges", PROTO_TCP, 1011, false },
	{ "ranges", PROTO_TCP, 2000, true },
	{ "ranges", PROTO_TCP, 2001, false },
	{ "ping", PROTO_ICMP, 8, true },
	{ "ping", PROTO_ICMP, 0, false },
	{ "ping", PROTO_ICMPV6, 8, false },
	{ "anyicmp", PROTO_ICMP, 0, true },
	{ "anyicmp", PROTO_ICMP, 255, true },
	{ "anyicmp", PROTO_TCP, 0, false },
	{ "ping6", PROTO_ICMPV6, 128, true },
	{ "ping6", PROTO_ICMPV6, 129, true },
	{ "ping6", PROTO_ICMPV6, 130, false },
	{ "all", PROTO_TCP, 1, true },
	{ "all", 47, 0, true },
	{ "all", PROTO_ICMP, 3, true },
	{ "alltcp", PROTO_TCP, 0, true },
	{ "alltcp", PROTO_TCP, 65535, true },
	{ "alltcp", PROTO_SCTP, 80, false },
	{ "dns", PROTO_UDP, 53, true },
	{ "dns", PROTO_TCP, 53, false },
};

START_TEST(test_service_match)
{
	const struct match_case *t = &match_cases[_i];
	struct policy *p = model();
	int s = policy_find_service(p, t->service);

	ck_assert_int_ge(s, 0);
	ck_assert_msg(policy_service_match(&p->services[s], t->proto,
	    t->value) == t->match, "%s %u/%u", t->service, t->proto,
	    t->value);
	policy_free(p);
}
END_TEST

/* --- flow marks ---------------------------------------------------------- */

static void
marks_unique(const struct policy *p)
{
	for (size_t i = 0; i < p->nflows; i++) {
		ck_assert_msg(p->flows[i].mark != 0, "flow %zu: mark 0", i);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(p->flows[i].mark != p->flows[j].mark,
			    "flows %zu and %zu share mark %#x", j, i,
			    p->flows[i].mark);
	}
}

START_TEST(test_marks)
{
	struct policy *a = model(), *b = model(), *c = model();
	struct flow t;

	ck_assert_int_eq(policy_flow_marks(a), 0);
	marks_unique(a);
	/* the same definitions in another load: the same marks */
	ck_assert_int_eq(policy_flow_marks(b), 0);
	for (size_t i = 0; i < a->nflows; i++)
		ck_assert_uint_eq(b->flows[i].mark, a->flows[i].mark);
	/* the order of the flows does not matter */
	t = c->flows[0];
	c->flows[0] = c->flows[2];
	c->flows[2] = t;
	ck_assert_int_eq(policy_flow_marks(c), 0);
	ck_assert_uint_eq(c->flows[0].mark, a->flows[2].mark);
	ck_assert_uint_eq(c->flows[2].mark, a->flows[0].mark);
	ck_assert_uint_eq(c->flows[1].mark, a->flows[1].mark);
	/* a change of what a flow permits changes its mark, only its own */
	b->services[0].ports[0].lo = b->services[0].ports[0].hi = 8443;
	ck_assert_int_eq(policy_flow_marks(b), 0);
	ck_assert_uint_ne(b->flows[0].mark, a->flows[0].mark);
	ck_assert_uint_eq(b->flows[1].mark, a->flows[1].mark);
	ck_assert_uint_eq(b->flows[2].mark, a->flows[2].mark);
	/* so does a pinned MAC, and the method */
	b->hosts[0].mac[5] ^= 1;
	b->flows[1].method = METHOD_SCREEN_TRANSFER;
	ck_assert_int_eq(policy_flow_marks(b), 0);
	ck_assert_uint_ne(b->flows[1].mark, a->flows[1].mark);
	ck_assert_uint_eq(b->flows[2].mark, a->flows[2].mark);
	{
		uint32_t before = b->flows[0].mark;
		b->services[0].ports[0].lo = b->services[0].ports[0].hi = 443;
		ck_assert_int_eq(policy_flow_marks(b), 0);
		ck_assert_uint_ne(b->flows[0].mark, before);
		ck_assert_uint_ne(b->flows[0].mark, a->flows[0].mark);
	}
	policy_free(a);
	policy_free(b);
	policy_free(c);
}
END_TEST

/* Flows that hash alike (the same name and definition, as a policy with
 * a duplicate would have) still get marks of their own. */
START_TEST(test_marks_clash)
{
	struct policy *p = model();
	uint32_t first;

	for (int i = 0; i < 40; i++)
		flow(p, "f-https", "host:atena", "host:chukan", "https", 0);
	ck_assert_int_eq(policy_flow_marks(p), 0);
	marks_unique(p);
	first = p->flows[0].mark;
	/* the first of them keeps the mark it has alone */
	for (size_t i = p->nflows; i-- > 3; ) {
		free(p->flows[i].name);
		free(p->flows[i].services);
	}
	p->nflows = 3;
	ck_assert_int_eq(policy_flow_marks(p), 0);
	ck_assert_uint_eq(p->flows[0].mark, first);
	policy_free(p);
}
END_TEST

UNIT_SUITE(policy_suite)

static Suite *
policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("names");

	tcase_add_loop_test(tc, test_names, 0, (int)ARRAY_LEN(name_cases));
	tcase_add_loop_test(tc, test_unknown_names, 0,
	    (int)ARRAY_LEN(unknown_cases));
	tcase_add_loop_test(tc, test_proto_str, 0,
	    (int)ARRAY_LEN(proto_cases));
	tcase_add_test(tc, test_proto_str_buffers);
	tcase_add_test(tc, test_defaults);
	suite_add_tcase(s, tc);
	tc = tcase_create("model");
	tcase_add_loop_test(tc, test_find, 0, (int)ARRAY_LEN(find_cases));
	tcase_add_loop_test(tc, test_zone_of_addr, 0,
	    (int)ARRAY_LEN(zaddr_cases));
	tcase_add_loop_test(tc, test_endpoint, 0, (int)ARRAY_LEN(ep_cases));
	tcase_add_test(tc, test_endpoint_edges);
	tcase_add_test(tc, test_flow_active);
	tcase_add_loop_test(tc, test_service_match, 0,
	    (int)ARRAY_LEN(match_cases));
	tcase_add_test(tc, test_marks);
	tcase_add_test(tc, test_marks_clash);
	suite_add_tcase(s, tc);
	return s;
}
