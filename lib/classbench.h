/*
 * classbench — ClassBench filter sets and traces as acl rules and keys, and a
 * seeded generator of sets and traces of the same shape (for tests that must
 * not depend on the real data being present).
 *
 * Filter line:  @SRC/LEN DST/LEN SPLO : SPHI DPLO : DPHI 0xPR/0xMASK 0xFL/0xMASK
 * Trace line:   SRC DST SPORT DPORT PROTO [FLAGS [FILTER_INDEX]]
 *
 * A protocol mask of 0xFF is an exact protocol, 0x00 any protocol; the flags
 * are ignored; the tag of every rule is 0..65535 and of every key 0.
 * Errors are written to err as "FILE:LINE: message"; the functions never
 * print and return 0 or -1.  Arrays are allocated with malloc; free() them.
 */
#ifndef ZONED_CLASSBENCH_H
#define ZONED_CLASSBENCH_H

#include <stddef.h>
#include <stdint.h>

#include "acl.h"

/* Reads a filter set; *rules is NULL when *n is 0. */
int classbench_load_rules(const char *path, struct acl_rule **rules,
    uint32_t *n, char *err, size_t errlen);

/* Reads a trace; filt (may be NULL) receives the generating filter index
 * column, -1 where a line has none. */
int classbench_load_trace(const char *path, struct acl_key **keys,
    int32_t **filt, size_t *n, char *err, size_t errlen);

/* One filter line (no newline) for a rule whose addresses are prefixes and
 * whose protocol is exact or any; -1 when the rule has no such form. */
int classbench_format_rule(const struct acl_rule *r, char *buf, size_t len);

/* Generated sets in the manner of the three seed families. */
enum classbench_style {
	CLASSBENCH_ACL,		/* mostly exact destination, port exact */
	CLASSBENCH_FW,		/* many wildcards, port ranges */
	CLASSBENCH_IPC,		/* mixed */
};

/* Fills r[0..n) deterministically from seed. */
void classbench_gen_rules(uint64_t seed, enum classbench_style style,
    struct acl_rule *r, uint32_t n);

/* Fills k[0..nk): mostly points inside a random rule (corners often), some
 * uniformly random; filt[i] (filt may be NULL) is the rule drawn or -1. */
void classbench_gen_trace(uint64_t seed, const struct acl_rule *r,
    uint32_t nr, struct acl_key *k, int32_t *filt, size_t nk);

#endif
