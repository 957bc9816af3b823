/*
 * genpcap — a capture of gateway traffic for the audit benchmark.
 *
 *   genpcap POLICY FRAMES OUT.pcap
 *
 * Connections of the policy's flows (SYN, SYN+ACK, ACK, then data both
 * ways, FIN), many at once, and one frame in a thousand between hosts no
 * flow joins (a violation).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap.h>

#include "conf.h"
#include "traffic.h"

#define LIVE 256	/* connections in progress */

struct conn {
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	int step;
};

int
main(int argc, char **argv)
{
	struct policy *p = NULL;
	struct diag d;
	struct conn c[LIVE];
	uint8_t f[TRAFFIC_FRAME_LEN];
	uint64_t rng = 0x9e3779b97f4a7c15ULL, n;
	char err[512];
	pcap_t *dead;
	pcap_dumper_t *out;
	struct pcap_pkthdr ph = { .caplen = TRAFFIC_FRAME_LEN,
	    .len = TRAFFIC_FRAME_LEN };

	if (argc != 4 || (n = strtoull(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: genpcap POLICY FRAMES OUT.pcap\n");
		return 2;
	}
	diag_init(&d);
	if (conf_load(argv[1], &p, &d, err, sizeof(err)) < 0 || p == NULL) {
		fprintf(stderr, "genpcap: %s\n", err);
		return 2;
	}
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	if ((out = pcap_dump_open(dead, argv[3])) == NULL) {
		fprintf(stderr, "genpcap: %s\n", pcap_geterr(dead));
		return 2;
	}
	memset(c, 0, sizeof(c));
	ph.ts.tv_sec = 1790000000;
	for (uint64_t i = 0; i < n; i++) {
		struct conn *k = &c[traffic_rand(&rng) % LIVE];

		if (traffic_rand(&rng) % 1000 == 0) {	/* a violation */
			uint8_t s[16] = { 10, 16, 9, 9 }, t[16] = { 8, 8, 8, 8 };
			traffic_tcp(f, s, 40000, t, 80, 0x02);
			goto write;
		}
		if (k->step == 0) {
			if (traffic_pick(p, &rng, k->src, k->dst, &k->dport) < 0) {
				fprintf(stderr, "genpcap: no IPv4 TCP flow\n");
				return 2;
			}
			k->sport = (uint16_t)(1024 + traffic_rand(&rng) % 60000);
		}
		switch (k->step) {
		case 0:
			traffic_tcp(f, k->src, k->sport, k->dst, k->dport, 0x02);
			break;
		case 1:
			traffic_tcp(f, k->dst, k->dport, k->src, k->sport, 0x12);
			break;
		default:
			if (k->step % 2)
				traffic_tcp(f, k->dst, k->dport, k->src, k->sport,
				    0x10);
			else
				traffic_tcp(f, k->src, k->sport, k->dst, k->dport,
				    0x18);
		}
		k->step = k->step >= 20 ? 0 : k->step + 1;
write:
		ph.ts.tv_usec += 3;
		if (ph.ts.tv_usec >= 1000000) {
			ph.ts.tv_sec++;
			ph.ts.tv_usec -= 1000000;
		}
		pcap_dump((u_char *)out, &ph, f);
	}
	pcap_dump_close(out);
	pcap_close(dead);
	policy_free(p);
	diag_free(&d);
	return 0;
}
