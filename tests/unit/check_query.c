/*
 * check_query — lib/query.c: the words of `zonectl check` (SRC DST
 * PROTO[/PORT], --sport, --mac) turned into a classifier packet, and the
 * answer into text and JSON.
 *
 * 1. A policy of its own (QPOL): addresses and host names of both
 *    families (a network host stands for its first address), every form of
 *    protocol, source ports, MACs given and MACs taken from a My Number pin
 *    (with the note that says so; not for a network, not outside My
 *    Number), each with the exact packet it must give; every refusal with
 *    its exact message, and which word is judged first.
 * 2. The answers: the verdict word, flow, reason and zones of the JSON and
 *    the text, composed around classify_explain() and the note.
 * 3. conf/alpha.conf: the note of a pinned host, refusals, protocol
 *    numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "addr.h"
#include "classify.h"
#include "conf.h"
#include "diag.h"
#include "policy.h"
#include "query.h"
#include "unit.h"

#define NOW ((time_t)1795219200)	/* 2026-11-21T00:00:00Z */

static const char QPOL[] =
    "version = 1; model = \"alpha\";\n"
    "zones = {\n"
    "  mn = { kind = \"mynumber\"; interfaces = \"mn0\"; networks = "
    "[ \"10.10.0.0/16\" ]; };\n"
    "  lg = { kind = \"lgwan\"; interfaces = \"lg0\"; networks = "
    "[ \"10.20.0.0/16\", \"fd00:20::/48\" ]; };\n"
    "  inet = { kind = \"internet\"; interfaces = \"inet0\"; networks = "
    "[ \"0.0.0.0/0\" ]; };\n"
    "};\n"
    "hosts = {\n"
    "  atena = { zone = \"mn\"; address = \"10.10.1.20\"; "
    "mac = \"02:00:0a:0a:01:14\"; };\n"
    "  kikan = { zone = \"mn\"; address = \"10.10.2.10\"; "
    "mac = \"02:00:0a:0a:02:0a\"; };\n"
    "  mnnet = { zone = \"mn\"; address = \"10.10.3.0/24\"; "
    "mac = \"02:00:0a:0a:03:01\"; };\n"
    "  lgmac = { zone = \"lg\"; address = \"10.20.1.5\"; "
    "mac = \"02:00:0a:14:01:05\"; };\n"
    "  chukan = { zone = \"lg\"; address = \"10.20.1.10\"; };\n"
    "  terms = { zone = \"lg\"; address = \"10.20.100.0/24\"; };\n"
    "  v6 = { zone = \"lg\"; address = \"fd00:20::5\"; };\n"
    "  rds = { zone = \"inet\"; address = \"192.0.2.40\"; };\n"
    "};\n"
    "services = { https = { proto = \"tcp\"; ports = [ 443 ]; }; };\n"
    "flows = (\n"
    "  { name = \"atena-chukan\"; from = \"atena\"; to = \"chukan\"; "
    "service = \"https\"; method = \"specific\"; approval = \"A-1\"; }\n"
    ");\n";

static struct policy *
load_qpol(void)
{
	struct policy *p = NULL;
	struct diag d;

	diag_init(&d);
	ck_assert_int_eq(conf_load_string(QPOL, "q.conf", &p, &d), 0);
	ck_assert_msg(p != NULL && d.nerrors == 0, "q.conf:%s",
	    unit_diag_dump(&d));
	diag_free(&d);
	return p;
}

static struct policy *
load_alpha(void)
{
	return unit_load_policy("conf/alpha.conf", NOW);
}

/* --- 1. the question ----------------------------------------------------- */

#define PIN(mac, host) "source MAC taken as the pinned " mac " of host \"" \
	host "\" (use --mac to check another)"

static const struct ok_case {
	const char *src, *dst, *proto, *mac;
	int sport;
	/* the packet */
	const char *psrc, *pdst;	/* addresses; the family is theirs */
	int pproto, pdport, psport;
	const char *pmac;		/* NULL: has_mac 0 */
	const char *note;
} ok_cases[] = {
	{ "10.20.100.7", "192.0.2.40", "tcp/3389", NULL, -1,
	  "10.20.100.7", "192.0.2.40", 6, 3389, 0, NULL, "" },
	/* host names; a network host: its first address */
	{ "terms", "rds", "tcp/3389", NULL, -1,
	  "10.20.100.0", "192.0.2.40", 6, 3389, 0, NULL, "" },
	{ "chukan", "10.10.1.20", "tcp/443", NULL, 40000,
	  "10.20.1.10", "10.10.1.20", 6, 443, 40000, NULL, "" },
	/* a pinned My Number source, by name or by address */
	{ "atena", "rds", "udp/53", NULL, 5353,
	  "10.10.1.20", "192.0.2.40", 17, 53, 5353, NULL,
	  PIN("02:00:0a:0a:01:14", "atena") },
	{ "10.10.1.20", "lgmac", "tcp/443", NULL, -1,
	  "10.10.1.20", "10.20.1.5", 6, 443, 0, NULL,
	  PIN("02:00:0a:0a:01:14", "atena") },
	{ "kikan", "atena", "icmp/8", NULL, -1,
	  "10.10.2.10", "10.10.1.20", 1, 8, 0, NULL,
	  PIN("02:00:0a:0a:02:0a", "kikan") },
	/* the MAC given: no note, whatever the pin */
	{ "atena", "chukan", "tcp/443", "02:00:0A:0A:01:99", -1,
	  "10.10.1.20", "10.20.1.10", 6, 443, 0, "02:00:0a:0a:01:99", "" },
	{ "rds", "chukan", "tcp/443", "02:00:00:00:00:01", 0,
	  "192.0.2.40", "10.20.1.10", 6, 443, 0, "02:00:00:00:00:01", "" },
	/* a MAC on a network, or outside My Number, pins nothing */
	{ "mnnet", "rds", "tcp/1", NULL, -1,
	  "10.10.3.0", "192.0.2.40", 6, 1, 0, NULL, "" },
	{ "lgmac", "rds", "tcp/443", NULL, -1,
	  "10.20.1.5", "192.0.2.40", 6, 443, 0, NULL, "" },
	/* IPv6 */
	{ "v6", "2001:db8::1", "icmpv6/128", NULL, -1,
	  "fd00:20::5", "2001:db8::1", 58, 128, 0, NULL, "" },
	{ "fd00:20::5", "2001:db8::1", "sctp/2905", NULL, 65535,
	  "fd00:20::5", "2001:db8::1", 132, 2905, 65535, NULL, "" },
	/* protocols by number; ports and types at their ends */
	{ "chukan", "rds", "47", NULL, -1,
	  "10.20.1.10", "192.0.2.40", 47, 0, 0, NULL, "" },
	{ "chukan", "rds", "0", NULL, -1,
	  "10.20.1.10", "192.0.2.40", 0, 0, 0, NULL, "" },
	{ "chukan", "rds", "255", NULL, -1,
	  "10.20.1.10", "192.0.2.40", 255, 0, 0, NULL, "" },
	{ "chukan", "rds", "6/22", NULL, -1,
	  "10.20.1.10", "192.0.2.40", 6, 22, 0, NULL, "" },
	{ "chukan", "rds", "17/0", NULL, -1,
	  "10.20.1.10", "192.0.2.40", 17, 0, 0, NULL, "" },
	{ "chukan", "rds", "tcp/65535", NULL, -1,
	  "10.20.1.10", "192.0.2.40", 6, 65535, 0, NULL, "" },
	{ "chukan", "rds", "icmp/255", NULL, -1,
	  "10.20.1.10", "192.0.2.40", 1, 255, 0, NULL, "" },
	{ "chukan", "rds", "icmp/0", NULL, -1,
	  "10.20.1.10", "192.0.2.40", 1, 0, 0, NULL, "" },
};

START_TEST(test_build)
{
	const struct ok_case *t = &ok_cases[_i];
	struct policy *p = load_qpol();
	struct query_args a = { t->src, t->dst, t->proto, t->mac, t->sport, false };
	struct query q;
	uint8_t src[16], dst[16], mac[6] = { 0 };
	int fam;
	char err[256] = "";

	memset(&q, 0xa5, sizeof(q));	/* what is not set must be cleared */
	ck_assert_msg(query_build(p, &a, &q, err, sizeof(err)) == 0,
	    "%s %s %s: %s", t->src, t->dst, t->proto, err);
	fam = addr_parse_ip(t->psrc, src);
	ck_assert_int_eq(addr_parse_ip(t->pdst, dst), fam);
	ck_assert_int_eq(q.pkt[0].family, fam);
	ck_assert_mem_eq(q.pkt[0].src, src, 16);
	ck_assert_mem_eq(q.pkt[0].dst, dst, 16);
	ck_assert_int_eq(q.pkt[0].proto, t->pproto);
	ck_assert_int_eq(q.pkt[0].dport, t->pdport);
	ck_assert_int_eq(q.pkt[0].sport, t->psport);
	ck_assert_int_eq(q.pkt[0].has_mac, t->pmac != NULL);
	if (t->pmac)
		ck_assert_int_eq(mac_parse(t->pmac, mac, NULL, 0), 0);
	ck_assert_mem_eq(q.pkt[0].src_mac, mac, 6);
	/* the zones are the classifier's to find from the addresses */
	ck_assert_int_eq(q.pkt[0].in_zone, -1);
	ck_assert_int_eq(q.pkt[0].out_zone, -1);
	ck_assert_str_eq(q.note, t->note);
	policy_free(p);
}
END_TEST

#define BADPROTO(s) "invalid protocol \"" s "\" (tcp/PORT, udp/PORT, " \
	"sctp/PORT, icmp/TYPE, icmpv6/TYPE, a protocol number, or a service " \
	"name such as https or rdp)"
#define NOTHING(s) "\"" s "\" is neither an address nor a host of the policy"

static const struct bad_case {
	const char *src, *dst, *proto, *mac;
	int sport;
	const char *err;
} bad_cases[] = {
	{ "nosuch", "rds", "tcp/1", NULL, -1, NOTHING("nosuch") },
	{ "atena", "nosuch2", "tcp/1", NULL, -1, NOTHING("nosuch2") },
	{ "ATENA", "rds", "tcp/1", NULL, -1, NOTHING("ATENA") },
	{ "10.20.1.5/32", "rds", "tcp/1", NULL, -1, NOTHING("10.20.1.5/32") },
	{ "", "rds", "tcp/1", NULL, -1, NOTHING("") },
	{ "10.20.1.5", "fd00:20::5", "tcp/1", NULL, -1,
	  "source and destination are of different address families" },
	{ "v6", "rds", "tcp/1", NULL, -1,
	  "source and destination are of different address families" },
	{ "atena", "rds", "tcp", NULL, -1, "\"tcp\" needs a port: tcp/N" },
	{ "atena", "rds", "udp", NULL, -1, "\"udp\" needs a port: udp/N" },
	{ "atena", "rds", "sctp", NULL, -1, "\"sctp\" needs a port: sctp/N" },
	{ "atena", "rds", "icmp", NULL, -1, "\"icmp\" needs a type: icmp/N" },
	{ "v6", "2001:db8::1", "icmpv6", NULL, -1,
	  "\"icmpv6\" needs a type: icmpv6/N" },
	{ "atena", "rds", "6", NULL, -1, "\"6\" needs a port: 6/N" },
	{ "atena", "rds", "1", NULL, -1, "\"1\" needs a type: 1/N" },
	{ "atena", "rds", "tcp/65536", NULL, -1, BADPROTO("tcp/65536") },
	{ "atena", "rds", "tcp/", NULL, -1, BADPROTO("tcp/") },
	{ "atena", "rds", "tcp/-1", NULL, -1, BADPROTO("tcp/-1") },
	{ "atena", "rds", "tcp/80x", NULL, -1, BADPROTO("tcp/80x") },
	{ "atena", "rds", "tcp/1/2", NULL, -1, BADPROTO("tcp/1/2") },
	{ "atena", "rds", "icmp/256", NULL, -1, BADPROTO("icmp/256") },
	{ "atena", "rds", "gre", NULL, -1, BADPROTO("gre") },
	{ "atena", "rds", "gre/1", NULL, -1, BADPROTO("gre/1") },
	{ "atena", "rds", "TCP/80", NULL, -1, BADPROTO("TCP/80") },
	{ "atena", "rds", "256", NULL, -1, BADPROTO("256") },
	{ "atena", "rds", "-1", NULL, -1, BADPROTO("-1") },
	{ "atena", "rds", "47/1", NULL, -1, BADPROTO("47/1") },
	{ "atena", "rds", "", NULL, -1, BADPROTO("") },
	{ "atena", "rds", "/80", NULL, -1, BADPROTO("/80") },
	{ "atena", "rds", "sixteen-letters/1", NULL, -1,
	  BADPROTO("sixteen-letters/1") },
	{ "atena", "rds", "tcp/1", NULL, 65536,
	  "source port 65536 out of range" },
	{ "atena", "rds", "tcp/1", "01:00:5e:00:00:01", -1,
	  "MAC address \"01:00:5e:00:00:01\" is a multicast address; a host "
	  "has a unicast MAC" },
	{ "atena", "rds", "tcp/1", "zz", -1, "invalid MAC address \"zz\" "
	  "(expected six hex pairs like 02:00:0a:0a:01:14)" },
	/* the first bad word is the one named: source, destination,
	 * families, protocol, source port, MAC */
	{ "nosuch", "nosuch2", "gre", "zz", 70000, NOTHING("nosuch") },
	{ "atena", "nosuch2", "gre", "zz", 70000, NOTHING("nosuch2") },
	{ "atena", "v6", "gre", "zz", 70000,
	  "source and destination are of different address families" },
	{ "atena", "rds", "gre", "zz", 70000, BADPROTO("gre") },
	{ "atena", "rds", "tcp/1", "zz", 70000,
	  "source port 70000 out of range" },
};

START_TEST(test_build_errors)
{
	const struct bad_case *t = &bad_cases[_i];
	struct policy *p = load_qpol();
	struct query_args a = { t->src, t->dst, t->proto, t->mac, t->sport, false };
	struct query q;
	char err[256] = "";

	ck_assert_msg(query_build(p, &a, &q, err, sizeof(err)) == -1,
	    "%s %s %s accepted", t->src, t->dst, t->proto);
	ck_assert_str_eq(err, t->err);
	policy_free(p);
}
END_TEST

/* --- 2. the answers ------------------------------------------------------ */

static const struct answer_case {
	const char *src, *dst, *proto, *mac;
	const char *flow;	/* NULL: denied */
	const char *reason;
	const char *from, *to;	/* zone names; NULL: null */
} answer_cases[] = {
	{ "atena", "chukan", "tcp/443", NULL, "atena-chukan", "permit",
	  "mn", "lg" },
	{ "atena", "chukan", "tcp/443", "02:00:0a:0a:01:14", "atena-chukan",
	  "permit", "mn", "lg" },
	{ "atena", "chukan", "tcp/80", NULL, NULL, "no-flow", "mn", "lg" },
	{ "atena", "chukan", "tcp/443", "02:00:0a:0a:01:99", NULL,
	  "mac-mismatch", "mn", "lg" },
	{ "chukan", "atena", "tcp/443", NULL, NULL, "no-flow", "lg", "mn" },
	/* no zone has 2001:db8::/32 */
	{ "v6", "2001:db8::1", "tcp/443", NULL, NULL, "no-zone", "lg", NULL },
};

/* Member key of o is the string want, or null when want is NULL. */
static void
json_str_or_null(const json_t *o, const char *key, const char *want)
{
	const json_t *v = json_object_get(o, key);

	ck_assert_msg(v != NULL, "no \"%s\"", key);
	if (want == NULL)
		ck_assert_msg(json_is_null(v), "\"%s\" is not null", key);
	else
		ck_assert_msg(json_is_string(v) &&
		    strcmp(json_string_value(v), want) == 0,
		    "\"%s\": \"%s\", want \"%s\"", key,
		    json_is_string(v) ? json_string_value(v) : "?", want);
}

START_TEST(test_answers)
{
	const struct answer_case *t = &answer_cases[_i];
	struct policy *p = load_qpol();
	struct query_args a = { t->src, t->dst, t->proto, t->mac, -1, false };
	struct query q;
	struct classify *c;
	struct classify_verdict v;
	char err[256], why[1024], want[2048], text[2048];
	const char *word = t->flow ? "permit" : "deny";
	json_t *j;

	ck_assert_msg(query_build(p, &a, &q, err, sizeof(err)) == 0, "%s",
	    err);
	c = classify_build(p, NOW, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	query_classify(c, p, &q, &v);
	ck_assert_str_eq(classify_reason_str(v.reason), t->reason);
	classify_explain(c, &q.pkt[0], &v, why, sizeof(why));

	/* text: the verdict word and the explanation, the note below */
	query_answer_text(c, p, &q, &v, text, sizeof(text));
	if (q.note[0])
		snprintf(want, sizeof(want), "%s: %s\nnote: %s\n", word, why,
		    q.note);
	else
		snprintf(want, sizeof(want), "%s: %s\n", word, why);
	ck_assert_str_eq(text, want);

	/* JSON: the same, field by field */
	j = query_answer_json(c, p, &q, &v);
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_eq(json_object_size(j), 9);
	ck_assert(json_is_null(json_object_get(j, "management")));
	ck_assert(json_is_false(json_object_get(j, "appliance")));
	ck_assert_str_eq(json_string_value(json_object_get(j, "verdict")),
	    word);
	ck_assert_str_eq(json_string_value(json_object_get(j, "reason")),
	    t->reason);
	ck_assert_str_eq(json_string_value(json_object_get(j, "explain")),
	    why);
	json_str_or_null(j, "flow", t->flow);
	json_str_or_null(j, "from_zone", t->from);
	json_str_or_null(j, "to_zone", t->to);
	json_str_or_null(j, "note", q.note[0] ? q.note : NULL);
	/* a pinned source without --mac carries the note */
	ck_assert_int_eq(q.note[0] != '\0',
	    t->mac == NULL && strcmp(t->src, "atena") == 0);
	json_decref(j);
	classify_free(c);
	policy_free(p);
}
END_TEST

/* --- 3. conf/alpha.conf -------------------------------------------------- */

/* Without --mac a pinned source is taken to have its pinned MAC, and the
 * answer says so; an unpinned one gets no note. */
START_TEST(test_alpha_note)
{
	struct policy *p = load_alpha();
	struct query_args a = { "atena", "chukan", "tcp/443", NULL, -1, false };
	struct query q;
	char err[256];

	ck_assert_int_eq(query_build(p, &a, &q, err, sizeof(err)), 0);
	ck_assert_msg(strstr(q.note, "02:00:0a:0a:01:14") &&
	    strstr(q.note, "atena"), "note: %s", q.note);
	a.src = "lg-mail";
	a.dst = "mailrelay";
	ck_assert_int_eq(query_build(p, &a, &q, err, sizeof(err)), 0);
	ck_assert_str_eq(q.note, "");
	a.mac = "02:00:0a:0a:01:14";
	a.src = "atena";
	ck_assert_int_eq(query_build(p, &a, &q, err, sizeof(err)), 0);
	ck_assert(q.pkt[0].has_mac);
	policy_free(p);
}
END_TEST

struct qbad {
	const char *src, *dst, *proto, *mac;
	int sport;
	const char *err;
};

static const struct qbad alpha_bad[] = {
	{ "nosuch", "chukan", "tcp/443", NULL, -1, "nosuch" },
	{ "atena", "10.0.0.256", "tcp/443", NULL, -1, "10.0.0.256" },
	{ "atena", "fd00:20::5", "tcp/443", NULL, -1, "address families" },
	{ "atena", "chukan", "tcp", NULL, -1, "tcp/N" },
	{ "atena", "chukan", "tcp/65536", NULL, -1, "invalid protocol" },
	{ "atena", "chukan", "tcp/", NULL, -1, "invalid protocol" },
	{ "atena", "chukan", "icmp/256", NULL, -1, "invalid protocol" },
	{ "atena", "chukan", "gre/1", NULL, -1, "invalid protocol" },
	{ "atena", "chukan", "47/1", NULL, -1, "invalid protocol" },
	{ "atena", "chukan", "256", NULL, -1, "invalid protocol" },
	{ "atena", "chukan", "tcp/443", "01:00:5e:00:00:01", -1, "multicast" },
	{ "atena", "chukan", "tcp/443", "zz", -1, "invalid MAC" },
	{ "atena", "chukan", "tcp/443", NULL, 65536, "source port" },
};

/* The question t is refused with its message; p is freed. */
static void
expect_refused(struct policy *p, const struct qbad *t)
{
	struct query_args a = { t->src, t->dst, t->proto, t->mac, t->sport,
	    false };
	struct query q;
	char err[256] = "";

	ck_assert_msg(query_build(p, &a, &q, err, sizeof(err)) < 0,
	    "%s %s %s accepted", t->src, t->dst, t->proto);
	ck_assert_msg(strstr(err, t->err) != NULL, "err \"%s\", want ...%s...",
	    err, t->err);
	policy_free(p);
}

START_TEST(test_alpha_query_errors)
{
	expect_refused(load_alpha(), &alpha_bad[_i]);
}
END_TEST

/* A protocol number without a port; ICMP types in the dport. */
START_TEST(test_alpha_query_protocols)
{
	struct policy *p = load_alpha();
	struct query_args a = { "atena", "chukan", "47", NULL, -1, false };
	struct query q;
	char err[256];

	ck_assert_int_eq(query_build(p, &a, &q, err, sizeof(err)), 0);
	ck_assert_int_eq(q.pkt[0].proto, 47);
	a.proto = "icmp/8";
	ck_assert_int_eq(query_build(p, &a, &q, err, sizeof(err)), 0);
	ck_assert_int_eq(q.pkt[0].proto, PROTO_ICMP);
	ck_assert_int_eq(q.pkt[0].dport, 8);
	a.proto = "sctp/2905";
	a.sport = 1234;
	ck_assert_int_eq(query_build(p, &a, &q, err, sizeof(err)), 0);
	ck_assert_int_eq(q.pkt[0].proto, PROTO_SCTP);
	ck_assert_int_eq(q.pkt[0].dport, 2905);
	ck_assert_int_eq(q.pkt[0].sport, 1234);
	ck_assert_int_eq(q.pkt[0].family, ADDR_V4);
	ck_assert_int_eq(q.pkt[0].in_zone, -1);
	ck_assert_int_eq(q.pkt[0].out_zone, -1);
	policy_free(p);
}
END_TEST

/* --- issue 16: the questions of a real town hall ------------------------- */

static struct policy *
load_town(void)
{
	return unit_load_policy("conf/alpha-prime.conf", NOW);
}

struct tcase16 {
	const char *src, *dst, *proto;
	bool self;		/* the daemon knows dst as its own */
	const char *verdict;	/* "permit" / "deny" */
	const char *explain;	/* substring */
	const char *note;	/* substring of the note, or NULL */
};

static const struct tcase16 town_cases[] = {
	/* service names, from the policy and from /etc/services */
	{ "lg-terms", "m365", "https", false, "permit", "flow \"m365\"",
	  "service \"https\" is tcp/443" },
	{ "10.20.100.7", "192.0.2.40", "rdp", false, "permit", "flow \"browse\"",
	  NULL },
	{ "atena", "chukan", "juki", false, "deny", "tcp/700: no flow permits",
	  "service \"juki\" is tcp/700, tcp/8000-8003" },
	{ "juki-cs", "juki-pref", "juki", false, "permit", "flow \"juki-cs\"",
	  NULL },
	/* the Government Cloud, by network, and the staged Teams media */
	{ "10.10.100.7", "10.128.2.9", "https", false, "permit",
	  "flow \"std-systems\" (標準準拠システム利用)", NULL },
	{ "10.10.100.7", "10.128.2.9", "tcp/80", false, "deny",
	  "permits tcp/443 only", NULL },
	{ "10.128.1.5", "192.0.2.80", "https", false, "deny",
	  "never talks to the Internet", NULL },
	{ "lg-terms", "m365-media", "teams-media", false, "deny",
	  "flow \"teams-media\" will, from 2027-04-01T00:00:00+09:00",
	  "has 2 addresses" },
	/* an element of an address list, far from its first */
	{ "fd00:20:0:100::7", "2001:db8:5010::5", "https", false, "deny",
	  "no flow permits lgwan -> internet tcp/443", NULL },
	{ "10.20.100.7", "203.0.113.222", "https", false, "permit",
	  "flow \"m365\"", NULL },
	/* the appliance itself: the management entries answer */
	{ "ops-pc", "appliance", "ssh", false, "permit", "management #1",
	  NULL },
	{ "ops-pc", "10.20.0.1", "tcp/22", true, "permit", "management #1",
	  NULL },
	{ "lg-terms", "appliance", "tcp/22", false, "deny", "none permits "
	  "tcp/22 from 10.20.100.0; management #1 permits it from host "
	  "\"ops-pc\" only", NULL },
	{ "ops-pc", "appliance", "https", false, "deny", "the appliance itself "
	  "accepts only", NULL },
	/* offline the appliance's address is any other: a hint */
	{ "ops-pc", "10.20.0.1", "tcp/22", false, "deny", "no flow permits "
	  "lgwan -> lgwan", "if the destination is the appliance itself, "
	  "management #1" },
};

START_TEST(test_town_query)
{
	const struct tcase16 *t = &town_cases[_i];
	struct policy *p = load_town();
	struct query_args a = { t->src, t->dst, t->proto, NULL, -1, t->self };
	struct query q;
	struct classify *c;
	struct classify_verdict v;
	char err[256], text[2048];
	json_t *j;

	ck_assert_msg(query_build(p, &a, &q, err, sizeof(err)) == 0,
	    "%s %s %s: %s", t->src, t->dst, t->proto, err);
	c = classify_build(p, NOW, err, sizeof(err));
	ck_assert(c != NULL);
	query_classify(c, p, &q, &v);
	query_answer_text(c, p, &q, &v, text, sizeof(text));
	ck_assert_msg(strncmp(text, t->verdict, strlen(t->verdict)) == 0 &&
	    strstr(text, t->explain) != NULL && (t->note == NULL ||
	    strstr(text, t->note) != NULL), "%s %s %s: \"%s\", want %s ...%s... "
	    "...%s...", t->src, t->dst, t->proto, text, t->verdict, t->explain,
	    t->note ? t->note : "");
	j = query_answer_json(c, p, &q, &v);
	ck_assert(j != NULL);
	ck_assert_str_eq(json_string_value(json_object_get(j, "verdict")),
	    t->verdict);
	ck_assert(json_is_true(json_object_get(j, "appliance")) ==
	    (strcmp(t->dst, "appliance") == 0 || t->self));
	json_decref(j);
	classify_free(c);
	policy_free(p);
}
END_TEST

static const struct qbad town_bad[] = {
	{ "lg-term", "m365", "https", NULL, -1, "(did you mean \"lg-terms\"?)" },
	{ "lg-terms", "m365", "htps", NULL, -1, "(did you mean \"https\"?)" },
	{ "lg-terms", "m365", "nosuchthing", NULL, -1, "invalid protocol" },
};

START_TEST(test_town_query_errors)
{
	expect_refused(load_town(), &town_bad[_i]);
}
END_TEST

UNIT_SUITE(query_suite)

static Suite *
query_suite(void)
{
	Suite *s = suite_create("query");
	TCase *tc = tcase_create("question");

	tcase_add_loop_test(tc, test_build, 0, (int)ARRAY_LEN(ok_cases));
	tcase_add_loop_test(tc, test_build_errors, 0,
	    (int)ARRAY_LEN(bad_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create("answer");
	tcase_add_loop_test(tc, test_answers, 0, (int)ARRAY_LEN(answer_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create("alpha");
	tcase_add_test(tc, test_alpha_note);
	tcase_add_loop_test(tc, test_alpha_query_errors, 0,
	    (int)ARRAY_LEN(alpha_bad));
	tcase_add_test(tc, test_alpha_query_protocols);
	tcase_add_loop_test(tc, test_town_query, 0,
	    (int)ARRAY_LEN(town_cases));
	tcase_add_loop_test(tc, test_town_query_errors, 0,
	    (int)ARRAY_LEN(town_bad));
	suite_add_tcase(s, tc);
	return s;
}
