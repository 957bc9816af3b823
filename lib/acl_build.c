/*
 * acl_build — compiles rules into the cut trees of acl_impl.h.
 *
 * A tree node cuts one field into 2^nb equal aligned blocks (the next nb bits
 * of the field under the node's region), so a step of the walk is two shifts
 * and one load; choose_cut() says how the field and nb are chosen.  The bits
 * cut are those below the longest prefix that every rule narrower than the
 * region shares in that field, not necessarily the region's: a thousand host
 * addresses in one /21 of a /8 region are split at once, where cutting the
 * region's top 16 bits would leave them together (build_cut() says why keys
 * outside that prefix still find their rules).  A node with at most
 * ACL_BINTH rules becomes a leaf (a leaf of one rule holds its index in the
 * ref).  On the way down, rules after one that covers every key that can
 * reach the node are dropped, and in small nodes rules that an earlier rule
 * covers there; equal leaves are stored once, and neighbouring children whose
 * rules all span both share one subtree.  Rules equal to an earlier rule are
 * dropped before anything.
 *
 * Wide rules replicate into every child of a cut, so the trees are built
 * under a memory budget (slots per rule, capped), in this order:
 *   1. one tree over all rules, generous cuts (spfac 8), then tighter (4);
 *   2. one tree per class of address width (which of source and destination
 *      are /8 or wider; small classes folded into the widest), spfac 8, 4:
 *      no class then replicates the rules of another;
 *   3. one tree per slice of ACL_MAX_GROUPS slices of the rules in order
 *      (for sets that overlap everywhere, such as random ranges);
 *   4. a linear leaf per ACL_LEAF_MAX rules (always fits; slow).
 * The first that fits is kept.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "acl_impl.h"

struct xr {
	uint32_t lo[ACL_DIMS], hi[ACL_DIMS];
};

struct leafent {
	uint64_t h;			/* 0: free */
	uint64_t ref;
};

struct bld {
	const struct xr *x;
	uint64_t *t;
	size_t nt, cap;
	struct leafent *ht;
	size_t hcap, hn;
	uint32_t *diff;			/* 2^16 + 2 counters */
	uint8_t *mark;			/* 2^16 + 2 */
	bool oom;
	uint32_t binth;
	double spfac;
	uint32_t *rl, *rh;		/* n: a field's intervals, relative */
	size_t budget;			/* slots; beyond it the build gives up */
	uint64_t work, work_budget;	/* rule visits of choose_cut, likewise */
	bool over;
	struct acl *a;
};

/* --- slots ------------------------------------------------------------------ */

/* Reserves n slots; with leaf set, 32-byte aligned. */
static uint32_t
t_alloc(struct bld *b, size_t n, bool leaf)
{
	size_t off = b->nt;

	if (leaf)
		off = (off + 3) & ~(size_t)3;
	if (off + n > b->budget) {
		b->over = true;
		return UINT32_MAX;
	}
	if (off + n > b->cap) {
		size_t nc = b->cap ? b->cap : 4096;
		uint64_t *nt;

		while (nc < off + n)
			nc *= 2;
		if (nc > UINT32_MAX ||
		    (nt = aligned_alloc(64, nc * sizeof(*nt))) == NULL) {
			b->oom = true;
			return UINT32_MAX;
		}
		if (b->nt > 0)
			memcpy(nt, b->t, b->nt * sizeof(*nt));
		free(b->t);
		b->t = nt;
		b->cap = nc;
	}
	for (size_t i = b->nt; i < off; i++)
		b->t[i] = 0;
	b->nt = off + n;
	return (uint32_t)off;
}

/* --- leaves ----------------------------------------------------------------- */

static uint64_t
list_hash(const uint32_t *l, uint32_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ n;

	for (uint32_t i = 0; i < n; i++) {
		h ^= l[i];
		h *= 0xBF58476D1CE4E5B9ull;
		h ^= h >> 29;
	}
	return h | 1;
}

static void
rec_fill(struct acl_rec *r, const struct xr *x)
{
	r->a[0] = (int32_t)(x->lo[0] ^ 0x80000000u);
	r->a[1] = (int32_t)(x->hi[0] ^ 0x7FFFFFFFu);
	r->a[2] = (int32_t)(x->lo[1] ^ 0x80000000u);
	r->a[3] = (int32_t)(x->hi[1] ^ 0x7FFFFFFFu);
	for (int d = 2; d < ACL_DIMS; d++) {
		r->p[2 * (d - 2)] = (int16_t)(x->lo[d] ^ 0x8000u);
		r->p[2 * (d - 2) + 1] = (int16_t)(x->hi[d] ^ 0x7FFFu);
	}
}

static bool
leaf_equal(const struct bld *b, uint64_t ref, const uint32_t *l, uint32_t n)
{
	const uint32_t *idx;

	if (acl_ref_count(ref) != n)
		return false;
	if (n == 1)
		return acl_ref_off(ref) == l[0];
	idx = (const uint32_t *)&b->t[acl_ref_off(ref)];
	return memcmp(idx, l, n * sizeof(*l)) == 0;
}

static bool
ht_grow(struct bld *b)
{
	size_t nc = b->hcap ? b->hcap * 2 : 1024;
	struct leafent *nh = calloc(nc, sizeof(*nh));

	if (nh == NULL) {
		b->oom = true;
		return false;
	}
	for (size_t i = 0; i < b->hcap; i++) {
		size_t j;

		if (b->ht[i].h == 0)
			continue;
		for (j = b->ht[i].h & (nc - 1); nh[j].h != 0;
		    j = (j + 1) & (nc - 1))
			;
		nh[j] = b->ht[i];
	}
	free(b->ht);
	b->ht = nh;
	b->hcap = nc;
	return true;
}

/* A leaf: the list of its rule indices (equal lists are stored once). */
static uint64_t
make_leaf(struct bld *b, const uint32_t *l, uint32_t n)
{
	uint64_t h, ref;
	size_t j;
	uint32_t off, np;

	if (n == 0)
		return acl_ref_leaf(0, 0, 0x7FFF);
	h = list_hash(l, n);
	if (b->hn * 2 >= b->hcap && !ht_grow(b))
		return 0;
	for (j = h & (b->hcap - 1); b->ht[j].h != 0; j = (j + 1) & (b->hcap - 1))
		if (b->ht[j].h == h && leaf_equal(b, b->ht[j].ref, l, n))
			return b->ht[j].ref;
	/* One rule: its index in the ref.  Else the list, padded to a
	 * multiple of ACL_LEAF_PAD with the never-matching record's index. */
	if (n == 1) {
		off = l[0];
	} else {
		np = (n + ACL_LEAF_PAD - 1) / ACL_LEAF_PAD * ACL_LEAF_PAD;
		if ((off = t_alloc(b, np / 2, true)) == UINT32_MAX)
			return 0;
		memcpy(&b->t[off], l, n * sizeof(*l));
		for (uint32_t i = n; i < np; i++)
			((uint32_t *)&b->t[off])[i] = b->a->nrules;
	}
	ref = acl_ref_leaf(off, n, l[0] >> b->a->minshift);
	b->ht[j].h = h;
	b->ht[j].ref = ref;
	b->hn++;
	b->a->nleaves++;
	b->a->leaf_rules += n;
	if (n > b->a->leaf_max)
		b->a->leaf_max = n;
	return ref;
}

/* --- inner nodes ------------------------------------------------------------ */

static bool
covers_region(const struct xr *x, const uint32_t *rlo, const uint32_t *rhi)
{
	for (int d = 0; d < ACL_DIMS; d++)
		if (x->lo[d] > rlo[d] || x->hi[d] < rhi[d])
			return false;
	return true;
}

/* Does rule i cover rule j within the region? */
static bool
covers_within(const struct xr *i, const struct xr *j, const uint32_t *rlo,
    const uint32_t *rhi)
{
	for (int d = 0; d < ACL_DIMS; d++) {
		uint32_t lo = j->lo[d] > rlo[d] ? j->lo[d] : rlo[d];
		uint32_t hi = j->hi[d] < rhi[d] ? j->hi[d] : rhi[d];

		if (i->lo[d] > lo || i->hi[d] < hi)
			return false;
	}
	return true;
}

static unsigned
region_bits(uint32_t lo, uint32_t hi)
{
	uint32_t span = hi - lo;

	return span == UINT32_MAX ? 32 : (unsigned)__builtin_ctz(span + 1);
}

struct cut {
	unsigned dim, nb, fb;
	uint32_t base;			/* start of the block cut */
	uint64_t sum;
	uint32_t max;
	uint64_t sumsq;
};

static inline uint32_t
block_mask(unsigned fb)
{
	return fb >= 32 ? UINT32_MAX : (1u << fb) - 1;
}

/* Child index range of rule x under a cut. */
static inline void
cut_range(const struct xr *x, const struct cut *c, uint32_t *a, uint32_t *z)
{
	unsigned d = c->dim, sh = c->fb - c->nb;
	uint32_t bhi = c->base + block_mask(c->fb);
	uint32_t lo = x->lo[d] > c->base ? x->lo[d] : c->base;
	uint32_t hi = x->hi[d] < bhi ? x->hi[d] : bhi;

	*a = (uint32_t)((uint64_t)(lo - c->base) >> sh);
	*z = (uint32_t)((uint64_t)(hi - c->base) >> sh);
}

/*
 * The cut of a node: for each field, the smallest aligned block that holds
 * every rule not covering the region whole in the field (the others span
 * it), and for each number of bits nb, the rule counts of the children that
 * cut that block; a child equal to its left neighbour (no rule starts, ends
 * or is cut inside either, so the same rules cover both whole) will share
 * its subtree and counts once ("uniq").  A cut is allowed when
 * uniq + 2^nb stays within spfac times the node's rules (nb = 1 always is).
 * Its score is the mean size of the child a rule lands in (sum of squared
 * child sizes over their sum); per field the largest allowed nb that still
 * lowers the score is taken, and the field with the lowest score wins.  A
 * cut must leave every child smaller than the node.
 */
static double
cut_score(const struct cut *c)
{
	return (double)c->sumsq / (double)c->sum;
}

/* The best cut of field d on the aligned block of fb bits at rlo[d] + base,
 * the rules' intervals relative to it in rl, rh (clipped to it); false
 * when none leaves every child smaller than the node. */
static bool
block_cut(struct bld *b, uint32_t n, unsigned d, const uint32_t *rlo,
    uint32_t base, unsigned fb, struct cut *dc, double *dscore)
{
	double budget = b->spfac * n;
	uint32_t *rl = b->rl, *rh = b->rh, *diff = b->diff;
	uint8_t *mark = b->mark;
	bool dfound = false;

	for (unsigned nb = 1; nb <= fb && nb <= ACL_CUT_MAXNB; nb++) {
		struct cut c = { d, nb, fb, rlo[d] + base, 0, 0, 0 };
		uint32_t nc = 1u << nb, run = 0;
		unsigned sh = fb - nb;
		uint64_t lowmask = sh >= 32 ? UINT32_MAX : (1ull << sh) - 1;
		uint64_t uniq = 0;
		double sc;

		if (nb > 1 && (double)nc > budget)
			break;
		b->work += n + nc;
		memset(diff, 0, (nc + 1) * sizeof(*diff));
		memset(mark, 0, nc + 1);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t a = (uint32_t)((uint64_t)rl[i] >> sh);
			uint32_t z = (uint32_t)((uint64_t)rh[i] >> sh);

			c.sum += z - a + 1;
			diff[a]++;
			diff[z + 1]--;
			/* Where neighbouring children differ. */
			mark[a] |= (rl[i] & lowmask) ? 1 : 2;
			mark[z + 1] |= 2;
			mark[z] |= (rh[i] & lowmask) != lowmask;
		}
		for (uint32_t k = 0; k < nc; k++) {
			run += diff[k];
			if (run > c.max)
				c.max = run;
			c.sumsq += (uint64_t)run * run;
			if (k == 0 || mark[k] || (mark[k - 1] & 1))
				uniq += run;
		}
		if (nb > 1 && (double)(uniq + nc) > budget)
			break;
		sc = cut_score(&c);
		if (dfound && sc >= *dscore)
			continue;
		*dc = c;
		*dscore = sc;
		dfound = true;
	}
	return dfound && dc->max < n;
}

static bool
choose_cut(struct bld *b, const uint32_t *l, uint32_t n, const uint32_t *rlo,
    const uint32_t *rhi, struct cut *best)
{
	uint32_t *rl = b->rl, *rh = b->rh;
	bool found = false;
	double bscore = 0;

	for (unsigned d = 0; d < ACL_DIMS; d++) {
		uint32_t span = rhi[d] - rlo[d], mn = UINT32_MAX, mx = 0;
		uint32_t base, bmask;
		unsigned fb;
		struct cut dc = { 0 };
		double dscore = 0;

		/* The rules' intervals relative to the region, and the span
		 * of those that do not cover it whole. */
		for (uint32_t i = 0; i < n; i++) {
			const struct xr *x = &b->x[l[i]];
			uint32_t lo = x->lo[d] > rlo[d] ? x->lo[d] : rlo[d];
			uint32_t hi = x->hi[d] < rhi[d] ? x->hi[d] : rhi[d];

			rl[i] = lo - rlo[d];
			rh[i] = hi - rlo[d];
			if (rl[i] != 0 || rh[i] != span) {
				mn = rl[i] < mn ? rl[i] : mn;
				mx = rh[i] > mx ? rh[i] : mx;
			}
		}
		if (mn > mx)
			continue;	/* every rule covers the region here */
		/* Cut the smallest aligned block that holds them (a prefix
		 * the region's keys need not share: see build_cut); the
		 * rules that cover the region cover it. */
		fb = mn == mx ? 0 : 32 - (unsigned)__builtin_clz(mn ^ mx);
		if (fb == 0)
			continue;	/* all on one point: nothing to split */
		bmask = block_mask(fb);
		base = mn & ~bmask;
		if (base != 0 || bmask != span) {
			for (uint32_t i = 0; i < n; i++) {
				rl[i] = rl[i] > base ? rl[i] - base : 0;
				rh[i] = rh[i] < base + bmask ? rh[i] - base :
				    bmask;
			}
		}
		if (!block_cut(b, n, d, rlo, base, fb, &dc, &dscore))
			continue;
		if (!found || dscore < bscore ||
		    (dscore == bscore && dc.sum + (1u << dc.nb) <
		    best->sum + (1u << best->nb))) {
			*best = dc;
			bscore = dscore;
			found = true;
		}
	}
	return found;
}

/* A halving cut for a node too big for a leaf that no cut makes smaller:
 * on a field that some rule does not cover whole, so that the rules end up
 * covering their regions as the regions shrink.  False when every rule
 * covers the region (then the first is kept only because keys from outside
 * the region reach the node, see build_cut). */
static bool
forced_cut(struct bld *b, const uint32_t *l, uint32_t n, const uint32_t *rlo,
    const uint32_t *rhi, struct cut *best)
{
	for (unsigned d = 0; d < ACL_DIMS; d++) {
		unsigned fb = region_bits(rlo[d], rhi[d]);

		if (fb == 0)
			continue;
		for (uint32_t i = 0; i < n; i++) {
			const struct xr *x = &b->x[l[i]];

			if (x->lo[d] > rlo[d] || x->hi[d] < rhi[d]) {
				*best = (struct cut){ d, 1, fb, rlo[d],
				    2 * (uint64_t)n, n, 0 };
				return true;
			}
		}
	}
	return false;
}

static uint64_t build_node(struct bld *b, uint32_t *l, uint32_t n,
    const uint32_t *rlo, const uint32_t *rhi, const uint32_t *klo,
    const uint32_t *khi, unsigned depth);

static uint64_t
build_cut(struct bld *b, const uint32_t *l, uint32_t n, const uint32_t *rlo,
    const uint32_t *rhi, const uint32_t *klo, const uint32_t *khi,
    unsigned depth, const struct cut *c)
{
	uint32_t nc = 1u << c->nb, base;
	unsigned d = c->dim, sh = c->fb - c->nb;
	uint32_t *start = NULL, *lists = NULL;
	uint8_t *dirty = NULL;
	uint32_t clo[ACL_DIMS], chi[ACL_DIMS], cklo[ACL_DIMS], ckhi[ACL_DIMS];
	uint64_t prev = 0, ret = 0;
	uint64_t lowmask = sh >= 32 ? UINT32_MAX : (1ull << sh) - 1;
	/* The keys of child k are those of the node whose cut bits are k.
	 * When the cut block is the region and the node's keys are all in
	 * the region, they lie in the child's block; when it is a smaller
	 * block inside the region (or keys from outside the region reach the
	 * node), keys outside it reach the children too, and they can only
	 * match rules that cover the region in this field, which every child
	 * holds.  The children then keep the node's bounds of their keys
	 * (klo, khi), which the pruning in build_node goes by. */
	bool exact = c->base == rlo[d] && block_mask(c->fb) == rhi[d] - rlo[d] &&
	    klo[d] == rlo[d] && khi[d] == rhi[d];

	if ((base = t_alloc(b, nc, false)) == UINT32_MAX)
		return 0;
	start = calloc(nc + 1, sizeof(*start));
	dirty = calloc(nc, 1);
	lists = malloc((c->sum ? c->sum : 1) * sizeof(*lists));
	if (start == NULL || dirty == NULL || lists == NULL) {
		b->oom = true;
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t a, z;

		cut_range(&b->x[l[i]], c, &a, &z);
		for (uint32_t k = a; k <= z; k++)
			start[k + 1]++;
	}
	for (uint32_t k = 0; k < nc; k++)
		start[k + 1] += start[k];
	{
		uint32_t *fill = malloc(nc * sizeof(*fill));

		if (fill == NULL) {
			b->oom = true;
			goto out;
		}
		memcpy(fill, start, nc * sizeof(*fill));
		for (uint32_t i = 0; i < n; i++) {
			const struct xr *x = &b->x[l[i]];
			uint32_t a, z, bhi = c->base + block_mask(c->fb);
			uint32_t lo = x->lo[d] > c->base ? x->lo[d] : c->base;
			uint32_t hi = x->hi[d] < bhi ? x->hi[d] : bhi;

			cut_range(x, c, &a, &z);
			for (uint32_t k = a; k <= z; k++)
				lists[fill[k]++] = l[i];
			if (((lo - c->base) & lowmask) != 0)
				dirty[a] = 1;
			if (((hi - c->base) & lowmask) != lowmask)
				dirty[z] = 1;
		}
		free(fill);
	}
	/* A child shares its left neighbour's subtree when both are clean
	 * (every rule spans them whole in this field) and hold the same
	 * rules; decided before the lists are touched by the recursion. */
	for (uint32_t k = nc - 1; k > 0; k--) {
		uint32_t cn = start[k + 1] - start[k];

		dirty[k] = dirty[k] || dirty[k - 1] ||
		    cn != start[k] - start[k - 1] ||
		    memcmp(lists + start[k], lists + start[k - 1],
		    cn * sizeof(*lists)) != 0;
	}
	dirty[0] = 1;
	memcpy(clo, rlo, sizeof(clo));
	memcpy(chi, rhi, sizeof(chi));
	memcpy(cklo, klo, sizeof(cklo));
	memcpy(ckhi, khi, sizeof(ckhi));
	for (uint32_t k = 0; k < nc; k++) {
		uint32_t cn = start[k + 1] - start[k];
		uint64_t r;

		clo[d] = c->base + (uint32_t)((uint64_t)k << sh);
		chi[d] = clo[d] + (uint32_t)lowmask;
		if (exact) {
			cklo[d] = clo[d];
			ckhi[d] = chi[d];
		}
		if (!dirty[k]) {
			r = prev;
		} else {
			r = build_node(b, lists + start[k], cn, clo, chi,
			    cklo, ckhi, depth + 1);
			if (b->oom || b->over)
				goto out;
		}
		b->t[base + k] = r;
		prev = r;
	}
	b->a->ninner++;
	ret = acl_ref_inner(base, d, acl_dim_bits(d) - c->fb, 32 - c->nb);
out:
	free(start);
	free(dirty);
	free(lists);
	return ret;
}

static uint64_t
build_node(struct bld *b, uint32_t *l, uint32_t n, const uint32_t *rlo,
    const uint32_t *rhi, const uint32_t *klo, const uint32_t *khi,
    unsigned depth)
{
	struct cut c = { 0 };

	if (depth > b->a->depth_max)
		b->a->depth_max = depth;
	for (uint32_t i = 0; i < n; i++) {
		if (covers_region(&b->x[l[i]], klo, khi)) {
			n = i + 1;
			break;
		}
	}
	if (n <= 4 * b->binth) {
		uint32_t m = 0;

		for (uint32_t j = 0; j < n; j++) {
			bool red = false;

			for (uint32_t i = 0; i < m && !red; i++)
				red = covers_within(&b->x[l[i]], &b->x[l[j]],
				    klo, khi);
			if (!red)
				l[m++] = l[j];
		}
		n = m;
	}
	if (n <= b->binth)
		return make_leaf(b, l, n);
	if (b->work > b->work_budget) {
		b->over = true;
		return 0;
	}
	if (!choose_cut(b, l, n, rlo, rhi, &c)) {
		if (n <= ACL_LEAF_MAX)
			return make_leaf(b, l, n);
		if (!forced_cut(b, l, n, rlo, rhi, &c)) {
			/* Every rule covers the region but not all the keys
			 * that reach it: leave it to a later plan. */
			b->over = true;
			return 0;
		}
	}
	return build_cut(b, l, n, rlo, rhi, klo, khi, depth, &c);
}

/* --- groups ----------------------------------------------------------------- */

static void
xr_from_rule(struct xr *x, const struct acl_rule *r)
{
	x->lo[0] = r->src_lo;
	x->hi[0] = r->src_hi;
	x->lo[1] = r->dst_lo;
	x->hi[1] = r->dst_hi;
	x->lo[2] = r->sp_lo;
	x->hi[2] = r->sp_hi;
	x->lo[3] = r->dp_lo;
	x->hi[3] = r->dp_hi;
	x->lo[4] = r->pr_lo;
	x->hi[4] = r->pr_hi;
	x->lo[5] = r->tag_lo;
	x->hi[5] = r->tag_hi;
}

/* Builds one tree over l[0..n) into the builder's slots; 0 on failure (out
 * of memory or over budget, see b->oom and b->over). */
static uint64_t
build_tree(struct bld *b, uint32_t *l, uint32_t n)
{
	uint32_t rlo[ACL_DIMS], rhi[ACL_DIMS];

	for (int d = 0; d < ACL_DIMS; d++) {
		rlo[d] = 0;
		rhi[d] = acl_dim_bits(d) == 32 ? UINT32_MAX :
		    (1u << acl_dim_bits(d)) - 1;
	}
	return build_node(b, l, n, rlo, rhi, rlo, rhi, 0);
}

/* The records of all rules, in rule order, at slot 0. */
static bool
put_records(struct bld *b, uint32_t n)
{
	struct acl_rec *rec;

	if (t_alloc(b, 4 * ((size_t)n + 1), true) != 0)
		return false;
	rec = (struct acl_rec *)b->t;
	for (uint32_t i = 0; i < n; i++)
		rec_fill(&rec[i], &b->x[i]);
	/* Record n never matches: its source must be both >= ~0 and <= 0. */
	memset(&rec[n], 0, sizeof(rec[n]));
	rec[n].a[0] = INT32_MAX;
	rec[n].a[1] = INT32_MAX;
	return true;
}

/* Forgets every node and leaf (for a new attempt), keeps the records. */
static void
bld_reset(struct bld *b, uint32_t n)
{
	b->nt = 4 * ((size_t)n + 1);
	b->hn = 0;
	b->over = false;
	if (b->ht != NULL)
		memset(b->ht, 0, b->hcap * sizeof(*b->ht));
	b->a->depth_max = b->a->ninner = b->a->nleaves = 0;
	b->a->leaf_rules = b->a->leaf_max = 0;
}

/* Rule classes by which addresses are wide (a /8 or wider). */
#define WIDE_SPAN (1u << 24)

static unsigned
rule_class(const struct xr *x)
{
	return (x->hi[0] - x->lo[0] >= WIDE_SPAN ? 1 : 0) |
	    (x->hi[1] - x->lo[1] >= WIDE_SPAN ? 2 : 0);
}

/* Drops rules equal in every field to an earlier one (they never match
 * first) from l[0..n); returns the new count. */
static uint32_t
drop_duplicates(const struct xr *x, uint32_t *l, uint32_t n)
{
	size_t cap = 16;
	uint32_t *ht, out = 0;

	while (cap < 2 * (size_t)n)
		cap *= 2;
	if ((ht = malloc(cap * sizeof(*ht))) == NULL)
		return n;	/* keep them: correct, only slower */
	memset(ht, 0xFF, cap * sizeof(*ht));
	for (uint32_t i = 0; i < n; i++) {
		uint64_t h = list_hash((const uint32_t *)(const void *)&x[l[i]],
		    2 * ACL_DIMS);
		size_t j;
		bool dup = false;

		for (j = h & (cap - 1); ht[j] != UINT32_MAX; j = (j + 1) &
		    (cap - 1)) {
			if (memcmp(&x[ht[j]], &x[l[i]], sizeof(*x)) == 0) {
				dup = true;
				break;
			}
		}
		if (dup)
			continue;
		ht[j] = l[i];
		l[out++] = l[i];
	}
	free(ht);
	return out;
}

/* How the rules are split into groups: slices of one list. */
struct plan {
	uint32_t ng;
	uint32_t start[ACL_MAX_GROUPS], count[ACL_MAX_GROUPS];
};

/* One tree per group of the plan; 0, or -1 with b->oom or b->over set. */
static int
try_plan(struct bld *b, uint32_t n, uint32_t *l, const struct plan *p,
    double spfac, size_t budget)
{
	bld_reset(b, n);
	b->spfac = spfac;
	b->budget = budget;
	b->work = 0;
	b->a->ngroups = 0;
	for (uint32_t g = 0; g < p->ng; g++) {
		b->a->root[g] = build_tree(b, l + p->start[g], p->count[g]);
		b->a->group_rules[g] = p->count[g];
		if (b->oom || b->over)
			return -1;
	}
	b->a->ngroups = p->ng;
	return 0;
}

/* Reorders l[0..nu) into classes of address width, small classes folded
 * into the widest. */
static void
plan_classes(const struct xr *x, uint32_t *l, uint32_t *tmp, uint32_t nu,
    struct plan *p)
{
	uint32_t cnt[4] = { 0 }, pos[4];
	int map[4];

	for (uint32_t i = 0; i < nu; i++)
		cnt[rule_class(&x[l[i]])]++;
	for (unsigned c = 0; c < 3; c++) {
		if (cnt[c] > 0 && cnt[c] < nu / 64 + 16) {
			cnt[3] += cnt[c];
			cnt[c] = 0;
		}
	}
	p->ng = 0;
	for (unsigned c = 0; c < 4; c++) {
		map[c] = -1;
		if (cnt[c] == 0)
			continue;
		map[c] = (int)p->ng;
		p->start[p->ng] = p->ng ? p->start[p->ng - 1] +
		    p->count[p->ng - 1] : 0;
		p->count[p->ng] = cnt[c];
		pos[p->ng] = p->start[p->ng];
		p->ng++;
	}
	for (uint32_t i = 0; i < nu; i++) {
		unsigned c = rule_class(&x[l[i]]);

		if (map[c] < 0)
			c = 3;
		tmp[pos[map[c]]++] = l[i];
	}
	memcpy(l, tmp, nu * sizeof(*l));
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int forced_plan;

void
acl_test_plan(int plan)
{
	forced_plan = plan;
}

int
acl_build_trees(struct acl *a, const struct acl_rule *rules, uint32_t n)
{
	struct bld b;
	struct xr *x = NULL;
	uint32_t *l = NULL, *tmp = NULL, nu;
	struct plan one, cls;
	size_t budget;
	int rc = -1;

	memset(&b, 0, sizeof(b));
	b.a = a;
	b.binth = ACL_BINTH;
	/* About a second of choose_cut() per attempt at most. */
	b.work_budget = (uint64_t)n * 16384 + ((uint64_t)1 << 28);
	a->ngroups = 0;
	a->minshift = 0;
	while (n > 0 && ((n - 1) >> a->minshift) > 0x7FFF)
		a->minshift++;
	if (n == 0)
		return 0;
	x = malloc(n * sizeof(*x));
	l = malloc(n * sizeof(*l));
	tmp = malloc(n * sizeof(*tmp));
	b.diff = malloc(((1u << 16) + 2) * sizeof(*b.diff));
	b.mark = malloc((1u << 16) + 2);
	b.rl = malloc(n * sizeof(*b.rl));
	b.rh = malloc(n * sizeof(*b.rh));
	if (x == NULL || l == NULL || tmp == NULL || b.diff == NULL ||
	    b.mark == NULL || b.rl == NULL || b.rh == NULL)
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		xr_from_rule(&x[i], &rules[i]);
		l[i] = i;
	}
	b.x = x;
	nu = drop_duplicates(x, l, n);
	b.budget = SIZE_MAX;
	if (!put_records(&b, n))
		goto out;

	/* One tree over everything if it stays small, generous cuts first;
	 * else one tree per class of address width; the memory budget is
	 * per rule and capped. */
	one.ng = 1;
	one.start[0] = 0;
	one.count[0] = nu;
	budget = 4 * ((size_t)n + 1) + (size_t)nu * 128 + 65536;
	if (budget > ACL_BUDGET_MAX)
		budget = ACL_BUDGET_MAX;
	if (forced_plan == 0 && (try_plan(&b, n, l, &one, 8, budget) == 0 ||
	    (!b.oom && try_plan(&b, n, l, &one, 4, budget) == 0)))
		goto done;
	if (b.oom)
		goto out;
	budget = 4 * ((size_t)n + 1) + (size_t)nu * 256 + 65536;
	if (budget > ACL_BUDGET_MAX)
		budget = ACL_BUDGET_MAX;
	if (forced_plan <= 1) {
		plan_classes(x, l, tmp, nu, &cls);
		for (double sp = 8; sp >= 4; sp /= 2) {
			if (try_plan(&b, n, l, &cls, sp, budget) == 0)
				goto done;
			if (b.oom)
				goto out;
		}
		qsort(l, nu, sizeof(*l), cmp_u32);
	}

	/* Then the rules in ACL_MAX_GROUPS slices of rule order: less
	 * overlap in each. */
	if (forced_plan <= 2) {
		struct plan sl;
		uint32_t per = (nu + ACL_MAX_GROUPS - 1) / ACL_MAX_GROUPS;

		for (sl.ng = 0; sl.ng * per < nu; sl.ng++) {
			sl.start[sl.ng] = sl.ng * per;
			sl.count[sl.ng] = nu - sl.start[sl.ng] < per ?
			    nu - sl.start[sl.ng] : per;
		}
		if (try_plan(&b, n, l, &sl, 4, budget) == 0)
			goto done;
		if (b.oom)
			goto out;
	}

	/* Last: linear leaves of at most ACL_LEAF_MAX rules each. */
	if (nu > (uint64_t)ACL_MAX_GROUPS * ACL_LEAF_MAX)
		goto out;
	bld_reset(&b, n);
	b.budget = SIZE_MAX;
	a->ngroups = 0;
	for (uint32_t s = 0; s < nu; s += ACL_LEAF_MAX) {
		uint32_t c = nu - s < ACL_LEAF_MAX ? nu - s : ACL_LEAF_MAX;

		a->root[a->ngroups] = make_leaf(&b, l + s, c);
		a->group_rules[a->ngroups++] = c;
		if (b.oom)
			goto out;
	}
done:
	/* Keep exactly what is used. */
	if (b.cap > b.nt + b.nt / 16) {
		uint64_t *t = aligned_alloc(64, (b.nt + 7) / 8 * 64);

		if (t != NULL) {
			memcpy(t, b.t, b.nt * sizeof(*t));
			free(b.t);
			b.t = t;
		}
	}
	a->t = b.t;
	a->nt = b.nt;
	b.t = NULL;
	rc = 0;
out:
	free(b.t);
	free(b.ht);
	free(b.diff);
	free(b.mark);
	free(b.rl);
	free(b.rh);
	free(x);
	free(l);
	free(tmp);
	return rc;
}
