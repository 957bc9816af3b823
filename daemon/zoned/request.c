/*
 * request — a request line of the control protocol, read and checked
 * before any handler sees it (see request.h).  jansson reads the line
 * with JSON_REJECT_DUPLICATES: {"cmd":"status","cmd":"reload"} is one
 * request with two meanings, and it is refused rather than read as the
 * last one.  Integers are compared with their range as jansson's 64-bit
 * values, before anything narrows them.
 */
#include <stdio.h>
#include <string.h>

#include "ctlproto.h"
#include "request.h"

int
request_parse(const char *line, struct request *r, char *err, size_t errlen)
{
	json_error_t jerr;
	const char *key;
	json_t *v, *cmd;

	memset(r, 0, sizeof(*r));
	if ((r->root = json_loads(line, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		snprintf(err, errlen, "not a JSON request: %s", jerr.text);
		return CTL_BAD_REQUEST;
	}
	if (!json_is_object(r->root)) {
		snprintf(err, errlen, "a request is a JSON object");
		goto bad;
	}
	json_object_foreach(r->root, key, v)
		if (strcmp(key, "cmd") != 0 && strcmp(key, "args") != 0) {
			snprintf(err, errlen, "unknown key \"%.64s\" in the "
			    "request (only \"cmd\" and \"args\")", key);
			goto bad;
		}
	cmd = json_object_get(r->root, "cmd");
	r->args = json_object_get(r->root, "args");
	if (!json_is_string(cmd) || json_string_length(cmd) == 0 ||
	    (r->args != NULL && !json_is_object(r->args))) {
		snprintf(err, errlen, "a request needs \"cmd\" (a string) and "
		    "\"args\" (an object)");
		goto bad;
	}
	r->cmd = json_string_value(cmd);
	if (r->args == NULL &&
	    json_object_set_new(r->root, "args", json_object()) == 0)
		r->args = json_object_get(r->root, "args");
	if (r->args == NULL) {
		snprintf(err, errlen, "out of memory");
		goto bad;
	}
	return CTL_OK;
bad:
	request_free(r);
	return CTL_BAD_REQUEST;
}

static const char *
type_str(enum request_type t)
{
	switch (t) {
	case REQUEST_STRING: return "a string";
	case REQUEST_INT: return "an integer";
	case REQUEST_BOOL: return "true or false";
	}
	return "?";
}

static int
check_one(const struct request_arg *a, json_t *v, char *err, size_t errlen)
{
	switch (a->type) {
	case REQUEST_STRING:
		if (!json_is_string(v))
			break;
		if (json_string_length(v) == 0 ||
		    (long long)json_string_length(v) > a->max) {
			snprintf(err, errlen, "\"%s\" must be 1 to %lld bytes "
			    "long", a->name, a->max);
			return CTL_BAD_REQUEST;
		}
		return CTL_OK;
	case REQUEST_INT:
		if (!json_is_integer(v))
			break;
		if (json_integer_value(v) < a->min ||
		    json_integer_value(v) > a->max) {
			snprintf(err, errlen, "\"%s\" must be from %lld to "
			    "%lld, not %lld", a->name, a->min, a->max,
			    (long long)json_integer_value(v));
			return CTL_BAD_REQUEST;
		}
		return CTL_OK;
	case REQUEST_BOOL:
		if (!json_is_boolean(v))
			break;
		return CTL_OK;
	}
	snprintf(err, errlen, "\"%s\" must be %s", a->name, type_str(a->type));
	return CTL_BAD_REQUEST;
}

int
request_check(const struct request *r, const struct request_arg *spec,
    char *err, size_t errlen)
{
	const struct request_arg *a;
	const char *key;
	json_t *v;
	int rc;

	json_object_foreach(r->args, key, v) {
		for (a = spec; a != NULL && a->name != NULL; a++)
			if (strcmp(a->name, key) == 0)
				break;
		if (a == NULL || a->name == NULL) {
			snprintf(err, errlen, "\"%s\" takes no argument "
			    "\"%.64s\"", r->cmd, key);
			return CTL_BAD_REQUEST;
		}
		if ((rc = check_one(a, v, err, errlen)) != CTL_OK)
			return rc;
	}
	for (a = spec; a != NULL && a->name != NULL; a++)
		if (a->required && json_object_get(r->args, a->name) == NULL) {
			snprintf(err, errlen, "\"%s\" needs \"%s\" (%s)",
			    r->cmd, a->name, type_str(a->type));
			return CTL_BAD_REQUEST;
		}
	return CTL_OK;
}

void
request_free(struct request *r)
{
	json_decref(r->root);
	memset(r, 0, sizeof(*r));
}

const char *
request_str(const struct request *r, const char *name)
{
	return json_string_value(json_object_get(r->args, name));
}

bool
request_int(const struct request *r, const char *name, long long *v)
{
	json_t *j = json_object_get(r->args, name);

	if (!json_is_integer(j))
		return false;
	*v = json_integer_value(j);
	return true;
}
