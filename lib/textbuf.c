/*
 * textbuf — printf-style appends to a string in a fixed buffer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "textbuf.h"

void
textbuf_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = len ? strnlen(buf, len) : 0;
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}
