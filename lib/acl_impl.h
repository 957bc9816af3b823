/*
 * acl_impl — the compiled form of the classifier, shared by the builder
 * (acl_build.c) and the matcher (acl.c).  Private to lib/acl*.c and tests.
 *
 * The rules are split into one or a few groups (acl_build.c says how); each
 * group is a multi-way cut tree over the six fields.  Everything lives in one
 * array of 64-bit slots, T, read-only once built: first the records of all
 * rules in rule order (4 slots each, see below) and one that never matches,
 * then the trees.  A node reference ("ref") is one slot:
 *
 *  - an inner node is an array of 2^nb refs at T[off], indexed by nb bits of
 *    one field of the key:
 *      bits  0..31  off
 *      bits 32..36  lsh    child = T[off + ((f[dim] << lsh) >> rsh)]
 *      bits 40..44  rsh    where f[] holds the fields left-aligned in 32
 *      bits 48..62  dim    bits: lsh drops the bits the path has fixed,
 *      bit  63      0      rsh keeps the next nb; dim is stored times
 *                          ACL_DIM_STRIDE, the matcher's byte offset of
 *                          the field in its key table
 *
 *  - a leaf, whose rules are checked in order, the first match winning:
 *      bits  0..31  off    slot of the list of rule indices (uint32, 2
 *                          to a slot), padded to a multiple of
 *                          ACL_LEAF_PAD with nrules, the index of a record
 *                          that never matches; with count 1, the index
 *                          of the rule itself (no list)
 *      bits 32..47  count  of rules (0: no rule can match here)
 *      bits 48..62  lower bound of the first rule index, >> acl.minshift
 *      bit  63      1
 *
 * A record holds one rule's six ranges biased so that a match is "no lane of
 * the record is greater than the same lane of the key", compared as signed
 * 32-bit (addresses) and signed 16-bit (ports, protocol, tag) lanes:
 *      a[4] = src_lo ^ 0x80000000, src_hi ^ 0x7fffffff, dst_lo ^ .., dst_hi ^ ..
 *      p[8] = sp_lo ^ 0x8000, sp_hi ^ 0x7fff, dp_lo, dp_hi, pr_lo, pr_hi,
 *             tag_lo, tag_hi (each biased the same way)
 * and the key is biased the same way from its single values.
 */
#ifndef ZONED_ACL_IMPL_H
#define ZONED_ACL_IMPL_H

#include <stdint.h>

#include "acl.h"

#define ACL_DIMS 6		/* src dst sport dport proto tag */
#define ACL_MAX_GROUPS 8
#define ACL_LEAF_MAX 65535	/* rules in one leaf */
#define ACL_LEAF_PAD 4		/* leaf lists are padded to a multiple */
#define ACL_BUDGET_MAX ((size_t)8 << 20)	/* slots: 64 MB */
#define ACL_BINTH 8		/* rules a leaf may hold without a cut */
#define ACL_CUT_MAXNB 16	/* bits a node may cut */

#define ACL_REF_LEAF (1ull << 63)

#define ACL_DIM_STRIDE (ACL_MAX_GROUPS * ACL_BATCH * 4)

static inline uint64_t
acl_ref_inner(uint32_t off, unsigned dim, unsigned lsh, unsigned rsh)
{
	return (uint64_t)off | (uint64_t)lsh << 32 | (uint64_t)rsh << 40 |
	    (uint64_t)(dim * ACL_DIM_STRIDE) << 48;
}

static inline uint64_t
acl_ref_leaf(uint32_t off, uint32_t count, uint32_t minq)
{
	return (uint64_t)off | (uint64_t)count << 32 | (uint64_t)minq << 48 |
	    ACL_REF_LEAF;
}

static inline uint32_t
acl_ref_off(uint64_t r)
{
	return (uint32_t)r;
}

static inline unsigned
acl_ref_dim(uint64_t r)
{
	return (unsigned)(r >> 48 & 0x7FFF) / ACL_DIM_STRIDE;
}

static inline unsigned
acl_ref_lsh(uint64_t r)
{
	return (unsigned)(r >> 32) & 31;
}

static inline unsigned
acl_ref_rsh(uint64_t r)
{
	return (unsigned)(r >> 40) & 31;
}

static inline uint32_t
acl_ref_count(uint64_t r)
{
	return (uint32_t)(r >> 32) & 0xFFFF;
}

static inline uint32_t
acl_ref_minq(uint64_t r)
{
	return (uint32_t)(r >> 48) & 0x7FFF;
}

/* Width of each field in bits (f[] holds it shifted left by 32 - width). */
static inline unsigned
acl_dim_bits(unsigned d)
{
	return d < 2 ? 32 : d == 4 ? 8 : 16;
}

struct acl_rec {
	int32_t a[4];
	int16_t p[8];
};

struct acl {
	uint32_t nrules;
	uint32_t ngroups;
	unsigned minshift;		/* see the leaf ref */
	uint64_t root[ACL_MAX_GROUPS];
	uint64_t *t;			/* the slots */
	size_t nt;
	/* Statistics of the build (for tests and the benchmark). */
	uint32_t depth_max;
	uint32_t nleaves, ninner;
	uint32_t leaf_rules;		/* entries over all distinct leaves */
	uint32_t leaf_max;		/* rules in the largest leaf */
	uint32_t group_rules[ACL_MAX_GROUPS];
};

/* Builds the groups and trees into a (nrules set); 0, or -1 when out of
 * memory. */
int acl_build_trees(struct acl *a, const struct acl_rule *rules, uint32_t n);

/* The matchers; acl_classify() picks one. */
void acl_classify_portable(const struct acl *acl, const struct acl_key *keys,
    int32_t *out, size_t n);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ACL_HAVE_AVX2 1
void acl_classify_avx2(const struct acl *acl, const struct acl_key *keys,
    int32_t *out, size_t n);
#endif

/* Test switch: the builder skips to its plan 1 (a tree per class of address
 * width), 2 (a tree per slice of the rules) or 3 (linear leaves); 0 is the
 * normal course. */
void acl_test_plan(int plan);

/* Test switch: 1 forces the portable matcher, 0 lets the CPU decide. */
void acl_force_portable(int on);
/* Which matcher acl_classify() uses now: "portable" or "avx2". */
const char *acl_matcher(void);

#endif
