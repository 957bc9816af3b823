/*
 * confirm — commit-confirm (zonectl reload --confirm SECONDS, confirm,
 * rollback): the state of a policy that runs but is not yet confirmed, the
 * timer that puts back the policy that ran before when the window passes,
 * and what a start does about it.
 *
 * The state is STATEDIR/confirm (JSON), written and fsync'd before the
 * unconfirmed policy is applied:
 *   pending      the policy SHA-256, the one before, the deadline, who;
 *   rolled-back  the SHA-256 of a text that was put back unconfirmed.
 * A start that finds "pending" comes back with the policy before (the
 * unconfirmed one never became the last good one); a start whose policy
 * file is the rolled-back text does the same, so a reboot does not bring
 * back what the operator never confirmed.  The loads themselves are the
 * engine's (one reload path); this module keeps the state and the timer.
 */
#ifndef ZONED_CONFIRM_H
#define ZONED_CONFIRM_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define CONFIRM_MAX_SECONDS 86400

enum confirm_state {
	CONFIRM_NONE = 0,
	CONFIRM_PENDING,
	CONFIRM_ROLLED_BACK,
};

struct confirm;

/* Read STATEDIR/confirm; expired(arg) is called when a window passes.
 * NULL with err when the event loop refuses the timer. */
struct confirm *confirm_open(const char *state_dir, void (*expired)(void *),
    void *arg, char *err, size_t errlen);
void confirm_close(struct confirm *c);

enum confirm_state confirm_state(const struct confirm *c);
/* Pending: the unconfirmed policy, the one before, the seconds left. */
const char *confirm_policy(const struct confirm *c);
const char *confirm_previous(const struct confirm *c);
long confirm_left(const struct confirm *c);

/* At start: is the policy file with this SHA-256 to be left for the last
 * good one?  Yes while pending (whatever the file holds now) and when it
 * is the rolled-back text; why says so. */
bool confirm_refuses(const struct confirm *c, const char *sha, char *why,
    size_t len);

/* Before the unconfirmed policy is applied: the pending state written
 * (fsync'd); -1 with err. */
int confirm_begin(struct confirm *c, const char *sha, const char *prev,
    unsigned seconds, long uid, char *err, size_t errlen);
/* ... its load failed: the state before, back. */
void confirm_abort(struct confirm *c);
/* ... its load is in: the window starts. */
void confirm_arm(struct confirm *c);
/* Confirmed, or any later plain load: no state; -1 with err when the
 * file cannot be removed. */
int confirm_clear(struct confirm *c, char *err, size_t errlen);
/* Put back: remember the text that was not confirmed. */
void confirm_rolled_back(struct confirm *c, const char *sha);

/* zonectl status: {state, policy, previous, seconds_left, deadline, uid,
 * user} or null. */
json_t *confirm_json(const struct confirm *c);

#endif
