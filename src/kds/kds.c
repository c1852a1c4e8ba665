/*
 * fastops-kds — the kitchen display: one station's tickets (or every
 * station's) as cards, bumped to "listo" by their number.
 *
 * The screen is driven by the daemon's events (order.*, job.*) and blocks
 * in poll(2) between them.  A one-second timer ticks the cards' age
 * timers and notices a lost or regained connection; the full order list is
 * fetched again on every reconnection (events sent meanwhile are lost)
 * and once a minute, which also covers a daemon that restarted between
 * two ticks.  Requests are synchronous and short: a kitchen screen has
 * nothing better to do while the daemon answers.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "kds.h"
#include "xmalloc.h"

#ifndef FASTOPS_VERSION
#define FASTOPS_VERSION	"unknown"
#endif

#define KDS_REQ_MS	3000	/* one request's longest wait */
#define KDS_FIRST_MS	1500	/* the first list, while the link comes up */
#define KDS_RETRY_MS	3000	/* between attempts at the list */
#define KDS_RESYNC_MS	60000	/* the list again, connected or not */
#define KDS_FRAME_MS	100	/* events redraw at most this often */
#define KDS_EVENTS_MAX	256	/* event messages read per wake-up */
#define KDS_WARN_MIN	5
#define KDS_LATE_MIN	10

#define USAGE	"usage: fastops-kds [-f file] [-s station ...] [--mono] " \
		"[--large]\n" \
		"                   [--warn min] [--late min] [-u user]\n" \
		"       fastops-kds --help | --version\n"

struct kds {
	struct ui		 ui;
	struct kds_view		 view;
	struct board		 board;
	struct config		*cfg;
	struct fo_client	*fc;
	int			 offline;	/* the last request went unanswered */
	int			 linked;	/* fo_connected() at the last look */
	int			 need_list;	/* fetch the list when we can */
	uint64_t		 next_list_ms;
	int			 changed;	/* board_build() before drawing */
	char			 num[KDS_NUMBER_DIGITS + 1]; /* typed number */
	int64_t			 sel_id;	/* selected card's order ... */
	int			 sel_station;	/* ... and station */
	int64_t			 drawn_s;	/* the second last drawn */
};

static void	 usage(FILE *, int) __attribute__((noreturn));
static uint32_t	 stations(const struct config *, char **, int);
static int	 read_pin(const char *, char *, size_t);
static int	 login(struct kds *, const char *);
static int	 request(struct kds *, json_t *, json_t **, int);
static int	 fetch(struct kds *, int);
static void	 events(struct kds *);
static void	 rebuild(struct kds *);
static void	 redraw(struct kds *);
static void	 tick(struct kds *);
static void	 key(struct kds *, int);
static void	 select_card(struct kds *, long);
static void	 act(struct kds *, const char *);
static void	 bump(struct kds *, long, const char *);
static void	 recall(struct kds *);
static void	 help(struct kds *);
static int64_t	 now_s(const struct kds *);

static void
usage(FILE *f, int status)
{
	fputs(USAGE, f);
	exit(status);
}

static int64_t
now_s(const struct kds *k)
{
	return (int64_t)(k->ui.now_ms / 1000);
}

/*
 * The stations this screen shows: those named with -s (a name or a
 * comma-separated list, repeatable), else every station with kds = yes.
 */
static uint32_t
stations(const struct config *cfg, char **names, int n)
{
	char		*copy, *p, *name;
	uint32_t	 mask = 0;
	int		 i, st;

	for (i = 0; i < n; i++) {
		copy = xstrdup(names[i]);
		for (p = copy; (name = strsep(&p, ",")) != NULL;) {
			if (*name == '\0')
				continue;
			if ((st = config_station_find(cfg, name)) < 0) {
				fprintf(stderr, "fastops-kds: no station "
				    "\"%s\" in %s\n", name, cfg->path);
				exit(1);
			}
			mask |= 1u << st;
		}
		free(copy);
	}
	if (mask != 0)
		return mask;
	for (st = 0; st < cfg->nstations; st++)
		if (cfg->station[st].kds)
			mask |= 1u << st;
	if (mask == 0) {
		fprintf(stderr, "fastops-kds: no station has kds = yes in %s\n",
		    cfg->path);
		exit(1);
	}
	return mask;
}

/* A PIN from the terminal without echo, or a line of standard input. */
static int
read_pin(const char *prompt, char *buf, size_t size)
{
	struct termios	 t, saved;
	ssize_t		 r;
	size_t		 n = 0;
	char		 c;
	int		 fd, echo_off = 0;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1)
		fd = STDIN_FILENO;
	if (isatty(fd)) {
		(void)!write(fd, prompt, strlen(prompt));
		if (tcgetattr(fd, &t) == 0) {
			saved = t;
			t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
			t.c_lflag |= ICANON;
			echo_off = tcsetattr(fd, TCSAFLUSH, &t) == 0;
		}
	}
	for (;;) {
		if ((r = read(fd, &c, 1)) == -1 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		if (c != '\r' && n + 1 < size)
			buf[n++] = c;
	}
	buf[n] = '\0';
	if (echo_off) {
		(void)tcsetattr(fd, TCSAFLUSH, &saved);
		(void)!write(fd, "\n", 1);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return n > 0 ? 0 : -1;
}

/* Log in as a kitchen user before the screen starts (messages to stderr). */
static int
login(struct kds *k, const char *user)
{
	char	 pin[64], prompt[96], err[256];
	json_t	*req, *reply = NULL;
	int	 rv = -1;

	snprintf(prompt, sizeof(prompt), "PIN de %s: ", user);
	if (read_pin(prompt, pin, sizeof(pin)) == -1) {
		fprintf(stderr, "fastops-kds: no PIN given\n");
		return -1;
	}
	req = json_pack("{s:s, s:s, s:s}", "op", "login", "user", user,
	    "pin", pin);
	explicit_bzero(pin, sizeof(pin));
	if (fo_request(k->fc, req, &reply, KDS_REQ_MS * 2, err,
	    sizeof(err)) == -1)
		fprintf(stderr, "fastops-kds: %s\n", err);
	else if (!fo_reply_ok(reply))
		fprintf(stderr, "fastops-kds: %s: %s\n", fo_reply_code(reply),
		    fo_reply_message(reply));
	else if (!json_is_string(json_object_get(reply, "token")))
		fprintf(stderr, "fastops-kds: login: no token in the reply\n");
	else {
		fo_set_token(k->fc, fo_str(reply, "token"));
		rv = 0;
	}
	json_object_del(req, "pin");
	json_decref(req);
	json_decref(reply);
	return rv;
}

/*
 * One request (req is consumed).  0 with *reply when the daemon answered
 * (ok or not); -1 when it did not, and the screen says SIN CONEXIÓN until
 * the list has been fetched again.
 */
static int
request(struct kds *k, json_t *req, json_t **reply, int timeout_ms)
{
	char	err[256];
	int	rv;

	rv = fo_request(k->fc, req, reply, timeout_ms, err, sizeof(err));
	json_decref(req);
	if (rv == -1) {
		if (!k->offline)
			k->ui.dirty = 1;
		k->offline = 1;
		k->need_list = 1;
		return -1;
	}
	return 0;
}

/* Every order the kitchen may still have to make, page by page. */
static int
fetch(struct kds *k, int timeout_ms)
{
	json_t	*all, *reply, *orders;
	int64_t	 total;
	int	 page;

	all = json_array();
	for (page = 1; page <= KDS_FETCH_PAGES; page++) {
		if (request(k, json_pack("{s:s, s:i, s:i}", "op", "order.list",
		    "page", page, "per_page", FO_PER_PAGE_MAX), &reply,
		    timeout_ms) == -1) {
			json_decref(all);
			return -1;
		}
		if (!fo_reply_ok(reply)) {
			ui_flash(&k->ui, UI_ALERT, "No se pudo leer la lista de "
			    "pedidos: %s", fo_reply_message(reply));
			json_decref(reply);
			json_decref(all);
			k->need_list = 0;	/* not until the next resync */
			return -1;
		}
		orders = json_object_get(reply, "orders");
		json_array_extend(all, orders);
		total = fo_int(reply, "total");
		json_decref(reply);
		if (json_array_size(orders) == 0 ||
		    (int64_t)page * FO_PER_PAGE_MAX >= total)
			break;
	}
	if (board_load(&k->board, all, now_s(k)))
		k->changed = 1;
	json_decref(all);
	if (k->offline)
		k->ui.dirty = 1;
	k->offline = 0;
	k->need_list = 0;
	return 0;
}

/* Read what the daemon published since the last wake-up. */
static void
events(struct kds *k)
{
	char	*kind;
	json_t	*evs, *ev;
	size_t	 i;
	int	 n;

	for (n = 0; n < KDS_EVENTS_MAX; n++) {
		if (fo_event(k->fc, &kind, &evs, 0) == -1) {
			if (errno == EBADMSG)
				continue;
			break;
		}
		json_array_foreach(evs, i, ev) {
			if (!json_is_object(ev))
				continue;
			if (strncmp(kind, "order.", 6) == 0)
				board_order(&k->board, json_object_get(ev,
				    "order"), now_s(k));
			else if (strncmp(kind, "job.", 4) == 0)
				board_job(&k->board, kind, ev, now_s(k));
		}
		k->changed = 1;
		free(kind);
		json_decref(evs);
	}
}

static void
select_card(struct kds *k, long i)
{
	if (k->board.ncards == 0)
		i = -1;
	else if (i < 0)
		i = 0;
	else if ((size_t)i >= k->board.ncards)
		i = (long)k->board.ncards - 1;
	k->view.sel = i;
	if (i >= 0) {
		k->sel_id = k->board.cards[i].ord->id;
		k->sel_station = k->board.cards[i].station;
	}
	k->ui.dirty = 1;
}

/* New cards; the selection stays on its card, or where that card was. */
static void
rebuild(struct kds *k)
{
	long	i;

	board_build(&k->board, now_s(k));
	k->changed = 0;
	if ((i = board_find(&k->board, k->sel_id, k->sel_station)) < 0)
		i = k->view.sel < 0 ? 0 : k->view.sel;
	select_card(k, i);
}

static void
redraw(struct kds *k)
{
	struct ui	*ui = &k->ui;
	const char	*sep = ui_glyph(ui, " · ", " - ");
	char		 title[256], hints[256], names[128];
	size_t		 len = 0;
	int		 st, n = 0;

	if (k->changed)
		rebuild(k);
	erase();
	if (ui_too_small(ui)) {
		refresh();
		ui->dirty = 0;
		return;
	}
	k->view.offline = k->offline || !fo_connected(k->fc);
	draw_board(ui, &k->view, &k->board, now_s(k));

	names[0] = '\0';
	for (st = 0; st < k->cfg->nstations; st++) {
		if (!(k->board.show & (1u << st)))
			continue;
		n++;
		len += (size_t)snprintf(names + len, len < sizeof(names) ?
		    sizeof(names) - len : 0, "%s%s", len > 0 ? "+" : "",
		    k->cfg->station[st].name);
		if (len >= sizeof(names))
			len = sizeof(names) - 1;
	}
	for (len = 0; names[len] != '\0'; len++)
		names[len] = (char)(names[len] >= 'a' && names[len] <= 'z' ?
		    names[len] - 'a' + 'A' : names[len]);
	snprintf(title, sizeof(title), "%s %s%s%zu %s", T_TITLE,
	    n == k->cfg->nstations && n > 1 ? T_ALL : names, sep,
	    k->board.ncards, k->board.ncards == 1 ? T_ORDER : T_ORDERS);
	if (k->view.npages > 1)
		snprintf(title + strlen(title), sizeof(title) - strlen(title),
		    "%s%s %d/%d", sep, T_PAGE, k->view.page + 1,
		    k->view.npages);
	ui_titlebar(ui, title, !k->view.offline);

	if (k->num[0] != '\0')
		snprintf(hints, sizeof(hints), "Nº %s_   Intro/b listo   "
		    "a visto   Esc borrar", k->num);
	else
		snprintf(hints, sizeof(hints), "Nº+Intro listo  %s elegir  "
		    "a visto  r recuperar  L grande  ? ayuda  q salir",
		    ui_glyph(ui, "←→", "<>"));
	ui_statusbar(ui, hints);
	ui_flash_draw(ui);
	refresh();
	k->drawn_s = now_s(k);
	ui->dirty = 0;
}

/*
 * Once a second: the connection's state, the list when it is due, and
 * the age timers (the only thing that changes by itself).
 */
static void
tick(struct kds *k)
{
	int	linked = fo_connected(k->fc);

	if (linked != k->linked) {
		k->linked = linked;
		k->ui.dirty = 1;
		/* back (or gone): what happened meanwhile is unknown */
		k->need_list = 1;
		k->next_list_ms = 0;
	}
	/* not while unlinked: the request would only wait for the link */
	if (k->ui.now_ms >= k->next_list_ms && (linked || !k->need_list)) {
		/* a refusal is not retried as eagerly as silence */
		if (fetch(k, KDS_REQ_MS) == -1 && k->offline)
			k->next_list_ms = k->ui.now_ms + KDS_RETRY_MS;
		else
			k->next_list_ms = k->ui.now_ms + KDS_RESYNC_MS;
	}
	if (k->board.ncards > 0 && now_s(k) != k->drawn_s)
		k->ui.dirty = 1;
	if (now_s(k) / 60 != k->drawn_s / 60)
		k->ui.dirty = 1;	/* the clock */
}

/* Bump (state listo) or acknowledge (en_preparacion) card i. */
static void
bump(struct kds *k, long i, const char *state)
{
	struct kds_card	 c = k->board.cards[i];
	const char	*station = k->cfg->station[c.station].name;
	char		 number[32];
	json_t		*reply;
	int		 listo = strcmp(state, FO_ORDER_LISTO) == 0;

	snprintf(number, sizeof(number), "%s", fo_str(c.ord->o, "number"));
	if (c.flags & CARD_CANCEL) {
		/* the daemon has nothing to record: the order is gone */
		if (!listo) {
			ui_flash(&k->ui, UI_ALERT, "%s está cancelado: pulse "
			    "Intro para retirarlo", number);
			return;
		}
		board_bumped(&k->board, &c);
		k->changed = 1;
		ui_flash(&k->ui, UI_OK, "Cancelación %s retirada (r la "
		    "recupera)", number);
		return;
	}
	if (request(k, json_pack("{s:s, s:I, s:s, s:s}", "op", "order.bump",
	    "id", (json_int_t)c.ord->id, "station", station, "state", state),
	    &reply, KDS_REQ_MS) == -1) {
		ui_flash(&k->ui, UI_ALERT, "Sin conexión: %s no se marcó",
		    number);
		return;
	}
	if (!fo_reply_ok(reply)) {
		ui_flash(&k->ui, UI_ALERT, "%s: %s", number,
		    strcmp(fo_reply_code(reply), FO_EPERM) == 0 ||
		    strcmp(fo_reply_code(reply), FO_EAUTH) == 0 ?
		    "sin permiso (use -u con un usuario de cocina)" :
		    fo_reply_message(reply));
		json_decref(reply);
		return;
	}
	if (listo)
		board_bumped(&k->board, &c);
	board_order(&k->board, json_object_get(reply, "order"), now_s(k));
	json_decref(reply);
	k->changed = 1;
	if (listo)
		ui_flash(&k->ui, UI_OK, "%s listo (%s)   r: recuperar", number,
		    station);
	else
		ui_flash(&k->ui, UI_OK, "%s visto: en preparación (%s)",
		    number, station);
}

/*
 * Enter, b or a: on the card whose number was typed, else on the selected
 * one.  A number two cards share (M-0042 and L-0042, or one order at two
 * stations) only selects the first: the cook picks with the arrows.
 */
static void
act(struct kds *k, const char *state)
{
	long	 i, first = -1, want;
	size_t	 n = 0;

	if (k->changed)
		rebuild(k);
	if (k->num[0] != '\0') {
		want = strtol(k->num, NULL, 10);
		for (i = 0; (size_t)i < k->board.ncards; i++)
			if (k->board.cards[i].num == want && n++ == 0)
				first = i;
		if (n == 0)
			ui_flash(&k->ui, UI_ALERT, "No hay ningún pedido "
			    "nº %s en pantalla", k->num);
		else if (n > 1) {
			select_card(k, first);
			ui_flash(&k->ui, UI_WARN, "Hay %zu tarjetas con el "
			    "nº %s: elija con las flechas y pulse Intro", n,
			    k->num);
		}
		k->num[0] = '\0';
		k->ui.dirty = 1;
		if (n != 1)
			return;
		select_card(k, first);
	}
	if (k->view.sel < 0) {
		ui_flash(&k->ui, UI_WARN, "No hay ninguna tarjeta");
		return;
	}
	bump(k, k->view.sel, state);
}

static void
recall(struct kds *k)
{
	int64_t	id;
	int	st;

	if (k->changed)
		rebuild(k);
	if (board_recall(&k->board, &id, &st) == -1) {
		ui_flash(&k->ui, UI_WARN, "No hay ninguna tarjeta que "
		    "recuperar");
		return;
	}
	k->sel_id = id;
	k->sel_station = st;
	board_build(&k->board, now_s(k));
	select_card(k, board_find(&k->board, id, st));
	if (k->view.sel >= 0)
		ui_flash(&k->ui, UI_OK, "Recuperado %s: Intro lo marca listo "
		    "otra vez", fo_str(k->board.cards[k->view.sel].ord->o,
		    "number"));
}

static void
help(struct kds *k)
{
	static char	 ages[128];
	static const char *lines[] = {
		"Cada tarjeta es un pedido en una estación; primero los",
		"urgentes y los no impresos, después por orden de llegada.",
		"",
		"0-9 Intro       marcar listo el pedido de ese número",
		"flechas         elegir una tarjeta (RePág AvPág: página)",
		"Intro, b, F2    marcar lista la tarjeta elegida",
		"a, F4           visto: un ticket NO IMPRESO pasa a",
		"                \"en preparación\" y deja de estar en rojo",
		"r, F5           recuperar la última tarjeta marcada lista",
		"L, F6           texto grande (para leer de lejos)",
		"Esc             borrar el número tecleado",
		"? F1            esta ayuda       q F10   salir",
		"",
		ages,
		NULL
	};

	snprintf(ages, sizeof(ages), "Tiempo: verde hasta %d min, amarillo "
	    "hasta %d min, rojo después.", k->view.warn_s / 60,
	    k->view.late_s / 60);
	ui_help(&k->ui, "Pantalla de cocina — ayuda", lines);
}

static void
key(struct kds *k, int ch)
{
	size_t	len = strlen(k->num);
	long	i, want;
	int	y, x;

	if (k->changed)
		rebuild(k);
	switch (ch) {
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if (len < KDS_NUMBER_DIGITS) {
			k->num[len] = (char)ch;
			k->num[len + 1] = '\0';
		}
		/* show where that number is */
		want = strtol(k->num, NULL, 10);
		for (i = 0; (size_t)i < k->board.ncards; i++)
			if (k->board.cards[i].num == want) {
				select_card(k, i);
				break;
			}
		k->ui.dirty = 1;
		break;
	case KEY_BACKSPACE:
	case 0x7f:
	case 0x08:
		if (len > 0)
			k->num[len - 1] = '\0';
		k->ui.dirty = 1;
		break;
	case 0x1b:
		k->num[0] = '\0';
		k->ui.dirty = 1;
		break;
	case '\r':
	case '\n':
	case KEY_ENTER:
	case 'b':
		act(k, FO_ORDER_LISTO);
		break;
	case 'a':
		act(k, FO_ORDER_EN_PREPARACION);
		break;
	case 'r':
		k->num[0] = '\0';
		recall(k);
		break;
	case 'L':
		k->view.large = !k->view.large;
		k->ui.dirty = 1;
		break;
	case KEY_LEFT:
	case KEY_RIGHT:
		k->num[0] = '\0';
		if ((i = draw_beside(&k->view, ch == KEY_LEFT ? -1 : 1)) >= 0)
			select_card(k, i);
		break;
	case KEY_UP:
		k->num[0] = '\0';
		select_card(k, k->view.sel - 1);
		break;
	case KEY_DOWN:
		k->num[0] = '\0';
		select_card(k, k->view.sel + 1);
		break;
	case KEY_PPAGE:
		select_card(k, k->view.prev >= 0 ? k->view.prev : 0);
		break;
	case KEY_NPAGE:
		select_card(k, (long)(k->view.top + k->view.shown));
		break;
	case KEY_HOME:
		select_card(k, 0);
		break;
	case KEY_END:
		select_card(k, (long)k->board.ncards - 1);
		break;
	case KEY_MOUSE:
		if (ui_mouse(&y, &x) == 0 &&
		    (i = draw_hit(&k->view, y, x)) >= 0)
			select_card(k, i);
		break;
	case '?':
		help(k);
		break;
	case 'q':
		if (ui_confirm(&k->ui, "¿Salir de la pantalla de cocina? "
		    "(s/n)"))
			k->ui.quit = 1;
		break;
	case 0x0c:			/* ^L */
		clearok(curscr, TRUE);
		k->ui.dirty = 1;
		break;
	case KEY_RESIZE:
		k->ui.dirty = 1;
		break;
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mono",	no_argument,		NULL, 'M' },
		{ "large",	no_argument,		NULL, 'L' },
		{ "warn",	required_argument,	NULL, 'W' },
		{ "late",	required_argument,	NULL, 'T' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	/* F2 listo, F4 visto, F5 recuperar, F6 grande, F10 salir */
	static const char fkeys[13] = { 0, 0, 'b', 0, 'a', 'r', 'L', 0, 0,
	    0, 'q', 0, 0 };
	struct kds	 k;
	const char	*path = NULL, *user = NULL, *errstr;
	char		*errors = NULL, err[1024], **snames;
	uint32_t	 mask;
	int		 ch, mono = 0, large = 0, nsnames = 0, wait;
	uint64_t	 drawn_ms = 0;
	long		 warn = KDS_WARN_MIN, late = KDS_LATE_MIN;

	setlocale(LC_ALL, "");
	snames = xcalloc((size_t)argc + 1, sizeof(*snames));
	while ((ch = getopt_long(argc, argv, "f:s:u:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			path = optarg;
			break;
		case 's':
			snames[nsnames++] = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'M':
			mono = 1;
			break;
		case 'L':
			large = 1;
			break;
		case 'W':
		case 'T':
			errno = 0;
			if ((ch == 'W' ? (warn = strtol(optarg, &errors, 10)) :
			    (late = strtol(optarg, &errors, 10))) < 1 ||
			    *errors != '\0' || errno != 0 ||
			    (ch == 'W' ? warn : late) > 1440) {
				fprintf(stderr, "fastops-kds: --%s: minutes "
				    "from 1 to 1440\n", ch == 'W' ? "warn" :
				    "late");
				exit(1);
			}
			errors = NULL;
			break;
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("fastops-kds %s\n", FASTOPS_VERSION);
			exit(0);
		default:
			usage(stderr, 1);
		}
	}
	if (optind != argc)
		usage(stderr, 1);
	if (late <= warn) {
		fprintf(stderr, "fastops-kds: --late must be more than "
		    "--warn (%ld)\n", warn);
		exit(1);
	}

	memset(&k, 0, sizeof(k));
	if (path == NULL)
		path = config_default_path();
	if (config_load(path, CONFIG_CLIENT, &k.cfg, &errors) == -1) {
		errstr = errors != NULL ? errors : strerror(errno);
		fprintf(stderr, "fastops-kds: %s%s", errstr,
		    errstr[0] != '\0' && errstr[strlen(errstr) - 1] == '\n' ?
		    "" : "\n");
		free(errors);
		exit(1);
	}
	mask = stations(k.cfg, snames, nsnames);
	free(snames);
	if (fo_open(path, &k.fc, err, sizeof(err)) == -1) {
		fprintf(stderr, "fastops-kds: %s\n", err);
		exit(1);
	}
	if (user != NULL && login(&k, user) == -1)
		exit(1);
	if (fo_subscribe(k.fc, "order.") == -1 ||
	    fo_subscribe(k.fc, "job.") == -1) {
		fprintf(stderr, "fastops-kds: events: %s\n",
		    fo_strerror(k.fc));
		exit(1);
	}

	board_init(&k.board, k.cfg, mask);
	k.view.large = large;
	k.view.warn_s = (int)warn * 60;
	k.view.late_s = (int)late * 60;
	k.view.multi = __builtin_popcount(mask) > 1;
	k.view.sel = -1;
	k.sel_id = -1;
	k.need_list = 1;
	if (ui_init(&k.ui, mono) == -1)
		exit(1);
	ui_fkeys(fkeys);
	k.linked = fo_connected(k.fc);

	/* the screen first, then the list: a slow daemon shows as such */
	redraw(&k);
	if (fetch(&k, KDS_FIRST_MS) == -1 && k.offline)
		k.next_list_ms = k.ui.now_ms + KDS_RETRY_MS;
	else
		k.next_list_ms = k.ui.now_ms + KDS_RESYNC_MS;
	while (!k.ui.quit) {
		/*
		 * A key, a resize or the clock redraws at once; a burst of
		 * events (a rush: every order is several) at most every
		 * KDS_FRAME_MS, so rebuilding the cards never eats the CPU.
		 */
		wait = (int)(1000 - k.ui.now_ms % 1000) + 5;
		if (k.ui.dirty || (k.changed && k.ui.now_ms >= drawn_ms +
		    KDS_FRAME_MS)) {
			redraw(&k);
			drawn_ms = k.ui.now_ms;
		} else if (k.changed && (int)(drawn_ms + KDS_FRAME_MS -
		    k.ui.now_ms) < wait)
			wait = (int)(drawn_ms + KDS_FRAME_MS - k.ui.now_ms);
		if (ui_wait(&k.ui, fo_event_fd(k.fc), wait) & UI_WAKE_EVENT)
			events(&k);
		while ((ch = ui_key(&k.ui)) != ERR && !k.ui.quit)
			key(&k, ch);
		tick(&k);
	}
	ui_end();
	draw_free(&k.view);
	board_free(&k.board);
	fo_close(k.fc);
	config_free(k.cfg);
	return 0;
}
