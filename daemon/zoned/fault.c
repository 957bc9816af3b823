/*
 * fault — fault injection for the tests (see fault.h); empty in a
 * release build.
 */
#include "fault.h"

#ifdef ZONED_TESTING
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "ENOBUFS", ENOBUFS }, { "ENOMEM", ENOMEM }, { "ENOSPC", ENOSPC },
	{ "EPERM", EPERM }, { "EIO", EIO }, { "EAGAIN", EAGAIN },
};

int
fault_errno(const char *point)
{
	const char *path = getenv("ZONED_FAULT_FILE");
	char line[128], name[64], err[32];
	int e = 0;
	FILE *fp;

	if (path == NULL || (fp = fopen(path, "re")) == NULL)
		return 0;
	while (e == 0 && fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%63s %31s", name, err) != 2 ||
		    strcmp(name, point) != 0)
			continue;
		for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
			if (strcmp(errnos[i].name, err) == 0)
				e = errnos[i].value;
	}
	fclose(fp);
	return e;
}
#else
/* ISO C wants something in a translation unit. */
typedef int fault_unused;
#endif
