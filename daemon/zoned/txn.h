/*
 * txn — one transaction that puts a new table in the kernel: only what
 * changed (nftdiff.c) when zoned knows the kernel holds what it installed
 * last, else the whole table (nftemit_replace: its base chains kept, so
 * that no packet waiting in the queue is dropped).  One transaction either
 * way: a failure leaves the old table whole.
 *
 * "Knows" is the kernel's ruleset generation: every commit in the
 * namespace moves it by one, and the kernel refuses a batch built for
 * another generation (ERESTART).  After zoned's own commit, or a read of
 * the table that found it equal to what zoned installed, zoned keeps the
 * generation; when it has moved since (someone else committed, in any
 * table), the table is read and compared, as `zonectl verify` does, before
 * anything incremental is planned, and a table that differs is replaced.
 */
#ifndef ZONED_TXN_H
#define ZONED_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include "apply.h"
#include "nftcanon.h"
#include "nftdiff.h"
#include "nftgen.h"

/* What zoned knows of the kernel's table. */
struct txn_kernel {
	uint32_t genid;		/* the generation at which it held exactly
				 * what zoned installed */
	bool known;
};

struct txn {
	bool full;		/* the whole table */
	bool empty;		/* nothing to change: nothing sent */
	bool restart;		/* refused: the generation moved meanwhile */
	char why[300];		/* why the whole table */
	uint32_t genid;		/* the generation it is built for, 0: none */
	struct nftdiff d;
	struct nft_batch b;
	double check_ms;	/* reading the table to compare it */
	double apply_ms;	/* first message sent to the last ACK */
};

/*
 * Plan the transaction that turns the table of old (installed, with its
 * canonical form expect; NULL when none) into that of new.  full: asked to
 * replace it whole; drift: the last verify found the kernel's table
 * different.  0, or -1 with err (out of memory).
 */
int txn_plan(struct txn *t, struct apply *nl, const struct nft_ir *old,
    const struct canon *expect, bool drift, bool full, struct txn_kernel *k,
    const struct nft_ir *new, char *err, size_t errlen);

/* Send it and drain every ACK.  0; -1 with kerr or err filled (and
 * t->restart when planning again may do). */
int txn_commit(struct txn *t, struct apply *nl, const struct nft_ir *new,
    struct txn_kernel *k, struct apply_errors *kerr, char *err,
    size_t errlen);

/*
 * The canonical form of the table after a committed t: expect holds the
 * one before (moved in by the caller, sorted), and ends with the one
 * after — the batch applied to it (canon_apply), or the whole batch read.
 * -1 when out of memory.
 */
int txn_expect(struct txn *t, const struct nft_ir *new, struct canon *expect);

void txn_free(struct txn *t);

#endif
