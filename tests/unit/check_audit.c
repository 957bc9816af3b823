/*
 * check_audit — the offline audit of captures (lib/audit.c).
 *
 * Every test writes its own capture: frames described here (struct fd)
 * and built by tests/common/frames.c (Ethernet, 802.1Q and QinQ tags, IPv4
 * with fragments, IPv6 with a fragment header, TCP, UDP, ICMP and ICMPv6
 * with quoted packets), written with libpcap's pcap_dump (or, for pcapng,
 * block by block here: libpcap 1.10 has no public pcapng writer).  The
 * expected results come from the policies and DESIGN §6 — frames,
 * crossings, permitted and replies, and the exact list of violating flows
 * with their first and last frame, counts, bytes and reasons — never from
 * a run of the code.
 *
 * Policies: conf/alpha.conf (zones mynumber 10.10/16, lgwan 10.20/16
 * 10.200/16 fd00:20::/48, internet the rest; flows browse lg-terms
 * 10.20.100.0/24 -> rds 192.0.2.40 tcp+udp/3389, mail-in 192.0.2.26 ->
 * 10.20.1.25 tcp/25, atena-chukan 10.10.1.20 -> 10.200.5.10 tcp/443 with
 * atena pinned to 02:00:0a:0a:01:14, pittari-feed 10.200.6.20 -> kikan
 * 10.10.2.10 tcp/443 with kikan pinned to 02:00:0a:0a:02:0a), and LAB
 * below for ICMP, UDP and IPv6.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <pcap/pcap.h>

#include "addr.h"
#include "audit.h"
#include "classify.h"
#include "conf.h"
#include "diag.h"
#include "frames.h"
#include "policy.h"
#include "unit.h"

#define NOW ((time_t)1795219200)	/* 2026-11-21T00:00:00Z */
#define T0 ((time_t)1795222800)		/* 2026-11-21T10:00:00+09:00 */

#define TCP 6
#define UDP 17
#define ICMP 1
#define ICMP6 58
#define SYN 0x02
#define ACK 0x10
#define SA (SYN | ACK)
#define PA 0x18
#define FA 0x11

/* Frame sizes (Ethernet, no tag; P bytes of payload after L4). */
#define TCP4(P) (54 + (P))
#define UDP4(P) (42 + (P))
#define ICMP4(P) (42 + (P))
#define TCP6(P) (74 + (P))

static const char LAB[] =
    "version = 1; model = \"alpha\";\n"
    "zones = {\n"
    "  a = { kind = \"lgwan\"; interfaces = \"a0\"; networks = "
    "[ \"10.1.0.0/16\", \"fd00:1::/48\" ]; };\n"
    "  b = { kind = \"closed\"; interfaces = \"b0\"; networks = "
    "[ \"10.2.0.0/16\", \"fd00:2::/48\" ]; };\n"
    "};\n"
    "hosts = {\n"
    "  ha = { zone = \"a\"; address = \"10.1.0.10\"; };\n"
    "  hb = { zone = \"b\"; address = \"10.2.0.20\"; };\n"
    "  ha6 = { zone = \"a\"; address = \"fd00:1::10\"; };\n"
    "  hb6 = { zone = \"b\"; address = \"fd00:2::20\"; };\n"
    "};\n"
    "services = {\n"
    "  ping = { proto = \"icmp\"; types = [ 8 ]; };\n"
    "  ping6 = { proto = \"icmpv6\"; types = [ 128 ]; };\n"
    "  dns = { proto = \"udp\"; ports = [ 53 ]; };\n"
    "  https = { proto = \"tcp\"; ports = [ 443 ]; };\n"
    "};\n"
    "flows = (\n"
    "  { name = \"ab\"; from = \"ha\"; to = \"hb\"; service = "
    "[ \"ping\", \"dns\", \"https\" ]; },\n"
    "  { name = \"ab6\"; from = \"ha6\"; to = \"hb6\"; service = "
    "[ \"ping6\", \"https\" ]; }\n"
    ");\n";

/* --- policies ------------------------------------------------------------ */

static struct policy *pol;
static struct classify *cls;

static void
use_alpha(void)
{
	char err[256];

	pol = unit_load_policy("conf/alpha.conf", NOW);
	cls = classify_build(pol, NOW, err, sizeof(err));
	ck_assert_msg(cls != NULL, "%s", err);
}

static void
use_lab(void)
{
	struct diag d;
	char err[256];

	diag_init(&d);
	ck_assert_int_eq(conf_load_string(LAB, "lab.conf", &pol, &d), 0);
	ck_assert_msg(pol != NULL && d.nerrors == 0, "%s",
	    d.n ? d.v[0].message : "no policy");
	diag_free(&d);
	cls = classify_build(pol, NOW, err, sizeof(err));
	ck_assert_msg(cls != NULL, "%s", err);
}

static void
setup(void)
{
	setenv("TZ", "JST-9", 1);
	tzset();
	pol = NULL;
	cls = NULL;
}

static void
teardown(void)
{
	classify_free(cls);
	policy_free(pol);
	cls = NULL;
	pol = NULL;
}

/* --- frames -------------------------------------------------------------- */

enum { NOFRAG = 0, FIRST, LATER };

struct fd {
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;	/* ICMP: id, type */
	uint8_t flags;		/* TCP flags */
	uint8_t code;		/* ICMP code */
	size_t pay;		/* bytes after the L4 header; a later
				 * fragment: its whole payload */
	const uint8_t *quote;	/* ICMP error: the quoted bytes */
	size_t nquote;
	int frag;		/* NOFRAG, FIRST, LATER */
	uint32_t id;		/* IP id / IPv6 fragment id */
	uint16_t fragoff;	/* bytes, multiple of 8 */
	const char *smac;	/* NULL: 02:00:00:00:00:01 */
	int nvlan;
	uint16_t vlan[2];
	int qinq;		/* outer tag 0x88a8 */
	size_t caplen;		/* 0: the whole frame */
};

/* The frame of f into b (raw: IP without a link header); its length. */
static size_t
build(const struct fd *f, uint8_t *b, int raw)
{
	bool icmp = (f->proto == ICMP || f->proto == ICMP6) &&
	    f->frag != LATER;
	struct frames_spec s = {
		.raw = raw,
		.dst_mac = { 2, 0, 0, 0, 0, 0xfe },
		.nvlan = f->nvlan,
		.vlan = { f->vlan[0], f->vlan[1] },
		.qinq = f->qinq,
		.proto = f->proto,
		.ip_id = f->id,
		.frag = f->frag == FIRST ? FRAMES_FIRST : f->frag == LATER ?
		    FRAMES_LAST : FRAMES_WHOLE,
		.fragoff = f->fragoff,
		.sport = f->sport,
		.dport = f->dport,
		.seq = 1000,
		.ack = 2000,
		.tcp_flags = f->flags,
		.win = 65535,
		.icmp_type = (uint8_t)f->dport,
		.icmp_code = f->code,
		/* an error's quote: the unused word is 0 */
		.icmp_id = f->quote ? 0 : f->sport,
		.icmp_seq = f->quote ? 0 : 1,
		.data = icmp ? f->quote : NULL,
		.ndata = icmp && f->quote ? f->nquote : 0,
		.fill = 0x5a,
		.nfill = f->pay,
	};
	struct frame fr;
	int fam = addr_parse_ip(f->src, s.src);

	ck_assert_msg(fam != 0 && addr_parse_ip(f->dst, s.dst) == fam,
	    "%s %s", f->src, f->dst);
	s.family = fam;
	ck_assert(mac_parse(f->smac ? f->smac : "02:00:00:00:00:01",
	    s.src_mac, NULL, 0) == 0);
	frames_build(&fr, &s);
	memcpy(b, fr.b, fr.len);
	return fr.len;
}

/* The quote of an ICMP error: the IP header and 8 bytes of its L4. */
static size_t
quote_of(const struct fd *f, uint8_t *q)
{
	uint8_t b[2048];
	size_t n = build(f, b, 1);
	size_t hl = (b[0] >> 4) == 4 ? 20 : 40;

	ck_assert(n >= hl + 8);
	memcpy(q, b, hl + 8);
	return hl + 8;
}

/* --- capture writer -------------------------------------------------------- */

struct cap {
	pcap_t *pd;
	pcap_dumper_t *d;
	FILE *ng;		/* pcapng: written by hand */
	char path[PATH_MAX];
	int raw;
	uint64_t n;		/* frames written */
	long long usec;		/* time of the next frame after T0 */
	long offs[64];		/* file offset of frame i+1 (first 64) */
};

static void
cap_begin(struct cap *c, const char *name, int dlt)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", unit_tmpfile(name, ""));
	c->raw = dlt != DLT_EN10MB;
	c->pd = pcap_open_dead(dlt, 65535);
	ck_assert(c->pd != NULL);
	c->d = pcap_dump_open(c->pd, c->path);
	ck_assert_msg(c->d != NULL, "%s", pcap_geterr(c->pd));
}

static void
ng_block(FILE *fp, uint32_t type, const void *body, size_t n)
{
	uint32_t len = (uint32_t)(12 + ((n + 3) & ~(size_t)3));
	static const uint8_t zero[4];

	ck_assert(fwrite(&type, 4, 1, fp) == 1);
	ck_assert(fwrite(&len, 4, 1, fp) == 1);
	ck_assert(fwrite(body, 1, n, fp) == n);
	if (n & 3)
		ck_assert(fwrite(zero, 1, 4 - (n & 3), fp) == 4 - (n & 3));
	ck_assert(fwrite(&len, 4, 1, fp) == 1);
}

/* pcapng (host byte order): section header, one Ethernet interface with
 * the default microsecond resolution, then enhanced packet blocks. */
static void
cap_begin_ng(struct cap *c, const char *name)
{
	struct { uint32_t magic; uint16_t major, minor; int64_t slen; }
	    __attribute__((packed)) shb = { 0x1a2b3c4d, 1, 0, -1 };
	struct { uint16_t lt, res; uint32_t snap; } idb = { 1, 0, 65535 };

	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", unit_tmpfile(name, ""));
	ck_assert((c->ng = fopen(c->path, "wb")) != NULL);
	ng_block(c->ng, 0x0a0d0d0a, &shb, sizeof(shb));
	ng_block(c->ng, 1, &idb, sizeof(idb));
}

static uint64_t
cap_bytes(struct cap *c, const uint8_t *b, size_t len, size_t caplen)
{
	long long t = (long long)T0 * 1000000 + c->usec;

	if (caplen == 0 || caplen > len)
		caplen = len;
	if (c->n < 64)
		c->offs[c->n] = c->ng ? ftell(c->ng) : pcap_dump_ftell(c->d);
	if (c->ng) {
		uint8_t body[2100];
		uint32_t h[5] = { 0, (uint32_t)(t >> 32), (uint32_t)t,
		    (uint32_t)caplen, (uint32_t)len };
		memcpy(body, h, sizeof(h));
		memcpy(body + sizeof(h), b, caplen);
		ng_block(c->ng, 6, body, sizeof(h) + caplen);
	} else {
		struct pcap_pkthdr ph;
		ph.ts.tv_sec = (time_t)(t / 1000000);
		ph.ts.tv_usec = (suseconds_t)(t % 1000000);
		ph.caplen = (bpf_u_int32)caplen;
		ph.len = (bpf_u_int32)len;
		pcap_dump((u_char *)c->d, &ph, b);
	}
	c->usec += 1000;
	return ++c->n;
}

/* Add frame f; returns its number (1-based). */
static uint64_t
cap_add(struct cap *c, const struct fd *f)
{
	uint8_t b[2100];
	size_t n = build(f, b, c->raw);

	return cap_bytes(c, b, n, f->caplen);
}

/* ADD(&c, src, dst, proto, sport, dport, flags, .field = ...): the
 * leading fields by position, the rest left zero on purpose. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define ADD(c, ...) cap_add((c), &(struct fd){ __VA_ARGS__ })

static void
cap_end(struct cap *c)
{
	if (c->ng) {
		ck_assert(fclose(c->ng) == 0);
		c->ng = NULL;
		return;
	}
	pcap_dump_close(c->d);
	pcap_close(c->pd);
}

static const uint8_t ARP[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06,
	0, 1, 0x08, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 20, 1, 5,
	0, 0, 0, 0, 0, 0, 10, 20, 1, 1,
};

/* --- running and checking ---------------------------------------------------- */

static int
run(const struct cap *c, int zone, size_t maxv, struct audit_result *r,
    char *err, size_t errlen)
{
	struct audit_opts o = { zone, maxv, false };

	err[0] = '\0';
	return audit_file(c->path, pol, cls, &o, r, err, errlen);
}

static void
run_ok(const struct cap *c, int zone, struct audit_result *r)
{
	char err[512];

	ck_assert_msg(run(c, zone, 0, r, err, sizeof(err)) == 0, "%s", err);
}

struct xv {
	uint64_t first, last, frames, bytes;
	const char *proto;
	const char *src;
	int sport;		/* -1: none */
	const char *dst;
	int dport;		/* -1: none */
	const char *from, *to;	/* NULL: no zone */
	const char *reason;
	const char *explain;	/* substring, or NULL */
};

static const char *
zname(int z)
{
	return z >= 0 ? pol->zones[z].name : NULL;
}

static int
streq0(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static void
dump(const struct audit_result *r, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < r->nv; i++) {
		char line[1024];
		size_t used = strlen(buf);
		audit_format_violation(&r->v[i], pol, line, sizeof(line));
		snprintf(buf + used, len - used, "\n  %s", line);
	}
}

static void
check_v(const struct audit_result *r, const struct xv *x, size_t n)
{
	char all[8192];

	dump(r, all, sizeof(all));
	ck_assert_msg(r->nv == n, "%zu violating flows, want %zu:%s", r->nv,
	    n, all);
	for (size_t i = 0; i < n; i++) {
		const struct audit_violation *v = &r->v[i];
		char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
		int sp = v->l4 == AUDIT_L4_NONE ? -1 : v->sport;
		int dp = v->l4 == AUDIT_L4_NONE ? -1 : v->dport;

		addr_format_ip(v->family, v->src, s, sizeof(s));
		addr_format_ip(v->family, v->dst, d, sizeof(d));
		ck_assert_msg(v->first_frame == x[i].first &&
		    v->last_frame == x[i].last && v->frames == x[i].frames &&
		    v->bytes == x[i].bytes &&
		    strcmp(policy_proto_str(v->proto, false), x[i].proto) == 0 &&
		    strcmp(s, x[i].src) == 0 && sp == x[i].sport &&
		    strcmp(d, x[i].dst) == 0 && dp == x[i].dport &&
		    streq0(zname(v->from_zone), x[i].from) &&
		    streq0(zname(v->to_zone), x[i].to) &&
		    strcmp(audit_reason_str(v->reason), x[i].reason) == 0,
		    "flow %zu: want frames %llu-%llu count %llu bytes %llu %s "
		    "%s:%d -> %s:%d %s -> %s %s; got:%s", i,
		    (unsigned long long)x[i].first,
		    (unsigned long long)x[i].last,
		    (unsigned long long)x[i].frames,
		    (unsigned long long)x[i].bytes, x[i].proto, x[i].src,
		    x[i].sport, x[i].dst, x[i].dport,
		    x[i].from ? x[i].from : "-", x[i].to ? x[i].to : "-",
		    x[i].reason, all);
		if (x[i].explain)
			ck_assert_msg(strstr(v->explain, x[i].explain) != NULL,
			    "flow %zu: explain \"%s\" lacks \"%s\"", i,
			    v->explain, x[i].explain);
	}
}

static void
check_counts(const struct audit_result *r, uint64_t frames,
    uint64_t crossings, uint64_t permitted, uint64_t replies,
    uint64_t violating)
{
	char all[8192];

	dump(r, all, sizeof(all));
	ck_assert_msg(r->frames == frames && r->crossings == crossings &&
	    r->permitted == permitted && r->replies == replies &&
	    r->violating == violating,
	    "frames %llu crossings %llu permitted %llu replies %llu "
	    "violating %llu; want %llu %llu %llu %llu %llu:%s",
	    (unsigned long long)r->frames, (unsigned long long)r->crossings,
	    (unsigned long long)r->permitted, (unsigned long long)r->replies,
	    (unsigned long long)r->violating, (unsigned long long)frames,
	    (unsigned long long)crossings, (unsigned long long)permitted,
	    (unsigned long long)replies, (unsigned long long)violating, all);
	ck_assert_uint_eq(r->crossings,
	    r->permitted + r->replies + r->violating);
}

/* --- permitted traffic ---------------------------------------------------------- */

/*
 * Whole conversations of alpha's flows, both directions: no violation.
 * Frames inside one zone and ARP are counted but are not crossings.
 */
START_TEST(test_permitted_both_ways)
{
	struct cap c;
	struct audit_result r;

	use_alpha();
	cap_begin(&c, "ok.pcap", DLT_EN10MB);
	/* browse: lg-terms -> rds tcp/3389 */
	ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, SYN);	/* P */
	ADD(&c, "192.0.2.40", "10.20.100.5", TCP, 3389, 50000, SA);	/* R */
	ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, ACK);	/* P */
	ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, PA,
	    .pay = 100);						/* P */
	ADD(&c, "192.0.2.40", "10.20.100.5", TCP, 3389, 50000, PA,
	    .pay = 1000);						/* R */
	cap_bytes(&c, ARP, sizeof(ARP), 0);				/* - */
	/* browse over UDP */
	ADD(&c, "10.20.100.6", "192.0.2.40", UDP, 50001, 3389, .pay = 20);
	ADD(&c, "192.0.2.40", "10.20.100.6", UDP, 3389, 50001, .pay = 20);
	/* inside lgwan: no crossing */
	ADD(&c, "10.20.1.25", "10.20.100.5", TCP, 25, 40000, PA, .pay = 5);
	/* mail-in: mailrelay -> lg-mail tcp/25 */
	ADD(&c, "192.0.2.26", "10.20.1.25", TCP, 41000, 25, SYN);	/* P */
	ADD(&c, "10.20.1.25", "192.0.2.26", TCP, 25, 41000, SA);	/* R */
	/* atena-chukan, pinned MAC right (no --zone here) */
	ADD(&c, "10.10.1.20", "10.200.5.10", TCP, 40000, 443, SYN,
	    .smac = "02:00:0a:0a:01:14");				/* P */
	ADD(&c, "10.200.5.10", "10.10.1.20", TCP, 443, 40000, SA);	/* R */
	ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, FA);	/* P */
	ADD(&c, "192.0.2.40", "10.20.100.5", TCP, 3389, 50000, FA);	/* R */
	cap_end(&c);

	run_ok(&c, -1, &r);
	check_counts(&r, 15, 13, 7, 6, 0);
	ck_assert_uint_eq(r.ip_frames, 14);
	ck_assert_uint_eq(r.unparsed, 0);
	ck_assert_int_eq(r.linktype, DLT_EN10MB);
	ck_assert(!r.truncated_list);
	check_v(&r, NULL, 0);
	audit_result_free(&r);
}
END_TEST

/* --- violations -------------------------------------------------------------------- */

/*
 * My Number -> Internet, LGWAN -> Internet direct, a wrong port, and a
 * SYN in the reply direction of a permitted flow, among permitted frames;
 * repeated frames of one flow make one line.
 */
START_TEST(test_violations)
{
	static const struct xv want[] = {
		{ 2, 9, 3, TCP4(0) * 2 + TCP4(200), "tcp", "10.10.1.20", 40000,
		  "198.51.100.7", 80, "mynumber", "internet", "no-flow",
		  "the My Number zone never talks to the Internet" },
		{ 3, 3, 1, TCP4(0), "tcp", "10.20.100.5", 41000,
		  "198.51.100.7", 443, "lgwan", "internet", "no-flow",
		  "default deny between zones" },
		{ 5, 7, 2, TCP4(0) * 2, "tcp", "10.20.100.5", 42000,
		  "192.0.2.40", 22, "lgwan", "internet", "no-flow",
		  "flow \"browse\" between these hosts permits tcp/3389, "
		  "udp/3389 only" },
		{ 6, 6, 1, TCP4(0), "tcp", "192.0.2.40", 3389, "10.20.100.5",
		  50001, "internet", "lgwan", "no-flow",
		  "the reverse direction is flow \"browse\"" },
		{ 10, 10, 1, TCP4(0), "tcp", "10.20.1.25", 40001,
		  "192.0.2.99", 25, "lgwan", "internet", "no-flow", NULL },
	};
	struct cap c;
	struct audit_result r;

	use_alpha();
	cap_begin(&c, "bad.pcap", DLT_EN10MB);
	ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, SYN);	/* 1 P */
	ADD(&c, "10.10.1.20", "198.51.100.7", TCP, 40000, 80, SYN,
	    .smac = "02:00:0a:0a:01:14");				/* 2 V */
	ADD(&c, "10.20.100.5", "198.51.100.7", TCP, 41000, 443, SYN);	/* 3 V */
	ADD(&c, "192.0.2.40", "10.20.100.5", TCP, 3389, 50000, SA);	/* 4 R */
	ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 42000, 22, SYN);	/* 5 V */
	/* a SYN from the server side: reversed it is browse, but it opens */
	ADD(&c, "192.0.2.40", "10.20.100.5", TCP, 3389, 50001, SYN);	/* 6 V */
	ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 42000, 22, SYN);	/* 7 V */
	ADD(&c, "10.10.1.20", "198.51.100.7", TCP, 40000, 80, SYN);	/* 8 V */
	ADD(&c, "10.10.1.20", "198.51.100.7", TCP, 40000, 80, PA,
	    .pay = 200);						/* 9 V */
	/* mail-out is lg-mail -> mailrelay: another Internet host is not */
	ADD(&c, "10.20.1.25", "192.0.2.99", TCP, 40001, 25, SYN);	/* 10 V */
	/* the same SYN-ACK as frame 4 passes again */
	ADD(&c, "192.0.2.40", "10.20.100.5", TCP, 3389, 50000, SA);	/* 11 R */
	cap_end(&c);

	run_ok(&c, -1, &r);
	check_counts(&r, 11, 11, 1, 2, 8);
	check_v(&r, want, ARRAY_LEN(want));
	audit_result_free(&r);
}
END_TEST

/* --- UDP and ICMP ------------------------------------------------------------------- */

START_TEST(test_udp_icmp)
{
	static const struct xv want[] = {
		/* an echo request the wrong way: no reply rule for requests */
		{ 5, 5, 1, ICMP4(0), "icmp", "10.2.0.20", 9, "10.1.0.10", 8,
		  "b", "a", "no-flow", "no flow permits b -> a icmp type 8" },
		/* and its answer: reversed, a request nobody permits */
		{ 6, 6, 1, ICMP4(0), "icmp", "10.1.0.10", 9, "10.2.0.20", 0,
		  "a", "b", "no-flow", NULL },
		/* UDP to a port no flow has, either way */
		{ 7, 7, 1, UDP4(10), "udp", "10.1.0.10", 5000, "10.2.0.20",
		  123, "a", "b", "no-flow", NULL },
		/* an ICMP type no flow permits and that is no reply */
		{ 8, 8, 1, ICMP4(0), "icmp", "10.2.0.20", 0, "10.1.0.10", 13,
		  "b", "a", "no-flow", NULL },
	};
	struct cap c;
	struct audit_result r;

	use_lab();
	cap_begin(&c, "udp-icmp.pcap", DLT_EN10MB);
	ADD(&c, "10.1.0.10", "10.2.0.20", UDP, 5353, 53, .pay = 30);	/* 1 P */
	ADD(&c, "10.2.0.20", "10.1.0.10", UDP, 53, 5353, .pay = 90);	/* 2 R */
	ADD(&c, "10.1.0.10", "10.2.0.20", ICMP, 7, 8, .pay = 56);	/* 3 P */
	ADD(&c, "10.2.0.20", "10.1.0.10", ICMP, 7, 0, .pay = 56);	/* 4 R */
	ADD(&c, "10.2.0.20", "10.1.0.10", ICMP, 9, 8);		/* 5 V */
	ADD(&c, "10.1.0.10", "10.2.0.20", ICMP, 9, 0);		/* 6 V */
	ADD(&c, "10.1.0.10", "10.2.0.20", UDP, 5000, 123, .pay = 10);	/* 7 V */
	ADD(&c, "10.2.0.20", "10.1.0.10", ICMP, 0, 13);		/* 8 V */
	/* UDP is stateless: any datagram whose reverse is permitted */
	ADD(&c, "10.2.0.20", "10.1.0.10", UDP, 53, 5999, .pay = 10);	/* 9 R */
	/* ICMPv6 echo both ways */
	ADD(&c, "fd00:1::10", "fd00:2::20", ICMP6, 3, 128);		/* 10 P */
	ADD(&c, "fd00:2::20", "fd00:1::10", ICMP6, 3, 129);		/* 11 R */
	cap_end(&c);

	run_ok(&c, -1, &r);
	check_counts(&r, 11, 11, 3, 4, 4);
	check_v(&r, want, ARRAY_LEN(want));
	audit_result_free(&r);
}
END_TEST

/* ICMP errors pass when the packet they quote belongs to a permitted flow,
 * either way, and was sent by the error's destination. */
START_TEST(test_icmp_errors)
{
	uint8_t q1[64], q2[64], q3[64], q4[64], q5[64], q6[96], q7[64];
	uint8_t q8[2100];
	size_t n1, n2, n3, n4, n5, n6, n7, n8;
	struct cap c;
	struct audit_result r;

	/* quoted: the permitted ha -> hb udp/53 */
	n1 = quote_of(&(struct fd){ "10.1.0.10", "10.2.0.20", UDP, 5353, 53,
	    .pay = 30 }, q1);
	/* quoted: the permitted ha -> hb tcp/443 */
	n2 = quote_of(&(struct fd){ "10.1.0.10", "10.2.0.20", TCP, 40000, 443,
	    SYN }, q2);
	/* quoted: ha -> hb tcp/22, permitted neither way */
	n3 = quote_of(&(struct fd){ "10.1.0.10", "10.2.0.20", TCP, 40001, 22,
	    SYN }, q3);
	/* quoted: a reply hb:443 -> ha:50000 (reversed: ab) */
	n4 = quote_of(&(struct fd){ "10.2.0.20", "10.1.0.10", TCP, 443, 50000,
	    ACK }, q4);
	/* quoted: a permitted packet, but from another host than the
	 * error's destination */
	n5 = quote_of(&(struct fd){ "10.1.0.10", "10.2.0.20", TCP, 40002, 443,
	    SYN }, q5);
	/* quoted: IPv6 ha6 -> hb6 tcp/443 */
	n6 = quote_of(&(struct fd){ "fd00:1::10", "fd00:2::20", TCP, 40003,
	    443, SYN }, q6);
	/* quoted: an echo request ha -> hb (permitted) */
	n7 = quote_of(&(struct fd){ "10.1.0.10", "10.2.0.20", ICMP, 5, 8 },
	    q7);

	use_lab();
	cap_begin(&c, "icmperr.pcap", DLT_EN10MB);
	/* 1: port unreachable from hb about the DNS query: passes */
	ADD(&c, "10.2.0.20", "10.1.0.10", ICMP, 0, 3, .code = 3,
	    .quote = q1, .nquote = n1);
	/* 2: a router of zone b: unreachable about ha's https: passes */
	ADD(&c, "10.2.0.1", "10.1.0.10", ICMP, 0, 3, .code = 1,
	    .quote = q2, .nquote = n2);
	/* 3: about tcp/22: violation */
	ADD(&c, "10.2.0.20", "10.1.0.10", ICMP, 0, 3, .code = 3,
	    .quote = q3, .nquote = n3);
	/* 4: time exceeded, sent from zone a to hb about hb's reply: passes */
	ADD(&c, "10.1.0.1", "10.2.0.20", ICMP, 0, 11, .quote = q4,
	    .nquote = n4);
	/* 5: quotes ha's packet but goes to 10.1.0.99: violation */
	ADD(&c, "10.2.0.20", "10.1.0.99", ICMP, 0, 3, .code = 3,
	    .quote = q5, .nquote = n5);
	/* 6: ICMPv6 destination unreachable (1) about ha6's https: passes */
	ADD(&c, "fd00:2::20", "fd00:1::10", ICMP6, 0, 1, .code = 4,
	    .quote = q6, .nquote = n6);
	/* 7: an error whose quote is cut to 10 bytes: violation */
	ADD(&c, "10.2.0.21", "10.1.0.10", ICMP, 0, 3, .code = 3,
	    .quote = q1, .nquote = 10);
	/* 8: a second tcp/22 error: the same flow as 3 */
	ADD(&c, "10.2.0.20", "10.1.0.10", ICMP, 0, 3, .code = 3,
	    .quote = q3, .nquote = n3);
	/* 9: source quench about an echo request: passes */
	ADD(&c, "10.2.0.20", "10.1.0.10", ICMP, 0, 4, .quote = q7,
	    .nquote = n7);
	/* 10: from an address in no zone: no-zone, whatever it quotes */
	ADD(&c, "192.0.2.1", "10.1.0.10", ICMP, 0, 3, .code = 1,
	    .quote = q2, .nquote = n2);
	/* 11: quoting a whole TCP header: a SYN from hb:443 to ha is an
	 * opener, so the reversed ab does not make it a reply */
	n8 = build(&(struct fd){ "10.2.0.20", "10.1.0.10", TCP, 443, 50001,
	    SYN }, q8, 1);
	ck_assert_uint_eq(n8, 40);
	ADD(&c, "10.1.0.1", "10.2.0.20", ICMP, 0, 11, .quote = q8,
	    .nquote = n8);
	cap_end(&c);

	{
		const struct xv want[] = {
			{ 3, 8, 2, (ICMP4(0) + n3) * 2, "icmp", "10.2.0.20", 0,
			  "10.1.0.10", 3, "b", "a", "icmp-error",
			  "ICMP error quoting tcp 10.1.0.10:40001 -> "
			  "10.2.0.20:22, which no flow permits either way" },
			{ 5, 5, 1, ICMP4(0) + n5, "icmp", "10.2.0.20", 0,
			  "10.1.0.99", 3, "b", "a", "icmp-error",
			  "did not send" },
			{ 7, 7, 1, ICMP4(10), "icmp", "10.2.0.21", 0,
			  "10.1.0.10", 3, "b", "a", "icmp-error",
			  "cannot be read" },
			{ 10, 10, 1, ICMP4(0) + n2, "icmp", "192.0.2.1", 0,
			  "10.1.0.10", 3, NULL, "a", "no-zone",
			  "source 192.0.2.1 lies in no zone" },
			{ 11, 11, 1, ICMP4(40), "icmp", "10.1.0.1", 0,
			  "10.2.0.20", 11, "a", "b", "icmp-error",
			  "quoting tcp 10.2.0.20:443 -> 10.1.0.10:50001" },
		};
		run_ok(&c, -1, &r);
		check_counts(&r, 11, 11, 0, 5, 6);
		check_v(&r, want, ARRAY_LEN(want));
	}
	audit_result_free(&r);
}
END_TEST

/* --- fragments ----------------------------------------------------------------- */

START_TEST(test_fragments)
{
	static const struct xv want[] = {
		/* first fragment and both later ones in one flow */
		{ 3, 5, 3, TCP4(60) + 2 * (34 + 100), "tcp",
		  "10.1.0.10", 1234, "10.2.0.20", 22, "a", "b", "no-flow",
		  NULL },
		{ 6, 6, 1, 34 + 200, "tcp", "10.1.0.10", -1, "10.2.0.20", -1,
		  "a", "b", "fragment-orphan", "first fragment was not seen" },
		/* a later fragment of 100, 40 s after the first: too late */
		{ 79, 79, 1, 34 + 100, "udp", "10.1.0.10", -1, "10.2.0.20",
		  -1, "a", "b", "fragment-orphan", "id 100" },
	};
	struct cap c;
	struct audit_result r;
	uint64_t f;

	use_lab();
	cap_begin(&c, "frag.pcap", DLT_EN10MB);
	/* 1, 2: ha -> hb udp/53 in two fragments: permitted */
	ADD(&c, "10.1.0.10", "10.2.0.20", UDP, 5353, 53, .pay = 1472,
	    .frag = FIRST, .id = 100);
	ADD(&c, "10.1.0.10", "10.2.0.20", UDP, .pay = 100, .frag = LATER,
	    .id = 100, .fragoff = 1480);
	/* 3-5: tcp/22 in three fragments: one violating flow */
	ADD(&c, "10.1.0.10", "10.2.0.20", TCP, 1234, 22, SYN, .pay = 60,
	    .frag = FIRST, .id = 200);
	ADD(&c, "10.1.0.10", "10.2.0.20", TCP, .pay = 100, .frag = LATER,
	    .id = 200, .fragoff = 80);
	ADD(&c, "10.1.0.10", "10.2.0.20", TCP, .pay = 100, .frag = LATER,
	    .id = 200, .fragoff = 180);
	/* 6: a later fragment of a datagram never seen */
	ADD(&c, "10.1.0.10", "10.2.0.20", TCP, .pay = 200, .frag = LATER,
	    .id = 300, .fragoff = 1480);
	/* 7: a reply in two fragments, the later one 70 crossings on
	 * (another batch): both pass as replies */
	ADD(&c, "10.2.0.20", "10.1.0.10", TCP, 443, 50000, ACK, .pay = 1460,
	    .frag = FIRST, .id = 400);
	for (int i = 0; i < 70; i++)					/* 8-77 */
		ADD(&c, "10.1.0.10", "10.2.0.20", TCP, 50000, 443, ACK);
	f = ADD(&c, "10.2.0.20", "10.1.0.10", TCP, .pay = 500,
	    .frag = LATER, .id = 400, .fragoff = 1480);		/* 78 R */
	ck_assert_uint_eq(f, 78);
	c.usec = 40 * 1000000LL;
	ADD(&c, "10.1.0.10", "10.2.0.20", UDP, .pay = 100, .frag = LATER,
	    .id = 100, .fragoff = 1480);				/* 79 V */
	/* 80, 81: IPv6 ha6 -> hb6 https in two fragments: permitted */
	ADD(&c, "fd00:1::10", "fd00:2::20", TCP, 40000, 443, PA, .pay = 1000,
	    .frag = FIRST, .id = 0x12345678);
	ADD(&c, "fd00:1::10", "fd00:2::20", TCP, .pay = 400, .frag = LATER,
	    .id = 0x12345678, .fragoff = 1024);
	cap_end(&c);

	run_ok(&c, -1, &r);
	/* crossings: all 81; violating 3 + 1 + 1; permitted 1, 2, 8-77, 80,
	 * 81; replies 7, 78 */
	check_counts(&r, 81, 81, 74, 2, 5);
	check_v(&r, want, ARRAY_LEN(want));
	audit_result_free(&r);
}
END_TEST

/* --- VLAN and QinQ ------------------------------------------------------------------ */

START_TEST(test_vlan)
{
	static const struct xv want[] = {
		{ 2, 2, 1, TCP4(0) + 4, "tcp", "10.10.1.20", 40000,
		  "198.51.100.7", 80, "mynumber", "internet", "no-flow", NULL },
		{ 5, 5, 1, TCP4(0) + 8, "tcp", "10.20.100.5", 41000,
		  "198.51.100.7", 443, "lgwan", "internet", "no-flow", NULL },
		{ 6, 6, 1, TCP4(0) + 8, "tcp", "10.20.100.5", 42000,
		  "192.0.2.40", 22, "lgwan", "internet", "no-flow", NULL },
	};
	struct cap c;
	struct audit_result r;

	use_alpha();
	cap_begin(&c, "vlan.pcap", DLT_EN10MB);
	ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, SYN,
	    .nvlan = 1, .vlan = { 20 });				/* 1 P */
	ADD(&c, "10.10.1.20", "198.51.100.7", TCP, 40000, 80, SYN,
	    .nvlan = 1, .vlan = { 10 });				/* 2 V */
	ADD(&c, "192.0.2.40", "10.20.100.5", TCP, 3389, 50000, SA,
	    .nvlan = 2, .vlan = { 100, 30 }, .qinq = 1);		/* 3 R */
	ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, ACK,
	    .nvlan = 2, .vlan = { 100, 20 }, .qinq = 1);		/* 4 P */
	ADD(&c, "10.20.100.5", "198.51.100.7", TCP, 41000, 443, SYN,
	    .nvlan = 2, .vlan = { 100, 20 }, .qinq = 1);		/* 5 V */
	ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 42000, 22, SYN,
	    .nvlan = 2, .vlan = { 100, 20 });	/* 6 V: 0x8100 twice */
	cap_end(&c);

	run_ok(&c, -1, &r);
	check_counts(&r, 6, 6, 2, 1, 3);
	check_v(&r, want, ARRAY_LEN(want));
	audit_result_free(&r);
}
END_TEST

/* --- IPv6 ----------------------------------------------------------------------------- */

START_TEST(test_ipv6)
{
	static const struct xv want[] = {
		{ 3, 3, 1, TCP6(0), "tcp", "fd00:1::10", 40001, "fd00:2::20",
		  22, "a", "b", "no-flow", NULL },
		{ 4, 5, 2, TCP6(0) * 2, "tcp", "fd00:1::11", 40002,
		  "fd00:2::20", 443, "a", "b", "no-flow", NULL },
		/* 2001:db8::1 is in no zone of LAB */
		{ 6, 6, 1, TCP6(0), "tcp", "fd00:1::10", 40003, "2001:db8::1",
		  443, "a", NULL, "no-zone", "lies in no zone" },
		/* a SYN from the server side of ab6 */
		{ 9, 9, 1, TCP6(0), "tcp", "fd00:2::20", 443, "fd00:1::10",
		  40000, "b", "a", "no-flow", "reverse direction is flow "
		  "\"ab6\"" },
	};
	struct cap c;
	struct audit_result r;

	use_lab();
	cap_begin(&c, "v6.pcap", DLT_EN10MB);
	ADD(&c, "fd00:1::10", "fd00:2::20", TCP, 40000, 443, SYN);	/* 1 P */
	ADD(&c, "fd00:2::20", "fd00:1::10", TCP, 443, 40000, SA);	/* 2 R */
	ADD(&c, "fd00:1::10", "fd00:2::20", TCP, 40001, 22, SYN);	/* 3 V */
	ADD(&c, "fd00:1::11", "fd00:2::20", TCP, 40002, 443, SYN);	/* 4 V */
	ADD(&c, "fd00:1::11", "fd00:2::20", TCP, 40002, 443, SYN);	/* 5 V */
	ADD(&c, "fd00:1::10", "2001:db8::1", TCP, 40003, 443, SYN);	/* 6 V */
	/* neither address in a zone: no crossing */
	ADD(&c, "2001:db8::2", "2001:db8::1", TCP, 40004, 443, SYN);	/* 7 - */
	/* inside zone a */
	ADD(&c, "fd00:1::10", "fd00:1::11", TCP, 40005, 22, SYN);	/* 8 - */
	/* a SYN from the server */
	ADD(&c, "fd00:2::20", "fd00:1::10", TCP, 443, 40000, SYN);	/* 9 V */
	ADD(&c, "fd00:1::10", "fd00:2::20", TCP, 40000, 443, ACK);	/* 10 P */
	cap_end(&c);

	run_ok(&c, -1, &r);
	check_counts(&r, 10, 8, 2, 1, 5);
	check_v(&r, want, ARRAY_LEN(want));
	audit_result_free(&r);
}
END_TEST

/* Link-scope frames are never crossings, whatever zones their addresses
 * fall in (alpha: the Internet zone is everything else). */
START_TEST(test_link_scope)
{
	struct cap c;
	struct audit_result r;

	use_alpha();
	cap_begin(&c, "local.pcap", DLT_EN10MB);
	ADD(&c, "10.20.1.5", "224.0.0.251", UDP, 5353, 5353, .pay = 40);
	ADD(&c, "10.20.1.5", "255.255.255.255", UDP, 68, 67, .pay = 300);
	ADD(&c, "fd00:20::5", "ff02::fb", UDP, 5353, 5353, .pay = 40);
	ADD(&c, "fe80::1", "fd00:20::5", UDP, 5353, 5353, .pay = 40);
	/* 224.0.1.1 is routable multicast: a crossing, and no flow */
	ADD(&c, "10.20.1.5", "224.0.1.1", UDP, 123, 123, .pay = 48);
	cap_end(&c);

	run_ok(&c, -1, &r);
	check_counts(&r, 5, 1, 0, 0, 1);
	ck_assert_uint_eq(r.local, 4);
	ck_assert_uint_eq(r.nv, 1);
	ck_assert_uint_eq(r.v[0].first_frame, 5);
	audit_result_free(&r);
}
END_TEST

/* --- MAC pinning with --zone --------------------------------------------------------- */

static void
mac_capture(struct cap *c)
{
	cap_begin(c, "mac.pcap", DLT_EN10MB);
	/* 1: atena with a wrong MAC */
	ADD(c, "10.10.1.20", "10.200.5.10", TCP, 40000, 443, SYN,
	    .smac = "02:00:0a:0a:01:99");
	/* 2: chukan answers (egress towards My Number: the appliance's MAC) */
	ADD(c, "10.200.5.10", "10.10.1.20", TCP, 443, 40000, SA,
	    .smac = "02:00:00:00:00:fe");
	/* 3: atena again, wrong MAC */
	ADD(c, "10.10.1.20", "10.200.5.10", TCP, 40000, 443, ACK,
	    .smac = "02:00:0a:0a:01:99");
	/* 4: atena with its own MAC */
	ADD(c, "10.10.1.20", "10.200.5.10", TCP, 40001, 443, SYN,
	    .smac = "02:00:0a:0a:01:14");
	/* 5, 6: pittari -> kikan; kikan's reply with a wrong MAC: a MAC
	 * mismatch is not rescued by the reversed tuple */
	ADD(c, "10.200.6.20", "10.10.2.10", TCP, 50000, 443, SYN,
	    .smac = "02:00:00:00:00:fe");
	ADD(c, "10.10.2.10", "10.200.6.20", TCP, 443, 50000, SA,
	    .smac = "02:00:0a:0a:02:99");
	/* 7: kikan's reply with its own MAC */
	ADD(c, "10.10.2.10", "10.200.6.20", TCP, 443, 50000, ACK,
	    .smac = "02:00:0a:0a:02:0a");
	cap_end(c);
}

START_TEST(test_mac_zone)
{
	static const struct xv want[] = {
		{ 1, 3, 2, TCP4(0) * 2, "tcp", "10.10.1.20", 40000,
		  "10.200.5.10", 443, "mynumber", "lgwan", "mac-mismatch",
		  "source MAC 02:00:0a:0a:01:99 is not the pinned MAC "
		  "02:00:0a:0a:01:14 of host \"atena\"" },
		{ 6, 6, 1, TCP4(0), "tcp", "10.10.2.10", 443, "10.200.6.20",
		  50000, "mynumber", "lgwan", "mac-mismatch", "\"kikan\"" },
	};
	struct cap c;
	struct audit_result r;
	int mn;

	use_alpha();
	mn = policy_find_zone(pol, "mynumber");
	ck_assert_int_ge(mn, 0);
	mac_capture(&c);
	run_ok(&c, mn, &r);
	check_counts(&r, 7, 7, 2, 2, 3);
	check_v(&r, want, ARRAY_LEN(want));
	audit_result_free(&r);

	/* the same capture without --zone: MACs are not looked at */
	run_ok(&c, -1, &r);
	check_counts(&r, 7, 7, 4, 3, 0);
	check_v(&r, NULL, 0);
	audit_result_free(&r);

	/* taken on the LGWAN side: the My Number hosts' frames are egress */
	run_ok(&c, policy_find_zone(pol, "lgwan"), &r);
	check_counts(&r, 7, 7, 4, 3, 0);
	audit_result_free(&r);
}
END_TEST

/* --- file formats and errors ---------------------------------------------------------- */

START_TEST(test_pcapng)
{
	static const struct xv want[] = {
		{ 3, 3, 1, TCP4(0), "tcp", "10.10.1.20", 40000,
		  "198.51.100.7", 80, "mynumber", "internet", "no-flow",
		  NULL },
	};
	struct cap c;
	struct audit_result r;

	use_alpha();
	cap_begin_ng(&c, "cap.pcapng");
	c.usec = 123;
	ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, SYN);
	ADD(&c, "192.0.2.40", "10.20.100.5", TCP, 3389, 50000, SA);
	c.usec = 2500000;
	ADD(&c, "10.10.1.20", "198.51.100.7", TCP, 40000, 80, SYN);
	cap_end(&c);

	run_ok(&c, -1, &r);
	check_counts(&r, 3, 3, 1, 1, 1);
	check_v(&r, want, ARRAY_LEN(want));
	ck_assert_int_eq(r.v[0].first_ts.tv_sec, T0 + 2);
	ck_assert_int_eq(r.v[0].first_ts.tv_usec, 500000);
	audit_result_free(&r);
}
END_TEST

START_TEST(test_raw_ip)
{
	static const struct xv want[] = {
		{ 2, 2, 1, TCP4(0) - 14, "tcp", "10.10.1.20", 40000,
		  "198.51.100.7", 80, "mynumber", "internet", "no-flow",
		  NULL },
	};
	struct cap c;
	struct audit_result r;

	use_alpha();
	cap_begin(&c, "raw.pcap", DLT_RAW);
	ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, SYN);
	ADD(&c, "10.10.1.20", "198.51.100.7", TCP, 40000, 80, SYN);
	cap_end(&c);

	run_ok(&c, -1, &r);
	check_counts(&r, 2, 2, 1, 0, 1);
	check_v(&r, want, ARRAY_LEN(want));
	audit_result_free(&r);
}
END_TEST

static void
five_frames(struct cap *c, const char *name)
{
	cap_begin(c, name, DLT_EN10MB);
	ADD(c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, SYN);	/* P */
	ADD(c, "10.10.1.20", "198.51.100.7", TCP, 40000, 80, SYN);	/* V */
	ADD(c, "192.0.2.40", "10.20.100.5", TCP, 3389, 50000, SA);	/* R */
	ADD(c, "10.10.1.20", "198.51.100.7", TCP, 40000, 80, PA,
	    .pay = 100);						/* V */
	ADD(c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, ACK);	/* P */
	cap_end(c);
}

/* Cut inside frame 4's data, then inside its record header. */
START_TEST(test_truncated)
{
	struct cap c;
	struct audit_result r;
	char err[512];

	use_alpha();
	five_frames(&c, "trunc.pcap");
	ck_assert_int_eq(truncate(c.path, c.offs[3] + 16 + 30), 0);
	ck_assert_int_eq(run(&c, -1, 0, &r, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, c.path) && strstr(err, ": frame 4: ") &&
	    strstr(err, "truncated"), "%s", err);
	check_counts(&r, 3, 3, 1, 1, 1);
	ck_assert_uint_eq(r.nv, 1);
	ck_assert_uint_eq(r.v[0].first_frame, 2);
	audit_result_free(&r);

	ck_assert_int_eq(truncate(c.path, c.offs[3] + 7), 0);
	ck_assert_int_eq(run(&c, -1, 0, &r, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, ": frame 4: ") && strstr(err, "truncated"),
	    "%s", err);
	check_counts(&r, 3, 3, 1, 1, 1);
	audit_result_free(&r);

	/* cut exactly between records: a complete, shorter file */
	ck_assert_int_eq(truncate(c.path, c.offs[3]), 0);
	run_ok(&c, -1, &r);
	check_counts(&r, 3, 3, 1, 1, 1);
	audit_result_free(&r);
}
END_TEST

/* A truncated pcapng: the cut inside the third block. */
START_TEST(test_truncated_ng)
{
	struct cap c;
	struct audit_result r;
	char err[512];

	use_alpha();
	cap_begin_ng(&c, "trunc.pcapng");
	ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, SYN);
	ADD(&c, "10.10.1.20", "198.51.100.7", TCP, 40000, 80, SYN);
	ADD(&c, "10.10.1.20", "198.51.100.7", TCP, 40000, 80, SYN);
	cap_end(&c);
	ck_assert_int_eq(truncate(c.path, c.offs[2] + 40), 0);
	ck_assert_int_eq(run(&c, -1, 0, &r, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, ": frame 3: ") && strstr(err, "truncated"),
	    "%s", err);
	check_counts(&r, 2, 2, 1, 0, 1);
	audit_result_free(&r);
}
END_TEST

/* A record header claiming an impossible length; a file of garbage. */
START_TEST(test_corrupt)
{
	struct cap c;
	struct audit_result r;
	char err[512];
	uint32_t huge = 0x7fffffff;
	FILE *fp;
	const char *junk;

	use_alpha();
	five_frames(&c, "corrupt.pcap");
	ck_assert((fp = fopen(c.path, "r+b")) != NULL);
	ck_assert_int_eq(fseek(fp, c.offs[2] + 8, SEEK_SET), 0);
	ck_assert(fwrite(&huge, 4, 1, fp) == 1);
	ck_assert(fwrite(&huge, 4, 1, fp) == 1);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(run(&c, -1, 0, &r, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, c.path) && strstr(err, ": frame 3: "),
	    "%s", err);
	check_counts(&r, 2, 2, 1, 0, 1);
	audit_result_free(&r);

	junk = unit_tmpfile("junk.pcap", "this is not a capture file at all");
	snprintf(c.path, sizeof(c.path), "%s", junk);
	ck_assert_int_eq(run(&c, -1, 0, &r, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, junk) != NULL, "%s", err);
	ck_assert_uint_eq(r.frames, 0);
	audit_result_free(&r);
}
END_TEST

START_TEST(test_missing)
{
	struct cap c;
	struct audit_result r;
	char err[512];

	use_alpha();
	memset(&c, 0, sizeof(c));
	snprintf(c.path, sizeof(c.path), "/nonexistent/dir/cap.pcap");
	ck_assert_int_eq(run(&c, -1, 0, &r, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "/nonexistent/dir/cap.pcap") &&
	    strstr(err, "No such file"), "%s", err);
	ck_assert_uint_eq(r.frames, 0);
	audit_result_free(&r);
}
END_TEST

START_TEST(test_empty)
{
	struct cap c;
	struct audit_result r;
	char err[512];
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	use_alpha();
	cap_begin(&c, "empty.pcap", DLT_EN10MB);
	cap_end(&c);
	run_ok(&c, -1, &r);
	check_counts(&r, 0, 0, 0, 0, 0);
	ck_assert_uint_eq(r.nv, 0);
	ck_assert((fp = open_memstream(&text, &len)) != NULL);
	audit_print(&r, pol, fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_str_eq(text, "0 frames, 0 crossings, 0 violations "
	    "(0 frames)\n");
	free(text);
	audit_result_free(&r);

	/* a file of zero bytes is no capture */
	snprintf(c.path, sizeof(c.path), "%s", unit_tmpfile("zero.pcap", ""));
	ck_assert_int_eq(run(&c, -1, 0, &r, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, c.path) != NULL, "%s", err);
	audit_result_free(&r);
}
END_TEST

START_TEST(test_unsupported_link)
{
	struct cap c;
	struct audit_result r;
	char err[512];
	static const uint8_t b[24] = { 0x08, 0, 0, 0 };

	use_alpha();
	cap_begin(&c, "wifi.pcap", DLT_IEEE802_11);
	cap_bytes(&c, b, sizeof(b), 0);
	cap_end(&c);
	ck_assert_int_eq(run(&c, -1, 0, &r, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "link type 105") && strstr(err, c.path),
	    "%s", err);
	audit_result_free(&r);
}
END_TEST

/* Frames that are IP but cannot be parsed: no addresses, or a crossing
 * whose TCP header is cut. */
START_TEST(test_unparsed)
{
	static const struct xv want[] = {
		{ 2, 2, 1, TCP4(0), "tcp", "10.20.100.5", -1, "192.0.2.40", -1,
		  "lgwan", "internet", "unparsed", "truncated" },
	};
	struct cap c;
	struct audit_result r;
	uint8_t b[128];
	size_t n;

	use_alpha();
	cap_begin(&c, "unparsed.pcap", DLT_EN10MB);
	ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, SYN);	/* 1 P */
	/* 2: cut 10 bytes into the TCP header */
	ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, ACK,
	    .caplen = 14 + 20 + 10);
	/* 3: ethertype IPv4, version 5 */
	n = build(&(struct fd){ "10.20.100.5", "192.0.2.40", TCP, 1, 2, SYN },
	    b, 0);
	b[14] = 0x55;
	cap_bytes(&c, b, n, 0);
	/* 4: inside lgwan, cut: not a crossing */
	ADD(&c, "10.20.100.5", "10.20.1.25", TCP, 50000, 25, ACK,
	    .caplen = 14 + 20 + 10);
	cap_end(&c);

	run_ok(&c, -1, &r);
	check_counts(&r, 4, 2, 1, 0, 1);
	ck_assert_uint_eq(r.unparsed, 1);
	ck_assert_uint_eq(r.ip_frames, 3);
	check_v(&r, want, ARRAY_LEN(want));
	audit_result_free(&r);
}
END_TEST

/* More violating flows than the list may hold. */
START_TEST(test_list_bound)
{
	struct cap c;
	struct audit_result r;
	char err[512], *text = NULL;
	size_t len = 0;
	FILE *fp;

	use_alpha();
	cap_begin(&c, "many.pcap", DLT_EN10MB);
	for (int i = 0; i < 3; i++)
		for (int port = 1; port <= 3; port++)
			ADD(&c, "10.10.1.20", "198.51.100.7", TCP, 40000,
			    (uint16_t)port, SYN);
	cap_end(&c);
	ck_assert_int_eq(run(&c, -1, 2, &r, err, sizeof(err)), 0);
	check_counts(&r, 9, 9, 0, 0, 9);
	ck_assert_uint_eq(r.nv, 2);
	ck_assert(r.truncated_list);
	ck_assert_uint_eq(r.v[0].frames, 3);
	ck_assert_uint_eq(r.v[0].last_frame, 7);
	ck_assert_uint_eq(r.v[1].frames, 3);
	ck_assert_uint_eq(r.v[1].last_frame, 8);
	ck_assert((fp = open_memstream(&text, &len)) != NULL);
	audit_print(&r, pol, fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_msg(strstr(text, "\n9 frames, 9 crossings, 2 violations "
	    "(9 frames), list truncated at 2 flows\n") != NULL, "%s", text);
	free(text);
	audit_result_free(&r);
}
END_TEST

/* Flows that differ only in the source port are apart: 600 of them, so
 * that the hash table grows and probes. */
START_TEST(test_many_flows)
{
	struct cap c;
	struct audit_result r;

	use_alpha();
	cap_begin(&c, "flows.pcap", DLT_EN10MB);
	for (int i = 0; i < 600; i++)
		ADD(&c, "10.10.1.20", "198.51.100.7", TCP,
		    (uint16_t)(1024 + i), 80, SYN);
	for (int i = 599; i >= 0; i--)
		ADD(&c, "10.10.1.20", "198.51.100.7", TCP,
		    (uint16_t)(1024 + i), 80, SYN);
	cap_end(&c);
	run_ok(&c, -1, &r);
	check_counts(&r, 1200, 1200, 0, 0, 1200);
	ck_assert_uint_eq(r.nv, 600);
	for (size_t i = 0; i < 600; i++) {
		ck_assert_uint_eq(r.v[i].sport, 1024 + i);
		ck_assert_uint_eq(r.v[i].frames, 2);
		ck_assert_uint_eq(r.v[i].first_frame, i + 1);
		ck_assert_uint_eq(r.v[i].last_frame, 1200 - i);
	}
	audit_result_free(&r);
}
END_TEST

/* Many frames over many batches: counts add up exactly. */
START_TEST(test_many_batches)
{
	struct cap c;
	struct audit_result r;

	use_alpha();
	cap_begin(&c, "big.pcap", DLT_EN10MB);
	for (int i = 0; i < 1000; i++) {
		ADD(&c, "10.20.100.5", "192.0.2.40", TCP,
		    (uint16_t)(50000 + i % 50), 3389, ACK);
		ADD(&c, "192.0.2.40", "10.20.100.5", TCP, 3389,
		    (uint16_t)(50000 + i % 50), ACK);
		if (i % 10 == 0)
			ADD(&c, "10.20.100.5", "198.51.100.7", TCP,
			    (uint16_t)(30000 + i % 7), 443, SYN);
		if (i % 4 == 0)
			ADD(&c, "10.20.1.5", "10.20.1.6", UDP, 1, 2);
	}
	cap_end(&c);
	run_ok(&c, -1, &r);
	check_counts(&r, 2350, 2100, 1000, 1000, 100);
	ck_assert_uint_eq(r.nv, 7);
	for (size_t i = 0; i < 7; i++) {
		/* flow of port 30000 + k: i % 7 == k, i % 10 == 0 */
		uint64_t n = 0;
		for (int j = 0; j < 1000; j += 10)
			n += (uint64_t)(j % 7 == r.v[i].sport - 30000);
		ck_assert_uint_eq(r.v[i].frames, n);
	}
	audit_result_free(&r);
}
END_TEST

/*
 * The verdict cache changes nothing: a seeded random capture over a small
 * pool of alpha's hosts, ports, flags, ICMP types and MACs (so that flows
 * repeat, across batches, with and without SYN, with right and wrong
 * MACs) gives the same counts and the same violating flows with the cache
 * and without it, with --zone mynumber and without.  And a flow cached as
 * passing does not let its SYN or its wrong-MAC frames pass later.
 */
static uint64_t rs;

static unsigned
rnd(unsigned n)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return (unsigned)((rs * 0x2545F4914F6CDD1DULL) >> 33) % n;
}

START_TEST(test_cache_same)
{
	static const char *addrs[] = { "10.10.1.20", "10.10.2.10",
	    "10.200.5.10", "10.200.6.20", "10.20.100.5", "10.20.100.6",
	    "192.0.2.40", "192.0.2.26", "10.20.1.25", "198.51.100.7",
	    "10.20.1.5" };
	static const uint16_t ports[] = { 443, 3389, 25, 80, 40000, 50000 };
	static const uint8_t flags[] = { SYN, SA, ACK, PA };
	static const char *macs[] = { "02:00:0a:0a:01:14", "02:00:0a:0a:02:0a",
	    "02:00:00:00:00:99" };
	static const struct fd good[] = {
		{ "10.20.100.5", "192.0.2.40", TCP, 50000, 3389 },
		{ "10.20.100.6", "192.0.2.40", UDP, 50000, 3389 },
		{ "10.10.1.20", "10.200.5.10", TCP, 40000, 443 },
		{ "10.200.6.20", "10.10.2.10", TCP, 50000, 443 },
		{ "192.0.2.26", "10.20.1.25", TCP, 40000, 25 },
	};
	struct cap c;
	struct audit_result r1, r2;
	char err[512];

	use_alpha();
	rs = 0x1234567 + (uint64_t)_i;
	cap_begin(&c, "cache.pcap", DLT_EN10MB);
	for (int i = 0; i < 5000; i++) {
		const char *a = addrs[rnd(ARRAY_LEN(addrs))];
		const char *b = addrs[rnd(ARRAY_LEN(addrs))];
		int kind = (int)rnd(10);
		if (rnd(2)) {
			/* a permitted flow, either way */
			const struct fd *g = &good[rnd(ARRAY_LEN(good))];
			int rev = (int)rnd(2);
			ADD(&c, rev ? g->dst : g->src, rev ? g->src : g->dst,
			    g->proto, rev ? g->dport : g->sport,
			    rev ? g->sport : g->dport,
			    flags[rnd(ARRAY_LEN(flags))],
			    .smac = macs[rnd(ARRAY_LEN(macs))]);
		} else if (kind < 7)
			ADD(&c, a, b, TCP, ports[rnd(ARRAY_LEN(ports))],
			    ports[rnd(ARRAY_LEN(ports))],
			    flags[rnd(ARRAY_LEN(flags))],
			    .smac = macs[rnd(ARRAY_LEN(macs))]);
		else if (kind < 9)
			ADD(&c, a, b, UDP, ports[rnd(ARRAY_LEN(ports))],
			    ports[rnd(ARRAY_LEN(ports))],
			    .smac = macs[rnd(ARRAY_LEN(macs))]);
		else
			ADD(&c, a, b, ICMP, (uint16_t)rnd(3),
			    rnd(2) ? 8 : 0, .smac = macs[rnd(ARRAY_LEN(macs))]);
	}
	cap_end(&c);
	for (int zone = -1; zone <= 0; zone++) {
		struct audit_opts o1 = { zone < 0 ? -1 :
		    policy_find_zone(pol, "mynumber"), 0, false };
		struct audit_opts o2 = o1;
		o2.no_cache = true;
		ck_assert_int_eq(audit_file(c.path, pol, cls, &o1, &r1, err,
		    sizeof(err)), 0);
		ck_assert_int_eq(audit_file(c.path, pol, cls, &o2, &r2, err,
		    sizeof(err)), 0);
		check_counts(&r1, r2.frames, r2.crossings, r2.permitted,
		    r2.replies, r2.violating);
		ck_assert_uint_eq(r1.local, r2.local);
		ck_assert_uint_eq(r1.nv, r2.nv);
		ck_assert_uint_gt(r2.violating, 100);
		ck_assert_uint_gt(r2.permitted, 500);
		ck_assert_uint_gt(r2.replies, 500);
		for (size_t i = 0; i < r1.nv; i++) {
			char l1[1024], l2[1024];
			audit_format_violation(&r1.v[i], pol, l1, sizeof(l1));
			audit_format_violation(&r2.v[i], pol, l2, sizeof(l2));
			ck_assert_str_eq(l1, l2);
		}
		audit_result_free(&r1);
		audit_result_free(&r2);
	}
}
END_TEST

/*
 * The same with traffic shaped like a gateway's: many connections at
 * once (more keys than the cache holds, so that it evicts), each a
 * handshake, data both ways and now and then a SYN again from either
 * side; some begin with the server's frames (the capture started late),
 * some are opened by the wrong side, some are no flow at all, some are
 * link scope or inside a zone; pinned hosts with right and wrong MACs;
 * ICMP echoes and, with LAB, IPv6.  The cache knows the verdict of a
 * direction from the other one and holds the frames of a key that waits
 * in the batch: none of that may change a count or a violating flow.
 */
/* Zone b is all the rest, link-scope addresses too, and a may reach it. */
static const char LAB_ANY[] =
    "version = 1; model = \"alpha\";\n"
    "zones = {\n"
    "  a = { kind = \"lgwan\"; interfaces = \"a0\"; networks = "
    "[ \"10.1.0.0/16\", \"fd00:1::/48\" ]; };\n"
    "  b = { kind = \"lgwan\"; interfaces = \"b0\"; networks = "
    "[ \"0.0.0.0/0\", \"::/0\" ]; };\n"
    "};\n"
    "services = {\n"
    "  ping = { proto = \"icmp\"; types = [ 8 ]; };\n"
    "  ping6 = { proto = \"icmpv6\"; types = [ 128 ]; };\n"
    "  dns = { proto = \"udp\"; ports = [ 53 ]; };\n"
    "  https = { proto = \"tcp\"; ports = [ 443 ]; };\n"
    "};\n"
    "flows = (\n"
    "  { name = \"ab\"; from = \"a\"; to = \"b\"; service = "
    "[ \"ping\", \"ping6\", \"dns\", \"https\" ]; }\n"
    ");\n";

struct conn {
	char cli[48], srv[48];
	uint8_t proto;
	uint16_t cport, sport;	/* ICMP: id, request type */
	const char *cmac, *smac;
	int steps, late, wrong;
};

static void
conn_new(struct conn *k, int lab)
{
	static const char *amac[] = { "02:00:0a:0a:01:14", "02:00:0a:0a:02:0a",
	    "02:00:00:00:00:99" };
	unsigned kind = rnd(lab ? 6 : 10);

	memset(k, 0, sizeof(*k));
	k->proto = TCP;
	k->cport = (uint16_t)(1024 + rnd(60000));
	k->steps = 2 + (int)rnd(20);
	k->late = rnd(8) == 0;
	k->wrong = rnd(16) == 0;
	if (lab == 2) {
		static const char *srv4[] = { "10.2.0.20", "224.0.0.251",
		    "255.255.255.255", "0.0.0.0", "169.254.1.1", "8.8.8.8" };
		static const char *srv6[] = { "fd00:2::20", "ff02::fb", "::",
		    "fe80::1", "2001:db8::1" };
		int v6 = kind >= 3;
		if (v6)
			snprintf(k->cli, sizeof(k->cli), "fd00:1::%x",
			    1 + rnd(9));
		else
			snprintf(k->cli, sizeof(k->cli), "10.1.0.%u",
			    1 + rnd(9));
		snprintf(k->srv, sizeof(k->srv), "%s", v6 ?
		    srv6[rnd(ARRAY_LEN(srv6))] : srv4[rnd(ARRAY_LEN(srv4))]);
		switch (kind % 3) {
		case 0:
			k->sport = 443;
			break;
		case 1:
			k->proto = v6 ? ICMP6 : ICMP;
			k->cport = (uint16_t)rnd(2000);
			k->sport = v6 ? 128 : 8;
			break;
		default:
			k->proto = UDP;
			k->sport = 53;
			break;
		}
		return;
	}
	if (lab) {
		int v6 = kind >= 3;
		snprintf(k->cli, sizeof(k->cli), v6 ? "fd00:1::10" : "10.1.0.10");
		snprintf(k->srv, sizeof(k->srv), v6 ? "fd00:2::20" : "10.2.0.20");
		switch (kind % 3) {
		case 0:
			k->sport = rnd(8) ? 443 : 80;
			break;
		case 1:
			k->proto = v6 ? ICMP6 : ICMP;
			k->cport = (uint16_t)rnd(2000);
			k->sport = v6 ? 128 : 8;
			break;
		default:
			k->proto = v6 ? TCP : UDP;
			k->sport = v6 ? 443 : rnd(8) ? 53 : 54;
			break;
		}
		if (rnd(10) == 0) {	/* backwards */
			char t[48];
			memcpy(t, k->cli, sizeof(t));
			memcpy(k->cli, k->srv, sizeof(t));
			memcpy(k->srv, t, sizeof(t));
		}
		return;
	}
	switch (kind) {
	case 0: case 1: case 2: case 3:	/* browse, tcp or udp */
		snprintf(k->cli, sizeof(k->cli), "10.20.100.%u", 1 + rnd(250));
		snprintf(k->srv, sizeof(k->srv), "192.0.2.40");
		k->proto = rnd(4) ? TCP : UDP;
		k->sport = rnd(10) ? 3389 : 22;
		break;
	case 4:
		snprintf(k->cli, sizeof(k->cli), "192.0.2.26");
		snprintf(k->srv, sizeof(k->srv), "10.20.1.25");
		k->sport = 25;
		break;
	case 5:
		snprintf(k->cli, sizeof(k->cli), "10.10.1.20");
		snprintf(k->srv, sizeof(k->srv), "10.200.5.10");
		k->sport = 443;
		k->cmac = amac[rnd(8) ? 0 : 2];
		break;
	case 6:
		snprintf(k->cli, sizeof(k->cli), "10.200.6.20");
		snprintf(k->srv, sizeof(k->srv), "10.10.2.10");
		k->sport = 443;
		k->smac = amac[rnd(8) ? 1 : 2];
		break;
	case 7:			/* no flow */
		snprintf(k->cli, sizeof(k->cli), "10.10.1.%u", 1 + rnd(40));
		snprintf(k->srv, sizeof(k->srv), "198.51.100.%u", 1 + rnd(9));
		k->sport = 80;
		break;
	case 8:			/* link scope, one way or both */
		snprintf(k->cli, sizeof(k->cli), rnd(2) ? "169.254.7.%u" :
		    "10.20.100.%u", 1 + rnd(9));
		snprintf(k->srv, sizeof(k->srv), rnd(2) ? "224.0.0.251" :
		    "192.0.2.40");
		k->proto = UDP;
		k->sport = 3389;
		break;
	default:		/* inside lgwan */
		snprintf(k->cli, sizeof(k->cli), "10.20.100.%u", 1 + rnd(9));
		snprintf(k->srv, sizeof(k->srv), "10.20.1.6");
		k->sport = 445;
		break;
	}
}

/* Frame step of connection k: even steps from the client, odd from the
 * server (a late one starts with the server's). */
static void
conn_frame(struct cap *c, struct conn *k, int step)
{
	static const uint8_t data[] = { ACK, PA, FA };
	int fwd = (step + k->late) % 2 == 0;
	uint8_t fl;

	if (k->proto == ICMP || k->proto == ICMP6) {
		uint16_t t = fwd ? k->sport : (uint16_t)(k->sport == 8 ? 0 :
		    129);
		if (rnd(20) == 0)	/* the wrong type either way */
			t = fwd ? (k->sport == 8 ? 0 : 129) : k->sport;
		ADD(c, fwd ? k->cli : k->srv, fwd ? k->srv : k->cli, k->proto,
		    k->cport, t);
		return;
	}
	if (step == 0 && !k->late)
		fl = SYN;
	else if (step == 1 && !k->late)
		fl = SA;
	else
		fl = data[rnd(ARRAY_LEN(data))];
	if (rnd(24) == 0)
		fl = rnd(2) ? SYN : SA;
	if (k->wrong)
		fwd = !fwd;
	ADD(c, fwd ? k->cli : k->srv, fwd ? k->srv : k->cli, k->proto,
	    fwd ? k->cport : k->sport, fwd ? k->sport : k->cport, fl,
	    .smac = fwd ? k->cmac : k->smac);
}

enum { CONNS_LIVE = 1500, CONNS_FRAMES = 12000 };

/* The policy (0 alpha, 1 LAB, 2 LAB_ANY) and a capture of its connections. */
static void
conns_capture(struct cap *c, int lab)
{
	static struct conn live[CONNS_LIVE];
	static int step[CONNS_LIVE];
	char err[512];

	if (lab == 2) {
		struct diag d;
		diag_init(&d);
		ck_assert_int_eq(conf_load_string(LAB_ANY, "any.conf", &pol,
		    &d), 0);
		ck_assert_msg(pol != NULL && d.nerrors == 0, "%s",
		    d.n ? d.v[0].message : "no policy");
		diag_free(&d);
		cls = classify_build(pol, NOW, err, sizeof(err));
		ck_assert_msg(cls != NULL, "%s", err);
	} else if (lab)
		use_lab();
	else
		use_alpha();
	rs = 0x9e3779b97f4a7c15ULL + (uint64_t)lab;
	for (int i = 0; i < CONNS_LIVE; i++) {
		conn_new(&live[i], lab);
		step[i] = 0;
	}
	cap_begin(c, "conns.pcap", DLT_EN10MB);
	for (int i = 0; i < CONNS_FRAMES; i++) {
		int j = (int)rnd(CONNS_LIVE);
		conn_frame(c, &live[j], step[j]);
		if (++step[j] == live[j].steps) {
			conn_new(&live[j], lab);
			step[j] = 0;
		}
	}
	cap_end(c);
}

START_TEST(test_cache_conns)
{
	struct cap c;
	struct audit_result r1, r2;
	char err[512];
	int lab = _i;

	conns_capture(&c, lab);
	for (int zone = -1; zone <= 0; zone++) {
		struct audit_opts o1 = { zone < 0 ? -1 :
		    policy_find_zone(pol, lab ? "a" : "mynumber"), 0, false };
		struct audit_opts o2 = o1;
		o2.no_cache = true;
		ck_assert_int_eq(audit_file(c.path, pol, cls, &o1, &r1, err,
		    sizeof(err)), 0);
		ck_assert_int_eq(audit_file(c.path, pol, cls, &o2, &r2, err,
		    sizeof(err)), 0);
		check_counts(&r1, r2.frames, r2.crossings, r2.permitted,
		    r2.replies, r2.violating);
		ck_assert_uint_eq(r1.local, r2.local);
		ck_assert_uint_eq(r1.ip_frames, r2.ip_frames);
		ck_assert_uint_eq(r1.nv, r2.nv);
		ck_assert_uint_eq(r2.frames, CONNS_FRAMES);
		ck_assert_uint_gt(r2.violating, 100);
		ck_assert_uint_gt(r2.permitted, 2000);
		ck_assert_uint_gt(r2.replies, 2000);
		if (lab != 1)
			ck_assert_uint_gt(r2.local, 100);
		if (lab == 0)	/* inside a zone */
			ck_assert_uint_gt(r2.frames - r2.crossings - r2.local,
			    100);
		for (size_t i = 0; i < r1.nv; i++) {
			char l1[1024], l2[1024];
			audit_format_violation(&r1.v[i], pol, l1, sizeof(l1));
			audit_format_violation(&r2.v[i], pol, l2, sizeof(l2));
			ck_assert_str_eq(l1, l2);
		}
		audit_result_free(&r1);
		audit_result_free(&r2);
	}
}
END_TEST

/*
 * A stream without a flow table judges with the verdict cache, as files
 * are: fed the frames of the connections' capture one by one, it counts
 * what audit_file() without the cache counts, lists the same flows, and
 * hands over every violating frame (its number of bytes) once.
 */
struct seen {
	uint64_t frames, bytes, first;
};

static void
stream_seen(void *arg, const struct audit_violation *v, bool first,
    const uint8_t *frame, uint32_t caplen, const struct timeval *ts,
    uint32_t len)
{
	struct seen *n = arg;

	(void)v;
	(void)ts;
	ck_assert(frame != NULL && caplen > 0 && caplen <= len);
	n->frames++;
	n->bytes += len;
	n->first += first;
}

START_TEST(test_stream_cache)
{
	char ebuf[PCAP_ERRBUF_SIZE], err[512];
	struct audit_stream_opts so = { DLT_EN10MB, 128, 0, NULL, stream_seen,
	    NULL };
	struct audit_opts o = { -1, 0, true };
	struct audit_stream *st;
	const struct audit_result *r1;
	struct audit_result r2;
	struct pcap_pkthdr *ph;
	const u_char *data;
	struct seen n = { 0, 0, 0 };
	struct cap c;
	pcap_t *h;

	conns_capture(&c, _i);
	so.arg = &n;
	st = audit_stream_new(pol, cls, &so, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	ck_assert((h = pcap_open_offline(c.path, ebuf)) != NULL);
	while (pcap_next_ex(h, &ph, &data) == 1)
		audit_stream_frame(st, ph, data);
	pcap_close(h);
	audit_stream_flush(st);
	r1 = audit_stream_result(st);
	ck_assert_int_eq(audit_file(c.path, pol, cls, &o, &r2, err,
	    sizeof(err)), 0);
	check_counts(r1, r2.frames, r2.crossings, r2.permitted, r2.replies,
	    r2.violating);
	ck_assert_uint_eq(r1->local, r2.local);
	ck_assert_uint_eq(r1->ip_frames, r2.ip_frames);
	ck_assert_uint_eq(r1->nv, r2.nv);
	ck_assert_uint_eq(n.frames, r2.violating);
	ck_assert_uint_eq(n.first, r2.nv);
	{
		uint64_t bytes = 0;
		for (size_t i = 0; i < r2.nv; i++)
			bytes += r2.v[i].bytes;
		ck_assert_uint_eq(n.bytes, bytes);
	}
	for (size_t i = 0; i < r1->nv; i++) {
		char l1[1024], l2[1024];
		audit_format_violation(&r1->v[i], pol, l1, sizeof(l1));
		audit_format_violation(&r2.v[i], pol, l2, sizeof(l2));
		ck_assert_str_eq(l1, l2);
	}
	audit_stream_free(st);
	audit_result_free(&r2);
}
END_TEST

START_TEST(test_cache_opener_mac)
{
	static const struct xv want[] = {
		{ 72, 72, 1, TCP4(0), "tcp", "192.0.2.40", 3389,
		  "10.20.100.5", 50000, "internet", "lgwan", "no-flow",
		  "opens a connection" },
		{ 73, 73, 1, TCP4(0), "tcp", "10.10.1.20", 40000,
		  "10.200.5.10", 443, "mynumber", "lgwan", "mac-mismatch",
		  NULL },
	};
	struct cap c;
	struct audit_result r;
	int mn;

	use_alpha();
	mn = policy_find_zone(pol, "mynumber");
	cap_begin(&c, "cache2.pcap", DLT_EN10MB);
	/* 1, 2: a reply and a pinned host's frame, both pass */
	ADD(&c, "192.0.2.40", "10.20.100.5", TCP, 3389, 50000, SA);
	ADD(&c, "10.10.1.20", "10.200.5.10", TCP, 40000, 443, ACK,
	    .smac = "02:00:0a:0a:01:14");
	/* 3-71: more than a batch, so 1 and 2 are in the cache */
	for (int i = 0; i < 69; i++)
		ADD(&c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, ACK);
	/* 72: the same tuple as 1, but a SYN; 73: as 2, another MAC */
	ADD(&c, "192.0.2.40", "10.20.100.5", TCP, 3389, 50000, SYN);
	ADD(&c, "10.10.1.20", "10.200.5.10", TCP, 40000, 443, ACK,
	    .smac = "02:00:0a:0a:01:99");
	/* 74, 75: as 1 and 2 again: pass (from the cache) */
	ADD(&c, "192.0.2.40", "10.20.100.5", TCP, 3389, 50000, SA);
	ADD(&c, "10.10.1.20", "10.200.5.10", TCP, 40000, 443, ACK,
	    .smac = "02:00:0a:0a:01:14");
	cap_end(&c);
	run_ok(&c, mn, &r);
	check_counts(&r, 75, 75, 71, 2, 2);
	check_v(&r, want, ARRAY_LEN(want));
	audit_result_free(&r);
}
END_TEST

/* ICMP types and ids are in the cache key: an echo request that passed
 * does not let an echo reply the wrong way, or another id, pass later. */
START_TEST(test_cache_icmp)
{
	static const struct xv want[] = {
		{ 67, 67, 1, ICMP4(0), "icmp", "10.1.0.10", 7, "10.2.0.20", 0,
		  "a", "b", "no-flow", NULL },
		{ 68, 68, 1, ICMP4(0), "icmp", "10.2.0.20", 7, "10.1.0.10", 8,
		  "b", "a", "no-flow", NULL },
	};
	struct cap c;
	struct audit_result r;

	use_lab();
	cap_begin(&c, "cache3.pcap", DLT_EN10MB);
	ADD(&c, "10.1.0.10", "10.2.0.20", ICMP, 7, 8);		/* 1 P */
	ADD(&c, "10.2.0.20", "10.1.0.10", ICMP, 7, 0);		/* 2 R */
	for (int i = 0; i < 64; i++)					/* 3-66 */
		ADD(&c, "10.1.0.10", "10.2.0.20", UDP, 5353, 53);
	ADD(&c, "10.1.0.10", "10.2.0.20", ICMP, 7, 0);		/* 67 V */
	ADD(&c, "10.2.0.20", "10.1.0.10", ICMP, 7, 8);		/* 68 V */
	ADD(&c, "10.1.0.10", "10.2.0.20", ICMP, 8, 8);		/* 69 P */
	ADD(&c, "10.2.0.20", "10.1.0.10", ICMP, 7, 0);		/* 70 R */
	cap_end(&c);
	run_ok(&c, -1, &r);
	check_counts(&r, 70, 70, 66, 2, 2);
	check_v(&r, want, ARRAY_LEN(want));
	audit_result_free(&r);
}
END_TEST

/* --- output ------------------------------------------------------------------------------ */

static void
output_capture(struct cap *c)
{
	cap_begin(c, "out.pcap", DLT_EN10MB);
	c->usec = 123;
	ADD(c, "10.10.1.20", "198.51.100.7", TCP, 40000, 80, SYN);	/* 1 V */
	c->usec = 500000;
	ADD(c, "10.20.100.5", "192.0.2.40", TCP, 50000, 3389, SYN);	/* 2 P */
	c->usec = 1250000;
	ADD(c, "10.10.1.20", "198.51.100.7", TCP, 40000, 80, SYN);	/* 3 V */
	cap_bytes(c, ARP, sizeof(ARP), 0);				/* 4 - */
	c->usec = 2000000;
	ADD(c, "10.20.100.5", "198.51.100.7", ICMP, 77, 8);		/* 5 V */
	ADD(c, "fd00:20::5", "2001:db8::7", TCP, 40000, 443, SYN);	/* 6 V */
	cap_end(c);
}

START_TEST(test_text)
{
	static const char want[] =
	    "frames 1-3 2026-11-21T10:00:00.000123+09:00.."
	    "2026-11-21T10:00:01.250000+09:00 count 2 bytes 108 "
	    "tcp 10.10.1.20:40000 -> 198.51.100.7:80 mynumber -> internet: "
	    "no-flow: no flow permits mynumber -> internet tcp/80 from "
	    "10.10.1.20 to 198.51.100.7; the My Number zone never talks to "
	    "the Internet\n"
	    "frames 5-5 2026-11-21T10:00:02.000000+09:00.."
	    "2026-11-21T10:00:02.000000+09:00 count 1 bytes 42 "
	    "icmp 10.20.100.5 -> 198.51.100.7 type 8 id 77 lgwan -> internet: "
	    "no-flow: no flow permits lgwan -> internet icmp type 8 from "
	    "10.20.100.5 to 198.51.100.7 (default deny between zones)\n"
	    "frames 6-6 2026-11-21T10:00:02.001000+09:00.."
	    "2026-11-21T10:00:02.001000+09:00 count 1 bytes 74 "
	    "tcp [fd00:20::5]:40000 -> [2001:db8::7]:443 lgwan -> internet: "
	    "no-flow: no flow permits lgwan -> internet tcp/443 from "
	    "fd00:20::5 to 2001:db8::7 (default deny between zones)\n"
	    "6 frames, 5 crossings, 3 violations (4 frames)\n";
	static const char utc[] = "frames 1-3 2026-11-21T01:00:00.000123"
	    "+00:00..2026-11-21T01:00:01.250000+00:00 count 2 ";
	static const char ist[] = "frames 1-3 2026-11-21T06:30:00.000123"
	    "+05:30..2026-11-21T06:30:01.250000+05:30 count 2 ";
	static const char est[] = "frames 1-3 2026-11-20T20:00:00.000123"
	    "-05:00..2026-11-20T20:00:01.250000-05:00 count 2 ";
	struct cap c;
	struct audit_result r;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	use_alpha();
	output_capture(&c);
	run_ok(&c, -1, &r);
	ck_assert((fp = open_memstream(&text, &len)) != NULL);
	audit_print(&r, pol, fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_str_eq(text, want);
	free(text);
	audit_result_free(&r);

	/* another time zone, another offset */
	setenv("TZ", "UTC0", 1);
	tzset();
	run_ok(&c, -1, &r);
	ck_assert((fp = open_memstream(&text, &len)) != NULL);
	audit_print(&r, pol, fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_msg(strncmp(text, utc, strlen(utc)) == 0, "%s", text);
	free(text);
	audit_result_free(&r);

	/* offsets with minutes, and west of Greenwich */
	setenv("TZ", "IST-5:30", 1);
	tzset();
	run_ok(&c, -1, &r);
	ck_assert((fp = open_memstream(&text, &len)) != NULL);
	audit_print(&r, pol, fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_msg(strncmp(text, ist, strlen(ist)) == 0, "%s", text);
	free(text);
	setenv("TZ", "EST5", 1);
	tzset();
	ck_assert((fp = open_memstream(&text, &len)) != NULL);
	audit_print(&r, pol, fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_msg(strncmp(text, est, strlen(est)) == 0, "%s", text);
	free(text);
	audit_result_free(&r);
}
END_TEST

START_TEST(test_json)
{
	struct cap c;
	struct audit_result r;
	json_t *j, *back, *v, *e;
	json_error_t jerr;
	char *s;

	use_alpha();
	output_capture(&c);
	run_ok(&c, -1, &r);
	j = audit_json(&r, pol);
	ck_assert(j != NULL);
	s = json_dumps(j, JSON_COMPACT);
	ck_assert(s != NULL);
	json_decref(j);
	back = json_loads(s, 0, &jerr);
	ck_assert_msg(back != NULL, "%s: %s", s, jerr.text);
	free(s);

	ck_assert_str_eq(json_string_value(json_object_get(back, "file")),
	    c.path);
	ck_assert_int_eq(json_integer_value(json_object_get(back, "frames")),
	    6);
	ck_assert_int_eq(json_integer_value(json_object_get(back,
	    "crossings")), 5);
	ck_assert_int_eq(json_integer_value(json_object_get(back,
	    "violating_frames")), 4);
	ck_assert(json_is_false(json_object_get(back, "truncated")));
	v = json_object_get(back, "violations");
	ck_assert(json_is_array(v));
	ck_assert_uint_eq(json_array_size(v), 3);

	e = json_array_get(v, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(e,
	    "first_frame")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "last_frame")),
	    3);
	ck_assert_str_eq(json_string_value(json_object_get(e, "first_time")),
	    "2026-11-21T10:00:00.000123+09:00");
	ck_assert_str_eq(json_string_value(json_object_get(e, "last_time")),
	    "2026-11-21T10:00:01.250000+09:00");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "frames")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "bytes")),
	    108);
	ck_assert_str_eq(json_string_value(json_object_get(e, "proto")),
	    "tcp");
	ck_assert_str_eq(json_string_value(json_object_get(e, "src")),
	    "10.10.1.20");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "sport")),
	    40000);
	ck_assert_str_eq(json_string_value(json_object_get(e, "dst")),
	    "198.51.100.7");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "dport")), 80);
	ck_assert_str_eq(json_string_value(json_object_get(e, "from_zone")),
	    "mynumber");
	ck_assert_str_eq(json_string_value(json_object_get(e, "to_zone")),
	    "internet");
	ck_assert_str_eq(json_string_value(json_object_get(e, "reason")),
	    "no-flow");
	ck_assert(strstr(json_string_value(json_object_get(e, "explain")),
	    "never talks to the Internet") != NULL);

	e = json_array_get(v, 1);
	ck_assert_str_eq(json_string_value(json_object_get(e, "proto")),
	    "icmp");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "sport")), 77);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "dport")), 8);

	e = json_array_get(v, 2);
	ck_assert_str_eq(json_string_value(json_object_get(e, "src")),
	    "fd00:20::5");
	ck_assert_str_eq(json_string_value(json_object_get(e, "dst")),
	    "2001:db8::7");
	json_decref(back);
	audit_result_free(&r);
}
END_TEST

/* JSON of violations without ports and without a zone. */
START_TEST(test_json_nulls)
{
	struct cap c;
	struct audit_result r;
	json_t *j, *e;

	use_lab();
	cap_begin(&c, "nulls.pcap", DLT_EN10MB);
	ADD(&c, "10.1.0.10", "10.2.0.20", TCP, .pay = 64, .frag = LATER,
	    .id = 9, .fragoff = 1480);
	ADD(&c, "10.1.0.10", "192.0.2.1", UDP, 1, 2);
	cap_end(&c);
	run_ok(&c, -1, &r);
	j = audit_json(&r, pol);
	ck_assert(j != NULL);
	e = json_array_get(json_object_get(j, "violations"), 0);
	ck_assert(json_is_null(json_object_get(e, "sport")));
	ck_assert(json_is_null(json_object_get(e, "dport")));
	ck_assert_str_eq(json_string_value(json_object_get(e, "reason")),
	    "fragment-orphan");
	e = json_array_get(json_object_get(j, "violations"), 1);
	ck_assert(json_is_null(json_object_get(e, "to_zone")));
	ck_assert_str_eq(json_string_value(json_object_get(e, "from_zone")),
	    "a");
	ck_assert_str_eq(json_string_value(json_object_get(e, "reason")),
	    "no-zone");
	json_decref(j);
	audit_result_free(&r);
}
END_TEST

UNIT_SUITE(audit_suite)

static Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("audit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_permitted_both_ways);
	tcase_add_test(tc, test_violations);
	tcase_add_test(tc, test_udp_icmp);
	tcase_add_test(tc, test_icmp_errors);
	tcase_add_test(tc, test_fragments);
	tcase_add_test(tc, test_vlan);
	tcase_add_test(tc, test_ipv6);
	tcase_add_test(tc, test_link_scope);
	tcase_add_test(tc, test_mac_zone);
	tcase_add_test(tc, test_pcapng);
	tcase_add_test(tc, test_raw_ip);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_truncated_ng);
	tcase_add_test(tc, test_corrupt);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_unsupported_link);
	tcase_add_test(tc, test_unparsed);
	tcase_add_test(tc, test_list_bound);
	tcase_add_test(tc, test_many_flows);
	tcase_add_loop_test(tc, test_cache_same, 0, 3);
	tcase_add_loop_test(tc, test_cache_conns, 0, 3);
	tcase_add_loop_test(tc, test_stream_cache, 0, 3);
	tcase_add_test(tc, test_cache_opener_mac);
	tcase_add_test(tc, test_cache_icmp);
	tcase_add_test(tc, test_many_batches);
	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_json_nulls);
	suite_add_tcase(s, tc);
	return s;
}
