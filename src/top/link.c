/*
 * The link to fastops-queued: one thread that owns every blocking call.
 *
 * fo_request() waits for its reply, and a daemon that is stopped or
 * stuck answers nothing until the timeout: done on the screen's thread
 * that would freeze the keys exactly when the admin needs them.  So this
 * thread asks for the dashboard every interval, and sooner when an event
 * says something changed (events are coalesced: at most one request per
 * gap), runs the admin's commands in order, and hands results over under
 * a mutex, waking the screen through a pipe that ui_wait() polls.
 *
 * It also owns the event subscription (fo_event belongs to one thread).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "xmalloc.h"
#include "top.h"

#define LINK_QMAX		8	/* commands or results waiting */
#define LINK_DASH_TIMEOUT_MS	2000
#define LINK_CMD_TIMEOUT_MS	5000
#define LINK_STOP_WAIT_MS	300	/* how long quitting waits for us */

struct link_cmd {
	json_t		*req;
	char		 what[64];
};

struct link_result {
	char		 what[64];
	json_t		*reply;		/* NULL: no answer */
	char		 err[256];
};

struct top_link {
	struct fo_client	*c;
	pthread_t		 th;
	int			 wake[2];	/* screen -> thread */
	int			 notify[2];	/* thread -> screen */

	pthread_mutex_t		 mu;		/* guards what follows */
	int			 stop;
	int			 done;		/* the thread has ended */
	int			 interval_ms, gap_ms;
	int			 refresh_now;
	struct link_cmd		 cmd[LINK_QMAX];
	int			 ncmd;
	struct link_result	 res[LINK_QMAX];
	int			 nres;
	json_t			*dash;		/* newest reply, not taken */
	int			 answered;	/* the last request's fate */
	int			 fresh;		/* answered/err not yet taken */
	char			 err[256];
};

static const char *const link_kinds[] = {
	"job.", "printer.", "alert", "turbo", "workers", NULL
};

static void	*link_main(void *);
static void	 link_poke(int);
static void	 link_drain(int);
static uint64_t	 link_now_ms(void);
static void	 link_fetch(struct top_link *);
static void	 link_run(struct top_link *, struct link_cmd *);

static uint64_t
link_now_ms(void)
{
	return clock_mono_ns() / NS_PER_MS;
}

static void
link_poke(int fd)
{
	char	c = 1;

	(void)!write(fd, &c, 1);
}

static void
link_drain(int fd)
{
	char	buf[64];

	while (read(fd, buf, sizeof buf) > 0)
		;
}

int
link_start(struct fo_client *c, int interval_ms, struct top_link **out,
    char *err, size_t errlen)
{
	struct top_link	*l;

	l = xcalloc(1, sizeof *l);
	l->c = c;
	l->interval_ms = interval_ms;
	l->gap_ms = 250;
	l->refresh_now = 1;
	l->wake[0] = l->wake[1] = l->notify[0] = l->notify[1] = -1;
	if (pipe2(l->wake, O_NONBLOCK | O_CLOEXEC) == -1 ||
	    pipe2(l->notify, O_NONBLOCK | O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&l->mu, NULL);
	if ((errno = pthread_create(&l->th, NULL, link_main, l)) != 0) {
		snprintf(err, errlen, "pthread_create: %s", strerror(errno));
		pthread_mutex_destroy(&l->mu);
		goto fail;
	}
	*out = l;
	return 0;
fail:
	if (l->wake[0] != -1) {
		close(l->wake[0]);
		close(l->wake[1]);
	}
	if (l->notify[0] != -1) {
		close(l->notify[0]);
		close(l->notify[1]);
	}
	free(l);
	return -1;
}

/*
 * Ask the thread to end and wait a little.  If it is stuck in a request
 * to a daemon that does not answer, it is left behind (the process is
 * exiting), nothing is freed and -1 is returned: the client it uses must
 * then stay open.
 */
int
link_stop(struct top_link *l)
{
	uint64_t	 until;
	int		 done, i;

	if (l == NULL)
		return 0;
	pthread_mutex_lock(&l->mu);
	l->stop = 1;
	pthread_mutex_unlock(&l->mu);
	link_poke(l->wake[1]);
	until = link_now_ms() + LINK_STOP_WAIT_MS;
	for (;;) {
		pthread_mutex_lock(&l->mu);
		done = l->done;
		pthread_mutex_unlock(&l->mu);
		if (done || link_now_ms() >= until)
			break;
		poll(NULL, 0, 10);
	}
	if (!done) {
		pthread_detach(l->th);
		return -1;
	}
	pthread_join(l->th, NULL);
	for (i = 0; i < l->ncmd; i++)
		json_decref(l->cmd[i].req);
	for (i = 0; i < l->nres; i++)
		json_decref(l->res[i].reply);
	json_decref(l->dash);
	close(l->wake[0]);
	close(l->wake[1]);
	close(l->notify[0]);
	close(l->notify[1]);
	pthread_mutex_destroy(&l->mu);
	free(l);
	return 0;
}

int
link_fd(const struct top_link *l)
{
	return l->notify[0];
}

/* How often to ask (interval), and how soon after an event (gap). */
void
link_pace(struct top_link *l, int interval_ms, int gap_ms)
{
	pthread_mutex_lock(&l->mu);
	l->interval_ms = interval_ms;
	l->gap_ms = gap_ms;
	pthread_mutex_unlock(&l->mu);
}

void
link_refresh(struct top_link *l)
{
	pthread_mutex_lock(&l->mu);
	l->refresh_now = 1;
	pthread_mutex_unlock(&l->mu);
	link_poke(l->wake[1]);
}

/* Queue a request (taken over: freed here on every path); -1 if full. */
int
link_command(struct top_link *l, json_t *req, const char *what)
{
	int	rv = -1;

	pthread_mutex_lock(&l->mu);
	if (l->ncmd < LINK_QMAX) {
		l->cmd[l->ncmd].req = req;
		snprintf(l->cmd[l->ncmd].what, sizeof l->cmd[0].what, "%s",
		    what);
		l->ncmd++;
		req = NULL;
		rv = 0;
	}
	pthread_mutex_unlock(&l->mu);
	json_decref(req);
	if (rv == 0)
		link_poke(l->wake[1]);
	return rv;
}

/*
 * The newest dashboard reply (the caller json_decrefs it), or NULL when
 * none came since the last call.  *answered and err say how the last
 * request fared; they are only written when there is news (returns NULL
 * and leaves them when nothing happened).  Drains the notify pipe.
 */
json_t *
link_take_dashboard(struct top_link *l, int *answered, char *err,
    size_t errlen)
{
	json_t	*d;

	link_drain(l->notify[0]);
	pthread_mutex_lock(&l->mu);
	d = l->dash;
	l->dash = NULL;
	if (l->fresh) {
		*answered = l->answered;
		snprintf(err, errlen, "%s", l->err);
		l->fresh = 0;
	}
	pthread_mutex_unlock(&l->mu);
	return d;
}

/* The oldest command result: 1 and *reply (NULL if no answer; the caller
 * json_decrefs it), or 0 when there is none. */
int
link_take_result(struct top_link *l, char *what, size_t whatlen,
    json_t **reply, char *err, size_t errlen)
{
	int	got = 0;

	pthread_mutex_lock(&l->mu);
	if (l->nres > 0) {
		snprintf(what, whatlen, "%s", l->res[0].what);
		snprintf(err, errlen, "%s", l->res[0].err);
		*reply = l->res[0].reply;
		memmove(&l->res[0], &l->res[1],
		    (size_t)(l->nres - 1) * sizeof l->res[0]);
		l->nres--;
		got = 1;
	}
	pthread_mutex_unlock(&l->mu);
	return got;
}

/* One dashboard request; the reply replaces any not yet taken. */
static void
link_fetch(struct top_link *l)
{
	json_t	*req, *reply = NULL;
	char	 err[256] = "";
	int	 rc;

	req = json_pack("{s:s}", "op", "dashboard");
	rc = fo_request(l->c, req, &reply, LINK_DASH_TIMEOUT_MS, err,
	    sizeof err);
	json_decref(req);
	pthread_mutex_lock(&l->mu);
	if (rc == 0 && fo_reply_ok(reply)) {
		json_decref(l->dash);
		l->dash = reply;
		l->answered = 1;
		l->err[0] = '\0';
	} else {
		if (rc == 0) {
			/* it answered, but refused: say why */
			snprintf(l->err, sizeof l->err, "%s: %s",
			    fo_reply_code(reply), fo_reply_message(reply));
			l->answered = 1;
			json_decref(reply);
		} else {
			snprintf(l->err, sizeof l->err, "%s", err);
			l->answered = 0;
		}
	}
	l->fresh = 1;
	pthread_mutex_unlock(&l->mu);
	link_poke(l->notify[1]);
}

/* Run one admin command and queue its result. */
static void
link_run(struct top_link *l, struct link_cmd *cmd)
{
	struct link_result	 r;
	int			 rc;

	memset(&r, 0, sizeof r);
	snprintf(r.what, sizeof r.what, "%s", cmd->what);
	rc = fo_request(l->c, cmd->req, &r.reply, LINK_CMD_TIMEOUT_MS, r.err,
	    sizeof r.err);
	json_decref(cmd->req);
	if (rc == -1)
		r.reply = NULL;
	pthread_mutex_lock(&l->mu);
	if (l->nres == LINK_QMAX) {
		json_decref(l->res[0].reply);
		memmove(&l->res[0], &l->res[1],
		    (LINK_QMAX - 1) * sizeof l->res[0]);
		l->nres--;
	}
	l->res[l->nres++] = r;
	l->refresh_now = 1;
	pthread_mutex_unlock(&l->mu);
	link_poke(l->notify[1]);
}

static void *
link_main(void *arg)
{
	struct top_link	*l = arg;
	struct link_cmd	 cmd;
	struct pollfd	 pfd[2];
	uint64_t	 last = 0, now, due;
	nfds_t		 n;
	json_t		*events;
	char		*kind;
	int		 i, efd = -1, evpending = 0, timeout, fetch;

	for (i = 0; link_kinds[i] != NULL; i++)
		if (fo_subscribe(l->c, link_kinds[i]) == -1)
			break;
	efd = fo_event_fd(l->c);

	for (;;) {
		pthread_mutex_lock(&l->mu);
		if (l->stop) {
			pthread_mutex_unlock(&l->mu);
			break;
		}
		if (l->ncmd > 0) {
			cmd = l->cmd[0];
			memmove(&l->cmd[0], &l->cmd[1],
			    (size_t)(l->ncmd - 1) * sizeof l->cmd[0]);
			l->ncmd--;
			pthread_mutex_unlock(&l->mu);
			link_run(l, &cmd);
			continue;
		}
		now = link_now_ms();
		due = last + (uint64_t)l->interval_ms;
		if (evpending && last + (uint64_t)l->gap_ms < due)
			due = last + (uint64_t)l->gap_ms;
		fetch = l->refresh_now || last == 0 || now >= due;
		if (fetch)
			l->refresh_now = 0;
		pthread_mutex_unlock(&l->mu);

		if (fetch) {
			evpending = 0;
			link_fetch(l);
			last = link_now_ms();
			continue;
		}
		timeout = (int)(due - now);
		n = 0;
		pfd[n].fd = l->wake[0];
		pfd[n++].events = POLLIN;
		if (efd != -1) {
			pfd[n].fd = efd;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, n, timeout) <= 0)
			continue;
		if (pfd[0].revents & POLLIN)
			link_drain(l->wake[0]);
		if (n > 1 && (pfd[1].revents & POLLIN)) {
			/* what changed does not matter: the dashboard says */
			for (i = 0; i < 256; i++) {
				if (fo_event(l->c, &kind, &events, 0) == -1) {
					if (errno == EBADMSG)
						continue;
					break;
				}
				free(kind);
				json_decref(events);
				evpending = 1;
			}
		}
	}
	pthread_mutex_lock(&l->mu);
	l->done = 1;
	pthread_mutex_unlock(&l->mu);
	return NULL;
}
