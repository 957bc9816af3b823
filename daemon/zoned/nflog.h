/*
 * nflog — denied traffic from the ruleset's NFLOG group: event=denied lines
 * aggregated per source, reason and port over a window, at most a bounded
 * number of lines a window.  Registers its socket and window timer with
 * the event loop.
 */
#ifndef ZONED_NFLOG_H
#define ZONED_NFLOG_H

#include <stddef.h>

#include <jansson.h>

struct nflog;

struct nflog *nflog_open(int group, char *err, size_t errlen);
void nflog_close(struct nflog *n);
json_t *nflog_json(const struct nflog *n);
int nflog_group(const struct nflog *n);	/* -1 when none */

#endif
