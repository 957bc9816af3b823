/*
 * check_pkt — the frame parser.
 *
 * One table of crafted frames, each built by a small function from the
 * header helpers of tests/common/frames.c, each with the exact struct
 * pkt_info it must give and "need": the shortest capture that still gives
 * that result (the end of the last header the parser must read).  Every
 * frame is then parsed cut at every length, each cut copied into a buffer
 * of exactly that size so that AddressSanitizer sees any over-read; a cut
 * before "need" must be PKT_TRUNCATED, a cut at or after it must give the
 * full result.  The builder's whole frames (as the netns probe sends them,
 * as the audit suite captures them) parse back to what was asked, with
 * checksums that verify by a sum written here.  Last, a seeded random and
 * a mutation fuzz loop check invariants.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "frames.h"
#include "pkt.h"
#include "unit.h"

/* --- frame builder: tests/common/frames.c, with this suite's defaults -- */

static const uint8_t MAC_DST[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t MAC_SRC[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t V4_SRC[4] = { 192, 0, 2, 1 };
static const uint8_t V4_DST[4] = { 198, 51, 100, 2 };
static const uint8_t V6_SRC[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t V6_DST[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 2 };

#define ET_IPV4	0x0800
#define ET_ARP	0x0806
#define ET_VLAN	0x8100
#define ET_QINQ	0x88a8
#define ET_9100	0x9100
#define ET_IPV6	0x86dd

#define P_HOP	0
#define P_ICMP	1
#define P_TCP	6
#define P_UDP	17
#define P_RT	43
#define P_FRAG	44
#define P_ESP	50
#define P_AH	51
#define P_ICMP6	58
#define P_NONE	59
#define P_DST	60
#define P_SCTP	132

#define SYN	0x02
#define ACK	0x10

static void
eth(struct frame *f, unsigned type)
{
	frames_eth(f, MAC_DST, MAC_SRC, type);
}

static void
sll2(struct frame *f, unsigned proto, unsigned alen)
{
	frames_sll2(f, proto, alen, MAC_SRC);
}

/* IPv4, id 0x1234, TTL 64; optw 4-byte words of options; fo the
 * flags/fragment-offset field.  frames_ip_fin() sets the total length. */
static void
ip4x(struct frame *f, unsigned proto, unsigned optw, unsigned fo)
{
	frames_ip4(f, proto, V4_SRC, V4_DST, 0x1234, fo, optw);
}

static void
ip4(struct frame *f, unsigned proto)
{
	ip4x(f, proto, 0, 0);
}

static void
ip6(struct frame *f, unsigned nh)
{
	frames_ip6(f, nh, V6_SRC, V6_DST);
}

/* Sequence 1000, the ACK number 2000 with ACK; options are NOPs. */
static void
tcp(struct frame *f, unsigned sport, unsigned dport, unsigned flags,
    unsigned doff)
{
	frames_tcp(f, sport, dport, 1000, flags & ACK ? 2000 : 0, doff, flags,
	    65535);
	if (doff > 5)
		frames_fill(f, 1, (doff - 5) * 4);	/* NOPs */
}

static void
udp(struct frame *f, unsigned sport, unsigned dport, size_t paylen)
{
	frames_udp(f, sport, dport, paylen);
	frames_fill(f, 0xab, paylen);
}

/* ICMP or ICMPv6: bytes 4-5 get id even for non-echo types, where the
 * parser must not report them. */
static void
icmp(struct frame *f, unsigned type, unsigned code, unsigned id)
{
	frames_icmp(f, type, code, id, 1);
}

static void
arp(struct frame *f)
{
	frames_arp(f, MAC_SRC, V4_SRC, V4_DST);
}

/* --- the frames --------------------------------------------------------- */

static void
b_eth_v4_syn(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4(f, P_TCP);
	tcp(f, 40000, 443, SYN, 5);
	frames_ip_fin(f);
}

static void
b_eth_v4_synack_opts(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4(f, P_TCP);
	tcp(f, 443, 40000, SYN | ACK, 8);
	frames_fill(f, 0x55, 10);
	frames_ip_fin(f);
}

/* ECN setup SYN (RFC 3168): CWR and ECE are flags too. */
static void
b_eth_v4_ecn_syn(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4(f, P_TCP);
	tcp(f, 40001, 25, 0xc0 | SYN, 5);
	frames_ip_fin(f);
}

static void
b_vlan_v4_udp(struct frame *f)
{
	eth(f, ET_VLAN);
	frames_tag(f, 0xa064, ET_IPV4);	/* PCP 5, VID 100 */
	ip4(f, P_UDP);
	udp(f, 5353, 53, 4);
	frames_ip_fin(f);
}

static void
b_qinq_v6_udp(struct frame *f)
{
	eth(f, ET_QINQ);
	frames_tag(f, 10, ET_VLAN);
	frames_tag(f, 0x2014, ET_IPV6);	/* PCP 1, VID 20 */
	ip6(f, P_UDP);
	udp(f, 546, 547, 0);
	frames_ip_fin(f);
}

static void
b_qinq9100_v4_echo(struct frame *f)
{
	eth(f, ET_9100);
	frames_tag(f, 0x1ffe, ET_VLAN);	/* DEI set, VID 4094 */
	frames_tag(f, 1, ET_IPV4);
	ip4(f, P_ICMP);
	icmp(f, 8, 0, 0x4242);
	frames_ip_fin(f);
}

static void
b_three_tags(struct frame *f)
{
	eth(f, ET_VLAN);
	frames_tag(f, 1, ET_QINQ);
	frames_tag(f, 2, ET_VLAN);
	frames_tag(f, 3, ET_IPV4);
	ip4(f, P_TCP);
	tcp(f, 1, 2, SYN, 5);
	frames_ip_fin(f);
}

static void
b_arp(struct frame *f)
{
	eth(f, ET_ARP);
	arp(f);
}

static void
b_llc(struct frame *f)
{
	eth(f, 38);			/* 802.3 length */
	frames_put8(f, 0x42);			/* STP over LLC */
	frames_put8(f, 0x42);
	frames_put8(f, 0x03);
	frames_fill(f, 0, 35);
}

static void
b_vlan_arp(struct frame *f)
{
	eth(f, ET_VLAN);
	frames_tag(f, 5, ET_ARP);
	arp(f);
}

static void
b_sll_v4_tcp(struct frame *f)
{
	frames_sll(f, 6, MAC_SRC, ET_IPV4);
	ip4(f, P_TCP);
	tcp(f, 1234, 22, 0x18, 5);	/* PSH ACK */
	frames_fill(f, 0x61, 5);
	frames_ip_fin(f);
}

static void
b_sll_alen4_v6_ns(struct frame *f)
{
	static const uint8_t a[4] = { 10, 0, 0, 9 };

	frames_sll(f, 4, a, ET_IPV6);
	ip6(f, P_ICMP6);
	icmp(f, 135, 0, 0xbeef);	/* neighbour solicitation */
	frames_putn(f, V6_DST, 16);		/* target */
	frames_ip_fin(f);
}

static void
b_sll_vlan_v6_echo(struct frame *f)
{
	frames_sll(f, 6, MAC_SRC, ET_VLAN);
	frames_tag(f, 7, ET_IPV6);
	ip6(f, P_ICMP6);
	icmp(f, 128, 0, 0x0101);
	frames_ip_fin(f);
}

static void
b_sll_arp(struct frame *f)
{
	frames_sll(f, 6, MAC_SRC, ET_ARP);
	arp(f);
}

static void
b_sll2_v6_syn(struct frame *f)
{
	sll2(f, ET_IPV6, 6);
	ip6(f, P_TCP);
	tcp(f, 50000, 80, SYN, 5);
	frames_ip_fin(f);
}

static void
b_sll2_noaddr_v4_udp(struct frame *f)
{
	sll2(f, ET_IPV4, 0);
	ip4(f, P_UDP);
	udp(f, 1, 2, 0);
	frames_ip_fin(f);
}

static void
b_raw_v4_udp(struct frame *f)
{
	ip4(f, P_UDP);
	udp(f, 68, 67, 8);
	frames_ip_fin(f);
}

static void
b_raw_v6_rst(struct frame *f)
{
	ip6(f, P_TCP);
	tcp(f, 1, 2, 0x04, 5);
	frames_ip_fin(f);
}

static void
b_raw_badver(struct frame *f)
{
	b_raw_v4_udp(f);
	frames_set8(f, 0, 0x55);
}

static void
b_raw_v4_sctp(struct frame *f)
{
	ip4(f, P_SCTP);
	frames_sctp(f, 2905, 2906);
	frames_ip_fin(f);
}

static void
b_raw_v6_echoreply(struct frame *f)
{
	ip6(f, P_ICMP6);
	icmp(f, 129, 0, 7);
	frames_ip_fin(f);
}

static void
b_v4_options(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4x(f, P_UDP, 3, 0);
	udp(f, 1000, 2000, 0);
	frames_ip_fin(f);
}

static void
b_v4_frag_first(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4x(f, P_TCP, 0, 0x2000);
	tcp(f, 40000, 80, ACK, 5);
	frames_fill(f, 0x77, 16);
	frames_ip_fin(f);
}

static void
b_v4_frag_later(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4x(f, P_UDP, 0, 0x2000 | 185);
	/* Looks like a UDP header; must not be taken for one. */
	udp(f, 9, 9, 16);
	frames_ip_fin(f);
}

static void
b_v4_frag_last(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4x(f, P_TCP, 0, 10);
	frames_fill(f, 0x10, 8);
	frames_ip_fin(f);
}

static void
b_v4_df(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4x(f, P_UDP, 0, 0x4000);
	udp(f, 53, 33333, 0);
	frames_ip_fin(f);
}

static void
b_v4_ihl4(struct frame *f)
{
	b_eth_v4_syn(f);
	frames_set8(f, 14, 0x44);
}

static void
b_v4_ver6(struct frame *f)
{
	eth(f, ET_IPV4);
	ip6(f, P_TCP);
	tcp(f, 1, 2, SYN, 5);
	frames_ip_fin(f);
}

static void
b_v4_totlen_short(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4(f, P_UDP);
	udp(f, 1, 2, 0);
	frames_ip_fin(f);
	frames_set16(f, 14 + 2, 19);
}

static void
b_v4_doff4(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4(f, P_TCP);
	tcp(f, 1, 2, SYN, 4);
	frames_ip_fin(f);
}

static void
b_v4_doff_past_end(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4(f, P_TCP);
	tcp(f, 1, 2, SYN, 15);
	frames_ip_fin(f);
	frames_set16(f, 14 + 2, 40);		/* only 20 bytes of TCP */
}

/* Total length 20: the "TCP SYN" after it is Ethernet padding. */
static void
b_v4_padding_tcp(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4(f, P_TCP);
	frames_ip_fin(f);
	tcp(f, 1, 22, SYN, 5);
	frames_fill(f, 0, 6);
}

static void
b_v4_padding_udp(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4(f, P_UDP);
	udp(f, 7, 9, 2);
	frames_ip_fin(f);
	frames_fill(f, 0xee, 16);
}

/* RFC 1858: the first fragment carries 8 bytes of TCP, no flags. */
static void
b_v4_tiny_frag(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4x(f, P_TCP, 0, 0x2000);
	tcp(f, 1, 22, SYN, 5);
	frames_ip_fin(f);
	frames_set16(f, 14 + 2, 28);
}

static void
b_v4_echoreply(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4(f, P_ICMP);
	icmp(f, 0, 0, 0x55aa);
	frames_fill(f, 0x20, 8);
	frames_ip_fin(f);
}

static void
b_v4_unreach(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4(f, P_ICMP);
	icmp(f, 3, 3, 0xbeef);
	frames_fill(f, 0x45, 28);		/* the quoted datagram */
	frames_ip_fin(f);
}

static void
b_v4_ah(struct frame *f)
{
	eth(f, ET_IPV4);
	ip4(f, P_AH);
	frames_ah(f, P_TCP, 4);
	tcp(f, 1, 2, SYN, 5);
	frames_ip_fin(f);
}

static void
b_v6_syn(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_TCP);
	tcp(f, 33000, 443, SYN, 5);
	frames_ip_fin(f);
}

static void
b_v6_hbh_udp(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_HOP);
	frames_ext6(f, P_UDP, 0);
	udp(f, 1, 2, 0);
	frames_ip_fin(f);
}

static void
b_v6_rt_tcp(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_RT);
	frames_ext6(f, P_TCP, 2);
	tcp(f, 2, 3, SYN, 5);
	frames_ip_fin(f);
}

static void
b_v6_dst_sctp(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_DST);
	frames_ext6(f, P_SCTP, 1);
	frames_sctp(f, 5, 6);
	frames_ip_fin(f);
}

static void
b_v6_atomic_frag(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_FRAG);
	frames_frag6(f, P_UDP, 0, 0, 0xdeadbeef);
	udp(f, 1, 2, 0);
	frames_ip_fin(f);
}

static void
b_v6_ah_tcp(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_AH);
	frames_ah(f, P_TCP, 4);
	tcp(f, 1, 2, SYN, 5);
	frames_ip_fin(f);
}

static void
b_v6_chain(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_HOP);
	frames_ext6(f, P_DST, 0);
	frames_ext6(f, P_RT, 0);
	frames_ext6(f, P_FRAG, 1);
	frames_frag6(f, P_DST, 0, 1, 0x01020304);
	frames_ext6(f, P_AH, 0);
	frames_ah(f, P_TCP, 4);
	tcp(f, 1, 2, SYN, 5);
	frames_ip_fin(f);
}

static void
ext_chain(struct frame *f, int n)
{
	eth(f, ET_IPV6);
	ip6(f, P_HOP);
	for (int i = 1; i < n; i++)
		frames_ext6(f, P_DST, 0);
	frames_ext6(f, P_UDP, 0);
	udp(f, 1, 2, 0);
	frames_ip_fin(f);
}

static void
b_v6_8ext(struct frame *f)
{
	ext_chain(f, 8);
}

static void
b_v6_9ext(struct frame *f)
{
	ext_chain(f, 9);
}

static void
b_v6_hbh_second(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_DST);
	frames_ext6(f, P_HOP, 0);
	frames_ext6(f, P_UDP, 0);
	udp(f, 1, 2, 0);
	frames_ip_fin(f);
}

static void
b_v6_two_frags(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_FRAG);
	frames_frag6(f, P_FRAG, 0, 1, 7);
	frames_frag6(f, P_UDP, 0, 0, 7);
	udp(f, 1, 2, 0);
	frames_ip_fin(f);
}

static void
b_v6_frag_first(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_FRAG);
	frames_frag6(f, P_UDP, 0, 1, 0xcafe0001);
	udp(f, 5000, 6000, 100);
	frames_ip_fin(f);
}

static void
b_v6_frag_later(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_FRAG);
	frames_frag6(f, P_UDP, 1448, 1, 0xcafe0001);
	udp(f, 9, 9, 24);
	frames_ip_fin(f);
}

static void
b_v6_nonext(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_NONE);
	frames_ip_fin(f);
}

static void
b_v6_dst_nonext(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_DST);
	frames_ext6(f, P_NONE, 0);
	frames_ip_fin(f);
}

static void
b_v6_echo(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_ICMP6);
	icmp(f, 128, 0, 0x1234);
	frames_fill(f, 0x20, 8);
	frames_ip_fin(f);
}

static void
b_v6_ext_past_plen(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_RT);
	frames_ext6(f, P_TCP, 3);		/* 32 bytes ... */
	frames_ip_fin(f);
	frames_set16(f, 14 + 4, 16);		/* ... in a 16-byte payload */
}

static void
b_v6_esp(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_ESP);
	frames_put32(f, 0x1000);
	frames_put32(f, 1);
	frames_fill(f, 0x99, 8);
	frames_ip_fin(f);
}

/* RFC 2675: payload length 0, the length in a hop-by-hop option. */
static void
b_v6_jumbo(struct frame *f)
{
	eth(f, ET_IPV6);
	ip6(f, P_HOP);
	frames_put8(f, P_TCP);
	frames_put8(f, 0);
	frames_put8(f, 0xc2);
	frames_put8(f, 4);
	frames_put32(f, 28);
	tcp(f, 1, 2, SYN, 5);
	frames_ip_fin(f);
	frames_set16(f, 14 + 4, 0);
}

static void
b_v6_ver4(struct frame *f)
{
	eth(f, ET_IPV6);
	ip4(f, P_TCP);
	tcp(f, 1, 2, SYN, 5);
	frames_ip_fin(f);
}

/* --- the table ---------------------------------------------------------- */

#define MACS	.dst_mac = { 2, 0, 0, 0, 0, 1 }, \
		.src_mac = { 2, 0, 0, 0, 0, 2 }, .has_mac = 1
#define SMAC	.src_mac = { 2, 0, 0, 0, 0, 2 }, .has_mac = 1
#define V4	.family = 4, .ttl = 64, .frag_id = 0x1234, \
		.src = { 192, 0, 2, 1 }, .dst = { 198, 51, 100, 2 }
#define V6	.family = 6, .ttl = 64, \
		.src = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, \
		    0, 0, 0, 0, 0, 0, 0, 1 }, \
		.dst = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, \
		    0, 0, 0, 0, 0, 0, 0, 2 }
#define PORTS(s, d)	.has_ports = 1, .sport = (s), .dport = (d)

struct pcase {
	const char	*name;
	int		 link;
	void		(*build)(struct frame *);
	enum pkt_status	 st;
	size_t		 need;	/* shortest capture giving the same result */
	size_t		 len;	/* frame length, to catch builder drift */
	struct pkt_info	 exp;
};

static const struct pcase cases[] = {
	/* Ethernet, TCP flags */
	{ "eth v4 tcp syn", 1, b_eth_v4_syn, PKT_OK, 48, 54,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_TCP, .l3_off = 14,
	    .l4_off = 34, .ip_len = 40, PORTS(40000, 443),
	    .tcp_flags = SYN } },
	{ "eth v4 tcp syn-ack options", 1, b_eth_v4_synack_opts, PKT_OK,
	    48, 76,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_TCP, .l3_off = 14,
	    .l4_off = 34, .ip_len = 62, PORTS(443, 40000),
	    .tcp_flags = SYN | ACK } },

	{ "eth v4 tcp ecn syn", 1, b_eth_v4_ecn_syn, PKT_OK, 48, 54,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_TCP, .l3_off = 14,
	    .l4_off = 34, .ip_len = 40, PORTS(40001, 25),
	    .tcp_flags = 0xc2 } },

	/* VLAN */
	{ "vlan v4 udp", 1, b_vlan_v4_udp, PKT_OK, 46, 50,
	    { MACS, .nvlan = 1, .vlan = { 100 }, .ethertype = ET_IPV4, V4,
	    .proto = P_UDP, .l3_off = 18, .l4_off = 38, .ip_len = 32,
	    PORTS(5353, 53) } },
	{ "qinq 88a8 v6 udp", 1, b_qinq_v6_udp, PKT_OK, 70, 70,
	    { MACS, .nvlan = 2, .vlan = { 10, 20 }, .ethertype = ET_IPV6, V6,
	    .proto = P_UDP, .l3_off = 22, .l4_off = 62, .ip_len = 48,
	    PORTS(546, 547) } },
	{ "qinq 9100 v4 icmp echo", 1, b_qinq9100_v4_echo, PKT_OK, 50, 50,
	    { MACS, .nvlan = 2, .vlan = { 4094, 1 }, .ethertype = ET_IPV4,
	    V4, .proto = P_ICMP, .l3_off = 22, .l4_off = 42, .ip_len = 28,
	    .has_icmp = 1, .icmp_type = 8, .icmp_id = 0x4242 } },
	{ "three tags", 1, b_three_tags, PKT_MALFORMED, 22, 66,
	    { MACS, .nvlan = 2, .vlan = { 1, 2 }, .ethertype = ET_VLAN } },

	/* not IP */
	{ "arp", 1, b_arp, PKT_NOT_IP, 14, 42,
	    { MACS, .ethertype = ET_ARP } },
	{ "802.3 llc", 1, b_llc, PKT_NOT_IP, 14, 52,
	    { MACS, .ethertype = 38 } },
	{ "vlan arp", 1, b_vlan_arp, PKT_NOT_IP, 18, 46,
	    { MACS, .nvlan = 1, .vlan = { 5 }, .ethertype = ET_ARP } },

	/* Linux cooked */
	{ "sll v4 tcp", 113, b_sll_v4_tcp, PKT_OK, 50, 61,
	    { SMAC, .ethertype = ET_IPV4, V4, .proto = P_TCP, .l3_off = 16,
	    .l4_off = 36, .ip_len = 45, PORTS(1234, 22),
	    .tcp_flags = 0x18 } },
	{ "sll 4-byte address v6 ns", 113, b_sll_alen4_v6_ns, PKT_OK, 60,
	    80,
	    { .ethertype = ET_IPV6, V6, .proto = P_ICMP6, .l3_off = 16,
	    .l4_off = 56, .ip_len = 64, .has_icmp = 1,
	    .icmp_type = 135 } },
	{ "sll vlan v6 echo", 113, b_sll_vlan_v6_echo, PKT_OK, 68, 68,
	    { SMAC, .nvlan = 1, .vlan = { 7 }, .ethertype = ET_IPV6, V6,
	    .proto = P_ICMP6, .l3_off = 20, .l4_off = 60, .ip_len = 48,
	    .has_icmp = 1, .icmp_type = 128, .icmp_id = 0x0101 } },
	{ "sll arp", 113, b_sll_arp, PKT_NOT_IP, 16, 44,
	    { SMAC, .ethertype = ET_ARP } },
	{ "sll2 v6 syn", 276, b_sll2_v6_syn, PKT_OK, 74, 80,
	    { SMAC, .ethertype = ET_IPV6, V6, .proto = P_TCP, .l3_off = 20,
	    .l4_off = 60, .ip_len = 60, PORTS(50000, 80),
	    .tcp_flags = SYN } },
	{ "sll2 no address v4 udp", 276, b_sll2_noaddr_v4_udp, PKT_OK, 48,
	    48,
	    { .ethertype = ET_IPV4, V4, .proto = P_UDP, .l3_off = 20,
	    .l4_off = 40, .ip_len = 28, PORTS(1, 2) } },

	/* raw IP */
	{ "raw101 v4 udp", 101, b_raw_v4_udp, PKT_OK, 28, 36,
	    { V4, .proto = P_UDP, .l4_off = 20, .ip_len = 36,
	    PORTS(68, 67) } },
	{ "raw101 v6 tcp rst", 101, b_raw_v6_rst, PKT_OK, 54, 60,
	    { V6, .proto = P_TCP, .l4_off = 40, .ip_len = 60, PORTS(1, 2),
	    .tcp_flags = 0x04 } },
	{ "raw101 version 5", 101, b_raw_badver, PKT_MALFORMED, 1, 36,
	    { .family = 0 } },
	{ "raw228 v4 sctp", 228, b_raw_v4_sctp, PKT_OK, 32, 32,
	    { V4, .proto = P_SCTP, .l4_off = 20, .ip_len = 32,
	    PORTS(2905, 2906) } },
	{ "raw229 v6 echo reply", 229, b_raw_v6_echoreply, PKT_OK, 48, 48,
	    { V6, .proto = P_ICMP6, .l4_off = 40, .ip_len = 48,
	    .has_icmp = 1, .icmp_type = 129, .icmp_id = 7 } },
	{ "raw228 given v6", 228, b_raw_v6_rst, PKT_MALFORMED, 1, 60,
	    { .family = 0 } },
	{ "raw229 given v4", 229, b_raw_v4_udp, PKT_MALFORMED, 1, 36,
	    { .family = 0 } },

	/* IPv4 */
	{ "v4 options", 1, b_v4_options, PKT_OK, 54, 54,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_UDP, .l3_off = 14,
	    .l4_off = 46, .ip_len = 40, PORTS(1000, 2000) } },
	{ "v4 first fragment", 1, b_v4_frag_first, PKT_OK, 48, 70,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_TCP,
	    .frag = PKT_FRAG_FIRST, .l3_off = 14, .l4_off = 34, .ip_len = 56,
	    PORTS(40000, 80), .tcp_flags = ACK } },
	{ "v4 later fragment", 1, b_v4_frag_later, PKT_OK, 34, 58,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_UDP,
	    .frag = PKT_FRAG_LATER, .frag_off = 1480, .l3_off = 14,
	    .ip_len = 44 } },
	{ "v4 last fragment", 1, b_v4_frag_last, PKT_OK, 34, 42,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_TCP,
	    .frag = PKT_FRAG_LATER, .frag_off = 80, .l3_off = 14,
	    .ip_len = 28 } },
	{ "v4 df", 1, b_v4_df, PKT_OK, 42, 42,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_UDP, .l3_off = 14,
	    .l4_off = 34, .ip_len = 28, PORTS(53, 33333) } },
	{ "v4 ihl 4", 1, b_v4_ihl4, PKT_MALFORMED, 15, 54,
	    { MACS, .ethertype = ET_IPV4, .l3_off = 14 } },
	{ "v4 ethertype, version 6", 1, b_v4_ver6, PKT_MALFORMED, 15, 74,
	    { MACS, .ethertype = ET_IPV4, .l3_off = 14 } },
	{ "v4 total length 19", 1, b_v4_totlen_short, PKT_MALFORMED, 34, 42,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_UDP, .l3_off = 14,
	    .ip_len = 19 } },
	{ "v4 tcp data offset 4", 1, b_v4_doff4, PKT_MALFORMED, 48, 54,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_TCP, .l3_off = 14,
	    .l4_off = 34, .ip_len = 40 } },
	{ "v4 tcp data offset past end", 1, b_v4_doff_past_end,
	    PKT_MALFORMED, 48, 94,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_TCP, .l3_off = 14,
	    .l4_off = 34, .ip_len = 40 } },
	{ "v4 tcp in ethernet padding", 1, b_v4_padding_tcp, PKT_MALFORMED,
	    34, 60,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_TCP, .l3_off = 14,
	    .l4_off = 34, .ip_len = 20 } },
	{ "v4 udp before padding", 1, b_v4_padding_udp, PKT_OK, 42, 60,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_UDP, .l3_off = 14,
	    .l4_off = 34, .ip_len = 30, PORTS(7, 9) } },
	{ "v4 tiny first fragment", 1, b_v4_tiny_frag, PKT_MALFORMED, 34,
	    54,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_TCP,
	    .frag = PKT_FRAG_FIRST, .l3_off = 14, .l4_off = 34,
	    .ip_len = 28 } },
	{ "v4 icmp echo reply", 1, b_v4_echoreply, PKT_OK, 42, 50,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_ICMP, .l3_off = 14,
	    .l4_off = 34, .ip_len = 36, .has_icmp = 1, .icmp_type = 0,
	    .icmp_id = 0x55aa } },
	{ "v4 icmp unreachable", 1, b_v4_unreach, PKT_OK, 38, 70,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_ICMP, .l3_off = 14,
	    .l4_off = 34, .ip_len = 56, .has_icmp = 1, .icmp_type = 3,
	    .icmp_code = 3 } },
	{ "v4 ah not walked", 1, b_v4_ah, PKT_OK, 34, 78,
	    { MACS, .ethertype = ET_IPV4, V4, .proto = P_AH, .l3_off = 14,
	    .l4_off = 34, .ip_len = 64 } },

	/* IPv6 */
	{ "v6 tcp syn", 1, b_v6_syn, PKT_OK, 68, 74,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_TCP, .l3_off = 14,
	    .l4_off = 54, .ip_len = 60, PORTS(33000, 443),
	    .tcp_flags = SYN } },
	{ "v6 hop-by-hop udp", 1, b_v6_hbh_udp, PKT_OK, 70, 70,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_UDP, .l3_off = 14,
	    .l4_off = 62, .ip_len = 56, PORTS(1, 2) } },
	{ "v6 routing tcp", 1, b_v6_rt_tcp, PKT_OK, 92, 98,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_TCP, .l3_off = 14,
	    .l4_off = 78, .ip_len = 84, PORTS(2, 3), .tcp_flags = SYN } },
	{ "v6 dstopts sctp", 1, b_v6_dst_sctp, PKT_OK, 82, 82,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_SCTP, .l3_off = 14,
	    .l4_off = 70, .ip_len = 68, PORTS(5, 6) } },
	{ "v6 atomic fragment udp", 1, b_v6_atomic_frag, PKT_OK, 70, 70,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_UDP,
	    .frag_id = 0xdeadbeef, .l3_off = 14, .l4_off = 62, .ip_len = 56,
	    PORTS(1, 2) } },
	{ "v6 ah tcp", 1, b_v6_ah_tcp, PKT_OK, 92, 98,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_TCP, .l3_off = 14,
	    .l4_off = 78, .ip_len = 84, PORTS(1, 2), .tcp_flags = SYN } },
	{ "v6 chain hbh dst rt frag dst ah tcp", 1, b_v6_chain, PKT_OK, 140,
	    146,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_TCP,
	    .frag = PKT_FRAG_FIRST, .frag_id = 0x01020304, .l3_off = 14,
	    .l4_off = 126, .ip_len = 132, PORTS(1, 2), .tcp_flags = SYN } },
	{ "v6 8 extension headers", 1, b_v6_8ext, PKT_OK, 126, 126,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_UDP, .l3_off = 14,
	    .l4_off = 118, .ip_len = 112, PORTS(1, 2) } },
	{ "v6 9 extension headers", 1, b_v6_9ext, PKT_MALFORMED, 118, 134,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_DST, .l3_off = 14,
	    .ip_len = 120 } },
	{ "v6 hop-by-hop not first", 1, b_v6_hbh_second, PKT_MALFORMED, 62,
	    78,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_HOP, .l3_off = 14,
	    .ip_len = 64 } },
	{ "v6 two fragment headers", 1, b_v6_two_frags, PKT_MALFORMED, 70,
	    78,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_FRAG,
	    .frag = PKT_FRAG_FIRST, .frag_id = 7, .l3_off = 14,
	    .ip_len = 64 } },
	{ "v6 first fragment udp", 1, b_v6_frag_first, PKT_OK, 70, 170,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_UDP,
	    .frag = PKT_FRAG_FIRST, .frag_id = 0xcafe0001, .l3_off = 14,
	    .l4_off = 62, .ip_len = 156, PORTS(5000, 6000) } },
	{ "v6 later fragment", 1, b_v6_frag_later, PKT_OK, 62, 94,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_UDP,
	    .frag = PKT_FRAG_LATER, .frag_id = 0xcafe0001, .frag_off = 1448,
	    .l3_off = 14, .ip_len = 80 } },
	{ "v6 no next header", 1, b_v6_nonext, PKT_OK, 54, 54,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_NONE, .l3_off = 14,
	    .ip_len = 40 } },
	{ "v6 dstopts, no next header", 1, b_v6_dst_nonext, PKT_OK, 62, 62,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_NONE, .l3_off = 14,
	    .ip_len = 48 } },
	{ "v6 icmpv6 echo request", 1, b_v6_echo, PKT_OK, 62, 70,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_ICMP6, .l3_off = 14,
	    .l4_off = 54, .ip_len = 56, .has_icmp = 1, .icmp_type = 128,
	    .icmp_id = 0x1234 } },
	{ "v6 ext header past payload", 1, b_v6_ext_past_plen, PKT_MALFORMED,
	    56, 86,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_RT, .l3_off = 14,
	    .ip_len = 56 } },
	{ "v6 esp", 1, b_v6_esp, PKT_OK, 54, 70,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_ESP, .l3_off = 14,
	    .l4_off = 54, .ip_len = 56 } },
	{ "v6 jumbogram", 1, b_v6_jumbo, PKT_OK, 76, 82,
	    { MACS, .ethertype = ET_IPV6, V6, .proto = P_TCP, .l3_off = 14,
	    .l4_off = 62, .ip_len = 40, PORTS(1, 2), .tcp_flags = SYN } },
	{ "v6 ethertype, version 4", 1, b_v6_ver4, PKT_MALFORMED, 15, 54,
	    { MACS, .ethertype = ET_IPV6, .l3_off = 14 } },
};

#define NCASES ((int)ARRAY_LEN(cases))

/* --- helpers ------------------------------------------------------------ */

static void
build(const struct pcase *c, struct frame *f)
{
	memset(f, 0, sizeof(*f));
	c->build(f);
	ck_assert_msg(f->len == c->len, "%s: built %zu bytes, table says %zu",
	    c->name, f->len, c->len);
}

/* Parse n bytes from an exactly sized heap copy: ASan sees any over-read. */
static enum pkt_status
parse_exact(const uint8_t *b, size_t n, int link, struct pkt_info *pi)
{
	enum pkt_status st;
	uint8_t *copy;

	copy = malloc(n);
	ck_assert(copy != NULL || n == 0);
	if (n > 0)
		memcpy(copy, b, n);
	/* Poison the output: the parser must clear what it does not set. */
	memset(pi, 0xa5, sizeof(*pi));
	st = pkt_parse(copy, n, link, pi);
	free(copy);
	return st;
}

#define EQ(f)								\
	ck_assert_msg(got->f == exp->f, "%s: " #f " = %lld, want %lld",	\
	    what, (long long)got->f, (long long)exp->f)
#define EQB(f)								\
	ck_assert_msg(memcmp(got->f, exp->f, sizeof(got->f)) == 0,	\
	    "%s: " #f " differs", what)

static void
info_eq(const char *what, const struct pkt_info *got,
    const struct pkt_info *exp)
{
	EQB(dst_mac);
	EQB(src_mac);
	EQ(has_mac);
	EQ(nvlan);
	EQ(vlan[0]);
	EQ(vlan[1]);
	EQ(ethertype);
	EQ(family);
	EQ(proto);
	EQ(ttl);
	EQ(frag);
	EQ(frag_id);
	EQ(frag_off);
	EQB(src);
	EQB(dst);
	EQ(l3_off);
	EQ(l4_off);
	EQ(ip_len);
	EQ(has_ports);
	EQ(has_icmp);
	EQ(sport);
	EQ(dport);
	EQ(tcp_flags);
	EQ(icmp_type);
	EQ(icmp_code);
	EQ(icmp_id);
}

/*
 * What must hold of any parse, whatever the input: NULL, or the first rule
 * broken.  Plain tests, not ck_assert: Check records every passing assert,
 * which would dominate the fuzz loops.
 */
static const char *
violation(enum pkt_status st, const struct pkt_info *pi, size_t caplen)
{
	if (st < PKT_OK || st > PKT_UNSUPPORTED_LINK)
		return "status out of range";
	if (strcmp(pkt_status_str(st), "unknown status") == 0)
		return "status without text";
	if (pi->nvlan > 2)
		return "nvlan > 2";
	if (pi->frag > PKT_FRAG_LATER)
		return "frag out of range";
	if (pi->has_mac > 1)
		return "has_mac not 0/1";
	if (pi->l3_off > caplen || pi->l4_off > caplen)
		return "offset past caplen";
	if (st == PKT_OK && pi->family != ADDR_V4 && pi->family != ADDR_V6)
		return "ok without a family";
	if (st == PKT_OK &&
	    pi->l3_off + (pi->family == ADDR_V4 ? 20u : 40u) > caplen)
		return "ok with an IP header past caplen";
	if ((st == PKT_NOT_IP || st == PKT_UNSUPPORTED_LINK) &&
	    pi->family != 0)
		return "family set on a non-IP frame";
	if (pi->has_ports && (st != PKT_OK ||
	    (pi->proto != P_TCP && pi->proto != P_UDP &&
	    pi->proto != P_SCTP) || pi->frag == PKT_FRAG_LATER ||
	    pi->l4_off + 8 > caplen))
		return "has_ports where there can be none";
	if (pi->has_icmp && (st != PKT_OK ||
	    (pi->proto != P_ICMP && pi->proto != P_ICMP6) ||
	    pi->l4_off + 4 > caplen))
		return "has_icmp where there can be none";
	if (!pi->has_ports && (pi->sport != 0 || pi->dport != 0 ||
	    pi->tcp_flags != 0))
		return "ports or flags without has_ports";
	if (pi->tcp_flags != 0 && pi->proto != P_TCP)
		return "tcp_flags on a non-TCP packet";
	if (!pi->has_icmp && (pi->icmp_type != 0 || pi->icmp_code != 0 ||
	    pi->icmp_id != 0))
		return "icmp fields without has_icmp";
	if (pi->frag == PKT_FRAG_LATER && pi->l4_off != 0)
		return "later fragment with an L4 offset";
	return NULL;
}

static void
invariants(const char *what, enum pkt_status st, const struct pkt_info *pi,
    size_t caplen)
{
	const char *v = violation(st, pi, caplen);

	ck_assert_msg(v == NULL, "%s: %s", what, v);
}

/* --- tests -------------------------------------------------------------- */

/* Each crafted frame gives exactly its expected info and status. */
START_TEST(test_case)
{
	const struct pcase *c = &cases[_i];
	struct pkt_info pi;
	struct frame f;
	enum pkt_status st;

	build(c, &f);
	st = parse_exact(f.b, f.len, c->link, &pi);
	ck_assert_msg(st == c->st, "%s: status %s, want %s", c->name,
	    pkt_status_str(st), pkt_status_str(c->st));
	info_eq(c->name, &pi, &c->exp);
	invariants(c->name, st, &pi, f.len);
}
END_TEST

/*
 * Cut at every length: before "need" always TRUNCATED, from "need" on the
 * same result as the whole frame.
 */
START_TEST(test_truncate)
{
	const struct pcase *c = &cases[_i];
	struct pkt_info full, pi;
	struct frame f;
	enum pkt_status fst, st;
	char what[96];

	build(c, &f);
	ck_assert_uint_le(c->need, f.len);
	fst = parse_exact(f.b, f.len, c->link, &full);
	ck_assert_int_eq(fst, c->st);
	for (size_t n = 0; n <= f.len; n++) {
		snprintf(what, sizeof(what), "%s cut at %zu", c->name, n);
		st = parse_exact(f.b, n, c->link, &pi);
		invariants(what, st, &pi, n);
		if (n < c->need) {
			ck_assert_msg(st == PKT_TRUNCATED, "%s: status %s",
			    what, pkt_status_str(st));
			ck_assert_msg(!pi.has_ports && !pi.has_icmp,
			    "%s: L4 fields set", what);
		} else {
			ck_assert_msg(st == fst, "%s: status %s, want %s",
			    what, pkt_status_str(st), pkt_status_str(fst));
			info_eq(what, &pi, &full);
		}
	}
}
END_TEST

START_TEST(test_unsupported_link)
{
	static const int links[] = { 0, 12, 14, 105, 127, 228 + 1000, -1 };
	struct pkt_info pi;
	struct frame f;

	memset(&f, 0, sizeof(f));
	b_eth_v4_syn(&f);
	for (size_t i = 0; i < ARRAY_LEN(links); i++) {
		ck_assert_int_eq(parse_exact(f.b, f.len, links[i], &pi),
		    PKT_UNSUPPORTED_LINK);
		ck_assert_int_eq(parse_exact(f.b, 0, links[i], &pi),
		    PKT_UNSUPPORTED_LINK);
		ck_assert_uint_eq(pi.family, 0);
		ck_assert_uint_eq(pi.has_mac, 0);
	}
}
END_TEST

START_TEST(test_status_str)
{
	ck_assert_str_eq(pkt_status_str(PKT_OK), "ok");
	ck_assert_str_eq(pkt_status_str(PKT_NOT_IP), "not ip");
	ck_assert_str_eq(pkt_status_str(PKT_TRUNCATED), "truncated");
	ck_assert_str_eq(pkt_status_str(PKT_MALFORMED), "malformed");
	ck_assert_str_eq(pkt_status_str(PKT_UNSUPPORTED_LINK),
	    "unsupported link type");
	ck_assert_str_eq(pkt_status_str((enum pkt_status)99),
	    "unknown status");
}
END_TEST

START_TEST(test_opener)
{
	static const struct {
		void	(*build)(struct frame *);
		int	 opener;
	} t[] = {
		{ b_eth_v4_syn, 1 },
		{ b_eth_v4_synack_opts, 0 },
		{ b_eth_v4_ecn_syn, 1 },
		{ b_v6_syn, 1 },
		{ b_v4_frag_first, 0 },		/* ACK */
		{ b_vlan_v4_udp, 0 },
		{ b_v4_frag_last, 0 },		/* TCP, no header */
	};
	struct pkt_info pi;
	struct frame f;

	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		memset(&f, 0, sizeof(f));
		t[i].build(&f);
		ck_assert_int_eq(parse_exact(f.b, f.len, 1, &pi), PKT_OK);
		ck_assert_msg(pkt_is_opener(&pi) == t[i].opener,
		    "frame %zu: opener %d", i, pkt_is_opener(&pi));
	}
}
END_TEST

/* xorshift64*: fixed seed, same frames on every run and every libc. */
static uint64_t rng_state;

static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static const int fuzz_links[] = { 1, 101, 113, 228, 229, 276 };

#define FUZZ_ROUNDS 100000

/* Random bytes on every link type. */
START_TEST(test_fuzz_random)
{
	uint8_t buf[256];
	struct pkt_info pi;
	enum pkt_status st;
	const char *v;
	int seen[PKT_UNSUPPORTED_LINK + 1] = { 0 };

	rng_state = 0x5eed0001;
	for (int r = 0; r < FUZZ_ROUNDS; r++) {
		size_t n = rng() % sizeof(buf);
		int link = fuzz_links[rng() % ARRAY_LEN(fuzz_links)];

		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)rng();
		/* Steer some frames past the link header. */
		if (n > 20 && rng() % 2 == 0) {
			size_t at = link == 1 ? 12 : link == 113 ? 14 : 0;
			unsigned et = rng() % 2 ? ET_IPV4 : ET_IPV6;

			if (link == 1 || link == 113 || link == 276) {
				buf[at] = (uint8_t)(et >> 8);
				buf[at + 1] = (uint8_t)et;
			} else {
				buf[0] = (uint8_t)((rng() % 2 ? 0x40 : 0x60) |
				    (buf[0] & 0x0f));
			}
		}
		st = parse_exact(buf, n, link, &pi);
		if ((v = violation(st, &pi, n)) != NULL)
			ck_abort_msg("round %d, link %d, %zu bytes: %s", r,
			    link, n, v);
		seen[st]++;
	}
	/* The loop must have reached the IP parsers, not just the link. */
	ck_assert_int_gt(seen[PKT_OK], 0);
	ck_assert_int_gt(seen[PKT_MALFORMED], 0);
	ck_assert_int_gt(seen[PKT_TRUNCATED], 0);
	ck_assert_int_gt(seen[PKT_NOT_IP], 0);
}
END_TEST

/* The crafted frames with a few bytes changed and a random cut. */
START_TEST(test_fuzz_mutate)
{
	struct pkt_info pi;
	struct frame f;
	enum pkt_status st;
	const char *v;
	int seen[PKT_UNSUPPORTED_LINK + 1] = { 0 };
	int ports = 0, icmps = 0, later = 0;

	rng_state = 0x5eed0002;
	for (int r = 0; r < FUZZ_ROUNDS; r++) {
		const struct pcase *c = &cases[rng() % NCASES];
		int nflip = 1 + (int)(rng() % 4);
		size_t n;

		memset(&f, 0, sizeof(f));
		c->build(&f);
		for (int k = 0; k < nflip; k++) {
			size_t at = rng() % f.len;

			/* Half the time a small change: lengths, flags. */
			if (rng() % 2)
				f.b[at] ^= (uint8_t)(1u << (rng() % 8));
			else
				f.b[at] = (uint8_t)rng();
		}
		n = rng() % 4 == 0 ? rng() % (f.len + 1) : f.len;
		st = parse_exact(f.b, n, c->link, &pi);
		if ((v = violation(st, &pi, n)) != NULL)
			ck_abort_msg("round %d, %s mutated, %zu bytes: %s", r,
			    c->name, n, v);
		seen[st]++;
		ports += pi.has_ports;
		icmps += pi.has_icmp;
		later += pi.frag == PKT_FRAG_LATER;
	}
	ck_assert_int_gt(seen[PKT_OK], 0);
	ck_assert_int_gt(seen[PKT_MALFORMED], 0);
	ck_assert_int_gt(seen[PKT_TRUNCATED], 0);
	ck_assert_int_gt(seen[PKT_NOT_IP], 0);
	ck_assert_int_gt(ports, 0);
	ck_assert_int_gt(icmps, 0);
	ck_assert_int_gt(later, 0);
}
END_TEST

/*
 * pkt_fast4() against pkt_parse(): on the Ethernet cases, mutated (lengths,
 * version and header length, fragment bits, protocol, data offset) and cut
 * anywhere, whenever the fast reader takes a frame the parser must say
 * PKT_OK with the same tuple; and it must take the plain TCP and UDP
 * frames.
 */
START_TEST(test_fast4)
{
	static const size_t hot[] = { 12, 13, 14, 16, 17, 20, 21, 23, 46 };
	struct pkt_info pi;
	struct pkt_tuple4 t;
	struct frame f;
	enum pkt_status st;
	int taken = 0, tcp = 0, udp = 0;

	rng_state = 0x5eed0003;
	for (int r = 0; r < FUZZ_ROUNDS; r++) {
		const struct pcase *c = &cases[rng() % NCASES];
		size_t n;
		int fast;

		if (c->link != 1)
			continue;
		memset(&f, 0, sizeof(f));
		c->build(&f);
		if (r % 4 != 0) {
			int nflip = 1 + (int)(rng() % 3);
			for (int k = 0; k < nflip; k++) {
				size_t at = rng() % 2 ? hot[rng() % ARRAY_LEN(hot)] :
				    rng() % f.len;
				if (at >= f.len)
					continue;
				if (rng() % 2)
					f.b[at] ^= (uint8_t)(1u << (rng() % 8));
				else
					f.b[at] = (uint8_t)rng();
			}
		}
		n = rng() % 3 == 0 ? rng() % (f.len + 1) : f.len;
		memset(&t, 0xa5, sizeof(t));
		fast = pkt_fast4(f.b, n, &t);
		st = parse_exact(f.b, n, 1, &pi);
		if (!fast) {
			/* the plain ones must be taken */
			ck_assert_msg(!(st == PKT_OK && r % 4 == 0 &&
			    n == f.len && pi.family == 4 && pi.nvlan == 0 &&
			    pi.frag == PKT_FRAG_NONE && pi.has_ports &&
			    pi.l4_off == 34 && (pi.proto == P_TCP ||
			    pi.proto == P_UDP)), "round %d, %s: not taken",
			    r, c->name);
			continue;
		}
		taken++;
		tcp += t.proto == P_TCP;
		udp += t.proto == P_UDP;
		ck_assert_msg(st == PKT_OK && pi.family == 4 && pi.nvlan == 0 &&
		    pi.frag == PKT_FRAG_NONE && pi.has_ports && !pi.has_icmp &&
		    pi.proto == t.proto && pi.sport == t.sport &&
		    pi.dport == t.dport && pi.tcp_flags == t.tcp_flags &&
		    memcmp(pi.src, &t.src, 4) == 0 &&
		    memcmp(pi.dst, &t.dst, 4) == 0,
		    "round %d, %s mutated, %zu bytes: fast %u %u/%u flags %x, "
		    "parse %s proto %u %u/%u flags %x", r, c->name, n,
		    t.proto, t.sport, t.dport, t.tcp_flags,
		    pkt_status_str(st), pi.proto, pi.sport, pi.dport,
		    pi.tcp_flags);
		/* and the whole pkt_info, as pkt_parse() fills it */
		{
			struct pkt_info fi;
			memset(&fi, 0x5a, sizeof(fi));
			pkt_info_fast4(f.b, &t, &fi);
			ck_assert_msg(memcmp(&fi, &pi, sizeof(fi)) == 0,
			    "round %d, %s: pkt_info_fast4 differs", r,
			    c->name);
		}
	}
	ck_assert_int_gt(taken, 1000);
	ck_assert_int_gt(tcp, 100);
	ck_assert_int_gt(udp, 100);
}
END_TEST

/*
 * The whole frames of the shared builder (frames_build(), as the probe
 * sends them and the audit suite captures them) parse back to what was
 * asked, and their checksums verify by a sum written here.
 */

#define A4(a, b, c, d)	{ a, b, c, d }
#define MSS		((const uint8_t[]){ 2, 4, 0x05, 0xb4 })

static const struct bcase {
	const char *name;
	struct frames_spec s;
	uint16_t icmp_id;	/* what the parser reports (echo only) */
} bcases[] = {
	{ "probe tcp", { .dst_mac = { 2, 0, 0, 0, 0, 0xfe },
	  .src_mac = { 2, 0, 0x0a, 0x14, 1, 5 }, .family = ADDR_V4,
	  .src = A4(10, 20, 1, 5), .dst = A4(192, 0, 2, 40),
	  .proto = P_TCP, .ip_id = 0x7001, .df = true, .sport = 40000,
	  .dport = 443, .seq = 0x70726f63, .tcp_flags = SYN, .win = 64240,
	  .tcp_opt = MSS, .ntcp_opt = 4, .min_len = 60,
	  .csum = FRAMES_CSUM_IP | FRAMES_CSUM_L4 }, 0 },
	{ "probe udp vlan", { .dst_mac = { 2, 0, 0, 0, 0, 0xfe },
	  .src_mac = { 2, 0, 0x0a, 0x14, 1, 5 }, .nvlan = 1,
	  .vlan = { 100 }, .family = ADDR_V4, .src = A4(10, 20, 1, 5),
	  .dst = A4(192, 0, 2, 40), .proto = P_UDP, .df = true,
	  .sport = 40000, .dport = 53, .data = (const uint8_t *)"hello\n",
	  .ndata = 6, .min_len = 60,
	  .csum = FRAMES_CSUM_IP | FRAMES_CSUM_L4 }, 0 },
	{ "probe echo", { .dst_mac = { 2, 0, 0, 0, 0, 0xfe },
	  .src_mac = { 2, 0, 0x0a, 0x14, 1, 5 }, .family = ADDR_V4,
	  .src = A4(10, 20, 1, 5), .dst = A4(192, 0, 2, 40),
	  .proto = P_ICMP, .df = true, .icmp_type = 8, .icmp_id = 0x1234,
	  .icmp_seq = 1, .data = (const uint8_t *)"zoned probe inject\n",
	  .ndata = 19, .min_len = 60,
	  .csum = FRAMES_CSUM_IP | FRAMES_CSUM_L4 }, 0x1234 },
	{ "probe tcp6", { .dst_mac = { 2, 0, 0, 0, 0, 0xfe },
	  .src_mac = { 2, 0, 0x0a, 0x14, 1, 5 }, .family = ADDR_V6,
	  .src = { 0xfd, 0, 0, 0x20, [15] = 5 },
	  .dst = { 0x20, 1, 0x0d, 0xb8, [15] = 1 }, .proto = P_TCP,
	  .sport = 1, .dport = 65535, .seq = 0xffffffff, .tcp_flags = SYN,
	  .win = 64240, .tcp_opt = MSS, .ntcp_opt = 4, .min_len = 60,
	  .csum = FRAMES_CSUM_IP | FRAMES_CSUM_L4 }, 0 },
	{ "probe echo6 vlan", { .dst_mac = { 2, 0, 0, 0, 0, 0xfe },
	  .src_mac = { 2, 0, 0x0a, 0x14, 1, 5 }, .nvlan = 1,
	  .vlan = { 4094 }, .family = ADDR_V6,
	  .src = { 0xfd, 0, 0, 0x20, [15] = 5 },
	  .dst = { 0x20, 1, 0x0d, 0xb8, [15] = 1 }, .proto = P_ICMP6,
	  .icmp_type = 128, .icmp_id = 7, .icmp_seq = 65535,
	  .data = (const uint8_t *)"zoned probe inject\n", .ndata = 19,
	  .min_len = 60, .csum = FRAMES_CSUM_IP | FRAMES_CSUM_L4 }, 7 },
	{ "udp odd length", { .dst_mac = { 2, 0, 0, 0, 0, 1 },
	  .src_mac = { 2, 0, 0, 0, 0, 2 }, .family = ADDR_V6,
	  .src = { 0xfd, 0, 0, 1, [15] = 0x10 },
	  .dst = { 0xfd, 0, 0, 2, [15] = 0x20 }, .proto = P_UDP,
	  .sport = 5353, .dport = 53, .fill = 0xff, .nfill = 33,
	  .csum = FRAMES_CSUM_L4 }, 0 },
	{ "qinq first fragment", { .dst_mac = { 2, 0, 0, 0, 0, 0xfe },
	  .src_mac = { 2, 0, 0, 0, 0, 1 }, .nvlan = 2, .vlan = { 100, 20 },
	  .qinq = true, .family = ADDR_V4, .src = A4(10, 1, 0, 10),
	  .dst = A4(10, 2, 0, 20), .proto = P_UDP, .ip_id = 77,
	  .frag = FRAMES_FIRST, .sport = 5353, .dport = 53, .fill = 0x5a,
	  .nfill = 100 }, 0 },
	{ "last fragment", { .dst_mac = { 2, 0, 0, 0, 0, 0xfe },
	  .src_mac = { 2, 0, 0, 0, 0, 1 }, .family = ADDR_V4,
	  .src = A4(10, 1, 0, 10), .dst = A4(10, 2, 0, 20), .proto = P_TCP,
	  .ip_id = 77, .frag = FRAMES_LAST, .fragoff = 1480, .fill = 0x5a,
	  .nfill = 100, .csum = FRAMES_CSUM_IP }, 0 },
	{ "raw v6 first fragment", { .raw = true, .family = ADDR_V6,
	  .src = { 0xfd, 0, 0, 1, [15] = 0x10 },
	  .dst = { 0xfd, 0, 0, 2, [15] = 0x20 }, .proto = P_TCP,
	  .ip_id = 0xcafe0001, .frag = FRAMES_FIRST, .sport = 40000,
	  .dport = 443, .tcp_flags = ACK, .fill = 0x5a, .nfill = 64 }, 0 },
	{ "bench tcp", { .dst_mac = { 2, 0, 0, 0, 0, 2 },
	  .src_mac = { 2, 0, 0, 0, 0, 1 }, .family = ADDR_V4,
	  .src = A4(10, 20, 100, 7), .dst = A4(192, 0, 2, 40),
	  .proto = P_TCP, .df = true, .sport = 50000, .dport = 3389,
	  .tcp_flags = SYN | ACK, .win = 0xffff, .csum = FRAMES_CSUM_IP,
	  .min_len = 74 }, 0 },
};

/* The ones' complement sum of n bytes (RFC 1071), written again here. */
static uint32_t
ocsum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sum += i % 2 ? p[i] : (uint32_t)p[i] << 8;
	while (sum > 0xffff)
		sum = (sum >> 16) + (sum & 0xffff);
	return sum;
}

START_TEST(test_builder)
{
	const struct bcase *c = &bcases[_i];
	const struct frames_spec *s = &c->s;
	struct frame f;
	struct pkt_info pi;
	size_t l3 = s->raw ? 0 : 14 + 4 * (size_t)s->nvlan;
	size_t iph = s->family == ADDR_V4 ? 20 :
	    40 + (s->frag != FRAMES_WHOLE ? 8 : 0);
	size_t l4h = s->frag == FRAMES_LAST ? 0 : s->proto == P_TCP ?
	    20 + s->ntcp_opt : 8;
	size_t iplen = iph + l4h + s->ndata + s->nfill;
	size_t n = frames_build(&f, s);

	ck_assert_uint_eq(n, f.len);
	ck_assert_uint_eq(f.len, l3 + iplen > s->min_len ? l3 + iplen :
	    s->min_len);
	ck_assert_int_eq(parse_exact(f.b, f.len, s->raw ? PKT_LINK_RAW :
	    PKT_LINK_EN10MB, &pi), PKT_OK);
	invariants(c->name, PKT_OK, &pi, f.len);
	if (!s->raw) {
		ck_assert_mem_eq(pi.dst_mac, s->dst_mac, 6);
		ck_assert_mem_eq(pi.src_mac, s->src_mac, 6);
	}
	ck_assert_int_eq(pi.nvlan, s->nvlan);
	for (int i = 0; i < s->nvlan; i++)
		ck_assert_uint_eq(pi.vlan[i], s->vlan[i] & 0xfff);
	ck_assert_int_eq(pi.family, s->family);
	ck_assert_mem_eq(pi.src, s->src, 16);
	ck_assert_mem_eq(pi.dst, s->dst, 16);
	ck_assert_int_eq(pi.proto, s->proto);
	ck_assert_int_eq(pi.ttl, 64);
	ck_assert_uint_eq(pi.l3_off, l3);
	ck_assert_uint_eq(pi.ip_len, iplen);
	ck_assert_int_eq(pi.frag, s->frag == FRAMES_FIRST ? PKT_FRAG_FIRST :
	    s->frag == FRAMES_LAST ? PKT_FRAG_LATER : PKT_FRAG_NONE);
	ck_assert_uint_eq(pi.frag_off, s->fragoff);
	if (s->family == ADDR_V4 || s->frag != FRAMES_WHOLE)
		ck_assert_uint_eq(pi.frag_id, s->family == ADDR_V4 ?
		    s->ip_id & 0xffff : s->ip_id);
	if (s->family == ADDR_V4)	/* DF */
		ck_assert_int_eq((f.b[l3 + 6] & 0x40) != 0, s->df);
	if (s->frag == FRAMES_LAST) {
		ck_assert_uint_eq(pi.l4_off, 0);
		ck_assert(!pi.has_ports && !pi.has_icmp);
	} else if (s->proto == P_TCP || s->proto == P_UDP) {
		ck_assert_uint_eq(pi.l4_off, l3 + iph);
		ck_assert(pi.has_ports);
		ck_assert_uint_eq(pi.sport, s->sport);
		ck_assert_uint_eq(pi.dport, s->dport);
		ck_assert_uint_eq(pi.tcp_flags, s->proto == P_TCP ?
		    s->tcp_flags : 0);
	} else {
		ck_assert(pi.has_icmp);
		ck_assert_uint_eq(pi.icmp_type, s->icmp_type);
		ck_assert_uint_eq(pi.icmp_id, c->icmp_id);
	}
	/* what follows the transport header, and the padding: zeros */
	ck_assert_mem_eq(f.b + l3 + iph + l4h, s->data ? s->data :
	    (const uint8_t *)"", s->ndata);
	for (size_t i = l3 + iplen; i < f.len; i++)
		ck_assert_uint_eq(f.b[i], 0);

	/* checksums: a header that carries one sums to 0xffff */
	if (s->family == ADDR_V4)
		ck_assert_uint_eq(ocsum(0, f.b + l3, 20) == 0xffff,
		    (s->csum & FRAMES_CSUM_IP) != 0);
	if ((s->csum & FRAMES_CSUM_L4) && l4h > 0) {
		size_t l4 = l3 + iph, len = iplen - iph;
		uint8_t ph[40] = { 0 };
		size_t nph;
		uint32_t sum;

		if (s->family == ADDR_V4) {
			memcpy(ph, s->src, 4);
			memcpy(ph + 4, s->dst, 4);
			ph[9] = s->proto;
			ph[10] = (uint8_t)(len >> 8);
			ph[11] = (uint8_t)len;
			nph = s->proto == P_ICMP ? 0 : 12;
		} else {
			memcpy(ph, s->src, 16);
			memcpy(ph + 16, s->dst, 16);
			ph[34] = (uint8_t)(len >> 8);
			ph[35] = (uint8_t)len;
			ph[39] = s->proto;
			nph = 40;
		}
		sum = ocsum(ocsum(0, ph, nph), f.b + l4, len);
		ck_assert_msg(sum == 0xffff, "%s: transport sum %#x", c->name,
		    sum);
	}
}
END_TEST

/* An IPv4 header checksum known from outside (the example header of the
 * Wikipedia article on it): 0xb861. */
START_TEST(test_builder_ip_csum)
{
	static const uint8_t src[4] = { 192, 168, 0, 1 };
	static const uint8_t dst[4] = { 192, 168, 0, 199 };
	struct frame f;

	frames_init(&f);
	frames_ip4(&f, P_UDP, src, dst, 0, 0x4000, 0);
	frames_fill(&f, 0, 0x73 - 20);
	frames_ip_fin(&f);
	frames_csum(&f, FRAMES_CSUM_IP);
	ck_assert_uint_eq(f.b[2] << 8 | f.b[3], 0x73);
	ck_assert_uint_eq(f.b[10], 0xb8);
	ck_assert_uint_eq(f.b[11], 0x61);
}
END_TEST

UNIT_SUITE(pkt_suite)

static Suite *
pkt_suite(void)
{
	Suite *s = suite_create("pkt");
	TCase *tc;

	tc = tcase_create("frames");
	tcase_add_loop_test(tc, test_case, 0, NCASES);
	tcase_add_test(tc, test_unsupported_link);
	tcase_add_test(tc, test_status_str);
	tcase_add_test(tc, test_opener);
	suite_add_tcase(s, tc);

	tc = tcase_create("truncate");
	tcase_add_loop_test(tc, test_truncate, 0, NCASES);
	suite_add_tcase(s, tc);

	tc = tcase_create("builder");
	tcase_add_loop_test(tc, test_builder, 0, (int)ARRAY_LEN(bcases));
	tcase_add_test(tc, test_builder_ip_csum);
	suite_add_tcase(s, tc);

	tc = tcase_create("fuzz");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_fuzz_random);
	tcase_add_test(tc, test_fuzz_mutate);
	tcase_add_test(tc, test_fast4);
	suite_add_tcase(s, tc);
	return s;
}
