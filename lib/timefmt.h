/*
 * timefmt — a time as RFC 3339 text, the one form zoned prints times in:
 * local time with its offset (2026-12-03T19:07:23+09:00, the daemon's
 * answers and the audit's frame times, there with six decimals), UTC
 * (2026-12-03T10:07:23Z), or in a given offset (the start and expiry of a
 * flow in findings and explanations, in the offset the policy wrote them
 * in).  The parser of such text is conf_parse_time() (conf.h).
 *
 * Each function writes at most len bytes with the terminating NUL, cut
 * like snprintf() when len is short, and returns buf.  A time that has no
 * broken-down form (a year beyond int) prints as seconds since the epoch
 * ("9223372036854775807", with ".000123" for the _usec form).  The local
 * forms follow TZ (tzset() is the caller's business, as for
 * localtime_r()); the offset is that of the time itself (summer time
 * included), rounded towards zero to whole minutes.
 */
#ifndef ZONED_TIMEFMT_H
#define ZONED_TIMEFMT_H

#include <stddef.h>
#include <time.h>

/* Room for any of the forms below (a four-digit year). */
#define TIMEFMT_LEN 40

/* 2026-12-03T19:07:23+09:00 */
char *timefmt_local(time_t t, char *buf, size_t len);
/* 2026-11-21T10:00:01.000123+09:00: always six decimals, usec % 1000000
 * (a struct timeval's tv_usec). */
char *timefmt_local_usec(time_t t, long usec, char *buf, size_t len);
/* 2026-12-03T10:07:23Z */
char *timefmt_utc(time_t t, char *buf, size_t len);
/* 2026-12-03T19:07:23+09:00 for off = 540 minutes east of UTC; UTC with
 * a Z for 0. */
char *timefmt_offset(time_t t, int off, char *buf, size_t len);

#endif
