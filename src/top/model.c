/*
 * What fastops-top shows, from one of two sources: the daemon's
 * "dashboard" reply (everything), or the queue's shared memory mapped
 * read-only (counters, printers, histograms and the per-minute series:
 * what a hung or stopped daemon leaves behind for diagnosis).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "histogram.h"
#include "xmalloc.h"
#include "top.h"

static uint64_t	 jnum(const json_t *, const char *);
static int64_t	 jint(const json_t *, const char *, int64_t);
static void	 jstr(char *, size_t, const json_t *, const char *);
static uint64_t	 ms_to_us(const json_t *, const char *);
static void	 lat_json(struct top_lat_row *, const json_t *);
static void	 lat_hist(struct top_lat_row *, const struct histogram *);
static int	 circuit_of(const char *);

/* A non-negative integer member (0 when missing or not a number). */
static uint64_t
jnum(const json_t *o, const char *key)
{
	const json_t	*v = json_object_get(o, key);
	double		 d;

	if (json_is_integer(v))
		return json_integer_value(v) > 0 ?
		    (uint64_t)json_integer_value(v) : 0;
	if (json_is_real(v) && (d = json_real_value(v)) > 0 && d < 1e18)
		return (uint64_t)d;
	return 0;
}

static int64_t
jint(const json_t *o, const char *key, int64_t def)
{
	const json_t	*v = json_object_get(o, key);

	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	return def;
}

static void
jstr(char *buf, size_t size, const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	snprintf(buf, size, "%s", s != NULL ? s : "");
}

/* Milliseconds (a real) to whole microseconds. */
static uint64_t
ms_to_us(const json_t *o, const char *key)
{
	const json_t	*v = json_object_get(o, key);

	if (!json_is_number(v) || json_number_value(v) < 0 ||
	    json_number_value(v) > 1e12)
		return 0;
	return (uint64_t)(json_number_value(v) * 1000.0 + 0.5);
}

static void
lat_json(struct top_lat_row *r, const json_t *o)
{
	if (!json_is_object(o))
		return;
	r->valid = 1;
	r->count = jnum(o, "count");
	r->p50_us = ms_to_us(o, "p50_ms");
	r->p95_us = ms_to_us(o, "p95_ms");
	r->p99_us = ms_to_us(o, "p99_ms");
	r->max_us = ms_to_us(o, "max_ms");
}

static void
lat_hist(struct top_lat_row *r, const struct histogram *h)
{
	r->valid = 1;
	r->count = h->count;
	if (h->count == 0)
		return;
	r->p50_us = hist_quantile(h, 0.50) / NS_PER_US;
	r->p95_us = hist_quantile(h, 0.95) / NS_PER_US;
	r->p99_us = hist_quantile(h, 0.99) / NS_PER_US;
	r->max_us = h->max / NS_PER_US;
}

static int
circuit_of(const char *s)
{
	if (strcmp(s, "open") == 0)
		return SHMQ_CIRCUIT_OPEN;
	if (strcmp(s, "half_open") == 0)
		return SHMQ_CIRCUIT_HALF_OPEN;
	return SHMQ_CIRCUIT_CLOSED;
}

/* Fill m from a dashboard reply.  -1 if it is not one. */
int
model_from_json(struct top_model *m, const json_t *d)
{
	const json_t	*q, *w, *t, *lat, *pr, *v, *arr;
	char		 level[32], circ[16];
	size_t		 i;
	double		 u;

	memset(m, 0, sizeof *m);
	if (!json_is_object(d) || !json_is_object(q = json_object_get(d,
	    "queue")))
		return -1;
	m->source = TOP_SRC_DAEMON;
	jstr(m->company, sizeof m->company, d, "company");
	jstr(m->branch, sizeof m->branch, d, "branch");
	m->uptime_min = jint(d, "uptime_s", -60) / 60;
	m->orders = jint(d, "orders_created", jint(d, "orders", -1));

	m->enqueued = jnum(q, "enqueued");
	m->completed = jnum(q, "completed");
	m->failed = jnum(q, "failed");
	m->cancelled = jnum(q, "cancelled");
	m->retried = jnum(q, "retried");
	m->repairs = jnum(q, "repairs");
	m->urgent = (uint32_t)jnum(q, "urgent");
	m->normal = (uint32_t)jnum(q, "normal");
	m->low = (uint32_t)jnum(q, "low");
	m->processing = (uint32_t)jnum(q, "processing");
	m->failed_now = (uint32_t)jnum(q, "failed_now");
	m->free_slots = (uint32_t)jnum(q, "free_slots");

	if (json_is_object(w = json_object_get(d, "workers"))) {
		m->has_workers = 1;
		m->w_alive = (int)jnum(w, "alive");
		m->w_busy = (int)jnum(w, "busy");
		m->w_parked = (int)jnum(w, "parked");
		m->w_target = (int)jnum(w, "target");
		m->w_min = (int)jnum(w, "min");
		m->w_max = (int)jnum(w, "max");
		m->w_crashed = (int64_t)jnum(w, "crashed");
		m->w_stuck = (int64_t)jnum(w, "killed_stuck");
	}
	if (json_is_object(t = json_object_get(d, "turbo"))) {
		m->turbo_on = json_is_true(json_object_get(t, "on"));
		v = json_object_get(t, "mode");
		m->turbo_auto = json_is_string(v) &&
		    strcmp(json_string_value(v), "auto") == 0;
		jstr(m->turbo_reason, sizeof m->turbo_reason, t, "reason");
	}
	m->fallbacks = -1;
	if (json_is_object(v = json_object_get(d, "print")))
		m->fallbacks = (int64_t)jnum(v, "fallbacks");
	if (json_is_object(v = json_object_get(d, "journal")))
		m->journal_ro = json_is_true(json_object_get(v, "readonly"));
	m->has_pg = json_is_object(v = json_object_get(d, "pgsync"));
	if (m->has_pg) {
		m->pg_connected = json_is_true(json_object_get(v,
		    "connected"));
		m->pg_lag_s = jnum(v, "lag_s");
		m->pg_down_s = jnum(v, "down_s");
	}

	if (json_is_object(lat = json_object_get(d, "latency"))) {
		lat_json(&m->lat[TOP_LAT_WAIT], json_object_get(lat, "wait"));
		lat_json(&m->lat[TOP_LAT_PRINT],
		    json_object_get(lat, "print"));
		lat_json(&m->lat[TOP_LAT_TOTAL],
		    json_object_get(lat, "total"));
		lat_json(&m->lat[TOP_LAT_ACK], json_object_get(lat, "ack"));
	}

	arr = json_object_get(d, "stations");
	json_array_foreach(arr, i, v) {
		struct top_station	*s;

		if (m->nstations == TOP_STATIONS_MAX)
			break;
		s = &m->station[m->nstations++];
		jstr(s->name, sizeof s->name, v, "name");
		s->urgent = (uint32_t)jnum(v, "urgent");
		s->normal = (uint32_t)jnum(v, "normal");
		s->low = (uint32_t)jnum(v, "low");
	}

	arr = json_object_get(d, "printers");
	json_array_foreach(arr, i, pr) {
		struct top_printer	*p;

		if (m->nprinters == TOP_PRINTERS_MAX)
			break;
		p = &m->printer[m->nprinters++];
		jstr(p->name, sizeof p->name, pr, "name");
		jstr(p->station, sizeof p->station, pr, "station");
		jstr(circ, sizeof circ, pr, "circuit");
		p->circuit = circuit_of(circ);
		p->paused = json_is_true(json_object_get(pr, "paused"));
		p->busy = jnum(pr, "current_job") != 0;
		v = json_object_get(pr, "utilisation");
		u = json_is_number(v) ? json_number_value(v) : -1;
		p->util_pct = u < 0 ? -1 : u > 1 ? 100 :
		    (int)(u * 100.0 + 0.5);
		p->printed = jnum(pr, "printed");
		p->failures = jnum(pr, "failures");
		p->consecutive = (uint32_t)jnum(pr, "consecutive_failures");
		jstr(p->last_error, sizeof p->last_error, pr, "last_error");
	}

	if (json_is_array(arr = json_object_get(d, "alerts")))
		m->has_alerts = 1;
	json_array_foreach(arr, i, v) {
		struct top_alert	*a;

		if (m->nalerts == TOP_ALERTS_MAX)
			break;
		a = &m->alert[m->nalerts++];
		jstr(a->kind, sizeof a->kind, v, "kind");
		jstr(level, sizeof level, v, "level");
		a->critical = strcmp(level, "critical") == 0 ||
		    strcmp(level, "error") == 0;
		jstr(a->message, sizeof a->message, v, "message");
		jstr(a->printer, sizeof a->printer, v, "printer");
		a->since = jint(v, "since", 0);
	}

	arr = json_object_get(d, "hours");
	json_array_foreach(arr, i, v) {
		if (i >= 24)
			break;
		m->hour[i].hour = jint(v, "hour", 0);
		m->hour[i].queued = (uint32_t)jnum(v, "queued");
		m->hour[i].printed = (uint32_t)jnum(v, "printed");
		m->hour[i].failed = (uint32_t)jnum(v, "failed");
	}
	return 0;
}

/*
 * Fill m from the shared memory.  Utilisation is measured over the time
 * since the previous sample (prev), since the segment keeps busy time but
 * not since when.  -1 with errno when the segment would not hold still.
 */
int
model_from_shm(struct top_model *m, struct shmq *q, struct top_shm_prev *prev)
{
	struct shmq_counters	 c;
	struct shmq_printer_info pi;
	struct shmq_minute	*mins;
	struct histogram	*h;
	const char		*name;
	uint32_t		 pend[SHMQ_NPRIO], i, ns, np;
	uint64_t		 now = clock_mono_ns(), dt, db, now_hour, hr;
	int			 n, k;

	memset(m, 0, sizeof *m);
	m->source = TOP_SRC_SHM;
	m->uptime_min = -1;
	m->orders = -1;
	m->fallbacks = -1;
	if (shmq_read_counters(q, &c) == -1)
		return -1;
	m->enqueued = c.enqueued;
	m->completed = c.completed;
	m->failed = c.failed;
	m->cancelled = c.cancelled;
	m->retried = c.retried;
	m->repairs = c.repairs;
	m->urgent = c.pending[SHMQ_URGENT];
	m->normal = c.pending[SHMQ_NORMAL];
	m->low = c.pending[SHMQ_LOW];
	m->processing = c.processing;
	m->failed_now = c.failed_now;
	m->free_slots = c.free_slots;

	ns = shmq_nstations(q);
	for (i = 0; i < ns && i < TOP_STATIONS_MAX; i++) {
		struct top_station	*s = &m->station[m->nstations++];

		name = shmq_station_name(q, i);
		snprintf(s->name, sizeof s->name, "%s", name != NULL ? name :
		    "?");
		if (shmq_station_pending(q, i, pend) == 0) {
			s->urgent = pend[SHMQ_URGENT];
			s->normal = pend[SHMQ_NORMAL];
			s->low = pend[SHMQ_LOW];
		}
	}

	np = shmq_nprinters(q);
	dt = prev->mono_ns != 0 ? now - prev->mono_ns : 0;
	for (i = 0; i < np && i < TOP_PRINTERS_MAX; i++) {
		struct top_printer	*p = &m->printer[m->nprinters++];

		if (shmq_read_printer(q, i, &pi) == -1) {
			snprintf(p->name, sizeof p->name, "#%u", i);
			p->util_pct = -1;
			continue;
		}
		snprintf(p->name, sizeof p->name, "%s", pi.name);
		name = shmq_station_name(q, pi.station);
		snprintf(p->station, sizeof p->station, "%s",
		    name != NULL ? name : "");
		p->circuit = pi.circuit;
		p->paused = pi.paused;
		p->busy = pi.current_job != 0;
		p->printed = pi.printed;
		p->failures = pi.failures;
		p->consecutive = pi.consecutive_failures;
		snprintf(p->last_error, sizeof p->last_error, "%s",
		    pi.last_error);
		p->util_pct = -1;
		if (dt > 0 && (int)i < prev->n && pi.busy_ns >=
		    prev->busy_ns[i]) {
			db = pi.busy_ns - prev->busy_ns[i];
			p->util_pct = db >= dt ? 100 :
			    (int)((db * 100 + dt / 2) / dt);
		}
		prev->busy_ns[i] = pi.busy_ns;
	}
	prev->n = m->nprinters;
	prev->mono_ns = now;

	h = xmalloc(sizeof *h);
	if (shmq_read_hist(q, SHMQ_H_WAIT, h) == 0)
		lat_hist(&m->lat[TOP_LAT_WAIT], h);
	if (shmq_read_hist(q, SHMQ_H_PRINT, h) == 0)
		lat_hist(&m->lat[TOP_LAT_PRINT], h);
	if (shmq_read_hist(q, SHMQ_H_TOTAL, h) == 0)
		lat_hist(&m->lat[TOP_LAT_TOTAL], h);
	free(h);

	/* the per-minute series, summed by wall-clock hour like the daemon */
	now_hour = (uint64_t)time(NULL) / 3600;
	for (k = 0; k < 24; k++)
		m->hour[k].hour = (int64_t)((now_hour - 23 + (uint64_t)k) *
		    3600);
	mins = xcalloc(SHMQ_MINUTES, sizeof *mins);
	n = shmq_read_minutes(q, mins, SHMQ_MINUTES);
	for (k = 0; k < n; k++) {
		hr = mins[k].minute / 60;
		if (hr > now_hour || now_hour - hr >= 24)
			continue;
		m->hour[23 - (now_hour - hr)].queued += mins[k].enqueued;
		m->hour[23 - (now_hour - hr)].printed += mins[k].completed;
		m->hour[23 - (now_hour - hr)].failed += mins[k].failed;
	}
	free(mins);
	return 0;
}
