/*
 * ctl_journal — zonectl journal: the change journal read from its file
 * (the daemon's, or any copy given with --file), listed, one entry shown
 * with the text diff of its two policies (diff -u of the kept texts), or
 * its hash chain verified with the code the daemon writes it with
 * (lib/journal.c).  Works without the daemon: an auditor's copy of the
 * state directory is enough.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "conf.h"
#include "ctlproto.h"
#include "journal.h"
#include "zonectl.h"

#define DEFAULT_JOURNAL "/var/lib/zoned/journal"

extern char **environ;

/* The running daemon's journal, else the default place. */
static char *
journal_file(const struct ctl *c)
{
	json_t *ans = ctl_request(c, CTL_CMD_STATUS, NULL);
	const char *f = json_string_value(json_object_get(json_object_get(
	    json_object_get(ans, "result"), "journal"), "file"));
	char *s;

	if (f == NULL)
		fprintf(stderr, "zonectl: reading %s\n", DEFAULT_JOURNAL);
	s = strdup(f ? f : DEFAULT_JOURNAL);
	json_decref(ans);
	return s;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "r");
	size_t cap = 65536, n = 0, k;
	char *buf;

	if (fp == NULL)
		return NULL;
	if ((buf = malloc(cap)) == NULL) {
		fclose(fp);
		return NULL;
	}
	while ((k = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += k;
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (nb == NULL) {
				free(buf);
				fclose(fp);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
	}
	if (ferror(fp)) {
		free(buf);
		fclose(fp);
		errno = EIO;
		return NULL;
	}
	fclose(fp);
	*len = n;
	return buf;
}

/* Each well-formed entry of buf, in file order, to fn; stops when fn
 * returns non-zero and returns that. */
static int
each_entry(const char *buf, size_t len, int (*fn)(json_t *, void *),
    void *arg)
{
	const char *p = buf, *end = buf + len;
	int rc = 0;

	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char hash[JOURNAL_HASH_LEN + 1];
		json_t *e = journal_parse(p, n, hash);

		if (e != NULL) {
			json_object_set_new(e, "hash", json_string(hash));
			rc = fn(e, arg);
			json_decref(e);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return rc;
}

static const char *
js(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "-";
}

static const char *
short_sha(const json_t *o, const char *k, char *buf)
{
	const char *s = json_string_value(json_object_get(o, k));

	snprintf(buf, 13, "%s", s ? s : "-");
	return buf;
}

/* ---------------------------------------------------------------------
 * List
 */

struct list {
	time_t since;
	bool json;
	json_t *all;
	size_t n;
};

static int
list_one(json_t *e, void *arg)
{
	struct list *l = arg;
	const json_t *f = json_object_get(e, "flows");
	char b1[13], b2[13], uid[24] = "-", extra[256] = "";
	time_t t = 0;

	if (l->since && (conf_parse_time(js(e, "time"), &t) < 0 ||
	    t < l->since))
		return 0;
	l->n++;
	if (l->json) {
		json_array_append(l->all, e);
		return 0;
	}
	if (json_is_integer(json_object_get(e, "uid")))
		snprintf(uid, sizeof(uid), "%lld",
		    (long long)json_integer_value(json_object_get(e, "uid")));
	if (json_object_get(e, "zone"))
		snprintf(extra, sizeof(extra), " zone=%s", js(e, "zone"));
	if (json_is_object(f))
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
		    " flows=+%zu/-%zu/~%zu", json_array_size(json_object_get(f,
		    "added")), json_array_size(json_object_get(f, "removed")),
		    json_array_size(json_object_get(f, "changed")));
	printf("%5lld %s %-18s %s(%s) policy %s->%s%s%s%s\n",
	    (long long)json_integer_value(json_object_get(e, "seq")),
	    js(e, "time"), js(e, "action"), js(e, "user"), uid,
	    short_sha(e, "policy_before", b1), short_sha(e, "policy_after", b2),
	    extra, json_object_get(e, "reason") ? " reason=" : "",
	    json_object_get(e, "reason") ? js(e, "reason") : "");
	return 0;
}

/* ---------------------------------------------------------------------
 * Show
 */

struct show {
	long long seq;
	json_t *found;
};

static int
show_find(json_t *e, void *arg)
{
	struct show *s = arg;

	if (json_integer_value(json_object_get(e, "seq")) != s->seq)
		return 0;
	s->found = json_incref(e);
	return 1;
}

static void
show_flows(const char *kind, const json_t *list)
{
	const json_t *f, *w;
	size_t i, j;

	json_array_foreach(list, i, f) {
		printf("  %-8s %s (%s -> %s, approval %s)", kind, js(f, "flow"),
		    js(f, "from"), js(f, "to"), json_is_string(json_object_get(f,
		    "approval")) ? js(f, "approval") : "none");
		if (json_is_array(json_object_get(f, "was"))) {
			printf(": ");
			json_array_foreach(json_object_get(f, "was"), j, w)
				printf("%s%s", j ? ", " : "",
				    json_string_value(w));
		}
		if (json_object_get(f, "approval_before"))
			printf(" (approval was %s)", json_is_string(
			    json_object_get(f, "approval_before")) ?
			    js(f, "approval_before") : "none");
		printf("\n");
	}
}

/* diff -u of the two kept texts; its exit code, -1 when it cannot run. */
static int
text_diff(const char *dir, const char *a, const char *b)
{
	char pa[4096], pb[4096], la[80], lb[80];
	char *argv[] = { "diff", "-u", "--label", la, "--label", lb, pa, pb,
	    NULL };
	pid_t pid;
	int st;

	snprintf(pa, sizeof(pa), "%s/policies/%s.conf", dir, a);
	snprintf(pb, sizeof(pb), "%s/policies/%s.conf", dir, b);
	snprintf(la, sizeof(la), "policy %.12s (before)", a);
	snprintf(lb, sizeof(lb), "policy %.12s (after)", b);
	if (access(pa, R_OK) < 0 || access(pb, R_OK) < 0) {
		printf("(the text of policy %.12s is not kept in %s/policies)\n",
		    access(pa, R_OK) < 0 ? a : b, dir);
		return -1;
	}
	fflush(stdout);
	if (posix_spawnp(&pid, "diff", NULL, NULL, argv, environ) != 0) {
		printf("(diff cannot be run: %s)\n", strerror(errno));
		return -1;
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int
show(const char *file, const char *buf, size_t len, long long seq,
    bool json)
{
	struct show s = { .seq = seq };
	struct journal_check c;
	const json_t *e, *f;
	char *copy, uid[24] = "-";
	const char *before, *after;

	if (journal_verify(buf, len, &c) != 0)
		fprintf(stderr, "zonectl: warning: the journal's chain is "
		    "broken: %s\n", c.msg);
	each_entry(buf, len, show_find, &s);
	if ((e = s.found) == NULL) {
		fprintf(stderr, "zonectl: %s has no entry %lld\n", file, seq);
		return EXIT_NO;
	}
	if (json) {
		ctl_print_json(e);
		json_decref(s.found);
		return 0;
	}
	if (json_is_integer(json_object_get(e, "uid")))
		snprintf(uid, sizeof(uid), "%lld",
		    (long long)json_integer_value(json_object_get(e, "uid")));
	before = json_string_value(json_object_get(e, "policy_before"));
	after = json_string_value(json_object_get(e, "policy_after"));
	printf("entry    %lld: %s\n", seq, js(e, "action"));
	printf("time     %s\n", js(e, "time"));
	printf("by       %s (uid %s)\n", js(e, "user"), uid);
	printf("policy   %s\n      -> %s\n", before ? before : "none",
	    after ? after : "none");
	if (json_object_get(e, "zone"))
		printf("zone     %s\n", js(e, "zone"));
	if (json_object_get(e, "file"))
		printf("file     %s\n", js(e, "file"));
	if (json_object_get(e, "reason"))
		printf("reason   %s\n", js(e, "reason"));
	printf("prev     %s\nhash     %s\n", js(e, "prev"), js(e, "hash"));
	if (json_is_object(f = json_object_get(e, "flows"))) {
		printf("flows    %zu added, %zu removed, %zu changed\n",
		    json_array_size(json_object_get(f, "added")),
		    json_array_size(json_object_get(f, "removed")),
		    json_array_size(json_object_get(f, "changed")));
		show_flows("added", json_object_get(f, "added"));
		show_flows("removed", json_object_get(f, "removed"));
		show_flows("changed", json_object_get(f, "changed"));
		if (json_object_get(f, "omitted"))
			printf("  (%lld more not listed)\n", (long long)
			    json_integer_value(json_object_get(f, "omitted")));
	}
	if (before && after && strcmp(before, after) != 0) {
		printf("text     diff -u of the two policies:\n");
		copy = strdup(file);
		text_diff(copy ? dirname(copy) : ".", before, after);
		free(copy);
	} else
		printf("text     the same policy text before and after\n");
	json_decref(s.found);
	return 0;
}

/* ---------------------------------------------------------------------
 * Verify
 */

static int
verify(const char *file, const char *buf, size_t len, bool json)
{
	struct journal_check c;
	int bad = journal_verify(buf, len, &c);

	if (json) {
		json_t *j = json_pack("{s:s, s:b, s:I, s:I, s:I, s:s}", "file",
		    file, "intact", !bad, "entries", (json_int_t)c.entries,
		    "first_seq", (json_int_t)c.first_seq, "last_seq",
		    (json_int_t)c.last_seq, "last_hash", c.last_hash);
		if (bad)
			json_object_set_new(j, "problem", json_pack("{s:I, s:I, "
			    "s:s}", "line", (json_int_t)c.line, "seq",
			    (json_int_t)c.seq, "message", c.msg));
		ctl_print_json(j);
		json_decref(j);
	} else if (!bad) {
		printf("%s: intact, %zu entries", file, c.entries);
		if (c.entries)
			printf(" (seq %lld to %lld)", c.first_seq, c.last_seq);
		printf("\nlast hash %s\n(compare it with the syslog copy: "
		    "event=journal seq=%lld ... hash=%s)\n", c.last_hash,
		    c.last_seq, c.last_hash);
	} else {
		printf("%s: BROKEN: %s\n", file, c.msg);
		printf("%zu entries before it are intact%s\n", c.entries,
		    c.entries ? "" : " (none)");
	}
	return bad ? EXIT_NO : 0;
}

int
ctl_journal(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "file", required_argument, NULL, 'f' },
		{ "since", required_argument, NULL, 's' },
		{ "show", required_argument, NULL, 'S' },
		{ "verify", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct list l = { 0 };
	const char *file = NULL;
	long long seq = 0, since = 0;
	bool do_verify = false;
	char *path, *buf, *end;
	size_t len = 0;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			c->json = true;
			break;
		case 'f':
			file = optarg;
			break;
		case 's':
			if (ctl_parse_at(optarg, &since) < 0)
				return EXIT_TROUBLE;
			break;
		case 'S':
			seq = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || seq < 1) {
				fprintf(stderr, "zonectl: --show takes an entry's "
				    "seq, a number from 1\n");
				return EXIT_TROUBLE;
			}
			break;
		case 'v':
			do_verify = true;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || (do_verify && (seq || since)) || (seq && since))
		goto usage;
	path = file ? strdup(file) : journal_file(c);
	if (path == NULL || (buf = slurp(path, &len)) == NULL) {
		fprintf(stderr, "zonectl: %s: %s\n", path ? path : "journal",
		    strerror(errno));
		free(path);
		return EXIT_TROUBLE;
	}
	if (do_verify)
		rc = verify(path, buf, len, c->json);
	else if (seq)
		rc = show(path, buf, len, seq, c->json);
	else {
		l.since = (time_t)since;
		l.json = c->json;
		l.all = json_array();
		each_entry(buf, len, list_one, &l);
		if (c->json)
			ctl_print_json(l.all);
		else if (l.n == 0)
			printf("no entries\n");
		json_decref(l.all);
		rc = 0;
	}
	free(buf);
	free(path);
	return rc;
usage:
	fprintf(stderr, "usage: zonectl journal [--file FILE] [--since TIME] "
	    "[--json]\n       zonectl journal --show SEQ [--file FILE] "
	    "[--json]\n       zonectl journal --verify [--file FILE] "
	    "[--json]\n");
	return EXIT_TROUBLE;
}
