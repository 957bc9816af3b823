/*
 * hastream — long-lived flows for the failover tests of an active/standby
 * pair, and the time each went without traffic.
 *
 *   hastream serve tcp|udp PORT [--bind ADDR] [--timeout SEC]
 *	tcp: every connection gets a stream like a screen transfer, 1000
 *	bytes every 10 ms, while what the client sends is read and dropped;
 *	udp: every datagram is echoed (bind the address the client sends
 *	to: the answer must come from it).
 *   hastream run tcp|udp ADDR PORT --bind SRC [--timeout SEC] [--gap MS]
 *	tcp: connect, read the stream, send 16 bytes of "input" every 100 ms;
 *	udp: a datagram every 10 ms, counting the echoes.
 *	Each time traffic comes back after more than --gap ms (default 300)
 *	without any, a line "gap start=EPOCH_MS ms=N" (EPOCH_MS: the last
 *	data before it).  At SIGTERM/SIGINT or the timeout:
 *	"done bytes=N max_gap_ms=N gaps=N sent=N received=N" and exit 0; if
 *	the connection is reset or closed: "broken reason=... at=EPOCH_MS"
 *	and exit 3; nothing ever received: exit 1.
 *
 * Lines are flushed as they are written.  Exit 2 on usage or a local
 * error.  Every run is bounded by its timeout (at most 3600 s).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 1000		/* bytes the server sends ... */
#define CHUNK_EVERY 10		/* ... every 10 ms */
#define INPUT_EVERY 100		/* ms between client "input" messages */
#define DGRAM_EVERY 10		/* ms between datagrams */
#define MAX_CONN 64

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: hastream serve tcp|udp PORT [--bind ADDR] "
	    "[--timeout SEC]\n"
	    "       hastream run tcp|udp ADDR PORT --bind SRC [--timeout SEC] "
	    "[--gap MS]\n");
	exit(2);
}

static void __attribute__((noreturn))
fail(const char *what)
{
	fprintf(stderr, "hastream: %s: %s\n", what, strerror(errno));
	exit(2);
}

static long
number(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		usage();
	return v;
}

static void
addr(const char *s, long port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (s != NULL && inet_pton(AF_INET, s, &sa->sin_addr) != 1)
		usage();
}

static void
nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* ---------------------------------------------------------------------
 * serve
 */

static int
serve(int tcp, const char *bind_addr, long port, int64_t deadline)
{
	struct sockaddr_in sa;
	struct pollfd fds[MAX_CONN + 1];
	char buf[65536], chunk[CHUNK];
	int n = 1, one = 1, lfd;
	int64_t next = now_ms();

	memset(chunk, 'x', sizeof(chunk));
	addr(bind_addr, port, &sa);
	if ((lfd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0)) < 0)
		fail("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail("bind");
	if (tcp && listen(lfd, 16) < 0)
		fail("listen");
	nonblock(lfd);
	printf("ready\n");
	fflush(stdout);
	fds[0].fd = lfd;
	fds[0].events = POLLIN;
	while (!stop && now_ms() < deadline) {
		int64_t wait = next - now_ms();

		if (poll(fds, (nfds_t)n, wait < 0 ? 0 : (int)wait) < 0 &&
		    errno != EINTR)
			fail("poll");
		if (!tcp) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t r;
			while ((r = recvfrom(lfd, buf, sizeof(buf), 0,
			    (struct sockaddr *)&from, &fl)) > 0) {
				sendto(lfd, buf, (size_t)r, 0,
				    (struct sockaddr *)&from, fl);
				fl = sizeof(from);
			}
			next = now_ms() + 1000;
			continue;
		}
		if (fds[0].revents & POLLIN) {
			int cfd = accept(lfd, NULL, NULL);
			if (cfd >= 0 && n <= MAX_CONN) {
				nonblock(cfd);
				fds[n].fd = cfd;
				fds[n].events = POLLIN;
				fds[n++].revents = 0;
			} else if (cfd >= 0)
				close(cfd);
		}
		for (int i = 1; i < n; i++)
			if (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) {
				ssize_t r = read(fds[i].fd, buf, sizeof(buf));
				if (r == 0 || (r < 0 && errno != EAGAIN)) {
					close(fds[i].fd);
					fds[i--] = fds[--n];
				}
			}
		if (now_ms() >= next) {
			/* the screen goes on changing; what the socket cannot
			 * take now waits in its buffer, as a server's would */
			for (int i = 1; i < n; i++)
				(void)!write(fds[i].fd, chunk, sizeof(chunk));
			next += CHUNK_EVERY;
			if (next < now_ms())
				next = now_ms() + CHUNK_EVERY;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * run
 */

struct tally {
	int64_t last;		/* the last data received, epoch ms */
	int64_t max_gap;
	long gaps, gap_ms;
	uint64_t bytes, sent, received;
};

static void
received(struct tally *t, size_t len)
{
	int64_t now = now_ms();

	if (t->last && now - t->last > t->gap_ms) {
		printf("gap start=%lld ms=%lld\n", (long long)t->last,
		    (long long)(now - t->last));
		fflush(stdout);
		t->gaps++;
	}
	if (t->last && now - t->last > t->max_gap)
		t->max_gap = now - t->last;
	t->last = now;
	t->bytes += len;
	t->received++;
}

static int
run(int tcp, const char *dst, long port, const char *src, int64_t deadline,
    long gap_ms)
{
	struct sockaddr_in sa, sb;
	struct tally t = { .gap_ms = gap_ms };
	char buf[65536], input[16];
	int fd, one = 1;
	int64_t next = now_ms();
	uint32_t seq = 0;

	addr(dst, port, &sa);
	addr(src, 0, &sb);
	memset(input, 'i', sizeof(input));
	if ((fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0)) < 0)
		fail("socket");
	if (bind(fd, (struct sockaddr *)&sb, sizeof(sb)) < 0)
		fail("bind");
	if (tcp)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf("broken reason=connect:%s at=%lld\n", strerror(errno),
		    (long long)now_ms());
		return 3;
	}
	nonblock(fd);
	{
		struct sockaddr_in me;
		socklen_t ml = sizeof(me);
		getsockname(fd, (struct sockaddr *)&me, &ml);
		printf("connected sport=%u\n", ntohs(me.sin_port));
		fflush(stdout);
	}
	while (!stop && now_ms() < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t wait = next - now_ms();
		ssize_t r;

		if (poll(&p, 1, wait < 0 ? 0 : (int)wait) < 0 && errno != EINTR)
			fail("poll");
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			received(&t, (size_t)r);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR &&
		    (tcp || errno != ECONNREFUSED))) {
			printf("broken reason=%s at=%lld bytes=%llu\n", r == 0 ?
			    "closed" : strerror(errno), (long long)now_ms(),
			    (unsigned long long)t.bytes);
			return 3;
		}
		if (now_ms() < next)
			continue;
		if (tcp) {
			if (write(fd, input, sizeof(input)) < 0 &&
			    errno != EAGAIN) {
				printf("broken reason=%s at=%lld bytes=%llu\n",
				    strerror(errno), (long long)now_ms(),
				    (unsigned long long)t.bytes);
				return 3;
			}
			next += INPUT_EVERY;
		} else {
			uint32_t s = htonl(seq++);
			memcpy(input, &s, sizeof(s));
			if (write(fd, input, sizeof(input)) > 0)
				t.sent++;
			next += DGRAM_EVERY;
		}
		t.sent += tcp;
		if (next < now_ms())
			next = now_ms();
	}
	if (t.last && now_ms() - t.last > t.max_gap)
		t.max_gap = now_ms() - t.last;
	printf("done bytes=%llu max_gap_ms=%lld gaps=%ld sent=%llu "
	    "received=%llu\n", (unsigned long long)t.bytes,
	    (long long)t.max_gap, t.gaps, (unsigned long long)t.sent,
	    (unsigned long long)t.received);
	return t.received ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char *src = NULL;
	long timeout = 600, gap = 300;
	int tcp, pos = 0;
	char *args[4];

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			timeout = number(argv[++i], 1, 3600);
		else if (strcmp(argv[i], "--gap") == 0 && i + 1 < argc)
			gap = number(argv[++i], 10, 60000);
		else if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc)
			src = argv[++i];
		else if (pos < 4)
			args[pos++] = argv[i];
		else
			usage();
	}
	if (pos < 3)
		usage();
	if (strcmp(args[1], "tcp") != 0 && strcmp(args[1], "udp") != 0)
		usage();
	tcp = strcmp(args[1], "tcp") == 0;
	if (strcmp(args[0], "serve") == 0 && pos == 3)
		return serve(tcp, src, number(args[2], 1, 65535), now_ms() +
		    timeout * 1000);
	if (strcmp(args[0], "run") == 0 && pos == 4 && src != NULL)
		return run(tcp, args[2], number(args[3], 1, 65535), src,
		    now_ms() + timeout * 1000, gap);
	usage();
}
