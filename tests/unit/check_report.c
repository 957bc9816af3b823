/*
 * check_report — the audit report (lib/report*.c): its model from a
 * policy and from the daemon's answers made up here, its self-inspection
 * list, its diagram and its HTML, each from a model built in the test.
 *
 * 1. conf/alpha.conf offline: the counts, each flow's class, every rule
 *    passing, the daemon's facts "offline", the diagram's nodes and edges.
 * 2. The exceptions ledger at a fixed time: expired, expiring within 30
 *    days, valid, permanent, with the days left; the inspection items.
 * 3. ZL010 goes to the clause of its flow (My Number or LGWAN/Internet).
 * 4. The daemon's answers: an older daemon (isolated zones as names, no
 *    clock, no journal, no flow usage: 未記録), a newer one (the clock
 *    unsynchronised, isolation with who and why, a pending confirmation,
 *    flow usage with the unused flows of N days), drift, no answer.
 * 5. HTML from models: the states' words, a tampered journal's 改ざんの
 *    疑い with its first bad entry, text from the policy escaped.
 * 6. The diagram: one node per zone, every host and crossing, and one
 *    arrow a zone pair for a policy of many flows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "conf.h"
#include "diag.h"
#include "lint.h"
#include "report.h"
#include "unit.h"

#define NOW ((time_t)1795219200)	/* 2026-11-21T00:00:00Z */
#define DAY 86400

struct fixture {
	struct policy *pol;
	struct diag d;
	json_t *m;
};

static json_t *
build(struct fixture *fx, const char *text, const struct report_live *live,
    int unused_days)
{
	struct report_input in = { .file = "t.conf", .sha256 = "ab12",
	    .now = NOW, .unused_days = unused_days, .appliance = "gw1",
	    .live = live };
	char err[256];

	diag_init(&fx->d);
	fx->pol = NULL;
	ck_assert_int_eq(conf_load_string(text, "t.conf", &fx->pol, &fx->d),
	    0);
	if (fx->pol)
		lint_run(fx->pol, &fx->d, NOW);
	in.pol = fx->pol;
	in.diag = &fx->d;
	fx->m = report_build(&in, err, sizeof(err));
	ck_assert_msg(fx->m != NULL, "%s", err);
	return fx->m;
}

static void
fixture_free(struct fixture *fx)
{
	json_decref(fx->m);
	policy_free(fx->pol);
	diag_free(&fx->d);
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	ck_assert_msg(fp != NULL, "%s (run from the top of the tree)", path);
	n = fread(buf, 1, (1 << 20) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* m at a path of member names and array indices ("flows.0.class"). */
static const json_t *
at(const json_t *m, const char *path)
{
	char buf[256], *tok, *save = NULL;
	const json_t *v = m;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && v;
	    tok = strtok_r(NULL, ".", &save))
		v = json_is_array(v) ? json_array_get(v, strtoul(tok, NULL,
		    10)) : json_object_get(v, tok);
	return v;
}

static const char *
str(const json_t *m, const char *path)
{
	const char *s = json_string_value(at(m, path));

	return s ? s : "(none)";
}

static long long
num(const json_t *m, const char *path)
{
	return json_integer_value(at(m, path));
}

static const json_t *
flow(const json_t *m, const char *name)
{
	const json_t *f;
	size_t i;

	json_array_foreach(json_object_get(m, "flows"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "name")),
		    name) == 0)
			return f;
	ck_abort_msg("no flow %s", name);
	return NULL;
}

/* The inspection items of a kind, as "object|text" lines. */
static char *
items(const json_t *m, const char *kind)
{
	static char buf[4096];
	const json_t *v;
	size_t i;

	buf[0] = '\0';
	json_array_foreach(at(m, "inspection.items"), i, v)
		if (strcmp(str(v, "kind"), kind) == 0)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			    "%s|%s\n", str(v, "object"), str(v, "text"));
	return buf;
}

/* ---------------------------------------------------------------------
 * 1. conf/alpha.conf
 */

START_TEST(test_alpha)
{
	struct fixture fx;
	char *text = slurp("conf/alpha.conf");
	const json_t *m = build(&fx, text, NULL, 90), *c, *r;
	size_t i, j;

	ck_assert_int_eq(num(m, "counts.zones"), 3);
	ck_assert_int_eq(num(m, "counts.hosts"), 15);
	ck_assert_int_eq(num(m, "counts.flows"), 9);
	ck_assert_int_eq(num(m, "counts.approvals"), 9);
	ck_assert_str_eq(str(m, "policy.model_label"), "αモデル");
	ck_assert_str_eq(str(flow(m, "atena-chukan"), "class"), "mynumber");
	ck_assert_str_eq(str(flow(m, "pittari-feed"), "class"), "mynumber");
	ck_assert_str_eq(str(flow(m, "browse"), "class"), "lgwan-internet");
	ck_assert_str_eq(str(flow(m, "browse"), "service_text"),
	    "tcp/3389, udp/3389");
	ck_assert_str_eq(str(flow(m, "juki-cs"), "service_text"),
	    "tcp/700, tcp/8000-8003");
	ck_assert_str_eq(str(flow(m, "mail-in"), "method_label"),
	    "メール無害化（テキスト化）");
	json_array_foreach(json_object_get(m, "clauses"), i, c)
		json_array_foreach(json_object_get(c, "rules"), j, r)
			ck_assert_msg(strcmp(str(r, "result"), "pass") == 0,
			    "%s %s: %s", str(c, "id"), str(r, "id"),
			    str(r, "result"));
	ck_assert_int_eq(json_array_size(at(m, "clauses.0.flows")), 4);
	ck_assert_int_eq(json_array_size(at(m, "clauses.1.flows")), 5);
	ck_assert_int_eq(json_array_size(at(m, "clauses.2.flows")), 0);
	for (const char *const *k = (const char *const[]){ "daemon", "clock",
	    "kernel", "isolation", "confirm", "alerts", "journal", NULL }; *k;
	    k++)
		ck_assert_msg(strcmp(str(json_object_get(m, *k), "state"),
		    "offline") == 0, "%s", *k);
	ck_assert_str_eq(str(m, "flows.0.usage.state"), "offline");
	ck_assert_str_eq(str(m, "inspection.unused.state"), "offline");
	ck_assert_int_eq(json_array_size(at(m, "inspection.items")), 0);
	ck_assert(!json_is_true(at(m, "diagram.grouped")));
	ck_assert_int_eq(json_array_size(at(m, "diagram.nodes")), 3 + 15);
	ck_assert_int_eq(json_array_size(at(m, "diagram.edges")), 9);
	ck_assert_str_eq(str(m, "diagram.edges.0.class"), "mynumber");
	ck_assert_str_eq(str(m, "diagram.edges.0.from"), "host_0");
	ck_assert_str_eq(str(m, "diagram.edges.0.to"), "host_4");
	fixture_free(&fx);
	free(text);
}
END_TEST

/* ---------------------------------------------------------------------
 * 2. The exceptions ledger
 */

#define HEAD \
    "version = 1; model = \"alpha\";\n" \
    "zones = {\n" \
    "  mn = { kind = \"mynumber\"; interfaces = \"mn0\"; networks = " \
    "[ \"10.10.0.0/16\" ]; };\n" \
    "  lg = { kind = \"lgwan\"; interfaces = \"lg0\"; networks = " \
    "[ \"10.20.0.0/16\" ]; };\n" \
    "  in = { kind = \"internet\"; interfaces = \"in0\"; networks = " \
    "[ \"0.0.0.0/0\" ]; };\n" \
    "};\n" \
    "hosts = {\n" \
    "  a = { zone = \"mn\"; address = \"10.10.0.1\"; " \
    "mac = \"02:00:00:00:00:01\"; comment = \"<b>a</b>\"; };\n" \
    "  p = { zone = \"lg\"; address = \"10.20.0.2\"; role = " \
    "\"public-system\"; };\n" \
    "  t = { zone = \"lg\"; address = \"10.20.0.3\"; };\n" \
    "  u = { zone = \"lg\"; address = \"10.20.0.4\"; };\n" \
    "  r = { zone = \"in\"; address = \"192.0.2.1\"; role = " \
    "\"screen-transfer\"; };\n" \
    "};\n" \
    "services = { https = { proto = \"tcp\"; ports = [ 443 ]; };\n" \
    "  rdp = { proto = \"tcp\"; ports = [ 3389 ]; }; };\n"

static const char LEDGER[] = HEAD
    "flows = (\n"
    "  { name = \"old\"; from = \"t\"; to = \"r\"; service = \"rdp\";\n"
    "    method = \"screen-transfer\"; approval = \"A-1\";\n"
    "    expires = \"2026-11-11T00:00:00Z\"; },\n"
    "  { name = \"soon\"; from = \"t\"; to = \"r\"; service = \"rdp\";\n"
    "    method = \"screen-transfer\"; approval = \"A-2\"; comment = \"c2\";\n"
    "    expires = \"2026-12-01T12:00:00Z\"; },\n"
    "  { name = \"later\"; from = \"u\"; to = \"r\"; service = \"rdp\";\n"
    "    method = \"screen-transfer\"; approval = \"A-3\";\n"
    "    expires = \"2027-01-10T00:00:00Z\"; },\n"
    "  { name = \"always\"; from = \"a\"; to = \"p\"; service = \"https\";\n"
    "    method = \"specific\"; approval = \"A-4\"; },\n"
    "  { name = \"local\"; from = \"t\"; to = \"u\"; service = \"https\"; }\n"
    ");\n";

START_TEST(test_ledger)
{
	struct fixture fx;
	const json_t *m = build(&fx, LEDGER, NULL, 90);
	const json_t *e = at(m, "exceptions.entries");
	static const struct { const char *flow, *status; long long left; }
	    want[] = {
		{ "old", "expired", -10 }, { "soon", "expiring", 10 },
		{ "later", "valid", 50 }, { "always", "permanent", 0 },
	};

	ck_assert_int_eq(json_array_size(e), 4);	/* "local": neither */
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		const json_t *v = json_array_get(e, i);
		ck_assert_str_eq(str(v, "flow"), want[i].flow);
		ck_assert_str_eq(str(v, "status"), want[i].status);
		if (want[i].left)
			ck_assert_int_eq(num(v, "days_left"), want[i].left);
		else
			ck_assert(json_is_null(json_object_get(v, "days_left")));
	}
	ck_assert_str_eq(str(e, "1.comment"), "c2");
	ck_assert_int_eq(num(m, "exceptions.expired"), 1);
	ck_assert_int_eq(num(m, "exceptions.expiring"), 1);
	ck_assert_str_eq(items(m, "expired"), "flow \"old\" (A-1)|例外措置の"
	    "期限（2026-11-11T00:00:00+00:00）を過ぎています（10日経過）。"
	    "通信は既に止まっています。\n");
	ck_assert_str_eq(items(m, "expiring"), "flow \"soon\" (A-2)|例外措置"
	    "の期限（2026-12-01T12:00:00+00:00）まであと10日です。\n");
	/* ZL014 warns of "old": in the ledger's item, not twice */
	ck_assert_str_eq(items(m, "warning"), "");
	fixture_free(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * 3. ZL010 by clause
 */

static const char NOAPPROVAL[] = HEAD
    "flows = (\n"
    "  { name = \"mn-out\"; from = \"a\"; to = \"p\"; service = \"https\";\n"
    "    method = \"specific\"; },\n"
    "  { name = \"browse\"; from = \"t\"; to = \"r\"; service = \"rdp\";\n"
    "    method = \"screen-transfer\"; approval = \"A-9\"; }\n"
    ");\n";

static const json_t *
rule(const json_t *m, const char *clause, const char *id)
{
	const json_t *c, *r;
	size_t i, j;

	json_array_foreach(json_object_get(m, "clauses"), i, c)
		if (strcmp(str(c, "id"), clause) == 0)
			json_array_foreach(json_object_get(c, "rules"), j, r)
				if (strcmp(str(r, "id"), id) == 0)
					return r;
	ck_abort_msg("no rule %s in %s", id, clause);
	return NULL;
}

START_TEST(test_clauses)
{
	struct fixture fx;
	const json_t *m = build(&fx, NOAPPROVAL, NULL, 90);

	ck_assert_str_eq(str(rule(m, "mynumber", "ZL010"), "result"), "fail");
	ck_assert_int_eq(json_array_size(json_object_get(rule(m, "mynumber",
	    "ZL010"), "findings")), 1);
	ck_assert_str_eq(str(rule(m, "lgwan-internet", "ZL010"), "result"),
	    "pass");
	ck_assert_str_eq(str(rule(m, "mynumber", "ZL001"), "result"), "pass");
	ck_assert_int_eq(num(m, "policy.errors"), 1);
	ck_assert_str_eq(items(m, "policy-error"), "t.conf|ポリシーファイルに"
	    "1件のエラーがあり、このファイルは適用できません。\n");
	fixture_free(&fx);
}
END_TEST

/* A file that does not load: nothing judged but the loader's rule. */
START_TEST(test_syntax_error)
{
	struct fixture fx;
	const json_t *m = build(&fx, "zones = { a = ", NULL, 90);

	ck_assert(json_is_false(at(m, "policy.loaded")));
	ck_assert_str_eq(str(rule(m, "integrity", "ZL011"), "result"), "fail");
	ck_assert_str_eq(str(rule(m, "mynumber", "ZL001"), "result"),
	    "unjudged");
	ck_assert_int_eq(num(m, "counts.zones"), 0);
	ck_assert_int_eq(json_array_size(at(m, "diagram.nodes")), 0);
	fixture_free(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * 4. The daemon's answers
 */

static const char SMALL[] = HEAD
    "flows = (\n"
    "  { name = \"mn-out\"; from = \"a\"; to = \"p\"; service = \"https\";\n"
    "    method = \"specific\"; approval = \"A-1\"; },\n"
    "  { name = \"browse\"; from = \"t\"; to = \"r\"; service = \"rdp\";\n"
    "    method = \"screen-transfer\"; approval = \"A-2\"; },\n"
    "  { name = \"browse2\"; from = \"u\"; to = \"r\"; service = \"rdp\";\n"
    "    method = \"screen-transfer\"; approval = \"A-3\"; },\n"
    "  { name = \"local\"; from = \"t\"; to = \"u\"; service = \"https\"; }\n"
    ");\n";

/* The answers of today's zoned: no clock, no journal, isolated zones as
 * names, flows with packets only. */
START_TEST(test_live_older)
{
	struct fixture fx;
	json_t *st = json_loads("{\"pid\": 7, \"started\": \"2026-11-20T09:00:00"
	    "+09:00\", \"mode\": \"enforcing\", \"fail_reason\": null,"
	    "\"isolated\": [\"in\"], \"policy\": {\"file\": \"t.conf\","
	    "\"sha256\": \"ab12\"}, \"kernel\": {\"verified\": true,"
	    "\"match\": true, \"differences\": 0}, \"enforce\": {\"mode\":"
	    "\"dual\", \"queue\": null}, \"monitor\": {\"interfaces\": [{"
	    "\"name\": \"mn0\", \"zone\": \"mn\", \"attached\": true}, {"
	    "\"name\": \"in0\", \"zone\": \"in\", \"attached\": false}]}}", 0,
	    NULL);
	json_t *flows = json_loads("[{\"name\": \"mn-out\", \"packets\": 12,"
	    "\"bytes\": 900}]", 0, NULL);
	json_t *zones = json_loads("[{\"name\": \"mn\", \"interfaces\": [{"
	    "\"name\": \"mn0\", \"state\": \"up\"}], \"permitted_in\": 5,"
	    "\"permitted_out\": 6, \"denied_in\": 7, \"denied_out\": 8}]", 0,
	    NULL);
	json_t *alerts = json_loads("[{\"id\": 1, \"kind\": \"lgwan-probe\","
	    "\"time\": \"t\"}, {\"id\": 2, \"kind\": \"lgwan-probe\"}, {\"id\":"
	    "3, \"kind\": \"flood\"}]", 0, NULL);
	struct report_live live = { .status = st, .zones = zones,
	    .flows = flows, .alerts = alerts };
	const json_t *m = build(&fx, SMALL, &live, 90);

	ck_assert(json_is_true(at(m, "online")));
	ck_assert_str_eq(str(m, "daemon.state"), "recorded");
	ck_assert_str_eq(str(m, "daemon.mode_label"), "ポリシーを適用中");
	ck_assert(json_is_true(at(m, "policy.matches_running")));
	ck_assert_str_eq(str(m, "clock.state"), "unrecorded");
	ck_assert_str_eq(str(m, "journal.state"), "unrecorded");
	ck_assert_str_eq(str(m, "confirm.state"), "unrecorded");
	ck_assert_str_eq(str(m, "kernel.state"), "recorded");
	ck_assert(json_is_true(at(m, "kernel.match")));
	ck_assert_str_eq(str(m, "isolation.zones.0.zone"), "in");
	ck_assert_str_eq(str(m, "zones.2.isolated.zone"), "in");
	ck_assert(json_is_null(at(m, "zones.0.isolated")));
	ck_assert_str_eq(str(m, "zones.0.interfaces.0.state"), "up");
	ck_assert_int_eq(num(m, "zones.0.traffic.denied_out"), 8);
	ck_assert_int_eq(num(flow(m, "mn-out"), "usage.packets"), 12);
	ck_assert_str_eq(str(flow(m, "mn-out"), "usage.state"), "unrecorded");
	ck_assert_str_eq(str(m, "inspection.unused.state"), "unrecorded");
	ck_assert_int_eq(num(m, "alerts.total"), 3);
	ck_assert_str_eq(str(m, "alerts.kinds.0.kind"), "lgwan-probe");
	ck_assert_int_eq(num(m, "alerts.kinds.0.count"), 2);
	ck_assert_str_eq(str(m, "alerts.kinds.1.kind"), "flood");
	ck_assert_int_eq(num(m, "alerts.kinds.1.count"), 1);
	ck_assert_str_eq(str(m, "alerts.list.0.label"),
	    "LGWAN・マイナンバー系アドレスへの探索");
	ck_assert_str_eq(items(m, "isolated"), "in|ゾーン in は緊急遮断中です。\n");
	ck_assert_str_eq(items(m, "monitor"), "in0|インタフェース in0 の監視が"
	    "動作していません。\n");
	ck_assert_str_eq(items(m, "alerts"), "alerts|警報が3件あります。\n");
	ck_assert_str_eq(items(m, "clock"), "");
	json_decref(st);
	json_decref(flows);
	json_decref(zones);
	json_decref(alerts);
	fixture_free(&fx);
}
END_TEST

/* The answers of a zoned that keeps the clock, isolation details,
 * commit-confirm and flow usage; drift; the file changed since. */
START_TEST(test_live_newer)
{
	struct fixture fx;
	char usage[1024];
	json_t *st = json_loads("{\"mode\": \"enforcing\", \"isolated\": [{"
	    "\"zone\": \"in\", \"since\": \"s\", \"uid\": 0, \"user\": \"root\","
	    "\"reason\": \"incident 7\"}], \"policy\": {\"file\": \"t.conf\","
	    "\"sha256\": \"cd34\"}, \"clock\": {\"synchronised\": false,"
	    "\"estimated_error_us\": 16000000, \"maximum_error_us\": 16000000,"
	    "\"why\": \"the kernel's unsynchronised flag\"}, \"confirm\": {"
	    "\"state\": \"pending\", \"seconds_left\": 30}}", 0, NULL);
	json_t *verify = json_loads("{\"match\": false, \"differences\": 2,"
	    "\"lines\": [\"- a\", \"+ b\"]}", 0, NULL);
	json_t *flows;
	struct report_live live = { .status = st, .verify = verify };
	const json_t *m;

	/* last hits 100 and 10 days ago; never hit, counted for 200 and
	 * for 5 days */
	snprintf(usage, sizeof(usage), "[{\"name\": \"mn-out\", \"packets\":"
	    "1, \"first_hit\": \"2026-01-01T00:00:00Z\", \"last_hit\": "
	    "\"2026-08-13T00:00:00Z\"}, {\"name\": \"browse\", \"packets\": 9,"
	    "\"first_hit\": \"2026-01-01T00:00:00Z\", \"last_hit\": "
	    "\"2026-11-11T00:00:00Z\"}, {\"name\": \"browse2\", \"packets\": 0,"
	    "\"first_hit\": null, \"last_hit\": null, \"counted_since\": "
	    "\"2026-05-05T00:00:00Z\"}, {\"name\": \"local\", \"packets\": 0,"
	    "\"first_hit\": null, \"last_hit\": null, \"counted_since\": "
	    "\"2026-11-16T00:00:00Z\"}]");
	flows = json_loads(usage, 0, NULL);
	live.flows = flows;
	m = build(&fx, SMALL, &live, 90);
	ck_assert_str_eq(str(m, "clock.state"), "recorded");
	ck_assert(json_is_false(at(m, "clock.synchronised")));
	ck_assert_str_eq(items(m, "clock"), "clock|システムの時刻が同期されて"
	    "いません（the kernel's unsynchronised flag）。\n");
	ck_assert_str_eq(str(m, "isolation.zones.0.reason"), "incident 7");
	ck_assert_str_eq(str(m, "confirm.pending.state"), "pending");
	ck_assert(json_is_false(at(m, "kernel.match")));
	ck_assert_int_eq(num(m, "kernel.differences"), 2);
	ck_assert_str_eq(items(m, "drift"), "table inet zoned|カーネルの"
	    "ルールセットがポリシーと一致しません（2件の差分）。\n");
	ck_assert(json_is_false(at(m, "policy.matches_running")));
	ck_assert_str_eq(str(m, "inspection.unused.state"), "recorded");
	ck_assert_str_eq(items(m, "unused"), "flow \"mn-out\"|90日以上使われて"
	    "いません（最終利用 2026-08-13T00:00:00Z）。\nflow \"browse2\"|"
	    "一度も使われていません（90日以上）。\n");
	ck_assert_int_eq(json_array_size(at(m, "inspection.unused.flows")), 2);
	fixture_free(&fx);
	/* the same at 120 days: only the one never hit */
	m = build(&fx, SMALL, &live, 120);
	ck_assert_str_eq(items(m, "unused"), "flow \"browse2\"|一度も使われて"
	    "いません（120日以上）。\n");
	fixture_free(&fx);
	json_decref(st);
	json_decref(verify);
	json_decref(flows);
}
END_TEST

/* No status answer: every daemon fact unavailable, with why. */
START_TEST(test_live_none)
{
	struct fixture fx;
	struct report_live live = { .why = "status: permission denied" };
	const json_t *m = build(&fx, SMALL, &live, 90);

	ck_assert_str_eq(str(m, "daemon.state"), "unavailable");
	ck_assert_str_eq(str(m, "journal.why"), "status: permission denied");
	ck_assert_str_eq(str(m, "alerts.state"), "unavailable");
	fixture_free(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * 5. HTML from models
 */

static char *
html_of(const json_t *m)
{
	char err[256], *doc;
	size_t len;

	doc = report_html(m, NULL, "no diagram in this test", &len, err,
	    sizeof(err));
	ck_assert_msg(doc != NULL, "%s", err);
	ck_assert_uint_eq(strlen(doc), len);
	return doc;
}

/* The text of one section of the document (between its tags). */
static char *
section(const char *doc, const char *id)
{
	static char buf[1 << 16];
	char open[64];
	const char *s, *e;

	snprintf(open, sizeof(open), "<section id=\"%s\"", id);
	ck_assert_msg((s = strstr(doc, open)) != NULL, "no section %s", id);
	e = strstr(s, "</section>");
	snprintf(buf, sizeof(buf), "%.*s", (int)(e - s), s);
	return buf;
}

START_TEST(test_html_states)
{
	struct fixture fx;
	json_t *m = build(&fx, SMALL, NULL, 90);
	char *doc = html_of(m);

	ck_assert(strncmp(doc, "<!DOCTYPE html>\n<html lang=\"ja\"", 31) == 0);
	ck_assert_ptr_nonnull(strstr(section(doc, "s5"),
	    "オフラインでは取得できません"));
	ck_assert_ptr_nonnull(strstr(section(doc, "s2"),
	    "図を作成できませんでした: no diagram in this test"));
	ck_assert_ptr_nonnull(strstr(doc, "&lt;b&gt;a&lt;/b&gt;"));
	ck_assert_ptr_null(strstr(doc, "<b>"));
	ck_assert_ptr_null(strstr(doc, "<script"));
	free(doc);
	/* the journal of a daemon that keeps none */
	json_object_set_new(m, "journal", json_pack("{s:s, s:s}", "state",
	    "unrecorded", "why", "this zoned keeps no change journal"));
	doc = html_of(m);
	ck_assert_ptr_nonnull(strstr(section(doc, "s5"), "未記録（this zoned "
	    "keeps no change journal）"));
	free(doc);
	/* an intact one and a tampered one */
	json_object_set_new(m, "journal", json_pack("{s:s, s:s, s:b, s:i, "
	    "s:[{s:i, s:s, s:s, s:s, s:n}]}", "state", "recorded", "file",
	    "/var/lib/zoned/journal", "intact", 1, "total", 1, "entries",
	    "seq", 1, "time", "2026-11-20T09:00:00+09:00", "action",
	    "zone-isolated", "zone", "in<1>", "uid"));
	doc = html_of(m);
	ck_assert_ptr_nonnull(strstr(section(doc, "s5"), "改ざんなし"));
	ck_assert_ptr_nonnull(strstr(section(doc, "s5"), "ゾーンの緊急遮断"));
	ck_assert_ptr_nonnull(strstr(section(doc, "s5"), "ゾーン in&lt;1&gt;"));
	ck_assert_ptr_null(strstr(doc, "改ざんの疑い"));
	free(doc);
	json_object_set_new(json_object_get(m, "journal"), "intact",
	    json_false());
	json_object_set_new(json_object_get(m, "journal"), "first_bad_line",
	    json_integer(3));
	json_object_set_new(json_object_get(m, "journal"), "first_bad_seq",
	    json_integer(3));
	json_object_set_new(json_object_get(m, "journal"), "message",
	    json_string("entry 3 was altered"));
	doc = html_of(m);
	ck_assert_ptr_nonnull(strstr(section(doc, "s5"), "改ざんの疑い"));
	ck_assert_ptr_nonnull(strstr(section(doc, "s5"), "最初の不正な記録: 3 "
	    "行目（番号 3） — entry 3 was altered"));
	free(doc);
	fixture_free(&fx);
}
END_TEST

/* ---------------------------------------------------------------------
 * 6. The diagram
 */

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

START_TEST(test_diagram)
{
	struct fixture fx;
	char *text = slurp("conf/alpha.conf"), err[256], *svg;
	const json_t *m = build(&fx, text, NULL, 90);

	svg = report_diagram_svg(m, err, sizeof(err));
	ck_assert_msg(svg != NULL, "%s", err);
	ck_assert(strncmp(svg, "<svg", 4) == 0);
	ck_assert_int_eq(count(svg, "<g id=\"zone_"), 3);
	ck_assert_int_eq(count(svg, "<g id=\"host_"), 15);
	ck_assert_int_eq(count(svg, "class=\"edge\""), 9);
	ck_assert_int_eq(count(svg, "class=\"cluster\""), 3);
	ck_assert_ptr_nonnull(strstr(svg, ">atena&#45;chukan<"));
	ck_assert_ptr_nonnull(strstr(svg, "stroke=\"#b3261e\""));
	ck_assert_ptr_nonnull(strstr(svg, "stroke-dasharray"));
	free(svg);
	fixture_free(&fx);
	free(text);
}
END_TEST

/* Beyond REPORT_DIAGRAM_FLOWS: zones only, one arrow a pair and class. */
START_TEST(test_diagram_grouped)
{
	struct fixture fx;
	size_t cap = 1 << 16, n;
	char *text = malloc(cap), err[256], *svg;
	const json_t *m;

	n = (size_t)snprintf(text, cap, "%sflows = (\n", HEAD);
	for (int i = 0; i < REPORT_DIAGRAM_FLOWS + 1; i++)
		n += (size_t)snprintf(text + n, cap - n, "%s{ name = \"f%d\"; "
		    "from = \"t\"; to = \"u\"; service = \"https\"; }\n",
		    i ? "," : "", i);
	snprintf(text + n, cap - n, ", { name = \"mn\"; from = \"a\"; to = "
	    "\"p\"; service = \"https\"; method = \"specific\"; approval = "
	    "\"A\"; });\n");
	m = build(&fx, text, NULL, 90);
	ck_assert(json_is_true(at(m, "diagram.grouped")));
	ck_assert_int_eq(json_array_size(at(m, "diagram.nodes")), 3);
	ck_assert_int_eq(json_array_size(at(m, "diagram.edges")), 2);
	svg = report_diagram_svg(m, err, sizeof(err));
	ck_assert_msg(svg != NULL, "%s", err);
	ck_assert_int_eq(count(svg, "<g id=\"zone_"), 3);
	ck_assert_ptr_nonnull(strstr(svg, ">81本のフロー<"));
	ck_assert_ptr_nonnull(strstr(svg, ">1本のフロー<"));
	free(svg);
	fixture_free(&fx);
	free(text);
}
END_TEST

/* The expected texts give times in UTC: every test starts there, whatever
 * zone the machine or an earlier test (no-fork runs) left. */
static void
utc(void)
{
	setenv("TZ", "UTC0", 1);
	tzset();
}

UNIT_SUITE(report_suite)

static Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, utc, NULL);
	tcase_add_test(tc, test_alpha);
	tcase_add_test(tc, test_ledger);
	tcase_add_test(tc, test_clauses);
	tcase_add_test(tc, test_syntax_error);
	tcase_add_test(tc, test_live_older);
	tcase_add_test(tc, test_live_newer);
	tcase_add_test(tc, test_live_none);
	tcase_add_test(tc, test_html_states);
	tcase_add_test(tc, test_diagram);
	tcase_add_test(tc, test_diagram_grouped);
	suite_add_tcase(s, tc);
	return s;
}
