/*
 * shmq — the print queue in POSIX shared memory.
 *
 * One segment, /fastops.<instance>, created by the daemon and mapped by its
 * worker processes (read-write) and by diagnostic readers (read-only).  It
 * holds a fixed table of job slots with their payload, per-station FIFOs for
 * the three priorities, per-printer state, live counters, latency histograms
 * and a per-minute series for the last 24 hours.
 *
 * Concurrency.  One process-shared robust mutex guards everything.  If a
 * process dies holding it, the next locker gets EOWNERDEAD, rebuilds every
 * derived structure (lists, free list, counts) from the slots, whose state
 * word is the single commit point of every operation, settles the one
 * operation that was in flight from its intent record, and marks the mutex
 * consistent.  Read-only mappers cannot take the mutex (it lives in memory
 * they may not write), so every critical section is also a seqlock write
 * section: readers copy what they need and retry if the sequence moved.
 *
 * Waiting.  Workers sleep on a futex word per station, bumped by every
 * operation that makes work available there; no polling.
 *
 * Errors follow the project convention: 0 / -1 with errno set, and the
 * reason for refusals that a person will read (attach to a foreign segment,
 * ABI mismatch) available from shmq_strerror().
 *
 * This module knows nothing of nng, curses or PostgreSQL.
 */
#ifndef FASTOPS_SHMQ_H
#define FASTOPS_SHMQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "histogram.h"

#define SHMQ_ABI_VERSION	1
#define SHMQ_NAME_MAX		32	/* station and printer names, with NUL */
#define SHMQ_INSTANCE_MAX	64
#define SHMQ_MAX_STATIONS	32
#define SHMQ_MAX_PRINTERS	64
#define SHMQ_ERR_MAX		128	/* a printer's last error, with NUL */
#define SHMQ_MINUTES		1440	/* per-minute series: 24 hours */

/* Priorities, highest first.  Index into per-station FIFOs. */
enum shmq_prio {
	SHMQ_URGENT = 0,
	SHMQ_NORMAL = 1,
	SHMQ_LOW = 2,
};
#define SHMQ_NPRIO	3

/* Slot states.  FREE slots are on the free list. */
enum shmq_state {
	SHMQ_FREE = 0,
	SHMQ_PENDING = 1,	/* waiting in its station's FIFO */
	SHMQ_PROCESSING = 2,	/* claimed by a printer's worker */
	SHMQ_FAILED = 3,	/* gave up; kept until retried or cleared */
};

/* Job flags, for the daemon and the ticket renderer. */
#define SHMQ_F_REPRINT		0x0001	/* print marked REIMPRESIÓN */
#define SHMQ_F_MAYBE_PRINTED	0x0002	/* claimer died: paper may be out */
#define SHMQ_F_MODIFY		0x0004	/* MODIFICACIÓN delta ticket */
#define SHMQ_F_CANCEL		0x0008	/* CANCELACIÓN ticket */
#define SHMQ_F_FALLBACK		0x0010	/* handed to the kitchen screen */

/* Circuit breaker states of a printer, kept here so every process sees. */
enum shmq_circuit {
	SHMQ_CIRCUIT_CLOSED = 0,
	SHMQ_CIRCUIT_OPEN = 1,
	SHMQ_CIRCUIT_HALF_OPEN = 2,
};

/* What the creator describes; the layout is fixed for the segment's life. */
struct shmq_params {
	const char	*instance;	/* segment is "/fastops.<instance>" */
	uint32_t	 nslots;	/* job slots (default 65536) */
	uint32_t	 payload_max;	/* bytes of payload per slot (>= 64) */
	uint64_t	 low_max_wait_ns; /* aging: low served as normal after */
	uint32_t	 nstations;
	const char	*stations[SHMQ_MAX_STATIONS];
	uint32_t	 nprinters;
	const char	*printers[SHMQ_MAX_PRINTERS];
	uint16_t	 printer_station[SHMQ_MAX_PRINTERS];
	int		 recover;	/* replace an existing segment */
};

/* A stable handle on a queued job: slot index plus the job's id. */
struct shmq_ref {
	uint32_t	slot;
	uint64_t	job_id;
};

/* What the daemon puts in and gets back.  payload is copied. */
struct shmq_job {
	uint64_t	 job_id;	/* unique, assigned by the daemon */
	uint64_t	 order_id;
	uint16_t	 station;
	uint8_t		 prio;		/* enum shmq_prio; out: URGENT once
					   promoted */
	uint8_t		 state;		/* enum shmq_state (out only) */
	uint32_t	 flags;		/* SHMQ_F_* */
	uint32_t	 attempts;	/* claims so far (out only) */
	int32_t		 printer;	/* claimer, or -1 (out only) */
	int32_t		 avoid_printer;	/* skip this printer if a sibling can */
	pid_t		 owner;		/* claiming process (out only) */
	uint64_t	 enqueued_ns;	/* CLOCK_MONOTONIC (out only) */
	uint64_t	 claimed_ns;	/* (out only) */
	uint32_t	 payload_len;
	const void	*payload;	/* in: data to copy; out: see below */
};

/*
 * Monotonic totals and live gauges.  Read with shmq_read_counters().
 * Always enqueued == completed + cancelled + cleared + pending + processing
 * + failed_now (failed counts give-ups, and a retried job may fail again).
 */
struct shmq_counters {
	uint64_t	enqueued;	/* accepted by shmq_enqueue */
	uint64_t	claimed;	/* claims, including re-claims */
	uint64_t	completed;	/* printed */
	uint64_t	retried;	/* failed attempts sent back to pending */
	uint64_t	failed;		/* gave up (went to SHMQ_FAILED) */
	uint64_t	cancelled;
	uint64_t	cleared;	/* failed jobs removed by shmq_clear */
	uint64_t	promoted;	/* moved to urgent */
	uint64_t	aged;		/* low jobs served as normal */
	uint64_t	repairs;	/* EOWNERDEAD recoveries */
	uint64_t	full;		/* enqueues refused: no free slot */
	/* gauges, recomputed on repair */
	uint32_t	pending[SHMQ_NPRIO];
	uint32_t	processing;
	uint32_t	failed_now;
	uint32_t	free_slots;
	uint32_t	nslots;
};

struct shmq_printer_info {
	char		name[SHMQ_NAME_MAX];
	uint16_t	station;
	uint8_t		circuit;	/* enum shmq_circuit */
	uint8_t		paused;
	uint32_t	consecutive_failures;
	uint64_t	current_job;	/* 0 when idle */
	uint64_t	printed;
	uint64_t	failures;
	uint64_t	busy_ns;	/* time spent printing */
	uint64_t	circuit_since_ns; /* CLOCK_MONOTONIC of last change */
	char		last_error[SHMQ_ERR_MAX];
};

struct shmq_minute {
	uint64_t	minute;		/* wall-clock minutes since the epoch */
	uint32_t	enqueued;
	uint32_t	completed;
	uint32_t	failed;
};

/* The histograms kept in the segment. */
enum shmq_hist {
	SHMQ_H_WAIT = 0,	/* enqueue -> claim */
	SHMQ_H_PRINT = 1,	/* claim -> complete */
	SHMQ_H_TOTAL = 2,	/* enqueue -> complete */
};
#define SHMQ_NHIST	3

struct shmq;

/* --- life cycle ------------------------------------------------------- */

/*
 * Create the segment (O_CREAT|O_EXCL, mode 0660).  An existing segment is
 * refused with EEXIST unless p->recover is set, in which case it is
 * unlinked and created anew (its jobs are rebuilt from the journal).
 */
int	 shmq_create(const struct shmq_params *p, struct shmq **out);
/*
 * Attach to an existing segment.  readonly maps it PROT_READ: only the
 * shmq_read_* functions may then be used (the others fail with EROFS).
 * A segment with another magic or ABI version is refused (EPROTO) with a
 * message saying which; one whose creator has not finished initialising
 * it, with EAGAIN.
 */
int	 shmq_attach(const char *instance, int readonly, struct shmq **out);
/* Unmap; the segment stays. */
void	 shmq_detach(struct shmq *);
/* Unmap and unlink (the creator, on clean shutdown). */
void	 shmq_destroy(struct shmq *);
/* Reason for the last refusal in this thread, for people to read. */
const char *shmq_strerror(void);

/* --- producer side (the daemon) --------------------------------------- */

/*
 * Copy job into a free slot, at the tail of its station's FIFO for
 * job->prio.  ENOSPC when every slot is in use, E2BIG when the payload
 * exceeds payload_max, EINVAL for a bad station or priority or a job_id
 * of 0 (0 means "no job" in shmq_printer_info).  Wakes the station's
 * waiters.  Duplicate job ids are NOT detected (that would need a scan or
 * an index on the hot path): the daemon assigns ids and guarantees they are
 * unique; shmq_find() returns the first match.
 */
int	 shmq_enqueue(struct shmq *, const struct shmq_job *job,
	    struct shmq_ref *ref);
/*
 * Recovery: put back a job rebuilt from the journal, honouring job->state
 * (SHMQ_PENDING or SHMQ_FAILED), job->attempts and job->flags.  Call in the
 * jobs' original FIFO order.  Errors as shmq_enqueue, and EINVAL for any
 * other state.  Counted as enqueued (the segment's books must balance), not
 * in the per-minute series.
 */
int	 shmq_restore(struct shmq *, const struct shmq_job *job,
	    struct shmq_ref *ref);
/* Move a pending job to urgent (keeps its age).  ENOENT, EBUSY if claimed. */
int	 shmq_promote(struct shmq *, const struct shmq_ref *);
/* Remove a pending or failed job.  ENOENT if gone, EBUSY if claimed. */
int	 shmq_cancel(struct shmq *, const struct shmq_ref *);
/*
 * Send a failed job back to pending with its priority and age, any printer
 * allowed (avoid_printer cleared).  ENOENT if none.
 */
int	 shmq_retry(struct shmq *, const struct shmq_ref *);
/* Remove a failed job (the admin cleared it).  ENOENT if none. */
int	 shmq_clear(struct shmq *, const struct shmq_ref *);
/* Set or clear flags on a queued job. */
int	 shmq_set_flags(struct shmq *, const struct shmq_ref *,
	    uint32_t set, uint32_t clear);
/* Find a job by id (scans the table). */
int	 shmq_find(struct shmq *, uint64_t job_id, struct shmq_ref *);
/*
 * Jobs claimed by a process that is gone go back to the head of their FIFO,
 * flagged SHMQ_F_MAYBE_PRINTED.  Returns how many were released.
 */
int	 shmq_release_owner(struct shmq *, pid_t dead);

/* --- consumer side (a worker driving one printer) --------------------- */

/*
 * Claim the next job for printer: urgent first, then normal, then low, FIFO
 * within each; a low job waiting longer than low_max_wait competes as
 * normal by its age.  A job whose avoid_printer is this printer is skipped
 * while another printer of the station is closed (or half-open) and not
 * paused.  Copies the job into *job and its payload into buf (up to buflen;
 * job->payload points at buf).  Returns 0, or -1 with EAGAIN when there is
 * nothing to do, EPERM when the printer is paused or its circuit open.
 */
int	 shmq_claim(struct shmq *, uint32_t printer, struct shmq_job *job,
	    void *buf, size_t buflen, struct shmq_ref *ref);
/*
 * Like shmq_claim, but sleep up to timeout_ns (0: forever) until a job is
 * available for this printer.  -1/ETIMEDOUT when the time ran out, EINTR
 * when shmq_wake_all() or a signal cut the wait short.
 */
int	 shmq_claim_wait(struct shmq *, uint32_t printer, struct shmq_job *,
	    void *buf, size_t buflen, struct shmq_ref *, uint64_t timeout_ns);
/*
 * The claimed job was printed: free its slot, record latencies.  ENOENT if
 * the ref no longer names a job, EINVAL if the job is not being processed.
 */
int	 shmq_complete(struct shmq *, const struct shmq_ref *);
/*
 * The attempt failed.  give_up moves the job to SHMQ_FAILED (printer -1);
 * otherwise it goes back to the head of its FIFO with avoid_printer set to
 * the printer that failed, so a sibling takes it if one can.  error is kept
 * as the printer's last error (may be NULL).  Errors as shmq_complete.
 */
int	 shmq_fail(struct shmq *, const struct shmq_ref *, int give_up,
	    const char *error);
/*
 * Take the next pending job of a station (urgent first) straight to
 * SHMQ_FAILED, when no printer there can print it; *ref names it (the
 * daemon then hands it to the kitchen screen).  ENOENT when none waits.
 */
int	 shmq_give_up_next(struct shmq *, uint32_t station,
	    struct shmq_ref *ref);
/* Wake every waiter (shutdown, configuration change). */
void	 shmq_wake_all(struct shmq *);

/* --- printers ---------------------------------------------------------- */

int	 shmq_printer_set_circuit(struct shmq *, uint32_t printer,
	    enum shmq_circuit);
int	 shmq_printer_pause(struct shmq *, uint32_t printer, int paused);
/* Set the printer's last error ("" or NULL clears it). */
int	 shmq_printer_set_error(struct shmq *, uint32_t printer,
	    const char *error);

/* --- iteration and reading --------------------------------------------- */

/*
 * Call fn for every non-free slot, in slot order, under the lock (fn must
 * not call back into shmq).  The job's payload points into the segment and
 * is valid only during the call.  Stops early if fn returns non-zero, and
 * returns that value; 0 after a full pass, -1 if the lock failed.
 */
int	 shmq_foreach(struct shmq *,
	    int (*fn)(const struct shmq_job *, void *), void *arg);
/* Position of a pending job in its station's service order (1-based) and
 * the number pending there.  ENOENT if not pending. */
int	 shmq_position(struct shmq *, const struct shmq_ref *,
	    uint32_t *pos, uint32_t *len);

/*
 * Seqlock readers: safe on read-only mappings and while the daemon is hung
 * (they give up with EAGAIN after a bounded number of retries).
 */
int	 shmq_read_counters(struct shmq *, struct shmq_counters *);
/* Jobs pending at a station, per priority. */
int	 shmq_station_pending(struct shmq *, uint32_t station,
	    uint32_t count[SHMQ_NPRIO]);
int	 shmq_read_printer(struct shmq *, uint32_t printer,
	    struct shmq_printer_info *);
int	 shmq_read_hist(struct shmq *, enum shmq_hist, struct histogram *);
/* Copies up to n minutes, newest last; returns how many. */
int	 shmq_read_minutes(struct shmq *, struct shmq_minute *, int n);
/* Number of stations/printers/slots and names. */
uint32_t	 shmq_nstations(const struct shmq *);
uint32_t	 shmq_nprinters(const struct shmq *);
const char	*shmq_station_name(const struct shmq *, uint32_t);
uint16_t	 shmq_printer_station(const struct shmq *, uint32_t);
uint32_t	 shmq_payload_max(const struct shmq *);

/*
 * Check every invariant (lists match slot states, counts match, no slot on
 * two lists, free list complete, FIFOs sorted by age).  Returns 0 or -1
 * with a description in shmq_strerror().  For tests and `ctl --shm check`.
 * Works on read-only mappings too, as a seqlock reader (EAGAIN if the
 * queue never holds still long enough).
 */
int	 shmq_check(struct shmq *);

/*
 * Test hook: when point n is armed, the process raises SIGKILL at the
 * numbered instrumentation point inside a critical section.  0 disarms.
 * Points are listed in shmq.c (SHMQ_CP_*); shmq_crashpoints() says how many.
 */
void	 shmq_set_crashpoint(int n);
int	 shmq_crashpoints(void);

#endif
