/*
 * frames — Ethernet/IPv4 TCP frames of a policy's flows, for the
 * benchmarks (genpcap, framepath).
 */
#ifndef ZONED_BENCH_FRAMES_H
#define ZONED_BENCH_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define FRAME_LEN 74		/* Ethernet + IPv4 + TCP with 20 bytes */

/* A frame from src:sport to dst:dport (IPv4, TCP with flags) into buf
 * (FRAME_LEN bytes). */
void frames_tcp(uint8_t *buf, const uint8_t src[16], uint16_t sport,
    const uint8_t dst[16], uint16_t dport, uint8_t flags);

/* A permitted connection of a random active IPv4 TCP flow of p: source and
 * destination addresses and the destination port; -1 if there is none. */
int frames_pick(const struct policy *p, uint64_t *rng, uint8_t src[16],
    uint8_t dst[16], uint16_t *dport);

uint64_t frames_rand(uint64_t *s);

#endif
