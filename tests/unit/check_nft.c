/*
 * check_nft — the ruleset: lib/nftgen.c (policy -> IR), lib/nftemit.c
 * (IR -> one libnftnl netlink batch), lib/nfttext.c (IR -> nft text) and
 * lib/nftcanon.c (canonical lines for the drift check).
 *
 * No root and no kernel: build -> parse back -> compare, as libnftnl's and
 * nftables' own tests do.  The batch is walked with libmnl, every message
 * is parsed back with libnftnl, and what comes back is compared with the IR,
 * rules expression by expression as nft(8) encodes them (register numbers,
 * payload offsets, byte order), and with the nft text:
 *
 * 1. Round trip over every policy that lints clean (conf/, tests/golden/)
 *    and the deny-all table: the message table of the batch, the table
 *    replacement, chains and their hooks, sets and their elements, counter
 *    objects, every rule decoded expression by expression against its IR
 *    ops, names that every reference points to, the nft text's chains and
 *    rule counts, and the security invariants (nothing is accepted on the
 *    forward path without a flow mark).
 * 2. The dual-mode chains "verdict" and "agreed", byte by byte, with nft's
 *    queue expression and with the xtables NFQUEUE target; mode "kernel"
 *    has neither.
 * 3. alpha-small: anti-spoofing ranges, pinned hosts, flow counters and
 *    maps, deny chains with their log and counter.
 * 4. nfttext: the text of the dual chains, comments, chain/rule counts.
 * 5. Deny-all (fail closed).
 * 6. nftcanon: equal builds compare equal; element order and the isolated
 *    set are ignored; rule order, a changed queue and a changed mode are not.
 * 7. A policy of 1500 flows, whose map needs several NEWSETELEM messages:
 *    the message table and the mapping of a kernel error at an element back
 *    to its flow and line.
 *
 * Strings inside rule expressions are read from the raw attributes:
 * libnftnl writes objref names without a NUL and reads them back as C
 * strings (see nftcanon.c).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/if_arp.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_NFQUEUE.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "conf.h"
#include "diag.h"
#include "lint.h"
#include "nftcanon.h"
#include "nftemit.h"
#include "nftgen.h"
#include "policy.h"
#include "unit.h"

#define NOW ((time_t)1795219200)	/* 2026-11-21T00:00:00Z, as golden/ */
#define SEQ0 1000u

/* the conntrack state bit "new", as nft and the kernel number it */
#define CT_NEW 0x08u

/* ---------------------------------------------------------------------
 * Loading and building
 */

static struct policy *
load(const char *path)
{
	struct policy *p = NULL;
	struct diag d;
	char err[256];

	diag_init(&d);
	ck_assert_msg(lint_file(path, NOW, &p, &d, err, sizeof(err)) == 0,
	    "%s: %s", path, err);
	if (d.nerrors > 0)
		diag_print(&d, stderr);
	ck_assert_msg(p != NULL && d.nerrors == 0, "%s: %zu errors", path,
	    (size_t)d.nerrors);
	diag_free(&d);
	return p;
}

static struct policy *
load_string(const char *text, const char *name)
{
	struct policy *p = NULL;
	struct diag d;

	diag_init(&d);
	ck_assert_int_eq(conf_load_string(text, name, &p, &d), 0);
	ck_assert_ptr_nonnull(p);
	lint_run(p, &d, NOW);
	if (d.nerrors > 0)
		diag_print(&d, stderr);
	ck_assert_msg(d.nerrors == 0, "%s: %zu errors", name,
	    (size_t)d.nerrors);
	diag_free(&d);
	return p;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int c;

	ck_assert_msg(f != NULL, "%s: cannot open", path);
	m = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(m);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return buf;
}

static struct nft_ir *
build(const struct policy *p, bool compat)
{
	struct nftgen_opts o = { .now = NOW, .queue_compat = compat };
	char err[256] = "";
	struct nft_ir *ir = nftgen_build(p, &o, err, sizeof(err));

	ck_assert_msg(ir != NULL, "nftgen_build: %s", err);
	return ir;
}

static struct nft_ir *
build_deny_all(const struct policy *p)
{
	struct nftgen_opts o = { .now = NOW, .deny_all = true };
	char err[256] = "";
	struct nft_ir *ir = nftgen_build(p, &o, err, sizeof(err));

	ck_assert_msg(ir != NULL, "nftgen_build (deny all): %s", err);
	return ir;
}

static void
emit(const struct nft_ir *ir, bool commit, struct nft_batch *b)
{
	char err[256] = "";

	ck_assert_msg(nftemit_batch(ir, SEQ0, commit, b, err, sizeof(err)) ==
	    0, "nftemit_batch: %s", err);
}

static const struct nft_chain *
ir_chain(const struct nft_ir *ir, const char *name)
{
	for (size_t i = 0; i < ir->nchains; i++)
		if (strcmp(ir->chains[i]->name, name) == 0)
			return ir->chains[i];
	return NULL;
}

static bool
ir_has_counter(const struct nft_ir *ir, const char *name)
{
	for (size_t i = 0; i < ir->ncounters; i++)
		if (strcmp(ir->counters[i].name, name) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------------
 * The batch, parsed back
 */

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

/* The nest of expression n of a rule message. */
static const struct nlattr *
nth_expr(const struct nlmsghdr *nlh, int n)
{
	const struct nlattr *a, *e;
	int i = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_RULE_EXPRESSIONS)
			continue;
		mnl_attr_for_each_nested(e, a)
			if (i++ == n)
				return e;
	}
	return NULL;
}

/* The attribute at a path of nested types below nest, or NULL. */
static const struct nlattr *
raw_at(const struct nlattr *nest, int depth, const uint16_t *path)
{
	const struct nlattr *a;

	if (nest == NULL || depth == 0)
		return nest;
	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == path[0])
			return raw_at(a, depth - 1, path + 1);
	return NULL;
}

/*
 * A string attribute of an expression, read with its exact length from
 * the message (libnftnl writes some names without a NUL and reads them
 * back as C strings; the kernel uses the attribute length).
 */
static const char *
raw_str(const struct pexpr *x, char *buf, size_t len, int depth, ...)
{
	uint16_t path[8];
	const struct nlattr *a;
	va_list ap;

	ck_assert_int_le(depth + 1, (int)ARRAY_LEN(path));
	path[0] = NFTA_EXPR_DATA;
	va_start(ap, depth);
	for (int i = 0; i < depth; i++)
		path[i + 1] = (uint16_t)va_arg(ap, int);
	va_end(ap);
	a = raw_at(x->raw, depth + 1, path);
	if (a == NULL)
		return NULL;
	{
		const char *s = mnl_attr_get_payload(a);
		size_t n = strnlen(s, mnl_attr_get_payload_len(a));

		snprintf(buf, len, "%.*s", (int)n, s);
	}
	return buf;
}

/* libnftnl numbers element nests 1, 2, 3 when it builds (the kernel takes
 * any type) but parses only NFTA_LIST_ELEM: a copy with the types fixed. */
static struct nlmsghdr *
elems_copy(const struct nlmsghdr *nlh)
{
	struct nlmsghdr *copy = malloc(nlh->nlmsg_len);
	struct nlattr *a, *e;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, nlh, nlh->nlmsg_len);
	mnl_attr_for_each(a, copy, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == NFTA_SET_ELEM_LIST_ELEMENTS)
			mnl_attr_for_each_nested(e, a)
				e->nla_type = (uint16_t)((e->nla_type &
				    ~NLA_TYPE_MASK) | NFTA_LIST_ELEM);
	return copy;
}

static uint32_t
elems_in(const struct nftnl_set *s)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(s);
	uint32_t n = 0;

	ck_assert_ptr_nonnull(it);
	while (nftnl_set_elems_iter_next(it) != NULL)
		n++;
	nftnl_set_elems_iter_destroy(it);
	return n;
}

static struct nftnl_set *pb_set(const struct pbatch *, const char *);

static enum nft_msg_kind
kind_of(uint16_t type)
{
	switch (type) {
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_DELTABLE:
		return MSG_TABLE;
	case NFT_MSG_NEWOBJ:
		return MSG_COUNTER;
	case NFT_MSG_NEWCHAIN:
		return MSG_CHAIN;
	case NFT_MSG_NEWSET:
		return MSG_SET;
	case NFT_MSG_NEWSETELEM:
		return MSG_ELEMS;
	case NFT_MSG_NEWRULE:
		return MSG_RULE;
	}
	return 0;
}

/*
 * Walk the batch with libmnl and parse every message with libnftnl.  Checks
 * the framing: batch edges, one table, sequence numbers, and that the
 * message table of nftemit (used to map kernel errors back to the policy)
 * points at each message.
 */
static void
parse_batch(const struct nft_batch *b, bool commit, struct pbatch *pb)
{
	const struct nlmsghdr *nlh;
	int len = (int)b->len;
	size_t cap = 0, nft = 0;
	uint32_t seq = b->seq_begin;

	memset(pb, 0, sizeof(*pb));
	pb->b = b;
	for (nlh = (const void *)b->buf; mnl_nlmsg_ok(nlh, len);
	    nlh = mnl_nlmsg_next(nlh, &len))
		cap++;
	ck_assert_msg(len == 0, "%d bytes after the last message", len);
	ck_assert_uint_ge(cap, 2);
	pb->types = calloc(cap, sizeof(*pb->types));
	pb->chains = calloc(cap, sizeof(*pb->chains));
	pb->rules = calloc(cap, sizeof(*pb->rules));
	pb->sets = calloc(cap, sizeof(*pb->sets));
	pb->elems = calloc(cap, sizeof(*pb->elems));
	pb->objs = calloc(cap, sizeof(*pb->objs));
	ck_assert(pb->types && pb->chains && pb->rules && pb->sets &&
	    pb->elems && pb->objs);

	len = (int)b->len;
	for (nlh = (const void *)b->buf; mnl_nlmsg_ok(nlh, len);
	    nlh = mnl_nlmsg_next(nlh, &len)) {
		const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
		size_t off = (size_t)((const char *)nlh - b->buf);
		uint16_t type = nlh->nlmsg_type;
		const struct nft_msg *m;

		ck_assert_msg(nlh->nlmsg_seq == seq, "message %zu: seq %u, "
		    "expected %u", pb->nall, nlh->nlmsg_seq, seq);
		seq++;
		if (pb->nall++ == 0)
			pb->first_type = type;
		pb->last_type = type;
		if (type == NFNL_MSG_BATCH_BEGIN ||
		    type == NFNL_MSG_BATCH_END) {
			ck_assert_uint_eq(ntohs(g->res_id),
			    NFNL_SUBSYS_NFTABLES);
			continue;
		}
		ck_assert_msg((type >> 8) == NFNL_SUBSYS_NFTABLES,
		    "message %zu: type %#x is not nf_tables", pb->nall, type);
		ck_assert_uint_eq(g->nfgen_family, NFPROTO_INET);
		type &= 0xff;
		pb->types[pb->ntypes++] = type;

		/* the message table */
		m = nftemit_msg(b, nlh->nlmsg_seq);
		ck_assert_msg(m != NULL, "seq %u not in the message table",
		    nlh->nlmsg_seq);
		ck_assert_uint_eq(m->off, off);
		ck_assert_msg(m->kind == kind_of(type), "seq %u: kind %d for "
		    "type %u", m->seq, m->kind, type);
		ck_assert_msg(m->acked == ((nlh->nlmsg_flags & NLM_F_ACK) != 0),
		    "seq %u: acked flag", m->seq);
		/* every message asks for an ACK but the counters */
		ck_assert_msg(m->acked == (type != NFT_MSG_NEWOBJ),
		    "seq %u (type %u): ACK %d", m->seq, type, m->acked);
		nft++;

		switch (type) {
		case NFT_MSG_NEWTABLE:
		case NFT_MSG_DELTABLE: {
			struct nftnl_table *t = nftnl_table_alloc();
			ck_assert_int_eq(nftnl_table_nlmsg_parse(nlh, t), 0);
			ck_assert_str_eq(nftnl_table_get_str(t,
			    NFTNL_TABLE_NAME), NFTGEN_TABLE);
			nftnl_table_free(t);
			break;
		}
		case NFT_MSG_NEWOBJ: {
			struct nftnl_obj *o = nftnl_obj_alloc();
			ck_assert_int_eq(nftnl_obj_nlmsg_parse(nlh, o), 0);
			pb->objs[pb->nobjs++] = o;
			break;
		}
		case NFT_MSG_NEWCHAIN: {
			struct nftnl_chain *c = nftnl_chain_alloc();
			ck_assert_int_eq(nftnl_chain_nlmsg_parse(nlh, c), 0);
			ck_assert_str_eq(nftnl_chain_get_str(c,
			    NFTNL_CHAIN_TABLE), NFTGEN_TABLE);
			pb->chains[pb->nchains++] = c;
			break;
		}
		case NFT_MSG_NEWSET: {
			struct nftnl_set *s = nftnl_set_alloc();
			ck_assert_int_eq(nftnl_set_nlmsg_parse(nlh, s), 0);
			ck_assert_str_eq(nftnl_set_get_str(s, NFTNL_SET_TABLE),
			    NFTGEN_TABLE);
			pb->sets[pb->nsets++] = s;
			break;
		}
		case NFT_MSG_NEWSETELEM: {
			struct pelems *pe = &pb->elems[pb->nelems++];
			pe->s = nftnl_set_alloc();
			/* elements come after their set */
			pe->copy = elems_copy(nlh);
			ck_assert_int_eq(nftnl_set_elems_nlmsg_parse(pe->copy,
			    pe->s), 0);
			pe->set = nftnl_set_get_str(pe->s, NFTNL_SET_NAME);
			ck_assert_ptr_nonnull(pe->set);
			ck_assert_msg(pb_set(pb, pe->set) != NULL, "elements "
			    "of %s before the set", pe->set);
			pe->n = elems_in(pe->s);
			ck_assert_uint_eq(pe->n, m->count);
			break;
		}
		case NFT_MSG_NEWRULE: {
			struct prule *pr = &pb->rules[pb->nrules++];
			struct nftnl_expr_iter *it;
			struct nftnl_expr *e;

			pr->r = nftnl_rule_alloc();
			pr->nlh = nlh;
			ck_assert_int_eq(nftnl_rule_nlmsg_parse(nlh, pr->r), 0);
			ck_assert_str_eq(nftnl_rule_get_str(pr->r,
			    NFTNL_RULE_TABLE), NFTGEN_TABLE);
			pr->chain = nftnl_rule_get_str(pr->r, NFTNL_RULE_CHAIN);
			ck_assert_ptr_nonnull(pr->chain);
			pr->pos = 0;
			for (size_t i = 0; i + 1 < pb->nrules; i++)
				if (strcmp(pb->rules[i].chain, pr->chain) == 0)
					pr->pos++;
			it = nftnl_expr_iter_create(pr->r);
			ck_assert_ptr_nonnull(it);
			while ((e = nftnl_expr_iter_next(it)) != NULL) {
				ck_assert_int_lt(pr->nex, MAX_EXPRS);
				pr->ex[pr->nex].e = e;
				pr->ex[pr->nex].name = nftnl_expr_get_str(e,
				    NFTNL_EXPR_NAME);
				pr->ex[pr->nex].raw = nth_expr(nlh, pr->nex);
				ck_assert_ptr_nonnull(pr->ex[pr->nex].raw);
				pr->nex++;
			}
			nftnl_expr_iter_destroy(it);
			ck_assert_ptr_null(nth_expr(nlh, pr->nex));
			break;
		}
		default:
			ck_abort_msg("unexpected nf_tables message %u", type);
		}
	}
	ck_assert_uint_eq(pb->first_type, NFNL_MSG_BATCH_BEGIN);
	if (commit)
		ck_assert_uint_eq(pb->last_type, NFNL_MSG_BATCH_END);
	else
		ck_assert_uint_ne(pb->last_type, NFNL_MSG_BATCH_END);
	ck_assert_uint_eq(pb->nall, nft + 1 + (commit ? 1 : 0));
	ck_assert_uint_eq(nft, b->nmsgs);
	ck_assert_uint_eq(b->seq_end, seq);
	{
		size_t acked = 0;
		for (size_t i = 0; i < b->nmsgs; i++)
			acked += b->msgs[i].acked;
		ck_assert_uint_eq(acked, b->nacked);
	}
}

static void
pbatch_free(struct pbatch *pb)
{
	for (size_t i = 0; i < pb->nchains; i++)
		nftnl_chain_free(pb->chains[i]);
	for (size_t i = 0; i < pb->nrules; i++)
		nftnl_rule_free(pb->rules[i].r);
	for (size_t i = 0; i < pb->nsets; i++)
		nftnl_set_free(pb->sets[i]);
	for (size_t i = 0; i < pb->nelems; i++) {
		nftnl_set_free(pb->elems[i].s);
		free(pb->elems[i].copy);
	}
	for (size_t i = 0; i < pb->nobjs; i++)
		nftnl_obj_free(pb->objs[i]);
	free(pb->types);
	free(pb->chains);
	free(pb->rules);
	free(pb->sets);
	free(pb->elems);
	free(pb->objs);
	memset(pb, 0, sizeof(*pb));
}

static struct nftnl_chain *
pb_chain(const struct pbatch *pb, const char *name)
{
	for (size_t i = 0; i < pb->nchains; i++)
		if (strcmp(nftnl_chain_get_str(pb->chains[i], NFTNL_CHAIN_NAME),
		    name) == 0)
			return pb->chains[i];
	return NULL;
}

static struct nftnl_set *
pb_set(const struct pbatch *pb, const char *name)
{
	for (size_t i = 0; i < pb->nsets; i++)
		if (strcmp(nftnl_set_get_str(pb->sets[i], NFTNL_SET_NAME),
		    name) == 0)
			return pb->sets[i];
	return NULL;
}

static struct nftnl_obj *
pb_obj(const struct pbatch *pb, const char *name)
{
	for (size_t i = 0; i < pb->nobjs; i++)
		if (strcmp(nftnl_obj_get_str(pb->objs[i], NFTNL_OBJ_NAME),
		    name) == 0)
			return pb->objs[i];
	return NULL;
}

/* Rule pos of chain, or NULL. */
static const struct prule *
pb_rule(const struct pbatch *pb, const char *chain, unsigned pos)
{
	for (size_t i = 0; i < pb->nrules; i++)
		if (strcmp(pb->rules[i].chain, chain) == 0 &&
		    pb->rules[i].pos == pos)
			return &pb->rules[i];
	return NULL;
}

static unsigned
pb_nrules(const struct pbatch *pb, const char *chain)
{
	unsigned n = 0;

	for (size_t i = 0; i < pb->nrules; i++)
		n += strcmp(pb->rules[i].chain, chain) == 0;
	return n;
}

/* The elements of a set, in message order: malloc'd array of pointers into
 * the parsed messages. */
static struct nftnl_set_elem **
pb_elems(const struct pbatch *pb, const char *set, size_t *n)
{
	struct nftnl_set_elem **v;
	size_t cap = 0;

	*n = 0;
	for (size_t i = 0; i < pb->nelems; i++)
		if (strcmp(pb->elems[i].set, set) == 0)
			cap += pb->elems[i].n;
	v = calloc(cap + 1, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	for (size_t i = 0; i < pb->nelems; i++) {
		struct nftnl_set_elems_iter *it;
		struct nftnl_set_elem *e;

		if (strcmp(pb->elems[i].set, set) != 0)
			continue;
		it = nftnl_set_elems_iter_create(pb->elems[i].s);
		while ((e = nftnl_set_elems_iter_next(it)) != NULL)
			v[(*n)++] = e;
		nftnl_set_elems_iter_destroy(it);
	}
	return v;
}

/* ---------------------------------------------------------------------
 * Fields of keys, as nft(8) loads them (independent of nftgen's table)
 */

enum { LD_META = 1, LD_PAYLOAD, LD_CT };
#define LL NFT_PAYLOAD_LL_HEADER
#define NH NFT_PAYLOAD_NETWORK_HEADER
#define TH NFT_PAYLOAD_TRANSPORT_HEADER

static const struct fspec {
	int field;
	const char *type;	/* nft datatype */
	uint32_t len, reglen;
	int load;
	uint32_t key;		/* meta/ct key, or payload base */
	uint32_t off, plen;	/* payload */
} fspecs[] = {
	{ NF_IIFNAME, "ifname", 16, 16, LD_META, NFT_META_IIFNAME, 0, 0 },
	{ NF_OIFNAME, "ifname", 16, 16, LD_META, NFT_META_OIFNAME, 0, 0 },
	{ NF_SADDR4, "ipv4_addr", 4, 4, LD_PAYLOAD, NH, 12, 4 },
	{ NF_DADDR4, "ipv4_addr", 4, 4, LD_PAYLOAD, NH, 16, 4 },
	{ NF_SADDR6, "ipv6_addr", 16, 16, LD_PAYLOAD, NH, 8, 16 },
	{ NF_DADDR6, "ipv6_addr", 16, 16, LD_PAYLOAD, NH, 24, 16 },
	{ NF_ETHER_SADDR, "ether_addr", 6, 8, LD_PAYLOAD, LL, 6, 6 },
	{ NF_L4PROTO, "inet_proto", 1, 4, LD_META, NFT_META_L4PROTO, 0, 0 },
	{ NF_TH_DPORT, "inet_service", 2, 4, LD_PAYLOAD, TH, 2, 2 },
	{ NF_ICMP_TYPE, "icmp_type", 1, 4, LD_PAYLOAD, TH, 0, 1 },
	{ NF_ICMPV6_TYPE, "icmpv6_type", 1, 4, LD_PAYLOAD, TH, 0, 1 },
	{ NF_CT_MARK, "mark", 4, 4, LD_CT, NFT_CT_MARK, 0, 0 },
};

static const struct fspec *
fspec(int field)
{
	for (size_t i = 0; i < ARRAY_LEN(fspecs); i++)
		if (fspecs[i].field == field)
			return &fspecs[i];
	ck_abort_msg("field %d has no spec", field);
	return NULL;
}

/* Bytes of a key: one field, its data; a concatenation, its registers. */
static uint32_t
spec_key_len(const struct nft_key *k)
{
	uint32_t n = 0;

	if (k->n == 1)
		return fspec(k->f[0])->len;
	for (int i = 0; i < k->n; i++)
		n += fspec(k->f[i])->reglen;
	return n;
}

static uint32_t
spec_off(const struct nft_key *k, int i)
{
	uint32_t off = 0;

	for (int j = 0; j < i; j++)
		off += fspec(k->f[j])->reglen;
	return off;
}

/* A register as the kernel's 32-bit register index. */
static unsigned
reg32(uint32_t reg)
{
	return reg <= NFT_REG_4 ? reg * NFT_REG_SIZE / NFT_REG32_SIZE :
	    reg - NFT_REG32_00 + NFT_REG_SIZE / NFT_REG32_SIZE;
}

/* ---------------------------------------------------------------------
 * Decoding a rule against its IR ops
 */

struct cur {
	const struct prule *r;
	const struct nft_ir *ir;
	int k;
	char ctx[160];
};

static const struct pexpr *
next_x(struct cur *c, const char *name)
{
	const struct pexpr *x;

	ck_assert_msg(c->k < c->r->nex, "%s: rule ends before [%s]", c->ctx,
	    name);
	x = &c->r->ex[c->k++];
	ck_assert_msg(strcmp(x->name, name) == 0, "%s: expression %d is [%s], "
	    "expected [%s]", c->ctx, c->k - 1, x->name, name);
	return x;
}

static void
x_u32(const struct cur *c, const struct pexpr *x, uint16_t attr,
    uint32_t want, const char *what)
{
	ck_assert_msg(nftnl_expr_is_set(x->e, attr), "%s: [%s] has no %s",
	    c->ctx, x->name, what);
	ck_assert_msg(nftnl_expr_get_u32(x->e, attr) == want, "%s: [%s] %s "
	    "%u, expected %u", c->ctx, x->name, what,
	    nftnl_expr_get_u32(x->e, attr), want);
}

static void
x_data(const struct cur *c, const struct pexpr *x, uint16_t attr,
    const void *want, uint32_t wlen, const char *what)
{
	uint32_t len = 0;
	const void *d = nftnl_expr_get(x->e, attr, &len);

	ck_assert_msg(d != NULL, "%s: [%s] has no %s", c->ctx, x->name, what);
	ck_assert_msg(len == wlen, "%s: [%s] %s of %u bytes, expected %u",
	    c->ctx, x->name, what, len, wlen);
	ck_assert_msg(memcmp(d, want, wlen) == 0, "%s: [%s] %s differs",
	    c->ctx, x->name, what);
}

static void
x_str(const struct cur *c, const struct pexpr *x, const char *got,
    const char *want, const char *what)
{
	ck_assert_msg(got != NULL, "%s: [%s] has no %s", c->ctx, x->name, what);
	ck_assert_msg(strcmp(got, want) == 0, "%s: [%s] %s \"%s\", expected "
	    "\"%s\"", c->ctx, x->name, what, got, want);
}

static void
x_meta_load(struct cur *c, uint32_t key, uint32_t dreg)
{
	const struct pexpr *x = next_x(c, "meta");

	x_u32(c, x, NFTNL_EXPR_META_KEY, key, "key");
	x_u32(c, x, NFTNL_EXPR_META_DREG, dreg, "dreg");
	ck_assert_msg(!nftnl_expr_is_set(x->e, NFTNL_EXPR_META_SREG),
	    "%s: meta load with an sreg", c->ctx);
}

static void
x_ct_load(struct cur *c, uint32_t key, uint32_t dreg)
{
	const struct pexpr *x = next_x(c, "ct");

	x_u32(c, x, NFTNL_EXPR_CT_KEY, key, "key");
	x_u32(c, x, NFTNL_EXPR_CT_DREG, dreg, "dreg");
	ck_assert_msg(!nftnl_expr_is_set(x->e, NFTNL_EXPR_CT_SREG),
	    "%s: ct load with an sreg", c->ctx);
}

static void
x_ct_store(struct cur *c, uint32_t key)
{
	const struct pexpr *x = next_x(c, "ct");

	x_u32(c, x, NFTNL_EXPR_CT_KEY, key, "key");
	x_u32(c, x, NFTNL_EXPR_CT_SREG, NFT_REG_1, "sreg");
	ck_assert_msg(!nftnl_expr_is_set(x->e, NFTNL_EXPR_CT_DREG),
	    "%s: ct set with a dreg", c->ctx);
}

static void
x_payload(struct cur *c, uint32_t base, uint32_t off, uint32_t len,
    uint32_t dreg)
{
	const struct pexpr *x = next_x(c, "payload");

	x_u32(c, x, NFTNL_EXPR_PAYLOAD_BASE, base, "base");
	x_u32(c, x, NFTNL_EXPR_PAYLOAD_OFFSET, off, "offset");
	x_u32(c, x, NFTNL_EXPR_PAYLOAD_LEN, len, "len");
	x_u32(c, x, NFTNL_EXPR_PAYLOAD_DREG, dreg, "dreg");
}

static void
x_cmp(struct cur *c, uint32_t op, const void *data, uint32_t len)
{
	const struct pexpr *x = next_x(c, "cmp");

	x_u32(c, x, NFTNL_EXPR_CMP_SREG, NFT_REG_1, "sreg");
	x_u32(c, x, NFTNL_EXPR_CMP_OP, op, "op");
	x_data(c, x, NFTNL_EXPR_CMP_DATA, data, len, "data");
}

static void
x_bitwise(struct cur *c, const void *mask, uint32_t len)
{
	const struct pexpr *x = next_x(c, "bitwise");
	uint8_t zero[16] = { 0 };

	x_u32(c, x, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1, "sreg");
	x_u32(c, x, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1, "dreg");
	x_u32(c, x, NFTNL_EXPR_BITWISE_LEN, len, "len");
	x_data(c, x, NFTNL_EXPR_BITWISE_MASK, mask, len, "mask");
	x_data(c, x, NFTNL_EXPR_BITWISE_XOR, zero, len, "xor");
}

static void
x_verdict(struct cur *c, int verdict, const char *chain)
{
	const struct pexpr *x = next_x(c, "immediate");
	char buf[256];

	x_u32(c, x, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT, "dreg");
	x_u32(c, x, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict, "verdict");
	if (chain)
		x_str(c, x, raw_str(x, buf, sizeof(buf), 3,
		    NFTA_IMMEDIATE_DATA, NFTA_DATA_VERDICT, NFTA_VERDICT_CHAIN),
		    chain, "chain");
	else
		ck_assert_msg(raw_str(x, buf, sizeof(buf), 3,
		    NFTA_IMMEDIATE_DATA, NFTA_DATA_VERDICT,
		    NFTA_VERDICT_CHAIN) == NULL, "%s: verdict with a chain",
		    c->ctx);
}

/* The loads of a key into registers, field by field. */
static void
x_key(struct cur *c, const struct nft_key *k, bool interval)
{
	for (int i = 0; i < k->n; i++)
		if (k->f[i] == NF_ETHER_SADDR) {
			/* ether saddr needs an Ethernet input device */
			uint16_t ether = ARPHRD_ETHER;
			x_meta_load(c, NFT_META_IIFTYPE, NFT_REG_1);
			x_cmp(c, NFT_CMP_EQ, &ether, 2);
		}
	for (int i = 0; i < k->n; i++) {
		const struct fspec *fs = fspec(k->f[i]);
		uint32_t off = spec_off(k, i);
		const struct pexpr *x;
		uint32_t dreg;
		uint16_t attr;

		switch (fs->load) {
		case LD_META:
			x = next_x(c, "meta");
			x_u32(c, x, NFTNL_EXPR_META_KEY, fs->key, "key");
			attr = NFTNL_EXPR_META_DREG;
			break;
		case LD_CT:
			x = next_x(c, "ct");
			x_u32(c, x, NFTNL_EXPR_CT_KEY, fs->key, "key");
			attr = NFTNL_EXPR_CT_DREG;
			break;
		default:
			x = next_x(c, "payload");
			x_u32(c, x, NFTNL_EXPR_PAYLOAD_BASE, fs->key, "base");
			x_u32(c, x, NFTNL_EXPR_PAYLOAD_OFFSET, fs->off,
			    "offset");
			x_u32(c, x, NFTNL_EXPR_PAYLOAD_LEN, fs->plen, "len");
			attr = NFTNL_EXPR_PAYLOAD_DREG;
			break;
		}
		dreg = nftnl_expr_get_u32(x->e, attr);
		ck_assert_msg(reg32(dreg) == reg32(NFT_REG_1) + off / 4,
		    "%s: field %d of the key loads into register %u (32-bit "
		    "%u), expected 32-bit %u", c->ctx, i, dreg, reg32(dreg),
		    reg32(NFT_REG_1) + off / 4);
		/* nft turns l4proto to network order in interval
		 * concatenations */
		if (k->f[i] == NF_L4PROTO && interval && k->n > 1) {
			x = next_x(c, "byteorder");
			x_u32(c, x, NFTNL_EXPR_BYTEORDER_SREG, dreg, "sreg");
			x_u32(c, x, NFTNL_EXPR_BYTEORDER_DREG, dreg, "dreg");
			x_u32(c, x, NFTNL_EXPR_BYTEORDER_OP,
			    NFT_BYTEORDER_HTON, "op");
			x_u32(c, x, NFTNL_EXPR_BYTEORDER_SIZE, 2, "size");
			x_u32(c, x, NFTNL_EXPR_BYTEORDER_LEN, 1, "len");
		}
	}
}

static void
x_lookup(struct cur *c, const char *set, bool map, uint32_t dreg, bool inv)
{
	const struct pexpr *x = next_x(c, "lookup");
	char buf[256];

	x_u32(c, x, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1, "sreg");
	x_str(c, x, raw_str(x, buf, sizeof(buf), 1, NFTA_LOOKUP_SET), set,
	    "set");
	if (map)
		x_u32(c, x, NFTNL_EXPR_LOOKUP_DREG, dreg, "dreg");
	else
		ck_assert_msg(!nftnl_expr_is_set(x->e, NFTNL_EXPR_LOOKUP_DREG),
		    "%s: a set lookup with a dreg", c->ctx);
	ck_assert_msg((nftnl_expr_get_u32(x->e, NFTNL_EXPR_LOOKUP_FLAGS) &
	    NFT_LOOKUP_F_INV) == (inv ? NFT_LOOKUP_F_INV : 0u),
	    "%s: lookup @%s inverted %d", c->ctx, set, !inv);
}

static void
x_queue(struct cur *c, uint16_t num, bool compat)
{
	const struct pexpr *x;

	if (compat) {
		const struct xt_NFQ_info_v3 *info;
		uint32_t len = 0;
		char buf[64];

		x = next_x(c, "target");
		x_str(c, x, raw_str(x, buf, sizeof(buf), 1, NFTA_TARGET_NAME),
		    "NFQUEUE", "name");
		x_u32(c, x, NFTNL_EXPR_TG_REV, 3, "revision");
		info = nftnl_expr_get(x->e, NFTNL_EXPR_TG_INFO, &len);
		ck_assert_ptr_nonnull(info);
		ck_assert_uint_eq(len, sizeof(*info));
		ck_assert_uint_eq(info->queuenum, num);
		ck_assert_uint_eq(info->queues_total, 1);
		ck_assert_msg((info->flags & NFQ_FLAG_BYPASS) == 0,
		    "%s: NFQUEUE with bypass", c->ctx);
		return;
	}
	x = next_x(c, "queue");
	ck_assert_uint_eq(nftnl_expr_get_u16(x->e, NFTNL_EXPR_QUEUE_NUM), num);
	ck_assert_uint_eq(nftnl_expr_get_u16(x->e, NFTNL_EXPR_QUEUE_TOTAL), 1);
	ck_assert_msg((nftnl_expr_get_u16(x->e, NFTNL_EXPR_QUEUE_FLAGS) &
	    NFT_QUEUE_FLAG_BYPASS) == 0, "%s: queue with bypass", c->ctx);
	ck_assert_msg(!nftnl_expr_is_set(x->e, NFTNL_EXPR_QUEUE_SREG_QNUM),
	    "%s: queue number from a register", c->ctx);
}

static void
label_bits(uint32_t bit, uint8_t out[16])
{
	/* the kernel's label bitmap is an array of unsigned long */
	memset(out, 0, 16);
	out[bit / 8] = (uint8_t)(1u << (bit % 8));
}

static void
x_op(struct cur *c, const struct nft_op *o)
{
	const struct nft_set *s = o->s ? nftgen_find_set(c->ir, o->s) : NULL;
	uint8_t u8, lab[16], zero[16] = { 0 };
	uint32_t u32;
	char ifname[16], buf[256];
	const struct pexpr *x;

	switch (o->kind) {
	case OP_NFPROTO:
		u8 = o->u == ADDR_V4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
		ck_assert(o->u == ADDR_V4 || o->u == ADDR_V6);
		x_meta_load(c, NFT_META_NFPROTO, NFT_REG_1);
		x_cmp(c, NFT_CMP_EQ, &u8, 1);
		break;
	case OP_L4PROTO:
		u8 = (uint8_t)o->u;
		x_meta_load(c, NFT_META_L4PROTO, NFT_REG_1);
		x_cmp(c, NFT_CMP_EQ, &u8, 1);
		break;
	case OP_IIFNAME:
		memset(ifname, 0, sizeof(ifname));
		ck_assert_uint_lt(strlen(o->s), sizeof(ifname));
		memcpy(ifname, o->s, strlen(o->s));
		x_meta_load(c, NFT_META_IIFNAME, NFT_REG_1);
		x_cmp(c, NFT_CMP_EQ, ifname, 16);
		break;
	case OP_CT_STATE:
		u32 = o->u;
		x_ct_load(c, NFT_CT_STATE, NFT_REG_1);
		x_bitwise(c, &u32, 4);
		u32 = 0;
		x_cmp(c, NFT_CMP_NEQ, &u32, 4);
		break;
	case OP_CT_MARK_EQ:
	case OP_CT_MARK_NE:
		u32 = o->u;
		x_ct_load(c, NFT_CT_MARK, NFT_REG_1);
		x_cmp(c, o->kind == OP_CT_MARK_EQ ? NFT_CMP_EQ : NFT_CMP_NEQ,
		    &u32, 4);
		break;
	case OP_ICMPV6_TYPE:
		u8 = (uint8_t)o->u;
		x_payload(c, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFT_REG_1);
		x_cmp(c, NFT_CMP_EQ, &u8, 1);
		break;
	case OP_LOOKUP:
	case OP_MARK_MAP:
	case OP_VMAP:
		ck_assert_msg(s != NULL, "%s: op on unknown set %s", c->ctx,
		    o->s);
		/* the rule's key has the types of the set's key */
		ck_assert_msg(o->key.n == s->key.n, "%s: a key of %d fields "
		    "for @%s of %d", c->ctx, o->key.n, o->s, s->key.n);
		for (int i = 0; i < o->key.n; i++)
			ck_assert_msg(strcmp(fspec(o->key.f[i])->type,
			    fspec(s->key.f[i])->type) == 0, "%s: field %d is "
			    "%s, @%s has %s", c->ctx, i,
			    fspec(o->key.f[i])->type, o->s,
			    fspec(s->key.f[i])->type);
		x_key(c, &o->key, s->interval);
		if (o->kind == OP_LOOKUP) {
			ck_assert_int_eq(s->data, ND_NONE);
			x_lookup(c, o->s, false, 0, o->u != 0);
		} else if (o->kind == OP_MARK_MAP) {
			ck_assert_int_eq(s->data, ND_MARK);
			x_lookup(c, o->s, true, NFT_REG_1, false);
			x_ct_store(c, NFT_CT_MARK);
		} else {
			ck_assert_int_eq(s->data, ND_VERDICT);
			x_lookup(c, o->s, true, NFT_REG_VERDICT, false);
		}
		break;
	case OP_COUNTER_MAP:
		x_ct_load(c, NFT_CT_MARK, NFT_REG_1);
		x = next_x(c, "objref");
		x_u32(c, x, NFTNL_EXPR_OBJREF_SET_SREG, NFT_REG_1, "set sreg");
		x_str(c, x, raw_str(x, buf, sizeof(buf), 1,
		    NFTA_OBJREF_SET_NAME), o->s, "set");
		ck_assert_ptr_nonnull(s);
		ck_assert_int_eq(s->data, ND_COUNTER);
		break;
	case OP_COUNTER:
		x = next_x(c, "objref");
		x_u32(c, x, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER,
		    "type");
		x_str(c, x, raw_str(x, buf, sizeof(buf), 1,
		    NFTA_OBJREF_IMM_NAME), o->s, "name");
		break;
	case OP_LIMIT:
		x = next_x(c, "limit");
		ck_assert_uint_eq(nftnl_expr_get_u64(x->e,
		    NFTNL_EXPR_LIMIT_RATE), o->u);
		ck_assert_uint_eq(nftnl_expr_get_u64(x->e,
		    NFTNL_EXPR_LIMIT_UNIT), 1);
		x_u32(c, x, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS, "type");
		ck_assert_msg((nftnl_expr_get_u32(x->e,
		    NFTNL_EXPR_LIMIT_FLAGS) & NFT_LIMIT_F_INV) == 0,
		    "%s: limit inverted", c->ctx);
		break;
	case OP_LOG:
		x = next_x(c, "log");
		x_str(c, x, raw_str(x, buf, sizeof(buf), 1, NFTA_LOG_PREFIX),
		    o->s, "prefix");
		ck_assert_uint_eq(nftnl_expr_get_u16(x->e,
		    NFTNL_EXPR_LOG_GROUP), o->u);
		break;
	case OP_ACCEPT:
		x_verdict(c, NF_ACCEPT, NULL);
		break;
	case OP_DROP:
		x_verdict(c, NF_DROP, NULL);
		break;
	case OP_JUMP:
		x_verdict(c, NFT_JUMP, o->s);
		break;
	case OP_QUEUE:
		x_queue(c, (uint16_t)o->u, c->ir->queue_compat);
		break;
	case OP_MARK_FROM_CT:
		x_ct_load(c, NFT_CT_MARK, NFT_REG_1);
		x = next_x(c, "meta");
		x_u32(c, x, NFTNL_EXPR_META_KEY, NFT_META_MARK, "key");
		x_u32(c, x, NFTNL_EXPR_META_SREG, NFT_REG_1, "sreg");
		break;
	case OP_CT_LABEL:
		label_bits(o->u, lab);
		x_ct_load(c, NFT_CT_LABELS, NFT_REG_1);
		x_bitwise(c, lab, 16);
		x_cmp(c, NFT_CMP_NEQ, zero, 16);
		break;
	case OP_CT_LABEL_SET:
		label_bits(o->u, lab);
		x = next_x(c, "immediate");
		x_u32(c, x, NFTNL_EXPR_IMM_DREG, NFT_REG_1, "dreg");
		x_data(c, x, NFTNL_EXPR_IMM_DATA, lab, 16, "data");
		x_ct_store(c, NFT_CT_LABELS);
		break;
	default:
		ck_abort_msg("%s: unknown op %d", c->ctx, o->kind);
	}
}

/* Every rule of the batch decodes to the ops of its IR rule, and nothing
 * else; the rule's comment names its policy line. */
static void
check_rules(const struct nft_ir *ir, const struct pbatch *pb)
{
	size_t total = 0;

	for (size_t ci = 0; ci < ir->nchains; ci++) {
		const struct nft_chain *ch = ir->chains[ci];

		ck_assert_msg(pb_nrules(pb, ch->name) == ch->nrules,
		    "chain %s: %u rules in the batch, %zu in the IR", ch->name,
		    pb_nrules(pb, ch->name), ch->nrules);
		for (size_t ri = 0; ri < ch->nrules; ri++) {
			const struct nft_rule *ir_r = &ch->rules[ri];
			struct cur c = { .ir = ir };
			uint32_t len = 0;
			const char *ud;

			c.r = pb_rule(pb, ch->name, (unsigned)ri);
			snprintf(c.ctx, sizeof(c.ctx), "chain %s rule %zu",
			    ch->name, ri);
			ck_assert_msg(c.r != NULL, "%s: not in the batch",
			    c.ctx);
			/* a full rule could have lost an op silently */
			ck_assert_msg(ir_r->nops > 0 &&
			    ir_r->nops < NFTGEN_MAX_OPS, "%s: %d ops", c.ctx,
			    ir_r->nops);
			for (int k = 0; k < ir_r->nops; k++)
				x_op(&c, &ir_r->ops[k]);
			ck_assert_msg(c.k == c.r->nex, "%s: %d expressions "
			    "left over after the IR's ops (next [%s])", c.ctx,
			    c.r->nex - c.k, c.r->ex[c.k].name);
			ud = nftnl_rule_get_data(c.r->r, NFTNL_RULE_USERDATA,
			    &len);
			if (ir_r->line > 0) {
				char want[64];
				/* "FILE:LINE" with its NUL */
				snprintf(want, sizeof(want), ":%d", ir_r->line);
				ck_assert_msg(ud != NULL && memmem(ud, len,
				    want, strlen(want) + 1) != NULL, "%s: no "
				    "comment naming line %d", c.ctx,
				    ir_r->line);
			} else
				ck_assert_msg(ud == NULL, "%s: a comment "
				    "without a line", c.ctx);
			total++;
		}
	}
	ck_assert_uint_eq(total, pb->nrules);
}

/* ---------------------------------------------------------------------
 * Chains, sets, objects
 */

static void
check_chains(const struct nft_ir *ir, const struct pbatch *pb)
{
	ck_assert_uint_eq(pb->nchains, ir->nchains);
	for (size_t i = 0; i < ir->nchains; i++) {
		const struct nft_chain *c = ir->chains[i];
		struct nftnl_chain *pc = pb_chain(pb, c->name);
		uint32_t hook = 0, policy = 0;
		int32_t prio = 0;

		ck_assert_msg(pc != NULL, "chain %s not in the batch", c->name);
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(ir->chains[j]->name, c->name);
		switch (c->hook) {
		case HOOK_NONE:
			ck_assert_msg(!nftnl_chain_is_set(pc,
			    NFTNL_CHAIN_HOOKNUM) && !nftnl_chain_is_set(pc,
			    NFTNL_CHAIN_POLICY), "chain %s: a regular chain "
			    "with a hook or policy", c->name);
			continue;
		case HOOK_FORWARD:
			hook = NF_INET_FORWARD, prio = 0, policy = NF_DROP;
			break;
		case HOOK_INPUT:
			hook = NF_INET_LOCAL_IN, prio = 0, policy = NF_DROP;
			break;
		case HOOK_VERDICT:
			hook = NF_INET_FORWARD, prio = 10, policy = NF_ACCEPT;
			break;
		case HOOK_AGREED:
			hook = NF_INET_FORWARD, prio = 11, policy = NF_ACCEPT;
			break;
		}
		ck_assert_msg(nftnl_chain_is_set(pc, NFTNL_CHAIN_HOOKNUM),
		    "chain %s: no hook", c->name);
		ck_assert_uint_eq(nftnl_chain_get_u32(pc, NFTNL_CHAIN_HOOKNUM),
		    hook);
		ck_assert_int_eq(nftnl_chain_get_s32(pc, NFTNL_CHAIN_PRIO),
		    prio);
		ck_assert_uint_eq(nftnl_chain_get_u32(pc, NFTNL_CHAIN_POLICY),
		    policy);
		ck_assert_str_eq(nftnl_chain_get_str(pc, NFTNL_CHAIN_TYPE),
		    "filter");
	}
}

static void
check_sets(const struct nft_ir *ir, const struct pbatch *pb)
{
	ck_assert_uint_eq(pb->nsets, ir->nsets);
	for (size_t i = 0; i < ir->nsets; i++) {
		const struct nft_set *is = ir->sets[i];
		struct nftnl_set *s = pb_set(pb, is->name);
		uint32_t flags, want = 0, klen = spec_key_len(&is->key);
		struct nftnl_set_elem **ev;
		size_t n;

		ck_assert_msg(s != NULL, "set %s not in the batch", is->name);
		ck_assert_msg(klen <= NFTGEN_KEY_MAX, "set %s: key of %u bytes",
		    is->name, klen);
		ck_assert_uint_eq(nftgen_key_len(&is->key), klen);
		ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN),
		    klen);
		flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
		if (is->interval)
			want |= NFT_SET_INTERVAL;
		if (is->interval && is->key.n > 1) {
			uint8_t lens[NFTGEN_MAX_FIELDS];
			uint32_t len = 0;
			const void *d;

			want |= NFT_SET_CONCAT;
			for (int k = 0; k < is->key.n; k++)
				lens[k] = (uint8_t)fspec(is->key.f[k])->len;
			d = nftnl_set_get_data(s, NFTNL_SET_DESC_CONCAT, &len);
			ck_assert_msg(d && len == (uint32_t)is->key.n &&
			    memcmp(d, lens, len) == 0, "set %s: field lengths",
			    is->name);
		}
		switch (is->data) {
		case ND_VERDICT:
			want |= NFT_SET_MAP;
			ck_assert_uint_eq(nftnl_set_get_u32(s,
			    NFTNL_SET_DATA_TYPE), NFT_DATA_VERDICT);
			break;
		case ND_MARK:
			want |= NFT_SET_MAP;
			ck_assert_uint_eq(nftnl_set_get_u32(s,
			    NFTNL_SET_DATA_LEN), 4);
			break;
		case ND_COUNTER:
			want |= NFT_SET_OBJECT;
			ck_assert_uint_eq(nftnl_set_get_u32(s,
			    NFTNL_SET_OBJ_TYPE), NFT_OBJECT_COUNTER);
			break;
		case ND_NONE:
			break;
		}
		ck_assert_msg(flags == want, "set %s: flags %#x, expected %#x",
		    is->name, flags, want);

		/* the elements, in order */
		ev = pb_elems(pb, is->name, &n);
		ck_assert_msg(n == is->nelems, "set %s: %zu elements in the "
		    "batch, %zu in the IR", is->name, n, is->nelems);
		for (size_t j = 0; j < n; j++) {
			const struct nft_elem *ie = &is->elems[j];
			uint32_t len = 0;
			const void *d;

			d = nftnl_set_elem_get(ev[j], NFTNL_SET_ELEM_KEY, &len);
			ck_assert_msg(d && len == klen && memcmp(d, ie->key,
			    klen) == 0, "set %s element %zu: key", is->name, j);
			d = nftnl_set_elem_get(ev[j], NFTNL_SET_ELEM_KEY_END,
			    &len);
			if (is->interval)
				ck_assert_msg(d && len == klen && memcmp(d,
				    ie->key_end, klen) == 0, "set %s element "
				    "%zu: key end", is->name, j);
			else
				ck_assert_msg(d == NULL, "set %s element %zu: "
				    "a key end", is->name, j);
			for (int k = 0; is->interval && k < is->key.n; k++) {
				uint32_t o = spec_off(&is->key, k);
				ck_assert_msg(memcmp(ie->key + o,
				    ie->key_end + o, fspec(is->key.f[k])->len)
				    <= 0, "set %s element %zu field %d: end "
				    "before start", is->name, j, k);
			}
			switch (is->data) {
			case ND_MARK:
				d = nftnl_set_elem_get(ev[j],
				    NFTNL_SET_ELEM_DATA, &len);
				ck_assert_msg(d && len == 4 && memcmp(d,
				    &ie->mark, 4) == 0, "set %s element %zu: "
				    "mark", is->name, j);
				ck_assert_uint_ne(ie->mark, 0);
				break;
			case ND_VERDICT:
				ck_assert_uint_eq(nftnl_set_elem_get_u32(ev[j],
				    NFTNL_SET_ELEM_VERDICT),
				    (uint32_t)NFT_JUMP);
				ck_assert_str_eq(nftnl_set_elem_get_str(ev[j],
				    NFTNL_SET_ELEM_CHAIN), ie->ref);
				ck_assert_msg(pb_chain(pb, ie->ref) != NULL,
				    "set %s: jump to a chain %s not in the "
				    "batch", is->name, ie->ref);
				break;
			case ND_COUNTER:
				ck_assert_str_eq(nftnl_set_elem_get_str(ev[j],
				    NFTNL_SET_ELEM_OBJREF), ie->ref);
				ck_assert_msg(pb_obj(pb, ie->ref) != NULL,
				    "set %s: counter %s not in the batch",
				    is->name, ie->ref);
				break;
			case ND_NONE:
				ck_assert_msg(!nftnl_set_elem_is_set(ev[j],
				    NFTNL_SET_ELEM_DATA), "set %s element %zu:"
				    " data in a plain set", is->name, j);
				break;
			}
			d = nftnl_set_elem_get(ev[j], NFTNL_SET_ELEM_USERDATA,
			    &len);
			if (ie->comment)
				ck_assert_msg(d && memmem(d, len, ie->comment,
				    strlen(ie->comment)) != NULL, "set %s "
				    "element %zu: comment", is->name, j);
		}
		free(ev);
	}
}

static void
check_objects(const struct nft_ir *ir, const struct pbatch *pb)
{
	ck_assert_uint_eq(pb->nobjs, ir->ncounters);
	for (size_t i = 0; i < ir->ncounters; i++) {
		struct nftnl_obj *o = pb_obj(pb, ir->counters[i].name);
		uint32_t len = 0;
		const void *ud;

		ck_assert_msg(o != NULL, "counter %s not in the batch",
		    ir->counters[i].name);
		ck_assert_uint_eq(nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE),
		    NFT_OBJECT_COUNTER);
		ud = nftnl_obj_get_data(o, NFTNL_OBJ_USERDATA, &len);
		if (ir->counters[i].line > 0) {
			char want[64];
			snprintf(want, sizeof(want), ":%d",
			    ir->counters[i].line);
			ck_assert_msg(ud && memmem(ud, len, want,
			    strlen(want) + 1), "counter %s: comment",
			    ir->counters[i].name);
		}
	}
}

/* The order a kernel transaction needs: the table replaced first, then
 * what rules and elements refer to before them. */
static void
check_order(const struct pbatch *pb)
{
	size_t last_def = 0, first_rule = pb->ntypes;

	ck_assert_uint_ge(pb->ntypes, 3);
	ck_assert_uint_eq(pb->types[0], NFT_MSG_NEWTABLE);
	ck_assert_uint_eq(pb->types[1], NFT_MSG_DELTABLE);
	ck_assert_uint_eq(pb->types[2], NFT_MSG_NEWTABLE);
	for (size_t i = 3; i < pb->ntypes; i++) {
		ck_assert_msg(pb->types[i] != NFT_MSG_NEWTABLE &&
		    pb->types[i] != NFT_MSG_DELTABLE, "a second table message");
		if (pb->types[i] == NFT_MSG_NEWRULE) {
			if (first_rule == pb->ntypes)
				first_rule = i;
		} else
			last_def = i;
	}
	ck_assert_msg(last_def < first_rule, "a definition after a rule");
	/* chains before any set: verdict map elements name them */
	for (size_t i = 0, sets = 0; i < pb->ntypes; i++) {
		sets += pb->types[i] == NFT_MSG_NEWSET;
		ck_assert_msg(pb->types[i] != NFT_MSG_NEWCHAIN || sets == 0,
		    "a chain after a set");
	}
}

/* The message table maps every message back to its IR object (the daemon
 * names the object and policy line of a kernel error with it). */
static void
check_msg_table(const struct nft_ir *ir, const struct nft_batch *b)
{
	uint32_t *firsts = calloc(ir->nsets + 1, sizeof(*firsts));

	ck_assert_ptr_nonnull(firsts);
	for (size_t i = 0; i < b->nmsgs; i++) {
		const struct nft_msg *m = &b->msgs[i];
		const struct nlmsghdr *nlh = (const void *)(b->buf + m->off);
		char desc[512];
		int line;

		ck_assert_uint_eq(nlh->nlmsg_seq, m->seq);
		line = nftemit_describe(b, ir, m, 0, desc, sizeof(desc));
		switch (m->kind) {
		case MSG_RULE: {
			struct nftnl_rule *r = nftnl_rule_alloc();
			char want[300];
			ck_assert_uint_lt(m->obj, ir->nchains);
			ck_assert_uint_lt(m->sub, ir->chains[m->obj]->nrules);
			ck_assert_int_eq(nftnl_rule_nlmsg_parse(nlh, r), 0);
			ck_assert_str_eq(nftnl_rule_get_str(r,
			    NFTNL_RULE_CHAIN), ir->chains[m->obj]->name);
			nftnl_rule_free(r);
			snprintf(want, sizeof(want), "chain %s rule %u",
			    ir->chains[m->obj]->name, m->sub + 1);
			ck_assert_str_eq(desc, want);
			ck_assert_int_eq(line,
			    ir->chains[m->obj]->rules[m->sub].line);
			break;
		}
		case MSG_CHAIN: {
			struct nftnl_chain *c = nftnl_chain_alloc();
			ck_assert_uint_lt(m->obj, ir->nchains);
			ck_assert_int_eq(nftnl_chain_nlmsg_parse(nlh, c), 0);
			ck_assert_str_eq(nftnl_chain_get_str(c,
			    NFTNL_CHAIN_NAME), ir->chains[m->obj]->name);
			nftnl_chain_free(c);
			break;
		}
		case MSG_SET: {
			struct nftnl_set *s = nftnl_set_alloc();
			ck_assert_uint_lt(m->obj, ir->nsets);
			ck_assert_int_eq(nftnl_set_nlmsg_parse(nlh, s), 0);
			ck_assert_str_eq(nftnl_set_get_str(s, NFTNL_SET_NAME),
			    ir->sets[m->obj]->name);
			nftnl_set_free(s);
			break;
		}
		case MSG_ELEMS:
			ck_assert_uint_lt(m->obj, ir->nsets);
			ck_assert_uint_eq(m->sub, firsts[m->obj]);
			ck_assert_uint_gt(m->count, 0);
			firsts[m->obj] += m->count;
			ck_assert_uint_le(firsts[m->obj],
			    ir->sets[m->obj]->nelems);
			if (m->count == 1)
				ck_assert_int_eq(line,
				    ir->sets[m->obj]->elems[m->sub].line);
			break;
		case MSG_COUNTER: {
			struct nftnl_obj *o = nftnl_obj_alloc();
			ck_assert_uint_lt(m->obj, ir->ncounters);
			ck_assert_int_eq(nftnl_obj_nlmsg_parse(nlh, o), 0);
			ck_assert_str_eq(nftnl_obj_get_str(o, NFTNL_OBJ_NAME),
			    ir->counters[m->obj].name);
			nftnl_obj_free(o);
			ck_assert_int_eq(line, ir->counters[m->obj].line);
			break;
		}
		case MSG_TABLE:
			break;
		}
	}
	for (size_t i = 0; i < ir->nsets; i++)
		ck_assert_msg(firsts[i] == ir->sets[i]->nelems, "set %s: %u "
		    "of %zu elements in the message table", ir->sets[i]->name,
		    firsts[i], ir->sets[i]->nelems);
	free(firsts);
}

/* Every name a rule refers to is defined in the same batch, and every
 * regular chain is the target of some jump or verdict map. */
static void
check_references(const struct pbatch *pb)
{
	bool *used = calloc(pb->nchains + 1, sizeof(*used));

	ck_assert_ptr_nonnull(used);
	for (size_t i = 0; i < pb->nrules; i++) {
		const struct prule *r = &pb->rules[i];

		for (int k = 0; k < r->nex; k++) {
			const struct pexpr *x = &r->ex[k];
			char buf[256];
			const char *s;

			if (strcmp(x->name, "immediate") == 0 &&
			    (s = raw_str(x, buf, sizeof(buf), 3,
			    NFTA_IMMEDIATE_DATA, NFTA_DATA_VERDICT,
			    NFTA_VERDICT_CHAIN)) != NULL) {
				ck_assert_msg(pb_chain(pb, s) != NULL, "chain "
				    "%s: jump to unknown chain %s", r->chain,
				    s);
				for (size_t c = 0; c < pb->nchains; c++)
					if (strcmp(nftnl_chain_get_str(
					    pb->chains[c], NFTNL_CHAIN_NAME),
					    s) == 0)
						used[c] = true;
			}
			if (strcmp(x->name, "lookup") == 0) {
				s = raw_str(x, buf, sizeof(buf), 1,
				    NFTA_LOOKUP_SET);
				ck_assert_msg(s && pb_set(pb, s) != NULL,
				    "chain %s: lookup of unknown set %s",
				    r->chain, s ? s : "?");
			}
			if (strcmp(x->name, "objref") == 0) {
				s = raw_str(x, buf, sizeof(buf), 1,
				    NFTA_OBJREF_IMM_NAME);
				if (s)
					ck_assert_msg(pb_obj(pb, s) != NULL,
					    "chain %s: unknown counter %s",
					    r->chain, s);
				s = raw_str(x, buf, sizeof(buf), 1,
				    NFTA_OBJREF_SET_NAME);
				if (s)
					ck_assert_msg(pb_set(pb, s) != NULL,
					    "chain %s: unknown map %s",
					    r->chain, s);
			}
		}
	}
	for (size_t i = 0; i < pb->nelems; i++) {
		struct nftnl_set_elems_iter *it;
		struct nftnl_set_elem *e;

		it = nftnl_set_elems_iter_create(pb->elems[i].s);
		while ((e = nftnl_set_elems_iter_next(it)) != NULL)
			if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_CHAIN))
				for (size_t c = 0; c < pb->nchains; c++)
					if (strcmp(nftnl_chain_get_str(
					    pb->chains[c], NFTNL_CHAIN_NAME),
					    nftnl_set_elem_get_str(e,
					    NFTNL_SET_ELEM_CHAIN)) == 0)
						used[c] = true;
		nftnl_set_elems_iter_destroy(it);
	}
	for (size_t c = 0; c < pb->nchains; c++) {
		const char *name = nftnl_chain_get_str(pb->chains[c],
		    NFTNL_CHAIN_NAME);

		/* nftgen makes deny.mac (and its counter) even when no host
		 * is pinned and no rule jumps there: harmless, tolerated */
		if (!used[c] && strcmp(name, "deny.mac") == 0 &&
		    pb_set(pb, "pinned4") == NULL &&
		    pb_set(pb, "pinned6") == NULL)
			continue;
		ck_assert_msg(used[c] || nftnl_chain_is_set(pb->chains[c],
		    NFTNL_CHAIN_HOOKNUM), "chain %s is never jumped to", name);
	}
	free(used);
}

/* ---------------------------------------------------------------------
 * The forward path of the IR: which chains a forwarded packet can reach
 * from the filter chain, and what they accept
 */

static void
reach(const struct nft_ir *ir, const char *name, bool *seen)
{
	for (size_t i = 0; i < ir->nchains; i++) {
		const struct nft_chain *c = ir->chains[i];

		if (strcmp(c->name, name) != 0 || seen[i])
			continue;
		seen[i] = true;
		for (size_t r = 0; r < c->nrules; r++)
			for (int k = 0; k < c->rules[r].nops; k++) {
				const struct nft_op *o = &c->rules[r].ops[k];
				const struct nft_set *s;

				if (o->kind == OP_JUMP)
					reach(ir, o->s, seen);
				if (o->kind != OP_VMAP)
					continue;
				s = nftgen_find_set(ir, o->s);
				ck_assert_ptr_nonnull(s);
				for (size_t e = 0; e < s->nelems; e++)
					reach(ir, s->elems[e].ref, seen);
			}
	}
}

/* Nothing is accepted on the forward path without the mark of an active
 * flow: an accept comes only after "ct mark @active" or "ct mark != 0". */
static size_t
check_forward_accepts(const struct nft_ir *ir)
{
	bool *seen = calloc(ir->nchains + 1, sizeof(*seen));
	size_t accepts = 0;

	ck_assert_ptr_nonnull(seen);
	reach(ir, "forward", seen);
	for (size_t i = 0; i < ir->nchains; i++) {
		const struct nft_chain *c = ir->chains[i];

		if (!seen[i])
			continue;
		ck_assert_msg(c->hook == HOOK_NONE || c->hook == HOOK_FORWARD,
		    "chain %s reached from forward", c->name);
		for (size_t r = 0; r < c->nrules; r++) {
			const struct nft_rule *ru = &c->rules[r];
			bool marked = false;

			for (int k = 0; k < ru->nops; k++) {
				const struct nft_op *o = &ru->ops[k];

				if ((o->kind == OP_CT_MARK_NE && o->u == 0) ||
				    (o->kind == OP_LOOKUP && o->u == 0 &&
				    strcmp(o->s, "active") == 0))
					marked = true;
				if (o->kind == OP_QUEUE)
					ck_abort_msg("chain %s: a queue on the "
					    "forward filter path", c->name);
				if (o->kind != OP_ACCEPT)
					continue;
				accepts++;
				ck_assert_msg(marked, "chain %s rule %zu "
				    "accepts without a flow mark", c->name, r);
			}
		}
	}
	free(seen);
	return accepts;
}

/* ---------------------------------------------------------------------
 * nft text
 */

/* The lines of chain name in the text (the hook line, then the rules),
 * NULL when the chain is not there.  *n lines; malloc'd copies. */
static char **
text_chain(const char *text, const char *name, size_t *n)
{
	char head[300], **v = NULL;
	const char *p, *end;
	size_t cap = 0;

	*n = 0;
	snprintf(head, sizeof(head), "\n\tchain %s {\n", name);
	if ((p = strstr(text, head)) == NULL)
		return NULL;
	ck_assert_ptr_null(strstr(p + 1, head));	/* once */
	p += strlen(head);
	while (strncmp(p, "\t}\n", 3) != 0) {
		ck_assert_msg(*p != '\0', "chain %s: no end", name);
		end = strchr(p, '\n');
		ck_assert_ptr_nonnull(end);
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = realloc(v, cap * sizeof(*v));
			ck_assert_ptr_nonnull(v);
		}
		ck_assert_msg(strncmp(p, "\t\t", 2) == 0, "chain %s: line %.*s",
		    name, (int)(end - p), p);
		v[(*n)++] = strndup(p + 2, (size_t)(end - p - 2));
		p = end + 1;
	}
	if (v == NULL)
		v = calloc(1, sizeof(*v));
	return v;
}

static void
lines_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Every chain, set and counter of the IR is in the text, with as many rule
 * lines as the IR and the batch have rules. */
static void
check_text(const struct nft_ir *ir, const struct pbatch *pb, const char *text)
{
	char want[300];

	ck_assert_ptr_nonnull(strstr(text, "table inet zoned {\n"));
	for (size_t i = 0; i < ir->nchains; i++) {
		const struct nft_chain *c = ir->chains[i];
		size_t n, rules;
		char **v = text_chain(text, c->name, &n);

		ck_assert_msg(v != NULL, "chain %s not in the text", c->name);
		ck_assert_uint_ge(n, c->hook != HOOK_NONE);
		rules = n - (c->hook != HOOK_NONE);
		if (c->hook != HOOK_NONE)
			ck_assert_msg(strncmp(v[0], "type filter hook ", 17) ==
			    0, "chain %s: %s", c->name, v[0]);
		for (size_t j = c->hook != HOOK_NONE; j < n; j++)
			ck_assert_msg(strncmp(v[j], "type ", 5) != 0,
			    "chain %s: %s", c->name, v[j]);
		ck_assert_msg(rules == c->nrules && rules == pb_nrules(pb,
		    c->name), "chain %s: %zu rules in the text, %zu in the "
		    "IR, %u in the batch", c->name, rules, c->nrules,
		    pb_nrules(pb, c->name));
		lines_free(v, n);
	}
	for (size_t i = 0; i < ir->nsets; i++) {
		snprintf(want, sizeof(want), "\t%s %s {\n",
		    ir->sets[i]->data == ND_NONE ? "set" : "map",
		    ir->sets[i]->name);
		ck_assert_msg(strstr(text, want) != NULL, "set %s not in the "
		    "text", ir->sets[i]->name);
	}
	for (size_t i = 0; i < ir->ncounters; i++) {
		snprintf(want, sizeof(want), "\tcounter %s {\n",
		    ir->counters[i].name);
		ck_assert_msg(strstr(text, want) != NULL, "counter %s not in "
		    "the text", ir->counters[i].name);
	}
	/* nothing more: one "chain" line per IR chain */
	{
		size_t n = 0;
		for (const char *p = strstr(text, "\n\tchain "); p != NULL;
		    p = strstr(p + 1, "\n\tchain "))
			n++;
		ck_assert_uint_eq(n, ir->nchains);
	}
}

/* ---------------------------------------------------------------------
 * The dual-mode chains, byte by byte (independent of the IR's ops)
 */

/* A rule line without its comment. */
static char *
uncomment(const char *line)
{
	const char *c = strstr(line, " comment \"");
	return strndup(line, c ? (size_t)(c - line) : strlen(line));
}

static void
check_ct_new(struct cur *c)
{
	uint32_t mask = CT_NEW, zero = 0;

	x_ct_load(c, NFT_CT_STATE, NFT_REG_1);
	x_bitwise(c, &mask, 4);
	x_cmp(c, NFT_CMP_NEQ, &zero, 4);
}

static void
check_dual_chains(const struct nft_ir *ir, const struct pbatch *pb,
    const char *text, unsigned queue, int line)
{
	const struct nft_chain *v = ir_chain(ir, "verdict");
	const struct nft_chain *a = ir_chain(ir, "agreed");
	struct nftnl_chain *pv = pb_chain(pb, "verdict");
	struct nftnl_chain *pa = pb_chain(pb, "agreed");
	uint8_t mask[16] = { 0 }, zero[16] = { 0 };
	struct cur c = { .ir = ir };
	const struct pexpr *x;
	char **lines, want[128];
	size_t n;

	/* the IR */
	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(v->hook, HOOK_VERDICT);
	ck_assert_int_eq(a->hook, HOOK_AGREED);
	ck_assert_uint_eq(v->nrules, 3);
	ck_assert_uint_eq(a->nrules, 1);

	/* the chains in the batch */
	ck_assert_ptr_nonnull(pv);
	ck_assert_ptr_nonnull(pa);
	ck_assert_uint_eq(nftnl_chain_get_u32(pv, NFTNL_CHAIN_HOOKNUM),
	    NF_INET_FORWARD);
	ck_assert_int_eq(nftnl_chain_get_s32(pv, NFTNL_CHAIN_PRIO), 10);
	ck_assert_uint_eq(nftnl_chain_get_u32(pv, NFTNL_CHAIN_POLICY),
	    NF_ACCEPT);
	ck_assert_uint_eq(nftnl_chain_get_u32(pa, NFTNL_CHAIN_HOOKNUM),
	    NF_INET_FORWARD);
	ck_assert_int_eq(nftnl_chain_get_s32(pa, NFTNL_CHAIN_PRIO), 11);
	ck_assert_uint_eq(nftnl_chain_get_u32(pa, NFTNL_CHAIN_POLICY),
	    NF_ACCEPT);
	ck_assert_uint_eq(pb_nrules(pb, "verdict"), 3);
	ck_assert_uint_eq(pb_nrules(pb, "agreed"), 1);

	/* verdict 0: ct state untracked drop */
	c.r = pb_rule(pb, "verdict", 0);
	snprintf(c.ctx, sizeof(c.ctx), "verdict rule 0");
	ck_assert_ptr_nonnull(c.r);
	{
		uint32_t untracked = 0x40, z32 = 0;
		x_ct_load(&c, NFT_CT_STATE, NFT_REG_1);
		x_bitwise(&c, &untracked, 4);
		x_cmp(&c, NFT_CMP_NEQ, &z32, 4);
	}
	x_verdict(&c, NF_DROP, NULL);
	ck_assert_int_eq(c.k, c.r->nex);

	/* verdict 1: ct state new ct label 120 accept */
	mask[15] = 0x01;
	c.r = pb_rule(pb, "verdict", 1);
	c.k = 0;
	snprintf(c.ctx, sizeof(c.ctx), "verdict rule 1");
	ck_assert_ptr_nonnull(c.r);
	check_ct_new(&c);
	x_ct_load(&c, NFT_CT_LABELS, NFT_REG_1);
	x_bitwise(&c, mask, 16);
	x_cmp(&c, NFT_CMP_NEQ, zero, 16);
	x_verdict(&c, NF_ACCEPT, NULL);
	ck_assert_int_eq(c.k, c.r->nex);

	/* verdict 2: ct state new meta mark set ct mark queue num Q */
	c.r = pb_rule(pb, "verdict", 2);
	c.k = 0;
	snprintf(c.ctx, sizeof(c.ctx), "verdict rule 2");
	ck_assert_ptr_nonnull(c.r);
	check_ct_new(&c);
	x_ct_load(&c, NFT_CT_MARK, NFT_REG_1);
	x = next_x(&c, "meta");
	x_u32(&c, x, NFTNL_EXPR_META_KEY, NFT_META_MARK, "key");
	x_u32(&c, x, NFTNL_EXPR_META_SREG, NFT_REG_1, "sreg");
	x_queue(&c, (uint16_t)queue, ir->queue_compat);
	ck_assert_int_eq(c.k, c.r->nex);
	/* exactly one of the two queue forms */
	for (int k = 0; k < c.r->nex; k++)
		ck_assert_str_ne(c.r->ex[k].name, ir->queue_compat ? "queue" :
		    "target");

	/* agreed 0: ct state new ct label set 120 */
	c.r = pb_rule(pb, "agreed", 0);
	c.k = 0;
	snprintf(c.ctx, sizeof(c.ctx), "agreed rule 0");
	ck_assert_ptr_nonnull(c.r);
	check_ct_new(&c);
	x = next_x(&c, "immediate");
	x_u32(&c, x, NFTNL_EXPR_IMM_DREG, NFT_REG_1, "dreg");
	x_data(&c, x, NFTNL_EXPR_IMM_DATA, mask, 16, "data");
	x_ct_store(&c, NFT_CT_LABELS);
	ck_assert_int_eq(c.k, c.r->nex);

	/* the text (nft cannot print the NFQUEUE target: the same text) */
	lines = text_chain(text, "verdict", &n);
	ck_assert_ptr_nonnull(lines);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(lines[0], "type filter hook forward priority filter "
	    "+ 10; policy accept;");
	for (size_t i = 0; i < 3; i++) {
		char *got = uncomment(lines[i + 1]);
		if (i == 0)
			snprintf(want, sizeof(want), "ct state untracked drop");
		else if (i == 1)
			snprintf(want, sizeof(want), "ct state new ct label "
			    "120 accept");
		else
			snprintf(want, sizeof(want), "ct state new meta mark "
			    "set ct mark queue num %u", queue);
		ck_assert_str_eq(got, want);
		free(got);
		if (line > 0) {
			char cm[64];
			snprintf(cm, sizeof(cm), ":%d\"", line);
			ck_assert_msg(strstr(lines[i + 1], cm) != NULL,
			    "verdict text: no comment with line %d: %s", line,
			    lines[i + 1]);
		} else
			ck_assert_ptr_null(strstr(lines[i + 1], " comment "));
	}
	lines_free(lines, n);
	lines = text_chain(text, "agreed", &n);
	ck_assert_ptr_nonnull(lines);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(lines[0], "type filter hook forward priority filter "
	    "+ 11; policy accept;");
	{
		char *got = uncomment(lines[1]);
		ck_assert_str_eq(got, "ct state new ct label set 120");
		free(got);
	}
	lines_free(lines, n);
}

static void
check_no_dual_chains(const struct nft_ir *ir, const struct pbatch *pb,
    const char *text)
{
	ck_assert_ptr_null(ir_chain(ir, "verdict"));
	ck_assert_ptr_null(ir_chain(ir, "agreed"));
	ck_assert_ptr_null(pb_chain(pb, "verdict"));
	ck_assert_ptr_null(pb_chain(pb, "agreed"));
	ck_assert_ptr_null(strstr(text, "chain verdict"));
	ck_assert_ptr_null(strstr(text, "chain agreed"));
	ck_assert_ptr_null(strstr(text, "queue num"));
	ck_assert_ptr_null(strstr(text, "ct label"));
	for (size_t i = 0; i < pb->nchains; i++) {
		if (!nftnl_chain_is_set(pb->chains[i], NFTNL_CHAIN_HOOKNUM))
			continue;
		/* the base chains drop what they do not accept */
		ck_assert_uint_eq(nftnl_chain_get_u32(pb->chains[i],
		    NFTNL_CHAIN_POLICY), NF_DROP);
	}
	for (size_t i = 0; i < pb->nrules; i++)
		for (int k = 0; k < pb->rules[i].nex; k++) {
			const struct pexpr *x = &pb->rules[i].ex[k];
			ck_assert_msg(strcmp(x->name, "queue") != 0 &&
			    strcmp(x->name, "target") != 0, "chain %s: a "
			    "queue in kernel mode", pb->rules[i].chain);
			if (strcmp(x->name, "ct") == 0)
				ck_assert_uint_ne(nftnl_expr_get_u32(x->e,
				    NFTNL_EXPR_CT_KEY), NFT_CT_LABELS);
		}
}

/* ---------------------------------------------------------------------
 * 1, 2, 4. The round trip of every policy that lints clean
 */

static const struct rt_case {
	const char *path;	/* NULL: the deny-all table */
	bool compat;		/* queue through the xtables NFQUEUE target */
	bool dual;		/* the policy's mode */
} rt_cases[] = {
	{ "conf/alpha.conf", false, true },
	{ "conf/alpha.conf", true, true },
	{ "conf/alpha-prime.conf", false, true },
	{ "conf/beta.conf", false, true },
	{ "conf/beta-prime.conf", true, true },
	{ "tests/golden/alpha-small.conf", false, true },
	{ "tests/golden/alpha-small.conf", true, true },
	{ "tests/golden/beta-small.conf", false, true },
	{ "tests/golden/enforce-kernel.conf", false, false },
	{ "tests/golden/enforce-kernel.conf", true, false },
	{ "tests/golden/zl009-duplicates.conf", false, true },
	{ "tests/golden/zl012-ports.conf", false, true },
	{ "tests/golden/zl014-expired.conf", false, true },
	{ NULL, false, false },
};

START_TEST(test_roundtrip)
{
	const struct rt_case *t = &rt_cases[_i];
	struct policy *p = t->path ? load(t->path) : NULL;
	struct nft_ir *ir = p ? build(p, t->compat) : build_deny_all(NULL);
	struct nft_batch b;
	struct pbatch pb;
	struct canon c1, c2;
	char *text;

	ck_assert_int_eq(ir->queue_compat, t->compat);
	if (p)
		ck_assert_int_eq(p->enforce.mode == ENFORCE_DUAL, t->dual);
	emit(ir, true, &b);
	parse_batch(&b, true, &pb);
	check_order(&pb);
	check_msg_table(ir, &b);
	check_chains(ir, &pb);
	check_sets(ir, &pb);
	check_objects(ir, &pb);
	check_rules(ir, &pb);
	check_references(&pb);
	check_forward_accepts(ir);
	ck_assert_ptr_nonnull(pb_chain(&pb, "forward"));
	ck_assert_ptr_nonnull(pb_chain(&pb, "input"));

	text = nftgen_text(ir);
	ck_assert_ptr_nonnull(text);
	check_text(ir, &pb, text);
	if (t->dual)
		check_dual_chains(ir, &pb, text, (unsigned)p->enforce.queue,
		    p->enforce.line);
	else
		check_no_dual_chains(ir, &pb, text);

	/* every active flow has its counter, mark and counter map entry;
	 * an expired or bad one has none */
	for (size_t i = 0; p && i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];
		bool on = !f->bad && policy_flow_active(f, NOW);
		char name[128];
		struct nft_set *active = nftgen_find_set(ir, "active");
		struct nft_set *fctr = nftgen_find_set(ir, "fctr");
		bool in_active = false, in_fctr = false;

		snprintf(name, sizeof(name), "flow.%s", f->name);
		ck_assert_msg((pb_obj(&pb, name) != NULL) == on, "%s: counter "
		    "%s %s", t->path, name, on ? "missing" : "of an inactive "
		    "flow");
		ck_assert_ptr_nonnull(active);
		ck_assert_ptr_nonnull(fctr);
		for (size_t e = 0; e < active->nelems; e++)
			in_active |= memcmp(active->elems[e].key, &f->mark,
			    4) == 0;
		for (size_t e = 0; e < fctr->nelems; e++)
			if (memcmp(fctr->elems[e].key, &f->mark, 4) == 0) {
				in_fctr = true;
				ck_assert_str_eq(fctr->elems[e].ref, name);
			}
		ck_assert_int_eq(in_active, on);
		ck_assert_int_eq(in_fctr, on);
	}

	/* nftcanon: the batch's lines are the lines of its messages, one rule
	 * line per rule, in order; an identical build compares equal */
	canon_init(&c1);
	ck_assert_int_eq(canon_batch(&c1, &b), 0);
	{
		size_t rules = 0;
		for (size_t i = 0; i < c1.n; i++)
			rules += strncmp(c1.v[i], "rule ", 5) == 0;
		ck_assert_uint_eq(rules, pb.nrules);
		for (size_t i = 0; i < pb.nrules; i++) {
			char head[300];
			bool found = false;
			snprintf(head, sizeof(head), "rule %s %u [",
			    pb.rules[i].chain, pb.rules[i].pos);
			for (size_t j = 0; j < c1.n && !found; j++)
				found = strncmp(c1.v[j], head, strlen(head)) ==
				    0;
			ck_assert_msg(found, "no canonical line %s", head);
		}
	}
	canon_sort(&c1);
	{
		struct nft_ir *ir2 = p ? build(p, t->compat) :
		    build_deny_all(NULL);
		struct nft_batch b2;

		emit(ir2, true, &b2);
		canon_init(&c2);
		ck_assert_int_eq(canon_batch(&c2, &b2), 0);
		canon_sort(&c2);
		ck_assert_uint_eq(canon_diff(&c1, &c2, NULL, NULL), 0);
		ck_assert_uint_eq(c1.n, c2.n);
		canon_free(&c2);
		nftemit_free(&b2);
		nftgen_free(ir2);
	}
	canon_free(&c1);

	free(text);
	pbatch_free(&pb);
	nftemit_free(&b);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

/* Without commit the batch has no end: the kernel checks and aborts. */
START_TEST(test_check_only)
{
	struct policy *p = load("tests/golden/alpha-small.conf");
	struct nft_ir *ir = build(p, false);
	struct nft_batch b1, b2;
	struct pbatch pb;

	emit(ir, false, &b2);
	parse_batch(&b2, false, &pb);
	emit(ir, true, &b1);
	ck_assert_uint_eq(b1.nmsgs, b2.nmsgs);
	ck_assert_uint_gt(b1.len, b2.len);
	/* the same messages, byte for byte */
	ck_assert_mem_eq(b1.buf, b2.buf, b2.len);
	pbatch_free(&pb);
	nftemit_free(&b1);
	nftemit_free(&b2);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

/* The field table of nftgen against nft's datatypes. */
START_TEST(test_fields)
{
	for (size_t i = 0; i < ARRAY_LEN(fspecs); i++) {
		const struct nft_field_info *fi = nftgen_field(fspecs[i].field);
		struct nft_key k = { .n = 1,
		    .f = { (uint8_t)fspecs[i].field } };

		ck_assert_uint_eq(fi->len, fspecs[i].len);
		ck_assert_uint_eq(fi->reglen, fspecs[i].reglen);
		ck_assert_uint_eq(nftgen_key_len(&k), fspecs[i].len);
	}
	{
		/* the longest flow key: 16 + 8 + 16 + 4 + 4 */
		struct nft_key k = { .n = 5, .f = { NF_SADDR6, NF_ETHER_SADDR,
		    NF_DADDR6, NF_L4PROTO, NF_TH_DPORT } };
		ck_assert_uint_eq(nftgen_key_len(&k), 48);
		ck_assert_uint_eq(nftgen_field_offset(&k, 2), 24);
		ck_assert_uint_eq(nftgen_field_offset(&k, 4), 44);
	}
}
END_TEST

/* ---------------------------------------------------------------------
 * 2. Queue number, comment and log settings from the policy
 */

static const struct opt_case {
	const char *extra;	/* appended to alpha-small */
	unsigned queue;
	bool dual;
	unsigned group, rate;
} opt_cases[] = {
	{ "", 100, true, 2, 20 },
	{ "enforce = { mode = \"dual\"; queue = 7; };\n", 7, true, 2, 20 },
	{ "enforce = { mode = \"dual\"; };\n"
	  "log = { nflog_group = 5; nflog_rate = 3; };\n", 100, true, 5, 3 },
	{ "enforce = { mode = \"kernel\"; queue = 7; };\n"
	  "log = { nflog_group = 0; };\n", 0, false, 0, 20 },
};

START_TEST(test_policy_settings)
{
	const struct opt_case *t = &opt_cases[_i];
	char *base = slurp("tests/golden/alpha-small.conf"), *text;
	int line = 0;
	struct policy *p;

	if (asprintf(&text, "%s%s", base, t->extra) < 0)
		ck_abort();
	if (t->extra[0] != '\0' && strncmp(t->extra, "enforce", 7) == 0) {
		line = 1;
		for (const char *s = base; *s; s++)
			line += *s == '\n';
	}
	p = load_string(text, "custom.conf");
	ck_assert_int_eq(p->enforce.line, line);
	for (int compat = 0; compat < 2; compat++) {
		struct nft_ir *ir = build(p, compat);
		struct nft_batch b;
		struct pbatch pb;
		char *nft = nftgen_text(ir);
		size_t deny = 0;

		emit(ir, true, &b);
		parse_batch(&b, true, &pb);
		check_rules(ir, &pb);
		if (t->dual)
			check_dual_chains(ir, &pb, nft, t->queue, line);
		else
			check_no_dual_chains(ir, &pb, nft);
		/* every deny chain logs to the policy's group and rate */
		for (size_t i = 0; i < ir->nchains; i++) {
			const struct nft_chain *c = ir->chains[i];
			if (strncmp(c->name, "deny.", 5) != 0)
				continue;
			ck_assert_int_eq(c->rules[0].ops[0].kind, OP_LIMIT);
			ck_assert_uint_eq(c->rules[0].ops[0].u, t->rate);
			ck_assert_int_eq(c->rules[0].ops[1].kind, OP_LOG);
			ck_assert_uint_eq(c->rules[0].ops[1].u, t->group);
			deny++;
		}
		ck_assert_uint_gt(deny, 0);
		free(nft);
		pbatch_free(&pb);
		nftemit_free(&b);
		nftgen_free(ir);
	}
	policy_free(p);
	free(text);
	free(base);
}
END_TEST

/* ---------------------------------------------------------------------
 * 3. alpha-small in detail
 */

struct range {
	const char *ifname;
	const char *lo, *hi;	/* addresses */
};

/* The source ranges each interface may bring: an Internet zone's networks
 * minus every local zone's. */
static const struct range alpha_small_src4[] = {
	{ "mn0", "10.10.0.0", "10.10.255.255" },
	{ "lg0", "10.20.0.0", "10.20.255.255" },
	{ "lg0", "10.200.0.0", "10.200.255.255" },
	{ "inet0", "0.0.0.0", "10.9.255.255" },
	{ "inet0", "10.11.0.0", "10.19.255.255" },
	{ "inet0", "10.21.0.0", "10.199.255.255" },
	{ "inet0", "10.201.0.0", "255.255.255.255" },
};

static const struct range alpha_src6[] = {
	{ "lg0", "fd00:20::", "fd00:20:0:ffff:ffff:ffff:ffff:ffff" },
	{ "inet0", "::", "fd00:1f:ffff:ffff:ffff:ffff:ffff:ffff" },
	{ "inet0", "fd00:20:1::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
};

/* The elements of an ifname . address interval set, as parsed back, equal
 * the expected ranges (in any order). */
static void
check_ranges(const struct pbatch *pb, const char *set, int af,
    const struct range *want, size_t nwant)
{
	size_t n, alen = af == AF_INET ? 4 : 16;
	struct nftnl_set_elem **ev = pb_elems(pb, set, &n);
	bool *hit = calloc(nwant + 1, sizeof(*hit));

	ck_assert_ptr_nonnull(hit);
	ck_assert_msg(n == nwant, "set %s: %zu elements, expected %zu", set, n,
	    nwant);
	for (size_t i = 0; i < n; i++) {
		uint32_t klen = 0, elen = 0;
		const uint8_t *k = nftnl_set_elem_get(ev[i], NFTNL_SET_ELEM_KEY,
		    &klen);
		const uint8_t *e = nftnl_set_elem_get(ev[i],
		    NFTNL_SET_ELEM_KEY_END, &elen);
		bool found = false;

		ck_assert_uint_eq(klen, 16 + alen);
		ck_assert_uint_eq(elen, 16 + alen);
		/* the interface is the same at both ends */
		ck_assert_mem_eq(k, e, 16);
		for (size_t j = 0; j < nwant && !found; j++) {
			uint8_t lo[16], hi[16], ifn[16] = { 0 };

			ck_assert_int_eq(inet_pton(af, want[j].lo, lo), 1);
			ck_assert_int_eq(inet_pton(af, want[j].hi, hi), 1);
			memcpy(ifn, want[j].ifname, strlen(want[j].ifname));
			if (!hit[j] && memcmp(k, ifn, 16) == 0 &&
			    memcmp(k + 16, lo, alen) == 0 &&
			    memcmp(e + 16, hi, alen) == 0)
				found = hit[j] = true;
		}
		ck_assert_msg(found, "set %s: element %zu (%s) not expected",
		    set, i, (const char *)k);
	}
	free(hit);
	free(ev);
}

START_TEST(test_alpha_small)
{
	static const char *const flows[] = { "atena-chukan", "mail-in",
	    "mail-out", "browse", "files-in" };
	/* one deny chain per reason and per zone pair */
	static const char *const denies[][2] = {
		{ "deny.isolated", "zoned:deny:isolated" },
		{ "deny.invalid", "zoned:deny:invalid" },
		{ "deny.stale", "zoned:deny:stale" },
		{ "deny.spoofed", "zoned:deny:spoofed" },
		{ "deny.mac", "zoned:deny:mac" },
		{ "deny.unzoned", "zoned:deny:unzoned" },
		{ "deny.input", "zoned:deny:input" },
		{ "deny.mynumber.mynumber", "zoned:deny:mynumber>mynumber" },
		{ "deny.mynumber.lgwan", "zoned:deny:mynumber>lgwan" },
		{ "deny.mynumber.internet", "zoned:deny:mynumber>internet" },
		{ "deny.lgwan.mynumber", "zoned:deny:lgwan>mynumber" },
		{ "deny.lgwan.lgwan", "zoned:deny:lgwan>lgwan" },
		{ "deny.lgwan.internet", "zoned:deny:lgwan>internet" },
		{ "deny.internet.mynumber", "zoned:deny:internet>mynumber" },
		{ "deny.internet.lgwan", "zoned:deny:internet>lgwan" },
		{ "deny.internet.internet", "zoned:deny:internet>internet" },
	};
	/* zone pairs: a chain of their own where flows cross */
	static const char *const pairs[][3] = {
		{ "mn0", "mn0", "deny.mynumber.mynumber" },
		{ "mn0", "lg0", "fwd.mynumber.lgwan" },
		{ "mn0", "inet0", "deny.mynumber.internet" },
		{ "lg0", "mn0", "deny.lgwan.mynumber" },
		{ "lg0", "lg0", "deny.lgwan.lgwan" },
		{ "lg0", "inet0", "fwd.lgwan.internet" },
		{ "inet0", "mn0", "deny.internet.mynumber" },
		{ "inet0", "lg0", "fwd.internet.lgwan" },
		{ "inet0", "inet0", "deny.internet.internet" },
	};
	struct policy *p = load("tests/golden/alpha-small.conf");
	struct nft_ir *ir = build(p, false);
	struct nft_batch b;
	struct pbatch pb;
	size_t n, ndeny = 0;
	struct nftnl_set_elem **ev;

	emit(ir, true, &b);
	parse_batch(&b, true, &pb);

	/* every flow: a counter object flow.NAME with its line, in the
	 * counter map under the flow's mark */
	ck_assert_uint_eq(p->nflows, ARRAY_LEN(flows));
	ev = pb_elems(&pb, "fctr", &n);
	ck_assert_uint_eq(n, ARRAY_LEN(flows));
	for (size_t i = 0; i < ARRAY_LEN(flows); i++) {
		int fi = policy_find_flow(p, flows[i]);
		char name[64], ud[64];
		struct nftnl_obj *o;
		uint32_t len = 0;
		const void *d;
		bool mapped = false;

		ck_assert_int_ge(fi, 0);
		snprintf(name, sizeof(name), "flow.%s", flows[i]);
		o = pb_obj(&pb, name);
		ck_assert_msg(o != NULL, "no counter %s", name);
		ck_assert_uint_eq(nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE),
		    NFT_OBJECT_COUNTER);
		d = nftnl_obj_get_data(o, NFTNL_OBJ_USERDATA, &len);
		snprintf(ud, sizeof(ud), "alpha-small.conf:%d",
		    p->flows[fi].line);
		ck_assert_msg(d && memmem(d, len, ud, strlen(ud)), "%s: no "
		    "comment %s", name, ud);
		for (size_t j = 0; j < n; j++) {
			d = nftnl_set_elem_get(ev[j], NFTNL_SET_ELEM_KEY, &len);
			if (len == 4 && memcmp(d, &p->flows[fi].mark, 4) == 0) {
				ck_assert_str_eq(nftnl_set_elem_get_str(ev[j],
				    NFTNL_SET_ELEM_OBJREF), name);
				mapped = true;
			}
		}
		ck_assert_msg(mapped, "%s: not in @fctr", name);
	}
	free(ev);

	/* the deny chains: limit + log to group 2 with the reason, then the
	 * named counter and drop; nothing else is a deny chain */
	for (size_t i = 0; i < pb.nchains; i++)
		ndeny += strncmp(nftnl_chain_get_str(pb.chains[i],
		    NFTNL_CHAIN_NAME), "deny.", 5) == 0;
	ck_assert_uint_eq(ndeny, ARRAY_LEN(denies));
	for (size_t i = 0; i < ARRAY_LEN(denies); i++) {
		struct cur c = { .ir = ir };
		const struct pexpr *x;
		char buf[128];

		ck_assert_msg(pb_chain(&pb, denies[i][0]) != NULL, "no %s",
		    denies[i][0]);
		ck_assert_uint_eq(pb_nrules(&pb, denies[i][0]), 2);
		c.r = pb_rule(&pb, denies[i][0], 0);
		snprintf(c.ctx, sizeof(c.ctx), "%s rule 0", denies[i][0]);
		x = next_x(&c, "limit");
		ck_assert_uint_eq(nftnl_expr_get_u64(x->e,
		    NFTNL_EXPR_LIMIT_RATE), 20);
		x = next_x(&c, "log");
		x_str(&c, x, raw_str(x, buf, sizeof(buf), 1, NFTA_LOG_PREFIX),
		    denies[i][1], "prefix");
		ck_assert_uint_eq(nftnl_expr_get_u16(x->e,
		    NFTNL_EXPR_LOG_GROUP), 2);
		ck_assert_int_eq(c.k, c.r->nex);
		c.r = pb_rule(&pb, denies[i][0], 1);
		c.k = 0;
		snprintf(c.ctx, sizeof(c.ctx), "%s rule 1", denies[i][0]);
		x = next_x(&c, "objref");
		x_str(&c, x, raw_str(x, buf, sizeof(buf), 1,
		    NFTA_OBJREF_IMM_NAME), denies[i][0], "counter");
		x_verdict(&c, NF_DROP, NULL);
		ck_assert_int_eq(c.k, c.r->nex);
		ck_assert_ptr_nonnull(pb_obj(&pb, denies[i][0]));
	}

	/* anti-spoofing */
	check_ranges(&pb, "src4", AF_INET, alpha_small_src4,
	    ARRAY_LEN(alpha_small_src4));
	check_ranges(&pb, "src6", AF_INET6, NULL, 0);

	/* the pinned My Number host: its address, and address . MAC */
	ev = pb_elems(&pb, "pinaddr4", &n);
	ck_assert_uint_eq(n, 1);
	{
		static const uint8_t a[4] = { 10, 10, 1, 20 };
		static const uint8_t am[12] = { 10, 10, 1, 20, 0x02, 0x00, 0x0a,
		    0x0a, 0x01, 0x14, 0, 0 };
		uint32_t len = 0;
		const void *d = nftnl_set_elem_get(ev[0], NFTNL_SET_ELEM_KEY,
		    &len);
		ck_assert_uint_eq(len, 4);
		ck_assert_mem_eq(d, a, 4);
		free(ev);
		ev = pb_elems(&pb, "pinned4", &n);
		ck_assert_uint_eq(n, 1);
		d = nftnl_set_elem_get(ev[0], NFTNL_SET_ELEM_KEY, &len);
		ck_assert_uint_eq(len, 12);
		ck_assert_mem_eq(d, am, 12);
	}
	free(ev);
	ck_assert_ptr_null(pb_set(&pb, "pinaddr6"));

	/* dispatch: every interface pair, to its zone pair's chain */
	ev = pb_elems(&pb, "pairs", &n);
	ck_assert_uint_eq(n, ARRAY_LEN(pairs));
	for (size_t i = 0; i < ARRAY_LEN(pairs); i++) {
		uint8_t key[32] = { 0 };
		bool found = false;

		memcpy(key, pairs[i][0], strlen(pairs[i][0]));
		memcpy(key + 16, pairs[i][1], strlen(pairs[i][1]));
		for (size_t j = 0; j < n; j++) {
			uint32_t len = 0;
			const void *d = nftnl_set_elem_get(ev[j],
			    NFTNL_SET_ELEM_KEY, &len);
			if (len != 32 || memcmp(d, key, 32) != 0)
				continue;
			found = true;
			ck_assert_str_eq(nftnl_set_elem_get_str(ev[j],
			    NFTNL_SET_ELEM_CHAIN), pairs[i][2]);
		}
		ck_assert_msg(found, "pair %s . %s not in @pairs", pairs[i][0],
		    pairs[i][1]);
	}
	free(ev);

	/* the forward chain, in order, as nft prints it */
	{
		static const char *const fwd[] = {
			"iifname @isolated jump deny.isolated",
			"oifname @isolated jump deny.isolated",
			"ct state invalid jump deny.invalid",
			/* spoofing and MAC pins hold for every packet of a
			 * connection, not only its first */
			"meta nfproto ipv4 iifname . ip saddr != @src4 jump "
			    "deny.spoofed",
			"meta nfproto ipv6 iifname . ip6 saddr != @src6 jump "
			    "deny.spoofed",
			"meta nfproto ipv4 ip saddr @pinaddr4 ip saddr . ether "
			    "saddr != @pinned4 jump deny.mac",
			"ct state established,related ct mark @active counter "
			    "name ct mark map @fctr accept",
			"ct state established,related jump deny.stale",
			"iifname . oifname vmap @pairs",
			"jump deny.unzoned",
		};
		char *text = nftgen_text(ir), **lines;

		lines = text_chain(text, "forward", &n);
		ck_assert_ptr_nonnull(lines);
		ck_assert_uint_eq(n, ARRAY_LEN(fwd) + 1);
		ck_assert_str_eq(lines[0], "type filter hook forward priority "
		    "filter; policy drop;");
		for (size_t i = 0; i < ARRAY_LEN(fwd); i++)
			ck_assert_str_eq(lines[i + 1], fwd[i]);
		lines_free(lines, n);
		free(text);
	}
	/* four accepts on the forward path: established with an active
	 * mark, and the marked accept of each of the 3 zone pair chains */
	ck_assert_uint_eq(check_forward_accepts(ir), 4);

	pbatch_free(&pb);
	nftemit_free(&b);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

/* alpha.conf has IPv6 networks: the v6 anti-spoofing ranges. */
START_TEST(test_alpha_src6)
{
	struct policy *p = load("conf/alpha.conf");
	struct nft_ir *ir = build(p, false);
	struct nft_batch b;
	struct pbatch pb;

	emit(ir, true, &b);
	parse_batch(&b, true, &pb);
	check_ranges(&pb, "src6", AF_INET6, alpha_src6, ARRAY_LEN(alpha_src6));
	pbatch_free(&pb);
	nftemit_free(&b);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

/* ---------------------------------------------------------------------
 * A policy large enough that a set's elements need several messages: the
 * message table still names each element, and a kernel error at an element
 * is mapped back to its flow
 */

#define LARGE_FLOWS 1500

static char *
large_policy(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	fputs("version = 1;\nmodel = \"alpha\";\nzones = {\n"
	    "  mynumber = { kind = \"mynumber\"; interfaces = [ \"mn0\" ]; "
	    "networks = [ \"10.10.0.0/16\" ]; };\n"
	    "  lgwan = { kind = \"lgwan\"; interfaces = [ \"lg0\" ]; "
	    "networks = [ \"10.20.0.0/16\" ]; };\n"
	    "  internet = { kind = \"internet\"; interfaces = [ \"inet0\" ]; "
	    "networks = [ \"0.0.0.0/0\" ]; };\n};\nhosts = {\n"
	    "  rds = { zone = \"internet\"; address = \"192.0.2.40\"; "
	    "role = \"screen-transfer\"; };\n", f);
	for (int i = 0; i < LARGE_FLOWS; i++)
		fprintf(f, "  t%d = { zone = \"lgwan\"; address = "
		    "\"10.20.%d.%d\"; };\n", i, i / 200, i % 200 + 1);
	fputs("};\nservices = { rdp = { proto = \"tcp\"; ports = [ 3389 ]; "
	    "}; };\nflows = (\n", f);
	for (int i = 0; i < LARGE_FLOWS; i++)
		fprintf(f, "  { name = \"browse-%d\"; from = \"t%d\"; to = "
		    "\"rds\"; service = \"rdp\"; method = "
		    "\"screen-transfer\"; approval = \"CISO-1\"; }%s\n", i,
		    i, i + 1 < LARGE_FLOWS ? "," : "");
	fputs(");\n", f);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* The offset in message m of its k-th element. */
static uint32_t
elem_off(const struct nft_batch *b, const struct nft_msg *m, uint32_t k)
{
	const struct nlmsghdr *nlh = (const void *)(b->buf + m->off);
	const struct nlattr *a, *e;
	uint32_t i = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(e, a)
			if (i++ == k)
				/* an attribute inside it: the key */
				return (uint32_t)((const char *)e -
				    (const char *)nlh) + 4;
	}
	ck_abort_msg("message has no element %u", k);
	return 0;
}

START_TEST(test_large)
{
	char *text = large_policy();
	struct policy *p = load_string(text, "large.conf");
	struct nft_ir *ir;
	struct nft_batch b;
	struct pbatch pb;
	const struct nft_set *s;
	size_t split = 0, flows_split = 0;

	ck_assert_uint_eq(p->nflows, LARGE_FLOWS);
	ir = build(p, false);
	emit(ir, true, &b);
	parse_batch(&b, true, &pb);
	check_order(&pb);
	check_msg_table(ir, &b);
	check_sets(ir, &pb);
	check_objects(ir, &pb);
	check_rules(ir, &pb);
	check_references(&pb);
	s = nftgen_find_set(ir, "flows.lgwan.internet.0");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->nelems, LARGE_FLOWS);

	/* some sets took several messages; an error at any element of a
	 * later message names that element and its flow */
	for (size_t i = 0; i < b.nmsgs; i++) {
		const struct nft_msg *m = &b.msgs[i];
		const struct nft_set *ms;
		char desc[512], want[512];
		uint32_t k;
		int line;

		if (m->kind != MSG_ELEMS || m->sub == 0)
			continue;
		split++;
		ms = ir->sets[m->obj];
		for (k = 0; k < m->count; k += m->count / 3 + 1) {
			const struct nft_elem *e = &ms->elems[m->sub + k];

			line = nftemit_describe(&b, ir, m, elem_off(&b, m, k),
			    desc, sizeof(desc));
			ck_assert_int_eq(line, e->line);
			snprintf(want, sizeof(want), "set %s element %u%s%s%s",
			    ms->name, m->sub + k, e->comment ? " (" : "",
			    e->comment ? e->comment : "",
			    e->comment ? ")" : "");
			ck_assert_str_eq(desc, want);
		}
		if (strcmp(ms->name, "flows.lgwan.internet.0") == 0) {
			const struct nft_elem *e = &ms->elems[m->sub];
			char flow[64];

			snprintf(flow, sizeof(flow), " flow browse-%u)",
			    m->sub);
			line = nftemit_describe(&b, ir, m, elem_off(&b, m, 0),
			    desc, sizeof(desc));
			ck_assert_msg(strstr(desc, flow) != NULL, "%s", desc);
			ck_assert_int_eq(line, p->flows[m->sub].line);
			ck_assert_int_eq(line, e->line);
			flows_split++;
		}
	}
	ck_assert_uint_gt(split, 0);
	ck_assert_uint_gt(flows_split, 0);

	pbatch_free(&pb);
	nftemit_free(&b);
	nftgen_free(ir);
	policy_free(p);
	free(text);
}
END_TEST

/* ---------------------------------------------------------------------
 * 5. Deny-all: fail closed
 */

START_TEST(test_deny_all)
{
	static const char *const chains[] = { "forward", "deny.fail-closed",
	    "input", "deny.input" };
	static const char *const input[] = {
		"iifname \"lo\" accept",
		"ct state invalid drop",
		"ct state established,related accept",
		"meta nfproto ipv6 meta l4proto 58 icmpv6 type 133 accept",
		"meta nfproto ipv6 meta l4proto 58 icmpv6 type 134 accept",
		"meta nfproto ipv6 meta l4proto 58 icmpv6 type 135 accept",
		"meta nfproto ipv6 meta l4proto 58 icmpv6 type 136 accept",
		"jump deny.input",
	};
	struct policy *alpha = load("conf/alpha.conf");
	struct nft_ir *ir = build_deny_all(NULL);
	struct nft_ir *ir2 = build_deny_all(alpha);
	struct nft_batch b, b2;
	struct pbatch pb;
	struct canon c1, c2;
	char *text, **lines;
	size_t n;

	/* the IR: four chains, no verdict chains, no flows */
	ck_assert_uint_eq(ir->nchains, ARRAY_LEN(chains));
	for (size_t i = 0; i < ARRAY_LEN(chains); i++)
		ck_assert_ptr_nonnull(ir_chain(ir, chains[i]));
	ck_assert_int_eq(ir_chain(ir, "forward")->hook, HOOK_FORWARD);
	ck_assert_int_eq(ir_chain(ir, "input")->hook, HOOK_INPUT);
	ck_assert_uint_eq(ir->ncounters, 2);
	ck_assert(ir_has_counter(ir, "deny.fail-closed"));
	ck_assert(ir_has_counter(ir, "deny.input"));
	/* the isolated set exists for the isolate command to update */
	ck_assert_ptr_nonnull(nftgen_find_set(ir, "isolated"));
	ck_assert(nftgen_find_set(ir, "isolated")->runtime);
	/* nothing on the forward path accepts, nothing queues */
	ck_assert_uint_eq(check_forward_accepts(ir), 0);

	emit(ir, true, &b);
	parse_batch(&b, true, &pb);
	check_chains(ir, &pb);
	check_rules(ir, &pb);
	check_references(&pb);
	/* in the batch: forward policy drop, and no accept verdict in
	 * forward or the chain it jumps to */
	ck_assert_uint_eq(nftnl_chain_get_u32(pb_chain(&pb, "forward"),
	    NFTNL_CHAIN_POLICY), NF_DROP);
	for (size_t i = 0; i < pb.nrules; i++) {
		const struct prule *r = &pb.rules[i];
		if (strcmp(r->chain, "forward") != 0 &&
		    strcmp(r->chain, "deny.fail-closed") != 0)
			continue;
		for (int k = 0; k < r->nex; k++) {
			const struct nftnl_expr *e = r->ex[k].e;

			ck_assert_str_ne(r->ex[k].name, "queue");
			ck_assert_str_ne(r->ex[k].name, "target");
			if (strcmp(r->ex[k].name, "immediate") == 0 &&
			    nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG) ==
			    NFT_REG_VERDICT)
				ck_assert_msg(nftnl_expr_get_u32(e,
				    NFTNL_EXPR_IMM_VERDICT) !=
				    (uint32_t)NF_ACCEPT, "chain %s accepts",
				    r->chain);
		}
	}
	ck_assert_uint_eq(pb_nrules(&pb, "forward"), 1);

	text = nftgen_text(ir);
	check_text(ir, &pb, text);
	check_no_dual_chains(ir, &pb, text);
	ck_assert_ptr_nonnull(strstr(text, "(no policy: deny all crossings)"));
	lines = text_chain(text, "forward", &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(lines[1], "jump deny.fail-closed");
	lines_free(lines, n);
	lines = text_chain(text, "input", &n);
	ck_assert_uint_eq(n, ARRAY_LEN(input) + 1);
	for (size_t i = 0; i < ARRAY_LEN(input); i++)
		ck_assert_str_eq(lines[i + 1], input[i]);
	lines_free(lines, n);
	lines = text_chain(text, "deny.fail-closed", &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(lines[0], "limit rate 20/second log prefix "
	    "\"zoned:deny:fail-closed\" group 2");
	ck_assert_str_eq(lines[1], "counter name \"deny.fail-closed\" drop");
	lines_free(lines, n);

	/* with deny_all a policy given is ignored: the same table */
	emit(ir2, true, &b2);
	canon_init(&c1);
	canon_init(&c2);
	ck_assert_int_eq(canon_batch(&c1, &b), 0);
	ck_assert_int_eq(canon_batch(&c2, &b2), 0);
	canon_sort(&c1);
	canon_sort(&c2);
	ck_assert_uint_eq(canon_diff(&c1, &c2, NULL, NULL), 0);
	ck_assert_uint_eq(ir2->nchains, ARRAY_LEN(chains));
	canon_free(&c1);
	canon_free(&c2);

	free(text);
	pbatch_free(&pb);
	nftemit_free(&b);
	nftemit_free(&b2);
	nftgen_free(ir);
	nftgen_free(ir2);
	policy_free(alpha);
}
END_TEST

/* ---------------------------------------------------------------------
 * 6. nftcanon: what the drift check sees and what it ignores
 */

struct diffs {
	size_t plus, minus;
	char last[512];
};

static void
diff_cb(char sign, const char *line, void *arg)
{
	struct diffs *d = arg;

	if (sign == '+')
		d->plus++;
	else
		d->minus++;
	snprintf(d->last, sizeof(d->last), "%c %s", sign, line);
}

static void
canon_of(const struct nft_ir *ir, struct canon *c)
{
	struct nft_batch b;

	emit(ir, true, &b);
	canon_init(c);
	ck_assert_int_eq(canon_batch(c, &b), 0);
	canon_sort(c);
	nftemit_free(&b);
}

static size_t
canon_cmp(const struct canon *a, const struct canon *b, struct diffs *d)
{
	memset(d, 0, sizeof(*d));
	return canon_diff(a, b, diff_cb, d);
}

START_TEST(test_canon)
{
	struct policy *p = load("tests/golden/alpha-small.conf");
	struct nft_ir *ir = build(p, false);
	struct canon base, c;
	struct diffs d;

	canon_of(ir, &base);

	/* element order is ignored */
	{
		struct nft_ir *r = build(p, false);
		struct nft_set *s = nftgen_find_set(r, "src4");
		ck_assert_uint_gt(s->nelems, 2);
		for (size_t i = 0, j = s->nelems - 1; i < j; i++, j--) {
			struct nft_elem t = s->elems[i];
			s->elems[i] = s->elems[j];
			s->elems[j] = t;
		}
		canon_of(r, &c);
		ck_assert_uint_eq(canon_cmp(&base, &c, &d), 0);
		canon_free(&c);
		nftgen_free(r);
	}
	/* the isolated interfaces are ignored (a runtime set) */
	{
		static const char *const iso[] = { "lg0" };
		struct nftgen_opts o = { .now = NOW, .isolated = iso,
		    .nisolated = 1 };
		char err[128];
		struct nft_ir *r = nftgen_build(p, &o, err, sizeof(err));
		struct nft_batch b;
		struct pbatch pb;
		size_t n;
		struct nftnl_set_elem **ev;

		ck_assert_ptr_nonnull(r);
		emit(r, true, &b);
		parse_batch(&b, true, &pb);
		ev = pb_elems(&pb, "isolated", &n);
		ck_assert_uint_eq(n, 1);	/* in the batch ... */
		free(ev);
		canon_of(r, &c);		/* ... not in the comparison */
		ck_assert_uint_eq(canon_cmp(&base, &c, &d), 0);
		canon_free(&c);
		pbatch_free(&pb);
		nftemit_free(&b);
		nftgen_free(r);
	}
	/* rule order within a chain is not ignored */
	{
		struct nft_ir *r = build(p, false);
		struct nft_chain *f;
		struct nft_rule t;

		f = (struct nft_chain *)ir_chain(r, "forward");
		t = f->rules[2];
		f->rules[2] = f->rules[4];
		f->rules[4] = t;
		canon_of(r, &c);
		ck_assert_uint_gt(canon_cmp(&base, &c, &d), 0);
		canon_free(&c);
		nftgen_free(r);
	}
	/* a changed element is one line out, one line in */
	{
		struct nft_ir *r = build(p, false);
		struct nft_set *s = nftgen_find_set(r, "pinned4");
		s->elems[0].key[9] ^= 1;	/* the MAC */
		canon_of(r, &c);
		ck_assert_uint_eq(canon_cmp(&base, &c, &d), 2);
		ck_assert_uint_eq(d.plus, 1);
		ck_assert_uint_eq(d.minus, 1);
		canon_free(&c);
		nftgen_free(r);
	}
	/* the queue through NFQUEUE: exactly the queue rule differs */
	{
		struct nft_ir *r = build(p, true);
		canon_of(r, &c);
		ck_assert_uint_eq(canon_cmp(&base, &c, &d), 2);
		ck_assert_uint_eq(d.plus, 1);
		ck_assert_uint_eq(d.minus, 1);
		ck_assert_msg(strncmp(d.last, "+ rule verdict 2 ", 17) == 0 ||
		    strncmp(d.last, "- rule verdict 2 ", 17) == 0, "%s",
		    d.last);
		canon_free(&c);
		nftgen_free(r);
	}
	/* kernel mode: the two chains and their four rules are gone */
	{
		struct nft_ir *r;

		p->enforce.mode = ENFORCE_KERNEL;
		r = build(p, false);
		p->enforce.mode = ENFORCE_DUAL;
		canon_of(r, &c);
		ck_assert_uint_eq(canon_cmp(&base, &c, &d), 6);
		ck_assert_uint_eq(d.minus, 6);
		ck_assert_uint_eq(d.plus, 0);
		canon_free(&c);
		nftgen_free(r);
	}
	canon_free(&base);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

UNIT_SUITE(nft_suite)

static Suite *
nft_suite(void)
{
	Suite *s = suite_create("nft");
	TCase *tc = tcase_create("roundtrip");

	tcase_add_loop_test(tc, test_roundtrip, 0, (int)ARRAY_LEN(rt_cases));
	tcase_add_test(tc, test_check_only);
	tcase_add_test(tc, test_fields);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("policy");
	tcase_add_loop_test(tc, test_policy_settings, 0,
	    (int)ARRAY_LEN(opt_cases));
	tcase_add_test(tc, test_alpha_small);
	tcase_add_test(tc, test_alpha_src6);
	tcase_add_test(tc, test_deny_all);
	tcase_add_test(tc, test_canon);
	tcase_add_test(tc, test_large);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
