/*
 * html — a well-formed HTML document written piece by piece; text and
 * attribute values escaped, element nesting kept by a stack.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

void
html_init(struct html *h)
{
	memset(h, 0, sizeof(*h));
}

void
html_free(struct html *h)
{
	free(h->buf);
	html_init(h);
}

static void
fail(struct html *h, const char *why, const char *what)
{
	if (h->failed)
		return;
	h->failed = true;
	snprintf(h->why, sizeof(h->why), "%s%s%s", why, what ? ": " : "",
	    what ? what : "");
}

static void
put(struct html *h, const char *s, size_t n)
{
	if (h->failed)
		return;
	if (h->len + n + 1 > h->cap) {
		size_t cap = h->cap ? h->cap : 16384;
		char *b;
		while (h->len + n + 1 > cap)
			cap *= 2;
		if ((b = realloc(h->buf, cap)) == NULL) {
			fail(h, "out of memory", NULL);
			return;
		}
		h->buf = b;
		h->cap = cap;
	}
	memcpy(h->buf + h->len, s, n);
	h->len += n;
	h->buf[h->len] = '\0';
}

static void
puts_(struct html *h, const char *s)
{
	put(h, s, strlen(s));
}

size_t
html_utf8(const char *str, size_t n, unsigned *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c, min;
	size_t len;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* A character that neither an HTML5 nor an XML document may carry. */
static bool
forbidden(unsigned c)
{
	if (c < 0x20)
		return c != '\t' && c != '\n' && c != '\r';
	if (c >= 0x7f && c <= 0x9f)
		return true;
	if (c >= 0xfdd0 && c <= 0xfdef)
		return true;
	return (c & 0xfffe) == 0xfffe;
}

/* s, escaped, through put(). */
static void
escaped(struct html *h, const char *s)
{
	size_t n = strlen(s), i = 0, run = 0;

	while (i < n) {
		const char *rep = NULL;
		unsigned c;
		size_t k = html_utf8(s + i, n - i, &c);

		if (k == 0) {
			rep = REPLACEMENT;
			k = 1;
		} else if (forbidden(c))
			rep = REPLACEMENT;
		else
			switch (c) {
			case '&': rep = "&amp;"; break;
			case '<': rep = "&lt;"; break;
			case '>': rep = "&gt;"; break;
			case '"': rep = "&quot;"; break;
			case '\'': rep = "&#39;"; break;
			}
		if (rep == NULL) {
			run += k;
			i += k;
			continue;
		}
		put(h, s + i - run, run);
		puts_(h, rep);
		run = 0;
		i += k;
	}
	put(h, s + i - run, run);
}

static bool
valid_name(const char *s)
{
	if (s == NULL || !(*s >= 'a' && *s <= 'z'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-'))
			return false;
	return true;
}

/* HTML's void elements: the only ones written as <tag/>. */
static bool
void_element(const char *tag)
{
	static const char *const v[] = { "area", "base", "br", "col", "embed",
		"hr", "img", "input", "link", "meta", "source", "track", "wbr",
		NULL };

	for (int i = 0; v[i]; i++)
		if (strcmp(v[i], tag) == 0)
			return true;
	return false;
}

static void
start_tag(struct html *h, const char *tag, va_list ap, bool is_void)
{
	const char *name, *value;

	if (!valid_name(tag)) {
		fail(h, "invalid tag name", tag);
		return;
	}
	if (is_void != void_element(tag)) {
		fail(h, is_void ? "not a void element" : "a void element has "
		    "no content", tag);
		return;
	}
	put(h, "<", 1);
	puts_(h, tag);
	while ((name = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		if (!valid_name(name)) {
			fail(h, "invalid attribute name", name);
			return;
		}
		if (value == NULL)
			continue;
		put(h, " ", 1);
		puts_(h, name);
		put(h, "=\"", 2);
		escaped(h, value);
		put(h, "\"", 1);
	}
	puts_(h, is_void ? "/>" : ">");
}

void
html_open(struct html *h, const char *tag, ...)
{
	va_list ap;

	if (h->failed)
		return;
	if (h->depth == HTML_DEPTH) {
		fail(h, "elements nested too deep", tag);
		return;
	}
	va_start(ap, tag);
	start_tag(h, tag, ap, false);
	va_end(ap);
	h->open[h->depth++] = tag;
}

void
html_void(struct html *h, const char *tag, ...)
{
	va_list ap;

	if (h->failed)
		return;
	va_start(ap, tag);
	start_tag(h, tag, ap, true);
	va_end(ap);
}

void
html_close(struct html *h, const char *tag)
{
	if (h->failed)
		return;
	if (h->depth == 0 || strcmp(h->open[h->depth - 1], tag) != 0) {
		fail(h, "closing an element that is not the innermost open "
		    "one", tag);
		return;
	}
	h->depth--;
	put(h, "</", 2);
	puts_(h, tag);
	put(h, ">", 1);
}

void
html_text(struct html *h, const char *s)
{
	if (s != NULL)
		escaped(h, s);
}

void
html_textf(struct html *h, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fail(h, "out of memory", NULL);
		return;
	}
	escaped(h, s);
	free(s);
}

void
html_elem(struct html *h, const char *tag, const char *cls,
    const char *text)
{
	html_open(h, tag, "class", cls, NULL);
	html_text(h, text);
	html_close(h, tag);
}

void
html_raw(struct html *h, const char *s, size_t len)
{
	put(h, s, len);
}

char *
html_finish(struct html *h, size_t *len, char *err, size_t errlen)
{
	char *doc;

	if (!h->failed && h->depth > 0)
		fail(h, "element left open", h->open[h->depth - 1]);
	if (!h->failed && h->buf == NULL)
		put(h, "", 0);
	if (h->failed) {
		snprintf(err, errlen, "%s", h->why);
		html_free(h);
		return NULL;
	}
	doc = h->buf;
	if (len)
		*len = h->len;
	h->buf = NULL;
	html_free(h);
	return doc;
}

char *
html_escape(const char *s)
{
	struct html h;
	char err[8];

	html_init(&h);
	html_text(&h, s);
	return html_finish(&h, NULL, err, sizeof(err));
}
