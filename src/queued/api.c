/*
 * api — requests over nng REQ/REP.
 *
 * One REP socket, API_CONTEXTS contexts, each an aio state machine: RECV
 * (wait for a request) -> the request runs in the callback (parsing,
 * checks, appending to the journal: nothing that waits) -> SEND, either at
 * once (reads whose data is already durable, refusals) or from the commit
 * thread once the journal has synced what the reply reports -> RECV.  So at
 * most API_CONTEXTS requests are in flight; REQ clients beyond that wait in
 * nng's queues, not in ours.
 *
 * Who asks.  A token names a user and a tenant.  Without a token, a local
 * peer (ipc) whose uid is the daemon's own or listed in admin_uids is an
 * admin — as with tmux, the owner of the server owns it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>

#include "clock.h"
#include "daemon.h"
#include "log.h"
#include "xmalloc.h"

enum ctx_state { CTX_RECV, CTX_SEND };

struct api_ctx {
	struct daemon	*d;
	nng_ctx		 ctx;
	nng_aio		*aio;
	enum ctx_state	 state;
};

static struct api_ctx	*ctxs[API_CONTEXTS];
static int		 nctxs;
static nng_listener	 ipc_listener;
static char		 ipc_url[PATH_MAX + 16];

static void	 api_cb(void *);
static void	 handle(struct api_ctx *, nng_msg *, uint64_t);
static int	 peer_trusted(struct daemon *, nng_msg *);
static int	 listen_ipc(struct daemon *);

void
api_reply(struct api_ctx *c, json_t *reply, uint64_t start_ns)
{
	struct jbuf	b = JBUF_INITIALIZER;

	if (jbuf_dump(&b, reply) == -1)
		fatalx("%s: a reply that is not JSON", __func__);
	api_reply_text(c, b.s, b.len, json_is_true(json_object_get(reply,
	    "ok")), start_ns);
	json_decref(reply);
	jbuf_fini(&b);
}

void
api_reply_text(struct api_ctx *c, const char *text, size_t len, int ok,
    uint64_t start_ns)
{
	struct daemon	*d = c->d;
	nng_msg		*msg;

	if (nng_msg_alloc(&msg, len) != 0)
		fatalx("%s: out of memory", __func__);
	memcpy(nng_msg_body(msg), text, len);
	pthread_mutex_lock(&d->stats_lock);
	hist_record(&d->ack_hist, clock_mono_ns() - start_ns);
	d->requests++;
	if (!ok)
		d->request_errors++;
	pthread_mutex_unlock(&d->stats_lock);
	nng_aio_set_msg(c->aio, msg);
	c->state = CTX_SEND;
	nng_ctx_send(c->ctx, c->aio);
}

static int
peer_trusted(struct daemon *d, nng_msg *msg)
{
	nng_pipe	p = nng_msg_get_pipe(msg);
	uint64_t	uid;
	int		i;

	/* a uint64 option in nng 1.5; fails on tcp: a remote terminal */
	if (nng_pipe_get_uint64(p, NNG_OPT_IPC_PEER_UID, &uid) != 0)
		return 0;
	if ((uid_t)uid == geteuid())
		return 1;
	for (i = 0; i < d->cfg->daemon.admin_uids.n; i++)
		if (d->cfg->daemon.admin_uids.v[i] == (uid_t)uid)
			return 1;
	return 0;
}

static void
handle(struct api_ctx *c, nng_msg *msg, uint64_t start_ns)
{
	struct daemon		*d = c->d;
	struct auth_session	 s;
	json_error_t		 err;
	json_t			*req = NULL, *reply, *op, *tok;
	size_t			 len = nng_msg_len(msg);

	memset(&s, 0, sizeof(s));
	if (len > FO_REQUEST_MAX) {
		reply = ops_error(FO_E2BIG, "request of %zu bytes; the limit "
		    "is %d", len, FO_REQUEST_MAX);
		goto out;
	}
	req = json_loadb(nng_msg_body(msg), len, JSON_REJECT_DUPLICATES, &err);
	if (req == NULL) {
		reply = ops_error(FO_EINVAL, "bad JSON at byte %d: %s",
		    err.position, err.text);
		goto out;
	}
	if (!json_is_object(req)) {
		reply = ops_error(FO_EINVAL, "a request is a JSON object");
		goto out;
	}
	op = json_object_get(req, "op");
	if (!json_is_string(op)) {
		reply = ops_error(FO_EINVAL, "\"op\" must be a string");
		goto out;
	}
	tok = json_object_get(req, "token");
	if (tok != NULL && !json_is_string(tok)) {
		reply = ops_error(FO_EINVAL, "\"token\" must be a string");
		goto out;
	}
	if (tok != NULL) {
		/* a stale token still lets one log in again, or check health */
		if (auth_token_check(d->auth, json_string_value(tok), &s)
		    == -1) {
			s.role = -1;
			s.bad_token = 1;
		}
	} else if (peer_trusted(d, msg)) {
		/* '@' cannot appear in a user name: no clash with staff */
		snprintf(s.user, sizeof(s.user), "@local");
		s.role = AUTH_ADMIN;
		s.local = 1;
	} else
		s.role = -1;	/* anonymous: only "login" */
	reply = ops_dispatch(d, c, req, &s, start_ns);
out:
	nng_msg_free(msg);
	json_decref(req);
	if (reply != NULL)
		api_reply(c, reply, start_ns);
}

static void
api_cb(void *arg)
{
	struct api_ctx	*c = arg;
	int		 rv;

	switch (c->state) {
	case CTX_RECV:
		if ((rv = nng_aio_result(c->aio)) != 0) {
			if (rv == NNG_ECLOSED || rv == NNG_ECANCELED)
				return;
			nng_ctx_recv(c->ctx, c->aio);
			return;
		}
		handle(c, nng_aio_get_msg(c->aio), clock_mono_ns());
		break;
	case CTX_SEND:
		if ((rv = nng_aio_result(c->aio)) != 0) {
			nng_msg_free(nng_aio_get_msg(c->aio));
			if (rv == NNG_ECLOSED || rv == NNG_ECANCELED)
				return;
		}
		c->state = CTX_RECV;
		nng_ctx_recv(c->ctx, c->aio);
		break;
	}
}

static int
listen_ipc(struct daemon *d)
{
	int	rv;

	/* rw for the daemon's group: terminals run as members of it */
	if ((rv = nng_listener_create(&ipc_listener, d->rep, ipc_url)) != 0 ||
	    (rv = nng_listener_set_int(ipc_listener, NNG_OPT_IPC_PERMISSIONS,
	    0660)) != 0 || (rv = nng_listener_start(ipc_listener, 0)) != 0) {
		log_warnx("listen %s: %s", ipc_url, nng_strerror(rv));
		return -1;
	}
	return 0;
}

/*
 * nng 1.5.2 (Debian 12's) stops accepting ipc connections for good when a
 * peer hangs up in the middle of the connection handshake (nng #1518,
 * fixed in 1.6).  Connections already made keep working, so only a fresh
 * connection can tell.  Called from the main loop: connect anew, ask for
 * health; if nothing answers, the listener is recreated.
 */
void
api_selfcheck(struct daemon *d)
{
	static const char	 req[] = "{\"op\":\"health\"}";
	nng_socket		 s;
	char			*buf;
	size_t			 len;
	int			 rv;

	if (nng_req0_open(&s) != 0)
		return;
	nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, API_SELFCHECK_MS);
	nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, API_SELFCHECK_MS);
	if ((rv = nng_dial(s, ipc_url, NULL, 0)) == 0 &&
	    (rv = nng_send(s, (void *)(uintptr_t)req, sizeof(req) - 1, 0)) ==
	    0 && (rv = nng_recv(s, &buf, &len, NNG_FLAG_ALLOC)) == 0) {
		nng_free(buf, len);
		nng_close(s);
		return;
	}
	nng_close(s);
	if (d->stopping)
		return;
	log_warnx("%s did not answer a new connection (%s): restarting its "
	    "listener", ipc_url, nng_strerror(rv));
	nng_listener_close(ipc_listener);
	if (listen_ipc(d) == -1)
		log_warnx("%s: could not listen again; local terminals cannot "
		    "connect", ipc_url);
}

int
api_start(struct daemon *d)
{
	char		url[PATH_MAX + 16];
	int		rv, i;

	if ((rv = nng_rep0_open(&d->rep)) != 0) {
		log_warnx("nng_rep0_open: %s", nng_strerror(rv));
		return -1;
	}
	nng_socket_set_size(d->rep, NNG_OPT_RECVMAXSZ, FO_TRANSPORT_MAX);
	snprintf(url, sizeof(url), "ipc://%s/%s", d->cfg->daemon.runtime_dir,
	    FO_CONTROL_SOCKET);
	/* rw for the daemon's group: terminals run as members of it */
	snprintf(ipc_url, sizeof(ipc_url), "%s", url);
	if (listen_ipc(d) == -1)
		return -1;
	if (d->cfg->daemon.listen[0] != '\0' && (rv = nng_listen(d->rep,
	    d->cfg->daemon.listen, NULL, 0)) != 0) {
		log_warnx("listen %s: %s", d->cfg->daemon.listen,
		    nng_strerror(rv));
		return -1;
	}
	for (i = 0; i < API_CONTEXTS; i++) {
		struct api_ctx *c = xcalloc(1, sizeof(*c));

		c->d = d;
		if ((rv = nng_aio_alloc(&c->aio, api_cb, c)) != 0 ||
		    (rv = nng_ctx_open(&c->ctx, d->rep)) != 0) {
			log_warnx("nng context: %s", nng_strerror(rv));
			free(c);
			return -1;
		}
		c->state = CTX_RECV;
		ctxs[nctxs++] = c;
		nng_ctx_recv(c->ctx, c->aio);
	}
	log_info("listening on %s", url);
	return 0;
}

/* Stop taking requests: close the socket, wait for the callbacks. */
void
api_stop(struct daemon *d)
{
	int	i;

	for (i = 0; i < nctxs; i++)
		nng_aio_stop(ctxs[i]->aio);
	nng_close(d->rep);
	for (i = 0; i < nctxs; i++) {
		nng_aio_free(ctxs[i]->aio);
		free(ctxs[i]);
	}
	nctxs = 0;
}
