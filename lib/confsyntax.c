/*
 * confsyntax — libconfig's syntax errors explained (see confsyntax.h).
 *
 * The tokenizer follows libconfig's grammar closely enough to find the
 * usual mistakes; when it recognises none, libconfig's own words stand.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "confsyntax.h"

#define GENERIC "syntax error (a value, ';', ',' or a closing bracket " \
	"missing on this line or the one before?)"

enum tk {
	T_NAME = 1,	/* kind, true, 50-abc... */
	T_STRING,	/* "..." (with its quotes) */
	T_OPENSTR,	/* a string that is not closed on its line */
	T_NUM,		/* 443, 10.20.1.2, 50000-50003, 0x1f */
	T_PUNCT,	/* = : ; , { } [ ] ( ) and anything else alone */
	T_BAD,		/* a name with bytes that are not ASCII */
	T_INCLUDE,	/* @include */
};

struct tok {
	enum tk t;
	int line;
	const char *s;
	size_t n;
};

struct toks {
	struct tok *v;
	size_t n, cap;
};

const char *
confsyntax_path(const char *dir, const char *name, char *buf, size_t len)
{
	if (name[0] == '/' || dir == NULL || strcmp(dir, ".") == 0 ||
	    strncmp(name, dir, strlen(dir)) == 0)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

static int
add(struct toks *k, enum tk t, int line, const char *s, size_t n)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 256;
		struct tok *v = realloc(k->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++] = (struct tok){ t, line, s, n };
	return 0;
}

static bool
name_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '*' || c >= 0x80;
}

/* The text as tokens; -1 when out of memory. */
static int
tokenize(const char *text, struct toks *k)
{
	const char *p = text;
	int line = 1;

	while (*p) {
		unsigned char c = (unsigned char)*p;
		const char *q;

		if (c == '\n') {
			line++;
			p++;
		} else if (isspace(c)) {
			p++;
		} else if (c == '#' || (c == '/' && p[1] == '/')) {
			while (*p && *p != '\n')
				p++;
		} else if (c == '/' && p[1] == '*') {
			for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
				if (*p == '\n')
					line++;
			if (*p)
				p += 2;
		} else if (c == '@' && strncmp(p, "@include", 8) == 0) {
			if (add(k, T_INCLUDE, line, p, 8) < 0)
				return -1;
			p += 8;
		} else if (c == '"') {
			for (q = p + 1; *q && *q != '"' && *q != '\n'; q++)
				if (*q == '\\' && q[1] && q[1] != '\n')
					q++;
			if (*q == '"') {
				if (add(k, T_STRING, line, p, (size_t)(q + 1 -
				    p)) < 0)
					return -1;
				p = q + 1;
			} else {
				if (add(k, T_OPENSTR, line, p, (size_t)(q -
				    p)) < 0)
					return -1;
				p = q;
			}
		} else if (isdigit(c) || ((c == '-' || c == '+' || c == '.') &&
		    isdigit((unsigned char)p[1]))) {
			for (q = p + 1; *q && (isalnum((unsigned char)*q) ||
			    strchr(".:/-+_", *q)); q++)
				;
			if (add(k, T_NUM, line, p, (size_t)(q - p)) < 0)
				return -1;
			p = q;
		} else if (isalpha(c) || c == '*' || c >= 0x80) {
			bool bad = false;
			for (q = p; *q && name_char((unsigned char)*q); q++)
				bad |= (unsigned char)*q >= 0x80;
			if (add(k, bad ? T_BAD : T_NAME, line, p,
			    (size_t)(q - p)) < 0)
				return -1;
			p = q;
		} else {
			if (add(k, T_PUNCT, line, p, 1) < 0)
				return -1;
			p++;
		}
	}
	return 0;
}

static bool
punct(const struct tok *t, const char *set)
{
	return t->t == T_PUNCT && strchr(set, t->s[0]) != NULL;
}

static bool
is_bool(const struct tok *t)
{
	return t->t == T_NAME && ((t->n == 4 && strncasecmp(t->s, "true",
	    4) == 0) || (t->n == 5 && strncasecmp(t->s, "false", 5) == 0));
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (fp == NULL)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);
			if (nb == NULL || cap > (64u << 20)) {
				free(nb ? nb : buf);
				fclose(fp);
				return NULL;
			}
			buf = nb;
		}
		if ((r = fread(buf + n, 1, cap - n - 1, fp)) == 0)
			break;
		n += r;
	}
	fclose(fp);
	buf[n] = '\0';
	return buf;
}

/* ---------------------------------------------------------------------
 * The mistakes
 */

struct ctx {
	const struct toks *k;
	int eline;
	const char *file;
	struct confsyntax *out;
};

static void say(struct ctx *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct ctx *c, int line, const char *fmt, ...)
{
	va_list ap;

	snprintf(c->out->file, sizeof(c->out->file), "%s", c->file);
	c->out->line = line;
	va_start(ap, fmt);
	vsnprintf(c->out->msg, sizeof(c->out->msg), fmt, ap);
	va_end(ap);
}

/* Is token i where a value goes (after '=', ':', '[', '(' or ',')? */
static bool
value_pos(const struct toks *k, size_t i)
{
	return i > 0 && punct(&k->v[i - 1], "=:[(,");
}

/* A duplicate setting: the name, and where it was first. */
static bool
dup_setting_pass(struct ctx *c, bool exact)
{
	const struct toks *k = c->k;
	struct scope {
		size_t first;		/* its first setting in names[] */
		const char *gname;	/* the setting it belongs to */
		size_t glen;
	} *st;
	struct named {
		const char *s;
		size_t n;
		int line;
	} *names;
	size_t depth = 0, nn = 0;
	bool found = false;

	st = calloc(k->n + 1, sizeof(*st));
	names = calloc(k->n + 1, sizeof(*names));
	if (st == NULL || names == NULL)
		goto out;
	for (size_t i = 0; i < k->n && !found; i++) {
		const struct tok *t = &k->v[i];

		if (punct(t, "{([")) {
			depth++;
			st[depth].first = nn;
			st[depth].gname = NULL;
			if (i >= 2 && punct(&k->v[i - 1], "=:") &&
			    k->v[i - 2].t == T_NAME) {
				st[depth].gname = k->v[i - 2].s;
				st[depth].glen = k->v[i - 2].n;
			}
		} else if (punct(t, "})]")) {
			if (depth > 0) {
				nn = st[depth].first;
				depth--;
			}
		} else if (t->t == T_NAME && i + 1 < k->n &&
		    punct(&k->v[i + 1], "=:")) {
			for (size_t j = st[depth].first; j < nn; j++)
				if (names[j].n == t->n && memcmp(names[j].s,
				    t->s, t->n) == 0 && (exact ? t->line ==
				    c->eline : t->line <= c->eline)) {
					const struct scope *sc = &st[depth];
					if (sc->gname)
						say(c, t->line, "syntax error: "
						    "duplicate setting name \"%.*s\" "
						    "in \"%.*s\" (first at line "
						    "%d): the names in one group "
						    "differ; rename one, or merge "
						    "the two", (int)t->n, t->s,
						    (int)sc->glen, sc->gname,
						    names[j].line);
					else
						say(c, t->line, "syntax error: "
						    "duplicate setting name \"%.*s\" "
						    "(first at line %d): the names "
						    "in one group differ; rename "
						    "one, or merge the two",
						    (int)t->n, t->s, names[j].line);
					found = true;
					break;
				}
			names[nn++] = (struct named){ t->s, t->n, t->line };
		}
	}
out:
	free(st);
	free(names);
	return found;
}

static bool
dup_setting(struct ctx *c)
{
	return dup_setting_pass(c, true) || dup_setting_pass(c, false);
}

/* The first name that is not ASCII, up to the error. */
static bool
non_ascii_name(struct ctx *c)
{
	const struct toks *k = c->k;

	for (size_t i = 0; i < k->n && k->v[i].line <= c->eline; i++)
		if (k->v[i].t == T_BAD) {
			const struct tok *t = &k->v[i];
			say(c, t->line, "syntax error: \"%.*s\" cannot be a "
			    "name: names are ASCII letters, digits, '-' and "
			    "'_', starting with a letter; write an ASCII name "
			    "and give the Japanese one as its label, for "
			    "example: h1 = { label = \"%.*s\"; ... }",
			    (int)t->n, t->s, (int)t->n, t->s);
			return true;
		}
	return false;
}

/* Tokens of the error line and the one before it (libconfig's parser
 * reports at its lookahead). */
static bool
near_error(const struct ctx *c, const struct tok *t)
{
	return t->line == c->eline || t->line == c->eline - 1;
}

/* A name that starts with a digit: "365-teams = { ... }". */
static bool
digit_name(struct ctx *c)
{
	const struct toks *k = c->k;

	for (size_t i = 0; i + 1 < k->n; i++) {
		const struct tok *t = &k->v[i];

		if (t->t != T_NUM || !near_error(c, t) || !punct(&k->v[i + 1],
		    "=:") || (i > 0 && !punct(&k->v[i - 1], "{;,")))
			continue;
		say(c, t->line, "syntax error: \"%.*s\" cannot be a name: a "
		    "name starts with a letter (then letters, digits, '-' and "
		    "'_'); write, for example, h%.*s, and the name you meant as "
		    "its label: label = \"%.*s\"", (int)t->n, t->s, (int)t->n,
		    t->s, (int)t->n, t->s);
		return true;
	}
	return false;
}

static bool
open_string(struct ctx *c)
{
	const struct toks *k = c->k;

	for (size_t i = 0; i < k->n && k->v[i].line <= c->eline; i++)
		if (k->v[i].t == T_OPENSTR) {
			say(c, k->v[i].line, "syntax error: a string is not "
			    "closed on its line: a '\"' is missing");
			return true;
		}
	return false;
}

/* Is t a range "LO-HI" of numbers? */
static bool
num_range(const struct tok *t)
{
	size_t i = 0;

	while (i < t->n && isdigit((unsigned char)t->s[i]))
		i++;
	if (i == 0 || i >= t->n || t->s[i] != '-')
		return false;
	for (i++; i < t->n; i++)
		if (!isdigit((unsigned char)t->s[i]))
			return false;
	return isdigit((unsigned char)t->s[t->n - 1]);
}

static bool
addr_like(const struct tok *t)
{
	size_t dots = 0, colons = 0;

	for (size_t i = 0; i < t->n; i++) {
		dots += t->s[i] == '.';
		colons += t->s[i] == ':';
	}
	return dots >= 2 || colons >= 2;
}

static bool
unquoted_value(struct ctx *c)
{
	const struct toks *k = c->k;

	for (size_t i = 0; i < k->n; i++) {
		const struct tok *t = &k->v[i];

		if (!near_error(c, t) || !value_pos(k, i))
			continue;
		if (t->t == T_NUM && num_range(t)) {
			say(c, t->line, "syntax error: the range %.*s is a "
			    "string: write \"%.*s\" (ports = [ \"%.*s\" ], or "
			    "mixed with numbers in a list: ports = ( 443, "
			    "\"%.*s\" ))", (int)t->n, t->s, (int)t->n, t->s,
			    (int)t->n, t->s, (int)t->n, t->s);
			return true;
		}
		if (t->t == T_NUM && addr_like(t)) {
			say(c, t->line, "syntax error: the address %.*s is a "
			    "string: write it in double quotes, \"%.*s\"",
			    (int)t->n, t->s, (int)t->n, t->s);
			return true;
		}
	}
	return false;
}

static bool
trailing_comma(struct ctx *c)
{
	const struct toks *k = c->k;

	for (size_t i = 0; i + 1 < k->n; i++)
		if (punct(&k->v[i], ",") && punct(&k->v[i + 1], "])") &&
		    k->v[i + 1].line <= c->eline) {
			say(c, k->v[i].line, "syntax error: a ',' after the "
			    "last element of a list: remove it (libconfig "
			    "allows a ',' only between elements)");
			return true;
		}
	return false;
}

static bool
missing_value(struct ctx *c)
{
	const struct toks *k = c->k;

	for (size_t i = 1; i + 1 < k->n; i++) {
		const struct tok *t = &k->v[i];

		if (!near_error(c, t) || !punct(t, "=:") ||
		    k->v[i - 1].t != T_NAME)
			continue;
		if (punct(&k->v[i + 1], ";,})]")) {
			say(c, t->line, "syntax error: a value is missing "
			    "after \"%.*s =\"", (int)k->v[i - 1].n,
			    k->v[i - 1].s);
			return true;
		}
		if (k->v[i + 1].t == T_NAME && !is_bool(&k->v[i + 1]) &&
		    near_error(c, &k->v[i + 1])) {
			const struct tok *v = &k->v[i + 1];
			say(c, v->line, "syntax error: a string is written in "
			    "double quotes: %.*s = \"%.*s\";",
			    (int)k->v[i - 1].n, k->v[i - 1].s, (int)v->n,
			    v->s);
			return true;
		}
	}
	return false;
}

/* Two values of a list without the comma between them. */
static bool
missing_comma(struct ctx *c)
{
	const struct toks *k = c->k;

	for (size_t i = 1; i < k->n; i++) {
		const struct tok *a = &k->v[i - 1], *b = &k->v[i];
		bool av = a->t == T_NUM || a->t == T_STRING || punct(a, "}");
		bool bv = b->t == T_NUM || punct(b, "{");

		if (near_error(c, b) && av && bv) {
			say(c, b->line, "syntax error: a ',' is missing "
			    "between two elements of a list");
			return true;
		}
	}
	return false;
}

/* Brackets that do not pair, up to the error; or one never closed. */
static bool
brackets(struct ctx *c, bool at_end)
{
	const struct toks *k = c->k;
	const struct tok **st = calloc(k->n + 1, sizeof(*st));
	size_t depth = 0;
	bool found = false;

	if (st == NULL)
		return false;
	for (size_t i = 0; i < k->n && !found; i++) {
		const struct tok *t = &k->v[i];
		char want;

		if (!at_end && t->line > c->eline)
			break;
		if (punct(t, "{([")) {
			st[depth++] = t;
			continue;
		}
		if (!punct(t, "})]"))
			continue;
		want = t->s[0] == '}' ? '{' : t->s[0] == ')' ? '(' : '[';
		if (depth == 0) {
			say(c, t->line, "syntax error: '%c' closes nothing: "
			    "remove it, or add the '%c' it was meant to close",
			    t->s[0], want);
			found = true;
		} else if (st[depth - 1]->s[0] != want) {
			say(c, t->line, "syntax error: '%c' cannot close the "
			    "'%c' of line %d", t->s[0], st[depth - 1]->s[0],
			    st[depth - 1]->line);
			found = true;
		} else
			depth--;
	}
	if (!found && depth > 0 && (at_end || c->eline >= k->v[k->n - 1].line)) {
		const struct tok *o = st[depth - 1];
		say(c, o->line, "syntax error: the '%c' of this line is never "
		    "closed: a '%c' is missing", o->s[0], o->s[0] == '{' ? '}' :
		    o->s[0] == '(' ? ')' : ']');
		found = true;
	}
	free(st);
	return found;
}

/* ";;" or ";," */
static bool
double_separator(struct ctx *c)
{
	const struct toks *k = c->k;

	for (size_t i = 1; i < k->n; i++)
		if (near_error(c, &k->v[i]) && punct(&k->v[i], ";,") &&
		    punct(&k->v[i - 1], ";,")) {
			say(c, k->v[i].line, "syntax error: '%c' after '%c': "
			    "one separator ends a setting; remove one",
			    k->v[i].s[0], k->v[i - 1].s[0]);
			return true;
		}
	return false;
}

static bool
explain_text(struct ctx *c)
{
	return non_ascii_name(c) || digit_name(c) || open_string(c) ||
	    unquoted_value(c) ||
	    trailing_comma(c) || missing_value(c) || double_separator(c) ||
	    missing_comma(c);
}

/*
 * An error in the main file just after an @include: the included file may
 * have left a bracket open (the parser goes on in the file that included
 * it).  Explains it in the included file.
 */
static bool
include_left_open(const struct toks *k, int eline, const char *dir,
    struct confsyntax *out)
{
	for (size_t i = 0; i + 1 < k->n; i++) {
		const struct tok *t = &k->v[i], *f = &k->v[i + 1];
		char name[PATH_MAX], path[PATH_MAX], *text;
		struct toks ik = { 0 };
		struct ctx ic;
		bool found = false;

		if (t->t != T_INCLUDE || f->t != T_STRING || t->line > eline)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)f->n - 2, f->s + 1);
		confsyntax_path(dir, name, path, sizeof(path));
		if ((text = slurp(path)) == NULL)
			continue;
		if (tokenize(text, &ik) == 0 && ik.n > 0) {
			ic = (struct ctx){ &ik, ik.v[ik.n - 1].line, path, out };
			if (brackets(&ic, true)) {
				size_t n = strlen(out->msg);
				snprintf(out->msg + n, sizeof(out->msg) - n,
				    " (the file is included at line %d; the "
				    "error showed after it)", t->line);
				found = true;
			}
		}
		free(ik.v);
		free(text);
		if (found)
			return true;
	}
	return false;
}

void
confsyntax_explain(const char *text, const char *name, const char *dir,
    const char *efile, int eline, const char *etext, struct confsyntax *out)
{
	char path[PATH_MAX], *own = NULL;
	const char *src = text;
	struct toks k = { 0 };
	struct ctx c;
	bool done = false;

	/* libconfig's words, until something better is found */
	snprintf(out->file, sizeof(out->file), "%s", efile ?
	    confsyntax_path(dir, efile, path, sizeof(path)) : name);
	out->line = eline;
	if (etext == NULL || strcmp(etext, "syntax error") == 0)
		snprintf(out->msg, sizeof(out->msg), GENERIC);
	else
		snprintf(out->msg, sizeof(out->msg), "syntax error: %s", etext);
	if (efile != NULL) {
		if ((own = slurp(out->file)) == NULL)
			return;
		src = own;
	}
	if (src == NULL || tokenize(src, &k) < 0 || k.n == 0)
		goto out;
	c = (struct ctx){ &k, eline, efile ? path : name, out };
	if (etext && strstr(etext, "duplicate setting name"))
		done = dup_setting(&c);
	else if (etext && strstr(etext, "mismatched element type")) {
		say(&c, eline, "syntax error: mismatched element type in "
		    "array: an array [ ] holds values of one type; a list ( ) "
		    "may mix them: ports = ( 25, \"1494-1495\" )");
		done = true;
	} else if (etext && strstr(etext, "include")) {
		done = false;	/* "cannot open include file": as it is */
	} else {
		done = explain_text(&c);
		if (!done && efile == NULL)
			done = include_left_open(&k, eline, dir, out);
		if (!done)
			done = brackets(&c, false);
	}
out:
	(void)done;
	free(k.v);
	free(own);
}
