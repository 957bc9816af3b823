/*
 * detect — behaviour detection on Internet-zone ingress: port scans,
 * address scans, Internet sources probing LGWAN or My Number addresses, and
 * floods, per source address.
 *
 * Rules (W = window_ms; "within W" means seen less than W ms ago):
 *   port-scan     >= scan_ports distinct destination ports of one
 *                 destination host from one source within W;
 *   address-scan  >= scan_hosts distinct destination hosts from one source
 *                 within W;
 *   lgwan-probe   a frame to an LGWAN or My Number address (to_local) that
 *                 is not permitted;
 *   flood         >= flood_pps frames from one source in one second (counted
 *                 in one-second intervals: the first starts at the source's
 *                 first frame, each next one at its first frame after the
 *                 previous interval ended).
 * Permitted frames count towards floods only.  A threshold of 0 turns its
 * rule off.  Counting is exact: distinct values are kept (at most a
 * threshold's worth), not estimated.
 *
 * Hysteresis — one attack, one alert: after an event of a kind for a source
 * there is no further event of that kind for that source until its count
 * has stayed below the threshold for a full W (for a probe: until W has
 * passed without a probe); then the rule re-arms.  A scan's count falls below
 * the threshold once enough of its values are older than W, so a scan that
 * stops re-arms between W and 2W after its last frame; a flood's count falls
 * at the end of its one-second interval.
 *
 * Fixed memory: max_sources records, each with room for scan_hosts hosts
 * (DETECT_HOSTS_WHEN_OFF when the address-scan rule is off) and scan_ports
 * (protocol, port) pairs for each of them — enough for every count to be
 * exact however a source spreads its frames — all allocated by detect_new()
 * (see detect_mem_for()); nothing is allocated per frame.  A host keeps its
 * scan_ports newest pairs, the hosts are the scan_hosts most recently seen.
 * Each frame costs a few hash lookups (SipHash under a random key, so a
 * sender cannot aim collisions) and amortised O(1) list upkeep, whatever
 * the thresholds.  When all records are in use the least recently seen
 * source is dropped: counted as an eviction if it still had state that
 * mattered (anything within the window, a rule not yet re-armed),
 * silently reused otherwise.  Distinct ports are distinct (protocol, port):
 * TCP 53 and UDP 53 are two; frames without ports count as port 0 of their
 * protocol, so a protocol sweep is a port scan too.
 */
#ifndef ZONED_DETECT_H
#define ZONED_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DETECT_MAX_HOSTS	(1U << 24)	/* scan_hosts at most */
#define DETECT_HOSTS_WHEN_OFF	16	/* hosts whose ports are counted
						 * when scan_hosts is 0 */
#define DETECT_MAX_BYTES	((size_t)1 << 30)	/* refused above */

struct detect;

struct detect_conf {
	uint32_t scan_ports;	/* distinct destination ports of one
				 * destination host from one source within
				 * window -> port scan (0: off; <= 65535) */
	uint32_t scan_hosts;	/* distinct destination hosts from one source
				 * within window -> address scan (0: off) */
	uint32_t window_ms;	/* >= 1 */
	uint32_t flood_pps;	/* frames per second from one source -> flood
				 * (0: off) */
	uint32_t max_sources;	/* sources tracked (>= 1) */
};

enum detect_kind {
	DETECT_PORT_SCAN = 1,
	DETECT_ADDR_SCAN,
	DETECT_LGWAN_PROBE,
	DETECT_FLOOD,
};

struct detect_pkt {
	uint8_t family;		/* ADDR_V4 or ADDR_V6 */
	uint8_t proto;
	uint8_t src[16];	/* IPv4 in the first four bytes */
	uint8_t dst[16];
	uint16_t dport;		/* 0 when the protocol has none */
	bool permitted;		/* a permitted flow or a reply to one */
	bool to_local;		/* dst lies in an LGWAN or My Number zone */
};

struct detect_event {
	enum detect_kind kind;
	uint8_t family;
	uint8_t src[16];
	uint8_t dst[16];	/* an example target: the scanned host, the
				 * latest host, the probed address, the
				 * flood's current destination */
	uint32_t count;		/* distinct ports / distinct hosts / frames in
				 * the second / probes since the rule armed */
	uint32_t window_ms;	/* the counting window (1000 for floods) */
};

/* NULL with err filled when the configuration is out of range or its
 * memory (detect_mem_for) exceeds DETECT_MAX_BYTES. */
struct detect *detect_new(const struct detect_conf *conf, char *err,
    size_t errlen);
void detect_free(struct detect *d);

/*
 * Feed one inbound frame (a now_ms earlier than one already fed is taken as
 * that one).  Writes up to max events to out and returns how many (usually
 * 0).  An event that finds no room is not lost: its rule stays armed and
 * fires on the next frame that still meets it.
 */
int detect_packet(struct detect *d, const struct detect_pkt *p,
    uint64_t now_ms, struct detect_event *out, int max);

void detect_stats(const struct detect *d, uint32_t *sources,
    uint64_t *evictions);
/* All memory of the detector, fixed at creation. */
size_t detect_mem(const struct detect *d);
/* What detect_new() would allocate for conf (SIZE_MAX when out of range):
 * to size max_sources to a budget. */
size_t detect_mem_for(const struct detect_conf *conf);

/* "port-scan", "address-scan", "lgwan-probe", "flood". */
const char *detect_kind_str(enum detect_kind kind);

#endif
