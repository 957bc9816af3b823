/*
 * request — a request line of the control protocol, read and checked
 * before any handler sees it: one JSON object, no key twice (at any
 * depth), only "cmd" (a string) and "args" (an object), and the arguments
 * exactly those the command takes, each of its type, every integer within
 * its range and every string of a bounded length.  No sockets and no
 * daemon state: the fuzz target of the control protocol runs it as is.
 */
#ifndef ZONED_REQUEST_H
#define ZONED_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

enum request_type {
	REQUEST_STRING = 1,	/* 1..max bytes */
	REQUEST_INT,		/* min..max */
	REQUEST_BOOL,
};

/* One argument a command takes; a list of them ends with { NULL }. */
struct request_arg {
	const char *name;
	enum request_type type;
	bool required;
	long long min, max;	/* REQUEST_INT: the range; REQUEST_STRING:
				 * max is the longest (bytes) */
};

struct request {
	json_t *root;		/* the whole request, owned */
	const char *cmd;	/* its "cmd" */
	json_t *args;		/* its "args": an object (empty when absent) */
};

/* Read a request line.  CTL_OK with *r filled (request_free() it), or
 * CTL_BAD_REQUEST with err saying what is wrong. */
int request_parse(const char *line, struct request *r, char *err,
    size_t errlen);
/* Are r's arguments those of spec (NULL: none at all)?  CTL_OK, or
 * CTL_BAD_REQUEST naming the argument and what is wrong with it. */
int request_check(const struct request *r, const struct request_arg *spec,
    char *err, size_t errlen);
void request_free(struct request *r);

/* An argument after request_check(): NULL / false when absent. */
const char *request_str(const struct request *r, const char *name);
bool request_int(const struct request *r, const char *name, long long *v);

#endif
