/*
 * check_nftemit — lib/nftemit.c: the intermediate form as one libnftnl
 * netlink batch.
 *
 * No root and no kernel: build -> emit -> parse back -> compare, as
 * libnftnl's and nftables' own tests do.  The batch is walked with libmnl,
 * every message is parsed back with libnftnl, and what comes back is
 * compared with the IR, rules expression by expression as nft(8) encodes
 * them (register numbers, payload offsets, byte order), and with the nft
 * text (nfttest.c has the decoders):
 *
 * 1. Round trip over every policy that lints clean (conf/, tests/golden/)
 *    and the deny-all table: the message table of the batch, the table
 *    replacement, chains and their hooks, sets and their elements, counter
 *    objects, every rule decoded expression by expression against its IR
 *    ops, names that every reference points to, the nft text's chains and
 *    rule counts, the dual-mode chains "verdict" and "agreed" byte by byte
 *    with nft's queue expression and with the xtables NFQUEUE target (mode
 *    "kernel" has neither), the security invariants (nothing is accepted
 *    on the forward path without a flow mark), and the canonical lines of
 *    the batch (nftcanon.c).
 * 2. Without commit, the same messages without the batch end.  The
 *    replacement that keeps the base chains (nftemit_replace): what it
 *    deletes of the old table, what it keeps, and the same new table.
 * 3. A policy of 1500 flows, whose map needs several NEWSETELEM messages:
 *    the message table and the mapping of a kernel error at an element back
 *    to its flow and line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "nftcanon.h"
#include "nftemit.h"
#include "nftgen.h"
#include "nfttest.h"
#include "policy.h"
#include "unit.h"

/* ---------------------------------------------------------------------
 * Sets, objects, message order and the message table
 */

static void
check_sets(const struct nft_ir *ir, const struct pbatch *pb)
{
	ck_assert_uint_eq(pb->nsets, ir->nsets);
	for (size_t i = 0; i < ir->nsets; i++) {
		const struct nft_set *is = ir->sets[i];
		struct nftnl_set *s = nfttest_pb_set(pb, is->name);
		uint32_t flags, want = 0, klen = nfttest_spec_key_len(&is->key);
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
				lens[k] = (uint8_t)nfttest_fspec(
				    is->key.f[k])->len;
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
		ev = nfttest_pb_elems(pb, is->name, &n);
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
				uint32_t o = nfttest_spec_off(&is->key, k);
				ck_assert_msg(memcmp(ie->key + o,
				    ie->key_end + o,
				    nfttest_fspec(is->key.f[k])->len) <= 0,
				    "set %s element %zu field %d: end "
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
				ck_assert_msg(nfttest_pb_chain(pb, ie->ref) !=
				    NULL, "set %s: jump to a chain %s not in "
				    "the batch", is->name, ie->ref);
				break;
			case ND_COUNTER:
				ck_assert_str_eq(nftnl_set_elem_get_str(ev[j],
				    NFTNL_SET_ELEM_OBJREF), ie->ref);
				ck_assert_msg(nfttest_pb_obj(pb, ie->ref) !=
				    NULL, "set %s: counter %s not in the batch",
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
		struct nftnl_obj *o = nfttest_pb_obj(pb, ir->counters[i].name);
		uint32_t len = 0;
		const void *ud;

		ck_assert_msg(o != NULL, "counter %s not in the batch",
		    ir->counters[i].name);
		ck_assert_uint_eq(nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE),
		    NFT_OBJECT_COUNTER);
		/* no comment: a counter outlives the reloads that move its
		 * flow's line (nftdiff.c) */
		ud = nftnl_obj_get_data(o, NFTNL_OBJ_USERDATA, &len);
		ck_assert_msg(ud == NULL || len == 0, "counter %s: a comment",
		    ir->counters[i].name);
		/* a flow's counter is known by its flow's id too */
		ck_assert_int_eq(strncmp(ir->counters[i].name, "flow.", 5) ==
		    0, ir->counters[i].flow != 0);
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
		case MSG_FLUSH:
			ck_abort_msg("a whole table flushes no chain by name");
			break;
		case MSG_OLD: {
			uint16_t t = nlh->nlmsg_type & 0xff;
			ck_assert_msg(t == NFT_MSG_DELRULE ||
			    t == NFT_MSG_DELSET || t == NFT_MSG_DELOBJ ||
			    t == NFT_MSG_DELFLOWTABLE || t == NFT_MSG_DELCHAIN,
			    "message %zu: type %u deletes nothing old", i, t);
			ck_assert_ptr_nonnull(strstr(desc, "as it was"));
			ck_assert_int_eq(line, 0);
			break;
		}
		}
	}
	for (size_t i = 0; i < ir->nsets; i++)
		ck_assert_msg(firsts[i] == ir->sets[i]->nelems, "set %s: %u "
		    "of %zu elements in the message table", ir->sets[i]->name,
		    firsts[i], ir->sets[i]->nelems);
	free(firsts);
}

/* ---------------------------------------------------------------------
 * 1, 2. The round trip of every policy that lints clean
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
	{ "tests/golden/ha-pair.conf", false, true },
	{ NULL, false, false },
};

START_TEST(test_roundtrip)
{
	const struct rt_case *t = &rt_cases[_i];
	struct policy *p = t->path ? nfttest_load(t->path) : NULL;
	struct nft_ir *ir = p ? nfttest_build(p, t->compat) :
	    nfttest_build_deny_all(NULL);
	struct nft_batch b;
	struct pbatch pb;
	struct canon c1, c2;
	char *text;

	ck_assert_int_eq(ir->queue_compat, t->compat);
	if (p)
		ck_assert_int_eq(p->enforce.mode == ENFORCE_DUAL, t->dual);
	nfttest_emit(ir, true, &b);
	nfttest_parse_batch(&b, true, &pb);
	check_order(&pb);
	check_msg_table(ir, &b);
	nfttest_check_chains(ir, &pb);
	check_sets(ir, &pb);
	check_objects(ir, &pb);
	nfttest_check_rules(ir, &pb);
	nfttest_check_references(&pb);
	nfttest_check_forward_accepts(ir);
	ck_assert_ptr_nonnull(nfttest_pb_chain(&pb, "forward"));
	ck_assert_ptr_nonnull(nfttest_pb_chain(&pb, "input"));

	text = nftgen_text(ir);
	ck_assert_ptr_nonnull(text);
	nfttest_check_text(ir, &pb, text);
	if (t->dual)
		nfttest_check_dual_chains(ir, &pb, text,
		    (unsigned)p->enforce.queue, p->enforce.line);
	else
		nfttest_check_no_dual_chains(ir, &pb, text);

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
		ck_assert_msg((nfttest_pb_obj(&pb, name) != NULL) == on,
		    "%s: counter %s %s", t->path, name, on ? "missing" :
		    "of an inactive flow");
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
		struct nft_ir *ir2 = p ? nfttest_build(p, t->compat) :
		    nfttest_build_deny_all(NULL);
		struct nft_batch b2;

		nfttest_emit(ir2, true, &b2);
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
	nfttest_pbatch_free(&pb);
	nftemit_free(&b);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

/* Without commit the batch has no end: the kernel checks and aborts. */
START_TEST(test_check_only)
{
	struct policy *p = nfttest_load("tests/golden/alpha-small.conf");
	struct nft_ir *ir = nfttest_build(p, false);
	struct nft_batch b1, b2;
	struct pbatch pb;

	nfttest_emit(ir, false, &b2);
	nfttest_parse_batch(&b2, false, &pb);
	nfttest_emit(ir, true, &b1);
	ck_assert_uint_eq(b1.nmsgs, b2.nmsgs);
	ck_assert_uint_gt(b1.len, b2.len);
	/* the same messages, byte for byte */
	ck_assert_mem_eq(b1.buf, b2.buf, b2.len);
	nfttest_pbatch_free(&pb);
	nftemit_free(&b1);
	nftemit_free(&b2);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

/* ---------------------------------------------------------------------
 * 2b. The replacement that keeps the base chains (nftemit_replace): the
 * old table's rules are flushed (one table-wide DELRULE), its sets,
 * objects, flowtables and chains deleted, but not the base chains the new
 * table has just so (their hooks stay registered, and a packet waiting in
 * a queue with them); the table's flags are cleared; no DELTABLE; and the
 * new table is, line for line, what the plain replacement makes.
 */

/* The messages of b of one type, and the names they carry. */
static size_t
msgs_of(const struct nft_batch *b, uint16_t type, uint16_t attr,
    char names[][64], size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < b->nmsgs; i++) {
		const struct nlmsghdr *nlh = (const void *)(b->buf +
		    b->msgs[i].off);
		const struct nlattr *a;

		if ((nlh->nlmsg_type & 0xff) != type)
			continue;
		if (n < max) {
			names[n][0] = '\0';
			mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
				if (mnl_attr_get_type(a) == attr)
					snprintf(names[n], 64, "%s",
					    mnl_attr_get_str(a));
		}
		n++;
	}
	return n;
}

static bool
has_name(char names[][64], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

START_TEST(test_replace)
{
	struct policy *p = nfttest_load("conf/alpha.conf");
	struct nft_ir *ir = nfttest_build(p, false);
	struct nft_present_chain chains[] = {
		{ "forward", true, NF_INET_FORWARD, 0, "filter" },
		{ "input", true, NF_INET_LOCAL_IN, 5, "filter" },
		{ "verdict", true, NF_INET_FORWARD, NFTGEN_VERDICT_PRIO,
		  "filter" },
		{ "agreed", true, NF_INET_FORWARD, NFTGEN_AGREED_PRIO,
		  "filter" },
		{ "fwd.lgwan.internet", false, 0, 0, "" },
		{ "hand-made", true, NF_INET_FORWARD, -5, "filter" },
	};
	char *sets[] = { "flows.lgwan.internet.0", "pairs" };
	struct nft_present_obj objs[] = { { "flow.browse", 1 } };
	char *flowtables[] = { "ft" };
	struct nft_present present = { chains, ARRAY_LEN(chains), sets,
	    ARRAY_LEN(sets), objs, ARRAY_LEN(objs), flowtables, 1, 1 };
	struct nft_present empty = { 0 };
	struct nft_batch b, plain;
	struct canon c1, c2;
	char names[16][64];
	size_t n;

	ck_assert_int_eq(nftemit_replace(ir, &present, 100, &b, NULL, 0), 0);
	check_msg_table(ir, &b);
	ck_assert_uint_eq(msgs_of(&b, NFT_MSG_DELTABLE, 0, names, 16), 0);
	ck_assert_uint_eq(msgs_of(&b, NFT_MSG_DELRULE, NFTA_RULE_CHAIN, names,
	    16), 1);
	ck_assert_str_eq(names[0], "");		/* every chain's rules */
	n = msgs_of(&b, NFT_MSG_DELSET, NFTA_SET_NAME, names, 16);
	ck_assert(n == 2 && has_name(names, n, "flows.lgwan.internet.0") &&
	    has_name(names, n, "pairs"));
	n = msgs_of(&b, NFT_MSG_DELOBJ, NFTA_OBJ_NAME, names, 16);
	ck_assert(n == 1 && has_name(names, n, "flow.browse"));
	n = msgs_of(&b, NFT_MSG_DELFLOWTABLE, NFTA_FLOWTABLE_NAME, names, 16);
	ck_assert(n == 1 && has_name(names, n, "ft"));
	/* kept: forward, verdict, agreed; deleted: the chain that is not a
	 * base chain, the hand-made one, and input at another priority */
	n = msgs_of(&b, NFT_MSG_DELCHAIN, NFTA_CHAIN_NAME, names, 16);
	ck_assert_msg(n == 3 && has_name(names, n, "fwd.lgwan.internet") &&
	    has_name(names, n, "hand-made") && has_name(names, n, "input"),
	    "%zu chains deleted", n);
	/* the deletions come before anything of the new table */
	for (size_t i = 0; i < b.nmsgs; i++)
		if (b.msgs[i].kind == MSG_OLD)
			ck_assert_uint_le(i, 1 + 1 + 2 + 1 + 1 + 3);
	/* the table's flags are cleared (dormant no more) */
	{
		const struct nlmsghdr *nlh = (const void *)(b.buf +
		    b.msgs[0].off);
		struct nftnl_table *t = nftnl_table_alloc();
		ck_assert_uint_eq(nlh->nlmsg_type & 0xff, NFT_MSG_NEWTABLE);
		ck_assert_int_eq(nftnl_table_nlmsg_parse(nlh, t), 0);
		ck_assert(nftnl_table_is_set(t, NFTNL_TABLE_FLAGS));
		ck_assert_uint_eq(nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS), 0);
		nftnl_table_free(t);
	}
	/* the same table as the plain replacement makes */
	nfttest_emit(ir, true, &plain);
	canon_init(&c1);
	canon_init(&c2);
	ck_assert_int_eq(canon_batch(&c1, &b), 0);
	ck_assert_int_eq(canon_batch(&c2, &plain), 0);
	canon_sort(&c1);
	canon_sort(&c2);
	ck_assert_uint_gt(c1.n, 20);
	ck_assert_uint_eq(canon_diff(&c1, &c2, NULL, NULL), 0);
	canon_free(&c1);
	canon_free(&c2);
	nftemit_free(&b);

	/* a table that is there but empty: nothing to delete */
	ck_assert_int_eq(nftemit_replace(ir, &empty, 100, &b, NULL, 0), 0);
	for (size_t i = 0; i < b.nmsgs; i++)
		ck_assert_int_ne(b.msgs[i].kind, MSG_OLD);
	ck_assert_uint_eq(b.nmsgs, plain.nmsgs - 2);	/* no DEL+NEWTABLE */
	nftemit_free(&b);
	nftemit_free(&plain);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

/* ---------------------------------------------------------------------
 * 3. A policy large enough that a set's elements need several messages: the
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
	struct policy *p = nfttest_load_string(text, "large.conf");
	struct nft_ir *ir;
	struct nft_batch b;
	struct pbatch pb;
	const struct nft_set *s;
	size_t split = 0, flows_split = 0;

	ck_assert_uint_eq(p->nflows, LARGE_FLOWS);
	ir = nfttest_build(p, false);
	nfttest_emit(ir, true, &b);
	nfttest_parse_batch(&b, true, &pb);
	check_order(&pb);
	check_msg_table(ir, &b);
	check_sets(ir, &pb);
	check_objects(ir, &pb);
	nfttest_check_rules(ir, &pb);
	nfttest_check_references(&pb);
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

	nfttest_pbatch_free(&pb);
	nftemit_free(&b);
	nftgen_free(ir);
	policy_free(p);
	free(text);
}
END_TEST

/* One node of a pair, not the master: the standby set goes out with every
 * zone interface, 16 bytes each, in zone order. */
START_TEST(test_ha_standby)
{
	static const char *const zone_ifs[] = { "lg0", "inet0", "inet1" };
	struct policy *p = nfttest_load("tests/golden/ha-pair.conf");
	struct nftgen_opts o = { .now = NOW, .ha_standby = true };
	char err[128];
	struct nft_ir *ir = nftgen_build(p, &o, err, sizeof(err));
	struct nftnl_set_elem **ev;
	struct nft_batch b;
	struct pbatch pb;
	size_t n;

	ck_assert_msg(ir != NULL, "%s", err);
	nfttest_emit(ir, true, &b);
	nfttest_parse_batch(&b, true, &pb);
	nfttest_check_rules(ir, &pb);
	nfttest_check_references(&pb);
	ck_assert_ptr_nonnull(nfttest_pb_set(&pb, NFTGEN_HA_STANDBY));
	ev = nfttest_pb_elems(&pb, NFTGEN_HA_STANDBY, &n);
	ck_assert_uint_eq(n, ARRAY_LEN(zone_ifs));
	for (size_t i = 0; i < n; i++) {
		uint32_t len = 0;
		const char *k = nftnl_set_elem_get(ev[i], NFTNL_SET_ELEM_KEY,
		    &len);
		ck_assert_uint_eq(len, 16);
		ck_assert_str_eq(k, zone_ifs[i]);
	}
	free(ev);
	nfttest_pbatch_free(&pb);
	nftemit_free(&b);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

UNIT_SUITE(nftemit_suite)

static Suite *
nftemit_suite(void)
{
	Suite *s = suite_create("nftemit");
	TCase *tc = tcase_create("roundtrip");

	tcase_add_loop_test(tc, test_roundtrip, 0, (int)ARRAY_LEN(rt_cases));
	tcase_add_test(tc, test_check_only);
	tcase_add_test(tc, test_replace);
	tcase_add_test(tc, test_ha_standby);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("large");
	tcase_add_test(tc, test_large);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
