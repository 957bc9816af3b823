/*
 * nftdiff — what changes between the table zoned installed (its IR) and the
 * table of a new policy, and the one transaction that makes only those
 * changes: set and map elements deleted and added, counters deleted and
 * created, the chains whose rules changed flushed and filled again.
 *
 * When the structure changes (a set or chain appears or goes, a set's key,
 * data, flags or size, a chain's hook, the policy file's name in the
 * comments, the queue expression), there is no incremental transaction:
 * the table is replaced whole (nftemit_batch).  Pure: builds, never sends.
 *
 * An element is known by its key (and, in an interval set, its last key);
 * one whose data or comment changed is deleted and added again.  A counter
 * is known by its name and its flow's id: a flow whose definition changed
 * has a new id and gets a new counter (its counting starts again), one
 * whose line moved keeps counting.  The elements of runtime sets (the
 * isolated interfaces) are not the policy's and are left as they are.
 */
#ifndef ZONED_NFTDIFF_H
#define ZONED_NFTDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nftemit.h"
#include "nftgen.h"

/* The element changes of one set. */
struct nftdiff_set {
	uint32_t oset, nset;	/* the set in the old and the new IR */
	uint32_t *del;		/* elements of the old IR to delete */
	size_t ndel;
	uint32_t *add;		/* elements of the new IR to add */
	size_t nadd;
};

struct nftdiff {
	bool full;		/* the structure changed: replace whole */
	char why[256];		/* ... because */
	struct nftdiff_set *sets;	/* the sets whose elements change */
	size_t nsets, setcap;
	uint32_t *cdel;		/* counters of the old IR to delete */
	size_t ncdel;
	uint32_t *cadd;		/* counters of the new IR to create */
	size_t ncadd;
	uint32_t *chains;	/* chains of the new IR whose rules change */
	size_t nchains;
	size_t elems_del, elems_add;	/* over every set */
};

/*
 * The difference from old to new into d (zeroed first).  0, with d->full
 * set when only a replacement will do; -1 when out of memory (err filled).
 */
int nftdiff_compute(const struct nft_ir *old, const struct nft_ir *new,
    struct nftdiff *d, char *err, size_t errlen);
void nftdiff_free(struct nftdiff *d);

/* Nothing to change: the kernel need not be asked. */
bool nftdiff_empty(const struct nftdiff *d);

/*
 * The incremental batch of d (not full): begin (checking generation genid,
 * 0 for none), chains flushed, elements deleted, counters deleted and
 * created, elements added, rules added, end.  Deletions refer to old
 * (b->old), the rest to new, for nftemit_describe.  0, or -1 with err.
 */
int nftdiff_batch(const struct nftdiff *d, const struct nft_ir *old,
    const struct nft_ir *new, uint32_t seq, uint32_t genid,
    struct nft_batch *b, char *err, size_t errlen);

#endif
