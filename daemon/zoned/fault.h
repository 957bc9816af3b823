/*
 * fault — fault injection for the tests, in test builds only
 * (ZONED_TESTING): a point of the daemon where the system may fail asks
 * fault_errno() whether a test wants it to, and fails as the system would,
 * with that errno.  The file named by $ZONED_FAULT_FILE holds the faults
 * in force, one a line, "POINT ERRNO":
 *
 *   netlink-send ENOBUFS	the nf_tables transaction's sendmsg (apply.c)
 *   verdict-send ENOBUFS	the sendmsg of the queue's verdicts (verdict.c)
 *   evidence-write ENOSPC	a write of an evidence file (alert.c)
 *   state-write ENOSPC		the last good policy in the state directory
 *   queue-bind EPERM		binding the NFQUEUE of the second verdict
 *
 * The file is read again at every point, so a test makes a fault come and
 * go while the daemon runs.  In a release build fault_errno() is 0 and
 * compiled away.  (The nf_tables emitter has a fault of its own, for a
 * batch the kernel refuses: ZONED_FAULT=element:FLOW in lib/nftemit.c.)
 */
#ifndef ZONED_FAULT_H
#define ZONED_FAULT_H

#ifdef ZONED_TESTING
/* The errno a test wants point to fail with, 0 for none. */
int fault_errno(const char *point);
#else
static inline int
fault_errno(const char *point)
{
	(void)point;
	return 0;
}
#endif

#endif
