/*
 * monitor — the audit monitor: libpcap on every zone interface, judging
 * what crossed against the policy, watching My Number MAC pins and the
 * Internet side's behaviour.  It registers its own captures and timer with
 * the event loop and raises alerts into the daemon's ring.
 */
#ifndef ZONED_MONITOR_H
#define ZONED_MONITOR_H

#include <stdbool.h>

#include <jansson.h>

#include "classify.h"
#include "policy.h"

struct alerts;
struct monitor;

/* NULL when the policy has monitoring off (err empty) or on failure.  p
 * and c must live until monitor_policy() hands newer ones over; al is the
 * daemon's alert ring (NULL: alerts are only logged). */
struct monitor *monitor_open(const struct policy *p,
    const struct classify *c, struct alerts *al, char *err, size_t errlen);
void monitor_close(struct monitor *m);
/* A new policy and classifier: pending frames are judged by the old ones
 * first (they must still be alive). */
void monitor_policy(struct monitor *m, const struct policy *p,
    const struct classify *c);
/* Links changed: attach to interfaces that appeared. */
void monitor_links(struct monitor *m);
json_t *monitor_json(const struct monitor *m);
/* The zone interfaces it has no capture on, names into buf ("a, b"); how
 * many (zonectl health). */
size_t monitor_detached(const struct monitor *m, char *buf, size_t len);

#endif
