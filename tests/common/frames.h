/*
 * frames — test frames, written once for every test program: the unit
 * suites (pkt, audit), the netns probe (it sends them) and the benchmarks.
 *
 * Two levels.  Header by header, for frames of any shape, odd and broken
 * ones included: Ethernet, 802.1Q/802.1ad tags, Linux cooked headers (SLL,
 * SLL2), IPv4 with options and fragments, IPv6 with extension headers, AH,
 * TCP, UDP, SCTP, ICMP/ICMPv6, ARP; then the IP length and, on request,
 * the checksums.  Or whole, from a struct frames_spec: Ethernet (with up
 * to two tags) or raw IP, IPv4 or IPv6, a first or last fragment, TCP, UDP,
 * ICMP/ICMPv6 or a bare protocol, a payload, checksums, padding.
 *
 * Multi-byte fields are written in network order.  Nothing is allocated;
 * a frame that would outgrow its buffer, or a write past its end, aborts
 * (a bug in the test, not a result).
 */
#ifndef ZONED_TEST_FRAMES_H
#define ZONED_TEST_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAMES_MAX 2048

struct frame {
	uint8_t b[FRAMES_MAX];
	size_t len;
	size_t l3;		/* start of the IP header */
	size_t l4;		/* start of the transport header */
	int fam;		/* ADDR_V4 or ADDR_V6; 0 before an IP header */
	uint8_t l4proto;	/* of the transport header at l4; 0: none */
};

void frames_init(struct frame *f);

/* --- bytes --------------------------------------------------------------- */

void frames_put8(struct frame *f, unsigned v);
void frames_put16(struct frame *f, unsigned v);
void frames_put32(struct frame *f, uint32_t v);
void frames_putn(struct frame *f, const void *p, size_t n);
void frames_fill(struct frame *f, unsigned v, size_t n);
/* Overwrite bytes already written. */
void frames_set8(struct frame *f, size_t at, unsigned v);
void frames_set16(struct frame *f, size_t at, unsigned v);
/* Zeros up to len bytes (Ethernet padding): not part of the IP packet. */
void frames_pad(struct frame *f, size_t len);

/* --- headers, in the order they are written ------------------------------ */

void frames_eth(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
    unsigned type);
/* One 802.1Q/802.1ad tag after its TPID (the type before it): the TCI,
 * then the next type. */
void frames_tag(struct frame *f, unsigned tci, unsigned type);
/* Linux cooked capture (DLT_LINUX_SLL): packet type "to us", ARPHRD_ETHER,
 * alen bytes of addr in an 8-byte field, the protocol. */
void frames_sll(struct frame *f, unsigned alen, const uint8_t *addr,
    unsigned proto);
/* DLT_LINUX_SLL2: the protocol, interface index 3, ARPHRD_ETHER, packet
 * type "outgoing", alen bytes of addr in an 8-byte field. */
void frames_sll2(struct frame *f, unsigned proto, unsigned alen,
    const uint8_t *addr);
/* IPv4, TTL 64: id, the flags/fragment-offset field as given, optw 4-byte
 * words of options (NOPs, then an end of options); the length and checksum
 * are left 0 for frames_ip_fin() and frames_csum(). */
void frames_ip4(struct frame *f, unsigned proto, const uint8_t src[4],
    const uint8_t dst[4], unsigned id, unsigned fo, unsigned optw);
/* IPv6, no traffic class or flow label, hop limit 64. */
void frames_ip6(struct frame *f, unsigned nh, const uint8_t src[16],
    const uint8_t dst[16]);
/* Hop-by-hop, routing or destination options: (len8 + 1) * 8 bytes, the
 * rest one PadN option. */
void frames_ext6(struct frame *f, unsigned nh, unsigned len8);
/* The IPv6 fragment header: offset in bytes (a multiple of 8), m the
 * more-fragments bit. */
void frames_frag6(struct frame *f, unsigned nh, unsigned off, unsigned m,
    uint32_t id);
/* AH: (plen + 2) * 4 bytes, SPI 0x1000, sequence 1, the ICV 0xcc. */
void frames_ah(struct frame *f, unsigned nh, unsigned plen);
/* TCP with data offset doff (options, (doff - 5) * 4 bytes, are the
 * caller's to write after it); urgent pointer and checksum 0. */
void frames_tcp(struct frame *f, unsigned sport, unsigned dport,
    uint32_t seq, uint32_t ack, unsigned doff, unsigned flags, unsigned win);
/* UDP whose length says paylen bytes follow (the caller writes them). */
void frames_udp(struct frame *f, unsigned sport, unsigned dport,
    size_t paylen);
/* SCTP common header, verification tag 0x11223344, checksum 0. */
void frames_sctp(struct frame *f, unsigned sport, unsigned dport);
/* ICMP (ICMPv6 after an IPv6 header): type, code, checksum 0, then the
 * identifier and sequence number words (an error type's unused word when
 * both are 0). */
void frames_icmp(struct frame *f, unsigned type, unsigned code, unsigned id,
    unsigned seq);
/* An ARP request for Ethernet and IPv4. */
void frames_arp(struct frame *f, const uint8_t sha[6], const uint8_t spa[4],
    const uint8_t tpa[4]);

/* --- finishing ----------------------------------------------------------- */

/* The IP length field from what has been written since the IP header. */
void frames_ip_fin(struct frame *f);

#define FRAMES_CSUM_IP 1	/* the IPv4 header checksum */
#define FRAMES_CSUM_L4 2	/* TCP, UDP, ICMP, ICMPv6 (pseudo-header) */

/* Checksums over the packet as frames_ip_fin() measured it (after it).
 * Without an IP header the transport part runs to the end of the frame and
 * only ICMP can be summed. */
void frames_csum(struct frame *f, unsigned what);

/* The Internet checksum of n bytes added to sum, and its final form. */
uint32_t frames_sum(uint32_t sum, const uint8_t *p, size_t n);
uint16_t frames_fold(uint32_t sum);

/* --- whole frames -------------------------------------------------------- */

enum frames_frag {
	FRAMES_WHOLE = 0,
	FRAMES_FIRST,		/* offset fragoff, more fragments follow */
	FRAMES_LAST,		/* offset fragoff, no transport header */
};

struct frames_spec {
	bool raw;		/* the IP packet alone, no link header */
	uint8_t dst_mac[6], src_mac[6];
	int nvlan;		/* 802.1Q tags, 0 to 2 */
	uint16_t vlan[2];	/* their TCIs, outermost first */
	bool qinq;		/* the outer tag's TPID is 802.1ad */
	int family;		/* ADDR_V4 or ADDR_V6 */
	uint8_t src[16], dst[16];
	uint8_t proto;		/* TCP, UDP, ICMP, ICMPv6; another: no header */
	uint32_t ip_id;		/* IPv4 id (16 bits); IPv6 fragment id */
	bool df;		/* IPv4 don't fragment */
	enum frames_frag frag;
	unsigned fragoff;	/* bytes, a multiple of 8 */
	uint16_t sport, dport;
	uint32_t seq, ack;	/* TCP */
	uint8_t tcp_flags;
	uint16_t win;
	const uint8_t *tcp_opt;	/* TCP options, a multiple of 4 bytes */
	size_t ntcp_opt;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq;
	const uint8_t *data;	/* after the transport header: data ... */
	size_t ndata;
	uint8_t fill;		/* ... then nfill bytes of fill */
	size_t nfill;
	unsigned csum;		/* FRAMES_CSUM_* */
	size_t min_len;		/* padded with zeros to this length */
};

/* The frame of s into f (initialised first); its length. */
size_t frames_build(struct frame *f, const struct frames_spec *s);

#endif
