/*
 * monitor — the audit monitor (libpcap on every zone interface) and the
 * NFLOG reader of denied traffic.
 */
#ifndef ZONED_MONITOR_H
#define ZONED_MONITOR_H

#include <stdbool.h>
#include <time.h>

#include <jansson.h>

#include "classify.h"
#include "policy.h"

struct zoned;
struct monitor;

/* NULL when the policy has monitoring off (err empty) or on failure. */
struct monitor *monitor_open(struct zoned *z, char *err, size_t errlen);
void monitor_close(struct monitor *m);
/* A new policy and classifier: pending frames are judged by the old ones
 * first (they must still be alive). */
void monitor_policy(struct monitor *m, const struct policy *p,
    const struct classify *c);
void monitor_links(struct monitor *m);
/* Handle fd if it is the monitor's; false otherwise. */
bool monitor_event(struct monitor *m, int fd);
json_t *monitor_json(const struct monitor *m);
json_t *monitor_alerts(const struct monitor *m, time_t since);
const char *monitor_evidence_dir(const struct monitor *m);

struct timeval;
/* An alert of another part of the daemon, with its first frame. */
uint64_t monitor_alert(struct monitor *m, const char *kind,
    const char *fields, json_t *facts, const struct timeval *ts,
    int linktype, const uint8_t *frame, uint32_t caplen, uint32_t len);
void monitor_frame(struct monitor *m, uint64_t alert,
    const struct timeval *ts, const uint8_t *frame, uint32_t caplen,
    uint32_t len);

struct nflog;

/* Read NFLOG group `group`: event=denied aggregated per source, reason and
 * port over a window, at most `lines` lines a window. */
struct nflog *nflog_open(struct zoned *z, int group, char *err,
    size_t errlen);
void nflog_close(struct nflog *n);
bool nflog_event(struct nflog *n, int fd);
json_t *nflog_json(const struct nflog *n);
int nflog_group(const struct nflog *n);	/* -1 when none */

#endif
