/*
 * log — a few functions around syslog(3).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

static int debug;
static int facility = LOG_DAEMON;

static const struct {
	const char *name;
	int value;
} facilities[] = {
	{ "daemon", LOG_DAEMON }, { "auth", LOG_AUTH },
	{ "authpriv", LOG_AUTHPRIV }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

int
log_facility_value(const char *name)
{
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcmp(facilities[i].name, name) == 0)
			return facilities[i].value;
	return LOG_DAEMON;
}

void
log_init(int d)
{
	debug = d;
	openlog("zoned", LOG_PID | LOG_NDELAY, facility);
}

void
log_facility(const char *name)
{
	int f = log_facility_value(name);

	if (f == facility)
		return;
	facility = f;
	closelog();
	openlog("zoned", LOG_PID | LOG_NDELAY, facility);
}

static void vlog_to(int, const char *, const char *, va_list, int, bool)
    __attribute__((format(printf, 3, 0)));
static void vlog(int, const char *, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
vlog_to(int prio, const char *prefix, const char *fmt, va_list ap,
    int errnum, bool stderr_too)
{
	char msg[4096];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum != 0) {
		size_t n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(errnum));
	}
	syslog(prio, "%s%s", prefix, msg);
	if (debug || stderr_too) {
		char when[32];
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		fprintf(stderr, "%s zoned: %s%s\n", when, prefix, msg);
	}
}

static void
vlog(int prio, const char *prefix, const char *fmt, va_list ap)
{
	vlog_to(prio, prefix, fmt, ap, 0, false);
}

void
log_event(int prio, const char *event, const char *fmt, ...)
{
	char prefix[96];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "event=%s%s", event,
	    fmt[0] ? " " : "");
	va_start(ap, fmt);
	vlog(prio, prefix, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, "", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_to(LOG_WARNING, "", fmt, ap, e, false);
	va_end(ap);
	errno = e;
}

void
fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_to(LOG_CRIT, "", fmt, ap, e, true);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_to(LOG_CRIT, "", fmt, ap, 0, true);
	va_end(ap);
	exit(1);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, "", fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!debug)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, "", fmt, ap);
	va_end(ap);
}

const char *
lq(const char *s)
{
	static char ring[8][512];
	static int slot;
	char *b = ring[slot++ % 8];
	size_t o = 0;

	if (s == NULL)
		return "-";
	if (s[0] != '\0' && strpbrk(s, " \t\"=\\") == NULL)
		return s;
	b[o++] = '"';
	for (; *s && o + 3 < sizeof(ring[0]); s++) {
		if (*s == '"' || *s == '\\')
			b[o++] = '\\';
		b[o++] = *s == '\n' ? ' ' : *s;
	}
	b[o++] = '"';
	b[o] = '\0';
	return b;
}
