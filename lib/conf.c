/*
 * conf — the libconfig policy file -> the policy model.
 *
 * The walk is strict: unknown keys, wrong types, bad values, duplicate names
 * and dangling references are all errors (a typo in a security policy must
 * never pass silently), and it goes on after each error so that one run
 * reports them all.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libconfig.h>

#include "conf.h"
#include "confsyntax.h"

#define ZL011 "ZL011"

/* Names -> indices, so that resolving 100K flows stays linear. */
struct name_index {
	const char **names;
	int *idx;
	size_t cap, n;
};

struct loader {
	struct policy *p;
	struct diag *d;
	const char *file;
	const char *dir;	/* relative names (@include, address lists) are
				 * taken from here; NULL: the current directory */
	struct name_index zones, hosts, services, flows;
	/* sections given under a wrong name or type: references into them
	 * are not reported again (one typo, one finding) */
	bool broken_zones, broken_hosts, broken_services;
	/* Keys that check_keys() just suggested for a typo in the current
	 * group: a missing required key among them is not reported again. */
	const config_setting_t *suggested_in;
	const char *suggested[8];
	int nsuggested;
};

/* ---------------------------------------------------------------------
 * Name indices
 */

static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static int
index_get(const struct name_index *x, const char *name)
{
	if (x->cap == 0)
		return -1;
	for (size_t k = name_hash(name) & (x->cap - 1); x->names[k];
	    k = (k + 1) & (x->cap - 1))
		if (strcmp(x->names[k], name) == 0)
			return x->idx[k];
	return -1;
}

/* Add name -> i unless the name is there; -1 on allocation failure. */
static int
index_put(struct name_index *x, const char *name, int i)
{
	size_t k;

	if ((x->n + 1) * 2 > x->cap) {
		struct name_index y = { 0 };
		y.cap = x->cap ? x->cap * 2 : 64;
		y.names = calloc(y.cap, sizeof(*y.names));
		y.idx = calloc(y.cap, sizeof(*y.idx));
		if (y.names == NULL || y.idx == NULL) {
			free(y.names);
			free(y.idx);
			return -1;
		}
		for (size_t j = 0; j < x->cap; j++)
			if (x->names[j])
				index_put(&y, x->names[j], x->idx[j]);
		free(x->names);
		free(x->idx);
		*x = y;
	}
	for (k = name_hash(name) & (x->cap - 1); x->names[k];
	    k = (k + 1) & (x->cap - 1))
		if (strcmp(x->names[k], name) == 0)
			return 0;
	x->names[k] = name;
	x->idx[k] = i;
	x->n++;
	return 0;
}

static void
index_free(struct name_index *x)
{
	free(x->names);
	free(x->idx);
	memset(x, 0, sizeof(*x));
}

/* ---------------------------------------------------------------------
 * Reporting
 */

static const char *
setting_file(const struct loader *L, const config_setting_t *s)
{
	const char *f = s ? config_setting_source_file(s) : NULL;
	char buf[PATH_MAX];
	const char *r;

	if (f == NULL || strcmp(f, L->file) == 0)
		return L->file;
	/* interned: findings and objects keep pointing at it */
	r = policy_intern_file(L->p, confsyntax_path(L->dir, f, buf,
	    sizeof(buf)));
	return r ? r : L->file;
}

/*
 * The line of a setting.  A scalar element of an array or list is reported
 * at the line of its key: libconfig gives the last element of a multi-line
 * list the line of the closing bracket (the parser's lookahead).
 */
static int
setting_line(const config_setting_t *s)
{
	const config_setting_t *parent;
	int t;

	if (s == NULL)
		return 0;
	t = config_setting_type(s);
	parent = config_setting_parent(s);
	/* values of a key (ports, networks, service...), not the objects of
	 * a top-level list (flows, management) */
	if (parent && t != CONFIG_TYPE_GROUP && t != CONFIG_TYPE_LIST &&
	    t != CONFIG_TYPE_ARRAY && (config_setting_type(parent) ==
	    CONFIG_TYPE_ARRAY || config_setting_type(parent) ==
	    CONFIG_TYPE_LIST) && !config_setting_is_root(
	    config_setting_parent(parent)))
		s = parent;
	return (int)config_setting_source_line(s);
}

static void lerr(struct loader *, const config_setting_t *, const char *,
    const char *, ...) __attribute__((format(printf, 4, 5)));

static void
lerr(struct loader *L, const config_setting_t *s, const char *object,
    const char *fmt, ...)
{
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	diag_add(L->d, setting_file(L, s), setting_line(s), DIAG_ERROR, ZL011,
	    object, "%s", msg ? msg : "(out of memory)");
	free(msg);
}

static const char *
type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP: return "a group { }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a number with a fraction";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array [ ]";
	case CONFIG_TYPE_LIST: return "a list ( )";
	}
	return "something else";
}

/* Report every member of group g that is not in keys[] (NULL-terminated);
 * returns how many there were. */
static int
check_keys(struct loader *L, const config_setting_t *g, const char *object,
    const char *const keys[])
{
	int n = config_setting_length(g), unknown = 0;

	L->suggested_in = g;
	L->nsuggested = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(g, i);
		const char *name = config_setting_name(m);
		const char *near = NULL;
		int bestd = 3;
		char list[256] = "";
		bool ok = false;

		for (size_t k = 0; keys[k]; k++) {
			int dist;
			if (strcmp(keys[k], name) == 0) {
				ok = true;
				break;
			}
			dist = policy_edit_distance(keys[k], name);
			if (dist < bestd) {
				bestd = dist;
				near = keys[k];
			}
			if (k)
				strncat(list, ", ", sizeof(list) - strlen(list) - 1);
			strncat(list, keys[k], sizeof(list) - strlen(list) - 1);
		}
		if (ok)
			continue;
		unknown++;
		if (near && L->nsuggested < 8)
			L->suggested[L->nsuggested++] = near;
		if (near)
			lerr(L, m, object, "unknown key \"%s\" (did you mean "
			    "\"%s\"?)", name, near);
		else
			lerr(L, m, object, "unknown key \"%s\" (expected: %s)",
			    name, list);
	}
	return unknown;
}

/* Did check_keys() just suggest key for a typo in group g? */
static bool
suggested(const struct loader *L, const config_setting_t *g, const char *key)
{
	if (L->suggested_in != g)
		return false;
	for (int i = 0; i < L->nsuggested; i++)
		if (strcmp(L->suggested[i], key) == 0)
			return true;
	return false;
}

static bool
wrong_type(const config_setting_t *g, const char *key, int type)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	return s != NULL && config_setting_type(s) != type;
}

/* Report a missing required key, unless a typo of it was just reported. */
static void
missing(struct loader *L, const config_setting_t *g, const char *object,
    const char *key)
{
	if (!suggested(L, g, key))
		lerr(L, g, object, "missing required key \"%s\"", key);
}

/* ---------------------------------------------------------------------
 * Typed getters: 1 found and valid, 0 absent, -1 error (reported).
 */

static int
get_string(struct loader *L, const config_setting_t *g, const char *key,
    const char *object, bool required, const char **out, int *line)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	*out = NULL;
	if (s == NULL) {
		if (required) {
			missing(L, g, object, key);
			return -1;
		}
		return 0;
	}
	if (line)
		*line = setting_line(s);
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		lerr(L, s, object, "\"%s\" must be a string, not %s", key,
		    type_name(config_setting_type(s)));
		return -1;
	}
	*out = config_setting_get_string(s);
	if ((*out)[0] == '\0') {
		lerr(L, s, object, "\"%s\" must not be empty", key);
		return -1;
	}
	return 1;
}

static int
get_int(struct loader *L, const config_setting_t *g, const char *key,
    const char *object, long long lo, long long hi, long long *out, int *line)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	long long v;

	if (s == NULL)
		return 0;
	if (line)
		*line = setting_line(s);
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		break;
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		break;
	default:
		lerr(L, s, object, "\"%s\" must be an integer, not %s", key,
		    type_name(config_setting_type(s)));
		return -1;
	}
	if (v < lo || v > hi) {
		lerr(L, s, object, "\"%s\" = %lld is out of range (%lld..%lld)",
		    key, v, lo, hi);
		return -1;
	}
	*out = v;
	return 1;
}

static int
get_bool(struct loader *L, const config_setting_t *g, const char *key,
    const char *object, bool *out, int *line)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (s == NULL)
		return 0;
	if (line)
		*line = setting_line(s);
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		lerr(L, s, object, "\"%s\" must be true or false, not %s", key,
		    type_name(config_setting_type(s)));
		return -1;
	}
	*out = config_setting_get_bool(s) != 0;
	return 1;
}

static const config_setting_t *
get_group(struct loader *L, const config_setting_t *g, const char *key,
    const char *object, bool *bad)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (s != NULL && config_setting_type(s) != CONFIG_TYPE_GROUP) {
		lerr(L, s, object, "\"%s\" must be a group { ... }, not %s",
		    key, type_name(config_setting_type(s)));
		*bad = true;
		return NULL;
	}
	return s;
}

/*
 * A list of strings: one string, an array [ "a", "b" ] or a list ( "a" ).
 * Calls fn for each element; returns the number of elements, -1 on a type
 * error (reported).  An empty list is reported when required.
 */
typedef int (*str_elem_fn)(struct loader *, const config_setting_t *elem,
    const char *value, void *arg);

static int
each_string(struct loader *L, const config_setting_t *s, const char *key,
    const char *object, str_elem_fn fn, void *arg)
{
	int n, bad = 0;

	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return fn(L, s, config_setting_get_string(s), arg) < 0 ? -1 : 1;
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		lerr(L, s, object, "\"%s\" must be a string or a list of "
		    "strings, not %s", key, type_name(config_setting_type(s)));
		return -1;
	}
	n = config_setting_length(s);
	if (n == 0) {
		lerr(L, s, object, "\"%s\" must not be empty", key);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			lerr(L, e, object, "element %d of \"%s\" must be a "
			    "string, not %s", i + 1, key,
			    type_name(config_setting_type(e)));
			bad = 1;
			continue;
		}
		if (fn(L, e, config_setting_get_string(e), arg) < 0)
			bad = 1;
	}
	return bad ? -1 : n;
}

static bool
valid_name(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

/* Is s valid UTF-8 without control characters? */
static bool
valid_utf8_text(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		int n;
		uint32_t c;

		if (*u < 0x80) {
			if (*u < 0x20 || *u == 0x7f)
				return false;
			u++;
			continue;
		}
		if ((*u & 0xe0) == 0xc0) {
			n = 1;
			c = *u & 0x1f;
		} else if ((*u & 0xf0) == 0xe0) {
			n = 2;
			c = *u & 0x0f;
		} else if ((*u & 0xf8) == 0xf0) {
			n = 3;
			c = *u & 0x07;
		} else
			return false;
		for (int i = 1; i <= n; i++) {
			if ((u[i] & 0xc0) != 0x80)
				return false;
			c = c << 6 | (u[i] & 0x3f);
		}
		if ((n == 1 && c < 0x80) || (n == 2 && c < 0x800) ||
		    (n == 3 && (c < 0x10000 || c > 0x10ffff)) ||
		    (c >= 0xd800 && c <= 0xdfff))
			return false;
		u += n + 1;
	}
	return true;
}

static bool
has_non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

#define LABEL_MAX 128

/* label = "...": any UTF-8 text shown beside an ASCII name.  1 set, 0
 * absent, -1 error (reported). */
static int
get_label(struct loader *L, const config_setting_t *g, const char *object,
    char **out)
{
	const char *v;
	int rc = get_string(L, g, "label", object, false, &v, NULL);

	if (rc <= 0)
		return rc;
	if (strlen(v) > LABEL_MAX || !valid_utf8_text(v)) {
		lerr(L, config_setting_get_member(g, "label"), object,
		    "\"label\" must be UTF-8 text of at most %d bytes without "
		    "control characters", LABEL_MAX);
		return -1;
	}
	free(*out);
	if ((*out = strdup(v)) == NULL) {
		L->d->oom = 1;
		return -1;
	}
	return 1;
}

/* The known host or zone name nearest to word, for "did you mean". */
static const char *
near_name(const struct loader *L, const char *word, bool zones)
{
	return policy_near_name(L->p, word, zones);
}

static char *
xstrdup(struct loader *L, const char *s)
{
	char *r = strdup(s);

	if (r == NULL)
		L->d->oom = 1;
	return r;
}

/* Grow *v (of *n elements of size sz) by one zeroed element. */
static void *
push(void **v, size_t *n, size_t sz)
{
	void *nv = realloc(*v, (*n + 1) * sz);

	if (nv == NULL)
		return NULL;
	*v = nv;
	memset((char *)nv + *n * sz, 0, sz);
	return (char *)nv + (*n)++ * sz;
}

/* ---------------------------------------------------------------------
 * zones
 */

struct zone_ctx {
	struct zone *z;
	const char *object;
};

/* An interface name the kernel and nftables take; reported under
 * object.  0 or -1. */
static int
check_ifname(struct loader *L, const config_setting_t *e, const char *object,
    const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > POLICY_IFNAME_MAX || strchr(v, '/') ||
	    strcmp(v, ".") == 0 || strcmp(v, "..") == 0) {
		lerr(L, e, object, "invalid interface name \"%s\" (1..%d "
		    "characters, no '/')", v, POLICY_IFNAME_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (isspace((unsigned char)v[i]) || !isprint((unsigned char)v[i]) ||
		    v[i] == '"' || v[i] == '\\') {
			lerr(L, e, object, "invalid interface name \"%s\"", v);
			return -1;
		}
	return 0;
}

static int
zone_iface(struct loader *L, const config_setting_t *e, const char *v,
    void *arg)
{
	struct zone_ctx *c = arg;
	char **slot;

	if (check_ifname(L, e, c->object, v) < 0)
		return -1;
	if (strcmp(v, "lo") == 0) {
		lerr(L, e, c->object, "the loopback interface cannot belong to "
		    "a zone");
		return -1;
	}
	for (size_t i = 0; i < c->z->nifaces; i++)
		if (strcmp(c->z->ifaces[i], v) == 0) {
			lerr(L, e, c->object, "interface \"%s\" listed twice",
			    v);
			return -1;
		}
	slot = push((void **)&c->z->ifaces, &c->z->nifaces, sizeof(*slot));
	if (slot == NULL || (*slot = xstrdup(L, v)) == NULL) {
		L->d->oom = 1;
		return -1;
	}
	return 0;
}

static int
zone_net(struct loader *L, const config_setting_t *e, const char *v,
    void *arg)
{
	struct zone_ctx *c = arg;
	struct addr_pfx pfx, *slot;
	char err[160];

	if (addr_parse(v, &pfx, err, sizeof(err)) < 0) {
		lerr(L, e, c->object, "%s", err);
		return -1;
	}
	slot = push((void **)&c->z->nets, &c->z->nnets, sizeof(*slot));
	if (slot == NULL) {
		L->d->oom = 1;
		return -1;
	}
	*slot = pfx;
	return 0;
}

static void
load_zone(struct loader *L, const config_setting_t *g)
{
	static const char *const keys[] = { "kind", "interfaces", "networks",
	    "closed_line", "label", "comment", NULL };
	const char *name = config_setting_name(g), *kind, *comment;
	const config_setting_t *s;
	struct zone *z;
	struct zone_ctx c;
	char object[96];

	snprintf(object, sizeof(object), "zone \"%s\"", name);
	z = push((void **)&L->p->zones, &L->p->nzones, sizeof(*z));
	if (z == NULL || (z->name = xstrdup(L, name)) == NULL) {
		L->d->oom = 1;
		if (z)
			L->p->nzones--;
		return;
	}
	z->line = setting_line(g);
	z->file = setting_file(L, g);
	if (index_put(&L->zones, z->name, (int)(L->p->nzones - 1)) < 0)
		L->d->oom = 1;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		lerr(L, g, object, "a zone must be a group { kind = ...; "
		    "interfaces = [...]; networks = [...]; }");
		z->bad = true;
		return;
	}
	if (strlen(name) > POLICY_ZONE_NAME_MAX || strchr(name, '.') ||
	    strchr(name, '*')) {
		lerr(L, g, object, "invalid zone name (at most %d letters, "
		    "digits, '-' or '_': it names nftables chains)",
		    POLICY_ZONE_NAME_MAX);
		z->bad = true;
	}
	if (check_keys(L, g, object, keys) > 0)
		z->bad = true;
	if (get_string(L, g, "kind", object, true, &kind, &z->kind_line) > 0) {
		z->kind = policy_zone_kind_from_str(kind);
		if (z->kind == 0) {
			lerr(L, config_setting_get_member(g, "kind"), object,
			    "unknown zone kind \"%s\" (expected mynumber, "
			    "lgwan, internet or closed)", kind);
			z->bad = true;
		}
	} else
		z->bad = true;
	if (get_string(L, g, "comment", object, false, &comment, NULL) < 0)
		z->bad = true;
	if (get_label(L, g, object, &z->label) < 0)
		z->bad = true;
	switch (get_bool(L, g, "closed_line", object, &z->closed_line,
	    &z->closed_line_line)) {
	case 1:
		if (z->closed_line && z->kind != 0 &&
		    z->kind != ZONE_MYNUMBER) {
			lerr(L, config_setting_get_member(g, "closed_line"),
			    object, "\"closed_line\" is for a zone of kind "
			    "mynumber: the Government Cloud environment of the My "
			    "Number tier; a closed line of another tier is a zone "
			    "of kind \"closed\"");
			z->bad = true;
		}
		break;
	case -1:
		z->bad = true;
	}
	c.z = z;
	c.object = object;
	if ((s = config_setting_get_member(g, "interfaces")) == NULL) {
		missing(L, g, object, "interfaces");
		z->bad = true;
	} else {
		z->ifaces_line = setting_line(s);
		if (each_string(L, s, "interfaces", object, zone_iface, &c) < 0)
			z->bad = true;
	}
	if ((s = config_setting_get_member(g, "networks")) == NULL) {
		missing(L, g, object, "networks");
		z->bad = true;
	} else {
		z->nets_line = setting_line(s);
		if (each_string(L, s, "networks", object, zone_net, &c) < 0)
			z->bad = true;
	}
}

/* ---------------------------------------------------------------------
 * hosts
 */

#define LIST_MAX_LINE 512
#define LIST_MAX_ADDRS 65536

/*
 * Add one address to h.  The error (a bad address, one listed twice) is
 * reported on setting s, or, for an element of a list file (s NULL), on
 * FILE:LINE of that file.
 */
static int
host_add_addr(struct loader *L, struct host *h, const char *object,
    const char *v, const config_setting_t *s, const char *file, int line)
{
	struct host_addr *slot;
	struct addr_pfx pfx;
	char err[320];

	if (addr_parse(v, &pfx, err, sizeof(err)) < 0) {
		if (s)
			lerr(L, s, object, "%s", err);
		else
			diag_add(L->d, file, line, DIAG_ERROR, ZL011, object,
			    "%s", err);
		return -1;
	}
	for (size_t i = 0; i < h->naddrs; i++)
		if (addr_equal(&h->addrs[i].pfx, &pfx)) {
			char a[ADDR_PFX_STRLEN];
			addr_format(&pfx, a, sizeof(a));
			if (s)
				lerr(L, s, object, "address %s listed twice "
				    "(first at %s:%d)", a, h->addrs[i].file,
				    h->addrs[i].line);
			else
				diag_add(L->d, file, line, DIAG_ERROR, ZL011,
				    object, "address %s listed twice (first "
				    "at %s:%d)", a, h->addrs[i].file,
				    h->addrs[i].line);
			return -1;
		}
	slot = push((void **)&h->addrs, &h->naddrs, sizeof(*slot));
	if (slot == NULL) {
		L->d->oom = 1;
		return -1;
	}
	slot->pfx = pfx;
	slot->file = file;
	slot->line = line;
	return 0;
}

struct addr_ctx {
	struct host *h;
	const char *object;
};

static int
host_addr_elem(struct loader *L, const config_setting_t *e, const char *v,
    void *arg)
{
	struct addr_ctx *c = arg;

	return host_add_addr(L, c->h, c->object, v, e, setting_file(L, e),
	    setting_line(e));
}

/*
 * addresses_file = "FILE": one address or prefix a line, '#' starts a
 * comment, blank lines are skipped.  A relative name is taken from the
 * directory of the policy file.  Every error names the list file and its
 * line.  Returns -1 when the list has an error.
 */
static int
host_list_file(struct loader *L, struct host *h, const char *object,
    const config_setting_t *s, const char *name)
{
	char shown[PATH_MAX], buf[LIST_MAX_LINE + 2];
	const char *file;
	FILE *fp;
	int line = 0, bad = 0;
	size_t before = h->naddrs;

	confsyntax_path(L->dir, name, shown, sizeof(shown));
	if ((file = policy_intern_file(L->p, shown)) == NULL ||
	    (h->list_file = xstrdup(L, name)) == NULL) {
		L->d->oom = 1;
		return -1;
	}
	if ((fp = fopen(file, "r")) == NULL) {
		lerr(L, s, object, "cannot read the address list \"%s\": %s",
		    file, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		char *p = buf, *end, *hash;
		size_t n = strlen(buf);

		line++;
		if (n > 0 && buf[n - 1] != '\n' && !feof(fp)) {
			int ch;
			diag_add(L->d, file, line, DIAG_ERROR, ZL011, object,
			    "line longer than %d characters", LIST_MAX_LINE);
			while ((ch = fgetc(fp)) != EOF && ch != '\n')
				;
			bad = 1;
			continue;
		}
		if ((hash = strchr(p, '#')) != NULL)
			*hash = '\0';
		while (isspace((unsigned char)*p))
			p++;
		end = p + strlen(p);
		while (end > p && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*p == '\0')
			continue;
		for (char *q = p; *q; q++)
			if (isspace((unsigned char)*q) || *q == ',' ||
			    *q == ';') {
				diag_add(L->d, file, line, DIAG_ERROR, ZL011,
				    object, "\"%s\": one address or prefix a "
				    "line (a '#' starts a comment)", p);
				bad = 1;
				p = NULL;
				break;
			}
		if (p == NULL)
			continue;
		if (h->naddrs - before >= LIST_MAX_ADDRS) {
			diag_add(L->d, file, line, DIAG_ERROR, ZL011, object,
			    "more than %d addresses in one list",
			    LIST_MAX_ADDRS);
			bad = 1;
			break;
		}
		if (host_add_addr(L, h, object, p, NULL, file, line) < 0)
			bad = 1;
	}
	if (ferror(fp)) {
		lerr(L, s, object, "cannot read the address list \"%s\"", file);
		bad = 1;
	}
	fclose(fp);
	if (!bad && h->naddrs == before) {
		lerr(L, s, object, "the address list \"%s\" has no address",
		    file);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* IPv4 first, then IPv6, each in the order written. */
static int
host_sort_addrs(struct host *h)
{
	struct host_addr *v;
	size_t n = 0;

	if (h->naddrs == 0)
		return 0;
	if ((v = malloc(h->naddrs * sizeof(*v))) == NULL)
		return -1;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < h->naddrs; i++)
			if ((h->addrs[i].pfx.family == ADDR_V4) == (pass == 0))
				v[n++] = h->addrs[i];
	h->nv4 = 0;
	for (size_t i = 0; i < n; i++)
		h->nv4 += v[i].pfx.family == ADDR_V4;
	free(h->addrs);
	h->addrs = v;
	return 0;
}

static void
load_host(struct loader *L, const config_setting_t *g)
{
	static const char *const keys[] = { "zone", "address",
	    "addresses_file", "mac", "role", "label", "comment", NULL };
	const char *name = config_setting_name(g), *v;
	const config_setting_t *s;
	struct host *h;
	char object[96], err[160];
	int line = 0;

	snprintf(object, sizeof(object), "host \"%s\"", name);
	h = push((void **)&L->p->hosts, &L->p->nhosts, sizeof(*h));
	if (h == NULL || (h->name = xstrdup(L, name)) == NULL) {
		L->d->oom = 1;
		if (h)
			L->p->nhosts--;
		return;
	}
	h->line = setting_line(g);
	h->file = setting_file(L, g);
	h->zone = -1;
	if (index_put(&L->hosts, h->name, (int)(L->p->nhosts - 1)) < 0)
		L->d->oom = 1;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		lerr(L, g, object, "a host must be a group { zone = ...; "
		    "address = ...; }");
		h->bad = true;
		return;
	}
	if (strlen(name) > POLICY_NAME_MAX) {
		lerr(L, g, object, "host name longer than %d characters",
		    POLICY_NAME_MAX);
		h->bad = true;
	}
	if (check_keys(L, g, object, keys) > 0)
		h->bad = true;
	if (get_string(L, g, "zone", object, true, &v, &h->zone_line) > 0) {
		h->zone = index_get(&L->zones, v);
		if (h->zone < 0) {
			const char *near = near_name(L, v, true);
			if (!L->broken_zones && near &&
			    index_get(&L->zones, near) >= 0)
				lerr(L, config_setting_get_member(g, "zone"),
				    object, "no zone named \"%s\" (did you mean "
				    "\"%s\"?)", v, near);
			else if (!L->broken_zones)
				lerr(L, config_setting_get_member(g, "zone"),
				    object, "no zone named \"%s\"", v);
			h->bad = true;
		} else if (L->p->zones[h->zone].bad)
			h->bad = true;	/* already reported on the zone */
	} else
		h->bad = true;
	/* address = "A" (one), or [ "A", "B/24", ... ]; addresses_file */
	s = config_setting_get_member(g, "address");
	if (s != NULL) {
		struct addr_ctx c = { h, object };
		h->addr_line = setting_line(s);
		h->list = config_setting_type(s) != CONFIG_TYPE_STRING;
		if (each_string(L, s, "address", object, host_addr_elem,
		    &c) < 0)
			h->bad = true;
	}
	switch (get_string(L, g, "addresses_file", object, false, &v,
	    &h->list_line)) {
	case 1:
		h->list = true;
		if (h->addr_line == 0)
			h->addr_line = h->list_line;
		if (host_list_file(L, h, object, config_setting_get_member(g,
		    "addresses_file"), v) < 0)
			h->bad = true;
		break;
	case -1:
		h->bad = true;
	}
	if (s == NULL && h->list_line == 0) {
		missing(L, g, object, "address");
		h->bad = true;
	}
	if (host_sort_addrs(h) < 0)
		L->d->oom = 1;
	switch (get_string(L, g, "mac", object, false, &v, &h->mac_line)) {
	case 1:
		if (mac_parse(v, h->mac, err, sizeof(err)) < 0) {
			lerr(L, config_setting_get_member(g, "mac"), object,
			    "%s", err);
			h->bad = true;
		} else
			h->has_mac = true;
		break;
	case -1:
		h->bad = true;
	}
	switch (get_string(L, g, "role", object, false, &v, &line)) {
	case 1:
		h->role_line = line;
		if ((int)(h->role = policy_role_from_str(v)) < 0) {
			lerr(L, config_setting_get_member(g, "role"), object,
			    "unknown role \"%s\" (expected mail-relay, "
			    "screen-transfer, file-sanitizer or public-system)",
			    v);
			h->role = ROLE_NONE;
			h->bad = true;
		}
		break;
	case -1:
		h->bad = true;
	}
	if (get_label(L, g, object, &h->label) < 0)
		h->bad = true;
	switch (get_string(L, g, "comment", object, false, &v, NULL)) {
	case 1:
		h->comment = xstrdup(L, v);
		break;
	case -1:
		h->bad = true;
	}
}

/* ---------------------------------------------------------------------
 * services
 */

static int
port_cmp(const void *a, const void *b)
{
	const struct port_range *x = a, *y = b;

	return (int)x->lo - (int)y->lo;
}

/* Sort and merge overlapping or adjacent ranges: the kernel's interval sets
 * refuse overlapping elements, and the meaning is the same. */
static void
ports_normalise(struct service *s)
{
	size_t out = 0;

	if (s->nports == 0)
		return;
	qsort(s->ports, s->nports, sizeof(*s->ports), port_cmp);
	for (size_t i = 1; i < s->nports; i++) {
		if ((uint32_t)s->ports[i].lo <= (uint32_t)s->ports[out].hi + 1) {
			if (s->ports[i].hi > s->ports[out].hi)
				s->ports[out].hi = s->ports[i].hi;
		} else
			s->ports[++out] = s->ports[i];
	}
	s->nports = out + 1;
}

static int
parse_port_string(const char *v, struct port_range *r)
{
	char *end;
	long lo, hi;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	lo = strtol(v, &end, 10);
	if (errno)
		return -1;
	if (*end == '\0')
		hi = lo;
	else if (*end == '-' && isdigit((unsigned char)end[1])) {
		hi = strtol(end + 1, &end, 10);
		if (errno || *end != '\0')
			return -1;
	} else
		return -1;
	if (lo < 1 || hi > 65535 || lo > hi)
		return -1;
	r->lo = (uint16_t)lo;
	r->hi = (uint16_t)hi;
	return 0;
}

static void
load_ports(struct loader *L, struct service *sv, const config_setting_t *s,
    const char *object)
{
	int type = config_setting_type(s), n;

	if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_STRING) {
		lerr(L, s, object, "\"ports\" must be an array [ 25, 587 ] or "
		    "a list ( 25, \"1494-1495\" ), not a single value");
		sv->bad = true;
		return;
	}
	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
		lerr(L, s, object, "\"ports\" must be an array or a list, not "
		    "%s", type_name(type));
		sv->bad = true;
		return;
	}
	if ((n = config_setting_length(s)) == 0) {
		lerr(L, s, object, "\"ports\" is empty; leave it out to mean "
		    "every port");
		sv->bad = true;
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		struct port_range r, *slot;

		if (config_setting_type(e) == CONFIG_TYPE_INT ||
		    config_setting_type(e) == CONFIG_TYPE_INT64) {
			long long v = config_setting_type(e) == CONFIG_TYPE_INT ?
			    config_setting_get_int(e) :
			    config_setting_get_int64(e);
			if (v < 1 || v > 65535) {
				lerr(L, e, object, "port %lld is out of range "
				    "(1..65535)", v);
				sv->bad = true;
				continue;
			}
			r.lo = r.hi = (uint16_t)v;
		} else if (config_setting_type(e) == CONFIG_TYPE_STRING) {
			const char *v = config_setting_get_string(e);
			if (parse_port_string(v, &r) < 0) {
				lerr(L, e, object, "invalid port \"%s\" (a "
				    "number 1..65535 or a range \"LO-HI\")", v);
				sv->bad = true;
				continue;
			}
		} else {
			lerr(L, e, object, "element %d of \"ports\" must be a "
			    "number or a \"LO-HI\" string, not %s", i + 1,
			    type_name(config_setting_type(e)));
			sv->bad = true;
			continue;
		}
		slot = push((void **)&sv->ports, &sv->nports, sizeof(*slot));
		if (slot == NULL) {
			L->d->oom = 1;
			return;
		}
		*slot = r;
	}
	ports_normalise(sv);
}

static void
load_types(struct loader *L, struct service *sv, const config_setting_t *s,
    const char *object)
{
	int type = config_setting_type(s), n;

	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
		lerr(L, s, object, "\"types\" must be an array of ICMP type "
		    "numbers [ 8 ], not %s", type_name(type));
		sv->bad = true;
		return;
	}
	if ((n = config_setting_length(s)) == 0) {
		lerr(L, s, object, "\"types\" is empty; leave it out to mean "
		    "every type");
		sv->bad = true;
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		uint8_t *slot;
		int v;

		if (config_setting_type(e) != CONFIG_TYPE_INT) {
			lerr(L, e, object, "element %d of \"types\" must be a "
			    "number 0..255, not %s", i + 1,
			    type_name(config_setting_type(e)));
			sv->bad = true;
			continue;
		}
		v = config_setting_get_int(e);
		if (v < 0 || v > 255) {
			lerr(L, e, object, "ICMP type %d is out of range "
			    "(0..255)", v);
			sv->bad = true;
			continue;
		}
		for (size_t j = 0; j < sv->ntypes; j++)
			if (sv->types[j] == v) {
				lerr(L, e, object, "ICMP type %d listed twice",
				    v);
				sv->bad = true;
				v = -1;
				break;
			}
		if (v < 0)
			continue;
		slot = push((void **)&sv->types, &sv->ntypes, sizeof(*slot));
		if (slot == NULL) {
			L->d->oom = 1;
			return;
		}
		*slot = (uint8_t)v;
	}
}

static void
load_service(struct loader *L, const config_setting_t *g)
{
	static const char *const keys[] = { "proto", "ports", "types",
	    "label", "comment", NULL };
	const char *name = config_setting_name(g), *v;
	const config_setting_t *ports, *types;
	struct service *sv;
	char object[96];
	bool portproto = false, icmp = false;

	snprintf(object, sizeof(object), "service \"%s\"", name);
	sv = push((void **)&L->p->services, &L->p->nservices, sizeof(*sv));
	if (sv == NULL || (sv->name = xstrdup(L, name)) == NULL) {
		L->d->oom = 1;
		if (sv)
			L->p->nservices--;
		return;
	}
	sv->line = setting_line(g);
	sv->file = setting_file(L, g);
	if (index_put(&L->services, sv->name, (int)(L->p->nservices - 1)) < 0)
		L->d->oom = 1;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		lerr(L, g, object, "a service must be a group { proto = ...; "
		    "ports = [...]; }");
		sv->bad = true;
		return;
	}
	if (strlen(name) > POLICY_NAME_MAX) {
		lerr(L, g, object, "service name longer than %d characters",
		    POLICY_NAME_MAX);
		sv->bad = true;
	}
	if (check_keys(L, g, object, keys) > 0)
		sv->bad = true;
	if (get_string(L, g, "proto", object, true, &v, &sv->proto_line) > 0) {
		if (strcmp(v, "tcp") == 0)
			sv->proto = PROTO_TCP;
		else if (strcmp(v, "udp") == 0)
			sv->proto = PROTO_UDP;
		else if (strcmp(v, "sctp") == 0)
			sv->proto = PROTO_SCTP;
		else if (strcmp(v, "icmp") == 0)
			sv->proto = PROTO_ICMP;
		else if (strcmp(v, "icmpv6") == 0)
			sv->proto = PROTO_ICMPV6;
		else if (strcmp(v, "any") == 0)
			sv->any_proto = true;
		else {
			lerr(L, config_setting_get_member(g, "proto"), object,
			    "unknown protocol \"%s\" (expected tcp, udp, sctp, "
			    "icmp, icmpv6 or any)", v);
			sv->bad = true;
		}
		portproto = sv->proto == PROTO_TCP || sv->proto == PROTO_UDP ||
		    sv->proto == PROTO_SCTP;
		icmp = sv->proto == PROTO_ICMP || sv->proto == PROTO_ICMPV6;
	} else
		sv->bad = true;
	if ((ports = config_setting_get_member(g, "ports")) != NULL) {
		sv->ports_line = setting_line(ports);
		if (!portproto && !sv->bad) {
			lerr(L, ports, object, "\"ports\" applies to tcp, udp "
			    "and sctp only, not %s", v);
			sv->bad = true;
		} else
			load_ports(L, sv, ports, object);
	}
	if ((types = config_setting_get_member(g, "types")) != NULL) {
		sv->types_line = setting_line(types);
		if (!icmp && !sv->bad) {
			lerr(L, types, object, "\"types\" applies to icmp and "
			    "icmpv6 only, not %s", v);
			sv->bad = true;
		} else
			load_types(L, sv, types, object);
	}
	if (get_label(L, g, object, &sv->label) < 0)
		sv->bad = true;
	switch (get_string(L, g, "comment", object, false, &v, NULL)) {
	case 1:
		sv->comment = xstrdup(L, v);
		break;
	case -1:
		sv->bad = true;
	}
}

/* ---------------------------------------------------------------------
 * flows
 */

int
conf_parse_time(const char *s, time_t *out)
{
	int off;

	return conf_parse_time_off(s, out, &off);
}

int
conf_parse_time_off(const char *s, time_t *out, int *off)
{
	int Y, M, D, h, m, sec, n = 0, oh = 0, om = 0, sign = 0;
	const char *p;
	struct tm tm;
	time_t t;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (strlen(s) < 20 ||
	    sscanf(s, "%4d-%2d-%2d%*c%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec,
	    &n) != 6 || n != 19)
		return -1;
	if (s[10] != 'T' && s[10] != 't')
		return -1;
	for (int i = 0; i < 19; i++) {
		bool digit = i != 4 && i != 7 && i != 10 && i != 13 && i != 16;
		if (digit != (isdigit((unsigned char)s[i]) != 0))
			return -1;
	}
	if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 ||
	    m > 59 || sec > 60)
		return -1;
	if (M == 2 && D == 29 && !((Y % 4 == 0 && Y % 100 != 0) ||
	    Y % 400 == 0))
		return -1;
	p = s + 19;
	if (*p == '.') {	/* fraction: accepted, ignored */
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		if (p[1] != '\0')
			return -1;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (strlen(p) != 6 || !isdigit((unsigned char)p[1]) ||
		    !isdigit((unsigned char)p[2]) || p[3] != ':' ||
		    !isdigit((unsigned char)p[4]) ||
		    !isdigit((unsigned char)p[5]))
			return -1;
		oh = (p[1] - '0') * 10 + (p[2] - '0');
		om = (p[4] - '0') * 10 + (p[5] - '0');
		if (oh > 23 || om > 59)
			return -1;
	} else
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec > 59 ? 59 : sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = t - sign * (oh * 3600 + om * 60);
	*off = sign * (oh * 60 + om);
	return 0;
}

/* "no host or zone of that name", with a near name when there is one. */
static void
dangling(struct loader *L, const config_setting_t *e, const char *key,
    const char *object, const char *v)
{
	const char *near;

	if (L->broken_hosts || L->broken_zones)
		return;
	near = near_name(L, v, true);
	if (near != NULL)
		lerr(L, e, object, "\"%s\" = \"%s\": no host or zone of that "
		    "name (did you mean \"%s\"?)", key, v, near);
	else if (has_non_ascii(v))
		lerr(L, e, object, "\"%s\" = \"%s\": no host or zone of that "
		    "name (names are ASCII; a Japanese name is written as the "
		    "label of a host or zone: label = \"%s\")", key, v, v);
	else
		lerr(L, e, object, "\"%s\" = \"%s\": no host or zone of that "
		    "name", key, v);
}

/*
 * from / to: the name of a host or zone, or a list of hosts of one zone
 * [ "a", "b" ].  A list of one host is that host.
 */
static int
resolve_endpoint(struct loader *L, const config_setting_t *g,
    const char *key, const char *object, struct endpoint *ep, int *line,
    bool *bad)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	const char *v;
	int i, n, zone = -1, first = -1;

	memset(ep, 0, sizeof(*ep));
	if (s != NULL && (config_setting_type(s) == CONFIG_TYPE_ARRAY ||
	    config_setting_type(s) == CONFIG_TYPE_LIST)) {
		if (line)
			*line = setting_line(s);
		if ((n = config_setting_length(s)) == 0) {
			lerr(L, s, object, "\"%s\" must not be empty", key);
			*bad = true;
			return -1;
		}
		for (int k = 0; k < n; k++) {
			const config_setting_t *e = config_setting_get_elem(s, k);
			int *slot;

			if (config_setting_type(e) != CONFIG_TYPE_STRING) {
				lerr(L, e, object, "element %d of \"%s\" must be "
				    "the name of a host, not %s", k + 1, key,
				    type_name(config_setting_type(e)));
				*bad = true;
				continue;
			}
			v = config_setting_get_string(e);
			if ((i = index_get(&L->hosts, v)) < 0) {
				if (index_get(&L->zones, v) >= 0)
					lerr(L, e, object, "\"%s\" lists zone "
					    "\"%s\": a list names hosts; a zone "
					    "stands alone (%s = \"%s\")", key, v,
					    key, v);
				else
					dangling(L, e, key, object, v);
				*bad = true;
				continue;
			}
			for (size_t j = 0; j < ep->nhosts; j++)
				if (ep->hosts[j] == i) {
					lerr(L, e, object, "host \"%s\" listed "
					    "twice in \"%s\"", v, key);
					*bad = true;
					i = -1;
					break;
				}
			if (i < 0)
				continue;
			if (L->p->hosts[i].bad || L->p->hosts[i].zone < 0) {
				*bad = true;
			} else if (zone < 0) {
				zone = L->p->hosts[i].zone;
				first = i;
			} else if (L->p->hosts[i].zone != zone) {
				lerr(L, e, object, "\"%s\" lists host \"%s\" of "
				    "zone \"%s\" and host \"%s\" of zone \"%s\"; "
				    "a flow joins one pair of zones: write a flow "
				    "for each", key, v, L->p->zones[L->p->hosts[
				    i].zone].name, L->p->hosts[first].name,
				    L->p->zones[zone].name);
				*bad = true;
			}
			slot = push((void **)&ep->hosts, &ep->nhosts,
			    sizeof(*slot));
			if (slot == NULL) {
				L->d->oom = 1;
				*bad = true;
				return -1;
			}
			*slot = i;
		}
		if (ep->nhosts == 0) {
			*bad = true;
			return -1;
		}
		ep->idx = ep->hosts[0];
		if (ep->nhosts == 1) {
			free(ep->hosts);
			ep->hosts = NULL;
			ep->nhosts = 0;
			ep->kind = EP_HOST;
		} else
			ep->kind = EP_HOSTS;
		return 0;
	}
	if (get_string(L, g, key, object, true, &v, line) <= 0) {
		*bad = true;
		return -1;
	}
	if ((i = index_get(&L->hosts, v)) >= 0) {
		ep->kind = EP_HOST;
		ep->idx = i;
		if (L->p->hosts[i].bad)
			*bad = true;
		return 0;
	}
	if ((i = index_get(&L->zones, v)) >= 0) {
		ep->kind = EP_ZONE;
		ep->idx = i;
		if (L->p->zones[i].bad)
			*bad = true;
		return 0;
	}
	dangling(L, s, key, object, v);
	*bad = true;
	return -1;
}

struct svc_ctx {
	int *v;
	size_t n;
	const char *object;
	bool bad;
};

static int
flow_service(struct loader *L, const config_setting_t *e, const char *v,
    void *arg)
{
	struct svc_ctx *c = arg;
	int i = index_get(&L->services, v), *slot;

	if (i < 0) {
		if (!L->broken_services)
			lerr(L, e, c->object, "no service named \"%s\"", v);
		return -1;
	}
	for (size_t j = 0; j < c->n; j++)
		if (c->v[j] == i) {
			lerr(L, e, c->object, "service \"%s\" listed twice", v);
			return -1;
		}
	if (L->p->services[i].bad)
		c->bad = true;
	slot = push((void **)&c->v, &c->n, sizeof(*slot));
	if (slot == NULL) {
		L->d->oom = 1;
		return -1;
	}
	*slot = i;
	return 0;
}

/* starts / expires: an RFC 3339 time with its offset. */
static void
flow_time(struct loader *L, const config_setting_t *g, const char *key,
    const char *object, struct flow *f, bool *has, time_t *t, int *off,
    int *line)
{
	const char *v;

	switch (get_string(L, g, key, object, false, &v, line)) {
	case 1:
		if (conf_parse_time_off(v, t, off) < 0) {
			lerr(L, config_setting_get_member(g, key), object,
			    "invalid time \"%s\" (RFC 3339 with an offset, "
			    "like \"2026-12-31T23:59:59+09:00\")", v);
			f->bad = true;
		} else
			*has = true;
		break;
	case -1:
		f->bad = true;
	}
}

static void
load_flow(struct loader *L, const config_setting_t *g, int index)
{
	static const char *const keys[] = { "name", "from", "to", "service",
	    "method", "approval", "product", "starts", "expires", "log",
	    "label", "comment", NULL };
	struct flow *f;
	const char *v;
	const config_setting_t *s;
	char object[96];
	struct svc_ctx sc;

	snprintf(object, sizeof(object), "flow #%d", index + 1);
	f = push((void **)&L->p->flows, &L->p->nflows, sizeof(*f));
	if (f == NULL) {
		L->d->oom = 1;
		return;
	}
	f->line = setting_line(g);
	f->file = setting_file(L, g);
	f->method = METHOD_DIRECT;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		lerr(L, g, object, "a flow must be a group { name = ...; from "
		    "= ...; to = ...; service = ...; }");
		f->bad = true;
		f->name = xstrdup(L, "");
		return;
	}
	/* the name, if there is a good one, names the flow in every message */
	if (config_setting_lookup_string(g, "name", &v) == CONFIG_TRUE &&
	    valid_name(v, POLICY_NAME_MAX))
		snprintf(object, sizeof(object), index_get(&L->flows, v) >= 0 ?
		    "flow \"%s\" (#%d)" : "flow \"%s\"", v, index + 1);
	if (check_keys(L, g, object, keys) > 0)
		f->bad = true;
	if (get_string(L, g, "name", object, true, &v, &f->name_line) > 0) {
		if (!valid_name(v, POLICY_NAME_MAX)) {
			lerr(L, config_setting_get_member(g, "name"), object,
			    "invalid flow name \"%s\" (1..%d letters, digits, "
			    "'-', '_' or '.', starting with a letter or digit%s)",
			    v, POLICY_NAME_MAX, has_non_ascii(v) ? "; it names "
			    "nftables counters: write an ASCII name and the "
			    "Japanese one as label = \"...\"" : "");
			f->bad = true;
		} else {
			int dup = index_get(&L->flows, v);
			if (dup >= 0) {
				lerr(L, config_setting_get_member(g, "name"),
				    object, "duplicate flow name \"%s\" (first "
				    "at line %d)", v, L->p->flows[dup].line);
				f->bad = true;
			}
		}
		f->name = xstrdup(L, v);
		if (f->name && index_put(&L->flows, f->name, index) < 0)
			L->d->oom = 1;
	} else {
		f->bad = true;
		f->name = xstrdup(L, "");
	}
	resolve_endpoint(L, g, "from", object, &f->from, &f->from_line,
	    &f->bad);
	resolve_endpoint(L, g, "to", object, &f->to, &f->to_line, &f->bad);
	memset(&sc, 0, sizeof(sc));
	sc.object = object;
	if ((s = config_setting_get_member(g, "service")) == NULL) {
		missing(L, g, object, "service");
		f->bad = true;
	} else {
		f->service_line = setting_line(s);
		if (each_string(L, s, "service", object, flow_service, &sc) < 0)
			f->bad = true;
		if (sc.bad)
			f->bad = true;
	}
	f->services = sc.v;
	f->nservices = sc.n;
	switch (get_string(L, g, "method", object, false, &v, &f->method_line)) {
	case 1:
		if ((f->method = policy_method_from_str(v)) == 0) {
			lerr(L, config_setting_get_member(g, "method"), object,
			    "unknown method \"%s\" (expected direct, specific, "
			    "mail-text, screen-transfer, file-sanitize or "
			    "cloud-lbo)", v);
			f->method = METHOD_DIRECT;
			f->bad = true;
		}
		break;
	case -1:
		f->bad = true;
	}
	switch (get_string(L, g, "approval", object, false, &v,
	    &f->approval_line)) {
	case 1:
		f->approval = xstrdup(L, v);
		break;
	case -1:
		f->bad = true;
	}
	switch (get_string(L, g, "product", object, false, &v,
	    &f->product_line)) {
	case 1:
		if (f->method != METHOD_FILE_SANITIZE) {
			lerr(L, config_setting_get_member(g, "product"), object,
			    "\"product\" names the sanitiser product that "
			    "delivers a file-sanitize flow; this flow's method "
			    "is \"%s\"", policy_method_str(f->method));
			f->bad = true;
		} else
			f->product = xstrdup(L, v);
		break;
	case -1:
		f->bad = true;
	}
	flow_time(L, g, "expires", object, f, &f->has_expires, &f->expires,
	    &f->expires_off, &f->expires_line);
	flow_time(L, g, "starts", object, f, &f->has_starts, &f->starts,
	    &f->starts_off, &f->starts_line);
	if (f->has_starts && f->has_expires && f->starts >= f->expires) {
		lerr(L, config_setting_get_member(g, "starts"), object,
		    "\"starts\" is not before \"expires\": the flow would "
		    "never be active");
		f->bad = true;
	}
	if (get_bool(L, g, "log", object, &f->log, NULL) < 0)
		f->bad = true;
	if (get_label(L, g, object, &f->label) < 0)
		f->bad = true;
	switch (get_string(L, g, "comment", object, false, &v, NULL)) {
	case 1:
		f->comment = xstrdup(L, v);
		break;
	case -1:
		f->bad = true;
	}
}

/* ---------------------------------------------------------------------
 * management access (the input hook)
 */

static void
load_mgmt(struct loader *L, const config_setting_t *g, int index)
{
	static const char *const keys[] = { "from", "service", "comment",
	    NULL };
	struct mgmt *m;
	const char *v;
	char object[64];

	snprintf(object, sizeof(object), "management #%d", index + 1);
	m = push((void **)&L->p->mgmt, &L->p->nmgmt, sizeof(*m));
	if (m == NULL) {
		L->d->oom = 1;
		return;
	}
	m->line = setting_line(g);
	m->file = setting_file(L, g);
	m->service = -1;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		lerr(L, g, object, "a management entry must be a group { from "
		    "= ...; service = ...; }");
		m->bad = true;
		return;
	}
	if (check_keys(L, g, object, keys) > 0)
		m->bad = true;
	resolve_endpoint(L, g, "from", object, &m->from, NULL, &m->bad);
	if (get_string(L, g, "service", object, true, &v, NULL) > 0) {
		m->service = index_get(&L->services, v);
		if (m->service < 0) {
			if (!L->broken_services)
				lerr(L, config_setting_get_member(g, "service"),
				    object, "no service named \"%s\"", v);
			m->bad = true;
		} else if (L->p->services[m->service].bad)
			m->bad = true;
	} else
		m->bad = true;
	if (get_string(L, g, "comment", object, false, &v, NULL) < 0)
		m->bad = true;
}

/* ---------------------------------------------------------------------
 * settings: monitor, log, control
 */

static bool
valid_facility(const char *s)
{
	static const char *const names[] = { "daemon", "auth", "authpriv",
	    "user", "local0", "local1", "local2", "local3", "local4",
	    "local5", "local6", "local7", NULL };

	for (size_t i = 0; names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return true;
	return false;
}

static int
set_string(struct loader *L, char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(L, v);
	return *dst ? 0 : -1;
}

static void
load_monitor(struct loader *L, const config_setting_t *g)
{
	static const char *const keys[] = { "enabled", "snaplen", "flow_table",
	    "flood", "scan", "evidence", NULL };
	static const char *const scan_keys[] = { "ports", "hosts", "window",
	    NULL };
	static const char *const ev_keys[] = { "directory", "max_bytes", NULL };
	struct policy_monitor *mo = &L->p->monitor;
	const config_setting_t *s;
	const char *v;
	long long n;
	bool bad = false;

	mo->line = setting_line(g);
	check_keys(L, g, "monitor", keys);
	get_bool(L, g, "enabled", "monitor", &mo->enabled, &mo->enabled_line);
	if (get_int(L, g, "snaplen", "monitor", 64, 65535, &n, NULL) > 0)
		mo->snaplen = (int)n;
	if (get_int(L, g, "flow_table", "monitor", 1024, 1 << 24, &n, NULL) > 0)
		mo->flow_table = (int)n;
	if (get_int(L, g, "flood", "monitor", 1, 100000000, &n, NULL) > 0)
		mo->flood_pps = (int)n;
	if ((s = get_group(L, g, "scan", "monitor", &bad)) != NULL) {
		check_keys(L, s, "monitor.scan", scan_keys);
		if (get_int(L, s, "ports", "monitor.scan", 2, 65535, &n,
		    NULL) > 0)
			mo->scan_ports = (int)n;
		if (get_int(L, s, "hosts", "monitor.scan", 2, 1 << 24, &n,
		    NULL) > 0)
			mo->scan_hosts = (int)n;
		if (get_int(L, s, "window", "monitor.scan", 1, 86400, &n,
		    NULL) > 0)
			mo->scan_window = (int)n;
	}
	if ((s = get_group(L, g, "evidence", "monitor", &bad)) != NULL) {
		check_keys(L, s, "monitor.evidence", ev_keys);
		if (get_string(L, s, "directory", "monitor.evidence", false,
		    &v, NULL) > 0) {
			if (v[0] != '/')
				lerr(L, config_setting_get_member(s,
				    "directory"), "monitor.evidence",
				    "\"directory\" must be an absolute path");
			else
				set_string(L, &mo->evidence_dir, v);
		}
		if (get_int(L, s, "max_bytes", "monitor.evidence", 1 << 20,
		    LLONG_MAX, &n, NULL) > 0)
			mo->evidence_max = (uint64_t)n;
	}
}

static void
load_log(struct loader *L, const config_setting_t *g)
{
	static const char *const keys[] = { "facility", "nflog_group",
	    "nflog_rate", NULL };
	const char *v;
	long long n;

	check_keys(L, g, "log", keys);
	if (get_string(L, g, "facility", "log", false, &v, NULL) > 0) {
		if (!valid_facility(v))
			lerr(L, config_setting_get_member(g, "facility"), "log",
			    "unknown syslog facility \"%s\" (daemon, auth, "
			    "authpriv, user, local0..local7)", v);
		else
			set_string(L, &L->p->log.facility, v);
	}
	if (get_int(L, g, "nflog_group", "log", 0, 65535, &n, NULL) > 0)
		L->p->log.nflog_group = (int)n;
	if (get_int(L, g, "nflog_rate", "log", 1, 100000, &n, NULL) > 0)
		L->p->log.nflog_rate = (int)n;
}

static void
load_control(struct loader *L, const config_setting_t *g)
{
	static const char *const keys[] = { "socket", "group",
	    "verify_interval", NULL };
	const char *v;
	long long n;

	check_keys(L, g, "control", keys);
	if (get_string(L, g, "socket", "control", false, &v, NULL) > 0) {
		if (v[0] != '/' || strlen(v) >= 108)
			lerr(L, config_setting_get_member(g, "socket"),
			    "control", "\"socket\" must be an absolute path "
			    "shorter than 108 bytes");
		else
			set_string(L, &L->p->control.socket, v);
	}
	if (get_string(L, g, "group", "control", false, &v, NULL) > 0) {
		if (!valid_name(v, 32))
			lerr(L, config_setting_get_member(g, "group"),
			    "control", "invalid group name \"%s\"", v);
		else
			set_string(L, &L->p->control.group, v);
	}
	if (get_int(L, g, "verify_interval", "control", 0, 86400, &n,
	    NULL) > 0)
		L->p->control.verify_interval = (int)n;
}

static void
load_enforce(struct loader *L, const config_setting_t *g)
{
	static const char *const keys[] = { "mode", "queue", "queue_maxlen",
	    NULL };
	const char *v;
	long long n;

	L->p->enforce.line = setting_line(g);
	check_keys(L, g, "enforce", keys);
	if (get_string(L, g, "mode", "enforce", false, &v, NULL) > 0) {
		if (strcmp(v, "dual") == 0)
			L->p->enforce.mode = ENFORCE_DUAL;
		else if (strcmp(v, "kernel") == 0)
			L->p->enforce.mode = ENFORCE_KERNEL;
		else
			lerr(L, config_setting_get_member(g, "mode"),
			    "enforce", "unknown mode \"%s\" (expected dual or "
			    "kernel)", v);
	}
	if (get_int(L, g, "queue", "enforce", 0, 65535, &n, NULL) > 0)
		L->p->enforce.queue = (int)n;
	if (get_int(L, g, "queue_maxlen", "enforce", 16, 1 << 20, &n,
	    NULL) > 0)
		L->p->enforce.queue_maxlen = (int)n;
}

/* ---------------------------------------------------------------------
 * ha: one node of an active/standby pair
 */

static int
ha_peer(struct loader *L, const config_setting_t *e, const char *v, void *arg)
{
	struct policy_ha *ha = arg;
	struct addr_pfx pfx, *slot;
	char err[160];

	if (addr_parse(v, &pfx, err, sizeof(err)) < 0) {
		lerr(L, e, "ha", "peer: %s", err);
		return -1;
	}
	slot = push((void **)&ha->peers, &ha->npeers, sizeof(*slot));
	if (slot == NULL) {
		L->d->oom = 1;
		return -1;
	}
	*slot = pfx;
	return 0;
}

static void
load_ha(struct loader *L, const config_setting_t *g)
{
	static const char *const keys[] = { "sync_interface", "peer",
	    "sync_port", NULL };
	struct policy_ha *ha = &L->p->ha;
	const config_setting_t *s;
	const char *v;
	long long n;

	ha->line = setting_line(g);
	ha->file = setting_file(L, g);
	if (check_keys(L, g, "ha", keys) > 0)
		ha->bad = true;
	if (get_string(L, g, "sync_interface", "ha", true, &v,
	    &ha->iface_line) > 0) {
		s = config_setting_get_member(g, "sync_interface");
		if (check_ifname(L, s, "ha", v) < 0)
			ha->bad = true;
		else if (strcmp(v, "lo") == 0) {
			lerr(L, s, "ha", "the sync link cannot be the loopback "
			    "interface: conntrackd needs a dedicated link "
			    "between the two nodes");
			ha->bad = true;
		} else
			set_string(L, &ha->sync_iface, v);
	} else
		ha->bad = true;
	if ((s = config_setting_get_member(g, "peer")) == NULL) {
		missing(L, g, "ha", "peer");
		ha->bad = true;
	} else {
		ha->peer_line = setting_line(s);
		if (each_string(L, s, "peer", "ha", ha_peer, ha) < 0)
			ha->bad = true;
	}
	switch (get_int(L, g, "sync_port", "ha", 1, 65535, &n,
	    &ha->port_line)) {
	case 1:
		ha->sync_port = (int)n;
		break;
	case -1:
		ha->bad = true;
		break;
	}
}

/* ---------------------------------------------------------------------
 * the file
 */

/* Names of hosts and zones share one namespace (from/to name either). */
static void
check_names(struct loader *L, const config_setting_t *hosts)
{
	for (size_t i = 0; i < L->p->nhosts; i++) {
		struct host *h = &L->p->hosts[i];
		if (index_get(&L->zones, h->name) >= 0) {
			lerr(L, config_setting_get_member(hosts, h->name),
			    NULL, "host \"%s\" has the name of a zone; flows "
			    "could not tell them apart", h->name);
			h->bad = true;
		}
	}
}

typedef void (*group_fn)(struct loader *, const config_setting_t *);
typedef void (*list_fn)(struct loader *, const config_setting_t *, int);

static void
each_member(struct loader *L, const config_setting_t *root, const char *key,
    group_fn fn, bool required)
{
	const config_setting_t *g = config_setting_get_member(root, key);

	if (g == NULL) {
		if (required)
			missing(L, root, NULL, key);
		return;
	}
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		lerr(L, g, NULL, "\"%s\" must be a group { name = { ... }; }, "
		    "not %s", key, type_name(config_setting_type(g)));
		return;
	}
	if (required && config_setting_length(g) == 0)
		lerr(L, g, NULL, "\"%s\" is empty", key);
	for (int i = 0; i < config_setting_length(g); i++)
		fn(L, config_setting_get_elem(g, i));
}

static void
each_elem(struct loader *L, const config_setting_t *root, const char *key,
    list_fn fn)
{
	const config_setting_t *g = config_setting_get_member(root, key);

	if (g == NULL)
		return;
	if (config_setting_type(g) != CONFIG_TYPE_LIST) {
		lerr(L, g, NULL, "\"%s\" must be a list ( { ... }, { ... } ), "
		    "not %s", key, type_name(config_setting_type(g)));
		return;
	}
	for (int i = 0; i < config_setting_length(g); i++)
		fn(L, config_setting_get_elem(g, i), i);
}

static void
load_root(struct loader *L, const config_setting_t *root)
{
	static const char *const keys[] = { "version", "model", "zones",
	    "hosts", "services", "flows", "management", "monitor", "log",
	    "control", "enforce", "ha", NULL };
	const config_setting_t *s;
	const char *v;
	long long n;
	bool bad = false;

	/* one finding on line 1 rather than three missing keys on none */
	if (config_setting_length(root) == 0) {
		diag_add(L->d, L->file, 1, DIAG_ERROR, ZL011, NULL, "the file "
		    "holds no settings (a policy needs at least \"version\", "
		    "\"model\" and \"zones\")");
		return;
	}
	check_keys(L, root, NULL, keys);
	L->broken_zones = suggested(L, root, "zones") ||
	    wrong_type(root, "zones", CONFIG_TYPE_GROUP);
	L->broken_hosts = suggested(L, root, "hosts") ||
	    wrong_type(root, "hosts", CONFIG_TYPE_GROUP);
	L->broken_services = suggested(L, root, "services") ||
	    wrong_type(root, "services", CONFIG_TYPE_GROUP);
	if ((s = config_setting_get_member(root, "version")) == NULL) {
		if (!suggested(L, root, "version"))
			lerr(L, root, NULL, "missing required key \"version\" "
			    "(version = 1;)");
	}
	else if (get_int(L, root, "version", NULL, LLONG_MIN, LLONG_MAX, &n,
	    NULL) > 0) {
		if (n != 1)
			lerr(L, s, NULL, "unsupported version %lld (this zoned "
			    "reads version 1)", n);
		L->p->version = (int)n;
	}
	if (get_string(L, root, "model", NULL, true, &v, &L->p->model_line) >
	    0 && (L->p->model = policy_model_from_str(v)) == 0)
		lerr(L, config_setting_get_member(root, "model"), NULL,
		    "unknown model \"%s\" (expected alpha, alpha-prime, beta "
		    "or beta-prime)", v);
	each_member(L, root, "zones", load_zone, true);
	each_member(L, root, "hosts", load_host, false);
	if ((s = config_setting_get_member(root, "hosts")) != NULL &&
	    config_setting_type(s) == CONFIG_TYPE_GROUP)
		check_names(L, s);
	each_member(L, root, "services", load_service, false);
	each_elem(L, root, "flows", load_flow);
	each_elem(L, root, "management", load_mgmt);
	if ((s = get_group(L, root, "monitor", NULL, &bad)) != NULL)
		load_monitor(L, s);
	if ((s = get_group(L, root, "log", NULL, &bad)) != NULL)
		load_log(L, s);
	if ((s = get_group(L, root, "control", NULL, &bad)) != NULL)
		load_control(L, s);
	if ((s = get_group(L, root, "enforce", NULL, &bad)) != NULL)
		load_enforce(L, s);
	if ((s = get_group(L, root, "ha", NULL, &bad)) != NULL)
		load_ha(L, s);
	else if (config_setting_get_member(root, "ha") != NULL) {
		L->p->ha.line = setting_line(config_setting_get_member(root,
		    "ha"));
		L->p->ha.bad = true;
	}
}

static int
fill_defaults(struct loader *L)
{
	struct policy *p = L->p;

	if (p->monitor.evidence_dir == NULL &&
	    set_string(L, &p->monitor.evidence_dir,
	    POLICY_DEFAULT_EVIDENCE_DIR) < 0)
		return -1;
	if (p->log.facility == NULL &&
	    set_string(L, &p->log.facility, POLICY_DEFAULT_FACILITY) < 0)
		return -1;
	if (p->control.socket == NULL &&
	    set_string(L, &p->control.socket, POLICY_DEFAULT_SOCKET) < 0)
		return -1;
	if (p->control.group == NULL &&
	    set_string(L, &p->control.group, POLICY_DEFAULT_GROUP) < 0)
		return -1;
	return policy_flow_marks(p);
}

static int
load_config(config_t *cfg, const char *name, const char *dir,
    struct policy **out, struct diag *d)
{
	struct loader L;

	*out = NULL;
	memset(&L, 0, sizeof(L));
	L.d = d;
	L.file = name;
	L.dir = dir;
	if ((L.p = policy_new()) == NULL || (L.p->file = strdup(name)) == NULL) {
		policy_free(L.p);
		d->oom = 1;
		return -1;
	}
	L.file = L.p->file;
	load_root(&L, config_root_setting(cfg));
	index_free(&L.zones);
	index_free(&L.hosts);
	index_free(&L.services);
	index_free(&L.flows);
	if (fill_defaults(&L) < 0) {
		policy_free(L.p);
		d->oom = 1;
		return -1;
	}
	*out = L.p;
	return 0;
}

/* libconfig's error, explained where confsyntax recognises the mistake. */
static void
syntax_error(const config_t *cfg, const char *text, const char *name,
    const char *dir, struct diag *d)
{
	struct confsyntax *cs = malloc(sizeof(*cs));

	if (cs == NULL) {
		diag_add(d, name, config_error_line(cfg), DIAG_ERROR, ZL011,
		    NULL, "syntax error");
		return;
	}
	confsyntax_explain(text, name, dir, config_error_file(cfg),
	    config_error_line(cfg), config_error_text(cfg), cs);
	diag_add(d, cs->file, cs->line, DIAG_ERROR, ZL011, NULL, "%s",
	    cs->msg);
	free(cs);
}

/* The directory of a policy file, for relative @include names and
 * address lists; NULL for a name without one. */
static const char *
policy_dir(const char *name, char *buf, size_t len)
{
	if (strchr(name, '/') == NULL)
		return NULL;
	snprintf(buf, len, "%s", name);
	return dirname(buf);
}

int
conf_load(const char *path, struct policy **out, struct diag *d, char *err,
    size_t errlen)
{
	config_t cfg;
	char dirbuf[PATH_MAX];
	const char *dir = policy_dir(path, dirbuf, sizeof(dirbuf));
	FILE *fp;
	int rc;

	*out = NULL;
	/* libconfig does not tell why a file could not be read: open it
	 * ourselves first, so that I/O errors carry errno. */
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	config_init(&cfg);
	config_set_include_dir(&cfg, dir ? dir : ".");
	if (config_read(&cfg, fp) == CONFIG_FALSE) {
		char *text = NULL;
		size_t cap = 0;

		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO) {
			fclose(fp);
			snprintf(err, errlen, "%s: %s", path,
			    config_error_text(&cfg));
			config_destroy(&cfg);
			return -1;
		}
		/* the text again, for the explanation */
		rewind(fp);
		if (getdelim(&text, &cap, '\0', fp) < 0) {
			free(text);
			text = NULL;
		}
		fclose(fp);
		syntax_error(&cfg, text, path, dir, d);
		free(text);
		config_destroy(&cfg);
		return 0;
	}
	fclose(fp);
	rc = load_config(&cfg, path, dir, out, d);
	config_destroy(&cfg);
	if (rc < 0)
		snprintf(err, errlen, "%s: out of memory", path);
	return rc;
}

int
conf_load_string(const char *text, const char *name, struct policy **out,
    struct diag *d)
{
	config_t cfg;
	char dirbuf[PATH_MAX];
	const char *dir = policy_dir(name, dirbuf, sizeof(dirbuf));
	int rc;

	*out = NULL;
	config_init(&cfg);
	if (dir != NULL)	/* @include relative to it */
		config_set_include_dir(&cfg, dir);
	if (config_read_string(&cfg, text) == CONFIG_FALSE) {
		syntax_error(&cfg, text, name, dir, d);
		config_destroy(&cfg);
		return 0;
	}
	rc = load_config(&cfg, name, dir, out, d);
	config_destroy(&cfg);
	return rc;
}
