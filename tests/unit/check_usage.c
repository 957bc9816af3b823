/*
 * check_usage — per-flow usage records (lib/usage.c): following the
 * installed policy (a changed flow starts again, a moved one keeps its
 * history, failing closed forgets nothing), readings of the kernel's
 * counters (what moved since the last one, a counter made anew, the hit
 * times), the self-inspection test "unused for N days", and the file
 * (round trip, bad lines, no file).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "counters.h"
#include "nftgen.h"
#include "policy.h"
#include "unit.h"
#include "usage.h"

#define NOW ((time_t)1795219200)	/* 2026-11-21T00:00:00Z */
#define DAY 86400

static struct policy *
load(void)
{
	return unit_load_policy("tests/golden/alpha-small.conf", NOW);
}

static struct nft_ir *
build(const struct policy *p)
{
	struct nftgen_opts o = { .now = NOW };
	char err[256];
	struct nft_ir *ir = nftgen_build(p, &o, err, sizeof(err));

	ck_assert_msg(ir != NULL, "%s", err);
	return ir;
}

/* The kernel's counters as read: "flow.NAME" packets, bytes=packets*100. */
static void
kernel(struct counters *kc, const char *name, uint64_t packets, ...)
{
	va_list ap;
	char buf[128];

	counters_init(kc);
	va_start(ap, packets);
	while (name != NULL) {
		snprintf(buf, sizeof(buf), "flow.%s", name);
		ck_assert_int_eq(counters_add(kc, buf, packets, packets * 100),
		    0);
		name = va_arg(ap, const char *);
		if (name != NULL)
			packets = va_arg(ap, uint64_t);
	}
	va_end(ap);
	/* a deny counter read with them is not a flow's */
	ck_assert_int_eq(counters_add(kc, "deny.input", 7, 700), 0);
	counters_sort(kc);
}

START_TEST(test_sync)
{
	struct policy *p = load();
	struct nft_ir *ir = build(p);
	const struct usage_rec *r;
	struct counters kc;
	struct usage u;
	int mi = policy_find_flow(p, "mail-in");

	usage_init(&u);
	ck_assert_int_eq(usage_sync(&u, p, ir, NOW, true), 0);
	ck_assert_uint_eq(u.n, p->nflows);
	ck_assert_ptr_nonnull(r = usage_find(&u, "mail-in"));
	ck_assert_uint_eq(r->mark, p->flows[mi].mark);
	ck_assert_int_eq(r->since, NOW);
	ck_assert_int_eq(r->first, 0);
	ck_assert_int_eq(r->last, 0);
	/* sorted by name */
	for (size_t i = 1; i < u.n; i++)
		ck_assert_int_lt(strcmp(u.v[i - 1].name, u.v[i].name), 0);

	kernel(&kc, "mail-in", (uint64_t)10, "browse", (uint64_t)0, NULL);
	ck_assert_uint_eq(usage_observe(&u, &kc, NOW + 60), 1);
	counters_free(&kc);

	/* installed again: unchanged flows keep what they had */
	ck_assert_int_eq(usage_sync(&u, p, ir, NOW + DAY, false), 0);
	r = usage_find(&u, "mail-in");
	ck_assert_uint_eq(r->packets, 10);
	ck_assert_uint_eq(r->kpackets, 10);	/* its counter kept counting */
	ck_assert_int_eq(r->since, NOW);
	/* ... a replacement starts the kernel's counters again */
	ck_assert_int_eq(usage_sync(&u, p, ir, NOW + DAY, true), 0);
	r = usage_find(&u, "mail-in");
	ck_assert_uint_eq(r->packets, 10);
	ck_assert_uint_eq(r->kpackets, 0);

	/* a changed flow (another id) is another flow: it starts again */
	p->flows[mi].mark ^= 0x5a5a;
	nftgen_free(ir);
	ir = build(p);
	ck_assert_int_eq(usage_sync(&u, p, ir, NOW + 2 * DAY, false), 0);
	r = usage_find(&u, "mail-in");
	ck_assert_uint_eq(r->packets, 0);
	ck_assert_int_eq(r->first, 0);
	ck_assert_int_eq(r->since, NOW + 2 * DAY);
	ck_assert_uint_eq(r->mark, p->flows[mi].mark);

	/* a removed flow's record goes */
	p->flows[mi].bad = true;
	nftgen_free(ir);
	ir = build(p);
	ck_assert_int_eq(usage_sync(&u, p, ir, NOW + 3 * DAY, false), 0);
	ck_assert_ptr_null(usage_find(&u, "mail-in"));
	ck_assert_uint_eq(u.n, p->nflows - 1);

	/* failing closed (no policy) forgets nothing */
	ck_assert_int_eq(usage_sync(&u, NULL, ir, NOW + 4 * DAY, true), 0);
	ck_assert_uint_eq(u.n, p->nflows - 1);

	usage_free(&u);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

/* An expired flow has no counter; it keeps the record it has, and does
 * not get one it has not. */
START_TEST(test_expired)
{
	struct policy *p = load();
	struct nft_ir *ir = build(p);
	struct usage u;
	int fi = policy_find_flow(p, "files-in");

	usage_init(&u);
	ck_assert_int_eq(usage_sync(&u, p, ir, NOW, true), 0);
	p->flows[fi].has_expires = true;
	p->flows[fi].expires = NOW - 1;
	nftgen_free(ir);
	ir = build(p);
	ck_assert_int_eq(usage_sync(&u, p, ir, NOW + 1, false), 0);
	ck_assert_ptr_nonnull(usage_find(&u, "files-in"));
	usage_free(&u);
	usage_init(&u);
	ck_assert_int_eq(usage_sync(&u, p, ir, NOW + 1, false), 0);
	ck_assert_ptr_null(usage_find(&u, "files-in"));
	ck_assert_uint_eq(u.n, p->nflows - 1);
	usage_free(&u);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

START_TEST(test_observe)
{
	struct policy *p = load();
	struct nft_ir *ir = build(p);
	const struct usage_rec *r;
	struct counters kc;
	struct usage u;

	usage_init(&u);
	ck_assert_int_eq(usage_sync(&u, p, ir, NOW, true), 0);
	/* first reading: what the counters hold */
	kernel(&kc, "browse", (uint64_t)5, "mail-in", (uint64_t)0, NULL);
	ck_assert_uint_eq(usage_observe(&u, &kc, NOW + 60), 1);
	counters_free(&kc);
	r = usage_find(&u, "browse");
	ck_assert_uint_eq(r->packets, 5);
	ck_assert_uint_eq(r->bytes, 500);
	ck_assert_int_eq(r->first, NOW + 60);
	ck_assert_int_eq(r->last, NOW + 60);
	ck_assert_int_eq(usage_find(&u, "mail-in")->last, 0);
	/* the same values again: no hit, nothing added */
	kernel(&kc, "browse", (uint64_t)5, NULL);
	ck_assert_uint_eq(usage_observe(&u, &kc, NOW + 120), 0);
	counters_free(&kc);
	ck_assert_uint_eq(r->packets, 5);
	ck_assert_int_eq(r->last, NOW + 60);
	/* it moved: what it counted since */
	kernel(&kc, "browse", (uint64_t)8, NULL);
	ck_assert_uint_eq(usage_observe(&u, &kc, NOW + 180), 1);
	counters_free(&kc);
	ck_assert_uint_eq(r->packets, 8);
	ck_assert_int_eq(r->first, NOW + 60);
	ck_assert_int_eq(r->last, NOW + 180);
	/* a counter below the last reading was made anew: all of it */
	kernel(&kc, "browse", (uint64_t)2, NULL);
	ck_assert_uint_eq(usage_observe(&u, &kc, NOW + 240), 1);
	counters_free(&kc);
	ck_assert_uint_eq(r->packets, 10);
	ck_assert_uint_eq(r->bytes, 1000);
	/* a counter of no record changes nothing */
	kernel(&kc, "nobody", (uint64_t)9, NULL);
	ck_assert_uint_eq(usage_observe(&u, &kc, NOW + 300), 0);
	counters_free(&kc);
	usage_free(&u);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

START_TEST(test_unused)
{
	struct usage_rec hit = { .since = NOW - 400 * DAY,
	    .first = NOW - 300 * DAY, .last = NOW - 100 * DAY };
	struct usage_rec never = { .since = NOW - 100 * DAY };
	struct usage_rec young = { .since = NOW - DAY };

	ck_assert(usage_unused(&hit, NOW, 90));
	ck_assert(!usage_unused(&hit, NOW, 100));
	ck_assert(usage_unused(&never, NOW, 90));
	ck_assert(!usage_unused(&never, NOW, 365));
	/* a flow watched since yesterday is not unused for a year */
	ck_assert(!usage_unused(&young, NOW, 365));
	ck_assert(usage_unused(&young, NOW, 0));
}
END_TEST

START_TEST(test_file)
{
	struct policy *p = load();
	struct nft_ir *ir = build(p);
	struct usage u, v;
	struct counters kc;
	char path[256], err[256];
	size_t bad = 9;
	FILE *fp;

	snprintf(path, sizeof(path), "%s", unit_tmpfile("usage.jsonl", ""));
	usage_init(&u);
	usage_init(&v);
	ck_assert_int_eq(usage_sync(&u, p, ir, NOW, true), 0);
	kernel(&kc, "browse", (uint64_t)7, "mail-out", (uint64_t)3, NULL);
	usage_observe(&u, &kc, NOW + 60);
	counters_free(&kc);
	ck_assert_int_eq(usage_save(&u, path, NOW + 61, err, sizeof(err)), 0);
	ck_assert_int_eq(usage_load(&v, path, &bad, err, sizeof(err)), 0);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(v.n, u.n);
	for (size_t i = 0; i < u.n; i++) {
		ck_assert_str_eq(v.v[i].name, u.v[i].name);
		ck_assert_uint_eq(v.v[i].mark, u.v[i].mark);
		ck_assert_int_eq(v.v[i].since, u.v[i].since);
		ck_assert_int_eq(v.v[i].first, u.v[i].first);
		ck_assert_int_eq(v.v[i].last, u.v[i].last);
		ck_assert_uint_eq(v.v[i].packets, u.v[i].packets);
		ck_assert_uint_eq(v.v[i].bytes, u.v[i].bytes);
		ck_assert_uint_eq(v.v[i].kpackets, u.v[i].kpackets);
	}
	/* lines that do not parse are left out and counted */
	fp = fopen(path, "a");
	ck_assert_ptr_nonnull(fp);
	fputs("not json\n{\"name\": \"x\"}\n{\"name\": \"browse\", \"mark\": 1, "
	    "\"since\": 1, \"first\": 0, \"last\": 0, \"packets\": 1, "
	    "\"bytes\": 1, \"kpackets\": 0, \"kbytes\": 0}\n", fp);
	fclose(fp);
	ck_assert_int_eq(usage_load(&v, path, &bad, err, sizeof(err)), 0);
	ck_assert_uint_eq(bad, 3);	/* two bad lines, a name twice */
	ck_assert_uint_eq(v.n, u.n);
	/* no file: nothing, and no error */
	ck_assert_int_eq(usage_load(&v, "/nonexistent/usage.jsonl", &bad, err,
	    sizeof(err)), 1);
	ck_assert_uint_eq(v.n, 0);
	/* a file that cannot be written */
	ck_assert_int_eq(usage_save(&u, "/nonexistent/usage.jsonl", NOW, err,
	    sizeof(err)), -1);
	ck_assert(strstr(err, "/nonexistent/usage.jsonl.tmp") != NULL);
	usage_free(&u);
	usage_free(&v);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

/* A staged flow (issue 16): pending, it has no counter and no record, and
 * is not "unused"; at its start the expiry timer applies the policy
 * again, the flow gets its counter and is watched from then, under the
 * same id (starts is not part of it); the other flows keep theirs. */
START_TEST(test_staged)
{
	struct policy *p = unit_load_policy("tests/golden/staged.conf", NOW);
	int mi = policy_find_flow(p, "migration");
	time_t start;
	struct nftgen_opts o = { .now = NOW };
	struct nft_ir *before, *after;
	const struct usage_rec *r;
	struct counters kc;
	struct usage u;
	char err[256];

	ck_assert_int_ge(mi, 0);
	ck_assert(p->flows[mi].has_starts);
	start = p->flows[mi].starts;
	ck_assert(start > NOW);
	before = nftgen_build(p, &o, err, sizeof(err));
	ck_assert_msg(before != NULL, "%s", err);
	usage_init(&u);
	ck_assert_int_eq(usage_sync(&u, p, before, NOW, true), 0);
	ck_assert_ptr_null(usage_find(&u, "migration"));
	ck_assert_ptr_nonnull(r = usage_find(&u, "running"));
	ck_assert(r->since == NOW);
	kernel(&kc, "running", 10, NULL);
	usage_observe(&u, &kc, NOW + 60);
	counters_free(&kc);

	o.now = start;
	after = nftgen_build(p, &o, err, sizeof(err));
	ck_assert_msg(after != NULL, "%s", err);
	ck_assert_int_eq(usage_sync(&u, p, after, start, false), 0);
	ck_assert_ptr_nonnull(r = usage_find(&u, "migration"));
	ck_assert(r->since == start);
	ck_assert_uint_eq(r->mark, p->flows[mi].mark);
	ck_assert_uint_eq(r->packets, 0);
	ck_assert_ptr_nonnull(r = usage_find(&u, "running"));
	ck_assert(r->since == NOW);
	ck_assert_uint_eq(r->packets, 10);
	usage_free(&u);
	nftgen_free(after);
	nftgen_free(before);
	policy_free(p);
}
END_TEST

UNIT_SUITE(usage_suite)

static Suite *
usage_suite(void)
{
	Suite *s = suite_create("usage");
	TCase *tc = tcase_create("usage");

	tcase_add_test(tc, test_sync);
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_observe);
	tcase_add_test(tc, test_unused);
	tcase_add_test(tc, test_file);
	tcase_add_test(tc, test_staged);
	suite_add_tcase(s, tc);
	return s;
}
