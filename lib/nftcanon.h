/*
 * nftcanon — a canonical text form of table inet zoned, one line per
 * object, for comparing what we built with what the kernel holds.
 *
 * It reads netlink messages: the NEW* messages of our own batch, and the
 * replies of the kernel's dumps, which have the same format.  Handles,
 * counter values, element order and the elements of runtime sets (the
 * isolated interfaces) are left out; rule order within a chain is kept.
 *
 * It is also a model of the table: canon_apply() changes the lines as the
 * kernel changes the table for the messages of a batch, deletions
 * included, so that the table an incremental batch leaves can be known
 * (and tested) without reading the kernel.
 */
#ifndef ZONED_NFTCANON_H
#define ZONED_NFTCANON_H

#include <stddef.h>

#include <linux/netlink.h>

#include "nftemit.h"

struct canon {
	char **v;
	size_t n, cap;
	/* rule positions per chain while reading */
	char **chains;
	unsigned *nrules;
	size_t nchains, chcap;
	int oom;
};

void canon_init(struct canon *c);
void canon_free(struct canon *c);

/* Add the lines of one message (NEWTABLE, NEWCHAIN, NEWSET, NEWSETELEM,
 * NEWRULE, NEWOBJ; others are ignored).  -1 on a message that does not
 * parse. */
int canon_msg(struct canon *c, const struct nlmsghdr *nlh);

/* The lines of a whole batch built by nftemit_batch(). */
int canon_batch(struct canon *c, const struct nft_batch *b);

/* Sort (call once all messages are in). */
void canon_sort(struct canon *c);

/*
 * Apply batch b to the sorted lines of c, message by message, as the
 * kernel applies it to the table: NEWTABLE (nothing), DELTABLE (every line
 * goes), NEW* (lines added), DELSETELEM, DELOBJ, DELRULE of a whole chain
 * (its rules go; the next rule added is its first).  c ends sorted.  -1
 * on a message that does not parse or deletes what is not there (the
 * kernel would refuse the batch); c is then undefined.
 */
int canon_apply(struct canon *c, const struct nft_batch *b);

/*
 * Compare: calls fn for every line only in a ("-", expected) or only in b
 * ("+", found); returns the number of differences.
 */
size_t canon_diff(const struct canon *a, const struct canon *b,
    void (*fn)(char sign, const char *line, void *arg), void *arg);

#endif
