/*
 * policyfile — reading a policy file without hanging (see policyfile.h).
 *
 * The file is opened with O_NONBLOCK, so that opening a FIFO returns at
 * once instead of waiting for a writer; what it is, and its size, come
 * from fstat() of the descriptor opened, so that a symbolic link is judged
 * by what it points to at that moment.  A regular file never blocks a
 * read for long, and is read at most one byte past the limit (a file that
 * grows meanwhile is refused, not followed).
 *
 * libconfig 1.5 opens an @include file itself, with fopen(), at the path
 * "INCLUDE_DIR/NAME" (INCLUDE_DIR is the directory of the main file, set
 * by conf_load_string when the name has a '/'; without one, NAME as it
 * is), at any depth below the main file.  Its scanner takes a line
 * `[ \t]*@include[ \t]+"NAME"`; so does ours, and every such file is
 * judged, and read, as the main one before libconfig may open it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policyfile.h"

static const char *
kind_str(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a file";
}

/* Read the regular file at path whole, with at most room bytes. */
static char *
read_regular(const char *path, size_t room, size_t *len, char *err,
    size_t errlen)
{
	struct stat sb;
	char *buf = NULL;
	size_t n = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) <
	    0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (%s)", path,
		    kind_str(sb.st_mode));
		goto fail;
	}
	if ((unsigned long long)sb.st_size > room) {
		snprintf(err, errlen, "%s: %llu bytes, over the limit of %u MiB "
		    "for a policy%s", path, (unsigned long long)sb.st_size,
		    POLICYFILE_MAX >> 20, room < POLICYFILE_MAX ?
		    " with the files before it" : "");
		goto fail;
	}
	/* one byte more than the size says, to see a file that grew */
	if ((buf = malloc((size_t)sb.st_size + 2)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, (size_t)sb.st_size + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > (size_t)sb.st_size) {
			snprintf(err, errlen, "%s: grew while it was read",
			    path);
			goto fail;
		}
	}
	close(fd);
	if (memchr(buf, '\0', n) != NULL) {
		snprintf(err, errlen, "%s: a NUL byte at offset %zu (not a "
		    "text file)", path, (size_t)((char *)memchr(buf, '\0', n) -
		    buf));
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

struct walk {
	char dir[PATH_MAX];	/* "" when the main file's name has no '/' */
	size_t total;		/* bytes read, the main file's included */
	char *err;
	size_t errlen;
};

/* The NAME of an @include line starting at p (NULL when the line is
 * none), unescaped into name. */
static const char *
include_name(const char *p, char *name, size_t len)
{
	size_t n = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "@include", 8) != 0 || (p[8] != ' ' && p[8] != '\t'))
		return NULL;
	p += 8;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if (*p == '\0' || *p == '\n')
			return NULL;
		if (*p == '\\' && p[1] != '\0' && p[1] != '\n')
			p++;
		if (n + 1 < len)
			name[n++] = *p;
	}
	name[n] = '\0';
	return name;
}

static int
walk_text(struct walk *w, const char *file, const char *text, int depth)
{
	char name[PATH_MAX], path[2 * PATH_MAX + 2];
	const char *line = text;
	int lineno = 1;

	for (; line != NULL && *line != '\0'; lineno++) {
		const char *nl = strchr(line, '\n');
		char *inc;
		size_t len, over;
		int rc;

		if (include_name(line, name, sizeof(name)) == NULL)
			goto next;
		if (depth >= POLICYFILE_DEPTH)	/* libconfig refuses it */
			goto next;
		if (w->dir[0])
			snprintf(path, sizeof(path), "%s/%s", w->dir, name);
		else
			snprintf(path, sizeof(path), "%s", name);
		/* a name that does not exist is libconfig's to report */
		if (access(path, F_OK) < 0 && errno == ENOENT)
			goto next;
		over = POLICYFILE_MAX - w->total;
		if ((inc = read_regular(path, over, &len, w->err,
		    w->errlen)) == NULL) {
			char why[512];
			snprintf(why, sizeof(why), "%s", w->err);
			snprintf(w->err, w->errlen, "%s:%d: @include %s", file,
			    lineno, why);
			return -1;
		}
		w->total += len;
		rc = walk_text(w, path, inc, depth + 1);
		free(inc);
		if (rc < 0)
			return -1;
next:
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

char *
policyfile_read(const char *path, size_t *len, char *err, size_t errlen)
{
	struct walk w = { .err = err, .errlen = errlen };
	char *text;

	if ((text = read_regular(path, POLICYFILE_MAX, len, err, errlen)) ==
	    NULL)
		return NULL;
	if (strchr(path, '/') != NULL) {
		char copy[PATH_MAX];
		snprintf(copy, sizeof(copy), "%s", path);
		snprintf(w.dir, sizeof(w.dir), "%s", dirname(copy));
	}
	w.total = *len;
	if (walk_text(&w, path, text, 1) < 0) {
		free(text);
		return NULL;
	}
	return text;
}
