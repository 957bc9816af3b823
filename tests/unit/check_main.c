/*
 * The Check runner: runs every registered suite.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "lint.h"
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

/* --- helpers shared by the suites ----------------------------------------- */

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
size_t __sanitizer_get_current_allocated_bytes(void);
size_t
unit_heap_in_use(void)
{
	return __sanitizer_get_current_allocated_bytes();
}
#else
#include <malloc.h>
size_t
unit_heap_in_use(void)
{
	struct mallinfo2 m = mallinfo2();

	return m.uordblks + m.hblkhd;
}
#endif

const char *
unit_diag_dump(const struct diag *d)
{
	static char buf[16384];

	buf[0] = '\0';
	for (size_t i = 0; i < d->n; i++) {
		const struct diag_finding *f = &d->v[i];
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, "\n  %s:%d: %s: %s: [%s] %s",
		    f->file, f->line, diag_severity_str(f->severity), f->id,
		    f->object, f->message);
	}
	return d->n ? buf : " (none)";
}

struct policy *
unit_load_policy(const char *path, time_t now)
{
	struct policy *p = NULL;
	struct diag d;
	char err[256];

	diag_init(&d);
	ck_assert_msg(lint_file(path, now, &p, &d, err, sizeof(err)) == 0,
	    "%s: %s (run from the top of the tree)", path, err);
	ck_assert_msg(p != NULL && d.nerrors == 0, "%s:%s", path,
	    unit_diag_dump(&d));
	diag_free(&d);
	return p;
}
