/*
 * nfttest — what the ruleset suites (check_nftgen.c, check_nftemit.c,
 * check_nftcanon.c) share: policies loaded and linted, the intermediate
 * form built and emitted, the batch walked with libmnl and parsed back with
 * libnftnl, every rule decoded expression by expression against its IR ops
 * as nft(8) encodes them, and the nft text cut into chains.
 *
 * Strings inside rule expressions are read from the raw attributes:
 * libnftnl writes objref names without a NUL and reads them back as C
 * strings (see nftcanon.c).
 */
#ifndef ZONED_NFTTEST_H
#define ZONED_NFTTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "nftemit.h"
#include "nftgen.h"
#include "policy.h"

#define NOW ((time_t)1795219200)	/* 2026-11-21T00:00:00Z, as golden/ */
#define SEQ0 1000u

/* --- loading and building (each fails the test on an error) ------------ */

/* A policy file that lints clean. */
struct policy *nfttest_load(const char *path);
/* A policy text that loads and lints clean, named name. */
struct policy *nfttest_load_string(const char *text, const char *name);
/* The IR of p at NOW; compat: the queue through the xtables NFQUEUE target. */
struct nft_ir *nfttest_build(const struct policy *p, bool compat);
/* The deny-all (fail closed) IR; p may be NULL. */
struct nft_ir *nfttest_build_deny_all(const struct policy *p);
/* The batch of ir from sequence number SEQ0. */
void nfttest_emit(const struct nft_ir *ir, bool commit, struct nft_batch *b);
/* The canonical lines (sorted) of ir's whole batch. */
struct canon;
void nfttest_canon(const struct nft_ir *ir, struct canon *c);
/* The IR chain called name, or NULL. */
const struct nft_chain *nfttest_ir_chain(const struct nft_ir *ir,
    const char *name);

/* --- the batch, parsed back -------------------------------------------- */

struct pexpr {
	struct nftnl_expr *e;
	const struct nlattr *raw;	/* its nest in the message */
	const char *name;
};

#define MAX_EXPRS 64

struct prule {
	struct nftnl_rule *r;
	const struct nlmsghdr *nlh;
	const char *chain;
	unsigned pos;			/* within its chain */
	struct pexpr ex[MAX_EXPRS];
	int nex;
};

struct pelems {
	struct nftnl_set *s;		/* the elements of one message */
	struct nlmsghdr *copy;
	const char *set;
	uint32_t n;
};

struct pbatch {
	const struct nft_batch *b;
	size_t nall;			/* messages, batch edges included */
	uint16_t first_type, last_type;
	uint16_t *types;		/* nf_tables message types, in order */
	size_t ntypes;
	struct nftnl_chain **chains;
	size_t nchains;
	struct prule *rules;
	size_t nrules;
	struct nftnl_set **sets;
	size_t nsets;
	struct pelems *elems;
	size_t nelems;
	struct nftnl_obj **objs;
	size_t nobjs;
};

/*
 * Walk the batch with libmnl and parse every message with libnftnl.  Checks
 * the framing: batch edges, one table, sequence numbers, and that the
 * message table of nftemit (used to map kernel errors back to the policy)
 * points at each message.
 */
void nfttest_parse_batch(const struct nft_batch *b, bool commit,
    struct pbatch *pb);
void nfttest_pbatch_free(struct pbatch *pb);
/* The parsed chain, set, counter object of that name, or NULL. */
struct nftnl_chain *nfttest_pb_chain(const struct pbatch *pb,
    const char *name);
struct nftnl_set *nfttest_pb_set(const struct pbatch *pb, const char *name);
struct nftnl_obj *nfttest_pb_obj(const struct pbatch *pb, const char *name);
/* Rule pos of chain, or NULL. */
const struct prule *nfttest_pb_rule(const struct pbatch *pb,
    const char *chain, unsigned pos);
unsigned nfttest_pb_nrules(const struct pbatch *pb, const char *chain);
/* The elements of a set, in message order: malloc'd array of pointers into
 * the parsed messages. */
struct nftnl_set_elem **nfttest_pb_elems(const struct pbatch *pb,
    const char *set, size_t *n);
/*
 * A string attribute of an expression, read with its exact length from
 * the message (libnftnl writes some names without a NUL and reads them
 * back as C strings; the kernel uses the attribute length): the path of
 * depth nested attribute types below NFTA_EXPR_DATA.  NULL when absent.
 */
const char *nfttest_raw_str(const struct pexpr *x, char *buf, size_t len,
    int depth, ...);

/* --- fields of keys, as nft(8) loads them (not from nftgen's table) --- */

struct fspec {
	int field;
	const char *type;	/* nft datatype */
	uint32_t len, reglen;
	int load;
	uint32_t key;		/* meta/ct key, or payload base */
	uint32_t off, plen;	/* payload */
};

extern const struct fspec nfttest_fspecs[];
extern const size_t nfttest_nfspecs;

const struct fspec *nfttest_fspec(int field);
/* Bytes of a key: one field, its data; a concatenation, its registers. */
uint32_t nfttest_spec_key_len(const struct nft_key *k);
/* Offset of field i of a key in its registers. */
uint32_t nfttest_spec_off(const struct nft_key *k, int i);

/* --- decoding a rule, expression by expression -------------------------- */

struct cur {
	const struct prule *r;
	const struct nft_ir *ir;
	int k;
	char ctx[160];
};

/* The next expression of the rule, which must be called name. */
const struct pexpr *nfttest_next_x(struct cur *c, const char *name);
/* got (what the expression holds as what) equals want. */
void nfttest_x_str(const struct cur *c, const struct pexpr *x,
    const char *got, const char *want, const char *what);
/* An immediate verdict, with its chain or none. */
void nfttest_x_verdict(struct cur *c, int verdict, const char *chain);

/* --- whole-table checks -------------------------------------------------- */

/* Every rule of the batch decodes to the ops of its IR rule, and nothing
 * else; the rule's comment names its policy line. */
void nfttest_check_rules(const struct nft_ir *ir, const struct pbatch *pb);
/* Chains: names, hooks, priorities, policies. */
void nfttest_check_chains(const struct nft_ir *ir, const struct pbatch *pb);
/* Every name a rule refers to is defined in the same batch, and every
 * regular chain is the target of some jump or verdict map. */
void nfttest_check_references(const struct pbatch *pb);
/* Nothing is accepted on the forward path without the mark of an active
 * flow; the number of accepts on that path. */
size_t nfttest_check_forward_accepts(const struct nft_ir *ir);

/* --- nft text ------------------------------------------------------------ */

/* The lines of chain name in the text (the hook line, then the rules),
 * NULL when the chain is not there.  *n lines; malloc'd copies. */
char **nfttest_text_chain(const char *text, const char *name, size_t *n);
void nfttest_lines_free(char **v, size_t n);
/* Every chain, set and counter of the IR is in the text, with as many rule
 * lines as the IR and the batch have rules. */
void nfttest_check_text(const struct nft_ir *ir, const struct pbatch *pb,
    const char *text);

/* --- the dual-mode chains, byte by byte (not from the IR's ops) -------- */

/* The chains "verdict" and "agreed" in the IR, the batch and the text, with
 * queue number queue and comments naming line (0: none). */
void nfttest_check_dual_chains(const struct nft_ir *ir,
    const struct pbatch *pb, const char *text, unsigned queue, int line);
/* Kernel mode: no queue, no label, no verdict chains. */
void nfttest_check_no_dual_chains(const struct nft_ir *ir,
    const struct pbatch *pb, const char *text);

#endif
