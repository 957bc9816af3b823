/*
 * check_acl — the compiled classifier against the linear reference (the
 * ClassBench loader and generator have their own suite, check_classbench.c).
 *
 * Differential: every set below is compiled, and keys drawn at random, from
 * inside rules and from rule corners (lo, hi, lo - 1, hi + 1 of each field)
 * are classified by both matchers (portable and, where the CPU has it, AVX2)
 * and by acl_linear(); any difference fails.  The real ClassBench sets are
 * used when present (CLASSBENCH_DIR, else ../shared/data/classbench).
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl.h"
#include "acl_impl.h"
#include "classbench.h"
#include "unit.h"

/* --- helpers ----------------------------------------------------------------- */

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint32_t
rnd_in(uint64_t *s, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rnd(s) % ((uint64_t)hi - lo + 1));
}

static const struct acl_rule any_rule = {
	0, UINT32_MAX, 0, UINT32_MAX, 0, 65535, 0, 65535, 0, 255, 0, 65535,
};

/* A random range of a field of the given width: a prefix, a point or an
 * arbitrary range, or the whole field. */
static void
rnd_range(uint64_t *s, unsigned bits, uint32_t *lo, uint32_t *hi)
{
	uint32_t max = bits == 32 ? UINT32_MAX : (1u << bits) - 1;
	uint32_t a = (uint32_t)rnd(s) & max, b = (uint32_t)rnd(s) & max;
	unsigned len;

	switch (rnd(s) % 5) {
	case 0:
		*lo = 0;
		*hi = max;
		break;
	case 1:
		*lo = *hi = a;
		break;
	case 2:
		len = (unsigned)(rnd(s) % (bits + 1));
		if (len == 0) {
			*lo = 0;
			*hi = max;
		} else {
			uint32_t m = (uint32_t)(((uint64_t)max << (bits - len)) &
			    max);

			*lo = a & m;
			*hi = *lo | (max & ~m);
		}
		break;
	default:
		*lo = a < b ? a : b;
		*hi = a < b ? b : a;
	}
}

static void
rnd_rule(uint64_t *s, struct acl_rule *r)
{
	uint32_t lo, hi;

	rnd_range(s, 32, &r->src_lo, &r->src_hi);
	rnd_range(s, 32, &r->dst_lo, &r->dst_hi);
	rnd_range(s, 16, &lo, &hi);
	r->sp_lo = (uint16_t)lo;
	r->sp_hi = (uint16_t)hi;
	rnd_range(s, 16, &lo, &hi);
	r->dp_lo = (uint16_t)lo;
	r->dp_hi = (uint16_t)hi;
	rnd_range(s, 8, &lo, &hi);
	r->pr_lo = (uint8_t)lo;
	r->pr_hi = (uint8_t)hi;
	rnd_range(s, 16, &lo, &hi);
	r->tag_lo = (uint16_t)lo;
	r->tag_hi = (uint16_t)hi;
}

/* One field of a corner key: lo, hi, lo - 1, hi + 1 (wrapping) or inside. */
static uint32_t
corner(uint64_t *s, uint32_t lo, uint32_t hi, uint32_t max)
{
	switch (rnd(s) % 6) {
	case 0:
		return lo;
	case 1:
		return hi;
	case 2:
		return (lo - 1) & max;
	case 3:
		return (hi + 1) & max;
	default:
		return rnd_in(s, lo, hi);
	}
}

static void
key_corner(uint64_t *s, const struct acl_rule *r, struct acl_key *k)
{
	memset(k, 0, sizeof(*k));
	k->src = corner(s, r->src_lo, r->src_hi, UINT32_MAX);
	k->dst = corner(s, r->dst_lo, r->dst_hi, UINT32_MAX);
	k->sport = (uint16_t)corner(s, r->sp_lo, r->sp_hi, 65535);
	k->dport = (uint16_t)corner(s, r->dp_lo, r->dp_hi, 65535);
	k->proto = (uint8_t)corner(s, r->pr_lo, r->pr_hi, 255);
	k->tag = (uint16_t)corner(s, r->tag_lo, r->tag_hi, 65535);
}

static void
key_random(uint64_t *s, struct acl_key *k)
{
	memset(k, 0, sizeof(*k));
	k->src = (uint32_t)rnd(s);
	k->dst = (uint32_t)rnd(s);
	k->sport = (uint16_t)rnd(s);
	k->dport = (uint16_t)rnd(s);
	k->proto = (uint8_t)rnd(s);
	k->tag = (uint16_t)rnd(s);
}

/* Keys for a set: a third uniformly random, the rest corners of random rules
 * (or of every rule, when there are few). */
static struct acl_key *
make_keys(uint64_t seed, const struct acl_rule *r, uint32_t n, size_t nk)
{
	struct acl_key *k = malloc(nk * sizeof(*k));
	uint64_t s = seed;

	ck_assert_ptr_nonnull(k);
	for (size_t i = 0; i < nk; i++) {
		if (n == 0 || i % 3 == 0)
			key_random(&s, &k[i]);
		else
			key_corner(&s, &r[n <= nk / 2 ? (uint32_t)(i % n) :
			    (uint32_t)(rnd(&s) % n)], &k[i]);
	}
	return k;
}

static void
print_rule(char *buf, size_t len, const struct acl_rule *r)
{
	snprintf(buf, len, "src %08x-%08x dst %08x-%08x sp %u-%u dp %u-%u "
	    "pr %u-%u tag %u-%u", r->src_lo, r->src_hi, r->dst_lo, r->dst_hi,
	    r->sp_lo, r->sp_hi, r->dp_lo, r->dp_hi, r->pr_lo, r->pr_hi,
	    r->tag_lo, r->tag_hi);
}

/* Compiles r[0..n), classifies k[0..nk) with each matcher in uneven batches
 * and compares with truth (computed here when NULL).  Fails on the first
 * mismatch, naming it. */
static void
diff_check(const char *what, const struct acl_rule *r, uint32_t n,
    const struct acl_key *k, size_t nk, const int32_t *truth_in)
{
	static const size_t batches[] = { ACL_BATCH, 1, 7, 63, 65, 200 };
	int32_t *truth = NULL, *out = malloc((nk ? nk : 1) * sizeof(*out));
	char err[256], rb[160];
	struct acl *a;

	ck_assert_ptr_nonnull(out);
	if (truth_in == NULL) {
		truth = malloc((nk ? nk : 1) * sizeof(*truth));
		ck_assert_ptr_nonnull(truth);
		acl_linear(r, n, k, truth, nk);
		truth_in = truth;
	}
	a = acl_build(r, n, err, sizeof(err));
	ck_assert_msg(a != NULL, "%s: acl_build: %s", what, err);
	ck_assert_uint_eq(acl_nrules(a), n);
	ck_assert_uint_gt(acl_mem(a), 0);
	for (int m = 0; m < 2; m++) {
		size_t bs = batches[m == 0 ? 0 : (size_t)n % ARRAY_LEN(batches)];

		acl_force_portable(m == 0);
		if (m == 1 && strcmp(acl_matcher(), "portable") == 0)
			break;	/* no AVX2 here: the portable run was all */
		memset(out, 0x55, (nk ? nk : 1) * sizeof(*out));
		for (size_t i = 0; i < nk; i += bs)
			acl_classify(a, k + i, out + i, nk - i < bs ? nk - i : bs);
		for (size_t i = 0; i < nk; i++) {
			if (out[i] == truth_in[i])
				continue;
			if (truth_in[i] >= 0)
				print_rule(rb, sizeof(rb), &r[truth_in[i]]);
			else
				snprintf(rb, sizeof(rb), "none");
			ck_abort_msg("%s (%u rules, %s matcher): key %zu "
			    "(src %08x dst %08x sp %u dp %u pr %u tag %u): "
			    "got %d, linear %d (%s)", what, n, acl_matcher(),
			    i, k[i].src, k[i].dst, k[i].sport, k[i].dport,
			    k[i].proto, k[i].tag, out[i], truth_in[i], rb);
		}
	}
	acl_force_portable(0);
	acl_free(a);
	free(out);
	free(truth);
}

static void
diff_set(const char *what, const struct acl_rule *r, uint32_t n, size_t nk,
    uint64_t seed)
{
	struct acl_key *k = make_keys(seed, r, n, nk);

	diff_check(what, r, n, k, nk, NULL);
	free(k);
}

/* --- adversarial sets ------------------------------------------------------- */

typedef void (*shape_fn)(uint64_t *s, struct acl_rule *r, uint32_t n);

static void
shape_wild(uint64_t *s, struct acl_rule *r, uint32_t n)
{
	(void)s;
	for (uint32_t i = 0; i < n; i++)
		r[i] = any_rule;
}

static void
shape_exact(uint64_t *s, struct acl_rule *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct acl_rule *x = &r[i];

		x->src_lo = x->src_hi = (uint32_t)rnd(s) & 0xFFFF00FF;
		x->dst_lo = x->dst_hi = (uint32_t)rnd(s) & 0xFF0000FF;
		x->sp_lo = x->sp_hi = (uint16_t)(rnd(s) % 4);
		x->dp_lo = x->dp_hi = (uint16_t)(rnd(s) % 1024);
		x->pr_lo = x->pr_hi = rnd(s) % 2 ? 6 : 17;
		x->tag_lo = x->tag_hi = (uint16_t)(rnd(s) % 3);
	}
}

static void
shape_ports(uint64_t *s, struct acl_rule *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct acl_rule *x = &r[i];
		uint32_t a = rnd_in(s, 0, 65535), b = rnd_in(s, 0, 65535);

		*x = any_rule;
		if (rnd(s) % 4 == 0) {
			x->src_lo = (uint32_t)rnd(s) & 0xFF000000;
			x->src_hi = x->src_lo | 0x00FFFFFF;
		}
		x->dp_lo = (uint16_t)(a < b ? a : b);
		x->dp_hi = (uint16_t)(a < b ? b : a);
		a = rnd_in(s, 0, 2000);
		x->sp_lo = (uint16_t)a;
		x->sp_hi = (uint16_t)(a + rnd_in(s, 0, 3000));
		if (rnd(s) % 2)
			x->pr_lo = x->pr_hi = 6;
	}
}

static void
shape_dups(uint64_t *s, struct acl_rule *r, uint32_t n)
{
	uint32_t base = n / 20 + 1;

	for (uint32_t i = 0; i < base && i < n; i++)
		rnd_rule(s, &r[i]);
	for (uint32_t i = base; i < n; i++)
		r[i] = r[rnd(s) % base];
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = (uint32_t)(rnd(s) % i);
		struct acl_rule t = r[i - 1];

		r[i - 1] = r[j];
		r[j] = t;
	}
}

static void
shape_edges(uint64_t *s, struct acl_rule *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct acl_rule *x = &r[i];
		uint64_t m = rnd(s);

		*x = any_rule;
		/* Each field: a point at 0 or at max, or a range touching one. */
		x->src_lo = x->src_hi = m & 1 ? UINT32_MAX : 0;
		if (m & 2)
			x->src_lo = 0, x->src_hi = (uint32_t)rnd(s);
		x->dst_lo = x->dst_hi = m & 4 ? UINT32_MAX : 0;
		if (m & 8)
			x->dst_lo = (uint32_t)rnd(s), x->dst_hi = UINT32_MAX;
		x->sp_lo = x->sp_hi = m & 16 ? 65535 : 0;
		x->dp_lo = x->dp_hi = m & 32 ? 65535 : 0;
		x->pr_lo = x->pr_hi = m & 64 ? 255 : 0;
		x->tag_lo = x->tag_hi = m & 128 ? 65535 : 0;
		if (m & 256)
			x->sp_lo = 0;
		if (m & 512)
			x->dp_hi = 65535;
		if (m & 1024)
			x->pr_lo = 0, x->pr_hi = 255;
		if (m & 2048)
			x->tag_lo = 0, x->tag_hi = 65535;
	}
}

/* Policy-like: narrow tags (zone pairs), host and network addresses. */
static void
shape_tags(uint64_t *s, struct acl_rule *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct acl_rule *x = &r[i];
		uint32_t zone = (uint32_t)(rnd(s) % 9);

		*x = any_rule;
		x->tag_lo = x->tag_hi = (uint16_t)zone;
		if (rnd(s) % 8 == 0)
			x->tag_lo = 0, x->tag_hi = 8;
		x->src_lo = 0x0A000000 | zone << 16 | (uint32_t)(rnd(s) % 256) << 8;
		x->src_hi = x->src_lo | (rnd(s) % 2 ? 0xFF : 0);
		x->dst_lo = 0x0A000000 | (uint32_t)(rnd(s) % 9) << 16;
		x->dst_hi = x->dst_lo | 0xFFFF;
		if (rnd(s) % 3 == 0) {
			x->dst_lo = x->dst_hi = x->dst_lo | (uint32_t)(rnd(s) %
			    65536);
		}
		x->pr_lo = x->pr_hi = rnd(s) % 2 ? 6 : 17;
		x->dp_lo = x->dp_hi = (uint16_t)(rnd(s) % 4 ? 443 :
		    rnd_in(s, 1, 9000));
	}
}

static void
shape_random(uint64_t *s, struct acl_rule *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		rnd_rule(s, &r[i]);
}

/* Prefix-nested addresses from a few roots, with wildcards mixed in. */
static void
shape_nested(uint64_t *s, struct acl_rule *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct acl_rule *x = &r[i];
		uint32_t root = (uint32_t)(rnd(s) % 4) << 30;
		unsigned len = (unsigned)(rnd(s) % 33);

		*x = any_rule;
		if (len > 0) {
			uint32_t m = UINT32_MAX << (32 - len);

			x->src_lo = (root | ((uint32_t)rnd(s) & 0x3FFFFFFF)) & m;
			x->src_hi = x->src_lo | ~m;
		}
		len = (unsigned)(rnd(s) % 33);
		if (len > 0 && rnd(s) % 3) {
			uint32_t m = UINT32_MAX << (32 - len);

			x->dst_lo = (root | ((uint32_t)rnd(s) & 0x3FFFFFFF)) & m;
			x->dst_hi = x->dst_lo | ~m;
		}
		if (rnd(s) % 2)
			x->dp_lo = x->dp_hi = (uint16_t)(rnd(s) % 16);
	}
}

static const struct {
	const char *name;
	shape_fn fn;
	uint32_t n;
	size_t nk;
} shapes[] = {
	{ "all wildcards", shape_wild, 1000, 2000 },
	{ "all exact", shape_exact, 5000, 20000 },
	{ "overlapping port ranges", shape_ports, 3000, 20000 },
	{ "duplicate filters", shape_dups, 2000, 10000 },
	{ "single rule", shape_random, 1, 500 },
	{ "two rules", shape_random, 2, 500 },
	{ "points at 0 and max", shape_edges, 400, 10000 },
	{ "narrow tags", shape_tags, 3000, 20000 },
	{ "random ranges", shape_random, 2000, 20000 },
	{ "nested prefixes", shape_nested, 4000, 20000 },
	{ "few random ranges", shape_random, 37, 4000 },
};

START_TEST(test_shapes)
{
	uint64_t s = 0xACE1u + (uint64_t)_i * 7919;
	uint32_t n = shapes[_i].n;
	struct acl_rule *r = malloc((n ? n : 1) * sizeof(*r));

	ck_assert_ptr_nonnull(r);
	shapes[_i].fn(&s, r, n);
	diff_set(shapes[_i].name, r, n, shapes[_i].nk, s);
	free(r);
}
END_TEST

/* Sets of random shape and size, many seeds. */
START_TEST(test_random_sets)
{
	for (int it = 0; it < 40; it++) {
		uint64_t s = 1000 + (uint64_t)it;
		uint32_t n = (uint32_t)(rnd(&s) % 300);
		struct acl_rule *r = malloc((n ? n : 1) * sizeof(*r));
		char what[64];

		ck_assert_ptr_nonnull(r);
		shapes[rnd(&s) % ARRAY_LEN(shapes)].fn(&s, r, n);
		/* Salt with wildcards and random rules anywhere. */
		for (uint32_t i = 0; i < n; i++) {
			if (rnd(&s) % 50 == 0)
				r[i] = any_rule;
			else if (rnd(&s) % 10 == 0)
				rnd_rule(&s, &r[i]);
		}
		snprintf(what, sizeof(what), "random set %d", it);
		diff_set(what, r, n, 1500, s);
		free(r);
	}
}
END_TEST

START_TEST(test_empty)
{
	struct acl_key k[70];
	int32_t out[70];
	char err[128];
	struct acl *a = acl_build(NULL, 0, err, sizeof(err));
	uint64_t s = 3;

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(acl_nrules(a), 0);
	for (size_t i = 0; i < ARRAY_LEN(k); i++)
		key_random(&s, &k[i]);
	for (int m = 0; m < 2; m++) {
		acl_force_portable(m);
		memset(out, 0, sizeof(out));
		acl_classify(a, k, out, ARRAY_LEN(k));
		for (size_t i = 0; i < ARRAY_LEN(k); i++)
			ck_assert_int_eq(out[i], -1);
	}
	acl_force_portable(0);
	acl_classify(a, k, out, 0);
	acl_free(a);
	acl_free(NULL);
	ck_assert_int_eq(acl_linear_one(NULL, 0, &k[0]), -1);
}
END_TEST

START_TEST(test_bad_rule)
{
	struct acl_rule r[3] = { any_rule, any_rule, any_rule };
	char err[128] = "";

	r[2].dp_lo = 80;
	r[2].dp_hi = 79;
	ck_assert_ptr_null(acl_build(r, 3, err, sizeof(err)));
	ck_assert_msg(strstr(err, "rule 2") != NULL, "err: %s", err);
	r[2] = any_rule;
	r[1].tag_lo = 2;
	r[1].tag_hi = 1;
	ck_assert_ptr_null(acl_build(r, 3, err, sizeof(err)));
	ck_assert_msg(strstr(err, "rule 1") != NULL, "err: %s", err);
}
END_TEST

/* A hand-made table: first match wins, every field matters. */
START_TEST(test_first_match)
{
	static const struct acl_rule r[] = {
		/* 0: 10.0.0.1 -> 10.0.1.0/24 tcp 443, tag 3 */
		{ 0x0A000001, 0x0A000001, 0x0A000100, 0x0A0001FF, 0, 65535,
		  443, 443, 6, 6, 3, 3 },
		/* 1: 10.0.0.0/8 -> any udp 53 */
		{ 0x0A000000, 0x0AFFFFFF, 0, UINT32_MAX, 0, 65535, 53, 53,
		  17, 17, 0, 65535 },
		/* 2: any -> any sport 1024-65535 tcp */
		{ 0, UINT32_MAX, 0, UINT32_MAX, 1024, 65535, 0, 65535, 6, 6,
		  0, 65535 },
		/* 3: any, tag 0..1 */
		{ 0, UINT32_MAX, 0, UINT32_MAX, 0, 65535, 0, 65535, 0, 255,
		  0, 1 },
	};
	static const struct {
		struct acl_key k;
		int32_t want;
	} t[] = {
		{ { 0x0A000001, 0x0A000105, 40000, 443, 6, 0, 3 }, 0 },
		{ { 0x0A000001, 0x0A000105, 40000, 443, 6, 0, 4 }, 2 },
		{ { 0x0A000001, 0x0A000205, 40000, 443, 6, 0, 3 }, 2 },
		{ { 0x0A000001, 0x0A000105, 400, 443, 6, 0, 3 }, 0 },
		{ { 0x0A000002, 0x0A000105, 400, 443, 6, 0, 3 }, -1 },
		{ { 0x0A000002, 0x0A000105, 400, 443, 6, 0, 1 }, 3 },
		{ { 0x0A7F0002, 0x08080808, 5353, 53, 17, 0, 9 }, 1 },
		{ { 0x0B7F0002, 0x08080808, 5353, 53, 17, 0, 9 }, -1 },
		{ { 0x0B7F0002, 0x08080808, 5353, 53, 17, 0, 0 }, 3 },
		{ { 0, 0, 0, 0, 0, 0, 0 }, 3 },
		{ { UINT32_MAX, UINT32_MAX, 65535, 65535, 6, 0, 65535 }, 2 },
	};
	struct acl_key k[ARRAY_LEN(t)];
	int32_t want[ARRAY_LEN(t)];

	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		k[i] = t[i].k;
		want[i] = t[i].want;
		ck_assert_int_eq(acl_linear_one(r, ARRAY_LEN(r), &k[i]),
		    want[i]);
	}
	diff_check("first match table", r, ARRAY_LEN(r), k, ARRAY_LEN(k),
	    want);
}
END_TEST

/* Generated ClassBench-like sets of each style, sizes up to 10K (which also
 * drives the builder to split the rules into several trees). */
START_TEST(test_generated)
{
	static const uint32_t sizes[] = { 100, 1000, 10000 };
	enum classbench_style st = (enum classbench_style)(_i / 3);
	uint32_t n = sizes[_i % 3];
	size_t nk = n < 1000 ? 4000 : 12000;
	struct acl_rule *r = malloc(n * sizeof(*r));
	struct acl_key *k = malloc(nk * sizeof(*k));
	int32_t *filt = malloc(nk * sizeof(*filt));
	struct acl_key *k2;
	char what[64];

	ck_assert(r != NULL && k != NULL && filt != NULL);
	classbench_gen_rules(77 + (uint64_t)_i, st, r, n);
	classbench_gen_trace(99 + (uint64_t)_i, r, n, k, filt, nk);
	snprintf(what, sizeof(what), "generated style %d, %u rules", st, n);
	diff_check(what, r, n, k, nk, NULL);
	k2 = make_keys(5 + (uint64_t)_i, r, n, nk);
	diff_check(what, r, n, k2, nk, NULL);
	/* A key from filter j matches j, so the first match is at most j. */
	for (size_t i = 0; i < nk; i++)
		if (filt[i] >= 0)
			ck_assert_int_le(acl_linear_one(r, n, &k[i]), filt[i]);
	free(k2);
	free(r);
	free(k);
	free(filt);
}
END_TEST

/* The builder partitions when one tree would grow too big: check the
 * partitioned form on a set that forces it. */
START_TEST(test_partitioned)
{
	uint32_t n = 6000;
	struct acl_rule *r = malloc(n * sizeof(*r));
	char err[128];
	struct acl *a;
	uint64_t s = 4242;

	ck_assert_ptr_nonnull(r);
	/* Wide sources with narrow destinations and the reverse, crossing. */
	for (uint32_t i = 0; i < n; i++) {
		struct acl_rule *x = &r[i];

		*x = any_rule;
		if (i % 2) {
			x->src_lo = x->src_hi = (uint32_t)rnd(&s);
		} else {
			x->dst_lo = x->dst_hi = (uint32_t)rnd(&s);
		}
		if (i % 3 == 0) {
			x->dp_lo = (uint16_t)rnd_in(&s, 0, 1000);
			x->dp_hi = (uint16_t)(x->dp_lo + rnd_in(&s, 0, 60000));
		}
	}
	a = acl_build(r, n, err, sizeof(err));
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_gt(a->ngroups, 1);
	acl_free(a);
	diff_set("partitioned", r, n, 20000, s);
	free(r);
}
END_TEST

/* The builder's later plans, forced, on sets of several shapes. */
START_TEST(test_plans)
{
	static const char *const names[] = { "", "classes", "slices",
	    "linear" };
	int plan = 1 + _i % 3;
	uint32_t n = 2500;
	struct acl_rule *r = malloc(n * sizeof(*r));
	char what[64], err[128];
	struct acl *a;
	uint64_t s = 99 + (uint64_t)_i;

	ck_assert_ptr_nonnull(r);
	if (_i < 2)
		classbench_gen_rules(s, CLASSBENCH_FW, r, n);
	else
		shapes[_i % ARRAY_LEN(shapes)].fn(&s, r, n);
	acl_test_plan(plan);
	a = acl_build(r, n, err, sizeof(err));
	ck_assert_ptr_nonnull(a);
	if (plan == 3)
		ck_assert_uint_eq(a->nleaves + a->ninner, a->ngroups);
	if (plan == 2)
		ck_assert_uint_eq(a->ngroups, ACL_MAX_GROUPS);
	acl_free(a);
	snprintf(what, sizeof(what), "plan %s, set %d", names[plan], _i);
	diff_set(what, r, n, 8000, s);
	acl_test_plan(0);
	free(r);
}
END_TEST

/* A large set builds (100K rules); spot-check it. */
START_TEST(test_large)
{
	uint32_t n = 100000;
	struct acl_rule *r = malloc(n * sizeof(*r));

	ck_assert_ptr_nonnull(r);
	classbench_gen_rules(31337, CLASSBENCH_ACL, r, n);
	diff_set("100K generated acl", r, n, 3000, 17);
	free(r);
}
END_TEST

/* --- gateway-shaped sets -------------------------------------------------- */

/*
 * What classify.c makes of a policy: one rule per flow and service port
 * range, in flow order; addresses are hosts (/32, or for IPv6 the number of
 * the host's elementary interval) or a zone endpoint (every address: 0/0,
 * for IPv6 the interval numbers 0..last); the protocol exact; the
 * destination port exact, a range or any; the source port any; the tag the
 * zone pair in * nzones + out, exact.  Most flows run from many hosts of
 * one zone to one or a few hosts of another on a handful of ports (the
 * engine once kept such sources together in leaves of thousands of rules).
 */
struct gw_shape {
	const char *name;
	uint32_t n;		/* rules */
	uint32_t nzones;
	uint32_t srcs, dsts;	/* hosts of the bulk flows */
	unsigned spread;	/* bits the hosts of a zone scatter over */
	unsigned wild;		/* percent of flows with a zone endpoint */
	unsigned ranges;	/* percent of flows with other services */
	bool v6;		/* interval numbers for addresses */
	bool tight;		/* every leaf must be small */
};

static const struct gw_shape gw_shapes[] = {
	{ "hosts to one host", 8000, 4, 2000, 1, 11, 0, 0, false, true },
	{ "hosts to ten hosts", 20000, 4, 2000, 10, 11, 0, 0, false, true },
	{ "scattered hosts", 10000, 6, 3000, 40, 20, 0, 0, false, true },
	{ "zone endpoints and ranges", 10000, 6, 1500, 30, 20, 15, 15, false,
	  false },
	{ "IPv6 interval numbers", 6000, 4, 1000, 5, 0, 10, 10, true, false },
	{ "many zone pairs", 6000, 40, 500, 50, 16, 10, 5, false, false },
	{ "small policy", 300, 3, 40, 3, 11, 10, 10, false, false },
};

/* Address of host i of zone z. */
static uint32_t
gw_host(const struct gw_shape *g, uint32_t z, uint32_t i)
{
	uint32_t off;

	if (g->v6)	/* a host is one interval; the gaps are others */
		return 1 + 2 * (z * (g->srcs + g->dsts + 64) + i);
	off = g->spread > 11 ? (i * 0x9E3779B1u) & ((1u << g->spread) - 1) : i;
	return ((10u + z / 16) << 24 | (z % 16) << 20) + 1 + off;
}

/* The highest address value of the set (0/0 runs to it). */
static uint32_t
gw_top(const struct gw_shape *g)
{
	return g->v6 ? 2 * g->nzones * (g->srcs + g->dsts + 64) + 2 :
	    UINT32_MAX;
}

static uint32_t
gw_rules(uint64_t *s, const struct gw_shape *g, struct acl_rule *r)
{
	static const uint16_t bulk[] = { 443, 8443, 22, 5432 };
	uint32_t n = 0;

	for (uint32_t f = 0; n < g->n; f++) {
		struct acl_rule x = any_rule;
		uint32_t zi = 1 % g->nzones, zo = 2 % g->nzones;
		uint32_t kind = (uint32_t)(rnd(s) % 10);
		uint64_t w = rnd(s) % 100;

		x.src_hi = x.dst_hi = gw_top(g);
		x.pr_lo = x.pr_hi = 6;
		if (kind < 8) {		/* bulk: many hosts to a few */
			x.src_lo = gw_host(g, zi, f % g->srcs);
			x.dst_lo = gw_host(g, zo, g->srcs + (f / g->srcs) %
			    g->dsts);
			x.dp_lo = bulk[f / (g->srcs * g->dsts) % 4];
		} else {		/* other zone pairs, fewer hosts */
			zi = (uint32_t)(rnd(s) % g->nzones);
			zo = (uint32_t)(rnd(s) % g->nzones);
			x.src_lo = gw_host(g, zi, (uint32_t)(rnd(s) % 97));
			x.dst_lo = gw_host(g, zo, g->srcs + (uint32_t)(rnd(s) %
			    7));
			x.dp_lo = kind == 8 ? 25 : 443;
		}
		x.src_hi = x.src_lo;
		x.dst_hi = x.dst_lo;
		x.dp_hi = x.dp_lo;
		if (w < g->wild / 2) {
			x.src_lo = 0;
			x.src_hi = gw_top(g);
		} else if (w < g->wild) {
			x.dst_lo = 0;
			x.dst_hi = gw_top(g);
		}
		x.tag_lo = x.tag_hi = (uint16_t)(zi * g->nzones + zo);
		if (rnd(s) % 100 < g->ranges) {
			/* A service of several ranges: one rule each. */
			static const struct { uint8_t pr; uint16_t lo, hi; }
			    sv[] = { { 6, 1024, 65535 }, { 17, 53, 53 },
			    { 6, 8000, 8099 }, { 1, 8, 8 }, { 1, 0, 65535 },
			    { 0, 0, 65535 }, { 17, 0, 65535 } };
			uint32_t k = (uint32_t)(rnd(s) % ARRAY_LEN(sv));

			for (uint32_t j = 0; j < 2 && n < g->n; j++) {
				uint32_t t = (k + j * 3) % ARRAY_LEN(sv);

				x.pr_lo = x.pr_hi = sv[t].pr;
				if (sv[t].pr == 0)
					x.pr_hi = 255;
				x.dp_lo = sv[t].lo;
				x.dp_hi = sv[t].hi;
				r[n++] = x;
			}
			continue;
		}
		r[n++] = x;
	}
	return n;
}

/* Keys as a gateway sees them: packets of the flows, of the flows with
 * another zone pair, port or protocol, crossings of two flows' endpoints,
 * neighbours of hosts and addresses outside the hosts' networks that share
 * their low bits, and noise. */
static void
gw_keys(uint64_t *s, const struct gw_shape *g, const struct acl_rule *r,
    uint32_t n, struct acl_key *k, size_t nk)
{
	for (size_t i = 0; i < nk; i++) {
		const struct acl_rule *a = &r[rnd(s) % n], *b = &r[rnd(s) % n];
		struct acl_key *x = &k[i];
		uint32_t kind = (uint32_t)(rnd(s) % 20);

		memset(x, 0, sizeof(*x));
		x->src = rnd_in(s, a->src_lo, a->src_hi);
		x->dst = rnd_in(s, a->dst_lo, a->dst_hi);
		x->sport = (uint16_t)rnd(s);
		x->dport = (uint16_t)rnd_in(s, a->dp_lo, a->dp_hi);
		x->proto = (uint8_t)rnd_in(s, a->pr_lo, a->pr_hi);
		x->tag = a->tag_lo;
		switch (kind) {
		case 0:
		case 1:
			x->tag = (uint16_t)(rnd(s) % (g->nzones * g->nzones));
			break;
		case 2:
		case 3:
			x->dst = rnd_in(s, b->dst_lo, b->dst_hi);
			x->tag = rnd(s) % 2 ? a->tag_lo : b->tag_lo;
			break;
		case 4:
			x->src += rnd(s) % 2 ? 1 : UINT32_MAX;
			break;
		case 5:
			x->dst += rnd(s) % 2 ? 1 : UINT32_MAX;
			break;
		case 6:		/* same low bits, another network */
			x->src ^= 1u << rnd_in(s, 11, g->v6 ? 20 : 31);
			break;
		case 7:
			x->dst ^= 1u << rnd_in(s, 11, g->v6 ? 20 : 31);
			break;
		case 8:
			x->dport = (uint16_t)(x->dport + (rnd(s) % 2 ? 1 :
			    65535));
			break;
		case 9:
			x->proto = (uint8_t)(rnd(s) % 3 ? 17 : rnd(s));
			break;
		case 10:
			key_random(s, x);
			if (g->v6) {
				x->src %= gw_top(g) + 1;
				x->dst %= gw_top(g) + 1;
			}
			x->tag = (uint16_t)(x->tag % (g->nzones * g->nzones));
			break;
		default:
			break;
		}
	}
}

START_TEST(test_gateway)
{
	const struct gw_shape *g = &gw_shapes[_i];
	struct acl_rule *r = malloc(g->n * sizeof(*r));
	size_t nk = 16000;
	struct acl_key *k = malloc(nk * sizeof(*k));
	uint64_t s = 0x6A7E + (uint64_t)_i;
	char what[96], err[128];
	struct acl *a;
	uint32_t n;

	ck_assert(r != NULL && k != NULL);
	n = gw_rules(&s, g, r);
	gw_keys(&s, g, r, n, k, nk);
	snprintf(what, sizeof(what), "gateway: %s", g->name);
	diff_check(what, r, n, k, nk, NULL);
	/* The shape of the tree: no long linear leaves. */
	a = acl_build(r, n, err, sizeof(err));
	ck_assert_ptr_nonnull(a);
	if (g->tight) {
		ck_assert_msg(a->leaf_max <= ACL_BINTH && a->ngroups == 1,
		    "%s: %u groups, a leaf of %u rules", what, a->ngroups,
		    a->leaf_max);
		ck_assert_uint_le(a->depth_max, 6);
	} else {
		ck_assert_msg(a->leaf_max <= 4 * ACL_BINTH,
		    "%s: a leaf of %u rules", what, a->leaf_max);
	}
	acl_free(a);
	free(r);
	free(k);
}
END_TEST

/* --- the real ClassBench sets --------------------------------------------- */

static const char *
cb_dir(void)
{
	static char buf[PATH_MAX];
	const char *d = getenv("CLASSBENCH_DIR");

	if (d != NULL && *d != '\0')
		return access(d, R_OK) == 0 ? d : NULL;
	snprintf(buf, sizeof(buf), "../shared/data/classbench");
	return access(buf, R_OK) == 0 ? buf : NULL;
}

START_TEST(test_classbench_real)
{
	static const char *const sets[] = { "acl1", "fw1", "ipc1" };
	const char *dir = cb_dir();
	char rp[PATH_MAX + 32], tp[PATH_MAX + 32], err[512];
	struct acl_rule *r;
	struct acl_key *k, *ks;
	int32_t *filt, *truth;
	uint32_t n;
	size_t nk, ns = 0;

	if (dir == NULL) {
		fprintf(stderr, "check_acl: note: no ClassBench data (set "
		    "CLASSBENCH_DIR or provide ../shared/data/classbench); "
		    "the real sets are skipped, the generated ones ran\n");
		return;
	}
	snprintf(rp, sizeof(rp), "%s/%s_10K", dir, sets[_i]);
	snprintf(tp, sizeof(tp), "%s/%s_10K_trace", dir, sets[_i]);
	if (access(rp, R_OK) != 0 || access(tp, R_OK) != 0) {
		fprintf(stderr, "check_acl: note: %s not in %s; skipped\n",
		    sets[_i], dir);
		return;
	}
	ck_assert_msg(classbench_load_rules(rp, &r, &n, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_msg(classbench_load_trace(tp, &k, &filt, &nk, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_uint_gt(n, 9000);
	ck_assert_uint_gt(nk, 90000);
	/* Every 7th packet (the benchmark runs them all). */
	ks = malloc((nk / 7 + 1) * sizeof(*ks));
	truth = malloc((nk / 7 + 1) * sizeof(*truth));
	ck_assert(ks != NULL && truth != NULL);
	for (size_t i = 0; i < nk; i += 7) {
		ks[ns] = k[i];
		truth[ns] = acl_linear_one(r, n, &k[i]);
		ck_assert_int_ge(truth[ns], 0);
		ck_assert_int_le(truth[ns], filt[i]);
		ns++;
	}
	diff_check(sets[_i], r, n, ks, ns, truth);
	free(ks);
	free(truth);
	free(r);
	free(k);
	free(filt);
}
END_TEST

UNIT_SUITE(acl_suite)

static Suite *
acl_suite(void)
{
	Suite *s = suite_create("acl");
	TCase *tc = tcase_create("classifier");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_bad_rule);
	tcase_add_test(tc, test_first_match);
	tcase_add_loop_test(tc, test_shapes, 0, ARRAY_LEN(shapes));
	tcase_add_test(tc, test_random_sets);
	tcase_add_loop_test(tc, test_generated, 0, 9);
	tcase_add_test(tc, test_partitioned);
	tcase_add_loop_test(tc, test_plans, 0, 9);
	tcase_add_test(tc, test_large);
	tcase_add_loop_test(tc, test_gateway, 0, ARRAY_LEN(gw_shapes));
	tcase_add_loop_test(tc, test_classbench_real, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}
