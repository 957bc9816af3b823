/*
 * acl — the compiled first-match classifier and the linear reference.
 *
 * The compiled form (acl_impl.h) is built by acl_build.c; this file walks it.
 * A batch of up to ACL_BATCH keys walks every group's tree together, one
 * level per pass over the (group, key) pairs not yet at a leaf, so the loads
 * of a pass are independent and overlap in the memory system; then each key
 * checks its leaves in group order, skipping a leaf whose first rule cannot
 * beat the answer so far.  Two matchers: portable C, and one with AVX2 (four
 * leaf records per step), chosen at run time from the CPU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl_impl.h"

static inline int
rule_match(const struct acl_rule *r, const struct acl_key *k)
{
	return k->src >= r->src_lo && k->src <= r->src_hi &&
	    k->dst >= r->dst_lo && k->dst <= r->dst_hi &&
	    k->sport >= r->sp_lo && k->sport <= r->sp_hi &&
	    k->dport >= r->dp_lo && k->dport <= r->dp_hi &&
	    k->proto >= r->pr_lo && k->proto <= r->pr_hi &&
	    k->tag >= r->tag_lo && k->tag <= r->tag_hi;
}

int32_t
acl_linear_one(const struct acl_rule *rules, uint32_t n,
    const struct acl_key *k)
{
	for (uint32_t i = 0; i < n; i++)
		if (rule_match(&rules[i], k))
			return (int32_t)i;
	return -1;
}

void
acl_linear(const struct acl_rule *rules, uint32_t n,
    const struct acl_key *keys, int32_t *out, size_t nk)
{
	for (size_t i = 0; i < nk; i++)
		out[i] = acl_linear_one(rules, n, &keys[i]);
}

struct acl *
acl_build(const struct acl_rule *rules, uint32_t n, char *err, size_t errlen)
{
	struct acl *a;

	for (uint32_t i = 0; i < n; i++) {
		const struct acl_rule *r = &rules[i];

		if (r->src_lo > r->src_hi || r->dst_lo > r->dst_hi ||
		    r->sp_lo > r->sp_hi || r->dp_lo > r->dp_hi ||
		    r->pr_lo > r->pr_hi || r->tag_lo > r->tag_hi) {
			snprintf(err, errlen, "rule %u: a range has lo > hi", i);
			return NULL;
		}
	}
	if (n > (uint32_t)INT32_MAX) {
		snprintf(err, errlen, "too many rules (%u)", n);
		return NULL;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->nrules = n;
	if (acl_build_trees(a, rules, n) != 0) {
		acl_free(a);
		snprintf(err, errlen, "out of memory (%u rules)", n);
		return NULL;
	}
	return a;
}

/* --- matching ---------------------------------------------------------------- */

/* The keys of a batch as the walk reads them: field d of key i, left-aligned
 * in 32 bits, at f[d][g * ACL_BATCH + i] for each group g (so that a walk
 * entry e = g * ACL_BATCH + i finds it at byte d * ACL_DIM_STRIDE + 4 * e). */
struct kf {
	uint32_t f[ACL_DIMS][ACL_MAX_GROUPS * ACL_BATCH];
};

static inline void
key_fields(struct kf *kf, const struct acl_key *k, size_t n, uint32_t ng)
{
	for (size_t i = 0; i < n; i++) {
		kf->f[0][i] = k[i].src;
		kf->f[1][i] = k[i].dst;
		kf->f[2][i] = (uint32_t)k[i].sport << 16;
		kf->f[3][i] = (uint32_t)k[i].dport << 16;
		kf->f[4][i] = (uint32_t)k[i].proto << 24;
		kf->f[5][i] = (uint32_t)k[i].tag << 16;
	}
	for (uint32_t g = 1; g < ng; g++)
		for (int d = 0; d < ACL_DIMS; d++)
			memcpy(&kf->f[d][g * ACL_BATCH], kf->f[d],
			    n * sizeof(uint32_t));
}

static inline void
key_rec(struct acl_rec *r, const struct acl_key *k)
{
	r->a[0] = (int32_t)(k->src ^ 0x80000000u);
	r->a[1] = (int32_t)(k->src ^ 0x7FFFFFFFu);
	r->a[2] = (int32_t)(k->dst ^ 0x80000000u);
	r->a[3] = (int32_t)(k->dst ^ 0x7FFFFFFFu);
	r->p[0] = (int16_t)(k->sport ^ 0x8000u);
	r->p[1] = (int16_t)(k->sport ^ 0x7FFFu);
	r->p[2] = (int16_t)(k->dport ^ 0x8000u);
	r->p[3] = (int16_t)(k->dport ^ 0x7FFFu);
	r->p[4] = (int16_t)(k->proto ^ 0x8000u);
	r->p[5] = (int16_t)(k->proto ^ 0x7FFFu);
	r->p[6] = (int16_t)(k->tag ^ 0x8000u);
	r->p[7] = (int16_t)(k->tag ^ 0x7FFFu);
}

/* Does the record lie nowhere above the key? */
static inline int
rec_match(const struct acl_rec *r, const struct acl_rec *k)
{
	int bad = 0;

	for (int i = 0; i < 4; i++)
		bad |= r->a[i] > k->a[i];
	for (int i = 0; i < 8; i++)
		bad |= r->p[i] > k->p[i];
	return !bad;
}

/* The walk: every group's tree, all keys.  ref[g * ACL_BATCH + i] is key i's
 * place in group g's tree; each pass steps every (group, key) that is not at
 * a leaf yet and keeps, without a branch, those still not there. */
static inline __attribute__((always_inline)) void
acl_walk(const uint64_t *T, const struct acl *acl, const struct kf *kf,
    uint64_t *ref, size_t n)
{
	const char *kb = (const char *)kf;
	uint16_t act[ACL_MAX_GROUPS * ACL_BATCH];
	size_t na = 0;

	for (uint32_t g = 0; g < acl->ngroups; g++) {
		uint64_t r = acl->root[g];

		for (size_t i = 0; i < n; i++) {
			ref[g * ACL_BATCH + i] = r;
			act[na] = (uint16_t)(g * ACL_BATCH + i);
			na += !(r & ACL_REF_LEAF);
		}
	}
	while (na > 0) {
		const uint16_t *ap = act, *aend = act + na;
		uint16_t *wp = act;

		for (; ap < aend; ap++) {
			size_t e = *ap;
			uint64_t r = ref[e];
			uint32_t h = (uint32_t)(r >> 32), v;

			memcpy(&v, kb + (r >> 48) + e * 4, sizeof(v));
			v = (v << (h & 31)) >> ((h >> 8) & 31);
			r = T[(uint32_t)r + v];
			ref[e] = r;
			*wp = (uint16_t)e;
			wp += 1 - (r >> 63);
		}
		na = (size_t)(wp - act);
	}
}

/* The rule list of leaf r: in the slots, or for one rule in one[] (whose
 * other entries hold the never-matching record). */
static inline const uint32_t *
leaf_list(const uint64_t *T, uint64_t r, uint32_t *one)
{
	one[0] = acl_ref_off(r);
	return acl_ref_count(r) == 1 ? one :
	    (const uint32_t *)&T[acl_ref_off(r)];
}

void
acl_classify_portable(const struct acl *acl, const struct acl_key *keys,
    int32_t *out, size_t n)
{
	const uint64_t *T = acl->t;
	const struct acl_rec *rec = (const struct acl_rec *)T;
	unsigned ms = acl->minshift;
	uint32_t one[ACL_LEAF_PAD];

	for (int j = 1; j < ACL_LEAF_PAD; j++)
		one[j] = acl->nrules;
	while (n > 0) {
		size_t m = n < ACL_BATCH ? n : ACL_BATCH;
		struct kf kf;
		uint64_t ref[ACL_MAX_GROUPS * ACL_BATCH];

		key_fields(&kf, keys, m, acl->ngroups);
		acl_walk(T, acl, &kf, ref, m);
		for (size_t i = 0; i < m; i++) {
			uint32_t best = UINT32_MAX;
			struct acl_rec kr;

			key_rec(&kr, &keys[i]);
			for (uint32_t g = 0; g < acl->ngroups; g++) {
				uint64_t r = ref[g * ACL_BATCH + i];
				uint32_t cnt = acl_ref_count(r);
				const uint32_t *idx = leaf_list(T, r, one);

				if ((uint64_t)acl_ref_minq(r) << ms >= best)
					continue;
				for (uint32_t j = 0; j < cnt; j++) {
					if (rec_match(&rec[idx[j]], &kr)) {
						if (idx[j] < best)
							best = idx[j];
						break;
					}
				}
			}
			out[i] = best == UINT32_MAX ? -1 : (int32_t)best;
		}
		keys += m;
		out += m;
		n -= m;
	}
}

#ifdef ACL_HAVE_AVX2
#include <immintrin.h>

/* The lanes of a record above the key's: all-ones 32-bit lanes for the
 * addresses, all-ones 16-bit lanes for the rest. */
__attribute__((target("avx2"))) static inline __m256i
above_avx2(__m256i x, __m256i kv)
{
	return _mm256_blend_epi32(_mm256_cmpgt_epi32(x, kv),
	    _mm256_cmpgt_epi16(x, kv), 0xF0);
}

/* Matches of records idx[0..3]: bit 4k of the result is set when record
 * idx[k] matches.  Packing keeps a lane nonzero (saturation), so each
 * record's eight 32-bit lanes end up as two groups of four bytes, and it
 * matches when all eight are zero. */
__attribute__((target("avx2"))) static inline unsigned
match4_avx2(const __m256i *rec, const uint32_t *idx, __m256i kv)
{
	__m256i b0 = above_avx2(_mm256_load_si256(&rec[idx[0]]), kv);
	__m256i b1 = above_avx2(_mm256_load_si256(&rec[idx[1]]), kv);
	__m256i b2 = above_avx2(_mm256_load_si256(&rec[idx[2]]), kv);
	__m256i b3 = above_avx2(_mm256_load_si256(&rec[idx[3]]), kv);
	__m256i p = _mm256_packs_epi16(_mm256_packs_epi32(b0, b1),
	    _mm256_packs_epi32(b2, b3));
	unsigned m = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(p,
	    _mm256_setzero_si256()));

	m &= m >> 16;
	m &= m >> 1;
	m &= m >> 2;
	return m & 0x1111;
}

__attribute__((target("avx2,bmi,bmi2"))) void
acl_classify_avx2(const struct acl *acl, const struct acl_key *keys,
    int32_t *out, size_t n)
{
	const uint64_t *T = acl->t;
	const __m256i *rec = (const __m256i *)T;
	unsigned ms = acl->minshift;
	/* From the 16-byte key, twice over: src src dst dst | sp sp dp dp
	 * pr pr tag tag, then biased. */
	const __m256i shuf = _mm256_setr_epi8(
	    0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7,
	    8, 9, 8, 9, 10, 11, 10, 11, 12, -1, 12, -1, 14, 15, 14, 15);
	const __m256i bias = _mm256_setr_epi32(
	    (int)0x80000000, 0x7FFFFFFF, (int)0x80000000, 0x7FFFFFFF,
	    0x7FFF8000, 0x7FFF8000, 0x7FFF8000, 0x7FFF8000);
	uint32_t one[ACL_LEAF_PAD];

	for (int j = 1; j < ACL_LEAF_PAD; j++)
		one[j] = acl->nrules;
	while (n > 0) {
		size_t m = n < ACL_BATCH ? n : ACL_BATCH;
		struct kf kf;
		uint64_t ref[ACL_MAX_GROUPS * ACL_BATCH];

		key_fields(&kf, keys, m, acl->ngroups);
		acl_walk(T, acl, &kf, ref, m);
		for (size_t i = 0; i < m; i++) {
			uint32_t best = UINT32_MAX;
			__m256i kv = _mm256_xor_si256(_mm256_shuffle_epi8(
			    _mm256_broadcastsi128_si256(_mm_loadu_si128(
			    (const __m128i *)&keys[i])), shuf), bias);

			for (uint32_t g = 0; g < acl->ngroups; g++) {
				uint64_t r = ref[g * ACL_BATCH + i];
				uint32_t cnt = acl_ref_count(r);
				const uint32_t *idx = leaf_list(T, r, one);

				if ((uint64_t)acl_ref_minq(r) << ms >= best)
					continue;
				/* Four records at a time, without a branch on
				 * each; the padding never matches. */
				for (uint32_t j = 0; j < cnt; j += 4) {
					unsigned ok = match4_avx2(rec, idx + j, kv);

					if (ok != 0) {
						uint32_t id = idx[j +
						    (unsigned)__builtin_ctz(ok) / 4];

						best = id < best ? id : best;
						break;
					}
				}
			}
			out[i] = best == UINT32_MAX ? -1 : (int32_t)best;
		}
		keys += m;
		out += m;
		n -= m;
	}
}
#endif

static int force_portable;

void
acl_force_portable(int on)
{
	force_portable = on;
}

#ifdef ACL_HAVE_AVX2
static int cpu_avx2;

__attribute__((constructor)) static void
acl_cpu_detect(void)
{
	__builtin_cpu_init();
	cpu_avx2 = __builtin_cpu_supports("avx2") &&
	    __builtin_cpu_supports("bmi2");
}

static inline int
have_avx2(void)
{
	return cpu_avx2;
}
#endif

const char *
acl_matcher(void)
{
#ifdef ACL_HAVE_AVX2
	if (!force_portable && have_avx2())
		return "avx2";
#endif
	return "portable";
}

void
acl_classify(const struct acl *acl, const struct acl_key *keys, int32_t *out,
    size_t n)
{
	if (acl->ngroups == 0) {
		for (size_t i = 0; i < n; i++)
			out[i] = -1;
		return;
	}
#ifdef ACL_HAVE_AVX2
	if (!force_portable && have_avx2()) {
		acl_classify_avx2(acl, keys, out, n);
		return;
	}
#endif
	acl_classify_portable(acl, keys, out, n);
}

size_t
acl_mem(const struct acl *acl)
{
	return sizeof(*acl) + acl->nt * sizeof(*acl->t);
}

uint32_t
acl_nrules(const struct acl *acl)
{
	return acl->nrules;
}

void
acl_free(struct acl *acl)
{
	if (acl == NULL)
		return;
	free(acl->t);
	free(acl);
}
