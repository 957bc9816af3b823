/*
 * check_detect — behaviour detection on Internet-zone ingress.
 *
 * A table of traffic patterns (so many hosts, so many ports, a rate, bursts
 * separated by a silence), each with the exact number of events of each kind
 * it must raise: sustained attacks raise one event, attacks after a quiet
 * window raise another, traffic just below a threshold and permitted
 * traffic raise none.  Then the boundaries at the millisecond (the window,
 * the one-second flood interval, the re-arming), the fields of events,
 * deferred events, the source table's eviction and its fixed memory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "detect.h"
#include "unit.h"

/* --- heap in use, to show that nothing is allocated per frame ----------- */


#define NK (DETECT_FLOOD + 1)
#define W 2000
#define PORTS 20
#define HOSTS 20
#define PPS 500

static const struct detect_conf base_conf = {
	.scan_ports = PORTS,
	.scan_hosts = HOSTS,
	.window_ms = W,
	.flood_pps = PPS,
	.max_sources = 16,
};

static struct detect *
mk(const struct detect_conf *c)
{
	char err[256];
	struct detect *d = detect_new(c, err, sizeof(err));

	ck_assert_msg(d != NULL, "%s", err);
	return d;
}

struct tally {
	int n[NK];
	struct detect_event last[NK];
	uint64_t when[NK];
};

static int
feed(struct detect *d, const struct detect_pkt *p, uint64_t now,
    struct tally *t)
{
	struct detect_event ev[8];
	int n = detect_packet(d, p, now, ev, (int)ARRAY_LEN(ev));

	ck_assert_int_ge(n, 0);
	ck_assert_int_le(n, 4);
	for (int i = 0; i < n; i++) {
		ck_assert_int_ge(ev[i].kind, DETECT_PORT_SCAN);
		ck_assert_int_le(ev[i].kind, DETECT_FLOOD);
		t->n[ev[i].kind]++;
		t->last[ev[i].kind] = ev[i];
		t->when[ev[i].kind] = now;
	}
	return n;
}

static struct detect_pkt
pkt(const char *src, const char *dst, uint8_t proto, uint16_t dport)
{
	struct detect_pkt p;
	int f;

	memset(&p, 0, sizeof(p));
	f = addr_parse_ip(src, p.src);
	ck_assert_msg(f != 0, "bad address %s", src);
	ck_assert_int_eq(addr_parse_ip(dst, p.dst), f);
	p.family = (uint8_t)f;
	p.proto = proto;
	p.dport = dport;
	return p;
}

/* Host h of the LGWAN-side /16 the scans aim at. */
static void
host_addr(uint8_t a[16], uint32_t h)
{
	memset(a, 0, 16);
	a[0] = 10;
	a[1] = 1;
	a[2] = (uint8_t)(h >> 8);
	a[3] = (uint8_t)h;
}

/* --- traffic patterns --------------------------------------------------- */

static const struct scenario {
	const char *name;
	uint32_t nhosts, nports;	/* frame i: host i % nhosts, port
					 * (i / nhosts) % nports */
	uint32_t rate;			/* frames per second */
	uint32_t ms;			/* length of each burst */
	uint32_t gap;			/* silence between bursts */
	int bursts;
	bool permitted, to_local;
	int want[NK];
} scenarios[] = {
	{ "port scan, 200 ports over 4 windows", 1, 200, 100, 4 * W, 0, 1,
	    false, false, { [DETECT_PORT_SCAN] = 1 } },
	{ "port scan again after quiet", 1, 200, 100, 4 * W, 2 * W, 2,
	    false, false, { [DETECT_PORT_SCAN] = 2 } },
	{ "port scan paused briefly", 1, 200, 100, 4 * W, W / 2, 2,
	    false, false, { [DETECT_PORT_SCAN] = 1 } },
	{ "ports just below threshold", 1, PORTS - 1, 200, 10 * W, 0, 1,
	    false, false, { 0 } },
	{ "slow port scan below threshold", 1, 200, 9, 10 * W, 0, 1,
	    false, false, { 0 } },
	{ "slow port scan at threshold", 1, 200, 10, 10 * W, 0, 1,
	    false, false, { [DETECT_PORT_SCAN] = 1 } },
	{ "address scan, 200 hosts over 4 windows", 200, 1, 100, 4 * W, 0, 1,
	    false, false, { [DETECT_ADDR_SCAN] = 1 } },
	{ "address scan again after quiet", 200, 1, 100, 4 * W, 2 * W, 2,
	    false, false, { [DETECT_ADDR_SCAN] = 2 } },
	{ "address scan paused briefly", 200, 1, 100, 4 * W, W / 2, 2,
	    false, false, { [DETECT_ADDR_SCAN] = 1 } },
	{ "hosts just below threshold", HOSTS - 1, 1, 200, 10 * W, 0, 1,
	    false, false, { 0 } },
	{ "ports of 10 hosts interleaved", 10, 30, 200, 4 * W, 0, 1,
	    false, false, { [DETECT_PORT_SCAN] = 1 } },
	{ "both just below, interleaved", HOSTS - 1, PORTS - 1, 400, 10 * W,
	    0, 1, false, false, { 0 } },
	{ "permitted traffic never scans", 50, 50, 400, 10 * W, 0, 1,
	    true, false, { 0 } },
	{ "flood at 10x over 4 windows", 1, 1, 10 * PPS, 4 * W, 0, 1,
	    true, false, { [DETECT_FLOOD] = 1 } },
	{ "flood again after quiet", 1, 1, 10 * PPS, 4 * W, W + 1000, 2,
	    true, false, { [DETECT_FLOOD] = 2 } },
	{ "flood paused briefly", 1, 1, 10 * PPS, 4 * W, W / 2, 2,
	    true, false, { [DETECT_FLOOD] = 1 } },
	{ "rate just below flood", 1, 1, PPS - 1, 10 * W, 0, 1,
	    false, false, { 0 } },
	{ "rate at flood threshold", 1, 1, PPS, 10 * W, 0, 1,
	    true, false, { [DETECT_FLOOD] = 1 } },
	{ "lgwan probes over 4 windows", 1, 1, 10, 4 * W, 0, 1,
	    false, true, { [DETECT_LGWAN_PROBE] = 1 } },
	{ "lgwan probes again after quiet", 1, 1, 10, 4 * W, W, 2,
	    false, true, { [DETECT_LGWAN_PROBE] = 2 } },
	{ "lgwan probes paused briefly", 1, 1, 10, 4 * W, W - 1, 2,
	    false, true, { [DETECT_LGWAN_PROBE] = 1 } },
	{ "permitted to lgwan is no probe", 1, 1, 10, 4 * W, 0, 1,
	    true, true, { 0 } },
	{ "probe sweep: probe and address scan", 200, 1, 100, 4 * W, 0, 1,
	    false, true, { [DETECT_LGWAN_PROBE] = 1, [DETECT_ADDR_SCAN] = 1 } },
};

START_TEST(test_scenario)
{
	const struct scenario *sc = &scenarios[_i];
	struct detect *d = mk(&base_conf);
	struct tally t = { 0 };
	struct detect_pkt p = pkt("203.0.113.7", "10.1.0.1", 6, 1);
	uint64_t base = 5000, now, last = base;
	uint32_t src;
	uint64_t ev;
	size_t h0 = unit_heap_in_use(), mem = detect_mem(d);

	p.permitted = sc->permitted;
	p.to_local = sc->to_local;
	for (int b = 0; b < sc->bursts; b++) {
		for (uint64_t i = 0;; i++) {
			now = base + i * 1000 / sc->rate;
			if (now >= base + sc->ms)
				break;
			host_addr(p.dst, (uint32_t)(i % sc->nhosts));
			p.dport = (uint16_t)(1 + (i / sc->nhosts) %
			    sc->nports);
			feed(d, &p, now, &t);
			last = now;
		}
		base = last + sc->gap;
	}
	for (int k = DETECT_PORT_SCAN; k < NK; k++)
		ck_assert_msg(t.n[k] == sc->want[k], "%s: %d %s events, want "
		    "%d", sc->name, t.n[k], detect_kind_str(k), sc->want[k]);
	detect_stats(d, &src, &ev);
	ck_assert_uint_eq(src, 1);
	ck_assert_uint_eq(ev, 0);
	ck_assert_uint_eq(detect_mem(d), mem);
	ck_assert_msg(unit_heap_in_use() == h0, "%s: heap grew", sc->name);
	detect_free(d);
}
END_TEST

/* --- boundaries --------------------------------------------------------- */

/* PORTS-1 ports at t, the last one at t + dt: a port scan iff dt < W.  The
 * same for hosts. */
START_TEST(test_window_boundary)
{
	static const struct {
		bool hosts;
		uint64_t dt;
		int want;
	} cases[] = {
		{ false, W - 1, 1 }, { false, W, 0 },
		{ true, W - 1, 1 }, { true, W, 0 },
	};
	struct detect *d = mk(&base_conf);
	struct detect_pkt p = pkt("203.0.113.7", "10.1.0.1", 17, 1);
	int kind = cases[_i].hosts ? DETECT_ADDR_SCAN : DETECT_PORT_SCAN;
	int lim = cases[_i].hosts ? HOSTS : PORTS;
	struct tally t = { 0 };

	for (int i = 0; i < lim; i++) {
		if (cases[_i].hosts)
			host_addr(p.dst, (uint32_t)i);
		else
			p.dport = (uint16_t)(100 + i);
		feed(d, &p, i < lim - 1 ? 1000 : 1000 + cases[_i].dt, &t);
	}
	ck_assert_int_eq(t.n[kind], cases[_i].want);
	ck_assert_int_eq(t.n[DETECT_PORT_SCAN] + t.n[DETECT_ADDR_SCAN],
	    cases[_i].want);
	detect_free(d);
}
END_TEST

/* PPS-1 frames at t, one more at t + dt: a flood iff dt < 1000. */
START_TEST(test_flood_boundary)
{
	static const struct {
		uint64_t dt;
		int want;
	} cases[] = { { 999, 1 }, { 1000, 0 } };
	struct detect *d = mk(&base_conf);
	struct detect_pkt p = pkt("203.0.113.7", "198.51.100.1", 6, 443);
	struct tally t = { 0 };

	p.permitted = true;
	for (int i = 0; i < PPS - 1; i++)
		feed(d, &p, 1000, &t);
	ck_assert_int_eq(t.n[DETECT_FLOOD], 0);
	feed(d, &p, 1000 + cases[_i].dt, &t);
	ck_assert_int_eq(t.n[DETECT_FLOOD], cases[_i].want);
	detect_free(d);
}
END_TEST

/*
 * Re-arming at the millisecond.  PORTS ports at t = 0..PORTS-1 fire; the
 * count stays at the threshold until the oldest of them is W old (t = W),
 * so the rule re-arms a full window later, at 2W.  A second scan of PORTS
 * new ports all at once at 2W - 1 stays silent; at 2W it fires.  The same
 * for hosts.  The probe rule re-arms W after the last probe (and counts
 * afresh), the flood rule W after the end of the hot one-second interval.
 */
START_TEST(test_rearm_boundary)
{
	bool at = _i % 2 == 1;	/* at the boundary, or 1 ms before */
	int what = _i / 2;	/* port scan, address scan, probe, flood */
	struct detect *d = mk(&base_conf);
	struct detect_pkt p = pkt("203.0.113.7", "10.1.0.1", 6, 1);
	struct tally t = { 0 };
	uint64_t x;
	int kind;

	switch (what) {
	case 0:
	case 1:
		kind = what == 0 ? DETECT_PORT_SCAN : DETECT_ADDR_SCAN;
		for (int i = 0; i < PORTS; i++) {
			if (what == 0)
				p.dport = (uint16_t)(1 + i);
			else
				host_addr(p.dst, (uint32_t)i);
			feed(d, &p, (uint64_t)i, &t);
		}
		ck_assert_int_eq(t.n[kind], 1);
		ck_assert_uint_eq(t.when[kind], PORTS - 1);
		x = 2 * W - (at ? 0 : 1);
		for (int i = 0; i < PORTS; i++) {
			if (what == 0)
				p.dport = (uint16_t)(1000 + i);
			else
				host_addr(p.dst, (uint32_t)(1000 + i));
			feed(d, &p, x, &t);
		}
		break;
	case 2:
		kind = DETECT_LGWAN_PROBE;
		p.to_local = true;
		feed(d, &p, 0, &t);
		feed(d, &p, 150, &t);
		feed(d, &p, 300, &t);
		ck_assert_int_eq(t.n[kind], 1);
		ck_assert_uint_eq(t.last[kind].count, 1);
		feed(d, &p, 300 + W - (at ? 0 : 1), &t);
		ck_assert_uint_eq(t.last[kind].count, 1);
		break;
	default:
		kind = DETECT_FLOOD;
		p.dport = 80;
		for (int i = 0; i < PPS; i++)
			feed(d, &p, (uint64_t)i, &t);	/* interval 0..999 */
		ck_assert_int_eq(t.n[kind], 1);
		x = 1000 + W - (at ? 0 : 1);
		for (int i = 0; i < PPS; i++)
			feed(d, &p, x, &t);
		break;
	}
	ck_assert_msg(t.n[kind] == (at ? 2 : 1), "%s: %d events",
	    detect_kind_str(kind), t.n[kind]);
	detect_free(d);
}
END_TEST

/* A clock that steps back is taken as standing still: it neither erases
 * nor renews state. */
START_TEST(test_clock_back)
{
	struct detect *d = mk(&base_conf);
	struct detect_pkt p = pkt("203.0.113.7", "10.1.0.1", 6, 1);
	struct tally t = { 0 };

	for (int i = 0; i < PORTS - 1; i++) {
		p.dport = (uint16_t)(1 + i);
		feed(d, &p, 10000, &t);
	}
	p.dport = 500;
	feed(d, &p, 4000, &t);
	ck_assert_int_eq(t.n[DETECT_PORT_SCAN], 1);
	ck_assert_uint_eq(t.last[DETECT_PORT_SCAN].count, PORTS);
	detect_free(d);
}
END_TEST

/* --- events ------------------------------------------------------------- */

START_TEST(test_event_fields)
{
	struct detect *d = mk(&base_conf);
	struct detect_pkt p = pkt("2001:db8:bad::7", "2001:db8:10::1", 6, 1);
	uint8_t host[16];
	struct tally t = { 0 };
	const struct detect_event *e;

	/* a port scan of one host, then an address scan, in IPv6 */
	for (int i = 0; i < PORTS; i++) {
		p.dport = (uint16_t)(10 + i);
		feed(d, &p, 100 + (uint64_t)i, &t);
	}
	e = &t.last[DETECT_PORT_SCAN];
	ck_assert_int_eq(t.n[DETECT_PORT_SCAN], 1);
	ck_assert_int_eq(e->kind, DETECT_PORT_SCAN);
	ck_assert_int_eq(e->family, ADDR_V6);
	ck_assert_mem_eq(e->src, p.src, 16);
	ck_assert_mem_eq(e->dst, p.dst, 16);
	ck_assert_uint_eq(e->count, PORTS);
	ck_assert_uint_eq(e->window_ms, W);
	for (int i = 1; i < HOSTS; i++) {
		p.dst[15] = (uint8_t)(1 + i);
		memcpy(host, p.dst, 16);
		feed(d, &p, 200 + (uint64_t)i, &t);
	}
	e = &t.last[DETECT_ADDR_SCAN];
	ck_assert_int_eq(t.n[DETECT_ADDR_SCAN], 1);
	ck_assert_uint_eq(e->count, HOSTS);
	ck_assert_mem_eq(e->dst, host, 16);	/* the latest host */
	ck_assert_str_eq(detect_kind_str(e->kind), "address-scan");
	detect_free(d);

	/* a probe and a flood, in IPv4: the unused address bytes are not
	 * part of the source or target */
	d = mk(&base_conf);
	memset(&t, 0, sizeof(t));
	p = pkt("203.0.113.9", "10.2.0.5", 17, 53);
	p.src[7] = 0xee;
	p.dst[9] = 0xee;
	p.to_local = true;
	feed(d, &p, 0, &t);
	e = &t.last[DETECT_LGWAN_PROBE];
	ck_assert_int_eq(t.n[DETECT_LGWAN_PROBE], 1);
	ck_assert_int_eq(e->family, ADDR_V4);
	ck_assert_uint_eq(addr_v4(e->src), 0xcb007109);
	ck_assert_int_eq(e->src[7], 0);
	ck_assert_uint_eq(addr_v4(e->dst), 0x0a020005);
	ck_assert_int_eq(e->dst[9], 0);
	ck_assert_uint_eq(e->count, 1);
	p.to_local = false;
	p.permitted = true;
	for (int i = 1; i < PPS; i++) {
		p.src[7] = (uint8_t)i;	/* still the same source */
		feed(d, &p, (uint64_t)i, &t);
	}
	e = &t.last[DETECT_FLOOD];
	ck_assert_int_eq(t.n[DETECT_FLOOD], 1);
	ck_assert_uint_eq(e->count, PPS);
	ck_assert_uint_eq(e->window_ms, 1000);
	detect_free(d);
}
END_TEST

/* An event that finds no room stays armed and comes with the next frame
 * that still meets its rule. */
START_TEST(test_no_room_defers)
{
	struct detect *d = mk(&base_conf);
	struct detect_pkt p = pkt("203.0.113.7", "10.1.0.1", 6, 1);
	struct detect_event ev[4];
	int n = 0;

	for (int i = 0; i < PORTS; i++) {
		p.dport = (uint16_t)(1 + i);
		ck_assert_int_eq(detect_packet(d, &p, (uint64_t)i,
		    i % 2 ? NULL : ev, 0), 0);
	}
	p.dport = 1;	/* seen before: the count stays at PORTS */
	n = detect_packet(d, &p, 50, ev, 4);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(ev[0].kind, DETECT_PORT_SCAN);
	ck_assert_int_eq(detect_packet(d, &p, 51, ev, 4), 0);
	detect_free(d);
}
END_TEST

/* Distinct ports are distinct (protocol, port); families are apart. */
START_TEST(test_keys)
{
	struct detect *d = mk(&base_conf);
	struct detect_pkt p = pkt("203.0.113.7", "10.1.0.1", 6, 1);
	struct detect_pkt q = pkt("cb00:7107::", "2001:db8::1", 6, 1);
	struct tally t = { 0 };

	/* half the ports from a v4 source, half from the v6 source whose
	 * first four bytes are the same: nothing */
	for (int i = 0; i < PORTS / 2; i++) {
		p.dport = q.dport = (uint16_t)(1 + i);
		feed(d, &p, (uint64_t)i, &t);
		feed(d, &q, (uint64_t)i, &t);
	}
	ck_assert_int_eq(t.n[DETECT_PORT_SCAN], 0);
	/* the same port numbers over UDP complete the v4 scan */
	p.proto = 17;
	for (int i = 0; i < PORTS / 2; i++) {
		p.dport = (uint16_t)(1 + i);
		feed(d, &p, 100 + (uint64_t)i, &t);
	}
	ck_assert_int_eq(t.n[DETECT_PORT_SCAN], 1);
	ck_assert_int_eq(t.last[DETECT_PORT_SCAN].family, ADDR_V4);
	detect_free(d);
}
END_TEST

/* Thresholds of 0 turn rules off. */
START_TEST(test_rules_off)
{
	struct detect_conf c = { .window_ms = W, .max_sources = 4 };
	struct detect *d = mk(&c);
	struct detect_pkt p = pkt("203.0.113.7", "10.1.0.1", 6, 1);
	struct tally t = { 0 };

	for (uint32_t i = 0; i < 5000; i++) {
		host_addr(p.dst, i % 300);
		p.dport = (uint16_t)i;
		feed(d, &p, i / 10, &t);
	}
	p.to_local = true;
	feed(d, &p, 600, &t);
	ck_assert_int_eq(t.n[DETECT_PORT_SCAN] + t.n[DETECT_ADDR_SCAN] +
	    t.n[DETECT_FLOOD], 0);
	ck_assert_int_eq(t.n[DETECT_LGWAN_PROBE], 1);
	detect_free(d);

	/* ports alone still find a port scan among many hosts */
	c.scan_ports = PORTS;
	d = mk(&c);
	memset(&t, 0, sizeof(t));
	for (uint32_t i = 0; i < 1000; i++) {
		host_addr(p.dst, i % 8);
		p.dport = (uint16_t)(i / 8);
		feed(d, &p, i, &t);
	}
	ck_assert_int_eq(t.n[DETECT_PORT_SCAN], 1);
	ck_assert_int_eq(t.n[DETECT_ADDR_SCAN], 0);
	detect_free(d);
}
END_TEST

/* --- the source table --------------------------------------------------- */

static void
source_addr(struct detect_pkt *p, uint32_t i)
{
	p->src[0] = 198;
	p->src[1] = 18;
	p->src[2] = (uint8_t)(i >> 8);
	p->src[3] = (uint8_t)i;
}

START_TEST(test_source_eviction)
{
	struct detect_conf c = base_conf;
	struct detect *d;
	struct detect_pkt p = pkt("198.18.0.0", "10.1.0.1", 6, 1);
	struct tally t = { 0 };
	size_t h0, mem;
	uint32_t n;
	uint64_t ev;

	c.max_sources = 64;
	d = mk(&c);
	h0 = unit_heap_in_use();
	mem = detect_mem(d);
	ck_assert_uint_eq(mem, detect_mem_for(&c));

	/* 10x the table in live sources, each scanning a little */
	for (uint32_t i = 0; i < 10 * c.max_sources; i++) {
		source_addr(&p, i);
		for (int j = 0; j < 5; j++) {
			p.dport = (uint16_t)(1 + j);
			host_addr(p.dst, (uint32_t)j);
			feed(d, &p, 1000 + i, &t);
		}
	}
	detect_stats(d, &n, &ev);
	ck_assert_uint_eq(n, c.max_sources);
	ck_assert_uint_eq(ev, 9 * c.max_sources);
	ck_assert_uint_eq(detect_mem(d), mem);
	ck_assert_msg(unit_heap_in_use() == h0, "heap grew");
	ck_assert_int_eq(t.n[DETECT_PORT_SCAN] + t.n[DETECT_ADDR_SCAN], 0);

	/* sources idle past the window (and the re-arming after it) are let
	 * go, two a frame, not evicted */
	for (uint32_t i = 0; i < c.max_sources; i++) {
		source_addr(&p, 5000 + i);
		feed(d, &p, 1000 + 10 * c.max_sources + 2 * W + 1000, &t);
		detect_stats(d, &n, &ev);
		if (i < c.max_sources / 2)
			ck_assert_uint_eq(n, c.max_sources - i - 1);
	}
	detect_stats(d, &n, &ev);
	ck_assert_uint_eq(n, c.max_sources);
	ck_assert_uint_eq(ev, 9 * c.max_sources);

	/* a source that keeps sending survives a crowd of new ones */
	for (uint32_t i = 0; i < 10 * c.max_sources; i++) {
		source_addr(&p, 9000);
		p.dport = (uint16_t)(1 + i % 200);
		host_addr(p.dst, 1);
		feed(d, &p, 10000 + i, &t);
		source_addr(&p, 10000 + i);
		feed(d, &p, 10000 + i, &t);
	}
	ck_assert_int_eq(t.n[DETECT_PORT_SCAN], 1);
	ck_assert_msg(unit_heap_in_use() == h0, "heap grew");
	detect_free(d);
}
END_TEST

START_TEST(test_new_errors)
{
	static const struct {
		struct detect_conf c;
		const char *msg;
	} bad[] = {
		{ { .scan_ports = 5, .max_sources = 10 }, "window" },
		{ { .window_ms = 100 }, "at least one source" },
		{ { .scan_ports = 70000, .window_ms = 100, .max_sources = 1 },
		    "above 65535" },
		{ { .scan_hosts = (1U << 24) + 1, .window_ms = 100,
		    .max_sources = 1 }, "above" },
		{ { .scan_ports = 1000, .scan_hosts = 1000, .window_ms = 100,
		    .max_sources = 100 }, "MiB" },
		{ { .scan_ports = 25, .scan_hosts = 25, .window_ms = 100,
		    .max_sources = 1U << 30 }, "MiB" },
	};
	char err[256];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		err[0] = '\0';
		ck_assert(detect_new(&bad[i].c, err, sizeof(err)) == NULL);
		ck_assert_msg(strstr(err, bad[i].msg) != NULL, "%zu: %s", i,
		    err);
	}
	ck_assert_uint_eq(detect_mem_for(&bad[2].c), SIZE_MAX);
	detect_free(NULL);
}
END_TEST

START_TEST(test_kind_str)
{
	ck_assert_str_eq(detect_kind_str(DETECT_PORT_SCAN), "port-scan");
	ck_assert_str_eq(detect_kind_str(DETECT_ADDR_SCAN), "address-scan");
	ck_assert_str_eq(detect_kind_str(DETECT_LGWAN_PROBE), "lgwan-probe");
	ck_assert_str_eq(detect_kind_str(DETECT_FLOOD), "flood");
}
END_TEST

UNIT_SUITE(detect_suite)

static Suite *
detect_suite(void)
{
	Suite *s = suite_create("detect");
	TCase *tc = tcase_create("patterns");

	tcase_add_loop_test(tc, test_scenario, 0, (int)ARRAY_LEN(scenarios));
	suite_add_tcase(s, tc);
	tc = tcase_create("boundaries");
	tcase_add_loop_test(tc, test_window_boundary, 0, 4);
	tcase_add_loop_test(tc, test_flood_boundary, 0, 2);
	tcase_add_loop_test(tc, test_rearm_boundary, 0, 8);
	tcase_add_test(tc, test_clock_back);
	suite_add_tcase(s, tc);
	tc = tcase_create("api");
	tcase_add_test(tc, test_event_fields);
	tcase_add_test(tc, test_no_room_defers);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_rules_off);
	tcase_add_test(tc, test_source_eviction);
	tcase_add_test(tc, test_new_errors);
	tcase_add_test(tc, test_kind_str);
	suite_add_tcase(s, tc);
	return s;
}
