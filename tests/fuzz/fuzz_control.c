/*
 * fuzz_control — the control protocol's request line through the
 * daemon's handler (command_handle in daemon/zoned/command.c): the request
 * read and checked (request.c), the caller's right, and every command's
 * handler with its answer, against a daemon state holding the alpha
 * example policy, and against one failing closed.  Only the engine's
 * kernel work is stubbed (stub_engine.c); no sockets.
 *
 * What must hold besides "no crash, no leak, no undefined behaviour":
 * every answer is an object {"ok": true, "result"} or {"ok": false,
 * "code": 1..8, "error"}; a request with a key twice is refused (code 2)
 * and reaches no handler; a member of the control group never reaches a
 * reload; "check" answers only for a "sport" of 0..65535.
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <jansson.h>

#include "classify.h"
#include "command.h"
#include "control.h"
#include "ctlproto.h"
#include "fuzz.h"
#include "ha.h"
#include "policy.h"
#include "stub_engine.h"
#include "zoned.h"

#define MAX_INPUT (CTL_MAX_REQUEST + 1)

static struct zoned loaded, closed;
static char hadir[] = "/tmp/fuzz-control-XXXXXX";

static void
rm_hadir(void)
{
	char path[sizeof(hadir) + 16];

	snprintf(path, sizeof(path), "%s/ha-state", hadir);
	unlink(path);
	rmdir(hadir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* the handlers log; nothing is to reach syslog from here */
	setlogmask(LOG_MASK(LOG_EMERG));
	fuzz_policy_load("conf/alpha.conf", &loaded.pol, &loaded.cls);
	loaded.conf = "/etc/zoned/zoned.conf";
	loaded.mode = MODE_POLICY;
	loaded.started = FUZZ_NOW - 100;
	loaded.loaded_at = FUZZ_NOW - 50;
	loaded.loaded_by = 0;
	loaded.loaded_file = strdup(loaded.conf);
	memset(loaded.sha256, 'a', 64);
	/* ha-state and health --peer keep a node's HA state (ha.c, as in
	 * the daemon), saved under a state directory of the target's own */
	if (mkdtemp(hadir) == NULL || (loaded.ha = ha_open(hadir)) == NULL ||
	    (closed.ha = ha_open(hadir)) == NULL || atexit(rm_hadir) != 0)
		abort();
	closed.conf = "/etc/zoned/zoned.conf";
	closed.mode = MODE_FAIL_CLOSED;
	closed.started = FUZZ_NOW - 100;
	snprintf(closed.fail_reason, sizeof(closed.fail_reason),
	    "nothing loads");
	return 0;
}

/* The request's sport, when it is one. */
static bool
sport_of(const json_t *req, json_int_t *v)
{
	json_t *s = json_object_get(json_object_get(req, "args"), "sport");

	if (!json_is_integer(s))
		return false;
	*v = json_integer_value(s);
	return true;
}

static void
judge(const char *line, json_t *ans, const struct control_peer *peer,
    unsigned long reloads_before)
{
	json_t *ok, *code, *strict, *loose;
	json_error_t je;
	json_int_t sport;
	char *dump;

	if (ans == NULL || !json_is_object(ans))
		fuzz_fail("no answer object");
	if ((dump = json_dumps(ans, JSON_COMPACT)) == NULL)
		fuzz_fail("the answer does not print");
	free(dump);
	ok = json_object_get(ans, "ok");
	code = json_object_get(ans, "code");
	if (!json_is_boolean(ok))
		fuzz_fail("an answer without \"ok\"");
	if (json_is_true(ok) && json_object_get(ans, "result") == NULL)
		fuzz_fail("ok without a result");
	if (json_is_false(ok) && (!json_is_integer(code) ||
	    json_integer_value(code) < 1 ||
	    json_integer_value(code) > CTL_BUSY ||
	    !json_is_string(json_object_get(ans, "error"))))
		fuzz_fail("an error answer without its code and text");

	strict = json_loads(line, JSON_REJECT_DUPLICATES, &je);
	loose = json_loads(line, 0, &je);
	if (strict == NULL && loose != NULL) {
		/* a key twice */
		if (json_is_true(ok) || json_integer_value(code) !=
		    CTL_BAD_REQUEST)
			fuzz_fail("a request with a duplicate key was not "
			    "refused as a bad request");
		if (stub_engine_reloads != reloads_before)
			fuzz_fail("a request with a duplicate key reloaded");
	}
	if (!peer->root && stub_engine_reloads != reloads_before)
		fuzz_fail("a member of the control group reloaded");
	if (json_is_true(ok) && strict != NULL &&
	    json_is_string(json_object_get(strict, "cmd")) &&
	    strcmp(json_string_value(json_object_get(strict, "cmd")),
	    CTL_CMD_CHECK) == 0 && sport_of(strict, &sport) &&
	    (sport < 0 || sport > 65535))
		fuzz_fail("check answered for sport %lld", (long long)sport);
	json_decref(strict);
	json_decref(loose);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct control_peer root = { .uid = 0, .root = true,
	    .member = true };
	static const struct control_peer member = { .uid = 1000, .gid = 1000,
	    .pid = 4242, .member = true };
	struct {
		struct zoned *z;
		const struct control_peer *peer;
	} runs[] = { { &loaded, &root }, { &loaded, &member },
	    { &closed, &root } };
	char *line;

	if (size > MAX_INPUT || (line = malloc(size + 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';	/* control.c hands over a NUL-ended line */
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		unsigned long before = stub_engine_reloads;
		struct ha_info h0, h1;
		json_t *ans;

		ha_info(runs[i].z->ha, &h0);
		ans = command_handle(runs[i].z, runs[i].peer, line);
		judge(line, ans, runs[i].peer, before);
		ha_info(runs[i].z->ha, &h1);
		if (!runs[i].peer->root && h1.transitions != h0.transitions)
			fuzz_fail("a member of the control group changed the "
			    "HA state");
		json_decref(ans);
	}
	free(line);
	return 0;
}
