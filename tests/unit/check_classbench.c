/*
 * check_classbench — lib/classbench.c: ClassBench filter sets and traces
 * read as acl rules and keys (every field, every error with its line), a
 * generated set written as filter lines and read back as the same rules,
 * and the seeded generator (same seed, same set).
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "classbench.h"
#include "unit.h"

/* A rule that matches everything. */
static const struct acl_rule any_rule = {
	0, UINT32_MAX, 0, UINT32_MAX, 0, 65535, 0, 65535, 0, 255, 0, 65535,
};

/* --- the loader ---------------------------------------------------------- */

START_TEST(test_load_rules)
{
	const char *p = unit_tmpfile("rules", "@10.1.2.3/32\t192.168.0.0/16\t"
	    "0 : 65535\t80 : 80\t0x06/0xFF\t0x1000/0x1000\t\n"
	    "\n"
	    "@0.0.0.0/0\t10.0.0.7/24\t1024 : 2048\t0 : 65535\t0x00/0x00\t"
	    "0x0000/0x0000\n"
	    "@255.255.255.255/31  1.2.3.4/0  53:53  53 : 53  0x11/0xFF\n");
	struct acl_rule *r;
	uint32_t n;
	char err[256];

	ck_assert_msg(classbench_load_rules(p, &r, &n, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(r[0].src_lo, 0x0A010203);
	ck_assert_uint_eq(r[0].src_hi, 0x0A010203);
	ck_assert_uint_eq(r[0].dst_lo, 0xC0A80000);
	ck_assert_uint_eq(r[0].dst_hi, 0xC0A8FFFF);
	ck_assert_uint_eq(r[0].sp_lo, 0);
	ck_assert_uint_eq(r[0].sp_hi, 65535);
	ck_assert_uint_eq(r[0].dp_lo, 80);
	ck_assert_uint_eq(r[0].dp_hi, 80);
	ck_assert_uint_eq(r[0].pr_lo, 6);
	ck_assert_uint_eq(r[0].pr_hi, 6);
	ck_assert_uint_eq(r[0].tag_lo, 0);
	ck_assert_uint_eq(r[0].tag_hi, 65535);
	ck_assert_uint_eq(r[1].src_lo, 0);
	ck_assert_uint_eq(r[1].src_hi, UINT32_MAX);
	ck_assert_uint_eq(r[1].dst_lo, 0x0A000000);	/* host bits cleared */
	ck_assert_uint_eq(r[1].dst_hi, 0x0A0000FF);
	ck_assert_uint_eq(r[1].sp_lo, 1024);
	ck_assert_uint_eq(r[1].sp_hi, 2048);
	ck_assert_uint_eq(r[1].pr_lo, 0);
	ck_assert_uint_eq(r[1].pr_hi, 255);
	ck_assert_uint_eq(r[2].src_lo, 0xFFFFFFFE);
	ck_assert_uint_eq(r[2].src_hi, UINT32_MAX);
	ck_assert_uint_eq(r[2].dst_lo, 0);
	ck_assert_uint_eq(r[2].dst_hi, UINT32_MAX);
	ck_assert_uint_eq(r[2].pr_lo, 17);
	free(r);

	p = unit_tmpfile("empty", "\n\n");
	ck_assert_int_eq(classbench_load_rules(p, &r, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(r);
}
END_TEST

START_TEST(test_load_rule_errors)
{
	static const struct {
		const char *text;
		const char *msg;
	} t[] = {
		{ "10.0.0.0/8\t1.1.1.1/32\t0 : 1\t0 : 1\t0x06/0xFF\n",
		  ":1: expected '@'" },
		{ "\n@10.0.0.0/33\t1.1.1.1/32\t0 : 1\t0 : 1\t0x06/0xFF\n",
		  ":2: bad source prefix" },
		{ "@10.0.0.0/8\t1.1.1.256/32\t0 : 1\t0 : 1\t0x06/0xFF\n",
		  ":1: bad destination prefix" },
		{ "@10.0.0.0/8\t1.1.1.1/32\t0 - 1\t0 : 1\t0x06/0xFF\n",
		  ":1: bad source port range" },
		{ "@10.0.0.0/8\t1.1.1.1/32\t5 : 1\t0 : 1\t0x06/0xFF\n",
		  ":1: source port range 5 : 1 is empty" },
		{ "@10.0.0.0/8\t1.1.1.1/32\t0 : 1\t0 : 65536\t0x06/0xFF\n",
		  ":1: bad destination port range" },
		{ "@10.0.0.0/8\t1.1.1.1/32\t0 : 1\t0 : 1\t0x06/0x0F\n",
		  ":1: protocol mask 0x0f" },
		{ "@10.0.0.0/8\t1.1.1.1/32\t0 : 1\t0 : 1\n",
		  ":1: bad protocol" },
	};

	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		const char *p = unit_tmpfile("bad", t[i].text);
		struct acl_rule *r = (struct acl_rule *)1;
		uint32_t n = 99;
		char err[256] = "", want[PATH_MAX + 64];

		ck_assert_int_eq(classbench_load_rules(p, &r, &n, err,
		    sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s%s", p, t[i].msg);
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
		    "case %zu: got \"%s\", want \"%s...\"", i, err, want);
	}
	{
		char err[256];
		struct acl_rule *r;
		uint32_t n;

		ck_assert_int_eq(classbench_load_rules("/nonexistent/x", &r,
		    &n, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "/nonexistent/x: ") == err, "%s", err);
	}
}
END_TEST

START_TEST(test_load_trace)
{
	const char *p = unit_tmpfile("trace", "3949353899\t946248260\t0\t14753"
	    "\t6\t4294967295\t1351\n"
	    "1 2 3 4 17\n"
	    "\n"
	    "5 6 7 8 1 0\n");
	const char *bad = unit_tmpfile("badtrace", "1 2 3 4 6 0 0\n"
	    "1 2 3 65536 6 0 0\n");
	const char *bad2 = unit_tmpfile("badtrace2", "1 2 3 4\n");
	const char *bad3 = unit_tmpfile("badtrace3", "1 2 3 4 5 6 7 8\n");
	struct acl_key *k;
	int32_t *f;
	size_t n;
	char err[256];

	ck_assert_msg(classbench_load_trace(p, &k, &f, &n, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(k[0].src, 3949353899u);
	ck_assert_uint_eq(k[0].dst, 946248260u);
	ck_assert_uint_eq(k[0].sport, 0);
	ck_assert_uint_eq(k[0].dport, 14753);
	ck_assert_uint_eq(k[0].proto, 6);
	ck_assert_uint_eq(k[0].tag, 0);
	ck_assert_int_eq(f[0], 1351);
	ck_assert_uint_eq(k[1].proto, 17);
	ck_assert_int_eq(f[1], -1);
	ck_assert_uint_eq(k[2].src, 5);
	ck_assert_int_eq(f[2], -1);
	free(k);
	free(f);
	ck_assert_int_eq(classbench_load_trace(bad, &k, &f, &n, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, ":2: bad destination port") != NULL, "%s",
	    err);
	ck_assert_int_eq(classbench_load_trace(bad2, &k, NULL, &n, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, ":1: missing protocol") != NULL, "%s", err);
	ck_assert_int_eq(classbench_load_trace(bad3, &k, NULL, &n, err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, ":1: trailing text") != NULL, "%s", err);
}
END_TEST

/* Generated rules written as filter lines load back as the same rules. */
START_TEST(test_format_roundtrip)
{
	uint32_t n = 500, m;
	struct acl_rule r[500], *back;
	size_t cap = 128 * 500, len = 0;
	char *text = malloc(cap), err[256];
	const char *p;

	ck_assert_ptr_nonnull(text);
	classbench_gen_rules(5, CLASSBENCH_FW, r, n);
	for (uint32_t i = 0; i < n; i++) {
		ck_assert_int_eq(classbench_format_rule(&r[i], text + len,
		    cap - len - 1), 0);
		len += strlen(text + len);
		text[len++] = '\n';
	}
	text[len] = '\0';
	p = unit_tmpfile("roundtrip", text);
	ck_assert_msg(classbench_load_rules(p, &back, &m, err, sizeof(err)) ==
	    0, "%s", err);
	ck_assert_uint_eq(m, n);
	ck_assert(memcmp(back, r, sizeof(r)) == 0);
	{
		struct acl_rule x = any_rule;
		char b[200];

		x.src_lo = 1;
		ck_assert_int_eq(classbench_format_rule(&x, b, sizeof(b)), -1);
		x = any_rule;
		x.pr_lo = 3;
		ck_assert_int_eq(classbench_format_rule(&x, b, sizeof(b)), -1);
	}
	free(back);
	free(text);
}
END_TEST

/* Same seed, same set; another seed, another set. */
START_TEST(test_generator_seeded)
{
	struct acl_rule a[200], b[200];
	struct acl_key ka[300], kb[300];

	classbench_gen_rules(1, CLASSBENCH_IPC, a, 200);
	classbench_gen_rules(1, CLASSBENCH_IPC, b, 200);
	ck_assert(memcmp(a, b, sizeof(a)) == 0);
	classbench_gen_trace(2, a, 200, ka, NULL, 300);
	classbench_gen_trace(2, a, 200, kb, NULL, 300);
	ck_assert(memcmp(ka, kb, sizeof(ka)) == 0);
	classbench_gen_rules(3, CLASSBENCH_IPC, b, 200);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	for (int i = 0; i < 200; i++) {
		ck_assert_uint_le(a[i].src_lo, a[i].src_hi);
		ck_assert_uint_le(a[i].sp_lo, a[i].sp_hi);
		ck_assert_uint_le(a[i].dp_lo, a[i].dp_hi);
		ck_assert_uint_le(a[i].pr_lo, a[i].pr_hi);
	}
}
END_TEST

UNIT_SUITE(classbench_suite)

static Suite *
classbench_suite(void)
{
	Suite *s = suite_create("classbench");
	TCase *tc = tcase_create("loader");

	tcase_add_test(tc, test_load_rules);
	tcase_add_test(tc, test_load_rule_errors);
	tcase_add_test(tc, test_load_trace);
	tcase_add_test(tc, test_format_roundtrip);
	suite_add_tcase(s, tc);
	tc = tcase_create("generator");
	tcase_add_test(tc, test_generator_seeded);
	suite_add_tcase(s, tc);
	return s;
}
