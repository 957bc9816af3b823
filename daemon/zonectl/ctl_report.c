/*
 * ctl_report — zonectl report: the audit report, from the running daemon
 * (its answers to status, zones, flows, verify and alerts, and the policy
 * file it runs) or offline from a policy file (-f).  Gathering only: the
 * model, the diagram and the HTML are made in lib/report*.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ctlproto.h"
#include "report.h"
#include "zonectl.h"

#define REPORT_USAGE "report [-f FILE] [-o OUT] [--json] [--since TIME] " \
	"[--unused-days N] [--journal FILE]"

struct report_opts {
	const char *file;	/* -f: offline */
	const char *out;	/* -o, NULL: standard output */
	const char *since;
	time_t since_t;
	const char *journal;	/* --journal: a copy of the change journal */
	int unused_days;
};

static int
parse(struct ctl *c, int argc, char **argv, struct report_opts *o)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "file", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, 's' },
		{ "unused-days", required_argument, NULL, 'u' },
		{ "journal", required_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 },
	};
	long long t;
	char *end;
	long v;
	int ch;

	memset(o, 0, sizeof(*o));
	o->unused_days = REPORT_UNUSED_DAYS;
	while ((ch = getopt_long(argc, argv, "f:o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			c->json = true;
			break;
		case 'f':
			o->file = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 's':
			if (ctl_parse_at(optarg, &t) < 0)
				return -1;
			o->since = optarg;
			o->since_t = (time_t)t;
			break;
		case 'J':
			o->journal = optarg;
			break;
		case 'u':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 ||
			    v > 36500) {
				fprintf(stderr, "zonectl: invalid --unused-days "
				    "\"%s\" (1 to 36500)\n", optarg);
				return -1;
			}
			o->unused_days = (int)v;
			break;
		default:
			goto usage;
		}
	}
	if (optind == argc)
		return 0;
usage:
	fprintf(stderr, "usage: zonectl " REPORT_USAGE "\n");
	return -1;
}

/* One answer's result (a new reference), or NULL with why filled. */
static json_t *
ask(const struct ctl *c, const char *cmd, json_t *args, char *why,
    size_t len)
{
	json_t *ans = ctl_request(c, cmd, args), *r;

	if (ans == NULL) {
		snprintf(why, len, "zoned did not answer \"%s\"", cmd);
		return NULL;
	}
	if (!json_is_true(json_object_get(ans, "ok"))) {
		snprintf(why, len, "%s: %s", cmd, json_string_value(
		    json_object_get(ans, "error")) ?: "error");
		json_decref(ans);
		return NULL;
	}
	r = json_incref(json_object_get(ans, "result"));
	json_decref(ans);
	return r;
}

struct gathered {
	json_t *status, *zones, *flows, *verify, *alerts;
	char why[512];
};

static void
gathered_free(struct gathered *g)
{
	json_decref(g->status);
	json_decref(g->zones);
	json_decref(g->flows);
	json_decref(g->verify);
	json_decref(g->alerts);
}

/*
 * The running policy's text.  The daemon names the file it loaded; when
 * that file has changed since, the text it runs may still be kept under
 * its SHA-256 in the state directory (a daemon that keeps its policies).
 * *path is the file read.
 */
static int
running_source(const json_t *status, time_t now, struct report_source *src,
    char *path, size_t pathlen, char *err, size_t errlen)
{
	const json_t *pol = json_object_get(status, "policy");
	const char *file = jstr(pol, "file");
	const char *sha = jstr(pol, "sha256");
	const char *dir = jstr(json_object_get(status, "journal"),
	    "state_dir");
	struct report_source kept;
	char e2[256];
	int rc;

	if (file == NULL || *file == '\0') {
		snprintf(err, errlen, "zoned runs no policy (%s): make the "
		    "report of a file with -f", json_string_value(
		    json_object_get(status, "mode")) ?: "no mode");
		return -1;
	}
	snprintf(path, pathlen, "%s", file);
	rc = report_source_load(file, now, src, err, errlen);
	if ((rc == 0 && (sha == NULL || strcmp(sha, src->sha256) == 0)) ||
	    sha == NULL || dir == NULL)
		return rc;
	snprintf(path, pathlen, "%s/policies/%s.conf", dir, sha);
	if (report_source_load(path, now, &kept, e2, sizeof(e2)) < 0) {
		snprintf(path, pathlen, "%s", file);
		return rc;
	}
	report_source_free(src);
	*src = kept;
	return 0;
}

static int
gather(const struct ctl *c, const struct report_opts *o, struct gathered *g)
{
	json_t *args = json_object();

	memset(g, 0, sizeof(*g));
	if ((g->status = ask(c, CTL_CMD_STATUS, NULL, g->why,
	    sizeof(g->why))) == NULL) {
		json_decref(args);
		fprintf(stderr, "zonectl: %s; a report of a policy file alone: "
		    "zonectl report -f FILE\n", g->why);
		return -1;
	}
	g->zones = ask(c, CTL_CMD_ZONES, NULL, g->why, sizeof(g->why));
	g->flows = ask(c, CTL_CMD_FLOWS, NULL, g->why, sizeof(g->why));
	g->verify = ask(c, CTL_CMD_VERIFY, NULL, g->why, sizeof(g->why));
	if (o->since)
		json_object_set_new(args, "since", json_string(o->since));
	g->alerts = ask(c, CTL_CMD_ALERTS, args, g->why, sizeof(g->why));
	return 0;
}

/* Write the whole of data to path (through a temporary file renamed into
 * place), or to standard output. */
static int
write_out(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	FILE *fp;

	if (path == NULL) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout)) {
			fprintf(stderr, "zonectl: standard output: %s\n",
			    strerror(errno));
			return -1;
		}
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fp = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "zonectl: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	if (fwrite(data, 1, len, fp) != len) {
		fprintf(stderr, "zonectl: %s: %s\n", tmp, strerror(errno));
		fclose(fp);
		unlink(tmp);
		return -1;
	}
	if (fclose(fp) != 0 || rename(tmp, path) < 0) {
		fprintf(stderr, "zonectl: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The model as JSON, or as HTML with its diagram. */
static char *
render(const struct ctl *c, const json_t *m, size_t *len)
{
	char err[512], why[512] = "", *svg = NULL, *doc;

	if (c->json) {
		doc = json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (doc == NULL) {
			fprintf(stderr, "zonectl: out of memory\n");
			return NULL;
		}
		*len = strlen(doc);
		doc = realloc(doc, *len + 2);
		if (doc)
			strcpy(doc + (*len)++, "\n");
		return doc;
	}
	if (json_array_size(json_object_get(json_object_get(m, "diagram"),
	    "nodes")) > 0 && (svg = report_diagram_svg(m, why,
	    sizeof(why))) == NULL)
		fprintf(stderr, "zonectl: the diagram: %s\n", why);
	doc = report_html(m, svg, why[0] ? why : NULL, len, err, sizeof(err));
	if (doc == NULL)
		fprintf(stderr, "zonectl: the report: %s\n", err);
	free(svg);
	return doc;
}

int
ctl_report(struct ctl *c, int argc, char **argv)
{
	struct report_opts o;
	struct report_source src = { 0 };
	struct report_live live = { 0 };
	struct report_input in = { 0 };
	struct gathered g = { 0 };
	struct timespec t0;
	char err[512], host[256] = "", path[4096] = "";
	json_t *m = NULL;
	char *doc = NULL;
	size_t len = 0;
	int rc = EXIT_TROUBLE;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (parse(c, argc, argv, &o) < 0)
		return EXIT_TROUBLE;
	in.now = time(NULL);
	if (o.file == NULL) {
		if (gather(c, &o, &g) < 0)
			return EXIT_TROUBLE;
		live = (struct report_live){ g.status, g.zones, g.flows,
		    g.verify, g.alerts, g.why };
		in.live = &live;
		if (running_source(g.status, in.now, &src, path,
		    sizeof(path), err, sizeof(err)) < 0) {
			fprintf(stderr, "zonectl: %s\n", err);
			goto out;
		}
	} else if (report_source_load(o.file, in.now, &src, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "zonectl: %s\n", err);
		goto out;
	}
	gethostname(host, sizeof(host) - 1);
	in.file = o.file ? o.file : path;
	in.sha256 = src.sha256;
	in.pol = src.pol;
	in.diag = &src.diag;
	in.since = o.since_t;
	in.unused_days = o.unused_days;
	in.appliance = host;
	in.journal = o.journal;
	if ((m = report_build(&in, err, sizeof(err))) == NULL) {
		fprintf(stderr, "zonectl: %s\n", err);
		goto out;
	}
	if ((doc = render(c, m, &len)) == NULL || write_out(o.out, doc,
	    len) < 0)
		goto out;
	if (o.out)
		printf("report: %s (%zu bytes, %s, %.0f ms)\n", o.out, len,
		    c->json ? "JSON" : "HTML", ms_since(&t0));
	rc = 0;
out:
	free(doc);
	json_decref(m);
	report_source_free(&src);
	gathered_free(&g);
	return rc;
}
