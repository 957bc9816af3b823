/*
 * check_control — the control socket's transport (daemon/zoned/control.c)
 * without the daemon: framing of request lines split and joined across
 * writes, the 64 KiB limit (refused, and the connection goes on), a client
 * that never reads does not stop the others, the client slots, and the
 * listener that rests when descriptors run out (EMFILE) instead of
 * spinning, and listens again.
 *
 * Nobody locks root out: 32 group members keeping their slots busy, or 40
 * half-sent requests, leave root its slots (and root takes back the slot
 * of the quietest member when all are full); a uid holds at most 8; a
 * half-sent request is closed after CONTROL_REQUEST_MS and an unread
 * answer after CONTROL_SEND_MS.  Callers of other uids are made as the
 * daemon sees them, by SO_PEERCRED: the test (root) connects with another
 * effective uid, in the control group by its primary gid.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "control.h"
#include "ctlproto.h"
#include "event.h"
#include "unit.h"

static char path[108];
static struct control *ctl;
static int calls;
static size_t answer_size;	/* bytes of padding in each answer */

/* Answers {"ok":true,"result":{"line":LINE}} (padded when asked). */
static json_t *
echo(void *arg, const struct control_peer *peer, const char *line)
{
	json_t *a;

	(void)arg;
	calls++;
	a = json_pack("{s:b, s:{s:s, s:i}}", "ok", 1, "result", "line", line,
	    "uid", (int)peer->uid);
	if (answer_size > 0) {
		char *pad = malloc(answer_size + 1);
		memset(pad, 'p', answer_size);
		pad[answer_size] = '\0';
		json_object_set_new(json_object_get(a, "result"), "pad",
		    json_string(pad));
		free(pad);
	}
	return a;
}

static void
setup(void)
{
	char err[256];
	struct group *gr = getgrgid(getgid());

	ck_assert_int_eq(event_init(err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s", unit_tmpfile("ctl.sock", ""));
	unlink(path);
	/* other uids must reach the socket in the test's directory */
	{
		char dir[sizeof(path)], *slash;
		snprintf(dir, sizeof(dir), "%s", path);
		if ((slash = strrchr(dir, '/')) != NULL) {
			*slash = '\0';
			chmod(dir, 0711);
		}
	}
	calls = 0;
	answer_size = 0;
	/* the caller's own group: any caller is a member */
	ctl = control_open(path, gr ? gr->gr_name : "root", echo, NULL, err,
	    sizeof(err));
	ck_assert_msg(ctl != NULL, "%s", err);
}

static void
teardown(void)
{
	control_close(ctl);
	event_fini();
}

static int
client(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* A client of uid (the caller, in the group by its primary gid). */
static int
client_as(uid_t uid)
{
	int fd;

	if (uid == 0)
		return client();
	ck_assert_msg(geteuid() == 0, "callers of other uids need root");
	ck_assert_int_eq(setegid(getgid()), 0);
	ck_assert_int_eq(seteuid(uid), 0);
	fd = client();
	ck_assert_int_eq(seteuid(0), 0);
	return fd;
}

static void
run_ms(int ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		event_once(20);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 +
	    (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
}

static void
put(int fd, const char *s, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t w = send(fd, s + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EAGAIN) {
			event_once(10);
			continue;
		}
		ck_assert_int_gt(w, 0);
		off += (size_t)w;
	}
}

/* Run the loop until fd has given `lines` answer lines (or 3 s); the
 * answers, NUL-terminated, in a static buffer; NULL at EOF with none. */
static char *
get(int fd, int lines)
{
	static char buf[1 << 21];
	size_t len = 0;
	int have = 0;

	for (int i = 0; i < 300 && have < lines; i++) {
		ssize_t r = recv(fd, buf + len, sizeof(buf) - len - 1,
		    MSG_DONTWAIT);
		if (r > 0) {
			for (ssize_t k = 0; k < r; k++)
				have += buf[len + (size_t)k] == '\n';
			len += (size_t)r;
			continue;
		}
		if (r == 0)
			break;
		event_once(10);
	}
	buf[len] = '\0';
	return len ? buf : NULL;
}

static json_t *
parse(const char *line)
{
	json_t *j = json_loads(line, JSON_DISABLE_EOF_CHECK, NULL);

	ck_assert_msg(j != NULL, "not JSON: %.200s", line);
	return j;
}

START_TEST(test_split)
{
	int fd = client();
	const char *a;
	json_t *j;

	put(fd, "{\"cmd\":", 7);
	event_once(20);
	put(fd, "\"status\"", 8);
	event_once(20);
	ck_assert_int_eq(calls, 0);	/* no newline yet */
	put(fd, "}\n", 2);
	ck_assert_ptr_nonnull(a = get(fd, 1));
	j = parse(a);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "result"), "line")), "{\"cmd\":\"status\"}");
	ck_assert_int_eq(calls, 1);
	json_decref(j);
	close(fd);
}
END_TEST

START_TEST(test_joined)
{
	int fd = client();
	char *a, *second;
	json_t *j;

	put(fd, "one\ntwo\nthr", 11);
	ck_assert_ptr_nonnull(a = get(fd, 2));
	ck_assert_ptr_nonnull(second = strchr(a, '\n'));
	j = parse(a);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "result"), "line")), "one");
	json_decref(j);
	j = parse(second + 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "result"), "line")), "two");
	json_decref(j);
	ck_assert_int_eq(calls, 2);	/* "thr" waits for its newline */
	close(fd);
}
END_TEST

/* A line of exactly CTL_MAX_REQUEST bytes is a request; one byte more is
 * refused with code 4, and the next request on the connection is
 * answered. */
START_TEST(test_limit)
{
	int fd = client();
	size_t n = CTL_MAX_REQUEST + 1;
	char *big = malloc(n + 1), *a;
	json_t *j;

	memset(big, 'a', n);
	big[n - 1] = '\n';		/* CTL_MAX_REQUEST bytes and '\n' */
	put(fd, big, n);
	ck_assert_ptr_nonnull(a = get(fd, 1));
	j = parse(a);
	ck_assert(json_is_true(json_object_get(j, "ok")));
	json_decref(j);
	ck_assert_int_eq(calls, 1);

	memset(big, 'b', n);
	put(fd, big, n);		/* one byte over, no newline yet */
	put(fd, "\nafter\n", 7);
	ck_assert_ptr_nonnull(a = get(fd, 2));
	j = parse(a);
	ck_assert(json_is_false(json_object_get(j, "ok")));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "code")),
	    CTL_TOO_BIG);
	json_decref(j);
	j = parse(strchr(a, '\n') + 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "result"), "line")), "after");
	json_decref(j);
	ck_assert_int_eq(calls, 2);
	free(big);
	close(fd);
}
END_TEST

/* A client that asks and never reads fills its socket; the loop goes on
 * and another client is answered. */
START_TEST(test_no_reader)
{
	int slow = client(), fd;
	char *a;

	answer_size = 256 * 1024;
	for (int i = 0; i < 16; i++)
		put(slow, "x\n", 2);
	for (int i = 0; i < 20; i++)
		event_once(10);
	ck_assert_int_le(calls, 16);
	answer_size = 0;
	fd = client();
	put(fd, "fast\n", 5);
	ck_assert_ptr_nonnull(a = get(fd, 1));
	ck_assert_ptr_nonnull(strstr(a, "\"fast\""));
	close(fd);
	close(slow);
}
END_TEST

/* Was fd closed by the daemon, after a last line with this code (0: no
 * line wanted) and these words?  Looks at what has arrived (run the loop
 * first), without waiting. */
static bool
closed_with(int fd, int code, const char *words)
{
	char buf[4096];
	size_t len = 0;
	ssize_t r;
	json_t *j;
	bool ok;

	while ((r = recv(fd, buf + len, sizeof(buf) - len - 1,
	    MSG_DONTWAIT)) > 0)
		len += (size_t)r;
	if (r != 0)
		return false;		/* not at EOF */
	buf[len] = '\0';
	if (code == 0)
		return true;
	if ((j = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL)) == NULL)
		return false;
	ok = json_integer_value(json_object_get(j, "code")) == code &&
	    strstr(json_string_value(json_object_get(j, "error")), words) !=
	    NULL;
	json_decref(j);
	return ok;
}

/* fd asks and is answered. */
static bool
asks(int fd, const char *what)
{
	char line[64], *a;

	snprintf(line, sizeof(line), "%s\n", what);
	put(fd, line, strlen(line));
	a = get(fd, 1);
	return a != NULL && strstr(a, what) != NULL;
}

/* Every slot taken by root: one more root client takes the slot of the
 * quietest (told why); it is never refused. */
START_TEST(test_slots)
{
	int fds[CONTROL_MAX_CLIENTS], extra, gone = -1;
	struct control_stats st;

	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		fds[i] = client();
		event_once(20);
	}
	control_stats(ctl, &st);
	ck_assert_uint_eq(st.clients, CONTROL_MAX_CLIENTS);
	extra = client();
	ck_assert(asks(extra, "extra"));
	control_stats(ctl, &st);
	ck_assert_uint_eq(st.clients, CONTROL_MAX_CLIENTS);
	ck_assert_uint_eq(st.evicted, 1);
	ck_assert_uint_eq(st.refused, 0);
	run_ms(50);
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (closed_with(fds[i], CTL_BUSY, "needed by root")) {
			ck_assert_int_eq(gone, -1);
			gone = i;
		}
	ck_assert_int_ge(gone, 0);
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		close(fds[i]);
	close(extra);
}
END_TEST

/* 32 group members (four uids, eight each) keep their slots busy with a
 * request every round: they get 28 slots, four are told the socket is
 * busy, and root is answered at once, five times over — the fifth takes
 * back the slot of the quietest member. */
START_TEST(test_root_reserve)
{
	int fds[32], root[5], refused = 0, evicted = 0;
	struct control_stats st;

	for (int i = 0; i < 32; i++) {
		fds[i] = client_as((uid_t)(60001 + i / 8));
		event_once(10);
	}
	run_ms(50);
	for (int i = 0; i < 32; i++)
		if (closed_with(fds[i], CTL_BUSY, "every client slot is "
		    "taken")) {
			refused++;
			close(fds[i]);
			fds[i] = -1;
		}
	ck_assert_int_eq(refused, 32 - (CONTROL_MAX_CLIENTS -
	    CONTROL_ROOT_SLOTS));
	for (int r = 0; r < 5; r++) {
		for (int i = 0; i < 32; i++)	/* busy, every one */
			if (fds[i] >= 0)
				ck_assert(asks(fds[i], "member"));
		root[r] = client();
		ck_assert_msg(asks(root[r], "root"), "root %d not answered",
		    r);
	}
	run_ms(50);
	for (int i = 0; i < 32; i++)
		if (fds[i] >= 0 && closed_with(fds[i], CTL_BUSY,
		    "needed by root"))
			evicted++;
	ck_assert_int_eq(evicted, 1);
	control_stats(ctl, &st);
	ck_assert_uint_eq(st.evicted, 1);
	ck_assert_uint_eq(st.clients, CONTROL_MAX_CLIENTS);
	for (int i = 0; i < 32; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (int r = 0; r < 5; r++)
		close(root[r]);
}
END_TEST

/* One uid holds at most CONTROL_UID_CLIENTS connections; another uid
 * still gets in. */
START_TEST(test_uid_limit)
{
	int fds[CONTROL_UID_CLIENTS + 2], other;

	for (int i = 0; i < CONTROL_UID_CLIENTS + 2; i++) {
		fds[i] = client_as(60010);
		event_once(10);
	}
	for (int i = 0; i < CONTROL_UID_CLIENTS; i++)
		ck_assert_msg(asks(fds[i], "mine"), "connection %d", i);
	run_ms(50);
	for (int i = CONTROL_UID_CLIENTS; i < CONTROL_UID_CLIENTS + 2; i++)
		ck_assert_msg(closed_with(fds[i], CTL_BUSY, "uid 60010 already "
		    "holds 8 connections"), "connection %d", i);
	other = client_as(60011);
	ck_assert(asks(other, "other"));
	for (int i = 0; i < CONTROL_UID_CLIENTS + 2; i++)
		close(fds[i]);
	close(other);
}
END_TEST

/* 40 half-sent requests (five uids, eight each): root is answered at
 * once; after CONTROL_REQUEST_MS each is closed with a word of why, and
 * their uids get in again. */
START_TEST(test_half_sent)
{
	int fds[40], root, open = 0, timed = 0, again;
	struct control_stats st;

	for (int i = 0; i < 40; i++) {
		fds[i] = client_as((uid_t)(60020 + i / 8));
		put(fds[i], "{\"cmd\":\"sta", 11);
		event_once(10);
	}
	run_ms(100);
	control_stats(ctl, &st);
	ck_assert_uint_eq(st.clients, CONTROL_MAX_CLIENTS -
	    CONTROL_ROOT_SLOTS);
	root = client();
	ck_assert(asks(root, "root"));
	ck_assert_int_eq(calls, 1);
	run_ms(CONTROL_REQUEST_MS + 2 * CONTROL_TICK_MS);
	for (int i = 0; i < 40; i++) {
		/* refused at once, or closed in time: at EOF either way */
		if (closed_with(fds[i], CTL_BUSY, "not completed in time"))
			timed++;
		else if (!closed_with(fds[i], 0, NULL))
			open++;
		close(fds[i]);
	}
	ck_assert_int_eq(open, 0);
	ck_assert_int_eq(timed, CONTROL_MAX_CLIENTS - CONTROL_ROOT_SLOTS);
	control_stats(ctl, &st);
	ck_assert_uint_eq(st.timed_out, CONTROL_MAX_CLIENTS -
	    CONTROL_ROOT_SLOTS);
	ck_assert_uint_eq(st.clients, 1);	/* root, who asked in time */
	again = client_as(60020);
	ck_assert(asks(again, "again"));
	ck_assert(asks(root, "root again"));
	close(again);
	close(root);
}
END_TEST

/* A request sent slowly but whole within CONTROL_REQUEST_MS is answered;
 * the clock starts again with each request. */
START_TEST(test_slow_request)
{
	int fd = client();

	for (int k = 0; k < 3; k++) {
		put(fd, "{\"cmd\":", 7);
		run_ms(CONTROL_REQUEST_MS / 3);
		put(fd, "\"slow\"}", 8);
		run_ms(CONTROL_REQUEST_MS / 3);
		put(fd, "\n", 1);
		ck_assert_ptr_nonnull(strstr(get(fd, 1), "slow"));
	}
	close(fd);
}
END_TEST

/* An answer the client leaves unread for CONTROL_SEND_MS closes it. */
START_TEST(test_unread)
{
	struct control_stats st;
	int slow = client(), fd;

	answer_size = 4 << 20;	/* more than the socket takes */
	put(slow, "x\n", 2);
	run_ms(500);
	control_stats(ctl, &st);
	ck_assert_uint_eq(st.clients, 1);
	run_ms(CONTROL_SEND_MS + 2 * CONTROL_TICK_MS);
	control_stats(ctl, &st);
	ck_assert_uint_eq(st.clients, 0);
	ck_assert_uint_eq(st.timed_out, 1);
	answer_size = 0;
	fd = client();
	ck_assert(asks(fd, "after"));
	close(fd);
	close(slow);
}
END_TEST

/* Out of descriptors: accept fails with EMFILE; the listener rests (no
 * callback runs while the connections wait) and listens again after
 * CONTROL_PAUSE_MS once descriptors are there. */
START_TEST(test_emfile)
{
	struct control_stats st;
	struct rlimit old, low;
	int fds[4], probe, rounds = 0;

	for (int i = 0; i < 4; i++)
		fds[i] = client();
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	probe = dup(0);		/* the lowest free descriptor */
	close(probe);
	low = old;
	low.rlim_cur = (rlim_t)probe;	/* no new descriptor at all */
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	ck_assert_int_eq(event_once(100), 1);	/* accept: EMFILE */
	control_stats(ctl, &st);
	ck_assert(!st.listening);
	ck_assert_uint_eq(st.paused, 1);
	ck_assert_uint_eq(st.accepted, 0);
	/* resting: the waiting connections wake nobody */
	for (int i = 0; i < 5; i++)
		rounds += event_once(100);
	ck_assert_int_eq(rounds, 0);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	/* the pause timer, then the listener takes them all */
	for (int i = 0; i < 40; i++) {
		event_once(100);
		control_stats(ctl, &st);
		if (st.accepted == 4)
			break;
	}
	ck_assert(st.listening);
	ck_assert_uint_eq(st.accepted, 4);
	ck_assert_uint_eq(st.paused, 1);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
}
END_TEST

UNIT_SUITE(control_suite)

static Suite *
control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("control");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_joined);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_no_reader);
	tcase_add_test(tc, test_slots);
	tcase_add_test(tc, test_root_reserve);
	tcase_add_test(tc, test_uid_limit);
	tcase_add_test(tc, test_half_sent);
	tcase_add_test(tc, test_slow_request);
	tcase_add_test(tc, test_unread);
	tcase_add_test(tc, test_emfile);
	suite_add_tcase(s, tc);
	return s;
}
