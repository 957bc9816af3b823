/*
 * fuzz — what the fuzz targets of tests/fuzz/ share.  Each target is one
 * file defining LLVMFuzzerTestOneInput() (and LLVMFuzzerInitialize() when it
 * needs a policy); it is linked either with libFuzzer (clang, `make fuzz`)
 * or with replay.c, a plain driver that runs given files through it (gcc,
 * ASan/UBSan, `make check`).  A target checks what must hold and calls
 * fuzz_fail() otherwise, which aborts: a finding in either build.
 */
#ifndef ZONED_FUZZ_H
#define ZONED_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct policy;
struct classify;

/* The moment every target judges at (flows expire by it). */
#define FUZZ_NOW ((time_t)1790000000)	/* 2026-09-21 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Report a broken invariant and abort. */
void fuzz_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* A policy of the source tree (FUZZ_SRCDIR/path), linted and compiled;
 * aborts when it does not load clean. */
void fuzz_policy_load(const char *path, struct policy **p,
    struct classify **c);

/* A small deterministic generator seeded from the input. */
struct fuzz_rng {
	uint64_t s;
};
void fuzz_rng_seed(struct fuzz_rng *r, const uint8_t *data, size_t size);
uint32_t fuzz_rng_next(struct fuzz_rng *r);

#endif
