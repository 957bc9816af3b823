/*
 * flowuse — the daemon's per-flow usage (lib/usage.c): the kernel's flow
 * counters read every minute into the records (hits then get their times),
 * the records saved in the state directory every ten minutes when they
 * changed and at stop, and read back at start.  Registers its two timers
 * with the event loop; the engine tells it of every install.
 */
#ifndef ZONED_FLOWUSE_H
#define ZONED_FLOWUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "apply.h"
#include "counters.h"
#include "nftgen.h"
#include "policy.h"
#include "usage.h"

#define FLOWUSE_FILE "flow-usage.jsonl"
#define FLOWUSE_SAMPLE_MS (60 * 1000)
#define FLOWUSE_SAVE_MS (10 * 60 * 1000)

struct flowuse;

/* Read STATE_DIR/flow-usage.jsonl (a missing file is an empty one) and arm
 * the timers; nl reads the counters.  NULL with err when out of memory or
 * the timers cannot be had. */
struct flowuse *flowuse_open(const char *state_dir, struct apply *nl,
    char *err, size_t errlen);
/* Read the counters a last time, save, stop.  NULL is fine. */
void flowuse_close(struct flowuse *fu);

/* The counters kc (sorted, just read) into the records. */
void flowuse_observe(struct flowuse *fu, const struct counters *kc);
/* p is installed with table ir; reset: every counter was made anew. */
void flowuse_installed(struct flowuse *fu, const struct policy *p,
    const struct nft_ir *ir, bool reset);
/* Read the flows' counters now; -1 with err. */
int flowuse_sample(struct flowuse *fu, char *err, size_t errlen);
/* Save now; -1 with err. */
int flowuse_save(struct flowuse *fu, char *err, size_t errlen);

const struct usage *flowuse_usage(const struct flowuse *fu);

/*
 * The flows of p with their usage, as zonectl flows shows them (kc: the
 * counters just read, for a flow without a record; fu may be NULL): an
 * object a flow, or with rows {"columns": [...], "rows": [[...], ...]},
 * cheaper to make and to read at 100,000 flows.  days >= 0: only the flows
 * whose record has no hit for days days (the self-inspection list).  NULL
 * when out of memory.
 */
json_t *flowuse_json(const struct flowuse *fu, const struct policy *p,
    const struct counters *kc, long days, bool rows, time_t now);

#endif
