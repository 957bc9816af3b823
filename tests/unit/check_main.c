/*
 * The Check runner: runs every registered suite.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#define MAX_SUITES 64

static unit_suite_fn suites[MAX_SUITES];
static int nsuites;
static char tmpdir[64];

void
unit_register(unit_suite_fn fn)
{
	if (nsuites == MAX_SUITES) {
		fprintf(stderr, "unit: too many suites\n");
		abort();
	}
	suites[nsuites++] = fn;
}

const char *
unit_data_dir(void)
{
	const char *d = getenv("UNIT_DATA");
	return d ? d : "tests/unit/data";
}

const char *
unit_tmpfile(const char *name, const char *text)
{
	static char paths[8][PATH_MAX];
	static int slot;
	char *p = paths[slot++ % 8];
	FILE *f;

	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/zoned-unit.XXXXXX");
		if (mkdtemp(tmpdir) == NULL) {
			perror("mkdtemp");
			abort();
		}
	}
	snprintf(p, PATH_MAX, "%s/%s", tmpdir, name);
	if ((f = fopen(p, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		perror(p);
		abort();
	}
	return p;
}

static void
cleanup(void)
{
	char cmd[128];

	if (tmpdir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "unit: could not remove %s\n", tmpdir);
	}
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (nsuites == 0) {
		fprintf(stderr, "unit: no suite registered\n");
		return 1;
	}
	atexit(cleanup);
	sr = srunner_create(suites[0]());
	for (int i = 1; i < nsuites; i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
