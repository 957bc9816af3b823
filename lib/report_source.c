/*
 * report_source — the policy file a report is made of: read whole (so
 * that its SHA-256 and what is judged are the same bytes), loaded and
 * judged by every compliance rule at the report's time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "conf.h"
#include "lint.h"
#include "report.h"

char *
report_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL, *nb;
	size_t cap = 0, n = 0, r;

	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (n + 4096 + 1 > cap) {
			if ((nb = realloc(buf, cap = cap ? cap * 2 : 65536)) ==
			    NULL) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			buf = nb;
		}
		n += r = fread(buf + n, 1, cap - n - 1, fp);
	} while (r > 0);
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error", path);
		errno = EIO;
		goto fail;
	}
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	fclose(fp);
	errno = errno ? errno : EIO;
	return NULL;
}

static int
sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		return -1;
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int
report_source_load(const char *path, time_t now, struct report_source *src,
    char *err, size_t errlen)
{
	memset(src, 0, sizeof(*src));
	diag_init(&src->diag);
	if ((src->text = report_read_file(path, &src->len, err, errlen)) == NULL)
		return -1;
	if (sha256_hex(src->text, src->len, src->sha256) < 0) {
		snprintf(err, errlen, "%s: SHA-256 not available", path);
		report_source_free(src);
		return -1;
	}
	if (conf_load_string(src->text, path, &src->pol, &src->diag) < 0) {
		snprintf(err, errlen, "%s: cannot be loaded", path);
		report_source_free(src);
		return -1;
	}
	if (src->pol != NULL)
		lint_run(src->pol, &src->diag, now);
	else
		diag_sort(&src->diag);
	return 0;
}

void
report_source_free(struct report_source *src)
{
	free(src->text);
	policy_free(src->pol);
	diag_free(&src->diag);
	memset(src, 0, sizeof(*src));
}
