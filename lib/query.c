/*
 * query — the words of `zonectl check` against one policy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

static int
endpoint_addr(const struct policy *p, const char *word, int *family,
    uint8_t a[16], const struct host **host, char *err, size_t errlen)
{
	int h;

	*host = NULL;
	if ((*family = addr_parse_ip(word, a)) != 0)
		return 0;
	if ((h = policy_find_host(p, word)) >= 0) {
		const struct host *ho = &p->hosts[h];
		*host = ho;
		*family = ho->addr.family;
		memcpy(a, ho->addr.a, 16);	/* a network: its first address */
		return 0;
	}
	snprintf(err, errlen, "\"%s\" is neither an address nor a host of "
	    "the policy", word);
	return -1;
}

static int
parse_proto(const char *s, struct classify_pkt *k, char *err, size_t errlen)
{
	static const struct { const char *name; uint8_t proto; } names[] = {
		{ "tcp", PROTO_TCP }, { "udp", PROTO_UDP },
		{ "sctp", PROTO_SCTP }, { "icmp", PROTO_ICMP },
		{ "icmpv6", PROTO_ICMPV6 },
	};
	char name[16];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	long v;
	char *end;
	bool found = false;

	if (n == 0 || n >= sizeof(name))
		goto bad;
	memcpy(name, s, n);
	name[n] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, name) == 0) {
			k->proto = names[i].proto;
			found = true;
		}
	if (!found) {
		errno = 0;
		v = strtol(name, &end, 10);
		if (errno || *end || v < 0 || v > 255)
			goto bad;
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
			goto bad;
		k->dport = (uint16_t)v;
	} else if (slash != NULL)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "invalid protocol \"%s\" (tcp/PORT, udp/PORT, "
	    "sctp/PORT, icmp/TYPE, icmpv6/TYPE or a protocol number)", s);
	return -1;
}

int
query_build(const struct policy *p, const struct query_args *a,
    struct query *q, char *err, size_t errlen)
{
	struct classify_pkt *k = &q->pkt;
	const struct host *hs, *hd;
	int fs, fd;
	char m[MAC_STRLEN];

	memset(q, 0, sizeof(*q));
	k->in_zone = k->out_zone = -1;
	if (endpoint_addr(p, a->src, &fs, k->src, &hs, err, errlen) < 0 ||
	    endpoint_addr(p, a->dst, &fd, k->dst, &hd, err, errlen) < 0)
		return -1;
	if (fs != fd) {
		snprintf(err, errlen, "source and destination are of "
		    "different address families");
		return -1;
	}
	k->family = (uint8_t)fs;
	if (parse_proto(a->proto, k, err, errlen) < 0)
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
		return 0;
	}
	/* Without --mac a pinned source is taken to have its pinned MAC. */
	for (size_t i = 0; i < p->nhosts; i++) {
		const struct host *h = &p->hosts[i];
		if (h->has_mac && addr_is_host(&h->addr) && h->zone >= 0 &&
		    p->zones[h->zone].kind == ZONE_MYNUMBER &&
		    h->addr.family == k->family &&
		    memcmp(h->addr.a, k->src, 16) == 0) {
			snprintf(q->note, sizeof(q->note), "source MAC taken "
			    "as the pinned %s of host \"%s\" (use --mac to "
			    "check another)", mac_format(h->mac, m, sizeof(m)),
			    h->name);
			break;
		}
	}
	return 0;
}

static const char *
zone_name(const struct policy *p, int z)
{
	return z >= 0 && (size_t)z < p->nzones ? p->zones[z].name : NULL;
}

json_t *
query_answer_json(const struct classify *c, const struct policy *p,
    const struct query *q, const struct classify_verdict *v)
{
	char why[1024];
	json_t *o;

	classify_explain(c, &q->pkt, v, why, sizeof(why));
	o = json_object();
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "verdict", json_string(v->reason ==
	    CLASSIFY_PERMIT ? "permit" : "deny"));
	json_object_set_new(o, "flow", v->flow >= 0 ?
	    json_string(p->flows[v->flow].name) : json_null());
	json_object_set_new(o, "reason",
	    json_string(classify_reason_str(v->reason)));
	json_object_set_new(o, "from_zone", zone_name(p, v->in_zone) ?
	    json_string(zone_name(p, v->in_zone)) : json_null());
	json_object_set_new(o, "to_zone", zone_name(p, v->out_zone) ?
	    json_string(zone_name(p, v->out_zone)) : json_null());
	json_object_set_new(o, "explain", json_string(why));
	json_object_set_new(o, "note", q->note[0] ? json_string(q->note) :
	    json_null());
	return o;
}

void
query_answer_text(const struct classify *c, const struct query *q,
    const struct classify_verdict *v, char *buf, size_t len)
{
	char why[1024];

	classify_explain(c, &q->pkt, v, why, sizeof(why));
	snprintf(buf, len, "%s: %s%s%s\n", v->reason == CLASSIFY_PERMIT ?
	    "permit" : "deny", why, q->note[0] ? "\nnote: " : "", q->note);
}
