/*
 * apply — the daemon's netlink socket to nf_tables.
 *
 * As nft does: the whole batch goes out in one sendmsg (the socket's send
 * buffer is raised to fit it), every message asks for an ACK, and every ACK
 * is drained before the answer is known.  Errors carry the extended ACK's
 * offset of the failing attribute, which nftemit maps to the element and so
 * to the policy line.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/object.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "apply.h"
#include "fault.h"
#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define RCVBUF (8 << 20)

struct apply {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	char *rbuf;
	size_t rbuflen;
};

struct apply *
apply_open(char *err, size_t errlen)
{
	struct apply *a = calloc(1, sizeof(*a));
	int one = 1;

	if (a == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->rbuflen = MNL_SOCKET_BUFFER_SIZE * 16;
	if ((a->rbuf = malloc(a->rbuflen)) == NULL) {
		snprintf(err, errlen, "out of memory");
		apply_close(a);
		return NULL;
	}
	if ((a->nl = nl_open("netlink", NETLINK_NETFILTER, 0, false, RCVBUF,
	    err, errlen)) == NULL) {
		apply_close(a);
		return NULL;
	}
	a->portid = mnl_socket_get_portid(a->nl);
	a->seq = (uint32_t)time(NULL);
	/* extended ACKs with the failing attribute, without the whole
	 * request echoed back */
	mnl_socket_setsockopt(a->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(a->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return a;
}

void
apply_close(struct apply *a)
{
	if (a == NULL)
		return;
	if (a->nl)
		mnl_socket_close(a->nl);
	free(a->rbuf);
	free(a);
}

int
apply_fd(const struct apply *a)
{
	return mnl_socket_get_fd(a->nl);
}

uint32_t
apply_next_seq(struct apply *a, uint32_t count)
{
	uint32_t s = a->seq;

	a->seq += count;
	return s;
}

void
apply_errors_free(struct apply_errors *e)
{
	free(e->v);
	memset(e, 0, sizeof(*e));
}

/* The extended ACK attributes after struct nlmsgerr. */
static void
parse_extack(const struct nlmsghdr *nlh, uint32_t *off, char *msg,
    size_t msglen)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t hlen = sizeof(*e);

	*off = 0;
	msg[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hlen += mnl_nlmsg_get_payload_len(&e->msg);
	mnl_attr_for_each(attr, nlh, hlen) {
		switch (mnl_attr_get_type(attr)) {
		case NLMSGERR_ATTR_MSG:
			snprintf(msg, msglen, "%s", mnl_attr_get_str(attr));
			break;
		case NLMSGERR_ATTR_OFFS:
			*off = mnl_attr_get_u32(attr);
			break;
		}
	}
}

static int
push_error(struct apply_errors *errs, const struct nft_batch *b,
    const struct nft_ir *ir, const struct nlmsghdr *nlh, int error)
{
	const struct nft_msg *m = nftemit_msg(b, nlh->nlmsg_seq);
	struct apply_error *e;
	uint32_t off;

	if (errs->n == errs->cap) {
		size_t cap = errs->cap ? errs->cap * 2 : 8;
		void *v = realloc(errs->v, cap * sizeof(*errs->v));
		if (v == NULL)
			return -1;
		errs->v = v;
		errs->cap = cap;
	}
	e = &errs->v[errs->n++];
	memset(e, 0, sizeof(*e));
	e->error = error;
	parse_extack(nlh, &off, e->msg, sizeof(e->msg));
	if (m == NULL || ir == NULL)
		snprintf(e->what, sizeof(e->what), "message %u",
		    nlh->nlmsg_seq);
	else
		e->line = nftemit_describe(b, ir, m, off, e->what,
		    sizeof(e->what));
	return 0;
}

int
apply_batch(struct apply *a, const struct nft_batch *b,
    const struct nft_ir *ir, struct apply_errors *errs, char *err,
    size_t errlen)
{
	int fd = mnl_socket_get_fd(a->nl);
	int snd = (int)b->len + (1 << 20);
	size_t want = b->nacked;
	ssize_t n;

	memset(errs, 0, sizeof(*errs));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	if ((errno = fault_errno("netlink-send")) != 0 ||
	    mnl_socket_sendto(a->nl, b->buf, b->len) < 0) {
		snprintf(err, errlen, "netlink send of %zu bytes: %s", b->len,
		    strerror(errno));
		return -1;
	}
	/* Drain: one ACK per message that asked for one. */
	while (errs->acks < want) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		const struct nlmsghdr *nlh;
		int len;

		if (poll(&pfd, 1, 30000) <= 0) {
			snprintf(err, errlen, "netlink: %zu of %zu ACKs after "
			    "30 s", errs->acks, want);
			return -1;
		}
		if ((n = mnl_socket_recvfrom(a->nl, a->rbuf, a->rbuflen)) < 0) {
			snprintf(err, errlen, "netlink receive: %s",
			    strerror(errno));
			return -1;
		}
		len = (int)n;
		for (nlh = (const void *)a->rbuf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e;
			const struct nft_msg *m;

			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    nlh->nlmsg_seq < b->seq_begin ||
			    nlh->nlmsg_seq >= b->seq_end)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			m = nftemit_msg(b, nlh->nlmsg_seq);
			if (m == NULL || m->acked)
				errs->acks++;
			if (e->error != 0 &&
			    push_error(errs, b, ir, nlh, -e->error) < 0) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		}
	}
	return errs->n ? -1 : 0;
}

/* ---------------------------------------------------------------------
 * Dumps
 */

struct dump_ctx {
	struct canon *c;
	int parse_error;
	char **sets;		/* set names, to dump their elements */
	size_t nsets, cap;
	void (*counter)(const char *, uint64_t, uint64_t, void *);
	void *arg;
	struct nft_present *present;	/* apply_present() */
};

/* Append a copy of s to *v (n entries); -1 when out of memory. */
static int
push_name(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (nv == NULL)
		return -1;
	*v = nv;
	if ((nv[*n] = strdup(s ? s : "")) == NULL)
		return -1;
	(*n)++;
	return 0;
}

/* An object of table inet zoned, into the list of what it holds. */
static int
present_add(struct nft_present *p, const struct nlmsghdr *nlh)
{
	int rc = 0;

	switch (nlh->nlmsg_type & 0xff) {
	case NFT_MSG_NEWTABLE: {
		struct nftnl_table *t = nftnl_table_alloc();
		if (t == NULL || nftnl_table_nlmsg_parse(nlh, t) < 0)
			rc = -1;
		else if (strcmp(nftnl_table_get_str(t, NFTNL_TABLE_NAME),
		    NFTGEN_TABLE) == 0)
			p->flags = nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS);
		nftnl_table_free(t);
		break;
	}
	case NFT_MSG_NEWCHAIN: {
		struct nftnl_chain *c = nftnl_chain_alloc();
		struct nft_present_chain *v;
		if (c == NULL || nftnl_chain_nlmsg_parse(nlh, c) < 0)
			rc = -1;
		else if (strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE),
		    NFTGEN_TABLE) != 0 || (nftnl_chain_is_set(c,
		    NFTNL_CHAIN_FLAGS) && nftnl_chain_get_u32(c,
		    NFTNL_CHAIN_FLAGS) & NFT_CHAIN_BINDING))
			;
		else if ((v = realloc(p->chains, (p->nchains + 1) *
		    sizeof(*v))) == NULL)
			rc = -1;
		else {
			p->chains = v;
			v = &p->chains[p->nchains];
			memset(v, 0, sizeof(*v));
			if ((v->name = strdup(nftnl_chain_get_str(c,
			    NFTNL_CHAIN_NAME))) == NULL)
				rc = -1;
			else
				p->nchains++;
			v->base = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM);
			if (v->base) {
				v->hooknum = nftnl_chain_get_u32(c,
				    NFTNL_CHAIN_HOOKNUM);
				v->prio = nftnl_chain_get_s32(c,
				    NFTNL_CHAIN_PRIO);
				snprintf(v->type, sizeof(v->type), "%s",
				    nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE) ?
				    nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE) :
				    "");
			}
		}
		nftnl_chain_free(c);
		break;
	}
	case NFT_MSG_NEWSET: {
		struct nftnl_set *s = nftnl_set_alloc();
		if (s == NULL || nftnl_set_nlmsg_parse(nlh, s) < 0)
			rc = -1;
		else if (strcmp(nftnl_set_get_str(s, NFTNL_SET_TABLE),
		    NFTGEN_TABLE) == 0 && !(nftnl_set_get_u32(s,
		    NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS))
			rc = push_name(&p->sets, &p->nsets, nftnl_set_get_str(s,
			    NFTNL_SET_NAME));
		nftnl_set_free(s);
		break;
	}
	case NFT_MSG_NEWOBJ: {
		struct nftnl_obj *o = nftnl_obj_alloc();
		struct nft_present_obj *v;
		if (o == NULL || nftnl_obj_nlmsg_parse(nlh, o) < 0)
			rc = -1;
		else if (strcmp(nftnl_obj_get_str(o, NFTNL_OBJ_TABLE),
		    NFTGEN_TABLE) != 0)
			;
		else if ((v = realloc(p->objs, (p->nobjs + 1) *
		    sizeof(*v))) == NULL)
			rc = -1;
		else {
			p->objs = v;
			v[p->nobjs].type = nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE);
			if ((v[p->nobjs].name = strdup(nftnl_obj_get_str(o,
			    NFTNL_OBJ_NAME))) == NULL)
				rc = -1;
			else
				p->nobjs++;
		}
		nftnl_obj_free(o);
		break;
	}
	case NFT_MSG_NEWFLOWTABLE: {
		struct nftnl_flowtable *f = nftnl_flowtable_alloc();
		if (f == NULL || nftnl_flowtable_nlmsg_parse(nlh, f) < 0)
			rc = -1;
		else if (strcmp(nftnl_flowtable_get_str(f,
		    NFTNL_FLOWTABLE_TABLE), NFTGEN_TABLE) == 0)
			rc = push_name(&p->flowtables, &p->nflowtables,
			    nftnl_flowtable_get_str(f, NFTNL_FLOWTABLE_NAME));
		nftnl_flowtable_free(f);
		break;
	}
	}
	return rc;
}

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;

	if (d->present) {
		if (present_add(d->present, nlh) < 0)
			d->parse_error = 1;
		return MNL_CB_OK;
	}
	if (d->c && canon_msg(d->c, nlh) < 0)
		d->parse_error = 1;
	if ((nlh->nlmsg_type & 0xff) == NFT_MSG_NEWSET) {
		struct nftnl_set *s = nftnl_set_alloc();
		if (s && nftnl_set_nlmsg_parse(nlh, s) == 0) {
			if (d->nsets == d->cap) {
				size_t cap = d->cap ? d->cap * 2 : 32;
				char **v = realloc(d->sets, cap * sizeof(*v));
				if (v) {
					d->sets = v;
					d->cap = cap;
				}
			}
			if (d->nsets < d->cap)
				d->sets[d->nsets++] = strdup(
				    nftnl_set_get_str(s, NFTNL_SET_NAME));
		}
		nftnl_set_free(s);
	}
	if ((nlh->nlmsg_type & 0xff) == NFT_MSG_NEWOBJ && d->counter) {
		struct nftnl_obj *o = nftnl_obj_alloc();
		if (o && nftnl_obj_nlmsg_parse(nlh, o) == 0 &&
		    nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) == NFT_OBJECT_COUNTER)
			d->counter(nftnl_obj_get_str(o, NFTNL_OBJ_NAME),
			    nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_PKTS),
			    nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_BYTES), d->arg);
		nftnl_obj_free(o);
	}
	return MNL_CB_OK;
}

/* One dump request; 0, 1 for ENOENT (no table), -1 with err. */
static int
dump(struct apply *a, uint16_t type, const char *set, struct dump_ctx *d,
    char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	uint32_t seq = apply_next_seq(a, 1);
	ssize_t n;
	int rc;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | type;
	/* a dump ends with NLMSG_DONE; a plain get needs its ACK */
	nlh->nlmsg_flags = NLM_F_REQUEST |
	    (type == NFT_MSG_GETTABLE ? NLM_F_ACK : NLM_F_DUMP);
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_INET;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	switch (type) {
	case NFT_MSG_GETTABLE:
		mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, NFTGEN_TABLE);
		break;
	case NFT_MSG_GETSETELEM:
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, NFTGEN_TABLE);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
		break;
	default:
		/* the table attribute is the same number for every object */
		mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, NFTGEN_TABLE);
	}
	if (mnl_socket_sendto(a->nl, nlh, nlh->nlmsg_len) < 0) {
		snprintf(err, errlen, "netlink send: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		struct pollfd pfd = { .fd = mnl_socket_get_fd(a->nl),
		    .events = POLLIN };
		if (poll(&pfd, 1, 10000) <= 0) {
			snprintf(err, errlen, "netlink dump: no answer");
			return -1;
		}
		if ((n = mnl_socket_recvfrom(a->nl, a->rbuf, a->rbuflen)) < 0) {
			snprintf(err, errlen, "netlink receive: %s",
			    strerror(errno));
			return -1;
		}
		rc = mnl_cb_run(a->rbuf, (size_t)n, seq, a->portid, dump_cb, d);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0) {
			if (errno == ENOENT)
				return 1;
			snprintf(err, errlen, "netlink dump: %s",
			    strerror(errno));
			return -1;
		}
	}
}

static void
dump_ctx_free(struct dump_ctx *d)
{
	for (size_t i = 0; i < d->nsets; i++)
		free(d->sets[i]);
	free(d->sets);
}

int
apply_dump(struct apply *a, struct canon *c, char *err, size_t errlen)
{
	static const uint16_t types[] = { NFT_MSG_GETOBJ, NFT_MSG_GETCHAIN,
	    NFT_MSG_GETSET, NFT_MSG_GETRULE };
	struct dump_ctx d = { .c = c };
	int rc;

	if ((rc = dump(a, NFT_MSG_GETTABLE, NULL, &d, err, errlen)) != 0)
		return rc;	/* 1: the table is gone */
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if ((rc = dump(a, types[i], NULL, &d, err, errlen)) != 0)
			goto out;
	for (size_t i = 0; i < d.nsets; i++)
		if (d.sets[i] && (rc = dump(a, NFT_MSG_GETSETELEM, d.sets[i],
		    &d, err, errlen)) != 0)
			goto out;
	if (d.parse_error) {
		snprintf(err, errlen, "could not parse the kernel's table");
		rc = -1;
	}
out:
	dump_ctx_free(&d);
	return rc;
}

int
apply_present(struct apply *a, struct nft_present *p, char *err,
    size_t errlen)
{
	static const uint16_t types[] = { NFT_MSG_GETCHAIN, NFT_MSG_GETSET,
	    NFT_MSG_GETOBJ, NFT_MSG_GETFLOWTABLE };
	struct dump_ctx d = { .present = p };
	int rc;

	memset(p, 0, sizeof(*p));
	if ((rc = dump(a, NFT_MSG_GETTABLE, NULL, &d, err, errlen)) != 0)
		return rc;	/* 1: no table */
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if ((rc = dump(a, types[i], NULL, &d, err, errlen)) != 0)
			break;
	if (rc == 0 && d.parse_error) {
		snprintf(err, errlen, "could not read the kernel's table");
		rc = -1;
	}
	if (rc != 0)
		nft_present_free(p);
	return rc;
}

int
apply_counters(struct apply *a,
    void (*fn)(const char *, uint64_t, uint64_t, void *), void *arg,
    char *err, size_t errlen)
{
	struct dump_ctx d = { .counter = fn, .arg = arg };
	int rc = dump(a, NFT_MSG_GETOBJ, NULL, &d, err, errlen);

	dump_ctx_free(&d);
	return rc;
}
