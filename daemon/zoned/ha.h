/*
 * ha — this node's part in an active/standby pair (policy "ha"; zoned(8),
 * HIGH AVAILABILITY).  keepalived decides which node is the master and
 * tells zoned through `zonectl ha-notify`, after conntrackd has committed
 * the connections it synced; this module keeps that state, across a
 * restart of the daemon within one boot, and answers whether the node may
 * forward.  It also remembers the last policy SHA-256 a health check said
 * the peer runs.  No sockets: the engine turns the answer into the ruleset,
 * the control commands into JSON.
 */
#ifndef ZONED_HA_H
#define ZONED_HA_H

#include <stdbool.h>
#include <time.h>

#include "policy.h"

enum ha_state {
	HA_UNKNOWN = 0,		/* not told since this boot */
	HA_MASTER,		/* synced connections committed: forward */
	HA_BACKUP,
	HA_FAULT,
	HA_STOP,		/* keepalived stopped */
};

struct ha;

/* The state kept in state_dir, if it was written in this boot; NULL only
 * when out of memory. */
struct ha *ha_open(const char *state_dir);
void ha_close(struct ha *h);

enum ha_state ha_state(const struct ha *h);
const char *ha_state_str(enum ha_state s);
/* -1 for a name that is none of master, backup, fault, stop. */
int ha_state_from_str(const char *s);

/* May this node forward?  Always when p is not one of a pair (no "ha"),
 * else only as the master. */
bool ha_forwarding(const struct ha *h, const struct policy *p);

/* A transition keepalived reported (conntrackd: what its steps gave, as
 * zonectl ha-notify tells it; may be NULL).  Kept in the state directory;
 * returns the previous state. */
enum ha_state ha_set(struct ha *h, enum ha_state s, const char *conntrackd);

/* The SHA-256 a health check says the peer runs, against this node's
 * (own; "" when failing closed).  true when they match; a change of the
 * outcome is logged (event=ha-peer-mismatch / ha-peer-match). */
bool ha_peer_check(struct ha *h, const char *own, const char *peer);

/* What zonectl status and health show. */
struct ha_info {
	enum ha_state state;
	time_t since;		/* 0: never told */
	unsigned transitions;	/* since the daemon started */
	const char *conntrackd;	/* the last steps' outcome, "" when none */
	const char *peer_sha;	/* the last a health check gave, "" */
	time_t peer_at;
	int peer_match;		/* -1 never checked, 0 differs, 1 same */
};

void ha_info(const struct ha *h, struct ha_info *out);

#endif
