/*
 * audit — a capture file against the policy classifier.  See audit.h for
 * what passes, what is a violation and the output formats.
 *
 * The loop: pcap_next_ex() gives a frame (a capture opened by
 * audit_cap_open(): see there for the reading), and the verdict cache is
 * asked first.  The common frame (Ethernet, IPv4, TCP or UDP, no capture
 * zone) is read by pkt_fast4() and looked up in one go, a cache line of the
 * IPv4 cache; others are read by pkt_parse().  A frame the cache does not
 * know gets a slot of the batch, which keeps what classification needs (the
 * frame itself is gone at the next read).  Every ACL_BATCH slots the batch
 * is flushed:
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
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <pcap/pcap.h>

#include "acl.h"
#include "addr.h"
#include "audit.h"
#include "flowtab.h"
#include "lint.h"
#include "pkt.h"
#include "textbuf.h"
#include "timefmt.h"

#define FRAG_SLOTS	4096	/* datagrams in reassembly at once */
#define FRAG_PROBE	8	/* linear probe window */
#define FRAG_TIMEOUT	30	/* seconds: Linux ipfrag_time */
#define VHASH_MIN	1024
#define AUDIT_READ_BUF	(256 * 1024)	/* stdio buffer of the capture */
#define AUDIT_CAP_TRIES	8	/* opens for a record buffer off a page end */
#define CACHE_SETS	1024	/* verdict cache: sets of CACHE_WAYS */
#define CACHE_WAYS	4
#define CACHE4_BITS	10	/* IPv4 cache: 1 << CACHE4_BITS lines */
#define CACHE4_OUT	40	/* IPv4 entry: the outcome's bit in word b */
#define CACHE4_USED	(1ULL << 63)	/* IPv4 entry: not empty */

enum slot_kind {
	SLOT_CLASSIFY = 0,	/* own tuple, then reversed */
	SLOT_ICMP_ERROR,	/* own tuple, then the quoted packet's */
	SLOT_LATER,		/* later fragment: its first fragment decides */
	SLOT_UNPARSED,		/* headers after IP cut or malformed */
};

enum quote_state {
	QUOTE_OK = 0,
	QUOTE_UNPARSABLE,	/* the quoted packet cannot be read */
	QUOTE_NOT_SENT,		/* quoted source is not the error's target */
};

enum outcome {
	OUT_PERMITTED = 1,
	OUT_REPLY,
	OUT_VIOLATION,
	OUT_INSIDE,		/* cache only: no crossing */
	OUT_LOCAL,		/* cache only: link scope */
	OUT_PENDING,		/* cache only: a slot of the batch has the
				 * key, its verdict comes at the flush */
	OUT_PENDING_REV,	/* cache only: a slot of the batch has the
				 * reversed key (see audit_flush) */
};

/*
 * What decides the verdict of a whole frame (not a fragment, not an ICMP
 * error): its tuple and, with a capture zone, its source MAC.  Whether it
 * opens a connection is not in the key: the classifier does not see it,
 * and it only turns a reply into a violation (see audit_cache_get).
 *
 * Six words, built in registers and stored whole: a key written field by
 * field and read back as words costs a failed store-to-load forwarding.
 *   w[0], w[1]  source address (IPv4: the first four bytes, the rest 0)
 *   w[2], w[3]  destination address
 *   w[4]        sport | dport << 16 | family << 32 | proto << 40 |
 *               has_mac << 48
 *   w[5]        the source MAC (has_mac), else 0
 */
struct ckey {
	uint64_t w[6];
};

/* A set of the verdict cache: tags (the key's hash, 0 empty) first, so
 * that a lookup reads one cache line and one key.  Ways are replaced in
 * turn. */
struct cset {
	uint32_t tag[CACHE_WAYS];
	uint8_t out[CACHE_WAYS];	/* enum outcome */
	uint8_t slot[CACHE_WAYS];	/* OUT_PENDING: the slot */
	uint8_t next;			/* the way to replace next */
	struct ckey k[CACHE_WAYS];
};

/*
 * The IPv4 cache, for frames whose key has no MAC (no capture zone): the
 * whole key and the outcome in two words,
 *   a = source | destination << 32 (as the four bytes load),
 *   b = sport | dport << 16 | proto << 32 | outcome << CACHE4_OUT |
 *       slot << (CACHE4_OUT + 8) (OUT_PENDING) | CACHE4_USED,
 * and four of them a cache line, the newest first: a lookup reads one
 * line (the sets above read three), and 64 KiB hold 4096 flows.
 */
struct c4set {
	uint64_t e[4][2];
};

/* Where the outcome of a frame is looked up and stored. */
struct cref {
	int32_t set;		/* -1: not cacheable */
	uint8_t v4;		/* in the IPv4 cache: k.w[0] is a, k.w[1] b */
	uint32_t tag;		/* else: the tag in cache[set] */
	struct ckey k;
};

struct slot {
	uint64_t frame;
	struct timeval ts;
	uint32_t len;
	uint8_t kind;		/* enum slot_kind */
	uint8_t opener;
	uint8_t frag;		/* enum pkt_frag */
	uint8_t l4;		/* enum audit_l4 of the own tuple */
	uint8_t status;		/* enum pkt_status (SLOT_UNPARSED) */
	uint8_t quote;		/* enum quote_state (SLOT_ICMP_ERROR) */
	uint8_t q_opener;
	int16_t zs, zd;
	int16_t ki, qi, ri;	/* into keys/verd and rkeys/rverd, or -1 */
	int16_t si;		/* the reversed tuple, classified ahead in
				 * rkeys/rverd for the cache, or -1 */
	int16_t dup;		/* an earlier slot of the batch with the
				 * same cache key (its key, its verdicts),
				 * or -1 */
	int16_t rdup;		/* an earlier slot of the batch with the
				 * reversed cache key, or -1 (see
				 * audit_flush) */
	uint8_t revp;		/* the reversed key is OUT_PENDING_REV of
				 * this slot */
	const struct classify_verdict *v, *rv;	/* own tuple, reversed */
	struct cref cr;		/* the frame's place in the verdict cache */
	uint16_t frag_off;
	uint32_t frag_id;
	struct classify_pkt *k;	/* own tuple: keys[ki], its dup twin's, or
				 * (rdup) dkeys[] of the slot's index */
	struct classify_pkt *q;	/* ICMP error: the quoted packet, qkeys[] */
	uint32_t caplen;	/* streams with a callback: the frame, copied */
	uint8_t *data;
};

struct frag_ent {
	uint8_t used;
	uint8_t family;
	uint8_t kproto;		/* protocol in the key (0 for IPv6) */
	uint8_t outcome;	/* enum outcome */
	uint32_t id;
	uint8_t src[16], dst[16];
	time_t sec;		/* time of the first fragment */
	uint64_t frame;		/* its number */
	/* the flow the first fragment was counted in (violations) */
	uint8_t proto, l4, reason;
	uint16_t sport, dport;
};

struct audit_ctx {
	const struct policy *p;
	const struct classify *c;
	struct audit_result *r;
	int zone;
	int linktype;
	int cache_on;
	int fast;		/* pkt_fast4() frames first (see audit_frame) */
	size_t maxv, capv;
	uint32_t *vh;		/* flow hash: index into r->v + 1, 0 empty */
	size_t vhcap;		/* a power of two */
	struct frag_ent *frags;	/* FRAG_SLOTS, allocated at first use */
	int oom;
	size_t nslots;
	size_t nk;		/* keys[] in use: slots but dup ones */
	struct cset cache[CACHE_SETS];
	uint64_t *count[OUT_LOCAL + 1];	/* a cache hit's counter */
	uint64_t inside;		/* count[OUT_INSIDE]: none */
	struct c4set *cache4;	/* 1 << CACHE4_BITS, cache line aligned */
	struct slot slots[ACL_BATCH];
	size_t nq;
	struct classify_pkt keys[ACL_BATCH];	/* slot s: keys[s->ki] */
	struct classify_pkt dkeys[ACL_BATCH];	/* slot i with rdup: its
						 * own tuple */
	struct classify_verdict verd[ACL_BATCH];
	struct classify_pkt qkeys[ACL_BATCH];	/* quoted packets */
	struct classify_verdict qverd[ACL_BATCH];
	struct classify_pkt rkeys[ACL_BATCH];	/* reversed tuples */
	struct classify_verdict rverd[ACL_BATCH];
	/* streams */
	audit_violation_fn on_violation;
	void *arg;
	struct flowtab *ft;	/* connections that passed, or NULL */
	uint32_t snaplen;	/* bytes of a frame kept for the callback */
	uint8_t *frames;	/* ACL_BATCH * snaplen */
	struct audit_result own;	/* a stream's counters */
};

const char *
audit_reason_str(uint8_t reason)
{
	switch (reason) {
	case AUDIT_REASON_FRAG_ORPHAN:
		return "fragment-orphan";
	case AUDIT_REASON_UNPARSED:
		return "unparsed";
	case AUDIT_REASON_ICMP_ERROR:
		return "icmp-error";
	}
	return classify_reason_str((enum classify_reason)reason);
}

/* ---------------------------------------------------------------------
 * Small helpers
 */

static uint64_t
audit_mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static uint64_t
audit_hash_addrs(uint64_t h, const uint8_t src[16], const uint8_t dst[16])
{
	uint64_t w[4];

	memcpy(&w[0], src, 8);
	memcpy(&w[1], src + 8, 8);
	memcpy(&w[2], dst, 8);
	memcpy(&w[3], dst + 8, 8);
	for (int i = 0; i < 4; i++)
		h = audit_mix(h, w[i]);
	return h;
}

static int
audit_is_icmp(int family, int proto)
{
	return (family == ADDR_V4 && proto == PROTO_ICMP) ||
	    (family == ADDR_V6 && proto == PROTO_ICMPV6);
}

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

/* ---------------------------------------------------------------------
 * Violating flows
 */

static uint64_t
audit_vhash(int family, int proto, int l4, uint16_t sport, uint16_t dport,
    const uint8_t src[16], const uint8_t dst[16])
{
	uint64_t h = (uint64_t)family << 56 | (uint64_t)proto << 48 |
	    (uint64_t)l4 << 40 | (uint64_t)sport << 16 | dport;

	return audit_hash_addrs(audit_mix(0x51ed27a3c9b1e5f7ULL, h), src, dst);
}

static int
audit_vgrow(struct audit_ctx *x)
{
	size_t cap = x->vhcap ? x->vhcap * 2 : VHASH_MIN;
	uint32_t *t = calloc(cap, sizeof(*t));

	if (t == NULL)
		return -1;
	for (size_t i = 0; i < x->r->nv; i++) {
		const struct audit_violation *v = &x->r->v[i];
		size_t j = audit_vhash(v->family, v->proto, v->l4, v->sport,
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

/*
 * Count one violating frame of slot s in the flow of tuple t.  Returns the
 * new flow when this frame opened it (the caller writes its explanation),
 * else NULL; *flow is the flow it was counted in (NULL when unlisted).
 */
static struct audit_violation *
audit_violate(struct audit_ctx *x, const struct slot *s,
    const struct classify_pkt *t, uint8_t l4, uint8_t reason,
    struct audit_violation **flow)
{
	struct audit_result *r = x->r;
	struct audit_violation *v;
	size_t j;

	*flow = NULL;
	r->violating++;
	if (x->vhcap == 0 && audit_vgrow(x) < 0)
		goto oom;
	j = audit_vhash(t->family, t->proto, l4, t->sport, t->dport, t->src,
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
	x->vh[j] = (uint32_t)++r->nv;
	*flow = v;
	if (r->nv * 2 > x->vhcap && audit_vgrow(x) < 0)
		goto oom;
	return v;
oom:
	x->oom = 1;
	return NULL;
}

/* ---------------------------------------------------------------------
 * Fragments
 */

static size_t
audit_frag_slot(int family, int kproto, uint32_t id, const uint8_t src[16],
    const uint8_t dst[16])
{
	uint64_t h = audit_mix(0x2545f4914f6cdd1dULL,
	    (uint64_t)family << 40 | (uint64_t)kproto << 32 | id);

	return audit_hash_addrs(h, src, dst) & (FRAG_SLOTS - 1);
}

static int
audit_frag_match(const struct frag_ent *e, int family, int kproto,
    uint32_t id, const struct classify_pkt *k)
{
	return e->used && e->family == family && e->kproto == kproto &&
	    e->id == id && memcmp(e->src, k->src, 16) == 0 &&
	    memcmp(e->dst, k->dst, 16) == 0;
}

/* Record the verdict of a first fragment: in its own slot if the datagram
 * is there already, else in a free or expired one, else over the oldest. */
static void
audit_frag_record(struct audit_ctx *x, const struct slot *s,
    enum outcome out, const struct classify_pkt *t, uint8_t l4,
    uint8_t reason)
{
	int kproto = s->k->family == ADDR_V6 ? 0 : s->k->proto;
	size_t h, best = SIZE_MAX;
	struct frag_ent *e;

	if (x->frags == NULL &&
	    (x->frags = calloc(FRAG_SLOTS, sizeof(*x->frags))) == NULL) {
		x->oom = 1;
		return;
	}
	h = audit_frag_slot(s->k->family, kproto, s->frag_id, s->k->src,
	    s->k->dst);
	for (size_t i = 0; i < FRAG_PROBE; i++) {
		size_t j = (h + i) & (FRAG_SLOTS - 1);
		e = &x->frags[j];
		if (audit_frag_match(e, s->k->family, kproto, s->frag_id,
		    s->k)) {
			best = j;
			break;
		}
		if (!e->used || e->sec + FRAG_TIMEOUT < s->ts.tv_sec) {
			if (best == SIZE_MAX || x->frags[best].used)
				best = j;
		} else if (best == SIZE_MAX || (x->frags[best].used &&
		    e->frame < x->frags[best].frame))
			best = j;
	}
	e = &x->frags[best];
	e->used = 1;
	e->family = s->k->family;
	e->kproto = (uint8_t)kproto;
	e->outcome = (uint8_t)out;
	e->id = s->frag_id;
	memcpy(e->src, s->k->src, 16);
	memcpy(e->dst, s->k->dst, 16);
	e->sec = s->ts.tv_sec;
	e->frame = s->frame;
	e->proto = t->proto;
	e->l4 = l4;
	e->reason = reason;
	e->sport = t->sport;
	e->dport = t->dport;
}

static const struct frag_ent *
audit_frag_find(const struct audit_ctx *x, const struct slot *s)
{
	int kproto = s->k->family == ADDR_V6 ? 0 : s->k->proto;
	size_t h;

	if (x->frags == NULL)
		return NULL;
	h = audit_frag_slot(s->k->family, kproto, s->frag_id, s->k->src,
	    s->k->dst);
	for (size_t i = 0; i < FRAG_PROBE; i++) {
		const struct frag_ent *e = &x->frags[(h + i) & (FRAG_SLOTS - 1)];
		if (audit_frag_match(e, s->k->family, kproto, s->frag_id,
		    s->k))
			return e->sec + FRAG_TIMEOUT >= s->ts.tv_sec ? e : NULL;
	}
	return NULL;
}

/* ---------------------------------------------------------------------
 * The batch
 */

static const char *
audit_tuple_text(const struct classify_pkt *k, char *buf, size_t len)
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
audit_explain(struct audit_ctx *x, const struct slot *s,
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
			    audit_tuple_text(s->q, tx, sizeof(tx)));
		else
			snprintf(av->explain, sizeof(av->explain), "ICMP error "
			    "quoting %s, which no flow permits either way",
			    audit_tuple_text(s->q, tx, sizeof(tx)));
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

/* Tell a stream's caller about a violating frame. */
static void
audit_notify(struct audit_ctx *x, const struct slot *s,
    const struct classify_pkt *t, uint8_t l4, uint8_t reason,
    const struct classify_verdict *v, const struct classify_verdict *rv,
    const struct frag_ent *fe, struct audit_violation *flow, bool first)
{
	struct audit_violation tmp;

	if (flow == NULL) {	/* unlisted: describe this frame alone */
		memset(&tmp, 0, sizeof(tmp));
		tmp.first_frame = tmp.last_frame = s->frame;
		tmp.first_ts = tmp.last_ts = s->ts;
		tmp.frames = 1;
		tmp.bytes = s->len;
		tmp.family = t->family;
		tmp.proto = t->proto;
		memcpy(tmp.src, t->src, 16);
		memcpy(tmp.dst, t->dst, 16);
		tmp.sport = t->sport;
		tmp.dport = t->dport;
		tmp.l4 = l4;
		tmp.from_zone = s->zs;
		tmp.to_zone = s->zd;
		tmp.reason = reason;
		audit_explain(x, s, v, rv, fe, &tmp);
		flow = &tmp;
	}
	x->on_violation(x->arg, flow, first, s->data, s->caplen, &s->ts,
	    s->len);
}

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
	struct audit_violation *av, *flow;
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
		if ((av = audit_violate(x, s, &t, l4, reason, &flow)) != NULL)
			audit_explain(x, s, v, rv, fe, av);
		if (x->on_violation)
			audit_notify(x, s, &t, l4, reason, v, rv, fe, flow,
			    av != NULL);
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
static void
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

static void
audit_frame(struct audit_ctx *x, const struct pcap_pkthdr *ph,
    const uint8_t *data)
{
	struct audit_result *r = x->r;
	struct pkt_tuple4 t;
	struct pkt_info pi;
	enum pkt_status st;
	struct cref cr;
	struct slot *s;
	unsigned out = 0, hit = 0, opener;
	int zs, zd, dup = -1, rdup = -1, fast = 0;

	/*
	 * The common frame (Ethernet, IPv4, TCP or UDP) without a capture
	 * zone (no MAC in the key): read and looked up in one go, and on a
	 * miss given to the path below as pkt_parse() would have.
	 */
	if (x->fast && pkt_fast4(data, ph->caplen, &t)) {
		r->frames++;
		r->ip_frames++;
		audit_cref_v4(&cr, t.src, t.dst, t.proto, t.sport, t.dport);
		hit = audit_cache_get(x, &cr);
		opener = (t.proto == PROTO_TCP) & ((t.tcp_flags &
		    (PKT_TCP_SYN | PKT_TCP_ACK)) == PKT_TCP_SYN);
		st = PKT_OK;
		fast = 1;
		goto cached;
	}

	r->frames++;
	st = pkt_parse(data, ph->caplen, x->linktype, &pi);
	if (pi.family == 0) {
		if (st != PKT_NOT_IP)
			r->unparsed++;
		return;
	}
	r->ip_frames++;

	/* A stream's flow table: the frames of a connection that passed. */
	if (x->ft != NULL && st == PKT_OK && pi.frag == PKT_FRAG_NONE &&
	    (pi.has_ports || pi.has_icmp) &&
	    !(pi.has_icmp && audit_icmp_is_error(pi.family, pi.icmp_type))) {
		struct flowtab_key fk;
		bool reply;
		memset(&fk, 0, sizeof(fk));
		fk.family = pi.family;
		fk.proto = pi.proto;
		fk.sport = pi.has_ports ? pi.sport : pi.icmp_id;
		fk.dport = pi.has_ports ? pi.dport : pi.icmp_type;
		memcpy(fk.src, pi.src, 16);
		memcpy(fk.dst, pi.dst, 16);
		if (flowtab_find(x->ft, &fk, audit_ms(&ph->ts), &reply) >= 0 &&
		    !(reply && pkt_is_opener(&pi))) {
			r->crossings++;
			if (reply)
				r->replies++;
			else
				r->permitted++;
			return;
		}
	}

	/*
	 * A frame of a flow that passed a moment ago passes again: whole
	 * frames (not fragments, not ICMP errors) only.
	 */
	cr.set = -1;
	if (!x->cache_on || st != PKT_OK || pi.frag != PKT_FRAG_NONE ||
	    (pi.has_icmp && audit_icmp_is_error(pi.family, pi.icmp_type)))
		goto uncached;
	audit_cref_make(&cr, pi.family, pi.proto, pi.src, pi.dst,
	    pi.has_ports ? pi.sport : pi.icmp_id,
	    pi.has_ports ? pi.dport : pi.icmp_type,
	    x->zone >= 0 && pi.has_mac ? pi.src_mac : NULL);
	hit = audit_cache_get(x, &cr);
	opener = (unsigned)pkt_is_opener(&pi);
cached:
	/*
	 * The opener is not in the key: the classifier's verdict is the same
	 * for a SYN, so a flow permitted as it is lets its SYN pass too, but
	 * a SYN is never a reply (it takes the full path, and fails there):
	 * out = 0 then, without a branch.
	 */
	out = hit & 0xff;
	out &= -(unsigned)!((out == OUT_REPLY) & opener);
	if (out != 0 && out < OUT_PENDING) {
		/*
		 * Without branches on the outcome (permitted and replies
		 * alternate), and one counter at a time: two neighbours added
		 * as one vector would be read back whole after single stores,
		 * which cannot forward.
		 */
		r->crossings += out <= OUT_REPLY;
		(*x->count[out])++;
		return;
	}
	if (out == OUT_PENDING)
		dup = (int)(hit >> 8);
	else if (out == OUT_PENDING_REV)
		rdup = (int)(hit >> 8);
	if (fast)	/* as pkt_parse() would have read it */
		pkt_info_fast4(data, &t, &pi);
uncached:
	if (dup >= 0) {
		/* A frame of the same key waits in the batch: the same
		 * zones, the same verdicts, no classification of its own. */
		zs = x->slots[dup].zs;
		zd = x->slots[dup].zd;
	} else if (rdup >= 0) {
		/* One of the reversed key: the zones swapped.  Its
		 * addresses are not link scope (see below). */
		zs = x->slots[rdup].zd;
		zd = x->slots[rdup].zs;
	} else {
		zs = classify_zone_of(x->c, pi.family, pi.src);
		zd = classify_zone_of(x->c, pi.family, pi.dst);
		if (zs == zd) {
			if (cr.set >= 0)
				audit_cache_put(x, &cr, OUT_INSIDE, 0);
			return;
		}
		if (audit_link_scope(pi.family, pi.src, pi.dst)) {
			r->local++;
			if (cr.set >= 0)
				audit_cache_put(x, &cr, OUT_LOCAL, 0);
			return;
		}
	}
	r->crossings++;

	s = &x->slots[x->nslots];
	s->dup = (int16_t)dup;
	s->rdup = (int16_t)rdup;
	s->revp = 0;
	s->qi = -1;
	s->cr = cr;
	s->frame = r->frames;
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
	s->frag = pi.frag;
	s->frag_id = pi.frag_id;
	s->frag_off = pi.frag_off;
	s->status = (uint8_t)st;
	s->opener = (uint8_t)pkt_is_opener(&pi);
	s->q_opener = 0;
	s->quote = QUOTE_OK;
	s->l4 = pi.has_ports ? AUDIT_L4_PORTS : pi.has_icmp ? AUDIT_L4_ICMP :
	    AUDIT_L4_NONE;
	if (dup >= 0) {
		s->k = x->slots[dup].k;
		s->ki = x->slots[dup].ki;
		s->kind = SLOT_CLASSIFY;
		if (++x->nslots == ACL_BATCH)
			audit_flush(x);
		return;
	}
	if (rdup >= 0) {	/* classified in audit_flush if need be */
		s->k = &x->dkeys[x->nslots];
		s->ki = -1;
	} else {
		s->k = &x->keys[x->nk];
		s->ki = (int16_t)x->nk++;
	}
	memset(s->k, 0, sizeof(*s->k));
	s->k->family = pi.family;
	s->k->proto = pi.proto;
	s->k->in_zone = -1;
	s->k->out_zone = (int16_t)zd;	/* spares the classifier a lookup */
	memcpy(s->k->src, pi.src, 16);
	memcpy(s->k->dst, pi.dst, 16);
	if (x->zone >= 0 && zs == x->zone && pi.has_mac) {
		s->k->has_mac = 1;
		memcpy(s->k->src_mac, pi.src_mac, 6);
	}
	if (pi.has_ports) {
		s->k->sport = pi.sport;
		s->k->dport = pi.dport;
	} else if (pi.has_icmp) {
		s->k->sport = pi.icmp_id;
		s->k->dport = pi.icmp_type;
	}

	if (st != PKT_OK)
		s->kind = SLOT_UNPARSED;
	else if (pi.frag == PKT_FRAG_LATER)
		s->kind = SLOT_LATER;
	else if (pi.has_icmp && audit_icmp_is_error(pi.family, pi.icmp_type)) {
		s->kind = SLOT_ICMP_ERROR;
		s->q = &x->qkeys[x->nq];
		if (audit_quote(data, ph->caplen, &pi, s->q,
		    &s->q_opener) < 0) {
			s->quote = QUOTE_UNPARSABLE;
			*s->q = *s->k;		/* a key all the same */
		} else if (memcmp(s->q->src, pi.dst, 16) != 0)
			s->quote = QUOTE_NOT_SENT;
		else
			s->qi = (int16_t)x->nq;
		x->nq++;
	} else
		s->kind = SLOT_CLASSIFY;

	/*
	 * The next frames of the key wait for this one; so do those of the
	 * reversed key when the cache classifies it ahead (no capture zone,
	 * ports) and it is not link scope.
	 */
	if (cr.set >= 0 && rdup < 0) {
		audit_cache_put(x, &cr, OUT_PENDING, (unsigned)x->nslots);
		if (x->zone < 0 && pi.has_ports &&
		    !audit_link_scope(pi.family, pi.dst, pi.src)) {
			struct cref rc;
			audit_cref_reversed(&rc, s->k);
			s->revp = (uint8_t)audit_cache_put(x, &rc,
			    OUT_PENDING_REV, (unsigned)x->nslots);
		}
	}
	if (++x->nslots == ACL_BATCH)
		audit_flush(x);
}

/* ---------------------------------------------------------------------
 * The file
 */

static int
audit_link_ok(int dlt, int *linktype)
{
	switch (dlt) {
	case DLT_RAW:		/* 12 (14 on OpenBSD): LINKTYPE_RAW in files */
	case PKT_LINK_RAW:
		*linktype = PKT_LINK_RAW;
		return 1;
	case PKT_LINK_EN10MB:
	case PKT_LINK_LINUX_SLL:
	case PKT_LINK_LINUX_SLL2:
	case PKT_LINK_IPV4:
	case PKT_LINK_IPV6:
		*linktype = dlt;
		return 1;
	}
	return 0;
}

/*
 * One open of the capture: a FILE of our own with stdio locking off (libpcap
 * reads with two fread() calls a record, and stdio would lock the FILE on
 * each: four atomic operations a frame, which would cost more than the
 * classification) and a buffer of AUDIT_READ_BUF (setvbuf() without a
 * buffer keeps glibc's 4 KiB: a read() every 45 frames), then the first
 * record.
 */
static int
audit_cap_open1(struct audit_cap *cap, const char *path, char *ebuf)
{
	FILE *fp;

	int e;

	memset(cap, 0, sizeof(*cap));
	ebuf[0] = '\0';
	if ((cap->iobuf = malloc(AUDIT_READ_BUF)) == NULL ||
	    (fp = fopen(path, "rb")) == NULL) {
		e = errno;
		free(cap->iobuf);
		cap->iobuf = NULL;
		errno = e;
		return -1;
	}
	__fsetlocking(fp, FSETLOCKING_BYCALLER);
	setvbuf(fp, cap->iobuf, _IOFBF, AUDIT_READ_BUF);
	if ((cap->h = pcap_fopen_offline(fp, ebuf)) == NULL) {
		fclose(fp);
		free(cap->iobuf);
		cap->iobuf = NULL;
		if (ebuf[0] == '\0')
			snprintf(ebuf, PCAP_ERRBUF_SIZE, "cannot read");
		return -1;
	}
	cap->rc = pcap_next_ex(cap->h, &cap->ph, &cap->data);
	return 0;
}

/*
 * libpcap copies every record into one buffer of its own, malloc()ed at the
 * open (2 KiB while the records fit).  Where it lands is the heap's
 * business; but a record copied across a page boundary costs some 50
 * cycles more on this hardware (split stores; measured: 12 to 16 ns a copy
 * against 1.5 to 4 off a page end), about as much as the rest of the
 * audit of that frame.  So when the first record sits in the second half
 * of a page, the capture is opened again, the first open held so that the
 * buffer lands elsewhere, up to AUDIT_CAP_TRIES times (regular files only:
 * a pipe cannot be read twice).  Records over 2 KiB make libpcap reallocate
 * it, which nobody places.
 */
int
audit_cap_open(struct audit_cap *cap, const char *path, char *ebuf)
{
	struct audit_cap held[AUDIT_CAP_TRIES];
	struct stat sb;
	size_t n = 0;

	for (;;) {
		if (audit_cap_open1(cap, path, ebuf) < 0) {
			if (n == 0)
				return -1;
			*cap = held[--n];	/* gone meanwhile: keep one */
			break;
		}
		if (cap->rc != 1 || ((uintptr_t)cap->data & 4095) <= 2048 ||
		    n == AUDIT_CAP_TRIES - 1 ||
		    fstat(fileno(pcap_file(cap->h)), &sb) < 0 ||
		    !S_ISREG(sb.st_mode))
			break;
		held[n++] = *cap;
	}
	while (n > 0)
		audit_cap_close(&held[--n]);
	return 0;
}

void
audit_cap_close(struct audit_cap *cap)
{
	if (cap->h != NULL)
		pcap_close(cap->h);	/* and the FILE */
	free(cap->iobuf);
	memset(cap, 0, sizeof(*cap));
}

int
audit_file(const char *path, const struct policy *p,
    const struct classify *c, const struct audit_opts *o,
    struct audit_result *r, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct audit_cap cap;
	struct audit_ctx *x;
	struct pcap_pkthdr *ph;
	const u_char *data;
	const char *dname;
	pcap_t *h;
	int rc, ret = 0;

	memset(r, 0, sizeof(*r));
	if ((r->file = strdup(path)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (o != NULL && o->zone >= 0 && (size_t)o->zone >= p->nzones) {
		snprintf(err, errlen, "zone %d out of range", o->zone);
		return -1;
	}
	if (audit_cap_open(&cap, path, ebuf) < 0) {
		if (ebuf[0] == '\0')
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		else if (strstr(ebuf, path) != NULL)
			snprintf(err, errlen, "%s", ebuf);
		else
			snprintf(err, errlen, "%s: %s", path, ebuf);
		return -1;
	}
	h = cap.h;
	r->linktype = pcap_datalink(h);
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		audit_cap_close(&cap);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (!audit_link_ok(r->linktype, &x->linktype)) {
		dname = pcap_datalink_val_to_name(r->linktype);
		snprintf(err, errlen, "%s: link type %d%s%s%s is not "
		    "supported (Ethernet, Linux cooked, raw IP)", path,
		    r->linktype, dname ? " (" : "", dname ? dname : "",
		    dname ? ")" : "");
		free(x);
		audit_cap_close(&cap);
		return -1;
	}
	x->p = p;
	x->c = c;
	x->r = r;
	x->zone = o != NULL ? o->zone : -1;
	x->cache_on = o == NULL || !o->no_cache;
	x->maxv = o != NULL && o->max_violations > 0 ? o->max_violations :
	    AUDIT_DEFAULT_MAX_VIOLATIONS;
	x->fast = x->cache_on && x->zone < 0 &&
	    x->linktype == PKT_LINK_EN10MB;
	if (audit_cache_init(x) < 0) {
		free(x);
		audit_cap_close(&cap);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}

	for (rc = cap.rc, ph = cap.ph, data = cap.data; rc == 1;
	    rc = pcap_next_ex(h, &ph, &data)) {
		audit_frame(x, ph, data);
		if (x->oom)
			break;
	}
	audit_flush(x);
	if (x->oom) {
		snprintf(err, errlen, "%s: frame %llu: out of memory", path,
		    (unsigned long long)r->frames);
		ret = -1;
	} else if (rc != PCAP_ERROR_BREAK) {
		const char *msg = rc == PCAP_ERROR ? pcap_geterr(h) :
		    "unexpected end of reading";
		snprintf(err, errlen, "%s: frame %llu: %s record (%s)", path,
		    (unsigned long long)r->frames + 1,
		    strstr(msg, "truncated") ? "truncated" : "corrupt", msg);
		ret = -1;
	}
	free(x->vh);
	free(x->frags);
	free(x->cache4);
	free(x);
	audit_cap_close(&cap);
	return ret;
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
	if (!audit_link_ok(o->linktype, &x->linktype)) {
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
	x->fast = x->cache_on && x->linktype == PKT_LINK_EN10MB;
	x->maxv = o->max_violations ? o->max_violations : 4096;
	x->ft = o->ft;
	x->on_violation = o->on_violation;
	x->arg = o->arg;
	if (audit_cache_init(x) < 0) {
		free(st);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (x->on_violation != NULL) {
		x->snaplen = o->snaplen ? o->snaplen : 65535;
		if ((x->frames = calloc(ACL_BATCH, x->snaplen)) == NULL) {
			free(x->cache4);
			free(st);
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
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
	free(st->x.vh);
	free(st->x.frags);
	free(st->x.cache4);
	free(st->x.frames);
	free(st->x.own.v);
	free(st);
}

void
audit_result_free(struct audit_result *r)
{
	if (r == NULL)
		return;
	free(r->file);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* ---------------------------------------------------------------------
 * Output
 */

static const char *
audit_zone_name(const struct policy *p, int z)
{
	return z >= 0 && (size_t)z < p->nzones ? p->zones[z].name : NULL;
}

static void
audit_endpoint(const struct audit_violation *v, const uint8_t a[16],
    uint16_t port, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN];

	addr_format_ip(v->family, a, s, sizeof(s));
	if (v->l4 != AUDIT_L4_PORTS)
		snprintf(buf, len, "%s", s);
	else if (v->family == ADDR_V6)
		snprintf(buf, len, "[%s]:%u", s, port);
	else
		snprintf(buf, len, "%s:%u", s, port);
}

void
audit_format_violation(const struct audit_violation *v,
    const struct policy *p, char *buf, size_t len)
{
	char t1[64], t2[64], src[INET6_ADDRSTRLEN + 8],
	    dst[INET6_ADDRSTRLEN + 8], icmp[32];
	const char *zf = audit_zone_name(p, v->from_zone),
	    *zt = audit_zone_name(p, v->to_zone);

	timefmt_local_usec(v->first_ts.tv_sec, v->first_ts.tv_usec, t1,
	    sizeof(t1));
	timefmt_local_usec(v->last_ts.tv_sec, v->last_ts.tv_usec, t2,
	    sizeof(t2));
	audit_endpoint(v, v->src, v->sport, src, sizeof(src));
	audit_endpoint(v, v->dst, v->dport, dst, sizeof(dst));
	icmp[0] = '\0';
	if (v->l4 == AUDIT_L4_ICMP)
		snprintf(icmp, sizeof(icmp), " type %u id %u", v->dport,
		    v->sport);
	snprintf(buf, len, "frames %llu-%llu %s..%s count %llu bytes %llu "
	    "%s %s -> %s%s %s -> %s: %s: %s",
	    (unsigned long long)v->first_frame,
	    (unsigned long long)v->last_frame, t1, t2,
	    (unsigned long long)v->frames, (unsigned long long)v->bytes,
	    policy_proto_str(v->proto, false), src, dst, icmp,
	    zf ? zf : "-", zt ? zt : "-", audit_reason_str(v->reason),
	    v->explain);
}

void
audit_print(const struct audit_result *r, const struct policy *p, FILE *fp)
{
	char line[1024];

	for (size_t i = 0; i < r->nv; i++) {
		audit_format_violation(&r->v[i], p, line, sizeof(line));
		fprintf(fp, "%s\n", line);
	}
	fprintf(fp, "%llu frames, %llu crossings, %zu violations "
	    "(%llu frames)", (unsigned long long)r->frames,
	    (unsigned long long)r->crossings, r->nv,
	    (unsigned long long)r->violating);
	if (r->truncated_list)
		fprintf(fp, ", list truncated at %zu flows", r->nv);
	if (r->unparsed > 0)
		fprintf(fp, ", %llu frames not parsed",
		    (unsigned long long)r->unparsed);
	fputc('\n', fp);
}

static json_t *
audit_json_zone(const struct policy *p, int z)
{
	const char *n = audit_zone_name(p, z);

	return n ? json_string(n) : json_null();
}

json_t *
audit_json(const struct audit_result *r, const struct policy *p)
{
	json_t *o, *a, *e;
	char t[64], addr[INET6_ADDRSTRLEN];

	if ((o = json_object()) == NULL || (a = json_array()) == NULL) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "file", r->file ? json_string(r->file) :
	    json_null());
	json_object_set_new(o, "linktype", json_integer(r->linktype));
	json_object_set_new(o, "frames", json_integer((json_int_t)r->frames));
	json_object_set_new(o, "ip_frames",
	    json_integer((json_int_t)r->ip_frames));
	json_object_set_new(o, "crossings",
	    json_integer((json_int_t)r->crossings));
	json_object_set_new(o, "permitted",
	    json_integer((json_int_t)r->permitted));
	json_object_set_new(o, "replies",
	    json_integer((json_int_t)r->replies));
	json_object_set_new(o, "local", json_integer((json_int_t)r->local));
	json_object_set_new(o, "unparsed",
	    json_integer((json_int_t)r->unparsed));
	json_object_set_new(o, "violating_frames",
	    json_integer((json_int_t)r->violating));
	for (size_t i = 0; i < r->nv; i++) {
		const struct audit_violation *v = &r->v[i];
		int ports = v->l4 != AUDIT_L4_NONE;

		if ((e = json_object()) == NULL)
			goto fail;
		json_object_set_new(e, "first_frame",
		    json_integer((json_int_t)v->first_frame));
		json_object_set_new(e, "last_frame",
		    json_integer((json_int_t)v->last_frame));
		timefmt_local_usec(v->first_ts.tv_sec, v->first_ts.tv_usec, t,
		    sizeof(t));
		json_object_set_new(e, "first_time", json_string(t));
		timefmt_local_usec(v->last_ts.tv_sec, v->last_ts.tv_usec, t,
		    sizeof(t));
		json_object_set_new(e, "last_time", json_string(t));
		json_object_set_new(e, "frames",
		    json_integer((json_int_t)v->frames));
		json_object_set_new(e, "bytes",
		    json_integer((json_int_t)v->bytes));
		json_object_set_new(e, "proto",
		    json_string(policy_proto_str(v->proto, false)));
		json_object_set_new(e, "src", json_string(addr_format_ip(
		    v->family, v->src, addr, sizeof(addr))));
		json_object_set_new(e, "sport", ports ?
		    json_integer(v->sport) : json_null());
		json_object_set_new(e, "dst", json_string(addr_format_ip(
		    v->family, v->dst, addr, sizeof(addr))));
		json_object_set_new(e, "dport", ports ?
		    json_integer(v->dport) : json_null());
		json_object_set_new(e, "from_zone",
		    audit_json_zone(p, v->from_zone));
		json_object_set_new(e, "to_zone",
		    audit_json_zone(p, v->to_zone));
		json_object_set_new(e, "reason",
		    json_string(audit_reason_str(v->reason)));
		json_object_set_new(e, "explain", json_string(v->explain));
		if (json_array_append_new(a, e) < 0)
			goto fail;
	}
	json_object_set_new(o, "violations", a);
	json_object_set_new(o, "truncated", json_boolean(r->truncated_list));
	return o;
fail:
	json_decref(a);
	json_decref(o);
	return NULL;
}

int
audit_run(const char *capture, const char *policy_file, const char *zone,
    bool json, time_t now, FILE *out, FILE *errf)
{
	struct audit_opts o = { .zone = -1 };
	struct audit_result r;
	struct policy *p = NULL;
	struct classify *c = NULL;
	struct diag d;
	char err[1024];
	int rc = 2;

	memset(&r, 0, sizeof(r));
	diag_init(&d);
	if (lint_file(policy_file, now, &p, &d, err, sizeof(err)) < 0) {
		fprintf(errf, "%s\n", err);
		goto out;
	}
	if (p == NULL) {
		diag_print(&d, errf);
		goto out;
	}
	if (d.nerrors > 0)
		fprintf(errf, "warning: %s has %d error(s) (see zonectl lint); "
		    "auditing with the flows that loaded\n", policy_file,
		    d.nerrors);
	if (zone != NULL && (o.zone = policy_find_zone(p, zone)) < 0) {
		fprintf(errf, "%s: no zone named \"%s\"\n", policy_file, zone);
		goto out;
	}
	if ((c = classify_build(p, now, err, sizeof(err))) == NULL) {
		fprintf(errf, "%s\n", err);
		goto out;
	}
	if (audit_file(capture, p, c, &o, &r, err, sizeof(err)) < 0) {
		fprintf(errf, "%s\n", err);
		goto out;
	}
	if (json) {
		json_t *j = audit_json(&r, p);
		char *txt = j ? json_dumps(j, JSON_INDENT(2) |
		    JSON_PRESERVE_ORDER) : NULL;
		if (txt)
			fprintf(out, "%s\n", txt);
		free(txt);
		json_decref(j);
	} else
		audit_print(&r, p, out);
	rc = r.violating > 0 ? 1 : 0;
out:
	audit_result_free(&r);
	classify_free(c);
	policy_free(p);
	diag_free(&d);
	return rc;
}
