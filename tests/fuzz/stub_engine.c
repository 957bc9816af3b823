/*
 * stub_engine — the engine (daemon/zoned/engine.c) as the control fuzz
 * target needs it: everything of it that command.c calls, answered
 * without the kernel.  The engine is where the commands touch nf_tables
 * (counters, the table read back, a reload's transaction); the rest of
 * command.c — reading and checking the request, the caller's right, every
 * handler and its answer — runs as in the daemon.
 *
 * A reload here loads nothing: it fails or succeeds in turn (with lint
 * findings and kernel errors to answer with), and counts itself, so that
 * the target can tell whether a request reached it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"
#include "engine.h"
#include "stub_engine.h"

unsigned long stub_engine_reloads;

void
load_result_init(struct load_result *r)
{
	memset(r, 0, sizeof(*r));
	diag_init(&r->diag);
}

void
load_result_free(struct load_result *r)
{
	diag_free(&r->diag);
	apply_errors_free(&r->kerr);
}

int
engine_reload(struct zoned *z, const struct engine_req *req,
    struct load_result *r)
{
	const char *file = req->file ? req->file : z->conf;

	stub_engine_reloads++;
	diag_add(&r->diag, file, 3, DIAG_WARNING, "ZL014", "flow \"x\"",
	    "flow \"x\" expired at %s", "2026-01-01T00:00:00+09:00");
	switch (stub_engine_reloads % 3) {
	case 0:
		r->code = CTL_OK;
		return 0;
	case 1:
		diag_add(&r->diag, file, 7, DIAG_ERROR, "ZL001", "flow \"y\"",
		    "flow \"y\" joins My Number and the Internet");
		r->diag.nerrors = 1;
		snprintf(r->err, sizeof(r->err), "%s breaks 1 rule", file);
		r->code = CTL_FAILED;
		return -1;
	default:
		r->kerr.v = calloc(1, sizeof(*r->kerr.v));
		if (r->kerr.v != NULL) {
			r->kerr.n = r->kerr.cap = 1;
			r->kerr.v[0].error = 22;
			r->kerr.v[0].line = 12;
			snprintf(r->kerr.v[0].what, sizeof(r->kerr.v[0].what),
			    "set flows.lgwan.internet.0 element 1");
		}
		snprintf(r->err, sizeof(r->err), "the kernel refused the "
		    "ruleset (1 error)");
		r->code = CTL_FAILED;
		return -1;
	}
}

/* ha-state: the standby set is the kernel's; the state itself is ha.c's,
 * which runs as in the daemon. */
int
engine_ha(struct zoned *z, char *err, size_t errlen)
{
	(void)z;
	(void)err;
	(void)errlen;
	return 0;
}

int
engine_verify(struct zoned *z, struct canon *diffs, bool timer)
{
	(void)timer;
	z->verified = true;
	z->kernel_match = true;
	if (diffs != NULL) {
		char *line = strdup("+ rule inet zoned forward accept");
		char **v = realloc(diffs->v, (diffs->n + 1) * sizeof(*v));
		if (line == NULL || v == NULL) {
			free(line);
			if (v != NULL)
				diffs->v = v;
			return -1;
		}
		diffs->v = v;
		diffs->cap = diffs->n + 1;
		diffs->v[diffs->n++] = line;
		z->kernel_match = false;
		return 1;
	}
	return 0;
}

int
engine_counters(struct zoned *z, struct counters *out, char *err,
    size_t errlen)
{
	(void)err;
	(void)errlen;
	counters_init(out);
	/* a counter for every flow and zone pair, as the table has them */
	for (size_t i = 0; z->pol != NULL && i < z->pol->nflows; i++) {
		char name[128];
		snprintf(name, sizeof(name), "flow.%s", z->pol->flows[i].name);
		counters_add_cb(name, i + 1, 100 * (i + 1), out);
	}
	for (size_t i = 0; z->pol != NULL && i < z->pol->nzones; i++)
		for (size_t j = 0; j < z->pol->nzones; j++) {
			char name[128];
			snprintf(name, sizeof(name), "deny.%s.%s",
			    z->pol->zones[i].name, z->pol->zones[j].name);
			counters_add_cb(name, i + j, 60 * (i + j), out);
		}
	counters_sort(out);
	return 0;
}

int
engine_confirm(struct zoned *z, long uid, char *err, size_t errlen)
{
	(void)z;
	(void)uid;
	stub_engine_reloads++;
	snprintf(err, errlen, "no policy awaits confirmation");
	return CTL_FAILED;
}

int
engine_rollback(struct zoned *z, long uid, const char *why,
    struct load_result *r)
{
	(void)z;
	(void)uid;
	(void)why;
	stub_engine_reloads++;
	snprintf(r->err, sizeof(r->err), "no policy awaits confirmation");
	r->code = CTL_FAILED;
	return -1;
}
