/*
 * pcapread — the bare libpcap read loop over a capture: the physical limit
 * of the audit's path, read the way the audit reads (a FILE of our own,
 * stdio locking off, the same buffer).
 *
 *   pcapread CAPTURE     prints "frames=N"
 */
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>

#include <pcap.h>

int
main(int argc, char **argv)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const u_char *data;
	unsigned long long n = 0, bytes = 0;
	pcap_t *h;
	FILE *fp;

	if (argc != 2 || (fp = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: pcapread CAPTURE\n");
		return 2;
	}
	__fsetlocking(fp, FSETLOCKING_BYCALLER);
	setvbuf(fp, NULL, _IOFBF, 256 * 1024);
	if ((h = pcap_fopen_offline(fp, ebuf)) == NULL) {
		fprintf(stderr, "pcapread: %s\n", ebuf);
		return 2;
	}
	while (pcap_next_ex(h, &ph, &data) == 1) {
		n++;
		bytes += data[0];	/* touch the frame */
	}
	pcap_close(h);
	printf("frames=%llu check=%llu\n", n, bytes);
	return 0;
}
