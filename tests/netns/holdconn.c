/*
 * holdconn — holds connections to a unix stream socket open, for the tests
 * of the control socket's limits.
 *
 *   holdconn SOCKET N SECONDS
 *
 * Opens up to N connections without blocking (a full backlog ends the
 * opening early), prints "connected K", then holds them for SECONDS or
 * until SIGTERM/SIGINT, and exits 0.  Exit 2 on usage or when not even one
 * connection could be made.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sigaction sa = { .sa_handler = on_signal };
	long n, secs;
	int k = 0;
	time_t end;

	if (argc != 4 || (n = strtol(argv[2], NULL, 10)) <= 0 ||
	    (secs = strtol(argv[3], NULL, 10)) <= 0 || secs > 600 ||
	    strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: holdconn SOCKET N SECONDS\n");
		return 2;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", argv[1]);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (long i = 0; i < n; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			fprintf(stderr, "holdconn: socket: %s\n",
			    strerror(errno));
			break;
		}
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
			close(fd);
			if (errno == EAGAIN)
				break;	/* the backlog is full */
			fprintf(stderr, "holdconn: %s: %s\n", argv[1],
			    strerror(errno));
			break;
		}
		k++;
	}
	printf("connected %d\n", k);
	fflush(stdout);
	if (k == 0)
		return 2;
	end = time(NULL) + secs;
	while (!stop && time(NULL) < end)
		sleep(1);
	return 0;
}
