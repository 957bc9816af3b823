/*
 * onlink — is a pinned My Number address on the appliance's own segment?
 *
 * A MAC pin proves which network card sent a frame only on the segment the
 * appliance shares with the host.  Behind a router or an L3 switch every
 * frame carries the router's MAC, and a pin means "the router".  The
 * kernel's routes and neighbour table tell: the route to the address goes
 * through a gateway, or leaves by an interface that is not its zone's; the
 * pinned MAC is the MAC of a route's gateway; the address's own neighbour
 * entry learned a gateway's MAC; or one MAC is pinned for several
 * addresses.  No events here: neigh.c asks when pins, routes or
 * neighbours change.
 */
#ifndef ZONED_ONLINK_H
#define ZONED_ONLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#define ONLINK_MAX_IFS 8

struct onlink_pin {
	uint8_t family;		/* ADDR_V4 / ADDR_V6 */
	uint8_t addr[16];
	uint8_t mac[6];
	int ifindex[ONLINK_MAX_IFS];	/* the interfaces of its zone */
	size_t nif;
};

struct onlink_verdict {
	bool off;		/* the pin cannot prove the host */
	char reason[32];	/* route-via-gateway, route-elsewhere,
				 * mac-of-gateway, learned-gateway-mac,
				 * mac-shared */
	char detail[160];	/* "via 10.10.0.254 dev mn0" */
};

/*
 * Judge every pin: one route lookup each, one dump of the routes and one
 * of the neighbours, on the request socket nl (sequence numbers from
 * *seq).  0, or -1 with errno when netlink fails (the verdicts are then
 * left as they were).
 */
int onlink_check(struct mnl_socket *nl, uint32_t *seq,
    const struct onlink_pin *pins, size_t n, struct onlink_verdict *out);

#endif
