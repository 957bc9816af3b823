/*
 * nftemit — the intermediate form as libnftnl objects in one nfnetlink
 * batch: one transaction that replaces table inet zoned whole (keeping
 * its base chains, so that no packet waiting in a queue is dropped: see
 * nftemit_replace), or the pieces of one that changes only what changed
 * (the primitives below, put together by nftdiff.c).  Builds the bytes and
 * remembers which object (and so which policy line) each message came
 * from; the daemon sends it and maps errors back.
 */
#ifndef ZONED_NFTEMIT_H
#define ZONED_NFTEMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nftgen.h"

enum nft_msg_kind {
	MSG_TABLE = 1,
	MSG_COUNTER,
	MSG_CHAIN,
	MSG_SET,
	MSG_ELEMS,
	MSG_RULE,
	MSG_FLUSH,		/* every rule of a chain deleted */
	MSG_OLD,		/* deletes what the table held (nftemit_replace) */
};

struct nft_msg {
	size_t off;		/* into batch.buf */
	uint32_t seq;
	enum nft_msg_kind kind;
	uint32_t obj;		/* counter, chain, set index in the IR */
	uint32_t sub;		/* rule index; first element index, or with
				 * indexed the first of batch.idx */
	uint32_t count;		/* elements in the message */
	bool acked;		/* asks for an ACK */
	bool old;		/* a deletion: obj and sub are of batch.old */
	bool indexed;		/* elements batch.idx[sub..sub+count) */
};

struct nft_batch {
	char *buf;
	size_t len, cap;
	struct nft_msg *msgs;	/* every message but the batch's edges */
	size_t nmsgs, mcap;
	size_t nacked;		/* how many ask for an ACK */
	uint32_t seq_begin, seq_end;
	const struct nft_ir *old;	/* what deletions refer to, or NULL */
	uint32_t *idx;		/* element indexes of indexed messages */
	size_t nidx, idxcap;
};

/*
 * Build the batch for ir.  With commit false the batch has no end message,
 * so the kernel checks every message and then aborts (like `nft -c`).
 * 0, or -1 with err filled.
 */
int nftemit_batch(const struct nft_ir *ir, uint32_t seq, bool commit,
    struct nft_batch *b, char *err, size_t errlen);
/* The same, with the kernel's generation id the batch is for: the kernel
 * refuses it whole (ERESTART on the first message) when the ruleset
 * changed since that generation.  0: no check. */
int nftemit_batch_gen(const struct nft_ir *ir, uint32_t seq, uint32_t genid,
    bool commit, struct nft_batch *b, char *err, size_t errlen);
void nftemit_free(struct nft_batch *b);

/*
 * The primitives of a batch made piece by piece (b zeroed first, every
 * message numbered from *seq on; 0 or -1 when out of memory):
 *   begin and end of the batch (genid as above);
 *   counter i of ir created, or deleted (del: ir is b->old);
 *   the elements idx[0..n) of set si of ir added, or deleted (del: ir is
 *   b->old; only their keys are sent);
 *   every rule of chain ci deleted (flush), or appended.
 */
int nftemit_begin(struct nft_batch *b, uint32_t *seq, uint32_t genid);
int nftemit_end(struct nft_batch *b, uint32_t *seq);
int nftemit_counter(struct nft_batch *b, const struct nft_ir *ir, uint32_t i,
    bool del, uint32_t *seq);
int nftemit_elems(struct nft_batch *b, const struct nft_ir *ir, uint32_t si,
    const uint32_t *idx, size_t n, bool del, uint32_t *seq);
int nftemit_flush(struct nft_batch *b, const struct nft_ir *ir, uint32_t ci,
    uint32_t *seq);
int nftemit_rules(struct nft_batch *b, const struct nft_ir *ir, uint32_t ci,
    uint32_t *seq);

/*
 * What table inet zoned holds in the kernel now, by name, as the daemon
 * reads it before replacing it (apply_present).  Anonymous sets and chain
 * bindings are not listed: they go with their rules.
 */
struct nft_present_chain {
	char *name;
	bool base;		/* hooked: hooknum, prio and type say where */
	uint32_t hooknum;
	int32_t prio;
	char type[16];
};

struct nft_present_obj {
	char *name;
	uint32_t type;		/* NFT_OBJECT_COUNTER ... */
};

struct nft_present {
	struct nft_present_chain *chains;
	size_t nchains;
	char **sets;
	size_t nsets;
	struct nft_present_obj *objs;
	size_t nobjs;
	char **flowtables;
	size_t nflowtables;
	uint32_t flags;		/* of the table (dormant ...) */
};

void nft_present_free(struct nft_present *p);

/*
 * The batch that replaces the table present describes with ir's, in one
 * transaction, keeping the base chains that ir has too with the same name,
 * hook, priority and type: their rules are flushed and written again, but
 * their hooks stay registered.  Everything else of the old table — rules,
 * sets, objects, flowtables, the other chains — is deleted first, and the
 * table's flags are cleared (a dormant table filters nothing).
 *
 * Why: deleting a base chain unregisters its hook, and the kernel then
 * drops every packet waiting in any queue of the namespace
 * (nf_queue_nf_hook_drop) — in dual mode the first packet of every new
 * connection that waits for the daemon's verdict, while the daemon is
 * busy with the reload.  nftemit_batch()'s replacement (delete the table,
 * create it) did that on every reload.
 */
int nftemit_replace(const struct nft_ir *ir, const struct nft_present *present,
    uint32_t seq, struct nft_batch *b, char *err, size_t errlen);
/* The same for a kernel generation id (as nftemit_batch_gen): the batch
 * of a full transaction of txn.c. */
int nftemit_replace_gen(const struct nft_ir *ir,
    const struct nft_present *present, uint32_t seq, uint32_t genid,
    struct nft_batch *b, char *err, size_t errlen);

/* The message with this sequence number, or NULL. */
const struct nft_msg *nftemit_msg(const struct nft_batch *b, uint32_t seq);

/*
 * Describe the object behind an error on message m: "set flows.a.b.0
 * element 3 (flow mail-in)" into buf, and the policy line (0 when the
 * object has none).  attr_off is the extended ACK's offset of the failing
 * attribute within the message (0 when the kernel gave none).  ir is the
 * IR the batch installs; a deletion is described from b->old.
 */
int nftemit_describe(const struct nft_batch *b, const struct nft_ir *ir,
    const struct nft_msg *m, uint32_t attr_off, char *buf, size_t len);

/* One batch message for adding or deleting elements of a runtime set
 * (the isolated interfaces): begin, NEWSETELEM/DELSETELEM, end. */
int nftemit_set_elems(const char *set, const char *const *ifnames, size_t n,
    bool add, uint32_t seq, struct nft_batch *b, char *err, size_t errlen);

/* One batch that makes a runtime set hold exactly these interface names
 * (flush, then add): begin, DELSETELEM, NEWSETELEM, end. */
int nftemit_set_assign(const char *set, const char *const *ifnames,
    size_t n, uint32_t seq, struct nft_batch *b, char *err, size_t errlen);

/* A check-only batch (no commit) with one rule of nft's own queue
 * expression in a table of its own: does the kernel have nft_queue? */
int nftemit_probe_queue(uint32_t seq, struct nft_batch *b, char *err,
    size_t errlen);

#endif
