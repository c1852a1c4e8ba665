/*
 * orders — the daemon's orders: numbering, idempotency, the tickets (jobs)
 * each order gives each station, and the journal records of every change.
 *
 * Every change is one journal record (JSON payload, types ORD_REC_*), and
 * one function applies a record whether it was just written or is being
 * replayed: the live path is "build record, append, apply", recovery is
 * "apply" — the two cannot drift apart.  Applying a record also applies
 * its queue changes to the qstate model (new jobs, promotions, removals).
 *
 * Not thread-safe: the daemon calls everything here under its lock.
 */
#ifndef FASTOPS_ORDERS_H
#define FASTOPS_ORDERS_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "config.h"
#include "fastops/protocol.h"
#include "menu.h"
#include "qstate.h"

enum ord_rec_type {
	ORD_REC_CREATED = QREC_DAEMON_BASE,	/* 64 */
	ORD_REC_MODIFIED,
	ORD_REC_CANCELLED,
	ORD_REC_URGENT,
	ORD_REC_REPRINT,
	ORD_REC_BUMPED,
	ORD_REC_USER_PUT,
	ORD_REC_USER_DEL,
	ORD_REC_PRINTER,	/* printer.pause|resume (store.c) */
};

enum ord_type { ORD_MESA, ORD_LLEVAR, ORD_DOMICILIO, ORD_NTYPES };

enum ord_state {
	ORD_RECIBIDO, ORD_EN_COLA, ORD_IMPRIMIENDO, ORD_IMPRESO,
	ORD_EN_PREPARACION, ORD_LISTO, ORD_CANCELADO,
};

enum ord_kind { ORD_KIND_NEW, ORD_KIND_MODIFY, ORD_KIND_CANCEL,
	ORD_KIND_REPRINT };

enum ord_job_status { ORD_JOB_PENDING, ORD_JOB_PROCESSING, ORD_JOB_COMPLETED,
	ORD_JOB_FAILED, ORD_JOB_FALLBACK, ORD_JOB_CANCELLED };

struct ord_item {
	char	product[CONFIG_NAME_MAX + 1];
	char	name[MENU_NAME_MAX + 1];
	int	qty;
	char	notes[FO_NOTES_MAX + 1];
	int	price_cents;
	int	station;
};

struct ord_job {
	uint64_t	id;
	int		station;
	int		kind;		/* enum ord_kind */
	int		prio;		/* enum shmq_prio */
	int		status;		/* enum ord_job_status */
	int		printer;	/* last printer, -1 */
	int		attempts;
	int		reprint;	/* REIMPRESIÓN n, 0 otherwise */
	uint32_t	slot;		/* shm slot while queued, or NO_SLOT
					   (not journaled: a cache) */
};

#define NO_SLOT	UINT32_MAX

struct order {
	uint64_t	 id;
	uint64_t	 lsn;		/* record that last changed it */
	char		 uuid[FO_UUID_LEN + 1];
	char		 number[16];
	int		 type;		/* enum ord_type */
	char		 table[FO_TABLE_MAX + 1];
	char		 waiter[FO_NAME_MAX + 1];
	char		 notes[FO_NOTES_MAX + 1];
	int64_t		 created;	/* unix seconds */
	int		 state;		/* enum ord_state */
	int		 reprints;
	uint32_t	 ready_mask;	/* stations bumped "listo" */
	uint32_t	 prep_mask;	/* stations "en preparación" */
	int		 cancelled;
	struct ord_item	*items;
	int		 nitems;
	struct ord_job	*jobs;
	int		 njobs;
};

struct orders;
struct jbuf;

struct orders	*orders_new(const struct config *, const struct menu *,
		    struct qstate *);
void		 orders_free(struct orders *);
/* The menu can change on reload; orders keep their own copies of items. */
void		 orders_set_menu(struct orders *, const struct menu *);

/*
 * Build the record for a request.  On success *rec is a new JSON object
 * (caller appends it, then calls orders_apply with it) and 0 is returned.
 * On a refusal, -1 with *code a FO_E* code and msg filled; nothing changed.
 * creator is the user the order is attributed to.
 */
int	orders_prepare_create(struct orders *, const json_t *req,
	    const char *creator, json_t **rec, const char **code,
	    char *msg, size_t msglen);
int	orders_prepare_modify(struct orders *, const json_t *req,
	    json_t **rec, const char **code, char *msg, size_t msglen);
int	orders_prepare_cancel(struct orders *, const json_t *req,
	    json_t **rec, const char **code, char *msg, size_t msglen);
int	orders_prepare_urgent(struct orders *, const json_t *req,
	    json_t **rec, const char **code, char *msg, size_t msglen);
int	orders_prepare_reprint(struct orders *, const json_t *req,
	    json_t **rec, const char **code, char *msg, size_t msglen);
int	orders_prepare_bump(struct orders *, const json_t *req,
	    json_t **rec, const char **code, char *msg, size_t msglen);

/*
 * Apply a record of type ORD_REC_* (from the live path or replay).  For
 * records that change the queue, also applies those changes to the qstate
 * model, using seq keys (lsn << 8 | i).  -1 on a malformed or inconsistent
 * record (replay logs it and goes on).
 */
int	orders_apply(struct orders *, uint64_t lsn, uint16_t type,
	    json_t *rec);

/*
 * A queue record (QREC_JOB_CLAIMED ... QREC_JOB_FLAGS) seen by the orders:
 * the job's status, printer and attempts, and its order's state.  Returns
 * the order (NULL if the job is not one of ours) and whether its state
 * changed.  Called for live records and on replay alike.
 */
struct order	*orders_job_apply(struct orders *, const struct qrec *,
		    int *changed);
/* Recovery sent a job that was being printed back to pending. */
void		 orders_job_requeued(struct orders *, uint64_t job_id);

/* An order by id, or by client uuid (idempotency). */
struct order	*orders_get(struct orders *, uint64_t id);
struct order	*orders_by_uuid(struct orders *, const char *uuid);
/* The order a job belongs to. */
struct order	*orders_by_job(struct orders *, uint64_t job_id,
		    struct ord_job **job);
/* Orders newest first, filtered by state (-1: any) and waiter (NULL). */
int		 orders_list(struct orders *, int state, const char *waiter,
		    int page, int per_page, struct order ***out, int *total);

/*
 * The JSON object the protocol shows for an order (no queue positions),
 * appended to b as text.
 */
void		 orders_to_text(const struct orders *, const struct order *,
		    struct jbuf *);

/* Snapshot of the order table (the queue model is snapshotted apart). */
json_t		*orders_snapshot(const struct orders *);
int		 orders_load(struct orders *, json_t *);
/* Drop finished orders older than max_age_s from memory. */
int		 orders_prune(struct orders *, int64_t now, int64_t max_age_s);
size_t		 orders_count(const struct orders *);

const char	*orders_state_name(int);
const char	*orders_type_name(int);
const char	*orders_job_status_name(int);
const char	*orders_kind_name(int);
const char	*orders_prio_name(int);

/* Next job id (the daemon's shm enqueue needs ids before records). */
uint64_t	 orders_next_job_id(const struct orders *);

#endif
