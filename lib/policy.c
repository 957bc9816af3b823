/*
 * policy — the model: constructors, names, lookups.  No I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

struct policy *
policy_new(void)
{
	struct policy *p = calloc(1, sizeof(*p));

	if (p != NULL)
		policy_defaults(p);
	return p;
}

void
policy_defaults(struct policy *p)
{
	p->monitor.enabled = true;
	p->monitor.snaplen = POLICY_DEFAULT_SNAPLEN;
	p->monitor.flow_table = POLICY_DEFAULT_FLOW_TABLE;
	p->monitor.flood_pps = POLICY_DEFAULT_FLOOD_PPS;
	p->monitor.scan_ports = POLICY_DEFAULT_SCAN_PORTS;
	p->monitor.scan_hosts = POLICY_DEFAULT_SCAN_HOSTS;
	p->monitor.scan_window = POLICY_DEFAULT_SCAN_WINDOW;
	p->monitor.evidence_max = POLICY_DEFAULT_EVIDENCE_MAX;
	p->log.nflog_group = POLICY_DEFAULT_NFLOG_GROUP;
	p->log.nflog_rate = POLICY_DEFAULT_NFLOG_RATE;
	p->control.verify_interval = POLICY_DEFAULT_VERIFY_INTERVAL;
	p->enforce.mode = ENFORCE_DUAL;
	p->enforce.queue = POLICY_DEFAULT_QUEUE;
	p->enforce.queue_maxlen = POLICY_DEFAULT_QUEUE_MAXLEN;
	p->ha.sync_port = POLICY_DEFAULT_SYNC_PORT;
}

void
policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nzones; i++) {
		struct zone *z = &p->zones[i];
		free(z->name);
		for (size_t j = 0; j < z->nifaces; j++)
			free(z->ifaces[j]);
		free(z->ifaces);
		free(z->nets);
	}
	free(p->zones);
	for (size_t i = 0; i < p->nhosts; i++) {
		free(p->hosts[i].name);
		free(p->hosts[i].comment);
	}
	free(p->hosts);
	for (size_t i = 0; i < p->nservices; i++) {
		free(p->services[i].name);
		free(p->services[i].ports);
		free(p->services[i].types);
		free(p->services[i].comment);
	}
	free(p->services);
	for (size_t i = 0; i < p->nflows; i++) {
		struct flow *f = &p->flows[i];
		free(f->name);
		free(f->services);
		free(f->approval);
		free(f->comment);
	}
	free(p->flows);
	free(p->mgmt);
	free(p->monitor.evidence_dir);
	free(p->log.facility);
	free(p->control.socket);
	free(p->control.group);
	free(p->ha.sync_iface);
	free(p->ha.peers);
	free(p->file);
	free(p);
}

struct name_map {
	const char *name;
	int value;
};

static const struct name_map zone_kinds[] = {
	{ "mynumber", ZONE_MYNUMBER }, { "lgwan", ZONE_LGWAN },
	{ "internet", ZONE_INTERNET }, { "closed", ZONE_CLOSED },
	{ NULL, 0 },
};
static const struct name_map models[] = {
	{ "alpha", MODEL_ALPHA }, { "alpha-prime", MODEL_ALPHA_PRIME },
	{ "beta", MODEL_BETA }, { "beta-prime", MODEL_BETA_PRIME },
	{ NULL, 0 },
};
static const struct name_map methods[] = {
	{ "direct", METHOD_DIRECT }, { "specific", METHOD_SPECIFIC },
	{ "mail-text", METHOD_MAIL_TEXT },
	{ "screen-transfer", METHOD_SCREEN_TRANSFER },
	{ "file-sanitize", METHOD_FILE_SANITIZE },
	{ "cloud-lbo", METHOD_CLOUD_LBO },
	{ NULL, 0 },
};
static const struct name_map roles[] = {
	{ "mail-relay", ROLE_MAIL_RELAY },
	{ "screen-transfer", ROLE_SCREEN_TRANSFER },
	{ "file-sanitizer", ROLE_FILE_SANITIZER },
	{ "public-system", ROLE_PUBLIC_SYSTEM },
	{ NULL, 0 },
};

static const char *
map_str(const struct name_map *m, int v)
{
	for (; m->name; m++)
		if (m->value == v)
			return m->name;
	return "?";
}

static int
map_val(const struct name_map *m, const char *s)
{
	for (; m->name; m++)
		if (strcmp(m->name, s) == 0)
			return m->value;
	return 0;
}

const char *
policy_zone_kind_str(enum zone_kind k)
{
	return map_str(zone_kinds, (int)k);
}

enum zone_kind
policy_zone_kind_from_str(const char *s)
{
	return (enum zone_kind)map_val(zone_kinds, s);
}

const char *
policy_model_str(enum policy_model m)
{
	return map_str(models, (int)m);
}

enum policy_model
policy_model_from_str(const char *s)
{
	return (enum policy_model)map_val(models, s);
}

const char *
policy_method_str(enum flow_method m)
{
	return map_str(methods, (int)m);
}

enum flow_method
policy_method_from_str(const char *s)
{
	return (enum flow_method)map_val(methods, s);
}

const char *
policy_role_str(enum host_role r)
{
	return r == ROLE_NONE ? "none" : map_str(roles, (int)r);
}

enum host_role
policy_role_from_str(const char *s)
{
	int v = map_val(roles, s);
	return v ? (enum host_role)v : (enum host_role)-1;
}

const char *
policy_proto_str(uint8_t proto, bool any)
{
	static char buf[8][8];
	static int slot;
	char *b;

	if (any)
		return "any";
	switch (proto) {
	case PROTO_TCP: return "tcp";
	case PROTO_UDP: return "udp";
	case PROTO_SCTP: return "sctp";
	case PROTO_ICMP: return "icmp";
	case PROTO_ICMPV6: return "icmpv6";
	}
	b = buf[slot++ % 8];
	snprintf(b, sizeof(buf[0]), "%u", proto);
	return b;
}

int
policy_find_zone(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->nzones; i++)
		if (strcmp(p->zones[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
policy_find_host(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->nhosts; i++)
		if (strcmp(p->hosts[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
policy_find_service(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->nservices; i++)
		if (strcmp(p->services[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
policy_find_flow(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->nflows; i++)
		if (p->flows[i].name && strcmp(p->flows[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
policy_zone_of_iface(const struct policy *p, const char *ifname)
{
	for (size_t i = 0; i < p->nzones; i++)
		for (size_t j = 0; j < p->zones[i].nifaces; j++)
			if (strcmp(p->zones[i].ifaces[j], ifname) == 0)
				return (int)i;
	return -1;
}

int
policy_zone_of_addr(const struct policy *p, int family, const uint8_t a[16])
{
	int best = -1, bestlen = -1;

	for (int pass = 0; pass < 2 && best < 0; pass++) {
		for (size_t i = 0; i < p->nzones; i++) {
			const struct zone *z = &p->zones[i];
			if ((z->kind == ZONE_INTERNET) != (pass == 1))
				continue;
			for (size_t j = 0; j < z->nnets; j++)
				if (addr_contains_ip(&z->nets[j], family, a) &&
				    (int)z->nets[j].len > bestlen) {
					best = (int)i;
					bestlen = z->nets[j].len;
				}
		}
	}
	return best;
}

int
policy_endpoint_zone(const struct policy *p, const struct endpoint *e)
{
	if (e->kind == EP_ZONE)
		return e->idx;
	if (e->kind == EP_HOST && e->idx >= 0 && (size_t)e->idx < p->nhosts)
		return p->hosts[e->idx].zone;
	return -1;
}

const char *
policy_endpoint_name(const struct policy *p, const struct endpoint *e,
    char *buf, size_t len)
{
	if (e->kind == EP_ZONE)
		snprintf(buf, len, "zone \"%s\"", p->zones[e->idx].name);
	else if (e->kind == EP_HOST)
		snprintf(buf, len, "host \"%s\"", p->hosts[e->idx].name);
	else
		snprintf(buf, len, "nothing");
	return buf;
}

bool
policy_zone_has_family(const struct zone *z, int family)
{
	for (size_t i = 0; i < z->nnets; i++)
		if (z->nets[i].family == family)
			return true;
	return false;
}

bool
policy_ha(const struct policy *p)
{
	return p != NULL && p->ha.line > 0 && !p->ha.bad &&
	    p->ha.sync_iface != NULL && p->ha.npeers > 0;
}

int
policy_endpoint_prefix(const struct policy *p, const struct endpoint *e,
    int family, struct addr_pfx *out)
{
	memset(out, 0, sizeof(*out));
	if (e->kind == EP_HOST) {
		const struct host *h = &p->hosts[e->idx];
		if (h->addr.family != family)
			return 0;
		*out = h->addr;
		return 1;
	}
	if (e->kind == EP_ZONE &&
	    policy_zone_has_family(&p->zones[e->idx], family)) {
		out->family = (uint8_t)family;
		out->len = 0;
		return 1;
	}
	return 0;
}

bool
policy_flow_active(const struct flow *f, time_t now)
{
	return !f->has_expires || now < f->expires;
}

/* FNV-1a, 32 bits: a stable id, not a security hash. */
static uint32_t
fnv1a(uint32_t h, const void *data, size_t len)
{
	const uint8_t *b = data;

	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t
hash_str(uint32_t h, const char *s)
{
	return fnv1a(h, s, strlen(s) + 1);
}

static uint32_t
hash_endpoint(uint32_t h, const struct policy *p, const struct endpoint *e)
{
	h = fnv1a(h, &e->kind, sizeof(e->kind));
	if (e->kind == EP_ZONE)
		return hash_str(h, p->zones[e->idx].name);
	if (e->kind == EP_HOST) {
		const struct host *ho = &p->hosts[e->idx];
		h = hash_str(h, ho->name);
		h = fnv1a(h, &ho->addr, sizeof(ho->addr));
		if (ho->has_mac)
			h = fnv1a(h, ho->mac, 6);
	}
	return h;
}

static uint32_t
flow_hash(const struct policy *p, const struct flow *f)
{
	uint32_t h = 2166136261u;

	h = hash_str(h, f->name);
	h = hash_endpoint(h, p, &f->from);
	h = hash_endpoint(h, p, &f->to);
	h = fnv1a(h, &f->method, sizeof(f->method));
	for (size_t j = 0; j < f->nservices; j++) {
		const struct service *s;
		if (f->services[j] < 0)
			continue;
		s = &p->services[f->services[j]];
		h = fnv1a(h, &s->proto, 1);
		h = fnv1a(h, &s->any_proto, 1);
		if (s->nports)
			h = fnv1a(h, s->ports, s->nports * sizeof(*s->ports));
		if (s->ntypes)
			h = fnv1a(h, s->types, s->ntypes);
	}
	return h;
}

int
policy_flow_marks(struct policy *p)
{
	size_t cap = 16;
	uint32_t *seen;

	while (cap < p->nflows * 2)
		cap *= 2;
	if ((seen = calloc(cap, sizeof(*seen))) == NULL)
		return -1;
	for (size_t i = 0; i < p->nflows; i++) {
		uint32_t h = flow_hash(p, &p->flows[i]);

		/* Unique and non-zero within this policy: probe on. */
		for (;;) {
			size_t k = h & (cap - 1);
			bool clash = h == 0;
			while (!clash && seen[k] != 0) {
				clash = seen[k] == h;
				k = (k + 1) & (cap - 1);
			}
			if (!clash) {
				seen[k] = h;
				break;
			}
			h = fnv1a(h, "+", 1);
		}
		p->flows[i].mark = h;
	}
	free(seen);
	return 0;
}

bool
policy_service_match(const struct service *s, uint8_t proto, uint16_t value)
{
	if (s->any_proto)
		return true;
	if (s->proto != proto)
		return false;
	if (proto == PROTO_ICMP || proto == PROTO_ICMPV6) {
		if (s->ntypes == 0)
			return true;
		for (size_t i = 0; i < s->ntypes; i++)
			if (s->types[i] == value)
				return true;
		return false;
	}
	if (s->nports == 0)
		return true;
	for (size_t i = 0; i < s->nports; i++)
		if (value >= s->ports[i].lo && value <= s->ports[i].hi)
			return true;
	return false;
}
