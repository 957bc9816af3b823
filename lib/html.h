/*
 * html — writing an HTML document that is well-formed by construction:
 * the one place where text becomes markup.
 *
 * Every piece of text (a policy's names, comments, approvals, a finding's
 * message) goes through html_text() or an attribute value, which escape
 * & < > " ' and make the text valid for both an HTML5 and an XML parser:
 * a byte sequence that is no UTF-8 and a control character (other than
 * tab, newline and carriage return) become U+FFFD.  Elements are opened
 * and closed through a stack, so every element is closed, in order, and
 * void elements are written as <br/>: the output is polyglot markup, read
 * alike by browsers and by XML tools.  Tag and attribute names come from
 * the program, never from data: a name that is not [a-z][a-z0-9-]* fails
 * the document.  Only html_raw() writes bytes as they are, for markup
 * this program made (a style sheet, a diagram from Graphviz).
 *
 * A writer that fails (out of memory, a misuse) takes nothing more and
 * html_finish() says why; no call returns an error of its own.
 */
#ifndef ZONED_HTML_H
#define ZONED_HTML_H

#include <stdbool.h>
#include <stddef.h>

#define HTML_DEPTH 32		/* elements open at once */

struct html {
	char *buf;
	size_t len, cap;
	const char *open[HTML_DEPTH];	/* the open elements' tags */
	int depth;
	bool failed;
	char why[128];
};

void html_init(struct html *h);
void html_free(struct html *h);

/*
 * <tag name="value" ...>: the attributes are pairs of a name and a value,
 * ended by a NULL name; a NULL value leaves its attribute out.
 */
void html_open(struct html *h, const char *tag, ...)
    __attribute__((sentinel));
/* A void element (br, meta, img ...: HTML's list), <tag name="value"
 * .../>, attributes as html_open.  Every other element is opened and
 * closed, even when empty. */
void html_void(struct html *h, const char *tag, ...)
    __attribute__((sentinel));
/* </tag> of the innermost open element, which must be tag. */
void html_close(struct html *h, const char *tag);

/* Text, escaped. */
void html_text(struct html *h, const char *s);
void html_textf(struct html *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* <tag class="cls">text</tag>; cls may be NULL. */
void html_elem(struct html *h, const char *tag, const char *cls,
    const char *text);

/* Markup of this program's own, written as it is. */
void html_raw(struct html *h, const char *s, size_t len);

/*
 * The document: every element must be closed.  Returns it (the caller
 * frees it; *len its length) and leaves h empty, or NULL with why in err.
 */
char *html_finish(struct html *h, size_t *len, char *err, size_t errlen);

/*
 * s escaped as html_text() escapes it, into a new string (NULL when out
 * of memory).
 */
char *html_escape(const char *s);

/*
 * The length of the valid UTF-8 character at s (1..4), 0 when the bytes
 * there are no valid UTF-8 (an overlong form, a surrogate, a sequence cut
 * short by n or by a NUL); *cp its code point.
 */
size_t html_utf8(const char *s, size_t n, unsigned *cp);

#endif
