/*
 * query — the words of `zonectl check` against one policy.
 */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

static void
note(struct query *q, const char *fmt, ...) __attribute__((format(printf, 2,
    3)));

/* Add a sentence to the note. */
static void
note(struct query *q, const char *fmt, ...)
{
	size_t n = strlen(q->note);
	va_list ap;

	if (n > 0 && n + 2 < sizeof(q->note)) {
		snprintf(q->note + n, sizeof(q->note) - n, "; ");
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(q->note + n, sizeof(q->note) - n, fmt, ap);
	va_end(ap);
}

static int
find_host(const struct policy *p, const char *word)
{
	int h = policy_find_host(p, word);

	for (size_t i = 0; h < 0 && i < p->nhosts; i++)
		if (p->hosts[i].label && strcmp(p->hosts[i].label, word) == 0)
			h = (int)i;
	return h;
}

static int
endpoint_addr(const struct policy *p, const char *word, int *family,
    uint8_t a[16], struct query *q, char *err, size_t errlen)
{
	const struct host *ho;
	const char *near;
	char s[ADDR_PFX_STRLEN];
	int h;

	if ((*family = addr_parse_ip(word, a)) != 0)
		return 0;
	if ((h = find_host(p, word)) >= 0 && p->hosts[h].naddrs > 0) {
		ho = &p->hosts[h];
		*family = ho->addrs[0].pfx.family;
		/* a network: its first address */
		memcpy(a, ho->addrs[0].pfx.a, 16);
		if (ho->naddrs > 1)
			note(q, "host \"%s\" has %zu addresses; the first, %s, "
			    "was checked (give an address to check another)",
			    ho->name, ho->naddrs, addr_format(&ho->addrs[0].pfx,
			    s, sizeof(s)));
		return 0;
	}
	if ((near = policy_near_name(p, word, false)) != NULL)
		snprintf(err, errlen, "\"%s\" is neither an address nor a host "
		    "of the policy (did you mean \"%s\"?)", word, near);
	else
		snprintf(err, errlen, "\"%s\" is neither an address nor a host "
		    "of the policy", word);
	return -1;
}

static const struct {
	const char *name;
	uint8_t proto;
} proto_names[] = {
	{ "tcp", PROTO_TCP }, { "udp", PROTO_UDP }, { "sctp", PROTO_SCTP },
	{ "icmp", PROTO_ICMP }, { "icmpv6", PROTO_ICMPV6 },
};

/* Well-known names /etc/services spells otherwise. */
static const struct {
	const char *name;
	uint8_t proto;
	uint16_t port;
} service_aliases[] = {
	{ "rdp", PROTO_TCP, 3389 }, { "ica", PROTO_TCP, 1494 },
	{ "smb", PROTO_TCP, 445 }, { "winrm", PROTO_TCP, 5985 },
};

/* "tcp/443", "icmp/8", "47": 1 parsed, 0 not of that form, -1 bad. */
static int
parse_proto(const char *s, struct classify_pkt *k, char *err, size_t errlen)
{
	char name[16];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	long v;
	char *end;
	bool found = false;

	if (n == 0 || n >= sizeof(name))
		return slash ? -1 : 0;
	memcpy(name, s, n);
	name[n] = '\0';
	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]);
	    i++)
		if (strcmp(proto_names[i].name, name) == 0) {
			k->proto = proto_names[i].proto;
			found = true;
		}
	if (!found) {
		errno = 0;
		v = strtol(name, &end, 10);
		if (errno || *end || v < 0 || v > 255)
			return slash ? -1 : 0;
		k->proto = (uint8_t)v;
	}
	if (k->proto == PROTO_TCP || k->proto == PROTO_UDP ||
	    k->proto == PROTO_SCTP || k->proto == PROTO_ICMP ||
	    k->proto == PROTO_ICMPV6) {
		long max = k->proto == PROTO_ICMP || k->proto == PROTO_ICMPV6 ?
		    255 : 65535;
		if (slash == NULL) {
			snprintf(err, errlen, "\"%s\" needs a %s: %s/N", s,
			    max == 255 ? "type" : "port", name);
			return -1;
		}
		errno = 0;
		v = strtol(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || v < 0 || v > max)
			return -1;
		k->dport = (uint16_t)v;
	} else if (slash != NULL)
		return -1;
	return 1;
}

static void
add_pkt(struct query *q, uint8_t proto, uint16_t value)
{
	if (q->npkt >= QUERY_MAXPKT)
		return;
	q->pkt[q->npkt] = q->pkt[0];
	q->pkt[q->npkt].proto = proto;
	q->pkt[q->npkt++].dport = value;
}

/* A service of the policy: a packet for each port (the first and last of
 * a range) or ICMP type. */
static int
service_pkts(const struct service *s, struct query *q, char *err,
    size_t errlen)
{
	const char *pr = policy_proto_str(s->proto, s->any_proto);
	size_t n;

	if (s->any_proto || ((s->proto == PROTO_TCP || s->proto == PROTO_UDP ||
	    s->proto == PROTO_SCTP) && s->nports == 0) ||
	    ((s->proto == PROTO_ICMP || s->proto == PROTO_ICMPV6) &&
	    s->ntypes == 0)) {
		snprintf(err, errlen, "service \"%s\" allows every %s; ask "
		    "about one: %s/N", s->name, s->any_proto ? "protocol" :
		    s->nports == 0 && s->ntypes == 0 && (s->proto ==
		    PROTO_ICMP || s->proto == PROTO_ICMPV6) ? "type" : "port",
		    s->any_proto ? "tcp" : pr);
		return -1;
	}
	q->npkt = 0;
	snprintf(q->what, sizeof(q->what), "service \"%s\" is ", s->name);
	for (size_t r = 0; r < s->nports; r++) {
		n = strlen(q->what);
		if (s->ports[r].lo == s->ports[r].hi)
			snprintf(q->what + n, sizeof(q->what) - n, "%s%s/%u",
			    r ? ", " : "", pr, s->ports[r].lo);
		else
			snprintf(q->what + n, sizeof(q->what) - n, "%s%s/%u-%u",
			    r ? ", " : "", pr, s->ports[r].lo, s->ports[r].hi);
		add_pkt(q, s->proto, s->ports[r].lo);
		if (s->ports[r].hi != s->ports[r].lo)
			add_pkt(q, s->proto, s->ports[r].hi);
	}
	for (size_t t = 0; t < s->ntypes; t++) {
		n = strlen(q->what);
		snprintf(q->what + n, sizeof(q->what) - n, "%s%s type %u",
		    t ? ", " : "", pr, s->types[t]);
		add_pkt(q, s->proto, s->types[t]);
	}
	return 0;
}

/* PROTO[/PORT], or a service name: the policy's, then the system's. */
static int
proto_pkts(const struct policy *p, const char *s, struct query *q,
    char *err, size_t errlen)
{
	const struct servent *se;
	const char *near = NULL;
	int rc, bestd = 3;

	q->npkt = 1;
	if ((rc = parse_proto(s, &q->pkt[0], err, errlen)) == 1)
		return 0;
	if (rc < 0 && err[0])
		return -1;
	if (rc < 0)
		goto bad;
	for (size_t i = 0; i < p->nservices; i++)
		if (!p->services[i].bad && (strcmp(p->services[i].name, s) ==
		    0 || (p->services[i].label &&
		    strcmp(p->services[i].label, s) == 0)))
			return service_pkts(&p->services[i], q, err, errlen);
	for (size_t i = 0; i < sizeof(service_aliases) /
	    sizeof(service_aliases[0]); i++)
		if (strcmp(service_aliases[i].name, s) == 0) {
			q->pkt[0].proto = service_aliases[i].proto;
			q->pkt[0].dport = service_aliases[i].port;
			snprintf(q->what, sizeof(q->what), "\"%s\" is %s/%u", s,
			    policy_proto_str(q->pkt[0].proto, false),
			    q->pkt[0].dport);
			return 0;
		}
	if ((se = getservbyname(s, "tcp")) != NULL ||
	    (se = getservbyname(s, "udp")) != NULL) {
		q->pkt[0].proto = strcmp(se->s_proto, "udp") == 0 ? PROTO_UDP :
		    PROTO_TCP;
		q->pkt[0].dport = (uint16_t)ntohs((uint16_t)se->s_port);
		snprintf(q->what, sizeof(q->what), "\"%s\" is %s/%u (from "
		    "/etc/services)", s, policy_proto_str(q->pkt[0].proto,
		    false), q->pkt[0].dport);
		return 0;
	}
	for (size_t i = 0; i < p->nservices; i++) {
		int d = policy_edit_distance(p->services[i].name, s);
		if (d < bestd) {
			bestd = d;
			near = p->services[i].name;
		}
	}
	if (near) {
		snprintf(err, errlen, "\"%s\" is neither a protocol nor a "
		    "service (did you mean \"%s\"?)", s, near);
		return -1;
	}
bad:
	snprintf(err, errlen, "invalid protocol \"%s\" (tcp/PORT, udp/PORT, "
	    "sctp/PORT, icmp/TYPE, icmpv6/TYPE, a protocol number, or a "
	    "service name such as https or rdp)", s);
	return -1;
}

int
query_build(const struct policy *p, const struct query_args *a,
    struct query *q, char *err, size_t errlen)
{
	struct classify_pkt *k = &q->pkt[0];
	int fs, fd;
	char m[MAC_STRLEN];

	memset(q, 0, sizeof(*q));
	err[0] = '\0';
	q->mgmt = q->denied = -1;
	k->in_zone = k->out_zone = -1;
	if (endpoint_addr(p, a->src, &fs, k->src, q, err, errlen) < 0)
		return -1;
	if (a->dst_self || (strcmp(a->dst, QUERY_APPLIANCE) == 0 &&
	    find_host(p, a->dst) < 0)) {
		/* the appliance itself: its address does not matter */
		q->appliance = true;
		fd = fs;
		if (a->dst_self)
			addr_parse_ip(a->dst, k->dst);
	} else if (endpoint_addr(p, a->dst, &fd, k->dst, q, err, errlen) < 0)
		return -1;
	if (fs != fd) {
		snprintf(err, errlen, "source and destination are of "
		    "different address families");
		return -1;
	}
	k->family = (uint8_t)fs;
	if (proto_pkts(p, a->proto, q, err, errlen) < 0)
		return -1;
	if (a->sport >= 0) {
		if (a->sport > 65535) {
			snprintf(err, errlen, "source port %d out of range",
			    a->sport);
			return -1;
		}
		k->sport = (uint16_t)a->sport;
	}
	if (a->mac != NULL) {
		if (mac_parse(a->mac, k->src_mac, err, errlen) < 0)
			return -1;
		k->has_mac = 1;
	} else {
		/* Without --mac a pinned source has its pinned MAC. */
		for (size_t i = 0; i < p->nhosts; i++) {
			const struct host *h = &p->hosts[i];
			if (policy_host_pinned(p, h) &&
			    h->addrs[0].pfx.family == k->family &&
			    memcmp(h->addrs[0].pfx.a, k->src, 16) == 0) {
				note(q, "source MAC taken as the pinned %s of "
				    "host \"%s\" (use --mac to check another)",
				    mac_format(h->mac, m, sizeof(m)), h->name);
				break;
			}
		}
	}
	/* every packet of a service's ports alike but for the port */
	for (size_t i = 1; i < q->npkt; i++) {
		q->pkt[i].family = k->family;
		q->pkt[i].sport = k->sport;
		q->pkt[i].has_mac = k->has_mac;
		memcpy(q->pkt[i].src_mac, k->src_mac, 6);
		memcpy(q->pkt[i].src, k->src, 16);
		memcpy(q->pkt[i].dst, k->dst, 16);
	}
	if (q->what[0])
		note(q, "%s", q->what);
	return 0;
}

/* The management entry that lets pkt reach the appliance, or -1: the input
 * hook takes an entry's sources on the interfaces of their zone. */
static int
mgmt_match(const struct policy *p, const struct classify_pkt *k)
{
	int zs = policy_zone_of_addr(p, k->family, k->src);

	for (size_t i = 0; i < p->nmgmt; i++) {
		const struct mgmt *m = &p->mgmt[i];

		if (m->bad || m->service < 0 || policy_endpoint_zone(p,
		    &m->from) != zs || !policy_endpoint_holds(p, &m->from,
		    k->family, k->src))
			continue;
		if (policy_service_match(&p->services[m->service], k->proto,
		    k->dport))
			return (int)i;
	}
	return -1;
}

void
query_classify(const struct classify *c, const struct policy *p,
    struct query *q, struct classify_verdict *v)
{
	q->mgmt = q->denied = -1;
	for (size_t i = 0; i < q->npkt; i++) {
		struct classify_verdict *w = &q->v[i];

		if (q->appliance) {
			int m = mgmt_match(p, &q->pkt[i]);
			w->flow = -1;
			w->in_zone = (int16_t)policy_zone_of_addr(p,
			    q->pkt[i].family, q->pkt[i].src);
			w->out_zone = -1;
			w->reason = m >= 0 ? CLASSIFY_PERMIT : CLASSIFY_NO_FLOW;
			if (m >= 0 && q->mgmt < 0)
				q->mgmt = m;
		} else
			classify_one(c, &q->pkt[i], w);
		if (w->reason != CLASSIFY_PERMIT && q->denied < 0)
			q->denied = (int)i;
	}
	*v = q->v[q->denied >= 0 ? q->denied : 0];
}

static const char *
zone_name(const struct policy *p, int z)
{
	return z >= 0 && (size_t)z < p->nzones ? p->zones[z].name : NULL;
}

/* The words after "permit: " or "deny: ". */
static void
explain(const struct classify *c, const struct policy *p,
    const struct query *q, const struct classify_verdict *v, char *buf,
    size_t len)
{
	const struct classify_pkt *k = &q->pkt[q->denied >= 0 ? q->denied : 0];
	char a[ADDR_PFX_STRLEN], pr[32], from[160];
	size_t n;

	if (q->appliance && v->reason == CLASSIFY_PERMIT) {
		const struct mgmt *m = &p->mgmt[q->mgmt];
		snprintf(buf, len, "management #%d (line %d): service \"%s\" "
		    "from %s to the appliance itself", q->mgmt + 1, m->line,
		    p->services[m->service].name, policy_endpoint_name(p,
		    &m->from, from, sizeof(from)));
		return;
	}
	if (q->appliance) {
		snprintf(buf, len, "the appliance itself accepts only "
		    "loopback, established connections, IPv6 neighbour "
		    "discovery and its management entries; none permits %s "
		    "from %s", classify_pkt_text(k, pr, sizeof(pr)),
		    addr_format_ip(k->family, k->src, a, sizeof(a)));
		/* what the entries do permit: this source other services,
		 * or this service from other sources */
		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < p->nmgmt; i++) {
				const struct mgmt *m = &p->mgmt[i];
				if (m->bad || (pass == 0 ? !policy_endpoint_holds(p,
				    &m->from, k->family, k->src) :
				    !policy_service_match(&p->services[
				    m->service], k->proto, k->dport)))
					continue;
				n = strlen(buf);
				if (pass == 0)
					snprintf(buf + n, len - n, "; management "
					    "#%zu permits service \"%s\" from %s "
					    "only", i + 1, p->services[
					    m->service].name, policy_endpoint_name(
					    p, &m->from, from, sizeof(from)));
				else
					snprintf(buf + n, len - n, "; management "
					    "#%zu permits it from %s only", i + 1,
					    policy_endpoint_name(p, &m->from, from,
					    sizeof(from)));
				return;
			}
		return;
	}
	buf[0] = '\0';
	if (q->npkt > 1 && q->denied >= 0)	/* which port was refused */
		snprintf(buf, len, "%s: ", classify_pkt_text(k, pr,
		    sizeof(pr)));
	n = strlen(buf);
	classify_explain(c, k, v, buf + n, len - n);
	if (q->npkt > 1 && q->denied < 0)
		for (size_t i = 1; i < q->npkt; i++) {
			const struct flow *f;
			if (q->v[i].flow == q->v[0].flow || q->v[i].flow < 0)
				continue;
			f = &p->flows[q->v[i].flow];
			n = strlen(buf);
			snprintf(buf + n, len - n, ", flow \"%s\" for %s",
			    f->name, classify_pkt_text(&q->pkt[i], pr, sizeof(pr)));
		}
}

/* Offline, an address of the appliance looks like any other of its zone:
 * when no flow permits a packet inside one zone, say what the management
 * entries would answer. */
static void
appliance_hint(const struct policy *p, const struct query *q,
    const struct classify_verdict *v, char *buf, size_t len)
{
	const struct classify_pkt *k = &q->pkt[q->denied >= 0 ? q->denied : 0];
	int m;

	buf[0] = '\0';
	if (q->appliance || v->reason != CLASSIFY_NO_FLOW || v->in_zone !=
	    v->out_zone || (m = mgmt_match(p, k)) < 0)
		return;
	snprintf(buf, len, "if the destination is the appliance itself, "
	    "management #%d (line %d) permits it (ask: zonectl check SRC %s "
	    "PROTO)", m + 1, p->mgmt[m].line, QUERY_APPLIANCE);
}

json_t *
query_answer_json(const struct classify *c, const struct policy *p,
    const struct query *q, const struct classify_verdict *v)
{
	char why[1024], hint[256], all[800];
	json_t *o;

	explain(c, p, q, v, why, sizeof(why));
	appliance_hint(p, q, v, hint, sizeof(hint));
	snprintf(all, sizeof(all), "%s%s%s", q->note, q->note[0] && hint[0] ?
	    "; " : "", hint);
	o = json_object();
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "verdict", json_string(v->reason ==
	    CLASSIFY_PERMIT ? "permit" : "deny"));
	json_object_set_new(o, "flow", v->flow >= 0 ?
	    json_string(p->flows[v->flow].name) : json_null());
	json_object_set_new(o, "management", q->appliance && q->mgmt >= 0 ?
	    json_integer(q->mgmt + 1) : json_null());
	json_object_set_new(o, "appliance", json_boolean(q->appliance));
	json_object_set_new(o, "reason", json_string(q->appliance &&
	    v->reason != CLASSIFY_PERMIT ? "no-management" :
	    classify_reason_str(v->reason)));
	json_object_set_new(o, "from_zone", zone_name(p, v->in_zone) ?
	    json_string(zone_name(p, v->in_zone)) : json_null());
	json_object_set_new(o, "to_zone", zone_name(p, v->out_zone) ?
	    json_string(zone_name(p, v->out_zone)) : json_null());
	json_object_set_new(o, "explain", json_string(why));
	json_object_set_new(o, "note", all[0] ? json_string(all) :
	    json_null());
	return o;
}

void
query_answer_text(const struct classify *c, const struct policy *p,
    const struct query *q, const struct classify_verdict *v, char *buf,
    size_t len)
{
	char why[1024], hint[256];

	explain(c, p, q, v, why, sizeof(why));
	appliance_hint(p, q, v, hint, sizeof(hint));
	snprintf(buf, len, "%s: %s%s%s%s%s\n", v->reason == CLASSIFY_PERMIT ?
	    "permit" : "deny", why, q->note[0] ? "\nnote: " : "", q->note,
	    hint[0] ? "\nnote: " : "", hint);
}
