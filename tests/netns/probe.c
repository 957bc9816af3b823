/*
 * probe — traffic tool of the netns tests.
 *
 *   probe listen tcp|udp PORT [--bind ADDR] [--count N] [--timeout SEC]
 *   probe connect tcp|udp ADDR PORT [--bind SRC] [--sport N]
 *	[--timeout SEC] [--hold SEC] [--every MS]
 *   probe ping ADDR [--bind SRC] [--timeout SEC] [--count N]
 *   probe inject IFACE --src-mac MAC --dst-mac MAC --src IP --dst IP
 *	--proto tcp|udp|icmp [--dport N] [--sport N] [--count N] [--vlan ID]
 *	[--type N]
 *   probe sniff IFACE FILTER [--timeout SEC] [--expect N]
 *   probe mac IFACE
 *   probe flood tcp ADDR PORT --count N [--bind SRC]
 *   probe unix SOCKET LINE
 *
 * Exit codes: 0 success; 1 the network said no (refused, unreachable,
 * timeout, no reply, count mismatch); 2 usage or local system error
 * ("probe: ..." on stderr); 3 a held connection broke.
 *
 * Every command is bounded in time.  SIGTERM and SIGINT are blocked except
 * inside ppoll(), so a signal ends the current wait at once and the command
 * finishes cleanly (listen exits 0, sniff reports its count).
 */
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "addr.h"
#include "frames.h"
#include "pkt.h"

#define EXIT_FAIL	1	/* the network refused / did not answer */
#define EXIT_USAGE	2	/* usage or local system error */
#define EXIT_BROKEN	3	/* a held connection broke */

#define SECS_MAX	3600	/* upper bound of every --timeout / --hold */
#define ADDRSTR		80	/* address with a %scope */
#define LINE_LEN	512	/* longest line we keep */

#define LISTEN_COUNT	1000
#define LISTEN_TIMEOUT	10000
#define LISTEN_MAXCONN	256	/* concurrent TCP connections */
#define CONNECT_TIMEOUT	3000
#define HOLD_EVERY	200	/* a hello every 0.2 s during --hold */
#define HOLD_ANSWER	1000	/* ... answered within 1 s */
#define HOLD_MAXOUT	16	/* unanswered hellos we track */
#define PING_TIMEOUT	2000
#define PING_COUNT	3
#define PING_MAX	1000
#define PING_EVERY	200
#define INJECT_COUNT	3
#define INJECT_MAX	100000
#define INJECT_EVERY	50
#define INJECT_SPORT	40000
#define SNIFF_TIMEOUT	3000
#define FLOOD_MAX	100000
#define FLOOD_CAP	30000	/* total time of a flood */
#define FLOOD_WAIT	200	/* each attempt lives this long */
#define FLOOD_PAR	256	/* attempts in flight */

static const char hello[] = "hello\n";

static volatile sig_atomic_t stop;
static sigset_t waitmask;	/* the mask inside ppoll(): TERM/INT open */

/* --- errors, time, waiting ------------------------------------------------ */

static void die(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));
static void dieerr(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));
static void usage(FILE *, int) __attribute__((noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("probe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

/* die() with ": strerror(errno)" appended. */
static void
dieerr(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fflush(stdout);
	fputs("probe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
	exit(EXIT_USAGE);
}

static void
usage(FILE *f, int code)
{
	fputs(
"usage: probe listen tcp|udp PORT [--bind ADDR] [--count N] [--timeout SEC]\n"
"       probe connect tcp|udp ADDR PORT [--bind SRC] [--sport N]\n"
"             [--timeout SEC] [--hold SEC] [--every MS]\n"
"       probe ping ADDR [--bind SRC] [--timeout SEC] [--count N]\n"
"       probe inject IFACE --src-mac MAC --dst-mac MAC --src IP --dst IP\n"
"             --proto tcp|udp|icmp [--dport N] [--sport N] [--count N]\n"
"             [--vlan ID] [--type N]\n"
"       probe sniff IFACE FILTER [--timeout SEC] [--expect N] "
"[--write FILE]\n"
"       probe mac IFACE\n"
"       probe flood tcp ADDR PORT --count N [--bind SRC]\n"
"       probe unix SOCKET LINE\n"
"exit: 0 ok, 1 refused/timeout/no reply/mismatch, 2 usage or system error,\n"
"      3 held connection broke\n", f);
	exit(code);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
signals_setup(void)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: ppoll sees EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
}

/*
 * Wait for fds (may be none: a sleep) until deadline, monotonic ms.  The
 * only place signals are delivered.  Returns the number of ready fds, 0 on
 * timeout or signal (stop is then set).
 */
static int
wait_fds(struct pollfd *fds, nfds_t n, int64_t deadline)
{
	struct timespec ts;
	int64_t left = deadline - now_ms();
	int r;

	if (left < 0)
		left = 0;
	ts.tv_sec = left / 1000;
	ts.tv_nsec = (long)(left % 1000) * 1000000;
	r = ppoll(fds, n, &ts, &waitmask);
	if (r == -1) {
		if (errno == EINTR)
			return 0;
		dieerr("poll");
	}
	return r;
}

/* --- arguments ------------------------------------------------------------ */

enum opt {
	O_BIND, O_SPORT, O_DPORT, O_COUNT, O_TIMEOUT, O_HOLD, O_EXPECT,
	O_VLAN, O_SRC, O_DST, O_SRC_MAC, O_DST_MAC, O_PROTO, O_WRITE, O_TYPE,
	O_EVERY, O_NOPT
};

static const char *const opt_name[O_NOPT] = {
	"bind", "sport", "dport", "count", "timeout", "hold", "expect",
	"vlan", "src", "dst", "src-mac", "dst-mac", "proto", "write", "type",
	"every",
};

#define OPT(o)	(1u << (o))
#define POS_MAX	3

struct args {
	const char *cmd;
	const char *pos[POS_MAX];
	const char *opt[O_NOPT];	/* NULL when not given */
};

/* argv after the command: exactly npos positionals, options from allowed. */
static void
parse_args(int argc, char **argv, int npos, unsigned allowed, struct args *a)
{
	int n = 0;

	for (int i = 0; i < argc; i++) {
		const char *s = argv[i], *val, *eq;
		size_t len;
		int o;

		if (strncmp(s, "--", 2) != 0 || s[2] == '\0') {
			if (n == npos)
				die("%s: unexpected argument \"%s\"", a->cmd,
				    s);
			a->pos[n++] = s;
			continue;
		}
		s += 2;
		eq = strchr(s, '=');
		len = eq ? (size_t)(eq - s) : strlen(s);
		for (o = 0; o < O_NOPT; o++)
			if (strlen(opt_name[o]) == len &&
			    strncmp(opt_name[o], s, len) == 0)
				break;
		if (o == O_NOPT || !(allowed & OPT(o)))
			die("%s: unknown option --%.*s", a->cmd, (int)len, s);
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			die("%s: --%s needs a value", a->cmd, opt_name[o]);
		if (a->opt[o] != NULL)
			die("%s: --%s given twice", a->cmd, opt_name[o]);
		a->opt[o] = val;
	}
	if (n != npos)
		die("%s: expected %d argument%s, got %d (probe --help)",
		    a->cmd, npos, npos == 1 ? "" : "s", n);
}

static long
parse_long(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		die("%s: invalid value \"%s\" (%ld..%ld)", what, s, min, max);
	return v;
}

static long
opt_long(const struct args *a, enum opt o, long def, long min, long max)
{
	char what[32];

	if (a->opt[o] == NULL)
		return def;
	snprintf(what, sizeof(what), "--%s", opt_name[o]);
	return parse_long(a->opt[o], min, max, what);
}

/* Seconds (fractions allowed) as ms, in (0, SECS_MAX]. */
static int64_t
opt_secs(const struct args *a, enum opt o, int64_t def)
{
	const char *s = a->opt[o];
	char *end;
	double v;

	if (s == NULL)
		return def;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !isfinite(v) || v <= 0 ||
	    v > SECS_MAX)
		die("--%s: invalid value \"%s\" (seconds, 0..%d)", opt_name[o],
		    s, SECS_MAX);
	return v < 0.001 ? 1 : (int64_t)(v * 1000 + 0.5);
}

static int
parse_proto(const char *s, int udp_ok)
{
	if (strcmp(s, "tcp") == 0)
		return SOCK_STREAM;
	if (udp_ok && strcmp(s, "udp") == 0)
		return SOCK_DGRAM;
	die("invalid protocol \"%s\" (%s)", s, udp_ok ? "tcp or udp" : "tcp");
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;

	if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

/* --- socket addresses ----------------------------------------------------- */

static socklen_t
sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

static void
sa_set_port(struct sockaddr_storage *ss, long port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

static int
sa_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/* A numeric address of either family ("fe80::1%eth0" too), with port. */
static void
resolve(const char *host, long port, struct sockaddr_storage *ss,
    const char *what)
{
	struct addrinfo hints, *res;
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if ((r = getaddrinfo(host, NULL, &hints, &res)) != 0)
		die("%s: invalid address \"%s\"", what, host);
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	sa_set_port(ss, port);
}

/* The wildcard address of the family, with port. */
static void
any_addr(int family, long port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	sa_set_port(ss, port);
}

/* The address alone; an IPv4-mapped IPv6 address prints as IPv4. */
static char *
sa_host(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], buf,
		    (socklen_t)len);
		return buf;
	}
	if (getnameinfo((const struct sockaddr *)ss, sa_len(ss), buf,
	    (socklen_t)len, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(buf, len, "?");
	return buf;
}

static void
setopt_int(int fd, int level, int name, int val, const char *what)
{
	if (setsockopt(fd, level, name, &val, sizeof(val)) == -1)
		dieerr("setsockopt %s", what);
}

/* Close with RST: no TIME_WAIT left behind. */
static void
close_abort(int fd)
{
	struct linger l = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

/* Errors that are the network's (or a firewall's) answer, not ours. */
static int
net_errno(int e)
{
	switch (e) {
	case ECONNREFUSED: case ETIMEDOUT: case ECONNRESET: case EHOSTUNREACH:
	case ENETUNREACH: case EHOSTDOWN: case ENETDOWN: case EPERM:
	case EACCES: case EPIPE: case ECONNABORTED: case EPROTO:
		return 1;
	}
	return 0;
}

static const char *
net_strerror(int e)
{
	switch (e) {
	case 0:			return "connection closed";
	case ECONNREFUSED:	return "connection refused";
	case ETIMEDOUT:		return "timeout";
	case ECONNRESET:	return "connection reset";
	case EHOSTUNREACH:	return "host unreachable";
	case ENETUNREACH:	return "network unreachable";
	case EPERM:		return "operation not permitted";
	}
	return strerror(e);
}

/* --- listen --------------------------------------------------------------- */

struct conn {
	int fd;
	int skip;		/* inside an overlong line */
	size_t len;
	char peer[ADDRSTR];
	char local[ADDRSTR];
	char buf[LINE_LEN];
};

static int
listen_socket(int type, const char *bind_addr, long port)
{
	struct sockaddr_storage ss;
	char host[ADDRSTR];
	int fd;

	if (bind_addr != NULL)
		resolve(bind_addr, port, &ss, "--bind");
	else
		any_addr(AF_INET6, port, &ss);
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 && bind_addr == NULL && errno == EAFNOSUPPORT) {
		any_addr(AF_INET, port, &ss);	/* kernel without IPv6 */
		fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd == -1)
		dieerr("socket");
	setopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (ss.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(
	    &((struct sockaddr_in6 *)&ss)->sin6_addr))
		setopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0, "IPV6_V6ONLY");
	/* An IPv6 address may still be tentative (DAD) when a test starts. */
	if (bind_addr != NULL)
		setopt_int(fd, IPPROTO_IP, IP_FREEBIND, 1, "IP_FREEBIND");
	if (type == SOCK_DGRAM) {
		if (ss.ss_family == AF_INET6)
			setopt_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1,
			    "IPV6_RECVPKTINFO");
		setopt_int(fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO");
	}
	if (bind(fd, (struct sockaddr *)&ss, sa_len(&ss)) == -1)
		dieerr("bind %s port %ld", sa_host(&ss, host, sizeof(host)),
		    port);
	if (type == SOCK_STREAM && listen(fd, SOMAXCONN) == -1)
		dieerr("listen");
	return fd;
}

static void
conn_answer(struct conn *c)
{
	char out[2 * ADDRSTR + 8];
	int n;

	n = snprintf(out, sizeof(out), "ok %s %s\n", c->peer, c->local);
	/* A client that does not read its answers is dropped on EAGAIN. */
	if (send(c->fd, out, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) != n) {
		close(c->fd);
		c->fd = -1;
	}
}

/* One read; answer every complete line.  c->fd is -1 when closed. */
static void
conn_serve(struct conn *c)
{
	ssize_t n;
	char *nl;

	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		if (n == 0 && (c->len > 0 || c->skip))	/* no final \n */
			conn_answer(c);
		if (c->fd != -1)
			close(c->fd);
		c->fd = -1;
		return;
	}
	c->len += (size_t)n;
	while (c->fd != -1 && (nl = memchr(c->buf, '\n', c->len)) != NULL) {
		size_t used = (size_t)(nl - c->buf) + 1;

		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
		c->skip = 0;
		conn_answer(c);
	}
	if (c->len == sizeof(c->buf)) {	/* overlong: answered at its end */
		c->len = 0;
		c->skip = 1;
	}
}

static void
listen_tcp(int lfd, long count, int64_t deadline)
{
	struct conn *conns;
	struct pollfd pfd[LISTEN_MAXCONN + 1];
	long accepted = 0;
	int nconn = 0;

	if ((conns = calloc(LISTEN_MAXCONN, sizeof(*conns))) == NULL)
		dieerr("calloc");
	while (!stop && now_ms() < deadline &&
	    (accepted < count || nconn > 0)) {
		nfds_t n = 0;
		int listening = accepted < count && nconn < LISTEN_MAXCONN;

		if (listening)
			pfd[n++] = (struct pollfd){ .fd = lfd,
			    .events = POLLIN };
		for (int i = 0; i < nconn; i++)
			pfd[n++] = (struct pollfd){ .fd = conns[i].fd,
			    .events = POLLIN };
		if (wait_fds(pfd, n, deadline) <= 0)
			continue;
		for (int i = 0; i < nconn; i++)
			if (pfd[i + listening].revents)
				conn_serve(&conns[i]);
		for (int i = 0; i < nconn; i++)	/* drop the closed ones */
			if (conns[i].fd == -1)
				conns[i--] = conns[--nconn];
		if (!listening || !pfd[0].revents)
			continue;
		while (accepted < count && nconn < LISTEN_MAXCONN) {
			struct sockaddr_storage peer, local;
			socklen_t plen = sizeof(peer), llen = sizeof(local);
			struct conn *c = &conns[nconn];
			int fd;

			fd = accept4(lfd, (struct sockaddr *)&peer, &plen,
			    SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd == -1) {
				/* Pending network errors count as EAGAIN. */
				if (errno == EAGAIN || errno == EINTR ||
				    net_errno(errno))
					break;
				dieerr("accept");
			}
			if (getsockname(fd, (struct sockaddr *)&local,
			    &llen) == -1)
				dieerr("getsockname");
			c->fd = fd;
			c->skip = 0;
			c->len = 0;
			sa_host(&peer, c->peer, sizeof(c->peer));
			sa_host(&local, c->local, sizeof(c->local));
			printf("got tcp %s %d\n", c->peer, sa_port(&peer));
			nconn++;
			accepted++;
		}
	}
	for (int i = 0; i < nconn; i++)
		close(conns[i].fd);
	free(conns);
}

/* The datagram's destination address from IP_PKTINFO / IPV6_PKTINFO. */
static int
udp_local(struct msghdr *msg, int family, long port,
    struct sockaddr_storage *local)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm != NULL;
	    cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO && family == AF_INET6) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			any_addr(AF_INET6, port, local);
			((struct sockaddr_in6 *)local)->sin6_addr =
			    pi.ipi6_addr;
			return 0;
		}
		if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO && family == AF_INET) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			any_addr(AF_INET, port, local);
			((struct sockaddr_in *)local)->sin_addr = pi.ipi_addr;
			return 0;
		}
	}
	return -1;
}

/* Answer from the address the datagram was sent to. */
static void
udp_answer(int fd, const struct sockaddr_storage *peer,
    const struct sockaddr_storage *local, int have_local, const char *text,
    size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)text,
	    .iov_len = len };
	struct msghdr msg;
	struct cmsghdr *cm;

	memset(&msg, 0, sizeof(msg));
	memset(&cbuf, 0, sizeof(cbuf));
	msg.msg_name = (void *)(uintptr_t)peer;
	msg.msg_namelen = sa_len(peer);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (have_local) {
		msg.msg_control = cbuf.buf;
		cm = (struct cmsghdr *)cbuf.buf;
		if (local->ss_family == AF_INET6) {
			struct in6_pktinfo pi = { .ipi6_addr =
			    ((const struct sockaddr_in6 *)local)->sin6_addr };

			msg.msg_controllen = CMSG_SPACE(sizeof(pi));
			cm->cmsg_level = IPPROTO_IPV6;
			cm->cmsg_type = IPV6_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		} else {
			struct in_pktinfo pi = { .ipi_spec_dst =
			    ((const struct sockaddr_in *)local)->sin_addr };

			msg.msg_controllen = CMSG_SPACE(sizeof(pi));
			cm->cmsg_level = IPPROTO_IP;
			cm->cmsg_type = IP_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		}
	}
	if (sendmsg(fd, &msg, MSG_DONTWAIT) != -1)
		return;
	/* A broadcast or multicast destination is no source: let the
	 * kernel choose. */
	msg.msg_control = NULL;
	msg.msg_controllen = 0;
	if (sendmsg(fd, &msg, MSG_DONTWAIT) == -1)
		fprintf(stderr, "probe: udp answer: %s\n", strerror(errno));
}

static void
listen_udp(int fd, long port, long count, int64_t deadline)
{
	struct sockaddr_storage self;
	socklen_t slen = sizeof(self);
	long served = 0;

	if (getsockname(fd, (struct sockaddr *)&self, &slen) == -1)
		dieerr("getsockname");
	while (!stop && now_ms() < deadline && served < count) {
		union {
			char buf[256];
			struct cmsghdr align;
		} cbuf;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_storage peer, local;
		char data[2048], ph[ADDRSTR], lh[ADDRSTR], out[2 * ADDRSTR + 8];
		struct iovec iov = { .iov_base = data,
		    .iov_len = sizeof(data) };
		struct msghdr msg;
		int have_local, n;

		if (wait_fds(&pfd, 1, deadline) <= 0)
			continue;
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &peer;
		msg.msg_namelen = sizeof(peer);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		if (recvmsg(fd, &msg, MSG_DONTWAIT) == -1) {
			if (errno == EAGAIN || errno == EINTR ||
			    net_errno(errno))
				continue;
			dieerr("recvmsg");
		}
		have_local = udp_local(&msg, self.ss_family, port, &local) == 0;
		if (!have_local)
			local = self;
		sa_host(&peer, ph, sizeof(ph));
		sa_host(&local, lh, sizeof(lh));
		printf("got udp %s %d\n", ph, sa_port(&peer));
		n = snprintf(out, sizeof(out), "ok %s %s\n", ph, lh);
		udp_answer(fd, &peer, &local, have_local, out, (size_t)n);
		served++;
	}
}

static int
cmd_listen(struct args *a)
{
	int type = parse_proto(a->pos[0], 1);
	long port = parse_long(a->pos[1], 1, 65535, "PORT");
	long count = opt_long(a, O_COUNT, LISTEN_COUNT, 1, 1000000);
	int64_t deadline = now_ms() + opt_secs(a, O_TIMEOUT, LISTEN_TIMEOUT);
	int fd;

	fd = listen_socket(type, a->opt[O_BIND], port);
	printf("ready\n");
	fflush(stdout);
	if (type == SOCK_STREAM)
		listen_tcp(fd, count, deadline);
	else
		listen_udp(fd, port, count, deadline);
	close(fd);
	return 0;
}

/* --- connect -------------------------------------------------------------- */

/* The client's side: answers are lines (TCP) or datagrams (UDP), kept in
 * buf as lines either way. */
struct peer {
	int fd;
	int stream;
	size_t len;
	char buf[2 * LINE_LEN];
};

static int
client_socket(int type, const struct sockaddr_storage *dst,
    const char *bind_addr, long sport)
{
	struct sockaddr_storage src;
	char host[ADDRSTR];
	int fd;

	fd = socket(dst->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		dieerr("socket");
	if (bind_addr == NULL && sport == 0)
		return fd;
	if (bind_addr != NULL) {
		resolve(bind_addr, sport, &src, "--bind");
		if (src.ss_family != dst->ss_family)
			die("--bind %s: not the family of the destination",
			    bind_addr);
	} else
		any_addr(dst->ss_family, sport, &src);
	if (sport != 0)
		setopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (bind(fd, (struct sockaddr *)&src, sa_len(&src)) == -1)
		dieerr("bind %s port %ld", sa_host(&src, host, sizeof(host)),
		    sport);
	return fd;
}

/* Non-blocking connect within the deadline: 0, or an errno. */
static int
tcp_connect(int fd, const struct sockaddr_storage *dst, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int e;

	if (connect(fd, (const struct sockaddr *)dst, sa_len(dst)) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return errno;
	while (wait_fds(&pfd, 1, deadline) == 0) {
		if (stop)
			return EINTR;
		if (now_ms() >= deadline)
			return ETIMEDOUT;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		return errno;
	return e;
}

/* One non-blocking read into p->buf: 1 data, 0 nothing yet, -1 closed or
 * failed (errno set; 0 for an orderly close). */
static int
peer_read(struct peer *p)
{
	char dgram[LINE_LEN];
	size_t room = sizeof(p->buf) - p->len;
	ssize_t n;

	if (p->stream) {
		if (room == 0) {	/* an overlong line: drop it */
			p->len = 0;
			room = sizeof(p->buf);
		}
		n = recv(p->fd, p->buf + p->len, room, MSG_DONTWAIT);
	} else
		n = recv(p->fd, dgram, sizeof(dgram), MSG_DONTWAIT);
	if (n == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0 && p->stream) {
		errno = 0;
		return -1;
	}
	if (!p->stream) {	/* the datagram as one line */
		if (n > 0 && dgram[n - 1] == '\n')
			n--;
		if ((size_t)n + 1 > room)
			return 1;	/* nobody reads them: drop */
		memcpy(p->buf + p->len, dgram, (size_t)n);
		p->len += (size_t)n;
		p->buf[p->len++] = '\n';
		return 1;
	}
	p->len += (size_t)n;
	return 1;
}

/* Take one complete answer line (without \r\n) out of p: 1, or 0. */
static int
peer_line(struct peer *p, char *out, size_t outlen)
{
	char *nl = memchr(p->buf, '\n', p->len);
	size_t used, n;

	if (nl == NULL)
		return 0;
	n = (size_t)(nl - p->buf);
	used = n + 1;
	if (n > 0 && p->buf[n - 1] == '\r')
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p->buf, n);
	out[n] = '\0';
	memmove(p->buf, p->buf + used, p->len - used);
	p->len -= used;
	return 1;
}

/* Wait for an answer line until deadline: 0, or -1 with *err set to an
 * errno (ETIMEDOUT, EINTR on a signal, 0 when the peer closed). */
static int
peer_answer(struct peer *p, char *out, size_t outlen, int64_t deadline,
    int *err)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

	for (;;) {
		if (peer_line(p, out, outlen))
			return 0;
		if (stop) {
			*err = EINTR;
			return -1;
		}
		if (now_ms() >= deadline) {
			*err = ETIMEDOUT;
			return -1;
		}
		if (wait_fds(&pfd, 1, deadline) > 0 && peer_read(p) == -1) {
			*err = errno;
			return -1;
		}
	}
}

static int
send_hello(int fd)
{
	ssize_t n = send(fd, hello, sizeof(hello) - 1,
	    MSG_NOSIGNAL | MSG_DONTWAIT);

	return n == (ssize_t)sizeof(hello) - 1 ? 0 : -1;
}

/* The wall clock in ms, to say when the last answer came (the tests
 * compare it with the moment they changed the gateway). */
static double
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
}

/*
 * After the first answer: a hello every `every` ms (HOLD_EVERY by
 * default), each answered within HOLD_ANSWER ms, for hold_ms.  0 when the
 * connection lived through it; when it broke, the wall-clock time of the
 * last answer is printed too.
 */
static int
hold(struct peer *p, int64_t hold_ms, int64_t every)
{
	int64_t start = now_ms(), end = start + hold_ms;
	int64_t next = start + every, sent[HOLD_MAXOUT], at = 0;
	double last = wall_ms();
	int head = 0, nout = 0;
	const char *why = NULL;
	char line[LINE_LEN];

	for (;;) {
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
		int64_t t = now_ms(), wake;

		if (stop) {
			fprintf(stderr, "fail: interrupted\n");
			return EXIT_FAIL;
		}
		if (nout > 0 && t - sent[head] >= HOLD_ANSWER) {
			why = "no answer within 1s";
			at = sent[head];
			break;
		}
		if (t >= end)
			return 0;
		if (t >= next) {
			if (nout == HOLD_MAXOUT) {
				why = "too many unanswered";
				at = t;
				break;
			}
			if (send_hello(p->fd) == -1) {
				why = net_strerror(errno);
				at = t;
				break;
			}
			sent[(head + nout++) % HOLD_MAXOUT] = t;
			next += every;
			if (next <= t)
				next = t + every;
			continue;
		}
		wake = min64(next, end);
		if (nout > 0)
			wake = min64(wake, sent[head] + HOLD_ANSWER);
		if (wait_fds(&pfd, 1, wake) > 0 && peer_read(p) == -1) {
			why = net_strerror(errno);
			at = now_ms();
			break;
		}
		while (peer_line(p, line, sizeof(line)))
			if (nout > 0) {
				head = (head + 1) % HOLD_MAXOUT;
				nout--;
				last = wall_ms();
			}
	}
	fprintf(stderr, "broken after %.1fs: %s\nlast answer at %.3f\n",
	    (double)(at - start) / 1000, why, last / 1000);
	return EXIT_BROKEN;
}

static int
cmd_connect(struct args *a)
{
	int type = parse_proto(a->pos[0], 1);
	long port = parse_long(a->pos[2], 1, 65535, "PORT");
	long sport = opt_long(a, O_SPORT, 0, 1, 65535);
	int64_t timeout = opt_secs(a, O_TIMEOUT, CONNECT_TIMEOUT);
	int64_t hold_ms = opt_secs(a, O_HOLD, 0);
	int64_t every = opt_long(a, O_EVERY, HOLD_EVERY, 1, 1000);
	int64_t deadline = now_ms() + timeout;
	struct sockaddr_storage dst;
	struct peer peer, *p = &peer;
	char line[LINE_LEN];
	int e, rc;

	resolve(a->pos[1], port, &dst, "ADDR");
	memset(p, 0, sizeof(*p));
	p->stream = type == SOCK_STREAM;
	p->fd = client_socket(type, &dst, a->opt[O_BIND], sport);
	if (p->stream)
		e = tcp_connect(p->fd, &dst, deadline);
	else if (connect(p->fd, (struct sockaddr *)&dst, sa_len(&dst)) == -1)
		e = errno;
	else
		e = 0;
	if (e != 0) {
		if (!net_errno(e) && e != EINTR) {
			errno = e;
			dieerr("connect");
		}
		fprintf(stderr, "fail: %s\n", e == EINTR ? "interrupted" :
		    net_strerror(e));
		return EXIT_FAIL;
	}
	if (send_hello(p->fd) == -1) {
		if (!net_errno(errno))
			dieerr("send");
		fprintf(stderr, "fail: %s\n", net_strerror(errno));
		return EXIT_FAIL;
	}
	if (peer_answer(p, line, sizeof(line), deadline, &e) == -1) {
		fprintf(stderr, "fail: %s\n", e == EINTR ? "interrupted" :
		    e == 0 ? "connection closed before the answer" :
		    net_strerror(e));
		return EXIT_FAIL;
	}
	printf("%s\n", line);
	fflush(stdout);
	rc = hold_ms > 0 ? hold(p, hold_ms, every) : 0;
	/* A fixed source port must be reusable at once: no TIME_WAIT. */
	if (p->stream && sport != 0)
		close_abort(p->fd);
	else
		close(p->fd);
	return rc;
}

/* --- ping ----------------------------------------------------------------- */

#define PING_DATA	"zoned probe echo 0123456789abcdefghijklmnopqrstuvwxyz"

/* An echo request: ICMP, or ICMPv6 (summed by the kernel). */
static void
ping_packet(struct frame *f, int v6, uint16_t id, unsigned seq)
{
	frames_init(f);
	frames_icmp(f, v6 ? ICMP6_ECHO_REQUEST : 8, 0, id, seq);
	frames_putn(f, PING_DATA, sizeof(PING_DATA) - 1);
	if (!v6)
		frames_csum(f, FRAMES_CSUM_L4);
}

static int
cmd_ping(struct args *a)
{
	long count = opt_long(a, O_COUNT, PING_COUNT, 1, PING_MAX);
	int64_t start = now_ms();
	int64_t deadline = start + opt_secs(a, O_TIMEOUT, PING_TIMEOUT);
	int64_t next = start;
	uint8_t seen[PING_MAX / 8 + 1];
	struct sockaddr_storage dst, src;
	uint16_t id = (uint16_t)getpid();
	long sent = 0, received = 0;
	int fd, v6, send_err = 0;

	memset(seen, 0, sizeof(seen));
	resolve(a->pos[0], 0, &dst, "ADDR");
	v6 = dst.ss_family == AF_INET6;
	fd = socket(dst.ss_family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (fd == -1)
		dieerr("raw socket (root or CAP_NET_RAW needed)");
	if (v6) {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f,
		    sizeof(f)) == -1)
			dieerr("setsockopt ICMP6_FILTER");
	}
	if (a->opt[O_BIND] != NULL) {
		resolve(a->opt[O_BIND], 0, &src, "--bind");
		if (src.ss_family != dst.ss_family)
			die("--bind %s: not the family of the destination",
			    a->opt[O_BIND]);
		if (bind(fd, (struct sockaddr *)&src, sa_len(&src)) == -1)
			dieerr("bind %s", a->opt[O_BIND]);
	}

	while (!stop && received < count) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t t = now_ms();

		if (t >= deadline)
			break;
		if (sent < count && t >= next) {
			struct frame pkt;

			ping_packet(&pkt, v6, id, (unsigned)sent);
			if (sendto(fd, pkt.b, pkt.len, 0,
			    (struct sockaddr *)&dst, sa_len(&dst)) == -1) {
				if (!net_errno(errno))
					dieerr("sendto");
				send_err = errno;
			}
			sent++;
			next = t + PING_EVERY;
			continue;
		}
		if (wait_fds(&pfd, 1, sent < count ? min64(next, deadline) :
		    deadline) <= 0)
			continue;
		for (;;) {
			struct sockaddr_storage from;
			socklen_t flen = sizeof(from);
			uint8_t buf[2048], *icmp = buf;
			ssize_t n;
			unsigned seq;
			int same;

			n = recvfrom(fd, buf, sizeof(buf), 0,
			    (struct sockaddr *)&from, &flen);
			if (n == -1)
				break;
			if (!v6) {	/* a raw IPv4 socket gets the header */
				size_t ihl = (size_t)(buf[0] & 0x0f) * 4;

				if (n < 20 || (size_t)n < ihl + 8)
					continue;
				icmp = buf + ihl;
				n -= (ssize_t)ihl;
				same = ((struct sockaddr_in *)&from)->
				    sin_addr.s_addr ==
				    ((struct sockaddr_in *)&dst)->
				    sin_addr.s_addr;
			} else
				same = memcmp(&((struct sockaddr_in6 *)&from)->
				    sin6_addr, &((struct sockaddr_in6 *)&dst)->
				    sin6_addr, 16) == 0;
			if (n < 8 || !same ||
			    icmp[0] != (v6 ? ICMP6_ECHO_REPLY : 0) ||
			    (icmp[4] << 8 | icmp[5]) != id)
				continue;
			seq = (unsigned)(icmp[6] << 8 | icmp[7]);
			if (seq >= (unsigned)sent || seen[seq / 8] &
			    (1u << (seq % 8)))
				continue;
			seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
			received++;
		}
	}
	close(fd);
	printf("sent %ld received %ld\n", sent, received);
	if (received == 0 && send_err != 0)
		fprintf(stderr, "fail: %s\n", net_strerror(send_err));
	return received > 0 ? 0 : EXIT_FAIL;
}

/* --- inject --------------------------------------------------------------- */

struct frame_spec {
	uint8_t src_mac[6], dst_mac[6];
	int v6;
	uint8_t src[16], dst[16];
	int proto;		/* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP */
	uint16_t sport, dport;	/* ICMP: sport is the echo identifier */
	uint8_t icmp_type;	/* ICMP (IPv4): the type, 8 by default */
	int vlan;		/* -1: untagged */
};

#define FRAME_MAX	128	/* what the parse-back check reads: the frame,
				 * then zeros */
_Static_assert(FRAME_MAX <= FRAMES_MAX, "a frame buffer holds FRAME_MAX");
#define ETH_MIN		60	/* shortest frame without the FCS */
#define UDP_DATA	"hello\n"
#define ICMP_DATA	"zoned probe inject\n"

/* A whole Ethernet frame, checksums done; seq varies id/sequence fields. */
static size_t
build_frame(const struct frame_spec *fs, unsigned seq, struct frame *f)
{
	static const uint8_t mss[4] = { 2, 4, 1460 >> 8, 1460 & 0xff };
	struct frames_spec s = {
		.nvlan = fs->vlan >= 0,
		.vlan = { (uint16_t)(fs->vlan >= 0 ? fs->vlan : 0) },
		.family = fs->v6 ? ADDR_V6 : ADDR_V4,
		.ip_id = (0x7000 + seq) & 0xffff,
		.df = true,
		.sport = fs->sport,
		.dport = fs->dport,
		.csum = FRAMES_CSUM_IP | FRAMES_CSUM_L4,
		.min_len = ETH_MIN,
	};

	memcpy(s.dst_mac, fs->dst_mac, 6);
	memcpy(s.src_mac, fs->src_mac, 6);
	memcpy(s.src, fs->src, 16);
	memcpy(s.dst, fs->dst, 16);
	switch (fs->proto) {
	case IPPROTO_TCP:	/* SYN with an MSS option */
		s.proto = IPPROTO_TCP;
		s.seq = 0x70726f62u + seq;
		s.tcp_flags = PKT_TCP_SYN;
		s.win = 64240;
		s.tcp_opt = mss;
		s.ntcp_opt = sizeof(mss);
		break;
	case IPPROTO_UDP:
		s.proto = IPPROTO_UDP;
		s.data = (const uint8_t *)UDP_DATA;
		s.ndata = sizeof(UDP_DATA) - 1;
		break;
	default:		/* echo request, or --type */
		s.proto = fs->v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
		s.icmp_type = fs->v6 ? ICMP6_ECHO_REQUEST : fs->icmp_type;
		s.icmp_id = fs->sport;
		s.icmp_seq = (uint16_t)(seq + 1);
		s.data = (const uint8_t *)ICMP_DATA;
		s.ndata = sizeof(ICMP_DATA) - 1;
		break;
	}
	return frames_build(f, &s);
}

static int
cmd_inject(struct args *a)
{
	static const enum opt need[] = { O_SRC_MAC, O_DST_MAC, O_SRC, O_DST,
	    O_PROTO };
	const char *ifname = a->pos[0];
	struct frame_spec fs;
	struct sockaddr_ll sll;
	struct pkt_info pi;
	struct frame frame;
	long count = opt_long(a, O_COUNT, INJECT_COUNT, 1, INJECT_MAX), i;
	unsigned ifindex;
	int fd, fsrc, fdst;

	for (size_t k = 0; k < sizeof(need) / sizeof(need[0]); k++)
		if (a->opt[need[k]] == NULL)
			die("inject: --%s is required", opt_name[need[k]]);
	memset(&fs, 0, sizeof(fs));
	if (parse_mac(a->opt[O_SRC_MAC], fs.src_mac) == -1)
		die("--src-mac: invalid MAC \"%s\"", a->opt[O_SRC_MAC]);
	if (parse_mac(a->opt[O_DST_MAC], fs.dst_mac) == -1)
		die("--dst-mac: invalid MAC \"%s\"", a->opt[O_DST_MAC]);
	if ((fsrc = addr_parse_ip(a->opt[O_SRC], fs.src)) == 0)
		die("--src: invalid address \"%s\"", a->opt[O_SRC]);
	if ((fdst = addr_parse_ip(a->opt[O_DST], fs.dst)) == 0)
		die("--dst: invalid address \"%s\"", a->opt[O_DST]);
	if (fsrc != fdst)
		die("inject: --src and --dst are not the same family");
	fs.v6 = fsrc == ADDR_V6;
	if (strcmp(a->opt[O_PROTO], "tcp") == 0)
		fs.proto = IPPROTO_TCP;
	else if (strcmp(a->opt[O_PROTO], "udp") == 0)
		fs.proto = IPPROTO_UDP;
	else if (strcmp(a->opt[O_PROTO], "icmp") == 0)
		fs.proto = IPPROTO_ICMP;
	else
		die("--proto: invalid value \"%s\" (tcp, udp or icmp)",
		    a->opt[O_PROTO]);
	if (fs.proto != IPPROTO_ICMP && a->opt[O_DPORT] == NULL)
		die("inject: --dport is required with tcp and udp");
	fs.dport = (uint16_t)opt_long(a, O_DPORT, 0, 0, 65535);
	fs.sport = (uint16_t)opt_long(a, O_SPORT, fs.proto == IPPROTO_ICMP ?
	    (long)(uint16_t)getpid() : INJECT_SPORT, 0, 65535);
	fs.vlan = (int)opt_long(a, O_VLAN, -1, 0, 4094);
	if (a->opt[O_TYPE] != NULL && (fs.proto != IPPROTO_ICMP || fs.v6))
		die("inject: --type is for --proto icmp over IPv4");
	fs.icmp_type = (uint8_t)opt_long(a, O_TYPE, 8, 0, 255);

	/* Our own parser must read back what we meant. */
	build_frame(&fs, 0, &frame);
	if (pkt_parse(frame.b, FRAME_MAX, PKT_LINK_EN10MB, &pi) != PKT_OK ||
	    pi.family != (fs.v6 ? ADDR_V6 : ADDR_V4) ||
	    (fs.proto != IPPROTO_ICMP && (!pi.has_ports ||
	    pi.sport != fs.sport || pi.dport != fs.dport)) ||
	    (fs.proto == IPPROTO_ICMP && !pi.has_icmp))
		die("inject: internal error: the frame does not parse back");

	if ((ifindex = if_nametoindex(ifname)) == 0)
		dieerr("inject: interface %s", ifname);
	if ((fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)) == -1)
		dieerr("packet socket (root or CAP_NET_RAW needed)");
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)ifindex;
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, fs.dst_mac, 6);
	for (i = 0; i < count && !stop; i++) {
		size_t len = build_frame(&fs, (unsigned)i, &frame);

		if (i > 0)
			wait_fds(NULL, 0, now_ms() + INJECT_EVERY);
		if (stop)
			break;
		if (sendto(fd, frame.b, len, 0, (struct sockaddr *)&sll,
		    sizeof(sll)) != (ssize_t)len)
			dieerr("inject: send on %s", ifname);
	}
	close(fd);
	printf("sent %ld\n", i);
	return 0;
}

/* --- sniff ---------------------------------------------------------------- */

struct sniff {
	unsigned long count;
	pcap_dumper_t *dump;	/* --write FILE, or NULL */
};

static void
sniff_count(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct sniff *s = (struct sniff *)(void *)user;

	s->count++;
	if (s->dump)
		pcap_dump((u_char *)s->dump, h, bytes);
}

static int
cmd_sniff(struct args *a)
{
	const char *ifname = a->pos[0], *filter = a->pos[1];
	char errbuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	struct sniff sn = { 0, NULL };
	long expect = opt_long(a, O_EXPECT, -1, 0, LONG_MAX);
	int64_t deadline = now_ms() + opt_secs(a, O_TIMEOUT, SNIFF_TIMEOUT);
	pcap_t *p;
	int fd, r;

	errbuf[0] = '\0';
	if ((p = pcap_create(ifname, errbuf)) == NULL)
		die("sniff: %s: %s", ifname, errbuf);
	pcap_set_snaplen(p, 2048);
	pcap_set_promisc(p, 1);
	pcap_set_immediate_mode(p, 1);
	if ((r = pcap_activate(p)) < 0)
		die("sniff: %s: %s", ifname, r == PCAP_ERROR ? pcap_geterr(p) :
		    pcap_statustostr(r));
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == -1)
		die("sniff: filter \"%s\": %s", filter, pcap_geterr(p));
	if (pcap_setfilter(p, &prog) == -1)
		die("sniff: setfilter: %s", pcap_geterr(p));
	pcap_freecode(&prog);
	if (pcap_setnonblock(p, 1, errbuf) == -1)
		die("sniff: %s", errbuf);
	if (a->opt[O_WRITE] != NULL &&
	    (sn.dump = pcap_dump_open(p, a->opt[O_WRITE])) == NULL)
		die("sniff: %s: %s", a->opt[O_WRITE], pcap_geterr(p));
	if ((fd = pcap_get_selectable_fd(p)) == -1)
		die("sniff: %s: no selectable descriptor", ifname);
	printf("ready\n");
	fflush(stdout);

	while (!stop && now_ms() < deadline) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (wait_fds(&pfd, 1, deadline) <= 0)
			continue;
		if (pcap_dispatch(p, -1, sniff_count, (u_char *)&sn) == -1)
			die("sniff: %s", pcap_geterr(p));
	}
	/* What arrived up to the end, still queued. */
	if (pcap_dispatch(p, -1, sniff_count, (u_char *)&sn) == -1)
		die("sniff: %s", pcap_geterr(p));
	if (sn.dump)
		pcap_dump_close(sn.dump);
	pcap_close(p);
	printf("count %lu\n", sn.count);
	return expect < 0 || sn.count == (unsigned long)expect ? 0 : EXIT_FAIL;
}

/* --- mac ------------------------------------------------------------------ */

static int
cmd_mac(struct args *a)
{
	struct ifreq ifr;
	char buf[MAC_STRLEN];
	int fd;

	if (strlen(a->pos[0]) >= sizeof(ifr.ifr_name))
		die("mac: interface name too long: %s", a->pos[0]);
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, a->pos[0], strlen(a->pos[0]));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		dieerr("socket");
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == -1)
		dieerr("mac: %s", a->pos[0]);
	close(fd);
	printf("%s\n", mac_format((uint8_t *)ifr.ifr_hwaddr.sa_data, buf,
	    sizeof(buf)));
	return 0;
}

/* --- flood ---------------------------------------------------------------- */

struct attempt {
	int fd;
	int64_t until;
};

static int
cmd_flood(struct args *a)
{
	long port = parse_long(a->pos[2], 1, 65535, "PORT");
	long count, started = 0, connected = 0;
	struct sockaddr_storage dst, src;
	struct attempt *att;
	struct pollfd *pfd;
	struct rlimit rl;
	int64_t cap = now_ms() + FLOOD_CAP;
	int n = 0, par = FLOOD_PAR;

	parse_proto(a->pos[0], 0);
	if (a->opt[O_COUNT] == NULL)
		die("flood: --count is required");
	count = opt_long(a, O_COUNT, 0, 1, FLOOD_MAX);
	resolve(a->pos[1], port, &dst, "ADDR");
	if (a->opt[O_BIND] != NULL) {
		resolve(a->opt[O_BIND], 0, &src, "--bind");
		if (src.ss_family != dst.ss_family)
			die("--bind %s: not the family of the destination",
			    a->opt[O_BIND]);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < FLOOD_PAR + 32)
		par = rl.rlim_cur > 48 ? (int)rl.rlim_cur - 32 : 16;
	att = calloc((size_t)par, sizeof(*att));
	pfd = calloc((size_t)par, sizeof(*pfd));
	if (att == NULL || pfd == NULL)
		dieerr("calloc");

	while (!stop && (started < count || n > 0)) {
		int64_t t = now_ms(), wake = cap;

		if (t >= cap)
			break;
		while (started < count && n < par) {
			int fd = socket(dst.ss_family, SOCK_STREAM |
			    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

			if (fd == -1)
				dieerr("socket");
			if (a->opt[O_BIND] != NULL) {
				setopt_int(fd, IPPROTO_IP,
				    IP_BIND_ADDRESS_NO_PORT, 1,
				    "IP_BIND_ADDRESS_NO_PORT");
				if (bind(fd, (struct sockaddr *)&src,
				    sa_len(&src)) == -1)
					dieerr("bind %s", a->opt[O_BIND]);
			}
			started++;
			if (connect(fd, (struct sockaddr *)&dst,
			    sa_len(&dst)) == 0) {
				connected++;
				close_abort(fd);
			} else if (errno == EINPROGRESS)
				att[n++] = (struct attempt){ fd,
				    t + FLOOD_WAIT };
			else
				close(fd);	/* refused, no port, ... */
		}
		if (n == 0)
			continue;
		for (int i = 0; i < n; i++) {
			pfd[i] = (struct pollfd){ .fd = att[i].fd,
			    .events = POLLOUT };
			wake = min64(wake, att[i].until);
		}
		wait_fds(pfd, (nfds_t)n, wake);
		t = now_ms();
		for (int i = 0; i < n; i++) {
			socklen_t len = sizeof(int);
			int e = -1;

			if (pfd[i].revents) {
				if (getsockopt(att[i].fd, SOL_SOCKET, SO_ERROR,
				    &e, &len) == 0 && e == 0)
					connected++;
			} else if (att[i].until > t)
				continue;
			close_abort(att[i].fd);
			att[i].fd = -1;
		}
		for (int i = 0; i < n; i++)	/* pfd is rebuilt: no order */
			if (att[i].fd == -1)
				att[i--] = att[--n];
	}
	for (int i = 0; i < n; i++)
		close_abort(att[i].fd);
	free(att);
	free(pfd);
	printf("attempted %ld connected %ld\n", started, connected);
	return 0;
}

/* --- unix ------------------------------------------------------------------ */

/* unix SOCKET LINE: send LINE and a newline to a unix stream socket (the
 * control socket), print the one answer line. */
static int
cmd_unix(struct args *a)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *line = a->pos[1];
	char buf[65536];
	size_t len = 0;
	ssize_t n;
	int fd;

	if (strlen(a->pos[0]) >= sizeof(sun.sun_path))
		die("unix: path too long: %s", a->pos[0]);
	memcpy(sun.sun_path, a->pos[0], strlen(a->pos[0]));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		dieerr("socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		dieerr("unix: %s", a->pos[0]);
	/* A peer that refuses a long line answers and closes while we still
	 * write: read its answer all the same. */
	if ((write(fd, line, strlen(line)) != (ssize_t)strlen(line) ||
	    write(fd, "\n", 1) != 1) && errno != EPIPE && errno != ECONNRESET)
		dieerr("unix: write");
	while (len + 1 < sizeof(buf) &&
	    (n = read(fd, buf + len, sizeof(buf) - len - 1)) > 0) {
		len += (size_t)n;
		if (memchr(buf, '\n', len))
			break;
	}
	close(fd);
	buf[len] = '\0';
	printf("%s%s", buf, len && buf[len - 1] == '\n' ? "" : "\n");
	return len ? 0 : EXIT_FAIL;
}

/* --- main ----------------------------------------------------------------- */

static const struct command {
	const char *name;
	int npos;
	unsigned opts;
	int (*fn)(struct args *);
} commands[] = {
	{ "listen", 2, OPT(O_BIND) | OPT(O_COUNT) | OPT(O_TIMEOUT),
	    cmd_listen },
	{ "connect", 3, OPT(O_BIND) | OPT(O_SPORT) | OPT(O_TIMEOUT) |
	    OPT(O_HOLD) | OPT(O_EVERY), cmd_connect },
	{ "ping", 1, OPT(O_BIND) | OPT(O_TIMEOUT) | OPT(O_COUNT), cmd_ping },
	{ "inject", 1, OPT(O_SRC_MAC) | OPT(O_DST_MAC) | OPT(O_SRC) |
	    OPT(O_DST) | OPT(O_PROTO) | OPT(O_DPORT) | OPT(O_SPORT) |
	    OPT(O_COUNT) | OPT(O_VLAN) | OPT(O_TYPE), cmd_inject },
	{ "sniff", 2, OPT(O_TIMEOUT) | OPT(O_EXPECT) | OPT(O_WRITE),
	    cmd_sniff },
	{ "mac", 1, 0, cmd_mac },
	{ "flood", 3, OPT(O_COUNT) | OPT(O_BIND), cmd_flood },
	{ "unix", 2, 0, cmd_unix },
};

int
main(int argc, char **argv)
{
	struct args a;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage(stderr, EXIT_USAGE);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		usage(stdout, 0);
	signals_setup();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];

		if (strcmp(argv[1], c->name) != 0)
			continue;
		memset(&a, 0, sizeof(a));
		a.cmd = c->name;
		parse_args(argc - 2, argv + 2, c->npos, c->opts, &a);
		return c->fn(&a);
	}
	fprintf(stderr, "probe: unknown command \"%s\"\n", argv[1]);
	usage(stderr, EXIT_USAGE);
}
