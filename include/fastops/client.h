/*
 * libfastops client: how every front-end (fastops-ctl, -pos, -kds, -top)
 * talks to fastops-queued.
 *
 * A client holds one nng REQ socket for requests and, once subscribed, one
 * SUB socket for events.  Both dial in the background and keep redialling,
 * so a client can be opened before the daemon is up and survives the
 * daemon restarting: a request simply waits (up to its timeout) for a
 * connection.
 *
 * Requests and replies are JSON objects (see fastops/protocol.h).  The
 * token set with fo_set_token() is added to every request; without one, a
 * local peer running as the daemon's uid is an admin.
 *
 * Thread safety: fo_request() may be called from several threads at once
 * (each call uses its own nng context).  Events (fo_subscribe, fo_event)
 * belong to one thread.  fo_set_token() must not race with fo_request().
 *
 * Errors: functions return 0 or -1 (pointers: NULL).  Functions with an
 * err/errlen pair fill it on failure; the others set errno and leave a
 * message for fo_strerror().  Nothing here exits or prints.
 */
#ifndef FASTOPS_CLIENT_H
#define FASTOPS_CLIENT_H

#include <stddef.h>

#include <jansson.h>

#include "fastops/protocol.h"

struct fo_client;

/*
 * Open a client for the daemon configured in config_path (NULL: the
 * FASTOPS_CONFIG environment variable, else the default path): reads
 * [daemon] runtime_dir, http, company and branch, and dials
 * ipc://<runtime_dir>/control.ipc.  Succeeds whether or not the daemon is
 * up.  On failure (bad configuration, out of resources) returns -1 with
 * err filled (every configuration mistake, one per line).
 */
int	fo_open(const char *config_path, struct fo_client **out, char *err,
	    size_t errlen);

/*
 * Open a client for a daemon at url (tcp://HOST:PORT, or ipc://PATH) with
 * no configuration file.  events_url (may be NULL) is where fo_subscribe()
 * dials; company and branch, needed for event topics, are unknown until
 * fo_set_tenant().
 */
int	fo_open_url(const char *url, const char *events_url,
	    struct fo_client **out, char *err, size_t errlen);

/* Close the sockets and free the client.  NULL is allowed. */
void	fo_close(struct fo_client *);

/* The token sent with every request; NULL or "" for none.  Copied. */
void	fo_set_token(struct fo_client *, const char *token);
/* The company and branch event topics are filtered by.  Copied. */
void	fo_set_tenant(struct fo_client *, const char *company,
	    const char *branch);

/* What the client was opened with ("" when unknown). */
const char	*fo_url(const struct fo_client *);
const char	*fo_runtime_dir(const struct fo_client *);
const char	*fo_http(const struct fo_client *);	/* "HOST:PORT" */
const char	*fo_company(const struct fo_client *);
const char	*fo_branch(const struct fo_client *);
/* 1 while the request socket has a live connection to the daemon (from
 * nng's pipe notifications, which may lag the connection a little). */
int		 fo_connected(const struct fo_client *);
/* Why the last call without an err argument failed. */
const char	*fo_strerror(const struct fo_client *);

/*
 * Send req (borrowed: the caller keeps its reference; "token" is added to
 * a copy) and wait up to timeout_ms (< 0: forever) for the reply.
 * Returns 0 with *reply a new reference the caller must json_decref,
 * whether the daemon said ok or refused: test it with fo_reply_ok().
 * Returns -1, *reply NULL and err filled ("cannot reach fastops-queued at
 * URL: ...") when there is no answer in time or the reply is not a JSON
 * object; errno is ENOTCONN when no connection took the request in time
 * (it was never sent, so it changed nothing), ETIMEDOUT when it was sent
 * and no reply came (it may or may not have been carried out).
 *
 * A request is sent once: nng resends it only after a reconnection or
 * after FO_RESEND_MS without an answer, so a slow reply is not duplicated.
 * Changes that must not happen twice (order.create) carry a uuid anyway.
 */
#define FO_RESEND_MS	60000
int	fo_request(struct fo_client *, json_t *req, json_t **reply,
	    int timeout_ms, char *err, size_t errlen);

/* Reading replies.  fo_reply_code/message return "" for an ok reply. */
int		 fo_reply_ok(const json_t *reply);
const char	*fo_reply_code(const json_t *reply);
const char	*fo_reply_message(const json_t *reply);
/* A member of an object: a string ("" if missing or not a string), an
 * integer (0 if missing or not an integer). */
const char	*fo_str(const json_t *o, const char *key);
json_int_t	 fo_int(const json_t *o, const char *key);

/*
 * Subscribe to events of kind (a prefix of the kind: "order." gets
 * order.created and order.updated; NULL or "" gets everything of this
 * branch).  May be called again to add kinds.  Opens and dials the SUB
 * socket on the first call.  -1 with errno and fo_strerror() on failure.
 */
int	fo_subscribe(struct fo_client *, const char *kind);

/*
 * Receive one event message, waiting up to timeout_ms (0: do not wait,
 * < 0: forever).  On success *kind is the event kind (the topic without
 * "fastops.<company>.<branch>."; malloc'd, caller frees) and *events a new
 * JSON array of event objects (caller json_decrefs).  -1 with errno:
 * ETIMEDOUT (or EAGAIN when timeout_ms is 0) when nothing came, EBADMSG
 * for a malformed message (dropped; call again), others on failure.
 */
int	fo_event(struct fo_client *, char **kind, json_t **events,
	    int timeout_ms);

/*
 * A file descriptor that polls readable while an event is waiting, for
 * poll(2) loops; do not read or close it.  -1 before fo_subscribe().
 */
int	fo_event_fd(struct fo_client *);

/* A random (version 4) UUID, canonical lower-case form, for order.create. */
int	fo_uuid(char out[FO_UUID_LEN + 1]);

#endif
