/*
 * classbench — ClassBench filter sets and traces; a generator of look-alikes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classbench.h"

struct cb_src {
	const char *path;
	size_t line;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int
cb_fail(const struct cb_src *s, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->line > 0)
		snprintf(s->err, s->errlen, "%s:%zu: %s", s->path, s->line, msg);
	else
		snprintf(s->err, s->errlen, "%s: %s", s->path, msg);
	return -1;
}

static void
skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\r')
		(*p)++;
}

/* Unsigned decimal or (hex when base 16, after an optional 0x) at most max;
 * no sign, no leading blanks. */
static bool
parse_uint(const char **p, int base, uint64_t max, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int nd = 0;

	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (;; s++, nd++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		v = v * (uint64_t)base + (uint64_t)d;
		if (v > max)
			return false;
	}
	if (nd == 0)
		return false;
	*p = s;
	*out = v;
	return true;
}

static bool
parse_prefix(const char **p, uint32_t *lo, uint32_t *hi)
{
	uint32_t a = 0;
	uint64_t v;

	for (int i = 0; i < 4; i++) {
		if (i > 0 && *(*p)++ != '.')
			return false;
		if (!parse_uint(p, 10, 255, &v))
			return false;
		a = a << 8 | (uint32_t)v;
	}
	if (*(*p)++ != '/' || !parse_uint(p, 10, 32, &v))
		return false;
	if (v == 0) {
		*lo = 0;
		*hi = UINT32_MAX;
	} else {
		uint32_t mask = UINT32_MAX << (32 - v);
		*lo = a & mask;
		*hi = *lo | ~mask;
	}
	return true;
}

static bool
parse_port_range(const char **p, uint16_t *lo, uint16_t *hi)
{
	uint64_t a, b;

	if (!parse_uint(p, 10, 65535, &a))
		return false;
	skip_ws(p);
	if (*(*p)++ != ':')
		return false;
	skip_ws(p);
	if (!parse_uint(p, 10, 65535, &b))
		return false;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return true;
}

static bool
blank(const char *p)
{
	skip_ws(&p);
	return *p == '\0' || *p == '\n';
}

static int
parse_rule_line(const struct cb_src *s, const char *p, struct acl_rule *r)
{
	uint64_t pr, mask;

	memset(r, 0, sizeof(*r));
	skip_ws(&p);
	if (*p++ != '@')
		return cb_fail(s, "expected '@' at the start of a filter");
	if (!parse_prefix(&p, &r->src_lo, &r->src_hi))
		return cb_fail(s, "bad source prefix (want A.B.C.D/LEN)");
	skip_ws(&p);
	if (!parse_prefix(&p, &r->dst_lo, &r->dst_hi))
		return cb_fail(s, "bad destination prefix (want A.B.C.D/LEN)");
	skip_ws(&p);
	if (!parse_port_range(&p, &r->sp_lo, &r->sp_hi))
		return cb_fail(s, "bad source port range (want LO : HI)");
	if (r->sp_lo > r->sp_hi)
		return cb_fail(s, "source port range %u : %u is empty",
		    r->sp_lo, r->sp_hi);
	skip_ws(&p);
	if (!parse_port_range(&p, &r->dp_lo, &r->dp_hi))
		return cb_fail(s, "bad destination port range (want LO : HI)");
	if (r->dp_lo > r->dp_hi)
		return cb_fail(s, "destination port range %u : %u is empty",
		    r->dp_lo, r->dp_hi);
	skip_ws(&p);
	if (!parse_uint(&p, 16, 0xFF, &pr) || *p++ != '/' ||
	    !parse_uint(&p, 16, 0xFF, &mask))
		return cb_fail(s, "bad protocol (want 0xPP/0xMM)");
	if (mask == 0xFF) {
		r->pr_lo = r->pr_hi = (uint8_t)pr;
	} else if (mask == 0) {
		r->pr_lo = 0;
		r->pr_hi = 0xFF;
	} else {
		return cb_fail(s, "protocol mask 0x%02x is neither 0x00 nor "
		    "0xFF", (unsigned)mask);
	}
	r->tag_lo = 0;
	r->tag_hi = UINT16_MAX;
	/* The flags field (and anything after it) is ignored. */
	return 0;
}

static int
parse_trace_line(const struct cb_src *s, const char *p, struct acl_key *k,
    int32_t *filt)
{
	static const struct {
		const char *name;
		uint64_t max;
	} col[] = {
		{ "source address", UINT32_MAX },
		{ "destination address", UINT32_MAX },
		{ "source port", 65535 },
		{ "destination port", 65535 },
		{ "protocol", 255 },
		{ "flags", UINT32_MAX },
		{ "filter index", INT32_MAX },
	};
	uint64_t v[7];
	size_t i;

	for (i = 0; i < 7; i++) {
		skip_ws(&p);
		if (*p == '\0' || *p == '\n')
			break;
		if (!parse_uint(&p, 10, col[i].max, &v[i]))
			return cb_fail(s, "bad %s (an integer at most %llu)",
			    col[i].name, (unsigned long long)col[i].max);
		if (*p != '\0' && *p != '\n' && *p != ' ' && *p != '\t' &&
		    *p != '\r')
			return cb_fail(s, "bad %s (an integer at most %llu)",
			    col[i].name, (unsigned long long)col[i].max);
	}
	if (i < 5)
		return cb_fail(s, "missing %s", col[i].name);
	if (!blank(p))
		return cb_fail(s, "trailing text after the filter index");
	memset(k, 0, sizeof(*k));
	k->src = (uint32_t)v[0];
	k->dst = (uint32_t)v[1];
	k->sport = (uint16_t)v[2];
	k->dport = (uint16_t)v[3];
	k->proto = (uint8_t)v[4];
	k->tag = 0;
	*filt = i == 7 ? (int32_t)v[6] : -1;
	return 0;
}

/* Reads every non-blank line of path through fn into an array of elements
 * of size esz (and, when esz2 > 0, a parallel array). */
typedef int (*cb_line_fn)(const struct cb_src *, const char *, void *,
    void *);

static int
cb_read(const char *path, size_t esz, size_t esz2, cb_line_fn fn, void **out,
    void **out2, size_t *nout, char *err, size_t errlen)
{
	struct cb_src s = { path, 0, err, errlen };
	char *line = NULL, *arr = NULL, *arr2 = NULL;
	size_t cap = 0, n = 0, linecap = 0;
	ssize_t len;
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "r")) == NULL)
		return cb_fail(&s, "%s", strerror(errno));
	errno = 0;
	while ((len = getline(&line, &linecap, f)) != -1) {
		s.line++;
		if (strlen(line) != (size_t)len) {
			rc = cb_fail(&s, "NUL byte in line");
			break;
		}
		if (blank(line))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			char *a = realloc(arr, nc * esz), *b = arr2;

			if (a != NULL)
				arr = a;
			if (a != NULL && esz2 > 0 &&
			    (b = realloc(arr2, nc * esz2)) != NULL)
				arr2 = b;
			if (a == NULL || (esz2 > 0 && b == NULL)) {
				s.line = 0;
				rc = cb_fail(&s, "out of memory");
				break;
			}
			cap = nc;
		}
		if (fn(&s, line, arr + n * esz, esz2 ? arr2 + n * esz2 :
		    NULL) != 0) {
			rc = -1;
			break;
		}
		n++;
	}
	if (rc == 0 && ferror(f)) {
		s.line = 0;
		rc = cb_fail(&s, "read error: %s", strerror(errno));
	}
	fclose(f);
	free(line);
	if (rc != 0) {
		free(arr);
		free(arr2);
		return -1;
	}
	if (n == 0) {
		free(arr);
		free(arr2);
		arr = arr2 = NULL;
	}
	*out = arr;
	if (out2 != NULL)
		*out2 = arr2;
	else
		free(arr2);
	*nout = n;
	return 0;
}

static int
rule_line(const struct cb_src *s, const char *line, void *e, void *e2)
{
	(void)e2;
	return parse_rule_line(s, line, e);
}

static int
trace_line(const struct cb_src *s, const char *line, void *e, void *e2)
{
	return parse_trace_line(s, line, e, e2);
}

int
classbench_load_rules(const char *path, struct acl_rule **rules, uint32_t *n,
    char *err, size_t errlen)
{
	void *arr = NULL;
	size_t cnt = 0;

	if (cb_read(path, sizeof(struct acl_rule), 0, rule_line, &arr, NULL,
	    &cnt, err, errlen) != 0)
		return -1;
	if (cnt > UINT32_MAX) {
		free(arr);
		snprintf(err, errlen, "%s: too many filters", path);
		return -1;
	}
	*rules = arr;
	*n = (uint32_t)cnt;
	return 0;
}

int
classbench_load_trace(const char *path, struct acl_key **keys,
    int32_t **filt, size_t *n, char *err, size_t errlen)
{
	void *arr = NULL, *arr2 = NULL;

	if (cb_read(path, sizeof(struct acl_key), sizeof(int32_t), trace_line,
	    &arr, &arr2, n, err, errlen) != 0)
		return -1;
	*keys = arr;
	if (filt != NULL)
		*filt = arr2;
	else
		free(arr2);
	return 0;
}

static int
prefix_len(uint32_t lo, uint32_t hi)
{
	uint32_t span = hi - lo;

	if ((span & (span + 1)) != 0 || (lo & span) != 0)
		return -1;
	return span == UINT32_MAX ? 0 : 32 - __builtin_popcount(span);
}

int
classbench_format_rule(const struct acl_rule *r, char *buf, size_t len)
{
	int sl = prefix_len(r->src_lo, r->src_hi);
	int dl = prefix_len(r->dst_lo, r->dst_hi);
	unsigned pr, mask;
	int w;

	if (sl < 0 || dl < 0)
		return -1;
	if (r->pr_lo == r->pr_hi) {
		pr = r->pr_lo;
		mask = 0xFF;
	} else if (r->pr_lo == 0 && r->pr_hi == 0xFF) {
		pr = mask = 0;
	} else {
		return -1;
	}
	w = snprintf(buf, len, "@%u.%u.%u.%u/%d\t%u.%u.%u.%u/%d\t%u : %u\t"
	    "%u : %u\t0x%02x/0x%02X\t0x0000/0x0000\t",
	    r->src_lo >> 24, (r->src_lo >> 16) & 255, (r->src_lo >> 8) & 255,
	    r->src_lo & 255, sl,
	    r->dst_lo >> 24, (r->dst_lo >> 16) & 255, (r->dst_lo >> 8) & 255,
	    r->dst_lo & 255, dl,
	    r->sp_lo, r->sp_hi, r->dp_lo, r->dp_hi, pr, mask);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

/* --- generator ------------------------------------------------------------ */

static uint64_t
gen_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint32_t
gen_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)((gen_next(s) >> 32) * (uint64_t)n >> 32);
}

/* Percent probability. */
static bool
gen_pct(uint64_t *s, uint32_t pct)
{
	return gen_below(s, 100) < pct;
}

static void
gen_prefix(uint64_t *s, const uint32_t *pool, uint32_t npool, int len,
    uint32_t *lo, uint32_t *hi)
{
	uint32_t a = pool[gen_below(s, npool)];
	uint32_t mask;

	/* Perturb the host part so long prefixes spread under a shared base. */
	if (len > 24)
		a ^= (uint32_t)gen_next(s) & 0xFF;
	if (len == 0) {
		*lo = 0;
		*hi = UINT32_MAX;
		return;
	}
	mask = UINT32_MAX << (32 - len);
	*lo = a & mask;
	*hi = *lo | ~mask;
}

static const uint16_t gen_ports[] = {
	20, 21, 22, 23, 25, 53, 69, 80, 110, 123, 135, 137, 139, 143, 161, 162,
	389, 443, 445, 514, 636, 993, 995, 1433, 1494, 1521, 2598, 3306, 3389,
	5060, 8080, 8443,
};

static void
gen_port(uint64_t *s, uint32_t wild, uint32_t exact, uint16_t *lo,
    uint16_t *hi)
{
	uint32_t c = gen_below(s, 100);

	if (c < wild) {
		*lo = 0;
		*hi = 65535;
	} else if (c < wild + exact) {
		*lo = *hi = gen_pct(s, 70) ?
		    gen_ports[gen_below(s,
		    sizeof(gen_ports) / sizeof(gen_ports[0]))] :
		    (uint16_t)gen_below(s, 65536);
	} else {
		switch (gen_below(s, 4)) {
		case 0:
			*lo = 1024;
			*hi = 65535;
			break;
		case 1:
			*lo = 0;
			*hi = 1023;
			break;
		default: {
			uint16_t a = (uint16_t)gen_below(s, 65536);
			uint16_t b = (uint16_t)gen_below(s, 65536);

			*lo = a < b ? a : b;
			*hi = a < b ? b : a;
		}
		}
	}
}

struct gen_style {
	uint32_t src_wild, dst_wild;	/* % of /0 */
	uint32_t src_long, dst_long;	/* % of /32 among the rest */
	uint32_t sp_wild, sp_exact, dp_wild, dp_exact;
	uint32_t pr_any;
};

static const struct gen_style gen_styles[] = {
	[CLASSBENCH_ACL] = { 3, 3, 40, 75, 92, 3, 30, 55, 8 },
	[CLASSBENCH_FW] = { 30, 20, 25, 35, 70, 15, 25, 55, 3 },
	[CLASSBENCH_IPC] = { 10, 10, 60, 60, 75, 12, 40, 45, 30 },
};

void
classbench_gen_rules(uint64_t seed, enum classbench_style style,
    struct acl_rule *r, uint32_t n)
{
	const struct gen_style *st = &gen_styles[style];
	uint32_t pool[256], npool = n / 16 + 2;
	uint64_t s = seed;

	if (npool > 256)
		npool = 256;
	for (uint32_t i = 0; i < npool; i++)
		pool[i] = (uint32_t)gen_next(&s);
	for (uint32_t i = 0; i < n; i++) {
		struct acl_rule *x = &r[i];
		int sl, dl;

		memset(x, 0, sizeof(*x));
		sl = gen_pct(&s, st->src_wild) ? 0 : gen_pct(&s, st->src_long) ?
		    32 : 8 + (int)gen_below(&s, 24);
		dl = gen_pct(&s, st->dst_wild) ? 0 : gen_pct(&s, st->dst_long) ?
		    32 : 8 + (int)gen_below(&s, 24);
		gen_prefix(&s, pool, npool, sl, &x->src_lo, &x->src_hi);
		gen_prefix(&s, pool, npool, dl, &x->dst_lo, &x->dst_hi);
		if (gen_pct(&s, st->pr_any)) {
			x->pr_lo = 0;
			x->pr_hi = 255;
		} else {
			static const uint8_t prs[] = { 6, 6, 6, 17, 17, 1, 47 };

			x->pr_lo = x->pr_hi = prs[gen_below(&s, sizeof(prs))];
		}
		if (x->pr_lo == x->pr_hi && x->pr_lo != 6 && x->pr_lo != 17) {
			x->sp_lo = x->dp_lo = 0;
			x->sp_hi = x->dp_hi = 65535;
		} else {
			gen_port(&s, st->sp_wild, st->sp_exact, &x->sp_lo,
			    &x->sp_hi);
			gen_port(&s, st->dp_wild, st->dp_exact, &x->dp_lo,
			    &x->dp_hi);
		}
		x->tag_lo = 0;
		x->tag_hi = UINT16_MAX;
	}
}

static uint32_t
gen_in(uint64_t *s, uint32_t lo, uint32_t hi)
{
	switch (gen_below(s, 4)) {
	case 0:
		return lo;
	case 1:
		return hi;
	default:
		return lo + (uint32_t)(gen_next(s) % ((uint64_t)hi - lo + 1));
	}
}

void
classbench_gen_trace(uint64_t seed, const struct acl_rule *r, uint32_t nr,
    struct acl_key *k, int32_t *filt, size_t nk)
{
	uint64_t s = seed;

	for (size_t i = 0; i < nk; i++) {
		struct acl_key *x = &k[i];

		memset(x, 0, sizeof(*x));
		if (nr > 0 && gen_pct(&s, 90)) {
			uint32_t j = gen_below(&s, nr);
			const struct acl_rule *y = &r[j];

			x->src = gen_in(&s, y->src_lo, y->src_hi);
			x->dst = gen_in(&s, y->dst_lo, y->dst_hi);
			x->sport = (uint16_t)gen_in(&s, y->sp_lo, y->sp_hi);
			x->dport = (uint16_t)gen_in(&s, y->dp_lo, y->dp_hi);
			x->proto = (uint8_t)gen_in(&s, y->pr_lo, y->pr_hi);
			x->tag = (uint16_t)gen_in(&s, y->tag_lo, y->tag_hi);
			if (filt != NULL)
				filt[i] = (int32_t)j;
		} else {
			x->src = (uint32_t)gen_next(&s);
			x->dst = (uint32_t)gen_next(&s);
			x->sport = (uint16_t)gen_next(&s);
			x->dport = (uint16_t)gen_next(&s);
			x->proto = gen_pct(&s, 50) ? 6 : (uint8_t)gen_next(&s);
			x->tag = (uint16_t)gen_next(&s);
			if (filt != NULL)
				filt[i] = -1;
		}
	}
}
