/*
 * ctl_offline — the commands that work on a policy file without the daemon:
 * lint, and check -f.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "audit.h"
#include "classify.h"
#include "conf.h"
#include "lint.h"
#include "query.h"
#include "zonectl.h"

int
ctl_parse_at(const char *s, long long *out)
{
	time_t t;

	if (conf_parse_time(s, &t) < 0) {
		fprintf(stderr, "zonectl: invalid time \"%s\" (RFC 3339, like "
		    "2026-12-31T23:59:59+09:00)\n", s);
		return -1;
	}
	*out = (long long)t;
	return 0;
}

/* Options common to lint and check. */
struct offline_opts {
	const char *file;
	time_t now;
	bool at_given;
	const char *mac;
	int sport;
};

static int
parse_opts(struct ctl *c, int argc, char **argv, struct offline_opts *o,
    bool check)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "at", required_argument, NULL, 'a' },
		{ "mac", required_argument, NULL, 'm' },
		{ "sport", required_argument, NULL, 'p' },
		{ "file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	long long at;
	int ch;
	char *end;

	o->file = NULL;
	o->now = time(NULL);
	o->at_given = false;
	o->mac = NULL;
	o->sport = -1;
	while ((ch = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			o->file = optarg;
			break;
		case 'j':
			c->json = true;
			break;
		case 'a':
			if (ctl_parse_at(optarg, &at) < 0)
				return -1;
			o->now = (time_t)at;
			o->at_given = true;
			break;
		case 'm':
			if (!check)
				goto usage;
			o->mac = optarg;
			break;
		case 'p':
			if (!check)
				goto usage;
			o->sport = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || o->sport < 0 ||
			    o->sport > 65535) {
				fprintf(stderr, "zonectl: invalid source port "
				    "\"%s\"\n", optarg);
				return -1;
			}
			break;
		default:
			goto usage;
		}
	}
	return 0;
usage:
	fprintf(stderr, "usage: zonectl %s\n", check ?
	    "check [-f FILE] SRC DST|appliance PROTO[/PORT]|SERVICE [--sport N] "
	    "[--mac MAC] "
	    "[--json] [--at TIME]" : "lint [-f FILE] [--json] [--at TIME]");
	return -1;
}

int
ctl_lint(struct ctl *c, int argc, char **argv)
{
	struct offline_opts o;
	struct policy *p = NULL;
	struct diag d;
	char err[512];
	int rc;

	if (parse_opts(c, argc, argv, &o, false) < 0)
		return EXIT_TROUBLE;
	if (optind != argc) {
		fprintf(stderr, "usage: zonectl lint [-f FILE] [--json] "
		    "[--at TIME]\n");
		return EXIT_TROUBLE;
	}
	if (o.file == NULL)
		o.file = ZONECTL_DEFAULT_CONF;
	diag_init(&d);
	if (lint_file(o.file, o.now, &p, &d, err, sizeof(err)) < 0) {
		fprintf(stderr, "zonectl: %s\n", err);
		diag_free(&d);
		return EXIT_TROUBLE;
	}
	if (c->json) {
		char *s = diag_json(&d);
		if (s == NULL) {
			fprintf(stderr, "zonectl: out of memory\n");
			rc = EXIT_TROUBLE;
			goto out;
		}
		printf("%s\n", s);
		free(s);
	} else
		diag_print(&d, stdout);
	rc = d.nerrors > 0 || d.oom ? EXIT_NO : 0;
out:
	policy_free(p);
	diag_free(&d);
	return rc;
}

int
ctl_check(struct ctl *c, int argc, char **argv)
{
	struct offline_opts o;
	struct query_args a = { 0 };
	struct query q;
	struct classify *cl;
	struct classify_verdict v;
	struct policy *p = NULL;
	struct diag d;
	char err[512], out[2048];
	int rc;

	if (parse_opts(c, argc, argv, &o, true) < 0)
		return EXIT_TROUBLE;
	if (argc - optind != 3) {
		fprintf(stderr, "usage: zonectl check [-f FILE] SRC "
		    "DST|appliance PROTO[/PORT]|SERVICE [--sport N] [--mac MAC] "
		    "[--json] [--at TIME]\n");
		return EXIT_TROUBLE;
	}
	a.src = argv[optind];
	a.dst = argv[optind + 1];
	a.proto = argv[optind + 2];
	a.mac = o.mac;
	a.sport = o.sport;
	if (o.file == NULL) {
		if (o.now != 0 && o.at_given) {
			fprintf(stderr, "zonectl: --at needs -f: the daemon "
			    "answers for now\n");
			return EXIT_TROUBLE;
		}
		return ctl_check_online(c, a.src, a.dst, a.proto, a.mac,
		    a.sport);
	}

	diag_init(&d);
	if (conf_load(o.file, &p, &d, err, sizeof(err)) < 0) {
		fprintf(stderr, "zonectl: %s\n", err);
		diag_free(&d);
		return EXIT_TROUBLE;
	}
	if (p == NULL) {
		diag_print(&d, stderr);
		diag_free(&d);
		return EXIT_TROUBLE;
	}
	lint_run(p, &d, o.now);
	if (d.nerrors > 0)
		fprintf(stderr, "zonectl: warning: %s has %d error(s) (see "
		    "zonectl lint); answering for the flows that loaded\n",
		    o.file, d.nerrors);
	rc = EXIT_TROUBLE;
	if (query_build(p, &a, &q, err, sizeof(err)) < 0) {
		fprintf(stderr, "zonectl: %s\n", err);
		goto out;
	}
	if ((cl = classify_build(p, o.now, err, sizeof(err))) == NULL) {
		fprintf(stderr, "zonectl: %s\n", err);
		goto out;
	}
	query_classify(cl, p, &q, &v);
	if (c->json) {
		json_t *j = query_answer_json(cl, p, &q, &v);
		char *s = j ? json_dumps(j, JSON_INDENT(2) |
		    JSON_PRESERVE_ORDER) : NULL;
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(j);
	} else {
		query_answer_text(cl, p, &q, &v, out, sizeof(out));
		fputs(out, stdout);
	}
	rc = v.reason == CLASSIFY_PERMIT ? 0 : EXIT_NO;
	classify_free(cl);
out:
	policy_free(p);
	diag_free(&d);
	return rc;
}

int
ctl_audit(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "zone", required_argument, NULL, 'z' },
		{ "at", required_argument, NULL, 'a' },
		{ "file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL, *zone = NULL;
	long long at;
	time_t now = time(NULL);
	int ch;

	while ((ch = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 'j':
			c->json = true;
			break;
		case 'z':
			zone = optarg;
			break;
		case 'a':
			if (ctl_parse_at(optarg, &at) < 0)
				return EXIT_TROUBLE;
			now = (time_t)at;
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 1)
		goto usage;
	return audit_run(argv[optind], file ? file : ZONECTL_DEFAULT_CONF,
	    zone, c->json, now, stdout, stderr);
usage:
	fprintf(stderr, "usage: zonectl audit [-f FILE] CAPTURE [--zone ZONE] "
	    "[--json] [--at TIME]\n");
	return EXIT_TROUBLE;
}
