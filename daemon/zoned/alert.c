/*
 * alert — the alerts of the monitor and their pcap evidence.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <pcap.h>

#include "alert.h"
#include "event.h"
#include "fault.h"
#include "log.h"
#include "timefmt.h"

#define OPEN_MAX_INCIDENTS 64	/* evidence files open at once */

struct alert {
	uint64_t id;
	time_t when;
	char kind[32];
	json_t *facts;		/* the fields, and later the evidence */
	/* evidence while the incident is open */
	pcap_t *dead;
	pcap_dumper_t *dump;
	char *part;		/* NAME.pcap.part */
	uint64_t bytes, frames, last_ms;
	bool open;
};

struct alerts {
	char *dir;
	uint64_t max_bytes;
	uint32_t snaplen;
	struct alert ring[ALERT_RING];
	uint64_t next_id;	/* ids from 1; ring slot id % ALERT_RING */
	struct alerts_stats st;
	struct event *tick;	/* every second: flush, close quiet ones */
	bool failing;		/* evidence cannot be written (logged once) */
};

static void on_tick(int, uint32_t, void *);

struct alerts *
alerts_new(const char *dir, uint64_t max_bytes, uint32_t snaplen, char *err,
    size_t errlen)
{
	struct alerts *a = calloc(1, sizeof(*a));

	if (a == NULL || (a->dir = strdup(dir)) == NULL) {
		free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		free(a->dir);
		free(a);
		return NULL;
	}
	a->max_bytes = max_bytes;
	a->snaplen = snaplen;
	a->next_id = 1;
	if ((a->tick = event_timer(CLOCK_MONOTONIC, on_tick, a)) == NULL ||
	    event_timer_arm(a->tick, 1000, 1000) < 0) {
		snprintf(err, errlen, "alert timer: %s", strerror(errno));
		alerts_free(a);
		return NULL;
	}
	return a;
}

const char *
alerts_dir(const struct alerts *a)
{
	return a ? a->dir : NULL;
}

static void
sha256_file(const char *path, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	FILE *fp = fopen(path, "rb");
	size_t n;

	snprintf(out, 65, "?");
	if (ctx == NULL || fp == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		EVP_DigestUpdate(ctx, buf, n);
	if (!ferror(fp) && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1)
		for (unsigned i = 0; i < mdlen && i < 32; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
out:
	if (fp)
		fclose(fp);
	EVP_MD_CTX_free(ctx);
}

struct efile {
	char *path;
	time_t mtime;
	off_t size;
};

static int
efile_cmp(const void *x, const void *y)
{
	const struct efile *a = x, *b = y;
	return (a->mtime > b->mtime) - (a->mtime < b->mtime);
}

/* Keep the directory under max_bytes: the oldest closed files go first. */
static void
prune(struct alerts *a)
{
	DIR *d = opendir(a->dir);
	struct efile *v = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0;
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		struct stat sb;
		char path[PATH_MAX];

		if (l < 6 || strcmp(de->d_name + l - 5, ".pcap") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", a->dir, de->d_name);
		if (stat(path, &sb) < 0)
			continue;
		if (n == cap) {
			struct efile *nv = realloc(v, (cap = cap ? cap * 2 :
			    64) * sizeof(*v));
			if (nv == NULL)
				break;
			v = nv;
		}
		v[n].path = strdup(path);
		v[n].mtime = sb.st_mtime;
		v[n].size = sb.st_size;
		total += (uint64_t)sb.st_size;
		n++;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), efile_cmp);
	for (size_t i = 0; i < n && total > a->max_bytes; i++) {
		if (v[i].path && unlink(v[i].path) == 0) {
			total -= (uint64_t)v[i].size;
			a->st.removed++;
			log_event(LOG_NOTICE, "evidence-removed", "file=%s "
			    "reason=max_bytes", lq(v[i].path));
		}
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

/*
 * The evidence directory refuses a write (a full disk): one event when it
 * starts, and the alert says its evidence is missing and why.  Alerts go
 * on without evidence; event=evidence-resumed once a file is whole again.
 */
static void
evidence_failed(struct alerts *a, struct alert *al, const char *file, int e)
{
	a->st.evidence_failed++;
	json_object_set_new(al->facts, "evidence_error",
	    json_string(strerror(e)));
	if (a->failing)
		return;
	a->failing = true;
	log_event(LOG_ERR, "evidence-failed", "dir=%s file=%s reason=%s "
	    "effect=alerts-without-evidence", lq(a->dir), lq(file),
	    lq(strerror(e)));
}

/* What was written of the incident's file is out, or errno. */
static int
incident_flush(struct alert *al)
{
	int e;

	if ((e = fault_errno("evidence-write")) != 0)
		return e;
	if (pcap_dump_flush(al->dump) < 0 || ferror(pcap_dump_file(al->dump)))
		return errno ? errno : EIO;
	return 0;
}

/* The incident's file closed, whatever comes of it. */
static void
incident_end(struct alerts *a, struct alert *al)
{
	al->open = false;
	a->st.open--;
	pcap_dump_close(al->dump);
	pcap_close(al->dead);
	al->dump = NULL;
	al->dead = NULL;
}

/* An incident whose file could not be written: closed, the part gone
 * (it may end inside a record), the alert kept without evidence. */
static void
incident_fail(struct alerts *a, struct alert *al, int e)
{
	incident_end(a, al);
	unlink(al->part);
	evidence_failed(a, al, al->part, e);
	free(al->part);
	al->part = NULL;
}

static void
incident_close(struct alerts *a, struct alert *al)
{
	char sha[65], *final;
	size_t l;
	int e;

	if (!al->open)
		return;
	if ((e = incident_flush(al)) != 0) {
		incident_fail(a, al, e);
		return;
	}
	incident_end(a, al);
	l = strlen(al->part);
	final = strndup(al->part, l - 5);	/* without ".part" */
	if (final == NULL || rename(al->part, final) < 0) {
		log_warnx("evidence %s: %s", al->part, strerror(errno));
		free(final);
		free(al->part);
		al->part = NULL;
		return;
	}
	sha256_file(final, sha);
	a->st.evidence_files++;
	a->st.evidence_bytes += al->bytes;
	json_object_set_new(al->facts, "evidence", json_string(final));
	json_object_set_new(al->facts, "evidence_sha256", json_string(sha));
	json_object_set_new(al->facts, "evidence_frames",
	    json_integer((json_int_t)al->frames));
	log_event(LOG_NOTICE, "evidence-closed", "alert=%llu kind=%s file=%s "
	    "sha256=%s frames=%llu bytes=%llu", (unsigned long long)al->id,
	    al->kind, lq(final), sha, (unsigned long long)al->frames,
	    (unsigned long long)al->bytes);
	if (a->failing) {
		a->failing = false;
		log_event(LOG_NOTICE, "evidence-resumed", "dir=%s",
		    lq(a->dir));
	}
	free(final);
	free(al->part);
	al->part = NULL;
	prune(a);
}

static void
alert_clear(struct alerts *a, struct alert *al)
{
	incident_close(a, al);
	json_decref(al->facts);
	free(al->part);
	memset(al, 0, sizeof(*al));
}

void
alerts_free(struct alerts *a)
{
	if (a == NULL)
		return;
	event_del(a->tick);
	for (int i = 0; i < ALERT_RING; i++)
		alert_clear(a, &a->ring[i]);
	free(a->dir);
	free(a);
}

static uint64_t
tv_ms(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000 + (uint64_t)tv->tv_usec / 1000;
}

uint64_t
alerts_raise(struct alerts *a, const char *kind, const char *fields,
    json_t *facts, const struct timeval *ts, int linktype)
{
	struct alert *al;
	char name[PATH_MAX], when[TIMEFMT_LEN], stamp[32];
	struct tm tm;

	if (a == NULL) {	/* no evidence to keep: the event still goes */
		log_event(LOG_ALERT, kind, "%s", fields);
		json_decref(facts);
		return 0;
	}
	al = &a->ring[a->next_id % ALERT_RING];
	alert_clear(a, al);
	al->id = a->next_id++;
	al->when = ts->tv_sec;
	snprintf(al->kind, sizeof(al->kind), "%s", kind);
	al->facts = facts ? facts : json_object();
	json_object_set_new(al->facts, "id", json_integer((json_int_t)al->id));
	json_object_set_new(al->facts, "kind", json_string(kind));
	json_object_set_new(al->facts, "time", json_string(timefmt_local(
	    ts->tv_sec, when, sizeof(when))));
	a->st.raised++;

	/* the evidence file, unless too many incidents are open */
	if (a->st.open < OPEN_MAX_INCIDENTS) {
		localtime_r(&ts->tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
		snprintf(name, sizeof(name), "%s/%s-%06llu-%s.pcap.part",
		    a->dir, stamp, (unsigned long long)al->id, kind);
		int e = fault_errno("evidence-write");
		al->dead = pcap_open_dead(linktype, (int)a->snaplen);
		al->dump = al->dead && e == 0 ? pcap_dump_open(al->dead, name) :
		    NULL;
		if (al->dump == NULL) {
			if (e == 0 && al->dead == NULL)
				log_warnx("evidence %s: pcap_open_dead failed",
				    name);
			else
				evidence_failed(a, al, name, e ? e : errno ?
				    errno : EIO);
			if (al->dead)
				pcap_close(al->dead);
			al->dead = NULL;
		} else {
			al->part = strdup(name);
			al->open = al->part != NULL;
			a->st.open += al->open;
			al->last_ms = tv_ms(ts);
		}
	}
	log_event(LOG_ALERT, kind, "alert=%llu %s%s%s",
	    (unsigned long long)al->id, fields, al->open ? " evidence=" : "",
	    al->open ? lq(al->part) : "");
	return al->id;
}

void
alerts_frame(struct alerts *a, uint64_t id, const struct timeval *ts,
    const uint8_t *frame, uint32_t caplen, uint32_t len)
{
	struct alert *al;
	struct pcap_pkthdr ph;

	if (a == NULL || id == 0)
		return;
	al = &a->ring[id % ALERT_RING];
	if (al->id != id || !al->open)
		return;
	ph.ts = *ts;
	ph.caplen = caplen < a->snaplen ? caplen : a->snaplen;
	ph.len = len;
	pcap_dump((u_char *)al->dump, &ph, frame);
	al->frames++;
	al->bytes += ph.caplen + 16;
	al->last_ms = tv_ms(ts);
	if (al->bytes >= ALERT_FILE_MAX)
		incident_close(a, al);
}

void
alerts_tick(struct alerts *a, uint64_t now_ms)
{
	for (int i = 0; i < ALERT_RING && a->st.open > 0; i++) {
		struct alert *al = &a->ring[i];
		int e;
		if (!al->open)
			continue;
		if ((e = incident_flush(al)) != 0)
			incident_fail(a, al, e);
		else if (now_ms >= al->last_ms + ALERT_QUIET_MS)
			incident_close(a, al);
	}
}

static void
on_tick(int fd, uint32_t what, void *arg)
{
	struct timeval tv;

	(void)fd;
	(void)what;
	gettimeofday(&tv, NULL);
	alerts_tick(arg, tv_ms(&tv));
}

void
alerts_close_all(struct alerts *a)
{
	if (a == NULL)
		return;
	for (int i = 0; i < ALERT_RING; i++)
		incident_close(a, &a->ring[i]);
}

json_t *
alerts_json(const struct alerts *a, time_t since)
{
	json_t *arr = json_array();
	uint64_t first;

	if (a == NULL)
		return arr;
	first = a->next_id > ALERT_RING ? a->next_id - ALERT_RING : 1;

	for (uint64_t id = first; id < a->next_id; id++) {
		const struct alert *al = &a->ring[id % ALERT_RING];
		if (al->id == id && al->when >= since && al->facts)
			json_array_append(arr, al->facts);
	}
	return arr;
}

void
alerts_stats(const struct alerts *a, struct alerts_stats *st)
{
	if (a == NULL) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = a->st;
}
