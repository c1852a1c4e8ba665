/*
 * wproto — what the daemon's supervisor and its printer workers say to
 * each other over a SOCK_SEQPACKET socketpair (fd WORKER_FD in the worker).
 *
 * The shm queue is where jobs move; this channel carries what the daemon
 * must journal and publish (a worker claimed, printed or failed a job) and
 * what a worker must be told (which printer to drive, the settings of the
 * moment, stop).  Fixed-size messages, one per datagram; both ends are the
 * same binary, so no byte-order concerns.
 */
#ifndef FASTOPS_WPROTO_H
#define FASTOPS_WPROTO_H

#include <stdint.h>

#include "shmq.h"

#define WORKER_FD	3	/* the worker's end of the socketpair */
#define WORKER_BATCH_MAX 32	/* [turbo] batch upper bound */

/* worker -> daemon */
enum wmsg_type {
	W_HELLO = 1,		/* started, attached; pid in job_id */
	W_CLAIMED,		/* took job from the shm queue */
	W_PRINTED,		/* completed it in shm */
	W_FAILED,		/* failed it in shm (retry or give_up) */
	W_PROBE,		/* half-open printer answered a status probe */
};

struct wmsg {
	uint8_t		type;		/* enum wmsg_type */
	uint8_t		give_up;	/* W_FAILED: now SHMQ_FAILED */
	uint8_t		maybe_printed;	/* W_FAILED: paper may be out */
	uint8_t		ok;		/* W_PROBE: printer can print */
	int32_t		printer;
	uint32_t	slot;
	uint32_t	attempts;
	uint64_t	job_id;
	uint32_t	elapsed_ms;	/* W_PRINTED/W_FAILED: the attempt */
	uint32_t	age_ms;		/* since the job was queued */
	uint32_t	batch;		/* tickets sent in the transmission */
	char		error[SHMQ_ERR_MAX];
};

/* daemon -> worker */
enum wctl_type {
	C_BIND = 1,		/* drive printer (-1: park) */
	C_SETTINGS,		/* the settings below */
	C_STOP,			/* finish the job in hand and exit */
};

struct wctl {
	uint8_t		type;		/* enum wctl_type */
	int32_t		printer;	/* C_BIND */
	int32_t		print_timeout_ms;
	int32_t		max_attempts;
	int32_t		retry_delay_ms;
	int32_t		batch;		/* tickets per transmission */
	int32_t		breaker_failures;
	int32_t		breaker_close_after;
};

/* The worker's entry point: `fastops-queued --worker ...`. */
int	worker_main(int argc, char **argv);

#endif
