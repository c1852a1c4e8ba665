/*
 * pgsync — the journal written behind into PostgreSQL.
 *
 * One thread follows the journal (a journal_reader) up to what is durable
 * and applies each record to the tables, in journal order, in batches: one
 * transaction per batch, which also moves this daemon's row of sync_cursor
 * to the batch's last LSN.  A record is in the database exactly when the
 * cursor is at or past it, so after a crash of either side the thread
 * starts again at cursor + 1, and no record is applied twice or skipped.
 *
 * Everything a record needs is in the record and in the configuration
 * (station and printer names by index); what the daemon derives in memory
 * (an order's state, a ticket's text) the database derives from its rows
 * with the same rules (fastops_order_state, fastops_ticket: migration
 * 002).  So the thread never takes d->lock: intake and printing never wait
 * for PostgreSQL.
 *
 * The database may be down, slow or hung.  Every call is non-blocking libpq
 * with a deadline; any failure drops the connection, waits (100 ms,
 * doubling to retry_max_ms) and starts again from the cursor.  The journal
 * keeps the segments the database lacks (journal_retain).  The cursor is
 * also remembered in <state_dir>/pgsync.lsn, so that retention holds from
 * the daemon's start, before the database is reachable again; the file
 * may lag the database (it is written after the commit), never lead it.
 *
 * A record the database refuses (a check or a key: a bug, not an outage)
 * must not stop a branch's history: the batch is applied again with each
 * record in a savepoint, and the refused one becomes a "sync.rejected"
 * event, is logged and counted.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "clock.h"
#include "config.h"
#include "daemon.h"
#include "jbuf.h"
#include "journal.h"
#include "log.h"
#include "orders.h"
#include "pgsync.h"
#include "qstate.h"
#include "shmq.h"
#include "u64map.h"
#include "xmalloc.h"

#define SCHEMA_NEEDED	2		/* migration 002_pgsync */
#define CALL_TIMEOUT_MS	10000		/* connect or one statement */
#define RETRY_MIN_MS	100
#define SAMPLES_MAX	512		/* progress samples kept for the lag */
#define ANALYZE_FIRST	2000		/* records, then doubling */
#define ARGS_MAX	16		/* Q_ORDER_NEW has 14 */

/*
 * The prepared statements; $1 and $2 are always company and branch ids.
 *
 * A record's own rows go out as it is read (a new order, its items and
 * tickets in one statement).  What many records change a little is folded
 * in memory and written once per batch: the tickets' states (a ticket is
 * often claimed and printed within one batch), the events, and the state
 * of the orders they touched.
 */
enum stmt {
	Q_ORDER_NEW, Q_ITEMS_DEL, Q_ITEMS_SET, Q_JOBS_INS, Q_ORDER_CANCEL, Q_ORDER_UNBUMP,
	Q_ORDER_REPRINTS, Q_ORDER_BUMP, Q_USER_PUT, Q_USER_DEL,
	Q_JOBS_FOLD, Q_EVENTS, Q_ORDERS_STATE, Q_NSTMT
};

/* When a record happened: its "ts" (unix ms), else now. */
#define TS(x)	"coalesce(to_timestamp(" x " / 1000.0), now())"
#define CB	"company_id = $1 AND branch_id = $2"
#define ITEMS_FROM(p)							\
	"SELECT $1, $2, $3, t.n, t.e->>'product', t.e->>'name', "	\
	"(t.e->>'qty')::int, (t.e->>'price_cents')::int, t.e->>'notes', " \
	"t.e->>'station' "						\
	"FROM jsonb_array_elements(" p "::jsonb) WITH ORDINALITY AS t(e, n)"
#define ITEMS_COLS							\
	"order_items (company_id, branch_id, order_id, line, product, "	\
	"name, qty, price_cents, notes, station) "
/*
 * New tickets: their text is the record's when it has it (a new order),
 * else made from the rows (fastops_ticket: reprints, modifications,
 * cancellations).
 */
#define JOBS_COLS							\
	"print_queue (company_id, branch_id, id, order_id, station, "	\
	"priority, status, kind, reprint, max_attempts, payload, created_at) "
#define JOBS_FROM(ma, ts, p)						\
	"SELECT $1, $2, (e->>'id')::bigint, $3, e->>'station', "	\
	"e->>'priority', 'pending', e->>'kind', (e->>'reprint')::int, "	\
	ma ", coalesce(e->'payload', fastops_ticket($1, $2, $3, "	\
	"(e->>'id')::bigint, e->>'station', e->>'kind', "		\
	"(e->>'reprint')::int, e->'items')), " TS(ts) " "		\
	"FROM jsonb_array_elements(" p "::jsonb) AS e"

static const char *const stmt_sql[Q_NSTMT] = {
	[Q_ORDER_NEW] =
	    "WITH o AS (INSERT INTO orders (company_id, branch_id, id, uuid, "
	    "number, type, table_label, waiter, notes, state, created_at, "
	    "updated_at, lsn) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
	    "'recibido', " TS("$10::bigint") ", " TS("$10::bigint") ", $11)),"
	    " i AS (INSERT INTO " ITEMS_COLS ITEMS_FROM("$12") ") "
	    "INSERT INTO " JOBS_COLS JOBS_FROM("$13::int", "$10::bigint", "$14"),
	/* two statements: a CTE's DELETE is not seen by its INSERT */
	[Q_ITEMS_DEL] =
	    "DELETE FROM order_items WHERE " CB " AND order_id = $3",
	[Q_ITEMS_SET] =
	    "INSERT INTO " ITEMS_COLS ITEMS_FROM("$4"),
	[Q_JOBS_INS] =
	    "INSERT INTO " JOBS_COLS JOBS_FROM("$4::int", "$5::bigint", "$6"),
	[Q_ORDER_CANCEL] =
	    "UPDATE orders SET state = 'cancelado' WHERE " CB " AND id = $3",
	[Q_ORDER_UNBUMP] =
	    "UPDATE orders SET ready = '{}', preparing = '{}' "
	    "WHERE " CB " AND id = $3",
	[Q_ORDER_REPRINTS] =
	    "UPDATE orders SET reprints = $4 WHERE " CB " AND id = $3",
	[Q_ORDER_BUMP] =
	    "WITH s AS (SELECT CASE WHEN $4::text IS NULL THEN (SELECT "
	    "coalesce(array_agg(DISTINCT station::text), '{}') FROM order_items"
	    " WHERE " CB " AND order_id = $3) ELSE ARRAY[$4::text] END AS st) "
	    "UPDATE orders o SET "
	    "ready = CASE WHEN $5::boolean THEN ARRAY(SELECT DISTINCT x FROM "
	    "unnest(o.ready || s.st) AS x ORDER BY 1) ELSE o.ready END, "
	    "preparing = CASE WHEN $5::boolean THEN o.preparing ELSE "
	    "ARRAY(SELECT DISTINCT x FROM unnest(o.preparing || s.st) AS x "
	    "ORDER BY 1) END "
	    "FROM s WHERE o.company_id = $1 AND o.branch_id = $2 AND o.id = $3",
	[Q_USER_PUT] =
	    "INSERT INTO users (company_id, branch_id, name, role, pin_hash) "
	    "VALUES ($1, $2, $3, $4, $5) "
	    "ON CONFLICT (company_id, branch_id, name) DO UPDATE SET "
	    "role = EXCLUDED.role, pin_hash = EXCLUDED.pin_hash, "
	    "updated_at = now()",
	[Q_USER_DEL] =
	    "DELETE FROM users WHERE " CB " AND name = $3",
	/*
	 * The tickets' changes of a batch, one row per ticket (see fold()):
	 * status "!unfallback" is "back from the kitchen screen to failed,
	 * if it is there".
	 */
	[Q_JOBS_FOLD] =
	    "UPDATE print_queue q SET "
	    "status = CASE WHEN r.status = '!unfallback' THEN CASE WHEN "
	    "q.status = 'fallback' THEN 'failed' ELSE q.status END "
	    "ELSE coalesce(r.status, q.status) END, "
	    "printer = coalesce(r.printer, q.printer), "
	    "attempts = q.attempts + r.claims, "
	    "processed_at = CASE WHEN r.claimed IS NULL THEN q.processed_at "
	    "ELSE " TS("r.claimed") " END, "
	    "completed_at = CASE WHEN r.status IS NULL OR "
	    "r.status = '!unfallback' THEN q.completed_at "
	    "WHEN r.status IN ('pending', 'processing') THEN NULL "
	    "ELSE " TS("r.done") " END, "
	    "error_message = coalesce(r.error, q.error_message), "
	    "priority = CASE WHEN r.urgent THEN 'urgent' ELSE q.priority END "
	    "FROM jsonb_to_recordset($3::jsonb) AS r(id bigint, status text, "
	    "printer text, claims int, claimed bigint, done bigint, "
	    "error text, urgent boolean) "
	    "WHERE q.company_id = $1 AND q.branch_id = $2 AND q.id = r.id",
	[Q_EVENTS] =
	    "INSERT INTO events (company_id, branch_id, kind, order_id, job_id,"
	    " lsn, created_at, data) "
	    "SELECT $1, $2, r.kind, coalesce(r.o, q.order_id), r.j, r.lsn, "
	    TS("r.ts") ", CASE WHEN r.j IS NULL THEN coalesce(r.data, '{}') "
	    "ELSE jsonb_strip_nulls(jsonb_build_object('printer', r.printer, "
	    "'station', q.station::text, 'error', r.error)) END "
	    "FROM jsonb_to_recordset($3::jsonb) AS r(kind text, o bigint, "
	    "j bigint, lsn bigint, ts bigint, data jsonb, printer text, "
	    "error text) "
	    "LEFT JOIN print_queue q ON q.company_id = $1 AND "
	    "q.branch_id = $2 AND q.id = r.j "
	    "ORDER BY r.lsn",
	/*
	 * The orders a batch touched, their state from their rows: looked
	 * up order by order (LATERAL, by index), as the planner can not
	 * know how many the batch holds.
	 */
	[Q_ORDERS_STATE] =
	    "WITH t AS (SELECT coalesce(r.o, q.order_id) AS id, r.lsn, r.ts "
	    "FROM jsonb_to_recordset($3::jsonb) AS r(o bigint, j bigint, "
	    "lsn bigint, ts bigint) LEFT JOIN print_queue q ON "
	    "q.company_id = $1 AND q.branch_id = $2 AND q.id = r.j), "
	    "m AS (SELECT id, max(lsn) AS lsn, max(ts) AS ts FROM t "
	    "WHERE id IS NOT NULL GROUP BY id), "
	    "x AS (SELECT m.id, m.lsn, m.ts, i.st, i.total, j.n, j.printing, "
	    "j.done FROM m "
	    "CROSS JOIN LATERAL (SELECT array_agg(DISTINCT station::text) AS "
	    "st, sum(qty::bigint * price_cents) AS total FROM order_items "
	    "WHERE " CB " AND order_id = m.id) AS i "
	    "CROSS JOIN LATERAL (SELECT count(*) AS n, "
	    "count(*) FILTER (WHERE status = 'processing') AS printing, "
	    "count(*) FILTER (WHERE status IN ('completed', 'fallback')) "
	    "AS done FROM print_queue WHERE " CB " AND order_id = m.id AND "
	    "kind IN ('new', 'modify') AND status <> 'cancelled') AS j) "
	    "UPDATE orders o SET state = fastops_state_of(o.state, "
	    "coalesce(x.st, '{}'), o.ready, o.preparing, x.n, x.printing, "
	    "x.done), total_cents = coalesce(x.total, 0), "
	    "updated_at = greatest(o.updated_at, " TS("x.ts") "), "
	    "lsn = greatest(o.lsn, x.lsn) "
	    "FROM x WHERE o.company_id = $1 AND o.branch_id = $2 AND "
	    "o.id = x.id",
};

#define Q_CURSOR_SET_SQL						\
	"UPDATE sync_cursor SET last_lsn = $4, updated_at = now() "	\
	"WHERE " CB " AND instance = $3 AND last_lsn = $5"

static const char *const ord_event[] = {
	"order.created", "order.modified", "order.cancelled", "order.urgent",
	"order.reprint", "order.bumped", "user.put", "user.del",
};

/* A ticket's changes within a batch, in the end's terms. */
struct fold {
	uint64_t	 id;
	const char	*status;	/* NULL: unchanged */
	int		 printer;	/* -1: unchanged */
	int		 claims;	/* attempts to add */
	uint64_t	 claimed;	/* last claim, unix ms; 0: none */
	uint64_t	 done;		/* last time it left the printers */
	int		 urgent;
	char		 error[SHMQ_ERR_MAX + 1];
};

struct sample {
	uint64_t	lsn;
	uint64_t	ns;		/* monotonic: when it was durable */
};

/* A call's outcome: fine, the connection's fault, or the record's. */
enum outcome { OK = 0, E_CONN = -1, E_DATA = -2 };

struct args {
	const char	*v[ARGS_MAX];
	char		 num[ARGS_MAX][24];
	int		 n;
};

struct pgsync {
	struct daemon		*d;
	const struct config	*cfg;
	pthread_t		 thread;
	int			 wake[2];	/* pipe: stop */

	pthread_mutex_t		 lock;		/* down to "thread's own" */
	int			 stop;
	int			 connected;
	uint64_t		 applied;
	uint64_t		 batches, records, errors, rejected;
	uint64_t		 down_since;	/* mono ns; 0 while connected */
	char			 error[256];
	struct sample		 sample[SAMPLES_MAX];
	int			 nsamples;

	/* the thread's own */
	PGconn			*c;
	char			 company_id[16], branch_id[16];
	char			 dir[PATH_MAX];
	int			 hintfd;
	struct journal_reader	*r;
	int			 careful;	/* records left in savepoints */
	uint64_t		 conn_records;	/* applied on this connection */
	uint64_t		 next_analyze;	/* ANALYZE at this many */
	int			 pipelined;	/* run() only sends */
	uint64_t		 cur_lsn;	/* the record being sent */
	uint64_t		*tag;		/* each query sent: its record */
	int			 ntags, tagsz;
	/* what the batch folds: see batch_flush() */
	struct u64map		 fmap;		/* ticket id -> index + 1 */
	struct fold		*fold;
	int			 nfold, foldsz;
	struct jbuf		 ev, touch;
	int			 nev, ntouch;
	struct jbuf		 b1, b2;	/* JSON text of arguments */
};

static void	*pgsync_main(void *);

/* --- arguments ---------------------------------------------------------- */

static void
args_reset(struct pgsync *ps, struct args *a)
{
	a->n = 0;
	a->v[a->n++] = ps->company_id;
	a->v[a->n++] = ps->branch_id;
}

static void
arg_str(struct args *a, const char *s)
{
	a->v[a->n++] = s;
}

static void
arg_int(struct args *a, long long v)
{
	snprintf(a->num[a->n], sizeof(a->num[a->n]), "%lld", v);
	a->v[a->n] = a->num[a->n];
	a->n++;
}

/* A record's time: 0 (not said) is NULL, and the database says now(). */
static void
arg_ts(struct args *a, uint64_t ms)
{
	if (ms == 0)
		arg_str(a, NULL);
	else
		arg_int(a, (long long)ms);
}

/* --- talking to the database, never blocking past a deadline ------------- */

static int
stopping(struct pgsync *ps)
{
	int	s;

	pthread_mutex_lock(&ps->lock);
	s = ps->stop;
	pthread_mutex_unlock(&ps->lock);
	return s;
}

static void
set_error(struct pgsync *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_error(struct pgsync *ps, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;
	size_t	n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	pthread_mutex_lock(&ps->lock);
	/* an outage says the same every retry: log it once */
	if (strcmp(ps->error, msg) != 0)
		log_warnx("pgsync: %s", msg);
	snprintf(ps->error, sizeof(ps->error), "%s", msg);
	ps->errors++;
	pthread_mutex_unlock(&ps->lock);
}

/*
 * Wait until the connection's socket is ready for events, the deadline
 * passes (0) or stop is asked (-1).
 */
static int
wait_sock(struct pgsync *ps, short events, uint64_t deadline)
{
	struct pollfd	pfd[2];
	uint64_t	now;
	int		rv;

	for (;;) {
		if ((now = clock_mono_ns()) >= deadline)
			return 0;
		pfd[0].fd = PQsocket(ps->c);
		pfd[0].events = events;
		pfd[1].fd = ps->wake[0];
		pfd[1].events = POLLIN;
		rv = poll(pfd, 2, (int)((deadline - now) / NS_PER_MS) + 1);
		if (rv == -1 && errno == EINTR)
			continue;
		if (rv == -1 || (pfd[1].revents & POLLIN))
			return -1;
		if (rv > 0)
			return 1;
	}
}

static void
disconnect(struct pgsync *ps)
{
	if (ps->c != NULL)
		PQfinish(ps->c);
	ps->c = NULL;
	pthread_mutex_lock(&ps->lock);
	if (ps->connected)
		ps->down_since = clock_mono_ns();
	ps->connected = 0;
	pthread_mutex_unlock(&ps->lock);
}

/*
 * Collect the answer to what was sent: the last result, or NULL with the
 * error set (and the connection unusable: the caller drops it).
 */
/* Send what libpq holds, reading answers meanwhile (no deadlock). */
static int
collect_flush(struct pgsync *ps)
{
	uint64_t	deadline = clock_mono_ns() + CALL_TIMEOUT_MS * NS_PER_MS;
	int		f;

	while ((f = PQflush(ps->c)) == 1)
		if (wait_sock(ps, POLLOUT | POLLIN, deadline) != 1 ||
		    !PQconsumeInput(ps->c))
			return -1;
	return f;
}

static PGresult *
collect(struct pgsync *ps, const char *what)
{
	PGresult	*res = NULL, *r;
	uint64_t	 deadline = clock_mono_ns() + CALL_TIMEOUT_MS * NS_PER_MS;
	int		 w;

	if (collect_flush(ps) == -1)
		goto lost;
	for (;;) {
		while (PQisBusy(ps->c)) {
			if ((w = wait_sock(ps, POLLIN, deadline)) != 1 ||
			    !PQconsumeInput(ps->c))
				goto lost;
		}
		if ((r = PQgetResult(ps->c)) == NULL)
			break;
		PQclear(res);
		res = r;
	}
	if (res == NULL)
		goto lost;
	return res;
lost:
	PQclear(res);
	if (PQstatus(ps->c) == CONNECTION_BAD || PQerrorMessage(ps->c)[0])
		set_error(ps, "%s: %s", what, PQerrorMessage(ps->c)[0] ?
		    PQerrorMessage(ps->c) : "connection lost");
	else if (!stopping(ps))
		set_error(ps, "%s: no answer in %d s", what,
		    CALL_TIMEOUT_MS / 1000);
	return NULL;
}

/* The database's refusal of a record, or a failure of the connection? */
static enum outcome
classify(PGresult *res)
{
	const char	*st = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	/*
	 * Data exceptions and integrity violations are the record's; the
	 * rest (a missing table included) is retried: rejecting records
	 * for what an admin can mend would lose them.
	 */
	if (st != NULL && (strncmp(st, "22", 2) == 0 ||
	    strncmp(st, "23", 2) == 0))
		return E_DATA;
	return E_CONN;
}

/* Check a result; OK, or the error set and the kind of failure. */
static enum outcome
result(struct pgsync *ps, PGresult *res, const char *what, char *why,
    size_t whylen)
{
	enum outcome	o;

	if (res == NULL)
		return E_CONN;
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
		PQclear(res);
		return OK;
	default:
		break;
	}
	o = classify(res);
	if (why != NULL)
		snprintf(why, whylen, "%s", PQresultErrorMessage(res));
	if (o == E_CONN)
		set_error(ps, "%s: %s", what, PQresultErrorMessage(res));
	PQclear(res);
	return o;
}

/*
 * Pipelined: send a prepared statement (name) or plain SQL, remembering
 * which record it is for.  Nothing is read until the batch is out.
 */
static enum outcome
pipe_send(struct pgsync *ps, const char *name, const char *sql, int n,
    const char *const *v)
{
	int	ok;

	if (name != NULL)
		ok = PQsendQueryPrepared(ps->c, name, n, v, NULL, NULL, 0);
	else
		ok = PQsendQueryParams(ps->c, sql, n, NULL, v, NULL, NULL, 0);
	if (!ok) {
		set_error(ps, "pipeline send: %s", PQerrorMessage(ps->c));
		return E_CONN;
	}
	if (ps->ntags == ps->tagsz) {
		ps->tagsz = ps->tagsz ? ps->tagsz * 2 : 1024;
		ps->tag = xreallocarray(ps->tag, (size_t)ps->tagsz,
		    sizeof(*ps->tag));
	}
	ps->tag[ps->ntags++] = ps->cur_lsn;
	/*
	 * Take in what answers there are: a server whose answers nobody
	 * reads stops reading the rest of the batch.
	 */
	if (!PQconsumeInput(ps->c)) {
		set_error(ps, "pipeline: %s", PQerrorMessage(ps->c));
		return E_CONN;
	}
	return OK;
}

/* The pipeline's next result (NULL ends each query's), waiting for it. */
static int
pipe_next(struct pgsync *ps, PGresult **out)
{
	uint64_t	deadline = clock_mono_ns() + CALL_TIMEOUT_MS * NS_PER_MS;

	while (PQisBusy(ps->c))
		if (wait_sock(ps, POLLIN, deadline) != 1 ||
		    !PQconsumeInput(ps->c)) {
			if (!stopping(ps))
				set_error(ps, "pipeline: %s",
				    PQerrorMessage(ps->c)[0] ?
				    PQerrorMessage(ps->c) : "no answer");
			return -1;
		}
	*out = PQgetResult(ps->c);
	return 0;
}

static enum outcome
run(struct pgsync *ps, enum stmt q, const struct args *a, char *why,
    size_t whylen)
{
	char	name[16];

	snprintf(name, sizeof(name), "q%d", (int)q);
	if (ps->pipelined)
		return pipe_send(ps, name, NULL, a->n, a->v);
	if (!PQsendQueryPrepared(ps->c, name, a->n, a->v, NULL, NULL, 0)) {
		set_error(ps, "send: %s", PQerrorMessage(ps->c));
		return E_CONN;
	}
	return result(ps, collect(ps, "statement"), "statement", why, whylen);
}

/* A plain statement (setup, BEGIN, COMMIT); the result when wanted. */
static PGresult *
query(struct pgsync *ps, const char *sql, int n, const char *const *v)
{
	PGresult	*res;

	if (!PQsendQueryParams(ps->c, sql, n, NULL, v, NULL, NULL, 0)) {
		set_error(ps, "send: %s", PQerrorMessage(ps->c));
		return NULL;
	}
	if ((res = collect(ps, sql)) == NULL)
		return NULL;
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		set_error(ps, "%.40s: %s", sql, PQresultErrorMessage(res));
		PQclear(res);
		return NULL;
	}
	return res;
}

static int
exec_params(struct pgsync *ps, const char *sql, int n, const char *const *v)
{
	PGresult	*res;

	if ((res = query(ps, sql, n, v)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

static int
exec(struct pgsync *ps, const char *sql)
{
	return exec_params(ps, sql, 0, NULL);
}

/* The first column of the first row of sql, as a number. */
static int
query_int(struct pgsync *ps, const char *sql, int n, const char *const *v,
    long long *out)
{
	PGresult	*res;

	if ((res = query(ps, sql, n, v)) == NULL)
		return -1;
	if (PQntuples(res) < 1 || PQgetisnull(res, 0, 0)) {
		set_error(ps, "%.40s: no row", sql);
		PQclear(res);
		return -1;
	}
	*out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

/* The server's notices (a ROLLBACK with nothing to roll back) */
static void
notice(void *arg, const char *msg)
{
	log_debug("pgsync: %s", msg);
}

static int
connect_db(struct pgsync *ps)
{
	static const char *const kw[] = {
		"connect_timeout", "application_name", "dbname", NULL
	};
	const char		*val[] = { "10", "fastops-queued",
		ps->cfg->postgres.conninfo, NULL };
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	uint64_t		 deadline;
	int			 w;

	/* the conninfo's own connect_timeout, if any, wins: it comes later */
	ps->c = PQconnectStartParams(kw, val, 1);
	if (ps->c == NULL || PQstatus(ps->c) == CONNECTION_BAD) {
		set_error(ps, "connect: %s", ps->c != NULL ?
		    PQerrorMessage(ps->c) : "out of memory");
		return -1;
	}
	deadline = clock_mono_ns() + CALL_TIMEOUT_MS * NS_PER_MS;
	while (st != PGRES_POLLING_OK) {
		if (st == PGRES_POLLING_FAILED) {
			set_error(ps, "connect: %s", PQerrorMessage(ps->c));
			return -1;
		}
		w = wait_sock(ps, st == PGRES_POLLING_READING ? POLLIN :
		    POLLOUT, deadline);
		if (w != 1) {
			if (w == 0)
				set_error(ps, "connect: no answer in %d s",
				    CALL_TIMEOUT_MS / 1000);
			return -1;
		}
		st = PQconnectPoll(ps->c);
	}
	PQsetNoticeProcessor(ps->c, notice, NULL);
	if (PQsetnonblocking(ps->c, 1) == -1) {
		set_error(ps, "connect: %s", PQerrorMessage(ps->c));
		return -1;
	}
	return 0;
}

/* --- setting up a connection --------------------------------------------- */

/*
 * Fresh statistics for the tables the batches insert into and look up:
 * the foreign key checks' plans are made from them, and a plan made when
 * orders was nearly empty scans it whole for every item and ticket (25
 * times slower at a thousand orders, and worse as it grows) until
 * autovacuum gets to it.  Done at connect and then as what this
 * connection wrote doubles, so that a catch-up or a new branch does not
 * wait for autovacuum.
 */
static int
analyze(struct pgsync *ps)
{
	return exec(ps, "ANALYZE orders, order_items, print_queue");
}

/*
 * The configured stations' (printers: printers') names as an array
 * literal, in ps->b1.  Names are [a-z0-9_-]: nothing to quote.
 */
static const char *
names_literal(struct pgsync *ps, int printers)
{
	const struct config	*cfg = ps->cfg;
	int			 i, n = printers ? cfg->nprinters :
				    cfg->nstations;

	jbuf_reset(&ps->b1);
	jbuf_add(&ps->b1, "{", 1);
	for (i = 0; i < n; i++)
		jbuf_printf(&ps->b1, "%s%s", i ? "," : "", printers ?
		    cfg->printer[i].name : cfg->station[i].name);
	jbuf_add(&ps->b1, "}\0", 2);
	return ps->b1.s;
}

/*
 * Stations and printers as configured, so that rows can name them; those
 * no longer configured are kept (old rows name them), inactive.
 */
static int
put_config(struct pgsync *ps)
{
	const struct config	*cfg = ps->cfg;
	const char		*v[6];
	char			 width[8];
	int			 i;

	v[0] = ps->company_id;
	v[1] = ps->branch_id;
	for (i = 0; i < cfg->nstations; i++) {
		v[2] = cfg->station[i].name;
		if (exec_params(ps, "INSERT INTO stations (company_id, "
		    "branch_id, name) VALUES ($1, $2, $3) ON CONFLICT "
		    "(company_id, branch_id, name) DO UPDATE SET active = "
		    "true", 3, v) == -1)
			return -1;
	}
	for (i = 0; i < cfg->nprinters; i++) {
		const struct config_printer *p = &cfg->printer[i];

		snprintf(width, sizeof(width), "%d", p->width);
		v[2] = p->name;
		v[3] = p->station >= 0 ? cfg->station[p->station].name : NULL;
		v[4] = p->uri.text;
		v[5] = width;
		if (exec_params(ps, "INSERT INTO printers (company_id, "
		    "branch_id, name, station, uri, width) VALUES ($1, $2, "
		    "$3, $4, $5, $6) ON CONFLICT (company_id, branch_id, name) "
		    "DO UPDATE SET station = EXCLUDED.station, "
		    "uri = EXCLUDED.uri, width = EXCLUDED.width, "
		    "active = true", 6, v) == -1)
			return -1;
	}
	/* what the configuration no longer has stays, for history's sake */
	v[2] = names_literal(ps, 0);
	if (exec_params(ps, "UPDATE stations SET active = false WHERE "
	    "company_id = $1 AND branch_id = $2 AND name <> ALL ($3::text[])",
	    3, v) == -1)
		return -1;
	v[2] = names_literal(ps, 1);
	if (exec_params(ps, "UPDATE printers SET active = false WHERE "
	    "company_id = $1 AND branch_id = $2 AND name <> ALL ($3::text[])",
	    3, v) == -1)
		return -1;
	return 0;
}

/*
 * Connected: check the schema, find (or add) the company and branch, the
 * configured stations and printers, prepare the statements and read the
 * cursor.  Returns the cursor's LSN in *cursor.
 */
static int
setup(struct pgsync *ps, uint64_t *cursor)
{
	const struct config	*cfg = ps->cfg;
	const char		*v[3];
	char			 name[16];
	long long		 n;
	PGresult		*res;
	int			 i;

	if (query_int(ps, "SELECT coalesce(max(version), 0) FROM "
	    "schema_version", 0, NULL, &n) == -1)
		return -1;
	if (n < SCHEMA_NEEDED) {
		set_error(ps, "the database schema is at version %lld, this "
		    "daemon needs %d: run fastops-ctl db migrate", n,
		    SCHEMA_NEEDED);
		return -1;
	}
	v[0] = cfg->daemon.company;
	if (query_int(ps, "WITH i AS (INSERT INTO companies (name) VALUES "
	    "($1) ON CONFLICT (name) DO NOTHING RETURNING id) SELECT id FROM "
	    "i UNION ALL SELECT id FROM companies WHERE name = $1", 1, v,
	    &n) == -1)
		return -1;
	snprintf(ps->company_id, sizeof(ps->company_id), "%lld", n);
	v[0] = ps->company_id;
	v[1] = cfg->daemon.branch;
	if (query_int(ps, "WITH i AS (INSERT INTO branches (company_id, name) "
	    "VALUES ($1, $2) ON CONFLICT (company_id, name) DO NOTHING "
	    "RETURNING id) SELECT id FROM i UNION ALL SELECT id FROM branches "
	    "WHERE company_id = $1 AND name = $2", 2, v, &n) == -1)
		return -1;
	snprintf(ps->branch_id, sizeof(ps->branch_id), "%lld", n);
	if (put_config(ps) == -1)
		return -1;
	for (i = 0; i < Q_NSTMT; i++) {
		snprintf(name, sizeof(name), "q%d", i);
		if (!PQsendPrepare(ps->c, name, stmt_sql[i], 0, NULL) ||
		    (res = collect(ps, "prepare")) == NULL)
			return -1;
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			set_error(ps, "prepare q%d: %s", i,
			    PQresultErrorMessage(res));
			PQclear(res);
			return -1;
		}
		PQclear(res);
	}
	v[0] = ps->company_id;
	v[1] = ps->branch_id;
	v[2] = cfg->daemon.instance;
	if (query_int(ps, "WITH i AS (INSERT INTO sync_cursor (company_id, "
	    "branch_id, instance) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING "
	    "RETURNING last_lsn) SELECT last_lsn FROM i UNION ALL SELECT "
	    "last_lsn FROM sync_cursor WHERE company_id = $1 AND branch_id = "
	    "$2 AND instance = $3", 3, v, &n) == -1)
		return -1;
	*cursor = (uint64_t)n;
	ps->conn_records = 0;
	ps->next_analyze = ANALYZE_FIRST;
	return analyze(ps);
}

/* --- applying one record -------------------------------------------------- */

static const char *
station_name(struct pgsync *ps, long long st)
{
	return st >= 0 && st < ps->cfg->nstations ?
	    ps->cfg->station[st].name : NULL;
}

static const char *
printer_name(struct pgsync *ps, int p)
{
	return p >= 0 && p < ps->cfg->nprinters ?
	    ps->cfg->printer[p].name : NULL;
}

/* --- what a batch folds ----------------------------------------------------- */

static void
batch_reset(struct pgsync *ps)
{
	u64map_clear(&ps->fmap);
	ps->nfold = 0;
	jbuf_reset(&ps->ev);
	ps->nev = 0;
	jbuf_reset(&ps->touch);
	ps->ntouch = 0;
}

/* The batch's entry for a ticket, made on first use. */
static struct fold *
fold_get(struct pgsync *ps, uint64_t id)
{
	struct fold	*f;
	uintptr_t	 k;

	if ((k = (uintptr_t)u64map_get(&ps->fmap, id)) != 0)
		return &ps->fold[k - 1];
	if (ps->nfold == ps->foldsz) {
		ps->foldsz = ps->foldsz ? ps->foldsz * 2 : 256;
		ps->fold = xreallocarray(ps->fold, (size_t)ps->foldsz,
		    sizeof(*ps->fold));
	}
	f = &ps->fold[ps->nfold++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->printer = -1;
	u64map_put(&ps->fmap, id, (void *)(uintptr_t)ps->nfold);
	return f;
}

/* One event row; data is JSON text (NULL: none), for order records. */
static void
event_add(struct pgsync *ps, const char *kind, uint64_t o, uint64_t j,
    uint64_t lsn, uint64_t ts, const char *data, size_t datalen,
    const char *printer, const char *error)
{
	struct jbuf	*b = &ps->ev;

	jbuf_printf(b, "%s{\"kind\":%S,\"lsn\":%I", ps->nev++ ? "," : "[",
	    kind, (long long)lsn);
	if (o != 0)
		jbuf_printf(b, ",\"o\":%I", (long long)o);
	if (j != 0)
		jbuf_printf(b, ",\"j\":%I", (long long)j);
	if (ts != 0)
		jbuf_printf(b, ",\"ts\":%I", (long long)ts);
	if (data != NULL)
		jbuf_printf(b, ",\"data\":%R", data, datalen);
	if (printer != NULL)
		jbuf_printf(b, ",\"printer\":%S", printer);
	if (error != NULL && *error != '\0')
		jbuf_printf(b, ",\"error\":%S", error);
	jbuf_add(b, "}", 1);
}

/* An order (o) or the order of a ticket (j) whose state may have moved. */
static void
touch_add(struct pgsync *ps, uint64_t o, uint64_t j, uint64_t lsn,
    uint64_t ts)
{
	jbuf_printf(&ps->touch, "%s{\"%s\":%I,\"lsn\":%I,\"ts\":%I}",
	    ps->ntouch++ ? "," : "[", o != 0 ? "o" : "j",
	    (long long)(o != 0 ? o : j), (long long)lsn, (long long)ts);
}

/* Write what the batch folded: tickets, events, orders' states. */
static enum outcome
batch_flush(struct pgsync *ps, char *why, size_t whylen)
{
	struct jbuf	*b = &ps->b1;
	struct args	 a;
	enum outcome	 o = OK;
	int		 i;

	if (ps->nfold > 0) {
		jbuf_reset(b);
		for (i = 0; i < ps->nfold; i++) {
			const struct fold *f = &ps->fold[i];

			jbuf_printf(b, "%s{\"id\":%I,\"status\":%S,"
			    "\"printer\":%S,\"claims\":%d,\"urgent\":%s",
			    i ? "," : "[", (long long)f->id, f->status,
			    printer_name(ps, f->printer), f->claims,
			    f->urgent ? "true" : "false");
			if (f->claimed != 0)
				jbuf_printf(b, ",\"claimed\":%I",
				    (long long)f->claimed);
			if (f->done != 0)
				jbuf_printf(b, ",\"done\":%I",
				    (long long)f->done);
			if (f->error[0] != '\0')
				jbuf_printf(b, ",\"error\":%S", f->error);
			jbuf_add(b, "}", 1);
		}
		jbuf_add(b, "]\0", 2);
		args_reset(ps, &a);
		arg_str(&a, b->s);
		if ((o = run(ps, Q_JOBS_FOLD, &a, why, whylen)) != OK)
			goto out;
	}
	if (ps->nev > 0) {
		jbuf_add(&ps->ev, "]\0", 2);
		args_reset(ps, &a);
		arg_str(&a, ps->ev.s);
		if ((o = run(ps, Q_EVENTS, &a, why, whylen)) != OK)
			goto out;
	}
	if (ps->ntouch > 0) {
		jbuf_add(&ps->touch, "]\0", 2);
		args_reset(ps, &a);
		arg_str(&a, ps->touch.s);
		o = run(ps, Q_ORDERS_STATE, &a, why, whylen);
	}
out:
	/* libpq copied the parameters into its buffer as they were sent */
	batch_reset(ps);
	return o;
}

/* --- records ---------------------------------------------------------------- */

/* A record's items with their stations by name, as JSON text into b. */
static int
items_text(struct pgsync *ps, json_t *items, struct jbuf *b)
{
	json_t		*it;
	json_int_t	 qty, price, st;
	const char	*product, *name, *notes;
	size_t		 i;
	int		 n = 0;

	jbuf_reset(b);
	jbuf_add(b, "[", 1);
	json_array_foreach(items, i, it) {
		if (json_unpack(it, "{s:s, s:s, s:I, s:s, s:I, s:I}",
		    "product", &product, "name", &name, "qty", &qty,
		    "notes", &notes, "price_cents", &price, "station",
		    &st) != 0 || station_name(ps, st) == NULL)
			return -1;
		jbuf_printf(b, "%s{\"product\":%S,\"name\":%S,\"qty\":%I,"
		    "\"notes\":%S,\"price_cents\":%I,\"station\":%S}",
		    n++ ? "," : "", product, name, (long long)qty, notes,
		    (long long)price, station_name(ps, st));
	}
	jbuf_add(b, "]\0", 2);
	return 0;
}

/* The lines of items for station st, {qty, name, notes} each, into b. */
static int
lines_text(json_t *items, json_int_t st, struct jbuf *b)
{
	json_t		*it;
	json_int_t	 qty, ist;
	const char	*name, *notes;
	size_t		 k;
	int		 m = 0;

	jbuf_add(b, "[", 1);
	json_array_foreach(items, k, it) {
		if (json_unpack(it, "{s:s, s:I, s:s, s:I}", "name", &name,
		    "qty", &qty, "notes", &notes, "station", &ist) != 0)
			return -1;
		if (ist != st)
			continue;
		jbuf_printf(b, "%s{\"qty\":%I,\"name\":%S,\"notes\":%S}",
		    m++ ? "," : "", (long long)qty, name, notes);
	}
	jbuf_add(b, "]", 1);
	return 0;
}

/*
 * A record's new tickets as JSON text into b.  A new order (rec, its
 * record) gives their text as the worker renders it (ticket_text in
 * orders.c); a modification's tickets carry its delta's lines; the rest
 * are made from the rows.
 */
static int
jobs_text(struct pgsync *ps, json_t *jobs, json_t *rec, int created,
    int reprint, struct jbuf *b)
{
	static const char *const prio[] = { "urgent", "normal", "low" };
	json_t		*j, *delta = json_object_get(rec, "delta");
	json_int_t	 id, st, prio_i, oid, ctime = 0;
	const char	*kind, *number = "", *type = "", *table = "";
	const char	*waiter = "", *notes = "";
	size_t		 i;
	int		 n = 0;

	if (json_unpack(rec, "{s:I}", "id", &oid) != 0 || (created &&
	    json_unpack(rec, "{s:s, s:s, s:s, s:s, s:s, s:I}", "number",
	    &number, "type", &type, "table", &table, "waiter", &waiter,
	    "notes", &notes, "created", &ctime) != 0))
		return -1;
	jbuf_reset(b);
	jbuf_add(b, "[", 1);
	json_array_foreach(jobs, i, j) {
		if (json_unpack(j, "{s:I, s:I, s:s, s:I}", "id", &id,
		    "station", &st, "kind", &kind, "prio", &prio_i) != 0 ||
		    station_name(ps, st) == NULL || prio_i < 0 || prio_i > 2)
			return -1;
		if (strcmp(kind, "reprint") != 0)
			reprint = 0;
		jbuf_printf(b, "%s{\"id\":%I,\"station\":%S,\"priority\":%S,"
		    "\"kind\":%S,\"reprint\":%d", n++ ? "," : "",
		    (long long)id, station_name(ps, st), prio[prio_i], kind,
		    reprint);
		if (created) {
			jbuf_printf(b, ",\"payload\":{\"v\":1,\"job\":%I,"
			    "\"order\":%I,\"number\":%S,\"type\":%S,"
			    "\"table\":%S,\"waiter\":%S,\"created\":%I,"
			    "\"station\":%S,\"kind\":%S,\"reprint\":0,"
			    "\"notes\":%S,\"items\":", (long long)id,
			    (long long)oid, number, type, table, waiter,
			    (long long)ctime, station_name(ps, st), kind,
			    notes);
			if (lines_text(json_object_get(rec, "items"), st, b) ==
			    -1)
				return -1;
			jbuf_add(b, "}", 1);
		} else if (strcmp(kind, "modify") == 0 && delta != NULL) {
			jbuf_add(b, ",\"items\":", 9);
			if (lines_text(delta, st, b) == -1)
				return -1;
		}
		jbuf_add(b, "}", 1);
	}
	jbuf_add(b, "]\0", 2);
	return 0;
}

#define RUN(q)	do {							\
	if ((o = run(ps, (q), &a, why, whylen)) != OK)			\
		goto out;						\
} while (0)

/* Tickets a record takes out of the queue, or makes urgent. */
static void
fold_ids(struct pgsync *ps, json_t *arr, int urgent, uint64_t ts)
{
	struct fold	*f;
	json_t		*v;
	size_t		 i;

	json_array_foreach(arr, i, v) {
		if (json_integer_value(v) < 1)
			continue;
		f = fold_get(ps, (uint64_t)json_integer_value(v));
		if (urgent)
			f->urgent = 1;
		else {
			f->status = "cancelled";
			f->done = ts;
		}
	}
}

/* An order or user record: its JSON applied to the tables. */
static enum outcome
apply_order(struct pgsync *ps, uint64_t lsn, uint16_t type, json_t *rec,
    const void *text, size_t textlen, char *why, size_t whylen)
{
	struct args	 a;
	json_t		*v;
	json_int_t	 id = 0, n = 0;
	const char	*s, *s2 = NULL, *s3;
	uint64_t	 ts;
	enum outcome	 o = OK;

	ts = (uint64_t)json_integer_value(json_object_get(rec, "ts"));
	args_reset(ps, &a);
	if (type == ORD_REC_USER_PUT || type == ORD_REC_USER_DEL) {
		if (json_unpack(rec, "{s:s}", "name", &s) != 0)
			goto bad;
		arg_str(&a, s);
		if (type == ORD_REC_USER_PUT) {
			if (json_unpack(rec, "{s:s, s:s}", "role", &s2,
			    "hash", &s3) != 0)
				goto bad;
			arg_str(&a, s2);
			arg_str(&a, s3);
			RUN(Q_USER_PUT);
		} else
			RUN(Q_USER_DEL);
		/* the event without the PIN's hash */
		jbuf_reset(&ps->b1);
		jbuf_printf(&ps->b1, "{\"name\":%S,\"role\":%S}", s, s2);
		event_add(ps, ord_event[type - ORD_REC_CREATED], 0, 0, lsn, ts,
		    ps->b1.s, ps->b1.len, NULL, NULL);
		return OK;
	}
	if (json_unpack(rec, "{s:I}", "id", &id) != 0 || id < 1)
		goto bad;
	arg_int(&a, id);

	switch (type) {
	case ORD_REC_CREATED: {
		const char	*uuid, *number, *otype, *table, *waiter, *notes;
		json_int_t	 created;

		if (json_unpack(rec, "{s:s, s:s, s:s, s:s, s:s, s:s, s:I}",
		    "uuid", &uuid, "number", &number, "type", &otype,
		    "table", &table, "waiter", &waiter, "notes", &notes,
		    "created", &created) != 0)
			goto bad;
		if (ts == 0)
			ts = (uint64_t)created * 1000;
		if (items_text(ps, json_object_get(rec, "items"), &ps->b1) ==
		    -1 || jobs_text(ps, json_object_get(rec, "jobs"), rec, 1, 0,
		    &ps->b2) == -1)
			goto bad;
		arg_str(&a, uuid);
		arg_str(&a, number);
		arg_str(&a, otype);
		arg_str(&a, table);
		arg_str(&a, waiter);
		arg_str(&a, notes);
		arg_ts(&a, ts);
		arg_int(&a, (long long)lsn);
		arg_str(&a, ps->b1.s);
		arg_int(&a, ps->cfg->workers.max_attempts);
		arg_str(&a, ps->b2.s);
		RUN(Q_ORDER_NEW);
		goto done;
	}
	case ORD_REC_MODIFIED:
		RUN(Q_ORDER_UNBUMP);
		RUN(Q_ITEMS_DEL);
		if (items_text(ps, json_object_get(rec, "items"), &ps->b1) ==
		    -1)
			goto bad;
		arg_str(&a, ps->b1.s);
		RUN(Q_ITEMS_SET);
		break;
	case ORD_REC_CANCELLED:
		RUN(Q_ORDER_CANCEL);
		break;
	case ORD_REC_URGENT:
		fold_ids(ps, json_object_get(rec, "promoted"), 1, ts);
		break;
	case ORD_REC_REPRINT:
		if (json_unpack(rec, "{s:I}", "n", &n) != 0)
			goto bad;
		arg_int(&a, n);
		RUN(Q_ORDER_REPRINTS);
		break;
	case ORD_REC_BUMPED:
		if (json_unpack(rec, "{s:I, s:s}", "station", &n, "state",
		    &s) != 0 || (n != -1 && station_name(ps, n) == NULL))
			goto bad;
		arg_str(&a, n == -1 ? NULL : station_name(ps, n));
		arg_str(&a, strcmp(s, "listo") == 0 ? "true" : "false");
		RUN(Q_ORDER_BUMP);
		break;
	default:
		goto bad;
	}

	/* tickets taken out of the queue, then the new ones */
	fold_ids(ps, json_object_get(rec, "removed"), 0, ts);
	if (json_array_size(v = json_object_get(rec, "jobs")) > 0) {
		if (jobs_text(ps, v, rec, 0, (int)n, &ps->b2) == -1)
			goto bad;
		args_reset(ps, &a);
		arg_int(&a, id);
		arg_int(&a, ps->cfg->workers.max_attempts);
		arg_ts(&a, ts);
		arg_str(&a, ps->b2.s);
		RUN(Q_JOBS_INS);
	}
done:
	touch_add(ps, (uint64_t)id, 0, lsn, ts);
	event_add(ps, ord_event[type - ORD_REC_CREATED], (uint64_t)id, 0, lsn,
	    ts, text, textlen, NULL, NULL);
out:
	return o;
bad:
	snprintf(why, whylen, "malformed record");
	return E_DATA;
}

/* A queue record about one ticket: folded into the batch's entry for it. */
static enum outcome
apply_job(struct pgsync *ps, uint64_t lsn, const struct qrec *r)
{
	struct fold	*f;
	const char	*kind;
	char		 err[SHMQ_ERR_MAX + 1];
	int		 printer = -1;

	err[0] = '\0';
	if (r->error_len > 0)
		snprintf(err, sizeof(err), "%.*s", (int)r->error_len, r->error);
	if (r->type == QREC_JOB_QUEUED)
		return OK;	/* new tickets come in order records */
	f = fold_get(ps, r->job_id);
	switch (r->type) {
	case QREC_JOB_CLAIMED:
		kind = "job.claimed";
		f->status = "processing";
		printer = r->printer;
		f->claims++;
		f->claimed = r->ts_ms;
		break;
	case QREC_JOB_PRINTED:
		kind = "job.printed";
		f->status = "completed";
		printer = r->printer;
		f->done = r->ts_ms;
		break;
	case QREC_JOB_RETRY:
		kind = "job.retry";
		f->status = "pending";
		printer = r->printer;
		break;
	case QREC_JOB_FAILED:
		kind = "job.failed";
		f->status = "failed";
		printer = r->printer;
		f->done = r->ts_ms;
		break;
	case QREC_JOB_REQUEUED:
		kind = "job.requeued";
		f->status = "pending";
		break;
	case QREC_JOB_CLEARED:
	case QREC_JOB_CANCELLED:
		kind = r->type == QREC_JOB_CLEARED ? "job.cleared" :
		    "job.cancelled";
		f->status = "cancelled";
		f->done = r->ts_ms;
		break;
	case QREC_JOB_URGENT:
		kind = "job.urgent";
		f->urgent = 1;
		break;
	case QREC_JOB_FLAGS:
		if (r->flags & SHMQ_F_FALLBACK) {
			kind = "job.fallback";
			f->status = "fallback";
			f->done = r->ts_ms;
		} else if (r->clear & SHMQ_F_FALLBACK) {
			kind = "job.unfallback";
			if (f->status == NULL)
				f->status = "!unfallback";
			else if (strcmp(f->status, "fallback") == 0)
				f->status = "failed";
		} else
			kind = "job.flags";
		break;
	default:
		return OK;
	}
	if (printer >= 0)
		f->printer = printer;
	if (err[0] != '\0')
		snprintf(f->error, sizeof(f->error), "%s", err);
	touch_add(ps, 0, r->job_id, lsn, r->ts_ms);
	event_add(ps, kind, 0, r->job_id, lsn, r->ts_ms, NULL, 0,
	    printer_name(ps, printer), err);
	return OK;
}

#undef RUN

static enum outcome
apply_record(struct pgsync *ps, uint64_t lsn, uint16_t type,
    const void *p, size_t len, char *why, size_t whylen)
{
	struct qrec	 r;
	json_t		*rec;
	json_error_t	 jerr;
	enum outcome	 o;

	why[0] = '\0';
	if (type < QREC_DAEMON_BASE) {
		if (qrec_decode(type, p, len, &r) == -1) {
			snprintf(why, whylen, "malformed queue record");
			return E_DATA;
		}
		return apply_job(ps, lsn, &r);
	}
	if (type > ORD_REC_PRINTER)
		return OK;	/* a newer daemon's: nothing for the tables */
	if ((rec = json_loadb(p, len, 0, &jerr)) == NULL ||
	    !json_is_object(rec)) {
		json_decref(rec);
		snprintf(why, whylen, "malformed record: %s", jerr.text);
		return E_DATA;
	}
	if (type == ORD_REC_PRINTER) {
		/* a pause or resume by hand: history only */
		event_add(ps, json_is_true(json_object_get(rec, "paused")) ?
		    "printer.paused" : "printer.resumed", 0, 0, lsn,
		    (uint64_t)json_integer_value(json_object_get(rec, "ts")),
		    p, len, NULL, NULL);
		json_decref(rec);
		return OK;
	}
	o = apply_order(ps, lsn, type, rec, p, len, why, whylen);
	json_decref(rec);
	return o;
}

/*
 * A record the database refused: rolled back to its savepoint, and said
 * as an event of its own so that the history shows the hole.
 */
static enum outcome
reject(struct pgsync *ps, uint64_t lsn, uint16_t type, const char *why)
{
	log_warnx("pgsync: record %" PRIu64 " (type %u) refused by the "
	    "database, left out: %s", lsn, type, why);
	batch_reset(ps);
	if (exec(ps, "ROLLBACK TO SAVEPOINT r") == -1)
		return E_CONN;
	jbuf_reset(&ps->b1);
	jbuf_printf(&ps->b1, "{\"type\":%d,\"error\":%S}", (int)type, why);
	event_add(ps, "sync.rejected", 0, 0, lsn, 0, ps->b1.s, ps->b1.len,
	    NULL, NULL);
	pthread_mutex_lock(&ps->lock);
	ps->rejected++;
	pthread_mutex_unlock(&ps->lock);
	return batch_flush(ps, NULL, 0) == OK ? OK : E_CONN;
}

/* --- batches ---------------------------------------------------------------- */

static void
save_hint(struct pgsync *ps, uint64_t lsn)
{
	char	buf[24];

	if (ps->hintfd == -1)
		return;
	/* fixed width, in place: a torn write reads as garbage, i.e. 0 */
	snprintf(buf, sizeof(buf), "%020" PRIu64 "\n", lsn);
	(void)pwrite(ps->hintfd, buf, 21, 0);
}

static uint64_t
load_hint(int fd)
{
	char	buf[24];
	ssize_t	n;

	if (fd == -1 || (n = pread(fd, buf, 21, 0)) != 21 || buf[20] != '\n')
		return 0;
	buf[20] = '\0';
	return strtoull(buf, NULL, 10);
}

/* The database has everything up to lsn. */
static void
applied(struct pgsync *ps, uint64_t lsn, uint64_t nrec)
{
	pthread_mutex_lock(&ps->lock);
	ps->applied = lsn;
	ps->batches++;
	ps->records += nrec;
	ps->error[0] = '\0';
	pthread_mutex_unlock(&ps->lock);
	journal_retain(ps->d->j, lsn);
	save_hint(ps, lsn);
}

/*
 * After a refusal: the records up to the refused one, each in a
 * savepoint, one statement at a time.  As batch() returns.
 */
static int
batch_careful(struct pgsync *ps, uint64_t from, uint64_t upto)
{
	const void	*p;
	uint64_t	 lsn = from, last = from;
	uint16_t	 type;
	size_t		 len;
	struct args	 a;
	PGresult	*res;
	char		 why[512];
	int		 n = 0, rc = 0, moved, max = ps->cfg->postgres.batch_max;
	enum outcome	 o;

	if (max > ps->careful)
		max = ps->careful;
	batch_reset(ps);
	if (exec(ps, "BEGIN") == -1)
		return -1;
	while (n < max && (rc = journal_reader_next(ps->r, upto, &lsn, &type,
	    &p, &len)) == 1) {
		if (exec(ps, "SAVEPOINT r") == -1)
			return -1;
		o = apply_record(ps, lsn, type, p, len, why, sizeof(why));
		if (o == OK)
			o = batch_flush(ps, why, sizeof(why));
		if (o == E_DATA)
			o = reject(ps, lsn, type, why);
		if (o != OK)
			return -1;
		last = lsn;
		n++;
	}
	if (n < max && rc == -1) {
		set_error(ps, "journal: %s", journal_reader_error(ps->r));
		return -1;
	}
	if (n == 0) {
		(void)exec(ps, "ROLLBACK");
		return 0;
	}
	args_reset(ps, &a);
	arg_str(&a, ps->cfg->daemon.instance);
	arg_int(&a, (long long)last);
	arg_int(&a, (long long)from);
	if ((res = query(ps, Q_CURSOR_SET_SQL, a.n, a.v)) == NULL)
		return -1;
	moved = strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	if (!moved) {
		/* not where this thread read it: not ours alone */
		set_error(ps, "sync_cursor of instance %s is no longer at %"
		    PRIu64 ": another daemon with this instance name writes "
		    "to the database?", ps->cfg->daemon.instance, from);
		return -1;
	}
	if (exec(ps, "COMMIT") == -1)
		return -1;
	ps->careful = ps->careful > n ? ps->careful - n : 0;
	applied(ps, last, (uint64_t)n);
	return n;
}

/*
 * The normal batch, pipelined: BEGIN, every statement of every record,
 * the cursor, COMMIT, all sent before any answer is read, so that a batch
 * costs one round trip instead of one per statement.  As batch() returns.
 */
static int
batch_fast(struct pgsync *ps, uint64_t from, uint64_t upto)
{
	const void	*p;
	uint64_t	 lsn = from, last = from, refused = 0;
	uint16_t	 type;
	size_t		 len;
	struct args	 a;
	PGresult	*res;
	char		 why[512];
	int		 n = 0, rc = 0, i, cursor_at = -1, bad = -1, moved = 0;
	int		 max = ps->cfg->postgres.batch_max;
	enum outcome	 o = OK;

	if (!PQenterPipelineMode(ps->c)) {
		set_error(ps, "pipeline: %s", PQerrorMessage(ps->c));
		return -1;
	}
	ps->pipelined = 1;
	ps->ntags = 0;
	ps->cur_lsn = 0;
	batch_reset(ps);
	if (pipe_send(ps, NULL, "BEGIN", 0, NULL) != OK)
		goto lost;
	while (n < max && (rc = journal_reader_next(ps->r, upto, &lsn, &type,
	    &p, &len)) == 1) {
		ps->cur_lsn = lsn;
		if ((o = apply_record(ps, lsn, type, p, len, why,
		    sizeof(why))) == E_CONN)
			goto lost;
		if (o == E_DATA) {
			refused = lsn;	/* malformed: seen before sending */
			break;
		}
		last = lsn;
		n++;
	}
	ps->cur_lsn = 0;
	if (refused == 0 && n < max && rc == -1) {
		set_error(ps, "journal: %s", journal_reader_error(ps->r));
		goto lost;
	}
	if (n > 0 && refused == 0) {
		/* a refusal here is the batch's: all of it goes carefully */
		ps->cur_lsn = last;
		o = batch_flush(ps, why, sizeof(why));
		ps->cur_lsn = 0;
		if (o == E_CONN)
			goto lost;
		args_reset(ps, &a);
		arg_str(&a, ps->cfg->daemon.instance);
		arg_int(&a, (long long)last);
		arg_int(&a, (long long)from);
		cursor_at = ps->ntags;
		if (pipe_send(ps, NULL, Q_CURSOR_SET_SQL, a.n, a.v) !=
		    OK || pipe_send(ps, NULL, "COMMIT", 0, NULL) != OK)
			goto lost;
	} else if (pipe_send(ps, NULL, "ROLLBACK", 0, NULL) != OK)
		goto lost;
	if (!PQpipelineSync(ps->c)) {
		set_error(ps, "pipeline sync: %s", PQerrorMessage(ps->c));
		goto lost;
	}
	if ((i = collect_flush(ps)) != 0) {
		if (!stopping(ps))
			set_error(ps, "pipeline flush (%d): %s", i,
			    PQerrorMessage(ps->c));
		goto lost;
	}

	for (i = 0; i < ps->ntags; i++) {
		if (pipe_next(ps, &res) == -1 || res == NULL)
			goto lost;
		switch (PQresultStatus(res)) {
		case PGRES_COMMAND_OK:
		case PGRES_TUPLES_OK:
			if (i == cursor_at)
				moved = strcmp(PQcmdTuples(res), "1") == 0;
			break;
		case PGRES_PIPELINE_ABORTED:
			break;
		default:
			if (bad == -1) {
				bad = i;
				o = classify(res);
				snprintf(why, sizeof(why), "%s",
				    PQresultErrorMessage(res));
			}
			break;
		}
		PQclear(res);
		if (pipe_next(ps, &res) == -1 || res != NULL) {
			PQclear(res);
			goto lost;
		}
	}
	if (pipe_next(ps, &res) == -1 || res == NULL ||
	    PQresultStatus(res) != PGRES_PIPELINE_SYNC) {
		PQclear(res);
		goto lost;
	}
	PQclear(res);
	if (!PQexitPipelineMode(ps->c))
		goto lost;
	ps->pipelined = 0;

	if (bad != -1) {
		(void)exec(ps, "ROLLBACK");	/* the failed transaction */
		if (o == E_DATA && ps->tag[bad] != 0)
			refused = ps->tag[bad];
		else {
			set_error(ps, "batch: %s", why);
			return -1;
		}
	}
	if (refused != 0) {
		log_info("pgsync: record %" PRIu64 " refused (%s); applying "
		    "its batch record by record", refused, why);
		ps->careful = (int)(refused - from);
		return -2;
	}
	if (n == 0)
		return 0;
	if (!moved) {
		/* not where this thread read it: not ours alone */
		set_error(ps, "sync_cursor of instance %s is no longer at %"
		    PRIu64 ": another daemon with this instance name writes "
		    "to the database?", ps->cfg->daemon.instance, from);
		return -1;
	}
	applied(ps, last, (uint64_t)n);
	return n;
lost:
	ps->pipelined = 0;
	return -1;
}

/*
 * Apply the records after `from` up to upto, at most batch_max, in one
 * transaction.  Returns how many were applied (0: none to apply), or -1:
 * the connection is to be dropped, or -2: a record was refused, and the
 * batch is to be tried again carefully (ps->careful).
 */
static int
batch(struct pgsync *ps, uint64_t from, uint64_t upto)
{
	return ps->careful > 0 ? batch_careful(ps, from, upto) :
	    batch_fast(ps, from, upto);
}

/* Sleep ms, or less if stop is asked; -1 then. */
static int
nap(struct pgsync *ps, int ms)
{
	struct pollfd	pfd = { ps->wake[0], POLLIN, 0 };

	if (poll(&pfd, 1, ms) > 0)
		return -1;
	return stopping(ps) ? -1 : 0;
}

/* Position the reader after the cursor. */
static int
open_reader(struct pgsync *ps, uint64_t cursor)
{
	uint64_t	first = 0, last = journal_last_lsn(ps->d->j);

	if (cursor > last) {
		set_error(ps, "the database has records up to %" PRIu64
		    " of instance %s, this journal only to %" PRIu64 ": "
		    "another journal under the same instance name? Nothing "
		    "is written until that is sorted out", cursor,
		    ps->cfg->daemon.instance, last);
		return -1;
	}
	if (ps->r != NULL)
		journal_reader_close(ps->r);
	ps->r = NULL;
	if (journal_reader_open(ps->dir, cursor + 1, &ps->r, &first) == -1) {
		if (errno != ENOENT || first == 0) {
			set_error(ps, "journal: cannot read from record %"
			    PRIu64 ": %s", cursor + 1, strerror(errno));
			return -1;
		}
		/* gone before the database had them: say so, go on */
		log_warnx("pgsync: records %" PRIu64 " to %" PRIu64 " are no "
		    "longer in the journal; the database will miss them",
		    cursor + 1, first - 1);
		if (journal_reader_open(ps->dir, first, &ps->r, NULL) == -1) {
			set_error(ps, "journal: cannot read from record %"
			    PRIu64 ": %s", first, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Connected, the cursor read: go. */
static int
start_reading(struct pgsync *ps, uint64_t cursor)
{
	uint64_t	last = journal_last_lsn(ps->d->j);

	if (open_reader(ps, cursor) == -1)
		return -1;
	pthread_mutex_lock(&ps->lock);
	ps->applied = cursor;
	ps->connected = 1;
	ps->down_since = 0;
	pthread_mutex_unlock(&ps->lock);
	journal_retain(ps->d->j, cursor);
	save_hint(ps, cursor);
	log_info("pgsync: connected; the database has records up to %" PRIu64
	    " of %" PRIu64, cursor, last);
	return 0;
}

static void *
pgsync_main(void *arg)
{
	struct pgsync	*ps = arg;
	uint64_t	 cursor, durable, at;
	int		 backoff = RETRY_MIN_MS, n;

	while (!stopping(ps)) {
		if (ps->c == NULL) {
			if (connect_db(ps) == -1 || setup(ps, &cursor) == -1 ||
			    start_reading(ps, cursor) == -1)
				goto retry;
		}
		pthread_mutex_lock(&ps->lock);
		at = ps->applied;
		pthread_mutex_unlock(&ps->lock);
		durable = journal_durable_lsn(ps->d->j);
		if (at >= durable) {
			if (nap(ps, ps->cfg->postgres.batch_ms) == -1)
				break;
			continue;
		}
		n = batch(ps, at, durable);
		if (n > 0 && (ps->conn_records += (uint64_t)n) >=
		    ps->next_analyze) {
			ps->next_analyze = ps->conn_records * 2;
			if (analyze(ps) == -1)
				goto retry;
		}
		if (n == -2) {
			/* a refused record: again from the cursor, carefully */
			if (exec(ps, "ROLLBACK") == -1 ||
			    open_reader(ps, at) == -1)
				goto retry;
			continue;
		}
		if (n == -1)
			goto retry;
		backoff = RETRY_MIN_MS;
		/* a full batch: more are waiting; else let some gather */
		if (n < ps->cfg->postgres.batch_max &&
		    nap(ps, ps->cfg->postgres.batch_ms) == -1)
			break;
		continue;
retry:
		disconnect(ps);
		ps->careful = 0;
		if (nap(ps, backoff) == -1)
			break;
		backoff = backoff * 2 > ps->cfg->postgres.retry_max_ms ?
		    ps->cfg->postgres.retry_max_ms : backoff * 2;
	}
	disconnect(ps);
	return NULL;
}

/* --- the daemon's side ------------------------------------------------------ */

struct pgsync *
pgsync_start(struct daemon *d)
{
	struct pgsync	*ps;
	char		 path[PATH_MAX];
	uint64_t	 hint;

	ps = xcalloc(1, sizeof(*ps));
	ps->d = d;
	ps->cfg = d->cfg;
	ps->hintfd = -1;
	u64map_init(&ps->fmap);
	pthread_mutex_init(&ps->lock, NULL);
	snprintf(ps->dir, sizeof(ps->dir), "%s/journal",
	    d->cfg->daemon.state_dir);
	snprintf(path, sizeof(path), "%s/pgsync.lsn", d->cfg->daemon.state_dir);
	if ((ps->hintfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) ==
	    -1)
		log_warn("pgsync: %s", path);
	/* keep what the database may lack, from now on */
	hint = load_hint(ps->hintfd);
	journal_retain(d->j, hint);
	ps->applied = hint;
	ps->down_since = clock_mono_ns();
	if (pipe2(ps->wake, O_CLOEXEC | O_NONBLOCK) == -1) {
		log_warn("pgsync: pipe");
		goto fail;
	}
	if (pthread_create(&ps->thread, NULL, pgsync_main, ps) != 0) {
		log_warnx("pgsync: cannot start its thread");
		close(ps->wake[0]);
		close(ps->wake[1]);
		goto fail;
	}
	log_info("pgsync: writing the journal behind into PostgreSQL from "
	    "record %" PRIu64, hint + 1);
	return ps;
fail:
	if (ps->hintfd != -1)
		close(ps->hintfd);
	jbuf_fini(&ps->b1);
	jbuf_fini(&ps->b2);
	free(ps);
	return NULL;
}

void
pgsync_stop(struct pgsync *ps)
{
	if (ps == NULL)
		return;
	pthread_mutex_lock(&ps->lock);
	ps->stop = 1;
	pthread_mutex_unlock(&ps->lock);
	(void)write(ps->wake[1], "x", 1);
	pthread_join(ps->thread, NULL);
	if (ps->r != NULL)
		journal_reader_close(ps->r);
	close(ps->wake[0]);
	close(ps->wake[1]);
	if (ps->hintfd != -1)
		close(ps->hintfd);
	jbuf_fini(&ps->b1);
	jbuf_fini(&ps->b2);
	jbuf_fini(&ps->ev);
	jbuf_fini(&ps->touch);
	u64map_fini(&ps->fmap);
	free(ps->fold);
	free(ps->tag);
	pthread_mutex_destroy(&ps->lock);
	free(ps);
}

/*
 * Remember when each LSN became durable (roughly: at the first status
 * call that saw it), to tell how old the oldest record not applied is.
 * Under ps->lock.
 */
static void
sample(struct pgsync *ps, uint64_t durable, uint64_t now)
{
	int	i, k;

	/* what the database has needs no time any more */
	for (i = 0; i < ps->nsamples && ps->sample[i].lsn <= ps->applied; i++)
		;
	if (i > 0) {
		memmove(ps->sample, ps->sample + i,
		    (size_t)(ps->nsamples - i) * sizeof(ps->sample[0]));
		ps->nsamples -= i;
	}
	if (durable <= ps->applied || (ps->nsamples > 0 &&
	    ps->sample[ps->nsamples - 1].lsn >= durable))
		return;
	if (ps->nsamples == SAMPLES_MAX) {
		/* a long outage: keep every other one (the first stays) */
		for (i = 1, k = 1; i < ps->nsamples; i += 2)
			ps->sample[k++] = ps->sample[i];
		ps->nsamples = k;
	}
	ps->sample[ps->nsamples].lsn = durable;
	ps->sample[ps->nsamples].ns = now;
	ps->nsamples++;
}

void
pgsync_status(struct pgsync *ps, struct pgsync_status *st)
{
	uint64_t	now = clock_mono_ns();

	memset(st, 0, sizeof(*st));
	st->durable_lsn = journal_durable_lsn(ps->d->j);
	pthread_mutex_lock(&ps->lock);
	sample(ps, st->durable_lsn, now);
	st->connected = ps->connected;
	st->applied_lsn = ps->applied;
	st->lag_records = st->durable_lsn > ps->applied ?
	    st->durable_lsn - ps->applied : 0;
	if (st->lag_records > 0 && ps->nsamples > 0)
		st->lag_s = (double)(now - ps->sample[0].ns) / NS_PER_S;
	if (!ps->connected && ps->down_since != 0)
		st->down_s = (double)(now - ps->down_since) / NS_PER_S;
	st->batches = ps->batches;
	st->records = ps->records;
	st->errors = ps->errors;
	st->rejected = ps->rejected;
	snprintf(st->error, sizeof(st->error), "%s", ps->error);
	pthread_mutex_unlock(&ps->lock);
}

int
pgsync_wait(struct pgsync *ps, int ms)
{
	struct pgsync_status	st;
	uint64_t		end = clock_mono_ns() + (uint64_t)ms * NS_PER_MS;

	for (;;) {
		pgsync_status(ps, &st);
		if (st.connected && st.lag_records == 0)
			return 0;
		/* out of reach: no use waiting */
		if ((!st.connected && st.errors > 0) || clock_mono_ns() >= end)
			return -1;
		nanosleep(&(struct timespec){ 0, 20 * 1000000 }, NULL);
	}
}

void
pgsync_json(struct pgsync *ps, json_t *obj)
{
	struct pgsync_status	st;

	pgsync_status(ps, &st);
	json_object_set_new(obj, "pgsync", json_pack("{s:b, s:I, s:I, s:I,"
	    " s:f, s:f, s:I, s:I, s:I, s:I, s:s?}",
	    "connected", st.connected,
	    "applied_lsn", (json_int_t)st.applied_lsn,
	    "durable_lsn", (json_int_t)st.durable_lsn,
	    "lag_records", (json_int_t)st.lag_records,
	    "lag_s", st.lag_s, "down_s", st.down_s,
	    "batches", (json_int_t)st.batches,
	    "records", (json_int_t)st.records,
	    "errors", (json_int_t)st.errors,
	    "rejected", (json_int_t)st.rejected,
	    "error", st.error[0] ? st.error : NULL));
}

void
pgsync_metrics(struct pgsync *ps, struct jbuf *b)
{
	struct pgsync_status	st;
	char			lag[32];

	pgsync_status(ps, &st);
	snprintf(lag, sizeof(lag), "%.3f", st.lag_s);
	jbuf_printf(b, "# HELP fastops_pgsync_connected 1 while connected to "
	    "PostgreSQL.\n# TYPE fastops_pgsync_connected gauge\n"
	    "fastops_pgsync_connected %d\n"
	    "# HELP fastops_pgsync_applied_lsn Last journal record in "
	    "PostgreSQL.\n# TYPE fastops_pgsync_applied_lsn gauge\n"
	    "fastops_pgsync_applied_lsn %I\n"
	    "# HELP fastops_pgsync_lag_records Durable journal records not "
	    "in PostgreSQL yet.\n# TYPE fastops_pgsync_lag_records gauge\n"
	    "fastops_pgsync_lag_records %I\n"
	    "# HELP fastops_pgsync_lag_seconds Age of the oldest record not "
	    "in PostgreSQL yet.\n# TYPE fastops_pgsync_lag_seconds gauge\n"
	    "fastops_pgsync_lag_seconds %s\n"
	    "# HELP fastops_pgsync_records_total Journal records applied.\n"
	    "# TYPE fastops_pgsync_records_total counter\n"
	    "fastops_pgsync_records_total %I\n"
	    "# HELP fastops_pgsync_batches_total Transactions committed.\n"
	    "# TYPE fastops_pgsync_batches_total counter\n"
	    "fastops_pgsync_batches_total %I\n"
	    "# HELP fastops_pgsync_errors_total Failed attempts, outages "
	    "included.\n# TYPE fastops_pgsync_errors_total counter\n"
	    "fastops_pgsync_errors_total %I\n"
	    "# HELP fastops_pgsync_rejected_total Records the database "
	    "refused.\n# TYPE fastops_pgsync_rejected_total counter\n"
	    "fastops_pgsync_rejected_total %I\n",
	    st.connected, (long long)st.applied_lsn,
	    (long long)st.lag_records, lag, (long long)st.records,
	    (long long)st.batches, (long long)st.errors,
	    (long long)st.rejected);
}
