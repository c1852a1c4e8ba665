/*
 * http — /metrics (Prometheus text format 0.0.4), /healthz and /readyz on
 * nng's HTTP server, localhost by default ([daemon] http).
 *
 * Latency histograms are exposed as Prometheus histograms with fixed "le"
 * bounds in seconds, computed from our log-linear buckets (exact at those
 * bounds to within one bucket, ~6%).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>

#include "clock.h"
#include "daemon.h"
#include "log.h"
#include "pgsync.h"
#include "xmalloc.h"

struct http {
	nng_http_server	*srv;
};

static const double le_bounds[] = { 0.0005, 0.001, 0.002, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60 };

static void
put_hist(FILE *f, const char *name, const char *help,
    const struct histogram *h)
{
	size_t	i;

	fprintf(f, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	for (i = 0; i < sizeof(le_bounds) / sizeof(le_bounds[0]); i++)
		fprintf(f, "%s_bucket{le=\"%g\"} %llu\n", name, le_bounds[i],
		    (unsigned long long)hist_count_le(h,
		    (uint64_t)(le_bounds[i] * 1e9)));
	fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", name,
	    (unsigned long long)h->count);
	fprintf(f, "%s_sum %.9f\n%s_count %llu\n", name, (double)h->sum / 1e9,
	    name, (unsigned long long)h->count);
}

static void
put_metric(FILE *f, const char *name, const char *type, const char *help,
    double v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", name, help, name,
	    type, name, v);
}

char *
http_metrics(struct daemon *d)
{
	struct shmq_counters	 q;
	struct histogram	 h[SHMQ_NHIST], ack;
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*f;
	int			 i, readonly;
	uint64_t		 reqs, errs, created, lsn, durable, fsyncs;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	pthread_mutex_lock(&d->stats_lock);
	ack = d->ack_hist;
	reqs = d->requests;
	errs = d->request_errors;
	pthread_mutex_unlock(&d->stats_lock);
	pthread_mutex_lock(&d->lock);
	created = d->orders_created;
	readonly = d->readonly;
	lsn = journal_last_lsn(d->j);
	durable = journal_durable_lsn(d->j);
	fsyncs = journal_fsyncs(d->j);
	pthread_mutex_unlock(&d->lock);
	if (shmq_read_counters(d->q, &q) == -1)
		memset(&q, 0, sizeof(q));
	for (i = 0; i < SHMQ_NHIST; i++)
		if (shmq_read_hist(d->q, (enum shmq_hist)i, &h[i]) == -1)
			hist_init(&h[i]);

	put_metric(f, "fastops_up", "gauge", "1 while the daemon runs", 1);
	put_metric(f, "fastops_journal_readonly", "gauge",
	    "1 once the journal failed and changes are refused", readonly);
	put_metric(f, "fastops_requests_total", "counter",
	    "requests answered", (double)reqs);
	put_metric(f, "fastops_request_errors_total", "counter",
	    "requests refused", (double)errs);
	put_metric(f, "fastops_orders_created_total", "counter",
	    "orders accepted since start", (double)created);
	put_metric(f, "fastops_journal_lsn", "gauge",
	    "last journal record written", (double)lsn);
	put_metric(f, "fastops_journal_durable_lsn", "gauge",
	    "last journal record known durable", (double)durable);
	put_metric(f, "fastops_journal_fsyncs_total", "counter",
	    "fdatasync calls", (double)fsyncs);
	put_metric(f, "fastops_jobs_enqueued_total", "counter",
	    "tickets queued", (double)q.enqueued);
	put_metric(f, "fastops_jobs_completed_total", "counter",
	    "tickets printed", (double)q.completed);
	put_metric(f, "fastops_jobs_failed_total", "counter",
	    "tickets given up", (double)q.failed);
	put_metric(f, "fastops_jobs_cancelled_total", "counter",
	    "tickets cancelled before printing", (double)q.cancelled);
	put_metric(f, "fastops_queue_repairs_total", "counter",
	    "shared memory queue repairs after a process died in it",
	    (double)q.repairs);
	fprintf(f, "# HELP fastops_queue_pending tickets waiting, by "
	    "priority\n# TYPE fastops_queue_pending gauge\n");
	fprintf(f, "fastops_queue_pending{priority=\"urgent\"} %u\n",
	    q.pending[SHMQ_URGENT]);
	fprintf(f, "fastops_queue_pending{priority=\"normal\"} %u\n",
	    q.pending[SHMQ_NORMAL]);
	fprintf(f, "fastops_queue_pending{priority=\"low\"} %u\n",
	    q.pending[SHMQ_LOW]);
	put_metric(f, "fastops_queue_processing", "gauge",
	    "tickets being printed", q.processing);
	put_metric(f, "fastops_queue_free_slots", "gauge",
	    "free slots in the shared memory queue", q.free_slots);
	put_hist(f, "fastops_ack_seconds",
	    "request arrival to reply, after the journal sync", &ack);
	put_hist(f, "fastops_queue_wait_seconds",
	    "ticket queued to taken by a printer", &h[SHMQ_H_WAIT]);
	put_hist(f, "fastops_print_seconds",
	    "ticket taken by a printer to printed", &h[SHMQ_H_PRINT]);
	put_hist(f, "fastops_ticket_seconds",
	    "ticket queued to printed", &h[SHMQ_H_TOTAL]);
	if (d->sv != NULL) {
		struct jbuf	b = JBUF_INITIALIZER;

		supervisor_metrics(d->sv, &b);
		if (d->pg != NULL)
			pgsync_metrics(d->pg, &b);
		if (b.len > 0)
			fwrite(b.s, 1, b.len, f);
		jbuf_fini(&b);
	}
	fclose(f);
	return buf;
}

static void
respond(nng_aio *aio, uint16_t status, const char *type, char *body)
{
	nng_http_res	*res;

	if (nng_http_res_alloc(&res) != 0) {
		free(body);
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	nng_http_res_set_status(res, status);
	nng_http_res_set_header(res, "Content-Type", type);
	nng_http_res_copy_data(res, body, strlen(body));
	free(body);
	nng_aio_set_output(aio, 0, res);
	nng_aio_finish(aio, 0);
}

static void
h_metrics(nng_aio *aio)
{
	nng_http_handler	*h = nng_aio_get_input(aio, 1);
	struct daemon		*d = nng_http_handler_get_data(h);
	char			*body = http_metrics(d);

	if (body == NULL)
		respond(aio, 500, "text/plain", xstrdup("out of memory\n"));
	else
		respond(aio, 200, "text/plain; version=0.0.4; charset=utf-8",
		    body);
}

static void
h_healthz(nng_aio *aio)
{
	nng_http_handler	*h = nng_aio_get_input(aio, 1);
	struct daemon		*d = nng_http_handler_get_data(h);

	if (d->readonly)
		respond(aio, 503, "text/plain",
		    xstrdup("journal read-only\n"));
	else
		respond(aio, 200, "text/plain", xstrdup("ok\n"));
}

static void
h_readyz(nng_aio *aio)
{
	nng_http_handler	*h = nng_aio_get_input(aio, 1);
	struct daemon		*d = nng_http_handler_get_data(h);

	if (d->ready && !d->readonly && !d->stopping)
		respond(aio, 200, "text/plain", xstrdup("ready\n"));
	else
		respond(aio, 503, "text/plain", xstrdup("not ready\n"));
}

struct http *
http_start(struct daemon *d, const char *hostport)
{
	static const struct {
		const char	*path;
		void		(*fn)(nng_aio *);
	} routes[] = {
		{ "/metrics", h_metrics },
		{ "/healthz", h_healthz },
		{ "/readyz", h_readyz },
	};
	struct http		*h;
	nng_http_handler	*hd;
	nng_url			*url;
	char			 text[300];
	size_t			 i;
	int			 rv;

	snprintf(text, sizeof(text), "http://%s", hostport);
	if ((rv = nng_url_parse(&url, text)) != 0) {
		log_warnx("http %s: %s", text, nng_strerror(rv));
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	rv = nng_http_server_hold(&h->srv, url);
	nng_url_free(url);
	if (rv != 0) {
		log_warnx("http %s: %s", text, nng_strerror(rv));
		free(h);
		return NULL;
	}
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if ((rv = nng_http_handler_alloc(&hd, routes[i].path,
		    routes[i].fn)) != 0 ||
		    (rv = nng_http_handler_set_data(hd, d, NULL)) != 0 ||
		    (rv = nng_http_server_add_handler(h->srv, hd)) != 0) {
			log_warnx("http handler %s: %s", routes[i].path,
			    nng_strerror(rv));
			nng_http_server_release(h->srv);
			free(h);
			return NULL;
		}
	}
	if ((rv = nng_http_server_start(h->srv)) != 0) {
		log_warnx("http %s: %s", text, nng_strerror(rv));
		nng_http_server_release(h->srv);
		free(h);
		return NULL;
	}
	log_info("http on %s", text);
	return h;
}

void
http_stop(struct http *h)
{
	if (h == NULL)
		return;
	nng_http_server_stop(h->srv);
	nng_http_server_release(h->srv);
	free(h);
}
