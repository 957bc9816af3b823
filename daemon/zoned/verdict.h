/*
 * verdict — the daemon's side of enforce.mode = "dual": NFQUEUE verdicts by
 * the classifier.  Registers its queue socket and its one-second tick with
 * the event loop; raises verdict-disagreement into the daemon's alert ring.
 */
#ifndef ZONED_VERDICT_H
#define ZONED_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "classify.h"
#include "policy.h"

struct alerts;
struct verdict;

/* Bind the queue.  Until verdict_policy() hands it a policy, every packet
 * is refused (failing closed).  al: the daemon's alert ring, or NULL. */
struct verdict *verdict_open(int queue, int maxlen, struct alerts *al,
    char *err, size_t errlen);
void verdict_close(struct verdict *q);
/* The policy and classifier to judge by (NULL: refuse everything); they
 * must live until the next call. */
void verdict_policy(struct verdict *q, const struct policy *p,
    const struct classify *c);
int verdict_queue(const struct verdict *q);	/* -1 when none */
int verdict_maxlen(const struct verdict *q);	/* -1 when none */
/* Forget what is known of the interfaces (links changed). */
void verdict_links(struct verdict *q);
/* Open the kernel's queue figures while still root (see verdict.c). */
void verdict_stats_open(void);
/* native: the ruleset queues with nft's own expression (else xt). */
json_t *verdict_json(const struct verdict *q, bool native);

#endif
