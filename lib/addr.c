/*
 * addr — IPv4/IPv6 addresses, prefixes and MAC addresses.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int
addr_parse_ip(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (strchr(s, ':') != NULL)
		return inet_pton(AF_INET6, s, out) == 1 ? ADDR_V6 : 0;
	return inet_pton(AF_INET, s, out) == 1 ? ADDR_V4 : 0;
}

int
addr_bits(const struct addr_pfx *p)
{
	return p->family == ADDR_V4 ? 32 : 128;
}

bool
addr_is_host(const struct addr_pfx *p)
{
	return p->len == addr_bits(p);
}

static bool
bit_get(const uint8_t *a, int i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

/* Every bit from len on set: the last address of the block. */
static void
block_end(const uint8_t lo[16], int len, int bits, uint8_t end[16])
{
	memcpy(end, lo, 16);
	for (int i = len; i < bits; i++)
		end[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

size_t
addr_range_prefixes(int fam, const uint8_t lo[16], const uint8_t hi[16],
    struct addr_pfx *out, size_t max)
{
	int bits = fam == ADDR_V4 ? 32 : 128, nb = bits / 8;
	uint8_t cur[16], end[16];
	size_t n = 0;

	if (addr_cmp(lo, hi) > 0)
		return 0;
	memcpy(cur, lo, 16);
	for (;;) {
		int len = bits;
		bool aligned = true;

		/* the widest block that starts at cur and ends by hi */
		while (len > 0) {
			aligned = !bit_get(cur, len - 1);
			block_end(cur, len - 1, bits, end);
			if (!aligned || addr_cmp(end, hi) > 0)
				break;
			len--;
		}
		if (n < max) {
			memset(&out[n], 0, sizeof(out[n]));
			out[n].family = (uint8_t)fam;
			out[n].len = (uint8_t)len;
			memcpy(out[n].a, cur, 16);
		}
		n++;
		block_end(cur, len, bits, end);
		if (addr_cmp(end, hi) >= 0 || addr_inc(end, nb))
			break;
		memcpy(cur, end, 16);
	}
	return n;
}

/*
 * "192.168.100.40-47" or "10.0.0.5-10.0.0.9": a range where an address was
 * expected.  The error says which prefixes to write instead.  false when s
 * is no range.
 */
static bool
range_hint(const char *s, char *err, size_t errlen)
{
	char left[ADDR_PFX_STRLEN], right[ADDR_PFX_STRLEN], a[ADDR_PFX_STRLEN];
	const char *dash = strchr(s, '-');
	uint8_t lo[16], hi[16];
	struct addr_pfx v[8];
	size_t n, used;
	int fam;

	if (dash == NULL || strchr(s, '/') || (size_t)(dash - s) >=
	    sizeof(left) || strlen(dash + 1) >= sizeof(right))
		return false;
	snprintf(left, sizeof(left), "%.*s", (int)(dash - s), s);
	snprintf(right, sizeof(right), "%s", dash + 1);
	if ((fam = addr_parse_ip(left, lo)) == 0)
		return false;
	if (addr_parse_ip(right, hi) != fam) {
		/* the last part only: "40-47" of IPv4, a group of IPv6 */
		char *end;
		unsigned long last;

		errno = 0;
		last = strtoul(right, &end, fam == ADDR_V4 ? 10 : 16);
		if (errno || *end || end == right ||
		    last > (fam == ADDR_V4 ? 255ul : 0xfffful))
			return false;
		memcpy(hi, lo, 16);
		if (fam == ADDR_V4)
			hi[3] = (uint8_t)last;
		else {
			hi[14] = (uint8_t)(last >> 8);
			hi[15] = (uint8_t)last;
		}
	}
	if ((n = addr_range_prefixes(fam, lo, hi, v, 8)) == 0)
		return false;
	if (n == 1) {
		snprintf(err, errlen, "\"%s\" is a range, not an address: write "
		    "the prefix \"%s\"", s, addr_format(&v[0], a, sizeof(a)));
		return true;
	}
	if (n > 8) {
		snprintf(err, errlen, "\"%s\" is a range, not an address: it "
		    "takes %zu prefixes; write them one a line in an "
		    "addresses_file", s, n);
		return true;
	}
	used = (size_t)snprintf(err, errlen, "\"%s\" is a range, not an "
	    "address: write its prefixes as a list: address = [ ", s);
	for (size_t i = 0; i < n && used < errlen; i++)
		used += (size_t)snprintf(err + used, errlen - used, "%s\"%s\"",
		    i ? ", " : "", addr_format(&v[i], a, sizeof(a)));
	if (used < errlen)
		snprintf(err + used, errlen - used, " ]");
	return true;
}

int
addr_parse(const char *s, struct addr_pfx *p, char *err, size_t errlen)
{
	char buf[ADDR_PFX_STRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int fam, bits;
	long len;

	memset(p, 0, sizeof(*p));
	if (n == 0 || n >= sizeof(buf)) {
		snprintf(err, errlen, "invalid address \"%s\"", s);
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	fam = addr_parse_ip(buf, p->a);
	if (fam == 0) {
		if (!range_hint(s, err, errlen))
			snprintf(err, errlen, "invalid address \"%s\"", s);
		return -1;
	}
	p->family = (uint8_t)fam;
	bits = addr_bits(p);
	if (slash) {
		char *end;
		if (!isdigit((unsigned char)slash[1])) {
			snprintf(err, errlen, "invalid prefix length in \"%s\"", s);
			return -1;
		}
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || *end != '\0' || len < 0 || len > bits) {
			snprintf(err, errlen, "invalid prefix length in \"%s\" "
			    "(0..%d)", s, bits);
			return -1;
		}
	} else
		len = bits;
	p->len = (uint8_t)len;
	for (int i = 0; i < bits / 8; i++) {
		int keep = (int)len - i * 8;
		uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 :
		    (uint8_t)(0xff << (8 - keep));
		if (p->a[i] & ~mask) {
			char fix[ADDR_PFX_STRLEN];
			struct addr_pfx q = *p;
			for (int j = 0; j < 16; j++) {
				int k = (int)len - j * 8;
				q.a[j] &= k >= 8 ? 0xff : k <= 0 ? 0 :
				    (uint8_t)(0xff << (8 - k));
			}
			snprintf(err, errlen, "\"%s\" has host bits set past "
			    "/%ld (did you mean %s?)", s, len,
			    addr_format(&q, fix, sizeof(fix)));
			return -1;
		}
	}
	return 0;
}

static bool
prefix_match(const uint8_t *net, const uint8_t *a, int len)
{
	int full = len / 8, rest = len % 8;

	if (memcmp(net, a, (size_t)full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((net[full] & mask) != (a[full] & mask))
			return false;
	}
	return true;
}

bool
addr_contains_ip(const struct addr_pfx *p, int fam, const uint8_t a[16])
{
	return p->family == fam && prefix_match(p->a, a, p->len);
}

bool
addr_contains(const struct addr_pfx *outer, const struct addr_pfx *inner)
{
	return outer->family == inner->family && outer->len <= inner->len &&
	    prefix_match(outer->a, inner->a, outer->len);
}

bool
addr_overlap(const struct addr_pfx *x, const struct addr_pfx *y)
{
	return addr_contains(x, y) || addr_contains(y, x);
}

bool
addr_equal(const struct addr_pfx *x, const struct addr_pfx *y)
{
	return x->family == y->family && x->len == y->len &&
	    memcmp(x->a, y->a, 16) == 0;
}

void
addr_range(const struct addr_pfx *p, uint8_t lo[16], uint8_t hi[16])
{
	int bits = addr_bits(p);

	memset(lo, 0, 16);
	memset(hi, 0, 16);
	for (int i = 0; i < bits / 8; i++) {
		int keep = (int)p->len - i * 8;
		uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 :
		    (uint8_t)(0xff << (8 - keep));
		lo[i] = p->a[i] & mask;
		hi[i] = (uint8_t)(lo[i] | (uint8_t)~mask);
	}
}

uint32_t
addr_v4(const uint8_t a[16])
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	    (uint32_t)a[2] << 8 | a[3];
}

void
addr_range4(const struct addr_pfx *p, uint32_t *lo, uint32_t *hi)
{
	uint32_t v = addr_v4(p->a);
	uint32_t mask = p->len == 0 ? 0 : 0xffffffffu << (32 - p->len);

	*lo = v & mask;
	*hi = *lo | ~mask;
}

bool
addr_inc(uint8_t *a, int nbytes)
{
	for (int i = nbytes - 1; i >= 0; i--)
		if (++a[i] != 0)
			return false;
	return true;
}

bool
addr_dec(uint8_t *a, int nbytes)
{
	for (int i = nbytes - 1; i >= 0; i--)
		if (a[i]-- != 0)
			return false;
	return true;
}

int
addr_cmp(const uint8_t x[16], const uint8_t y[16])
{
	return memcmp(x, y, 16);
}

char *
addr_format_ip(int fam, const uint8_t a[16], char *buf, size_t len)
{
	if (inet_ntop(fam == ADDR_V4 ? AF_INET : AF_INET6, a, buf,
	    (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

char *
addr_format(const struct addr_pfx *p, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	addr_format_ip(p->family, p->a, ip, sizeof(ip));
	if (addr_is_host(p))
		snprintf(buf, len, "%s", ip);
	else
		snprintf(buf, len, "%s/%u", ip, p->len);
	return buf;
}

int
mac_parse(const char *s, uint8_t mac[6], char *err, size_t errlen)
{
	unsigned v[6];
	char tail;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
	    &v[4], &v[5], &tail) != 6) {
		snprintf(err, errlen, "invalid MAC address \"%s\" "
		    "(expected six hex pairs like 02:00:0a:0a:01:14)", s);
		return -1;
	}
	for (int i = 0; i < 17; i++)
		if ((i % 3 == 2) != (s[i] == ':') ||
		    (i % 3 != 2 && !isxdigit((unsigned char)s[i]))) {
			snprintf(err, errlen, "invalid MAC address \"%s\"", s);
			return -1;
		}
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	if (mac[0] & 1) {
		snprintf(err, errlen, "MAC address \"%s\" is a multicast "
		    "address; a host has a unicast MAC", s);
		return -1;
	}
	if ((mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0) {
		snprintf(err, errlen, "MAC address \"%s\" is all zero", s);
		return -1;
	}
	return 0;
}

char *
mac_format(const uint8_t mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
	    mac[2], mac[3], mac[4], mac[5]);
	return buf;
}
