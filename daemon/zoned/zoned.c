/*
 * zoned — the three-zone boundary daemon.
 *
 * main() is a straight list of steps: options, the one-shot modes (-n, -p),
 * then load and apply the policy (or the last good one, or a table that
 * denies every crossing), open the control socket, drop privileges, say
 * ready, and run the event loop until SIGTERM.  The kernel ruleset stays
 * when zoned stops: a stopped daemon never opens the gateway.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include <cap-ng.h>
#include <jansson.h>

#include "audit.h"
#include "command.h"
#include "conf.h"
#include "ctlproto.h"
#include "lint.h"
#include "log.h"
#include "monitor.h"
#include "verdict.h"
#include "nftgen.h"
#include "zoned.h"

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: zoned [-d] [-f FILE] [-s SOCKET] [-S STATEDIR]\n"
	    "       zoned -n [-f FILE] [--at TIME]\n"
	    "       zoned -p [-f FILE] [--at TIME]\n"
	    "       zoned -C [-f FILE] [--at TIME]\n"
	    "       zoned --audit CAPTURE [-f FILE] [--zone ZONE] [--json] "
	    "[--at TIME]\n");
}

/* ---------------------------------------------------------------------
 * One-shot modes
 */

/* -n: parse and lint, print findings, exit 0 (no error) or 1. */
static int
check_only(const char *file, time_t now)
{
	struct policy *p = NULL;
	struct diag d;
	char err[512];
	int rc;

	diag_init(&d);
	if (lint_file(file, now, &p, &d, err, sizeof(err)) < 0) {
		fprintf(stderr, "zoned: %s\n", err);
		diag_free(&d);
		return 1;
	}
	diag_print(&d, stdout);
	rc = d.nerrors > 0 || d.oom;
	if (rc == 0)
		printf("%s: policy OK (%zu zones, %zu hosts, %zu flows)\n",
		    file, p->nzones, p->nhosts, p->nflows);
	policy_free(p);
	diag_free(&d);
	return rc;
}

/* -p: the ruleset as nft text, touching nothing.  A policy with errors
 * prints its findings instead and exits 1. */
static int
print_only(const char *file, time_t now)
{
	struct nftgen_opts o = { .now = now };
	struct policy *p = NULL;
	struct nft_ir *ir;
	struct diag d;
	char err[512], *text;
	int rc = 1;

	diag_init(&d);
	if (lint_file(file, o.now, &p, &d, err, sizeof(err)) < 0) {
		fprintf(stderr, "zoned: %s\n", err);
		goto out;
	}
	if (d.nerrors > 0 || p == NULL) {
		diag_print(&d, stderr);
		fprintf(stderr, "zoned: %s has errors; nothing to print\n",
		    file);
		goto out;
	}
	if ((ir = nftgen_build(p, &o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "zoned: %s\n", err);
		goto out;
	}
	if ((text = nftgen_text(ir)) != NULL) {
		fputs(text, stdout);
		rc = 0;
	}
	free(text);
	nftgen_free(ir);
out:
	policy_free(p);
	diag_free(&d);
	return rc;
}

/* -C: what -n checks, then the kernel checks the batch without committing
 * it, as nft -c does: every error it finds, mapped to the policy line that
 * caused it.  Needs CAP_NET_ADMIN; the kernel's ruleset is not touched. */
static int
kernel_check(const char *file, time_t now)
{
	struct zoned z = { .conf = file };
	struct nftgen_opts o = { .now = now };
	struct apply_errors kerr = { 0 };
	struct policy *p = NULL;
	struct nft_ir *ir = NULL;
	struct nft_batch b = { 0 };
	struct diag d;
	char err[512];
	int rc = 1;

	diag_init(&d);
	if (lint_file(file, now, &p, &d, err, sizeof(err)) < 0) {
		fprintf(stderr, "zoned: %s\n", err);
		goto out;
	}
	diag_print(&d, stdout);
	if (d.nerrors > 0 || d.oom || p == NULL)
		goto out;
	if ((z.nl = apply_open(err, sizeof(err))) == NULL) {
		fprintf(stderr, "zoned: %s\n", err);
		goto out;
	}
	engine_probe_queue(&z);
	o.queue_compat = !z.queue_native;
	if ((ir = nftgen_build(p, &o, err, sizeof(err))) == NULL ||
	    nftemit_batch(ir, apply_next_seq(z.nl, 1u << 20), false, &b, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "zoned: %s\n", err);
		goto out;
	}
	if (apply_batch(z.nl, &b, ir, &kerr, err, sizeof(err)) < 0) {
		for (size_t i = 0; i < kerr.n; i++)
			printf("%s:%d: kernel: %s: %s%s%s\n", file,
			    kerr.v[i].line, kerr.v[i].what,
			    strerror(kerr.v[i].error), kerr.v[i].msg[0] ?
			    ": " : "", kerr.v[i].msg);
		if (kerr.n == 0)
			fprintf(stderr, "zoned: %s\n", err);
		goto out;
	}
	printf("%s: the kernel accepts the ruleset (%zu messages, %s queue; "
	    "nothing was changed)\n", file, b.nmsgs, p->enforce.mode ==
	    ENFORCE_DUAL ? (z.queue_native ? "nft" : "xtables") : "no");
	rc = 0;
out:
	apply_errors_free(&kerr);
	nftemit_free(&b);
	nftgen_free(ir);
	if (z.nl)
		apply_close(z.nl);
	policy_free(p);
	diag_free(&d);
	return rc;
}

/* ---------------------------------------------------------------------
 * Privileges: after the sockets are open, run as the zoned user with only
 * CAP_NET_ADMIN (nf_tables, neighbours) and CAP_NET_RAW (captures).
 */

static void
drop_privileges(struct zoned *z)
{
	struct passwd *pw = getpwnam(ZONED_USER);

	capng_clear(CAPNG_SELECT_BOTH);
	capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
	    CAP_NET_ADMIN, CAP_NET_RAW, -1);
	if (pw == NULL) {
		log_warnx("no user \"%s\": staying uid 0 with only "
		    "CAP_NET_ADMIN and CAP_NET_RAW", ZONED_USER);
		if (capng_apply(CAPNG_SELECT_BOTH) < 0)
			log_warnx("cannot drop capabilities");
		return;
	}
	if (chown(z->state_dir, pw->pw_uid, pw->pw_gid) < 0)
		log_warnx("%s: %s", z->state_dir, strerror(errno));
	if (monitor_evidence_dir(z->mon) &&
	    chown(monitor_evidence_dir(z->mon), pw->pw_uid, pw->pw_gid) < 0)
		log_warnx("%s: %s", monitor_evidence_dir(z->mon),
		    strerror(errno));
	if (capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
	    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) < 0) {
		log_warnx("cannot change to user %s; staying root with two "
		    "capabilities", ZONED_USER);
		capng_apply(CAPNG_SELECT_BOTH);
		return;
	}
	log_debug("running as %s with CAP_NET_ADMIN and CAP_NET_RAW",
	    ZONED_USER);
}

/* systemd Type=notify: READY=1 once the ruleset is applied. */
static void
notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sun.sun_path))
		return;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sun,
	    len) < 0)
		log_warnx("sd_notify: %s", strerror(errno));
	close(fd);
}

/* ---------------------------------------------------------------------
 * Event loop
 */

int
zoned_watch(struct zoned *z, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(z->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* What a watched descriptor is watched for (EPOLLIN, EPOLLOUT). */
int
zoned_watch_events(struct zoned *z, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(z->epfd, EPOLL_CTL_MOD, fd, &ev);
}

void
zoned_unwatch(struct zoned *z, int fd)
{
	epoll_ctl(z->epfd, EPOLL_CTL_DEL, fd, NULL);
}

static void
on_signal(struct zoned *z)
{
	struct signalfd_siginfo si;
	json_t *result = NULL, *detail = NULL;
	char err[1024];

	while (read(z->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			log_info("SIGHUP: reloading %s", z->conf);
			command_reload(z, -1, &result, &detail, err,
			    sizeof(err));
			json_decref(result);
			json_decref(detail);
			result = detail = NULL;
			break;
		case SIGTERM:
		case SIGINT:
			z->quit = true;
			break;
		}
	}
}

static void
on_timer(struct zoned *z, int fd)
{
	uint64_t n;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return;
	if (fd == z->verify_fd)
		engine_verify(z, NULL, true);
	else if (fd == z->expire_fd) {
		time_t now = time(NULL);
		for (size_t i = 0; z->pol && i < z->pol->nflows; i++) {
			const struct flow *f = &z->pol->flows[i];
			if (f->has_expires && f->expires <= now &&
			    f->expires > now - 5)
				log_event(LOG_NOTICE, "flow-expired", "flow=%s",
				    lq(f->name));
		}
		engine_reapply(z, "flow-expired");
	}
}

static void
loop(struct zoned *z)
{
	struct epoll_event ev[32];

	while (!z->quit) {
		/* a queue that could not be bound: new crossings are refused
		 * until it is, so try again every second */
		bool unbound = z->pol && z->pol->enforce.mode == ENFORCE_DUAL &&
		    z->verdict == NULL;
		int n = epoll_wait(z->epfd, ev, 32, unbound ? 1000 : -1);

		if (n == 0 && unbound)
			zoned_queue(z);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_warnx("epoll: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n && !z->quit; i++) {
			int fd = ev[i].data.fd;
			if (fd == z->sigfd)
				on_signal(z);
			else if (fd == z->verify_fd || fd == z->expire_fd)
				on_timer(z, fd);
			else if (z->ctl && fd == control_fd(z->ctl))
				control_accept(z->ctl);
			else if (z->neigh && fd == neigh_fd(z->neigh)) {
				neigh_event(z->neigh, z->pol);
				monitor_links(z->mon);
				verdict_links(z->verdict);
			} else if (z->ctl && control_owns(z->ctl, fd))
				control_client_event(z->ctl, fd, ev[i].events);
			else if (!monitor_event(z->mon, fd) &&
			    !verdict_event(z->verdict, fd))
				nflog_event(z->nflog, fd);
		}
	}
}

static int
setup_loop(struct zoned *z)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	if ((z->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (z->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0 ||
	    (z->verify_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC |
	    TFD_NONBLOCK)) < 0 ||
	    (z->expire_fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC |
	    TFD_NONBLOCK)) < 0)
		return -1;
	return zoned_watch(z, z->sigfd) < 0 || zoned_watch(z, z->verify_fd) <
	    0 || zoned_watch(z, z->expire_fd) < 0 ? -1 : 0;
}

/*
 * The second verdict: bound to the policy's queue in dual mode, let go in
 * kernel mode.  Without a listener, the ruleset's queue drops new
 * crossings (it has no bypass), so a failure here fails closed.
 */
void
zoned_queue(struct zoned *z)
{
	const struct policy *p = z->pol;
	bool dual = p != NULL && p->enforce.mode == ENFORCE_DUAL;
	char err[256];

	if (!dual || verdict_queue(z->verdict) != p->enforce.queue ||
	    verdict_maxlen(z->verdict) != p->enforce.queue_maxlen) {
		verdict_close(z->verdict);
		z->verdict = NULL;
	}
	if (dual && z->verdict == NULL) {
		z->verdict = verdict_open(z, p->enforce.queue,
		    p->enforce.queue_maxlen, err, sizeof(err));
		/* logged once until it works again */
		if (z->verdict == NULL && !z->queue_failed)
			log_event(LOG_CRIT, "queue-failed", "queue=%d reason=%s "
			    "effect=new-crossings-refused retry=1s",
			    p->enforce.queue, lq(err));
		else if (z->verdict != NULL && z->queue_failed)
			log_event(LOG_NOTICE, "queue-bound-again", "queue=%d",
			    p->enforce.queue);
		z->queue_failed = z->verdict == NULL;
	}
}

/* The drift timer, every interval seconds (0: never). */
void
zoned_arm_verify(struct zoned *z, int interval)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = interval;
	its.it_interval.tv_sec = interval;
	timerfd_settime(z->verify_fd, 0, &its, NULL);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "at", required_argument, NULL, 'a' },
		{ "audit", required_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'J' },
		{ "zone", required_argument, NULL, 'Z' },
		{ NULL, 0, NULL, 0 },
	};
	time_t at = 0;
	const char *audit = NULL, *azone = NULL;
	bool json = false;
	struct zoned z = { .conf = ZONED_DEFAULT_CONF,
	    .state_dir = ZONED_DEFAULT_STATE };
	int ch, checkonly = 0, printonly = 0, kcheck = 0;
	const char *sock, *group;
	char err[512];

	while ((ch = getopt_long(argc, argv, "Cdf:hnps:S:", opts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'C':
			kcheck = 1;
			break;
		case 'd':
			z.debug = true;
			break;
		case 'f':
			z.conf = optarg;
			break;
		case 'n':
			checkonly = 1;
			break;
		case 'p':
			printonly = 1;
			break;
		case 's':
			z.sock_override = optarg;
			break;
		case 'S':
			z.state_dir = optarg;
			break;
		case 'A':
			audit = optarg;
			break;
		case 'J':
			json = true;
			break;
		case 'Z':
			azone = optarg;
			break;
		case 'a':
			if (conf_parse_time(optarg, &at) < 0) {
				fprintf(stderr, "zoned: invalid time \"%s\" "
				    "(RFC 3339)\n", optarg);
				return 1;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc || checkonly + printonly + kcheck + (audit !=
	    NULL) > 1 || (at != 0 && checkonly + printonly + kcheck +
	    (audit != NULL) == 0) ||
	    ((json || azone) && audit == NULL)) {
		usage(stderr);
		return audit ? 2 : 1;
	}
	if (audit)
		return audit_run(audit, z.conf, azone, json, at ? at :
		    time(NULL), stdout, stderr);
	if (checkonly)
		return check_only(z.conf, at ? at : time(NULL));
	if (printonly)
		return print_only(z.conf, at ? at : time(NULL));
	if (kcheck)
		return kernel_check(z.conf, at ? at : time(NULL));
	if (geteuid() != 0) {
		fprintf(stderr, "zoned: must start as root (it drops to the "
		    "%s user with two capabilities)\n", ZONED_USER);
		return 1;
	}

	log_init(z.debug);
	z.started = time(NULL);
	if (mkdir(z.state_dir, 0750) < 0 && errno != EEXIST) {
		fprintf(stderr, "zoned: %s: %s\n", z.state_dir,
		    strerror(errno));
		return 1;
	}
	if (setup_loop(&z) < 0) {
		fprintf(stderr, "zoned: event loop: %s\n", strerror(errno));
		return 1;
	}
	if ((z.nl = apply_open(err, sizeof(err))) == NULL) {
		log_event(LOG_CRIT, "start-failed", "reason=%s", lq(err));
		fprintf(stderr, "zoned: %s\n", err);
		return 1;
	}
	if ((z.neigh = neigh_open(err, sizeof(err))) == NULL)
		log_warnx("no neighbour pinning: %s", err);
	else
		zoned_watch(&z, neigh_fd(z.neigh));

	/* the policy, the last good one, or a table that denies crossings */
	if (engine_start(&z) < 0) {
		fprintf(stderr, "zoned: cannot install any ruleset; the "
		    "kernel keeps what it had\n");
		return 1;
	}
	/* the ruleset queues new crossings from now on: read them at once */
	zoned_queue(&z);

	sock = z.sock_override ? z.sock_override : z.pol ?
	    z.pol->control.socket : POLICY_DEFAULT_SOCKET;
	group = z.pol ? z.pol->control.group : POLICY_DEFAULT_GROUP;
	if ((z.ctl = control_open(&z, sock, group, err, sizeof(err))) ==
	    NULL) {
		log_event(LOG_CRIT, "start-failed", "reason=%s", lq(err));
		fprintf(stderr, "zoned: %s\n", err);
		return 1;
	}
	z.ctl_socket = strdup(sock);
	z.ctl_group = strdup(group);
	zoned_watch(&z, control_fd(z.ctl));
	zoned_arm_verify(&z, z.pol ? z.pol->control.verify_interval :
	    POLICY_DEFAULT_VERIFY_INTERVAL);

	/* the audit monitor and the denied-traffic reader */
	err[0] = '\0';
	if ((z.mon = monitor_open(&z, err, sizeof(err))) == NULL && err[0])
		log_warnx("no audit monitor: %s", err);
	if ((z.nflog = nflog_open(&z, z.pol ? z.pol->log.nflog_group :
	    POLICY_DEFAULT_NFLOG_GROUP, err, sizeof(err))) == NULL)
		log_warnx("no denied-traffic log: %s", err);

	verdict_stats_open();	/* root only: a later switch to dual mode too */
	prctl(PR_SET_DUMPABLE, 0);
	drop_privileges(&z);
	notify("READY=1");
	log_event(LOG_NOTICE, "started", "pid=%d mode=%s socket=%s",
	    (int)getpid(), z.mode == MODE_POLICY ? "policy" : z.mode ==
	    MODE_LAST_GOOD ? "last-good" : "fail-closed", lq(sock));

	loop(&z);

	/* The table stays: a stopped daemon must not open the gateway. */
	notify("STOPPING=1");
	log_event(LOG_NOTICE, "stopped", "ruleset=kept");
	monitor_close(z.mon);
	nflog_close(z.nflog);
	verdict_close(z.verdict);
	control_close(z.ctl);
	neigh_close(z.neigh);
	apply_close(z.nl);
	engine_free(&z);
	return 0;
}
