/*
 * nftdiff — the difference of two IRs and its one incremental transaction
 * (see nftdiff.h).  Elements are matched through a hash table of the old
 * ones by key: linear in the elements, whatever the order the policy
 * lists its flows in.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nftdiff.h"
#include "siphash.h"

static void diff_full(struct nftdiff *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
diff_full(struct nftdiff *d, const char *fmt, ...)
{
	va_list ap;

	if (d->full)
		return;
	d->full = true;
	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
}

static bool
streq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static const char *
base_name(const char *file)
{
	const char *s = strrchr(file, '/');

	return s ? s + 1 : file;
}

static int
push(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		uint32_t *nv = realloc(*v, c * sizeof(*nv));
		if (nv == NULL)
			return -1;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = x;
	return 0;
}

/* ---------------------------------------------------------------------
 * Structure
 */

static const struct nft_set *
find_set(const struct nft_ir *ir, const char *name, uint32_t *idx)
{
	for (size_t i = 0; i < ir->nsets; i++)
		if (strcmp(ir->sets[i]->name, name) == 0) {
			*idx = (uint32_t)i;
			return ir->sets[i];
		}
	return NULL;
}

static const struct nft_chain *
find_chain(const struct nft_ir *ir, const char *name)
{
	for (size_t i = 0; i < ir->nchains; i++)
		if (strcmp(ir->chains[i]->name, name) == 0)
			return ir->chains[i];
	return NULL;
}

static bool
key_same(const struct nft_key *a, const struct nft_key *b)
{
	return a->n == b->n && memcmp(a->f, b->f, a->n) == 0;
}

/* Everything a set is created with; what tells the elements apart is
 * compared in diff_elems. */
static void
check_sets(const struct nft_ir *old, const struct nft_ir *new,
    struct nftdiff *d)
{
	if (old->nsets != new->nsets)
		diff_full(d, "%zu sets instead of %zu", new->nsets, old->nsets);
	for (size_t i = 0; i < new->nsets && !d->full; i++) {
		const struct nft_set *n = new->sets[i], *o;
		uint32_t oi = 0;

		if ((o = find_set(old, n->name, &oi)) == NULL)
			diff_full(d, "set %s is new", n->name);
		else if (!key_same(&o->key, &n->key))
			diff_full(d, "set %s changes its key", n->name);
		else if (o->data != n->data)
			diff_full(d, "set %s changes its data", n->name);
		else if (o->interval != n->interval ||
		    o->runtime != n->runtime)
			diff_full(d, "set %s changes its flags (%s)", n->name,
			    n->interval ? "now an interval set" :
			    o->interval ? "now a hash set" : "runtime");
		else if (o->size != n->size)
			diff_full(d, "set %s changes its size from %zu to %zu",
			    n->name, o->size, n->size);
	}
}

static void
check_chains(const struct nft_ir *old, const struct nft_ir *new,
    struct nftdiff *d)
{
	if (old->nchains != new->nchains)
		diff_full(d, "%zu chains instead of %zu", new->nchains,
		    old->nchains);
	for (size_t i = 0; i < new->nchains && !d->full; i++) {
		const struct nft_chain *n = new->chains[i], *o;

		if ((o = find_chain(old, n->name)) == NULL)
			diff_full(d, "chain %s is new", n->name);
		else if (o->hook != n->hook)
			diff_full(d, "chain %s changes its hook", n->name);
	}
}

/* ---------------------------------------------------------------------
 * Elements: the old ones in a hash table by key, the new ones looked up
 */

static bool
key_equal(const struct nft_set *s, size_t klen, const struct nft_elem *a,
    const struct nft_elem *b)
{
	return memcmp(a->key, b->key, klen) == 0 && (!s->interval ||
	    memcmp(a->key_end, b->key_end, klen) == 0);
}

static uint64_t
key_hash(const struct nft_set *s, size_t klen, const struct nft_elem *e)
{
	static const uint64_t k[2] = { 0x7a6f6e6564ULL, 0x6e66746469666fULL };
	uint64_t h = siphash_24(k, e->key, klen);

	return s->interval ? h ^ siphash_24(k, e->key_end, klen) * 31 : h;
}

/* The same element in both: what the kernel holds of it is equal. */
static bool
elem_same(const struct nft_set *s, const struct nft_elem *a,
    const struct nft_elem *b)
{
	switch (s->data) {
	case ND_MARK:
		if (a->mark != b->mark)
			return false;
		break;
	case ND_VERDICT:
	case ND_COUNTER:
		if (!streq(a->ref, b->ref))
			return false;
		break;
	case ND_NONE:
		break;
	}
	return streq(a->comment, b->comment);
}

static int
diff_elems(const struct nft_set *o, uint32_t oi, const struct nft_set *n,
    uint32_t ni, struct nftdiff *d)
{
	size_t klen = nftgen_key_len(&n->key), nb = 16, dcap = 0, acap = 0;
	struct nftdiff_set ds = { .oset = oi, .nset = ni };
	uint32_t *slot = NULL;	/* old index + 1, 0: empty */
	bool *matched = NULL;
	int rc = -1;

	while (nb < o->nelems * 2)
		nb *= 2;
	if ((slot = calloc(nb, sizeof(*slot))) == NULL ||
	    (matched = calloc(o->nelems + 1, sizeof(*matched))) == NULL)
		goto out;
	for (size_t i = 0; i < o->nelems; i++) {
		size_t h = key_hash(o, klen, &o->elems[i]) & (nb - 1);
		for (; slot[h]; h = (h + 1) & (nb - 1))
			if (key_equal(o, klen, &o->elems[slot[h] - 1],
			    &o->elems[i]))
				goto twice;
		slot[h] = (uint32_t)i + 1;
	}
	for (size_t j = 0; j < n->nelems; j++) {
		const struct nft_elem *e = &n->elems[j];
		size_t h = key_hash(n, klen, e) & (nb - 1);
		uint32_t i = 0;

		for (; slot[h]; h = (h + 1) & (nb - 1))
			if (key_equal(n, klen, &o->elems[slot[h] - 1], e)) {
				i = slot[h];
				break;
			}
		if (i != 0 && matched[i - 1])
			goto twice;
		if (i != 0) {
			matched[i - 1] = true;
			if (elem_same(n, &o->elems[i - 1], e))
				continue;
			/* data or comment changed: out, and in again */
			if (push(&ds.del, &ds.ndel, &dcap, i - 1) < 0)
				goto out;
		}
		if (push(&ds.add, &ds.nadd, &acap, (uint32_t)j) < 0)
			goto out;
	}
	for (size_t i = 0; i < o->nelems; i++)
		if (!matched[i] && push(&ds.del, &ds.ndel, &dcap,
		    (uint32_t)i) < 0)
			goto out;
	if (ds.ndel + ds.nadd > 0) {
		if (d->nsets == d->setcap) {
			size_t cap = d->setcap ? d->setcap * 2 : 8;
			void *v = realloc(d->sets, cap * sizeof(*d->sets));
			if (v == NULL)
				goto out;
			d->sets = v;
			d->setcap = cap;
		}
		d->sets[d->nsets++] = ds;
		d->elems_del += ds.ndel;
		d->elems_add += ds.nadd;
		memset(&ds, 0, sizeof(ds));
	}
	rc = 0;
	goto out;
twice:
	diff_full(d, "set %s has two elements with one key", n->name);
	rc = 0;
out:
	free(ds.del);
	free(ds.add);
	free(slot);
	free(matched);
	return rc;
}

/* ---------------------------------------------------------------------
 * Counters and rules
 */

static uint64_t
name_hash(const char *name)
{
	static const uint64_t k[2] = { 0x636f756e746572ULL, 0x6e616d65ULL };

	return siphash_24(k, name, strlen(name));
}

/* Counters by name: one that only one side has, or whose flow changed, is
 * deleted or created (both, in one transaction, for a changed flow: its
 * counting starts again). */
static int
diff_counters(const struct nft_ir *old, const struct nft_ir *new,
    struct nftdiff *d)
{
	size_t nb = 16, dcap = 0, acap = 0;
	uint32_t *slot = NULL;
	bool *matched = NULL;
	int rc = -1;

	while (nb < old->ncounters * 2)
		nb *= 2;
	if ((slot = calloc(nb, sizeof(*slot))) == NULL ||
	    (matched = calloc(old->ncounters + 1, sizeof(*matched))) == NULL)
		goto out;
	for (size_t i = 0; i < old->ncounters; i++) {
		size_t h = name_hash(old->counters[i].name) & (nb - 1);
		while (slot[h])
			h = (h + 1) & (nb - 1);
		slot[h] = (uint32_t)i + 1;
	}
	for (size_t j = 0; j < new->ncounters; j++) {
		const struct nft_counter *c = &new->counters[j];
		size_t h = name_hash(c->name) & (nb - 1);
		uint32_t i = 0;

		for (; slot[h]; h = (h + 1) & (nb - 1))
			if (!matched[slot[h] - 1] && strcmp(old->counters[
			    slot[h] - 1].name, c->name) == 0) {
				i = slot[h];
				break;
			}
		if (i != 0) {
			matched[i - 1] = true;
			if (old->counters[i - 1].flow == c->flow)
				continue;
			if (push(&d->cdel, &d->ncdel, &dcap, i - 1) < 0)
				goto out;
		}
		if (push(&d->cadd, &d->ncadd, &acap, (uint32_t)j) < 0)
			goto out;
	}
	for (size_t i = 0; i < old->ncounters; i++)
		if (!matched[i] && push(&d->cdel, &d->ncdel, &dcap,
		    (uint32_t)i) < 0)
			goto out;
	rc = 0;
out:
	free(slot);
	free(matched);
	return rc;
}

static bool
rule_same(const struct nft_rule *a, const struct nft_rule *b)
{
	if (a->nops != b->nops || a->line != b->line)
		return false;
	for (int i = 0; i < a->nops; i++) {
		const struct nft_op *x = &a->ops[i], *y = &b->ops[i];
		if (x->kind != y->kind || x->u != y->u || !streq(x->s, y->s) ||
		    !key_same(&x->key, &y->key))
			return false;
	}
	return true;
}

static int
diff_rules(const struct nft_ir *old, const struct nft_ir *new,
    struct nftdiff *d)
{
	size_t cap = 0;

	for (size_t i = 0; i < new->nchains; i++) {
		const struct nft_chain *n = new->chains[i];
		const struct nft_chain *o = find_chain(old, n->name);
		bool same = o->nrules == n->nrules;

		for (size_t r = 0; same && r < n->nrules; r++)
			same = rule_same(&o->rules[r], &n->rules[r]);
		if (!same && push(&d->chains, &d->nchains, &cap,
		    (uint32_t)i) < 0)
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * The difference
 */

int
nftdiff_compute(const struct nft_ir *old, const struct nft_ir *new,
    struct nftdiff *d, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	/* the file's name is in every comment with a line */
	if (strcmp(base_name(old->file), base_name(new->file)) != 0)
		diff_full(d, "the policy file is now %s, was %s",
		    base_name(new->file)[0] ? base_name(new->file) : "none",
		    base_name(old->file)[0] ? base_name(old->file) : "none");
	if (old->queue_compat != new->queue_compat)
		diff_full(d, "the queue expression changes");
	check_sets(old, new, d);
	check_chains(old, new, d);
	if (d->full)
		return 0;
	for (size_t i = 0; i < new->nsets && !d->full; i++) {
		const struct nft_set *n = new->sets[i], *o;
		uint32_t oi = 0;

		o = find_set(old, n->name, &oi);
		if (n->runtime)
			continue;	/* its elements are not the policy's */
		if (diff_elems(o, oi, n, (uint32_t)i, d) < 0)
			goto oom;
	}
	if (d->full)
		return 0;
	if (diff_counters(old, new, d) < 0 || diff_rules(old, new, d) < 0)
		goto oom;
	return 0;
oom:
	nftdiff_free(d);
	snprintf(err, errlen, "out of memory comparing the rulesets");
	return -1;
}

void
nftdiff_free(struct nftdiff *d)
{
	for (size_t i = 0; i < d->nsets; i++) {
		free(d->sets[i].del);
		free(d->sets[i].add);
	}
	free(d->sets);
	free(d->cdel);
	free(d->cadd);
	free(d->chains);
	memset(d, 0, sizeof(*d));
}

bool
nftdiff_empty(const struct nftdiff *d)
{
	return !d->full && d->nsets == 0 && d->ncdel == 0 && d->ncadd == 0 &&
	    d->nchains == 0;
}

int
nftdiff_batch(const struct nftdiff *d, const struct nft_ir *old,
    const struct nft_ir *new, uint32_t seq, uint32_t genid,
    struct nft_batch *b, char *err, size_t errlen)
{
	memset(b, 0, sizeof(*b));
	b->old = old;
	if (d->full) {
		snprintf(err, errlen, "no incremental batch: %s", d->why);
		return -1;
	}
	if (nftemit_begin(b, &seq, genid) < 0)
		goto oom;
	/* first what refers to what goes: rules, then elements (a counter
	 * in use by an element of fctr cannot be deleted) */
	for (size_t i = 0; i < d->nchains; i++)
		if (nftemit_flush(b, new, d->chains[i], &seq) < 0)
			goto oom;
	for (size_t i = 0; i < d->nsets; i++)
		if (nftemit_elems(b, old, d->sets[i].oset, d->sets[i].del,
		    d->sets[i].ndel, true, &seq) < 0)
			goto oom;
	for (size_t i = 0; i < d->ncdel; i++)
		if (nftemit_counter(b, old, d->cdel[i], true, &seq) < 0)
			goto oom;
	/* then what is referred to comes before what refers to it */
	for (size_t i = 0; i < d->ncadd; i++)
		if (nftemit_counter(b, new, d->cadd[i], false, &seq) < 0)
			goto oom;
	for (size_t i = 0; i < d->nsets; i++)
		if (nftemit_elems(b, new, d->sets[i].nset, d->sets[i].add,
		    d->sets[i].nadd, false, &seq) < 0)
			goto oom;
	for (size_t i = 0; i < d->nchains; i++)
		if (nftemit_rules(b, new, d->chains[i], &seq) < 0)
			goto oom;
	if (nftemit_end(b, &seq) < 0)
		goto oom;
	return 0;
oom:
	nftemit_free(b);
	snprintf(err, errlen, "out of memory building the netlink batch");
	return -1;
}
