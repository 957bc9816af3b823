/*
 * record — the daemon's change journal and its store of policy texts: the
 * entries of a change are written and fsync'd before the change is made,
 * taken back when it fails, and sent to syslog with their hashes once it is
 * made (see record.h).  The chain itself is lib/journal.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "record.h"
#include "timefmt.h"

#define JOURNAL_FILE "journal"
#define STORE_DIR "policies"

/* An entry written but not yet sent to syslog. */
struct pending {
	char *line;		/* the key=value text for syslog */
};

struct record {
	int fd;
	char *path;		/* STATEDIR/journal */
	char *dir;		/* STATEDIR */
	char *store;		/* STATEDIR/policies */
	off_t len;		/* bytes of intact entries */
	long long seq;		/* the last entry's */
	char hash[JOURNAL_HASH_LEN + 1];
	char last_action[32];
	char last_policy[JOURNAL_HASH_LEN + 1];
	struct pending *pend;
	size_t npend, cpend;
};

const char *
record_path(const struct record *r)
{
	return r ? r->path : NULL;
}

const char *
record_last_action(const struct record *r)
{
	return r ? r->last_action : "";
}

const char *
record_last_policy(const struct record *r)
{
	return r ? r->last_policy : "";
}

/* The last entry's facts, from its line. */
static void
take_last(struct record *r, const char *line, size_t len)
{
	char hash[JOURNAL_HASH_LEN + 1];
	json_t *e = journal_parse(line, len, hash), *a;

	if (e == NULL)
		return;
	r->seq = (long long)json_integer_value(json_object_get(e, "seq"));
	memcpy(r->hash, hash, sizeof(r->hash));
	snprintf(r->last_action, sizeof(r->last_action), "%s",
	    json_string_value(json_object_get(e, "action")) ?
	    json_string_value(json_object_get(e, "action")) : "");
	a = json_object_get(e, "policy_after");
	snprintf(r->last_policy, sizeof(r->last_policy), "%s",
	    json_is_string(a) ? json_string_value(a) : "");
	json_decref(e);
}

static char *
slurp(int fd, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	ssize_t k;

	if (buf == NULL)
		return NULL;
	if (lseek(fd, 0, SEEK_SET) < 0) {
		free(buf);
		return NULL;
	}
	while ((k = read(fd, buf + n, cap - n)) != 0) {
		if (k < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return NULL;
		}
		n += (size_t)k;
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (nb == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
	}
	*len = n;
	return buf;
}

/* Read the journal: its chain checked, a last line cut short by a crash
 * removed, the last entry's seq and hash taken up. */
static int
load(struct record *r, char *err, size_t errlen)
{
	struct journal_check c;
	size_t len, end;
	char *buf;

	if ((buf = slurp(r->fd, &len)) == NULL) {
		snprintf(err, errlen, "%s: %s", r->path, strerror(errno));
		return -1;
	}
	end = len;
	while (end > 0 && buf[end - 1] != '\n')
		end--;
	if (end < len) {
		/* never acknowledged: a change records its entry whole */
		if (ftruncate(r->fd, (off_t)end) < 0 || fsync(r->fd) < 0) {
			snprintf(err, errlen, "%s: %s", r->path,
			    strerror(errno));
			free(buf);
			return -1;
		}
		log_event(LOG_WARNING, "journal-repaired", "file=%s "
		    "removed_bytes=%zu reason=%s", lq(r->path), len - end,
		    lq("a last line cut short (the daemon died writing it)"));
		len = end;
	}
	if (journal_verify(buf, len, &c) != 0)
		log_event(LOG_ALERT, "journal-broken", "file=%s line=%zu "
		    "seq=%lld problem=%s action=continued", lq(r->path), c.line,
		    c.seq, lq(c.msg));
	r->len = (off_t)len;
	snprintf(r->hash, sizeof(r->hash), "%s", JOURNAL_GENESIS);
	if (len > 0) {
		size_t s = len - 1;
		while (s > 0 && buf[s - 1] != '\n')
			s--;
		take_last(r, buf + s, len - 1 - s);
	}
	free(buf);
	return 0;
}

struct record *
record_open(const char *state_dir, char *err, size_t errlen)
{
	struct record *r = calloc(1, sizeof(*r));

	if (r != NULL)
		r->fd = -1;
	if (r == NULL || asprintf(&r->path, "%s/" JOURNAL_FILE, state_dir) < 0 ||
	    asprintf(&r->store, "%s/" STORE_DIR, state_dir) < 0 ||
	    (r->dir = strdup(state_dir)) == NULL) {
		snprintf(err, errlen, "out of memory");
		record_close(r);
		return NULL;
	}
	r->fd = open(r->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (r->fd < 0 || (mkdir(r->store, 0750) < 0 && errno != EEXIST)) {
		snprintf(err, errlen, "%s: %s", r->fd < 0 ? r->path : r->store,
		    strerror(errno));
		record_close(r);
		return NULL;
	}
	if (load(r, err, errlen) < 0) {
		record_close(r);
		return NULL;
	}
	return r;
}

void
record_close(struct record *r)
{
	if (r == NULL)
		return;
	if (r->fd >= 0)
		close(r->fd);
	for (size_t i = 0; i < r->npend; i++)
		free(r->pend[i].line);
	free(r->pend);
	free(r->path);
	free(r->dir);
	free(r->store);
	free(r);
}

void
record_owner(struct record *r, uid_t uid, gid_t gid)
{
	DIR *d;
	struct dirent *de;

	if (r == NULL)
		return;
	if (fchown(r->fd, uid, gid) < 0 || chown(r->store, uid, gid) < 0)
		log_warn("%s", r->path);
	if ((d = opendir(r->store)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && fchownat(dirfd(d), de->d_name, uid,
		    gid, AT_SYMLINK_NOFOLLOW) < 0)
			log_warn("%s/%s", r->store, de->d_name);
	closedir(d);
}

/* ---------------------------------------------------------------------
 * Entries
 */

const char *
record_user(long uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (uid < 0)
		return "-";
	if (getpwuid_r((uid_t)uid, &pw, tmp, sizeof(tmp), &res) == 0 &&
	    res != NULL)
		snprintf(buf, len, "%s", pw.pw_name);
	else
		snprintf(buf, len, "%ld", uid);
	return buf;
}

static json_t *
sha_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static json_t *
build(const struct record *r, const struct record_entry *e)
{
	char when[TIMEFMT_LEN], user[64];
	json_t *j, *v;
	const char *k;

	j = json_pack("{s:I, s:s, s:o, s:s, s:s, s:o, s:o}",
	    "seq", (json_int_t)(r->seq + 1),
	    "time", timefmt_local(time(NULL), when, sizeof(when)),
	    "uid", e->uid < 0 ? json_null() : json_integer(e->uid),
	    "user", record_user(e->uid, user, sizeof(user)),
	    "action", e->action,
	    "policy_before", sha_or_null(e->before),
	    "policy_after", sha_or_null(e->after));
	if (j == NULL)
		return NULL;
	if (e->flows)
		json_object_set(j, "flows", e->flows);
	json_object_foreach(e->extra, k, v)
		json_object_set(j, k, v);
	if (e->reason)
		json_object_set_new(j, "reason", json_string(e->reason));
	return j;
}

static size_t
count(const json_t *flows, const char *kind)
{
	return json_array_size(json_object_get(flows, kind));
}

/* The syslog line of an entry: what anchors the chain outside. */
static char *
syslog_line(const struct record_entry *e, long long seq, const char *hash,
    const char *prev)
{
	char user[64], uid[24], *s;

	snprintf(uid, sizeof(uid), "%ld", e->uid);
	if (asprintf(&s, "seq=%lld action=%s uid=%s user=%s before=%s "
	    "after=%s%s%s added=%zu removed=%zu changed=%zu hash=%s prev=%s",
	    seq, e->action, e->uid < 0 ? "-" : uid, lq(record_user(e->uid, user,
	    sizeof(user))), e->before && e->before[0] ? e->before : "-",
	    e->after && e->after[0] ? e->after : "-", e->reason ? " reason=" :
	    "", e->reason ? lq(e->reason) : "", count(e->flows, "added"),
	    count(e->flows, "removed"), count(e->flows, "changed"), hash,
	    prev) < 0)
		return NULL;
	return s;
}

void
record_mark(const struct record *r, struct record_mark *m)
{
	memset(m, 0, sizeof(*m));
	if (r == NULL)
		return;
	m->off = r->len;
	m->seq = r->seq;
	memcpy(m->hash, r->hash, sizeof(m->hash));
	m->npending = r->npend;
}

/* Cut the file back to off; 0, or -1 (logged: the journal may now hold an
 * entry of a change that was not made, which the next entry's chain still
 * covers). */
static int
cut(struct record *r, off_t off)
{
	if (ftruncate(r->fd, off) == 0 && fsync(r->fd) == 0)
		return 0;
	log_event(LOG_CRIT, "journal-failed", "file=%s error=%s "
	    "problem=%s", lq(r->path), lq(strerror(errno)), lq("cannot take "
	    "back an entry of a change that was not made"));
	return -1;
}

int
record_add(struct record *r, const struct record_entry *e, char *err,
    size_t errlen)
{
	char hash[JOURNAL_HASH_LEN + 1], *line = NULL, *sl = NULL;
	json_t *j = NULL;
	size_t len, off = 0;
	int rc = -1, werr = 0;

	if (r == NULL) {
		snprintf(err, errlen, "no change journal (see the log)");
		goto out;
	}
	if ((j = build(r, e)) == NULL || (line = journal_seal(j, r->hash,
	    hash, err, errlen)) == NULL || (sl = syslog_line(e, r->seq + 1,
	    hash, r->hash)) == NULL) {
		if (line != NULL || j == NULL)
			snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (r->npend == r->cpend) {
		size_t cap = r->cpend ? r->cpend * 2 : 8;
		struct pending *v = realloc(r->pend, cap * sizeof(*v));
		if (v == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		r->pend = v;
		r->cpend = cap;
	}
	len = strlen(line);
	while (off < len && werr == 0) {
		ssize_t n = write(r->fd, line + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			werr = errno;
		else if (n == 0)
			werr = ENOSPC;
		else
			off += (size_t)n;
	}
	if (werr == 0 && fsync(r->fd) < 0)
		werr = errno;
	if (werr != 0) {
		snprintf(err, errlen, "cannot record the change in %s: %s",
		    r->path, strerror(werr));
		cut(r, r->len);
		goto out;
	}
	r->len += (off_t)len;
	r->seq++;
	memcpy(r->hash, hash, sizeof(r->hash));
	snprintf(r->last_action, sizeof(r->last_action), "%s", e->action);
	snprintf(r->last_policy, sizeof(r->last_policy), "%s", e->after ?
	    e->after : "");
	r->pend[r->npend++].line = sl;
	sl = NULL;
	rc = 0;
out:
	free(sl);
	free(line);
	json_decref(j);
	json_decref(e->flows);
	json_decref(e->extra);
	return rc;
}

void
record_commit(struct record *r, const struct record_mark *m)
{
	if (r == NULL)
		return;
	for (size_t i = m->npending; i < r->npend; i++) {
		log_event(LOG_NOTICE, "journal", "%s", r->pend[i].line);
		free(r->pend[i].line);
	}
	r->npend = m->npending;
}

void
record_undo(struct record *r, const struct record_mark *m)
{
	if (r == NULL)
		return;
	for (size_t i = m->npending; i < r->npend; i++)
		free(r->pend[i].line);
	r->npend = m->npending;
	if (r->len == m->off)
		return;
	cut(r, m->off);
	r->len = m->off;
	r->seq = m->seq;
	memcpy(r->hash, m->hash, sizeof(r->hash));
}

void
record_now(struct record *r, const struct record_entry *e)
{
	struct record_mark m;
	char err[512];
	const char *action = e->action, *reason = e->reason;

	record_mark(r, &m);
	if (record_add(r, e, err, sizeof(err)) == 0) {
		record_commit(r, &m);
		return;
	}
	log_event(LOG_CRIT, "journal-failed", "action=%s uid=%ld reason=%s "
	    "error=%s change=made", action, e->uid, lq(reason ? reason : "-"),
	    lq(err));
}

/* ---------------------------------------------------------------------
 * Policy texts
 */

char *
record_stored(const struct record *r, const char *sha)
{
	char *p;

	if (r == NULL || sha == NULL || sha[0] == '\0' ||
	    asprintf(&p, "%s/%s.conf", r->store, sha) < 0)
		return NULL;
	if (access(p, R_OK) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

struct kept {
	char name[JOURNAL_HASH_LEN + 8];
	struct timespec mtime;
};

static int
by_age(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The newest RECORD_KEEP_POLICIES texts stay; the others go. */
static void
prune(struct record *r)
{
	struct kept *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(r->store)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		size_t l = strlen(de->d_name);
		if (l != JOURNAL_HASH_LEN + 5 || strcmp(de->d_name +
		    JOURNAL_HASH_LEN, ".conf") != 0 || fstatat(dirfd(d),
		    de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (n == cap) {
			struct kept *nv = realloc(v, (cap = cap ? cap * 2 :
			    256) * sizeof(*v));
			if (nv == NULL)
				break;
			v = nv;
		}
		memcpy(v[n].name, de->d_name, l + 1);	/* l checked above */
		v[n++].mtime = st.st_mtim;
	}
	if (n > RECORD_KEEP_POLICIES) {
		qsort(v, n, sizeof(*v), by_age);
		for (size_t i = 0; i < n - RECORD_KEEP_POLICIES; i++)
			if (unlinkat(dirfd(d), v[i].name, 0) < 0)
				log_warn("%s/%s", r->store, v[i].name);
	}
	closedir(d);
	free(v);
}

int
record_store(struct record *r, const char *sha, const char *text,
    size_t len, char *err, size_t errlen)
{
	char *path = NULL, *tmp = NULL;
	int fd = -1, rc = -1;
	size_t off = 0;

	if (r == NULL) {
		snprintf(err, errlen, "no change journal (see the log)");
		return -1;
	}
	if (asprintf(&path, "%s/%s.conf", r->store, sha) < 0 ||
	    asprintf(&tmp, "%s/.%s.tmp", r->store, sha) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (access(path, F_OK) == 0) {
		/* kept already: now the newest */
		if (utimensat(AT_FDCWD, path, NULL, 0) < 0)
			log_warn("%s", path);
		rc = 0;
		goto out;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) <
	    0)
		goto fail;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	prune(r);
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "cannot keep the policy text in %s: %s",
	    r->store, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(path);
	free(tmp);
	return rc;
}
