/*
 * check_html — lib/html.c, the writer through which every text of the
 * report becomes markup.
 *
 * 1. Escaping, table-driven: the five characters, text that is no UTF-8
 *    (a stray byte, a cut sequence, overlong forms, surrogates, beyond
 *    U+10FFFF), control characters, C1 controls and noncharacters become
 *    U+FFFD; tab, newline, CJK and four-byte characters stay as they are.
 * 2. html_utf8: the length and code point of each form, 0 for the bad.
 * 3. Structure: elements close in order, void elements are written as
 *    <br/> and only they, names come from the program, attribute values
 *    are escaped and a NULL value leaves the attribute out; a misuse fails
 *    the whole document with the reason, and nothing is written after.
 */
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "unit.h"

#define FFFD "\xef\xbf\xbd"

static const struct esc_case {
	const char *in, *want;
} esc_cases[] = {
	{ "plain text", "plain text" },
	{ "a<b>&\"'c", "a&lt;b&gt;&amp;&quot;&#39;c" },
	{ "<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;" },
	{ "&amp;", "&amp;amp;" },
	{ "\"><img src=x onerror=alert(1)>",
	    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" },
	{ "", "" },
	{ "\t\n\r", "\t\n\r" },
	{ "マイナンバー利用事務系", "マイナンバー利用事務系" },
	{ "\xf0\x9f\x94\x92 lock", "\xf0\x9f\x94\x92 lock" },	/* U+1F512 */
	{ "a\xff" "b", "a" FFFD "b" },		/* a byte that starts nothing */
	{ "cut \xe3\x83", "cut " FFFD FFFD },	/* a sequence cut short */
	{ "\xc0\xaf", FFFD FFFD },		/* overlong "/" */
	{ "\xe0\x80\xaf", FFFD FFFD FFFD },	/* overlong, three bytes */
	{ "\xed\xa0\x80", FFFD FFFD FFFD },	/* a surrogate */
	{ "\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD },	/* > U+10FFFF */
	{ "bell\x07", "bell" FFFD },		/* C0 control */
	{ "\x1b[31m", FFFD "[31m" },
	{ "del\x7f", "del" FFFD },
	{ "\xc2\x85", FFFD },			/* C1 control U+0085 */
	{ "\xef\xbf\xbe", FFFD },		/* U+FFFE */
	{ "\xef\xb7\x90", FFFD },		/* U+FDD0 */
	{ "\xf0\x9f\xbf\xbf", FFFD },		/* U+1FFFF */
	{ "\xc2\xa0nbsp", "\xc2\xa0nbsp" },	/* U+00A0 is text */
};

START_TEST(test_escape)
{
	const struct esc_case *c = &esc_cases[_i];
	char *got = html_escape(c->in);

	ck_assert_ptr_nonnull(got);
	ck_assert_msg(strcmp(got, c->want) == 0, "row %d: \"%s\", want \"%s\"",
	    _i, got, c->want);
	free(got);
}
END_TEST

static const struct utf8_case {
	const char *in;
	size_t n, len;
	unsigned cp;
} utf8_cases[] = {
	{ "A", 1, 1, 'A' },
	{ "\xc2\xa9", 2, 2, 0xa9 },
	{ "\xe3\x81\x82", 3, 3, 0x3042 },
	{ "\xf0\x9f\x94\x92", 4, 4, 0x1f512 },
	{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
	{ "\xe3\x81\x82", 2, 0, 0 },		/* n cuts it */
	{ "\xe3\x00", 2, 0, 0 },
	{ "\x80", 1, 0, 0 },
	{ "\xc1\xbf", 2, 0, 0 },
	{ "\xf8\x88\x80\x80\x80", 5, 0, 0 },
	{ "", 0, 0, 0 },
};

START_TEST(test_utf8)
{
	const struct utf8_case *c = &utf8_cases[_i];
	unsigned cp = 0;
	size_t len = html_utf8(c->in, c->n, &cp);

	ck_assert_msg(len == c->len, "row %d: length %zu, want %zu", _i, len,
	    c->len);
	if (len)
		ck_assert_msg(cp == c->cp, "row %d: U+%04X", _i, cp);
}
END_TEST

static char *
finish(struct html *h, char *err, size_t len)
{
	err[0] = '\0';
	return html_finish(h, NULL, err, len);
}

START_TEST(test_document)
{
	struct html h;
	char err[128], *doc;

	html_init(&h);
	html_open(&h, "table", "class", "a\"b", "id", NULL, NULL);
	html_open(&h, "tr", NULL);
	html_elem(&h, "td", NULL, "x<y");
	html_elem(&h, "td", "mono", "");
	html_close(&h, "tr");
	html_close(&h, "table");
	html_void(&h, "br", NULL);
	html_void(&h, "meta", "charset", "utf-8", NULL);
	html_textf(&h, "%d<%s", 3, "&");
	html_raw(&h, "<svg/>", 6);
	doc = finish(&h, err, sizeof(err));
	ck_assert_msg(doc != NULL, "%s", err);
	ck_assert_str_eq(doc, "<table class=\"a&quot;b\"><tr><td>x&lt;y</td>"
	    "<td class=\"mono\"></td></tr></table><br/><meta charset=\"utf-8\"/>"
	    "3&lt;&amp;<svg/>");
	free(doc);
}
END_TEST

/* Each misuse fails the document, naming what went wrong. */
static const struct misuse_case {
	int kind;
	const char *why;
} misuse_cases[] = {
	{ 0, "closing an element that is not the innermost open one: p" },
	{ 1, "element left open: div" },
	{ 2, "not a void element: span" },
	{ 3, "a void element has no content: br" },
	{ 4, "invalid tag name: Script" },
	{ 5, "invalid attribute name: on click" },
	{ 6, "closing an element that is not the innermost open one: td" },
	{ 7, "elements nested too deep: div" },
	{ 8, "invalid tag name: " },
};

START_TEST(test_misuse)
{
	const struct misuse_case *c = &misuse_cases[_i];
	struct html h;
	char err[128], *doc;

	html_init(&h);
	switch (c->kind) {
	case 0:
		html_open(&h, "div", NULL);
		html_close(&h, "p");
		break;
	case 1:
		html_open(&h, "div", NULL);
		break;
	case 2:
		html_void(&h, "span", NULL);
		break;
	case 3:
		html_open(&h, "br", NULL);
		break;
	case 4:
		html_open(&h, "Script", NULL);
		break;
	case 5:
		html_open(&h, "p", "on click", "x", NULL);
		break;
	case 6:
		html_close(&h, "td");
		break;
	case 7:
		for (int i = 0; i <= HTML_DEPTH; i++)
			html_open(&h, "div", NULL);
		break;
	case 8:
		html_open(&h, "", NULL);
		break;
	}
	html_text(&h, "after");	/* nothing is written after a failure */
	doc = finish(&h, err, sizeof(err));
	ck_assert_msg(doc == NULL, "row %d: a document: %s", _i, doc);
	ck_assert_msg(strcmp(err, c->why) == 0, "row %d: \"%s\", want \"%s\"",
	    _i, err, c->why);
	ck_assert_ptr_null(h.buf);
}
END_TEST

START_TEST(test_empty)
{
	struct html h;
	char err[16], *doc;
	size_t len = 99;

	html_init(&h);
	doc = html_finish(&h, &len, err, sizeof(err));
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(doc, "");
	ck_assert_uint_eq(len, 0);
	free(doc);
}
END_TEST

/* A long text grows the buffer past its first size, escaped throughout. */
START_TEST(test_long)
{
	struct html h;
	char err[16], *doc;
	size_t len;

	html_init(&h);
	for (int i = 0; i < 20000; i++)
		html_text(&h, "<&>");
	doc = html_finish(&h, &len, err, sizeof(err));
	ck_assert_ptr_nonnull(doc);
	ck_assert_uint_eq(len, 20000 * strlen("&lt;&amp;&gt;"));
	ck_assert_uint_eq(strlen(doc), len);
	ck_assert(strncmp(doc + len - 13, "&lt;&amp;&gt;", 13) == 0);
	free(doc);
}
END_TEST

UNIT_SUITE(html_suite)

static Suite *
html_suite(void)
{
	Suite *s = suite_create("html");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_escape, 0, (int)ARRAY_LEN(esc_cases));
	tcase_add_loop_test(tc, test_utf8, 0, (int)ARRAY_LEN(utf8_cases));
	tcase_add_test(tc, test_document);
	tcase_add_loop_test(tc, test_misuse, 0, (int)ARRAY_LEN(misuse_cases));
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_long);
	suite_add_tcase(s, tc);
	return s;
}
