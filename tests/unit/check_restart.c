/*
 * check_restart — the reload decision (daemon/zoned/restart.c): which
 * changes between the running policy and the next one a reload refuses
 * with "restart required", table-driven over small policies.
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "diag.h"
#include "policy.h"
#include "restart.h"
#include "unit.h"

/* A small policy; %s holds the parts a case changes. */
#define BASE								\
	"version = 1; model = \"alpha\";\n"				\
	"zones = {\n"							\
	"  lgwan = { kind = \"lgwan\"; interfaces = [ %s ];"		\
	"            networks = [ \"10.20.0.0/16\" ]; };\n"		\
	"  internet = { kind = \"internet\"; interfaces = [ \"inet0\" ];" \
	"            networks = [ \"0.0.0.0/0\" ]; };\n"		\
	"};\n"								\
	"hosts = { rds = { zone = \"internet\"; address = \"192.0.2.40\";" \
	"  role = \"screen-transfer\"; };\n"				\
	"  terms = { zone = \"lgwan\"; address = \"10.20.100.0/24\"; }; };\n" \
	"services = { rdp = { proto = \"tcp\"; ports = [ 3389 ]; }; };\n" \
	"flows = ( { name = \"browse\"; from = \"terms\"; to = \"rds\";"	\
	"  service = \"rdp\"; method = \"screen-transfer\";"		\
	"  approval = \"A-1\"; }%s );\n"				\
	"control = { socket = \"%s\"; group = \"%s\"; };\n"		\
	"monitor = { snaplen = %d; evidence = { directory = \"%s\"; }; };\n"

struct variant {
	const char *ifaces, *flows, *socket, *group, *evidence;
	int snaplen;
};

static const struct variant base = {
	"\"lg0\"", "", "/run/zoned/zoned.sock", "zoned",
	"/var/lib/zoned/evidence", 128,
};

static struct policy *
make(const struct variant *v)
{
	char text[4096];
	struct policy *p = NULL;
	struct diag d;

	snprintf(text, sizeof(text), BASE, v->ifaces, v->flows, v->socket,
	    v->group, v->snaplen, v->evidence);
	diag_init(&d);
	ck_assert_int_eq(conf_load_string(text, "t.conf", &p, &d), 0);
	ck_assert_msg(p != NULL && d.nerrors == 0, "%s", unit_diag_dump(&d));
	diag_free(&d);
	return p;
}

static const struct {
	const char *name;
	struct variant next;
	bool fixed_socket;	/* false: the socket was given by -s */
	bool restart;
	const char *why;	/* a part of the reason */
} cases[] = {
	{ "the same policy", { "\"lg0\"", "", "/run/zoned/zoned.sock",
	    "zoned", "/var/lib/zoned/evidence", 128 }, true, false, NULL },
	{ "a flow more", { "\"lg0\"", ", { name = \"b2\"; from = \"terms\"; "
	    "to = \"rds\"; service = \"rdp\"; method = \"screen-transfer\"; "
	    "approval = \"A-2\"; }", "/run/zoned/zoned.sock", "zoned",
	    "/var/lib/zoned/evidence", 128 }, true, false, NULL },
	{ "the socket moves", { "\"lg0\"", "", "/run/other.sock", "zoned",
	    "/var/lib/zoned/evidence", 128 }, true, true,
	    "control.socket changes from /run/zoned/zoned.sock to "
	    "/run/other.sock" },
	{ "the socket moves, but -s holds it", { "\"lg0\"", "",
	    "/run/other.sock", "zoned", "/var/lib/zoned/evidence", 128 },
	    false, false, NULL },
	{ "the group changes", { "\"lg0\"", "", "/run/zoned/zoned.sock",
	    "wheel", "/var/lib/zoned/evidence", 128 }, true, true,
	    "control.group changes from zoned to wheel" },
	{ "the snaplen changes", { "\"lg0\"", "", "/run/zoned/zoned.sock",
	    "zoned", "/var/lib/zoned/evidence", 256 }, true, true,
	    "monitor.snaplen changes from 128 to 256" },
	{ "the evidence moves", { "\"lg0\"", "", "/run/zoned/zoned.sock",
	    "zoned", "/srv/evidence", 128 }, true, true,
	    "monitor.evidence.directory changes" },
	{ "an interface more", { "\"lg0\", \"lg1\"", "",
	    "/run/zoned/zoned.sock", "zoned", "/var/lib/zoned/evidence", 128 },
	    true, true, "the set of zone interfaces changes (inet0 lg0 -> "
	    "inet0 lg0 lg1 )" },
};

START_TEST(test_cases)
{
	struct policy *run = make(&base), *next = make(&cases[_i].next);
	struct restart_fixed fixed = {
		.socket = cases[_i].fixed_socket ? base.socket : NULL,
		.group = base.group,
	};
	char why[512] = "";
	bool r = restart_needed(&fixed, run, next, why, sizeof(why));

	ck_assert_msg(r == cases[_i].restart, "%s: restart %d, why \"%s\"",
	    cases[_i].name, r, why);
	if (cases[_i].why)
		ck_assert_msg(strstr(why, cases[_i].why) != NULL,
		    "%s: \"%s\" lacks \"%s\"", cases[_i].name, why,
		    cases[_i].why);
	policy_free(run);
	policy_free(next);
}
END_TEST

/* Nothing running yet (failing closed): only the socket and group count. */
START_TEST(test_from_nothing)
{
	struct variant v = base;
	struct policy *next;
	struct restart_fixed fixed = { base.socket, base.group };
	char why[256] = "";

	v.snaplen = 512;
	next = make(&v);
	ck_assert(!restart_needed(&fixed, NULL, next, why, sizeof(why)));
	policy_free(next);
	v.group = "adm";
	next = make(&v);
	ck_assert(restart_needed(&fixed, NULL, next, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "control.group"));
	policy_free(next);
}
END_TEST

/* The same interfaces in another order are the same set. */
START_TEST(test_order)
{
	struct variant a = base, b = base;
	struct policy *run, *next;
	struct restart_fixed fixed = { base.socket, base.group };
	char why[256] = "";

	a.ifaces = "\"lg0\", \"lg1\"";
	b.ifaces = "\"lg1\", \"lg0\"";
	run = make(&a);
	next = make(&b);
	ck_assert_msg(!restart_needed(&fixed, run, next, why, sizeof(why)),
	    "%s", why);
	policy_free(run);
	policy_free(next);
}
END_TEST

UNIT_SUITE(restart_suite)

static Suite *
restart_suite(void)
{
	Suite *s = suite_create("restart");
	TCase *tc = tcase_create("restart");

	tcase_add_loop_test(tc, test_cases, 0, ARRAY_LEN(cases));
	tcase_add_test(tc, test_from_nothing);
	tcase_add_test(tc, test_order);
	suite_add_tcase(s, tc);
	return s;
}
