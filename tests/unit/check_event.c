/*
 * check_event — the daemon's event loop (daemon/zoned/event.c): callbacks
 * for descriptors, pausing with event_mod, deletion from inside a round,
 * relative and absolute timers (one-shot and periodic), signals through
 * signalfd, and event_loopexit.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "unit.h"

struct hits {
	int n;
	uint32_t what;
	int fd;
	struct event *other;	/* deleted by this callback */
	bool exit;		/* event_loopexit() when called */
};

static void
cb(int fd, uint32_t what, void *arg)
{
	struct hits *h = arg;
	char buf[64];

	h->n++;
	h->what = what;
	h->fd = fd;
	if (what & EVENT_READ && !(what & (EVENT_TIMEOUT | EVENT_SIGNAL)))
		(void)!read(fd, buf, sizeof(buf));
	if (h->other) {
		event_del(h->other);
		h->other = NULL;
	}
	if (h->exit)
		event_loopexit();
}

static void
setup(void)
{
	char err[128];

	ck_assert_msg(event_init(err, sizeof(err)) == 0, "%s", err);
}

static void
teardown(void)
{
	event_fini();
}

START_TEST(test_fd)
{
	struct hits h = { 0 };
	int p[2];
	struct event *ev;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_ptr_nonnull(ev = event_add(p[0], EVENT_READ, cb, &h));
	ck_assert_int_eq(event_fd(ev), p[0]);
	ck_assert_int_eq(event_once(0), 0);	/* nothing ready */
	ck_assert_int_eq(h.n, 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(event_once(1000), 1);
	ck_assert_int_eq(h.n, 1);
	ck_assert_int_eq(h.fd, p[0]);
	ck_assert(h.what & EVENT_READ);

	/* paused: readable, but not watched */
	ck_assert_int_eq(event_mod(ev, 0), 0);
	ck_assert_int_eq(write(p[1], "y", 1), 1);
	ck_assert_int_eq(event_once(50), 0);
	ck_assert_int_eq(h.n, 1);
	ck_assert_int_eq(event_mod(ev, EVENT_READ), 0);
	ck_assert_int_eq(event_once(1000), 1);
	ck_assert_int_eq(h.n, 2);

	/* deleted: never called again, and the caller's fd stays open */
	event_del(ev);
	ck_assert_int_eq(write(p[1], "z", 1), 1);
	ck_assert_int_eq(event_once(50), 0);
	ck_assert_int_eq(h.n, 2);
	ck_assert_int_eq(write(p[1], "z", 1), 1);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* Two events ready in one round, each deleting the other: exactly one
 * runs, whichever epoll names first. */
START_TEST(test_delete_in_round)
{
	struct hits a = { 0 }, b = { 0 };
	int p[2], q[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pipe(q), 0);
	ck_assert_ptr_nonnull(b.other = event_add(p[0], EVENT_READ, cb, &a));
	ck_assert_ptr_nonnull(a.other = event_add(q[0], EVENT_READ, cb, &b));
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	ck_assert_int_eq(write(q[1], "x", 1), 1);
	ck_assert_int_eq(event_once(1000), 1);
	ck_assert_int_eq(a.n + b.n, 1);
	ck_assert_int_eq(event_once(50), 0);
	ck_assert_int_eq(a.n + b.n, 1);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}
END_TEST

START_TEST(test_timer_once)
{
	struct hits h = { 0 };
	struct event *t = event_timer(CLOCK_MONOTONIC, cb, &h);

	ck_assert_ptr_nonnull(t);
	ck_assert(!event_timer_armed(t));
	ck_assert_int_eq(event_once(30), 0);	/* a new timer is disarmed */
	ck_assert_int_eq(event_timer_arm(t, 20, 0), 0);
	ck_assert(event_timer_armed(t));
	ck_assert_int_eq(event_once(2000), 1);
	ck_assert_int_eq(h.n, 1);
	ck_assert_uint_eq(h.what, EVENT_TIMEOUT);
	ck_assert(!event_timer_armed(t));	/* a one-shot is spent */
	ck_assert_int_eq(event_once(60), 0);
	ck_assert_int_eq(h.n, 1);

	/* disarmed before it fires */
	ck_assert_int_eq(event_timer_arm(t, 20, 0), 0);
	ck_assert_int_eq(event_timer_arm(t, 0, 0), 0);
	ck_assert(!event_timer_armed(t));
	ck_assert_int_eq(event_once(60), 0);
	ck_assert_int_eq(h.n, 1);
	event_del(t);
}
END_TEST

START_TEST(test_timer_periodic)
{
	struct hits h = { 0 };
	struct event *t = event_timer(CLOCK_MONOTONIC, cb, &h);

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(event_timer_arm(t, 10, 10), 0);
	for (int i = 0; i < 100 && h.n < 3; i++)
		event_once(1000);
	ck_assert_int_eq(h.n, 3);
	ck_assert(event_timer_armed(t));
	event_del(t);
	ck_assert(!event_timer_armed(t));
}
END_TEST

START_TEST(test_timer_absolute)
{
	struct hits h = { 0 };
	struct event *t = event_timer(CLOCK_REALTIME, cb, &h);
	struct timespec t0, t1;
	time_t now;

	ck_assert_ptr_nonnull(t);
	/* a moment already past fires at once */
	ck_assert_int_eq(event_timer_at(t, time(NULL) - 10), 0);
	ck_assert_int_eq(event_once(1000), 1);
	ck_assert_int_eq(h.n, 1);
	/* the next whole second: not before it */
	clock_gettime(CLOCK_REALTIME, &t0);
	ck_assert_int_eq(event_timer_at(t, t0.tv_sec + 1), 0);
	ck_assert_int_eq(event_once(3000), 1);
	now = time(NULL);
	clock_gettime(CLOCK_REALTIME, &t1);
	ck_assert_int_eq(h.n, 2);
	ck_assert_int_ge(t1.tv_sec, t0.tv_sec + 1);
	/* time(), the coarse clock the daemon compares, has reached it too */
	ck_assert_int_ge(now, t0.tv_sec + 1);
	ck_assert(!event_timer_armed(t));
	/* 0 disarms */
	ck_assert_int_eq(event_timer_at(t, time(NULL) + 1), 0);
	ck_assert_int_eq(event_timer_at(t, 0), 0);
	ck_assert_int_eq(event_once(1500), 0);
	ck_assert_int_eq(h.n, 2);
	event_del(t);
}
END_TEST

START_TEST(test_signal)
{
	struct hits h = { 0 };
	const int sigs[] = { SIGUSR1, SIGUSR2 };
	struct event *s = event_signal(sigs, 2, cb, &h);

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(raise(SIGUSR2), 0);	/* blocked: no death */
	ck_assert_int_eq(event_once(1000), 1);
	ck_assert_int_eq(h.n, 1);
	ck_assert_int_eq(h.fd, SIGUSR2);
	ck_assert_uint_eq(h.what, EVENT_SIGNAL);
	ck_assert_int_eq(raise(SIGUSR1), 0);
	ck_assert_int_eq(event_once(1000), 1);
	ck_assert_int_eq(h.fd, SIGUSR1);
	event_del(s);
}
END_TEST

START_TEST(test_loopexit)
{
	struct hits h = { .exit = true };
	struct event *t = event_timer(CLOCK_MONOTONIC, cb, &h);

	ck_assert_int_eq(event_timer_arm(t, 10, 10), 0);
	ck_assert_int_eq(event_dispatch(), 0);	/* returns at the first */
	ck_assert_int_eq(h.n, 1);
	event_del(t);
}
END_TEST

START_TEST(test_errors)
{
	struct hits h = { 0 };

	/* not a descriptor epoll can watch */
	ck_assert_ptr_null(event_add(-1, EVENT_READ, cb, &h));
	ck_assert_int_eq(event_mod(NULL, EVENT_READ), -1);
	ck_assert_int_eq(event_timer_arm(NULL, 10, 0), -1);
	event_del(NULL);
	ck_assert_int_eq(event_fd(NULL), -1);
}
END_TEST

UNIT_SUITE(event_suite)

static Suite *
event_suite(void)
{
	Suite *s = suite_create("event");
	TCase *tc = tcase_create("event");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_fd);
	tcase_add_test(tc, test_delete_in_round);
	tcase_add_test(tc, test_timer_once);
	tcase_add_test(tc, test_timer_periodic);
	tcase_add_test(tc, test_timer_absolute);
	tcase_add_test(tc, test_signal);
	tcase_add_test(tc, test_loopexit);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	return s;
}
