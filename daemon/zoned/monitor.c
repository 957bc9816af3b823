/*
 * monitor — the audit monitor: libpcap on every zone interface.
 *
 * Outbound (what left the appliance into a zone): every frame is judged by
 * an audit stream (lib/audit.c, the same judge as `zoned --audit`) with the
 * bounded flow table in front; a frame that should not have crossed raises
 * event=crossing-violation, once per flow, with pcap evidence.  Frames the
 * appliance sends itself are told apart by its own addresses.
 *
 * Inbound on a My Number interface: a pinned host's address with another
 * MAC, or a pinned MAC with another address, raises event=mac-mismatch.
 * Inbound on an Internet interface: behaviour detection (lib/detect.c):
 * port and address scans, LGWAN/My Number probes, floods.
 *
 * Handles are opened before privileges drop; an interface that is not there
 * yet is opened when its link appears (CAP_NET_RAW is kept for that).
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <pcap.h>

#include "alert.h"
#include "audit.h"
#include "detect.h"
#include "event.h"
#include "flowtab.h"
#include "log.h"
#include "monitor.h"
#include "pkt.h"

#define RING_BYTES (2 << 20)	/* kernel ring of one handle */
#define DISPATCH 256		/* frames read per wake-up and handle */
#define FLOW_TIMEOUT_MS 300000	/* a connection idle this long is gone */
#define INCIDENTS 256		/* flows and sources with an open alert */
#define MAC_REALERT_S 60	/* the same MAC mismatch again after this */

struct mon_if {
	char name[IFNAMSIZ];
	int zone;
	enum zone_kind kind;
	pcap_t *out, *in;	/* directions; in only where needed */
	struct event *ev_out, *ev_in;
	int lt_out, lt_in;
	struct audit_stream *as;
	uint64_t frames_out, frames_in, own;
	bool draining;		/* reading out while judging an in frame */
	struct monitor *m;
};

/* An open alert of a flow or a source, so later frames join its evidence. */
struct incident {
	uint64_t key;		/* hash of the tuple or source, 0 free */
	uint64_t alert;		/* its id */
	uint64_t last_ms;
};

struct pin {
	uint8_t family;
	uint8_t addr[16];
	uint8_t mac[6];
	const char *host;
};

struct mac_seen {
	uint8_t family;
	uint8_t addr[16];
	uint8_t mac[6];
	time_t when;
};

struct monitor {
	const struct policy *p;
	const struct classify *c;
	struct mon_if *ifs;
	size_t nifs;
	struct flowtab *ft;
	struct detect *det;
	struct alerts *al;	/* the daemon's */
	struct pin *pins;
	size_t npins;
	struct mac_seen macs[64];
	uint8_t (*own)[17];	/* family, address */
	size_t nown;
	struct incident inc[INCIDENTS];
	uint32_t snaplen;
	struct event *timer;	/* every second: idle connections go */
	uint64_t violations;
};

static void out_ready(int, uint32_t, void *);
static void in_ready(int, uint32_t, void *);
static void on_timer(int, uint32_t, void *);

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h ? h : 1;
}

/* A connection whichever way its frame goes: the two (address, port)
 * ends in a fixed order, and the protocol. */
static uint64_t
conn_key(uint8_t proto, const uint8_t a[16], uint16_t ap, const uint8_t b[16],
    uint16_t bp)
{
	int c = memcmp(a, b, 16);
	uint64_t h = 0xcbf29ce484222325ULL;

	if (c > 0 || (c == 0 && ap > bp)) {
		const uint8_t *t = a;
		uint16_t tp = ap;
		a = b;
		ap = bp;
		b = t;
		bp = tp;
	}
	h = mix(mix(mix(mix(h, a, 16), &ap, 2), b, 16), &bp, 2);
	return mix(h, &proto, 1);
}

/* ---------------------------------------------------------------------
 * Incidents: later frames of an alert's flow or source
 */

static struct incident *
incident_find(struct monitor *m, uint64_t key)
{
	struct incident *free_slot = NULL, *oldest = &m->inc[0];

	for (int i = 0; i < INCIDENTS; i++) {
		struct incident *in = &m->inc[i];
		if (in->key == key)
			return in;
		if (in->key == 0 && free_slot == NULL)
			free_slot = in;
		if (in->last_ms < oldest->last_ms)
			oldest = in;
	}
	return free_slot ? free_slot : oldest;
}

static void
incident_frame(struct monitor *m, uint64_t key, const struct timeval *ts,
    const uint8_t *frame, uint32_t caplen, uint32_t len)
{
	struct incident *in = incident_find(m, key);

	if (in->key != key)
		return;
	alerts_frame(m->al, in->alert, ts, frame, caplen, len);
	in->last_ms = now_ms();
}

static void
incident_open(struct monitor *m, uint64_t key, uint64_t al)
{
	struct incident *in = incident_find(m, key);

	in->key = key;
	in->alert = al;
	in->last_ms = now_ms();
}

/* ---------------------------------------------------------------------
 * Outbound: crossing violations
 */

static const char *
zname(const struct policy *p, int z)
{
	return z >= 0 && (size_t)z < p->nzones ? p->zones[z].name : "-";
}

/*
 * Describe a violating connection from the side that opened it: frames of
 * different interfaces arrive in no set order, so the first one seen may be
 * the reply (a TCP SYN+ACK, an ICMP echo reply).  Fills the tuple text, the
 * zones and the explanation; returns true when it turned the frame round.
 */
static bool
opener_view(struct monitor *m, const struct mon_if *mi,
    const struct audit_violation *v, const uint8_t *frame, uint32_t caplen,
    struct classify_pkt *k, char *explain, size_t elen)
{
	struct classify_verdict cv;
	struct pkt_info pi;
	bool reply = false;

	memset(k, 0, sizeof(*k));
	k->family = v->family;
	k->proto = v->proto;
	k->in_zone = k->out_zone = -1;
	memcpy(k->src, v->src, 16);
	memcpy(k->dst, v->dst, 16);
	k->sport = v->sport;
	k->dport = v->dport;
	if (pkt_parse(frame, caplen, mi->lt_out == DLT_RAW ? PKT_LINK_RAW :
	    mi->lt_out, &pi) == PKT_OK) {
		if (pi.proto == PROTO_TCP && pi.has_ports &&
		    (pi.tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) ==
		    (PKT_TCP_SYN | PKT_TCP_ACK))
			reply = true;
		if (pi.has_icmp && ((v->family == ADDR_V4 && pi.icmp_type ==
		    0) || (v->family == ADDR_V6 && pi.icmp_type == 129)))
			reply = true;
	}
	if (!reply) {
		snprintf(explain, elen, "%s", v->explain);
		return false;
	}
	memcpy(k->src, v->dst, 16);
	memcpy(k->dst, v->src, 16);
	if (v->l4 == AUDIT_L4_ICMP)
		k->dport = v->family == ADDR_V4 ? 8 : 128;
	else {
		k->sport = v->dport;
		k->dport = v->sport;
	}
	classify_one(m->c, k, &cv);
	classify_explain(m->c, k, &cv, explain, elen);
	return true;
}

static void
on_violation(void *arg, const struct audit_violation *v, bool first,
    const uint8_t *frame, uint32_t caplen, const struct timeval *ts,
    uint32_t len)
{
	struct mon_if *mi = arg;
	struct monitor *m = mi->m;
	const struct policy *p = m->p;
	char s[64], d[64], mac[MAC_STRLEN] = "-", fields[1024], why[256];
	struct classify_pkt k;
	uint64_t key;
	bool turned;
	int zs, zd;
	json_t *j;

	/* one alert a connection: its replies join it */
	key = v->l4 == AUDIT_L4_ICMP ? conn_key(v->proto, v->src, v->sport,
	    v->dst, v->sport) : conn_key(v->proto, v->src, v->sport, v->dst,
	    v->dport);
	if (!first || incident_find(m, key)->key == key) {
		incident_frame(m, key, ts, frame, caplen, len);
		return;
	}
	m->violations++;
	turned = opener_view(m, mi, v, frame, caplen, &k, why, sizeof(why));
	zs = turned ? v->to_zone : v->from_zone;
	zd = turned ? v->from_zone : v->to_zone;
	addr_format_ip(k.family, k.src, s, sizeof(s));
	addr_format_ip(k.family, k.dst, d, sizeof(d));
	if (mi->lt_out == DLT_EN10MB && caplen >= 6)
		mac_format(frame, mac, sizeof(mac));	/* the receiver */
	snprintf(fields, sizeof(fields), "iface=%s from=%s to=%s proto=%s "
	    "src=%s sport=%u dst=%s dport=%u mac=%s seen=%s reason=%s "
	    "explain=%s", mi->name, zname(p, zs), zname(p, zd),
	    policy_proto_str(k.proto, false), s, k.sport, d, k.dport, mac,
	    turned ? "reply" : "opener", audit_reason_str(v->reason), lq(why));
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:i, s:s, s:s, "
	    "s:s, s:s}", "iface", mi->name, "from", zname(p, zs), "to",
	    zname(p, zd), "proto", policy_proto_str(k.proto, false), "src", s,
	    "sport", k.sport, "dst", d, "dport", k.dport, "mac", mac, "seen",
	    turned ? "reply" : "opener", "reason", audit_reason_str(v->reason),
	    "explain", why);
	uint64_t al = alerts_raise(m->al, "crossing-violation", fields, j,
	    ts, mi->lt_out);
	alerts_frame(m->al, al, ts, frame, caplen, len);
	incident_open(m, key, al);
}

static bool
is_own(const struct monitor *m, int family, const uint8_t a[16])
{
	for (size_t i = 0; i < m->nown; i++)
		if (m->own[i][0] == family && memcmp(m->own[i] + 1, a,
		    family == ADDR_V4 ? 4 : 16) == 0)
			return true;
	return false;
}

static void
out_frame(u_char *user, const struct pcap_pkthdr *ph, const u_char *data)
{
	struct mon_if *mi = (struct mon_if *)user;
	struct pkt_info pi;

	mi->frames_out++;
	/* the appliance's own frames are no crossings */
	if (pkt_parse(data, ph->caplen, mi->lt_out == DLT_RAW ? PKT_LINK_RAW :
	    mi->lt_out, &pi) != PKT_NOT_IP && pi.family != 0 &&
	    is_own(mi->m, pi.family, pi.src)) {
		mi->own++;
		return;
	}
	audit_stream_frame(mi->as, ph, data);
}

/* ---------------------------------------------------------------------
 * Inbound: MAC pins (My Number), behaviour (Internet)
 */

static bool
mac_recent(struct monitor *m, const struct pkt_info *pi, time_t now)
{
	struct mac_seen *oldest = &m->macs[0];

	for (size_t i = 0; i < 64; i++) {
		struct mac_seen *s = &m->macs[i];
		if (s->family == pi->family && memcmp(s->addr, pi->src, 16) ==
		    0 && memcmp(s->mac, pi->src_mac, 6) == 0) {
			if (now - s->when < MAC_REALERT_S)
				return true;
			s->when = now;
			return false;
		}
		if (s->when < oldest->when)
			oldest = s;
	}
	oldest->family = pi->family;
	memcpy(oldest->addr, pi->src, 16);
	memcpy(oldest->mac, pi->src_mac, 6);
	oldest->when = now;
	return false;
}

static void
check_pins(struct mon_if *mi, const struct pcap_pkthdr *ph, const u_char *data,
    const struct pkt_info *pi)
{
	struct monitor *m = mi->m;
	const struct pin *by_addr = NULL, *by_mac = NULL;
	char a[64], seen[MAC_STRLEN], want[MAC_STRLEN], fields[512];
	static const uint8_t zero[16];
	json_t *j;

	if (!pi->has_mac || pi->family == 0 ||
	    memcmp(pi->src, zero, pi->family == ADDR_V4 ? 4 : 16) == 0)
		return;
	for (size_t i = 0; i < m->npins; i++) {
		const struct pin *pn = &m->pins[i];
		if (pn->family == pi->family && memcmp(pn->addr, pi->src, 16) ==
		    0)
			by_addr = pn;
		if (memcmp(pn->mac, pi->src_mac, 6) == 0)
			by_mac = pn;
	}
	if (by_addr && memcmp(by_addr->mac, pi->src_mac, 6) == 0)
		return;		/* as pinned */
	if (by_addr == NULL && (by_mac == NULL || (pi->family == ADDR_V6 &&
	    pi->src[0] == 0xfe && (pi->src[1] & 0xc0) == 0x80)))
		return;		/* neither pinned (or the MAC's link-local) */
	if (mac_recent(m, pi, ph->ts.tv_sec))
		return;
	addr_format_ip(pi->family, pi->src, a, sizeof(a));
	mac_format(pi->src_mac, seen, sizeof(seen));
	if (by_addr) {
		mac_format(by_addr->mac, want, sizeof(want));
		snprintf(fields, sizeof(fields), "iface=%s host=%s src=%s "
		    "mac=%s pinned-mac=%s", mi->name, lq(by_addr->host), a,
		    seen, want);
	} else {
		addr_format_ip(by_mac->family, by_mac->addr, want,
		    sizeof(want));
		snprintf(fields, sizeof(fields), "iface=%s host=%s src=%s "
		    "mac=%s pinned-address=%s", mi->name, lq(by_mac->host), a,
		    seen, want);
	}
	j = json_pack("{s:s, s:s, s:s, s:s}", "iface", mi->name, "host",
	    by_addr ? by_addr->host : by_mac->host, "src", a, "mac", seen);
	uint64_t al = alerts_raise(m->al, "mac-mismatch", fields, j,
	    &ph->ts, mi->lt_in);
	alerts_frame(m->al, al, &ph->ts, data, ph->caplen, ph->len);
}

static bool
is_reply(struct monitor *m, const struct flowtab_key *fk)
{
	bool reply = false;

	return flowtab_find(m->ft, fk, now_ms(), &reply) >= 0 && reply;
}

/*
 * The opener of a connection left through this interface before its reply
 * could come in, but the two directions are two captures, read in no set
 * order: before an inbound frame is judged no reply, what the outbound
 * capture already holds is read into the flow table.  False when there
 * was nothing to read.
 */
static bool
drain_out(struct mon_if *mi)
{
	int n;

	if (mi->out == NULL || mi->draining)
		return false;
	mi->draining = true;
	n = pcap_dispatch(mi->out, DISPATCH, out_frame, (u_char *)mi);
	if (n > 0)
		audit_stream_flush(mi->as);
	mi->draining = false;
	return n > 0;	/* an error is met again by the main loop */
}

static void
behaviour(struct mon_if *mi, const struct pcap_pkthdr *ph, const u_char *data,
    const struct pkt_info *pi)
{
	struct monitor *m = mi->m;
	struct classify_pkt k;
	struct classify_verdict v;
	struct detect_pkt dp;
	struct detect_event ev[4];
	struct flowtab_key fk;
	int n, zd;
	uint64_t key;

	if (m->det == NULL || pi->family == 0)
		return;
	/* a frame of a connection under a violation alert belongs to it */
	if (pi->has_ports || pi->has_icmp) {
		uint64_t ck = pi->has_ports ? conn_key(pi->proto, pi->src,
		    pi->sport, pi->dst, pi->dport) : conn_key(pi->proto,
		    pi->src, pi->icmp_id, pi->dst, pi->icmp_id);
		if (incident_find(m, ck)->key == ck) {
			incident_frame(m, ck, &ph->ts, data, ph->caplen,
			    ph->len);
			return;
		}
	}
	memset(&k, 0, sizeof(k));
	k.family = pi->family;
	k.proto = pi->proto;
	k.in_zone = (int16_t)mi->zone;
	k.out_zone = -1;
	memcpy(k.src, pi->src, 16);
	memcpy(k.dst, pi->dst, 16);
	k.sport = pi->has_ports ? pi->sport : pi->icmp_id;
	k.dport = pi->has_ports ? pi->dport : pi->icmp_type;
	classify_one(m->c, &k, &v);
	memset(&dp, 0, sizeof(dp));
	dp.permitted = v.reason == CLASSIFY_PERMIT;
	if (!dp.permitted) {	/* a reply to a connection seen leaving */
		memset(&fk, 0, sizeof(fk));
		fk.family = k.family;
		fk.proto = k.proto;
		fk.sport = k.sport;
		fk.dport = k.dport;
		memcpy(fk.src, k.src, 16);
		memcpy(fk.dst, k.dst, 16);
		dp.permitted = !pkt_is_opener(pi) && (is_reply(m, &fk) ||
		    (drain_out(mi) && is_reply(m, &fk)));
	}
	zd = classify_zone_of(m->c, pi->family, pi->dst);
	dp.family = pi->family;
	dp.proto = pi->proto;
	memcpy(dp.src, pi->src, 16);
	memcpy(dp.dst, pi->dst, 16);
	dp.dport = pi->has_ports ? pi->dport : 0;
	dp.to_local = zd >= 0 && (m->p->zones[zd].kind == ZONE_LGWAN ||
	    m->p->zones[zd].kind == ZONE_MYNUMBER);
	key = mix(mix(0x84222325cbf29ce4ULL, pi->src, 16), "src", 3);
	n = detect_packet(m->det, &dp, (uint64_t)ph->ts.tv_sec * 1000 +
	    (uint64_t)ph->ts.tv_usec / 1000, ev, 4);
	for (int i = 0; i < n; i++) {
		char s[64], d[64], fields[512];
		json_t *j;
		addr_format_ip(ev[i].family, ev[i].src, s, sizeof(s));
		addr_format_ip(ev[i].family, ev[i].dst, d, sizeof(d));
		snprintf(fields, sizeof(fields), "iface=%s src=%s target=%s "
		    "count=%u window_ms=%u", mi->name, s, d, ev[i].count,
		    ev[i].window_ms);
		j = json_pack("{s:s, s:s, s:s, s:i, s:i}", "iface", mi->name,
		    "src", s, "target", d, "count", ev[i].count, "window_ms",
		    ev[i].window_ms);
		uint64_t al = alerts_raise(m->al,
		    detect_kind_str(ev[i].kind), fields, j, &ph->ts, mi->lt_in);
		incident_open(m, key, al);
	}
	incident_frame(m, key, &ph->ts, data, ph->caplen, ph->len);
}

static void
in_frame(u_char *user, const struct pcap_pkthdr *ph, const u_char *data)
{
	struct mon_if *mi = (struct mon_if *)user;
	struct pkt_info pi;

	mi->frames_in++;
	if (pkt_parse(data, ph->caplen, mi->lt_in == DLT_RAW ? PKT_LINK_RAW :
	    mi->lt_in, &pi) == PKT_UNSUPPORTED_LINK)
		return;
	if (mi->kind == ZONE_MYNUMBER)
		check_pins(mi, ph, data, &pi);
	else if (mi->kind == ZONE_INTERNET && pi.family != 0 &&
	    !is_own(mi->m, pi.family, pi.src))
		behaviour(mi, ph, data, &pi);
}

/* ---------------------------------------------------------------------
 * Handles
 */

static pcap_t *
open_handle(const char *ifname, pcap_direction_t dir, uint32_t snaplen,
    int *lt, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_create(ifname, ebuf);
	int rc;

	if (p == NULL) {
		snprintf(err, errlen, "%s: %s", ifname, ebuf);
		return NULL;
	}
	pcap_set_snaplen(p, (int)snaplen);
	pcap_set_promisc(p, 0);
	pcap_set_immediate_mode(p, 1);
	pcap_set_buffer_size(p, RING_BYTES);
	if ((rc = pcap_activate(p)) < 0) {
		snprintf(err, errlen, "%s: %s", ifname, pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	if (pcap_setdirection(p, dir) < 0 || pcap_setnonblock(p, 1, ebuf) < 0) {
		snprintf(err, errlen, "%s: %s", ifname, pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	*lt = pcap_datalink(p);
	return p;
}

static void
close_if(struct monitor *m, struct mon_if *mi)
{
	(void)m;
	event_del(mi->ev_out);
	event_del(mi->ev_in);
	if (mi->out)
		pcap_close(mi->out);
	if (mi->in)
		pcap_close(mi->in);
	audit_stream_free(mi->as);
	mi->out = mi->in = NULL;
	mi->ev_out = mi->ev_in = NULL;
	mi->as = NULL;
}

static int
stream_if(struct monitor *m, struct mon_if *mi)
{
	struct audit_stream_opts o = {
		.linktype = mi->lt_out,
		.snaplen = m->snaplen,
		.ft = m->ft,
		.on_violation = on_violation,
		.arg = mi,
	};
	char err[256];

	audit_stream_free(mi->as);
	if ((mi->as = audit_stream_new(m->p, m->c, &o, err, sizeof(err))) ==
	    NULL) {
		log_warnx("monitor %s: %s", mi->name, err);
		return -1;
	}
	return 0;
}

static void
open_if(struct monitor *m, struct mon_if *mi)
{
	char err[PCAP_ERRBUF_SIZE + 64];

	if (mi->out != NULL || if_nametoindex(mi->name) == 0)
		return;
	if ((mi->out = open_handle(mi->name, PCAP_D_OUT, m->snaplen,
	    &mi->lt_out, err, sizeof(err))) == NULL) {
		log_warnx("monitor: %s", err);
		return;
	}
	if ((mi->kind == ZONE_MYNUMBER || mi->kind == ZONE_INTERNET) &&
	    (mi->in = open_handle(mi->name, PCAP_D_IN, m->snaplen, &mi->lt_in,
	    err, sizeof(err))) == NULL)
		log_warnx("monitor: %s", err);
	if (stream_if(m, mi) < 0 ||
	    (mi->ev_out = event_add(pcap_get_selectable_fd(mi->out), EVENT_READ,
	    out_ready, mi)) == NULL ||
	    (mi->in && (mi->ev_in = event_add(pcap_get_selectable_fd(mi->in),
	    EVENT_READ, in_ready, mi)) == NULL)) {
		log_warn("monitor %s", mi->name);
		close_if(m, mi);
		return;
	}
	log_event(LOG_INFO, "monitor-attached", "iface=%s zone=%s", mi->name,
	    m->p->zones[mi->zone].name);
}

static void
own_addresses(struct monitor *m)
{
	struct ifaddrs *ifa, *i;
	size_t n = 0;

	if (getifaddrs(&ifa) < 0)
		return;
	for (i = ifa; i; i = i->ifa_next)
		n++;
	free(m->own);
	m->nown = 0;
	if ((m->own = calloc(n + 1, sizeof(*m->own))) == NULL) {
		freeifaddrs(ifa);
		return;
	}
	for (i = ifa; i; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			m->own[m->nown][0] = ADDR_V4;
			memcpy(m->own[m->nown++] + 1, &((struct sockaddr_in *)
			    i->ifa_addr)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			m->own[m->nown][0] = ADDR_V6;
			memcpy(m->own[m->nown++] + 1, &((struct sockaddr_in6 *)
			    i->ifa_addr)->sin6_addr, 16);
		}
	}
	freeifaddrs(ifa);
}

static void
make_pins(struct monitor *m)
{
	const struct policy *p = m->p;

	free(m->pins);
	m->npins = 0;
	if ((m->pins = calloc(p->nhosts + 1, sizeof(*m->pins))) == NULL)
		return;
	for (size_t i = 0; i < p->nhosts; i++) {
		const struct host *h = &p->hosts[i];
		if (!policy_host_pinned(p, h))
			continue;
		m->pins[m->npins].family = h->addrs[0].pfx.family;
		memcpy(m->pins[m->npins].addr, h->addrs[0].pfx.a, 16);
		memcpy(m->pins[m->npins].mac, h->mac, 6);
		m->pins[m->npins++].host = h->name;
	}
}

static int
make_tables(struct monitor *m, char *err, size_t errlen)
{
	const struct policy_monitor *mo = &m->p->monitor;
	struct detect_conf dc = {
		.scan_ports = (uint32_t)mo->scan_ports,
		.scan_hosts = (uint32_t)mo->scan_hosts,
		.window_ms = (uint32_t)mo->scan_window * 1000,
		.flood_pps = (uint32_t)mo->flood_pps,
		.max_sources = 1024,
	};

	flowtab_free(m->ft);
	detect_free(m->det);
	m->det = NULL;
	if ((m->ft = flowtab_new((uint32_t)mo->flow_table, FLOW_TIMEOUT_MS,
	    err, errlen)) == NULL)
		return -1;
	if ((m->det = detect_new(&dc, err, errlen)) == NULL)
		return -1;
	return 0;
}

struct monitor *
monitor_open(const struct policy *p, const struct classify *c,
    struct alerts *al, char *err, size_t errlen)
{
	struct monitor *m;
	size_t n = 0;

	if (p == NULL || !p->monitor.enabled)
		return NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->p = p;
	m->c = c;
	m->al = al;
	m->snaplen = (uint32_t)p->monitor.snaplen;
	for (size_t i = 0; i < p->nzones; i++)
		n += p->zones[i].nifaces;
	if ((m->ifs = calloc(n + 1, sizeof(*m->ifs))) == NULL ||
	    make_tables(m, err, errlen) < 0) {
		monitor_close(m);
		return NULL;
	}
	if ((m->timer = event_timer(CLOCK_MONOTONIC, on_timer, m)) == NULL ||
	    event_timer_arm(m->timer, 1000, 1000) < 0) {
		snprintf(err, errlen, "monitor timer: %s", strerror(errno));
		monitor_close(m);
		return NULL;
	}
	for (size_t i = 0; i < p->nzones; i++)
		for (size_t j = 0; j < p->zones[i].nifaces; j++) {
			struct mon_if *mi = &m->ifs[m->nifs++];
			snprintf(mi->name, sizeof(mi->name), "%s",
			    p->zones[i].ifaces[j]);
			mi->zone = (int)i;
			mi->kind = p->zones[i].kind;
			mi->m = m;
		}
	own_addresses(m);
	make_pins(m);
	for (size_t i = 0; i < m->nifs; i++)
		open_if(m, &m->ifs[i]);
	return m;
}

void
monitor_close(struct monitor *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nifs; i++)
		close_if(m, &m->ifs[i]);
	flowtab_free(m->ft);
	detect_free(m->det);
	event_del(m->timer);
	free(m->ifs);
	free(m->pins);
	free(m->own);
	free(m);
}

/* A new policy (same interfaces): judges, tables and pins anew. */
void
monitor_policy(struct monitor *m, const struct policy *p,
    const struct classify *c)
{
	char err[256];

	if (m == NULL || p == NULL || c == NULL)
		return;
	for (size_t i = 0; i < m->nifs; i++)
		if (m->ifs[i].as)
			audit_stream_flush(m->ifs[i].as);
	m->p = p;
	m->c = c;
	memset(m->inc, 0, sizeof(m->inc));
	if (make_tables(m, err, sizeof(err)) < 0)
		log_warnx("monitor: %s", err);
	make_pins(m);
	for (size_t i = 0; i < m->nifs; i++)
		if (m->ifs[i].out)
			stream_if(m, &m->ifs[i]);
}

/* Links changed: open what appeared; our addresses may have changed. */
void
monitor_links(struct monitor *m)
{
	if (m == NULL)
		return;
	own_addresses(m);
	for (size_t i = 0; i < m->nifs; i++)
		open_if(m, &m->ifs[i]);
}

/* Frames that left through an interface, a batch at a time. */
static void
out_ready(int fd, uint32_t what, void *arg)
{
	struct mon_if *mi = arg;

	(void)fd;
	(void)what;
	if (pcap_dispatch(mi->out, DISPATCH, out_frame, (u_char *)mi) ==
	    PCAP_ERROR) {
		log_warnx("monitor %s: %s; detached", mi->name,
		    pcap_geterr(mi->out));
		close_if(mi->m, mi);
		return;
	}
	audit_stream_flush(mi->as);
}

/* Frames that came in through an interface. */
static void
in_ready(int fd, uint32_t what, void *arg)
{
	struct mon_if *mi = arg;

	(void)fd;
	(void)what;
	if (pcap_dispatch(mi->in, DISPATCH, in_frame, (u_char *)mi) ==
	    PCAP_ERROR) {
		log_warnx("monitor %s: %s; detached", mi->name,
		    pcap_geterr(mi->in));
		close_if(mi->m, mi);
	}
}

static void
on_timer(int fd, uint32_t what, void *arg)
{
	struct monitor *m = arg;

	(void)fd;
	(void)what;
	flowtab_expire(m->ft, now_ms(), 64);
}

json_t *
monitor_json(const struct monitor *m)
{
	json_t *ifs, *o;
	struct flowtab_stats fs;
	struct alerts_stats as;
	uint32_t sources = 0;
	uint64_t evictions = 0;

	if (m == NULL)
		return json_null();
	ifs = json_array();
	for (size_t i = 0; i < m->nifs; i++) {
		const struct mon_if *mi = &m->ifs[i];
		struct pcap_stat ps = { 0 }, ps2 = { 0 };
		const struct audit_result *r = mi->as ?
		    audit_stream_result(mi->as) : NULL;
		if (mi->out)
			pcap_stats(mi->out, &ps);
		if (mi->in)
			pcap_stats(mi->in, &ps2);
		json_array_append_new(ifs, json_pack("{s:s, s:s, s:b, s:I, "
		    "s:I, s:I, s:I, s:I, s:I, s:I}", "name", mi->name, "zone",
		    m->p->zones[mi->zone].name, "attached", mi->out != NULL,
		    "frames_out", (json_int_t)mi->frames_out,
		    "frames_in", (json_int_t)mi->frames_in,
		    "own", (json_int_t)mi->own,
		    "crossings", (json_int_t)(r ? r->crossings : 0),
		    "violating", (json_int_t)(r ? r->violating : 0),
		    "kernel_drops", (json_int_t)(ps.ps_drop + ps2.ps_drop),
		    "interface_drops", (json_int_t)(ps.ps_ifdrop +
		    ps2.ps_ifdrop)));
	}
	flowtab_stats(m->ft, &fs);
	alerts_stats(m->al, &as);
	if (m->det)
		detect_stats(m->det, &sources, &evictions);
	o = json_pack("{s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I}, "
	    "s:{s:I, s:I, s:I, s:I, s:I, s:I}}", "interfaces", ifs,
	    "flow_table", "entries", (json_int_t)fs.entries, "capacity",
	    (json_int_t)fs.capacity, "inserts", (json_int_t)fs.inserts,
	    "evictions", (json_int_t)fs.evictions, "expirations",
	    (json_int_t)fs.expirations, "bytes", (json_int_t)fs.bytes,
	    "detect", "sources", (json_int_t)sources, "evictions",
	    (json_int_t)evictions,
	    "alerts", "raised", (json_int_t)as.raised, "open",
	    (json_int_t)as.open, "evidence_files",
	    (json_int_t)as.evidence_files, "evidence_bytes",
	    (json_int_t)as.evidence_bytes, "removed", (json_int_t)as.removed,
	    "evidence_failed", (json_int_t)as.evidence_failed);
	return o;
}

size_t
monitor_detached(const struct monitor *m, char *buf, size_t len)
{
	size_t n = 0, off = 0;

	if (len > 0)
		buf[0] = '\0';
	for (size_t i = 0; m != NULL && i < m->nifs; i++) {
		if (m->ifs[i].out != NULL)
			continue;
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    n ? ", " : "", m->ifs[i].name);
		n++;
	}
	return n;
}
