/*
 * Fuzz the qstate parsers: the first byte picks a record type (or the
 * snapshot loader), the rest is the record.  A stream of records is applied
 * to one model, so transitions are explored too, then the model is
 * snapshotted and reloaded, which must give back the same number of jobs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qstate.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qstate	*m, *m2;
	struct qrec	 r;
	void		*snap;
	size_t		 len, n;
	uint64_t	 lsn = 1;

	if (size < 1)
		return 0;
	m = qstate_new();
	if (data[0] == 0xff) {
		/* the whole input is a snapshot */
		(void)qstate_load(m, data + 1, size - 1);
	} else {
		/* [type u8][len u8][record] ... */
		data++;
		size--;
		while (size >= 2) {
			n = data[1];
			if (n > size - 2)
				n = size - 2;
			(void)qrec_decode(data[0], data + 2, n, &r);
			(void)qstate_apply(m, lsn++, data[0], data + 2, n);
			data += 2 + n;
			size -= 2 + n;
		}
	}
	qstate_recover_inflight(m);
	if (qstate_snapshot(m, &snap, &len) == 0) {
		m2 = qstate_new();
		if (qstate_load(m2, snap, len) != 0 ||
		    qstate_count(m2) != qstate_count(m))
			abort();
		qstate_free(m2);
		free(snap);
	}
	qstate_free(m);
	return 0;
}
