/*
 * check_policyfile — reading a policy file as the daemon may (lib/
 * policyfile.c): a regular file is read whole; a FIFO (with no writer:
 * opening it blocking would wait for ever), a directory, a symbolic link
 * to /dev/zero, a file over the limit, a file with a NUL byte, a /proc
 * file that says it is empty, and an @include of any of these are refused
 * at once, naming the path and the reason; an @include that does not exist
 * is left to libconfig.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policyfile.h"
#include "unit.h"

static char dir[PATH_MAX / 2];

/* A fresh file of the test's directory: its path. */
static const char *
at(const char *name)
{
	static char paths[4][PATH_MAX];
	static int slot;
	char *p = paths[slot++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", dir, name);
	unlink(p);
	rmdir(p);
	return p;
}

static void
setup(void)
{
	char *slash;

	snprintf(dir, sizeof(dir), "%s", unit_tmpfile("pf.anchor", ""));
	ck_assert_ptr_nonnull(slash = strrchr(dir, '/'));
	*slash = '\0';
	/* a FIFO that hangs the test is a failure, not a stuck run */
	alarm(10);
}

static void
teardown(void)
{
	alarm(0);
}

/* policyfile_read(path) must fail with err holding each of the words. */
static void
refused(const char *path, const char *w1, const char *w2)
{
	char err[512] = "";
	size_t len = 0;
	char *t = policyfile_read(path, &len, err, sizeof(err));

	ck_assert_msg(t == NULL, "%s was read (%zu bytes)", path, len);
	ck_assert_msg(strstr(err, w1) != NULL && (w2 == NULL ||
	    strstr(err, w2) != NULL), "%s: \"%s\" should say \"%s\"%s%s", path,
	    err, w1, w2 ? " and " : "", w2 ? w2 : "");
}

START_TEST(test_regular)
{
	const char *p = unit_tmpfile("pf-good.conf", "version = 1;\n");
	char err[256] = "";
	size_t len = 0;
	char *t = policyfile_read(p, &len, err, sizeof(err));

	ck_assert_msg(t != NULL, "%s", err);
	ck_assert_uint_eq(len, 13);
	ck_assert_str_eq(t, "version = 1;\n");
	free(t);
}
END_TEST

START_TEST(test_fifo)
{
	const char *p = at("pf-fifo.conf");

	ck_assert_int_eq(mkfifo(p, 0600), 0);
	refused(p, p, "not a regular file (a FIFO)");
}
END_TEST

START_TEST(test_directory)
{
	const char *p = at("pf-dir.conf");

	ck_assert_int_eq(mkdir(p, 0700), 0);
	refused(p, p, "not a regular file (a directory)");
}
END_TEST

START_TEST(test_dev_zero)
{
	const char *p = at("pf-zero.conf");

	ck_assert_int_eq(symlink("/dev/zero", p), 0);
	refused(p, p, "not a regular file (a character device)");
}
END_TEST

START_TEST(test_too_big)
{
	const char *p = at("pf-big.conf");
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	/* 100 MB, sparse: nothing is read to refuse it */
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 100000000), 0);
	close(fd);
	refused(p, p, "100000000 bytes, over the limit of 32 MiB");
}
END_TEST

START_TEST(test_nul)
{
	const char *p = at("pf-nul.conf");
	FILE *f = fopen(p, "w");

	ck_assert_ptr_nonnull(f);
	fwrite("version = 1;\n\0model = \"alpha\";\n", 1, 32, f);
	fclose(f);
	refused(p, p, "a NUL byte at offset 13");
}
END_TEST

/* /proc files are regular and say they are empty: what they hold is more
 * than their size, and is not read. */
START_TEST(test_proc)
{
	refused("/proc/self/status", "/proc/self/status", "grew");
}
END_TEST

START_TEST(test_missing)
{
	refused(at("pf-none.conf"), "pf-none.conf", strerror(ENOENT));
}
END_TEST

START_TEST(test_include)
{
	const char *fifo = at("pf-inc.fifo");
	const char *main_path;
	char err[512] = "";
	size_t len;
	char *t;

	unit_tmpfile("pf-inc-ok.conf", "x = 1;\n@include \"pf-inc2.conf\"\n");
	unit_tmpfile("pf-inc2.conf", "y = 2;\n");
	main_path = unit_tmpfile("pf-main.conf", "version = 1;\n"
	    "  @include \"pf-inc-ok.conf\"\n@include \"pf-absent.conf\"\n");
	t = policyfile_read(main_path, &len, err, sizeof(err));
	ck_assert_msg(t != NULL, "%s", err);
	free(t);

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	main_path = unit_tmpfile("pf-main2.conf", "version = 1;\n"
	    "@include \"pf-inc.fifo\"\n");
	refused(main_path, "pf-main2.conf:2: @include ", "pf-inc.fifo: not a "
	    "regular file (a FIFO)");
	/* and two levels down, by a link to /dev/zero */
	ck_assert_int_eq(symlink("/dev/zero", at("pf-inc.zero")), 0);
	unit_tmpfile("pf-inc3.conf", "# one level down\n"
	    "\t@include \t\"pf-inc.zero\"\n");
	main_path = unit_tmpfile("pf-main3.conf", "version = 1;\n"
	    "@include \"pf-inc3.conf\"\n");
	refused(main_path, "pf-inc3.conf:2: @include ", "pf-inc.zero: not a "
	    "regular file (a character device)");
}
END_TEST

UNIT_SUITE(policyfile_suite)

static Suite *
policyfile_suite(void)
{
	Suite *s = suite_create("policyfile");
	TCase *tc = tcase_create("policyfile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_regular);
	tcase_add_test(tc, test_fifo);
	tcase_add_test(tc, test_directory);
	tcase_add_test(tc, test_dev_zero);
	tcase_add_test(tc, test_too_big);
	tcase_add_test(tc, test_nul);
	tcase_add_test(tc, test_proc);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_include);
	suite_add_tcase(s, tc);
	return s;
}
