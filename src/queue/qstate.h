/*
 * qstate — the queue as the journal knows it.
 *
 * The shared-memory queue is the fast, live copy; the journal is the truth
 * that survives a crash.  qstate sits between them: it defines the journal
 * record types for queue changes and their binary encoding, and keeps an
 * in-memory model of every live job that is updated exactly when a record
 * is journaled (or replayed).  Snapshots serialize the model, so a snapshot
 * taken at LSN L is the state after record L and nothing else — the shm
 * queue, which workers change under the daemon's feet, could not promise
 * that.
 *
 * Recovery: load the snapshot into a model, apply the later records, call
 * qstate_recover_inflight() (jobs that were being printed at the crash go
 * back to pending, marked to print as REIMPRESIÓN: nobody knows whether the
 * paper came out), then qstate_restore() into a fresh shm queue.
 *
 * Records with types >= QREC_DAEMON_BASE belong to the daemon (orders,
 * configuration events) and are ignored here.
 */
#ifndef FASTOPS_QSTATE_H
#define FASTOPS_QSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "shmq.h"

enum qrec_type {
	QREC_JOB_QUEUED = 1,	/* a new job, with its payload */
	QREC_JOB_CLAIMED = 2,	/* a printer's worker took it */
	QREC_JOB_PRINTED = 3,	/* done: the job leaves the queue */
	QREC_JOB_RETRY = 4,	/* an attempt failed; back to pending */
	QREC_JOB_FAILED = 5,	/* gave up: waits for retry or clear */
	QREC_JOB_URGENT = 6,	/* promoted to urgent */
	QREC_JOB_CANCELLED = 7,	/* removed before printing */
	QREC_JOB_REQUEUED = 8,	/* failed job sent back to pending */
	QREC_JOB_CLEARED = 9,	/* failed job removed by an admin */
	QREC_JOB_FLAGS = 10,	/* flags set/cleared (e.g. fallback) */
	QREC_DAEMON_BASE = 64,
};

#define QSTATE_SNAP_VERSION	1
#define QSTATE_ERR_MAX		(SHMQ_ERR_MAX - 1)

/* One record, decoded.  payload/error point into the record buffer. */
struct qrec {
	uint16_t	 type;
	uint64_t	 job_id;
	/* QUEUED */
	uint64_t	 order_id;
	uint16_t	 station;
	uint8_t		 prio;
	uint32_t	 flags;		/* QUEUED: initial; FLAGS: to set */
	uint32_t	 clear;		/* FLAGS: to clear */
	const void	*payload;
	uint32_t	 payload_len;
	/* CLAIMED, PRINTED, RETRY, FAILED */
	int32_t		 printer;
	const char	*error;		/* RETRY, FAILED; not NUL-terminated */
	uint16_t	 error_len;
	/* all but QUEUED, optional (0: not said): when, unix milliseconds */
	uint64_t	 ts_ms;
};

/*
 * Encode r into buf (size buflen).  Returns the encoded length, or -1 with
 * EMSGSIZE if it does not fit, EINVAL for an unknown type.
 */
ssize_t	qrec_encode(const struct qrec *r, void *buf, size_t buflen);
/* Decode; -1/EINVAL for a malformed record of a queue type. */
int	qrec_decode(uint16_t type, const void *buf, size_t len,
	    struct qrec *r);
/* Worst-case encoded size for a payload of n bytes. */
size_t	qrec_size_max(size_t payload_len);
const char *qrec_type_name(uint16_t type);

struct qstate;

struct qstate	*qstate_new(void);
void		 qstate_free(struct qstate *);
/*
 * Apply one journal record (raw, as stored).  seq orders new jobs: it must
 * grow from record to record (the LSN does; the daemon passes lsn << 8 | i
 * so that one of its records can queue several jobs).  Types >=
 * QREC_DAEMON_BASE are ignored.  -1 with EINVAL (malformed), ENOENT (unknown job), EEXIST
 * (job queued twice) or EBUSY (transition not allowed from its state);
 * the model is unchanged then.
 */
int		 qstate_apply(struct qstate *, uint64_t seq, uint16_t type,
		    const void *rec, size_t len);
/* Number of live jobs. */
size_t		 qstate_count(const struct qstate *);
/* Look a job up; fills job (payload points into the model). */
int		 qstate_get(const struct qstate *, uint64_t job_id,
		    struct shmq_job *job);
/* Call fn for each live job in FIFO (journal) order. */
int		 qstate_foreach(const struct qstate *,
		    int (*fn)(const struct shmq_job *, void *), void *arg);

/* Serialize the model; *buf is malloc'd, caller frees. */
int		 qstate_snapshot(const struct qstate *, void **buf,
		    size_t *len);
/* Replace the model's contents with a snapshot's; on -1 (EINVAL, EPROTO)
 * the model is left as it was. */
int		 qstate_load(struct qstate *, const void *buf, size_t len);

/* Processing jobs -> pending, flagged REPRINT|MAYBE_PRINTED.  Count. */
int		 qstate_recover_inflight(struct qstate *);
/*
 * The same for one job, on replay: a claim of a job the journal still
 * has as being printed means the daemon stopped and recovered it (which
 * the journal does not record) before it was claimed again.
 */
int		 qstate_recover_job(struct qstate *, uint64_t job_id);
/* Put every live job into an empty shm queue, in FIFO order. */
int		 qstate_restore(const struct qstate *, struct shmq *);

#endif
