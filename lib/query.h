/*
 * query — "would this connection be allowed?": the words of `zonectl check`
 * (SRC DST PROTO[/PORT], --sport, --mac) turned into a classifier packet
 * against one policy, and the answer turned into text or JSON.  Used by
 * zonectl offline and by the daemon for the control socket's "check".
 */
#ifndef ZONED_QUERY_H
#define ZONED_QUERY_H

#include <stddef.h>

#include <jansson.h>

#include "classify.h"
#include "policy.h"

struct query_args {
	const char *src;	/* address or host name */
	const char *dst;
	const char *proto;	/* "tcp/443", "icmp/8", "udp/53", "47" */
	const char *mac;	/* NULL: a pinned source has its pinned MAC */
	int sport;		/* -1: unspecified */
};

struct query {
	struct classify_pkt pkt;
	char note[256];		/* e.g. "source MAC taken as the pinned ..." */
};

/* 0, or -1 with err filled (unknown host, bad address, bad protocol). */
int query_build(const struct policy *p, const struct query_args *a,
    struct query *q, char *err, size_t errlen);

/* {"verdict": "permit"|"deny", "flow", "reason", "from_zone", "to_zone",
 *  "explain", "note"} */
json_t *query_answer_json(const struct classify *c, const struct policy *p,
    const struct query *q, const struct classify_verdict *v);

/* "permit: flow "x"" or "deny: REASON", plus the note on a second line. */
void query_answer_text(const struct classify *c, const struct query *q,
    const struct classify_verdict *v, char *buf, size_t len);

#endif
