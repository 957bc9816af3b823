/*
 * check_addr — lib/addr.c: IPv4/IPv6 prefixes and MAC addresses.
 *
 * Tables: prefixes parsed (family, length, the bytes as inet_pton gives
 * them, the canonical form printed back) and refused (the exact message,
 * with its suggestion for host bits past the length); containment, overlap
 * and equality of pairs of prefixes, both ways, across families; the range
 * of a prefix; an address plus and minus one with wrap-around; MAC
 * addresses parsed, refused and printed.  Last, seeded random prefixes of
 * both families against a reference written here with plain integer masks
 * (unsigned __int128 for IPv6): contains, overlap and range must agree.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "unit.h"

/* The 16 bytes of an address written in the test, by inet_pton. */
static void
ip(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (strchr(s, ':') != NULL)
		ck_assert_msg(inet_pton(AF_INET6, s, out) == 1, "test: %s", s);
	else
		ck_assert_msg(inet_pton(AF_INET, s, out) == 1, "test: %s", s);
}

static struct addr_pfx
pfx(const char *s)
{
	struct addr_pfx p;
	char err[128];

	ck_assert_msg(addr_parse(s, &p, err, sizeof(err)) == 0, "%s: %s", s,
	    err);
	return p;
}

/* --- parsing and printing ------------------------------------------------ */

static const struct parse_case {
	const char *in;
	int family;
	int len;
	const char *addr;	/* the network address, for inet_pton */
	const char *out;	/* addr_format */
} parse_cases[] = {
	{ "10.0.0.1", ADDR_V4, 32, "10.0.0.1", "10.0.0.1" },
	{ "10.0.0.0/8", ADDR_V4, 8, "10.0.0.0", "10.0.0.0/8" },
	{ "10.0.0.0/08", ADDR_V4, 8, "10.0.0.0", "10.0.0.0/8" },
	{ "0.0.0.0/0", ADDR_V4, 0, "0.0.0.0", "0.0.0.0/0" },
	{ "192.168.1.128/25", ADDR_V4, 25, "192.168.1.128",
	  "192.168.1.128/25" },
	{ "255.255.255.255/32", ADDR_V4, 32, "255.255.255.255",
	  "255.255.255.255" },
	{ "10.20.100.0/24", ADDR_V4, 24, "10.20.100.0", "10.20.100.0/24" },
	{ "2001:db8::/32", ADDR_V6, 32, "2001:db8::", "2001:db8::/32" },
	{ "::1", ADDR_V6, 128, "::1", "::1" },
	{ "::/0", ADDR_V6, 0, "::", "::/0" },
	{ "2001:DB8:0:0::1", ADDR_V6, 128, "2001:db8::1", "2001:db8::1" },
	{ "fd00:20::/48", ADDR_V6, 48, "fd00:20::", "fd00:20::/48" },
	{ "fd00:20:0:0:0:0:0:0/47", ADDR_V6, 47, "fd00:20::", "fd00:20::/47" },
	{ "::ffff:10.0.0.1", ADDR_V6, 128, "::ffff:10.0.0.1",
	  "::ffff:10.0.0.1" },
	{ "fe80::1/128", ADDR_V6, 128, "fe80::1", "fe80::1" },
};

START_TEST(test_parse)
{
	const struct parse_case *t = &parse_cases[_i];
	struct addr_pfx p;
	uint8_t want[16];
	char err[128] = "", out[ADDR_PFX_STRLEN];

	ck_assert_msg(addr_parse(t->in, &p, err, sizeof(err)) == 0, "%s: %s",
	    t->in, err);
	ip(t->addr, want);
	ck_assert_int_eq(p.family, t->family);
	ck_assert_int_eq(p.len, t->len);
	ck_assert_mem_eq(p.a, want, 16);
	ck_assert_int_eq(addr_bits(&p), t->family == ADDR_V4 ? 32 : 128);
	ck_assert_int_eq(addr_is_host(&p), t->len == addr_bits(&p));
	ck_assert_str_eq(addr_format(&p, out, sizeof(out)), t->out);
	/* what is printed parses back to the same prefix */
	{
		struct addr_pfx q = pfx(out);
		ck_assert(addr_equal(&p, &q));
	}
}
END_TEST

static const struct bad_case {
	const char *in;
	const char *msg;
} bad_cases[] = {
	{ "", "invalid address \"\"" },
	{ "10.0.0", "invalid address \"10.0.0\"" },
	{ "10.0.0.256", "invalid address \"10.0.0.256\"" },
	{ "/8", "invalid address \"/8\"" },
	{ "10.0.0.0 /8", "invalid address \"10.0.0.0 /8\"" },
	{ "lgwan", "invalid address \"lgwan\"" },
	{ "2001:db8::g", "invalid address \"2001:db8::g\"" },
	{ "1:2:3:4:5:6:7:8:9", "invalid address \"1:2:3:4:5:6:7:8:9\"" },
	{ "10.0.0.0/", "invalid prefix length in \"10.0.0.0/\"" },
	{ "10.0.0.0/-1", "invalid prefix length in \"10.0.0.0/-1\"" },
	{ "10.0.0.0/+8", "invalid prefix length in \"10.0.0.0/+8\"" },
	{ "10.0.0.0/ 8", "invalid prefix length in \"10.0.0.0/ 8\"" },
	{ "10.0.0.0/33", "invalid prefix length in \"10.0.0.0/33\" (0..32)" },
	{ "10.0.0.0/8x", "invalid prefix length in \"10.0.0.0/8x\" (0..32)" },
	{ "10.0.0.0/8/8", "invalid prefix length in \"10.0.0.0/8/8\" "
	  "(0..32)" },
	{ "2001:db8::/129", "invalid prefix length in \"2001:db8::/129\" "
	  "(0..128)" },
	{ "10.0.0.1/8", "\"10.0.0.1/8\" has host bits set past /8 (did you "
	  "mean 10.0.0.0/8?)" },
	{ "10.1.2.3/31", "\"10.1.2.3/31\" has host bits set past /31 (did you "
	  "mean 10.1.2.2/31?)" },
	{ "192.168.1.129/25", "\"192.168.1.129/25\" has host bits set past /25 "
	  "(did you mean 192.168.1.128/25?)" },
	{ "1.0.0.0/0", "\"1.0.0.0/0\" has host bits set past /0 (did you mean "
	  "0.0.0.0/0?)" },
	{ "2001:db8::1/64", "\"2001:db8::1/64\" has host bits set past /64 "
	  "(did you mean 2001:db8::/64?)" },
	{ "fd00:20:1::/47", "\"fd00:20:1::/47\" has host bits set past /47 "
	  "(did you mean fd00:20::/47?)" },
};

START_TEST(test_parse_errors)
{
	const struct bad_case *t = &bad_cases[_i];
	struct addr_pfx p;
	char err[256] = "";

	ck_assert_msg(addr_parse(t->in, &p, err, sizeof(err)) == -1,
	    "\"%s\" accepted", t->in);
	ck_assert_str_eq(err, t->msg);
}
END_TEST

/* An address longer than any address: refused, whole in the message. */
START_TEST(test_parse_long)
{
	char in[100], want[160], err[256] = "";
	struct addr_pfx p;

	memset(in, '1', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	snprintf(want, sizeof(want), "invalid address \"%s\"", in);
	ck_assert_int_eq(addr_parse(in, &p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, want);
	memcpy(in + 60, ".0.0.1/8", 9);	/* a long "address" with a length */
	snprintf(want, sizeof(want), "invalid address \"%s\"", in);
	ck_assert_int_eq(addr_parse(in, &p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, want);
}
END_TEST

/* A bare address, either family; the family or 0. */
static const struct ip_case {
	const char *in;
	int family;
} ip_cases[] = {
	{ "192.0.2.1", ADDR_V4 },
	{ "::", ADDR_V6 },
	{ "fd00:20::5", ADDR_V6 },
	{ "192.0.2.1/32", 0 },
	{ "192.0.2", 0 },
	{ "", 0 },
	{ "host", 0 },
	{ ":::", 0 },
};

START_TEST(test_parse_ip)
{
	const struct ip_case *t = &ip_cases[_i];
	uint8_t a[16], want[16];

	memset(a, 0xee, sizeof(a));
	ck_assert_int_eq(addr_parse_ip(t->in, a), t->family);
	if (t->family != 0) {
		ip(t->in, want);
		ck_assert_mem_eq(a, want, 16);
	}
}
END_TEST

/* Printing an address; a buffer too small gives "?". */
START_TEST(test_format_ip)
{
	uint8_t a[16];
	char buf[INET6_ADDRSTRLEN], small[8];

	ip("192.0.2.1", a);
	ck_assert_str_eq(addr_format_ip(ADDR_V4, a, buf, sizeof(buf)),
	    "192.0.2.1");
	ck_assert_str_eq(addr_format_ip(ADDR_V4, a, small, sizeof(small)),
	    "?");
	ip("2001:db8:0:0:1:0:0:1", a);
	ck_assert_str_eq(addr_format_ip(ADDR_V6, a, buf, sizeof(buf)),
	    "2001:db8::1:0:0:1");
	ck_assert_uint_eq(addr_v4((const uint8_t[16]){ 10, 1, 2, 3 }),
	    0x0a010203u);
	ck_assert_uint_eq(addr_v4((const uint8_t[16]){ 255, 0, 0, 1 }),
	    0xff000001u);
}
END_TEST

/* --- containment, overlap, equality -------------------------------------- */

static const struct pair_case {
	const char *x, *y;
	bool x_has_y, y_has_x;	/* addr_contains(x, y), (y, x) */
} pair_cases[] = {
	{ "10.0.0.0/8", "10.1.0.0/16", true, false },
	{ "10.0.0.0/8", "10.255.255.255", true, false },
	{ "10.0.0.0/8", "11.0.0.0/8", false, false },
	{ "10.0.0.0/8", "10.0.0.0/8", true, true },
	{ "10.0.0.0/7", "11.0.0.0/8", true, false },
	{ "10.0.0.0/8", "9.255.255.255", false, false },
	{ "0.0.0.0/0", "255.255.255.255", true, false },
	{ "0.0.0.0/0", "0.0.0.0/0", true, true },
	{ "192.168.1.0/25", "192.168.1.128/25", false, false },
	{ "192.168.1.0/24", "192.168.1.200", true, false },
	{ "192.168.1.0/24", "192.168.0.0/23", false, true },
	{ "10.20.100.7", "10.20.100.7", true, true },
	{ "10.20.100.7", "10.20.100.8", false, false },
	{ "2001:db8::/32", "2001:db8:ffff::/48", true, false },
	{ "2001:db8::/32", "2001:db9::/32", false, false },
	{ "fd00:20::/48", "fd00:20:1::/48", false, false },
	{ "fd00:20::/47", "fd00:20:1::/48", true, false },
	{ "fd00:20::/47", "fd00:20:2::/48", false, false },
	{ "fd00:20::/47", "fd00:21::/48", false, false },
	{ "::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true, false },
	{ "::1", "::1", true, true },
	/* another family is never contained, even in a whole space */
	{ "::/0", "10.0.0.0/8", false, false },
	{ "0.0.0.0/0", "::/0", false, false },
	{ "::/96", "0.0.0.0/0", false, false },
	{ "::ffff:0:0/96", "10.0.0.1", false, false },
};

START_TEST(test_pairs)
{
	const struct pair_case *t = &pair_cases[_i];
	struct addr_pfx x = pfx(t->x), y = pfx(t->y);
	bool eq = t->x_has_y && t->y_has_x;

	ck_assert_msg(addr_contains(&x, &y) == t->x_has_y, "%s contains %s",
	    t->x, t->y);
	ck_assert_msg(addr_contains(&y, &x) == t->y_has_x, "%s contains %s",
	    t->y, t->x);
	ck_assert_msg(addr_overlap(&x, &y) == (t->x_has_y || t->y_has_x),
	    "%s overlaps %s", t->x, t->y);
	ck_assert_msg(addr_overlap(&y, &x) == addr_overlap(&x, &y),
	    "overlap of %s and %s is not symmetric", t->x, t->y);
	ck_assert_msg(addr_equal(&x, &y) == eq, "%s equals %s", t->x, t->y);
	/* a prefix contains its network address and y's iff it contains y
	 * when y is one host */
	ck_assert(addr_contains_ip(&x, x.family, x.a));
	if (addr_is_host(&y))
		ck_assert_msg(addr_contains_ip(&x, y.family, y.a) ==
		    t->x_has_y, "%s contains address %s", t->x, t->y);
}
END_TEST

/* addr_contains_ip: the family must match as well as the bits. */
START_TEST(test_contains_ip_family)
{
	struct addr_pfx any6 = pfx("::/0"), any4 = pfx("0.0.0.0/0");
	uint8_t a[16];

	ip("10.0.0.1", a);	/* as 16 bytes: 0a00:0001:: in IPv6 */
	ck_assert(addr_contains_ip(&any4, ADDR_V4, a));
	ck_assert(!addr_contains_ip(&any6, ADDR_V4, a));
	ck_assert(addr_contains_ip(&any6, ADDR_V6, a));
	ck_assert(!addr_contains_ip(&any4, ADDR_V6, a));
}
END_TEST

/* --- ranges, increments, comparison -------------------------------------- */

static const struct range_case {
	const char *p;
	const char *lo, *hi;
} range_cases[] = {
	{ "10.0.0.0/8", "10.0.0.0", "10.255.255.255" },
	{ "0.0.0.0/0", "0.0.0.0", "255.255.255.255" },
	{ "192.168.1.128/25", "192.168.1.128", "192.168.1.255" },
	{ "10.1.2.3", "10.1.2.3", "10.1.2.3" },
	{ "10.1.2.2/31", "10.1.2.2", "10.1.2.3" },
	{ "128.0.0.0/1", "128.0.0.0", "255.255.255.255" },
	{ "2001:db8::/32", "2001:db8::",
	  "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff" },
	{ "::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
	{ "fd00:20::/47", "fd00:20::", "fd00:20:1:ffff:ffff:ffff:ffff:ffff" },
	{ "::1", "::1", "::1" },
};

START_TEST(test_range)
{
	const struct range_case *t = &range_cases[_i];
	struct addr_pfx p = pfx(t->p);
	uint8_t lo[16], hi[16], wlo[16], whi[16];

	ip(t->lo, wlo);
	ip(t->hi, whi);
	memset(lo, 0xee, sizeof(lo));
	memset(hi, 0xee, sizeof(hi));
	addr_range(&p, lo, hi);
	ck_assert_mem_eq(lo, wlo, 16);
	ck_assert_mem_eq(hi, whi, 16);
	if (p.family == ADDR_V4) {
		uint32_t l, h;

		addr_range4(&p, &l, &h);
		ck_assert_uint_eq(l, addr_v4(wlo));
		ck_assert_uint_eq(h, addr_v4(whi));
	}
}
END_TEST

static const struct step_case {
	const char *a;
	int nbytes;
	bool up;
	const char *want;
	bool wrap;
} step_cases[] = {
	{ "10.0.0.255", 4, true, "10.0.1.0", false },
	{ "10.255.255.255", 4, true, "11.0.0.0", false },
	{ "255.255.255.255", 4, true, "0.0.0.0", true },
	{ "10.0.1.0", 4, false, "10.0.0.255", false },
	{ "0.0.0.0", 4, false, "255.255.255.255", true },
	{ "::ffff:ffff", 16, true, "::1:0:0", false },
	{ "::1:0:0", 16, false, "::ffff:ffff", false },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 16, true, "::", true },
	{ "::", 16, false, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
};

START_TEST(test_step)
{
	const struct step_case *t = &step_cases[_i];
	uint8_t a[16], want[16];

	ip(t->a, a);
	ip(t->want, want);
	if (t->nbytes == 4) {	/* the bytes past an IPv4 address stay */
		memset(a + 4, 0x77, 12);
		memset(want + 4, 0x77, 12);
	}
	ck_assert_int_eq(t->up ? addr_inc(a, t->nbytes) :
	    addr_dec(a, t->nbytes), t->wrap);
	ck_assert_mem_eq(a, want, 16);
}
END_TEST

START_TEST(test_cmp)
{
	static const struct {
		const char *x, *y;
		int sign;
	} t[] = {
		{ "10.0.0.1", "10.0.0.2", -1 },
		{ "10.0.0.2", "10.0.0.1", 1 },
		{ "10.0.0.1", "10.0.0.1", 0 },
		{ "9.255.255.255", "10.0.0.0", -1 },
		{ "::1", "::2", -1 },
		{ "8000::", "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1 },
	};

	for (size_t i = 0; i < ARRAY_LEN(t); i++) {
		uint8_t x[16], y[16];
		int c;

		ip(t[i].x, x);
		ip(t[i].y, y);
		c = addr_cmp(x, y);
		ck_assert_msg((c > 0) - (c < 0) == t[i].sign, "%s <=> %s: %d",
		    t[i].x, t[i].y, c);
	}
}
END_TEST

/* --- MAC addresses ------------------------------------------------------- */

static const struct mac_case {
	const char *in;
	const uint8_t mac[6];
	const char *out;	/* NULL: refused */
	const char *msg;	/* the refusal */
} mac_cases[] = {
	{ "02:00:0a:0a:01:14", { 2, 0, 0x0a, 0x0a, 0x01, 0x14 },
	  "02:00:0a:0a:01:14", NULL },
	{ "02:00:0A:0A:01:FE", { 2, 0, 0x0a, 0x0a, 0x01, 0xfe },
	  "02:00:0a:0a:01:fe", NULL },
	{ "00:00:00:00:00:01", { 0, 0, 0, 0, 0, 1 }, "00:00:00:00:00:01",
	  NULL },
	{ "fe:ff:ff:ff:ff:ff", { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff },
	  "fe:ff:ff:ff:ff:ff", NULL },
	{ "02:00:0a:0a:01", { 0 }, NULL, "invalid MAC address "
	  "\"02:00:0a:0a:01\" (expected six hex pairs like "
	  "02:00:0a:0a:01:14)" },
	{ "02-00-0a-0a-01-14", { 0 }, NULL, "invalid MAC address "
	  "\"02-00-0a-0a-01-14\" (expected six hex pairs like "
	  "02:00:0a:0a:01:14)" },
	{ "02:00:0a:0a:01:1g", { 0 }, NULL, "invalid MAC address "
	  "\"02:00:0a:0a:01:1g\" (expected six hex pairs like "
	  "02:00:0a:0a:01:14)" },
	{ "02:00:0a:0a:01:14 ", { 0 }, NULL, "invalid MAC address "
	  "\"02:00:0a:0a:01:14 \" (expected six hex pairs like "
	  "02:00:0a:0a:01:14)" },
	{ "", { 0 }, NULL, "invalid MAC address \"\" (expected six hex pairs "
	  "like 02:00:0a:0a:01:14)" },
	/* six numbers for sscanf, but not the layout */
	{ " 2:00:0a:0a:01:14", { 0 }, NULL,
	  "invalid MAC address \" 2:00:0a:0a:01:14\"" },
	{ "+2:00:0a:0a:01:14", { 0 }, NULL,
	  "invalid MAC address \"+2:00:0a:0a:01:14\"" },
	{ "01:00:5e:00:00:01", { 0 }, NULL, "MAC address \"01:00:5e:00:00:01\" "
	  "is a multicast address; a host has a unicast MAC" },
	{ "ff:ff:ff:ff:ff:ff", { 0 }, NULL, "MAC address \"ff:ff:ff:ff:ff:ff\" "
	  "is a multicast address; a host has a unicast MAC" },
	{ "00:00:00:00:00:00", { 0 }, NULL,
	  "MAC address \"00:00:00:00:00:00\" is all zero" },
};

START_TEST(test_mac)
{
	const struct mac_case *t = &mac_cases[_i];
	uint8_t mac[6];
	char err[256] = "", out[MAC_STRLEN];

	if (t->out == NULL) {
		ck_assert_msg(mac_parse(t->in, mac, err, sizeof(err)) == -1,
		    "\"%s\" accepted", t->in);
		ck_assert_str_eq(err, t->msg);
		return;
	}
	ck_assert_msg(mac_parse(t->in, mac, err, sizeof(err)) == 0, "%s: %s",
	    t->in, err);
	ck_assert_mem_eq(mac, t->mac, 6);
	ck_assert_str_eq(mac_format(mac, out, sizeof(out)), t->out);
}
END_TEST

/* --- random prefixes against a reference with integer masks -------------- */

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

typedef unsigned __int128 u128;

static u128
mask_of(int len, int bits)
{
	u128 all = ~(u128)0 >> (128 - bits);

	if (len == 0)
		return 0;
	return len >= bits ? all : all & ~(all >> len);
}

/* The bytes of a prefix as one number (IPv4: 32 bits). */
static u128
num_of(const struct addr_pfx *p)
{
	u128 v = 0;

	for (int i = 0; i < addr_bits(p) / 8; i++)
		v = v << 8 | p->a[i];
	return v;
}

static void
bytes_of(u128 v, int bits, uint8_t out[16])
{
	memset(out, 0, 16);
	for (int i = bits / 8 - 1; i >= 0; i--, v >>= 8)
		out[i] = (uint8_t)v;
}

/* A random prefix of a family, through its text (so through addr_parse);
 * lengths are biased to a few values so that pairs nest and collide. */
static struct addr_pfx
rnd_pfx(uint64_t *s, int family)
{
	static const int lens4[] = { 0, 1, 7, 8, 16, 23, 24, 31, 32 };
	static const int lens6[] = { 0, 1, 32, 47, 48, 64, 127, 128 };
	int bits = family == ADDR_V4 ? 32 : 128;
	int len = family == ADDR_V4 ? lens4[rnd(s) % ARRAY_LEN(lens4)] :
	    lens6[rnd(s) % ARRAY_LEN(lens6)];
	u128 v = (u128)rnd(s) << 64 | rnd(s);
	uint8_t a[16];
	char text[ADDR_PFX_STRLEN], buf[INET6_ADDRSTRLEN];

	/* few distinct high bits, so that prefixes meet */
	v = (v & mask_of(len, bits)) & ~(u128)0 >> (128 - bits);
	v &= ~(mask_of(bits - 4, bits) & ~mask_of(4, bits));
	bytes_of(v, bits, a);
	inet_ntop(family == ADDR_V4 ? AF_INET : AF_INET6, a, buf, sizeof(buf));
	snprintf(text, sizeof(text), "%s/%d", buf, len);
	return pfx(text);
}

START_TEST(test_reference)
{
	uint64_t s = 0x9e3779b97f4a7c15ull;
	size_t contained = 0, apart = 0;

	for (int n = 0; n < 4000; n++) {
		int family = n % 2 ? ADDR_V6 : ADDR_V4;
		int bits = family == ADDR_V4 ? 32 : 128;
		struct addr_pfx x = rnd_pfx(&s, family);
		struct addr_pfx y = rnd_pfx(&s, family);
		u128 xm = mask_of(x.len, bits), ym = mask_of(y.len, bits);
		u128 xv = num_of(&x), yv = num_of(&y);
		bool x_has_y = x.len <= y.len && (yv & xm) == xv;
		bool y_has_x = y.len <= x.len && (xv & ym) == yv;
		uint8_t lo[16], hi[16], wlo[16], whi[16];
		char bx[ADDR_PFX_STRLEN], by[ADDR_PFX_STRLEN];

		addr_format(&x, bx, sizeof(bx));
		addr_format(&y, by, sizeof(by));
		if (addr_contains(&x, &y) != x_has_y ||
		    addr_contains(&y, &x) != y_has_x ||
		    addr_overlap(&x, &y) != (x_has_y || y_has_x))
			ck_abort_msg("%s and %s: contains %d/%d overlap %d, "
			    "the reference says %d/%d", bx, by,
			    addr_contains(&x, &y), addr_contains(&y, &x),
			    addr_overlap(&x, &y), x_has_y, y_has_x);
		contained += x_has_y || y_has_x;
		apart += !x_has_y && !y_has_x;
		addr_range(&x, lo, hi);
		bytes_of(xv, bits, wlo);
		bytes_of(xv | (~xm & (~(u128)0 >> (128 - bits))), bits, whi);
		if (memcmp(lo, wlo, 16) != 0 || memcmp(hi, whi, 16) != 0)
			ck_abort_msg("range of %s", bx);
		if (!addr_contains_ip(&x, family, lo) ||
		    !addr_contains_ip(&x, family, hi))
			ck_abort_msg("%s does not hold its own range", bx);
		if (addr_contains_ip(&x, family, y.a) != ((yv & xm) == xv))
			ck_abort_msg("%s holds address %s", bx, by);
	}
	/* the draw met both outcomes, often */
	ck_assert_uint_gt(contained, 500);
	ck_assert_uint_gt(apart, 500);
}
END_TEST

UNIT_SUITE(addr_suite)

static Suite *
addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_parse, 0, (int)ARRAY_LEN(parse_cases));
	tcase_add_loop_test(tc, test_parse_errors, 0,
	    (int)ARRAY_LEN(bad_cases));
	tcase_add_test(tc, test_parse_long);
	tcase_add_loop_test(tc, test_parse_ip, 0, (int)ARRAY_LEN(ip_cases));
	tcase_add_test(tc, test_format_ip);
	tcase_add_loop_test(tc, test_mac, 0, (int)ARRAY_LEN(mac_cases));
	suite_add_tcase(s, tc);
	tc = tcase_create("prefixes");
	tcase_add_loop_test(tc, test_pairs, 0, (int)ARRAY_LEN(pair_cases));
	tcase_add_test(tc, test_contains_ip_family);
	tcase_add_loop_test(tc, test_range, 0, (int)ARRAY_LEN(range_cases));
	tcase_add_loop_test(tc, test_step, 0, (int)ARRAY_LEN(step_cases));
	tcase_add_test(tc, test_cmp);
	tcase_add_test(tc, test_reference);
	suite_add_tcase(s, tc);
	return s;
}
