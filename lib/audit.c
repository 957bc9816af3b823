/*
 * audit — the frame path of the audit: captured frames against the policy
 * classifier.  See audit.h for what passes, what is a violation and the
 * output formats; audit_impl.h for the other files of the audit (capture
 * files, violating flows, fragments, the printed forms).
 *
 * The loop: audit_file() (audit_read.c) or a stream's caller gives a frame
 * to audit_frame(), and the verdict cache is asked first.  The common
 * frame (Ethernet, IPv4, TCP or UDP, no capture zone) is read by
 * pkt_fast4() and looked up in one go, a cache line of the IPv4 cache;
 * others are read by pkt_parse().  A frame the cache does not know gets a
 * slot of the batch, which keeps what classification needs (the frame
 * itself is gone at the next read).  Every ACL_BATCH slots the batch is
 * flushed:
 *  1. the own tuples (and, for ICMP errors, the quoted packets' tuples) go
 *     through classify_batch();
 *  2. the reversed tuples of those denied with "no-flow" go through a
 *     second classify_batch() (only replies get there, in a normal
 *     capture), with, for the cache, the reversed tuples of the permitted
 *     ones (their replies are next);
 *  3. the slots are resolved in frame order, so that a first fragment is
 *     recorded before a later fragment of the same batch asks for it, and
 *     violations are aggregated into flows; the cache learns the outcomes.
 *
 * The cache (a frame's outcome as a function of its key: see struct ckey)
 * also holds the keys that wait in the batch: a frame of a key pending
 * there shares that slot's verdicts (dup), and a frame of the reversed key
 * of a connection whose opener is pending shares the classification made
 * ahead for its replies (rdup, see audit_flush).  So a permitted TCP or UDP
 * connection is classified twice, once each way, however many frames it
 * has (no capture zone).  None of that may change a result:
 * test_cache_same, test_cache_conns and test_stream_cache audit captures
 * with and without the cache.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <pcap/pcap.h>

#include "audit_impl.h"
#include "flowtab.h"
#include "pkt.h"

/* ---------------------------------------------------------------------
 * Small helpers
 */

static int
audit_icmp_is_error(int family, uint8_t type)
{
	if (family == ADDR_V4)
		return type == 3 || type == 4 || type == 5 || type == 11 ||
		    type == 12;
	return type >= 1 && type <= 4;
}

/* The request type a reply answers, or -1 when type is not a reply. */
static int
audit_icmp_request(int family, uint8_t type)
{
	if (family == ADDR_V6)
		return type == 129 ? 128 : -1;
	switch (type) {
	case 0:
		return 8;
	case 14:
		return 13;
	case 16:
		return 15;
	case 18:
		return 17;
	}
	return -1;
}

/* Frames no router forwards: never crossings. */
static int
audit_link_scope(int family, const uint8_t s[16], const uint8_t d[16])
{
	static const uint8_t zero[16];

	if (family == ADDR_V4)
		return memcmp(s, zero, 4) == 0 ||
		    (d[0] == 255 && d[1] == 255 && d[2] == 255 && d[3] == 255) ||
		    (d[0] == 224 && d[1] == 0 && d[2] == 0) ||
		    (s[0] == 169 && s[1] == 254) || (d[0] == 169 && d[1] == 254);
	return memcmp(s, zero, 16) == 0 ||
	    (d[0] == 0xff && (d[1] == 0x01 || d[1] == 0x02)) ||
	    (s[0] == 0xfe && (s[1] & 0xc0) == 0x80) ||
	    (d[0] == 0xfe && (d[1] & 0xc0) == 0x80);
}

/*
 * The reversed tuple of k: false when it has none (an ICMP type that is
 * not a reply).  ICMP keeps its id in sport and gets the request type.
 */
static int
audit_reverse(const struct classify_pkt *k, struct classify_pkt *rk)
{
	*rk = *k;
	memcpy(rk->src, k->dst, 16);
	memcpy(rk->dst, k->src, 16);
	rk->has_mac = 0;
	memset(rk->src_mac, 0, sizeof(rk->src_mac));
	rk->in_zone = rk->out_zone = -1;
	if (audit_is_icmp(k->family, k->proto)) {
		int t = audit_icmp_request(k->family, (uint8_t)k->dport);
		if (t < 0)
			return 0;
		rk->dport = (uint16_t)t;
		return 1;
	}
	rk->sport = k->dport;
	rk->dport = k->sport;
	return 1;
}

/*
 * The packet an ICMP error quotes: its IP header (pkt_parse on the bytes
 * after the 8-byte ICMP header, within the outer datagram and caplen) and
 * the first bytes of its L4 header.  -1 when it cannot be read.
 */
static int
audit_quote(const uint8_t *frame, size_t caplen, const struct pkt_info *pi,
    struct classify_pkt *q, uint8_t *opener)
{
	size_t end = (size_t)pi->l3_off + pi->ip_len;
	size_t off = (size_t)pi->l4_off + 8, n, avail;
	struct pkt_info in;
	enum pkt_status st;
	const uint8_t *h;

	*opener = 0;
	if (end > caplen)
		end = caplen;
	if (off >= end)
		return -1;
	n = end - off;
	st = pkt_parse(frame + off, n, PKT_LINK_RAW, &in);
	if ((st != PKT_OK && st != PKT_TRUNCATED) || in.family != pi->family)
		return -1;
	memset(q, 0, sizeof(*q));
	q->family = in.family;
	q->proto = in.proto;
	q->in_zone = q->out_zone = -1;
	memcpy(q->src, in.src, 16);
	memcpy(q->dst, in.dst, 16);
	if (audit_is_icmp(in.family, in.proto)) {
		if (in.l4_off == 0 || in.l4_off >= n)
			return -1;
		h = frame + off + in.l4_off;
		avail = n - in.l4_off;
		q->dport = h[0];
		/* the id of an echo, as pkt_parse reads it */
		if (avail >= 6 && (in.family == ADDR_V4 ? h[0] == 0 ||
		    h[0] == 8 : h[0] == 128 || h[0] == 129))
			q->sport = (uint16_t)(h[4] << 8 | h[5]);
		return 0;
	}
	switch (in.proto) {
	case PROTO_TCP:
	case PROTO_UDP:
	case PROTO_SCTP:
		if (in.l4_off == 0 || in.l4_off > n || n - in.l4_off < 4)
			return -1;
		h = frame + off + in.l4_off;
		avail = n - in.l4_off;
		q->sport = (uint16_t)(h[0] << 8 | h[1]);
		q->dport = (uint16_t)(h[2] << 8 | h[3]);
		if (in.proto == PROTO_TCP && avail >= 14 &&
		    (h[13] & (PKT_TCP_SYN | PKT_TCP_ACK)) == PKT_TCP_SYN)
			*opener = 1;
		return 0;
	}
	return st == PKT_OK ? 0 : -1;
}

/* ---------------------------------------------------------------------
 * The verdict cache
 */

/*
 * The cache key of a tuple; mac is the source MAC or NULL.  IPv4 reads
 * four bytes of each address only (the rest is 0 in a pkt_info and in a
 * classify_pkt), so that it reads what pkt_parse() wrote as it wrote it.
 */
static inline void
audit_ckey_make(struct ckey *k, int family, int proto,
    const uint8_t src[16], const uint8_t dst[16], uint16_t sport,
    uint16_t dport, const uint8_t *mac)
{
	uint64_t w4 = sport | (uint64_t)dport << 16 |
	    (uint64_t)family << 32 | (uint64_t)proto << 40;

	if (family == ADDR_V4) {
		uint32_t a, b;
		memcpy(&a, src, 4);
		memcpy(&b, dst, 4);
		k->w[0] = a;
		k->w[1] = 0;
		k->w[2] = b;
		k->w[3] = 0;
	} else {
		memcpy(&k->w[0], src, 8);
		memcpy(&k->w[1], src + 8, 8);
		memcpy(&k->w[2], dst, 8);
		memcpy(&k->w[3], dst + 8, 8);
	}
	k->w[5] = 0;
	if (mac != NULL) {
		uint32_t m0;
		uint16_t m1;
		memcpy(&m0, mac, 4);
		memcpy(&m1, mac + 4, 2);
		k->w[5] = m0 | (uint64_t)m1 << 32;
		w4 |= 1ULL << 48;
	}
	k->w[4] = w4;
}

/* Independent multiplies: a hash for a table index, not for an adversary
 * (a capture that collides only slows the audit down). */
static inline uint32_t
audit_ckey_hash(const struct ckey *k)
{
	uint64_t h;

	h = k->w[0] * 0x9e3779b97f4a7c15ULL ^ k->w[1] * 0xc2b2ae3d27d4eb4fULL ^
	    k->w[2] * 0x165667b19e3779f9ULL ^ k->w[3] * 0x85ebca77c2b2ae63ULL ^
	    k->w[4] * 0x27d4eb2f165667c5ULL ^ k->w[5] * 0xff51afd7ed558ccdULL;
	return (uint32_t)(h >> 32 ^ h);
}

static inline int
audit_ckey_eq(const struct ckey *a, const struct ckey *b)
{
	return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) |
	    (a->w[2] ^ b->w[2]) | (a->w[3] ^ b->w[3]) |
	    (a->w[4] ^ b->w[4]) | (a->w[5] ^ b->w[5])) == 0;
}

/*
 * The place in the cache of a tuple (ICMP: sport the id, dport the type);
 * mac is the source MAC when the key has one, else NULL.
 */
static inline void
audit_cref_v4(struct cref *cr, uint32_t src, uint32_t dst, int proto,
    uint16_t sport, uint16_t dport)
{
	uint64_t h;

	cr->v4 = 1;
	cr->tag = 0;
	cr->k.w[0] = src | (uint64_t)dst << 32;
	cr->k.w[1] = sport | (uint64_t)dport << 16 | (uint64_t)proto << 32 |
	    CACHE4_USED;
	h = cr->k.w[0] * 0x9e3779b97f4a7c15ULL ^
	    cr->k.w[1] * 0xc2b2ae3d27d4eb4fULL;
	cr->set = (int32_t)(h >> (64 - CACHE4_BITS));
}

static inline void
audit_cref_make(struct cref *cr, int family, int proto,
    const uint8_t src[16], const uint8_t dst[16], uint16_t sport,
    uint16_t dport, const uint8_t *mac)
{
	if (family == ADDR_V4 && mac == NULL) {
		uint32_t a, b;
		memcpy(&a, src, 4);
		memcpy(&b, dst, 4);
		audit_cref_v4(cr, a, b, proto, sport, dport);
		return;
	}
	cr->v4 = 0;
	audit_ckey_make(&cr->k, family, proto, src, dst, sport, dport, mac);
	cr->tag = audit_ckey_hash(&cr->k) | 1;
	cr->set = (int32_t)(cr->tag >> 1 & (CACHE_SETS - 1));
}

/*
 * The cached outcome of a frame, or 0; with OUT_PENDING, the slot in bits
 * 8 to 15.
 */
static inline unsigned
audit_cache_get(const struct audit_ctx *x, const struct cref *cr)
{
	if (cr->v4) {
		/* Without branches: which way matches is anybody's guess.
		 * At most one does. */
		const struct c4set *cs = &x->cache4[cr->set];
		const uint64_t m = ~(0xffffULL << CACHE4_OUT);
		uint64_t b = 0;
		for (int w = 0; w < 4; w++)
			if (((cs->e[w][0] ^ cr->k.w[0]) |
			    ((cs->e[w][1] ^ cr->k.w[1]) & m)) == 0)
				b = cs->e[w][1];	/* a cmov */
		return (unsigned)(b >> CACHE4_OUT & 0xffff);
	} else {
		const struct cset *cs = &x->cache[cr->set];
		for (int w = 0; w < CACHE_WAYS; w++)
			if (cs->tag[w] == cr->tag &&
			    audit_ckey_eq(&cs->k[w], &cr->k))
				return cs->out[w] | (unsigned)cs->slot[w] << 8;
	}
	return 0;
}

/*
 * Store an outcome (OUT_PENDING, OUT_PENDING_REV: of slot si).  An entry
 * pending already takes the outcome, or goes with OUT_VIOLATION (never
 * cached); any other entry of the key stays.  1 when a new entry was
 * made.
 */
static int
audit_cache_put(struct audit_ctx *x, const struct cref *cr, enum outcome out,
    unsigned si)
{
	if (cr->v4) {
		const uint64_t m = ~(0xffffULL << CACHE4_OUT);
		struct c4set *cs = &x->cache4[cr->set];
		uint64_t b = cr->k.w[1] | (uint64_t)out << CACHE4_OUT |
		    (uint64_t)si << (CACHE4_OUT + 8);
		unsigned o;
		int w;
		for (w = 0; w < 4; w++)
			if (cs->e[w][0] == cr->k.w[0] &&
			    (cs->e[w][1] & m) == cr->k.w[1])
				break;
		if (w < 4) {
			o = cs->e[w][1] >> CACHE4_OUT & 0xff;
			if (o != OUT_PENDING && o != OUT_PENDING_REV)
				return 0;
			if (out != OUT_VIOLATION) {
				cs->e[w][1] = b;
				return 0;
			}
			/* out of the line: the others move up */
			memmove(cs->e[w], cs->e[w + 1],
			    (size_t)(3 - w) * sizeof(cs->e[0]));
			cs->e[3][0] = cs->e[3][1] = 0;
			return 0;
		}
		if (out == OUT_VIOLATION)
			return 0;
		memmove(cs->e[1], cs->e[0], 3 * sizeof(cs->e[0]));
		cs->e[0][0] = cr->k.w[0];
		cs->e[0][1] = b;
		return 1;
	}
	struct cset *cs = &x->cache[cr->set];
	int w;
	for (w = 0; w < CACHE_WAYS; w++)
		if (cs->tag[w] == cr->tag && audit_ckey_eq(&cs->k[w], &cr->k))
			break;
	if (w < CACHE_WAYS) {
		if (cs->out[w] != OUT_PENDING && cs->out[w] != OUT_PENDING_REV)
			return 0;
		if (out == OUT_VIOLATION)
			cs->tag[w] = 0;		/* empty */
		cs->out[w] = (uint8_t)out;
		cs->slot[w] = (uint8_t)si;
		return 0;
	}
	if (out == OUT_VIOLATION)
		return 0;
	w = cs->next++ & (CACHE_WAYS - 1);
	cs->tag[w] = cr->tag;
	cs->out[w] = (uint8_t)out;
	cs->slot[w] = (uint8_t)si;
	cs->k[w] = cr->k;
	return 1;
}

/* The counters of a cache hit (x->r set) and, when the cache is on, the
 * IPv4 cache, its lines on cache lines. */
static int
audit_cache_init(struct audit_ctx *x)
{
	size_t len = sizeof(struct c4set) << CACHE4_BITS;

	x->count[0] = &x->inside;	/* never used */
	x->count[OUT_PERMITTED] = &x->r->permitted;
	x->count[OUT_REPLY] = &x->r->replies;
	x->count[OUT_VIOLATION] = &x->inside;	/* never cached */
	x->count[OUT_INSIDE] = &x->inside;
	x->count[OUT_LOCAL] = &x->r->local;
	if (!x->cache_on)
		return 0;
	if ((x->cache4 = aligned_alloc(64, len)) == NULL)
		return -1;
	memset(x->cache4, 0, len);
	return 0;
}

/*
 * Cache the outcome of the frames of tuple k that the audit has not seen
 * yet but knows the verdict of (no capture zone: no MAC in their keys).
 * A frame of k would be a crossing (its zones are those of a crossing,
 * swapped) unless it is link scope, which is not symmetric.
 */
static void
audit_cache_ahead(struct audit_ctx *x, const struct classify_pkt *k,
    enum outcome out)
{
	struct cref cr;

	if (audit_link_scope(k->family, k->src, k->dst))
		return;
	audit_cref_make(&cr, k->family, k->proto, k->src, k->dst, k->sport,
	    k->dport, NULL);
	audit_cache_put(x, &cr, out, 0);
}

/* The place in the cache of the frames of k reversed (ports: swapped). */
static void
audit_cref_reversed(struct cref *cr, const struct classify_pkt *k)
{
	audit_cref_make(cr, k->family, k->proto, k->dst, k->src, k->dport,
	    k->sport, NULL);
}

/* The flow table key of a tuple (ICMP: sport the id, dport the type). */
static void
audit_ft_key(const struct classify_pkt *k, struct flowtab_key *fk)
{
	memset(fk, 0, sizeof(*fk));
	fk->family = k->family;
	fk->proto = k->proto;
	fk->sport = k->sport;
	fk->dport = k->dport;
	memcpy(fk->src, k->src, 16);
	memcpy(fk->dst, k->dst, 16);
}

static uint64_t
audit_ms(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000 + (uint64_t)tv->tv_usec / 1000;
}

/* A connection that passed: record it in its opening direction. */
static void
audit_ft_add(struct audit_ctx *x, const struct slot *s, int32_t flow,
    bool reply)
{
	struct flowtab_key fk;
	struct classify_pkt o;

	if (flow < 0)
		return;
	if (reply) {
		if (!audit_reverse(s->k, &o))
			return;
		audit_ft_key(&o, &fk);
	} else
		audit_ft_key(s->k, &fk);
	flowtab_add(x->ft, &fk, flow, audit_ms(&s->ts));
}

/* ---------------------------------------------------------------------
 * The batch
 */

/*
 * What the cache learns from a whole frame resolved: its own outcome (a
 * pending entry of its key takes it, or goes with a violation) and, for a
 * frame of its own key (not dup, not rdup), the other direction's:
 *  - a reply's reversed tuple is permitted, so the frames of the opening
 *    direction are permitted;
 *  - the reversed tuple of a permitted frame, classified ahead in the
 *    flush (si): permitted, or else (no flow) its frames are replies;
 *  - else the reversed key pending for this slot is pending no more.
 */
static void
audit_learn(struct audit_ctx *x, const struct slot *s, enum outcome out)
{
	enum outcome rout = OUT_VIOLATION;
	struct cref rc;

	audit_cache_put(x, &s->cr, out, 0);
	if (s->dup >= 0 || s->rdup >= 0)
		return;
	if (out == OUT_REPLY && s->kind == SLOT_CLASSIFY && x->zone < 0)
		audit_cache_ahead(x, &x->rkeys[s->ri], OUT_PERMITTED);
	else if (out == OUT_PERMITTED && s->si >= 0) {
		if (x->rverd[s->si].reason == CLASSIFY_PERMIT)
			rout = OUT_PERMITTED;
		else if (x->rverd[s->si].reason == CLASSIFY_NO_FLOW)
			rout = OUT_REPLY;
		if (rout != OUT_VIOLATION) {
			audit_cache_ahead(x, &x->rkeys[s->si], rout);
			return;		/* the pending entry took it */
		}
	}
	if (s->revp) {
		audit_cref_reversed(&rc, s->k);
		audit_cache_put(x, &rc, OUT_VIOLATION, 0);
	}
}

static void
audit_resolve(struct audit_ctx *x, struct slot *s)
{
	const struct classify_verdict *v = NULL, *rv = NULL;
	const struct frag_ent *fe = NULL;
	struct classify_pkt t = *s->k;
	enum outcome out = OUT_VIOLATION;
	uint8_t l4 = s->l4, reason = 0;

	rv = s->rv;
	switch ((enum slot_kind)s->kind) {
	case SLOT_CLASSIFY:
		v = s->v;
		if (v->reason == CLASSIFY_PERMIT)
			out = OUT_PERMITTED;
		else if (rv != NULL && rv->reason == CLASSIFY_PERMIT &&
		    !s->opener)
			out = OUT_REPLY;
		else
			reason = v->reason;
		break;
	case SLOT_ICMP_ERROR:
		v = s->v;
		if (v->reason == CLASSIFY_PERMIT)
			out = OUT_PERMITTED;
		else if (v->reason != CLASSIFY_NO_FLOW)
			reason = v->reason;	/* mac-mismatch, no-zone */
		else if (s->qi >= 0 &&
		    (x->qverd[s->qi].reason == CLASSIFY_PERMIT ||
		    (rv != NULL && rv->reason == CLASSIFY_PERMIT)))
			out = OUT_REPLY;
		else
			reason = AUDIT_REASON_ICMP_ERROR;
		break;
	case SLOT_LATER:
		if ((fe = audit_frag_find(x, s)) == NULL) {
			reason = AUDIT_REASON_FRAG_ORPHAN;
			t.sport = t.dport = 0;
			l4 = AUDIT_L4_NONE;
			break;
		}
		out = (enum outcome)fe->outcome;
		/* violating: counted in the flow of the first fragment */
		t.proto = fe->proto;
		t.sport = fe->sport;
		t.dport = fe->dport;
		l4 = fe->l4;
		reason = fe->reason;
		break;
	case SLOT_UNPARSED:
		reason = AUDIT_REASON_UNPARSED;
		t.sport = t.dport = 0;
		l4 = AUDIT_L4_NONE;
		break;
	}

	switch (out) {
	case OUT_PERMITTED:
		x->r->permitted++;
		break;
	case OUT_REPLY:
		x->r->replies++;
		break;
	case OUT_INSIDE:
	case OUT_LOCAL:
	case OUT_PENDING:
	case OUT_PENDING_REV:
		break;		/* not for crossings */
	case OUT_VIOLATION:
		audit_viol_frame(x, s, &t, l4, reason, v, rv, fe);
		break;
	}
	if (x->ft != NULL && s->kind == SLOT_CLASSIFY && s->frag ==
	    PKT_FRAG_NONE && (out == OUT_PERMITTED || out == OUT_REPLY))
		audit_ft_add(x, s, out == OUT_PERMITTED ? v->flow : rv->flow,
		    out == OUT_REPLY);
	if (s->frag == PKT_FRAG_FIRST)
		audit_frag_record(x, s, out, &t, l4, reason);
	else if (s->cr.set >= 0)
		audit_learn(x, s, out);
}

/*
 * Classify the batch and resolve its slots in frame order.  A frame whose
 * cache key was pending when it came (dup) shares the key and verdicts of
 * the slot that has it.  A frame whose key was the reversed key of a
 * pending slot (rdup: a reply of a connection whose opener waits in the
 * batch) shares the classification made ahead for that slot's replies when
 * the slot is permitted: its own verdict is that of the slot's reversed
 * tuple, and its reversed tuple is the slot's own; when the slot is not
 * permitted, it is classified here as any frame.
 */
void
audit_flush(struct audit_ctx *x)
{
	size_t nr = 0, nk = x->nk;

	if (x->nslots == 0)
		return;
	/* later fragments and unparsed frames too: cheaper than sorting out */
	classify_batch(x->c, x->keys, x->verd, x->nk);
	if (x->nq > 0)
		classify_batch(x->c, x->qkeys, x->qverd, x->nq);
	for (size_t i = 0; i < x->nslots; i++) {
		struct slot *s = &x->slots[i];
		if (s->rdup < 0 || x->verd[x->slots[s->rdup].ki].reason ==
		    CLASSIFY_PERMIT)
			continue;
		x->keys[nk] = *s->k;
		s->k = &x->keys[nk];
		s->ki = (int16_t)nk++;
		s->rdup = -1;
	}
	if (nk > x->nk)
		classify_batch(x->c, x->keys + x->nk, x->verd + x->nk,
		    nk - x->nk);
	for (size_t i = 0; i < x->nslots; i++) {
		struct slot *s = &x->slots[i];
		const struct classify_verdict *v;
		const struct classify_pkt *k = NULL;

		s->ri = s->si = -1;
		if (s->dup >= 0) {	/* its twin's reversed tuple */
			s->ri = x->slots[s->dup].ri;
			continue;
		}
		if (s->rdup >= 0)
			continue;
		v = &x->verd[s->ki];
		if (s->kind == SLOT_CLASSIFY &&
		    v->reason == CLASSIFY_NO_FLOW)
			k = s->k;	/* openers too: for the explanation */
		else if (s->kind == SLOT_ICMP_ERROR &&
		    v->reason == CLASSIFY_NO_FLOW && s->qi >= 0 &&
		    x->qverd[s->qi].reason == CLASSIFY_NO_FLOW && !s->q_opener)
			k = s->q;
		else if (s->kind == SLOT_CLASSIFY &&
		    v->reason == CLASSIFY_PERMIT && s->cr.set >= 0 &&
		    x->zone < 0 && s->l4 == AUDIT_L4_PORTS) {
			/* for the cache: its replies come next */
			audit_reverse(s->k, &x->rkeys[nr]);
			s->si = (int16_t)nr++;
		}
		if (k != NULL && audit_reverse(k, &x->rkeys[nr]))
			s->ri = (int16_t)nr++;
	}
	if (nr > 0)
		classify_batch(x->c, x->rkeys, x->rverd, nr);
	for (size_t i = 0; i < x->nslots; i++) {
		struct slot *s = &x->slots[i];
		if (s->rdup >= 0) {
			const struct slot *t = &x->slots[s->rdup];
			s->v = &x->rverd[t->si];
			s->rv = s->v->reason == CLASSIFY_NO_FLOW ?
			    &x->verd[t->ki] : NULL;
		} else {
			s->v = &x->verd[s->ki];
			s->rv = s->ri >= 0 ? &x->rverd[s->ri] : NULL;
		}
	}
	for (size_t i = 0; i < x->nslots; i++)
		audit_resolve(x, &x->slots[i]);
	x->nslots = 0;
	x->nk = 0;
	x->nq = 0;
}

/* ---------------------------------------------------------------------
 * A frame: the steps of audit_frame()
 */

/*
 * A stream's flow table: a frame of a connection that passed passes
 * (counted): 1.  Whole frames with ports or an ICMP id only.
 */
static inline int
audit_frame_known(struct audit_ctx *x, const struct pcap_pkthdr *ph,
    enum pkt_status st, const struct pkt_info *pi)
{
	struct flowtab_key fk;
	bool reply;

	if (st != PKT_OK || pi->frag != PKT_FRAG_NONE ||
	    !(pi->has_ports || pi->has_icmp) ||
	    (pi->has_icmp && audit_icmp_is_error(pi->family, pi->icmp_type)))
		return 0;
	memset(&fk, 0, sizeof(fk));
	fk.family = pi->family;
	fk.proto = pi->proto;
	fk.sport = pi->has_ports ? pi->sport : pi->icmp_id;
	fk.dport = pi->has_ports ? pi->dport : pi->icmp_type;
	memcpy(fk.src, pi->src, 16);
	memcpy(fk.dst, pi->dst, 16);
	if (flowtab_find(x->ft, &fk, audit_ms(&ph->ts), &reply) < 0 ||
	    (reply && pkt_is_opener(pi)))
		return 0;
	x->r->crossings++;
	if (reply)
		x->r->replies++;
	else
		x->r->permitted++;
	return 1;
}

/*
 * The place in the cache of a frame that pkt_parse() read: 1, or 0 and
 * set -1.  A frame of a flow that passed a moment ago passes again, but
 * only whole frames (not fragments, not ICMP errors) are looked up.
 */
static inline int
audit_frame_cref(const struct audit_ctx *x, enum pkt_status st,
    const struct pkt_info *pi, struct cref *cr)
{
	cr->set = -1;
	if (!x->cache_on || st != PKT_OK || pi->frag != PKT_FRAG_NONE ||
	    (pi->has_icmp && audit_icmp_is_error(pi->family, pi->icmp_type)))
		return 0;
	audit_cref_make(cr, pi->family, pi->proto, pi->src, pi->dst,
	    pi->has_ports ? pi->sport : pi->icmp_id,
	    pi->has_ports ? pi->dport : pi->icmp_type,
	    x->zone >= 0 && pi->has_mac ? pi->src_mac : NULL);
	return 1;
}

/*
 * Ask the cache: 1 when it knows the outcome of the frame (counted).
 * Else the frame goes on; a slot of the batch that waits with its key
 * (*dup) or with its reversed key (*rdup) is said.
 *
 * The opener is not in the key: the classifier's verdict is the same for
 * a SYN, so a flow permitted as it is lets its SYN pass too, but a SYN is
 * never a reply (it takes the full path, and fails there): out = 0 then,
 * without a branch.  Always inline: a hit in the cache is the whole work
 * of most frames, and a call would be a good part of it.
 */
static inline __attribute__((always_inline)) int
audit_frame_cached(struct audit_ctx *x, const struct cref *cr,
    unsigned opener, int *dup, int *rdup)
{
	unsigned hit = audit_cache_get(x, cr), out = hit & 0xff;

	out &= -(unsigned)!((out == OUT_REPLY) & opener);
	if (out != 0 && out < OUT_PENDING) {
		/*
		 * Without branches on the outcome (permitted and replies
		 * alternate), and one counter at a time: two neighbours added
		 * as one vector would be read back whole after single stores,
		 * which cannot forward.
		 */
		x->r->crossings += out <= OUT_REPLY;
		(*x->count[out])++;
		return 1;
	}
	if (out == OUT_PENDING)
		*dup = (int)(hit >> 8);
	else if (out == OUT_PENDING_REV)
		*rdup = (int)(hit >> 8);
	return 0;
}

/*
 * The zones of a frame the cache did not decide: 1 when it is a crossing
 * (counted).  A frame that is none (inside one zone, or link scope) is
 * counted and its outcome cached.
 */
static inline int
audit_frame_zones(struct audit_ctx *x, const struct pkt_info *pi,
    const struct cref *cr, int dup, int rdup, int *zs, int *zd)
{
	if (dup >= 0) {
		/* A frame of the same key waits in the batch: the same
		 * zones, the same verdicts, no classification of its own. */
		*zs = x->slots[dup].zs;
		*zd = x->slots[dup].zd;
	} else if (rdup >= 0) {
		/* One of the reversed key: the zones swapped.  Its
		 * addresses are not link scope (see audit_slot_wait). */
		*zs = x->slots[rdup].zd;
		*zd = x->slots[rdup].zs;
	} else {
		*zs = classify_zone_of(x->c, pi->family, pi->src);
		*zd = classify_zone_of(x->c, pi->family, pi->dst);
		if (*zs == *zd) {
			if (cr->set >= 0)
				audit_cache_put(x, cr, OUT_INSIDE, 0);
			return 0;
		}
		if (audit_link_scope(pi->family, pi->src, pi->dst)) {
			x->r->local++;
			if (cr->set >= 0)
				audit_cache_put(x, cr, OUT_LOCAL, 0);
			return 0;
		}
	}
	x->r->crossings++;
	return 1;
}

/* The next slot of the batch for a crossing: what the flush needs of the
 * frame, which is gone at the next read (a stream with a callback keeps a
 * copy of its first snaplen bytes). */
static inline struct slot *
audit_slot_new(struct audit_ctx *x, const struct pcap_pkthdr *ph,
    const uint8_t *data, enum pkt_status st, const struct pkt_info *pi,
    const struct cref *cr, int zs, int zd, int dup, int rdup)
{
	struct slot *s = &x->slots[x->nslots];

	s->dup = (int16_t)dup;
	s->rdup = (int16_t)rdup;
	s->revp = 0;
	s->qi = -1;
	s->cr = *cr;
	s->frame = x->r->frames;
	s->ts = ph->ts;
	s->len = ph->len;
	s->caplen = 0;
	s->data = NULL;
	if (x->frames != NULL) {
		s->caplen = ph->caplen < x->snaplen ? ph->caplen : x->snaplen;
		s->data = x->frames + x->nslots * x->snaplen;
		memcpy(s->data, data, s->caplen);
	}
	s->zs = (int16_t)zs;
	s->zd = (int16_t)zd;
	s->frag = pi->frag;
	s->frag_id = pi->frag_id;
	s->frag_off = pi->frag_off;
	s->status = (uint8_t)st;
	s->opener = (uint8_t)pkt_is_opener(pi);
	s->q_opener = 0;
	s->quote = QUOTE_OK;
	s->l4 = pi->has_ports ? AUDIT_L4_PORTS : pi->has_icmp ? AUDIT_L4_ICMP :
	    AUDIT_L4_NONE;
	return s;
}

/* The own tuple of slot s, to classify: in keys[] (rdup: in dkeys[], and
 * classified in audit_flush if need be). */
static inline void
audit_slot_key(struct audit_ctx *x, struct slot *s, const struct pkt_info *pi)
{
	if (s->rdup >= 0) {
		s->k = &x->dkeys[x->nslots];
		s->ki = -1;
	} else {
		s->k = &x->keys[x->nk];
		s->ki = (int16_t)x->nk++;
	}
	memset(s->k, 0, sizeof(*s->k));
	s->k->family = pi->family;
	s->k->proto = pi->proto;
	s->k->in_zone = -1;
	s->k->out_zone = s->zd;		/* spares the classifier a lookup */
	memcpy(s->k->src, pi->src, 16);
	memcpy(s->k->dst, pi->dst, 16);
	if (x->zone >= 0 && s->zs == x->zone && pi->has_mac) {
		s->k->has_mac = 1;
		memcpy(s->k->src_mac, pi->src_mac, 6);
	}
	if (pi->has_ports) {
		s->k->sport = pi->sport;
		s->k->dport = pi->dport;
	} else if (pi->has_icmp) {
		s->k->sport = pi->icmp_id;
		s->k->dport = pi->icmp_type;
	}
}

/* What decides slot s: its tuple, its first fragment, or (an ICMP error)
 * the packet it quotes, read here. */
static inline void
audit_slot_kind(struct audit_ctx *x, struct slot *s, const uint8_t *data,
    uint32_t caplen, enum pkt_status st, const struct pkt_info *pi)
{
	if (st != PKT_OK)
		s->kind = SLOT_UNPARSED;
	else if (pi->frag == PKT_FRAG_LATER)
		s->kind = SLOT_LATER;
	else if (pi->has_icmp &&
	    audit_icmp_is_error(pi->family, pi->icmp_type)) {
		s->kind = SLOT_ICMP_ERROR;
		s->q = &x->qkeys[x->nq];
		if (audit_quote(data, caplen, pi, s->q, &s->q_opener) < 0) {
			s->quote = QUOTE_UNPARSABLE;
			*s->q = *s->k;		/* a key all the same */
		} else if (memcmp(s->q->src, pi->dst, 16) != 0)
			s->quote = QUOTE_NOT_SENT;
		else
			s->qi = (int16_t)x->nq;
		x->nq++;
	} else
		s->kind = SLOT_CLASSIFY;
}

/*
 * The next frames of the key of slot s wait for it; so do those of the
 * reversed key when the cache classifies it ahead (no capture zone,
 * ports) and it is not link scope.
 */
static inline void
audit_slot_wait(struct audit_ctx *x, struct slot *s,
    const struct pkt_info *pi)
{
	struct cref rc;

	if (s->cr.set < 0 || s->rdup >= 0)
		return;
	audit_cache_put(x, &s->cr, OUT_PENDING, (unsigned)x->nslots);
	if (x->zone < 0 && pi->has_ports &&
	    !audit_link_scope(pi->family, pi->dst, pi->src)) {
		audit_cref_reversed(&rc, s->k);
		s->revp = (uint8_t)audit_cache_put(x, &rc, OUT_PENDING_REV,
		    (unsigned)x->nslots);
	}
}

/*
 * A crossing into the batch: a frame of a pending key (dup) shares that
 * slot's key and verdicts; any other gets its own tuple, its kind and its
 * place in the cache.  A full batch is flushed.
 */
static inline void
audit_enqueue(struct audit_ctx *x, const struct pcap_pkthdr *ph,
    const uint8_t *data, enum pkt_status st, const struct pkt_info *pi,
    const struct cref *cr, int zs, int zd, int dup, int rdup)
{
	struct slot *s = audit_slot_new(x, ph, data, st, pi, cr, zs, zd, dup,
	    rdup);

	if (dup >= 0) {
		s->k = x->slots[dup].k;
		s->ki = x->slots[dup].ki;
		s->kind = SLOT_CLASSIFY;
	} else {
		audit_slot_key(x, s, pi);
		audit_slot_kind(x, s, data, ph->caplen, st, pi);
		audit_slot_wait(x, s, pi);
	}
	if (++x->nslots == ACL_BATCH)
		audit_flush(x);
}

/*
 * One frame.  The common frame (Ethernet, IPv4, TCP or UDP) without a
 * capture zone (no MAC in the key) is read and looked up in one go
 * (x->fast), and on a miss goes on as pkt_parse() would have read it;
 * any other is read by pkt_parse() and, in a stream with a flow table,
 * asked there first.  What the cache does not decide and crosses goes
 * into the batch.
 */
void
audit_frame(struct audit_ctx *x, const struct pcap_pkthdr *ph,
    const uint8_t *data)
{
	enum pkt_status st = PKT_OK;
	struct pkt_tuple4 t;
	struct pkt_info pi;
	struct cref cr;
	int zs, zd, dup = -1, rdup = -1;

	x->r->frames++;
	if (x->fast && pkt_fast4(data, ph->caplen, &t)) {
		x->r->ip_frames++;
		audit_cref_v4(&cr, t.src, t.dst, t.proto, t.sport, t.dport);
		if (audit_frame_cached(x, &cr, (t.proto == PROTO_TCP) &
		    ((t.tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) ==
		    PKT_TCP_SYN), &dup, &rdup))
			return;
		pkt_info_fast4(data, &t, &pi);
	} else {
		st = pkt_parse(data, ph->caplen, x->linktype, &pi);
		if (pi.family == 0) {
			if (st != PKT_NOT_IP)
				x->r->unparsed++;
			return;
		}
		x->r->ip_frames++;
		if (x->ft != NULL && audit_frame_known(x, ph, st, &pi))
			return;
		if (audit_frame_cref(x, st, &pi, &cr) &&
		    audit_frame_cached(x, &cr, (unsigned)pkt_is_opener(&pi),
		    &dup, &rdup))
			return;
	}
	if (audit_frame_zones(x, &pi, &cr, dup, rdup, &zs, &zd))
		audit_enqueue(x, ph, data, st, &pi, &cr, zs, zd, dup, rdup);
}

/* ---------------------------------------------------------------------
 * Streams: the live monitor's judge
 */

struct audit_stream {
	struct audit_ctx x;
};

struct audit_stream *
audit_stream_new(const struct policy *p, const struct classify *c,
    const struct audit_stream_opts *o, char *err, size_t errlen)
{
	struct audit_stream *st = calloc(1, sizeof(*st));
	struct audit_ctx *x;

	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	x = &st->x;
	if (!audit_read_linktype(o->linktype, &x->linktype)) {
		snprintf(err, errlen, "link type %d is not supported",
		    o->linktype);
		free(st);
		return NULL;
	}
	x->p = p;
	x->c = c;
	x->r = &x->own;
	x->own.linktype = o->linktype;
	x->zone = -1;
	x->cache_on = o->ft == NULL;
	x->maxv = o->max_violations ? o->max_violations : 4096;
	x->ft = o->ft;
	x->on_violation = o->on_violation;
	x->arg = o->arg;
	if (x->on_violation != NULL) {
		x->snaplen = o->snaplen ? o->snaplen : 65535;
		x->frames = calloc(ACL_BATCH, x->snaplen);
	}
	if ((x->on_violation != NULL && x->frames == NULL) ||
	    audit_ctx_init(x) < 0) {
		audit_ctx_release(x);
		free(st);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return st;
}

void
audit_stream_frame(struct audit_stream *st, const struct pcap_pkthdr *ph,
    const uint8_t *data)
{
	audit_frame(&st->x, ph, data);
}

void
audit_stream_flush(struct audit_stream *st)
{
	audit_flush(&st->x);
}

const struct audit_result *
audit_stream_result(const struct audit_stream *st)
{
	return &st->x.own;
}

void
audit_stream_free(struct audit_stream *st)
{
	if (st == NULL)
		return;
	audit_flush(&st->x);
	audit_ctx_release(&st->x);
	free(st->x.own.v);
	free(st);
}

/* ---------------------------------------------------------------------
 * The state of an audit
 */

int
audit_ctx_init(struct audit_ctx *x)
{
	x->fast = x->cache_on && x->zone < 0 &&
	    x->linktype == PKT_LINK_EN10MB;
	return audit_cache_init(x);
}

void
audit_ctx_release(struct audit_ctx *x)
{
	free(x->vh);
	free(x->frags);
	free(x->cache4);
	free(x->frames);
	x->vh = NULL;
	x->frags = NULL;
	x->cache4 = NULL;
	x->frames = NULL;
}
