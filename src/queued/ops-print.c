/*
 * The operations about printing: turbo, workers.scale, printers,
 * printer.pause|resume, jobs.retry|clear_failed and the dashboard.
 * Like every op they run under d->lock (see ops_dispatch).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "daemon.h"
#include "log.h"
#include "xmalloc.h"

#define RETRY_ALL_MAX	1000	/* failed jobs one request may touch */

static json_t *
ok_with(const char *key, json_t *v)
{
	return json_pack("{s:b, s:o}", "ok", 1, key, v);
}

json_t *
ops_turbo(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	json_t		*mode = json_object_get(req, "mode"), *st, *v;

	/* anyone may look; only an admin may change it */
	if (mode != NULL && s->role != AUTH_ADMIN)
		return ops_error(FO_EPERM, "a %s may not change turbo mode",
		    auth_role_name(s->role));
	if (mode != NULL && (!json_is_string(mode) ||
	    supervisor_turbo(d->sv, json_string_value(mode)) == -1))
		return ops_error(FO_EINVAL, "\"mode\" must be \"on\", \"off\" "
		    "or \"auto\"");
	st = json_object();
	supervisor_status(d->sv, st);
	v = json_incref(json_object_get(st, "turbo"));
	json_decref(st);
	return ok_with("turbo", v);
}

json_t *
ops_workers_scale(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	const char	*dir;
	json_t		*st, *v;
	int		 n = 1;

	if (json_unpack(req, "{s:s, s?i}", "direction", &dir, "n", &n) != 0 ||
	    (strcmp(dir, "up") != 0 && strcmp(dir, "down") != 0))
		return ops_error(FO_EINVAL, "workers.scale needs \"direction\": "
		    "\"up\" or \"down\", and an optional \"n\" (1..64)");
	if (n < 1 || n > 64)
		return ops_error(FO_EINVAL, "\"n\" must be 1..64");
	supervisor_scale(d->sv, strcmp(dir, "up") == 0 ? n : -n);
	st = json_object();
	supervisor_status(d->sv, st);
	v = json_incref(json_object_get(st, "workers"));
	json_decref(st);
	return ok_with("workers", v);
}

json_t *
ops_printers(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	return ok_with("printers", supervisor_printers(d->sv));
}

json_t *
ops_printer_pause(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	const char	*op = json_string_value(json_object_get(req, "op"));
	const char	*name;
	struct shmq_printer_info pi;
	json_t		*all, *one = NULL, *v, *rec;
	uint64_t	 lsn;
	size_t		 i;
	int		 p, pause = strcmp(op, "printer.pause") == 0;

	if (json_unpack(req, "{s:s}", "printer", &name) != 0)
		return ops_error(FO_EINVAL, "%s needs \"printer\": a name", op);
	if ((p = config_printer_find(d->cfg, name)) == -1)
		return ops_error(FO_ENOENT, "no printer \"%.32s\"", name);
	if (d->readonly)
		return ops_error(FO_ESTORAGE, "the journal failed");
	if (shmq_printer_pause(d->q, (uint32_t)p, pause) == -1)
		return ops_error(FO_EBUSY, "printer %s: %s", name,
		    strerror(errno));
	/* journaled: a paused printer stays paused across a restart */
	rec = json_pack("{s:s, s:b}", "printer", name, "paused", pause);
	lsn = store_append(d, ORD_REC_PRINTER, rec);
	json_decref(rec);
	if (lsn == 0) {
		(void)shmq_printer_pause(d->q, (uint32_t)p, !pause);
		return ops_error(FO_ESTORAGE, "the journal could not take it");
	}
	/* "it is fixed": an open breaker gets its trial at once */
	if (!pause && shmq_read_printer(d->q, (uint32_t)p, &pi) == 0 &&
	    pi.circuit == SHMQ_CIRCUIT_OPEN)
		(void)shmq_printer_set_circuit(d->q, (uint32_t)p,
		    SHMQ_CIRCUIT_HALF_OPEN);
	log_info("printer %s %s", name, pause ? "paused" : "resumed");
	supervisor_wake(d->sv);
	all = supervisor_printers(d->sv);
	json_array_foreach(all, i, v)
		if (strcmp(json_string_value(json_object_get(v, "name")),
		    name) == 0)
			one = json_incref(v);
	json_decref(all);
	/* the same shape as the supervisor's breaker changes */
	events_publish(d->ev, FO_EV_PRINTER_STATE, json_pack("{s:s, s:O, s:O,"
	    " s:b, s:O}", "printer", name, "station", json_object_get(one,
	    "station"), "circuit", json_object_get(one, "circuit"), "paused",
	    pause, "error", json_object_get(one, "last_error")));
	v = ok_with("printer", one);
	if (lsn <= journal_durable_lsn(d->j))
		return v;
	store_commit(d, commit_new(c, v, lsn, 0, t0));
	return NULL;
}

struct failed_ids {
	uint64_t	*id;
	int		 n;
};

static int
collect_failed(const struct shmq_job *j, void *arg)
{
	struct failed_ids	*f = arg;

	if (j->state == SHMQ_FAILED && f->n < RETRY_ALL_MAX)
		f->id[f->n++] = j->job_id;
	return 0;
}

/*
 * Send failed (or kitchen-screen) jobs back to the queue, or remove them:
 * {"id": N} or {"all": true}.  Each is a journal record; the reply waits
 * until they are durable.
 */
json_t *
ops_jobs_retry(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	const char	*op = json_string_value(json_object_get(req, "op"));
	struct failed_ids f;
	struct shmq_job	 job;
	struct shmq_ref	 ref;
	struct order	*ord;
	struct commit	*cm;
	struct qrec	 r;
	json_t		*done, *jid = json_object_get(req, "id");
	uint64_t	 lsn = 0, l;
	int		 retry = strcmp(op, "jobs.retry") == 0, i, changed;

	if (d->readonly)
		return ops_error(FO_ESTORAGE, "the journal failed: no changes "
		    "can be made safely");
	f.id = xcalloc(RETRY_ALL_MAX, sizeof(*f.id));
	f.n = 0;
	if (json_is_true(json_object_get(req, "all")))
		(void)qstate_foreach(d->model, collect_failed, &f);
	else if (json_is_integer(jid) && json_integer_value(jid) > 0) {
		f.id[f.n++] = (uint64_t)json_integer_value(jid);
		if (qstate_get(d->model, f.id[0], &job) == -1 ||
		    job.state != SHMQ_FAILED) {
			free(f.id);
			return ops_error(FO_ENOENT, "job %lld is not failed",
			    (long long)json_integer_value(jid));
		}
	} else {
		free(f.id);
		return ops_error(FO_EINVAL, "%s needs \"id\": a job number, or "
		    "\"all\": true", op);
	}
	done = json_array();
	cm = commit_new(c, NULL, 0, 0, t0);
	for (i = 0; i < f.n; i++) {
		if (qstate_get(d->model, f.id[i], &job) == -1 ||
		    job.state != SHMQ_FAILED)
			continue;
		if (shmq_find(d->q, f.id[i], &ref) == -1 ||
		    (retry ? shmq_retry(d->q, &ref) : shmq_clear(d->q, &ref)) ==
		    -1)
			continue;
		memset(&r, 0, sizeof(r));
		r.job_id = f.id[i];
		r.printer = -1;
		if (retry && (job.flags & SHMQ_F_FALLBACK)) {
			/* it comes off the kitchen screen's list as it prints */
			(void)shmq_set_flags(d->q, &ref, 0, SHMQ_F_FALLBACK);
			r.type = QREC_JOB_FLAGS;
			r.clear = SHMQ_F_FALLBACK;
			(void)store_append_job(d, &r, &ord, &changed);
			r.clear = 0;
		}
		r.type = retry ? QREC_JOB_REQUEUED : QREC_JOB_CLEARED;
		if ((l = store_append_job(d, &r, &ord, &changed)) == 0)
			continue;
		lsn = l;
		json_array_append_new(done, json_integer((json_int_t)f.id[i]));
		if (ord != NULL)
			commit_event(cm, retry ? FO_EV_JOB_QUEUED :
			    FO_EV_JOB_FAILED, 0, "{\"job\":%I,\"order\":%I,"
			    "\"number\":%S,\"station\":%S,\"%s\":true}",
			    (long long)f.id[i], (long long)ord->id, ord->number,
			    d->cfg->station[job.station].name, retry ?
			    "retried" : "cleared");
	}
	free(f.id);
	if (retry && json_array_size(done) > 0)
		supervisor_wake(d->sv);
	cm->reply = json_pack("{s:b, s:o, s:I}", "ok", 1, "jobs", done,
	    "count", (json_int_t)json_array_size(done));
	cm->lsn = lsn;
	store_commit(d, cm);
	return NULL;
}

/*
 * Everything fastops-top shows, in one reply: the stats, each station's
 * queue, the printers, and tickets per hour for the last 24 hours.
 */
json_t *
ops_dashboard(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	struct shmq_minute	*m;
	json_t			*reply, *st, *hours;
	uint32_t		 pend[SHMQ_NPRIO];
	uint64_t		 hour, now_hour;
	int			 i, n, k;
	struct {
		uint32_t	enq, done, failed;
	}			 h[24];

	reply = ops_stats(d, c, req, s, t0);
	st = json_array();
	for (i = 0; i < d->cfg->nstations; i++) {
		if (shmq_station_pending(d->q, (uint32_t)i, pend) == -1)
			memset(pend, 0, sizeof(pend));
		json_array_append_new(st, json_pack("{s:s, s:i, s:i, s:i}",
		    "name", d->cfg->station[i].name, "urgent", pend[0],
		    "normal", pend[1], "low", pend[2]));
	}
	json_object_set_new(reply, "stations", st);
	json_object_set_new(reply, "printers", supervisor_printers(d->sv));

	memset(h, 0, sizeof(h));
	m = xcalloc(SHMQ_MINUTES, sizeof(*m));
	n = shmq_read_minutes(d->q, m, SHMQ_MINUTES);
	now_hour = (uint64_t)time(NULL) / 3600;
	for (i = 0; i < n; i++) {
		hour = m[i].minute / 60;
		if (hour > now_hour || now_hour - hour >= 24)
			continue;
		k = 23 - (int)(now_hour - hour);
		h[k].enq += m[i].enqueued;
		h[k].done += m[i].completed;
		h[k].failed += m[i].failed;
	}
	free(m);
	hours = json_array();
	for (k = 0; k < 24; k++)
		json_array_append_new(hours, json_pack("{s:I, s:i, s:i, s:i}",
		    "hour", (json_int_t)((now_hour - 23 + (uint64_t)k) * 3600),
		    "queued", h[k].enq, "printed", h[k].done, "failed",
		    h[k].failed));
	json_object_set_new(reply, "hours", hours);
	return reply;
}
