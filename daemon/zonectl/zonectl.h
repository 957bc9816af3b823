/*
 * zonectl — the control tool of zoned.
 */
#ifndef ZONECTL_H
#define ZONECTL_H

#include <stdbool.h>

#include <jansson.h>

#define ZONECTL_DEFAULT_CONF "/etc/zoned/zoned.conf"

/* Exit codes: 0 ok / permitted / no finding, 1 the answer is "no" (errors,
 * deny, drift, violations), 2 usage, I/O or no daemon. */
#define EXIT_NO 1
#define EXIT_TROUBLE 2

struct ctl {
	const char *sock;	/* -s, NULL: from the policy or the default */
	bool json;
};

int ctl_lint(struct ctl *c, int argc, char **argv);
int ctl_check(struct ctl *c, int argc, char **argv);
int ctl_status(struct ctl *c, int argc, char **argv);
int ctl_zones(struct ctl *c, int argc, char **argv);
int ctl_flows(struct ctl *c, int argc, char **argv);
int ctl_verify(struct ctl *c, int argc, char **argv);
int ctl_reload(struct ctl *c, int argc, char **argv);
int ctl_alerts(struct ctl *c, int argc, char **argv);
int ctl_audit(struct ctl *c, int argc, char **argv);
int ctl_isolate(struct ctl *c, int argc, char **argv);
int ctl_restore(struct ctl *c, int argc, char **argv);
int ctl_confirm(struct ctl *c, int argc, char **argv);
int ctl_rollback(struct ctl *c, int argc, char **argv);
int ctl_journal(struct ctl *c, int argc, char **argv);
int ctl_report(struct ctl *c, int argc, char **argv);
int ctl_check_online(struct ctl *c, const char *src, const char *dst,
    const char *proto, const char *mac, int sport);

int ctl_health(struct ctl *c, int argc, char **argv);
int ctl_ha_notify(struct ctl *c, int argc, char **argv);

/* One request to zoned; NULL (reason printed) when it cannot be reached. */
json_t *ctl_request(const struct ctl *c, const char *cmd, json_t *args);
/* An error answer on stderr (message, findings, kernel errors); its exit
 * code. */
int ctl_answer_error(const json_t *ans);
/* A JSON value, indented, on stdout. */
void ctl_print_json(const json_t *j);

/* One request: its result (a new reference), or NULL with the error
 * printed and the exit code for it in *rc.  args is consumed. */
json_t *ctl_call(const struct ctl *c, const char *cmd, json_t *args,
    int *rc);

/* A member of an answer: a string (NULL when missing or not a string), an
 * integer (0 when missing). */
static inline const char *
jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static inline json_int_t
jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* Parse "--at TIME" for tests and what-if questions: RFC 3339. */
int ctl_parse_at(const char *s, long long *out);

#endif
