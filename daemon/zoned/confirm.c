/*
 * confirm — the state and the timer of commit-confirm (see confirm.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "confirm.h"
#include "event.h"
#include "journal.h"
#include "log.h"
#include "record.h"
#include "timefmt.h"

#define STATE_FILE "confirm"

struct confirm_data {
	enum confirm_state state;
	char policy[JOURNAL_HASH_LEN + 1];
	char previous[JOURNAL_HASH_LEN + 1];
	time_t since, deadline;
	unsigned seconds;
	long uid;
	char user[64];
};

struct confirm {
	char *path, *tmp;
	struct confirm_data d, saved;	/* saved: before confirm_begin */
	struct timespec due;		/* monotonic, while pending */
	struct event *timer;
	void (*expired)(void *);
	void *arg;
};

static const char *
state_str(enum confirm_state s)
{
	return s == CONFIRM_PENDING ? "pending" : s == CONFIRM_ROLLED_BACK ?
	    "rolled-back" : "none";
}

static void
load(struct confirm *c)
{
	json_t *j = json_load_file(c->path, 0, NULL);
	const char *s = json_string_value(json_object_get(j, "state"));

	memset(&c->d, 0, sizeof(c->d));
	c->d.uid = -1;
	if (j == NULL) {
		if (access(c->path, F_OK) == 0)
			log_event(LOG_ALERT, "confirm-state-unreadable", "file=%s "
			    "action=%s", lq(c->path), "treated-as-pending");
		/* unreadable: as if pending, so that a start falls back to
		 * the last good policy rather than an unconfirmed one */
		if (access(c->path, F_OK) == 0)
			c->d.state = CONFIRM_PENDING;
		return;
	}
	c->d.state = s && strcmp(s, "pending") == 0 ? CONFIRM_PENDING :
	    s && strcmp(s, "rolled-back") == 0 ? CONFIRM_ROLLED_BACK :
	    CONFIRM_PENDING;
	snprintf(c->d.policy, sizeof(c->d.policy), "%s",
	    json_string_value(json_object_get(j, "policy")) ?
	    json_string_value(json_object_get(j, "policy")) : "");
	snprintf(c->d.previous, sizeof(c->d.previous), "%s",
	    json_string_value(json_object_get(j, "previous")) ?
	    json_string_value(json_object_get(j, "previous")) : "");
	c->d.since = (time_t)json_integer_value(json_object_get(j, "since"));
	c->d.deadline = (time_t)json_integer_value(json_object_get(j,
	    "deadline"));
	c->d.seconds = (unsigned)json_integer_value(json_object_get(j,
	    "seconds"));
	c->d.uid = json_is_integer(json_object_get(j, "uid")) ?
	    (long)json_integer_value(json_object_get(j, "uid")) : -1;
	snprintf(c->d.user, sizeof(c->d.user), "%s",
	    json_string_value(json_object_get(j, "user")) ?
	    json_string_value(json_object_get(j, "user")) : "-");
	json_decref(j);
}

/* Write d (none: remove the file); -1 with err. */
static int
save(struct confirm *c, const struct confirm_data *d, char *err,
    size_t errlen)
{
	char when[TIMEFMT_LEN], *text;
	json_t *j;
	int fd, e = 0;
	size_t len;

	if (d->state == CONFIRM_NONE) {
		if (unlink(c->path) == 0 || errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", c->path, strerror(errno));
		return -1;
	}
	j = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:o, s:s}",
	    "state", state_str(d->state), "policy", d->policy, "previous",
	    d->previous, "since", (json_int_t)d->since, "since_text",
	    timefmt_local(d->since, when, sizeof(when)), "deadline",
	    (json_int_t)d->deadline, "seconds", (json_int_t)d->seconds, "uid",
	    d->uid < 0 ? json_null() : json_integer(d->uid), "user", d->user);
	text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (text == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	len = strlen(text);
	if ((fd = open(c->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640)) < 0)
		e = errno;
	else {
		ssize_t n = write(fd, text, len);
		if (n != (ssize_t)len)
			e = n < 0 ? errno : ENOSPC;
		else if (fsync(fd) < 0)
			e = errno;
		if (close(fd) < 0 && e == 0)
			e = errno;
	}
	if (e == 0 && rename(c->tmp, c->path) < 0)
		e = errno;
	if (e == 0)
		record_sync_dir(c->path);
	free(text);
	if (e != 0) {
		unlink(c->tmp);
		snprintf(err, errlen, "cannot keep the confirmation state in "
		    "%s: %s", c->path, strerror(e));
		return -1;
	}
	return 0;
}

static void
on_timer(int fd, uint32_t what, void *arg)
{
	struct confirm *c = arg;

	(void)fd;
	(void)what;
	if (c->d.state == CONFIRM_PENDING)
		c->expired(c->arg);
}

struct confirm *
confirm_open(const char *state_dir, void (*expired)(void *), void *arg,
    char *err, size_t errlen)
{
	struct confirm *c = calloc(1, sizeof(*c));

	if (c == NULL || asprintf(&c->path, "%s/" STATE_FILE, state_dir) < 0 ||
	    asprintf(&c->tmp, "%s/." STATE_FILE ".tmp", state_dir) < 0) {
		snprintf(err, errlen, "out of memory");
		confirm_close(c);
		return NULL;
	}
	c->expired = expired;
	c->arg = arg;
	if ((c->timer = event_timer(CLOCK_MONOTONIC, on_timer, c)) == NULL) {
		snprintf(err, errlen, "confirmation timer: %s",
		    strerror(errno));
		confirm_close(c);
		return NULL;
	}
	load(c);
	return c;
}

void
confirm_close(struct confirm *c)
{
	if (c == NULL)
		return;
	event_del(c->timer);
	free(c->path);
	free(c->tmp);
	free(c);
}

enum confirm_state
confirm_state(const struct confirm *c)
{
	return c ? c->d.state : CONFIRM_NONE;
}

const char *
confirm_policy(const struct confirm *c)
{
	return c ? c->d.policy : "";
}

const char *
confirm_previous(const struct confirm *c)
{
	return c ? c->d.previous : "";
}

long
confirm_left(const struct confirm *c)
{
	struct timespec now;
	long left;

	if (c == NULL || c->d.state != CONFIRM_PENDING)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	left = (long)(c->due.tv_sec - now.tv_sec) + (c->due.tv_nsec >
	    now.tv_nsec ? 1 : 0);
	return left > 0 ? left : 0;
}

bool
confirm_refuses(const struct confirm *c, const char *sha, char *why,
    size_t len)
{
	char when[TIMEFMT_LEN];

	if (c == NULL)
		return false;
	if (c->d.state == CONFIRM_PENDING) {
		snprintf(why, len, "policy %.12s was awaiting confirmation when "
		    "zoned stopped (loaded %s): the policy before it runs",
		    c->d.policy, timefmt_local(c->d.since, when, sizeof(when)));
		return true;
	}
	if (c->d.state == CONFIRM_ROLLED_BACK && strcmp(sha, c->d.policy) ==
	    0) {
		snprintf(why, len, "this text (%.12s) was rolled back "
		    "unconfirmed; load it with zonectl reload [--confirm]",
		    c->d.policy);
		return true;
	}
	return false;
}

int
confirm_begin(struct confirm *c, const char *sha, const char *prev,
    unsigned seconds, long uid, char *err, size_t errlen)
{
	struct confirm_data d = { .state = CONFIRM_PENDING, .since = time(NULL),
	    .seconds = seconds, .uid = uid };

	snprintf(d.policy, sizeof(d.policy), "%s", sha);
	snprintf(d.previous, sizeof(d.previous), "%s", prev);
	d.deadline = d.since + seconds;
	record_user(uid, d.user, sizeof(d.user));
	if (save(c, &d, err, errlen) < 0)
		return -1;
	c->saved = c->d;
	c->d = d;
	return 0;
}

void
confirm_abort(struct confirm *c)
{
	char err[256];

	c->d = c->saved;
	if (save(c, &c->d, err, sizeof(err)) < 0)
		log_warnx("%s", err);
}

void
confirm_arm(struct confirm *c)
{
	clock_gettime(CLOCK_MONOTONIC, &c->due);
	c->due.tv_sec += c->d.seconds;
	event_timer_arm(c->timer, (uint64_t)c->d.seconds * 1000, 0);
}

int
confirm_clear(struct confirm *c, char *err, size_t errlen)
{
	struct confirm_data none = { .state = CONFIRM_NONE, .uid = -1 };

	if (c == NULL || (c->d.state == CONFIRM_NONE &&
	    access(c->path, F_OK) < 0))
		return 0;
	event_timer_arm(c->timer, 0, 0);
	if (save(c, &none, err, errlen) < 0)
		return -1;
	c->d = none;
	return 0;
}

void
confirm_rolled_back(struct confirm *c, const char *sha)
{
	struct confirm_data d = c->d;
	char err[256];

	event_timer_arm(c->timer, 0, 0);
	d.state = CONFIRM_ROLLED_BACK;
	snprintf(d.policy, sizeof(d.policy), "%s", sha);
	d.since = time(NULL);
	if (save(c, &d, err, sizeof(err)) < 0)
		log_warnx("%s", err);
	c->d = d;
}

json_t *
confirm_json(const struct confirm *c)
{
	char when[TIMEFMT_LEN], dl[TIMEFMT_LEN];

	if (c == NULL || c->d.state == CONFIRM_NONE)
		return json_null();
	if (c->d.state == CONFIRM_ROLLED_BACK)
		return json_pack("{s:s, s:s, s:s}", "state", "rolled-back",
		    "policy", c->d.policy, "at", timefmt_local(c->d.since, when,
		    sizeof(when)));
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:o, s:s}",
	    "state", "pending", "policy", c->d.policy, "previous",
	    c->d.previous, "seconds", (json_int_t)c->d.seconds,
	    "seconds_left", (json_int_t)confirm_left(c), "since",
	    timefmt_local(c->d.since, when, sizeof(when)), "deadline",
	    timefmt_local(c->d.deadline, dl, sizeof(dl)), "uid", c->d.uid < 0 ?
	    json_null() : json_integer(c->d.uid), "user", c->d.user);
}
