/*
 * policy — the model: constructors, names, lookups.  No I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
		free(z->label);
		for (size_t j = 0; j < z->nifaces; j++)
			free(z->ifaces[j]);
		free(z->ifaces);
		free(z->nets);
	}
	free(p->zones);
	for (size_t i = 0; i < p->nhosts; i++) {
		free(p->hosts[i].name);
		free(p->hosts[i].label);
		free(p->hosts[i].addrs);
		free(p->hosts[i].list_file);
		free(p->hosts[i].comment);
	}
	free(p->hosts);
	for (size_t i = 0; i < p->nservices; i++) {
		free(p->services[i].name);
		free(p->services[i].label);
		free(p->services[i].ports);
		free(p->services[i].types);
		free(p->services[i].comment);
	}
	free(p->services);
	for (size_t i = 0; i < p->nflows; i++) {
		struct flow *f = &p->flows[i];
		free(f->name);
		free(f->label);
		free(f->from.hosts);
		free(f->to.hosts);
		free(f->services);
		free(f->approval);
		free(f->product);
		free(f->comment);
	}
	free(p->flows);
	for (size_t i = 0; i < p->nmgmt; i++)
		free(p->mgmt[i].from.hosts);
	free(p->mgmt);
	for (size_t i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->files);
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
policy_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[64];

	if (lb >= 64 || la >= 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int prev = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cur = row[j];
			int best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

const char *
policy_near_name(const struct policy *p, const char *word, bool zones)
{
	const char *best = NULL;
	int bestd = strlen(word) > 5 ? 3 : 2;

	for (size_t i = 0; i < p->nhosts; i++) {
		const struct host *h = &p->hosts[i];
		int d;
		if (h->label && strcmp(h->label, word) == 0)
			return h->name;
		if ((d = policy_edit_distance(h->name, word)) < bestd) {
			bestd = d;
			best = h->name;
		}
	}
	for (size_t i = 0; zones && i < p->nzones; i++) {
		const struct zone *z = &p->zones[i];
		int d;
		if (z->label && strcmp(z->label, word) == 0)
			return z->name;
		if ((d = policy_edit_distance(z->name, word)) < bestd) {
			bestd = d;
			best = z->name;
		}
	}
	return best;
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
	if ((e->kind == EP_HOST || e->kind == EP_HOSTS) && e->idx >= 0 &&
	    (size_t)e->idx < p->nhosts)
		return p->hosts[e->idx].zone;
	return -1;
}

const char *
policy_endpoint_name(const struct policy *p, const struct endpoint *e,
    char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (e->kind == EP_ZONE)
		snprintf(buf, len, "zone \"%s\"", p->zones[e->idx].name);
	else if (e->kind == EP_HOST)
		snprintf(buf, len, "host \"%s\"", p->hosts[e->idx].name);
	else if (e->kind == EP_HOSTS) {
		for (size_t i = 0; i < e->nhosts && n + 1 < len; i++) {
			snprintf(buf + n, len - n, "%s\"%s\"", i ? ", " :
			    "hosts ", p->hosts[e->hosts[i]].name);
			n += strlen(buf + n);
		}
	} else
		snprintf(buf, len, "nothing");
	return buf;
}

const int *
policy_endpoint_hosts(const struct endpoint *e, size_t *n)
{
	if (e->kind == EP_HOST) {
		*n = 1;
		return &e->idx;
	}
	if (e->kind == EP_HOSTS) {
		*n = e->nhosts;
		return e->hosts;
	}
	*n = 0;
	return NULL;
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

void
policy_pfx_iter(struct policy_pfx_iter *it, const struct policy *p,
    const struct endpoint *e, int family)
{
	memset(it, 0, sizeof(*it));
	it->p = p;
	it->e = e;
	it->family = family;
	it->any.family = (uint8_t)family;
}

const struct addr_pfx *
policy_pfx_next(struct policy_pfx_iter *it, int *host)
{
	const struct endpoint *e = it->e;
	const int *hv;
	size_t nh;

	if (e->kind == EP_ZONE) {
		if (host)
			*host = -1;
		if (it->h++ > 0 || !policy_zone_has_family(
		    &it->p->zones[e->idx], it->family))
			return NULL;
		return &it->any;
	}
	hv = policy_endpoint_hosts(e, &nh);
	for (; it->h < nh; it->h++, it->a = 0) {
		const struct host *h = &it->p->hosts[hv[it->h]];
		size_t lo = it->family == ADDR_V4 ? 0 : h->nv4;
		size_t hi = it->family == ADDR_V4 ? h->nv4 : h->naddrs;

		if (it->a < lo)
			it->a = lo;
		if (it->a < hi) {
			if (host)
				*host = hv[it->h];
			return &h->addrs[it->a++].pfx;
		}
	}
	return NULL;
}

bool
policy_endpoint_has_family(const struct policy *p, const struct endpoint *e,
    int family)
{
	struct policy_pfx_iter it;

	policy_pfx_iter(&it, p, e, family);
	return policy_pfx_next(&it, NULL) != NULL;
}

bool
policy_endpoint_holds(const struct policy *p, const struct endpoint *e,
    int fam, const uint8_t a[16])
{
	struct policy_pfx_iter it;
	const struct addr_pfx *pf;

	policy_pfx_iter(&it, p, e, fam);
	while ((pf = policy_pfx_next(&it, NULL)) != NULL)
		if (addr_contains_ip(pf, fam, a))
			return true;
	return false;
}

bool
policy_host_single(const struct host *h)
{
	return !h->list && h->naddrs == 1 && addr_is_host(&h->addrs[0].pfx);
}

bool
policy_host_pinned(const struct policy *p, const struct host *h)
{
	return !h->bad && h->has_mac && policy_host_single(h) &&
	    h->zone >= 0 && p->zones[h->zone].kind == ZONE_MYNUMBER &&
	    !p->zones[h->zone].closed_line;
}

const char *
policy_label_name(const char *name, const char *label, char *buf,
    size_t len)
{
	if (label != NULL)
		snprintf(buf, len, "%s (%s)", name, label);
	else
		snprintf(buf, len, "%s", name);
	return buf;
}

bool
policy_flow_active(const struct flow *f, time_t now)
{
	return (!f->has_starts || now >= f->starts) &&
	    (!f->has_expires || now < f->expires);
}

bool
policy_flow_pending(const struct flow *f, time_t now)
{
	return f->has_starts && now < f->starts;
}

const char *
policy_intern_file(struct policy *p, const char *name)
{
	char **v, *s;

	if (name == NULL || (p->file && strcmp(name, p->file) == 0))
		return p->file;
	for (size_t i = 0; i < p->nfiles; i++)
		if (strcmp(p->files[i], name) == 0)
			return p->files[i];
	if ((v = realloc(p->files, (p->nfiles + 1) * sizeof(*v))) == NULL)
		return NULL;
	p->files = v;
	if ((s = strdup(name)) == NULL)
		return NULL;
	p->files[p->nfiles++] = s;
	return s;
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
hash_host(uint32_t h, const struct host *ho)
{
	h = hash_str(h, ho->name);
	if (ho->list) {
		/* an address list is the host's name and where the list comes
		 * from: a change of its elements changes set elements only,
		 * and the flows naming it keep their ids (zoned.conf(5)) */
		h = fnv1a(h, "list", 4);
		if (ho->list_file)
			h = hash_str(h, ho->list_file);
	} else if (ho->naddrs > 0)
		h = fnv1a(h, &ho->addrs[0].pfx, sizeof(ho->addrs[0].pfx));
	if (ho->has_mac)
		h = fnv1a(h, ho->mac, 6);
	return h;
}

static uint32_t
hash_endpoint(uint32_t h, const struct policy *p, const struct endpoint *e)
{
	const int *hv;
	size_t n;

	h = fnv1a(h, &e->kind, sizeof(e->kind));
	if (e->kind == EP_ZONE)
		return hash_str(h, p->zones[e->idx].name);
	hv = policy_endpoint_hosts(e, &n);
	for (size_t i = 0; i < n; i++)
		h = hash_host(h, &p->hosts[hv[i]]);
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
