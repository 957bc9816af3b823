/*
 * addr — IPv4/IPv6 addresses, prefixes and MAC addresses.
 *
 * One representation for both families: 16 bytes, IPv4 in the first four
 * (network byte order), the rest zero.  Pure functions, no I/O.
 */
#ifndef ZONED_ADDR_H
#define ZONED_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ADDR_V4 4
#define ADDR_V6 6

struct addr_pfx {
	uint8_t family;		/* ADDR_V4 or ADDR_V6 */
	uint8_t len;		/* prefix length: 0..32 or 0..128 */
	uint8_t a[16];		/* network order; bits past len are zero */
};

#define ADDR_PFX_STRLEN 64	/* enough for "ffff:...:ffff/128" */
#define MAC_STRLEN 18

/* "10.0.0.1", "10.0.0.0/8", "2001:db8::/32", "::1".  Without a length the
 * prefix is a single host (/32 or /128).  Host bits set past the length are an
 * error ("10.0.0.1/8" is refused: say 10.0.0.0/8).  0 or -1 with err filled. */
int addr_parse(const char *s, struct addr_pfx *p, char *err, size_t errlen);

/* The prefixes that cover exactly lo..hi (addresses of family fam), at
 * most max of them into out; returns how many there are (0 when lo > hi). */
size_t addr_range_prefixes(int fam, const uint8_t lo[16],
    const uint8_t hi[16], struct addr_pfx *out, size_t max);

/* Parse a bare address (no length) of either family; returns family or 0. */
int addr_parse_ip(const char *s, uint8_t out[16]);

int addr_bits(const struct addr_pfx *p);	/* 32 or 128 */
bool addr_is_host(const struct addr_pfx *p);	/* /32 or /128 */

/* Does prefix p contain the address a (of family fam)? */
bool addr_contains_ip(const struct addr_pfx *p, int fam, const uint8_t a[16]);
/* Does outer contain inner entirely (same family)? */
bool addr_contains(const struct addr_pfx *outer, const struct addr_pfx *inner);
bool addr_overlap(const struct addr_pfx *x, const struct addr_pfx *y);
bool addr_equal(const struct addr_pfx *x, const struct addr_pfx *y);

/* The lowest and highest address in p (16-byte big-endian numbers). */
void addr_range(const struct addr_pfx *p, uint8_t lo[16], uint8_t hi[16]);
/* IPv4 only: the range as host-order integers. */
void addr_range4(const struct addr_pfx *p, uint32_t *lo, uint32_t *hi);
uint32_t addr_v4(const uint8_t a[16]);	/* host order */

/* a += 1 / a -= 1 on the first nbytes (4 for IPv4, 16 for IPv6) taken as
 * one big-endian number; true on wrap-around. */
bool addr_inc(uint8_t *a, int nbytes);
bool addr_dec(uint8_t *a, int nbytes);

/* Compare two 16-byte big-endian numbers: <0, 0, >0. */
int addr_cmp(const uint8_t x[16], const uint8_t y[16]);

/* "10.0.0.0/8"; a host prints without "/32".  Returns buf. */
char *addr_format(const struct addr_pfx *p, char *buf, size_t len);
char *addr_format_ip(int fam, const uint8_t a[16], char *buf, size_t len);

/* Unicast, not all-zero MAC in "02:00:0a:0a:01:14" form (either case). */
int mac_parse(const char *s, uint8_t mac[6], char *err, size_t errlen);
char *mac_format(const uint8_t mac[6], char *buf, size_t len);

#endif
