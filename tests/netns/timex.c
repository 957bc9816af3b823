/*
 * timex — the kernel's clock state as adjtimex(2) reads it, for the tests
 * of `zonectl status`: one line "ret=N status=N esterror=N maxerror=N".
 * Read only (modes 0): no privilege needed.  Exit 2 when adjtimex fails.
 */
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>

int
main(void)
{
	struct timex tx;
	int ret;

	memset(&tx, 0, sizeof(tx));
	if ((ret = adjtimex(&tx)) < 0) {
		perror("timex: adjtimex");
		return 2;
	}
	printf("ret=%d status=%d esterror=%ld maxerror=%ld\n", ret, tx.status,
	    tx.esterror, tx.maxerror);
	return 0;
}
