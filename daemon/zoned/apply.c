/*
 * apply — the daemon's netlink socket to nf_tables.
 *
 * As nft does: the whole batch goes out in one sendmsg (the socket's send
 * buffer is raised to fit it), every message asks for an ACK, and every ACK
 * is drained before the answer is known.  Errors carry the extended ACK's
 * offset of the failing attribute, which nftemit maps to the element and so
 * to the policy line.  A batch refused whole (its first message answered
 * with an error: the generation it was built for is gone) ends at once.
 *
 * Counters are read by name, many requests to one sendmsg: a dump of the
 * table's objects costs the kernel a walk from the first object for every
 * 32 KiB of answer, quadratic in the counters (seconds at 100,000).
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/gen.h>
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
	char *mbuf;		/* COUNTER_BATCH answers of counters */
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
	free(a->mbuf);
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
			if (nlh->nlmsg_seq == b->seq_begin && e->error != 0) {
				/* the batch as a whole: nothing else comes */
				errs->refused = -e->error;
				snprintf(err, errlen, "the kernel refused the "
				    "batch: %s", strerror(-e->error));
				return -1;
			}
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
	struct nft_present *present;	/* apply_present() */
	void (*elem)(const void *, size_t, void *);	/* element keys */
	void *arg;
};

/* Each element key of a NEWSETELEM message to d->elem. */
static void
dump_elems(struct dump_ctx *d, const struct nlmsghdr *nlh)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *e;

	if (s == NULL || nftnl_set_elems_nlmsg_parse(nlh, s) < 0 ||
	    (it = nftnl_set_elems_iter_create(s)) == NULL) {
		d->parse_error = 1;
		nftnl_set_free(s);
		return;
	}
	while ((e = nftnl_set_elems_iter_next(it)) != NULL) {
		uint32_t len = 0;
		const void *k = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
		if (k != NULL)
			d->elem(k, len, d->arg);
	}
	nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
}

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
	if ((nlh->nlmsg_type & 0xff) == NFT_MSG_NEWSETELEM && d->elem)
		dump_elems(d, nlh);
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

/* ---------------------------------------------------------------------
 * The generation and the counters
 */

/* Send len bytes of requests; -1 with err. */
static int
send_all(struct apply *a, const void *buf, size_t len, char *err,
    size_t errlen)
{
	if (mnl_socket_sendto(a->nl, buf, len) < 0) {
		snprintf(err, errlen, "netlink send: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Receive one datagram into a->rbuf (waiting at most 10 s). */
static ssize_t
recv_one(struct apply *a, char *err, size_t errlen)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(a->nl),
	    .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, 10000) <= 0) {
		snprintf(err, errlen, "netlink: no answer");
		return -1;
	}
	if ((n = mnl_socket_recvfrom(a->nl, a->rbuf, a->rbuflen)) < 0)
		snprintf(err, errlen, "netlink receive: %s", strerror(errno));
	return n;
}

int
apply_genid(struct apply *a, uint32_t *genid, char *err, size_t errlen)
{
	char buf[256];
	struct nlmsghdr *nlh;
	uint32_t seq = apply_next_seq(a, 1);
	bool got = false;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0, seq);
	if (send_all(a, nlh, nlh->nlmsg_len, err, errlen) < 0)
		return -1;
	while (!got) {
		ssize_t n = recv_one(a, err, errlen);
		int len = (int)n;

		if (n < 0)
			return -1;
		for (nlh = (struct nlmsghdr *)a->rbuf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len)) {
			struct nftnl_gen *g;

			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e =
				    mnl_nlmsg_get_payload(nlh);
				snprintf(err, errlen, "netlink: generation: %s",
				    strerror(-e->error));
				return -1;
			}
			if ((g = nftnl_gen_alloc()) == NULL ||
			    nftnl_gen_nlmsg_parse(nlh, g) < 0) {
				nftnl_gen_free(g);
				snprintf(err, errlen, "netlink: generation: "
				    "cannot parse the answer");
				return -1;
			}
			*genid = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
			nftnl_gen_free(g);
			got = true;
		}
	}
	return 0;
}

/* Requests in flight at once: each answer holds a netlink buffer of the
 * kernel's good size (up to 16 KiB with its overhead) in the receive
 * buffer until read; 512 overflowed the 8 MiB one (ENOBUFS, answers lost)
 * with 20,000 counters. */
#define COUNTER_WINDOW 128
/* Answers read by one recvmmsg: a system call per answer would cost more
 * than the kernel's work for it. */
#define COUNTER_BATCH 64
#define COUNTER_MSGLEN 8192

/* One counter's answer: its name, packets and bytes (libmnl, without an
 * object of libnftnl each). */
static int
counter_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type <= NFTA_OBJ_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int
data_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type <= NFTA_COUNTER_MAX && mnl_attr_validate(a, MNL_TYPE_U64) == 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static void
counter_answer(const struct nlmsghdr *nlh,
    void (*fn)(const char *, uint64_t, uint64_t, void *), void *arg)
{
	const struct nlattr *tb[NFTA_OBJ_MAX + 1] = { 0 };
	const struct nlattr *cb[NFTA_COUNTER_MAX + 1] = { 0 };

	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), counter_attr, tb) < 0 ||
	    tb[NFTA_OBJ_NAME] == NULL || tb[NFTA_OBJ_DATA] == NULL ||
	    mnl_attr_validate(tb[NFTA_OBJ_NAME], MNL_TYPE_NUL_STRING) < 0 ||
	    mnl_attr_parse_nested(tb[NFTA_OBJ_DATA], data_attr, cb) < 0 ||
	    cb[NFTA_COUNTER_PACKETS] == NULL || cb[NFTA_COUNTER_BYTES] == NULL)
		return;
	fn(mnl_attr_get_str(tb[NFTA_OBJ_NAME]),
	    be64toh(mnl_attr_get_u64(cb[NFTA_COUNTER_PACKETS])),
	    be64toh(mnl_attr_get_u64(cb[NFTA_COUNTER_BYTES])), arg);
}

/* Read answers to the requests seq0..seq0+k: each is the counter, or an
 * error (ENOENT: no such counter, left out).  -1 with err. */
static int
counter_answers(struct apply *a, uint32_t seq0, size_t k,
    void (*fn)(const char *, uint64_t, uint64_t, void *), void *arg,
    char *err, size_t errlen)
{
	int fd = mnl_socket_get_fd(a->nl);
	struct mmsghdr mm[COUNTER_BATCH];
	struct iovec iov[COUNTER_BATCH];
	size_t answered = 0;

	for (int i = 0; i < COUNTER_BATCH; i++) {
		iov[i] = (struct iovec){ a->mbuf + (size_t)i * COUNTER_MSGLEN,
		    COUNTER_MSGLEN };
		mm[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i],
		    .msg_iovlen = 1 };
	}
	while (answered < k) {
		int n = recvmmsg(fd, mm, COUNTER_BATCH, MSG_DONTWAIT, NULL);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			if (poll(&pfd, 1, 10000) <= 0) {
				snprintf(err, errlen, "netlink: no answer");
				return -1;
			}
			continue;
		}
		if (n < 0) {
			snprintf(err, errlen, "netlink receive: %s",
			    strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			const struct nlmsghdr *nlh = iov[i].iov_base;
			int len = (int)mm[i].msg_len;

			for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh,
			    &len)) {
				if (nlh->nlmsg_seq < seq0 ||
				    nlh->nlmsg_seq >= seq0 + k)
					continue;
				answered++;
				if (nlh->nlmsg_type != NLMSG_ERROR)
					counter_answer(nlh, fn, arg);
			}
		}
	}
	return 0;
}

int
apply_counters(struct apply *a, const char *const *names, size_t n,
    void (*fn)(const char *, uint64_t, uint64_t, void *), void *arg,
    char *err, size_t errlen)
{
	size_t reqlen = 0, done = 0;
	char *req = NULL;

	if (a->mbuf == NULL &&
	    (a->mbuf = malloc(COUNTER_BATCH * COUNTER_MSGLEN)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		size_t l = MNL_ALIGN(sizeof(struct nlmsghdr)) +
		    MNL_ALIGN(sizeof(struct nfgenmsg)) + 3 * MNL_ATTR_HDRLEN +
		    MNL_ALIGN(sizeof(NFTGEN_TABLE)) + MNL_ALIGN(strlen(names[i]) +
		    1) + MNL_ALIGN(4);
		if (l > reqlen)
			reqlen = l;
	}
	if (n > 0 && (req = malloc(reqlen * COUNTER_WINDOW)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (done < n) {
		size_t k = n - done < COUNTER_WINDOW ? n - done :
		    COUNTER_WINDOW, len = 0;
		uint32_t seq0 = apply_next_seq(a, (uint32_t)k);

		for (size_t i = 0; i < k; i++) {
			struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(req + len,
			    NFT_MSG_GETOBJ, NFPROTO_INET, 0, seq0 + (uint32_t)i);
			mnl_attr_put_strz(nlh, NFTA_OBJ_TABLE, NFTGEN_TABLE);
			mnl_attr_put_strz(nlh, NFTA_OBJ_NAME, names[done + i]);
			mnl_attr_put_u32(nlh, NFTA_OBJ_TYPE,
			    htonl(NFT_OBJECT_COUNTER));
			len += NLMSG_ALIGN(nlh->nlmsg_len);
		}
		if (send_all(a, req, len, err, errlen) < 0 ||
		    counter_answers(a, seq0, k, fn, arg, err, errlen) < 0)
			goto fail;
		done += k;
	}
	free(req);
	return 0;
fail:
	free(req);
	return -1;
}

int
apply_set_elems(struct apply *a, const char *set,
    void (*fn)(const void *key, size_t len, void *arg), void *arg,
    char *err, size_t errlen)
{
	struct dump_ctx d = { .elem = fn, .arg = arg };
	int rc = dump(a, NFT_MSG_GETSETELEM, set, &d, err, errlen);

	if (rc == 0 && d.parse_error) {
		snprintf(err, errlen, "could not parse the elements of set %s",
		    set);
		rc = -1;
	}
	dump_ctx_free(&d);
	return rc;
}
