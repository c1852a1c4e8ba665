/*
 * The screen.  Panes, top to bottom: summary, queue, workers, printers,
 * latency, the 24-hour chart and alerts, between the title bar and the
 * flash and key lines.  Each pane has a smallest and a largest useful
 * height; panes are admitted by importance while their smallest heights
 * fit (in 80x24 everything does, with a two-line chart), then the spare
 * rows go to whatever grows best: all printers, all alerts, blank lines
 * between panes, then a taller chart.  Columns likewise: fixed ones
 * first, the last error takes what is left.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "text.h"
#include "top.h"

enum pane {
	P_SUMMARY,
	P_QUEUE,
	P_WORKERS,
	P_PRINTERS,
	P_LATENCY,
	P_CHART,
	P_ALERTS,
	P_N
};

#define CHART_MAX_ROWS	12
#define NORMAL		((int)A_NORMAL)
#define BOLD		((int)A_BOLD)

const char *const draw_help[] = {
	"t, F2        turbo: activar / desactivar",
	"a, F8        turbo automático",
	"+, F3        un trabajador más",
	"-, F4        un trabajador menos",
	"r, F5        reintentar los trabajos fallidos",
	"c, F6        limpiar (borrar) los trabajos fallidos",
	"flechas, j k elegir una impresora (o un clic)",
	"p, F7        pausar / reanudar la impresora elegida",
	"Ctrl-L       redibujar",
	"?, F1        esta ayuda",
	"q, F10       salir",
	"",
	"Circuito: cerrado = imprime; abierto = falla, en espera;",
	"semiabierto = probando.  Latencias p50/p95/p99: el 50/95/99 %",
	"de los tickets tardó menos.  Objetivo: total p99 < 5 s.",
	"Sin respuesta de fastops-queued unos segundos, se muestra la",
	"memoria compartida (solo lectura) hasta que vuelva.",
	NULL
};

static int	 put(struct top *, int, int *, int, const char *, int,
		    const char *);
static void	 fmt_ms(char *, size_t, const struct top_lat_row *, uint64_t);
static int	 lat_role(uint64_t);
static void	 layout(const struct top *, int, int *);
static int	 pane_min(const struct top *, enum pane);
static int	 pane_max(const struct top *, enum pane);
static void	 draw_summary(struct top *, int);
static void	 draw_queue(struct top *, int, int);
static void	 draw_workers(struct top *, int);
static void	 draw_printers(struct top *, int, int);
static void	 draw_latency(struct top *, int, int);
static void	 draw_chart(struct top *, int, int);
static void	 draw_alerts(struct top *, int, int);

/*
 * Write "label value" at y, *x, advancing *x past it and two spaces.
 * Returns 0, or -1 (nothing written) when it would not fit in width.
 */
static int
put(struct top *t, int y, int *x, int width, const char *label, int role,
    const char *value)
{
	struct ui	*ui = &t->ui;
	int		 need;

	need = ui_width(label) + (*label != '\0' ? 1 : 0) + ui_width(value);
	if (*x + need > width)
		return -1;
	if (*label != '\0') {
		*x += ui_text(ui, stdscr, y, *x, width - *x, A_NORMAL, 0,
		    label);
		*x += 1;
	}
	*x += ui_text(ui, stdscr, y, *x, width - *x, ui_attr(ui, role), 0,
	    value);
	*x += 2;
	return 0;
}

/* A latency in the unit a person reads best. */
static void
fmt_ms(char *buf, size_t size, const struct top_lat_row *r, uint64_t us)
{
	if (!r->valid || r->count == 0)
		snprintf(buf, size, "%s", T_NODATA);
	else if (us < 10000)
		snprintf(buf, size, "%.1f ms", (double)us / 1000.0);
	else if (us < 1000000)
		snprintf(buf, size, "%llu ms", (unsigned long long)(us / 1000));
	else
		snprintf(buf, size, "%.1f s", (double)us / 1e6);
}

/* The colour of an end-to-end figure against the 5 s target. */
static int
lat_role(uint64_t us)
{
	if (us >= (uint64_t)TOP_TARGET_MS * 1000)
		return UI_ALERT;
	if (us >= (uint64_t)TOP_TARGET_MS * 800)
		return UI_WARN;
	return UI_OK;
}

static int
pane_min(const struct top *t, enum pane p)
{
	int	n = t->m.nprinters;

	switch (p) {
	case P_PRINTERS:
		return 1 + (n < 2 ? (n < 1 ? 1 : n) : 2);
	case P_LATENCY:
		return 4;
	case P_CHART:
		return 2;
	case P_ALERTS:
		/* the header and the first two: alerts are why one looks */
		return 1 + (t->m.nalerts < 2 ? t->m.nalerts : 2);
	default:
		return 1;
	}
}

static int
pane_max(const struct top *t, enum pane p)
{
	switch (p) {
	case P_QUEUE:
		return 2;
	case P_PRINTERS:
		return 1 + (t->m.nprinters < 1 ? 1 : t->m.nprinters);
	case P_LATENCY:
		return t->m.lat[TOP_LAT_ACK].valid ? 5 : 4;
	case P_CHART:
		return CHART_MAX_ROWS;
	case P_ALERTS:
		return 1 + t->m.nalerts;
	default:
		return 1;
	}
}

/*
 * Heights of the panes (0: left out) and whether a blank line goes
 * before each, for avail rows.  h[P_N] is unused; gap[] is in h[P_N+1..].
 */
static void
layout(const struct top *t, int avail, int *h)
{
	/* importance: what an admin needs first when rows are scarce */
	static const enum pane	 order[P_N] = { P_SUMMARY, P_PRINTERS,
	    P_LATENCY, P_QUEUE, P_ALERTS, P_WORKERS, P_CHART };
	static const enum pane	 grow[] = { P_QUEUE, P_PRINTERS, P_ALERTS };
	static const enum pane	 gaps[] = { P_PRINTERS, P_LATENCY, P_CHART,
	    P_ALERTS };
	int			*gap = h + P_N;
	int			 used = 0, i, m, more;

	memset(h, 0, sizeof(int) * P_N * 2);
	for (i = 0; i < P_N; i++) {
		m = pane_min(t, order[i]);
		if (used + m <= avail) {
			h[order[i]] = m;
			used += m;
		}
	}
	for (i = 0; i < (int)(sizeof grow / sizeof grow[0]); i++) {
		if (h[grow[i]] == 0)
			continue;
		more = pane_max(t, grow[i]) - h[grow[i]];
		if (more > avail - used)
			more = avail - used;
		h[grow[i]] += more;
		used += more;
	}
	for (i = 0; i < (int)(sizeof gaps / sizeof gaps[0]); i++)
		if (h[gaps[i]] > 0 && used < avail) {
			gap[gaps[i]] = 1;
			used++;
		}
	/* a bar chart needs a label row: 2 rows, or at least 4 */
	if (h[P_CHART] > 0 && avail - used >= 2) {
		h[P_CHART] += 2;
		used += 2;
	}
	if (h[P_LATENCY] > 0 && used < avail && h[P_LATENCY] <
	    pane_max(t, P_LATENCY)) {
		h[P_LATENCY]++;
		used++;
	}
	if (h[P_CHART] >= 4) {
		more = pane_max(t, P_CHART) - h[P_CHART];
		if (more > avail - used)
			more = avail - used;
		h[P_CHART] += more;
	}
}

static void
draw_summary(struct top *t, int y)
{
	const struct top_model	*m = &t->m;
	char			 v[7][64];
	const char		*fb = T_FALLBACK;
	int			 x, i, w = t->ui.cols - 1, role[7], n = 0;
	const char		*label[7];

	for (i = 0; i < 2; i++) {
		n = 0;
		if (m->orders >= 0) {
			label[n] = T_ORDERS;
			role[n] = UI_NORMAL;
			snprintf(v[n++], sizeof v[0], "%lld",
			    (long long)m->orders);
		}
		label[n] = T_PRINTED;
		role[n] = UI_OK;
		snprintf(v[n++], sizeof v[0], "%llu",
		    (unsigned long long)m->completed);
		label[n] = T_QUEUED;
		role[n] = m->urgent + m->normal + m->low > 0 ? UI_INFO :
		    UI_NORMAL;
		snprintf(v[n++], sizeof v[0], "%u",
		    m->urgent + m->normal + m->low);
		label[n] = T_FAILED;
		role[n] = m->failed_now > 0 ? UI_ALERT : UI_NORMAL;
		snprintf(v[n++], sizeof v[0], "%u", m->failed_now);
		if (m->fallbacks >= 0) {
			label[n] = fb;
			role[n] = m->fallbacks > 0 ? UI_ALERT : UI_NORMAL;
			snprintf(v[n++], sizeof v[0], "%lld",
			    (long long)m->fallbacks);
		}
		if (m->has_workers) {
			label[n] = T_TURBO;
			role[n] = m->turbo_on ? UI_WARN : UI_NORMAL;
			snprintf(v[n++], sizeof v[0], "%s (%s)",
			    m->turbo_on ? T_TURBO_ON : T_TURBO_OFF,
			    m->turbo_auto ? T_AUTO : T_MANUAL);
		}
		if (m->uptime_min >= 0) {
			label[n] = T_UPTIME;
			role[n] = UI_DIM;
			ui_age(v[n], sizeof v[0], m->uptime_min * 60);
			/* m:ss of minutes reads wrong: say it plainly */
			if (m->uptime_min < 60)
				snprintf(v[n], sizeof v[0], "%lld min",
				    (long long)m->uptime_min);
			n++;
		}
		/* everything fits with the long labels? */
		x = 1;
		for (int k = 0; k < n; k++)
			x += ui_width(label[k]) + 1 + ui_width(v[k]) + 2;
		if (x - 2 <= w || i == 1)
			break;
		fb = T_FALLBACK_S;
	}
	x = 1;
	for (i = 0; i < n; i++)
		if (put(t, y, &x, w, label[i], role[i], v[i]) == -1)
			break;
}

static void
draw_queue(struct top *t, int y, int h)
{
	const struct top_model	*m = &t->m;
	char			 v[32];
	int			 x = 1, i, w = t->ui.cols - 1;

	x += ui_text(&t->ui, stdscr, y, x, w - x, A_BOLD, 0, T_QUEUE) + 1;
	snprintf(v, sizeof v, "%u", m->urgent);
	put(t, y, &x, w, T_URGENT, m->urgent > 0 ? UI_URGENT : UI_NORMAL, v);
	snprintf(v, sizeof v, "%u", m->normal);
	put(t, y, &x, w, T_NORMAL, UI_NORMAL, v);
	snprintf(v, sizeof v, "%u", m->low);
	put(t, y, &x, w, T_LOW, UI_NORMAL, v);
	snprintf(v, sizeof v, "%u", m->processing);
	put(t, y, &x, w, T_PROCESSING, m->processing > 0 ? UI_INFO :
	    UI_NORMAL, v);
	snprintf(v, sizeof v, "%llu", (unsigned long long)m->retried);
	put(t, y, &x, w, T_RETRIED, UI_NORMAL, v);
	snprintf(v, sizeof v, "%u", m->free_slots);
	put(t, y, &x, w, T_FREE, UI_DIM, v);
	if (m->has_pg) {
		/* PostgreSQL: history and reports, never the orders' path */
		if (!m->pg_connected)
			snprintf(v, sizeof v, T_DB_DOWN, m->pg_down_s);
		else if (m->pg_lag_s >= 1)
			snprintf(v, sizeof v, T_DB_BEHIND, m->pg_lag_s);
		else
			snprintf(v, sizeof v, "%s", T_DB_OK);
		put(t, y, &x, w, T_DB, !m->pg_connected ? UI_ALERT :
		    m->pg_lag_s >= 10 ? UI_WARN : UI_DIM, v);
	}
	if (m->journal_ro)
		put(t, y, &x, w, "", UI_ALERT, T_JOURNAL_RO);
	if (h < 2 || m->nstations == 0)
		return;
	y++;
	x = 1;
	x += ui_text(&t->ui, stdscr, y, x, w - x, UI_NORMAL, 0, T_STATIONS);
	x++;
	for (i = 0; i < m->nstations; i++) {
		const struct top_station	*s = &m->station[i];

		snprintf(v, sizeof v, "%u/%u/%u", s->urgent, s->normal,
		    s->low);
		if (put(t, y, &x, w, s->name, s->urgent > 0 ? UI_URGENT :
		    s->normal + s->low > 0 ? UI_INFO : UI_NORMAL, v) == -1)
			break;
	}
}

static void
draw_workers(struct top *t, int y)
{
	const struct top_model	*m = &t->m;
	char			 line[256];
	int			 x = 1, w = t->ui.cols - 2;

	if (!m->has_workers) {
		ui_text(&t->ui, stdscr, y, x, w, ui_attr(&t->ui, UI_DIM), 0,
		    T_WORKERS_NONE);
		return;
	}
	snprintf(line, sizeof line, T_WORKERS, m->w_alive, m->w_min,
	    m->w_max, m->w_target);
	x += ui_text(&t->ui, stdscr, y, x, w, A_NORMAL, 0, line);
	snprintf(line, sizeof line, T_WORKERS_MORE, m->w_busy, m->w_parked);
	x += ui_text(&t->ui, stdscr, y, x, w + 1 - x, A_NORMAL, 0, line);
	if (m->w_crashed + m->w_stuck > 0) {
		snprintf(line, sizeof line, T_WORKERS_BAD,
		    (long long)m->w_crashed, (long long)m->w_stuck);
		ui_text(&t->ui, stdscr, y, x, w + 1 - x,
		    ui_attr(&t->ui, UI_WARN), 0, line);
	}
}

static void
draw_printers(struct top *t, int y, int h)
{
	const struct top_model	*m = &t->m;
	struct ui		*ui = &t->ui;
	const char		*circ, *state;
	char			 v[32];
	int			 cname, cst, i, x, rows, row, attr, sel,
				 crole, srole, cols = ui->cols, wide;

	/* column widths: names grow with the screen, the error takes the
	 * rest */
	wide = cols >= 120;
	cname = wide ? 16 : 10;
	cst = wide ? 12 : 9;
	attr = A_BOLD | A_UNDERLINE;
	if (!ui->color)
		attr = A_BOLD;
	ui_text(ui, stdscr, y, 0, cols, attr, 1, "");
	x = 2;
	ui_text(ui, stdscr, y, x, cname, attr, 0, T_PRINTERS);
	x += cname + 1;
	ui_text(ui, stdscr, y, x, cst, attr, 0, T_STATION);
	x += cst + 1;
	ui_text(ui, stdscr, y, x, 11, attr, 0, T_CIRCUIT);
	x += 12;
	ui_text(ui, stdscr, y, x, 8, attr, 0, T_STATE);
	x += 9;
	ui_text(ui, stdscr, y, x + 5 - ui_width(T_UTIL), 5, attr, 0, T_UTIL);
	x += 6;
	ui_text(ui, stdscr, y, x + 8 - ui_width(T_NPRINTED), 8, attr, 0,
	    T_NPRINTED);
	x += 9;
	ui_text(ui, stdscr, y, x + 6 - ui_width(T_NFAILED), 6, attr, 0,
	    T_NFAILED);
	x += 7;
	ui_text(ui, stdscr, y, x, cols - x, attr, 0, T_LASTERR);

	rows = h - 1;
	t->prow0 = y + 1;
	t->prows = 0;
	if (m->nprinters == 0) {
		ui_text(ui, stdscr, y + 1, 2, cols - 2,
		    ui_attr(ui, UI_DIM), 0, T_NOPRINTERS);
		return;
	}
	if (t->sel >= m->nprinters)
		t->sel = m->nprinters - 1;
	if (t->sel < 0)
		t->sel = 0;
	if (t->sel < t->first)
		t->first = t->sel;
	if (t->sel >= t->first + rows)
		t->first = t->sel - rows + 1;
	if (t->first > m->nprinters - rows)
		t->first = m->nprinters - rows;
	if (t->first < 0)
		t->first = 0;
	for (row = 0; row < rows && t->first + row < m->nprinters; row++) {
		const struct top_printer *p = &m->printer[t->first + row];

		i = t->first + row;
		y++;
		t->prows++;
		sel = i == t->sel;
		attr = sel ? ui_attr(ui, UI_SELECT) : NORMAL;
		ui_text(ui, stdscr, y, 0, cols, attr, 1, "");
		if (sel)
			ui_text(ui, stdscr, y, 0, 1, attr, 0,
			    ui_glyph(ui, "▶", ">"));
		else if (row == 0 && t->first > 0)
			ui_text(ui, stdscr, y, 0, 1, ui_attr(ui, UI_DIM), 0,
			    ui_glyph(ui, "↑", "^"));
		else if (row == rows - 1 && i < m->nprinters - 1)
			ui_text(ui, stdscr, y, 0, 1, ui_attr(ui, UI_DIM), 0,
			    ui_glyph(ui, "↓", "v"));
		x = 2;
		ui_text(ui, stdscr, y, x, cname, attr | A_BOLD, 0, p->name);
		x += cname + 1;
		ui_text(ui, stdscr, y, x, cst, attr, 0, p->station);
		x += cst + 1;
		switch (p->circuit) {
		case SHMQ_CIRCUIT_OPEN:
			circ = T_OPEN;
			crole = UI_ALERT;
			break;
		case SHMQ_CIRCUIT_HALF_OPEN:
			circ = T_HALF_OPEN;
			crole = UI_WARN;
			break;
		default:
			circ = T_CLOSED;
			crole = UI_OK;
			break;
		}
		ui_text(ui, stdscr, y, x, 11, sel ? attr :
		    ui_attr(ui, crole), 0, circ);
		x += 12;
		if (p->paused) {
			state = T_PAUSED;
			srole = UI_WARN;
		} else if (p->busy) {
			state = T_BUSY;
			srole = UI_INFO;
		} else {
			state = T_IDLE;
			srole = UI_NORMAL;
		}
		ui_text(ui, stdscr, y, x, 8, sel ? attr : ui_attr(ui, srole),
		    0, state);
		x += 9;
		if (p->util_pct < 0)
			snprintf(v, sizeof v, "%5s", "-");
		else
			snprintf(v, sizeof v, "%3d %%", p->util_pct);
		ui_text(ui, stdscr, y, x, 5, attr, 0, v);
		x += 6;
		snprintf(v, sizeof v, "%8llu", (unsigned long long)p->printed);
		ui_text(ui, stdscr, y, x, 8, attr, 0, v);
		x += 9;
		snprintf(v, sizeof v, "%6llu",
		    (unsigned long long)p->failures);
		ui_text(ui, stdscr, y, x, 6, sel ? attr : p->consecutive > 0 ?
		    ui_attr(ui, UI_ALERT) : NORMAL, 0, v);
		x += 7;
		ui_text(ui, stdscr, y, x, cols - x - 1, sel ? attr :
		    ui_attr(ui, p->consecutive > 0 ? UI_ALERT : UI_DIM), 0,
		    p->last_error);
	}
}

static void
draw_latency(struct top *t, int y, int h)
{
	static const struct {
		enum top_lat	 which;
		const char	*name;
	}			 rowdef[] = {
		{ TOP_LAT_WAIT, T_LAT_WAIT },
		{ TOP_LAT_PRINT, T_LAT_PRINT },
		{ TOP_LAT_TOTAL, T_LAT_TOTAL },
		{ TOP_LAT_ACK, T_LAT_ACK },
	};
	const struct top_model	*m = &t->m;
	struct ui		*ui = &t->ui;
	const struct top_lat_row *r;
	char			 v[32];
	int			 i, x, attr, c = 11, total;

	attr = ui->color ? BOLD | A_UNDERLINE : BOLD;
	ui_text(ui, stdscr, y, 0, ui->cols, attr, 1, "");
	ui_text(ui, stdscr, y, 2, 10, attr, 0, T_LATENCY);
	x = 13;
	ui_text(ui, stdscr, y, x + c - 3, 3, attr, 0, "p50");
	ui_text(ui, stdscr, y, x + 2 * c - 3, 3, attr, 0, "p95");
	ui_text(ui, stdscr, y, x + 3 * c - 3, 3, attr, 0, "p99");
	ui_text(ui, stdscr, y, x + 4 * c - ui_width(T_MAX), 4, attr, 0,
	    T_MAX);
	ui_text(ui, stdscr, y, x + 5 * c - ui_width(T_SAMPLES), 10, attr, 0,
	    T_SAMPLES);
	for (i = 0; i < 4 && i < h - 1; i++) {
		r = &m->lat[rowdef[i].which];
		if (rowdef[i].which == TOP_LAT_ACK && !r->valid)
			break;
		total = rowdef[i].which == TOP_LAT_TOTAL && r->valid &&
		    r->count > 0;
		ui_text(ui, stdscr, y + 1 + i, 2, 10, total ? BOLD :
		    A_NORMAL, 0, rowdef[i].name);
		fmt_ms(v, sizeof v, r, r->p50_us);
		ui_text(ui, stdscr, y + 1 + i, x + c - ui_width(v), c,
		    total ? ui_attr(ui, lat_role(r->p50_us)) : NORMAL, 0, v);
		fmt_ms(v, sizeof v, r, r->p95_us);
		ui_text(ui, stdscr, y + 1 + i, x + 2 * c - ui_width(v), c,
		    total ? ui_attr(ui, lat_role(r->p95_us)) : NORMAL, 0, v);
		fmt_ms(v, sizeof v, r, r->p99_us);
		ui_text(ui, stdscr, y + 1 + i, x + 3 * c - ui_width(v), c,
		    total ? ui_attr(ui, lat_role(r->p99_us)) | A_BOLD :
		    A_NORMAL, 0, v);
		fmt_ms(v, sizeof v, r, r->max_us);
		ui_text(ui, stdscr, y + 1 + i, x + 4 * c - ui_width(v), c,
		    ui_attr(ui, UI_DIM), 0, v);
		snprintf(v, sizeof v, "%llu", (unsigned long long)r->count);
		ui_text(ui, stdscr, y + 1 + i, x + 5 * c - ui_width(v), c,
		    ui_attr(ui, UI_DIM), 0, v);
		if (total) {
			int	 tx = x + 5 * c + 3, met;
			const char *s;

			met = r->p99_us < (uint64_t)TOP_TARGET_MS * 1000;
			s = met ? T_TARGET_OK : T_TARGET_BAD;
			if (tx + ui_width(s) >= ui->cols)
				s = met ? T_TARGET_OK_S : T_TARGET_BAD_S;
			ui_text(ui, stdscr, y + 1 + i, tx, ui->cols - tx - 1,
			    ui_attr(ui, lat_role(r->p99_us)), 0, s);
		}
	}
}

/*
 * Tickets printed per hour: a sparkline in two rows, or bars drawn in
 * eighths of a cell (▁..█; " .:-=+*#" on an ASCII terminal) with the
 * hours underneath when there is room.
 */
static void
draw_chart(struct top *t, int y, int h)
{
	static const char *const eighths[] = { "▁", "▂", "▃", "▄", "▅", "▆",
	    "▇", "█" };
	static const char *const ascii = " .:-=+*#";
	const struct top_model	*m = &t->m;
	struct ui		*ui = &t->ui;
	char			 v[64], a[2] = { 0, 0 };
	const char		*g;
	uint32_t		 max = 0, total = 0, val;
	int			 k, r, cw, bars, x0, fill, level, role, step,
				 x, hr;
	time_t			 when;
	struct tm		 tm;

	for (k = 0; k < 24; k++) {
		if (m->hour[k].printed > max)
			max = m->hour[k].printed;
		total += m->hour[k].printed;
	}
	x = 2;
	x += ui_text(ui, stdscr, y, x, ui->cols - x, A_BOLD, 0, T_CHART);
	snprintf(v, sizeof v, "  " T_CHART_MAX, max, total);
	ui_text(ui, stdscr, y, x, ui->cols - x - 1, ui_attr(ui, UI_DIM), 0,
	    v);

	bars = h >= 4 ? h - 2 : 1;
	x0 = 8;
	cw = (ui->cols - x0 - 2) / 24;
	if (cw > 6)
		cw = 6;
	if (cw < 1)
		cw = 1;
	if (bars > 1) {
		snprintf(v, sizeof v, "%6u", max);
		ui_text(ui, stdscr, y + 1, 0, 7, ui_attr(ui, UI_DIM), 0, v);
		ui_text(ui, stdscr, y + bars, 0, 7, ui_attr(ui, UI_DIM), 0,
		    "     0");
	}
	for (k = 0; k < 24; k++) {
		val = m->hour[k].printed;
		role = m->hour[k].failed > 0 ? UI_ALERT : k == 23 ? UI_INFO :
		    UI_OK;
		/* in eighths of a row, at least one for a non-empty hour */
		level = max == 0 ? 0 : (int)((uint64_t)val * (uint64_t)bars * 8
		    / max);
		if (val > 0 && level == 0)
			level = 1;
		for (r = 0; r < bars; r++) {
			fill = level - (bars - 1 - r) * 8;
			if (fill <= 0)
				continue;
			if (fill > 8)
				fill = 8;
			if (ui->utf8)
				g = eighths[fill - 1];
			else {
				a[0] = ascii[fill - 1 < 1 ? 1 : fill - 1];
				if (fill == 8)
					a[0] = '#';
				g = a;
			}
			for (x = 0; x < cw - (cw > 1 ? 1 : 0); x++)
				ui_text(ui, stdscr, y + 1 + r, x0 + k * cw + x,
				    1, ui_attr(ui, role), 0, g);
		}
	}
	if (bars == 1) {
		x = x0 + 24 * cw + 2;
		snprintf(v, sizeof v, T_CHART_SPAN, ui_glyph(ui, "→", "->"));
		ui_text(ui, stdscr, y + 1, x, ui->cols - x - 1,
		    ui_attr(ui, UI_DIM), 0, v);
		return;
	}
	/* hour labels: every hour when there is room, else every 2 or 3 */
	step = cw >= 3 ? 1 : cw == 2 ? 2 : 3;
	for (k = 0; k < 24; k++) {
		when = (time_t)m->hour[k].hour;
		if (when == 0)
			continue;
		localtime_r(&when, &tm);
		hr = tm.tm_hour;
		if ((23 - k) % step != 0)
			continue;
		snprintf(v, sizeof v, "%02d", hr);
		ui_text(ui, stdscr, y + 1 + bars, x0 + k * cw, 2,
		    ui_attr(ui, UI_DIM), 0, v);
	}
}

static void
draw_alerts(struct top *t, int y, int h)
{
	const struct top_model	*m = &t->m;
	struct ui		*ui = &t->ui;
	char			 v[64], clock[16];
	struct tm		 tm;
	time_t			 since;
	int			 i, x, role;

	if (!m->has_alerts) {
		ui_text(ui, stdscr, y, 2, ui->cols - 3, ui_attr(ui, UI_DIM), 0,
		    T_ALERTS_NA);
		return;
	}
	if (m->nalerts == 0) {
		ui_text(ui, stdscr, y, 2, ui->cols - 3, ui_attr(ui, UI_OK), 0,
		    T_ALERTS_NONE);
		return;
	}
	snprintf(v, sizeof v, "%s (%d)", T_ALERTS, m->nalerts);
	ui_text(ui, stdscr, y, 2, ui->cols - 3, ui_attr(ui, UI_ALERT), 0, v);
	for (i = 0; i < m->nalerts && i < h - 1; i++) {
		const struct top_alert	*a = &m->alert[i];

		role = a->critical ? UI_ALERT : UI_WARN;
		since = (time_t)a->since;
		clock[0] = '\0';
		if (since > 0) {
			localtime_r(&since, &tm);
			strftime(clock, sizeof clock, "%H:%M", &tm);
		}
		x = 2;
		x += ui_text(ui, stdscr, y + 1 + i, x, 6, ui_attr(ui, UI_DIM),
		    0, clock) + 1;
		x += ui_text(ui, stdscr, y + 1 + i, x, ui->cols - x - 1,
		    ui_attr(ui, role), 0, a->message);
		if (a->printer[0] != '\0' && strstr(a->message,
		    a->printer) == NULL) {
			snprintf(v, sizeof v, "  (%s)", a->printer);
			ui_text(ui, stdscr, y + 1 + i, x, ui->cols - x - 1,
			    ui_attr(ui, UI_DIM), 0, v);
		}
	}
}

void
draw_screen(struct top *t)
{
	struct ui	*ui = &t->ui;
	char		 title[128], line[384];
	const char	*arrows;
	int		 h[P_N * 2], *gap = h + P_N, y, avail, i, conn;

	erase();
	if (ui_too_small(ui)) {
		refresh();
		return;
	}
	snprintf(title, sizeof title, T_TITLE, t->company, t->branch);
	conn = t->shm_only ? -1 : t->answered;
	ui_titlebar(ui, title, conn);
	y = 1;

	/* what the screen is made of, when it is not the daemon's word */
	line[0] = '\0';
	if (t->m.source == TOP_SRC_SHM)
		snprintf(line, sizeof line, "%s — %s", T_SHM_BANNER,
		    t->shm_only ? "" : T_SHM_FALLBACK);
	if (t->m.source == TOP_SRC_SHM && t->shm_only)
		snprintf(line, sizeof line, "%s — " T_SHM_ONLY, T_SHM_BANNER,
		    t->instance);
	if (t->m.source == TOP_SRC_SHM) {
		ui_text(ui, stdscr, y, 0, ui->cols, ui_attr(ui, UI_SELECT), 1,
		    "");
		ui_text(ui, stdscr, y, 1, ui->cols - 2,
		    ui_attr(ui, UI_SELECT), 0, line);
		y++;
	} else if (!t->shm_only && t->link_err[0] != '\0') {
		if (t->answered)
			snprintf(line, sizeof line, T_REFUSED, t->link_err);
		else
			snprintf(line, sizeof line, T_NO_ANSWER,
			    fo_url(t->client));
		ui_text(ui, stdscr, y++, 1, ui->cols - 2,
		    ui_attr(ui, UI_ALERT), 0, line);
	}
	if (t->m.source == TOP_SRC_NONE) {
		if (t->shm_err[0] != '\0') {
			snprintf(line, sizeof line, T_NO_SHM, t->instance,
			    t->shm_err);
			ui_text(ui, stdscr, y++, 1, ui->cols - 2,
			    ui_attr(ui, UI_WARN), 0, line);
		}
		if (!t->shm_only)
			ui_text(ui, stdscr, y++, 1, ui->cols - 2,
			    ui_attr(ui, UI_DIM), 0, T_WAITING);
		goto bars;
	}

	avail = ui->rows - 2 - y;	/* the flash line and the key line */
	layout(t, avail, h);
	t->prows = 0;
	for (i = 0; i < P_N; i++) {
		if (h[i] == 0)
			continue;
		y += gap[i];
		switch (i) {
		case P_SUMMARY:
			draw_summary(t, y);
			break;
		case P_QUEUE:
			draw_queue(t, y, h[i]);
			break;
		case P_WORKERS:
			draw_workers(t, y);
			break;
		case P_PRINTERS:
			draw_printers(t, y, h[i]);
			break;
		case P_LATENCY:
			draw_latency(t, y, h[i]);
			break;
		case P_CHART:
			draw_chart(t, y, h[i]);
			break;
		case P_ALERTS:
			draw_alerts(t, y, h[i]);
			break;
		}
		y += h[i];
	}
bars:
	arrows = ui_glyph(ui, T_ARROWS, T_ARROWS_ASCII);
	if (t->shm_only || t->m.source == TOP_SRC_SHM)
		snprintf(line, sizeof line, T_KEYS_SHM, arrows);
	else if (ui->cols >= 150)
		snprintf(line, sizeof line, T_KEYS_WIDE, arrows);
	else
		snprintf(line, sizeof line, "%s", T_KEYS);
	ui_statusbar(ui, line);
	ui_flash_draw(ui);
	refresh();
}
