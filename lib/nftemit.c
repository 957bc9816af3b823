/*
 * nftemit — the intermediate form as one nfnetlink batch, built with
 * libnftnl.  Rules are made from small named emitters, one per kind of
 * statement; their bytecode is the one nft(8) makes of the text that
 * nfttext.c prints, so that both load the same table.  A whole table
 * (nftemit_batch, or nftemit_replace keeping its base chains) and the pieces of an incremental batch (nftdiff.c) are
 * made by the same emitters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_arp.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_NFQUEUE.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "addr.h"
#include "nftemit.h"

#define ROOM (256 * 1024)	/* free space before each message */

/* Set userdata tags (libnftnl's NFTNL_UDATA_SET_*), as nft writes them. */
#define UD_SET_KEYBYTEORDER 0
#define UD_SET_DATABYTEORDER 1
#define UD_SET_KEY_TYPEOF 3
#define UD_SET_DATA_INTERVAL 6
#define UD_TYPEOF_EXPR 0
#define UD_TYPEOF_DATA 1
#define EXPR_CONCAT 13		/* nft's expression type number */
#define UD_COMMENT 0		/* rule, element and object comments */

/* ---------------------------------------------------------------------
 * The batch buffer
 */

static int
room(struct nft_batch *b)
{
	if (b->len + ROOM <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap * 2 : 4 * ROOM;
	while (cap < b->len + ROOM)
		cap *= 2;
	char *nb = realloc(b->buf, cap);
	if (nb == NULL)
		return -1;
	memset(nb + b->cap, 0, cap - b->cap);
	b->buf = nb;
	b->cap = cap;
	return 0;
}

/*
 * A message of the batch.  Every message asks for an ACK but those that
 * make or delete counter objects: there is one a flow, and the kernel
 * queues the ACKs of a batch all at once at its end, so 100,000 of them
 * would overflow any receive buffer (a replacement that keeps the base
 * chains deletes every counter: 20,000 of them overflowed 8 MiB).  A
 * counter that fails is still answered (errors always are), and the ACKs
 * of the other messages, the last one included, come after it.
 */
static struct nlmsghdr *
msg_start(struct nft_batch *b, uint16_t type, uint16_t flags, uint32_t seq)
{
	if (room(b) < 0)
		return NULL;
	return nftnl_nlmsg_build_hdr(b->buf + b->len, type, NFPROTO_INET,
	    flags | (type == NFT_MSG_NEWOBJ || type == NFT_MSG_DELOBJ ? 0 :
	    NLM_F_ACK), seq);
}

static int
msg_end(struct nft_batch *b, struct nlmsghdr *nlh, enum nft_msg_kind kind,
    uint32_t obj, uint32_t sub, uint32_t count)
{
	struct nft_msg *m;

	if (b->nmsgs == b->mcap) {
		size_t cap = b->mcap ? b->mcap * 2 : 256;
		void *v = realloc(b->msgs, cap * sizeof(*b->msgs));
		if (v == NULL)
			return -1;
		b->msgs = v;
		b->mcap = cap;
	}
	m = &b->msgs[b->nmsgs++];
	m->off = b->len;
	m->seq = nlh->nlmsg_seq;
	m->acked = (nlh->nlmsg_flags & NLM_F_ACK) != 0;
	b->nacked += m->acked;
	m->kind = kind;
	m->obj = obj;
	m->sub = sub;
	m->count = count;
	m->old = false;
	m->indexed = false;
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	return 0;
}

void
nftemit_free(struct nft_batch *b)
{
	free(b->buf);
	free(b->msgs);
	free(b->idx);
	memset(b, 0, sizeof(*b));
}

const struct nft_msg *
nftemit_msg(const struct nft_batch *b, uint32_t seq)
{
	size_t lo = 0, hi = b->nmsgs;

	while (lo < hi) {	/* sequence numbers rise with the index */
		size_t mid = (lo + hi) / 2;
		if (b->msgs[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < b->nmsgs && b->msgs[lo].seq == seq ? &b->msgs[lo] : NULL;
}

/* ---------------------------------------------------------------------
 * Expression emitters
 */

/*
 * Out of memory while a rule is built must fail the batch, never leave an
 * expression out (a rule without its match would accept more): an emitter
 * whose expression cannot be allocated adds nothing and marks the rule,
 * which rule_end() then refuses as a whole.
 */
static __thread bool emit_failed;

static struct nftnl_expr *
xalloc(const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (e == NULL)
		emit_failed = true;
	return e;
}

static void
rule_begin(void)
{
	emit_failed = false;
}

/* 0 when every expression of the rule was made */
static int
rule_end(void)
{
	return emit_failed ? -1 : 0;
}

static void
add(struct nftnl_rule *r, struct nftnl_expr *e)
{
	nftnl_rule_add_expr(r, e);
}

static void
e_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = xalloc("meta");

	if (e == NULL)
		return;

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	add(r, e);
}

/* meta KEY set from register 1 */
static void
e_meta_set(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = xalloc("meta");

	if (e == NULL)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
	add(r, e);
}

static void
e_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = xalloc("cmp");

	if (e == NULL)
		return;

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	add(r, e);
}

static void
e_payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len,
    uint32_t dreg)
{
	struct nftnl_expr *e = xalloc("payload");

	if (e == NULL)
		return;

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	add(r, e);
}

static void
e_ct_load(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = xalloc("ct");

	if (e == NULL)
		return;

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	add(r, e);
}

static void
e_ct_set_mark(struct nftnl_rule *r)
{
	struct nftnl_expr *e = xalloc("ct");

	if (e == NULL)
		return;

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_MARK);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_SREG, NFT_REG_1);
	add(r, e);
}

/* ct label BIT: the 128-bit label set, masked, not zero */
static void
e_ct_label(struct nftnl_rule *r, uint32_t bit)
{
	struct nftnl_expr *e;
	uint8_t mask[16] = { 0 }, zero[16] = { 0 };

	mask[bit / 8 % 16] = (uint8_t)(1u << (bit % 8));
	e_ct_load(r, NFT_CT_LABELS);
	e = xalloc("bitwise");
	if (e == NULL)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 16);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, 16);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, 16);
	add(r, e);
	e_cmp(r, NFT_CMP_NEQ, zero, 16);
}

/* ct label set BIT: the kernel ORs it into the connection's labels */
static void
e_ct_label_set(struct nftnl_rule *r, uint32_t bit)
{
	struct nftnl_expr *e = xalloc("immediate");

	if (e == NULL)
		return;
	uint8_t label[16] = { 0 };

	label[bit / 8 % 16] = (uint8_t)(1u << (bit % 8));
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, label, 16);
	add(r, e);
	e = xalloc("ct");
	if (e == NULL)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_LABELS);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_SREG, NFT_REG_1);
	add(r, e);
}

static void
e_bitwise(struct nftnl_rule *r, uint32_t mask)
{
	struct nftnl_expr *e = xalloc("bitwise");

	if (e == NULL)
		return;
	uint32_t xor = 0;

	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 4);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, 4);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &xor, 4);
	add(r, e);
}

static void
e_byteorder_hton(struct nftnl_rule *r, uint32_t reg, uint32_t size,
    uint32_t len)
{
	struct nftnl_expr *e = xalloc("byteorder");

	if (e == NULL)
		return;

	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, size);
	add(r, e);
}

static void
e_lookup(struct nftnl_rule *r, const char *set, bool map, uint32_t dreg,
    bool inv)
{
	struct nftnl_expr *e = xalloc("lookup");

	if (e == NULL)
		return;

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	if (map)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, dreg);
	/* always, as the kernel reports it: verify compares both */
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, inv ? NFT_LOOKUP_F_INV :
	    0);
	add(r, e);
}

static void
e_objref_map(struct nftnl_rule *r, const char *set)
{
	struct nftnl_expr *e = xalloc("objref");

	if (e == NULL)
		return;

	nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_SET_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_SET_NAME, set);
	add(r, e);
}

static void
e_objref_counter(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr *e = xalloc("objref");

	if (e == NULL)
		return;

	nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
	nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, name);
	add(r, e);
}

static void
e_limit(struct nftnl_rule *r, uint32_t rate)
{
	struct nftnl_expr *e = xalloc("limit");

	if (e == NULL)
		return;

	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, rate);
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, 5);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
	add(r, e);
}

static void
e_log(struct nftnl_rule *r, const char *prefix, uint32_t group)
{
	struct nftnl_expr *e = xalloc("log");

	if (e == NULL)
		return;

	nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix);
	nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_GROUP, (uint16_t)group);
	add(r, e);
}

/*
 * Queue to the daemon, without the bypass flag: with nobody listening the
 * packet is dropped.  nft's own queue expression where the kernel has
 * nft_queue; otherwise the xtables NFQUEUE target through nft_compat, which
 * the kernel treats the same (nft(8) cannot print it).
 */
static void
e_queue(struct nftnl_rule *r, uint16_t num, bool compat)
{
	struct nftnl_expr *e;

	if (compat) {
		/* libnftnl keeps (and frees) the info it is given */
		struct xt_NFQ_info_v3 *info = calloc(1, sizeof(*info));
		if (info == NULL) {
			emit_failed = true;
			return;
		}
		info->queuenum = num;
		info->queues_total = 1;
		if ((e = xalloc("target")) == NULL) {
			free(info);
			return;
		}
		nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
		nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 3);
		nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, info, sizeof(*info));
	} else {
		if ((e = xalloc("queue")) == NULL)
			return;
		nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_NUM, num);
		nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_TOTAL, 1);
		nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_FLAGS, 0);
	}
	add(r, e);
}

static void
e_verdict(struct nftnl_rule *r, int verdict, const char *chain)
{
	struct nftnl_expr *e = xalloc("immediate");

	if (e == NULL)
		return;

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	add(r, e);
}

/* Load a key into registers from reg 1 on, as nft does for a
 * concatenation: the first field in NFT_REG_1, the others in the 32-bit
 * registers that follow.  An ether field needs an Ethernet input device. */
static void
e_key(struct nftnl_rule *r, const struct nft_key *k, bool interval)
{
	for (int i = 0; i < k->n; i++)
		if (k->f[i] == NF_ETHER_SADDR) {
			uint16_t ether = ARPHRD_ETHER;
			e_meta(r, NFT_META_IIFTYPE, NFT_REG_1);
			e_cmp(r, NFT_CMP_EQ, &ether, sizeof(ether));
		}
	for (int i = 0; i < k->n; i++) {
		uint32_t off = (uint32_t)nftgen_field_offset(k, i);
		/* as nft numbers them: a 16-byte register where the offset
		 * falls on one, else a 32-bit register */
		uint32_t reg = off % 16 == 0 ? NFT_REG_1 + off / 16 :
		    NFT_REG32_00 + off / 4;

		switch (k->f[i]) {
		case NF_IIFNAME:
			e_meta(r, NFT_META_IIFNAME, reg);
			break;
		case NF_OIFNAME:
			e_meta(r, NFT_META_OIFNAME, reg);
			break;
		case NF_SADDR4:
			e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, reg);
			break;
		case NF_DADDR4:
			e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, reg);
			break;
		case NF_SADDR6:
			e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 8, 16, reg);
			break;
		case NF_DADDR6:
			e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 24, 16, reg);
			break;
		case NF_ETHER_SADDR:
			e_payload(r, NFT_PAYLOAD_LL_HEADER, 6, 6, reg);
			break;
		case NF_L4PROTO:
			e_meta(r, NFT_META_L4PROTO, reg);
			if (interval && k->n > 1)
				e_byteorder_hton(r, reg, 2, 1);
			break;
		case NF_TH_DPORT:
			e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, reg);
			break;
		case NF_ICMP_TYPE:
		case NF_ICMPV6_TYPE:
			e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, reg);
			break;
		case NF_CT_MARK:
			e_ct_load(r, NFT_CT_MARK);
			break;
		}
	}
}

static void
e_op(struct nftnl_rule *r, const struct nft_ir *ir, const struct nft_op *o)
{
	const struct nft_set *s = o->s ? nftgen_find_set(ir, o->s) : NULL;
	bool interval = s && s->interval;
	uint8_t u8;
	uint32_t u32;
	char ifname[16];

	switch (o->kind) {
	case OP_NFPROTO:
		u8 = o->u == ADDR_V4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
		e_meta(r, NFT_META_NFPROTO, NFT_REG_1);
		e_cmp(r, NFT_CMP_EQ, &u8, 1);
		break;
	case OP_L4PROTO:
		u8 = (uint8_t)o->u;
		e_meta(r, NFT_META_L4PROTO, NFT_REG_1);
		e_cmp(r, NFT_CMP_EQ, &u8, 1);
		break;
	case OP_IIFNAME:
		memset(ifname, 0, sizeof(ifname));
		snprintf(ifname, sizeof(ifname), "%s", o->s);
		e_meta(r, NFT_META_IIFNAME, NFT_REG_1);
		e_cmp(r, NFT_CMP_EQ, ifname, sizeof(ifname));
		break;
	case OP_CT_STATE:
		u32 = 0;
		e_ct_load(r, NFT_CT_STATE);
		e_bitwise(r, o->u);
		e_cmp(r, NFT_CMP_NEQ, &u32, 4);
		break;
	case OP_CT_MARK_EQ:
	case OP_CT_MARK_NE:
		u32 = o->u;
		e_ct_load(r, NFT_CT_MARK);
		e_cmp(r, o->kind == OP_CT_MARK_EQ ? NFT_CMP_EQ : NFT_CMP_NEQ,
		    &u32, 4);
		break;
	case OP_ICMPV6_TYPE:
		u8 = (uint8_t)o->u;
		e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFT_REG_1);
		e_cmp(r, NFT_CMP_EQ, &u8, 1);
		break;
	case OP_LOOKUP:
		e_key(r, &o->key, interval);
		e_lookup(r, o->s, false, 0, o->u != 0);
		break;
	case OP_MARK_MAP:
		e_key(r, &o->key, interval);
		e_lookup(r, o->s, true, NFT_REG_1, false);
		e_ct_set_mark(r);
		break;
	case OP_VMAP:
		e_key(r, &o->key, interval);
		e_lookup(r, o->s, true, NFT_REG_VERDICT, false);
		break;
	case OP_COUNTER_MAP:
		e_ct_load(r, NFT_CT_MARK);
		e_objref_map(r, o->s);
		break;
	case OP_COUNTER:
		e_objref_counter(r, o->s);
		break;
	case OP_LIMIT:
		e_limit(r, o->u);
		break;
	case OP_LOG:
		e_log(r, o->s, o->u);
		break;
	case OP_ACCEPT:
		e_verdict(r, NF_ACCEPT, NULL);
		break;
	case OP_DROP:
		e_verdict(r, NF_DROP, NULL);
		break;
	case OP_JUMP:
		e_verdict(r, NFT_JUMP, o->s);
		break;
	case OP_QUEUE:
		e_queue(r, (uint16_t)o->u, ir->queue_compat);
		break;
	case OP_MARK_FROM_CT:
		e_ct_load(r, NFT_CT_MARK);
		e_meta_set(r, NFT_META_MARK);
		break;
	case OP_CT_LABEL:
		e_ct_label(r, o->u);
		break;
	case OP_CT_LABEL_SET:
		e_ct_label_set(r, o->u);
		break;
	}
}

/* ---------------------------------------------------------------------
 * Objects
 */

static const char *
base_name(const char *file)
{
	const char *s = strrchr(file, '/');
	return s ? s + 1 : file;
}

/* A comment as userdata (rules, elements, objects share the tag 0). */
static int
comment_udata(const char *text, void *obj,
    void (*set)(void *, const void *, uint32_t))
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(256);

	if (ud == NULL)
		return -1;
	if (!nftnl_udata_put_strz(ud, UD_COMMENT, text)) {
		nftnl_udata_buf_free(ud);
		return -1;
	}
	set(obj, nftnl_udata_buf_data(ud), nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return 0;
}

static void
rule_set_ud(void *r, const void *d, uint32_t len)
{
	nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, d, len);
}

static void
elem_set_ud(void *e, const void *d, uint32_t len)
{
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, d, len);
}

static int
emit_table(struct nft_batch *b, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (t == NULL || (nlh = msg_start(b, type, flags, seq)) == NULL) {
		nftnl_table_free(t);
		return -1;
	}
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFTGEN_TABLE);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return msg_end(b, nlh, MSG_TABLE, 0, 0, 0);
}

/*
 * A counter object, created at 0 or deleted.  No comment: a flow's counter
 * outlives the reloads that move its line, and an object's comment cannot
 * be changed (nftdiff.c keeps the counters of unchanged flows counting).
 */
static int
emit_counter(struct nft_batch *b, const struct nft_ir *ir, uint32_t i,
    bool del, uint32_t seq)
{
	const struct nft_counter *c = &ir->counters[i];
	struct nftnl_obj *o = nftnl_obj_alloc();
	struct nlmsghdr *nlh;

	if (o == NULL || (nlh = msg_start(b, del ? NFT_MSG_DELOBJ :
	    NFT_MSG_NEWOBJ, del ? 0 : NLM_F_CREATE, seq)) == NULL) {
		nftnl_obj_free(o);
		return -1;
	}
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, NFTGEN_TABLE);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, c->name);
	nftnl_obj_set_u32(o, NFTNL_OBJ_FAMILY, NFPROTO_INET);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	if (!del) {
		nftnl_obj_set_u64(o, NFTNL_OBJ_CTR_PKTS, 0);
		nftnl_obj_set_u64(o, NFTNL_OBJ_CTR_BYTES, 0);
	}
	nftnl_obj_nlmsg_build_payload(nlh, o);
	nftnl_obj_free(o);
	if (msg_end(b, nlh, MSG_COUNTER, i, 0, 0) < 0)
		return -1;
	b->msgs[b->nmsgs - 1].old = del;
	return 0;
}

static int
emit_chain(struct nft_batch *b, const struct nft_chain *c, uint32_t i,
    uint32_t seq)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (ch == NULL || (nlh = msg_start(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE,
	    seq)) == NULL) {
		nftnl_chain_free(ch);
		return -1;
	}
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, NFTGEN_TABLE);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, c->name);
	nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	if (c->hook != HOOK_NONE) {
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM,
		    c->hook == HOOK_INPUT ? NF_INET_LOCAL_IN : NF_INET_FORWARD);
		nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO,
		    c->hook == HOOK_VERDICT ? NFTGEN_VERDICT_PRIO :
		    c->hook == HOOK_AGREED ? NFTGEN_AGREED_PRIO : 0);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY,
		    c->hook == HOOK_VERDICT || c->hook == HOOK_AGREED ?
		    NF_ACCEPT : NF_DROP);
	}
	nftnl_chain_nlmsg_build_payload(nlh, ch);
	nftnl_chain_free(ch);
	return msg_end(b, nlh, MSG_CHAIN, i, 0, 0);
}

static uint32_t
key_type(const struct nft_key *k)
{
	uint32_t t = 0;

	for (int i = 0; i < k->n; i++)
		t = t << 6 | nftgen_field(k->f[i])->dtype;
	return t;
}

static int
set_udata(struct nftnl_set *s, const struct nft_set *is)
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(256);
	struct nftnl_udata *nest;
	bool concat = is->key.n > 1;

	if (ud == NULL)
		return -1;
	nftnl_udata_put_u32(ud, UD_SET_KEYBYTEORDER, concat ? 0 :
	    nftgen_field(is->key.f[0])->byteorder);
	if (is->data == ND_MARK || is->data == ND_VERDICT)
		nftnl_udata_put_u32(ud, UD_SET_DATABYTEORDER,
		    is->data == ND_MARK ? 1 : 0);
	if (concat) {
		nest = nftnl_udata_nest_start(ud, UD_SET_KEY_TYPEOF);
		nftnl_udata_put_u32(ud, UD_TYPEOF_EXPR, EXPR_CONCAT);
		nftnl_udata_nest_end(ud, nftnl_udata_nest_start(ud,
		    UD_TYPEOF_DATA));
		nftnl_udata_nest_end(ud, nest);
	}
	if (is->data != ND_NONE)
		nftnl_udata_put_u32(ud, UD_SET_DATA_INTERVAL, 0);
	nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
	    nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return 0;
}

static struct nftnl_set *
make_set(const struct nft_set *is, uint32_t id)
{
	struct nftnl_set *s = nftnl_set_alloc();
	uint32_t flags = 0;

	if (s == NULL)
		return NULL;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFTGEN_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, is->name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_u32(s, NFTNL_SET_ID, id);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, key_type(&is->key));
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN,
	    (uint32_t)nftgen_key_len(&is->key));
	if (is->interval) {
		flags |= NFT_SET_INTERVAL;
		if (is->key.n > 1) {
			uint8_t lens[NFTGEN_MAX_FIELDS];
			flags |= NFT_SET_CONCAT;
			for (int i = 0; i < is->key.n; i++)
				lens[i] = nftgen_field(is->key.f[i])->len;
			nftnl_set_set_data(s, NFTNL_SET_DESC_CONCAT, lens,
			    is->key.n);
		}
	}
	switch (is->data) {
	case ND_VERDICT:
		flags |= NFT_SET_MAP;
		nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
		nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, 16);
		break;
	case ND_MARK:
		flags |= NFT_SET_MAP;
		nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE,
		    nftgen_field(NF_CT_MARK)->dtype);
		nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, 4);
		break;
	case ND_COUNTER:
		flags |= NFT_SET_OBJECT;
		nftnl_set_set_u32(s, NFTNL_SET_OBJ_TYPE, NFT_OBJECT_COUNTER);
		break;
	case ND_NONE:
		break;
	}
	if (is->size > 0)
		nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, (uint32_t)is->size);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	if (set_udata(s, is) < 0) {
		nftnl_set_free(s);
		return NULL;
	}
	return s;
}

/* An element to add, or with del its key alone (to delete it). */
static struct nftnl_set_elem *
make_elem(const struct nft_set *is, const struct nft_elem *ie, bool del)
{
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	uint32_t klen = (uint32_t)nftgen_key_len(&is->key);

	if (e == NULL)
		return NULL;
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, ie->key, klen);
	if (is->interval)
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY_END, ie->key_end, klen);
	if (del)
		return e;
	switch (is->data) {
	case ND_VERDICT:
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, NFT_JUMP);
		nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, ie->ref);
		break;
	case ND_MARK:
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, &ie->mark, 4);
		break;
	case ND_COUNTER:
		nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_OBJREF, ie->ref);
		break;
	case ND_NONE:
		break;
	}
	if (ie->comment && comment_udata(ie->comment, e, elem_set_ud) < 0) {
		nftnl_set_elem_free(e);
		return NULL;
	}
#ifdef ZONED_TESTING
	/* Fault injection for the tests: ZONED_FAULT=element:FLOW gives that
	 * flow's elements a key of a wrong length, which the kernel refuses,
	 * to prove that a rejected batch changes nothing. */
	{
		const char *f = getenv("ZONED_FAULT");
		const char *w = ie->comment ? strstr(ie->comment, " flow ") :
		    NULL;
		if (f && strncmp(f, "element:", 8) == 0 && w &&
		    strcmp(w + 6, f + 8) == 0)
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, ie->key,
			    klen - 1);
	}
#endif
	return e;
}

/* Count the elements in a NEWSETELEM message. */
static uint32_t
count_elems(const struct nlmsghdr *nlh)
{
	const struct nlattr *a, *e;
	uint32_t n = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == NFTA_SET_ELEM_LIST_ELEMENTS)
			mnl_attr_for_each_nested(e, a)
				n++;
	return n;
}

/*
 * Elements of set si as NEWSETELEM (or DELSETELEM) messages, as many as
 * they need: all of them (idx NULL), or idx[0..n).  created: the set is
 * made in the same batch (the kernel may find it by its id).
 */
static int
emit_elems(struct nft_batch *b, const struct nft_ir *ir, uint32_t si,
    const uint32_t *idx, size_t n, bool del, bool created, uint32_t *seq)
{
	const struct nft_set *is = ir->sets[si];
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it = NULL;
	struct nlmsghdr *nlh;
	uint32_t first = 0;
	int more;

	if (s == NULL)
		return -1;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFTGEN_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, is->name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	if (created)
		nftnl_set_set_u32(s, NFTNL_SET_ID, si + 1);
	if (idx != NULL) {
		/* the message table names them through b->idx */
		if (b->nidx + n > b->idxcap) {
			size_t cap = b->idxcap ? b->idxcap : 256;
			uint32_t *v;
			while (cap < b->nidx + n)
				cap *= 2;
			if ((v = realloc(b->idx, cap * sizeof(*v))) == NULL)
				goto fail;
			b->idx = v;
			b->idxcap = cap;
		}
	}
	for (size_t j = 0; j < n; j++) {
		struct nftnl_set_elem *e = make_elem(is,
		    &is->elems[idx ? idx[j] : j], del);
		if (e == NULL)
			goto fail;
		nftnl_set_elem_add(s, e);
	}
	if ((it = nftnl_set_elems_iter_create(s)) == NULL)
		goto fail;
	do {
		struct nft_msg *m;
		if ((nlh = msg_start(b, del ? NFT_MSG_DELSETELEM :
		    NFT_MSG_NEWSETELEM, del ? 0 : NLM_F_CREATE,
		    (*seq)++)) == NULL)
			goto fail;
		more = nftnl_set_elems_nlmsg_build_payload_iter(nlh, it);
		uint32_t k = count_elems(nlh);
		if (msg_end(b, nlh, MSG_ELEMS, si, idx ? (uint32_t)b->nidx :
		    first, k) < 0)
			goto fail;
		m = &b->msgs[b->nmsgs - 1];
		m->old = del;
		if (idx != NULL) {
			m->indexed = true;
			memcpy(b->idx + b->nidx, idx + first, k * sizeof(*idx));
			b->nidx += k;
		}
		first += k;
	} while (more > 0 && first < n);
	nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
	return 0;
fail:
	if (it)
		nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
	return -1;
}

static int
emit_set(struct nft_batch *b, const struct nft_ir *ir, uint32_t i,
    uint32_t *seq)
{
	const struct nft_set *is = ir->sets[i];
	struct nftnl_set *s = make_set(is, i + 1);
	struct nlmsghdr *nlh;

	if (s == NULL || (nlh = msg_start(b, NFT_MSG_NEWSET, NLM_F_CREATE,
	    (*seq)++)) == NULL) {
		nftnl_set_free(s);
		return -1;
	}
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	if (msg_end(b, nlh, MSG_SET, i, 0, 0) < 0)
		return -1;
	return is->nelems ? emit_elems(b, ir, i, NULL, is->nelems, false,
	    true, seq) : 0;
}

static int
emit_rule(struct nft_batch *b, const struct nft_ir *ir, uint32_t ci,
    uint32_t ri, uint32_t seq)
{
	const struct nft_chain *c = ir->chains[ci];
	const struct nft_rule *ir_r = &c->rules[ri];
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;
	char comment[128];

	if (r == NULL || (nlh = msg_start(b, NFT_MSG_NEWRULE,
	    NLM_F_APPEND | NLM_F_CREATE, seq)) == NULL) {
		nftnl_rule_free(r);
		return -1;
	}
	rule_begin();
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFTGEN_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, c->name);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	for (int k = 0; k < ir_r->nops; k++)
		e_op(r, ir, &ir_r->ops[k]);
	if (rule_end() < 0) {
		nftnl_rule_free(r);
		return -1;
	}
	if (ir_r->line > 0) {
		snprintf(comment, sizeof(comment), "%s:%d",
		    base_name(ir->file), ir_r->line);
		comment_udata(comment, r, rule_set_ud);
	}
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	return msg_end(b, nlh, MSG_RULE, ci, ri, 0);
}

static int
batch_edge(struct nft_batch *b, bool begin, uint32_t seq, uint32_t genid)
{
	struct nlmsghdr *nlh;

	if (room(b) < 0)
		return -1;
	if (begin) {
		nlh = nftnl_batch_begin(b->buf + b->len, seq);
		/* as nft does: the kernel checks the generation under its
		 * commit lock, so nothing can come between */
		if (genid != 0)
			mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
	} else
		nlh = nftnl_batch_end(b->buf + b->len, seq);
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	return 0;
}

int
nftemit_begin(struct nft_batch *b, uint32_t *seq, uint32_t genid)
{
	b->seq_begin = *seq;
	return batch_edge(b, true, (*seq)++, genid);
}

int
nftemit_end(struct nft_batch *b, uint32_t *seq)
{
	if (batch_edge(b, false, (*seq)++, 0) < 0)
		return -1;
	b->seq_end = *seq;
	return 0;
}

int
nftemit_counter(struct nft_batch *b, const struct nft_ir *ir, uint32_t i,
    bool del, uint32_t *seq)
{
	return emit_counter(b, ir, i, del, (*seq)++);
}

int
nftemit_elems(struct nft_batch *b, const struct nft_ir *ir, uint32_t si,
    const uint32_t *idx, size_t n, bool del, uint32_t *seq)
{
	return n ? emit_elems(b, ir, si, idx, n, del, false, seq) : 0;
}

int
nftemit_flush(struct nft_batch *b, const struct nft_ir *ir, uint32_t ci,
    uint32_t *seq)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	/* DELRULE naming the chain and no rule: every rule of it */
	if (r == NULL || (nlh = msg_start(b, NFT_MSG_DELRULE, 0,
	    (*seq)++)) == NULL) {
		nftnl_rule_free(r);
		return -1;
	}
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFTGEN_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, ir->chains[ci]->name);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	return msg_end(b, nlh, MSG_FLUSH, ci, 0, 0);
}

int
nftemit_rules(struct nft_batch *b, const struct nft_ir *ir, uint32_t ci,
    uint32_t *seq)
{
	for (uint32_t j = 0; j < ir->chains[ci]->nrules; j++)
		if (emit_rule(b, ir, ci, j, (*seq)++) < 0)
			return -1;
	return 0;
}

/* The objects of ir, after the table's messages. */
static int
emit_content(struct nft_batch *b, const struct nft_ir *ir, uint32_t *seqp)
{
	uint32_t seq = *seqp;

	for (uint32_t i = 0; i < ir->ncounters; i++)
		if (emit_counter(b, ir, i, false, seq++) < 0)
			goto oom;
	for (uint32_t i = 0; i < ir->nchains; i++)
		if (emit_chain(b, ir->chains[i], i, seq++) < 0)
			goto oom;
	for (uint32_t i = 0; i < ir->nsets; i++)
		if (emit_set(b, ir, i, &seq) < 0)
			goto oom;
	for (uint32_t i = 0; i < ir->nchains; i++)
		if (nftemit_rules(b, ir, i, &seq) < 0)
			goto oom;
	*seqp = seq;
	return 0;
oom:
	return -1;
}

/* A batch that could not be built: freed, and err says so. */
static int
batch_oom(struct nft_batch *b, char *err, size_t errlen)
{
	nftemit_free(b);
	snprintf(err, errlen, "out of memory building the netlink batch");
	return -1;
}

int
nftemit_batch(const struct nft_ir *ir, uint32_t seq, bool commit,
    struct nft_batch *b, char *err, size_t errlen)
{
	return nftemit_batch_gen(ir, seq, 0, commit, b, err, errlen);
}

int
nftemit_batch_gen(const struct nft_ir *ir, uint32_t seq, uint32_t genid,
    bool commit, struct nft_batch *b, char *err, size_t errlen)
{
	memset(b, 0, sizeof(*b));
	if (nftemit_begin(b, &seq, genid) < 0 ||
	    /* add (a no-op when it exists), delete, create: a replacement */
	    emit_table(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, seq++) < 0 ||
	    emit_table(b, NFT_MSG_DELTABLE, 0, seq++) < 0 ||
	    emit_table(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, seq++) < 0 ||
	    emit_content(b, ir, &seq) < 0 ||
	    (commit ? nftemit_end(b, &seq) < 0 : (b->seq_end = seq, 0)))
		goto oom;
	return 0;
oom:
	return batch_oom(b, err, errlen);
}

void
nft_present_free(struct nft_present *p)
{
	for (size_t i = 0; i < p->nchains; i++)
		free(p->chains[i].name);
	for (size_t i = 0; i < p->nsets; i++)
		free(p->sets[i]);
	for (size_t i = 0; i < p->nobjs; i++)
		free(p->objs[i].name);
	for (size_t i = 0; i < p->nflowtables; i++)
		free(p->flowtables[i]);
	free(p->chains);
	free(p->sets);
	free(p->objs);
	free(p->flowtables);
	memset(p, 0, sizeof(*p));
}

/* Does ir have a base chain just as c is (so that c stays)? */
static bool
kept(const struct nft_ir *ir, const struct nft_present_chain *c)
{
	for (uint32_t i = 0; c->base && i < ir->nchains; i++) {
		const struct nft_chain *n = ir->chains[i];
		if (n->hook == HOOK_NONE || strcmp(n->name, c->name) != 0)
			continue;
		return c->hooknum == (n->hook == HOOK_INPUT ?
		    NF_INET_LOCAL_IN : NF_INET_FORWARD) &&
		    c->prio == (n->hook == HOOK_VERDICT ? NFTGEN_VERDICT_PRIO :
		    n->hook == HOOK_AGREED ? NFTGEN_AGREED_PRIO : 0) &&
		    strcmp(c->type, "filter") == 0;
	}
	return false;
}

/* One deletion of an old object (a table-wide flush of the rules when
 * type is NFT_MSG_DELRULE). */
static int
emit_delete(struct nft_batch *b, uint16_t type, const char *name,
    uint32_t objtype, uint32_t seq)
{
	struct nlmsghdr *nlh;

	if ((nlh = msg_start(b, type, 0, seq)) == NULL)
		return -1;
	switch (type) {
	case NFT_MSG_DELRULE:
		mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, NFTGEN_TABLE);
		break;
	case NFT_MSG_DELSET:
		mnl_attr_put_strz(nlh, NFTA_SET_TABLE, NFTGEN_TABLE);
		mnl_attr_put_strz(nlh, NFTA_SET_NAME, name);
		break;
	case NFT_MSG_DELOBJ:
		mnl_attr_put_strz(nlh, NFTA_OBJ_TABLE, NFTGEN_TABLE);
		mnl_attr_put_strz(nlh, NFTA_OBJ_NAME, name);
		mnl_attr_put_u32(nlh, NFTA_OBJ_TYPE, htonl(objtype));
		break;
	case NFT_MSG_DELFLOWTABLE:
		mnl_attr_put_strz(nlh, NFTA_FLOWTABLE_TABLE, NFTGEN_TABLE);
		mnl_attr_put_strz(nlh, NFTA_FLOWTABLE_NAME, name);
		break;
	case NFT_MSG_DELCHAIN:
		mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, NFTGEN_TABLE);
		mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, name);
		break;
	}
	return msg_end(b, nlh, MSG_OLD, 0, 0, 0);
}

/* The table, created when absent, its flags cleared when present. */
static int
emit_table_flags(struct nft_batch *b, uint32_t seq)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (t == NULL || (nlh = msg_start(b, NFT_MSG_NEWTABLE, NLM_F_CREATE,
	    seq)) == NULL) {
		nftnl_table_free(t);
		return -1;
	}
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFTGEN_TABLE);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, 0);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return msg_end(b, nlh, MSG_TABLE, 0, 0, 0);
}

int
nftemit_replace(const struct nft_ir *ir, const struct nft_present *present,
    uint32_t seq, struct nft_batch *b, char *err, size_t errlen)
{
	return nftemit_replace_gen(ir, present, seq, 0, b, err, errlen);
}

int
nftemit_replace_gen(const struct nft_ir *ir, const struct nft_present *present,
    uint32_t seq, uint32_t genid, struct nft_batch *b, char *err,
    size_t errlen)
{
	const struct nft_present *p = present;

	memset(b, 0, sizeof(*b));
	if (nftemit_begin(b, &seq, genid) < 0 ||
	    emit_table_flags(b, seq++) < 0)
		goto oom;
	/* the rules first: they hold the sets, objects, flowtables and
	 * chains they name; then the sets, whose elements hold chains and
	 * objects; then what is left */
	if (p->nchains > 0 &&
	    emit_delete(b, NFT_MSG_DELRULE, NULL, 0, seq++) < 0)
		goto oom;
	for (size_t i = 0; i < p->nsets; i++)
		if (emit_delete(b, NFT_MSG_DELSET, p->sets[i], 0, seq++) < 0)
			goto oom;
	for (size_t i = 0; i < p->nobjs; i++)
		if (emit_delete(b, NFT_MSG_DELOBJ, p->objs[i].name,
		    p->objs[i].type, seq++) < 0)
			goto oom;
	for (size_t i = 0; i < p->nflowtables; i++)
		if (emit_delete(b, NFT_MSG_DELFLOWTABLE, p->flowtables[i], 0,
		    seq++) < 0)
			goto oom;
	for (size_t i = 0; i < p->nchains; i++)
		if (!kept(ir, &p->chains[i]) && emit_delete(b,
		    NFT_MSG_DELCHAIN, p->chains[i].name, 0, seq++) < 0)
			goto oom;
	/* the kept base chains are written again as they are (an update,
	 * which may set their policy), the rest created */
	if (emit_content(b, ir, &seq) < 0 || nftemit_end(b, &seq) < 0)
		goto oom;
	return 0;
oom:
	return batch_oom(b, err, errlen);
}

/* One NEWSETELEM or DELSETELEM message on a runtime set of interface
 * names; a DELSETELEM without names flushes the set.  -1 out of memory. */
static int
ifname_elems(struct nft_batch *b, const char *set, const char *const *ifnames,
    size_t n, bool add_elems, uint32_t seq)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	int rc = -1;

	if (s == NULL)
		return -1;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFTGEN_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, set);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	for (size_t i = 0; i < n; i++) {
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();
		char name[16] = { 0 };
		if (e == NULL)
			goto out;
		snprintf(name, sizeof(name), "%s", ifnames[i]);
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, name, sizeof(name));
		nftnl_set_elem_add(s, e);
	}
	if ((nlh = msg_start(b, add_elems ? NFT_MSG_NEWSETELEM :
	    NFT_MSG_DELSETELEM, add_elems ? NLM_F_CREATE : 0, seq)) == NULL)
		goto out;
	nftnl_set_elems_nlmsg_build_payload(nlh, s);	/* none: no list */
	rc = msg_end(b, nlh, MSG_ELEMS, 0, 0, (uint32_t)n);
out:
	nftnl_set_free(s);
	return rc;
}

int
nftemit_set_elems(const char *set, const char *const *ifnames, size_t n,
    bool add_elems, uint32_t seq, struct nft_batch *b, char *err,
    size_t errlen)
{
	memset(b, 0, sizeof(*b));
	if (nftemit_begin(b, &seq, 0) < 0 ||
	    ifname_elems(b, set, ifnames, n, add_elems, seq++) < 0 ||
	    nftemit_end(b, &seq) < 0)
		return batch_oom(b, err, errlen);
	return 0;
}

/*
 * The whole content of a runtime set in one transaction: begin, flush
 * (DELSETELEM without elements), NEWSETELEM with every interface name,
 * end.  A packet sees the set before or after, never in between.
 */
int
nftemit_set_assign(const char *set, const char *const *ifnames, size_t n,
    uint32_t seq, struct nft_batch *b, char *err, size_t errlen)
{
	memset(b, 0, sizeof(*b));
	if (nftemit_begin(b, &seq, 0) < 0 ||
	    ifname_elems(b, set, NULL, 0, false, seq++) < 0 ||
	    (n > 0 && ifname_elems(b, set, ifnames, n, true, seq++) < 0) ||
	    nftemit_end(b, &seq) < 0)
		return batch_oom(b, err, errlen);
	return 0;
}

/* The index of the element within message m that holds attr_off. */
static int
elem_at(const struct nft_batch *b, const struct nft_msg *m, uint32_t off)
{
	const struct nlmsghdr *nlh = (const void *)(b->buf + m->off);
	const struct nlattr *a, *e;
	int i = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(e, a) {
			uint32_t start = (uint32_t)((const char *)e -
			    (const char *)nlh);
			if (off >= start && off < start + e->nla_len)
				return i;
			i++;
		}
	}
	return -1;
}

int
nftemit_describe(const struct nft_batch *b, const struct nft_ir *ir,
    const struct nft_msg *m, uint32_t attr_off, char *buf, size_t len)
{
	const char *verb = m->old ? "deleting " : "";
	const struct nft_set *s;
	const struct nft_rule *r;
	uint32_t first;
	int k;

	if (m->old) {
		if ((ir = b->old) == NULL) {
			snprintf(buf, len, "a deletion");
			return 0;
		}
	}
	switch (m->kind) {
	case MSG_TABLE:
		snprintf(buf, len, "table inet %s", NFTGEN_TABLE);
		return 0;
	case MSG_COUNTER:
		snprintf(buf, len, "%scounter %s", verb,
		    ir->counters[m->obj].name);
		return m->old ? 0 : ir->counters[m->obj].line;
	case MSG_CHAIN:
		snprintf(buf, len, "chain %s", ir->chains[m->obj]->name);
		return 0;
	case MSG_FLUSH:
		snprintf(buf, len, "chain %s (flushing its rules)",
		    ir->chains[m->obj]->name);
		return 0;
	case MSG_SET:
		snprintf(buf, len, "set %s", ir->sets[m->obj]->name);
		return ir->sets[m->obj]->line;
	case MSG_ELEMS:
		s = ir->sets[m->obj];
		first = m->indexed ? b->idx[m->sub] : m->sub;
		k = attr_off ? elem_at(b, m, attr_off) : -1;
		if (k < 0 || (uint32_t)k >= m->count) {
			if (m->indexed && m->count > 1)
				snprintf(buf, len, "set %s (%s%u elements)",
				    s->name, verb, m->count);
			else
				snprintf(buf, len, "set %s (%selements %u..%u)",
				    s->name, verb, first,
				    first + m->count - 1);
			return m->count == 1 && !m->old ? s->elems[first].line :
			    0;
		}
		k = (int)(m->indexed ? b->idx[m->sub + (uint32_t)k] :
		    m->sub + (uint32_t)k);
		snprintf(buf, len, "set %s %selement %d%s%s%s", s->name, verb,
		    k, s->elems[k].comment ? " (" : "",
		    s->elems[k].comment ? s->elems[k].comment : "",
		    s->elems[k].comment ? ")" : "");
		/* the line of a deleted element is the old file's */
		return m->old ? 0 : s->elems[k].line;
	case MSG_OLD:
		snprintf(buf, len, "table inet %s as it was (deleting its old "
		    "objects)", NFTGEN_TABLE);
		return 0;
	case MSG_RULE:
		r = &ir->chains[m->obj]->rules[m->sub];
		snprintf(buf, len, "chain %s rule %u", ir->chains[m->obj]->name,
		    m->sub + 1);
		return r->line;
	}
	snprintf(buf, len, "?");
	return 0;
}

int
nftemit_probe_queue(uint32_t seq, struct nft_batch *b, char *err,
    size_t errlen)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;
	static const char name[] = "zoned-probe";

	memset(b, 0, sizeof(*b));
	if (t == NULL || c == NULL || r == NULL || nftemit_begin(b, &seq, 0) < 0)
		goto oom;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	if ((nlh = msg_start(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, seq++)) == NULL)
		goto oom;
	nftnl_table_nlmsg_build_payload(nlh, t);
	msg_end(b, nlh, MSG_TABLE, 0, 0, 0);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, name);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, "probe");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	if ((nlh = msg_start(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, seq++)) == NULL)
		goto oom;
	nftnl_chain_nlmsg_build_payload(nlh, c);
	msg_end(b, nlh, MSG_CHAIN, 0, 0, 0);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, name);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "probe");
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	rule_begin();
	e_queue(r, 0, false);
	if (rule_end() < 0 || (nlh = msg_start(b, NFT_MSG_NEWRULE,
	    NLM_F_APPEND | NLM_F_CREATE, seq++)) == NULL)
		goto oom;
	nftnl_rule_nlmsg_build_payload(nlh, r);
	msg_end(b, nlh, MSG_RULE, 0, 0, 0);
	/* no batch end: the kernel checks it all, then aborts */
	b->seq_end = seq;
	nftnl_table_free(t);
	nftnl_chain_free(c);
	nftnl_rule_free(r);
	return 0;
oom:
	nftnl_table_free(t);
	nftnl_chain_free(c);
	nftnl_rule_free(r);
	nftemit_free(b);
	snprintf(err, errlen, "out of memory");
	return -1;
}
