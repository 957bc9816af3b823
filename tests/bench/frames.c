/*
 * frames — Ethernet/IPv4 TCP frames of a policy's flows.
 */
#include <string.h>

#include "frames.h"

uint64_t
frames_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint16_t
csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

void
frames_tcp(uint8_t *f, const uint8_t src[16], uint16_t sport,
    const uint8_t dst[16], uint16_t dport, uint8_t flags)
{
	uint8_t *ip = f + 14, *tcp = ip + 20;
	uint16_t c;

	memset(f, 0, FRAME_LEN);
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 40;
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	c = csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	tcp[0] = (uint8_t)(sport >> 8);
	tcp[1] = (uint8_t)sport;
	tcp[2] = (uint8_t)(dport >> 8);
	tcp[3] = (uint8_t)dport;
	tcp[12] = 0x50;
	tcp[13] = flags;
	tcp[14] = 0xff;
	tcp[15] = 0xff;
}

int
frames_pick(const struct policy *p, uint64_t *rng, uint8_t src[16],
    uint8_t dst[16], uint16_t *dport)
{
	for (int tries = 0; tries < 1000 && p->nflows > 0; tries++) {
		const struct flow *f = &p->flows[frames_rand(rng) % p->nflows];
		const struct service *s;
		struct addr_pfx a, b;

		if (f->bad || f->nservices == 0 ||
		    policy_endpoint_prefix(p, &f->from, ADDR_V4, &a) == 0 ||
		    policy_endpoint_prefix(p, &f->to, ADDR_V4, &b) == 0)
			continue;
		s = &p->services[f->services[0]];
		if (s->any_proto || s->proto != PROTO_TCP || s->nports == 0)
			continue;
		memcpy(src, a.a, 16);
		memcpy(dst, b.a, 16);
		if (a.len < 32)	/* a network: one of its addresses */
			src[3] = (uint8_t)(src[3] | (frames_rand(rng) & 0x0f));
		*dport = s->ports[0].lo;
		return 0;
	}
	return -1;
}
