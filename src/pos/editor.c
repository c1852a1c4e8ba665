/*
 * editor — writing an order: the menu on the left (categories as tabs,
 * products under them, or the results of a search by name), the order on
 * the right (lines with quantity, note and price, the total), the type
 * and table on top.  The same screen changes an order already sent
 * (p->ed == &p->mod): its lines start as sent, and sending sends the
 * difference as order.modify.
 *
 * Keyboard first: arrows move, Enter adds, + and - change the quantity
 * of the selected line, letters do the rest (F-keys are aliases).
 * Anything refused (an empty order, a missing table, a product that does
 * not exist) says why on the message line and changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pos.h"
#include "text.h"

#define KEY_ESC		0x1b
#define KEY_CTRL_U	0x15

/* The panes, from the screen size. */
struct layout {
	int	top, h;			/* rows of both boxes */
	int	lw;			/* left box width */
	int	rx, rw;			/* right box */
	int	list_y, list_h;		/* products */
	int	draft_y, draft_h;	/* order lines */
};

static void	layout(const struct pos *, struct layout *);
static void	visible(struct pos *);
static int	is_modify(const struct pos *);
static int	editable(struct pos *);
static void	edited(struct pos *);
static void	clamp(struct pos *, const struct layout *);
static void	add_selected(struct pos *);
static void	change_qty(struct pos *, int);
static void	remove_line(struct pos *);
static void	ask_note(struct pos *, int);
static void	ask_table(struct pos *);
static void	set_type(struct pos *, enum pos_type);
static void	send_order(struct pos *);
static void	send_modify(struct pos *);
static void	clear_draft(struct pos *);
static void	search_key(struct pos *, int);
static void	help(struct pos *);
static int	line_rows(const struct pos_line *);
static int	tab_first(const struct pos *, const struct layout *);
static void	draw_tabs(struct pos *, const struct layout *);
static void	draw_products(struct pos *, const struct layout *);
static void	draw_draft(struct pos *, const struct layout *);
static void	draw_ack(struct pos *);
static void	header(const struct pos *, char *, size_t);
static void	where(const struct pos *, char *, size_t);
static void	draw_types(struct pos *);
static int	prompt(struct pos *, const char *, char *, size_t);
static void	trim(char *);

static int
is_modify(const struct pos *p)
{
	return p->ed == &p->mod;
}

static void
layout(const struct pos *p, struct layout *l)
{
	l->top = 2;
	l->h = p->ui.rows - 4;		/* title, header; message, status */
	l->lw = p->ui.cols * 55 / 100;
	l->rx = l->lw;
	l->rw = p->ui.cols - l->lw;
	l->list_y = l->top + 2;		/* under the tabs */
	l->list_h = l->h - 3;
	if (p->edit.searching)
		l->list_h--;		/* the search line */
	/* order lines under type and table; note, state, rule, total below */
	l->draft_y = l->top + 2;
	l->draft_h = l->h - 7;
}

/* The products shown: the category's, or those matching the search. */
static void
visible(struct pos *p)
{
	const struct pos_product	*pr;
	char				 f[POS_SEARCH_MAX + 1];
	size_t				 i, n = 0;

	if (p->edit.searching)
		catalog_fold(f, sizeof(f), p->edit.search);
	for (i = 0; i < p->cat.nproducts; i++) {
		pr = &p->cat.products[i];
		if (p->edit.searching) {
			if (strstr(pr->fold, f) == NULL &&
			    strncmp(pr->id, f, strlen(f)) != 0)
				continue;
		} else if (pr->category != p->edit.category)
			continue;
		p->edit.vis[n++] = i;
	}
	p->edit.nvis = n;
}

/* Back to the top of the menu, the first line of the order. */
void
editor_reset(struct pos *p)
{
	p->edit.category = 0;
	p->edit.sel = 0;
	p->edit.top = 0;
	p->edit.line = p->ed->nlines > 0 ? 0 : -1;
	p->edit.focus = 0;
	p->edit.searching = 0;
	p->edit.search[0] = '\0';
	visible(p);
}

/*
 * May the order be changed now?  Not while a send of it may have reached
 * the daemon.  Changing a draft that was only waiting for the connection
 * takes it out of the waiting: the waiter sends it again when done.
 */
static int
editable(struct pos *p)
{
	if (is_modify(p))
		return 1;
	if (p->draft.maybe_sent) {
		pos_flash(p, UI_WARN, "%s", T_LOCKED);
		return 0;
	}
	p->draft.pending = 0;
	return 1;
}

/* After every change: keep the new order on disk. */
static void
edited(struct pos *p)
{
	if (!is_modify(p))
		(void)draft_save(p);
	p->ui.dirty = 1;
}

static void
clamp(struct pos *p, const struct layout *l)
{
	int	n = (int)p->edit.nvis;

	if (p->edit.sel >= n)
		p->edit.sel = n - 1;
	if (p->edit.sel < 0)
		p->edit.sel = 0;
	if (p->edit.top > p->edit.sel)
		p->edit.top = p->edit.sel;
	if (l->list_h > 0 && p->edit.sel >= p->edit.top + l->list_h)
		p->edit.top = p->edit.sel - l->list_h + 1;
	if (p->edit.top < 0)
		p->edit.top = 0;
	if (p->edit.line >= p->ed->nlines)
		p->edit.line = p->ed->nlines - 1;
	if (p->edit.line < 0 && p->ed->nlines > 0)
		p->edit.line = 0;
}

static void
add_selected(struct pos *p)
{
	const struct pos_product	*pr;
	int				 i;

	if (p->edit.nvis == 0 || p->edit.sel < 0 ||
	    (size_t)p->edit.sel >= p->edit.nvis) {
		if (p->edit.searching && p->edit.search[0] != '\0')
			pos_flash(p, UI_ALERT, T_UNKNOWN_PRODUCT,
			    p->edit.search);
		return;
	}
	if (!editable(p))
		return;
	pr = &p->cat.products[p->edit.vis[p->edit.sel]];
	if ((i = draft_add(p->ed, pr)) == -1) {
		pos_flash(p, UI_ALERT, "%s", errno == E2BIG ?
		    T_TOO_MANY_LINES : T_QTY_MAX);
		return;
	}
	p->edit.line = i;
	pos_flash(p, UI_OK, T_ADDED, pr->name);
	edited(p);
}

/* + and -: a new line at 0 goes; a sent line may go down to 0. */
static void
change_qty(struct pos *p, int delta)
{
	struct pos_line	*l;

	if (p->edit.line < 0 || p->edit.line >= p->ed->nlines) {
		pos_flash(p, UI_WARN, "%s", T_NO_LINE);
		return;
	}
	l = &p->ed->lines[p->edit.line];
	if (delta > 0 && l->qty >= FO_QTY_MAX) {
		pos_flash(p, UI_ALERT, "%s", T_QTY_MAX);
		return;
	}
	if (delta < 0 && l->qty == 0)
		return;
	if (!editable(p))
		return;
	if (delta < 0 && l->qty == 1 && l->sent_qty == 0) {
		remove_line(p);
		return;
	}
	l->qty += delta;
	edited(p);
}

static void
remove_line(struct pos *p)
{
	struct pos_draft	*d = p->ed;
	char			 name[MENU_NAME_MAX + 1];
	int			 i = p->edit.line;

	if (i < 0 || i >= d->nlines) {
		pos_flash(p, UI_WARN, "%s", T_NO_LINE);
		return;
	}
	if (!editable(p))
		return;
	snprintf(name, sizeof(name), "%s", d->lines[i].name);
	if (d->lines[i].sent_qty > 0)
		d->lines[i].qty = 0;	/* shown as "(quitar)" */
	else {
		memmove(&d->lines[i], &d->lines[i + 1],
		    (size_t)(d->nlines - i - 1) * sizeof(d->lines[0]));
		d->nlines--;
		if (p->edit.line >= d->nlines)
			p->edit.line = d->nlines - 1;
	}
	pos_flash(p, UI_INFO, T_LINE_REMOVED, name);
	edited(p);
}

/* Ask for a line of text on the message line; 1 if accepted. */
static int
prompt(struct pos *p, const char *label, char *buf, size_t len)
{
	int	y = p->ui.rows - 2, w = ui_width(label) + 1;

	ui_text(&p->ui, stdscr, y, 0, p->ui.cols, ui_attr(&p->ui, UI_NORMAL),
	    1, "");
	ui_text(&p->ui, stdscr, y, 1, w, ui_attr(&p->ui, UI_WARN), 0, label);
	return ui_input(&p->ui, y, w + 1, p->ui.cols - w - 2, buf, len);
}

/* Trim spaces at both ends, in place. */
static void
trim(char *s)
{
	size_t	n = strlen(s), i = 0;

	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	while (s[i] == ' ')
		i++;
	memmove(s, s + i, n - i + 1);
}

/* n: the selected line's note; N (order): the whole order's. */
static void
ask_note(struct pos *p, int order)
{
	struct pos_line	*l = NULL;
	char		 buf[FO_NOTES_MAX + 1];

	if (!order) {
		if (p->edit.line < 0 || p->edit.line >= p->ed->nlines) {
			pos_flash(p, UI_WARN, "%s", T_NO_LINE);
			return;
		}
		l = &p->ed->lines[p->edit.line];
		if (l->sent_qty > 0) {
			pos_flash(p, UI_WARN, "%s", T_SENT_NOTE);
			return;
		}
	} else if (is_modify(p)) {
		pos_flash(p, UI_WARN, "%s", T_SENT_TYPE);
		return;
	}
	if (!is_modify(p) && p->draft.maybe_sent) {
		pos_flash(p, UI_WARN, "%s", T_LOCKED);
		return;
	}
	snprintf(buf, sizeof(buf), "%s", order ? p->ed->notes : l->notes);
	if (!prompt(p, order ? T_ASK_ORDER_NOTE : T_ASK_NOTE, buf,
	    sizeof(buf)))
		return;
	trim(buf);
	if (!editable(p))
		return;
	if (order)
		snprintf(p->ed->notes, sizeof(p->ed->notes), "%s", buf);
	else
		snprintf(l->notes, sizeof(l->notes), "%s", buf);
	edited(p);
}

static void
ask_table(struct pos *p)
{
	char	buf[FO_TABLE_MAX + 1];
	size_t	i;

	if (is_modify(p)) {
		pos_flash(p, UI_WARN, "%s", T_SENT_TYPE);
		return;
	}
	if (p->draft.maybe_sent) {
		pos_flash(p, UI_WARN, "%s", T_LOCKED);
		return;
	}
	snprintf(buf, sizeof(buf), "%s", p->draft.table);
	if (!prompt(p, T_ASK_TABLE, buf, sizeof(buf)))
		return;
	trim(buf);
	if (buf[0] == '\0') {
		pos_flash(p, UI_ALERT, T_BAD_TABLE, "(vacía)");
		return;
	}
	for (i = 0; buf[i] != '\0'; i++) {
		if ((unsigned char)buf[i] < 0x20) {
			pos_flash(p, UI_ALERT, T_BAD_TABLE, buf);
			return;
		}
	}
	if (!editable(p))
		return;
	p->draft.type = TYPE_MESA;
	snprintf(p->draft.table, sizeof(p->draft.table), "%s", buf);
	edited(p);
}

static void
set_type(struct pos *p, enum pos_type t)
{
	if (is_modify(p)) {
		pos_flash(p, UI_WARN, "%s", T_SENT_TYPE);
		return;
	}
	if (!editable(p))
		return;
	p->draft.type = t;
	edited(p);
}

static void
clear_draft(struct pos *p)
{
	if (is_modify(p) || p->draft.nlines == 0)
		return;
	if (p->draft.maybe_sent) {
		pos_flash(p, UI_WARN, "%s", T_LOCKED);
		return;
	}
	if (!ui_confirm(&p->ui, T_ASK_CLEAR))
		return;
	p->draft.nlines = 0;
	p->draft.notes[0] = '\0';
	p->draft.pending = 0;
	p->edit.line = -1;
	pos_flash(p, UI_INFO, "%s", T_CLEARED);
	edited(p);
}

/* F10/e: checks first, so a refused order changes nothing. */
static void
send_order(struct pos *p)
{
	struct pos_draft	*d = &p->draft;

	if (is_modify(p)) {
		send_modify(p);
		return;
	}
	if (d->nlines == 0) {
		pos_flash(p, UI_ALERT, "%s", T_EMPTY);
		return;
	}
	if (d->type == TYPE_MESA && d->table[0] == '\0') {
		pos_flash(p, UI_ALERT, "%s", T_NO_TABLE);
		return;
	}
	draft_send(p);
}

static void
send_modify(struct pos *p)
{
	json_t	*reply;

	if (!draft_changed(&p->mod)) {
		pos_flash(p, UI_WARN, "%s", T_NO_CHANGES);
		return;
	}
	if (pos_request(p, draft_modify_req(&p->mod), &reply,
	    POS_SEND_MS) == -1) {
		pos_flash(p, UI_ALERT, "%s", errno == ENOTCONN ? T_OFFLINE :
		    T_NOREPLY);
		return;
	}
	if (!fo_reply_ok(reply)) {
		pos_refused(p, p->mod.number, reply);
		json_decref(reply);
		return;
	}
	if (json_is_object(json_object_get(reply, "order")))
		mine_update(p, json_object_get(reply, "order"), 0, 0);
	json_decref(reply);
	pos_flash(p, UI_OK, T_MODIFIED, p->mod.number);
	p->ed = &p->draft;
	editor_reset(p);
	pos_set_screen(p, SCREEN_ORDERS);
}

/* Typing a name: the list narrows as the waiter types. */
static void
search_key(struct pos *p, int ch)
{
	size_t	n = strlen(p->edit.search);

	switch (ch) {
	case KEY_ESC:
		p->edit.searching = 0;
		p->edit.search[0] = '\0';
		p->edit.sel = 0;
		p->edit.top = 0;
		break;
	case '\r':
	case '\n':
	case KEY_ENTER:
		add_selected(p);
		if (p->edit.nvis > 0) {
			p->edit.searching = 0;
			p->edit.search[0] = '\0';
			p->edit.sel = 0;
			p->edit.top = 0;
		}
		break;
	case KEY_BACKSPACE:
	case 0x7f:
	case 0x08:
		while (n > 0 && (p->edit.search[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0)
			n--;
		p->edit.search[n] = '\0';
		p->edit.sel = 0;
		break;
	case KEY_CTRL_U:
		p->edit.search[0] = '\0';
		p->edit.sel = 0;
		break;
	case KEY_UP:
		p->edit.sel--;
		break;
	case KEY_DOWN:
		p->edit.sel++;
		break;
	default:
		if (ch >= 0x20 && ch < 0x7f && n + 1 <= POS_SEARCH_MAX) {
			p->edit.search[n++] = (char)ch;
			p->edit.search[n] = '\0';
		} else if (ch >= 0xa0 && ch <= 0xff && n + 2 <= POS_SEARCH_MAX) {
			/* Latin-1 code point to UTF-8 */
			p->edit.search[n++] = (char)(0xc0 | (ch >> 6));
			p->edit.search[n++] = (char)(0x80 | (ch & 0x3f));
			p->edit.search[n] = '\0';
		}
		p->edit.sel = 0;
		p->edit.top = 0;
		break;
	}
	visible(p);
}

static void
help(struct pos *p)
{
	static const char *const lines[] = {
		"Arriba Abajo    elegir producto (o línea, tras Tab)",
		"Izq. Der. 1-9   categoría          Tab  carta / pedido",
		"Enter, espacio  añadir uno         /  F7  buscar por nombre",
		"+  -            cantidad de la línea elegida",
		"Supr, Retroceso quitar la línea    n  F6  nota de la línea",
		"N               nota del pedido    c  F8  vaciar el pedido",
		"m  F2           mesa (pide el número)",
		"l  F4           para llevar        d  F5  a domicilio",
		"e  F10          enviar a cocina",
		"o  F3           mis pedidos (estado en directo)",
		"Esc             volver (al modificar un pedido)",
		"q  F12          salir (el borrador se guarda)",
		"?  F1           esta ayuda",
		NULL
	};

	ui_help(&p->ui, T_HELP_TITLE, lines);
}

void
editor_key(struct pos *p, int ch)
{
	struct layout	l;

	layout(p, &l);
	if (p->edit.searching) {
		search_key(p, ch);
		layout(p, &l);
		clamp(p, &l);
		return;
	}
	switch (ch) {
	case KEY_UP:
	case 'k':
		if (p->edit.focus)
			p->edit.line--;
		else
			p->edit.sel--;
		break;
	case KEY_DOWN:
	case 'j':
		if (p->edit.focus) {
			if (p->edit.line + 1 < p->ed->nlines)
				p->edit.line++;
		} else
			p->edit.sel++;
		break;
	case KEY_PPAGE:
		p->edit.sel -= l.list_h;
		break;
	case KEY_NPAGE:
		p->edit.sel += l.list_h;
		break;
	case KEY_HOME:
		p->edit.sel = 0;
		break;
	case KEY_END:
		p->edit.sel = (int)p->edit.nvis - 1;
		break;
	case KEY_LEFT:
	case KEY_RIGHT:
		if (p->cat.ncategories == 0)
			break;
		p->edit.category = (p->edit.category + (ch == KEY_LEFT ?
		    (int)p->cat.ncategories - 1 : 1)) %
		    (int)p->cat.ncategories;
		p->edit.sel = p->edit.top = 0;
		p->edit.focus = 0;
		visible(p);
		break;
	case '\t':
		p->edit.focus = !p->edit.focus && p->ed->nlines > 0;
		break;
	case '\r':
	case '\n':
	case KEY_ENTER:
	case ' ':
		if (p->edit.focus)
			change_qty(p, 1);
		else
			add_selected(p);
		break;
	case '+':
	case '=':
		change_qty(p, 1);
		break;
	case '-':
		change_qty(p, -1);
		break;
	case KEY_DC:
	case KEY_BACKSPACE:
	case 0x7f:
		remove_line(p);
		break;
	case 'n':
		ask_note(p, 0);
		break;
	case 'N':
		ask_note(p, 1);
		break;
	case 'm':
		ask_table(p);
		break;
	case 'l':
		set_type(p, TYPE_LLEVAR);
		break;
	case 'd':
		set_type(p, TYPE_DOMICILIO);
		break;
	case '/':
		p->edit.searching = 1;
		p->edit.search[0] = '\0';
		p->edit.sel = p->edit.top = 0;
		p->edit.focus = 0;
		visible(p);
		break;
	case 'c':
		clear_draft(p);
		break;
	case 'e':
		send_order(p);
		break;
	case 'o':
		if (is_modify(p))
			break;
		p->list.sel = p->list.top = 0;	/* the newest first */
		pos_set_screen(p, SCREEN_ORDERS);
		break;
	case KEY_ESC:
		if (is_modify(p)) {
			p->ed = &p->draft;
			editor_reset(p);
			pos_set_screen(p, SCREEN_ORDERS);
		}
		break;
	case '?':
		help(p);
		break;
	case 'q':
		if (ui_confirm(&p->ui, T_ASK_QUIT))
			p->ui.quit = 1;
		break;
	default:
		if (ch >= '1' && ch <= '9' &&
		    (size_t)(ch - '1') < p->cat.ncategories) {
			p->edit.category = ch - '1';
			p->edit.sel = p->edit.top = 0;
			p->edit.focus = 0;
			visible(p);
		}
		break;
	}
	layout(p, &l);
	clamp(p, &l);
}

/* A click: a tab picks the category, a product is chosen (and added if
 * it was chosen already), a line of the order is chosen. */
void
editor_mouse(struct pos *p, int y, int x)
{
	struct layout	l;
	int		i, row, r;

	layout(p, &l);
	if (p->edit.searching)
		return;
	if (y == l.top + 1 && x > 0 && x < l.lw - 1) {
		/* tabs: the same walk as draw_tabs */
		int	tx = 1, w;

		for (i = tab_first(p, &l); i < (int)p->cat.ncategories; i++) {
			w = ui_width(p->cat.categories[i]) + 2;
			if (x >= tx && x < tx + w) {
				p->edit.category = i;
				p->edit.sel = p->edit.top = 0;
				p->edit.focus = 0;
				visible(p);
				break;
			}
			tx += w;
		}
		return;
	}
	if (x > 0 && x < l.lw - 1 && y >= l.list_y && y < l.list_y +
	    l.list_h) {
		i = p->edit.top + (y - l.list_y);
		if (i >= (int)p->edit.nvis)
			return;
		p->edit.focus = 0;
		if (i == p->edit.sel)
			add_selected(p);
		p->edit.sel = i;
		return;
	}
	if (x > l.rx && y >= l.draft_y && y < l.draft_y + l.draft_h) {
		row = l.draft_y;
		for (i = 0; i < p->ed->nlines; i++) {
			r = line_rows(&p->ed->lines[i]);
			if (y >= row && y < row + r) {
				p->edit.line = i;
				p->edit.focus = 1;
				return;
			}
			row += r;
		}
	}
}

/* --- drawing ----------------------------------------------------------- */

static int
line_rows(const struct pos_line *l)
{
	return l->notes[0] != '\0' ? 2 : 1;
}

/* The order box's title: "Pedido nuevo" / "Modificando M-0042". */
static void
header(const struct pos *p, char *buf, size_t len)
{
	if (is_modify(p))
		snprintf(buf, len, T_MODIFYING, p->mod.number);
	else
		snprintf(buf, len, "%s", T_NEW_ORDER);
}

/* Where the order goes: "Mesa 5", "Mesa ?", "Para llevar". */
static void
where(const struct pos *p, char *buf, size_t len)
{
	const struct pos_draft	*d = p->ed;
	const json_t		*o;
	const char		*t, *tab;

	if (is_modify(p)) {
		o = mine_get(p, d->order_id);
		t = json_string_value(json_object_get(o, "type"));
		tab = json_string_value(json_object_get(o, "table"));
		if (t != NULL && strcmp(t, FO_TYPE_LLEVAR) == 0)
			snprintf(buf, len, "%s", T_LLEVAR);
		else if (t != NULL && strcmp(t, FO_TYPE_DOMICILIO) == 0)
			snprintf(buf, len, "%s", T_DOMICILIO);
		else
			snprintf(buf, len, "%s %s", T_MESA, tab != NULL ? tab :
			    "?");
		return;
	}
	if (d->type != TYPE_MESA)
		snprintf(buf, len, "%s", pos_type_label(d->type));
	else if (d->table[0] == '\0')
		snprintf(buf, len, "%s", T_NO_TABLE_YET);
	else
		snprintf(buf, len, "%s %s", T_MESA, d->table);
}

/* The line under the title: the three types, the current one marked. */
static void
draw_types(struct pos *p)
{
	static const struct {
		enum pos_type	 type;
		const char	*key;
	} types[] = {
		{ TYPE_MESA,		"F2/m" },
		{ TYPE_LLEVAR,		"F4/l" },
		{ TYPE_DOMICILIO,	"F5/d" },
	};
	const struct ui	*ui = &p->ui;
	char		 buf[64];
	size_t		 i;
	int		 x = 1, attr;

	ui_text(ui, stdscr, 1, 0, ui->cols, ui_attr(ui, UI_NORMAL), 1, "");
	if (is_modify(p)) {
		where(p, buf, sizeof(buf));
		ui_textf(ui, stdscr, 1, 1, ui->cols - 2, ui_attr(ui, UI_INFO) |
		    A_BOLD, 0, T_MODIFYING " · %s", p->mod.number, buf);
		return;
	}
	x += ui_text(ui, stdscr, 1, x, 8, ui_attr(ui, UI_DIM), 0, T_TYPE);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (types[i].type == TYPE_MESA && p->draft.type == TYPE_MESA)
			where(p, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "%s",
			    pos_type_label(types[i].type));
		attr = types[i].type == p->draft.type ?
		    ui_attr(ui, UI_SELECT) : ui_attr(ui, UI_NORMAL);
		x += 1 + ui_textf(ui, stdscr, 1, x + 1, ui->cols - x - 2,
		    attr, 0, " %s ", buf);
		x += 1 + ui_textf(ui, stdscr, 1, x + 1, ui->cols - x - 2,
		    ui_attr(ui, UI_DIM), 0, "%s", types[i].key);
		x += 2;
	}
}

/* The first tab shown: the tabs scroll so the chosen one shows. */
static int
tab_first(const struct pos *p, const struct layout *l)
{
	int	first = 0, need, i;

	for (;;) {
		need = 0;
		for (i = first; i <= p->edit.category; i++)
			need += ui_width(p->cat.categories[i]) + 2;
		if (need <= l->lw - 2 || first >= p->edit.category)
			return first;
		first++;
	}
}

static void
draw_tabs(struct pos *p, const struct layout *l)
{
	const struct ui	*ui = &p->ui;
	int		 x = 1, w, i, first, width = l->lw - 2;

	if (p->edit.searching) {
		ui_textf(ui, stdscr, l->top + 1, 1, width, ui_attr(ui,
		    UI_SELECT), 0, " %s ", T_SEARCH_ALL);
		return;
	}
	first = tab_first(p, l);
	for (i = first; i < (int)p->cat.ncategories && x < width; i++) {
		char	name[CONFIG_NAME_MAX + 1];

		snprintf(name, sizeof(name), "%s", p->cat.categories[i]);
		if (name[0] >= 'a' && name[0] <= 'z')
			name[0] = (char)(name[0] - 'a' + 'A');
		w = ui_width(name) + 2;
		ui_textf(ui, stdscr, l->top + 1, x, width - x + 1,
		    i == p->edit.category ? ui_attr(ui, UI_SELECT) :
		    ui_attr(ui, UI_NORMAL), 0, " %s ", name);
		x += w;
	}
}

static void
draw_products(struct pos *p, const struct layout *l)
{
	const struct ui			*ui = &p->ui;
	const struct pos_product	*pr;
	char				 price[32], inq[12];
	int				 i, y, attr, w = l->lw - 2, pw, q, k;

	if (p->edit.nvis == 0)
		ui_text(ui, stdscr, l->list_y, 2, w - 2, ui_attr(ui, UI_DIM),
		    0, T_NO_PRODUCTS);
	for (i = p->edit.top, y = l->list_y; i < (int)p->edit.nvis &&
	    y < l->list_y + l->list_h; i++, y++) {
		pr = &p->cat.products[p->edit.vis[i]];
		attr = ui_attr(ui, UI_NORMAL);
		if (i == p->edit.sel)
			attr = p->edit.focus ? ui_attr(ui, UI_NORMAL) | (int)A_BOLD :
			    ui_attr(ui, UI_SELECT);
		/* how many are in the order already */
		for (q = 0, k = 0; k < p->ed->nlines; k++)
			if (strcmp(p->ed->lines[k].product, pr->id) == 0)
				q += p->ed->lines[k].qty;
		if (q > 0)
			snprintf(inq, sizeof(inq), "%3d", q);
		else
			snprintf(inq, sizeof(inq), "   ");
		pos_money(p, price, sizeof(price), pr->price_cents);
		pw = ui_width(price);
		ui_text(ui, stdscr, y, 1, w, attr, 1, "");
		ui_text(ui, stdscr, y, 1, 4, attr | A_BOLD, 0, inq);
		ui_text(ui, stdscr, y, 5, w - pw - 6, attr, 0, pr->name);
		ui_text(ui, stdscr, y, 1 + w - pw - 1, pw, attr, 0, price);
	}
	if (p->edit.searching) {
		y = l->top + l->h - 2;
		ui_textf(ui, stdscr, y, 1, w, ui_attr(ui, UI_WARN), 1,
		    " %s%s_", T_SEARCH, p->edit.search);
	}
}

static void
draw_draft(struct pos *p, const struct layout *l)
{
	const struct ui		*ui = &p->ui;
	const struct pos_draft	*d = p->ed;
	const struct pos_line	*ln;
	char			 buf[256], price[32], hdr[128];
	int			 i, y, attr, x = l->rx + 1, w = l->rw - 2, pw;
	int			 first = 0, rows;

	where(p, hdr, sizeof(hdr));
	ui_text(ui, stdscr, l->top + 1, x + 1, w - 1, ui_attr(ui, UI_INFO) |
	    A_BOLD, 0, hdr);

	/* scroll so the chosen line shows */
	if (p->edit.line >= 0) {
		for (;;) {
			rows = 0;
			for (i = first; i <= p->edit.line && i < d->nlines; i++)
				rows += line_rows(&d->lines[i]);
			if (rows <= l->draft_h || first >= p->edit.line)
				break;
			first++;
		}
	}
	if (d->nlines == 0)
		ui_text(ui, stdscr, l->draft_y, x + 1, w - 1, ui_attr(ui,
		    UI_DIM), 0, T_DRAFT_EMPTY);
	for (i = first, y = l->draft_y; i < d->nlines &&
	    y + line_rows(&d->lines[i]) <= l->draft_y + l->draft_h; i++) {
		ln = &d->lines[i];
		attr = ui_attr(ui, UI_NORMAL);
		if (is_modify(p) && ln->qty == 0)
			attr = ui_attr(ui, UI_DIM);
		else if (is_modify(p) && ln->qty != ln->sent_qty)
			attr = ui_attr(ui, UI_INFO);
		if (i == p->edit.line)
			attr = p->edit.focus ? ui_attr(ui, UI_SELECT) :
			    attr | (int)A_BOLD;
		if (is_modify(p) && ln->qty == 0)
			snprintf(buf, sizeof(buf), "%d x %s %s", ln->sent_qty,
			    ln->name, T_REMOVE);
		else if (is_modify(p) && ln->sent_qty > 0 &&
		    ln->qty != ln->sent_qty)
			snprintf(buf, sizeof(buf), "%d x %s (%+d)", ln->qty,
			    ln->name, ln->qty - ln->sent_qty);
		else if (is_modify(p) && ln->sent_qty == 0)
			snprintf(buf, sizeof(buf), "+%d x %s", ln->qty,
			    ln->name);
		else
			snprintf(buf, sizeof(buf), "%d x %s", ln->qty,
			    ln->name);
		pos_money(p, price, sizeof(price), (long long)ln->qty *
		    ln->price_cents);
		pw = ui_width(price);
		ui_text(ui, stdscr, y, x, w, attr, 1, "");
		ui_text(ui, stdscr, y, x + 1, w - pw - 3, attr, 0, buf);
		ui_text(ui, stdscr, y, x + w - pw - 1, pw, attr, 0, price);
		y++;
		if (ln->notes[0] != '\0') {
			snprintf(buf, sizeof(buf), "> %s", ln->notes);
			ui_text(ui, stdscr, y, x + 4, w - 5, ui_attr(ui,
			    UI_INFO), 0, buf);
			y++;
		}
	}

	y = l->top + l->h - 5;
	if (d->notes[0] != '\0')
		ui_textf(ui, stdscr, y, x + 1, w - 2, ui_attr(ui, UI_INFO), 0,
		    T_NOTE_ORDER, d->notes);
	y++;
	if (!is_modify(p) && d->pending)
		ui_text(ui, stdscr, y, x + 1, w - 2, ui_attr(ui, UI_WARN), 0,
		    d->maybe_sent ? T_PENDING_MAYBE : T_PENDING);
	y++;
	ui_hline(ui, stdscr, y++, x, w, ui_attr(ui, UI_DIM));
	pos_money(p, price, sizeof(price), draft_total(d));
	snprintf(buf, sizeof(buf), "%s: %s", T_TOTAL, price);
	pw = ui_width(buf);
	ui_text(ui, stdscr, y, x + w - pw - 1, pw, ui_attr(ui, UI_NORMAL) |
	    A_BOLD, 0, buf);
}

/* The acknowledgement of the order just sent, with its live state. */
static void
draw_ack(struct pos *p)
{
	const struct ui	*ui = &p->ui;
	const json_t	*o = mine_get(p, p->ack_id);
	char		 state[96], line[128];
	int		 w, h = 6, y, x, role = UI_NORMAL, i;

	w = ui_width(p->ack_text) + 6;
	if (w < 50)
		w = 50;
	if (w > ui->cols - 2)
		w = ui->cols - 2;
	y = (ui->rows - h) / 2;
	x = (ui->cols - w) / 2;
	for (i = 0; i < h; i++)
		ui_text(ui, stdscr, y + i, x, w, ui_attr(ui, UI_NORMAL), 1, "");
	ui_box(ui, stdscr, y, x, h, w, ui_attr(ui, UI_OK));
	ui_text(ui, stdscr, y + 1, x + 3, w - 6, ui_attr(ui, UI_OK) | A_BOLD,
	    0, p->ack_text);
	if (o != NULL) {
		mine_state(p, o, state, sizeof(state), &role);
		snprintf(line, sizeof(line), T_ACK_STATE, state);
		ui_text(ui, stdscr, y + 2, x + 3, w - 6, ui_attr(ui,
		    (enum ui_role)role), 0, line);
	}
	ui_text(ui, stdscr, y + 4, x + w - ui_width(T_ACK_KEY) - 3,
	    ui_width(T_ACK_KEY), ui_attr(ui, UI_DIM), 0, T_ACK_KEY);
}

void
editor_draw(struct pos *p)
{
	const struct ui	*ui = &p->ui;
	struct layout	 l;
	char		 title[128], hdr[128];

	layout(p, &l);
	visible(p);
	clamp(p, &l);
	snprintf(title, sizeof(title), T_TITLE_USER, p->user);
	ui_titlebar(ui, title, p->connected);
	header(p, hdr, sizeof(hdr));
	if (p->alert[0] != '\0')
		ui_textf(ui, stdscr, 1, 0, ui->cols, ui_attr(ui, UI_ALERT), 1,
		    " %s%s", p->alert, T_FALLBACK_SEE);
	else
		draw_types(p);
	ui_box(ui, stdscr, l.top, 0, l.h, l.lw, ui_attr(ui, UI_DIM));
	ui_textf(ui, stdscr, l.top, 2, l.lw - 4, ui_attr(ui, UI_NORMAL), 0,
	    " %s ", T_CATEGORIES);
	ui_box(ui, stdscr, l.top, l.rx, l.h, l.rw, ui_attr(ui, UI_DIM));
	ui_textf(ui, stdscr, l.top, l.rx + 2, l.rw - 4, ui_attr(ui,
	    UI_NORMAL) | A_BOLD, 0, " %s ", hdr);
	draw_tabs(p, &l);
	draw_products(p, &l);
	draw_draft(p, &l);
	ui_statusbar(ui, p->edit.searching ? T_SEARCH_HINTS : is_modify(p) ?
	    T_MOD_HINTS : T_EDIT_HINTS);
	if (p->ack_shown)
		draw_ack(p);
}
