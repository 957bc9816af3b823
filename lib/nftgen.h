/*
 * nftgen — the policy as an nftables ruleset, in an intermediate form that
 * two emitters print: nftemit.c (libnftnl objects in one netlink batch) and
 * nfttext.c (nft text for `zoned -p`).  Builds, never sends.
 *
 * The table `inet zoned` (ours alone):
 *
 *   forward (hook forward, policy drop)
 *     iifname/oifname @isolated       -> jump deny.isolated
 *     iifname @ha.standby             -> jump deny.ha-standby (a node of a
 *                                      pair that is not the master)
 *     ct state invalid                 -> jump deny.invalid
 *     iifname . saddr != @src4/@src6   -> jump deny.spoofed
 *     saddr @pinaddrN, saddr . ether saddr != @pinnedN -> jump deny.mac
 *     ct state established,related, ct mark @active -> count to the
 *                                      flow (counter map), accept
 *     ct state established,related     -> jump deny.stale
 *     iifname . oifname vmap @pairs    (-> jump fwd.IN.OUT or deny.IN.OUT)
 *     jump deny.unzoned
 *   fwd.IN.OUT, one per zone pair with flows:
 *     ct mark set KEY map @flows.IN.OUT.N   (layers; first match in file
 *                                            order)
 *     ct mark @logflows  -> log (limited)
 *     ct mark != 0 counter name ct mark map @fctr accept
 *     jump deny.IN.OUT
 *   deny.X: limit rate R/second log prefix "zoned:deny:X" group G;
 *     counter name "deny.X" drop (X: a reason, or IN>OUT for a zone pair)
 *   input (hook input, policy drop): lo, established, ICMPv6 neighbour
 *     discovery, management access sets, on a node of a pair VRRP adverts
 *     on the zone interfaces (@ha.vrrp4/6) and conntrackd's sync traffic
 *     from the peer on the sync interface (@ha.sync4/6), jump deny.input
 *   verdict (hook forward, priority 10, policy accept), in dual mode:
 *     ct state untracked -> drop (only a hand-made rule accepts it);
 *     ct state new, ct label AGREED -> accept;
 *     ct state new -> the connection's mark (its flow) into the packet
 *     mark, queue to the daemon (no bypass).  An accept in
 *     forward ends only that chain, so every new connection it lets
 *     through, by a rule of the policy or one added by hand, meets the
 *     daemon's classifier here.
 *   agreed (hook forward, priority 11, policy accept), in dual mode:
 *     ct state new -> ct label set AGREED: only what the daemon accepted
 *     gets here, and the rest of its connection never queues again.
 */
#ifndef ZONED_NFTGEN_H
#define ZONED_NFTGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "policy.h"

#define NFTGEN_TABLE "zoned"
#define NFTGEN_MAX_FIELDS 6
#define NFTGEN_KEY_MAX 64	/* bytes: the kernel's concatenation limit */

/* Fields of set keys and of rule lookups. */
enum nft_field {
	NF_IIFNAME = 1,
	NF_OIFNAME,
	NF_SADDR4,
	NF_DADDR4,
	NF_SADDR6,
	NF_DADDR6,
	NF_ETHER_SADDR,
	NF_L4PROTO,
	NF_TH_DPORT,
	NF_ICMP_TYPE,
	NF_ICMPV6_TYPE,
	NF_CT_MARK,
};

struct nft_key {
	uint8_t n;
	uint8_t f[NFTGEN_MAX_FIELDS];	/* enum nft_field */
};

struct nft_field_info {
	const char *type;	/* nft type name: "ipv4_addr" */
	const char *expr;	/* nft expression: "ip saddr" */
	uint32_t dtype;		/* nft datatype id */
	uint8_t len;		/* data bytes */
	uint8_t reglen;		/* bytes in registers (padded to 4) */
	uint8_t byteorder;	/* 1 host, 2 big endian (set userdata) */
};

const struct nft_field_info *nftgen_field(enum nft_field f);
/* Bytes of the key in registers (single field: its data length). */
size_t nftgen_key_len(const struct nft_key *k);

enum nft_data {
	ND_NONE = 0,
	ND_VERDICT,		/* jump CHAIN */
	ND_MARK,
	ND_COUNTER,		/* objref: counter name */
};

struct nft_elem {
	uint8_t key[NFTGEN_KEY_MAX];	/* fields at their register offsets */
	uint8_t key_end[NFTGEN_KEY_MAX];	/* interval sets: the last key */
	uint32_t mark;			/* ND_MARK */
	const char *ref;		/* ND_VERDICT chain, ND_COUNTER name */
	char *comment;			/* NULL or "LINE flow NAME" */
	int line;			/* policy line, 0 when none */
};

struct nft_set {
	char *name;
	struct nft_key key;
	enum nft_data data;
	bool interval;
	bool runtime;		/* elements change at run time (isolated) */
	size_t size;		/* hash sets: the most elements they take
				 * (nftgen_set_size), 0 for the kernel's
				 * default */
	struct nft_elem *elems;
	size_t nelems, cap;
	int line;
};

enum nft_op_kind {
	OP_NFPROTO = 1,		/* meta nfproto ipv4|ipv6 (u: ADDR_V4/V6) */
	OP_L4PROTO,		/* meta l4proto N */
	OP_IIFNAME,		/* iifname "s" */
	OP_CT_STATE,		/* ct state (mask u) */
	OP_CT_MARK_EQ,		/* ct mark u */
	OP_CT_MARK_NE,		/* ct mark != u */
	OP_ICMPV6_TYPE,		/* icmpv6 type u */
	OP_LOOKUP,		/* KEY @set, or KEY != @set when u = 1 */
	OP_MARK_MAP,		/* ct mark set KEY map @set */
	OP_VMAP,		/* KEY vmap @set */
	OP_COUNTER_MAP,		/* counter name ct mark map @set */
	OP_COUNTER,		/* counter name "s" */
	OP_LIMIT,		/* limit rate u/second */
	OP_LOG,			/* log prefix "s" group u */
	OP_ACCEPT,
	OP_DROP,
	OP_JUMP,		/* jump s */
	OP_QUEUE,		/* queue num u (no bypass) */
	OP_MARK_FROM_CT,	/* meta mark set ct mark */
	OP_CT_LABEL,		/* ct label u (bit u is set) */
	OP_CT_LABEL_SET,	/* ct label set u */
};

#define NFT_CT_INVALID 0x01u
#define NFT_CT_ESTABLISHED 0x02u
#define NFT_CT_RELATED 0x04u
#define NFT_CT_NEW 0x08u
#define NFT_CT_UNTRACKED 0x40u

struct nft_op {
	enum nft_op_kind kind;
	uint32_t u;
	const char *s;		/* set, chain, counter name, log prefix */
	struct nft_key key;
};

#define NFTGEN_MAX_OPS 8

struct nft_rule {
	struct nft_op ops[NFTGEN_MAX_OPS];
	int nops;
	int line;		/* policy line (comment), 0 when none */
};

enum nft_hook {
	HOOK_NONE = 0,
	HOOK_FORWARD,
	HOOK_INPUT,
	HOOK_VERDICT,		/* forward, priority 10, policy accept: after
				 * the filter chain, whatever it accepted */
	HOOK_AGREED,		/* forward, priority 11, policy accept: what
				 * the daemon accepted from the queue */
};

#define NFTGEN_VERDICT_PRIO 10
#define NFTGEN_AGREED_PRIO 11
/* The conntrack label bit of a connection both verdicts accepted: its
 * later packets never go to the queue again. */
#define NFTGEN_AGREED_LABEL 120

/* One node of a pair (policy "ha"): the runtime set of the zone interfaces
 * whose packets are not forwarded while the node is not the master, and
 * the protocol of keepalived's adverts. */
#define NFTGEN_HA_STANDBY "ha.standby"
#define NFTGEN_VRRP_PROTO 112

struct nft_chain {
	char *name;
	enum nft_hook hook;	/* base chains: policy drop, priority 0 */
	struct nft_rule *rules;
	size_t nrules, cap;
};

struct nft_counter {
	char *name;
	int line;
	uint32_t flow;		/* the flow's id (ct mark), 0 for the deny
				 * counters: a flow whose definition changed
				 * gets a new counter, starting at 0 */
};

struct nft_ir {
	const char *file;	/* policy file, for comments */
	bool queue_compat;	/* queue through the xtables NFQUEUE target */
	struct nft_counter *counters;
	size_t ncounters, ccap;
	struct nft_set **sets;		/* each allocated on its own: */
	size_t nsets, scap;
	struct nft_chain **chains;	/* pointers to them stay valid */
	size_t nchains, chcap;
	/* strings owned by the IR (names referenced by ops and elements) */
	char **strs;
	size_t nstrs, strcap;
};

struct nftgen_opts {
	time_t now;			/* which flows are active */
	const char *const *isolated;	/* interfaces now isolated */
	size_t nisolated;
	bool deny_all;			/* fail closed: no flows, no policy */
	bool queue_compat;		/* the kernel has no nft_queue */
	bool ha_standby;		/* one node of a pair, not the master:
					 * forward nothing (policy "ha") */
};

/*
 * Build the IR of policy p.  With opts->deny_all, p may be NULL: the table
 * then denies every crossing (forward drops everything but nothing is
 * accepted; input keeps loopback, established and neighbour discovery).
 * NULL with err filled on failure (out of memory, key too long).
 */
struct nft_ir *nftgen_build(const struct policy *p,
    const struct nftgen_opts *opts, char *err, size_t errlen);
void nftgen_free(struct nft_ir *ir);

struct nft_set *nftgen_find_set(const struct nft_ir *ir, const char *name);

/*
 * The size of a hash set of n elements: the kernel refuses an element past
 * it, so it leaves room for an incremental reload to add (at least a
 * quarter more), in steps (powers of two from 1024) so that a small change
 * keeps it and a full apply of the same policy gives the same size.
 */
size_t nftgen_set_size(size_t n);

/* Write a field value into a key at the field's offset. */
size_t nftgen_field_offset(const struct nft_key *k, int i);

/* nft text of the whole table (nfttext.c). */
char *nftgen_text(const struct nft_ir *ir);	/* malloc'd */

#endif
