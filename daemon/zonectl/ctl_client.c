/*
 * ctl_client — talking to zoned over its control socket, and the commands
 * that need it: status, zones, flows, verify, reload, check (online).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "conf.h"
#include "ctlproto.h"
#include "zonectl.h"

/* -s, else control.socket of the default policy file, else the default. */
static char *
find_socket(const struct ctl *c)
{
	struct policy *p = NULL;
	struct diag d;
	char err[256], *s;

	if (c->sock)
		return strdup(c->sock);
	diag_init(&d);
	if (conf_load(ZONECTL_DEFAULT_CONF, &p, &d, err, sizeof(err)) == 0 &&
	    p != NULL && p->control.socket != NULL)
		s = strdup(p->control.socket);
	else
		s = strdup(POLICY_DEFAULT_SOCKET);
	policy_free(p);
	diag_free(&d);
	return s;
}

/* Write all of buf; -1 with errno on failure. */
static int
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Send {"cmd": cmd, "args": args} and read one answer line.  Returns the
 * answer (caller frees), or NULL with the reason printed (no daemon).
 * args is consumed.
 */
json_t *
ctl_request(const struct ctl *c, const char *cmd, json_t *args)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *path = find_socket(c), *line = NULL, *req;
	json_t *r, *ans = NULL;
	size_t cap = 0, len = 0, seen = 0;
	json_error_t jerr;
	int fd = -1, werr = 0;

	r = json_pack("{s:s, s:o}", "cmd", cmd, "args", args ? args :
	    json_object());
	req = r ? json_dumps(r, JSON_COMPACT) : NULL;
	json_decref(r);
	if (path == NULL || req == NULL) {
		fprintf(stderr, "zonectl: out of memory\n");
		goto out;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "zonectl: cannot reach zoned at %s: %s\n",
		    path, strerror(errno));
		goto out;
	}
	/* SIGPIPE is ignored (main): a daemon that closes on us is an
	 * error to report, and it may have said why before it closed */
	if (send_all(fd, req, strlen(req)) < 0 || send_all(fd, "\n", 1) < 0) {
		werr = errno;
		if (werr != EPIPE && werr != ECONNRESET) {
			fprintf(stderr, "zonectl: %s: %s\n", path,
			    strerror(werr));
			goto out;
		}
	}
	for (;;) {
		ssize_t n;
		if (len + 4096 + 1 > cap) {
			char *nl = realloc(line, cap = cap ? cap * 2 : 65536);
			if (nl == NULL)
				goto out;
			line = nl;
		}
		n = read(fd, line + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
		line[len] = '\0';
		/* only what came now: an answer of megabytes (flows of a
		 * large policy) arrives in many reads */
		if (memchr(line + seen, '\n', len - seen))
			break;
		seen = len;
	}
	if (len == 0) {
		if (werr != 0)
			fprintf(stderr, "zonectl: zoned at %s closed the "
			    "connection before it took the request (%s)\n",
			    path, strerror(werr));
		else
			fprintf(stderr, "zonectl: zoned at %s closed the "
			    "connection without an answer\n", path);
		goto out;
	}
	line[len] = '\0';
	if ((ans = json_loads(line, JSON_DISABLE_EOF_CHECK, &jerr)) == NULL)
		fprintf(stderr, "zonectl: bad answer from zoned: %s\n",
		    jerr.text);
out:
	if (fd >= 0)
		close(fd);
	free(line);
	free(req);
	free(path);
	return ans;
}

/* An error answer: print it; returns the exit code for it. */
static int
answer_error(const json_t *ans)
{
	int code = (int)json_integer_value(json_object_get(ans, "code"));
	const char *err = json_string_value(json_object_get(ans, "error"));
	const json_t *detail = json_object_get(ans, "detail");
	const json_t *f;
	size_t i;

	fprintf(stderr, "zonectl: %s (%s)\n", err ? err : "error",
	    ctl_code_str(code));
	json_array_foreach(json_object_get(detail, "findings"), i, f)
		fprintf(stderr, "%s:%d: %s: %s: %s%s%s\n",
		    json_string_value(json_object_get(f, "file")),
		    (int)json_integer_value(json_object_get(f, "line")),
		    json_string_value(json_object_get(f, "severity")),
		    json_string_value(json_object_get(f, "id")),
		    json_string_value(json_object_get(f, "object")),
		    json_string_value(json_object_get(f, "object"))[0] ?
		    ": " : "",
		    json_string_value(json_object_get(f, "message")));
	json_array_foreach(json_object_get(detail, "kernel_errors"), i, f)
		fprintf(stderr, "%s:%d: kernel: %s: %s%s%s\n",
		    json_string_value(json_object_get(f, "file")),
		    (int)json_integer_value(json_object_get(f, "line")),
		    json_string_value(json_object_get(f, "object")),
		    json_string_value(json_object_get(f, "error")),
		    json_string_value(json_object_get(f, "kernel"))[0] ?
		    ": " : "",
		    json_string_value(json_object_get(f, "kernel")));
	return code == CTL_FAILED || code == CTL_RESTART ? EXIT_NO :
	    EXIT_TROUBLE;
}

static void
print_json(const json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s)
		printf("%s\n", s);
	free(s);
}

/* A command's options (opts, "json" among them, handled here; the others
 * through opt(ch, optarg, args) adding to args, -1 on a bad value), no
 * operands.  -1 after printing the usage. */
static int
parse_opts(struct ctl *c, int argc, char **argv, const char *usage,
    const struct option *opts, int (*opt)(int ch, const char *arg,
    json_t *args), json_t *args)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			c->json = true;
		else if (ch == '?' || opt == NULL || opt(ch, optarg, args) < 0)
			goto usage;
	}
	if (optind == argc)
		return 0;
usage:
	fprintf(stderr, "usage: zonectl %s\n", usage);
	return -1;
}

/* Parse the options, then send. */
static json_t *
request(struct ctl *c, int argc, char **argv, const char *cmd,
    const char *usage, const struct option *opts,
    int (*opt)(int ch, const char *arg, json_t *args), json_t *args, int *rc)
{
	if (parse_opts(c, argc, argv, usage, opts, opt, args) < 0) {
		json_decref(args);
		*rc = EXIT_TROUBLE;
		return NULL;
	}
	return ctl_call(c, cmd, args, rc);
}

int
ctl_answer_error(const json_t *ans)
{
	return answer_error(ans);
}

void
ctl_print_json(const json_t *j)
{
	print_json(j);
}

/* Run a command without arguments of its own; NULL on trouble (exit code
 * in *rc). */
static json_t *
simple(struct ctl *c, int argc, char **argv, const char *cmd, json_t *args,
    int *rc)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	char usage[64];

	snprintf(usage, sizeof(usage), "%s [--json]", cmd);
	return request(c, argc, argv, cmd, usage, opts, NULL, args, rc);
}

/* ---------------------------------------------------------------------
 * Tables
 */

struct table {
	char **cells;
	size_t ncols, nrows, cap;
};

static void
table_add(struct table *t, ...)
{
	va_list ap;

	if ((t->nrows + 1) * t->ncols > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : t->ncols * 16;
		char **v = realloc(t->cells, cap * sizeof(*v));
		if (v == NULL)
			return;
		t->cells = v;
		t->cap = cap;
	}
	va_start(ap, t);
	for (size_t i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);
		t->cells[t->nrows * t->ncols + i] = strdup(s ? s : "-");
	}
	va_end(ap);
	t->nrows++;
}

static void
table_print(struct table *t)
{
	size_t w[16] = { 0 };

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols && c < 16; c++) {
			const char *s = t->cells[r * t->ncols + c];
			size_t n = s ? strlen(s) : 0;
			if (n > w[c])
				w[c] = n;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];
			if (c + 1 < t->ncols)
				printf("%-*s  ", (int)w[c], s ? s : "");
			else
				printf("%s", s ? s : "");
		}
		printf("\n");
	}
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

static const char *
num(json_int_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%lld", (long long)v);
	return buf;
}

/* ---------------------------------------------------------------------
 * The commands
 */

/* jstr, "-" when absent */
static const char *
jstrd(const json_t *o, const char *key)
{
	const char *s = jstr(o, key);
	return s ? s : "-";
}

/* "enforce": the mode and, in dual mode, the second verdict's figures */
static void
status_enforce(json_t *e)
{
	json_t *q = json_object_get(e, "queue");
	char b[6][32];

	if (!json_is_object(e))
		return;
	if (!json_is_object(q)) {
		printf("enforce      %s%s\n", jstrd(e, "mode"),
		    strcmp(jstrd(e, "mode"), "kernel") == 0 ?
		    " (the kernel ruleset alone decides)" :
		    strcmp(jstrd(e, "mode"), "dual") == 0 ? ": THE QUEUE IS "
		    "NOT BOUND, new crossings are refused (see the log)" : "");
		return;
	}
	printf("enforce      %s: kernel ruleset and classifier, queue %lld "
	    "(%s)\n", jstrd(e, "mode"), (long long)jint(q, "queue"),
	    jstrd(q, "queue_expr"));
	printf("verdicts     %s (%s/s): %s accepted, %s refused, %s "
	    "disagreements\n", num(jint(q, "verdicts"), b[0], 32),
	    num(jint(q, "verdicts_per_s"), b[1], 32),
	    num(jint(q, "accepted"), b[2], 32),
	    num(jint(q, "refused"), b[3], 32),
	    num(jint(q, "disagreements"), b[4], 32));
	if (json_is_integer(json_object_get(q, "queue_dropped")))
		printf("queue        %s waiting, %s dropped by the kernel, %s "
		    "not delivered\n", num(jint(q, "queue_len"), b[0], 32),
		    num(jint(q, "queue_dropped"), b[1], 32),
		    num(jint(q, "user_dropped"), b[2], 32));
	else
		printf("queue        the kernel's figures cannot be read\n");
}

/* "monitor": one line an interface, then the alerts */
static void
status_monitor(json_t *m)
{
	json_t *ifs = json_object_get(m, "interfaces"), *i;
	json_t *al = json_object_get(m, "alerts");
	json_t *ft = json_object_get(m, "flow_table");
	char b[6][32];
	size_t n;

	if (!json_is_object(m))
		return;
	json_array_foreach(ifs, n, i)
		printf("monitor      %s (%s): %s, %s frames, %s crossings, "
		    "%s violating, %s dropped\n", jstrd(i, "name"),
		    jstrd(i, "zone"), json_is_true(json_object_get(i,
		    "attached")) ? "attached" : "NOT ATTACHED",
		    num(jint(i, "frames_out") + jint(i, "frames_in"), b[0], 32),
		    num(jint(i, "crossings"), b[1], 32),
		    num(jint(i, "violating"), b[2], 32),
		    num(jint(i, "kernel_drops") + jint(i, "interface_drops"),
		    b[3], 32));
	if (json_is_object(ft))
		printf("flow table   %s of %s entries, %s evictions, %s "
		    "expired\n", num(jint(ft, "entries"), b[0], 32),
		    num(jint(ft, "capacity"), b[1], 32),
		    num(jint(ft, "evictions"), b[2], 32),
		    num(jint(ft, "expirations"), b[3], 32));
	if (json_is_object(al))
		printf("alerts       %s raised, %s evidence files (%s bytes)\n",
		    num(jint(al, "raised"), b[0], 32),
		    num(jint(al, "evidence_files"), b[1], 32),
		    num(jint(al, "evidence_bytes"), b[2], 32));
}

/* "isolated": a line a zone, with when, who and why */
static void
status_isolated(json_t *iso)
{
	json_t *v, *f;
	size_t i, j;

	json_array_foreach(iso, i, v) {
		char ifs[256] = "", uid[24] = "-";
		json_array_foreach(json_object_get(v, "interfaces"), j, f)
			snprintf(ifs + strlen(ifs), sizeof(ifs) - strlen(ifs),
			    "%s%s", j ? "," : "", json_string_value(f));
		if (json_is_integer(json_object_get(v, "uid")))
			snprintf(uid, sizeof(uid), "%lld",
			    (long long)jint(v, "uid"));
		printf("ISOLATED     zone %s%s%s%s since %s by %s (uid %s): %s\n",
		    jstrd(v, "zone"), ifs[0] ? " (" : "", ifs, ifs[0] ? ")" :
		    "", jstrd(v, "since"), jstrd(v, "user"), uid,
		    jstrd(v, "reason"));
	}
}

/* "confirm": a policy awaiting confirmation, or one put back */
static void
status_confirm(json_t *cf)
{
	if (!json_is_object(cf))
		return;
	if (strcmp(jstrd(cf, "state"), "pending") == 0)
		printf("confirm      PENDING: policy %.12s loaded %s by %s "
		    "awaits confirmation, %llds left (zonectl confirm, or "
		    "zonectl rollback; else %.12s comes back)\n",
		    jstrd(cf, "policy"), jstrd(cf, "since"), jstrd(cf, "user"),
		    (long long)jint(cf, "seconds_left"),
		    jstrd(cf, "previous"));
	else
		printf("confirm      policy %.12s was rolled back unconfirmed "
		    "at %s\n", jstrd(cf, "policy"), jstrd(cf, "at"));
}

/* "clock": synchronised or not, and the kernel's error estimates */
static void
status_clock(json_t *ck)
{
	if (!json_is_object(ck))
		return;
	if (json_is_true(json_object_get(ck, "synchronised")))
		printf("clock        synchronised (estimated error %.3f ms, "
		    "maximum %.3f ms)\n", (double)jint(ck,
		    "estimated_error_us") / 1e3, (double)jint(ck,
		    "maximum_error_us") / 1e3);
	else
		printf("clock        NOT SYNCHRONISED: %s (estimated error "
		    "%.3f s); timestamps of evidence, alerts and the journal "
		    "may be wrong\n", jstrd(ck, "why"), (double)jint(ck,
		    "estimated_error_us") / 1e6);
}

/* The MAC pins, and each that cannot prove its host (off the
 * appliance's segment). */
static void
status_pins(json_t *n)
{
	json_t *v;
	size_t i;

	if (!json_is_object(n))
		return;
	printf("pins         %lld pinned, %lld not on the appliance's "
	    "segment\n", (long long)jint(n, "pinned"),
	    (long long)jint(n, "off_link"));
	json_array_foreach(json_object_get(n, "problems"), i, v)
		printf("  OFF-LINK   host %s %s (%s): %s: %s\n", jstr(v, "host"),
		    jstr(v, "address"), jstr(v, "mac"), jstr(v, "reason"),
		    jstr(v, "detail"));
}

/* "ha": one node of a pair, the state keepalived reported */
static void
status_ha(json_t *h)
{
	json_t *v;
	size_t i;

	if (!json_is_object(h))
		return;
	printf("ha           %s%s%s", jstrd(h, "state"), jstr(h, "since") ?
	    " since " : "", jstr(h, "since") ? jstr(h, "since") : "");
	if (!json_is_true(json_object_get(h, "pair")))
		printf(" (the running policy has no ha block)\n");
	else {
		printf(", %s; sync link %s, peer", json_is_true(
		    json_object_get(h, "forwarding")) ? "forwarding" :
		    "HOLDING every zone (not the master)",
		    jstrd(h, "sync_interface"));
		json_array_foreach(json_object_get(h, "peers"), i, v)
			printf("%s%s", i ? ", " : " ", json_string_value(v));
		printf("\n");
	}
	if (jstr(h, "conntrackd"))
		printf("conntrackd   %s\n", jstr(h, "conntrackd"));
	if (jstr(h, "peer_sha256"))
		printf("peer policy  %s (%s, %s)\n", jstr(h, "peer_sha256"),
		    json_is_true(json_object_get(h, "peer_match")) ?
		    "the same" : "DIFFERS from this node's",
		    jstrd(h, "peer_checked_at"));
}

int
ctl_status(struct ctl *c, int argc, char **argv)
{
	json_t *r, *p, *k, *n;
	char b1[32], b2[32];
	int rc;

	if ((r = simple(c, argc, argv, CTL_CMD_STATUS, NULL, &rc)) == NULL)
		return rc;
	if (c->json) {
		print_json(r);
		json_decref(r);
		return 0;
	}
	p = json_object_get(r, "policy");
	k = json_object_get(r, "kernel");
	n = json_object_get(r, "counters");
	printf("zoned        pid %lld, up %llds since %s\n",
	    (long long)jint(r, "pid"), (long long)jint(r, "uptime"),
	    jstr(r, "started"));
	if (jstr(r, "version"))
		printf("version      %s\n", jstr(r, "version"));
	printf("mode         %s\n", jstr(r, "mode"));
	if (jstr(r, "fail_reason"))
		printf("reason       %s\n", jstr(r, "fail_reason"));
	if (json_is_object(p)) {
		printf("policy       %s\n", jstr(p, "file"));
		printf("sha256       %s\n", jstr(p, "sha256"));
		printf("model        %s\n", jstr(p, "model"));
		printf("flows        %lld (%lld active), %lld zones, %lld "
		    "hosts\n", (long long)jint(p, "flows"),
		    (long long)jint(p, "active_flows"),
		    (long long)jint(p, "zones"), (long long)jint(p, "hosts"));
		if (json_is_integer(json_object_get(p, "loaded_by")))
			printf("loaded       %s by uid %lld\n",
			    jstr(p, "loaded_at"),
			    (long long)jint(p, "loaded_by"));
		else
			printf("loaded       %s at start-up or SIGHUP\n",
			    jstr(p, "loaded_at"));
	}
	printf("kernel       %s\n", !json_is_true(json_object_get(k,
	    "verified")) ? "not verified yet" : json_is_true(json_object_get(k,
	    "match")) ? "table matches the policy" : "DRIFT: the table "
	    "differs from the policy (zonectl verify)");
	printf("permitted    %s packets, %s bytes\n",
	    num(jint(n, "permitted_packets"), b1, sizeof(b1)),
	    num(jint(n, "permitted_bytes"), b2, sizeof(b2)));
	printf("denied       %s packets, %s bytes\n",
	    num(jint(n, "denied_packets"), b1, sizeof(b1)),
	    num(jint(n, "denied_bytes"), b2, sizeof(b2)));
	status_ha(json_object_get(r, "ha"));
	status_enforce(json_object_get(r, "enforce"));
	status_monitor(json_object_get(r, "monitor"));
	status_isolated(json_object_get(r, "isolated"));
	status_confirm(json_object_get(r, "confirm"));
	status_clock(json_object_get(r, "clock"));
	if (jstr(json_object_get(r, "journal"), "file"))
		printf("journal      %s\n", jstr(json_object_get(r, "journal"),
		    "file"));
	status_pins(json_object_get(r, "pins"));
	if (json_is_object(json_object_get(r, "last_reload"))) {
		json_t *l = json_object_get(r, "last_reload");
		printf("last reload  %s: %s%s\n", jstr(l, "at"),
		    json_is_true(json_object_get(l, "ok")) ? "" : "REJECTED: ",
		    jstr(l, "message"));
	}
	json_decref(r);
	return 0;
}

int
ctl_zones(struct ctl *c, int argc, char **argv)
{
	struct table t = { .ncols = 8 };
	json_t *r, *z;
	size_t i;
	int rc;
	char b[4][32];

	if ((r = simple(c, argc, argv, CTL_CMD_ZONES, NULL, &rc)) == NULL)
		return rc;
	if (c->json) {
		print_json(r);
		json_decref(r);
		return 0;
	}
	table_add(&t, "ZONE", "KIND", "INTERFACES", "NETWORKS", "PERMIT-IN",
	    "PERMIT-OUT", "DENY-IN", "DENY-OUT");
	json_array_foreach(r, i, z) {
		char ifs[256] = "", nets[512] = "";
		size_t j;
		json_t *v;
		json_array_foreach(json_object_get(z, "interfaces"), j, v)
			snprintf(ifs + strlen(ifs), sizeof(ifs) - strlen(ifs),
			    "%s%s(%s)", j ? "," : "", jstr(v, "name"),
			    jstr(v, "state"));
		json_array_foreach(json_object_get(z, "networks"), j, v)
			snprintf(nets + strlen(nets), sizeof(nets) -
			    strlen(nets), "%s%s", j ? "," : "",
			    json_string_value(v));
		char zname[160], kind[48];
		if (jstr(z, "label"))
			snprintf(zname, sizeof(zname), "%s (%s)", jstr(z, "name"),
			    jstr(z, "label"));
		else
			snprintf(zname, sizeof(zname), "%s", jstr(z, "name"));
		snprintf(kind, sizeof(kind), "%s%s", jstr(z, "kind"),
		    json_is_true(json_object_get(z, "closed_line")) ?
		    "+closed-line" : "");
		table_add(&t, zname, kind, ifs, nets,
		    num(jint(z, "permitted_in"), b[0], 32),
		    num(jint(z, "permitted_out"), b[1], 32),
		    num(jint(z, "denied_in"), b[2], 32),
		    num(jint(z, "denied_out"), b[3], 32));
	}
	table_print(&t);
	json_array_foreach(r, i, z) {
		json_t *iso = json_object_get(z, "isolated");
		char uid[24] = "-";
		if (!json_is_object(iso))
			continue;
		if (json_is_integer(json_object_get(iso, "uid")))
			snprintf(uid, sizeof(uid), "%lld",
			    (long long)jint(iso, "uid"));
		printf("zone %s is ISOLATED since %s by %s (uid %s): %s\n",
		    jstr(z, "name"), jstrd(iso, "since"), jstrd(iso, "user"),
		    uid, jstrd(iso, "reason"));
	}
	json_decref(r);
	return 0;
}

static int
flows_opt(int ch, const char *arg, json_t *args)
{
	char *end;
	long days;

	if (ch != 'u')
		return -1;
	days = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || days < 0 || days > 36500) {
		fprintf(stderr, "zonectl: --unused takes a number of days "
		    "(0 to 36500)\n");
		return -1;
	}
	json_object_set_new(args, "unused", json_integer(days));
	return 0;
}

/* The column of name in a rows answer's "columns", -1 when none. */
static int
column(const json_t *cols, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(cols, i, v)
		if (strcmp(json_string_value(v), name) == 0)
			return (int)i;
	return -1;
}

/* A row's cell as a string for the table, NULL for null (cell_minute: a
 * time to the minute, or def). */
static const char *
cell(const json_t *row, int col, char *buf, size_t len)
{
	const json_t *v = col >= 0 ? json_array_get(row, (size_t)col) : NULL;

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		return num(json_integer_value(v), buf, len);
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	return NULL;
}

static const char *
cell_minute(const json_t *row, int col, const char *def, char *buf,
    size_t len)
{
	const char *t = cell(row, col, buf, len);

	if (t == NULL)
		return def;
	snprintf(buf, len, "%.16s", t);
	return buf;
}

/* LAST-HIT: the time to the minute, or "never" with since when the flow
 * is watched. */
static const char *
last_hit(const json_t *row, int last, int since, char *buf, size_t len)
{
	char s[24];

	if (cell(row, last, s, sizeof(s)) != NULL)
		return cell_minute(row, last, "-", buf, len);
	snprintf(buf, len, "never since %.16s", cell_minute(row, since, "-", s,
	    sizeof(s)));
	return buf;
}

/* FLOW: the name, and its label in parentheses when it has one. */
static const char *
flow_name(const json_t *row, int name, int label, char *buf, size_t len)
{
	char s[8];
	const char *n = cell(row, name, s, sizeof(s));
	const char *l = cell(row, label, s, sizeof(s));

	if (l == NULL)
		return n;
	snprintf(buf, len, "%s (%s)", n ? n : "-", l);
	return buf;
}

int
ctl_flows(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "unused", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *args = json_object(), *r, *rows, *row, *cols;
	int k[14], rc;
	bool unused;
	size_t i;
	char b[5][160], s[8];	/* the cells of strings need no buffer */

	if (parse_opts(c, argc, argv, "flows [--unused DAYS] [--json]", opts,
	    flows_opt, args) < 0) {
		json_decref(args);
		return EXIT_TROUBLE;
	}
	unused = json_object_get(args, "unused") != NULL;
	/* for a table, rows: at 100,000 flows a tenth of the work of
	 * objects, on both sides */
	if (!c->json)
		json_object_set_new(args, "rows", json_true());
	if ((r = ctl_call(c, CTL_CMD_FLOWS, args, &rc)) == NULL)
		return rc;
	if (c->json) {
		print_json(r);
		json_decref(r);
		return 0;
	}
	cols = json_object_get(r, "columns");
	rows = json_object_get(r, "rows");
	k[0] = column(cols, "name");
	k[1] = column(cols, "source");
	k[2] = column(cols, "destination");
	k[3] = column(cols, "services");
	k[4] = column(cols, "method");
	k[5] = column(cols, "active");
	k[6] = column(cols, "approval");
	k[7] = column(cols, "packets");
	k[8] = column(cols, "bytes");
	k[9] = column(cols, "first_hit");
	k[10] = column(cols, "last_hit");
	k[11] = column(cols, "watched_since");
	k[12] = column(cols, "label");
	k[13] = column(cols, "state");
	if (unused) {
		struct table t = { .ncols = 6 };
		table_add(&t, "FLOW", "FROM", "TO", "METHOD", "APPROVAL",
		    "LAST-HIT");
		json_array_foreach(rows, i, row)
			table_add(&t, flow_name(row, k[0], k[12], b[1], 160),
			    cell(row, k[1], s, 8), cell(row, k[2], s, 8),
			    cell(row, k[4], s, 8), cell(row, k[6], s, 8),
			    last_hit(row, k[10], k[11], b[0], 64));
		table_print(&t);
		printf("%zu flow%s without a hit in the time asked\n",
		    json_array_size(rows), json_array_size(rows) == 1 ? "" :
		    "s");
	} else {
		struct table t = { .ncols = 10 };
		table_add(&t, "FLOW", "FROM", "TO", "SERVICES", "METHOD",
		    "STATE", "PACKETS", "BYTES", "FIRST-HIT", "LAST-HIT");
		json_array_foreach(rows, i, row)
			table_add(&t, flow_name(row, k[0], k[12], b[4], 160),
			    cell(row, k[1], s, 8), cell(row, k[2], s, 8),
			    cell(row, k[3], s, 8), cell(row, k[4], s, 8),
			    cell(row, k[13], s, 8) ? cell(row, k[13], s, 8) :
			    json_is_true(json_array_get(row, (size_t)k[5])) ?
			    "active" : "expired", cell(row, k[7], b[0], 64),
			    cell(row, k[8], b[1], 64),
			    cell_minute(row, k[9], "-", b[2], 64),
			    last_hit(row, k[10], k[11], b[3], 64));
		table_print(&t);
	}
	json_decref(r);
	return 0;
}

int
ctl_verify(struct ctl *c, int argc, char **argv)
{
	json_t *r, *l;
	size_t i;
	int rc;

	if ((r = simple(c, argc, argv, CTL_CMD_VERIFY, NULL, &rc)) == NULL)
		return rc;
	rc = json_is_true(json_object_get(r, "match")) ? 0 : EXIT_NO;
	if (c->json)
		print_json(r);
	else if (rc == 0)
		printf("ok: the kernel's table inet zoned matches the policy\n");
	else {
		printf("drift: %lld difference(s) between the policy (-) and "
		    "the kernel (+):\n", (long long)jint(r, "differences"));
		json_array_foreach(json_object_get(r, "lines"), i, l)
			printf("  %s\n", json_string_value(l));
	}
	json_decref(r);
	return rc;
}

static int
reload_opt(int ch, const char *arg, json_t *args)
{
	char *end;
	long secs;

	switch (ch) {
	case 'F':
		json_object_set_new(args, "full", json_true());
		return 0;
	case 'c':
		secs = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || secs < 1 || secs > 86400) {
			fprintf(stderr, "zonectl: --confirm takes a number of "
			    "seconds, 1 to 86400\n");
			return -1;
		}
		json_object_set_new(args, "confirm", json_integer(secs));
		return 0;
	}
	return -1;
}

int
ctl_reload(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "full", no_argument, NULL, 'F' },
		{ "confirm", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *r, *f, *t, *cf;
	size_t i;
	int rc;

	if ((r = request(c, argc, argv, CTL_CMD_RELOAD,
	    "reload [--full] [--confirm SECONDS] [--json]", opts, reload_opt,
	    json_object(), &rc)) == NULL)
		return rc;
	cf = json_object_get(r, "confirm");
	if (c->json)
		print_json(r);
	else {
		t = json_object_get(r, "transaction");
		printf("loaded %s (sha256 %s)\n", jstr(r, "file"),
		    jstr(r, "sha256"));
		if (json_is_object(t) && strcmp(jstrd(t, "apply"), "full") == 0)
			printf("applied the whole table (%s): %lld messages, "
			    "%.1f ms in the kernel, %.1f ms in all\n",
			    jstrd(t, "reason"), (long long)jint(t, "messages"),
			    json_real_value(json_object_get(t, "apply_ms")),
			    json_real_value(json_object_get(t, "reload_ms")));
		else if (json_is_object(t))
			printf("applied %lld change%s: %lld messages, %.1f ms "
			    "in the kernel, %.1f ms in all\n",
			    (long long)jint(t, "changes"), jint(t, "changes") ==
			    1 ? "" : "s", (long long)jint(t, "messages"),
			    json_real_value(json_object_get(t, "apply_ms")),
			    json_real_value(json_object_get(t, "reload_ms")));
		json_array_foreach(json_object_get(r, "findings"), i, f)
			printf("%s:%d: %s: %s: %s\n", jstr(f, "file"),
			    (int)jint(f, "line"), jstr(f, "severity"),
			    jstr(f, "id"), jstr(f, "message"));
		if (json_is_object(cf) && strcmp(jstrd(cf, "state"),
		    "pending") == 0)
			printf("awaiting confirmation: run zonectl confirm "
			    "within %llds, or the policy before (%.12s) comes "
			    "back by itself\n", (long long)jint(cf,
			    "seconds_left"), jstrd(cf, "previous"));
	}
	json_decref(r);
	return 0;
}

/* check without -f: the running policy answers. */
int
ctl_check_online(struct ctl *c, const char *src, const char *dst,
    const char *proto, const char *mac, int sport)
{
	json_t *args = json_pack("{s:s, s:s, s:s}", "src", src, "dst", dst,
	    "proto", proto), *r;
	int rc;

	if (mac)
		json_object_set_new(args, "mac", json_string(mac));
	if (sport >= 0)
		json_object_set_new(args, "sport", json_integer(sport));
	if ((r = ctl_call(c, CTL_CMD_CHECK, args, &rc)) == NULL)
		return rc == EXIT_NO ? EXIT_TROUBLE : rc;
	rc = strcmp(jstr(r, "verdict") ? jstr(r, "verdict") : "", "permit") ==
	    0 ? 0 : EXIT_NO;
	if (c->json)
		print_json(r);
	else {
		printf("%s: %s\n", jstr(r, "verdict"), jstr(r, "explain"));
		if (jstr(r, "note"))
			printf("note: %s\n", jstr(r, "note"));
	}
	json_decref(r);
	return rc;
}

int
ctl_alerts(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "since", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *args = json_object(), *r, *a;
	long long t;
	size_t i;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			c->json = true;
			break;
		case 's':
			if (ctl_parse_at(optarg, &t) < 0) {
				json_decref(args);
				return EXIT_TROUBLE;
			}
			json_object_set_new(args, "since", json_string(optarg));
			break;
		default:
			json_decref(args);
			fprintf(stderr, "usage: zonectl alerts [--since TIME] "
			    "[--json]\n");
			return EXIT_TROUBLE;
		}
	}
	if ((r = ctl_call(c, CTL_CMD_ALERTS, args, &rc)) == NULL)
		return rc;
	if (c->json)
		print_json(r);
	else if (json_array_size(r) == 0)
		printf("no alerts\n");
	else
		json_array_foreach(r, i, a) {
			const char *k;
			json_t *v;
			printf("%s #%lld %s", jstr(a, "time"),
			    (long long)jint(a, "id"), jstr(a, "kind"));
			json_object_foreach(a, k, v) {
				if (!strcmp(k, "time") || !strcmp(k, "id") ||
				    !strcmp(k, "kind"))
					continue;
				if (json_is_string(v))
					printf(" %s=%s", k, json_string_value(v));
				else if (json_is_integer(v))
					printf(" %s=%lld", k,
					    (long long)json_integer_value(v));
			}
			printf("\n");
		}
	json_decref(r);
	return 0;
}

json_t *
ctl_call(const struct ctl *c, const char *cmd, json_t *args, int *rc)
{
	json_t *ans = ctl_request(c, cmd, args), *result;

	if (ans == NULL) {
		*rc = EXIT_TROUBLE;
		return NULL;
	}
	if (!json_is_true(json_object_get(ans, "ok"))) {
		*rc = answer_error(ans);
		json_decref(ans);
		return NULL;
	}
	result = json_incref(json_object_get(ans, "result"));
	json_decref(ans);
	*rc = 0;
	return result;
}
