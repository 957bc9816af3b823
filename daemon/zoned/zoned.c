/*
 * zoned — the three-zone boundary daemon.
 *
 * main() is a straight list of steps: options, the one-shot modes (-n, -p,
 * -C, --audit), then the event loop and the signals, load and apply the
 * policy (or the last good one, or a table that denies every crossing; the
 * engine starts the monitor, the queue and the denied-traffic log with
 * it), open the control socket, drop privileges, say ready, and run the
 * event loop until SIGTERM.  Each module registers its own events.  The
 * kernel ruleset stays when zoned stops: a stopped daemon never opens the
 * gateway.
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
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cap-ng.h>
#include <jansson.h>

#include "alert.h"
#include "apply.h"
#include "audit.h"
#include "command.h"
#include "conf.h"
#include "control.h"
#include "engine.h"
#include "event.h"
#include "flowuse.h"
#include "ha.h"
#include "lint.h"
#include "log.h"
#include "monitor.h"
#include "neigh.h"
#include "nflog.h"
#include "nftemit.h"
#include "nftgen.h"
#include "verdict.h"
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
		log_warn("%s", z->state_dir);
	if (alerts_dir(z->alerts) &&
	    chown(alerts_dir(z->alerts), pw->pw_uid, pw->pw_gid) < 0)
		log_warn("%s", alerts_dir(z->alerts));
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
		log_warn("sd_notify");
	close(fd);
}

/* ---------------------------------------------------------------------
 * Events of the daemon itself
 */

static void
on_signal(int signo, uint32_t what, void *arg)
{
	struct zoned *z = arg;

	(void)what;
	switch (signo) {
	case SIGHUP:
		log_info("SIGHUP: reloading %s", z->conf);
		engine_run(z, ENGINE_FILE, "sighup");
		break;
	case SIGTERM:
	case SIGINT:
		event_loopexit();
		break;
	}
}

/* A link appeared or changed: the monitor attaches, the verdict forgets
 * what it knew of interface indexes. */
static void
on_links(void *arg)
{
	struct zoned *z = arg;

	monitor_links(z->mon);
	verdict_links(z->verdict);
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
	struct event *sigev;
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
	if (mkdir(z.state_dir, 0750) < 0 && errno != EEXIST)
		fatal("%s", z.state_dir);
	signal(SIGPIPE, SIG_IGN);
	if (event_init(err, sizeof(err)) < 0)
		fatalx("%s", err);
	if ((sigev = event_signal((const int []){ SIGHUP, SIGTERM, SIGINT }, 3,
	    on_signal, &z)) == NULL || engine_init(&z) < 0)
		fatal("event loop");
	if ((z.nl = apply_open(err, sizeof(err))) == NULL) {
		log_event(LOG_CRIT, "start-failed", "reason=%s", lq(err));
		fatalx("%s", err);
	}
	if ((z.neigh = neigh_open(on_links, &z, err, sizeof(err))) == NULL)
		log_warnx("no neighbour pinning: %s", err);
	/* before the first table: what the flows carried until the last
	 * stop, and since (the kernel kept counting) */
	if ((z.use = flowuse_open(z.state_dir, z.nl, err, sizeof(err))) ==
	    NULL)
		log_warnx("no flow usage: %s", err);

	/* one node of a pair forwards only as the master it was in this
	 * boot: known before the first table is built */
	if ((z.ha = ha_open(z.state_dir)) == NULL)
		fatalx("out of memory");
	/* the policy, the last good one, or a table that denies crossings;
	 * with it the monitor, the queue and the denied-traffic log */
	if (engine_start(&z) < 0)
		fatalx("cannot install any ruleset; the kernel keeps what it "
		    "had");

	sock = z.sock_override ? z.sock_override : z.pol ?
	    z.pol->control.socket : POLICY_DEFAULT_SOCKET;
	group = z.pol ? z.pol->control.group : POLICY_DEFAULT_GROUP;
	if ((z.ctl = control_open(sock, group, command_handle, &z, err,
	    sizeof(err))) == NULL) {
		log_event(LOG_CRIT, "start-failed", "reason=%s", lq(err));
		fatalx("%s", err);
	}
	z.ctl_socket = strdup(sock);
	z.ctl_group = strdup(group);

	verdict_stats_open();	/* root only: a later switch to dual mode too */
	prctl(PR_SET_DUMPABLE, 0);
	drop_privileges(&z);
	notify("READY=1");
	log_event(LOG_NOTICE, "started", "pid=%d mode=%s socket=%s",
	    (int)getpid(), z.mode == MODE_POLICY ? "policy" : z.mode ==
	    MODE_LAST_GOOD ? "last-good" : "fail-closed", lq(sock));

	if (event_dispatch() < 0)
		log_warn("event loop");

	/* The table stays: a stopped daemon must not open the gateway. */
	notify("STOPPING=1");
	log_event(LOG_NOTICE, "stopped", "ruleset=kept");
	control_close(z.ctl);
	monitor_close(z.mon);
	verdict_close(z.verdict);
	nflog_close(z.nflog);
	neigh_close(z.neigh);
	alerts_close_all(z.alerts);
	alerts_free(z.alerts);
	flowuse_close(z.use);	/* read and saved a last time */
	apply_close(z.nl);
	ha_close(z.ha);
	engine_free(&z);
	event_del(sigev);
	event_fini();
	return 0;
}
