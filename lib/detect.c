/*
 * detect — behaviour detection on Internet-zone ingress (see detect.h).
 *
 * Everything is built from pools: a fixed array of entries (a key and the
 * time it was last seen) indexed by chained hashing, each entry in use on a
 * recency list (newest at the head).  Entries older than the window are
 * popped from a list's tail, so a list's length is exactly the number of
 * distinct keys seen within the window; a list is never longer than the
 * threshold it serves, so when it is full its tail is the threshold-th
 * newest key, and the count will fall below the threshold when that key is
 * a window old.
 *
 *   sources  key: family and address; one list, giving the least recently
 *            seen source to drop when the pool is full;
 *   hosts    per source, key: destination address; one list, whose length
 *            is the address-scan count (hosts not seen within the window
 *            are dropped with their pairs);
 *   pairs    per source, key: (host entry, protocol, port); one list per
 *            host, whose length is that host's port-scan count, aged when
 *            the host is seen and capped at scan_ports by dropping the
 *            host's oldest pair.
 *
 * Each entry is inserted once and removed once, so list upkeep is amortised
 * O(1) per frame.  All arrays are carved from one allocation at creation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "detect.h"
#include "siphash.h"

#define NIL UINT32_MAX
#define FLOOD_INTERVAL_MS 1000
#define NKINDS (DETECT_FLOOD + 1)

/* --- pools and lists ----------------------------------------------------- */

/*
 * A pool: cap fixed entries, each a key and the time it was last seen,
 * found by chained hashing, free ones on a free list.  Each entry in use is
 * on one recency list (struct list, newest at the head), threaded through
 * the pool's prev/next arrays.
 */
struct pool {
	uint32_t cap, n, mask;	/* mask: buckets - 1 */
	uint32_t ksize;
	uint32_t freel;		/* free entries, linked by chain */
	uint8_t *key;		/* cap * ksize */
	uint64_t *t;		/* last seen */
	uint32_t *prev, *next;	/* recency list */
	uint32_t *chain;	/* hash chain, or free list */
	uint32_t *bkt;		/* chain heads */
};

struct list {
	uint32_t head, tail;
};

static uint32_t
pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Bytes of the arrays of a pool of cap entries of ksize bytes. */
static size_t
pool_bytes(uint32_t cap, uint32_t ksize)
{
	if (cap == 0)
		return 0;
	return align8((size_t)cap * ksize) + (size_t)cap * sizeof(uint64_t) +
	    align8((size_t)cap * 3 * sizeof(uint32_t)) +
	    align8((size_t)pow2_at_least(cap) * sizeof(uint32_t));
}

static void *
carve(uint8_t **p, size_t n)
{
	void *r = *p;

	*p += align8(n);
	return r;
}

static void
pool_init(struct pool *pl, uint8_t **p, uint32_t cap, uint32_t ksize)
{
	memset(pl, 0, sizeof(*pl));
	pl->freel = NIL;
	pl->ksize = ksize;
	if ((pl->cap = cap) == 0)
		return;
	pl->mask = pow2_at_least(cap) - 1;
	pl->key = carve(p, (size_t)cap * ksize);
	pl->t = carve(p, (size_t)cap * sizeof(*pl->t));
	pl->prev = carve(p, (size_t)cap * 3 * sizeof(uint32_t));
	pl->next = pl->prev + cap;
	pl->chain = pl->next + cap;
	pl->bkt = carve(p, (size_t)(pl->mask + 1) * sizeof(*pl->bkt));
	for (uint32_t i = 0; i <= pl->mask; i++)
		pl->bkt[i] = NIL;
	for (uint32_t i = 0; i < cap; i++)
		pl->chain[i] = i + 1 < cap ? i + 1 : NIL;
	pl->freel = 0;
}

static inline uint8_t *
pool_key(const struct pool *pl, uint32_t i)
{
	return pl->key + (size_t)i * pl->ksize;
}

static inline uint32_t
pool_find(const struct pool *pl, const void *key, uint64_t h)
{
	uint32_t i;

	for (i = pl->bkt[h & pl->mask]; i != NIL; i = pl->chain[i])
		if (memcmp(pool_key(pl, i), key, pl->ksize) == 0)
			break;
	return i;
}

static inline void
list_unlink(struct pool *pl, struct list *l, uint32_t i)
{
	if (pl->prev[i] != NIL)
		pl->next[pl->prev[i]] = pl->next[i];
	else
		l->head = pl->next[i];
	if (pl->next[i] != NIL)
		pl->prev[pl->next[i]] = pl->prev[i];
	else
		l->tail = pl->prev[i];
}

static inline void
list_push(struct pool *pl, struct list *l, uint32_t i)
{
	pl->prev[i] = NIL;
	pl->next[i] = l->head;
	if (l->head != NIL)
		pl->prev[l->head] = i;
	else
		l->tail = i;
	l->head = i;
}

/* Seen again: newest on its list. */
static inline void
list_touch(struct pool *pl, struct list *l, uint32_t i, uint64_t now)
{
	if (now > pl->t[i])
		pl->t[i] = now;
	if (l->head != i) {
		list_unlink(pl, l, i);
		list_push(pl, l, i);
	}
}

/* Add a key known to be absent at the head of l; the pool must not be
 * full. */
static uint32_t
pool_add(struct pool *pl, struct list *l, const void *key, uint64_t h,
    uint64_t now)
{
	uint32_t i = pl->freel, b = (uint32_t)(h & pl->mask);

	pl->freel = pl->chain[i];
	memcpy(pool_key(pl, i), key, pl->ksize);
	pl->t[i] = now;
	pl->chain[i] = pl->bkt[b];
	pl->bkt[b] = i;
	list_push(pl, l, i);
	pl->n++;
	return i;
}

static void
pool_del(struct pool *pl, struct list *l, uint32_t i, const uint64_t seed[2])
{
	uint32_t *pp;

	pp = &pl->bkt[siphash_24(seed, pool_key(pl, i), pl->ksize) &
	    pl->mask];
	while (*pp != i)
		pp = &pl->chain[*pp];
	*pp = pl->chain[i];
	list_unlink(pl, l, i);
	pl->chain[i] = pl->freel;
	pl->freel = i;
	pl->n--;
}

/* --- the detector --------------------------------------------------------- */

#define SRC_KEY 17		/* family, address */

struct pairkey {
	uint32_t host;		/* entry in the source's host pool */
	uint16_t port;
	uint8_t proto;
	uint8_t zero;
};

struct source {
	uint8_t armed;		/* bit per kind */
	uint32_t probes;	/* since the probe rule armed */
	uint32_t flood_n;	/* frames in the current interval */
	uint64_t flood_start;
	uint64_t cool[NKINDS];	/* when the count falls (fell) below the
				 * threshold, as far as known */
	struct pool hosts;	/* destination hosts within the window */
	struct list hlru;
	struct list *ports;	/* per host: its pairs, newest first */
	uint32_t *nports;	/* per host: length of that list */
	struct pool pairs;	/* (host, protocol, port) within the window */
};

struct detect {
	struct detect_conf c;
	uint64_t seed[2];
	uint32_t hcap;		/* hosts per source */
	uint64_t hold;		/* idle time after which a source is moot */
	struct pool srcs;
	struct list slru;
	struct source *src;
	uint64_t evictions;
	uint64_t last;		/* latest now_ms: time never runs back */
	size_t mem;
	void *arena;
};

const char *
detect_kind_str(enum detect_kind kind)
{
	switch (kind) {
	case DETECT_PORT_SCAN:
		return "port-scan";
	case DETECT_ADDR_SCAN:
		return "address-scan";
	case DETECT_LGWAN_PROBE:
		return "lgwan-probe";
	case DETECT_FLOOD:
		return "flood";
	}
	return "unknown";
}

static void
conf_caps(const struct detect_conf *c, uint32_t *hcap, uint32_t *pcap)
{
	*hcap = c->scan_hosts > 0 ? c->scan_hosts :
	    c->scan_ports > 0 ? DETECT_HOSTS_WHEN_OFF : 0;
	*pcap = c->scan_ports > 0 ? *hcap * c->scan_ports : 0;
}

/* Bytes of the arena: SIZE_MAX if out of range or too large to count. */
static size_t
arena_bytes(const struct detect_conf *c)
{
	uint32_t hcap, pcap;
	size_t per;

	if (c->max_sources == 0 || c->scan_ports > 65535 ||
	    c->scan_hosts > DETECT_MAX_HOSTS)
		return SIZE_MAX;
	conf_caps(c, &hcap, &pcap);
	if ((uint64_t)hcap * c->scan_ports > UINT32_MAX / 2)
		return SIZE_MAX;
	per = align8(sizeof(struct source)) + pool_bytes(hcap, 16) +
	    align8((size_t)hcap * sizeof(struct list)) +
	    align8((size_t)hcap * sizeof(uint32_t)) +
	    pool_bytes(pcap, sizeof(struct pairkey));
	if (per > (SIZE_MAX / 2) / c->max_sources)
		return SIZE_MAX;
	return per * c->max_sources + pool_bytes(c->max_sources, SRC_KEY);
}

size_t
detect_mem_for(const struct detect_conf *c)
{
	size_t a = arena_bytes(c);

	return a == SIZE_MAX ? SIZE_MAX : a + sizeof(struct detect);
}

struct detect *
detect_new(const struct detect_conf *conf, char *err, size_t errlen)
{
	struct detect *d;
	size_t total;
	uint32_t hcap, pcap;
	uint8_t *p;

	if (conf->window_ms == 0 || conf->max_sources == 0) {
		snprintf(err, errlen, "detection needs a window and room for "
		    "at least one source");
		return NULL;
	}
	if (conf->scan_ports > 65535) {
		snprintf(err, errlen, "port scan threshold %u is above 65535",
		    conf->scan_ports);
		return NULL;
	}
	if (conf->scan_hosts > DETECT_MAX_HOSTS) {
		snprintf(err, errlen, "address scan threshold %u is above %u",
		    conf->scan_hosts, DETECT_MAX_HOSTS);
		return NULL;
	}
	if ((total = arena_bytes(conf)) == SIZE_MAX ||
	    total > DETECT_MAX_BYTES - sizeof(*d)) {
		snprintf(err, errlen, "detection state for %u sources would "
		    "exceed %zu MiB: lower the scan thresholds or the number "
		    "of sources", conf->max_sources, DETECT_MAX_BYTES >> 20);
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		goto oom;
	if (siphash_key(d->seed) < 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		free(d);
		return NULL;
	}
	if ((d->arena = calloc(1, total)) == NULL) {
		free(d);
		goto oom;
	}
	conf_caps(conf, &hcap, &pcap);
	d->c = *conf;
	d->hcap = hcap;
	d->hold = (uint64_t)conf->window_ms + (conf->window_ms >
	    FLOOD_INTERVAL_MS ? conf->window_ms : FLOOD_INTERVAL_MS);
	d->mem = sizeof(*d) + total;
	d->slru.head = d->slru.tail = NIL;
	p = d->arena;
	d->src = carve(&p, (size_t)conf->max_sources * sizeof(*d->src));
	pool_init(&d->srcs, &p, conf->max_sources, SRC_KEY);
	for (uint32_t i = 0; i < conf->max_sources; i++) {
		struct source *s = &d->src[i];

		pool_init(&s->hosts, &p, hcap, 16);
		s->hlru.head = s->hlru.tail = NIL;
		s->ports = carve(&p, (size_t)hcap * sizeof(*s->ports));
		s->nports = carve(&p, (size_t)hcap * sizeof(*s->nports));
		pool_init(&s->pairs, &p, pcap, sizeof(struct pairkey));
	}
	return d;
oom:
	snprintf(err, errlen, "out of memory for detection state (%zu bytes)",
	    total);
	return NULL;
}

void
detect_free(struct detect *d)
{
	if (d == NULL)
		return;
	free(d->arena);
	free(d);
}

void
detect_stats(const struct detect *d, uint32_t *sources, uint64_t *evictions)
{
	if (sources != NULL)
		*sources = d->srcs.n;
	if (evictions != NULL)
		*evictions = d->evictions;
}

size_t
detect_mem(const struct detect *d)
{
	return d->mem;
}

/* --- per-source state ----------------------------------------------------- */

static void
pair_del(struct detect *d, struct source *s, uint32_t hi, uint32_t pi)
{
	pool_del(&s->pairs, &s->ports[hi], pi, d->seed);
	s->nports[hi]--;
}

static void
host_del(struct detect *d, struct source *s, uint32_t hi)
{
	while (s->ports[hi].tail != NIL)
		pair_del(d, s, hi, s->ports[hi].tail);
	pool_del(&s->hosts, &s->hlru, hi, d->seed);
}

/* Forget the hosts not seen within the window (with them, their pairs). */
static void
source_age(struct detect *d, struct source *s, uint64_t now)
{
	uint32_t hi;

	while ((hi = s->hlru.tail) != NIL &&
	    now - s->hosts.t[hi] >= d->c.window_ms)
		host_del(d, s, hi);
}

static void
source_del(struct detect *d, uint32_t si)
{
	struct source *s = &d->src[si];

	while (s->hlru.tail != NIL)
		host_del(d, s, s->hlru.tail);
	pool_del(&d->srcs, &d->slru, si, d->seed);
}

/* The record of the sender of a frame, made if new. */
static struct source *
source_get(struct detect *d, const uint8_t key[SRC_KEY], uint64_t now)
{
	struct pool *ss = &d->srcs;
	struct source *s;
	uint64_t h = siphash_24(d->seed, key, SRC_KEY);
	uint32_t si;

	/* Let go of up to two sources idle long enough to hold no state that
	 * matters, so that the count of sources is of the live ones. */
	for (int i = 0; i < 2 && (si = d->slru.tail) != NIL &&
	    now - ss->t[si] >= d->hold; i++)
		source_del(d, si);
	if ((si = pool_find(ss, key, h)) != NIL) {
		list_touch(ss, &d->slru, si, now);
		return &d->src[si];
	}
	if (ss->n == ss->cap) {
		/* The tail is live: a moot one would have been let go above
		 * (and with two let go the table would not be full). */
		d->evictions++;
		source_del(d, d->slru.tail);
	}
	si = pool_add(ss, &d->slru, key, h, now);
	s = &d->src[si];
	s->armed = 0xff;
	s->probes = 0;
	s->flood_n = 0;
	s->flood_start = 0;
	memset(s->cool, 0, sizeof(s->cool));
	return s;
}

/* --- rules ---------------------------------------------------------------- */

struct frame {
	struct detect *d;
	struct source *s;
	const struct detect_pkt *p;
	const uint8_t *src, *dst;	/* canonical: IPv4 zero-padded */
	uint64_t now;
	struct detect_event *out;
	int n, max;
};

/* Re-arm rule k of the source if its count has been below the threshold
 * for a full window; true if it was re-armed now. */
static bool
rearm(struct frame *f, enum detect_kind k)
{
	struct source *s = f->s;

	if (s->armed & (1U << k))
		return false;
	if (f->now < s->cool[k] + f->d->c.window_ms)
		return false;
	s->armed |= (uint8_t)(1U << k);
	return true;
}

/* The frame meets rule k; its count stays at or above the threshold until
 * cool.  Raise the event if the rule is armed and there is room. */
static void
hot(struct frame *f, enum detect_kind k, uint64_t cool, uint32_t count,
    uint32_t window, const uint8_t dst[16])
{
	struct source *s = f->s;
	struct detect_event *e;

	if (cool > s->cool[k])
		s->cool[k] = cool;
	if (!(s->armed & (1U << k)) || f->n >= f->max)
		return;
	s->armed &= (uint8_t)~(1U << k);
	e = &f->out[f->n++];
	memset(e, 0, sizeof(*e));
	e->kind = k;
	e->family = f->p->family;
	memcpy(e->src, f->src, sizeof(e->src));
	memcpy(e->dst, dst, sizeof(e->dst));
	e->count = count;
	e->window_ms = window;
}

static void
rule_flood(struct frame *f)
{
	struct source *s = f->s;
	uint32_t pps = f->d->c.flood_pps;

	if (s->flood_n == 0 || f->now - s->flood_start >= FLOOD_INTERVAL_MS) {
		s->flood_start = f->now;
		s->flood_n = 0;
	}
	if (s->flood_n < UINT32_MAX)
		s->flood_n++;
	if (pps == 0)
		return;
	rearm(f, DETECT_FLOOD);
	if (s->flood_n >= pps)
		hot(f, DETECT_FLOOD, s->flood_start + FLOOD_INTERVAL_MS,
		    s->flood_n, FLOOD_INTERVAL_MS, f->dst);
}

static void
rule_probe(struct frame *f)
{
	struct source *s = f->s;

	if (rearm(f, DETECT_LGWAN_PROBE))
		s->probes = 0;
	if (s->probes < UINT32_MAX)
		s->probes++;
	hot(f, DETECT_LGWAN_PROBE, f->now, s->probes, f->d->c.window_ms,
	    f->dst);
}

static void
rule_scans(struct frame *f)
{
	const uint8_t *dst = f->dst;
	struct detect *d = f->d;
	struct source *s = f->s;
	uint64_t w = d->c.window_ms, h;
	struct pairkey pk;
	struct list *pl;
	uint32_t hi, pi;

	/* The destination host: its entry, its pairs within the window. */
	h = siphash_24(d->seed, dst, 16);
	if ((hi = pool_find(&s->hosts, dst, h)) != NIL) {
		list_touch(&s->hosts, &s->hlru, hi, f->now);
		pl = &s->ports[hi];
		while (pl->tail != NIL &&
		    f->now - s->pairs.t[pl->tail] >= w)
			pair_del(d, s, hi, pl->tail);
	} else {
		if (s->hosts.n == s->hosts.cap)
			host_del(d, s, s->hlru.tail);
		hi = pool_add(&s->hosts, &s->hlru, dst, h, f->now);
		s->ports[hi].head = s->ports[hi].tail = NIL;
		s->nports[hi] = 0;
		pl = &s->ports[hi];
	}
	if (d->c.scan_hosts > 0) {
		rearm(f, DETECT_ADDR_SCAN);
		if (s->hosts.n >= d->c.scan_hosts)
			hot(f, DETECT_ADDR_SCAN,
			    s->hosts.t[s->hlru.tail] + w, s->hosts.n,
			    (uint32_t)w, dst);
	}
	if (d->c.scan_ports == 0)
		return;

	/* The (host, protocol, port) pair; a host keeps at most scan_ports
	 * of them, the newest. */
	memset(&pk, 0, sizeof(pk));
	pk.host = hi;
	pk.port = f->p->dport;
	pk.proto = f->p->proto;
	h = siphash_24(d->seed, &pk, sizeof(pk));
	if ((pi = pool_find(&s->pairs, &pk, h)) != NIL) {
		list_touch(&s->pairs, pl, pi, f->now);
	} else {
		if (s->nports[hi] == d->c.scan_ports)
			pair_del(d, s, hi, pl->tail);
		pool_add(&s->pairs, pl, &pk, h, f->now);
		s->nports[hi]++;
	}
	rearm(f, DETECT_PORT_SCAN);
	if (s->nports[hi] >= d->c.scan_ports)
		hot(f, DETECT_PORT_SCAN, s->pairs.t[pl->tail] + w,
		    s->nports[hi], (uint32_t)w, dst);
}

int
detect_packet(struct detect *d, const struct detect_pkt *p, uint64_t now_ms,
    struct detect_event *out, int max)
{
	struct frame f;
	uint8_t key[SRC_KEY], dst[16];
	size_t alen = p->family == ADDR_V6 ? 16 : 4;

	memset(key, 0, sizeof(key));
	key[0] = p->family;
	memcpy(key + 1, p->src, alen);
	memset(dst, 0, sizeof(dst));
	memcpy(dst, p->dst, alen);

	if (now_ms < d->last)
		now_ms = d->last;
	d->last = now_ms;
	f.d = d;
	f.p = p;
	f.src = key + 1;
	f.dst = dst;
	f.now = now_ms;
	f.out = out;
	f.n = 0;
	f.max = out == NULL || max < 0 ? 0 : max;
	f.s = source_get(d, key, now_ms);
	source_age(d, f.s, now_ms);

	rule_flood(&f);
	if (!p->permitted) {
		if (p->to_local)
			rule_probe(&f);
		if (d->hcap > 0)
			rule_scans(&f);
	}
	return f.n;
}
