/*
 * flowtab — the bounded connection table of the audit monitor (see
 * flowtab.h).
 *
 * Two tables of the same shape, one for connections and one for fragments.
 * A table is an array of buckets of FLOWTAB_WAYS slots; a key's 64-bit
 * SipHash picks the bucket (its low half, by multiply-shift, so the bucket
 * count need not be a power of two) and a 32-bit tag (its high half, never
 * zero) that screens the slots before a full key compare.  A bucket keeps its
 * tags together at its start (32 bytes), so a lookup that misses compares no
 * key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "flowtab.h"
#include "siphash.h"

_Static_assert(sizeof(struct flowtab_key) == 38,
    "flowtab_key must have no padding: it is hashed and compared whole");

#define W FLOWTAB_WAYS

struct ft_bucket {
	uint32_t tag[W];	/* 0: free slot */
	uint64_t seen[W];	/* last added or found, ms */
	int32_t flow[W];
	struct flowtab_key key[W];
};

struct ft_table {
	struct ft_bucket *b;
	uint32_t nbuckets;
	uint32_t entries;
	uint32_t timeout;
	uint32_t hand;		/* next bucket of the sweep */
	uint64_t inserts, hits, evictions, expirations;
};

struct flowtab {
	uint64_t seed[2];
	struct ft_table flows;
	struct ft_table frags;
	size_t bytes;
};

static int
table_init(struct ft_table *t, uint32_t capacity, uint32_t timeout,
    size_t *bytes)
{
	memset(t, 0, sizeof(*t));
	t->nbuckets = (capacity + W - 1) / W;
	t->timeout = timeout;
	if ((t->b = calloc(t->nbuckets, sizeof(*t->b))) == NULL)
		return -1;
	*bytes += (size_t)t->nbuckets * sizeof(*t->b);
	return 0;
}

struct flowtab *
flowtab_new(uint32_t capacity, uint32_t timeout_ms, char *err, size_t errlen)
{
	struct flowtab *ft;
	uint32_t fcap;

	if (capacity == 0 || capacity > FLOWTAB_MAX_CAPACITY) {
		snprintf(err, errlen, "flow table capacity %u out of range "
		    "(1 to %u)", capacity, FLOWTAB_MAX_CAPACITY);
		return NULL;
	}
	if (timeout_ms == 0) {
		snprintf(err, errlen, "flow table timeout must be at least "
		    "1 ms");
		return NULL;
	}
	if ((ft = calloc(1, sizeof(*ft))) == NULL)
		goto oom;
	ft->bytes = sizeof(*ft);
	if (siphash_key(ft->seed) < 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		free(ft);
		return NULL;
	}
	fcap = capacity / 8 < 64 ? 64 : capacity / 8;
	if (table_init(&ft->flows, capacity, timeout_ms, &ft->bytes) < 0 ||
	    table_init(&ft->frags, fcap, timeout_ms < FLOWTAB_FRAG_TIMEOUT_MS ?
	    timeout_ms : FLOWTAB_FRAG_TIMEOUT_MS, &ft->bytes) < 0) {
		flowtab_free(ft);
		goto oom;
	}
	return ft;
oom:
	snprintf(err, errlen, "out of memory for a flow table of %u entries",
	    capacity);
	return NULL;
}

void
flowtab_free(struct flowtab *ft)
{
	if (ft == NULL)
		return;
	free(ft->flows.b);
	free(ft->frags.b);
	free(ft);
}

/* --- one table ---------------------------------------------------------- */

static inline bool
is_expired(const struct ft_table *t, uint64_t seen, uint64_t now)
{
	return now > seen && now - seen > t->timeout;
}

static inline struct ft_bucket *
bucket_of(const struct ft_table *t, uint64_t h)
{
	return &t->b[((h & 0xffffffffULL) * t->nbuckets) >> 32];
}

static inline uint32_t
tag_of(uint64_t h)
{
	return (uint32_t)(h >> 32) | 1;
}

static inline void
slot_clear(struct ft_table *t, struct ft_bucket *b, int i)
{
	b->tag[i] = 0;
	t->entries--;
}

/* The live slot of k in its bucket, or -1.  An expired match is reclaimed
 * (and counted) and gives -1. */
static int
table_lookup(struct ft_table *t, struct ft_bucket *b, uint32_t tag,
    const struct flowtab_key *k, uint64_t now)
{
	for (int i = 0; i < W; i++) {
		if (b->tag[i] != tag ||
		    memcmp(&b->key[i], k, sizeof(*k)) != 0)
			continue;
		if (is_expired(t, b->seen[i], now)) {
			slot_clear(t, b, i);
			t->expirations++;
			return -1;
		}
		return i;
	}
	return -1;
}

static void
table_sweep(struct ft_table *t, uint64_t now, uint32_t n)
{
	struct ft_bucket *b;

	if (n > t->nbuckets)
		n = t->nbuckets;
	while (n-- > 0) {
		b = &t->b[t->hand];
		if (++t->hand == t->nbuckets)
			t->hand = 0;
		for (int i = 0; i < W; i++) {
			if (b->tag[i] != 0 && is_expired(t, b->seen[i], now)) {
				slot_clear(t, b, i);
				t->expirations++;
			}
		}
	}
}

static inline void
touch(struct ft_bucket *b, int i, uint64_t now)
{
	if (now > b->seen[i])
		b->seen[i] = now;
}

static void
table_add(struct ft_table *t, const struct flowtab_key *k, uint64_t h,
    int32_t flow, uint64_t now)
{
	struct ft_bucket *b = bucket_of(t, h);
	uint32_t tag = tag_of(h);
	int i, victim = -1;

	if ((i = table_lookup(t, b, tag, k, now)) >= 0) {
		touch(b, i, now);
		b->flow[i] = flow;
		return;
	}
	/* A free slot, else an expired one, else the least recently seen. */
	for (i = 0; i < W; i++) {
		if (b->tag[i] == 0) {
			victim = i;
			break;
		}
	}
	if (victim < 0) {
		for (i = 0; i < W; i++) {
			if (is_expired(t, b->seen[i], now)) {
				victim = i;
				break;
			}
		}
		if (victim >= 0) {
			t->expirations++;
		} else {
			victim = 0;
			for (i = 1; i < W; i++)
				if (b->seen[i] < b->seen[victim])
					victim = i;
			t->evictions++;
		}
		slot_clear(t, b, victim);
	}
	b->tag[victim] = tag;
	b->seen[victim] = now;
	b->flow[victim] = flow;
	b->key[victim] = *k;
	t->entries++;
	t->inserts++;
	table_sweep(t, now, 1);
}

/* The live entry of k, refreshed when refresh is set; -1 if none. */
static int32_t
table_find(struct ft_table *t, const struct flowtab_key *k, uint64_t h,
    uint64_t now, bool refresh)
{
	struct ft_bucket *b = bucket_of(t, h);
	int i;

	if ((i = table_lookup(t, b, tag_of(h), k, now)) < 0)
		return -1;
	if (refresh)
		touch(b, i, now);
	return b->flow[i];
}

/* --- keys --------------------------------------------------------------- */

/* k with the unused address bytes of IPv4 cleared, so they cannot make two
 * keys of one connection differ. */
static inline void
canon(struct flowtab_key *out, const struct flowtab_key *k)
{
	*out = *k;
	if (out->family != ADDR_V6) {
		memset(out->src + 4, 0, 12);
		memset(out->dst + 4, 0, 12);
	}
}

static inline uint64_t
key_hash(const struct flowtab *ft, const struct flowtab_key *k)
{
	return siphash_24(ft->seed, k, sizeof(*k));
}

/* The key a reply to k would have been recorded under; false if k cannot
 * be a reply (an ICMP type other than echo reply). */
static bool
reverse(struct flowtab_key *r, const struct flowtab_key *k)
{
	r->family = k->family;
	r->proto = k->proto;
	memcpy(r->src, k->dst, sizeof(r->src));
	memcpy(r->dst, k->src, sizeof(r->dst));
	if (k->family == ADDR_V4 && k->proto == 1) {
		if (k->dport != 0)
			return false;
		r->sport = k->sport;
		r->dport = 8;
	} else if (k->family == ADDR_V6 && k->proto == 58) {
		if (k->dport != 129)
			return false;
		r->sport = k->sport;
		r->dport = 128;
	} else {
		r->sport = k->dport;
		r->dport = k->sport;
	}
	return true;
}

/* --- connections -------------------------------------------------------- */

void
flowtab_add(struct flowtab *ft, const struct flowtab_key *k, int32_t flow,
    uint64_t now_ms)
{
	struct flowtab_key c;

	canon(&c, k);
	table_add(&ft->flows, &c, key_hash(ft, &c), flow, now_ms);
}

int32_t
flowtab_find(struct flowtab *ft, const struct flowtab_key *k,
    uint64_t now_ms, bool *reply)
{
	struct flowtab_key c, r;
	int32_t flow;

	if (reply != NULL)
		*reply = false;
	canon(&c, k);
	flow = table_find(&ft->flows, &c, key_hash(ft, &c), now_ms, true);
	if (flow < 0 && reverse(&r, &c)) {
		flow = table_find(&ft->flows, &r, key_hash(ft, &r), now_ms,
		    true);
		if (flow >= 0 && reply != NULL)
			*reply = true;
	}
	if (flow >= 0)
		ft->flows.hits++;
	return flow;
}

/* --- fragments ---------------------------------------------------------- */

static void
frag_key(struct flowtab_key *k, uint8_t family, const uint8_t src[16],
    const uint8_t dst[16], uint8_t proto, uint32_t ipid)
{
	struct flowtab_key raw;

	raw.family = family;
	raw.proto = proto;
	raw.sport = (uint16_t)(ipid >> 16);
	raw.dport = (uint16_t)ipid;
	memcpy(raw.src, src, sizeof(raw.src));
	memcpy(raw.dst, dst, sizeof(raw.dst));
	canon(k, &raw);
}

void
flowtab_frag_add(struct flowtab *ft, uint8_t family, const uint8_t src[16],
    const uint8_t dst[16], uint8_t proto, uint32_t ipid, int32_t flow,
    uint64_t now_ms)
{
	struct flowtab_key k;

	frag_key(&k, family, src, dst, proto, ipid);
	table_add(&ft->frags, &k, key_hash(ft, &k), flow, now_ms);
}

int
flowtab_frag_find(struct flowtab *ft, uint8_t family, const uint8_t src[16],
    const uint8_t dst[16], uint8_t proto, uint32_t ipid, uint64_t now_ms,
    int32_t *flow)
{
	struct flowtab_key k;
	struct ft_bucket *b;
	uint64_t h;
	int i;

	frag_key(&k, family, src, dst, proto, ipid);
	h = key_hash(ft, &k);
	b = bucket_of(&ft->frags, h);
	if ((i = table_lookup(&ft->frags, b, tag_of(h), &k, now_ms)) < 0)
		return 0;
	ft->frags.hits++;
	*flow = b->flow[i];
	return 1;
}

/* --- upkeep ------------------------------------------------------------- */

void
flowtab_expire(struct flowtab *ft, uint64_t now_ms, uint32_t nbuckets)
{
	table_sweep(&ft->flows, now_ms, nbuckets);
	table_sweep(&ft->frags, now_ms, nbuckets);
}

void
flowtab_stats(const struct flowtab *ft, struct flowtab_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->entries = ft->flows.entries;
	st->capacity = ft->flows.nbuckets * W;
	st->inserts = ft->flows.inserts;
	st->hits = ft->flows.hits;
	st->evictions = ft->flows.evictions;
	st->expirations = ft->flows.expirations;
	st->bytes = ft->bytes;
	st->frag_entries = ft->frags.entries;
	st->frag_capacity = ft->frags.nbuckets * W;
	st->frag_evictions = ft->frags.evictions;
}
