/*
 * ctlproto — the control protocol between zoned and zonectl.
 *
 * A unix stream socket; one JSON object a line each way.  Request:
 *   {"cmd": "status", "args": {...}}
 * Answer:
 *   {"ok": true, "result": ...}
 *   {"ok": false, "code": N, "error": "text"}
 * The codes below are stable; zonectl turns them into text and exit codes.
 */
#ifndef ZONED_CTLPROTO_H
#define ZONED_CTLPROTO_H

#include <jansson.h>

#define CTL_MAX_REQUEST 65536	/* bytes a request line may have */

/* The commands ("cmd"), as zonectl sends them and zoned answers them. */
#define CTL_CMD_STATUS	"status"
#define CTL_CMD_ZONES	"zones"
#define CTL_CMD_FLOWS	"flows"
#define CTL_CMD_CHECK	"check"
#define CTL_CMD_VERIFY	"verify"
#define CTL_CMD_ALERTS	"alerts"
#define CTL_CMD_RELOAD	"reload"
#define CTL_CMD_HEALTH	"health"	/* can this node carry traffic? */
#define CTL_CMD_HA_STATE "ha-state"	/* keepalived's word, via ha-notify */

enum ctl_code {
	CTL_OK = 0,
	CTL_FAILED = 1,		/* the operation ran and failed (reload
				 * rejected, apply failed) */
	CTL_BAD_REQUEST = 2,	/* not JSON, missing or wrong arguments */
	CTL_DENIED = 3,		/* the caller may not do this */
	CTL_TOO_BIG = 4,	/* request over CTL_MAX_REQUEST */
	CTL_UNKNOWN = 5,	/* no such command */
	CTL_INTERNAL = 6,	/* out of memory, kernel unreachable */
	CTL_RESTART = 7,	/* the change needs a restart of zoned */
	CTL_BUSY = 8,		/* no client slot for the caller now, or its
				 * request took too long: try again */
};

static inline const char *
ctl_code_str(int code)
{
	switch (code) {
	case CTL_OK: return "ok";
	case CTL_FAILED: return "failed";
	case CTL_BAD_REQUEST: return "bad request";
	case CTL_DENIED: return "permission denied";
	case CTL_TOO_BIG: return "request too big";
	case CTL_UNKNOWN: return "unknown command";
	case CTL_INTERNAL: return "internal error";
	case CTL_RESTART: return "restart required";
	case CTL_BUSY: return "busy";
	}
	return "error";
}

/* An error answer {"ok": false, "code": N, "error": msg[, "detail": d]};
 * detail is consumed.  A message that is not UTF-8 (jansson's parse
 * error quotes the bytes of the request near the error) is sent with its
 * bytes past ASCII as '?', not dropped with the answer. */
static inline json_t *
ctl_error_answer(int code, const char *msg, json_t *detail)
{
	json_t *a = json_pack("{s:b, s:i, s:s}", "ok", 0, "code", code,
	    "error", msg);

	if (a == NULL && msg != NULL) {
		char ascii[512];
		size_t i;

		for (i = 0; msg[i] != '\0' && i < sizeof(ascii) - 1; i++)
			ascii[i] = (unsigned char)msg[i] < 0x80 ? msg[i] : '?';
		ascii[i] = '\0';
		a = json_pack("{s:b, s:i, s:s}", "ok", 0, "code", code,
		    "error", ascii);
	}

	if (a && detail)
		json_object_set_new(a, "detail", detail);
	else
		json_decref(detail);
	return a;
}

#endif
