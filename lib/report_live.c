/*
 * report_live — the running daemon's answers (status, zones, flows,
 * verify, alerts) into the report's model.  What an answer does not carry
 * (an older daemon: no clock, no isolation details, no flow usage, no
 * journal) is "unrecorded"; what could not be asked is "unavailable".
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "report.h"

static json_t *
state(const char *s)
{
	return json_pack("{s:s}", "state", s);
}

static json_t *
unavailable(const struct report_input *in)
{
	const char *why = in->live->why;

	return json_pack("{s:s, s:s}", "state", "unavailable", "why",
	    why && *why ? why : "zoned did not answer");
}

/* o's member k (a new reference), or JSON null. */
static json_t *
member(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return v ? json_incref(v) : json_null();
}

static const char *
mode_label(const char *mode)
{
	static const struct { const char *mode, *ja; } t[] = {
		{ "enforcing", "ポリシーを適用中" },
		{ "enforcing-last-good", "前回の正常なポリシーで稼働中" },
		{ "fail-closed", "全越境通信を遮断中（適用できるポリシーなし）" },
		{ "starting", "起動中" },
	};

	for (size_t i = 0; mode && i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].mode, mode) == 0)
			return t[i].ja;
	return mode ? mode : "";
}

static void
fill_daemon(json_t *m, const struct report_input *in, const json_t *st)
{
	const json_t *pol = json_object_get(st, "policy");
	const char *mode = json_string_value(json_object_get(st, "mode"));
	const char *sha = json_string_value(json_object_get(pol, "sha256"));
	json_t *p = json_object_get(m, "policy");

	json_object_set_new(m, "daemon", json_pack("{s:s, s:o, s:s, s:o, "
	    "s:o, s:o, s:o, s:o, s:o}", "state", "recorded",
	    "mode", member(st, "mode"), "mode_label", mode_label(mode),
	    "pid", member(st, "pid"), "started", member(st, "started"),
	    "loaded_at", member(pol, "loaded_at"),
	    "loaded_by", member(pol, "loaded_by"),
	    "file", member(pol, "file"),
	    "fail_reason", member(st, "fail_reason")));
	json_object_set_new(p, "running_sha256", sha ? json_string(sha) :
	    json_null());
	json_object_set_new(p, "matches_running", sha && in->sha256 ?
	    json_boolean(strcmp(sha, in->sha256) == 0) : json_null());
}

static void
fill_clock(json_t *m, const json_t *st)
{
	const json_t *c = json_object_get(st, "clock");

	if (!json_is_object(c)) {
		json_object_set_new(m, "clock", state("unrecorded"));
		return;
	}
	json_object_set_new(m, "clock", json_pack("{s:s, s:o, s:o, s:o, s:o}",
	    "state", "recorded",
	    "synchronised", member(c, "synchronised"),
	    "estimated_error_us", member(c, "estimated_error_us"),
	    "maximum_error_us", member(c, "maximum_error_us"),
	    "why", member(c, "why")));
}

static void
fill_kernel(json_t *m, const json_t *st, const json_t *verify)
{
	const json_t *k = json_object_get(st, "kernel");

	if (json_is_object(verify))
		json_object_set_new(m, "kernel", json_pack("{s:s, s:b, s:o, "
		    "s:o, s:o, s:o}", "state", "recorded", "verified", 1,
		    "match", member(verify, "match"),
		    "differences", member(verify, "differences"),
		    "lines", member(verify, "lines"),
		    "verified_at", member(k, "verified_at")));
	else if (json_is_object(k))
		json_object_set_new(m, "kernel", json_pack("{s:s, s:o, s:o, "
		    "s:o, s:[], s:o}", "state", "recorded",
		    "verified", member(k, "verified"),
		    "match", member(k, "match"),
		    "differences", member(k, "differences"), "lines",
		    "verified_at", member(k, "verified_at")));
	else
		json_object_set_new(m, "kernel", state("unrecorded"));
}

/* "isolated": names (an older daemon) or {zone, since, uid, user,
 * reason}. */
static void
fill_isolation(json_t *m, const json_t *st)
{
	const json_t *iso = json_object_get(st, "isolated"), *v;
	json_t *zones = json_array(), *zs = json_object_get(m, "zones"), *z;
	size_t i, j;

	if (!json_is_array(iso)) {
		json_object_set_new(m, "isolation", state("unrecorded"));
		json_decref(zones);
		return;
	}
	json_array_foreach(iso, i, v) {
		json_t *e = json_is_string(v) ? json_pack("{s:O, s:n, s:n, "
		    "s:n, s:n}", "zone", v, "since", "uid", "user", "reason") :
		    json_pack("{s:o, s:o, s:o, s:o, s:o}", "zone",
		    member(v, "zone"), "since", member(v, "since"),
		    "uid", member(v, "uid"), "user", member(v, "user"),
		    "reason", member(v, "reason"));
		const char *name = json_string_value(json_object_get(e,
		    "zone"));
		json_array_foreach(zs, j, z)
			if (name && (strcmp(name, "*") == 0 || strcmp(name,
			    json_string_value(json_object_get(z, "name"))) ==
			    0))
				json_object_set(z, "isolated", e);
		json_array_append_new(zones, e);
	}
	json_object_set_new(m, "isolation", json_pack("{s:s, s:o}", "state",
	    "recorded", "zones", zones));
}

static void
fill_confirm(json_t *m, const json_t *st)
{
	if (json_object_get(st, "confirm") == NULL)
		json_object_set_new(m, "confirm", state("unrecorded"));
	else
		json_object_set_new(m, "confirm", json_pack("{s:s, s:o}",
		    "state", "recorded", "pending", member(st, "confirm")));
}

/* Interface states and crossing counters from the zones answer. */
static void
fill_zones(json_t *m, const json_t *zones)
{
	json_t *zs = json_object_get(m, "zones"), *z, *lz, *li, *i;
	size_t k, n, a, b;

	json_array_foreach(zs, k, z) {
		const char *name = json_string_value(json_object_get(z, "name"));
		json_array_foreach(zones, n, lz) {
			if (strcmp(name, json_string_value(json_object_get(lz,
			    "name")) ?: "") != 0)
				continue;
			json_object_set_new(z, "traffic", json_pack("{s:o, s:o, "
			    "s:o, s:o}", "permitted_in", member(lz,
			    "permitted_in"), "permitted_out", member(lz,
			    "permitted_out"), "denied_in", member(lz,
			    "denied_in"), "denied_out", member(lz,
			    "denied_out")));
			json_array_foreach(json_object_get(z, "interfaces"),
			    a, i)
				json_array_foreach(json_object_get(lz,
				    "interfaces"), b, li)
					if (json_equal(json_object_get(i,
					    "name"), json_object_get(li,
					    "name")))
						json_object_set(i, "state",
						    json_object_get(li,
						    "state"));
		}
	}
}

/* Packets and bytes since the daemon counts them, and (where the daemon
 * keeps them) the first and last hit. */
static void
fill_usage(json_t *m, const json_t *flows)
{
	json_t *fs = json_object_get(m, "flows"), *f, *lf;
	size_t k, n;

	json_array_foreach(fs, k, f) {
		const char *name = json_string_value(json_object_get(f, "name"));
		json_t *u = state("unrecorded");
		json_array_foreach(flows, n, lf) {
			if (strcmp(name, json_string_value(json_object_get(lf,
			    "name")) ?: "") != 0)
				continue;
			json_decref(u);
			u = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}",
			    "state", json_object_get(lf, "last_hit") ?
			    "recorded" : "unrecorded",
			    "packets", member(lf, "packets"),
			    "bytes", member(lf, "bytes"),
			    "first_hit", member(lf, "first_hit"),
			    "last_hit", member(lf, "last_hit"),
			    "counted_since", member(lf, json_object_get(lf,
			    "watched_since") ? "watched_since" :
			    "counted_since"));
			break;
		}
		json_object_set_new(f, "usage", u);
	}
}

static void
fill_monitor(json_t *m, const json_t *st)
{
	const json_t *mon = json_object_get(st, "monitor");
	const json_t *al = json_object_get(mon, "alerts");
	json_t *pm = json_object_get(m, "monitor");

	if (!json_is_object(pm))
		return;
	json_object_set_new(pm, "live", json_is_object(mon) ?
	    json_pack("{s:s, s:o, s:o, s:o, s:o}", "state", "recorded",
	    "interfaces", member(mon, "interfaces"),
	    "raised", member(al, "raised"),
	    "evidence_files", member(al, "evidence_files"),
	    "evidence_bytes", member(al, "evidence_bytes")) :
	    state("unrecorded"));
}

/* The alerts since --since (the daemon filtered them), by kind in the
 * order each kind first appears. */
static void
fill_alerts(json_t *m, const json_t *alerts)
{
	json_t *kinds = json_array(), *list, *a, *k;
	size_t i, j;

	list = json_deep_copy(alerts);
	json_array_foreach(list, i, a) {
		const char *kind = json_string_value(json_object_get(a, "kind"));
		if (kind == NULL)
			continue;
		json_object_set_new(a, "label", json_string(
		    report_alert_label(kind)));
		json_array_foreach(kinds, j, k)
			if (strcmp(json_string_value(json_object_get(k, "kind")),
			    kind) == 0)
				break;
		if (j == json_array_size(kinds))
			json_array_append_new(kinds, json_pack("{s:s, s:s, "
			    "s:i}", "kind", kind, "label",
			    report_alert_label(kind), "count", 0));
		k = json_array_get(kinds, j);
		json_object_set_new(k, "count", json_integer(
		    json_integer_value(json_object_get(k, "count")) + 1));
	}
	json_object_set_new(m, "alerts", json_pack("{s:s, s:I, s:o, s:o}",
	    "state", "recorded", "total", (json_int_t)json_array_size(list),
	    "kinds", kinds, "list", list));
}

/* The change journal: the daemon names its file in status (a daemon
 * without one keeps none). */
static void
fill_journal(json_t *m, const json_t *st, time_t since)
{
	const json_t *j = json_object_get(st, "journal");
	const char *file = json_string_value(json_object_get(j, "file"));

	if (file != NULL)
		report_journal_fill(m, file, since);
	else
		json_object_set_new(m, "journal", json_pack("{s:s, s:s}",
		    "state", "unrecorded", "why", "this zoned keeps no change "
		    "journal"));
}

int
report_live_fill(json_t *m, const struct report_input *in, char *err,
    size_t errlen)
{
	const struct report_live *l = in->live;

	(void)err;
	(void)errlen;
	if (!json_is_object(l->status)) {
		json_object_set_new(m, "daemon", unavailable(in));
		json_object_set_new(m, "clock", unavailable(in));
		json_object_set_new(m, "kernel", unavailable(in));
		json_object_set_new(m, "isolation", unavailable(in));
		json_object_set_new(m, "confirm", unavailable(in));
		json_object_set_new(m, "alerts", unavailable(in));
		json_object_set_new(m, "journal", unavailable(in));
		return 0;
	}
	fill_daemon(m, in, l->status);
	fill_clock(m, l->status);
	fill_kernel(m, l->status, l->verify);
	fill_isolation(m, l->status);
	fill_confirm(m, l->status);
	json_object_set_new(json_object_get(m, "enforce"), "live",
	    json_pack("{s:s, s:o}", "state", "recorded", "queue",
	    member(json_object_get(l->status, "enforce"), "queue")));
	fill_monitor(m, l->status);
	if (json_is_array(l->zones))
		fill_zones(m, l->zones);
	if (json_is_array(l->flows))
		fill_usage(m, l->flows);
	else {
		json_t *f;
		size_t i;
		json_array_foreach(json_object_get(m, "flows"), i, f)
			json_object_set_new(f, "usage", unavailable(in));
	}
	if (json_is_array(l->alerts))
		fill_alerts(m, l->alerts);
	else
		json_object_set_new(m, "alerts", unavailable(in));
	fill_journal(m, l->status, in->since);
	return 0;
}
