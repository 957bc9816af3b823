/*
 * check_textbuf — appends to a string in a fixed buffer (lib/textbuf.c).
 *
 * One table of append sequences on a buffer of a given size, each with the
 * string expected after it: appends that fit, one that is cut, appends to
 * a full buffer (nothing more, nothing past len), empty formats and
 * arguments, and a buffer with no terminating NUL (left alone).  Bytes
 * past len are guarded.
 */
#include <string.h>

#include "textbuf.h"
#include "unit.h"

#define GUARD 8

static const struct append_case {
	size_t len;		/* the buffer as the caller declares it */
	const char *start;	/* its string before; NULL: no NUL at all */
	const char *pieces[4];	/* appended in turn with "%s" */
	const char *want;
} append_cases[] = {
	{ 32, "", { "flow", " \"x\"" }, "flow \"x\"" },
	{ 32, "no flow", { "; ", "tcp/443", " only" },
	    "no flow; tcp/443 only" },
	{ 8, "", { "abcdefg" }, "abcdefg" },		/* exactly full */
	{ 8, "", { "abcdefgh" }, "abcdefg" },		/* cut by one */
	{ 8, "abc", { "defghijk" }, "abcdefg" },	/* cut mid-way */
	{ 8, "abcdefg", { "h", "i" }, "abcdefg" },	/* full: nothing */
	{ 8, "abcdef", { "gh", "i" }, "abcdefg" },	/* cut, then full */
	{ 8, "abc", { "", "d", "" }, "abcd" },
	{ 1, "", { "a", "b" }, "" },			/* room for the NUL */
	{ 8, NULL, { "x" }, NULL },			/* no NUL: untouched */
};

START_TEST(test_append)
{
	const struct append_case *c = &append_cases[_i];
	char buf[64 + GUARD];

	memset(buf, '#', sizeof(buf));
	if (c->start != NULL)
		memcpy(buf, c->start, strlen(c->start) + 1);
	for (size_t i = 0; i < ARRAY_LEN(c->pieces) && c->pieces[i]; i++)
		textbuf_append(buf, c->len, "%s", c->pieces[i]);
	if (c->want != NULL)
		ck_assert_msg(strcmp(buf, c->want) == 0, "row %d: \"%s\", want "
		    "\"%s\"", _i, buf, c->want);
	else
		for (size_t i = 0; i < c->len; i++)
			ck_assert_msg(buf[i] == '#', "row %d: byte %zu written",
			    _i, i);
	for (size_t i = c->len; i < sizeof(buf); i++)
		ck_assert_msg(buf[i] == '#', "row %d: byte %zu past len "
		    "written", _i, i);
}
END_TEST

/* printf conversions, as snprintf() would write them. */
START_TEST(test_formats)
{
	char buf[64] = "ports";

	textbuf_append(buf, sizeof(buf), " %s/%u-%u", "tcp", 3389u, 3390u);
	textbuf_append(buf, sizeof(buf), ", %s%s type %u", "", "icmp", 8u);
	textbuf_append(buf, sizeof(buf), "%c%05.1f%%", ' ', 2.5);
	ck_assert_str_eq(buf, "ports tcp/3389-3390, icmp type 8 002.5%");
}
END_TEST

/* len 0: not even the first byte is read or written. */
START_TEST(test_len_zero)
{
	char buf[4] = "abc";

	textbuf_append(buf, 0, "%s", "x");
	ck_assert_str_eq(buf, "abc");
}
END_TEST

UNIT_SUITE(textbuf_suite)

static Suite *
textbuf_suite(void)
{
	Suite *s = suite_create("textbuf");
	TCase *tc = tcase_create("textbuf");

	tcase_add_loop_test(tc, test_append, 0, (int)ARRAY_LEN(append_cases));
	tcase_add_test(tc, test_formats);
	tcase_add_test(tc, test_len_zero);
	suite_add_tcase(s, tc);
	return s;
}
