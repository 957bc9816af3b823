/*
 * pkt — frame parser: Ethernet II, 802.1Q / 802.1ad (QinQ), Linux cooked
 * capture (SLL, SLL2), raw IP; IPv4 (options, fragments), IPv6 with extension
 * headers (hop-by-hop, routing, fragment, destination options), TCP, UDP,
 * SCTP, ICMP, ICMPv6.
 *
 * Never reads past caplen.  A truncated or malformed frame gives a status,
 * never a crash.  No allocation, no I/O: safe on the hot path.
 */
#ifndef ZONED_PKT_H
#define ZONED_PKT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Link types: the pcap DLT_* numbers. */
#define PKT_LINK_EN10MB		1
#define PKT_LINK_RAW		101	/* LINKTYPE_RAW (DLT_RAW is 12/14) */
#define PKT_LINK_LINUX_SLL	113
#define PKT_LINK_IPV4		228
#define PKT_LINK_IPV6		229
#define PKT_LINK_LINUX_SLL2	276

enum pkt_status {
	PKT_OK = 0,		/* IP header and (when present) L4 ports parsed */
	PKT_NOT_IP,		/* ARP, LLDP, ...: nothing to classify */
	PKT_TRUNCATED,		/* caplen ends inside a header we need */
	PKT_MALFORMED,		/* a header is inconsistent (bad IHL, version,
				 * total length below header length, ...) */
	PKT_UNSUPPORTED_LINK,	/* link type we do not know */
};

enum pkt_frag {
	PKT_FRAG_NONE = 0,
	PKT_FRAG_FIRST,		/* offset 0, more fragments: has ports */
	PKT_FRAG_LATER,		/* offset > 0: no L4 header, no ports */
};

struct pkt_info {
	/* link layer (zero when the link type has none: raw IP) */
	uint8_t dst_mac[6];	/* Ethernet only; zero with SLL/SLL2 */
	uint8_t src_mac[6];
	uint8_t has_mac;	/* src_mac is valid: Ethernet, or SLL/SLL2
				 * with a 6-byte link-layer address */
	uint8_t nvlan;		/* 0, 1 or 2 tags (a 3rd is PKT_MALFORMED) */
	uint16_t vlan[2];	/* VLAN ids (12 bits), outer first */
	uint16_t ethertype;	/* innermost; SLL: the protocol field */

	/* network layer */
	uint8_t family;		/* ADDR_V4 (4) or ADDR_V6 (6); 0 if not IP */
	uint8_t proto;		/* final L4 protocol number after ext headers */
	uint8_t ttl;		/* TTL or hop limit */
	uint8_t frag;		/* enum pkt_frag */
	uint32_t frag_id;	/* IPv4 id (always), IPv6 fragment id (when
				 * there is a fragment header) */
	uint16_t frag_off;	/* fragment offset in bytes */
	uint8_t src[16];	/* IPv4 in the first four bytes */
	uint8_t dst[16];
	uint32_t l3_off;	/* offset of the IP header in the frame */
	uint32_t l4_off;	/* offset of the L4 header (0 when none: later
				 * fragment, IPv6 no-next-header) */
	uint32_t ip_len;	/* IP total length from the header (v6: 40 +
				 * payload length) */

	/* transport layer; has_ports is 1 for TCP/UDP/SCTP with a header */
	uint8_t has_ports;
	uint8_t has_icmp;	/* ICMP/ICMPv6 with type and code */
	uint16_t sport, dport;
	uint8_t tcp_flags;	/* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 */
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id;	/* echo request/reply identifier, else 0 */
};

#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_ACK 0x10

/*
 * Parse one frame.  Fills *pi as far as the frame allows and returns the
 * status.  With PKT_TRUNCATED the fields parsed before the cut are valid
 * (family/addresses when the IP header was complete, has_ports = 0).
 */
enum pkt_status pkt_parse(const uint8_t *frame, size_t caplen, int linktype,
    struct pkt_info *pi);

const char *pkt_status_str(enum pkt_status st);

/*
 * The common frame in one go: Ethernet II without a tag, IPv4 without
 * options, not a fragment, TCP or UDP, all of it within the datagram and
 * the capture.  1 when frame is one, with t filled as pkt_parse() fills
 * pkt_info (it would return PKT_OK, family ADDR_V4, frag PKT_FRAG_NONE,
 * has_ports, no VLAN): the addresses as their four bytes load, ports in
 * host order, the TCP flags (0 for UDP).  0 for anything else, which
 * pkt_parse() then reads.  For a hot path (the audit's verdict cache): a
 * few loads and compares against pkt_parse()'s two hundred instructions.
 */
struct pkt_tuple4 {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t tcp_flags;
};

static inline int
pkt_fast4(const uint8_t *f, size_t caplen, struct pkt_tuple4 *t)
{
	const uint8_t *ip = f + 14, *l4 = f + 34;
	unsigned tlen, doff;

	/* Ethertype IPv4, version 4 with a 20-byte header, no MF, offset 0 */
	if (caplen < 42 || f[12] != 0x08 || f[13] != 0x00 || ip[0] != 0x45 ||
	    (ip[6] & 0x3f) != 0 || ip[7] != 0)
		return 0;
	tlen = (unsigned)ip[2] << 8 | ip[3];
	t->proto = ip[9];
	if (t->proto == 6) {
		/* 14 bytes of TCP header in the datagram and the capture; a
		 * data offset from 20 to the end of the datagram */
		if (tlen < 34 || caplen < 48)
			return 0;
		doff = (unsigned)(l4[12] >> 4) * 4;
		if (doff < 20 || doff > tlen - 20)
			return 0;
		t->tcp_flags = l4[13];
	} else if (t->proto == 17) {
		if (tlen < 28)
			return 0;
		t->tcp_flags = 0;
	} else
		return 0;
	memcpy(&t->src, ip + 12, 4);
	memcpy(&t->dst, ip + 16, 4);
	t->sport = (uint16_t)(l4[0] << 8 | l4[1]);
	t->dport = (uint16_t)(l4[2] << 8 | l4[3]);
	return 1;
}

/* *pi of a frame that pkt_fast4() took into t: what pkt_parse() gives. */
void pkt_info_fast4(const uint8_t *frame, const struct pkt_tuple4 *t,
    struct pkt_info *pi);

/* A TCP segment that opens a connection: SYN without ACK. */
static inline int
pkt_is_opener(const struct pkt_info *pi)
{
	return pi->proto == 6 && pi->has_ports &&
	    (pi->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) == PKT_TCP_SYN;
}

#endif
