/*
 * journal — the change journal's hash chain: sealing an entry, checking a
 * whole journal, and the flow-by-flow difference of two policies that an
 * entry carries.  The daemon writes with it (daemon/zoned/record.c) and
 * zonectl verifies with it, on the appliance or on a copied file.
 *
 * A journal is JSON lines, one entry a line, each an object whose members
 * come in this order:
 *
 *   {"seq":N,"time":"RFC 3339","uid":N|null,"user":"name"|"-",
 *    "action":"...", ... ,"prev":"HEX","hash":"HEX"}
 *
 * seq counts from 1 without gaps; prev is the hash of the entry before (64
 * zeros for the first); hash is the SHA-256, in lower-case hex, of the
 * entry's line without its hash member, that is of the bytes before
 * `,"hash":"` followed by `}`.  Since prev is inside what is hashed, each
 * hash covers every entry before it.
 */
#ifndef ZONED_JOURNAL_H
#define ZONED_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "policy.h"

#define JOURNAL_HASH_LEN 64
#define JOURNAL_GENESIS \
	"0000000000000000000000000000000000000000000000000000000000000000"
/* Flows listed per kind of change in one entry; the rest are counted. */
#define JOURNAL_FLOWS_MAX 1000

/* The SHA-256 of data in lower-case hex; -1 ("?") when it cannot be had.
 * Policy texts are named by it too. */
int journal_sha256(const void *data, size_t len,
    char out[JOURNAL_HASH_LEN + 1]);

/*
 * Seal an entry: set its "prev" member, serialise it compactly in member
 * order and hash it.  Returns the line to append (malloc'd, ending in a
 * newline) and the entry's hash in hash; NULL with err filled when entry
 * is not an object without "hash", or on allocation failure.
 */
char *journal_seal(json_t *entry, const char *prev,
    char hash[JOURNAL_HASH_LEN + 1], char *err, size_t errlen);

/*
 * One line (without its newline): its entry (a new reference) and stored
 * hash; NULL when the line is no well-formed entry.  Does not check the
 * hash: journal_verify does.
 */
json_t *journal_parse(const char *line, size_t len,
    char hash[JOURNAL_HASH_LEN + 1]);

/* What journal_verify found. */
struct journal_check {
	size_t entries;		/* entries read intact, in order */
	long long first_seq, last_seq;	/* of those, 0 when none */
	char last_hash[JOURNAL_HASH_LEN + 1];	/* genesis when none */
	size_t good_len;	/* bytes of the intact lines */
	size_t line;		/* the first bad line, 1-based; 0: intact */
	long long seq;		/* the entry named by msg, -1 when unknown */
	char msg[512];		/* what is wrong, naming the entry */
};

/*
 * Check the chain of a whole journal held in buf: every line an entry,
 * seq counting from 1, each prev the hash of the entry before, each hash
 * that of its line.  0 when intact; 1 when not, with c->msg naming the
 * first entry altered, removed or reordered (or a last line cut short).
 * Removing entries from the end leaves an intact shorter chain: compare
 * c->last_seq and c->last_hash with a copy kept elsewhere (syslog).
 */
int journal_verify(const char *buf, size_t len, struct journal_check *c);

/*
 * What changed from policy a to policy b (either may be NULL: no policy),
 * flow by flow, by name:
 *   {"added": [F...], "removed": [F...], "changed": [F...]}
 * F is {"flow", "from", "to", "approval"} (zones; approval null when
 * none); a changed flow also has "was" (what changed: "definition",
 * "approval", "expires", "log") and "approval_before" when that changed.
 * At most JOURNAL_FLOWS_MAX a kind are listed; "omitted" counts the rest.
 * NULL on allocation failure.
 */
json_t *journal_flows(const struct policy *a, const struct policy *b);

/* The flows of p active at before and expired at now, as "removed"
 * entries of the same shape (a flow's expiry), and those pending at before
 * and started at now as "added" (a staged flow's start). */
json_t *journal_expired(const struct policy *p, time_t before, time_t now);

#endif
