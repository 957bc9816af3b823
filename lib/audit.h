/*
 * audit — audit a capture file (pcap or pcapng, through libpcap) against a
 * compiled policy classifier: every frame that crossed between zones must
 * belong to a permitted flow or be a reply to one (DESIGN §6, "Offline
 * audit" and "Monitor details").  Used by `zoned --audit` and `zonectl
 * audit`.
 *
 * What a frame is:
 *  - every record of the file counts in frames;
 *  - a frame whose IP header parses counts in ip_frames; one that is IP but
 *    cannot be parsed that far (bad version, three VLAN tags, cut inside
 *    the IP header) counts in unparsed and is no crossing (it has no
 *    addresses); ARP, LLDP and other non-IP frames count only in frames;
 *  - a crossing is an IP frame whose two addresses lie in different zones
 *    (classify_zone_of).  An address in no zone: when the other address is
 *    in a zone, the frame is a crossing and a violation with reason
 *    "no-zone" (no flow can permit it); when neither is, it is no crossing.
 *    Frames that no router forwards are never crossings, whatever zones
 *    their addresses fall in ("local" frames): an IPv4 source 0.0.0.0 or
 *    destination 255.255.255.255 or 224.0.0.0/24, either address in
 *    169.254.0.0/16; an IPv6 source ::, destination ff01::/16 or ff02::/16,
 *    either address in fe80::/10.
 *
 * When a crossing passes (the first rule that applies decides):
 *  1. the classifier permits its own tuple (counted in permitted);
 *  2. it is a reply: the classifier said "no-flow" for its own tuple, its
 *     reversed tuple is permitted, and it is not a connection opener: a TCP
 *     SYN without ACK is never a reply.  For ICMP only the reply types
 *     have a reversed tuple: echo reply 0 -> echo request 8, timestamp
 *     reply 14 -> 13, information reply 16 -> 15, address mask reply
 *     18 -> 17; ICMPv6 echo reply 129 -> 128; any other ICMP type (a
 *     request, a redirect, router advertisements, ...) must be permitted
 *     as it is.  A verdict of mac-mismatch or no-zone is never rescued by
 *     the reversed tuple.  (Counted in replies.)
 *  3. an ICMP error (ICMP 3, 4, 5, 11, 12; ICMPv6 1-4) whose quoted packet
 *     (inner IP header and the first bytes of its L4 header, read within
 *     caplen) was sent by the error's destination and belongs to a
 *     permitted flow, either as it is or reversed (the reversal under the
 *     rules of 2).  (Counted in replies.)
 *  4. a non-first fragment takes the verdict of the first fragment of the
 *     same datagram — (family, source, destination, protocol, IP id) for
 *     IPv4, (source, destination, fragment id) for IPv6 — seen earlier in
 *     the file and at most 30 seconds before it (the kernel's reassembly
 *     time).  Violating fragments count in the flow of their first
 *     fragment.  A later fragment whose first fragment was not seen is a
 *     violation of its own ("fragment-orphan", ports unknown).
 * A crossing whose headers after IP cannot be parsed (cut by the snap
 * length, or malformed) is a violation with reason "unparsed".
 *
 * With opts.zone >= 0 the capture was taken on that zone's interface:
 * frames whose source address lies in the zone are that interface's
 * ingress, so the classifier gets their source MAC (has_mac) and a pinned
 * My Number host seen with another MAC is a "mac-mismatch" violation.
 * Without it, zones come from addresses alone and MACs are not checked.
 *
 * Violations are aggregated per flow: frames with the same family,
 * protocol, addresses and ports (ICMP: sport = the echo id, dport = the
 * type) make one audit_violation; its reason and explanation are those of
 * its first frame.  At most max_violations flows are listed; further
 * violating frames of unlisted flows are still counted (violating) and
 * truncated_list is set.
 *
 * Text output (audit_print), one line per violating flow in order of first
 * frame, then the summary:
 *
 *   frames F1-F2 T1..T2 count N bytes B PROTO SRC -> DST ZFROM -> ZTO: REASON: EXPLAIN
 *   N frames, M crossings, K violations (V frames)
 *
 * F1/F2 the 1-based numbers of the first and last frame, T1/T2 their times
 * in local time as 2026-11-21T10:00:01.000123+09:00 (always six decimals
 * and a ±hh:mm offset), B the bytes on the wire (original lengths).  SRC
 * and DST are 10.0.0.1:80 or [2001:db8::1]:80 for TCP, UDP and SCTP, bare
 * addresses otherwise; ICMP adds " type T id I" after DST.  PROTO is tcp,
 * udp, sctp, icmp, icmpv6 or the protocol number.  A zone in none prints
 * as "-".  K is the number of listed violating flows, V the number of
 * violating frames.  The summary goes on, after the fixed part, with
 * ", list truncated at K flows" and ", U frames not parsed" when they
 * apply.
 *
 * JSON (audit_json): {"file", "linktype", "frames", "ip_frames",
 * "crossings", "permitted", "replies", "local", "unparsed",
 * "violating_frames", "violations": [{"first_frame", "last_frame",
 * "first_time", "last_time", "frames", "bytes", "proto", "src", "sport",
 * "dst", "dport", "from_zone", "to_zone", "reason", "explain"}, ...],
 * "truncated"}.  proto is the name as in the text; sport/dport are null
 * when unknown (fragment-orphan, unparsed, protocols without ports); zones
 * are names or null.
 *
 * Speed: no allocation per frame.  Frames are parsed as they are read and
 * classified 64 at a time (classify_batch).  In front of that, a verdict
 * cache remembers the outcome of the whole frames (not fragments, not ICMP
 * errors) of recent flows that passed or did not cross — keyed by
 * addresses, protocol, ports or ICMP type and id and, with a capture zone,
 * the source MAC (IPv4 without a MAC: 4096 keys in 64 KiB, one cache line a
 * lookup; others: 1024 sets of 4) — so that the next frames of a flow are
 * counted without the classifier.  Whether a frame opens a connection is
 * not in the key: a SYN passes on a cached "permitted" but never on a
 * cached "reply".  The cache learns both directions of a connection at its
 * first frame (the reversed tuple of a permitted one is classified with
 * it), and frames of a key whose first frame waits in the batch share its
 * verdicts; violating frames always take the full path.  The common frame
 * (Ethernet, IPv4, TCP or UDP) is read without pkt_parse() when there is
 * no capture zone (pkt_fast4).  The violation list and its hash table
 * grow only when a new violating flow appears; the fragment table is
 * allocated once, at the first fragment of a crossing.  The capture is
 * read through a FILE of our own with stdio locking off (libpcap calls
 * fread() twice a record) and a 256 KiB buffer, and libpcap's record
 * buffer is kept off page ends (audit_cap_open).
 */
#ifndef ZONED_AUDIT_H
#define ZONED_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

#include <jansson.h>

#include "classify.h"
#include "policy.h"

/* Reasons of the audit's own, after enum classify_reason. */
enum audit_reason {
	AUDIT_REASON_FRAG_ORPHAN = 16,	/* later fragment, first not seen */
	AUDIT_REASON_UNPARSED,		/* L4 header cut or malformed */
	AUDIT_REASON_ICMP_ERROR,	/* quoted packet of no permitted flow */
};

#define AUDIT_DEFAULT_MAX_VIOLATIONS 100000

struct audit_opts {
	int zone;		/* -1, or the zone on whose side the capture
				 * was taken */
	size_t max_violations;	/* listed flows; 0 = the default */
	bool no_cache;		/* classify every frame (tests, benchmarks) */
};

/* How the ports of a violation are to be read. */
enum audit_l4 {
	AUDIT_L4_NONE = 0,	/* no ports (other protocols, unknown) */
	AUDIT_L4_PORTS,		/* sport, dport */
	AUDIT_L4_ICMP,		/* sport = echo id (else 0), dport = type */
};

struct audit_violation {
	uint64_t first_frame, last_frame;	/* 1-based */
	struct timeval first_ts, last_ts;
	uint64_t frames, bytes;
	uint8_t family, proto;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t l4;		/* enum audit_l4 */
	int16_t from_zone, to_zone;	/* -1: no zone */
	uint8_t reason;		/* enum classify_reason or audit_reason */
	char explain[256];
};

struct audit_result {
	char *file;		/* the path audited */
	int linktype;		/* pcap_datalink() of the file */
	uint64_t frames;	/* every record */
	uint64_t ip_frames;	/* with an IP header */
	uint64_t unparsed;	/* IP or unknown, header not parsable */
	uint64_t local;		/* link-scope frames between zones */
	uint64_t crossings;	/* = permitted + replies + violating */
	uint64_t permitted, replies, violating;
	struct audit_violation *v;	/* in order of first frame */
	size_t nv;
	bool truncated_list;
};

/*
 * Audit the capture at path with classifier c (compiled from p).  0 when
 * the whole file was read.  -1 when it cannot be opened, has a link type
 * the parser does not know, or is truncated or corrupt: err says so with
 * the path and, for a bad record, its frame number ("cap.pcap: frame 17:
 * truncated record (...)"); r then holds what was counted before.  Always
 * call audit_result_free() on r afterwards.
 */
int audit_file(const char *path, const struct policy *p,
    const struct classify *c, const struct audit_opts *o,
    struct audit_result *r, char *err, size_t errlen);
void audit_result_free(struct audit_result *r);

/*
 * A capture opened the way audit_file() reads it (a FILE of its own, stdio
 * locking off, a 256 KiB buffer, libpcap's record buffer off a page end:
 * see audit_read.c), and its first record already read: rc, ph and data
 * are what pcap_next_ex() gave for it.  The benchmark's bare read loop
 * opens its captures here too, so that both read alike.  -1 when it cannot
 * be opened: ebuf (PCAP_ERRBUF_SIZE) says why, or is empty and errno does.
 */
struct pcap;
struct pcap_pkthdr;

struct audit_cap {
	struct pcap *h;
	int rc;
	struct pcap_pkthdr *ph;
	const uint8_t *data;
	void *iobuf;
};

int audit_cap_open(struct audit_cap *cap, const char *path, char *ebuf);
void audit_cap_close(struct audit_cap *cap);

/*
 * Streams: the same judge, fed frame by frame (the live monitor).  Frames
 * are judged 64 at a time: audit_stream_flush() judges what is pending.
 * For every violating frame, on_violation gets its flow (the aggregate, or
 * the frame alone once max_violations flows are listed), whether the frame
 * opened that flow, and the frame's first snaplen bytes.  With a flow table
 * (ft), connections that passed are recorded in it and their later frames
 * and replies pass without the classifier; otherwise the verdict cache is
 * used, as for files.
 */
struct flowtab;

typedef void (*audit_violation_fn)(void *arg, const struct audit_violation *v,
    bool first, const uint8_t *frame, uint32_t caplen,
    const struct timeval *ts, uint32_t len);

struct audit_stream_opts {
	int linktype;		/* pcap_datalink() of the frames */
	uint32_t snaplen;	/* bytes of a violating frame to hand over */
	size_t max_violations;	/* flows listed; 0 = 4096 */
	struct flowtab *ft;	/* NULL: the verdict cache */
	audit_violation_fn on_violation;
	void *arg;
};

struct audit_stream;

struct audit_stream *audit_stream_new(const struct policy *p,
    const struct classify *c, const struct audit_stream_opts *o, char *err,
    size_t errlen);
void audit_stream_frame(struct audit_stream *st,
    const struct pcap_pkthdr *ph, const uint8_t *data);
void audit_stream_flush(struct audit_stream *st);
/* The counters so far (frames, crossings, permitted, replies, ...). */
const struct audit_result *audit_stream_result(const struct audit_stream *st);
void audit_stream_free(struct audit_stream *st);

/* "no-flow", "mac-mismatch", "fragment-orphan", ... */
const char *audit_reason_str(uint8_t reason);

/* The text and JSON forms described above.  p is the policy of the
 * classifier (zone names). */
void audit_print(const struct audit_result *r, const struct policy *p,
    FILE *fp);
json_t *audit_json(const struct audit_result *r, const struct policy *p);

/*
 * The command line of `zoned --audit` and `zonectl audit`: load and lint
 * policy_file (errors are reported on errf; the audit goes on with the
 * flows that loaded), compile it, audit capture (zone: a zone name or
 * NULL), print the result on out as text or JSON.  Returns the exit code:
 * 0 no violation, 1 violations, 2 trouble (the reason on errf).
 */
int audit_run(const char *capture, const char *policy_file, const char *zone,
    bool json, time_t now, FILE *out, FILE *errf);

/* One violation line without the newline (for logs and tests). */
void audit_format_violation(const struct audit_violation *v,
    const struct policy *p, char *buf, size_t len);

#endif
