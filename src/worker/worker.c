/*
 * The printer worker: one process, one printer at a time.
 *
 * The daemon's supervisor spawns `fastops-queued --worker -f FILE` with
 * its end of a socketpair on fd WORKER_FD, tells it which printer to drive
 * (C_BIND) and with which settings (C_SETTINGS), and may park it (bind -1)
 * or stop it.  The worker claims jobs for its printer straight from the
 * shm queue (urgent first; a sleeping worker wakes on its station's
 * futex), renders them, sends them, confirms with the printer's status
 * and completes or fails them in shm, reporting each step on the socket so
 * the daemon can journal and publish it.
 *
 * The circuit breaker lives in the shm printer table: this worker opens it
 * after `failures` consecutive failures (or one failure while half-open)
 * and closes it after `close_after` successes while half-open; the
 * supervisor moves it from open to half-open once `open_for` has passed.
 * A half-open printer with no job to try is probed with a status query.
 *
 * Nothing here blocks without a bound: every printer I/O has the print
 * timeout, and the supervisor kills a worker that stays on one attempt
 * past worker_timeout.
 */
#include <sys/prctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "render.h"
#include "shmq.h"
#include "wproto.h"
#include "xmalloc.h"
#include "xport.h"

#define PROBE_EVERY_MS	1000	/* half-open printer without work */
#define IDLE_WAIT_NS	(5 * NS_PER_S)

struct claimed {
	struct shmq_job	 job;
	struct shmq_ref	 ref;
	uint8_t		*payload;
};

struct worker {
	struct config	*cfg;
	struct shmq	*q;
	struct xport	*xp;
	int		 fd;		/* to the daemon */
	int		 printer;	/* -1: parked */
	int		 stop;
	struct wctl	 set;		/* settings in force */
	int		 half_open_ok;	/* successes while half-open */
	uint64_t	 last_probe_ns;
	uint8_t		*buf;		/* claim buffer per slot of batch */
	size_t		 bufsz;
	struct claimed	 batch[WORKER_BATCH_MAX];
	int		 nbatch;
	struct rbuf	 out;
};

static volatile sig_atomic_t got_term;

static void
on_term(int sig)
{
	got_term = 1;
}

static void
report(struct worker *w, const struct wmsg *m)
{
	if (send(w->fd, m, sizeof(*m), MSG_NOSIGNAL) == -1) {
		/* the daemon is gone: nobody would journal what we do */
		log_warn("worker: report");
		_exit(1);
	}
}

static void
report_job(struct worker *w, int type, const struct claimed *c,
    uint32_t elapsed_ms, int give_up, int maybe, const char *err)
{
	struct wmsg	m;

	memset(&m, 0, sizeof(m));
	m.type = (uint8_t)type;
	m.printer = w->printer;
	m.slot = c->ref.slot;
	m.job_id = c->job.job_id;
	m.attempts = c->job.attempts;
	m.elapsed_ms = elapsed_ms;
	m.age_ms = (uint32_t)((clock_mono_ns() - c->job.enqueued_ns) /
	    NS_PER_MS);
	m.batch = (uint32_t)w->nbatch;
	m.give_up = (uint8_t)give_up;
	m.maybe_printed = (uint8_t)maybe;
	if (err != NULL)
		snprintf(m.error, sizeof(m.error), "%s", err);
	report(w, &m);
}

/* Read every control message waiting; block up to wait_ms for the first. */
static void
control(struct worker *w, int wait_ms)
{
	struct pollfd	pfd = { w->fd, POLLIN, 0 };
	struct wctl	c;
	ssize_t		n;

	for (;;) {
		if (poll(&pfd, 1, wait_ms) == -1 && errno != EINTR)
			fatal("worker: poll");
		wait_ms = 0;
		if (got_term)
			w->stop = 1;
		if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			return;
		n = recv(w->fd, &c, sizeof(c), MSG_DONTWAIT);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
			/* the daemon is gone: its jobs come back on restart */
			xport_close(w->xp);
			_exit(0);
		}
		if (n != (ssize_t)sizeof(c))
			return;
		switch (c.type) {
		case C_BIND:
			if (c.printer != w->printer) {
				xport_close(w->xp);
				w->xp = NULL;
				w->half_open_ok = 0;
			}
			w->printer = c.printer >= 0 &&
			    c.printer < w->cfg->nprinters ? c.printer : -1;
			break;
		case C_SETTINGS:
			w->set = c;
			if (w->set.batch < 1)
				w->set.batch = 1;
			if (w->set.batch > WORKER_BATCH_MAX)
				w->set.batch = WORKER_BATCH_MAX;
			break;
		case C_STOP:
			w->stop = 1;
			break;
		}
	}
}

static int
ensure_open(struct worker *w, char *err, size_t errlen)
{
	if (w->xp != NULL)
		return 0;
	return xport_open(&w->cfg->printer[w->printer],
	    w->set.print_timeout_ms, &w->xp, err, errlen);
}

static void
drop_connection(struct worker *w)
{
	xport_close(w->xp);
	w->xp = NULL;
}

/* Circuit breaker bookkeeping after an attempt or a probe. */
static void
breaker(struct worker *w, int ok)
{
	struct shmq_printer_info	pi;
	uint32_t			p = (uint32_t)w->printer;

	if (shmq_read_printer(w->q, p, &pi) == -1)
		return;
	if (ok) {
		if (pi.circuit == SHMQ_CIRCUIT_HALF_OPEN &&
		    ++w->half_open_ok >= w->set.breaker_close_after) {
			(void)shmq_printer_set_circuit(w->q, p,
			    SHMQ_CIRCUIT_CLOSED);
			(void)shmq_printer_set_error(w->q, p, "");
			w->half_open_ok = 0;
		}
		return;
	}
	w->half_open_ok = 0;
	if (pi.circuit == SHMQ_CIRCUIT_HALF_OPEN ||
	    (pi.circuit == SHMQ_CIRCUIT_CLOSED &&
	    pi.consecutive_failures >= (uint32_t)w->set.breaker_failures))
		(void)shmq_printer_set_circuit(w->q, p, SHMQ_CIRCUIT_OPEN);
}

/*
 * Print the claimed batch in one transmission.  Returns 0 when every
 * ticket is confirmed, else -1 with err set and *maybe telling whether
 * paper may have come out (bytes reached the printer).
 */
static int
transmit(struct worker *w, char *err, size_t errlen, int *maybe)
{
	const struct config_printer	*cp = &w->cfg->printer[w->printer];
	struct render_opts		 ro;
	struct prn_status		 st;
	const char			*why;
	uint32_t			 pid = 0;
	int				 i, fresh, tmo = w->set.print_timeout_ms;

	*maybe = 0;
	rbuf_reset(&w->out);
	for (i = 0; i < w->nbatch; i++) {
		const struct shmq_job *j = &w->batch[i].job;

		memset(&ro, 0, sizeof(ro));
		ro.width = cp->width;
		ro.codepage = cp->codepage;
		ro.buzzer = cp->buzzer;
		ro.urgent = j->prio == SHMQ_URGENT;
		ro.flags = j->flags;
		ro.attempt = j->attempts;
		if (cp->confirm == CONFIG_CONFIRM_GS_H && i == w->nbatch - 1)
			ro.process_id = pid = j->job_id % 10000 != 0 ?
			    (uint32_t)(j->job_id % 10000) : 10000;
		if (render_ticket(j->payload, j->payload_len, &ro, &w->out,
		    err, errlen) == -1)
			return -1;
	}
	fresh = w->xp == NULL;
	if (ensure_open(w, err, errlen) == -1)
		return -1;
	if (cp->confirm != CONFIG_CONFIRM_NONE) {
		xport_drain_input(w->xp);
		/*
		 * A kept connection may have died with nothing to tell us
		 * (the printer was switched off and on between tickets):
		 * that is no failure of this ticket, so reconnect once.
		 */
		if (xport_status(w->xp, &st, tmo, err, errlen) == -1 &&
		    (fresh || (drop_connection(w), ensure_open(w, err,
		    errlen) == -1) || xport_status(w->xp, &st, tmo, err,
		    errlen) == -1))
			goto broken;
		if ((why = prn_status_problem(&st)) != NULL) {
			snprintf(err, errlen, "%s", why);
			return -1;
		}
	}
	*maybe = 1;
	if (xport_write(w->xp, w->out.p, w->out.len, tmo, err, errlen) == -1)
		goto broken;
	switch (cp->confirm) {
	case CONFIG_CONFIRM_STATUS:
		if (xport_status(w->xp, &st, tmo, err, errlen) == -1)
			goto broken;
		if ((why = prn_status_problem(&st)) != NULL) {
			snprintf(err, errlen, "%s", why);
			return -1;
		}
		break;
	case CONFIG_CONFIRM_GS_H:
		/* the printer answers when the last ticket is on paper */
		if (xport_wait_process_id(w->xp, pid, tmo * w->nbatch, err,
		    errlen) == -1)
			goto broken;
		break;
	}
	return 0;
broken:
	drop_connection(w);
	return -1;
}

static void
print_batch(struct worker *w)
{
	char		 err[SHMQ_ERR_MAX] = "";
	uint64_t	 t0 = clock_mono_ns();
	uint32_t	 ms;
	int		 i, ok, maybe, give_up;

	ok = transmit(w, err, sizeof(err), &maybe) == 0;
	ms = (uint32_t)((clock_mono_ns() - t0) / NS_PER_MS);
	for (i = 0; i < w->nbatch; i++) {
		struct claimed *c = &w->batch[i];

		if (ok) {
			if (shmq_complete(w->q, &c->ref) == -1)
				log_warn("worker: complete job %llu",
				    (unsigned long long)c->job.job_id);
			report_job(w, W_PRINTED, c, ms, 0, 0, NULL);
			continue;
		}
		if (maybe)
			(void)shmq_set_flags(w->q, &c->ref,
			    SHMQ_F_MAYBE_PRINTED, 0);
		give_up = c->job.attempts >= (uint32_t)w->set.max_attempts;
		if (shmq_fail(w->q, &c->ref, give_up, err) == -1)
			log_warn("worker: fail job %llu",
			    (unsigned long long)c->job.job_id);
		report_job(w, W_FAILED, c, ms, give_up, maybe, err);
	}
	if (!ok)
		log_info("worker: %s: %s", w->cfg->printer[w->printer].name,
		    err);
	breaker(w, ok);
	w->nbatch = 0;
	/* give the printer (and its sibling) a moment before trying again */
	if (!ok && w->set.retry_delay_ms > 0)
		control(w, w->set.retry_delay_ms);
}

/* Half-open and nothing to print: ask the printer how it is. */
static void
probe(struct worker *w)
{
	struct prn_status	st;
	struct wmsg		m;
	char			err[SHMQ_ERR_MAX] = "";
	const char		*why;
	int			ok;

	w->last_probe_ns = clock_mono_ns();
	ok = ensure_open(w, err, sizeof(err)) == 0 &&
	    xport_status(w->xp, &st, w->set.print_timeout_ms, err,
	    sizeof(err)) == 0;
	if (ok && (why = prn_status_problem(&st)) != NULL) {
		snprintf(err, sizeof(err), "%s", why);
		ok = 0;
	}
	if (!ok) {
		drop_connection(w);
		(void)shmq_printer_set_error(w->q, (uint32_t)w->printer, err);
	}
	breaker(w, ok);
	memset(&m, 0, sizeof(m));
	m.type = W_PROBE;
	m.printer = w->printer;
	m.ok = (uint8_t)ok;
	snprintf(m.error, sizeof(m.error), "%s", err);
	report(w, &m);
}

/* Claim up to the batch size: wait for the first, take what is there. */
static int
claim(struct worker *w, uint64_t wait_ns)
{
	struct claimed	*c;
	size_t		 pmax = shmq_payload_max(w->q);

	w->nbatch = 0;
	while (w->nbatch < w->set.batch) {
		c = &w->batch[w->nbatch];
		c->payload = w->buf + (size_t)w->nbatch * pmax;
		if (w->nbatch == 0) {
			if (shmq_claim_wait(w->q, (uint32_t)w->printer, &c->job,
			    c->payload, pmax, &c->ref, wait_ns) == -1)
				return -1;
		} else if (shmq_claim(w->q, (uint32_t)w->printer, &c->job,
		    c->payload, pmax, &c->ref) == -1)
			break;
		w->nbatch++;
		report_job(w, W_CLAIMED, c, 0, 0, 0, NULL);
	}
	return 0;
}

static void
run(struct worker *w)
{
	struct shmq_printer_info	pi;
	uint64_t			now;

	for (;;) {
		control(w, 0);
		if (w->stop)
			return;
		if (w->printer < 0) {
			drop_connection(w);
			control(w, -1);
			continue;
		}
		if (shmq_read_printer(w->q, (uint32_t)w->printer, &pi) == -1) {
			control(w, 100);
			continue;
		}
		if (pi.paused || pi.circuit == SHMQ_CIRCUIT_OPEN) {
			/* nothing to do until resumed or half-open */
			drop_connection(w);
			control(w, 200);
			continue;
		}
		if (claim(w, pi.circuit == SHMQ_CIRCUIT_HALF_OPEN ?
		    PROBE_EVERY_MS * NS_PER_MS : IDLE_WAIT_NS) == 0) {
			print_batch(w);
			continue;
		}
		switch (errno) {
		case ETIMEDOUT:
			now = clock_mono_ns();
			if (pi.circuit == SHMQ_CIRCUIT_HALF_OPEN &&
			    now - w->last_probe_ns >= PROBE_EVERY_MS *
			    NS_PER_MS)
				probe(w);
			break;
		case EINTR:
		case EAGAIN:
			break;
		case EPERM:
			control(w, 100);
			break;
		default:
			log_warn("worker: claim");
			control(w, 1000);
			break;
		}
	}
}

int
worker_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "worker", no_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 }
	};
	struct worker		 w;
	struct sigaction	 sa;
	struct wmsg		 hello;
	char			*errors = NULL;
	const char		*path = NULL;
	pid_t			 parent = 0;
	int			 ch;

	log_init("fastops-worker", 1);
	while ((ch = getopt_long(argc, argv, "f:P:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'W':
			break;
		case 'f':
			path = optarg;
			break;
		case 'P':
			parent = (pid_t)strtol(optarg, NULL, 10);
			break;
		case 'v':
			log_setverbose(2);
			break;
		default:
			return 2;
		}
	}
	if (path == NULL)
		fatalx("worker: no configuration given");
	/* the daemon's death is ours: its jobs are rebuilt on restart */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		log_warn("worker: prctl");
	if (parent != 0 && getppid() != parent)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	memset(&w, 0, sizeof(w));
	w.fd = WORKER_FD;
	w.printer = -1;
	w.set.print_timeout_ms = 5000;
	w.set.max_attempts = 3;
	w.set.batch = 1;
	w.set.breaker_failures = 5;
	w.set.breaker_close_after = 3;
	if (config_load(path, CONFIG_DAEMON, &w.cfg, &errors) == -1)
		fatalx("worker: %s: %s", path, errors ? errors : "bad file");
	if (shmq_attach(w.cfg->daemon.instance, 0, &w.q) == -1)
		fatalx("worker: %s", shmq_strerror());
	w.buf = xcalloc(WORKER_BATCH_MAX, shmq_payload_max(w.q));
	rbuf_init(&w.out);

	memset(&hello, 0, sizeof(hello));
	hello.type = W_HELLO;
	hello.printer = -1;
	hello.job_id = (uint64_t)getpid();
	report(&w, &hello);
	run(&w);

	drop_connection(&w);
	rbuf_free(&w.out);
	free(w.buf);
	shmq_detach(w.q);
	config_free(w.cfg);
	return 0;
}
