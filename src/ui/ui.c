/*
 * ui — the screen helpers of fastops-pos, fastops-kds and fastops-top.
 *
 * Signals.  Curses would install its own SIGWINCH, SIGINT and SIGTERM
 * handlers, but those cannot wake a program blocked in poll(2) on other
 * descriptors (nng's event pipe, a timer), and its SIGINT handler exits
 * without letting the program close anything.  So ui_init() installs
 * handlers first (curses leaves alone a signal that is not SIG_DFL): they
 * only set a flag and write a byte to a self-pipe that ui_wait() polls,
 * whichever thread the kernel picked to run them.  A resize is then done
 * in ui_key() (resizeterm, KEY_RESIZE), a termination sets ui->quit.
 *
 * Text.  Everything given to ui_text() is UTF-8 from the network or a
 * file; it is cleaned (control characters become spaces, malformed bytes
 * "?"), measured with wcwidth(3) so it is clipped on a character
 * boundary, and transliterated to ASCII through codepage_encode() on a
 * terminal whose locale is not UTF-8.
 */
#include <sys/ioctl.h>

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "codepage.h"
#include "ui.h"

#define UI_TEXT_MAX	1024		/* bytes of one ui_text() string */
#define UI_FLASH_MS	4000		/* how long a flash line stays */
#define UI_MIN_ROWS	24
#define UI_MIN_COLS	80

/* Colour pairs: one per role, then the title bar's connection states. */
#define PAIR_CONN_OK	(UI_NROLES + 1)
#define PAIR_CONN_BAD	(UI_NROLES + 2)

static volatile sig_atomic_t	 ui_sigwinch;
static volatile sig_atomic_t	 ui_sigterm;
static int			 ui_pipe[2] = { -1, -1 };
static int			 ui_active;
static int			 ui_color;
static char			 ui_fkey[13];
static MEVENT			 ui_mev;
static int			 ui_mev_ok;

static struct {
	char		 text[256];
	int		 role;
	uint64_t	 until_ms;	/* 0: none */
} ui_flashmsg;

static void	 ui_signal(int);
static uint64_t	 ui_clock_ms(void);
static void	 ui_resize(struct ui *);
static void	 ui_drain_pipe(struct ui *);
static size_t	 ui_clean(const struct ui *, const char *, char *, size_t,
		    int *);
static int	 ui_key_blocking(struct ui *);
static void	 ui_popup(struct ui *, const char *, const char *const *,
		    int, const char *);
static size_t	 ui_utf8_put(uint32_t, char *);
static int	 ui_escape(void);
static void	 ui_define_keys(void);

static void
ui_signal(int sig)
{
	int	saved = errno;
	char	c = (char)sig;

	if (sig == SIGWINCH)
		ui_sigwinch = 1;
	else
		ui_sigterm = 1;
	if (ui_pipe[1] != -1)
		(void)!write(ui_pipe[1], &c, 1);
	errno = saved;
}

static uint64_t
ui_clock_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
ui_init(struct ui *ui, int mono)
{
	struct sigaction	 sa;
	const char		*nc, *cs;
	SCREEN			*scr;
	static int		 registered;
	int			 i;

	memset(ui, 0, sizeof *ui);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s: not a terminal\n",
		    program_invocation_short_name);
		return -1;
	}
	if (ui_pipe[0] == -1 && pipe2(ui_pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		fprintf(stderr, "%s: pipe: %s\n",
		    program_invocation_short_name, strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ui_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	cs = nl_langinfo(CODESET);
	ui->utf8 = cs != NULL && (strcasecmp(cs, "UTF-8") == 0 ||
	    strcasecmp(cs, "utf8") == 0);

	if ((scr = newterm(NULL, stdout, stdin)) == NULL) {
		fprintf(stderr, "%s: cannot start curses on terminal type "
		    "'%s'\n", program_invocation_short_name,
		    getenv("TERM") != NULL ? getenv("TERM") : "");
		return -1;
	}
	set_term(scr);
	ui_active = 1;
	if (!registered++)
		atexit(ui_end);
	if (LINES < UI_MIN_ROWS || COLS < UI_MIN_COLS) {
		ui_end();
		fprintf(stderr, "%s: terminal too small (%dx%d): at least "
		    "%dx%d\n", program_invocation_short_name, COLS, LINES,
		    UI_MIN_COLS, UI_MIN_ROWS);
		return -1;
	}
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	ui_define_keys();
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
	mouseinterval(0);

	nc = getenv("NO_COLOR");
	ui_color = !mono && (nc == NULL || *nc == '\0') && has_colors();
	if (ui_color && start_color() == ERR)
		ui_color = 0;
	if (ui_color) {
		short	bg = COLOR_BLACK;

		if (use_default_colors() == OK)
			bg = -1;
		init_pair(UI_TITLE, COLOR_WHITE, COLOR_BLUE);
		init_pair(UI_STATUS, COLOR_BLACK, COLOR_CYAN);
		init_pair(UI_SELECT, COLOR_BLACK, COLOR_YELLOW);
		init_pair(UI_OK, COLOR_GREEN, bg);
		init_pair(UI_WARN, COLOR_YELLOW, bg);
		init_pair(UI_ALERT, COLOR_RED, bg);
		init_pair(UI_URGENT, COLOR_RED, bg);
		init_pair(UI_INFO, COLOR_CYAN, bg);
		init_pair(UI_DIM, COLOR_WHITE, bg);
		init_pair(PAIR_CONN_OK, COLOR_GREEN, COLOR_BLUE);
		init_pair(PAIR_CONN_BAD, COLOR_WHITE, COLOR_RED);
	}
	ui->color = ui_color;
	ui->rows = LINES;
	ui->cols = COLS;
	ui->dirty = 1;
	ui->now_ms = ui_clock_ms();
	for (i = 0; i < 13; i++)
		ui_fkey[i] = 0;
	ui_flashmsg.until_ms = 0;
	return 0;
}

void
ui_end(void)
{
	if (!ui_active)
		return;
	ui_active = 0;
	curs_set(1);
	endwin();
}

int
ui_attr(const struct ui *ui, enum ui_role role)
{
	if ((unsigned)role >= UI_NROLES)
		role = UI_NORMAL;
	if (ui->color) {
		switch (role) {
		case UI_NORMAL:
			return A_NORMAL;
		case UI_TITLE:
		case UI_ALERT:
		case UI_URGENT:
			return (int)(COLOR_PAIR(role) | A_BOLD);
		case UI_DIM:
			return (int)(COLOR_PAIR(role) | A_DIM);
		default:
			return (int)COLOR_PAIR(role);
		}
	}
	switch (role) {
	case UI_TITLE:
	case UI_STATUS:
		return A_REVERSE;
	case UI_SELECT:
		return A_REVERSE | A_BOLD;
	case UI_WARN:
		return A_BOLD;
	case UI_ALERT:
		return A_BOLD | A_UNDERLINE;
	case UI_URGENT:
		return A_BOLD | A_UNDERLINE;
	case UI_INFO:
		return A_UNDERLINE;
	case UI_DIM:
		return A_DIM;
	default:
		return A_NORMAL;
	}
}

/* Take the new terminal size after a SIGWINCH. */
static void
ui_resize(struct ui *ui)
{
	struct winsize	ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	ui->rows = LINES;
	ui->cols = COLS;
	clearok(curscr, TRUE);
	ui->dirty = 1;
}

void
ui_fkeys(const char map[13])
{
	memcpy(ui_fkey, map, sizeof ui_fkey);
}

int
ui_key(struct ui *ui)
{
	wint_t	wc;
	int	rc;

	if (ui_sigwinch) {
		ui_sigwinch = 0;
		ui_resize(ui);
		return KEY_RESIZE;
	}
	rc = wget_wch(stdscr, &wc);
	if (rc == ERR)
		return ERR;
	if (rc == KEY_CODE_YES) {
		if (wc == KEY_RESIZE) {
			ui->rows = LINES;
			ui->cols = COLS;
			ui->dirty = 1;
			return KEY_RESIZE;
		}
		if (wc == KEY_F(1))
			return '?';
		if (wc >= KEY_F(2) && wc <= KEY_F(12)) {
			rc = ui_fkey[wc - KEY_F(0)];
			return rc != 0 ? rc : ERR;
		}
		if (wc == KEY_MOUSE) {
			ui_mev_ok = getmouse(&ui_mev) == OK;
			return ui_mev_ok ? KEY_MOUSE : ERR;
		}
		return (int)wc;
	}
	if (wc == 0x1b)
		return ui_escape();
	/* Characters past Latin-1 would collide with the KEY_ codes. */
	if (wc >= 0x100)
		return ERR;
	return (int)wc;
}

/*
 * After an Esc that curses did not recognise as a key: a lone Esc is a
 * key, the rest of an unknown escape sequence (CSI "ESC [ ... final",
 * SS3 "ESC O x") is swallowed, so its letters are not taken for commands.
 */
static int
ui_escape(void)
{
	wint_t	wc;
	int	rc, i;

	rc = wget_wch(stdscr, &wc);
	if (rc == ERR)
		return 0x1b;
	if (rc == KEY_CODE_YES || (wc != '[' && wc != 'O')) {
		if (rc == KEY_CODE_YES)
			ungetch((int)wc);
		else
			unget_wch((wchar_t)wc);
		return 0x1b;
	}
	if (wc == 'O') {
		(void)wget_wch(stdscr, &wc);
		return ERR;
	}
	for (i = 0; i < 16; i++) {
		if (wget_wch(stdscr, &wc) != OK)
			break;
		if (wc >= 0x40 && wc <= 0x7e)
			break;
	}
	return ERR;
}

/*
 * Function keys as terminals really send them, whatever the terminfo
 * entry says (xterm-mono's kf1 is the old "ESC [ 11 ~" while xterm and
 * tmux send "ESC O P"): bound only where the entry left them free.
 */
static void
ui_define_keys(void)
{
	static const struct {
		const char	*seq;
		int		 key;
	} keys[] = {
		{ "\033OP", KEY_F(1) }, { "\033OQ", KEY_F(2) },
		{ "\033OR", KEY_F(3) }, { "\033OS", KEY_F(4) },
		{ "\033[11~", KEY_F(1) }, { "\033[12~", KEY_F(2) },
		{ "\033[13~", KEY_F(3) }, { "\033[14~", KEY_F(4) },
		{ "\033[15~", KEY_F(5) }, { "\033[17~", KEY_F(6) },
		{ "\033[18~", KEY_F(7) }, { "\033[19~", KEY_F(8) },
		{ "\033[20~", KEY_F(9) }, { "\033[21~", KEY_F(10) },
		{ "\033[23~", KEY_F(11) }, { "\033[24~", KEY_F(12) },
		{ "\033[[A", KEY_F(1) }, { "\033[[B", KEY_F(2) },
		{ "\033[[C", KEY_F(3) }, { "\033[[D", KEY_F(4) },
		{ "\033[[E", KEY_F(5) },
		{ "\033[A", KEY_UP }, { "\033[B", KEY_DOWN },
		{ "\033[C", KEY_RIGHT }, { "\033[D", KEY_LEFT },
		{ "\033OA", KEY_UP }, { "\033OB", KEY_DOWN },
		{ "\033OC", KEY_RIGHT }, { "\033OD", KEY_LEFT },
		{ "\033[H", KEY_HOME }, { "\033[F", KEY_END },
		{ "\033[1~", KEY_HOME }, { "\033[4~", KEY_END },
		{ "\033[5~", KEY_PPAGE }, { "\033[6~", KEY_NPAGE },
	};
	size_t	i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (key_defined(keys[i].seq) == 0)
			define_key(keys[i].seq, keys[i].key);
}

int
ui_mouse(int *y, int *x)
{
	if (!ui_mev_ok)
		return -1;
	*y = ui_mev.y;
	*x = ui_mev.x;
	return 0;
}

/* Read the self-pipe empty and note a termination. */
static void
ui_drain_pipe(struct ui *ui)
{
	char	buf[64];

	while (read(ui_pipe[0], buf, sizeof buf) > 0)
		;
	if (ui_sigterm)
		ui->quit = 1;
}

int
ui_wait(struct ui *ui, int event_fd, int timeout_ms)
{
	struct pollfd	pfd[3];
	nfds_t		n = 0;
	int		mask = 0, rc, flash_ms = -1;
	uint64_t	now;

	now = ui_clock_ms();
	if (ui_sigwinch || ui_sigterm) {
		ui_drain_pipe(ui);
		ui->now_ms = now;
		return UI_WAKE_KEY;
	}
	/* Wake when a flash line is due to go, so it does not linger. */
	if (ui_flashmsg.until_ms != 0) {
		flash_ms = ui_flashmsg.until_ms > now ?
		    (int)(ui_flashmsg.until_ms - now) : 0;
		if (timeout_ms < 0 || flash_ms < timeout_ms)
			timeout_ms = flash_ms;
	}
	pfd[n].fd = STDIN_FILENO;
	pfd[n++].events = POLLIN;
	pfd[n].fd = ui_pipe[0];
	pfd[n++].events = POLLIN;
	if (event_fd >= 0) {
		pfd[n].fd = event_fd;
		pfd[n++].events = POLLIN;
	}
	rc = poll(pfd, n, timeout_ms);
	ui->now_ms = ui_clock_ms();
	if (ui_flashmsg.until_ms != 0 && ui->now_ms >= ui_flashmsg.until_ms) {
		ui_flashmsg.until_ms = 0;
		ui->dirty = 1;
	}
	if (rc == -1)
		return errno == EINTR ? UI_WAKE_KEY : UI_WAKE_TIMER;
	if (rc == 0)
		return UI_WAKE_TIMER;
	if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
		mask |= UI_WAKE_KEY;
	if (pfd[1].revents & POLLIN) {
		ui_drain_pipe(ui);
		mask |= UI_WAKE_KEY;
	}
	if (n > 2 && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR)))
		mask |= UI_WAKE_EVENT;
	return mask != 0 ? mask : UI_WAKE_TIMER;
}

/* UTF-8 encoding of cp into out (4 bytes); returns the length. */
static size_t
ui_utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Copy s into out (size bytes, NUL-terminated) as text the terminal can
 * show, at most *cols columns; *cols is set to the columns used.  With a
 * NULL ui the text is only measured as UTF-8 (ui_width).
 */
static size_t
ui_clean(const struct ui *ui, const char *s, char *out, size_t size,
    int *cols)
{
	const uint8_t	*p = (const uint8_t *)s;
	uint8_t		 tmp[UI_TEXT_MAX];
	size_t		 len, i = 0, o = 0, k;
	uint32_t	 cp;
	int		 used = 0, max = *cols, w;
	char		 enc[4];

	len = strnlen(s, UI_TEXT_MAX - 1);
	if (ui != NULL && !ui->utf8) {
		len = codepage_encode(CODEPAGE_ASCII, s, len, tmp, sizeof tmp);
		for (i = 0; i < len && used < max && o + 1 < size; i++) {
			out[o++] = (tmp[i] == '\n' || tmp[i] == '\t') ? ' ' :
			    (char)tmp[i];
			used++;
		}
		out[o] = '\0';
		*cols = used;
		return o;
	}
	while (i < len) {
		if (utf8_next(p, len, &i, &cp) == -1)
			cp = '?';
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			cp = ' ';
		if ((w = wcwidth((wchar_t)cp)) < 0) {
			cp = '?';
			w = 1;
		}
		if (used + w > max)
			break;
		k = ui_utf8_put(cp, enc);
		if (o + k + 1 > size)
			break;
		memcpy(out + o, enc, k);
		o += k;
		used += w;
	}
	if (size > 0)
		out[o] = '\0';
	*cols = used;
	return o;
}

int
ui_width(const char *utf8)
{
	char	buf[UI_TEXT_MAX * 2];
	int	cols = UI_TEXT_MAX;

	ui_clean(NULL, utf8, buf, sizeof buf, &cols);
	return cols;
}

int
ui_text(const struct ui *ui, WINDOW *win, int y, int x, int width,
    int attr, int pad, const char *utf8)
{
	char	buf[UI_TEXT_MAX * 2];
	int	cols, maxy, maxx;
	attr_t	oattr;
	short	opair;

	getmaxyx(win, maxy, maxx);
	if (y < 0 || y >= maxy || x < 0 || x >= maxx || width <= 0)
		return 0;
	if (width > maxx - x)
		width = maxx - x;
	cols = width;
	ui_clean(ui, utf8 != NULL ? utf8 : "", buf, sizeof buf, &cols);
	wattr_get(win, &oattr, &opair, NULL);
	wattrset(win, attr);
	mvwaddstr(win, y, x, buf);
	if (pad && cols < width) {
		wmove(win, y, x + cols);
		for (int i = cols; i < width; i++)
			waddch(win, ' ');
	}
	wattr_set(win, oattr, opair, NULL);
	return pad ? width : cols;
}

int
ui_textf(const struct ui *ui, WINDOW *win, int y, int x, int width,
    int attr, int pad, const char *fmt, ...)
{
	char	buf[UI_TEXT_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return ui_text(ui, win, y, x, width, attr, pad, buf);
}

const char *
ui_glyph(const struct ui *ui, const char *utf8, const char *ascii)
{
	return ui->utf8 ? utf8 : ascii;
}

void
ui_hline(const struct ui *ui, WINDOW *win, int y, int x, int width,
    int attr)
{
	const char	*g = ui_glyph(ui, "─", "-");
	int		 maxx = getmaxx(win), i;
	attr_t		 oattr;
	short		 opair;

	if (y < 0 || y >= getmaxy(win) || x < 0)
		return;
	if (width > maxx - x)
		width = maxx - x;
	wattr_get(win, &oattr, &opair, NULL);
	wattrset(win, attr);
	wmove(win, y, x);
	for (i = 0; i < width; i++)
		waddstr(win, g);
	wattr_set(win, oattr, opair, NULL);
}

void
ui_box(const struct ui *ui, WINDOW *win, int y, int x, int h, int w,
    int attr)
{
	const char	*v = ui_glyph(ui, "│", "|");
	int		 i;

	if (h < 2 || w < 2)
		return;
	ui_hline(ui, win, y, x + 1, w - 2, attr);
	ui_hline(ui, win, y + h - 1, x + 1, w - 2, attr);
	ui_text(ui, win, y, x, 1, attr, 0, ui_glyph(ui, "┌", "+"));
	ui_text(ui, win, y, x + w - 1, 1, attr, 0, ui_glyph(ui, "┐", "+"));
	ui_text(ui, win, y + h - 1, x, 1, attr, 0, ui_glyph(ui, "└", "+"));
	ui_text(ui, win, y + h - 1, x + w - 1, 1, attr, 0,
	    ui_glyph(ui, "┘", "+"));
	for (i = 1; i < h - 1; i++) {
		ui_text(ui, win, y + i, x, 1, attr, 0, v);
		ui_text(ui, win, y + i, x + w - 1, 1, attr, 0, v);
	}
}

void
ui_titlebar(const struct ui *ui, const char *title, int connected)
{
	char		 clock[16];
	const char	*state;
	struct tm	 tm;
	time_t		 t;
	int		 sw, cw, title_attr, state_attr;

	t = ui->now_ms != 0 ? (time_t)(ui->now_ms / 1000) : time(NULL);
	localtime_r(&t, &tm);
	strftime(clock, sizeof clock, "%H:%M", &tm);

	title_attr = ui_attr(ui, UI_TITLE);
	if (connected < 0) {
		state = "";
		state_attr = title_attr;
	} else if (connected) {
		state = " conectado ";
		state_attr = ui->color ? (int)(COLOR_PAIR(PAIR_CONN_OK) |
		    A_BOLD) : A_REVERSE;
	} else {
		state = " SIN CONEXIÓN — reintentando ";
		state_attr = ui->color ? (int)(COLOR_PAIR(PAIR_CONN_BAD) |
		    A_BOLD | A_BLINK) : A_BOLD;
	}
	sw = ui_width(state);
	cw = (int)strlen(clock) + 2;

	ui_text(ui, stdscr, 0, 0, ui->cols, title_attr, 1, "");
	ui_text(ui, stdscr, 0, 1, ui->cols - sw - cw - 2, title_attr, 0,
	    title);
	ui_text(ui, stdscr, 0, ui->cols - sw - cw, sw, state_attr, 0, state);
	ui_textf(ui, stdscr, 0, ui->cols - cw + 1, cw - 1, title_attr, 0,
	    "%s", clock);
}

void
ui_statusbar(const struct ui *ui, const char *hints)
{
	ui_text(ui, stdscr, ui->rows - 1, 0, ui->cols,
	    ui_attr(ui, UI_STATUS), 1, "");
	ui_text(ui, stdscr, ui->rows - 1, 1, ui->cols - 1,
	    ui_attr(ui, UI_STATUS), 0, hints);
}

void
ui_flash(struct ui *ui, int role, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(ui_flashmsg.text, sizeof ui_flashmsg.text, fmt, ap);
	va_end(ap);
	ui_flashmsg.role = role;
	ui_flashmsg.until_ms = ui_clock_ms() + UI_FLASH_MS;
	ui->dirty = 1;
}

void
ui_flash_draw(struct ui *ui)
{
	if (ui_flashmsg.until_ms == 0 || ui->rows < 3)
		return;
	ui_text(ui, stdscr, ui->rows - 2, 0, ui->cols,
	    ui_attr(ui, (enum ui_role)ui_flashmsg.role), 1, "");
	ui_text(ui, stdscr, ui->rows - 2, 1, ui->cols - 2,
	    ui_attr(ui, (enum ui_role)ui_flashmsg.role), 0, ui_flashmsg.text);
}

int
ui_flash_active(const struct ui *ui)
{
	(void)ui;
	return ui_flashmsg.until_ms != 0;
}

int
ui_too_small(struct ui *ui)
{
	if (ui->rows >= UI_MIN_ROWS && ui->cols >= UI_MIN_COLS)
		return 0;
	erase();
	ui_textf(ui, stdscr, 0, 0, ui->cols, A_BOLD, 0,
	    "Terminal demasiado pequeña: %dx%d", ui->cols, ui->rows);
	ui_textf(ui, stdscr, 1, 0, ui->cols, A_NORMAL, 0,
	    "(mínimo %dx%d)", UI_MIN_COLS, UI_MIN_ROWS);
	return 1;
}

/* Wait for one key, handling resizes (returns KEY_RESIZE) and ERR on a
 * termination. */
static int
ui_key_blocking(struct ui *ui)
{
	int	k;

	for (;;) {
		if ((k = ui_key(ui)) != ERR)
			return k;
		if (ui->quit)
			return ERR;
		ui_wait(ui, -1, -1);
		if (ui->quit)
			return ERR;
	}
}

/* Draw a centred box with a title, lines and a footer. */
static void
ui_popup(struct ui *ui, const char *title, const char *const *lines,
    int nlines, const char *footer)
{
	int	w, h, y, x, i, lw, attr = ui_attr(ui, UI_NORMAL);

	w = ui_width(title) + 4;
	if (ui_width(footer) + 4 > w)
		w = ui_width(footer) + 4;
	for (i = 0; i < nlines; i++)
		if ((lw = ui_width(lines[i]) + 4) > w)
			w = lw;
	if (w > ui->cols)
		w = ui->cols;
	h = nlines + 4;
	if (h > ui->rows)
		h = ui->rows;
	y = (ui->rows - h) / 2;
	x = (ui->cols - w) / 2;
	for (i = 0; i < h; i++)
		ui_text(ui, stdscr, y + i, x, w, attr, 1, "");
	ui_box(ui, stdscr, y, x, h, w, ui_attr(ui, UI_INFO));
	ui_text(ui, stdscr, y, x + 2, w - 4, ui_attr(ui, UI_TITLE), 0, title);
	for (i = 0; i < nlines && i < h - 4; i++)
		ui_text(ui, stdscr, y + 2 + i, x + 2, w - 4, attr, 0,
		    lines[i]);
	if (h >= 3)
		ui_text(ui, stdscr, y + h - 1, x + 2, w - 4,
		    ui_attr(ui, UI_DIM), 0, footer);
	refresh();
}

void
ui_help(struct ui *ui, const char *title, const char *const *lines)
{
	char	 t[256];
	int	 n, k;

	for (n = 0; lines[n] != NULL; n++)
		;
	snprintf(t, sizeof t, " %s ", title);
	do {
		erase();
		ui_popup(ui, t, lines, n, " una tecla para volver ");
		k = ui_key_blocking(ui);
	} while (k == KEY_RESIZE);
	erase();
	ui->dirty = 1;
}

int
ui_confirm(struct ui *ui, const char *question)
{
	const char	*lines[2] = { question, NULL };
	int		 k;

	do {
		ui_popup(ui, " Confirmar ", lines, 1, " s: sí   n: no ");
		k = ui_key_blocking(ui);
		if (k == KEY_RESIZE)
			erase();
	} while (k == KEY_RESIZE);
	ui->dirty = 1;
	return k == 's' || k == 'S' || k == 'y' || k == 'Y';
}

int
ui_input(struct ui *ui, int y, int x, int width, char *buf, size_t size)
{
	size_t	 len;
	wint_t	 wc;
	int	 rc, cols, done = -1, off;
	char	 enc[4];
	size_t	 k;

	if (size == 0 || width < 2)
		return 0;
	len = strnlen(buf, size - 1);
	buf[len] = '\0';
	curs_set(1);
	leaveok(stdscr, FALSE);
	while (done == -1) {
		/* Show the tail that fits, the cursor after it. */
		const char	*show = buf;

		while (ui_width(show) > width - 1) {
			show++;
			while ((*show & 0xc0) == 0x80)
				show++;
		}
		cols = ui_text(ui, stdscr, y, x, width, A_UNDERLINE, 1, show);
		cols = ui_width(show);
		off = x + cols;
		if (off >= ui->cols)
			off = ui->cols - 1;
		move(y, off);
		refresh();

		if (ui_sigwinch) {
			ui_sigwinch = 0;
			ui_resize(ui);
			continue;
		}
		rc = wget_wch(stdscr, &wc);
		if (rc == ERR) {
			ui_wait(ui, -1, -1);
			if (ui->quit)
				done = 0;
			continue;
		}
		if (rc == KEY_CODE_YES) {
			if (wc == KEY_ENTER)
				wc = '\r';
			else if (wc == KEY_BACKSPACE || wc == KEY_DC)
				wc = 0x7f;
			else {
				if (wc == KEY_RESIZE) {
					ui->rows = LINES;
					ui->cols = COLS;
					ui->dirty = 1;
				}
				continue;
			}
		}
		switch (wc) {
		case '\r':
		case '\n':
			done = 1;
			continue;
		case 0x1b:		/* Esc */
			done = 0;
			continue;
		case 0x15:		/* ^U */
			len = 0;
			buf[0] = '\0';
			continue;
		case 0x08:
		case 0x7f:		/* a whole character */
			while (len > 0 && (buf[len - 1] & 0xc0) == 0x80)
				len--;
			if (len > 0)
				len--;
			buf[len] = '\0';
			continue;
		}
		if (wc < 0x20 || (wc >= 0x7f && wc < 0xa0))
			continue;
		if (!ui->utf8 && wc >= 0x80)
			continue;
		k = ui_utf8_put((uint32_t)wc, enc);
		if (len + k < size) {
			memcpy(buf + len, enc, k);
			len += k;
			buf[len] = '\0';
		} else
			beep();
	}
	curs_set(0);
	leaveok(stdscr, TRUE);
	ui->dirty = 1;
	return done;
}

void
ui_age(char *buf, size_t size, int64_t seconds)
{
	if (seconds < 0)
		seconds = 0;
	if (seconds < 3600)
		snprintf(buf, size, "%d:%02d", (int)(seconds / 60),
		    (int)(seconds % 60));
	else if (seconds < 100 * 3600)
		snprintf(buf, size, "%dh%02d", (int)(seconds / 3600),
		    (int)(seconds % 3600 / 60));
	else
		snprintf(buf, size, "%dd", (int)(seconds / 86400));
}
