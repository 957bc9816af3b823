/*
 * check_conf — the policy loader (lib/conf.c): every kind of loader error is
 * one ZL011 finding on the right line with the right words; all errors of a
 * file come out in one run; the positive forms (ports, services, IPv6,
 * defaults), conf_parse_time, I/O errors and the flow marks.
 *
 * Expected lines are not numbers typed by hand: each test text carries a
 * marker comment ("#@", "#@2", ...) on the line where DESIGN §4 says the
 * finding belongs (the offending key, else the object's opening brace), and
 * the test finds that line in the text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "diag.h"
#include "policy.h"
#include "timefmt.h"
#include "unit.h"

/* --- helpers ------------------------------------------------------------ */

#define NAME "t.conf"

/* The 1-based line of the only occurrence of marker in text ("#@" does not
 * match "#@2"). */
static int
mline(const char *text, const char *marker)
{
	const char *at = NULL;
	size_t ml = strlen(marker);
	int line = 1, n = 0;

	for (const char *q = strstr(text, marker); q; q = strstr(q + 1, marker))
		if (q[ml] < '0' || q[ml] > '9') {
			at = q;
			n++;
		}
	ck_assert_msg(n == 1, "marker %s found %d times", marker, n);
	for (const char *q = text; q < at; q++)
		if (*q == '\n')
			line++;
	return line;
}

static struct policy *
load(const char *text, struct diag *d)
{
	struct policy *p = NULL;

	diag_init(d);
	ck_assert_int_eq(conf_load_string(text, NAME, &p, d), 0);
	return p;
}

/* Loads text that must load without any finding. */
static struct policy *
load_ok(const char *text)
{
	struct diag d;
	struct policy *p = load(text, &d);

	ck_assert_msg(d.n == 0 && p != NULL, "unexpected findings:%s",
	    unit_diag_dump(&d));
	diag_free(&d);
	return p;
}

/* --- the base policy and its parts ---------------------------------------- */

#define HDR "version = 1;\nmodel = \"alpha\";\n"
#define Z_LG "  lg = { kind = \"lgwan\"; interfaces = [ \"lg0\" ]; " \
	"networks = [ \"10.20.0.0/16\" ]; };\n"
#define Z_CL "  cl = { kind = \"closed\"; interfaces = [ \"cl0\" ]; " \
	"networks = [ \"10.30.0.0/16\" ]; };\n"
#define ZONES(x) "zones = {\n" Z_LG Z_CL x "};\n"
#define HOSTS(x) "hosts = {\n" \
	"  a = { zone = \"lg\"; address = \"10.20.1.1\"; };\n" \
	"  b = { zone = \"cl\"; address = \"10.30.1.1\"; };\n" x "};\n"
#define SVCS(x) "services = {\n" \
	"  https = { proto = \"tcp\"; ports = [ 443 ]; };\n" x "};\n"
#define FLOW_OK "  { name = \"ok\"; from = \"a\"; to = \"b\"; " \
	"service = \"https\"; }"
#define FLOWS(x) "flows = (\n" FLOW_OK x "\n);\n"
#define POLICY(z, h, s, f) HDR ZONES(z) HOSTS(h) SVCS(s) FLOWS(f)
#define BASE POLICY("", "", "", "")

/* --- loader errors: one finding each ----------------------------------------- */

struct lerr_case {
	const char *name;
	const char *text;
	const char *marker;	/* the line of the finding; NULL: line 0 */
	const char *msg;	/* substring of the message */
	const char *object;	/* substring of the object, or NULL */
};

static const struct lerr_case lerr_cases[] = {
	/* --- unknown keys --- */
	{ "unknown key, did you mean",
	  POLICY("", "  h = { zone = \"lg\";\n    adress = \"10.20.1.2\"; #@\n  };\n",
	  "", ""), "#@", "unknown key \"adress\" (did you mean \"address\"?)",
	  "host \"h\"" },
	{ "unknown key, no near name",
	  POLICY("", "  h = { zone = \"lg\"; address = \"10.20.1.2\";\n"
	  "    colour = \"red\"; #@\n  };\n", "", ""), "#@",
	  "unknown key \"colour\" (expected: zone, address, addresses_file, mac, "
	  "role, label, comment)",
	  "host \"h\"" },
	{ "unknown key at the top",
	  BASE "flow = ( ); #@\n", "#@", "unknown key \"flow\" (did you "
	  "mean \"flows\"?)", NULL },
	{ "unknown key in monitor.scan",
	  BASE "monitor = { scan = { port = 5; }; }; #@\n", "#@",
	  "unknown key \"port\" (did you mean \"ports\"?)", "monitor.scan" },
	{ "unknown key in a flow",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = \"a\"; to = \"b\";\n"
	  "    service = \"https\"; approvel = \"X\"; } #@"), "#@",
	  "unknown key \"approvel\" (did you mean \"approval\"?)", "flow \"f\"" },
	/* --- a typo'd required key is one finding, not two --- */
	{ "typo of zone kind",
	  POLICY("  z = { knd = \"lgwan\"; interfaces = [ \"z0\" ]; #@\n"
	  "    networks = [ \"10.40.0.0/16\" ]; };\n", "", "", ""), "#@",
	  "unknown key \"knd\" (did you mean \"kind\"?)", "zone \"z\"" },
	{ "typo of host address",
	  POLICY("", "  h = { zone = \"lg\"; addres = \"10.20.1.2\"; }; #@\n",
	  "", ""), "#@", "did you mean \"address\"", "host \"h\"" },
	{ "typo of service proto",
	  POLICY("", "", "  s = { prot = \"tcp\"; ports = [ 1 ]; }; #@\n", ""),
	  "#@", "did you mean \"proto\"", "service \"s\"" },
	{ "typo of flow from",
	  POLICY("", "", "", ",\n  { name = \"f\"; form = \"a\"; to = \"b\"; "
	  "service = \"https\"; } #@"), "#@", "unknown key \"form\" (did you "
	  "mean \"from\"?)", "flow \"f\"" },
	{ "typo of flow service",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = \"a\"; to = \"b\"; "
	  "servce = \"https\"; } #@"), "#@", "did you mean \"service\"",
	  "flow \"f\"" },
	{ "typo of flow name",
	  POLICY("", "", "", ",\n  { nmae = \"f\"; from = \"a\"; to = \"b\"; "
	  "service = \"https\"; } #@"), "#@", "unknown key \"nmae\" (did you "
	  "mean \"name\"?)", NULL },
	{ "typo of model",
	  "version = 1;\nmodle = \"alpha\"; #@\n" ZONES("") HOSTS("") SVCS("")
	  FLOWS(""), "#@", "unknown key \"modle\" (did you mean \"model\"?)",
	  NULL },
	{ "typo of version",
	  "verison = 1; #@\nmodel = \"alpha\";\n" ZONES("") HOSTS("") SVCS("")
	  FLOWS(""), "#@", "unknown key \"verison\" (did you mean "
	  "\"version\"?)", NULL },
	/* a typo'd section name is one finding: what names its members is
	 * not reported again as dangling */
	{ "typo of zones, hosts name them",
	  HDR "zone = { #@\n" Z_LG Z_CL "};\n" HOSTS("") SVCS("") FLOWS(""),
	  "#@", "unknown key \"zone\" (did you mean \"zones\"?)", NULL },
	{ "typo of hosts, flows name them",
	  HDR ZONES("") "host = { #@\n"
	  "  a = { zone = \"lg\"; address = \"10.20.1.1\"; };\n"
	  "  b = { zone = \"cl\"; address = \"10.30.1.1\"; };\n};\n"
	  SVCS("") FLOWS(""), "#@", "unknown key \"host\" (did you mean "
	  "\"hosts\"?)", NULL },
	{ "typo of services, flows name them",
	  HDR ZONES("") HOSTS("") "service = { #@\n"
	  "  https = { proto = \"tcp\"; ports = [ 443 ]; };\n};\n" FLOWS(""),
	  "#@", "unknown key \"service\" (did you mean \"services\"?)",
	  NULL },
	/* --- wrong types, one per scalar kind --- */
	{ "version a string",
	  "version = \"1\"; #@\nmodel = \"alpha\";\n" ZONES("") HOSTS("")
	  SVCS("") FLOWS(""), "#@", "\"version\" must be an integer, not a "
	  "string", NULL },
	{ "model an integer",
	  "version = 1;\nmodel = 1; #@\n" ZONES("") HOSTS("") SVCS("")
	  FLOWS(""), "#@", "\"model\" must be a string, not an integer", NULL },
	{ "kind a boolean",
	  POLICY("  z = { kind = true; interfaces = [ \"z0\" ]; #@\n"
	  "    networks = [ \"10.40.0.0/16\" ]; };\n", "", "", ""), "#@",
	  "\"kind\" must be a string, not a boolean", "zone \"z\"" },
	{ "address an integer",
	  POLICY("", "  h = { zone = \"lg\"; address = 167772161; }; #@\n",
	  "", ""), "#@", "\"address\" must be a string or a list of strings, not an "
	  "integer",
	  "host \"h\"" },
	{ "log a string",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = \"a\"; to = \"b\"; "
	  "service = \"https\";\n    log = \"yes\"; } #@"), "#@",
	  "\"log\" must be true or false, not a string", "flow \"f\"" },
	{ "monitor.enabled an integer",
	  BASE "monitor = {\n  enabled = 1; #@\n};\n", "#@",
	  "\"enabled\" must be true or false, not an integer", "monitor" },
	{ "snaplen a float",
	  BASE "monitor = { snaplen = 1.5; }; #@\n", "#@",
	  "\"snaplen\" must be an integer, not a number with a fraction",
	  "monitor" },
	{ "snaplen a string",
	  BASE "monitor = { snaplen = \"128\"; }; #@\n", "#@",
	  "\"snaplen\" must be an integer, not a string", "monitor" },
	{ "snaplen out of range",
	  BASE "monitor = { snaplen = 10; }; #@\n", "#@",
	  "\"snaplen\" = 10 is out of range (64..65535)", "monitor" },
	{ "nflog_group a string",
	  BASE "log = { nflog_group = \"2\"; }; #@\n", "#@",
	  "\"nflog_group\" must be an integer", "log" },
	{ "verify_interval negative",
	  BASE "control = { verify_interval = -1; }; #@\n", "#@",
	  "\"verify_interval\" = -1 is out of range (0..86400)", "control" },
	{ "flow name a boolean",
	  POLICY("", "", "", ",\n  { name = true; from = \"a\"; to = \"b\"; "
	  "service = \"https\"; } #@"), "#@",
	  "\"name\" must be a string, not a boolean", NULL },
	{ "comment an integer",
	  POLICY("", "", "  s = { proto = \"udp\"; comment = 5; }; #@\n", ""),
	  "#@", "\"comment\" must be a string, not an integer", "service \"s\"" },
	{ "zones a list",
	  HDR "zones = ( ); #@\n", "#@", "\"zones\" must be a group", NULL },
	{ "flows a group",
	  HDR ZONES("") HOSTS("") SVCS("") "flows = { }; #@\n", "#@",
	  "\"flows\" must be a list", NULL },
	{ "monitor an integer",
	  BASE "monitor = 1; #@\n", "#@", "\"monitor\" must be a group",
	  NULL },
	{ "monitor.scan an integer",
	  BASE "monitor = { scan = 1; }; #@\n", "#@",
	  "\"scan\" must be a group", "monitor" },
	{ "a zone that is not a group",
	  POLICY("  z = \"lgwan\"; #@\n", "", "", ""), "#@",
	  "a zone must be a group", "zone \"z\"" },
	{ "a host that is not a group",
	  POLICY("", "  h = \"10.20.1.2\"; #@\n", "", ""), "#@",
	  "a host must be a group", "host \"h\"" },
	{ "a flow that is not a group",
	  HDR ZONES("") HOSTS("") SVCS("") "flows = (\n" FLOW_OK ",\n"
	  "  \"f\" ); #@\n", "#@", "a flow must be a group",
	  "flow #2" },
	{ "interfaces an integer",
	  POLICY("  z = { kind = \"lgwan\"; interfaces = 5; #@\n"
	  "    networks = [ \"10.40.0.0/16\" ]; };\n", "", "", ""), "#@",
	  "\"interfaces\" must be a string or a list of strings, not an "
	  "integer", "zone \"z\"" },
	{ "an interface an integer",
	  POLICY("  z = { kind = \"lgwan\"; interfaces = ( \"z0\", 5 ); #@\n"
	  "    networks = [ \"10.40.0.0/16\" ]; };\n", "", "", ""), "#@",
	  "element 2 of \"interfaces\" must be a string, not an integer",
	  "zone \"z\"" },
	{ "ports a single number",
	  POLICY("", "", "  s = { proto = \"tcp\"; ports = 25; }; #@\n", ""),
	  "#@", "\"ports\" must be an array [ 25, 587 ] or a list", "service "
	  "\"s\"" },
	{ "ports a group",
	  POLICY("", "", "  s = { proto = \"tcp\"; ports = { }; }; #@\n", ""),
	  "#@", "\"ports\" must be an array or a list, not a group",
	  "service \"s\"" },
	{ "types a number",
	  POLICY("", "", "  s = { proto = \"icmp\"; types = 8; }; #@\n", ""),
	  "#@", "\"types\" must be an array of ICMP type numbers",
	  "service \"s\"" },
	/* --- addresses --- */
	{ "bad host address",
	  POLICY("", "  h = { zone = \"lg\";\n    address = \"10.20.1.300\"; #@\n"
	  "  };\n", "", ""), "#@", "invalid address \"10.20.1.300\"",
	  "host \"h\"" },
	{ "bad IPv6 address",
	  POLICY("", "  h = { zone = \"lg\"; address = \"fd00::1::2\"; }; #@\n",
	  "", ""), "#@", "invalid address \"fd00::1::2\"", "host \"h\"" },
	{ "host bits set",
	  POLICY("", "  h = { zone = \"lg\"; address = \"10.20.1.1/24\"; }; #@\n",
	  "", ""), "#@", "\"10.20.1.1/24\" has host bits set past /24 (did "
	  "you mean 10.20.1.0/24?)", "host \"h\"" },
	{ "host bits set in a zone network",
	  POLICY("  z = { kind = \"lgwan\"; interfaces = [ \"z0\" ];\n"
	  "    networks = [ \"10.40.0.0/8\" ]; }; #@\n", "", "", ""), "#@",
	  "has host bits set past /8 (did you mean 10.0.0.0/8?)",
	  "zone \"z\"" },
	{ "prefix length too long",
	  POLICY("  z = { kind = \"lgwan\"; interfaces = [ \"z0\" ];\n"
	  "    networks = [ \"10.40.0.0/33\" ]; }; #@\n", "", "", ""), "#@",
	  "invalid prefix length in \"10.40.0.0/33\" (0..32)", "zone \"z\"" },
	{ "IPv6 prefix length too long",
	  POLICY("  z = { kind = \"lgwan\"; interfaces = [ \"z0\" ];\n"
	  "    networks = [ \"fd00::/129\" ]; }; #@\n", "", "", ""), "#@",
	  "invalid prefix length in \"fd00::/129\" (0..128)", "zone \"z\"" },
	{ "prefix length not a number",
	  POLICY("", "  h = { zone = \"lg\"; address = \"10.20.1.0/x\"; }; #@\n",
	  "", ""), "#@", "invalid prefix length in \"10.20.1.0/x\"",
	  "host \"h\"" },
	{ "prefix length missing",
	  POLICY("", "  h = { zone = \"lg\"; address = \"10.20.1.0/\"; }; #@\n",
	  "", ""), "#@", "invalid prefix length in \"10.20.1.0/\"",
	  "host \"h\"" },
	/* --- MACs --- */
	{ "MAC too short",
	  POLICY("", "  h = { zone = \"lg\"; address = \"10.20.1.2\";\n"
	  "    mac = \"02:00:0a:0a:01\"; #@\n  };\n", "", ""), "#@",
	  "invalid MAC address \"02:00:0a:0a:01\"", "host \"h\"" },
	{ "MAC with dashes",
	  POLICY("", "  h = { zone = \"lg\"; address = \"10.20.1.2\"; "
	  "mac = \"02-00-0a-0a-01-14\"; }; #@\n", "", ""), "#@",
	  "invalid MAC address \"02-00-0a-0a-01-14\"", "host \"h\"" },
	{ "MAC not hex",
	  POLICY("", "  h = { zone = \"lg\"; address = \"10.20.1.2\"; "
	  "mac = \"02:00:0a:0a:01:1g\"; }; #@\n", "", ""), "#@",
	  "invalid MAC address \"02:00:0a:0a:01:1g\"", "host \"h\"" },
	{ "MAC multicast",
	  POLICY("", "  h = { zone = \"lg\"; address = \"10.20.1.2\"; "
	  "mac = \"01:00:5e:00:00:01\"; }; #@\n", "", ""), "#@",
	  "\"01:00:5e:00:00:01\" is a multicast address", "host \"h\"" },
	{ "MAC broadcast",
	  POLICY("", "  h = { zone = \"lg\"; address = \"10.20.1.2\"; "
	  "mac = \"ff:ff:ff:ff:ff:ff\"; }; #@\n", "", ""), "#@",
	  "is a multicast address", "host \"h\"" },
	{ "MAC all zero",
	  POLICY("", "  h = { zone = \"lg\"; address = \"10.20.1.2\"; "
	  "mac = \"00:00:00:00:00:00\"; }; #@\n", "", ""), "#@",
	  "\"00:00:00:00:00:00\" is all zero", "host \"h\"" },
	/* --- ports and types --- */
	{ "port 0",
	  POLICY("", "", "  s = { proto = \"tcp\";\n    ports = [ 0 ]; #@\n"
	  "  };\n", ""), "#@", "port 0 is out of range (1..65535)",
	  "service \"s\"" },
	{ "port 65536",
	  POLICY("", "", "  s = { proto = \"udp\"; ports = [ 65536 ]; }; #@\n",
	  ""), "#@", "port 65536 is out of range (1..65535)", "service \"s\"" },
	{ "port range reversed",
	  POLICY("", "", "  s = { proto = \"tcp\"; ports = [ \"10-5\" ]; }; #@\n",
	  ""), "#@", "invalid port \"10-5\" (a number 1..65535 or a range "
	  "\"LO-HI\")", "service \"s\"" },
	{ "port not a number",
	  POLICY("", "", "  s = { proto = \"tcp\"; ports = [ \"x\" ]; }; #@\n",
	  ""), "#@", "invalid port \"x\"", "service \"s\"" },
	{ "port range starting at 0",
	  POLICY("", "", "  s = { proto = \"tcp\"; ports = [ \"0-5\" ]; }; #@\n",
	  ""), "#@", "invalid port \"0-5\"", "service \"s\"" },
	{ "port range past 65535",
	  POLICY("", "", "  s = { proto = \"tcp\"; ports = [ \"65530-65536\" ]; "
	  "}; #@\n", ""), "#@", "invalid port \"65530-65536\"",
	  "service \"s\"" },
	{ "port range open",
	  POLICY("", "", "  s = { proto = \"tcp\"; ports = [ \"5-\" ]; }; #@\n",
	  ""), "#@", "invalid port \"5-\"", "service \"s\"" },
	{ "port a float in a list",
	  POLICY("", "", "  s = { proto = \"tcp\"; ports = ( 25, 2.5 ); }; #@\n",
	  ""), "#@", "element 2 of \"ports\" must be a number or a \"LO-HI\" "
	  "string, not a number with a fraction", "service \"s\"" },
	{ "ports on icmp",
	  POLICY("", "", "  s = { proto = \"icmp\";\n    ports = [ 8 ]; #@\n"
	  "  };\n", ""), "#@", "\"ports\" applies to tcp, udp and sctp only, "
	  "not icmp", "service \"s\"" },
	{ "ports on any",
	  POLICY("", "", "  s = { proto = \"any\"; ports = [ 8 ]; }; #@\n", ""),
	  "#@", "\"ports\" applies to tcp, udp and sctp only, not any",
	  "service \"s\"" },
	{ "types on tcp",
	  POLICY("", "", "  s = { proto = \"tcp\";\n    types = [ 8 ]; #@\n"
	  "  };\n", ""), "#@", "\"types\" applies to icmp and icmpv6 only, "
	  "not tcp", "service \"s\"" },
	{ "ICMP type 256",
	  POLICY("", "", "  s = { proto = \"icmp\"; types = [ 256 ]; }; #@\n",
	  ""), "#@", "ICMP type 256 is out of range (0..255)",
	  "service \"s\"" },
	{ "ICMP type twice",
	  POLICY("", "", "  s = { proto = \"icmpv6\"; types = [ 128, 128 ]; };"
	  " #@\n", ""), "#@", "ICMP type 128 listed twice", "service \"s\"" },
	{ "unknown protocol",
	  POLICY("", "", "  s = { proto = \"gre\"; }; #@\n", ""), "#@",
	  "unknown protocol \"gre\" (expected tcp, udp, sctp, icmp, icmpv6 or "
	  "any)", "service \"s\"" },
	/* --- empty arrays --- */
	{ "empty interfaces",
	  POLICY("  z = { kind = \"lgwan\"; interfaces = [ ]; #@\n"
	  "    networks = [ \"10.40.0.0/16\" ]; };\n", "", "", ""), "#@",
	  "\"interfaces\" must not be empty", "zone \"z\"" },
	{ "empty networks",
	  POLICY("  z = { kind = \"lgwan\"; interfaces = [ \"z0\" ];\n"
	  "    networks = ( ); }; #@\n", "", "", ""), "#@",
	  "\"networks\" must not be empty", "zone \"z\"" },
	{ "empty ports",
	  POLICY("", "", "  s = { proto = \"tcp\"; ports = [ ]; }; #@\n", ""),
	  "#@", "\"ports\" is empty; leave it out to mean every port",
	  "service \"s\"" },
	{ "empty types",
	  POLICY("", "", "  s = { proto = \"icmp\"; types = [ ]; }; #@\n", ""),
	  "#@", "\"types\" is empty", "service \"s\"" },
	{ "empty service list",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = \"a\"; to = \"b\"; "
	  "service = [ ]; } #@"), "#@", "\"service\" must not be empty",
	  "flow \"f\"" },
	{ "empty zones",
	  HDR "zones = { }; #@\n", "#@", "\"zones\" is empty", NULL },
	{ "empty string",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = \"\"; to = \"b\"; "
	  "service = \"https\"; } #@"), "#@", "\"from\" must not be empty",
	  "flow \"f\"" },
	/* --- duplicates --- */
	{ "duplicate flow name",
	  POLICY("", "", "", ",\n  { from = \"a\"; to = \"b\"; service = "
	  "\"https\";\n    name = \"ok\"; } #@"), "#@", "duplicate flow name "
	  "\"ok\" (first at line 15)", NULL },
	{ "service listed twice in a flow",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = \"a\"; to = \"b\"; "
	  "service = ( \"https\", \"https\" ); } #@"), "#@", "service "
	  "\"https\" listed twice", "flow \"f\"" },
	{ "interface listed twice",
	  POLICY("  z = { kind = \"lgwan\"; interfaces = [ \"z0\", \"z0\" ]; #@\n"
	  "    networks = [ \"10.40.0.0/16\" ]; };\n", "", "", ""), "#@",
	  "interface \"z0\" listed twice", "zone \"z\"" },
	/* --- dangling references --- */
	{ "dangling host in a flow",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = \"a\";\n"
	  "    to = \"nosuch\"; #@\n    service = \"https\"; }"), "#@",
	  "\"to\" = \"nosuch\": no host or zone of that name", "flow \"f\"" },
	{ "dangling zone of a host",
	  POLICY("", "  h = { zone = \"nosuch\"; address = \"10.20.1.2\"; }; #@\n",
	  "", ""), "#@", "no zone named \"nosuch\"", "host \"h\"" },
	{ "dangling service",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = \"a\"; to = \"b\"; "
	  "service = ( \"https\", #@\n    \"nosuch\" ); }"), "#@",
	  "no service named \"nosuch\"", "flow \"f\"" },
	{ "dangling management service",
	  BASE "management = ( { from = \"a\"; service = \"ssh\"; } ); #@\n",
	  "#@", "no service named \"ssh\"", "management #1" },
	/* --- unknown names of things --- */
	{ "unknown zone kind",
	  POLICY("  z = { kind = \"dmz\"; interfaces = [ \"z0\" ]; #@\n"
	  "    networks = [ \"10.40.0.0/16\" ]; };\n", "", "", ""), "#@",
	  "unknown zone kind \"dmz\" (expected mynumber, lgwan, internet or "
	  "closed)", "zone \"z\"" },
	{ "unknown model",
	  "version = 1;\nmodel = \"gamma\"; #@\n" ZONES("") HOSTS("") SVCS("")
	  FLOWS(""), "#@", "unknown model \"gamma\" (expected alpha, "
	  "alpha-prime, beta or beta-prime)", NULL },
	{ "unknown method",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = \"a\"; to = \"b\"; "
	  "service = \"https\";\n    method = \"tunnel\"; } #@"), "#@",
	  "unknown method \"tunnel\"", "flow \"f\"" },
	{ "unknown role",
	  POLICY("", "  h = { zone = \"lg\"; address = \"10.20.1.2\";\n"
	  "    role = \"proxy\"; #@\n  };\n", "", ""), "#@",
	  "unknown role \"proxy\" (expected mail-relay, screen-transfer, "
	  "file-sanitizer or public-system)", "host \"h\"" },
	{ "unknown facility",
	  BASE "log = { facility = \"local9\"; }; #@\n", "#@",
	  "unknown syslog facility \"local9\"", "log" },
	/* --- required keys, version --- */
	{ "missing version",
	  "model = \"alpha\";\n" ZONES("") HOSTS("") SVCS("") FLOWS(""), NULL,
	  "missing required key \"version\"", NULL },
	{ "missing model",
	  "version = 1;\n" ZONES("") HOSTS("") SVCS("") FLOWS(""), NULL,
	  "missing required key \"model\"", NULL },
	{ "missing zones",
	  HDR, NULL, "missing required key \"zones\"", NULL },
	{ "missing host address",
	  POLICY("", "  h = { zone = \"lg\"; }; #@\n", "", ""), "#@",
	  "missing required key \"address\"", "host \"h\"" },
	{ "missing flow service",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = \"a\"; to = \"b\"; } #@"),
	  "#@", "missing required key \"service\"", "flow \"f\"" },
	{ "unsupported version",
	  "version = 2; #@\nmodel = \"alpha\";\n" ZONES("") HOSTS("") SVCS("")
	  FLOWS(""), "#@", "unsupported version 2 (this zoned reads version 1)",
	  NULL },
	/* --- times --- */
	{ "expires without offset",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = \"a\"; to = \"b\"; "
	  "service = \"https\";\n    expires = \"2026-12-31T23:59:59\"; } #@"),
	  "#@", "invalid time \"2026-12-31T23:59:59\" (RFC 3339 with an offset",
	  "flow \"f\"" },
	{ "expires on 30 February",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = \"a\"; to = \"b\"; "
	  "service = \"https\";\n    expires = \"2026-02-30T00:00:00Z\"; } #@"),
	  "#@", "invalid time \"2026-02-30T00:00:00Z\"", "flow \"f\"" },
	/* --- names --- */
	{ "host named like a zone",
	  POLICY("", "  cl = { zone = \"lg\"; address = \"10.20.1.2\"; }; #@\n",
	  "", ""), "#@", "host \"cl\" has the name of a zone", NULL },
	{ "flow name with a space",
	  POLICY("", "", "", ",\n  { name = \"bad name\"; from = \"a\"; to = \"b\"; "
	  "service = \"https\"; } #@"), "#@", "invalid flow name \"bad name\"",
	  "flow #2" },
	{ "flow name starting with a dash",
	  POLICY("", "", "", ",\n  { name = \"-x\"; from = \"a\"; to = \"b\"; "
	  "service = \"https\"; } #@"), "#@", "invalid flow name \"-x\"",
	  "flow #2" },
	{ "flow name too long",
	  POLICY("", "", "", ",\n  { name = \"abcdefghij-abcdefghij-abcdefghij-"
	  "abcdefghij-abcdefgh\"; from = \"a\"; to = \"b\"; service = "
	  "\"https\"; } #@"), "#@", "invalid flow name", "flow #2" },
	{ "zone name too long",
	  POLICY("  abcdefghij_abcdefghij = { kind = \"lgwan\"; interfaces = "
	  "[ \"z0\" ]; networks = [ \"10.40.0.0/16\" ]; }; #@\n", "", "", ""),
	  "#@", "invalid zone name", NULL },
	{ "host name too long",
	  POLICY("", "  abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghi = "
	  "{ zone = \"lg\"; address = \"10.20.1.2\"; }; #@\n", "", ""), "#@",
	  "host name longer than 48 characters", NULL },
	{ "interface name with a slash",
	  POLICY("  z = { kind = \"lgwan\"; interfaces = [ \"z/0\" ]; #@\n"
	  "    networks = [ \"10.40.0.0/16\" ]; };\n", "", "", ""), "#@",
	  "invalid interface name \"z/0\"", "zone \"z\"" },
	{ "interface name too long",
	  POLICY("  z = { kind = \"lgwan\"; interfaces = [ \"abcdefghijklmnop\" ];"
	  " #@\n    networks = [ \"10.40.0.0/16\" ]; };\n", "", "", ""), "#@",
	  "invalid interface name \"abcdefghijklmnop\"", "zone \"z\"" },
	{ "interface name with a space",
	  POLICY("  z = { kind = \"lgwan\"; interfaces = [ \"z 0\" ]; #@\n"
	  "    networks = [ \"10.40.0.0/16\" ]; };\n", "", "", ""), "#@",
	  "invalid interface name \"z 0\"", "zone \"z\"" },
	{ "loopback interface",
	  POLICY("  z = { kind = \"lgwan\"; interfaces = [ \"lo\" ]; #@\n"
	  "    networks = [ \"10.40.0.0/16\" ]; };\n", "", "", ""), "#@",
	  "the loopback interface cannot belong to a zone", "zone \"z\"" },
	{ "control group name",
	  BASE "control = { group = \"bad group\"; }; #@\n", "#@",
	  "invalid group name \"bad group\"", "control" },
	{ "control socket relative",
	  BASE "control = { socket = \"run/zoned.sock\"; }; #@\n", "#@",
	  "\"socket\" must be an absolute path", "control" },
	{ "evidence directory relative",
	  BASE "monitor = { evidence = { directory = \"evidence\"; }; }; #@\n",
	  "#@", "\"directory\" must be an absolute path", "monitor.evidence" },
	{ "evidence max too small",
	  BASE "monitor = { evidence = { max_bytes = 1000; }; }; #@\n",
	  "#@", "\"max_bytes\" = 1000 is out of range", "monitor.evidence" },
	/* --- issue 16: the language of a real town hall --- */
	{ "closed_line on an LGWAN zone",
	  POLICY("  z = { kind = \"lgwan\"; interfaces = [ \"z0\" ];\n"
	  "    networks = [ \"10.40.0.0/16\" ]; closed_line = true; }; #@\n",
	  "", "", ""), "#@", "\"closed_line\" is for a zone of kind mynumber",
	  "zone \"z\"" },
	{ "closed_line not a boolean",
	  POLICY("  z = { kind = \"mynumber\"; interfaces = [ \"z0\" ];\n"
	  "    networks = [ \"10.40.0.0/16\" ]; closed_line = \"yes\"; }; #@\n",
	  "", "", ""), "#@", "\"closed_line\" must be true or false",
	  "zone \"z\"" },
	{ "an empty label",
	  POLICY("", "  h = { zone = \"lg\"; address = \"10.20.1.2\";\n"
	  "    label = \"\"; }; #@\n", "", ""), "#@",
	  "\"label\" must not be empty", "host \"h\"" },
	{ "a label with a control character",
	  POLICY("", "  h = { zone = \"lg\"; address = \"10.20.1.2\";\n"
	  "    label = \"a\\tb\"; }; #@\n", "", ""), "#@",
	  "\"label\" must be UTF-8 text", "host \"h\"" },
	{ "an address range",
	  POLICY("", "  h = { zone = \"lg\"; address = \"192.168.100.40-47\"; "
	  "}; #@\n", "", ""), "#@", "\"192.168.100.40-47\" is a range, not an "
	  "address: write the prefix \"192.168.100.40/29\"", "host \"h\"" },
	{ "an address range over several prefixes",
	  POLICY("", "  h = { zone = \"lg\"; address = \"10.20.0.5-10.20.0.8\"; "
	  "}; #@\n", "", ""), "#@", "address = [ \"10.20.0.5\", \"10.20.0.6/31\", "
	  "\"10.20.0.8\" ]", "host \"h\"" },
	{ "an empty address list",
	  POLICY("", "  h = { zone = \"lg\"; address = [ ]; }; #@\n", "", ""),
	  "#@", "\"address\" must not be empty", "host \"h\"" },
	{ "an address twice in a list",
	  POLICY("", "  h = { zone = \"lg\";\n    address = [ \"10.20.1.2\", "
	  "\"10.20.1.3\", \"10.20.1.2\" ]; }; #@\n", "", ""), "#@",
	  "address 10.20.1.2 listed twice", "host \"h\"" },
	{ "neither address nor addresses_file",
	  POLICY("", "  h = { zone = \"lg\"; }; #@\n", "", ""), "#@",
	  "missing required key \"address\"", "host \"h\"" },
	{ "an address list file that is not there",
	  POLICY("", "  h = { zone = \"lg\";\n"
	  "    addresses_file = \"/nonexistent/zoned/x.addresses\"; }; #@\n",
	  "", ""), "#@", "cannot read the address list "
	  "\"/nonexistent/zoned/x.addresses\": No such file", "host \"h\"" },
	{ "a list of hosts of two zones",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = [ \"a\", \"b\" ]; #@\n"
	  "    to = \"lg\"; service = \"https\"; }"), "#@",
	  "a flow joins one pair of zones", "flow \"f\"" },
	{ "a zone in a list of hosts",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = [ \"a\", \"cl\" ]; #@\n"
	  "    to = \"lg\"; service = \"https\"; }"), "#@",
	  "a list names hosts; a zone stands alone", "flow \"f\"" },
	{ "a host twice in a list",
	  POLICY("", "", "", ",\n  { name = \"f\"; to = [ \"a\", \"a\" ]; #@\n"
	  "    from = \"b\"; service = \"https\"; }"), "#@",
	  "host \"a\" listed twice in \"to\"", "flow \"f\"" },
	{ "an empty list of hosts",
	  POLICY("", "", "", ",\n  { name = \"f\"; to = [ ]; #@\n"
	  "    from = \"b\"; service = \"https\"; }"), "#@",
	  "\"to\" must not be empty", "flow \"f\"" },
	{ "a host name typo: did you mean",
	  POLICY("", "  lg-terms = { zone = \"lg\"; address = \"10.20.100.0/24\"; "
	  "};\n", "", ",\n  { name = \"f\"; from = \"lg-term\"; #@\n"
	  "    to = \"b\"; service = \"https\"; }"), "#@",
	  "no host or zone of that name (did you mean \"lg-terms\"?)",
	  "flow \"f\"" },
	{ "a Japanese name where a host goes: its label",
	  POLICY("", "  jumin = { zone = \"lg\"; address = \"10.20.1.9\"; "
	  "label = \"住民記録\"; };\n", "", ",\n  { name = \"f\"; from = "
	  "\"住民記録\"; #@\n    to = \"b\"; service = \"https\"; }"), "#@",
	  "(did you mean \"jumin\"?)", "flow \"f\"" },
	{ "a zone typo in a host: did you mean",
	  POLICY("", "  h = { zone = \"lgg\"; address = \"10.20.1.9\"; }; #@\n",
	  "", ""), "#@", "no zone named \"lgg\" (did you mean \"lg\"?)",
	  "host \"h\"" },
	{ "a Japanese flow name",
	  POLICY("", "", "", ",\n  { name = \"住民記録連携\"; #@\n"
	  "    from = \"b\"; to = \"a\"; service = \"https\"; }"), "#@",
	  "write an ASCII name and the Japanese one as label", NULL },
	{ "starts not a time",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = \"b\"; to = \"a\";\n"
	  "    service = \"https\"; starts = \"monday\"; } #@"), "#@",
	  "invalid time \"monday\"", "flow \"f\"" },
	{ "starts after expires",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = \"b\"; to = \"a\";\n"
	  "    service = \"https\"; expires = \"2027-01-01T00:00:00Z\";\n"
	  "    starts = \"2027-01-01T09:00:00+09:00\"; } #@"), "#@",
	  "\"starts\" is not before \"expires\"", "flow \"f\"" },
	{ "product on a flow that is not file-sanitize",
	  POLICY("", "", "", ",\n  { name = \"f\"; from = \"b\"; to = \"a\";\n"
	  "    service = \"https\"; product = \"P\"; } #@"), "#@",
	  "\"product\" names the sanitiser product", "flow \"f\"" },
	/* --- ha: one node of a pair --- */
	{ "ha without a peer",
	  BASE "ha = { sync_interface = \"sync0\"; }; #@\n",
	  "#@", "missing required key \"peer\"", "ha" },
	{ "ha without a sync interface",
	  BASE "ha = { peer = \"192.168.255.2\"; }; #@\n",
	  "#@", "missing required key \"sync_interface\"", "ha" },
	{ "ha sync interface misspelt",
	  BASE "ha = { sync_interfac = \"sync0\"; #@\n  peer = \"192.168.255.2\"; };\n",
	  "#@", "unknown key \"sync_interfac\" (did you mean \"sync_interface\"?)", "ha" },
	{ "ha on the loopback",
	  BASE "ha = { sync_interface = \"lo\"; #@\n  peer = \"192.168.255.2\"; };\n",
	  "#@", "cannot be the loopback", "ha" },
	{ "ha interface name too long",
	  BASE "ha = { sync_interface = \"sync-link-number-0\"; #@\n"
	  "  peer = \"192.168.255.2\"; };\n",
	  "#@", "invalid interface name", "ha" },
	{ "ha peer not an address",
	  BASE "ha = { sync_interface = \"sync0\";\n  peer = [ \"192.168.255.1\", "
	  "\"node-b\" ]; #@\n};\n",
	  "#@", "peer: invalid address \"node-b\"", "ha" },
	{ "ha peer a number",
	  BASE "ha = { sync_interface = \"sync0\";\n  peer = 3; #@\n};\n",
	  "#@", "\"peer\" must be a string or a list of strings", "ha" },
	{ "ha port out of range",
	  BASE "ha = { sync_interface = \"sync0\"; peer = \"192.168.255.2\";\n"
	  "  sync_port = 0; #@\n};\n",
	  "#@", "\"sync_port\" = 0 is out of range (1..65535)", "ha" },
	{ "ha not a group",
	  BASE "ha = \"sync0\"; #@\n",
	  "#@", "\"ha\" must be a group", NULL },
};

static void
check_one_finding(const char *text, const char *marker, const char *msg,
    const char *object, const char *name)
{
	struct diag d;
	struct policy *p = load(text, &d);
	int line = marker ? mline(text, marker) : 0;
	const struct diag_finding *f;

	ck_assert_msg(d.n == 1, "%s: expected 1 finding, got %zu:%s", name,
	    d.n, unit_diag_dump(&d));
	f = &d.v[0];
	ck_assert_msg(strcmp(f->id, "ZL011") == 0 && f->severity ==
	    DIAG_ERROR && f->line == line && strcmp(f->file, NAME) == 0 &&
	    strstr(f->message, msg) != NULL &&
	    (object == NULL || strstr(f->object, object) != NULL),
	    "%s: expected %s:%d: error: ZL011: [%s] ...%s..., got:%s", name,
	    NAME, line, object ? object : "", msg, unit_diag_dump(&d));
	ck_assert_int_eq(d.nerrors, 1);
	ck_assert_int_eq(d.nwarnings, 0);
	ck_assert_msg(p != NULL, "%s: a semantic error still gives a model",
	    name);
	policy_free(p);
	diag_free(&d);
}

START_TEST(test_loader_error)
{
	const struct lerr_case *c = &lerr_cases[_i];

	check_one_finding(c->text, c->marker, c->msg, c->object, c->name);
}
END_TEST

/* The base text itself is clean: the cases above differ from it only in
 * their defect. */
START_TEST(test_base_clean)
{
	struct policy *p = load_ok(BASE);

	ck_assert_int_eq(p->version, 1);
	ck_assert_int_eq(p->model, MODEL_ALPHA);
	ck_assert_uint_eq(p->nzones, 2);
	ck_assert_uint_eq(p->nhosts, 2);
	ck_assert_uint_eq(p->nservices, 1);
	ck_assert_uint_eq(p->nflows, 1);
	ck_assert(!p->flows[0].bad);
	policy_free(p);
}
END_TEST

/* --- syntax errors: libconfig stops at the first; line and no model ------ */

struct syn_case {
	const char *name;
	const char *text;
	const char *marker;
	const char *msg;
};

static const struct syn_case syn_cases[] = {
	{ "missing value", HDR "zones = {\n  lg = { kind = ; }; #@\n};\n", "#@",
	  "syntax error" },
	{ "mixed array", HDR ZONES("") HOSTS("") "services = {\n"
	  "  s = { proto = \"tcp\"; ports = [ 25, \"587\" ]; }; #@\n};\n", "#@",
	  "mismatched element type in array" },
	{ "duplicate zone", HDR "zones = {\n" Z_LG
	  "  lg = { kind = \"closed\"; }; #@\n};\n", "#@",
	  "duplicate setting name" },
	{ "duplicate top-level key", BASE "version = 1; #@\n", "#@",
	  "duplicate setting name" },
	{ "unbalanced brace", HDR "zones = {\n" Z_LG "};\n}; #@\n", "#@",
	  "syntax error" },
	{ "bad token", HDR "zones = {\n" Z_LG "  cl = { kind = closed; }; #@\n"
	  "};\n", "#@", "syntax error" },
	/* --- issue 16: each says what to write instead --- */
	{ "an unquoted word", HDR "zones = {\n" Z_LG "  cl = { kind = closed; }; #@\n"
	  "};\n", "#@", "a string is written in double quotes: kind = \"closed\";" },
	{ "a missing value", HDR "zones = {\n  lg = { kind = ; }; #@\n};\n", "#@",
	  "a value is missing after \"kind =\"" },
	{ "a Japanese name", HDR ZONES("") "hosts = {\n"
	  "  住民記録 = { zone = \"lg\"; address = \"10.20.1.9\"; }; #@\n};\n",
	  "#@", "\"住民記録\" cannot be a name" },
	{ "a name starting with a digit is no name either", HDR ZONES("")
	  "hosts = {\n  365 = { zone = \"lg\"; address = \"10.20.1.9\"; }; #@\n"
	  "};\n", "#@", "\"365\" cannot be a name: a name starts with a "
	  "letter" },
	{ "an unquoted port range", HDR ZONES("") HOSTS("") "services = {\n"
	  "  t = { proto = \"udp\"; ports = [ 50000-50003 ]; }; #@\n};\n",
	  "#@", "write \"50000-50003\"" },
	{ "an unquoted address", HDR ZONES("") "hosts = {\n"
	  "  h = { zone = \"lg\"; address = 10.20.1.9; }; #@\n};\n",
	  "#@", "write it in double quotes, \"10.20.1.9\"" },
	{ "a comma after the last element, on its own line", HDR ZONES("")
	  HOSTS("") SVCS("") "flows = (\n" FLOW_OK ", #@\n);\n", "#@",
	  "a ',' after the last element of a list: remove it" },
	{ "a comma after the last port", HDR ZONES("") HOSTS("")
	  "services = {\n  s = { proto = \"tcp\"; ports = [ 1, 2, ]; }; #@\n"
	  "};\n", "#@", "a ',' after the last element" },
	{ "a duplicate host, named", HDR ZONES("") "hosts = {\n"
	  "  a = { zone = \"lg\"; address = \"10.20.1.1\"; };\n"
	  "  a = { zone = \"lg\"; address = \"10.20.1.2\"; }; #@\n};\n", "#@",
	  "duplicate setting name \"a\" in \"hosts\" (first at line 8)" },
	{ "two semicolons", HDR ZONES("") "hosts = {\n"
	  "  a = { zone = \"lg\";; address = \"10.20.1.1\"; }; #@\n};\n", "#@",
	  "';' after ';'" },
	{ "a comma missing between flows", HDR ZONES("") HOSTS("") SVCS("")
	  "flows = (\n" FLOW_OK "\n" FLOW_OK " #@\n);\n", "#@",
	  "a ',' is missing between two elements" },
};

START_TEST(test_syntax_error)
{
	const struct syn_case *c = &syn_cases[_i];
	struct diag d;
	struct policy *p = load(c->text, &d);
	int line = mline(c->text, c->marker);

	ck_assert_msg(p == NULL, "%s: a syntax error gives no model", c->name);
	ck_assert_msg(d.n == 1 && strcmp(d.v[0].id, "ZL011") == 0 &&
	    d.v[0].severity == DIAG_ERROR && d.v[0].line == line &&
	    strstr(d.v[0].message, "syntax error") != NULL &&
	    strstr(d.v[0].message, c->msg) != NULL,
	    "%s: expected %s:%d: ZL011 syntax error ...%s..., got:%s", c->name,
	    NAME, line, c->msg, unit_diag_dump(&d));
	diag_free(&d);
}
END_TEST

/* A bad element alone on its line in a multi-line list: the finding is on
 * the line of the element, or (DESIGN §4: "the offending key") on the line
 * of "ports" — not on the line of the closing parenthesis. */
START_TEST(test_element_line)
{
	static const char text[] = POLICY("", "",
	    "  s = { proto = \"tcp\";\n    ports = ( #@K\n    25,\n"
	    "    \"99999\" #@E\n  ); };\n", "");
	struct diag d;
	struct policy *p = load(text, &d);

	ck_assert_msg(d.n == 1 && strstr(d.v[0].message, "invalid port "
	    "\"99999\"") && (d.v[0].line == mline(text, "#@E") ||
	    d.v[0].line == mline(text, "#@K")), "expected line %d (or %d):%s",
	    mline(text, "#@E"), mline(text, "#@K"), unit_diag_dump(&d));
	policy_free(p);
	diag_free(&d);
}
END_TEST

/* --- several errors, one run --------------------------------------------- */

START_TEST(test_all_errors_in_one_run)
{
	static const char text[] =
	    "version = 1;\n"
	    "model = \"alpha\";\n"
	    "zones = {\n"
	    "  lg = { kind = \"lgwan\"; interfaces = [ \"lg0\" ];\n"
	    "         networks = [ \"10.20.0.0/16\", \"10.21.0.1/16\" ]; }; #@1\n"
	    "  cl = { kind = \"closed\"; interfaces = [ \"cl0\" ]; "
	    "networks = [ \"10.30.0.0/16\" ];\n"
	    "         colour = \"blue\"; }; #@2\n"
	    "};\n"
	    "hosts = {\n"
	    "  a = { zone = \"lg\"; address = \"10.20.1.1\"; mac = \"1:2:3\"; }; #@3\n"
	    "  b = { zone = \"cl\"; address = \"10.30.1.1\"; };\n"
	    "};\n"
	    "services = {\n"
	    "  https = { proto = \"tcp\"; ports = [ 443 ]; };\n"
	    "  odd = { proto = \"tcp\"; ports = ( 25, \"9-1\" ); }; #@4\n"
	    "};\n"
	    "flows = (\n"
	    "  { name = \"f1\"; from = \"b\"; to = \"nosuch\"; #@5\n"
	    "    service = \"https\"; },\n"
	    "  { name = \"f2\"; from = \"b\"; to = \"a\"; service = \"https\";\n"
	    "    expires = \"tomorrow\"; }, #@6\n"
	    "  { name = \"f1\"; from = \"b\"; to = \"a\"; service = \"https\"; } #@7\n"
	    ");\n"
	    "log = { facility = \"kern\"; }; #@8\n";
	static const struct { const char *marker, *msg; } want[] = {
		{ "#@1", "has host bits set past /16" },
		{ "#@2", "unknown key \"colour\"" },
		{ "#@3", "invalid MAC address \"1:2:3\"" },
		{ "#@4", "invalid port \"9-1\"" },
		{ "#@5", "no host or zone of that name" },
		{ "#@6", "invalid time \"tomorrow\"" },
		{ "#@7", "duplicate flow name \"f1\"" },
		{ "#@8", "unknown syslog facility \"kern\"" },
	};
	struct diag d;
	struct policy *p = load(text, &d);

	ck_assert(p != NULL);
	diag_sort(&d);
	ck_assert_msg(d.n == ARRAY_LEN(want), "expected %zu findings, got:%s",
	    ARRAY_LEN(want), unit_diag_dump(&d));
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		ck_assert_msg(strcmp(d.v[i].id, "ZL011") == 0 &&
		    d.v[i].line == mline(text, want[i].marker) &&
		    strstr(d.v[i].message, want[i].msg) != NULL,
		    "finding %zu: expected line %d ...%s..., got:%s", i,
		    mline(text, want[i].marker), want[i].msg, unit_diag_dump(&d));
	}
	ck_assert_int_eq(d.nerrors, (int)ARRAY_LEN(want));
	/* what is wrong is marked bad; what is right is not */
	ck_assert(p->zones[0].bad);
	ck_assert(p->hosts[0].bad);
	ck_assert(p->services[1].bad);
	ck_assert(!p->services[0].bad);
	ck_assert(p->flows[0].bad && p->flows[1].bad && p->flows[2].bad);
	/* an unknown key is a ZL011 error on the object: lint must leave it
	 * out (DESIGN §4, one defect, one finding) */
	ck_assert_msg(p->zones[1].bad, "zone \"cl\" has an unknown key but is "
	    "not marked bad");
	policy_free(p);
	diag_free(&d);
}
END_TEST

/* A bad object is reported once: flows naming it say nothing more. */
START_TEST(test_no_cascade)
{
	static const char text[] =
	    HDR ZONES("")
	    "hosts = {\n"
	    "  a = { zone = \"lg\"; address = \"10.20.1.300\"; }; #@\n"
	    "  b = { zone = \"cl\"; address = \"10.30.1.1\"; };\n"
	    "};\n"
	    SVCS("")
	    "flows = (\n"
	    "  { name = \"f1\"; from = \"a\"; to = \"b\"; service = \"https\"; },\n"
	    "  { name = \"f2\"; from = \"b\"; to = \"a\"; service = \"https\"; }\n"
	    ");\n";
	struct diag d;
	struct policy *p = load(text, &d);

	ck_assert_msg(d.n == 1 && d.v[0].line == mline(text, "#@"),
	    "one finding expected:%s", unit_diag_dump(&d));
	ck_assert(p->hosts[0].bad);
	ck_assert(p->flows[0].bad);
	ck_assert(p->flows[1].bad);
	policy_free(p);
	diag_free(&d);
}
END_TEST

/* Findings of an included file name that file. */
START_TEST(test_include_file_name)
{
	char text[512];
	const char *inc = unit_tmpfile("inc-services.conf",
	    "  https = { proto = \"tcp\"; ports = [ 443 ]; };\n"
	    "  bad = { proto = \"tcp\"; ports = [ 0 ]; };\n");
	const char *main_path;
	struct policy *p = NULL;
	struct diag d;
	char err[256];

	snprintf(text, sizeof(text), HDR ZONES("") HOSTS("")
	    "services = {\n@include \"inc-services.conf\"\n};\n" FLOWS(""));
	main_path = unit_tmpfile("inc-main.conf", text);
	diag_init(&d);
	ck_assert_int_eq(conf_load(main_path, &p, &d, err, sizeof(err)), 0);
	/* the included file is named (as the @include gave it, or as the
	 * resolved path), never the main file */
	ck_assert_msg(d.n == 1 && strlen(d.v[0].file) >= 17 &&
	    strcmp(d.v[0].file + strlen(d.v[0].file) - 17,
	    "inc-services.conf") == 0 && d.v[0].line == 2 &&
	    strstr(d.v[0].message, "port 0") != NULL,
	    "expected %s:2: port 0, got:%s", inc, unit_diag_dump(&d));
	ck_assert(p != NULL && p->nservices == 2);
	policy_free(p);
	diag_free(&d);
}
END_TEST

/* --- issue 16: address lists, labels, staged flows ---------------------- */

/* An address list file: one address or prefix a line, '#' comments,
 * blank lines, both families; v4 first then v6, each with its line. */
START_TEST(test_address_list_file)
{
	char text[2048];
	const char *list = unit_tmpfile("lst-ok.addresses",
	    "# a published list\n"
	    "203.0.113.128/28\n"
	    "\n"
	    "2001:db8:5000::/48   # Exchange, IPv6\n"
	    "   203.0.113.222  \n");
	const char *path;
	struct policy *p = NULL;
	struct diag d;
	char err[256];
	const struct host *h;

	snprintf(text, sizeof(text), HDR "zones = {\n" Z_LG
	    "  in = { kind = \"internet\"; interfaces = [ \"in0\" ]; "
	    "networks = [ \"0.0.0.0/0\", \"::/0\" ]; };\n};\n"
	    "hosts = {\n  m = { zone = \"in\"; addresses_file = "
	    "\"lst-ok.addresses\"; address = [ \"198.51.100.7\" ]; };\n};\n");
	path = unit_tmpfile("lst-main.conf", text);
	diag_init(&d);
	ck_assert_int_eq(conf_load(path, &p, &d, err, sizeof(err)), 0);
	ck_assert_msg(p != NULL && d.n == 0, "findings:%s", unit_diag_dump(&d));
	h = &p->hosts[0];
	ck_assert(h->list);
	ck_assert_uint_eq(h->naddrs, 4);
	ck_assert_uint_eq(h->nv4, 3);
	/* the inline address first (as written), then the list's IPv4 */
	ck_assert_int_eq(h->addrs[0].pfx.family, ADDR_V4);
	ck_assert_int_eq(h->addrs[1].pfx.len, 28);
	ck_assert_int_eq(h->addrs[1].line, 2);
	ck_assert_msg(strstr(h->addrs[1].file, "lst-ok.addresses") != NULL,
	    "file %s", h->addrs[1].file);
	ck_assert_int_eq(h->addrs[2].line, 5);
	ck_assert_int_eq(h->addrs[3].pfx.family, ADDR_V6);
	ck_assert_int_eq(h->addrs[3].line, 4);
	ck_assert(!policy_host_single(h));
	policy_free(p);
	diag_free(&d);
	(void)list;
}
END_TEST

/* Errors in a list file are named with the list file and its line. */
START_TEST(test_address_list_errors)
{
	static const struct {
		const char *list;	/* the list file's text */
		int line;
		const char *msg;
	} t[] = {
		{ "203.0.113.1\n203.0.113.300\n", 2, "invalid address "
		  "\"203.0.113.300\"" },
		{ "# ok\n\n10.0.0.5-9\n", 3, "is a range, not an address" },
		{ "203.0.113.1\n203.0.113.1\n", 2, "listed twice (first at " },
		{ "203.0.113.1 203.0.113.2\n", 1, "one address or prefix a "
		  "line" },
		{ "203.0.113.1, 203.0.113.2\n", 1, "one address or prefix" },
	};

	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		char text[1024];
		const char *list = unit_tmpfile("lst-bad.addresses", t[i].list);
		const char *path;
		struct policy *p = NULL;
		struct diag d;
		char err[256];

		snprintf(text, sizeof(text), HDR "zones = {\n" Z_LG "};\n"
		    "hosts = {\n  m = { zone = \"lg\"; addresses_file = "
		    "\"lst-bad.addresses\"; };\n};\n");
		path = unit_tmpfile("lst-bad.conf", text);
		diag_init(&d);
		ck_assert_int_eq(conf_load(path, &p, &d, err, sizeof(err)), 0);
		ck_assert_msg(d.n == 1 && d.v[0].line == t[i].line &&
		    strcmp(d.v[0].file, list) == 0 &&
		    strstr(d.v[0].message, t[i].msg) != NULL &&
		    strcmp(d.v[0].id, "ZL011") == 0,
		    "case %zu: expected %s:%d: ...%s..., got:%s", i, list,
		    t[i].line, t[i].msg, unit_diag_dump(&d));
		ck_assert(p->hosts[0].bad);
		policy_free(p);
		diag_free(&d);
	}
}
END_TEST

/* A change of an address list's elements keeps the flow's id (its
 * established connections); a change of a single address does not. */
START_TEST(test_marks_address_lists)
{
#define MPOL(addr, addr2) POLICY("", "  l = { zone = \"lg\"; address = " addr \
	"; };\n  s = { zone = \"lg\"; address = " addr2 "; };\n", "", \
	",\n  { name = \"f\"; from = \"l\"; to = \"b\"; service = \"https\"; },\n" \
	"  { name = \"g\"; from = \"s\"; to = \"b\"; service = \"https\"; }")
	struct policy *p1 = load_ok(MPOL("[ \"10.20.5.0/24\" ]", "\"10.20.6.1\""));
	struct policy *p2 = load_ok(MPOL("[ \"10.20.5.0/24\", \"10.20.7.0/24\" ]",
	    "\"10.20.6.1\""));
	struct policy *p3 = load_ok(MPOL("[ \"10.20.5.0/24\" ]", "\"10.20.6.2\""));

	ck_assert_uint_eq(p1->flows[1].mark, p2->flows[1].mark);
	ck_assert_uint_eq(p1->flows[1].mark, p2->flows[1].mark);
	ck_assert_uint_ne(p1->flows[2].mark, p3->flows[2].mark);
	ck_assert_uint_eq(p1->flows[1].mark, p3->flows[1].mark);
	policy_free(p1);
	policy_free(p2);
	policy_free(p3);
#undef MPOL
}
END_TEST

/* Labels, lists of hosts, closed lines, starts with its offset. */
START_TEST(test_issue16_forms)
{
	static const char text[] = HDR "zones = {\n" Z_LG Z_CL
	    "  gc = { kind = \"mynumber\"; closed_line = true; label = "
	    "\"ガバメントクラウド\";\n    interfaces = [ \"gc0\" ]; networks = "
	    "[ \"10.128.0.0/16\" ]; };\n};\n"
	    HOSTS("  c = { zone = \"lg\"; address = \"10.20.1.3\"; label = "
	    "\"住民記録\"; };\n")
	    SVCS("  s2 = { proto = \"tcp\"; ports = [ 8443 ]; label = \"業務\"; };\n")
	    "flows = (\n" FLOW_OK ",\n"
	    "  { name = \"l\"; from = [ \"a\", \"c\" ]; to = \"b\"; service = "
	    "\"https\";\n    label = \"連携\"; starts = "
	    "\"2027-01-04T09:00:00+09:00\"; expires = \"2027-03-31T23:59:59-05:30\"; "
	    "}\n);\n";
	struct policy *p = load_ok(text);
	const struct flow *f = &p->flows[1];
	char buf[64];

	ck_assert(p->zones[2].closed_line);
	ck_assert_str_eq(p->zones[2].label, "ガバメントクラウド");
	ck_assert_str_eq(p->hosts[2].label, "住民記録");
	ck_assert_str_eq(p->services[1].label, "業務");
	ck_assert_str_eq(f->label, "連携");
	ck_assert_int_eq(f->from.kind, EP_HOSTS);
	ck_assert_uint_eq(f->from.nhosts, 2);
	ck_assert_int_eq(policy_endpoint_zone(p, &f->from), 0);
	ck_assert(f->has_starts && f->has_expires);
	ck_assert_int_eq(f->starts_off, 540);
	ck_assert_int_eq(f->expires_off, -330);
	ck_assert_str_eq(timefmt_offset(f->starts, f->starts_off, buf,
	    sizeof(buf)), "2027-01-04T09:00:00+09:00");
	ck_assert_str_eq(timefmt_offset(f->expires, f->expires_off, buf,
	    sizeof(buf)), "2027-03-31T23:59:59-05:30");
	ck_assert(!policy_flow_active(f, f->starts - 1));
	ck_assert(policy_flow_pending(f, f->starts - 1));
	ck_assert(policy_flow_active(f, f->starts));
	ck_assert(!policy_flow_active(f, f->expires));
	ck_assert(!policy_flow_pending(f, f->expires));
	policy_free(p);
}
END_TEST

/* addr_range_prefixes: the exact cover of a range. */
START_TEST(test_range_prefixes)
{
	static const struct {
		const char *lo, *hi;
		size_t n;
		const char *first, *last;
	} t[] = {
		{ "192.168.100.40", "192.168.100.47", 1, "192.168.100.40/29",
		  "192.168.100.40/29" },
		{ "10.0.0.5", "10.0.0.8", 3, "10.0.0.5", "10.0.0.8" },
		{ "0.0.0.0", "255.255.255.255", 1, "0.0.0.0/0", "0.0.0.0/0" },
		{ "10.0.0.0", "10.0.1.255", 1, "10.0.0.0/23", "10.0.0.0/23" },
		{ "2001:db8::1", "2001:db8::2", 2, "2001:db8::1", "2001:db8::2" },
		{ "10.0.0.9", "10.0.0.8", 0, NULL, NULL },
	};

	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		uint8_t lo[16], hi[16];
		struct addr_pfx v[40];
		char a[ADDR_PFX_STRLEN];
		int fam = addr_parse_ip(t[i].lo, lo);
		size_t n;

		ck_assert_int_eq(addr_parse_ip(t[i].hi, hi), fam);
		n = addr_range_prefixes(fam, lo, hi, v, 40);
		ck_assert_msg(n == t[i].n, "%s-%s: %zu prefixes", t[i].lo,
		    t[i].hi, n);
		if (n == 0)
			continue;
		ck_assert_str_eq(addr_format(&v[0], a, sizeof(a)), t[i].first);
		ck_assert_str_eq(addr_format(&v[n - 1], a, sizeof(a)),
		    t[i].last);
	}
}
END_TEST

/* --- I/O ----------------------------------------------------------------- */

START_TEST(test_io_error)
{
	struct policy *p = (struct policy *)1;
	struct diag d;
	char err[256] = "";

	diag_init(&d);
	ck_assert_int_eq(conf_load("/nonexistent/zoned-test/x.conf", &p, &d,
	    err, sizeof(err)), -1);
	ck_assert(p == NULL);
	ck_assert_msg(strstr(err, "/nonexistent/zoned-test/x.conf") != NULL &&
	    strstr(err, "No such file") != NULL, "err: %s", err);
	ck_assert_uint_eq(d.n, 0);
	diag_free(&d);
}
END_TEST

/* An empty file, or one of comments alone, is one finding on line 1
 * (it was three on line 0, which no editor shows). */
START_TEST(test_empty_file)
{
	static const char *const texts[] = { "", "\n\n", "# nothing\n// yet\n" };
	struct policy *p = NULL;
	struct diag d;
	char err[256];

	for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
		const char *path = unit_tmpfile("empty.conf", texts[i]);
		diag_init(&d);
		ck_assert_int_eq(conf_load(path, &p, &d, err, sizeof(err)), 0);
		ck_assert_msg(d.n == 1 && d.v[0].line == 1 &&
		    strcmp(d.v[0].id, "ZL011") == 0 &&
		    strstr(d.v[0].message, "holds no settings") != NULL &&
		    strcmp(d.v[0].file, path) == 0,
		    "text %zu: want one finding on line 1, got:%s", i,
		    unit_diag_dump(&d));
		policy_free(p);
		diag_free(&d);
	}
}
END_TEST

START_TEST(test_file_load)
{
	const char *path = unit_tmpfile("file-load.conf", BASE);
	const char *bad = unit_tmpfile("file-bad.conf",
	    HDR "zones = {\n  lg = { kind = ; };\n};\n");
	struct policy *p = NULL;
	struct diag d;
	char err[256];

	diag_init(&d);
	ck_assert_int_eq(conf_load(path, &p, &d, err, sizeof(err)), 0);
	ck_assert_msg(p != NULL && d.n == 0, "findings:%s", unit_diag_dump(&d));
	ck_assert_str_eq(p->file, path);
	policy_free(p);
	ck_assert_int_eq(conf_load(bad, &p, &d, err, sizeof(err)), 0);
	ck_assert(p == NULL);
	ck_assert_msg(d.n == 1 && strcmp(d.v[0].file, bad) == 0 &&
	    d.v[0].line == 4, "findings:%s", unit_diag_dump(&d));
	diag_free(&d);
}
END_TEST

/* --- positive forms ------------------------------------------------------ */

struct ports_case {
	const char *ports;
	struct port_range want[6];
	size_t n;
};

static const struct ports_case ports_cases[] = {
	{ "[ 25, 587 ]", { { 25, 25 }, { 587, 587 } }, 2 },
	{ "[ 587, 25 ]", { { 25, 25 }, { 587, 587 } }, 2 },
	{ "[ \"25\", \"1494-1495\" ]", { { 25, 25 }, { 1494, 1495 } }, 2 },
	{ "( 25, 587, \"1494-1495\" )", { { 25, 25 }, { 587, 587 },
	  { 1494, 1495 } }, 3 },
	/* overlapping, adjacent and repeated ranges are merged */
	{ "( 1495, \"1490-1494\", 80, \"81-82\", 443, \"440-450\" )",
	  { { 80, 82 }, { 440, 450 }, { 1490, 1495 } }, 3 },
	{ "[ 25, 25, 25 ]", { { 25, 25 } }, 1 },
	{ "( \"1-65535\", 80 )", { { 1, 65535 } }, 1 },
	{ "[ 1, 65535 ]", { { 1, 1 }, { 65535, 65535 } }, 2 },
	{ "( \"100-200\", \"150-160\", \"201-201\", 203 )", { { 100, 201 },
	  { 203, 203 } }, 2 },
};

START_TEST(test_ports_forms)
{
	const struct ports_case *c = &ports_cases[_i];
	char text[2048];
	struct policy *p;
	const struct service *s;

	snprintf(text, sizeof(text), "%s", POLICY("", "",
	    "  s = { proto = \"tcp\"; ports = PORTS; };\n", ""));
	{
		/* put the ports in */
		char *at = strstr(text, "PORTS"), rest[2048];
		snprintf(rest, sizeof(rest), "%s", at + 5);
		snprintf(at, sizeof(text) - (size_t)(at - text), "%s%s",
		    c->ports, rest);
	}
	p = load_ok(text);
	s = &p->services[policy_find_service(p, "s")];
	ck_assert_msg(s->nports == c->n, "%s: %zu ranges, want %zu", c->ports,
	    s->nports, c->n);
	for (size_t i = 0; i < c->n; i++)
		ck_assert_msg(s->ports[i].lo == c->want[i].lo &&
		    s->ports[i].hi == c->want[i].hi, "%s: range %zu is %u-%u, "
		    "want %u-%u", c->ports, i, s->ports[i].lo, s->ports[i].hi,
		    c->want[i].lo, c->want[i].hi);
	ck_assert_int_eq(s->proto, PROTO_TCP);
	ck_assert(!s->any_proto);
	policy_free(p);
}
END_TEST

START_TEST(test_service_forms)
{
	static const char text[] = POLICY("", "",
	    "  smtp = { proto = \"tcp\"; ports = [ 25 ]; };\n"
	    "  ping = { proto = \"icmp\"; types = [ 8, 0 ]; };\n"
	    "  ping6 = { proto = \"icmpv6\"; types = ( 128 ); };\n"
	    "  all = { proto = \"any\"; };\n"
	    "  dns = { proto = \"udp\"; };\n"
	    "  sig = { proto = \"sctp\"; ports = [ 2905 ]; };\n",
	    ",\n  { name = \"s1\"; from = \"b\"; to = \"a\"; service = \"smtp\"; },\n"
	    "  { name = \"s2\"; from = \"b\"; to = \"a\"; service = [ \"smtp\", "
	    "\"https\" ]; },\n"
	    "  { name = \"s3\"; from = \"b\"; to = \"a\"; service = ( \"ping\", "
	    "\"dns\", \"all\" ); }");
	struct policy *p = load_ok(text);
	const struct flow *f;
	const struct service *s;

	f = &p->flows[policy_find_flow(p, "s1")];
	ck_assert_uint_eq(f->nservices, 1);
	ck_assert_int_eq(f->services[0], policy_find_service(p, "smtp"));
	f = &p->flows[policy_find_flow(p, "s2")];
	ck_assert_uint_eq(f->nservices, 2);
	ck_assert_int_eq(f->services[0], policy_find_service(p, "smtp"));
	ck_assert_int_eq(f->services[1], policy_find_service(p, "https"));
	f = &p->flows[policy_find_flow(p, "s3")];
	ck_assert_uint_eq(f->nservices, 3);
	ck_assert_int_eq(f->services[0], policy_find_service(p, "ping"));
	ck_assert_int_eq(f->services[1], policy_find_service(p, "dns"));
	ck_assert_int_eq(f->services[2], policy_find_service(p, "all"));

	s = &p->services[policy_find_service(p, "ping")];
	ck_assert_int_eq(s->proto, PROTO_ICMP);
	ck_assert_uint_eq(s->ntypes, 2);
	ck_assert_uint_eq(s->nports, 0);
	ck_assert(policy_service_match(s, PROTO_ICMP, 8));
	ck_assert(policy_service_match(s, PROTO_ICMP, 0));
	ck_assert(!policy_service_match(s, PROTO_ICMP, 3));
	s = &p->services[policy_find_service(p, "ping6")];
	ck_assert_int_eq(s->proto, PROTO_ICMPV6);
	ck_assert_uint_eq(s->ntypes, 1);
	ck_assert_uint_eq(s->types[0], 128);
	s = &p->services[policy_find_service(p, "all")];
	ck_assert(s->any_proto);
	ck_assert(policy_service_match(s, 47, 0));
	s = &p->services[policy_find_service(p, "dns")];
	ck_assert_int_eq(s->proto, PROTO_UDP);
	ck_assert_uint_eq(s->nports, 0);	/* every port */
	ck_assert(policy_service_match(s, PROTO_UDP, 53));
	ck_assert(policy_service_match(s, PROTO_UDP, 65535));
	ck_assert(!policy_service_match(s, PROTO_TCP, 53));
	s = &p->services[policy_find_service(p, "sig")];
	ck_assert_int_eq(s->proto, PROTO_SCTP);
	policy_free(p);
}
END_TEST

START_TEST(test_ipv6)
{
	static const char text[] = HDR
	    "zones = {\n"
	    "  lg = { kind = \"lgwan\"; interfaces = \"lg0\";\n"
	    "         networks = [ \"10.20.0.0/16\", \"fd00:20::/48\" ]; };\n"
	    "  inet = { kind = \"internet\"; interfaces = ( \"inet0\", \"inet1\" );\n"
	    "           networks = [ \"0.0.0.0/0\", \"::/0\" ]; };\n"
	    "};\n"
	    "hosts = {\n"
	    "  v6 = { zone = \"lg\"; address = \"fd00:20::10\"; };\n"
	    "  v6net = { zone = \"lg\"; address = \"fd00:20:0:1::/64\"; };\n"
	    "  web = { zone = \"inet\"; address = \"2001:DB8::80\"; };\n"
	    "};\n";
	struct policy *p = load_ok(text);
	const struct zone *z;
	const struct host *h;
	uint8_t a[16];

	z = &p->zones[0];
	ck_assert_uint_eq(z->nifaces, 1);
	ck_assert_str_eq(z->ifaces[0], "lg0");
	ck_assert_uint_eq(z->nnets, 2);
	ck_assert_int_eq(z->nets[1].family, ADDR_V6);
	ck_assert_int_eq(z->nets[1].len, 48);
	ck_assert(policy_zone_has_family(z, ADDR_V6));
	ck_assert_uint_eq(p->zones[1].nifaces, 2);
	ck_assert_int_eq(p->zones[1].nets[1].len, 0);
	h = &p->hosts[0];
	ck_assert_int_eq(h->addrs[0].pfx.family, ADDR_V6);
	ck_assert_int_eq(h->addrs[0].pfx.len, 128);
	ck_assert(addr_is_host(&h->addrs[0].pfx));
	h = &p->hosts[1];
	ck_assert_int_eq(h->addrs[0].pfx.len, 64);
	h = &p->hosts[2];
	ck_assert_int_eq(addr_parse_ip("2001:db8::80", a), ADDR_V6);
	ck_assert(memcmp(h->addrs[0].pfx.a, a, 16) == 0);
	/* the most specific local network wins; ::/0 only for the rest */
	ck_assert_int_eq(addr_parse_ip("fd00:20::99", a), ADDR_V6);
	ck_assert_int_eq(policy_zone_of_addr(p, ADDR_V6, a), 0);
	ck_assert_int_eq(addr_parse_ip("fd00:21::1", a), ADDR_V6);
	ck_assert_int_eq(policy_zone_of_addr(p, ADDR_V6, a), 1);
	policy_free(p);
}
END_TEST

/* Every optional key has its documented default. */
START_TEST(test_defaults)
{
	static const char text[] = POLICY("",
	    "  m = { zone = \"lg\"; address = \"10.20.1.9\"; };\n", "", "");
	struct policy *p = load_ok(text);
	const struct flow *f = &p->flows[0];
	const struct host *h = &p->hosts[2];

	ck_assert(p->monitor.enabled);
	ck_assert_int_eq(p->monitor.snaplen, POLICY_DEFAULT_SNAPLEN);
	ck_assert_int_eq(p->monitor.flow_table, POLICY_DEFAULT_FLOW_TABLE);
	ck_assert_int_eq(p->monitor.flood_pps, POLICY_DEFAULT_FLOOD_PPS);
	ck_assert_int_eq(p->monitor.scan_ports, POLICY_DEFAULT_SCAN_PORTS);
	ck_assert_int_eq(p->monitor.scan_hosts, POLICY_DEFAULT_SCAN_HOSTS);
	ck_assert_int_eq(p->monitor.scan_window, POLICY_DEFAULT_SCAN_WINDOW);
	ck_assert_str_eq(p->monitor.evidence_dir, POLICY_DEFAULT_EVIDENCE_DIR);
	ck_assert_uint_eq(p->monitor.evidence_max, POLICY_DEFAULT_EVIDENCE_MAX);
	ck_assert_int_eq(p->monitor.line, 0);
	ck_assert_str_eq(p->log.facility, POLICY_DEFAULT_FACILITY);
	ck_assert_int_eq(p->log.nflog_group, POLICY_DEFAULT_NFLOG_GROUP);
	ck_assert_int_eq(p->log.nflog_rate, POLICY_DEFAULT_NFLOG_RATE);
	ck_assert_str_eq(p->control.socket, POLICY_DEFAULT_SOCKET);
	ck_assert_str_eq(p->control.group, POLICY_DEFAULT_GROUP);
	ck_assert_int_eq(p->control.verify_interval,
	    POLICY_DEFAULT_VERIFY_INTERVAL);
	ck_assert_uint_eq(p->nmgmt, 0);
	/* not one of a pair */
	ck_assert_int_eq(p->ha.line, 0);
	ck_assert(!policy_ha(p));
	ck_assert_int_eq(p->ha.sync_port, POLICY_DEFAULT_SYNC_PORT);
	/* the documented values themselves */
	ck_assert_str_eq(POLICY_DEFAULT_SOCKET, "/run/zoned/zoned.sock");
	ck_assert_uint_eq(POLICY_DEFAULT_EVIDENCE_MAX, 536870912ULL);
	/* flow and host defaults */
	ck_assert_int_eq(f->method, METHOD_DIRECT);
	ck_assert(!f->log);
	ck_assert(f->approval == NULL);
	ck_assert(!f->has_expires);
	ck_assert(policy_flow_active(f, (time_t)4102444800));	/* 2100 */
	ck_assert(f->comment == NULL);
	ck_assert_int_eq(h->role, ROLE_NONE);
	ck_assert(!h->has_mac);
	ck_assert(h->comment == NULL);
	policy_free(p);
}
END_TEST

/* A monitor block without "enabled" still means monitoring is on; given
 * values replace the defaults. */
START_TEST(test_settings_given)
{
	static const char text[] = BASE
	    "monitor = { snaplen = 256; flow_table = 2048; flood = 5;\n"
	    "  scan = { ports = 3; hosts = 4; window = 5; };\n"
	    "  evidence = { directory = \"/srv/ev\"; max_bytes = 2097152; }; };\n"
	    "log = { facility = \"local4\"; nflog_group = 7; nflog_rate = 9; };\n"
	    "control = { socket = \"/run/z.sock\"; group = \"adm\"; "
	    "verify_interval = 0; };\n"
	    "management = ( { from = \"a\"; service = \"https\"; "
	    "comment = \"web ui\"; } );\n";
	struct policy *p = load_ok(text);

	ck_assert(p->monitor.enabled);
	ck_assert_int_eq(p->monitor.snaplen, 256);
	ck_assert_int_eq(p->monitor.flow_table, 2048);
	ck_assert_int_eq(p->monitor.flood_pps, 5);
	ck_assert_int_eq(p->monitor.scan_ports, 3);
	ck_assert_int_eq(p->monitor.scan_hosts, 4);
	ck_assert_int_eq(p->monitor.scan_window, 5);
	ck_assert_str_eq(p->monitor.evidence_dir, "/srv/ev");
	ck_assert_uint_eq(p->monitor.evidence_max, 2097152);
	ck_assert_str_eq(p->log.facility, "local4");
	ck_assert_int_eq(p->log.nflog_group, 7);
	ck_assert_int_eq(p->log.nflog_rate, 9);
	ck_assert_str_eq(p->control.socket, "/run/z.sock");
	ck_assert_str_eq(p->control.group, "adm");
	ck_assert_int_eq(p->control.verify_interval, 0);
	ck_assert_uint_eq(p->nmgmt, 1);
	ck_assert_int_eq(p->mgmt[0].from.kind, EP_HOST);
	ck_assert_int_eq(p->mgmt[0].service, 0);
	policy_free(p);
}
END_TEST

/* One node of a pair: the sync link, one peer or a list (networks too),
 * conntrackd's port; without sync_port, conntrackd's default. */
START_TEST(test_ha_block)
{
	static const char text[] = BASE
	    "ha = { sync_interface = \"sync0\";\n"
	    "  peer = [ \"192.168.255.1\", \"fd00:ff::/64\" ];\n"
	    "  sync_port = 3781; };\n";
	static const char one[] = BASE
	    "ha = { sync_interface = \"bond1\"; peer = \"169.254.0.2\"; };\n";
	struct policy *p = load_ok(text);
	char a[ADDR_PFX_STRLEN];

	ck_assert(policy_ha(p));
	ck_assert_int_eq(p->ha.line, 17);
	ck_assert_str_eq(p->ha.sync_iface, "sync0");
	ck_assert_uint_eq(p->ha.npeers, 2);
	ck_assert_str_eq(addr_format(&p->ha.peers[0], a, sizeof(a)),
	    "192.168.255.1");
	ck_assert_str_eq(addr_format(&p->ha.peers[1], a, sizeof(a)),
	    "fd00:ff::/64");
	ck_assert_int_eq(p->ha.sync_port, 3781);
	ck_assert_int_eq(p->ha.peer_line, 18);
	policy_free(p);
	p = load_ok(one);
	ck_assert(policy_ha(p));
	ck_assert_uint_eq(p->ha.npeers, 1);
	ck_assert_int_eq(p->ha.sync_port, POLICY_DEFAULT_SYNC_PORT);
	ck_assert_int_eq(POLICY_DEFAULT_SYNC_PORT, 3780);
	policy_free(p);
}
END_TEST

START_TEST(test_flow_fields)
{
	static const char text[] = POLICY("", "", "",
	    ",\n  { name = \"full\"; from = \"cl\"; to = \"lg\";\n"
	    "    service = \"https\"; method = \"file-sanitize\";\n"
	    "    approval = \"CISO-2026-001\"; expires = "
	    "\"2026-12-31T23:59:59+09:00\";\n"
	    "    log = true; comment = \"c\"; }");
	struct policy *p = load_ok(text);
	const struct flow *f = &p->flows[1];

	ck_assert_str_eq(f->name, "full");
	ck_assert_int_eq(f->from.kind, EP_ZONE);
	ck_assert_int_eq(f->from.idx, 1);
	ck_assert_int_eq(f->to.kind, EP_ZONE);
	ck_assert_int_eq(f->to.idx, 0);
	ck_assert_int_eq(f->method, METHOD_FILE_SANITIZE);
	ck_assert_str_eq(f->approval, "CISO-2026-001");
	ck_assert(f->has_expires);
	ck_assert_int_eq((long long)f->expires, 1798729199LL);
	ck_assert(f->log);
	ck_assert_str_eq(f->comment, "c");
	ck_assert(policy_flow_active(f, 1798729198));
	ck_assert(!policy_flow_active(f, 1798729199));
	policy_free(p);
}
END_TEST

/* --- conf_parse_time ----------------------------------------------------- */

struct time_case {
	const char *s;
	int ok;
	long long t;
};

static const struct time_case time_cases[] = {
	{ "1970-01-01T00:00:00Z", 1, 0 },
	{ "2026-11-21T00:00:00Z", 1, 1795219200LL },
	{ "2026-11-21T09:00:00+09:00", 1, 1795219200LL },
	{ "2026-11-20T15:00:00-09:00", 1, 1795219200LL },
	{ "2026-11-21T00:00:00+00:00", 1, 1795219200LL },
	{ "2026-11-21T00:00:00-00:00", 1, 1795219200LL },
	{ "2026-11-21T05:30:00+05:30", 1, 1795219200LL },
	{ "2026-12-31T23:59:59+09:00", 1, 1798729199LL },
	{ "2026-01-01T00:00:00-05:00", 1, 1767243600LL },
	{ "2026-07-01T08:30:00+09:00", 1, 1782862200LL },
	{ "2026-11-21T00:00:00z", 1, 1795219200LL },
	{ "2026-11-21t00:00:00Z", 1, 1795219200LL },	/* RFC 3339 5.6 */
	{ "2026-11-21T00:00:00.5Z", 1, 1795219200LL },
	{ "2026-11-21T09:00:00.123456+09:00", 1, 1795219200LL },
	{ "2024-02-29T12:00:00Z", 1, 1709208000LL },
	{ "2000-02-29T00:00:00Z", 1, 951782400LL },
	{ "2038-01-19T03:14:08Z", 1, 2147483648LL },
	{ "2026-02-29T00:00:00Z", 0, 0 },
	{ "1900-02-29T00:00:00Z", 0, 0 },
	{ "2026-04-31T00:00:00Z", 0, 0 },
	{ "2026-13-01T00:00:00Z", 0, 0 },
	{ "2026-00-01T00:00:00Z", 0, 0 },
	{ "2026-01-00T00:00:00Z", 0, 0 },
	{ "2026-01-01T24:00:00Z", 0, 0 },
	{ "2026-01-01T00:60:00Z", 0, 0 },
	{ "2026-01-01T00:00:61Z", 0, 0 },
	{ "2026-01-01T00:00:00", 0, 0 },
	{ "2026-01-01", 0, 0 },
	{ "2026-01-01T00:00Z", 0, 0 },
	{ "2026-01-01T00:00:00+0900", 0, 0 },
	{ "2026-01-01T00:00:00+09", 0, 0 },
	{ "2026-01-01T00:00:00+24:00", 0, 0 },
	{ "2026-01-01T00:00:00+09:60", 0, 0 },
	{ "2026-01-01T00:00:00ZZ", 0, 0 },
	{ "2026-01-01T00:00:00Z ", 0, 0 },
	{ " 2026-01-01T00:00:00Z", 0, 0 },
	{ "2026-01-01T00:00:00.Z", 0, 0 },
	{ "2026-1-01T00:00:00Z", 0, 0 },
	{ "+026-01-01T00:00:00Z", 0, 0 },
	{ "2026/01/01T00:00:00Z", 0, 0 },
	{ "2026-01-01X00:00:00Z", 0, 0 },
	{ "", 0, 0 },
	{ "tomorrow", 0, 0 },
};

START_TEST(test_parse_time)
{
	const struct time_case *c = &time_cases[_i];
	time_t t = (time_t)-12345;
	int rc = conf_parse_time(c->s, &t);

	if (c->ok) {
		ck_assert_msg(rc == 0, "\"%s\" must parse", c->s);
		ck_assert_msg((long long)t == c->t, "\"%s\" = %lld, want %lld",
		    c->s, (long long)t, c->t);
	} else
		ck_assert_msg(rc < 0, "\"%s\" must be refused (got %lld)", c->s,
		    (long long)t);
}
END_TEST

/* --- flow marks ----------------------------------------------------------- */

#define MARK_POLICY(port, addr_b, method, extra) HDR \
	"zones = {\n" Z_LG Z_CL "};\n" \
	"hosts = {\n" \
	"  a = { zone = \"lg\"; address = \"10.20.1.1\"; };\n" \
	"  b = { zone = \"cl\"; address = \"" addr_b "\"; };\n" \
	"  c = { zone = \"cl\"; address = \"10.30.1.3\"; };\n" \
	"};\n" \
	"services = {\n" \
	"  https = { proto = \"tcp\"; ports = [ 443 ]; };\n" \
	"  alt = { proto = \"tcp\"; ports = [ " port " ]; };\n" \
	"};\n" \
	"flows = (\n" \
	"  { name = \"f1\"; from = \"a\"; to = \"b\"; service = \"alt\"; " \
	"method = \"" method "\"; },\n" \
	"  { name = \"f2\"; from = \"a\"; to = \"c\"; service = \"https\"; },\n" \
	"  { name = \"f3\"; from = \"c\"; to = \"a\"; service = \"https\"; },\n" \
	"  { name = \"f4\"; from = \"lg\"; to = \"cl\"; service = \"https\"; }" \
	extra "\n);\n"

static void
marks_of(const char *text, uint32_t out[8], size_t *n)
{
	struct policy *p = load_ok(text);

	ck_assert(p->nflows <= 8);
	for (size_t i = 0; i < p->nflows; i++) {
		out[i] = p->flows[i].mark;
		ck_assert_msg(out[i] != 0, "flow %zu has mark 0", i);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(out[i] != out[j], "flows %zu and %zu share "
			    "mark %08x", j, i, out[i]);
	}
	*n = p->nflows;
	policy_free(p);
}

START_TEST(test_marks)
{
	uint32_t m0[8], m1[8], m[8];
	size_t n0, n1, n;
	static const char *const changed[] = {
		MARK_POLICY("8443", "10.30.1.1", "direct", ""),	/* port */
		MARK_POLICY("443", "10.30.1.2", "direct", ""),	/* address */
		MARK_POLICY("443", "10.30.1.1", "file-sanitize", ""),/* method */
	};

	marks_of(MARK_POLICY("443", "10.30.1.1", "direct", ""), m0, &n0);
	marks_of(MARK_POLICY("443", "10.30.1.1", "direct", ""), m1, &n1);
	ck_assert_uint_eq(n0, 4);
	ck_assert_uint_eq(n1, 4);
	for (size_t i = 0; i < n0; i++)
		ck_assert_msg(m0[i] == m1[i], "mark of flow %zu not stable", i);
	for (size_t k = 0; k < ARRAY_LEN(changed); k++) {
		marks_of(changed[k], m, &n);
		ck_assert_uint_eq(n, 4);
		ck_assert_msg(m[0] != m0[0], "change %zu kept the mark of f1",
		    k);
		for (size_t i = 1; i < n; i++)
			ck_assert_msg(m[i] == m0[i], "change %zu of f1 moved the "
			    "mark of flow %zu", k, i);
	}
	/* a new flow leaves the others alone */
	marks_of(MARK_POLICY("443", "10.30.1.1", "direct",
	    ",\n  { name = \"f5\"; from = \"b\"; to = \"a\"; service = "
	    "\"https\"; }"), m, &n);
	ck_assert_uint_eq(n, 5);
	for (size_t i = 0; i < 4; i++)
		ck_assert_uint_eq(m[i], m0[i]);
}
END_TEST

/* Many flows: every mark unique and non-zero. */
START_TEST(test_marks_many)
{
	size_t cap = 1 << 20, len = 0;
	char *text = malloc(cap);
	struct policy *p;
	struct diag d;

	ck_assert(text != NULL);
	len += (size_t)snprintf(text + len, cap - len, "%s",
	    HDR ZONES("") HOSTS("") SVCS("") "flows = (\n");
	for (int i = 0; i < 600; i++)
		len += (size_t)snprintf(text + len, cap - len,
		    "%s  { name = \"f%d\"; from = \"%s\"; to = \"%s\"; "
		    "service = \"https\"; }\n", i ? "," : "", i,
		    i % 2 ? "a" : "b", i % 2 ? "b" : "a");
	snprintf(text + len, cap - len, ");\n");
	p = load(text, &d);
	ck_assert_msg(d.n == 0, "findings:%s", unit_diag_dump(&d));
	ck_assert_uint_eq(p->nflows, 600);
	for (size_t i = 0; i < p->nflows; i++) {
		ck_assert(p->flows[i].mark != 0);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(p->flows[i].mark != p->flows[j].mark,
			    "flows %zu and %zu share a mark", j, i);
	}
	policy_free(p);
	diag_free(&d);
	free(text);
}
END_TEST

UNIT_SUITE(conf_suite)

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("errors");

	tcase_add_test(tc, test_base_clean);
	tcase_add_loop_test(tc, test_loader_error, 0, (int)ARRAY_LEN(lerr_cases));
	tcase_add_loop_test(tc, test_syntax_error, 0, (int)ARRAY_LEN(syn_cases));
	tcase_add_test(tc, test_element_line);
	tcase_add_test(tc, test_all_errors_in_one_run);
	tcase_add_test(tc, test_no_cascade);
	tcase_add_test(tc, test_include_file_name);
	tcase_add_test(tc, test_address_list_file);
	tcase_add_test(tc, test_address_list_errors);
	tcase_add_test(tc, test_marks_address_lists);
	tcase_add_test(tc, test_issue16_forms);
	tcase_add_test(tc, test_range_prefixes);
	tcase_add_test(tc, test_io_error);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_file_load);
	suite_add_tcase(s, tc);

	tc = tcase_create("forms");
	tcase_add_loop_test(tc, test_ports_forms, 0, (int)ARRAY_LEN(ports_cases));
	tcase_add_test(tc, test_service_forms);
	tcase_add_test(tc, test_ipv6);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_settings_given);
	tcase_add_test(tc, test_flow_fields);
	tcase_add_test(tc, test_ha_block);
	tcase_add_loop_test(tc, test_parse_time, 0, (int)ARRAY_LEN(time_cases));
	tcase_add_test(tc, test_marks);
	tcase_add_test(tc, test_marks_many);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
