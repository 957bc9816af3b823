/*
 * timefmt — RFC 3339 text of a time: local with its offset, or UTC.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "timefmt.h"

/* Seconds since the epoch, for a time without a broken-down form. */
static char *
timefmt_epoch(time_t t, bool frac, int usec, char *buf, size_t len)
{
	if (frac)
		snprintf(buf, len, "%lld.%06d", (long long)t, usec);
	else
		snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

static char *
timefmt_local_frac(time_t t, bool frac, long usec, char *buf, size_t len)
{
	struct tm tm;
	char date[32], fs[16] = "";
	long off;
	int us = (int)(usec % 1000000);

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return timefmt_epoch(t, frac, us, buf, len);
	if (frac)
		snprintf(fs, sizeof(fs), ".%06d", us);
	off = tm.tm_gmtoff;
	snprintf(buf, len, "%.31s%s%c%02d:%02d", date, fs, off < 0 ? '-' : '+',
	    (int)(labs(off) / 3600 % 100), (int)(labs(off) % 3600 / 60));
	return buf;
}

char *
timefmt_local(time_t t, char *buf, size_t len)
{
	return timefmt_local_frac(t, false, 0, buf, len);
}

char *
timefmt_local_usec(time_t t, long usec, char *buf, size_t len)
{
	return timefmt_local_frac(t, true, usec, buf, len);
}

char *
timefmt_utc(time_t t, char *buf, size_t len)
{
	struct tm tm;
	char date[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return timefmt_epoch(t, false, 0, buf, len);
	snprintf(buf, len, "%s", date);
	return buf;
}

char *
timefmt_offset(time_t t, int off, char *buf, size_t len)
{
	time_t local = t + (time_t)off * 60;
	struct tm tm;
	char date[32];
	int a = off < 0 ? -off : off;

	if (off == 0)
		return timefmt_utc(t, buf, len);
	if (gmtime_r(&local, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return timefmt_epoch(t, false, 0, buf, len);
	snprintf(buf, len, "%s%c%02d:%02d", date, off < 0 ? '-' : '+', a / 60,
	    a % 60);
	return buf;
}
