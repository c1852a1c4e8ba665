/*
 * orders — see orders.h.
 *
 * Orders live in a vector sorted by id (ids are handed out in order and
 * only old orders are pruned from the front), so lookup by id is a binary
 * search and listing newest-first is a walk backwards.  Two hash maps find
 * an order by its client uuid and by any of its jobs.
 *
 * Records carry everything needed to apply them — numbers, ids, times,
 * the full item list — so that replay never consults the clock, the menu
 * or the configuration of the day it runs: a menu price changed since does
 * not change an old order.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "jbuf.h"
#include "log.h"
#include "orders.h"
#include "u64map.h"
#include "xmalloc.h"

#define SEQ_SHIFT	8	/* seq key = lsn << 8 | job index */

struct counter {
	int	date;		/* YYYYMMDD of the last number, local time */
	int	n;
};

struct orders {
	const struct config	*cfg;
	const struct menu	*menu;
	struct qstate		*model;
	struct order		**v;		/* sorted by id */
	size_t			 n, cap;
	struct u64map		 by_uuid;
	struct u64map		 by_job;
	struct counter		 counter[ORD_NTYPES];
	uint64_t		 next_id;
	uint64_t		 next_job_id;
	struct jbuf		 ticket;	/* scratch: a ticket's text */
	uint8_t			*qbuf;		/* scratch: its model record */
	size_t			 qbufsz;
};

static const char *type_names[ORD_NTYPES] = { "mesa", "llevar", "domicilio" };
static const char type_prefix[ORD_NTYPES] = { 'M', 'L', 'D' };
static const char *state_names[] = { "recibido", "en_cola", "imprimiendo",
	"impreso", "en_preparacion", "listo", "cancelado" };
static const char *kind_names[] = { "new", "modify", "cancel", "reprint" };
static const char *status_names[] = { "pending", "processing", "completed",
	"failed", "fallback", "cancelled" };
static const char *prio_names[] = { "urgent", "normal", "low" };

static int	 refuse(const char **, const char *, char *, size_t,
		    const char *, ...) __attribute__((format(printf, 5, 6)));
static int	 name_index(const char **, int, const char *);
static int	 parse_uuid(const char *, char *);
static int	 text_ok(const char *, size_t);
static int	 today(void);
static struct order *need_order(struct orders *, const json_t *,
		    const char **, char *, size_t);
static int	 parse_items(struct orders *, const json_t *, int,
		    struct ord_item **, int *, const char **, char *, size_t);
static json_t	*item_json(const struct ord_item *);
static int	 item_from_json(json_t *, struct ord_item *);
static json_t	*job_json(uint64_t, int, int, int);
static void	 order_add(struct orders *, struct order *);
static void	 order_free(struct order *);
static void	 order_recompute(struct orders *, struct order *);
static uint32_t	 order_stations(const struct order *);
static int	 items_from_json(const json_t *, struct ord_item **, int *);
static int	 apply_jobs(struct orders *, struct order *, uint64_t,
		    const json_t *, const struct ord_item *, int,
		    const struct ord_item *, int, int *);
static int	 station_waiting(struct orders *, const struct order *, int,
		    json_t *);
static int	 apply_removed(struct orders *, struct order *, json_t *);
static int	 queue_model(struct orders *, uint64_t, const struct order *,
		    const struct ord_job *, const struct ord_item *, int);
static void	 station_names(const struct orders *, uint32_t, struct jbuf *);
static void	 ticket_text(const struct orders *, const struct order *,
		    const struct ord_job *, const struct ord_item *, int,
		    struct jbuf *);

/* --- names ---------------------------------------------------------------- */

const char *
orders_state_name(int s)
{
	return (unsigned)s < 7 ? state_names[s] : "?";
}

const char *
orders_type_name(int t)
{
	return (unsigned)t < ORD_NTYPES ? type_names[t] : "?";
}

const char *
orders_job_status_name(int s)
{
	return (unsigned)s < 6 ? status_names[s] : "?";
}

const char *
orders_kind_name(int k)
{
	return (unsigned)k < 4 ? kind_names[k] : "?";
}

const char *
orders_prio_name(int p)
{
	return (unsigned)p < 3 ? prio_names[p] : "?";
}

static int
name_index(const char **names, int n, const char *s)
{
	int	i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int
refuse(const char **code, const char *c, char *msg, size_t msglen,
    const char *fmt, ...)
{
	va_list	ap;

	*code = c;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- life cycle ----------------------------------------------------------- */

struct orders *
orders_new(const struct config *cfg, const struct menu *menu,
    struct qstate *model)
{
	struct orders	*o;

	o = xcalloc(1, sizeof(*o));
	o->cfg = cfg;
	o->menu = menu;
	o->model = model;
	o->next_id = 1;
	o->next_job_id = 1;
	u64map_init(&o->by_uuid);
	u64map_init(&o->by_job);
	return o;
}

static void
order_free(struct order *ord)
{
	free(ord->items);
	free(ord->jobs);
	free(ord);
}

void
orders_free(struct orders *o)
{
	size_t	i;

	if (o == NULL)
		return;
	for (i = 0; i < o->n; i++)
		order_free(o->v[i]);
	free(o->v);
	jbuf_fini(&o->ticket);
	free(o->qbuf);
	u64map_fini(&o->by_uuid);
	u64map_fini(&o->by_job);
	free(o);
}

void
orders_set_menu(struct orders *o, const struct menu *menu)
{
	o->menu = menu;
}

size_t
orders_count(const struct orders *o)
{
	return o->n;
}

uint64_t
orders_next_job_id(const struct orders *o)
{
	return o->next_job_id;
}

/* --- lookups -------------------------------------------------------------- */

struct order *
orders_get(struct orders *o, uint64_t id)
{
	size_t	lo = 0, hi = o->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (o->v[mid]->id == id)
			return o->v[mid];
		if (o->v[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct order *
orders_by_uuid(struct orders *o, const char *uuid)
{
	struct order	*ord = u64map_get(&o->by_uuid, u64map_strkey(uuid));

	return ord != NULL && strcmp(ord->uuid, uuid) == 0 ? ord : NULL;
}

struct order *
orders_by_job(struct orders *o, uint64_t job_id, struct ord_job **job)
{
	struct order	*ord = u64map_get(&o->by_job, job_id);
	int		 i;

	if (ord == NULL)
		return NULL;
	for (i = 0; i < ord->njobs; i++)
		if (ord->jobs[i].id == job_id) {
			if (job != NULL)
				*job = &ord->jobs[i];
			return ord;
		}
	return NULL;
}

int
orders_list(struct orders *o, int state, const char *waiter, int page,
    int per_page, struct order ***out, int *total)
{
	struct order	**res;
	size_t		  i;
	int		  n = 0, skip = (page - 1) * per_page, k = 0;

	res = xcalloc((size_t)per_page, sizeof(*res));
	for (i = o->n; i-- > 0;) {
		if (state != -1 && o->v[i]->state != state)
			continue;
		if (waiter != NULL && strcmp(o->v[i]->waiter, waiter) != 0)
			continue;
		if (n >= skip && k < per_page)
			res[k++] = o->v[i];
		n++;
	}
	*out = res;
	*total = n;
	return k;
}

static void
order_add(struct orders *o, struct order *ord)
{
	int	i;

	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 256;
		o->v = xreallocarray(o->v, o->cap, sizeof(*o->v));
	}
	o->v[o->n++] = ord;
	if (ord->uuid[0] != '\0')
		u64map_put(&o->by_uuid, u64map_strkey(ord->uuid), ord);
	for (i = 0; i < ord->njobs; i++)
		u64map_put(&o->by_job, ord->jobs[i].id, ord);
	if (ord->id >= o->next_id)
		o->next_id = ord->id + 1;
}

/* --- validation helpers ----------------------------------------------------- */

/* Canonical lowercase 8-4-4-4-12; accepts uppercase hex. */
static int
parse_uuid(const char *s, char *out)
{
	int	i;

	if (strlen(s) != FO_UUID_LEN)
		return -1;
	for (i = 0; i < FO_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			out[i] = '-';
		} else if ((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f'))
			out[i] = s[i];
		else if (s[i] >= 'A' && s[i] <= 'F')
			out[i] = (char)(s[i] - 'A' + 'a');
		else
			return -1;
	}
	out[FO_UUID_LEN] = '\0';
	return 0;
}

/* Printable text of at most max bytes (jansson already checked UTF-8). */
static int
text_ok(const char *s, size_t max)
{
	size_t	n = strlen(s), i;

	if (n > max)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int
today(void)
{
	struct tm	tm;
	time_t		t = time(NULL);

	localtime_r(&t, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
	    tm.tm_mday;
}

static struct order *
need_order(struct orders *o, const json_t *req, const char **code,
    char *msg, size_t msglen)
{
	json_t		*id = json_object_get(req, "id");
	struct order	*ord;

	if (!json_is_integer(id) || json_integer_value(id) < 1) {
		refuse(code, FO_EINVAL, msg, msglen,
		    "\"id\" must be a positive integer");
		return NULL;
	}
	if ((ord = orders_get(o, (uint64_t)json_integer_value(id))) == NULL) {
		refuse(code, FO_ENOENT, msg, msglen, "no order %lld",
		    (long long)json_integer_value(id));
		return NULL;
	}
	return ord;
}

/*
 * Items of a request: [{"product": id-or-name, "qty": 1..999, "notes": s}].
 * sign is +1 for items to add, -1 for removals (no notes).
 */
static int
parse_items(struct orders *o, const json_t *arr, int sign,
    struct ord_item **out, int *nout, const char **code, char *msg,
    size_t msglen)
{
	const struct menu_product	*p;
	struct ord_item			*items;
	const char			*key;
	json_t				*it, *v;
	size_t				 i, n;
	int				 st;

	if (!json_is_array(arr) || (n = json_array_size(arr)) == 0)
		return refuse(code, FO_EINVAL, msg, msglen,
		    "\"items\" must be a non-empty array");
	if (n > FO_ITEMS_MAX)
		return refuse(code, FO_EINVAL, msg, msglen,
		    "at most %d items per order", FO_ITEMS_MAX);
	items = xcalloc(n, sizeof(*items));
	json_array_foreach(arr, i, it) {
		if (!json_is_object(it)) {
			refuse(code, FO_EINVAL, msg, msglen,
			    "items[%zu] must be an object", i);
			goto fail;
		}
		json_object_foreach(it, key, v) {
			if (strcmp(key, "product") != 0 &&
			    strcmp(key, "qty") != 0 &&
			    (sign < 0 || strcmp(key, "notes") != 0)) {
				refuse(code, FO_EINVAL, msg, msglen,
				    "items[%zu]: unknown field \"%s\"", i, key);
				goto fail;
			}
		}
		v = json_object_get(it, "product");
		if (!json_is_string(v)) {
			refuse(code, FO_EINVAL, msg, msglen,
			    "items[%zu].product must be a string", i);
			goto fail;
		}
		if ((p = menu_find(o->menu, json_string_value(v))) == NULL) {
			refuse(code, FO_ENOENT, msg, msglen,
			    "items[%zu]: no product \"%.64s\" on the menu", i,
			    json_string_value(v));
			goto fail;
		}
		if ((st = config_route(o->cfg, p->category)) < 0) {
			refuse(code, FO_EINVAL, msg, msglen,
			    "items[%zu]: category \"%s\" has no station", i,
			    p->category);
			goto fail;
		}
		snprintf(items[i].product, sizeof(items[i].product), "%s",
		    p->id);
		snprintf(items[i].name, sizeof(items[i].name), "%s", p->name);
		items[i].price_cents = p->price_cents;
		items[i].station = st;
		v = json_object_get(it, "qty");
		if (v == NULL)
			items[i].qty = 1;
		else if (!json_is_integer(v) || json_integer_value(v) <
		    FO_QTY_MIN || json_integer_value(v) > FO_QTY_MAX) {
			refuse(code, FO_EINVAL, msg, msglen,
			    "items[%zu].qty must be an integer from %d to %d",
			    i, FO_QTY_MIN, FO_QTY_MAX);
			goto fail;
		} else
			items[i].qty = (int)json_integer_value(v);
		v = json_object_get(it, "notes");
		if (v != NULL) {
			if (!json_is_string(v) ||
			    !text_ok(json_string_value(v), FO_NOTES_MAX)) {
				refuse(code, FO_EINVAL, msg, msglen,
				    "items[%zu].notes must be text of at most "
				    "%d bytes, without control characters", i,
				    FO_NOTES_MAX);
				goto fail;
			}
			snprintf(items[i].notes, sizeof(items[i].notes), "%s",
			    json_string_value(v));
		}
	}
	*out = items;
	*nout = (int)n;
	return 0;
fail:
	free(items);
	return -1;
}

static json_t *
item_json(const struct ord_item *it)
{
	return json_pack("{s:s, s:s, s:i, s:s, s:i, s:i}",
	    "product", it->product, "name", it->name, "qty", it->qty,
	    "notes", it->notes, "price_cents", it->price_cents,
	    "station", it->station);
}

static int
item_from_json(json_t *j, struct ord_item *it)
{
	const char	*product, *name, *notes;
	int		 qty, price, station;

	if (json_unpack(j, "{s:s, s:s, s:i, s:s, s:i, s:i}",
	    "product", &product, "name", &name, "qty", &qty, "notes", &notes,
	    "price_cents", &price, "station", &station) != 0)
		return -1;
	memset(it, 0, sizeof(*it));
	snprintf(it->product, sizeof(it->product), "%s", product);
	snprintf(it->name, sizeof(it->name), "%s", name);
	snprintf(it->notes, sizeof(it->notes), "%s", notes);
	it->qty = qty;
	it->price_cents = price;
	it->station = station;
	return 0;
}

static json_t *
job_json(uint64_t id, int station, int kind, int prio)
{
	return json_pack("{s:I, s:i, s:s, s:i}", "id", (json_int_t)id,
	    "station", station, "kind", kind_names[kind], "prio", prio);
}

/* Bit mask of the stations an order's items go to. */
static uint32_t
order_stations(const struct order *ord)
{
	uint32_t	m = 0;
	int		i;

	for (i = 0; i < ord->nitems; i++)
		m |= 1u << ord->items[i].station;
	return m;
}

/* --- preparing records ---------------------------------------------------- */

int
orders_prepare_create(struct orders *o, const json_t *req,
    const char *creator, json_t **rec, const char **code, char *msg,
    size_t msglen)
{
	struct ord_item	*items = NULL;
	json_t		*v, *jitems, *jjobs;
	char		 uuid[FO_UUID_LEN + 1], number[16];
	const char	*table = "", *notes = "";
	uint64_t	 job_id;
	uint32_t	 mask = 0;
	int		 type, nitems, i, st, date, n;

	v = json_object_get(req, "uuid");
	if (!json_is_string(v) || parse_uuid(json_string_value(v), uuid) == -1)
		return refuse(code, FO_EINVAL, msg, msglen,
		    "\"uuid\" must be a UUID (8-4-4-4-12 hex digits)");
	if (orders_by_uuid(o, uuid) != NULL)
		return refuse(code, FO_EBUSY, msg, msglen,
		    "order %s already exists", uuid);	/* caller checks first */
	v = json_object_get(req, "type");
	if (!json_is_string(v) || (type = name_index(type_names, ORD_NTYPES,
	    json_string_value(v))) == -1)
		return refuse(code, FO_EINVAL, msg, msglen,
		    "\"type\" must be mesa, llevar or domicilio");
	v = json_object_get(req, "table");
	if (v != NULL) {
		if (!json_is_string(v) || !text_ok(json_string_value(v),
		    FO_TABLE_MAX) || json_string_length(v) == 0)
			return refuse(code, FO_EINVAL, msg, msglen,
			    "\"table\" must be text of 1 to %d bytes, "
			    "without control characters", FO_TABLE_MAX);
		table = json_string_value(v);
	} else if (type == ORD_MESA)
		return refuse(code, FO_EINVAL, msg, msglen,
		    "\"table\" is required for a mesa order");
	v = json_object_get(req, "notes");
	if (v != NULL) {
		if (!json_is_string(v) || !text_ok(json_string_value(v),
		    FO_NOTES_MAX))
			return refuse(code, FO_EINVAL, msg, msglen,
			    "\"notes\" must be text of at most %d bytes, "
			    "without control characters", FO_NOTES_MAX);
		notes = json_string_value(v);
	}
	if (parse_items(o, json_object_get(req, "items"), 1, &items, &nitems,
	    code, msg, msglen) == -1)
		return -1;

	date = today();
	n = o->counter[type].n + 1;
	if (o->cfg->daemon.numbering == CONFIG_NUMBERING_DAILY &&
	    o->counter[type].date != date)
		n = 1;
	snprintf(number, sizeof(number), "%c-%04d", type_prefix[type], n);

	jitems = json_array();
	for (i = 0; i < nitems; i++) {
		json_array_append_new(jitems, item_json(&items[i]));
		mask |= 1u << items[i].station;
	}
	jjobs = json_array();
	job_id = o->next_job_id;
	for (st = 0; st < CONFIG_STATIONS_MAX; st++)
		if (mask & (1u << st))
			json_array_append_new(jjobs, job_json(job_id++, st,
			    ORD_KIND_NEW, SHMQ_NORMAL));
	*rec = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:i, s:i,"
	    " s:o, s:o}",
	    "id", (json_int_t)o->next_id, "uuid", uuid, "number", number,
	    "type", type_names[type], "table", table, "waiter", creator,
	    "notes", notes, "created", (json_int_t)time(NULL),
	    "count_date", date, "count_n", n, "items", jitems, "jobs", jjobs);
	free(items);
	return 0;
}

/*
 * Are all of an order's tickets for station st still waiting (none being
 * printed, none printed, none possibly printed)?  If so their ids are
 * added to ids.
 */
static int
station_waiting(struct orders *o, const struct order *ord, int st,
    json_t *ids)
{
	struct shmq_job	mj;
	int		i, n = 0;

	for (i = 0; i < ord->njobs; i++) {
		const struct ord_job *j = &ord->jobs[i];

		if (j->station != st || j->status == ORD_JOB_CANCELLED)
			continue;
		if (qstate_get(o->model, j->id, &mj) == -1 ||
		    mj.state != SHMQ_PENDING ||
		    (mj.flags & SHMQ_F_MAYBE_PRINTED))
			return 0;
		n++;
	}
	if (n == 0)
		return 0;
	for (i = 0; i < ord->njobs; i++)
		if (ord->jobs[i].station == st &&
		    ord->jobs[i].status != ORD_JOB_CANCELLED)
			json_array_append_new(ids,
			    json_integer((json_int_t)ord->jobs[i].id));
	return 1;
}

int
orders_prepare_modify(struct orders *o, const json_t *req, json_t **rec,
    const char **code, char *msg, size_t msglen)
{
	struct order	*ord;
	struct ord_item	*add = NULL, *rem = NULL, *cur;
	json_t		*jadd, *jrem, *jitems, *jdelta, *jjobs, *removed, *v;
	uint64_t	 job_id;
	uint32_t	 mask = 0;
	int		 nadd = 0, nrem = 0, ncur, i, k, st, left;

	if ((ord = need_order(o, req, code, msg, msglen)) == NULL)
		return -1;
	if (ord->cancelled)
		return refuse(code, FO_EBUSY, msg, msglen,
		    "order %s is cancelled", ord->number);
	jadd = json_object_get(req, "add");
	jrem = json_object_get(req, "remove");
	if (jadd == NULL && jrem == NULL)
		return refuse(code, FO_EINVAL, msg, msglen,
		    "nothing to change: give \"add\" and/or \"remove\"");
	if (jadd != NULL && parse_items(o, jadd, 1, &add, &nadd, code, msg,
	    msglen) == -1)
		return -1;
	if (jrem != NULL && parse_items(o, jrem, -1, &rem, &nrem, code, msg,
	    msglen) == -1) {
		free(add);
		return -1;
	}

	/* new item list: current, minus removals, plus additions */
	cur = xcalloc((size_t)(ord->nitems + nadd) + 1, sizeof(*cur));
	memcpy(cur, ord->items, (size_t)ord->nitems * sizeof(*cur));
	ncur = ord->nitems;
	for (k = 0; k < nrem; k++) {
		left = rem[k].qty;
		for (i = ncur - 1; i >= 0 && left > 0; i--) {
			if (strcmp(cur[i].product, rem[k].product) != 0)
				continue;
			if (cur[i].qty > left) {
				cur[i].qty -= left;
				left = 0;
			} else {
				left -= cur[i].qty;
				memmove(&cur[i], &cur[i + 1],
				    (size_t)(ncur - i - 1) * sizeof(*cur));
				ncur--;
			}
		}
		if (left > 0) {
			refuse(code, FO_EINVAL, msg, msglen,
			    "remove: order %s has not %d more of \"%s\"",
			    ord->number, rem[k].qty, rem[k].product);
			goto fail;
		}
	}
	for (k = 0; k < nadd; k++)
		cur[ncur++] = add[k];
	if (ncur == 0) {
		refuse(code, FO_EINVAL, msg, msglen,
		    "that would leave order %s empty: cancel it instead",
		    ord->number);
		goto fail;
	}
	if (ncur > FO_ITEMS_MAX) {
		refuse(code, FO_EINVAL, msg, msglen,
		    "at most %d items per order", FO_ITEMS_MAX);
		goto fail;
	}

	jitems = json_array();
	for (i = 0; i < ncur; i++)
		json_array_append_new(jitems, item_json(&cur[i]));
	jdelta = json_array();
	for (k = 0; k < nadd; k++) {
		json_array_append_new(jdelta, item_json(&add[k]));
		mask |= 1u << add[k].station;
	}
	for (k = 0; k < nrem; k++) {
		rem[k].qty = -rem[k].qty;
		json_array_append_new(jdelta, item_json(&rem[k]));
		mask |= 1u << rem[k].station;
	}
	/*
	 * A station whose tickets all still wait gets one updated ticket in
	 * their place: a MODIFICACIÓN delta there could print before the
	 * ticket it modifies, for an order the cook has never seen.  Stations
	 * that have paper in hand get the delta.  Both are urgent.
	 */
	removed = json_array();
	jjobs = json_array();
	job_id = o->next_job_id;
	for (st = 0; st < CONFIG_STATIONS_MAX; st++) {
		if (!(mask & (1u << st)))
			continue;
		if (station_waiting(o, ord, st, removed)) {
			for (i = 0, left = 0; i < ncur; i++)
				left |= cur[i].station == st;
			if (left) {
				v = job_json(job_id++, st, ORD_KIND_NEW,
				    SHMQ_URGENT);
				json_object_set_new(v, "full", json_true());
				json_array_append_new(jjobs, v);
			}
		} else
			json_array_append_new(jjobs, job_json(job_id++, st,
			    ORD_KIND_MODIFY, SHMQ_URGENT));
	}
	*rec = json_pack("{s:I, s:o, s:o, s:o, s:o}", "id",
	    (json_int_t)ord->id, "items", jitems, "delta", jdelta,
	    "removed", removed, "jobs", jjobs);
	free(cur);
	free(add);
	free(rem);
	return 0;
fail:
	free(cur);
	free(add);
	free(rem);
	return -1;
}

int
orders_prepare_cancel(struct orders *o, const json_t *req, json_t **rec,
    const char **code, char *msg, size_t msglen)
{
	struct order	*ord;
	struct shmq_job	 mj;
	json_t		*removed, *jjobs;
	uint64_t	 job_id;
	uint32_t	 printed = 0;
	int		 i, st;

	if ((ord = need_order(o, req, code, msg, msglen)) == NULL)
		return -1;
	if (ord->cancelled)
		return refuse(code, FO_EBUSY, msg, msglen,
		    "order %s is already cancelled", ord->number);
	/*
	 * Tickets still waiting are simply taken out of the queue; stations
	 * that have (or may have) paper in hand get a CANCELACIÓN ticket.
	 */
	removed = json_array();
	for (i = 0; i < ord->njobs; i++) {
		struct ord_job	*j = &ord->jobs[i];

		if (j->kind == ORD_KIND_CANCEL)
			continue;
		if (qstate_get(o->model, j->id, &mj) == 0 &&
		    (mj.state == SHMQ_PENDING || mj.state == SHMQ_FAILED) &&
		    !(mj.flags & SHMQ_F_MAYBE_PRINTED))
			json_array_append_new(removed,
			    json_integer((json_int_t)j->id));
		else if (j->status != ORD_JOB_CANCELLED)
			printed |= 1u << j->station;
	}
	jjobs = json_array();
	job_id = o->next_job_id;
	for (st = 0; st < CONFIG_STATIONS_MAX; st++)
		if (printed & (1u << st))
			json_array_append_new(jjobs, job_json(job_id++, st,
			    ORD_KIND_CANCEL, SHMQ_URGENT));
	*rec = json_pack("{s:I, s:o, s:o}", "id", (json_int_t)ord->id,
	    "removed", removed, "jobs", jjobs);
	return 0;
}

int
orders_prepare_urgent(struct orders *o, const json_t *req, json_t **rec,
    const char **code, char *msg, size_t msglen)
{
	struct order	*ord;
	struct shmq_job	 mj;
	json_t		*promoted;
	int		 i;

	if ((ord = need_order(o, req, code, msg, msglen)) == NULL)
		return -1;
	if (ord->cancelled)
		return refuse(code, FO_EBUSY, msg, msglen,
		    "order %s is cancelled", ord->number);
	promoted = json_array();
	for (i = 0; i < ord->njobs; i++)
		if (qstate_get(o->model, ord->jobs[i].id, &mj) == 0 &&
		    mj.state == SHMQ_PENDING && mj.prio != SHMQ_URGENT)
			json_array_append_new(promoted,
			    json_integer((json_int_t)ord->jobs[i].id));
	if (json_array_size(promoted) == 0) {
		json_decref(promoted);
		return refuse(code, FO_EBUSY, msg, msglen,
		    "order %s has no ticket waiting to be made urgent",
		    ord->number);
	}
	*rec = json_pack("{s:I, s:o}", "id", (json_int_t)ord->id,
	    "promoted", promoted);
	return 0;
}

/*
 * The optional "station" of a request about one order: *st is its index,
 * or -1 when none was given.  A station the order has nothing for is
 * refused.
 */
static int
order_station(struct orders *o, const struct order *ord, const json_t *req,
    int *st, const char **code, char *msg, size_t msglen)
{
	json_t	*v;

	*st = -1;
	if ((v = json_object_get(req, "station")) == NULL)
		return 0;
	if (!json_is_string(v))
		return refuse(code, FO_EINVAL, msg, msglen,
		    "\"station\" must be a station name");
	if ((*st = config_station_find(o->cfg, json_string_value(v))) < 0) {
		*st = -1;
		return refuse(code, FO_ENOENT, msg, msglen,
		    "no station \"%.32s\"", json_string_value(v));
	}
	if (!(order_stations(ord) & (1u << *st)))
		return refuse(code, FO_EINVAL, msg, msglen,
		    "order %s has nothing for station %s", ord->number,
		    o->cfg->station[*st].name);
	return 0;
}

int
orders_prepare_reprint(struct orders *o, const json_t *req, json_t **rec,
    const char **code, char *msg, size_t msglen)
{
	struct order	*ord;
	json_t		*jjobs;
	uint64_t	 job_id;
	uint32_t	 mask;
	int		 st, only = -1;

	if ((ord = need_order(o, req, code, msg, msglen)) == NULL)
		return -1;
	if (ord->cancelled)
		return refuse(code, FO_EBUSY, msg, msglen,
		    "order %s is cancelled", ord->number);
	if (order_station(o, ord, req, &only, code, msg, msglen) == -1)
		return -1;
	mask = only == -1 ? order_stations(ord) : 1u << only;
	jjobs = json_array();
	job_id = o->next_job_id;
	for (st = 0; st < CONFIG_STATIONS_MAX; st++)
		if (mask & (1u << st))
			json_array_append_new(jjobs, job_json(job_id++, st,
			    ORD_KIND_REPRINT, SHMQ_LOW));
	*rec = json_pack("{s:I, s:i, s:o}", "id", (json_int_t)ord->id,
	    "n", ord->reprints + 1, "jobs", jjobs);
	return 0;
}

int
orders_prepare_bump(struct orders *o, const json_t *req, json_t **rec,
    const char **code, char *msg, size_t msglen)
{
	struct order	*ord;
	json_t		*v;
	int		 st = -1, state = ORD_LISTO;

	if ((ord = need_order(o, req, code, msg, msglen)) == NULL)
		return -1;
	if (ord->cancelled)
		return refuse(code, FO_EBUSY, msg, msglen,
		    "order %s is cancelled", ord->number);
	if (order_station(o, ord, req, &st, code, msg, msglen) == -1)
		return -1;
	if ((v = json_object_get(req, "state")) != NULL) {
		if (!json_is_string(v) || ((state = name_index(state_names, 7,
		    json_string_value(v))) != ORD_LISTO &&
		    state != ORD_EN_PREPARACION))
			return refuse(code, FO_EINVAL, msg, msglen,
			    "\"state\" must be en_preparacion or listo");
	}
	*rec = json_pack("{s:I, s:i, s:s}", "id", (json_int_t)ord->id,
	    "station", st, "state", state_names[state]);
	return 0;
}

/* --- applying records ------------------------------------------------------ */

/*
 * A job's ticket, as the worker will render it (the payload of its shm
 * slot).  items/nitems are the lines it carries (a station's share of the
 * order, or a modification's delta).  Written as text straight away: a
 * ticket is made for every job of every order, and was the dearest part of
 * order.create when built as a jansson tree and dumped.
 */
static void
ticket_text(const struct orders *o, const struct order *ord,
    const struct ord_job *job, const struct ord_item *items, int nitems,
    struct jbuf *b)
{
	int	i, n = 0;

	jbuf_printf(b, "{\"v\":1,\"job\":%I,\"order\":%I,\"number\":%S,"
	    "\"type\":%S,\"table\":%S,\"waiter\":%S,\"created\":%I,"
	    "\"station\":%S,\"kind\":%S,\"reprint\":%d,\"notes\":%S,"
	    "\"items\":[", (long long)job->id, (long long)ord->id, ord->number,
	    type_names[ord->type], ord->table, ord->waiter,
	    (long long)ord->created, o->cfg->station[job->station].name,
	    kind_names[job->kind], job->reprint, ord->notes);
	for (i = 0; i < nitems; i++) {
		if (items[i].station != job->station)
			continue;
		jbuf_printf(b, "%s{\"qty\":%d,\"name\":%S,\"notes\":%S}",
		    n++ > 0 ? "," : "", items[i].qty, items[i].name,
		    items[i].notes);
	}
	jbuf_add(b, "]}", 2);
}

/* Put a new job into the queue model with its ticket as payload. */
static int
queue_model(struct orders *o, uint64_t seq, const struct order *ord,
    const struct ord_job *job, const struct ord_item *items, int nitems)
{
	struct qrec	 r;
	ssize_t		 n;
	size_t		 need;

	jbuf_reset(&o->ticket);
	ticket_text(o, ord, job, items, nitems, &o->ticket);
	memset(&r, 0, sizeof(r));
	r.type = QREC_JOB_QUEUED;
	r.job_id = job->id;
	r.order_id = ord->id;
	r.station = (uint16_t)job->station;
	r.prio = (uint8_t)job->prio;
	r.flags = job->kind == ORD_KIND_MODIFY ? SHMQ_F_MODIFY :
	    job->kind == ORD_KIND_CANCEL ? SHMQ_F_CANCEL :
	    job->kind == ORD_KIND_REPRINT ? SHMQ_F_REPRINT : 0;
	r.payload = o->ticket.s;
	r.payload_len = (uint32_t)o->ticket.len;
	if ((need = qrec_size_max(r.payload_len)) > o->qbufsz) {
		free(o->qbuf);
		o->qbuf = xmalloc(need);
		o->qbufsz = need;
	}
	n = qrec_encode(&r, o->qbuf, o->qbufsz);
	return n < 0 ? -1 : qstate_apply(o->model, seq, r.type, o->qbuf,
	    (size_t)n);
}

/* Model change for an existing job: urgent, cancelled. */
static int
model_simple(struct orders *o, uint16_t type, uint64_t job_id)
{
	struct qrec	r;
	uint8_t		buf[16];
	ssize_t		n;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.job_id = job_id;
	if ((n = qrec_encode(&r, buf, sizeof(buf))) < 0)
		return -1;
	return qstate_apply(o->model, 0, type, buf, (size_t)n);
}

/*
 * Append the jobs listed in a record to the order and queue them in the
 * model.  A job's ticket lists its station's share of items, or of full
 * for a job marked "full" (a modification's replacement ticket).
 */
static int
apply_jobs(struct orders *o, struct order *ord, uint64_t lsn,
    const json_t *jjobs, const struct ord_item *items, int ni,
    const struct ord_item *full, int nf, int *reprint)
{
	struct ord_job	*job;
	json_t		*jj;
	const char	*kind;
	json_int_t	 id;
	size_t		 i;
	int		 st, prio, k, isfull;

	json_array_foreach(jjobs, i, jj) {
		if (json_unpack(jj, "{s:I, s:i, s:s, s:i}", "id", &id,
		    "station", &st, "kind", &kind, "prio", &prio) != 0 ||
		    st < 0 || st >= o->cfg->nstations || prio < 0 ||
		    prio >= SHMQ_NPRIO || (k = name_index(kind_names, 4,
		    kind)) == -1 || id < 1) {
			errno = EINVAL;
			return -1;
		}
		isfull = json_is_true(json_object_get(jj, "full"));
		ord->jobs = xreallocarray(ord->jobs, (size_t)ord->njobs + 1,
		    sizeof(*ord->jobs));
		job = &ord->jobs[ord->njobs++];
		memset(job, 0, sizeof(*job));
		job->id = (uint64_t)id;
		job->station = st;
		job->kind = k;
		job->prio = prio;
		job->status = ORD_JOB_PENDING;
		job->printer = -1;
		job->reprint = reprint != NULL ? *reprint : 0;
		job->slot = NO_SLOT;
		u64map_put(&o->by_job, job->id, ord);
		if (job->id >= o->next_job_id)
			o->next_job_id = job->id + 1;
		if (queue_model(o, lsn << SEQ_SHIFT | i, ord, job,
		    isfull ? full : items, isfull ? nf : ni) == -1)
			log_warnx("order %s: job %llu not queued in model",
			    ord->number, (unsigned long long)job->id);
	}
	return 0;
}

/* Tickets taken out of the queue by a record ("removed": [ids]). */
static int
apply_removed(struct orders *o, struct order *ord, json_t *removed)
{
	struct ord_job	*job = NULL;
	json_t		*v;
	size_t		 i;

	json_array_foreach(removed, i, v) {
		if (orders_by_job(o, (uint64_t)json_integer_value(v), &job) !=
		    ord || job == NULL)
			return -1;
		job->status = ORD_JOB_CANCELLED;
		(void)model_simple(o, QREC_JOB_CANCELLED, job->id);
	}
	return 0;
}

static int
items_from_json(const json_t *arr, struct ord_item **out, int *n)
{
	struct ord_item	*items;
	size_t		 i, k = json_array_size(arr);

	if (!json_is_array(arr) || k > FO_ITEMS_MAX)
		return -1;
	items = xcalloc(k + 1, sizeof(*items));
	for (i = 0; i < k; i++)
		if (item_from_json(json_array_get(arr, i), &items[i]) == -1) {
			free(items);
			return -1;
		}
	*out = items;
	*n = (int)k;
	return 0;
}

static void
order_recompute(struct orders *o, struct order *ord)
{
	uint32_t	stations = order_stations(ord);
	int		i, any = 0, queued = 0, printing = 0, done = 0;

	if (ord->cancelled) {
		ord->state = ORD_CANCELADO;
		return;
	}
	if (stations != 0 && (ord->ready_mask & stations) == stations) {
		ord->state = ORD_LISTO;
		return;
	}
	if (ord->prep_mask != 0 || ord->ready_mask != 0) {
		ord->state = ORD_EN_PREPARACION;
		return;
	}
	for (i = 0; i < ord->njobs; i++) {
		const struct ord_job *j = &ord->jobs[i];

		if (j->kind == ORD_KIND_REPRINT || j->kind == ORD_KIND_CANCEL ||
		    j->status == ORD_JOB_CANCELLED)
			continue;
		any++;
		if (j->status == ORD_JOB_PENDING || j->status == ORD_JOB_FAILED)
			queued++;
		else if (j->status == ORD_JOB_PROCESSING)
			printing++;
		else
			done++;
	}
	if (any == 0)
		ord->state = ORD_RECIBIDO;
	else if (done == any)
		ord->state = ORD_IMPRESO;
	else if (printing > 0 || done > 0)
		ord->state = ORD_IMPRIMIENDO;
	else
		ord->state = ORD_EN_COLA;
}

static int
apply_created(struct orders *o, uint64_t lsn, json_t *rec)
{
	struct order	*ord;
	const char	*uuid, *number, *type, *table, *waiter, *notes;
	json_int_t	 id, created;
	json_t		*items, *jobs;
	int		 t, date, n;

	if (json_unpack(rec, "{s:I, s:s, s:s, s:s, s:s, s:s, s:s,"
	    " s:I, s:i, s:i, s:o, s:o}", "id", &id, "uuid", &uuid,
	    "number", &number, "type", &type, "table", &table,
	    "waiter", &waiter, "notes", &notes, "created", &created,
	    "count_date", &date, "count_n", &n, "items", &items,
	    "jobs", &jobs) != 0 || id < 1 ||
	    (t = name_index(type_names, ORD_NTYPES, type)) == -1)
		goto bad;
	if (orders_get(o, (uint64_t)id) != NULL || (o->n > 0 &&
	    o->v[o->n - 1]->id >= (uint64_t)id))
		goto bad;
	ord = xcalloc(1, sizeof(*ord));
	ord->id = (uint64_t)id;
	ord->lsn = lsn;
	snprintf(ord->uuid, sizeof(ord->uuid), "%s", uuid);
	snprintf(ord->number, sizeof(ord->number), "%s", number);
	ord->type = t;
	snprintf(ord->table, sizeof(ord->table), "%s", table);
	snprintf(ord->waiter, sizeof(ord->waiter), "%s", waiter);
	snprintf(ord->notes, sizeof(ord->notes), "%s", notes);
	ord->created = created;
	if (items_from_json(items, &ord->items, &ord->nitems) == -1) {
		order_free(ord);
		goto bad;
	}
	order_add(o, ord);
	if (apply_jobs(o, ord, lsn, jobs, ord->items, ord->nitems, ord->items,
	    ord->nitems, NULL) == -1)
		log_warnx("order %s: bad job list in record", ord->number);
	o->counter[t].date = date;
	o->counter[t].n = n;
	order_recompute(o, ord);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int
orders_apply(struct orders *o, uint64_t lsn, uint16_t type, json_t *rec)
{
	struct order	*ord;
	struct ord_job	*job;
	struct ord_item	*items, *delta;
	json_t		*v, *jobs;
	json_int_t	 id;
	const char	*s;
	size_t		 i;
	int		 n, ndelta, st;

	if (type == ORD_REC_CREATED)
		return apply_created(o, lsn, rec);
	if (type < ORD_REC_CREATED || type > ORD_REC_BUMPED)
		goto bad;
	if (json_unpack(rec, "{s:I}", "id", &id) != 0 ||
	    (ord = orders_get(o, (uint64_t)id)) == NULL)
		goto bad;
	ord->lsn = lsn;
	switch (type) {
	case ORD_REC_MODIFIED:
		if (json_unpack(rec, "{s:o, s:o}", "items", &v,
		    "jobs", &jobs) != 0 || items_from_json(v, &items, &n) == -1)
			goto bad;
		delta = NULL;
		ndelta = 0;
		if ((v = json_object_get(rec, "delta")) != NULL &&
		    items_from_json(v, &delta, &ndelta) == -1) {
			free(items);
			goto bad;
		}
		free(ord->items);
		ord->items = items;
		ord->nitems = n;
		/* a modified order is back in the kitchen's hands */
		ord->ready_mask = ord->prep_mask = 0;
		st = apply_removed(o, ord, json_object_get(rec, "removed"));
		if (st == 0)
			st = apply_jobs(o, ord, lsn, jobs, delta, ndelta,
			    ord->items, ord->nitems, NULL);
		free(delta);
		if (st == -1)
			goto bad;
		break;
	case ORD_REC_CANCELLED:
		if (apply_removed(o, ord, json_object_get(rec, "removed")) == -1)
			goto bad;
		ord->cancelled = 1;
		/* cancellation tickets list the station's whole share */
		if (apply_jobs(o, ord, lsn, json_object_get(rec, "jobs"),
		    ord->items, ord->nitems, ord->items, ord->nitems, NULL) == -1)
			goto bad;
		break;
	case ORD_REC_URGENT:
		json_array_foreach(json_object_get(rec, "promoted"), i, v) {
			if (orders_by_job(o, (uint64_t)json_integer_value(v),
			    &job) != ord)
				goto bad;
			job->prio = SHMQ_URGENT;
			(void)model_simple(o, QREC_JOB_URGENT, job->id);
		}
		break;
	case ORD_REC_REPRINT:
		if (json_unpack(rec, "{s:i, s:o}", "n", &n,
		    "jobs", &jobs) != 0 || n < 1)
			goto bad;
		ord->reprints = n;
		if (apply_jobs(o, ord, lsn, jobs, ord->items, ord->nitems,
		    ord->items, ord->nitems, &n) == -1)
			goto bad;
		break;
	case ORD_REC_BUMPED:
		if (json_unpack(rec, "{s:i, s:s}", "station", &st,
		    "state", &s) != 0 || st < -1 || st >= CONFIG_STATIONS_MAX)
			goto bad;
		{
			uint32_t m = st == -1 ? order_stations(ord) : 1u << st;

			if (strcmp(s, "listo") == 0)
				ord->ready_mask |= m;
			else
				ord->prep_mask |= m;
		}
		break;
	}
	order_recompute(o, ord);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/*
 * A queue record about one job (a printer's worker claimed, printed or
 * failed it; the daemon handed it to the kitchen screen, an admin retried
 * or cleared it): the job's status in its order, and the order's state.
 */
struct order *
orders_job_apply(struct orders *o, const struct qrec *r, int *changed)
{
	struct ord_job	*job = NULL;
	struct order	*ord;
	int		 before;

	*changed = 0;
	if ((ord = orders_by_job(o, r->job_id, &job)) == NULL || job == NULL)
		return NULL;
	before = ord->state;
	switch (r->type) {
	case QREC_JOB_CLAIMED:
		job->status = ORD_JOB_PROCESSING;
		job->printer = r->printer;
		job->attempts++;
		break;
	case QREC_JOB_PRINTED:
		job->status = ORD_JOB_COMPLETED;
		job->printer = r->printer;
		job->slot = NO_SLOT;
		break;
	case QREC_JOB_RETRY:
	case QREC_JOB_REQUEUED:
		job->status = ORD_JOB_PENDING;
		break;
	case QREC_JOB_FAILED:
		job->status = ORD_JOB_FAILED;
		break;
	case QREC_JOB_CLEARED:
		job->status = ORD_JOB_CANCELLED;
		job->slot = NO_SLOT;
		break;
	case QREC_JOB_FLAGS:
		if (r->flags & SHMQ_F_FALLBACK)
			job->status = ORD_JOB_FALLBACK;
		else if ((r->clear & SHMQ_F_FALLBACK) &&
		    job->status == ORD_JOB_FALLBACK)
			job->status = ORD_JOB_FAILED;
		break;
	default:
		return NULL;
	}
	order_recompute(o, ord);
	*changed = ord->state != before;
	return ord;
}

/* After a crash: a job the queue sent back to pending is pending here. */
void
orders_job_requeued(struct orders *o, uint64_t job_id)
{
	struct ord_job	*job = NULL;
	struct order	*ord;

	if ((ord = orders_by_job(o, job_id, &job)) == NULL || job == NULL ||
	    job->status != ORD_JOB_PROCESSING)
		return;
	job->status = ORD_JOB_PENDING;
	order_recompute(o, ord);
}

/* --- JSON views ------------------------------------------------------------ */

void
orders_to_text(const struct orders *o, const struct order *ord,
    struct jbuf *b)
{
	int	i, total = 0;

	for (i = 0; i < ord->nitems; i++)
		total += ord->items[i].qty * ord->items[i].price_cents;
	jbuf_printf(b, "{\"id\":%I,\"number\":%S,\"uuid\":%S,\"type\":%S,"
	    "\"table\":%S,\"waiter\":%S,\"notes\":%S,\"created\":%I,"
	    "\"state\":%S,\"total_cents\":%d,\"items\":[", (long long)ord->id,
	    ord->number, ord->uuid, type_names[ord->type], ord->table,
	    ord->waiter, ord->notes, (long long)ord->created,
	    state_names[ord->state], total);
	for (i = 0; i < ord->nitems; i++) {
		const struct ord_item *it = &ord->items[i];

		jbuf_printf(b, "%s{\"product\":%S,\"name\":%S,\"qty\":%d,"
		    "\"notes\":%S,\"price_cents\":%d,\"station\":%S}",
		    i > 0 ? "," : "", it->product, it->name, it->qty,
		    it->notes, it->price_cents,
		    o->cfg->station[it->station].name);
	}
	jbuf_add(b, "],\"jobs\":[", 10);
	for (i = 0; i < ord->njobs; i++) {
		const struct ord_job *j = &ord->jobs[i];

		jbuf_printf(b, "%s{\"id\":%I,\"station\":%S,\"kind\":%S,"
		    "\"priority\":%S,\"status\":%S,\"attempts\":%d,"
		    "\"printer\":%S,\"reprint\":%d}", i > 0 ? "," : "",
		    (long long)j->id, o->cfg->station[j->station].name,
		    kind_names[j->kind], prio_names[j->prio],
		    status_names[j->status], j->attempts,
		    j->printer >= 0 && j->printer < o->cfg->nprinters ?
		    o->cfg->printer[j->printer].name : NULL, j->reprint);
	}
	/* what the kitchen said, per station (order.bump) */
	jbuf_add(b, "],\"ready\":[", 11);
	station_names(o, ord->ready_mask, b);
	jbuf_add(b, "],\"preparing\":[", 15);
	station_names(o, ord->prep_mask & ~ord->ready_mask, b);
	jbuf_add(b, "]}", 2);
}

/* The names of the stations in mask, as JSON strings, comma-separated. */
static void
station_names(const struct orders *o, uint32_t mask, struct jbuf *b)
{
	int	st, n = 0;

	for (st = 0; st < o->cfg->nstations; st++)
		if (mask & (1u << st))
			jbuf_printf(b, "%s%S", n++ > 0 ? "," : "",
			    o->cfg->station[st].name);
}

/* --- snapshots --------------------------------------------------------------- */

json_t *
orders_snapshot(const struct orders *o)
{
	json_t	*arr, *cnt, *items, *jobs;
	size_t	 i;
	int	 k;

	arr = json_array();
	for (i = 0; i < o->n; i++) {
		const struct order *ord = o->v[i];

		items = json_array();
		for (k = 0; k < ord->nitems; k++)
			json_array_append_new(items, item_json(&ord->items[k]));
		jobs = json_array();
		for (k = 0; k < ord->njobs; k++) {
			const struct ord_job *j = &ord->jobs[k];

			json_array_append_new(jobs, json_pack("[I,i,i,i,i,i,i,"
			    "i]", (json_int_t)j->id, j->station, j->kind,
			    j->prio, j->status, j->printer, j->attempts,
			    j->reprint));
		}
		json_array_append_new(arr, json_pack("{s:I, s:I, s:s, s:s,"
		    " s:i, s:s, s:s, s:s, s:I, s:i, s:i, s:i, s:i, s:o, s:o}",
		    "id", (json_int_t)ord->id, "lsn", (json_int_t)ord->lsn,
		    "uuid", ord->uuid, "number", ord->number,
		    "type", ord->type, "table", ord->table,
		    "waiter", ord->waiter, "notes", ord->notes,
		    "created", (json_int_t)ord->created,
		    "reprints", ord->reprints, "ready", (int)ord->ready_mask,
		    "prep", (int)ord->prep_mask, "cancelled", ord->cancelled,
		    "items", items, "jobs", jobs));
	}
	cnt = json_array();
	for (k = 0; k < ORD_NTYPES; k++)
		json_array_append_new(cnt, json_pack("[i,i]",
		    o->counter[k].date, o->counter[k].n));
	return json_pack("{s:I, s:I, s:o, s:o}", "next_id",
	    (json_int_t)o->next_id, "next_job_id", (json_int_t)o->next_job_id,
	    "counters", cnt, "orders", arr);
}

int
orders_load(struct orders *o, json_t *snap)
{
	struct order	*ord;
	json_t		*arr, *cnt, *jo, *jj, *items, *jobs;
	json_int_t	 next_id, next_job, id, lsn, created, jid;
	const char	*uuid, *number, *table, *waiter, *notes;
	size_t		 i, k;
	int		 type, reprints, ready, prep, cancelled;

	if (json_unpack(snap, "{s:I, s:I, s:o, s:o}", "next_id",
	    &next_id, "next_job_id", &next_job, "counters", &cnt,
	    "orders", &arr) != 0 || json_array_size(cnt) != ORD_NTYPES)
		goto bad;
	for (k = 0; k < ORD_NTYPES; k++)
		if (json_unpack(json_array_get(cnt, k), "[i,i]",
		    &o->counter[k].date, &o->counter[k].n) != 0)
			goto bad;
	json_array_foreach(arr, i, jo) {
		if (json_unpack(jo, "{s:I, s:I, s:s, s:s, s:i, s:s, s:s, s:s,"
		    " s:I, s:i, s:i, s:i, s:i, s:o, s:o}", "id", &id,
		    "lsn", &lsn, "uuid", &uuid, "number", &number,
		    "type", &type, "table", &table, "waiter", &waiter,
		    "notes", &notes, "created", &created,
		    "reprints", &reprints, "ready", &ready, "prep", &prep,
		    "cancelled", &cancelled, "items", &items,
		    "jobs", &jobs) != 0 || type < 0 || type >= ORD_NTYPES ||
		    (o->n > 0 && o->v[o->n - 1]->id >= (uint64_t)id))
			goto bad;
		ord = xcalloc(1, sizeof(*ord));
		ord->id = (uint64_t)id;
		ord->lsn = (uint64_t)lsn;
		snprintf(ord->uuid, sizeof(ord->uuid), "%s", uuid);
		snprintf(ord->number, sizeof(ord->number), "%s", number);
		ord->type = type;
		snprintf(ord->table, sizeof(ord->table), "%s", table);
		snprintf(ord->waiter, sizeof(ord->waiter), "%s", waiter);
		snprintf(ord->notes, sizeof(ord->notes), "%s", notes);
		ord->created = created;
		ord->reprints = reprints;
		ord->ready_mask = (uint32_t)ready;
		ord->prep_mask = (uint32_t)prep;
		ord->cancelled = cancelled;
		if (items_from_json(items, &ord->items, &ord->nitems) == -1) {
			order_free(ord);
			goto bad;
		}
		ord->njobs = (int)json_array_size(jobs);
		ord->jobs = xcalloc((size_t)ord->njobs + 1, sizeof(*ord->jobs));
		json_array_foreach(jobs, k, jj) {
			struct ord_job *j = &ord->jobs[k];

			if (json_unpack(jj, "[I,i,i,i,i,i,i,i]", &jid,
			    &j->station, &j->kind, &j->prio, &j->status,
			    &j->printer, &j->attempts, &j->reprint) != 0) {
				order_free(ord);
				goto bad;
			}
			j->id = (uint64_t)jid;
			j->slot = NO_SLOT;
		}
		order_add(o, ord);
		order_recompute(o, ord);
	}
	o->next_id = (uint64_t)next_id;
	o->next_job_id = (uint64_t)next_job;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int
orders_prune(struct orders *o, int64_t now, int64_t max_age_s)
{
	struct shmq_job	 mj;
	size_t		 i, k = 0;
	int		 j, live, pruned = 0;

	for (i = 0; i < o->n; i++) {
		struct order *ord = o->v[i];

		live = 0;
		for (j = 0; j < ord->njobs; j++)
			if (qstate_get(o->model, ord->jobs[j].id, &mj) == 0)
				live = 1;
		if (!live && now - ord->created > max_age_s &&
		    (ord->state == ORD_LISTO || ord->state == ORD_CANCELADO ||
		    ord->state == ORD_IMPRESO)) {
			if (ord->uuid[0] != '\0')
				u64map_del(&o->by_uuid,
				    u64map_strkey(ord->uuid));
			for (j = 0; j < ord->njobs; j++)
				u64map_del(&o->by_job, ord->jobs[j].id);
			order_free(ord);
			pruned++;
			continue;
		}
		o->v[k++] = ord;
	}
	o->n = k;
	return pruned;
}
