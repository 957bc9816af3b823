/*
 * pcapread — the bare libpcap read loop over a capture: the physical limit
 * of the audit's path.  The capture is opened by the audit's own opener
 * (audit_cap_open: a FILE of our own, stdio locking off, a 256 KiB buffer,
 * libpcap's record buffer off a page end), so that both read alike; then
 * pcap_next_ex() to the end, touching each frame.
 *
 *   pcapread CAPTURE     prints "frames=N"
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <pcap.h>

#include "audit.h"

int
main(int argc, char **argv)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct audit_cap cap;
	struct pcap_pkthdr *ph;
	const uint8_t *data;
	unsigned long long n = 0, bytes = 0;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pcapread CAPTURE\n");
		return 2;
	}
	if (audit_cap_open(&cap, argv[1], ebuf) < 0) {
		fprintf(stderr, "pcapread: %s: %s\n", argv[1],
		    ebuf[0] ? ebuf : "cannot open");
		return 2;
	}
	for (rc = cap.rc, ph = cap.ph, data = cap.data; rc == 1;
	    rc = pcap_next_ex(cap.h, &ph, &data)) {
		n++;
		bytes += data[0];	/* touch the frame */
	}
	audit_cap_close(&cap);
	printf("frames=%llu check=%llu\n", n, bytes);
	return 0;
}
