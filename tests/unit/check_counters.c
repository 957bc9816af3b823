/*
 * check_counters — named counters (lib/counters.c): appending, sorting
 * with equal names summed, lookup before and after sorting, merging, and
 * formed names.
 */
#include <stdio.h>
#include <string.h>

#include "counters.h"
#include "unit.h"

START_TEST(test_sort_sum)
{
	struct counters c;
	const struct counter *k;

	counters_init(&c);
	ck_assert(c.sorted);
	ck_assert_int_eq(counters_add(&c, "flow.b", 1, 10), 0);
	ck_assert_int_eq(counters_add(&c, "flow.a", 2, 20), 0);
	ck_assert_int_eq(counters_add(&c, "flow.b", 3, 30), 0);
	ck_assert(!c.sorted);
	/* found before sorting too */
	ck_assert_ptr_nonnull(k = counters_get(&c, "flow.a"));
	ck_assert_uint_eq(k->packets, 2);
	counters_sort(&c);
	ck_assert(c.sorted);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_str_eq(c.v[0].name, "flow.a");
	ck_assert_ptr_nonnull(k = counters_get(&c, "flow.b"));
	ck_assert_uint_eq(k->packets, 4);
	ck_assert_uint_eq(k->bytes, 40);
	ck_assert_ptr_null(counters_get(&c, "flow.c"));
	ck_assert_ptr_nonnull(k = counters_getf(&c, "flow.%c", 'a'));
	ck_assert_uint_eq(k->bytes, 20);
	counters_free(&c);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_ptr_null(counters_get(&c, "flow.a"));
}
END_TEST

START_TEST(test_merge)
{
	struct counters a, b;
	const struct counter *k;

	counters_init(&a);
	counters_init(&b);
	counters_add_cb("deny.lgwan.internet", 5, 500, &a);
	counters_add_cb("flow.x", 1, 100, &a);
	counters_sort(&a);
	counters_add_cb("flow.x", 2, 200, &b);
	counters_add_cb("flow.y", 7, 700, &b);
	ck_assert_int_eq(counters_merge(&a, &b), 0);
	ck_assert(a.sorted);
	ck_assert_uint_eq(a.n, 3);
	ck_assert_ptr_nonnull(k = counters_get(&a, "flow.x"));
	ck_assert_uint_eq(k->packets, 3);
	ck_assert_uint_eq(k->bytes, 300);
	ck_assert_ptr_nonnull(k = counters_get(&a, "flow.y"));
	ck_assert_uint_eq(k->packets, 7);
	counters_free(&a);
	counters_free(&b);
}
END_TEST

/* Many names, in reverse order: every one found with its own figures. */
START_TEST(test_many)
{
	struct counters c;
	char name[32];

	counters_init(&c);
	for (int i = 5000; i > 0; i--) {
		snprintf(name, sizeof(name), "flow.f%05d", i);
		ck_assert_int_eq(counters_add(&c, name, (uint64_t)i,
		    (uint64_t)i * 64), 0);
	}
	counters_sort(&c);
	for (int i = 1; i <= 5000; i += 37) {
		const struct counter *k = counters_getf(&c, "flow.f%05d", i);
		ck_assert_ptr_nonnull(k);
		ck_assert_uint_eq(k->packets, (uint64_t)i);
		ck_assert_uint_eq(k->bytes, (uint64_t)i * 64);
	}
	counters_free(&c);
}
END_TEST

UNIT_SUITE(counters_suite)

static Suite *
counters_suite(void)
{
	Suite *s = suite_create("counters");
	TCase *tc = tcase_create("counters");

	tcase_add_test(tc, test_sort_sum);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_many);
	suite_add_tcase(s, tc);
	return s;
}
