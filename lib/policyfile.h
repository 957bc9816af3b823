/*
 * policyfile — reading a policy file as the daemon may, in its one event
 * loop: only a regular file (or a symbolic link to one) of bounded size,
 * opened without blocking, and every file it names by @include the same.
 * A FIFO, a directory, a device such as /dev/zero or a file of 100 MB at
 * the policy's path is refused at once with the path and the reason,
 * instead of hanging the loop (and with it every verdict of the queue) or
 * filling memory.
 */
#ifndef ZONED_POLICYFILE_H
#define ZONED_POLICYFILE_H

#include <stddef.h>

/* Bytes a policy may have, the main file and its @include files together
 * (a policy of 100,000 flows is about 8 MB). */
#define POLICYFILE_MAX (32u << 20)
/* @include files within @include files, as deep as libconfig reads them. */
#define POLICYFILE_DEPTH 10

/*
 * The text of the policy file at path, NUL-terminated, its length in *len
 * (free() it).  NULL with err filled as "PATH: REASON" when path is not a
 * regular file, is over POLICYFILE_MAX, holds a NUL byte, cannot be read,
 * or names by @include a file that is not a regular file or takes the
 * total over the limit.  The @include files are only checked: libconfig
 * reads them itself, from the directory of path.
 */
char *policyfile_read(const char *path, size_t *len, char *err,
    size_t errlen);

#endif
