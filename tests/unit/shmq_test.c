/*
 * src/queue/shmq: scheduling order, job life cycle, capacity, restore from
 * the journal, many processes, crash recovery at every instrumented point
 * and at random instructions, wake-ups, read-only readers, refusal of
 * foreign segments.
 *
 * Every test makes its own segments, named after our pid and a counter;
 * the teardown unlinks whatever a failed assertion left behind.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "clock.h"
#include "histogram.h"
#include "shmq.h"

#define MAX_SEGS	64
#define BUFLEN		512

static char	segs[MAX_SEGS][SHMQ_INSTANCE_MAX];
static int	nsegs;

/* A fresh instance name, remembered for the teardown. */
static const char *
new_instance(void)
{
	assert_true(nsegs < MAX_SEGS);
	snprintf(segs[nsegs], sizeof(segs[nsegs]), "t%d.%d", (int)getpid(),
	    nsegs);
	return segs[nsegs++];
}

static int
cleanup(void **state)
{
	char	name[SHMQ_INSTANCE_MAX + 16];
	int	i;

	for (i = 0; i < nsegs; i++) {
		snprintf(name, sizeof(name), "/fastops.%.*s",
		    SHMQ_INSTANCE_MAX - 1, segs[i]);
		shm_unlink(name);
	}
	return 0;
}

/*
 * Two stations: cocina with printers c1 (0) and c2 (1), barra with b1 (2).
 * Aging is off (an hour) unless a test says otherwise.
 */
static void
params(struct shmq_params *p, uint32_t nslots)
{
	memset(p, 0, sizeof(*p));
	p->instance = new_instance();
	p->nslots = nslots;
	p->payload_max = 256;
	p->low_max_wait_ns = 3600 * NS_PER_S;
	p->nstations = 2;
	p->stations[0] = "cocina";
	p->stations[1] = "barra";
	p->nprinters = 3;
	p->printers[0] = "c1";
	p->printers[1] = "c2";
	p->printers[2] = "b1";
	p->printer_station[0] = 0;
	p->printer_station[1] = 0;
	p->printer_station[2] = 1;
}

static struct shmq *
make(uint32_t nslots, uint64_t low_max_wait_ns)
{
	struct shmq_params	 p;
	struct shmq		*q;

	params(&p, nslots);
	p.low_max_wait_ns = low_max_wait_ns;
	assert_int_equal(shmq_create(&p, &q), 0);
	return q;
}

static void
enq(struct shmq *q, uint64_t id, uint16_t station, uint8_t prio,
    struct shmq_ref *ref)
{
	struct shmq_job	job;
	char		payload[64];

	memset(&job, 0, sizeof(job));
	snprintf(payload, sizeof(payload), "ticket %llu",
	    (unsigned long long)id);
	job.job_id = id;
	job.order_id = id * 10;
	job.station = station;
	job.prio = prio;
	job.avoid_printer = -1;
	job.payload = payload;
	job.payload_len = (uint32_t)strlen(payload) + 1;
	assert_int_equal(shmq_enqueue(q, &job, ref), 0);
}

/* Claim for printer; returns the job id, 0 when there is nothing. */
static uint64_t
claim(struct shmq *q, uint32_t printer, struct shmq_ref *ref)
{
	struct shmq_job	job;
	char		buf[BUFLEN], want[64];

	if (shmq_claim(q, printer, &job, buf, sizeof(buf), ref) == -1) {
		assert_int_equal(errno, EAGAIN);
		return 0;
	}
	snprintf(want, sizeof(want), "ticket %llu",
	    (unsigned long long)job.job_id);
	assert_string_equal(buf, want);
	assert_ptr_equal(job.payload, buf);
	assert_int_equal(job.state, SHMQ_PROCESSING);
	assert_int_equal(job.printer, (int)printer);
	assert_int_equal(job.owner, getpid());
	return job.job_id;
}

static uint64_t
claim_complete(struct shmq *q, uint32_t printer)
{
	struct shmq_ref	ref;
	uint64_t	id;

	if ((id = claim(q, printer, &ref)) != 0)
		assert_int_equal(shmq_complete(q, &ref), 0);
	return id;
}

static void
counters(struct shmq *q, struct shmq_counters *c)
{
	assert_int_equal(shmq_read_counters(q, c), 0);
}

static void
check_ok(struct shmq *q)
{
	if (shmq_check(q) != 0)
		fail_msg("shmq_check: %s", shmq_strerror());
}

/* What shmq_foreach sees, by job id. */
struct seen {
	int		n;
	uint64_t	id[64];
	uint8_t		state[64];
	uint8_t		prio[64];
	uint32_t	flags[64];
	int32_t		avoid[64];
};

static int
collect_one(const struct shmq_job *job, void *arg)
{
	struct seen	*s = arg;
	char		 want[64];

	snprintf(want, sizeof(want), "ticket %llu",
	    (unsigned long long)job->job_id);
	if (job->payload_len != strlen(want) + 1 ||
	    memcmp(job->payload, want, job->payload_len) != 0)
		return -2;	/* payload damaged */
	if (s->n == 64)
		return -3;
	s->id[s->n] = job->job_id;
	s->state[s->n] = job->state;
	s->prio[s->n] = job->prio;
	s->flags[s->n] = job->flags;
	s->avoid[s->n] = job->avoid_printer;
	s->n++;
	return 0;
}

static void
collect(struct shmq *q, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(shmq_foreach(q, collect_one, s), 0);
}

/* Index of id in s, or -1. */
static int
seen_find(const struct seen *s, uint64_t id)
{
	int	i;

	for (i = 0; i < s->n; i++)
		if (s->id[i] == id)
			return i;
	return -1;
}

/* The ids in s are exactly want[0..n), each once. */
static int
seen_is(const struct seen *s, const uint64_t *want, int n)
{
	int	i, j;

	if (s->n != n)
		return 0;
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < s->n; j++)
			if (s->id[i] == s->id[j])
				return 0;
		if (seen_find(s, want[i]) == -1)
			return 0;
	}
	return 1;
}

/* --- scheduling order -------------------------------------------------- */

/* Urgent, normal, low; FIFO inside; a printer sees only its station. */
static void
test_priority_order(void **state)
{
	struct shmq	*q = make(64, 3600 * NS_PER_S);
	static const uint64_t cocina[] = { 3, 5, 1, 4, 2, 6 };
	size_t		 i;

	enq(q, 1, 0, SHMQ_NORMAL, NULL);
	enq(q, 2, 0, SHMQ_LOW, NULL);
	enq(q, 3, 0, SHMQ_URGENT, NULL);
	enq(q, 10, 1, SHMQ_NORMAL, NULL);
	enq(q, 4, 0, SHMQ_NORMAL, NULL);
	enq(q, 5, 0, SHMQ_URGENT, NULL);
	enq(q, 11, 1, SHMQ_URGENT, NULL);
	enq(q, 6, 0, SHMQ_LOW, NULL);
	check_ok(q);

	for (i = 0; i < sizeof(cocina) / sizeof(cocina[0]); i++)
		assert_int_equal(claim_complete(q, i % 2), cocina[i]);
	assert_int_equal(claim_complete(q, 0), 0);
	assert_int_equal(claim_complete(q, 1), 0);
	assert_int_equal(claim_complete(q, 2), 11);
	assert_int_equal(claim_complete(q, 2), 10);
	assert_int_equal(claim_complete(q, 2), 0);
	check_ok(q);
	shmq_destroy(q);
}

/* An old low job competes with normal ones by age; a young one does not. */
static void
test_aging(void **state)
{
	struct shmq		*q = make(64, 50 * NS_PER_MS);
	struct shmq_counters	 c;
	struct timespec		 ts = { 0, 60 * 1000 * 1000 };

	/* old low, newer normals: the low job goes first */
	enq(q, 1, 0, SHMQ_LOW, NULL);
	nanosleep(&ts, NULL);
	enq(q, 2, 0, SHMQ_NORMAL, NULL);
	enq(q, 3, 0, SHMQ_NORMAL, NULL);
	assert_int_equal(claim_complete(q, 0), 1);
	assert_int_equal(claim_complete(q, 0), 2);
	assert_int_equal(claim_complete(q, 0), 3);
	counters(q, &c);
	assert_int_equal(c.aged, 1);

	/* young low: normal first */
	enq(q, 4, 0, SHMQ_LOW, NULL);
	enq(q, 5, 0, SHMQ_NORMAL, NULL);
	assert_int_equal(claim_complete(q, 0), 5);
	assert_int_equal(claim_complete(q, 0), 4);

	/* old low but an older normal: age order, the normal first */
	enq(q, 6, 0, SHMQ_NORMAL, NULL);
	enq(q, 7, 0, SHMQ_LOW, NULL);
	nanosleep(&ts, NULL);
	enq(q, 8, 0, SHMQ_NORMAL, NULL);
	assert_int_equal(claim_complete(q, 0), 6);
	assert_int_equal(claim_complete(q, 0), 7);
	assert_int_equal(claim_complete(q, 0), 8);
	counters(q, &c);
	assert_int_equal(c.aged, 2);
	check_ok(q);
	shmq_destroy(q);
}

/* Promotion moves a job among the urgent ones by its age. */
static void
test_promote(void **state)
{
	struct shmq		*q = make(64, 3600 * NS_PER_S);
	struct shmq_counters	 c;
	struct shmq_ref		 r3, r4, r6, stale;
	struct seen		 s;
	static const uint64_t	 want[] = { 1, 4, 5, 2, 3 };
	size_t			 i;

	enq(q, 1, 0, SHMQ_URGENT, NULL);
	enq(q, 2, 0, SHMQ_NORMAL, NULL);
	enq(q, 3, 0, SHMQ_NORMAL, &r3);
	enq(q, 4, 0, SHMQ_LOW, &r4);
	enq(q, 5, 0, SHMQ_URGENT, NULL);
	assert_int_equal(shmq_promote(q, &r4), 0);
	assert_int_equal(shmq_promote(q, &r4), 0);	/* already urgent */
	check_ok(q);
	collect(q, &s);
	assert_int_equal(s.prio[seen_find(&s, 4)], SHMQ_URGENT);

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (want[i] == 3) {
			/* claimed: too late to promote */
			assert_int_equal(claim(q, 0, &r6), 3);
			assert_int_equal(shmq_promote(q, &r6), -1);
			assert_int_equal(errno, EBUSY);
			assert_int_equal(shmq_complete(q, &r6), 0);
		} else
			assert_int_equal(claim_complete(q, 0), want[i]);
	}
	stale = r3;
	assert_int_equal(shmq_promote(q, &stale), -1);
	assert_int_equal(errno, ENOENT);
	counters(q, &c);
	assert_int_equal(c.promoted, 1);
	check_ok(q);
	shmq_destroy(q);
}

/* --- life cycle of a job ------------------------------------------------ */

static void
test_cancel_retry_clear_avoid(void **state)
{
	struct shmq		*q = make(64, 3600 * NS_PER_S);
	struct shmq_counters	 c;
	struct shmq_printer_info pi;
	struct shmq_ref		 ra, rb, rc, rd, r;
	struct seen		 s;
	char			 longerr[300];

	/* cancel pending; then again: gone */
	enq(q, 1, 0, SHMQ_NORMAL, &ra);
	enq(q, 2, 0, SHMQ_NORMAL, &rb);
	assert_int_equal(shmq_cancel(q, &ra), 0);
	assert_int_equal(shmq_cancel(q, &ra), -1);
	assert_int_equal(errno, ENOENT);
	/* claimed: EBUSY; failed: cancellable */
	assert_int_equal(claim(q, 0, &r), 2);
	assert_int_equal(shmq_cancel(q, &r), -1);
	assert_int_equal(errno, EBUSY);
	assert_int_equal(shmq_fail(q, &r, 1, "cover open"), 0);
	counters(q, &c);
	assert_int_equal(c.failed_now, 1);
	assert_int_equal(shmq_cancel(q, &rb), 0);
	counters(q, &c);
	assert_int_equal(c.cancelled, 2);
	assert_int_equal(c.failed_now, 0);

	/* failed -> retry -> pending again, keeps attempts; then clear */
	enq(q, 3, 0, SHMQ_NORMAL, &rc);
	assert_int_equal(claim(q, 0, &r), 3);
	assert_int_equal(shmq_fail(q, &r, 1, NULL), 0);
	assert_int_equal(shmq_retry(q, &rb), -1);	/* cancelled */
	assert_int_equal(errno, ENOENT);
	assert_int_equal(shmq_retry(q, &rc), 0);
	assert_int_equal(shmq_clear(q, &rc), -1);	/* pending, not failed */
	assert_int_equal(errno, ENOENT);
	assert_int_equal(claim(q, 0, &r), 3);
	assert_int_equal(shmq_retry(q, &r), -1);	/* not failed */
	assert_int_equal(shmq_fail(q, &r, 1, NULL), 0);
	collect(q, &s);
	assert_int_equal(s.state[seen_find(&s, 3)], SHMQ_FAILED);
	assert_int_equal(shmq_clear(q, &rc), 0);
	assert_int_equal(shmq_clear(q, &rc), -1);
	assert_int_equal(errno, ENOENT);
	counters(q, &c);
	assert_int_equal(c.cleared, 1);
	assert_int_equal(c.failed, 3);

	/* retry after a failure goes to the sibling, c2 */
	enq(q, 4, 0, SHMQ_NORMAL, &rd);
	enq(q, 5, 0, SHMQ_NORMAL, NULL);
	assert_int_equal(claim(q, 0, &r), 4);
	memset(longerr, 'x', sizeof(longerr) - 1);
	longerr[sizeof(longerr) - 1] = '\0';
	assert_int_equal(shmq_fail(q, &r, 0, "sin papel"), 0);
	assert_int_equal(shmq_read_printer(q, 0, &pi), 0);
	assert_string_equal(pi.last_error, "sin papel");
	assert_int_equal(pi.failures, 4);
	assert_int_equal(pi.consecutive_failures, 4);
	assert_int_equal(pi.current_job, 0);
	collect(q, &s);
	assert_int_equal(s.avoid[seen_find(&s, 4)], 0);
	assert_int_equal(s.state[seen_find(&s, 4)], SHMQ_PENDING);
	/* c1 skips job 4 and takes 5; c2 takes 4 */
	assert_int_equal(claim(q, 0, &r), 5);
	assert_int_equal(shmq_fail(q, &r, 0, longerr), 0);
	assert_int_equal(shmq_read_printer(q, 0, &pi), 0);
	assert_int_equal(strlen(pi.last_error), SHMQ_ERR_MAX - 1);
	assert_int_equal(claim(q, 0, &r), 0);
	assert_int_equal(claim_complete(q, 1), 4);
	assert_int_equal(claim_complete(q, 1), 5);
	assert_int_equal(shmq_read_printer(q, 1, &pi), 0);
	assert_int_equal(pi.printed, 2);

	/* with c2 paused nobody else can: c1 takes its own failure back */
	enq(q, 6, 0, SHMQ_NORMAL, NULL);
	assert_int_equal(claim(q, 0, &r), 6);
	assert_int_equal(shmq_fail(q, &r, 0, NULL), 0);
	assert_int_equal(shmq_printer_pause(q, 1, 1), 0);
	assert_int_equal(shmq_claim(q, 1, &(struct shmq_job){ 0 }, NULL, 0,
	    NULL), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(claim(q, 0, &r), 6);
	assert_int_equal(shmq_fail(q, &r, 0, NULL), 0);
	/* open circuit: the same; half-open counts as able */
	assert_int_equal(shmq_printer_pause(q, 1, 0), 0);
	assert_int_equal(shmq_printer_set_circuit(q, 1, SHMQ_CIRCUIT_OPEN), 0);
	assert_int_equal(claim(q, 0, &r), 6);
	assert_int_equal(shmq_fail(q, &r, 0, NULL), 0);
	assert_int_equal(shmq_printer_set_circuit(q, 1,
	    SHMQ_CIRCUIT_HALF_OPEN), 0);
	assert_int_equal(claim(q, 0, &r), 0);
	assert_int_equal(shmq_read_printer(q, 1, &pi), 0);
	assert_int_equal(pi.circuit, SHMQ_CIRCUIT_HALF_OPEN);
	assert_true(pi.circuit_since_ns > 0);
	assert_int_equal(claim(q, 1, &r), 6);
	assert_int_equal(shmq_complete(q, &r), 0);
	assert_int_equal(shmq_read_printer(q, 1, &pi), 0);
	assert_int_equal(pi.consecutive_failures, 0);
	assert_int_equal(shmq_complete(q, &r), -1);
	assert_int_equal(errno, ENOENT);
	counters(q, &c);
	assert_int_equal(c.retried, 5);
	check_ok(q);
	shmq_destroy(q);
}

/* Full queue: ENOSPC changes nothing but the refusal count. */
static void
test_capacity(void **state)
{
	struct shmq		*q = make(4, 3600 * NS_PER_S);
	struct shmq_counters	 before, after;
	struct shmq_job		 job;
	struct shmq_ref		 r;
	char			 big[300], small[8];
	uint64_t		 i;

	for (i = 1; i <= 4; i++)
		enq(q, i, 0, SHMQ_NORMAL, NULL);
	counters(q, &before);
	assert_int_equal(before.free_slots, 0);
	memset(&job, 0, sizeof(job));
	job.job_id = 5;
	job.avoid_printer = -1;
	job.prio = SHMQ_NORMAL;
	assert_int_equal(shmq_enqueue(q, &job, NULL), -1);
	assert_int_equal(errno, ENOSPC);
	counters(q, &after);
	assert_int_equal(after.full, before.full + 1);
	after.full = before.full;
	assert_memory_equal(&before, &after, sizeof(before));

	/* a payload that does not fit the caller's buffer is not claimed */
	assert_int_equal(shmq_claim(q, 0, &job, small, sizeof(small), &r), -1);
	assert_int_equal(errno, EMSGSIZE);
	counters(q, &after);
	assert_int_equal(after.processing, 0);

	assert_int_equal(claim_complete(q, 0), 1);
	assert_int_equal(shmq_enqueue(q, &job, &r), 0);
	assert_int_equal(r.job_id, 5);

	memset(big, 'a', sizeof(big));
	job.job_id = 6;
	job.payload = big;
	job.payload_len = 257;
	assert_int_equal(shmq_enqueue(q, &job, NULL), -1);
	assert_int_equal(errno, E2BIG);
	job.payload_len = 10;
	job.station = 2;
	assert_int_equal(shmq_enqueue(q, &job, NULL), -1);
	assert_int_equal(errno, EINVAL);
	job.station = 0;
	job.prio = SHMQ_NPRIO;
	assert_int_equal(shmq_enqueue(q, &job, NULL), -1);
	assert_int_equal(errno, EINVAL);
	job.prio = SHMQ_LOW;
	job.job_id = 0;
	assert_int_equal(shmq_enqueue(q, &job, NULL), -1);
	assert_int_equal(errno, EINVAL);
	check_ok(q);
	shmq_destroy(q);
}

/* Position in service order, find, flags, iteration. */
static void
test_position_find_flags(void **state)
{
	struct shmq	*q = make(64, 3600 * NS_PER_S);
	struct shmq_ref	 r[6], f;
	struct seen	 s;
	uint32_t	 pos, len;

	enq(q, 1, 0, SHMQ_NORMAL, &r[0]);
	enq(q, 2, 0, SHMQ_LOW, &r[1]);
	enq(q, 3, 0, SHMQ_URGENT, &r[2]);
	enq(q, 4, 0, SHMQ_NORMAL, &r[3]);
	enq(q, 5, 1, SHMQ_NORMAL, &r[4]);
	assert_int_equal(shmq_position(q, &r[2], &pos, &len), 0);
	assert_int_equal(pos, 1);
	assert_int_equal(len, 4);
	assert_int_equal(shmq_position(q, &r[3], &pos, &len), 0);
	assert_int_equal(pos, 3);
	assert_int_equal(shmq_position(q, &r[1], &pos, &len), 0);
	assert_int_equal(pos, 4);
	assert_int_equal(shmq_position(q, &r[4], &pos, &len), 0);
	assert_int_equal(pos, 1);
	assert_int_equal(len, 1);

	assert_int_equal(shmq_find(q, 4, &f), 0);
	assert_int_equal(f.slot, r[3].slot);
	assert_int_equal(f.job_id, 4);
	assert_int_equal(shmq_find(q, 99, &f), -1);
	assert_int_equal(errno, ENOENT);

	assert_int_equal(shmq_set_flags(q, &r[3], SHMQ_F_REPRINT |
	    SHMQ_F_MODIFY, 0), 0);
	assert_int_equal(shmq_set_flags(q, &r[3], 0, SHMQ_F_MODIFY), 0);
	collect(q, &s);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.flags[seen_find(&s, 4)], SHMQ_F_REPRINT);

	assert_int_equal(claim_complete(q, 0), 3);
	assert_int_equal(shmq_position(q, &r[2], &pos, &len), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(shmq_set_flags(q, &r[2], 1, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(shmq_position(q, &r[1], &pos, &len), 0);
	assert_int_equal(pos, 3);
	assert_int_equal(len, 3);
	check_ok(q);
	shmq_destroy(q);
}

/* Jobs rebuilt from the journal come back as they were, in order. */
static void
test_restore(void **state)
{
	struct shmq		*q = make(64, 3600 * NS_PER_S);
	struct shmq_counters	 c;
	struct shmq_minute	 m[2];
	struct shmq_job		 job, got;
	struct shmq_ref		 r;
	struct seen		 s;
	char			 payload[64], buf[BUFLEN];
	static const struct {
		uint64_t	id;
		uint8_t		prio, state;
		uint32_t	attempts, flags;
		int32_t		avoid;
	} jobs[] = {
		{ 7, SHMQ_NORMAL, SHMQ_PENDING, 1,
		    SHMQ_F_REPRINT | SHMQ_F_MAYBE_PRINTED, -1 },
		{ 3, SHMQ_NORMAL, SHMQ_FAILED, 3, 0, -1 },
		{ 5, SHMQ_NORMAL, SHMQ_PENDING, 1, 0, 0 },
		{ 4, SHMQ_URGENT, SHMQ_PENDING, 0, 0, -1 },
		{ 9, SHMQ_NORMAL, SHMQ_PENDING, 0, SHMQ_F_MODIFY, -1 },
	};
	size_t			 i;

	for (i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
		memset(&job, 0, sizeof(job));
		snprintf(payload, sizeof(payload), "ticket %llu",
		    (unsigned long long)jobs[i].id);
		job.job_id = jobs[i].id;
		job.prio = jobs[i].prio;
		job.state = jobs[i].state;
		job.attempts = jobs[i].attempts;
		job.flags = jobs[i].flags;
		job.avoid_printer = jobs[i].avoid;
		job.payload = payload;
		job.payload_len = (uint32_t)strlen(payload) + 1;
		assert_int_equal(shmq_restore(q, &job, NULL), 0);
	}
	job.job_id = 10;
	job.state = SHMQ_PROCESSING;
	assert_int_equal(shmq_restore(q, &job, NULL), -1);
	assert_int_equal(errno, EINVAL);
	check_ok(q);
	counters(q, &c);
	assert_int_equal(c.enqueued, 5);
	assert_int_equal(c.failed_now, 1);
	assert_int_equal(c.pending[SHMQ_NORMAL], 3);
	assert_int_equal(shmq_read_minutes(q, m, 2), 2);
	assert_int_equal(m[0].enqueued + m[1].enqueued, 0);
	collect(q, &s);
	for (i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
		int k = seen_find(&s, jobs[i].id);

		assert_true(k >= 0);
		assert_int_equal(s.state[k], jobs[i].state);
		assert_int_equal(s.flags[k], jobs[i].flags);
		assert_int_equal(s.avoid[k], jobs[i].avoid);
	}

	/* service order is the order of the calls; avoidance honoured */
	assert_int_equal(claim(q, 0, &r), 4);
	assert_int_equal(shmq_complete(q, &r), 0);
	assert_int_equal(shmq_claim(q, 0, &got, buf, sizeof(buf), &r), 0);
	assert_int_equal(got.job_id, 7);
	assert_int_equal(got.attempts, 2);
	assert_int_equal(shmq_complete(q, &r), 0);
	assert_int_equal(claim_complete(q, 0), 9);	/* 5 avoids c1 */
	assert_int_equal(claim_complete(q, 1), 5);
	assert_int_equal(shmq_find(q, 3, &r), 0);
	assert_int_equal(shmq_retry(q, &r), 0);
	assert_int_equal(shmq_claim(q, 0, &got, buf, sizeof(buf), &r), 0);
	assert_int_equal(got.job_id, 3);
	assert_int_equal(got.attempts, 4);
	assert_int_equal(shmq_complete(q, &r), 0);
	assert_int_equal(claim_complete(q, 0), 0);
	check_ok(q);
	shmq_destroy(q);
}

/* --- many processes ------------------------------------------------------- */

#define MP_JOBS		20000
#define MP_WORKERS	4
#define CHAOS_JOBS	200000

/* Shared with the workers: how often each job id was claimed. */
struct mp_shared {
	uint32_t	stop;
	uint32_t	hits[CHAOS_JOBS + 1];
};

/* Enqueue, waiting for room while workers drain; gives up at deadline. */
static void
enq_busy(struct shmq *q, uint32_t id, uint16_t station, uint8_t prio,
    uint64_t deadline)
{
	struct shmq_job	job;
	char		payload[64];

	memset(&job, 0, sizeof(job));
	snprintf(payload, sizeof(payload), "ticket %u", id);
	job.job_id = id;
	job.station = station;
	job.prio = prio;
	job.avoid_printer = -1;
	job.payload = payload;
	job.payload_len = (uint32_t)strlen(payload) + 1;
	while (shmq_enqueue(q, &job, NULL) == -1) {
		assert_int_equal(errno, ENOSPC);
		if (clock_mono_ns() > deadline)
			return;
		sched_yield();
	}
}

/* A worker: claim, check the payload, count, complete, until told. */
static int
mp_worker(const char *inst, uint32_t printer, struct mp_shared *sh,
    pid_t parent)
{
	struct shmq	*q;
	struct shmq_job	 job;
	struct shmq_ref	 ref;
	char		 buf[BUFLEN], want[64];

	if (shmq_attach(inst, 0, &q) == -1)
		return 10;
	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		if (getppid() != parent)
			return 14;	/* the test failed and left */
		if (shmq_claim_wait(q, printer, &job, buf, sizeof(buf), &ref,
		    200 * NS_PER_MS) == -1) {
			if (errno == ETIMEDOUT || errno == EINTR)
				continue;
			if (errno == EPERM) {
				/* paused: nothing to wait on but time */
				usleep(100);
				continue;
			}
			return 11;
		}
		snprintf(want, sizeof(want), "ticket %llu",
		    (unsigned long long)job.job_id);
		if (job.job_id == 0 || job.job_id > CHAOS_JOBS ||
		    strcmp(buf, want) != 0)
			return 12;
		__atomic_add_fetch(&sh->hits[job.job_id], 1, __ATOMIC_SEQ_CST);
		if (shmq_complete(q, &ref) == -1)
			return 13;
	}
	shmq_detach(q);
	return 0;
}

static void
test_multiprocess(void **state)
{
	struct shmq_params	 p;
	struct shmq		*q;
	struct shmq_counters	 c;
	struct mp_shared	*sh;
	pid_t			 pid[MP_WORKERS], parent = getpid();
	uint64_t		 deadline;
	int			 i, status;
	uint32_t		 id;

	params(&p, 256);
	p.low_max_wait_ns = NS_PER_MS;
	p.nprinters = 4;
	p.printers[2] = "b1";
	p.printers[3] = "b2";
	p.printer_station[2] = 1;
	p.printer_station[3] = 1;
	assert_int_equal(shmq_create(&p, &q), 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(sh != MAP_FAILED);

	for (i = 0; i < MP_WORKERS; i++) {
		pid[i] = fork();
		assert_true(pid[i] != -1);
		if (pid[i] == 0)
			_exit(mp_worker(p.instance, (uint32_t)i, sh, parent));
	}
	/* a bug must fail the test, not hang it: one deadline for all */
	deadline = clock_mono_ns() + 60 * NS_PER_S;
	for (id = 1; id <= MP_JOBS; id++)
		enq_busy(q, id, id % 2, id % 3, deadline);
	do {
		counters(q, &c);
		if (c.completed == MP_JOBS)
			break;
		usleep(1000);
	} while (clock_mono_ns() < deadline);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	shmq_wake_all(q);
	for (i = 0; i < MP_WORKERS; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	for (id = 1; id <= MP_JOBS; id++)
		if (sh->hits[id] != 1)
			fail_msg("job %u claimed %u times", id, sh->hits[id]);
	counters(q, &c);
	assert_int_equal(c.enqueued, MP_JOBS);
	assert_int_equal(c.completed, MP_JOBS);
	assert_int_equal(c.claimed, MP_JOBS);
	assert_int_equal(c.processing, 0);
	assert_int_equal(c.pending[0] + c.pending[1] + c.pending[2], 0);
	assert_int_equal(c.free_slots, 256);
	assert_int_equal(c.repairs, 0);
	check_ok(q);
	munmap(sh, sizeof(*sh));
	shmq_destroy(q);
}

/*
 * Workers that die at random instructions: each arms ITIMER_VIRTUAL, whose
 * SIGVTALRM kills it after a random slice of its own user time, so deaths
 * fall where the CPU goes, critical sections included.  The parent plays
 * supervisor (reap, release_owner, respawn).  A dead worker's job may be
 * printed twice, never lost, and the books must balance.
 */
static pid_t
chaos_spawn(const char *inst, uint32_t printer, struct mp_shared *sh)
{
	struct itimerval	it;
	pid_t			pid, parent = getpid();

	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 1 + random() % 8000;
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		signal(SIGVTALRM, SIG_DFL);
		setitimer(ITIMER_VIRTUAL, &it, NULL);
		_exit(mp_worker(inst, printer, sh, parent));
	}
	return pid;
}

/* Reap workers that died, hand their jobs back, replace them. */
static uint32_t
chaos_reap(struct shmq *q, pid_t *pid, struct mp_shared *sh, int respawn)
{
	uint32_t	w, deaths = 0;
	pid_t		p;
	int		status;

	while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
		for (w = 0; w < 3 && pid[w] != p; w++)
			;
		assert_true(w < 3);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGVTALRM)
			fail_msg("worker %d: status %#x", (int)p, status);
		assert_true(shmq_release_owner(q, p) >= 0);
		pid[w] = respawn ? chaos_spawn(segs[nsegs - 1], w, sh) : 0;
		deaths++;
	}
	return deaths;
}

static void
test_chaos_kill(void **state)
{
	struct shmq		*q = make(256, 5 * NS_PER_MS);
	struct shmq_counters	 c;
	struct shmq_job		 job;
	struct mp_shared	*sh;
	struct seen		 s;
	pid_t			 pid[3];
	char			 payload[64];
	uint64_t		 deadline;
	uint32_t		 id = 1, w, deaths = 0;
	int			 status;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(sh != MAP_FAILED);
	srandom((unsigned)getpid());
	for (w = 0; w < 3; w++)
		pid[w] = chaos_spawn(segs[nsegs - 1], w, sh);
	memset(&job, 0, sizeof(job));
	job.avoid_printer = -1;
	job.payload = payload;
	deadline = clock_mono_ns() + 60 * NS_PER_S;
	do {
		deaths += chaos_reap(q, pid, sh, 1);
		if (id <= CHAOS_JOBS) {
			snprintf(payload, sizeof(payload), "ticket %u", id);
			job.job_id = id;
			job.station = id % 3 == 0;
			job.prio = id % 3;
			job.payload_len = (uint32_t)strlen(payload) + 1;
			if (shmq_enqueue(q, &job, NULL) == 0)
				id++;
			else {
				assert_int_equal(errno, ENOSPC);
				sched_yield();
			}
			continue;
		}
		counters(q, &c);
		if (c.completed == CHAOS_JOBS)
			break;
		usleep(200);
	} while (clock_mono_ns() < deadline);

	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	shmq_wake_all(q);
	for (w = 0; w < 3; w++) {
		if (waitpid(pid[w], &status, 0) != pid[w])
			fail_msg("worker %d: %s", (int)pid[w], strerror(errno));
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGVTALRM)
			continue;	/* its timer beat the stop flag */
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	check_ok(q);
	counters(q, &c);
	/* how many died inside the lock varies; report, do not assert */
	print_message("chaos: %u workers died, %llu inside the lock\n",
	    deaths, (unsigned long long)c.repairs);
	assert_true(deaths > 0);
	assert_int_equal(c.enqueued, CHAOS_JOBS);
	assert_int_equal(c.completed, CHAOS_JOBS);
	assert_true(c.claimed >= CHAOS_JOBS);
	collect(q, &s);
	assert_int_equal(s.n, 0);
	for (id = 1; id <= CHAOS_JOBS; id++)
		if (sh->hits[id] == 0)
			fail_msg("job %u never claimed", id);
	munmap(sh, sizeof(*sh));
	shmq_destroy(q);
}

/* --- crash recovery ------------------------------------------------------- */

/*
 * The world every crash starts from:
 *	1 processing (c1, us)	2 pending normal	3 pending low
 *	4 processing (b1, us)	5 pending normal	6 failed (b1)
 */
struct world {
	struct shmq	*q;
	struct shmq_ref	 r[7];
};

static void
world_make(struct world *w)
{
	struct shmq_ref	r;

	w->q = make(16, 3600 * NS_PER_S);
	enq(w->q, 1, 0, SHMQ_NORMAL, &w->r[1]);
	enq(w->q, 2, 0, SHMQ_NORMAL, &w->r[2]);
	enq(w->q, 3, 0, SHMQ_LOW, &w->r[3]);
	enq(w->q, 4, 1, SHMQ_URGENT, &w->r[4]);
	enq(w->q, 5, 0, SHMQ_NORMAL, &w->r[5]);
	assert_int_equal(claim(w->q, 0, &r), 1);
	assert_int_equal(claim(w->q, 2, &r), 4);
	enq(w->q, 6, 1, SHMQ_NORMAL, &w->r[6]);
	assert_int_equal(claim(w->q, 2, &r), 6);
	assert_int_equal(shmq_fail(w->q, &r, 1, "cutter"), 0);
	check_ok(w->q);
}

/* In a child: do what reaches crash point k.  Returns only if it did not. */
static void
crash_child(struct world *w, int k, pid_t parent)
{
	struct shmq_job	job;
	struct shmq_ref	r;
	char		buf[BUFLEN], payload[] = "ticket 100";

	memset(&job, 0, sizeof(job));
	switch (k) {
	case 1:
	case 2:
		job.job_id = 100;
		job.avoid_printer = -1;
		job.prio = SHMQ_NORMAL;
		job.payload = payload;
		job.payload_len = sizeof(payload);
		shmq_set_crashpoint(k);
		shmq_enqueue(w->q, &job, NULL);
		break;
	case 3:
	case 4:
		shmq_set_crashpoint(k);
		shmq_claim(w->q, 1, &job, buf, sizeof(buf), &r);
		break;
	case 5:
		shmq_claim(w->q, 1, &job, buf, sizeof(buf), &r);
		shmq_set_crashpoint(k);
		shmq_complete(w->q, &r);
		break;
	case 6:
	case 7:
	case 8:
		shmq_claim(w->q, 1, &job, buf, sizeof(buf), &r);
		shmq_set_crashpoint(k);
		shmq_fail(w->q, &r, k == 8, "jam");
		break;
	case 9:
		shmq_set_crashpoint(k);
		shmq_promote(w->q, &w->r[5]);
		break;
	case 10:
		shmq_set_crashpoint(k);
		shmq_cancel(w->q, &w->r[3]);
		break;
	case 11:
		shmq_set_crashpoint(k);
		shmq_retry(w->q, &w->r[6]);
		break;
	case 12:
		shmq_set_crashpoint(k);
		shmq_release_owner(w->q, parent);
		break;
	case 13:
		/* the previous child died in a claim; we die repairing */
		shmq_set_crashpoint(k);
		shmq_find(w->q, 1, &r);
		break;
	}
}

static void
run_crash_child(struct world *w, int k)
{
	pid_t	pid, parent = getpid();
	int	status;

	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		crash_child(w, k, parent);
		_exit(99);	/* crash point not reached */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		fail_msg("crash point %d: child not killed (status %#x)", k,
		    status);
}

/* Everything left can be printed or cleared, and the books balance. */
static void
drain(struct world *w)
{
	struct shmq_counters	c;
	struct shmq_ref		r;
	struct seen		s;
	int			i, more;
	uint32_t		p;

	collect(w->q, &s);
	for (i = 0; i < s.n; i++) {
		assert_int_equal(shmq_find(w->q, s.id[i], &r), 0);
		if (s.state[i] == SHMQ_PROCESSING)
			assert_int_equal(shmq_complete(w->q, &r), 0);
		else if (s.state[i] == SHMQ_FAILED)
			assert_int_equal(shmq_clear(w->q, &r), 0);
	}
	do {
		more = 0;
		for (p = 0; p < 3; p++)
			if (claim_complete(w->q, p) != 0)
				more = 1;
	} while (more);
	counters(w->q, &c);
	assert_int_equal(c.pending[0] + c.pending[1] + c.pending[2] +
	    c.processing + c.failed_now, 0);
	assert_int_equal(c.free_slots, 16);
	assert_int_equal(c.enqueued, c.completed + c.cancelled + c.cleared);
	check_ok(w->q);
}

static void
test_crashpoints(void **state)
{
	static const uint64_t	 all[] = { 1, 2, 3, 4, 5, 6, 100 };
	static const uint64_t	 no2[] = { 1, 3, 4, 5, 6 };
	struct world		 w;
	struct shmq_counters	 c, c0;
	struct seen		 s;
	int			 k, i, n = shmq_crashpoints();
	int			 b, a, d;

	assert_true(n >= 8);
	for (k = 1; k <= n; k++) {
		world_make(&w);
		counters(w.q, &c0);
		if (k == 13)
			run_crash_child(&w, 3);
		run_crash_child(&w, k);

		/* the writer died inside: readers give up, not hang */
		assert_int_equal(shmq_read_counters(w.q, &c), -1);
		assert_int_equal(errno, EAGAIN);

		/* our next lock repairs */
		if (shmq_check(w.q) != 0)
			fail_msg("crash point %d: %s", k, shmq_strerror());
		counters(w.q, &c);
		assert_int_equal(c.repairs, c0.repairs + 1);
		collect(w.q, &s);
		b = seen_find(&s, 2);

		switch (k) {
		case 1:		/* not committed: never enqueued */
			assert_true(seen_is(&s, all, 6));
			assert_int_equal(c.enqueued, c0.enqueued);
			break;
		case 2:		/* committed: there, pending */
			assert_true(seen_is(&s, all, 7));
			assert_int_equal(s.state[seen_find(&s, 100)],
			    SHMQ_PENDING);
			assert_int_equal(c.enqueued, c0.enqueued + 1);
			break;
		case 3:		/* claim rolled back */
		case 13:
			assert_true(seen_is(&s, all, 6));
			assert_int_equal(s.state[b], SHMQ_PENDING);
			assert_int_equal(s.flags[b], 0);
			assert_int_equal(c.claimed, c0.claimed);
			break;
		case 4:		/* claimed by the dead: handed back */
		case 6:		/* fail rolled back: same */
			assert_true(seen_is(&s, all, 6));
			assert_int_equal(s.state[b], SHMQ_PENDING);
			assert_int_equal(s.flags[b], SHMQ_F_MAYBE_PRINTED);
			assert_int_equal(c.claimed, c0.claimed + 1);
			assert_int_equal(c.retried, c0.retried);
			break;
		case 5:		/* printed: gone */
			assert_true(seen_is(&s, no2, 5));
			assert_int_equal(c.completed, c0.completed + 1);
			break;
		case 7:		/* failed back to pending, avoiding c2 */
			assert_true(seen_is(&s, all, 6));
			assert_int_equal(s.state[b], SHMQ_PENDING);
			assert_int_equal(s.flags[b], 0);
			assert_int_equal(s.avoid[b], 1);
			assert_int_equal(c.retried, c0.retried + 1);
			break;
		case 8:
			assert_true(seen_is(&s, all, 6));
			assert_int_equal(s.state[b], SHMQ_FAILED);
			assert_int_equal(c.failed, c0.failed + 1);
			break;
		case 9:		/* promotion undone, prio included */
			assert_true(seen_is(&s, all, 6));
			i = seen_find(&s, 5);
			assert_int_equal(s.state[i], SHMQ_PENDING);
			assert_int_equal(s.prio[i], SHMQ_NORMAL);
			assert_int_equal(c.promoted, c0.promoted);
			break;
		case 10:	/* cancel undone */
			assert_true(seen_is(&s, all, 6));
			assert_int_equal(c.cancelled, c0.cancelled);
			break;
		case 11:	/* retry committed */
			assert_true(seen_is(&s, all, 6));
			assert_int_equal(s.state[seen_find(&s, 6)],
			    SHMQ_PENDING);
			assert_int_equal(c.failed_now, 0);
			break;
		case 12:	/* first of our jobs released, the other not */
			assert_true(seen_is(&s, all, 6));
			a = seen_find(&s, 1);
			d = seen_find(&s, 4);
			assert_int_equal(s.state[a], SHMQ_PENDING);
			assert_int_equal(s.flags[a], SHMQ_F_MAYBE_PRINTED);
			assert_int_equal(s.state[d], SHMQ_PROCESSING);
			break;
		default:
			fail_msg("crash point %d has no model", k);
		}
		drain(&w);
		shmq_destroy(w.q);
	}
}

/* Jobs of a worker that exited go back, flagged, in their old order. */
static void
test_release_owner(void **state)
{
	struct shmq		*q = make(64, 3600 * NS_PER_S);
	struct shmq_printer_info pi;
	struct shmq_counters	 c;
	struct seen		 s;
	pid_t			 pid;
	int			 status, i;

	enq(q, 1, 0, SHMQ_NORMAL, NULL);
	enq(q, 2, 0, SHMQ_NORMAL, NULL);
	enq(q, 3, 0, SHMQ_NORMAL, NULL);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		struct shmq	*cq;
		struct shmq_job	 job;
		char		 buf[BUFLEN];

		if (shmq_attach(segs[nsegs - 1], 0, &cq) == -1 ||
		    shmq_claim(cq, 0, &job, buf, sizeof(buf), NULL) == -1 ||
		    shmq_claim(cq, 1, &job, buf, sizeof(buf), NULL) == -1)
			_exit(1);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_int_equal(shmq_read_printer(q, 1, &pi), 0);
	assert_int_equal(pi.current_job, 2);
	assert_int_equal(shmq_release_owner(q, getpid()), 0);
	assert_int_equal(shmq_release_owner(q, pid), 2);
	assert_int_equal(shmq_release_owner(q, pid), 0);
	assert_int_equal(shmq_read_printer(q, 1, &pi), 0);
	assert_int_equal(pi.current_job, 0);
	collect(q, &s);
	for (i = 0; i < s.n; i++) {
		assert_int_equal(s.state[i], SHMQ_PENDING);
		assert_int_equal(s.flags[i], s.id[i] == 3 ? 0 :
		    SHMQ_F_MAYBE_PRINTED);
	}
	counters(q, &c);
	assert_int_equal(c.processing, 0);
	assert_int_equal(c.pending[SHMQ_NORMAL], 3);
	check_ok(q);
	assert_int_equal(claim_complete(q, 0), 1);
	assert_int_equal(claim_complete(q, 0), 2);
	assert_int_equal(claim_complete(q, 0), 3);
	shmq_destroy(q);
}

/* --- waiting --------------------------------------------------------------- */

struct wait_result {
	int		rc;
	int		err;
	uint64_t	job_id;
};

static pid_t
wait_child(const char *inst, int fd)
{
	struct wait_result	 res;
	struct shmq		*q;
	struct shmq_job		 job;
	struct shmq_ref		 ref;
	char			 buf[BUFLEN];
	pid_t			 pid;

	pid = fork();
	assert_true(pid != -1);
	if (pid != 0)
		return pid;
	memset(&res, 0, sizeof(res));
	if (shmq_attach(inst, 0, &q) == -1)
		_exit(1);
	res.rc = shmq_claim_wait(q, 0, &job, buf, sizeof(buf), &ref,
	    10 * NS_PER_S);
	res.err = errno;
	if (res.rc == 0) {
		res.job_id = job.job_id;
		shmq_complete(q, &ref);
	}
	if (write(fd, &res, sizeof(res)) != sizeof(res))
		_exit(2);
	_exit(0);
}

static void
test_wakeup(void **state)
{
	struct shmq		*q = make(64, 3600 * NS_PER_S);
	struct wait_result	 res;
	struct pollfd		 pfd;
	struct shmq_job		 job;
	struct timespec		 ts = { 0, 100 * 1000 * 1000 };
	char			 buf[BUFLEN];
	uint64_t		 t0, el;
	pid_t			 pid;
	int			 fds[2], status, i;

	/* nothing comes: ETIMEDOUT after the timeout, not before */
	t0 = clock_mono_ns();
	assert_int_equal(shmq_claim_wait(q, 0, &job, buf, sizeof(buf), NULL,
	    30 * NS_PER_MS), -1);
	assert_int_equal(errno, ETIMEDOUT);
	el = clock_mono_ns() - t0;
	assert_true(el >= 30 * NS_PER_MS && el < 2 * NS_PER_S);

	/* an enqueue wakes a sleeping worker in another process */
	assert_int_equal(pipe(fds), 0);
	pid = wait_child(segs[nsegs - 1], fds[1]);
	nanosleep(&ts, NULL);
	t0 = clock_mono_ns();
	enq(q, 42, 0, SHMQ_NORMAL, NULL);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_true(clock_mono_ns() - t0 < 2 * NS_PER_S);
	assert_int_equal(read(fds[0], &res, sizeof(res)), sizeof(res));
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.job_id, 42);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);

	/* a job for another station does not satisfy it; wake_all ends it */
	pid = wait_child(segs[nsegs - 1], fds[1]);
	enq(q, 43, 1, SHMQ_NORMAL, NULL);
	for (i = 0; i < 100; i++) {
		shmq_wake_all(q);
		if (poll(&pfd, 1, 50) == 1)
			break;
	}
	assert_int_equal(read(fds[0], &res, sizeof(res)), sizeof(res));
	assert_int_equal(res.rc, -1);
	assert_int_equal(res.err, EINTR);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);

	/* a paused printer does not wait at all */
	assert_int_equal(shmq_printer_pause(q, 0, 1), 0);
	assert_int_equal(shmq_claim_wait(q, 0, &job, buf, sizeof(buf), NULL,
	    0), -1);
	assert_int_equal(errno, EPERM);
	close(fds[0]);
	close(fds[1]);
	check_ok(q);
	shmq_destroy(q);
}

/* --- readers ---------------------------------------------------------------- */

/* Read-only attach: everything readable, nothing writable. */
static void
test_readonly(void **state)
{
	struct shmq		*q = make(64, 3600 * NS_PER_S), *ro;
	struct shmq_counters	 c, cro;
	struct shmq_printer_info pi;
	struct histogram	 hg;
	struct shmq_minute	 m[3];
	struct shmq_ref		 r;
	struct shmq_job		 job;
	char			 buf[BUFLEN];

	enq(q, 1, 0, SHMQ_NORMAL, &r);
	enq(q, 2, 1, SHMQ_NORMAL, NULL);
	assert_int_equal(claim_complete(q, 2), 2);
	assert_int_equal(shmq_attach(segs[nsegs - 1], 1, &ro), 0);
	counters(q, &c);
	assert_int_equal(shmq_read_counters(ro, &cro), 0);
	assert_memory_equal(&c, &cro, sizeof(c));
	assert_int_equal(cro.enqueued, 2);
	assert_int_equal(cro.completed, 1);
	assert_int_equal(cro.nslots, 64);
	assert_int_equal(shmq_read_printer(ro, 2, &pi), 0);
	assert_string_equal(pi.name, "b1");
	assert_int_equal(pi.station, 1);
	assert_int_equal(pi.printed, 1);
	assert_int_equal(shmq_read_printer(ro, 3, &pi), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(shmq_read_hist(ro, SHMQ_H_TOTAL, &hg), 0);
	assert_int_equal(hg.count, 1);
	assert_int_equal(shmq_read_minutes(ro, m, 3), 3);
	assert_int_equal(m[2].minute, m[1].minute + 1);
	assert_int_equal(m[0].enqueued + m[1].enqueued + m[2].enqueued, 2);
	assert_int_equal(shmq_nstations(ro), 2);
	assert_int_equal(shmq_nprinters(ro), 3);
	assert_string_equal(shmq_station_name(ro, 1), "barra");
	assert_null(shmq_station_name(ro, 2));
	assert_int_equal(shmq_printer_station(ro, 1), 0);
	assert_int_equal(shmq_payload_max(ro), 256);

	/* writers are refused, not crashed */
	assert_int_equal(shmq_cancel(ro, &r), -1);
	assert_int_equal(errno, EROFS);
	assert_int_equal(shmq_claim(ro, 0, &job, buf, sizeof(buf), NULL), -1);
	assert_int_equal(errno, EROFS);
	assert_int_equal(shmq_claim_wait(ro, 0, &job, buf, sizeof(buf), NULL,
	    0), -1);
	assert_int_equal(errno, EROFS);

	/* the checker works without the lock too */
	if (shmq_check(ro) != 0)
		fail_msg("read-only shmq_check: %s", shmq_strerror());

	/* readers follow the writer */
	assert_int_equal(claim_complete(q, 0), 1);
	assert_int_equal(shmq_read_counters(ro, &cro), 0);
	assert_int_equal(cro.completed, 2);
	shmq_detach(ro);
	shmq_destroy(q);
}

/* Histograms, printer totals and the per-minute series move. */
static void
test_minutes_hist(void **state)
{
	struct shmq		*q = make(64, 3600 * NS_PER_S);
	struct shmq_minute	 m[SHMQ_MINUTES + 5];
	struct shmq_printer_info pi;
	struct histogram	 w, p, t;
	struct shmq_ref		 r;
	uint64_t		 i, enq_n = 0, done = 0, failed = 0;
	int			 n, k;

	for (i = 1; i <= 10; i++)
		enq(q, i, 0, SHMQ_NORMAL, NULL);
	for (i = 1; i <= 9; i++)
		assert_int_equal(claim_complete(q, 0), i);
	assert_int_equal(claim(q, 0, &r), 10);
	assert_int_equal(shmq_fail(q, &r, 0, "offline"), 0);
	assert_int_equal(claim(q, 1, &r), 10);
	assert_int_equal(shmq_fail(q, &r, 1, "offline"), 0);

	assert_int_equal(shmq_read_hist(q, SHMQ_H_WAIT, &w), 0);
	assert_int_equal(shmq_read_hist(q, SHMQ_H_PRINT, &p), 0);
	assert_int_equal(shmq_read_hist(q, SHMQ_H_TOTAL, &t), 0);
	assert_int_equal(w.count, 10);		/* first claims only */
	assert_int_equal(p.count, 9);
	assert_int_equal(t.count, 9);
	assert_true(t.max >= p.max);
	assert_int_equal(shmq_read_hist(q, SHMQ_NHIST, &t), -1);
	assert_int_equal(shmq_read_printer(q, 0, &pi), 0);
	assert_int_equal(pi.printed, 9);
	assert_true(pi.busy_ns > 0);
	assert_int_equal(pi.failures, 1);

	/* the whole day, oldest first, zero where nothing happened */
	n = shmq_read_minutes(q, m, SHMQ_MINUTES + 5);
	assert_int_equal(n, SHMQ_MINUTES);
	for (k = 0; k < n; k++) {
		if (k > 0)
			assert_int_equal(m[k].minute, m[k - 1].minute + 1);
		enq_n += m[k].enqueued;
		done += m[k].completed;
		failed += m[k].failed;
	}
	assert_int_equal(enq_n, 10);
	assert_int_equal(done, 9);
	assert_int_equal(failed, 1);
	assert_true(m[n - 1].enqueued + m[n - 2].enqueued == 10);
	assert_int_equal(shmq_read_minutes(q, m, 0), 0);
	shmq_destroy(q);
}

/* --- identity -------------------------------------------------------------- */

static void
test_abi_foreign(void **state)
{
	struct shmq_params	 p;
	struct shmq		*q, *q2;
	char			 name[SHMQ_INSTANCE_MAX + 16];
	unsigned char		*base;
	uint32_t		 abi;
	int			 fd;

	params(&p, 8);
	assert_int_equal(shmq_create(&p, &q), 0);

	/* a second creator is refused unless it recovers */
	assert_int_equal(shmq_create(&p, &q2), -1);
	assert_int_equal(errno, EEXIST);

	/* another ABI version: refused, and the message says so */
	snprintf(name, sizeof(name), "/fastops.%s", p.instance);
	fd = shm_open(name, O_RDWR, 0);
	assert_true(fd != -1);
	base = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(base != MAP_FAILED);
	close(fd);
	assert_memory_equal(base, "FOPSSHMQ", 8);
	memcpy(&abi, base + 8, 4);
	assert_int_equal(abi, SHMQ_ABI_VERSION);
	abi = 99;
	memcpy(base + 8, &abi, 4);
	assert_int_equal(shmq_attach(p.instance, 1, &q2), -1);
	assert_int_equal(errno, EPROTO);
	assert_non_null(strstr(shmq_strerror(), "ABI version 99"));
	abi = SHMQ_ABI_VERSION;
	memcpy(base + 8, &abi, 4);
	assert_int_equal(shmq_attach(p.instance, 1, &q2), 0);
	shmq_detach(q2);
	munmap(base, 4096);

	/* recover replaces it */
	p.recover = 1;
	assert_int_equal(shmq_create(&p, &q2), 0);
	shmq_detach(q);
	shmq_destroy(q2);

	/* somebody else's object under our name */
	fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	assert_true(fd != -1);
	assert_int_equal(write(fd, "hello", 5), 5);
	assert_int_equal(shmq_attach(p.instance, 0, &q2), -1);
	assert_int_equal(errno, EPROTO);
	assert_non_null(strstr(shmq_strerror(), "not a FastOps queue"));
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	assert_int_equal(shmq_attach(p.instance, 0, &q2), -1);
	assert_int_equal(errno, EPROTO);
	/* all zeroes is what a creator's first moments look like */
	assert_int_equal(pwrite(fd, "\0\0\0\0\0\0\0\0", 8, 0), 8);
	assert_int_equal(shmq_attach(p.instance, 0, &q2), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(pwrite(fd, "JUNKJUNK\1", 9, 0), 9);
	assert_int_equal(shmq_attach(p.instance, 0, &q2), -1);
	assert_int_equal(errno, EPROTO);
	assert_non_null(strstr(shmq_strerror(), "not a FastOps queue"));
	close(fd);
	p.recover = 0;
	assert_int_equal(shmq_create(&p, &q2), -1);
	assert_int_equal(errno, EEXIST);
	shm_unlink(name);

	/* missing, and bad parameters */
	assert_int_equal(shmq_attach(p.instance, 1, &q2), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(shmq_attach("a/b", 1, &q2), -1);
	assert_int_equal(errno, EINVAL);
	p.payload_max = 10;
	assert_int_equal(shmq_create(&p, &q2), -1);
	assert_int_equal(errno, EINVAL);
	p.payload_max = 256;
	p.printer_station[2] = 5;
	assert_int_equal(shmq_create(&p, &q2), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(shmq_strerror(), "b1"));
}

/* Last: every test cleaned up after itself. */
static void
test_no_leftovers(void **state)
{
	DIR		*d;
	struct dirent	*de;
	char		 prefix[64];

	snprintf(prefix, sizeof(prefix), "fastops.t%d.", (int)getpid());
	assert_non_null(d = opendir("/dev/shm"));
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			fail_msg("left behind: /dev/shm/%s", de->d_name);
	closedir(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_priority_order, cleanup),
		cmocka_unit_test_teardown(test_aging, cleanup),
		cmocka_unit_test_teardown(test_promote, cleanup),
		cmocka_unit_test_teardown(test_cancel_retry_clear_avoid,
		    cleanup),
		cmocka_unit_test_teardown(test_capacity, cleanup),
		cmocka_unit_test_teardown(test_position_find_flags, cleanup),
		cmocka_unit_test_teardown(test_restore, cleanup),
		cmocka_unit_test_teardown(test_multiprocess, cleanup),
		cmocka_unit_test_teardown(test_crashpoints, cleanup),
		cmocka_unit_test_teardown(test_chaos_kill, cleanup),
		cmocka_unit_test_teardown(test_release_owner, cleanup),
		cmocka_unit_test_teardown(test_wakeup, cleanup),
		cmocka_unit_test_teardown(test_readonly, cleanup),
		cmocka_unit_test_teardown(test_minutes_hist, cleanup),
		cmocka_unit_test_teardown(test_abi_foreign, cleanup),
		cmocka_unit_test(test_no_leftovers),
	};

	/* repairs are logged as warnings; expected here */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
