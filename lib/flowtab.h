/*
 * flowtab — the bounded connection table of the audit monitor.
 *
 * It records the connections the monitor saw permitted, in their opening
 * direction, so that later frames of them and their replies can be
 * recognised; and, in a second small table, the verdicts of first fragments
 * so that later fragments (which carry no ports) can be tied to them.
 *
 * Fixed memory: every byte is allocated by flowtab_new() and reported in
 * the stats; nothing is allocated afterwards.  Set-associative: a key hashes
 * (SipHash-2-4 under a random key drawn at creation, so a remote sender
 * cannot aim collisions) to one bucket of FLOWTAB_WAYS slots.  An insert into
 * a full bucket first reclaims an expired slot (counted as an expiration),
 * else evicts the least recently seen entry of the bucket (counted as an
 * eviction): a connection that keeps sending is never the one pushed out
 * while its bucket holds an idler one.  Every operation touches one or two
 * buckets: O(1).  One thread, no locks.
 *
 * An entry expires timeout_ms after it was last added or found (ages up to
 * and including timeout_ms are alive).  Expired entries are reclaimed when a
 * lookup meets them, when an insert needs the slot, and by a clock hand that
 * sweeps one bucket per insert (or flowtab_expire()); until then they still
 * count in "entries".
 */
#ifndef ZONED_FLOWTAB_H
#define ZONED_FLOWTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FLOWTAB_WAYS		8	/* slots per bucket */
#define FLOWTAB_MAX_CAPACITY	(1U << 26)
#define FLOWTAB_FRAG_TIMEOUT_MS	60000	/* cap on the fragment timeout */

struct flowtab;

struct flowtab_key {
	uint8_t family;		/* ADDR_V4 or ADDR_V6 */
	uint8_t proto;
	uint16_t sport;		/* ICMP/ICMPv6: the echo id */
	uint16_t dport;		/* ICMP/ICMPv6: the type (of the request) */
	uint8_t src[16];	/* IPv4 in the first four bytes (the rest is
				 * ignored) */
	uint8_t dst[16];
};

struct flowtab_stats {
	uint32_t entries;	/* slots in use */
	uint32_t capacity;	/* slots: the requested capacity rounded up
				 * to a multiple of FLOWTAB_WAYS */
	uint64_t inserts;	/* new entries (not refreshes) */
	uint64_t hits;		/* flowtab_find() answers other than -1 */
	uint64_t evictions;	/* live entries pushed out by new ones */
	uint64_t expirations;	/* entries reclaimed after their timeout */
	size_t bytes;		/* all memory of the table, fixed at creation */
	/* the fragment table */
	uint32_t frag_entries, frag_capacity;
	uint64_t frag_evictions;
};

/*
 * A table of at least capacity connections (1..FLOWTAB_MAX_CAPACITY) that
 * expire timeout_ms (>= 1) after last seen.  The fragment table holds
 * capacity / 8 entries (at least 64) with a timeout of timeout_ms, at most
 * FLOWTAB_FRAG_TIMEOUT_MS.  NULL with err filled on failure.
 */
struct flowtab *flowtab_new(uint32_t capacity, uint32_t timeout_ms,
    char *err, size_t errlen);
void flowtab_free(struct flowtab *ft);

/* Record (or refresh, and retag) a connection in its opening direction,
 * tagged with the index of the flow that permitted it (>= 0: flowtab_find
 * answers -1 for "none"). */
void flowtab_add(struct flowtab *ft, const struct flowtab_key *k,
    int32_t flow, uint64_t now_ms);

/*
 * The flow of a frame in either direction: the entry of the forward tuple,
 * else the entry of its reverse (addresses and ports swapped; for an ICMP
 * echo reply, type 0 or ICMPv6 129, the request 8 or 128 with the same id
 * and the addresses swapped; other ICMP types have no reverse).  Refreshes
 * the entry.  -1 when none is recorded or it has expired.  *reply (may be
 * NULL) is set when the reverse matched.
 */
int32_t flowtab_find(struct flowtab *ft, const struct flowtab_key *k,
    uint64_t now_ms, bool *reply);

/*
 * Fragments: the first fragment of a datagram records its verdict by
 * (family, src, dst, proto, IP id) — IPv4 id or IPv6 fragment id — and
 * later fragments look it up (1 found with *flow set, 0 not).  The verdict
 * may be -1 (the first fragment was not permitted): found, *flow = -1.  A
 * later first fragment with the same id replaces the verdict; a lookup does
 * not extend the entry's life.
 */
void flowtab_frag_add(struct flowtab *ft, uint8_t family,
    const uint8_t src[16], const uint8_t dst[16], uint8_t proto,
    uint32_t ipid, int32_t flow, uint64_t now_ms);
int flowtab_frag_find(struct flowtab *ft, uint8_t family,
    const uint8_t src[16], const uint8_t dst[16], uint8_t proto,
    uint32_t ipid, uint64_t now_ms, int32_t *flow);

/* Reclaim the expired entries of the next nbuckets buckets of each table
 * (a clock hand; for an idle timer).  O(nbuckets). */
void flowtab_expire(struct flowtab *ft, uint64_t now_ms, uint32_t nbuckets);

void flowtab_stats(const struct flowtab *ft, struct flowtab_stats *st);

#endif
