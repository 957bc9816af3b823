/*
 * ha — this node's part in an active/standby pair: the state keepalived
 * last reported (through zonectl ha-notify), kept in the state directory
 * with the boot it belongs to, and the peer's policy SHA-256 as the last
 * health check gave it.
 *
 * The state file is one line, "boot=ID state=NAME since=EPOCH": a daemon
 * restarted within the same boot (an upgrade, a crash) goes on forwarding
 * as the master it was, instead of holding every zone until keepalived
 * happens to say so again; after a reboot the kernel has no connections
 * and no addresses of the pair, and the node starts as not told (it holds,
 * and `zonectl health` says why, so that keepalived reports again).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ha.h"
#include "log.h"

#define BOOT_ID "/proc/sys/kernel/random/boot_id"
#define STATE_FILE "ha-state"

struct ha {
	char *path;		/* state_dir/ha-state */
	char boot[64];		/* this boot's id, "" when unreadable */
	enum ha_state state;
	time_t since;
	unsigned transitions;	/* since the daemon started */
	char conntrackd[256];	/* the last master/backup steps' outcome */
	char peer_sha[65];	/* the last one a health check gave */
	char own_sha[65];	/* this node's then */
	time_t peer_at;
	int peer_match;		/* -1 not checked, 0 differs, 1 matches */
};

static const char *const names[] = {
	[HA_UNKNOWN] = "unknown",
	[HA_MASTER] = "master",
	[HA_BACKUP] = "backup",
	[HA_FAULT] = "fault",
	[HA_STOP] = "stop",
};

const char *
ha_state_str(enum ha_state s)
{
	return s <= HA_STOP ? names[s] : "unknown";
}

int
ha_state_from_str(const char *s)
{
	for (int i = HA_MASTER; i <= HA_STOP; i++)
		if (s && strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static void
read_boot(char *buf, size_t len)
{
	FILE *fp = fopen(BOOT_ID, "r");

	buf[0] = '\0';
	if (fp == NULL)
		return;
	if (fgets(buf, (int)len, fp) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(fp);
}

/* The state written in this boot, if any. */
static void
restore(struct ha *h)
{
	FILE *fp = fopen(h->path, "r");
	char boot[64], state[16];
	long long since;
	int s;

	if (fp == NULL) {
		if (errno != ENOENT)
			log_warn("%s", h->path);
		return;
	}
	if (fscanf(fp, "boot=%63s state=%15s since=%lld", boot, state,
	    &since) == 3 && h->boot[0] && strcmp(boot, h->boot) == 0 &&
	    (s = ha_state_from_str(state)) > 0) {
		h->state = (enum ha_state)s;
		h->since = (time_t)since;
		log_event(LOG_NOTICE, "ha-state", "state=%s restored=%s",
		    names[s], lq(h->path));
	}
	fclose(fp);
}

/* Written whole, then renamed. */
static void
save(const struct ha *h)
{
	char *tmp = NULL, line[160];
	int fd, n;

	n = snprintf(line, sizeof(line), "boot=%s state=%s since=%lld\n",
	    h->boot[0] ? h->boot : "-", names[h->state],
	    (long long)h->since);
	if (asprintf(&tmp, "%s.tmp", h->path) < 0)
		return;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || write(fd, line, (size_t)n) != n || fsync(fd) < 0 ||
	    close(fd) < 0 || rename(tmp, h->path) < 0) {
		log_warn("cannot keep the HA state in %s", h->path);
		if (fd >= 0)
			close(fd);
		unlink(tmp);
	}
	free(tmp);
}

struct ha *
ha_open(const char *state_dir)
{
	struct ha *h = calloc(1, sizeof(*h));

	if (h == NULL || asprintf(&h->path, "%s/%s", state_dir,
	    STATE_FILE) < 0) {
		free(h);
		return NULL;
	}
	h->peer_match = -1;
	read_boot(h->boot, sizeof(h->boot));
	restore(h);
	return h;
}

void
ha_close(struct ha *h)
{
	if (h == NULL)
		return;
	free(h->path);
	free(h);
}

enum ha_state
ha_state(const struct ha *h)
{
	return h ? h->state : HA_UNKNOWN;
}

bool
ha_forwarding(const struct ha *h, const struct policy *p)
{
	return !policy_ha(p) || ha_state(h) == HA_MASTER;
}

enum ha_state
ha_set(struct ha *h, enum ha_state s, const char *conntrackd)
{
	enum ha_state prev = h->state;

	snprintf(h->conntrackd, sizeof(h->conntrackd), "%s",
	    conntrackd ? conntrackd : "");
	h->transitions++;
	if (prev != s || h->since == 0)
		h->since = time(NULL);
	h->state = s;
	save(h);
	return prev;
}

bool
ha_peer_check(struct ha *h, const char *own, const char *peer)
{
	int match = strcmp(own, peer) == 0;

	if (match != h->peer_match || strcmp(peer, h->peer_sha) != 0 ||
	    strcmp(own, h->own_sha) != 0) {
		if (match)
			log_event(LOG_NOTICE, "ha-peer-match", "sha256=%s",
			    own);
		else
			log_event(LOG_WARNING, "ha-peer-mismatch", "sha256=%s "
			    "peer_sha256=%s", own[0] ? own : "-", peer);
	}
	snprintf(h->peer_sha, sizeof(h->peer_sha), "%s", peer);
	snprintf(h->own_sha, sizeof(h->own_sha), "%s", own);
	h->peer_at = time(NULL);
	h->peer_match = match;
	return match;
}

void
ha_info(const struct ha *h, struct ha_info *out)
{
	memset(out, 0, sizeof(*out));
	out->peer_match = -1;
	out->conntrackd = out->peer_sha = "";
	if (h == NULL)
		return;
	out->state = h->state;
	out->since = h->since;
	out->transitions = h->transitions;
	out->conntrackd = h->conntrackd;
	out->peer_sha = h->peer_match < 0 ? "" : h->peer_sha;
	out->peer_at = h->peer_at;
	out->peer_match = h->peer_match;
}
