/*
 * check_nftdiff — the difference of two IRs and its incremental batch
 * (lib/nftdiff.c), and the canonical form as a model of the table
 * (canon_apply in lib/nftcanon.c).
 *
 * No kernel: the model stands for it.  The lines of the table a full batch
 * builds (canon_batch) are changed by the messages of an incremental batch
 * as the kernel changes the table (canon_apply); the result must be the
 * lines of the full batch of the new policy, line for line.
 *
 * 1. Table-driven: one edit of a small policy each — a flow added,
 *    removed, changed, moved (lines shift), a rule setting changed, the
 *    rule order changed by hand, a set turned from hash to interval, a
 *    set's size, a new zone pair, another file name, nothing — with what
 *    the difference must hold, and the model after the batch.
 * 2. The batch: deletions before additions, counters of changed flows out
 *    and in, the message table names deleted elements from the old IR and
 *    added ones (with their lines) from the new.
 * 3. Property: random sequences of edits; after each, the incremental
 *    batch applied to the model equals the full build, and no counter of
 *    a flow whose match did not change is touched.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nftcanon.h"
#include "nftdiff.h"
#include "nftemit.h"
#include "nftgen.h"
#include "nfttest.h"
#include "policy.h"
#include "unit.h"

#define NOW ((time_t)1795219200)	/* 2026-11-21T00:00:00Z */

/* ---------------------------------------------------------------------
 * A small policy, written from a description
 */

#define NSRC 9		/* l0..l7, and lnet (a network) */
#define NDST 4		/* g0..g3 */
#define MAXF 64

static const char *const svcs[] = { "https", "alt", "ssh", "pg", "web" };

struct fl {
	int id;		/* name f<id> */
	int src, dst, svc;
	bool log;
	bool rev;	/* from gcloud to lgwan */
};

struct desc {
	struct fl f[MAXF];
	int n;
	int pad;	/* comment lines before the flows */
	int rate;	/* log.nflog_rate */
	const char *name;	/* the file's name */
	const char *l0;		/* the name of host l0 */
};

static char *
text_of(const struct desc *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	fprintf(fp, "version = 1;\nmodel = \"alpha\";\nzones = {\n"
	    "  lgwan = { kind = \"lgwan\"; interfaces = [ \"lg0\" ]; "
	    "networks = [ \"10.20.0.0/16\" ]; };\n"
	    "  gcloud = { kind = \"closed\"; interfaces = [ \"gc0\" ]; "
	    "networks = [ \"10.32.0.0/16\" ]; };\n"
	    "  internet = { kind = \"internet\"; interfaces = [ \"inet0\" ]; "
	    "networks = [ \"0.0.0.0/0\" ]; };\n};\nhosts = {\n");
	for (int i = 0; i < 8; i++) {
		char name[16];
		snprintf(name, sizeof(name), "l%d", i);
		fprintf(fp, "  %s = { zone = \"lgwan\"; address = "
		    "\"10.20.0.%d\"; };\n", i == 0 && d->l0 ? d->l0 : name,
		    i + 1);
	}
	fprintf(fp, "  lnet = { zone = \"lgwan\"; address = \"10.20.9.0/24\"; "
	    "};\n");
	for (int i = 0; i < NDST; i++)
		fprintf(fp, "  g%d = { zone = \"gcloud\"; address = "
		    "\"10.32.0.%d\"; };\n", i, i + 1);
	fprintf(fp, "  rds = { zone = \"internet\"; address = \"192.0.2.40\"; "
	    "role = \"screen-transfer\"; };\n};\nservices = {\n"
	    "  https = { proto = \"tcp\"; ports = [ 443 ]; };\n"
	    "  alt = { proto = \"tcp\"; ports = [ 8443 ]; };\n"
	    "  ssh = { proto = \"tcp\"; ports = [ 22 ]; };\n"
	    "  pg = { proto = \"tcp\"; ports = [ 5432 ]; };\n"
	    "  web = { proto = \"tcp\"; ports = [ \"8000-8010\" ]; };\n"
	    "  rdp = { proto = \"tcp\"; ports = [ 3389 ]; };\n};\n");
	for (int i = 0; i < d->pad; i++)
		fprintf(fp, "# padding %d\n", i);
	fprintf(fp, "flows = (\n");
	for (int i = 0; i < d->n; i++) {
		const struct fl *f = &d->f[i];
		char src[8], dst[8];

		if (f->src == 8)
			snprintf(src, sizeof(src), "lnet");
		else if (f->src == 0 && d->l0)
			snprintf(src, sizeof(src), "%s", d->l0);
		else
			snprintf(src, sizeof(src), "l%d", f->src);
		snprintf(dst, sizeof(dst), "g%d", f->dst);
		fprintf(fp, "  { name = \"f%d\"; from = \"%s\"; to = \"%s\"; "
		    "service = \"%s\";%s },\n", f->id, f->rev ? dst : src,
		    f->rev ? src : dst, svcs[f->svc], f->log ?
		    " log = true;" : "");
	}
	fprintf(fp, "  { name = \"browse\"; from = \"%s\"; to = \"rds\"; "
	    "service = \"rdp\"; method = \"screen-transfer\"; approval = "
	    "\"A-1\"; }\n);\n", d->l0 ? d->l0 : "l0");
	fprintf(fp, "log = { nflog_rate = %d; };\nenforce = { mode = "
	    "\"dual\"; };\n", d->rate ? d->rate : 20);
	fclose(fp);
	return buf;
}

static struct policy *
policy_of(const struct desc *d)
{
	char *text = text_of(d);
	struct policy *p = nfttest_load_string(text, d->name ? d->name :
	    "/etc/zoned/zoned.conf");

	free(text);
	return p;
}

static struct nft_ir *
ir_of(const struct desc *d)
{
	struct nftgen_opts o = { .now = NOW };
	struct policy *p = policy_of(d);
	char err[256] = "";
	struct nft_ir *ir = nftgen_build(p, &o, err, sizeof(err));

	ck_assert_msg(ir != NULL, "nftgen_build: %s", err);
	/* the IR keeps the file's name only: the policy may go */
	ir->file = d->name ? d->name : "/etc/zoned/zoned.conf";
	policy_free(p);
	return ir;
}

static void
show(char sign, const char *line, void *arg)
{
	(void)arg;
	fprintf(stderr, "  %c %s\n", sign, line);
}

/* Line for line the same. */
static void
assert_same(const struct canon *a, const struct canon *b, const char *what)
{
	bool same = a->n == b->n;

	for (size_t i = 0; same && i < a->n; i++)
		same = strcmp(a->v[i], b->v[i]) == 0;
	if (!same)
		canon_diff(a, b, show, NULL);
	ck_assert_msg(same, "%s: the model (%zu lines) differs from the full "
	    "build (%zu lines)", what, a->n, b->n);
}

/*
 * Apply the incremental batch from old to new to model (the lines of
 * old's table); the model must end as the full build of new.
 */
static void
model_step(struct canon *model, const struct nft_ir *old,
    const struct nft_ir *new, const struct nftdiff *d, const char *what)
{
	struct nft_batch b;
	struct canon want;
	char err[256];

	ck_assert_msg(!d->full, "%s: full (%s)", what, d->why);
	ck_assert_int_eq(nftdiff_batch(d, old, new, 100, 7, &b, err,
	    sizeof(err)), 0);
	ck_assert_msg(canon_apply(model, &b) == 0, "%s: the model refuses "
	    "the batch", what);
	nfttest_canon(new, &want);
	assert_same(model, &want, what);
	canon_free(&want);
	nftemit_free(&b);
}

/* ---------------------------------------------------------------------
 * 1. One edit each
 */

static const struct desc base = {
	.f = {
		{ 1, 0, 0, 0, false, false }, { 2, 1, 1, 0, false, false },
		{ 3, 2, 2, 1, true, false }, { 4, 3, 0, 2, false, false },
		{ 5, 4, 3, 3, false, false }, { 6, 5, 1, 1, false, false },
	},
	.n = 6, .rate = 20,
};

enum edit {
	ED_NONE, ED_ADD, ED_REMOVE, ED_CHANGE, ED_MOVE, ED_PAD, ED_RATE,
	ED_INTERVAL, ED_PAIR, ED_RENAME, ED_LOG, ED_HOST,
};

static const struct dcase {
	const char *name;
	enum edit edit;
	bool full;		/* only a replacement will do */
	const char *why;	/* ... and says this */
	size_t eadd, edel;	/* elements added and deleted */
	size_t cadd, cdel;	/* counters created and deleted */
	size_t chains;		/* chains flushed and filled */
} dcases[] = {
	{ "nothing", ED_NONE, false, NULL, 0, 0, 0, 0, 0 },
	/* flows map, active, fctr; the browse flow after it moves a line
	 * (its element's comment), and so does the enforce line that the
	 * verdict and agreed chains' rules name */
	{ "a flow added", ED_ADD, false, NULL, 4, 1, 1, 0, 2 },
	{ "a flow removed", ED_REMOVE, false, NULL, 1, 4, 0, 1, 2 },
	/* new port: its element out and in, a new id (active, fctr), a new
	 * counter; the flows after it keep theirs */
	{ "a flow changed", ED_CHANGE, false, NULL, 3, 3, 1, 1, 0 },
	/* flows 2..6 move one line up with flow 1 after them: their map
	 * elements' comments change, their counters stay; the verdict
	 * chain's rules name the enforce line, which stays */
	{ "a flow moved", ED_MOVE, false, NULL, 6, 6, 0, 0, 0 },
	/* every line below moves: each flow's element, the browse flow's,
	 * and the rules of the verdict and agreed chains (their comments
	 * name the enforce line) */
	{ "lines above shift", ED_PAD, false, NULL, 7, 7, 0, 0, 2 },
	/* every deny chain's limit */
	{ "log rate", ED_RATE, false, NULL, 0, 0, 0, 0, 0 },
	{ "log toggled", ED_LOG, false, NULL, 1, 0, 0, 0, 0 },
	/* a host renamed, its address kept: the flows from it (f1, browse)
	 * match the same packets but are other flows (their ids hash the
	 * name): map elements keep their keys and change their marks,
	 * active and fctr change keys, the counters start again */
	{ "a host renamed", ED_HOST, false, NULL, 6, 6, 2, 2, 0 },
	{ "a hash map turns interval", ED_INTERVAL, true, "flags", 0, 0, 0, 0,
	    0 },
	{ "a zone pair gets its first flow", ED_PAIR, true, "sets instead", 0,
	    0, 0, 0, 0 },
	{ "another file", ED_RENAME, true, "policy file", 0, 0, 0, 0, 0 },
};

static void
edit_desc(struct desc *d, enum edit e)
{
	switch (e) {
	case ED_NONE:
		break;
	case ED_ADD:
		d->f[d->n++] = (struct fl){ 7, 6, 3, 0, false, false };
		break;
	case ED_REMOVE:
		d->n--;
		break;
	case ED_CHANGE:
		d->f[1].svc = 3;	/* https -> pg */
		break;
	case ED_MOVE: {
		struct fl f = d->f[0];
		memmove(&d->f[0], &d->f[1], (size_t)(d->n - 1) * sizeof(f));
		d->f[d->n - 1] = f;
		break;
	}
	case ED_PAD:
		d->pad = 2;
		break;
	case ED_RATE:
		d->rate = 50;
		break;
	case ED_LOG:
		d->f[0].log = true;	/* logflows has f3 already */
		break;
	case ED_INTERVAL:
		d->f[0].svc = 4;	/* a port range: not one exact key */
		break;
	case ED_PAIR:
		/* the pairs are lgwan>gcloud and lgwan>internet */
		d->f[d->n++] = (struct fl){ 8, 0, 0, 0, false, true };
		break;
	case ED_RENAME:
		d->name = "/etc/zoned/other.conf";
		break;
	case ED_HOST:
		d->l0 = "head";
		break;
	}
}

START_TEST(test_cases)
{
	const struct dcase *c = &dcases[_i];
	struct desc d = base;
	struct nft_ir *old = ir_of(&d), *new;
	struct nftdiff df;
	struct canon model;
	char err[256];

	edit_desc(&d, c->edit);
	new = ir_of(&d);
	ck_assert_int_eq(nftdiff_compute(old, new, &df, err, sizeof(err)), 0);
	ck_assert_msg(df.full == c->full, "%s: full %d (%s)", c->name, df.full,
	    df.why);
	if (c->full) {
		ck_assert_msg(strstr(df.why, c->why) != NULL, "%s: why \"%s\"",
		    c->name, df.why);
		goto out;
	}
	ck_assert_msg(df.elems_add == c->eadd && df.elems_del == c->edel,
	    "%s: %zu elements added, %zu deleted", c->name, df.elems_add,
	    df.elems_del);
	ck_assert_msg(df.ncadd == c->cadd && df.ncdel == c->cdel,
	    "%s: %zu counters created, %zu deleted", c->name, df.ncadd,
	    df.ncdel);
	if (c->edit == ED_RATE)
		/* every deny chain's limit rule */
		ck_assert_uint_gt(df.nchains, 5);
	else
		ck_assert_msg(df.nchains == c->chains, "%s: %zu chains",
		    c->name, df.nchains);
	ck_assert(nftdiff_empty(&df) == (c->edit == ED_NONE));
	nfttest_canon(old, &model);
	if (!nftdiff_empty(&df))
		model_step(&model, old, new, &df, c->name);
	canon_free(&model);
out:
	nftdiff_free(&df);
	nftgen_free(old);
	nftgen_free(new);
}
END_TEST

/* The order of rules in a chain changed by hand: the chain is flushed and
 * filled again, in the new order. */
START_TEST(test_rule_order)
{
	struct desc d = base;
	struct nft_ir *old = ir_of(&d), *new = ir_of(&d);
	struct nft_chain *c = NULL;
	struct nftdiff df;
	struct canon model;
	struct nft_rule t;
	char err[128];

	for (size_t i = 0; i < new->nchains; i++)
		if (strcmp(new->chains[i]->name, "forward") == 0)
			c = new->chains[i];
	ck_assert_ptr_nonnull(c);
	t = c->rules[2];
	c->rules[2] = c->rules[3];
	c->rules[3] = t;
	ck_assert_int_eq(nftdiff_compute(old, new, &df, err, sizeof(err)), 0);
	ck_assert(!df.full);
	ck_assert_uint_eq(df.nchains, 1);
	ck_assert_str_eq(new->chains[df.chains[0]]->name, "forward");
	ck_assert_uint_eq(df.elems_add + df.elems_del + df.ncadd + df.ncdel, 0);
	nfttest_canon(old, &model);
	model_step(&model, old, new, &df, "rule order");
	canon_free(&model);
	nftdiff_free(&df);
	nftgen_free(old);
	nftgen_free(new);
}
END_TEST

/* A set's size (the most elements it takes) is structure; so are its key
 * and data; a chain's hook too. */
START_TEST(test_structure)
{
	struct desc d = base;
	struct nft_ir *old = ir_of(&d), *new;
	struct nftdiff df;
	char err[128];

	new = ir_of(&d);
	nftgen_find_set(new, "active")->size *= 2;
	ck_assert_int_eq(nftdiff_compute(old, new, &df, err, sizeof(err)), 0);
	ck_assert(df.full);
	ck_assert_msg(strstr(df.why, "set active changes its size") != NULL,
	    "%s", df.why);
	nftdiff_free(&df);
	nftgen_free(new);

	new = ir_of(&d);
	nftgen_find_set(new, "fctr")->data = ND_MARK;
	ck_assert_int_eq(nftdiff_compute(old, new, &df, err, sizeof(err)), 0);
	ck_assert(df.full);
	ck_assert(strstr(df.why, "fctr changes its data") != NULL);
	nftdiff_free(&df);
	nftgen_free(new);

	new = ir_of(&d);
	new->chains[0]->hook = HOOK_INPUT;
	ck_assert_int_eq(nftdiff_compute(old, new, &df, err, sizeof(err)), 0);
	ck_assert(df.full);
	ck_assert(strstr(df.why, "changes its hook") != NULL);
	nftdiff_free(&df);
	nftgen_free(new);

	/* the queue through xtables instead of nft_queue */
	new = ir_of(&d);
	new->queue_compat = true;
	ck_assert_int_eq(nftdiff_compute(old, new, &df, err, sizeof(err)), 0);
	ck_assert(df.full);
	nftdiff_free(&df);
	nftgen_free(new);
	/* no incremental batch of a full difference */
	{
		struct nft_batch b;
		new = ir_of(&d);
		new->queue_compat = true;
		ck_assert_int_eq(nftdiff_compute(old, new, &df, err,
		    sizeof(err)), 0);
		ck_assert_int_eq(nftdiff_batch(&df, old, new, 1, 0, &b, err,
		    sizeof(err)), -1);
		nftdiff_free(&df);
		nftgen_free(new);
	}
	nftgen_free(old);
}
END_TEST

/* The sizes of hash sets: room to add, in steps, the same for the same
 * count. */
START_TEST(test_set_size)
{
	ck_assert_uint_eq(nftgen_set_size(1), 1024);
	ck_assert_uint_eq(nftgen_set_size(819), 1024);
	ck_assert_uint_eq(nftgen_set_size(820), 2048);
	ck_assert_uint_eq(nftgen_set_size(100000), 131072);
	for (size_t n = 1; n < 300000; n += 997) {
		size_t s = nftgen_set_size(n);
		ck_assert_uint_ge(s, n + n / 4);
		ck_assert_uint_eq(s & (s - 1), 0);
	}
}
END_TEST

/* ---------------------------------------------------------------------
 * 2. The batch
 */

static uint16_t
msg_type(const struct nft_batch *b, size_t i)
{
	return ((const struct nlmsghdr *)(b->buf + b->msgs[i].off))->nlmsg_type
	    & 0xff;
}

START_TEST(test_batch)
{
	struct desc d = base;
	struct nft_ir *old = ir_of(&d), *new;
	struct nftdiff df;
	struct nft_batch b;
	char err[256], desc[512];
	bool seen_add = false;
	int line;

	/* f2 changes, f7 comes (after f6, before browse), log rate moves */
	d.f[1].svc = 3;
	d.f[d.n++] = (struct fl){ 7, 6, 3, 0, false, false };
	d.rate = 30;
	new = ir_of(&d);
	ck_assert_int_eq(nftdiff_compute(old, new, &df, err, sizeof(err)), 0);
	ck_assert(!df.full);
	ck_assert_int_eq(nftdiff_batch(&df, old, new, 100, 42, &b, err,
	    sizeof(err)), 0);
	ck_assert_ptr_eq(b.old, old);
	ck_assert_uint_eq(b.seq_begin, 100);
	/* the kernel's generation travels in the first message */
	{
		const struct nlmsghdr *nlh = (const void *)b.buf;
		const struct nlattr *a = (const void *)((const char *)nlh +
		    NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg)));
		ck_assert_uint_eq(nlh->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
		ck_assert_uint_eq(a->nla_type, NFNL_BATCH_GENID);
		ck_assert_uint_eq(ntohl(*(const uint32_t *)(a + 1)), 42);
	}
	/* flushes, deletions, counters out, counters in, additions, rules */
	for (size_t i = 0; i < b.nmsgs; i++) {
		const struct nft_msg *m = &b.msgs[i];
		uint16_t t = msg_type(&b, i);

		switch (t) {
		case NFT_MSG_DELRULE:
		case NFT_MSG_DELSETELEM:
		case NFT_MSG_DELOBJ:
			ck_assert_msg(!seen_add, "a deletion after an addition");
			break;
		default:
			seen_add = true;
		}
		ck_assert(m->old == (t == NFT_MSG_DELSETELEM ||
		    t == NFT_MSG_DELOBJ));
		line = nftemit_describe(&b, new, m, 0, desc, sizeof(desc));
		if (t == NFT_MSG_DELOBJ) {
			ck_assert_str_eq(desc, "deleting counter flow.f2");
			ck_assert_int_eq(line, 0);
		}
		if (t == NFT_MSG_NEWOBJ) {
			ck_assert_msg(strcmp(desc, "counter flow.f2") == 0 ||
			    strcmp(desc, "counter flow.f7") == 0, "%s", desc);
			ck_assert_int_gt(line, 0);
		}
		/* an element added alone is named with its flow's line */
		if (t == NFT_MSG_NEWSETELEM && m->count == 1 &&
		    strncmp(new->sets[m->obj]->name, "flows.", 6) == 0) {
			const struct nft_elem *e =
			    &new->sets[m->obj]->elems[b.idx[m->sub]];
			ck_assert(m->indexed);
			ck_assert_int_eq(line, e->line);
			ck_assert_int_gt(line, 0);
		}
		if (t == NFT_MSG_DELSETELEM)
			ck_assert_msg(strstr(desc, "deleting") != NULL, "%s",
			    desc);
	}
	nftemit_free(&b);
	nftdiff_free(&df);
	nftgen_free(new);
	nftgen_free(old);
}
END_TEST

/* The model refuses what the kernel would refuse: deleting what is not
 * there. */
START_TEST(test_model_refuses)
{
	struct desc d = base;
	struct nft_ir *old = ir_of(&d), *new;
	struct nftdiff df;
	struct nft_batch b;
	struct canon model;
	char err[128];

	d.n--;
	new = ir_of(&d);
	ck_assert_int_eq(nftdiff_compute(old, new, &df, err, sizeof(err)), 0);
	ck_assert_int_eq(nftdiff_batch(&df, old, new, 1, 0, &b, err,
	    sizeof(err)), 0);
	nfttest_canon(new, &model);	/* the flow is gone already */
	ck_assert_int_eq(canon_apply(&model, &b), -1);
	canon_free(&model);
	/* and a full batch on any model is the full build */
	nfttest_canon(old, &model);
	{
		struct nft_batch whole;
		struct canon want;
		ck_assert_int_eq(nftemit_batch(new, 1, true, &whole, err,
		    sizeof(err)), 0);
		ck_assert_int_eq(canon_apply(&model, &whole), 0);
		nfttest_canon(new, &want);
		assert_same(&model, &want, "a whole batch");
		canon_free(&want);
		nftemit_free(&whole);
	}
	canon_free(&model);
	nftemit_free(&b);
	nftdiff_free(&df);
	nftgen_free(new);
	nftgen_free(old);
}
END_TEST

/* ---------------------------------------------------------------------
 * 3. Random edits
 */

static uint64_t rng;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* Names of flows whose match changed or that went, between a and b. */
static bool
kept(const struct desc *a, const struct desc *b, int id)
{
	for (int i = 0; i < a->n; i++)
		if (a->f[i].id == id)
			for (int j = 0; j < b->n; j++)
				if (b->f[j].id == id)
					return a->f[i].src == b->f[j].src &&
					    a->f[i].dst == b->f[j].dst &&
					    a->f[i].svc == b->f[j].svc;
	return false;
}

static void
random_edit(struct desc *d, int *next)
{
	int i = d->n ? (int)rnd((uint32_t)d->n) : 0;

	switch (rnd(8)) {
	case 0:
	case 1:
		if (d->n < MAXF - 2) {
			int at = (int)rnd((uint32_t)d->n + 1);
			memmove(&d->f[at + 1], &d->f[at], (size_t)(d->n - at) *
			    sizeof(d->f[0]));
			d->f[at] = (struct fl){ (*next)++, (int)rnd(NSRC),
			    (int)rnd(NDST), (int)rnd(4), rnd(4) == 0, false };
			d->n++;
		}
		break;
	case 2:
		if (d->n > 1) {
			memmove(&d->f[i], &d->f[i + 1], (size_t)(d->n - i - 1) *
			    sizeof(d->f[0]));
			d->n--;
		}
		break;
	case 3:
		if (d->n) {
			if (rnd(2))
				d->f[i].dst = (int)rnd(NDST);
			else
				d->f[i].svc = (int)rnd(rnd(6) ? 4 : 5);
		}
		break;
	case 4:
		if (d->n)
			d->f[i].log = !d->f[i].log;
		break;
	case 5:
		if (d->n > 1) {
			struct fl f = d->f[i];
			int to = (int)rnd((uint32_t)d->n);
			memmove(&d->f[i], &d->f[i + 1], (size_t)(d->n - i - 1) *
			    sizeof(f));
			memmove(&d->f[to + 1], &d->f[to], (size_t)(d->n - 1 - to) *
			    sizeof(f));
			d->f[to] = f;
		}
		break;
	case 6:
		d->pad = (int)rnd(3);
		break;
	case 7:
		d->rate = rnd(2) ? 20 : 40;
		break;
	}
}

START_TEST(test_random_edits)
{
	struct desc d = base, prev;
	struct nft_ir *old = ir_of(&d);
	struct canon model;
	int next = 100, steps = 150, incremental = 0, fulls = 0;

	rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(_i + 1);
	nfttest_canon(old, &model);
	for (int s = 0; s < steps; s++) {
		struct nft_ir *new;
		struct nftdiff df;
		char err[256], what[64];

		prev = d;
		random_edit(&d, &next);
		new = ir_of(&d);
		ck_assert_int_eq(nftdiff_compute(old, new, &df, err,
		    sizeof(err)), 0);
		snprintf(what, sizeof(what), "seed %d step %d", _i, s);
		if (df.full) {
			fulls++;
			canon_free(&model);
			nfttest_canon(new, &model);
		} else {
			/* a flow whose match stayed keeps its counter */
			for (size_t k = 0; k < df.ncdel; k++) {
				const char *c = old->counters[df.cdel[k]].name;
				if (strncmp(c, "flow.f", 6) == 0)
					ck_assert_msg(!kept(&prev, &d,
					    atoi(c + 6)), "%s: counter %s of "
					    "an unchanged flow deleted", what,
					    c);
			}
			if (!nftdiff_empty(&df)) {
				model_step(&model, old, new, &df, what);
				incremental++;
			}
		}
		nftdiff_free(&df);
		nftgen_free(old);
		old = new;
	}
	/* the test is about incremental batches: most steps must be */
	ck_assert_msg(incremental > steps / 2, "only %d of %d steps "
	    "incremental (%d full)", incremental, steps, fulls);
	canon_free(&model);
	nftgen_free(old);
}
END_TEST

/* ---------------------------------------------------------------------
 * 4. What other features put in the table
 */

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* The IR of the policy at path; *pp is kept for it (the IR points into
 * the policy). */
static struct nft_ir *
ir_of_file(const char *path, struct policy **pp)
{
	*pp = nfttest_load(path);
	return nfttest_build(*pp, false);
}

/* A provider's list update (issue 16's address lists) changes elements
 * only: incremental, no chain touched, every flow's counter (its id hashes
 * the host's name and list file, not the elements) kept. */
START_TEST(test_address_list)
{
	char dir[] = "/tmp/check_nftdiff-XXXXXX", conf[64], list[64];
	struct nft_ir *old, *new;
	struct policy *pold, *pnew;
	struct nftdiff df;
	char err[128], *text;
	FILE *f;
	long n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/address-lists.conf", dir);
	snprintf(list, sizeof(list), "%s/address-lists.addresses", dir);
	ck_assert_ptr_nonnull(f = fopen("tests/golden/address-lists.conf",
	    "r"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	write_file(conf, text);
	free(text);
	write_file(list, "203.0.113.128/28\n203.0.113.144/28\n"
	    "2001:db8:5000::/48\n203.0.113.176/29\n");
	old = ir_of_file(conf, &pold);
	/* one prefix gone, two come, one of them a single address (an
	 * element that overlaps another of the flow takes a map of its own,
	 * nftgen.c's layers: that is structure, and replaces the table) */
	write_file(list, "203.0.113.128/28\n2001:db8:5000::/48\n"
	    "203.0.113.176/29\n198.51.100.0/24\n192.0.2.77\n");
	new = ir_of_file(conf, &pnew);
	ck_assert_int_eq(nftdiff_compute(old, new, &df, err, sizeof(err)), 0);
	ck_assert_msg(!df.full, "a list update replaces the table: %s",
	    df.why);
	ck_assert_uint_gt(df.elems_add, 0);
	ck_assert_uint_gt(df.elems_del, 0);
	ck_assert_uint_eq(df.nchains, 0);
	ck_assert_uint_eq(df.ncadd + df.ncdel, 0);
	nftdiff_free(&df);
	nftgen_free(new);
	nftgen_free(old);
	policy_free(pnew);
	policy_free(pold);
	unlink(list);
	unlink(conf);
	rmdir(dir);
}
END_TEST

/* A node of a pair: its standby set is a runtime set (issue 13, set by
 * zonectl ha-notify without a reload): the standby and the master's table
 * differ in nothing a reload changes. */
START_TEST(test_ha_standby)
{
	struct policy *p = nfttest_load("tests/golden/ha-pair.conf");
	struct nftgen_opts o = { .now = NOW, .ha_standby = true };
	struct nft_ir *fwd = nfttest_build(p, false), *held;
	struct nftdiff df;
	char err[128];

	held = nftgen_build(p, &o, err, sizeof(err));
	ck_assert_msg(held != NULL, "%s", err);
	ck_assert_uint_gt(nftgen_find_set(held, NFTGEN_HA_STANDBY)->nelems, 0);
	ck_assert_int_eq(nftdiff_compute(fwd, held, &df, err, sizeof(err)),
	    0);
	ck_assert_msg(nftdiff_empty(&df), "%s", df.full ? df.why :
	    "elements, counters or chains differ");
	nftdiff_free(&df);
	ck_assert_int_eq(nftdiff_compute(held, fwd, &df, err, sizeof(err)),
	    0);
	ck_assert(nftdiff_empty(&df));
	nftdiff_free(&df);
	nftgen_free(held);
	nftgen_free(fwd);
	policy_free(p);
}
END_TEST

UNIT_SUITE(nftdiff_suite)

static Suite *
nftdiff_suite(void)
{
	Suite *s = suite_create("nftdiff");
	TCase *tc = tcase_create("cases");

	tcase_add_loop_test(tc, test_cases, 0, (int)ARRAY_LEN(dcases));
	tcase_add_test(tc, test_rule_order);
	tcase_add_test(tc, test_structure);
	tcase_add_test(tc, test_set_size);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_model_refuses);
	tcase_add_test(tc, test_address_list);
	tcase_add_test(tc, test_ha_standby);
	suite_add_tcase(s, tc);
	tc = tcase_create("random");
	tcase_add_loop_test(tc, test_random_edits, 0, 4);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
