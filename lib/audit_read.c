/*
 * audit_read — capture files for the audit: opened so that libpcap reads
 * them fast (audit_cap_open, also the benchmark's bare read loop), their
 * link type checked, every record given to the frame path (audit.c), and
 * a bad record or a failed open said with the path and the frame number.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "audit_impl.h"
#include "pkt.h"

#define AUDIT_READ_BUF	(256 * 1024)	/* stdio buffer of the capture */
#define AUDIT_CAP_TRIES	8	/* opens for a record buffer off a page end */

int
audit_read_linktype(int dlt, int *linktype)
{
	switch (dlt) {
	case DLT_RAW:		/* 12 (14 on OpenBSD): LINKTYPE_RAW in files */
	case PKT_LINK_RAW:
		*linktype = PKT_LINK_RAW;
		return 1;
	case PKT_LINK_EN10MB:
	case PKT_LINK_LINUX_SLL:
	case PKT_LINK_LINUX_SLL2:
	case PKT_LINK_IPV4:
	case PKT_LINK_IPV6:
		*linktype = dlt;
		return 1;
	}
	return 0;
}

/*
 * One open of the capture: a FILE of our own with stdio locking off (libpcap
 * reads with two fread() calls a record, and stdio would lock the FILE on
 * each: four atomic operations a frame, which would cost more than the
 * classification) and a buffer of AUDIT_READ_BUF (setvbuf() without a
 * buffer keeps glibc's 4 KiB: a read() every 45 frames), then the first
 * record.
 */
static int
audit_read_open1(struct audit_cap *cap, const char *path, char *ebuf)
{
	FILE *fp;

	int e;

	memset(cap, 0, sizeof(*cap));
	ebuf[0] = '\0';
	if ((cap->iobuf = malloc(AUDIT_READ_BUF)) == NULL ||
	    (fp = fopen(path, "rb")) == NULL) {
		e = errno;
		free(cap->iobuf);
		cap->iobuf = NULL;
		errno = e;
		return -1;
	}
	__fsetlocking(fp, FSETLOCKING_BYCALLER);
	setvbuf(fp, cap->iobuf, _IOFBF, AUDIT_READ_BUF);
	if ((cap->h = pcap_fopen_offline(fp, ebuf)) == NULL) {
		fclose(fp);
		free(cap->iobuf);
		cap->iobuf = NULL;
		if (ebuf[0] == '\0')
			snprintf(ebuf, PCAP_ERRBUF_SIZE, "cannot read");
		return -1;
	}
	cap->rc = pcap_next_ex(cap->h, &cap->ph, &cap->data);
	return 0;
}

/*
 * libpcap copies every record into one buffer of its own, malloc()ed at the
 * open (2 KiB while the records fit).  Where it lands is the heap's
 * business; but a record copied across a page boundary costs some 50
 * cycles more on this hardware (split stores; measured: 12 to 16 ns a copy
 * against 1.5 to 4 off a page end), about as much as the rest of the
 * audit of that frame.  So when the first record sits in the second half
 * of a page, the capture is opened again, the first open held so that the
 * buffer lands elsewhere, up to AUDIT_CAP_TRIES times (regular files only:
 * a pipe cannot be read twice).  Records over 2 KiB make libpcap reallocate
 * it, which nobody places.
 */
int
audit_cap_open(struct audit_cap *cap, const char *path, char *ebuf)
{
	struct audit_cap held[AUDIT_CAP_TRIES];
	struct stat sb;
	size_t n = 0;

	for (;;) {
		if (audit_read_open1(cap, path, ebuf) < 0) {
			if (n == 0)
				return -1;
			*cap = held[--n];	/* gone meanwhile: keep one */
			break;
		}
		if (cap->rc != 1 || ((uintptr_t)cap->data & 4095) <= 2048 ||
		    n == AUDIT_CAP_TRIES - 1 ||
		    fstat(fileno(pcap_file(cap->h)), &sb) < 0 ||
		    !S_ISREG(sb.st_mode))
			break;
		held[n++] = *cap;
	}
	while (n > 0)
		audit_cap_close(&held[--n]);
	return 0;
}

void
audit_cap_close(struct audit_cap *cap)
{
	if (cap->h != NULL)
		pcap_close(cap->h);	/* and the FILE */
	free(cap->iobuf);
	memset(cap, 0, sizeof(*cap));
}

int
audit_file(const char *path, const struct policy *p,
    const struct classify *c, const struct audit_opts *o,
    struct audit_result *r, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct audit_cap cap;
	struct audit_ctx *x;
	struct pcap_pkthdr *ph;
	const u_char *data;
	const char *dname;
	pcap_t *h;
	int rc, ret = 0;

	memset(r, 0, sizeof(*r));
	if ((r->file = strdup(path)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (o != NULL && o->zone >= 0 && (size_t)o->zone >= p->nzones) {
		snprintf(err, errlen, "zone %d out of range", o->zone);
		return -1;
	}
	if (audit_cap_open(&cap, path, ebuf) < 0) {
		if (ebuf[0] == '\0')
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		else if (strstr(ebuf, path) != NULL)
			snprintf(err, errlen, "%s", ebuf);
		else
			snprintf(err, errlen, "%s: %s", path, ebuf);
		return -1;
	}
	h = cap.h;
	r->linktype = pcap_datalink(h);
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		audit_cap_close(&cap);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (!audit_read_linktype(r->linktype, &x->linktype)) {
		dname = pcap_datalink_val_to_name(r->linktype);
		snprintf(err, errlen, "%s: link type %d%s%s%s is not "
		    "supported (Ethernet, Linux cooked, raw IP)", path,
		    r->linktype, dname ? " (" : "", dname ? dname : "",
		    dname ? ")" : "");
		free(x);
		audit_cap_close(&cap);
		return -1;
	}
	x->p = p;
	x->c = c;
	x->r = r;
	x->zone = o != NULL ? o->zone : -1;
	x->cache_on = o == NULL || !o->no_cache;
	x->maxv = o != NULL && o->max_violations > 0 ? o->max_violations :
	    AUDIT_DEFAULT_MAX_VIOLATIONS;
	if (audit_ctx_init(x) < 0) {
		audit_ctx_release(x);
		free(x);
		audit_cap_close(&cap);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}

	for (rc = cap.rc, ph = cap.ph, data = cap.data; rc == 1;
	    rc = pcap_next_ex(h, &ph, &data)) {
		audit_frame(x, ph, data);
		if (x->oom)
			break;
	}
	audit_flush(x);
	if (x->oom) {
		snprintf(err, errlen, "%s: frame %llu: out of memory", path,
		    (unsigned long long)r->frames);
		ret = -1;
	} else if (rc != PCAP_ERROR_BREAK) {
		const char *msg = rc == PCAP_ERROR ? pcap_geterr(h) :
		    "unexpected end of reading";
		snprintf(err, errlen, "%s: frame %llu: %s record (%s)", path,
		    (unsigned long long)r->frames + 1,
		    strstr(msg, "truncated") ? "truncated" : "corrupt", msg);
		ret = -1;
	}
	audit_ctx_release(x);
	free(x);
	audit_cap_close(&cap);
	return ret;
}

void
audit_result_free(struct audit_result *r)
{
	if (r == NULL)
		return;
	free(r->file);
	free(r->v);
	memset(r, 0, sizeof(*r));
}
