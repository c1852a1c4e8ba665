/*
 * shmq — the print queue in POSIX shared memory.
 *
 * Layout.  A header (identity, geometry, the lock, counters, per-station
 * FIFOs, per-printer state, histograms, the per-minute ring) followed by a
 * table of fixed-size slots, each metadata plus payload_max bytes.  Lists
 * are linked through slot indices (UINT32_MAX ends them): every station has
 * one doubly linked FIFO per priority, and free slots form a LIFO list so
 * that a quiet queue keeps reusing the same few pages.  Slots at and above
 * the high-water mark `hwm` have never been used and are implicitly free;
 * they are not on the list, so creating a 65536-slot queue writes nothing
 * into the slot table and the working set grows only with the backlog.
 *
 * Why repair instead of careful ordering.  A process may die (SIGKILL, a
 * crash, the OOM killer) anywhere inside a critical section, and the robust
 * mutex then hands the next locker EOWNERDEAD.  Making every list operation
 * crash-atomic would need a careful protocol per operation and would still
 * leave counters half-updated.  Instead we keep one fact per slot that is
 * changed atomically and treat everything else as derived from it:
 *
 *  - Each slot has a 64-bit word sg = (generation << 8) | state.  It is
 *    written with one release store, the last slot change of an operation
 *    (the commit point).  Every other slot field is written before it.
 *  - Before changing anything, an operation records an intent in the
 *    header: the slot, the sg it is about to commit, a copy of the slot's
 *    metadata as it was (the undo image), and the header words it will
 *    change (monotonic counters, printer totals) with their values before
 *    and after.  The intent is cleared once all of that is written.
 *  - FIFOs, the free list and the gauges are pure functions of the slots:
 *    each FIFO is the PENDING slots of its station and priority sorted by
 *    their `order` key (drawn from hdr->next_order at enqueue and kept by
 *    retries and promotions, so insertion in sorted position keeps every
 *    FIFO sorted), the free list is the FREE slots below hwm.
 *
 * Repair is then short and obviously complete: settle the intent (slot sg
 * equal to the intended one means the operation committed: set its words
 * to their after values; otherwise restore the undo image and the before
 * values), hand the dead lock holder's PROCESSING jobs back to PENDING
 * flagged SHMQ_F_MAYBE_PRINTED (it may have died mid-print), rebuild every
 * list and gauge from the slots, count the repair.  It is O(nslots), but
 * it runs only when a process died holding the lock.  It is also
 * idempotent, so a repairer that dies in turn leaves a state the next one
 * repairs the same way: the intent is cleared only after it is settled,
 * and each handed-back job is its own small intent.
 *
 * What is not covered: histograms, the per-minute series, last_error and
 * current_job are statistics written after the commit; a death there may
 * drop one sample (current_job is recomputed).  They are never used to
 * decide anything.
 *
 * Readers without write access (fastops-top --shm, fastops-ctl --shm) cannot
 * take the mutex, so every critical section is also a seqlock write
 * section: seq is odd while the structure changes.  Writers are serialised
 * by the mutex, so the sequence needs only ordered stores, no atomic
 * read-modify-write.  A writer that dies leaves seq odd until the repair;
 * readers give up with EAGAIN after a bounded wait instead of hanging.
 *
 * Waiting uses one futex word per station, bumped after every operation
 * that may make a job claimable there, and a waiter count so that the
 * common case (nobody asleep) costs no system call.  A waiter that is
 * killed while asleep leaves the count raised; that costs wakers a
 * needless FUTEX_WAKE each, never a lost wake-up.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/futex.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "histogram.h"
#include "log.h"
#include "shmq.h"

#define SHMQ_MAGIC		"FOPSSHMQ"
#define NONE			UINT32_MAX	/* end of a slot list */
#define AVOID_SCAN		16	/* jobs looked at per FIFO when avoiding */
#define INTENT_WORDS		4	/* header words one operation changes */
#define PAYLOAD_LIMIT		(16U * 1024 * 1024)
#define SEQ_READ_NS		(100 * NS_PER_MS) /* readers give up after */

/*
 * Crash points: numbered places inside critical sections where a test can
 * make the process die (shmq_set_crashpoint).  Each is chosen where a
 * death leaves the most to repair.
 */
enum {
	SHMQ_CP_ENQ_TAKEN = 1,		/* enqueue: slot off the free list,
					   fields half written, not committed */
	SHMQ_CP_ENQ_COMMITTED,		/* enqueue: committed, not on its FIFO,
					   counters not updated */
	SHMQ_CP_CLAIM_UNLINKED,		/* claim: off its FIFO, not committed */
	SHMQ_CP_CLAIM_COMMITTED,	/* claim: PROCESSING, counters and
					   printer not updated */
	SHMQ_CP_COMPLETE_COMMITTED,	/* complete: FREE but not on the free
					   list, counters not updated */
	SHMQ_CP_FAIL_UNCOMMITTED,	/* fail (retry): avoid/printer/owner
					   rewritten, still PROCESSING */
	SHMQ_CP_FAIL_COMMITTED,		/* fail (retry): PENDING, not on its
					   FIFO, counters not updated */
	SHMQ_CP_GIVEUP_COMMITTED,	/* fail (give up): FAILED, counters and
					   gauges not updated */
	SHMQ_CP_PROMOTE_MIDMOVE,	/* promote: off the normal FIFO, prio
					   rewritten, not committed, on no list */
	SHMQ_CP_CANCEL_UNLINKED,	/* cancel: off its FIFO, not committed */
	SHMQ_CP_RETRY_COMMITTED,	/* retry: PENDING, not on its FIFO */
	SHMQ_CP_RELEASE_PARTIAL,	/* release_owner: first job committed,
					   not on its FIFO, others untouched */
	SHMQ_CP_REPAIR,			/* repair: intent settled, dead
					   holder's jobs and lists not done */
	SHMQ_CP_COUNT = SHMQ_CP_REPAIR
};

#define CRASHPOINT(k) do {						\
	if (__builtin_expect(shmq_crashpoint == (k), 0))		\
		crash_now();						\
} while (0)

/* Operations, as recorded in the intent. */
enum {
	OP_NONE = 0,
	OP_ENQUEUE,
	OP_CLAIM,
	OP_COMPLETE,
	OP_FAIL,
	OP_CANCEL,
	OP_PROMOTE,
	OP_RETRY,
	OP_CLEAR,
	OP_RELEASE,
	OP_GIVEUP,
};

static const char *const opnames[] = {
	"nothing", "enqueue", "claim", "complete", "fail", "cancel",
	"promote", "retry", "clear", "release", "give up",
};

/* Slot metadata; payload_max bytes of payload follow it. */
struct slot {
	uint64_t	sg;		/* (generation << 8) | state: commit */
	uint64_t	job_id;
	uint64_t	order_id;
	uint64_t	order;		/* service order key, unique */
	uint64_t	enqueued_ns;
	uint64_t	claimed_ns;
	uint32_t	prev;		/* FIFO links; free list uses next */
	uint32_t	next;
	uint32_t	flags;
	uint32_t	attempts;
	int32_t		printer;	/* claimer, -1 while pending */
	int32_t		avoid_printer;
	int32_t		owner;		/* claiming pid while PROCESSING */
	uint32_t	payload_len;
	uint16_t	station;
	uint8_t		prio;		/* FIFO it is in: URGENT once promoted */
	uint8_t		pad0;
	uint32_t	pad1;
};

struct fifo {
	uint32_t	head;
	uint32_t	tail;
	uint32_t	count;
};

struct station {
	char		name[SHMQ_NAME_MAX];
	struct fifo	fifo[SHMQ_NPRIO];
	uint32_t	pad;
	uint64_t	printers;	/* bit p: printer p serves here */
	/* Written by every waker and waiter: keep off the FIFOs' line. */
	_Alignas(64) uint32_t futex;
	uint32_t	waiters;
};

/* A header word an operation changes, to be settled by repair. */
struct hword {
	uint32_t	off;		/* byte offset in the header */
	uint32_t	width;		/* 4 or 8 */
	uint64_t	before;
	uint64_t	after;
};

struct intent {
	uint32_t	op;		/* OP_NONE when no operation is open */
	uint32_t	slot;
	uint64_t	new_sg;		/* sg the operation commits */
	uint32_t	nwords;
	uint32_t	pad;
	struct hword	word[INTENT_WORDS];
	struct slot	saved;		/* the slot before the operation */
};

struct hdr {
	char		magic[8];	/* SHMQ_MAGIC, written last */
	uint32_t	abi;
	uint32_t	hdr_size;
	uint64_t	total_size;
	uint64_t	slots_off;
	uint32_t	slot_size;
	uint32_t	nslots;
	uint32_t	payload_max;
	uint32_t	nstations;
	uint32_t	nprinters;
	uint32_t	pad0;
	char		instance[SHMQ_INSTANCE_MAX];
	uint64_t	generation;	/* bumped when a segment is replaced */
	uint64_t	created_ns;	/* CLOCK_REALTIME */
	uint64_t	low_max_wait_ns;

	_Alignas(64) pthread_mutex_t mutex;
	_Alignas(64) uint64_t seq;	/* odd while a writer is inside */
	uint32_t	wake_gen;	/* bumped by shmq_wake_all */
	int32_t		lock_holder;	/* pid holding the mutex, or 0 */
	uint32_t	free_head;
	uint32_t	hwm;		/* slots >= hwm never used: free */
	uint64_t	next_order;
	struct intent	intent;

	struct shmq_counters	 counters;
	struct shmq_printer_info printer[SHMQ_MAX_PRINTERS];
	struct station		 station[SHMQ_MAX_STATIONS];
	struct histogram	 hist[SHMQ_NHIST];
	struct shmq_minute	 minute[SHMQ_MINUTES];
};

struct shmq {
	struct hdr	*hdr;
	unsigned char	*slots;
	size_t		 size;
	size_t		 slot_size;
	uint32_t	 nslots;
	int		 readonly;
	char		 name[SHMQ_INSTANCE_MAX + 16];
};

enum minute_field { M_ENQUEUED, M_COMPLETED, M_FAILED };

static void	 crash_now(void) __attribute__((noreturn, cold));
static void	 seterr(const char *, ...) __attribute__((format(printf, 1, 2)));
static void	 pid_reset(void);
static void	 pid_init(void);
static int	 shm_name(const char *, char *, size_t);
static uint64_t	 old_generation(const char *);
static int	 check_params(const struct shmq_params *);
static void	 init_header(struct shmq *, const struct shmq_params *,
		    uint64_t, size_t, size_t);
static int	 init_mutex(pthread_mutex_t *);
static int	 validate_header(const struct hdr *, const char *, size_t);
static int	 qlock(struct shmq *);
static void	 qunlock(struct shmq *, uint32_t);
static void	 seq_write_begin(struct hdr *);
static void	 seq_write_end(struct hdr *);
static int	 seq_read_begin(const struct hdr *, uint64_t *, uint64_t *);
static int	 seq_read_end(const struct hdr *, uint64_t, uint64_t *);
static int	 seq_backoff(uint64_t *);
static void	 station_wake(struct hdr *, uint32_t);
static long	 futex_op(uint32_t *, int, uint32_t, const struct timespec *);
static struct slot *slot_at(const struct shmq *, uint32_t);
static unsigned char *slot_payload(struct slot *);
static struct slot *ref_slot(struct shmq *, const struct shmq_ref *);
static void	 slot_to_job(const struct slot *, struct shmq_job *);
static void	 commit(struct slot *, uint64_t);
static uint64_t	 next_sg(uint64_t, unsigned);
static void	 intent_begin(struct shmq *, uint32_t, const struct slot *);
static void	 intent_u64(struct shmq *, uint64_t *, uint64_t);
static void	 intent_u32(struct shmq *, uint32_t *, uint32_t);
static void	 intent_arm(struct shmq *, uint32_t, uint64_t);
static void	 intent_apply(struct shmq *);
static void	 intent_end(struct shmq *);
static void	 fifo_append(struct shmq *, struct fifo *, uint32_t);
static void	 fifo_unlink(struct shmq *, struct fifo *, uint32_t);
static void	 fifo_insert(struct shmq *, struct fifo *, uint32_t);
static uint32_t	 free_peek(struct shmq *);
static void	 free_take(struct shmq *, uint32_t);
static void	 free_push(struct shmq *, uint32_t);
static int	 sibling_can_print(struct shmq *, uint32_t, uint32_t);
static uint32_t	 fifo_first(struct shmq *, uint32_t, uint32_t, uint32_t,
		    int *);
static uint32_t	 pick(struct shmq *, uint32_t, uint32_t, uint64_t, int *);
static void	 release_slot(struct shmq *, uint32_t, struct slot *);
static int	 put_job(struct shmq *, const struct shmq_job *,
		    struct shmq_ref *, unsigned, uint32_t, int);
static void	 settle_intent(struct shmq *);
static uint32_t	 sort_by_order(struct shmq *, uint32_t);
static void	 rebuild(struct shmq *);
static void	 repair(struct shmq *);
static void	 minute_count(struct hdr *, enum minute_field);
static uint64_t	 minute_now(void);
static void	 copy_text(char *, size_t, const char *);
static uint64_t	 since(uint64_t, uint64_t);
static int	 check_locked(struct shmq *);

static int		 shmq_crashpoint;
static pid_t		 shmq_pid;	/* getpid() is a system call */
static pthread_once_t	 shmq_pid_once = PTHREAD_ONCE_INIT;
static _Thread_local char shmq_errbuf[256];

/* --- small helpers ------------------------------------------------------ */

static void
crash_now(void)
{
	raise(SIGKILL);
	abort();
}

static void
seterr(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vsnprintf(shmq_errbuf, sizeof(shmq_errbuf), fmt, ap);
	va_end(ap);
	errno = saved;
}

const char *
shmq_strerror(void)
{
	return shmq_errbuf[0] != '\0' ? shmq_errbuf : "no error";
}

/* A forked child must not claim jobs in its parent's name. */
static void
pid_reset(void)
{
	shmq_pid = getpid();
}

static void
pid_init(void)
{
	shmq_pid = getpid();
	pthread_atfork(NULL, NULL, pid_reset);
}

void
shmq_set_crashpoint(int n)
{
	shmq_crashpoint = n;
}

int
shmq_crashpoints(void)
{
	return SHMQ_CP_COUNT;
}

static int
shm_name(const char *instance, char *buf, size_t size)
{
	size_t	len;

	if (instance == NULL || (len = strlen(instance)) == 0 ||
	    len >= SHMQ_INSTANCE_MAX || strchr(instance, '/') != NULL) {
		seterr("bad instance name \"%s\"",
		    instance != NULL ? instance : "(null)");
		errno = EINVAL;
		return -1;
	}
	snprintf(buf, size, "/fastops.%s", instance);
	return 0;
}

/* Bounded copy that never cuts a UTF-8 sequence in half. */
static void
copy_text(char *dst, size_t size, const char *src)
{
	size_t	n;

	n = strnlen(src, size - 1);
	if (src[n] != '\0') {
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Interval that tolerates a timestamp from slightly ahead. */
static uint64_t
since(uint64_t then, uint64_t now)
{
	return now > then ? now - then : 0;
}

static struct slot *
slot_at(const struct shmq *q, uint32_t i)
{
	return (struct slot *)(q->slots + (size_t)i * q->slot_size);
}

static unsigned char *
slot_payload(struct slot *sl)
{
	return (unsigned char *)(sl + 1);
}

#define STATE(sg)	((unsigned)((sg) & 0xff))

static uint64_t
next_sg(uint64_t sg, unsigned state)
{
	return (((sg >> 8) + 1) << 8) | state;
}

/* The commit point of every operation: all other writes precede it. */
static void
commit(struct slot *sl, uint64_t sg)
{
	__atomic_store_n(&sl->sg, sg, __ATOMIC_RELEASE);
}

/* Resolve a ref under the lock; NULL when the job is no longer there. */
static struct slot *
ref_slot(struct shmq *q, const struct shmq_ref *ref)
{
	struct slot	*sl;

	if (ref == NULL || ref->slot >= q->nslots)
		return NULL;
	sl = slot_at(q, ref->slot);
	if (STATE(sl->sg) == SHMQ_FREE || sl->job_id != ref->job_id)
		return NULL;
	return sl;
}

static void
slot_to_job(const struct slot *sl, struct shmq_job *job)
{
	job->job_id = sl->job_id;
	job->order_id = sl->order_id;
	job->station = sl->station;
	job->prio = sl->prio;
	job->state = (uint8_t)STATE(sl->sg);
	job->flags = sl->flags;
	job->attempts = sl->attempts;
	job->printer = sl->printer;
	job->avoid_printer = sl->avoid_printer;
	job->owner = sl->owner;
	job->enqueued_ns = sl->enqueued_ns;
	job->claimed_ns = sl->claimed_ns;
	job->payload_len = sl->payload_len;
	job->payload = sl + 1;
}

/* --- the lock and the seqlock --------------------------------------------- */

static void
seq_write_begin(struct hdr *h)
{
	__atomic_store_n(&h->seq, __atomic_load_n(&h->seq, __ATOMIC_RELAXED) +
	    1, __ATOMIC_RELAXED);
	/* the data stores that follow must not pass the odd sequence */
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void
seq_write_end(struct hdr *h)
{
	__atomic_store_n(&h->seq, __atomic_load_n(&h->seq, __ATOMIC_RELAXED) +
	    1, __ATOMIC_RELEASE);
}

/*
 * Readers wait for an even sequence, copy, and retry if it moved.  The
 * bound is in time, not tries, so that a writer merely preempted inside
 * its critical section does not make readers fail.
 */
static int
seq_backoff(uint64_t *deadline)
{
	uint64_t	now = clock_mono_ns();

	if (*deadline == 0)
		*deadline = now + SEQ_READ_NS;
	else if (now >= *deadline) {
		seterr("queue segment busy: a writer holds it, or died "
		    "holding it and no one has repaired it yet");
		errno = EAGAIN;
		return -1;
	}
	sched_yield();
	return 0;
}

static int
seq_read_begin(const struct hdr *h, uint64_t *s, uint64_t *deadline)
{
	for (;;) {
		*s = __atomic_load_n(&h->seq, __ATOMIC_ACQUIRE);
		if ((*s & 1) == 0)
			return 0;
		if (seq_backoff(deadline) == -1)
			return -1;
	}
}

/* 0: the copy is consistent; 1: copy again; -1: gave up (EAGAIN). */
static int
seq_read_end(const struct hdr *h, uint64_t s, uint64_t *deadline)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&h->seq, __ATOMIC_RELAXED) == s)
		return 0;
	return seq_backoff(deadline) == -1 ? -1 : 1;
}

/*
 * Take the lock.  EOWNERDEAD means a process died inside a critical
 * section: repair before anyone else can look.
 */
static int
qlock(struct shmq *q)
{
	struct hdr	*h = q->hdr;
	int		 rc;

	if (q->readonly) {
		seterr("%s is attached read-only", q->name);
		errno = EROFS;
		return -1;
	}
	rc = pthread_mutex_lock(&h->mutex);
	if (rc == EOWNERDEAD) {
		repair(q);
		if ((rc = pthread_mutex_consistent(&h->mutex)) != 0)
			pthread_mutex_unlock(&h->mutex);
	}
	if (rc != 0) {
		seterr("%s: lock: %s", q->name, strerror(rc));
		errno = rc;
		return -1;
	}
	h->lock_holder = shmq_pid;
	seq_write_begin(h);
	return 0;
}

/* Unlock, then wake the stations the operation made work available at. */
static void
qunlock(struct shmq *q, uint32_t wake)
{
	struct hdr	*h = q->hdr;
	uint32_t	 s;

	seq_write_end(h);
	h->lock_holder = 0;
	pthread_mutex_unlock(&h->mutex);
	while (wake != 0) {
		s = (uint32_t)__builtin_ctz(wake);
		wake &= wake - 1;
		station_wake(h, s);
	}
}

/* --- waking --------------------------------------------------------------- */

static long
futex_op(uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	/* not the _PRIVATE variants: waiters live in other processes */
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

/*
 * Pairs with shmq_claim_wait: the waiter raises waiters then re-reads the
 * word, we bump the word then read waiters, both sequentially consistent,
 * so at least one of us sees the other.
 */
static void
station_wake(struct hdr *h, uint32_t s)
{
	struct station	*st = &h->station[s];

	__atomic_add_fetch(&st->futex, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&st->waiters, __ATOMIC_SEQ_CST) != 0)
		futex_op(&st->futex, FUTEX_WAKE, INT_MAX, NULL);
}

void
shmq_wake_all(struct shmq *q)
{
	struct hdr	*h = q->hdr;
	uint32_t	 s;

	if (q->readonly)
		return;
	__atomic_add_fetch(&h->wake_gen, 1, __ATOMIC_SEQ_CST);
	for (s = 0; s < h->nstations; s++) {
		__atomic_add_fetch(&h->station[s].futex, 1, __ATOMIC_SEQ_CST);
		futex_op(&h->station[s].futex, FUTEX_WAKE, INT_MAX, NULL);
	}
}

/* --- intents --------------------------------------------------------------- */

/* Open an intent on slot idx; nothing is armed until intent_arm. */
static void
intent_begin(struct shmq *q, uint32_t idx, const struct slot *sl)
{
	struct intent	*in = &q->hdr->intent;

	in->slot = idx;
	in->nwords = 0;
	in->saved = *sl;
}

static void
intent_u64(struct shmq *q, uint64_t *w, uint64_t after)
{
	struct intent	*in = &q->hdr->intent;
	struct hword	*hw = &in->word[in->nwords++];

	hw->off = (uint32_t)((char *)w - (char *)q->hdr);
	hw->width = 8;
	hw->before = *w;
	hw->after = after;
}

static void
intent_u32(struct shmq *q, uint32_t *w, uint32_t after)
{
	struct intent	*in = &q->hdr->intent;
	struct hword	*hw = &in->word[in->nwords++];

	hw->off = (uint32_t)((char *)w - (char *)q->hdr);
	hw->width = 4;
	hw->before = *w;
	hw->after = after;
}

/*
 * From here until intent_end, a death is settled from the intent.  The
 * compiler must not move slot or list writes above the op store.
 */
static void
intent_arm(struct shmq *q, uint32_t op, uint64_t new_sg)
{
	struct intent	*in = &q->hdr->intent;

	in->new_sg = new_sg;
	__atomic_store_n(&in->op, op, __ATOMIC_RELEASE);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/* Write the after values: the operation's counter updates. */
static void
intent_apply(struct shmq *q)
{
	struct intent	*in = &q->hdr->intent;
	struct hword	*hw;
	uint32_t	 i, v32;
	char		*p;

	for (i = 0; i < in->nwords; i++) {
		hw = &in->word[i];
		p = (char *)q->hdr + hw->off;
		if (hw->width == 8)
			memcpy(p, &hw->after, 8);
		else {
			v32 = (uint32_t)hw->after;
			memcpy(p, &v32, 4);
		}
	}
}

static void
intent_end(struct shmq *q)
{
	__atomic_store_n(&q->hdr->intent.op, OP_NONE, __ATOMIC_RELEASE);
}

/* --- lists ------------------------------------------------------------------ */

static void
fifo_append(struct shmq *q, struct fifo *f, uint32_t idx)
{
	struct slot	*sl = slot_at(q, idx);

	sl->prev = f->tail;
	sl->next = NONE;
	if (f->tail != NONE)
		slot_at(q, f->tail)->next = idx;
	else
		f->head = idx;
	f->tail = idx;
	f->count++;
}

static void
fifo_unlink(struct shmq *q, struct fifo *f, uint32_t idx)
{
	struct slot	*sl = slot_at(q, idx);

	if (sl->prev != NONE)
		slot_at(q, sl->prev)->next = sl->next;
	else
		f->head = sl->next;
	if (sl->next != NONE)
		slot_at(q, sl->next)->prev = sl->prev;
	else
		f->tail = sl->prev;
	sl->prev = sl->next = NONE;
	f->count--;
}

/*
 * Insert by order key.  A job coming back (retry, release, promotion) is
 * older than most of the FIFO, so look from the head.
 */
static void
fifo_insert(struct shmq *q, struct fifo *f, uint32_t idx)
{
	struct slot	*sl = slot_at(q, idx);
	uint32_t	 at;

	if (f->tail == NONE || slot_at(q, f->tail)->order < sl->order) {
		fifo_append(q, f, idx);
		return;
	}
	/* the tail's key is larger, so this stops before running off */
	for (at = f->head; slot_at(q, at)->order < sl->order;
	    at = slot_at(q, at)->next)
		;
	sl->next = at;
	sl->prev = slot_at(q, at)->prev;
	if (sl->prev != NONE)
		slot_at(q, sl->prev)->next = idx;
	else
		f->head = idx;
	slot_at(q, at)->prev = idx;
	f->count++;
}

/* The slot the next enqueue will use, without taking it. */
static uint32_t
free_peek(struct shmq *q)
{
	struct hdr	*h = q->hdr;

	if (h->free_head != NONE)
		return h->free_head;
	if (h->hwm < q->nslots)
		return h->hwm;
	return NONE;
}

static void
free_take(struct shmq *q, uint32_t idx)
{
	struct hdr	*h = q->hdr;

	if (idx == h->free_head) {
		h->free_head = slot_at(q, idx)->next;
		slot_at(q, idx)->next = NONE;
	} else
		h->hwm = idx + 1;
}

/* LIFO: the slot just freed, whose pages are warm, is the next used. */
static void
free_push(struct shmq *q, uint32_t idx)
{
	struct slot	*sl = slot_at(q, idx);

	sl->prev = NONE;
	sl->next = q->hdr->free_head;
	q->hdr->free_head = idx;
}

/* --- life cycle ------------------------------------------------------------ */

static int
check_params(const struct shmq_params *p)
{
	uint32_t	i;

	if (p->payload_max < 64 || p->payload_max > PAYLOAD_LIMIT) {
		seterr("payload_max %u out of range 64..%u", p->payload_max,
		    PAYLOAD_LIMIT);
		return -1;
	}
	if (p->nslots >= NONE) {
		seterr("nslots %u too large", p->nslots);
		return -1;
	}
	if (p->nstations == 0 || p->nstations > SHMQ_MAX_STATIONS) {
		seterr("nstations %u out of range 1..%d", p->nstations,
		    SHMQ_MAX_STATIONS);
		return -1;
	}
	if (p->nprinters > SHMQ_MAX_PRINTERS) {
		seterr("nprinters %u above %d", p->nprinters,
		    SHMQ_MAX_PRINTERS);
		return -1;
	}
	for (i = 0; i < p->nstations; i++) {
		if (p->stations[i] == NULL ||
		    strlen(p->stations[i]) >= SHMQ_NAME_MAX) {
			seterr("station %u: missing or longer than %d bytes",
			    i, SHMQ_NAME_MAX - 1);
			return -1;
		}
	}
	for (i = 0; i < p->nprinters; i++) {
		if (p->printers[i] == NULL ||
		    strlen(p->printers[i]) >= SHMQ_NAME_MAX) {
			seterr("printer %u: missing or longer than %d bytes",
			    i, SHMQ_NAME_MAX - 1);
			return -1;
		}
		if (p->printer_station[i] >= p->nstations) {
			seterr("printer %s: station %u does not exist",
			    p->printers[i], p->printer_station[i]);
			return -1;
		}
	}
	return 0;
}

static int
init_mutex(pthread_mutex_t *m)
{
	pthread_mutexattr_t	attr;
	int			rc;

	if ((rc = pthread_mutexattr_init(&attr)) != 0)
		return rc;
	if ((rc = pthread_mutexattr_setpshared(&attr,
	    PTHREAD_PROCESS_SHARED)) != 0 ||
	    (rc = pthread_mutexattr_setrobust(&attr,
	    PTHREAD_MUTEX_ROBUST)) != 0 ||
	    /* relocking from a shmq_foreach callback fails, not hangs */
	    (rc = pthread_mutexattr_settype(&attr,
	    PTHREAD_MUTEX_ERRORCHECK)) != 0)
		goto out;
	rc = pthread_mutex_init(m, &attr);
out:
	pthread_mutexattr_destroy(&attr);
	return rc;
}

static void
init_header(struct shmq *q, const struct shmq_params *p, uint64_t gen,
    size_t slots_off, size_t slot_size)
{
	struct hdr	*h = q->hdr;
	struct station	*st;
	uint32_t	 i, k;

	/* ftruncate gave us zeroes; only what is not zero is set here */
	h->abi = SHMQ_ABI_VERSION;
	h->hdr_size = sizeof(*h);
	h->total_size = q->size;
	h->slots_off = slots_off;
	h->slot_size = (uint32_t)slot_size;
	h->nslots = q->nslots;
	h->payload_max = p->payload_max;
	h->nstations = p->nstations;
	h->nprinters = p->nprinters;
	snprintf(h->instance, sizeof(h->instance), "%s", p->instance);
	h->generation = gen;
	h->created_ns = clock_real_ns();
	h->low_max_wait_ns = p->low_max_wait_ns;
	h->free_head = NONE;
	h->next_order = 1;
	h->counters.nslots = q->nslots;
	h->counters.free_slots = q->nslots;
	for (i = 0; i < p->nstations; i++) {
		st = &h->station[i];
		snprintf(st->name, sizeof(st->name), "%s", p->stations[i]);
		for (k = 0; k < SHMQ_NPRIO; k++)
			st->fifo[k].head = st->fifo[k].tail = NONE;
	}
	for (i = 0; i < p->nprinters; i++) {
		snprintf(h->printer[i].name, sizeof(h->printer[i].name), "%s",
		    p->printers[i]);
		h->printer[i].station = p->printer_station[i];
		h->printer[i].circuit = SHMQ_CIRCUIT_CLOSED;
		h->printer[i].circuit_since_ns = clock_mono_ns();
		h->station[p->printer_station[i]].printers |= 1ULL << i;
	}
	for (i = 0; i < SHMQ_NHIST; i++)
		hist_init(&h->hist[i]);
}

/* Generation of a segment about to be replaced, so attachers can tell. */
static uint64_t
old_generation(const char *name)
{
	struct stat	 st;
	struct hdr	*h;
	uint64_t	 gen = 0;
	int		 fd;

	if ((fd = shm_open(name, O_RDONLY, 0)) == -1)
		return 0;
	if (fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof(*h)) {
		h = mmap(NULL, sizeof(*h), PROT_READ, MAP_SHARED, fd, 0);
		if (h != MAP_FAILED) {
			if (memcmp(h->magic, SHMQ_MAGIC, 8) == 0 &&
			    h->abi == SHMQ_ABI_VERSION)
				gen = h->generation;
			munmap(h, sizeof(*h));
		}
	}
	close(fd);
	return gen;
}

int
shmq_create(const struct shmq_params *p, struct shmq **out)
{
	struct shmq	*q = NULL;
	void		*base = MAP_FAILED;
	size_t		 slots_off, slot_size, size = 0;
	uint64_t	 gen = 1;
	int		 fd = -1, created = 0, rc, saved;

	pthread_once(&shmq_pid_once, pid_init);
	*out = NULL;
	if (p == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL)
		goto fail;
	if (shm_name(p->instance, q->name, sizeof(q->name)) == -1)
		goto fail;
	if (check_params(p) == -1) {
		errno = EINVAL;
		goto fail;
	}
	q->nslots = p->nslots != 0 ? p->nslots : 65536;
	slot_size = (sizeof(struct slot) + p->payload_max + 63) & ~(size_t)63;
	slots_off = (sizeof(struct hdr) + 4095) & ~(size_t)4095;
	size = slots_off + (size_t)q->nslots * slot_size;
	q->slot_size = slot_size;
	q->size = size;

	fd = shm_open(q->name, O_CREAT | O_EXCL | O_RDWR, 0660);
	if (fd == -1 && errno == EEXIST && p->recover) {
		gen = old_generation(q->name) + 1;
		if (shm_unlink(q->name) == -1 && errno != ENOENT) {
			seterr("%s: unlink: %s", q->name, strerror(errno));
			goto fail;
		}
		fd = shm_open(q->name, O_CREAT | O_EXCL | O_RDWR, 0660);
	}
	if (fd == -1) {
		seterr("%s: %s", q->name, strerror(errno));
		goto fail;
	}
	created = 1;
	/* the umask must not keep the workers' group out */
	if (fchmod(fd, 0660) == -1 || ftruncate(fd, (off_t)size) == -1) {
		seterr("%s: %s", q->name, strerror(errno));
		goto fail;
	}
	/*
	 * Reserve the memory now: tmpfs hands out pages lazily, and a full
	 * /dev/shm would otherwise surface as SIGBUS inside a critical
	 * section instead of an error here.
	 */
	rc = posix_fallocate(fd, 0, (off_t)size);
	if (rc != 0 && rc != EOPNOTSUPP && rc != EINVAL) {
		errno = rc;
		seterr("%s: reserving %zu bytes: %s", q->name, size,
		    strerror(rc));
		goto fail;
	}
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		seterr("%s: mmap: %s", q->name, strerror(errno));
		goto fail;
	}
	q->hdr = base;
	q->slots = (unsigned char *)base + slots_off;
	init_header(q, p, gen, slots_off, slot_size);
	if ((rc = init_mutex(&q->hdr->mutex)) != 0) {
		errno = rc;
		seterr("%s: mutex: %s", q->name, strerror(rc));
		goto fail;
	}
	/* attachers see the magic only once the rest is in place */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(q->hdr->magic, SHMQ_MAGIC, 8);
	close(fd);
	*out = q;
	return 0;

fail:
	saved = errno;
	if (base != MAP_FAILED)
		munmap(base, size);
	if (fd != -1)
		close(fd);
	if (created)
		shm_unlink(q->name);
	free(q);
	errno = saved;
	return -1;
}

/* Refuse what is not one of our segments, with a reason people can act on. */
static int
validate_header(const struct hdr *h, const char *name, size_t size)
{
	static const char	zero[8];
	uint64_t		slots_end;
	uint32_t		i;

	if (memcmp(h->magic, zero, 8) == 0 && h->abi == 0) {
		seterr("%s: segment not initialised (still being created, "
		    "or its creator died)", name);
		errno = EAGAIN;
		return -1;
	}
	if (memcmp(h->magic, SHMQ_MAGIC, 8) != 0) {
		seterr("%s: not a FastOps queue segment", name);
		errno = EPROTO;
		return -1;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (h->abi != SHMQ_ABI_VERSION) {
		seterr("%s: segment ABI version %u, this program speaks %d",
		    name, h->abi, SHMQ_ABI_VERSION);
		errno = EPROTO;
		return -1;
	}
	if (h->hdr_size != sizeof(*h)) {
		seterr("%s: header of %u bytes, this program expects %zu "
		    "(built for another platform?)", name, h->hdr_size,
		    sizeof(*h));
		errno = EPROTO;
		return -1;
	}
	slots_end = h->slots_off + (uint64_t)h->nslots * h->slot_size;
	if (h->total_size != size || slots_end != size ||
	    h->slots_off < sizeof(*h) || h->nslots >= NONE ||
	    h->slot_size < sizeof(struct slot) + h->payload_max ||
	    h->nstations == 0 || h->nstations > SHMQ_MAX_STATIONS ||
	    h->nprinters > SHMQ_MAX_PRINTERS) {
		seterr("%s: inconsistent geometry (segment is %zu bytes, "
		    "header says %llu)", name, size,
		    (unsigned long long)h->total_size);
		errno = EPROTO;
		return -1;
	}
	/* used as indexes without further checks from here on */
	for (i = 0; i < h->nprinters; i++) {
		if (h->printer[i].station >= h->nstations) {
			seterr("%s: printer %u at station %u of %u", name, i,
			    h->printer[i].station, h->nstations);
			errno = EPROTO;
			return -1;
		}
	}
	return 0;
}

int
shmq_attach(const char *instance, int readonly, struct shmq **out)
{
	struct shmq	*q = NULL;
	struct stat	 st;
	void		*base = MAP_FAILED;
	size_t		 size = 0;
	int		 fd = -1, saved;

	pthread_once(&shmq_pid_once, pid_init);
	*out = NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		goto fail;
	if (shm_name(instance, q->name, sizeof(q->name)) == -1)
		goto fail;
	q->readonly = readonly != 0;
	fd = shm_open(q->name, readonly ? O_RDONLY : O_RDWR, 0);
	if (fd == -1) {
		seterr("%s: %s", q->name, strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) == -1) {
		seterr("%s: %s", q->name, strerror(errno));
		goto fail;
	}
	size = (size_t)st.st_size;
	if (size < sizeof(struct hdr)) {
		seterr("%s: not a FastOps queue segment (%zu bytes)", q->name,
		    size);
		errno = EPROTO;
		goto fail;
	}
	base = mmap(NULL, size, readonly ? PROT_READ : PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		seterr("%s: mmap: %s", q->name, strerror(errno));
		goto fail;
	}
	if (validate_header(base, q->name, size) == -1)
		goto fail;
	q->hdr = base;
	q->size = size;
	q->slots = (unsigned char *)base + q->hdr->slots_off;
	q->slot_size = q->hdr->slot_size;
	q->nslots = q->hdr->nslots;
	close(fd);
	*out = q;
	return 0;

fail:
	saved = errno;
	if (base != MAP_FAILED)
		munmap(base, size);
	if (fd != -1)
		close(fd);
	free(q);
	errno = saved;
	return -1;
}

void
shmq_detach(struct shmq *q)
{
	if (q == NULL)
		return;
	munmap(q->hdr, q->size);
	free(q);
}

void
shmq_destroy(struct shmq *q)
{
	if (q == NULL)
		return;
	shm_unlink(q->name);
	shmq_detach(q);
}

/* --- repair ----------------------------------------------------------------- */

/*
 * Settle the operation that was open when its process died: committed
 * (the slot carries the intended sg) means roll the header words forward,
 * otherwise put the slot and the words back as they were.
 */
static void
settle_intent(struct shmq *q)
{
	struct hdr	*h = q->hdr;
	struct intent	*in = &h->intent;
	struct hword	*hw;
	struct slot	*sl;
	uint64_t	 v;
	uint32_t	 i, v32;
	int		 committed = 0;

	if (in->op == OP_NONE)
		return;
	if (in->slot < q->nslots) {
		sl = slot_at(q, in->slot);
		committed = sl->sg == in->new_sg;
		if (!committed)
			*sl = in->saved;
	}
	for (i = 0; i < in->nwords && i < INTENT_WORDS; i++) {
		hw = &in->word[i];
		if ((hw->width != 4 && hw->width != 8) ||
		    hw->off + hw->width > sizeof(*h))
			continue;
		v = committed ? hw->after : hw->before;
		if (hw->width == 8)
			memcpy((char *)h + hw->off, &v, 8);
		else {
			v32 = (uint32_t)v;
			memcpy((char *)h + hw->off, &v32, 4);
		}
	}
	log_warnx("%s: interrupted %s on slot %u %s", q->name,
	    in->op < sizeof(opnames) / sizeof(opnames[0]) ? opnames[in->op] :
	    "operation", in->slot, committed ? "had committed: rolled forward" :
	    "had not committed: rolled back");
	intent_end(q);
}

/*
 * Merge sort of a list linked through next, by order key (Tatham's
 * bottom-up list merge sort): O(n log n) without allocating, which matters
 * in a repair path.
 */
static uint32_t
sort_by_order(struct shmq *q, uint32_t list)
{
	uint32_t	p, r, e, tail, insize = 1, nmerges, psize, rsize, i;

	if (list == NONE)
		return NONE;
	for (;;) {
		p = list;
		list = tail = NONE;
		nmerges = 0;
		while (p != NONE) {
			nmerges++;
			r = p;
			psize = 0;
			for (i = 0; i < insize && r != NONE; i++) {
				psize++;
				r = slot_at(q, r)->next;
			}
			rsize = insize;
			while (psize > 0 || (rsize > 0 && r != NONE)) {
				if (psize == 0 || (rsize > 0 && r != NONE &&
				    slot_at(q, r)->order <
				    slot_at(q, p)->order)) {
					e = r;
					r = slot_at(q, r)->next;
					rsize--;
				} else {
					e = p;
					p = slot_at(q, p)->next;
					psize--;
				}
				if (tail != NONE)
					slot_at(q, tail)->next = e;
				else
					list = e;
				tail = e;
			}
			p = r;
		}
		slot_at(q, tail)->next = NONE;
		if (nmerges <= 1)
			return list;
		insize *= 2;
	}
}

/* Derive the free list, the FIFOs and the gauges from the slots. */
static void
rebuild(struct shmq *q)
{
	struct hdr		*h = q->hdr;
	struct shmq_counters	*c = &h->counters;
	struct slot		*sl;
	struct fifo		*f;
	uint32_t		 i, k, pending = NONE, nfree = 0, next;

	if (h->hwm > q->nslots)
		h->hwm = q->nslots;
	for (i = 0; i < h->nstations; i++) {
		for (k = 0; k < SHMQ_NPRIO; k++) {
			f = &h->station[i].fifo[k];
			f->head = f->tail = NONE;
			f->count = 0;
		}
	}
	for (k = 0; k < SHMQ_NPRIO; k++)
		c->pending[k] = 0;
	c->processing = c->failed_now = 0;
	for (i = 0; i < h->nprinters; i++)
		h->printer[i].current_job = 0;
	h->free_head = NONE;

	/* backwards, so the free list comes out lowest index first */
	for (i = h->hwm; i-- > 0;) {
		sl = slot_at(q, i);
		switch (STATE(sl->sg)) {
		case SHMQ_FREE:
			free_push(q, i);
			nfree++;
			break;
		case SHMQ_PENDING:
			if (sl->station >= h->nstations ||
			    sl->prio >= SHMQ_NPRIO) {
				/* scribbled on: keep it visible, unserved */
				log_warnx("%s: slot %u: bad station/prio, "
				    "marked failed", q->name, i);
				commit(sl, next_sg(sl->sg, SHMQ_FAILED));
				c->failed_now++;
				break;
			}
			sl->next = pending;
			pending = i;
			break;
		case SHMQ_PROCESSING:
			c->processing++;
			if (sl->printer >= 0 &&
			    (uint32_t)sl->printer < h->nprinters)
				h->printer[sl->printer].current_job =
				    sl->job_id;
			break;
		case SHMQ_FAILED:
			c->failed_now++;
			break;
		default:
			log_warnx("%s: slot %u: unknown state %u", q->name, i,
			    STATE(sl->sg));
			break;
		}
	}
	for (i = sort_by_order(q, pending); i != NONE; i = next) {
		sl = slot_at(q, i);
		next = sl->next;
		fifo_append(q, &h->station[sl->station].fifo[sl->prio], i);
		c->pending[sl->prio]++;
	}
	c->free_slots = nfree + (q->nslots - h->hwm);
}

/*
 * Called with the mutex held after EOWNERDEAD, before it is marked
 * consistent.  See the comment at the top of this file.
 */
static void
repair(struct shmq *q)
{
	struct hdr	*h = q->hdr;
	struct slot	*sl;
	pid_t		 dead = h->lock_holder;
	uint32_t	 i, released = 0;

	/* readers must not trust anything until the rebuild is done */
	if ((__atomic_load_n(&h->seq, __ATOMIC_RELAXED) & 1) == 0)
		seq_write_begin(h);
	settle_intent(q);
	CRASHPOINT(SHMQ_CP_REPAIR);

	/*
	 * The dead holder may have been printing: hand its jobs back.  Not
	 * when the holder is us (another thread of this process died in
	 * there; our other threads still own their jobs), nor when it died
	 * before recording itself (0).  lock_holder stays the dead pid until
	 * we finish, so a repairer dying here is redone the same way.
	 */
	if (dead > 0 && dead != shmq_pid) {
		for (i = 0; i < h->hwm && i < q->nslots; i++) {
			sl = slot_at(q, i);
			if (STATE(sl->sg) == SHMQ_PROCESSING &&
			    sl->owner == dead) {
				release_slot(q, i, sl);
				intent_end(q);
				released++;
			}
		}
	}
	rebuild(q);
	h->counters.repairs++;
	seq_write_end(h);
	log_warnx("%s: process %d died holding the queue lock; repaired, "
	    "%u job%s handed back", q->name, (int)dead, released,
	    released == 1 ? "" : "s");
	/* jobs may have become pending anywhere: rare, so wake everyone */
	for (i = 0; i < h->nstations; i++)
		station_wake(h, i);
}

/* PROCESSING -> PENDING, flagged; the caller puts it on its FIFO. */
static void
release_slot(struct shmq *q, uint32_t idx, struct slot *sl)
{
	uint64_t	sg = next_sg(sl->sg, SHMQ_PENDING);

	intent_begin(q, idx, sl);
	intent_arm(q, OP_RELEASE, sg);
	sl->flags |= SHMQ_F_MAYBE_PRINTED;
	sl->printer = -1;
	sl->owner = 0;
	commit(sl, sg);
}

/* --- statistics -------------------------------------------------------------- */

/* The coarse clock is a vDSO read of the last tick: a minute needs no more. */
static uint64_t
minute_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return (uint64_t)ts.tv_sec / 60;
}

static void
minute_count(struct hdr *h, enum minute_field field)
{
	struct shmq_minute	*m;
	uint64_t		 now = minute_now();

	m = &h->minute[now % SHMQ_MINUTES];
	if (m->minute != now) {
		memset(m, 0, sizeof(*m));
		m->minute = now;
	}
	switch (field) {
	case M_ENQUEUED:
		m->enqueued++;
		break;
	case M_COMPLETED:
		m->completed++;
		break;
	case M_FAILED:
		m->failed++;
		break;
	}
}

/* --- producer side ---------------------------------------------------------- */

/*
 * Put a job in a free slot: shmq_enqueue (PENDING, no attempts, new work)
 * and shmq_restore (the state and attempts it had) share this, crash
 * points included.  The fresh order key is the largest yet, so a pending
 * job is appended to its FIFO.
 */
static int
put_job(struct shmq *q, const struct shmq_job *job, struct shmq_ref *ref,
    unsigned state, uint32_t attempts, int fresh)
{
	struct hdr		*h = q->hdr;
	struct shmq_counters	*c = &h->counters;
	struct slot		*sl;
	uint64_t		 sg, now;
	uint32_t		 idx;

	if (job == NULL || job->job_id == 0 || job->station >= h->nstations ||
	    job->prio >= SHMQ_NPRIO ||
	    (job->payload_len > 0 && job->payload == NULL) ||
	    (job->avoid_printer >= 0 &&
	    (uint32_t)job->avoid_printer >= h->nprinters)) {
		errno = EINVAL;
		return -1;
	}
	if (job->payload_len > h->payload_max) {
		errno = E2BIG;
		return -1;
	}
	now = clock_mono_ns();	/* outside the lock: keep it short */
	if (qlock(q) == -1)
		return -1;
	if ((idx = free_peek(q)) == NONE) {
		c->full++;
		qunlock(q, 0);
		errno = ENOSPC;
		return -1;
	}
	sl = slot_at(q, idx);
	sg = next_sg(sl->sg, state);
	intent_begin(q, idx, sl);
	intent_u64(q, &c->enqueued, c->enqueued + 1);
	intent_arm(q, OP_ENQUEUE, sg);

	free_take(q, idx);
	sl->job_id = job->job_id;
	sl->order_id = job->order_id;
	CRASHPOINT(SHMQ_CP_ENQ_TAKEN);
	sl->order = h->next_order++;
	sl->enqueued_ns = now;
	sl->claimed_ns = 0;
	sl->flags = job->flags;
	sl->attempts = attempts;
	sl->printer = -1;
	sl->avoid_printer = job->avoid_printer >= 0 ? job->avoid_printer : -1;
	sl->owner = 0;
	sl->payload_len = job->payload_len;
	sl->station = job->station;
	sl->prio = job->prio;
	if (job->payload_len > 0)
		memcpy(slot_payload(sl), job->payload, job->payload_len);
	commit(sl, sg);
	CRASHPOINT(SHMQ_CP_ENQ_COMMITTED);

	intent_apply(q);
	if (state == SHMQ_PENDING) {
		fifo_append(q, &h->station[job->station].fifo[job->prio], idx);
		c->pending[job->prio]++;
	} else
		c->failed_now++;
	c->free_slots--;
	if (fresh)
		minute_count(h, M_ENQUEUED);
	intent_end(q);
	if (ref != NULL) {
		ref->slot = idx;
		ref->job_id = job->job_id;
	}
	qunlock(q, state == SHMQ_PENDING ? 1U << job->station : 0);
	return 0;
}

int
shmq_enqueue(struct shmq *q, const struct shmq_job *job, struct shmq_ref *ref)
{
	return put_job(q, job, ref, SHMQ_PENDING, 0, 1);
}

/*
 * A restored job counts as enqueued, so that the segment's books balance;
 * the per-minute series, which is about the present, does not see it.
 */
int
shmq_restore(struct shmq *q, const struct shmq_job *job, struct shmq_ref *ref)
{
	if (job == NULL ||
	    (job->state != SHMQ_PENDING && job->state != SHMQ_FAILED)) {
		errno = EINVAL;
		return -1;
	}
	return put_job(q, job, ref, job->state, job->attempts, 0);
}

int
shmq_promote(struct shmq *q, const struct shmq_ref *ref)
{
	struct hdr	*h = q->hdr;
	struct station	*st;
	struct slot	*sl;
	uint64_t	 sg;
	uint8_t		 old;

	if (qlock(q) == -1)
		return -1;
	if ((sl = ref_slot(q, ref)) == NULL ||
	    STATE(sl->sg) != SHMQ_PENDING) {
		errno = sl != NULL && STATE(sl->sg) == SHMQ_PROCESSING ?
		    EBUSY : ENOENT;
		qunlock(q, 0);
		return -1;
	}
	if (sl->prio == SHMQ_URGENT) {
		qunlock(q, 0);
		return 0;
	}
	st = &h->station[sl->station];
	old = sl->prio;
	sg = next_sg(sl->sg, SHMQ_PENDING);
	intent_begin(q, ref->slot, sl);
	intent_u64(q, &h->counters.promoted, h->counters.promoted + 1);
	intent_arm(q, OP_PROMOTE, sg);

	fifo_unlink(q, &st->fifo[old], ref->slot);
	sl->prio = SHMQ_URGENT;
	CRASHPOINT(SHMQ_CP_PROMOTE_MIDMOVE);
	commit(sl, sg);
	fifo_insert(q, &st->fifo[SHMQ_URGENT], ref->slot);
	intent_apply(q);
	h->counters.pending[old]--;
	h->counters.pending[SHMQ_URGENT]++;
	intent_end(q);
	qunlock(q, 1U << sl->station);
	return 0;
}

int
shmq_cancel(struct shmq *q, const struct shmq_ref *ref)
{
	struct hdr		*h = q->hdr;
	struct shmq_counters	*c = &h->counters;
	struct slot		*sl;
	uint64_t		 sg;
	unsigned		 state;

	if (qlock(q) == -1)
		return -1;
	if ((sl = ref_slot(q, ref)) == NULL ||
	    (state = STATE(sl->sg)) == SHMQ_PROCESSING) {
		errno = sl != NULL ? EBUSY : ENOENT;
		qunlock(q, 0);
		return -1;
	}
	sg = next_sg(sl->sg, SHMQ_FREE);
	intent_begin(q, ref->slot, sl);
	intent_u64(q, &c->cancelled, c->cancelled + 1);
	intent_arm(q, OP_CANCEL, sg);

	if (state == SHMQ_PENDING)
		fifo_unlink(q, &h->station[sl->station].fifo[sl->prio],
		    ref->slot);
	CRASHPOINT(SHMQ_CP_CANCEL_UNLINKED);
	commit(sl, sg);
	free_push(q, ref->slot);
	intent_apply(q);
	if (state == SHMQ_PENDING)
		c->pending[sl->prio]--;
	else
		c->failed_now--;
	c->free_slots++;
	intent_end(q);
	qunlock(q, 0);
	return 0;
}

int
shmq_retry(struct shmq *q, const struct shmq_ref *ref)
{
	struct hdr	*h = q->hdr;
	struct slot	*sl;
	uint64_t	 sg;

	if (qlock(q) == -1)
		return -1;
	if ((sl = ref_slot(q, ref)) == NULL || STATE(sl->sg) != SHMQ_FAILED) {
		qunlock(q, 0);
		errno = ENOENT;
		return -1;
	}
	sg = next_sg(sl->sg, SHMQ_PENDING);
	intent_begin(q, ref->slot, sl);
	intent_arm(q, OP_RETRY, sg);
	/* an admin's retry is a fresh start: any printer may take it */
	sl->avoid_printer = -1;
	sl->printer = -1;
	sl->owner = 0;
	commit(sl, sg);
	CRASHPOINT(SHMQ_CP_RETRY_COMMITTED);
	/* its old order key puts it back ahead of younger jobs */
	fifo_insert(q, &h->station[sl->station].fifo[sl->prio], ref->slot);
	h->counters.failed_now--;
	h->counters.pending[sl->prio]++;
	intent_end(q);
	qunlock(q, 1U << sl->station);
	return 0;
}

int
shmq_clear(struct shmq *q, const struct shmq_ref *ref)
{
	struct hdr		*h = q->hdr;
	struct shmq_counters	*c = &h->counters;
	struct slot		*sl;
	uint64_t		 sg;

	if (qlock(q) == -1)
		return -1;
	if ((sl = ref_slot(q, ref)) == NULL || STATE(sl->sg) != SHMQ_FAILED) {
		qunlock(q, 0);
		errno = ENOENT;
		return -1;
	}
	sg = next_sg(sl->sg, SHMQ_FREE);
	intent_begin(q, ref->slot, sl);
	intent_u64(q, &c->cleared, c->cleared + 1);
	intent_arm(q, OP_CLEAR, sg);
	commit(sl, sg);
	free_push(q, ref->slot);
	intent_apply(q);
	c->failed_now--;
	c->free_slots++;
	intent_end(q);
	qunlock(q, 0);
	return 0;
}

/* A single word written under the lock: nothing for repair to settle. */
int
shmq_set_flags(struct shmq *q, const struct shmq_ref *ref, uint32_t set,
    uint32_t clear)
{
	struct slot	*sl;

	if (qlock(q) == -1)
		return -1;
	if ((sl = ref_slot(q, ref)) == NULL) {
		qunlock(q, 0);
		errno = ENOENT;
		return -1;
	}
	sl->flags = (sl->flags | set) & ~clear;
	qunlock(q, 0);
	return 0;
}

int
shmq_find(struct shmq *q, uint64_t job_id, struct shmq_ref *ref)
{
	struct slot	*sl;
	uint32_t	 i;

	if (qlock(q) == -1)
		return -1;
	for (i = 0; i < q->hdr->hwm; i++) {
		sl = slot_at(q, i);
		if (STATE(sl->sg) != SHMQ_FREE && sl->job_id == job_id) {
			if (ref != NULL) {
				ref->slot = i;
				ref->job_id = job_id;
			}
			qunlock(q, 0);
			return 0;
		}
	}
	qunlock(q, 0);
	errno = ENOENT;
	return -1;
}

int
shmq_release_owner(struct shmq *q, pid_t dead)
{
	struct hdr		*h = q->hdr;
	struct shmq_counters	*c = &h->counters;
	struct slot		*sl;
	uint32_t		 i, wake = 0;
	int32_t			 printer;
	int			 n = 0;

	if (dead <= 0) {
		errno = EINVAL;
		return -1;
	}
	if (qlock(q) == -1)
		return -1;
	for (i = 0; i < h->hwm; i++) {
		sl = slot_at(q, i);
		if (STATE(sl->sg) != SHMQ_PROCESSING || sl->owner != dead)
			continue;
		printer = sl->printer;
		release_slot(q, i, sl);
		if (n == 0)
			CRASHPOINT(SHMQ_CP_RELEASE_PARTIAL);
		fifo_insert(q, &h->station[sl->station].fifo[sl->prio], i);
		c->processing--;
		c->pending[sl->prio]++;
		if (printer >= 0 && (uint32_t)printer < h->nprinters &&
		    h->printer[printer].current_job == sl->job_id)
			h->printer[printer].current_job = 0;
		intent_end(q);
		wake |= 1U << sl->station;
		n++;
	}
	qunlock(q, wake);
	return n;
}

/* --- consumer side ------------------------------------------------------------ */

/*
 * May a printer other than p at station s take a job p should avoid?
 * Half-open counts: it is allowed its trial jobs.
 */
static int
sibling_can_print(struct shmq *q, uint32_t s, uint32_t p)
{
	struct hdr	*h = q->hdr;
	uint64_t	 mask = h->station[s].printers & ~(1ULL << p);
	unsigned	 i;

	while (mask != 0) {
		i = (unsigned)__builtin_ctzll(mask);
		mask &= mask - 1;
		if (!h->printer[i].paused &&
		    h->printer[i].circuit != SHMQ_CIRCUIT_OPEN)
			return 1;
	}
	return 0;
}

/*
 * First job of a FIFO printer p may take.  *sib caches the sibling test
 * (-1: not asked yet) since it costs a walk over the station's printers.
 */
static uint32_t
fifo_first(struct shmq *q, uint32_t s, uint32_t prio, uint32_t p, int *sib)
{
	struct slot	*sl;
	uint32_t	 idx, n;

	idx = q->hdr->station[s].fifo[prio].head;
	for (n = 0; idx != NONE && n < AVOID_SCAN; n++) {
		sl = slot_at(q, idx);
		if (sl->avoid_printer != (int32_t)p)
			return idx;
		if (*sib == -1)
			*sib = sibling_can_print(q, s, p);
		if (!*sib)
			return idx;
		idx = sl->next;
	}
	return NONE;
}

/*
 * Urgent first.  Then the older of the normal and low heads if the low
 * one has waited past low_max_wait (aging), else normal before low.
 */
static uint32_t
pick(struct shmq *q, uint32_t s, uint32_t p, uint64_t now, int *aged)
{
	struct slot	*ls, *ns;
	uint32_t	 n, l;
	int		 sib = -1;

	if ((n = fifo_first(q, s, SHMQ_URGENT, p, &sib)) != NONE)
		return n;
	n = fifo_first(q, s, SHMQ_NORMAL, p, &sib);
	l = fifo_first(q, s, SHMQ_LOW, p, &sib);
	if (n == NONE || l == NONE)
		return n != NONE ? n : l;
	ls = slot_at(q, l);
	ns = slot_at(q, n);
	if (since(ls->enqueued_ns, now) >= q->hdr->low_max_wait_ns &&
	    ls->order < ns->order) {
		*aged = 1;
		return l;
	}
	return n;
}

int
shmq_claim(struct shmq *q, uint32_t printer, struct shmq_job *job, void *buf,
    size_t buflen, struct shmq_ref *ref)
{
	struct hdr		*h = q->hdr;
	struct shmq_counters	*c = &h->counters;
	struct shmq_printer_info *pi;
	struct slot		*sl;
	uint64_t		 now, sg;
	uint32_t		 idx, s;
	int			 aged = 0;

	if (printer >= h->nprinters || job == NULL) {
		errno = EINVAL;
		return -1;
	}
	now = clock_mono_ns();
	if (qlock(q) == -1)
		return -1;
	pi = &h->printer[printer];
	if (pi->paused || pi->circuit == SHMQ_CIRCUIT_OPEN) {
		qunlock(q, 0);
		errno = EPERM;
		return -1;
	}
	s = pi->station;
	if ((idx = pick(q, s, printer, now, &aged)) == NONE) {
		qunlock(q, 0);
		errno = EAGAIN;
		return -1;
	}
	sl = slot_at(q, idx);
	if (sl->payload_len > buflen) {
		/* refuse rather than claim a job we could only half hand over */
		qunlock(q, 0);
		errno = EMSGSIZE;
		return -1;
	}
	sg = next_sg(sl->sg, SHMQ_PROCESSING);
	intent_begin(q, idx, sl);
	intent_u64(q, &c->claimed, c->claimed + 1);
	if (aged)
		intent_u64(q, &c->aged, c->aged + 1);
	intent_arm(q, OP_CLAIM, sg);

	fifo_unlink(q, &h->station[s].fifo[sl->prio], idx);
	CRASHPOINT(SHMQ_CP_CLAIM_UNLINKED);
	sl->attempts++;
	sl->printer = (int32_t)printer;
	sl->owner = shmq_pid;
	sl->claimed_ns = now;
	commit(sl, sg);
	CRASHPOINT(SHMQ_CP_CLAIM_COMMITTED);

	intent_apply(q);
	c->pending[sl->prio]--;
	c->processing++;
	pi->current_job = sl->job_id;
	/* queueing delay is a job's, not an attempt's: first claim only */
	if (sl->attempts == 1)
		hist_record(&h->hist[SHMQ_H_WAIT], since(sl->enqueued_ns, now));
	intent_end(q);

	slot_to_job(sl, job);
	if (sl->payload_len > 0)
		memcpy(buf, slot_payload(sl), sl->payload_len);
	job->payload = buf;
	if (ref != NULL) {
		ref->slot = idx;
		ref->job_id = sl->job_id;
	}
	qunlock(q, 0);
	return 0;
}

/*
 * Sleep on the station's futex word between attempts.  The word is read
 * before trying, so a job enqueued after our attempt changes it and the
 * FUTEX_WAIT returns at once instead of sleeping through the wake-up.
 */
int
shmq_claim_wait(struct shmq *q, uint32_t printer, struct shmq_job *job,
    void *buf, size_t buflen, struct shmq_ref *ref, uint64_t timeout_ns)
{
	struct hdr	*h = q->hdr;
	struct station	*st;
	struct timespec	 ts;
	uint64_t	 deadline = 0, now;
	uint32_t	 word, gen;
	long		 rc;
	int		 err;

	if (q->readonly) {
		errno = EROFS;
		return -1;
	}
	if (printer >= h->nprinters) {
		errno = EINVAL;
		return -1;
	}
	st = &h->station[h->printer[printer].station];
	/* a timeout too large to add is as good as none */
	if (timeout_ns != 0 && timeout_ns < UINT64_MAX - clock_mono_ns())
		deadline = clock_mono_ns() + timeout_ns;
	gen = __atomic_load_n(&h->wake_gen, __ATOMIC_SEQ_CST);
	for (;;) {
		word = __atomic_load_n(&st->futex, __ATOMIC_SEQ_CST);
		if (shmq_claim(q, printer, job, buf, buflen, ref) == 0)
			return 0;
		if (errno != EAGAIN)
			return -1;
		if (__atomic_load_n(&h->wake_gen, __ATOMIC_SEQ_CST) != gen) {
			errno = EINTR;
			return -1;
		}
		if (deadline != 0) {
			if ((now = clock_mono_ns()) >= deadline) {
				errno = ETIMEDOUT;
				return -1;
			}
			ts = clock_ns_to_ts(deadline - now);
		}
		__atomic_add_fetch(&st->waiters, 1, __ATOMIC_SEQ_CST);
		rc = 0;
		err = 0;
		if (__atomic_load_n(&st->futex, __ATOMIC_SEQ_CST) == word) {
			rc = futex_op(&st->futex, FUTEX_WAIT, word,
			    deadline != 0 ? &ts : NULL);
			err = errno;
		}
		__atomic_sub_fetch(&st->waiters, 1, __ATOMIC_SEQ_CST);
		if (rc == -1 && err == EINTR) {
			errno = EINTR;
			return -1;
		}
		/* woken, timed out (checked above next time) or EAGAIN */
	}
}

int
shmq_complete(struct shmq *q, const struct shmq_ref *ref)
{
	struct hdr		*h = q->hdr;
	struct shmq_counters	*c = &h->counters;
	struct shmq_printer_info *pi;
	struct slot		*sl;
	uint64_t		 now, sg, busy;

	now = clock_mono_ns();
	if (qlock(q) == -1)
		return -1;
	if ((sl = ref_slot(q, ref)) == NULL ||
	    STATE(sl->sg) != SHMQ_PROCESSING) {
		errno = sl != NULL ? EINVAL : ENOENT;
		qunlock(q, 0);
		return -1;
	}
	busy = since(sl->claimed_ns, now);
	pi = &h->printer[sl->printer];
	sg = next_sg(sl->sg, SHMQ_FREE);
	intent_begin(q, ref->slot, sl);
	intent_u64(q, &c->completed, c->completed + 1);
	intent_u64(q, &pi->printed, pi->printed + 1);
	intent_u64(q, &pi->busy_ns, pi->busy_ns + busy);
	intent_u32(q, &pi->consecutive_failures, 0);
	intent_arm(q, OP_COMPLETE, sg);

	commit(sl, sg);
	CRASHPOINT(SHMQ_CP_COMPLETE_COMMITTED);
	free_push(q, ref->slot);
	intent_apply(q);
	c->processing--;
	c->free_slots++;
	if (pi->current_job == sl->job_id)
		pi->current_job = 0;
	hist_record(&h->hist[SHMQ_H_PRINT], busy);
	hist_record(&h->hist[SHMQ_H_TOTAL], since(sl->enqueued_ns, now));
	minute_count(h, M_COMPLETED);
	intent_end(q);
	qunlock(q, 0);
	return 0;
}

int
shmq_fail(struct shmq *q, const struct shmq_ref *ref, int give_up,
    const char *error)
{
	struct hdr		*h = q->hdr;
	struct shmq_counters	*c = &h->counters;
	struct shmq_printer_info *pi;
	struct slot		*sl;
	uint64_t		 sg;
	uint32_t		 wake = 0;

	if (qlock(q) == -1)
		return -1;
	if ((sl = ref_slot(q, ref)) == NULL ||
	    STATE(sl->sg) != SHMQ_PROCESSING) {
		errno = sl != NULL ? EINVAL : ENOENT;
		qunlock(q, 0);
		return -1;
	}
	pi = &h->printer[sl->printer];
	sg = next_sg(sl->sg, give_up ? SHMQ_FAILED : SHMQ_PENDING);
	intent_begin(q, ref->slot, sl);
	if (give_up)
		intent_u64(q, &c->failed, c->failed + 1);
	else
		intent_u64(q, &c->retried, c->retried + 1);
	intent_u64(q, &pi->failures, pi->failures + 1);
	intent_u32(q, &pi->consecutive_failures, pi->consecutive_failures + 1);
	intent_arm(q, OP_FAIL, sg);

	if (give_up) {
		/* who failed it is in that printer's last_error */
		sl->printer = -1;
		sl->owner = 0;
		commit(sl, sg);
		CRASHPOINT(SHMQ_CP_GIVEUP_COMMITTED);
		intent_apply(q);
		c->processing--;
		c->failed_now++;
		minute_count(h, M_FAILED);
	} else {
		sl->avoid_printer = sl->printer;
		sl->printer = -1;
		sl->owner = 0;
		CRASHPOINT(SHMQ_CP_FAIL_UNCOMMITTED);
		commit(sl, sg);
		CRASHPOINT(SHMQ_CP_FAIL_COMMITTED);
		fifo_insert(q, &h->station[sl->station].fifo[sl->prio],
		    ref->slot);
		intent_apply(q);
		c->processing--;
		c->pending[sl->prio]++;
		wake = 1U << sl->station;
	}
	if (pi->current_job == sl->job_id)
		pi->current_job = 0;
	if (error != NULL)
		copy_text(pi->last_error, sizeof(pi->last_error), error);
	intent_end(q);
	qunlock(q, wake);
	return 0;
}

/* --- printers ------------------------------------------------------------------ */
/*
 * The next pending job of a station, in priority order, when no printer
 * can take it (every printer of the station is down): straight to
 * SHMQ_FAILED, as if its last attempt had failed.
 */
int
shmq_give_up_next(struct shmq *q, uint32_t station, struct shmq_ref *ref)
{
	struct hdr		*h = q->hdr;
	struct shmq_counters	*c = &h->counters;
	struct station		*st;
	struct slot		*sl;
	uint64_t		 sg;
	uint32_t		 idx = NONE, k;

	if (station >= h->nstations) {
		errno = EINVAL;
		return -1;
	}
	if (qlock(q) == -1)
		return -1;
	st = &h->station[station];
	for (k = 0; k < SHMQ_NPRIO && idx == NONE; k++)
		idx = st->fifo[k].head;
	if (idx == NONE) {
		qunlock(q, 0);
		errno = ENOENT;
		return -1;
	}
	sl = slot_at(q, idx);
	sg = next_sg(sl->sg, SHMQ_FAILED);
	intent_begin(q, idx, sl);
	intent_u64(q, &c->failed, c->failed + 1);
	intent_arm(q, OP_GIVEUP, sg);
	fifo_unlink(q, &st->fifo[sl->prio], idx);
	sl->printer = -1;
	sl->owner = 0;
	commit(sl, sg);
	intent_apply(q);
	c->pending[sl->prio]--;
	c->failed_now++;
	minute_count(h, M_FAILED);
	intent_end(q);
	ref->slot = idx;
	ref->job_id = sl->job_id;
	qunlock(q, 0);
	return 0;
}

/* The worker's word on its printer, for people: "" clears it. */
int
shmq_printer_set_error(struct shmq *q, uint32_t printer, const char *error)
{
	if (printer >= q->hdr->nprinters) {
		errno = EINVAL;
		return -1;
	}
	if (qlock(q) == -1)
		return -1;
	copy_text(q->hdr->printer[printer].last_error,
	    sizeof(q->hdr->printer[printer].last_error),
	    error != NULL ? error : "");
	qunlock(q, 0);
	return 0;
}


/* Either change can let a sibling take jobs this printer avoided: wake. */
int
shmq_printer_set_circuit(struct shmq *q, uint32_t printer,
    enum shmq_circuit circuit)
{
	struct shmq_printer_info *pi;

	if (printer >= q->hdr->nprinters || (circuit != SHMQ_CIRCUIT_CLOSED &&
	    circuit != SHMQ_CIRCUIT_OPEN && circuit != SHMQ_CIRCUIT_HALF_OPEN)) {
		errno = EINVAL;
		return -1;
	}
	if (qlock(q) == -1)
		return -1;
	pi = &q->hdr->printer[printer];
	if (pi->circuit != circuit) {
		pi->circuit = (uint8_t)circuit;
		pi->circuit_since_ns = clock_mono_ns();
	}
	qunlock(q, 1U << pi->station);
	return 0;
}

int
shmq_printer_pause(struct shmq *q, uint32_t printer, int paused)
{
	struct shmq_printer_info *pi;

	if (printer >= q->hdr->nprinters) {
		errno = EINVAL;
		return -1;
	}
	if (qlock(q) == -1)
		return -1;
	pi = &q->hdr->printer[printer];
	pi->paused = paused != 0;
	qunlock(q, 1U << pi->station);
	return 0;
}

/* --- iteration and reading ------------------------------------------------------- */

int
shmq_foreach(struct shmq *q, int (*fn)(const struct shmq_job *, void *),
    void *arg)
{
	struct shmq_job	 job;
	struct slot	*sl;
	uint32_t	 i;
	int		 rc = 0;

	if (qlock(q) == -1)
		return -1;
	for (i = 0; i < q->hdr->hwm && rc == 0; i++) {
		sl = slot_at(q, i);
		if (STATE(sl->sg) == SHMQ_FREE)
			continue;
		slot_to_job(sl, &job);
		rc = fn(&job, arg);
	}
	qunlock(q, 0);
	return rc;
}

/* Service order ignores aging: a person reads this, not the scheduler. */
int
shmq_position(struct shmq *q, const struct shmq_ref *ref, uint32_t *pos,
    uint32_t *len)
{
	struct station	*st;
	struct slot	*sl;
	uint32_t	 k, n = 0, total = 0, fwd, bwd, cnt;

	if (qlock(q) == -1)
		return -1;
	if ((sl = ref_slot(q, ref)) == NULL || STATE(sl->sg) != SHMQ_PENDING) {
		qunlock(q, 0);
		errno = ENOENT;
		return -1;
	}
	st = &q->hdr->station[sl->station];
	for (k = 0; k < SHMQ_NPRIO; k++) {
		total += st->fifo[k].count;
		if (k < sl->prio)
			n += st->fifo[k].count;
	}
	/*
	 * Walk from both ends at once: a ticket just queued (the reply to
	 * order.create) is found at the tail at once, an old one at the head.
	 */
	fwd = st->fifo[sl->prio].head;
	bwd = st->fifo[sl->prio].tail;
	cnt = st->fifo[sl->prio].count;
	for (k = 0; k < cnt && fwd != NONE && bwd != NONE; k++) {
		if (fwd == ref->slot) {
			n += k + 1;
			break;
		}
		if (bwd == ref->slot) {
			n += cnt - k;
			break;
		}
		fwd = slot_at(q, fwd)->next;
		bwd = slot_at(q, bwd)->prev;
	}
	qunlock(q, 0);
	if (pos != NULL)
		*pos = n;
	if (len != NULL)
		*len = total;
	return 0;
}

/* Pending jobs of one station per priority, as a seqlock reader. */
int
shmq_station_pending(struct shmq *q, uint32_t station,
    uint32_t count[SHMQ_NPRIO])
{
	const struct hdr	*h = q->hdr;
	uint64_t		 s, deadline = 0;
	int			 rc, k;

	if (station >= h->nstations) {
		errno = EINVAL;
		return -1;
	}
	do {
		if (seq_read_begin(h, &s, &deadline) == -1)
			return -1;
		for (k = 0; k < SHMQ_NPRIO; k++)
			count[k] = h->station[station].fifo[k].count;
	} while ((rc = seq_read_end(h, s, &deadline)) == 1);
	return rc;
}

int
shmq_read_counters(struct shmq *q, struct shmq_counters *out)
{
	const struct hdr	*h = q->hdr;
	uint64_t		 s, deadline = 0;
	int			 rc;

	do {
		if (seq_read_begin(h, &s, &deadline) == -1)
			return -1;
		memcpy(out, &h->counters, sizeof(*out));
	} while ((rc = seq_read_end(h, s, &deadline)) == 1);
	return rc;
}

int
shmq_read_printer(struct shmq *q, uint32_t printer,
    struct shmq_printer_info *out)
{
	const struct hdr	*h = q->hdr;
	uint64_t		 s, deadline = 0;
	int			 rc;

	if (printer >= h->nprinters) {
		errno = EINVAL;
		return -1;
	}
	do {
		if (seq_read_begin(h, &s, &deadline) == -1)
			return -1;
		memcpy(out, &h->printer[printer], sizeof(*out));
	} while ((rc = seq_read_end(h, s, &deadline)) == 1);
	/* a torn copy is discarded above; this guards a corrupt segment */
	out->name[sizeof(out->name) - 1] = '\0';
	out->last_error[sizeof(out->last_error) - 1] = '\0';
	return rc;
}

int
shmq_read_hist(struct shmq *q, enum shmq_hist which, struct histogram *out)
{
	const struct hdr	*h = q->hdr;
	uint64_t		 s, deadline = 0;
	int			 rc;

	if ((unsigned)which >= SHMQ_NHIST) {
		errno = EINVAL;
		return -1;
	}
	do {
		if (seq_read_begin(h, &s, &deadline) == -1)
			return -1;
		memcpy(out, &h->hist[which], sizeof(*out));
	} while ((rc = seq_read_end(h, s, &deadline)) == 1);
	return rc;
}

/* The last n minutes, oldest first; minutes nobody counted read as zero. */
int
shmq_read_minutes(struct shmq *q, struct shmq_minute *out, int n)
{
	const struct hdr		*h = q->hdr;
	const struct shmq_minute	*m;
	uint64_t			 s, deadline = 0, now, want;
	int				 i, rc;

	if (n <= 0)
		return 0;
	if (n > SHMQ_MINUTES)
		n = SHMQ_MINUTES;
	now = minute_now();
	do {
		if (seq_read_begin(h, &s, &deadline) == -1)
			return -1;
		for (i = 0; i < n; i++) {
			want = now - (uint64_t)(n - 1 - i);
			m = &h->minute[want % SHMQ_MINUTES];
			if (m->minute == want)
				out[i] = *m;
			else {
				memset(&out[i], 0, sizeof(out[i]));
				out[i].minute = want;
			}
		}
	} while ((rc = seq_read_end(h, s, &deadline)) == 1);
	return rc == 0 ? n : -1;
}

uint32_t
shmq_nstations(const struct shmq *q)
{
	return q->hdr->nstations;
}

uint32_t
shmq_nprinters(const struct shmq *q)
{
	return q->hdr->nprinters;
}

const char *
shmq_station_name(const struct shmq *q, uint32_t s)
{
	if (s >= q->hdr->nstations)
		return NULL;
	return q->hdr->station[s].name;
}

uint16_t
shmq_printer_station(const struct shmq *q, uint32_t p)
{
	if (p >= q->hdr->nprinters)
		return UINT16_MAX;
	return q->hdr->printer[p].station;
}

uint32_t
shmq_payload_max(const struct shmq *q)
{
	return q->hdr->payload_max;
}

/* --- consistency check ------------------------------------------------------------ */

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		seterr(__VA_ARGS__);					\
		goto bad;						\
	}								\
} while (0)

/* Walk everything derived and compare it with the slots. */
static int
check_locked(struct shmq *q)
{
	struct hdr		*h = q->hdr;
	struct shmq_counters	*c = &h->counters;
	struct station		*st;
	struct fifo		*f;
	struct slot		*sl;
	unsigned char		*seen = NULL, *cur = NULL;
	uint32_t		 i, k, s, n, idx, prev;
	uint32_t		 nstate[4] = { 0 }, nprio[SHMQ_NPRIO] = { 0 };
	uint64_t		 last, live;

	if ((seen = calloc(1, q->nslots / 8 + 1)) == NULL ||
	    (cur = calloc(1, SHMQ_MAX_PRINTERS)) == NULL) {
		seterr("check: out of memory");
		free(seen);
		errno = ENOMEM;
		return -1;
	}
	CHECK(h->intent.op == OP_NONE, "intent %u left open on slot %u",
	    h->intent.op, h->intent.slot);
	CHECK(h->hwm <= q->nslots, "hwm %u beyond %u slots", h->hwm,
	    q->nslots);
	CHECK(c->nslots == q->nslots, "counters.nslots %u, segment has %u",
	    c->nslots, q->nslots);

	for (i = 0; i < h->hwm; i++) {
		sl = slot_at(q, i);
		k = STATE(sl->sg);
		CHECK(k <= SHMQ_FAILED, "slot %u: bad state %u", i, k);
		nstate[k]++;
		if (k == SHMQ_FREE)
			continue;
		CHECK(sl->station < h->nstations && sl->prio < SHMQ_NPRIO,
		    "slot %u: station %u prio %u out of range", i,
		    sl->station, sl->prio);
		CHECK(sl->payload_len <= h->payload_max,
		    "slot %u: payload of %u bytes", i, sl->payload_len);
		CHECK(sl->order < h->next_order, "slot %u: order %llu not "
		    "below next_order", i, (unsigned long long)sl->order);
		CHECK(sl->job_id != 0, "slot %u: job id 0", i);
		if (k == SHMQ_PENDING)
			nprio[sl->prio]++;
		if (k == SHMQ_PENDING || k == SHMQ_FAILED)
			CHECK(sl->printer == -1 && sl->owner == 0,
			    "slot %u: %s with printer %d owner %d", i,
			    k == SHMQ_PENDING ? "pending" : "failed",
			    sl->printer, sl->owner);
		if (k == SHMQ_PROCESSING) {
			CHECK(sl->printer >= 0 &&
			    (uint32_t)sl->printer < h->nprinters &&
			    sl->owner > 0, "slot %u: processing with printer "
			    "%d owner %d", i, sl->printer, sl->owner);
			if (h->printer[sl->printer].current_job == sl->job_id)
				cur[sl->printer] = 1;
		}
	}

	n = 0;
	for (idx = h->free_head; idx != NONE; idx = slot_at(q, idx)->next) {
		CHECK(idx < h->hwm, "free list: slot %u beyond hwm %u", idx,
		    h->hwm);
		CHECK(!(seen[idx / 8] & (1 << (idx % 8))),
		    "free list: slot %u twice", idx);
		seen[idx / 8] |= 1 << (idx % 8);
		CHECK(STATE(slot_at(q, idx)->sg) == SHMQ_FREE,
		    "free list: slot %u is in state %u", idx,
		    STATE(slot_at(q, idx)->sg));
		n++;
	}
	CHECK(n == nstate[SHMQ_FREE], "free list holds %u of %u free slots",
	    n, nstate[SHMQ_FREE]);
	CHECK(c->free_slots == n + (q->nslots - h->hwm),
	    "free_slots gauge %u, counted %u", c->free_slots,
	    n + (q->nslots - h->hwm));

	for (k = 0; k < SHMQ_NPRIO; k++) {
		n = 0;
		for (s = 0; s < h->nstations; s++) {
			st = &h->station[s];
			f = &st->fifo[k];
			prev = NONE;
			last = 0;
			i = 0;
			for (idx = f->head; idx != NONE;
			    idx = slot_at(q, idx)->next) {
				CHECK(idx < h->hwm, "station %s prio %u: slot "
				    "%u beyond hwm", st->name, k, idx);
				CHECK(!(seen[idx / 8] & (1 << (idx % 8))),
				    "station %s prio %u: slot %u on two lists "
				    "or in a cycle", st->name, k, idx);
				seen[idx / 8] |= 1 << (idx % 8);
				sl = slot_at(q, idx);
				CHECK(STATE(sl->sg) == SHMQ_PENDING,
				    "station %s prio %u: slot %u in state %u",
				    st->name, k, idx, STATE(sl->sg));
				CHECK(sl->station == s && sl->prio == k,
				    "station %s prio %u: slot %u belongs to "
				    "station %u prio %u", st->name, k, idx,
				    sl->station, sl->prio);
				CHECK(sl->prev == prev, "station %s prio %u: "
				    "slot %u prev %u, expected %u", st->name,
				    k, idx, sl->prev, prev);
				CHECK(i == 0 || sl->order > last,
				    "station %s prio %u: slot %u out of order",
				    st->name, k, idx);
				last = sl->order;
				prev = idx;
				i++;
			}
			CHECK(f->tail == prev, "station %s prio %u: tail %u, "
			    "last %u", st->name, k, f->tail, prev);
			CHECK(f->count == i, "station %s prio %u: count %u, "
			    "walked %u", st->name, k, f->count, i);
			n += i;
		}
		CHECK(n == nprio[k], "prio %u: %u jobs on FIFOs, %u pending",
		    k, n, nprio[k]);
		CHECK(c->pending[k] == n, "pending[%u] gauge %u, counted %u",
		    k, c->pending[k], n);
	}
	CHECK(c->processing == nstate[SHMQ_PROCESSING],
	    "processing gauge %u, counted %u", c->processing,
	    nstate[SHMQ_PROCESSING]);
	CHECK(c->failed_now == nstate[SHMQ_FAILED],
	    "failed_now gauge %u, counted %u", c->failed_now,
	    nstate[SHMQ_FAILED]);
	live = (uint64_t)nstate[SHMQ_PENDING] + nstate[SHMQ_PROCESSING] +
	    nstate[SHMQ_FAILED];
	CHECK(c->enqueued == c->completed + c->cancelled + c->cleared + live,
	    "enqueued %llu != completed %llu + cancelled %llu + cleared %llu "
	    "+ live %llu", (unsigned long long)c->enqueued,
	    (unsigned long long)c->completed,
	    (unsigned long long)c->cancelled, (unsigned long long)c->cleared,
	    (unsigned long long)live);

	for (i = 0; i < h->nprinters; i++) {
		CHECK(h->printer[i].station < h->nstations &&
		    (h->station[h->printer[i].station].printers &
		    (1ULL << i)), "printer %u: station %u", i,
		    h->printer[i].station);
		CHECK(h->printer[i].current_job == 0 || cur[i],
		    "printer %s: current job %llu is not one it is printing",
		    h->printer[i].name,
		    (unsigned long long)h->printer[i].current_job);
	}
	free(seen);
	free(cur);
	return 0;

bad:
	free(seen);
	free(cur);
	errno = EINVAL;
	return -1;
}

/*
 * Read-only mappers (ctl --shm check) run the same walk as a seqlock
 * reader: it only reads and bounds every index it follows, so a torn view
 * can mislead it but not crash it, and the sequence tells us to look again.
 */
int
shmq_check(struct shmq *q)
{
	uint64_t	s, deadline = 0;
	int		rc, saved, again;

	if (q->readonly) {
		do {
			if (seq_read_begin(q->hdr, &s, &deadline) == -1)
				return -1;
			rc = check_locked(q);
			saved = errno;
			if ((again = seq_read_end(q->hdr, s, &deadline)) == -1)
				return -1;
		} while (again);
		errno = saved;
		return rc;
	}
	if (qlock(q) == -1)
		return -1;
	rc = check_locked(q);
	saved = errno;
	qunlock(q, 0);
	errno = saved;
	return rc;
}
