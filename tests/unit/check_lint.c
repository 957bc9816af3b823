/*
 * check_lint — the three-layer compliance rules (lib/lint.c, DESIGN §4).
 *
 * One table: for every rule, minimal violating policies, each with the exact
 * findings it must give (id, severity, line) and a compliant twin made by
 * one textual replacement (the fixed detail), which must give none of those
 * ids — and, unless noted, no finding at all.  Lines are found from marker
 * comments placed where DESIGN §4 puts the finding: the offending key, else
 * the object's opening brace.  Then: the rule table, the example policies
 * in conf/, the JSON form.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "conf.h"
#include "diag.h"
#include "lint.h"
#include "policy.h"
#include "unit.h"

#define NAME "lint.conf"
#define NOW ((time_t)1795219200)	/* 2026-11-21T00:00:00Z */

/* --- helpers ------------------------------------------------------------ */

static int
mline(const char *text, const char *marker)
{
	const char *at = NULL;
	size_t ml = strlen(marker);
	int line = 1, n = 0;

	for (const char *q = strstr(text, marker); q; q = strstr(q + 1, marker))
		if (!(q[ml] >= 'A' && q[ml] <= 'Z') &&
		    !(q[ml] >= '0' && q[ml] <= '9')) {
			at = q;
			n++;
		}
	ck_assert_msg(n == 1, "marker %s found %d times", marker, n);
	for (const char *q = text; q < at; q++)
		if (*q == '\n')
			line++;
	return line;
}

/* Load and lint text at time now; the policy is freed. */
static void
lint_text(const char *text, time_t now, struct diag *d)
{
	struct policy *p = NULL;

	diag_init(d);
	ck_assert_int_eq(conf_load_string(text, NAME, &p, d), 0);
	if (p != NULL)
		lint_run(p, d, now);
	else
		diag_sort(d);
	policy_free(p);
}

static size_t
count_id(const struct diag *d, const char *id)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += strcmp(d->v[i].id, id) == 0;
	return n;
}

/* text with the only occurrence of from replaced by to (malloc'd). */
static char *
replace_once(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t n;
	char *out;

	ck_assert_msg(at != NULL, "twin: \"%s\" not in the text", from);
	ck_assert_msg(strstr(at + 1, from) == NULL, "twin: \"%s\" twice", from);
	n = strlen(text) - strlen(from) + strlen(to) + 1;
	out = malloc(n);
	ck_assert(out != NULL);
	snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to,
	    at + strlen(from));
	return out;
}

/* --- the policies ----------------------------------------------------------- */

#define LHDR(model) "version = 1;\nmodel = \"" model "\";\n"
#define ZONE_MN "  mn = { kind = \"mynumber\"; interfaces = [ \"mn0\" ]; " \
	"networks = [ \"10.10.0.0/16\", \"fd10::/48\" ]; };\n"
#define ZONE_LG "  lg = { kind = \"lgwan\"; interfaces = [ \"lg0\" ]; " \
	"networks = [ \"10.20.0.0/16\", \"10.200.0.0/16\", \"fd20::/48\" ]; };\n"
#define ZONE_INET "  inet = { kind = \"internet\"; interfaces = [ \"inet0\" ]; " \
	"networks = [ \"0.0.0.0/0\", \"::/0\" ]; };\n"
#define ZONE_CL "  cl = { kind = \"closed\"; interfaces = [ \"cl0\" ]; " \
	"networks = [ \"10.30.0.0/16\" ]; };\n"
#define LZONES "zones = {\n" ZONE_MN ZONE_LG ZONE_INET ZONE_CL "};\n"

#define LHOSTS(x) "hosts = {\n" \
	"  atena = { zone = \"mn\"; address = \"10.10.1.20\"; " \
	"mac = \"02:00:0a:0a:01:14\"; };\n" \
	"  atena6 = { zone = \"mn\"; address = \"fd10::20\"; " \
	"mac = \"02:00:0a:0a:01:15\"; };\n" \
	"  chukan = { zone = \"lg\"; address = \"10.200.5.10\"; " \
	"role = \"public-system\"; };\n" \
	"  chukan6 = { zone = \"lg\"; address = \"fd20::10\"; " \
	"role = \"public-system\"; };\n" \
	"  lgsrv = { zone = \"lg\"; address = \"10.20.1.10\"; };\n" \
	"  lg-mail = { zone = \"lg\"; address = \"10.20.1.25\"; };\n" \
	"  lg-terms = { zone = \"lg\"; address = \"10.20.100.0/24\"; };\n" \
	"  sanitizer = { zone = \"lg\"; address = \"10.20.1.50\"; " \
	"role = \"file-sanitizer\"; };\n" \
	"  lgrds = { zone = \"lg\"; address = \"10.20.1.40\"; " \
	"role = \"screen-transfer\"; };\n" \
	"  mailrelay = { zone = \"inet\"; address = \"192.0.2.26\"; " \
	"role = \"mail-relay\"; };\n" \
	"  rds = { zone = \"inet\"; address = \"192.0.2.40\"; " \
	"role = \"screen-transfer\"; };\n" \
	"  isan = { zone = \"inet\"; address = \"192.0.2.60\"; " \
	"role = \"file-sanitizer\"; };\n" \
	"  web = { zone = \"inet\"; address = \"192.0.2.80\"; };\n" \
	"  webterms = { zone = \"inet\"; address = \"198.51.100.0/24\"; };\n" \
	"  cloud = { zone = \"inet\"; address = \"203.0.113.0/24\"; };\n" \
	"  gcloud = { zone = \"cl\"; address = \"10.30.1.1\"; };\n" \
	x "};\n"

#define LSVCS(x) "services = {\n" \
	"  https = { proto = \"tcp\"; ports = [ 443 ]; };\n" \
	"  https2 = { proto = \"tcp\"; ports = [ 443 ]; };\n" \
	"  smtp = { proto = \"tcp\"; ports = [ 25 ]; };\n" \
	"  smtps = { proto = \"tcp\"; ports = [ 465, 587 ]; };\n" \
	"  smtpu = { proto = \"udp\"; ports = [ 25 ]; };\n" \
	"  rdp = { proto = \"tcp\"; ports = [ 3389 ]; };\n" \
	"  rdpu = { proto = \"udp\"; ports = [ 3389 ]; };\n" \
	"  ica = { proto = \"tcp\"; ports = [ 1494, 2598 ]; };\n" \
	"  horizon = { proto = \"tcp\"; ports = [ 8443, 4172 ]; };\n" \
	"  horizonu = { proto = \"udp\"; ports = [ 4172 ]; };\n" \
	"  alt = { proto = \"tcp\"; ports = [ 8080 ]; };\n" \
	"  h8443 = { proto = \"tcp\"; ports = [ 8443 ]; };\n" \
	"  ssh = { proto = \"tcp\"; ports = [ 22 ]; };\n" \
	"  syslog = { proto = \"udp\"; ports = [ 514 ]; };\n" \
	"  ping = { proto = \"icmp\"; types = [ 8 ]; };\n" \
	"  icmpall = { proto = \"icmp\"; };\n" \
	"  everything = { proto = \"any\"; };\n" \
	"  dns = { proto = \"udp\"; };\n" \
	"  juki = { proto = \"tcp\"; ports = ( 700, \"8000-8003\" ); };\n" \
	"  j2 = { proto = \"tcp\"; ports = [ 8001, 8002 ]; };\n" \
	"  wide = { proto = \"tcp\"; ports = [ \"8000-8016\" ]; };\n" \
	"  w16 = { proto = \"tcp\"; ports = [ \"8000-8015\" ]; };\n" \
	"  p1 = { proto = \"tcp\"; ports = [ \"8000-8010\" ]; };\n" \
	"  p2 = { proto = \"tcp\"; ports = [ \"8005-8020\" ]; };\n" \
	x "};\n"

#define ZONE_GC "  gc = { kind = \"mynumber\"; closed_line = true; " \
	"interfaces = [ \"gc0\" ]; networks = [ \"10.128.0.0/16\" ]; };\n"
#define GZONES "zones = {\n" ZONE_MN ZONE_LG ZONE_INET ZONE_CL ZONE_GC "};\n"
#define GHOSTS \
	"  mn-terms = { zone = \"mn\"; address = \"10.10.100.0/24\"; };\n" \
	"  gc-std = { zone = \"gc\"; address = [ \"10.128.1.0/24\", " \
	"\"10.128.2.0/24\" ]; };\n" \
	"  gc-one = { zone = \"gc\"; address = \"10.128.5.10\"; };\n"
#define FLOWS(x) "flows = (\n" x "\n);\n"
#define LPOL(model, hosts, svcs, flows) \
	LHDR(model) LZONES LHOSTS(hosts) LSVCS(svcs) FLOWS(flows)
/* With the Government Cloud of the My Number tier (zone "gc"). */
#define GPOL(hosts, svcs, flows) \
	LHDR("alpha") GZONES LHOSTS(GHOSTS hosts) LSVCS(svcs) FLOWS(flows)
#define LPOLT(model, hosts, svcs, flows, tail) \
	LHDR(model) LZONES LHOSTS(hosts) LSVCS(svcs) FLOWS(flows) tail

/* The flow under test, one key a line, each with its marker. */
#define FX(name, from, to, svc, rest) \
	"  { name = \"" name "\"; #@F\n" \
	"    from = \"" from "\"; #@FROM\n" \
	"    to = \"" to "\"; #@TO\n" \
	"    service = " svc "; #@S\n" \
	"    " rest "\n  }"
/* The same with from written as it stands (a list). */
#define FXL(name, from, to, svc, rest) \
	"  { name = \"" name "\"; #@F\n" \
	"    from = " from "; #@FROM\n" \
	"    to = \"" to "\"; #@TO\n" \
	"    service = " svc "; #@S\n" \
	"    " rest "\n  }"
/* Other flows, on one line, without markers. */
#define FL(name, from, to, svc, rest) \
	"  { name = \"" name "\"; from = \"" from "\"; to = \"" to "\"; " \
	"service = " svc "; " rest "\n  }"

#define SPEC "method = \"specific\"; #@M\n    approval = \"A-1\";"
#define APPR(m) "method = \"" m "\"; #@M\n    approval = \"A-1\";"
#define E DIAG_ERROR
#define W DIAG_WARNING

struct want {
	const char *id;
	enum diag_severity sev;
	const char *marker;
	const char *msg;	/* substring, or NULL */
};

struct lcase {
	const char *name;
	const char *text;
	struct want want[6];	/* ends at id NULL; none: must be clean */
	const char *fix_from, *fix_to;	/* the twin; NULL: none */
	int twin_dirty;		/* the twin may have other findings */
};

static const struct lcase cases[] = {
	/* ---- ZL001 ---- */
	{ "ZL001 My Number to Internet",
	  LPOL("alpha", "", "", FX("x", "atena", "web", "\"https\"", SPEC)),
	  { { "ZL001", E, "#@F", "must never communicate with an Internet "
	  "zone" } }, "to = \"web\"", "to = \"chukan\"", 0 },
	{ "ZL001 Internet to My Number",
	  LPOL("alpha", "", "", FX("x", "web", "atena", "\"https\"", SPEC)),
	  { { "ZL001", E, "#@F", "マイナンバー利用事務系" } },
	  "from = \"web\"", "from = \"chukan\"", 0 },
	{ "ZL001 IPv6 My Number to Internet",
	  LPOL("alpha", "  web6 = { zone = \"inet\"; address = "
	  "\"2001:db8::80\"; };\n", "", FX("x", "atena6", "web6", "\"https\"",
	  SPEC)), { { "ZL001", E, "#@F", NULL } },
	  "to = \"web6\"", "to = \"chukan6\"", 0 },
	{ "ZL001 owns the flow: zone to zone, no method, no approval",
	  LPOL("alpha", "", "", FX("x", "mn", "inet", "\"everything\"", "")),
	  { { "ZL001", E, "#@F", NULL } }, NULL, NULL, 0 },
	{ "ZL001 owns the flow even as a time-limited exception",
	  LPOL("alpha", "", "", FX("x", "inet", "atena", "\"https\"",
	  "expires = \"2027-01-01T00:00:00Z\";")),
	  { { "ZL001", E, "#@F", NULL } }, NULL, NULL, 0 },

	/* ---- ZL002 ---- */
	{ "ZL002 the whole My Number zone",
	  LPOL("alpha", "", "", FX("x", "mn", "chukan", "\"https\"", SPEC)),
	  { { "ZL002", E, "#@FROM", "whole zone \"mn\"" } },
	  "from = \"mn\"", "from = \"atena\"", 0 },
	{ "ZL002 a network with a MAC",
	  LPOL("alpha", "  mnnet = { zone = \"mn\"; address = \"10.10.5.0/24\"; "
	  "mac = \"02:00:0a:0a:05:01\"; };\n", "", FX("x", "mnnet", "chukan",
	  "\"https\"", SPEC)),
	  { { "ZL002", E, "#@FROM", "is a network (10.10.5.0/24)" } },
	  "\"10.10.5.0/24\"", "\"10.10.5.1\"", 0 },
	{ "ZL002 no MAC",
	  LPOL("alpha", "  mnx = { zone = \"mn\"; address = \"10.10.3.3\"; };\n",
	  "", FX("x", "mnx", "chukan", "\"https\"", SPEC)),
	  { { "ZL002", E, "#@FROM", "has no MAC" } },
	  "address = \"10.10.3.3\";", "address = \"10.10.3.3\"; mac = "
	  "\"02:00:0a:0a:03:03\";", 0 },
	{ "ZL002 no MAC, My Number as destination",
	  LPOL("alpha", "  mnx = { zone = \"mn\"; address = \"10.10.3.3\"; };\n",
	  "", FX("x", "chukan", "mnx", "\"https\"", SPEC)),
	  { { "ZL002", E, "#@TO", "has no MAC" } },
	  "address = \"10.10.3.3\";", "address = \"10.10.3.3\"; mac = "
	  "\"02:00:0a:0a:03:03\";", 0 },
	{ "ZL002 IPv6 network",
	  LPOL("alpha", "  mn6net = { zone = \"mn\"; address = \"fd10:0:0:5::/64\";"
	  " mac = \"02:00:0a:0a:05:02\"; };\n", "", FX("x", "mn6net", "chukan6",
	  "\"https\"", SPEC)),
	  { { "ZL002", E, "#@FROM", "(/128)" } },
	  "\"fd10:0:0:5::/64\"", "\"fd10:0:0:5::1\"", 0 },

	/* ---- ZL003 ---- */
	{ "ZL003 every protocol",
	  LPOL("alpha", "", "", FX("x", "atena", "chukan", "\"everything\"",
	  SPEC)), { { "ZL003", E, "#@S", "allows every protocol" } },
	  "\"everything\"; #@S", "\"https\"; #@S", 0 },
	{ "ZL003 two protocols",
	  LPOL("alpha", "", "", FX("x", "atena", "chukan",
	  "[ \"rdp\", \"rdpu\" ]", SPEC)),
	  { { "ZL003", E, "#@S", "mix tcp and udp" } },
	  "\"rdpu\" ]", "\"ica\" ]", 0 },
	{ "ZL003 ICMP without types",
	  LPOL("alpha", "", "", FX("x", "atena", "chukan", "\"icmpall\"", SPEC)),
	  { { "ZL003", E, "#@S", "every ICMP type" } },
	  "\"icmpall\"; #@S", "\"ping\"; #@S", 0 },
	{ "ZL003 no ports",
	  LPOL("alpha", "", "", FX("x", "atena", "chukan", "\"dns\"", SPEC)),
	  { { "ZL003", E, "#@S", "allows every port" } },
	  "\"dns\"; #@S", "\"syslog\"; #@S", 0 },
	{ "ZL003 a range of 17 ports",
	  LPOL("alpha", "", "", FX("x", "atena", "chukan", "\"wide\"", SPEC)),
	  { { "ZL003", E, "#@S", "opens 17 tcp ports (8000-8016)" } },
	  "\"wide\"; #@S", "\"w16\"; #@S", 0 },

	/* ---- ZL004 ---- */
	{ "ZL004 the peer is a whole zone",
	  LPOL("alpha", "", "", FX("x", "atena", "lg", "\"https\"", SPEC)),
	  { { "ZL004", E, "#@TO", "whole zone \"lg\"" } },
	  "to = \"lg\"", "to = \"chukan\"", 0 },
	{ "ZL004 the peer is a network",
	  LPOL("alpha", "", "", FX("x", "lg-terms", "atena", "\"https\"", SPEC)),
	  { { "ZL004", E, "#@FROM", "is a network (10.20.100.0/24)" } },
	  "from = \"lg-terms\"", "from = \"chukan\"", 0 },
	{ "ZL004 the peer talks to the Internet (file sanitiser)",
	  LPOL("alpha", "", "", FL("fs", "sanitizer", "web", "\"https\"",
	  "method = \"file-sanitize\"; approval = \"A-2\";") ",\n"
	  FX("x", "atena", "sanitizer", "\"https\"", SPEC)),
	  { { "ZL004", E, "#@TO", "flow \"fs\"" } },
	  "to = \"sanitizer\"", "to = \"lgsrv\"", 0 },
	{ "ZL004 the peer is reached from the Internet (mail)",
	  LPOL("alpha", "", "", FL("mail-in", "mailrelay", "lg-mail", "\"smtp\"",
	  "method = \"mail-text\"; approval = \"A-2\";") ",\n"
	  FX("x", "atena", "lg-mail", "\"https\"", SPEC)),
	  { { "ZL004", E, "#@TO", "flow \"mail-in\"" } },
	  "to = \"lg-mail\"; #@TO", "to = \"lgsrv\"; #@TO", 0 },
	{ "ZL004 a covering flow listed after the crossing counts too",
	  LPOL("alpha", "", "", FX("x", "atena", "lg-mail", "\"https\"", SPEC)
	  ",\n" FL("mail-in", "mailrelay", "lg-mail", "\"smtp\"",
	  "method = \"mail-text\"; approval = \"A-2\";")),
	  { { "ZL004", E, "#@TO", "flow \"mail-in\"" } },
	  "to = \"lg-mail\"; #@TO", "to = \"lgsrv\"; #@TO", 0 },
	{ "ZL004 public-system is the exception",
	  LPOL("alpha", "  lgpub = { zone = \"lg\"; address = \"10.20.1.60\"; };\n",
	  "", FL("fs2", "lgpub", "isan", "\"https\"", "method = "
	  "\"file-sanitize\"; approval = \"A-2\";") ",\n"
	  FX("x", "atena", "lgpub", "\"https\"", SPEC)),
	  { { "ZL004", E, "#@TO", "public-system" } },
	  "address = \"10.20.1.60\";", "address = \"10.20.1.60\"; role = "
	  "\"public-system\";", 0 },
	{ "ZL004 a flow from a network that contains the peer counts",
	  LPOL("alpha", "  term7 = { zone = \"lg\"; address = \"10.20.100.7\"; };\n",
	  "", FL("browse", "lg-terms", "rds", "\"rdp\"", "method = "
	  "\"screen-transfer\"; approval = \"A-3\";") ",\n"
	  FX("x", "atena", "term7", "\"https\"", SPEC)),
	  { { "ZL004", E, "#@TO", "flow \"browse\"" } },
	  "\"10.20.100.7\"", "\"10.20.101.7\"", 0 },
	{ "ZL004 a flow from the peer's zone counts",
	  LPOL("alpha", "", "", FL("zb", "lg", "rds", "\"rdp\"", "method = "
	  "\"screen-transfer\"; approval = \"A-3\";") ",\n"
	  FX("x", "atena", "lgsrv", "\"https\"", SPEC)),
	  { { "ZL004", E, "#@TO", "flow \"zb\"" } },
	  "from = \"lg\";", "from = \"lg-terms\";", 0 },

	/* ---- ZL005 ---- */
	{ "ZL005 My Number crossing without a method",
	  LPOL("alpha", "", "", FX("x", "atena", "chukan", "\"https\"",
	  "approval = \"A-1\"; #@M")),
	  { { "ZL005", E, "#@F", "method = \"specific\"" } },
	  "#@M", "method = \"specific\";", 0 },
	{ "ZL005 My Number crossing with mail-text",
	  LPOL("alpha", "", "", FX("x", "atena", "chukan", "\"https\"",
	  APPR("mail-text"))),
	  { { "ZL005", E, "#@M", "not \"mail-text\"" } },
	  "\"mail-text\"", "\"specific\"", 0 },
	{ "ZL005 specific outside My Number",
	  LPOL("alpha", "", "", FX("x", "lgsrv", "gcloud", "\"https\"",
	  APPR("specific"))),
	  { { "ZL005", E, "#@M", "for My Number crossings only" } },
	  "\"specific\"", "\"direct\"", 0 },
	{ "ZL005 LGWAN to Internet direct",
	  LPOL("alpha", "", "", FX("x", "sanitizer", "web", "\"https\"",
	  "approval = \"A-1\"; #@M")),
	  { { "ZL005", E, "#@F", "must name its sanitising method" } },
	  "#@M", "method = \"file-sanitize\";", 0 },
	{ "ZL005 Internet to LGWAN direct",
	  LPOL("alpha", "", "", FX("x", "isan", "lgsrv", "\"https\"",
	  APPR("direct"))),
	  { { "ZL005", E, "#@M", "not \"direct\"" } },
	  "\"direct\"", "\"file-sanitize\"", 0 },
	{ "ZL005 cloud-lbo in alpha",
	  LPOL("alpha", "", "", FX("x", "lg-terms", "cloud", "\"https\"",
	  APPR("cloud-lbo"))),
	  { { "ZL005", E, "#@M", "only in the alpha-prime model" } },
	  "model = \"alpha\";", "model = \"alpha-prime\";", 0 },
	{ "ZL005 cloud-lbo in beta",
	  LPOL("beta", "", "", FX("x", "lg-terms", "cloud", "\"https\"",
	  APPR("cloud-lbo"))),
	  { { "ZL005", E, "#@M", "only in the alpha-prime model" } },
	  "model = \"beta\";", "model = \"alpha-prime\";", 0 },
	{ "ZL005 cloud-lbo in beta-prime",
	  LPOL("beta-prime", "", "", FX("x", "lg-terms", "cloud", "\"https\"",
	  APPR("cloud-lbo"))),
	  { { "ZL005", E, "#@M", NULL } },
	  "model = \"beta-prime\";", "model = \"alpha-prime\";", 0 },
	{ "ZL005 mail-text between LGWAN and a closed zone",
	  LPOL("alpha", "", "", FX("x", "lg-mail", "gcloud", "\"smtp\"",
	  APPR("mail-text"))),
	  { { "ZL005", E, "#@M", "LGWAN and the Internet only" } },
	  "\"mail-text\"", "\"direct\"", 0 },

	/* ---- ZL006 ---- */
	{ "ZL006 mail-text from a host that is no mail relay",
	  LPOL("alpha", "", "", FX("x", "web", "lg-mail", "\"smtp\"",
	  APPR("mail-text"))),
	  { { "ZL006", E, "#@M", "mail-relay" } },
	  "from = \"web\"", "from = \"mailrelay\"", 0 },
	{ "ZL006 mail-text to the whole LGWAN zone",
	  LPOL("alpha", "", "", FX("x", "mailrelay", "lg", "\"smtp\"",
	  APPR("mail-text"))),
	  { { "ZL006", E, "#@M", "not a whole zone" } },
	  "to = \"lg\"", "to = \"lg-mail\"", 0 },
	{ "ZL006 mail-text to a network of LGWAN hosts",
	  LPOL("alpha", "", "", FX("x", "lg-terms", "mailrelay", "\"smtp\"",
	  APPR("mail-text"))),
	  { { "ZL006", E, "#@M", "not a network" } },
	  "from = \"lg-terms\"", "from = \"lg-mail\"", 0 },
	{ "ZL006 mail-text over HTTPS",
	  LPOL("alpha", "", "", FX("x", "lg-mail", "mailrelay", "\"https\"",
	  APPR("mail-text"))),
	  { { "ZL006", E, "#@S", "SMTP only" } },
	  "\"https\"; #@S", "\"smtps\"; #@S", 0 },
	{ "ZL006 mail-text over UDP 25",
	  LPOL("alpha", "", "", FX("x", "mailrelay", "lg-mail", "\"smtpu\"",
	  APPR("mail-text"))),
	  { { "ZL006", E, "#@S", "SMTP only" } },
	  "\"smtpu\"; #@S", "\"smtp\"; #@S", 0 },
	{ "ZL006 screen transfer into LGWAN in alpha",
	  LPOL("alpha", "", "", FX("x", "webterms", "lgrds", "\"rdp\"",
	  APPR("screen-transfer"))),
	  { { "ZL006", E, "#@FROM", "in the alpha model" } },
	  "model = \"alpha\";", "model = \"beta\";", 0 },
	{ "ZL006 screen transfer into LGWAN in alpha-prime",
	  LPOL("alpha-prime", "", "", FX("x", "webterms", "lgrds", "\"rdp\"",
	  APPR("screen-transfer"))),
	  { { "ZL006", E, "#@FROM", NULL } },
	  "model = \"alpha-prime\";", "model = \"beta-prime\";", 0 },
	{ "ZL006 screen transfer out of LGWAN in beta",
	  LPOL("beta", "", "", FX("x", "lg-terms", "rds", "\"rdp\"",
	  APPR("screen-transfer"))),
	  { { "ZL006", E, "#@FROM", "in the beta model" } },
	  "model = \"beta\";", "model = \"alpha\";", 0 },
	{ "ZL006 screen transfer out of LGWAN in beta-prime",
	  LPOL("beta-prime", "", "", FX("x", "lg-terms", "rds", "\"ica\"",
	  APPR("screen-transfer"))),
	  { { "ZL006", E, "#@FROM", NULL } },
	  "model = \"beta-prime\";", "model = \"alpha-prime\";", 0 },
	{ "ZL006 screen transfer to a host without the role",
	  LPOL("alpha", "", "", FX("x", "lg-terms", "web", "\"rdp\"",
	  APPR("screen-transfer"))),
	  { { "ZL006", E, "#@TO", "role = \"screen-transfer\"" } },
	  "to = \"web\"", "to = \"rds\"", 0 },
	{ "ZL006 screen transfer to a whole zone",
	  LPOL("alpha", "", "", FX("x", "lg-terms", "inet", "\"rdp\"",
	  APPR("screen-transfer"))),
	  { { "ZL006", E, "#@TO", NULL } },
	  "to = \"inet\"", "to = \"rds\"", 0 },
	{ "ZL006 file-sanitize without a sanitiser",
	  LPOL("alpha", "", "", FX("x", "lgsrv", "web", "\"https\"",
	  APPR("file-sanitize"))),
	  { { "ZL006", E, "#@M", "file-sanitizer" } },
	  "from = \"lgsrv\"", "from = \"sanitizer\"", 0 },
	{ "ZL006 file-sanitize, Internet side without a sanitiser",
	  LPOL("alpha", "", "", FX("x", "web", "lgsrv", "\"https\"",
	  APPR("file-sanitize"))),
	  { { "ZL006", E, "#@M", "file-sanitizer" } },
	  "from = \"web\"", "from = \"isan\"", 0 },
	{ "ZL006 cloud-lbo into LGWAN",
	  LPOL("alpha-prime", "", "", FX("x", "cloud", "lg-terms", "\"https\"",
	  APPR("cloud-lbo"))),
	  { { "ZL006", E, "#@FROM", "from LGWAN" } }, NULL, NULL, 0 },
	{ "ZL006 cloud-lbo to the whole Internet zone",
	  LPOL("alpha-prime", "", "", FX("x", "lg-terms", "inet", "\"https\"",
	  APPR("cloud-lbo"))),
	  { { "ZL006", E, "#@TO", "whole Internet zone" } },
	  "to = \"inet\"", "to = \"cloud\"", 0 },
	{ "ZL012 cloud-lbo on another port is a warning (issue 16 point 8)",
	  LPOL("alpha-prime", "", "", FX("x", "lg-terms", "cloud", "\"alt\"",
	  APPR("cloud-lbo"))),
	  { { "ZL012", W, "#@S", "beyond TLS on TCP 443" } },
	  "\"alt\"; #@S", "\"https\"; #@S", 0 },

	/* ---- ZL007 ---- */
	{ "ZL007 monitoring off",
	  LPOLT("alpha", "", "", "", "monitor = {\n  snaplen = 96;\n"
	  "  enabled = false; #@E\n};\n"),
	  { { "ZL007", E, "#@E", "監視" } },
	  "enabled = false;", "enabled = true;", 0 },

	/* ---- ZL008 ---- */
	{ "ZL008 host outside its zone",
	  LPOL("alpha", "  x = { zone = \"lg\";\n    address = \"10.21.0.5\"; #@A\n"
	  "  };\n", "", ""),
	  { { "ZL008", E, "#@A", "lies outside the networks of its zone "
	  "\"lg\"" } }, "\"10.21.0.5\"", "\"10.20.0.5\"", 0 },
	{ "ZL008 IPv6 host outside its zone",
	  LPOL("alpha", "  x = { zone = \"mn\"; address = \"fd11::5\"; #@A\n"
	  "    mac = \"02:00:00:00:00:05\"; };\n", "", ""),
	  { { "ZL008", E, "#@A", NULL } }, "\"fd11::5\"", "\"fd10::5\"", 0 },
	{ "ZL008 Internet host inside a local network",
	  LPOL("alpha", "  x = { zone = \"inet\";\n    address = \"10.20.5.5\"; "
	  "#@A\n  };\n", "", ""),
	  { { "ZL008", E, "#@A", "inside network 10.20.0.0/16 of zone "
	  "\"lg\"" } }, "\"10.20.5.5\"", "\"192.0.2.99\"", 0 },
	{ "ZL008 Internet network host over a local network",
	  LPOL("alpha", "  x = { zone = \"inet\"; address = \"10.0.0.0/8\"; "
	  "}; #@A\n", "", ""),
	  { { "ZL008", E, "#@A", NULL } }, "\"10.0.0.0/8\"",
	  "\"100.64.0.0/10\"", 0 },
	{ "ZL008 zones share an interface",
	  LHDR("alpha") "zones = {\n" ZONE_MN
	  "  lg = { kind = \"lgwan\";\n    interfaces = [ \"lg0\", \"mn0\" ]; #@I\n"
	  "    networks = [ \"10.20.0.0/16\", \"10.200.0.0/16\", \"fd20::/48\" ]; "
	  "};\n" ZONE_INET ZONE_CL "};\n" LHOSTS("") LSVCS("") FLOWS(""),
	  { { "ZL008", E, "#@I", "interface \"mn0\" also belongs to zone "
	  "\"mn\"" } }, "\"mn0\" ]; #@I", "\"lg1\" ]; #@I", 0 },
	{ "ZL008 local networks of two zones overlap",
	  LHDR("alpha") "zones = {\n" ZONE_MN ZONE_LG ZONE_INET
	  "  cl = { kind = \"closed\"; interfaces = [ \"cl0\" ];\n"
	  "    networks = [ \"10.30.0.0/16\", \"10.20.128.0/17\" ]; }; #@N\n"
	  "};\n" LHOSTS("") LSVCS("") FLOWS(""),
	  { { "ZL008", E, "#@N", "network 10.20.128.0/17 overlaps "
	  "10.20.0.0/16 of zone \"lg\"" } }, "\"10.20.128.0/17\"",
	  "\"10.31.0.0/16\"", 0 },
	{ "ZL008 local networks of one zone overlap",
	  LHDR("alpha") "zones = {\n" ZONE_MN ZONE_LG ZONE_INET
	  "  cl = { kind = \"closed\"; interfaces = [ \"cl0\" ];\n"
	  "    networks = [ \"10.30.0.0/16\", \"10.30.7.0/24\" ]; }; #@N\n"
	  "};\n" LHOSTS("") LSVCS("") FLOWS(""),
	  { { "ZL008", E, "#@N", "overlaps 10.30.0.0/16 of zone \"cl\"" } },
	  "\"10.30.7.0/24\"", "\"10.31.7.0/24\"", 0 },
	{ "ZL008 an Internet network inside a local one",
	  LHDR("alpha") "zones = {\n" ZONE_MN ZONE_LG
	  "  inet = { kind = \"internet\"; interfaces = [ \"inet0\" ];\n"
	  "    networks = [ \"0.0.0.0/0\", \"::/0\", \"10.20.9.0/24\" ]; }; #@N\n"
	  ZONE_CL "};\n" LHOSTS("") LSVCS("") FLOWS(""),
	  { { "ZL008", E, "#@N", "lies inside 10.20.0.0/16 of local zone "
	  "\"lg\"" } }, "\"10.20.9.0/24\"", "\"198.18.0.0/15\"", 0 },
	{ "ZL008 one finding: flows naming the host say nothing",
	  LPOL("alpha", "  x = { zone = \"lg\"; address = \"10.21.0.5\"; }; #@A\n",
	  "", FL("f1", "x", "web", "\"https\"", "") ",\n"
	  FL("f2", "atena", "x", "\"everything\"", "") ",\n"
	  FL("f3", "x", "gcloud", "\"https\"", "")),
	  { { "ZL008", E, "#@A", NULL } }, NULL, NULL, 0 },
	{ "ZL008 one finding: hosts of a zone with a shared interface",
	  LHDR("alpha") "zones = {\n" ZONE_MN
	  "  lg = { kind = \"lgwan\";\n    interfaces = [ \"lg0\", \"mn0\" ]; #@I\n"
	  "    networks = [ \"10.20.0.0/16\", \"10.200.0.0/16\", \"fd20::/48\" ]; "
	  "};\n" ZONE_INET ZONE_CL "};\n" LHOSTS("") LSVCS("")
	  FLOWS(FL("f1", "lgsrv", "web", "\"https\"", "") ",\n"
	  FL("f2", "atena", "lg-terms", "\"everything\"", "")),
	  { { "ZL008", E, "#@I", NULL } }, NULL, NULL, 0 },

	/* ---- ZL009 ---- */
	{ "ZL009 duplicate",
	  LPOL("alpha", "", "", FL("f1", "lgsrv", "gcloud", "\"https\"", "")
	  ",\n" FX("x", "lgsrv", "gcloud", "\"https2\"", "")),
	  { { "ZL009", W, "#@F", "duplicates flow \"f1\"" } },
	  "\"https2\"; #@S", "\"ssh\"; #@S", 0 },
	{ "ZL009 shadowed by a zone flow",
	  LPOL("alpha", "", "", FL("f1", "lg", "gcloud", "\"https\"", "")
	  ",\n" FX("x", "lgsrv", "gcloud", "\"https\"", "")),
	  { { "ZL009", W, "#@F", "is shadowed by flow \"f1\"" } },
	  "\"https\"; #@S", "\"ssh\"; #@S", 0 },
	{ "ZL009 shadowed by a network host",
	  LPOL("alpha", "  term7 = { zone = \"lg\"; address = \"10.20.100.7\"; };\n",
	  "", FL("f1", "lg-terms", "gcloud", "[ \"https\", \"ssh\" ]", "")
	  ",\n" FX("x", "term7", "gcloud", "\"ssh\"", "")),
	  { { "ZL009", W, "#@F", "is shadowed by flow \"f1\"" } },
	  "\"10.20.100.7\"", "\"10.20.101.7\"", 0 },
	{ "ZL009 shadowed by a port range",
	  LPOL("alpha", "", "", FL("f1", "lgsrv", "gcloud", "\"juki\"", "")
	  ",\n" FX("x", "lgsrv", "gcloud", "\"j2\"", "")),
	  { { "ZL009", W, "#@F", "is shadowed by flow \"f1\"" } },
	  "\"j2\"; #@S", "\"p1\"; #@S", 0 },
	{ "ZL009 shadowed by every protocol",
	  LPOL("alpha", "", "", FL("f1", "gcloud", "lg", "\"everything\"", "")
	  ",\n" FX("x", "gcloud", "lgsrv", "\"ping\"", "")),
	  { { "ZL009", W, "#@F", "is shadowed by flow \"f1\"" } },
	  "from = \"gcloud\"; #@FROM", "from = \"cl\"; #@FROM", 0 },
	{ "ZL009 partial overlap is no warning",
	  LPOL("alpha", "", "", FL("f1", "lgsrv", "gcloud", "\"p1\"", "")
	  ",\n" FX("x", "lgsrv", "gcloud", "\"p2\"", "")),
	  { { NULL } }, NULL, NULL, 0 },
	{ "ZL009 a later, wider flow is no warning",
	  LPOL("alpha", "", "", FL("f1", "lgsrv", "gcloud", "\"https\"", "")
	  ",\n" FX("x", "lg", "gcloud", "[ \"https\", \"ssh\" ]", "")),
	  { { NULL } }, NULL, NULL, 0 },
	{ "ZL009 the reverse direction is no duplicate",
	  LPOL("alpha", "", "", FL("f1", "lgsrv", "gcloud", "\"https\"", "")
	  ",\n" FX("x", "gcloud", "lgsrv", "\"https\"", "")),
	  { { NULL } }, NULL, NULL, 0 },
	{ "ZL009 an expired flow shadows nothing",
	  LPOL("alpha", "", "", FL("f1", "lgsrv", "gcloud", "\"https\"",
	  "expires = \"2026-01-01T00:00:00+09:00\"; #@X")
	  ",\n" FX("x", "lgsrv", "gcloud", "\"https\"", "")),
	  { { "ZL014", W, "#@X", NULL } }, NULL, NULL, 0 },

	/* ---- ZL010 ---- */
	{ "ZL010 My Number crossing without approval",
	  LPOL("alpha", "", "", FX("x", "atena", "chukan", "\"https\"",
	  "method = \"specific\"; #@M")),
	  { { "ZL010", E, "#@F", "approval" } },
	  "#@M", "approval = \"CISO-2026-001\";", 0 },
	{ "ZL010 LGWAN/Internet crossing without approval",
	  LPOL("alpha", "", "", FX("x", "mailrelay", "lg-mail", "\"smtp\"",
	  "method = \"mail-text\"; #@M")),
	  { { "ZL010", E, "#@F", "approval" } },
	  "#@M", "approval = \"CISO-2026-001\";", 0 },
	{ "ZL010 LGWAN to a closed zone needs none",
	  LPOL("alpha", "", "", FX("x", "lgsrv", "gcloud", "\"https\"", "")),
	  { { NULL } }, NULL, NULL, 0 },

	/* ---- ZL011 ---- */
	{ "ZL011 a loader error, and nothing more",
	  LPOL("alpha", "", "  badp = { proto = \"tcp\"; ports = [ 0 ]; }; #@P\n",
	  FX("x", "atena", "chukan", "\"badp\"", "") ",\n"
	  FL("y", "web", "atena", "\"badp\"", "")),
	  { { "ZL011", E, "#@P", "port 0" } }, "ports = [ 0 ]; }; #@P",
	  "ports = [ 443 ]; }; #@P", 1 },
	{ "ZL011 one defect: a host with a bad address",
	  LPOL("alpha", "  lgx = { zone = \"lg\"; address = \"10.20.1.300\"; }; "
	  "#@A\n", "", FX("x", "atena", "lgx", "\"everything\"", "") ",\n"
	  FL("y", "lgx", "web", "\"https\"", "") ",\n"
	  FL("z", "lgx", "gcloud", "\"https\"", "")),
	  { { "ZL011", E, "#@A", "invalid address" } }, NULL, NULL, 0 },
	{ "ZL011 one defect: a typo in an optional key of a flow",
	  LPOL("alpha", "", "", FX("x", "mailrelay", "lg-mail", "\"smtp\"",
	  "method = \"mail-text\";\n    approvel = \"CISO-2026-002\"; #@K")),
	  { { "ZL011", E, "#@K", "did you mean \"approval\"" } },
	  "approvel", "approval", 0 },
	{ "ZL011 one defect: a typo in the method key",
	  LPOL("alpha", "", "", FX("x", "atena", "chukan", "\"https\"",
	  "mehtod = \"specific\"; #@K\n    approval = \"A-1\";")),
	  { { "ZL011", E, "#@K", "did you mean \"method\"" } },
	  "mehtod", "method", 0 },

	{ "ZL011 one defect: an unknown model",
	  LPOL("gamma", "", "", FL("s", "lg-terms", "rds", "\"rdp\"",
	  "method = \"screen-transfer\"; approval = \"A\";") ",\n"
	  FL("s2", "webterms", "lgrds", "\"rdp\"",
	  "method = \"screen-transfer\"; approval = \"A\";") ",\n"
	  FL("c", "lg-terms", "cloud", "\"https\"",
	  "method = \"cloud-lbo\"; approval = \"A\";")),
	  { { "ZL011", E, "model = \"gamma\";", "unknown model" } },
	  NULL, NULL, 0 },
	{ "ZL011 one defect: an unknown zone kind",
	  LHDR("alpha") "zones = {\n" ZONE_MN ZONE_LG ZONE_INET
	  "  cl = { kind = \"closd\"; interfaces = [ \"cl0\" ]; "
	  "networks = [ \"10.30.0.0/16\" ]; }; #@Z\n};\n" LHOSTS("") LSVCS("")
	  FLOWS(FL("a", "gcloud", "web", "\"everything\"", "") ",\n"
	  FL("b", "atena", "cl", "\"everything\"", "")),
	  { { "ZL011", E, "#@Z", "unknown zone kind \"closd\"" } },
	  "\"closd\"", "\"closed\"", 1 },

	/* ---- ZL012 ---- */
	{ "ZL012 screen transfer on 8080",
	  LPOL("alpha", "", "", FX("x", "lg-terms", "rds", "\"alt\"",
	  APPR("screen-transfer"))),
	  { { "ZL012", W, "#@S", "unusual port" } },
	  "\"alt\"; #@S", "[ \"rdp\", \"rdpu\", \"ica\", \"https\" ]; #@S",
	  0 },
	{ "ZL012 screen transfer, one usual and one unusual service",
	  LPOL("beta", "", "", FX("x", "webterms", "lgrds",
	  "[ \"horizon\", \"ssh\" ]", APPR("screen-transfer"))),
	  { { "ZL012", W, "#@S", NULL } },
	  "\"ssh\" ]; #@S", "\"horizonu\" ]; #@S", 0 },
	{ "ZL012 file sanitiser on 8443",
	  LPOL("alpha", "", "", FX("x", "sanitizer", "web", "\"h8443\"",
	  APPR("file-sanitize"))),
	  { { "ZL012", W, "#@S", "expected HTTPS 443" } },
	  "\"h8443\"; #@S", "\"https\"; #@S", 0 },

	/* ---- ZL013 ---- */
	{ "ZL013 closed to Internet",
	  LPOL("alpha", "", "", FX("x", "gcloud", "web", "\"https\"", "")),
	  { { "ZL013", E, "#@F", "closed zone must never communicate" } },
	  "to = \"web\"", "to = \"lgsrv\"", 0 },
	{ "ZL013 Internet to closed",
	  LPOL("alpha", "", "", FX("x", "web", "gcloud", "\"https\"", "")),
	  { { "ZL013", E, "#@F", NULL } }, "from = \"web\"",
	  "from = \"lgsrv\"", 0 },
	{ "ZL013 owns the flow: no method or approval findings",
	  LPOL("alpha", "", "", FX("x", "inet", "cl", "\"everything\"",
	  "method = \"mail-text\";")),
	  { { "ZL013", E, "#@F", NULL } }, NULL, NULL, 0 },

	/* ---- ZL014 ---- */
	{ "ZL014 expired",
	  LPOL("alpha", "", "", FX("x", "lgsrv", "gcloud", "\"https\"",
	  "expires = \"2026-01-01T00:00:00+09:00\"; #@X")),
	  { { "ZL014", W, "#@X", "expired at 2026-01-01T00:00:00+09:00" } },
	  "\"2026-01-01T00:00:00+09:00\"", "\"2027-01-01T00:00:00+09:00\"",
	  0 },
	{ "ZL014 expiring exactly now",
	  LPOL("alpha", "", "", FX("x", "lgsrv", "gcloud", "\"https\"",
	  "expires = \"2026-11-21T09:00:00+09:00\"; #@X")),
	  { { "ZL014", W, "#@X", "expired at 2026-11-21T09:00:00+09:00" } },
	  "\"2026-11-21T09:00:00+09:00\"", "\"2026-11-21T09:00:01+09:00\"",
	  0 },

	/* ---- issue 16: the Government Cloud of the My Number tier ---- */
	{ "tier: terminals (a network) to the Government Cloud by network",
	  GPOL("", "", FX("x", "mn-terms", "gc-std", "\"https\"", SPEC)),
	  { { NULL } }, NULL, NULL, 0 },
	{ "tier: the whole Government Cloud zone",
	  GPOL("", "", FX("x", "mn-terms", "gc", "\"https\"", SPEC)),
	  { { "ZL002", E, "#@TO", "names its networks" } },
	  "to = \"gc\"", "to = \"gc-std\"", 0 },
	{ "tier: still explicit ports",
	  GPOL("", "", FX("x", "mn-terms", "gc-std", "\"dns\"", SPEC)),
	  { { "ZL003", E, "#@S", "allows every port" } },
	  "\"dns\"; #@S", "\"syslog\"; #@S", 0 },
	{ "tier: still an approval and method specific",
	  GPOL("", "", FX("x", "mn-terms", "gc-std", "\"https\"", "")),
	  { { "ZL005", E, "#@F", "specific" }, { "ZL010", E, "#@F", NULL } },
	  NULL, NULL, 0 },
	{ "tier: never the Internet",
	  GPOL("", "", FX("x", "gc-std", "web", "\"https\"", SPEC)),
	  { { "ZL001", E, "#@F", NULL } }, NULL, NULL, 0 },
	{ "tier: a list beyond the closed line crossing to LGWAN",
	  GPOL("", "", FX("x", "gc-std", "chukan", "\"https\"", SPEC)),
	  { { "ZL002", E, "#@FROM", "is a list of 2 addresses" } },
	  "from = \"gc-std\"", "from = \"gc-one\"", 0 },
	{ "tier: a MAC beyond the closed line is one finding on the host",
	  GPOL("  gc-mac = { zone = \"gc\"; address = \"10.128.5.11\"; #@H\n"
	  "    mac = \"02:00:0a:80:05:0b\"; }; #@MAC\n", "",
	  FX("x", "gc-mac", "chukan", "\"https\"", SPEC)),
	  { { "ZL002", E, "#@MAC", "cannot pin it" } },
	  "    mac = \"02:00:0a:80:05:0b\"; }; #@MAC", "    }; #@MAC", 0 },

	/* ---- issue 16: address lists and lists of hosts ---- */
	{ "a list of hosts of two zones",
	  LPOL("alpha", "", "", FX("x", "lgsrv", "gcloud", "\"https\"", "")
	  ",\n" "  { name = \"y\"; from = [ \"lgsrv\", \"web\" ]; #@Y\n"
	  "    to = \"gcloud\"; service = \"https\"; }"),
	  { { "ZL011", E, "#@Y", "a flow joins one pair of zones" } },
	  "\"lgsrv\", \"web\"", "\"lgsrv\", \"lg-mail\"", 0 },
	{ "a list of My Number hosts: each pinned",
	  LPOL("alpha", "  mnx = { zone = \"mn\"; address = \"10.10.3.3\"; };\n",
	  "", FXL("x", "[ \"atena\", \"mnx\" ]", "chukan", "\"https\"", SPEC)),
	  { { "ZL002", E, "#@FROM", "\"mnx\" has no MAC" } },
	  "\"10.10.3.3\"; };", "\"10.10.3.3\"; mac = \"02:00:0a:0a:03:03\"; };",
	  0 },
	{ "a My Number host with an address list",
	  LPOL("alpha", "  mnl = { zone = \"mn\"; address = [ \"10.10.3.3\", "
	  "\"10.10.3.4\" ]; mac = \"02:00:0a:0a:03:03\"; };\n", "",
	  FX("x", "mnl", "chukan", "\"https\"", SPEC)),
	  { { "ZL002", E, "#@FROM", "is a list of 2 addresses" } },
	  "[ \"10.10.3.3\", \"10.10.3.4\" ]", "\"10.10.3.3\"", 0 },
	{ "a peer with an address list",
	  LPOL("alpha", "  lgl = { zone = \"lg\"; address = [ \"10.20.3.3\", "
	  "\"10.20.3.4\" ]; };\n", "", FX("x", "atena", "lgl", "\"https\"",
	  SPEC)),
	  { { "ZL004", E, "#@TO", "is a list of 2 addresses" } },
	  "[ \"10.20.3.3\", \"10.20.3.4\" ]", "\"10.20.3.3\"", 0 },
	{ "an Internet host list reaching into LGWAN, per prefix, once",
	  LPOL("alpha", "  leaky = { zone = \"inet\"; #@H\n"
	  "    address = [ \"192.0.2.0/28\", \"10.20.7.0/24\", \"10.20.8.0/24\" ]; "
	  "}; #@A\n", "", ""),
	  { { "ZL008", E, "#@A", "10.20.7.0/24 of an Internet-zone host lies "
	  "inside network 10.20.0.0/16 of zone \"lg\" (and 1 more" } },
	  "\"10.20.7.0/24\", \"10.20.8.0/24\" ", "\"192.0.2.16/28\" ", 0 },
	{ "a peer covered through an element of an address list",
	  LPOL("alpha", "  lgset = { zone = \"lg\"; address = [ \"10.20.9.0/24\", "
	  "\"10.20.1.0/24\" ]; };\n", "", FL("fs", "lgset", "isan", "\"https\"",
	  "method = \"file-sanitize\"; approval = \"A-2\";") ",\n"
	  FX("x", "atena", "lgsrv", "\"https\"", SPEC)),
	  { { "ZL004", E, "#@TO", "flow \"fs\"" } },
	  "\"10.20.1.0/24\"", "\"10.20.2.0/24\"", 0 },

	/* ---- issue 16: one defect, one finding ---- */
	{ "ZL004: a peer that talks to the Internet is one finding for all "
	  "its My Number flows",
	  LPOL("alpha", "", "", FL("mail-in", "mailrelay", "lg-mail", "\"smtp\"",
	  "method = \"mail-text\"; approval = \"A-2\";") ",\n"
	  FX("x", "atena", "lg-mail", "\"https\"", SPEC) ",\n"
	  FL("x2", "atena", "lg-mail", "\"syslog\"", "method = \"specific\"; "
	  "approval = \"A-3\";")),
	  { { "ZL004", E, "#@TO", "also the peer of 1 more My Number flow" } },
	  "to = \"lg-mail\"; service = \"smtp\"",
	  "to = \"lgsrv\"; service = \"smtp\"", 0 },
	{ "ZL004: an Internet flow that ZL013 owns covers no peer",
	  LPOL("alpha", "", "", FX("gc-web", "gcloud", "web", "\"https\"", "")
	  ",\n" FL("x", "atena", "gcloud", "\"https\"", "method = "
	  "\"specific\"; approval = \"A-1\";")),
	  { { "ZL013", E, "#@F", NULL } }, NULL, NULL, 0 },
	{ "ZL008: a network overlapping three, and an Internet host in it, is "
	  "one finding",
	  LHDR("alpha") "zones = {\n" ZONE_MN ZONE_LG ZONE_INET
	  "  wide = { kind = \"closed\"; interfaces = [ \"w0\" ]; "
	  "networks = [ \"10.0.0.0/8\" ]; }; #@W\n};\n"
	  "hosts = {\n  odd = { zone = \"inet\"; address = \"10.99.0.1\"; };\n"
	  "};\n",
	  { { "ZL008", E, "#@W", "10.10.0.0/16 of zone \"mn\", 10.20.0.0/16 of "
	  "zone \"lg\", 10.200.0.0/16 of zone \"lg\"; local" } },
	  "\"10.0.0.0/8\"", "\"10.30.0.0/16\"", 0 },

	/* ---- issue 16: silent holes ---- */
	{ "ZL016 an IPv4 host to an IPv6 host",
	  LPOL("alpha", "  lg6 = { zone = \"lg\"; address = \"fd20::60\"; };\n",
	  "", FX("x", "lgsrv", "lg6", "\"https\"", "")),
	  { { "ZL016", E, "#@TO", "share no address family" } },
	  "to = \"lg6\"", "to = \"lg-mail\"", 0 },
	{ "ZL016 ICMP between IPv6 ends",
	  LPOL("alpha", "  lg6 = { zone = \"lg\"; address = \"fd20::60\"; };\n",
	  "", FX("x", "chukan6", "lg6", "\"ping\"", "")),
	  { { "ZL016", E, "#@S", "icmp is IPv4" } }, NULL, NULL, 0 },
	{ "ZL016 owns the flow (no ZL004 or ZL010 on it)",
	  LPOL("alpha", "", "", FX("x", "atena6", "chukan", "\"https\"", "")),
	  { { "ZL016", E, "#@TO", NULL } }, NULL, NULL, 0 },
	{ "ZL003 several ranges that together open more than 16 ports",
	  LPOL("alpha", "", "", FX("x", "atena", "chukan", "[ \"p2\", "
	  "\"juki\" ]", SPEC)),
	  { { "ZL003", E, "#@S", "opens 21 tcp ports (700, 8000-8003, 8005-8020)" } },
	  "\"p2\", ", "", 0 },
	{ "ZL003 overlapping ranges count once",
	  LPOL("alpha", "", "", FX("x", "atena", "chukan", "[ \"w16\", \"j2\" ]",
	  SPEC)), { { NULL } }, NULL, NULL, 0 },

	/* ---- issue 16: the sanitiser into LGWAN ---- */
	{ "ZL006 the sanitiser into a whole LGWAN zone",
	  LPOL("alpha", "", "", FX("x", "isan", "lg", "\"https\"",
	  APPR("file-sanitize"))),
	  { { "ZL006", E, "#@TO", "never to the whole zone \"lg\"" } },
	  "to = \"lg\"", "to = \"lgsrv\"", 0 },
	{ "ZL006 the sanitiser into a network",
	  LPOL("alpha", "", "", FX("x", "isan", "lg-terms", "\"https\"",
	  APPR("file-sanitize"))),
	  { { "ZL006", E, "#@TO", "a network (10.20.100.0/24)" } },
	  "to = \"lg-terms\"", "to = \"lgsrv\"", 0 },
	{ "ZL006 the sanitiser into LGWAN over SSH without a product",
	  LPOL("alpha", "", "", FX("x", "isan", "lgsrv", "\"ssh\"",
	  APPR("file-sanitize"))),
	  { { "ZL006", E, "#@S", "SSH (SFTP, SCP)" } },
	  "approval = \"A-1\";", "approval = \"A-1\"; product = \"P\";", 1 },
	{ "ZL006 the sanitiser into LGWAN over every port",
	  LPOL("alpha", "", "", FX("x", "isan", "lgsrv", "\"everything\"",
	  APPR("file-sanitize"))),
	  { { "ZL006", E, "#@S", "every protocol and port" } },
	  "\"everything\"; #@S", "\"https\"; #@S", 0 },
	{ "ZL012 a named product on SMB still warns",
	  LPOLT("alpha", "", "  smb = { proto = \"tcp\"; ports = [ 445 ]; };\n",
	  FX("x", "isan", "lgsrv", "\"smb\"", APPR("file-sanitize")
	  " product = \"P\";"), ""),
	  { { "ZL012", W, "#@S", NULL } }, NULL, NULL, 0 },
	{ "product on another method",
	  LPOL("alpha", "", "", FX("x", "lg-mail", "mailrelay", "\"smtp\"",
	  APPR("mail-text") " product = \"P\"; #@P")),
	  { { "ZL011", E, "#@P", "names the sanitiser product" } },
	  " product = \"P\"; #@P", "", 0 },

	/* ---- issue 16: local breakout beyond 443 ---- */
	{ "ZL006 cloud-lbo on every port",
	  LPOL("alpha-prime", "", "", FX("x", "lg-terms", "cloud", "\"dns\"",
	  APPR("cloud-lbo"))),
	  { { "ZL006", E, "#@S", "allows every port" } },
	  "\"dns\"; #@S", "\"https\"; #@S", 0 },

	/* ---- issue 16: staged exceptions ---- */
	{ "ZL014 pending",
	  LPOL("alpha", "", "", FX("x", "lgsrv", "gcloud", "\"https\"",
	  "starts = \"2027-01-04T09:00:00+09:00\"; #@X")),
	  { { "ZL014", W, "#@X", "is pending: it starts at "
	  "2027-01-04T09:00:00+09:00" } },
	  "2027-01-04T09:00:00+09:00", "2026-01-04T09:00:00+09:00", 0 },
	{ "starts not before expires",
	  LPOL("alpha", "", "", FX("x", "lgsrv", "gcloud", "\"https\"",
	  "starts = \"2027-01-04T09:00:00+09:00\"; #@X\n"
	  "    expires = \"2027-01-04T00:00:00Z\";")),
	  { { "ZL011", E, "#@X", "never be active" } },
	  "2027-01-04T00:00:00Z", "2027-01-05T00:00:00Z", 1 },

	/* ---- ZL015 ---- */
	{ "ZL015 management from the Internet",
	  LPOLT("alpha", "", "", "", "management = (\n"
	  "  { from = \"lgsrv\"; service = \"ssh\"; },\n"
	  "  { from = \"webterms\"; #@G\n    service = \"ssh\"; }\n);\n"),
	  { { "ZL015", E, "#@G", "never managed from an Internet zone" } },
	  "\"webterms\"", "\"lg-terms\"", 0 },
	{ "ZL015 management on every protocol",
	  LPOLT("alpha", "", "", "", "management = (\n"
	  "  { from = \"lg-terms\"; #@G\n    service = \"everything\"; }\n);\n"),
	  { { "ZL015", E, "#@G", "allows every protocol" } },
	  "\"everything\"; }", "\"https\"; }", 0 },

	/* ---- ZL017 ---- */
	{ "ZL017 the sync interface belongs to a zone",
	  LPOLT("alpha", "", "", "", "ha = { sync_interface = \"lg0\"; #@H\n"
	  "  peer = \"192.168.255.2\"; };\n"),
	  { { "ZL017", E, "#@H", "belongs to zone \"lg\"" } },
	  "\"lg0\"; #@H", "\"sync0\"; #@H", 0 },
	{ "ZL017 the peer lies in a zone's network",
	  LPOLT("alpha", "", "", "", "ha = { sync_interface = \"sync0\";\n"
	  "  peer = [ \"192.168.255.1\", \"10.20.0.3\" ]; #@P\n};\n"),
	  { { "ZL017", E, "#@P", "lies in network 10.20.0.0/16 of zone "
	  "\"lg\"" } }, "\"10.20.0.3\"", "\"192.168.255.2\"", 0 },
	{ "ZL017 an IPv6 peer in a zone's network, one finding",
	  LPOLT("alpha", "", "", "", "ha = { sync_interface = \"sync0\";\n"
	  "  peer = \"fd20::2\"; #@P\n};\n"),
	  { { "ZL017", E, "#@P", "fd20::2 lies in network fd20::/48" } },
	  "\"fd20::2\"", "\"fe80::2\"", 0 },
	{ "ZL017 a multicast peer",
	  LPOLT("alpha", "", "", "", "ha = { sync_interface = \"sync0\";\n"
	  "  peer = \"225.0.0.50\"; #@P\n};\n"),
	  { { "ZL017", E, "#@P", "not the other node's address" } },
	  "\"225.0.0.50\"", "\"192.168.255.0/30\"", 0 },
	{ "ZL017 a peer that is every address",
	  LPOLT("alpha", "", "", "", "ha = { sync_interface = \"sync0\";\n"
	  "  peer = \"::/0\"; #@P\n};\n"),
	  { { "ZL017", E, "#@P", "not the other node's address" } },
	  "\"::/0\"; #@P", "\"fe80::/64\"; #@P", 0 },

	/* ---- several rules on one flow: one finding per defect ---- */
	{ "several defects of one My Number flow",
	  LPOL("alpha", "", "", FX("x", "mn", "lg", "\"everything\"", "")),
	  { { "ZL002", E, "#@FROM", NULL }, { "ZL004", E, "#@TO", NULL },
	    { "ZL003", E, "#@S", NULL }, { "ZL005", E, "#@F", NULL },
	    { "ZL010", E, "#@F", NULL } }, NULL, NULL, 0 },

	/* ---- compliant policies: no finding ---- */
	{ "clean: every model-neutral crossing",
	  LPOL("alpha", "", "",
	  FL("a1", "atena", "chukan", "\"https\"", "method = \"specific\"; "
	  "approval = \"A\";") ",\n"
	  FL("a2", "chukan", "atena", "\"juki\"", "method = \"specific\"; "
	  "approval = \"A\";") ",\n"
	  FL("a3", "atena6", "chukan6", "\"https\"", "method = \"specific\"; "
	  "approval = \"A\";") ",\n"
	  FL("a4", "atena", "gcloud", "\"ping\"", "method = \"specific\"; "
	  "approval = \"A\";") ",\n"
	  FL("m1", "mailrelay", "lg-mail", "\"smtp\"", "method = "
	  "\"mail-text\"; approval = \"A\";") ",\n"
	  FL("m2", "lg-mail", "mailrelay", "\"smtps\"", "method = "
	  "\"mail-text\"; approval = \"A\";") ",\n"
	  FL("s1", "lg-terms", "rds", "[ \"rdp\", \"rdpu\", \"ica\" ]",
	  "method = \"screen-transfer\"; approval = \"A\";") ",\n"
	  FL("s2", "lg-terms", "rds", "[ \"horizon\", \"horizonu\", "
	  "\"https\" ]", "method = \"screen-transfer\"; approval = \"A\";")
	  ",\n"
	  FL("f1", "sanitizer", "web", "\"https\"", "method = "
	  "\"file-sanitize\"; approval = \"A\";") ",\n"
	  FL("f2", "isan", "lgsrv", "\"https\"", "method = "
	  "\"file-sanitize\"; approval = \"A\";") ",\n"
	  FL("c1", "lg", "gcloud", "\"everything\"", "") ",\n"
	  FL("c2", "gcloud", "lg-terms", "\"dns\"", "") ",\n"
	  FL("i1", "lgsrv", "lg-mail", "\"everything\"", "")),
	  { { NULL } }, NULL, NULL, 0 },
	{ "clean: no Internet zone, monitoring off",
	  LHDR("alpha") "zones = {\n" ZONE_MN ZONE_LG "};\n"
	  "monitor = { enabled = false; };\n", { { NULL } }, NULL, NULL, 0 },
	{ "clean: alpha-prime cloud-lbo",
	  LPOL("alpha-prime", "", "", FL("c", "lg-terms", "cloud",
	  "\"https\"", "method = \"cloud-lbo\"; approval = \"A\";") ",\n"
	  FL("c2", "lgsrv", "web", "\"https\"", "method = \"cloud-lbo\"; "
	  "approval = \"A\";")), { { NULL } }, NULL, NULL, 0 },
};

static void
expect(const struct lcase *c, const char *text, const struct diag *d)
{
	struct {
		const char *id;
		enum diag_severity sev;
		int line;
		const char *msg;
	} w[6];
	size_t n = 0;

	for (; n < ARRAY_LEN(c->want) && c->want[n].id; n++) {
		w[n].id = c->want[n].id;
		w[n].sev = c->want[n].sev;
		w[n].line = mline(text, c->want[n].marker);
		w[n].msg = c->want[n].msg;
	}
	/* in the order of diag_sort: line, then id */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && (w[j - 1].line > w[j].line ||
		    (w[j - 1].line == w[j].line &&
		    strcmp(w[j - 1].id, w[j].id) > 0)); j--) {
			__typeof__(w[0]) t = w[j];
			w[j] = w[j - 1];
			w[j - 1] = t;
		}
	ck_assert_msg(d->n == n, "%s: expected %zu finding(s), got:%s", c->name,
	    n, unit_diag_dump(d));
	for (size_t i = 0; i < n; i++) {
		const struct diag_finding *f = &d->v[i];
		ck_assert_msg(strcmp(f->id, w[i].id) == 0 &&
		    f->severity == w[i].sev && f->line == w[i].line &&
		    strcmp(f->file, NAME) == 0 &&
		    (w[i].msg == NULL || strstr(f->message, w[i].msg)),
		    "%s: finding %zu should be %s:%d: %s: %s: ...%s..., got:%s",
		    c->name, i, NAME, w[i].line, diag_severity_str(w[i].sev),
		    w[i].id, w[i].msg ? w[i].msg : "", unit_diag_dump(d));
	}
}

START_TEST(test_rule_case)
{
	const struct lcase *c = &cases[_i];
	struct diag d;

	lint_text(c->text, NOW, &d);
	expect(c, c->text, &d);
	diag_free(&d);
	if (c->fix_from) {
		char *twin = replace_once(c->text, c->fix_from, c->fix_to);
		lint_text(twin, NOW, &d);
		for (size_t k = 0; k < ARRAY_LEN(c->want) && c->want[k].id; k++)
			ck_assert_msg(count_id(&d, c->want[k].id) == 0,
			    "%s: the twin still gives %s:%s", c->name,
			    c->want[k].id, unit_diag_dump(&d));
		if (!c->twin_dirty)
			ck_assert_msg(d.n == 0, "%s: the twin is not clean:%s",
			    c->name, unit_diag_dump(&d));
		diag_free(&d);
		free(twin);
	}
}
END_TEST

/* Every rule id has at least one violating case above. */
START_TEST(test_every_rule_covered)
{
	size_t n = 0;

	for (const struct lint_rule *r = lint_rules; r->id; r++, n++) {
		bool found = false;
		for (size_t i = 0; i < ARRAY_LEN(cases) && !found; i++)
			for (size_t k = 0; k < ARRAY_LEN(cases[i].want) &&
			    cases[i].want[k].id && !found; k++)
				found = strcmp(cases[i].want[k].id, r->id) == 0;
		ck_assert_msg(found, "no case for rule %s", r->id);
	}
	ck_assert_uint_ge(n, 17);
}
END_TEST

/* The rule table: ids consecutive from ZL001, severities as DESIGN §4 (and
 * as lint.h documents the rules added since: ZL014 a warning, ZL015,
 * ZL016 and ZL017 errors). */
START_TEST(test_rule_table)
{
	static const char *const warnings[] = { "ZL009", "ZL012", "ZL014" };
	int i = 0;

	for (const struct lint_rule *r = lint_rules; r->id; r++, i++) {
		char id[8];
		bool warn = false;

		snprintf(id, sizeof(id), "ZL%03d", i + 1);
		ck_assert_str_eq(r->id, id);
		for (size_t k = 0; k < ARRAY_LEN(warnings); k++)
			warn |= strcmp(warnings[k], id) == 0;
		if (i < 17)
			ck_assert_msg(r->severity == (warn ? DIAG_WARNING :
			    DIAG_ERROR), "%s has the wrong severity", id);
		ck_assert(r->summary != NULL && r->summary[0] != '\0');
	}
	ck_assert_int_ge(i, 17);
}
END_TEST

/* ZL014 follows the injected clock to the second. */
START_TEST(test_zl014_now_injected)
{
	static const char text[] = LPOL("alpha", "", "",
	    FX("x", "lgsrv", "gcloud", "\"https\"",
	    "expires = \"2026-12-31T23:59:59+09:00\"; #@X"));
	struct diag d;

	/* a second before: active; at the instant and after: expired */
	lint_text(text, (time_t)1798729198, &d);
	ck_assert_msg(d.n == 0, "findings:%s", unit_diag_dump(&d));
	diag_free(&d);
	lint_text(text, (time_t)1798729199, &d);
	ck_assert_msg(d.n == 1 && strcmp(d.v[0].id, "ZL014") == 0 &&
	    d.v[0].line == mline(text, "#@X") &&
	    strstr(d.v[0].message, "2026-12-31T23:59:59+09:00"), "findings:%s",
	    unit_diag_dump(&d));
	diag_free(&d);
}
END_TEST

/* Model awareness as a table: the same screen-transfer flows in each model. */
START_TEST(test_models_screen_transfer)
{
	static const struct {
		const char *model;
		int lg_to_inet_ok, inet_to_lg_ok, lbo_ok;
	} m[] = {
		{ "alpha", 1, 0, 0 }, { "alpha-prime", 1, 0, 1 },
		{ "beta", 0, 1, 0 }, { "beta-prime", 0, 1, 0 },
	};
	static const char tmpl[] = LPOL("MODEL", "", "",
	    FL("out", "lg-terms", "rds", "\"rdp\"", "method = "
	    "\"screen-transfer\"; approval = \"A\";") ",\n"
	    FL("in", "webterms", "lgrds", "\"rdp\"", "method = "
	    "\"screen-transfer\"; approval = \"A\";") ",\n"
	    FL("lbo", "lg-terms", "cloud", "\"https\"", "method = "
	    "\"cloud-lbo\"; approval = \"A\";"));

	for (size_t i = 0; i < ARRAY_LEN(m); i++) {
		char *text = replace_once(tmpl, "MODEL", m[i].model);
		struct diag d;
		int out = 0, in = 0, lbo = 0;

		lint_text(text, NOW, &d);
		for (size_t k = 0; k < d.n; k++) {
			ck_assert_int_eq(d.v[k].severity, DIAG_ERROR);
			out += strstr(d.v[k].object, "\"out\"") != NULL;
			in += strstr(d.v[k].object, "\"in\"") != NULL;
			lbo += strstr(d.v[k].object, "\"lbo\"") != NULL;
		}
		ck_assert_msg(out == !m[i].lg_to_inet_ok &&
		    in == !m[i].inet_to_lg_ok && lbo == !m[i].lbo_ok,
		    "model %s:%s", m[i].model, unit_diag_dump(&d));
		diag_free(&d);
		free(text);
	}
}
END_TEST

/* --- the example policies -------------------------------------------------- */

START_TEST(test_examples_pass)
{
	glob_t g;

	ck_assert_msg(glob("conf/*.conf", 0, NULL, &g) == 0 && g.gl_pathc >= 1,
	    "no conf/*.conf (run from the top of the tree)");
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct policy *p = NULL;
		struct diag d;
		char err[256];

		diag_init(&d);
		ck_assert_msg(lint_file(g.gl_pathv[i], NOW, &p, &d, err,
		    sizeof(err)) == 0, "%s: %s", g.gl_pathv[i], err);
		ck_assert_msg(p != NULL && d.nerrors == 0 && !d.oom,
		    "%s has errors:%s", g.gl_pathv[i], unit_diag_dump(&d));
		ck_assert_msg(p->nflows > 0 && p->nzones >= 3, "%s is no real "
		    "example", g.gl_pathv[i]);
		policy_free(p);
		diag_free(&d);
	}
	globfree(&g);
}
END_TEST

/* --- JSON ---------------------------------------------------------------- */

START_TEST(test_json)
{
	static const char text[] = LPOL("alpha", "", "",
	    FX("x", "atena", "chukan", "\"https\"", "method = \"specific\";")
	    ",\n" FL("y", "lgsrv", "gcloud", "\"https\"", "") ",\n"
	    FL("z", "lgsrv", "gcloud", "\"https\"", ""));
	static const char *const keys[] = { "file", "line", "severity", "id",
	    "object", "message" };
	struct diag d;
	json_t *arr;
	json_error_t jerr;
	char *s;

	lint_text(text, NOW, &d);
	ck_assert_msg(d.n == 2, "findings:%s", unit_diag_dump(&d));
	s = diag_json(&d);
	ck_assert(s != NULL);
	arr = json_loads(s, 0, &jerr);
	ck_assert_msg(arr != NULL, "diag_json: %s: %s", jerr.text, s);
	ck_assert(json_is_array(arr));
	ck_assert_uint_eq(json_array_size(arr), d.n);
	for (size_t i = 0; i < d.n; i++) {
		json_t *o = json_array_get(arr, i);
		const struct diag_finding *f = &d.v[i];

		ck_assert(json_is_object(o));
		ck_assert_uint_eq(json_object_size(o), 6);
		for (size_t k = 0; k < ARRAY_LEN(keys); k++)
			ck_assert_msg(json_object_get(o, keys[k]) != NULL,
			    "no \"%s\"", keys[k]);
		ck_assert(json_is_integer(json_object_get(o, "line")));
		ck_assert_int_eq(json_integer_value(json_object_get(o, "line")),
		    f->line);
		ck_assert_str_eq(json_string_value(json_object_get(o, "file")),
		    NAME);
		ck_assert_str_eq(json_string_value(json_object_get(o, "id")),
		    f->id);
		ck_assert_str_eq(json_string_value(json_object_get(o,
		    "severity")), diag_severity_str(f->severity));
		ck_assert_str_eq(json_string_value(json_object_get(o,
		    "object")), f->object);
		ck_assert_str_eq(json_string_value(json_object_get(o,
		    "message")), f->message);
	}
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(arr,
	    0), "id")), "ZL010");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(arr,
	    0), "severity")), "error");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(arr,
	    0), "object")), "flow \"x\"");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(arr,
	    1), "severity")), "warning");
	json_decref(arr);
	free(s);
	/* no findings: an empty array */
	diag_free(&d);
	s = diag_json(&d);
	ck_assert_str_eq(s, "[]");
	free(s);
}
END_TEST

/* The text form of DESIGN §4. */
START_TEST(test_text_form)
{
	static const char text[] = LPOL("alpha", "", "",
	    FX("x", "atena", "web", "\"https\"", SPEC));
	struct diag d;
	char buf[4096], want[512];
	FILE *fp;

	lint_text(text, NOW, &d);
	fp = fmemopen(buf, sizeof(buf), "w");
	ck_assert(fp != NULL);
	diag_print(&d, fp);
	fclose(fp);
	snprintf(want, sizeof(want), "%s:%d: error: ZL001: flow \"x\": the My "
	    "Number zone must never communicate with an Internet zone", NAME,
	    mline(text, "#@F"));
	ck_assert_msg(strncmp(buf, want, strlen(want)) == 0, "got: %s", buf);
	ck_assert_int_eq(buf[strlen(buf) - 1], '\n');
	ck_assert(strchr(buf, '\n') == buf + strlen(buf) - 1);
	diag_free(&d);
}
END_TEST

UNIT_SUITE(lint_suite)

static Suite *
lint_suite(void)
{
	Suite *s = suite_create("lint");
	TCase *tc = tcase_create("rules");

	tcase_add_loop_test(tc, test_rule_case, 0, (int)ARRAY_LEN(cases));
	tcase_add_test(tc, test_every_rule_covered);
	tcase_add_test(tc, test_rule_table);
	tcase_add_test(tc, test_zl014_now_injected);
	tcase_add_test(tc, test_models_screen_transfer);
	suite_add_tcase(s, tc);
	tc = tcase_create("output");
	tcase_add_test(tc, test_examples_pass);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_text_form);
	suite_add_tcase(s, tc);
	return s;
}
