/*
 * supervisor — the printer workers, and everything that decides what they
 * do: which printer each drives, how many there are (autoscale, turbo),
 * circuit breakers coming back, tickets no printer can print (fallback to
 * the kitchen screen), stuck and crashed workers, and the alerts an admin
 * must see.
 *
 * One thread.  It spawns workers with posix_spawn (`fastops-queued
 * --worker`, never fork in this threaded process), talks to each over a
 * SOCK_SEQPACKET socketpair (wproto.h) and wakes every 100 ms, or at once
 * when a worker reports or the daemon has news (new tickets, an admin's
 * command).
 *
 * A worker's report of a claimed, printed or failed job becomes a journal
 * record (store_append_job) and, once durable, events: the journal stays
 * the one truth of where every ticket is.
 *
 * Locks: the thread takes d->lock to journal, and sv->lock (alone) to
 * publish what ops read; ops, which run under d->lock, take sv->lock.  So
 * the order is d->lock, then sv->lock, and the thread never holds sv->lock
 * while it takes d->lock.
 */
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "daemon.h"
#include "log.h"
#include "pgsync.h"
#include "render.h"
#include "supervisor.h"
#include "wproto.h"
#include "xmalloc.h"

extern char **environ;

#define SV_TICK_MS		100
#define SV_WORKERS_MAX		64
#define SV_SCALE_EVERY_NS	(1 * NS_PER_S)
#define SV_MANUAL_HOLD_NS	(60 * NS_PER_S)	/* after workers.scale */
#define SV_BACKOFF_MIN_MS	500
#define SV_BACKOFF_MAX_MS	30000
#define SV_STOP_GRACE_NS	(5 * NS_PER_S)
#define SV_MSGS_MAX		256	/* reports handled per wake-up */
#define SV_FALLBACK_CMDS	16
#define SLOW_ON_MS		10000	/* seeds: "tiempo_lento" 10 s */
#define SLOW_OFF_MS		5000
#define FALLBACK_ALERT_S	300
#define EWMA_ALPHA		0.2

struct wproc {
	pid_t		 pid;
	int		 fd;
	int		 printer;	/* bound to, or -1 */
	int		 stopping;	/* told to stop: not a crash */
	int		 killed;	/* we killed it (stuck) */
	int		 dead;		/* EOF seen, to reap */
	uint64_t	 started_ns;
	uint64_t	 busy_since_ns;	/* oldest unfinished claim, or 0 */
	struct {
		uint64_t	job_id;
		uint32_t	slot;
		uint32_t	attempts;
	}		 claimed[WORKER_BATCH_MAX];
	int		 nclaimed;
};

struct alert {
	int		 kind;		/* enum alert_kind */
	int		 printer;	/* AL_PRINTER_DOWN, else -1 */
	const char	*level;		/* "warning", "critical" */
	char		 message[200];
	int64_t		 since;		/* unix seconds */
	uint64_t	 until_ns;	/* AL_FALLBACK: clears itself then */
};

enum alert_kind {
	AL_QUEUE_HIGH, AL_SLOW_PRINT, AL_PRINTER_DOWN, AL_FALLBACK, AL_PG_LAG,
	AL_NKINDS
};

static const char *const alert_names[AL_NKINDS] = {
	"queue_high", "slow_print", "printer_down", "fallback", "pgsync_lag",
};

#define ALERTS_MAX	(AL_NKINDS + CONFIG_PRINTERS_MAX)

struct supervisor {
	struct daemon	*d;
	pthread_t	 thread;
	int		 efd;		/* eventfd: wake the thread */
	int		 stop;		/* under lock */

	pthread_mutex_t	 lock;		/* the fields down to "thread's" */
	int		 target;	/* autoscale: workers wanted */
	int		 turbo_on;
	int		 turbo_mode;	/* TURBO_AUTO, TURBO_ON, TURBO_OFF */
	const char	*turbo_reason;
	int64_t		 turbo_since;
	int		 verbosity;	/* log level before turbo */
	int		 alive, parked, busy;
	pid_t		 printer_pid[CONFIG_PRINTERS_MAX];
	struct alert	 alert[ALERTS_MAX];
	int		 nalerts;
	uint64_t	 alerts_raised;
	uint64_t	 spawned, crashed, killed_stuck, fallbacks, printed;
	double		 print_ms;	/* EWMA of an attempt that printed */
	double		 total_ms;	/* EWMA of queued -> printed */
	uint64_t	 manual_until;	/* workers.scale holds the target */

	/* the thread's own */
	struct wproc	 w[SV_WORKERS_MAX];
	int		 nw;
	struct wctl	 sent;		/* settings last sent */
	uint8_t		 circuit[CONFIG_PRINTERS_MAX];
	uint64_t	 backoff_until[CONFIG_PRINTERS_MAX];
	uint32_t	 backoff_ms[CONFIG_PRINTERS_MAX];
	uint64_t	 backlog_since;	/* turbo: backlog high since */
	uint64_t	 last_scale;
	pid_t		 cmd[SV_FALLBACK_CMDS];	/* on_fallback commands */
	struct rbuf	 text;
};

enum { TURBO_AUTO, TURBO_ON, TURBO_OFF };

static void	*sv_main(void *);
static void	 pg_alert(struct supervisor *, const struct config *);

/* --- helpers ----------------------------------------------------------------- */

void
supervisor_wake(struct supervisor *sv)
{
	uint64_t	one = 1;

	if (sv != NULL && write(sv->efd, &one, sizeof(one)) == -1 &&
	    errno != EAGAIN)
		log_warn("supervisor: wake");
}

static const char *
circuit_name(int c)
{
	return c == SHMQ_CIRCUIT_OPEN ? "open" :
	    c == SHMQ_CIRCUIT_HALF_OPEN ? "half_open" : "closed";
}

static struct wproc *
worker_on(struct supervisor *sv, int printer)
{
	int	i;

	for (i = 0; i < sv->nw; i++)
		if (sv->w[i].printer == printer && !sv->w[i].stopping &&
		    !sv->w[i].dead)
			return &sv->w[i];
	return NULL;
}

static void
tell(struct wproc *w, const struct wctl *c)
{
	if (send(w->fd, c, sizeof(*c), MSG_NOSIGNAL | MSG_DONTWAIT) == -1)
		log_warn("supervisor: worker %ld", (long)w->pid);
}

static void
bind_worker(struct supervisor *sv, struct wproc *w, int printer)
{
	struct wctl	c;

	memset(&c, 0, sizeof(c));
	c.type = C_BIND;
	c.printer = printer;
	w->printer = printer;
	tell(w, &c);
	shmq_wake_all(sv->d->q);	/* it may sleep on another station */
	log_debug("worker %ld -> %s", (long)w->pid, printer >= 0 ?
	    sv->d->cfg->printer[printer].name : "(parked)");
}

static void
stop_worker(struct supervisor *sv, struct wproc *w)
{
	struct wctl	c;

	memset(&c, 0, sizeof(c));
	c.type = C_STOP;
	w->stopping = 1;
	tell(w, &c);
	shmq_wake_all(sv->d->q);
}

/* --- alerts -------------------------------------------------------------------- */

static struct alert *
alert_find(struct supervisor *sv, int kind, int printer)
{
	int	i;

	for (i = 0; i < sv->nalerts; i++)
		if (sv->alert[i].kind == kind && sv->alert[i].printer == printer)
			return &sv->alert[i];
	return NULL;
}

static void
alert_event(struct supervisor *sv, const struct alert *a, int active)
{
	struct daemon	*d = sv->d;

	/* "alert", not "kind": subscribers see the event's kind there */
	events_publish(d->ev, FO_EV_ALERT, json_pack("{s:s, s:s, s:s, s:b,"
	    " s:s?, s:I}", "alert", alert_names[a->kind], "level", a->level,
	    "message", a->message, "active", active, "printer",
	    a->printer >= 0 ? d->cfg->printer[a->printer].name : NULL,
	    "since", (json_int_t)a->since));
}

/* Raise (or refresh the text of) an alert.  Under sv->lock. */
static void
alert_raise(struct supervisor *sv, int kind, int printer, const char *level,
    uint64_t hold_ns, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void
alert_raise(struct supervisor *sv, int kind, int printer, const char *level,
    uint64_t hold_ns, const char *fmt, ...)
{
	struct alert	*a;
	va_list		 ap;
	int		 fresh = 0;

	if ((a = alert_find(sv, kind, printer)) == NULL) {
		if (sv->nalerts == ALERTS_MAX)
			return;
		a = &sv->alert[sv->nalerts++];
		memset(a, 0, sizeof(*a));
		a->kind = kind;
		a->printer = printer;
		a->since = (int64_t)time(NULL);
		fresh = 1;
		sv->alerts_raised++;
	}
	a->level = level;
	a->until_ns = hold_ns != 0 ? clock_mono_ns() + hold_ns : 0;
	va_start(ap, fmt);
	vsnprintf(a->message, sizeof(a->message), fmt, ap);
	va_end(ap);
	if (fresh || kind == AL_FALLBACK) {
		log_warnx("alert: %s", a->message);
		alert_event(sv, a, 1);
	}
}

static void
alert_clear(struct supervisor *sv, int kind, int printer)
{
	struct alert	*a;

	if ((a = alert_find(sv, kind, printer)) == NULL)
		return;
	log_info("alert over: %s", a->message);
	alert_event(sv, a, 0);
	*a = sv->alert[--sv->nalerts];
}

/* --- workers: spawn, reports, death --------------------------------------------- */

static struct wproc *
spawn_worker(struct supervisor *sv)
{
	struct daemon		*d = sv->d;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t	 attr;
	sigset_t		 none, deflt;
	struct wproc		*w;
	char			 ppid[24], a0[] = "fastops-queued";
	char			 a1[] = "--worker", a2[] = "-f", a4[] = "-P";
	char			*argv[] = { a0, a1, a2, d->cfg->path, a4, ppid,
				    NULL };
	int			 sp[2], fd, rc;
	pid_t			 pid;

	if (sv->nw == SV_WORKERS_MAX)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1) {
		log_warn("supervisor: socketpair");
		return NULL;
	}
	/* dup2 onto itself would leave close-on-exec set */
	if (sp[1] == WORKER_FD) {
		fd = fcntl(sp[1], F_DUPFD_CLOEXEC, WORKER_FD + 1);
		close(sp[1]);
		sp[1] = fd;
	}
	snprintf(ppid, sizeof(ppid), "%ld", (long)getpid());
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sp[1], WORKER_FD);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&deflt);
	sigaddset(&deflt, SIGTERM);
	sigaddset(&deflt, SIGINT);
	sigaddset(&deflt, SIGHUP);
	sigaddset(&deflt, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &deflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, "/proc/self/exe", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(sp[1]);
	if (rc != 0) {
		errno = rc;
		log_warn("supervisor: cannot start a worker");
		close(sp[0]);
		return NULL;
	}
	(void)fcntl(sp[0], F_SETFL, O_NONBLOCK);
	w = &sv->w[sv->nw++];
	memset(w, 0, sizeof(*w));
	w->pid = pid;
	w->fd = sp[0];
	w->printer = -1;
	w->started_ns = clock_mono_ns();
	sv->spawned++;
	tell(w, &sv->sent);
	log_debug("worker %ld started", (long)pid);
	return w;
}

static void
untrack(struct wproc *w, uint64_t job_id)
{
	int	i;

	for (i = 0; i < w->nclaimed; i++) {
		if (w->claimed[i].job_id != job_id)
			continue;
		w->claimed[i] = w->claimed[--w->nclaimed];
		break;
	}
	if (w->nclaimed == 0)
		w->busy_since_ns = 0;
}

/* What order.updated says happened, as order.* changes say it. */
static const char *
change_name(uint16_t type, uint32_t set)
{
	switch (type) {
	case QREC_JOB_CLAIMED:		return "printing";
	case QREC_JOB_PRINTED:		return "printed";
	case QREC_JOB_RETRY:		return "retry";
	case QREC_JOB_FAILED:		return "failed";
	case QREC_JOB_REQUEUED:		return "requeued";
	case QREC_JOB_CLEARED:		return "cleared";
	default:
		return set & SHMQ_F_FALLBACK ? "fallback" : "job";
	}
}

/*
 * Journal a queue record about a job; events go out in cm once durable.
 * Returns the order it concerns (or NULL).  Under d->lock.
 */
static struct order *
job_record(struct daemon *d, struct commit **cmp, uint16_t type,
    uint64_t job_id, int printer, uint32_t set, uint32_t clear,
    const char *error)
{
	struct qrec	 r;
	struct order	*ord;
	uint64_t	 lsn;
	int		 changed;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.job_id = job_id;
	r.printer = printer;
	r.flags = set;
	r.clear = clear;
	if (error != NULL) {
		r.error = error;
		r.error_len = (uint16_t)strnlen(error, QSTATE_ERR_MAX);
	}
	if ((lsn = store_append_job(d, &r, &ord, &changed)) == 0)
		return NULL;
	if (*cmp == NULL)
		*cmp = commit_new(NULL, NULL, lsn, ord != NULL ? ord->id : 0,
		    0);
	else if (lsn > (*cmp)->lsn)
		(*cmp)->lsn = lsn;
	if (changed && ord != NULL)
		commit_event(*cmp, FO_EV_ORDER_UPDATED, 1, "{\"change\":%S}",
		    change_name(type, set));
	return ord;
}

static void
run_on_fallback(struct supervisor *sv, const struct config_station *st,
    uint64_t job_id, const struct rbuf *text)
{
	struct daemon	*d = sv->d;
	char		 path[PATH_MAX], *cmd, *p;
	char		 sh[] = "sh", dashc[] = "-c";
	char		*argv[] = { sh, dashc, NULL, NULL };
	size_t		 n, k;
	pid_t		 pid;
	int		 fd, i, slot = -1;

	for (i = 0; i < SV_FALLBACK_CMDS; i++)
		if (sv->cmd[i] == 0) {
			slot = i;
			break;
		}
	if (slot == -1) {
		log_warnx("on_fallback: too many commands still running");
		return;
	}
	snprintf(path, sizeof(path), "%s/fallback", d->cfg->daemon.runtime_dir);
	(void)mkdir(path, 0750);
	snprintf(path, sizeof(path), "%s/fallback/ticket-%llu.txt",
	    d->cfg->daemon.runtime_dir, (unsigned long long)job_id);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640)) == -1 || write(fd, text->p, text->len) != (ssize_t)
	    text->len) {
		log_warn("on_fallback: %s", path);
		if (fd != -1)
			close(fd);
		return;
	}
	close(fd);
	/* the command with every %f replaced by the file, single-quoted */
	n = strlen(st->on_fallback) + 1;
	for (p = st->on_fallback; (p = strstr(p, "%f")) != NULL; p += 2)
		n += strlen(path) + 2;
	cmd = xmalloc(n);
	for (p = st->on_fallback, k = 0; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 'f') {
			k += (size_t)snprintf(cmd + k, n - k, "'%s'", path);
			p++;
		} else
			cmd[k++] = *p;
	}
	cmd[k] = '\0';
	argv[2] = cmd;
	if ((errno = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv,
	    environ)) != 0)
		log_warn("on_fallback: %s", cmd);
	else
		sv->cmd[slot] = pid;
	free(cmd);
}

/*
 * A job no printer could print goes to its station's kitchen screen: the
 * whole ticket in the job.fallback event, an alert, and the station's
 * on_fallback command.  The job stays failed in the queue (an admin can
 * retry it once a printer is back).  Under d->lock.
 */
static void
fallback(struct supervisor *sv, struct commit **cmp, uint64_t job_id,
    const char *why)
{
	struct daemon			*d = sv->d;
	const struct config_station	*st;
	struct shmq_job			 job;
	struct shmq_ref			 ref;
	struct render_opts		 ro;
	struct order			*ord;
	char				 err[128];

	if (qstate_get(d->model, job_id, &job) == -1 ||
	    job.station >= d->cfg->nstations)
		return;
	if ((ord = job_record(d, cmp, QREC_JOB_FLAGS, job_id, -1,
	    SHMQ_F_FALLBACK, 0, NULL)) == NULL)
		return;
	if (shmq_find(d->q, job_id, &ref) == 0)
		(void)shmq_set_flags(d->q, &ref, SHMQ_F_FALLBACK, 0);
	st = &d->cfg->station[job.station];
	memset(&ro, 0, sizeof(ro));
	ro.width = 48;
	ro.urgent = job.prio == SHMQ_URGENT;
	ro.flags = job.flags;
	ro.attempt = job.attempts;
	rbuf_reset(&sv->text);
	if (render_text(job.payload, job.payload_len, &ro, &sv->text, err,
	    sizeof(err)) == -1)
		rbuf_add(&sv->text, "(ticket ilegible)\n", 18);
	rbuf_add(&sv->text, "", 1);	/* NUL: %S takes a C string */
	/* "order" is added last: the whole order, as with_order says */
	commit_event(*cmp, FO_EV_JOB_FALLBACK, 1, "{\"job\":%I,"
	    "\"number\":%S,\"station\":%S,\"reason\":%S,\"ticket\":%R,"
	    "\"text\":%S}", (long long)job_id, ord->number,
	    st->name, why != NULL ? why : "", (const char *)job.payload,
	    (size_t)job.payload_len, (const char *)sv->text.p);
	sv->text.len--;		/* the file gets the text without it */
	pthread_mutex_lock(&sv->lock);
	sv->fallbacks++;
	alert_raise(sv, AL_FALLBACK, -1, "critical",
	    FALLBACK_ALERT_S * NS_PER_S, "Ticket %s de %s enviado a la "
	    "pantalla de cocina: %s", ord->number, st->name,
	    why != NULL && *why != '\0' ? why : "ninguna impresora");
	pthread_mutex_unlock(&sv->lock);
	if (st->on_fallback != NULL && st->on_fallback[0] != '\0')
		run_on_fallback(sv, st, job_id, &sv->text);
}

/* One report of a worker.  Under d->lock. */
static void
handle(struct supervisor *sv, struct wproc *w, const struct wmsg *m)
{
	struct daemon	*d = sv->d;
	struct commit	*cm = NULL;
	struct order	*ord;
	struct shmq_job	 mj;
	const char	*pname, *sname;
	int		 k;

	if (m->printer >= 0 && m->printer < d->cfg->nprinters) {
		pname = d->cfg->printer[m->printer].name;
		k = d->cfg->printer[m->printer].station;
		sname = k >= 0 ? d->cfg->station[k].name : "";
	} else
		pname = sname = "";
	switch (m->type) {
	case W_HELLO:
		return;
	case W_PROBE:
		return;
	case W_CLAIMED:
		/*
		 * Reports of different workers are read in no particular
		 * order.  A job can only be claimed once the shm queue has
		 * it back, so if the journal still has it in another
		 * printer's hands, that printer's failure is on its way:
		 * record the retry now, and skip it when it comes.
		 */
		if (qstate_get(d->model, m->job_id, &mj) == 0 &&
		    mj.state == SHMQ_PROCESSING && mj.printer != m->printer)
			(void)job_record(d, &cm, QREC_JOB_RETRY, m->job_id,
			    mj.printer, 0, 0, "reintento en otra impresora");
		if (w->nclaimed < WORKER_BATCH_MAX) {
			k = w->nclaimed++;
			w->claimed[k].job_id = m->job_id;
			w->claimed[k].slot = m->slot;
			w->claimed[k].attempts = m->attempts;
			if (w->busy_since_ns == 0)
				w->busy_since_ns = clock_mono_ns();
		}
		if ((ord = job_record(d, &cm, QREC_JOB_CLAIMED, m->job_id,
		    m->printer, 0, 0, NULL)) != NULL)
			commit_event(cm, FO_EV_JOB_PRINTING, 0, "{\"job\":%I,"
			    "\"order\":%I,\"number\":%S,\"station\":%S,"
			    "\"printer\":%S,\"attempt\":%d}",
			    (long long)m->job_id, (long long)ord->id,
			    ord->number, sname, pname, (int)m->attempts);
		break;
	case W_PRINTED:
		untrack(w, m->job_id);
		if ((ord = job_record(d, &cm, QREC_JOB_PRINTED, m->job_id,
		    m->printer, 0, 0, NULL)) != NULL)
			commit_event(cm, FO_EV_JOB_PRINTED, 0, "{\"job\":%I,"
			    "\"order\":%I,\"number\":%S,\"station\":%S,"
			    "\"printer\":%S,\"print_ms\":%d,\"total_ms\":%d,"
			    "\"batch\":%d}", (long long)m->job_id,
			    (long long)ord->id, ord->number, sname, pname,
			    (int)m->elapsed_ms, (int)m->age_ms, (int)m->batch);
		pthread_mutex_lock(&sv->lock);
		sv->printed++;
		/* one transmission of n tickets: each took its share */
		sv->print_ms += EWMA_ALPHA * ((double)m->elapsed_ms /
		    (m->batch > 0 ? m->batch : 1) - sv->print_ms);
		sv->total_ms += EWMA_ALPHA * ((double)m->age_ms - sv->total_ms);
		pthread_mutex_unlock(&sv->lock);
		break;
	case W_FAILED:
		untrack(w, m->job_id);
		if (m->maybe_printed)
			(void)job_record(d, &cm, QREC_JOB_FLAGS, m->job_id, -1,
			    SHMQ_F_MAYBE_PRINTED, 0, NULL);
		/* already recorded when another printer claimed it */
		if (!m->give_up && (qstate_get(d->model, m->job_id, &mj) == -1 ||
		    mj.state != SHMQ_PROCESSING || mj.printer != m->printer))
			break;
		if ((ord = job_record(d, &cm, m->give_up ? QREC_JOB_FAILED :
		    QREC_JOB_RETRY, m->job_id, m->printer, 0, 0,
		    m->error)) != NULL)
			commit_event(cm, FO_EV_JOB_FAILED, 0, "{\"job\":%I,"
			    "\"order\":%I,\"number\":%S,\"station\":%S,"
			    "\"printer\":%S,\"attempt\":%d,\"error\":%S,"
			    "\"retry\":%s,\"maybe_printed\":%s}",
			    (long long)m->job_id, (long long)ord->id,
			    ord->number, sname, pname, (int)m->attempts,
			    m->error, m->give_up ? "false" : "true",
			    m->maybe_printed ? "true" : "false");
		if (m->give_up && ord != NULL)
			fallback(sv, &cm, m->job_id, m->error);
		break;
	}
	if (cm != NULL)
		store_commit(d, cm);
}

/*
 * A worker is gone (crashed, stopped, or killed by us): its jobs in hand
 * go back to the queue marked "may have printed", or to the kitchen
 * screen if that was their last attempt.  Under d->lock.
 */
static void
bury(struct supervisor *sv, struct wproc *w)
{
	struct daemon	*d = sv->d;
	struct commit	*cm = NULL;
	struct shmq_ref	 ref;
	const char	*why;
	int		 i, give_up, st;

	if (waitpid(w->pid, &st, 0) == -1)
		st = 0;
	why = w->killed ? "trabajador bloqueado: reiniciado" :
	    "el trabajador terminó inesperadamente";
	if (!w->stopping || w->killed) {
		if (WIFSIGNALED(st))
			log_warnx("worker %ld (%s) killed by signal %d",
			    (long)w->pid, w->printer >= 0 ?
			    d->cfg->printer[w->printer].name : "parked",
			    WTERMSIG(st));
		else
			log_warnx("worker %ld exited with status %d",
			    (long)w->pid, WEXITSTATUS(st));
	}
	for (i = 0; i < w->nclaimed; i++) {
		ref.slot = w->claimed[i].slot;
		ref.job_id = w->claimed[i].job_id;
		give_up = w->claimed[i].attempts >=
		    (uint32_t)d->cfg->workers.max_attempts;
		(void)shmq_set_flags(d->q, &ref, SHMQ_F_MAYBE_PRINTED, 0);
		if (shmq_fail(d->q, &ref, give_up, why) == -1)
			continue;	/* it finished after all */
		(void)job_record(d, &cm, QREC_JOB_FLAGS, ref.job_id, -1,
		    SHMQ_F_MAYBE_PRINTED, 0, NULL);
		(void)job_record(d, &cm, give_up ? QREC_JOB_FAILED :
		    QREC_JOB_RETRY, ref.job_id, w->printer, 0, 0, why);
		if (give_up)
			fallback(sv, &cm, ref.job_id, why);
	}
	/* claims it never reported: pending in the journal all along */
	(void)shmq_release_owner(d->q, w->pid);
	if (cm != NULL)
		store_commit(d, cm);
	close(w->fd);

	pthread_mutex_lock(&sv->lock);
	if (w->killed)
		sv->killed_stuck++;
	else if (!w->stopping)
		sv->crashed++;
	pthread_mutex_unlock(&sv->lock);
	/* a printer whose workers keep dying is retried less and less often */
	if (w->printer >= 0 && (!w->stopping || w->killed)) {
		uint32_t *b = &sv->backoff_ms[w->printer];

		*b = *b == 0 ? SV_BACKOFF_MIN_MS : *b * 2;
		if (*b > SV_BACKOFF_MAX_MS)
			*b = SV_BACKOFF_MAX_MS;
		sv->backoff_until[w->printer] = clock_mono_ns() +
		    (uint64_t)*b * NS_PER_MS;
	}
	*w = sv->w[--sv->nw];
}

/* --- the periodic decisions ------------------------------------------------------- */

static struct wctl
settings(struct supervisor *sv, const struct config *cfg, int turbo)
{
	struct wctl	c;

	memset(&c, 0, sizeof(c));
	c.type = C_SETTINGS;
	c.print_timeout_ms = turbo ? cfg->turbo.print_timeout_ms :
	    cfg->workers.print_timeout_ms;
	c.max_attempts = cfg->workers.max_attempts;
	c.retry_delay_ms = cfg->workers.retry_delay_ms;
	c.batch = turbo ? cfg->turbo.batch : 1;
	c.breaker_failures = cfg->breaker.failures;
	c.breaker_close_after = cfg->breaker.close_after;
	return c;
}

static void
set_turbo(struct supervisor *sv, int on, const char *reason)
{
	if (sv->turbo_on == on)
		return;
	sv->turbo_on = on;
	sv->turbo_reason = reason;
	sv->turbo_since = (int64_t)time(NULL);
	log_warnx("turbo %s (%s)", on ? "on" : "off", reason);
	/* on a peak day the log keeps to warnings */
	if (on) {
		sv->verbosity = log_getverbose();
		log_setverbose(0);
	} else
		log_setverbose(sv->verbosity);
	events_publish(sv->d->ev, FO_EV_TURBO, json_pack("{s:b, s:s, s:s}",
	    "on", on, "mode", sv->turbo_mode == TURBO_AUTO ? "auto" :
	    sv->turbo_mode == TURBO_ON ? "on" : "off", "reason", reason));
}

/*
 * Circuit breakers coming back, stations with no printer left (their
 * tickets go to the kitchen screen), and printers' state events.  Under
 * d->lock.
 */
static void
printers_tick(struct supervisor *sv, const struct config *cfg, uint64_t now)
{
	struct daemon			*d = sv->d;
	struct shmq_printer_info	 pi[CONFIG_PRINTERS_MAX];
	struct commit			*cm = NULL;
	uint32_t			 pend[SHMQ_NPRIO];
	int				 p, s, k, down;

	for (p = 0; p < cfg->nprinters; p++) {
		if (shmq_read_printer(d->q, (uint32_t)p, &pi[p]) == -1)
			return;
		if (pi[p].circuit == SHMQ_CIRCUIT_OPEN && now -
		    pi[p].circuit_since_ns >= (uint64_t)cfg->breaker.open_for_s *
		    NS_PER_S) {
			(void)shmq_printer_set_circuit(d->q, (uint32_t)p,
			    SHMQ_CIRCUIT_HALF_OPEN);
			pi[p].circuit = SHMQ_CIRCUIT_HALF_OPEN;
		}
		if (pi[p].circuit == sv->circuit[p])
			continue;
		sv->circuit[p] = pi[p].circuit;
		events_publish(d->ev, FO_EV_PRINTER_STATE, json_pack("{s:s,"
		    " s:s, s:s, s:b, s:s}", "printer", cfg->printer[p].name,
		    "station", cfg->printer[p].station >= 0 ?
		    cfg->station[cfg->printer[p].station].name : "",
		    "circuit", circuit_name(pi[p].circuit), "paused",
		    pi[p].paused, "error", pi[p].last_error));
		pthread_mutex_lock(&sv->lock);
		if (pi[p].circuit == SHMQ_CIRCUIT_OPEN)
			alert_raise(sv, AL_PRINTER_DOWN, p, "critical", 0,
			    "Impresora %s fuera de servicio: %s",
			    cfg->printer[p].name, pi[p].last_error[0] != '\0' ?
			    pi[p].last_error : "fallos repetidos");
		else if (pi[p].circuit == SHMQ_CIRCUIT_CLOSED)
			alert_clear(sv, AL_PRINTER_DOWN, p);
		pthread_mutex_unlock(&sv->lock);
	}
	/* a station whose every printer is open: nobody will print there */
	for (s = 0; s < cfg->nstations; s++) {
		for (k = 0, down = 1; k < cfg->station[s].nprinters; k++)
			if (pi[cfg->station[s].printer[k]].circuit !=
			    SHMQ_CIRCUIT_OPEN)
				down = 0;
		if (!down || shmq_station_pending(d->q, (uint32_t)s,
		    pend) == -1 || pend[0] + pend[1] + pend[2] == 0)
			continue;
		for (;;) {
			struct shmq_ref	ref;
			char		why[CONFIG_NAME_MAX + 64];

			/* in service order, as a printer would have taken them */
			if (shmq_give_up_next(d->q, (uint32_t)s, &ref) == -1)
				break;
			snprintf(why, sizeof(why), "ninguna impresora de %s "
			    "disponible", cfg->station[s].name);
			(void)job_record(d, &cm, QREC_JOB_FAILED, ref.job_id,
			    -1, 0, 0, why);
			fallback(sv, &cm, ref.job_id, why);
		}
	}
	if (cm != NULL)
		store_commit(d, cm);
}

/*
 * Which printers want a worker, and who drives what.  A printer wants one
 * when its station has tickets it may take, when it is half-open (to be
 * tried), or while its worker has tickets in hand.  Workers: at least
 * min alive, at most the autoscale target (max in turbo), and never more
 * bound than printers that want one.  Not under any lock but the
 * thread's own state.
 */
static void
assign(struct supervisor *sv, const struct config *cfg, int target,
    uint64_t now)
{
	struct daemon			*d = sv->d;
	struct shmq_printer_info	 pi;
	struct wproc			*w, *victim;
	uint32_t			 pend[SHMQ_NPRIO];
	int				 want[CONFIG_PRINTERS_MAX] = { 0 };
	int				 haswork[CONFIG_STATIONS_MAX] = { 0 };
	int				 i, p, s, alive = 0;

	for (s = 0; s < cfg->nstations; s++)
		if (shmq_station_pending(d->q, (uint32_t)s, pend) == 0)
			haswork[s] = pend[0] + pend[1] + pend[2] > 0;
	for (p = 0; p < cfg->nprinters; p++) {
		if (shmq_read_printer(d->q, (uint32_t)p, &pi) == -1)
			continue;
		s = cfg->printer[p].station;
		want[p] = !pi.paused && ((s >= 0 && haswork[s] &&
		    pi.circuit != SHMQ_CIRCUIT_OPEN) ||
		    pi.circuit == SHMQ_CIRCUIT_HALF_OPEN);
		if ((w = worker_on(sv, p)) != NULL && w->nclaimed > 0)
			want[p] = 1;
	}
	for (i = 0; i < sv->nw; i++)
		if (!sv->w[i].stopping && !sv->w[i].dead)
			alive++;

	for (p = 0; p < cfg->nprinters; p++) {
		if (!want[p] || worker_on(sv, p) != NULL ||
		    now < sv->backoff_until[p])
			continue;
		victim = NULL;
		for (i = 0; i < sv->nw && victim == NULL; i++) {
			w = &sv->w[i];
			if (!w->stopping && !w->dead && w->printer == -1)
				victim = w;
		}
		if (victim == NULL && alive < target &&
		    (victim = spawn_worker(sv)) != NULL)
			alive++;
		/* all busy elsewhere: take one idle on a printer with nothing */
		for (i = 0; i < sv->nw && victim == NULL; i++) {
			w = &sv->w[i];
			if (!w->stopping && !w->dead && w->printer >= 0 &&
			    !want[w->printer] && w->nclaimed == 0)
				victim = w;
		}
		if (victim != NULL)
			bind_worker(sv, victim, p);
	}
	/* too many: the parked go first, then the idle on quiet printers */
	for (i = 0; i < sv->nw && alive > target; i++) {
		w = &sv->w[i];
		if (!w->stopping && !w->dead && w->printer == -1) {
			stop_worker(sv, w);
			alive--;
		}
	}
	for (i = 0; i < sv->nw && alive > target; i++) {
		w = &sv->w[i];
		if (!w->stopping && !w->dead && w->printer >= 0 &&
		    !want[w->printer] && w->nclaimed == 0) {
			stop_worker(sv, w);
			alive--;
		}
	}
	/* a warm minimum, parked until there is work */
	while (alive < cfg->workers.min && spawn_worker(sv) != NULL)
		alive++;
}

/* Autoscale, turbo's automatic rule, and the queue's alerts. */
static void
policy(struct supervisor *sv, const struct config *cfg, uint64_t now)
{
	struct shmq_counters	c;
	uint32_t		backlog;
	int			old;

	if (shmq_read_counters(sv->d->q, &c) == -1)
		return;
	backlog = c.pending[0] + c.pending[1] + c.pending[2];
	pthread_mutex_lock(&sv->lock);
	old = sv->target;
	if (now >= sv->manual_until &&
	    now - sv->last_scale >= SV_SCALE_EVERY_NS) {
		sv->last_scale = now;
		if (backlog > (uint32_t)cfg->workers.scale_up_at)
			sv->target += cfg->workers.scale_step;
		else if (backlog < (uint32_t)cfg->workers.scale_down_at)
			sv->target = cfg->workers.min;
	}
	if (sv->target > cfg->workers.max)
		sv->target = cfg->workers.max;
	if (sv->target < cfg->workers.min)
		sv->target = cfg->workers.min;
	if (sv->target != old)
		events_publish(sv->d->ev, FO_EV_WORKERS, json_pack("{s:i, s:i,"
		    " s:i, s:i, s:I}", "target", sv->target, "min",
		    cfg->workers.min, "max", cfg->workers.max, "alive",
		    sv->alive, "backlog", (json_int_t)backlog));

	/* turbo: on after a sustained backlog, off once calm (seeds §9) */
	if (sv->turbo_mode == TURBO_ON)
		set_turbo(sv, 1, "manual");
	else if (sv->turbo_mode == TURBO_OFF)
		set_turbo(sv, 0, "manual");
	else if (!cfg->turbo.automatic)
		set_turbo(sv, 0, "auto desactivado");
	else if (!sv->turbo_on) {
		if (backlog >= (uint32_t)cfg->turbo.queue_on) {
			if (sv->backlog_since == 0)
				sv->backlog_since = now;
			if (now - sv->backlog_since >=
			    (uint64_t)cfg->turbo.sustain_s * NS_PER_S)
				set_turbo(sv, 1, "cola alta sostenida");
		} else
			sv->backlog_since = 0;
	} else if (backlog < (uint32_t)cfg->turbo.off_below &&
	    sv->print_ms < cfg->turbo.off_print_ms) {
		sv->backlog_since = 0;
		set_turbo(sv, 0, "carga normal");
	}

	if (backlog > (uint32_t)cfg->workers.scale_up_at)
		alert_raise(sv, AL_QUEUE_HIGH, -1, "warning", 0,
		    "Cola alta: %u tickets esperando", backlog);
	else if (backlog < (uint32_t)cfg->workers.scale_down_at)
		alert_clear(sv, AL_QUEUE_HIGH, -1);
	if (sv->total_ms > SLOW_ON_MS && sv->printed > 0)
		alert_raise(sv, AL_SLOW_PRINT, -1, "warning", 0,
		    "Impresión lenta: %.1f s de media hasta el papel",
		    sv->total_ms / 1000);
	else if (sv->total_ms < SLOW_OFF_MS)
		alert_clear(sv, AL_SLOW_PRINT, -1);
	{
		struct alert *a = alert_find(sv, AL_FALLBACK, -1);

		if (a != NULL && a->until_ns != 0 && now >= a->until_ns)
			alert_clear(sv, AL_FALLBACK, -1);
	}
	if (sv->d->pg != NULL)
		pg_alert(sv, cfg);
	pthread_mutex_unlock(&sv->lock);
}

/*
 * PostgreSQL behind the journal, or out of reach, for lag_alert_s: the
 * history and the reports are late.  Under sv->lock.
 */
static void
pg_alert(struct supervisor *sv, const struct config *cfg)
{
	struct pgsync_status	st;
	double			limit = cfg->postgres.lag_alert_s;

	pgsync_status(sv->d->pg, &st);
	if (st.lag_s >= limit)
		alert_raise(sv, AL_PG_LAG, -1, "warning", 0, "Base de datos "
		    "atrasada %.0f s (%llu registros)%s", st.lag_s,
		    (unsigned long long)st.lag_records, st.connected ? "" :
		    ": sin conexión");
	else if (!st.connected && st.down_s >= limit)
		alert_raise(sv, AL_PG_LAG, -1, "warning", 0, "Base de datos "
		    "sin conexión desde hace %.0f s", st.down_s);
	else if (st.connected && st.lag_s < limit / 2)
		alert_clear(sv, AL_PG_LAG, -1);
}

/* What ops read: counts and who drives each printer.  Under sv->lock. */
static void
publish_state(struct supervisor *sv, const struct config *cfg)
{
	int	i;

	sv->alive = sv->parked = sv->busy = 0;
	memset(sv->printer_pid, 0, sizeof(sv->printer_pid));
	for (i = 0; i < sv->nw; i++) {
		const struct wproc *w = &sv->w[i];

		if (w->dead)
			continue;
		sv->alive++;
		if (w->printer < 0)
			sv->parked++;
		else
			sv->printer_pid[w->printer] = w->pid;
		if (w->nclaimed > 0)
			sv->busy++;
	}
}

static void
reap_commands(struct supervisor *sv)
{
	int	i, st;

	for (i = 0; i < SV_FALLBACK_CMDS; i++)
		if (sv->cmd[i] != 0 && waitpid(sv->cmd[i], &st, WNOHANG) ==
		    sv->cmd[i]) {
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				log_warnx("on_fallback command failed "
				    "(status %d)", st);
			sv->cmd[i] = 0;
		}
}

/* Read what a worker said; EOF or an error marks it dead. */
static int
collect(struct wproc *w, struct wmsg *m, int room)
{
	ssize_t	n;
	int	got = 0;

	while (got < room) {
		n = recv(w->fd, &m[got], sizeof(*m), MSG_DONTWAIT);
		if (n == (ssize_t)sizeof(*m)) {
			got++;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n > 0)
			continue;	/* not one of ours: drop it */
		w->dead = 1;
		break;
	}
	return got;
}

static void *
sv_main(void *arg)
{
	struct supervisor	*sv = arg;
	struct daemon		*d = sv->d;
	struct pollfd		 pfd[SV_WORKERS_MAX + 1];
	struct wmsg		*msgs;
	struct wctl		 want;
	struct config		 cfg;
	uint64_t		 now, stop_at = 0, junk, last_tick = 0;
	int			 i, k, n, got, stopping, turbo, target, dead;
	int			 owner[SV_MSGS_MAX];

	msgs = xcalloc(SV_MSGS_MAX, sizeof(*msgs));
	for (;;) {
		pfd[0].fd = sv->efd;
		pfd[0].events = POLLIN;
		for (i = 0; i < sv->nw; i++) {
			pfd[i + 1].fd = sv->w[i].fd;
			pfd[i + 1].events = POLLIN;
			pfd[i + 1].revents = 0;
		}
		n = sv->nw;
		if (poll(pfd, (nfds_t)n + 1, SV_TICK_MS) == -1 &&
		    errno != EINTR)
			log_warn("supervisor: poll");
		if (pfd[0].revents & POLLIN)
			(void)read(sv->efd, &junk, sizeof(junk));
		for (i = 0, got = 0; i < n && got < SV_MSGS_MAX; i++) {
			if (!(pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			k = collect(&sv->w[i], msgs + got, SV_MSGS_MAX - got);
			while (k-- > 0)
				owner[got++] = sv->w[i].pid;
		}

		/*
		 * d->lock only for reports, deaths and the tick: a wake-up
		 * for new tickets (one per commit batch under load) just
		 * looks for printers without a worker, off the request path.
		 */
		now = clock_mono_ns();
		for (i = 0, dead = 0; i < sv->nw; i++)
			dead |= sv->w[i].dead;
		if (got == 0 && !dead && last_tick != 0 &&
		    now - last_tick < SV_TICK_MS * NS_PER_MS) {
			pthread_mutex_lock(&sv->lock);
			target = sv->turbo_on ? cfg.workers.max : sv->target;
			pthread_mutex_unlock(&sv->lock);
			assign(sv, &cfg, target, now);
			continue;
		}
		last_tick = now;
		pthread_mutex_lock(&d->lock);
		/* a copy: a reload may change d->cfg while we decide */
		cfg = *d->cfg;
		for (k = 0; k < got; k++)
			for (i = 0; i < sv->nw; i++)
				if (sv->w[i].pid == owner[k]) {
					handle(sv, &sv->w[i], &msgs[k]);
					break;
				}
		for (i = 0; i < sv->nw;) {
			if (sv->w[i].dead)
				bury(sv, &sv->w[i]);	/* moves the last here */
			else
				i++;
		}
		now = clock_mono_ns();
		printers_tick(sv, &cfg, now);
		pthread_mutex_unlock(&d->lock);

		/* stuck on one attempt past worker_timeout: kill it */
		for (i = 0; i < sv->nw; i++) {
			struct wproc *w = &sv->w[i];

			if (w->busy_since_ns != 0 && !w->killed && now -
			    w->busy_since_ns >= (uint64_t)
			    cfg.workers.worker_timeout_ms * NS_PER_MS) {
				log_warnx("worker %ld stuck on %s for %d ms: "
				    "killed", (long)w->pid, w->printer >= 0 ?
				    cfg.printer[w->printer].name : "?",
				    cfg.workers.worker_timeout_ms);
				w->killed = 1;
				kill(w->pid, SIGKILL);
			}
		}
		reap_commands(sv);

		pthread_mutex_lock(&sv->lock);
		stopping = sv->stop;
		turbo = sv->turbo_on;
		target = turbo ? cfg.workers.max : sv->target;
		pthread_mutex_unlock(&sv->lock);

		if (stopping) {
			if (stop_at == 0) {
				stop_at = now + SV_STOP_GRACE_NS;
				for (i = 0; i < sv->nw; i++)
					stop_worker(sv, &sv->w[i]);
			}
			if (sv->nw == 0)
				break;
			if (now >= stop_at)
				for (i = 0; i < sv->nw; i++)
					if (!sv->w[i].killed) {
						sv->w[i].killed = 1;
						kill(sv->w[i].pid, SIGKILL);
					}
			continue;
		}
		want = settings(sv, &cfg, turbo);
		if (memcmp(&want, &sv->sent, sizeof(want)) != 0) {
			sv->sent = want;
			for (i = 0; i < sv->nw; i++)
				tell(&sv->w[i], &want);
			shmq_wake_all(d->q);
		}
		policy(sv, &cfg, now);
		assign(sv, &cfg, target, now);
		pthread_mutex_lock(&sv->lock);
		publish_state(sv, &cfg);
		pthread_mutex_unlock(&sv->lock);
	}
	free(msgs);
	return NULL;
}

/* --- the daemon's side ---------------------------------------------------------- */

struct supervisor *
supervisor_start(struct daemon *d)
{
	struct supervisor	*sv;

	sv = xcalloc(1, sizeof(*sv));
	sv->d = d;
	pthread_mutex_init(&sv->lock, NULL);
	sv->target = d->cfg->workers.min;
	sv->turbo_mode = TURBO_AUTO;
	sv->turbo_reason = "";
	sv->sent = settings(sv, d->cfg, 0);
	rbuf_init(&sv->text);
	if ((sv->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		log_warn("eventfd");
		free(sv);
		return NULL;
	}
	if ((errno = pthread_create(&sv->thread, NULL, sv_main, sv)) != 0) {
		log_warn("supervisor thread");
		close(sv->efd);
		free(sv);
		return NULL;
	}
	return sv;
}

/*
 * Stop every worker: each finishes the ticket in hand (what it reports is
 * still journaled), bounded by SV_STOP_GRACE_NS, then is killed.  Call
 * without d->lock, before the commit threads stop.
 */
void
supervisor_stop(struct supervisor *sv)
{
	int	i;

	if (sv == NULL)
		return;
	pthread_mutex_lock(&sv->lock);
	sv->stop = 1;
	pthread_mutex_unlock(&sv->lock);
	supervisor_wake(sv);
	pthread_join(sv->thread, NULL);
	for (i = 0; i < SV_FALLBACK_CMDS; i++)
		if (sv->cmd[i] != 0)
			(void)waitpid(sv->cmd[i], NULL, WNOHANG);
	rbuf_free(&sv->text);
	close(sv->efd);
	pthread_mutex_destroy(&sv->lock);
	free(sv);
}

int
supervisor_turbo(struct supervisor *sv, const char *mode)
{
	int	m;

	if (strcmp(mode, "on") == 0)
		m = TURBO_ON;
	else if (strcmp(mode, "off") == 0)
		m = TURBO_OFF;
	else if (strcmp(mode, "auto") == 0)
		m = TURBO_AUTO;
	else {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&sv->lock);
	sv->turbo_mode = m;
	if (m == TURBO_ON)
		set_turbo(sv, 1, "manual");
	else if (m == TURBO_OFF)
		set_turbo(sv, 0, "manual");
	pthread_mutex_unlock(&sv->lock);
	supervisor_wake(sv);
	return 0;
}

/*
 * An admin's word beats the autoscaler's for SV_MANUAL_HOLD_NS: scaled by
 * hand, the target stays put that long before the thresholds rule again.
 */
void
supervisor_scale(struct supervisor *sv, int delta)
{
	const struct config	*cfg = sv->d->cfg;

	pthread_mutex_lock(&sv->lock);
	sv->target += delta;
	if (sv->target > cfg->workers.max)
		sv->target = cfg->workers.max;
	if (sv->target < cfg->workers.min)
		sv->target = cfg->workers.min;
	sv->manual_until = clock_mono_ns() + SV_MANUAL_HOLD_NS;
	events_publish(sv->d->ev, FO_EV_WORKERS, json_pack("{s:i, s:i, s:i,"
	    " s:i, s:s}", "target", sv->target, "min", cfg->workers.min, "max",
	    cfg->workers.max, "alive", sv->alive, "reason", "manual"));
	pthread_mutex_unlock(&sv->lock);
	supervisor_wake(sv);
}

/* "workers", "turbo" and "alerts" members for stats and dashboard. */
void
supervisor_status(struct supervisor *sv, json_t *obj)
{
	const struct config	*cfg = sv->d->cfg;
	json_t			*alerts;
	int			 i;

	pthread_mutex_lock(&sv->lock);
	json_object_set_new(obj, "workers", json_pack("{s:i, s:i, s:i, s:i,"
	    " s:i, s:i, s:I, s:I, s:I}", "alive", sv->alive, "busy", sv->busy,
	    "parked", sv->parked, "target", sv->turbo_on ? cfg->workers.max :
	    sv->target, "min", cfg->workers.min, "max", cfg->workers.max,
	    "started", (json_int_t)sv->spawned, "crashed",
	    (json_int_t)sv->crashed, "killed_stuck",
	    (json_int_t)sv->killed_stuck));
	json_object_set_new(obj, "turbo", json_pack("{s:b, s:s, s:s, s:I,"
	    " s:b}", "on", sv->turbo_on, "mode", sv->turbo_mode == TURBO_AUTO ?
	    "auto" : sv->turbo_mode == TURBO_ON ? "on" : "off", "reason",
	    sv->turbo_reason, "since", (json_int_t)sv->turbo_since,
	    "automatic", cfg->turbo.automatic));
	alerts = json_array();
	for (i = 0; i < sv->nalerts; i++) {
		const struct alert *a = &sv->alert[i];

		json_array_append_new(alerts, json_pack("{s:s, s:s, s:s, s:s?,"
		    " s:I}", "kind", alert_names[a->kind], "level", a->level,
		    "message", a->message, "printer", a->printer >= 0 ?
		    cfg->printer[a->printer].name : NULL, "since",
		    (json_int_t)a->since));
	}
	json_object_set_new(obj, "alerts", alerts);
	json_object_set_new(obj, "print", json_pack("{s:I, s:I, s:f, s:f}",
	    "printed", (json_int_t)sv->printed, "fallbacks",
	    (json_int_t)sv->fallbacks, "print_ms_avg", sv->print_ms,
	    "total_ms_avg", sv->total_ms));
	pthread_mutex_unlock(&sv->lock);
}

json_t *
supervisor_printers(struct supervisor *sv)
{
	const struct config		*cfg = sv->d->cfg;
	struct shmq_printer_info	 pi;
	json_t				*arr = json_array();
	uint64_t			 up = clock_mono_ns() - sv->d->started_ns;
	int				 p;

	pthread_mutex_lock(&sv->lock);
	for (p = 0; p < cfg->nprinters; p++) {
		if (shmq_read_printer(sv->d->q, (uint32_t)p, &pi) == -1)
			memset(&pi, 0, sizeof(pi));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:b,"
		    " s:i, s:I, s:I, s:I, s:i, s:f, s:s}", "name",
		    cfg->printer[p].name, "station", cfg->printer[p].station >= 0 ?
		    cfg->station[cfg->printer[p].station].name : "", "uri",
		    cfg->printer[p].uri.text, "circuit", circuit_name(pi.circuit),
		    "paused", pi.paused, "worker", (int)sv->printer_pid[p],
		    "current_job", (json_int_t)pi.current_job, "printed",
		    (json_int_t)pi.printed, "failures", (json_int_t)pi.failures,
		    "consecutive_failures", (int)pi.consecutive_failures,
		    "utilisation", up > 0 ? (double)pi.busy_ns / (double)up : 0.0,
		    "last_error", pi.last_error));
	}
	pthread_mutex_unlock(&sv->lock);
	return arr;
}

/* Prometheus lines for the workers, turbo, alerts and printers. */
void
supervisor_metrics(struct supervisor *sv, struct jbuf *b)
{
	static const struct {
		const char	*name, *help;
	} pmetric[] = {
		{ "circuit", "Circuit breaker: 0 closed, 1 open, 2 half-open." },
		{ "printed_total", "Tickets printed." },
		{ "failures_total", "Failed print attempts." },
		{ "busy_seconds_total", "Time spent printing." },
	};
	const struct config		*cfg = sv->d->cfg;
	struct shmq_printer_info	*pi;
	char				 v[32];
	int				 ok[CONFIG_PRINTERS_MAX];
	int				 p, k, n;

	pthread_mutex_lock(&sv->lock);
	jbuf_printf(b, "# HELP fastops_workers Printer worker processes.\n"
	    "# TYPE fastops_workers gauge\n"
	    "fastops_workers{state=\"alive\"} %d\n"
	    "fastops_workers{state=\"busy\"} %d\n"
	    "fastops_workers{state=\"parked\"} %d\n"
	    "fastops_workers{state=\"target\"} %d\n",
	    sv->alive, sv->busy, sv->parked, sv->turbo_on ? cfg->workers.max :
	    sv->target);
	jbuf_printf(b, "# HELP fastops_worker_restarts_total Workers that "
	    "crashed or were killed stuck.\n"
	    "# TYPE fastops_worker_restarts_total counter\n"
	    "fastops_worker_restarts_total{reason=\"crashed\"} %I\n"
	    "fastops_worker_restarts_total{reason=\"stuck\"} %I\n",
	    (long long)sv->crashed, (long long)sv->killed_stuck);
	jbuf_printf(b, "# HELP fastops_turbo Turbo mode on (1) or off (0).\n"
	    "# TYPE fastops_turbo gauge\nfastops_turbo %d\n", sv->turbo_on);
	jbuf_printf(b, "# HELP fastops_fallbacks_total Tickets sent to the "
	    "kitchen screen because no printer could print them.\n"
	    "# TYPE fastops_fallbacks_total counter\n"
	    "fastops_fallbacks_total %I\n", (long long)sv->fallbacks);
	jbuf_printf(b, "# HELP fastops_alerts_raised_total Alerts raised.\n"
	    "# TYPE fastops_alerts_raised_total counter\n"
	    "fastops_alerts_raised_total %I\n"
	    "# HELP fastops_alert_active Alerts active now, by kind.\n"
	    "# TYPE fastops_alert_active gauge\n",
	    (long long)sv->alerts_raised);
	for (k = 0; k < AL_NKINDS; k++) {
		for (p = 0, n = 0; p < sv->nalerts; p++)
			n += sv->alert[p].kind == k;
		jbuf_printf(b, "fastops_alert_active{kind=\"%s\"} %d\n",
		    alert_names[k], n);
	}
	pthread_mutex_unlock(&sv->lock);
	/* each printer read once; its four series written from that copy */
	pi = xcalloc((size_t)cfg->nprinters + 1, sizeof(*pi));
	for (p = 0; p < cfg->nprinters; p++)
		ok[p] = shmq_read_printer(sv->d->q, (uint32_t)p, &pi[p]) == 0;
	for (k = 0; k < 4; k++) {
		jbuf_printf(b, "# HELP fastops_printer_%s %s\n"
		    "# TYPE fastops_printer_%s %s\n", pmetric[k].name,
		    pmetric[k].help, pmetric[k].name, k == 0 ? "gauge" :
		    "counter");
		for (p = 0; p < cfg->nprinters; p++) {
			if (!ok[p])
				continue;
			snprintf(v, sizeof(v), k == 3 ? "%.3f" : "%.0f",
			    k == 0 ? (double)pi[p].circuit : k == 1 ?
			    (double)pi[p].printed : k == 2 ?
			    (double)pi[p].failures :
			    (double)pi[p].busy_ns / NS_PER_S);
			jbuf_printf(b, "fastops_printer_%s{printer=\"%s\"} "
			    "%s\n", pmetric[k].name, cfg->printer[p].name, v);
		}
	}
	free(pi);
}
