/*
 * journal — the change journal's hash chain (sealing, verifying) and the
 * flow-by-flow difference an entry carries.  See journal.h for the format.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "journal.h"

/* Every sealed line ends with this, the hash and SUFFIX_END. */
#define HASH_KEY ",\"hash\":\""
#define SUFFIX_END "\"}"
#define SUFFIX_LEN (sizeof(HASH_KEY) - 1 + JOURNAL_HASH_LEN + \
	sizeof(SUFFIX_END) - 1)

int
journal_sha256(const void *data, size_t len, char out[JOURNAL_HASH_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32) {
		snprintf(out, JOURNAL_HASH_LEN + 1, "?");
		return -1;
	}
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* The hash of a line's body: its bytes up to the hash member, then "}". */
static int
body_hash(const char *line, size_t bodylen, char out[JOURNAL_HASH_LEN + 1])
{
	char *b = malloc(bodylen + 1);
	int rc;

	if (b == NULL)
		return -1;
	memcpy(b, line, bodylen);
	b[bodylen] = '}';
	rc = journal_sha256(b, bodylen + 1, out);
	free(b);
	return rc;
}

char *
journal_seal(json_t *entry, const char *prev, char hash[JOURNAL_HASH_LEN + 1],
    char *err, size_t errlen)
{
	char *body, *line;
	size_t n;

	if (!json_is_object(entry) || json_object_get(entry, "hash") != NULL) {
		snprintf(err, errlen, "a journal entry is an object without "
		    "\"hash\"");
		return NULL;
	}
	if (json_object_set_new(entry, "prev", json_string(prev)) < 0 ||
	    (body = json_dumps(entry, JSON_COMPACT | JSON_PRESERVE_ORDER)) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n = strlen(body);	/* ends in '}' */
	if (body_hash(body, n - 1, hash) < 0 ||
	    asprintf(&line, "%.*s" HASH_KEY "%s" SUFFIX_END "\n", (int)(n - 1),
	    body, hash) < 0) {
		free(body);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	free(body);
	return line;
}

static bool
is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return false;
	return true;
}

/* The length of the body before the hash member, 0 when the line does
 * not end like a sealed entry. */
static size_t
body_len(const char *line, size_t len)
{
	const char *h;

	if (len < SUFFIX_LEN + 2 || line[0] != '{')
		return 0;
	h = line + len - SUFFIX_LEN;
	if (memcmp(h, HASH_KEY, sizeof(HASH_KEY) - 1) != 0 ||
	    !is_hex(h + sizeof(HASH_KEY) - 1, JOURNAL_HASH_LEN) ||
	    memcmp(line + len - 2, SUFFIX_END, 2) != 0)
		return 0;
	return len - SUFFIX_LEN;
}

json_t *
journal_parse(const char *line, size_t len, char hash[JOURNAL_HASH_LEN + 1])
{
	size_t bl = body_len(line, len);
	json_t *e;

	if (bl == 0)
		return NULL;
	e = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(e) || !json_is_integer(json_object_get(e, "seq")) ||
	    !json_is_string(json_object_get(e, "prev"))) {
		json_decref(e);
		return NULL;
	}
	memcpy(hash, line + bl + sizeof(HASH_KEY) - 1, JOURNAL_HASH_LEN);
	hash[JOURNAL_HASH_LEN] = '\0';
	return e;
}

/* Does a line at or after p (up to end) hold entry seq? */
static bool
seq_later(const char *p, const char *end, long long seq)
{
	char pre[40];
	int n = snprintf(pre, sizeof(pre), "{\"seq\":%lld,", seq);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if ((size_t)(end - p) >= (size_t)n && memcmp(p, pre,
		    (size_t)n) == 0)
			return true;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return false;
}

static int
broken(struct journal_check *c, size_t line, long long seq, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
broken(struct journal_check *c, size_t line, long long seq, const char *fmt,
    ...)
{
	va_list ap;

	c->line = line;
	c->seq = seq;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return 1;
}

int
journal_verify(const char *buf, size_t len, struct journal_check *c)
{
	const char *p = buf, *end = buf + len;
	char prev[JOURNAL_HASH_LEN + 1] = JOURNAL_GENESIS;
	size_t lineno = 0;
	long long want = 1;

	memset(c, 0, sizeof(*c));
	c->seq = -1;
	snprintf(c->last_hash, sizeof(c->last_hash), "%s", JOURNAL_GENESIS);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char stored[JOURNAL_HASH_LEN + 1], got[JOURNAL_HASH_LEN + 1];
		const char *eprev;
		long long seq;
		json_t *e;

		lineno++;
		if (nl == NULL)
			return broken(c, lineno, want, "line %zu: the last line "
			    "is cut short (no newline): entry seq %lld was not "
			    "written whole", lineno, want);
		if ((e = journal_parse(p, n, stored)) == NULL)
			return broken(c, lineno, want, "line %zu: entry seq %lld "
			    "was altered: the line is not a sealed journal "
			    "entry", lineno, want);
		seq = (long long)json_integer_value(json_object_get(e, "seq"));
		eprev = json_string_value(json_object_get(e, "prev"));
		if (body_hash(p, body_len(p, n), got) < 0) {
			json_decref(e);
			return broken(c, lineno, want, "out of memory");
		}
		if (strcmp(got, stored) != 0) {
			json_decref(e);
			/* the line's own seq is not to be trusted now */
			if (seq != want)
				return broken(c, lineno, want, "line %zu: entry "
				    "seq %lld was altered: its content does not "
				    "match its hash (it claims seq %lld)", lineno,
				    want, seq);
			return broken(c, lineno, want, "line %zu: entry seq %lld "
			    "was altered: its content does not match its hash",
			    lineno, want);
		}
		if (seq != want) {
			json_decref(e);
			if (seq > want && seq_later(p, end, want))
				return broken(c, lineno, seq, "line %zu: entry "
				    "seq %lld is out of order: seq %lld comes "
				    "after it (entries were reordered)", lineno,
				    seq, want);
			if (seq > want)
				return broken(c, lineno, want, "line %zu: entry "
				    "seq %lld was removed%s (the line holds seq "
				    "%lld)", lineno, want, seq > want + 1 ?
				    " with those up to it" : "", seq);
			return broken(c, lineno, seq, "line %zu: entry seq %lld "
			    "is out of order: it comes after seq %lld "
			    "(entries were reordered or repeated)", lineno, seq,
			    want - 1);
		}
		if (strcmp(eprev, prev) != 0) {
			json_decref(e);
			if (want == 1)
				return broken(c, lineno, 1, "line %zu: entry seq "
				    "1 was altered: it does not start the chain",
				    lineno);
			return broken(c, lineno - 1, want - 1, "line %zu: entry "
			    "seq %lld was altered or replaced: its hash is not "
			    "the prev of seq %lld", lineno - 1, want - 1, want);
		}
		json_decref(e);
		memcpy(prev, stored, sizeof(prev));
		if (c->entries++ == 0)
			c->first_seq = seq;
		c->last_seq = seq;
		memcpy(c->last_hash, stored, sizeof(c->last_hash));
		c->good_len = (size_t)(nl + 1 - buf);
		want++;
		p = nl + 1;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Flow by flow
 */

static const char *
zone_of(const struct policy *p, const struct endpoint *e)
{
	int z = policy_endpoint_zone(p, e);

	return z >= 0 && (size_t)z < p->nzones ? p->zones[z].name : "?";
}

static json_t *
flow_json(const struct policy *p, const struct flow *f)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "flow", f->name, "from",
	    zone_of(p, &f->from), "to", zone_of(p, &f->to), "approval",
	    f->approval ? json_string(f->approval) : json_null());
}

static const struct policy *sort_pol;

static int
by_name(const void *x, const void *y)
{
	return strcmp(sort_pol->flows[*(const size_t *)x].name,
	    sort_pol->flows[*(const size_t *)y].name);
}

/* The flows of p by name (indices), NULL on allocation failure. */
static size_t *
sorted(const struct policy *p)
{
	size_t n = p ? p->nflows : 0, *v = malloc((n + 1) * sizeof(*v));

	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = i;
	sort_pol = p;
	if (n > 1)
		qsort(v, n, sizeof(*v), by_name);
	return v;
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

struct flows_out {
	json_t *obj, *added, *removed, *changed;
	size_t omitted;
};

static void
put(struct flows_out *o, json_t *list, json_t *f)
{
	if (f == NULL)
		return;
	if (json_array_size(list) < JOURNAL_FLOWS_MAX)
		json_array_append_new(list, f);
	else {
		o->omitted++;
		json_decref(f);
	}
}

static json_t *
changed_json(const struct policy *a, const struct flow *fa,
    const struct policy *b, const struct flow *fb)
{
	json_t *was = json_array(), *f;

	if (fa->mark != fb->mark)
		json_array_append_new(was, json_string("definition"));
	if (!same_str(fa->approval, fb->approval))
		json_array_append_new(was, json_string("approval"));
	if (fa->has_expires != fb->has_expires || (fa->has_expires &&
	    fa->expires != fb->expires))
		json_array_append_new(was, json_string("expires"));
	if (fa->log != fb->log)
		json_array_append_new(was, json_string("log"));
	if (json_array_size(was) == 0) {
		json_decref(was);
		return NULL;
	}
	(void)a;
	f = flow_json(b, fb);
	json_object_set_new(f, "was", was);
	if (!same_str(fa->approval, fb->approval))
		json_object_set_new(f, "approval_before", fa->approval ?
		    json_string(fa->approval) : json_null());
	return f;
}

static struct flows_out
flows_new(void)
{
	struct flows_out o = { .obj = json_object(), .added = json_array(),
	    .removed = json_array(), .changed = json_array() };

	return o;
}

static json_t *
flows_done(struct flows_out *o)
{
	if (o->obj == NULL || o->added == NULL || o->removed == NULL ||
	    o->changed == NULL) {
		json_decref(o->obj);
		json_decref(o->added);
		json_decref(o->removed);
		json_decref(o->changed);
		return NULL;
	}
	json_object_set_new(o->obj, "added", o->added);
	json_object_set_new(o->obj, "removed", o->removed);
	json_object_set_new(o->obj, "changed", o->changed);
	if (o->omitted)
		json_object_set_new(o->obj, "omitted",
		    json_integer((json_int_t)o->omitted));
	return o->obj;
}

json_t *
journal_flows(const struct policy *a, const struct policy *b)
{
	size_t *va = sorted(a), *vb = sorted(b), i = 0, j = 0;
	size_t na = a ? a->nflows : 0, nb = b ? b->nflows : 0;
	struct flows_out o = flows_new();

	if (va == NULL || vb == NULL) {
		free(va);
		free(vb);
		o.added = o.removed = o.changed = NULL;
		return flows_done(&o);
	}
	while (i < na || j < nb) {
		const struct flow *fa = i < na ? &a->flows[va[i]] : NULL;
		const struct flow *fb = j < nb ? &b->flows[vb[j]] : NULL;
		int c = fa == NULL ? 1 : fb == NULL ? -1 :
		    strcmp(fa->name, fb->name);

		if (c < 0) {
			put(&o, o.removed, flow_json(a, fa));
			i++;
		} else if (c > 0) {
			put(&o, o.added, flow_json(b, fb));
			j++;
		} else {
			put(&o, o.changed, changed_json(a, fa, b, fb));
			i++;
			j++;
		}
	}
	free(va);
	free(vb);
	return flows_done(&o);
}

json_t *
journal_expired(const struct policy *p, time_t before, time_t now)
{
	struct flows_out o = flows_new();

	for (size_t i = 0; p && i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];
		if (f->has_expires && f->expires > before && f->expires <= now)
			put(&o, o.removed, flow_json(p, f));
		if (f->has_starts && f->starts > before && f->starts <= now &&
		    !f->bad)
			put(&o, o.added, flow_json(p, f));
	}
	return flows_done(&o);
}
