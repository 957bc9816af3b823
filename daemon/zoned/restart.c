/*
 * restart — the settings a reload may not change (see restart.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "restart.h"

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The zone interfaces of p, sorted, as one string "a b c ". */
static char *
ifaces_key(const struct policy *p)
{
	char *buf = NULL;
	size_t len = 0, n = 0, cap = 0;
	const char **v;
	FILE *fp;

	for (size_t i = 0; i < p->nzones; i++)
		cap += p->zones[i].nifaces;
	if ((v = calloc(cap + 1, sizeof(*v))) == NULL)
		return NULL;
	for (size_t i = 0; i < p->nzones; i++)
		for (size_t j = 0; j < p->zones[i].nifaces; j++)
			v[n++] = p->zones[i].ifaces[j];
	qsort(v, n, sizeof(*v), str_cmp);
	if ((fp = open_memstream(&buf, &len)) != NULL) {
		for (size_t i = 0; i < n; i++)
			fprintf(fp, "%s ", v[i]);
		fclose(fp);
	}
	free(v);
	return buf;
}

static bool
monitor_differs(const struct policy_monitor *a, const struct policy_monitor *b,
    char *why, size_t len)
{
	const char *key = NULL;
	long long x = 0, y = 0;

#define DIFF(field, name)						\
	if (key == NULL && a->field != b->field) {			\
		key = name;						\
		x = (long long)a->field;				\
		y = (long long)b->field;				\
	}
	DIFF(enabled, "monitor.enabled")
	DIFF(snaplen, "monitor.snaplen")
	DIFF(flow_table, "monitor.flow_table")
	DIFF(flood_pps, "monitor.flood")
	DIFF(scan_ports, "monitor.scan.ports")
	DIFF(scan_hosts, "monitor.scan.hosts")
	DIFF(scan_window, "monitor.scan.window")
	DIFF(evidence_max, "monitor.evidence.max_bytes")
#undef DIFF
	if (key != NULL) {
		snprintf(why, len, "%s changes from %lld to %lld (the "
		    "monitor's settings take effect at start)", key, x, y);
		return true;
	}
	if (strcmp(a->evidence_dir, b->evidence_dir) != 0) {
		snprintf(why, len, "monitor.evidence.directory changes from "
		    "%s to %s (the monitor's settings take effect at start)",
		    a->evidence_dir, b->evidence_dir);
		return true;
	}
	return false;
}

bool
restart_needed(const struct restart_fixed *fixed, const struct policy *running,
    const struct policy *next, char *why, size_t len)
{
	char *a, *b;
	bool differ;

	if (fixed->socket && strcmp(fixed->socket, next->control.socket) != 0) {
		snprintf(why, len, "control.socket changes from %s to %s",
		    fixed->socket, next->control.socket);
		return true;
	}
	if (fixed->group && strcmp(fixed->group, next->control.group) != 0) {
		snprintf(why, len, "control.group changes from %s to %s",
		    fixed->group, next->control.group);
		return true;
	}
	if (running == NULL)
		return false;
	if (monitor_differs(&running->monitor, &next->monitor, why, len))
		return true;
	a = ifaces_key(running);
	b = ifaces_key(next);
	differ = a && b && strcmp(a, b) != 0;
	if (differ)
		snprintf(why, len, "the set of zone interfaces changes "
		    "(%s-> %s)", a, b);
	free(a);
	free(b);
	return differ;
}
