/*
 * audit_impl — the state of an audit, shared by the files of lib/audit*.c
 * and private to them (and to nothing else):
 *   audit.c         the frame path: the verdict cache, the batch, streams
 *   audit_viol.c    violating flows: counted, aggregated, explained
 *   audit_frag.c    the fragment table (later fragments take the verdict
 *                   of their first)
 *   audit_read.c    capture files: opening, reading, audit_file()
 *   audit_report.c  the text and JSON forms and audit_run(); it needs
 *                   audit.h only
 * audit.c says how a frame goes through; audit.h what passes.
 */
#ifndef ZONED_AUDIT_IMPL_H
#define ZONED_AUDIT_IMPL_H

#include <stdint.h>
#include <string.h>

#include "acl.h"
#include "addr.h"
#include "audit.h"
#include "classify.h"
#include "policy.h"

struct pcap_pkthdr;

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

/* ---------------------------------------------------------------------
 * Hashes of addresses (the violating flows, the fragment table)
 */

static inline uint64_t
audit_mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static inline uint64_t
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

static inline int
audit_is_icmp(int family, int proto)
{
	return (family == ADDR_V4 && proto == PROTO_ICMP) ||
	    (family == ADDR_V6 && proto == PROTO_ICMPV6);
}

/* ---------------------------------------------------------------------
 * Across the files
 */

/* audit.c: x's caches once its settings are in (p, c, r, zone, linktype,
 * cache_on, maxv; a stream's ft and callback); -1 out of memory.  A frame
 * and the frames pending in the batch.  What x holds, freed (not x). */
int audit_ctx_init(struct audit_ctx *x);
void audit_frame(struct audit_ctx *x, const struct pcap_pkthdr *ph,
    const uint8_t *data);
void audit_flush(struct audit_ctx *x);
void audit_ctx_release(struct audit_ctx *x);

/* audit_read.c: 1 when dlt is a link type the parser reads, and
 * *linktype its PKT_LINK_ value. */
int audit_read_linktype(int dlt, int *linktype);

/* audit_viol.c: count a violating frame of slot s in the flow of tuple t
 * (l4, reason), explain a flow it opens (v, rv: the verdicts of its own
 * and reversed tuples, fe: its first fragment's entry), and tell a
 * stream's callback. */
void audit_viol_frame(struct audit_ctx *x, const struct slot *s,
    const struct classify_pkt *t, uint8_t l4, uint8_t reason,
    const struct classify_verdict *v, const struct classify_verdict *rv,
    const struct frag_ent *fe);

/* audit_frag.c: record the outcome of a first fragment (the flow it was
 * counted in: t, l4, reason); the entry of the first fragment of a later
 * one, or NULL when it was not seen or is too old. */
void audit_frag_record(struct audit_ctx *x, const struct slot *s,
    enum outcome out, const struct classify_pkt *t, uint8_t l4,
    uint8_t reason);
const struct frag_ent *audit_frag_find(const struct audit_ctx *x,
    const struct slot *s);

#endif
