/*
 * qstate: record encoding, the model's transitions, snapshots, and the
 * property the whole core exists for — replaying the journal (snapshot +
 * records) rebuilds the shm queue exactly as it was, including the service
 * order, and everything acknowledged survives a SIGKILL of the writer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "journal.h"
#include "qstate.h"
#include "shmq.h"

#define NSTATIONS	3
#define NPRINTERS	5	/* cocina: 0,1  bar: 2,3  postres: 4 */

static const char *stations[NSTATIONS] = { "cocina", "bar", "postres" };
static const uint16_t pstation[NPRINTERS] = { 0, 0, 1, 1, 2 };

static int	 instance_seq;

static struct shmq *
make_queue(uint32_t nslots)
{
	struct shmq_params	 p;
	struct shmq		*q;
	char			 name[64];
	uint32_t		 i;

	memset(&p, 0, sizeof(p));
	snprintf(name, sizeof(name), "qstate-test-%d-%d", (int)getpid(),
	    instance_seq++);
	p.instance = name;
	p.nslots = nslots;
	p.payload_max = 512;
	p.low_max_wait_ns = UINT64_MAX / 4;	/* no aging: order is exact */
	p.nstations = NSTATIONS;
	for (i = 0; i < NSTATIONS; i++)
		p.stations[i] = stations[i];
	p.nprinters = NPRINTERS;
	for (i = 0; i < NPRINTERS; i++) {
		static const char *pn[NPRINTERS] =
		    { "c1", "c2", "b1", "b2", "p1" };
		p.printers[i] = pn[i];
		p.printer_station[i] = pstation[i];
	}
	assert_int_equal(shmq_create(&p, &q), 0);
	return q;
}

static char *
make_dir(void)
{
	char	*d = strdup("/tmp/qstate-test.XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static void
remove_dir(char *d)
{
	char	cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
	free(d);
}

/* --- encoding ------------------------------------------------------------ */

static void
test_encode_roundtrip(void **state)
{
	uint8_t		buf[600];
	struct qrec	r, d;
	ssize_t		n;
	uint16_t	t;

	memset(&r, 0, sizeof(r));
	r.type = QREC_JOB_QUEUED;
	r.job_id = 42;
	r.order_id = 7;
	r.station = 2;
	r.prio = SHMQ_LOW;
	r.flags = SHMQ_F_REPRINT;
	r.payload = "MESA 5\n2x Paella";
	r.payload_len = 16;
	n = qrec_encode(&r, buf, sizeof(buf));
	assert_true(n == 28 + 16);
	assert_int_equal(qrec_decode(QREC_JOB_QUEUED, buf, (size_t)n, &d), 0);
	assert_int_equal(d.job_id, 42);
	assert_int_equal(d.order_id, 7);
	assert_int_equal(d.station, 2);
	assert_int_equal(d.prio, SHMQ_LOW);
	assert_int_equal(d.flags, SHMQ_F_REPRINT);
	assert_int_equal(d.payload_len, 16);
	assert_memory_equal(d.payload, "MESA 5\n2x Paella", 16);

	/* every truncation of a valid record is refused, never misread */
	for (size_t cut = 0; cut < (size_t)n; cut++)
		assert_int_equal(qrec_decode(QREC_JOB_QUEUED, buf, cut, &d),
		    -1);
	/* bad priority */
	buf[18] = 3;
	assert_int_equal(qrec_decode(QREC_JOB_QUEUED, buf, (size_t)n, &d), -1);
	assert_int_equal(errno, EINVAL);

	memset(&r, 0, sizeof(r));
	r.type = QREC_JOB_FAILED;
	r.job_id = 9;
	r.printer = 3;
	r.error = "sin papel";
	r.error_len = 9;
	n = qrec_encode(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(qrec_decode(QREC_JOB_FAILED, buf, (size_t)n, &d), 0);
	assert_int_equal(d.printer, 3);
	assert_int_equal(d.error_len, 9);
	assert_memory_equal(d.error, "sin papel", 9);

	/* too small a buffer, unknown type, id 0 */
	assert_int_equal(qrec_encode(&r, buf, 5), -1);
	assert_int_equal(errno, EMSGSIZE);
	r.type = 33;
	assert_int_equal(qrec_encode(&r, buf, sizeof(buf)), -1);
	memset(buf, 0, 8);
	assert_int_equal(qrec_decode(QREC_JOB_URGENT, buf, 8, &d), -1);
	for (t = QREC_JOB_QUEUED; t <= QREC_JOB_FLAGS; t++)
		assert_string_not_equal(qrec_type_name(t), "unknown");
}

/*
 * Records about an existing job may carry the time they happened as 8
 * trailing bytes.  Journals written before that must still replay, so a
 * record without them decodes as before, and anything else in between is
 * damage, not a shorter or longer time.
 */
static void
test_encode_timestamps(void **state)
{
	static const struct {
		uint16_t	type;
		size_t		len;	/* encoded without a time */
	} types[] = {
		{ QREC_JOB_CLAIMED,	12 },
		{ QREC_JOB_PRINTED,	12 },
		{ QREC_JOB_RETRY,	14 + 12 },
		{ QREC_JOB_FAILED,	14 + 12 },
		{ QREC_JOB_URGENT,	8 },
		{ QREC_JOB_CANCELLED,	8 },
		{ QREC_JOB_REQUEUED,	8 },
		{ QREC_JOB_CLEARED,	8 },
		{ QREC_JOB_FLAGS,	16 },
	};
	static const uint64_t	 when[] = { 0, 1795346363642ULL };
	uint8_t			 buf[128], plain[128];
	struct qrec		 r, d;
	ssize_t			 n, m;
	size_t			 i, k, want;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		for (k = 0; k < 2; k++) {
			memset(&r, 0, sizeof(r));
			r.type = types[i].type;
			r.job_id = 0x0102030405060708ULL + i;
			r.printer = -1;
			if (r.type == QREC_JOB_CLAIMED ||
			    r.type == QREC_JOB_PRINTED ||
			    r.type == QREC_JOB_RETRY ||
			    r.type == QREC_JOB_FAILED)
				r.printer = 3;
			if (r.type == QREC_JOB_RETRY ||
			    r.type == QREC_JOB_FAILED) {
				r.error = "tapa abierta";
				r.error_len = 12;
			}
			if (r.type == QREC_JOB_FLAGS) {
				r.flags = SHMQ_F_FALLBACK;
				r.clear = SHMQ_F_REPRINT;
			}
			r.ts_ms = when[k];
			want = types[i].len + (k ? 8 : 0);
			n = qrec_encode(&r, buf, sizeof(buf));
			assert_int_equal(n, (ssize_t)want);
			assert_int_equal(qrec_decode(r.type, buf, (size_t)n,
			    &d), 0);
			assert_int_equal(d.type, r.type);
			assert_int_equal(d.job_id, r.job_id);
			assert_int_equal(d.ts_ms, when[k]);
			assert_int_equal(d.printer, r.printer);
			assert_int_equal(d.flags, r.flags);
			assert_int_equal(d.clear, r.clear);
			assert_int_equal(d.error_len, r.error_len);
			if (r.error_len > 0)
				assert_memory_equal(d.error, "tapa abierta",
				    12);
			if (k == 0)
				continue;
			/* the time is the last 8 bytes, little-endian */
			assert_int_equal(buf[want - 8], 0xfa);
			assert_int_equal(buf[want - 1], 0);
			/* neither the old length nor old + 8: refused */
			memset(buf + want, 0, 1);
			assert_int_equal(qrec_decode(r.type, buf,
			    types[i].len + 4, &d), -1);
			assert_int_equal(errno, EINVAL);
			assert_int_equal(qrec_decode(r.type, buf,
			    types[i].len + 9, &d), -1);
			assert_int_equal(errno, EINVAL);
		}
	}

	/* a new job says when through its order, not here: no time */
	memset(&r, 0, sizeof(r));
	r.type = QREC_JOB_QUEUED;
	r.job_id = 42;
	r.order_id = 7;
	r.prio = SHMQ_NORMAL;
	r.payload = "MESA 5";
	r.payload_len = 6;
	m = qrec_encode(&r, plain, sizeof(plain));
	assert_int_equal(m, 28 + 6);
	r.ts_ms = when[1];
	n = qrec_encode(&r, buf, sizeof(buf));
	assert_int_equal(n, m);
	assert_memory_equal(buf, plain, (size_t)m);
	assert_int_equal(qrec_decode(QREC_JOB_QUEUED, buf, (size_t)n, &d), 0);
	assert_int_equal(d.ts_ms, 0);
}

/* --- a little "daemon": every change goes to shm, journal and model ------ */

struct rig {
	struct shmq	*q;
	struct journal	*j;
	struct qstate	*model;
	uint64_t	 next_id;
};

static void
rig_log(struct rig *rg, const struct qrec *r)
{
	uint8_t		buf[1024];
	uint64_t	lsn;
	ssize_t		n;

	n = qrec_encode(r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(journal_append(rg->j, r->type, buf, (size_t)n, &lsn),
	    0);
	assert_int_equal(qstate_apply(rg->model, lsn, r->type, buf,
	    (size_t)n), 0);
}

static void
rig_enqueue(struct rig *rg, uint16_t station, uint8_t prio)
{
	struct shmq_job	job;
	struct shmq_ref	ref;
	struct qrec	r;
	char		text[128];
	int		len;

	len = snprintf(text, sizeof(text), "job %llu st %u pr %u ñandú",
	    (unsigned long long)rg->next_id, station, prio);
	memset(&job, 0, sizeof(job));
	job.job_id = rg->next_id++;
	job.order_id = job.job_id / 3 + 1;
	job.station = station;
	job.prio = prio;
	job.avoid_printer = -1;
	job.payload = text;
	job.payload_len = (uint32_t)len;
	assert_int_equal(shmq_enqueue(rg->q, &job, &ref), 0);
	memset(&r, 0, sizeof(r));
	r.type = QREC_JOB_QUEUED;
	r.job_id = job.job_id;
	r.order_id = job.order_id;
	r.station = station;
	r.prio = prio;
	r.payload = text;
	r.payload_len = job.payload_len;
	rig_log(rg, &r);
}

/* Claim for printer p and journal it; 0 when there was nothing. */
static uint64_t
rig_claim(struct rig *rg, uint32_t p)
{
	struct shmq_job	job;
	struct shmq_ref	ref;
	struct qrec	r;
	char		buf[512];

	if (shmq_claim(rg->q, p, &job, buf, sizeof(buf), &ref) == -1) {
		assert_true(errno == EAGAIN || errno == EPERM);
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.type = QREC_JOB_CLAIMED;
	r.job_id = job.job_id;
	r.printer = (int32_t)p;
	rig_log(rg, &r);
	return job.job_id;
}

/* Finish a processing job: printed, retried or given up. */
static void
rig_finish(struct rig *rg, uint64_t id, int how)
{
	struct shmq_job	job;
	struct shmq_ref	ref;
	struct qrec	r;

	assert_int_equal(shmq_find(rg->q, id, &ref), 0);
	assert_int_equal(qstate_get(rg->model, id, &job), 0);
	memset(&r, 0, sizeof(r));
	r.job_id = id;
	r.printer = job.printer;
	switch (how) {
	case 0:
		assert_int_equal(shmq_complete(rg->q, &ref), 0);
		r.type = QREC_JOB_PRINTED;
		break;
	case 1:
		assert_int_equal(shmq_fail(rg->q, &ref, 0, "tapa abierta"), 0);
		r.type = QREC_JOB_RETRY;
		r.error = "tapa abierta";
		r.error_len = 12;
		break;
	default:
		assert_int_equal(shmq_fail(rg->q, &ref, 1, "sin papel"), 0);
		r.type = QREC_JOB_FAILED;
		r.error = "sin papel";
		r.error_len = 9;
		break;
	}
	rig_log(rg, &r);
}

/* An admin-side change to the job with this id, if it allows it. */
static void
rig_admin(struct rig *rg, uint64_t id, int what)
{
	struct shmq_job	job;
	struct shmq_ref	ref;
	struct qrec	r;

	if (qstate_get(rg->model, id, &job) == -1)
		return;
	assert_int_equal(shmq_find(rg->q, id, &ref), 0);
	memset(&r, 0, sizeof(r));
	r.job_id = id;
	if (what == 0 && job.state == SHMQ_PENDING) {
		assert_int_equal(shmq_promote(rg->q, &ref), 0);
		r.type = QREC_JOB_URGENT;
	} else if (what == 1 && (job.state == SHMQ_PENDING ||
	    job.state == SHMQ_FAILED)) {
		assert_int_equal(shmq_cancel(rg->q, &ref), 0);
		r.type = QREC_JOB_CANCELLED;
	} else if (what == 2 && job.state == SHMQ_FAILED) {
		assert_int_equal(shmq_retry(rg->q, &ref), 0);
		r.type = QREC_JOB_REQUEUED;
	} else if (what == 3 && job.state == SHMQ_FAILED) {
		assert_int_equal(shmq_clear(rg->q, &ref), 0);
		r.type = QREC_JOB_CLEARED;
	} else if (what == 4) {
		assert_int_equal(shmq_set_flags(rg->q, &ref, SHMQ_F_FALLBACK,
		    0), 0);
		r.type = QREC_JOB_FLAGS;
		r.flags = SHMQ_F_FALLBACK;
	} else
		return;
	rig_log(rg, &r);
}

struct collected {
	struct shmq_job	 job[4096];
	char		 payload[4096][128];
	int		 n;
};

static int
collect(const struct shmq_job *job, void *arg)
{
	struct collected	*c = arg;

	assert_true(c->n < 4096);
	assert_true(job->payload_len < 128);
	c->job[c->n] = *job;
	memcpy(c->payload[c->n], job->payload, job->payload_len);
	c->job[c->n].payload = c->payload[c->n];
	c->n++;
	return 0;
}

static int
cmp_id(const void *a, const void *b)
{
	const struct shmq_job	*x = a, *y = b;

	return x->job_id < y->job_id ? -1 : x->job_id > y->job_id;
}

static int
snap_cb(uint64_t lsn, const void *data, size_t len, void *arg)
{
	return qstate_load(arg, data, len);
}

static int
rec_cb(uint64_t lsn, uint16_t type, const void *p, size_t len, void *arg)
{
	return qstate_apply(arg, lsn, type, p, len);
}

/*
 * Run a random workload through the rig, snapshot in the middle, then
 * rebuild a second queue from the journal alone and compare: same jobs
 * with the same fields and payloads, and the same service order for every
 * printer.
 */
static void
test_replay_exact(void **state)
{
	struct rig		 rg;
	struct journal_opts	 opts;
	struct journal_recovery	 rec;
	struct journal		*j2;
	struct qstate		*m2;
	struct shmq		*q2;
	static struct collected	 a, b;
	uint64_t		 inflight[64], id;
	int			 ninflight = 0, i, k, op;
	char			*dir = make_dir();
	void			*snap;
	size_t			 snaplen;

	srandom(1234);
	memset(&rg, 0, sizeof(rg));
	memset(&opts, 0, sizeof(opts));
	opts.fsync = JOURNAL_FSYNC_OFF;
	opts.segment_size = 64 * 1024;	/* several segments */
	rg.q = make_queue(2048);
	rg.model = qstate_new();
	rg.next_id = 1;
	assert_int_equal(journal_open(dir, &opts, NULL, NULL, NULL, &rg.j,
	    &rec), 0);

	for (i = 0; i < 6000; i++) {
		op = (int)(random() % 100);
		if (op < 45)
			rig_enqueue(&rg, (uint16_t)(random() % NSTATIONS),
			    (uint8_t)(random() % SHMQ_NPRIO));
		else if (op < 70 && ninflight < 64) {
			if ((id = rig_claim(&rg, (uint32_t)(random() %
			    NPRINTERS))) != 0)
				inflight[ninflight++] = id;
		} else if (op < 88 && ninflight > 0) {
			k = (int)(random() % ninflight);
			rig_finish(&rg, inflight[k], (int)(random() % 10) < 7 ?
			    0 : (int)(random() % 2) + 1);
			inflight[k] = inflight[--ninflight];
		} else if (rg.next_id > 1)
			rig_admin(&rg, (uint64_t)(random() %
			    (long)(rg.next_id - 1)) + 1, (int)(random() % 5));
		if (i == 3000) {
			assert_int_equal(qstate_snapshot(rg.model, &snap,
			    &snaplen), 0);
			assert_int_equal(journal_snapshot(rg.j,
			    journal_last_lsn(rg.j), snap, snaplen), 0);
			free(snap);
		}
	}
	/* settle in-flight jobs so service orders can be compared */
	while (ninflight > 0)
		rig_finish(&rg, inflight[--ninflight], 0);
	assert_true(qstate_count(rg.model) > 100);
	journal_close(rg.j);

	/* rebuild from the journal alone */
	m2 = qstate_new();
	assert_int_equal(journal_open(dir, &opts, snap_cb, rec_cb, m2, &j2,
	    &rec), 0);
	assert_true(rec.snapshot_lsn > 0);
	assert_int_equal(qstate_recover_inflight(m2), 0);
	q2 = make_queue(2048);
	assert_int_equal(qstate_restore(m2, q2), 0);
	assert_int_equal(shmq_check(q2), 0);

	a.n = b.n = 0;
	assert_int_equal(shmq_foreach(rg.q, collect, &a), 0);
	assert_int_equal(shmq_foreach(q2, collect, &b), 0);
	assert_int_equal(a.n, (int)qstate_count(rg.model));
	assert_int_equal(a.n, b.n);
	qsort(a.job, (size_t)a.n, sizeof(a.job[0]), cmp_id);
	qsort(b.job, (size_t)b.n, sizeof(b.job[0]), cmp_id);
	for (i = 0; i < a.n; i++) {
		assert_int_equal(a.job[i].job_id, b.job[i].job_id);
		assert_int_equal(a.job[i].order_id, b.job[i].order_id);
		assert_int_equal(a.job[i].station, b.job[i].station);
		assert_int_equal(a.job[i].prio, b.job[i].prio);
		assert_int_equal(a.job[i].state, b.job[i].state);
		assert_int_equal(a.job[i].flags, b.job[i].flags);
		assert_int_equal(a.job[i].attempts, b.job[i].attempts);
		assert_int_equal(a.job[i].avoid_printer,
		    b.job[i].avoid_printer);
		assert_int_equal(a.job[i].payload_len, b.job[i].payload_len);
		assert_memory_equal(a.job[i].payload, b.job[i].payload,
		    a.job[i].payload_len);
	}

	/* the same printers take the same jobs in the same order */
	for (k = 0; k < NPRINTERS; k++) {
		uint64_t	x, y;

		do {
			struct shmq_job	ja, jb;
			struct shmq_ref	ra, rb;
			char		ba[512], bb[512];
			int		ea, eb;

			ea = shmq_claim(rg.q, (uint32_t)k, &ja, ba, sizeof(ba),
			    &ra);
			eb = shmq_claim(q2, (uint32_t)k, &jb, bb, sizeof(bb),
			    &rb);
			assert_int_equal(ea, eb);
			x = ea == 0 ? ja.job_id : 0;
			y = eb == 0 ? jb.job_id : 0;
			assert_int_equal(x, y);
			if (ea == 0) {
				assert_int_equal(shmq_complete(rg.q, &ra), 0);
				assert_int_equal(shmq_complete(q2, &rb), 0);
			}
		} while (x != 0);
	}

	journal_close(j2);
	qstate_free(m2);
	qstate_free(rg.model);
	shmq_destroy(rg.q);
	shmq_destroy(q2);
	remove_dir(dir);
}

/* Jobs being printed at the crash come back pending, marked REIMPRESIÓN. */
static void
test_recover_inflight(void **state)
{
	struct rig		 rg;
	struct journal_opts	 opts;
	struct journal_recovery	 rec;
	struct journal		*j2;
	struct qstate		*m2;
	struct shmq		*q2;
	struct shmq_job		 job;
	struct shmq_ref		 ref;
	char			*dir = make_dir(), buf[512];
	uint64_t		 id;

	memset(&rg, 0, sizeof(rg));
	memset(&opts, 0, sizeof(opts));
	opts.fsync = JOURNAL_FSYNC_GROUP;
	rg.q = make_queue(64);
	rg.model = qstate_new();
	rg.next_id = 1;
	assert_int_equal(journal_open(dir, &opts, NULL, NULL, NULL, &rg.j,
	    &rec), 0);
	rig_enqueue(&rg, 0, SHMQ_NORMAL);
	rig_enqueue(&rg, 0, SHMQ_NORMAL);
	id = rig_claim(&rg, 0);
	assert_int_equal(id, 1);
	journal_close(rg.j);	/* "crash" with job 1 on the printer */

	m2 = qstate_new();
	assert_int_equal(journal_open(dir, &opts, snap_cb, rec_cb, m2, &j2,
	    &rec), 0);
	assert_int_equal(rec.records, 3);
	assert_int_equal(qstate_recover_inflight(m2), 1);
	q2 = make_queue(64);
	assert_int_equal(qstate_restore(m2, q2), 0);
	assert_int_equal(shmq_claim(q2, 1, &job, buf, sizeof(buf), &ref), 0);
	assert_int_equal(job.job_id, 1);	/* keeps its place: first */
	assert_true(job.flags & SHMQ_F_REPRINT);
	assert_true(job.flags & SHMQ_F_MAYBE_PRINTED);
	assert_int_equal(job.attempts, 2);
	assert_int_equal(shmq_claim(q2, 1, &job, buf, sizeof(buf), &ref), 0);
	assert_int_equal(job.job_id, 2);
	assert_false(job.flags & SHMQ_F_REPRINT);

	journal_close(j2);
	qstate_free(m2);
	qstate_free(rg.model);
	shmq_destroy(rg.q);
	shmq_destroy(q2);
	remove_dir(dir);
}

/* Model transitions refuse what the queue would refuse, changing nothing. */
static void
test_model_transitions(void **state)
{
	struct qstate	*m = qstate_new();
	struct qrec	 r;
	struct shmq_job	 job;
	uint8_t		 buf[128];
	ssize_t		 n;
	uint64_t	 id, lsn = 1;

	/* 3000 jobs, every other removed: exercises growth and deletion */
	for (id = 1; id <= 3000; id++) {
		memset(&r, 0, sizeof(r));
		r.type = QREC_JOB_QUEUED;
		r.job_id = id;
		r.prio = SHMQ_NORMAL;
		n = qrec_encode(&r, buf, sizeof(buf));
		assert_int_equal(qstate_apply(m, lsn++, r.type, buf,
		    (size_t)n), 0);
	}
	assert_int_equal(qstate_apply(m, lsn++, QREC_JOB_QUEUED, buf,
	    (size_t)n), -1);
	assert_int_equal(errno, EEXIST);
	for (id = 2; id <= 3000; id += 2) {
		memset(&r, 0, sizeof(r));
		r.type = QREC_JOB_CANCELLED;
		r.job_id = id;
		n = qrec_encode(&r, buf, sizeof(buf));
		assert_int_equal(qstate_apply(m, lsn++, r.type, buf,
		    (size_t)n), 0);
	}
	assert_int_equal(qstate_count(m), 1500);
	for (id = 1; id <= 3000; id++)
		assert_int_equal(qstate_get(m, id, &job), id % 2 ? 0 : -1);

	/* printed before claimed: EBUSY; unknown job: ENOENT */
	memset(&r, 0, sizeof(r));
	r.type = QREC_JOB_PRINTED;
	r.job_id = 1;
	n = qrec_encode(&r, buf, sizeof(buf));
	assert_int_equal(qstate_apply(m, lsn++, r.type, buf, (size_t)n), -1);
	assert_int_equal(errno, EBUSY);
	r.job_id = 2;
	n = qrec_encode(&r, buf, sizeof(buf));
	assert_int_equal(qstate_apply(m, lsn++, r.type, buf, (size_t)n), -1);
	assert_int_equal(errno, ENOENT);
	/* daemon records pass through untouched */
	assert_int_equal(qstate_apply(m, lsn++, QREC_DAEMON_BASE + 1, "x", 1),
	    0);
	assert_int_equal(qstate_count(m), 1500);
	qstate_free(m);
}

/* Encode r and apply it to the model as record lsn. */
static int
model_apply(struct qstate *m, uint64_t lsn, const struct qrec *r)
{
	uint8_t	buf[128];
	ssize_t	n;

	n = qrec_encode(r, buf, sizeof(buf));
	assert_true(n > 0);
	return qstate_apply(m, lsn, r->type, buf, (size_t)n);
}

/* Whether the model is byte for byte what snapshot (snap, len) holds. */
static int
model_is(const struct qstate *m, const void *snap, size_t len)
{
	void	*now;
	size_t	 nowlen;
	int	 same;

	assert_int_equal(qstate_snapshot(m, &now, &nowlen), 0);
	same = nowlen == len && memcmp(now, snap, len) == 0;
	free(now);
	return same;
}

/*
 * The daemon recovers a job it finds being printed at start-up without
 * journaling that, so on replay the job's next claim meets a job the model
 * still has as claimed.  qstate_recover_job() is the step replay takes
 * then; it must not touch anything that is not being printed.
 */
static void
test_recover_job(void **state)
{
	struct qstate	*m = qstate_new();
	struct qrec	 r;
	struct shmq_job	 job;
	void		*snap;
	size_t		 len;

	memset(&r, 0, sizeof(r));
	r.type = QREC_JOB_QUEUED;
	r.prio = SHMQ_NORMAL;
	r.job_id = 1;
	assert_int_equal(model_apply(m, 1, &r), 0);
	r.job_id = 2;
	assert_int_equal(model_apply(m, 2, &r), 0);
	memset(&r, 0, sizeof(r));
	r.type = QREC_JOB_CLAIMED;
	r.job_id = 1;
	r.printer = 3;
	r.ts_ms = 1795346363642ULL;
	assert_int_equal(model_apply(m, 3, &r), 0);

	/* the claim again, as replay meets it: the job is still claimed */
	r.printer = 1;
	r.ts_ms += 60000;
	assert_int_equal(model_apply(m, 4, &r), -1);
	assert_int_equal(errno, EBUSY);

	/* a pending job and an unknown one: refused, nothing changes */
	assert_int_equal(qstate_snapshot(m, &snap, &len), 0);
	assert_int_equal(qstate_recover_job(m, 2), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(qstate_recover_job(m, 99), -1);
	assert_int_equal(errno, ENOENT);
	assert_true(model_is(m, snap, len));
	assert_int_equal(qstate_get(m, 2, &job), 0);
	assert_int_equal(job.state, SHMQ_PENDING);
	assert_int_equal(job.flags, 0);
	assert_int_equal(job.printer, -1);
	free(snap);

	/* the claimed one goes back to pending, marked REIMPRESIÓN */
	assert_int_equal(qstate_recover_job(m, 1), 0);
	assert_int_equal(qstate_get(m, 1, &job), 0);
	assert_int_equal(job.state, SHMQ_PENDING);
	assert_int_equal(job.flags, SHMQ_F_REPRINT | SHMQ_F_MAYBE_PRINTED);
	assert_int_equal(job.printer, -1);
	assert_int_equal(job.attempts, 1);
	assert_int_equal(qstate_recover_job(m, 1), -1);
	assert_int_equal(errno, ENOENT);

	/* and now the second claim applies */
	assert_int_equal(model_apply(m, 4, &r), 0);
	assert_int_equal(qstate_get(m, 1, &job), 0);
	assert_int_equal(job.state, SHMQ_PROCESSING);
	assert_int_equal(job.printer, 1);
	assert_int_equal(job.attempts, 2);
	assert_int_equal(job.flags, SHMQ_F_REPRINT | SHMQ_F_MAYBE_PRINTED);
	assert_int_equal(qstate_count(m), 2);
	qstate_free(m);
}

static void
test_snapshot_roundtrip(void **state)
{
	struct qstate	*m = qstate_new(), *m2 = qstate_new();
	struct qrec	 r;
	struct shmq_job	 job;
	uint8_t		 buf[256];
	void		*snap;
	size_t		 len, cut;
	ssize_t		 n;
	uint64_t	 id;

	for (id = 1; id <= 50; id++) {
		memset(&r, 0, sizeof(r));
		r.type = QREC_JOB_QUEUED;
		r.job_id = id;
		r.order_id = id * 10;
		r.station = (uint16_t)(id % 3);
		r.prio = (uint8_t)(id % 3);
		r.payload = "Crème brûlée ×2";
		r.payload_len = (uint32_t)strlen(r.payload);
		n = qrec_encode(&r, buf, sizeof(buf));
		assert_int_equal(qstate_apply(m, id * 2, r.type, buf,
		    (size_t)n), 0);
	}
	memset(&r, 0, sizeof(r));
	r.type = QREC_JOB_CLAIMED;
	r.job_id = 7;
	r.printer = 4;
	n = qrec_encode(&r, buf, sizeof(buf));
	assert_int_equal(qstate_apply(m, 200, r.type, buf, (size_t)n), 0);

	assert_int_equal(qstate_snapshot(m, &snap, &len), 0);
	assert_int_equal(qstate_load(m2, snap, len), 0);
	assert_int_equal(qstate_count(m2), 50);
	assert_int_equal(qstate_get(m2, 7, &job), 0);
	assert_int_equal(job.state, SHMQ_PROCESSING);
	assert_int_equal(job.printer, 4);
	assert_int_equal(job.attempts, 1);
	assert_int_equal(job.order_id, 70);
	assert_memory_equal(job.payload, "Crème brûlée ×2", job.payload_len);
	/* truncated snapshots are refused and leave the model as it was */
	for (cut = 0; cut < len; cut += 7) {
		assert_int_equal(qstate_load(m2, snap, cut), -1);
		assert_int_equal(qstate_count(m2), 50);
		assert_int_equal(qstate_get(m2, 7, &job), 0);
	}
	free(snap);
	qstate_free(m);
	qstate_free(m2);
}

/*
 * A writer killed with SIGKILL at a random moment: every record it was told
 * is durable comes back, in order, and the journal accepts appends after.
 */
static void
test_sigkill_writer(void **state)
{
	int	round;

	for (round = 0; round < 10; round++) {
		struct journal_opts	 opts;
		struct journal_recovery	 rec;
		struct journal		*j;
		struct qstate		*m;
		char			*dir = make_dir();
		int			 fds[2], st;
		uint64_t		 acked = 0, v;
		pid_t			 pid;

		memset(&opts, 0, sizeof(opts));
		opts.fsync = JOURNAL_FSYNC_GROUP;
		opts.segment_size = 32 * 1024;
		assert_int_equal(pipe(fds), 0);
		if ((pid = fork()) == 0) {
			struct qrec	r;
			uint8_t		buf[256];
			uint64_t	lsn, id;
			ssize_t		n;

			close(fds[0]);
			if (journal_open(dir, &opts, NULL, NULL, NULL, &j,
			    &rec) == -1)
				_exit(2);
			for (id = 1;; id++) {
				memset(&r, 0, sizeof(r));
				r.type = QREC_JOB_QUEUED;
				r.job_id = id;
				r.prio = SHMQ_NORMAL;
				r.payload = "Tortilla de patatas";
				r.payload_len = 19;
				n = qrec_encode(&r, buf, sizeof(buf));
				if (journal_append(j, r.type, buf, (size_t)n,
				    &lsn) == -1)
					_exit(3);
				if (write(fds[1], &lsn, sizeof(lsn)) !=
				    sizeof(lsn))
					_exit(4);
			}
		}
		close(fds[1]);
		usleep((useconds_t)(20000 + random() % 80000));
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
		while (read(fds[0], &v, sizeof(v)) == sizeof(v))
			acked = v;
		close(fds[0]);
		assert_true(acked > 0);

		m = qstate_new();
		assert_int_equal(journal_open(dir, &opts, snap_cb, rec_cb, m,
		    &j, &rec), 0);
		assert_true(rec.last_lsn >= acked);
		assert_int_equal(qstate_count(m), rec.last_lsn);
		assert_int_equal(journal_append(j, QREC_DAEMON_BASE, "x", 1,
		    &v), 0);
		assert_int_equal(v, rec.last_lsn + 1);
		journal_close(j);
		qstate_free(m);
		remove_dir(dir);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_encode_timestamps),
		cmocka_unit_test(test_model_transitions),
		cmocka_unit_test(test_snapshot_roundtrip),
		cmocka_unit_test(test_replay_exact),
		cmocka_unit_test(test_recover_inflight),
		cmocka_unit_test(test_recover_job),
		cmocka_unit_test(test_sigkill_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
