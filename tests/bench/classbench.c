/*
 * classbench — the classifier on a ClassBench filter set and trace, against
 * the linear reference and (built with -DHAVE_DPDK) DPDK rte_acl, in the same
 * process, single core, batches of ACL_BATCH.
 *
 *   classbench RULES TRACE [--repeat N] [--dump]
 *
 * Prints
 *   zoned mpps=X build_ms=Y mem_kb=Z mismatches=N
 *   linear mpps=X sample=S speedup=X
 *   rte_acl mpps=X alg=avx2 build_ms=Y mismatches=N
 *   ratio=X
 *   rte_acl_best mpps=X alg=NAME mismatches=N ratio=X
 *   rte_acl_algs NAME=X ...
 * mpps is the median of N runs over the whole trace (N = 11 by default); the
 * contenders take turns round by round, so that a disturbance of the machine
 * hits them alike, and each is timed on its second pass over the trace in a
 * round, with the caches warm from its first (the steady state of a
 * classifier that runs all the time).  mismatches are counted against the linear reference over
 * the whole trace (the worst run); the linear reference is timed on a sample
 * spread over the trace.
 * --dump prints, per packet, the 0-based index of the first matching filter
 * or -1, and nothing else.  Exit status 1 when any mismatch was seen.
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl.h"
#include "acl_impl.h"
#include "classbench.h"

#ifdef HAVE_DPDK
#include <arpa/inet.h>
#include <rte_acl.h>
#include <rte_eal.h>
#include <rte_vect.h>
#endif

#define MAX_REPEAT 101
#define LINEAR_SAMPLE 4096

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static size_t
count_mismatches(const int32_t *a, const int32_t *b, size_t n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		m += a[i] != b[i];
	return m;
}

struct contender {
	const char *name;
	int alg;			/* rte_acl algorithm; 0 for zoned */
	double t[MAX_REPEAT];
	double mpps;
	size_t mism;
};

static void
usage(void)
{
	fprintf(stderr, "usage: classbench RULES TRACE [--repeat N] [--dump]\n");
	exit(2);
}

static void
zoned_run(const struct acl *acl, const struct acl_key *keys, int32_t *out,
    size_t n)
{
	for (size_t i = 0; i < n; i += ACL_BATCH)
		acl_classify(acl, keys + i, out + i,
		    n - i < ACL_BATCH ? n - i : ACL_BATCH);
}

#ifdef HAVE_DPDK
struct dpdk_tuple {
	uint8_t proto;
	uint32_t src;
	uint32_t dst;
	uint16_t sport;
	uint16_t dport;
};

enum { F_PROTO, F_SRC, F_DST, F_SPORT, F_DPORT, F_NUM };

RTE_ACL_RULE_DEF(dpdk_rule, F_NUM);

static int
prefix_len(uint32_t lo, uint32_t hi)
{
	uint32_t span = hi - lo;

	if ((span & (span + 1)) != 0 || (lo & span) != 0)
		return -1;
	return span == UINT32_MAX ? 0 : 32 - __builtin_popcount(span);
}

static const struct {
	enum rte_acl_classify_alg alg;
	const char *name;
} dpdk_algs[] = {
	{ RTE_ACL_CLASSIFY_SCALAR, "scalar" },
	{ RTE_ACL_CLASSIFY_SSE, "sse" },
	{ RTE_ACL_CLASSIFY_AVX2, "avx2" },
	{ RTE_ACL_CLASSIFY_AVX512X16, "avx512x16" },
	{ RTE_ACL_CLASSIFY_AVX512X32, "avx512x32" },
};

static int
dpdk_init(void)
{
	static char *argv[] = {
		"classbench", "--no-huge", "--no-shconf", "-m", "64",
		"--no-pci", "-l", "0", "--no-telemetry",
		"--log-level=lib.eal:error", NULL,
	};

	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1,
	    argv) < 0) {
		fprintf(stderr, "classbench: rte_eal_init failed\n");
		return -1;
	}
	/* Let rte_acl use its AVX-512 algorithms where the CPU has them. */
	rte_vect_set_max_simd_bitwidth(RTE_VECT_SIMD_512);
	return 0;
}

static struct rte_acl_ctx *
dpdk_build(const struct acl_rule *r, uint32_t n, double *build_ms)
{
	struct rte_acl_param prm = {
		.name = "classbench",
		.socket_id = SOCKET_ID_ANY,
		.rule_size = RTE_ACL_RULE_SZ(F_NUM),
		.max_rule_num = n ? n : 1,
	};
	struct rte_acl_config cfg;
	struct rte_acl_ctx *ctx;
	struct dpdk_rule *dr;
	bool mask = true;
	double t0;

	for (uint32_t i = 0; i < n; i++) {
		if (r[i].tag_lo != 0 || r[i].tag_hi != UINT16_MAX ||
		    !(r[i].pr_lo == r[i].pr_hi ||
		    (r[i].pr_lo == 0 && r[i].pr_hi == 0xFF))) {
			fprintf(stderr, "classbench: rule %u has no rte_acl "
			    "form (tag or protocol range); rte_acl skipped\n",
			    i);
			return NULL;
		}
		if (prefix_len(r[i].src_lo, r[i].src_hi) < 0 ||
		    prefix_len(r[i].dst_lo, r[i].dst_hi) < 0)
			mask = false;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.num_categories = 1;
	cfg.num_fields = F_NUM;
	cfg.defs[F_PROTO] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
		.field_index = F_PROTO, .input_index = 0,
		.offset = offsetof(struct dpdk_tuple, proto) };
	cfg.defs[F_SRC] = (struct rte_acl_field_def){
		.type = mask ? RTE_ACL_FIELD_TYPE_MASK : RTE_ACL_FIELD_TYPE_RANGE,
		.size = 4, .field_index = F_SRC, .input_index = 1,
		.offset = offsetof(struct dpdk_tuple, src) };
	cfg.defs[F_DST] = (struct rte_acl_field_def){
		.type = mask ? RTE_ACL_FIELD_TYPE_MASK : RTE_ACL_FIELD_TYPE_RANGE,
		.size = 4, .field_index = F_DST, .input_index = 2,
		.offset = offsetof(struct dpdk_tuple, dst) };
	cfg.defs[F_SPORT] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F_SPORT, .input_index = 3,
		.offset = offsetof(struct dpdk_tuple, sport) };
	cfg.defs[F_DPORT] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F_DPORT, .input_index = 3,
		.offset = offsetof(struct dpdk_tuple, dport) };

	if ((dr = calloc(n ? n : 1, sizeof(*dr))) == NULL)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		dr[i].data.category_mask = 1;
		dr[i].data.priority = (int32_t)(n - i);
		dr[i].data.userdata = i + 1;
		dr[i].field[F_PROTO].value.u8 = r[i].pr_lo;
		dr[i].field[F_PROTO].mask_range.u8 =
		    r[i].pr_lo == r[i].pr_hi ? 0xFF : 0;
		if (mask) {
			dr[i].field[F_SRC].value.u32 = r[i].src_lo;
			dr[i].field[F_SRC].mask_range.u32 =
			    (uint32_t)prefix_len(r[i].src_lo, r[i].src_hi);
			dr[i].field[F_DST].value.u32 = r[i].dst_lo;
			dr[i].field[F_DST].mask_range.u32 =
			    (uint32_t)prefix_len(r[i].dst_lo, r[i].dst_hi);
		} else {
			dr[i].field[F_SRC].value.u32 = r[i].src_lo;
			dr[i].field[F_SRC].mask_range.u32 = r[i].src_hi;
			dr[i].field[F_DST].value.u32 = r[i].dst_lo;
			dr[i].field[F_DST].mask_range.u32 = r[i].dst_hi;
		}
		dr[i].field[F_SPORT].value.u16 = r[i].sp_lo;
		dr[i].field[F_SPORT].mask_range.u16 = r[i].sp_hi;
		dr[i].field[F_DPORT].value.u16 = r[i].dp_lo;
		dr[i].field[F_DPORT].mask_range.u16 = r[i].dp_hi;
	}
	t0 = now_s();
	if ((ctx = rte_acl_create(&prm)) == NULL) {
		fprintf(stderr, "classbench: rte_acl_create failed\n");
		free(dr);
		return NULL;
	}
	if ((n > 0 && rte_acl_add_rules(ctx, (struct rte_acl_rule *)dr, n) !=
	    0) || rte_acl_build(ctx, &cfg) != 0) {
		fprintf(stderr, "classbench: rte_acl build failed\n");
		rte_acl_free(ctx);
		free(dr);
		return NULL;
	}
	*build_ms = (now_s() - t0) * 1e3;
	free(dr);
	return ctx;
}

static void
dpdk_run(const struct rte_acl_ctx *ctx, enum rte_acl_classify_alg alg,
    const uint8_t **data, uint32_t *res, int32_t *out, size_t n)
{
	for (size_t i = 0; i < n; i += ACL_BATCH)
		rte_acl_classify_alg(ctx, data + i, res + i,
		    (uint32_t)(n - i < ACL_BATCH ? n - i : ACL_BATCH), 1, alg);
	for (size_t i = 0; i < n; i++)
		out[i] = (int32_t)res[i] - 1;
}

struct dpdk {
	struct rte_acl_ctx *ctx;
	struct dpdk_tuple *tup;
	const uint8_t **data;
	uint32_t *res;
	double build_ms;
};

static int
dpdk_setup(struct dpdk *d, const struct acl_rule *rules, uint32_t nr,
    const struct acl_key *keys, size_t nk)
{
	memset(d, 0, sizeof(*d));
	if (dpdk_init() != 0)
		return -1;
	if ((d->ctx = dpdk_build(rules, nr, &d->build_ms)) == NULL)
		return -1;
	d->tup = calloc(nk ? nk : 1, sizeof(*d->tup));
	d->data = calloc(nk ? nk : 1, sizeof(*d->data));
	d->res = calloc(nk ? nk : 1, sizeof(*d->res));
	if (d->tup == NULL || d->data == NULL || d->res == NULL) {
		fprintf(stderr, "classbench: out of memory\n");
		return -1;
	}
	for (size_t i = 0; i < nk; i++) {
		d->tup[i].proto = keys[i].proto;
		d->tup[i].src = htonl(keys[i].src);
		d->tup[i].dst = htonl(keys[i].dst);
		d->tup[i].sport = htons(keys[i].sport);
		d->tup[i].dport = htons(keys[i].dport);
		d->data[i] = (const uint8_t *)&d->tup[i];
	}
	return 0;
}

static void
dpdk_teardown(struct dpdk *d)
{
	rte_acl_free(d->ctx);
	free(d->tup);
	free(d->data);
	free(d->res);
	rte_eal_cleanup();
}
#endif

int
main(int argc, char **argv)
{
	const char *rpath = NULL, *tpath = NULL;
	struct acl_rule *rules;
	struct acl_key *keys;
	int32_t *filt, *truth, *out;
	uint32_t nr;
	size_t nk, mism, mism_total = 0;
	int repeat = 11, nbuild, ncont;
	bool dump = false;
	double t[MAX_REPEAT], build_ms, mpps, lin_mpps;
	struct contender cont[8];
#ifdef HAVE_DPDK
	struct dpdk dp;
	bool have_dpdk = false;
#endif
	struct acl *acl = NULL;
	char err[512];
	cpu_set_t cpus;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dump") == 0) {
			dump = true;
		} else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);

			if (*end != '\0' || v < 1 || v > MAX_REPEAT)
				usage();
			repeat = (int)v;
		} else if (argv[i][0] == '-') {
			usage();
		} else if (rpath == NULL) {
			rpath = argv[i];
		} else if (tpath == NULL) {
			tpath = argv[i];
		} else {
			usage();
		}
	}
	if (tpath == NULL)
		usage();
	if (classbench_load_rules(rpath, &rules, &nr, err, sizeof(err)) != 0 ||
	    classbench_load_trace(tpath, &keys, &filt, &nk, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "classbench: %s\n", err);
		return 2;
	}
	/* One core, the same for every contender. */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	(void)sched_setaffinity(0, sizeof(cpus), &cpus);

	truth = malloc((nk ? nk : 1) * sizeof(*truth));
	out = malloc((nk ? nk : 1) * sizeof(*out));
	if (truth == NULL || out == NULL) {
		fprintf(stderr, "classbench: out of memory\n");
		return 2;
	}
	acl_linear(rules, nr, keys, truth, nk);

	/* Build: the median of up to three builds. */
	nbuild = dump ? 1 : 3;
	for (int b = 0; b < nbuild; b++) {
		double t0 = now_s();

		acl_free(acl);
		if ((acl = acl_build(rules, nr, err, sizeof(err))) == NULL) {
			fprintf(stderr, "classbench: acl_build: %s\n", err);
			return 2;
		}
		t[b] = now_s() - t0;
	}
	build_ms = median(t, nbuild) * 1e3;

	if (dump) {
		zoned_run(acl, keys, out, nk);
		mism = count_mismatches(out, truth, nk);
		for (size_t i = 0; i < nk; i++)
			printf("%d\n", out[i]);
		if (mism > 0)
			fprintf(stderr, "classbench: %zu mismatches against "
			    "the linear reference\n", mism);
		acl_free(acl);
		return mism > 0;
	}

	/* The contenders: zoned, then each rte_acl algorithm this CPU runs. */
	ncont = 0;
	cont[ncont++] = (struct contender){ .name = "zoned" };
#ifdef HAVE_DPDK
	if (dpdk_setup(&dp, rules, nr, keys, nk) == 0) {
		have_dpdk = true;
		for (size_t a = 0; a < sizeof(dpdk_algs) / sizeof(dpdk_algs[0]);
		    a++) {
			if (rte_acl_set_ctx_classify(dp.ctx, dpdk_algs[a].alg) != 0)
				continue;
			cont[ncont++] = (struct contender){
				.name = dpdk_algs[a].name,
				.alg = (int)dpdk_algs[a].alg };
		}
	} else {
		printf("rte_acl unavailable\n");
	}
#endif
	/* Rounds of the contenders in turn; in a round each runs the trace
	 * twice and the second run, on caches it has warmed, is timed. */
	for (int r = 0; r < repeat; r++) {
		for (int c = 0; c < ncont; c++) {
			double t0 = 0;

			for (int pass = 0; pass < 2; pass++) {
				if (pass == 1)
					t0 = now_s();
				if (c == 0)
					zoned_run(acl, keys, out, nk);
#ifdef HAVE_DPDK
				else
					dpdk_run(dp.ctx,
					    (enum rte_acl_classify_alg)cont[c].alg,
					    dp.data, dp.res, out, nk);
#endif
			}
			cont[c].t[r] = now_s() - t0;
			mism = count_mismatches(out, truth, nk);
			if (mism > cont[c].mism)
				cont[c].mism = mism;
		}
	}
	for (int c = 0; c < ncont; c++) {
		cont[c].mpps = nk ? (double)nk / median(cont[c].t, repeat) / 1e6 :
		    0;
		mism_total += cont[c].mism;
	}
	mpps = cont[0].mpps;
	printf("zoned mpps=%.2f build_ms=%.1f mem_kb=%zu mismatches=%zu\n",
	    mpps, build_ms, (acl_mem(acl) + 1023) / 1024, cont[0].mism);
	if (getenv("CLASSBENCH_STATS") != NULL) {
		fprintf(stderr, "zoned_stats matcher=%s groups=%u depth=%u "
		    "inner=%u leaves=%u leaf_rules=%u slots=%zu", acl_matcher(),
		    acl->ngroups, acl->depth_max, acl->ninner, acl->nleaves,
		    acl->leaf_rules, acl->nt);
		for (uint32_t g = 0; g < acl->ngroups; g++)
			fprintf(stderr, " g%u=%u", g, acl->group_rules[g]);
		fprintf(stderr, "\n");
	}

	/* The linear reference on a sample spread over the trace. */
	{
		size_t ns = nk < LINEAR_SAMPLE ? nk : LINEAR_SAMPLE;
		size_t stride = ns ? nk / ns : 1;
		int lr = repeat < 3 ? repeat : 3;
		struct acl_key *sk = malloc((ns ? ns : 1) * sizeof(*sk));

		if (sk == NULL) {
			fprintf(stderr, "classbench: out of memory\n");
			return 2;
		}
		for (size_t i = 0; i < ns; i++)
			sk[i] = keys[i * stride];
		for (int r = 0; r < lr; r++) {
			double t0 = now_s();

			for (size_t i = 0; i < ns; i += ACL_BATCH)
				acl_linear(rules, nr, sk + i, out + i,
				    ns - i < ACL_BATCH ? ns - i : ACL_BATCH);
			t[r] = now_s() - t0;
		}
		free(sk);
		lin_mpps = ns ? (double)ns / median(t, lr) / 1e6 : 0;
		printf("linear mpps=%.3f sample=%zu speedup=%.1f\n", lin_mpps,
		    ns, lin_mpps > 0 ? mpps / lin_mpps : 0);
	}

#ifdef HAVE_DPDK
	if (have_dpdk) {
		int avx2 = -1, best = -1;

		for (int c = 1; c < ncont; c++) {
			if (cont[c].alg == RTE_ACL_CLASSIFY_AVX2)
				avx2 = c;
			if (best < 0 || cont[c].mpps > cont[best].mpps)
				best = c;
		}
		if (avx2 < 0) {
			printf("rte_acl alg=avx2 unsupported on this CPU\n");
		} else {
			printf("rte_acl mpps=%.2f alg=avx2 build_ms=%.1f "
			    "mismatches=%zu\n", cont[avx2].mpps, dp.build_ms,
			    cont[avx2].mism);
			printf("ratio=%.2f\n", mpps / cont[avx2].mpps);
		}
		if (best > 0) {
			printf("rte_acl_best mpps=%.2f alg=%s mismatches=%zu "
			    "ratio=%.2f\n", cont[best].mpps, cont[best].name,
			    cont[best].mism, mpps / cont[best].mpps);
			printf("rte_acl_algs");
			for (int c = 1; c < ncont; c++)
				printf(" %s=%.2f", cont[c].name, cont[c].mpps);
			printf("\n");
		}
		dpdk_teardown(&dp);
	}
#endif
	acl_free(acl);
	free(rules);
	free(keys);
	free(filt);
	free(truth);
	free(out);
	return mism_total > 0;
}
