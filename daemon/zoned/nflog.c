/*
 * nflog — denied traffic from the ruleset's NFLOG group, over netlink
 * (libmnl).  The ruleset already limits how many denied packets it logs a
 * second; here they are aggregated per (reason, source, protocol, port)
 * over a window and written as event=denied lines, at most NFLOG_LINES a
 * window, so that a flood cannot flood syslog.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#include <libmnl/libmnl.h>

#include "event.h"
#include "log.h"
#include "nflog.h"
#include "nl.h"
#include "pkt.h"
#include "policy.h"

#define NFLOG_WINDOW_S 10	/* aggregation window */
#define NFLOG_LINES 50		/* event=denied lines a window at most */
#define NFLOG_KEYS 1024		/* distinct aggregates a window */
#define NFLOG_PREFIX "zoned:deny:"

struct agg {
	char reason[48];
	uint8_t family, proto;
	uint8_t src[16], dst[16];	/* dst: the first seen */
	uint16_t dport;
	uint32_t count;
};

struct nflog {
	struct mnl_socket *nl;
	uint32_t seq;
	struct event *ev, *window;
	int group;
	struct agg agg[NFLOG_KEYS];
	uint32_t nagg;
	uint64_t packets, overflow, lines, suppressed;
};

static void on_packets(int, uint32_t, void *);
static void on_window(int, uint32_t, void *);

/* One configuration message, and its ACK (the socket still blocks). */
static int
config(struct nflog *n, const struct nfulnl_msg_config_cmd *cmd,
    const struct nfulnl_msg_config_mode *mode)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons((uint16_t)n->group);
	if (cmd)
		mnl_attr_put(nlh, NFULA_CFG_CMD, sizeof(*cmd), cmd);
	if (mode)
		mnl_attr_put(nlh, NFULA_CFG_MODE, sizeof(*mode), mode);
	return nl_request(n->nl, nlh, &n->seq, NULL, NULL);
}

struct nflog *
nflog_open(int group, char *err, size_t errlen)
{
	struct nflog *n = calloc(1, sizeof(*n));
	struct nfulnl_msg_config_cmd bind = { .command = NFULNL_CFG_CMD_BIND };
	struct nfulnl_msg_config_mode mode = { .copy_range = htonl(256),
	    .copy_mode = NFULNL_COPY_PACKET };

	if (n == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->group = group;
	n->seq = (uint32_t)time(NULL);
	if ((n->nl = nl_open("nflog", NETLINK_NETFILTER, 0, false, 1 << 20,
	    err, errlen)) == NULL) {
		nflog_close(n);
		return NULL;
	}
	if (config(n, &bind, NULL) < 0 || config(n, NULL, &mode) < 0) {
		snprintf(err, errlen, "nflog group %d: %s", group,
		    strerror(errno));
		nflog_close(n);
		return NULL;
	}
	nl_nonblock(n->nl, true);
	if ((n->ev = event_add(mnl_socket_get_fd(n->nl), EVENT_READ,
	    on_packets, n)) == NULL ||
	    (n->window = event_timer(CLOCK_MONOTONIC, on_window, n)) == NULL ||
	    event_timer_arm(n->window, NFLOG_WINDOW_S * 1000,
	    NFLOG_WINDOW_S * 1000) < 0) {
		snprintf(err, errlen, "nflog events: %s", strerror(errno));
		nflog_close(n);
		return NULL;
	}
	return n;
}

void
nflog_close(struct nflog *n)
{
	if (n == NULL)
		return;
	event_del(n->ev);
	event_del(n->window);
	if (n->nl)
		mnl_socket_close(n->nl);
	free(n);
}

static void
count(struct nflog *n, const char *reason, const struct pkt_info *pi)
{
	uint16_t dport = pi->has_ports ? pi->dport : pi->has_icmp ?
	    pi->icmp_type : 0;
	struct agg *a;

	for (uint32_t i = 0; i < n->nagg; i++) {
		a = &n->agg[i];
		if (a->family == pi->family && a->proto == pi->proto &&
		    a->dport == dport && memcmp(a->src, pi->src, 16) == 0 &&
		    strcmp(a->reason, reason) == 0) {
			a->count++;
			return;
		}
	}
	if (n->nagg == NFLOG_KEYS) {
		n->overflow++;
		return;
	}
	a = &n->agg[n->nagg++];
	snprintf(a->reason, sizeof(a->reason), "%s", reason);
	a->family = pi->family;
	a->proto = pi->proto;
	memcpy(a->src, pi->src, 16);
	memcpy(a->dst, pi->dst, 16);
	a->dport = dport;
	a->count = 1;
}

static int
attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NFULA_MAX) > 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int
packet_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nflog *n = data;
	const struct nlattr *tb[NFULA_MAX + 1] = { 0 };
	const char *prefix;
	struct pkt_info pi;

	if ((nlh->nlmsg_type & 0xff) != NFULNL_MSG_PACKET)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, tb);
	if (tb[NFULA_PAYLOAD] == NULL)
		return MNL_CB_OK;
	n->packets++;
	prefix = tb[NFULA_PREFIX] ? mnl_attr_get_str(tb[NFULA_PREFIX]) : "";
	if (strncmp(prefix, NFLOG_PREFIX, strlen(NFLOG_PREFIX)) == 0)
		prefix += strlen(NFLOG_PREFIX);
	if (pkt_parse(mnl_attr_get_payload(tb[NFULA_PAYLOAD]),
	    mnl_attr_get_payload_len(tb[NFULA_PAYLOAD]), PKT_LINK_RAW, &pi) ==
	    PKT_UNSUPPORTED_LINK || pi.family == 0)
		return MNL_CB_OK;
	count(n, prefix, &pi);
	return MNL_CB_OK;
}

/* The end of a window: the aggregates, biggest first, at most
 * NFLOG_LINES of them. */
static int
agg_cmp(const void *x, const void *y)
{
	const struct agg *a = x, *b = y;
	return (a->count < b->count) - (a->count > b->count);
}

static void
flush(struct nflog *n)
{
	uint64_t rest = 0;

	qsort(n->agg, n->nagg, sizeof(n->agg[0]), agg_cmp);
	for (uint32_t i = 0; i < n->nagg; i++) {
		const struct agg *a = &n->agg[i];
		char s[64], d[64];
		if (i >= NFLOG_LINES) {
			rest += a->count;
			continue;
		}
		addr_format_ip(a->family, a->src, s, sizeof(s));
		addr_format_ip(a->family, a->dst, d, sizeof(d));
		log_event(LOG_WARNING, "denied", "reason=%s src=%s dst=%s "
		    "proto=%s dport=%u count=%u window=%ds", lq(a->reason), s,
		    d, policy_proto_str(a->proto, false), a->dport, a->count,
		    NFLOG_WINDOW_S);
		n->lines++;
	}
	if (rest > 0 || n->overflow > 0) {
		log_event(LOG_WARNING, "denied-suppressed", "packets=%llu "
		    "aggregates=%u window=%ds", (unsigned long long)(rest +
		    n->overflow), n->nagg > NFLOG_LINES ? n->nagg -
		    NFLOG_LINES : 0, NFLOG_WINDOW_S);
		n->suppressed += rest + n->overflow;
	}
	n->nagg = 0;
	n->overflow = 0;
}

static void
on_window(int fd, uint32_t what, void *arg)
{
	(void)fd;
	(void)what;
	flush(arg);
}

static void
on_packets(int fd, uint32_t what, void *arg)
{
	struct nflog *n = arg;
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	ssize_t r;

	(void)fd;
	(void)what;
	while ((r = mnl_socket_recvfrom(n->nl, buf, sizeof(buf))) > 0)
		mnl_cb_run(buf, (size_t)r, 0, 0, packet_cb, n);
}

json_t *
nflog_json(const struct nflog *n)
{
	if (n == NULL)
		return json_null();
	return json_pack("{s:i, s:I, s:I, s:I}", "group", n->group, "packets",
	    (json_int_t)n->packets, "lines", (json_int_t)n->lines,
	    "suppressed", (json_int_t)n->suppressed);
}

int
nflog_group(const struct nflog *n)
{
	return n ? n->group : -1;
}
