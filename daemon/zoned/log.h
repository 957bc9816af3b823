/*
 * log — syslog with the policy's facility, one event a line:
 *   event=policy-loaded file=/etc/zoned/zoned.conf flows=9 ...
 * With -d also to stderr.
 */
#ifndef ZONED_LOG_H
#define ZONED_LOG_H

#include <syslog.h>

void log_init(int debug);
/* Reopen with a facility name from the policy ("local4"); unknown: daemon. */
void log_facility(const char *name);
int log_facility_value(const char *name);

/* One event: "event=NAME " followed by the formatted key=value pairs. */
void log_event(int prio, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* log_warn appends ": strerror(errno)" and leaves errno as it was. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Log at LOG_CRIT (and to stderr) and exit 1: fatal appends
 * strerror(errno), fatalx does not. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2),
    noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2),
    noreturn));

/* A value quoted for key=value when it holds spaces, quotes or '='; from a
 * ring of 8 buffers, so several may appear in one call. */
const char *lq(const char *s);

#endif
