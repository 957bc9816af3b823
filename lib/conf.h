/*
 * conf — the libconfig policy file -> the policy model.
 *
 * Every problem is a ZL011 finding with FILE:LINE; all problems of a file are
 * reported in one run (libconfig itself stops at the first syntax error).
 * Objects with a problem are marked bad so that lint leaves them out.
 */
#ifndef ZONED_CONF_H
#define ZONED_CONF_H

#include <stddef.h>

#include "diag.h"
#include "policy.h"

/*
 * Load a policy file.  Returns -1 with err filled when the file cannot be
 * read at all (I/O).  Otherwise returns 0: *out is the model, or NULL when
 * the file has a syntax error; every problem is in d.  A model is returned
 * even with errors (so that lint can still judge the rest); it must not be
 * enforced when d->nerrors > 0.
 */
int conf_load(const char *path, struct policy **out, struct diag *d,
    char *err, size_t errlen);

/* The same from a string; name stands for the file in findings, and an
 * @include is read relative to its directory. */
int conf_load_string(const char *text, const char *name, struct policy **out,
    struct diag *d);

/* Parse "2026-12-31T23:59:59+09:00" (RFC 3339 with an offset or Z). */
int conf_parse_time(const char *s, time_t *out);
/* The same, and the offset it was written in (minutes east of UTC). */
int conf_parse_time_off(const char *s, time_t *out, int *off);

#endif
