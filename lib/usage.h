/*
 * usage — what each flow has carried: packets, bytes, the first and the
 * last time it was seen used, and since when it is watched; the answer to
 * the self-inspection question "which approved crossings were never used
 * this year?".
 *
 * A flow is known by its name and its id (the ct mark, a hash of its
 * definition): a flow whose match changed is a new flow and starts again
 * from nothing, one whose line, comment, approval or expiry changed keeps
 * its history.  The kernel's counters only count; the records add up what
 * they counted between two readings (usage_observe), so that a counter
 * created anew (a replacement of the table) loses nothing counted before
 * the last reading.  Hit times are those of the readings: a flow is "hit"
 * at a reading that finds its counter moved.
 *
 * Kept in the state directory as JSON lines, one record a line, written
 * whole and renamed.
 */
#ifndef ZONED_USAGE_H
#define ZONED_USAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "counters.h"
#include "nftgen.h"
#include "policy.h"

struct usage_rec {
	char *name;
	uint32_t mark;		/* the flow's id */
	time_t since;		/* watched since (installed first) */
	time_t first, last;	/* first and last hit, 0: never */
	uint64_t packets, bytes;	/* since `since` */
	uint64_t kpackets, kbytes;	/* the kernel's counter, last read */
};

struct usage {
	struct usage_rec *v;	/* sorted by name, one a name */
	size_t n, cap;
};

void usage_init(struct usage *u);
void usage_free(struct usage *u);

/* The record of flow name, or NULL. */
const struct usage_rec *usage_find(const struct usage *u, const char *name);

/*
 * The records after p was installed with table ir at time now: the flows
 * of ir (those with a counter) keep their record when their id is the
 * same, else get a new one watched since now; a flow of p without a
 * counter (expired) keeps a record it has; the records of flows no longer
 * in p go.  reset: every counter of ir was created anew (the table was
 * replaced), so the kernel's values start again at 0 (else only those of
 * new records do).  p NULL (failing closed: no flow runs) keeps every
 * record.  -1 when out of memory (u unchanged).
 */
int usage_sync(struct usage *u, const struct policy *p,
    const struct nft_ir *ir, time_t now, bool reset);

/*
 * Add what the kernel's counters kc (sorted, as read: "flow.NAME") counted
 * since the last reading; a flow whose counter moved was hit at now.  A
 * counter below its last reading was created anew and counts from 0.
 * Returns the number of flows hit.
 */
size_t usage_observe(struct usage *u, const struct counters *kc, time_t now);

/* Has the flow gone without a hit for days days at now?  (Never hit:
 * counted from when it is watched, so a flow added yesterday is not unused
 * for a year.) */
bool usage_unused(const struct usage_rec *r, time_t now, long days);

/* Write u to path (path.tmp, then renamed).  -1 with err. */
int usage_save(const struct usage *u, const char *path, time_t now,
    char *err, size_t errlen);

/* Read path into u (emptied first).  0; 1 when there is no file; -1 with
 * err on a file that cannot be read (u empty).  Lines that do not parse
 * are left out and counted in *bad. */
int usage_load(struct usage *u, const char *path, size_t *bad, char *err,
    size_t errlen);

#endif
