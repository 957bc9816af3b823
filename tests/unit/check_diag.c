/*
 * check_diag — lib/diag.c: the findings of the loader and the compliance
 * checker.
 *
 * Findings added (counts by severity, the message formatted, a missing file
 * or object as ""), sorted (file, line, id; equal keys keep their order),
 * printed one a line exactly as DESIGN §4 writes them (no line: no ":0";
 * no object: no "object: "), as JSON read back with jansson, and freed back
 * to the empty state; many findings past the first allocation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "diag.h"
#include "unit.h"

/* diag_print into a string (malloc'd). */
static char *
printed(const struct diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	diag_print(d, f);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* --- one finding, added and printed -------------------------------------- */

static const struct add_case {
	const char *file;
	int line;
	enum diag_severity sev;
	const char *id;
	const char *object;
	const char *message;
	const char *text;	/* diag_print */
} add_cases[] = {
	{ "zoned.conf", 42, DIAG_ERROR, "ZL001", "flow \"x\"",
	  "the My Number zone must never communicate with an Internet zone",
	  "zoned.conf:42: error: ZL001: flow \"x\": the My Number zone must "
	  "never communicate with an Internet zone\n" },
	{ "conf/alpha.conf", 7, DIAG_WARNING, "ZL009", "flow \"dup\"",
	  "duplicates flow \"a\"", "conf/alpha.conf:7: warning: ZL009: flow "
	  "\"dup\": duplicates flow \"a\"\n" },
	/* no line: the file alone */
	{ "missing.conf", 0, DIAG_ERROR, "ZL011", NULL,
	  "cannot open: No such file or directory", "missing.conf: error: "
	  "ZL011: cannot open: No such file or directory\n" },
	/* no object: nothing between the id and the message */
	{ "a.conf", 1, DIAG_ERROR, "ZL011", "", "syntax error",
	  "a.conf:1: error: ZL011: syntax error\n" },
	{ "a.conf", 3, DIAG_WARNING, "ZL014", NULL, "50% done",
	  "a.conf:3: warning: ZL014: 50% done\n" },
	/* no file */
	{ NULL, 5, DIAG_ERROR, "ZL008", "zone \"z\"", "overlap",
	  ":5: error: ZL008: zone \"z\": overlap\n" },
	/* an id longer than the field: cut to seven characters */
	{ "b.conf", 2, DIAG_ERROR, "ZL0123456789", NULL, "long id",
	  "b.conf:2: error: ZL01234: long id\n" },
};

START_TEST(test_add)
{
	const struct add_case *t = &add_cases[_i];
	struct diag d;
	const struct diag_finding *f;
	char *text;

	diag_init(&d);
	diag_add(&d, t->file, t->line, t->sev, t->id, t->object, "%s",
	    t->message);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_int_eq(d.nerrors, t->sev == DIAG_ERROR);
	ck_assert_int_eq(d.nwarnings, t->sev == DIAG_WARNING);
	ck_assert_int_eq(d.oom, 0);
	f = &d.v[0];
	ck_assert_str_eq(f->file, t->file ? t->file : "");
	ck_assert_int_eq(f->line, t->line);
	ck_assert_int_eq(f->severity, t->sev);
	ck_assert_uint_lt(strlen(f->id), sizeof(f->id));
	ck_assert(strncmp(f->id, t->id, strlen(f->id)) == 0);
	ck_assert_str_eq(f->object, t->object ? t->object : "");
	ck_assert_str_eq(f->message, t->message);
	text = printed(&d);
	ck_assert_str_eq(text, t->text);
	free(text);
	diag_free(&d);
	/* freed back to the empty state */
	ck_assert_ptr_null(d.v);
	ck_assert_uint_eq(d.n + d.cap, 0);
	ck_assert_int_eq(d.nerrors + d.nwarnings + d.oom, 0);
}
END_TEST

/* The message is formatted as printf would. */
START_TEST(test_format)
{
	struct diag d;

	diag_init(&d);
	diag_add(&d, "f", 1, DIAG_ERROR, "ZL003", NULL, "range %u-%u is %d "
	    "ports wide (at most %d)", 8000u, 8099u, 100, 16);
	diag_add(&d, "f", 2, DIAG_WARNING, "ZL012", NULL, "%s on %s/%d: "
	    "%.3s%%", "screen-transfer", "tcp", 8080, "unusual");
	ck_assert_str_eq(d.v[0].message, "range 8000-8099 is 100 ports wide "
	    "(at most 16)");
	ck_assert_str_eq(d.v[1].message, "screen-transfer on tcp/8080: unu%");
	ck_assert_int_eq(d.nerrors, 1);
	ck_assert_int_eq(d.nwarnings, 1);
	diag_free(&d);
}
END_TEST

START_TEST(test_severity_str)
{
	ck_assert_str_eq(diag_severity_str(DIAG_ERROR), "error");
	ck_assert_str_eq(diag_severity_str(DIAG_WARNING), "warning");
}
END_TEST

/* Out of memory: the findings that were lost are said to be. */
START_TEST(test_print_oom)
{
	struct diag d;
	char *text;

	diag_init(&d);
	diag_add(&d, "a.conf", 1, DIAG_ERROR, "ZL011", NULL, "kept");
	d.oom = 1;
	text = printed(&d);
	ck_assert_str_eq(text, "a.conf:1: error: ZL011: kept\n"
	    "(out of memory: some findings were lost)\n");
	free(text);
	diag_free(&d);
	diag_init(&d);
	text = printed(&d);
	ck_assert_str_eq(text, "");
	free(text);
}
END_TEST

/* --- sorting ------------------------------------------------------------- */

/* Findings "FILE LINE ID TAG" in the order added; the tags in the order
 * sorted. */
static const struct sort_case {
	const char *in[8];
	const char *out;
} sort_cases[] = {
	{ { "a 3 ZL001 x", "a 1 ZL001 y", "a 2 ZL001 z" }, "yzx" },
	{ { "b 1 ZL001 x", "a 9 ZL001 y" }, "yx" },
	{ { "a 5 ZL009 x", "a 5 ZL001 y", "a 5 ZL004 z" }, "yzx" },
	/* equal keys keep their order */
	{ { "a 5 ZL001 p", "a 5 ZL001 q", "a 4 ZL001 r", "a 5 ZL001 s" },
	  "rpqs" },
	/* line 0 (a whole-file finding) first; numbers, not text: 10 > 9 */
	{ { "a 10 ZL001 x", "a 9 ZL001 y", "a 0 ZL011 z" }, "zyx" },
	{ { "c 1 ZL001 x", "b 2 ZL002 y", "a 3 ZL003 z", "b 1 ZL009 w",
	    "b 1 ZL001 v" }, "zvwyx" },
	{ { "a 1 ZL001 x" }, "x" },
	{ { NULL }, "" },
};

START_TEST(test_sort)
{
	const struct sort_case *t = &sort_cases[_i];
	struct diag d;
	char got[16] = "";

	diag_init(&d);
	for (size_t i = 0; i < ARRAY_LEN(t->in) && t->in[i]; i++) {
		char file[8], id[8], tag[4];
		int line;

		ck_assert_int_eq(sscanf(t->in[i], "%7s %d %7s %3s", file,
		    &line, id, tag), 4);
		diag_add(&d, file, line, DIAG_ERROR, id, tag, "m%zu", i);
	}
	diag_sort(&d);
	for (size_t i = 0; i < d.n; i++)
		strncat(got, d.v[i].object, sizeof(got) - strlen(got) - 1);
	ck_assert_str_eq(got, t->out);
	/* the findings moved whole: each message still with its tag */
	for (size_t i = 0; i < d.n; i++) {
		size_t k = (size_t)atoi(d.v[i].message + 1);
		char want[16];

		ck_assert_uint_lt(k, ARRAY_LEN(t->in));
		snprintf(want, sizeof(want), "%s", strrchr(t->in[k], ' ') + 1);
		ck_assert_str_eq(d.v[i].object, want);
	}
	diag_free(&d);
}
END_TEST

/* --- JSON ---------------------------------------------------------------- */

START_TEST(test_json)
{
	struct diag d;
	json_error_t jerr;
	json_t *a, *o;
	char *s;

	diag_init(&d);
	s = diag_json(&d);
	ck_assert_ptr_nonnull(s);
	a = json_loads(s, 0, &jerr);
	ck_assert_msg(json_is_array(a) && json_array_size(a) == 0, "%s", s);
	json_decref(a);
	free(s);

	diag_add(&d, "zoned.conf", 42, DIAG_ERROR, "ZL001", "flow \"x\"",
	    "a \"quoted\" %s", "message");
	diag_add(&d, "zoned.conf", 0, DIAG_WARNING, "ZL014", NULL,
	    "日本語 and a\ttab");
	s = diag_json(&d);
	ck_assert_ptr_nonnull(s);
	a = json_loads(s, 0, &jerr);
	ck_assert_msg(a != NULL, "%s: %s", jerr.text, s);
	ck_assert_uint_eq(json_array_size(a), 2);

	o = json_array_get(a, 0);
	ck_assert_uint_eq(json_object_size(o), 6);
	ck_assert_str_eq(json_string_value(json_object_get(o, "file")),
	    "zoned.conf");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "line")), 42);
	ck_assert_str_eq(json_string_value(json_object_get(o, "severity")),
	    "error");
	ck_assert_str_eq(json_string_value(json_object_get(o, "id")), "ZL001");
	ck_assert_str_eq(json_string_value(json_object_get(o, "object")),
	    "flow \"x\"");
	ck_assert_str_eq(json_string_value(json_object_get(o, "message")),
	    "a \"quoted\" message");

	o = json_array_get(a, 1);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "line")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(o, "severity")),
	    "warning");
	ck_assert_str_eq(json_string_value(json_object_get(o, "object")), "");
	ck_assert_str_eq(json_string_value(json_object_get(o, "message")),
	    "日本語 and a\ttab");
	/* the keys in the documented order */
	{
		static const char *const keys[] = { "file", "line",
		    "severity", "id", "object", "message" };
		const char *p = s;

		for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
			char k[32];

			snprintf(k, sizeof(k), "\"%s\":", keys[i]);
			p = strstr(p, k);
			ck_assert_msg(p != NULL, "key %s out of order: %s",
			    keys[i], s);
		}
	}
	json_decref(a);
	free(s);
	diag_free(&d);
}
END_TEST

/* Many findings: past the first allocation, every one kept in order. */
START_TEST(test_many)
{
	struct diag d;

	diag_init(&d);
	for (int i = 0; i < 1000; i++)
		diag_add(&d, "f", i, i % 3 ? DIAG_ERROR : DIAG_WARNING,
		    "ZL000", NULL, "finding %d", i);
	ck_assert_uint_eq(d.n, 1000);
	ck_assert_uint_ge(d.cap, d.n);
	ck_assert_int_eq(d.nwarnings, 334);
	ck_assert_int_eq(d.nerrors, 666);
	for (int i = 0; i < 1000; i++) {
		char want[32];

		snprintf(want, sizeof(want), "finding %d", i);
		if (d.v[i].line != i || strcmp(d.v[i].message, want) != 0)
			ck_abort_msg("finding %d: line %d \"%s\"", i,
			    d.v[i].line, d.v[i].message);
	}
	diag_free(&d);
	ck_assert_uint_eq(d.n, 0);
}
END_TEST

UNIT_SUITE(diag_suite)

static Suite *
diag_suite(void)
{
	Suite *s = suite_create("diag");
	TCase *tc = tcase_create("findings");

	tcase_add_loop_test(tc, test_add, 0, (int)ARRAY_LEN(add_cases));
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_severity_str);
	tcase_add_test(tc, test_print_oom);
	tcase_add_loop_test(tc, test_sort, 0, (int)ARRAY_LEN(sort_cases));
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_many);
	suite_add_tcase(s, tc);
	return s;
}
