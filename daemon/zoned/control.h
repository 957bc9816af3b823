/*
 * control — the control socket: a unix stream socket, mode 0660, group from
 * the policy; one JSON request a line, one JSON answer a line.  This module
 * is the transport: credentials (SO_PEERCRED), framing, limits, buffering
 * of answers, and a listener that pauses while descriptors run out.  What a
 * request means is the handler's (command.c).
 */
#ifndef ZONED_CONTROL_H
#define ZONED_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

/*
 * The client slots.  Root always gets one: CONTROL_ROOT_SLOTS of them are
 * root's alone, and when every slot is taken a root newcomer takes the
 * slot of the non-root client that has been quiet longest.  Every other
 * caller shares the rest, at most CONTROL_UID_CLIENTS connections a uid;
 * a non-root newcomer with no slot may take one quiet for CONTROL_IDLE_S,
 * else it is told the socket is busy.  A request not completed within
 * CONTROL_REQUEST_MS of its first byte, and an answer the client has not
 * read for CONTROL_SEND_MS, close the connection.
 */
#define CONTROL_MAX_CLIENTS 32
#define CONTROL_ROOT_SLOTS 4
#define CONTROL_UID_CLIENTS 8
#define CONTROL_IDLE_S 30	/* a client idle this long may lose its slot */
#define CONTROL_REQUEST_MS 2000	/* to complete a request line */
#define CONTROL_SEND_MS 10000	/* to take an answer */
#define CONTROL_TICK_MS 500	/* how often the timeouts are looked at */
#define CONTROL_PAUSE_MS 1000	/* the listener rests this long on EMFILE */

struct control_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	bool root;		/* uid 0 */
	bool member;		/* of the control group */
};

/* The answer to one request line (NUL-terminated, without its newline):
 * a JSON value, consumed; NULL sends an internal error. */
typedef json_t *(*control_handler)(void *arg, const struct control_peer *peer,
    const char *line);

struct control;

/* Listen on path; callers who are neither root nor in group are refused
 * before anything is read. */
struct control *control_open(const char *path, const char *group,
    control_handler fn, void *arg, char *err, size_t errlen);
void control_close(struct control *c);

struct control_stats {
	unsigned clients;	/* connected now */
	unsigned long long accepted;
	unsigned long long refused;	/* no slot for them (busy) */
	unsigned long long evicted;	/* slots taken back for root */
	unsigned long long timed_out;	/* half-sent requests, unread answers */
	unsigned long long paused;
	bool listening;		/* false while paused */
};
void control_stats(const struct control *c, struct control_stats *st);

#endif
