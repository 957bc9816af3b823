/*
 * restart — which changes of the policy a reload cannot make, and must be
 * refused with "restart required": the control socket and its group (set
 * up before privileges drop), the set of zone interfaces, and the
 * monitor's settings (they size its tables and files when it starts).
 */
#ifndef ZONED_RESTART_H
#define ZONED_RESTART_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

/* What the daemon started with. */
struct restart_fixed {
	const char *socket;	/* NULL: given by -s, the policy's is moot */
	const char *group;
};

/* Does going from running (NULL: none yet) to next need a restart?  why
 * says what changes, "KEY changes from A to B". */
bool restart_needed(const struct restart_fixed *fixed,
    const struct policy *running, const struct policy *next, char *why,
    size_t len);

#endif
