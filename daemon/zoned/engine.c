/*
 * engine — what the daemon enforces: load a policy, judge it, turn it into
 * the kernel's table in one transaction, keep the last good one, fail
 * closed, verify the kernel against it.
 *
 * Nothing is replaced until everything has worked: a policy that fails lint,
 * the build or the kernel leaves the running policy and table as they were.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "conf.h"
#include "ctlproto.h"
#include "lint.h"
#include "log.h"
#include "monitor.h"
#include "nftemit.h"
#include "verdict.h"
#include "zoned.h"

#define SEQ_RESERVE (1u << 24)	/* sequence numbers a batch may use */

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
read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 65536);
			if (nb == NULL) {
				snprintf(err, errlen, "%s: out of memory", path);
				free(buf);
				fclose(fp);
				return NULL;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, fp);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void
sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		snprintf(out, 65, "?");
		return;
	}
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static char *
last_good_path(const struct zoned *z)
{
	char *p;

	if (asprintf(&p, "%s/last-good.conf", z->state_dir) < 0)
		return NULL;
	return p;
}

/* Keep the text of the policy that loaded: written whole, then renamed. */
static void
save_last_good(struct zoned *z, const char *text, size_t len)
{
	char *path = last_good_path(z), *tmp = NULL;
	int fd;

	if (path == NULL || asprintf(&tmp, "%s.tmp", path) < 0) {
		free(path);
		return;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0 ||
	    close(fd) < 0 || rename(tmp, path) < 0) {
		log_warnx("cannot keep the last good policy in %s: %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
	}
	free(tmp);
	free(path);
}

/* ---------------------------------------------------------------------
 * Counters carried over a replacement of the table
 */

static struct counter_total *
base_find(struct zoned *z, const char *name, bool create)
{
	for (size_t i = 0; i < z->nbase; i++)
		if (strcmp(z->base[i].name, name) == 0)
			return &z->base[i];
	if (!create)
		return NULL;
	struct counter_total *v = realloc(z->base,
	    (z->nbase + 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	z->base = v;
	memset(&v[z->nbase], 0, sizeof(v[0]));
	if ((v[z->nbase].name = strdup(name)) == NULL)
		return NULL;
	return &v[z->nbase++];
}

struct snapshot {
	struct counter_total *v;
	size_t n;
};

static void
snap_cb(const char *name, uint64_t pk, uint64_t by, void *arg)
{
	struct snapshot *s = arg;
	struct counter_total *v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (v == NULL)
		return;
	s->v = v;
	v[s->n].name = strdup(name);
	v[s->n].packets = pk;
	v[s->n].bytes = by;
	if (v[s->n].name)
		s->n++;
}

static void
snap_free(struct snapshot *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
}

/* After a successful replacement the new counters start at 0: add what the
 * old ones had counted to the totals. */
static void
carry_over(struct zoned *z, const struct snapshot *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct counter_total *t = base_find(z, s->v[i].name, true);
		if (t) {
			t->packets += s->v[i].packets;
			t->bytes += s->v[i].bytes;
		}
	}
}

struct total_ctx {
	struct zoned *z;
	void (*fn)(const char *, uint64_t, uint64_t, void *);
	void *arg;
};

static void
total_cb(const char *name, uint64_t pk, uint64_t by, void *arg)
{
	struct total_ctx *t = arg;
	struct counter_total *b = base_find(t->z, name, false);

	t->fn(name, pk + (b ? b->packets : 0), by + (b ? b->bytes : 0), t->arg);
}

int
engine_counters(struct zoned *z,
    void (*fn)(const char *, uint64_t, uint64_t, void *), void *arg,
    char *err, size_t errlen)
{
	struct total_ctx t = { z, fn, arg };

	return apply_counters(z->nl, total_cb, &t, err, errlen);
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

/*
 * Build the table for p (NULL: deny every crossing) and replace the
 * kernel's in one transaction.  On success *irp and *expect hold what was
 * applied; on failure nothing changed.
 */
static int
build_apply(struct zoned *z, const struct policy *p, struct nft_ir **irp,
    struct canon *expect, struct apply_errors *kerr, char *err, size_t errlen)
{
	struct nftgen_opts o = {
		.now = time(NULL),
		.isolated = (const char *const *)z->isolated,
		.nisolated = z->nisolated,
		.deny_all = p == NULL,
		.queue_compat = !z->queue_native,
	};
	struct snapshot snap = { 0 };
	struct nft_batch b;
	struct nft_ir *ir;
	struct timespec t0;
	char cerr[256];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(kerr, 0, sizeof(*kerr));
	if ((ir = nftgen_build(p, &o, err, errlen)) == NULL)
		return -1;
	if (nftemit_batch(ir, apply_next_seq(z->nl, SEQ_RESERVE), true, &b,
	    err, errlen) < 0) {
		nftgen_free(ir);
		return -1;
	}
	canon_init(expect);
	if (canon_batch(expect, &b) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	canon_sort(expect);
	/* counters of the table about to go (none on a first start) */
	if (apply_counters(z->nl, snap_cb, &snap, cerr, sizeof(cerr)) < 0)
		log_debug("no counters to carry over: %s", cerr);
	z->build_ms = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (apply_batch(z->nl, &b, ir, kerr, err, errlen) < 0) {
		if (kerr->n > 0)
			snprintf(err, errlen, "the kernel refused the ruleset "
			    "(%zu error%s)", kerr->n, kerr->n == 1 ? "" : "s");
		goto fail;
	}
	z->apply_ms = ms_since(&t0);
	z->apply_msgs = b.nmsgs;
	z->apply_bytes = b.len;
	carry_over(z, &snap);
	snap_free(&snap);
	nftemit_free(&b);
	*irp = ir;
	return 0;
fail:
	snap_free(&snap);
	canon_free(expect);
	nftemit_free(&b);
	nftgen_free(ir);
	return -1;
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

/* Install a built state and free the old one.  The monitor switches to the
 * new classifier first: it judges what it holds with the old one. */
static void
install(struct zoned *z, struct policy *p, struct classify *cls,
    struct nft_ir *ir, struct canon *expect, enum zoned_mode mode)
{
	struct policy *old_p = z->pol;
	struct classify *old_c = z->cls;

	if (p != NULL && cls != NULL)
		monitor_policy(z->mon, p, cls);
	verdict_links(z->verdict);	/* zones of interfaces, anew */
	policy_free(old_p);
	classify_free(old_c);
	nftgen_free(z->ir);
	canon_free(&z->expect);
	z->pol = p;
	z->cls = cls;
	z->ir = ir;
	z->expect = *expect;
	z->mode = mode;
	z->verified = false;
	z->drift = 0;
}

static char *
ifaces_key(const struct policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	const char **v;
	size_t n = 0, cap = 0;

	if (fp == NULL)
		return NULL;
	for (size_t i = 0; i < p->nzones; i++)
		cap += p->zones[i].nifaces;
	v = calloc(cap + 1, sizeof(*v));
	for (size_t i = 0; v && i < p->nzones; i++)
		for (size_t j = 0; j < p->zones[i].nifaces; j++)
			v[n++] = p->zones[i].ifaces[j];
	for (size_t i = 1; v && i < n; i++)	/* sort: small lists */
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			const char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (size_t i = 0; v && i < n; i++)
		fprintf(fp, "%s ", v[i]);
	free(v);
	fclose(fp);
	return buf;
}

/* The monitor's settings size its tables and files when it starts. */
static bool
monitor_settings_differ(const struct policy_monitor *a,
    const struct policy_monitor *b, char *why, size_t len)
{
	const char *key = NULL;
	long long x = 0, y = 0;

#define DIFF(field, name)						\
	if (key == NULL && a->field != b->field) {			\
		key = name;						\
		x = (long long)a->field;				\
		y = (long long)b->field;				\
	}
	DIFF(enabled, "monitor.enabled")
	DIFF(snaplen, "monitor.snaplen")
	DIFF(flow_table, "monitor.flow_table")
	DIFF(flood_pps, "monitor.flood")
	DIFF(scan_ports, "monitor.scan.ports")
	DIFF(scan_hosts, "monitor.scan.hosts")
	DIFF(scan_window, "monitor.scan.window")
	DIFF(evidence_max, "monitor.evidence.max_bytes")
#undef DIFF
	if (key != NULL) {
		snprintf(why, len, "%s changes from %lld to %lld (the "
		    "monitor's settings take effect at start)", key, x, y);
		return true;
	}
	if (strcmp(a->evidence_dir, b->evidence_dir) != 0) {
		snprintf(why, len, "monitor.evidence.directory changes from "
		    "%s to %s (the monitor's settings take effect at start)",
		    a->evidence_dir, b->evidence_dir);
		return true;
	}
	return false;
}

/* A reload may not move the control socket, its group or the interfaces,
 * nor change the monitor's settings (monitors and the socket are set up
 * once, before privileges drop). */
static bool
needs_restart(const struct zoned *z, const struct policy *p, char *why,
    size_t len)
{
	char *a, *b;
	bool differ;

	if (z->sock_override == NULL && z->ctl_socket &&
	    strcmp(z->ctl_socket, p->control.socket) != 0) {
		snprintf(why, len, "control.socket changes from %s to %s",
		    z->ctl_socket, p->control.socket);
		return true;
	}
	if (z->ctl_group && strcmp(z->ctl_group, p->control.group) != 0) {
		snprintf(why, len, "control.group changes from %s to %s",
		    z->ctl_group, p->control.group);
		return true;
	}
	if (z->pol == NULL)
		return false;
	if (monitor_settings_differ(&z->pol->monitor, &p->monitor, why, len))
		return true;
	a = ifaces_key(z->pol);
	b = ifaces_key(p);
	differ = a && b && strcmp(a, b) != 0;
	if (differ)
		snprintf(why, len, "the set of zone interfaces changes "
		    "(%s-> %s)", a, b);
	free(a);
	free(b);
	return differ;
}

int
engine_load(struct zoned *z, const char *file, long uid, bool startup,
    struct load_result *r)
{
	struct policy *p = NULL;
	struct classify *cls = NULL;
	struct nft_ir *ir = NULL;
	struct canon expect;
	char *text, sha[65], why[512];
	size_t len;

	r->code = CTL_FAILED;
	if ((text = read_file(file, &len, r->err, sizeof(r->err))) == NULL) {
		log_event(LOG_ERR, "policy-rejected", "file=%s reason=%s",
		    lq(file), lq(r->err));
		return -1;
	}
	sha256_hex(text, len, sha);
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
	if (!startup && needs_restart(z, p, why, sizeof(why))) {
		r->code = CTL_RESTART;
		snprintf(r->err, sizeof(r->err), "restart required: %.450s", why);
		log_event(LOG_WARNING, "policy-rejected", "file=%s sha256=%s "
		    "reason=%s", lq(file), sha, lq(r->err));
		goto fail;
	}
	if ((cls = classify_build(p, time(NULL), r->err, sizeof(r->err))) ==
	    NULL)
		goto rejected;
	if (build_apply(z, p, &ir, &expect, &r->kerr, r->err,
	    sizeof(r->err)) < 0) {
		log_kernel_errors(file, &r->kerr);
		log_event(LOG_ERR, "apply-failed", "file=%s sha256=%s reason=%s "
		    "kept=%s", lq(file), sha, lq(r->err),
		    z->mode == MODE_NONE ? "nothing" : "running-policy");
		goto fail;
	}
	install(z, p, cls, ir, &expect, startup && strcmp(file, z->conf) != 0 ?
	    MODE_LAST_GOOD : MODE_POLICY);
	memcpy(z->sha256, sha, sizeof(sha));
	free(z->loaded_file);
	z->loaded_file = strdup(file);
	z->loaded_at = time(NULL);
	z->loaded_by = uid;
	z->fail_reason[0] = '\0';
	if (z->mode == MODE_POLICY)
		save_last_good(z, text, len);
	free(text);
	log_facility(p->log.facility);
	if (z->neigh)
		neigh_sync(z->neigh, p);
	engine_schedule_expiry(z);
	snprintf(why, sizeof(why), "%ld", uid);
	log_event(LOG_NOTICE, "policy-loaded", "file=%s sha256=%s model=%s "
	    "zones=%zu flows=%zu warnings=%d uid=%s build_ms=%.1f "
	    "apply_ms=%.1f messages=%zu bytes=%zu", lq(file), sha,
	    policy_model_str(p->model), p->nzones, p->nflows,
	    r->diag.nwarnings, uid < 0 ? "-" : why, z->build_ms, z->apply_ms,
	    z->apply_msgs, z->apply_bytes);
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
	}
fail:
	classify_free(cls);
	policy_free(p);
	free(text);
	return -1;
}

int
engine_fail_closed(struct zoned *z, const char *reason)
{
	struct apply_errors kerr;
	struct nft_ir *ir;
	struct canon expect;
	char err[512];

	if (build_apply(z, NULL, &ir, &expect, &kerr, err, sizeof(err)) < 0) {
		log_kernel_errors("(deny-all)", &kerr);
		apply_errors_free(&kerr);
		log_event(LOG_CRIT, "apply-failed", "table=deny-all reason=%s",
		    lq(err));
		return -1;
	}
	install(z, NULL, NULL, ir, &expect, MODE_FAIL_CLOSED);
	snprintf(z->fail_reason, sizeof(z->fail_reason), "%s", reason);
	z->sha256[0] = '\0';
	free(z->loaded_file);
	z->loaded_file = NULL;
	z->loaded_at = time(NULL);
	z->loaded_by = -1;
	log_event(LOG_CRIT, "fail-closed", "reason=%s", lq(reason));
	return 0;
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
	struct load_result r;
	char *lg = last_good_path(z);
	char reason[600];

	engine_probe_queue(z);
	load_result_init(&r);
	if (engine_load(z, z->conf, -1, true, &r) == 0) {
		load_result_free(&r);
		free(lg);
		return 0;
	}
	snprintf(reason, sizeof(reason), "%s", r.err);
	load_result_free(&r);
	if (lg && access(lg, R_OK) == 0) {
		load_result_init(&r);
		log_event(LOG_WARNING, "policy-fallback", "file=%s reason=%s",
		    lq(lg), lq(reason));
		if (engine_load(z, lg, -1, true, &r) == 0) {
			snprintf(z->fail_reason, sizeof(z->fail_reason),
			    "%.200s failed: %.280s", z->conf, reason);
			load_result_free(&r);
			free(lg);
			return 0;
		}
		load_result_free(&r);
	}
	free(lg);
	return engine_fail_closed(z, reason);
}

int
engine_reapply(struct zoned *z, const char *why)
{
	struct apply_errors kerr;
	struct nft_ir *ir;
	struct canon expect;
	char err[512];

	if (build_apply(z, z->pol, &ir, &expect, &kerr, err,
	    sizeof(err)) < 0) {
		log_kernel_errors(z->loaded_file ? z->loaded_file : "-", &kerr);
		apply_errors_free(&kerr);
		log_event(LOG_ERR, "apply-failed", "reason=%s why=%s", lq(err),
		    why);
		return -1;
	}
	nftgen_free(z->ir);
	canon_free(&z->expect);
	z->ir = ir;
	z->expect = expect;
	z->verified = false;
	if (z->pol) {
		struct classify *c = classify_build(z->pol, time(NULL), err,
		    sizeof(err));
		if (c != NULL) {
			monitor_policy(z->mon, z->pol, c);
			classify_free(z->cls);
			z->cls = c;
		}
	}
	engine_schedule_expiry(z);
	log_event(LOG_NOTICE, "reapplied", "why=%s", why);
	return 0;
}

/* ---------------------------------------------------------------------
 * Expiry: the next flow to expire re-applies the table without it
 */

void
engine_schedule_expiry(struct zoned *z)
{
	struct itimerspec its = { 0 };
	time_t now = time(NULL), next = 0;

	for (size_t i = 0; z->pol && i < z->pol->nflows; i++) {
		const struct flow *f = &z->pol->flows[i];
		if (f->has_expires && f->expires > now &&
		    (next == 0 || f->expires < next))
			next = f->expires;
	}
	its.it_value.tv_sec = next;	/* 0 disarms */
	if (timerfd_settime(z->expire_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		log_warnx("expiry timer: %s", strerror(errno));
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

/*
 * Compare the kernel's table with what we applied.  Returns the number of
 * differences (0: it matches), -1 when the kernel cannot be read.  A table
 * that is gone is applied again at once, and counted as one difference.
 */
int
engine_verify(struct zoned *z, struct canon *diffs, bool timer)
{
	struct canon got;
	char err[256];
	size_t n;
	int rc;

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
		z->kernel_match = engine_reapply(z, "table-missing") == 0;
		z->drift = 1;
		return 1;
	}
	canon_sort(&got);
	n = canon_diff(&z->expect, &got, diff_cb, diffs);
	if (n > 0 && (n != z->drift || !timer)) {
		char first[300] = "";
		struct canon one;
		canon_init(&one);
		canon_diff(&z->expect, &got, diff_cb, &one);
		if (one.n)
			snprintf(first, sizeof(first), "%s", one.v[0]);
		log_event(LOG_ALERT, "drift", "table=changed differences=%zu "
		    "first=%s by=%s", n, lq(first), timer ? "timer" : "verify");
		canon_free(&one);
	} else if (n == 0 && z->drift > 0)
		log_event(LOG_NOTICE, "drift-cleared", "by=%s", timer ?
		    "timer" : "verify");
	z->drift = n;
	z->kernel_match = n == 0;
	canon_free(&got);
	return (int)n;
}

void
engine_free(struct zoned *z)
{
	install(z, NULL, NULL, NULL, &(struct canon){ 0 }, MODE_NONE);
	for (size_t i = 0; i < z->nbase; i++)
		free(z->base[i].name);
	free(z->base);
	for (size_t i = 0; i < z->nisolated; i++)
		free(z->isolated[i]);
	free(z->isolated);
	free(z->loaded_file);
	free(z->ctl_socket);
	free(z->ctl_group);
}
