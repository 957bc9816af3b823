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
