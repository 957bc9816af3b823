/*
 * check_control — the control socket's transport (daemon/zoned/control.c)
 * without the daemon: framing of request lines split and joined across
 * writes, the 64 KiB limit (refused, and the connection goes on), a client
 * that never reads does not stop the others, the client slots, and the
 * listener that rests when descriptors run out (EMFILE) instead of
 * spinning, and listens again.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
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

/* Every slot taken by a recent client: one more is closed at once. */
START_TEST(test_slots)
{
	int fds[CONTROL_MAX_CLIENTS], extra;
	struct control_stats st;
	char c;

	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		fds[i] = client();
		event_once(20);
	}
	control_stats(ctl, &st);
	ck_assert_uint_eq(st.clients, CONTROL_MAX_CLIENTS);
	extra = client();
	for (int i = 0; i < 10; i++)
		event_once(10);
	ck_assert_int_eq(recv(extra, &c, 1, MSG_DONTWAIT), 0);	/* EOF */
	control_stats(ctl, &st);
	ck_assert_uint_eq(st.refused, 1);
	/* a slot freed is a slot for the next */
	close(fds[0]);
	for (int i = 0; i < 10; i++)
		event_once(10);
	close(extra);
	extra = client();
	put(extra, "again\n", 6);
	ck_assert_ptr_nonnull(strstr(get(extra, 1), "again"));
	for (int i = 1; i < CONTROL_MAX_CLIENTS; i++)
		close(fds[i]);
	close(extra);
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
	tcase_add_test(tc, test_emfile);
	suite_add_tcase(s, tc);
	return s;
}
