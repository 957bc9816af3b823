/*
 * nftcanon — canonical lines of table inet zoned from netlink messages.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "nftcanon.h"
#include "nftgen.h"

/* Runtime sets: their elements change without a reload. */
static const char *const runtime_sets[] = { "isolated", NFTGEN_HA_STANDBY,
    NULL };

void
canon_init(struct canon *c)
{
	memset(c, 0, sizeof(*c));
}

void
canon_free(struct canon *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
	for (size_t i = 0; i < c->nchains; i++)
		free(c->chains[i]);
	free(c->chains);
	free(c->nrules);
	canon_init(c);
}

static void line(struct canon *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
line(struct canon *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s == NULL) {
		c->oom = 1;
		return;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		char **v = realloc(c->v, cap * sizeof(*v));
		if (v == NULL) {
			free(s);
			c->oom = 1;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = s;
}

static void
hex(const void *data, uint32_t len, char *buf, size_t buflen)
{
	const uint8_t *p = data;
	size_t o = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; i < len && o + 3 < buflen; i++)
		o += (size_t)snprintf(buf + o, buflen - o, "%02x", p[i]);
}

static const void *
get(const void *obj, uint16_t attr, uint32_t *len,
    const void *(*fn)(const void *, uint16_t, uint32_t *))
{
	const void *d = fn(obj, attr, len);
	if (d == NULL)
		*len = 0;
	return d;
}

static const void *
set_get(const void *s, uint16_t a, uint32_t *l)
{
	return nftnl_set_get_data(s, a, l);
}

static const void *
elem_get(const void *e, uint16_t a, uint32_t *l)
{
	return nftnl_set_elem_get((struct nftnl_set_elem *)e, a, l);
}

static const void *
rule_get(const void *r, uint16_t a, uint32_t *l)
{
	return nftnl_rule_get_data(r, a, l);
}

static const void *
obj_get(const void *o, uint16_t a, uint32_t *l)
{
	return nftnl_obj_get_data((struct nftnl_obj *)o, a, l);
}

static int
do_chain(struct canon *c, const struct nlmsghdr *nlh)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();

	if (ch == NULL || nftnl_chain_nlmsg_parse(nlh, ch) < 0) {
		nftnl_chain_free(ch);
		return -1;
	}
	if (nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM))
		line(c, "chain %s hook %u prio %d type %s policy %u",
		    nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME),
		    nftnl_chain_get_u32(ch, NFTNL_CHAIN_HOOKNUM),
		    nftnl_chain_get_s32(ch, NFTNL_CHAIN_PRIO),
		    nftnl_chain_get_str(ch, NFTNL_CHAIN_TYPE),
		    nftnl_chain_get_u32(ch, NFTNL_CHAIN_POLICY));
	else
		line(c, "chain %s", nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME));
	nftnl_chain_free(ch);
	return 0;
}

static int
do_obj(struct canon *c, const struct nlmsghdr *nlh)
{
	struct nftnl_obj *o = nftnl_obj_alloc();
	char ud[600];
	const void *d;
	uint32_t len;

	if (o == NULL || nftnl_obj_nlmsg_parse(nlh, o) < 0) {
		nftnl_obj_free(o);
		return -1;
	}
	d = get(o, NFTNL_OBJ_USERDATA, &len, obj_get);
	hex(d, len, ud, sizeof(ud));
	line(c, "object %s type %u ud %s",
	    nftnl_obj_get_str(o, NFTNL_OBJ_NAME),
	    nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE), ud);
	nftnl_obj_free(o);
	return 0;
}

static int
do_set(struct canon *c, const struct nlmsghdr *nlh)
{
	struct nftnl_set *s = nftnl_set_alloc();
	char ud[600], concat[64];
	const void *d;
	uint32_t len;

	if (s == NULL || nftnl_set_nlmsg_parse(nlh, s) < 0) {
		nftnl_set_free(s);
		return -1;
	}
	d = get(s, NFTNL_SET_USERDATA, &len, set_get);
	hex(d, len, ud, sizeof(ud));
	d = get(s, NFTNL_SET_DESC_CONCAT, &len, set_get);
	hex(d, len, concat, sizeof(concat));
	line(c, "set %s flags %#x key %#x/%u data %#x/%u obj %u concat %s "
	    "ud %s", nftnl_set_get_str(s, NFTNL_SET_NAME),
	    nftnl_set_get_u32(s, NFTNL_SET_FLAGS),
	    nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE),
	    nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN),
	    nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE),
	    nftnl_set_get_u32(s, NFTNL_SET_DATA_LEN),
	    nftnl_set_get_u32(s, NFTNL_SET_OBJ_TYPE), concat, ud);
	nftnl_set_free(s);
	return 0;
}

/*
 * libnftnl numbers the element nests 1, 2, 3... when it builds a message
 * but parses only nests of type NFTA_LIST_ELEM (1); the kernel takes both.
 * Parse a copy with the types made 1.
 */
static struct nlmsghdr *
elems_normalised(const struct nlmsghdr *nlh)
{
	struct nlmsghdr *copy = malloc(nlh->nlmsg_len);
	struct nlattr *a, *e;

	if (copy == NULL)
		return NULL;
	memcpy(copy, nlh, nlh->nlmsg_len);
	mnl_attr_for_each(a, copy, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == NFTA_SET_ELEM_LIST_ELEMENTS)
			mnl_attr_for_each_nested(e, a)
				e->nla_type = (uint16_t)((e->nla_type &
				    ~NLA_TYPE_MASK) | NFTA_LIST_ELEM);
	return copy;
}

static int
do_elems(struct canon *c, const struct nlmsghdr *orig)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh = elems_normalised(orig);
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *e;
	const char *name;
	int rc = 0;

	if (s == NULL || nlh == NULL || nftnl_set_elems_nlmsg_parse(nlh, s) < 0) {
		nftnl_set_free(s);
		free(nlh);
		return -1;
	}
	name = nftnl_set_get_str(s, NFTNL_SET_NAME);
	for (size_t i = 0; runtime_sets[i]; i++)
		if (name && strcmp(name, runtime_sets[i]) == 0)
			goto out;
	if ((it = nftnl_set_elems_iter_create(s)) == NULL) {
		rc = -1;
		goto out;
	}
	while ((e = nftnl_set_elems_iter_next(it)) != NULL) {
		char key[200], end[200], data[64], ud[600];
		const void *d;
		uint32_t len;

		d = get(e, NFTNL_SET_ELEM_KEY, &len, elem_get);
		hex(d, len, key, sizeof(key));
		d = get(e, NFTNL_SET_ELEM_KEY_END, &len, elem_get);
		hex(d, len, end, sizeof(end));
		d = get(e, NFTNL_SET_ELEM_DATA, &len, elem_get);
		hex(d, len, data, sizeof(data));
		d = get(e, NFTNL_SET_ELEM_USERDATA, &len, elem_get);
		hex(d, len, ud, sizeof(ud));
		line(c, "elem %s key %s end %s data %s verdict %d chain %s "
		    "obj %s ud %s", name ? name : "?", key, end, data,
		    nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_VERDICT) ?
		    (int)nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_VERDICT) : 0,
		    nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_CHAIN) ?
		    nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN) : "-",
		    nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_OBJREF) ?
		    nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_OBJREF) : "-", ud);
	}
	nftnl_set_elems_iter_destroy(it);
out:
	nftnl_set_free(s);
	free(nlh);
	return rc;
}

/* The position of the next rule of chain name. */
static unsigned
rule_pos(struct canon *c, const char *name)
{
	for (size_t i = 0; i < c->nchains; i++)
		if (strcmp(c->chains[i], name) == 0)
			return c->nrules[i]++;
	if (c->nchains == c->chcap) {
		size_t cap = c->chcap ? c->chcap * 2 : 64;
		char **v = realloc(c->chains, cap * sizeof(*v));
		unsigned *w;
		if (v == NULL) {
			c->oom = 1;
			return 0;
		}
		c->chains = v;
		if ((w = realloc(c->nrules, cap * sizeof(*w))) == NULL) {
			c->oom = 1;
			return 0;
		}
		c->nrules = w;
		c->chcap = cap;
	}
	if ((c->chains[c->nchains] = strdup(name)) == NULL) {
		c->oom = 1;
		return 0;
	}
	c->nrules[c->nchains++] = 1;
	return 0;
}

/* The next rule of chain name is its first again (the chain was flushed,
 * or the table deleted: name NULL). */
static void
rule_reset(struct canon *c, const char *name)
{
	for (size_t i = 0; i < c->nchains; i++)
		if (name == NULL || strcmp(c->chains[i], name) == 0)
			c->nrules[i] = 0;
}

/*
 * libnftnl writes the names of objref expressions without a terminating NUL
 * and reads them back as C strings, past the attribute.  Print objref
 * expressions from the raw attributes instead, with their exact lengths.
 */
static const struct nlattr *
nth_expr(const struct nlmsghdr *nlh, unsigned n)
{
	const struct nlattr *a, *e;
	unsigned i = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_RULE_EXPRESSIONS)
			continue;
		mnl_attr_for_each_nested(e, a)
			if (i++ == n)
				return e;
	}
	return NULL;
}

static int
raw_objref(const struct nlattr *expr, char *buf, size_t len)
{
	const struct nlattr *a, *d;
	const char *name = "";
	int namelen = 0;
	uint32_t type = 0, sreg = 0;

	mnl_attr_for_each_nested(a, expr) {
		if (mnl_attr_get_type(a) != NFTA_EXPR_DATA)
			continue;
		mnl_attr_for_each_nested(d, a) {
			switch (mnl_attr_get_type(d)) {
			case NFTA_OBJREF_IMM_NAME:
			case NFTA_OBJREF_SET_NAME:
				name = mnl_attr_get_payload(d);
				namelen = (int)strnlen(name,
				    mnl_attr_get_payload_len(d));
				break;
			case NFTA_OBJREF_IMM_TYPE:
				type = ntohl(mnl_attr_get_u32(d));
				break;
			case NFTA_OBJREF_SET_SREG:
				sreg = ntohl(mnl_attr_get_u32(d));
				break;
			}
		}
	}
	return snprintf(buf, len, "type %u sreg %u name %.*s", type, sreg,
	    namelen, name);
}

static int
do_rule(struct canon *c, const struct nlmsghdr *nlh)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	char exprs[4096], ud[600];
	const void *d;
	uint32_t len;
	size_t o = 0;
	const char *chain;

	if (r == NULL || nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nftnl_rule_free(r);
		return -1;
	}
	exprs[0] = '\0';
	if ((it = nftnl_expr_iter_create(r)) == NULL) {
		nftnl_rule_free(r);
		return -1;
	}
	for (unsigned k = 0; (e = nftnl_expr_iter_next(it)) != NULL &&
	    o + 8 < sizeof(exprs); k++) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		const struct nlattr *raw = nth_expr(nlh, k);
		int n = snprintf(exprs + o, sizeof(exprs) - o, "[%s ", name);
		if (n > 0)
			o += (size_t)n;
		if (strcmp(name, "objref") == 0 && raw != NULL)
			n = raw_objref(raw, exprs + o, sizeof(exprs) - o);
		else
			n = nftnl_expr_snprintf(exprs + o, sizeof(exprs) - o,
			    e, NFTNL_OUTPUT_DEFAULT, 0);
		if (n > 0 && (size_t)n < sizeof(exprs) - o)
			o += (size_t)n;
		n = snprintf(exprs + o, sizeof(exprs) - o, "]");
		if (n > 0)
			o += (size_t)n;
	}
	nftnl_expr_iter_destroy(it);
	d = get(r, NFTNL_RULE_USERDATA, &len, rule_get);
	hex(d, len, ud, sizeof(ud));
	chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	line(c, "rule %s %u %s ud %s", chain, rule_pos(c, chain), exprs, ud);
	nftnl_rule_free(r);
	return 0;
}

int
canon_msg(struct canon *c, const struct nlmsghdr *nlh)
{
	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES)
		return 0;
	switch (nlh->nlmsg_type & 0xff) {
	case NFT_MSG_NEWCHAIN:
		return do_chain(c, nlh);
	case NFT_MSG_NEWOBJ:
		return do_obj(c, nlh);
	case NFT_MSG_NEWSET:
		return do_set(c, nlh);
	case NFT_MSG_NEWSETELEM:
		return do_elems(c, nlh);
	case NFT_MSG_NEWRULE:
		return do_rule(c, nlh);
	}
	return 0;
}

int
canon_batch(struct canon *c, const struct nft_batch *b)
{
	for (size_t i = 0; i < b->nmsgs; i++)
		if (canon_msg(c, (const void *)(b->buf + b->msgs[i].off)) < 0)
			return -1;
	return c->oom ? -1 : 0;
}

static int
strpcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
canon_sort(struct canon *c)
{
	qsort(c->v, c->n, sizeof(*c->v), strpcmp);
}

/* A rule line: "rule CHAIN POS BODY"; splits it. */
static bool
rule_split(const char *line, char *chain, size_t clen, unsigned *pos,
    const char **body)
{
	const char *p, *q;

	if (strncmp(line, "rule ", 5) != 0)
		return false;
	p = line + 5;
	if ((q = strchr(p, ' ')) == NULL || (size_t)(q - p) >= clen)
		return false;
	memcpy(chain, p, (size_t)(q - p));
	chain[q - p] = '\0';
	*pos = (unsigned)strtoul(q + 1, (char **)&p, 10);
	*body = *p == ' ' ? p + 1 : p;
	return true;
}

/* The first of the sorted lines v[lo..hi) that is not below key. */
static size_t
lower_bound(char *const *v, size_t lo, size_t hi, const char *key)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(v[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The sorted lines v[lo..hi) that start with prefix: [*a, *b). */
static void
prefix_range(char *const *v, size_t lo, size_t hi, const char *prefix,
    size_t *a, size_t *b)
{
	size_t len = strlen(prefix);

	*a = *b = lower_bound(v, lo, hi, prefix);
	while (*b < hi && strncmp(v[*b], prefix, len) == 0)
		(*b)++;
}

/* ---------------------------------------------------------------------
 * The model: a batch applied to the lines
 */

struct model {
	struct canon *c;
	size_t nsorted;		/* c->v[0..nsorted) sorted, the rest added */
	bool *dead;		/* per line: deleted */
	size_t deadcap;
};

static int
model_grow(struct model *m)
{
	if (m->c->n <= m->deadcap)
		return 0;
	size_t cap = m->deadcap ? m->deadcap : 1024;
	while (cap < m->c->n)
		cap *= 2;
	bool *v = realloc(m->dead, cap);
	if (v == NULL)
		return -1;
	memset(v + m->deadcap, 0, cap - m->deadcap);
	m->dead = v;
	m->deadcap = cap;
	return 0;
}

/* Delete the lines that start with prefix; with one, exactly one must be
 * there.  -1 when not. */
static int
model_del(struct model *m, const char *prefix, bool one)
{
	size_t a, b, len = strlen(prefix), found = 0;

	if (model_grow(m) < 0)
		return -1;
	prefix_range(m->c->v, 0, m->nsorted, prefix, &a, &b);
	for (size_t i = a; i < b; i++)
		if (!m->dead[i]) {
			m->dead[i] = true;
			found++;
		}
	for (size_t i = m->nsorted; i < m->c->n; i++)
		if (!m->dead[i] && strncmp(m->c->v[i], prefix, len) == 0) {
			m->dead[i] = true;
			found++;
		}
	return one && found != 1 ? -1 : 0;
}

static int
model_delelems(struct model *m, const struct nlmsghdr *orig)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh = elems_normalised(orig);
	struct nftnl_set_elems_iter *it = NULL;
	struct nftnl_set_elem *e;
	const char *name;
	int rc = -1;

	if (s == NULL || nlh == NULL || nftnl_set_elems_nlmsg_parse(nlh, s) < 0)
		goto out;
	name = nftnl_set_get_str(s, NFTNL_SET_NAME);
	for (size_t i = 0; runtime_sets[i]; i++)
		if (name && strcmp(name, runtime_sets[i]) == 0) {
			rc = 0;
			goto out;
		}
	if ((it = nftnl_set_elems_iter_create(s)) == NULL)
		goto out;
	while ((e = nftnl_set_elems_iter_next(it)) != NULL) {
		char key[200], end[200], prefix[460];
		const void *d;
		uint32_t len;

		d = get(e, NFTNL_SET_ELEM_KEY, &len, elem_get);
		hex(d, len, key, sizeof(key));
		d = get(e, NFTNL_SET_ELEM_KEY_END, &len, elem_get);
		hex(d, len, end, sizeof(end));
		snprintf(prefix, sizeof(prefix), "elem %s key %s end %s ",
		    name ? name : "?", key, end);
		if (model_del(m, prefix, true) < 0)
			goto out;
	}
	rc = 0;
out:
	if (it)
		nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
	free(nlh);
	return rc;
}

static int
model_delobj(struct model *m, const struct nlmsghdr *nlh)
{
	struct nftnl_obj *o = nftnl_obj_alloc();
	char prefix[300];
	int rc = -1;

	if (o != NULL && nftnl_obj_nlmsg_parse(nlh, o) == 0) {
		snprintf(prefix, sizeof(prefix), "object %s type ",
		    nftnl_obj_get_str(o, NFTNL_OBJ_NAME));
		rc = model_del(m, prefix, true);
	}
	nftnl_obj_free(o);
	return rc;
}

/* DELRULE: only of a whole chain (a flush); one rule by its handle cannot
 * be modelled (the lines have no handles). */
static int
model_flush(struct model *m, const struct nlmsghdr *nlh)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	char prefix[300];
	int rc = -1;

	if (r != NULL && nftnl_rule_nlmsg_parse(nlh, r) == 0 &&
	    !nftnl_rule_is_set(r, NFTNL_RULE_HANDLE) &&
	    nftnl_rule_is_set(r, NFTNL_RULE_CHAIN)) {
		const char *chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
		snprintf(prefix, sizeof(prefix), "rule %s ", chain);
		rc = model_del(m, prefix, false);
		rule_reset(m->c, chain);
	}
	nftnl_rule_free(r);
	return rc;
}

static int
model_msg(struct model *m, const struct nlmsghdr *nlh)
{
	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES)
		return 0;
	switch (nlh->nlmsg_type & 0xff) {
	case NFT_MSG_DELTABLE:
		if (model_grow(m) < 0)
			return -1;
		for (size_t i = 0; i < m->c->n; i++)
			m->dead[i] = true;
		rule_reset(m->c, NULL);
		return 0;
	case NFT_MSG_DELSETELEM:
		return model_delelems(m, nlh);
	case NFT_MSG_DELOBJ:
		return model_delobj(m, nlh);
	case NFT_MSG_DELRULE:
		return model_flush(m, nlh);
	case NFT_MSG_DELSET:
	case NFT_MSG_DELCHAIN:
		return -1;	/* never in our batches; not modelled */
	}
	/* NEW*: lines at the end, sorted in at the close */
	return canon_msg(m->c, nlh);
}

int
canon_apply(struct canon *c, const struct nft_batch *b)
{
	struct model m = { .c = c, .nsorted = c->n };
	size_t o = 0, i, j, k;
	char **v = NULL;
	int rc = 0;

	for (i = 0; i < b->nmsgs && rc == 0; i++)
		rc = model_msg(&m, (const void *)(b->buf + b->msgs[i].off));
	if (rc == 0 && (c->oom || model_grow(&m) < 0))
		rc = -1;
	if (rc < 0) {
		free(m.dead);
		return -1;
	}
	/* the added lines sorted, then merged with the kept ones */
	qsort(c->v + m.nsorted, c->n - m.nsorted, sizeof(*c->v), strpcmp);
	if ((v = malloc((c->n ? c->n : 1) * sizeof(*v))) == NULL) {
		free(m.dead);
		return -1;
	}
	for (i = 0, j = m.nsorted;;) {
		while (i < m.nsorted && m.dead[i])
			free(c->v[i++]);
		while (j < c->n && m.dead[j])
			free(c->v[j++]);
		if (i == m.nsorted && j == c->n)
			break;
		k = j == c->n || (i < m.nsorted &&
		    strcmp(c->v[i], c->v[j]) <= 0) ? i++ : j++;
		v[o++] = c->v[k];
	}
	free(c->v);
	c->v = v;
	c->n = o;
	c->cap = c->n ? c->n : 1;
	free(m.dead);
	return 0;
}

/* ---------------------------------------------------------------------
 * Comparing
 */

struct seq {
	const char **body;	/* rule bodies in position order */
	const char **line;
	size_t n;
};

/* The rules of one chain, the lines v[lo..hi), in position order (lines
 * are sorted, positions need not be). */
static int
chain_seq(char *const *v, size_t lo, size_t hi, struct seq *s)
{
	char ch[256];
	unsigned pos, max = 0;
	const char *body;

	memset(s, 0, sizeof(*s));
	for (size_t i = lo; i < hi; i++)
		if (rule_split(v[i], ch, sizeof(ch), &pos, &body) &&
		    pos + 1 > max)
			max = pos + 1;
	if (max == 0)
		return 0;
	s->body = calloc(max, sizeof(*s->body));
	s->line = calloc(max, sizeof(*s->line));
	if (s->body == NULL || s->line == NULL)
		return -1;
	for (size_t i = lo; i < hi; i++)
		if (rule_split(v[i], ch, sizeof(ch), &pos, &body)) {
			s->body[pos] = body;
			s->line[pos] = v[i];
		}
	s->n = max;
	return 0;
}

static bool
same_body(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* The rules of one chain compared as sequences (longest common
 * subsequence): an inserted rule is one difference, not a shift of all. */
static size_t
diff_chain(const struct seq *a, const struct seq *b,
    void (*fn)(char, const char *, void *), void *arg)
{
	size_t n = a->n, m = b->n, d = 0, i = 0, j = 0;
	uint32_t *L = calloc((n + 1) * (m + 1), sizeof(*L));

	if (L == NULL)
		return 1;
	for (size_t x = n; x-- > 0;)
		for (size_t y = m; y-- > 0;)
			L[x * (m + 1) + y] = same_body(a->body[x], b->body[y]) ?
			    L[(x + 1) * (m + 1) + y + 1] + 1 :
			    L[(x + 1) * (m + 1) + y] > L[x * (m + 1) + y + 1] ?
			    L[(x + 1) * (m + 1) + y] : L[x * (m + 1) + y + 1];
	while (i < n || j < m) {
		if (i < n && j < m && same_body(a->body[i], b->body[j])) {
			i++;
			j++;
		} else if (j < m && (i == n || L[i * (m + 1) + j + 1] >=
		    L[(i + 1) * (m + 1) + j])) {
			if (fn && b->line[j])
				fn('+', b->line[j], arg);
			d++;
			j++;
		} else {
			if (fn && a->line[i])
				fn('-', a->line[i], arg);
			d++;
			i++;
		}
	}
	free(L);
	return d;
}

/* The chain name of a rule line, into buf ("" when it is none). */
static const char *
rule_chain(const char *line, char *buf, size_t len)
{
	unsigned pos;
	const char *body;

	if (!rule_split(line, buf, len, &pos, &body))
		buf[0] = '\0';
	return buf;
}

/* The end of the group of rule lines of the chain of v[i] (rule lines of
 * one chain are next to each other once sorted: "rule NAME " sorts before
 * "rule NAME.x"). */
static size_t
chain_end(char *const *v, size_t i, size_t hi)
{
	char ch[256], prefix[260];
	size_t a, b;

	snprintf(prefix, sizeof(prefix), "rule %s ",
	    rule_chain(v[i], ch, sizeof(ch)));
	prefix_range(v, i, hi, prefix, &a, &b);
	return b > i ? b : i + 1;
}

size_t
canon_diff(const struct canon *a, const struct canon *b,
    void (*fn)(char, const char *, void *), void *arg)
{
	size_t i = 0, j = 0, n = 0, ra, rb, sa, sb;

	/* the rule lines of each: one range of sorted lines */
	prefix_range(a->v, 0, a->n, "rule ", &ra, &sa);
	prefix_range(b->v, 0, b->n, "rule ", &rb, &sb);
	/* everything but rules: as sets of lines */
	while (i < a->n || j < b->n) {
		int cmp;
		if (i == ra && ra < sa) {
			i = sa;
			continue;
		}
		if (j == rb && rb < sb) {
			j = sb;
			continue;
		}
		cmp = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->v[i], b->v[j]);
		if (cmp == 0) {
			i++;
			j++;
			continue;
		}
		n++;
		if (cmp < 0) {
			if (fn)
				fn('-', a->v[i], arg);
			i++;
		} else {
			if (fn)
				fn('+', b->v[j], arg);
			j++;
		}
	}
	/* rules: chain by chain (in name order on both sides), as
	 * sequences */
	for (i = ra, j = rb; i < sa || j < sb;) {
		char ca[256], cb[256];
		size_t ea = i, eb = j;
		struct seq qa, qb;
		int cmp;

		if (i < sa)
			rule_chain(a->v[i], ca, sizeof(ca));
		if (j < sb)
			rule_chain(b->v[j], cb, sizeof(cb));
		cmp = i == sa ? 1 : j == sb ? -1 : strcmp(ca, cb);
		if (cmp <= 0)
			ea = chain_end(a->v, i, sa);
		if (cmp >= 0)
			eb = chain_end(b->v, j, sb);
		if (chain_seq(a->v, i, ea, &qa) < 0 ||
		    chain_seq(b->v, j, eb, &qb) < 0)
			n++;
		else
			n += diff_chain(&qa, &qb, fn, arg);
		free(qa.body);
		free(qa.line);
		free(qb.body);
		free(qb.line);
		i = ea;
		j = eb;
	}
	return n;
}
