/*
 * flowuse — per-flow usage in the daemon (see flowuse.h).
 *
 * The records follow the installed policy (usage_sync); a reading adds to
 * each record what its counter counted since the last one, so the table
 * may be replaced between readings (the engine reads just before) and
 * zoned may stop and start (the kernel keeps counting meanwhile; the first
 * reading after the start finds it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "flowuse.h"
#include "log.h"
#include "timefmt.h"

struct flowuse {
	struct apply *nl;
	char *path;
	struct usage u;
	struct event *sample_timer, *save_timer;
	bool dirty;		/* changed since saved */
};

const struct usage *
flowuse_usage(const struct flowuse *fu)
{
	return &fu->u;
}

void
flowuse_observe(struct flowuse *fu, const struct counters *kc)
{
	if (fu == NULL)
		return;
	usage_observe(&fu->u, kc, time(NULL));
	fu->dirty = true;
}

void
flowuse_installed(struct flowuse *fu, const struct policy *p,
    const struct nft_ir *ir, bool reset)
{
	if (fu == NULL)
		return;
	if (usage_sync(&fu->u, p, ir, time(NULL), reset) < 0)
		log_warnx("out of memory: flow usage not updated for the new "
		    "policy");
	fu->dirty = true;
}

int
flowuse_sample(struct flowuse *fu, char *err, size_t errlen)
{
	const char **names = malloc((fu->u.n + 1) * sizeof(*names));
	struct counters kc;
	size_t n = 0;
	int rc = -1;

	counters_init(&kc);
	if (names == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < fu->u.n; i++)
		if (asprintf((char **)&names[n], "flow.%s", fu->u.v[i].name) >=
		    0)
			n++;
	if (apply_counters(fu->nl, names, n, counters_add_cb, &kc, err,
	    errlen) == 0) {
		counters_sort(&kc);
		flowuse_observe(fu, &kc);
		rc = 0;
	}
	for (size_t i = 0; i < n; i++)
		free((char *)names[i]);
	free(names);
	counters_free(&kc);
	return rc;
}

int
flowuse_save(struct flowuse *fu, char *err, size_t errlen)
{
	if (usage_save(&fu->u, fu->path, time(NULL), err, errlen) < 0)
		return -1;
	fu->dirty = false;
	return 0;
}

static void
on_sample(int fd, uint32_t what, void *arg)
{
	struct flowuse *fu = arg;
	char err[256];

	(void)fd;
	(void)what;
	if (fu->u.n > 0 && flowuse_sample(fu, err, sizeof(err)) < 0)
		log_warnx("flow usage: %s", err);
}

static void
on_save(int fd, uint32_t what, void *arg)
{
	struct flowuse *fu = arg;
	char err[512];

	(void)fd;
	(void)what;
	if (fu->dirty && flowuse_save(fu, err, sizeof(err)) < 0)
		log_warnx("flow usage not saved: %s", err);
}

/* Test builds: ZONED_FLOWUSE_MS reads and saves that often. */
static void
intervals(uint64_t *sample, uint64_t *save)
{
	*sample = FLOWUSE_SAMPLE_MS;
	*save = FLOWUSE_SAVE_MS;
#ifdef ZONED_TESTING
	const char *s = getenv("ZONED_FLOWUSE_MS");
	if (s != NULL && atoi(s) > 0)
		*sample = *save = (uint64_t)atoi(s);
#endif
}

struct flowuse *
flowuse_open(const char *state_dir, struct apply *nl, char *err,
    size_t errlen)
{
	struct flowuse *fu = calloc(1, sizeof(*fu));
	uint64_t sample, save;
	size_t bad = 0;
	int rc;

	if (fu == NULL || asprintf(&fu->path, "%s/%s", state_dir,
	    FLOWUSE_FILE) < 0) {
		free(fu);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	fu->nl = nl;
	usage_init(&fu->u);
	if ((rc = usage_load(&fu->u, fu->path, &bad, err, errlen)) < 0)
		log_warnx("flow usage starts empty: %s", err);
	else if (rc == 0)
		log_event(LOG_INFO, "flow-usage-restored", "file=%s flows=%zu "
		    "bad_lines=%zu", lq(fu->path), fu->u.n, bad);
	intervals(&sample, &save);
	if ((fu->sample_timer = event_timer(CLOCK_MONOTONIC, on_sample,
	    fu)) == NULL || (fu->save_timer = event_timer(CLOCK_MONOTONIC,
	    on_save, fu)) == NULL || event_timer_arm(fu->sample_timer, sample,
	    sample) < 0 || event_timer_arm(fu->save_timer, save, save) < 0) {
		snprintf(err, errlen, "flow usage timers");
		event_del(fu->sample_timer);
		event_del(fu->save_timer);
		usage_free(&fu->u);
		free(fu->path);
		free(fu);
		return NULL;
	}
	return fu;
}

void
flowuse_close(struct flowuse *fu)
{
	char err[512];

	if (fu == NULL)
		return;
	event_del(fu->sample_timer);
	event_del(fu->save_timer);
	if (fu->u.n > 0 && flowuse_sample(fu, err, sizeof(err)) < 0)
		log_warnx("flow usage: the last reading failed: %s", err);
	if (flowuse_save(fu, err, sizeof(err)) < 0)
		log_warnx("flow usage not saved: %s", err);
	else
		log_event(LOG_INFO, "flow-usage-saved", "file=%s flows=%zu",
		    lq(fu->path), fu->u.n);
	usage_free(&fu->u);
	free(fu->path);
	free(fu);
}

/* ---------------------------------------------------------------------
 * What zonectl flows shows
 */

/* Times formatted once each: the hits of many flows fall on the same
 * reading, and localtime is not free 300,000 times. */
struct tcache {
	time_t t[64];
	char s[64][TIMEFMT_LEN];
};

static json_t *
jtime(struct tcache *tc, time_t t)
{
	size_t k = (size_t)t % 64;

	if (t == 0)
		return json_null();
	if (tc->t[k] != t) {
		timefmt_local(t, tc->s[k], sizeof(tc->s[k]));
		tc->t[k] = t;
	}
	return json_string(tc->s[k]);
}

/* "rdp,rdp-udp" */
static json_t *
services_str(const struct policy *p, const struct flow *f)
{
	char buf[512];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < f->nservices && o < sizeof(buf); k++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    k ? "," : "", p->services[f->services[k]].name);
	return json_string(buf);
}

static json_t *
services_arr(const struct policy *p, const struct flow *f)
{
	json_t *a = json_array();

	for (size_t k = 0; k < f->nservices; k++)
		json_array_append_new(a, json_string(
		    p->services[f->services[k]].name));
	return a;
}

static const char *const columns[] = { "name", "source", "destination",
	"services", "method", "active", "approval", "packets", "bytes",
	"first_hit", "last_hit", "watched_since", "label", "starts", "state",
	NULL };

json_t *
flowuse_json(const struct flowuse *fu, const struct policy *p,
    const struct counters *kc, long days, bool rows, time_t now)
{
	const struct usage *u = fu ? &fu->u : NULL;
	json_t *r = json_array(), *cols;
	struct tcache *tc = calloc(1, sizeof(*tc));
	/* an endpoint may name a list of hosts (policy_endpoint_name) */
	char src[1024], dst[1024], mark[16];

	if (r == NULL || tc == NULL) {
		json_decref(r);
		free(tc);
		return NULL;
	}
	for (size_t i = 0; i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];
		const struct usage_rec *rec = u ? usage_find(u, f->name) : NULL;
		const struct counter *k = rec ? NULL :
		    counters_getf(kc, "flow.%s", f->name);
		uint64_t packets = rec ? rec->packets : k ? k->packets : 0;
		uint64_t bytes = rec ? rec->bytes : k ? k->bytes : 0;
		/* a staged flow is pending before its start */
		const char *state = policy_flow_active(f, now) ? "active" :
		    policy_flow_pending(f, now) ? "pending" : "expired";
		json_t *o;

		if (days >= 0 && (rec == NULL || !usage_unused(rec, now, days)))
			continue;
		policy_endpoint_name(p, &f->from, src, sizeof(src));
		policy_endpoint_name(p, &f->to, dst, sizeof(dst));
		if (rows)	/* in the order of columns[] */
			o = json_pack("[s, s, s, o, s, b, o, I, I, o, o, o, o, o, "
			    "s]",
			    f->name, src, dst, services_str(p, f),
			    policy_method_str(f->method),
			    policy_flow_active(f, now), f->approval ?
			    json_string(f->approval) : json_null(),
			    (json_int_t)packets, (json_int_t)bytes,
			    jtime(tc, rec ? rec->first : 0),
			    jtime(tc, rec ? rec->last : 0),
			    jtime(tc, rec ? rec->since : 0),
			    f->label ? json_string(f->label) : json_null(),
			    f->has_starts ? jtime(tc, f->starts) : json_null(),
			    state);
		else {
			snprintf(mark, sizeof(mark), "0x%08x", f->mark);
			o = json_pack("{s:s, s:i, s:s, s:s, s:o, s:s, s:o, s:o, "
			    "s:b, s:b, s:s, s:I, s:I, s:o, s:o, s:o, s:s, s:s, "
			    "s:o, s:o, s:s}",
			    "name", f->name, "line", f->line,
			    "from", p->zones[policy_endpoint_zone(p,
			    &f->from)].name,
			    "to", p->zones[policy_endpoint_zone(p, &f->to)].name,
			    "services", services_arr(p, f),
			    "method", policy_method_str(f->method),
			    "approval", f->approval ? json_string(f->approval) :
			    json_null(),
			    "expires", f->has_expires ? jtime(tc, f->expires) :
			    json_null(),
			    "active", policy_flow_active(f, now), "log", f->log,
			    "mark", mark,
			    "packets", (json_int_t)packets,
			    "bytes", (json_int_t)bytes,
			    "first_hit", jtime(tc, rec ? rec->first : 0),
			    "last_hit", jtime(tc, rec ? rec->last : 0),
			    "watched_since", jtime(tc, rec ? rec->since : 0),
			    "source", src, "destination", dst,
			    "label", f->label ? json_string(f->label) :
			    json_null(),
			    "starts", f->has_starts ? jtime(tc, f->starts) :
			    json_null(),
			    "state", state);
		}
		if (o == NULL || json_array_append_new(r, o) < 0) {
			json_decref(r);
			free(tc);
			return NULL;
		}
	}
	free(tc);
	if (!rows)
		return r;
	cols = json_array();
	for (size_t i = 0; columns[i]; i++)
		json_array_append_new(cols, json_string(columns[i]));
	return json_pack("{s:o, s:o}", "columns", cols, "rows", r);
}
