/*
 * fuzz_pkt — the frame parser (lib/pkt.c) on any bytes, under every link
 * type, and its IPv4 fast path (pkt_fast4, the audit's hot path) against
 * it.  The first byte of the input chooses the link type, the rest is the
 * frame.
 *
 * What must hold: the parse stays within the capture and its result is
 * consistent (the invariants of tests/unit/check_pkt.c); it is the same
 * every time and whatever the output held before; and whenever
 * pkt_fast4() takes an Ethernet frame, pkt_parse() says PKT_OK with the
 * same tuple, and pkt_info_fast4() fills exactly what pkt_parse() fills.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "fuzz.h"
#include "pkt.h"

static const int links[] = {
	PKT_LINK_EN10MB, PKT_LINK_RAW, PKT_LINK_LINUX_SLL, PKT_LINK_IPV4,
	PKT_LINK_IPV6, PKT_LINK_LINUX_SLL2, 0, 12, 14, 147,
};

static void
invariants(enum pkt_status st, const struct pkt_info *pi, size_t caplen)
{
	const char *v = NULL;

	if (st < PKT_OK || st > PKT_UNSUPPORTED_LINK)
		v = "status out of range";
	else if (pi->nvlan > 2)
		v = "nvlan > 2";
	else if (pi->frag > PKT_FRAG_LATER)
		v = "frag out of range";
	else if (pi->has_mac > 1)
		v = "has_mac not 0/1";
	else if (pi->l3_off > caplen || pi->l4_off > caplen)
		v = "offset past caplen";
	else if (st == PKT_OK && pi->family != ADDR_V4 &&
	    pi->family != ADDR_V6)
		v = "ok without a family";
	else if (st == PKT_OK &&
	    pi->l3_off + (pi->family == ADDR_V4 ? 20u : 40u) > caplen)
		v = "ok with an IP header past caplen";
	else if ((st == PKT_NOT_IP || st == PKT_UNSUPPORTED_LINK) &&
	    pi->family != 0)
		v = "family set on a non-IP frame";
	else if (pi->has_ports && (st != PKT_OK || (pi->proto != 6 &&
	    pi->proto != 17 && pi->proto != 132) ||
	    pi->frag == PKT_FRAG_LATER || pi->l4_off + 8 > caplen))
		v = "has_ports where there can be none";
	else if (pi->has_icmp && (st != PKT_OK || (pi->proto != 1 &&
	    pi->proto != 58) || pi->l4_off + 4 > caplen))
		v = "has_icmp where there can be none";
	else if (!pi->has_ports && (pi->sport != 0 || pi->dport != 0 ||
	    pi->tcp_flags != 0))
		v = "ports or flags without has_ports";
	else if (pi->tcp_flags != 0 && pi->proto != 6)
		v = "tcp_flags on a non-TCP packet";
	else if (!pi->has_icmp && (pi->icmp_type != 0 ||
	    pi->icmp_code != 0 || pi->icmp_id != 0))
		v = "icmp fields without has_icmp";
	else if (pi->frag == PKT_FRAG_LATER && pi->l4_off != 0)
		v = "later fragment with an L4 offset";
	if (v != NULL)
		fuzz_fail("pkt_parse: %s (status %s, %zu bytes)", v,
		    pkt_status_str(st), caplen);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_info a, b;
	struct pkt_tuple4 t;
	enum pkt_status st, st2;
	const uint8_t *f;
	size_t n;
	int link;

	if (size < 1)
		return 0;
	link = links[data[0] % (sizeof(links) / sizeof(links[0]))];
	f = data + 1;
	n = size - 1;

	/* what the output held before must not matter */
	memset(&a, 0xa5, sizeof(a));
	memset(&b, 0x5a, sizeof(b));
	st = pkt_parse(f, n, link, &a);
	st2 = pkt_parse(f, n, link, &b);
	if (st != st2 || memcmp(&a, &b, sizeof(a)) != 0)
		fuzz_fail("pkt_parse depends on what its output held");
	invariants(st, &a, n);
	if (strcmp(pkt_status_str(st), "unknown status") == 0)
		fuzz_fail("status %d without text", (int)st);

	/* the fast path, on the same bytes as Ethernet */
	memset(&t, 0xa5, sizeof(t));
	if (!pkt_fast4(f, n, &t))
		return 0;
	if (link != PKT_LINK_EN10MB)
		st = pkt_parse(f, n, PKT_LINK_EN10MB, &a);
	if (st != PKT_OK || a.family != ADDR_V4 || a.nvlan != 0 ||
	    a.frag != PKT_FRAG_NONE || !a.has_ports || a.has_icmp ||
	    a.proto != t.proto || a.sport != t.sport ||
	    a.dport != t.dport || a.tcp_flags != t.tcp_flags ||
	    memcmp(a.src, &t.src, 4) != 0 || memcmp(a.dst, &t.dst, 4) != 0)
		fuzz_fail("pkt_fast4 took a frame pkt_parse reads otherwise: "
		    "fast proto %u %u/%u flags %#x, parse %s proto %u %u/%u "
		    "flags %#x", t.proto, t.sport, t.dport, t.tcp_flags,
		    pkt_status_str(st), a.proto, a.sport, a.dport,
		    a.tcp_flags);
	memset(&b, 0x5a, sizeof(b));
	pkt_info_fast4(f, &t, &b);
	if (memcmp(&a, &b, sizeof(a)) != 0)
		fuzz_fail("pkt_info_fast4 fills what pkt_parse fills "
		    "otherwise");
	return 0;
}
