/*
 * report — the audit report: what an auditor of a zoned appliance is
 * handed, one file with the zone diagram, the evidence and the
 * self-inspection list, in Japanese.
 *
 * Three steps, each its own file:
 *   report.c         the facts -> the report's model, a JSON document
 *                    (report_build; the daemon's answers are read in
 *                    report_live.c);
 *   report_diagram.c the model's diagram -> SVG, laid out by Graphviz in
 *                    process (dot);
 *   report_html.c    the model (and the SVG) -> one self-contained HTML
 *                    file, through the escaping writer of html.c.
 * `zonectl report --json` prints the model itself: the same content.
 *
 * The model (format "zoned-report", version 1).  Every fact that only the
 * running daemon knows is an object with a "state":
 *   "recorded"    the facts are there;
 *   "offline"     the report was made from a policy file alone;
 *   "unrecorded"  the daemon does not record it (an older zoned, or
 *                 nothing kept yet: 未記録);
 *   "unavailable" it could not be read ("why" says why).
 * Members:
 *   generated_at, appliance, online, since (null: all), unused_days,
 *   expiring_days
 *   policy      {file, sha256, loaded, version, model, model_label,
 *                errors, warnings, running_sha256, matches_running}
 *   daemon      {state, mode, mode_label, pid, started, loaded_at,
 *                loaded_by, fail_reason}
 *   clock       {state, synchronised, estimated_error_us,
 *                maximum_error_us, why}
 *   kernel      {state, verified, match, differences, lines, verified_at}
 *   enforce     {mode, mode_label, live: {state, ...the daemon's}}
 *   isolation   {state, zones: [{zone, since, uid, user, reason}]}
 *   confirm     {state, pending: null | the daemon's}
 *   counts      {zones, hosts, services, flows, approvals, findings...}
 *   zones       [{name, kind, kind_label, line, bad, interfaces: [{name,
 *                state}], networks, hosts, isolated, traffic}]
 *   hosts       [{name, zone, address, mac, role, role_label, comment,
 *                line, bad}]
 *   services    [{name, text, comment, line, bad}]
 *   flows       [{name, line, bad, from, from_type, from_zone, to, to_type,
 *                to_zone, services, service_text, method, method_label,
 *                class, approval, comment, expires, days_left, active,
 *                log, usage: {state, packets, bytes, first_hit,
 *                last_hit}}]
 *   management  [{from, service, line}]
 *   monitor     {enabled, snaplen, flood_pps, scan_ports, scan_hosts,
 *                scan_window, evidence_dir, evidence_max, live: {state,
 *                interfaces, raised, evidence_files}}
 *   findings    [{file, line, severity, id, object, message}]
 *   clauses     [{id, number, title, guideline, how, rules: [{id,
 *                summary, severity, result, findings: [index]}],
 *                flows: [name]}]
 *   alerts      {state, total, kinds: [{kind, label, count}], list}
 *   exceptions  {expiring_days, expired, expiring, entries: [{flow,
 *                approval, comment, expires, days_left, status}]}
 *   journal     {state, why, file, intact, message, first_bad_line,
 *                first_bad_seq, intact_entries, last_seq, last_hash,
 *                total, entries}
 *   inspection  {unused: {state, days, flows}, items: [{kind, severity,
 *                object, text, todo}]}
 *   diagram     {grouped, nodes: [{id, type, zone, label, class}],
 *                edges: [{from, to, label, class}]}
 *
 * lib/ rules: nothing here logs or exits; failures come back with err.
 */
#ifndef ZONED_REPORT_H
#define ZONED_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "diag.h"
#include "policy.h"

#define REPORT_FORMAT "zoned-report"
#define REPORT_VERSION 1
#define REPORT_UNUSED_DAYS 90	/* --unused-days by default */
#define REPORT_EXPIRING_DAYS 30	/* an exception this close is flagged */
/* Beyond these the diagram draws one arrow a zone pair and class. */
#define REPORT_DIAGRAM_HOSTS 60
#define REPORT_DIAGRAM_FLOWS 80

/* The answers of the running daemon; every member NULL offline.  An
 * answer that is missing where the daemon was asked is "unavailable". */
struct report_live {
	const json_t *status, *zones, *flows, *verify, *alerts;
	const char *why;	/* why an answer is missing */
};

struct report_input {
	const char *file;	/* the policy file as named */
	const char *sha256;	/* of its text */
	const struct policy *pol;	/* NULL: the file does not load */
	const struct diag *diag;	/* the loader's and lint's findings */
	time_t now;
	time_t since;		/* --since: alerts and journal from; 0: all */
	int unused_days;
	const char *appliance;	/* the host name */
	const struct report_live *live;	/* NULL: offline */
	const char *journal;	/* the change journal's file, NULL: none */
};

/* A policy file as a report reads it (report_source.c): its text, the
 * SHA-256 of the text, the model and the findings at now. */
struct report_source {
	char *text;
	size_t len;
	char sha256[65];
	struct policy *pol;	/* NULL: a syntax error (see diag) */
	struct diag diag;
};

/* A file read whole (NUL-terminated, *len bytes); NULL with err and errno
 * when it cannot be read. */
char *report_read_file(const char *path, size_t *len, char *err,
    size_t errlen);

/* Read path whole and judge it; -1 with err when it cannot be read. */
int report_source_load(const char *path, time_t now,
    struct report_source *src, char *err, size_t errlen);
void report_source_free(struct report_source *src);

/* The model; NULL with err when out of memory. */
json_t *report_build(const struct report_input *in, char *err,
    size_t errlen);

/* The daemon's answers into the model (report_live.c): the overview's
 * daemon facts, the zones' and flows' live figures, alerts, journal. */
int report_live_fill(json_t *m, const struct report_input *in, char *err,
    size_t errlen);

/* The change journal (report_journal.c): read, its chain verified, its
 * entries at or after since; a missing file is "unrecorded". */
void report_journal_fill(json_t *m, const char *path, time_t since);

/* The self-inspection list from everything else in the model. */
int report_inspect(json_t *m, const struct report_input *in);

/* s as a JSON string: text that is no UTF-8 (a policy file may hold any
 * bytes in a comment) has each bad byte replaced by U+FFFD, so that
 * nothing is lost from the model.  NULL stands for "". */
json_t *report_text(const char *s);

/* Japanese labels of the policy's words ("mynumber" ->
 * "マイナンバー利用事務系"); the word itself when unknown. */
const char *report_kind_label(const char *kind);
const char *report_model_label(const char *model);
const char *report_method_label(const char *method);
const char *report_role_label(const char *role);
const char *report_alert_label(const char *kind);
const char *report_action_label(const char *action);
const char *report_state_label(const char *state);

/*
 * The diagram as SVG markup (an <svg> element without the XML prolog),
 * laid out by Graphviz's dot in process.  NULL with err when Graphviz
 * fails.  Free with free().
 */
char *report_diagram_svg(const json_t *m, char *err, size_t errlen);

/*
 * The whole report as one HTML document (UTF-8, inline CSS and SVG, no
 * script).  svg is the diagram or NULL (then the report says why:
 * svg_why).  NULL with err on failure.  Free with free().
 */
char *report_html(const json_t *m, const char *svg, const char *svg_why,
    size_t *len, char *err, size_t errlen);

#endif
