/*
 * clock — is the system clock synchronised?  Evidence files, alerts and
 * journal entries are only as good as their timestamps.  The kernel says,
 * through adjtimex(2) (read only): its unsynchronised flag, its estimated
 * and maximum error.  The decision from those values is clock_decide(), a
 * pure function; the watch reads them on a timer and logs
 * event=clock-unsynchronised / clock-synchronised when the answer changes.
 */
#ifndef ZONED_CLOCK_H
#define ZONED_CLOCK_H

#include <stdbool.h>

#include <jansson.h>

#define CLOCK_CHECK_MS 60000	/* how often the watch asks the kernel */
/* The kernel marks a clock unsynchronised beyond 16 s of maximum error
 * (NTP_PHASE_LIMIT); an estimated error beyond this is not synchronised
 * for us either: timestamps of evidence must be good to the second. */
#define CLOCK_MAX_ESTERROR_US 1000000L

struct clock_state {
	bool synced;
	long esterror_us;	/* the kernel's estimated error */
	long maxerror_us;	/* ... and maximum error */
	const char *why;	/* when not synchronised: why, else "" */
};

/* The decision from adjtimex's return value (TIME_OK ... TIME_ERROR),
 * status flags (STA_*), estimated and maximum error in microseconds. */
void clock_decide(int ret, int status, long esterror, long maxerror,
    struct clock_state *out);

struct clock_watch;

/* Read the clock now (logging its state once when not synchronised) and
 * then every CLOCK_CHECK_MS.  NULL when the event loop refuses the timer. */
struct clock_watch *clock_open(void);
void clock_close(struct clock_watch *w);
/* Read now: {synchronised, estimated_error_us, maximum_error_us, why}. */
json_t *clock_json(struct clock_watch *w);

#endif
