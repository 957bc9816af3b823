/*
 * engine — what the daemon enforces: load a policy, judge it, turn it into
 * the kernel's table in one transaction, hand it to every module that
 * judges by it, keep the last good one, fail closed, and find drift.
 *
 * One reload path: engine_reload() serves start-up, SIGHUP, `zonectl
 * reload`, a flow's expiry and the repair of a table that went missing,
 * and decides in one place what follows a successful install.
 */
#ifndef ZONED_ENGINE_H
#define ZONED_ENGINE_H

#include <stdbool.h>

#include "apply.h"
#include "diag.h"
#include "zoned.h"

/* What to load. */
enum engine_source {
	ENGINE_FILE,		/* the policy file (z->conf, or req.file) */
	ENGINE_RUNNING,		/* the running policy again (expiry, repair) */
	ENGINE_DENY_ALL,	/* nothing: a table denying every crossing */
};

struct engine_req {
	enum engine_source source;
	const char *file;	/* ENGINE_FILE: NULL means z->conf */
	long uid;		/* the caller, -1 for the daemon itself */
	const char *why;	/* "sighup", "control", "flow-expired" ... */
	bool startup;		/* no restart check; a fallback is last-good */
	bool full;		/* replace the table whole, even when only a
				 * few elements change */
};

/* The result of a load. */
struct load_result {
	struct diag diag;		/* lint findings */
	struct apply_errors kerr;	/* kernel errors, mapped to lines */
	char err[512];			/* anything else */
	int code;			/* CTL_OK, CTL_FAILED, CTL_RESTART ... */
};

void load_result_init(struct load_result *r);
void load_result_free(struct load_result *r);

/* Open the engine's timers; -1 when the event loop refuses them. */
int engine_init(struct zoned *z);
/* Load, apply and install; on any failure nothing running changes. */
int engine_reload(struct zoned *z, const struct engine_req *req,
    struct load_result *r);
/* The same for the daemon's own reasons (SIGHUP, expiry, repair), whose
 * outcome is in the log alone. */
int engine_run(struct zoned *z, enum engine_source source, const char *why);
/* At start: the policy, else the last good one, else deny every crossing. */
int engine_start(struct zoned *z);
/* Does the kernel have the nft_queue expression?  Sets z->queue_native. */
void engine_probe_queue(struct zoned *z);
/* Compare the kernel's table with what was applied: the number of
 * differences (into diffs when given), -1 when it cannot be read.  A
 * missing table is applied again at once.  timer: once the table was read
 * since the last install, an unchanged ruleset generation stands for
 * reading it again. */
int engine_verify(struct zoned *z, struct canon *diffs, bool timer);
/* One node of a pair: make the forward chain's standby set say what the
 * HA state says (hold every zone interface unless the master), with one
 * set update, no reload.  0, or -1 with err filled (nothing changed). */
int engine_ha(struct zoned *z, char *err, size_t errlen);
/* The table's counters plus what earlier tables had counted: a flow's
 * from its usage record (flowuse.c), the others' with z->base. */
int engine_counters(struct zoned *z, struct counters *out, char *err,
    size_t errlen);
/* Close what the engine holds (the modules are closed before). */
void engine_free(struct zoned *z);

#endif
