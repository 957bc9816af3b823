/*
 * zoned — the daemon's state: what runs (the policy, its classifier and the
 * table applied from it), the modules that serve it, and what operators
 * see in `zonectl status`.  Only main (zoned.c), the engine and the
 * control commands know it; every other module is handed what it needs.
 */
#ifndef ZONED_H
#define ZONED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "classify.h"
#include "counters.h"
#include "nftcanon.h"
#include "nftgen.h"
#include "policy.h"
#include "txn.h"

#define ZONED_DEFAULT_CONF "/etc/zoned/zoned.conf"
#define ZONED_DEFAULT_STATE "/var/lib/zoned"
#define ZONED_USER "zoned"

enum zoned_mode {
	MODE_NONE = 0,
	MODE_POLICY,		/* the policy file */
	MODE_LAST_GOOD,		/* the file failed at start: last-good */
	MODE_FAIL_CLOSED,	/* nothing loaded: every crossing denied */
};

struct alerts;
struct apply;
struct control;
struct event;
struct flowuse;
struct ha;
struct monitor;
struct neigh;
struct nflog;
struct verdict;

struct zoned {
	/* options */
	const char *conf;
	const char *state_dir;
	const char *sock_override;	/* -s: instead of control.socket */
	bool debug;

	time_t started;

	/* the modules; each registers its own events */
	struct apply *nl;
	struct neigh *neigh;
	struct control *ctl;
	struct alerts *alerts;	/* the alert ring, handed to monitor and
				 * verdict; NULL until a policy loads */
	struct monitor *mon;	/* NULL: monitoring off or failing closed */
	struct nflog *nflog;
	struct verdict *verdict;	/* enforce.mode "dual" */
	bool queue_native;	/* the kernel has nft_queue (else xt) */
	bool queue_failed;	/* dual mode, but the queue is not bound */
	struct ha *ha;		/* one node of a pair: the state keepalived
				 * reported (forward only as the master) */

	/* the engine's timers */
	struct event *verify_timer;	/* drift, every verify_interval */
	struct event *expire_timer;	/* the next flow to expire */
	struct event *queue_timer;	/* binding the queue again, every 1 s */
	struct event *retry_timer;	/* applying the running policy again
					 * after it failed (expiry, repair) */
	char retry_why[32];
	unsigned retries;

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
	 * sent to the last ACK; the whole load, from reading the file to
	 * the last ACK; incremental or the whole table (and why) */
	double build_ms, apply_ms, reload_ms;
	size_t apply_msgs, apply_bytes;
	bool apply_full;
	char apply_why[300];
	size_t apply_changes;	/* elements, counters and chains changed */
	struct txn_kernel kernel;	/* the generation zoned knows */

	bool last_good_failed;	/* the last good policy could not be kept */

	/* the last reload */
	time_t reload_at;
	bool reload_ok;
	char reload_msg[512];

	/* the kernel's table */
	bool verified;		/* a verify ran since the last apply */
	bool kernel_match;
	time_t verified_at;
	size_t drift;

	/* counter totals (but the flows') carried over replacements of the
	 * table; the flows' are in their usage records */
	struct counters base;
	struct flowuse *use;

	/* isolated interfaces (zonectl isolate; kept across reloads) */
	char **isolated;
	size_t nisolated;

	/* the control socket as started: a reload may not move it */
	char *ctl_socket;
	char *ctl_group;
};

#endif
