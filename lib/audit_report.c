/*
 * audit_report — what an audit found, for people and for programs: the
 * reasons by name, a violating flow as one line, the text and JSON forms
 * of a result (formats in audit.h), and audit_run(), the command line of
 * `zoned --audit` and `zonectl audit`.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "addr.h"
#include "audit.h"
#include "classify.h"
#include "diag.h"
#include "lint.h"
#include "policy.h"
#include "timefmt.h"

const char *
audit_reason_str(uint8_t reason)
{
	switch (reason) {
	case AUDIT_REASON_FRAG_ORPHAN:
		return "fragment-orphan";
	case AUDIT_REASON_UNPARSED:
		return "unparsed";
	case AUDIT_REASON_ICMP_ERROR:
		return "icmp-error";
	}
	return classify_reason_str((enum classify_reason)reason);
}

static const char *
audit_report_zone(const struct policy *p, int z)
{
	return z >= 0 && (size_t)z < p->nzones ? p->zones[z].name : NULL;
}

static void
audit_report_endpoint(const struct audit_violation *v, const uint8_t a[16],
    uint16_t port, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN];

	addr_format_ip(v->family, a, s, sizeof(s));
	if (v->l4 != AUDIT_L4_PORTS)
		snprintf(buf, len, "%s", s);
	else if (v->family == ADDR_V6)
		snprintf(buf, len, "[%s]:%u", s, port);
	else
		snprintf(buf, len, "%s:%u", s, port);
}

void
audit_format_violation(const struct audit_violation *v,
    const struct policy *p, char *buf, size_t len)
{
	char t1[64], t2[64], src[INET6_ADDRSTRLEN + 8],
	    dst[INET6_ADDRSTRLEN + 8], icmp[32];
	const char *zf = audit_report_zone(p, v->from_zone),
	    *zt = audit_report_zone(p, v->to_zone);

	timefmt_local_usec(v->first_ts.tv_sec, v->first_ts.tv_usec, t1,
	    sizeof(t1));
	timefmt_local_usec(v->last_ts.tv_sec, v->last_ts.tv_usec, t2,
	    sizeof(t2));
	audit_report_endpoint(v, v->src, v->sport, src, sizeof(src));
	audit_report_endpoint(v, v->dst, v->dport, dst, sizeof(dst));
	icmp[0] = '\0';
	if (v->l4 == AUDIT_L4_ICMP)
		snprintf(icmp, sizeof(icmp), " type %u id %u", v->dport,
		    v->sport);
	snprintf(buf, len, "frames %llu-%llu %s..%s count %llu bytes %llu "
	    "%s %s -> %s%s %s -> %s: %s: %s",
	    (unsigned long long)v->first_frame,
	    (unsigned long long)v->last_frame, t1, t2,
	    (unsigned long long)v->frames, (unsigned long long)v->bytes,
	    policy_proto_str(v->proto, false), src, dst, icmp,
	    zf ? zf : "-", zt ? zt : "-", audit_reason_str(v->reason),
	    v->explain);
}

void
audit_print(const struct audit_result *r, const struct policy *p, FILE *fp)
{
	char line[1024];

	for (size_t i = 0; i < r->nv; i++) {
		audit_format_violation(&r->v[i], p, line, sizeof(line));
		fprintf(fp, "%s\n", line);
	}
	fprintf(fp, "%llu frames, %llu crossings, %zu violations "
	    "(%llu frames)", (unsigned long long)r->frames,
	    (unsigned long long)r->crossings, r->nv,
	    (unsigned long long)r->violating);
	if (r->truncated_list)
		fprintf(fp, ", list truncated at %zu flows", r->nv);
	if (r->unparsed > 0)
		fprintf(fp, ", %llu frames not parsed",
		    (unsigned long long)r->unparsed);
	fputc('\n', fp);
}

static json_t *
audit_report_json_zone(const struct policy *p, int z)
{
	const char *n = audit_report_zone(p, z);

	return n ? json_string(n) : json_null();
}

json_t *
audit_json(const struct audit_result *r, const struct policy *p)
{
	json_t *o, *a, *e;
	char t[64], addr[INET6_ADDRSTRLEN];

	if ((o = json_object()) == NULL || (a = json_array()) == NULL) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "file", r->file ? json_string(r->file) :
	    json_null());
	json_object_set_new(o, "linktype", json_integer(r->linktype));
	json_object_set_new(o, "frames", json_integer((json_int_t)r->frames));
	json_object_set_new(o, "ip_frames",
	    json_integer((json_int_t)r->ip_frames));
	json_object_set_new(o, "crossings",
	    json_integer((json_int_t)r->crossings));
	json_object_set_new(o, "permitted",
	    json_integer((json_int_t)r->permitted));
	json_object_set_new(o, "replies",
	    json_integer((json_int_t)r->replies));
	json_object_set_new(o, "local", json_integer((json_int_t)r->local));
	json_object_set_new(o, "unparsed",
	    json_integer((json_int_t)r->unparsed));
	json_object_set_new(o, "violating_frames",
	    json_integer((json_int_t)r->violating));
	for (size_t i = 0; i < r->nv; i++) {
		const struct audit_violation *v = &r->v[i];
		int ports = v->l4 != AUDIT_L4_NONE;

		if ((e = json_object()) == NULL)
			goto fail;
		json_object_set_new(e, "first_frame",
		    json_integer((json_int_t)v->first_frame));
		json_object_set_new(e, "last_frame",
		    json_integer((json_int_t)v->last_frame));
		timefmt_local_usec(v->first_ts.tv_sec, v->first_ts.tv_usec, t,
		    sizeof(t));
		json_object_set_new(e, "first_time", json_string(t));
		timefmt_local_usec(v->last_ts.tv_sec, v->last_ts.tv_usec, t,
		    sizeof(t));
		json_object_set_new(e, "last_time", json_string(t));
		json_object_set_new(e, "frames",
		    json_integer((json_int_t)v->frames));
		json_object_set_new(e, "bytes",
		    json_integer((json_int_t)v->bytes));
		json_object_set_new(e, "proto",
		    json_string(policy_proto_str(v->proto, false)));
		json_object_set_new(e, "src", json_string(addr_format_ip(
		    v->family, v->src, addr, sizeof(addr))));
		json_object_set_new(e, "sport", ports ?
		    json_integer(v->sport) : json_null());
		json_object_set_new(e, "dst", json_string(addr_format_ip(
		    v->family, v->dst, addr, sizeof(addr))));
		json_object_set_new(e, "dport", ports ?
		    json_integer(v->dport) : json_null());
		json_object_set_new(e, "from_zone",
		    audit_report_json_zone(p, v->from_zone));
		json_object_set_new(e, "to_zone",
		    audit_report_json_zone(p, v->to_zone));
		json_object_set_new(e, "reason",
		    json_string(audit_reason_str(v->reason)));
		json_object_set_new(e, "explain", json_string(v->explain));
		if (json_array_append_new(a, e) < 0)
			goto fail;
	}
	json_object_set_new(o, "violations", a);
	json_object_set_new(o, "truncated", json_boolean(r->truncated_list));
	return o;
fail:
	json_decref(a);
	json_decref(o);
	return NULL;
}

int
audit_run(const char *capture, const char *policy_file, const char *zone,
    bool json, time_t now, FILE *out, FILE *errf)
{
	struct audit_opts o = { .zone = -1 };
	struct audit_result r;
	struct policy *p = NULL;
	struct classify *c = NULL;
	struct diag d;
	char err[1024];
	int rc = 2;

	memset(&r, 0, sizeof(r));
	diag_init(&d);
	if (lint_file(policy_file, now, &p, &d, err, sizeof(err)) < 0) {
		fprintf(errf, "%s\n", err);
		goto out;
	}
	if (p == NULL) {
		diag_print(&d, errf);
		goto out;
	}
	if (d.nerrors > 0)
		fprintf(errf, "warning: %s has %d error(s) (see zonectl lint); "
		    "auditing with the flows that loaded\n", policy_file,
		    d.nerrors);
	if (zone != NULL && (o.zone = policy_find_zone(p, zone)) < 0) {
		fprintf(errf, "%s: no zone named \"%s\"\n", policy_file, zone);
		goto out;
	}
	if ((c = classify_build(p, now, err, sizeof(err))) == NULL) {
		fprintf(errf, "%s\n", err);
		goto out;
	}
	if (audit_file(capture, p, c, &o, &r, err, sizeof(err)) < 0) {
		fprintf(errf, "%s\n", err);
		goto out;
	}
	if (json) {
		json_t *j = audit_json(&r, p);
		char *txt = j ? json_dumps(j, JSON_INDENT(2) |
		    JSON_PRESERVE_ORDER) : NULL;
		if (txt)
			fprintf(out, "%s\n", txt);
		free(txt);
		json_decref(j);
	} else
		audit_print(&r, p, out);
	rc = r.violating > 0 ? 1 : 0;
out:
	audit_result_free(&r);
	classify_free(c);
	policy_free(p);
	diag_free(&d);
	return rc;
}
