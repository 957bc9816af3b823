/*
 * command — what a request on the control socket means: the handler that
 * control.c calls with each request line (see ctlproto.h for the protocol).
 */
#ifndef ZONED_COMMAND_H
#define ZONED_COMMAND_H

#include <stddef.h>

#include <jansson.h>

struct control_peer;

/* The answer to one request line; arg is the struct zoned. */
json_t *command_handle(void *arg, const struct control_peer *peer,
    const char *line);

#endif
