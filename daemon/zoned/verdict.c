/*
 * verdict — the second verdict (enforce.mode = "dual"): the kernel hands every
 * new connection its ruleset lets across to the daemon through NFQUEUE
 * (libnetfilter_queue's libmnl helpers), and the classifier, built from the
 * same policy by different code, must agree before it may cross.
 *
 * Packets are read in batches (up to 64 a wake-up), classified in one
 * call, and answered with one sendmsg of verdicts.  Agreement: accept (the
 * rest of the connection is established and never queued).  Disagreement:
 * drop, and event=verdict-disagreement naming the flow the kernel matched
 * (the connection's ct mark), the packet and why the classifier refused,
 * once per connection, with evidence.  The queue has no bypass flag: with
 * no daemon, new crossings are refused, not waved through.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <pcap.h>

#include "acl.h"
#include "alert.h"
#include "event.h"
#include "fault.h"
#include "log.h"
#include "nl.h"
#include "pkt.h"
#include "verdict.h"

#define NFQ_BATCH ACL_BATCH	/* packets a wake-up */
/* a batch of verdicts (one message of under 64 bytes each) fits the
 * buffer, whose size is at least 2 * 4096 (MNL_SOCKET_BUFFER_SIZE is the
 * page size, at most 8192) */
_Static_assert(NFQ_BATCH * 64 <= 2 * 4096,
    "the verdicts of a batch must fit q->buf");
#define NFQ_COPY 256		/* bytes of a packet we are handed */
#define RECENT 256		/* connections recently refused */
#define RECENT_S 60		/* one alert a connection in this time */

struct qpkt {
	uint32_t id;
	uint32_t mark;		/* the connection's mark: the kernel's flow */
	int in_ix, out_ix;	/* interfaces, by index (0: none) */
	uint16_t len;
	uint32_t wire_len;
	uint8_t data[NFQ_COPY];
	struct pkt_info pi;
	bool parsed;
};

/* The zone of an interface index, and its name: looked up once, not for
 * every packet; forgotten when the policy or the links change. */
struct ifzone {
	int ifindex;
	int zone;
	char name[IFNAMSIZ];
};
#define IFZ_MAX 64

struct recent {
	uint64_t key;
	time_t when;
	uint64_t alert;		/* its id, 0 without a monitor */
};

struct verdict {
	const struct policy *pol;	/* NULL: failing closed */
	const struct classify *cls;
	struct alerts *al;		/* the daemon's */
	struct mnl_socket *nl;
	uint32_t seq;
	struct event *ev, *tick;
	int queue;
	struct qpkt pkts[NFQ_BATCH];
	struct classify_pkt keys[NFQ_BATCH];
	struct classify_verdict verd[NFQ_BATCH];
	struct recent recent[RECENT];
	uint64_t verdicts, accepted, refused, disagreements;
	/* verdicts a second, over the last second */
	uint64_t last_verdicts, rate;
	uint64_t dropped_seen;	/* queue drops already reported */
	struct ifzone ifz[IFZ_MAX];
	size_t nifz;
	int maxlen;
	char *buf;
	size_t buflen;
	/* verdicts the socket refused: sent again every VERDICT_RETRY_MS,
	 * and no packet is read meanwhile */
	char *unsent;
	size_t unsent_len;
	struct event *retry;
	uint64_t failed_at;	/* ms, CLOCK_MONOTONIC */
};

#define VERDICT_RETRY_MS 100

static void on_packets(int, uint32_t, void *);
static void on_retry(int, uint32_t, void *);

/* Refuse a packet that came before the queue was ready (its sender
 * retries). */
static void
refuse_early(struct verdict *q, const struct nlmsghdr *nlh)
{
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	char buf[256];
	struct nlmsghdr *v;
	const struct nfqnl_msg_packet_hdr *ph;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL)
		return;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	v = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, (uint32_t)q->queue);
	nfq_nlmsg_verdict_put(v, (int)ntohl(ph->packet_id), NF_DROP);
	(void)mnl_socket_sendto(q->nl, v, v->nlmsg_len);
	q->refused++;
}

static void on_packets(int, uint32_t, void *);
static void on_retry(int, uint32_t, void *);
static void on_tick(int, uint32_t, void *);

/* A packet queued while the queue is being configured. */
static void
early(const struct nlmsghdr *m, void *arg)
{
	if ((m->nlmsg_type & 0xff) == NFQNL_MSG_PACKET)
		refuse_early(arg, m);
}

struct verdict *
verdict_open(int queue, int maxlen, struct alerts *al, char *err,
    size_t errlen)
{
	struct verdict *q = calloc(1, sizeof(*q));
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (q == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	q->queue = queue;
	q->al = al;
	q->seq = (uint32_t)time(NULL);
	q->buflen = MNL_SOCKET_BUFFER_SIZE * 2;
	if ((q->buf = malloc(q->buflen)) == NULL) {
		snprintf(err, errlen, "out of memory");
		verdict_close(q);
		return NULL;
	}
	if ((q->nl = nl_open("nfqueue", NETLINK_NETFILTER, 0, false, 4 << 20,
	    err, errlen)) == NULL) {
		verdict_close(q);
		return NULL;
	}

	/* bind and parameters in one message: the kernel applies both
	 * before it answers; packets queued meanwhile are refused, not left
	 * without a verdict.  Never fail open (the ruleset copies the flow
	 * into the packet's mark, so the conntrack glue is not needed). */
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, (uint32_t)queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, NFQ_COPY);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, (uint32_t)maxlen);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(0));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_FAIL_OPEN));
	if ((errno = fault_errno("queue-bind")) != 0 ||
	    nl_request(q->nl, nlh, &q->seq, early, q) < 0) {
		snprintf(err, errlen, "nfqueue %d: %s", queue,
		    errno == EBUSY ? "taken by another process" :
		    strerror(errno));
		verdict_close(q);
		return NULL;
	}
	q->maxlen = maxlen;
	nl_nonblock(q->nl, true);
	if ((q->ev = event_add(mnl_socket_get_fd(q->nl), EVENT_READ,
	    on_packets, q)) == NULL ||
	    (q->tick = event_timer(CLOCK_MONOTONIC, on_tick, q)) == NULL ||
	    (q->retry = event_timer(CLOCK_MONOTONIC, on_retry, q)) == NULL ||
	    event_timer_arm(q->tick, 1000, 1000) < 0) {
		snprintf(err, errlen, "nfqueue events: %s", strerror(errno));
		verdict_close(q);
		return NULL;
	}
	log_event(LOG_INFO, "queue-bound", "queue=%d maxlen=%d", queue, maxlen);
	return q;
}

void
verdict_close(struct verdict *q)
{
	if (q == NULL)
		return;
	event_del(q->ev);
	event_del(q->tick);
	event_del(q->retry);
	if (q->nl)
		mnl_socket_close(q->nl);
	free(q->unsent);
	free(q->buf);
	free(q);
}

int
verdict_maxlen(const struct verdict *q)
{
	return q ? q->maxlen : -1;
}

int
verdict_queue(const struct verdict *q)
{
	return q ? q->queue : -1;
}

/* ---------------------------------------------------------------------
 * Reading
 */

/* One queued packet into p; false when it cannot be read. */
static bool
take(const struct nlmsghdr *nlh, struct qpkt *p)
{
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	const struct nfqnl_msg_packet_hdr *ph;
	uint32_t len;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL)
		return false;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	memset(p, 0, sizeof(*p));
	p->id = ntohl(ph->packet_id);
	if (attr[NFQA_IFINDEX_INDEV])
		p->in_ix = (int)ntohl(mnl_attr_get_u32(
		    attr[NFQA_IFINDEX_INDEV]));
	if (attr[NFQA_IFINDEX_OUTDEV])
		p->out_ix = (int)ntohl(mnl_attr_get_u32(
		    attr[NFQA_IFINDEX_OUTDEV]));
	if (attr[NFQA_MARK])	/* the connection's: the kernel's flow */
		p->mark = ntohl(mnl_attr_get_u32(attr[NFQA_MARK]));
	if (attr[NFQA_PAYLOAD]) {
		len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
		p->wire_len = attr[NFQA_CAP_LEN] ?
		    ntohl(mnl_attr_get_u32(attr[NFQA_CAP_LEN])) : len;
		if (len > NFQ_COPY)
			len = NFQ_COPY;
		memcpy(p->data, mnl_attr_get_payload(attr[NFQA_PAYLOAD]), len);
		p->len = (uint16_t)len;
		p->parsed = pkt_parse(p->data, len, PKT_LINK_RAW, &p->pi) ==
		    PKT_OK;
	}
	if (attr[NFQA_HWADDR]) {
		const struct nfqnl_msg_packet_hw *hw =
		    mnl_attr_get_payload(attr[NFQA_HWADDR]);
		if (ntohs(hw->hw_addrlen) == 6) {
			memcpy(p->pi.src_mac, hw->hw_addr, 6);
			p->pi.has_mac = 1;
		}
	}
	return true;
}

void
verdict_links(struct verdict *q)
{
	if (q != NULL)
		q->nifz = 0;
}

void
verdict_policy(struct verdict *q, const struct policy *p,
    const struct classify *c)
{
	if (q == NULL)
		return;
	q->pol = p != NULL && c != NULL ? p : NULL;
	q->cls = q->pol ? c : NULL;
	q->nifz = 0;	/* zones of interfaces, anew */
}

static const struct ifzone *
ifzone(struct verdict *q, int ifindex)
{
	static const struct ifzone none = { 0, -1, "" };
	struct ifzone *f;

	if (ifindex <= 0)
		return &none;
	for (size_t i = 0; i < q->nifz; i++)
		if (q->ifz[i].ifindex == ifindex)
			return &q->ifz[i];
	f = q->nifz < IFZ_MAX ? &q->ifz[q->nifz++] :
	    &q->ifz[(unsigned)ifindex % IFZ_MAX];
	f->ifindex = ifindex;
	if (if_indextoname((unsigned)ifindex, f->name) == NULL)
		f->name[0] = '\0';
	f->zone = f->name[0] && q->pol ? policy_zone_of_iface(q->pol,
	    f->name) : -1;
	return f;
}

/*
 * The classifier's question for a packet, zones by its interfaces as the
 * kernel sees them.  Returns a reason to refuse the packet before any
 * flow is looked at (else CLASSIFY_PERMIT): the classifier would fall back
 * to zones by address, which is not what the kernel was asked.
 */
static uint8_t
key_of(struct verdict *q, const struct qpkt *p, struct classify_pkt *k)
{
	const struct policy *pol = q->pol;
	int zi = ifzone(q, p->in_ix)->zone;
	int zo = ifzone(q, p->out_ix)->zone;

	memset(k, 0, sizeof(*k));
	k->family = p->pi.family;
	k->proto = p->pi.proto;
	k->in_zone = (int16_t)zi;
	k->out_zone = (int16_t)zo;
	memcpy(k->src, p->pi.src, 16);
	memcpy(k->dst, p->pi.dst, 16);
	k->sport = p->pi.has_ports ? p->pi.sport : p->pi.icmp_id;
	k->dport = p->pi.has_ports ? p->pi.dport : p->pi.icmp_type;
	if (!p->parsed)
		return CLASSIFY_NO_FLOW;	/* no ports to judge by */
	if (zi < 0 || zo < 0)
		return CLASSIFY_NO_ZONE;	/* an interface of no zone */
	if (pol->zones[zi].kind == ZONE_MYNUMBER) {
		/* a My Number packet is judged with its MAC, or not at all */
		if (!p->pi.has_mac)
			return CLASSIFY_MAC_MISMATCH;
		k->has_mac = 1;
		memcpy(k->src_mac, p->pi.src_mac, 6);
	}
	return CLASSIFY_PERMIT;
}

static const char *
flow_of_mark(const struct policy *p, uint32_t mark)
{
	for (size_t i = 0; mark && i < p->nflows; i++)
		if (p->flows[i].mark == mark)
			return p->flows[i].name;
	return NULL;
}

static void
disagree(struct verdict *q, const struct qpkt *p, const struct classify_pkt *k,
    const struct classify_verdict *v)
{
	char s[64], d[64], why[512], fields[1200];
	const char *flow, *in, *out;
	struct recent *r = &q->recent[0], *hit = NULL;
	struct timeval tv;
	time_t now = time(NULL);
	uint64_t key = 1469598103934665603ULL;
	json_t *j;

	/* one alert a connection: its retransmissions only add evidence */
	key = (key ^ k->family) * 1099511628211ULL;
	for (int i = 0; i < 16; i++)
		key = (key ^ k->src[i] ^ ((uint64_t)k->dst[i] << 8)) *
		    1099511628211ULL;
	key = (key ^ k->proto ^ ((uint64_t)k->sport << 8) ^
	    ((uint64_t)k->dport << 24)) * 1099511628211ULL;
	for (int i = 0; i < RECENT; i++) {
		if (q->recent[i].key == key && now - q->recent[i].when <
		    RECENT_S) {
			hit = &q->recent[i];
			break;
		}
		if (q->recent[i].when < r->when)
			r = &q->recent[i];
	}
	gettimeofday(&tv, NULL);
	if (hit) {
		alerts_frame(q->al, hit->alert, &tv, p->data, p->len,
		    p->wire_len);
		return;
	}
	q->disagreements++;
	flow = flow_of_mark(q->pol, p->mark);
	in = ifzone(q, p->in_ix)->name;
	out = ifzone(q, p->out_ix)->name;
	classify_explain(q->cls, k, v, why, sizeof(why));
	addr_format_ip(k->family, k->src, s, sizeof(s));
	addr_format_ip(k->family, k->dst, d, sizeof(d));
	snprintf(fields, sizeof(fields), "kernel_flow=%s in=%s out=%s "
	    "proto=%s src=%s sport=%u dst=%s dport=%u classifier=%s "
	    "explain=%s", flow ? flow : "none", in[0] ? in : "-",
	    out[0] ? out : "-", policy_proto_str(k->proto, false), s,
	    k->sport, d, k->dport, classify_reason_str(v->reason), lq(why));
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:i, s:s, s:s}",
	    "kernel_flow", flow ? flow : "none", "in", in, "out", out,
	    "proto", policy_proto_str(k->proto, false), "src", s, "sport",
	    k->sport, "dst", d, "dport", k->dport, "classifier",
	    classify_reason_str(v->reason), "explain", why);
	r->key = key;
	r->when = now;
	r->alert = alerts_raise(q->al, "verdict-disagreement", fields, j, &tv,
	    DLT_RAW);
	alerts_frame(q->al, r->alert, &tv, p->data, p->len, p->wire_len);
}

/*
 * Send a batch of verdicts.  When the socket refuses it (ENOBUFS, ENOMEM),
 * its packets wait in the kernel's queue — nothing crosses without a
 * verdict — so the batch is kept and sent again every VERDICT_RETRY_MS,
 * and no new packet is read until it is out (the queue fills and the
 * kernel drops what comes over queue_maxlen).  One event when it starts,
 * one when it ends.
 */
static void
send_verdicts(struct verdict *q, const char *b, size_t len)
{
	int e;

	if ((e = fault_errno("verdict-send")) == 0 &&
	    mnl_socket_sendto(q->nl, b, len) >= 0)
		return;
	if (e == 0)
		e = errno;
	if (q->unsent == NULL) {
		if ((q->unsent = malloc(len)) == NULL) {
			log_warnx("nfqueue verdicts: %s", strerror(e));
			return;
		}
		memcpy(q->unsent, b, len);
		q->unsent_len = len;
		q->failed_at = event_now_ms();
		log_event(LOG_ERR, "verdict-send-failed", "queue=%d reason=%s "
		    "effect=new-crossings-wait retry_ms=%d", q->queue,
		    lq(strerror(e)), VERDICT_RETRY_MS);
		event_mod(q->ev, 0);
		event_timer_arm(q->retry, VERDICT_RETRY_MS, VERDICT_RETRY_MS);
	}
}

static void
on_retry(int fd, uint32_t what, void *arg)
{
	struct verdict *q = arg;

	(void)fd;
	(void)what;
	if (q->unsent == NULL || fault_errno("verdict-send") != 0 ||
	    mnl_socket_sendto(q->nl, q->unsent, q->unsent_len) < 0)
		return;
	log_event(LOG_NOTICE, "verdict-send-resumed", "queue=%d waited_ms=%llu",
	    q->queue, (unsigned long long)(event_now_ms() - q->failed_at));
	free(q->unsent);
	q->unsent = NULL;
	q->unsent_len = 0;
	event_timer_arm(q->retry, 0, 0);
	event_mod(q->ev, EVENT_READ);
	on_packets(-1, EVENT_READ, q);	/* what waited meanwhile */
}

static void
answer(struct verdict *q, size_t n)
{
	char *b = q->buf;
	size_t off = 0;

	for (size_t i = 0; i < n; i++) {
		struct nlmsghdr *nlh;
		int accept = q->verd[i].reason == CLASSIFY_PERMIT;

		nlh = nfq_nlmsg_put(b + off, NFQNL_MSG_VERDICT,
		    (uint32_t)q->queue);
		nfq_nlmsg_verdict_put(nlh, (int)q->pkts[i].id, accept ?
		    NF_ACCEPT : NF_DROP);
		off += NLMSG_ALIGN(nlh->nlmsg_len);
		q->verdicts++;
		if (accept)
			q->accepted++;
		else
			q->refused++;
	}
	if (off > 0)
		send_verdicts(q, b, off);
}

static void
read_batch(struct verdict *q)
{
	size_t n = 0;

	while (n < NFQ_BATCH) {
		ssize_t r = mnl_socket_recvfrom(q->nl, q->buf, q->buflen);
		const struct nlmsghdr *nlh;
		int len;

		if (r <= 0) {
			if (r < 0 && errno == ENOBUFS)
				log_event(LOG_WARNING, "queue-overrun",
				    "queue=%d", q->queue);
			break;
		}
		len = (int)r;
		for (nlh = (const void *)q->buf; mnl_nlmsg_ok(nlh, len) &&
		    n < NFQ_BATCH; nlh = mnl_nlmsg_next(nlh, &len))
			if ((nlh->nlmsg_type & 0xff) == NFQNL_MSG_PACKET &&
			    take(nlh, &q->pkts[n]))
				n++;
	}
	if (n == 0)
		return;
	if (q->pol == NULL) {
		/* failing closed: no policy agrees with anything */
		for (size_t i = 0; i < n; i++)
			q->verd[i].reason = CLASSIFY_NO_FLOW;
	} else {
		uint8_t early[NFQ_BATCH];

		for (size_t i = 0; i < n; i++)
			early[i] = key_of(q, &q->pkts[i], &q->keys[i]);
		classify_batch(q->cls, q->keys, q->verd, n);
		for (size_t i = 0; i < n; i++)
			if (early[i] != CLASSIFY_PERMIT) {
				q->verd[i].reason = early[i];
				q->verd[i].flow = -1;
			}
	}
	answer(q, n);
	for (size_t i = 0; i < n && q->pol; i++)
		if (q->verd[i].reason != CLASSIFY_PERMIT)
			disagree(q, &q->pkts[i], &q->keys[i], &q->verd[i]);
}

/*
 * The kernel's figures of the queues, /proc/net/netfilter/nfnetlink_queue:
 * mode 0440 root, so it is opened once while the daemon is still root and
 * read again at each tick.  The file exists once nfnetlink_queue is loaded;
 * a configuration message that changes nothing has the kernel load it.
 */
#define PROC_QUEUE "/proc/net/netfilter/nfnetlink_queue"
static int proc_fd = -1;

void
verdict_stats_open(void)
{
	struct mnl_socket *nl;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (proc_fd >= 0)
		return;
	if ((proc_fd = open(PROC_QUEUE, O_RDONLY | O_CLOEXEC)) >= 0 ||
	    errno != ENOENT)
		return;
	if ((nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC)) != NULL) {
		nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, 0);
		nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_PF_UNBIND);
		(void)mnl_socket_sendto(nl, nlh, nlh->nlmsg_len);
		mnl_socket_close(nl);
	}
	proc_fd = open(PROC_QUEUE, O_RDONLY | O_CLOEXEC);
}

static int
proc_stats(int queue, uint64_t *len, uint64_t *dropped, uint64_t *udropped)
{
	char buf[16384], *line, *save = NULL;
	unsigned num, portid, total, mode, range, qd, ud;
	ssize_t n;
	int found = -1;

	if (proc_fd < 0)
		verdict_stats_open();	/* still root: tests, -d as root */
	if (proc_fd < 0 || (n = pread(proc_fd, buf, sizeof(buf) - 1, 0)) < 0)
		return -1;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%u %u %u %u %u %u %u", &num, &portid,
		    &total, &mode, &range, &qd, &ud) == 7 &&
		    (int)num == queue) {
			*len = total;
			*dropped = qd;
			*udropped = ud;
			found = 0;
		}
	return found;
}

/* Every second: the rate, and the kernel's drops of the queue. */
static void
on_tick(int fd, uint32_t what, void *arg)
{
	struct verdict *q = arg;
	uint64_t len = 0, dropped = 0, ud = 0;

	(void)fd;
	(void)what;
	q->rate = q->verdicts - q->last_verdicts;
	q->last_verdicts = q->verdicts;
	if (proc_stats(q->queue, &len, &dropped, &ud) == 0 &&
	    dropped + ud > q->dropped_seen) {
		log_event(LOG_WARNING, "queue-drops", "queue=%d "
		    "dropped=%llu user_dropped=%llu new=%llu", q->queue,
		    (unsigned long long)dropped, (unsigned long long)ud,
		    (unsigned long long)(dropped + ud - q->dropped_seen));
		q->dropped_seen = dropped + ud;
	}
}

static void
on_packets(int fd, uint32_t what, void *arg)
{
	(void)fd;
	(void)what;
	read_batch(arg);
}

json_t *
verdict_json(const struct verdict *q, bool native)
{
	uint64_t len = 0, dropped = 0, ud = 0;
	bool known;

	if (q == NULL)
		return json_null();
	/* the kernel's figures, null when they cannot be read */
	known = proc_stats(q->queue, &len, &dropped, &ud) == 0;
	return json_pack("{s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
	    "queue", q->queue, "queue_expr", native ? "nft" : "xt-compat",
	    "verdicts", (json_int_t)q->verdicts,
	    "accepted", (json_int_t)q->accepted,
	    "refused", (json_int_t)q->refused,
	    "disagreements", (json_int_t)q->disagreements,
	    "verdicts_per_s", (json_int_t)q->rate,
	    "queue_len", known ? json_integer((json_int_t)len) : json_null(),
	    "queue_dropped", known ? json_integer((json_int_t)dropped) :
	    json_null(),
	    "user_dropped", known ? json_integer((json_int_t)ud) :
	    json_null());
}
