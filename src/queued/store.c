/*
 * store — the daemon's side of the journal.
 *
 * Write path.  A request handler, holding d->lock, appends its record
 * (without waiting) and applies it to the in-memory state at once, so the
 * next request sees it and numbers never repeat.  Nothing leaves the
 * daemon on the strength of that: the reply, the events and the ticket's
 * entry into the shm queue (where a printer would pick it up) wait in a
 * commit entry until the journal says the record is durable.  One thread,
 * the syncer, does that waiting for everybody: it takes every entry queued
 * so far, makes one journal_sync() that covers the highest LSN among them,
 * then releases them all — group commit at the level of requests.
 *
 * If the sync fails the journal is finished (see journal.h); every waiting
 * request is answered ESTORAGE and the daemon refuses changes from then
 * on.  The in-memory state may then hold changes that are not durable; it
 * is never written anywhere and a restart rebuilds from the journal.
 *
 * Releasing a batch (tickets into shm, events, replies) is the work of
 * PUBLISHERS other threads, so the syncer starts the next fdatasync the
 * moment the last one returns: with a single thread doing both, or
 * threads taking turns at both, the disk sat idle while replies were
 * written, and batches were taken before their fdatasync could start.
 * Tickets and events go out under d->lock in the order the batches were
 * synced, so tickets enter their FIFOs in LSN order; replies go out after,
 * without the lock, side by side.
 *
 * Recovery.  Load the newest snapshot (queue model, orders, users), replay
 * the records after it, send jobs that were being printed back to pending
 * marked REIMPRESIÓN, and rebuild the shm queue from the model.
 *
 * Snapshot layout: u32 length of the queue model's snapshot, that
 * snapshot, then JSON {"orders": ..., "users": [...]}.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "daemon.h"
#include "endian.h"
#include "log.h"
#include "xmalloc.h"

static int	 replay_snapshot(uint64_t, const void *, size_t, void *);
static int	 replay_record(uint64_t, uint16_t, const void *, size_t,
		    void *);
static int	 apply_record(struct daemon *, uint64_t, uint16_t, json_t *);
static int	 users_apply(struct daemon *, uint16_t, json_t *);
static int	 restore_job(const struct shmq_job *, void *);
static void	*syncer_main(void *);
static void	*publisher_main(void *);
static void	 commit_free(struct commit *);

/* --- applying records ----------------------------------------------------- */

static int
users_apply(struct daemon *d, uint16_t type, json_t *rec)
{
	struct auth_user	 u;
	const char		*name, *role, *hash;
	int			 r;

	if (type == ORD_REC_USER_DEL) {
		if (json_unpack(rec, "{s:s}", "name", &name) != 0)
			return -1;
		return auth_user_del(d->auth, name);
	}
	if (json_unpack(rec, "{s:s, s:s, s:s}", "name", &name, "role", &role,
	    "hash", &hash) != 0 || (r = auth_role_parse(role)) == -1)
		return -1;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.role = (enum auth_role)r;
	snprintf(u.hash, sizeof(u.hash), "%s", hash);
	return auth_user_put(d->auth, &u);
}

/*
 * A printer paused by hand stays paused across restarts; resumed, it is
 * back to what [printer] paused says (a printer configured paused starts
 * paused again).
 */
static int
printer_apply(struct daemon *d, json_t *rec)
{
	const char	*name;
	int		 paused, p;

	if (json_unpack(rec, "{s:s, s:b}", "printer", &name, "paused",
	    &paused) != 0)
		return -1;
	/* a printer no longer configured: nothing to keep */
	if ((p = config_printer_find(d->cfg, name)) >= 0)
		d->paused[p] = paused ? 1 : -1;
	return 0;
}

static int
apply_record(struct daemon *d, uint64_t lsn, uint16_t type, json_t *rec)
{
	if (type == ORD_REC_USER_PUT || type == ORD_REC_USER_DEL)
		return users_apply(d, type, rec);
	if (type == ORD_REC_PRINTER)
		return printer_apply(d, rec);
	return orders_apply(d->orders, lsn, type, rec);
}

void
store_failed(struct daemon *d, const char *why)
{
	if (d->readonly)
		return;
	d->readonly = 1;
	log_warnx("JOURNAL FAILED (%s): no change is accepted until "
	    "fastops-queued is restarted on a healthy disk", why);
	if (d->ev != NULL)
		events_publish(d->ev, FO_EV_ALERT, json_pack("{s:s, s:s, s:s}",
		    "level", "critical", "kind", "journal", "message", why));
}

uint64_t
store_append(struct daemon *d, uint16_t type, json_t *rec)
{
	struct jbuf	*b = &d->rec_text;
	uint64_t	 lsn;
	int		 rc;

	if (d->readonly) {
		errno = EIO;
		return 0;
	}
	/* when it happened, for PostgreSQL's history (written later) */
	if (json_object_get(rec, "ts") == NULL)
		json_object_set_new(rec, "ts",
		    json_integer((json_int_t)clock_real_ms()));
	jbuf_reset(b);
	if (jbuf_dump(b, rec) == -1) {
		errno = EINVAL;
		return 0;
	}
	/*
	 * "always" means one fdatasync per request, taken here in line;
	 * "group" appends now and lets the commit thread share the sync.
	 */
	if (d->cfg->daemon.fsync == CONFIG_FSYNC_ALWAYS)
		rc = journal_append(d->j, type, b->s, b->len, &lsn);
	else
		rc = journal_append_nowait(d->j, type, b->s, b->len, &lsn);
	if (rc == -1) {
		if (errno == EIO)
			store_failed(d, journal_error(d->j) ?
			    journal_error(d->j) : "write error");
		return 0;
	}
	if (apply_record(d, lsn, type, rec) == -1)
		log_warnx("record %llu (%u) did not apply cleanly",
		    (unsigned long long)lsn, type);
	d->records_since_snapshot++;
	return lsn;
}

/*
 * Append a queue record about one job (from the supervisor) and apply it
 * to the model and the orders.  Returns its LSN, or 0; *ord gets the
 * order it changed (or NULL) and *changed whether the order's state did.
 * Under d->lock.
 */
uint64_t
store_append_job(struct daemon *d, const struct qrec *r, struct order **ord,
    int *changed)
{
	struct qrec	rt;
	uint8_t		buf[64 + SHMQ_ERR_MAX];
	ssize_t		n;
	uint64_t	lsn;
	int		rc;

	*ord = NULL;
	*changed = 0;
	if (d->readonly) {
		errno = EIO;
		return 0;
	}
	/* with its time: PostgreSQL's history may be written much later */
	rt = *r;
	if (rt.ts_ms == 0)
		rt.ts_ms = clock_real_ms();
	if ((n = qrec_encode(&rt, buf, sizeof(buf))) < 0)
		return 0;
	/* the model must accept it, or the journal would say what isn't */
	if (qstate_apply(d->model, 0, r->type, buf, (size_t)n) == -1)
		return 0;
	if (d->cfg->daemon.fsync == CONFIG_FSYNC_ALWAYS)
		rc = journal_append(d->j, r->type, buf, (size_t)n, &lsn);
	else
		rc = journal_append_nowait(d->j, r->type, buf, (size_t)n, &lsn);
	if (rc == -1) {
		if (errno == EIO)
			store_failed(d, journal_error(d->j) ?
			    journal_error(d->j) : "write error");
		return 0;
	}
	*ord = orders_job_apply(d->orders, r, changed);
	d->records_since_snapshot++;
	return lsn;
}

/* --- recovery --------------------------------------------------------------- */

static int
replay_snapshot(uint64_t lsn, const void *data, size_t len, void *arg)
{
	struct daemon	*d = arg;
	const uint8_t	*b = data;
	json_t		*js, *users, *u;
	json_error_t	 err;
	const char	*name;
	uint32_t	 qlen;
	size_t		 i;
	int		 p;

	if (len < 4 || (qlen = le32_get(b)) > len - 4) {
		log_warnx("snapshot %llu: bad layout", (unsigned long long)lsn);
		errno = EINVAL;
		return -1;
	}
	if (qstate_load(d->model, b + 4, qlen) == -1) {
		log_warnx("snapshot %llu: bad queue model",
		    (unsigned long long)lsn);
		return -1;
	}
	if ((js = json_loadb((const char *)b + 4 + qlen, len - 4 - qlen, 0,
	    &err)) == NULL) {
		log_warnx("snapshot %llu: %s", (unsigned long long)lsn,
		    err.text);
		errno = EINVAL;
		return -1;
	}
	if (orders_load(d->orders, json_object_get(js, "orders")) == -1) {
		json_decref(js);
		log_warnx("snapshot %llu: bad order table",
		    (unsigned long long)lsn);
		errno = EINVAL;
		return -1;
	}
	users = json_object_get(js, "users");
	json_array_foreach(users, i, u)
		(void)users_apply(d, ORD_REC_USER_PUT, u);
	/* older snapshots have none */
	json_object_foreach(json_object_get(js, "paused"), name, u)
		if ((p = config_printer_find(d->cfg, name)) >= 0)
			d->paused[p] = json_is_true(u) ? 1 : -1;
	json_decref(js);
	return 0;
}

static int
replay_record(uint64_t lsn, uint16_t type, const void *p, size_t len,
    void *arg)
{
	struct daemon	*d = arg;
	json_t		*rec;
	json_error_t	 err;

	if (type < QREC_DAEMON_BASE) {
		struct qrec	r;
		int		changed, rc;

		rc = qstate_apply(d->model, lsn << 8, type, p, len);
		/* claimed again after a restart: recovered in between */
		if (rc == -1 && errno == EBUSY && type == QREC_JOB_CLAIMED &&
		    qrec_decode(type, p, len, &r) == 0 &&
		    qstate_recover_job(d->model, r.job_id) == 0) {
			orders_job_requeued(d->orders, r.job_id);
			rc = qstate_apply(d->model, lsn << 8, type, p, len);
		}
		if (rc == -1)
			log_warnx("replay: record %llu (%s): %s",
			    (unsigned long long)lsn, qrec_type_name(type),
			    strerror(errno));
		else if (qrec_decode(type, p, len, &r) == 0)
			(void)orders_job_apply(d->orders, &r, &changed);
		return 0;
	}
	if ((rec = json_loadb(p, len, 0, &err)) == NULL) {
		log_warnx("replay: record %llu: %s", (unsigned long long)lsn,
		    err.text);
		return 0;
	}
	if (apply_record(d, lsn, type, rec) == -1)
		log_warnx("replay: record %llu (type %u) did not apply",
		    (unsigned long long)lsn, type);
	json_decref(rec);
	return 0;
}

/* Put a job of the model back into shm, in FIFO order; remember its slot. */
static int
restore_job(const struct shmq_job *job, void *arg)
{
	struct daemon	*d = arg;
	struct ord_job	*oj;
	struct shmq_ref	 ref;

	if (job->state == SHMQ_PENDING)
		orders_job_requeued(d->orders, job->job_id);
	if (shmq_restore(d->q, job, &ref) == -1)
		return -1;
	if (orders_by_job(d->orders, job->job_id, &oj) != NULL)
		oj->slot = ref.slot;
	return 0;
}

int
store_open(struct daemon *d)
{
	struct journal_opts	 opts;
	struct journal_recovery	 rec;
	struct shmq_params	 p;
	unsigned char		 key[AUTH_KEY_LEN];
	char			 path[PATH_MAX];
	int			 i, n;

	if (auth_key_load(d->cfg->daemon.state_dir, key) == -1) {
		log_warn("%s/token.key", d->cfg->daemon.state_dir);
		return -1;
	}
	d->auth = auth_new(d->cfg->daemon.company, d->cfg->daemon.branch, key);
	d->model = qstate_new();
	d->orders = orders_new(d->cfg, d->menu, d->model);

	memset(&opts, 0, sizeof(opts));
	opts.fsync = d->cfg->daemon.fsync == CONFIG_FSYNC_ALWAYS ?
	    JOURNAL_FSYNC_ALWAYS : d->cfg->daemon.fsync == CONFIG_FSYNC_OFF ?
	    JOURNAL_FSYNC_OFF : JOURNAL_FSYNC_GROUP;
	opts.segment_size = (uint64_t)d->cfg->daemon.segment_mb << 20;
	memset(d->paused, -1, sizeof(d->paused));
	snprintf(path, sizeof(path), "%s/journal", d->cfg->daemon.state_dir);
	if (journal_open(path, &opts, replay_snapshot, replay_record, d, &d->j,
	    &rec) == -1) {
		log_warnx("journal %s: %s", path, rec.message[0] ?
		    rec.message : strerror(errno));
		return -1;
	}
	n = qstate_recover_inflight(d->model);
	log_info("journal: snapshot %llu, %llu records replayed, %zu orders, "
	    "%zu jobs queued (%d were printing: will print as REIMPRESIÓN)",
	    (unsigned long long)rec.snapshot_lsn,
	    (unsigned long long)rec.records, orders_count(d->orders),
	    qstate_count(d->model), n);

	memset(&p, 0, sizeof(p));
	p.instance = d->cfg->daemon.instance;
	p.nslots = (uint32_t)d->cfg->daemon.queue_slots;
	p.payload_max = (uint32_t)d->cfg->daemon.payload_max;
	p.low_max_wait_ns = (uint64_t)d->cfg->daemon.low_max_wait_s * NS_PER_S;
	p.nstations = (uint32_t)d->cfg->nstations;
	for (i = 0; i < d->cfg->nstations; i++)
		p.stations[i] = d->cfg->station[i].name;
	p.nprinters = (uint32_t)d->cfg->nprinters;
	for (i = 0; i < d->cfg->nprinters; i++) {
		p.printers[i] = d->cfg->printer[i].name;
		p.printer_station[i] = (uint16_t)d->cfg->printer[i].station;
	}
	/*
	 * A segment left by a daemon that died is rebuilt from the journal,
	 * the truth.  One a live daemon holds (its flock) is not ours to take:
	 * two daemons configured with the same instance name.
	 */
	snprintf(path, sizeof(path), "/fastops.%s", p.instance);
	if ((d->shm_lockfd = shm_open(path, O_RDWR | O_CLOEXEC, 0)) != -1) {
		if (flock(d->shm_lockfd, LOCK_EX | LOCK_NB) == -1) {
			log_warnx("shared memory %s is in use by another "
			    "fastops-queued: give this one another instance "
			    "name", path);
			close(d->shm_lockfd);
			d->shm_lockfd = -1;
			return -1;
		}
		close(d->shm_lockfd);
	}
	p.recover = 1;
	if (shmq_create(&p, &d->q) == -1) {
		log_warnx("shared memory %s: %s", path, shmq_strerror());
		return -1;
	}
	if ((d->shm_lockfd = shm_open(path, O_RDWR | O_CLOEXEC, 0)) == -1 ||
	    flock(d->shm_lockfd, LOCK_EX | LOCK_NB) == -1) {
		log_warn("locking %s", path);
		return -1;
	}
	/* paused as an admin last said (journaled), else as configured */
	for (i = 0; i < d->cfg->nprinters; i++)
		if (d->paused[i] == 1 || (d->paused[i] == -1 &&
		    d->cfg->printer[i].paused)) {
			(void)shmq_printer_pause(d->q, (uint32_t)i, 1);
			log_info("printer %s starts paused%s",
			    d->cfg->printer[i].name, d->paused[i] == 1 ?
			    " (paused by hand before the restart)" : "");
		}
	if (qstate_foreach(d->model, restore_job, d) != 0) {
		log_warnx("rebuilding the queue: %s", shmq_strerror());
		return -1;
	}
	return 0;
}

void
store_close(struct daemon *d)
{
	if (d->j != NULL)
		journal_close(d->j);
	if (d->q != NULL)
		shmq_destroy(d->q);
	if (d->shm_lockfd != -1)
		close(d->shm_lockfd);
	d->shm_lockfd = -1;
	orders_free(d->orders);
	jbuf_fini(&d->rec_text);
	qstate_free(d->model);
	auth_free(d->auth);
	d->j = NULL;
	d->q = NULL;
	d->orders = NULL;
	d->model = NULL;
	d->auth = NULL;
}

/* Snapshot the state as of the last appended record.  Under d->lock. */
int
store_snapshot(struct daemon *d)
{
	json_t		*js, *users, *paused;
	void		*qsnap;
	char		*text;
	uint8_t		*buf;
	size_t		 qlen, tlen, i;
	uint64_t	 lsn = journal_last_lsn(d->j);
	int		 rc;

	if (lsn == 0 || d->readonly)
		return 0;
	if (qstate_snapshot(d->model, &qsnap, &qlen) == -1)
		return -1;
	users = json_array();
	for (i = 0; i < auth_user_count(d->auth); i++) {
		const struct auth_user *u = auth_user_at(d->auth, i);

		json_array_append_new(users, json_pack("{s:s, s:s, s:s}",
		    "name", u->name, "role", auth_role_name(u->role),
		    "hash", u->hash));
	}
	paused = json_object();
	for (i = 0; i < (size_t)d->cfg->nprinters; i++)
		if (d->paused[i] == 1)
			json_object_set_new(paused, d->cfg->printer[i].name,
			    json_true());
	js = json_pack("{s:o, s:o, s:o}", "orders", orders_snapshot(d->orders),
	    "users", users, "paused", paused);
	text = json_dumps(js, JSON_COMPACT);
	json_decref(js);
	tlen = strlen(text);
	buf = xmalloc(4 + qlen + tlen);
	le32_put(buf, (uint32_t)qlen);
	memcpy(buf + 4, qsnap, qlen);
	memcpy(buf + 4 + qlen, text, tlen);
	rc = journal_snapshot(d->j, lsn, buf, 4 + qlen + tlen);
	if (rc == 0) {
		d->records_since_snapshot = 0;
		log_info("snapshot at LSN %llu (%zu bytes)",
		    (unsigned long long)lsn, 4 + qlen + tlen);
	} else
		log_warn("snapshot at LSN %llu", (unsigned long long)lsn);
	free(buf);
	free(text);
	free(qsnap);
	return rc;
}

/* --- the commit threads ----------------------------------------------------- */

int
store_enqueue_job(struct daemon *d, uint64_t job_id)
{
	struct shmq_job	 job;
	struct shmq_ref	 ref;
	struct ord_job	*oj;

	if (qstate_get(d->model, job_id, &job) == -1 ||
	    job.state != SHMQ_PENDING)
		return 0;	/* cancelled before it was durable */
	job.avoid_printer = -1;
	if (shmq_enqueue(d->q, &job, &ref) == -1) {
		log_warn("job %llu: cannot enter the shm queue",
		    (unsigned long long)job_id);
		return -1;
	}
	if (orders_by_job(d->orders, job_id, &oj) != NULL)
		oj->slot = ref.slot;
	return 0;
}

static void
commit_free(struct commit *c)
{
	json_decref(c->reply);
	free(c->ev);
	jbuf_fini(&c->evtext);
	jbuf_fini(&c->order);
	free(c->enqueue);
	free(c);
}

/* Hand an entry to the commit threads (which then own it).  Under lock. */
void
store_commit(struct daemon *d, struct commit *c)
{
	c->next = NULL;
	if (d->commit_tail != NULL)
		d->commit_tail->next = c;
	else
		d->commit_head = c;
	d->commit_tail = c;
	pthread_cond_signal(&d->commit_cv);
}

/*
 * The syncer: take every entry queued so far, one fdatasync for them all,
 * hand them to the publishers, and at once again.  Publishing never holds
 * up the next fdatasync: what arrives during one sync is the next batch,
 * and it starts the moment this one ends.
 */
static void *
syncer_main(void *arg)
{
	struct daemon	*d = arg;
	struct commit	*list, *c, *last;
	uint64_t	 max;
	int		 rc;

	pthread_mutex_lock(&d->lock);
	for (;;) {
		while (d->commit_head == NULL && !d->commit_stop)
			pthread_cond_wait(&d->commit_cv, &d->lock);
		if (d->commit_head == NULL)
			break;		/* stopping, and nothing left */
		list = d->commit_head;
		d->commit_head = d->commit_tail = NULL;
		for (max = 0, c = last = list; c != NULL; last = c, c = c->next) {
			if (c->lsn > max)
				max = c->lsn;
			d->commit_busy++;
		}
		pthread_mutex_unlock(&d->lock);

		rc = max == 0 ? 0 : journal_sync(d->j, max);

		pthread_mutex_lock(&d->lock);
		if (rc == -1)
			store_failed(d, journal_error(d->j) ?
			    journal_error(d->j) : strerror(errno));
		/* in the order taken: the publishers keep it */
		if (d->post_tail != NULL)
			d->post_tail->next = list;
		else
			d->post_head = list;
		d->post_tail = last;
		pthread_cond_signal(&d->post_cv);
	}
	d->syncer_done = 1;
	pthread_cond_broadcast(&d->post_cv);
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

/*
 * Publish what is durable: under the lock, tickets into shm, the order's
 * text, events — taken and done in one go, so in LSN order whichever
 * publisher does it; then, without the lock, the replies (several
 * publishers send them side by side).  An entry beyond the durable LSN is
 * one whose fdatasync failed: it is answered ESTORAGE.
 */
static void *
publisher_main(void *arg)
{
	struct daemon	*d = arg;
	struct commit	*list, *c, *next;
	struct jbuf	 b = JBUF_INITIALIZER;
	int		 k;

	pthread_mutex_lock(&d->lock);
	for (;;) {
		while (d->post_head == NULL && !d->syncer_done)
			pthread_cond_wait(&d->post_cv, &d->lock);
		if (d->post_head == NULL)
			break;		/* the syncer is gone, nothing left */
		list = d->post_head;
		d->post_head = d->post_tail = NULL;
		for (c = list; c != NULL; c = c->next) {
			d->commit_busy--;
			if (c->lsn > journal_durable_lsn(d->j)) {
				json_decref(c->reply);
				c->reply = ops_error(FO_ESTORAGE, "the journal "
				    "could not be written to disk; nothing was "
				    "changed");
				continue;
			}
			for (k = 0; k < c->nenqueue; k++)
				(void)store_enqueue_job(d, c->enqueue[k]);
			if (c->nenqueue > 0)
				supervisor_wake(d->sv);
			if (c->order_id != 0) {
				struct order *o = orders_get(d->orders,
				    c->order_id);

				if (o != NULL)
					ops_order_text(d, o, &c->order);
			}
			for (k = 0; k < c->nev; k++) {
				const struct commit_ev *e = &c->ev[k];

				jbuf_reset(&b);
				jbuf_add(&b, c->evtext.s + e->off, e->len);
				if (e->with_order) {
					jbuf_reopen(&b, "order");
					if (c->order.len > 0)
						jbuf_add(&b, c->order.s,
						    c->order.len);
					else
						jbuf_add(&b, "null", 4);
					jbuf_add(&b, "}", 1);
				}
				events_publish_text(d->ev, e->kind, b.s, b.len);
			}
		}
		pthread_mutex_unlock(&d->lock);
		for (c = list; c != NULL; c = next) {
			next = c->next;
			if (c->ctx != NULL && c->order.len > 0) {
				/* {"ok":true, ..., "order":{...}} */
				jbuf_reset(&b);
				if (jbuf_dump(&b, c->reply) == -1)
					fatalx("%s: a reply that is not JSON",
					    __func__);
				jbuf_reopen(&b, "order");
				jbuf_add(&b, c->order.s, c->order.len);
				jbuf_add(&b, "}", 1);
				api_reply_text(c->ctx, b.s, b.len, 1,
				    c->start_ns);
			} else if (c->ctx != NULL) {
				api_reply(c->ctx, c->reply, c->start_ns);
				c->reply = NULL;	/* api_reply took it */
			}
			commit_free(c);
		}
		pthread_mutex_lock(&d->lock);
	}
	pthread_mutex_unlock(&d->lock);
	jbuf_fini(&b);
	return NULL;
}

int
store_start_committer(struct daemon *d)
{
	int	i;

	pthread_cond_init(&d->commit_cv, NULL);
	pthread_cond_init(&d->post_cv, NULL);
	d->commit_stop = 0;
	d->syncer_done = 0;
	if ((errno = pthread_create(&d->syncer, NULL, syncer_main, d)) != 0)
		return -1;
	for (i = 0; i < PUBLISHERS; i++)
		if ((errno = pthread_create(&d->publisher[i], NULL,
		    publisher_main, d)) != 0)
			return -1;
	return 0;
}

void
store_stop_committer(struct daemon *d)
{
	int	i;

	pthread_mutex_lock(&d->lock);
	d->commit_stop = 1;
	pthread_cond_broadcast(&d->commit_cv);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->syncer, NULL);
	for (i = 0; i < PUBLISHERS; i++)
		pthread_join(d->publisher[i], NULL);
}
