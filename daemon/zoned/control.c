/*
 * control — the control socket: a unix stream socket, mode 0660, group from
 * the policy; one JSON request a line, one JSON answer a line.  The peer's
 * credentials come from SO_PEERCRED on every connection: root may do
 * everything, members of the group may read, nobody else may talk.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "command.h"
#include "ctlproto.h"
#include "log.h"
#include "zoned.h"

#define MAX_CLIENTS 32
#define CLIENT_IDLE_S 30

struct client {
	int fd;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	bool root, member;
	bool discard;		/* in a request over the limit: skip to '\n' */
	char *buf;
	size_t len;
	char *out;		/* answers not yet sent */
	size_t outlen, outoff;
	time_t active;		/* last request or progress in sending */
	bool eof;		/* the client has shut its side down */
};

struct control {
	struct zoned *z;
	int fd;
	char *path;
	gid_t gid;
	bool have_group;
	struct client clients[MAX_CLIENTS];
};

int
control_fd(const struct control *c)
{
	return c->fd;
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
control_open(struct zoned *z, const char *path, const char *group, char *err,
    size_t errlen)
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
	c->z = z;
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
	return c;
fail:
	if (c->fd > 0)
		close(c->fd);
	free(c->path);
	free(c);
	return NULL;
}

static void
client_close(struct control *c, struct client *cl)
{
	if (cl->fd < 0)
		return;
	zoned_unwatch(c->z, cl->fd);
	close(cl->fd);
	free(cl->buf);
	free(cl->out);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
}

/* A free slot; when there is none, the slot of the client idle longest if
 * it has been idle CLIENT_IDLE_S (a client that neither asks nor reads must
 * not keep root out). */
static struct client *
client_slot(struct control *c)
{
	struct client *old = NULL;

	for (int i = 0; i < MAX_CLIENTS; i++) {
		struct client *cl = &c->clients[i];
		if (cl->fd < 0)
			return cl;
		if (old == NULL || cl->active < old->active)
			old = cl;
	}
	if (old != NULL && time(NULL) - old->active >= CLIENT_IDLE_S) {
		log_debug("control: closing idle client uid=%u",
		    (unsigned)old->uid);
		client_close(c, old);
		return old;
	}
	return NULL;
}

void
control_close(struct control *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++)
		client_close(c, &c->clients[i]);
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

void
control_accept(struct control *c)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct client *cl = NULL;
	int fd;

	while ((fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC |
	    SOCK_NONBLOCK)) >= 0) {
		cl = client_slot(c);
		if (cl == NULL || getsockopt(fd, SOL_SOCKET, SO_PEERCRED,
		    &cred, &len) < 0) {
			close(fd);
			continue;
		}
		cl->fd = fd;
		cl->uid = cred.uid;
		cl->gid = cred.gid;
		cl->pid = cred.pid;
		cl->root = cred.uid == 0;
		cl->member = c->have_group && is_member(cred.uid, cred.gid,
		    c->gid);
		cl->active = time(NULL);
		if (!cl->root && !cl->member) {
			static const char deny[] = "{\"ok\": false, \"code\": "
			    "3, \"error\": \"permission denied: root or the "
			    "control group only\"}\n";
			log_event(LOG_WARNING, "control-denied", "uid=%u pid=%d",
			    (unsigned)cl->uid, (int)cl->pid);
			/* closing anyway: a failed send changes nothing */
			(void)!send(fd, deny, sizeof(deny) - 1, MSG_NOSIGNAL);
			client_close(c, cl);
			cl = NULL;
			continue;
		}
		if (zoned_watch(c->z, fd) < 0) {
			client_close(c, cl);
			cl = NULL;
			continue;
		}
		cl = NULL;
	}
}

bool
control_owns(const struct control *c, int fd)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (c->clients[i].fd == fd)
			return true;
	return false;
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
			if (errno == EAGAIN)
				return zoned_watch_events(c->z, cl->fd,
				    EPOLLOUT);
			return -1;
		}
		cl->outoff += (size_t)n;
		cl->active = time(NULL);
	}
	free(cl->out);
	cl->out = NULL;
	cl->outlen = cl->outoff = 0;
	return zoned_watch_events(c->z, cl->fd, EPOLLIN);
}

static bool
sending(const struct client *cl)
{
	return cl->outoff < cl->outlen;
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

static json_t *
error_answer(int code, const char *msg, json_t *detail)
{
	json_t *a = json_pack("{s:b, s:i, s:s}", "ok", 0, "code", code,
	    "error", msg);

	if (a && detail)
		json_object_set_new(a, "detail", detail);
	else
		json_decref(detail);
	return a;
}

static int
handle_line(struct control *c, struct client *cl, const char *line)
{
	json_error_t jerr;
	json_t *req = json_loads(line, 0, &jerr), *args, *result = NULL,
	    *detail = NULL;
	const struct command *cmd;
	const char *name;
	char err[1024] = "";
	int code;

	if (req == NULL || !json_is_object(req)) {
		json_decref(req);
		return answer(c, cl, error_answer(CTL_BAD_REQUEST, req == NULL ?
		    jerr.text : "a request is a JSON object", NULL));
	}
	name = json_string_value(json_object_get(req, "cmd"));
	args = json_object_get(req, "args");
	if (name == NULL || (args != NULL && !json_is_object(args))) {
		json_decref(req);
		return answer(c, cl, error_answer(CTL_BAD_REQUEST, "a request "
		    "needs \"cmd\" (a string) and \"args\" (an object)", NULL));
	}
	if ((cmd = command_find(name)) == NULL) {
		snprintf(err, sizeof(err), "unknown command \"%.64s\"", name);
		json_decref(req);
		return answer(c, cl, error_answer(CTL_UNKNOWN, err, NULL));
	}
	if (cmd->change && !cl->root) {
		log_event(LOG_WARNING, "control-denied", "uid=%u cmd=%s",
		    (unsigned)cl->uid, cmd->name);
		json_decref(req);
		return answer(c, cl, error_answer(CTL_DENIED, "permission denied: "
		    "only root may change zoned", NULL));
	}
	if (cmd->change)
		log_event(LOG_NOTICE, "control", "uid=%u pid=%d cmd=%s",
		    (unsigned)cl->uid, (int)cl->pid, cmd->name);
	else
		log_debug("control uid=%u cmd=%s", (unsigned)cl->uid, cmd->name);
	if (args == NULL)
		json_object_set_new(req, "args", args = json_object());
	code = cmd->fn(c->z, args, (long)cl->uid, &result, &detail, err,
	    sizeof(err));
	json_decref(req);
	if (code != CTL_OK) {
		json_decref(result);
		return answer(c, cl, error_answer(code, err[0] ? err :
		    ctl_code_str(code), detail));
	}
	json_decref(detail);
	return answer(c, cl, json_pack("{s:b, s:o}", "ok", 1, "result",
	    result ? result : json_null()));
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
		if (used - 1 > CTL_MAX_REQUEST)
			rc = answer(c, cl, error_answer(CTL_TOO_BIG,
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
		if (answer(c, cl, error_answer(CTL_TOO_BIG, "request over "
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
	return 0;
}

void
control_client_event(struct control *c, int fd, uint32_t events)
{
	struct client *cl = NULL;
	char buf[8192];
	ssize_t n = -1;

	for (int i = 0; i < MAX_CLIENTS && cl == NULL; i++)
		if (c->clients[i].fd == fd)
			cl = &c->clients[i];
	if (cl == NULL)
		return;
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
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
			zoned_watch_events(c->z, cl->fd, EPOLLOUT);
		return;
	}
	if (n < 0 && errno != 0 && errno != EAGAIN && errno != EINTR)
		goto gone;
	return;
gone:
	client_close(c, cl);
}
