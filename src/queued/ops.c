/*
 * ops — the operations of the protocol (fastops(7) documents them).
 *
 * Each runs under d->lock.  Operations that change something build one
 * journal record, append and apply it (store_append), and hand the reply
 * to the commit thread with what must happen once the record is durable:
 * tickets into the shm queue, events out.  Reads answer at once when what
 * they show is already durable, else they too wait for the commit thread.
 * A refusal changes nothing and answers at once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "daemon.h"
#include "jbuf.h"
#include "log.h"
#include "pgsync.h"
#include "xmalloc.h"

#define R_WAITER	(1 << AUTH_WAITER)
#define R_KITCHEN	(1 << AUTH_KITCHEN)
#define R_ADMIN		(1 << AUTH_ADMIN)
#define R_STAFF		(R_WAITER | R_KITCHEN | R_ADMIN)
#define R_ANYONE	0x100	/* no session needed */

/* Rough upper bound of a ticket's JSON, to refuse what cannot fit a slot. */
#define TICKET_OVERHEAD	512
#define TICKET_PER_ITEM	48

typedef json_t *(*op_fn)(struct daemon *, struct api_ctx *, json_t *,
    const struct auth_session *, uint64_t);

struct op {
	const char	*name;
	int		 roles;
	op_fn		 fn;
};

static json_t	*op_login(struct daemon *, struct api_ctx *, json_t *,
		    const struct auth_session *, uint64_t);
static json_t	*op_logout(struct daemon *, struct api_ctx *, json_t *,
		    const struct auth_session *, uint64_t);
static json_t	*op_menu(struct daemon *, struct api_ctx *, json_t *,
		    const struct auth_session *, uint64_t);
static json_t	*op_order_create(struct daemon *, struct api_ctx *, json_t *,
		    const struct auth_session *, uint64_t);
static json_t	*op_order_get(struct daemon *, struct api_ctx *, json_t *,
		    const struct auth_session *, uint64_t);
static json_t	*op_order_list(struct daemon *, struct api_ctx *, json_t *,
		    const struct auth_session *, uint64_t);
static json_t	*op_order_change(struct daemon *, struct api_ctx *, json_t *,
		    const struct auth_session *, uint64_t);
static json_t	*op_queue_status(struct daemon *, struct api_ctx *, json_t *,
		    const struct auth_session *, uint64_t);
static json_t	*op_jobs_list(struct daemon *, struct api_ctx *, json_t *,
		    const struct auth_session *, uint64_t);
static json_t	*op_stats(struct daemon *, struct api_ctx *, json_t *,
		    const struct auth_session *, uint64_t);
static json_t	*op_health(struct daemon *, struct api_ctx *, json_t *,
		    const struct auth_session *, uint64_t);
static json_t	*op_users_add(struct daemon *, struct api_ctx *, json_t *,
		    const struct auth_session *, uint64_t);
static json_t	*op_users_list(struct daemon *, struct api_ctx *, json_t *,
		    const struct auth_session *, uint64_t);
static json_t	*op_users_del(struct daemon *, struct api_ctx *, json_t *,
		    const struct auth_session *, uint64_t);

static const struct op ops[] = {
	{ "login",		R_ANYONE,		op_login },
	{ "logout",		R_STAFF,		op_logout },
	{ "menu",		R_STAFF,		op_menu },
	{ "order.create",	R_WAITER | R_ADMIN,	op_order_create },
	{ "order.get",		R_STAFF,		op_order_get },
	{ "order.list",		R_STAFF,		op_order_list },
	{ "order.modify",	R_WAITER | R_ADMIN,	op_order_change },
	{ "order.cancel",	R_WAITER | R_ADMIN,	op_order_change },
	{ "order.urgent",	R_WAITER | R_ADMIN,	op_order_change },
	{ "order.reprint",	R_STAFF,		op_order_change },
	{ "order.bump",		R_KITCHEN | R_ADMIN,	op_order_change },
	{ "queue.status",	R_STAFF,		op_queue_status },
	{ "jobs.list",		R_STAFF,		op_jobs_list },
	{ "stats",		R_STAFF,		op_stats },
	{ "dashboard",		R_STAFF,		ops_dashboard },
	{ "turbo",		R_STAFF,		ops_turbo },
	{ "workers.scale",	R_ADMIN,		ops_workers_scale },
	{ "printers",		R_STAFF,		ops_printers },
	{ "printer.pause",	R_ADMIN,		ops_printer_pause },
	{ "printer.resume",	R_ADMIN,		ops_printer_pause },
	{ "jobs.retry",		R_ADMIN,		ops_jobs_retry },
	{ "jobs.clear_failed",	R_ADMIN,		ops_jobs_retry },
	{ "health",		R_ANYONE,		op_health },
	{ "users.add",		R_ADMIN,		op_users_add },
	{ "users.list",		R_ADMIN,		op_users_list },
	{ "users.del",		R_ADMIN,		op_users_del },
};

json_t *
ops_error(const char *code, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b, s:{s:s, s:s}}", "ok", 0, "error", "code", code,
	    "message", msg);
}

static json_t *
ok_reply(void)
{
	return json_pack("{s:b}", "ok", 1);
}

json_t *
ops_dispatch(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t start_ns)
{
	const char	*name = json_string_value(json_object_get(req, "op"));
	json_t		*reply;
	size_t		 i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].name, name) != 0)
			continue;
		if (!(ops[i].roles & R_ANYONE)) {
			if ((int)s->role < 0 && s->bad_token)
				return ops_error(FO_EAUTH, "the session is not "
				    "valid here (expired, logged out, or "
				    "another branch): log in again");
			if ((int)s->role < 0)
				return ops_error(FO_EAUTH, "log in first");
			if (!(ops[i].roles & (1 << s->role)))
				return ops_error(FO_EPERM, "a %s may not %s",
				    auth_role_name(s->role), name);
		}
		/* checked under the lock: main sets it under the lock too,
		 * so after that no request can still queue a commit */
		pthread_mutex_lock(&d->lock);
		if (d->stopping)
			reply = ops_error(FO_ESHUTDOWN, "the daemon is "
			    "stopping; try again in a moment");
		else
			reply = ops[i].fn(d, c, req, s, start_ns);
		pthread_mutex_unlock(&d->lock);
		return reply;
	}
	return ops_error(FO_ENOSYS, "unknown op \"%.64s\"", name);
}

/*
 * Answer once everything up to lsn is durable: at once if it is, else via
 * the commit thread.  Takes the reply.
 */
static json_t *
reply_after(struct daemon *d, struct api_ctx *c, json_t *reply, uint64_t lsn,
    uint64_t order_id, uint64_t start_ns)
{
	if (lsn <= journal_durable_lsn(d->j) && order_id == 0)
		return reply;
	store_commit(d, commit_new(c, reply, lsn, order_id, start_ns));
	return NULL;
}

/* A commit entry: reply (taken) goes to c once lsn is durable. */
struct commit *
commit_new(struct api_ctx *c, json_t *reply, uint64_t lsn, uint64_t order_id,
    uint64_t start_ns)
{
	struct commit	*cm;

	cm = xcalloc(1, sizeof(*cm));
	cm->lsn = lsn;
	cm->ctx = c;
	cm->reply = reply;
	cm->order_id = order_id;
	cm->start_ns = start_ns;
	return cm;
}

/*
 * The order as replies and events show it, with its queue position and
 * the estimated seconds until its last ticket is printed, appended to b.
 */
void
ops_order_text(struct daemon *d, const struct order *ord, struct jbuf *b)
{
	struct shmq_ref		ref;
	struct histogram	h;
	uint32_t		pos, len, worst = 0, worst_len = 0;
	double			per_ticket = 3.0;
	int			i, nprinters = 1;

	if (shmq_read_hist(d->q, SHMQ_H_PRINT, &h) == 0 && h.count > 0)
		per_ticket = hist_mean(&h) / 1e9;
	for (i = 0; i < ord->njobs; i++) {
		if (ord->jobs[i].slot == NO_SLOT)
			continue;
		ref.slot = ord->jobs[i].slot;
		ref.job_id = ord->jobs[i].id;
		if (shmq_position(d->q, &ref, &pos, &len) == -1)
			continue;
		if (pos > worst) {
			worst = pos;
			worst_len = len;
			nprinters = d->cfg->station[ord->jobs[i].station].
			    nprinters;
		}
	}
	orders_to_text(d->orders, ord, b);
	jbuf_reopen(b, "queue_position");
	jbuf_printf(b, "%I,\"queue_length\":%I,\"eta_s\":%I}",
	    (long long)worst, (long long)worst_len, worst == 0 ? 0LL :
	    (long long)(worst * per_ticket / (nprinters > 0 ? nprinters : 1) +
	    0.999));
}

/* The same as a jansson object, for replies that list orders. */
json_t *
ops_order_json(struct daemon *d, const struct order *ord)
{
	struct jbuf	 b = JBUF_INITIALIZER;
	json_t		*o;

	ops_order_text(d, ord, &b);
	/* cannot fail: every string in it was checked as it came in */
	if ((o = json_loadb(b.s, b.len, 0, NULL)) == NULL) {
		log_warnx("%s: order %s does not parse", __func__, ord->number);
		o = json_object();
	}
	jbuf_fini(&b);
	return o;
}

/* --- sessions -------------------------------------------------------------- */

static json_t *
op_login(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	const struct auth_user	*u;
	const char		*user, *pin, *code;
	char			 token[AUTH_TOKEN_MAX];
	uint64_t		 exp;
	int			 role;

	if (json_unpack(req, "{s:s, s:s}", "user", &user, "pin", &pin) != 0)
		return ops_error(FO_EINVAL,
		    "login needs \"user\" and \"pin\" strings");
	/* the PIN check is slow on purpose: do not hold the lock for it */
	pthread_mutex_unlock(&d->lock);
	if (auth_login(d->auth, user, pin, token, &exp, &code) == -1) {
		pthread_mutex_lock(&d->lock);
		if (code != NULL && strcmp(code, FO_EBUSY) == 0)
			return ops_error(FO_EBUSY, "too many wrong PINs: wait "
			    "%d seconds", AUTH_LOCK_S);
		return ops_error(FO_EAUTH, "wrong user or PIN");
	}
	pthread_mutex_lock(&d->lock);
	if ((u = auth_user_get(d->auth, user)) == NULL)
		return ops_error(FO_EAUTH, "wrong user or PIN");
	role = (int)u->role;
	return json_pack("{s:b, s:s, s:{s:s, s:s}, s:s, s:s, s:I}", "ok", 1,
	    "token", token, "user", "name", user, "role",
	    auth_role_name((enum auth_role)role), "company",
	    d->cfg->daemon.company, "branch", d->cfg->daemon.branch,
	    "expires", (json_int_t)exp);
}

static json_t *
op_logout(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	json_t	*tok = json_object_get(req, "token");

	if (json_is_string(tok))
		auth_logout(d->auth, json_string_value(tok));
	return ok_reply();
}

static json_t *
op_menu(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	json_t	*cats, *prods;
	size_t	 i;
	int	 st;

	cats = json_array();
	for (i = 0; i < menu_ncategories(d->menu); i++)
		json_array_append_new(cats, json_string(
		    menu_category(d->menu, i)->name));
	prods = json_array();
	for (i = 0; i < menu_count(d->menu); i++) {
		const struct menu_product *p = menu_product(d->menu, i);

		st = config_route(d->cfg, p->category);
		json_array_append_new(prods, json_pack("{s:s, s:s, s:s, s:i,"
		    " s:s}", "id", p->id, "name", p->name,
		    "category", p->category, "price_cents", p->price_cents,
		    "station", st >= 0 ? d->cfg->station[st].name : ""));
	}
	return json_pack("{s:b, s:o, s:o}", "ok", 1, "categories", cats,
	    "products", prods);
}

/* --- orders ------------------------------------------------------------------ */

/* Jobs listed in a record ("jobs": [{"id": ...}]), to enqueue once durable. */
static void
commit_jobs(struct commit *cm, json_t *rec)
{
	json_t	*jobs = json_object_get(rec, "jobs"), *j;
	size_t	 i;

	cm->nenqueue = (int)json_array_size(jobs);
	cm->enqueue = xcalloc((size_t)cm->nenqueue + 1, sizeof(uint64_t));
	json_array_foreach(jobs, i, j)
		cm->enqueue[i] = (uint64_t)json_integer_value(
		    json_object_get(j, "id"));
}

/*
 * An event to publish once durable, its object written by jbuf_printf.
 * with_order: the publisher adds the order ("order": {...}) as its last
 * member, rendered once for the reply and every event that shows it.
 */
void
commit_event(struct commit *cm, const char *kind, int with_order,
    const char *fmt, ...)
{
	struct commit_ev	*e;
	va_list			 ap;

	cm->ev = xreallocarray(cm->ev, (size_t)cm->nev + 1, sizeof(*cm->ev));
	e = &cm->ev[cm->nev++];
	e->kind = kind;
	e->with_order = with_order;
	e->off = cm->evtext.len;
	va_start(ap, fmt);
	jbuf_vprintf(&cm->evtext, fmt, ap);
	va_end(ap);
	e->len = cm->evtext.len - e->off;
}

/* Would every ticket of these items fit a queue slot? */
static int
tickets_fit(struct daemon *d, json_t *items)
{
	size_t	 need[CONFIG_STATIONS_MAX] = { 0 }, i;
	json_t	*it;
	int	 st;

	json_array_foreach(items, i, it) {
		st = (int)json_integer_value(json_object_get(it, "station"));
		if (st < 0 || st >= CONFIG_STATIONS_MAX)
			return 0;
		need[st] += TICKET_PER_ITEM + json_string_length(
		    json_object_get(it, "name")) + json_string_length(
		    json_object_get(it, "notes"));
	}
	for (st = 0; st < CONFIG_STATIONS_MAX; st++)
		if (need[st] > 0 && need[st] + TICKET_OVERHEAD >
		    (size_t)d->cfg->daemon.payload_max)
			return 0;
	return 1;
}

static int
queue_has_room(struct daemon *d, json_t *rec)
{
	struct shmq_counters	c;

	if (shmq_read_counters(d->q, &c) == -1)
		return 1;
	/* leave room for jobs accepted but not yet in shm */
	return c.free_slots >= json_array_size(json_object_get(rec, "jobs")) +
	    qstate_count(d->model) - (c.nslots - c.free_slots);
}

static json_t *
op_order_create(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	struct commit	*cm;
	struct order	*ord;
	json_t		*rec, *v;
	const char	*code;
	char		 msg[256], uuid[FO_UUID_LEN + 1];
	uint64_t	 lsn;
	size_t		 i;

	/* a retried request gets the original order, never a second one */
	v = json_object_get(req, "uuid");
	if (json_is_string(v) && json_string_length(v) == FO_UUID_LEN) {
		for (i = 0; i < FO_UUID_LEN; i++) {
			char ch = json_string_value(v)[i];

			uuid[i] = ch >= 'A' && ch <= 'F' ?
			    (char)(ch - 'A' + 'a') : ch;
		}
		uuid[FO_UUID_LEN] = '\0';
		if ((ord = orders_by_uuid(d->orders, uuid)) != NULL)
			return reply_after(d, c, json_pack("{s:b, s:b}", "ok",
			    1, "duplicate", 1), ord->lsn, ord->id, t0);
	}
	if (d->readonly)
		return ops_error(FO_ESTORAGE, "the journal failed: no new "
		    "orders can be taken safely");
	if (orders_prepare_create(d->orders, req, s->user, &rec, &code, msg,
	    sizeof(msg)) == -1)
		return ops_error(code, "%s", msg);
	if (!tickets_fit(d, json_object_get(rec, "items"))) {
		json_decref(rec);
		return ops_error(FO_EINVAL, "too many lines for one ticket: "
		    "split the order");
	}
	if (!queue_has_room(d, rec)) {
		json_decref(rec);
		return ops_error(FO_EFULL, "the print queue is full");
	}
	if ((lsn = store_append(d, ORD_REC_CREATED, rec)) == 0) {
		json_decref(rec);
		return ops_error(FO_ESTORAGE, "the journal could not take the "
		    "order: %s", strerror(errno));
	}
	d->orders_created++;
	ord = orders_get(d->orders, (uint64_t)json_integer_value(
	    json_object_get(rec, "id")));
	cm = commit_new(c, json_pack("{s:b}", "ok", 1), lsn,
	    ord != NULL ? ord->id : 0, t0);
	commit_jobs(cm, rec);
	if (ord != NULL) {
		/* the publisher fills in the order, shared with the reply */
		commit_event(cm, FO_EV_ORDER_CREATED, 1, "{}");
		for (i = 0; i < (size_t)ord->njobs; i++)
			commit_event(cm, FO_EV_JOB_QUEUED, 0, "{\"job\":%I,"
			    "\"order\":%I,\"number\":%S,\"station\":%S,"
			    "\"priority\":%S}", (long long)ord->jobs[i].id,
			    (long long)ord->id, ord->number,
			    d->cfg->station[ord->jobs[i].station].name,
			    orders_prio_name(ord->jobs[i].prio));
	}
	json_decref(rec);
	store_commit(d, cm);
	return NULL;
}

static json_t *
op_order_get(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	struct order	*ord;
	json_t		*id = json_object_get(req, "id");

	if (!json_is_integer(id) || json_integer_value(id) < 1)
		return ops_error(FO_EINVAL, "\"id\" must be a positive "
		    "integer");
	if ((ord = orders_get(d->orders, (uint64_t)json_integer_value(id)))
	    == NULL)
		return ops_error(FO_ENOENT, "no order %lld",
		    (long long)json_integer_value(id));
	if (ord->lsn > journal_durable_lsn(d->j))
		return reply_after(d, c, json_pack("{s:b}", "ok", 1),
		    ord->lsn, ord->id, t0);
	return json_pack("{s:b, s:o}", "ok", 1, "order",
	    ops_order_json(d, ord));
}

/* page/per_page, validated; -1 with *err set on nonsense. */
static int
paging(json_t *req, int *page, int *per_page, json_t **err)
{
	json_t	*v;

	*page = 1;
	*per_page = FO_PER_PAGE_DEFAULT;
	if ((v = json_object_get(req, "page")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 1000000) {
			*err = ops_error(FO_EINVAL, "\"page\" must be an "
			    "integer from 1");
			return -1;
		}
		*page = (int)json_integer_value(v);
	}
	if ((v = json_object_get(req, "per_page")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > FO_PER_PAGE_MAX) {
			*err = ops_error(FO_EINVAL, "\"per_page\" must be an "
			    "integer from 1 to %d", FO_PER_PAGE_MAX);
			return -1;
		}
		*per_page = (int)json_integer_value(v);
	}
	return 0;
}

static json_t *
op_order_list(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	struct order	**res;
	json_t		*err, *arr, *v;
	const char	*waiter = NULL;
	int		 page, per_page, state = -1, n, total, i;

	if (paging(req, &page, &per_page, &err) == -1)
		return err;
	if ((v = json_object_get(req, "state")) != NULL) {
		if (json_is_string(v))
			for (i = 0; i <= ORD_CANCELADO; i++)
				if (strcmp(orders_state_name(i),
				    json_string_value(v)) == 0)
					state = i;
		if (state == -1)
			return ops_error(FO_EINVAL, "\"state\" must be an "
			    "order state (recibido, en_cola, ...)");
	}
	if ((v = json_object_get(req, "mine")) != NULL) {
		if (!json_is_boolean(v))
			return ops_error(FO_EINVAL, "\"mine\" must be true or "
			    "false");
		if (json_is_true(v))
			waiter = s->user;
	}
	n = orders_list(d->orders, state, waiter, page, per_page, &res,
	    &total);
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, ops_order_json(d, res[i]));
	free(res);
	return reply_after(d, c, json_pack("{s:b, s:o, s:i, s:i, s:i}", "ok",
	    1, "orders", arr, "total", total, "page", page, "per_page",
	    per_page), journal_last_lsn(d->j), 0, t0);
}

/*
 * Cancelling (and replacing, for a modification) takes waiting tickets out
 * of the shm queue before the record is written: taking out is safe early,
 * putting in is not.  A ticket a printer claimed meanwhile cannot be taken
 * back: its station gets a ticket of kind race_kind instead (CANCELACIÓN,
 * or a MODIFICACIÓN delta in place of the replacement).
 */
static void
remove_in_shm(struct daemon *d, json_t *rec, const char *race_kind)
{
	json_t		*removed = json_object_get(rec, "removed");
	json_t		*jobs = json_object_get(rec, "jobs"), *v, *j;
	struct shmq_ref	 ref;
	struct ord_job	*job;
	size_t		 i, k;
	int		 st, have;

	for (i = 0; i < json_array_size(removed);) {
		v = json_array_get(removed, i);
		if (orders_by_job(d->orders, (uint64_t)json_integer_value(v),
		    &job) == NULL || job->slot == NO_SLOT) {
			i++;
			continue;
		}
		ref.slot = job->slot;
		ref.job_id = job->id;
		if (shmq_cancel(d->q, &ref) == 0 || errno == ENOENT) {
			job->slot = NO_SLOT;
			i++;
			continue;
		}
		/* claimed by a printer meanwhile */
		st = job->station;
		have = 0;
		json_array_foreach(jobs, k, j) {
			if (json_integer_value(json_object_get(j, "station"))
			    != st)
				continue;
			have = 1;
			json_object_set_new(j, "kind", json_string(race_kind));
			json_object_del(j, "full");
		}
		if (!have)
			json_array_append_new(jobs, json_pack("{s:I, s:i, s:s,"
			    " s:i}", "id", (json_int_t)(orders_next_job_id(
			    d->orders) + json_array_size(jobs)), "station", st,
			    "kind", race_kind, "prio", SHMQ_URGENT));
		json_array_remove(removed, i);
	}
}

static json_t *
op_order_change(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	const char	*op = json_string_value(json_object_get(req, "op"));
	struct commit	*cm;
	struct order	*ord;
	struct shmq_ref	 ref;
	json_t		*rec, *v;
	const char	*code;
	char		 msg[256];
	uint16_t	 type;
	uint64_t	 lsn;
	size_t		 i;
	int		 rc;

	if (d->readonly)
		return ops_error(FO_ESTORAGE, "the journal failed: no changes "
		    "can be made safely");
	if (strcmp(op, "order.modify") == 0) {
		type = ORD_REC_MODIFIED;
		rc = orders_prepare_modify(d->orders, req, &rec, &code, msg,
		    sizeof(msg));
	} else if (strcmp(op, "order.cancel") == 0) {
		type = ORD_REC_CANCELLED;
		rc = orders_prepare_cancel(d->orders, req, &rec, &code, msg,
		    sizeof(msg));
	} else if (strcmp(op, "order.urgent") == 0) {
		type = ORD_REC_URGENT;
		rc = orders_prepare_urgent(d->orders, req, &rec, &code, msg,
		    sizeof(msg));
	} else if (strcmp(op, "order.reprint") == 0) {
		type = ORD_REC_REPRINT;
		rc = orders_prepare_reprint(d->orders, req, &rec, &code, msg,
		    sizeof(msg));
	} else {
		type = ORD_REC_BUMPED;
		rc = orders_prepare_bump(d->orders, req, &rec, &code, msg,
		    sizeof(msg));
	}
	if (rc == -1)
		return ops_error(code, "%s", msg);
	if (type == ORD_REC_MODIFIED &&
	    !tickets_fit(d, json_object_get(rec, "items"))) {
		json_decref(rec);
		return ops_error(FO_EINVAL, "too many lines for one ticket");
	}
	if (json_array_size(json_object_get(rec, "jobs")) > 0 &&
	    !queue_has_room(d, rec)) {
		json_decref(rec);
		return ops_error(FO_EFULL, "the print queue is full");
	}
	if (type == ORD_REC_CANCELLED)
		remove_in_shm(d, rec, "cancel");
	if (type == ORD_REC_MODIFIED)
		remove_in_shm(d, rec, "modify");
	if (type == ORD_REC_URGENT)
		json_array_foreach(json_object_get(rec, "promoted"), i, v)
			if (shmq_find(d->q, (uint64_t)json_integer_value(v),
			    &ref) == 0)
				(void)shmq_promote(d->q, &ref);
	if ((lsn = store_append(d, type, rec)) == 0) {
		json_decref(rec);
		return ops_error(FO_ESTORAGE, "the journal could not take the "
		    "change: %s", strerror(errno));
	}
	ord = orders_get(d->orders, (uint64_t)json_integer_value(
	    json_object_get(rec, "id")));
	cm = commit_new(c, json_pack("{s:b}", "ok", 1), lsn,
	    ord != NULL ? ord->id : 0, t0);
	commit_jobs(cm, rec);
	if (ord != NULL) {
		commit_event(cm, FO_EV_ORDER_UPDATED, 1, "{\"change\":%S}",
		    op + strlen("order."));
		json_array_foreach(json_object_get(rec, "jobs"), i, v)
			commit_event(cm, FO_EV_JOB_QUEUED, 0, "{\"job\":%I,"
			    "\"order\":%I,\"number\":%S,\"station\":%S,"
			    "\"priority\":%S}", (long long)json_integer_value(
			    json_object_get(v, "id")), (long long)ord->id,
			    ord->number, d->cfg->station[json_integer_value(
			    json_object_get(v, "station"))].name,
			    orders_prio_name((int)json_integer_value(
			    json_object_get(v, "prio"))));
	}
	json_decref(rec);
	store_commit(d, cm);
	return NULL;
}

/* --- queue and statistics ------------------------------------------------------ */

struct station_count {
	uint32_t	pending[SHMQ_NPRIO];
	uint32_t	processing;
	uint32_t	failed;
};

static int
count_job(const struct shmq_job *j, void *arg)
{
	struct station_count	*sc = arg;

	if (j->station >= CONFIG_STATIONS_MAX)
		return 0;
	if (j->state == SHMQ_PENDING && j->prio < SHMQ_NPRIO)
		sc[j->station].pending[j->prio]++;
	else if (j->state == SHMQ_PROCESSING)
		sc[j->station].processing++;
	else if (j->state == SHMQ_FAILED)
		sc[j->station].failed++;
	return 0;
}

static json_t *
op_queue_status(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	struct station_count	 sc[CONFIG_STATIONS_MAX];
	struct shmq_counters	 q;
	json_t			*st;
	int			 i;

	memset(sc, 0, sizeof(sc));
	(void)qstate_foreach(d->model, count_job, sc);
	if (shmq_read_counters(d->q, &q) == -1)
		memset(&q, 0, sizeof(q));
	st = json_array();
	for (i = 0; i < d->cfg->nstations; i++)
		json_array_append_new(st, json_pack("{s:s, s:i, s:i, s:i, s:i,"
		    " s:i}", "name", d->cfg->station[i].name,
		    "urgent", sc[i].pending[SHMQ_URGENT],
		    "normal", sc[i].pending[SHMQ_NORMAL],
		    "low", sc[i].pending[SHMQ_LOW],
		    "processing", sc[i].processing, "failed", sc[i].failed));
	return json_pack("{s:b, s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i}, s:o}",
	    "ok", 1, "queue", "urgent", q.pending[SHMQ_URGENT],
	    "normal", q.pending[SHMQ_NORMAL], "low", q.pending[SHMQ_LOW],
	    "processing", q.processing, "failed", q.failed_now,
	    "free_slots", q.free_slots, "slots", q.nslots, "stations", st);
}

struct jobs_filter {
	int		 state;		/* -1: any */
	int		 skip, want, total;
	json_t		*out;
	struct daemon	*d;
};

static int
list_job(const struct shmq_job *j, void *arg)
{
	static const char	*names[] = { "free", "pending", "processing",
				    "failed" };
	struct jobs_filter	*f = arg;
	struct order		*ord;

	if (f->state != -1 && j->state != f->state)
		return 0;
	if (f->total++ < f->skip || (int)json_array_size(f->out) >= f->want)
		return 0;
	ord = orders_get(f->d->orders, j->order_id);
	json_array_append_new(f->out, json_pack("{s:I, s:I, s:s, s:s, s:s,"
	    " s:s, s:i, s:i}", "id", (json_int_t)j->job_id, "order",
	    (json_int_t)j->order_id, "number", ord ? ord->number : "",
	    "station", j->station < f->d->cfg->nstations ?
	    f->d->cfg->station[j->station].name : "?",
	    "priority", orders_prio_name(j->prio),
	    "status", names[j->state & 3], "attempts", (int)j->attempts,
	    "flags", (int)j->flags));
	return 0;
}

static json_t *
op_jobs_list(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	struct jobs_filter	 f;
	json_t			*err, *v;
	int			 page, per_page;

	if (paging(req, &page, &per_page, &err) == -1)
		return err;
	memset(&f, 0, sizeof(f));
	f.state = -1;
	if ((v = json_object_get(req, "status")) != NULL) {
		const char *st = json_is_string(v) ? json_string_value(v) : "";

		if (strcmp(st, "pending") == 0)
			f.state = SHMQ_PENDING;
		else if (strcmp(st, "processing") == 0)
			f.state = SHMQ_PROCESSING;
		else if (strcmp(st, "failed") == 0)
			f.state = SHMQ_FAILED;
		else
			return ops_error(FO_EINVAL, "\"status\" must be "
			    "pending, processing or failed");
	}
	f.skip = (page - 1) * per_page;
	f.want = per_page;
	f.out = json_array();
	f.d = d;
	(void)qstate_foreach(d->model, list_job, &f);
	return reply_after(d, c, json_pack("{s:b, s:o, s:i, s:i, s:i}", "ok",
	    1, "jobs", f.out, "total", f.total, "page", page, "per_page",
	    per_page), journal_last_lsn(d->j), 0, t0);
}

static json_t *
hist_json(const struct histogram *h)
{
	return json_pack("{s:I, s:f, s:f, s:f, s:f}", "count",
	    (json_int_t)h->count, "p50_ms", hist_quantile(h, 0.50) / 1e6,
	    "p95_ms", hist_quantile(h, 0.95) / 1e6,
	    "p99_ms", hist_quantile(h, 0.99) / 1e6,
	    "max_ms", h->count ? (double)h->max / 1e6 : 0.0);
}

static json_t *
op_stats(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	struct shmq_counters	q;
	struct histogram	h[SHMQ_NHIST], ack;
	json_t			*reply;
	uint64_t		reqs, errs;
	int			i;

	pthread_mutex_lock(&d->stats_lock);
	ack = d->ack_hist;
	reqs = d->requests;
	errs = d->request_errors;
	pthread_mutex_unlock(&d->stats_lock);
	if (shmq_read_counters(d->q, &q) == -1)
		memset(&q, 0, sizeof(q));
	for (i = 0; i < SHMQ_NHIST; i++)
		if (shmq_read_hist(d->q, (enum shmq_hist)i, &h[i]) == -1)
			hist_init(&h[i]);
	reply = json_pack("{s:b, s:s, s:s, s:I, s:I, s:I, s:I, s:I,"
	    " s:{s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:i, s:i, s:i},"
	    " s:{s:I, s:I, s:I, s:b},"
	    " s:{s:o, s:o, s:o, s:o}}",
	    "ok", 1, "company", d->cfg->daemon.company,
	    "branch", d->cfg->daemon.branch,
	    "uptime_s", (json_int_t)((clock_mono_ns() - d->started_ns) /
	    NS_PER_S),
	    "orders", (json_int_t)orders_count(d->orders),
	    "orders_created", (json_int_t)d->orders_created,
	    "requests", (json_int_t)reqs,
	    "request_errors", (json_int_t)errs,
	    "queue", "enqueued", (json_int_t)q.enqueued,
	    "completed", (json_int_t)q.completed,
	    "failed", (json_int_t)q.failed,
	    "cancelled", (json_int_t)q.cancelled,
	    "retried", (json_int_t)q.retried,
	    "repairs", (json_int_t)q.repairs,
	    "urgent", q.pending[SHMQ_URGENT], "normal", q.pending[SHMQ_NORMAL],
	    "low", q.pending[SHMQ_LOW], "processing", q.processing,
	    "free_slots", q.free_slots,
	    "journal", "last_lsn", (json_int_t)journal_last_lsn(d->j),
	    "durable_lsn", (json_int_t)journal_durable_lsn(d->j),
	    "fsyncs", (json_int_t)journal_fsyncs(d->j),
	    "readonly", d->readonly,
	    "latency", "ack", hist_json(&ack),
	    "wait", hist_json(&h[SHMQ_H_WAIT]),
	    "print", hist_json(&h[SHMQ_H_PRINT]),
	    "total", hist_json(&h[SHMQ_H_TOTAL]));
	json_object_set_new(json_object_get(reply, "queue"), "failed_now",
	    json_integer(q.failed_now));
	if (d->sv != NULL)
		supervisor_status(d->sv, reply);
	if (d->pg != NULL)
		pgsync_json(d->pg, reply);
	return reply;
}

json_t *
ops_stats(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	return op_stats(d, c, req, s, t0);
}

static json_t *
op_health(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	struct shmq_counters	q;
	int			ok = !d->readonly && d->ready;

	if (shmq_read_counters(d->q, &q) == -1)
		memset(&q, 0, sizeof(q));
	return json_pack("{s:b, s:s, s:s, s:s, s:I, s:i}", "ok", 1,
	    "status", ok ? "ok" : "degraded",
	    "journal", d->readonly ? "read-only" : "ok",
	    "version", FASTOPS_VERSION,
	    "pid", (json_int_t)getpid(), "free_slots", q.free_slots);
}

/* --- users ------------------------------------------------------------------- */

static json_t *
op_users_add(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	const char	*name, *role, *pin, *why;
	char		 hash[AUTH_HASH_MAX];
	json_t		*rec;
	uint64_t	 lsn;

	if (json_unpack(req, "{s:s, s:s, s:s}", "name", &name, "role", &role,
	    "pin", &pin) != 0)
		return ops_error(FO_EINVAL, "users.add needs \"name\", "
		    "\"role\" and \"pin\" strings");
	if ((why = auth_check_name(name)) != NULL ||
	    (why = auth_check_pin(pin)) != NULL)
		return ops_error(FO_EINVAL, "%s", why);
	if (auth_role_parse(role) == -1)
		return ops_error(FO_EINVAL, "\"role\" must be waiter, kitchen "
		    "or admin");
	if (d->readonly)
		return ops_error(FO_ESTORAGE, "the journal failed");
	if (auth_user_get(d->auth, name) == NULL &&
	    auth_user_count(d->auth) >= AUTH_MAX_USERS)
		return ops_error(FO_EFULL, "at most %d users", AUTH_MAX_USERS);
	pthread_mutex_unlock(&d->lock);	/* slow on purpose */
	if (auth_hash_pin(pin, hash) == -1) {
		pthread_mutex_lock(&d->lock);
		return ops_error(FO_EINVAL, "cannot hash the PIN");
	}
	pthread_mutex_lock(&d->lock);
	rec = json_pack("{s:s, s:s, s:s}", "name", name, "role", role,
	    "hash", hash);
	lsn = store_append(d, ORD_REC_USER_PUT, rec);
	json_decref(rec);
	if (lsn == 0)
		return ops_error(FO_ESTORAGE, "the journal could not take the "
		    "user");
	return reply_after(d, c, json_pack("{s:b, s:{s:s, s:s}}", "ok", 1,
	    "user", "name", name, "role", role), lsn, 0, t0);
}

static json_t *
op_users_list(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	json_t	*arr = json_array();
	size_t	 i;

	for (i = 0; i < auth_user_count(d->auth); i++) {
		const struct auth_user *u = auth_user_at(d->auth, i);

		json_array_append_new(arr, json_pack("{s:s, s:s}", "name",
		    u->name, "role", auth_role_name(u->role)));
	}
	return json_pack("{s:b, s:o}", "ok", 1, "users", arr);
}

static json_t *
op_users_del(struct daemon *d, struct api_ctx *c, json_t *req,
    const struct auth_session *s, uint64_t t0)
{
	const char	*name;
	json_t		*rec;
	uint64_t	 lsn;

	if (json_unpack(req, "{s:s}", "name", &name) != 0)
		return ops_error(FO_EINVAL, "users.del needs \"name\"");
	if (auth_user_get(d->auth, name) == NULL)
		return ops_error(FO_ENOENT, "no user \"%.32s\"", name);
	if (d->readonly)
		return ops_error(FO_ESTORAGE, "the journal failed");
	rec = json_pack("{s:s}", "name", name);
	lsn = store_append(d, ORD_REC_USER_DEL, rec);
	json_decref(rec);
	if (lsn == 0)
		return ops_error(FO_ESTORAGE, "the journal could not take the "
		    "change");
	return reply_after(d, c, ok_reply(), lsn, 0, t0);
}
