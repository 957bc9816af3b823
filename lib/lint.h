/*
 * lint — the three-layer compliance rules (ZL001..ZL016) on a loaded policy,
 * and ZL017 on the sync link of an active/standby pair.
 *
 * One defect, one finding: each rule owns its cases.  A flow that ZL001,
 * ZL013 or ZL016 reports is left out of the other rules, and an object with
 * a loader error (ZL011) or an address error (ZL008) — or a flow naming such
 * an object — is left out of every other rule.  A list (of hosts, of
 * addresses) is judged element by element and reported once.
 */
#ifndef ZONED_LINT_H
#define ZONED_LINT_H

#include <time.h>

#include "diag.h"
#include "policy.h"

struct lint_rule {
	const char *id;
	enum diag_severity severity;
	const char *summary;
};

/* The rules, in id order, ending with { NULL }. */
extern const struct lint_rule lint_rules[];

/*
 * Run every rule on p and add findings to d, sorted by file and line.  now
 * decides which flows have expired (tests inject it).  Marks objects with a
 * ZL008 error bad.
 */
void lint_run(struct policy *p, struct diag *d, time_t now);

/* Convenience: load + lint.  Returns -1 on I/O error (err filled), else 0;
 * *out as conf_load. */
int lint_file(const char *path, time_t now, struct policy **out,
    struct diag *d, char *err, size_t errlen);

#endif
