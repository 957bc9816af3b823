/*
 * textbuf — text built piece by piece in a caller's fixed buffer: the
 * explanations of the classifier and the audit ("no flow permits ...;
 * flow "x" between these hosts permits tcp/443 only").
 *
 * The buffer holds a NUL-terminated string; an append that does not fit is
 * cut, as snprintf() cuts, and a full buffer takes nothing more.  No
 * allocation.
 *
 * Not "strbuf": libconfig exports strbuf_append() and strbuf_release()
 * without a prefix, and a function of ours by that name would take the
 * place of its own inside libconfig's parser.
 */
#ifndef ZONED_TEXTBUF_H
#define ZONED_TEXTBUF_H

#include <stddef.h>

/* Append printf-style text to the string in buf (len bytes in all: the
 * string already there, the new text and the terminating NUL).  A buf
 * with no NUL in its len bytes is left as it is. */
void textbuf_append(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
