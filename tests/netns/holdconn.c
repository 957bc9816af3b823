/*
 * holdconn — holds connections to a unix stream socket open, for the tests
 * of the control socket's limits.
 *
 *   holdconn SOCKET N SECONDS [--busy SEC | --half]
 *
 * Opens up to N connections without blocking, prints "connected K", then holds them for SECONDS or
 * until SIGTERM/SIGINT.  With --busy each connection asks for the status
 * every SEC seconds and reads its answers, as a client keeping its slot
 * busy; with --half each sends the first bytes of a request and never the
 * rest.  A connection the other side closes is counted; the last line is
 * "held H closed C": C of them closed by the daemon, H still open at the
 * end.  A full backlog is waited on for a second before the opening ends.
 * Exit 0; 2 on usage or when not even one connection could be made.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAXCONN 256

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char status[] = "{\"cmd\":\"status\"}\n";
static const char half[] = "{\"cmd\":\"sta";

int
main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sigaction sa = { .sa_handler = on_signal };
	struct pollfd pfd[MAXCONN];
	long n, secs, every = 0;
	int k = 0, held = 0, closed = 0, halfmode = 0, waits = 0;
	time_t end, next = 0;

	if (argc < 4 || (n = strtol(argv[2], NULL, 10)) <= 0 ||
	    n > MAXCONN || (secs = strtol(argv[3], NULL, 10)) <= 0 ||
	    secs > 600 || strlen(argv[1]) >= sizeof(sun.sun_path))
		goto usage;
	if (argc == 6 && strcmp(argv[4], "--busy") == 0 &&
	    (every = strtol(argv[5], NULL, 10)) > 0 && every <= 60)
		;
	else if (argc == 5 && strcmp(argv[4], "--half") == 0)
		halfmode = 1;
	else if (argc != 4)
		goto usage;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", argv[1]);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (long i = 0; i < n; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			fprintf(stderr, "holdconn: socket: %s\n",
			    strerror(errno));
			break;
		}
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
			close(fd);
			/* the backlog is full: a second at most */
			if (errno == EAGAIN && waits++ < 100) {
				usleep(10000);
				i--;
				continue;
			}
			if (errno == EAGAIN)
				break;
			fprintf(stderr, "holdconn: %s: %s\n", argv[1],
			    strerror(errno));
			break;
		}
		if (halfmode)
			(void)!send(fd, half, sizeof(half) - 1, MSG_NOSIGNAL);
		pfd[k].fd = fd;
		pfd[k].events = POLLIN;
		k++;
	}
	printf("connected %d\n", k);
	fflush(stdout);
	if (k == 0)
		return 2;
	end = time(NULL) + secs;
	while (!stop && time(NULL) < end) {
		time_t now = time(NULL);
		if (every > 0 && now >= next) {
			for (int i = 0; i < k; i++)
				if (pfd[i].fd >= 0)
					(void)!send(pfd[i].fd, status,
					    sizeof(status) - 1, MSG_NOSIGNAL);
			next = now + every;
		}
		if (poll(pfd, (nfds_t)k, 200) <= 0)
			continue;
		for (int i = 0; i < k; i++) {
			char buf[65536];
			ssize_t r;
			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN |
			    POLLHUP | POLLERR)))
				continue;
			while ((r = recv(pfd[i].fd, buf, sizeof(buf),
			    MSG_DONTWAIT)) > 0)
				;
			if (r == 0 || (r < 0 && errno != EAGAIN)) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				closed++;
			}
		}
	}
	for (int i = 0; i < k; i++)
		if (pfd[i].fd >= 0) {
			held++;
			close(pfd[i].fd);
		}
	printf("held %d closed %d\n", held, closed);
	return 0;
usage:
	fprintf(stderr, "usage: holdconn SOCKET N SECONDS [--busy SEC | "
	    "--half]\n");
	return 2;
}
