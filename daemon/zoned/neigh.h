/*
 * neigh — permanent neighbour entries of pinned My Number hosts, and the
 * daemon's watch on links: a link that appears gets its entries, and the
 * daemon's on_links callback runs (the monitor attaches, the verdict
 * forgets interface indexes).  It also watches routes and neighbours and
 * says when a pinned address is not on the appliance's own segment
 * (onlink.c), where a MAC pin proves nothing.
 */
#ifndef ZONED_NEIGH_H
#define ZONED_NEIGH_H

#include <stddef.h>

#include <jansson.h>

#include "policy.h"

struct neigh;

struct neigh *neigh_open(void (*on_links)(void *arg), void *arg, char *err,
    size_t errlen);
void neigh_close(struct neigh *n);
/* Pin the hosts of p (NULL: none) and remove entries no longer wanted; p
 * must live until the next call. */
void neigh_sync(struct neigh *n, const struct policy *p);
/* The pins and those not on the appliance's segment, for `zonectl status`:
 * {"pinned", "off_link", "problems": [{"host", "address", "mac",
 * "reason", "detail"}]}; null without the module. */
json_t *neigh_json(const struct neigh *n);

#endif
