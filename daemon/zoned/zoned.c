/*
 * zoned — the three-zone boundary daemon.  main() is a straight list of
 * steps; the rest of the daemon arrives with its own files.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "diag.h"
#include "lint.h"

#define ZONED_DEFAULT_CONF "/etc/zoned/zoned.conf"

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: zoned [-dnp] [-f FILE]\n");
}

/* -n: parse and lint, print findings, exit 0 (no error) or 1. */
static int
check_only(const char *file)
{
	struct policy *p = NULL;
	struct diag d;
	char err[512];
	int rc;

	diag_init(&d);
	if (lint_file(file, time(NULL), &p, &d, err, sizeof(err)) < 0) {
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

int
main(int argc, char **argv)
{
	const char *file = ZONED_DEFAULT_CONF;
	int ch, checkonly = 0;

	while ((ch = getopt(argc, argv, "df:hn")) != -1) {
		switch (ch) {
		case 'd':
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			checkonly = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	if (checkonly)
		return check_only(file);
	fprintf(stderr, "zoned: only -n is available in this build\n");
	return 1;
}
