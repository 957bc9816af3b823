/*
 * ctl_ops — the operator's changes besides reload: isolate and restore a
 * zone, confirm or roll back a policy loaded with reload --confirm.
 * Root only (the daemon checks); each change is in the journal.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctlproto.h"
#include "zonectl.h"

static int
isolation(struct ctl *c, int argc, char **argv, bool isolate)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = isolate ? CTL_CMD_ISOLATE : CTL_CMD_RESTORE;
	const char *reason = NULL, *zone = NULL;
	bool all = false;
	json_t *args, *r, *v;
	size_t i;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			c->json = true;
			break;
		case 'a':
			all = true;
			break;
		case 'r':
			reason = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 == argc)
		zone = argv[optind];
	else if (optind != argc)
		goto usage;
	if ((zone == NULL) == !all)
		goto usage;
	if (isolate && (reason == NULL || reason[0] == '\0')) {
		fprintf(stderr, "zonectl: isolate needs a reason: --reason "
		    "TEXT (it goes to the journal and the log)\n");
		return EXIT_TROUBLE;
	}
	args = json_object();
	if (zone)
		json_object_set_new(args, "zone", json_string(zone));
	else
		json_object_set_new(args, "all", json_true());
	if (reason)
		json_object_set_new(args, "reason", json_string(reason));
	if ((r = ctl_call(c, cmd, args, &rc)) == NULL)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else {
		json_array_foreach(json_object_get(r, "zones"), i, v)
			printf("%s %s\n", isolate ? "isolated" : "restored",
			    json_string_value(v));
		printf("(one set transaction, %.1f ms; zonectl status shows "
		    "what is isolated)\n", json_real_value(json_object_get(r,
		    "ms")));
	}
	json_decref(r);
	return 0;
usage:
	fprintf(stderr, "usage: zonectl %s ZONE|--all %s[--json]\n", cmd,
	    isolate ? "--reason TEXT " : "[--reason TEXT] ");
	return EXIT_TROUBLE;
}

int
ctl_isolate(struct ctl *c, int argc, char **argv)
{
	return isolation(c, argc, argv, true);
}

int
ctl_restore(struct ctl *c, int argc, char **argv)
{
	return isolation(c, argc, argv, false);
}

static int
confirmation(struct ctl *c, int argc, char **argv, const char *cmd)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *r;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'j')
			goto usage;
		c->json = true;
	}
	if (optind != argc)
		goto usage;
	if ((r = ctl_call(c, cmd, NULL, &rc)) == NULL)
		return rc;
	if (c->json)
		ctl_print_json(r);
	else if (strcmp(cmd, CTL_CMD_CONFIRM) == 0)
		printf("confirmed: policy %s is the last good one\n",
		    jstr(r, "sha256"));
	else
		printf("rolled back: policy %s runs again (%s)\n",
		    jstr(r, "sha256"), jstr(r, "file"));
	json_decref(r);
	return 0;
usage:
	fprintf(stderr, "usage: zonectl %s [--json]\n", cmd);
	return EXIT_TROUBLE;
}

int
ctl_confirm(struct ctl *c, int argc, char **argv)
{
	return confirmation(c, argc, argv, CTL_CMD_CONFIRM);
}

int
ctl_rollback(struct ctl *c, int argc, char **argv)
{
	return confirmation(c, argc, argv, CTL_CMD_ROLLBACK);
}
