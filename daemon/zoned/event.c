/*
 * event — the daemon's one event loop: epoll, with timerfd for timers and
 * signalfd for signals.  The only file of the daemon that calls epoll_*.
 * The callback's event travels in epoll_event.data.ptr.
 *
 * Deleting is safe from any callback: a deleted event is marked dead,
 * unlinked, and freed only after the round of the loop that may still
 * hold a pointer to it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "event.h"

#define EVENT_BATCH 32

_Static_assert(EVENT_READ == EPOLLIN && EVENT_WRITE == EPOLLOUT &&
    EVENT_ERR == EPOLLERR && EVENT_HUP == EPOLLHUP,
    "event.h's names are epoll's values");

enum event_kind { EV_FD, EV_TIMER, EV_SIGNAL };

struct event {
	int fd;
	enum event_kind kind;
	uint32_t events;
	bool dead;
	bool armed;		/* timers */
	time_t at;		/* event_timer_at's second, else 0 */
	event_fn fn;
	void *arg;
	struct event *next, *prev;	/* live events; or the dead list */
};

static int epfd = -1;
static struct event *live;	/* every event not deleted */
static struct event *dead;	/* deleted in this round, freed after it */
static bool quit;

int
event_init(char *err, size_t errlen)
{
	if (epfd >= 0)
		return 0;
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		return -1;
	}
	quit = false;
	return 0;
}

static void
reap(void)
{
	while (dead != NULL) {
		struct event *ev = dead;
		dead = ev->next;
		free(ev);
	}
}

void
event_fini(void)
{
	while (live != NULL)
		event_del(live);
	reap();
	if (epfd >= 0)
		close(epfd);
	epfd = -1;
}

static struct event *
event_new(int fd, enum event_kind kind, uint32_t events, event_fn fn,
    void *arg)
{
	struct event *ev = calloc(1, sizeof(*ev));
	struct epoll_event ee = { .events = events };

	if (ev == NULL)
		return NULL;
	ev->fd = fd;
	ev->kind = kind;
	ev->events = events;
	ev->fn = fn;
	ev->arg = arg;
	ee.data.ptr = ev;
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ee) < 0) {
		int e = epfd < 0 ? EBADF : errno;
		free(ev);
		errno = e;
		return NULL;
	}
	ev->next = live;
	if (live)
		live->prev = ev;
	live = ev;
	return ev;
}

struct event *
event_add(int fd, uint32_t events, event_fn fn, void *arg)
{
	return event_new(fd, EV_FD, events, fn, arg);
}

int
event_mod(struct event *ev, uint32_t events)
{
	struct epoll_event ee = { .events = events, .data.ptr = ev };

	if (ev == NULL || ev->dead) {
		errno = EBADF;
		return -1;
	}
	if (ev->events == events)
		return 0;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, ev->fd, &ee) < 0)
		return -1;
	ev->events = events;
	return 0;
}

void
event_del(struct event *ev)
{
	int e = errno;

	if (ev == NULL || ev->dead)
		return;
	epoll_ctl(epfd, EPOLL_CTL_DEL, ev->fd, NULL);
	if (ev->kind != EV_FD)
		close(ev->fd);
	ev->dead = true;
	if (ev->prev)
		ev->prev->next = ev->next;
	else
		live = ev->next;
	if (ev->next)
		ev->next->prev = ev->prev;
	ev->prev = NULL;
	ev->next = dead;
	dead = ev;
	errno = e;
}

int
event_fd(const struct event *ev)
{
	return ev && !ev->dead ? ev->fd : -1;
}

/* ---------------------------------------------------------------------
 * Timers
 */

struct event *
event_timer(clockid_t clock, event_fn fn, void *arg)
{
	int fd = timerfd_create(clock, TFD_CLOEXEC | TFD_NONBLOCK);
	struct event *ev;

	if (fd < 0)
		return NULL;
	if ((ev = event_new(fd, EV_TIMER, EPOLLIN, fn, arg)) == NULL) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return ev;
}

int
event_timer_arm(struct event *ev, uint64_t first_ms, uint64_t every_ms)
{
	struct itimerspec its = {
		.it_value = { (time_t)(first_ms / 1000),
		    (long)(first_ms % 1000) * 1000000 },
		.it_interval = { (time_t)(every_ms / 1000),
		    (long)(every_ms % 1000) * 1000000 },
	};

	if (ev == NULL || ev->kind != EV_TIMER) {
		errno = EINVAL;
		return -1;
	}
	if (timerfd_settime(ev->fd, 0, &its, NULL) < 0)
		return -1;
	ev->armed = first_ms != 0;
	ev->at = 0;
	return 0;
}

int
event_timer_at(struct event *ev, time_t when)
{
	struct itimerspec its = { .it_value = { when, 0 } };

	if (ev == NULL || ev->kind != EV_TIMER) {
		errno = EINVAL;
		return -1;
	}
	if (timerfd_settime(ev->fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return -1;
	ev->armed = when != 0;
	ev->at = when;
	return 0;
}

bool
event_timer_armed(const struct event *ev)
{
	return ev != NULL && !ev->dead && ev->armed;
}

/* ---------------------------------------------------------------------
 * Signals
 */

struct event *
event_signal(const int *signals, size_t n, event_fn fn, void *arg)
{
	sigset_t mask;
	struct event *ev;
	int fd;

	sigemptyset(&mask);
	for (size_t i = 0; i < n; i++)
		sigaddset(&mask, signals[i]);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		return NULL;
	if ((ev = event_new(fd, EV_SIGNAL, EPOLLIN, fn, arg)) == NULL) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return ev;
}

/* ---------------------------------------------------------------------
 * The loop
 */

/* An absolute timer fires on the precise clock; time(), which its callback
 * compares with the second it was armed for, reads the coarse one, which
 * lags by a tick or two (some milliseconds).  Wait until time() has
 * reached the second, at most 100 ms, so that the callback sees it come. */
static void
wait_coarse(time_t at)
{
	const struct timespec ms = { 0, 1000000L };

	for (int i = 0; i < 100 && time(NULL) < at; i++)
		nanosleep(&ms, NULL);
}

static void
run(struct event *ev, uint32_t events)
{
	if (ev->kind == EV_FD) {
		ev->fn(ev->fd, events, ev->arg);
	} else if (ev->kind == EV_TIMER) {
		uint64_t n;
		if (read(ev->fd, &n, sizeof(n)) != sizeof(n))
			return;	/* re-armed meanwhile: nothing is due */
		struct itimerspec its;
		if (timerfd_gettime(ev->fd, &its) == 0 &&
		    its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			ev->armed = false;	/* a one-shot fired */
		if (ev->at != 0)
			wait_coarse(ev->at);
		ev->fn(ev->fd, EVENT_TIMEOUT, ev->arg);
	} else {
		struct signalfd_siginfo si;
		while (!ev->dead && read(ev->fd, &si, sizeof(si)) ==
		    sizeof(si))
			ev->fn((int)si.ssi_signo, EVENT_SIGNAL, ev->arg);
	}
}

int
event_once(int timeout_ms)
{
	struct epoll_event ee[EVENT_BATCH];
	int n, ran = 0;

	n = epoll_wait(epfd, ee, EVENT_BATCH, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	for (int i = 0; i < n; i++) {
		struct event *ev = ee[i].data.ptr;
		/* deleted by an earlier callback of this round */
		if (ev->dead)
			continue;
		run(ev, ee[i].events);
		ran++;
	}
	reap();
	return ran;
}

int
event_dispatch(void)
{
	quit = false;
	while (!quit)
		if (event_once(-1) < 0)
			return -1;
	return 0;
}

void
event_loopexit(void)
{
	quit = true;
}

uint64_t
event_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
