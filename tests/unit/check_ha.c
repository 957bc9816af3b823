/*
 * check_ha — this node's part in an active/standby pair
 * (daemon/zoned/ha.c): the state names, whether the node may forward, the
 * state kept in the state directory for a restart within the same boot
 * (and not after a reboot, nor from a damaged file), the peer's policy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "diag.h"
#include "ha.h"
#include "policy.h"
#include "unit.h"

#define POL(tail)							\
	"version = 1; model = \"alpha\";\n"				\
	"zones = {\n"							\
	"  lgwan = { kind = \"lgwan\"; interfaces = [ \"lg0\" ];"		\
	"            networks = [ \"10.20.0.0/16\" ]; };\n"		\
	"  internet = { kind = \"internet\"; interfaces = [ \"inet0\" ];" \
	"            networks = [ \"0.0.0.0/0\" ]; };\n"		\
	"};\n" tail

static struct policy *
make(const char *text)
{
	struct policy *p = NULL;
	struct diag d;

	diag_init(&d);
	ck_assert_int_eq(conf_load_string(text, "t.conf", &p, &d), 0);
	ck_assert_msg(p != NULL && d.nerrors == 0, "%s", unit_diag_dump(&d));
	diag_free(&d);
	return p;
}

static char *
state_dir(void)
{
	char *d = strdup("/tmp/check_ha.XXXXXX");

	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static void
rm_dir(char *d)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/ha-state", d);
	unlink(path);
	rmdir(d);
	free(d);
}

static void
write_state(const char *d, const char *line)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/ha-state", d);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fputs(line, fp);
	fclose(fp);
}

START_TEST(test_names)
{
	static const char *const names[] = { "master", "backup", "fault",
	    "stop" };

	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		int s = ha_state_from_str(names[i]);
		ck_assert_int_gt(s, HA_UNKNOWN);
		ck_assert_str_eq(ha_state_str((enum ha_state)s), names[i]);
	}
	ck_assert_int_eq(ha_state_from_str("unknown"), -1);
	ck_assert_int_eq(ha_state_from_str("MASTER"), -1);
	ck_assert_int_eq(ha_state_from_str(""), -1);
	ck_assert_int_eq(ha_state_from_str(NULL), -1);
	ck_assert_str_eq(ha_state_str(HA_UNKNOWN), "unknown");
}
END_TEST

/* A node of a pair forwards only as the master; a node that is none
 * always does, whatever it was told. */
START_TEST(test_forwarding)
{
	struct policy *pair = make(POL("ha = { sync_interface = \"sync0\"; "
	    "peer = \"192.168.255.2\"; };\n"));
	struct policy *single = make(POL(""));
	char *d = state_dir();
	struct ha *h = ha_open(d);
	static const struct { enum ha_state s; bool fwd; } cases[] = {
		{ HA_BACKUP, false }, { HA_MASTER, true }, { HA_FAULT, false },
		{ HA_MASTER, true }, { HA_STOP, false },
	};

	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(ha_state(h), HA_UNKNOWN);
	ck_assert(!ha_forwarding(h, pair));
	ck_assert(ha_forwarding(h, single));
	ck_assert(ha_forwarding(h, NULL) == true);	/* failing closed: the
							 * table decides */
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		ha_set(h, cases[i].s, NULL);
		ck_assert_int_eq(ha_state(h), cases[i].s);
		ck_assert_int_eq(ha_forwarding(h, pair), cases[i].fwd);
		ck_assert(ha_forwarding(h, single));
	}
	ck_assert(!ha_forwarding(NULL, pair));
	ha_close(h);
	rm_dir(d);
	policy_free(pair);
	policy_free(single);
}
END_TEST

/* Kept across a restart of the daemon in the same boot; the previous
 * state is returned; what zonectl status shows. */
START_TEST(test_kept)
{
	char *d = state_dir();
	struct ha *h = ha_open(d), *h2;
	struct ha_info hi;

	ck_assert_int_eq(ha_set(h, HA_BACKUP, NULL), HA_UNKNOWN);
	ck_assert_int_eq(ha_set(h, HA_MASTER, "commit ok, flush ok"),
	    HA_BACKUP);
	ha_info(h, &hi);
	ck_assert_int_eq(hi.state, HA_MASTER);
	ck_assert_uint_eq(hi.transitions, 2);
	ck_assert_str_eq(hi.conntrackd, "commit ok, flush ok");
	ck_assert(hi.since > 0);
	ck_assert_int_eq(hi.peer_match, -1);
	ck_assert_str_eq(hi.peer_sha, "");
	ha_close(h);

	h2 = ha_open(d);
	ck_assert_int_eq(ha_state(h2), HA_MASTER);
	ha_info(h2, &hi);
	ck_assert_uint_eq(hi.transitions, 0);	/* counted per daemon */
	ck_assert_str_eq(hi.conntrackd, "");
	ha_close(h2);
	rm_dir(d);
}
END_TEST

/* Not from another boot (a reboot: the kernel lost the connections and
 * the addresses), nor from a damaged or unknown line. */
START_TEST(test_not_kept)
{
	/* "boot=THIS-BOOT " and rest, or rest alone */
	static const struct { bool this_boot; const char *rest; } lines[] = {
		{ false, "boot=00000000-0000-0000-0000-000000000000 "
		    "state=master since=1\n" },
		{ false, "garbage\n" },
		{ false, "" },
		{ true, "state=leader since=1\n" },
		{ true, "state=unknown since=1\n" },
		{ true, "\n" },
	};
	char boot[64] = "", line[160];
	FILE *fp = fopen("/proc/sys/kernel/random/boot_id", "r");

	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(fgets(boot, sizeof(boot), fp));
	fclose(fp);
	boot[strcspn(boot, "\n")] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(lines); i++) {
		char *d = state_dir();
		struct ha *h;

		snprintf(line, sizeof(line), "%s%s%s%s", lines[i].this_boot ?
		    "boot=" : "", lines[i].this_boot ? boot : "",
		    lines[i].this_boot ? " " : "", lines[i].rest);
		write_state(d, line);
		h = ha_open(d);
		ck_assert_msg(ha_state(h) == HA_UNKNOWN, "\"%s\" was taken",
		    line);
		ha_close(h);
		rm_dir(d);
	}
	/* and the same boot's line is */
	{
		char *d = state_dir();
		struct ha *h;

		snprintf(line, sizeof(line), "boot=%s state=fault since=7\n",
		    boot);
		write_state(d, line);
		h = ha_open(d);
		ck_assert_int_eq(ha_state(h), HA_FAULT);
		ha_close(h);
		rm_dir(d);
	}
}
END_TEST

START_TEST(test_peer)
{
	static const char a[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaa";
	static const char b[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	    "bbbbbbbbbbbbbbb";
	char *d = state_dir();
	struct ha *h = ha_open(d);
	struct ha_info hi;

	ck_assert(ha_peer_check(h, a, a));
	ha_info(h, &hi);
	ck_assert_int_eq(hi.peer_match, 1);
	ck_assert(!ha_peer_check(h, a, b));
	ha_info(h, &hi);
	ck_assert_int_eq(hi.peer_match, 0);
	ck_assert_str_eq(hi.peer_sha, b);
	ck_assert(hi.peer_at > 0);
	ck_assert(!ha_peer_check(h, "", b));	/* failing closed */
	ha_close(h);
	rm_dir(d);
}
END_TEST

UNIT_SUITE(ha_suite)

static Suite *
ha_suite(void)
{
	Suite *s = suite_create("ha");
	TCase *tc = tcase_create("state");

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_forwarding);
	tcase_add_test(tc, test_kept);
	tcase_add_test(tc, test_not_kept);
	tcase_add_test(tc, test_peer);
	suite_add_tcase(s, tc);
	return s;
}
