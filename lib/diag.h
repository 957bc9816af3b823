/*
 * diag — findings: what the loader and the compliance checker say about a
 * policy file.  Each finding has a stable id (ZLnnn), a severity, the file
 * and line, the object it concerns and a message.
 */
#ifndef ZONED_DIAG_H
#define ZONED_DIAG_H

#include <stddef.h>
#include <stdio.h>

enum diag_severity {
	DIAG_WARNING = 1,
	DIAG_ERROR = 2,
};

struct diag_finding {
	char *file;
	int line;
	enum diag_severity severity;
	char id[8];		/* "ZL011" */
	char *object;		/* "flow \"x\"", "host \"atena\"", "" */
	char *message;
};

struct diag {
	struct diag_finding *v;
	size_t n, cap;
	int nerrors, nwarnings;
	int oom;		/* an allocation failed: some findings lost */
};

void diag_init(struct diag *d);
void diag_free(struct diag *d);

/* Add a finding.  object may be NULL.  Never fails visibly: on allocation
 * failure d->oom is set (and diag_print says so). */
void diag_add(struct diag *d, const char *file, int line,
    enum diag_severity sev, const char *id, const char *object,
    const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Sort by file, line, id (stable), so output does not depend on rule order. */
void diag_sort(struct diag *d);

/* Text: "FILE:LINE: error: ZL001: flow "x": message", one a line. */
void diag_print(const struct diag *d, FILE *fp);
/* JSON: an array of {"file","line","severity","id","object","message"}. */
char *diag_json(const struct diag *d);	/* malloc'd, NULL on failure */

const char *diag_severity_str(enum diag_severity sev);

#endif
