/*
 * isolate — emergency isolation of zones: the state (STATEDIR/isolated),
 * the one set transaction that puts it in the kernel, and its comparison
 * with the kernel's set (see isolate.h).
 *
 * A change goes in this order, each step taken back when a later one
 * fails: the new state written to a temporary file (fsync'd), the journal
 * entries (fsync'd), the set transaction, the rename of the state file.
 * A crash between the transaction and the rename leaves the journal saying
 * more than the state file; the next start's entry says what runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctlproto.h"
#include "isolate.h"
#include "log.h"
#include "nftemit.h"
#include "timefmt.h"

#define STATE_FILE "isolated"
#define SEQ_COUNT 8

struct iso_zone {
	char *zone;
	char **ifaces;		/* as isolated (shown while failing closed) */
	size_t nifaces;
	time_t since;
	long uid;
	char *user;
	char *reason;
};

struct iso_state {
	struct iso_zone *v;
	size_t n;
	bool every;		/* the state file could not be read */
	time_t every_since;
	char *every_reason;
};

struct isolation {
	char *path, *tmp;
	struct iso_state st;
	const char **ifv;	/* isolate_ifaces() */
	size_t nifv, cifv;
};

/* ---------------------------------------------------------------------
 * The state
 */

static void
zone_free(struct iso_zone *z)
{
	free(z->zone);
	for (size_t i = 0; i < z->nifaces; i++)
		free(z->ifaces[i]);
	free(z->ifaces);
	free(z->user);
	free(z->reason);
}

static void
state_free(struct iso_state *s)
{
	for (size_t i = 0; i < s->n; i++)
		zone_free(&s->v[i]);
	free(s->v);
	free(s->every_reason);
	memset(s, 0, sizeof(*s));
}

static char *
xstrdup(const char *s, bool *oom)
{
	char *d = strdup(s ? s : "");

	if (d == NULL)
		*oom = true;
	return d;
}

/* Append a zone (its strings copied); false when out of memory. */
static bool
state_add(struct iso_state *s, const char *zone, const char *const *ifaces,
    size_t nifaces, time_t since, long uid, const char *user,
    const char *reason)
{
	struct iso_zone *v = realloc(s->v, (s->n + 1) * sizeof(*v)), *z;
	bool oom = false;

	if (v == NULL)
		return false;
	s->v = v;
	z = &s->v[s->n];
	memset(z, 0, sizeof(*z));
	z->zone = xstrdup(zone, &oom);
	z->user = xstrdup(user, &oom);
	z->reason = xstrdup(reason, &oom);
	z->since = since;
	z->uid = uid;
	if ((z->ifaces = calloc(nifaces + 1, sizeof(char *))) == NULL)
		oom = true;
	for (size_t i = 0; !oom && i < nifaces; i++)
		z->ifaces[z->nifaces++] = xstrdup(ifaces[i], &oom);
	s->n++;
	return !oom;
}

static bool
state_copy(struct iso_state *d, const struct iso_state *s)
{
	memset(d, 0, sizeof(*d));
	d->every = s->every;
	d->every_since = s->every_since;
	if (s->every_reason && (d->every_reason = strdup(s->every_reason)) ==
	    NULL)
		return false;
	for (size_t i = 0; i < s->n; i++)
		if (!state_add(d, s->v[i].zone, (const char *const *)
		    s->v[i].ifaces, s->v[i].nifaces, s->v[i].since,
		    s->v[i].uid, s->v[i].user, s->v[i].reason))
			return false;
	return true;
}

static int
state_find(const struct iso_state *s, const char *zone)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].zone, zone) == 0)
			return (int)i;
	return -1;
}

static void
state_remove(struct iso_state *s, size_t i)
{
	zone_free(&s->v[i]);
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
	s->n--;
}

static json_t *
strings_json(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *
zone_json(const struct iso_zone *z)
{
	char when[TIMEFMT_LEN];

	return json_pack("{s:s, s:o, s:s, s:I, s:o, s:s, s:s}",
	    "zone", z->zone, "interfaces", strings_json(z->ifaces, z->nifaces),
	    "since", timefmt_local(z->since, when, sizeof(when)),
	    "since_epoch", (json_int_t)z->since,
	    "uid", z->uid < 0 ? json_null() : json_integer(z->uid),
	    "user", z->user, "reason", z->reason);
}

static json_t *
state_json(const struct iso_state *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(a, zone_json(&s->v[i]));
	if (s->every) {
		char when[TIMEFMT_LEN];
		json_array_append_new(a, json_pack("{s:s, s:[], s:s, s:I, "
		    "s:n, s:s, s:s}", "zone", "*", "interfaces", "since",
		    timefmt_local(s->every_since, when, sizeof(when)),
		    "since_epoch", (json_int_t)s->every_since, "uid", "user",
		    "-", "reason", s->every_reason ? s->every_reason : ""));
	}
	return a;
}

/* Read the file: 0 (absent counts as nothing isolated), -1 with err. */
static int
state_load(struct iso_state *s, const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *j, *zs, *z;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if ((j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		snprintf(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
		return -1;
	}
	zs = json_object_get(j, "zones");
	if (!json_is_array(zs)) {
		snprintf(err, errlen, "%s: no \"zones\" array", path);
		json_decref(j);
		return -1;
	}
	json_array_foreach(zs, i, z) {
		const char *name = json_string_value(json_object_get(z, "zone"));
		json_t *ifs = json_object_get(z, "interfaces"), *u;
		const char *v[64];
		size_t n = 0, k;
		json_array_foreach(ifs, k, u)
			if (json_is_string(u) && n < 64)
				v[n++] = json_string_value(u);
		if (name == NULL || !json_is_array(ifs) ||
		    !json_is_integer(json_object_get(z, "since_epoch"))) {
			snprintf(err, errlen, "%s: entry %zu is not an isolated "
			    "zone", path, i + 1);
			json_decref(j);
			state_free(s);
			return -1;
		}
		u = json_object_get(z, "uid");
		if (!state_add(s, name, v, n, (time_t)json_integer_value(
		    json_object_get(z, "since_epoch")), json_is_integer(u) ?
		    (long)json_integer_value(u) : -1, json_string_value(
		    json_object_get(z, "user")), json_string_value(
		    json_object_get(z, "reason")))) {
			snprintf(err, errlen, "out of memory");
			json_decref(j);
			state_free(s);
			return -1;
		}
	}
	json_decref(j);
	return 0;
}

/* Write s to iso->tmp, fsync'd (not yet in place); -1 with err. */
static int
state_write(const struct isolation *iso, const struct iso_state *s,
    char *err, size_t errlen)
{
	json_t *j = json_pack("{s:i, s:o}", "version", 1, "zones",
	    json_array());
	char *text = NULL;
	size_t len, off = 0;
	int fd = -1, e = 0;

	for (size_t i = 0; j && i < s->n; i++)
		json_array_append_new(json_object_get(j, "zones"),
		    zone_json(&s->v[i]));
	if (j == NULL || (text = json_dumps(j, JSON_INDENT(2) |
	    JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(j);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_decref(j);
	len = strlen(text);
	if ((fd = open(iso->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640)) < 0)
		e = errno;
	while (e == 0 && off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			e = n < 0 ? errno : ENOSPC;
		else
			off += (size_t)n;
	}
	if (e == 0 && (write(fd, "\n", 1) != 1 || fsync(fd) < 0))
		e = errno ? errno : ENOSPC;
	if (fd >= 0 && close(fd) < 0 && e == 0)
		e = errno;
	free(text);
	if (e != 0) {
		unlink(iso->tmp);
		snprintf(err, errlen, "cannot keep the isolation in %s: %s",
		    iso->path, strerror(e));
		return -1;
	}
	return 0;
}

/* Put the written state in place; -1 with err. */
static int
state_commit(const struct isolation *iso, char *err, size_t errlen)
{
	if (rename(iso->tmp, iso->path) == 0) {
		record_sync_dir(iso->path);
		return 0;
	}
	snprintf(err, errlen, "cannot keep the isolation in %s: %s", iso->path,
	    strerror(errno));
	unlink(iso->tmp);
	return -1;
}

static void
save(struct isolation *iso)
{
	char err[512];

	if (state_write(iso, &iso->st, err, sizeof(err)) < 0 ||
	    state_commit(iso, err, sizeof(err)) < 0)
		log_warnx("%s", err);
}

struct isolation *
isolate_open(const char *state_dir, char *err, size_t errlen)
{
	struct isolation *iso = calloc(1, sizeof(*iso));
	char why[512];

	if (iso == NULL || asprintf(&iso->path, "%s/" STATE_FILE,
	    state_dir) < 0 || asprintf(&iso->tmp, "%s/." STATE_FILE ".tmp",
	    state_dir) < 0) {
		snprintf(err, errlen, "out of memory");
		isolate_close(iso);
		return NULL;
	}
	if (state_load(&iso->st, iso->path, why, sizeof(why)) < 0) {
		/* fail closed: an isolation may be in that file */
		iso->st.every = true;
		iso->st.every_since = time(NULL);
		if (asprintf(&iso->st.every_reason, "the isolation state could "
		    "not be read (%s): every zone is isolated until zonectl "
		    "restore --all", why) < 0)
			iso->st.every_reason = NULL;
		log_event(LOG_ALERT, "zone-isolated", "zone=* reason=%s",
		    lq(iso->st.every_reason ? iso->st.every_reason : why));
	}
	for (size_t i = 0; i < iso->st.n; i++)
		log_info("zone %s stays isolated (since %ld, uid %ld): %s",
		    iso->st.v[i].zone, (long)iso->st.v[i].since,
		    iso->st.v[i].uid, iso->st.v[i].reason);
	return iso;
}

void
isolate_close(struct isolation *iso)
{
	if (iso == NULL)
		return;
	state_free(&iso->st);
	free(iso->ifv);
	free(iso->path);
	free(iso->tmp);
	free(iso);
}

/* ---------------------------------------------------------------------
 * Interfaces
 */

static void
push_if(struct isolation *iso, const char *name)
{
	if (iso->nifv + 1 >= iso->cifv) {
		size_t cap = iso->cifv ? iso->cifv * 2 : 16;
		const char **v = realloc(iso->ifv, cap * sizeof(*v));
		if (v == NULL)
			return;
		iso->ifv = v;
		iso->cifv = cap;
	}
	for (size_t i = 0; i < iso->nifv; i++)
		if (strcmp(iso->ifv[i], name) == 0)
			return;
	iso->ifv[iso->nifv++] = name;
	iso->ifv[iso->nifv] = NULL;
}

static const char *const *
ifaces_of(struct isolation *iso, const struct iso_state *s,
    const struct policy *p, size_t *n)
{
	static const char *const none[] = { NULL };

	iso->nifv = 0;
	for (size_t i = 0; i < s->n; i++) {
		int z = p ? policy_find_zone(p, s->v[i].zone) : -1;
		if (p == NULL)
			for (size_t j = 0; j < s->v[i].nifaces; j++)
				push_if(iso, s->v[i].ifaces[j]);
		else if (z >= 0)
			for (size_t j = 0; j < p->zones[z].nifaces; j++)
				push_if(iso, p->zones[z].ifaces[j]);
	}
	for (size_t i = 0; s->every && p && i < p->nzones; i++)
		for (size_t j = 0; j < p->zones[i].nifaces; j++)
			push_if(iso, p->zones[i].ifaces[j]);
	*n = iso->nifv;
	return iso->nifv ? (const char *const *)iso->ifv : none;
}

const char *const *
isolate_ifaces(struct isolation *iso, const struct policy *p, size_t *n)
{
	if (iso == NULL) {
		*n = 0;
		return NULL;
	}
	return ifaces_of(iso, &iso->st, p, n);
}

size_t
isolate_missing(const struct isolation *iso, const struct policy *p,
    const char **names, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; iso && p && i < iso->st.n && n < max; i++)
		if (policy_find_zone(p, iso->st.v[i].zone) < 0)
			names[n++] = iso->st.v[i].zone;
	return n;
}

json_t *
isolate_zone_json(const struct isolation *iso, const char *zone)
{
	int i = iso ? state_find(&iso->st, zone) : -1;

	return i < 0 ? json_object() : json_pack("{s:s, s:o}", "zone", zone,
	    "interfaces", strings_json(iso->st.v[i].ifaces,
	    iso->st.v[i].nifaces));
}

void
isolate_drop(struct isolation *iso, const char *const *names, size_t n)
{
	char **copy = calloc(n + 1, sizeof(*copy));

	if (iso == NULL || n == 0 || copy == NULL) {
		free(copy);
		return;
	}
	/* names point into the state that changes below */
	for (size_t i = 0; i < n; i++)
		copy[i] = strdup(names[i]);
	for (size_t i = 0; i < n; i++) {
		int k = copy[i] ? state_find(&iso->st, copy[i]) : -1;
		if (k < 0)
			continue;
		log_event(LOG_WARNING, "zone-restored", "zone=%s uid=- "
		    "reason=%s isolated_by=%s", copy[i], lq("the policy "
		    "has no such zone"), lq(iso->st.v[k].user));
		state_remove(&iso->st, (size_t)k);
	}
	for (size_t i = 0; i < n; i++)
		free(copy[i]);
	free(copy);
	save(iso);
}

bool
isolate_is(const struct isolation *iso, const char *zone)
{
	return iso && (iso->st.every || state_find(&iso->st, zone) >= 0);
}

json_t *
isolate_json(const struct isolation *iso)
{
	return iso ? state_json(&iso->st) : json_array();
}

/* ---------------------------------------------------------------------
 * zonectl isolate / restore
 */

static int
set_apply(struct isolation *iso, struct apply *nl, const struct iso_state *s,
    const struct policy *p, char *err, size_t errlen)
{
	struct apply_errors kerr;
	struct nft_batch b;
	size_t n;
	const char *const *v = ifaces_of(iso, s, p, &n);
	char e2[256];
	int rc;

	if (nftemit_set_assign(ISOLATE_SET, v, n, apply_next_seq(nl,
	    SEQ_COUNT), &b, err, errlen) < 0)
		return -1;
	rc = apply_batch(nl, &b, NULL, &kerr, e2, sizeof(e2));
	if (rc < 0)
		snprintf(err, errlen, "the kernel refused the set update: %s",
		    kerr.n ? strerror(kerr.v[0].error) : e2);
	apply_errors_free(&kerr);
	nftemit_free(&b);
	return rc;
}

static void
zone_names(const struct policy *p, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < p->nzones; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " :
		    "", p->zones[i].name);
}

/* The new state: rq's change applied to a copy of the old one.  The
 * changed zones' names into changed (pointing into new or old). */
static int
plan(const struct isolation *iso, const struct isolate_req *rq,
    struct iso_state *ns, const char **changed, size_t *nchanged,
    char *err, size_t errlen)
{
	const struct policy *p = rq->pol;
	const struct iso_state *os = &iso->st;
	time_t now = time(NULL);
	char user[64];
	int k;

	*nchanged = 0;
	if (!state_copy(ns, os)) {
		snprintf(err, errlen, "out of memory");
		return CTL_INTERNAL;
	}
	record_user(rq->uid, user, sizeof(user));
	if (rq->isolate) {
		for (size_t i = 0; i < p->nzones; i++) {
			const struct zone *z = &p->zones[i];
			if (rq->zone && strcmp(rq->zone, z->name) != 0)
				continue;
			if ((k = state_find(os, z->name)) >= 0 || os->every) {
				if (rq->zone == NULL)
					continue;
				snprintf(err, errlen, "zone %s is isolated already "
				    "(since %ld, by %s: %s)", z->name,
				    (long)(k >= 0 ? os->v[k].since :
				    os->every_since), k >= 0 ? os->v[k].user :
				    "zoned", k >= 0 ? os->v[k].reason :
				    os->every_reason);
				return CTL_FAILED;
			}
			if (!state_add(ns, z->name, (const char *const *)
			    z->ifaces, z->nifaces, now, rq->uid, user,
			    rq->reason)) {
				snprintf(err, errlen, "out of memory");
				return CTL_INTERNAL;
			}
			changed[(*nchanged)++] = ns->v[ns->n - 1].zone;
		}
		if (*nchanged == 0) {
			snprintf(err, errlen, "every zone is isolated already");
			return CTL_FAILED;
		}
		return CTL_OK;
	}
	if (rq->zone == NULL) {
		for (size_t i = 0; i < os->n; i++)
			changed[(*nchanged)++] = os->v[i].zone;
		if (os->every)
			changed[(*nchanged)++] = "*";
		state_free(ns);
		if (*nchanged == 0) {
			snprintf(err, errlen, "no zone is isolated");
			return CTL_FAILED;
		}
		return CTL_OK;
	}
	if (os->every) {
		snprintf(err, errlen, "every zone is isolated (%s): restore "
		    "them with restore --all", os->every_reason);
		return CTL_FAILED;
	}
	if ((k = state_find(ns, rq->zone)) < 0) {
		snprintf(err, errlen, "zone %s is not isolated", rq->zone);
		return CTL_FAILED;
	}
	changed[(*nchanged)++] = os->v[state_find(os, rq->zone)].zone;
	state_remove(ns, (size_t)k);
	return CTL_OK;
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

int
isolate_change(struct isolation *iso, const struct isolate_req *rq,
    json_t **result, char *err, size_t errlen)
{
	const struct policy *p = rq->pol;
	const char *action = rq->isolate ? "zone-isolated" : "zone-restored";
	struct iso_state ns;
	struct record_mark m;
	struct timespec t0;
	const char **changed;
	size_t nchanged = 0, n;
	json_t *list;
	char e2[512];
	int code;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (iso == NULL) {
		snprintf(err, errlen, "the isolation state is not kept (no "
		    "state directory): nothing was changed");
		return CTL_FAILED;
	}
	if (p == NULL) {
		snprintf(err, errlen, "no policy runs (zoned is failing "
		    "closed): every crossing is denied already");
		return CTL_FAILED;
	}
	if (rq->isolate && (rq->reason == NULL || rq->reason[0] == '\0')) {
		snprintf(err, errlen, "isolate needs a reason (--reason TEXT)");
		return CTL_BAD_REQUEST;
	}
	if (rq->zone && policy_find_zone(p, rq->zone) < 0) {
		char zs[512];
		zone_names(p, zs, sizeof(zs));
		snprintf(err, errlen, "no zone \"%s\" in the running policy "
		    "(zones: %s)", rq->zone, zs);
		return CTL_BAD_REQUEST;
	}
	if ((changed = calloc(p->nzones + iso->st.n + 2,
	    sizeof(*changed))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return CTL_INTERNAL;
	}
	memset(&ns, 0, sizeof(ns));
	if ((code = plan(iso, rq, &ns, changed, &nchanged, err, errlen)) !=
	    CTL_OK)
		goto out;
	code = CTL_FAILED;
	/* 1: the new state, written aside */
	if (state_write(iso, &ns, err, errlen) < 0) {
		snprintf(err + strlen(err), errlen - strlen(err), "; nothing "
		    "was changed");
		goto out;
	}
	/* 2: the journal */
	record_mark(rq->rec, &m);
	for (size_t i = 0; i < nchanged; i++) {
		json_t *x = json_pack("{s:s, s:o}", "zone", changed[i],
		    "interfaces", json_array());
		int k = state_find(rq->isolate ? &ns : &iso->st, changed[i]);
		const struct iso_zone *z = k >= 0 ? &(rq->isolate ? &ns :
		    &iso->st)->v[k] : NULL;
		for (size_t j = 0; z && j < z->nifaces; j++)
			json_array_append_new(json_object_get(x, "interfaces"),
			    json_string(z->ifaces[j]));
		if (!rq->isolate && z)
			json_object_set_new(x, "isolated_by", json_pack("{s:o, "
			    "s:s, s:s}", "uid", z->uid < 0 ? json_null() :
			    json_integer(z->uid), "user", z->user, "reason",
			    z->reason));
		if (record_add(rq->rec, &(struct record_entry){ .action =
		    action, .uid = rq->uid, .before = rq->sha, .after =
		    rq->sha, .extra = x, .reason = rq->reason }, err,
		    errlen) < 0) {
			record_undo(rq->rec, &m);
			unlink(iso->tmp);
			snprintf(err + strlen(err), errlen - strlen(err),
			    "; nothing was changed");
			goto out;
		}
	}
	/* 3: the kernel, one transaction touching the set alone */
	if (set_apply(iso, rq->nl, &ns, p, err, errlen) < 0) {
		record_undo(rq->rec, &m);
		unlink(iso->tmp);
		code = CTL_INTERNAL;
		goto out;
	}
	/* 4: the state in place */
	if (state_commit(iso, err, errlen) < 0) {
		if (set_apply(iso, rq->nl, &iso->st, p, e2, sizeof(e2)) < 0)
			log_event(LOG_CRIT, "isolation-failed", "problem=%s "
			    "error=%s", lq("the set cannot be put back"),
			    lq(e2));
		record_undo(rq->rec, &m);
		goto out;
	}
	record_commit(rq->rec, &m);
	/* the user names the journal found go to the state too */
	list = json_array();
	for (size_t i = 0; i < nchanged; i++) {
		int k = state_find(rq->isolate ? &ns : &iso->st, changed[i]);
		const struct iso_zone *z = k >= 0 ? &(rq->isolate ? &ns :
		    &iso->st)->v[k] : NULL;
		char ifs[256] = "";
		for (size_t j = 0; z && j < z->nifaces; j++)
			snprintf(ifs + strlen(ifs), sizeof(ifs) - strlen(ifs),
			    "%s%s", j ? "," : "", z->ifaces[j]);
		log_event(rq->isolate ? LOG_ALERT : LOG_NOTICE, action,
		    "zone=%s interfaces=%s uid=%ld reason=%s", changed[i],
		    ifs[0] ? ifs : "-", rq->uid, lq(rq->reason ? rq->reason :
		    "-"));
		json_array_append_new(list, json_string(changed[i]));
	}
	state_free(&iso->st);
	iso->st = ns;
	memset(&ns, 0, sizeof(ns));
	ifaces_of(iso, &iso->st, p, &n);
	*result = json_pack("{s:s, s:o, s:o, s:f}", "action", action, "zones",
	    list, "isolated", state_json(&iso->st), "ms", ms_since(&t0));
	code = CTL_OK;
out:
	state_free(&ns);
	free(changed);
	return code;
}

/* ---------------------------------------------------------------------
 * Drift: the kernel's set against the isolation (not against the policy,
 * whose table leaves the set's elements out of the comparison)
 */

struct got {
	char **v;
	size_t n, cap;
};

static void
got_elem(const void *key, size_t len, void *arg)
{
	struct got *g = arg;
	char name[17];
	char **v;

	snprintf(name, sizeof(name), "%.*s", (int)(len < 16 ? len : 16),
	    (const char *)key);
	if (g->n == g->cap) {
		if ((v = realloc(g->v, (g->cap = g->cap ? g->cap * 2 : 16) *
		    sizeof(*v))) == NULL)
			return;
		g->v = v;
	}
	if ((g->v[g->n] = strdup(name)) != NULL)
		g->n++;
}

int
isolate_verify(struct isolation *iso, struct apply *nl,
    const struct policy *p, void (*fn)(char, const char *, void *),
    void *arg)
{
	struct got g = { 0 };
	const char *const *want;
	char err[256], line[64];
	size_t n;
	int diff = 0, rc;

	if (iso == NULL)
		return 0;
	if ((rc = apply_set_elems(nl, ISOLATE_SET, got_elem, &g, err,
	    sizeof(err))) != 0) {
		for (size_t i = 0; i < g.n; i++)
			free(g.v[i]);
		free(g.v);
		if (rc < 0)
			log_warnx("verify: %s", err);
		return rc < 0 ? -1 : 0;	/* no table: the caller saw it */
	}
	want = ifaces_of(iso, &iso->st, p, &n);
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		for (size_t j = 0; j < g.n && !found; j++)
			found = strcmp(want[i], g.v[j]) == 0;
		if (!found) {
			snprintf(line, sizeof(line), "isolated %s", want[i]);
			fn('-', line, arg);
			diff++;
		}
	}
	for (size_t j = 0; j < g.n; j++) {
		bool found = false;
		for (size_t i = 0; i < n && !found; i++)
			found = strcmp(want[i], g.v[j]) == 0;
		if (!found) {
			snprintf(line, sizeof(line), "isolated %s", g.v[j]);
			fn('+', line, arg);
			diff++;
		}
		free(g.v[j]);
	}
	free(g.v);
	return diff;
}
