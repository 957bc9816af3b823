/*
 * nfttext — the intermediate form as nft text: what `zoned -p` prints.
 * `nft -f` of this text gives the same kernel table as the netlink batch of
 * nftemit.c (tested in the lab).  Policy lines appear in comments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "nftgen.h"

struct out {
	FILE *fp;
};

static void
key_type(FILE *fp, const struct nft_key *k)
{
	for (int i = 0; i < k->n; i++)
		fprintf(fp, "%s%s", i ? " . " : "", nftgen_field(k->f[i])->type);
}

static void
key_expr(FILE *fp, const struct nft_key *k)
{
	for (int i = 0; i < k->n; i++)
		fprintf(fp, "%s%s", i ? " . " : "", nftgen_field(k->f[i])->expr);
}

/* The prefix length of [lo,hi] if it is one CIDR block, else -1. */
static int
cidr_len(const uint8_t *lo, const uint8_t *hi, int bytes)
{
	int len = -1;

	for (int bit = 0; bit < bytes * 8; bit++) {
		int byte = bit / 8, sh = 7 - bit % 8;
		int differ = ((lo[byte] ^ hi[byte]) >> sh) & 1;

		if (len < 0 && differ)
			len = bit;	/* the first differing bit */
		if (len >= 0 && (!differ || ((lo[byte] >> sh) & 1)))
			return -1;	/* past it: lo all 0, hi all 1 */
	}
	return len < 0 ? bytes * 8 : len;
}

static void
print_addr(FILE *fp, int fam, const uint8_t *lo, const uint8_t *hi)
{
	char a[64], b[64];
	uint8_t l[16] = { 0 }, h[16] = { 0 };
	int bytes = fam == ADDR_V4 ? 4 : 16, len;

	memcpy(l, lo, (size_t)bytes);
	memcpy(h, hi, (size_t)bytes);
	addr_format_ip(fam, l, a, sizeof(a));
	if (memcmp(l, h, 16) == 0) {
		fputs(a, fp);
		return;
	}
	len = cidr_len(l, h, bytes);
	if (len >= 0)
		fprintf(fp, "%s/%d", a, len);
	else
		fprintf(fp, "%s-%s", a, addr_format_ip(fam, h, b, sizeof(b)));
}

static unsigned
be(const uint8_t *p, int n)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void
print_elem_key(FILE *fp, const struct nft_set *s, const struct nft_elem *e)
{
	const struct nft_key *k = &s->key;

	for (int i = 0; i < k->n; i++) {
		const struct nft_field_info *fi = nftgen_field(k->f[i]);
		size_t off = nftgen_field_offset(k, i);
		const uint8_t *lo = e->key + off;
		const uint8_t *hi = s->interval ? e->key_end + off : lo;
		char m[MAC_STRLEN];

		if (i)
			fputs(" . ", fp);
		switch (k->f[i]) {
		case NF_IIFNAME:
		case NF_OIFNAME:
			fprintf(fp, "\"%.16s\"", (const char *)lo);
			break;
		case NF_SADDR4:
		case NF_DADDR4:
			print_addr(fp, ADDR_V4, lo, hi);
			break;
		case NF_SADDR6:
		case NF_DADDR6:
			print_addr(fp, ADDR_V6, lo, hi);
			break;
		case NF_ETHER_SADDR:
			fputs(mac_format(lo, m, sizeof(m)), fp);
			break;
		case NF_CT_MARK: {
			uint32_t v;
			memcpy(&v, lo, 4);
			fprintf(fp, "0x%08x", v);
			break;
		}
		default:
			if (be(lo, fi->len) == be(hi, fi->len))
				fprintf(fp, "%u", be(lo, fi->len));
			else
				fprintf(fp, "%u-%u", be(lo, fi->len),
				    be(hi, fi->len));
		}
	}
}

static void
print_set(FILE *fp, const struct nft_set *s)
{
	const char *kw = s->data == ND_NONE ? "set" : "map";

	fprintf(fp, "\t%s %s {\n\t\ttype ", kw, s->name);
	key_type(fp, &s->key);
	switch (s->data) {
	case ND_VERDICT:
		fputs(" : verdict", fp);
		break;
	case ND_MARK:
		fputs(" : mark", fp);
		break;
	case ND_COUNTER:
		fputs(" : counter", fp);
		break;
	case ND_NONE:
		break;
	}
	fputs("\n", fp);
	if (s->interval)
		fputs("\t\tflags interval\n", fp);
	else if (s->size > 0)
		fprintf(fp, "\t\tsize %zu\n", s->size);
	if (s->nelems > 0) {
		fputs("\t\telements = {", fp);
		for (size_t i = 0; i < s->nelems; i++) {
			const struct nft_elem *e = &s->elems[i];
			fputs(i ? ",\n\t\t\t     " : " ", fp);
			print_elem_key(fp, s, e);
			if (e->comment)
				fprintf(fp, " comment \"%s\"", e->comment);
			switch (s->data) {
			case ND_VERDICT:
				fprintf(fp, " : jump %s", e->ref);
				break;
			case ND_MARK:
				fprintf(fp, " : 0x%08x", e->mark);
				break;
			case ND_COUNTER:
				fprintf(fp, " : \"%s\"", e->ref);
				break;
			case ND_NONE:
				break;
			}
		}
		fputs(" }\n", fp);
	}
	fputs("\t}\n", fp);
}

static void
print_op(FILE *fp, const struct nft_op *o)
{
	switch (o->kind) {
	case OP_NFPROTO:
		fprintf(fp, "meta nfproto %s", o->u == ADDR_V4 ? "ipv4" :
		    "ipv6");
		break;
	case OP_L4PROTO:
		fprintf(fp, "meta l4proto %u", o->u);
		break;
	case OP_IIFNAME:
		fprintf(fp, "iifname \"%s\"", o->s);
		break;
	case OP_CT_STATE:
		fputs("ct state ", fp);
		if (o->u & NFT_CT_INVALID)
			fputs("invalid", fp);
		else if (o->u & NFT_CT_UNTRACKED)
			fputs("untracked", fp);
		else if (o->u & NFT_CT_NEW)
			fputs("new", fp);
		else
			fputs("established,related", fp);
		break;
	case OP_CT_MARK_EQ:
		fprintf(fp, "ct mark 0x%08x", o->u);
		break;
	case OP_CT_MARK_NE:
		fprintf(fp, "ct mark != 0x%08x", o->u);
		break;
	case OP_ICMPV6_TYPE:
		fprintf(fp, "icmpv6 type %u", o->u);
		break;
	case OP_LOOKUP:
		key_expr(fp, &o->key);
		fprintf(fp, " %s@%s", o->u ? "!= " : "", o->s);
		break;
	case OP_MARK_MAP:
		fputs("ct mark set ", fp);
		key_expr(fp, &o->key);
		fprintf(fp, " map @%s", o->s);
		break;
	case OP_VMAP:
		key_expr(fp, &o->key);
		fprintf(fp, " vmap @%s", o->s);
		break;
	case OP_COUNTER_MAP:
		fprintf(fp, "counter name ct mark map @%s", o->s);
		break;
	case OP_COUNTER:
		fprintf(fp, "counter name \"%s\"", o->s);
		break;
	case OP_LIMIT:
		fprintf(fp, "limit rate %u/second", o->u);
		break;
	case OP_LOG:
		fprintf(fp, "log prefix \"%s\" group %u", o->s, o->u);
		break;
	case OP_ACCEPT:
		fputs("accept", fp);
		break;
	case OP_DROP:
		fputs("drop", fp);
		break;
	case OP_JUMP:
		fprintf(fp, "jump %s", o->s);
		break;
	case OP_QUEUE:
		fprintf(fp, "queue num %u", o->u);
		break;
	case OP_MARK_FROM_CT:
		fputs("meta mark set ct mark", fp);
		break;
	case OP_CT_LABEL:
		fprintf(fp, "ct label %u", o->u);
		break;
	case OP_CT_LABEL_SET:
		fprintf(fp, "ct label set %u", o->u);
		break;
	}
}

static const char *
base_name(const char *file)
{
	const char *s = strrchr(file, '/');
	return s ? s + 1 : file;
}

static void
print_chain(FILE *fp, const struct nft_ir *ir, const struct nft_chain *c)
{
	fprintf(fp, "\tchain %s {\n", c->name);
	if (c->hook == HOOK_VERDICT || c->hook == HOOK_AGREED)
		fprintf(fp, "\t\ttype filter hook forward priority filter + %d; "
		    "policy accept;\n", c->hook == HOOK_VERDICT ?
		    NFTGEN_VERDICT_PRIO : NFTGEN_AGREED_PRIO);
	else if (c->hook != HOOK_NONE)
		fprintf(fp, "\t\ttype filter hook %s priority filter; policy "
		    "drop;\n", c->hook == HOOK_FORWARD ? "forward" : "input");
	for (size_t i = 0; i < c->nrules; i++) {
		const struct nft_rule *r = &c->rules[i];
		fputs("\t\t", fp);
		for (int j = 0; j < r->nops; j++) {
			if (j)
				fputc(' ', fp);
			print_op(fp, &r->ops[j]);
		}
		if (r->line > 0)
			fprintf(fp, " comment \"%s:%d\"", base_name(ir->file),
			    r->line);
		fputc('\n', fp);
	}
	fputs("\t}\n", fp);
}

char *
nftgen_text(const struct nft_ir *ir)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (fp == NULL)
		return NULL;
	fprintf(fp, "# generated by zoned from %s; do not edit\n",
	    ir->file[0] ? ir->file : "(no policy: deny all crossings)");
	fprintf(fp, "table inet %s {\n", NFTGEN_TABLE);
	for (size_t i = 0; i < ir->ncounters; i++) {
		/* no comment: a counter outlives the reloads that move its
		 * flow's line (nftdiff.c) */
		fprintf(fp, "\tcounter %s {\n\t}\n", ir->counters[i].name);
	}
	for (size_t i = 0; i < ir->nsets; i++)
		print_set(fp, ir->sets[i]);
	for (size_t i = 0; i < ir->nchains; i++)
		print_chain(fp, ir, ir->chains[i]);
	fputs("}\n", fp);
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
