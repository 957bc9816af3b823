/*
 * isolate — emergency isolation of zones (zonectl isolate / restore): the
 * interfaces of an isolated zone are elements of the ruleset's `isolated`
 * set, which the forward chain checks before anything else, so every
 * packet to or from them is denied at once, established connections
 * included; the input hook (management access) is left alone.
 *
 * Isolation is state of the appliance, not of the policy: kept in
 * STATEDIR/isolated (JSON: zone, interfaces, since, uid, user, reason),
 * read before the first table is built, so a starting zoned installs a
 * table that already isolates; a reload keeps it; a policy without the
 * zone drops it (with a journal entry).  A state file that cannot be read
 * isolates every zone until `restore --all` (fail closed).
 */
#ifndef ZONED_ISOLATE_H
#define ZONED_ISOLATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "apply.h"
#include "policy.h"
#include "record.h"

#define ISOLATE_SET "isolated"

struct isolation;

/* Read STATEDIR/isolated (absent: nothing isolated).  NULL only when out
 * of memory. */
struct isolation *isolate_open(const char *state_dir, char *err,
    size_t errlen);
void isolate_close(struct isolation *iso);

/* The interface names the set holds under policy p (NULL while failing
 * closed: the interfaces recorded at isolation); valid until the next
 * call. */
const char *const *isolate_ifaces(struct isolation *iso,
    const struct policy *p, size_t *n);

/* The isolated zones that policy p lacks: their names (valid until the
 * state changes) into names, at most max; the count. */
size_t isolate_missing(const struct isolation *iso, const struct policy *p,
    const char **names, size_t max);
/* What the journal says of an isolated zone (a new object). */
json_t *isolate_zone_json(const struct isolation *iso, const char *zone);
/* A policy without these zones was installed: forget them (logged as
 * event=zone-restored, saved). */
void isolate_drop(struct isolation *iso, const char *const *names,
    size_t n);

/* zonectl isolate / restore. */
struct isolate_req {
	struct apply *nl;
	struct record *rec;
	const struct policy *pol;	/* the running policy */
	const char *sha;		/* its SHA-256 */
	const char *zone;		/* NULL: every zone (--all) */
	bool isolate;			/* else restore */
	long uid;
	const char *reason;
};
/*
 * Record, save and apply in that order, one set transaction; a step that
 * fails takes back the ones before.  Returns a ctl code (ctlproto.h); on
 * CTL_OK *result says what changed, else err says why.
 */
int isolate_change(struct isolation *iso, const struct isolate_req *rq,
    json_t **result, char *err, size_t errlen);

/* Compare the kernel's set with the isolation: lines "- isolated IF"
 * (isolated here, missing in the kernel) and "+ isolated IF" to fn; the
 * number of differences, -1 when the set cannot be read. */
int isolate_verify(struct isolation *iso, struct apply *nl,
    const struct policy *p, void (*fn)(char sign, const char *line,
    void *arg), void *arg);

/* For zonectl status and zones: [{zone, interfaces, since, uid, user,
 * reason}]. */
json_t *isolate_json(const struct isolation *iso);
bool isolate_is(const struct isolation *iso, const char *zone);

#endif
