/*
 * zoned — the daemon's shared state.
 */
#ifndef ZONED_H
#define ZONED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "apply.h"
#include "classify.h"
#include "diag.h"
#include "nftcanon.h"
#include "nftgen.h"
#include "policy.h"

#define ZONED_DEFAULT_CONF "/etc/zoned/zoned.conf"
#define ZONED_DEFAULT_STATE "/var/lib/zoned"
#define ZONED_USER "zoned"

enum zoned_mode {
	MODE_NONE = 0,
	MODE_POLICY,		/* the policy file */
	MODE_LAST_GOOD,		/* the file failed at start: last-good */
	MODE_FAIL_CLOSED,	/* nothing loaded: every crossing denied */
};

struct counter_total {
	char *name;
	uint64_t packets, bytes;
};

struct control;
struct neigh;
struct monitor;
struct nflog;

struct zoned {
	/* options */
	const char *conf;
	const char *state_dir;
	const char *sock_override;	/* -s: instead of control.socket */
	bool debug;

	time_t started;
	struct apply *nl;
	struct neigh *neigh;
	struct control *ctl;
	struct monitor *mon;	/* NULL: monitoring off or failing closed */
	struct nflog *nflog;
	struct verdict *verdict;	/* enforce.mode "dual" */
	bool queue_native;	/* the kernel has nft_queue (else xt) */
	bool queue_failed;	/* dual mode, but the queue is not bound */

	/* what runs */
	enum zoned_mode mode;
	struct policy *pol;	/* NULL when failing closed */
	struct classify *cls;
	struct nft_ir *ir;
	struct canon expect;	/* the table as we applied it */
	char sha256[65];
	char *loaded_file;
	time_t loaded_at;
	long loaded_by;		/* uid, -1 for start-up or SIGHUP */
	char fail_reason[512];

	/* the last transaction: building it, and from the first message
	 * sent to the last ACK */
	double build_ms, apply_ms;
	size_t apply_msgs, apply_bytes;

	/* the last reload */
	time_t reload_at;
	bool reload_ok;
	char reload_msg[512];

	/* the kernel's table */
	bool verified;		/* a verify ran since the last apply */
	bool kernel_match;
	time_t verified_at;
	size_t drift;

	/* counter totals carried over reloads, by counter name */
	struct counter_total *base;
	size_t nbase;

	/* isolated interfaces (zonectl isolate; kept across reloads) */
	char **isolated;
	size_t nisolated;

	/* the control socket as started: a reload may not move it */
	char *ctl_socket;
	char *ctl_group;

	/* event loop */
	int epfd, sigfd, verify_fd, expire_fd;
	bool quit;
};

/* The result of loading a policy. */
struct load_result {
	struct diag diag;		/* lint findings */
	struct apply_errors kerr;	/* kernel errors, mapped to lines */
	char err[512];			/* anything else */
	int code;			/* CTL_OK, CTL_FAILED, CTL_RESTART ... */
};

void load_result_init(struct load_result *r);
void load_result_free(struct load_result *r);

/* engine.c */
int engine_load(struct zoned *z, const char *file, long uid, bool startup,
    struct load_result *r);
int engine_start(struct zoned *z);
/* Does the kernel have the nft_queue expression?  Sets z->queue_native. */
void engine_probe_queue(struct zoned *z);
int engine_fail_closed(struct zoned *z, const char *reason);
int engine_verify(struct zoned *z, struct canon *diff_out, bool timer);
int engine_counters(struct zoned *z,
    void (*fn)(const char *name, uint64_t pk, uint64_t by, void *), void *arg,
    char *err, size_t errlen);
void engine_schedule_expiry(struct zoned *z);
int engine_reapply(struct zoned *z, const char *why);
void engine_free(struct zoned *z);

/* neigh.c: permanent neighbour entries of pinned My Number hosts */
struct neigh *neigh_open(char *err, size_t errlen);
void neigh_close(struct neigh *n);
int neigh_fd(const struct neigh *n);
void neigh_sync(struct neigh *n, const struct policy *p);
void neigh_event(struct neigh *n, const struct policy *p);

/* control.c */
struct control *control_open(struct zoned *z, const char *path,
    const char *group, char *err, size_t errlen);
void control_close(struct control *c);
int control_fd(const struct control *c);
void control_accept(struct control *c);
void control_client_event(struct control *c, int fd, uint32_t events);
bool control_owns(const struct control *c, int fd);

/* the NFQUEUE listener as the policy wants it (zoned.c) */
void zoned_queue(struct zoned *z);

/* event loop registration (zoned.c) */
int zoned_watch(struct zoned *z, int fd);
void zoned_arm_verify(struct zoned *z, int interval);
int zoned_watch_events(struct zoned *z, int fd, uint32_t events);
void zoned_unwatch(struct zoned *z, int fd);

#endif
