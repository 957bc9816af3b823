/*
 * audit_frag — the fragment table of an audit: a non-first fragment takes
 * the verdict of the first fragment of its datagram, seen earlier and at
 * most FRAG_TIMEOUT seconds before it (audit.h, rule 4).  Open addressing
 * over FRAG_SLOTS entries, allocated at the first fragment of a crossing;
 * a full probe window gives its oldest entry to the new datagram.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit_impl.h"

#define FRAG_SLOTS	4096	/* datagrams in reassembly at once */
#define FRAG_PROBE	8	/* linear probe window */
#define FRAG_TIMEOUT	30	/* seconds: Linux ipfrag_time */

static size_t
audit_frag_slot(int family, int kproto, uint32_t id, const uint8_t src[16],
    const uint8_t dst[16])
{
	uint64_t h = audit_mix(0x2545f4914f6cdd1dULL,
	    (uint64_t)family << 40 | (uint64_t)kproto << 32 | id);

	return audit_hash_addrs(h, src, dst) & (FRAG_SLOTS - 1);
}

static int
audit_frag_match(const struct frag_ent *e, int family, int kproto,
    uint32_t id, const struct classify_pkt *k)
{
	return e->used && e->family == family && e->kproto == kproto &&
	    e->id == id && memcmp(e->src, k->src, 16) == 0 &&
	    memcmp(e->dst, k->dst, 16) == 0;
}

/* Record the verdict of a first fragment: in its own slot if the datagram
 * is there already, else in a free or expired one, else over the oldest. */
void
audit_frag_record(struct audit_ctx *x, const struct slot *s,
    enum outcome out, const struct classify_pkt *t, uint8_t l4,
    uint8_t reason)
{
	int kproto = s->k->family == ADDR_V6 ? 0 : s->k->proto;
	size_t h, best = SIZE_MAX;
	struct frag_ent *e;

	if (x->frags == NULL &&
	    (x->frags = calloc(FRAG_SLOTS, sizeof(*x->frags))) == NULL) {
		x->oom = 1;
		return;
	}
	h = audit_frag_slot(s->k->family, kproto, s->frag_id, s->k->src,
	    s->k->dst);
	for (size_t i = 0; i < FRAG_PROBE; i++) {
		size_t j = (h + i) & (FRAG_SLOTS - 1);
		e = &x->frags[j];
		if (audit_frag_match(e, s->k->family, kproto, s->frag_id,
		    s->k)) {
			best = j;
			break;
		}
		if (!e->used || e->sec + FRAG_TIMEOUT < s->ts.tv_sec) {
			if (best == SIZE_MAX || x->frags[best].used)
				best = j;
		} else if (best == SIZE_MAX || (x->frags[best].used &&
		    e->frame < x->frags[best].frame))
			best = j;
	}
	e = &x->frags[best];
	e->used = 1;
	e->family = s->k->family;
	e->kproto = (uint8_t)kproto;
	e->outcome = (uint8_t)out;
	e->id = s->frag_id;
	memcpy(e->src, s->k->src, 16);
	memcpy(e->dst, s->k->dst, 16);
	e->sec = s->ts.tv_sec;
	e->frame = s->frame;
	e->proto = t->proto;
	e->l4 = l4;
	e->reason = reason;
	e->sport = t->sport;
	e->dport = t->dport;
}

const struct frag_ent *
audit_frag_find(const struct audit_ctx *x, const struct slot *s)
{
	int kproto = s->k->family == ADDR_V6 ? 0 : s->k->proto;
	size_t h;

	if (x->frags == NULL)
		return NULL;
	h = audit_frag_slot(s->k->family, kproto, s->frag_id, s->k->src,
	    s->k->dst);
	for (size_t i = 0; i < FRAG_PROBE; i++) {
		const struct frag_ent *e = &x->frags[(h + i) & (FRAG_SLOTS - 1)];
		if (audit_frag_match(e, s->k->family, kproto, s->frag_id,
		    s->k))
			return e->sec + FRAG_TIMEOUT >= s->ts.tv_sec ? e : NULL;
	}
	return NULL;
}

