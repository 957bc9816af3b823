/*
 * apply — the daemon's netlink socket to nf_tables: send one batch and drain
 * every ACK, read the table back, read counters by name, read the ruleset's
 * generation.
 */
#ifndef ZONED_APPLY_H
#define ZONED_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "nftcanon.h"
#include "nftemit.h"
#include "nftgen.h"

struct apply;

struct apply_error {
	int error;		/* errno from the kernel */
	int line;		/* policy line, 0 when none */
	char what[320];		/* the object: "set flows.a.b.0 element 3 (...)" */
	char msg[160];		/* the kernel's extended ACK message, or "" */
};

struct apply_errors {
	struct apply_error *v;
	size_t n, cap;
	size_t acks;		/* ACKs drained */
	int refused;		/* errno when the batch was refused whole
				 * (ERESTART: the ruleset changed since the
				 * generation it was built for), else 0 */
};

struct apply *apply_open(char *err, size_t errlen);
void apply_close(struct apply *a);
int apply_fd(const struct apply *a);

/* The next sequence number to build a batch with. */
uint32_t apply_next_seq(struct apply *a, uint32_t count);

/*
 * Send batch b (built from ir) and drain every ACK.  0 when the kernel took
 * it; -1 with errs filled (kernel errors, mapped to objects) or with err
 * filled (socket trouble).  On any error the kernel keeps what it had.
 */
int apply_batch(struct apply *a, const struct nft_batch *b,
    const struct nft_ir *ir, struct apply_errors *errs, char *err,
    size_t errlen);
void apply_errors_free(struct apply_errors *e);

/* Dump table inet zoned into c.  0, 1 when the table does not exist, -1
 * with err filled. */
int apply_dump(struct apply *a, struct canon *c, char *err, size_t errlen);

/* What table inet zoned holds now, by name (for nftemit_replace).  0, 1
 * when the table does not exist, -1 with err filled. */
int apply_present(struct apply *a, struct nft_present *p, char *err,
    size_t errlen);

/* The kernel's ruleset generation (it moves with every commit of any
 * table of the namespace). */
int apply_genid(struct apply *a, uint32_t *genid, char *err, size_t errlen);

/* Read the counters names[0..n) of the table: fn(name, packets, bytes)
 * for each that exists. */
int apply_counters(struct apply *a, const char *const *names, size_t n,
    void (*fn)(const char *name, uint64_t packets, uint64_t bytes, void *),
    void *arg, char *err, size_t errlen);

/* The element keys of a set of the table: fn(key, len) each.  0, 1 when
 * the table or the set does not exist, -1 with err filled. */
int apply_set_elems(struct apply *a, const char *set,
    void (*fn)(const void *key, size_t len, void *arg), void *arg,
    char *err, size_t errlen);

#endif
