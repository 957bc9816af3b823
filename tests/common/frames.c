/*
 * frames — test frames, written once (see frames.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "frames.h"

#define P_ICMP 1
#define P_TCP 6
#define P_UDP 17
#define P_FRAG 44
#define P_ICMP6 58
#define P_SCTP 132

void
frames_init(struct frame *f)
{
	memset(f, 0, sizeof(*f));
}

/* --- bytes --------------------------------------------------------------- */

void
frames_put8(struct frame *f, unsigned v)
{
	if (f->len >= sizeof(f->b)) {
		fprintf(stderr, "frames: a frame of more than %zu bytes\n",
		    sizeof(f->b));
		abort();
	}
	f->b[f->len++] = (uint8_t)v;
}

void
frames_put16(struct frame *f, unsigned v)
{
	frames_put8(f, v >> 8);
	frames_put8(f, v & 0xff);
}

void
frames_put32(struct frame *f, uint32_t v)
{
	frames_put16(f, v >> 16);
	frames_put16(f, v & 0xffff);
}

void
frames_putn(struct frame *f, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		frames_put8(f, b[i]);
}

void
frames_fill(struct frame *f, unsigned v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		frames_put8(f, v);
}

void
frames_set8(struct frame *f, size_t at, unsigned v)
{
	if (at >= f->len) {
		fprintf(stderr, "frames: a write at %zu past the end of a "
		    "%zu-byte frame\n", at, f->len);
		abort();
	}
	f->b[at] = (uint8_t)v;
}

void
frames_set16(struct frame *f, size_t at, unsigned v)
{
	frames_set8(f, at, v >> 8);
	frames_set8(f, at + 1, v & 0xff);
}

void
frames_pad(struct frame *f, size_t len)
{
	while (f->len < len)
		frames_put8(f, 0);
}

static unsigned
get16(const struct frame *f, size_t at)
{
	return (unsigned)f->b[at] << 8 | f->b[at + 1];
}

/* --- headers ------------------------------------------------------------- */

void
frames_eth(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
    unsigned type)
{
	frames_putn(f, dst, 6);
	frames_putn(f, src, 6);
	frames_put16(f, type);
}

void
frames_tag(struct frame *f, unsigned tci, unsigned type)
{
	frames_put16(f, tci);
	frames_put16(f, type);
}

void
frames_sll(struct frame *f, unsigned alen, const uint8_t *addr,
    unsigned proto)
{
	frames_put16(f, 0);		/* packet type: to us */
	frames_put16(f, 1);		/* ARPHRD_ETHER */
	frames_put16(f, alen);
	frames_putn(f, addr, alen);
	frames_fill(f, 0, 8 - alen);
	frames_put16(f, proto);
}

void
frames_sll2(struct frame *f, unsigned proto, unsigned alen,
    const uint8_t *addr)
{
	frames_put16(f, proto);
	frames_put16(f, 0);		/* reserved */
	frames_put32(f, 3);		/* interface index */
	frames_put16(f, 1);		/* ARPHRD_ETHER */
	frames_put8(f, 4);		/* packet type: outgoing */
	frames_put8(f, alen);
	frames_putn(f, addr, alen);
	frames_fill(f, 0, 8 - alen);
}

void
frames_ip4(struct frame *f, unsigned proto, const uint8_t src[4],
    const uint8_t dst[4], unsigned id, unsigned fo, unsigned optw)
{
	f->l3 = f->len;
	f->fam = ADDR_V4;
	frames_put8(f, 0x45 + optw);
	frames_put8(f, 0);
	frames_put16(f, 0);
	frames_put16(f, id);
	frames_put16(f, fo);
	frames_put8(f, 64);
	frames_put8(f, proto);
	frames_put16(f, 0);
	frames_putn(f, src, 4);
	frames_putn(f, dst, 4);
	if (optw > 0) {
		frames_fill(f, 1, optw * 4 - 1);	/* NOPs */
		frames_put8(f, 0);			/* end of options */
	}
}

void
frames_ip6(struct frame *f, unsigned nh, const uint8_t src[16],
    const uint8_t dst[16])
{
	f->l3 = f->len;
	f->fam = ADDR_V6;
	frames_put32(f, 0x60000000);
	frames_put16(f, 0);
	frames_put8(f, nh);
	frames_put8(f, 64);
	frames_putn(f, src, 16);
	frames_putn(f, dst, 16);
}

void
frames_ext6(struct frame *f, unsigned nh, unsigned len8)
{
	size_t pad = (len8 + 1) * 8 - 2;

	frames_put8(f, nh);
	frames_put8(f, len8);
	frames_put8(f, 1);
	frames_put8(f, (unsigned)(pad - 2));
	frames_fill(f, 0, pad - 2);
}

void
frames_frag6(struct frame *f, unsigned nh, unsigned off, unsigned m,
    uint32_t id)
{
	frames_put8(f, nh);
	frames_put8(f, 0);
	frames_put16(f, (off & 0xfff8) | m);
	frames_put32(f, id);
}

void
frames_ah(struct frame *f, unsigned nh, unsigned plen)
{
	frames_put8(f, nh);
	frames_put8(f, plen);
	frames_put16(f, 0);
	frames_put32(f, 0x1000);	/* SPI */
	frames_put32(f, 1);		/* sequence */
	frames_fill(f, 0xcc, (plen + 2) * 4 - 12);
}

void
frames_tcp(struct frame *f, unsigned sport, unsigned dport, uint32_t seq,
    uint32_t ack, unsigned doff, unsigned flags, unsigned win)
{
	f->l4 = f->len;
	f->l4proto = P_TCP;
	frames_put16(f, sport);
	frames_put16(f, dport);
	frames_put32(f, seq);
	frames_put32(f, ack);
	frames_put8(f, doff << 4);
	frames_put8(f, flags);
	frames_put16(f, win);
	frames_put16(f, 0);		/* checksum */
	frames_put16(f, 0);		/* urgent pointer */
}

void
frames_udp(struct frame *f, unsigned sport, unsigned dport, size_t paylen)
{
	f->l4 = f->len;
	f->l4proto = P_UDP;
	frames_put16(f, sport);
	frames_put16(f, dport);
	frames_put16(f, (unsigned)(8 + paylen));
	frames_put16(f, 0);
}

void
frames_sctp(struct frame *f, unsigned sport, unsigned dport)
{
	f->l4 = f->len;
	f->l4proto = P_SCTP;
	frames_put16(f, sport);
	frames_put16(f, dport);
	frames_put32(f, 0x11223344);	/* verification tag */
	frames_put32(f, 0);		/* checksum */
}

void
frames_icmp(struct frame *f, unsigned type, unsigned code, unsigned id,
    unsigned seq)
{
	f->l4 = f->len;
	f->l4proto = f->fam == ADDR_V6 ? P_ICMP6 : P_ICMP;
	frames_put8(f, type);
	frames_put8(f, code);
	frames_put16(f, 0);
	frames_put16(f, id);
	frames_put16(f, seq);
}

void
frames_arp(struct frame *f, const uint8_t sha[6], const uint8_t spa[4],
    const uint8_t tpa[4])
{
	frames_put16(f, 1);		/* Ethernet */
	frames_put16(f, 0x0800);	/* IPv4 */
	frames_put8(f, 6);
	frames_put8(f, 4);
	frames_put16(f, 1);		/* request */
	frames_putn(f, sha, 6);
	frames_putn(f, spa, 4);
	frames_fill(f, 0, 6);
	frames_putn(f, tpa, 4);
}

/* --- finishing ----------------------------------------------------------- */

void
frames_ip_fin(struct frame *f)
{
	if (f->fam == ADDR_V4)
		frames_set16(f, f->l3 + 2, (unsigned)(f->len - f->l3));
	else if (f->fam == ADDR_V6)
		frames_set16(f, f->l3 + 4, (unsigned)(f->len - f->l3 - 40));
}

uint32_t
frames_sum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (n)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

uint16_t
frames_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The transport checksum: over a pseudo-header for all but ICMPv4. */
static void
csum_l4(struct frame *f)
{
	size_t end, n, at;
	uint32_t sum = 0;
	uint16_t c;

	if (f->fam == ADDR_V4)
		end = f->l3 + get16(f, f->l3 + 2);
	else if (f->fam == ADDR_V6)
		end = f->l3 + 40 + get16(f, f->l3 + 4);
	else
		end = f->len;
	if (end > f->len || end < f->l4) {
		fprintf(stderr, "frames: the IP length does not reach the "
		    "transport header (frames_ip_fin first)\n");
		abort();
	}
	n = end - f->l4;
	at = f->l4 + (f->l4proto == P_TCP ? 16 : f->l4proto == P_UDP ? 6 : 2);
	frames_set16(f, at, 0);
	if (f->l4proto != P_ICMP) {
		uint8_t ph[8] = { 0 };

		if (f->fam == ADDR_V4) {
			sum = frames_sum(sum, f->b + f->l3 + 12, 8);
			ph[1] = f->l4proto;
			ph[2] = (uint8_t)(n >> 8);
			ph[3] = (uint8_t)n;
			sum = frames_sum(sum, ph, 4);
		} else if (f->fam == ADDR_V6) {
			sum = frames_sum(sum, f->b + f->l3 + 8, 32);
			ph[2] = (uint8_t)(n >> 8);
			ph[3] = (uint8_t)n;
			ph[7] = f->l4proto;
			sum = frames_sum(sum, ph, 8);
		} else {
			fprintf(stderr, "frames: a pseudo-header needs an IP "
			    "header\n");
			abort();
		}
	}
	c = frames_fold(frames_sum(sum, f->b + f->l4, n));
	if (c == 0 && f->l4proto == P_UDP)
		c = 0xffff;
	frames_set16(f, at, c);
}

void
frames_csum(struct frame *f, unsigned what)
{
	if ((what & FRAMES_CSUM_IP) && f->fam == ADDR_V4) {
		size_t hl = (size_t)(f->b[f->l3] & 0x0f) * 4;

		frames_set16(f, f->l3 + 10, 0);
		frames_set16(f, f->l3 + 10,
		    frames_fold(frames_sum(0, f->b + f->l3, hl)));
	}
	if ((what & FRAMES_CSUM_L4) && (f->l4proto == P_TCP ||
	    f->l4proto == P_UDP || f->l4proto == P_ICMP ||
	    f->l4proto == P_ICMP6))
		csum_l4(f);
}

/* --- whole frames -------------------------------------------------------- */

size_t
frames_build(struct frame *f, const struct frames_spec *s)
{
	unsigned ip_type = s->family == ADDR_V6 ? 0x86dd : 0x0800;
	bool fh = s->frag != FRAMES_WHOLE;

	frames_init(f);
	if (!s->raw) {
		frames_eth(f, s->dst_mac, s->src_mac, s->nvlan == 0 ?
		    ip_type : s->qinq ? 0x88a8 : 0x8100);
		for (int i = 0; i < s->nvlan; i++)
			frames_tag(f, s->vlan[i], i + 1 < s->nvlan ? 0x8100 :
			    ip_type);
	}
	if (s->family == ADDR_V6) {
		frames_ip6(f, fh ? P_FRAG : s->proto, s->src, s->dst);
		if (fh)
			frames_frag6(f, s->proto, s->fragoff,
			    s->frag == FRAMES_FIRST, s->ip_id);
	} else
		frames_ip4(f, s->proto, s->src, s->dst, s->ip_id & 0xffff,
		    (s->fragoff / 8) | (s->frag == FRAMES_FIRST ? 0x2000 : 0) |
		    (s->df ? 0x4000 : 0), 0);
	if (s->frag != FRAMES_LAST)
		switch (s->proto) {
		case P_TCP:
			frames_tcp(f, s->sport, s->dport, s->seq, s->ack,
			    5 + (unsigned)(s->ntcp_opt / 4), s->tcp_flags,
			    s->win);
			frames_putn(f, s->tcp_opt, s->ntcp_opt);
			break;
		case P_UDP:
			frames_udp(f, s->sport, s->dport, s->ndata + s->nfill);
			break;
		case P_ICMP:
		case P_ICMP6:
			frames_icmp(f, s->icmp_type, s->icmp_code, s->icmp_id,
			    s->icmp_seq);
			break;
		}
	frames_putn(f, s->data, s->ndata);
	frames_fill(f, s->fill, s->nfill);
	frames_ip_fin(f);
	frames_csum(f, s->csum);
	frames_pad(f, s->min_len);
	return f->len;
}
