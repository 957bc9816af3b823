/*
 * record — the daemon's change journal (STATEDIR/journal, the chain of
 * lib/journal.c) and the store of every policy text it applied
 * (STATEDIR/policies/SHA256.conf, the newest RECORD_KEEP_POLICIES).
 *
 * A change is recorded before it is made: record_add() appends its entries
 * and fsyncs them; if the change then fails, record_undo() takes them back
 * (the file is cut back to where it was, which needs no space); once it is
 * made, record_commit() sends each entry to syslog with its hash.  A change
 * an operator asks for that cannot be recorded is not made.  The daemon's
 * own changes that close the gateway or restore what ran before (start,
 * repair, expiry, an automatic rollback) go ahead even then, and say so at
 * LOG_CRIT: record_now().
 */
#ifndef ZONED_RECORD_H
#define ZONED_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "journal.h"

#define RECORD_KEEP_POLICIES 200

struct record;

/* One entry.  flows and extra are consumed (either may be NULL); extra's
 * members (zone, interfaces, confirm...) go between the policies and the
 * reason. */
struct record_entry {
	const char *action;	/* "policy-loaded", "zone-isolated" ... */
	long uid;		/* the caller, -1 for the daemon itself */
	const char *before;	/* policy SHA-256 before, NULL: none */
	const char *after;	/* ... and after */
	json_t *flows;		/* journal_flows() */
	json_t *extra;
	const char *reason;	/* NULL when there is none */
};

/* Where the journal stood, to take back what was added since. */
struct record_mark {
	off_t off;
	long long seq;
	char hash[JOURNAL_HASH_LEN + 1];
	size_t npending;
};

/*
 * Open (create) STATEDIR/journal and check its chain.  A broken chain is
 * logged (event=journal-broken, alert) and the journal goes on from its
 * last line; a last line cut short by a crash is removed.  NULL with err
 * when the file cannot be opened or read.
 */
struct record *record_open(const char *state_dir, char *err, size_t errlen);
void record_close(struct record *r);
/* Hand the journal and the store to the user the daemon drops to. */
void record_owner(struct record *r, uid_t uid, gid_t gid);

const char *record_path(const struct record *r);
/* The last entry: its action and the policy it left running ("" when
 * none), as read at open and kept since. */
const char *record_last_action(const struct record *r);
const char *record_last_policy(const struct record *r);

void record_mark(const struct record *r, struct record_mark *m);
/* Append one entry, written and fsync'd; -1 with err (naming the file and
 * the reason, "No space left on device") and nothing appended. */
int record_add(struct record *r, const struct record_entry *e, char *err,
    size_t errlen);
void record_commit(struct record *r, const struct record_mark *m);
void record_undo(struct record *r, const struct record_mark *m);
/* Add and commit at once; a failure is logged at LOG_CRIT with the entry
 * (event=journal-failed): the change stands. */
void record_now(struct record *r, const struct record_entry *e);

/* The name of a uid ("-" for -1, the number when it has none). */
const char *record_user(long uid, char *buf, size_t len);

/* Keep a policy text under its SHA-256 (written whole, fsync'd, renamed;
 * an existing copy is only touched), then keep the newest
 * RECORD_KEEP_POLICIES.  -1 with err. */
int record_store(struct record *r, const char *sha, const char *text,
    size_t len, char *err, size_t errlen);
/* The path of a kept text (malloc'd), NULL when it is not kept. */
char *record_stored(const struct record *r, const char *sha);

#endif
