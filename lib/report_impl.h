/*
 * report_impl — what the files of lib/report*.c that read the report's
 * model (a jansson tree, report.h) share, private to them: a member read
 * as a string, "" when it is missing or not a string.
 */
#ifndef ZONED_REPORT_IMPL_H
#define ZONED_REPORT_IMPL_H

#include <jansson.h>

static inline const char *
js(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

#endif
