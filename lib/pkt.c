/*
 * pkt — frame parser.  See pkt.h for the API.
 *
 * The frames are hostile: every byte is read through pkt_need(), which
 * checks it against two limits.  The first is the end of the IP datagram
 * as its own header declares it (total length, payload length): a header
 * that does not fit there is MALFORMED, whatever the capture holds, and
 * bytes past it (Ethernet padding, trailers) are never taken for a header.
 * The second is caplen: a header that fits the datagram but not the
 * capture is TRUNCATED.  Before the IP header is read the first limit is
 * open.
 *
 * Where the kernel and a textbook disagree we follow the kernel, since the
 * classifier must say what nftables would say of the same packet:
 *  - IPv4 AH is not walked: nftables sees l4proto 51 there too;
 *  - the IPv6 walk knows the extension headers ipv6_find_hdr() skips
 *    (hop-by-hop, routing, fragment, destination options, AH) and stops at
 *    any other (ESP, mobility, ...), which becomes the protocol;
 *  - hop-by-hop anywhere but first is dropped by the kernel: MALFORMED.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "pkt.h"

#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_IPV6		0x86dd
#define ETHERTYPE_VLAN		0x8100
#define ETHERTYPE_QINQ		0x88a8
#define ETHERTYPE_QINQ_OLD	0x9100	/* pre-802.1ad QinQ */

#define ETH_HLEN	14
#define VLAN_HLEN	4	/* TCI + encapsulated ethertype */
#define VLAN_MAX	2	/* what struct pkt_info can hold */
#define SLL_HLEN	16
#define SLL2_HLEN	20
#define IP4_HLEN	20
#define IP6_HLEN	40
#define IP6_FRAG_HLEN	8

/*
 * More extension headers than this is an evasion attempt (RFC 8200 allows
 * each at most once, destination options twice) or a CPU sink.
 */
#define IP6_EXT_MAX	8

#define TCP_NEED	14	/* ports through flags */
#define UDP_HLEN	8
#define SCTP_HLEN	12	/* common header */
#define ICMP_NEED	4	/* type, code, checksum */
#define ICMP_ECHO_NEED	8	/* + identifier, sequence */

#define IP4_MF		0x2000
#define IP4_OFFMASK	0x1fff
#define IP6_OFFMASK	0xfff8	/* offset in 8-byte units, already << 3 */
#define IP6_MF		0x0001

struct cursor {
	const uint8_t	*p;
	size_t		 caplen;
	size_t		 end;	/* end of the IP datagram, SIZE_MAX if unknown */
};

static enum pkt_status	pkt_need(const struct cursor *, size_t, size_t);
static uint16_t		pkt_get16(const uint8_t *);
static uint32_t		pkt_get32(const uint8_t *);
static int		pkt_is_tpid(uint16_t);
static enum pkt_status	pkt_ethertype(struct cursor *, size_t, uint16_t,
			    struct pkt_info *);
static enum pkt_status	pkt_ip4(struct cursor *, size_t, struct pkt_info *);
static enum pkt_status	pkt_ip6(struct cursor *, size_t, struct pkt_info *);
static enum pkt_status	pkt_l4(struct cursor *, size_t, struct pkt_info *,
			    int, int);

/*
 * May n bytes at off be read?  The sums are written so that they cannot
 * wrap: off is never past caplen when we get here, but be safe anyway.
 */
static enum pkt_status
pkt_need(const struct cursor *c, size_t off, size_t n)
{
	if (off > c->end || n > c->end - off)
		return PKT_MALFORMED;
	if (off > c->caplen || n > c->caplen - off)
		return PKT_TRUNCATED;
	return PKT_OK;
}

static uint16_t
pkt_get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t
pkt_get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static int
pkt_is_tpid(uint16_t type)
{
	return type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ ||
	    type == ETHERTYPE_QINQ_OLD;
}

static const struct pkt_info pkt_zero;

enum pkt_status
pkt_parse(const uint8_t *frame, size_t caplen, int linktype,
    struct pkt_info *pi)
{
	struct cursor c = { frame, caplen, SIZE_MAX };
	enum pkt_status st;
	size_t alen;
	uint16_t type;

	/*
	 * A copy of a zero struct: gcc makes memset() of this size a "rep
	 * stos", whose start-up costs more than the rest of the parse.
	 */
	*pi = pkt_zero;

	switch (linktype) {
	case PKT_LINK_EN10MB:
		if ((st = pkt_need(&c, 0, ETH_HLEN)) != PKT_OK)
			return st;
		memcpy(pi->dst_mac, frame, 6);
		memcpy(pi->src_mac, frame + 6, 6);
		pi->has_mac = 1;
		type = pkt_get16(frame + 12);
		return pkt_ethertype(&c, ETH_HLEN, type, pi);
	case PKT_LINK_LINUX_SLL:
		/*
		 * packet type, ARPHRD type, address length, address (8),
		 * protocol.  The address is the sender's, on input and
		 * output alike.
		 */
		if ((st = pkt_need(&c, 0, SLL_HLEN)) != PKT_OK)
			return st;
		alen = pkt_get16(frame + 4);
		if (alen == 6) {
			memcpy(pi->src_mac, frame + 6, 6);
			pi->has_mac = 1;
		}
		type = pkt_get16(frame + 14);
		return pkt_ethertype(&c, SLL_HLEN, type, pi);
	case PKT_LINK_LINUX_SLL2:
		/*
		 * protocol, reserved, interface index (4), ARPHRD type,
		 * packet type (1), address length (1), address (8).
		 */
		if ((st = pkt_need(&c, 0, SLL2_HLEN)) != PKT_OK)
			return st;
		alen = frame[11];
		if (alen == 6) {
			memcpy(pi->src_mac, frame + 12, 6);
			pi->has_mac = 1;
		}
		type = pkt_get16(frame);
		return pkt_ethertype(&c, SLL2_HLEN, type, pi);
	case PKT_LINK_RAW:
		if ((st = pkt_need(&c, 0, 1)) != PKT_OK)
			return st;
		switch (frame[0] >> 4) {
		case 4:
			return pkt_ip4(&c, 0, pi);
		case 6:
			return pkt_ip6(&c, 0, pi);
		default:
			return PKT_MALFORMED;
		}
	case PKT_LINK_IPV4:
		return pkt_ip4(&c, 0, pi);
	case PKT_LINK_IPV6:
		return pkt_ip6(&c, 0, pi);
	default:
		return PKT_UNSUPPORTED_LINK;
	}
}

/*
 * After the link header: up to VLAN_MAX tags, then IPv4, IPv6 or
 * something we do not classify.  SLL carries tags too: libpcap puts back
 * the tag the NIC stripped, as protocol 0x8100 and a 4-byte tag.
 */
static enum pkt_status
pkt_ethertype(struct cursor *c, size_t off, uint16_t type,
    struct pkt_info *pi)
{
	enum pkt_status st;

	pi->ethertype = type;
	while (pkt_is_tpid(type)) {
		/*
		 * A third tag: no zone interface carries one and the info
		 * has no room for it.  Not NOT_IP (which means "nothing to
		 * see"): the caller must not let it pass unremarked.
		 */
		if (pi->nvlan == VLAN_MAX)
			return PKT_MALFORMED;
		if ((st = pkt_need(c, off, VLAN_HLEN)) != PKT_OK)
			return st;
		pi->vlan[pi->nvlan++] = pkt_get16(c->p + off) & 0x0fff;
		type = pkt_get16(c->p + off + 2);
		pi->ethertype = type;
		off += VLAN_HLEN;
	}

	switch (type) {
	case ETHERTYPE_IPV4:
		return pkt_ip4(c, off, pi);
	case ETHERTYPE_IPV6:
		return pkt_ip6(c, off, pi);
	default:
		/* ARP, LLDP, an 802.3 length (< 0x0600) + LLC, ... */
		return PKT_NOT_IP;
	}
}

static enum pkt_status
pkt_ip4(struct cursor *c, size_t off, struct pkt_info *pi)
{
	const uint8_t *h;
	enum pkt_status st;
	size_t hlen, tlen;
	uint16_t fo;

	pi->l3_off = (uint32_t)off;
	if ((st = pkt_need(c, off, 1)) != PKT_OK)
		return st;
	h = c->p + off;
	/* The ethertype or link type said IPv4: the header must agree. */
	if (h[0] >> 4 != 4)
		return PKT_MALFORMED;
	hlen = (size_t)(h[0] & 0x0f) * 4;
	if (hlen < IP4_HLEN)
		return PKT_MALFORMED;
	/* The options are skipped, but they must be there. */
	if ((st = pkt_need(c, off, hlen)) != PKT_OK)
		return st;

	tlen = pkt_get16(h + 2);
	fo = pkt_get16(h + 6);
	pi->family = ADDR_V4;
	pi->ttl = h[8];
	pi->proto = h[9];
	memcpy(pi->src, h + 12, 4);
	memcpy(pi->dst, h + 16, 4);
	pi->ip_len = (uint32_t)tlen;
	pi->frag_id = pkt_get16(h + 4);
	pi->frag_off = (uint16_t)((fo & IP4_OFFMASK) * 8);
	if (pi->frag_off > 0)
		pi->frag = PKT_FRAG_LATER;
	else if (fo & IP4_MF)
		pi->frag = PKT_FRAG_FIRST;

	/*
	 * Total length 0 is also what a BIG TCP (> 64 KiB GSO) send looks
	 * like when captured on the sending host.  BIG TCP is off unless
	 * configured, and guessing the length from caplen would let Ethernet
	 * padding pass for a header, so 0 is MALFORMED like any length below
	 * the header's.
	 */
	if (tlen < hlen)
		return PKT_MALFORMED;
	c->end = off + tlen;

	/* A later fragment's payload is the middle of some L4 datagram. */
	if (pi->frag == PKT_FRAG_LATER)
		return PKT_OK;
	return pkt_l4(c, off + hlen, pi, ADDR_V4, h[9]);
}

static enum pkt_status
pkt_ip6(struct cursor *c, size_t off, struct pkt_info *pi)
{
	const uint8_t *h;
	enum pkt_status st;
	size_t plen, len;
	uint16_t fo;
	uint8_t nh;
	int n, seen_frag = 0;

	pi->l3_off = (uint32_t)off;
	if ((st = pkt_need(c, off, 1)) != PKT_OK)
		return st;
	h = c->p + off;
	if (h[0] >> 4 != 6)
		return PKT_MALFORMED;
	if ((st = pkt_need(c, off, IP6_HLEN)) != PKT_OK)
		return st;

	plen = pkt_get16(h + 4);
	nh = h[6];
	pi->family = ADDR_V6;
	pi->ttl = h[7];
	memcpy(pi->src, h + 8, 16);
	memcpy(pi->dst, h + 24, 16);
	pi->ip_len = (uint32_t)(IP6_HLEN + plen);
	/*
	 * Payload length 0 with a hop-by-hop header is a jumbogram (RFC
	 * 2675): the real length is in an option we do not read, so only
	 * caplen bounds it.
	 */
	if (plen == 0 && nh == IPPROTO_HOPOPTS)
		c->end = SIZE_MAX;
	else
		c->end = off + IP6_HLEN + plen;
	off += IP6_HLEN;

	for (n = 0;; n++) {
		pi->proto = nh;
		switch (nh) {
		case IPPROTO_HOPOPTS:
			if (n != 0)
				return PKT_MALFORMED;
			break;
		case IPPROTO_ROUTING:
		case IPPROTO_FRAGMENT:
		case IPPROTO_DSTOPTS:
		case IPPROTO_AH:
			break;
		case IPPROTO_NONE:
			/* Nothing follows: no L4 header, l4_off stays 0. */
			return PKT_OK;
		default:
			return pkt_l4(c, off, pi, ADDR_V6, nh);
		}
		if (n == IP6_EXT_MAX)
			return PKT_MALFORMED;
		if ((st = pkt_need(c, off, 2)) != PKT_OK)
			return st;
		h = c->p + off;
		switch (nh) {
		case IPPROTO_FRAGMENT:
			len = IP6_FRAG_HLEN;
			break;
		case IPPROTO_AH:
			/* RFC 4302: length in 4-byte units, minus 2. */
			len = ((size_t)h[1] + 2) * 4;
			break;
		default:
			/* RFC 8200: length in 8-byte units, minus 1. */
			len = ((size_t)h[1] + 1) * 8;
			break;
		}
		/*
		 * The whole header, not just what we read of it: the next
		 * one starts after it, and the capture must reach there.
		 */
		if ((st = pkt_need(c, off, len)) != PKT_OK)
			return st;
		if (nh == IPPROTO_FRAGMENT) {
			/* Two fragment headers: overlapping-fragment games. */
			if (seen_frag)
				return PKT_MALFORMED;
			seen_frag = 1;
			fo = pkt_get16(h + 2);
			pi->frag_id = pkt_get32(h + 4);
			pi->frag_off = fo & IP6_OFFMASK;
			if (pi->frag_off > 0)
				pi->frag = PKT_FRAG_LATER;
			else if (fo & IP6_MF)
				pi->frag = PKT_FRAG_FIRST;
		}
		nh = h[0];
		off += len;
		if (pi->frag == PKT_FRAG_LATER) {
			/* What follows is not a header; its type is known. */
			pi->proto = nh;
			return PKT_OK;
		}
	}
}

/*
 * The transport header at off.  pi->proto and pi->family are set, and
 * passed again as family and proto: read back from *pi just after they
 * were stored byte by byte, they would cost a failed store-to-load
 * forwarding a frame.  A later fragment never gets here.
 */
static enum pkt_status
pkt_l4(struct cursor *c, size_t off, struct pkt_info *pi, int family,
    int proto)
{
	const uint8_t *h;
	enum pkt_status st;
	size_t doff;
	int icmp, echo;

	pi->l4_off = (uint32_t)off;
	icmp = (family == ADDR_V4 && proto == IPPROTO_ICMP) ||
	    (family == ADDR_V6 && proto == IPPROTO_ICMPV6);

	if (icmp) {
		if ((st = pkt_need(c, off, ICMP_NEED)) != PKT_OK)
			return st;
		h = c->p + off;
		if (family == ADDR_V4)
			echo = h[0] == 0 || h[0] == 8;
		else
			echo = h[0] == 128 || h[0] == 129;
		if (echo) {
			if ((st = pkt_need(c, off, ICMP_ECHO_NEED)) != PKT_OK)
				return st;
			pi->icmp_id = pkt_get16(h + 4);
		}
		pi->icmp_type = h[0];
		pi->icmp_code = h[1];
		pi->has_icmp = 1;
		return PKT_OK;
	}

	switch (proto) {
	case IPPROTO_TCP:
		/*
		 * Ports and flags are all we use; the rest of the header
		 * (and options) may lie past caplen.  A first fragment cut
		 * before the flags is the RFC 1858 tiny-fragment attack and
		 * fails here as MALFORMED.
		 */
		if ((st = pkt_need(c, off, TCP_NEED)) != PKT_OK)
			return st;
		h = c->p + off;
		doff = (size_t)(h[12] >> 4) * 4;
		if (doff < 20)
			return PKT_MALFORMED;
		/*
		 * Unfragmented, the header must fit in the datagram (off is
		 * within it: pkt_need() said so).  A first fragment may
		 * legally end inside the options.
		 */
		if (pi->frag == PKT_FRAG_NONE && doff > c->end - off)
			return PKT_MALFORMED;
		pi->tcp_flags = h[13];
		break;
	case IPPROTO_UDP:
		if ((st = pkt_need(c, off, UDP_HLEN)) != PKT_OK)
			return st;
		break;
	case IPPROTO_SCTP:
		if ((st = pkt_need(c, off, SCTP_HLEN)) != PKT_OK)
			return st;
		break;
	default:
		/* GRE, ESP, OSPF, ...: classified on addresses and proto. */
		return PKT_OK;
	}
	h = c->p + off;
	pi->sport = pkt_get16(h);
	pi->dport = pkt_get16(h + 2);
	pi->has_ports = 1;
	return PKT_OK;
}

void
pkt_info_fast4(const uint8_t *frame, const struct pkt_tuple4 *t,
    struct pkt_info *pi)
{
	const uint8_t *h = frame + ETH_HLEN;

	*pi = pkt_zero;
	memcpy(pi->dst_mac, frame, 6);
	memcpy(pi->src_mac, frame + 6, 6);
	pi->has_mac = 1;
	pi->ethertype = ETHERTYPE_IPV4;
	pi->family = ADDR_V4;
	pi->proto = t->proto;
	pi->ttl = h[8];
	pi->frag_id = pkt_get16(h + 4);
	memcpy(pi->src, &t->src, 4);
	memcpy(pi->dst, &t->dst, 4);
	pi->l3_off = ETH_HLEN;
	pi->l4_off = ETH_HLEN + IP4_HLEN;
	pi->ip_len = pkt_get16(h + 2);
	pi->has_ports = 1;
	pi->sport = t->sport;
	pi->dport = t->dport;
	pi->tcp_flags = t->tcp_flags;
}

const char *
pkt_status_str(enum pkt_status st)
{
	switch (st) {
	case PKT_OK:
		return "ok";
	case PKT_NOT_IP:
		return "not ip";
	case PKT_TRUNCATED:
		return "truncated";
	case PKT_MALFORMED:
		return "malformed";
	case PKT_UNSUPPORTED_LINK:
		return "unsupported link type";
	}
	return "unknown status";
}
