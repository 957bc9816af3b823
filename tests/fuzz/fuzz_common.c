/*
 * fuzz_common — helpers of the fuzz targets: the failure report, the
 * policy of the source tree, a generator seeded from the input.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "classify.h"
#include "diag.h"
#include "fuzz.h"
#include "lint.h"
#include "policy.h"

#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR "."
#endif

void
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz: invariant broken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void
fuzz_policy_load(const char *path, struct policy **p, struct classify **c)
{
	char file[4096], err[512];
	struct diag d;

	snprintf(file, sizeof(file), "%s/%s", FUZZ_SRCDIR, path);
	diag_init(&d);
	*p = NULL;
	if (lint_file(file, FUZZ_NOW, p, &d, err, sizeof(err)) < 0 ||
	    *p == NULL || d.nerrors > 0)
		fuzz_fail("%s does not load clean (%s)", file,
		    *p == NULL ? err : "lint errors");
	diag_free(&d);
	if ((*c = classify_build(*p, FUZZ_NOW, err, sizeof(err))) == NULL)
		fuzz_fail("%s: classify_build: %s", file, err);
}

void
fuzz_rng_seed(struct fuzz_rng *r, const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ULL;
	r->s = h | 1;
}

uint32_t
fuzz_rng_next(struct fuzz_rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 0x2545f4914f6cdd1dULL) >> 32);
}
