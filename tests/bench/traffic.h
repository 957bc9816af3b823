/*
 * traffic — the benchmarks' traffic: permitted connections of a policy's
 * flows, picked at random, as Ethernet/IPv4 TCP frames of one size (built
 * by tests/common/frames.c), for genpcap and framepath.
 */
#ifndef ZONED_BENCH_TRAFFIC_H
#define ZONED_BENCH_TRAFFIC_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define TRAFFIC_FRAME_LEN 74	/* Ethernet + IPv4 + TCP, 20 bytes of padding */

/* A frame from src:sport to dst:dport (IPv4, TCP with flags, no options)
 * into buf (TRAFFIC_FRAME_LEN bytes); the IPv4 header checksum is set, the
 * TCP one is not. */
void traffic_tcp(uint8_t *buf, const uint8_t src[16], uint16_t sport,
    const uint8_t dst[16], uint16_t dport, uint8_t flags);

/* A permitted connection of a random active IPv4 TCP flow of p: source and
 * destination addresses and the destination port; -1 if there is none. */
int traffic_pick(const struct policy *p, uint64_t *rng, uint8_t src[16],
    uint8_t dst[16], uint16_t *dport);

/* xorshift64 */
uint64_t traffic_rand(uint64_t *s);

#endif
