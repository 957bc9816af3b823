/*
 * fuzz_policy — a policy file as the daemon takes it: loaded (conf), judged
 * (lint), and when clean compiled twice — the classifier, and the ruleset
 * (nftgen), emitted as the kernel's netlink batch and as nft text, the
 * batch read back as the drift check reads it (nftcanon).
 *
 * What must hold besides "no crash, no leak, no undefined behaviour": the
 * compiled classifier answers as the plain scan of the policy does
 * (classify_reference) for packets aimed at the policy's own addresses,
 * ports and their neighbours; and a clean policy always builds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "conf.h"
#include "diag.h"
#include "fuzz.h"
#include "lint.h"
#include "nftcanon.h"
#include "nftemit.h"
#include "nftgen.h"
#include "policy.h"

#define MAX_INPUT (128 * 1024)	/* a policy bigger than this adds nothing */
#define PACKETS 64

/* An @include may only name files under a directory that does not exist:
 * the fuzzer must not read /dev/zero or a FIFO by an @include. */
#define NAME "/nonexistent-zoned-fuzz/fuzz.conf"

struct corners {
	struct addr_pfx a[64];
	size_t na;
	uint16_t ports[32];
	size_t np;
};

static void
add_addr(struct corners *c, const struct addr_pfx *p)
{
	uint8_t lo[16], hi[16];
	int nb = p->family == ADDR_V4 ? 4 : 16;

	if (c->na + 4 > sizeof(c->a) / sizeof(c->a[0]))
		return;
	addr_range(p, lo, hi);
	/* the first and last address, and the ones just outside */
	for (int k = 0; k < 4; k++) {
		struct addr_pfx *q = &c->a[c->na++];
		*q = *p;
		memcpy(q->a, k < 2 ? lo : hi, 16);
		if (k == 1)
			addr_dec(q->a, nb);
		if (k == 3)
			addr_inc(q->a, nb);
	}
}

static void
add_port(struct corners *c, unsigned port)
{
	if (c->np < sizeof(c->ports) / sizeof(c->ports[0]))
		c->ports[c->np++] = (uint16_t)port;
}

static void
corners_of(const struct policy *p, struct corners *c)
{
	memset(c, 0, sizeof(*c));
	/* every address of a host, a list's elements too (address lists) */
	for (size_t i = 0; i < p->nhosts; i++)
		for (size_t j = 0; !p->hosts[i].bad &&
		    j < p->hosts[i].naddrs; j++)
			add_addr(c, &p->hosts[i].addrs[j].pfx);
	for (size_t i = 0; i < p->nzones; i++)
		for (size_t j = 0; j < p->zones[i].nnets; j++)
			add_addr(c, &p->zones[i].nets[j]);
	for (size_t i = 0; i < p->nservices; i++) {
		const struct service *s = &p->services[i];
		for (size_t j = 0; j < s->nports; j++) {
			add_port(c, s->ports[j].lo);
			add_port(c, s->ports[j].hi);
			add_port(c, s->ports[j].lo - 1u);
			add_port(c, s->ports[j].hi + 1u);
		}
		for (size_t j = 0; j < s->ntypes; j++)
			add_port(c, s->types[j]);
	}
	add_port(c, 0);
	add_port(c, 65535);
}

static void
packet(const struct policy *p, const struct corners *c, struct fuzz_rng *r,
    struct classify_pkt *k)
{
	static const uint8_t protos[] = { PROTO_TCP, PROTO_UDP, PROTO_ICMP,
	    PROTO_ICMPV6, PROTO_SCTP, 47 };
	const struct addr_pfx *s = &c->a[fuzz_rng_next(r) % c->na];
	const struct addr_pfx *d = &c->a[fuzz_rng_next(r) % c->na];

	memset(k, 0, sizeof(*k));
	k->family = s->family;
	memcpy(k->src, s->a, 16);
	if (d->family == s->family)
		memcpy(k->dst, d->a, 16);
	k->proto = protos[fuzz_rng_next(r) % sizeof(protos)];
	k->sport = (uint16_t)fuzz_rng_next(r);
	k->dport = c->np ? c->ports[fuzz_rng_next(r) % c->np] :
	    (uint16_t)fuzz_rng_next(r);
	k->in_zone = k->out_zone = -1;
	if (fuzz_rng_next(r) % 2 && p->nzones > 0) {
		k->in_zone = (int16_t)(fuzz_rng_next(r) % p->nzones);
		k->out_zone = (int16_t)(fuzz_rng_next(r) % p->nzones);
	}
	/* a pinned host's MAC, or another */
	if (fuzz_rng_next(r) % 2) {
		k->has_mac = 1;
		for (size_t i = 0; i < p->nhosts; i++)
			if (p->hosts[i].has_mac && fuzz_rng_next(r) % 2) {
				memcpy(k->src_mac, p->hosts[i].mac, 6);
				break;
			}
	}
}

static void
classifier(const struct policy *p, const uint8_t *data, size_t size)
{
	struct classify_pkt k[PACKETS];
	struct classify_verdict v[PACKETS], ref;
	struct classify *c;
	struct corners cs;
	struct fuzz_rng r;
	char err[256], why[512];

	if ((c = classify_build(p, FUZZ_NOW, err, sizeof(err))) == NULL)
		fuzz_fail("a clean policy does not compile: %s", err);
	corners_of(p, &cs);
	if (cs.na == 0) {
		classify_free(c);
		return;
	}
	fuzz_rng_seed(&r, data, size);
	for (size_t i = 0; i < PACKETS; i++)
		packet(p, &cs, &r, &k[i]);
	classify_batch(c, k, v, PACKETS);
	for (size_t i = 0; i < PACKETS; i++) {
		struct classify_verdict one;
		classify_reference(p, FUZZ_NOW, &k[i], &ref);
		classify_one(c, &k[i], &one);
		if (v[i].flow != ref.flow || v[i].reason != ref.reason ||
		    v[i].in_zone != ref.in_zone ||
		    v[i].out_zone != ref.out_zone)
			fuzz_fail("packet %zu: classify says flow %d reason %u "
			    "zones %d/%d, the reference flow %d reason %u "
			    "zones %d/%d", i, v[i].flow, v[i].reason,
			    v[i].in_zone, v[i].out_zone, ref.flow, ref.reason,
			    ref.in_zone, ref.out_zone);
		if (one.flow != v[i].flow || one.reason != v[i].reason ||
		    one.in_zone != v[i].in_zone ||
		    one.out_zone != v[i].out_zone)
			fuzz_fail("packet %zu: classify_one and classify_batch "
			    "differ", i);
		classify_explain(c, &k[i], &v[i], why, sizeof(why));
	}
	classify_free(c);
}

static void
ruleset(const struct policy *p, bool compat)
{
	struct nftgen_opts o = { .now = FUZZ_NOW, .queue_compat = compat };
	const char *iso[] = { p->nzones && p->zones[0].nifaces ?
	    p->zones[0].ifaces[0] : "eth9" };
	struct nft_batch b;
	struct nft_ir *ir;
	struct canon cn;
	char err[512], *text;

	if (compat) {
		o.isolated = iso;
		o.nisolated = 1;
	}
	if ((ir = nftgen_build(p, &o, err, sizeof(err))) == NULL) {
		/* the one refusal a clean policy may meet */
		if (strstr(err, "out of memory") != NULL)
			return;
		fuzz_fail("a clean policy does not build: %s", err);
	}
	if ((text = nftgen_text(ir)) == NULL)
		fuzz_fail("nftgen_text failed");
	free(text);
	if (nftemit_batch(ir, 1000, true, &b, err, sizeof(err)) < 0)
		fuzz_fail("a clean policy does not emit: %s", err);
	canon_init(&cn);
	if (canon_batch(&cn, &b) < 0)
		fuzz_fail("the batch does not read back");
	canon_sort(&cn);
	if (canon_diff(&cn, &cn, NULL, NULL) != 0)
		fuzz_fail("a ruleset differs from itself");
	for (size_t i = 0; i < b.nmsgs; i++) {
		char what[256];
		nftemit_describe(&b, ir, &b.msgs[i], 0, what, sizeof(what));
	}
	canon_free(&cn);
	nftemit_free(&b);
	nftgen_free(ir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *p = NULL;
	struct diag d;
	char *text, *json;

	if (size > MAX_INPUT)
		return 0;
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	diag_init(&d);
	if (conf_load_string(text, NAME, &p, &d) < 0 && !d.oom)
		fuzz_fail("conf_load_string failed without running out of "
		    "memory");
	if (p != NULL) {
		lint_run(p, &d, FUZZ_NOW);
		if (d.nerrors == 0 && !d.oom) {
			classifier(p, data, size);
			/* the xtables queue and an isolated interface on
			 * every other input (one batch is 1 MiB to build) */
			ruleset(p, size % 2 == 1);
		}
	}
	diag_sort(&d);
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].line < 0)
			fuzz_fail("a finding on line %d", d.v[i].line);
	json = diag_json(&d);
	free(json);
	diag_free(&d);
	policy_free(p);
	free(text);
	return 0;
}
