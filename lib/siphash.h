/*
 * siphash — SipHash-2-4 (Aumasson and Bernstein), the keyed hash of the
 * packet-path tables (flowtab.c, detect.c).  Keyed with a random secret at
 * creation, so a remote sender cannot choose keys that collide.
 *
 * Header only: the tables call it once or twice per packet and it should
 * inline.  No allocation, no I/O.
 */
#ifndef ZONED_SIPHASH_H
#define ZONED_SIPHASH_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#define SIPHASH_ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPHASH_ROUND(v0, v1, v2, v3) do {				\
	v0 += v1; v1 = SIPHASH_ROTL(v1, 13); v1 ^= v0;			\
	v0 = SIPHASH_ROTL(v0, 32);					\
	v2 += v3; v3 = SIPHASH_ROTL(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = SIPHASH_ROTL(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = SIPHASH_ROTL(v1, 17); v1 ^= v2;			\
	v2 = SIPHASH_ROTL(v2, 32);					\
} while (0)

/* Little-endian 64-bit load of n (0..8) bytes. */
static inline uint64_t
siphash_load(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* SipHash-2-4 of len bytes at data under the 128-bit key k[0], k[1] (the
 * key bytes 0-7 and 8-15 read little-endian). */
static inline uint64_t
siphash_24(const uint64_t k[2], const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t v0 = k[0] ^ 0x736f6d6570736575ULL;
	uint64_t v1 = k[1] ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k[0] ^ 0x6c7967656e657261ULL;
	uint64_t v3 = k[1] ^ 0x7465646279746573ULL;
	uint64_t m;
	size_t left = len;

	for (; left >= 8; p += 8, left -= 8) {
		m = siphash_load(p, 8);
		v3 ^= m;
		SIPHASH_ROUND(v0, v1, v2, v3);
		SIPHASH_ROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	m = siphash_load(p, left) | (uint64_t)len << 56;
	v3 ^= m;
	SIPHASH_ROUND(v0, v1, v2, v3);
	SIPHASH_ROUND(v0, v1, v2, v3);
	v0 ^= m;
	v2 ^= 0xff;
	SIPHASH_ROUND(v0, v1, v2, v3);
	SIPHASH_ROUND(v0, v1, v2, v3);
	SIPHASH_ROUND(v0, v1, v2, v3);
	SIPHASH_ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* A fresh random key from getrandom(2) (blocks only before the kernel's
 * pool is first initialised).  0, or -1 with errno set. */
static inline int
siphash_key(uint64_t k[2])
{
	uint8_t b[16];
	ssize_t n;

	do
		n = getrandom(b, sizeof(b), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != sizeof(b)) {
		errno = EIO;
		return -1;
	}
	k[0] = siphash_load(b, 8);
	k[1] = siphash_load(b + 8, 8);
	memset(b, 0, sizeof(b));
	return 0;
}

#endif
