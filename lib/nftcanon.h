/*
 * nftcanon — a canonical text form of table inet zoned, one line per
 * object, for comparing what we built with what the kernel holds.
 *
 * It reads netlink messages: the NEW* messages of our own batch, and the
 * replies of the kernel's dumps, which have the same format.  Handles,
 * counter values, element order and the elements of runtime sets (the
 * isolated interfaces) are left out; rule order within a chain is kept.
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
 * Compare: calls fn for every line only in a ("-", expected) or only in b
 * ("+", found); returns the number of differences.
 */
size_t canon_diff(const struct canon *a, const struct canon *b,
    void (*fn)(char sign, const char *line, void *arg), void *arg);

#endif
