/*
 * classify — "which flow permits this packet, if any", compiled from the
 * policy model (the same model nftgen.c turns into the kernel's ruleset).
 *
 * Input: ingress and egress zone (or -1: found from the addresses), source
 * MAC, addresses, protocol, ports.  Output: the first permitting flow in file
 * order, or a denial with its reason.  classify_batch() answers N packets a
 * call with no allocation and no writes to the compiled form.
 */
#ifndef ZONED_CLASSIFY_H
#define ZONED_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "policy.h"

struct classify;

struct classify_pkt {
	uint8_t family;		/* ADDR_V4 or ADDR_V6 */
	uint8_t proto;
	uint8_t has_mac;	/* src_mac is the sender's (My Number ingress) */
	uint8_t src_mac[6];
	int16_t in_zone;	/* -1: the zone of the source address */
	int16_t out_zone;	/* -1: the zone of the destination address */
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;		/* ICMP/ICMPv6: the type */
};

enum classify_reason {
	CLASSIFY_PERMIT = 0,
	CLASSIFY_NO_FLOW,	/* default deny: no active flow matches */
	CLASSIFY_NO_ZONE,	/* an address lies in no zone */
	CLASSIFY_SPOOFED,	/* source address not of the ingress zone */
	CLASSIFY_MAC_MISMATCH,	/* a pinned host's address with another MAC */
};

struct classify_verdict {
	int32_t flow;		/* index into policy.flows, or -1 */
	uint8_t reason;		/* enum classify_reason */
	int16_t in_zone, out_zone;	/* as used (found from addresses) */
};

/*
 * Compile the active flows of p (those not expired at now; flows marked bad
 * are left out).  The policy must outlive the classifier.  NULL with err
 * filled on failure.
 */
struct classify *classify_build(const struct policy *p, time_t now,
    char *err, size_t errlen);
void classify_free(struct classify *c);

void classify_batch(const struct classify *c, const struct classify_pkt *pkts,
    struct classify_verdict *out, size_t n);
void classify_one(const struct classify *c, const struct classify_pkt *pkt,
    struct classify_verdict *out);

/* The zone of an address by the compiled zone table (same answer as
 * policy_zone_of_addr, faster). */
int classify_zone_of(const struct classify *c, int family,
    const uint8_t a[16]);

/* Reference: the same answer by a plain scan of the policy (for tests). */
void classify_reference(const struct policy *p, time_t now,
    const struct classify_pkt *pkt, struct classify_verdict *out);

/* Human words for a verdict: "flow \"browse\"" or why it was denied, with
 * hints (a flow of the same zone pair on other ports, an expired flow). */
void classify_explain(const struct classify *c,
    const struct classify_pkt *pkt, const struct classify_verdict *v,
    char *buf, size_t len);

const char *classify_reason_str(enum classify_reason r);
/* "tcp/443", "icmp type 8", "protocol 47": what a packet asks for. */
const char *classify_pkt_text(const struct classify_pkt *k, char *buf,
    size_t len);

/* Rules and bytes of the compiled form (for status and benchmarks). */
size_t classify_nrules(const struct classify *c);
size_t classify_mem(const struct classify *c);

#endif
