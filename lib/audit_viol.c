/*
 * audit_viol — the violating frames of an audit: aggregated into flows
 * (family, protocol, addresses, ports or ICMP type and id) in a hash table
 * that grows with them, listed up to max_violations, each flow explained
 * by its first frame; and, for streams, every violating frame handed to
 * the caller.  Only violating frames come here: nothing of it is on the
 * path of a frame that passes.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_impl.h"
#include "pkt.h"
#include "textbuf.h"

#define VHASH_MIN	1024	/* the flow hash table's first size */

static uint64_t
audit_viol_hash(int family, int proto, int l4, uint16_t sport, uint16_t dport,
    const uint8_t src[16], const uint8_t dst[16])
{
	uint64_t h = (uint64_t)family << 56 | (uint64_t)proto << 48 |
	    (uint64_t)l4 << 40 | (uint64_t)sport << 16 | dport;

	return audit_hash_addrs(audit_mix(0x51ed27a3c9b1e5f7ULL, h), src, dst);
}

static int
audit_viol_grow(struct audit_ctx *x)
{
	size_t cap = x->vhcap ? x->vhcap * 2 : VHASH_MIN;
	uint32_t *t = calloc(cap, sizeof(*t));

	if (t == NULL)
		return -1;
	for (size_t i = 0; i < x->r->nv; i++) {
		const struct audit_violation *v = &x->r->v[i];
		size_t j = audit_viol_hash(v->family, v->proto, v->l4, v->sport,
		    v->dport, v->src, v->dst) & (cap - 1);
		while (t[j] != 0)
			j = (j + 1) & (cap - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(x->vh);
	x->vh = t;
	x->vhcap = cap;
	return 0;
}

/* A flow of one frame: slot s counted in the flow of tuple t. */
static void
audit_viol_fill(struct audit_violation *v, const struct slot *s,
    const struct classify_pkt *t, uint8_t l4, uint8_t reason)
{
	memset(v, 0, sizeof(*v));
	v->first_frame = v->last_frame = s->frame;
	v->first_ts = v->last_ts = s->ts;
	v->frames = 1;
	v->bytes = s->len;
	v->family = t->family;
	v->proto = t->proto;
	memcpy(v->src, t->src, 16);
	memcpy(v->dst, t->dst, 16);
	v->sport = t->sport;
	v->dport = t->dport;
	v->l4 = l4;
	v->from_zone = s->zs;
	v->to_zone = s->zd;
	v->reason = reason;
}

/*
 * Count one violating frame of slot s in the flow of tuple t.  Returns the
 * new flow when this frame opened it (the caller writes its explanation),
 * else NULL; *flow is the flow it was counted in (NULL when unlisted).
 */
static struct audit_violation *
audit_viol_count(struct audit_ctx *x, const struct slot *s,
    const struct classify_pkt *t, uint8_t l4, uint8_t reason,
    struct audit_violation **flow)
{
	struct audit_result *r = x->r;
	struct audit_violation *v;
	size_t j;

	*flow = NULL;
	r->violating++;
	if (x->vhcap == 0 && audit_viol_grow(x) < 0)
		goto oom;
	j = audit_viol_hash(t->family, t->proto, l4, t->sport, t->dport, t->src,
	    t->dst) & (x->vhcap - 1);
	for (; x->vh[j] != 0; j = (j + 1) & (x->vhcap - 1)) {
		v = &r->v[x->vh[j] - 1];
		if (v->family == t->family && v->proto == t->proto &&
		    v->l4 == l4 && v->sport == t->sport &&
		    v->dport == t->dport && memcmp(v->src, t->src, 16) == 0 &&
		    memcmp(v->dst, t->dst, 16) == 0) {
			v->last_frame = s->frame;
			v->last_ts = s->ts;
			v->frames++;
			v->bytes += s->len;
			*flow = v;
			return NULL;
		}
	}
	if (r->nv >= x->maxv) {
		r->truncated_list = true;
		return NULL;
	}
	if (r->nv == x->capv) {
		size_t cap = x->capv ? x->capv * 2 : 64;
		void *nv;
		if (cap > x->maxv)
			cap = x->maxv;
		if ((nv = realloc(r->v, cap * sizeof(*r->v))) == NULL)
			goto oom;
		r->v = nv;
		x->capv = cap;
	}
	v = &r->v[r->nv];
	audit_viol_fill(v, s, t, l4, reason);
	x->vh[j] = (uint32_t)++r->nv;
	*flow = v;
	if (r->nv * 2 > x->vhcap && audit_viol_grow(x) < 0)
		goto oom;
	return v;
oom:
	x->oom = 1;
	return NULL;
}


static const char *
audit_viol_tuple_text(const struct classify_pkt *k, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	const char *pr = policy_proto_str(k->proto, false);

	addr_format_ip(k->family, k->src, a, sizeof(a));
	addr_format_ip(k->family, k->dst, b, sizeof(b));
	if (audit_is_icmp(k->family, k->proto))
		snprintf(buf, len, "%s %s -> %s type %u", pr, a, b, k->dport);
	else if (k->proto == PROTO_TCP || k->proto == PROTO_UDP ||
	    k->proto == PROTO_SCTP)
		snprintf(buf, len, "%s %s%s%s:%u -> %s%s%s:%u", pr,
		    k->family == ADDR_V6 ? "[" : "", a,
		    k->family == ADDR_V6 ? "]" : "", k->sport,
		    k->family == ADDR_V6 ? "[" : "", b,
		    k->family == ADDR_V6 ? "]" : "", k->dport);
	else
		snprintf(buf, len, "%s %s -> %s", pr, a, b);
	return buf;
}

static void
audit_viol_explain(struct audit_ctx *x, const struct slot *s,
    const struct classify_verdict *v, const struct classify_verdict *rv,
    const struct frag_ent *fe, struct audit_violation *av)
{
	char tx[160];

	if (fe != NULL) {
		snprintf(av->explain, sizeof(av->explain), "later fragment "
		    "(id %u) of a datagram whose first fragment, frame %llu, "
		    "was a violation", s->frag_id,
		    (unsigned long long)fe->frame);
		return;
	}
	switch ((enum slot_kind)s->kind) {
	case SLOT_CLASSIFY:
		classify_explain(x->c, s->k, v, av->explain,
		    sizeof(av->explain));
		if (rv != NULL && rv->reason == CLASSIFY_PERMIT && s->opener)
			textbuf_append(av->explain, sizeof(av->explain),
			    "; the reverse direction is flow \"%s\", but a "
			    "TCP SYN without ACK opens a connection and is "
			    "no reply", x->p->flows[rv->flow].name);
		break;
	case SLOT_ICMP_ERROR:
		if (av->reason != AUDIT_REASON_ICMP_ERROR)
			classify_explain(x->c, s->k, v, av->explain,
			    sizeof(av->explain));
		else if (s->quote == QUOTE_UNPARSABLE)
			snprintf(av->explain, sizeof(av->explain), "ICMP error "
			    "whose quoted packet cannot be read");
		else if (s->quote == QUOTE_NOT_SENT)
			snprintf(av->explain, sizeof(av->explain), "ICMP error "
			    "about a packet its destination did not send (%s)",
			    audit_viol_tuple_text(s->q, tx, sizeof(tx)));
		else
			snprintf(av->explain, sizeof(av->explain), "ICMP error "
			    "quoting %s, which no flow permits either way",
			    audit_viol_tuple_text(s->q, tx, sizeof(tx)));
		break;
	case SLOT_LATER:
		snprintf(av->explain, sizeof(av->explain), "later fragment "
		    "(id %u, offset %u) whose first fragment was not seen",
		    s->frag_id, s->frag_off);
		break;
	case SLOT_UNPARSED:
		snprintf(av->explain, sizeof(av->explain), "headers after the "
		    "IP header %s: cannot be classified",
		    pkt_status_str((enum pkt_status)s->status));
		break;
	}
}


/* Tell a stream's caller about a violating frame. */
static void
audit_viol_notify(struct audit_ctx *x, const struct slot *s,
    const struct classify_pkt *t, uint8_t l4, uint8_t reason,
    const struct classify_verdict *v, const struct classify_verdict *rv,
    const struct frag_ent *fe, struct audit_violation *flow, bool first)
{
	struct audit_violation tmp;

	if (flow == NULL) {	/* unlisted: describe this frame alone */
		audit_viol_fill(&tmp, s, t, l4, reason);
		audit_viol_explain(x, s, v, rv, fe, &tmp);
		flow = &tmp;
	}
	x->on_violation(x->arg, flow, first, s->data, s->caplen, &s->ts,
	    s->len);
}

void
audit_viol_frame(struct audit_ctx *x, const struct slot *s,
    const struct classify_pkt *t, uint8_t l4, uint8_t reason,
    const struct classify_verdict *v, const struct classify_verdict *rv,
    const struct frag_ent *fe)
{
	struct audit_violation *av, *flow;

	if ((av = audit_viol_count(x, s, t, l4, reason, &flow)) != NULL)
		audit_viol_explain(x, s, v, rv, fe, av);
	if (x->on_violation)
		audit_viol_notify(x, s, t, l4, reason, v, rv, fe, flow,
		    av != NULL);
}
