/*
 * board — the orders a kitchen screen shows, and their cards.
 *
 * The daemon's order objects are kept as they came (a jansson reference
 * each) and cards are derived from them whenever something changes:
 * deriving is cheap next to the bookkeeping a second model would need to
 * stay in step with order.list, order.* and job.* events.  What only this
 * screen knows (a fallback ticket's text, a cancellation a cook has seen,
 * a card brought back with recall) lives beside each order, per station.
 *
 * Only orders with a card on screen, or that recall may bring back, are
 * kept, so the board stays as small as the kitchen's backlog.
 */
#include <stdlib.h>
#include <string.h>

#include "kds.h"
#include "xmalloc.h"

static struct kds_order	*find_order(const struct board *, int64_t);
static struct kds_order	*add_order(struct board *, json_t *);
static void	 set_order(struct kds_order *, json_t *, int64_t, int);
static int	 wanted(const struct board *, const json_t *, int64_t);
static int	 in_recall(const struct board *, int64_t);
static int	 card_of(const struct board *, struct kds_order *, int,
		    int64_t, int *);
static int	 card_cmp(const void *, const void *);
static void	 free_order(struct kds_order *);
static long	 number_digits(const char *);
static int	 station_is(const struct config *, int, const char *);


static int
station_is(const struct config *cfg, int st, const char *name)
{
	return strcmp(cfg->station[st].name, name) == 0;
}

int
kds_has_station(const struct config *cfg, const json_t *arr, int st)
{
	const json_t	*v;
	size_t		 i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) &&
		    station_is(cfg, st, json_string_value(v)))
			return 1;
	return 0;
}

/* 42 for "M-0042": what a cook types to bump it. */
static long
number_digits(const char *s)
{
	long	n = 0;

	for (; *s != '\0'; s++)
		if (*s >= '0' && *s <= '9' && n < 100000000)
			n = n * 10 + (*s - '0');
	return n;
}

void
board_init(struct board *b, const struct config *cfg, uint32_t show)
{
	memset(b, 0, sizeof(*b));
	b->cfg = cfg;
	b->show = show;
}

static void
free_order(struct kds_order *ko)
{
	int	st;

	for (st = 0; st < CONFIG_STATIONS_MAX; st++)
		json_decref(ko->st[st].ticket);
	json_decref(ko->o);
	free(ko);
}

void
board_free(struct board *b)
{
	size_t	i;

	for (i = 0; i < b->n; i++)
		free_order(b->v[i]);
	free(b->v);
	free(b->cards);
	memset(b, 0, sizeof(*b));
}

static struct kds_order *
find_order(const struct board *b, int64_t id)
{
	size_t	i;

	for (i = 0; i < b->n; i++)
		if (b->v[i]->id == id)
			return b->v[i];
	return NULL;
}

static int
in_recall(const struct board *b, int64_t id)
{
	int	i;

	for (i = 0; i < b->nrecall; i++)
		if (b->recall[i].id == id)
			return 1;
	return 0;
}

/*
 * Is an order we do not hold yet worth holding?  Those the kitchen still
 * has to make, and cancellations young enough to matter (a cook may be
 * making the dish); not the day's finished orders.
 */
static int
wanted(const struct board *b, const json_t *o, int64_t since)
{
	const char	*state = fo_str(o, "state");

	if (in_recall(b, fo_int(o, "id")))
		return 1;
	if (strcmp(state, FO_ORDER_LISTO) == 0)
		return 0;
	if (strcmp(state, FO_ORDER_CANCELADO) == 0)
		return since > 0;
	return 1;
}

static struct kds_order *
add_order(struct board *b, json_t *o)
{
	struct kds_order	*ko;

	ko = xcalloc(1, sizeof(*ko));
	ko->id = fo_int(o, "id");
	b->v = xreallocarray(b->v, b->n + 1, sizeof(*b->v));
	b->v[b->n++] = ko;
	return ko;
}

/*
 * Take a new copy of an order.  A cancellation dates from when this screen
 * first learned of it: now for news, or the order's creation for one found
 * already cancelled in a list (so a restart does not bring back the day's
 * cancellations).
 */
static void
set_order(struct kds_order *ko, json_t *o, int64_t since, int fresh)
{
	int	was, st;

	was = !fresh && ko->o != NULL && strcmp(fo_str(ko->o, "state"),
	    FO_ORDER_CANCELADO) == 0;
	if (!was && strcmp(fo_str(o, "state"), FO_ORDER_CANCELADO) == 0)
		for (st = 0; st < CONFIG_STATIONS_MAX; st++)
			ko->st[st].cancel_seen = since;
	json_incref(o);
	json_decref(ko->o);
	ko->o = o;
}

/* The cancellation's start, or 0 if it is too old to show. */
static int64_t
cancel_since(const json_t *o, int64_t now, int live)
{
	int64_t	since = live ? now : fo_int(o, "created");

	if (strcmp(fo_str(o, "state"), FO_ORDER_CANCELADO) != 0)
		return now;
	return now - since < KDS_CANCEL_KEEP_S ? since : 0;
}

int
board_load(struct board *b, json_t *orders, int64_t now)
{
	struct kds_order	*ko;
	json_t			*o;
	size_t			 i, k;
	int			 changed = 0;

	for (i = 0; i < b->n; i++)
		b->v[i]->mark = 0;
	json_array_foreach(orders, i, o) {
		if (!json_is_object(o) || !json_is_integer(json_object_get(o,
		    "id")))
			continue;
		if ((ko = find_order(b, fo_int(o, "id"))) != NULL) {
			if (!json_equal(ko->o, o)) {
				set_order(ko, o, now, 0);
				changed = 1;
			}
		} else if (wanted(b, o, cancel_since(o, now, 0))) {
			ko = add_order(b, o);
			set_order(ko, o, cancel_since(o, now, 0), 1);
			changed = 1;
		} else
			continue;
		ko->mark = 1;
	}
	/* gone from the list (past its last page): nothing left to do */
	for (i = k = 0; i < b->n; i++) {
		if (b->v[i]->mark || in_recall(b, b->v[i]->id))
			b->v[k++] = b->v[i];
		else {
			free_order(b->v[i]);
			changed = 1;
		}
	}
	b->n = k;
	return changed;
}

void
board_order(struct board *b, json_t *o, int64_t now)
{
	struct kds_order	*ko;

	if (!json_is_object(o) || !json_is_integer(json_object_get(o, "id")))
		return;
	if ((ko = find_order(b, fo_int(o, "id"))) != NULL)
		set_order(ko, o, now, 0);
	else if (wanted(b, o, now)) {
		ko = add_order(b, o);
		set_order(ko, o, now, 1);
	}
}

/*
 * job.* events carry no order (but job.fallback): their status is written
 * into the order we hold, so a card stops being red when an admin's retry
 * prints the ticket after all.
 */
void
board_job(struct board *b, const char *kind, json_t *ev, int64_t now)
{
	struct kds_order	*ko;
	json_t			*o, *jobs, *j;
	const char		*status = NULL;
	size_t			 i;
	int			 st;

	o = json_object_get(ev, "order");
	if (json_is_object(o))
		board_order(b, o, now);
	if ((ko = find_order(b, json_is_object(o) ? fo_int(o, "id") :
	    json_integer_value(o))) == NULL)
		return;
	if (strcmp(kind, FO_EV_JOB_FALLBACK) == 0) {
		status = FO_JOB_FALLBACK;
		for (st = 0; st < b->cfg->nstations; st++) {
			if (!station_is(b->cfg, st, fo_str(ev, "station")))
				continue;
			json_decref(ko->st[st].ticket);
			ko->st[st].ticket = json_incref(json_object_get(ev,
			    "ticket"));
		}
	} else if (strcmp(kind, FO_EV_JOB_QUEUED) == 0)
		status = FO_JOB_PENDING;
	else if (strcmp(kind, FO_EV_JOB_PRINTING) == 0)
		status = FO_JOB_PROCESSING;
	else if (strcmp(kind, FO_EV_JOB_PRINTED) == 0)
		status = FO_JOB_COMPLETED;
	else if (strcmp(kind, FO_EV_JOB_FAILED) == 0)
		status = json_is_true(json_object_get(ev, "cleared")) ?
		    FO_JOB_CANCELLED : json_is_true(json_object_get(ev,
		    "retry")) ? FO_JOB_PENDING : FO_JOB_FAILED;
	if (status == NULL)
		return;
	jobs = json_object_get(ko->o, "jobs");
	json_array_foreach(jobs, i, j)
		if (fo_int(j, "id") == fo_int(ev, "job"))
			json_object_set_new(j, "status", json_string(status));
}

/*
 * Is there a card for this order at this station, and how does it look?
 * Orders of other stations, and stations that said listo (unless the
 * card was recalled), have none.
 */
static int
card_of(const struct board *b, struct kds_order *ko, int st, int64_t now,
    int *flags)
{
	const struct config	*cfg = b->cfg;
	struct kds_station	*ks = &ko->st[st];
	json_t			*o = ko->o, *v;
	const char		*kind = "", *status;
	size_t			 i;
	int64_t			 latest = -1;
	int			 items = 0, jobs = 0, fallback = 0, ready, prep;

	*flags = 0;
	json_array_foreach(json_object_get(o, "items"), i, v)
		if (station_is(cfg, st, fo_str(v, "station")))
			items = 1;
	json_array_foreach(json_object_get(o, "jobs"), i, v) {
		if (!station_is(cfg, st, fo_str(v, "station")))
			continue;
		jobs = 1;
		status = fo_str(v, "status");
		if (strcmp(status, FO_JOB_CANCELLED) != 0 &&
		    strcmp(fo_str(v, "priority"), FO_PRIO_URGENT) == 0)
			*flags |= CARD_URGENT;
		if (strcmp(status, FO_JOB_FALLBACK) == 0)
			fallback = 1;
		if (fo_int(v, "id") > latest) {
			latest = fo_int(v, "id");
			kind = fo_str(v, "kind");
		}
	}
	if (!items && !jobs)
		return 0;
	ready = kds_has_station(cfg, json_object_get(o, "ready"), st);
	prep = kds_has_station(cfg, json_object_get(o, "preparing"), st);
	if (ks->recalled)
		*flags |= CARD_RECALLED;
	if (strcmp(kind, FO_KIND_MODIFY) == 0)
		*flags |= CARD_MODIFY;
	else if (strcmp(kind, FO_KIND_REPRINT) == 0)
		*flags |= CARD_REPRINT;
	if (prep && !ready)
		*flags |= CARD_PREPARING;
	if (strcmp(fo_str(o, "state"), FO_ORDER_CANCELADO) == 0) {
		*flags |= CARD_CANCEL;
		*flags &= ~(CARD_MODIFY | CARD_REPRINT | CARD_PREPARING);
		return ks->recalled || (!ks->dismissed && ks->cancel_seen > 0 &&
		    now - ks->cancel_seen < KDS_CANCEL_KEEP_S);
	}
	if (fallback && !prep && !ready)
		*flags |= CARD_FALLBACK;
	else if (ks->ticket != NULL) {
		json_decref(ks->ticket);
		ks->ticket = NULL;
	}
	return items && (!ready || ks->recalled);
}

/* Urgent and unprinted first, then by arrival. */
static int
card_cmp(const void *a, const void *b)
{
	const struct kds_card	*x = a, *y = b;
	int			 gx, gy;

	gx = (x->flags & (CARD_URGENT | CARD_FALLBACK)) ? 0 : 1;
	gy = (y->flags & (CARD_URGENT | CARD_FALLBACK)) ? 0 : 1;
	if (gx != gy)
		return gx - gy;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	if (x->ord->id != y->ord->id)
		return x->ord->id < y->ord->id ? -1 : 1;
	return x->station - y->station;
}

void
board_build(struct board *b, int64_t now)
{
	struct kds_card	*c;
	size_t		 i, k;
	int		 st, flags, any;

	free(b->cards);
	b->cards = NULL;
	b->ncards = 0;
	if (b->n == 0)
		return;
	b->cards = xcalloc(b->n * (size_t)b->cfg->nstations + 1,
	    sizeof(*b->cards));
	for (i = k = 0; i < b->n; i++) {
		any = 0;
		for (st = 0; st < b->cfg->nstations; st++) {
			if (!(b->show & (1u << st)) ||
			    !card_of(b, b->v[i], st, now, &flags))
				continue;
			c = &b->cards[b->ncards++];
			c->ord = b->v[i];
			c->station = st;
			c->flags = flags;
			c->created = fo_int(b->v[i]->o, "created");
			c->num = number_digits(fo_str(b->v[i]->o, "number"));
			any = 1;
		}
		if (any || in_recall(b, b->v[i]->id))
			b->v[k++] = b->v[i];
		else
			free_order(b->v[i]);
	}
	b->n = k;
	qsort(b->cards, b->ncards, sizeof(*b->cards), card_cmp);
}

void
board_bumped(struct board *b, const struct kds_card *c)
{
	struct kds_station	*ks = &c->ord->st[c->station];
	int			 i;

	if (c->flags & CARD_CANCEL)
		ks->dismissed = 1;
	ks->recalled = 0;
	for (i = 0; i < b->nrecall; i++)
		if (b->recall[i].id == c->ord->id &&
		    b->recall[i].station == c->station)
			break;
	if (i == b->nrecall && b->nrecall == KDS_RECALL_MAX)
		i = 0;			/* forget the oldest */
	if (i < b->nrecall)
		memmove(&b->recall[i], &b->recall[i + 1],
		    (size_t)(b->nrecall - i - 1) * sizeof(b->recall[0]));
	else
		b->nrecall++;
	b->recall[b->nrecall - 1].id = c->ord->id;
	b->recall[b->nrecall - 1].station = c->station;
}

int
board_recall(struct board *b, int64_t *id, int *station)
{
	struct kds_order	*ko;
	int			 i;

	for (i = b->nrecall - 1; i >= 0; i--) {
		if ((ko = find_order(b, b->recall[i].id)) == NULL ||
		    board_find(b, b->recall[i].id, b->recall[i].station) >= 0)
			continue;
		*id = b->recall[i].id;
		*station = b->recall[i].station;
		ko->st[*station].recalled = 1;
		memmove(&b->recall[i], &b->recall[i + 1],
		    (size_t)(b->nrecall - i - 1) * sizeof(b->recall[0]));
		b->nrecall--;
		return 0;
	}
	return -1;
}

long
board_find(const struct board *b, int64_t id, int station)
{
	size_t	i;

	for (i = 0; i < b->ncards; i++)
		if (b->cards[i].ord->id == id &&
		    b->cards[i].station == station)
			return (long)i;
	return -1;
}
