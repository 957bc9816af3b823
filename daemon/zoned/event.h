/*
 * event — the daemon's one event loop (epoll), in the manner of libevent as
 * relayd and iked use it: each module registers its own descriptors,
 * timers and signals with a callback, and the loop calls it.  Nobody asks
 * "is this descriptor yours?".
 *
 * A callback gets (fd, what, arg):
 *   descriptors  fd, what is ready (EVENT_READ, EVENT_WRITE, EVENT_HUP...)
 *   timers       the timer's descriptor, EVENT_TIMEOUT
 *   signals      the signal's number, EVENT_SIGNAL
 * An event deleted by any callback is never called again, not even later
 * in the same round of the loop.
 */
#ifndef ZONED_EVENT_H
#define ZONED_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* What a descriptor is watched for and what is ready (epoll's values). */
#define EVENT_READ	0x001u	/* EPOLLIN */
#define EVENT_WRITE	0x004u	/* EPOLLOUT */
#define EVENT_ERR	0x008u	/* EPOLLERR */
#define EVENT_HUP	0x010u	/* EPOLLHUP */
#define EVENT_TIMEOUT	(1u << 30)
#define EVENT_SIGNAL	(1u << 29)

struct event;
typedef void (*event_fn)(int fd, uint32_t what, void *arg);

/* The loop; -1 with err filled when epoll cannot be had. */
int event_init(char *err, size_t errlen);
/* Deletes every event left and the loop itself. */
void event_fini(void);

/* Watch fd for events (EPOLLIN, EPOLLOUT); the caller keeps the fd. */
struct event *event_add(int fd, uint32_t events, event_fn fn, void *arg);
/* What fd is watched for now; 0 pauses it. */
int event_mod(struct event *ev, uint32_t events);
/* Stop and forget; an fd the event made itself (timer, signal) is closed.
 * NULL is fine. */
void event_del(struct event *ev);
int event_fd(const struct event *ev);

/*
 * Timers (timerfd).  clock: CLOCK_MONOTONIC for intervals, CLOCK_REALTIME
 * for wall-clock moments.  A new timer is disarmed.
 */
struct event *event_timer(clockid_t clock, event_fn fn, void *arg);
/* Relative: first after first_ms, then every every_ms (0: once).
 * first_ms 0 disarms. */
int event_timer_arm(struct event *ev, uint64_t first_ms, uint64_t every_ms);
/* Absolute, once, at the wall-clock second when (0 disarms); a moment
 * already past fires at once.  In the callback time(NULL) >= when (the
 * coarse clock time() reads is waited for, a few milliseconds). */
int event_timer_at(struct event *ev, time_t when);
bool event_timer_armed(const struct event *ev);

/* Signals through a signalfd: they are blocked for the process and
 * delivered to fn as (signo, EVENT_SIGNAL, arg). */
struct event *event_signal(const int *signals, size_t n, event_fn fn,
    void *arg);

/* The loop's clock: CLOCK_MONOTONIC in milliseconds. */
uint64_t event_now_ms(void);

/* Run until event_loopexit(); 0, or -1 when epoll fails (errno set). */
int event_dispatch(void);
/* One round: wait at most timeout_ms (-1: for ever) and run what is
 * ready.  The number of callbacks run, -1 on error.  For tests. */
int event_once(int timeout_ms);
void event_loopexit(void);

#endif
