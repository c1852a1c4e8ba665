/*
 * src/common/client: libfastops against a stand-in daemon (an nng REP
 * and a PUB socket in this process): requests carry the token and come
 * back as JSON, refusals are replies, silence is a timeout with a clear
 * message, a client opened before the daemon connects by itself, events
 * are filtered by branch and kind and split into kind and array.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/reqrep0/rep.h>

#include "fastops/client.h"

static char	tmpdir[] = "/tmp/client_test.XXXXXX";
static char	ini[PATH_MAX], ctl_url[PATH_MAX + 16], ev_url[PATH_MAX + 16];

/* The stand-in daemon: answers each request with {"ok":true,"echo":req},
 * an error for op "fail", nothing for op "silent". */
struct fake {
	nng_socket	rep;
	pthread_t	thread;
};

static void *
fake_main(void *arg)
{
	struct fake	*f = arg;
	const char	*op;
	json_t		*req, *reply;
	nng_msg		*msg;
	char		*text;

	while (nng_recvmsg(f->rep, &msg, 0) == 0) {
		req = json_loadb(nng_msg_body(msg), nng_msg_len(msg), 0, NULL);
		nng_msg_free(msg);
		op = json_string_value(json_object_get(req, "op"));
		if (op != NULL && strcmp(op, "silent") == 0) {
			json_decref(req);
			continue;
		}
		if (op != NULL && strcmp(op, "fail") == 0)
			reply = json_pack("{s:b, s:{s:s, s:s}}", "ok", 0,
			    "error", "code", "ENOENT", "message",
			    "no order 7");
		else
			reply = json_pack("{s:b, s:O}", "ok", 1, "echo", req);
		json_decref(req);
		text = json_dumps(reply, JSON_COMPACT);
		json_decref(reply);
		nng_send(f->rep, text, strlen(text), 0);
		free(text);
	}
	return NULL;
}

static void
fake_start(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(nng_rep0_open(&f->rep), 0);
	assert_int_equal(nng_listen(f->rep, ctl_url, NULL, 0), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void
fake_stop(struct fake *f)
{
	nng_close(f->rep);
	pthread_join(f->thread, NULL);
}

static int
setup(void **state)
{
	char	 run[PATH_MAX + 8];
	FILE	*fp;

	assert_non_null(mkdtemp(tmpdir));
	snprintf(ini, sizeof(ini), "%s/fastops.ini", tmpdir);
	snprintf(ctl_url, sizeof(ctl_url), "ipc://%s/run/control.ipc", tmpdir);
	snprintf(ev_url, sizeof(ev_url), "ipc://%s/run/events.ipc", tmpdir);
	fp = fopen(ini, "w");
	assert_non_null(fp);
	fprintf(fp, "[daemon]\ncompany = acme\nbranch = norte\n"
	    "runtime_dir = run\nhttp = 127.0.0.1:9999\n");
	assert_int_equal(fclose(fp), 0);
	snprintf(run, sizeof(run), "%s/run", tmpdir);
	assert_int_equal(mkdir(run, 0700), 0);
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_uuid(void **state)
{
	char	a[FO_UUID_LEN + 1], b[FO_UUID_LEN + 1];
	int	i;

	assert_int_equal(fo_uuid(a), 0);
	assert_int_equal(fo_uuid(b), 0);
	assert_int_equal(strlen(a), FO_UUID_LEN);
	assert_string_not_equal(a, b);
	for (i = 0; i < FO_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(a[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", a[i]));
	}
	assert_int_equal(a[14], '4');			/* version 4 */
	assert_non_null(strchr("89ab", a[19]));		/* variant */
}

static void
test_open_bad_config(void **state)
{
	struct fo_client	*c = (void *)1;
	char			 err[512];

	assert_int_equal(fo_open("/nonexistent/fastops.ini", &c, err,
	    sizeof(err)), -1);
	assert_null(c);
	assert_non_null(strstr(err, "/nonexistent/fastops.ini"));
}

static void
test_open_config(void **state)
{
	struct fo_client	*c;
	char			 err[512];

	assert_int_equal(fo_open(ini, &c, err, sizeof(err)), 0);
	assert_string_equal(fo_company(c), "acme");
	assert_string_equal(fo_branch(c), "norte");
	assert_string_equal(fo_http(c), "127.0.0.1:9999");
	assert_string_equal(fo_url(c), ctl_url);
	fo_close(c);
}

/* No daemon: a timeout, said so, and no reply. */
static void
test_unreachable(void **state)
{
	struct fo_client	*c;
	json_t			*req, *reply = (void *)1;
	char			 err[512];

	assert_int_equal(fo_open(ini, &c, err, sizeof(err)), 0);
	req = json_pack("{s:s}", "op", "health");
	assert_int_equal(fo_request(c, req, &reply, 200, err, sizeof(err)),
	    -1);
	assert_null(reply);
	assert_int_equal(errno, ENOTCONN);	/* never sent */
	assert_non_null(strstr(err, "cannot reach fastops-queued at ipc://"));
	assert_int_equal(fo_connected(c), 0);
	json_decref(req);
	fo_close(c);
}

static void
test_request(void **state)
{
	struct fake		 f;
	struct fo_client	*c;
	json_t			*req, *reply;
	char			 err[512];

	/* opened before the daemon: it connects when the daemon comes */
	assert_int_equal(fo_open(ini, &c, err, sizeof(err)), 0);
	fake_start(&f);

	req = json_pack("{s:s, s:i}", "op", "order.get", "id", 7);
	assert_int_equal(fo_request(c, req, &reply, 5000, err, sizeof(err)),
	    0);
	assert_true(fo_reply_ok(reply));
	assert_string_equal(fo_reply_code(reply), "");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    reply, "echo"), "id")), 7);
	/* no token unless set */
	assert_null(json_object_get(json_object_get(reply, "echo"), "token"));
	json_decref(reply);

	/* the token goes out; the caller's request is left alone */
	fo_set_token(c, "tok123");
	assert_int_equal(fo_request(c, req, &reply, 5000, err, sizeof(err)),
	    0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    reply, "echo"), "token")), "tok123");
	assert_null(json_object_get(req, "token"));
	json_decref(reply);
	json_decref(req);
	/* fo_connected() may lag the connection: not tested here */

	/* a refusal is a reply */
	req = json_pack("{s:s}", "op", "fail");
	assert_int_equal(fo_request(c, req, &reply, 5000, err, sizeof(err)),
	    0);
	assert_false(fo_reply_ok(reply));
	assert_string_equal(fo_reply_code(reply), "ENOENT");
	assert_string_equal(fo_reply_message(reply), "no order 7");
	json_decref(reply);
	json_decref(req);

	/* a silent daemon: a timeout that says it is connected */
	req = json_pack("{s:s}", "op", "silent");
	assert_int_equal(fo_request(c, req, &reply, 200, err, sizeof(err)),
	    -1);
	assert_int_equal(errno, ETIMEDOUT);	/* sent, unanswered */
	assert_non_null(strstr(err, "no reply within 200 ms"));
	json_decref(req);

	/* and the next request is answered normally */
	req = json_pack("{s:s}", "op", "health");
	assert_int_equal(fo_request(c, req, &reply, 5000, err, sizeof(err)),
	    0);
	assert_true(fo_reply_ok(reply));
	json_decref(reply);
	json_decref(req);

	fo_close(c);
	fake_stop(&f);
}

static void
publish(nng_socket pub, const char *text)
{
	assert_int_equal(nng_send(pub, (void *)(uintptr_t)text, strlen(text),
	    0), 0);
}

static void
test_events(void **state)
{
	struct fo_client	*c;
	struct pollfd		 pfd;
	nng_socket		 pub;
	json_t			*events;
	char			 err[512], *kind;
	int			 i, got = 0;

	assert_int_equal(nng_pub0_open(&pub), 0);
	assert_int_equal(nng_listen(pub, ev_url, NULL, 0), 0);
	assert_int_equal(fo_open(ini, &c, err, sizeof(err)), 0);
	assert_int_equal(fo_event_fd(c), -1);	/* not subscribed */
	assert_int_equal(fo_subscribe(c, "order."), 0);
	assert_true(fo_event_fd(c) >= 0);

	/* the subscriber connects in the background: publish until seen */
	for (i = 0; i < 100 && !got; i++) {
		publish(pub, "fastops.acme.norte.order.created [{\"id\":1}]");
		if (fo_event(c, &kind, &events, 50) == 0)
			got = 1;
	}
	assert_true(got);
	assert_string_equal(kind, "order.created");
	assert_true(json_is_array(events));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    events, 0), "id")), 1);
	free(kind);
	json_decref(events);
	/* drain the extra copies */
	while (fo_event(c, &kind, &events, 100) == 0) {
		free(kind);
		json_decref(events);
	}
	assert_int_equal(errno, ETIMEDOUT);

	/* other branch, other kind: filtered; nothing waiting: EAGAIN */
	publish(pub, "fastops.acme.sur.order.created [{\"id\":2}]");
	publish(pub, "fastops.acme.norte.job.queued [{\"job\":3}]");
	usleep(100000);
	assert_int_equal(fo_event(c, &kind, &events, 0), -1);
	assert_int_equal(errno, EAGAIN);

	/* the descriptor polls readable when an event waits */
	publish(pub, "fastops.acme.norte.order.updated [{\"id\":4},"
	    "{\"id\":5}]");
	pfd.fd = fo_event_fd(c);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(fo_event(c, &kind, &events, 0), 0);
	assert_string_equal(kind, "order.updated");
	assert_int_equal(json_array_size(events), 2);
	free(kind);
	json_decref(events);

	/* malformed: dropped with EBADMSG */
	publish(pub, "fastops.acme.norte.order.created {not json");
	assert_int_equal(fo_event(c, &kind, &events, 2000), -1);
	assert_int_equal(errno, EBADMSG);
	assert_null(kind);
	assert_null(events);

	fo_close(c);
	nng_close(pub);
}

static void
test_open_url(void **state)
{
	struct fo_client	*c;
	char			 err[512];

	assert_int_equal(fo_open_url("", NULL, &c, err, sizeof(err)), -1);
	assert_int_equal(fo_open_url("bogus://x", NULL, &c, err, sizeof(err)),
	    -1);
	assert_int_equal(fo_open_url("tcp://127.0.0.1:1", NULL, &c, err,
	    sizeof(err)), 0);
	/* no tenant, no events address: subscribing says why */
	assert_int_equal(fo_subscribe(c, NULL), -1);
	assert_non_null(strstr(fo_strerror(c), "company and branch"));
	fo_set_tenant(c, "acme", "norte");
	assert_int_equal(fo_subscribe(c, NULL), -1);
	assert_non_null(strstr(fo_strerror(c), "no events address"));
	fo_close(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_open_bad_config),
		cmocka_unit_test(test_open_config),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_open_url),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
