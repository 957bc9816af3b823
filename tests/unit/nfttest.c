/*
 * nfttest — what the ruleset suites share (see nfttest.h): loading and
 * building, the batch parsed back, rules decoded against their IR ops, the
 * whole-table checks, the nft text, the dual-mode chains.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_arp.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_NFQUEUE.h>

#include <libnftnl/table.h>

#include "conf.h"
#include "diag.h"
#include "lint.h"
#include "nftcanon.h"
#include "nfttest.h"
#include "unit.h"

/* the conntrack state bit "new", as nft and the kernel number it */
#define CT_NEW 0x08u

/* ---------------------------------------------------------------------
 * Loading and building
 */

struct policy *
nfttest_load(const char *path)
{
	return unit_load_policy(path, NOW);
}

struct policy *
nfttest_load_string(const char *text, const char *name)
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

struct nft_ir *
nfttest_build(const struct policy *p, bool compat)
{
	struct nftgen_opts o = { .now = NOW, .queue_compat = compat };
	char err[256] = "";
	struct nft_ir *ir = nftgen_build(p, &o, err, sizeof(err));

	ck_assert_msg(ir != NULL, "nftgen_build: %s", err);
	return ir;
}

struct nft_ir *
nfttest_build_deny_all(const struct policy *p)
{
	struct nftgen_opts o = { .now = NOW, .deny_all = true };
	char err[256] = "";
	struct nft_ir *ir = nftgen_build(p, &o, err, sizeof(err));

	ck_assert_msg(ir != NULL, "nftgen_build (deny all): %s", err);
	return ir;
}

void
nfttest_emit(const struct nft_ir *ir, bool commit, struct nft_batch *b)
{
	char err[256] = "";

	ck_assert_msg(nftemit_batch(ir, SEQ0, commit, b, err, sizeof(err)) ==
	    0, "nftemit_batch: %s", err);
}

void
nfttest_canon(const struct nft_ir *ir, struct canon *c)
{
	struct nft_batch b;

	nfttest_emit(ir, true, &b);
	canon_init(c);
	ck_assert_int_eq(canon_batch(c, &b), 0);
	canon_sort(c);
	nftemit_free(&b);
}

const struct nft_chain *
nfttest_ir_chain(const struct nft_ir *ir, const char *name)
{
	for (size_t i = 0; i < ir->nchains; i++)
		if (strcmp(ir->chains[i]->name, name) == 0)
			return ir->chains[i];
	return NULL;
}

/* ---------------------------------------------------------------------
 * The batch, parsed back
 */

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
const char *
nfttest_raw_str(const struct pexpr *x, char *buf, size_t len, int depth, ...)
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
void
nfttest_parse_batch(const struct nft_batch *b, bool commit, struct pbatch *pb)
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
			ck_assert_msg(nfttest_pb_set(pb, pe->set) != NULL,
			    "elements of %s before the set", pe->set);
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

void
nfttest_pbatch_free(struct pbatch *pb)
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

struct nftnl_chain *
nfttest_pb_chain(const struct pbatch *pb, const char *name)
{
	for (size_t i = 0; i < pb->nchains; i++)
		if (strcmp(nftnl_chain_get_str(pb->chains[i], NFTNL_CHAIN_NAME),
		    name) == 0)
			return pb->chains[i];
	return NULL;
}

struct nftnl_set *
nfttest_pb_set(const struct pbatch *pb, const char *name)
{
	for (size_t i = 0; i < pb->nsets; i++)
		if (strcmp(nftnl_set_get_str(pb->sets[i], NFTNL_SET_NAME),
		    name) == 0)
			return pb->sets[i];
	return NULL;
}

struct nftnl_obj *
nfttest_pb_obj(const struct pbatch *pb, const char *name)
{
	for (size_t i = 0; i < pb->nobjs; i++)
		if (strcmp(nftnl_obj_get_str(pb->objs[i], NFTNL_OBJ_NAME),
		    name) == 0)
			return pb->objs[i];
	return NULL;
}

/* Rule pos of chain, or NULL. */
const struct prule *
nfttest_pb_rule(const struct pbatch *pb, const char *chain, unsigned pos)
{
	for (size_t i = 0; i < pb->nrules; i++)
		if (strcmp(pb->rules[i].chain, chain) == 0 &&
		    pb->rules[i].pos == pos)
			return &pb->rules[i];
	return NULL;
}

unsigned
nfttest_pb_nrules(const struct pbatch *pb, const char *chain)
{
	unsigned n = 0;

	for (size_t i = 0; i < pb->nrules; i++)
		n += strcmp(pb->rules[i].chain, chain) == 0;
	return n;
}

/* The elements of a set, in message order: malloc'd array of pointers into
 * the parsed messages. */
struct nftnl_set_elem **
nfttest_pb_elems(const struct pbatch *pb, const char *set, size_t *n)
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

const struct fspec nfttest_fspecs[] = {
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
const size_t nfttest_nfspecs = ARRAY_LEN(nfttest_fspecs);

const struct fspec *
nfttest_fspec(int field)
{
	for (size_t i = 0; i < ARRAY_LEN(nfttest_fspecs); i++)
		if (nfttest_fspecs[i].field == field)
			return &nfttest_fspecs[i];
	ck_abort_msg("field %d has no spec", field);
	return NULL;
}

/* Bytes of a key: one field, its data; a concatenation, its registers. */
uint32_t
nfttest_spec_key_len(const struct nft_key *k)
{
	uint32_t n = 0;

	if (k->n == 1)
		return nfttest_fspec(k->f[0])->len;
	for (int i = 0; i < k->n; i++)
		n += nfttest_fspec(k->f[i])->reglen;
	return n;
}

uint32_t
nfttest_spec_off(const struct nft_key *k, int i)
{
	uint32_t off = 0;

	for (int j = 0; j < i; j++)
		off += nfttest_fspec(k->f[j])->reglen;
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

const struct pexpr *
nfttest_next_x(struct cur *c, const char *name)
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

void
nfttest_x_str(const struct cur *c, const struct pexpr *x, const char *got,
    const char *want, const char *what)
{
	ck_assert_msg(got != NULL, "%s: [%s] has no %s", c->ctx, x->name, what);
	ck_assert_msg(strcmp(got, want) == 0, "%s: [%s] %s \"%s\", expected "
	    "\"%s\"", c->ctx, x->name, what, got, want);
}

static void
x_meta_load(struct cur *c, uint32_t key, uint32_t dreg)
{
	const struct pexpr *x = nfttest_next_x(c, "meta");

	x_u32(c, x, NFTNL_EXPR_META_KEY, key, "key");
	x_u32(c, x, NFTNL_EXPR_META_DREG, dreg, "dreg");
	ck_assert_msg(!nftnl_expr_is_set(x->e, NFTNL_EXPR_META_SREG),
	    "%s: meta load with an sreg", c->ctx);
}

static void
x_ct_load(struct cur *c, uint32_t key, uint32_t dreg)
{
	const struct pexpr *x = nfttest_next_x(c, "ct");

	x_u32(c, x, NFTNL_EXPR_CT_KEY, key, "key");
	x_u32(c, x, NFTNL_EXPR_CT_DREG, dreg, "dreg");
	ck_assert_msg(!nftnl_expr_is_set(x->e, NFTNL_EXPR_CT_SREG),
	    "%s: ct load with an sreg", c->ctx);
}

static void
x_ct_store(struct cur *c, uint32_t key)
{
	const struct pexpr *x = nfttest_next_x(c, "ct");

	x_u32(c, x, NFTNL_EXPR_CT_KEY, key, "key");
	x_u32(c, x, NFTNL_EXPR_CT_SREG, NFT_REG_1, "sreg");
	ck_assert_msg(!nftnl_expr_is_set(x->e, NFTNL_EXPR_CT_DREG),
	    "%s: ct set with a dreg", c->ctx);
}

static void
x_payload(struct cur *c, uint32_t base, uint32_t off, uint32_t len,
    uint32_t dreg)
{
	const struct pexpr *x = nfttest_next_x(c, "payload");

	x_u32(c, x, NFTNL_EXPR_PAYLOAD_BASE, base, "base");
	x_u32(c, x, NFTNL_EXPR_PAYLOAD_OFFSET, off, "offset");
	x_u32(c, x, NFTNL_EXPR_PAYLOAD_LEN, len, "len");
	x_u32(c, x, NFTNL_EXPR_PAYLOAD_DREG, dreg, "dreg");
}

static void
x_cmp(struct cur *c, uint32_t op, const void *data, uint32_t len)
{
	const struct pexpr *x = nfttest_next_x(c, "cmp");

	x_u32(c, x, NFTNL_EXPR_CMP_SREG, NFT_REG_1, "sreg");
	x_u32(c, x, NFTNL_EXPR_CMP_OP, op, "op");
	x_data(c, x, NFTNL_EXPR_CMP_DATA, data, len, "data");
}

static void
x_bitwise(struct cur *c, const void *mask, uint32_t len)
{
	const struct pexpr *x = nfttest_next_x(c, "bitwise");
	uint8_t zero[16] = { 0 };

	x_u32(c, x, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1, "sreg");
	x_u32(c, x, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1, "dreg");
	x_u32(c, x, NFTNL_EXPR_BITWISE_LEN, len, "len");
	x_data(c, x, NFTNL_EXPR_BITWISE_MASK, mask, len, "mask");
	x_data(c, x, NFTNL_EXPR_BITWISE_XOR, zero, len, "xor");
}

void
nfttest_x_verdict(struct cur *c, int verdict, const char *chain)
{
	const struct pexpr *x = nfttest_next_x(c, "immediate");
	char buf[256];

	x_u32(c, x, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT, "dreg");
	x_u32(c, x, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict, "verdict");
	if (chain)
		nfttest_x_str(c, x, nfttest_raw_str(x, buf, sizeof(buf), 3,
		    NFTA_IMMEDIATE_DATA, NFTA_DATA_VERDICT, NFTA_VERDICT_CHAIN),
		    chain, "chain");
	else
		ck_assert_msg(nfttest_raw_str(x, buf, sizeof(buf), 3,
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
		const struct fspec *fs = nfttest_fspec(k->f[i]);
		uint32_t off = nfttest_spec_off(k, i);
		const struct pexpr *x;
		uint32_t dreg;
		uint16_t attr;

		switch (fs->load) {
		case LD_META:
			x = nfttest_next_x(c, "meta");
			x_u32(c, x, NFTNL_EXPR_META_KEY, fs->key, "key");
			attr = NFTNL_EXPR_META_DREG;
			break;
		case LD_CT:
			x = nfttest_next_x(c, "ct");
			x_u32(c, x, NFTNL_EXPR_CT_KEY, fs->key, "key");
			attr = NFTNL_EXPR_CT_DREG;
			break;
		default:
			x = nfttest_next_x(c, "payload");
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
			x = nfttest_next_x(c, "byteorder");
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
	const struct pexpr *x = nfttest_next_x(c, "lookup");
	char buf[256];

	x_u32(c, x, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1, "sreg");
	nfttest_x_str(c, x, nfttest_raw_str(x, buf, sizeof(buf), 1,
	    NFTA_LOOKUP_SET), set, "set");
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

		x = nfttest_next_x(c, "target");
		nfttest_x_str(c, x, nfttest_raw_str(x, buf, sizeof(buf), 1,
		    NFTA_TARGET_NAME), "NFQUEUE", "name");
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
	x = nfttest_next_x(c, "queue");
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
			ck_assert_msg(strcmp(nfttest_fspec(o->key.f[i])->type,
			    nfttest_fspec(s->key.f[i])->type) == 0, "%s: field "
			    "%d is %s, @%s has %s", c->ctx, i,
			    nfttest_fspec(o->key.f[i])->type, o->s,
			    nfttest_fspec(s->key.f[i])->type);
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
		x = nfttest_next_x(c, "objref");
		x_u32(c, x, NFTNL_EXPR_OBJREF_SET_SREG, NFT_REG_1, "set sreg");
		nfttest_x_str(c, x, nfttest_raw_str(x, buf, sizeof(buf), 1,
		    NFTA_OBJREF_SET_NAME), o->s, "set");
		ck_assert_ptr_nonnull(s);
		ck_assert_int_eq(s->data, ND_COUNTER);
		break;
	case OP_COUNTER:
		x = nfttest_next_x(c, "objref");
		x_u32(c, x, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER,
		    "type");
		nfttest_x_str(c, x, nfttest_raw_str(x, buf, sizeof(buf), 1,
		    NFTA_OBJREF_IMM_NAME), o->s, "name");
		break;
	case OP_LIMIT:
		x = nfttest_next_x(c, "limit");
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
		x = nfttest_next_x(c, "log");
		nfttest_x_str(c, x, nfttest_raw_str(x, buf, sizeof(buf), 1,
		    NFTA_LOG_PREFIX), o->s, "prefix");
		ck_assert_uint_eq(nftnl_expr_get_u16(x->e,
		    NFTNL_EXPR_LOG_GROUP), o->u);
		break;
	case OP_ACCEPT:
		nfttest_x_verdict(c, NF_ACCEPT, NULL);
		break;
	case OP_DROP:
		nfttest_x_verdict(c, NF_DROP, NULL);
		break;
	case OP_JUMP:
		nfttest_x_verdict(c, NFT_JUMP, o->s);
		break;
	case OP_QUEUE:
		x_queue(c, (uint16_t)o->u, c->ir->queue_compat);
		break;
	case OP_MARK_FROM_CT:
		x_ct_load(c, NFT_CT_MARK, NFT_REG_1);
		x = nfttest_next_x(c, "meta");
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
		x = nfttest_next_x(c, "immediate");
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
void
nfttest_check_rules(const struct nft_ir *ir, const struct pbatch *pb)
{
	size_t total = 0;

	for (size_t ci = 0; ci < ir->nchains; ci++) {
		const struct nft_chain *ch = ir->chains[ci];

		ck_assert_msg(nfttest_pb_nrules(pb, ch->name) == ch->nrules,
		    "chain %s: %u rules in the batch, %zu in the IR", ch->name,
		    nfttest_pb_nrules(pb, ch->name), ch->nrules);
		for (size_t ri = 0; ri < ch->nrules; ri++) {
			const struct nft_rule *ir_r = &ch->rules[ri];
			struct cur c = { .ir = ir };
			uint32_t len = 0;
			const char *ud;

			c.r = nfttest_pb_rule(pb, ch->name, (unsigned)ri);
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

void
nfttest_check_chains(const struct nft_ir *ir, const struct pbatch *pb)
{
	ck_assert_uint_eq(pb->nchains, ir->nchains);
	for (size_t i = 0; i < ir->nchains; i++) {
		const struct nft_chain *c = ir->chains[i];
		struct nftnl_chain *pc = nfttest_pb_chain(pb, c->name);
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

/* Every name a rule refers to is defined in the same batch, and every
 * regular chain is the target of some jump or verdict map. */
void
nfttest_check_references(const struct pbatch *pb)
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
			    (s = nfttest_raw_str(x, buf, sizeof(buf), 3,
			    NFTA_IMMEDIATE_DATA, NFTA_DATA_VERDICT,
			    NFTA_VERDICT_CHAIN)) != NULL) {
				ck_assert_msg(nfttest_pb_chain(pb, s) != NULL,
				    "chain %s: jump to unknown chain %s",
				    r->chain, s);
				for (size_t c = 0; c < pb->nchains; c++)
					if (strcmp(nftnl_chain_get_str(
					    pb->chains[c], NFTNL_CHAIN_NAME),
					    s) == 0)
						used[c] = true;
			}
			if (strcmp(x->name, "lookup") == 0) {
				s = nfttest_raw_str(x, buf, sizeof(buf), 1,
				    NFTA_LOOKUP_SET);
				ck_assert_msg(s && nfttest_pb_set(pb, s) !=
				    NULL, "chain %s: lookup of unknown set %s",
				    r->chain, s ? s : "?");
			}
			if (strcmp(x->name, "objref") == 0) {
				s = nfttest_raw_str(x, buf, sizeof(buf), 1,
				    NFTA_OBJREF_IMM_NAME);
				if (s)
					ck_assert_msg(nfttest_pb_obj(pb, s) !=
					    NULL, "chain %s: unknown counter "
					    "%s", r->chain, s);
				s = nfttest_raw_str(x, buf, sizeof(buf), 1,
				    NFTA_OBJREF_SET_NAME);
				if (s)
					ck_assert_msg(nfttest_pb_set(pb, s) !=
					    NULL, "chain %s: unknown map %s",
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
		    nfttest_pb_set(pb, "pinned4") == NULL &&
		    nfttest_pb_set(pb, "pinned6") == NULL)
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
size_t
nfttest_check_forward_accepts(const struct nft_ir *ir)
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
char **
nfttest_text_chain(const char *text, const char *name, size_t *n)
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

void
nfttest_lines_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Every chain, set and counter of the IR is in the text, with as many rule
 * lines as the IR and the batch have rules. */
void
nfttest_check_text(const struct nft_ir *ir, const struct pbatch *pb,
    const char *text)
{
	char want[300];

	ck_assert_ptr_nonnull(strstr(text, "table inet zoned {\n"));
	for (size_t i = 0; i < ir->nchains; i++) {
		const struct nft_chain *c = ir->chains[i];
		size_t n, rules;
		char **v = nfttest_text_chain(text, c->name, &n);

		ck_assert_msg(v != NULL, "chain %s not in the text", c->name);
		ck_assert_uint_ge(n, c->hook != HOOK_NONE);
		rules = n - (c->hook != HOOK_NONE);
		if (c->hook != HOOK_NONE)
			ck_assert_msg(strncmp(v[0], "type filter hook ", 17) ==
			    0, "chain %s: %s", c->name, v[0]);
		for (size_t j = c->hook != HOOK_NONE; j < n; j++)
			ck_assert_msg(strncmp(v[j], "type ", 5) != 0,
			    "chain %s: %s", c->name, v[j]);
		ck_assert_msg(rules == c->nrules &&
		    rules == nfttest_pb_nrules(pb, c->name), "chain %s: %zu "
		    "rules in the text, %zu in the IR, %u in the batch",
		    c->name, rules, c->nrules,
		    nfttest_pb_nrules(pb, c->name));
		nfttest_lines_free(v, n);
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

void
nfttest_check_dual_chains(const struct nft_ir *ir, const struct pbatch *pb,
    const char *text, unsigned queue, int line)
{
	const struct nft_chain *v = nfttest_ir_chain(ir, "verdict");
	const struct nft_chain *a = nfttest_ir_chain(ir, "agreed");
	struct nftnl_chain *pv = nfttest_pb_chain(pb, "verdict");
	struct nftnl_chain *pa = nfttest_pb_chain(pb, "agreed");
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
	ck_assert_uint_eq(nfttest_pb_nrules(pb, "verdict"), 3);
	ck_assert_uint_eq(nfttest_pb_nrules(pb, "agreed"), 1);

	/* verdict 0: ct state untracked drop */
	c.r = nfttest_pb_rule(pb, "verdict", 0);
	snprintf(c.ctx, sizeof(c.ctx), "verdict rule 0");
	ck_assert_ptr_nonnull(c.r);
	{
		uint32_t untracked = 0x40, z32 = 0;
		x_ct_load(&c, NFT_CT_STATE, NFT_REG_1);
		x_bitwise(&c, &untracked, 4);
		x_cmp(&c, NFT_CMP_NEQ, &z32, 4);
	}
	nfttest_x_verdict(&c, NF_DROP, NULL);
	ck_assert_int_eq(c.k, c.r->nex);

	/* verdict 1: ct state new ct label 120 accept */
	mask[15] = 0x01;
	c.r = nfttest_pb_rule(pb, "verdict", 1);
	c.k = 0;
	snprintf(c.ctx, sizeof(c.ctx), "verdict rule 1");
	ck_assert_ptr_nonnull(c.r);
	check_ct_new(&c);
	x_ct_load(&c, NFT_CT_LABELS, NFT_REG_1);
	x_bitwise(&c, mask, 16);
	x_cmp(&c, NFT_CMP_NEQ, zero, 16);
	nfttest_x_verdict(&c, NF_ACCEPT, NULL);
	ck_assert_int_eq(c.k, c.r->nex);

	/* verdict 2: ct state new meta mark set ct mark queue num Q */
	c.r = nfttest_pb_rule(pb, "verdict", 2);
	c.k = 0;
	snprintf(c.ctx, sizeof(c.ctx), "verdict rule 2");
	ck_assert_ptr_nonnull(c.r);
	check_ct_new(&c);
	x_ct_load(&c, NFT_CT_MARK, NFT_REG_1);
	x = nfttest_next_x(&c, "meta");
	x_u32(&c, x, NFTNL_EXPR_META_KEY, NFT_META_MARK, "key");
	x_u32(&c, x, NFTNL_EXPR_META_SREG, NFT_REG_1, "sreg");
	x_queue(&c, (uint16_t)queue, ir->queue_compat);
	ck_assert_int_eq(c.k, c.r->nex);
	/* exactly one of the two queue forms */
	for (int k = 0; k < c.r->nex; k++)
		ck_assert_str_ne(c.r->ex[k].name, ir->queue_compat ? "queue" :
		    "target");

	/* agreed 0: ct state new ct label set 120 */
	c.r = nfttest_pb_rule(pb, "agreed", 0);
	c.k = 0;
	snprintf(c.ctx, sizeof(c.ctx), "agreed rule 0");
	ck_assert_ptr_nonnull(c.r);
	check_ct_new(&c);
	x = nfttest_next_x(&c, "immediate");
	x_u32(&c, x, NFTNL_EXPR_IMM_DREG, NFT_REG_1, "dreg");
	x_data(&c, x, NFTNL_EXPR_IMM_DATA, mask, 16, "data");
	x_ct_store(&c, NFT_CT_LABELS);
	ck_assert_int_eq(c.k, c.r->nex);

	/* the text (nft cannot print the NFQUEUE target: the same text) */
	lines = nfttest_text_chain(text, "verdict", &n);
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
	nfttest_lines_free(lines, n);
	lines = nfttest_text_chain(text, "agreed", &n);
	ck_assert_ptr_nonnull(lines);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(lines[0], "type filter hook forward priority filter "
	    "+ 11; policy accept;");
	{
		char *got = uncomment(lines[1]);
		ck_assert_str_eq(got, "ct state new ct label set 120");
		free(got);
	}
	nfttest_lines_free(lines, n);
}

void
nfttest_check_no_dual_chains(const struct nft_ir *ir, const struct pbatch *pb,
    const char *text)
{
	ck_assert_ptr_null(nfttest_ir_chain(ir, "verdict"));
	ck_assert_ptr_null(nfttest_ir_chain(ir, "agreed"));
	ck_assert_ptr_null(nfttest_pb_chain(pb, "verdict"));
	ck_assert_ptr_null(nfttest_pb_chain(pb, "agreed"));
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
