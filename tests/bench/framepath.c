/*
 * framepath — the monitor's path on a gateway-shaped policy: parse the
 * frame, find the zones of its addresses, classify; in batches of 64,
 * against the plain reference reading of the policy in the same process.
 *
 *   framepath POLICY [--frames N] [--repeat R]
 *
 * prints "framepath flows=F frames=N mpps=X build_ms=B mem_kb=K
 * ref_mpps=Y speedup=Z mismatches=M"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl.h"
#include "classify.h"
#include "traffic.h"
#include "lint.h"
#include "pkt.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void
to_key(const struct pkt_info *pi, struct classify_pkt *k)
{
	memset(k, 0, sizeof(*k));
	k->family = pi->family;
	k->proto = pi->proto;
	k->in_zone = k->out_zone = -1;
	memcpy(k->src, pi->src, 16);
	memcpy(k->dst, pi->dst, 16);
	k->sport = pi->sport;
	k->dport = pi->dport;
}

int
main(int argc, char **argv)
{
	size_t n = 1 << 20, sample = 4096;
	int repeat = 7;
	struct policy *p = NULL;
	struct classify *c;
	struct diag d;
	char err[512];
	uint8_t *frames;
	uint64_t rng = 0x2545f4914f6cdd1dULL;
	double t, *runs, build;
	unsigned long mism = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: framepath POLICY [--frames N] "
		    "[--repeat R]\n");
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--frames") == 0)
			n = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--repeat") == 0)
			repeat = atoi(argv[i + 1]);
	}
	diag_init(&d);
	if (lint_file(argv[1], time(NULL), &p, &d, err, sizeof(err)) < 0 ||
	    p == NULL || d.nerrors > 0) {
		fprintf(stderr, "framepath: %s: %s\n", argv[1], d.nerrors ?
		    "the policy has errors" : err);
		return 2;
	}
	t = now_s();
	if ((c = classify_build(p, time(NULL), err, sizeof(err))) == NULL) {
		fprintf(stderr, "framepath: %s\n", err);
		return 2;
	}
	build = (now_s() - t) * 1e3;
	if ((frames = malloc(n * TRAFFIC_FRAME_LEN)) == NULL ||
	    (runs = calloc((size_t)repeat, sizeof(*runs))) == NULL)
		return 2;
	for (size_t i = 0; i < n; i++) {
		uint8_t s[16] = { 0 }, dd[16] = { 0 };
		uint16_t port = 80;
		if (traffic_rand(&rng) % 16 == 0) {	/* one in 16 denied */
			s[0] = 10;
			s[1] = 16;
			s[2] = (uint8_t)traffic_rand(&rng);
			s[3] = (uint8_t)traffic_rand(&rng);
			dd[0] = 10;
			dd[1] = 32;
			dd[3] = (uint8_t)traffic_rand(&rng);
		} else
			traffic_pick(p, &rng, s, dd, &port);
		traffic_tcp(frames + i * TRAFFIC_FRAME_LEN, s,
		    (uint16_t)(1024 + traffic_rand(&rng) % 60000), dd, port,
		    0x02);
	}

	for (int r = 0; r < repeat; r++) {
		struct classify_pkt k[ACL_BATCH];
		struct classify_verdict v[ACL_BATCH];
		struct pkt_info pi;
		unsigned long permitted = 0;

		t = now_s();
		for (size_t base = 0; base < n; base += ACL_BATCH) {
			size_t m = n - base < ACL_BATCH ? n - base : ACL_BATCH;
			for (size_t i = 0; i < m; i++) {
				pkt_parse(frames + (base + i) *
				    TRAFFIC_FRAME_LEN, TRAFFIC_FRAME_LEN,
				    PKT_LINK_EN10MB, &pi);
				to_key(&pi, &k[i]);
			}
			classify_batch(c, k, v, m);
			for (size_t i = 0; i < m; i++)
				permitted += v[i].reason == CLASSIFY_PERMIT;
		}
		runs[r] = now_s() - t;
		if (permitted == 0) {
			fprintf(stderr, "framepath: nothing permitted\n");
			return 1;
		}
	}
	qsort(runs, (size_t)repeat, sizeof(*runs), dcmp);

	/* the reference, on a sample, and the mismatches */
	if (sample > n)
		sample = n;
	t = now_s();
	for (size_t i = 0; i < sample; i++) {
		struct classify_pkt k;
		struct classify_verdict v, w;
		struct pkt_info pi;

		pkt_parse(frames + i * TRAFFIC_FRAME_LEN, TRAFFIC_FRAME_LEN,
		    PKT_LINK_EN10MB, &pi);
		to_key(&pi, &k);
		classify_reference(p, time(NULL), &k, &v);
		classify_one(c, &k, &w);
		mism += v.flow != w.flow || v.reason != w.reason;
	}
	t = now_s() - t;
	printf("framepath flows=%zu frames=%zu mpps=%.2f build_ms=%.1f "
	    "mem_kb=%zu ref_mpps=%.4f speedup=%.0f mismatches=%lu\n",
	    p->nflows, n, (double)n / runs[repeat / 2] / 1e6, build,
	    classify_mem(c) / 1024, (double)sample / t / 1e6,
	    ((double)n / runs[repeat / 2]) / ((double)sample / t), mism);
	classify_free(c);
	policy_free(p);
	diag_free(&d);
	free(frames);
	free(runs);
	return mism ? 1 : 0;
}
