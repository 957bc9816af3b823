/*
 * check_flowtab — the audit monitor's connection table.
 *
 * The keyed hash against the reference vectors; a table of frames matched
 * against recorded connections in both directions (TCP, UDP, ICMP and
 * ICMPv6 echo, IPv4 and IPv6, near misses); timeouts and refreshes with an
 * injected clock, at their exact boundaries; the fragment map; and the
 * memory bound: ten times the capacity in distinct connections, with the
 * heap measured around it, and the promise of the eviction policy (the
 * least recently seen of a bucket goes first).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "flowtab.h"
#include "siphash.h"
#include "unit.h"

/* --- heap in use, to show that nothing is allocated after creation ------ */


/* --- keys --------------------------------------------------------------- */

static struct flowtab_key
key(const char *src, const char *dst, uint8_t proto, uint16_t sport,
    uint16_t dport)
{
	struct flowtab_key k;
	int f;

	memset(&k, 0, sizeof(k));
	f = addr_parse_ip(src, k.src);
	ck_assert_msg(f != 0, "bad address %s", src);
	ck_assert_int_eq(addr_parse_ip(dst, k.dst), f);
	k.family = (uint8_t)f;
	k.proto = proto;
	k.sport = sport;
	k.dport = dport;
	return k;
}

/* The i-th of many distinct connections of one family. */
static struct flowtab_key
nth_key(int family, uint32_t i)
{
	struct flowtab_key k;

	memset(&k, 0, sizeof(k));
	k.family = (uint8_t)family;
	k.proto = 6;
	k.sport = (uint16_t)(1024 + i % 50000);
	k.dport = 443;
	if (family == ADDR_V4) {
		k.src[0] = 10;
		k.src[1] = (uint8_t)(i >> 16);
		k.src[2] = (uint8_t)(i >> 8);
		k.src[3] = (uint8_t)i;
		k.dst[0] = 192;
		k.dst[1] = 0;
		k.dst[2] = 2;
		k.dst[3] = 1;
	} else {
		k.src[0] = 0x20;
		k.src[1] = 0x01;
		k.src[2] = 0x0d;
		k.src[3] = 0xb8;
		k.src[12] = (uint8_t)(i >> 24);
		k.src[13] = (uint8_t)(i >> 16);
		k.src[14] = (uint8_t)(i >> 8);
		k.src[15] = (uint8_t)i;
		k.dst[0] = 0x20;
		k.dst[1] = 0x01;
		k.dst[2] = 0x0d;
		k.dst[3] = 0xb8;
		k.dst[15] = 1;
	}
	return k;
}

static struct flowtab *
mk(uint32_t cap, uint32_t timeout)
{
	char err[256];
	struct flowtab *ft = flowtab_new(cap, timeout, err, sizeof(err));

	ck_assert_msg(ft != NULL, "%s", err);
	return ft;
}

/* --- the keyed hash ----------------------------------------------------- */

/* SipHash-2-4 reference vectors: key 00..0f, message 00..len-1. */
static const struct {
	size_t len;
	uint64_t want;
} sip_vectors[] = {
	{ 0, 0x726fdb47dd0e0e31ULL },
	{ 1, 0x74f839c593dc67fdULL },
	{ 7, 0xab0200f58b01d137ULL },
	{ 8, 0x93f5f5799a932462ULL },
	{ 15, 0xa129ca6149be45e5ULL },
	{ 12, 0x751e8fbc860ee5fbULL },
	{ 16, 0x3f2acc7f57c29bdbULL },
	{ 63, 0x958a324ceb064572ULL },
};

START_TEST(test_siphash_vectors)
{
	uint8_t kb[16], msg[64];
	uint64_t k[2] = { 0, 0 };

	for (int i = 0; i < 16; i++)
		kb[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	k[0] = siphash_load(kb, 8);
	k[1] = siphash_load(kb + 8, 8);
	ck_assert_uint_eq(siphash_24(k, msg, sip_vectors[_i].len),
	    sip_vectors[_i].want);
}
END_TEST

START_TEST(test_siphash_key_random)
{
	uint64_t a[2], b[2];

	ck_assert_int_eq(siphash_key(a), 0);
	ck_assert_int_eq(siphash_key(b), 0);
	ck_assert(a[0] != b[0] || a[1] != b[1]);
}
END_TEST

/* --- matching in both directions ---------------------------------------- */

/* Recorded connections, flow index = position. */
static const struct {
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;
} recorded[] = {
	{ "10.1.0.5", "192.0.2.10", 6, 40000, 443 },		/* 0 */
	{ "10.1.0.5", "192.0.2.53", 17, 5353, 53 },		/* 1 */
	{ "10.1.0.5", "192.0.2.10", 1, 77, 8 },			/* 2 echo */
	{ "2001:db8:1::5", "2001:db8:2::10", 6, 40001, 22 },	/* 3 */
	{ "2001:db8:1::5", "2001:db8:2::10", 58, 9, 128 },	/* 4 echo */
	{ "10.1.0.6", "192.0.2.10", 47, 0, 0 },			/* 5 GRE */
};

static const struct {
	const char *name;
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;
	int32_t flow;		/* -1: no match */
	bool reply;
} frames[] = {
	{ "tcp forward", "10.1.0.5", "192.0.2.10", 6, 40000, 443, 0, false },
	{ "tcp reply", "192.0.2.10", "10.1.0.5", 6, 443, 40000, 0, true },
	{ "tcp other sport", "10.1.0.5", "192.0.2.10", 6, 40002, 443, -1,
	    false },
	{ "tcp reply unswapped ports", "192.0.2.10", "10.1.0.5", 6, 40000,
	    443, -1, false },
	{ "tcp reply other host", "192.0.2.11", "10.1.0.5", 6, 443, 40000,
	    -1, false },
	{ "udp instead of tcp", "10.1.0.5", "192.0.2.10", 17, 40000, 443, -1,
	    false },
	{ "udp forward", "10.1.0.5", "192.0.2.53", 17, 5353, 53, 1, false },
	{ "udp reply", "192.0.2.53", "10.1.0.5", 17, 53, 5353, 1, true },
	{ "echo request again", "10.1.0.5", "192.0.2.10", 1, 77, 8, 2,
	    false },
	{ "echo reply", "192.0.2.10", "10.1.0.5", 1, 77, 0, 2, true },
	{ "echo reply other id", "192.0.2.10", "10.1.0.5", 1, 78, 0, -1,
	    false },
	{ "echo reply same direction", "10.1.0.5", "192.0.2.10", 1, 77, 0, -1,
	    false },
	{ "unreachable is no reply", "192.0.2.10", "10.1.0.5", 1, 77, 3, -1,
	    false },
	{ "echo request reversed", "192.0.2.10", "10.1.0.5", 1, 77, 8, -1,
	    false },
	{ "tcp6 forward", "2001:db8:1::5", "2001:db8:2::10", 6, 40001, 22, 3,
	    false },
	{ "tcp6 reply", "2001:db8:2::10", "2001:db8:1::5", 6, 22, 40001, 3,
	    true },
	{ "tcp6 reply other host", "2001:db8:2::11", "2001:db8:1::5", 6, 22,
	    40001, -1, false },
	{ "echo6 reply", "2001:db8:2::10", "2001:db8:1::5", 58, 9, 129, 4,
	    true },
	{ "icmpv4 reply type for v6", "2001:db8:2::10", "2001:db8:1::5", 58,
	    9, 0, -1, false },
	{ "echo6 reply other id", "2001:db8:2::10", "2001:db8:1::5", 58, 10,
	    129, -1, false },
	{ "gre forward", "10.1.0.6", "192.0.2.10", 47, 0, 0, 5, false },
	{ "gre reply", "192.0.2.10", "10.1.0.6", 47, 0, 0, 5, true },
};

START_TEST(test_match)
{
	struct flowtab *ft = mk(1024, 60000);
	struct flowtab_key k;
	struct flowtab_stats st;
	bool reply = !frames[_i].reply;
	int32_t got;

	for (size_t i = 0; i < ARRAY_LEN(recorded); i++) {
		k = key(recorded[i].src, recorded[i].dst, recorded[i].proto,
		    recorded[i].sport, recorded[i].dport);
		flowtab_add(ft, &k, (int32_t)i, 1000);
	}
	k = key(frames[_i].src, frames[_i].dst, frames[_i].proto,
	    frames[_i].sport, frames[_i].dport);
	got = flowtab_find(ft, &k, 2000, &reply);
	ck_assert_msg(got == frames[_i].flow, "%s: flow %d, want %d",
	    frames[_i].name, got, frames[_i].flow);
	ck_assert_msg(reply == frames[_i].reply, "%s: reply %d",
	    frames[_i].name, reply);
	/* NULL for reply is allowed */
	ck_assert_int_eq(flowtab_find(ft, &k, 2000, NULL), frames[_i].flow);
	flowtab_stats(ft, &st);
	ck_assert_uint_eq(st.entries, ARRAY_LEN(recorded));
	ck_assert_uint_eq(st.inserts, ARRAY_LEN(recorded));
	ck_assert_uint_eq(st.hits, frames[_i].flow >= 0 ? 2 : 0);
	flowtab_free(ft);
}
END_TEST

/* The unused twelve bytes of an IPv4 address do not split a connection. */
START_TEST(test_v4_padding_ignored)
{
	struct flowtab *ft = mk(64, 60000);
	struct flowtab_key k = key("10.1.0.5", "192.0.2.10", 6, 40000, 443);
	struct flowtab_key r = key("192.0.2.10", "10.1.0.5", 6, 443, 40000);
	bool reply;

	k.src[9] = 0xaa;
	flowtab_add(ft, &k, 7, 0);
	r.dst[15] = 0x55;
	ck_assert_int_eq(flowtab_find(ft, &r, 1, &reply), 7);
	ck_assert(reply);
	flowtab_free(ft);
}
END_TEST

/* --- time --------------------------------------------------------------- */

START_TEST(test_timeout_boundary)
{
	struct flowtab *ft = mk(64, 500);
	struct flowtab_key k = key("10.1.0.5", "192.0.2.10", 6, 40000, 443);
	struct flowtab_key r = key("192.0.2.10", "10.1.0.5", 6, 443, 40000);
	struct flowtab_stats st;

	flowtab_add(ft, &k, 3, 1000);
	/* age 500 is alive; the find refreshes */
	ck_assert_int_eq(flowtab_find(ft, &k, 1500, NULL), 3);
	/* a reply refreshes too */
	ck_assert_int_eq(flowtab_find(ft, &r, 2000, NULL), 3);
	ck_assert_int_eq(flowtab_find(ft, &k, 2500, NULL), 3);
	/* age 501: gone, reclaimed and counted */
	ck_assert_int_eq(flowtab_find(ft, &r, 3001, NULL), -1);
	flowtab_stats(ft, &st);
	ck_assert_uint_eq(st.entries, 0);
	ck_assert_uint_eq(st.expirations, 1);
	ck_assert_uint_eq(st.evictions, 0);
	ck_assert_uint_eq(st.hits, 3);
	/* added again it is a new entry */
	flowtab_add(ft, &k, 4, 4000);
	ck_assert_int_eq(flowtab_find(ft, &k, 4000, NULL), 4);
	flowtab_stats(ft, &st);
	ck_assert_uint_eq(st.inserts, 2);
	ck_assert_uint_eq(st.entries, 1);
	flowtab_free(ft);
}
END_TEST

START_TEST(test_add_refreshes_and_retags)
{
	struct flowtab *ft = mk(64, 500);
	struct flowtab_key k = key("2001:db8:1::5", "2001:db8:2::10", 17,
	    5000, 53);
	struct flowtab_stats st;

	flowtab_add(ft, &k, 1, 0);
	flowtab_add(ft, &k, 9, 400);
	ck_assert_int_eq(flowtab_find(ft, &k, 900, NULL), 9);
	flowtab_stats(ft, &st);
	ck_assert_uint_eq(st.inserts, 1);
	ck_assert_uint_eq(st.entries, 1);
	/* without the refresh at 400 it would have died at 501 */
	ck_assert_int_eq(flowtab_find(ft, &k, 1400, NULL), 9);
	ck_assert_int_eq(flowtab_find(ft, &k, 1901, NULL), -1);
	flowtab_free(ft);
}
END_TEST

/* A clock that steps back does not expire or age anything. */
START_TEST(test_clock_back)
{
	struct flowtab *ft = mk(64, 500);
	struct flowtab_key k = key("10.1.0.5", "192.0.2.10", 6, 1, 2);

	flowtab_add(ft, &k, 1, 10000);
	ck_assert_int_eq(flowtab_find(ft, &k, 5, NULL), 1);
	ck_assert_int_eq(flowtab_find(ft, &k, 10500, NULL), 1);
	ck_assert_int_eq(flowtab_find(ft, &k, 11001, NULL), -1);
	flowtab_free(ft);
}
END_TEST

/* The sweep reclaims expired entries that nothing looks up.  (A bucket may
 * overflow by chance as keys are hashed with a random key: the counts are
 * checked against each other, not against constants, where that matters.) */
START_TEST(test_sweep)
{
	struct flowtab *ft = mk(1024, 100);
	struct flowtab_stats st;
	struct flowtab_key k;
	uint32_t n;

	for (uint32_t i = 0; i < 100; i++) {
		k = nth_key(ADDR_V4, i);
		flowtab_add(ft, &k, 0, 0);
	}
	flowtab_stats(ft, &st);
	n = st.entries;
	ck_assert_uint_eq(n, 100 - st.evictions);
	ck_assert_uint_ge(n, 90);
	flowtab_expire(ft, 100, UINT32_MAX);	/* age 100: alive */
	flowtab_stats(ft, &st);
	ck_assert_uint_eq(st.entries, n);
	ck_assert_uint_eq(st.expirations, 0);
	flowtab_expire(ft, 101, UINT32_MAX);
	flowtab_stats(ft, &st);
	ck_assert_uint_eq(st.entries, 0);
	ck_assert_uint_eq(st.expirations, n);
	flowtab_free(ft);
}
END_TEST

/* Each insert sweeps one bucket: after as many inserts as there are
 * buckets, nothing expired is left. */
START_TEST(test_insert_sweeps)
{
	const uint32_t nb = 1024 / FLOWTAB_WAYS;
	struct flowtab *ft = mk(1024, 100);
	struct flowtab_stats st0, st;
	struct flowtab_key k;

	for (uint32_t i = 0; i < 100; i++) {
		k = nth_key(ADDR_V6, i);
		flowtab_add(ft, &k, 0, 0);
	}
	flowtab_stats(ft, &st0);
	for (uint32_t i = 0; i < nb; i++) {
		k = nth_key(ADDR_V6, 1000 + i);
		flowtab_add(ft, &k, 0, 1000);
	}
	flowtab_stats(ft, &st);
	ck_assert_uint_eq(st.expirations, st0.entries);
	ck_assert_uint_eq(st.entries, nb - (st.evictions - st0.evictions));
	ck_assert_uint_ge(st.entries, nb - 8);
	flowtab_free(ft);
}
END_TEST

/* --- fragments ---------------------------------------------------------- */

START_TEST(test_fragments)
{
	struct flowtab *ft = mk(1024, 120000);
	uint8_t a[16], b[16], a6[16], b6[16];
	struct flowtab_stats st;
	struct flowtab_key k;
	int32_t flow = 99;

	ck_assert_int_eq(addr_parse_ip("10.1.0.5", a), ADDR_V4);
	ck_assert_int_eq(addr_parse_ip("192.0.2.10", b), ADDR_V4);
	ck_assert_int_eq(addr_parse_ip("2001:db8:1::5", a6), ADDR_V6);
	ck_assert_int_eq(addr_parse_ip("2001:db8:2::10", b6), ADDR_V6);

	flowtab_frag_add(ft, ADDR_V4, a, b, 17, 0x1234, 3, 0);
	flowtab_frag_add(ft, ADDR_V6, a6, b6, 17, 0xdeadbeef, 4, 0);
	flowtab_frag_add(ft, ADDR_V4, a, b, 6, 0x1234, -1, 0);	/* denied */

	ck_assert_int_eq(flowtab_frag_find(ft, ADDR_V4, a, b, 17, 0x1234, 1,
	    &flow), 1);
	ck_assert_int_eq(flow, 3);
	ck_assert_int_eq(flowtab_frag_find(ft, ADDR_V4, a, b, 6, 0x1234, 1,
	    &flow), 1);
	ck_assert_int_eq(flow, -1);	/* a denied first fragment is known */
	ck_assert_int_eq(flowtab_frag_find(ft, ADDR_V6, a6, b6, 17,
	    0xdeadbeef, 1, &flow), 1);
	ck_assert_int_eq(flow, 4);
	/* near misses */
	flow = 99;
	ck_assert_int_eq(flowtab_frag_find(ft, ADDR_V4, a, b, 17, 0x1235, 1,
	    &flow), 0);
	ck_assert_int_eq(flowtab_frag_find(ft, ADDR_V4, b, a, 17, 0x1234, 1,
	    &flow), 0);
	ck_assert_int_eq(flowtab_frag_find(ft, ADDR_V4, a, b, 1, 0x1234, 1,
	    &flow), 0);
	ck_assert_int_eq(flowtab_frag_find(ft, ADDR_V6, a6, b6, 17,
	    0xdeadbeee, 1, &flow), 0);
	ck_assert_int_eq(flowtab_frag_find(ft, ADDR_V6, a6, b6, 17,
	    0x0000beef, 1, &flow), 0);
	ck_assert_int_eq(flow, 99);

	/* their own keyspace: a connection with ports equal to the id
	 * halves is not a fragment, nor the reverse */
	k = key("10.1.0.5", "192.0.2.10", 17, 0, 0x1234);
	ck_assert_int_eq(flowtab_find(ft, &k, 1, NULL), -1);
	flowtab_add(ft, &k, 8, 1);
	ck_assert_int_eq(flowtab_frag_find(ft, ADDR_V4, a, b, 17, 0x1234, 1,
	    &flow), 1);
	ck_assert_int_eq(flow, 3);
	flowtab_stats(ft, &st);
	ck_assert_uint_eq(st.entries, 1);
	ck_assert_uint_eq(st.frag_entries, 3);
	ck_assert_uint_eq(st.frag_capacity, 128);

	/* the fragment timeout is capped; a lookup does not extend it */
	ck_assert_int_eq(flowtab_frag_find(ft, ADDR_V4, a, b, 17, 0x1234,
	    FLOWTAB_FRAG_TIMEOUT_MS, &flow), 1);
	ck_assert_int_eq(flowtab_frag_find(ft, ADDR_V4, a, b, 17, 0x1234,
	    FLOWTAB_FRAG_TIMEOUT_MS + 1, &flow), 0);
	/* a later first fragment with the same id takes over */
	flowtab_frag_add(ft, ADDR_V4, a, b, 17, 0x1234, 5, 70000);
	ck_assert_int_eq(flowtab_frag_find(ft, ADDR_V4, a, b, 17, 0x1234,
	    70001, &flow), 1);
	ck_assert_int_eq(flow, 5);
	flowtab_free(ft);
}
END_TEST

/* --- the memory bound --------------------------------------------------- */

START_TEST(test_memory_bound)
{
	int family = _i == 0 ? ADDR_V4 : ADDR_V6;
	const uint32_t cap = 4096;
	struct flowtab_stats st0, st;
	struct flowtab *ft;
	struct flowtab_key k;
	size_t h0, h1, h2;

	h0 = unit_heap_in_use();
	ft = mk(cap, 60000);
	h1 = unit_heap_in_use();
	flowtab_stats(ft, &st0);
	ck_assert_uint_eq(st0.capacity, cap);
	ck_assert_uint_eq(st0.entries, 0);
	/* the reported bytes are what was allocated (give or take the
	 * allocator's headers and page rounding) */
	ck_assert_msg(h1 - h0 >= st0.bytes && h1 - h0 <= st0.bytes + 16384,
	    "allocated %zu, reported %zu", h1 - h0, st0.bytes);

	for (uint32_t i = 0; i < 10 * cap; i++) {
		k = nth_key(family, i);
		flowtab_add(ft, &k, (int32_t)(i % 1000), 1 + i / 64);
		/* what was just added is always there */
		ck_assert_int_eq(flowtab_find(ft, &k, 1 + i / 64, NULL),
		    (int32_t)(i % 1000));
	}
	h2 = unit_heap_in_use();
	flowtab_stats(ft, &st);
	ck_assert_msg(h2 == h1, "heap grew by %zd bytes", (ssize_t)(h2 - h1));
	ck_assert_uint_eq(st.bytes, st0.bytes);
	ck_assert_uint_le(st.entries, st.capacity);
	/* ten times over, every bucket is full */
	ck_assert_uint_eq(st.entries, cap);
	ck_assert_uint_eq(st.inserts, 10 * cap);
	ck_assert_uint_eq(st.evictions, st.inserts - st.entries);
	ck_assert_uint_eq(st.expirations, 0);
	flowtab_free(ft);
}
END_TEST

START_TEST(test_capacity_rounding)
{
	struct flowtab *ft = mk(10, 1000);
	struct flowtab_stats st;

	flowtab_stats(ft, &st);
	ck_assert_uint_eq(st.capacity, 16);
	ck_assert_uint_eq(st.frag_capacity, 64);
	ck_assert_uint_gt(st.bytes, 16 * sizeof(struct flowtab_key));
	flowtab_free(ft);
}
END_TEST

START_TEST(test_new_errors)
{
	static const struct {
		uint32_t cap, timeout;
		const char *msg;
	} bad[] = {
		{ 0, 1000, "capacity 0 out of range" },
		{ FLOWTAB_MAX_CAPACITY + 1, 1000, "out of range" },
		{ 1024, 0, "timeout" },
	};
	char err[256];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		err[0] = '\0';
		ck_assert(flowtab_new(bad[i].cap, bad[i].timeout, err,
		    sizeof(err)) == NULL);
		ck_assert_msg(strstr(err, bad[i].msg) != NULL, "%s", err);
	}
	flowtab_free(NULL);
}
END_TEST

/*
 * The promise of the policy: a bucket gives up its least recently seen
 * entry.  A connection that keeps sending survives ten times the capacity
 * in new connections; one that went quiet is pushed out; and (the control)
 * the same active connection, not refreshed, is pushed out too.
 */
START_TEST(test_lru_survival)
{
	const uint32_t cap = 64;
	bool refresh = _i == 0;
	struct flowtab *ft = mk(cap, 1000000);
	struct flowtab_key active = key("10.9.9.9", "192.0.2.80", 6, 1111,
	    80);
	struct flowtab_key idle = key("10.9.9.8", "192.0.2.80", 6, 2222, 80);
	struct flowtab_key reply = key("192.0.2.80", "10.9.9.9", 6, 80, 1111);
	struct flowtab_stats st;
	struct flowtab_key k;
	uint64_t now = 1;

	flowtab_add(ft, &active, 1, now);
	flowtab_add(ft, &idle, 2, now);
	for (uint32_t i = 0; i < 10 * cap; i++) {
		now++;
		if (refresh)
			ck_assert_int_eq(flowtab_find(ft, i % 2 ? &active :
			    &reply, now, NULL), 1);
		k = nth_key(ADDR_V4, i);
		flowtab_add(ft, &k, 3, now);
	}
	flowtab_stats(ft, &st);
	ck_assert_uint_ge(st.evictions, 9 * cap);
	ck_assert_int_eq(flowtab_find(ft, &idle, now, NULL), -1);
	ck_assert_int_eq(flowtab_find(ft, &active, now, NULL),
	    refresh ? 1 : -1);
	flowtab_free(ft);
}
END_TEST

/* An insert takes an expired slot before it evicts a live entry. */
START_TEST(test_expired_before_evicted)
{
	const uint32_t cap = 64;
	struct flowtab *ft = mk(cap, 100);
	struct flowtab_stats st0, st;
	struct flowtab_key k;

	for (uint32_t i = 0; i < 10 * cap; i++) {
		k = nth_key(ADDR_V6, i);
		flowtab_add(ft, &k, 0, 0);
	}
	flowtab_stats(ft, &st0);
	ck_assert_uint_eq(st0.entries, cap);
	/* FLOWTAB_WAYS new connections cannot fill any bucket twice over */
	for (uint32_t i = 0; i < FLOWTAB_WAYS; i++) {
		k = nth_key(ADDR_V6, 100000 + i);
		flowtab_add(ft, &k, 0, 1000);
	}
	flowtab_stats(ft, &st);
	ck_assert_uint_eq(st.evictions, st0.evictions);
	ck_assert_uint_ge(st.expirations, FLOWTAB_WAYS);
	ck_assert_uint_eq(st.inserts, st0.inserts + FLOWTAB_WAYS);
	for (uint32_t i = 0; i < FLOWTAB_WAYS; i++) {
		k = nth_key(ADDR_V6, 100000 + i);
		ck_assert_int_eq(flowtab_find(ft, &k, 1000, NULL), 0);
	}
	flowtab_free(ft);
}
END_TEST

UNIT_SUITE(flowtab_suite)

static Suite *
flowtab_suite(void)
{
	Suite *s = suite_create("flowtab");
	TCase *tc = tcase_create("flowtab");

	tcase_add_loop_test(tc, test_siphash_vectors, 0,
	    (int)ARRAY_LEN(sip_vectors));
	tcase_add_test(tc, test_siphash_key_random);
	tcase_add_loop_test(tc, test_match, 0, (int)ARRAY_LEN(frames));
	tcase_add_test(tc, test_v4_padding_ignored);
	tcase_add_test(tc, test_timeout_boundary);
	tcase_add_test(tc, test_add_refreshes_and_retags);
	tcase_add_test(tc, test_clock_back);
	tcase_add_test(tc, test_sweep);
	tcase_add_test(tc, test_insert_sweeps);
	tcase_add_test(tc, test_fragments);
	tcase_add_loop_test(tc, test_memory_bound, 0, 2);
	tcase_add_test(tc, test_capacity_rounding);
	tcase_add_test(tc, test_new_errors);
	tcase_add_loop_test(tc, test_lru_survival, 0, 2);
	tcase_add_test(tc, test_expired_before_evicted);
	suite_add_tcase(s, tc);
	return s;
}
