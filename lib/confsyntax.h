/*
 * confsyntax — libconfig's syntax errors explained: where the defect is and
 * what to write instead.
 *
 * libconfig stops at the first syntax error and says little more than
 * "syntax error" on the line where its parser gave up, which is often the
 * line after the defect (a trailing comma is found at the closing bracket,
 * an @include that leaves a group open is found in the file that includes
 * it).  This module reads the text again with a small tokenizer of the same
 * grammar and recognises the usual mistakes: a name that is not ASCII, an
 * unquoted port range or address, a comma after the last element, a
 * duplicate setting (named), a missing value, an unquoted word, a bracket
 * left open.  No I/O but reading the file that libconfig named.
 */
#ifndef ZONED_CONFSYNTAX_H
#define ZONED_CONFSYNTAX_H

#include <limits.h>
#include <stddef.h>

struct confsyntax {
	char file[PATH_MAX];	/* where the defect is, as findings name it */
	int line;
	char msg[768];		/* "syntax error: ..." */
};

/*
 * text is the main policy's text, name its name in findings, dir the
 * directory of relative @include names (NULL: the current directory);
 * efile, eline and etext are libconfig's error (efile NULL: the main
 * text).  out is always filled, at worst with libconfig's own words.
 */
void confsyntax_explain(const char *text, const char *name, const char *dir,
    const char *efile, int eline, const char *etext, struct confsyntax *out);

/* A file named in the policy (@include, addresses_file) as findings show
 * it: relative names prefixed with dir, so that it opens from here. */
const char *confsyntax_path(const char *dir, const char *name, char *buf,
    size_t len);

#endif
