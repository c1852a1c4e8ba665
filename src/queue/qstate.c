/*
 * qstate — journal records for queue changes and the in-memory model of
 * live jobs that replay and snapshots are built on.  See qstate.h.
 *
 * The model is a hash map from job id to job, plus a list in journal
 * order.  A job keeps its place in that list for life — promotion,
 * retries and requeues do not move it — which is exactly the FIFO order
 * the shm queue keeps inside each priority, so restoring in list order
 * rebuilds every FIFO as it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "endian.h"
#include "qstate.h"
#include "u64map.h"
#include "xmalloc.h"

#define QJ_QUEUED_HDR	28	/* job, order, station, prio, pad, flags, len */
#define QJ_PRINTER_LEN	12	/* job, printer */
#define QJ_ERROR_HDR	14	/* job, printer, error length */
#define QJ_ID_LEN	8
#define QJ_FLAGS_LEN	16	/* job, set, clear */
#define QJ_TS_LEN	8	/* optional trailing time, unix ms */

#define SNAP_MAGIC	0x50414e53u	/* "SNAP" */
#define SNAP_HDR	16		/* magic, version, count */
#define SNAP_JOB_HDR	52

struct qjob {
	uint64_t	 job_id;
	uint64_t	 order_id;
	uint64_t	 seq;		/* LSN of its QUEUED record */
	uint16_t	 station;
	uint8_t		 prio;
	uint8_t		 state;
	uint32_t	 flags;
	uint32_t	 attempts;
	int32_t		 printer;
	int32_t		 avoid;
	uint32_t	 payload_len;
	void		*payload;
	struct qjob	*prev, *next;	/* journal order */
};

struct qstate {
	struct u64map	  jobs;
	struct qjob	 *head, *tail;
};

static struct qjob *qs_find(const struct qstate *, uint64_t);
static void	 qs_insert(struct qstate *, struct qjob *);
static void	 qs_remove(struct qstate *, struct qjob *);
static void	 qs_clear(struct qstate *);
static void	 qj_to_job(const struct qjob *, struct shmq_job *);

/* --- record encoding ---------------------------------------------------- */

size_t
qrec_size_max(size_t payload_len)
{
	return QJ_QUEUED_HDR + payload_len;
}

const char *
qrec_type_name(uint16_t type)
{
	switch (type) {
	case QREC_JOB_QUEUED:		return "job.queued";
	case QREC_JOB_CLAIMED:		return "job.claimed";
	case QREC_JOB_PRINTED:		return "job.printed";
	case QREC_JOB_RETRY:		return "job.retry";
	case QREC_JOB_FAILED:		return "job.failed";
	case QREC_JOB_URGENT:		return "job.urgent";
	case QREC_JOB_CANCELLED:	return "job.cancelled";
	case QREC_JOB_REQUEUED:		return "job.requeued";
	case QREC_JOB_CLEARED:		return "job.cleared";
	case QREC_JOB_FLAGS:		return "job.flags";
	default:
		return type >= QREC_DAEMON_BASE ? "daemon" : "unknown";
	}
}

ssize_t
qrec_encode(const struct qrec *r, void *buf, size_t buflen)
{
	uint8_t	*b = buf;
	size_t	 need;
	int	 ts;

	switch (r->type) {
	case QREC_JOB_QUEUED:
		if (r->prio >= SHMQ_NPRIO || (r->payload_len > 0 &&
		    r->payload == NULL)) {
			errno = EINVAL;
			return -1;
		}
		need = QJ_QUEUED_HDR + (size_t)r->payload_len;
		break;
	case QREC_JOB_CLAIMED:
	case QREC_JOB_PRINTED:
		need = QJ_PRINTER_LEN;
		break;
	case QREC_JOB_RETRY:
	case QREC_JOB_FAILED:
		if (r->error_len > QSTATE_ERR_MAX) {
			errno = EINVAL;
			return -1;
		}
		need = QJ_ERROR_HDR + r->error_len;
		break;
	case QREC_JOB_URGENT:
	case QREC_JOB_CANCELLED:
	case QREC_JOB_REQUEUED:
	case QREC_JOB_CLEARED:
		need = QJ_ID_LEN;
		break;
	case QREC_JOB_FLAGS:
		need = QJ_FLAGS_LEN;
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	/* every record about an existing job may say when it happened */
	if ((ts = r->type != QREC_JOB_QUEUED && r->ts_ms != 0))
		need += QJ_TS_LEN;
	if (need > buflen) {
		errno = EMSGSIZE;
		return -1;
	}
	le64_put(b, r->job_id);
	switch (r->type) {
	case QREC_JOB_QUEUED:
		le64_put(b + 8, r->order_id);
		le16_put(b + 16, r->station);
		b[18] = r->prio;
		b[19] = 0;
		le32_put(b + 20, r->flags);
		le32_put(b + 24, r->payload_len);
		if (r->payload_len > 0)
			memcpy(b + QJ_QUEUED_HDR, r->payload, r->payload_len);
		break;
	case QREC_JOB_CLAIMED:
	case QREC_JOB_PRINTED:
		le32_put(b + 8, (uint32_t)r->printer);
		break;
	case QREC_JOB_RETRY:
	case QREC_JOB_FAILED:
		le32_put(b + 8, (uint32_t)r->printer);
		le16_put(b + 12, r->error_len);
		if (r->error_len > 0)
			memcpy(b + QJ_ERROR_HDR, r->error, r->error_len);
		break;
	case QREC_JOB_FLAGS:
		le32_put(b + 8, r->flags);
		le32_put(b + 12, r->clear);
		break;
	}
	if (ts)
		le64_put(b + need - QJ_TS_LEN, r->ts_ms);
	return (ssize_t)need;
}

/* A record of n bytes, or of n and the time it happened after them. */
static int
sized(struct qrec *r, const uint8_t *b, size_t len, size_t n)
{
	if (len == n + QJ_TS_LEN) {
		r->ts_ms = le64_get(b + n);
		return 1;
	}
	return len == n;
}

int
qrec_decode(uint16_t type, const void *buf, size_t len, struct qrec *r)
{
	const uint8_t	*b = buf;

	memset(r, 0, sizeof(*r));
	r->type = type;
	r->printer = -1;
	if (len < QJ_ID_LEN)
		goto bad;
	r->job_id = le64_get(b);
	if (r->job_id == 0)
		goto bad;
	switch (type) {
	case QREC_JOB_QUEUED:
		if (len < QJ_QUEUED_HDR)
			goto bad;
		r->order_id = le64_get(b + 8);
		r->station = le16_get(b + 16);
		r->prio = b[18];
		r->flags = le32_get(b + 20);
		r->payload_len = le32_get(b + 24);
		if (r->prio >= SHMQ_NPRIO || b[19] != 0 ||
		    len != QJ_QUEUED_HDR + (size_t)r->payload_len)
			goto bad;
		r->payload = b + QJ_QUEUED_HDR;
		return 0;
	case QREC_JOB_CLAIMED:
	case QREC_JOB_PRINTED:
		if (!sized(r, b, len, QJ_PRINTER_LEN))
			goto bad;
		r->printer = (int32_t)le32_get(b + 8);
		return 0;
	case QREC_JOB_RETRY:
	case QREC_JOB_FAILED:
		if (len < QJ_ERROR_HDR)
			goto bad;
		r->printer = (int32_t)le32_get(b + 8);
		r->error_len = le16_get(b + 12);
		if (r->error_len > QSTATE_ERR_MAX ||
		    !sized(r, b, len, QJ_ERROR_HDR + (size_t)r->error_len))
			goto bad;
		r->error = (const char *)b + QJ_ERROR_HDR;
		return 0;
	case QREC_JOB_URGENT:
	case QREC_JOB_CANCELLED:
	case QREC_JOB_REQUEUED:
	case QREC_JOB_CLEARED:
		if (!sized(r, b, len, QJ_ID_LEN))
			goto bad;
		return 0;
	case QREC_JOB_FLAGS:
		if (!sized(r, b, len, QJ_FLAGS_LEN))
			goto bad;
		r->flags = le32_get(b + 8);
		r->clear = le32_get(b + 12);
		return 0;
	}
bad:
	errno = EINVAL;
	return -1;
}

/* --- the model ---------------------------------------------------------- */

struct qstate *
qstate_new(void)
{
	struct qstate	*qs;

	qs = xcalloc(1, sizeof(*qs));
	u64map_init(&qs->jobs);
	return qs;
}

static void
qs_clear(struct qstate *qs)
{
	struct qjob	*j, *next;

	for (j = qs->head; j != NULL; j = next) {
		next = j->next;
		free(j->payload);
		free(j);
	}
	u64map_clear(&qs->jobs);
	qs->head = qs->tail = NULL;
}

void
qstate_free(struct qstate *qs)
{
	if (qs == NULL)
		return;
	qs_clear(qs);
	u64map_fini(&qs->jobs);
	free(qs);
}

static struct qjob *
qs_find(const struct qstate *qs, uint64_t id)
{
	return u64map_get(&qs->jobs, id);
}

static void
qs_insert(struct qstate *qs, struct qjob *j)
{
	u64map_put(&qs->jobs, j->job_id, j);
	j->next = NULL;
	j->prev = qs->tail;
	if (qs->tail != NULL)
		qs->tail->next = j;
	else
		qs->head = j;
	qs->tail = j;
}

static void
qs_remove(struct qstate *qs, struct qjob *j)
{
	u64map_del(&qs->jobs, j->job_id);
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		qs->head = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	else
		qs->tail = j->prev;
	free(j->payload);
	free(j);
}

size_t
qstate_count(const struct qstate *qs)
{
	return qs->jobs.count;
}

int
qstate_apply(struct qstate *qs, uint64_t lsn, uint16_t type,
    const void *rec, size_t len)
{
	struct qrec	 r;
	struct qjob	*j;

	if (type >= QREC_DAEMON_BASE)
		return 0;
	if (qrec_decode(type, rec, len, &r) == -1)
		return -1;
	j = qs_find(qs, r.job_id);
	if (type == QREC_JOB_QUEUED) {
		if (j != NULL) {
			errno = EEXIST;
			return -1;
		}
		j = xcalloc(1, sizeof(*j));
		j->job_id = r.job_id;
		j->order_id = r.order_id;
		j->seq = lsn;
		j->station = r.station;
		j->prio = r.prio;
		j->state = SHMQ_PENDING;
		j->flags = r.flags;
		j->printer = -1;
		j->avoid = -1;
		j->payload_len = r.payload_len;
		if (r.payload_len > 0) {
			j->payload = xmalloc(r.payload_len);
			memcpy(j->payload, r.payload, r.payload_len);
		}
		qs_insert(qs, j);
		return 0;
	}
	if (j == NULL) {
		errno = ENOENT;
		return -1;
	}
	switch (type) {
	case QREC_JOB_CLAIMED:
		if (j->state != SHMQ_PENDING)
			goto busy;
		j->state = SHMQ_PROCESSING;
		j->attempts++;
		j->printer = r.printer;
		break;
	case QREC_JOB_PRINTED:
		if (j->state != SHMQ_PROCESSING)
			goto busy;
		qs_remove(qs, j);
		break;
	case QREC_JOB_RETRY:
		if (j->state != SHMQ_PROCESSING)
			goto busy;
		j->state = SHMQ_PENDING;
		j->avoid = r.printer;
		j->printer = -1;
		break;
	case QREC_JOB_FAILED:
		/* a pending job fails too when no printer can ever take it */
		if (j->state != SHMQ_PROCESSING && j->state != SHMQ_PENDING)
			goto busy;
		j->state = SHMQ_FAILED;
		j->printer = -1;
		break;
	case QREC_JOB_URGENT:
		if (j->state != SHMQ_PENDING)
			goto busy;
		j->prio = SHMQ_URGENT;
		break;
	case QREC_JOB_CANCELLED:
		if (j->state != SHMQ_PENDING && j->state != SHMQ_FAILED)
			goto busy;
		qs_remove(qs, j);
		break;
	case QREC_JOB_REQUEUED:
		if (j->state != SHMQ_FAILED)
			goto busy;
		j->state = SHMQ_PENDING;
		j->avoid = -1;
		break;
	case QREC_JOB_CLEARED:
		if (j->state != SHMQ_FAILED)
			goto busy;
		qs_remove(qs, j);
		break;
	case QREC_JOB_FLAGS:
		j->flags = (j->flags | r.flags) & ~r.clear;
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	return 0;
busy:
	errno = EBUSY;
	return -1;
}

static void
qj_to_job(const struct qjob *j, struct shmq_job *job)
{
	memset(job, 0, sizeof(*job));
	job->job_id = j->job_id;
	job->order_id = j->order_id;
	job->station = j->station;
	job->prio = j->prio;
	job->state = j->state;
	job->flags = j->flags;
	job->attempts = j->attempts;
	job->printer = j->printer;
	job->avoid_printer = j->avoid;
	job->owner = 0;
	job->payload_len = j->payload_len;
	job->payload = j->payload;
}

int
qstate_get(const struct qstate *qs, uint64_t job_id, struct shmq_job *job)
{
	struct qjob	*j;

	if ((j = qs_find(qs, job_id)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	qj_to_job(j, job);
	return 0;
}

int
qstate_foreach(const struct qstate *qs,
    int (*fn)(const struct shmq_job *, void *), void *arg)
{
	struct shmq_job	 job;
	struct qjob	*j;
	int		 rc;

	for (j = qs->head; j != NULL; j = j->next) {
		qj_to_job(j, &job);
		if ((rc = fn(&job, arg)) != 0)
			return rc;
	}
	return 0;
}

static void
recover(struct qjob *j)
{
	j->state = SHMQ_PENDING;
	j->flags |= SHMQ_F_REPRINT | SHMQ_F_MAYBE_PRINTED;
	j->printer = -1;
}

int
qstate_recover_inflight(struct qstate *qs)
{
	struct qjob	*j;
	int		 n = 0;

	for (j = qs->head; j != NULL; j = j->next) {
		if (j->state != SHMQ_PROCESSING)
			continue;
		recover(j);
		n++;
	}
	return n;
}

int
qstate_recover_job(struct qstate *qs, uint64_t job_id)
{
	struct qjob	*j;

	if ((j = qs_find(qs, job_id)) == NULL || j->state != SHMQ_PROCESSING) {
		errno = ENOENT;
		return -1;
	}
	recover(j);
	return 0;
}

int
qstate_restore(const struct qstate *qs, struct shmq *q)
{
	struct shmq_job	 job;
	struct shmq_ref	 ref;
	struct qjob	*j;

	for (j = qs->head; j != NULL; j = j->next) {
		qj_to_job(j, &job);
		if (job.state == SHMQ_PROCESSING) {
			/* caller skipped qstate_recover_inflight() */
			errno = EBUSY;
			return -1;
		}
		if (shmq_restore(q, &job, &ref) == -1)
			return -1;
	}
	return 0;
}

/* --- snapshots ----------------------------------------------------------- */

/*
 * Layout: magic, version, count (u64), then per job: id, order, seq (u64
 * each), station u16, prio u8, state u8, flags, attempts, printer, avoid,
 * payload length (u32 each), payload.  The journal wraps it with a CRC.
 */
int
qstate_snapshot(const struct qstate *qs, void **bufp, size_t *lenp)
{
	struct qjob	*j;
	uint8_t		*buf, *b;
	size_t		 len = SNAP_HDR;

	for (j = qs->head; j != NULL; j = j->next)
		len += SNAP_JOB_HDR + j->payload_len;
	b = buf = xmalloc(len);
	le32_put(b, SNAP_MAGIC);
	le32_put(b + 4, QSTATE_SNAP_VERSION);
	le64_put(b + 8, qs->jobs.count);
	b += SNAP_HDR;
	for (j = qs->head; j != NULL; j = j->next) {
		le64_put(b, j->job_id);
		le64_put(b + 8, j->order_id);
		le64_put(b + 16, j->seq);
		le16_put(b + 24, j->station);
		b[26] = j->prio;
		b[27] = j->state;
		le32_put(b + 28, j->flags);
		le32_put(b + 32, j->attempts);
		le32_put(b + 36, (uint32_t)j->printer);
		le32_put(b + 40, (uint32_t)j->avoid);
		le32_put(b + 44, j->payload_len);
		le32_put(b + 48, 0);
		if (j->payload_len > 0)
			memcpy(b + SNAP_JOB_HDR, j->payload, j->payload_len);
		b += SNAP_JOB_HDR + j->payload_len;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

/*
 * Parse into a fresh model and swap it in only when all of it is good: a
 * damaged snapshot leaves the model as it was.
 */
int
qstate_load(struct qstate *qs, const void *buf, size_t len)
{
	const uint8_t	*b = buf, *end = b + len;
	struct qstate	*tmp, swap;
	struct qjob	*j;
	uint64_t	 count, i, lastseq = 0;

	if (len < SNAP_HDR || le32_get(b) != SNAP_MAGIC) {
		errno = EINVAL;
		return -1;
	}
	if (le32_get(b + 4) > QSTATE_SNAP_VERSION) {
		errno = EPROTO;
		return -1;
	}
	count = le64_get(b + 8);
	tmp = qstate_new();
	b += SNAP_HDR;
	for (i = 0; i < count; i++) {
		if ((size_t)(end - b) < SNAP_JOB_HDR)
			goto bad;
		j = xcalloc(1, sizeof(*j));
		j->job_id = le64_get(b);
		j->order_id = le64_get(b + 8);
		j->seq = le64_get(b + 16);
		j->station = le16_get(b + 24);
		j->prio = b[26];
		j->state = b[27];
		j->flags = le32_get(b + 28);
		j->attempts = le32_get(b + 32);
		j->printer = (int32_t)le32_get(b + 36);
		j->avoid = (int32_t)le32_get(b + 40);
		j->payload_len = le32_get(b + 44);
		b += SNAP_JOB_HDR;
		if (j->job_id == 0 || j->prio >= SHMQ_NPRIO ||
		    j->state == SHMQ_FREE || j->state > SHMQ_FAILED ||
		    j->seq <= lastseq || qs_find(tmp, j->job_id) != NULL ||
		    (size_t)(end - b) < j->payload_len) {
			free(j);
			goto bad;
		}
		lastseq = j->seq;
		if (j->payload_len > 0) {
			j->payload = xmalloc(j->payload_len);
			memcpy(j->payload, b, j->payload_len);
			b += j->payload_len;
		}
		qs_insert(tmp, j);
	}
	if (b != end)
		goto bad;
	swap = *qs;
	*qs = *tmp;
	*tmp = swap;
	qstate_free(tmp);
	return 0;
bad:
	qstate_free(tmp);
	errno = EINVAL;
	return -1;
}
