/*
 * unit — one Check runner for every suite.  Each tests/unit/check_*.c file
 * defines one suite per library module and registers it with UNIT_SUITE();
 * the runner needs no list to edit.  CK_RUN_SUITE=name runs one suite.
 */
#ifndef ZONED_UNIT_H
#define ZONED_UNIT_H

#include <stddef.h>
#include <time.h>

#include <check.h>

typedef Suite *(*unit_suite_fn)(void);
void unit_register(unit_suite_fn fn);

#define UNIT_SUITE(fn)							\
	static Suite *fn(void);						\
	__attribute__((constructor)) static void fn##_register(void)	\
	{ unit_register(fn); }

/* Directory of test data (tests/unit/data); overridable by UNIT_DATA. */
const char *unit_data_dir(void);
/* Writes text to a fresh temporary file and returns its path (static
 * buffer rotated among 8 slots); the runner removes them at exit. */
const char *unit_tmpfile(const char *name, const char *text);

/* Bytes of heap in use (the sanitizer's count under ASan), to show that
 * nothing is allocated after a structure is made. */
size_t unit_heap_in_use(void);

struct diag;
/* The findings of d, one per line, for assertion messages (static buffer;
 * " (none)" when there is none). */
const char *unit_diag_dump(const struct diag *d);

struct policy;
/* A policy file (a path from the top of the tree) that loads and lints
 * without errors at now; fails the test otherwise.  policy_free() it. */
struct policy *unit_load_policy(const char *path, time_t now);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
