/*
 * check_request — a request line of the control protocol checked before a
 * handler sees it (daemon/zoned/request.c): a key twice is refused at any
 * depth ({"cmd":"status","cmd":"reload"} ran a reload), as are unknown
 * keys, missing or mistyped arguments, and integers out of their range
 * before anything narrows them (sport 4294967376 was port 80).
 */
#include <stdio.h>
#include <string.h>

#include "ctlproto.h"
#include "request.h"
#include "unit.h"

static const struct request_arg spec[] = {
	{ "src", REQUEST_STRING, true, 0, 16 },
	{ "sport", REQUEST_INT, false, 0, 65535 },
	{ "all", REQUEST_BOOL, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

/* The code of line against spec, and the error in err. */
static int
run(const char *line, const struct request_arg *args, char *err, size_t len)
{
	struct request r;
	int code;

	err[0] = '\0';
	if ((code = request_parse(line, &r, err, len)) != CTL_OK)
		return code;
	code = request_check(&r, args, err, len);
	request_free(&r);
	return code;
}

#define BAD(line, args, words) do {					\
	char e_[256];							\
	int c_ = run(line, args, e_, sizeof(e_));			\
	ck_assert_msg(c_ == CTL_BAD_REQUEST && strstr(e_, words) != NULL, \
	    "%s: code %d \"%s\", want 2 with \"%s\"", line, c_, e_, words); \
} while (0)

#define GOOD(line, args) do {						\
	char e_[256];							\
	int c_ = run(line, args, e_, sizeof(e_));			\
	ck_assert_msg(c_ == CTL_OK, "%s: code %d \"%s\"", line, c_, e_); \
} while (0)

START_TEST(test_good)
{
	struct request r;
	long long v = -1;
	char err[256];

	GOOD("{\"cmd\":\"status\"}", NULL);
	GOOD("{\"cmd\":\"status\",\"args\":{}}", NULL);
	GOOD("{\"cmd\":\"x\",\"args\":{\"src\":\"a\"}}", spec);
	GOOD("{\"cmd\":\"x\",\"args\":{\"src\":\"0123456789abcdef\","
	    "\"sport\":65535,\"all\":true}}", spec);
	GOOD("{\"cmd\":\"x\",\"args\":{\"src\":\"a\",\"sport\":0}}", spec);
	ck_assert_int_eq(request_parse("{\"cmd\":\"x\",\"args\":{\"src\":\"h\","
	    "\"sport\":443}}", &r, err, sizeof(err)), CTL_OK);
	ck_assert_str_eq(r.cmd, "x");
	ck_assert_str_eq(request_str(&r, "src"), "h");
	ck_assert(request_int(&r, "sport", &v) && v == 443);
	ck_assert_ptr_null(request_str(&r, "mac"));
	ck_assert(!request_int(&r, "src", &v));
	request_free(&r);
	/* no "args": an empty object */
	ck_assert_int_eq(request_parse("{\"cmd\":\"x\"}", &r, err,
	    sizeof(err)), CTL_OK);
	ck_assert(json_is_object(r.args) && json_object_size(r.args) == 0);
	request_free(&r);
}
END_TEST

START_TEST(test_duplicates)
{
	BAD("{\"cmd\":\"status\",\"cmd\":\"reload\"}", NULL, "duplicate");
	BAD("{\"cmd\":\"x\",\"args\":{\"src\":\"a\",\"src\":\"b\"}}", spec,
	    "duplicate");
	BAD("{\"args\":{},\"cmd\":\"x\",\"args\":{\"src\":\"a\"}}", spec,
	    "duplicate");
}
END_TEST

START_TEST(test_shape)
{
	BAD("hello", NULL, "not a JSON request");
	BAD("", NULL, "not a JSON request");
	BAD("[\"status\"]", NULL, "a JSON object");
	BAD("{\"cmd\":\"status\"} {\"cmd\":\"reload\"}", NULL, "not a JSON");
	BAD("{\"cmd\":1}", NULL, "\"cmd\" (a string)");
	BAD("{\"cmd\":\"\"}", NULL, "\"cmd\" (a string)");
	BAD("{\"args\":{}}", NULL, "\"cmd\" (a string)");
	BAD("{\"cmd\":\"status\",\"args\":[]}", NULL, "\"args\" (an object)");
	BAD("{\"cmd\":\"status\",\"id\":7}", NULL, "unknown key \"id\"");
	BAD("{\"cmd\":\"x\\u0000y\"}", NULL, "not a JSON request");
}
END_TEST

START_TEST(test_args)
{
	BAD("{\"cmd\":\"status\",\"args\":{\"verbose\":true}}", NULL,
	    "\"status\" takes no argument \"verbose\"");
	BAD("{\"cmd\":\"x\",\"args\":{}}", spec, "\"x\" needs \"src\"");
	BAD("{\"cmd\":\"x\",\"args\":{\"src\":7}}", spec,
	    "\"src\" must be a string");
	BAD("{\"cmd\":\"x\",\"args\":{\"src\":\"\"}}", spec, "1 to 16 bytes");
	BAD("{\"cmd\":\"x\",\"args\":{\"src\":\"0123456789abcdefg\"}}", spec,
	    "1 to 16 bytes");
	BAD("{\"cmd\":\"x\",\"args\":{\"src\":\"a\",\"all\":1}}", spec,
	    "\"all\" must be true or false");
	BAD("{\"cmd\":\"x\",\"args\":{\"src\":\"a\",\"prt\":1}}", spec,
	    "takes no argument \"prt\"");
}
END_TEST

/* Every integer is checked as the 64-bit value the request holds. */
START_TEST(test_ranges)
{
	BAD("{\"cmd\":\"x\",\"args\":{\"src\":\"a\",\"sport\":4294967376}}",
	    spec, "\"sport\" must be from 0 to 65535, not 4294967376");
	BAD("{\"cmd\":\"x\",\"args\":{\"src\":\"a\",\"sport\":65536}}", spec,
	    "from 0 to 65535");
	BAD("{\"cmd\":\"x\",\"args\":{\"src\":\"a\",\"sport\":-1}}", spec,
	    "from 0 to 65535");
	BAD("{\"cmd\":\"x\",\"args\":{\"src\":\"a\",\"sport\":"
	    "-9223372036854775808}}", spec, "from 0 to 65535");
	BAD("{\"cmd\":\"x\",\"args\":{\"src\":\"a\",\"sport\":"
	    "99999999999999999999}}", spec, "not a JSON request");
	BAD("{\"cmd\":\"x\",\"args\":{\"src\":\"a\",\"sport\":80.0}}", spec,
	    "\"sport\" must be an integer");
	BAD("{\"cmd\":\"x\",\"args\":{\"src\":\"a\",\"sport\":\"80\"}}", spec,
	    "\"sport\" must be an integer");
}
END_TEST

UNIT_SUITE(request_suite)

static Suite *
request_suite(void)
{
	Suite *s = suite_create("request");
	TCase *tc = tcase_create("request");

	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_shape);
	tcase_add_test(tc, test_args);
	tcase_add_test(tc, test_ranges);
	suite_add_tcase(s, tc);
	return s;
}
