/*
 * query — "would this connection be allowed?": the words of `zonectl check`
 * (SRC DST PROTO[/PORT] or a service name, --sport, --mac) turned into
 * classifier packets against one policy, and the answer turned into text
 * or JSON.  Used by zonectl offline and by the daemon for the control
 * socket's "check".
 *
 * A question about the appliance itself (DST "appliance", or an address
 * the daemon knows as its own) is answered from the policy's management
 * entries, as the input hook decides, not from the flows.
 */
#ifndef ZONED_QUERY_H
#define ZONED_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "classify.h"
#include "policy.h"

/* DST that names the appliance itself. */
#define QUERY_APPLIANCE "appliance"
/* Packets one question may stand for (the ports of a service). */
#define QUERY_MAXPKT 16

struct query_args {
	const char *src;	/* address or host name */
	const char *dst;	/* address, host name or "appliance" */
	const char *proto;	/* "tcp/443", "icmp/8", "47", or a service
				 * name: "https", "rdp" */
	const char *mac;	/* NULL: a pinned source has its pinned MAC */
	int sport;		/* -1: unspecified */
	bool dst_self;		/* the daemon knows dst as its own address */
};

struct query {
	struct classify_pkt pkt[QUERY_MAXPKT];
	size_t npkt;
	char what[160];		/* 'service "juki" (tcp/700, tcp/8000-8003)' */
	bool appliance;		/* to the appliance itself */
	char note[512];		/* e.g. "source MAC taken as the pinned ..." */
	/* filled by query_classify */
	struct classify_verdict v[QUERY_MAXPKT];
	int mgmt;		/* the permitting management entry, or -1 */
	int denied;		/* the packet that answers no, or -1 */
};

/* 0, or -1 with err filled (unknown host, bad address, bad protocol or
 * service). */
int query_build(const struct policy *p, const struct query_args *a,
    struct query *q, char *err, size_t errlen);

/* Judge every packet of the question; *v is the answer: the first denial,
 * else the first permit (v->reason CLASSIFY_PERMIT when every packet
 * passes). */
void query_classify(const struct classify *c, const struct policy *p,
    struct query *q, struct classify_verdict *v);

/* {"verdict": "permit"|"deny", "flow", "management", "reason",
 *  "from_zone", "to_zone", "explain", "note"} */
json_t *query_answer_json(const struct classify *c, const struct policy *p,
    const struct query *q, const struct classify_verdict *v);

/* "permit: flow "x"" or "deny: REASON", plus the note on a second line. */
void query_answer_text(const struct classify *c, const struct policy *p,
    const struct query *q, const struct classify_verdict *v, char *buf,
    size_t len);

#endif
