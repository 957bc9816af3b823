/*
 * nftgen — policy -> the intermediate form of the `inet zoned` table.
 *
 * Flows become elements of concatenated interval maps (key -> ct mark), one
 * group of maps per zone pair, so the rule count does not grow with flows.
 * Elements that overlap (ZL009 allows it) cannot share a set, so each
 * element goes to the first "slot" (a map of one key layout) after every
 * slot that holds an earlier element overlapping it; slots are evaluated in
 * order, each only while ct mark is still 0.  The first matching flow in
 * file order thus sets the mark, in the kernel as in the classifier.
 */
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nftgen.h"

/* nft datatype ids (nftables' include/datatype.h). */
#define DT_IPADDR 7
#define DT_IP6ADDR 8
#define DT_ETHERADDR 9
#define DT_INET_PROTOCOL 12
#define DT_INET_SERVICE 13
#define DT_ICMP_TYPE 14
#define DT_MARK 19
#define DT_ICMP6_TYPE 29
#define DT_IFNAME 41

#define BO_HOST 1
#define BO_BIG 2

static const struct nft_field_info fields[] = {
	[NF_IIFNAME] = { "ifname", "iifname", DT_IFNAME, 16, 16, BO_HOST },
	[NF_OIFNAME] = { "ifname", "oifname", DT_IFNAME, 16, 16, BO_HOST },
	[NF_SADDR4] = { "ipv4_addr", "ip saddr", DT_IPADDR, 4, 4, BO_BIG },
	[NF_DADDR4] = { "ipv4_addr", "ip daddr", DT_IPADDR, 4, 4, BO_BIG },
	[NF_SADDR6] = { "ipv6_addr", "ip6 saddr", DT_IP6ADDR, 16, 16, BO_BIG },
	[NF_DADDR6] = { "ipv6_addr", "ip6 daddr", DT_IP6ADDR, 16, 16, BO_BIG },
	[NF_ETHER_SADDR] = { "ether_addr", "ether saddr", DT_ETHERADDR, 6, 8,
	    BO_BIG },
	[NF_L4PROTO] = { "inet_proto", "meta l4proto", DT_INET_PROTOCOL, 1, 4,
	    BO_BIG },
	[NF_TH_DPORT] = { "inet_service", "th dport", DT_INET_SERVICE, 2, 4,
	    BO_BIG },
	[NF_ICMP_TYPE] = { "icmp_type", "icmp type", DT_ICMP_TYPE, 1, 4,
	    BO_BIG },
	[NF_ICMPV6_TYPE] = { "icmpv6_type", "icmpv6 type", DT_ICMP6_TYPE, 1, 4,
	    BO_BIG },
	[NF_CT_MARK] = { "mark", "ct mark", DT_MARK, 4, 4, BO_HOST },
};

const struct nft_field_info *
nftgen_field(enum nft_field f)
{
	return &fields[f];
}

size_t
nftgen_key_len(const struct nft_key *k)
{
	size_t n = 0;

	if (k->n == 1)
		return fields[k->f[0]].len;
	for (int i = 0; i < k->n; i++)
		n += fields[k->f[i]].reglen;
	return n;
}

size_t
nftgen_field_offset(const struct nft_key *k, int i)
{
	size_t off = 0;

	for (int j = 0; j < i; j++)
		off += fields[k->f[j]].reglen;
	return off;
}

/* ---------------------------------------------------------------------
 * IR containers
 */

struct gen {
	struct nft_ir *ir;
	const struct policy *p;
	const struct nftgen_opts *o;
	char *err;
	size_t errlen;
	int failed;
};

static void *
grow(void *v, size_t *cap, size_t n, size_t sz)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : 16;
	if ((nv = realloc(v, ncap * sz)) == NULL)
		return NULL;
	memset((char *)nv + *cap * sz, 0, (ncap - *cap) * sz);
	*cap = ncap;
	return nv;
}

static void gen_fail(struct gen *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
gen_fail(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	if (g->failed++)
		return;
	va_start(ap, fmt);
	vsnprintf(g->err, g->errlen, fmt, ap);
	va_end(ap);
}

/* A string owned by the IR. */
static const char *
ir_str(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static const char *
ir_str(struct gen *g, const char *fmt, ...)
{
	struct nft_ir *ir = g->ir;
	va_list ap;
	char *s, **v;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	v = grow(ir->strs, &ir->strcap, ir->nstrs, sizeof(*ir->strs));
	if (s == NULL || v == NULL) {
		free(s);
		gen_fail(g, "out of memory");
		return "";
	}
	ir->strs = v;
	ir->strs[ir->nstrs++] = s;
	return s;
}

static struct nft_set *
add_set(struct gen *g, const char *name, const struct nft_key *key,
    enum nft_data data, bool interval)
{
	struct nft_ir *ir = g->ir;
	struct nft_set *s, **v;

	v = grow(ir->sets, &ir->scap, ir->nsets, sizeof(*ir->sets));
	if (v == NULL) {
		gen_fail(g, "out of memory");
		return NULL;
	}
	ir->sets = v;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->name = strdup(name)) == NULL) {
		free(s);
		gen_fail(g, "out of memory");
		return NULL;
	}
	s->key = *key;
	s->data = data;
	s->interval = interval;
	if (nftgen_key_len(key) > NFTGEN_KEY_MAX) {
		gen_fail(g, "set %s: key of %zu bytes is over the kernel's "
		    "%d", name, nftgen_key_len(key), NFTGEN_KEY_MAX);
		free(s->name);
		free(s);
		return NULL;
	}
	ir->sets[ir->nsets++] = s;
	return s;
}

struct nft_set *
nftgen_find_set(const struct nft_ir *ir, const char *name)
{
	for (size_t i = 0; i < ir->nsets; i++)
		if (strcmp(ir->sets[i]->name, name) == 0)
			return ir->sets[i];
	return NULL;
}

static struct nft_elem *
add_elem(struct gen *g, struct nft_set *s)
{
	struct nft_elem *v;

	if (s == NULL)
		return NULL;
	v = grow(s->elems, &s->cap, s->nelems, sizeof(*s->elems));
	if (v == NULL) {
		gen_fail(g, "out of memory");
		return NULL;
	}
	s->elems = v;
	memset(&s->elems[s->nelems], 0, sizeof(*s->elems));
	return &s->elems[s->nelems++];
}

static struct nft_chain *
add_chain(struct gen *g, const char *name, enum nft_hook hook)
{
	struct nft_ir *ir = g->ir;
	struct nft_chain *c, **v;

	v = grow(ir->chains, &ir->chcap, ir->nchains, sizeof(*ir->chains));
	if (v == NULL) {
		gen_fail(g, "out of memory");
		return NULL;
	}
	ir->chains = v;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->name = strdup(name)) == NULL) {
		free(c);
		gen_fail(g, "out of memory");
		return NULL;
	}
	c->hook = hook;
	ir->chains[ir->nchains++] = c;
	return c;
}

static struct nft_rule *
add_rule(struct gen *g, struct nft_chain *c, int line)
{
	struct nft_rule *v;

	if (c == NULL)
		return NULL;
	v = grow(c->rules, &c->cap, c->nrules, sizeof(*c->rules));
	if (v == NULL) {
		gen_fail(g, "out of memory");
		return NULL;
	}
	c->rules = v;
	memset(&c->rules[c->nrules], 0, sizeof(*c->rules));
	c->rules[c->nrules].line = line;
	return &c->rules[c->nrules++];
}

static void
op(struct nft_rule *r, enum nft_op_kind kind, uint32_t u, const char *s,
    const struct nft_key *key)
{
	struct nft_op *o;

	if (r == NULL || r->nops == NFTGEN_MAX_OPS)
		return;
	o = &r->ops[r->nops++];
	o->kind = kind;
	o->u = u;
	o->s = s;
	if (key)
		o->key = *key;
}

static void
add_counter(struct gen *g, const char *name, int line, uint32_t flow)
{
	struct nft_ir *ir = g->ir;
	struct nft_counter *v;

	v = grow(ir->counters, &ir->ccap, ir->ncounters, sizeof(*v));
	if (v == NULL) {
		gen_fail(g, "out of memory");
		return;
	}
	ir->counters = v;
	if ((v[ir->ncounters].name = strdup(name)) == NULL) {
		gen_fail(g, "out of memory");
		return;
	}
	v[ir->ncounters].flow = flow;
	v[ir->ncounters++].line = line;
}

void
nftgen_free(struct nft_ir *ir)
{
	if (ir == NULL)
		return;
	for (size_t i = 0; i < ir->ncounters; i++)
		free(ir->counters[i].name);
	free(ir->counters);
	for (size_t i = 0; i < ir->nsets; i++) {
		for (size_t j = 0; j < ir->sets[i]->nelems; j++)
			free(ir->sets[i]->elems[j].comment);
		free(ir->sets[i]->elems);
		free(ir->sets[i]->name);
		free(ir->sets[i]);
	}
	free(ir->sets);
	for (size_t i = 0; i < ir->nchains; i++) {
		free(ir->chains[i]->rules);
		free(ir->chains[i]->name);
		free(ir->chains[i]);
	}
	free(ir->chains);
	for (size_t i = 0; i < ir->nstrs; i++)
		free(ir->strs[i]);
	free(ir->strs);
	free(ir);
}

/* ---------------------------------------------------------------------
 * Keys and element values
 */

static struct nft_key
mkkey(int n, ...)
{
	struct nft_key k = { 0 };
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n && i < NFTGEN_MAX_FIELDS; i++)
		k.f[k.n++] = (uint8_t)va_arg(ap, int);
	va_end(ap);
	return k;
}

/* Put a field's value (data bytes, network order except ifname) into a
 * key buffer at field i. */
static void
put(uint8_t *buf, const struct nft_key *k, int i, const void *val)
{
	memcpy(buf + nftgen_field_offset(k, i), val, fields[k->f[i]].len);
}

static void
put_u8(uint8_t *buf, const struct nft_key *k, int i, uint8_t v)
{
	put(buf, k, i, &v);
}

static void
put_u16(uint8_t *buf, const struct nft_key *k, int i, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	put(buf, k, i, b);
}

static void
put_ifname(uint8_t *buf, const struct nft_key *k, int i, const char *name)
{
	char b[16] = { 0 };

	snprintf(b, sizeof(b), "%s", name);
	put(buf, k, i, b);
}

/* ---------------------------------------------------------------------
 * Deny chains: a limited log and a named counter per reason
 */

static const char *
deny_chain(struct gen *g, const char *what, const char *logwhat, int line)
{
	const char *name = ir_str(g, "deny.%s", what);
	struct nft_chain *c = add_chain(g, name, HOOK_NONE);
	struct nft_rule *r;
	const struct policy *p = g->p;
	int rate = p ? p->log.nflog_rate : POLICY_DEFAULT_NFLOG_RATE;
	int group = p ? p->log.nflog_group : POLICY_DEFAULT_NFLOG_GROUP;

	r = add_rule(g, c, line);
	op(r, OP_LIMIT, (uint32_t)rate, NULL, NULL);
	op(r, OP_LOG, (uint32_t)group, ir_str(g, "zoned:deny:%s",
	    logwhat ? logwhat : what), NULL);
	r = add_rule(g, c, line);
	op(r, OP_COUNTER, 0, name, NULL);
	op(r, OP_DROP, 0, NULL, NULL);
	add_counter(g, name, line, 0);
	return name;
}

/* ---------------------------------------------------------------------
 * Layered element collections: flows of one zone pair, management access
 */

enum lay_kind {
	LK_PORT,		/* l4proto . th dport */
	LK_ICMP,		/* icmp type / icmpv6 type */
	LK_PROTO,		/* l4proto */
};

struct layout {
	uint8_t family;
	uint8_t kind;		/* enum lay_kind */
	bool mac;		/* ether saddr after saddr */
	bool mgmt;		/* iifname . saddr . ... (no daddr) */
};

/* The space an element covers, to find overlaps. */
struct box {
	uint8_t src_lo[16], src_hi[16], dst_lo[16], dst_hi[16];
	uint8_t ifname[16];
	uint8_t mac[6];
	struct layout lay;
	uint8_t pr_lo, pr_hi;
	uint16_t v_lo, v_hi;	/* port or type */
	int slot;
};

struct slot {
	struct layout lay;
	struct nft_set *set;
};

struct layered {
	const char *prefix;	/* set names: PREFIX.N */
	struct slot *slots;
	size_t nslots, scap;
	struct box *boxes;	/* every element so far, in order */
	size_t nboxes, bcap;
	/* narrow elements (host to host) by hash of their addresses */
	uint32_t *bucket_head;	/* index+1 into boxes, 0 = none */
	uint32_t *next;		/* per box: next in its bucket, 0 = none */
	size_t nbuckets;
	uint32_t *wide;		/* elements with a network or zone end */
	size_t nwide, wcap;
};

static bool
ranges_meet(const uint8_t *alo, const uint8_t *ahi, const uint8_t *blo,
    const uint8_t *bhi)
{
	return memcmp(alo, bhi, 16) <= 0 && memcmp(blo, ahi, 16) <= 0;
}

static bool
boxes_meet(const struct box *a, const struct box *b)
{
	if (a->lay.family != b->lay.family || a->lay.mgmt != b->lay.mgmt)
		return false;
	if (a->lay.mgmt && memcmp(a->ifname, b->ifname, 16) != 0)
		return false;
	if (!ranges_meet(a->src_lo, a->src_hi, b->src_lo, b->src_hi) ||
	    !ranges_meet(a->dst_lo, a->dst_hi, b->dst_lo, b->dst_hi))
		return false;
	if (a->lay.mac && b->lay.mac && memcmp(a->mac, b->mac, 6) != 0)
		return false;
	if (a->pr_hi < b->pr_lo || b->pr_hi < a->pr_lo)
		return false;
	if (a->lay.kind == LK_PROTO || b->lay.kind == LK_PROTO)
		return true;
	if (a->lay.kind != b->lay.kind)
		return false;	/* ports vs ICMP types: protocols differ */
	return !(a->v_hi < b->v_lo || b->v_hi < a->v_lo);
}

static bool
box_narrow(const struct box *b)
{
	return memcmp(b->src_lo, b->src_hi, 16) == 0 &&
	    memcmp(b->dst_lo, b->dst_hi, 16) == 0;
}

static uint32_t
box_hash(const struct box *b, size_t nbuckets)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ b->src_lo[i]) * 16777619u;
	for (int i = 0; i < 16; i++)
		h = (h ^ b->dst_lo[i]) * 16777619u;
	return h & (uint32_t)(nbuckets - 1);
}

static struct nft_key
layout_key(const struct layout *l)
{
	struct nft_key k = { 0 };
	bool v4 = l->family == ADDR_V4;

	if (l->mgmt)
		k.f[k.n++] = NF_IIFNAME;
	k.f[k.n++] = v4 ? NF_SADDR4 : NF_SADDR6;
	if (l->mac)
		k.f[k.n++] = NF_ETHER_SADDR;
	if (!l->mgmt)
		k.f[k.n++] = v4 ? NF_DADDR4 : NF_DADDR6;
	switch (l->kind) {
	case LK_PORT:
		k.f[k.n++] = NF_L4PROTO;
		k.f[k.n++] = NF_TH_DPORT;
		break;
	case LK_ICMP:
		k.f[k.n++] = v4 ? NF_ICMP_TYPE : NF_ICMPV6_TYPE;
		break;
	case LK_PROTO:
		k.f[k.n++] = NF_L4PROTO;
		break;
	}
	return k;
}

static int
layered_init(struct layered *L, const char *prefix, size_t expect)
{
	memset(L, 0, sizeof(*L));
	L->prefix = prefix;
	L->nbuckets = 64;
	while (L->nbuckets < expect * 2)
		L->nbuckets *= 2;
	L->bucket_head = calloc(L->nbuckets, sizeof(*L->bucket_head));
	return L->bucket_head ? 0 : -1;
}

static void
layered_free(struct layered *L)
{
	free(L->slots);
	free(L->boxes);
	free(L->bucket_head);
	free(L->next);
	free(L->wide);
}

/* Encode a box as an element of its slot's set. */
static void
box_elem(const struct box *b, const struct nft_key *k, struct nft_elem *e)
{
	int fam = b->lay.family, i = 0;
	size_t alen = fam == ADDR_V4 ? 4 : 16;

	if (b->lay.mgmt) {
		put(e->key, k, i, b->ifname);
		put(e->key_end, k, i++, b->ifname);
	}
	memcpy(e->key + nftgen_field_offset(k, i), b->src_lo, alen);
	memcpy(e->key_end + nftgen_field_offset(k, i++), b->src_hi, alen);
	if (b->lay.mac) {
		put(e->key, k, i, b->mac);
		put(e->key_end, k, i++, b->mac);
	}
	if (!b->lay.mgmt) {
		memcpy(e->key + nftgen_field_offset(k, i), b->dst_lo, alen);
		memcpy(e->key_end + nftgen_field_offset(k, i++), b->dst_hi,
		    alen);
	}
	if (b->lay.kind == LK_ICMP) {
		put_u8(e->key, k, i, (uint8_t)b->v_lo);
		put_u8(e->key_end, k, i, (uint8_t)b->v_hi);
		return;
	}
	put_u8(e->key, k, i, b->pr_lo);
	put_u8(e->key_end, k, i++, b->pr_hi);
	if (b->lay.kind == LK_PORT) {
		put_u16(e->key, k, i, b->v_lo);
		put_u16(e->key_end, k, i, b->v_hi);
	}
}

static int
layered_add(struct gen *g, struct layered *L, struct box *b, uint32_t mark,
    const char *comment, int line)
{
	int need = 0;		/* the first slot index allowed */
	uint32_t idx;
	struct nft_elem *e;
	struct nft_key k;
	size_t s;

	/* Slots after every earlier element this one meets. */
	if (box_narrow(b)) {
		for (uint32_t j = L->bucket_head[box_hash(b, L->nbuckets)]; j;
		    j = L->next[j - 1])
			if (L->boxes[j - 1].slot >= need &&
			    boxes_meet(&L->boxes[j - 1], b))
				need = L->boxes[j - 1].slot + 1;
		for (size_t w = 0; w < L->nwide; w++)
			if (L->boxes[L->wide[w]].slot >= need &&
			    boxes_meet(&L->boxes[L->wide[w]], b))
				need = L->boxes[L->wide[w]].slot + 1;
	} else {
		for (size_t j = 0; j < L->nboxes; j++)
			if (L->boxes[j].slot >= need &&
			    boxes_meet(&L->boxes[j], b))
				need = L->boxes[j].slot + 1;
	}
	for (s = (size_t)need; s < L->nslots; s++)
		if (memcmp(&L->slots[s].lay, &b->lay, sizeof(b->lay)) == 0)
			break;
	if (s == L->nslots) {
		struct slot *v = grow(L->slots, &L->scap, L->nslots,
		    sizeof(*v));
		if (v == NULL)
			goto oom;
		L->slots = v;
		k = layout_key(&b->lay);
		v[s].lay = b->lay;
		v[s].set = add_set(g, ir_str(g, "%s.%zu", L->prefix, s), &k,
		    b->lay.mgmt ? ND_NONE : ND_MARK, true);
		if (v[s].set == NULL)
			return -1;
		L->nslots++;
	}
	b->slot = (int)s;
	k = L->slots[s].set->key;
	if ((e = add_elem(g, L->slots[s].set)) == NULL)
		return -1;
	box_elem(b, &k, e);
	e->mark = mark;
	e->line = line;
	if (comment && (e->comment = strdup(comment)) == NULL)
		goto oom;

	/* Remember the box for later overlap checks. */
	{
		void *v = grow(L->boxes, &L->bcap, L->nboxes, sizeof(*b));
		if (v == NULL)
			goto oom;
		L->boxes = v;
		if (L->bcap > 0) {
			uint32_t *nx = realloc(L->next, L->bcap * sizeof(*nx));
			if (nx == NULL)
				goto oom;
			L->next = nx;
		}
	}
	idx = (uint32_t)L->nboxes;
	L->boxes[L->nboxes++] = *b;
	L->next[idx] = 0;
	if (box_narrow(b)) {
		uint32_t h = box_hash(b, L->nbuckets);
		L->next[idx] = L->bucket_head[h];
		L->bucket_head[h] = idx + 1;
	} else {
		uint32_t *v = grow(L->wide, &L->wcap, L->nwide, sizeof(*v));
		if (v == NULL)
			goto oom;
		L->wide = v;
		L->wide[L->nwide++] = idx;
	}
	return 0;
oom:
	gen_fail(g, "out of memory");
	return -1;
}

/* Fill the (protocol, value) part of a box from a service; calls fn for
 * each element the service needs.  Returns -1 on failure. */
typedef int (*svc_fn)(struct gen *, struct layered *, struct box *, void *);

static int
each_service_box(struct gen *g, struct layered *L, const struct service *s,
    struct box *b, svc_fn fn, void *arg)
{
	int fam = b->lay.family;

	if (s->any_proto) {
		b->lay.kind = LK_PROTO;
		b->pr_lo = 0;
		b->pr_hi = 255;
		return fn(g, L, b, arg);
	}
	if (s->proto == PROTO_ICMP || s->proto == PROTO_ICMPV6) {
		if ((s->proto == PROTO_ICMP) != (fam == ADDR_V4))
			return 0;	/* ICMP is v4, ICMPv6 is v6 */
		b->pr_lo = b->pr_hi = s->proto;
		if (s->ntypes == 0) {
			b->lay.kind = LK_PROTO;
			return fn(g, L, b, arg);
		}
		b->lay.kind = LK_ICMP;
		for (size_t t = 0; t < s->ntypes; t++) {
			b->v_lo = b->v_hi = s->types[t];
			if (fn(g, L, b, arg) < 0)
				return -1;
		}
		return 0;
	}
	b->lay.kind = LK_PORT;
	b->pr_lo = b->pr_hi = s->proto;
	if (s->nports == 0) {
		b->v_lo = 0;
		b->v_hi = 65535;
		return fn(g, L, b, arg);
	}
	for (size_t r = 0; r < s->nports; r++) {
		b->v_lo = s->ports[r].lo;
		b->v_hi = s->ports[r].hi;
		if (fn(g, L, b, arg) < 0)
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Zone pairs
 */

struct flow_arg {
	const struct flow *f;
	const char *comment;
};

static int
flow_box(struct gen *g, struct layered *L, struct box *b, void *arg)
{
	struct flow_arg *fa = arg;
	struct box copy = *b;

	return layered_add(g, L, &copy, fa->f->mark, fa->comment, fa->f->line);
}

static const char *
base_name(const char *file)
{
	const char *s = strrchr(file, '/');
	return s ? s + 1 : file;
}

/* The rules that evaluate the slots of a layered collection. */
static void
slot_rules(struct gen *g, struct nft_chain *c, const struct layered *L,
    bool mark)
{
	for (size_t s = 0; s < L->nslots; s++) {
		const struct slot *sl = &L->slots[s];
		struct nft_rule *r = add_rule(g, c, 0);
		bool v4 = sl->lay.family == ADDR_V4;

		if (mark)
			op(r, OP_CT_MARK_EQ, 0, NULL, NULL);
		op(r, OP_NFPROTO, sl->lay.family, NULL, NULL);
		if (sl->lay.kind == LK_ICMP)
			op(r, OP_L4PROTO, v4 ? PROTO_ICMP : PROTO_ICMPV6, NULL,
			    NULL);
		if (mark)
			op(r, OP_MARK_MAP, 0, sl->set->name, &sl->set->key);
		else {
			op(r, OP_LOOKUP, 0, sl->set->name, &sl->set->key);
			op(r, OP_ACCEPT, 0, NULL, NULL);
		}
	}
}

static bool
flow_in_pair(const struct policy *p, const struct flow *f, int zi, int zo,
    time_t now)
{
	return !f->bad && policy_flow_active(f, now) &&
	    policy_endpoint_zone(p, &f->from) == zi &&
	    policy_endpoint_zone(p, &f->to) == zo;
}

/* Chain fwd.IN.OUT for one zone pair; returns its name, or the deny chain's
 * when the pair has no active flow. */
static const char *
pair_chain(struct gen *g, int zi, int zo, const char *deny)
{
	const struct policy *p = g->p;
	const char *in = p->zones[zi].name, *out = p->zones[zo].name;
	const char *name;
	struct layered L;
	struct nft_chain *c;
	struct nft_rule *r;
	size_t nflows = 0;
	bool logged = false;
	char comment[96];

	for (size_t i = 0; i < p->nflows; i++)
		if (flow_in_pair(p, &p->flows[i], zi, zo, g->o->now))
			nflows++;
	if (nflows == 0)
		return deny;
	if (layered_init(&L, ir_str(g, "flows.%s.%s", in, out), nflows) < 0) {
		gen_fail(g, "out of memory");
		return deny;
	}
	for (size_t i = 0; i < p->nflows && !g->failed; i++) {
		const struct flow *f = &p->flows[i];
		struct flow_arg fa = { f, comment };

		if (!flow_in_pair(p, f, zi, zo, g->o->now))
			continue;
		logged |= f->log;
		snprintf(comment, sizeof(comment), "%s:%d flow %s",
		    base_name(g->ir->file), f->line, f->name);
		/* every element of an address list holds: one element per
		 * source prefix, destination prefix and service, so that a
		 * change of a list is a change of elements */
		for (int fam = ADDR_V4; fam <= ADDR_V6; fam += 2) {
			struct policy_pfx_iter si, di;
			const struct addr_pfx *src, *dst;
			int sh;

			policy_pfx_iter(&si, p, &f->from, fam);
			while ((src = policy_pfx_next(&si, &sh)) != NULL) {
				policy_pfx_iter(&di, p, &f->to, fam);
				while ((dst = policy_pfx_next(&di, NULL)) !=
				    NULL) {
					struct box b;

					memset(&b, 0, sizeof(b));
					b.lay.family = (uint8_t)fam;
					addr_range(src, b.src_lo, b.src_hi);
					addr_range(dst, b.dst_lo, b.dst_hi);
					if (sh >= 0 && p->hosts[sh].has_mac) {
						b.lay.mac = true;
						memcpy(b.mac, p->hosts[sh].mac,
						    6);
					}
					for (size_t k = 0; k < f->nservices;
					    k++)
						if (each_service_box(g, &L,
						    &p->services[f->services[k]],
						    &b, flow_box, &fa) < 0)
							break;
				}
			}
		}
	}
	name = ir_str(g, "fwd.%s.%s", in, out);
	c = add_chain(g, name, HOOK_NONE);
	slot_rules(g, c, &L, true);
	layered_free(&L);
	if (logged) {
		r = add_rule(g, c, 0);
		struct nft_key km = mkkey(1, NF_CT_MARK);
		op(r, OP_LOOKUP, 0, "logflows", &km);
		op(r, OP_LIMIT, (uint32_t)p->log.nflog_rate, NULL, NULL);
		op(r, OP_LOG, (uint32_t)p->log.nflog_group,
		    ir_str(g, "zoned:accept:%s>%s", in, out), NULL);
	}
	r = add_rule(g, c, 0);
	op(r, OP_CT_MARK_NE, 0, NULL, NULL);
	op(r, OP_COUNTER_MAP, 0, "fctr", NULL);
	op(r, OP_ACCEPT, 0, NULL, NULL);
	r = add_rule(g, c, 0);
	op(r, OP_JUMP, 0, deny, NULL);
	return name;
}

/* ---------------------------------------------------------------------
 * Anti-spoofing: the source ranges each interface may bring
 */

struct range128 {
	uint8_t lo[16], hi[16];
};

static int
r128_cmp(const void *a, const void *b)
{
	return memcmp(((const struct range128 *)a)->lo,
	    ((const struct range128 *)b)->lo, 16);
}

/* Sort and merge overlapping or adjacent ranges in place (addresses of
 * nbytes). */
static size_t
r128_merge(struct range128 *v, size_t n, int nbytes)
{
	size_t out = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), r128_cmp);
	for (size_t i = 1; i < n; i++) {
		uint8_t next[16];
		memcpy(next, v[out].hi, 16);
		if (!addr_inc(next, nbytes) && memcmp(v[i].lo, next, 16) > 0)
			v[++out] = v[i];
		else if (memcmp(v[i].hi, v[out].hi, 16) > 0)
			memcpy(v[out].hi, v[i].hi, 16);
	}
	return out + 1;
}

/* The source ranges of zone z for a family: its networks, and for an
 * Internet zone minus every local zone's networks.  *out malloc'd. */
static size_t
zone_sources(const struct policy *p, int z, int fam, struct range128 **out)
{
	const struct zone *zo = &p->zones[z];
	struct range128 *own, *loc, *res;
	size_t nown = 0, nloc = 0, nres = 0, cap;
	int nb = fam == ADDR_V4 ? 4 : 16;

	own = calloc(zo->nnets + 1, sizeof(*own));
	cap = 1;
	for (size_t i = 0; i < p->nzones; i++)
		cap += p->zones[i].nnets;
	loc = calloc(cap, sizeof(*loc));
	res = calloc(zo->nnets + cap + 1, sizeof(*res));
	if (own == NULL || loc == NULL || res == NULL) {
		free(own);
		free(loc);
		free(res);
		*out = NULL;
		return (size_t)-1;
	}
	for (size_t i = 0; i < zo->nnets; i++)
		if (zo->nets[i].family == fam) {
			addr_range(&zo->nets[i], own[nown].lo, own[nown].hi);
			nown++;
		}
	nown = r128_merge(own, nown, nb);
	if (zo->kind == ZONE_INTERNET)
		for (size_t i = 0; i < p->nzones; i++) {
			if (p->zones[i].kind == ZONE_INTERNET)
				continue;
			for (size_t j = 0; j < p->zones[i].nnets; j++)
				if (p->zones[i].nets[j].family == fam) {
					addr_range(&p->zones[i].nets[j],
					    loc[nloc].lo, loc[nloc].hi);
					nloc++;
				}
		}
	nloc = r128_merge(loc, nloc, nb);
	/* own minus loc: both sorted and disjoint */
	for (size_t i = 0; i < nown; i++) {
		uint8_t cur[16];
		bool done = false;

		memcpy(cur, own[i].lo, 16);
		for (size_t j = 0; j < nloc && !done; j++) {
			if (memcmp(loc[j].hi, cur, 16) < 0)
				continue;
			if (memcmp(loc[j].lo, own[i].hi, 16) > 0)
				break;
			if (memcmp(loc[j].lo, cur, 16) > 0) {
				memcpy(res[nres].lo, cur, 16);
				memcpy(res[nres].hi, loc[j].lo, 16);
				addr_dec(res[nres++].hi, nb);
			}
			memcpy(cur, loc[j].hi, 16);
			if (addr_inc(cur, nb) || memcmp(cur, own[i].hi, 16) > 0)
				done = true;
		}
		if (!done) {
			memcpy(res[nres].lo, cur, 16);
			memcpy(res[nres++].hi, own[i].hi, 16);
		}
	}
	free(own);
	free(loc);
	*out = res;
	return nres;
}

static void
spoof_sets(struct gen *g, struct nft_set *s4, struct nft_set *s6)
{
	const struct policy *p = g->p;

	for (size_t z = 0; z < p->nzones; z++) {
		for (int fam = ADDR_V4; fam <= ADDR_V6; fam += 2) {
			struct nft_set *s = fam == ADDR_V4 ? s4 : s6;
			size_t alen = fam == ADDR_V4 ? 4 : 16;
			struct range128 *rv;
			size_t n = zone_sources(p, (int)z, fam, &rv);

			if (n == (size_t)-1) {
				gen_fail(g, "out of memory");
				return;
			}
			for (size_t i = 0; i < p->zones[z].nifaces; i++)
				for (size_t j = 0; j < n; j++) {
					struct nft_elem *e = add_elem(g, s);
					if (e == NULL)
						break;
					put_ifname(e->key, &s->key, 0,
					    p->zones[z].ifaces[i]);
					put_ifname(e->key_end, &s->key, 0,
					    p->zones[z].ifaces[i]);
					memcpy(e->key + 16, rv[j].lo, alen);
					memcpy(e->key_end + 16, rv[j].hi, alen);
					e->line = p->zones[z].nets_line;
				}
			free(rv);
		}
	}
}

static void
pin_sets(struct gen *g, struct nft_chain *fwd, const char *deny)
{
	const struct policy *p = g->p;

	for (int fam = ADDR_V4; fam <= ADDR_V6; fam += 2) {
		bool v4 = fam == ADDR_V4;
		struct nft_key ka = mkkey(1, v4 ? NF_SADDR4 : NF_SADDR6);
		struct nft_key kp = mkkey(2, v4 ? NF_SADDR4 : NF_SADDR6,
		    NF_ETHER_SADDR);
		struct nft_set *sa = NULL, *sp = NULL;
		struct nft_rule *r;

		for (size_t i = 0; i < p->nhosts; i++) {
			const struct host *h = &p->hosts[i];
			struct nft_elem *e;

			if (!policy_host_pinned(p, h) ||
			    h->addrs[0].pfx.family != fam)
				continue;
			if (sa == NULL) {
				sa = add_set(g, v4 ? "pinaddr4" : "pinaddr6",
				    &ka, ND_NONE, false);
				sp = add_set(g, v4 ? "pinned4" : "pinned6", &kp,
				    ND_NONE, false);
				if (sa == NULL || sp == NULL)
					return;
			}
			if ((e = add_elem(g, sa)) == NULL)
				return;
			put(e->key, &ka, 0, h->addrs[0].pfx.a);
			e->line = h->line;
			if ((e = add_elem(g, sp)) == NULL)
				return;
			put(e->key, &kp, 0, h->addrs[0].pfx.a);
			put(e->key, &kp, 1, h->mac);
			e->line = h->line;
		}
		if (sa == NULL)
			continue;
		r = add_rule(g, fwd, 0);
		op(r, OP_NFPROTO, (uint32_t)fam, NULL, NULL);
		op(r, OP_LOOKUP, 0, sa->name, &ka);
		op(r, OP_LOOKUP, 1, sp->name, &kp);
		op(r, OP_JUMP, 0, deny, NULL);
	}
}

/* ---------------------------------------------------------------------
 * Management access (input)
 */

struct mgmt_arg {
	const char *comment;
	int line;
};

static int
mgmt_box(struct gen *g, struct layered *L, struct box *b, void *arg)
{
	struct mgmt_arg *ma = arg;
	struct box copy = *b;

	return layered_add(g, L, &copy, 0, ma->comment, ma->line);
}

/* The elements of one source prefix of a management entry, one per
 * interface of its zone. */
static void
mgmt_iface_boxes(struct gen *g, struct layered *L, const struct policy *p,
    const struct mgmt *m, int z, const struct addr_pfx *src,
    struct mgmt_arg *ma)
{
	for (size_t k = 0; k < p->zones[z].nifaces; k++) {
		struct box b;

		memset(&b, 0, sizeof(b));
		b.lay.family = src->family;
		b.lay.mgmt = true;
		snprintf((char *)b.ifname, sizeof(b.ifname), "%s",
		    p->zones[z].ifaces[k]);
		addr_range(src, b.src_lo, b.src_hi);
		memset(b.dst_hi, 0xff, 16);	/* no daddr */
		if (each_service_box(g, L, &p->services[m->service], &b,
		    mgmt_box, ma) < 0)
			break;
	}
}

static void
mgmt_rules(struct gen *g, struct nft_chain *in)
{
	const struct policy *p = g->p;
	struct layered L;
	char comment[96];

	if (p->nmgmt == 0)
		return;
	if (layered_init(&L, "mgmt", p->nmgmt) < 0) {
		gen_fail(g, "out of memory");
		return;
	}
	for (size_t i = 0; i < p->nmgmt && !g->failed; i++) {
		const struct mgmt *m = &p->mgmt[i];
		int z = policy_endpoint_zone(p, &m->from);
		struct mgmt_arg ma = { comment, m->line };

		if (m->bad || z < 0 || m->service < 0)
			continue;
		snprintf(comment, sizeof(comment), "%s:%d management",
		    base_name(g->ir->file), m->line);
		for (int fam = ADDR_V4; fam <= ADDR_V6; fam += 2) {
			struct policy_pfx_iter si;
			const struct addr_pfx *src;

			policy_pfx_iter(&si, p, &m->from, fam);
			while ((src = policy_pfx_next(&si, NULL)) != NULL)
				mgmt_iface_boxes(g, &L, p, m, z, src, &ma);
		}
	}
	slot_rules(g, in, &L, false);
	layered_free(&L);
}

/* ---------------------------------------------------------------------
 * The table
 */

static void
forward_head(struct gen *g, struct nft_chain *fwd)
{
	struct nft_key kif = mkkey(1, NF_IIFNAME), kof = mkkey(1, NF_OIFNAME);
	const char *iso = deny_chain(g, "isolated", NULL, 0);
	const char *inv = deny_chain(g, "invalid", NULL, 0);
	struct nft_set *s;
	struct nft_rule *r;

	if ((s = add_set(g, "isolated", &kif, ND_NONE, false)) != NULL) {
		s->runtime = true;
		for (size_t i = 0; i < g->o->nisolated; i++) {
			struct nft_elem *e = add_elem(g, s);
			if (e)
				put_ifname(e->key, &kif, 0, g->o->isolated[i]);
		}
	}
	r = add_rule(g, fwd, 0);
	op(r, OP_LOOKUP, 0, "isolated", &kif);
	op(r, OP_JUMP, 0, iso, NULL);
	r = add_rule(g, fwd, 0);
	op(r, OP_LOOKUP, 0, "isolated", &kof);
	op(r, OP_JUMP, 0, iso, NULL);
	r = add_rule(g, fwd, 0);
	op(r, OP_CT_STATE, NFT_CT_INVALID, NULL, NULL);
	op(r, OP_JUMP, 0, inv, NULL);
}

/* After the anti-spoofing and MAC rules, so that they hold for every packet
 * of a connection, not only its first: the rest of a connection passes
 * while its flow is active, and counts to it. */
static void
forward_established(struct gen *g, struct nft_chain *fwd)
{
	struct nft_key km = mkkey(1, NF_CT_MARK);
	const char *stale = deny_chain(g, "stale", NULL, 0);
	struct nft_rule *r;

	add_set(g, "active", &km, ND_NONE, false);
	r = add_rule(g, fwd, 0);
	op(r, OP_CT_STATE, NFT_CT_ESTABLISHED | NFT_CT_RELATED, NULL, NULL);
	op(r, OP_LOOKUP, 0, "active", &km);
	op(r, OP_COUNTER_MAP, 0, "fctr", NULL);
	op(r, OP_ACCEPT, 0, NULL, NULL);
	r = add_rule(g, fwd, 0);
	op(r, OP_CT_STATE, NFT_CT_ESTABLISHED | NFT_CT_RELATED, NULL, NULL);
	op(r, OP_JUMP, 0, stale, NULL);
}

/* ---------------------------------------------------------------------
 * One node of a pair (policy "ha"): keepalived's adverts and conntrackd's
 * sync traffic in; forwarding held while the node is not the master
 */

/* The input rules: VRRP adverts (IPv4 224.0.0.18, IPv6 ff02::12, protocol
 * 112) on the zone interfaces; conntrackd's UDP from the peer on the sync
 * interface, and nothing else from there. */
static void
ha_input(struct gen *g, struct nft_chain *in)
{
	static const uint8_t vrrp4[16] = { 224, 0, 0, 18 };
	static const uint8_t vrrp6[16] = { 0xff, 0x02, [15] = 0x12 };
	const struct policy *p = g->p;
	const struct policy_ha *ha = &p->ha;

	for (int fam = ADDR_V4; fam <= ADDR_V6; fam += 2) {
		bool v4 = fam == ADDR_V4, has = false;
		struct nft_key kv = mkkey(3, NF_IIFNAME, v4 ? NF_DADDR4 :
		    NF_DADDR6, NF_L4PROTO);
		struct nft_key ks = mkkey(4, NF_IIFNAME, v4 ? NF_SADDR4 :
		    NF_SADDR6, NF_L4PROTO, NF_TH_DPORT);
		size_t alen = v4 ? 4 : 16;
		struct nft_set *s;
		struct nft_rule *r;

		for (size_t z = 0; z < p->nzones; z++)
			has |= policy_zone_has_family(&p->zones[z], fam);
		if (has) {
			if ((s = add_set(g, v4 ? "ha.vrrp4" : "ha.vrrp6", &kv,
			    ND_NONE, false)) == NULL)
				return;
			s->line = ha->line;
			for (size_t z = 0; z < p->nzones; z++)
				for (size_t i = 0; i < p->zones[z].nifaces;
				    i++) {
					struct nft_elem *e = add_elem(g, s);
					if (e == NULL)
						return;
					put_ifname(e->key, &kv, 0,
					    p->zones[z].ifaces[i]);
					memcpy(e->key + nftgen_field_offset(&kv,
					    1), v4 ? vrrp4 : vrrp6, alen);
					put_u8(e->key, &kv, 2, NFTGEN_VRRP_PROTO);
					e->line = ha->line;
				}
			r = add_rule(g, in, ha->line);
			op(r, OP_NFPROTO, (uint32_t)fam, NULL, NULL);
			op(r, OP_LOOKUP, 0, s->name, &kv);
			op(r, OP_ACCEPT, 0, NULL, NULL);
		}
		s = NULL;
		for (size_t k = 0; k < ha->npeers; k++) {
			struct nft_elem *e;

			if (ha->peers[k].family != fam)
				continue;
			if (s == NULL && (s = add_set(g, v4 ? "ha.sync4" :
			    "ha.sync6", &ks, ND_NONE, true)) == NULL)
				return;
			if ((e = add_elem(g, s)) == NULL)
				return;
			put_ifname(e->key, &ks, 0, ha->sync_iface);
			put_ifname(e->key_end, &ks, 0, ha->sync_iface);
			addr_range(&ha->peers[k], e->key +
			    nftgen_field_offset(&ks, 1), e->key_end +
			    nftgen_field_offset(&ks, 1));
			put_u8(e->key, &ks, 2, PROTO_UDP);
			put_u8(e->key_end, &ks, 2, PROTO_UDP);
			put_u16(e->key, &ks, 3, (uint16_t)ha->sync_port);
			put_u16(e->key_end, &ks, 3, (uint16_t)ha->sync_port);
			e->line = ha->peer_line ? ha->peer_line : ha->line;
		}
		if (s == NULL)
			continue;
		s->line = ha->line;
		r = add_rule(g, in, ha->line);
		op(r, OP_NFPROTO, (uint32_t)fam, NULL, NULL);
		op(r, OP_LOOKUP, 0, s->name, &ks);
		op(r, OP_ACCEPT, 0, NULL, NULL);
	}
}

/* The forward chain's first word on a node of a pair: while it is not the
 * master (keepalived has not said so, or the synced connections are not
 * committed yet), nothing it receives on a zone interface is forwarded —
 * a packet that met no state would otherwise be judged as a new
 * connection.  The set's elements change at run time (zonectl ha-notify),
 * without a reload. */
static void
ha_forward(struct gen *g, struct nft_chain *fwd)
{
	const struct policy *p = g->p;
	struct nft_key kif = mkkey(1, NF_IIFNAME);
	const char *deny = deny_chain(g, "ha-standby", NULL, p->ha.line);
	struct nft_set *s;
	struct nft_rule *r;

	if ((s = add_set(g, NFTGEN_HA_STANDBY, &kif, ND_NONE, false)) == NULL)
		return;
	s->runtime = true;
	s->line = p->ha.line;
	for (size_t z = 0; g->o->ha_standby && z < p->nzones; z++)
		for (size_t i = 0; i < p->zones[z].nifaces; i++) {
			struct nft_elem *e = add_elem(g, s);
			if (e)
				put_ifname(e->key, &kif, 0,
				    p->zones[z].ifaces[i]);
		}
	r = add_rule(g, fwd, p->ha.line);
	op(r, OP_LOOKUP, 0, NFTGEN_HA_STANDBY, &kif);
	op(r, OP_JUMP, 0, deny, NULL);
}

static void
input_chain(struct gen *g)
{
	static const uint8_t nd[] = { 133, 134, 135, 136 };
	struct nft_chain *in = add_chain(g, "input", HOOK_INPUT);
	struct nft_rule *r;
	const char *deny;

	r = add_rule(g, in, 0);
	op(r, OP_IIFNAME, 0, "lo", NULL);
	op(r, OP_ACCEPT, 0, NULL, NULL);
	r = add_rule(g, in, 0);
	op(r, OP_CT_STATE, NFT_CT_INVALID, NULL, NULL);
	op(r, OP_DROP, 0, NULL, NULL);
	r = add_rule(g, in, 0);
	op(r, OP_CT_STATE, NFT_CT_ESTABLISHED | NFT_CT_RELATED, NULL, NULL);
	op(r, OP_ACCEPT, 0, NULL, NULL);
	for (size_t i = 0; i < sizeof(nd); i++) {
		r = add_rule(g, in, 0);
		op(r, OP_NFPROTO, ADDR_V6, NULL, NULL);
		op(r, OP_L4PROTO, PROTO_ICMPV6, NULL, NULL);
		op(r, OP_ICMPV6_TYPE, nd[i], NULL, NULL);
		op(r, OP_ACCEPT, 0, NULL, NULL);
	}
	if (g->p)
		mgmt_rules(g, in);
	if (g->p && policy_ha(g->p))
		ha_input(g, in);
	deny = deny_chain(g, "input", NULL, 0);
	r = add_rule(g, in, 0);
	op(r, OP_JUMP, 0, deny, NULL);
}

static void
build_policy(struct gen *g)
{
	const struct policy *p = g->p;
	struct nft_key kif4 = mkkey(2, NF_IIFNAME, NF_SADDR4);
	struct nft_key kif6 = mkkey(2, NF_IIFNAME, NF_SADDR6);
	struct nft_key kpair = mkkey(2, NF_IIFNAME, NF_OIFNAME);
	struct nft_key km = mkkey(1, NF_CT_MARK);
	struct nft_chain *fwd = add_chain(g, "forward", HOOK_FORWARD);
	struct nft_set *s4, *s6, *pairs, *active, *fctr, *logflows = NULL;
	const char *spoof, *mac, *unzoned;
	struct nft_rule *r;

	forward_head(g, fwd);
	if (policy_ha(p))
		ha_forward(g, fwd);
	spoof = deny_chain(g, "spoofed", NULL, 0);
	s4 = add_set(g, "src4", &kif4, ND_NONE, true);
	s6 = add_set(g, "src6", &kif6, ND_NONE, true);
	spoof_sets(g, s4, s6);
	r = add_rule(g, fwd, 0);
	op(r, OP_NFPROTO, ADDR_V4, NULL, NULL);
	op(r, OP_LOOKUP, 1, "src4", &kif4);
	op(r, OP_JUMP, 0, spoof, NULL);
	r = add_rule(g, fwd, 0);
	op(r, OP_NFPROTO, ADDR_V6, NULL, NULL);
	op(r, OP_LOOKUP, 1, "src6", &kif6);
	op(r, OP_JUMP, 0, spoof, NULL);
	mac = deny_chain(g, "mac", NULL, 0);
	pin_sets(g, fwd, mac);
	forward_established(g, fwd);

	/* flows: counters, active marks, logged marks */
	active = nftgen_find_set(g->ir, "active");
	fctr = add_set(g, "fctr", &km, ND_COUNTER, false);
	for (size_t i = 0; i < p->nflows && !g->failed; i++) {
		const struct flow *f = &p->flows[i];
		const char *cname;
		struct nft_elem *e;

		if (f->bad || !policy_flow_active(f, g->o->now))
			continue;
		cname = ir_str(g, "flow.%s", f->name);
		add_counter(g, cname, f->line, f->mark);
		if ((e = add_elem(g, active)) != NULL) {
			memcpy(e->key, &f->mark, 4);
			e->line = f->line;
		}
		if ((e = add_elem(g, fctr)) != NULL) {
			memcpy(e->key, &f->mark, 4);
			e->ref = cname;
			e->line = f->line;
		}
		if (f->log) {
			if (logflows == NULL)
				logflows = add_set(g, "logflows", &km, ND_NONE,
				    false);
			if ((e = add_elem(g, logflows)) != NULL) {
				memcpy(e->key, &f->mark, 4);
				e->line = f->line;
			}
		}
	}

	/* dispatch on iifname . oifname */
	pairs = add_set(g, "pairs", &kpair, ND_VERDICT, false);
	for (size_t zi = 0; zi < p->nzones && !g->failed; zi++)
		for (size_t zo = 0; zo < p->nzones && !g->failed; zo++) {
			const struct zone *a = &p->zones[zi], *b = &p->zones[zo];
			const char *deny = deny_chain(g,
			    ir_str(g, "%s.%s", a->name, b->name),
			    ir_str(g, "%s>%s", a->name, b->name), 0);
			const char *target = pair_chain(g, (int)zi, (int)zo,
			    deny);
			for (size_t i = 0; i < a->nifaces; i++)
				for (size_t j = 0; j < b->nifaces; j++) {
					struct nft_elem *e = add_elem(g, pairs);
					if (e == NULL)
						break;
					put_ifname(e->key, &kpair, 0,
					    a->ifaces[i]);
					put_ifname(e->key, &kpair, 1,
					    b->ifaces[j]);
					e->ref = target;
				}
		}
	r = add_rule(g, fwd, 0);
	op(r, OP_VMAP, 0, "pairs", &kpair);
	unzoned = deny_chain(g, "unzoned", NULL, 0);
	r = add_rule(g, fwd, 0);
	op(r, OP_JUMP, 0, unzoned, NULL);

	/* dual: the daemon's classifier must agree with every new crossing */
	if (p->enforce.mode == ENFORCE_DUAL) {
		struct nft_chain *v = add_chain(g, "verdict", HOOK_VERDICT);
		struct nft_chain *a = add_chain(g, "agreed", HOOK_AGREED);

		/* the forward chain never accepts an untracked packet (it has
		 * no connection to carry a flow): one that got here did so by
		 * a hand-made rule, and the daemon could not judge its
		 * connection */
		r = add_rule(g, v, p->enforce.line);
		op(r, OP_CT_STATE, NFT_CT_UNTRACKED, NULL, NULL);
		op(r, OP_DROP, 0, NULL, NULL);
		/* a connection already agreed on (a UDP exchange before its
		 * reply, a retransmitted SYN) does not come back */
		r = add_rule(g, v, p->enforce.line);
		op(r, OP_CT_STATE, NFT_CT_NEW, NULL, NULL);
		op(r, OP_CT_LABEL, NFTGEN_AGREED_LABEL, NULL, NULL);
		op(r, OP_ACCEPT, 0, NULL, NULL);
		r = add_rule(g, v, p->enforce.line);
		op(r, OP_CT_STATE, NFT_CT_NEW, NULL, NULL);
		/* the flow the kernel matched travels with the packet */
		op(r, OP_MARK_FROM_CT, 0, NULL, NULL);
		op(r, OP_QUEUE, (uint32_t)p->enforce.queue, NULL, NULL);
		/* only what the daemon accepted reaches the next hook */
		r = add_rule(g, a, p->enforce.line);
		op(r, OP_CT_STATE, NFT_CT_NEW, NULL, NULL);
		op(r, OP_CT_LABEL_SET, NFTGEN_AGREED_LABEL, NULL, NULL);
	}
}

static void
build_deny_all(struct gen *g)
{
	struct nft_chain *fwd = add_chain(g, "forward", HOOK_FORWARD);
	struct nft_key kif = mkkey(1, NF_IIFNAME);
	const char *closed;
	struct nft_set *s;
	struct nft_rule *r;

	if ((s = add_set(g, "isolated", &kif, ND_NONE, false)) != NULL)
		s->runtime = true;
	closed = deny_chain(g, "fail-closed", NULL, 0);
	r = add_rule(g, fwd, 0);
	op(r, OP_JUMP, 0, closed, NULL);
}

size_t
nftgen_set_size(size_t n)
{
	size_t s = 1024;

	while (s < n + n / 4)
		s *= 2;
	return s;
}

/*
 * A concatenated map whose every element is one exact key (single
 * addresses, one protocol, one port: most flows) need not be an interval
 * set: as a hash set the kernel inserts its elements in constant time
 * instead of rebuilding the interval lookup tables, and matches the same
 * packets.
 */
static void
exact_sets(struct gen *g)
{
	for (size_t i = 0; i < g->ir->nsets; i++) {
		struct nft_set *st = g->ir->sets[i];
		size_t klen = nftgen_key_len(&st->key);
		bool exact = st->interval && st->nelems > 0 && !st->runtime;

		for (size_t j = 0; j < st->nelems && exact; j++)
			exact = memcmp(st->elems[j].key, st->elems[j].key_end,
			    klen) == 0;
		if (exact)
			st->interval = false;
		/* a hash set sized up front instead of grown while its
		 * elements arrive, with room for a reload to add to it */
		if (!st->interval && !st->runtime && st->nelems > 0)
			st->size = nftgen_set_size(st->nelems);
	}
}

struct nft_ir *
nftgen_build(const struct policy *p, const struct nftgen_opts *opts,
    char *err, size_t errlen)
{
	struct gen g = { 0 };

	g.p = opts->deny_all ? NULL : p;
	g.o = opts;
	g.err = err;
	g.errlen = errlen;
	if ((g.ir = calloc(1, sizeof(*g.ir))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g.ir->file = p && p->file ? p->file : "";
	g.ir->queue_compat = opts->queue_compat;
	if (g.p == NULL)
		build_deny_all(&g);
	else
		build_policy(&g);
	input_chain(&g);
	if (!g.failed)
		exact_sets(&g);
	if (g.failed) {
		nftgen_free(g.ir);
		return NULL;
	}
	return g.ir;
}
