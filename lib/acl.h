/*
 * acl — the compiled first-match packet classifier on generic range rules,
 * and the plain linear reference matcher beside it.
 *
 * A rule is six ranges: source and destination address (32-bit; IPv6
 * addresses reach here already mapped to 32-bit interval numbers by
 * classify.c), source and destination port, protocol, and a 16-bit tag
 * (classify.c puts the zone pair there; ClassBench rules leave it 0..65535).
 * Rules are in priority order: the answer for a key is the index of the first
 * rule whose six ranges all contain it, or -1.
 *
 * acl_build() compiles the rules once; acl_classify() then answers batches of
 * keys with no allocation, no locks and no writes to the compiled form, so
 * several threads may classify with one struct acl at once.
 */
#ifndef ZONED_ACL_H
#define ZONED_ACL_H

#include <stddef.h>
#include <stdint.h>

struct acl_rule {
	uint32_t src_lo, src_hi;	/* inclusive, host order */
	uint32_t dst_lo, dst_hi;
	uint16_t sp_lo, sp_hi;
	uint16_t dp_lo, dp_hi;
	uint8_t pr_lo, pr_hi;
	uint16_t tag_lo, tag_hi;
};

struct acl_key {
	uint32_t src, dst;		/* host order */
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t pad;
	uint16_t tag;
};

struct acl;

/* Compile n rules (n may be 0).  NULL with err filled on failure (only
 * allocation failure or a rule with lo > hi). */
struct acl *acl_build(const struct acl_rule *rules, uint32_t n, char *err,
    size_t errlen);

/* Classify n keys: out[i] = index of the first matching rule, or -1. */
void acl_classify(const struct acl *acl, const struct acl_key *keys,
    int32_t *out, size_t n);

/* Bytes held by the compiled form. */
size_t acl_mem(const struct acl *acl);
uint32_t acl_nrules(const struct acl *acl);
void acl_free(struct acl *acl);

/* The linear reference: scans every rule in order. */
int32_t acl_linear_one(const struct acl_rule *rules, uint32_t n,
    const struct acl_key *k);
void acl_linear(const struct acl_rule *rules, uint32_t n,
    const struct acl_key *keys, int32_t *out, size_t nk);

/* A batch size callers should use; the benchmarks use it for both sides. */
#define ACL_BATCH 64

#endif
