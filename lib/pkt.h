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

/* A TCP segment that opens a connection: SYN without ACK. */
static inline int
pkt_is_opener(const struct pkt_info *pi)
{
	return pi->proto == 6 && pi->has_ports &&
	    (pi->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) == PKT_TCP_SYN;
}

#endif
