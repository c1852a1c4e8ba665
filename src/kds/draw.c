/*
 * draw — cards on the screen.
 *
 * Cards flow like a newspaper: down the first column, then the next, in
 * the board's order, so the most pressing card is always top left.  A
 * card is as tall as its lines (wrapped to its width); one taller than the
 * screen is cut with a "… n líneas más" line.  Whatever does not fit goes
 * to the next page, and the page shown is the one holding the selected
 * card, so the layout never has to be scrolled by hand.
 *
 * Large-text mode, for a screen read from across the kitchen, has fewer
 * and wider cards, the order number and its age in a 3x5 block font, and
 * a blank line between dishes.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kds.h"
#include "xmalloc.h"

#define CARD_MIN_W	26	/* normal mode: 3 across on 80 columns */
#define CARD_LARGE_W	40	/* large mode: 2 across on 80 columns */
#define CLINE_MAX	256	/* bytes of one wrapped line */
#define BIG_ROWS	5

enum { LN_TEXT, LN_HEAD, LN_BIG, LN_BANNER, LN_BLANK };

struct cline {
	int	kind;
	int	role;
	int	bold;
	int	indent;
	char	text[CLINE_MAX];
};

struct clines {
	struct cline	*v;
	size_t		 n, cap;
};

static struct clines	 lines;		/* one card's, reused */
static size_t		*starts;	/* first card of each page */
static size_t		 nstarts;

static struct cline	*add_line(int, int, int, int, const char *);
static void	 add_wrapped(int, int, int, int, const char *, int);
static void	 add_items(const struct kds_view *, const char *,
		    const json_t *, int, int, int);
static void	 card_lines(const struct ui *, const struct kds_view *,
		    const struct board *, const struct kds_card *, int,
		    int64_t);
static int	 lines_height(void);
static int	 card_height(const struct ui *, const struct kds_view *,
		    const struct board *, const struct kds_card *, int,
		    int64_t);
static size_t	 layout(const struct ui *, struct kds_view *,
		    const struct board *, size_t, int, int, int64_t,
		    struct kds_rect *);
static void	 draw_card(struct ui *, const struct kds_view *,
		    const struct board *, const struct kds_card *,
		    const struct kds_rect *, int, int64_t);
static int	 age_role(const struct kds_view *, int64_t);
static const json_t *latest_job(const struct board *,
		    const struct kds_card *);
static void	 big_text(const struct ui *, int, int, int, int,
		    const char *);
static int	 big_width(const char *);
static void	 order_label(const json_t *, char *, size_t, int);

/*
 * A 3x5 block font for the digits, ':' and 'h' of ages ("12:07", "1h05")
 * and order numbers.
 */
static const struct {
	char		 c;
	const char	*row[BIG_ROWS];
} font[] = {
	{ '0', { "###", "# #", "# #", "# #", "###" } },
	{ '1', { " # ", "## ", " # ", " # ", "###" } },
	{ '2', { "###", "  #", "###", "#  ", "###" } },
	{ '3', { "###", "  #", " ##", "  #", "###" } },
	{ '4', { "# #", "# #", "###", "  #", "  #" } },
	{ '5', { "###", "#  ", "###", "  #", "###" } },
	{ '6', { "###", "#  ", "###", "# #", "###" } },
	{ '7', { "###", "  #", "  #", "  #", "  #" } },
	{ '8', { "###", "# #", "###", "# #", "###" } },
	{ '9', { "###", "# #", "###", "  #", "###" } },
	{ ':', { "   ", " # ", "   ", " # ", "   " } },
	{ 'h', { "#  ", "#  ", "## ", "# #", "# #" } },
	{ 'd', { "  #", "  #", " ##", "# #", " ##" } },
	{ '-', { "   ", "   ", "###", "   ", "   " } },
};

static struct cline *
add_line(int kind, int role, int bold, int indent, const char *text)
{
	struct cline	*l;

	if (lines.n == lines.cap) {
		lines.cap = lines.cap == 0 ? 32 : lines.cap * 2;
		lines.v = xreallocarray(lines.v, lines.cap, sizeof(*lines.v));
	}
	l = &lines.v[lines.n++];
	l->kind = kind;
	l->role = role;
	l->bold = bold;
	l->indent = indent;
	snprintf(l->text, sizeof(l->text), "%s", text != NULL ? text : "");
	return l;
}

/*
 * Add text as lines of at most width columns, broken between words (a
 * word longer than a line is broken where it must); continuation lines are
 * indented by indent columns.
 */
static void
add_wrapped(int role, int bold, int first, int indent, const char *s,
    int width)
{
	char		 buf[CLINE_MAX];
	const char	*p = s, *q;
	size_t		 best, len, n;
	int		 ind = first, w;

	while (*p == ' ')
		p++;
	while (*p != '\0') {
		w = width - ind;
		if (w < 4)
			w = 4;
		best = 0;
		for (q = p; ; q++) {
			if (*q != ' ' && *q != '\0')
				continue;
			if ((len = (size_t)(q - p)) >= sizeof(buf))
				break;
			memcpy(buf, p, len);
			buf[len] = '\0';
			if (ui_width(buf) > w)
				break;
			best = len;
			if (*q == '\0')
				break;
		}
		if (best == 0) {
			/* one long word: as many characters as fit */
			for (len = 0, n = 0; p[len] != '\0' && p[len] != ' ';
			    len = n) {
				n = len + 1;
				while ((p[n] & 0xc0) == 0x80)
					n++;
				if (n >= sizeof(buf))
					break;
				memcpy(buf, p, n);
				buf[n] = '\0';
				if (ui_width(buf) > w)
					break;
			}
			best = len > 0 ? len : 1;
			while ((p[best] & 0xc0) == 0x80)
				best++;
		}
		memcpy(buf, p, best);
		buf[best] = '\0';
		add_line(LN_TEXT, role, bold, ind, buf);
		p += best;
		while (*p == ' ')
			p++;
		ind = indent;
	}
}

/* "Mesa 5", "Llevar", "Domicilio"; upper case for large cards. */
static void
order_label(const json_t *o, char *buf, size_t size, int upper)
{
	const char	*type = fo_str(o, "type");
	size_t		 i;

	if (strcmp(type, FO_TYPE_MESA) == 0)
		snprintf(buf, size, "%s %s", T_MESA, fo_str(o, "table"));
	else if (strcmp(type, FO_TYPE_LLEVAR) == 0)
		snprintf(buf, size, "%s", T_LLEVAR);
	else if (strcmp(type, FO_TYPE_DOMICILIO) == 0)
		snprintf(buf, size, "%s", T_DOMICILIO);
	else
		snprintf(buf, size, "%s", type);
	if (upper)
		for (i = 0; buf[i] != '\0'; i++)
			buf[i] = (char)toupper((unsigned char)buf[i]);
}

/* The station's newest job of the card's order. */
static const json_t *
latest_job(const struct board *b, const struct kds_card *c)
{
	const json_t	*j, *best = NULL;
	size_t		 i;

	json_array_foreach(json_object_get(c->ord->o, "jobs"), i, j) {
		if (strcmp(fo_str(j, "station"),
		    b->cfg->station[c->station].name) != 0)
			continue;
		if (best == NULL || fo_int(j, "id") > fo_int(best, "id"))
			best = j;
	}
	return best;
}

/*
 * Item lines: "2 x Hamburguesa" and its note.  station: only that
 * station's items (NULL: all, a ticket's); sign: "+2 x" for additions.
 */
static void
add_items(const struct kds_view *v, const char *station, const json_t *items,
    int sign, int role, int iw)
{
	const json_t	*it;
	const char	*name;
	char		 buf[CLINE_MAX];
	int64_t		 qty;
	size_t		 i;
	int		 n = 0;

	json_array_foreach(items, i, it) {
		if (station != NULL && strcmp(fo_str(it, "station"),
		    station) != 0)
			continue;
		if (v->large && n++ > 0)
			add_line(LN_BLANK, role, 0, 0, NULL);
		qty = fo_int(it, "qty");
		name = fo_str(it, "name");
		if (*name == '\0')
			name = fo_str(it, "product");
		snprintf(buf, sizeof(buf), "%s%lld x %s",
		    sign && qty > 0 ? "+" : "", (long long)qty, name);
		add_wrapped(role, v->large || qty != 1, 0, 4, buf, iw);
		if (*fo_str(it, "notes") != '\0') {
			snprintf(buf, sizeof(buf), "> %s", fo_str(it,
			    "notes"));
			add_wrapped(role == UI_ALERT ? UI_ALERT : UI_WARN, 1, 2,
			    4, buf, iw);
		}
	}
}

/* The lines of one card, iw columns wide inside its border. */
static void
card_lines(const struct ui *ui, const struct kds_view *v,
    const struct board *b, const struct kds_card *c, int iw, int64_t now)
{
	const json_t	*o = c->ord->o, *ticket = NULL, *j;
	const char	*status, *waiter, *sep = ui_glyph(ui, " · ", " - ");
	char		 buf[CLINE_MAX], label[64], st[CONFIG_NAME_MAX + 1];
	int		 fb = c->flags & CARD_FALLBACK, role, k;

	lines.n = 0;
	snprintf(st, sizeof(st), "%s", b->cfg->station[c->station].name);
	for (k = 0; st[k] != '\0'; k++)
		st[k] = (char)toupper((unsigned char)st[k]);
	order_label(o, label, sizeof(label), v->large);
	if (v->large) {
		add_line(LN_BIG, UI_NORMAL, 1, 0, NULL);
		snprintf(buf, sizeof(buf), "%s%s%s%s%s", fo_str(o, "number"),
		    sep, label, v->multi ? sep : "", v->multi ? st : "");
		add_wrapped(fb ? UI_ALERT : UI_NORMAL, 1, 0, 2, buf, iw);
	} else {
		add_line(LN_HEAD, UI_NORMAL, 1, 0, NULL);
		if (v->multi)
			add_line(LN_TEXT, UI_INFO, 1, 0, st);
	}

	if (c->flags & CARD_CANCEL)
		add_line(LN_BANNER, UI_ALERT, 1, 0, T_CANCEL);
	if (fb)
		add_line(LN_BANNER, UI_ALERT, 1, 0, T_FALLBACK);
	if ((c->flags & CARD_URGENT) && !(c->flags & CARD_CANCEL))
		add_line(LN_BANNER, UI_URGENT, 1, 0, T_URGENT);
	if (c->flags & CARD_MODIFY)
		add_line(LN_BANNER, UI_INFO, 1, 0, T_MODIFY);
	if (c->flags & CARD_REPRINT)
		add_line(LN_BANNER, UI_DIM, 0, 0, T_REPRINT);
	if (c->flags & CARD_RECALLED)
		add_line(LN_BANNER, UI_WARN, 1, 0, T_RECALLED);

	/*
	 * A ticket no printer took is shown as it would have been printed; a
	 * modification's ticket (only the changes) after the dishes as they
	 * are now, which the cook never saw on paper either.
	 */
	role = fb ? UI_ALERT : UI_NORMAL;
	if (fb && (ticket = c->ord->st[c->station].ticket) != NULL &&
	    strcmp(fo_str(ticket, "kind"), FO_KIND_MODIFY) != 0) {
		add_items(v, NULL, json_object_get(ticket, "items"), 0, role,
		    iw);
	} else {
		add_items(v, b->cfg->station[c->station].name,
		    json_object_get(o, "items"), 0, role, iw);
		if (ticket != NULL) {
			add_line(LN_TEXT, UI_INFO, 1, 0, T_CHANGES);
			add_items(v, NULL, json_object_get(ticket, "items"), 1,
			    role, iw);
		}
	}
	if (*fo_str(o, "notes") != '\0') {
		snprintf(buf, sizeof(buf), "%s %s", T_NOTE, fo_str(o, "notes"));
		add_wrapped(UI_WARN, 1, 0, 2, buf, iw);
	}

	/* where the ticket is: what a cook asks the printer about */
	j = latest_job(b, c);
	status = j != NULL ? fo_str(j, "status") : "";
	role = UI_DIM;
	if (c->flags & CARD_CANCEL)
		status = T_CANCELLED;
	else if (c->flags & CARD_PREPARING) {
		status = T_PREPARING;
		role = UI_OK;
	} else if (strcmp(status, FO_JOB_PENDING) == 0)
		status = T_PENDING;
	else if (strcmp(status, FO_JOB_PROCESSING) == 0)
		status = T_PRINTING;
	else if (strcmp(status, FO_JOB_COMPLETED) == 0)
		status = T_PRINTED;
	else if (strcmp(status, FO_JOB_FAILED) == 0) {
		status = T_FAILED;
		role = UI_ALERT;
	} else if (strcmp(status, FO_JOB_FALLBACK) == 0) {
		status = T_NOTPRINTED;
		role = UI_ALERT;
	} else
		status = "";
	waiter = fo_str(o, "waiter");
	snprintf(buf, sizeof(buf), "%s%s%s", status,
	    *status != '\0' && *waiter != '\0' ? sep : "", waiter);
	if (buf[0] != '\0')
		add_wrapped(role, 0, 0, 2, buf, iw);
}

static int
lines_height(void)
{
	size_t	i;
	int	h = 0;

	for (i = 0; i < lines.n; i++)
		h += lines.v[i].kind == LN_BIG ? BIG_ROWS : 1;
	return h;
}

static int
card_height(const struct ui *ui, const struct kds_view *v,
    const struct board *b, const struct kds_card *c, int w, int64_t now)
{
	card_lines(ui, v, b, c, w - 4, now);
	return lines_height() + 2;
}

/*
 * Place the cards from the from-th down the columns of rows y0..y1-1;
 * returns how many fit (at least one) and fills out[] when given.
 */
static size_t
layout(const struct ui *ui, struct kds_view *v, const struct board *b,
    size_t from, int y0, int y1, int64_t now, struct kds_rect *out)
{
	size_t	i;
	int	col = 0, y = y0, cw, w, h;

	cw = ui->cols / v->ncols;
	for (i = from; i < b->ncards; i++) {
		w = col == v->ncols - 1 ? ui->cols - col * cw : cw;
		h = card_height(ui, v, b, &b->cards[i], w, now);
		if (h > y1 - y0)
			h = y1 - y0;
		if (y + h > y1) {
			if (++col >= v->ncols)
				break;
			y = y0;
			w = col == v->ncols - 1 ? ui->cols - col * cw : cw;
			h = card_height(ui, v, b, &b->cards[i], w, now);
			if (h > y1 - y0)
				h = y1 - y0;
		}
		if (out != NULL) {
			out[i - from].y = y;
			out[i - from].x = col * cw;
			out[i - from].h = h;
			out[i - from].w = w;
			out[i - from].col = col;
		}
		y += h;
	}
	if (i == from && from < b->ncards)
		i++;		/* never an empty page */
	return i - from;
}

static int
age_role(const struct kds_view *v, int64_t age)
{
	if (age < v->warn_s)
		return UI_OK;
	if (age < v->late_s)
		return UI_WARN;
	return UI_ALERT;
}

static int
big_width(const char *s)
{
	int	n = (int)strlen(s);

	return n > 0 ? n * 4 - 1 : 0;
}

/* s (digits, ':', 'h', 'd', '-') in the block font at y,x. */
static void
big_text(const struct ui *ui, int y, int x, int width, int attr,
    const char *s)
{
	const char	*block = ui_glyph(ui, "█", "#");
	char		 row[CLINE_MAX];
	size_t		 len, f, k;
	int		 r, g;

	for (r = 0; r < BIG_ROWS; r++) {
		len = 0;
		for (k = 0; s[k] != '\0'; k++) {
			for (f = 0; f < sizeof(font) / sizeof(font[0]); f++)
				if (font[f].c == s[k])
					break;
			for (g = 0; g < 4; g++) {
				const char *add = " ";

				if (g < 3 && f < sizeof(font) / sizeof(font[0]) &&
				    font[f].row[r][g] == '#')
					add = block;
				if (len + strlen(add) + 1 > sizeof(row))
					break;
				memcpy(row + len, add, strlen(add));
				len += strlen(add);
			}
		}
		row[len] = '\0';
		ui_text(ui, stdscr, y + r, x, width, attr, 0, row);
	}
}

static void
draw_card(struct ui *ui, const struct kds_view *v, const struct board *b,
    const struct kds_card *c, const struct kds_rect *r, int selected,
    int64_t now)
{
	const struct cline	*l;
	char			 age[16], label[64], num[16], buf[CLINE_MAX];
	int			 y, iw = r->w - 4, ix = r->x + 2, box, attr;
	int			 left, need, aw, nw, n, fb;
	size_t			 i, k;

	fb = c->flags & (CARD_FALLBACK | CARD_CANCEL);
	card_lines(ui, v, b, c, iw, now);
	for (y = r->y + 1; y < r->y + r->h - 1; y++)
		ui_text(ui, stdscr, y, r->x + 1, r->w - 2, A_NORMAL, 1, "");
	if (selected)
		box = ui_attr(ui, UI_SELECT);
	else if (fb)
		box = ui_attr(ui, UI_ALERT);
	else if (c->flags & CARD_URGENT)
		box = ui_attr(ui, UI_URGENT);
	else
		box = ui_attr(ui, UI_NORMAL);
	ui_box(ui, stdscr, r->y, r->x, r->h, r->w, box);
	if (selected)
		ui_text(ui, stdscr, r->y, r->x + 1, 3, box, 0,
		    ui_glyph(ui, " ▶ ", " > "));

	ui_age(age, sizeof(age), now - c->created);
	y = r->y + 1;
	for (i = 0; i < lines.n; i++) {
		l = &lines.v[i];
		left = r->y + r->h - 1 - y;
		need = l->kind == LN_BIG ? BIG_ROWS : 1;
		if (need > left || (need == left && i + 1 < lines.n)) {
			for (k = i, n = 0; k < lines.n; k++)
				n += lines.v[k].kind == LN_BIG ? BIG_ROWS : 1;
			if (left > 0) {
				snprintf(buf, sizeof(buf), T_MORE, n);
				ui_text(ui, stdscr, y, ix, iw,
				    ui_attr(ui, UI_DIM), 0, buf);
			}
			break;
		}
		attr = ui_attr(ui, (enum ui_role)l->role) |
		    (l->bold ? A_BOLD : 0);
		switch (l->kind) {
		case LN_HEAD:
			aw = ui_width(age);
			ui_text(ui, stdscr, y, ix + iw - aw, aw,
			    ui_attr(ui, (enum ui_role)age_role(v,
			    now - c->created)) | A_BOLD, 0, age);
			nw = ui_text(ui, stdscr, y, ix, iw - aw - 1,
			    ui_attr(ui, fb ? UI_ALERT : UI_NORMAL) | A_BOLD, 0,
			    fo_str(c->ord->o, "number"));
			order_label(c->ord->o, label, sizeof(label), 0);
			if (iw - aw - nw - 2 > 0)
				ui_text(ui, stdscr, y, ix + nw + 1,
				    iw - aw - nw - 2, attr & ~A_BOLD, 0, label);
			break;
		case LN_BIG:
			snprintf(num, sizeof(num), "%ld", c->num);
			nw = big_width(num);
			aw = big_width(age);
			big_text(ui, y, ix, iw, ui_attr(ui, fb ? UI_ALERT :
			    UI_NORMAL) | A_BOLD, num);
			attr = ui_attr(ui, (enum ui_role)age_role(v,
			    now - c->created)) | A_BOLD;
			if (nw + aw + 2 <= iw)
				big_text(ui, y, ix + iw - aw, aw, attr, age);
			else
				ui_text(ui, stdscr, y, ix + iw - ui_width(age),
				    ui_width(age), attr, 0, age);
			break;
		case LN_BANNER:
			n = ui_width(l->text);
			ui_text(ui, stdscr, y, r->x + 1, r->w - 2,
			    attr | A_REVERSE, 1, "");
			ui_text(ui, stdscr, y, r->x + 1 + (n < r->w - 2 ?
			    (r->w - 2 - n) / 2 : 0), r->w - 2, attr | A_REVERSE,
			    0, l->text);
			break;
		case LN_BLANK:
			break;
		default:
			ui_text(ui, stdscr, y, ix + l->indent, iw - l->indent,
			    attr, 0, l->text);
			break;
		}
		y += need;
	}
}

void
draw_board(struct ui *ui, struct kds_view *v, const struct board *b,
    int64_t now)
{
	size_t		 s, n, i, want;
	int		 y0 = 1, y1 = ui->rows - 2, p, w;

	v->ncols = ui->cols / (v->large ? CARD_LARGE_W : CARD_MIN_W);
	if (v->ncols < 1)
		v->ncols = 1;
	if (v->offline) {
		ui_text(ui, stdscr, y0, 0, ui->cols, ui_attr(ui, UI_ALERT) |
		    A_REVERSE, 1, "");
		w = ui_width(T_OFFLINE);
		ui_text(ui, stdscr, y0, w < ui->cols ? (ui->cols - w) / 2 : 0,
		    ui->cols, ui_attr(ui, UI_ALERT) | A_REVERSE, 0, T_OFFLINE);
		y0++;
	}
	v->ncards = b->ncards;
	v->top = v->shown = 0;
	v->prev = -1;
	v->page = v->npages = 0;
	if (b->ncards == 0 || y1 - y0 < 3) {
		w = ui_width(T_EMPTY);
		if (b->ncards == 0)
			ui_text(ui, stdscr, (y0 + y1) / 2, w < ui->cols ?
			    (ui->cols - w) / 2 : 0, ui->cols,
			    ui_attr(ui, UI_DIM), 0, T_EMPTY);
		return;
	}

	/* the pages, from the first card: a page is stable while paging */
	want = v->sel >= 0 && (size_t)v->sel < b->ncards ? (size_t)v->sel : 0;
	for (s = 0, p = 0, nstarts = 0; s < b->ncards; s += n, p++) {
		starts = xreallocarray(starts, nstarts + 1, sizeof(*starts));
		starts[nstarts++] = s;
		n = layout(ui, v, b, s, y0, y1, now, NULL);
		if (want >= s && want < s + n) {
			v->top = s;
			v->shown = n;
			v->page = p;
			v->prev = p > 0 ? (long)starts[p - 1] : -1;
		}
	}
	v->npages = p;
	v->rect = xreallocarray(v->rect, v->shown + 1, sizeof(*v->rect));
	(void)layout(ui, v, b, v->top, y0, y1, now, v->rect);
	for (i = 0; i < v->shown; i++)
		draw_card(ui, v, b, &b->cards[v->top + i], &v->rect[i],
		    (long)(v->top + i) == v->sel, now);
}

void
draw_free(struct kds_view *v)
{
	free(v->rect);
	v->rect = NULL;
	free(lines.v);
	memset(&lines, 0, sizeof(lines));
	free(starts);
	starts = NULL;
	nstarts = 0;
}

long
draw_hit(const struct kds_view *v, int y, int x)
{
	const struct kds_rect	*r;
	size_t			 i;

	for (i = 0; i < v->shown; i++) {
		r = &v->rect[i];
		if (y >= r->y && y < r->y + r->h && x >= r->x &&
		    x < r->x + r->w)
			return (long)(v->top + i);
	}
	return -1;
}

long
draw_beside(const struct kds_view *v, int dx)
{
	const struct kds_rect	*r, *o;
	long			 best = -1;
	size_t			 i;
	int			 cy, d, bd = INT_MAX;

	if (v->sel < (long)v->top || v->sel >= (long)(v->top + v->shown))
		return -1;
	r = &v->rect[v->sel - (long)v->top];
	cy = r->y + r->h / 2;
	for (i = 0; i < v->shown; i++) {
		o = &v->rect[i];
		if (o->col != r->col + dx)
			continue;
		d = cy < o->y ? o->y - cy : cy >= o->y + o->h ?
		    cy - (o->y + o->h - 1) : 0;
		if (d < bd) {
			bd = d;
			best = (long)(v->top + i);
		}
	}
	if (best == -1 && dx > 0 && v->top + v->shown < v->ncards)
		best = (long)(v->top + v->shown);
	if (best == -1 && dx < 0 && v->prev >= 0)
		best = v->prev;
	return best;
}
