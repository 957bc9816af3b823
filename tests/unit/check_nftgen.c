/*
 * check_nftgen — lib/nftgen.c: the policy as the ruleset's intermediate
 * form (and its nft text, lib/nfttext.c, declared in nftgen.h).
 *
 * The IR is checked through the batch it emits, parsed back (nfttest.c),
 * and through its text:
 *
 * 1. The field table of nftgen against nft's datatypes.
 * 2. Queue number, comment and log settings from the policy: the dual-mode
 *    chains, byte by byte, and every deny chain's log group and rate.
 * 3. alpha-small: anti-spoofing ranges, pinned hosts, flow counters and
 *    maps, deny chains with their log and counter, the dispatch map and the
 *    forward chain as nft prints it; alpha: the IPv6 anti-spoofing ranges.
 * 4. Deny-all (fail closed): nothing on the forward path accepts, and a
 *    policy given with it is ignored.
 * 5. One node of a pair: the input rules of keepalived and conntrackd, the
 *    standby set of forward.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/set.h>

#include "nftcanon.h"
#include "nftemit.h"
#include "nftgen.h"
#include "nfttest.h"
#include "policy.h"
#include "unit.h"

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

static bool
ir_has_counter(const struct nft_ir *ir, const char *name)
{
	for (size_t i = 0; i < ir->ncounters; i++)
		if (strcmp(ir->counters[i].name, name) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------------
 * 1. The field table of nftgen against nft's datatypes
 */

START_TEST(test_fields)
{
	for (size_t i = 0; i < nfttest_nfspecs; i++) {
		const struct nft_field_info *fi =
		    nftgen_field(nfttest_fspecs[i].field);
		struct nft_key k = { .n = 1,
		    .f = { (uint8_t)nfttest_fspecs[i].field } };

		ck_assert_uint_eq(fi->len, nfttest_fspecs[i].len);
		ck_assert_uint_eq(fi->reglen, nfttest_fspecs[i].reglen);
		ck_assert_uint_eq(nftgen_key_len(&k), nfttest_fspecs[i].len);
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
	p = nfttest_load_string(text, "custom.conf");
	ck_assert_int_eq(p->enforce.line, line);
	for (int compat = 0; compat < 2; compat++) {
		struct nft_ir *ir = nfttest_build(p, compat);
		struct nft_batch b;
		struct pbatch pb;
		char *nft = nftgen_text(ir);
		size_t deny = 0;

		nfttest_emit(ir, true, &b);
		nfttest_parse_batch(&b, true, &pb);
		nfttest_check_rules(ir, &pb);
		if (t->dual)
			nfttest_check_dual_chains(ir, &pb, nft, t->queue, line);
		else
			nfttest_check_no_dual_chains(ir, &pb, nft);
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
		nfttest_pbatch_free(&pb);
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
	struct nftnl_set_elem **ev = nfttest_pb_elems(pb, set, &n);
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
	struct policy *p = nfttest_load("tests/golden/alpha-small.conf");
	struct nft_ir *ir = nfttest_build(p, false);
	struct nft_batch b;
	struct pbatch pb;
	size_t n, ndeny = 0;
	struct nftnl_set_elem **ev;

	nfttest_emit(ir, true, &b);
	nfttest_parse_batch(&b, true, &pb);

	/* every flow: a counter object flow.NAME with its line, in the
	 * counter map under the flow's mark */
	ck_assert_uint_eq(p->nflows, ARRAY_LEN(flows));
	ev = nfttest_pb_elems(&pb, "fctr", &n);
	ck_assert_uint_eq(n, ARRAY_LEN(flows));
	for (size_t i = 0; i < ARRAY_LEN(flows); i++) {
		int fi = policy_find_flow(p, flows[i]);
		char name[64];
		struct nftnl_obj *o;
		uint32_t len = 0;
		const void *d;
		bool mapped = false;

		ck_assert_int_ge(fi, 0);
		snprintf(name, sizeof(name), "flow.%s", flows[i]);
		o = nfttest_pb_obj(&pb, name);
		ck_assert_msg(o != NULL, "no counter %s", name);
		ck_assert_uint_eq(nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE),
		    NFT_OBJECT_COUNTER);
		for (size_t k = 0; k < ir->ncounters; k++)
			if (strcmp(ir->counters[k].name, name) == 0)
				ck_assert_uint_eq(ir->counters[k].flow,
				    p->flows[fi].mark);
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

		ck_assert_msg(nfttest_pb_chain(&pb, denies[i][0]) != NULL,
		    "no %s", denies[i][0]);
		ck_assert_uint_eq(nfttest_pb_nrules(&pb, denies[i][0]), 2);
		c.r = nfttest_pb_rule(&pb, denies[i][0], 0);
		snprintf(c.ctx, sizeof(c.ctx), "%s rule 0", denies[i][0]);
		x = nfttest_next_x(&c, "limit");
		ck_assert_uint_eq(nftnl_expr_get_u64(x->e,
		    NFTNL_EXPR_LIMIT_RATE), 20);
		x = nfttest_next_x(&c, "log");
		nfttest_x_str(&c, x, nfttest_raw_str(x, buf, sizeof(buf), 1,
		    NFTA_LOG_PREFIX), denies[i][1], "prefix");
		ck_assert_uint_eq(nftnl_expr_get_u16(x->e,
		    NFTNL_EXPR_LOG_GROUP), 2);
		ck_assert_int_eq(c.k, c.r->nex);
		c.r = nfttest_pb_rule(&pb, denies[i][0], 1);
		c.k = 0;
		snprintf(c.ctx, sizeof(c.ctx), "%s rule 1", denies[i][0]);
		x = nfttest_next_x(&c, "objref");
		nfttest_x_str(&c, x, nfttest_raw_str(x, buf, sizeof(buf), 1,
		    NFTA_OBJREF_IMM_NAME), denies[i][0], "counter");
		nfttest_x_verdict(&c, NF_DROP, NULL);
		ck_assert_int_eq(c.k, c.r->nex);
		ck_assert_ptr_nonnull(nfttest_pb_obj(&pb, denies[i][0]));
	}

	/* anti-spoofing */
	check_ranges(&pb, "src4", AF_INET, alpha_small_src4,
	    ARRAY_LEN(alpha_small_src4));
	check_ranges(&pb, "src6", AF_INET6, NULL, 0);

	/* the pinned My Number host: its address, and address . MAC */
	ev = nfttest_pb_elems(&pb, "pinaddr4", &n);
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
		ev = nfttest_pb_elems(&pb, "pinned4", &n);
		ck_assert_uint_eq(n, 1);
		d = nftnl_set_elem_get(ev[0], NFTNL_SET_ELEM_KEY, &len);
		ck_assert_uint_eq(len, 12);
		ck_assert_mem_eq(d, am, 12);
	}
	free(ev);
	ck_assert_ptr_null(nfttest_pb_set(&pb, "pinaddr6"));

	/* dispatch: every interface pair, to its zone pair's chain */
	ev = nfttest_pb_elems(&pb, "pairs", &n);
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

		lines = nfttest_text_chain(text, "forward", &n);
		ck_assert_ptr_nonnull(lines);
		ck_assert_uint_eq(n, ARRAY_LEN(fwd) + 1);
		ck_assert_str_eq(lines[0], "type filter hook forward priority "
		    "filter; policy drop;");
		for (size_t i = 0; i < ARRAY_LEN(fwd); i++)
			ck_assert_str_eq(lines[i + 1], fwd[i]);
		nfttest_lines_free(lines, n);
		free(text);
	}
	/* four accepts on the forward path: established with an active
	 * mark, and the marked accept of each of the 3 zone pair chains */
	ck_assert_uint_eq(nfttest_check_forward_accepts(ir), 4);

	nfttest_pbatch_free(&pb);
	nftemit_free(&b);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

/* alpha.conf has IPv6 networks: the v6 anti-spoofing ranges. */
START_TEST(test_alpha_src6)
{
	struct policy *p = nfttest_load("conf/alpha.conf");
	struct nft_ir *ir = nfttest_build(p, false);
	struct nft_batch b;
	struct pbatch pb;

	nfttest_emit(ir, true, &b);
	nfttest_parse_batch(&b, true, &pb);
	check_ranges(&pb, "src6", AF_INET6, alpha_src6, ARRAY_LEN(alpha_src6));
	nfttest_pbatch_free(&pb);
	nftemit_free(&b);
	nftgen_free(ir);
	policy_free(p);
}
END_TEST

/* ---------------------------------------------------------------------
 * 4. Deny-all: fail closed
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
	struct policy *alpha = nfttest_load("conf/alpha.conf");
	struct nft_ir *ir = nfttest_build_deny_all(NULL);
	struct nft_ir *ir2 = nfttest_build_deny_all(alpha);
	struct nft_batch b, b2;
	struct pbatch pb;
	struct canon c1, c2;
	char *text, **lines;
	size_t n;

	/* the IR: four chains, no verdict chains, no flows */
	ck_assert_uint_eq(ir->nchains, ARRAY_LEN(chains));
	for (size_t i = 0; i < ARRAY_LEN(chains); i++)
		ck_assert_ptr_nonnull(nfttest_ir_chain(ir, chains[i]));
	ck_assert_int_eq(nfttest_ir_chain(ir, "forward")->hook, HOOK_FORWARD);
	ck_assert_int_eq(nfttest_ir_chain(ir, "input")->hook, HOOK_INPUT);
	ck_assert_uint_eq(ir->ncounters, 2);
	ck_assert(ir_has_counter(ir, "deny.fail-closed"));
	ck_assert(ir_has_counter(ir, "deny.input"));
	/* the isolated set exists for the isolate command to update */
	ck_assert_ptr_nonnull(nftgen_find_set(ir, "isolated"));
	ck_assert(nftgen_find_set(ir, "isolated")->runtime);
	/* nothing on the forward path accepts, nothing queues */
	ck_assert_uint_eq(nfttest_check_forward_accepts(ir), 0);

	nfttest_emit(ir, true, &b);
	nfttest_parse_batch(&b, true, &pb);
	nfttest_check_chains(ir, &pb);
	nfttest_check_rules(ir, &pb);
	nfttest_check_references(&pb);
	/* in the batch: forward policy drop, and no accept verdict in
	 * forward or the chain it jumps to */
	ck_assert_uint_eq(nftnl_chain_get_u32(nfttest_pb_chain(&pb, "forward"),
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
	ck_assert_uint_eq(nfttest_pb_nrules(&pb, "forward"), 1);

	text = nftgen_text(ir);
	nfttest_check_text(ir, &pb, text);
	nfttest_check_no_dual_chains(ir, &pb, text);
	ck_assert_ptr_nonnull(strstr(text, "(no policy: deny all crossings)"));
	lines = nfttest_text_chain(text, "forward", &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(lines[1], "jump deny.fail-closed");
	nfttest_lines_free(lines, n);
	lines = nfttest_text_chain(text, "input", &n);
	ck_assert_uint_eq(n, ARRAY_LEN(input) + 1);
	for (size_t i = 0; i < ARRAY_LEN(input); i++)
		ck_assert_str_eq(lines[i + 1], input[i]);
	nfttest_lines_free(lines, n);
	lines = nfttest_text_chain(text, "deny.fail-closed", &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(lines[0], "limit rate 20/second log prefix "
	    "\"zoned:deny:fail-closed\" group 2");
	ck_assert_str_eq(lines[1], "counter name \"deny.fail-closed\" drop");
	nfttest_lines_free(lines, n);

	/* with deny_all a policy given is ignored: the same table */
	nfttest_emit(ir2, true, &b2);
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
	nfttest_pbatch_free(&pb);
	nftemit_free(&b);
	nftemit_free(&b2);
	nftgen_free(ir);
	nftgen_free(ir2);
	policy_free(alpha);
}
END_TEST

/* ---------------------------------------------------------------------
 * 5. One node of a pair (policy "ha", tests/golden/ha-pair.conf): VRRP
 * adverts on the zone interfaces and conntrackd from the peers on the sync
 * link in the input chain; the standby set at the head of forward, filled
 * with every zone interface while the node is not the master, empty
 * otherwise.  Without "ha" none of it exists.
 */

START_TEST(test_ha)
{
	static const char *const input_ha[] = {
		"meta nfproto ipv4 iifname . ip daddr . meta l4proto @ha.vrrp4 "
		    "accept comment \"ha-pair.conf:29\"",
		"meta nfproto ipv4 iifname . ip saddr . meta l4proto . th dport "
		    "@ha.sync4 accept comment \"ha-pair.conf:29\"",
		"meta nfproto ipv6 iifname . ip6 daddr . meta l4proto @ha.vrrp6 "
		    "accept comment \"ha-pair.conf:29\"",
		"meta nfproto ipv6 iifname . ip6 saddr . meta l4proto . th dport "
		    "@ha.sync6 accept comment \"ha-pair.conf:29\"",
		"jump deny.input",
	};
	struct policy *p = nfttest_load("tests/golden/ha-pair.conf");
	struct policy *plain = nfttest_load("tests/golden/alpha-small.conf");
	struct nftgen_opts o = { .now = NOW, .ha_standby = true };
	char err[128], *text, **lines;
	struct nft_ir *ir = nfttest_build(p, false), *held, *ir0;
	const struct nft_set *s;
	size_t n;

	/* the input chain ends with the pair's four rules */
	text = nftgen_text(ir);
	lines = nfttest_text_chain(text, "input", &n);
	ck_assert_ptr_nonnull(lines);
	ck_assert_uint_ge(n, ARRAY_LEN(input_ha));
	for (size_t i = 0; i < ARRAY_LEN(input_ha); i++)
		ck_assert_str_eq(lines[n - ARRAY_LEN(input_ha) + i],
		    input_ha[i]);
	nfttest_lines_free(lines, n);
	lines = nfttest_text_chain(text, "forward", &n);
	ck_assert_str_eq(lines[4], "iifname @ha.standby jump deny.ha-standby "
	    "comment \"ha-pair.conf:29\"");
	nfttest_lines_free(lines, n);
	ck_assert_ptr_nonnull(strstr(text, "\"sync0\" . 192.168.255.2 . 17 . "
	    "3781"));
	ck_assert_ptr_nonnull(strstr(text, "\"sync0\" . fd00:ff::/64 . 17 . "
	    "3781"));
	ck_assert_ptr_nonnull(strstr(text, "\"inet1\" . ff02::12 . 112"));
	ck_assert_ptr_nonnull(strstr(text, "log prefix \"zoned:deny:"
	    "ha-standby\""));
	free(text);
	ck_assert(ir_has_counter(ir, "deny.ha-standby"));
	/* VRRP on every zone interface, conntrackd from every peer */
	ck_assert_uint_eq(nftgen_find_set(ir, "ha.vrrp4")->nelems, 3);
	ck_assert_uint_eq(nftgen_find_set(ir, "ha.vrrp6")->nelems, 3);
	ck_assert_uint_eq(nftgen_find_set(ir, "ha.sync4")->nelems, 2);
	ck_assert(!nftgen_find_set(ir, "ha.sync4")->interval);
	ck_assert(nftgen_find_set(ir, "ha.sync6")->interval);
	/* the master forwards: the standby set is there, empty */
	s = nftgen_find_set(ir, NFTGEN_HA_STANDBY);
	ck_assert(s != NULL && s->runtime && s->nelems == 0);
	/* nothing new accepts on the forward path */
	ck_assert_uint_eq(nfttest_check_forward_accepts(ir), 2);

	/* not the master: every zone interface is held */
	held = nftgen_build(p, &o, err, sizeof(err));
	ck_assert_msg(held != NULL, "%s", err);
	ck_assert_uint_eq(nftgen_find_set(held, NFTGEN_HA_STANDBY)->nelems, 3);
	nftgen_free(held);

	/* without "ha": none of it, whatever the option says */
	ir0 = nftgen_build(plain, &o, err, sizeof(err));
	ck_assert_msg(ir0 != NULL, "%s", err);
	ck_assert_ptr_null(nftgen_find_set(ir0, NFTGEN_HA_STANDBY));
	ck_assert_ptr_null(nftgen_find_set(ir0, "ha.vrrp4"));
	ck_assert_ptr_null(nftgen_find_set(ir0, "ha.sync4"));
	ck_assert_ptr_null(nfttest_ir_chain(ir0, "deny.ha-standby"));
	nftgen_free(ir0);
	/* nor with a ZL017 error (a policy that would not be applied) */
	p->ha.bad = true;
	ir0 = nfttest_build(p, false);
	ck_assert_ptr_null(nftgen_find_set(ir0, "ha.sync4"));
	nftgen_free(ir0);

	nftgen_free(ir);
	policy_free(p);
	policy_free(plain);
}
END_TEST

UNIT_SUITE(nftgen_suite)

/* A change in an address list is a change of set elements only: the
 * flow keeps its mark, and the table differs by the elements of the added
 * prefix (issue 16; incremental reloads build on it). */
static void
list_diff_line(char sign, const char *line, void *arg)
{
	char *out = arg;

	snprintf(out, 512, "%c %s", sign, line);
}

START_TEST(test_address_list_elements)
{
#define LPOLICY(list) "version = 1;\nmodel = \"alpha-prime\";\n" \
	"zones = {\n  lg = { kind = \"lgwan\"; interfaces = [ \"lg0\" ]; " \
	"networks = [ \"10.20.0.0/16\" ]; };\n  in = { kind = \"internet\"; " \
	"interfaces = [ \"in0\" ]; networks = [ \"0.0.0.0/0\" ]; };\n};\n" \
	"hosts = {\n  terms = { zone = \"lg\"; address = \"10.20.100.0/24\"; };\n" \
	"  cloud = { zone = \"in\"; address = [ " list " ]; };\n};\n" \
	"services = { https = { proto = \"tcp\"; ports = [ 443 ]; }; };\n" \
	"flows = (\n  { name = \"lbo\"; from = \"terms\"; to = \"cloud\"; " \
	"service = \"https\"; method = \"cloud-lbo\"; approval = \"A\"; }\n);\n"
	struct policy *p1 = nfttest_load_string(LPOLICY("\"203.0.113.0/28\", "
	    "\"203.0.113.32/28\""), "l1.conf");
	struct policy *p2 = nfttest_load_string(LPOLICY("\"203.0.113.0/28\", "
	    "\"203.0.113.32/28\", \"203.0.113.64/28\""), "l1.conf");
	struct nft_ir *ir1 = nfttest_build(p1, false), *ir2 = nfttest_build(p2, false);
	struct nft_batch b1, b2;
	struct canon c1, c2;
	char line[512] = "";

	ck_assert_uint_eq(p1->flows[0].mark, p2->flows[0].mark);
	nfttest_emit(ir1, true, &b1);
	nfttest_emit(ir2, true, &b2);
	canon_init(&c1);
	canon_init(&c2);
	ck_assert_int_eq(canon_batch(&c1, &b1), 0);
	ck_assert_int_eq(canon_batch(&c2, &b2), 0);
	canon_sort(&c1);
	canon_sort(&c2);
	ck_assert_uint_eq(canon_diff(&c1, &c2, list_diff_line, line), 1);
	ck_assert_msg(line[0] == '+' && strstr(line, "elem flows.lg.in.0 ") != NULL,
	    "the difference: %s", line);
	canon_free(&c1);
	canon_free(&c2);
	nftemit_free(&b1);
	nftemit_free(&b2);
	nftgen_free(ir1);
	nftgen_free(ir2);
	policy_free(p1);
	policy_free(p2);
#undef LPOLICY
}
END_TEST

static Suite *
nftgen_suite(void)
{
	Suite *s = suite_create("nftgen");
	TCase *tc = tcase_create("fields");

	tcase_add_test(tc, test_fields);
	suite_add_tcase(s, tc);
	tc = tcase_create("policy");
	tcase_add_loop_test(tc, test_policy_settings, 0,
	    (int)ARRAY_LEN(opt_cases));
	tcase_add_test(tc, test_alpha_small);
	tcase_add_test(tc, test_alpha_src6);
	tcase_add_test(tc, test_deny_all);
	tcase_add_test(tc, test_address_list_elements);
	tcase_add_test(tc, test_ha);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
