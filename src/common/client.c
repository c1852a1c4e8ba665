/*
 * client — libfastops: requests and events to and from fastops-queued.
 * See include/fastops/client.h.
 *
 * Why contexts.  A REQ socket used directly allows one request in flight:
 * a second send cancels the first.  Opening an nng context per request
 * lets a front-end ask from several threads (the POS refreshing its list
 * while the waiter sends an order) without a lock of our own, and a
 * request that timed out is cancelled alone.
 *
 * Why dial in the background.  The front-ends run all day and must come
 * back by themselves when the daemon restarts, and a front-end started
 * before the daemon should simply wait.  nng's dialer does both when told
 * not to block; the client counts live pipes to tell "nobody is there"
 * from "the daemon is slow" when a request times out.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>
#include <nng/protocol/reqrep0/req.h>

#include "config.h"
#include "fastops/client.h"

#define FO_RECONN_MIN_MS	20
#define FO_RECONN_MAX_MS	1000
#define FO_REPLY_MAX		(16 * 1024 * 1024)	/* o.list of 100 */
#define FO_URL_MAX		(PATH_MAX + 32)

struct fo_client {
	nng_socket	 req;
	nng_dialer	 req_dialer;
	int		 req_open;
	nng_socket	 sub;
	int		 sub_open;
	int		 sub_timeo;	/* RECVTIMEO last set, ms */

	char		 url[FO_URL_MAX];
	char		 events_url[FO_URL_MAX];
	char		 runtime_dir[PATH_MAX];
	char		 http[256];
	char		 company[CONFIG_NAME_MAX + 1];
	char		 branch[CONFIG_NAME_MAX + 1];
	char		 prefix[2 * CONFIG_NAME_MAX + 16];	/* topics */
	char		*token;

	atomic_int	 npipes;	/* live connections of req */
	char		 errbuf[512];
};

static int	 client_new(const char *, const char *, struct fo_client **,
		    char *, size_t);
static void	 pipe_cb(nng_pipe, nng_pipe_ev, void *);
static void	 unreachable(struct fo_client *, int, int, int, char *,
		    size_t);
static int	 fail(struct fo_client *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	 nng_errno(int);
static nng_duration remaining(int, const struct timespec *);
static int	 random_bytes(unsigned char *, size_t);

/* Remember why a call without an err argument failed; -1 with errno. */
static int
fail(struct fo_client *c, int errnum, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(c->errbuf, sizeof(c->errbuf), fmt, ap);
	va_end(ap);
	errno = errnum;
	return -1;
}

/* nng error numbers to the nearest errno, for callers that test errno. */
static int
nng_errno(int rv)
{
	switch (rv) {
	case NNG_ETIMEDOUT:	return ETIMEDOUT;
	case NNG_EAGAIN:	return EAGAIN;
	case NNG_ENOMEM:	return ENOMEM;
	case NNG_ECLOSED:	return EBADF;
	case NNG_EADDRINVAL:	return EINVAL;
	case NNG_ECONNREFUSED:	return ECONNREFUSED;
	case NNG_EMSGSIZE:	return EMSGSIZE;
	default:		return EIO;
	}
}

static void
pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct fo_client	*c = arg;

	if (ev == NNG_PIPE_EV_ADD_POST)
		atomic_fetch_add(&c->npipes, 1);
	else if (ev == NNG_PIPE_EV_REM_POST)
		atomic_fetch_sub(&c->npipes, 1);
}

/* Open the REQ socket and start dialling url in the background. */
static int
client_new(const char *url, const char *events_url, struct fo_client **out,
    char *err, size_t errlen)
{
	struct fo_client	*c;
	int			 rv;

	*out = NULL;
	if (strlen(url) >= FO_URL_MAX || (events_url != NULL &&
	    strlen(events_url) >= FO_URL_MAX)) {
		snprintf(err, errlen, "address too long: %.64s...", url);
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	snprintf(c->url, sizeof(c->url), "%s", url);
	if (events_url != NULL)
		snprintf(c->events_url, sizeof(c->events_url), "%s",
		    events_url);
	atomic_init(&c->npipes, 0);

	if ((rv = nng_req0_open(&c->req)) != 0)
		goto fail;
	c->req_open = 1;
	if ((rv = nng_pipe_notify(c->req, NNG_PIPE_EV_ADD_POST, pipe_cb,
	    c)) != 0 || (rv = nng_pipe_notify(c->req, NNG_PIPE_EV_REM_POST,
	    pipe_cb, c)) != 0)
		goto fail;
	/* Requests go out once: see FO_RESEND_MS in client.h. */
	if ((rv = nng_socket_set_ms(c->req, NNG_OPT_REQ_RESENDTIME,
	    FO_RESEND_MS)) != 0 ||
	    (rv = nng_socket_set_ms(c->req, NNG_OPT_RECONNMINT,
	    FO_RECONN_MIN_MS)) != 0 ||
	    (rv = nng_socket_set_ms(c->req, NNG_OPT_RECONNMAXT,
	    FO_RECONN_MAX_MS)) != 0 ||
	    (rv = nng_socket_set_size(c->req, NNG_OPT_RECVMAXSZ,
	    FO_REPLY_MAX)) != 0)
		goto fail;
	if ((rv = nng_dial(c->req, c->url, &c->req_dialer,
	    NNG_FLAG_NONBLOCK)) != 0)
		goto fail;
	*out = c;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", url, nng_strerror(rv));
	errno = nng_errno(rv);
	fo_close(c);
	return -1;
}

int
fo_open(const char *config_path, struct fo_client **out, char *err,
    size_t errlen)
{
	struct config	*cfg;
	char		*errors = NULL, url[FO_URL_MAX], evurl[FO_URL_MAX];
	size_t		 n;
	int		 saved;

	*out = NULL;
	if (config_path == NULL)
		config_path = config_default_path();
	if (config_load(config_path, CONFIG_CLIENT, &cfg, &errors) == -1) {
		saved = errno;
		if (errors != NULL) {
			/* every mistake, one per line; no trailing newline */
			n = strlen(errors);
			while (n > 0 && errors[n - 1] == '\n')
				errors[--n] = '\0';
			snprintf(err, errlen, "%s", errors);
		} else
			snprintf(err, errlen, "%s: %s", config_path,
			    strerror(saved));
		free(errors);
		errno = saved;
		return -1;
	}
	snprintf(url, sizeof(url), "ipc://%s/%s", cfg->daemon.runtime_dir,
	    FO_CONTROL_SOCKET);
	snprintf(evurl, sizeof(evurl), "ipc://%s/%s", cfg->daemon.runtime_dir,
	    FO_EVENTS_SOCKET);
	if (client_new(url, evurl, out, err, errlen) == -1) {
		config_free(cfg);
		return -1;
	}
	snprintf((*out)->runtime_dir, sizeof((*out)->runtime_dir), "%s",
	    cfg->daemon.runtime_dir);
	snprintf((*out)->http, sizeof((*out)->http), "%s", cfg->daemon.http);
	fo_set_tenant(*out, cfg->daemon.company, cfg->daemon.branch);
	config_free(cfg);
	return 0;
}

int
fo_open_url(const char *url, const char *events_url, struct fo_client **out,
    char *err, size_t errlen)
{
	if (url == NULL || *url == '\0') {
		snprintf(err, errlen, "no daemon address given");
		errno = EINVAL;
		return -1;
	}
	return client_new(url, events_url, out, err, errlen);
}

void
fo_close(struct fo_client *c)
{
	if (c == NULL)
		return;
	if (c->sub_open)
		nng_close(c->sub);
	if (c->req_open)
		nng_close(c->req);
	free(c->token);
	free(c);
}

void
fo_set_token(struct fo_client *c, const char *token)
{
	free(c->token);
	c->token = token != NULL && *token != '\0' ? strdup(token) : NULL;
}

void
fo_set_tenant(struct fo_client *c, const char *company, const char *branch)
{
	snprintf(c->company, sizeof(c->company), "%s", company ? company : "");
	snprintf(c->branch, sizeof(c->branch), "%s", branch ? branch : "");
	snprintf(c->prefix, sizeof(c->prefix), "fastops.%s.%s.", c->company,
	    c->branch);
}

const char *
fo_url(const struct fo_client *c)
{
	return c->url;
}

const char *
fo_runtime_dir(const struct fo_client *c)
{
	return c->runtime_dir;
}

const char *
fo_http(const struct fo_client *c)
{
	return c->http;
}

const char *
fo_company(const struct fo_client *c)
{
	return c->company;
}

const char *
fo_branch(const struct fo_client *c)
{
	return c->branch;
}

int
fo_connected(const struct fo_client *c)
{
	return atomic_load(&c->npipes) > 0;
}

const char *
fo_strerror(const struct fo_client *c)
{
	return c->errbuf;
}

/* --- requests ------------------------------------------------------------- */

/*
 * Say why a request got no answer.  A REQ context's send completes only
 * once a connection has taken the request, so a send that timed out means
 * nobody is listening (the socket file is missing, or nothing accepted
 * the connection); a receive that timed out means a daemon that is there
 * but did not answer in time.
 */
static void
unreachable(struct fo_client *c, int rv, int sent, int timeout_ms, char *err,
    size_t errlen)
{
	struct stat	 sb;

	if (rv == NNG_ETIMEDOUT && !sent) {
		if (strncmp(c->url, "ipc://", 6) == 0 &&
		    stat(c->url + 6, &sb) == -1)
			snprintf(err, errlen, "cannot reach fastops-queued at "
			    "%s: %s (is it running?)", c->url,
			    strerror(errno));
		else
			snprintf(err, errlen, "cannot reach fastops-queued at "
			    "%s: no connection within %d ms (is it running?)",
			    c->url, timeout_ms);
	} else if (rv == NNG_ETIMEDOUT)
		snprintf(err, errlen, "cannot reach fastops-queued at %s: no "
		    "reply within %d ms", c->url, timeout_ms);
	else
		snprintf(err, errlen, "cannot reach fastops-queued at %s: %s",
		    c->url, nng_strerror(rv));
}

static nng_duration
remaining(int timeout_ms, const struct timespec *t0)
{
	struct timespec	now;
	long long	spent;

	if (timeout_ms < 0)
		return NNG_DURATION_INFINITE;
	clock_gettime(CLOCK_MONOTONIC, &now);
	spent = (now.tv_sec - t0->tv_sec) * 1000LL +
	    (now.tv_nsec - t0->tv_nsec) / 1000000L;
	return spent >= timeout_ms ? 1 : (nng_duration)(timeout_ms - spent);
}

int
fo_request(struct fo_client *c, json_t *req, json_t **reply, int timeout_ms,
    char *err, size_t errlen)
{
	struct timespec	 t0;
	json_error_t	 jerr;
	json_t		*copy = NULL, *r;
	nng_ctx		 ctx;
	nng_aio		*aio = NULL;
	nng_msg		*msg = NULL;
	char		*text = NULL;
	int		 rv, ctx_open = 0, sent = 0, ret = -1;

	*reply = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!json_is_object(req)) {
		snprintf(err, errlen, "a request is a JSON object");
		errno = EINVAL;
		return -1;
	}
	if ((copy = json_copy(req)) == NULL)
		goto nomem;
	if (c->token != NULL)
		json_object_set_new(copy, "token", json_string(c->token));
	if ((text = json_dumps(copy, JSON_COMPACT)) == NULL)
		goto nomem;
	if ((rv = nng_msg_alloc(&msg, 0)) != 0 ||
	    (rv = nng_msg_append(msg, text, strlen(text))) != 0)
		goto nngfail;
	if ((rv = nng_aio_alloc(&aio, NULL, NULL)) != 0 ||
	    (rv = nng_ctx_open(&ctx, c->req)) != 0)
		goto nngfail;
	ctx_open = 1;
	(void)nng_ctx_set_ms(ctx, NNG_OPT_REQ_RESENDTIME, FO_RESEND_MS);

	nng_aio_set_msg(aio, msg);
	nng_aio_set_timeout(aio, remaining(timeout_ms, &t0));
	nng_ctx_send(ctx, aio);
	nng_aio_wait(aio);
	if ((rv = nng_aio_result(aio)) != 0)
		goto nngfail;	/* msg still ours */
	msg = NULL;		/* the socket took it */
	sent = 1;

	nng_aio_set_timeout(aio, remaining(timeout_ms, &t0));
	nng_ctx_recv(ctx, aio);
	nng_aio_wait(aio);
	if ((rv = nng_aio_result(aio)) != 0)
		goto nngfail;
	msg = nng_aio_get_msg(aio);
	r = json_loadb(nng_msg_body(msg), nng_msg_len(msg), 0, &jerr);
	if (r == NULL || !json_is_object(r)) {
		snprintf(err, errlen, "fastops-queued at %s sent a reply that "
		    "is not a JSON object%s%s", c->url, r == NULL ? ": " : "",
		    r == NULL ? jerr.text : "");
		json_decref(r);
		errno = EBADMSG;
		goto out;
	}
	*reply = r;
	ret = 0;
	goto out;

nngfail:
	unreachable(c, rv, sent, timeout_ms, err, errlen);
	/* ENOTCONN: nobody took the request, so it certainly did nothing */
	errno = rv == NNG_ETIMEDOUT && !sent ? ENOTCONN : nng_errno(rv);
	/*
	 * nng 1.5.2's dialer can stop reconnecting when the daemon died in
	 * the middle of a handshake (the same family as nng #1518): start a
	 * fresh dialer, so a terminal recovers by itself.
	 */
	if (rv == NNG_ETIMEDOUT && !sent) {
		int saved = errno;

		nng_dialer_close(c->req_dialer);
		(void)nng_dial(c->req, c->url, &c->req_dialer,
		    NNG_FLAG_NONBLOCK);
		errno = saved;
	}
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
	errno = ENOMEM;
out:
	if (msg != NULL)
		nng_msg_free(msg);
	if (ctx_open)
		nng_ctx_close(ctx);
	if (aio != NULL)
		nng_aio_free(aio);
	free(text);
	json_decref(copy);
	return ret;
}

int
fo_reply_ok(const json_t *reply)
{
	return json_is_true(json_object_get(reply, "ok"));
}

const char *
fo_reply_code(const json_t *reply)
{
	const char	*s;

	if (fo_reply_ok(reply))
		return "";
	s = json_string_value(json_object_get(json_object_get(reply, "error"),
	    "code"));
	return s != NULL ? s : "EPROTO";
}

const char *
fo_reply_message(const json_t *reply)
{
	const char	*s;

	if (fo_reply_ok(reply))
		return "";
	s = json_string_value(json_object_get(json_object_get(reply, "error"),
	    "message"));
	return s != NULL ? s : "the daemon refused the request without a "
	    "reason";
}

const char *
fo_str(const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

json_int_t
fo_int(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* --- events --------------------------------------------------------------- */

int
fo_subscribe(struct fo_client *c, const char *kind)
{
	char	topic[sizeof(c->prefix) + 64];
	int	rv;

	if (kind == NULL)
		kind = "";
	if (c->company[0] == '\0' || c->branch[0] == '\0')
		return fail(c, EINVAL, "company and branch unknown: cannot "
		    "name event topics");
	if (c->events_url[0] == '\0')
		return fail(c, EINVAL, "no events address for %s", c->url);
	if (strlen(kind) >= 64)
		return fail(c, EINVAL, "event kind too long");
	if (!c->sub_open) {
		if ((rv = nng_sub0_open(&c->sub)) != 0)
			return fail(c, nng_errno(rv), "%s: %s", c->events_url,
			    nng_strerror(rv));
		c->sub_open = 1;
		c->sub_timeo = -2;	/* not set yet */
		(void)nng_socket_set_ms(c->sub, NNG_OPT_RECONNMINT,
		    FO_RECONN_MIN_MS);
		(void)nng_socket_set_ms(c->sub, NNG_OPT_RECONNMAXT,
		    FO_RECONN_MAX_MS);
		(void)nng_socket_set_size(c->sub, NNG_OPT_RECVMAXSZ,
		    FO_REPLY_MAX);
		if ((rv = nng_dial(c->sub, c->events_url, NULL,
		    NNG_FLAG_NONBLOCK)) != 0) {
			nng_close(c->sub);
			c->sub_open = 0;
			return fail(c, nng_errno(rv), "%s: %s", c->events_url,
			    nng_strerror(rv));
		}
	}
	snprintf(topic, sizeof(topic), "%s%s", c->prefix, kind);
	if ((rv = nng_socket_set(c->sub, NNG_OPT_SUB_SUBSCRIBE, topic,
	    strlen(topic))) != 0)
		return fail(c, nng_errno(rv), "subscribe %s: %s", topic,
		    nng_strerror(rv));
	return 0;
}

int
fo_event(struct fo_client *c, char **kind, json_t **events, int timeout_ms)
{
	json_error_t	 jerr;
	json_t		*arr;
	nng_msg		*msg;
	const char	*body, *sp, *k;
	size_t		 len, plen = strlen(c->prefix);
	int		 rv, flags = 0;

	*kind = NULL;
	*events = NULL;
	if (!c->sub_open)
		return fail(c, EINVAL, "not subscribed");
	if (timeout_ms == 0)
		flags = NNG_FLAG_NONBLOCK;
	else if (timeout_ms != c->sub_timeo) {
		(void)nng_socket_set_ms(c->sub, NNG_OPT_RECVTIMEO,
		    timeout_ms < 0 ? NNG_DURATION_INFINITE : timeout_ms);
		c->sub_timeo = timeout_ms;
	}
	if ((rv = nng_recvmsg(c->sub, &msg, flags)) != 0)
		return fail(c, nng_errno(rv), "%s: %s", c->events_url,
		    nng_strerror(rv));

	/* "<topic> <JSON array>" */
	body = nng_msg_body(msg);
	len = nng_msg_len(msg);
	if ((sp = memchr(body, ' ', len)) == NULL) {
		nng_msg_free(msg);
		return fail(c, EBADMSG, "event without a topic");
	}
	arr = json_loadb(sp + 1, len - (size_t)(sp + 1 - body), 0, &jerr);
	if (!json_is_array(arr)) {
		json_decref(arr);
		nng_msg_free(msg);
		return fail(c, EBADMSG, "event is not a JSON array");
	}
	k = body;
	if ((size_t)(sp - body) > plen && strncmp(body, c->prefix, plen) == 0)
		k = body + plen;
	if ((*kind = strndup(k, (size_t)(sp - k))) == NULL) {
		json_decref(arr);
		nng_msg_free(msg);
		return fail(c, ENOMEM, "out of memory");
	}
	*events = arr;
	nng_msg_free(msg);
	return 0;
}

int
fo_event_fd(struct fo_client *c)
{
	int	fd, rv;

	if (!c->sub_open)
		return fail(c, EINVAL, "not subscribed");
	if ((rv = nng_socket_get_int(c->sub, NNG_OPT_RECVFD, &fd)) != 0)
		return fail(c, nng_errno(rv), "%s", nng_strerror(rv));
	return fd;
}

/* --- uuids ---------------------------------------------------------------- */

static int
random_bytes(unsigned char *buf, size_t n)
{
	ssize_t	r;
	size_t	got = 0;
	int	fd;

	while (got < n) {
		r = getrandom(buf + got, n - got, 0);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno != ENOSYS)
			return -1;
		/* old kernel: the device will do */
		if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) == -1)
			return -1;
		while (got < n) {
			r = read(fd, buf + got, n - got);
			if (r == -1 && errno == EINTR)
				continue;
			if (r <= 0) {
				close(fd);
				errno = r == 0 ? EIO : errno;
				return -1;
			}
			got += (size_t)r;
		}
		close(fd);
	}
	return 0;
}

int
fo_uuid(char out[FO_UUID_LEN + 1])
{
	unsigned char	b[16];

	if (random_bytes(b, sizeof(b)) == -1)
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	snprintf(out, FO_UUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
	    b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	    b[15]);
	return 0;
}
