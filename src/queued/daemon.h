/*
 * fastops-queued: the parts of the daemon and what they share.
 *
 *	main.c		start-up, signals, periodic work, shutdown
 *	store.c		journal: replay, snapshots, the commit thread
 *	api.c		REQ/REP: contexts, parsing, auth, dispatch
 *	ops.c		the operations
 *	events.c	PUB: batched events
 *	http.c		/metrics, /healthz, /readyz
 *	auth.c		users, PINs, tokens
 *	orders.c	orders, numbering, tickets, their records
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
#include "journal.h"
#include "menu.h"
#include "orders.h"
#include "qstate.h"
#include "shmq.h"

#define API_CONTEXTS	64
#define API_SELFCHECK_MS 2000	/* a fresh connection must answer within */
#define COMMITTERS	2	/* one syncs while the other publishes */

struct events;
struct http;
struct api_ctx;

/* Work to do once a reply's records are durable. */
struct commit {
	struct commit	*next;
	uint64_t	 lsn;		/* reply waits for this */
	struct api_ctx	*ctx;		/* where the reply goes, or NULL */
	json_t		*reply;		/* prepared reply (owned) */
	uint64_t	 order_id;	/* order to report, or 0 */
	uint64_t	*enqueue;	/* jobs to put into shm (model ids) */
	int		 nenqueue;
	json_t		*events;	/* [[kind, object], ...] (owned) */
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
	nng_socket		 rep;
	nng_socket		 pub;
	int			 shm_lockfd;	/* flock held on our segment */
	int			 readonly;	/* journal failed */
	int			 stopping;
	int			 ready;
	uint64_t		 started_ns;
	uint64_t		 records_since_snapshot;

	/* commit threads */
	pthread_t		 committer[COMMITTERS];
	pthread_cond_t		 commit_cv;
	pthread_cond_t		 post_cv;
	struct commit		*commit_head, *commit_tail;
	uint64_t		 commit_taken;	/* batches taken */
	uint64_t		 commit_posted;	/* batches published */
	int			 commit_busy;	/* batches in flight */
	int			 commit_stop;

	/* request metrics, under lock */
	struct histogram	 ack_hist;	/* arrival -> reply sent */
	uint64_t		 requests;
	uint64_t		 request_errors;
	uint64_t		 orders_created;
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
/* Put a job of the model into the shm queue (after it is durable). */
int	 store_enqueue_job(struct daemon *, uint64_t job_id);

/* api.c */
int	 api_start(struct daemon *);
void	 api_selfcheck(struct daemon *);
void	 api_stop(struct daemon *);
/* Send a reply on a context (commit thread or direct). */
void	 api_reply(struct api_ctx *, json_t *reply, uint64_t start_ns);

/* ops.c */
/*
 * Run one request.  Returns the reply, or NULL when the reply will come
 * from the commit thread (it then owns c).  session is who asks.
 */
json_t	*ops_dispatch(struct daemon *, struct api_ctx *, json_t *req,
	    const struct auth_session *, uint64_t start_ns);
json_t	*ops_error(const char *code, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The order object with queue positions, for replies. */
json_t	*ops_order_json(struct daemon *, const struct order *);

/* events.c */
struct events *events_new(struct daemon *);
void	 events_free(struct events *);
/* Queue an event; it goes out with others of its kind in a few ms. */
void	 events_publish(struct events *, const char *kind, json_t *obj);

/* http.c */
struct http *http_start(struct daemon *, const char *hostport);
void	 http_stop(struct http *);
/* The Prometheus text exposition (malloc'd). */
char	*http_metrics(struct daemon *);

#endif
