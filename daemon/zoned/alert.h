/*
 * alert — the daemon's alerts (the monitor's and the second verdict's): a
 * bounded ring in memory for `zonectl alerts`, and pcap evidence files,
 * one per incident.  The daemon owns the ring and hands it to the modules
 * that raise alerts; every function takes NULL (no ring: alerts are only
 * logged).
 *
 * An alert goes to syslog at once.  Its frames go to EVIDENCE/NAME.pcap.part
 * while the incident lasts; when it ends (quiet for a few seconds, or the
 * file's cap is reached) the file is renamed to NAME.pcap and
 * event=evidence-closed carries its SHA-256.  The directory is kept under
 * monitor.evidence.max_bytes, oldest files first.  A file that cannot be
 * written (a full disk) is removed, its alert says why its evidence is
 * missing, and event=evidence-failed is logged once until a file is whole
 * again (event=evidence-resumed).
 */
#ifndef ZONED_ALERT_H
#define ZONED_ALERT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include <jansson.h>

#define ALERT_RING 1024		/* alerts kept in memory */
#define ALERT_QUIET_MS 5000	/* an incident ends after this quiet */
#define ALERT_FILE_MAX (1 << 20)	/* bytes of one evidence file */

struct alerts;
struct alert;

/* The ring, its evidence directory (made if absent) and its timer: every
 * second open files are flushed and quiet incidents closed. */
struct alerts *alerts_new(const char *dir, uint64_t max_bytes,
    uint32_t snaplen, char *err, size_t errlen);
void alerts_free(struct alerts *a);
/* The evidence directory (it belongs to the daemon's user). */
const char *alerts_dir(const struct alerts *a);

/*
 * Raise an alert: logs "event=KIND FIELDS" at LOG_ALERT, keeps it in the
 * ring, and opens its evidence file.  fields is key=value text; the same
 * facts go into the ring as JSON (fields_json is consumed).  Returns the
 * alert's id (never 0), by which frames are added: an id whose slot of the
 * ring has since gone to a newer alert takes no frames.
 */
uint64_t alerts_raise(struct alerts *a, const char *kind,
    const char *fields, json_t *fields_json, const struct timeval *ts,
    int linktype);

/* Add a frame to an alert's evidence (until the incident closes). */
void alerts_frame(struct alerts *a, uint64_t id, const struct timeval *ts,
    const uint8_t *frame, uint32_t caplen, uint32_t len);

/* Close incidents quiet for ALERT_QUIET_MS (now in ms, CLOCK_REALTIME). */
void alerts_tick(struct alerts *a, uint64_t now_ms);
/* Close every open incident (reload, stop). */
void alerts_close_all(struct alerts *a);

/* The alerts since t (0: all), oldest first, as a JSON array. */
json_t *alerts_json(const struct alerts *a, time_t since);

struct alerts_stats {
	uint64_t raised, evidence_files, evidence_bytes, removed;
	uint64_t evidence_failed;	/* alerts whose evidence is missing */
	unsigned open;
};
void alerts_stats(const struct alerts *a, struct alerts_stats *st);

#endif
