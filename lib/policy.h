/*
 * policy — the model of one policy file: zones, hosts, services, flows and
 * the daemon's settings.  No I/O: conf.c fills it, lint.c judges it,
 * classify.c and nftgen.c compile it.
 *
 * Every object keeps the line of its opening brace and of each key, so that
 * every finding and every kernel error can name FILE:LINE.
 */
#ifndef ZONED_POLICY_H
#define ZONED_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"

enum zone_kind {
	ZONE_MYNUMBER = 1,	/* マイナンバー利用事務系 */
	ZONE_LGWAN,		/* LGWAN接続系 */
	ZONE_INTERNET,		/* インターネット接続系 */
	ZONE_CLOSED,		/* closed line: Government Cloud, 住基ネット */
};

enum policy_model {
	MODEL_ALPHA = 1,	/* terminals in LGWAN, screen transfer out */
	MODEL_ALPHA_PRIME,	/* alpha + cloud-lbo from LGWAN over 443 */
	MODEL_BETA,		/* terminals in the Internet zone */
	MODEL_BETA_PRIME,
};

enum flow_method {
	METHOD_DIRECT = 1,
	METHOD_SPECIFIC,	/* 特定通信: a My Number crossing */
	METHOD_MAIL_TEXT,
	METHOD_SCREEN_TRANSFER,
	METHOD_FILE_SANITIZE,
	METHOD_CLOUD_LBO,
};

enum host_role {
	ROLE_NONE = 0,
	ROLE_MAIL_RELAY,
	ROLE_SCREEN_TRANSFER,
	ROLE_FILE_SANITIZER,
	ROLE_PUBLIC_SYSTEM,
};

enum enforce_mode {
	ENFORCE_DUAL = 1,	/* new crossings also need the classifier */
	ENFORCE_KERNEL,		/* the kernel ruleset alone decides */
};

/* Limits on names: they end up in nftables chain and counter names and in
 * NFLOG prefixes. */
#define POLICY_ZONE_NAME_MAX 20
#define POLICY_NAME_MAX 48
#define POLICY_IFNAME_MAX 15

struct zone {
	char *name;
	char *label;		/* any UTF-8, shown beside the name; NULL */
	const char *file;	/* where it is written (interned) */
	enum zone_kind kind;
	/* kind mynumber only: the Government Cloud environment of the My
	 * Number tier, reached over a dedicated closed line (see zoned.conf(5),
	 * "The Government Cloud"): an extension of the My Number zone whose
	 * hosts lie beyond a router, so they are never pinned by MAC */
	bool closed_line;
	int closed_line_line;
	char **ifaces;
	size_t nifaces;
	struct addr_pfx *nets;
	size_t nnets;
	int line;		/* of "name = {" */
	int kind_line, ifaces_line, nets_line;
	bool bad;		/* has a ZL011/ZL008 error */
};

/* One element of a host's addresses. */
struct host_addr {
	struct addr_pfx pfx;
	const char *file;	/* the policy file or the list file (interned) */
	int line;		/* of the element in that file */
};

struct host {
	char *name;
	char *label;		/* any UTF-8, shown beside the name; NULL */
	const char *file;
	int zone;		/* index into policy.zones, -1 if unknown */
	/* its addresses, IPv4 first then IPv6, each in the order written:
	 * one (address = "..."), or a list (address = [ ... ] and/or
	 * addresses_file); a host with an error may have none */
	struct host_addr *addrs;
	size_t naddrs, nv4;
	bool list;		/* written as a list: an address list */
	char *list_file;	/* addresses_file as given, NULL */
	int list_line;		/* of addresses_file */
	bool has_mac;
	uint8_t mac[6];
	enum host_role role;
	char *comment;
	int line;
	int zone_line, addr_line, mac_line, role_line;
	bool bad;
};

struct port_range {
	uint16_t lo, hi;
};

#define PROTO_ANY 0		/* with service.any_proto */
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58
#define PROTO_SCTP 132

struct service {
	char *name;
	char *label;
	const char *file;
	bool any_proto;		/* proto = "any": every protocol, no ports */
	uint8_t proto;
	struct port_range *ports;	/* destination ports; none = every port */
	size_t nports;
	uint8_t *types;		/* ICMP/ICMPv6 types; none = every type */
	size_t ntypes;
	char *comment;
	int line;
	int proto_line, ports_line, types_line;
	bool bad;
};

enum endpoint_kind {
	EP_NONE = 0,
	EP_HOST,
	EP_ZONE,
	EP_HOSTS,		/* a list of hosts of one zone */
};

struct endpoint {
	enum endpoint_kind kind;
	int idx;		/* into hosts or zones; EP_HOSTS: its first */
	int *hosts;		/* EP_HOSTS: every host (owned by the flow) */
	size_t nhosts;
};

struct flow {
	char *name;
	char *label;
	const char *file;
	struct endpoint from, to;
	int *services;		/* indices into policy.services */
	size_t nservices;
	enum flow_method method;
	char *approval;		/* NULL when absent */
	char *product;		/* the sanitiser product that delivers this
				 * way (file-sanitize into LGWAN), NULL */
	bool has_expires, has_starts;
	time_t expires, starts;
	int expires_off, starts_off;	/* minutes east of UTC, as written */
	bool log;
	char *comment;
	uint32_t mark;		/* ct mark: stable id, see policy_flow_marks */
	int line;
	int name_line, from_line, to_line, service_line, method_line;
	int approval_line, expires_line, starts_line, product_line;
	bool bad;		/* a ZL011/ZL008 error on it or what it names */
};

/* Management access to the appliance itself (the input hook). */
struct mgmt {
	const char *file;
	struct endpoint from;
	int service;
	int line;
	bool bad;
};

struct policy_monitor {
	bool enabled;
	int enabled_line;
	int line;		/* of "monitor", 0 when absent */
	int snaplen;
	int flow_table;		/* entries in the reply-tracking table */
	int flood_pps;		/* packets per second from one source */
	int scan_ports;		/* distinct ports of one host in window */
	int scan_hosts;		/* distinct hosts in window */
	int scan_window;	/* seconds */
	char *evidence_dir;
	uint64_t evidence_max;	/* bytes */
};

struct policy_log {
	char *facility;		/* "local4", ... */
	int nflog_group;
	int nflog_rate;		/* denied packets logged per second */
};

struct policy_enforce {
	enum enforce_mode mode;
	int queue;		/* NFQUEUE number */
	int queue_maxlen;	/* packets waiting at most */
	int line;
};

/*
 * One node of an active/standby pair (zoned(8), HIGH AVAILABILITY):
 * keepalived moves the zones' virtual addresses, conntrackd copies the
 * connections over a dedicated sync link.  line 0: not one of a pair.
 */
struct policy_ha {
	int line;		/* of "ha", 0 when absent */
	const char *file;	/* where it is written (interned) */
	char *sync_iface;	/* the dedicated link: in no zone */
	struct addr_pfx *peers;	/* the pair's addresses on the sync link */
	size_t npeers;
	int sync_port;		/* conntrackd's UDP port */
	int iface_line, peer_line, port_line;
	bool bad;		/* a loader or ZL017 error */
};

struct policy_control {
	char *socket;
	char *group;
	int verify_interval;	/* seconds between drift checks, 0 = never */
};

struct policy {
	char *file;		/* as given */
	char **files;		/* every file the objects name: the policy,
				 * its @includes and address lists */
	size_t nfiles;
	int version;
	enum policy_model model;
	int model_line;
	struct zone *zones;
	size_t nzones;
	struct host *hosts;
	size_t nhosts;
	struct service *services;
	size_t nservices;
	struct flow *flows;
	size_t nflows;
	struct mgmt *mgmt;
	size_t nmgmt;
	struct policy_monitor monitor;
	struct policy_log log;
	struct policy_control control;
	struct policy_enforce enforce;
	struct policy_ha ha;
};

/* Defaults of the optional keys (documented in zoned.conf(5)). */
#define POLICY_DEFAULT_SOCKET "/run/zoned/zoned.sock"
#define POLICY_DEFAULT_GROUP "zoned"
#define POLICY_DEFAULT_FACILITY "daemon"
#define POLICY_DEFAULT_SNAPLEN 128
#define POLICY_DEFAULT_FLOW_TABLE 65536
#define POLICY_DEFAULT_FLOOD_PPS 1000
#define POLICY_DEFAULT_SCAN_PORTS 25
#define POLICY_DEFAULT_SCAN_HOSTS 25
#define POLICY_DEFAULT_SCAN_WINDOW 60
#define POLICY_DEFAULT_EVIDENCE_DIR "/var/lib/zoned/evidence"
#define POLICY_DEFAULT_EVIDENCE_MAX (512ULL << 20)
#define POLICY_DEFAULT_NFLOG_GROUP 2
#define POLICY_DEFAULT_NFLOG_RATE 20
#define POLICY_DEFAULT_VERIFY_INTERVAL 60
#define POLICY_DEFAULT_QUEUE 100
#define POLICY_DEFAULT_QUEUE_MAXLEN 1024
#define POLICY_DEFAULT_SYNC_PORT 3780	/* conntrackd's default */

struct policy *policy_new(void);
void policy_free(struct policy *p);
/* Set every optional setting to its default. */
void policy_defaults(struct policy *p);

/* Name <-> enum.  The *_from_str functions return 0 for unknown names. */
const char *policy_zone_kind_str(enum zone_kind k);
enum zone_kind policy_zone_kind_from_str(const char *s);
const char *policy_model_str(enum policy_model m);
enum policy_model policy_model_from_str(const char *s);
const char *policy_method_str(enum flow_method m);
enum flow_method policy_method_from_str(const char *s);
const char *policy_role_str(enum host_role r);
enum host_role policy_role_from_str(const char *s);	/* -1 unknown */
const char *policy_proto_str(uint8_t proto, bool any);

int policy_find_zone(const struct policy *p, const char *name);
/* Levenshtein distance (99 for names of 64 characters or more). */
int policy_edit_distance(const char *a, const char *b);
/* The host (or, with zones, zone) name nearest to word, for "did you
 * mean", or the one whose label is word; NULL when none is near. */
const char *policy_near_name(const struct policy *p, const char *word,
    bool zones);
int policy_find_host(const struct policy *p, const char *name);
int policy_find_service(const struct policy *p, const char *name);
int policy_find_flow(const struct policy *p, const char *name);
/* Zone of an interface, -1 if none. */
int policy_zone_of_iface(const struct policy *p, const char *ifname);

/*
 * Zone of an address: the most specific network of a local (non-internet)
 * zone wins; an internet zone's networks count only when no local network
 * holds the address (the Internet zone is its networks minus every other
 * zone's networks).  -1 when no zone holds it.
 */
int policy_zone_of_addr(const struct policy *p, int family,
    const uint8_t a[16]);

/* The zone an endpoint lies in. */
int policy_endpoint_zone(const struct policy *p, const struct endpoint *e);
/* "host \"atena\"" / "zone \"lgwan\"" / "hosts \"a\", \"b\"" into buf. */
const char *policy_endpoint_name(const struct policy *p,
    const struct endpoint *e, char *buf, size_t len);
/* The hosts an endpoint names (one, or a list); NULL and 0 for a zone. */
const int *policy_endpoint_hosts(const struct endpoint *e, size_t *n);

/* Does zone z carry addresses of this family (ADDR_V4/ADDR_V6)? */
bool policy_zone_has_family(const struct zone *z, int family);

/*
 * The address prefixes an endpoint stands for, one family at a time: each
 * address of each host it names, or for a zone the whole family (0/0 or
 * ::/0) when it has networks of that family, since the zone itself is
 * enforced by interface (dispatch and anti-spoofing).
 *
 *	struct policy_pfx_iter it;
 *	policy_pfx_iter(&it, p, &f->to, ADDR_V4);
 *	while ((pf = policy_pfx_next(&it, &host)) != NULL) ...
 *
 * host is the index of the host the prefix belongs to, -1 for a zone.
 */
struct policy_pfx_iter {
	const struct policy *p;
	const struct endpoint *e;
	int family;
	size_t h, a;
	struct addr_pfx any;
};
void policy_pfx_iter(struct policy_pfx_iter *it, const struct policy *p,
    const struct endpoint *e, int family);
const struct addr_pfx *policy_pfx_next(struct policy_pfx_iter *it,
    int *host);
/* Does the endpoint stand for any address of this family? */
bool policy_endpoint_has_family(const struct policy *p,
    const struct endpoint *e, int family);
/* Does the endpoint hold the address a of family fam? */
bool policy_endpoint_holds(const struct policy *p, const struct endpoint *e,
    int fam, const uint8_t a[16]);

/* A host with one address, not a list: "10.20.1.25" but not a network. */
bool policy_host_single(const struct host *h);
/* Is h pinned: a host of a My Number zone (not beyond a closed line) with
 * one address and a MAC, without errors?  Pinned hosts get the MAC rule,
 * a permanent neighbour entry and the monitor's MAC check. */
bool policy_host_pinned(const struct policy *p, const struct host *h);

/* "name" or "name (label)": how reports show an object.  Returns buf. */
const char *policy_label_name(const char *name, const char *label,
    char *buf, size_t len);

/* Is the policy one node of a pair (an "ha" block without errors)? */
bool policy_ha(const struct policy *p);

/* Is the flow active at time now: started (or no start) and not expired? */
bool policy_flow_active(const struct flow *f, time_t now);
/* Has it a start still to come at now? */
bool policy_flow_pending(const struct flow *f, time_t now);

/* The name of a file for the objects of p, kept once (NULL: p->file).
 * NULL when out of memory. */
const char *policy_intern_file(struct policy *p, const char *name);

/*
 * Give every flow a stable non-zero 32-bit id (its ct mark), derived from
 * its name and definition: an unchanged flow keeps its id across reloads, a
 * changed or removed one does not.  Ids are unique within the policy.
 * -1 on allocation failure.
 */
int policy_flow_marks(struct policy *p);

/* Does the service match protocol proto and destination port / ICMP type?
 * (value is the port for port protocols, the type for ICMP.) */
bool policy_service_match(const struct service *s, uint8_t proto,
    uint16_t value);

#endif
