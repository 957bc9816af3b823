/*
 * check_nftcanon — lib/nftcanon.c: the canonical lines of a table, which
 * the drift check compares with the kernel's.
 *
 * Equal builds compare equal; element order, the isolated set and the
 * standby set of a node of a pair are ignored; rule order, a changed
 * element, a changed queue and a changed mode are not.  (The canonical lines of every clean policy's batch are
 * checked in the round trip of check_nftemit.c.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nftcanon.h"
#include "nftemit.h"
#include "nftgen.h"
#include "nfttest.h"
#include "policy.h"
#include "unit.h"

/* ---------------------------------------------------------------------
 * What the drift check sees and what it ignores
 */

struct diffs {
	size_t plus, minus;
	char last[512];
};

static void
diff_cb(char sign, const char *line, void *arg)
{
	struct diffs *d = arg;

	if (sign == '+')
		d->plus++;
	else
		d->minus++;
	snprintf(d->last, sizeof(d->last), "%c %s", sign, line);
}

static size_t
canon_cmp(const struct canon *a, const struct canon *b, struct diffs *d)
{
	memset(d, 0, sizeof(*d));
	return canon_diff(a, b, diff_cb, d);
}

START_TEST(test_canon)
{
	struct policy *p = nfttest_load("tests/golden/alpha-small.conf");
	struct nft_ir *ir = nfttest_build(p, false);
	struct canon base, c;
	struct diffs d;

	nfttest_canon(ir, &base);

	/* element order is ignored */
	{
		struct nft_ir *r = nfttest_build(p, false);
		struct nft_set *s = nftgen_find_set(r, "src4");
		ck_assert_uint_gt(s->nelems, 2);
		for (size_t i = 0, j = s->nelems - 1; i < j; i++, j--) {
			struct nft_elem t = s->elems[i];
			s->elems[i] = s->elems[j];
			s->elems[j] = t;
		}
		nfttest_canon(r, &c);
		ck_assert_uint_eq(canon_cmp(&base, &c, &d), 0);
		canon_free(&c);
		nftgen_free(r);
	}
	/* the isolated interfaces are ignored (a runtime set) */
	{
		static const char *const iso[] = { "lg0" };
		struct nftgen_opts o = { .now = NOW, .isolated = iso,
		    .nisolated = 1 };
		char err[128];
		struct nft_ir *r = nftgen_build(p, &o, err, sizeof(err));
		struct nft_batch b;
		struct pbatch pb;
		size_t n;
		struct nftnl_set_elem **ev;

		ck_assert_ptr_nonnull(r);
		nfttest_emit(r, true, &b);
		nfttest_parse_batch(&b, true, &pb);
		ev = nfttest_pb_elems(&pb, "isolated", &n);
		ck_assert_uint_eq(n, 1);	/* in the batch ... */
		free(ev);
		nfttest_canon(r, &c);		/* ... not in the comparison */
		ck_assert_uint_eq(canon_cmp(&base, &c, &d), 0);
		canon_free(&c);
		nfttest_pbatch_free(&pb);
		nftemit_free(&b);
		nftgen_free(r);
	}
	/* rule order within a chain is not ignored */
	{
		struct nft_ir *r = nfttest_build(p, false);
		struct nft_chain *f;
		struct nft_rule t;

		f = (struct nft_chain *)nfttest_ir_chain(r, "forward");
		t = f->rules[2];
		f->rules[2] = f->rules[4];
		f->rules[4] = t;
		nfttest_canon(r, &c);
		ck_assert_uint_gt(canon_cmp(&base, &c, &d), 0);
		canon_free(&c);
		nftgen_free(r);
	}
	/* a changed element is one line out, one line in */
	{
		struct nft_ir *r = nfttest_build(p, false);
		struct nft_set *s = nftgen_find_set(r, "pinned4");
		s->elems[0].key[9] ^= 1;	/* the MAC */
		nfttest_canon(r, &c);
		ck_assert_uint_eq(canon_cmp(&base, &c, &d), 2);
		ck_assert_uint_eq(d.plus, 1);
		ck_assert_uint_eq(d.minus, 1);
		canon_free(&c);
		nftgen_free(r);
	}
	/* the queue through NFQUEUE: exactly the queue rule differs */
	{
		struct nft_ir *r = nfttest_build(p, true);
		nfttest_canon(r, &c);
		ck_assert_uint_eq(canon_cmp(&base, &c, &d), 2);
		ck_assert_uint_eq(d.plus, 1);
		ck_assert_uint_eq(d.minus, 1);
		ck_assert_msg(strncmp(d.last, "+ rule verdict 2 ", 17) == 0 ||
		    strncmp(d.last, "- rule verdict 2 ", 17) == 0, "%s",
		    d.last);
		canon_free(&c);
		nftgen_free(r);
	}
	/* kernel mode: the two chains and their four rules are gone */
	{
		struct nft_ir *r;

		p->enforce.mode = ENFORCE_KERNEL;
		r = nfttest_build(p, false);
		p->enforce.mode = ENFORCE_DUAL;
		nfttest_canon(r, &c);
		ck_assert_uint_eq(canon_cmp(&base, &c, &d), 6);
		ck_assert_uint_eq(d.minus, 6);
		ck_assert_uint_eq(d.plus, 0);
		canon_free(&c);
		nftgen_free(r);
	}
	canon_free(&base);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

/* A node of a pair holding every zone (not the master) and one that
 * forwards: the same table to the drift check. */
START_TEST(test_canon_ha)
{
	struct policy *p = nfttest_load("tests/golden/ha-pair.conf");
	struct nftgen_opts o = { .now = NOW, .ha_standby = true };
	struct nft_ir *ir = nfttest_build(p, false), *held;
	struct canon c1, c2;
	struct diffs d;
	char err[128];

	held = nftgen_build(p, &o, err, sizeof(err));
	ck_assert_msg(held != NULL, "%s", err);
	ck_assert_uint_eq(nftgen_find_set(held, NFTGEN_HA_STANDBY)->nelems, 3);
	nfttest_canon(ir, &c1);
	nfttest_canon(held, &c2);
	ck_assert_uint_eq(canon_cmp(&c1, &c2, &d), 0);
	canon_free(&c1);
	canon_free(&c2);
	nftgen_free(held);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

UNIT_SUITE(nftcanon_suite)

static Suite *
nftcanon_suite(void)
{
	Suite *s = suite_create("nftcanon");
	TCase *tc = tcase_create("drift");

	tcase_add_test(tc, test_canon);
	tcase_add_test(tc, test_canon_ha);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
