/*
 * report_journal — the change journal in the report (作業記録): the file
 * read whole, its hash chain checked by the code the daemon writes it with
 * (lib/journal.c), its entries at or after --since listed, and the drift
 * the daemon found in that period put on the self-inspection list.  A
 * broken chain shows as 改ざんの疑い with its first bad entry; no file
 * yet is 未記録, not an error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "journal.h"
#include "report.h"

/* Each well-formed entry of buf at or after since, with its hash. */
static json_t *
entries(const char *buf, size_t len, time_t since)
{
	const char *p = buf, *end = buf + len;
	json_t *list = json_array();

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char hash[JOURNAL_HASH_LEN + 1];
		json_t *e = journal_parse(p, n, hash);
		time_t t;

		if (e != NULL && (since == 0 || (conf_parse_time(
		    json_string_value(json_object_get(e, "time")) ?: "", &t) ==
		    0 && t >= since))) {
			json_object_set_new(e, "hash", json_string(hash));
			json_array_append(list, e);
		}
		json_decref(e);
		p = nl ? nl + 1 : end;
	}
	return list;
}

void
report_journal_fill(json_t *m, const char *path, time_t since)
{
	struct journal_check c;
	char err[512], *buf;
	size_t len = 0;
	json_t *j;

	if ((buf = report_read_file(path, &len, err, sizeof(err))) == NULL) {
		json_object_set_new(m, "journal", json_pack("{s:s, s:s, s:o}",
		    "state", errno == ENOENT ? "unrecorded" : "unavailable",
		    "file", path, "why", report_text(err)));
		return;
	}
	journal_verify(buf, len, &c);
	j = json_pack("{s:s, s:o, s:b, s:o, s:I, s:I, s:I, s:I, s:s, s:o}",
	    "state", "recorded", "file", report_text(path),
	    "intact", c.line == 0,
	    "message", report_text(c.line ? c.msg : ""),
	    "first_bad_line", (json_int_t)c.line,
	    "first_bad_seq", (json_int_t)(c.line ? c.seq : 0),
	    "intact_entries", (json_int_t)c.entries,
	    "last_seq", (json_int_t)c.last_seq, "last_hash", c.last_hash,
	    "entries", entries(buf, len, since));
	json_object_set_new(j, "total", json_integer((json_int_t)
	    json_array_size(json_object_get(j, "entries"))));
	json_object_set_new(m, "journal", j);
	free(buf);
}
