/*
 * fastops-queued: the parts of the daemon and what they share.
 *
 *	main.c		start-up, signals, periodic work, shutdown
 *	store.c		journal: replay, snapshots, the commit threads
 *	api.c		REQ/REP: contexts, parsing, auth, dispatch
 *	ops.c		the operations
 *	events.c	PUB: batched events
 *	http.c		/metrics, /healthz, /readyz
 *	auth.c		users, PINs, tokens
 *	orders.c	orders, numbering, tickets, their records
 *	jbuf.c		JSON text written directly (replies, events, tickets)
 *
 * One mutex (d->lock) guards the order table, the queue model, the user
 * table and every shm change made by the daemon.  Nothing blocks while
 * holding it except appending to the journal (write(2) to the page cache).
 */
#ifndef FASTOPS_DAEMON_H
#define FASTOPS_DAEMON_H

#include <pthread.h>
#include <stdint.h>

#include <jansson.h>
#include <nng/nng.h>

#include "auth.h"
#include "config.h"
#include "histogram.h"
#include "jbuf.h"
#include "journal.h"
#include "menu.h"
#include "orders.h"
#include "qstate.h"
#include "shmq.h"
#include "supervisor.h"

#define API_CONTEXTS	64
#define API_SELFCHECK_MS 2000	/* a fresh connection must answer within */
#define PUBLISHERS	2	/* threads that release durable batches */

struct events;
struct http;
struct api_ctx;

/* An event to publish once durable. */
struct commit_ev {
	const char	*kind;		/* FO_EV_* */
	size_t		 off, len;	/* its object, in the commit's evtext */
	int		 with_order;	/* add "order": the order, last */
};

/*
 * Work to do once a reply's records are durable.  The order (order_id) is
 * rendered once, by the publisher, and shared by the reply and the events
 * that show it: as text, since that is all either needs.
 */
struct commit {
	struct commit	*next;
	uint64_t	 lsn;		/* reply waits for this */
	struct api_ctx	*ctx;		/* where the reply goes, or NULL */
	json_t		*reply;		/* prepared reply (owned) */
	uint64_t	 order_id;	/* order to report, or 0 */
	uint64_t	*enqueue;	/* jobs to put into shm (model ids) */
	int		 nenqueue;
	struct commit_ev *ev;		/* events, in order */
	int		 nev;
	struct jbuf	 evtext;	/* their objects, one after another */
	struct jbuf	 order;		/* the order, made by the publisher */
	uint64_t	 start_ns;	/* request arrival, for latency */
};

struct daemon {
	pthread_mutex_t		 lock;
	struct config		*cfg;
	const char		*config_path;
	struct menu		*menu;
	struct auth		*auth;
	struct orders		*orders;
	struct qstate		*model;
	struct shmq		*q;
	struct journal		*j;
	struct events		*ev;
	struct http		*http;
	struct supervisor	*sv;
	struct pgsync		*pg;		/* [postgres], else NULL */
	/* printer.pause as journaled: 1 paused by hand, -1 as configured */
	signed char		 paused[CONFIG_PRINTERS_MAX];
	nng_socket		 rep;
	nng_socket		 pub;
	int			 shm_lockfd;	/* flock held on our segment */
	int			 readonly;	/* journal failed */
	int			 stopping;
	int			 ready;
	uint64_t		 started_ns;
	uint64_t		 records_since_snapshot;
	struct jbuf		 rec_text;	/* a record being appended */

	/* commit threads (store.c): one syncer, PUBLISHERS publishers */
	pthread_t		 syncer;
	pthread_t		 publisher[PUBLISHERS];
	pthread_cond_t		 commit_cv;	/* for the syncer */
	pthread_cond_t		 post_cv;	/* for the publishers */
	struct commit		*commit_head, *commit_tail; /* to sync */
	struct commit		*post_head, *post_tail;	/* durable */
	int			 commit_busy;	/* entries being synced */
	int			 commit_stop;
	int			 syncer_done;

	/*
	 * Request metrics, under stats_lock: every reply counts itself, and
	 * the commit threads send theirs without d->lock.
	 */
	pthread_mutex_t		 stats_lock;
	struct histogram	 ack_hist;	/* arrival -> reply sent */
	uint64_t		 requests;
	uint64_t		 request_errors;
	uint64_t		 orders_created;	/* under lock */
};

/* store.c */
int	 store_open(struct daemon *);
void	 store_close(struct daemon *);
/* The journal failed: refuse changes from now on, and say so loudly. */
void	 store_failed(struct daemon *, const char *why);
/* Append a record (JSON payload) and apply it; returns its LSN or 0. */
uint64_t store_append(struct daemon *, uint16_t type, json_t *rec);
int	 store_snapshot(struct daemon *);
void	 store_commit(struct daemon *, struct commit *);
int	 store_start_committer(struct daemon *);
void	 store_stop_committer(struct daemon *);
uint64_t store_append_job(struct daemon *, const struct qrec *,
	    struct order **, int *changed);
/* Put a job of the model into the shm queue (after it is durable). */
int	 store_enqueue_job(struct daemon *, uint64_t job_id);

/* api.c */
int	 api_start(struct daemon *);
void	 api_selfcheck(struct daemon *);
void	 api_stop(struct daemon *);
/* Send a reply on a context (commit thread or direct); takes reply. */
void	 api_reply(struct api_ctx *, json_t *reply, uint64_t start_ns);
/* The same for a reply given as JSON text (not kept); ok: not an error. */
void	 api_reply_text(struct api_ctx *, const char *text, size_t len,
	    int ok, uint64_t start_ns);

/* ops.c */
/*
 * Run one request.  Returns the reply, or NULL when the reply will come
 * from the commit thread (it then owns c).  session is who asks.
 */
json_t	*ops_dispatch(struct daemon *, struct api_ctx *, json_t *req,
	    const struct auth_session *, uint64_t start_ns);
json_t	*ops_error(const char *code, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* A commit entry: reply (taken, may be NULL) goes to c (may be NULL) once
 * lsn is durable; events added with commit_event go out then too. */
struct commit *commit_new(struct api_ctx *c, json_t *reply, uint64_t lsn,
	    uint64_t order_id, uint64_t start_ns);
void	 commit_event(struct commit *, const char *kind, int with_order,
	    const char *fmt, ...);
/* The order object with queue positions, for replies: as text, as JSON. */
void	 ops_order_text(struct daemon *, const struct order *, struct jbuf *);
json_t	*ops_order_json(struct daemon *, const struct order *);

/* ops-print.c: printers, workers, turbo, failed jobs, the dashboard */
json_t	*ops_turbo(struct daemon *, struct api_ctx *, json_t *,
	    const struct auth_session *, uint64_t);
json_t	*ops_workers_scale(struct daemon *, struct api_ctx *, json_t *,
	    const struct auth_session *, uint64_t);
json_t	*ops_printers(struct daemon *, struct api_ctx *, json_t *,
	    const struct auth_session *, uint64_t);
json_t	*ops_printer_pause(struct daemon *, struct api_ctx *, json_t *,
	    const struct auth_session *, uint64_t);
json_t	*ops_jobs_retry(struct daemon *, struct api_ctx *, json_t *,
	    const struct auth_session *, uint64_t);
json_t	*ops_dashboard(struct daemon *, struct api_ctx *, json_t *,
	    const struct auth_session *, uint64_t);
/* The stats reply (ops.c), which the dashboard extends. */
json_t	*ops_stats(struct daemon *, struct api_ctx *, json_t *,
	    const struct auth_session *, uint64_t);

/* events.c */
struct events *events_new(struct daemon *);
void	 events_free(struct events *);
/* Queue an event; it goes out with others of its kind in a few ms. */
void	 events_publish(struct events *, const char *kind, json_t *obj);
/*
 * The same for an object given as JSON text (len bytes, copied).  kind
 * must outlive the daemon: one of the FO_EV_* strings.
 */
void	 events_publish_text(struct events *, const char *kind,
	    const char *obj, size_t len);

/* http.c */
struct http *http_start(struct daemon *, const char *hostport);
void	 http_stop(struct http *);
/* The Prometheus text exposition (malloc'd). */
char	*http_metrics(struct daemon *);

#endif
