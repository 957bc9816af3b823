/*
 * traffic — permitted connections of a policy's flows as TCP frames.
 */
#include <string.h>

#include "frames.h"
#include "traffic.h"

uint64_t
traffic_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

void
traffic_tcp(uint8_t *buf, const uint8_t src[16], uint16_t sport,
    const uint8_t dst[16], uint16_t dport, uint8_t flags)
{
	struct frames_spec s = {
		.dst_mac = { 2, 0, 0, 0, 0, 2 },
		.src_mac = { 2, 0, 0, 0, 0, 1 },
		.family = ADDR_V4,
		.proto = PROTO_TCP,
		.df = true,
		.sport = sport,
		.dport = dport,
		.tcp_flags = flags,
		.win = 0xffff,
		.csum = FRAMES_CSUM_IP,
		.min_len = TRAFFIC_FRAME_LEN,
	};
	struct frame f;

	memcpy(s.src, src, 4);
	memcpy(s.dst, dst, 4);
	frames_build(&f, &s);
	memcpy(buf, f.b, TRAFFIC_FRAME_LEN);
}

int
traffic_pick(const struct policy *p, uint64_t *rng, uint8_t src[16],
    uint8_t dst[16], uint16_t *dport)
{
	for (int tries = 0; tries < 1000 && p->nflows > 0; tries++) {
		const struct flow *f = &p->flows[traffic_rand(rng) % p->nflows];
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
			src[3] = (uint8_t)(src[3] | (traffic_rand(rng) & 0x0f));
		*dport = s->ports[0].lo;
		return 0;
	}
	return -1;
}
