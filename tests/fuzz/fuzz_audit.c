/*
 * fuzz_audit — the offline audit of a capture file (`zonectl audit`,
 * lib/audit.c) on any bytes taken as a pcap file, judged by the alpha
 * example policy; and the same records fed to a stream with a flow table,
 * as the live monitor feeds it.
 *
 * What must hold besides "no crash, no leak, no undefined behaviour": the
 * verdict cache never changes a result — the audit with it and without it
 * count the same and list the same violations, with and without a
 * capture zone — and the counts add up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "audit.h"
#include "classify.h"
#include "flowtab.h"
#include "fuzz.h"
#include "policy.h"

#define MAX_INPUT (1 << 20)

static struct policy *pol;
static struct classify *cls;
static int memfd = -1;
static char path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_policy_load("conf/alpha.conf", &pol, &cls);
	if ((memfd = memfd_create("fuzz-capture", MFD_CLOEXEC)) < 0)
		fuzz_fail("memfd_create");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	return 0;
}

static void
same(const struct audit_result *a, const struct audit_result *b,
    const char *what)
{
	if (a->frames != b->frames || a->ip_frames != b->ip_frames ||
	    a->unparsed != b->unparsed || a->local != b->local ||
	    a->crossings != b->crossings || a->permitted != b->permitted ||
	    a->replies != b->replies || a->violating != b->violating ||
	    a->nv != b->nv)
		fuzz_fail("%s: the verdict cache changes the counts: frames "
		    "%llu/%llu crossings %llu/%llu permitted %llu/%llu "
		    "replies %llu/%llu violating %llu/%llu flows %zu/%zu",
		    what, (unsigned long long)a->frames,
		    (unsigned long long)b->frames,
		    (unsigned long long)a->crossings,
		    (unsigned long long)b->crossings,
		    (unsigned long long)a->permitted,
		    (unsigned long long)b->permitted,
		    (unsigned long long)a->replies,
		    (unsigned long long)b->replies,
		    (unsigned long long)a->violating,
		    (unsigned long long)b->violating, a->nv, b->nv);
	for (size_t i = 0; i < a->nv; i++) {
		char la[1024], lb[1024];
		audit_format_violation(&a->v[i], pol, la, sizeof(la));
		audit_format_violation(&b->v[i], pol, lb, sizeof(lb));
		if (strcmp(la, lb) != 0)
			fuzz_fail("%s: violation %zu differs with the cache:\n"
			    "  %s\n  %s", what, i, la, lb);
	}
	if (a->crossings != a->permitted + a->replies + a->violating)
		fuzz_fail("%s: crossings %llu != permitted + replies + "
		    "violating", what, (unsigned long long)a->crossings);
}

static int
audit(int zone, bool cache, struct audit_result *r)
{
	struct audit_opts o = { .zone = zone, .no_cache = !cache,
	    .max_violations = 16 };
	char err[512];

	return audit_file(path, pol, cls, &o, r, err, sizeof(err));
}

static void
on_violation(void *arg, const struct audit_violation *v, bool first,
    const uint8_t *frame, uint32_t caplen, const struct timeval *ts,
    uint32_t len)
{
	char line[1024];

	(void)first;
	(void)ts;
	(void)len;
	audit_format_violation(v, pol, line, sizeof(line));
	if (caplen > 0 && frame[0] == 0 && frame[caplen - 1] == 0)
		(*(unsigned *)arg)++;	/* touch every byte handed over */
}

/* The records as the live monitor feeds them, with a flow table. */
static void
stream(const uint8_t *data, size_t size)
{
	char ebuf[PCAP_ERRBUF_SIZE], err[256];
	struct audit_stream_opts o = { .snaplen = 96, .max_violations = 8,
	    .on_violation = on_violation };
	struct pcap_pkthdr *ph;
	const u_char *d;
	struct audit_stream *st;
	struct flowtab *ft;
	unsigned touched = 0;
	FILE *fp;
	pcap_t *h;

	if ((fp = fmemopen((void *)data, size, "rb")) == NULL)
		return;
	if ((h = pcap_fopen_offline(fp, ebuf)) == NULL) {
		fclose(fp);
		return;
	}
	o.linktype = pcap_datalink(h);
	o.arg = &touched;
	if ((ft = flowtab_new(64, 1000, err, sizeof(err))) == NULL)
		fuzz_fail("flowtab_new: %s", err);
	o.ft = ft;
	if ((st = audit_stream_new(pol, cls, &o, err, sizeof(err))) != NULL) {
		while (pcap_next_ex(h, &ph, &d) == 1)
			audit_stream_frame(st, ph, d);
		audit_stream_flush(st);
		const struct audit_result *r = audit_stream_result(st);
		if (r->crossings != r->permitted + r->replies + r->violating)
			fuzz_fail("stream: crossings != permitted + replies "
			    "+ violating");
		audit_stream_free(st);
	}
	flowtab_free(ft);
	pcap_close(h);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_result a, b;
	int zone, ra, rb;

	if (size > MAX_INPUT)
		return 0;
	if (ftruncate(memfd, 0) < 0 || pwrite(memfd, data, size, 0) !=
	    (ssize_t)size)
		fuzz_fail("cannot write the capture to the memfd");
	/* no zone, and a zone chosen by the input's length */
	for (int k = 0; k < 2; k++) {
		zone = k == 0 ? -1 : (int)(size % pol->nzones);
		ra = audit(zone, true, &a);
		rb = audit(zone, false, &b);
		if (ra != rb)
			fuzz_fail("zone %d: the audit %s with the cache and %s "
			    "without", zone, ra == 0 ? "passes" : "fails",
			    rb == 0 ? "passes" : "fails");
		same(&a, &b, zone < 0 ? "no zone" : "a zone");
		if (ra == 0) {
			json_t *j = audit_json(&a, pol);
			FILE *devnull = fopen("/dev/null", "w");
			if (j == NULL)
				fuzz_fail("audit_json failed");
			json_decref(j);
			if (devnull) {
				audit_print(&a, pol, devnull);
				fclose(devnull);
			}
		}
		audit_result_free(&a);
		audit_result_free(&b);
	}
	stream(data, size);
	return 0;
}
