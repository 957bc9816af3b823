/*
 * clock — the system clock's synchronisation, from adjtimex(2) (see
 * clock.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>

#include "clock.h"
#include "event.h"
#include "log.h"

struct clock_watch {
	struct event *timer;
	bool known, synced;
	struct clock_state last;
};

void
clock_decide(int ret, int status, long esterror, long maxerror,
    struct clock_state *out)
{
	out->esterror_us = esterror;
	out->maxerror_us = maxerror;
	out->synced = false;
	if (ret < 0)
		out->why = "adjtimex failed";
	else if (status & STA_UNSYNC)
		out->why = "the kernel's unsynchronised flag is set (no time "
		    "service disciplines the clock)";
	else if (ret == TIME_ERROR)
		out->why = "the kernel reports a clock error (TIME_ERROR)";
	else if (status & STA_CLOCKERR)
		out->why = "the clock hardware reports a fault";
	else if (maxerror >= 16000000L)
		out->why = "the maximum error has reached 16 s";
	else if (esterror > CLOCK_MAX_ESTERROR_US)
		out->why = "the estimated error is over one second";
	else {
		out->synced = true;
		out->why = "";
	}
}

/* The kernel's values, or in test builds those of the file named by
 * ZONED_TEST_CLOCK ("ret status esterror maxerror"). */
static void
read_clock(struct clock_state *st)
{
	struct timex tx;
	int ret;

#ifdef ZONED_TESTING
	{
		const char *f = getenv("ZONED_TEST_CLOCK");
		FILE *fp = f ? fopen(f, "r") : NULL;
		long v[4];
		if (fp != NULL) {
			int n = fscanf(fp, "%ld %ld %ld %ld", &v[0], &v[1],
			    &v[2], &v[3]);
			fclose(fp);
			if (n == 4) {
				clock_decide((int)v[0], (int)v[1], v[2], v[3],
				    st);
				return;
			}
		}
	}
#endif
	memset(&tx, 0, sizeof(tx));	/* modes 0: read only */
	ret = adjtimex(&tx);
	clock_decide(ret, tx.status, tx.esterror, tx.maxerror, st);
}

static void
check(struct clock_watch *w)
{
	struct clock_state st;

	read_clock(&st);
	if (!w->known || st.synced != w->synced) {
		if (st.synced)
			log_event(w->known ? LOG_NOTICE : LOG_INFO,
			    "clock-synchronised", "esterror_us=%ld "
			    "maxerror_us=%ld", st.esterror_us, st.maxerror_us);
		else
			log_event(LOG_WARNING, "clock-unsynchronised", "why=%s "
			    "esterror_us=%ld maxerror_us=%ld effect=%s",
			    lq(st.why), st.esterror_us, st.maxerror_us,
			    lq("timestamps of evidence, alerts and the journal "
			    "may be wrong"));
	}
	w->known = true;
	w->synced = st.synced;
	w->last = st;
}

static void
on_timer(int fd, uint32_t what, void *arg)
{
	(void)fd;
	(void)what;
	check(arg);
}

struct clock_watch *
clock_open(void)
{
	struct clock_watch *w = calloc(1, sizeof(*w));
	uint64_t every = CLOCK_CHECK_MS;

	if (w == NULL)
		return NULL;
#ifdef ZONED_TESTING
	if (getenv("ZONED_TEST_CLOCK_MS"))
		every = strtoull(getenv("ZONED_TEST_CLOCK_MS"), NULL, 10);
#endif
	if ((w->timer = event_timer(CLOCK_MONOTONIC, on_timer, w)) == NULL ||
	    event_timer_arm(w->timer, every, every) < 0) {
		clock_close(w);
		return NULL;
	}
	check(w);
	return w;
}

void
clock_close(struct clock_watch *w)
{
	if (w == NULL)
		return;
	event_del(w->timer);
	free(w);
}

json_t *
clock_json(struct clock_watch *w)
{
	struct clock_state st;

	(void)w;
	read_clock(&st);
	return json_pack("{s:b, s:I, s:I, s:s}", "synchronised", st.synced,
	    "estimated_error_us", (json_int_t)st.esterror_us,
	    "maximum_error_us", (json_int_t)st.maxerror_us, "why", st.why);
}
