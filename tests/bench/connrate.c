/*
 * connrate — new TCP connections per second across the gateway, and the
 * time each took to open, for the dual/kernel benchmark.
 *
 *   connrate sink ADDR PORT
 *       accept and close at once, until killed
 *   connrate udpsink ADDR PORT SECONDS
 *       count the datagrams that arrive within SECONDS; prints received=N
 *   connrate udp ADDR PORT --bind SRC --seconds S
 *       send 64-byte datagrams as fast as one core can for S seconds (a
 *       new source port every 1024, so that the stream is many flows);
 *       prints sent=N secs=S pps=R
 *   connrate run ADDR PORT --bind SRC --count N [--parallel P]
 *       open N connections, P at a time, each closed by a reset as soon as
 *       it is open (no TIME_WAIT); prints one line
 *         conns=N failed=F secs=S rate=R p50_us=A p99_us=B
 *       where the times are from connect() to the connection being open
 *       (SYN to SYN-ACK: the gateway's work on a new connection included).
 *
 * Exit: 0 when every connection opened, 1 when some failed, 2 usage or a
 * local error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_PARALLEL	256
#define CONN_TIMEOUT_NS	2000000000LL

static void
die(const char *what)
{
	fprintf(stderr, "connrate: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
sockaddr_of(const char *a, int port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, a, &sa->sin_addr) != 1) {
		fprintf(stderr, "connrate: %s: not an IPv4 address\n", a);
		exit(2);
	}
}

static void __attribute__((noreturn))
sink(const char *addr, int port)
{
	struct sockaddr_in sa;
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0)
		die("socket");
	sockaddr_of(addr, port, &sa);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (listen(s, 4096) < 0)
		die("listen");
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c >= 0)
			close(c);
		else if (errno != EINTR && errno != ECONNABORTED)
			die("accept");
	}
}

static int
udpsink(const char *addr, int port, int secs)
{
	struct sockaddr_in sa;
	struct mmsghdr msgs[64];
	struct iovec iov[64];
	static char bufs[64][2048];
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	int64_t end;
	long got = 0;
	int rcvbuf = 8 << 20;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0)
		die("socket");
	sockaddr_of(addr, port, &sa);
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	for (int i = 0; i < 64; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	end = now_ns() + (int64_t)secs * 1000000000LL;
	while (now_ns() < end) {
		int n = recvmmsg(s, msgs, 64, 0, NULL);
		if (n > 0)
			got += n;
	}
	printf("received=%ld\n", got);
	return 0;
}

static int
udp(const char *dsta, int port, const char *srca, int secs)
{
	struct sockaddr_in src, dst;
	struct mmsghdr msgs[64];
	struct iovec iov;
	static char payload[64];
	int64_t t0, end;
	long sent = 0;
	int s = -1;

	sockaddr_of(dsta, port, &dst);
	sockaddr_of(srca, 0, &src);
	iov.iov_base = payload;
	iov.iov_len = sizeof(payload);
	for (int i = 0; i < 64; i++) {
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now_ns();
	end = t0 + (int64_t)secs * 1000000000LL;
	while (now_ns() < end) {
		int n;
		if (s < 0 || sent % 1024 < 64) {
			if (s >= 0)
				close(s);
			if ((s = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
				die("socket");
			if (bind(s, (struct sockaddr *)&src, sizeof(src)) < 0 ||
			    connect(s, (struct sockaddr *)&dst,
			    sizeof(dst)) < 0)
				die("bind/connect");
		}
		n = sendmmsg(s, msgs, 64, 0);
		if (n > 0)
			sent += n;
		else if (errno != ENOBUFS && errno != EAGAIN &&
		    errno != ECONNREFUSED)
			die("sendmmsg");
	}
	printf("sent=%ld secs=%.3f pps=%.0f\n", sent, (double)(now_ns() - t0) /
	    1e9, (double)sent / ((double)(now_ns() - t0) / 1e9));
	close(s);
	return 0;
}

struct slot {
	int fd;
	int64_t start;
};

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Open the next connection into slot s; false when the socket could not be
 * made (counted as failed). */
static bool
start(struct slot *s, int ep, const struct sockaddr_in *src,
    const struct sockaddr_in *dst)
{
	struct linger lg = { 1, 0 };	/* close by reset */
	struct epoll_event ev = { .events = EPOLLOUT };

	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		die("socket");
	setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (bind(s->fd, (const struct sockaddr *)src, sizeof(*src)) < 0)
		die("bind");
	s->start = now_ns();
	if (connect(s->fd, (const struct sockaddr *)dst, sizeof(*dst)) < 0 &&
	    errno != EINPROGRESS) {
		close(s->fd);
		s->fd = -1;
		return false;
	}
	ev.data.ptr = s;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev) < 0)
		die("epoll_ctl");
	return true;
}

static int
run(const char *dsta, int port, const char *srca, long count, int par)
{
	struct sockaddr_in src, dst;
	struct slot slots[MAX_PARALLEL];
	int64_t *lat = calloc((size_t)count, sizeof(*lat)), t0, t1;
	long started = 0, done = 0, ok = 0, failed = 0;
	int ep = epoll_create1(0);

	if (lat == NULL || ep < 0)
		die("setup");
	sockaddr_of(dsta, port, &dst);
	sockaddr_of(srca, 0, &src);
	for (int i = 0; i < MAX_PARALLEL; i++)
		slots[i].fd = -1;
	t0 = now_ns();
	for (int i = 0; i < par && started < count; i++) {
		started++;
		if (!start(&slots[i], ep, &src, &dst)) {
			failed++;
			done++;
			i--;
		}
	}
	while (done < count) {
		struct epoll_event ev[MAX_PARALLEL];
		int n = epoll_wait(ep, ev, MAX_PARALLEL, 100);
		int64_t t = now_ns();

		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			struct slot *s = ev[i].data.ptr;
			int err = 0;
			socklen_t el = sizeof(err);

			getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &el);
			if (err == 0)
				lat[ok++] = t - s->start;
			else
				failed++;
			close(s->fd);
			s->fd = -1;
			done++;
			while (started < count) {
				started++;
				if (start(s, ep, &src, &dst))
					break;
				failed++;
				done++;
			}
		}
		/* connections that never answer */
		for (int i = 0; i < par && n == 0; i++)
			if (slots[i].fd >= 0 && t - slots[i].start >
			    CONN_TIMEOUT_NS) {
				close(slots[i].fd);
				slots[i].fd = -1;
				failed++;
				done++;
				while (started < count) {
					started++;
					if (start(&slots[i], ep, &src, &dst))
						break;
					failed++;
					done++;
				}
			}
	}
	t1 = now_ns();
	qsort(lat, (size_t)ok, sizeof(*lat), cmp64);
	printf("conns=%ld failed=%ld secs=%.3f rate=%.0f p50_us=%.1f "
	    "p99_us=%.1f\n", ok, failed, (double)(t1 - t0) / 1e9,
	    (double)ok / ((double)(t1 - t0) / 1e9),
	    ok ? (double)lat[(ok - 1) / 2] / 1e3 : 0.0,
	    ok ? (double)lat[(ok * 99 - 1) / 100] / 1e3 : 0.0);
	free(lat);
	return failed ? 1 : 0;
}

static void
usage(void)
{
	fputs("usage: connrate sink ADDR PORT\n"
	    "       connrate udpsink ADDR PORT SECONDS\n"
	    "       connrate udp ADDR PORT --bind SRC --seconds S\n"
	    "       connrate run ADDR PORT --bind SRC --count N "
	    "[--parallel P]\n", stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *src = NULL;
	long count = 0;
	int par = 1;

	if (argc == 4 && strcmp(argv[1], "sink") == 0)
		sink(argv[2], atoi(argv[3]));
	if (argc == 5 && strcmp(argv[1], "udpsink") == 0)
		return udpsink(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 8 && strcmp(argv[1], "udp") == 0 &&
	    strcmp(argv[4], "--bind") == 0 && strcmp(argv[6], "--seconds") == 0)
		return udp(argv[2], atoi(argv[3]), argv[5], atoi(argv[7]));
	if (argc < 4 || strcmp(argv[1], "run") != 0)
		usage();
	for (int i = 4; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--bind") == 0)
			src = argv[i + 1];
		else if (strcmp(argv[i], "--count") == 0)
			count = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--parallel") == 0)
			par = atoi(argv[i + 1]);
		else
			usage();
	}
	if ((argc - 4) % 2 != 0 || src == NULL || count < 1 || par < 1 ||
	    par > MAX_PARALLEL)
		usage();
	return run(argv[2], atoi(argv[3]), src, count, par);
}
