/*
 * txn — the incremental or the whole transaction (see txn.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "txn.h"

#define SEQ_RESERVE (1u << 24)	/* sequence numbers a batch may use */

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
full(struct txn *t, const char *why)
{
	if (!t->full)
		snprintf(t->why, sizeof(t->why), "%s", why);
	t->full = true;
}

/* Does the kernel's table hold exactly expect?  1 yes, 0 no (t->why says
 * how), -1 when it cannot be read. */
static int
table_is(struct txn *t, struct apply *nl, const struct canon *expect)
{
	struct canon got;
	char err[256];
	size_t n;
	int rc;

	canon_init(&got);
	if ((rc = apply_dump(nl, &got, err, sizeof(err))) != 0) {
		canon_free(&got);
		if (rc < 0) {
			snprintf(t->why, sizeof(t->why), "the table cannot be "
			    "read: %s", err);
			return -1;
		}
		snprintf(t->why, sizeof(t->why), "the table is missing");
		return 0;
	}
	canon_sort(&got);
	n = canon_diff(expect, &got, NULL, NULL);
	canon_free(&got);
	if (n > 0)
		snprintf(t->why, sizeof(t->why), "the kernel's table differs "
		    "from what zoned installed (%zu difference%s)", n,
		    n == 1 ? "" : "s");
	return n == 0;
}

/*
 * The whole table, its base chains kept (nftemit_replace): a deleted base
 * chain unregisters its hook, and the kernel then drops every packet
 * waiting in a queue of the namespace.  The table is read for the names of
 * what it holds; one that is not there, or cannot be read, is replaced by
 * deleting it (a read that fails is said in t->why).  The generation g was
 * read before: a table that changed since makes the kernel refuse the
 * batch, and the caller plans again.
 */
static int
replace(struct txn *t, struct apply *nl, const struct nft_ir *new,
    uint32_t seq, uint32_t g, char *err, size_t errlen)
{
	struct nft_present present;
	char perr[200];
	int rc;

	if ((rc = apply_present(nl, &present, perr, sizeof(perr))) < 0) {
		size_t n = strlen(t->why);
		snprintf(t->why + n, sizeof(t->why) - n, "%s(its old table "
		    "deleted: %s)", n ? " " : "", perr);
	}
	if (rc != 0)
		return nftemit_batch_gen(new, seq, g, true, &t->b, err, errlen);
	rc = nftemit_replace_gen(new, &present, seq, g, &t->b, err, errlen);
	nft_present_free(&present);
	return rc;
}

int
txn_plan(struct txn *t, struct apply *nl, const struct nft_ir *old,
    const struct canon *expect, bool drift, bool whole, struct txn_kernel *k,
    const struct nft_ir *new, char *err, size_t errlen)
{
	uint32_t g = 0, g2 = 0, seq = apply_next_seq(nl, SEQ_RESERVE);
	struct timespec t0;
	char gerr[256];

	memset(t, 0, sizeof(*t));
	if (apply_genid(nl, &g, gerr, sizeof(gerr)) < 0)
		g = 0;		/* no check: the batch is still atomic */
	if (whole)
		full(t, "asked for");
	else if (old == NULL)
		full(t, "no table installed yet");
	else if (drift)
		full(t, "the last verify found the table changed");
	else if (g == 0)
		full(t, "the ruleset generation cannot be read");
	else if (!k->known || k->genid != g) {
		/* someone committed since: is our table still ours? */
		int same;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		same = table_is(t, nl, expect);
		t->check_ms = ms_since(&t0);
		if (same == 1 && (apply_genid(nl, &g2, gerr,
		    sizeof(gerr)) < 0 || g2 != g))
			full(t, "the ruleset changed while it was read");
		else if (same == 1) {
			k->genid = g;
			k->known = true;
			t->why[0] = '\0';
		} else
			t->full = true;	/* why: table_is said */
	}
	if (!t->full) {
		if (nftdiff_compute(old, new, &t->d, err, errlen) < 0)
			return -1;
		if (t->d.full)
			full(t, t->d.why);
		else if (nftdiff_empty(&t->d)) {
			t->empty = true;
			return 0;
		}
	}
	t->genid = g;
	if (t->full)
		return replace(t, nl, new, seq, g, err, errlen);
	return nftdiff_batch(&t->d, old, new, seq, g, &t->b, err, errlen);
}

int
txn_commit(struct txn *t, struct apply *nl, const struct nft_ir *new,
    struct txn_kernel *k, struct apply_errors *kerr, char *err,
    size_t errlen)
{
	struct timespec t0;
	int rc;

	memset(kerr, 0, sizeof(*kerr));
	if (t->empty)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = apply_batch(nl, &t->b, new, kerr, err, errlen);
	t->apply_ms = ms_since(&t0);
	if (rc < 0) {
		/* the kernel kept what it had; a generation that moved is
		 * known again only by reading the table */
		t->restart = kerr->refused == ERESTART;
		return -1;
	}
	/* our commit moved the generation by one (0 is skipped) */
	k->known = t->genid != 0;
	k->genid = t->genid + 1 ? t->genid + 1 : 1;
	return 0;
}

int
txn_expect(struct txn *t, const struct nft_ir *new, struct canon *expect)
{
	struct nft_batch whole;
	char err[128];
	int rc;

	if (t->empty)
		return 0;
	if (!t->full && canon_apply(expect, &t->b) == 0)
		return 0;
	/* the whole table: its batch (built here when the model failed) */
	canon_free(expect);
	if (t->full)
		rc = canon_batch(expect, &t->b);
	else if ((rc = nftemit_batch(new, 1, true, &whole, err,
	    sizeof(err))) == 0) {
		rc = canon_batch(expect, &whole);
		nftemit_free(&whole);
	}
	canon_sort(expect);
	return rc;
}

void
txn_free(struct txn *t)
{
	nftdiff_free(&t->d);
	nftemit_free(&t->b);
}
