/*
 * verdict — the daemon's side of enforce.mode = "dual": NFQUEUE verdicts.
 */
#ifndef ZONED_VERDICT_H
#define ZONED_VERDICT_H

#include <stdbool.h>

#include <jansson.h>

struct zoned;
struct verdict;

struct verdict *verdict_open(struct zoned *z, int queue, int maxlen, char *err,
    size_t errlen);
void verdict_close(struct verdict *q);
int verdict_queue(const struct verdict *q);	/* -1 when none */
int verdict_maxlen(const struct verdict *q);	/* -1 when none */
/* Forget what is known of the interfaces (policy or links changed). */
void verdict_links(struct verdict *q);
/* Handle fd if it is the queue's; false otherwise. */
bool verdict_event(struct verdict *q, int fd);
/* Open the kernel's queue figures while still root (see verdict.c). */
void verdict_stats_open(void);
/* native: the ruleset queues with nft's own expression (else xt). */
json_t *verdict_json(const struct verdict *q, bool native);

#endif
