/*
 * nl — the netlink sockets of the daemon, set up one way: nf_tables
 * (apply), NFQUEUE (verdict), NFLOG (nflog) and rtnetlink (neigh) each
 * open, bind and size their socket here, and send their configuration
 * requests here, one request and its acknowledgement at a time.
 */
#ifndef ZONED_NL_H
#define ZONED_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/*
 * A socket of bus (NETLINK_NETFILTER, NETLINK_ROUTE), bound to groups
 * (0: none) with an automatic port id, close-on-exec; non-blocking when
 * asked; its receive buffer raised to rcvbuf bytes when not 0 (beyond the
 * system's limit where the daemon may).  NULL with err filled, naming what.
 */
struct mnl_socket *nl_open(const char *what, int bus, unsigned groups,
    bool nonblock, int rcvbuf, char *err, size_t errlen);

/* Make a socket opened blocking non-blocking, or back. */
void nl_nonblock(struct mnl_socket *nl, bool on);

/*
 * Send nlh (its type, flags and payload set) asking for an
 * acknowledgement, with sequence number *seq (incremented), and wait for
 * it.  Other messages that arrive meanwhile (packets of a queue that is
 * being configured) go to other(msg, arg) when it is given.  0 when the
 * kernel acknowledged; -1 with errno set (the kernel's error, or
 * ETIMEDOUT when no acknowledgement came among 1024 reads).
 */
int nl_request(struct mnl_socket *nl, struct nlmsghdr *nlh, uint32_t *seq,
    void (*other)(const struct nlmsghdr *msg, void *arg), void *arg);

#endif
