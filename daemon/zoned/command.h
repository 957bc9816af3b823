/*
 * command — what the control socket answers.
 */
#ifndef ZONED_COMMAND_H
#define ZONED_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct zoned;

/* A handler returns a ctl_code; on CTL_OK *result is the answer, else err
 * says why and *detail may add structured facts (findings). */
typedef int (*command_fn)(struct zoned *z, json_t *args, long uid,
    json_t **result, json_t **detail, char *err, size_t errlen);

struct command {
	const char *name;
	bool change;		/* root only; logged with the uid */
	command_fn fn;
};

const struct command *command_find(const char *name);

/* Reload the policy file (SIGHUP and the "reload" command). */
int command_reload(struct zoned *z, long uid, json_t **result,
    json_t **detail, char *err, size_t errlen);

/* RFC 3339 local time with offset into buf. */
const char *command_time(time_t t, char *buf, size_t len);

#endif
