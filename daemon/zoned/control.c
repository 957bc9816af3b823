/*
 * control — the control socket: a unix stream socket, mode 0660, group from
 * the policy; one JSON request a line, one JSON answer a line.  The peer's
 * credentials come from SO_PEERCRED on every connection: root and members
 * of the group may talk (what each may do is the handler's business),
 * nobody else.
 *
 * The listener and every client are events of their own.  When accept
 * fails for want of descriptors (EMFILE, ENFILE) the listener is paused —
 * a level-triggered listener that stays readable would spin the loop — and
 * taken up again after CONTROL_PAUSE_MS or as soon as a client leaves, as
 * OpenBSD's daemons do.
 *
 * Nobody can lock root out (see control.h): root has slots of its own and
 * takes back the slot of the quietest other client when all are full;
 * other callers have a limit a uid; and a timer closes, every
 * CONTROL_TICK_MS while there are clients, the connections whose request
 * is half sent for CONTROL_REQUEST_MS or whose answer lies unread for
 * CONTROL_SEND_MS, so that a client that stops in the middle holds its
 * slot for seconds, not for ever.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "control.h"
#include "ctlproto.h"
#include "event.h"
#include "log.h"

#define MAX_CLIENTS CONTROL_MAX_CLIENTS
#define CLIENT_IDLE_S CONTROL_IDLE_S

struct control;

struct client {
	struct control *c;
	struct event *ev;
	int fd;
	struct control_peer peer;
	bool discard;		/* in a request over the limit: skip to '\n' */
	char *buf;
	size_t len;
	char *out;		/* answers not yet sent */
	size_t outlen, outoff;
	time_t active;		/* last request or progress in sending */
	uint64_t req_ms;	/* a request begun then (0: none pending) */
	uint64_t send_ms;	/* an answer waiting since then, or its last
				 * progress (0: nothing waiting) */
	bool eof;		/* the client has shut its side down */
};

struct control {
	int fd;
	struct event *ev;	/* the listener */
	struct event *rest;	/* re-arms a paused listener */
	struct event *tick;	/* the timeouts of the clients */
	time_t busy_logged;	/* the last control-busy event */
	unsigned long long busy_unlogged;	/* refusals since */
	bool paused;		/* the listener rests */
	bool starved;		/* accept has failed for want of descriptors
				 * since the backlog was last emptied */
	char *path;
	gid_t gid;
	bool have_group;
	control_handler fn;
	void *arg;
	struct control_stats st;
	struct client clients[MAX_CLIENTS];
};

static void on_accept(int, uint32_t, void *);
static void on_rest(int, uint32_t, void *);
static void on_tick(int, uint32_t, void *);
static void on_client(int, uint32_t, void *);

#define BUSY_LOG_S 10	/* control-busy is logged once in this long */

static bool
sending(const struct client *cl)
{
	return cl->outoff < cl->outlen;
}

static int
mkdir_parent(const char *path)
{
	char dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

struct control *
control_open(const char *path, const char *group, control_handler fn,
    void *arg, char *err, size_t errlen)
{
	struct control *c = calloc(1, sizeof(*c));
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct group *gr;
	mode_t old;

	if (c == NULL || (c->path = strdup(path)) == NULL) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->fn = fn;
	c->arg = arg;
	c->fd = -1;
	for (int i = 0; i < MAX_CLIENTS; i++)
		c->clients[i].fd = -1;
	if ((gr = getgrnam(group)) != NULL) {
		c->gid = gr->gr_gid;
		c->have_group = true;
	} else
		log_warnx("control group \"%s\" does not exist: the socket is "
		    "for root only", group);
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long", path);
		goto fail;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (mkdir_parent(path) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		goto fail;
	}
	/* A socket left by a daemon that died: nobody answers on it. */
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		snprintf(err, errlen, "%s: another zoned answers there", path);
		goto fail;
	}
	unlink(path);
	old = umask(0117);
	if (bind(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		umask(old);
		snprintf(err, errlen, "bind %s: %s", path, strerror(errno));
		goto fail;
	}
	umask(old);
	if (chmod(path, c->have_group ? 0660 : 0600) < 0 ||
	    (c->have_group && chown(path, 0, c->gid) < 0)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (listen(c->fd, 16) < 0) {
		snprintf(err, errlen, "listen: %s", strerror(errno));
		goto fail;
	}
	if ((c->ev = event_add(c->fd, EVENT_READ, on_accept, c)) == NULL ||
	    (c->rest = event_timer(CLOCK_MONOTONIC, on_rest, c)) == NULL ||
	    (c->tick = event_timer(CLOCK_MONOTONIC, on_tick, c)) == NULL) {
		snprintf(err, errlen, "control events: %s", strerror(errno));
		goto fail;
	}
	c->st.listening = true;
	return c;
fail:
	event_del(c->ev);
	event_del(c->rest);
	event_del(c->tick);
	if (c->fd >= 0)
		close(c->fd);
	free(c->path);
	free(c);
	return NULL;
}

/* Listen again after a pause. */
static void
resume(struct control *c)
{
	if (!c->paused)
		return;
	event_timer_arm(c->rest, 0, 0);
	if (event_mod(c->ev, EVENT_READ) < 0) {
		log_warn("control: cannot listen again");
		event_timer_arm(c->rest, CONTROL_PAUSE_MS, 0);
		return;
	}
	c->paused = false;
	c->st.listening = true;
}

static void
on_rest(int fd, uint32_t what, void *arg)
{
	(void)fd;
	(void)what;
	resume(arg);
}

/* No descriptor for a new client: stop listening for a while rather than
 * be woken again at once by the same waiting connection.  Logged once
 * until the waiting connections have all been taken. */
static void
pause_listener(struct control *c, int error)
{
	if (c->paused)
		return;
	if (event_mod(c->ev, 0) < 0)
		log_warn("control: cannot pause the listener");
	event_timer_arm(c->rest, CONTROL_PAUSE_MS, 0);
	c->paused = true;
	c->st.listening = false;
	if (c->starved)
		return;
	c->starved = true;
	c->st.paused++;
	log_event(LOG_WARNING, "control-paused", "socket=%s reason=%s "
	    "retry_ms=%d clients=%u", lq(c->path), lq(strerror(error)),
	    CONTROL_PAUSE_MS, c->st.clients);
}

static void
client_close(struct control *c, struct client *cl)
{
	if (cl->fd < 0)
		return;
	event_del(cl->ev);
	close(cl->fd);
	free(cl->buf);
	free(cl->out);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
	c->st.clients--;
	if (c->st.clients == 0)
		event_timer_arm(c->tick, 0, 0);
	resume(c);	/* a descriptor is free again */
}

/* One error line to a client about to be closed, best effort (closing
 * anyway: a failed send changes nothing). */
static void
tell(int fd, int code, const char *msg)
{
	json_t *a = ctl_error_answer(code, msg, NULL);
	char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;

	json_decref(a);
	if (s != NULL) {
		(void)!send(fd, s, strlen(s), MSG_NOSIGNAL | MSG_DONTWAIT);
		(void)!send(fd, "\n", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	free(s);
}

/* The slot of cl taken back for root: told why, then closed. */
static void
evict(struct control *c, struct client *cl)
{
	c->st.evicted++;
	log_event(LOG_NOTICE, "control-evicted", "uid=%u pid=%d for=root "
	    "idle_s=%lld", (unsigned)cl->peer.uid, (int)cl->peer.pid,
	    (long long)(time(NULL) - cl->active));
	if (!sending(cl))
		tell(cl->fd, CTL_BUSY, "connection closed: its slot was "
		    "needed by root");
	client_close(c, cl);
}

/*
 * A slot for a newcomer (see control.h), or NULL with why filled.  Root:
 * a free slot, else the one of the quietest non-root client (of the
 * quietest client at all when root holds every slot).  Others: a free
 * slot outside root's CONTROL_ROOT_SLOTS while their uid holds fewer than
 * CONTROL_UID_CLIENTS, else the slot of a non-root client quiet for
 * CONTROL_IDLE_S.
 */
static struct client *
client_slot(struct control *c, const struct control_peer *peer, char *why,
    size_t whylen)
{
	struct client *free_slot = NULL, *quiet = NULL, *quietest = NULL;
	unsigned others = 0, same = 0;

	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *cl = &c->clients[i];
		if (cl->fd < 0) {
			if (free_slot == NULL)
				free_slot = cl;
			continue;
		}
		if (quietest == NULL || cl->active < quietest->active)
			quietest = cl;
		if (cl->peer.root)
			continue;
		others++;
		same += cl->peer.uid == peer->uid;
		if (quiet == NULL || cl->active < quiet->active)
			quiet = cl;
	}
	if (peer->root) {
		if (free_slot != NULL)
			return free_slot;
		free_slot = quiet ? quiet : quietest;
		evict(c, free_slot);
		return free_slot;
	}
	if (same >= CONTROL_UID_CLIENTS) {
		snprintf(why, whylen, "uid %u already holds %u connections "
		    "(the limit a uid)", (unsigned)peer->uid, same);
		return NULL;
	}
	if (free_slot != NULL && others < MAX_CLIENTS - CONTROL_ROOT_SLOTS)
		return free_slot;
	if (quiet != NULL && time(NULL) - quiet->active >= CLIENT_IDLE_S) {
		log_debug("control: closing idle client uid=%u",
		    (unsigned)quiet->peer.uid);
		client_close(c, quiet);
		return quiet;
	}
	snprintf(why, whylen, "every client slot is taken (%u of them by "
	    "callers other than root)", others);
	return NULL;
}

void
control_close(struct control *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++)
		client_close(c, &c->clients[i]);
	event_del(c->ev);
	event_del(c->rest);
	event_del(c->tick);
	close(c->fd);
	unlink(c->path);
	free(c->path);
	free(c);
}

/* Is uid a member of gid, by its primary or supplementary groups? */
static bool
is_member(uid_t uid, gid_t primary, gid_t gid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	gid_t groups[256];
	int n = 256;

	if (primary == gid)
		return true;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return false;
	if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &n) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* A caller without a slot: told so; logged once in BUSY_LOG_S with how
 * many more there were. */
static void
busy(struct control *c, int fd, const struct control_peer *peer,
    const char *why)
{
	time_t now = time(NULL);

	c->st.refused++;
	if (now - c->busy_logged >= BUSY_LOG_S) {
		log_event(LOG_WARNING, "control-busy", "uid=%u pid=%d reason=%s "
		    "refused_before=%llu clients=%u", (unsigned)peer->uid,
		    (int)peer->pid, lq(why), c->busy_unlogged, c->st.clients);
		c->busy_logged = now;
		c->busy_unlogged = 0;
	} else
		c->busy_unlogged++;
	tell(fd, CTL_BUSY, why);
	close(fd);
}

static void
on_accept(int lfd, uint32_t what, void *arg)
{
	struct control *c = arg;
	struct control_peer peer;
	struct ucred cred;
	socklen_t len;
	struct client *cl;
	char why[160];
	int fd;

	(void)lfd;
	(void)what;
	while ((fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC |
	    SOCK_NONBLOCK)) >= 0) {
		len = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
			log_warn("control: SO_PEERCRED");
			close(fd);
			continue;
		}
		memset(&peer, 0, sizeof(peer));
		peer.uid = cred.uid;
		peer.gid = cred.gid;
		peer.pid = cred.pid;
		peer.root = cred.uid == 0;
		peer.member = c->have_group && is_member(cred.uid, cred.gid,
		    c->gid);
		if (!peer.root && !peer.member) {
			log_event(LOG_WARNING, "control-denied", "uid=%u pid=%d",
			    (unsigned)peer.uid, (int)peer.pid);
			tell(fd, CTL_DENIED, "permission denied: root or the "
			    "control group only");
			close(fd);
			continue;
		}
		if ((cl = client_slot(c, &peer, why, sizeof(why))) == NULL) {
			busy(c, fd, &peer, why);
			continue;
		}
		c->st.accepted++;
		c->st.clients++;
		cl->c = c;
		cl->fd = fd;
		cl->peer = peer;
		cl->active = time(NULL);
		if ((cl->ev = event_add(fd, EVENT_READ, on_client, cl)) ==
		    NULL) {
			log_warn("control: client uid=%u",
			    (unsigned)cl->peer.uid);
			client_close(c, cl);
			continue;
		}
		if (!event_timer_armed(c->tick))
			event_timer_arm(c->tick, CONTROL_TICK_MS,
			    CONTROL_TICK_MS);
	}
	if (errno == EMFILE || errno == ENFILE)
		pause_listener(c, errno);
	else if (errno == EAGAIN && c->starved) {
		c->starved = false;	/* every waiting connection taken */
		log_event(LOG_NOTICE, "control-resumed", "socket=%s clients=%u",
		    lq(c->path), c->st.clients);
	} else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
		log_warn("control: accept");
}

/* A request half sent for CONTROL_REQUEST_MS, an answer unread for
 * CONTROL_SEND_MS: the connection is closed, its slot free. */
static void
on_tick(int fd, uint32_t what, void *arg)
{
	struct control *c = arg;
	uint64_t now = event_now_ms();

	(void)fd;
	(void)what;
	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *cl = &c->clients[i];
		if (cl->fd < 0)
			continue;
		if (cl->send_ms != 0 && now - cl->send_ms >= CONTROL_SEND_MS) {
			log_debug("control: uid=%u did not read its answer "
			    "for %d ms", (unsigned)cl->peer.uid,
			    CONTROL_SEND_MS);
			c->st.timed_out++;
			client_close(c, cl);
		} else if (cl->send_ms == 0 && cl->req_ms != 0 &&
		    now - cl->req_ms >= CONTROL_REQUEST_MS) {
			log_debug("control: uid=%u did not complete its "
			    "request in %d ms", (unsigned)cl->peer.uid,
			    CONTROL_REQUEST_MS);
			c->st.timed_out++;
			tell(cl->fd, CTL_BUSY, "request not completed in time "
			    "(a request is one line ending with a newline)");
			client_close(c, cl);
		}
	}
}

void
control_stats(const struct control *c, struct control_stats *st)
{
	*st = c->st;
}

/*
 * Sending never blocks the daemon (the queue's verdicts and the monitor
 * share its loop): what the socket does not take now waits in the client's
 * buffer, the client is watched for EPOLLOUT, and its further requests are
 * not read until the answer is out.  -1 when the client is gone.
 */
static int
flush(struct control *c, struct client *cl)
{
	while (cl->outoff < cl->outlen) {
		ssize_t n = send(cl->fd, cl->out + cl->outoff,
		    cl->outlen - cl->outoff, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				if (cl->send_ms == 0)
					cl->send_ms = event_now_ms();
				return event_mod(cl->ev, EVENT_WRITE);
			}
			return -1;
		}
		cl->outoff += (size_t)n;
		cl->active = time(NULL);
		if (n > 0 && cl->send_ms != 0)
			cl->send_ms = event_now_ms();	/* it reads: more time */
	}
	free(cl->out);
	cl->out = NULL;
	cl->outlen = cl->outoff = 0;
	cl->send_ms = 0;
	(void)c;
	return event_mod(cl->ev, EVENT_READ);
}

/* Queue an answer and send what the socket takes. */
static int
answer(struct control *c, struct client *cl, json_t *a)
{
	char *s = json_dumps(a, JSON_COMPACT);
	size_t n;
	char *nb;

	json_decref(a);
	if (s == NULL)
		return -1;
	n = strlen(s);
	if ((nb = realloc(cl->out, cl->outlen + n + 1)) == NULL) {
		free(s);
		return -1;
	}
	cl->out = nb;
	memcpy(cl->out + cl->outlen, s, n);
	cl->out[cl->outlen + n] = '\n';
	cl->outlen += n + 1;
	free(s);
	return flush(c, cl);
}

static int
handle_line(struct control *c, struct client *cl, const char *line)
{
	json_t *a = c->fn(c->arg, &cl->peer, line);

	if (a == NULL)
		a = ctl_error_answer(CTL_INTERNAL, "out of memory", NULL);
	return answer(c, cl, a);
}

/* The complete requests read so far, while no answer is waiting to go. */
static int
process(struct control *c, struct client *cl)
{
	char *nl;

	while (!sending(cl) && cl->len > 0 &&
	    (nl = memchr(cl->buf, '\n', cl->len)) != NULL) {
		size_t used = (size_t)(nl - cl->buf) + 1;
		int rc;

		*nl = '\0';
		cl->active = time(NULL);
		cl->req_ms = 0;		/* the next one has not begun */
		if (used - 1 > CTL_MAX_REQUEST)
			rc = answer(c, cl, ctl_error_answer(CTL_TOO_BIG,
			    "request over 64 KiB", NULL));
		else
			rc = handle_line(c, cl, cl->buf);
		if (rc < 0)
			return -1;
		memmove(cl->buf, cl->buf + used, cl->len - used + 1);
		cl->len -= used;
	}
	return 0;
}

/* Take n bytes read from the client. */
static int
take(struct control *c, struct client *cl, const char *p, size_t left)
{
	char *nb;

	/* A request over the limit is read to its end and refused (closing
	 * on unread input would reset the connection and lose the answer). */
	if (cl->discard) {
		const char *nl = memchr(p, '\n', left);
		if (nl == NULL)
			return 0;
		left -= (size_t)(nl - p) + 1;
		p = nl + 1;
		cl->discard = false;
		cl->req_ms = 0;
		if (answer(c, cl, ctl_error_answer(CTL_TOO_BIG, "request over "
		    "64 KiB", NULL)) < 0)
			return -1;
	}
	if ((nb = realloc(cl->buf, cl->len + left + 1)) == NULL)
		return -1;
	cl->buf = nb;
	memcpy(cl->buf + cl->len, p, left);
	cl->len += left;
	cl->buf[cl->len] = '\0';
	if (process(c, cl) < 0)
		return -1;
	if (cl->len > CTL_MAX_REQUEST && memchr(cl->buf, '\n', cl->len) ==
	    NULL) {
		cl->discard = true;
		cl->len = 0;
	}
	/* a request begun: it has CONTROL_REQUEST_MS to end */
	if ((cl->len > 0 || cl->discard) && cl->req_ms == 0)
		cl->req_ms = event_now_ms();
	return 0;
}

static void
on_client(int fd, uint32_t events, void *arg)
{
	struct client *cl = arg;
	struct control *c = cl->c;
	char buf[8192];
	ssize_t n = -1;

	if (events & (EVENT_ERR | EVENT_HUP) && !(events & EVENT_READ)) {
		client_close(c, cl);
		return;
	}
	/* an answer still going out: nothing else until it is gone */
	if (sending(cl) && flush(c, cl) < 0)
		goto gone;
	if (process(c, cl) < 0)
		goto gone;
	if (cl->eof) {
		if (!sending(cl))
			client_close(c, cl);
		return;
	}
	errno = 0;
	while (!sending(cl) && (n = recv(fd, buf, sizeof(buf), 0)) > 0)
		if (take(c, cl, buf, (size_t)n) < 0)
			goto gone;
	if (n == 0) {
		/* the client is done asking; its answers still go out */
		cl->eof = true;
		if (!sending(cl))
			client_close(c, cl);
		else
			event_mod(cl->ev, EVENT_WRITE);
		return;
	}
	if (n < 0 && errno != 0 && errno != EAGAIN && errno != EINTR)
		goto gone;
	return;
gone:
	client_close(c, cl);
}
