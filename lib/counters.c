/*
 * counters — named packet and byte counters (see counters.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"

void
counters_init(struct counters *c)
{
	memset(c, 0, sizeof(*c));
	c->sorted = true;
}

void
counters_free(struct counters *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
	counters_init(c);
}

int
counters_add(struct counters *c, const char *name, uint64_t packets,
    uint64_t bytes)
{
	char *s;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct counter *v = realloc(c->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		c->v = v;
		c->cap = cap;
	}
	if ((s = strdup(name)) == NULL)
		return -1;
	if (c->n > 0 && c->sorted && strcmp(c->v[c->n - 1].name, s) >= 0)
		c->sorted = false;
	c->v[c->n].name = s;
	c->v[c->n].packets = packets;
	c->v[c->n].bytes = bytes;
	c->n++;
	return 0;
}

void
counters_add_cb(const char *name, uint64_t packets, uint64_t bytes,
    void *arg)
{
	/* what does not fit is left out: the caller sees fewer counters,
	 * never wrong ones */
	(void)counters_add(arg, name, packets, bytes);
}

static int
by_name(const void *x, const void *y)
{
	const struct counter *a = x, *b = y;

	return strcmp(a->name, b->name);
}

void
counters_sort(struct counters *c)
{
	size_t o = 0;

	if (c->sorted)
		return;
	qsort(c->v, c->n, sizeof(c->v[0]), by_name);
	for (size_t i = 0; i < c->n; i++) {
		if (o > 0 && strcmp(c->v[o - 1].name, c->v[i].name) == 0) {
			c->v[o - 1].packets += c->v[i].packets;
			c->v[o - 1].bytes += c->v[i].bytes;
			free(c->v[i].name);
			continue;
		}
		c->v[o++] = c->v[i];
	}
	c->n = o;
	c->sorted = true;
}

int
counters_merge(struct counters *c, const struct counters *from)
{
	int rc = 0;

	for (size_t i = 0; i < from->n && rc == 0; i++)
		rc = counters_add(c, from->v[i].name, from->v[i].packets,
		    from->v[i].bytes);
	counters_sort(c);
	return rc;
}

const struct counter *
counters_get(const struct counters *c, const char *name)
{
	struct counter key = { .name = (char *)name };

	if (!c->sorted) {	/* not sorted yet: correct, only slower */
		for (size_t i = 0; i < c->n; i++)
			if (strcmp(c->v[i].name, name) == 0)
				return &c->v[i];
		return NULL;
	}
	if (c->n == 0)
		return NULL;
	return bsearch(&key, c->v, c->n, sizeof(c->v[0]), by_name);
}

const struct counter *
counters_getf(const struct counters *c, const char *fmt, ...)
{
	char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return counters_get(c, name);
}
