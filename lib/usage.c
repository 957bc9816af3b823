/*
 * usage — per-flow usage records (see usage.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "usage.h"

#define USAGE_VERSION 1
#define FLOW_PREFIX "flow."

void
usage_init(struct usage *u)
{
	memset(u, 0, sizeof(*u));
}

void
usage_free(struct usage *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->v[i].name);
	free(u->v);
	usage_init(u);
}

static int
by_name(const void *x, const void *y)
{
	return strcmp(((const struct usage_rec *)x)->name,
	    ((const struct usage_rec *)y)->name);
}

static struct usage_rec *
find(const struct usage *u, const char *name)
{
	struct usage_rec key = { .name = (char *)name };

	return u->n ? bsearch(&key, u->v, u->n, sizeof(*u->v), by_name) : NULL;
}

const struct usage_rec *
usage_find(const struct usage *u, const char *name)
{
	return find(u, name);
}

/* ---------------------------------------------------------------------
 * Following the policy
 */

struct ctr {
	const char *name;	/* the flow's name (after "flow.") */
	uint32_t flow;
};

static int
by_ctr(const void *x, const void *y)
{
	return strcmp(((const struct ctr *)x)->name,
	    ((const struct ctr *)y)->name);
}

/* Failing closed: no flow runs, none is forgotten; the counters are
 * gone. */
static void
keep_all(struct usage *u)
{
	for (size_t i = 0; i < u->n; i++)
		u->v[i].kpackets = u->v[i].kbytes = 0;
}

int
usage_sync(struct usage *u, const struct policy *p, const struct nft_ir *ir,
    time_t now, bool reset)
{
	size_t nc = 0, n = 0, nf = p ? p->nflows : 0;
	struct ctr *cv = NULL;
	struct usage_rec *v = NULL;
	bool *moved = NULL, *fresh = NULL;

	if (p == NULL) {
		keep_all(u);
		return 0;
	}
	cv = calloc(ir->ncounters + 1, sizeof(*cv));
	v = calloc(nf + 1, sizeof(*v));
	moved = calloc(u->n + 1, sizeof(*moved));
	fresh = calloc(nf + 1, sizeof(*fresh));
	if (cv == NULL || v == NULL || moved == NULL || fresh == NULL)
		goto oom;
	for (size_t i = 0; i < ir->ncounters; i++)
		if (ir->counters[i].flow != 0)
			cv[nc++] = (struct ctr){ ir->counters[i].name +
			    strlen(FLOW_PREFIX), ir->counters[i].flow };
	qsort(cv, nc, sizeof(*cv), by_ctr);
	for (size_t i = 0; i < nf; i++) {
		const struct flow *f = &p->flows[i];
		struct ctr key = { .name = f->name };
		const struct ctr *c;
		struct usage_rec *r;

		if (f->bad)
			continue;
		c = nc ? bsearch(&key, cv, nc, sizeof(*cv), by_ctr) : NULL;
		r = find(u, f->name);
		if (r != NULL && moved[r - u->v])
			continue;	/* a name twice: the first only */
		if (r != NULL && r->mark == (c ? c->flow : f->mark)) {
			v[n] = *r;
			moved[r - u->v] = true;
			/* no counter now: one that comes back starts at 0 */
			if (reset || c == NULL)
				v[n].kpackets = v[n].kbytes = 0;
			n++;
		} else if (c != NULL) {
			v[n] = (struct usage_rec){ .name = strdup(f->name),
			    .mark = c->flow, .since = now };
			if (v[n].name == NULL)
				goto oom;
			fresh[n++] = true;
		}
	}
	qsort(v, n, sizeof(*v), by_name);
	for (size_t i = 0; i < u->n; i++)
		if (!moved[i])
			free(u->v[i].name);
	free(u->v);
	u->v = v;
	u->n = u->cap = n;
	free(cv);
	free(moved);
	free(fresh);
	return 0;
oom:
	/* the names of the records made here; the others are still u's */
	for (size_t i = 0; fresh && i < n; i++)
		if (fresh[i])
			free(v[i].name);
	free(cv);
	free(v);
	free(moved);
	free(fresh);
	return -1;
}

/* ---------------------------------------------------------------------
 * Readings
 */

size_t
usage_observe(struct usage *u, const struct counters *kc, time_t now)
{
	size_t i = 0, j = 0, hit = 0, plen = strlen(FLOW_PREFIX);

	/* both sorted by name: walk them together over kc's flow.* */
	while (j < kc->n && strncmp(kc->v[j].name, FLOW_PREFIX, plen) < 0)
		j++;
	while (i < u->n && j < kc->n &&
	    strncmp(kc->v[j].name, FLOW_PREFIX, plen) == 0) {
		struct usage_rec *r = &u->v[i];
		const struct counter *c = &kc->v[j];
		int cmp = strcmp(r->name, c->name + plen);
		uint64_t dp, db;

		if (cmp < 0) {
			i++;
			continue;
		}
		if (cmp > 0) {
			j++;
			continue;
		}
		if (c->packets >= r->kpackets && c->bytes >= r->kbytes) {
			dp = c->packets - r->kpackets;
			db = c->bytes - r->kbytes;
		} else {	/* a new counter since the last reading */
			dp = c->packets;
			db = c->bytes;
		}
		r->packets += dp;
		r->bytes += db;
		r->kpackets = c->packets;
		r->kbytes = c->bytes;
		if (dp > 0) {
			if (r->first == 0)
				r->first = now;
			r->last = now;
			hit++;
		}
		i++;
		j++;
	}
	return hit;
}

bool
usage_unused(const struct usage_rec *r, time_t now, long days)
{
	time_t idle = r->last ? r->last : r->since;

	return idle < now - (time_t)days * 86400;
}

/* ---------------------------------------------------------------------
 * The file
 */

static int
write_rec(FILE *fp, json_t *j)
{
	int rc;

	if (j == NULL)
		return -1;
	rc = json_dumpf(j, fp, JSON_COMPACT) == 0 && fputc('\n', fp) != EOF ?
	    0 : -1;
	json_decref(j);
	return rc;
}

int
usage_save(const struct usage *u, const char *path, time_t now, char *err,
    size_t errlen)
{
	char *tmp = NULL;
	FILE *fp = NULL;
	int fd = -1, rc = -1;

	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) <
	    0 || (fp = fdopen(fd, "w")) == NULL)
		goto fail;
	fd = -1;
	if (write_rec(fp, json_pack("{s:s, s:i, s:I, s:I}", "zoned",
	    "flow-usage", "version", USAGE_VERSION, "saved", (json_int_t)now,
	    "flows", (json_int_t)u->n)) < 0)
		goto fail;
	for (size_t i = 0; i < u->n; i++) {
		const struct usage_rec *r = &u->v[i];
		if (write_rec(fp, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, "
		    "s:I, s:I, s:I}", "name", r->name, "mark",
		    (json_int_t)r->mark, "since", (json_int_t)r->since,
		    "first", (json_int_t)r->first, "last",
		    (json_int_t)r->last, "packets", (json_int_t)r->packets,
		    "bytes", (json_int_t)r->bytes, "kpackets",
		    (json_int_t)r->kpackets, "kbytes",
		    (json_int_t)r->kbytes)) < 0)
			goto fail;
	}
	if (fflush(fp) != 0 || fsync(fileno(fp)) < 0)
		goto fail;
	if (fclose(fp) != 0) {
		fp = NULL;
		goto fail;
	}
	fp = NULL;
	if (rename(tmp, path) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "%s: %s", tmp, strerror(errno ? errno : EIO));
	if (fp)
		fclose(fp);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	return rc;
}

/* One record line into r; false when it is not one. */
static bool
parse_rec(const char *line, struct usage_rec *r)
{
	json_t *j = json_loads(line, 0, NULL);
	json_int_t mark, since, first, last, p, b, kp, kb;
	const char *name;
	bool ok;

	ok = j != NULL && json_unpack(j, "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:I, s:I}", "name", &name, "mark", &mark, "since", &since,
	    "first", &first, "last", &last, "packets", &p, "bytes", &b,
	    "kpackets", &kp, "kbytes", &kb) == 0 && name[0] != '\0' &&
	    mark > 0 && mark <= UINT32_MAX && since >= 0 && first >= 0 &&
	    last >= first && p >= 0 && b >= 0 && kp >= 0 && kb >= 0;
	if (ok) {
		*r = (struct usage_rec){ .name = strdup(name),
		    .mark = (uint32_t)mark, .since = (time_t)since,
		    .first = (time_t)first, .last = (time_t)last,
		    .packets = (uint64_t)p, .bytes = (uint64_t)b,
		    .kpackets = (uint64_t)kp, .kbytes = (uint64_t)kb };
		ok = r->name != NULL;
	}
	json_decref(j);
	return ok;
}

int
usage_load(struct usage *u, const char *path, size_t *bad, char *err,
    size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, o = 0;
	ssize_t len;
	bool head = true;

	usage_free(u);
	*bad = 0;
	if (fp == NULL) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, fp)) > 0) {
		struct usage_rec r;

		if (head) {	/* {"zoned": "flow-usage", ...} */
			head = false;
			if (strstr(line, "\"flow-usage\"") != NULL)
				continue;
		}
		if (!parse_rec(line, &r)) {
			(*bad)++;
			continue;
		}
		if (u->n == u->cap) {
			size_t c = u->cap ? u->cap * 2 : 256;
			struct usage_rec *v = realloc(u->v, c * sizeof(*v));
			if (v == NULL) {
				free(r.name);
				goto oom;
			}
			u->v = v;
			u->cap = c;
		}
		u->v[u->n++] = r;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error", path);
		goto fail;
	}
	free(line);
	fclose(fp);
	/* sorted, one record a name (one of them kept) */
	qsort(u->v, u->n, sizeof(*u->v), by_name);
	for (size_t i = 0; i < u->n; i++) {
		if (o > 0 && strcmp(u->v[o - 1].name, u->v[i].name) == 0) {
			free(u->v[i].name);
			(*bad)++;
			continue;
		}
		u->v[o++] = u->v[i];
	}
	u->n = o;
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
fail:
	free(line);
	fclose(fp);
	usage_free(u);
	return -1;
}
