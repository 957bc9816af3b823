/*
 * counters — named packet and byte counters ({name, packets, bytes}): the
 * kernel's named counters as read, and the totals the daemon carries over
 * a replacement of the table.  Built by appending, then sorted once (equal
 * names summed), then looked up by binary search.
 */
#ifndef ZONED_COUNTERS_H
#define ZONED_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct counter {
	char *name;
	uint64_t packets, bytes;
};

struct counters {
	struct counter *v;
	size_t n, cap;
	bool sorted;		/* sorted by name, no name twice */
};

void counters_init(struct counters *c);
void counters_free(struct counters *c);

/* Append a counter (a name may come again: counters_sort sums them).
 * -1 when out of memory. */
int counters_add(struct counters *c, const char *name, uint64_t packets,
    uint64_t bytes);
/* The same as a callback of apply_counters(): arg is the struct counters;
 * what cannot be allocated is left out. */
void counters_add_cb(const char *name, uint64_t packets, uint64_t bytes,
    void *arg);
/* Add every counter of from to c (c ends sorted).  -1 when out of memory. */
int counters_merge(struct counters *c, const struct counters *from);

/* Sort by name, summing equal names. */
void counters_sort(struct counters *c);
/* The counter of that name, NULL when none (a binary search once sorted,
 * else a scan). */
const struct counter *counters_get(const struct counters *c,
    const char *name);
/* The same with a printf-formed name (at most 255 bytes). */
const struct counter *counters_getf(const struct counters *c,
    const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
