/*
 * diag — findings of the loader and the compliance checker.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "diag.h"

void
diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
}

void
diag_free(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].object);
		free(d->v[i].message);
	}
	free(d->v);
	diag_init(d);
}

void
diag_add(struct diag *d, const char *file, int line, enum diag_severity sev,
    const char *id, const char *object, const char *fmt, ...)
{
	struct diag_finding *f;
	va_list ap;
	char *msg = NULL;

	if (sev == DIAG_ERROR)
		d->nerrors++;
	else
		d->nwarnings++;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		void *nv = realloc(d->v, cap * sizeof(*d->v));
		if (nv == NULL) {
			d->oom = 1;
			return;
		}
		d->v = nv;
		d->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	f = &d->v[d->n];
	memset(f, 0, sizeof(*f));
	f->file = strdup(file ? file : "");
	f->object = strdup(object ? object : "");
	f->message = msg;
	if (f->file == NULL || f->object == NULL || f->message == NULL) {
		free(f->file);
		free(f->object);
		free(f->message);
		d->oom = 1;
		return;
	}
	f->line = line;
	f->severity = sev;
	snprintf(f->id, sizeof(f->id), "%s", id);
	d->n++;
}

/* Insertion sort: stable, and findings are few. */
void
diag_sort(struct diag *d)
{
	for (size_t i = 1; i < d->n; i++) {
		struct diag_finding t = d->v[i];
		size_t j = i;
		while (j > 0) {
			struct diag_finding *p = &d->v[j - 1];
			int c = strcmp(p->file, t.file);
			if (c == 0)
				c = (p->line > t.line) - (p->line < t.line);
			if (c == 0)
				c = strcmp(p->id, t.id);
			if (c <= 0)
				break;
			d->v[j] = *p;
			j--;
		}
		d->v[j] = t;
	}
}

const char *
diag_severity_str(enum diag_severity sev)
{
	return sev == DIAG_ERROR ? "error" : "warning";
}

void
diag_print(const struct diag *d, FILE *fp)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct diag_finding *f = &d->v[i];
		if (f->line > 0)
			fprintf(fp, "%s:%d: ", f->file, f->line);
		else
			fprintf(fp, "%s: ", f->file);
		fprintf(fp, "%s: %s: ", diag_severity_str(f->severity), f->id);
		if (f->object[0])
			fprintf(fp, "%s: ", f->object);
		fprintf(fp, "%s\n", f->message);
	}
	if (d->oom)
		fprintf(fp, "(out of memory: some findings were lost)\n");
}

char *
diag_json(const struct diag *d)
{
	json_t *arr = json_array();
	char *s;

	if (arr == NULL)
		return NULL;
	for (size_t i = 0; i < d->n; i++) {
		const struct diag_finding *f = &d->v[i];
		json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}",
		    "file", f->file, "line", f->line,
		    "severity", diag_severity_str(f->severity), "id", f->id,
		    "object", f->object, "message", f->message);
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(arr);
	return s;
}
