/*
 * mine — "Mis pedidos": the waiter's orders, newest first, kept current
 * by the daemon's events, and what can be done to them (urgent, reprint,
 * modify, cancel).
 *
 * Events of different kinds travel in different messages, so they may
 * arrive out of order: an order is only replaced by an event newer than
 * the one it came from (the daemon numbers its events).  Whatever the
 * source — event, reply or resynchronisation — a job that became
 * "completed" rings the bell and one that became "fallback" raises the
 * warning that a ticket is on the kitchen screen and not on paper.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pos.h"
#include "text.h"

#define KEY_ESC		0x1b

struct list_layout {
	int	y, h;		/* order rows */
	int	dy, dh;		/* detail */
};

static struct mine_order *find(struct pos *, json_int_t);
static int	is_mine(const struct pos *, const json_t *);
static void	compare(struct pos *, const json_t *, const json_t *, int);
static void	fallback_alert(struct pos *, const char *, const char *);
static const char *job_status(const json_t *);
static const json_t *job_of(const json_t *, json_int_t);
static void	where(const json_t *, char *, size_t);
static void	list_layout(const struct pos *, struct list_layout *);
static void	clamp(struct pos *, const struct list_layout *);
static const json_t *selected(const struct pos *);
static void	action(struct pos *, const char *);
static void	cancel(struct pos *);
static void	modify(struct pos *);
static void	reload_one(struct pos *);
static void	help(struct pos *);
static void	draw_detail(struct pos *, const json_t *,
		    const struct list_layout *);

static struct mine_order *
find(struct pos *p, json_int_t id)
{
	size_t	i;

	for (i = 0; i < p->nmine; i++)
		if (p->mine[i].id == id)
			return &p->mine[i];
	return NULL;
}

const json_t *
mine_get(const struct pos *p, json_int_t id)
{
	size_t	i;

	for (i = 0; i < p->nmine; i++)
		if (p->mine[i].id == id)
			return p->mine[i].o;
	return NULL;
}

static int
is_mine(const struct pos *p, const json_t *o)
{
	return json_is_object(o) && json_integer_value(json_object_get(o,
	    "id")) > 0 && strcmp(fo_str(o, "waiter"), p->user) == 0;
}

void
mine_clear(struct pos *p)
{
	size_t	i;

	for (i = 0; i < p->nmine; i++)
		json_decref(p->mine[i].o);
	p->nmine = 0;
	p->list.sel = p->list.top = 0;
}

static const json_t *
job_of(const json_t *o, json_int_t id)
{
	const json_t	*j;
	size_t		 i;

	json_array_foreach(json_object_get(o, "jobs"), i, j)
		if (json_integer_value(json_object_get(j, "id")) == id)
			return j;
	return NULL;
}

static const char *
job_status(const json_t *j)
{
	return fo_str(j, "status");
}

static void
fallback_alert(struct pos *p, const char *station, const char *number)
{
	snprintf(p->alert, sizeof(p->alert), T_FALLBACK, station, number);
	pos_flash(p, UI_ALERT, "%s", p->alert);
	beep();
}

/* What changed between two versions of an order: bell and warnings. */
static void
compare(struct pos *p, const json_t *old, const json_t *new, int notify)
{
	const json_t	*j, *oj;
	size_t		 i;
	int		 printed = 0;

	if (!notify)
		return;
	json_array_foreach(json_object_get(new, "jobs"), i, j) {
		oj = old != NULL ? job_of(old, json_integer_value(
		    json_object_get(j, "id"))) : NULL;
		if (strcmp(job_status(j), FO_JOB_COMPLETED) == 0 &&
		    oj != NULL && strcmp(job_status(oj), FO_JOB_COMPLETED) != 0)
			printed = 1;
		if (strcmp(job_status(j), FO_JOB_FALLBACK) == 0 &&
		    (oj == NULL || strcmp(job_status(oj), FO_JOB_FALLBACK) != 0))
			fallback_alert(p, fo_str(j, "station"), fo_str(new,
			    "number"));
	}
	if (printed)
		beep();
}

/*
 * An order as the daemon describes it now (o is borrowed).  seq is the
 * event's number (0 for a reply): an older event than the one the order
 * came from is ignored.  Orders of other waiters are ignored too.
 */
void
mine_update(struct pos *p, const json_t *o, uint64_t seq, int notify)
{
	struct mine_order	*m;
	json_int_t		 id;
	size_t			 i;

	if (!is_mine(p, o))
		return;
	id = json_integer_value(json_object_get(o, "id"));
	if ((m = find(p, id)) != NULL) {
		if (seq != 0 && seq < m->seq)
			return;
		compare(p, m->o, o, notify);
		json_decref(m->o);
		m->o = json_deep_copy(o);
		if (seq > m->seq)
			m->seq = seq;
		p->ui.dirty = 1;
		return;
	}
	/* newest first: by id, which the daemon hands out in order */
	for (i = 0; i < p->nmine && p->mine[i].id > id; i++)
		;
	if (i == POS_ORDERS_MAX)
		return;			/* older than all we keep */
	if (p->nmine == POS_ORDERS_MAX)
		json_decref(p->mine[--p->nmine].o);
	memmove(&p->mine[i + 1], &p->mine[i], (p->nmine - i) *
	    sizeof(p->mine[0]));
	p->mine[i].o = json_deep_copy(o);
	p->mine[i].id = id;
	p->mine[i].seq = seq;
	p->nmine++;
	/*
	 * Keep the same order chosen, except at the top of the list: a
	 * waiter watching the newest orders keeps watching the newest.
	 */
	if ((int)i <= p->list.sel && p->nmine > 1 &&
	    !(i == 0 && p->list.sel == 0))
		p->list.sel++;
	compare(p, NULL, o, notify);
	p->ui.dirty = 1;
}

/*
 * Ask for the whole list again (after a login, a reconnection, now and
 * then).  -1 if the daemon could not answer; the list stays as it was.
 */
int
mine_refresh(struct pos *p, int notify)
{
	struct mine_order	 old[POS_ORDERS_MAX];
	const json_t		*o;
	json_t			*reply;
	size_t			 nold = p->nmine, i, k;
	json_int_t		 selid = 0;

	if (pos_request(p, json_pack("{s:s, s:b, s:i}", "op", "order.list",
	    "mine", 1, "per_page", POS_ORDERS_MAX), &reply, POS_REQ_MS) == -1)
		return -1;
	if (!fo_reply_ok(reply) || !json_is_array(json_object_get(reply,
	    "orders"))) {
		if (!fo_reply_ok(reply))
			pos_refused(p, NULL, reply);
		json_decref(reply);
		return -1;
	}
	if (p->list.sel >= 0 && (size_t)p->list.sel < p->nmine)
		selid = p->mine[p->list.sel].id;
	memcpy(old, p->mine, nold * sizeof(old[0]));
	p->nmine = 0;
	json_array_foreach(json_object_get(reply, "orders"), i, o) {
		if (p->nmine == POS_ORDERS_MAX)
			break;
		if (!is_mine(p, o))
			continue;
		p->mine[p->nmine].id = json_integer_value(json_object_get(o,
		    "id"));
		p->mine[p->nmine].o = json_deep_copy(o);
		p->mine[p->nmine].seq = 0;
		for (k = 0; k < nold; k++)
			if (old[k].id == p->mine[p->nmine].id)
				break;
		compare(p, k < nold ? old[k].o : NULL, o, notify && k < nold);
		if (p->mine[p->nmine].id == selid)
			p->list.sel = (int)p->nmine;
		p->nmine++;
	}
	for (k = 0; k < nold; k++)
		json_decref(old[k].o);
	json_decref(reply);
	p->ui.dirty = 1;
	return 0;
}

/* One event from the daemon (borrowed). */
void
mine_event(struct pos *p, const char *kind, const json_t *ev)
{
	struct mine_order	*m;
	const json_t		*j;
	json_t			*copy;
	uint64_t		 seq;
	json_int_t		 oid;
	size_t			 i;

	seq = (uint64_t)json_integer_value(json_object_get(ev, "seq"));
	if (strcmp(kind, FO_EV_ORDER_CREATED) == 0 ||
	    strcmp(kind, FO_EV_ORDER_UPDATED) == 0) {
		mine_update(p, json_object_get(ev, "order"), seq, 1);
		return;
	}
	if (strcmp(kind, FO_EV_JOB_FALLBACK) == 0) {
		if (json_is_object(json_object_get(ev, "order"))) {
			mine_update(p, json_object_get(ev, "order"), seq, 1);
			return;
		}
		oid = json_integer_value(json_object_get(ev, "order"));
		if (find(p, oid) != NULL)
			fallback_alert(p, fo_str(ev, "station"), fo_str(ev, "number"));
		return;
	}
	if (strcmp(kind, FO_EV_JOB_PRINTED) != 0)
		return;
	/* a ticket of mine came out: mark its job, ring the bell */
	oid = json_integer_value(json_object_get(ev, "order"));
	if ((m = find(p, oid)) == NULL)
		return;
	json_array_foreach(json_object_get(m->o, "jobs"), i, j) {
		if (json_integer_value(json_object_get(j, "id")) !=
		    json_integer_value(json_object_get(ev, "job")))
			continue;
		if (strcmp(job_status(j), FO_JOB_COMPLETED) == 0)
			return;
		copy = json_array_get(json_object_get(m->o, "jobs"), i);
		json_object_set_new(copy, "status",
		    json_string(FO_JOB_COMPLETED));
		if (json_is_string(json_object_get(ev, "printer")))
			json_object_set(copy, "printer",
			    json_object_get(ev, "printer"));
		break;
	}
	/*
	 * No seq here: this patches one job, and the order.updated of the
	 * same moment (with the whole order, and an earlier seq) may still
	 * be on its way; it must not look stale when it comes.
	 */
	beep();
	/* say so, unless that would hide what the waiter just did */
	if (p->ui.now_ms >= p->flash_ms + 2000)
		pos_flash(p, UI_OK, T_PRINTED, fo_str(m->o, "number"),
		    fo_str(ev, "station"));
	p->ui.dirty = 1;
}

/* "Mesa 5", "Llevar", "Domicilio" */
static void
where(const json_t *o, char *buf, size_t len)
{
	const char	*t = fo_str(o, "type");

	if (strcmp(t, FO_TYPE_MESA) == 0)
		snprintf(buf, len, "%s %s", T_MESA, fo_str(o, "table"));
	else if (strcmp(t, FO_TYPE_LLEVAR) == 0)
		snprintf(buf, len, "%s", T_LLEVAR);
	else
		snprintf(buf, len, "%s", T_DOMICILIO);
}

/*
 * An order's state as the waiter reads it, and its colour: the state,
 * the place in the queue while queued, URGENTE while an urgent ticket
 * waits, and a warning when a ticket went to the kitchen screen.
 */
void
mine_state(const struct pos *p, const json_t *o, char *buf, size_t len,
    int *role)
{
	static const struct {
		const char	*state;
		const char	*label;
		int		 role;
		int		 tick;
	} states[] = {
		{ FO_ORDER_RECIBIDO,	   T_ST_RECIBIDO,	UI_NORMAL, 0 },
		{ FO_ORDER_EN_COLA,	   T_ST_EN_COLA,	UI_WARN,   0 },
		{ FO_ORDER_IMPRIMIENDO,	   T_ST_IMPRIMIENDO,	UI_INFO,   0 },
		{ FO_ORDER_IMPRESO,	   T_ST_IMPRESO,	UI_OK,	   1 },
		{ FO_ORDER_EN_PREPARACION, T_ST_EN_PREPARACION, UI_INFO,   0 },
		{ FO_ORDER_LISTO,	   T_ST_LISTO,		UI_OK,	   1 },
		{ FO_ORDER_CANCELADO,	   T_ST_CANCELADO,	UI_DIM,	   0 },
	};
	const char	*st = fo_str(o, "state"), *label = st;
	const json_t	*j;
	char		 base[64];
	size_t		 i;
	int		 fallback = 0, urgent = 0, tick = 0, qp;

	*role = UI_NORMAL;
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		if (strcmp(st, states[i].state) == 0) {
			label = states[i].label;
			*role = states[i].role;
			tick = states[i].tick;
			break;
		}
	}
	json_array_foreach(json_object_get(o, "jobs"), i, j) {
		if (strcmp(job_status(j), FO_JOB_FALLBACK) == 0)
			fallback = 1;
		if (strcmp(fo_str(j, "priority"), FO_PRIO_URGENT) == 0 &&
		    (strcmp(job_status(j), FO_JOB_PENDING) == 0 ||
		    strcmp(job_status(j), FO_JOB_PROCESSING) == 0))
			urgent = 1;
	}
	qp = (int)json_integer_value(json_object_get(o, "queue_position"));
	if (strcmp(st, FO_ORDER_EN_COLA) == 0 && qp > 0)
		snprintf(base, sizeof(base), T_IN_QUEUE, qp,
		    (int)json_integer_value(json_object_get(o, "queue_length")),
		    (int)json_integer_value(json_object_get(o, "eta_s")));
	else if (tick)
		snprintf(base, sizeof(base), "%s %s", label,
		    ui_glyph(&p->ui, "✓", "OK"));
	else
		snprintf(base, sizeof(base), "%s", label);
	snprintf(buf, len, "%s%s%s%s", urgent ? T_URGENT " " : "", base,
	    fallback ? " " : "", fallback ? T_FALLBACK_TAG : "");
	if (urgent)
		*role = UI_URGENT;
	if (fallback)
		*role = UI_ALERT;
}

/* --- the screen ------------------------------------------------------- */

static void
list_layout(const struct pos *p, struct list_layout *l)
{
	int	avail = p->ui.rows - 5;	/* title, alert, head; msg, status */

	l->y = 3;
	l->h = avail / 2;
	l->dy = l->y + l->h + 1;
	l->dh = p->ui.rows - 2 - l->dy;
}

static void
clamp(struct pos *p, const struct list_layout *l)
{
	int	n = (int)p->nmine;

	if (p->list.sel >= n)
		p->list.sel = n - 1;
	if (p->list.sel < 0)
		p->list.sel = 0;
	if (p->list.top > p->list.sel)
		p->list.top = p->list.sel;
	if (l->h > 0 && p->list.sel >= p->list.top + l->h)
		p->list.top = p->list.sel - l->h + 1;
	if (p->list.top < 0)
		p->list.top = 0;
}

static const json_t *
selected(const struct pos *p)
{
	if (p->list.sel < 0 || (size_t)p->list.sel >= p->nmine)
		return NULL;
	return p->mine[p->list.sel].o;
}

/* order.urgent / order.reprint on the chosen order. */
static void
action(struct pos *p, const char *op)
{
	const json_t	*o = selected(p);
	json_t		*reply;
	char		 number[32];

	if (o == NULL) {
		pos_flash(p, UI_WARN, "%s", T_NO_ORDER);
		return;
	}
	snprintf(number, sizeof(number), "%s", fo_str(o, "number"));
	if (pos_request(p, json_pack("{s:s, s:I}", "op", op, "id",
	    json_integer_value(json_object_get(o, "id"))), &reply,
	    POS_REQ_MS) == -1) {
		pos_flash(p, UI_ALERT, "%s", errno == ENOTCONN ? T_OFFLINE :
		    T_NOREPLY);
		return;
	}
	if (!fo_reply_ok(reply)) {
		pos_refused(p, number, reply);
		json_decref(reply);
		return;
	}
	if (json_is_object(json_object_get(reply, "order")))
		mine_update(p, json_object_get(reply, "order"), 0, 1);
	json_decref(reply);
	if (strcmp(op, "order.urgent") == 0)
		pos_flash(p, UI_OK, T_URGENT_OK, number);
	else if (strcmp(op, "order.reprint") == 0)
		pos_flash(p, UI_OK, T_REPRINT_OK, number);
	else
		pos_flash(p, UI_OK, T_CANCEL_OK, number);
}

static void
cancel(struct pos *p)
{
	const json_t	*o = selected(p);
	char		 q[128];

	if (o == NULL) {
		pos_flash(p, UI_WARN, "%s", T_NO_ORDER);
		return;
	}
	snprintf(q, sizeof(q), T_ASK_CANCEL, fo_str(o, "number"));
	if (!ui_confirm(&p->ui, q)) {
		pos_flash(p, UI_INFO, "%s", T_NOT_CANCELLED);
		return;
	}
	action(p, "order.cancel");
}

/* m: the editor, with the order's lines as they were sent. */
static void
modify(struct pos *p)
{
	const json_t	*o = selected(p);
	char		 st[64];
	int		 role;

	if (o == NULL) {
		pos_flash(p, UI_WARN, "%s", T_NO_ORDER);
		return;
	}
	if (strcmp(fo_str(o, "state"), FO_ORDER_CANCELADO) == 0) {
		mine_state(p, o, st, sizeof(st), &role);
		pos_flash(p, UI_WARN, T_CANNOT_MODIFY, fo_str(o, "number"), st);
		return;
	}
	if (draft_from_order(&p->mod, o) == -1) {
		pos_flash(p, UI_ALERT, T_REFUSED, T_E_EINVAL, fo_str(o,
		    "number"));
		return;
	}
	p->ed = &p->mod;
	editor_reset(p);
	pos_set_screen(p, SCREEN_EDIT);
}

/* Enter: the chosen order afresh (its place in the queue moves). */
static void
reload_one(struct pos *p)
{
	const json_t	*o = selected(p);
	json_t		*reply;

	if (o == NULL)
		return;
	if (pos_request(p, json_pack("{s:s, s:I}", "op", "order.get", "id",
	    json_integer_value(json_object_get(o, "id"))), &reply,
	    POS_REQ_MS) == -1) {
		pos_flash(p, UI_ALERT, "%s", errno == ENOTCONN ? T_OFFLINE :
		    T_NOREPLY);
		return;
	}
	if (fo_reply_ok(reply) && json_is_object(json_object_get(reply,
	    "order")))
		mine_update(p, json_object_get(reply, "order"), 0, 1);
	else if (!fo_reply_ok(reply))
		pos_refused(p, NULL, reply);
	json_decref(reply);
}

static void
help(struct pos *p)
{
	static const char *const lines[] = {
		"Arriba Abajo    elegir pedido",
		"Enter           actualizar el pedido elegido",
		"u  F4           marcar URGENTE (sus tickets en cola)",
		"r  F5           reimprimir sus tickets",
		"m  F6           modificar (añadir o quitar platos)",
		"x  F8           cancelar (pide confirmación)",
		"o  F3  Esc      volver al pedido nuevo",
		"q  F12          salir",
		"",
		"Estados: en cola, imprimiendo, impreso, en preparación,",
		"listo, cancelado.  ¡EN PANTALLA!: ninguna impresora",
		"pudo imprimir el ticket: está en la pantalla de cocina.",
		NULL
	};

	ui_help(&p->ui, T_HELP_TITLE, lines);
}

void
mine_key(struct pos *p, int ch)
{
	struct list_layout	l;

	list_layout(p, &l);
	p->alert[0] = '\0';		/* seen */
	switch (ch) {
	case KEY_UP:
	case 'k':
		p->list.sel--;
		break;
	case KEY_DOWN:
	case 'j':
		p->list.sel++;
		break;
	case KEY_PPAGE:
		p->list.sel -= l.h;
		break;
	case KEY_NPAGE:
		p->list.sel += l.h;
		break;
	case KEY_HOME:
		p->list.sel = 0;
		break;
	case KEY_END:
		p->list.sel = (int)p->nmine - 1;
		break;
	case '\r':
	case '\n':
	case KEY_ENTER:
		reload_one(p);
		break;
	case 'u':
		action(p, "order.urgent");
		break;
	case 'r':
		action(p, "order.reprint");
		break;
	case 'x':
		cancel(p);
		break;
	case 'm':
		modify(p);
		return;
	case 'o':
	case KEY_ESC:
		pos_set_screen(p, SCREEN_EDIT);
		return;
	case '?':
		help(p);
		break;
	case 'q':
		if (ui_confirm(&p->ui, T_ASK_QUIT))
			p->ui.quit = 1;
		break;
	}
	clamp(p, &l);
}

void
mine_mouse(struct pos *p, int y, int x)
{
	struct list_layout	l;

	list_layout(p, &l);
	if (y >= l.y && y < l.y + l.h && p->list.top + (y - l.y) <
	    (int)p->nmine)
		p->list.sel = p->list.top + (y - l.y);
}

static void
draw_detail(struct pos *p, const json_t *o, const struct list_layout *l)
{
	const struct ui	*ui = &p->ui;
	const json_t	*it, *j;
	char		 buf[256], what[64];
	const char	*st, *kind;
	size_t		 i;
	int		 y, half = ui->cols * 2 / 5, role;

	ui_text(ui, stdscr, l->dy, 1, half - 2, ui_attr(ui, UI_INFO) | A_BOLD,
	    0, T_ITEMS);
	ui_text(ui, stdscr, l->dy, half, ui->cols - half - 1, ui_attr(ui,
	    UI_INFO) | A_BOLD, 0, T_TICKETS);
	y = l->dy + 1;
	if (fo_str(o, "notes")[0] != '\0' && y < l->dy + l->dh) {
		snprintf(buf, sizeof(buf), T_NOTE_ORDER, fo_str(o, "notes"));
		ui_text(ui, stdscr, y++, 2, half - 3, ui_attr(ui, UI_INFO), 0,
		    buf);
	}
	json_array_foreach(json_object_get(o, "items"), i, it) {
		if (y >= l->dy + l->dh)
			break;
		snprintf(buf, sizeof(buf), "%d x %s%s%s",
		    (int)json_integer_value(json_object_get(it, "qty")),
		    fo_str(it, "name"), fo_str(it, "notes")[0] != '\0' ? " > " : "",
		    fo_str(it, "notes"));
		ui_text(ui, stdscr, y++, 2, half - 3, ui_attr(ui, UI_NORMAL),
		    0, buf);
	}
	y = l->dy + 1;
	json_array_foreach(json_object_get(o, "jobs"), i, j) {
		if (y >= l->dy + l->dh)
			break;
		st = job_status(j);
		role = UI_NORMAL;
		if (strcmp(st, FO_JOB_PENDING) == 0)
			st = T_JOB_PENDING, role = UI_WARN;
		else if (strcmp(st, FO_JOB_PROCESSING) == 0)
			st = T_JOB_PROCESSING, role = UI_INFO;
		else if (strcmp(st, FO_JOB_COMPLETED) == 0)
			st = T_JOB_COMPLETED, role = UI_OK;
		else if (strcmp(st, FO_JOB_FAILED) == 0)
			st = T_JOB_FAILED, role = UI_WARN;
		else if (strcmp(st, FO_JOB_FALLBACK) == 0)
			st = T_JOB_FALLBACK, role = UI_ALERT;
		else if (strcmp(st, FO_JOB_CANCELLED) == 0)
			st = T_JOB_CANCELLED, role = UI_DIM;
		kind = fo_str(j, "kind");
		if (strcmp(kind, FO_KIND_MODIFY) == 0)
			kind = T_KIND_MODIFY;
		else if (strcmp(kind, FO_KIND_CANCEL) == 0)
			kind = T_KIND_CANCEL;
		else if (strcmp(kind, FO_KIND_REPRINT) == 0)
			kind = T_KIND_REPRINT;
		else
			kind = "";
		snprintf(what, sizeof(what), "%s%s%s", fo_str(j, "station"),
		    *kind != '\0' ? " " : "", kind);
		snprintf(buf, sizeof(buf), "%-20s %s%s%s%s%s", what, st,
		    json_is_string(json_object_get(j, "printer")) &&
		    strcmp(job_status(j), FO_JOB_COMPLETED) == 0 ? " (" : "",
		    json_is_string(json_object_get(j, "printer")) &&
		    strcmp(job_status(j), FO_JOB_COMPLETED) == 0 ?
		    fo_str(j, "printer") : "",
		    json_is_string(json_object_get(j, "printer")) &&
		    strcmp(job_status(j), FO_JOB_COMPLETED) == 0 ? ")" : "",
		    strcmp(fo_str(j, "priority"), FO_PRIO_URGENT) == 0 &&
		    strcmp(job_status(j), FO_JOB_PENDING) == 0 ?
		    " " T_URGENT : "");
		ui_text(ui, stdscr, y++, half, ui->cols - half - 1,
		    ui_attr(ui, (enum ui_role)role), 0, buf);
	}
}

void
mine_draw(struct pos *p)
{
	const struct ui		*ui = &p->ui;
	struct list_layout	 l;
	const json_t		*o;
	char			 title[128], buf[128], money[32], hm[8];
	struct tm		 tm;
	time_t			 t;
	int			 i, y, attr, role, sw, tx;

	list_layout(p, &l);
	clamp(p, &l);
	snprintf(title, sizeof(title), T_TITLE_USER, p->user);
	ui_titlebar(ui, title, p->connected);
	if (p->alert[0] != '\0')
		ui_textf(ui, stdscr, 1, 0, ui->cols, ui_attr(ui, UI_ALERT), 1,
		    " %s", p->alert);
	else
		ui_textf(ui, stdscr, 1, 0, ui->cols, ui_attr(ui, UI_NORMAL) |
		    A_BOLD, 1, " %s (%zu)", T_MINE, p->nmine);

	/* columns: number, where, state (stretches), time, total */
	sw = ui->cols - 22 - 18;
	tx = 22 + sw + 1;
	ui_text(ui, stdscr, 2, 0, ui->cols, ui_attr(ui, UI_DIM), 1, "");
	ui_text(ui, stdscr, 2, 1, 8, ui_attr(ui, UI_DIM), 0, "Número");
	ui_text(ui, stdscr, 2, 10, 11, ui_attr(ui, UI_DIM), 0, T_MESA);
	ui_text(ui, stdscr, 2, 22, sw, ui_attr(ui, UI_DIM), 0, "Estado");
	ui_text(ui, stdscr, 2, tx, 5, ui_attr(ui, UI_DIM), 0, "Hora");
	ui_text(ui, stdscr, 2, ui->cols - 6, 5, ui_attr(ui, UI_DIM), 0,
	    "Total");
	if (p->nmine == 0)
		ui_text(ui, stdscr, l.y, 2, ui->cols - 4, ui_attr(ui, UI_DIM),
		    0, T_MINE_EMPTY);
	for (i = p->list.top, y = l.y; i < (int)p->nmine && y < l.y + l.h;
	    i++, y++) {
		o = p->mine[i].o;
		mine_state(p, o, buf, sizeof(buf), &role);
		attr = i == p->list.sel ? ui_attr(ui, UI_SELECT) :
		    ui_attr(ui, UI_NORMAL);
		ui_text(ui, stdscr, y, 0, ui->cols, attr, 1, "");
		ui_text(ui, stdscr, y, 1, 8, attr | A_BOLD, 0,
		    fo_str(o, "number"));
		ui_text(ui, stdscr, y, 22, sw, i == p->list.sel ? attr :
		    ui_attr(ui, (enum ui_role)role), 0, buf);
		where(o, buf, sizeof(buf));
		ui_text(ui, stdscr, y, 10, 11, attr, 0, buf);
		t = (time_t)json_integer_value(json_object_get(o, "created"));
		localtime_r(&t, &tm);
		strftime(hm, sizeof(hm), "%H:%M", &tm);
		ui_text(ui, stdscr, y, tx, 5, attr, 0, hm);
		pos_money(p, money, sizeof(money), json_integer_value(
		    json_object_get(o, "total_cents")));
		ui_text(ui, stdscr, y, ui->cols - 1 - ui_width(money),
		    ui_width(money), attr, 0, money);
	}
	ui_hline(ui, stdscr, l.dy - 1, 0, ui->cols, ui_attr(ui, UI_DIM));
	if ((o = selected(p)) != NULL)
		draw_detail(p, o, &l);
	ui_statusbar(ui, T_MINE_HINTS);
}
