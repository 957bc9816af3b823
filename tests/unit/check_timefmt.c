/*
 * check_timefmt — RFC 3339 text of a time (lib/timefmt.c).
 *
 * One table: a time zone (TZ, set with tzset() before each row), a time,
 * the form (local, local with microseconds, UTC) and the text expected,
 * worked out by hand from the calendar: offsets east and west, with
 * minutes, summer and winter time of one zone, UTC whatever TZ says, the
 * epoch and before it, leap days, microsecond boundaries, and a time with
 * no broken-down form.  A second table cuts the output short.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"
#include "unit.h"

enum form { LOCAL, LOCAL_USEC, UTC };

static const struct fmt_case {
	const char *tz;
	time_t t;
	long usec;
	enum form form;
	const char *want;
} fmt_cases[] = {
	/* 1795222800 = 2026-11-21T01:00:00Z */
	{ "JST-9", 1795222800, 0, LOCAL, "2026-11-21T10:00:00+09:00" },
	{ "UTC0", 1795222800, 0, LOCAL, "2026-11-21T01:00:00+00:00" },
	{ "IST-5:30", 1795222800, 0, LOCAL, "2026-11-21T06:30:00+05:30" },
	{ "NPT-5:45", 1795222800, 0, LOCAL, "2026-11-21T06:45:00+05:45" },
	{ "EST5", 1795222800, 0, LOCAL, "2026-11-20T20:00:00-05:00" },
	{ "NST3:30", 1795222800, 0, LOCAL, "2026-11-20T21:30:00-03:30" },
	{ "JST-9", 1798729199, 0, LOCAL, "2026-12-31T23:59:59+09:00" },
	{ "JST-9", 1798729200, 0, LOCAL, "2027-01-01T00:00:00+09:00" },
	/* one zone, winter and summer: 2026-01-15T12:00:00Z and
	 * 2026-07-15T12:00:00Z */
	{ "CET-1CEST,M3.5.0,M10.5.0/3", 1768478400, 0, LOCAL,
	    "2026-01-15T13:00:00+01:00" },
	{ "CET-1CEST,M3.5.0,M10.5.0/3", 1784116800, 0, LOCAL,
	    "2026-07-15T14:00:00+02:00" },
	{ "JST-9", 0, 0, LOCAL, "1970-01-01T09:00:00+09:00" },
	{ "EST5", 0, 0, LOCAL, "1969-12-31T19:00:00-05:00" },
	/* microseconds: always six decimals, before the offset */
	{ "JST-9", 1795222800, 123, LOCAL_USEC,
	    "2026-11-21T10:00:00.000123+09:00" },
	{ "JST-9", 1795222801, 250000, LOCAL_USEC,
	    "2026-11-21T10:00:01.250000+09:00" },
	{ "JST-9", 1795222802, 0, LOCAL_USEC,
	    "2026-11-21T10:00:02.000000+09:00" },
	{ "JST-9", 1795222802, 999999, LOCAL_USEC,
	    "2026-11-21T10:00:02.999999+09:00" },
	{ "EST5", 1795222800, 1, LOCAL_USEC,
	    "2026-11-20T20:00:00.000001-05:00" },
	{ "IST-5:30", 1795222800, 500000, LOCAL_USEC,
	    "2026-11-21T06:30:00.500000+05:30" },
	/* UTC is UTC whatever TZ says */
	{ "JST-9", 1795219200, 0, UTC, "2026-11-21T00:00:00Z" },
	{ "EST5", 1795219200, 0, UTC, "2026-11-21T00:00:00Z" },
	{ "UTC0", 0, 0, UTC, "1970-01-01T00:00:00Z" },
	{ "JST-9", -1, 0, UTC, "1969-12-31T23:59:59Z" },
	{ "JST-9", 1709251199, 0, UTC, "2024-02-29T23:59:59Z" },
	{ "JST-9", 951782400, 0, UTC, "2000-02-29T00:00:00Z" },
	{ "JST-9", 4102444800, 0, UTC, "2100-01-01T00:00:00Z" },
	{ "JST-9", 1798729199, 0, UTC, "2026-12-31T14:59:59Z" },
	/* no broken-down form: seconds since the epoch */
	{ "JST-9", INT64_MAX, 0, UTC, "9223372036854775807" },
	{ "JST-9", INT64_MAX, 0, LOCAL, "9223372036854775807" },
	{ "JST-9", INT64_MAX, 123, LOCAL_USEC, "9223372036854775807.000123" },
};

static const char *
fmt(enum form form, time_t t, long usec, char *buf, size_t len)
{
	switch (form) {
	case LOCAL:
		return timefmt_local(t, buf, len);
	case LOCAL_USEC:
		return timefmt_local_usec(t, usec, buf, len);
	case UTC:
		return timefmt_utc(t, buf, len);
	}
	return NULL;
}

START_TEST(test_format)
{
	const struct fmt_case *c = &fmt_cases[_i];
	char buf[TIMEFMT_LEN];

	setenv("TZ", c->tz, 1);
	tzset();
	memset(buf, 'x', sizeof(buf));
	ck_assert_ptr_eq(fmt(c->form, c->t, c->usec, buf, sizeof(buf)), buf);
	ck_assert_msg(strcmp(buf, c->want) == 0, "row %d (TZ=%s, %lld): "
	    "\"%s\", want \"%s\"", _i, c->tz, (long long)c->t, buf, c->want);
	ck_assert_uint_lt(strlen(c->want), TIMEFMT_LEN);
}
END_TEST

/* Short buffers: the text cut as snprintf() cuts it, always terminated;
 * nothing written past len. */
static const struct cut_case {
	enum form form;
	size_t len;
	const char *want;
} cut_cases[] = {
	{ LOCAL, 26, "2026-11-21T10:00:00+09:00" },	/* exactly */
	{ LOCAL, 25, "2026-11-21T10:00:00+09:0" },
	{ LOCAL, 11, "2026-11-21" },
	{ LOCAL, 1, "" },
	{ LOCAL_USEC, 33, "2026-11-21T10:00:00.000123+09:00" },
	{ LOCAL_USEC, 27, "2026-11-21T10:00:00.000123" },
	{ LOCAL_USEC, 20, "2026-11-21T10:00:00" },
	{ UTC, 21, "2026-11-21T01:00:00Z" },
	{ UTC, 20, "2026-11-21T01:00:00" },
	{ UTC, 1, "" },
};

START_TEST(test_cut)
{
	const struct cut_case *c = &cut_cases[_i];
	char buf[TIMEFMT_LEN + 8];

	setenv("TZ", "JST-9", 1);
	tzset();
	memset(buf, 'x', sizeof(buf));
	ck_assert_ptr_eq(fmt(c->form, 1795222800, 123, buf, c->len), buf);
	ck_assert_msg(strcmp(buf, c->want) == 0, "row %d: \"%s\", want "
	    "\"%s\"", _i, buf, c->want);
	for (size_t i = c->len; i < sizeof(buf); i++)
		ck_assert_msg(buf[i] == 'x', "row %d: byte %zu written", _i, i);
}
END_TEST

/* len 0: nothing written at all. */
START_TEST(test_len_zero)
{
	char buf[4] = "abc";

	ck_assert_ptr_eq(timefmt_local(1795222800, buf, 0), buf);
	ck_assert_ptr_eq(timefmt_local_usec(1795222800, 5, buf, 0), buf);
	ck_assert_ptr_eq(timefmt_utc(1795222800, buf, 0), buf);
	ck_assert_str_eq(buf, "abc");
}
END_TEST

UNIT_SUITE(timefmt_suite)

static Suite *
timefmt_suite(void)
{
	Suite *s = suite_create("timefmt");
	TCase *tc = tcase_create("timefmt");

	tcase_add_loop_test(tc, test_format, 0, (int)ARRAY_LEN(fmt_cases));
	tcase_add_loop_test(tc, test_cut, 0, (int)ARRAY_LEN(cut_cases));
	tcase_add_test(tc, test_len_zero);
	suite_add_tcase(s, tc);
	return s;
}
