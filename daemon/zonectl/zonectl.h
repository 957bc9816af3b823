/*
 * zonectl — the control tool of zoned.
 */
#ifndef ZONECTL_H
#define ZONECTL_H

#include <stdbool.h>

#define ZONECTL_DEFAULT_CONF "/etc/zoned/zoned.conf"

/* Exit codes: 0 ok / permitted / no finding, 1 the answer is "no" (errors,
 * deny, drift, violations), 2 usage, I/O or no daemon. */
#define EXIT_NO 1
#define EXIT_TROUBLE 2

struct ctl {
	const char *sock;	/* -s, NULL: from the policy or the default */
	bool json;
};

int ctl_lint(struct ctl *c, int argc, char **argv);
int ctl_check(struct ctl *c, int argc, char **argv);

/* Parse "--at TIME" for tests and what-if questions: RFC 3339. */
int ctl_parse_at(const char *s, long long *out);

#endif
