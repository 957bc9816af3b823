/*
 * zonectl — the control tool of zoned: a straight list of steps.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zonectl.h"

struct command {
	const char *name;
	int (*fn)(struct ctl *, int, char **);
	const char *usage;
};

static const struct command commands[] = {
	{ "lint", ctl_lint, "lint [-f FILE] [--json] [--at TIME]" },
	{ "check", ctl_check, "check [-f FILE] SRC DST PROTO[/PORT] "
	    "[--sport N] [--mac MAC] [--json] [--at TIME]" },
	{ "status", ctl_status, "status [--json]" },
	{ "zones", ctl_zones, "zones [--json]" },
	{ "flows", ctl_flows, "flows [--unused DAYS] [--json]" },
	{ "verify", ctl_verify, "verify [--json]" },
	{ "reload", ctl_reload, "reload [--full] [--json]" },
	{ "alerts", ctl_alerts, "alerts [--since TIME] [--json]" },
	{ "health", ctl_health, "health [--peer SHA256] [--accept-last-good] "
	    "[--json]" },
	{ "ha-notify", ctl_ha_notify, "ha-notify master|backup|fault|stop "
	    "[--conntrackd-conf FILE] [--wait SECONDS] [--json]" },
	{ "audit", ctl_audit, "audit [-f FILE] CAPTURE [--zone ZONE] [--json] "
	    "[--at TIME]" },
	{ NULL, NULL, NULL },
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: zonectl [-s SOCKET] [--json] COMMAND [ARGS]\n"
	    "commands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(fp, "  zonectl %s\n", c->usage);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl c = { 0 };
	int ch;

	/* a daemon that closes the connection is reported, not a death by
	 * SIGPIPE without a word (exit 141) */
	signal(SIGPIPE, SIG_IGN);

	while ((ch = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			c.sock = optarg;
			break;
		case 'j':
			c.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	for (const struct command *cmd = commands; cmd->name; cmd++)
		if (strcmp(cmd->name, argv[0]) == 0) {
			optind = 0;	/* each command parses its own options */
			return cmd->fn(&c, argc, argv);
		}
	fprintf(stderr, "zonectl: unknown command \"%s\"\n", argv[0]);
	usage(stderr);
	return EXIT_TROUBLE;
}
