/*
 * engine — what the daemon enforces: load a policy, judge it, turn it into
 * the kernel's table in one transaction, hand it to every module that
 * judges by it, keep the last good one, fail closed, verify the kernel
 * against it.
 *
 * Nothing is replaced until everything has worked: a policy that fails lint,
 * the build or the kernel leaves the running policy and table as they were.
 * Every load goes through engine_reload(); what follows a successful
 * install is decided once, in serve().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alert.h"
#include "conf.h"
#include "confirm.h"
#include "ctlproto.h"
#include "engine.h"
#include "event.h"
#include "isolate.h"
#include "journal.h"
#include "fault.h"
#include "flowuse.h"
#include "ha.h"
#include "lint.h"
#include "log.h"
#include "monitor.h"
#include "neigh.h"
#include "nflog.h"
#include "nftemit.h"
#include "record.h"
#include "policyfile.h"
#include "restart.h"
#include "verdict.h"

#define QUEUE_RETRY_MS 1000	/* binding a queue that failed, again */
#define TXN_TRIES 3		/* plans when the generation keeps moving */
#define APPLY_RETRY_MS 2000	/* the running policy, when applying it
				 * again failed (an expiry, a repair) */

void
load_result_init(struct load_result *r)
{
	memset(r, 0, sizeof(*r));
	diag_init(&r->diag);
}

void
load_result_free(struct load_result *r)
{
	diag_free(&r->diag);
	apply_errors_free(&r->kerr);
}

/* ---------------------------------------------------------------------
 * Files
 */

static char *
last_good_path(const struct zoned *z)
{
	char *p;

	if (asprintf(&p, "%s/last-good.conf", z->state_dir) < 0)
		return NULL;
	return p;
}

/* Keep the text of the policy that loaded: written whole, then renamed,
 * so that a write that fails (a full disk) leaves the last good one as it
 * was.  A failure is one event, and so is the first success after one.
 * -1 when it could not be kept. */
static int
save_last_good(struct zoned *z, const char *text, size_t len)
{
	char *path = last_good_path(z), *tmp = NULL;
	int fd = -1, e = 0;

	if (path == NULL || asprintf(&tmp, "%s.tmp", path) < 0) {
		free(path);
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640)) < 0 || (errno = fault_errno("state-write")) != 0 ||
	    write(fd, text, len) != (ssize_t)len || fsync(fd) < 0)
		e = errno ? errno : EIO;	/* a short write: no errno */
	if (fd >= 0 && close(fd) < 0 && e == 0)
		e = errno;
	if (e == 0 && rename(tmp, path) < 0)
		e = errno;
	if (e != 0) {
		unlink(tmp);
		log_event(LOG_ERR, "last-good-failed", "file=%s reason=%s "
		    "effect=previous-last-good-kept", lq(path), lq(strerror(e)));
		z->last_good_failed = true;
	} else if (z->last_good_failed) {
		log_event(LOG_NOTICE, "last-good-saved", "file=%s", lq(path));
		z->last_good_failed = false;
	}
	free(tmp);
	free(path);
	return e != 0 ? -1 : 0;
}

/* ---------------------------------------------------------------------
 * Counters: a replacement of the table starts its counters at 0, so what
 * the old ones had counted goes to the flows' usage records and, for the
 * others, to z->base.  An incremental reload leaves the counters of the
 * flows it does not change counting.
 */

/* The counters of ir's table, read by name, sorted; -1 with err. */
static int
read_counters(struct zoned *z, const struct nft_ir *ir, struct counters *out,
    char *err, size_t errlen)
{
	const char **names = malloc((ir->ncounters + 1) * sizeof(*names));
	int rc;

	counters_init(out);
	if (names == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < ir->ncounters; i++)
		names[i] = ir->counters[i].name;
	rc = apply_counters(z->nl, names, ir->ncounters, counters_add_cb, out,
	    err, errlen);
	free(names);
	if (rc < 0)
		counters_free(out);
	else
		counters_sort(out);
	return rc;
}

int
engine_counters(struct zoned *z, struct counters *out, char *err,
    size_t errlen)
{
	const struct usage *u = z->use ? flowuse_usage(z->use) : NULL;

	if (z->ir == NULL) {
		counters_init(out);
		return 0;
	}
	if (read_counters(z, z->ir, out, err, errlen) < 0)
		return -1;
	flowuse_observe(z->use, out);
	for (size_t i = 0; i < out->n; i++) {
		struct counter *c = &out->v[i];
		const struct usage_rec *r;
		const struct counter *b;

		if (strncmp(c->name, "flow.", 5) == 0) {
			if (u != NULL && (r = usage_find(u, c->name + 5)) !=
			    NULL) {
				c->packets = r->packets;
				c->bytes = r->bytes;
			}
		} else if ((b = counters_get(&z->base, c->name)) != NULL) {
			c->packets += b->packets;
			c->bytes += b->bytes;
		}
	}
	return 0;
}

/* What the counters but the flows' had counted when their table went. */
static void
carry_over(struct zoned *z, const struct counters *snap)
{
	for (size_t i = 0; i < snap->n; i++)
		if (strncmp(snap->v[i].name, "flow.", 5) != 0 &&
		    counters_add(&z->base, snap->v[i].name, snap->v[i].packets,
		    snap->v[i].bytes) < 0) {
			log_warnx("out of memory: some counter totals restart "
			    "at 0");
			break;
		}
	counters_sort(&z->base);
}

/* ---------------------------------------------------------------------
 * Build and apply
 */

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int ha_sync(struct zoned *z, const struct policy *p, char *err,
    size_t errlen);

/*
 * Build the table for p (NULL: deny every crossing) and put it in the
 * kernel in one transaction: the changes alone when the table holds what
 * zoned installed last and its structure stays, else the whole table
 * (whole: always; txn.c).  On success *irp and *expect hold what the
 * kernel now has; on failure nothing changed.
 */
static int
build_apply(struct zoned *z, const struct policy *p, bool whole,
    struct nft_ir **irp, struct canon *expect, struct apply_errors *kerr,
    char *err, size_t errlen)
{
	struct nftgen_opts o = {
		.now = time(NULL),
		.deny_all = p == NULL,
		.queue_compat = !z->queue_native,
		.ha_standby = !ha_forwarding(z->ha, p),
	};
	struct counters snap;
	struct nft_ir *ir;
	struct timespec t0;
	struct txn t;
	char cerr[256];
	int tries = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(kerr, 0, sizeof(*kerr));
	counters_init(&snap);
	/* isolated zones are in the first table a start installs */
	o.isolated = isolate_ifaces(z->iso, p, &o.nisolated);
	if ((ir = nftgen_build(p, &o, err, errlen)) == NULL)
		return -1;
	for (;;) {
		if (txn_plan(&t, z->nl, z->ir, &z->expect, z->drift > 0, whole,
		    &z->kernel, ir, err, errlen) < 0) {
			nftgen_free(ir);
			counters_free(&snap);
			return -1;
		}
		/* counters of the table about to go (none at a first
		 * start), read just before it goes */
		if (t.full && snap.n == 0) {
			if (read_counters(z, z->ir ? z->ir : ir, &snap, cerr,
			    sizeof(cerr)) < 0)
				log_debug("no counters to carry over: %s", cerr);
			flowuse_observe(z->use, &snap);
		}
		z->build_ms = ms_since(&t0) - t.check_ms;
		if (txn_commit(&t, z->nl, ir, &z->kernel, kerr, err,
		    errlen) == 0)
			break;
		if (t.restart && ++tries < TXN_TRIES) {
			log_debug("the ruleset changed meanwhile: planning "
			    "again");
			txn_free(&t);
			apply_errors_free(kerr);
			continue;
		}
		if (kerr->n > 0)
			snprintf(err, errlen, "the kernel refused the ruleset "
			    "(%zu error%s)", kerr->n, kerr->n == 1 ? "" : "s");
		txn_free(&t);
		counters_free(&snap);
		nftgen_free(ir);
		return -1;
	}
	z->apply_ms = t.apply_ms;
	z->apply_msgs = t.b.nmsgs;
	z->apply_bytes = t.b.len;
	z->apply_full = t.full;
	snprintf(z->apply_why, sizeof(z->apply_why), "%s", t.full ? t.why :
	    "");
	z->apply_changes = t.full ? 0 : t.d.elems_add + t.d.elems_del +
	    t.d.ncadd + t.d.ncdel + t.d.nchains;
	/* the table now: the one before, changed as the batch changed it */
	*expect = z->expect;
	canon_init(&z->expect);
	if (txn_expect(&t, ir, expect) < 0) {
		log_warnx("out of memory: the table cannot be verified until "
		    "the next reload");
		z->kernel.known = false;
	}
	if (t.full)
		carry_over(z, &snap);
	/* the standby set is a runtime set: an incremental load left it */
	if (!t.full && !t.empty && policy_ha(p) &&
	    ha_sync(z, p, cerr, sizeof(cerr)) < 0)
		log_event(LOG_ERR, "ha-standby-failed", "reason=%s",
		    lq(cerr));
	flowuse_installed(z->use, p, ir, t.full);
	txn_free(&t);
	counters_free(&snap);
	*irp = ir;
	return 0;
}

/* The apply= (and why) of the policy-loaded and reapplied events. */
static const char *
apply_kind(const struct zoned *z, char *buf, size_t len)
{
	if (z->apply_full)
		snprintf(buf, len, "apply=full reason=%s", lq(z->apply_why));
	else
		snprintf(buf, len, "apply=incremental changes=%zu",
		    z->apply_changes);
	return buf;
}

static void
log_kernel_errors(const char *file, const struct apply_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		log_event(LOG_ERR, "apply-failed", "file=%s line=%d object=%s "
		    "error=%s%s%s", lq(file), e->v[i].line, lq(e->v[i].what),
		    lq(strerror(e->v[i].error)), e->v[i].msg[0] ?
		    " kernel=" : "", e->v[i].msg[0] ? lq(e->v[i].msg) : "");
}

/* ---------------------------------------------------------------------
 * What follows an install, in one place
 */

/*
 * The second verdict: bound to the policy's queue in dual mode, let go in
 * kernel mode.  Without a listener, the ruleset's queue drops new
 * crossings (it has no bypass), so a failure here fails closed, and the
 * binding is tried again every second until it works.
 */
static void
queue_sync(struct zoned *z)
{
	const struct policy *p = z->pol;
	bool dual = p != NULL && p->enforce.mode == ENFORCE_DUAL;
	char err[256];

	if (!dual || verdict_queue(z->verdict) != p->enforce.queue ||
	    verdict_maxlen(z->verdict) != p->enforce.queue_maxlen) {
		verdict_close(z->verdict);
		z->verdict = NULL;
	}
	if (dual && z->verdict == NULL) {
		z->verdict = verdict_open(p->enforce.queue,
		    p->enforce.queue_maxlen, z->alerts, err, sizeof(err));
		/* logged once until it works again */
		if (z->verdict == NULL && !z->queue_failed)
			log_event(LOG_CRIT, "queue-failed", "queue=%d reason=%s "
			    "effect=new-crossings-refused retry=1s",
			    p->enforce.queue, lq(err));
		else if (z->verdict != NULL && z->queue_failed)
			log_event(LOG_NOTICE, "queue-bound-again", "queue=%d",
			    p->enforce.queue);
		z->queue_failed = z->verdict == NULL;
	}
	verdict_policy(z->verdict, z->pol, z->cls);
	if (z->queue_failed != event_timer_armed(z->queue_timer))
		event_timer_arm(z->queue_timer, z->queue_failed ?
		    QUEUE_RETRY_MS : 0, QUEUE_RETRY_MS);
}

static void
on_queue_retry(int fd, uint32_t what, void *arg)
{
	(void)fd;
	(void)what;
	queue_sync(arg);
}

/* The expiry timer: the next flow to start or to expire re-applies the
 * table (one timer for both). */
static void
schedule_expiry(struct zoned *z)
{
	time_t now = time(NULL), next = 0;

	for (size_t i = 0; z->pol && i < z->pol->nflows; i++) {
		const struct flow *f = &z->pol->flows[i];
		if (f->has_expires && f->expires > now &&
		    (next == 0 || f->expires < next))
			next = f->expires;
		if (f->has_starts && f->starts > now &&
		    (next == 0 || f->starts < next))
			next = f->starts;
	}
	if (event_timer_at(z->expire_timer, next) < 0)
		log_warn("expiry timer");
}

/* The alert ring (the policy names its directory), the monitor, the
 * queue, the denied-traffic log, the neighbour pins, syslog's facility
 * and the timers: each is told of the newly installed policy. */
static void
serve(struct zoned *z)
{
	const struct policy *p = z->pol;
	int group = p ? p->log.nflog_group : POLICY_DEFAULT_NFLOG_GROUP;
	char err[256] = "";

	if (p)	/* first: what follows is logged with it */
		log_facility(p->log.facility);
	if (p != NULL && z->alerts == NULL &&
	    (z->alerts = alerts_new(p->monitor.evidence_dir,
	    p->monitor.evidence_max, (uint32_t)p->monitor.snaplen, err,
	    sizeof(err))) == NULL)
		log_warnx("no evidence files: %s", err);
	if (z->mon != NULL)
		monitor_policy(z->mon, p, z->cls);
	else if (p != NULL && p->monitor.enabled) {
		err[0] = '\0';
		/* at start, or coming back from failing closed */
		if ((z->mon = monitor_open(p, z->cls, z->alerts, err,
		    sizeof(err))) == NULL && err[0])
			log_warnx("no audit monitor: %s", err);
	}
	/* the ruleset queues new crossings from now on: read them at once */
	queue_sync(z);
	if (nflog_group(z->nflog) != group) {
		nflog_close(z->nflog);
		if ((z->nflog = nflog_open(group, err, sizeof(err))) == NULL)
			log_warnx("no denied-traffic log: %s", err);
	}
	if (z->neigh)
		neigh_sync(z->neigh, p);
	event_timer_arm(z->verify_timer, (uint64_t)(p ?
	    p->control.verify_interval : POLICY_DEFAULT_VERIFY_INTERVAL) *
	    1000, (uint64_t)(p ? p->control.verify_interval :
	    POLICY_DEFAULT_VERIFY_INTERVAL) * 1000);
	schedule_expiry(z);
}

/* Install a built state, tell every module, then free the old one (the
 * monitor judges the frames it holds with the old one first). */
static void
install(struct zoned *z, struct policy *p, struct classify *cls,
    struct nft_ir *ir, struct canon *expect, enum zoned_mode mode)
{
	struct policy *old_p = z->pol;
	struct classify *old_c = z->cls;

	nftgen_free(z->ir);
	canon_free(&z->expect);
	if (event_timer_armed(z->retry_timer))	/* nothing left to retry */
		event_timer_arm(z->retry_timer, 0, 0);
	z->retries = 0;
	z->pol = p;
	z->cls = cls;
	z->ir = ir;
	z->expect = *expect;
	z->mode = mode;
	z->verified = false;
	z->drift = 0;
	z->expiry_seen = time(NULL);
	serve(z);
	if (old_p != p)
		policy_free(old_p);
	if (old_c != cls)
		classify_free(old_c);
}

/* ---------------------------------------------------------------------
 * The journal of a load: entries written before the change is made,
 * taken back when it is not (see record.h)
 */

/* May this change be made when it cannot be recorded?  Start-up (the
 * gateway must have its table) and the daemon's own rollback (it puts
 * back what ran before) may; what an operator asks for may not. */
static bool
unrecorded_ok(const struct engine_req *req)
{
	return req->startup || (req->rollback && req->uid < 0);
}

static const char *
load_action(const struct engine_req *req)
{
	return req->rollback ? "policy-rolled-back" : req->confirm ?
	    "policy-pending" : "policy-loaded";
}

/* A policy that was judged and refused: nothing changed. */
static void
record_rejected(struct zoned *z, const struct engine_req *req,
    const char *file, const char *sha, const char *reason)
{
	record_now(z->rec, &(struct record_entry){ .action = "policy-rejected",
	    .uid = req->uid, .before = z->sha256, .after = z->sha256,
	    .extra = json_pack("{s:s, s:s, s:s}", "file", file,
	    "rejected_sha256", sha, "why", req->why), .reason = reason });
}

/* What a load records before it is applied: the text kept under its
 * SHA-256, the confirmation state, the entry of the load and one for each
 * isolated zone the policy lacks.  0, or -1 with r->err and nothing
 * recorded (the load must not go ahead). */
static int
record_load(struct zoned *z, const struct engine_req *req, const char *file,
    const struct policy *p, const char *sha, const char *text, size_t len,
    struct record_mark *m, const char **dropped, size_t ndropped,
    struct load_result *r)
{
	char err[512];

	record_mark(z->rec, m);
	if (record_store(z->rec, sha, text, len, err, sizeof(err)) < 0) {
		if (!unrecorded_ok(req))
			goto refuse;
		log_event(LOG_CRIT, "journal-failed", "error=%s change=made",
		    lq(err));
	}
	if (req->confirm && confirm_begin(z->confirm, sha, z->sha256,
	    req->confirm, req->uid, err, sizeof(err)) < 0)
		goto refuse;
	/* at start the start entry says it, once installed */
	if (!req->startup && record_add(z->rec, &(struct record_entry){ .action =
	    load_action(req), .uid = req->uid, .before = z->sha256, .after =
	    sha, .flows = journal_flows(z->pol, p), .extra = req->confirm ?
	    json_pack("{s:s, s:I}", "file", file, "confirm_seconds",
	    (json_int_t)req->confirm) : json_pack("{s:s}", "file", file),
	    .reason = req->rollback ? req->why : NULL }, err,
	    sizeof(err)) < 0)
		goto unrecorded;
	for (size_t i = 0; i < ndropped; i++)
		if (record_add(z->rec, &(struct record_entry){ .action =
		    "zone-restored", .uid = req->uid, .before = sha, .after =
		    sha, .extra = isolate_zone_json(z->iso, dropped[i]),
		    .reason = "the policy has no such zone" }, err,
		    sizeof(err)) < 0)
			goto unrecorded;
	return 0;
unrecorded:
	record_undo(z->rec, m);
	if (unrecorded_ok(req)) {
		log_event(LOG_CRIT, "journal-failed", "action=%s error=%s "
		    "change=made", load_action(req), lq(err));
		return 0;
	}
	if (req->confirm)
		confirm_abort(z->confirm);
refuse:
	snprintf(r->err, sizeof(r->err), "%.480s; nothing was changed", err);
	return -1;
}

/* ---------------------------------------------------------------------
 * The one reload path
 */

/* The policy file: read, judged, recorded, built, applied, installed. */
static int
load_file(struct zoned *z, const struct engine_req *req, const char *file,
    struct load_result *r)
{
	struct policy *p = NULL;
	struct classify *cls = NULL;
	struct nft_ir *ir = NULL;
	struct canon expect;
	struct record_mark m;
	const char *dropped[64];
	size_t ndropped;
	struct timespec t0;
	char *text, sha[65], why[512], kind[400];
	size_t len;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r->code = CTL_FAILED;
	/* a regular file of bounded size, or a refusal at once: never a
	 * read that hangs the loop */
	if ((text = policyfile_read(file, &len, r->err, sizeof(r->err))) ==
	    NULL) {
		log_event(LOG_ERR, "policy-rejected", "file=%s reason=%s kept=%s",
		    lq(file), lq(r->err), z->mode == MODE_NONE ? "nothing" :
		    "running-policy");
		return -1;
	}
	journal_sha256(text, len, sha);
	if (req->startup && strcmp(file, z->conf) == 0 &&
	    confirm_refuses(z->confirm, sha, r->err, sizeof(r->err))) {
		free(text);
		return -1;	/* engine_start falls back to the last good */
	}
	if (conf_load_string(text, file, &p, &r->diag) < 0 || p == NULL) {
		diag_sort(&r->diag);
		snprintf(r->err, sizeof(r->err), "%s does not load", file);
		goto rejected;
	}
	lint_run(p, &r->diag, time(NULL));
	if (r->diag.nerrors > 0 || r->diag.oom) {
		snprintf(r->err, sizeof(r->err), "%s breaks %d rule%s", file,
		    r->diag.nerrors, r->diag.nerrors == 1 ? "" : "s");
		goto rejected;
	}
	if (!req->startup && restart_needed(&(struct restart_fixed){
	    .socket = z->sock_override ? NULL : z->ctl_socket,
	    .group = z->ctl_group }, z->pol, p, why, sizeof(why))) {
		r->code = CTL_RESTART;
		snprintf(r->err, sizeof(r->err), "restart required: %.450s", why);
		log_event(LOG_WARNING, "policy-rejected", "file=%s sha256=%s "
		    "reason=%s", lq(file), sha, lq(r->err));
		record_rejected(z, req, file, sha, r->err);
		goto fail;
	}
	if ((cls = classify_build(p, time(NULL), r->err, sizeof(r->err))) ==
	    NULL)
		goto rejected;
	ndropped = isolate_missing(z->iso, p, dropped, 64);
	if (record_load(z, req, file, p, sha, text, len, &m, dropped, ndropped,
	    r) < 0) {
		log_event(LOG_ERR, "policy-rejected", "file=%s sha256=%s "
		    "reason=%s kept=%s", lq(file), sha, lq(r->err),
		    z->mode == MODE_NONE ? "nothing" : "running-policy");
		goto fail;
	}
	if (build_apply(z, p, req->full, &ir, &expect, &r->kerr, r->err,
	    sizeof(r->err)) < 0) {
		record_undo(z->rec, &m);
		if (req->confirm)
			confirm_abort(z->confirm);
		log_kernel_errors(file, &r->kerr);
		log_event(LOG_ERR, "apply-failed", "file=%s sha256=%s reason=%s "
		    "kept=%s", lq(file), sha, lq(r->err),
		    z->mode == MODE_NONE ? "nothing" : "running-policy");
		record_rejected(z, req, file, sha, r->err);
		goto fail;
	}
	record_commit(z->rec, &m);
	z->reload_ms = ms_since(&t0);	/* reading the file to the last ACK */
	memcpy(z->sha256, sha, sizeof(sha));
	free(z->loaded_file);
	z->loaded_file = strdup(file);
	z->loaded_at = time(NULL);
	z->loaded_by = req->uid;
	z->fail_reason[0] = '\0';
	install(z, p, cls, ir, &expect, req->startup &&
	    strcmp(file, z->conf) != 0 ? MODE_LAST_GOOD : MODE_POLICY);
	isolate_drop(z->iso, dropped, ndropped);
	/* an unconfirmed policy never becomes the last good one */
	if (req->confirm)
		confirm_arm(z->confirm);
	else if (req->rollback)
		confirm_rolled_back(z->confirm, confirm_policy(z->confirm));
	else if (!req->startup && confirm_clear(z->confirm, why,
	    sizeof(why)) < 0)
		log_warnx("%s", why);
	if (z->mode == MODE_POLICY && !req->confirm)
		save_last_good(z, text, len);
	free(text);
	snprintf(why, sizeof(why), "%ld", req->uid);
	log_event(LOG_NOTICE, req->confirm ? "policy-pending" :
	    req->rollback ? "policy-rolled-back" : "policy-loaded",
	    "file=%s sha256=%s model=%s "
	    "zones=%zu flows=%zu warnings=%d uid=%s build_ms=%.1f "
	    "apply_ms=%.1f messages=%zu bytes=%zu reload_ms=%.1f %s%s",
	    lq(file), sha, policy_model_str(p->model), p->nzones, p->nflows,
	    r->diag.nwarnings, req->uid < 0 ? "-" : why, z->build_ms,
	    z->apply_ms, z->apply_msgs, z->apply_bytes, z->reload_ms,
	    apply_kind(z, kind, sizeof(kind)), req->confirm ?
	    " confirm=pending" : "");
	r->code = CTL_OK;
	return 0;
rejected:
	{
		const struct diag_finding *f = r->diag.n ? &r->diag.v[0] : NULL;
		char first[600] = "";
		if (f)
			snprintf(first, sizeof(first), "%s:%d: %s: %s", f->file,
			    f->line, f->id, f->message);
		log_event(LOG_ERR, "policy-rejected", "file=%s sha256=%s "
		    "errors=%d first=%s kept=%s", lq(file), sha,
		    r->diag.nerrors, lq(first[0] ? first : r->err),
		    z->mode == MODE_NONE ? "nothing" : "running-policy");
		record_rejected(z, req, file, sha, first[0] ? first : r->err);
	}
fail:
	classify_free(cls);
	policy_free(p);
	free(text);
	return -1;
}

/*
 * Applying the running policy again failed (the kernel, or memory, said
 * no): what it was for — an expired flow to close, a deleted table to
 * restore — must not wait for an operator, so it is tried again every
 * APPLY_RETRY_MS until it works.  Logged once; the success says how many
 * tries it took.
 */
static void
running_failed(struct zoned *z, const struct engine_req *req,
    const struct load_result *r)
{
	z->retries++;
	if (event_timer_armed(z->retry_timer)) {
		log_debug("applying again (%s) failed again: %s", z->retry_why,
		    r->err);
		return;
	}
	log_kernel_errors(z->loaded_file ? z->loaded_file : "-", &r->kerr);
	log_event(LOG_ERR, "apply-failed", "reason=%s why=%s kept=%s "
	    "retry_ms=%d", lq(r->err), req->why, z->mode == MODE_NONE ?
	    "nothing" : "running-table", APPLY_RETRY_MS);
	snprintf(z->retry_why, sizeof(z->retry_why), "%s", req->why);
	event_timer_arm(z->retry_timer, APPLY_RETRY_MS, APPLY_RETRY_MS);
}

static void
on_retry(int fd, uint32_t what, void *arg)
{
	struct zoned *z = arg;
	char why[sizeof(z->retry_why)];

	(void)fd;
	(void)what;
	memcpy(why, z->retry_why, sizeof(why));
	engine_run(z, ENGINE_RUNNING, why);
}

/* The running policy again: a flow expired (its classifier changes with
 * the time), or the table went missing. */
static int
load_running(struct zoned *z, const struct engine_req *req,
    struct load_result *r)
{
	struct classify *cls = NULL;
	struct nft_ir *ir;
	struct canon expect;
	struct record_mark m;
	/* the expiry timer: flows expired, or staged flows started */
	bool timed = strcmp(req->why, "flow-expired") == 0 ||
	    strcmp(req->why, "flow-started") == 0;
	bool missing = strcmp(req->why, "table-missing") == 0;
	char err[512];
	char kind[400];
	unsigned tries = z->retries;

	r->code = CTL_FAILED;
	if (z->pol != NULL && (cls = classify_build(z->pol, time(NULL),
	    r->err, sizeof(r->err))) == NULL) {
		running_failed(z, req, r);
		return -1;
	}
	/* the daemon's own: made even when it cannot be recorded, since
	 * it closes the gateway (an expiry) or restores its table */
	record_mark(z->rec, &m);
	if (record_add(z->rec, &(struct record_entry){ .action = missing ?
	    "drift-repaired" : req->why, .uid = req->uid, .before = z->sha256,
	    .after = z->sha256, .flows = timed ? journal_expired(z->pol,
	    z->expiry_seen, time(NULL)) : NULL, .reason = missing ?
	    "table inet zoned was missing (deleted by hand?): applied again" :
	    NULL }, err, sizeof(err)) < 0)
		log_event(LOG_CRIT, "journal-failed", "action=%s error=%s "
		    "change=made", req->why, lq(err));
	if (build_apply(z, z->pol, req->full, &ir, &expect, &r->kerr, r->err,
	    sizeof(r->err)) < 0) {
		record_undo(z->rec, &m);
		running_failed(z, req, r);
		classify_free(cls);
		return -1;
	}
	record_commit(z->rec, &m);
	install(z, z->pol, cls, ir, &expect, z->mode);
	if (tries > 0)
		log_event(LOG_NOTICE, "reapplied", "why=%s after=%u-failures "
		    "build_ms=%.1f apply_ms=%.1f messages=%zu %s", req->why,
		    tries, z->build_ms, z->apply_ms, z->apply_msgs,
		    apply_kind(z, kind, sizeof(kind)));
	else
		log_event(LOG_NOTICE, "reapplied", "why=%s build_ms=%.1f "
		    "apply_ms=%.1f messages=%zu %s", req->why, z->build_ms,
		    z->apply_ms, z->apply_msgs, apply_kind(z, kind,
		    sizeof(kind)));
	r->code = CTL_OK;
	return 0;
}

/* Nothing loads: a table that denies every crossing. */
static int
load_deny_all(struct zoned *z, const struct engine_req *req,
    struct load_result *r)
{
	struct nft_ir *ir;
	struct canon expect;

	r->code = CTL_FAILED;
	if (build_apply(z, NULL, true, &ir, &expect, &r->kerr, r->err,
	    sizeof(r->err)) < 0) {
		log_kernel_errors("(deny-all)", &r->kerr);
		log_event(LOG_CRIT, "apply-failed", "table=deny-all reason=%s",
		    lq(r->err));
		return -1;
	}
	snprintf(z->fail_reason, sizeof(z->fail_reason), "%s", req->why);
	z->sha256[0] = '\0';
	free(z->loaded_file);
	z->loaded_file = NULL;
	z->loaded_at = time(NULL);
	z->loaded_by = -1;
	install(z, NULL, NULL, ir, &expect, MODE_FAIL_CLOSED);
	log_event(LOG_CRIT, "fail-closed", "reason=%s", lq(req->why));
	r->code = CTL_OK;
	return 0;
}

int
engine_reload(struct zoned *z, const struct engine_req *req,
    struct load_result *r)
{
	const char *file = req->file ? req->file : z->conf;
	int rc = -1;

	switch (req->source) {
	case ENGINE_FILE:
		if (!req->startup && !req->rollback && confirm_state(z->confirm) ==
		    CONFIRM_PENDING) {
			r->code = CTL_FAILED;
			snprintf(r->err, sizeof(r->err), "policy %.12s awaits "
			    "confirmation (%lds left): zonectl confirm or zonectl "
			    "rollback first", confirm_policy(z->confirm),
			    confirm_left(z->confirm));
			log_event(LOG_WARNING, "policy-rejected", "file=%s "
			    "reason=%s", lq(file), lq(r->err));
			return -1;
		}
		if (req->confirm && z->pol == NULL) {
			r->code = CTL_FAILED;
			snprintf(r->err, sizeof(r->err), "no policy runs (zoned "
			    "is failing closed), so there is nothing to roll "
			    "back to: load it without --confirm");
			return -1;
		}
		rc = load_file(z, req, file, r);
		if (!req->startup) {
			z->reload_at = time(NULL);
			z->reload_ok = rc == 0;
			if (rc == 0)
				snprintf(z->reload_msg, sizeof(z->reload_msg),
				    "loaded %s", file);
			else
				snprintf(z->reload_msg, sizeof(z->reload_msg),
				    "%s", r->err);
		}
		break;
	case ENGINE_RUNNING:
		rc = load_running(z, req, r);
		break;
	case ENGINE_DENY_ALL:
		rc = load_deny_all(z, req, r);
		break;
	}
	return rc;
}

int
engine_run(struct zoned *z, enum engine_source source, const char *why)
{
	struct engine_req req = { .source = source, .uid = -1, .why = why };
	struct load_result r;
	int rc;

	load_result_init(&r);
	rc = engine_reload(z, &req, &r);
	load_result_free(&r);
	return rc;
}

/* ---------------------------------------------------------------------
 * One node of a pair
 */

/*
 * Make the standby set of p's table say what the HA state says, in one set
 * update.  An incremental load leaves the set's elements as they are (a
 * runtime set): it calls this too, so that a zone interface the reload
 * added is held on a standby node.  The commit moves the ruleset
 * generation: when nothing else committed meanwhile, zoned still knows
 * the table (txn.h), and the next reload need not read it.
 */
static int
ha_sync(struct zoned *z, const struct policy *p, char *err, size_t errlen)
{
	bool fwd = ha_forwarding(z->ha, p);
	const char **ifs = NULL;
	struct apply_errors kerr;
	struct nft_batch b;
	uint32_t g0 = 0, g1 = 0;
	char gerr[128];
	size_t n = 0;
	int rc;

	if (!policy_ha(p))
		return 0;
	/* standby: add every zone interface (an element already there is no
	 * error); master: delete without elements, which empties the set */
	if (!fwd) {
		for (size_t i = 0; i < p->nzones; i++)
			n += p->zones[i].nifaces;
		if ((ifs = calloc(n + 1, sizeof(*ifs))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		n = 0;
		for (size_t i = 0; i < p->nzones; i++)
			for (size_t j = 0; j < p->zones[i].nifaces; j++)
				ifs[n++] = p->zones[i].ifaces[j];
	}
	if (nftemit_set_elems(NFTGEN_HA_STANDBY, ifs, n, !fwd,
	    apply_next_seq(z->nl, 16), &b, err, errlen) < 0) {
		free(ifs);
		return -1;
	}
	free(ifs);
	if (z->kernel.known && apply_genid(z->nl, &g0, gerr,
	    sizeof(gerr)) < 0)
		g0 = 0;
	rc = apply_batch(z->nl, &b, NULL, &kerr, err, errlen);
	if (rc < 0 && kerr.n > 0)
		snprintf(err, errlen, "set %s: %s", NFTGEN_HA_STANDBY,
		    strerror(kerr.v[0].error));
	apply_errors_free(&kerr);
	nftemit_free(&b);
	if (rc == 0 && z->kernel.known) {
		if (g0 == z->kernel.genid && apply_genid(z->nl, &g1, gerr,
		    sizeof(gerr)) == 0 && g1 == g0 + 1)
			z->kernel.genid = g1;	/* ours alone */
		else
			z->kernel.known = false;
	}
	return rc;
}

int
engine_ha(struct zoned *z, char *err, size_t errlen)
{
	return ha_sync(z, z->pol, err, errlen);
}

/* ---------------------------------------------------------------------
 * Start
 */

/* A kept policy text, loaded (not judged: it ran once), NULL when it is
 * not kept or does not load. */
static struct policy *
stored_policy(struct zoned *z, const char *sha)
{
	char *path = record_stored(z->rec, sha), *text, err[256];
	struct policy *p = NULL;
	struct diag d;
	size_t len;

	if (path == NULL)
		return NULL;
	diag_init(&d);
	if ((text = policyfile_read(path, &len, err, sizeof(err))) != NULL &&
	    (conf_load_string(text, path, &p, &d) < 0 || d.nerrors > 0)) {
		policy_free(p);
		p = NULL;
	}
	diag_free(&d);
	free(text);
	free(path);
	return p;
}

/* The flows from the kept policy sha to the running one. */
static json_t *
flows_since(struct zoned *z, const char *sha)
{
	struct policy *old;
	json_t *f;

	if (sha[0] && strcmp(sha, z->sha256) == 0)
		return journal_flows(z->pol, z->pol);
	old = sha[0] ? stored_policy(z, sha) : NULL;
	f = journal_flows(old, z->pol);
	policy_free(old);
	return f;
}

/*
 * The journal's entries of a start: a policy that awaited confirmation
 * when the daemon stopped was put back, then the start itself (or
 * fail-closed when nothing loaded), from what the last entry left
 * running to what runs now.  Written once the table is in place: a
 * gateway must not stay open because its disk is full.
 */
static void
record_start(struct zoned *z, const char *pending, const char *last)
{
	char before[JOURNAL_HASH_LEN + 1];
	json_t *iso = json_array(), *all = isolate_json(z->iso), *v;
	size_t i;

	if (pending[0]) {
		record_now(z->rec, &(struct record_entry){ .action =
		    "policy-rolled-back", .uid = -1, .before = pending,
		    .after = z->sha256, .flows = flows_since(z, pending),
		    .reason = "zoned restarted while the policy awaited "
		    "confirmation: the policy before it runs" });
		confirm_rolled_back(z->confirm, pending);
		log_event(LOG_WARNING, "policy-rolled-back", "policy=%s "
		    "running=%s why=%s", pending, z->sha256[0] ? z->sha256 :
		    "-", lq("restart during the confirmation window"));
	}
	json_array_foreach(all, i, v)
		json_array_append(iso, json_object_get(v, "zone"));
	json_decref(all);
	snprintf(before, sizeof(before), "%s", record_last_policy(z->rec));
	record_now(z->rec, &(struct record_entry){ .action = z->mode ==
	    MODE_FAIL_CLOSED ? "fail-closed" : "start", .uid = -1,
	    .before = before, .after = z->sha256, .flows = flows_since(z,
	    before), .extra = json_pack("{s:s, s:o, s:s, s:o}", "mode",
	    z->mode == MODE_POLICY ? "policy" : z->mode == MODE_LAST_GOOD ?
	    "last-good" : "fail-closed", "file", z->loaded_file ?
	    json_string(z->loaded_file) : json_null(), "previous_run",
	    last[0] == '\0' ? "none" : strcmp(last, "stop") == 0 ? "stopped" :
	    "ended without a stop entry (killed or crashed)", "isolated", iso),
	    .reason = z->fail_reason[0] ? z->fail_reason : NULL });
}

/* Does the kernel have nft_queue?  A batch that is checked, never
 * committed, with one queue rule in a table of its own, says. */
void
engine_probe_queue(struct zoned *z)
{
	struct apply_errors kerr;
	struct nft_batch b;
	char err[256];

	z->queue_native = false;
	if (nftemit_probe_queue(apply_next_seq(z->nl, 16), &b, err,
	    sizeof(err)) < 0)
		return;
	z->queue_native = apply_batch(z->nl, &b, NULL, &kerr, err,
	    sizeof(err)) == 0;
	apply_errors_free(&kerr);
	nftemit_free(&b);
	log_debug("NFQUEUE through %s", z->queue_native ? "nft_queue" :
	    "the xtables NFQUEUE target (nft_compat)");
}

int
engine_start(struct zoned *z)
{
	struct engine_req req = { .source = ENGINE_FILE, .uid = -1,
	    .why = "start", .startup = true };
	struct load_result r;
	char *lg = last_good_path(z);
	char reason[600], pending[JOURNAL_HASH_LEN + 1] = "", last[32];
	int rc;

	/* what the journal knew of the last run, before this one adds */
	snprintf(last, sizeof(last), "%s", record_last_action(z->rec));
	if (confirm_state(z->confirm) == CONFIRM_PENDING)
		snprintf(pending, sizeof(pending), "%s",
		    confirm_policy(z->confirm));
	engine_probe_queue(z);
	load_result_init(&r);
	rc = engine_reload(z, &req, &r);
	snprintf(reason, sizeof(reason), "%s", r.err);
	load_result_free(&r);
	if (rc == 0)
		goto out;
	if (lg && access(lg, R_OK) == 0) {
		log_event(LOG_WARNING, "policy-fallback", "file=%s reason=%s",
		    lq(lg), lq(reason));
		req.file = lg;
		load_result_init(&r);
		rc = engine_reload(z, &req, &r);
		load_result_free(&r);
		if (rc == 0) {
			snprintf(z->fail_reason, sizeof(z->fail_reason),
			    "%.200s failed: %.280s", z->conf, reason);
			goto out;
		}
	}
	req = (struct engine_req){ .source = ENGINE_DENY_ALL, .uid = -1,
	    .why = reason, .startup = true };
	load_result_init(&r);
	rc = engine_reload(z, &req, &r);
	load_result_free(&r);
out:
	free(lg);
	if (rc == 0)
		record_start(z, pending, last);
	return rc;
}

/* ---------------------------------------------------------------------
 * Verify
 */

static void
diff_cb(char sign, const char *line, void *arg)
{
	struct canon *out = arg;
	char **v;

	if (out == NULL)
		return;
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 32;
		if ((v = realloc(out->v, cap * sizeof(*v))) == NULL)
			return;
		out->v = v;
		out->cap = cap;
	}
	if (asprintf(&out->v[out->n], "%c %s", sign, line) >= 0)
		out->n++;
}

int
engine_verify(struct zoned *z, struct canon *diffs, bool timer)
{
	struct canon got;
	char err[256];
	uint32_t g0 = 0, g1 = 0;
	size_t n;
	int rc, iso;

	if (apply_genid(z->nl, &g0, err, sizeof(err)) < 0)
		g0 = 0;
	/*
	 * The timer, once the table was read since the last install: when
	 * nothing committed since it matched (or since zoned's own commit),
	 * it cannot have changed.  Reading 100,000 flows' table takes the
	 * kernel seconds (its dumps start from the first object for every
	 * 32 KiB); zonectl verify always reads it.
	 */
	if (timer && z->verified && z->drift == 0 && z->kernel.known &&
	    g0 != 0 && g0 == z->kernel.genid) {
		z->verified_at = time(NULL);
		return 0;
	}
	canon_init(&got);
	rc = apply_dump(z->nl, &got, err, sizeof(err));
	if (rc < 0) {
		canon_free(&got);
		log_warnx("verify: %s", err);
		return -1;
	}
	z->verified = true;
	z->verified_at = time(NULL);
	if (rc == 1) {
		canon_free(&got);
		log_event(LOG_ALERT, "drift", "table=missing action=reapplied "
		    "by=%s", timer ? "timer" : "verify");
		if (diffs)
			diff_cb('-', "table inet zoned (missing)", diffs);
		z->kernel_match = engine_run(z, ENGINE_RUNNING,
		    "table-missing") == 0;
		/* repaired: the table is the policy's again (journaled as
		 * drift-repaired, not as a drift that cleared later) */
		z->drift = z->kernel_match ? 0 : 1;
		return 1;
	}
	canon_sort(&got);
	n = canon_diff(&z->expect, &got, diff_cb, diffs);
	/* the isolated set, against the isolation rather than the policy */
	if ((iso = isolate_verify(z->iso, z->nl, z->pol, diff_cb, diffs)) > 0)
		n += (size_t)iso;
	if (n > 0 && (n != z->drift || !timer)) {
		char first[300] = "";
		struct canon one;
		canon_init(&one);
		canon_diff(&z->expect, &got, diff_cb, &one);
		isolate_verify(z->iso, z->nl, z->pol, diff_cb, &one);
		if (one.n)
			snprintf(first, sizeof(first), "%s", one.v[0]);
		log_event(LOG_ALERT, "drift", "table=changed differences=%zu "
		    "first=%s by=%s", n, lq(first), timer ? "timer" : "verify");
		if (n != z->drift)	/* a drift is journaled once */
			record_now(z->rec, &(struct record_entry){ .action =
			    "drift", .uid = -1, .before = z->sha256, .after =
			    z->sha256, .extra = json_pack("{s:I, s:s}",
			    "differences", (json_int_t)n, "first", first),
			    .reason = "the kernel's table differs from the "
			    "policy (changed by hand?); reported, not repaired" });
		canon_free(&one);
	} else if (n == 0 && z->drift > 0) {
		log_event(LOG_NOTICE, "drift-cleared", "by=%s", timer ?
		    "timer" : "verify");
		record_now(z->rec, &(struct record_entry){ .action = "drift",
		    .uid = -1, .before = z->sha256, .after = z->sha256,
		    .extra = json_pack("{s:i}", "differences", 0),
		    .reason = "the kernel's table matches the policy again" });
	}
	z->drift = n;
	z->kernel_match = n == 0;
	canon_free(&got);
	/* the table is what zoned installed at this generation, when
	 * nothing committed while it was read: the next reload need not
	 * read it again */
	if (n == 0 && g0 != 0 && apply_genid(z->nl, &g1, err, sizeof(err)) ==
	    0 && g1 == g0) {
		z->kernel.genid = g0;
		z->kernel.known = true;
	} else if (n > 0)
		z->kernel.known = false;
	return (int)n;
}

/* ---------------------------------------------------------------------
 * Commit-confirm (the state and its timer are confirm.c's)
 */

int
engine_confirm(struct zoned *z, long uid, char *err, size_t errlen)
{
	char sha[JOURNAL_HASH_LEN + 1], prev[JOURNAL_HASH_LEN + 1], *path,
	    *text = NULL, e2[256];
	struct record_mark m;
	size_t len = 0;
	long left = confirm_left(z->confirm);

	if (confirm_state(z->confirm) != CONFIRM_PENDING) {
		snprintf(err, errlen, "no policy awaits confirmation");
		return CTL_FAILED;
	}
	snprintf(sha, sizeof(sha), "%s", confirm_policy(z->confirm));
	snprintf(prev, sizeof(prev), "%s", confirm_previous(z->confirm));
	if ((path = record_stored(z->rec, sha)) == NULL ||
	    (text = policyfile_read(path, &len, e2, sizeof(e2))) == NULL) {
		snprintf(err, errlen, "the text of policy %.12s is not kept "
		    "(%s): it cannot become the last good one", sha, path ? e2 :
		    "no journal");
		free(path);
		return CTL_INTERNAL;
	}
	free(path);
	record_mark(z->rec, &m);
	if (record_add(z->rec, &(struct record_entry){ .action =
	    "policy-confirmed", .uid = uid, .before = prev, .after = sha,
	    .extra = json_pack("{s:I}", "seconds_left", (json_int_t)left) },
	    err, errlen) < 0) {
		snprintf(err + strlen(err), errlen - strlen(err), "; not "
		    "confirmed (it is rolled back in %lds)", left);
		free(text);
		return CTL_FAILED;
	}
	if (save_last_good(z, text, len) < 0) {
		record_undo(z->rec, &m);
		snprintf(err, errlen, "cannot keep %.12s as the last good "
		    "policy (see the log); not confirmed (it is rolled back in "
		    "%lds)", sha, left);
		free(text);
		return CTL_FAILED;
	}
	free(text);
	/* the last good one is this policy now: a state file left behind
	 * would only put it back at start */
	if (confirm_clear(z->confirm, e2, sizeof(e2)) < 0)
		log_warnx("%s", e2);
	record_commit(z->rec, &m);
	log_event(LOG_NOTICE, "policy-confirmed", "sha256=%s uid=%ld "
	    "seconds_left=%ld", sha, uid, left);
	return CTL_OK;
}

int
engine_rollback(struct zoned *z, long uid, const char *why,
    struct load_result *r)
{
	struct engine_req req = { .source = ENGINE_FILE, .uid = uid,
	    .why = why, .rollback = true };
	char *path;
	int rc;

	if (confirm_state(z->confirm) != CONFIRM_PENDING) {
		r->code = CTL_FAILED;
		snprintf(r->err, sizeof(r->err), "no policy awaits "
		    "confirmation");
		return -1;
	}
	/* what ran before: its text as kept, else the last good one (an
	 * unconfirmed policy never becomes that) */
	if ((path = record_stored(z->rec, confirm_previous(z->confirm))) ==
	    NULL)
		path = last_good_path(z);
	req.file = path;
	rc = engine_reload(z, &req, r);
	free(path);
	return rc;
}

void
engine_record_stop(struct zoned *z)
{
	record_now(z->rec, &(struct record_entry){ .action = "stop",
	    .uid = -1, .before = z->sha256, .after = z->sha256,
	    .extra = json_pack("{s:s}", "ruleset", "kept"),
	    .reason = "zoned stopped; the kernel keeps its table, no flow "
	    "expires and nothing is verified until it starts again" });
}

/* ---------------------------------------------------------------------
 * Timers
 */

static void
on_verify(int fd, uint32_t what, void *arg)
{
	(void)fd;
	(void)what;
	engine_verify(arg, NULL, true);
}

static void
on_expire(int fd, uint32_t what, void *arg)
{
	struct zoned *z = arg;
	time_t now = time(NULL);
	bool started = false;

	(void)fd;
	(void)what;
	/* event.c has waited for time() to show the second the timer fired
	 * for (it reads the coarse clock, which may lag the timer's) */
	for (size_t i = 0; z->pol && i < z->pol->nflows; i++) {
		const struct flow *f = &z->pol->flows[i];
		if (f->has_expires && f->expires <= now &&
		    f->expires > now - 5)
			log_event(LOG_NOTICE, "flow-expired", "flow=%s",
			    lq(f->name));
		if (f->has_starts && f->starts <= now && f->starts > now - 5 &&
		    !f->bad) {
			log_event(LOG_NOTICE, "flow-started", "flow=%s "
			    "approval=%s", lq(f->name), lq(f->approval ?
			    f->approval : "-"));
			started = true;
		}
	}
	engine_run(z, ENGINE_RUNNING, started ? "flow-started" :
	    "flow-expired");
}

static void
on_confirm_expired(void *arg)
{
	struct zoned *z = arg;
	struct load_result r;

	load_result_init(&r);
	if (engine_rollback(z, -1, "the confirmation window passed", &r) < 0)
		log_event(LOG_CRIT, "rollback-failed", "reason=%s running=%s",
		    lq(r.err), z->sha256);
	load_result_free(&r);
}

int
engine_init(struct zoned *z)
{
	char err[512];

	counters_init(&z->base);
	/* appliance state: read before the first table is built */
	if ((z->rec = record_open(z->state_dir, err, sizeof(err))) == NULL)
		log_event(LOG_CRIT, "journal-failed", "error=%s effect=%s",
		    lq(err), lq("changes through zonectl are refused"));
	if ((z->iso = isolate_open(z->state_dir, err, sizeof(err))) == NULL ||
	    (z->confirm = confirm_open(z->state_dir, on_confirm_expired, z,
	    err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return -1;
	}
	if ((z->verify_timer = event_timer(CLOCK_MONOTONIC, on_verify, z)) ==
	    NULL || (z->expire_timer = event_timer(CLOCK_REALTIME, on_expire,
	    z)) == NULL || (z->queue_timer = event_timer(CLOCK_MONOTONIC,
	    on_queue_retry, z)) == NULL || (z->retry_timer = event_timer(
	    CLOCK_MONOTONIC, on_retry, z)) == NULL)
		return -1;
	return 0;
}

void
engine_free(struct zoned *z)
{
	event_del(z->verify_timer);
	event_del(z->expire_timer);
	event_del(z->queue_timer);
	event_del(z->retry_timer);
	z->verify_timer = z->expire_timer = z->queue_timer = NULL;
	confirm_close(z->confirm);
	isolate_close(z->iso);
	record_close(z->rec);
	z->confirm = NULL;
	z->iso = NULL;
	z->rec = NULL;
	z->retry_timer = NULL;
	policy_free(z->pol);
	classify_free(z->cls);
	nftgen_free(z->ir);
	canon_free(&z->expect);
	z->pol = NULL;
	z->cls = NULL;
	z->ir = NULL;
	counters_free(&z->base);
	free(z->loaded_file);
	free(z->ctl_socket);
	free(z->ctl_group);
}
