/*
 * check_journal — the change journal's chain (lib/journal.c): sealing,
 * verifying an intact journal, and naming the first entry after every
 * single-byte flip, a removed line, swapped lines, a re-sealed entry and a
 * cut-short tail; the flow-by-flow difference of two policies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "diag.h"
#include "journal.h"
#include "unit.h"

#define NLINES 5

struct jbuf {
	char *text;
	size_t len;
	size_t off[NLINES + 1];	/* start of each line, then the end */
	char hash[NLINES][JOURNAL_HASH_LEN + 1];
};

static json_t *
entry(long long seq, const char *action)
{
	return json_pack("{s:I, s:s, s:n, s:s, s:s, s:s}", "seq",
	    (json_int_t)seq, "time", "2026-11-22T09:00:00+09:00", "uid",
	    "user", "-", "action", action, "reason", "caf\xc3\xa9 \"q\" \\ /");
}

static void
build(struct jbuf *j)
{
	const char *prev = JOURNAL_GENESIS;
	char err[128];

	memset(j, 0, sizeof(*j));
	j->text = calloc(1, 1);
	for (int i = 0; i < NLINES; i++) {
		json_t *e = entry(i + 1, i % 2 ? "zone-isolated" : "start");
		char *line = journal_seal(e, prev, j->hash[i], err, sizeof(err));
		ck_assert_msg(line != NULL, "%s", err);
		ck_assert_int_eq(strlen(j->hash[i]), JOURNAL_HASH_LEN);
		j->off[i] = j->len;
		j->text = realloc(j->text, j->len + strlen(line) + 1);
		memcpy(j->text + j->len, line, strlen(line) + 1);
		j->len += strlen(line);
		prev = j->hash[i];
		free(line);
		json_decref(e);
	}
	j->off[NLINES] = j->len;
}

START_TEST(t_intact)
{
	struct journal_check c;
	struct jbuf j;

	build(&j);
	ck_assert_int_eq(journal_verify(j.text, j.len, &c), 0);
	ck_assert_uint_eq(c.entries, NLINES);
	ck_assert_int_eq(c.first_seq, 1);
	ck_assert_int_eq(c.last_seq, NLINES);
	ck_assert_str_eq(c.last_hash, j.hash[NLINES - 1]);
	ck_assert_uint_eq(c.good_len, j.len);
	ck_assert_uint_eq(c.line, 0);
	ck_assert_int_eq(journal_verify("", 0, &c), 0);
	ck_assert_uint_eq(c.entries, 0);
	ck_assert_str_eq(c.last_hash, JOURNAL_GENESIS);
	free(j.text);
}
END_TEST

/* The hash is the SHA-256 of the line without its hash member, as the
 * man page tells an auditor to compute it with sed and sha256sum. */
START_TEST(t_hash_recipe)
{
	struct jbuf j;
	char body[4096], want[JOURNAL_HASH_LEN + 1];
	size_t n;

	build(&j);
	n = j.off[2] - j.off[1] - 1;	/* line 2 without its newline */
	memcpy(body, j.text + j.off[1], n);
	n -= strlen(",\"hash\":\"\"}") + JOURNAL_HASH_LEN;
	body[n++] = '}';
	ck_assert_int_eq(journal_sha256(body, n, want), 0);
	ck_assert_str_eq(want, j.hash[1]);
	ck_assert_msg(strstr(body, j.hash[0]) != NULL, "prev is hashed");
	free(j.text);
}
END_TEST

/* Every single byte of line 3 flipped: entry 3, line 3, is named. */
START_TEST(t_flip_every_byte)
{
	struct journal_check c;
	struct jbuf j;

	build(&j);
	for (size_t i = j.off[2]; i < j.off[3]; i++) {
		char save = j.text[i];
		j.text[i] = (char)(save ^ 0x01);
		ck_assert_msg(journal_verify(j.text, j.len, &c) == 1,
		    "a flip at byte %zu passed", i);
		ck_assert_msg(c.line == 3 && c.seq == 3, "byte %zu: line %zu "
		    "seq %lld: %s", i, c.line, c.seq, c.msg);
		ck_assert_msg(strstr(c.msg, "seq 3") != NULL, "%s", c.msg);
		ck_assert_uint_eq(c.entries, 2);
		ck_assert_uint_eq(c.good_len, j.off[2]);
		j.text[i] = save;
	}
	ck_assert_int_eq(journal_verify(j.text, j.len, &c), 0);
	free(j.text);
}
END_TEST

static char *
without_line(const struct jbuf *j, int k, size_t *len)
{
	size_t a = j->off[k], b = j->off[k + 1];
	char *t = malloc(j->len);

	memcpy(t, j->text, a);
	memcpy(t + a, j->text + b, j->len - b);
	*len = j->len - (b - a);
	return t;
}

START_TEST(t_removed)
{
	static const int lines[] = { 0, 2, NLINES - 2 };
	struct journal_check c;
	struct jbuf j;
	size_t len;

	build(&j);
	for (size_t i = 0; i < ARRAY_LEN(lines); i++) {
		int k = lines[i];
		char *t = without_line(&j, k, &len), want[64];
		ck_assert_int_eq(journal_verify(t, len, &c), 1);
		ck_assert_int_eq(c.seq, k + 1);
		ck_assert_uint_eq(c.line, (size_t)k + 1);
		snprintf(want, sizeof(want), "seq %d was removed", k + 1);
		ck_assert_msg(strstr(c.msg, want) != NULL, "%s", c.msg);
		free(t);
	}
	/* the last line removed: an intact, shorter chain, whose end no
	 * longer matches the hash kept elsewhere */
	{
		char *t = without_line(&j, NLINES - 1, &len);
		ck_assert_int_eq(journal_verify(t, len, &c), 0);
		ck_assert_int_eq(c.last_seq, NLINES - 1);
		ck_assert_str_ne(c.last_hash, j.hash[NLINES - 1]);
		free(t);
	}
	free(j.text);
}
END_TEST

START_TEST(t_swapped)
{
	struct journal_check c;
	struct jbuf j;
	char *t;
	size_t l1, l2;

	build(&j);
	/* lines 2 and 3 change places */
	t = malloc(j.len);
	l1 = j.off[2] - j.off[1];
	l2 = j.off[3] - j.off[2];
	memcpy(t, j.text, j.len);
	memcpy(t + j.off[1], j.text + j.off[2], l2);
	memcpy(t + j.off[1] + l2, j.text + j.off[1], l1);
	ck_assert_int_eq(journal_verify(t, j.len, &c), 1);
	ck_assert_uint_eq(c.line, 2);
	ck_assert_int_eq(c.seq, 3);
	ck_assert_msg(strstr(c.msg, "out of order") != NULL, "%s", c.msg);
	free(t);
	free(j.text);
}
END_TEST

/* An entry altered and sealed again with a fresh hash: the next entry's
 * prev gives it away, and the altered one is named. */
START_TEST(t_resealed)
{
	struct journal_check c;
	struct jbuf j;
	char err[128], hash[JOURNAL_HASH_LEN + 1], *line, *t;
	json_t *e = entry(3, "zone-restored");
	size_t len;

	build(&j);
	line = journal_seal(e, j.hash[1], hash, err, sizeof(err));
	ck_assert_ptr_nonnull(line);
	len = j.off[2] + strlen(line) + (j.len - j.off[3]);
	t = malloc(len);
	memcpy(t, j.text, j.off[2]);
	memcpy(t + j.off[2], line, strlen(line));
	memcpy(t + j.off[2] + strlen(line), j.text + j.off[3],
	    j.len - j.off[3]);
	ck_assert_int_eq(journal_verify(t, len, &c), 1);
	ck_assert_int_eq(c.seq, 3);
	ck_assert_uint_eq(c.line, 3);
	ck_assert_msg(strstr(c.msg, "seq 3 was altered or replaced") != NULL,
	    "%s", c.msg);
	free(t);
	free(line);
	json_decref(e);
	free(j.text);
}
END_TEST

START_TEST(t_cut_short)
{
	struct journal_check c;
	struct jbuf j;

	build(&j);
	ck_assert_int_eq(journal_verify(j.text, j.len - 10, &c), 1);
	ck_assert_uint_eq(c.line, NLINES);
	ck_assert_msg(strstr(c.msg, "cut short") != NULL, "%s", c.msg);
	ck_assert_uint_eq(c.good_len, j.off[NLINES - 1]);
	free(j.text);
}
END_TEST

START_TEST(t_seal_refuses)
{
	char err[128], hash[JOURNAL_HASH_LEN + 1];
	json_t *e = json_pack("{s:s}", "hash", "x"), *a = json_array();

	ck_assert_ptr_null(journal_seal(e, JOURNAL_GENESIS, hash, err,
	    sizeof(err)));
	ck_assert_ptr_null(journal_seal(a, JOURNAL_GENESIS, hash, err,
	    sizeof(err)));
	ck_assert_ptr_null(journal_parse("{}", 2, hash));
	json_decref(e);
	json_decref(a);
}
END_TEST


/* ---------------------------------------------------------------------
 * Flow by flow
 */

#define POL								\
	"version = 1; model = \"alpha\";\n"				\
	"zones = {\n"							\
	"  lgwan = { kind = \"lgwan\"; interfaces = [ \"lg0\" ];"	\
	"            networks = [ \"10.20.0.0/16\" ]; };\n"		\
	"  internet = { kind = \"internet\"; interfaces = [ \"inet0\" ];" \
	"            networks = [ \"0.0.0.0/0\" ]; };\n"		\
	"};\n"								\
	"hosts = { rds = { zone = \"internet\"; address = \"192.0.2.40\";" \
	"  role = \"screen-transfer\"; };\n"				\
	"  terms = { zone = \"lgwan\"; address = \"10.20.100.0/24\"; }; };\n" \
	"services = { rdp = { proto = \"tcp\"; ports = [ 3389 ]; };\n"	\
	"  ica = { proto = \"tcp\"; ports = [ 1494 ]; }; };\n"		\
	"flows = ( %s );\n"

#define FLOW(name, svc, appr, extra)					\
	"{ name = \"" name "\"; from = \"terms\"; to = \"rds\"; service = \"" \
	svc "\"; method = \"screen-transfer\"; approval = \"" appr "\";" \
	extra " }"

static struct policy *
pol(const char *flows)
{
	char text[4096];
	struct policy *p = NULL;
	struct diag d;

	snprintf(text, sizeof(text), POL, flows);
	diag_init(&d);
	ck_assert_int_eq(conf_load_string(text, "t.conf", &p, &d), 0);
	ck_assert_msg(p != NULL && d.nerrors == 0, "%s", unit_diag_dump(&d));
	diag_free(&d);
	return p;
}

static const char *
names(json_t *list, char *buf, size_t len)
{
	size_t i;
	json_t *f;

	buf[0] = '\0';
	json_array_foreach(list, i, f)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? "," :
		    "", json_string_value(json_object_get(f, "flow")));
	return buf;
}

START_TEST(t_flows)
{
	struct policy *a = pol(FLOW("keep", "rdp", "A-1", "") ", "
	    FLOW("gone", "rdp", "A-2", "") ", "
	    FLOW("port", "rdp", "A-3", "") ", "
	    FLOW("appr", "rdp", "A-4", "") ", "
	    FLOW("exp", "rdp", "A-5", ""));
	struct policy *b = pol(FLOW("keep", "rdp", "A-1", "") ", "
	    FLOW("port", "ica", "A-3", "") ", "
	    FLOW("appr", "rdp", "A-9", "") ", "
	    FLOW("exp", "rdp", "A-5",
	    " expires = \"2027-01-01T00:00:00+09:00\";") ", "
	    FLOW("new", "ica", "A-6", ""));
	json_t *f = journal_flows(a, b), *c;
	char buf[256];

	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(names(json_object_get(f, "added"), buf,
	    sizeof(buf)), "new");
	ck_assert_str_eq(names(json_object_get(f, "removed"), buf,
	    sizeof(buf)), "gone");
	c = json_object_get(f, "changed");
	ck_assert_str_eq(names(c, buf, sizeof(buf)), "appr,exp,port");
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_array_get(c, 0), "approval")), "A-9");
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_array_get(c, 0), "approval_before")), "A-4");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
	    json_array_get(c, 1), "was"), 0)), "expires");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(
	    json_array_get(c, 2), "was"), 0)), "definition");
	ck_assert_ptr_null(json_object_get(json_array_get(c, 2),
	    "approval_before"));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(f, "added"), 0), "from")), "lgwan");
	ck_assert_ptr_null(json_object_get(f, "omitted"));
	json_decref(f);

	/* from nothing: every flow added; to nothing: every flow removed */
	f = journal_flows(NULL, b);
	ck_assert_uint_eq(json_array_size(json_object_get(f, "added")), 5);
	json_decref(f);
	f = journal_flows(a, NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(f, "removed")), 5);
	json_decref(f);

	/* an expiry */
	f = journal_expired(b, 1798729200 - 10, 1798729200);
	ck_assert_str_eq(names(json_object_get(f, "removed"), buf,
	    sizeof(buf)), "exp");
	json_decref(f);
	f = journal_expired(b, 1798729200, 1798729200 + 10);
	ck_assert_uint_eq(json_array_size(json_object_get(f, "removed")), 0);
	json_decref(f);
	policy_free(a);
	policy_free(b);
}
END_TEST

UNIT_SUITE(journal_suite)

static Suite *
journal_suite(void)
{
	Suite *s = suite_create("journal");
	TCase *tc = tcase_create("journal");

	tcase_add_test(tc, t_intact);
	tcase_add_test(tc, t_hash_recipe);
	tcase_add_test(tc, t_flip_every_byte);
	tcase_add_test(tc, t_removed);
	tcase_add_test(tc, t_swapped);
	tcase_add_test(tc, t_resealed);
	tcase_add_test(tc, t_cut_short);
	tcase_add_test(tc, t_seal_refuses);
	tcase_add_test(tc, t_flows);
	suite_add_tcase(s, tc);
	return s;
}
