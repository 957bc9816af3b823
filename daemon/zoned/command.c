/*
 * command — what the control socket's requests mean: request.c reads the
 * line and checks its arguments against what the command takes (the table
 * below), the caller's right is checked here, and the command's handler
 * answers with a JSON value that zonectl prints (status, zones, flows,
 * check, verify, alerts, reload, confirm, rollback, isolate, restore,
 * health, ha-state).  No sockets here: control.c is the transport.
 */
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alert.h"
#include "clock.h"
#include "command.h"
#include "conf.h"
#include "confirm.h"
#include "control.h"
#include "ctlproto.h"
#include "engine.h"
#include "flowuse.h"
#include "ha.h"
#include "isolate.h"
#include "journal.h"
#include "log.h"
#include "monitor.h"
#include "neigh.h"
#include "nflog.h"
#include "query.h"
#include "request.h"
#include "record.h"
#include "timefmt.h"
#include "verdict.h"
#include "zoned.h"

static json_t *
jtime(time_t t)
{
	char buf[TIMEFMT_LEN];

	return t ? json_string(timefmt_local(t, buf, sizeof(buf))) :
	    json_null();
}

static const char *
mode_str(enum zoned_mode m)
{
	switch (m) {
	case MODE_POLICY: return "enforcing";
	case MODE_LAST_GOOD: return "enforcing-last-good";
	case MODE_FAIL_CLOSED: return "fail-closed";
	case MODE_NONE: break;
	}
	return "starting";
}

/* ---------------------------------------------------------------------
 * status
 */

/* The last transaction: incremental or the whole table, and its times. */
static json_t *
transaction_json(const struct zoned *z)
{
	json_t *t = json_pack("{s:s, s:f, s:f, s:f, s:I, s:I}", "apply",
	    z->apply_full ? "full" : "incremental", "build_ms", z->build_ms,
	    "apply_ms", z->apply_ms, "reload_ms", z->reload_ms, "messages",
	    (json_int_t)z->apply_msgs, "bytes", (json_int_t)z->apply_bytes);

	if (z->apply_full)
		json_object_set_new(t, "reason", json_string(z->apply_why));
	else
		json_object_set_new(t, "changes",
		    json_integer((json_int_t)z->apply_changes));
	return t;
}

/* One node of a pair: the HA state and the sync link; null when the
 * policy has no "ha" and keepalived never said a word (a node failing
 * closed keeps its state, without a sync link to show). */
static json_t *
ha_json(const struct zoned *z)
{
	const struct policy *p = z->pol;
	bool pair = policy_ha(p);
	struct ha_info hi;
	char a[ADDR_PFX_STRLEN];
	json_t *peers;

	ha_info(z->ha, &hi);
	if (!pair && hi.state == HA_UNKNOWN)
		return json_null();
	peers = json_array();
	for (size_t i = 0; pair && i < p->ha.npeers; i++)
		json_array_append_new(peers, json_string(addr_format(
		    &p->ha.peers[i], a, sizeof(a))));
	return json_pack("{s:s, s:o, s:b, s:b, s:o, s:o, s:o, s:I, s:o, s:o, "
	    "s:o, s:o}",
	    "state", ha_state_str(hi.state),
	    "since", jtime(hi.since),
	    "pair", pair,
	    "forwarding", p != NULL && ha_forwarding(z->ha, p),
	    "sync_interface", pair ? json_string(p->ha.sync_iface) :
	    json_null(),
	    "peers", peers,
	    "sync_port", pair ? json_integer(p->ha.sync_port) : json_null(),
	    "transitions", (json_int_t)hi.transitions,
	    "conntrackd", hi.conntrackd[0] ? json_string(hi.conntrackd) :
	    json_null(),
	    "peer_sha256", hi.peer_match < 0 ? json_null() :
	    json_string(hi.peer_sha),
	    "peer_match", hi.peer_match < 0 ? json_null() :
	    json_boolean(hi.peer_match),
	    "peer_checked_at", jtime(hi.peer_at));
}

static int
cmd_status(struct zoned *z, json_t *args, long uid, json_t **result,
    json_t **detail, char *err, size_t errlen)
{
	const struct policy *p = z->pol;
	struct counters c;
	uint64_t pp = 0, pb = 0, dp = 0, db = 0;
	json_t *r;
	size_t active = 0;
	time_t now = time(NULL);

	(void)args;
	(void)uid;
	(void)detail;
	if (engine_counters(z, &c, err, errlen) < 0)
		return CTL_INTERNAL;
	for (size_t i = 0; i < c.n; i++) {
		if (strncmp(c.v[i].name, "flow.", 5) == 0) {
			pp += c.v[i].packets;
			pb += c.v[i].bytes;
		} else if (strncmp(c.v[i].name, "deny.", 5) == 0) {
			dp += c.v[i].packets;
			db += c.v[i].bytes;
		}
	}
	counters_free(&c);
	engine_verify(z, NULL, true);
	for (size_t i = 0; p && i < p->nflows; i++)
		active += policy_flow_active(&p->flows[i], now);
	r = json_pack("{s:s, s:I, s:o, s:I, s:s, s:o, s:o}",
	    "version", ZONED_VERSION, "pid", (json_int_t)getpid(),
	    "started", jtime(z->started),
	    "uptime", (json_int_t)(now - z->started),
	    "mode", mode_str(z->mode),
	    "fail_reason", z->fail_reason[0] ? json_string(z->fail_reason) :
	    json_null(),
	    "isolated", isolate_json(z->iso));
	if (p)
		json_object_set_new(r, "policy", json_pack("{s:s, s:s, s:s, "
		    "s:I, s:I, s:I, s:I, s:o, s:o}",
		    "file", z->loaded_file ? z->loaded_file : "",
		    "sha256", z->sha256, "model", policy_model_str(p->model),
		    "zones", (json_int_t)p->nzones,
		    "hosts", (json_int_t)p->nhosts,
		    "flows", (json_int_t)p->nflows,
		    "active_flows", (json_int_t)active,
		    "loaded_at", jtime(z->loaded_at),
		    "loaded_by", z->loaded_by < 0 ? json_null() :
		    json_integer(z->loaded_by)));
	else
		json_object_set_new(r, "policy", json_null());
	json_object_set_new(r, "transaction", transaction_json(z));
	json_object_set_new(r, "kernel", json_pack("{s:b, s:o, s:I, s:o}",
	    "verified", z->verified, "match", z->verified ?
	    json_boolean(z->kernel_match) : json_null(),
	    "differences", (json_int_t)z->drift,
	    "verified_at", jtime(z->verified ? z->verified_at : 0)));
	json_object_set_new(r, "counters", json_pack("{s:I, s:I, s:I, s:I}",
	    "permitted_packets", (json_int_t)pp,
	    "permitted_bytes", (json_int_t)pb,
	    "denied_packets", (json_int_t)dp,
	    "denied_bytes", (json_int_t)db));
	json_object_set_new(r, "enforce", json_pack("{s:s, s:o}", "mode",
	    p == NULL ? "fail-closed" : p->enforce.mode == ENFORCE_DUAL ?
	    "dual" : "kernel", "queue", verdict_json(z->verdict, z->queue_native)));
	json_object_set_new(r, "ha", ha_json(z));
	json_object_set_new(r, "monitor", monitor_json(z->mon));
	json_object_set_new(r, "pins", neigh_json(z->neigh));
	json_object_set_new(r, "denied_log", nflog_json(z->nflog));
	if (z->ctl != NULL) {
		struct control_stats cs;
		control_stats(z->ctl, &cs);
		json_object_set_new(r, "control", json_pack("{s:b, s:I, s:I, "
		    "s:I, s:I, s:I, s:I}", "listening", cs.listening,
		    "clients", (json_int_t)cs.clients, "accepted",
		    (json_int_t)cs.accepted, "refused", (json_int_t)cs.refused,
		    "evicted", (json_int_t)cs.evicted, "timed_out",
		    (json_int_t)cs.timed_out, "paused", (json_int_t)cs.paused));
	}
	json_object_set_new(r, "confirm", confirm_json(z->confirm));
	json_object_set_new(r, "clock", clock_json(z->clock));
	json_object_set_new(r, "journal", json_pack("{s:s, s:o}", "state_dir",
	    z->state_dir, "file", record_path(z->rec) ?
	    json_string(record_path(z->rec)) : json_null()));
	json_object_set_new(r, "last_reload", z->reload_at ?
	    json_pack("{s:o, s:b, s:s}", "at", jtime(z->reload_at), "ok",
	    z->reload_ok, "message", z->reload_msg) : json_null());
	*result = r;
	return CTL_OK;
}

/* ---------------------------------------------------------------------
 * zones
 */

static const char *
link_state(const char *ifname)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	const char *s = "absent";

	if (fd < 0)
		return "unknown";
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		s = !(ifr.ifr_flags & IFF_UP) ? "down" :
		    (ifr.ifr_flags & IFF_RUNNING) ? "up" : "no-carrier";
	close(fd);
	return s;
}

/* The isolation of a zone ({since, uid, user, reason}) or null. */
static json_t *
zone_isolation(const struct zoned *z, const char *zone)
{
	json_t *all = isolate_json(z->iso), *v, *o = NULL;
	size_t i;

	json_array_foreach(all, i, v) {
		const char *n = json_string_value(json_object_get(v, "zone"));
		if (n && (strcmp(n, zone) == 0 || strcmp(n, "*") == 0)) {
			o = json_incref(v);
			json_object_del(o, "interfaces");
			json_object_del(o, "since_epoch");
			break;
		}
	}
	json_decref(all);
	return o ? o : json_null();
}

static int
cmd_zones(struct zoned *z, json_t *args, long uid, json_t **result,
    json_t **detail, char *err, size_t errlen)
{
	const struct policy *p = z->pol;
	struct counters c;
	json_t *r;

	(void)args;
	(void)uid;
	(void)detail;
	if (p == NULL) {
		snprintf(err, errlen, "no policy loaded (failing closed: %s)",
		    z->fail_reason);
		return CTL_FAILED;
	}
	if (engine_counters(z, &c, err, errlen) < 0)
		return CTL_INTERNAL;
	r = json_array();
	for (size_t i = 0; i < p->nzones; i++) {
		const struct zone *zo = &p->zones[i];
		uint64_t pin = 0, pout = 0, din = 0, dout = 0;
		json_t *ifs = json_array(), *nets = json_array();
		char a[ADDR_PFX_STRLEN];

		for (size_t j = 0; j < zo->nifaces; j++)
			json_array_append_new(ifs, json_pack("{s:s, s:s}",
			    "name", zo->ifaces[j], "state",
			    link_state(zo->ifaces[j])));
		for (size_t j = 0; j < zo->nnets; j++)
			json_array_append_new(nets, json_string(
			    addr_format(&zo->nets[j], a, sizeof(a))));
		for (size_t j = 0; j < p->nflows; j++) {
			const struct flow *f = &p->flows[j];
			const struct counter *k = counters_getf(&c, "flow.%s", f->name);
			if (k == NULL)
				continue;
			if (policy_endpoint_zone(p, &f->from) == (int)i)
				pin += k->packets;
			if (policy_endpoint_zone(p, &f->to) == (int)i)
				pout += k->packets;
		}
		for (size_t j = 0; j < p->nzones; j++) {
			const struct counter *k;
			if ((k = counters_getf(&c, "deny.%s.%s", zo->name,
			    p->zones[j].name)) != NULL)
				din += k->packets;
			if ((k = counters_getf(&c, "deny.%s.%s", p->zones[j].name,
			    zo->name)) != NULL)
				dout += k->packets;
		}
		json_array_append_new(r, json_pack("{s:s, s:o, s:s, s:b, s:o, "
		    "s:o, s:I, s:I, s:I, s:I, s:o}", "name", zo->name, "label",
		    zo->label ? json_string(zo->label) : json_null(), "kind",
		    policy_zone_kind_str(zo->kind), "closed_line",
		    zo->closed_line, "interfaces", ifs, "networks", nets,
		    "permitted_in", (json_int_t)pin,
		    "permitted_out", (json_int_t)pout,
		    "denied_in", (json_int_t)din,
		    "denied_out", (json_int_t)dout,
		    "isolated", zone_isolation(z, zo->name)));
	}
	counters_free(&c);
	*result = r;
	return CTL_OK;
}

/* ---------------------------------------------------------------------
 * flows
 */

static const struct request_arg flows_args[] = {
	{ "unused", REQUEST_INT, false, 0, 36500 },	/* days */
	{ "rows", REQUEST_BOOL, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static int
cmd_flows(struct zoned *z, json_t *args, long uid, json_t **result,
    json_t **detail, char *err, size_t errlen)
{
	/* checked against flows_args: typed, in range */
	json_t *ju = json_object_get(args, "unused");
	json_t *jr = json_object_get(args, "rows");
	struct counters c;
	long days = ju ? (long)json_integer_value(ju) : -1;

	(void)uid;
	(void)detail;
	if (z->pol == NULL) {
		snprintf(err, errlen, "no policy loaded (failing closed: %s)",
		    z->fail_reason);
		return CTL_FAILED;
	}
	/* read now: the records are then up to this moment */
	if (engine_counters(z, &c, err, errlen) < 0)
		return CTL_INTERNAL;
	*result = flowuse_json(z->use, z->pol, &c, days, json_is_true(jr),
	    time(NULL));
	counters_free(&c);
	return *result ? CTL_OK : CTL_INTERNAL;
}

/* ---------------------------------------------------------------------
 * check
 */

static const struct request_arg check_args[] = {
	{ "src", REQUEST_STRING, true, 0, 255 },
	{ "dst", REQUEST_STRING, true, 0, 255 },
	{ "proto", REQUEST_STRING, true, 0, 32 },
	{ "mac", REQUEST_STRING, false, 0, 32 },
	{ "sport", REQUEST_INT, false, 0, 65535 },
	{ NULL, 0, false, 0, 0 },
};

/* Is word an address of the appliance itself?  Then `check` answers from
 * the management entries, as the input hook does. */
static bool
command_own_address(const char *word)
{
	struct ifaddrs *ifa, *i;
	uint8_t a[16], b[16];
	int fam = addr_parse_ip(word, a);
	bool own = false;

	if (fam == 0 || getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i && !own; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		memset(b, 0, sizeof(b));
		if (fam == ADDR_V4 && i->ifa_addr->sa_family == AF_INET)
			memcpy(b, &((struct sockaddr_in *)(void *)
			    i->ifa_addr)->sin_addr, 4);
		else if (fam == ADDR_V6 && i->ifa_addr->sa_family == AF_INET6)
			memcpy(b, &((struct sockaddr_in6 *)(void *)
			    i->ifa_addr)->sin6_addr, 16);
		else
			continue;
		own = memcmp(a, b, 16) == 0;
	}
	freeifaddrs(ifa);
	return own;
}

static int
cmd_check(struct zoned *z, json_t *args, long uid, json_t **result,
    json_t **detail, char *err, size_t errlen)
{
	struct query_args a = { .sport = -1 };
	struct classify_verdict v;
	struct query q;
	json_t *sp;

	(void)uid;
	(void)detail;
	/* checked against check_args: present, typed, in range */
	a.src = json_string_value(json_object_get(args, "src"));
	a.dst = json_string_value(json_object_get(args, "dst"));
	a.proto = json_string_value(json_object_get(args, "proto"));
	a.mac = json_string_value(json_object_get(args, "mac"));
	if ((sp = json_object_get(args, "sport")) != NULL)
		a.sport = (int)json_integer_value(sp);
	if (z->pol == NULL || z->cls == NULL) {
		*result = json_pack("{s:s, s:n, s:s, s:n, s:n, s:s, s:n}",
		    "verdict", "deny", "flow", "reason", "fail-closed",
		    "from_zone", "to_zone", "explain", "zoned is failing "
		    "closed: every crossing is denied", "note");
		return CTL_OK;
	}
	a.dst_self = command_own_address(a.dst);
	if (query_build(z->pol, &a, &q, err, errlen) < 0)
		return CTL_BAD_REQUEST;
	query_classify(z->cls, z->pol, &q, &v);
	*result = query_answer_json(z->cls, z->pol, &q, &v);
	return *result ? CTL_OK : CTL_INTERNAL;
}

/* ---------------------------------------------------------------------
 * verify
 */

static int
cmd_verify(struct zoned *z, json_t *args, long uid, json_t **result,
    json_t **detail, char *err, size_t errlen)
{
	struct canon diffs;
	json_t *lines;
	int n;

	(void)args;
	(void)uid;
	(void)detail;
	canon_init(&diffs);
	if ((n = engine_verify(z, &diffs, false)) < 0) {
		canon_free(&diffs);
		snprintf(err, errlen, "cannot read the kernel's table");
		return CTL_INTERNAL;
	}
	lines = json_array();
	for (size_t i = 0; i < diffs.n && i < 500; i++)
		json_array_append_new(lines, json_string(diffs.v[i]));
	*result = json_pack("{s:b, s:I, s:o, s:s}", "match", n == 0,
	    "differences", (json_int_t)n, "lines", lines, "mode",
	    mode_str(z->mode));
	canon_free(&diffs);
	return CTL_OK;
}

/* ---------------------------------------------------------------------
 * reload
 */

static json_t *
findings_json(const struct diag *d)
{
	char *s = diag_json(d);
	json_t *j = s ? json_loads(s, 0, NULL) : NULL;

	free(s);
	return j ? j : json_array();
}

static const struct request_arg reload_args[] = {
	{ "full", REQUEST_BOOL, false, 0, 0 },
	{ "confirm", REQUEST_INT, false, 1, CONFIRM_MAX_SECONDS },	/* s */
	{ NULL, 0, false, 0, 0 },
};

static int
cmd_reload(struct zoned *z, json_t *args, long uid, json_t **result,
    json_t **detail, char *err, size_t errlen)
{
	struct engine_req req = { .source = ENGINE_FILE, .uid = uid,
	    .why = "control" };
	json_t *kerr;
	struct load_result r;
	int rc;

	/* checked against reload_args */
	req.full = json_is_true(json_object_get(args, "full"));
	if (json_is_integer(json_object_get(args, "confirm")))
		req.confirm = (unsigned)json_integer_value(json_object_get(args,
		    "confirm"));
	load_result_init(&r);
	if (engine_reload(z, &req, &r) == 0) {
		*result = json_pack("{s:b, s:s, s:s, s:o, s:o, s:o}", "loaded", 1,
		    "file", z->conf, "sha256", z->sha256, "findings",
		    findings_json(&r.diag), "confirm",
		    confirm_json(z->confirm), "transaction",
		    transaction_json(z));
	} else {
		kerr = json_array();
		for (size_t i = 0; i < r.kerr.n; i++)
			json_array_append_new(kerr, json_pack("{s:s, s:i, s:s, "
			    "s:s, s:s}", "file", z->conf, "line",
			    r.kerr.v[i].line, "object", r.kerr.v[i].what,
			    "error", strerror(r.kerr.v[i].error), "kernel",
			    r.kerr.v[i].msg));
		snprintf(err, errlen, "%s; the running policy stays", r.err);
		*detail = json_pack("{s:o, s:o}", "findings",
		    findings_json(&r.diag), "kernel_errors", kerr);
	}
	rc = r.code;
	load_result_free(&r);
	return rc;
}

/* ---------------------------------------------------------------------
 * confirm, rollback
 */

static int
cmd_confirm(struct zoned *z, json_t *args, long uid, json_t **result,
    json_t **detail, char *err, size_t errlen)
{
	char sha[JOURNAL_HASH_LEN + 1];
	int code;

	(void)args;
	(void)detail;
	snprintf(sha, sizeof(sha), "%s", confirm_policy(z->confirm));
	if ((code = engine_confirm(z, uid, err, errlen)) == CTL_OK)
		*result = json_pack("{s:b, s:s}", "confirmed", 1, "sha256",
		    sha);
	return code;
}

static int
cmd_rollback(struct zoned *z, json_t *args, long uid, json_t **result,
    json_t **detail, char *err, size_t errlen)
{
	struct load_result r;
	int code;

	(void)args;
	(void)detail;
	load_result_init(&r);
	if (engine_rollback(z, uid, "zonectl rollback", &r) == 0)
		*result = json_pack("{s:b, s:s, s:s}", "rolled_back", 1,
		    "file", z->loaded_file ? z->loaded_file : "", "sha256",
		    z->sha256);
	else
		snprintf(err, errlen, "%s", r.err);
	code = r.code;
	load_result_free(&r);
	return code;
}

/* ---------------------------------------------------------------------
 * isolate, restore
 */

static const struct request_arg isolation_args[] = {
	{ "zone", REQUEST_STRING, false, 0, 64 },
	{ "all", REQUEST_BOOL, false, 0, 0 },
	{ "reason", REQUEST_STRING, false, 0, 1024 },
	{ NULL, 0, false, 0, 0 },
};

static int
isolation(struct zoned *z, json_t *args, long uid, bool isolate,
    json_t **result, char *err, size_t errlen)
{
	const char *zone = json_string_value(json_object_get(args, "zone"));
	const char *reason = json_string_value(json_object_get(args,
	    "reason"));
	bool all = json_is_true(json_object_get(args, "all"));

	if ((zone == NULL) == !all || (json_object_get(args, "reason") &&
	    reason == NULL)) {
		snprintf(err, errlen, "%s needs \"zone\" (a string) or \"all\": "
		    "true, and \"reason\" a string", isolate ? "isolate" :
		    "restore");
		return CTL_BAD_REQUEST;
	}
	return isolate_change(z->iso, &(struct isolate_req){ .nl = z->nl,
	    .rec = z->rec, .pol = z->pol, .sha = z->sha256, .zone = zone,
	    .isolate = isolate, .uid = uid, .reason = reason }, result, err,
	    errlen);
}

static int
cmd_isolate(struct zoned *z, json_t *args, long uid, json_t **result,
    json_t **detail, char *err, size_t errlen)
{
	(void)detail;
	return isolation(z, args, uid, true, result, err, errlen);
}

static int
cmd_restore(struct zoned *z, json_t *args, long uid, json_t **result,
    json_t **detail, char *err, size_t errlen)
{
	(void)detail;
	return isolation(z, args, uid, false, result, err, errlen);
}

/* ---------------------------------------------------------------------
 * alerts
 */

static const struct request_arg alerts_args[] = {
	{ "since", REQUEST_STRING, false, 0, 64 },
	{ NULL, 0, false, 0, 0 },
};

static int
cmd_alerts(struct zoned *z, json_t *args, long uid, json_t **result,
    json_t **detail, char *err, size_t errlen)
{
	const char *since = json_string_value(json_object_get(args, "since"));
	time_t t = 0;

	(void)uid;
	(void)detail;
	if (since != NULL && conf_parse_time(since, &t) < 0) {
		snprintf(err, errlen, "\"since\" must be an RFC 3339 time");
		return CTL_BAD_REQUEST;
	}
	*result = alerts_json(z->alerts, t);
	return CTL_OK;
}

/* ---------------------------------------------------------------------
 * health: can this node carry traffic?  (keepalived's track_script)
 */

static void problem(json_t *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
problem(json_t *a, const char *fmt, ...)
{
	char buf[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(a, json_string(buf));
}

/* A SHA-256 in hex, lower-cased into out. */
static bool
sha256_arg(const char *s, char out[65])
{
	if (s == NULL || strlen(s) != 64)
		return false;
	for (int i = 0; i < 64; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return false;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[64] = '\0';
	return true;
}

/*
 * Healthy when the node enforces its policy (not failing closed, not on
 * the last good one unless the caller accepts it), the kernel's table is
 * the policy's (read now), the queue of the second verdict is bound in
 * dual mode, every zone interface is up, the monitor captures on every one
 * of them, and, on a node of a pair, keepalived has reported its state
 * since the daemon started.  With "peer", also that the peer runs the same
 * policy.  Each problem is named.
 */
static const struct request_arg health_args[] = {
	{ "peer", REQUEST_STRING, false, 0, 64 },	/* a SHA-256 */
	{ "accept_last_good", REQUEST_BOOL, false, 0, 0 },
	{ NULL, 0, false, 0, 0 },
};

static int
cmd_health(struct zoned *z, json_t *args, long uid, json_t **result,
    json_t **detail, char *err, size_t errlen)
{
	const struct policy *p = z->pol;
	json_t *jpeer = json_object_get(args, "peer"), *problems;
	bool accept_lg = json_is_true(json_object_get(args,
	    "accept_last_good"));
	char peer[65], buf[512];
	int n;

	(void)uid;
	(void)detail;
	if (jpeer != NULL && !sha256_arg(json_string_value(jpeer), peer)) {
		snprintf(err, errlen, "\"peer\" must be a SHA-256 (64 hex "
		    "digits)");
		return CTL_BAD_REQUEST;
	}
	problems = json_array();
	switch (z->mode) {
	case MODE_POLICY:
		break;
	case MODE_LAST_GOOD:
		if (!accept_lg)
			problem(problems, "running the last good policy: %s",
			    z->fail_reason);
		break;
	case MODE_FAIL_CLOSED:
		problem(problems, "failing closed, every crossing is denied: "
		    "%s", z->fail_reason);
		break;
	case MODE_NONE:
		problem(problems, "starting");
		break;
	}
	/* (a policy loaded with commit-confirm and not yet confirmed is no
	 * ground to carry traffic either, once reload --confirm exists) */
	/* keepalived asks every second: a table read within the same
	 * second stands */
	if (z->verified && z->verified_at == time(NULL))
		n = z->kernel_match ? 0 : (int)z->drift;
	else
		n = engine_verify(z, NULL, true);
	if (n < 0)
		problem(problems, "the kernel's table cannot be read");
	else if (n > 0)
		problem(problems, "the kernel's table differs from the policy "
		    "(%d difference%s, see zonectl verify)", n, n == 1 ? "" :
		    "s");
	if (p != NULL && p->enforce.mode == ENFORCE_DUAL &&
	    (z->verdict == NULL || z->queue_failed))
		problem(problems, "the queue of the second verdict (%d) is not "
		    "bound: new crossings are refused", p->enforce.queue);
	for (size_t i = 0; p && i < p->nzones; i++)
		for (size_t j = 0; j < p->zones[i].nifaces; j++) {
			const char *st = link_state(p->zones[i].ifaces[j]);
			if (strcmp(st, "up") != 0)
				problem(problems, "interface %s of zone %s is "
				    "%s", p->zones[i].ifaces[j],
				    p->zones[i].name, st);
		}
	if (p != NULL && p->monitor.enabled) {
		if (z->mon == NULL)
			problem(problems, "the audit monitor is not running");
		else if (monitor_detached(z->mon, buf, sizeof(buf)) > 0)
			problem(problems, "the audit monitor does not capture "
			    "on %s", buf);
	}
	if (policy_ha(p) && ha_state(z->ha) == HA_UNKNOWN)
		problem(problems, "keepalived has not reported this node's "
		    "state since zoned started (zonectl ha-notify): it holds "
		    "every zone");
	if (jpeer != NULL && !ha_peer_check(z->ha, z->sha256, peer))
		problem(problems, "the peer runs policy %s, this node %s",
		    peer, z->sha256[0] ? z->sha256 : "none (failing closed)");
	*result = json_pack("{s:b, s:o, s:s, s:o, s:o, s:o}",
	    "healthy", json_array_size(problems) == 0,
	    "problems", problems,
	    "mode", mode_str(z->mode),
	    "sha256", z->sha256[0] ? json_string(z->sha256) : json_null(),
	    "peer_sha256", jpeer ? json_string(peer) : json_null(),
	    "ha", ha_json(z));
	return *result ? CTL_OK : CTL_INTERNAL;
}

/* ---------------------------------------------------------------------
 * ha-state: keepalived's word on this node, through zonectl ha-notify
 * after the conntrackd steps of that state (on master: the synced
 * connections are committed) — only then does a master forward.
 */

static const struct request_arg ha_state_args[] = {
	{ "state", REQUEST_STRING, true, 0, 16 },
	/* absent when no conntrackd step ran (zonectl ha-notify leaves it
	 * out: a string argument is never empty) */
	{ "conntrackd", REQUEST_STRING, false, 0, 200 },
	{ NULL, 0, false, 0, 0 },
};

static int
cmd_ha_state(struct zoned *z, json_t *args, long uid, json_t **result,
    json_t **detail, char *err, size_t errlen)
{
	const char *name = json_string_value(json_object_get(args, "state"));
	const char *ct = json_string_value(json_object_get(args,
	    "conntrackd"));
	if (ct != NULL && ct[0] == '\0')
		ct = NULL;
	int s = ha_state_from_str(name);
	enum ha_state prev;
	bool was, fwd;
	char uids[24];

	(void)detail;
	if (s < 0) {
		snprintf(err, errlen, "\"state\" must be master, backup, fault "
		    "or stop");
		return CTL_BAD_REQUEST;
	}
	if (ct != NULL && strlen(ct) > 200) {
		snprintf(err, errlen, "\"conntrackd\" is at most 200 bytes");
		return CTL_BAD_REQUEST;
	}
	was = ha_forwarding(z->ha, z->pol);
	prev = ha_set(z->ha, (enum ha_state)s, ct);
	if (engine_ha(z, err, errlen) < 0) {
		/* the table holds what it held: so does the state */
		ha_set(z->ha, prev, ct);
		log_event(LOG_CRIT, "ha-state-failed", "state=%s reason=%s "
		    "kept=%s", name, lq(err), ha_state_str(prev));
		return CTL_INTERNAL;
	}
	fwd = ha_forwarding(z->ha, z->pol);
	snprintf(uids, sizeof(uids), "%ld", uid);
	log_event(s == HA_MASTER || s == HA_BACKUP ? LOG_NOTICE : LOG_WARNING,
	    "ha-state", "state=%s previous=%s forwarding=%s%s conntrackd=%s "
	    "uid=%s", name, ha_state_str(prev), fwd ? "yes" : "no",
	    !policy_ha(z->pol) ? " pair=no" : "", lq(ct ? ct : "-"), uids);
	/* keepalived's word stands even when it cannot be recorded (the
	 * pair must follow it): record_now logs journal-failed then */
	record_now(z->rec, &(struct record_entry){ .action = "ha-state",
	    .uid = uid, .before = z->sha256[0] ? z->sha256 : NULL,
	    .after = z->sha256[0] ? z->sha256 : NULL, .extra = json_pack(
	    "{s:s, s:s, s:b, s:o}", "state", name, "previous",
	    ha_state_str(prev), "forwarding", fwd, "conntrackd", ct ?
	    json_string(ct) : json_null()) });
	*result = json_pack("{s:s, s:s, s:b, s:b, s:b}", "state", name,
	    "previous", ha_state_str(prev), "forwarding", fwd, "was_forwarding",
	    was, "pair", policy_ha(z->pol));
	return *result ? CTL_OK : CTL_INTERNAL;
}

/* A handler returns a ctl_code; on CTL_OK *result is the answer, else err
 * says why and *detail may add structured facts (findings). */
typedef int (*command_fn)(struct zoned *z, json_t *args, long uid,
    json_t **result, json_t **detail, char *err, size_t errlen);

static const struct command {
	const char *name;
	bool change;		/* root only; logged with the uid */
	const struct request_arg *args;	/* what it takes; NULL: nothing */
	command_fn fn;
} commands[] = {
	{ CTL_CMD_STATUS, false, NULL, cmd_status },
	{ CTL_CMD_ZONES, false, NULL, cmd_zones },
	{ CTL_CMD_FLOWS, false, flows_args, cmd_flows },
	{ CTL_CMD_CHECK, false, check_args, cmd_check },
	{ CTL_CMD_VERIFY, false, NULL, cmd_verify },
	{ CTL_CMD_ALERTS, false, alerts_args, cmd_alerts },
	{ CTL_CMD_RELOAD, true, reload_args, cmd_reload },
	{ CTL_CMD_CONFIRM, true, NULL, cmd_confirm },
	{ CTL_CMD_ROLLBACK, true, NULL, cmd_rollback },
	{ CTL_CMD_ISOLATE, true, isolation_args, cmd_isolate },
	{ CTL_CMD_RESTORE, true, isolation_args, cmd_restore },
	{ CTL_CMD_HEALTH, false, health_args, cmd_health },
	{ CTL_CMD_HA_STATE, true, ha_state_args, cmd_ha_state },
	{ NULL, false, NULL, NULL },
};

static const struct command *
command_find(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

json_t *
command_handle(void *arg, const struct control_peer *peer, const char *line)
{
	struct zoned *z = arg;
	struct request req;
	json_t *result = NULL, *detail = NULL;
	const struct command *cmd;
	char err[1024] = "";
	int code;

	if ((code = request_parse(line, &req, err, sizeof(err))) != CTL_OK)
		return ctl_error_answer(code, err, NULL);
	if ((cmd = command_find(req.cmd)) == NULL) {
		snprintf(err, sizeof(err), "unknown command \"%.64s\"", req.cmd);
		request_free(&req);
		return ctl_error_answer(CTL_UNKNOWN, err, NULL);
	}
	if (cmd->change && !peer->root) {
		log_event(LOG_WARNING, "control-denied", "uid=%u cmd=%s",
		    (unsigned)peer->uid, cmd->name);
		request_free(&req);
		return ctl_error_answer(CTL_DENIED, "permission denied: only root "
		    "may change zoned", NULL);
	}
	if ((code = request_check(&req, cmd->args, err, sizeof(err))) !=
	    CTL_OK) {
		request_free(&req);
		return ctl_error_answer(code, err, NULL);
	}
	if (cmd->change)
		log_event(LOG_NOTICE, "control", "uid=%u pid=%d cmd=%s",
		    (unsigned)peer->uid, (int)peer->pid, cmd->name);
	else
		log_debug("control uid=%u cmd=%s", (unsigned)peer->uid,
		    cmd->name);
	code = cmd->fn(z, req.args, (long)peer->uid, &result, &detail, err,
	    sizeof(err));
	request_free(&req);
	if (code != CTL_OK) {
		json_decref(result);
		return ctl_error_answer(code, err[0] ? err : ctl_code_str(code),
		    detail);
	}
	json_decref(detail);
	return json_pack("{s:b, s:o}", "ok", 1, "result", result ? result :
	    json_null());
}
