/*
 * ctl_ha — zonectl's side of an active/standby pair (zoned(8), HIGH
 * AVAILABILITY): `health`, keepalived's track_script, and `ha-notify`,
 * the notify script of keepalived's sync group, which runs conntrackd's
 * steps for the new state and then tells zoned — on master, the synced
 * connections are committed into the kernel before the node forwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ctlproto.h"
#include "zonectl.h"

#define CONNTRACKD_CONF "/etc/conntrackd/conntrackd.conf"
#define CONNTRACKD_BIN "conntrackd"
#define CONNTRACKD_FALLBACK "/usr/sbin/conntrackd"
#define STEP_TIMEOUT 60		/* seconds a conntrackd step may take */
#define WAIT_DEFAULT 10		/* seconds to wait for zoned */

/* ---------------------------------------------------------------------
 * health
 */

int
ctl_health(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "peer", required_argument, NULL, 'p' },
		{ "accept-last-good", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *args = json_object(), *r, *ha, *v;
	size_t i;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			c->json = true;
			break;
		case 'p':
			json_object_set_new(args, "peer", json_string(optarg));
			break;
		case 'l':
			json_object_set_new(args, "accept_last_good",
			    json_true());
			break;
		default:
			json_decref(args);
			fprintf(stderr, "usage: zonectl health [--peer SHA256] "
			    "[--accept-last-good] [--json]\n");
			return EXIT_TROUBLE;
		}
	}
	if (optind != argc) {
		json_decref(args);
		fprintf(stderr, "usage: zonectl health [--peer SHA256] "
		    "[--accept-last-good] [--json]\n");
		return EXIT_TROUBLE;
	}
	if ((r = ctl_call(c, CTL_CMD_HEALTH, args, &rc)) == NULL)
		return rc;
	rc = json_is_true(json_object_get(r, "healthy")) ? 0 : EXIT_NO;
	ha = json_object_get(r, "ha");
	if (c->json)
		ctl_print_json(r);
	else {
		printf("%s: %s, policy %s", rc == 0 ? "healthy" : "UNHEALTHY",
		    jstr(r, "mode"), jstr(r, "sha256") ? jstr(r, "sha256") :
		    "none");
		if (json_is_object(ha))
			printf(", ha %s (%s)", jstr(ha, "state"),
			    json_is_true(json_object_get(ha, "forwarding")) ?
			    "forwarding" : "holding");
		printf("\n");
		json_array_foreach(json_object_get(r, "problems"), i, v)
			printf("  %s\n", json_string_value(v));
	}
	json_decref(r);
	return rc;
}

/* ---------------------------------------------------------------------
 * ha-notify
 */

/* The steps of each state, as conntrackd's own primary-backup.sh runs
 * them.  master: commit the external cache into the kernel, flush both
 * caches, resync the internal cache with the kernel, send a bulk update
 * to the peer.  backup: shorten the kernel's timers (the synced
 * connections are flushed after PurgeTimeout), ask the master for a
 * resync.  fault, stop: shorten the timers. */
struct step {
	const char *opt;
	const char *what;
};

static const struct step master_steps[] = {
	{ "-c", "commit" }, { "-f", "flush" }, { "-R", "resync" },
	{ "-B", "bulk" }, { NULL, NULL },
};
static const struct step backup_steps[] = {
	{ "-t", "purge-timers" }, { "-n", "request-resync" }, { NULL, NULL },
};
static const struct step fault_steps[] = {
	{ "-t", "purge-timers" }, { NULL, NULL },
};

/* Run conntrackd -C conf OPT, within STEP_TIMEOUT; its exit status, or
 * -1 (could not run, or killed), reason in why. */
static int
run_conntrackd(const char *conf, const char *opt, char *why, size_t len)
{
	struct timespec t0, now;
	int status;
	pid_t pid, w;

	why[0] = '\0';
	if ((pid = fork()) < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			if (fd > STDERR_FILENO)
				close(fd);
		}
		execlp(CONNTRACKD_BIN, CONNTRACKD_BIN, "-C", conf, opt,
		    (char *)NULL);
		execl(CONNTRACKD_FALLBACK, CONNTRACKD_BIN, "-C", conf, opt,
		    (char *)NULL);
		fprintf(stderr, "zonectl: conntrackd: %s\n", strerror(errno));
		_exit(127);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			snprintf(why, len, "waitpid: %s", strerror(errno));
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= STEP_TIMEOUT) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(why, len, "timed out after %d s",
			    STEP_TIMEOUT);
			return -1;
		}
		usleep(5000);
	}
	if (WIFEXITED(status)) {
		if (WEXITSTATUS(status) == 127)
			snprintf(why, len, "conntrackd could not be run");
		else if (WEXITSTATUS(status) != 0)
			snprintf(why, len, "exit %d", WEXITSTATUS(status));
		return WEXITSTATUS(status);
	}
	snprintf(why, len, "killed by signal %d", WTERMSIG(status));
	return -1;
}

/* The steps of a state: "commit ok, flush ok, ..." into out; 0 when every
 * step worked. */
static int
conntrackd_steps(const char *conf, const struct step *steps, char *out,
    size_t len)
{
	size_t off = 0;
	int failed = 0;

	out[0] = '\0';
	for (const struct step *s = steps; s->opt; s++) {
		char why[128];
		int rc = run_conntrackd(conf, s->opt, why, sizeof(why));

		failed |= rc != 0;
		if (off < len)
			off += (size_t)snprintf(out + off, len - off,
			    "%s%s %s%s%s", off ? ", " : "", s->what,
			    rc == 0 ? "ok" : "FAILED", rc == 0 ? "" : ": ",
			    rc == 0 ? "" : why);
	}
	return failed ? -1 : 0;
}

/* Tell zoned, waiting up to wait seconds for it to answer (it may be
 * starting): its answer, or NULL. */
static json_t *
tell_zoned(const struct ctl *c, const char *state, const char *summary,
    int wait)
{
	struct timespec t0, now;
	json_t *ans;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		json_t *args = json_pack("{s:s}", "state", state);

		/* no steps ran: no argument (request.c refuses ""); zoned
		 * takes at most 200 bytes of it (the whole is in syslog) */
		if (summary[0] != '\0')
			json_object_set_new(args, "conntrackd",
			    json_stringn(summary, strnlen(summary, 200)));
		ans = ctl_request(c, CTL_CMD_HA_STATE, args);
		if (ans != NULL)
			return ans;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= wait)
			return NULL;
		usleep(500000);
	}
}

static int
usage_notify(void)
{
	fprintf(stderr, "usage: zonectl ha-notify master|backup|fault|stop "
	    "[--conntrackd-conf FILE] [--wait SECONDS] [--json]\n");
	return EXIT_TROUBLE;
}

/*
 * keepalived's sync group runs this on every transition.  On master, the
 * conntrackd steps come first — the synced connections are in the kernel,
 * with their marks and labels — and only then does zoned forward (until
 * then the standby set of the ruleset drops what reaches the new master).
 * On backup, fault and stop zoned stops forwarding first.  Exit 0 when
 * everything worked, 1 when a conntrackd step failed (zoned was still
 * told: a master that lost the synced state still carries new
 * connections), 2 when zoned could not be told.  Logged to syslog too:
 * keepalived keeps no output of its scripts.
 */
int
ctl_ha_notify(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "conntrackd-conf", required_argument, NULL, 'C' },
		{ "wait", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = CONNTRACKD_CONF, *state;
	const struct step *steps;
	char summary[512] = "", *end;
	json_t *ans = NULL, *r;
	int ch, wait = WAIT_DEFAULT, lock = -1, rc = 0, ct = 0;
	bool master;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			conf = optarg;
			break;
		case 'w':
			wait = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || wait < 0 ||
			    wait > 3600)
				return usage_notify();
			break;
		case 'j':
			c->json = true;
			break;
		default:
			return usage_notify();
		}
	}
	if (optind + 1 != argc)
		return usage_notify();
	state = argv[optind];
	if (strcmp(state, "master") == 0)
		steps = master_steps;
	else if (strcmp(state, "backup") == 0)
		steps = backup_steps;
	else if (strcmp(state, "fault") == 0 || strcmp(state, "stop") == 0)
		steps = fault_steps;
	else
		return usage_notify();
	master = steps == master_steps;
	openlog("zonectl", LOG_PID, LOG_DAEMON);

	/* one transition at a time on this node: keepalived starts a script
	 * for each without waiting */
	if ((lock = open(conf, O_RDONLY | O_CLOEXEC)) >= 0)
		flock(lock, LOCK_EX);

	if (master)
		ct = conntrackd_steps(conf, steps, summary, sizeof(summary));
	if ((ans = tell_zoned(c, state, master ? summary : "", wait)) ==
	    NULL) {
		syslog(LOG_ERR, "ha-notify %s: zoned did not answer within %d "
		    "s", state, wait);
		rc = EXIT_TROUBLE;
	} else if (!json_is_true(json_object_get(ans, "ok"))) {
		syslog(LOG_ERR, "ha-notify %s: zoned refused: %s", state,
		    jstr(ans, "error") ? jstr(ans, "error") : "?");
		rc = ctl_answer_error(ans);
		if (rc == EXIT_NO)
			rc = EXIT_TROUBLE;
	}
	if (!master)
		ct = conntrackd_steps(conf, steps, summary, sizeof(summary));
	if (ct < 0) {
		syslog(LOG_WARNING, "ha-notify %s: conntrackd: %s", state,
		    summary);
		if (rc == 0)
			rc = EXIT_NO;
	}
	r = ans ? json_object_get(ans, "result") : NULL;
	if (c->json) {
		json_t *o = json_pack("{s:s, s:s, s:o, s:i}", "state", state,
		    "conntrackd", summary, "zoned", r ? json_incref(r) :
		    json_null(), "exit", rc);
		ctl_print_json(o);
		json_decref(o);
	} else
		printf("ha-notify %s: conntrackd %s; zoned %s\n", state,
		    summary, r == NULL ? "not told" :
		    json_is_true(json_object_get(r, "forwarding")) ?
		    "forwards" : "holds every zone");
	json_decref(ans);
	if (lock >= 0)
		close(lock);
	closelog();
	return rc;
}
