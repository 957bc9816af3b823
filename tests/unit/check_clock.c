/*
 * check_clock — the clock's synchronisation decision
 * (daemon/zoned/clock.c: clock_decide), table-driven over adjtimex values:
 * the return value, the status flags, the estimated and maximum error.
 */
#include <string.h>
#include <sys/timex.h>

#include "clock.h"
#include "unit.h"

static const struct {
	const char *name;
	int ret, status;
	long est, max;
	bool synced;
	const char *why;	/* a word of the reason, "" when synced */
} cases[] = {
	{ "chrony disciplining", TIME_OK, STA_PLL | STA_NANO, 350, 21000,
	  true, "" },
	{ "never synchronised (a fresh boot)", TIME_ERROR,
	  STA_UNSYNC | STA_NANO, 16000000, 16000000, false, "unsynchronised" },
	{ "flag set, state ok", TIME_OK, STA_UNSYNC, 100, 1000, false,
	  "unsynchronised" },
	{ "TIME_ERROR without the flag", TIME_ERROR, STA_PLL, 100, 1000,
	  false, "TIME_ERROR" },
	{ "clock hardware fault", TIME_OK, STA_PLL | STA_CLOCKERR, 100, 1000,
	  false, "hardware" },
	{ "maximum error at the kernel's limit", TIME_OK, STA_PLL, 100,
	  16000000, false, "16 s" },
	{ "estimated error over a second", TIME_OK, STA_PLL, 1000001, 2000000,
	  false, "estimated" },
	{ "estimated error of exactly a second", TIME_OK, STA_PLL,
	  CLOCK_MAX_ESTERROR_US, 2000000, true, "" },
	{ "a leap second announced", TIME_INS, STA_PLL | STA_INS, 100, 5000,
	  true, "" },
	{ "adjtimex failed", -1, 0, 0, 0, false, "failed" },
};

START_TEST(t_decide)
{
	struct clock_state st;

	clock_decide(cases[_i].ret, cases[_i].status, cases[_i].est,
	    cases[_i].max, &st);
	ck_assert_msg(st.synced == cases[_i].synced, "%s: synced %d",
	    cases[_i].name, st.synced);
	ck_assert_int_eq(st.esterror_us, cases[_i].est);
	ck_assert_int_eq(st.maxerror_us, cases[_i].max);
	if (cases[_i].synced)
		ck_assert_str_eq(st.why, "");
	else
		ck_assert_msg(strstr(st.why, cases[_i].why) != NULL,
		    "%s: why \"%s\"", cases[_i].name, st.why);
}
END_TEST

UNIT_SUITE(clock_suite)

static Suite *
clock_suite(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("decide");

	tcase_add_loop_test(tc, t_decide, 0, (int)ARRAY_LEN(cases));
	suite_add_tcase(s, tc);
	return s;
}
